// `npm run dev`: first run writes .dev.vars with generated secrets, then applies the D1 migrations
// to the local database and starts `wrangler dev`. Later runs reuse both.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateDevSecrets, toDotenv } from "./dev-secrets.mjs";

const quiet = { ...process.env, WRANGLER_SEND_METRICS: "false" };

if (!existsSync(".dev.vars")) {
  writeFileSync(".dev.vars", toDotenv(generateDevSecrets()), { mode: 0o600 });
  console.log("Wrote .dev.vars with a new development RSA key and secrets (git-ignored).");
} else {
  // A checkout from before a secret existed: add the missing ones, keep every value already there.
  const present = new Set(readFileSync(".dev.vars", "utf8").match(/^[A-Z0-9_]+(?==)/gm) ?? []);
  const missing = Object.fromEntries(
    Object.entries(generateDevSecrets()).filter(([name]) => !present.has(name)),
  );
  if (Object.keys(missing).length > 0) {
    appendFileSync(".dev.vars", toDotenv(missing));
    console.log(`Added to .dev.vars: ${Object.keys(missing).join(", ")}`);
  }
}

const extraArgs = process.argv.slice(2);
const persist = extraArgs.includes("--persist-to")
  ? extraArgs.slice(extraArgs.indexOf("--persist-to"), extraArgs.indexOf("--persist-to") + 2)
  : [];
// stdin is not a terminal, so wrangler applies without asking for confirmation.
const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", ...persist], {
  stdio: ["ignore", "inherit", "inherit"],
  env: quiet,
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawnSync("wrangler", ["dev", ...extraArgs], { stdio: "inherit", env: quiet });
process.exit(dev.status ?? 0);
