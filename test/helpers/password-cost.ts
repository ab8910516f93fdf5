/// <reference types="vite/client" />
import wranglerToml from "../../wrangler.toml?raw";

/** A `KEY = "value"` of wrangler.toml's top-level [vars], the first table that names it. */
function committedVar(name: string): string {
  const value = new RegExp(`^${name} = "([^"]*)"`, "m").exec(wranglerToml)?.[1];
  if (value === undefined) throw new Error(`wrangler.toml has no ${name}`);
  return value;
}

/**
 * The Argon2id cost wrangler.toml commits, as vars for `createHarness(PRODUCTION_PASSWORD_COST)` or
 * `loadConfig({ ...env, ...PRODUCTION_PASSWORD_COST })`. The test project hashes at a far cheaper
 * cost (vitest.config.mts); tests whose subject is the cost itself (the dummy verification's
 * timing, re-hash on login, the stored PHC string, the cost the bench prints) use this one.
 */
export const PRODUCTION_PASSWORD_COST = {
  PASSWORD_HASH_MEMORY_KIB: committedVar("PASSWORD_HASH_MEMORY_KIB"),
  PASSWORD_HASH_ITERATIONS: committedVar("PASSWORD_HASH_ITERATIONS"),
  PASSWORD_HASH_PARALLELISM: committedVar("PASSWORD_HASH_PARALLELISM"),
};
