/** `@qc/platform/grpc`: servers, clients, status mapping, addresses and transport security. */
export * from "./status";
export * from "./server";
export * from "./client";
export * from "./target";
export * from "./tls";
