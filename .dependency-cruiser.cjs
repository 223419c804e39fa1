/**
 * Layer rules (docs/design.md, "Architecture"): domain code depends on nothing but itself and the
 * platform's pure values; use cases depend on domain and on the ports they own; adapters never import
 * each other; nothing imports a composition root; gateway routes never touch gRPC or pg; vitest only
 * in tests.
 *
 * Every rule matches the *resolved* file, so it holds whatever specifier reached it (`@qc/platform`,
 * `@qc/platform/errors`, a relative path) and however the platform package lays out its subpath
 * exports. Type-only imports count like value imports (a type import is still a dependency of the
 * layer), and npm packages are kept as targets (only not followed into), so "domain imports pg" or
 * "app imports fastify" is caught. `tests/architecture/layer-rules.test.ts` seeds one violation of
 * each rule on a scratch copy and checks that each one is reported.
 */

/** Tests and test support: exempt from the layer rules, the only place vitest may be imported. */
const TEST_CODE = ["\\.test\\.tsx?$", "/test/", "/testing/", "/testing\\.ts$", "/test-[^/]+\\.ts$", "/fixtures/"];

/**
 * The platform's pure values (errors, identities, money): no I/O, so domain code may use them.
 * Matches a module file or a folder of that name at the top of the platform's sources or one folder down.
 */
const PLATFORM_PURE = [
  "^packages/platform/src/(errors|identity|money)(\\.ts$|/)",
  "^packages/platform/src/[^/]+/(errors|identity|money)(\\.ts$|/)",
];

/** npm packages a use case may use: pure helpers, no I/O (cockatiel's policies wrap a call they are given). */
const APP_PURE_PACKAGES = "(^|/)node_modules/(cockatiel|zod)/";

/** Node built-ins a use case may use: no I/O. */
const APP_PURE_CORE = "^(node:)?(crypto|events|timers|timers/promises|util|assert)$";

/** gRPC and the databases: the npm packages, the platform's helpers for them, and its all-in-one entry (it re-exports both). */
const GRPC_OR_PG = [
  "(^|/)node_modules/(@grpc/[^/]+|@connectrpc/[^/]+|pg|pg-[^/]+|@electric-sql/[^/]+|kysely)/",
  "^packages/platform/src/(grpc|db)/",
  "^packages/platform/src/index\\.ts$",
];

module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment:
        "Domain code has no I/O and depends on nothing but its own domain and the platform's pure values (errors, identity, money): no npm package, no Node built-in, no other layer, values and types alike.",
      severity: "error",
      from: { path: "^services/([^/]+)/src/domain/", pathNot: TEST_CODE },
      to: { pathNot: ["^services/$1/src/domain/", ...PLATFORM_PURE] },
    },
    {
      name: "platform-pure-values-are-pure",
      comment: "The platform modules domain code may import (errors, identity, money) import nothing but each other.",
      severity: "error",
      from: { path: PLATFORM_PURE, pathNot: TEST_CODE },
      to: { pathNot: [...PLATFORM_PURE] },
    },
    {
      name: "app-depends-on-domain-and-ports",
      comment:
        "Use cases depend on their own domain, their own ports (app/) and the platform's pure values; never on adapters, the platform's I/O modules, the generated contracts (@qc/contracts) or another service.",
      severity: "error",
      from: { path: "^services/([^/]+)/src/app/", pathNot: TEST_CODE },
      to: { path: "^(services|packages)/", pathNot: ["^services/$1/src/(app|domain)/", ...PLATFORM_PURE] },
    },
    {
      name: "app-no-io-packages",
      comment:
        "Use cases import no npm package that does I/O and no I/O built-in; the npm packages they may use are listed (pure helpers). Add one to APP_PURE_PACKAGES only if it does no I/O.",
      severity: "error",
      from: { path: "^services/[^/]+/src/app/", pathNot: TEST_CODE },
      to: {
        pathNot: ["^(services|packages)/", APP_PURE_PACKAGES, APP_PURE_CORE],
      },
    },
    {
      name: "no-composition-root-imports",
      comment:
        "main.ts and app.ts wire a service together; only main.ts may import its own app.ts (and tests may build the app). Nothing else imports a composition root.",
      severity: "error",
      from: { pathNot: ["^services/([^/]+)/src/main\\.ts$", ...TEST_CODE] },
      to: { path: "^services/[^/]+/src/(main|app)\\.ts$" },
    },
    {
      name: "gateway-routes-no-grpc-or-pg",
      comment:
        "Gateway routes speak HTTP and call the upstreams through route-deps; they import neither gRPC (grpc-js, Connect, the platform's grpc helpers) nor a database (pg, PGlite, kysely, the platform's db helpers).",
      severity: "error",
      from: { path: "^services/gateway/src/routes/", pathNot: TEST_CODE },
      to: { path: GRPC_OR_PG },
    },
    {
      name: "vitest-only-in-tests",
      comment: "vitest is imported by tests and test support only, never by code that ships.",
      severity: "error",
      from: { pathNot: TEST_CODE },
      to: { path: "(^|/)node_modules/(vitest|@vitest/[^/]+)/" },
    },
    {
      name: "adapters-are-independent",
      comment: "An adapter may not reach into another adapter; wiring belongs to the composition root.",
      severity: "error",
      from: { path: "^services/[^/]+/src/adapters/([^/]+)/" },
      to: { path: "^services/[^/]+/src/adapters/", pathNot: ["^services/[^/]+/src/adapters/$1/"] },
    },
    {
      name: "no-cross-service-imports",
      comment: "Services talk over gRPC, not through each other's source.",
      severity: "error",
      from: { path: "^services/([^/]+)/src/" },
      to: { path: "^services/", pathNot: ["^services/$1/"] },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // npm packages stay in the graph as targets (so the rules above can name them); their own
    // imports are not followed.
    doNotFollow: { path: "(^|/)node_modules/" },
    // Generated protobuf code is not cruised (buf checks it); it is reached only through
    // packages/contracts/src/index.ts (the package's one export), which the rules match.
    exclude: { path: "/gen/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
