export * from "./ports";
export * from "./service-process";
export * from "./stack";
export * from "./start-ports";
export * from "./fault-proxy";
export * from "./redis-server";
export * from "./svg";
