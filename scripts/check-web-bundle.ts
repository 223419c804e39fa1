/**
 * The web app's bundle budget: the JavaScript a first visit loads (index.html's module script and
 * every chunk it preloads), gzipped, must stay within the budget. Run after `npm run build -w @qc/web`
 * (.ci/run does); exits 1 above it. Chunks loaded on demand (the rider view, the console) do not count.
 *
 *   npx tsx scripts/check-web-bundle.ts [dist folder] [--budget-kb 250]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const budgetAt = args.indexOf("--budget-kb");
const budgetKb = budgetAt === -1 ? 250 : Number(args[budgetAt + 1]);
const dist =
  args.find((a, i) => !a.startsWith("--") && i !== budgetAt + 1) ??
  fileURLToPath(new URL("../web/dist", import.meta.url));

const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => m[1]!);
if (scripts.length === 0) {
  console.error(`no module script in ${join(dist, "index.html")}: is it a production build?`);
  process.exit(1);
}
let total = 0;
for (const src of new Set(scripts)) {
  const bytes = gzipSync(readFileSync(join(dist, src.replace(/^\//, ""))), { level: 9 }).length;
  total += bytes;
  console.log(`${(bytes / 1024).toFixed(1).padStart(8)} KB gz  ${src}`);
}
const kb = total / 1024;
console.log(`${kb.toFixed(1).padStart(8)} KB gz  first-load JavaScript (budget ${budgetKb} KB)`);
if (kb > budgetKb) {
  console.error(`the web app's first-load JavaScript is ${kb.toFixed(1)} KB gzipped, above its ${budgetKb} KB budget`);
  process.exit(1);
}
