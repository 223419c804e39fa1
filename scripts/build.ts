/**
 * `npm run build`: compiles what production runs to JavaScript with esbuild, one ES module (and its
 * source map) per entry point:
 *
 *   services/<name>/src/main.ts                  -> services/<name>/dist/main.js
 *   packages/platform/src/telemetry/register.ts  -> packages/platform/dist/telemetry/register.js
 *
 * Each service's file holds its own code and the workspace libraries it imports (@qc/platform,
 * @qc/contracts), only what it reaches; npm packages stay imports, resolved from node_modules at run
 * time (so `npm ci --omit=dev` in the image provides them, and the telemetry preload can still hook
 * `pg` and `ioredis` as they load), except the few in `COMPILED_IN` (see there). A service's file sits as deep as its `src/app.ts`, so paths it
 * finds from its own location (`../migrations`) hold in both. Run it with:
 *
 *   node --max-semi-space-size=4 --import @qc/platform/dist/telemetry/register services/<name>/dist/main.js
 *
 * (`--max-semi-space-size`: see `SERVICE_V8_FLAGS` in packages/devstack.)
 *
 * Without --enable-source-maps, on purpose: with it, Node maps every frame of every `Error.stack`
 * it formats, and grpc-js formats two stacks for every call that ends with a status other than OK,
 * so every business refusal (a declined payment, no free rider, an open circuit) paid for it: 2.6×
 * the cost of a stack (55 → 143 µs per failed call, measured on a bundle like these), about 4 % of
 * the order service's CPU under load. The output is not minified and esbuild marks each module
 * with its source path (`// services/order/src/app/order-saga.ts`), so a stack from it names the
 * function and a line of that file; the maps are written beside it, and
 * `NODE_OPTIONS=--enable-source-maps` maps stacks to the TypeScript while debugging.
 *
 * Types are not checked here (`npm run typecheck` does): esbuild only strips them.
 *   npm run build [-- --metafile]   (--metafile also writes dist/meta.json beside each output)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type BuildOptions, type Plugin } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The oldest Node.js the output must run on (package.json "engines"); the image runs a newer one. */
export const NODE_TARGET = "node20";

/**
 * npm packages compiled into the output like workspace code, only what is used of them: ES module
 * libraries of many small functions of which a service uses a few. TypeBox builds the gateway's JSON
 * schemas at start (Type.Object, Type.String, …); imported from node_modules, its index loads some
 * 800 modules (about 2 MiB of the gateway's heap for as long as it runs). Valibot reads each service's
 * configuration: what a service uses of it is about 15 KB of its bundle, its whole index 200 KB.
 */
export const COMPILED_IN: readonly string[] = ["typebox", "valibot"];

const compiledIn = (path: string) => COMPILED_IN.some((name) => path === name || path.startsWith(`${name}/`));

/** Workspace packages (and `COMPILED_IN`) are compiled into the output; every other package is left to node_modules. */
export const npmPackagesExternal: Plugin = {
  name: "npm-packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === "entry-point" || args.path.startsWith("@qc/") || compiledIn(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

export interface Entry {
  readonly in: string;
  readonly out: string;
}

/** Every service with a `src/main.ts`, and the telemetry preload. */
export function entries(root = ROOT): Entry[] {
  const services = readdirSync(join(root, "services"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "services", d.name, "src", "main.ts")))
    .map((d) => ({ in: `services/${d.name}/src/main.ts`, out: `services/${d.name}/dist/main.js` }));
  return [
    ...services,
    { in: "packages/platform/src/telemetry/register.ts", out: "packages/platform/dist/telemetry/register.js" },
  ];
}

export const buildOptions = (entry: Entry, root = ROOT): BuildOptions => ({
  absWorkingDir: root,
  entryPoints: [entry.in],
  outfile: entry.out,
  bundle: true,
  platform: "node",
  format: "esm",
  target: NODE_TARGET,
  sourcemap: "linked",
  // Stack traces need the mapping only; the sources are in the repository.
  sourcesContent: false,
  plugins: [npmPackagesExternal],
  logLevel: "warning",
});

/**
 * Escapes what esbuild leaves outside ASCII. Its output is ASCII in code (`charset: "ascii"`, its
 * default) but not in the comments it keeps, and V8 holds a module's source as two bytes per
 * character as soon as one character needs more than one: a single "→" in a kept comment doubled
 * the gateway's source in its heap (0.54 -> 1.06 MiB). Only comments hold such characters, so the
 * escapes change no code; on those comment lines, source-map columns after the character shift.
 */
export const asciiOnly = (code: string): string =>
  code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Compiles every entry point afresh (`npm run build`; `npm start` too): what it wrote and how long it took. */
export async function buildAll(options: { metafile?: boolean } = {}): Promise<{ outputs: string[]; ms: number }> {
  const list = entries();
  const dists = new Set(list.map((e) => e.out.split("/").slice(0, 3).join("/")));
  for (const dir of dists) rmSync(join(ROOT, dir), { recursive: true, force: true });
  const started = performance.now();
  await Promise.all(
    list.map(async (entry) => {
      const result = await build({ ...buildOptions(entry), metafile: options.metafile === true });
      const out = join(ROOT, entry.out);
      writeFileSync(out, asciiOnly(readFileSync(out, "utf8")));
      if (options.metafile && result.metafile)
        writeFileSync(join(ROOT, entry.out.replace(/[^/]+$/, "meta.json")), JSON.stringify(result.metafile));
    }),
  );
  return { outputs: list.map((e) => e.out), ms: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { metafile: { type: "boolean", default: false } } });
  const { outputs, ms } = await buildAll({ metafile: values.metafile });
  console.log(`built ${outputs.length} entry points in ${ms} ms: ${outputs.join(", ")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
