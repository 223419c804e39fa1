import { cp, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { embeddedDataDir } from "./embedded";

/**
 * Gives every service in `services` that has no embedded database yet (no `<DATA_DIR>/<service>/`
 * folder) an initialised, empty one, copied from a single initdb: a first `npm start` then runs
 * initdb once instead of once per service, all at the same time. A folder that exists is left
 * alone (a service's own start finishes or redoes a half-made one). Each copy is made beside its
 * folder and renamed into place, so a copy cut short is never taken for a database. Resolves with
 * the services it initialised.
 */
export async function initialiseEmbeddedDataDirs(
  services: readonly string[],
  dataDir?: string,
  progress: (message: string) => void = () => undefined,
): Promise<string[]> {
  const missing = services.filter((s) => !existsSync(embeddedDataDir(s, dataDir)));
  if (missing.length === 0) return [];
  const root = dirname(embeddedDataDir(missing[0]!, dataDir));
  await mkdir(root, { recursive: true });
  // What an initialisation cut short left behind.
  for (const entry of await readdir(root))
    if (entry.startsWith(".initdb-")) await rm(join(root, entry), { recursive: true, force: true });
  const since = performance.now();
  progress(`initialising one embedded database (initdb) for ${missing.join(", ")}…`);
  const staging = await mkdtemp(join(root, ".initdb-"));
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = new PGlite(join(staging, "template"));
    await lite.waitReady;
    await lite.close();
    for (const service of missing) {
      const target = embeddedDataDir(service, dataDir);
      const copy = join(staging, service);
      await cp(join(staging, "template"), copy, { recursive: true });
      if (existsSync(target)) continue; // made meanwhile by someone else: theirs stands
      await rename(copy, target);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  progress(`embedded databases initialised in ${((performance.now() - since) / 1000).toFixed(1)} s`);
  return missing;
}
