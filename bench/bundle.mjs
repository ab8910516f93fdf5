// The bundle suite: what the Worker weighs at the edge. `wrangler deploy --dry-run --outdir` builds
// exactly what would be uploaded, without uploading; the sizes printed are the modules as built
// and gzipped (Cloudflare's limit is on the compressed upload: 3 MiB on the free plan, 10 MiB paid;
// our own target is 1 MiB, which keeps cold starts short).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { printTable } from "./harness.mjs";

export const title = "bundle: the deployable Worker's size (wrangler deploy --dry-run)";
const TARGET_BYTES = 1024 * 1024;

/** Runs the suite on `bench` (bench/harness.mjs), printing its table. */
export async function run(bench) {
  console.log(`\n${title}`);
  const outdir = join(bench.workDir, "bundle");
  await bench.run("wrangler", ["deploy", "--dry-run", "--outdir", outdir]);
  const rows = [];
  let raw = 0;
  let gzipped = 0;
  for (const file of readdirSync(outdir).filter((name) => !name.endsWith(".map"))) {
    const path = join(outdir, file);
    if (!statSync(path).isFile()) continue;
    const content = readFileSync(path);
    const compressed = gzipSync(content, { level: 9 }).length;
    raw += content.length;
    gzipped += compressed;
    rows.push([file, kib(content.length), kib(compressed)]);
  }
  rows.sort((a, b) => Number.parseFloat(b[2]) - Number.parseFloat(a[2]));
  rows.push(["total", kib(raw), kib(gzipped)]);
  printTable(["module", "KiB", "gzip KiB"], rows);
  const verdict = gzipped <= TARGET_BYTES ? "within" : "OVER";
  console.log(`gzipped total ${kib(gzipped)} KiB: ${verdict} the 1 MiB target`);
}

function kib(bytes) {
  return (bytes / 1024).toFixed(1);
}
