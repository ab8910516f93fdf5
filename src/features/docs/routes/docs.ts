import { swaggerUI } from "@hono/swagger-ui";
import swaggerCss from "swagger-ui-dist/swagger-ui.css";
import swaggerBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import type { App } from "../../../http/openapi";

const ASSET_BASE = "/docs/assets";
const IMMUTABLE = "public, max-age=86400";
const INIT_SCRIPT = `${ASSET_BASE}/swagger-init.js`;

/** Starts Swagger UI; a file of its own rather than an inline script, so the CSP needs no inline script. */
const SWAGGER_INIT = `window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ dom_id: "#swagger-ui", url: "/openapi.json" });
});
`;

/**
 * The page's own policy, kept by `securityHeaders()`: everything from this origin, no inline
 * script; inline styles because Swagger UI's React components set style attributes; `data:`
 * images for its icons; `connect-src 'self'` for /openapi.json and "Try it out".
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * `GET /docs`: Swagger UI for /openapi.json. Its script and stylesheet come from swagger-ui-dist,
 * bundled into the Worker as text modules (wrangler.toml [[rules]]) and served here, so the page
 * works offline instead of loading them from a CDN; it runs under a strict CSP.
 */
export function registerDocs(app: App): void {
  app.use("/docs", async (c, next) => {
    await next();
    c.res.headers.set("content-security-policy", DOCS_CSP);
  });
  app.get(
    "/docs",
    swaggerUI({
      url: "/openapi.json",
      title: "Edge Auth API",
      baseUrl: ASSET_BASE,
      manuallySwaggerUIHtml: (asset) => `
        <div id="swagger-ui"></div>
        ${asset.css.map((url) => `<link rel="stylesheet" href="${url}" />`).join("")}
        ${asset.js.map((url) => `<script src="${url}"></script>`).join("")}
        <script src="${INIT_SCRIPT}"></script>`,
    }),
  );
  app.get(INIT_SCRIPT, (c) =>
    c.body(SWAGGER_INIT, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": IMMUTABLE,
    }),
  );
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
