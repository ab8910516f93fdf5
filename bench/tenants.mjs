// The tenants suite (issue 12): tenant login without MFA and GET /tenants/{slug}/roles with a
// tenant access token, on the real Worker (src/index.ts), as ratios to /healthz in the same run.
// A tenant login verifies one password (Argon2id), so it sits near /auth/login; the roles read
// costs one signature check, one read of the session (the per-use check: active session, active
// tenant, still an agent) and one read of the roster. Target: roles read >= 0.5 of /healthz.
import { printMeasurement, requestJson } from "./harness.mjs";

const GENEROUS = "9999999/1s";
// LOG_LEVEL=warn: the per-request log line would weigh alike on every route (docs/operating.md).
const VARS = { LOG_LEVEL: "warn", RATE_LIMIT_LOGIN_IP: GENEROUS, RATE_LIMIT_REGISTER_IP: GENEROUS };
const AGENT = {
  username: "bench.agent",
  email: "bench.agent@example.com",
  password: "a bench passphrase that is long",
};
const SLUG = "bench-tenant";

const scenarios = (tenantToken) => [
  { name: "GET /healthz (baseline)", path: "/healthz" },
  {
    name: "POST /tenants/{slug}/login (no MFA)",
    path: `/tenants/${SLUG}/login`,
    method: "POST",
    body: { email: AGENT.email, password: AGENT.password },
  },
  {
    name: "GET /tenants/{slug}/roles, tenant token",
    path: `/tenants/${SLUG}/roles`,
    headers: { authorization: `Bearer ${tenantToken}` },
  },
];

export const title = "tenants: tenant login and the roles read with a tenant token (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its tables. */
export async function run(bench) {
  const worker = await bench.startWorker({ name: "tenants", vars: VARS });
  let measurement;
  try {
    console.log(`\n${title}`);
    const admin = await requestJson(worker.url, "POST", "/auth/login", {
      identifier: "admin",
      password: "admin",
    });
    const auth = { authorization: `Bearer ${admin.accessToken}` };
    await requestJson(worker.url, "POST", "/api/tenants", { slug: SLUG, name: "Bench" }, auth);
    const agent = await requestJson(worker.url, "POST", "/auth/register", AGENT);
    await requestJson(worker.url, "PUT", `/tenants/${SLUG}/roles/${agent.user.id}`, { role: "admin" }, auth);
    const session = await requestJson(worker.url, "POST", `/tenants/${SLUG}/login`, {
      email: AGENT.email,
      password: AGENT.password,
    });
    measurement = await bench.measure(worker.url, scenarios(session.access_token));
  } finally {
    await worker.stop();
  }
  printMeasurement("tenants", measurement);
}
