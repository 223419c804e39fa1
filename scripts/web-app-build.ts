/** The web app's production build for `npm start`: built once when missing (web/dist), then served by the gateway. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const WEB_DIST = join(root, "web", "dist");

/**
 * Builds the web app when web/dist has no build (`npm run build -w @qc/web`, a few seconds); true when
 * a build is there. A failed build is reported and the platform starts with the API only.
 */
export function ensureWebAppBuilt(): boolean {
  if (existsSync(join(WEB_DIST, "index.html"))) return true;
  console.log("building the web app (first run): npm run build -w @qc/web");
  const result = spawnSync("npm", ["run", "build", "-w", "@qc/web"], { cwd: root, stdio: "inherit" });
  if (result.status === 0 && existsSync(join(WEB_DIST, "index.html"))) return true;
  console.error("the web app could not be built; starting with the API only");
  return false;
}
