import {
  Client,
  Metadata,
  status as grpcStatus,
  type MethodDefinition,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { Logger } from "pino";
import { healthCheckMethod, healthServiceDefinition, type HealthCheckRequest } from "./grpc/health-definition";
import { channelTarget } from "./grpc/target";
import type { GrpcTransport } from "./grpc/tls";

/**
 * The standard gRPC health-checking protocol (`grpc.health.v1.Health`: Check, Watch, List) of the
 * official proto (the `grpc-health-check` package's, encoded in code by grpc/health-definition.ts),
 * so Kubernetes' native gRPC probe, grpc_health_probe and `deploy/healthcheck.mjs` all understand it.
 *
 * The package's own HealthImplementation is not used either: its Watch streams never end, and an
 * open stream keeps `tryShutdown` waiting until the grace period forces it. Here shutting down
 * answers NOT_SERVING to every watcher and then ends its stream.
 */

export type ServingStatus = "SERVING" | "NOT_SERVING";

/**
 * The health "service" a liveness probe asks (`grpc: {port, service: liveness}` in Kubernetes,
 * `healthcheck.mjs grpc <port> liveness`): SERVING while this process runs and answers, whatever its
 * dependencies say, and NOT_SERVING only once it shuts down. A database that is down makes the
 * process not ready (the overall status `""`, what readiness asks), not dead: restarting it would
 * not bring the database back.
 */
export const LIVENESS_SERVICE = "liveness";

/** A dependency check: resolves true while the dependency is usable. Must not throw. */
export type HealthProbe = (timeoutMs: number) => Promise<boolean>;

export interface HealthOptions {
  /** The full names of the gRPC services this process serves, e.g. `qc.order.v1.OrderService`. */
  readonly services: readonly string[];
  /** What the services need to work (a database, Redis); every one must pass for SERVING. */
  readonly probes: Readonly<Record<string, HealthProbe>>;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

/** The full name of a generated gRPC service definition (`qc.order.v1.OrderService`). */
export function serviceNameOf(definition: ServiceDefinition): string {
  const first = Object.values(definition)[0] as MethodDefinition<unknown, unknown> | undefined;
  const name = first?.path.split("/")[1];
  if (!name) throw new Error("a service definition without methods has no name");
  return name;
}

/**
 * Keeps the health status of a process: the overall status (`""`) and one per service, SERVING
 * while every probe passes and NOT_SERVING otherwise, re-probed every `intervalMs`; NOT_SERVING for
 * good once `shutdown()` is called. `LIVENESS_SERVICE` is SERVING from the start and ignores the
 * probes: only `shutdown()` ends it.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<ServerWritableStream<HealthCheckRequest, unknown>>>();
  private readonly failing = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HealthOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
    for (const name of ["", ...options.services]) this.statuses.set(name, "NOT_SERVING");
    this.statuses.set(LIVENESS_SERVICE, "SERVING");
  }

  /** The overall status. */
  get status(): ServingStatus {
    return this.statuses.get("") ?? "NOT_SERVING";
  }

  /** Probes once now (so the first answer is a real one), then every `intervalMs`. */
  async start(): Promise<void> {
    await this.probe();
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs every probe and updates the statuses; concurrent calls share one round. */
  probe(): Promise<void> {
    this.probing ??= this.runProbes().finally(() => (this.probing = null));
    return this.probing;
  }

  /** NOT_SERVING from now on; every Watch stream gets it and is ended so the server can close. */
  shutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setAll("NOT_SERVING");
    for (const calls of this.watchers.values()) for (const call of calls) call.end();
    this.watchers.clear();
  }

  /** The `grpc.health.v1.Health` service, for `startGrpcServer`. */
  get grpcService(): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
    const check = (call: ServerUnaryCall<HealthCheckRequest, unknown>, callback: sendUnaryData<unknown>) => {
      const status = this.statuses.get(call.request.service);
      if (status) callback(null, { status });
      else callback({ code: grpcStatus.NOT_FOUND, details: `unknown service ${call.request.service}` });
    };
    const watch = (call: ServerWritableStream<HealthCheckRequest, unknown>) => {
      const name = call.request.service;
      call.write({ status: this.statuses.get(name) ?? "SERVICE_UNKNOWN" });
      if (this.stopped) {
        call.end();
        return;
      }
      let calls = this.watchers.get(name);
      if (!calls) this.watchers.set(name, (calls = new Set()));
      calls.add(call);
      const forget = () => this.watchers.get(name)?.delete(call);
      call.on("cancelled", forget);
      call.on("close", forget);
    };
    const list = (_call: unknown, callback: sendUnaryData<unknown>) => {
      callback(null, { statuses: Object.fromEntries([...this.statuses].map(([name, status]) => [name, { status }])) });
    };
    return {
      definition: healthServiceDefinition,
      implementation: { check, watch, list },
    };
  }

  private async runProbes(): Promise<void> {
    const entries = Object.entries(this.options.probes);
    const results = await Promise.all(entries.map(([, probe]) => probe(this.timeoutMs).catch(() => false)));
    if (this.stopped) return;
    entries.forEach(([name], i) => {
      const ok = results[i];
      if (!ok && !this.failing.has(name)) {
        this.failing.add(name);
        this.options.logger.warn({ dependency: name }, `${name} unreachable: NOT_SERVING`);
      } else if (ok && this.failing.delete(name)) {
        this.options.logger.info({ dependency: name }, `${name} reachable again`);
      }
    });
    this.setAll(this.failing.size === 0 ? "SERVING" : "NOT_SERVING", { liveness: false });
  }

  /** Every status, the liveness one only when asked (on shutdown): dependencies do not decide it. */
  private setAll(status: ServingStatus, { liveness = true } = {}): void {
    for (const [name, previous] of this.statuses) {
      if (previous === status || (!liveness && name === LIVENESS_SERVICE)) continue;
      this.statuses.set(name, status);
      for (const call of this.watchers.get(name) ?? []) call.write({ status });
    }
  }
}

/** What a health Check answered, or why there was no answer. */
export type HealthCheckResult =
  "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN" | "UNREACHABLE" | "UNIMPLEMENTED";

export interface HealthClient {
  /** `grpc.health.v1.Health/Check` for `service` (`""`: the whole process) with a deadline; never throws. */
  check(service: string, timeoutMs: number): Promise<HealthCheckResult>;
  close(): void;
}

/** A health-checking client over a channel of its own to `address`. */
export function createHealthClient(address: string, transport: GrpcTransport): HealthClient {
  // A list of replicas is checked round robin: each Check asks one that is connected.
  const { target, options } = channelTarget(address);
  const client = new Client(target, transport.channelCredentials(), {
    ...options,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
  });
  const check = healthCheckMethod;
  return {
    check: (service, timeoutMs) =>
      new Promise((resolve) => {
        client.makeUnaryRequest(
          check.path,
          check.requestSerialize,
          check.responseDeserialize,
          { service },
          new Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err: ServiceError | null, res?: { status: string }) => {
            if (err) {
              if (err.code === grpcStatus.NOT_FOUND) resolve("SERVICE_UNKNOWN");
              else if (err.code === grpcStatus.UNIMPLEMENTED) resolve("UNIMPLEMENTED");
              else resolve("UNREACHABLE");
              return;
            }
            const s = res?.status;
            resolve(s === "SERVING" || s === "NOT_SERVING" || s === "SERVICE_UNKNOWN" ? s : "UNKNOWN");
          },
        );
      }),
    close: () => client.close(),
  };
}
