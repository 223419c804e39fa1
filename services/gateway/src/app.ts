import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { createLogger, type Logger } from "@qc/platform/log";
import { Metrics, requestTraceId, traceHttpServer } from "@qc/platform/observability";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { createAuthorize } from "./auth/authorize";
import { createTokenVerifier } from "./auth/token-verifier";
import {
  admissionOptions,
  devLoginOptions,
  edgeOptions,
  oidcClientOptions,
  rateLimitOptions,
  tokenVerifierOptions,
  type GatewayConfig,
} from "./config";
import { admissionLimits, installAdmission } from "./http/admission";
import { clientErrorOptions } from "./http/client-errors";
import { docsCsp, installEdgeHeaders } from "./http/edge-headers";
import { installProblemHandlers } from "./http/error-handlers";
import { installObservability } from "./http/observability";
import { openApiDocumentOptions } from "./http/openapi-components";
import { slowClientOptions } from "./http/slow-clients";
import { installRateLimits } from "./http/rate-limit";
import { installServerTiming } from "./http/server-timing";
import { installQueryIntegers } from "./http/query-integers";
import { installUnreadBodyDrain } from "./http/unread-body";
import { installWebApp, isAppPage, sendAppPage, webAppOptions } from "./http/web-app";
import { adminRoutes } from "./routes/admin";
import { authConfigRoutes } from "./routes/auth-config";
import { devRoutes } from "./routes/dev";
import { healthRoutes } from "./routes/health";
import { orderEventRoutes } from "./routes/order-events";
import { orderRoutes } from "./routes/orders";
import { productRoutes } from "./routes/products";
import { riderRoutes } from "./routes/riders";
import { closeUpstreams, createUpstreams, type Upstreams } from "./upstreams";

export interface AppOverrides {
  /** Upstreams the caller owns (and closes); by default the app builds gRPC clients and closes them. */
  readonly upstreams?: Upstreams;
  readonly logger?: Logger;
  /** Where the gateway's metrics go (main.ts serves them on METRICS_PORT); a private registry by default. */
  readonly metrics?: Metrics;
}

/** How much of a refused body the gateway reads to answer it cleanly before it closes the connection instead. */
const MAX_DRAINED_BODY_BYTES = 8 * 1024 * 1024;

/** The gateway's composition root: a ready-to-listen Fastify instance (not listening). */
export function buildApp(config: GatewayConfig, overrides: AppOverrides = {}) {
  const logger = overrides.logger ?? createLogger("gateway", config.LOG_LEVEL, config.LOG_PRETTY);
  // Seen as fastify's base logger type, so route plugins typed for any fastify instance register here.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Unknown fields are refused rather than silently dropped, and "2" is not accepted as 2. Query
    // numbers are therefore declared as digit strings (see page.schema.ts).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // The request id is the request's W3C trace id: on every log line of the request, and answered as x-trace-id.
    genReqId: requestTraceId,
    // What the router and Node's HTTP parser refuse is answered as problem+json too.
    ...clientErrorOptions(loggerInstance),
    // A client too slow to send its request is cut off instead of holding a connection forever.
    ...slowClientOptions(config),
  }).withTypeProvider<TypeBoxTypeProvider>();
  // With tracing on, each request runs in a server span continuing the caller's traceparent.
  traceHttpServer(app.server);

  app.decorateRequest("principal", null);
  // JSON only: without this, a text/plain body would be parsed as a string and fail as a schema error.
  app.removeContentTypeParser("text/plain");
  // The web app's build, when there is one: its files at /, its pages wherever the API has no route.
  const oidc = oidcClientOptions(config);
  // The page asks the provider's discovery and token endpoints itself (CORS): its policy allows that origin.
  const webApp = webAppOptions(config.WEB_ROOT, oidc ? [new URL(oidc.issuer).origin] : []);
  installProblemHandlers(app, webApp && { serves: isAppPage, send: sendAppPage });
  // Security headers and CORS first, so that every answer carries them, however early it is refused.
  const edge = edgeOptions(config);
  installEdgeHeaders(app, edge);
  installServerTiming(app);
  installUnreadBodyDrain(app, MAX_DRAINED_BODY_BYTES);
  installQueryIntegers(app);

  const upstreams = overrides.upstreams ?? createUpstreams(config, logger);
  if (overrides.upstreams === undefined) app.addHook("onClose", async () => closeUpstreams(upstreams));
  const metrics = overrides.metrics ?? new Metrics("gateway");
  installObservability(app, metrics, upstreams.breakers);
  // Before every route's own hooks (authorize): a request shed costs no token check and no body read.
  const admission = admissionOptions(config);
  installAdmission(app, admission && admissionLimits(admission.orders, admission.other), metrics);
  // After admission and each route's authorize hook, before the body is read (see rate-limit.ts).
  const rateLimits = installRateLimits(app, rateLimitOptions(config), logger);
  const deps = {
    upstreams,
    authorize: createAuthorize(createTokenVerifier(tokenVerifierOptions(config)), rateLimits.authenticationFailed),
  };

  // Swagger first: it collects the routes registered after it.
  void app.register(swagger, openApiDocumentOptions);
  if (edge.docsEnabled) void app.register(swaggerUi, { routePrefix: "/docs", ...docsCsp });
  void app.register(healthRoutes, deps);
  void app.register(productRoutes, deps);
  void app.register(orderRoutes, {
    ...deps,
    orderWaitMs: config.ORDER_WAIT_MS,
    orderDeadlineMs: config.UPSTREAM_TIMEOUT_MS,
  });
  void app.register(orderEventRoutes, {
    ...deps,
    streamsPerCaller: config.ORDER_EVENT_STREAMS_PER_CALLER,
    heartbeatMs: config.ORDER_EVENT_HEARTBEAT_MS,
    firstEventTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  void app.register(riderRoutes, deps);
  void app.register(adminRoutes, deps);
  void app.register(authConfigRoutes, { oidc });
  if (webApp) installWebApp(app, webApp);
  const devLogin = devLoginOptions(config);
  if (devLogin) void app.register(devRoutes, devLogin);
  return app;
}

export type GatewayApp = ReturnType<typeof buildApp>;
