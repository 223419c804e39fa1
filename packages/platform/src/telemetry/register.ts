/**
 * Preloaded before a service's code so Postgres (pg) and Redis (ioredis) calls become spans:
 *
 *   node --import tsx --import @qc/platform/telemetry/register services/<name>/src/main.ts
 *
 * Under ESM, an instrumentation can only patch a module it sees being loaded, through a module
 * loader hook (import-in-the-middle) that must be registered before the first `import "pg"`; static
 * imports are all loaded before a module's own code runs, so this cannot happen inside main.ts.
 * The hook only wraps the modules the instrumentations name (pg, pg-pool, ioredis).
 *
 * With tracing off (no OTLP endpoint, see `tracingEndpoint`) this registers nothing and loads
 * nothing. The SDK itself is started by the service (`startTracing`), which also works without this
 * file, minus the database and Redis spans.
 */
import { register } from "node:module";
import { markModuleHooksInstalled, tracingEndpoint } from "./tracing";

if (tracingEndpoint(process.env) !== null) {
  const { createAddHookMessageChannel } = await import("import-in-the-middle");
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);
  const [{ registerInstrumentations }, { PgInstrumentation }, { IORedisInstrumentation }] = await Promise.all([
    import("@opentelemetry/instrumentation"),
    import("@opentelemetry/instrumentation-pg"),
    import("@opentelemetry/instrumentation-ioredis"),
  ]);
  registerInstrumentations({
    instrumentations: [
      // Only inside a trace: the background loops' polling queries would otherwise each start one.
      new PgInstrumentation({ requireParentSpan: true }),
      // The command and its key only: values (cached product JSON, rider positions) stay out of spans.
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command, args) =>
          typeof args[0] === "string" ? `${command} ${args[0].slice(0, 120)}` : command,
      }),
    ],
  });
  await waitForAllMessagesAcknowledged();
  markModuleHooksInstalled();
}
