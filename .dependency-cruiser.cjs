/**
 * Layer rules (DESIGN §8, STYLE): domain imports nothing outside itself; app imports only domain
 * (and its own ports); adapters never import each other; nothing imports a composition root.
 */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "Domain code has no I/O and depends on nothing but itself (and the pure error, identity and money values of the platform).",
      severity: "error",
      from: { path: "^services/[^/]+/src/domain/" },
      to: { pathNot: ["^services/([^/]+)/src/domain/", "^packages/platform/src/(errors|identity|money)\\.ts$"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "app-depends-on-domain-only",
      comment: "Use cases depend on domain and on ports they own, never on adapters or frameworks.",
      severity: "error",
      from: { path: "^services/([^/]+)/src/app/" },
      to: {
        pathNot: ["^services/$1/src/(app|domain)/", "^packages/platform/src/errors\\.ts$"],
      },
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
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(node_modules|/gen/)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
