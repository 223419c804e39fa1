import { status, type ServiceDefinition } from "@grpc/grpc-js";
import { createGrpcClient, type GrpcClient } from "../grpc/client";
import { RemoteError } from "../grpc/status";
import { plaintextTransport } from "../grpc/tls";
import { defaultResilience, ResilientTarget } from "../resilience";

/**
 * A test's client of the service under test at 127.0.0.1:`port`: plaintext, every call exactly one
 * attempt (nothing retried), with a `timeoutMs` deadline (generous where a test queues many calls).
 */
export function serviceUnderTestClient<S extends ServiceDefinition>(
  definition: S,
  target: string,
  port: number,
  timeoutMs: number,
): GrpcClient<S> {
  return createGrpcClient(definition, `127.0.0.1:${port}`, {
    transport: plaintextTransport,
    resilience: new ResilientTarget("test", target, { ...defaultResilience, timeoutMs, retryAttempts: 1 }),
    retrySafe: [],
  });
}

/** The error a call failed with, as the client sees it: gRPC status plus the `qc-error-code` it carried. */
export async function failureOf(call: Promise<unknown>): Promise<{ status: string; code: string; message: string }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RemoteError)) throw new Error(`expected the call to fail remotely, got ${String(err)}`);
  return { status: status[err.grpcStatus], code: err.code, message: err.message };
}
