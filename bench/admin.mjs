// The admin console suite, on the real Worker (src/index.ts), as ratios to /healthz in the same
// run: the pages an admin opens most (Convites, Uso, Usuários), each a page-session lookup, the
// two-factor check, the permission check and the page's own reads, rendered to HTML. The session is
// made the way a browser makes it: the dev admin turns TOTP on through the API, then signs in on
// /admin/entrar with the password and a code (otpauth), and every request sends its cookie.
import { Secret, TOTP } from "otpauth";
import { printMeasurement } from "./harness.mjs";

const GENEROUS = "9999999/1s";
const VARS = {
  RATE_LIMIT_LOGIN_IP: GENEROUS,
  RATE_LIMIT_LOGIN_IDENTIFIER: GENEROUS,
  RATE_LIMIT_TWO_FACTOR_USER: GENEROUS,
  LOG_LEVEL: "warn",
};

export const title = "admin console: /admin/convites, /admin/uso, /admin/usuarios (src/index.ts)";

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  console.log(`\n${title}`);
  const worker = await bench.startWorker({ name: "admin", vars: VARS });
  let measurement;
  try {
    const cookie = await consoleSession(worker.url);
    const page = (path) => ({ name: `GET ${path}`, path, headers: { cookie } });
    measurement = await bench.measure(worker.url, [
      { name: "GET /healthz (baseline)", path: "/healthz" },
      page("/admin/convites"),
      page("/admin/uso"),
      page("/admin/usuarios"),
    ]);
  } finally {
    await worker.stop();
  }
  printMeasurement("admin", measurement);
}

/** The dev admin's console cookie after password and TOTP. */
async function consoleSession(url) {
  const login = await json(url, "/auth/login", { identifier: "admin", password: "admin" });
  const auth = { authorization: `Bearer ${login.accessToken}` };
  const setup = await json(url, "/auth/2fa/setup", undefined, auth);
  const totp = new TOTP({ secret: Secret.fromBase32(setup.secret) });
  await json(url, "/auth/2fa/enable", { code: totp.generate(), method: "totp" }, auth);
  const jar = new Map();
  const send = async (path, fields) => {
    const headers = { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") };
    const init = fields
      ? {
          method: "POST",
          headers: { ...headers, "content-type": "application/x-www-form-urlencoded", origin: url },
          body: new URLSearchParams(fields).toString(),
        }
      : { headers };
    const response = await fetch(`${url}${path}`, { ...init, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response.text();
  };
  const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const signIn = await send("/admin/entrar");
  await send("/admin/entrar", {
    etapa: "senha",
    csrf: csrfOf(signIn),
    identificador: "admin",
    senha: "admin",
  });
  const codePage = await send("/admin/entrar");
  // The next step's code: the enabling code's step is spent (replay guard), ±1 step is accepted.
  const next = totp.generate({ timestamp: Date.now() + 30_000 });
  await send("/admin/entrar", { etapa: "codigo", csrf: csrfOf(codePage), codigo: next });
  const page = await fetch(`${url}/admin/convites`, {
    headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") },
    redirect: "manual",
  });
  if (page.status !== 200)
    throw new Error(`the console sign-in failed: GET /admin/convites is ${page.status}`);
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

async function json(url, path, body, headers = {}) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}
