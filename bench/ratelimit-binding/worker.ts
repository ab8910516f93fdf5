// The Worker of bench/ratelimit-binding.mjs: /healthz, then one coarse per-IP check in front of the
// same answer, through the Workers rate-limiting binding (/binding) or through the RateLimiter
// Durable Object the `rateLimit(policy)` middleware uses (/durable-object: the key hashed into the
// object's name, one call), so the ratio of each to /healthz is that mechanism's cost alone.
import type { RateLimiter } from "../../src/durable-objects/rate-limiter";
import { hashSecret } from "../../src/platform/secrets";

interface BenchEnv {
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  IP_LIMITER: RateLimit;
}

const LIMIT = 100_000_000;
const PERIOD_MS = 60_000;
const ok = () => Response.json({ status: "ok" });
const refused = () => new Response(null, { status: 429 });

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
    if (pathname === "/healthz") return ok();
    if (pathname === "/binding") {
      const { success } = await env.IP_LIMITER.limit({ key: ip });
      return success ? ok() : refused();
    }
    if (pathname === "/durable-object") {
      const stub = env.RATE_LIMITER.getByName(`bench_ip:${await hashSecret(ip)}`);
      // The bench's own clock: this Worker is never deployed (product code uses the injected Clock).
      const { allowed } = await stub.check(LIMIT, PERIOD_MS, Date.now());
      return allowed ? ok() : refused();
    }
    return new Response(null, { status: 404 });
  },
} satisfies ExportedHandler<BenchEnv>;

export { RateLimiter } from "../../src/durable-objects/rate-limiter";
