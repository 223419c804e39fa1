#!/usr/bin/env node
// The checks behind scripts/validate-deploy.sh that no off-the-shelf tool here does: strict parsing
// of every YAML/JSON file, Dockerfile + .dockerignore against the real build context, the compose
// model and the rendered Kubernetes manifests against each other (names, ports, probes, secrets),
// Kubernetes schemas (kubernetes-models: JSON schema; its TypeScript types: unknown fields), the
// OpenTelemetry collector's pipeline wiring and the Grafana dashboard's datasources and metrics.
//
//   node check.mjs syntax FILE...
//   node check.mjs dockerfile --context DIR --dockerfile FILE --dockerignore FILE
//   node check.mjs compose --config compose.json --prometheus prometheus.yml --context DIR
//   node check.mjs k8s --manifests rendered.yaml --name NAME [--external-secret NAME]...
//   node check.mjs otel --config otel-collector.yaml
//   node check.mjs grafana --datasources FILE --dashboards DIR --rules-out FILE
//
// Prints one line per finding; exits 1 when there is an error (warnings alone exit 0).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseAllDocuments, stringify } from "yaml";

const toolsDir = dirname(fileURLToPath(import.meta.url));
const errors = [];
const warnings = [];
let passed = 0;
const error = (where, msg) => errors.push(`${where}: ${msg}`);
const warn = (where, msg) => warnings.push(`${where}: ${msg}`);

/** Every document of a YAML file; duplicate keys and any parser warning are errors. */
function readYamlDocs(file, { merge = false } = {}) {
  const text = readFileSync(file, "utf8");
  const docs = parseAllDocuments(text, { uniqueKeys: true, merge, prettyErrors: true, strict: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out = [];
  for (const doc of list) {
    for (const e of [...doc.errors, ...doc.warnings]) error(file, e.message.split("\n")[0]);
    const value = doc.toJS({ maxAliasCount: 1000 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}
const readYaml = (file, opts) => readYamlDocs(file, opts)[0] ?? {};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
function checkSyntax(files) {
  for (const file of files) {
    const before = errors.length;
    try {
      if (file.endsWith(".json")) JSON.parse(readFileSync(file, "utf8"));
      else readYamlDocs(file, { merge: /compose/.test(file) });
    } catch (e) {
      error(file, e.message.split("\n")[0]);
    }
    if (errors.length === before) passed++;
  }
}

// ---------------------------------------------------------------------------------------------
async function checkDockerfile({ context, dockerfile, dockerignore }) {
  const { validate } = await import("dockerfile-utils");
  const { DockerfileParser } = await import("dockerfile-ast");
  const { default: ignoreFactory } = await import("@balena/dockerignore");
  const where = dockerfile;
  const src = readFileSync(dockerfile, "utf8");
  for (const d of validate(src)) error(`${where}:${d.range.start.line + 1}`, d.message);

  const ig = ignoreFactory({ ignorecase: false }).add(existsSync(dockerignore) ? readFileSync(dockerignore, "utf8") : "");
  // The files the build context sends (node_modules and .git are never walked: see the samples below).
  const contextFiles = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(context, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.name === "node_modules" || rel === ".git") continue;
      if (entry.isDirectory()) walk(rel);
      else if (!ig.ignores(rel)) contextFiles.push(rel);
    }
  };
  walk("");
  const globRe = (pattern) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}(/.*)?$`);

  const dockerfileAst = DockerfileParser.parse(src);
  const stages = [];
  let stage = null;
  for (const ins of dockerfileAst.getInstructions()) {
    const kw = ins.getKeyword();
    const args = ins.getArguments().map((a) => a.getValue());
    const line = ins.getRange().start.line + 1;
    const at = `${where}:${line}`;
    if (kw === "FROM") {
      const as = args.findIndex((a) => a.toUpperCase() === "AS");
      const parent = stages.find((s) => s.name === args[0]);
      stage = { name: as >= 0 ? args[as + 1] : undefined, user: undefined, cmd: false, command: "", devInstall: parent?.devInstall ?? false, copiesFrom: [] };
      stages.push(stage);
      continue;
    }
    if (kw === "USER") stage.user = args[0];
    if (kw === "CMD" || kw === "ENTRYPOINT") {
      stage.cmd = true;
      if (kw === "CMD") stage.command = ins.getArgumentsContent() ?? args.join(" ");
    }
    // `npm ci`/`npm install` without --omit=dev installs the dev dependencies (tsx, esbuild, ...).
    if (kw === "RUN") {
      const text = ins.getArgumentsContent() ?? args.join(" ");
      if (/\bnpm (ci|install|i)\b/.test(text) && !/--omit[= ]dev|--production\b/.test(text)) stage.devInstall = true;
    }
    if (kw !== "COPY" && kw !== "ADD") continue;
    const from = ins.getFlags().find((f) => f.getName() === "from")?.getValue();
    if (from !== undefined) {
      const known = stages.slice(0, -1).some((s) => s.name === from);
      if (!known && !/[:/]/.test(from)) error(at, `COPY --from=${from}: no earlier stage has that name`);
      stage.copiesFrom.push({ from, sources: args.slice(0, -1), at });
      continue;
    }
    for (const source of args.slice(0, -1)) {
      const clean = source.replace(/^\.\/?/, "").replace(/\/+$/, "");
      const matches = clean === "" ? contextFiles : contextFiles.filter((f) => globRe(clean).test(f));
      if (matches.length === 0) error(at, `${kw} ${source}: matches nothing in the build context (missing, or excluded by .dockerignore)`);
    }
  }
  const final = stages.at(-1);
  if (!final) error(where, "no FROM");
  else {
    if (!final.user || /^(root|0)(:|$)/.test(final.user)) error(where, `final stage runs as ${final.user ?? "root (no USER)"}: use a non-root user`);
    if (!final.cmd) error(where, "final stage has no CMD or ENTRYPOINT");
    // Production runs the compiled JavaScript (`npm run build`) on node alone.
    const cmd = final.command;
    if (/\btsx\b/.test(cmd)) error(where, `CMD runs tsx: the image must run the compiled services (node ... services/<name>/dist/main.js): ${cmd}`);
    else if (cmd) {
      if (!/services\/.*\/dist\/main\.js/.test(cmd)) error(where, `CMD does not run a compiled services/<name>/dist/main.js: ${cmd}`);
    }
    // Dev dependencies must not reach the image: node_modules (or the whole app folder) may only
    // come from a stage that installed with --omit=dev.
    for (const copy of final.copiesFrom) {
      const src = stages.find((s) => s.name === copy.from);
      if (!src?.devInstall) continue;
      const bad = copy.sources.filter((p) => /node_modules/.test(p) || /^\/app\/?$|^\.\/?$/.test(p));
      if (bad.length > 0) error(copy.at, `COPY --from=${copy.from} ${bad.join(" ")}: stage ${copy.from} installed the dev dependencies (npm ci without --omit=dev); copy node_modules from a production install`);
    }
  }

  // Every workspace's package.json must reach the dependency install (npm ci checks the lockfile
  // against them): the Dockerfile names the root "workspaces" globs.
  const rootPkg = JSON.parse(readFileSync(join(context, "package.json"), "utf8"));
  for (const ws of rootPkg.workspaces ?? []) {
    if (!src.includes(`${ws}/package.json`)) error(where, `workspace glob "${ws}" of package.json is not copied as ${ws}/package.json before npm ci`);
  }
  // What the image runs must survive `npm ci --omit=dev`: tsx (the CMD's --import) and every package
  // imported at run time from the entry points, per package-lock.json.
  await checkRuntimeDependencies(context, rootPkg);

  // What the running image needs must be in the context; what it must not carry must be out.
  const ignored = (p) => ig.ignores(p);
  const mustInclude = ["package.json", "package-lock.json", "tsconfig.json", "scripts/build.ts", "deploy/healthcheck.mjs"];
  for (const group of ["packages", "services"]) {
    if (!existsSync(join(context, group))) continue;
    for (const name of readdirSync(join(context, group))) {
      const base = `${group}/${name}`;
      if (!statSync(join(context, base)).isDirectory()) continue;
      mustInclude.push(`${base}/package.json`);
      const srcDir = join(context, base, "src");
      if (existsSync(srcDir)) {
        const walkSrc = (d) => {
          for (const e of readdirSync(join(context, d), { withFileTypes: true })) {
            const rel = `${d}/${e.name}`;
            if (e.isDirectory()) walkSrc(rel);
            else if (e.name.endsWith(".ts") && !/\.(test|spec)\.ts$/.test(e.name)) mustInclude.push(rel);
          }
        };
        walkSrc(`${base}/src`);
      }
      const migrations = join(context, base, "migrations");
      if (existsSync(migrations)) for (const f of readdirSync(migrations)) mustInclude.push(`${base}/migrations/${f}`);
    }
  }
  for (const p of mustInclude) if (existsSync(join(context, p)) && ignored(p)) error(dockerignore, `${p} is needed at run time but excluded`);
  const mustExclude = [
    "node_modules/fastify/package.json",
    "services/order/node_modules/pg/package.json",
    "packages/platform/node_modules/x/index.js",
    ".git/HEAD",
    ".env",
    "deploy/.env",
    "deploy/tools/node_modules/yaml/package.json",
    "tests/e2e/orders.e2e.test.ts",
    "services/gateway/src/app.test.ts",
    "services/order/test/order-repository.test.ts",
    "bench/run.ts",
    ".data/pg/PG_VERSION",
    "services/order/dist/main.js",
    "packages/platform/dist/telemetry/register.js",
  ];
  for (const p of mustExclude) if (!ignored(p)) error(dockerignore, `${p} would be sent to the image build: exclude it`);
  passed++;
}

/**
 * Walks the import graph from every services/<name>/src/main.ts (and deploy/healthcheck.mjs) the way
 * esbuild resolves it for `npm run build`, and checks that each npm package reached — the compiled
 * file imports it at run time — is installed by `npm ci --omit=dev`: its package-lock.json entry
 * exists and is not marked dev (or devOptional). Workspace packages are compiled in and followed;
 * type-only imports are erased and do not count.
 */
async function checkRuntimeDependencies(context, rootPkg) {
  const ts = (await import("typescript")).default;
  const { builtinModules } = await import("node:module");
  const lock = JSON.parse(readFileSync(join(context, "package-lock.json"), "utf8")).packages ?? {};
  const workspaces = new Map(); // package name -> { dir, exports }
  for (const group of ["packages", "services"]) {
    if (!existsSync(join(context, group))) continue;
    for (const name of readdirSync(join(context, group))) {
      const pkgFile = join(context, group, name, "package.json");
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
      workspaces.set(pkg.name, { dir: `${group}/${name}`, exports: pkg.exports ?? { ".": pkg.main ?? "index.js" } });
    }
  }
  const installedForProduction = (pkgName, fromDir) => {
    // npm's layout: a workspace's own node_modules first, then the root's.
    const parts = fromDir.split("/");
    const candidates = [];
    for (let i = parts.length; i >= 0; i--) {
      const base = parts.slice(0, i).join("/");
      candidates.push(base ? `${base}/node_modules/${pkgName}` : `node_modules/${pkgName}`);
    }
    for (const key of candidates) {
      const entry = lock[key];
      if (entry) return !entry.dev && !entry.devOptional;
    }
    return false;
  };
  const missing = new Map(); // package -> first importer
  const need = (pkgName, importer) => {
    const wsDir = importer.split("/").slice(0, 2).join("/");
    if (!installedForProduction(pkgName, wsDir) && !missing.has(pkgName)) missing.set(pkgName, importer);
  };
  // tsx runs the sources in development only; the image runs the compiled JavaScript.
  if (installedForProduction("tsx", "")) {
    error("package.json", "tsx is installed by `npm ci --omit=dev`: it is a development tool (npm start, tests), make it a devDependency");
  }

  const seen = new Set();
  const resolveFile = (abs) => {
    for (const c of [abs, `${abs}.ts`, `${abs}.mts`, `${abs}/index.ts`, abs.replace(/\.js$/, ".ts"), abs.replace(/\.mjs$/, ".mts")]) {
      if (existsSync(c) && statSync(c).isFile()) return c;
    }
    return undefined;
  };
  const visit = (absFile) => {
    const rel = absFile.slice(context.length + 1);
    if (seen.has(rel)) return;
    seen.add(rel);
    const sf = ts.createSourceFile(absFile, readFileSync(absFile, "utf8"), ts.ScriptTarget.ES2022, true);
    const specs = [];
    const typeOnly = (clause) =>
      clause?.isTypeOnly ||
      (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
    const walkNode = (node) => {
      if (ts.isImportDeclaration(node) && !typeOnly(node.importClause)) specs.push(node.moduleSpecifier.text);
      else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) specs.push(node.moduleSpecifier.text);
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0] ?? {})) {
        specs.push(node.arguments[0].text);
      }
      ts.forEachChild(node, walkNode);
    };
    walkNode(sf);
    for (const spec of specs) {
      if (spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0])) continue;
      if (spec.startsWith(".") || spec.startsWith("/")) {
        const target = resolveFile(resolve(dirname(absFile), spec));
        if (target) visit(target);
        else error(rel, `import "${spec}" does not resolve to a file`);
        continue;
      }
      const pkgName = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      const ws = workspaces.get(pkgName);
      if (ws) {
        const sub = `.${spec.slice(pkgName.length)}`;
        const exp = typeof ws.exports === "string" ? (sub === "." ? ws.exports : undefined) : ws.exports[sub];
        const target = typeof exp === "string" ? resolveFile(join(context, ws.dir, exp)) : undefined;
        if (target) visit(target);
        else error(rel, `import "${spec}": workspace ${pkgName} does not export ${sub}`);
        continue;
      }
      need(pkgName, rel);
    }
  };
  const entries = [];
  if (existsSync(join(context, "services"))) {
    for (const name of readdirSync(join(context, "services"))) {
      const main = join(context, "services", name, "src", "main.ts");
      if (existsSync(main)) entries.push(main);
    }
  }
  if (existsSync(join(context, "deploy/healthcheck.mjs"))) entries.push(join(context, "deploy/healthcheck.mjs"));
  for (const e of entries) visit(e);
  for (const [pkgName, importer] of missing) {
    const devOnly = rootPkg.devDependencies?.[pkgName] ? " (it is only a root devDependency)" : "";
    const fix = importer.startsWith("packages/") || importer.startsWith("services/")
      ? `add it to the "dependencies" of ${importer.split("/").slice(0, 2).join("/")}/package.json`
      : 'move it to the root package.json "dependencies"';
    error("package.json", `${pkgName} is needed at run time (${importer}) but \`npm ci --omit=dev\` does not install it${devOnly}: ${fix}`);
  }
  console.log(`  image runtime: ${seen.size} modules reachable from ${entries.length} entry points; ${missing.size} missing production dependencies`);
}

// ---------------------------------------------------------------------------------------------
const APP_SERVICES = {
  gateway: { port: 8080, portVar: "GATEWAY_PORT" },
  order: { port: 50051, portVar: "ORDER_PORT" },
  inventory: { port: 50052, portVar: "INVENTORY_PORT" },
  payment: { port: 50053, portVar: "PAYMENT_PORT" },
  rider: { port: 50054, portVar: "RIDER_PORT" },
};
const hostPort = (s) => {
  const m = /^([^\s:/]+):(\d{1,5})$/.exec(s ?? "");
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
};

function checkCompose({ config, prometheus, context }) {
  const model = JSON.parse(readFileSync(config, "utf8"));
  const services = model.services ?? {};
  const where = (name) => `compose service ${name}`;
  const listenPort = (svc) => {
    const name = svc.environment?.SERVICE;
    const spec = APP_SERVICES[name];
    return spec ? Number(svc.environment?.[spec.portVar] ?? spec.port) : undefined;
  };
  const exposed = (svc) => new Set([...(svc.expose ?? []).map(String), ...(svc.ports ?? []).map((p) => String(p.target))]);

  for (const [name, svc] of Object.entries(services)) {
    for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
      if (!services[dep]) error(where(name), `depends_on ${dep}: no such service`);
      else if (cond.condition === "service_healthy" && !services[dep].healthcheck?.test) {
        error(where(name), `depends_on ${dep} (service_healthy), but ${dep} has no healthcheck`);
      }
    }
    const env = svc.environment ?? {};
    const isApp = typeof svc.build?.dockerfile === "string" && /(^|\/)deploy\/Dockerfile$/.test(svc.build.dockerfile);
    if (!isApp) continue;
    const service = env.SERVICE;
    if (!APP_SERVICES[service]) {
      error(where(name), `SERVICE=${service ?? "(unset)"}: expected one of ${Object.keys(APP_SERVICES).join(", ")}`);
      continue;
    }
    if (!existsSync(join(context, "services", service, "src", "main.ts"))) {
      warn(where(name), `services/${service}/src/main.ts does not exist yet: the container will exit until it does`);
    }
    if (!svc.healthcheck?.test || svc.healthcheck.disable) error(where(name), "has no healthcheck");
    // A compose healthcheck is what `depends_on: service_healthy` waits for: it must ask whether the
    // service can serve (readiness), not only whether its process is up (liveness).
    const test = (svc.healthcheck?.test ?? []).join(" ");
    if (/\/healthz\b/.test(test) || /\bgrpc\b.*\bliveness\b/.test(test)) {
      error(where(name), `healthcheck asks whether the process is alive (${test}); dependents need it ready: /readyz, or the gRPC overall status`);
    }
    if (svc.read_only !== true) error(where(name), "read_only is not true");
    if (!(svc.cap_drop ?? []).includes("ALL")) error(where(name), "cap_drop does not include ALL");
    const host = env[`${service.toUpperCase()}_HOST`];
    if (host && host !== "0.0.0.0" && host !== "::") error(where(name), `${service.toUpperCase()}_HOST=${host}: a container must bind 0.0.0.0`);
    const port = listenPort(svc);
    if (service === "gateway") {
      const published = (svc.ports ?? []).filter((p) => p.published);
      if (published.length !== 1 || Number(published[0].target) !== port) error(where(name), `must publish exactly its HTTP port ${port}`);
    } else {
      if ((svc.ports ?? []).length > 0) error(where(name), "publishes ports: internal gRPC services may only `expose`");
      if (!exposed(svc).has(String(port))) error(where(name), `does not expose its gRPC port ${port}`);
      const hc = (svc.healthcheck?.test ?? []).join(" ");
      if (!hc.includes(`:${port}`)) error(where(name), `healthcheck does not probe port ${port}: ${hc}`);
    }
    if (env.METRICS_PORT && !exposed(svc).has(String(env.METRICS_PORT))) error(where(name), `METRICS_PORT ${env.METRICS_PORT} is not exposed`);
    for (const [key, value] of Object.entries(env)) {
      if (key.endsWith("_ADDR")) {
        const target = hostPort(value);
        if (!target) {
          error(where(name), `${key}=${value}: expected host:port`);
          continue;
        }
        const other = services[target.host];
        if (!other) error(where(name), `${key}=${value}: no service named ${target.host}`);
        else if (listenPort(other) !== target.port) error(where(name), `${key}=${value}: ${target.host} listens on ${listenPort(other)}`);
      }
      if (key === "DATABASE_URL" || key === "REDIS_URL") {
        let url;
        try {
          url = new URL(value);
        } catch {
          error(where(name), `${key} is not a URL`);
          continue;
        }
        if (!services[url.hostname]) error(where(name), `${key} points at ${url.hostname}, which is not a compose service`);
        else if (!svc.depends_on?.[url.hostname]) error(where(name), `${key} uses ${url.hostname} but does not depend_on it`);
      }
    }
  }

  // Prometheus scrapes every app service on its METRICS_PORT, and only existing services.
  const prom = readYaml(prometheus);
  const scraped = new Set();
  for (const job of prom.scrape_configs ?? []) {
    for (const sc of job.static_configs ?? []) {
      for (const t of sc.targets ?? []) {
        const target = hostPort(t);
        if (!target) continue;
        scraped.add(`${target.host}:${target.port}`);
        if (target.host === "localhost" || target.host === "127.0.0.1") continue;
        const svc = services[target.host];
        if (!svc) error(prometheus, `job ${job.job_name}: target ${t} is not a compose service`);
        else if (svc.environment?.METRICS_PORT && Number(svc.environment.METRICS_PORT) !== target.port) {
          error(prometheus, `job ${job.job_name}: ${target.host} serves metrics on ${svc.environment.METRICS_PORT}, not ${target.port}`);
        } else if (!exposed(svc).has(String(target.port))) error(prometheus, `job ${job.job_name}: ${t} is not exposed by the service`);
      }
    }
  }
  for (const [name, svc] of Object.entries(services)) {
    const mp = svc.environment?.METRICS_PORT;
    if (mp && !scraped.has(`${name}:${mp}`)) error(prometheus, `no scrape job for ${name}:${mp}`);
  }
  passed++;
}

// ---------------------------------------------------------------------------------------------
/** The gRPC health "service" the platform answers SERVING while the process lives (platform health.ts). */
const LIVENESS_SERVICE = "liveness";

/**
 * Why `probe` (a liveness or startup probe) asks a readiness question, or undefined: the very check
 * of `readiness`; a gRPC health check of any service but "liveness" (the overall status "" is
 * readiness), natively or through healthcheck.mjs; the gateway's /readyz.
 */
function asksReadiness(probe, readiness) {
  const checkOf = (p) => JSON.stringify({ grpc: p?.grpc, httpGet: p?.httpGet, exec: p?.exec, tcpSocket: p?.tcpSocket });
  if (readiness && checkOf(probe) === checkOf(readiness)) return "is the same check as the readinessProbe";
  if (probe.grpc && (probe.grpc.service ?? "") !== LIVENESS_SERVICE) {
    return `asks the gRPC health status of service "${probe.grpc.service ?? ""}" (readiness: it follows the database); ask service "${LIVENESS_SERVICE}"`;
  }
  const cmd = probe.exec?.command ?? [];
  const at = cmd.findIndex((a) => /(^|\/)healthcheck\.mjs$/.test(a));
  if (at >= 0 && cmd[at + 1] === "grpc" && (cmd[at + 3] ?? "") !== LIVENESS_SERVICE) {
    return `runs ${cmd.join(" ")}: the overall status is readiness; add the service argument "${LIVENESS_SERVICE}"`;
  }
  if (at >= 0 && cmd[at + 1] === "http" && /\/readyz\b/.test(cmd[at + 2] ?? "")) return `asks ${cmd[at + 2]} (readiness); ask /healthz`;
  if (/\/readyz\b/.test(probe.httpGet?.path ?? "")) return `asks ${probe.httpGet.path} (readiness); ask /healthz`;
  return undefined;
}

async function checkK8s({ manifests, name, externalSecrets }) {
  const docs = readYamlDocs(manifests);
  const label = `k8s ${name}`;
  const id = (o) => `${o.kind}/${o.metadata?.name}`;
  if (docs.length === 0) error(label, "rendered nothing");

  // 1. JSON schema of each object (kubernetes-models, generated from the Kubernetes OpenAPI).
  const modulePath = (apiVersion) => `kubernetes-models/${apiVersion}`;
  for (const o of docs) {
    if (!o.apiVersion || !o.kind) {
      error(label, `object without apiVersion/kind: ${JSON.stringify(o).slice(0, 80)}`);
      continue;
    }
    let Model;
    try {
      Model = (await import(modulePath(o.apiVersion)))[o.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      error(label, `${id(o)}: unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const copy = structuredClone(o);
    // kustomize wraps long base64 values; the API server's decoder (Go's base64) skips newlines.
    if (o.kind === "Secret" && isObject(copy.data)) {
      for (const k of Object.keys(copy.data)) if (typeof copy.data[k] === "string") copy.data[k] = copy.data[k].replace(/[\r\n]/g, "");
    }
    try {
      new Model(copy).validate();
    } catch (e) {
      error(label, `${id(o)}: ${e.message}`);
    }
  }

  // 2. Unknown fields (the JSON schemas allow them): type-check every object against the models'
  //    TypeScript interfaces, where an object literal with an unknown property is an error.
  const ts = (await import("typescript")).default;
  const cacheDir = join(toolsDir, ".cache");
  mkdirSync(cacheDir, { recursive: true });
  const genFile = join(cacheDir, `k8s-${name.replace(/[^a-z0-9-]/gi, "_")}.ts`);
  const lines = [];
  const owners = [];
  docs.forEach((o, i) => {
    if (!o.apiVersion || !o.kind) return;
    const start = lines.length;
    const body = JSON.stringify(o, null, 1).split("\n");
    lines.push(`export const r${i}: import(${JSON.stringify(modulePath(o.apiVersion))}).I${o.kind} = ${body[0]}`, ...body.slice(1));
    lines[lines.length - 1] += ";";
    owners.push({ start, end: lines.length, id: id(o) });
  });
  writeFileSync(genFile, lines.join("\n") + "\n");
  const program = ts.createProgram([genFile], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (d.file && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const owner = owners.find((o) => line >= o.start && line < o.end);
      const path = lines[line]?.trim().replace(/[{[,]$/, "");
      error(label, `${owner?.id ?? "?"}: ${msg} (at ${path})`);
    } else error(label, msg);
  }

  // 3. References between the objects, and the platform's own rules.
  const byKind = (kind) => docs.filter((o) => o.kind === kind);
  const workloads = docs.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind));
  const configMaps = new Map(byKind("ConfigMap").map((o) => [o.metadata.name, o]));
  const secrets = new Map(byKind("Secret").map((o) => [o.metadata.name, o]));
  const hpaTargets = new Set(byKind("HorizontalPodAutoscaler").map((h) => `${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`));
  const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

  const secretKey = (secretName, key, at) => {
    const s = secrets.get(secretName);
    if (!s) {
      if (!externalSecrets.includes(secretName)) error(label, `${at}: Secret ${secretName} is neither rendered nor declared external`);
      return;
    }
    if (key && !(key in (s.data ?? {})) && !(key in (s.stringData ?? {}))) error(label, `${at}: Secret ${secretName} has no key ${key}`);
  };
  const configKey = (cmName, key, at) => {
    const cm = configMaps.get(cmName);
    if (!cm) error(label, `${at}: ConfigMap ${cmName} is not rendered`);
    else if (key && !(key in (cm.data ?? {}))) error(label, `${at}: ConfigMap ${cmName} has no key ${key}`);
  };

  for (const w of workloads) {
    const at = id(w);
    const pod = w.spec?.template?.spec ?? {};
    const podLabels = w.spec?.template?.metadata?.labels ?? {};
    if (!matches(w.spec?.selector?.matchLabels, podLabels)) error(label, `${at}: selector does not match the pod template labels`);
    if (w.kind === "Deployment" && hpaTargets.has(at) && w.spec?.replicas !== undefined) {
      error(label, `${at}: sets spec.replicas although an HPA scales it (every apply would reset the HPA's count)`);
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret) secretKey(v.secret.secretName, undefined, at);
      if (v.configMap) configKey(v.configMap.name, undefined, at);
    }
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const cat = `${at} container ${c.name}`;
      const ports = c.ports ?? [];
      const portOk = (p) => (typeof p === "number" ? ports.some((x) => x.containerPort === p) : ports.some((x) => x.name === p));
      for (const probeName of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const probe = c[probeName];
        if (!probe) continue;
        const p = probe.grpc?.port ?? probe.httpGet?.port ?? probe.tcpSocket?.port;
        if (p !== undefined && !portOk(p)) error(label, `${cat}: ${probeName} port ${p} is not a container port`);
      }
      // Liveness (and startup, which stands in for it while a pod starts) asks whether the process
      // is alive, never whether it can serve: a probe that repeats the readiness check restarts a pod
      // whose database is down, which brings nothing back.
      for (const probeName of ["livenessProbe", "startupProbe"]) {
        const why = c[probeName] && asksReadiness(c[probeName], probeName === "livenessProbe" ? c.readinessProbe : undefined);
        if (why) error(label, `${cat}: ${probeName} ${why}`);
      }
      if (!(pod.initContainers ?? []).includes(c)) {
        if (!c.readinessProbe) error(label, `${cat}: no readinessProbe`);
        if (!c.livenessProbe) error(label, `${cat}: no livenessProbe`);
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) error(label, `${cat}: no cpu/memory requests`);
        if (!c.resources?.limits?.memory) error(label, `${cat}: no memory limit`);
      }
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
      if (nonRoot !== true) error(label, `${cat}: runAsNonRoot is not true`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) error(label, `${cat}: allowPrivilegeEscalation is not false`);
      if (w.kind === "Deployment" && c.securityContext?.readOnlyRootFilesystem !== true) error(label, `${cat}: readOnlyRootFilesystem is not true`);
      if (!c.image || !/:[^/]+$|@sha256:/.test(c.image)) warn(label, `${cat}: image ${c.image} has no tag`);
      else if (/:latest$/.test(c.image)) warn(label, `${cat}: image ${c.image} uses :latest`);
      for (const ef of c.envFrom ?? []) {
        if (ef.configMapRef && !ef.configMapRef.optional) configKey(ef.configMapRef.name, undefined, cat);
        if (ef.secretRef && !ef.secretRef.optional) secretKey(ef.secretRef.name, undefined, cat);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom;
        if (ref?.secretKeyRef && !ref.secretKeyRef.optional) secretKey(ref.secretKeyRef.name, ref.secretKeyRef.key, `${cat} env ${e.name}`);
        if (ref?.configMapKeyRef && !ref.configMapKeyRef.optional) configKey(ref.configMapKeyRef.name, ref.configMapKeyRef.key, `${cat} env ${e.name}`);
      }
      for (const [k, v] of Object.entries(w.spec?.template?.metadata?.annotations ?? {})) {
        if (k === "prometheus.io/port" && !ports.some((x) => String(x.containerPort) === v)) {
          error(label, `${cat}: prometheus.io/port ${v} is not a container port`);
        }
      }
    }
  }

  const services = byKind("Service");
  for (const s of services) {
    const at = id(s);
    const selected = workloads.filter((w) => matches(s.spec?.selector, w.spec?.template?.metadata?.labels));
    if (!s.spec?.selector || selected.length === 0) {
      error(label, `${at}: selector matches no workload`);
      continue;
    }
    for (const p of s.spec.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const ok = selected.some((w) =>
        (w.spec.template.spec.containers ?? []).some((c) =>
          (c.ports ?? []).some((cp) => (typeof target === "number" ? cp.containerPort === target : cp.name === target)),
        ),
      );
      if (!ok) error(label, `${at}: targetPort ${target} is not a port of the selected pods`);
    }
  }
  for (const h of byKind("HorizontalPodAutoscaler")) {
    const ref = h.spec?.scaleTargetRef;
    if (!docs.some((o) => o.kind === ref?.kind && o.metadata?.name === ref?.name)) error(label, `${id(h)}: scaleTargetRef ${ref?.kind}/${ref?.name} is not rendered`);
    if ((h.spec?.minReplicas ?? 1) > h.spec?.maxReplicas) error(label, `${id(h)}: minReplicas > maxReplicas`);
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    if (!workloads.some((w) => matches(pdb.spec?.selector?.matchLabels, w.spec?.template?.metadata?.labels))) {
      error(label, `${id(pdb)}: selector matches no workload`);
    }
  }
  for (const np of byKind("NetworkPolicy")) {
    if (!workloads.some((w) => matches(np.spec?.podSelector?.matchLabels, w.spec?.template?.metadata?.labels))) {
      error(label, `${id(np)}: podSelector matches no workload`);
    }
  }
  // Service addresses handed to the services must name a rendered Service and one of its ports.
  for (const cm of configMaps.values()) {
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      if (!k.endsWith("_ADDR")) continue;
      const target = hostPort(v);
      const svc = target && services.find((s) => s.metadata.name === target.host);
      if (!target) error(label, `ConfigMap/${cm.metadata.name} ${k}=${v}: expected host:port`);
      else if (!svc) error(label, `ConfigMap/${cm.metadata.name} ${k}=${v}: no Service ${target.host}`);
      else if (!(svc.spec.ports ?? []).some((p) => p.port === target.port)) error(label, `ConfigMap/${cm.metadata.name} ${k}=${v}: Service ${target.host} has no port ${target.port}`);
    }
  }
  passed++;
  return docs.length;
}

// ---------------------------------------------------------------------------------------------
const OTEL_TYPES = {
  receivers: ["otlp", "prometheus", "hostmetrics", "filelog", "jaeger", "zipkin", "kafka"],
  processors: ["batch", "memory_limiter", "resource", "resourcedetection", "attributes", "filter", "transform", "tail_sampling", "probabilistic_sampler", "k8sattributes"],
  exporters: ["otlp", "otlphttp", "debug", "prometheus", "prometheusremotewrite", "file", "loadbalancing", "zipkin", "kafka"],
  extensions: ["health_check", "pprof", "zpages", "basicauth", "bearertokenauth"],
  connectors: ["spanmetrics", "servicegraph", "forward", "count", "routing"],
};
function checkOtel({ config }) {
  const c = readYaml(config);
  const typeOf = (componentId) => componentId.split("/")[0];
  for (const [section, types] of Object.entries(OTEL_TYPES)) {
    for (const cid of Object.keys(c[section] ?? {})) {
      if (!types.includes(typeOf(cid))) error(config, `${section}.${cid}: unknown component type "${typeOf(cid)}" (known here: ${types.join(", ")})`);
    }
  }
  const defined = (section, cid) => Object.hasOwn(c[section] ?? {}, cid);
  for (const ext of c.service?.extensions ?? []) if (!defined("extensions", ext)) error(config, `service.extensions: ${ext} is not defined under extensions`);
  const pipelines = c.service?.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) error(config, "service.pipelines is empty");
  for (const [pid, p] of Object.entries(pipelines)) {
    if (!["traces", "metrics", "logs"].includes(typeOf(pid))) error(config, `pipeline ${pid}: type must be traces, metrics or logs`);
    for (const role of ["receivers", "processors", "exporters"]) {
      for (const cid of p?.[role] ?? []) {
        if (!defined(role, cid) && !defined("connectors", cid)) error(config, `pipeline ${pid}: ${role.slice(0, -1)} ${cid} is not defined`);
      }
    }
    if (!(p?.receivers ?? []).length) error(config, `pipeline ${pid}: no receivers`);
    if (!(p?.exporters ?? []).length) error(config, `pipeline ${pid}: no exporters`);
  }
  // Components that are defined but never used make the collector refuse to start? No: it warns;
  // but an unused receiver usually means a forgotten pipeline.
  for (const role of ["receivers", "exporters"]) {
    for (const cid of Object.keys(c[role] ?? {})) {
      if (!Object.values(pipelines).some((p) => (p?.[role] ?? []).includes(cid))) warn(config, `${role}.${cid} is not used by any pipeline`);
    }
  }
  passed++;
}

// ---------------------------------------------------------------------------------------------
// Metrics the services promise (deploy/README.md); a dashboard query naming another one is a typo.
const KNOWN_METRICS = [
  "rpc_server_duration_seconds",
  "http_server_duration_seconds",
  "saga_outcomes_total",
  "saga_duration_seconds",
  "saga_compensations_total",
  "circuit_breaker_state",
  "dead_letters_open",
  "catalog_cache_requests_total",
  "rider_assignment_seconds",
  "circuit_breaker_transitions_total",
  "catalog_cache_errors_total",
  "catalog_store_loads_total",
  "rider_assignment_misses_total",
  // Node.js runtime metrics (prom-client's default metrics, on every service).
  "nodejs_eventloop_lag_p99_seconds",
  "process_resident_memory_bytes",
];
// Labels of those metrics, plus the ones Prometheus adds.
const KNOWN_LABELS = ["service", "method", "code", "route", "status", "reason", "step", "outcome", "caller", "target", "state", "result", "le", "instance", "job"];
const PROMQL_WORDS = new Set([
  "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
  "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
  "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "clamp_min", "clamp_max", "clamp",
  "abs", "ceil", "floor", "round", "label_replace", "label_join", "vector", "scalar", "time", "absent", "changes",
  "resets", "sort", "sort_desc", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time",
  "last_over_time", "predict_linear", "le", "inf", "nan", "e",
]);

function checkGrafana({ datasources, dashboards, rulesOut }) {
  const uids = new Set();
  for (const ds of readYaml(datasources).datasources ?? []) {
    if (!ds.uid) error(datasources, `datasource ${ds.name} has no uid (dashboards refer to datasources by uid)`);
    else uids.add(ds.uid);
  }
  const groups = [];
  const files = readdirSync(dashboards).filter((f) => f.endsWith(".json"));
  if (files.length === 0) error(dashboards, "no dashboard JSON");
  const dashUids = new Set();
  for (const f of files) {
    const file = join(dashboards, f);
    let d;
    try {
      d = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      error(file, e.message);
      continue;
    }
    if (!d.uid || !d.title) error(file, "dashboard needs uid and title");
    if (dashUids.has(d.uid)) error(file, `duplicate dashboard uid ${d.uid}`);
    dashUids.add(d.uid);
    const vars = new Set((d.templating?.list ?? []).map((v) => v.name));
    const flat = [];
    const collect = (ps) => {
      for (const p of ps ?? []) {
        flat.push(p);
        collect(p.panels);
      }
    };
    collect(d.panels);
    const ids = new Set();
    const rules = [];
    const dsOk = (ds, at) => {
      if (!ds) return;
      const uid = typeof ds === "string" ? ds : ds.uid;
      if (uid && !uid.startsWith("$") && !uids.has(uid)) error(file, `${at}: datasource uid ${uid} is not provisioned (${[...uids].join(", ")})`);
    };
    for (const v of d.templating?.list ?? []) dsOk(v.datasource, `variable ${v.name}`);
    for (const p of flat) {
      const at = `panel ${p.id} "${p.title}"`;
      if (p.id === undefined) error(file, `${at}: no id`);
      else if (ids.has(p.id)) error(file, `${at}: duplicate panel id`);
      ids.add(p.id);
      if (p.type === "row") continue;
      if (!p.gridPos) error(file, `${at}: no gridPos`);
      dsOk(p.datasource, at);
      if (!(p.targets ?? []).length) error(file, `${at}: no queries`);
      for (const t of p.targets ?? []) {
        dsOk(t.datasource, at);
        if (typeof t.expr !== "string" || t.expr.trim() === "") {
          error(file, `${at} query ${t.refId}: empty expr`);
          continue;
        }
        for (const m of t.expr.matchAll(/\$\{?([A-Za-z_]\w*)/g)) {
          if (!m[1].startsWith("__") && !vars.has(m[1])) error(file, `${at} query ${t.refId}: unknown variable $${m[1]}`);
        }
        // Grafana variables become plain values so promtool can parse the query.
        const expr = t.expr
          .replace(/\$__(rate_interval|interval|range)|\$\{__(rate_interval|interval|range)\}/g, "5m")
          .replace(/\$\{[A-Za-z_]\w*(:[a-z]+)?\}|\$[A-Za-z_]\w*/g, ".*");
        const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
        const labelNames = [
          ...[...noStrings.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(",")),
          ...[...noStrings.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1].matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1])),
        ].map((l) => l.trim()).filter(Boolean);
        for (const l of labelNames) if (!KNOWN_LABELS.includes(l)) error(file, `${at} query ${t.refId}: unknown label "${l}"`);
        const stripped = noStrings
          .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
          .replace(/\[[^\]]*\]/g, "")
          .replace(/\{[^}]*\}/g, "");
        for (const word of stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []) {
          if (PROMQL_WORDS.has(word) || /^\d/.test(word) || /^e\d/.test(word)) continue;
          const base = word.replace(/_(bucket|count|sum)$/, "");
          if (!KNOWN_METRICS.includes(base)) error(file, `${at} query ${t.refId}: unknown metric or function "${word}"`);
        }
        rules.push({ record: `dashboard:${d.uid.replace(/[^A-Za-z0-9_]/g, "_")}:p${p.id}_${t.refId}`, expr });
      }
    }
    groups.push({ name: `dashboard-${d.uid}`, rules });
  }
  // promtool check rules parses every query (scripts/validate-deploy.sh runs it on this file).
  writeFileSync(rulesOut, stringify({ groups }));
  passed++;
}

// ---------------------------------------------------------------------------------------------
const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    context: { type: "string" },
    dockerfile: { type: "string" },
    dockerignore: { type: "string" },
    config: { type: "string" },
    prometheus: { type: "string" },
    manifests: { type: "string" },
    name: { type: "string" },
    "external-secret": { type: "string", multiple: true },
    datasources: { type: "string" },
    dashboards: { type: "string" },
    "rules-out": { type: "string" },
  },
});
const need = (...keys) => {
  for (const k of keys) if (!values[k]) throw new Error(`${command}: --${k} is required`);
};
switch (command) {
  case "syntax":
    checkSyntax(positionals);
    break;
  case "dockerfile":
    need("context", "dockerfile", "dockerignore");
    await checkDockerfile({ context: resolve(values.context), dockerfile: values.dockerfile, dockerignore: values.dockerignore });
    break;
  case "compose":
    need("config", "prometheus", "context");
    checkCompose({ config: values.config, prometheus: values.prometheus, context: resolve(values.context) });
    break;
  case "k8s": {
    need("manifests", "name");
    const n = await checkK8s({ manifests: values.manifests, name: values.name, externalSecrets: values["external-secret"] ?? [] });
    console.log(`  ${values.name}: ${n} objects`);
    break;
  }
  case "otel":
    need("config");
    checkOtel({ config: values.config });
    break;
  case "grafana":
    need("datasources", "dashboards", "rules-out");
    checkGrafana({ datasources: values.datasources, dashboards: values.dashboards, rulesOut: values["rules-out"] });
    break;
  default:
    console.error("usage: check.mjs syntax|dockerfile|compose|k8s|otel|grafana ...");
    process.exit(2);
}
for (const w of warnings) console.log(`  WARNING ${w}`);
for (const e of errors) console.log(`  ERROR ${e}`);
process.exit(errors.length > 0 ? 1 : 0);
