import { swaggerUI } from "@hono/swagger-ui";
import swaggerCss from "swagger-ui-dist/swagger-ui.css";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import type { App } from "../../../http/openapi";

const ASSET_BASE = "/docs/assets";
const IMMUTABLE = "public, max-age=86400";

/**
 * `GET /docs`: Swagger UI for /openapi.json. Its script and stylesheet come from swagger-ui-dist,
 * bundled into the Worker as text modules (wrangler.toml [[rules]]) and served here, so the page
 * works offline instead of loading them from a CDN.
 */
export function registerDocs(app: App): void {
  app.get("/docs", swaggerUI({ url: "/openapi.json", baseUrl: ASSET_BASE, title: "Edge Auth API" }));
  app.get(`${ASSET_BASE}/swagger-ui-dist/swagger-ui-bundle.js`, (c) =>
    c.body(swaggerBundle, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": IMMUTABLE,
    }),
  );
  app.get(`${ASSET_BASE}/swagger-ui-dist/swagger-ui.css`, (c) =>
    c.body(swaggerCss, 200, { "content-type": "text/css; charset=utf-8", "cache-control": IMMUTABLE }),
  );
  // Browsers showing /docs ask for /favicon.ico; an empty success keeps their console free of a 404.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "cache-control": IMMUTABLE }));
}
