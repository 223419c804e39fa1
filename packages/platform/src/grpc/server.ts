import { once } from "node:events";
import {
  Metadata,
  Server,
  type Deadline,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type MethodDefinition,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { Logger } from "pino";
import { AppError } from "../errors";
import type { Metrics } from "../metrics/metrics";
import { withDeadline } from "../overload/deadline";
import { instrumentService } from "./instrument";
import { toStatus } from "./status";
import type { GrpcTransport } from "./tls";

/**
 * Trailing-metadata key with the handler's own duration (`app;dur=<ms>`, the Server-Timing syntax),
 * so a caller can tell time spent inside a service from time spent on the wire.
 */
export const SERVER_TIMING_KEY = "server-timing";

const serverTiming = (started: bigint): string =>
  `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(3)}`;

/** The methods of a generated service definition that answer with a stream, and those that answer once. */
type StreamingKeys<S> = { [K in keyof S]: S[K] extends { readonly responseStream: true } ? K : never }[keyof S];
type UnaryKeys<S> = Exclude<keyof S, StreamingKeys<S>>;

/** An async handler per unary method of a generated service definition, typed by that definition. */
export type UnaryHandlers<S> = {
  [K in UnaryKeys<S>]: S[K] extends MethodDefinition<infer Req, infer Res> ? (request: Req) => Promise<Res> : never;
};

/**
 * A handler per server-streaming method: the messages it yields are sent in order, and the stream
 * ends when it returns (or with its error's status when it throws). `signal` aborts when the caller
 * goes away (cancelled, deadline), and the handler should then stop.
 */
export type ServerStreamHandlers<S> = {
  [K in StreamingKeys<S>]: S[K] extends MethodDefinition<infer Req, infer Res>
    ? (request: Req, signal: AbortSignal) => AsyncIterable<Res>
    : never;
};

/** Every method's handler: unary ones answer once, streaming ones yield. */
export type Handlers<S> = UnaryHandlers<S> & ServerStreamHandlers<S>;

const deadlineMs = (d: Deadline): number => (d instanceof Date ? d.getTime() : d);

/**
 * Adapts async handlers to grpc-js callbacks, mapping every thrown error to a status in one place.
 * Each handler runs under its call's deadline (`currentDeadline()`: outgoing calls and database waits
 * end by it); a call whose caller already gave up (deadline passed, or cancelled) while it waited to
 * be handled is answered at once, without doing its work.
 */
export function implement<S extends ServiceDefinition>(
  definition: S,
  handlers: Handlers<S>,
  logger: Logger,
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  const all: Readonly<Record<string, (req: unknown, signal: AbortSignal) => unknown>> = handlers;
  for (const [name, handler] of Object.entries(all)) {
    if (definition[name]?.responseStream) {
      impl[name] = serverStream(name, handler as (req: unknown, signal: AbortSignal) => AsyncIterable<unknown>, logger);
      continue;
    }
    const answer = handler as (request: unknown) => Promise<unknown>;
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
      const started = process.hrtime.bigint();
      const deadline = deadlineMs(call.getDeadline());
      if (call.cancelled || deadline <= Date.now()) {
        callback(
          toStatus(
            new AppError(
              "unavailable",
              "DEADLINE_EXCEEDED",
              "the caller's deadline passed before the call was handled",
            ),
            logger,
            name,
          ),
        );
        return;
      }
      withDeadline(deadline, () => answer(call.request)).then(
        (res) => {
          const trailer = new Metadata();
          trailer.set(SERVER_TIMING_KEY, serverTiming(started));
          callback(null, res, trailer);
        },
        (err: unknown) => {
          const status = toStatus(err, logger, name);
          status.metadata?.set(SERVER_TIMING_KEY, serverTiming(started));
          callback(status);
        },
      );
    };
    impl[name] = unary;
  }
  return impl;
}

/**
 * Adapts a streaming handler to grpc-js: writes what it yields (waiting while the caller reads slower
 * than it yields), ends the stream when it returns, and maps its error to a status through the same
 * table as unary calls. No deadline is imposed: a stream lives as long as its caller wants it.
 */
function serverStream(
  name: string,
  handler: (request: unknown, signal: AbortSignal) => AsyncIterable<unknown>,
  logger: Logger,
): handleServerStreamingCall<unknown, unknown> {
  return (call) => {
    const gone = new AbortController();
    call.on("cancelled", () => gone.abort());
    void (async () => {
      try {
        for await (const message of handler(call.request, gone.signal)) {
          if (gone.signal.aborted) return;
          if (!call.write(message)) await once(call, "drain", { signal: gone.signal });
        }
        if (!gone.signal.aborted) call.end();
      } catch (err) {
        if (!gone.signal.aborted) call.emit("error", toStatus(err, logger, name));
      }
    })();
  };
}

export interface RunningGrpcServer {
  readonly server: Server;
  readonly port: number;
  /** Stops accepting calls, lets in-flight ones finish (up to `graceMs`), then forces the rest. */
  stop(graceMs?: number): Promise<void>;
}

export interface GrpcServerOptions {
  /** Plaintext or mutual TLS (`grpcTransport`); required, so no server listens without a decision. */
  readonly transport: GrpcTransport;
  /** Where `rpc_server_duration_seconds` is recorded; without it, calls are only traced. */
  readonly metrics?: Metrics;
}

/** Starts a gRPC server; every unary call is measured and (with tracing on) traced, see `instrumentService`. */
export async function startGrpcServer(
  services: readonly { definition: ServiceDefinition; implementation: UntypedServiceImplementation }[],
  host: string,
  port: number,
  options: GrpcServerOptions,
): Promise<RunningGrpcServer> {
  // Channelz keeps per-call counters and timestamps for a channelz service, which nothing serves here.
  const server = new Server({ "grpc.keepalive_permit_without_calls": 1, "grpc.enable_channelz": 0 });
  for (const s of services)
    server.addService(s.definition, instrumentService(s.definition, s.implementation, options.metrics));
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, options.transport.serverCredentials(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    server,
    port: boundPort,
    stop: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
