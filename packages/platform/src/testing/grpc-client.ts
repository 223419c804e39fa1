import type { ServiceDefinition } from "@grpc/grpc-js";
import { createGrpcClient, type GrpcClient } from "../grpc/client";
import { plaintextTransport } from "../grpc/tls";
import { defaultResilience, ResilientTarget } from "../resilience";

/**
 * A test's client of the service under test at 127.0.0.1:`port`: plaintext, every call exactly one
 * attempt (nothing retried), with a `timeoutMs` deadline (generous where a test queues many calls).
 */
export function serviceUnderTestClient<S extends ServiceDefinition>(definition: S, target: string, port: number, timeoutMs: number): GrpcClient<S> {
  return createGrpcClient(definition, `127.0.0.1:${port}`, {
    transport: plaintextTransport,
    resilience: new ResilientTarget("test", target, { ...defaultResilience, timeoutMs, retryAttempts: 1 }),
    retrySafe: [],
  });
}
