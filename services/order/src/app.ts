import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { openServiceDatabase, migrate } from "@qc/platform/db";
import { grpcTransport, startGrpcServer } from "@qc/platform/grpc";
import { HealthService, serviceNameOf } from "@qc/platform/health";
import { createLogger, type Logger } from "@qc/platform/log";
import { withoutDeadline } from "@qc/platform/overload";
import type { BreakerRegistry } from "@qc/platform/resilience";
import { poolOptionsOf } from "@qc/platform/runtime-config";
import { Metrics } from "@qc/platform/observability";
import type { Kysely } from "kysely";
import { orderUseCases } from "./app/order-use-cases";
import { OrderWatch } from "./app/order-watch.use-case";
import type { DeadLetters } from "./app/dead-letters.use-case";
import type { RiderDispatch } from "./app/rider-dispatch.use-case";
import type { SagaRuns } from "./app/saga-runs";
import { SagaWorker, type SagaWorkerOptions } from "./app/saga-worker";
import { orderGrpcService, type OrderUseCases } from "./adapters/grpc/order.grpc";
import { PostgresDeadLetterRepository } from "./adapters/postgres/dead-letter.repository";
import { OrderChangeFeed } from "./adapters/postgres/order-change-feed";
import { PostgresOrderRepository } from "./adapters/postgres/order.repository";
import type { OrderDatabase } from "./adapters/postgres/order.tables";
import { observeDeadLetters } from "./adapters/telemetry/dead-letters.metrics";
import { sagaObserver } from "./adapters/telemetry/saga.observer";
import type { OrderConfig } from "./config";
import { createUpstreams, type UpstreamOverrides } from "./upstreams";

export { loadOrderConfig, orderConfigSchema, type OrderConfig } from "./config";
export type { InventoryPort, PaymentPort, RiderPort } from "./app/dependencies.port";

const MIGRATIONS = fileURLToPath(new URL("../migrations", import.meta.url));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A rider outage never blocks an order (dispatch retries); inventory or payment down does. */
const SAGA_TARGETS = new Set(["inventory", "payment"]);

const workerOptions = (config: OrderConfig, owner: string): SagaWorkerOptions => ({
  owner,
  leaseMs: config.SAGA_LEASE_MS,
  recoveryIntervalMs: config.RECOVERY_INTERVAL_MS,
  recoveryBatchSize: config.RECOVERY_BATCH_SIZE,
  redriveIntervalMs: config.DEAD_LETTER_REDRIVE_MS,
  riderRetryIntervalMs: config.RIDER_RETRY_INTERVAL_MS,
});

export interface OrderAppOverrides extends UpstreamOverrides {
  readonly logger?: Logger;
  /** Where the service's metrics go (main.ts serves them on METRICS_PORT); a private registry by default. */
  readonly metrics?: Metrics;
  /** Start without the background recovery and redrive loops (tests drive them by hand). */
  readonly background?: boolean;
}

export interface OrderApp extends OrderUseCases {
  /** The sagas this replica drives (drained on stop). */
  readonly sagas: SagaRuns;
  readonly watch: OrderWatch;
  readonly dispatch: RiderDispatch;
  readonly deadLetters: DeadLetters;
  readonly worker: SagaWorker;
  readonly breakers: BreakerRegistry;
  readonly metrics: Metrics;
  readonly db: Kysely<OrderDatabase>;
  readonly owner: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** The composition root: config → adapters → use cases → gRPC server. */
export async function buildApp(config: OrderConfig, overrides: OrderAppOverrides = {}): Promise<OrderApp> {
  const logger = overrides.logger ?? createLogger("order", config.LOG_LEVEL, config.LOG_PRETTY);
  // Before anything is opened: bad TLS settings stop the start. The server and its three clients share it.
  const transport = grpcTransport(config);
  const metrics = overrides.metrics ?? new Metrics("order");
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  const { DATABASE_URL: url, DATA_DIR: dataDir } = config;
  const database = openServiceDatabase<OrderDatabase>({
    service: "order",
    schema: "orders",
    url,
    dataDir,
    ...poolOptionsOf(config),
    logger,
  });
  const { db } = database;
  await migrate(db, "orders", MIGRATIONS, logger);
  const orderRepo = new PostgresOrderRepository(db);
  const deadLetterRepo = new PostgresDeadLetterRepository(db);
  // WatchOrder streams learn of changes from LISTEN/NOTIFY (every replica's writes; see order-change-feed.ts).
  const changeFeed = new OrderChangeFeed();
  await changeFeed.start(database.listen);
  const watch = new OrderWatch(orderRepo, changeFeed, { rereadMs: config.WATCH_REREAD_MS });
  observeDeadLetters(metrics, deadLetterRepo, logger);
  const { inventory, payment, riders, breakers, ...upstreams } = createUpstreams(
    config,
    { transport, metrics, logger },
    overrides,
  );

  const { sagas, dispatch, deadLetters, ...orders } = orderUseCases({
    orders: orderRepo,
    deadLetters: deadLetterRepo,
    inventory,
    payment,
    riders,
    health: { openCircuits: () => breakers.refusing().filter((target) => SAGA_TARGETS.has(target)) },
    observer: sagaObserver(metrics, logger),
    owner,
    leaseMs: config.SAGA_LEASE_MS,
    store: { lat: config.STORE_LAT, lon: config.STORE_LON },
    compensation: {
      attempts: config.COMPENSATION_ATTEMPTS,
      backoffMs: config.COMPENSATION_BACKOFF_MS,
      deadLetterRetryMs: config.DEAD_LETTER_REDRIVE_MS,
    },
    redriveMs: config.DEAD_LETTER_REDRIVE_MS,
    // A saga outlives the CreateOrder call that started it: its calls and writes have their own deadlines.
    detach: withoutDeadline,
    newId: randomUUID,
    sleep,
  });
  const worker = new SagaWorker(orderRepo, sagas, deadLetters, dispatch, workerOptions(config, owner), logger);

  const grpcService = orderGrpcService(orders, watch, dispatch, deadLetters, breakers, config.MAX_WAIT_MS, logger);
  // SERVING while the database answers; Inventory, Payment and Rider report their own health.
  const healthService = new HealthService({
    services: [serviceNameOf(grpcService.definition)],
    probes: { database: database.ping },
    logger,
  });
  await healthService.start();
  const server = await startGrpcServer([grpcService, healthService.grpcService], config.ORDER_HOST, config.ORDER_PORT, {
    transport,
    metrics,
  });
  if (overrides.background !== false) worker.start();
  logger.info({ port: server.port, owner }, "order service listening");

  const parts = { sagas, watch, dispatch, deadLetters, worker, breakers, metrics, db, owner };
  return {
    ...orders,
    ...parts,
    port: server.port,
    stop: async () => {
      // NOT_SERVING first; then no new calls and no new background work (no stale saga taken over
      // while stopping) while the calls and ticks in flight finish (a CreateOrder waits for its saga);
      // then every saga still running; only then the clients and the database those sagas need. No
      // saga is left PENDING by a graceful stop.
      healthService.shutdown();
      // Watch streams never end by themselves while their order can change: end them, or the server
      // would wait for them. Their watchers come back (to another replica, or this one restarted).
      watch.close();
      await Promise.all([server.stop(config.SHUTDOWN_TIMEOUT_MS / 2), worker.stop()]);
      await sagas.drain();
      upstreams.close();
      await changeFeed.stop();
      await database.close();
    },
  };
}
