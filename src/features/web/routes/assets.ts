import type { App } from "../../../http/openapi";
import pageCss from "../assets/page.css";
import { PAGE_STYLESHEET_PATH } from "../layout";

/** `GET /assets/page.css`: the pages' stylesheet, bundled into the Worker (no CDN). */
export function registerWebAssets(app: App): void {
  app.get(PAGE_STYLESHEET_PATH, (c) =>
    c.body(pageCss, 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    }),
  );
}
