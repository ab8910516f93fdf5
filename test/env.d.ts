import type { D1Migration } from "cloudflare:test";

// Bindings that exist only under test (see vitest.config.mts).
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_PREVIOUS_PRIVATE_KEY: string;
    }
  }
}
