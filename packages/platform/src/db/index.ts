/**
 * `@qc/platform/db`: Postgres through Kysely, on a server or embedded (PGlite, loaded only when a
 * service opens an embedded database), migrations, LISTEN.
 */
export * from "./database";
export * from "./embedded";
export type { Listening, ListenOptions } from "./listen";
