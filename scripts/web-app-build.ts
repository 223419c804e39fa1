/** The web app's production build for `npm start`: built once when missing (web/dist), then served by the gateway. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const WEB_DIST = join(root, "web", "dist");

/**
 * Builds the web app when web/dist has no build (`npm run build -w @qc/web`, a few seconds); true when
 * a build is there. It runs beside the rest of a first start (initdb), so its output is kept and
 * shown only if it fails; a failed build is reported and the platform starts with the API only.
 */
export async function ensureWebAppBuilt(log: (line: string) => void = console.log): Promise<boolean> {
  if (existsSync(join(WEB_DIST, "index.html"))) return true;
  log("building the web app (first run): npm run build -w @qc/web");
  const started = performance.now();
  const child = spawn("npm", ["run", "build", "-w", "@qc/web"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.on("error", () => resolve(null));
    child.on("close", resolve);
  });
  if (code === 0 && existsSync(join(WEB_DIST, "index.html"))) {
    log(`web app built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return true;
  }
  console.error(`${output}\nthe web app could not be built; starting with the API only`);
  return false;
}
