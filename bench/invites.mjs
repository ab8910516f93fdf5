// The invite suite: validate (code in the query and in the body), create (daily cap + audit +
// webhook enqueue) and use (one conditional write + membership), on the real Worker (src/index.ts),
// as ratios to /healthz measured in the same run. A small local receiver answers the webhooks the
// Worker's own queue consumer delivers meanwhile, as a deployment with webhooks on would.
import { createServer } from "node:http";
import { luaString, postJson, printMeasurement } from "./harness.mjs";

const GENEROUS = "9999999/1s";
const ADMIN = { identifier: "admin", password: "admin" };
const INVITEE = {
  username: "bench.invitee",
  email: "bench.invitee@example.com",
  password: "a bench passphrase that is long",
};
/** Most uses one wrk run can make a second here, with room: each use needs an invite of its own. */
const MAX_USES_PER_SECOND = 800;
const CREATION_CONCURRENCY = 16;

export const title = "invites: validate, create, use (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  const receiver = await startReceiver();
  const worker = await bench.startWorker({
    name: "invites",
    vars: {
      RATE_LIMIT_INVITES_VALIDATE_IP: GENEROUS,
      RATE_LIMIT_LOGIN_IP: GENEROUS,
      RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
      RATE_LIMIT_REGISTER_IP: GENEROUS,
      // The cap is still checked on every creation (one InviteQuota call); it just never refuses.
      INVITES_DAILY_LIMIT: "100000000",
      ACCESS_TOKEN_TTL: "3600",
      TOKENS_WEBHOOK_URL: receiver.url,
    },
  });
  let measurement;
  try {
    console.log(
      `\n${title}: validation limit and daily cap set out of reach; webhooks on, to a local receiver`,
    );
    const admin = (await postJson(worker.url, "/auth/login", ADMIN)).accessToken;
    const invitee = (await postJson(worker.url, "/auth/register", INVITEE)).accessToken;
    const adminAuth = { authorization: `Bearer ${admin}` };
    const probe = await postJson(worker.url, "/api/tokens/", { tipo_destino: "associado" }, adminAuth);
    const seconds = Math.max(bench.options.duration, bench.options.warmup);
    // Two rounds in mirrored order: the create and use runs leave the Worker's own webhook
    // consumer a backlog that slows whatever runs next, so each scenario is measured early and late.
    const scenarios = [
      { name: "GET /healthz (baseline)", path: "/healthz" },
      { name: "GET /api/tokens/validate/?codigo=", path: `/api/tokens/validate/?codigo=${probe.codigo}` },
      {
        name: "POST /api/tokens/validate/",
        path: "/api/tokens/validate/",
        method: "POST",
        body: { codigo: probe.codigo },
      },
      {
        name: "POST /api/tokens/ (create)",
        path: "/api/tokens/",
        method: "POST",
        headers: adminAuth,
        body: { tipo_destino: "associado" },
      },
      {
        name: "POST /api/tokens/{id}/use/",
        path: "/api/tokens/",
        script: async ({ threads }) =>
          useScript(
            await createInvites(worker.url, adminAuth, seconds * MAX_USES_PER_SECOND),
            invitee,
            threads,
          ),
      },
    ];
    measurement = await bench.measure(worker.url, scenarios, { rounds: 2 });
  } finally {
    await worker.stop();
    await receiver.stop();
  }
  printMeasurement("invites", measurement);
  console.log(`webhooks the receiver got during the run: ${receiver.count()}`);
}

/**
 * wrk Lua for use: every invite is single use, so each request takes an invite of its own from the
 * thread's share of a list created beforehand. Running out sends an empty body, which fails the run
 * visibly rather than measuring refusals.
 */
function useScript(invites, accessToken, threads) {
  const rows = invites.map((invite) => `{ ${luaString(invite.id)}, ${luaString(invite.codigo)} }`);
  return `
local invites = { ${rows.join(", ")} }
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local queue = {}
function init(args)
  for i, invite in ipairs(invites) do
    if (i - 1) % ${threads} == id - 1 then table.insert(queue, invite) end
  end
end
function request()
  local invite = table.remove(queue, 1)
  if not invite then return wrk.format("POST", "/api/tokens/none/use/") end
  return wrk.format("POST", "/api/tokens/" .. invite[1] .. "/use/",
    { ["Content-Type"] = "application/json", ["Authorization"] = ${luaString(`Bearer ${accessToken}`)} },
    '{"codigo":"' .. invite[2] .. '"}')
end`;
}

/** `count` fresh invites, created over HTTP a few at a time. */
async function createInvites(url, headers, count) {
  const invites = [];
  const worker = async () => {
    while (invites.length < count) {
      invites.push(await postJson(url, "/api/tokens/", { tipo_destino: "associado" }, headers));
    }
  };
  await Promise.all(Array.from({ length: CREATION_CONCURRENCY }, worker));
  return invites;
}

/** A webhook receiver on a free loopback port that answers 204 and counts what it gets. */
async function startReceiver() {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/edge-auth-webhooks`,
    count: () => received,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
