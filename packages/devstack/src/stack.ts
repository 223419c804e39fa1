import { freePorts } from "./ports";
import {
  defaultRunMode,
  PortTakenError,
  ServiceProcess,
  type LogSink,
  type RunMode,
  type ServiceName,
} from "./service-process";

export interface StackOptions {
  /**
   * A Postgres server for order, inventory and payment (each in its own schema). Without it each of
   * them runs its embedded Postgres (PGlite) in `<dataDir>/<service>/`, and DATABASE_URL is not passed.
   */
  readonly databaseUrl?: string;
  /** DATA_DIR of the embedded databases; `.data/` at the repository root when not given. */
  readonly dataDir?: string;
  /** Redis for rider geo and the catalog cache; without it those run in-process. */
  readonly redisUrl?: string;
  readonly jwtSecret: string;
  /** Fixed ports; any not given is picked free. */
  readonly ports?: Partial<Record<ServiceName, number>>;
  /** Fixed Prometheus ports (METRICS_PORT); any not given is picked free. `serviceEnv` may still set METRICS_PORT (-1: none). */
  readonly metricsPorts?: Partial<Record<ServiceName, number>>;
  /** Extra environment for every service, then per service. */
  readonly env?: Record<string, string>;
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Where `inventory` and `payment` are reached from order/gateway, if not directly (e.g. through a fault proxy). */
  readonly upstreamAddr?: Partial<Record<"inventory" | "payment" | "rider" | "order", string>>;
  readonly log?: LogSink;
  readonly nodeArgs?: Partial<Record<ServiceName, readonly string[]>>;
  /** Run the services' TypeScript (`source`, under tsx) or the compiled `dist/` of `npm run build`; default `QC_RUN`, else `source`. */
  readonly run?: RunMode;
  /**
   * Order-service replicas on the one database (default 1): `services.order` is the first, and the
   * gateway's ORDER_ADDR lists them all (unless `upstreamAddr.order` says otherwise). Each has its own
   * port, metrics port and lease owner.
   */
  readonly orderReplicas?: number;
  /** Fixed ports of the order replicas after the first (whose port is `ports.order`); any not given is picked free. */
  readonly orderReplicaPorts?: readonly number[];
  /** Environment of order replica `replica` (0 is the first), over `serviceEnv.order`: e.g. its own upstream addresses. */
  readonly orderReplicaEnv?: (replica: number) => Record<string, string>;
}

export interface Stack {
  readonly gatewayUrl: string;
  readonly services: Record<ServiceName, ServiceProcess>;
  /** Every order-service replica, `services.order` first. */
  readonly orderReplicas: readonly ServiceProcess[];
  stop(): Promise<void>;
}

const ORDER: readonly ServiceName[] = ["inventory", "payment", "rider", "order", "gateway"];

/** Starts of a stack that may be retried when a service finds a port it was given taken. */
const START_ATTEMPTS = 3;

/**
 * Starts the five services (and any further order replicas) as separate processes talking gRPC on
 * loopback. Ports not given are picked free, and picked again (the whole stack restarted) should
 * another process take one before its service listens.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt === START_ATTEMPTS) throw err;
      options.log?.(err.service, `${err.message}; starting the stack again on other ports`, err.label);
    }
  }
}

async function startStackOnce(options: StackOptions): Promise<Stack> {
  const replicas = options.orderReplicas ?? 1;
  // Every port a process may need, distinct (a service port, a metrics port each; more for replicas).
  // Ports given by the caller are not bound yet either: none of them may be picked for another process.
  const given = [
    ...Object.values(options.ports ?? {}),
    ...(options.orderReplicaPorts ?? []),
    ...Object.values(options.metricsPorts ?? {}),
  ].filter((p): p is number => typeof p === "number" && p > 0);
  const free = await freePorts(2 * (ORDER.length + replicas - 1), given);
  const pick = (): number => free.pop()!;
  const port = (name: ServiceName) => options.ports?.[name] ?? pick();
  const ports = {
    inventory: port("inventory"),
    payment: port("payment"),
    rider: port("rider"),
    order: port("order"),
    gateway: port("gateway"),
  };
  const replicaPorts = [ports.order];
  for (let i = 1; i < replicas; i++) replicaPorts.push(options.orderReplicaPorts?.[i - 1] ?? pick());
  const metricsPorts: Partial<Record<ServiceName, number>> = {};
  for (const name of ORDER) metricsPorts[name] = options.metricsPorts?.[name] ?? pick();
  const direct = (name: "inventory" | "payment" | "rider" | "order") =>
    name === "order" ? replicaPorts.map((p) => `127.0.0.1:${p}`).join(",") : `127.0.0.1:${ports[name]}`;
  const addr = (name: "inventory" | "payment" | "rider" | "order") => options.upstreamAddr?.[name] ?? direct(name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    JWT_SECRET: options.jwtSecret,
    INVENTORY_PORT: String(ports.inventory),
    PAYMENT_PORT: String(ports.payment),
    RIDER_PORT: String(ports.rider),
    ORDER_PORT: String(ports.order),
    GATEWAY_PORT: String(ports.gateway),
    INVENTORY_ADDR: addr("inventory"),
    PAYMENT_ADDR: addr("payment"),
    RIDER_ADDR: addr("rider"),
    REDIS_URL: options.redisUrl ?? "",
    ORDER_ADDR: addr("order"),
    ...options.env,
  };
  // Only what was given reaches the services, not what the caller's own environment happens to hold.
  if (options.databaseUrl === undefined) delete env.DATABASE_URL;
  if (options.dataDir === undefined) delete env.DATA_DIR;
  const log = options.log ?? (() => undefined);
  const run = options.run ?? defaultRunMode();
  const serviceEnv = (name: ServiceName): NodeJS.ProcessEnv => ({
    ...env,
    METRICS_PORT: String(metricsPorts[name]),
    OTEL_SERVICE_NAME: name,
    ...options.serviceEnv?.[name],
    ...(name === "order" ? options.orderReplicaEnv?.(0) : {}),
  });
  const services = Object.fromEntries(
    ORDER.map((name) => {
      const label = name === "order" && replicaPorts.length > 1 ? "order-1" : name;
      return [name, new ServiceProcess(name, ports[name], serviceEnv(name), log, options.nodeArgs?.[name], label, run)];
    }),
  ) as Record<ServiceName, ServiceProcess>;
  const orderReplicas = [services.order];
  for (let i = 1; i < replicaPorts.length; i++) {
    const port = replicaPorts[i]!;
    const replicaEnv = {
      ...env,
      OTEL_SERVICE_NAME: "order",
      ...options.serviceEnv?.order,
      ORDER_PORT: String(port),
      METRICS_PORT: String(pick()),
      ...options.orderReplicaEnv?.(i),
    };
    orderReplicas.push(
      new ServiceProcess("order", port, replicaEnv, log, options.nodeArgs?.order, `order-${i + 1}`, run),
    );
  }

  // Callers before what they call: the gateway first, then the order service (its sagas still need
  // inventory, payment and rider while it drains), then those three.
  const stop = async () => {
    await services.gateway.stop();
    await Promise.all(orderReplicas.map((r) => r.stop()));
    await Promise.all((["inventory", "payment", "rider"] as const).map((n) => services[n].stop()));
  };
  try {
    // The gRPC services own their schemas and keys and start independently; then the gateway.
    await Promise.all(
      [...ORDER.filter((n) => n !== "gateway").map((n) => services[n]), ...orderReplicas.slice(1)].map((p) =>
        p.start(),
      ),
    );
    await services.gateway.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayUrl: `http://127.0.0.1:${ports.gateway}`, services, orderReplicas, stop };
}
