import pg from "pg";

/**
 * BIGINT (and counts) come back as JS numbers: every amount here is integer cents or units far
 * below 2^53. pg's parsers are process-wide, so this is set when a database is opened
 * (`createDatabase`, `openEmbeddedDatabase`), not as a side effect of importing the module.
 */
export function setTypeParsers(): void {
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
}
