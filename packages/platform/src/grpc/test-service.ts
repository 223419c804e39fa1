import type { ServiceDefinition } from "@grpc/grpc-js";
import { pino } from "pino";
import { ResilientTarget } from "../resilience";
import { createGrpcClient, type GrpcClient } from "./client";
import { implement, startGrpcServer, type Handlers, type RunningGrpcServer } from "./server";
import { plaintextTransport } from "./tls";

/**
 * A service on a free loopback port with `handlers`, and a client of it (no retries, a breaker that
 * never opens): for tests of the gRPC helpers themselves. `stop` ends both.
 */
export async function serveForTest<S extends ServiceDefinition>(
  definition: S,
  handlers: Handlers<S>,
): Promise<{ client: GrpcClient<S>; server: RunningGrpcServer; stop: () => Promise<void> }> {
  const implementation = implement(definition, handlers, pino({ level: "silent" }));
  const server = await startGrpcServer([{ definition, implementation }], "127.0.0.1", 0, {
    transport: plaintextTransport,
  });
  const client = createGrpcClient(definition, `127.0.0.1:${server.port}`, {
    transport: plaintextTransport,
    resilience: new ResilientTarget("test", "target", {
      timeoutMs: 2_000,
      breakerThreshold: 100,
      halfOpenAfterMs: 1_000,
      retryAttempts: 1,
      retryInitialDelayMs: 1,
    }),
    retrySafe: [],
  });
  return {
    client,
    server,
    stop: async () => {
      client.close();
      await server.stop(100);
    },
  };
}
