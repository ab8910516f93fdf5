import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway certificate authority and a server certificate for `localhost` (only: 127.0.0.1 is
 * deliberately not in it, so tests can check a name mismatch is refused) signed
 * by it, so the SMTP tests run STARTTLS and implicit TLS with certificate verification on.
 *
 * workerd trusts the CA because miniflare adds the certificates of NODE_EXTRA_CA_CERTS to its
 * trust store when it is first imported: vitest.config.mts calls `testTls()` before importing
 * @cloudflare/vitest-plugin (which imports miniflare). The directory is deleted when the process
 * exits.
 */
export interface TestTls {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

const DIR_VARIABLE = "EDGE_AUTH_TEST_TLS_DIR";

function paths(dir: string): TestTls {
  return {
    caCert: join(dir, "ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
  };
}

/** Runs openssl in `dir`; `command` is split on spaces, `extra` arguments may contain commas. */
function openssl(dir: string, command: string, extra: string[] = []): void {
  execFileSync("openssl", [...command.split(" "), ...extra], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

function createTestTls(): string {
  const dir = mkdtempSync(join(tmpdir(), "edge-auth-tls-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  openssl(dir, `req -x509 ${ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=edge-auth-test-ca`, [
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  openssl(dir, `req ${ec} -keyout server.key -out server.csr -subj /CN=localhost`);
  writeFileSync(
    join(dir, "server.ext"),
    [
      "subjectAltName=DNS:localhost",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n"),
  );
  openssl(
    dir,
    "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext",
  );

  // Keep any CA the environment already trusts (a corporate proxy, say) next to ours.
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  const bundle = join(dir, "extra-ca-bundle.pem");
  const previous = inherited && existsSync(inherited) ? `${readFileSync(inherited, "utf8")}\n` : "";
  writeFileSync(bundle, previous + readFileSync(join(dir, "ca.pem"), "utf8"));
  process.env.NODE_EXTRA_CA_CERTS = bundle;
  process.env[DIR_VARIABLE] = dir;
  return dir;
}

/** The certificate files: created by the first call (config loading), reused after. */
export function testTls(): TestTls {
  const existing = process.env[DIR_VARIABLE];
  return paths(existing && existsSync(existing) ? existing : createTestTls());
}
