import { encode } from "uqr";

// The quiet zone the QR specification asks for; phone cameras lock on faster with it.
const QUIET_ZONE_MODULES = 4;
// Intrinsic size of one module in CSS pixels; the page may scale the SVG (it has a viewBox).
const MODULE_PIXELS = 5;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One path segment per horizontal run of dark modules, which keeps the SVG a few kB. */
function darkRuns(modules: boolean[][]): string {
  let path = "";
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (row[x]) x++;
      path += `M${start} ${y}h${x - start}v1h-${x - start}z`;
    }
  });
  return path;
}

/**
 * `text` as a QR code in an inline SVG (error correction M): black on white, no scripts, no
 * external resources, `role="img"` with an accessible name (`aria-label` and `<title>`). The same
 * input always gives the same SVG.
 * @example qrSvg(totpUri({ secret, issuer, account }), "Código QR para o aplicativo autenticador")
 */
export function qrSvg(text: string, label = "Código QR"): string {
  const { size, data } = encode(text, { ecc: "M", border: QUIET_ZONE_MODULES });
  const name = escapeXml(label);
  const pixels = size * MODULE_PIXELS;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${pixels}" height="${pixels}"` +
    ` role="img" aria-label="${name}" shape-rendering="crispEdges">` +
    `<title>${name}</title>` +
    `<rect width="${size}" height="${size}" fill="#fff"/>` +
    `<path fill="#000" d="${darkRuns(data)}"/>` +
    "</svg>"
  );
}
