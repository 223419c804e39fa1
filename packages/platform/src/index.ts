/**
 * Everything at once, for scripts. Services and libraries import the entry of the concern they need
 * (`@qc/platform/log`, `/errors`, `/config`, `/db`, `/grpc`, …, see package.json "exports"): each
 * loads only its own dependencies, so the logger or the errors never bring in pg, PGlite or gRPC.
 */
export * from "./errors";
export * from "./identity";
export * from "./config";
export * from "./logger";
export * from "./shutdown";
export * from "./readiness";
export * from "./resilience";
export * from "./grpc/index";
export * from "./db/index";
export * from "./health";
export * from "./runtime-config";
export * from "./overload/index";
