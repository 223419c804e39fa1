import {
  Client,
  Metadata,
  status,
  type ChannelInterface,
  type MethodDefinition,
  type ServiceDefinition,
  type StatusObject,
} from "@grpc/grpc-js";
import type { ResilientTarget } from "../resilience";
import { endClientSpan, startClientSpan } from "../telemetry/grpc-trace";
import { SERVER_TIMING_KEY } from "./server";
import { fromServiceError, fromStatus } from "./status";
import { channelTarget } from "./target";
import type { GrpcTransport } from "./tls";

export interface UnaryCallOptions {
  /** Receives the callee's own handling time in ms (from its `server-timing` trailer), when it sends one. */
  readonly onServerTiming?: (ms: number) => void;
}

export interface StreamCallOptions {
  /** Ends the stream (the server sees the call cancelled); the iteration then stops quietly. */
  readonly signal?: AbortSignal;
}

/**
 * A method per method of a generated service definition: promise-returning for unary ones, an async
 * iterable of the messages for server-streaming ones.
 */
export type PromiseClient<S> = {
  [K in keyof S]: S[K] extends MethodDefinition<infer Req, infer Res>
    ? S[K] extends { readonly responseStream: true }
      ? (request: Req, options?: StreamCallOptions) => AsyncIterable<Res>
      : (request: Req, options?: UnaryCallOptions) => Promise<Res>
    : never;
};

/**
 * `callback`, which the returned function calls once and then lets go of. A finished call's objects,
 * the callbacks given to grpc-js among them, survive young-generation collections until a full one
 * frees them (a heap snapshot, which runs a full one, finds none; a bare node:http2 client stream does
 * the same with what its listeners capture, so the likely root is the stream's native handle). So
 * whatever a callback captured (the caller's answer, the HTTP reply it times) outlived the call, was
 * copied and promoted by the young collections, and made each of them slow.
 */
export function releasedAfterFirstCall<A extends unknown[]>(callback: (...args: A) => void): (...args: A) => void {
  let pending: ((...args: A) => void) | null = callback;
  return (...args) => {
    const call = pending;
    pending = null;
    call?.(...args);
  };
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One unary call, made as grpc-js's `Client.makeUnaryRequest` makes it (on the channel's call object:
 * start, read, send, half-close) without what it adds that nothing here uses, which cost more than the
 * rest of a failed call: an Error built at every call to keep the caller's stack, formatted with a
 * second Error whenever the call fails, and the interceptor and event-emitter layers around the call.
 * `done` gets the call's status, and the answer when it is OK; the caller makes the error (`fromStatus`).
 */
function unaryCall(
  channel: ChannelInterface,
  method: MethodDefinition<unknown, unknown>,
  request: unknown,
  metadata: Metadata,
  deadline: Date,
  done: (outcome: StatusObject, answer: unknown) => void,
): void {
  const call = channel.createCall(method.path, deadline, undefined, null, undefined);
  let answered = false;
  let answer: unknown;
  let unreadable: StatusObject | null = null;
  call.start(metadata, {
    onReceiveMetadata: () => undefined,
    onReceiveMessage: (message: Buffer) => {
      if (answered) return call.cancelWithStatus(status.UNIMPLEMENTED, "Too many responses received");
      answered = true;
      try {
        answer = method.responseDeserialize(message);
      } catch (err) {
        const details = `Response message parsing error: ${messageOf(err)}`;
        unreadable = { code: status.INTERNAL, details, metadata: new Metadata() };
        call.cancelWithStatus(status.INTERNAL, details);
      }
    },
    onReceiveStatus: (outcome: StatusObject) => {
      if (unreadable) done(unreadable, undefined);
      else if (outcome.code === status.OK && !answered)
        done({ code: status.UNIMPLEMENTED, details: "No message received", metadata: outcome.metadata }, undefined);
      else done(outcome, answer);
    },
  });
  call.startRead();
  let payload: Buffer;
  try {
    payload = method.requestSerialize(request);
  } catch (err) {
    const details = `Request message serialization failure: ${messageOf(err)}`;
    return call.cancelWithStatus(status.INTERNAL, details);
  }
  call.sendMessageWithContext({}, payload);
  call.halfClose();
}

function readServerTiming(metadata: Metadata): number | null {
  const value = metadata.get(SERVER_TIMING_KEY)[0];
  const match = typeof value === "string" ? /dur=([\d.]+)/.exec(value) : null;
  return match?.[1] ? Number(match[1]) : null;
}

export interface GrpcClientOptions<S> {
  /** Plaintext or mutual TLS (`grpcTransport`), as the server expects. */
  readonly transport: GrpcTransport;
  readonly resilience: ResilientTarget;
  /** Methods that are safe to repeat (reads, and writes idempotent by a key in the request). */
  readonly retrySafe: readonly (keyof S)[];
  /** Adds per-call metadata (e.g. trace context). */
  readonly metadata?: () => Metadata;
}

export interface GrpcClient<S> {
  readonly call: PromiseClient<S>;
  /** Resolves true once the channel is connected (or connects within `timeoutMs`). */
  isReady(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * The messages of one server-streaming call. It has no deadline and does not go through the circuit
 * breaker: a stream is one long call whose length says nothing of the target's health, and a caller
 * that loses it watches again. Errors come back as AppErrors, as from unary calls; a stream ended by
 * `signal` just stops.
 */
async function* serverStream(
  client: Client,
  method: MethodDefinition<unknown, unknown>,
  request: unknown,
  metadata: Metadata,
  signal: AbortSignal | undefined,
): AsyncGenerator<unknown> {
  if (signal?.aborted) return;
  const stream = client.makeServerStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    request,
    metadata,
    {},
  );
  const cancel = () => stream.cancel();
  signal?.addEventListener("abort", cancel, { once: true });
  try {
    for await (const message of stream) yield message;
  } catch (err) {
    if (signal?.aborted) return;
    throw fromServiceError(err);
  } finally {
    signal?.removeEventListener("abort", cancel);
    // The consumer may stop reading before the server ends the stream: the server learns of it.
    stream.cancel();
  }
}

/**
 * A typed client over one HTTP/2 channel. Every call gets a deadline and goes through the target's
 * circuit breaker; remote errors come back as AppErrors with their stable codes.
 */
export function createGrpcClient<S extends ServiceDefinition>(
  definition: S,
  address: string,
  options: GrpcClientOptions<S>,
): GrpcClient<S> {
  // `address` may list replicas (comma-separated): one channel then spreads calls round robin.
  const { target, options: channelOptions } = channelTarget(address);
  const client = new Client(target, options.transport.channelCredentials(), {
    ...channelOptions,
    "grpc.keepalive_time_ms": 30_000,
    // Channelz keeps per-call counters and timestamps for a channelz service, which nothing serves here.
    "grpc.enable_channelz": 0,
    // Reconnect quickly when a restarted service comes back.
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
  });
  const channel = client.getChannel();
  const call: Record<string, (req: unknown, callOptions?: UnaryCallOptions & StreamCallOptions) => unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    if (method.responseStream) {
      call[name] = (request, callOptions) =>
        serverStream(client, method, request, options.metadata?.() ?? new Metadata(), callOptions?.signal);
      continue;
    }
    const retrySafe = options.retrySafe.includes(name);
    const attempt = (request: unknown, deadline: Date, callOptions?: UnaryCallOptions): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const metadata = options.metadata?.() ?? new Metadata();
        // With tracing on: a client span per attempt, its context sent as `traceparent` metadata.
        const span = startClientSpan(method.path, metadata, address);
        const onTiming = callOptions?.onServerTiming;
        unaryCall(
          channel,
          method,
          request,
          metadata,
          deadline,
          releasedAfterFirstCall((outcome: StatusObject, answer: unknown) => {
            if (span) endClientSpan(span, outcome.code);
            if (onTiming) {
              const ms = readServerTiming(outcome.metadata);
              if (ms !== null) onTiming(ms);
            }
            if (outcome.code === status.OK) resolve(answer);
            else reject(fromStatus(outcome));
          }),
        );
      });
    call[name] = (request, callOptions) =>
      options.resilience.execute((deadline) => attempt(request, deadline, callOptions), retrySafe);
  }
  return {
    call: call as PromiseClient<S>,
    isReady: (timeoutMs) =>
      new Promise((resolve) =>
        client.waitForReady(Date.now() + timeoutMs, (err) => resolve(err === undefined || err === null)),
      ),
    close: () => client.close(),
  };
}
