/**
 * The database's own ceiling: exactly the SQL one order executes across the services, recorded from a
 * real order placed through the in-process build, then replayed with `pg` alone — no application code.
 * Recording instead of hand-copying keeps the replay in step with the repositories.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * Statements one pooled connection ran back to back (a transaction stays on its connection), and the
 * connection options it ran them with (each service's pool sets its own schema as search_path).
 */
interface Session {
  readonly options: string;
  readonly statements: Statement[];
}

export interface OrderTrace {
  readonly sessions: Session[];
  readonly customerId: string;
  readonly skus: string[];
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;

/** Records every statement any pg client runs while `work` runs, grouped by connection in order. */
export async function recordSql(work: () => Promise<void>): Promise<Session[]> {
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  const ids = new WeakMap<object, number>();
  let next = 0;
  const trace: { client: number; options: string; statement: Statement }[] = [];
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === "string" ? first : (first as { text?: string } | null)?.text;
    if (typeof text === "string") {
      if (!ids.has(this)) ids.set(this, next++);
      const values = Array.isArray(second) ? second : ((first as { values?: unknown[] }).values ?? []);
      const options =
        (this as unknown as { connectionParameters?: { options?: string } }).connectionParameters?.options ?? "";
      trace.push({ client: ids.get(this)!, options, statement: { text, values } });
    }
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  const sessions: Session[] = [];
  let last = -1;
  for (const { client, options, statement } of trace) {
    if (client !== last) sessions.push({ options, statements: [] });
    sessions.at(-1)!.statements.push(statement);
    last = client;
  }
  return sessions;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The trace with fresh ids (every uuid), another customer and other skus, ready to run again. */
function rebind(trace: OrderTrace, customerId: string, skus: readonly string[]): Session[] {
  const swap = new Map<string, string>([[trace.customerId, customerId]]);
  trace.skus.forEach((s, i) => swap.set(s, skus[i]!));
  const value = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(value);
    if (typeof v !== "string") return v;
    if (UUID.test(v)) {
      if (!swap.has(v)) swap.set(v, randomUUID());
      return swap.get(v);
    }
    return swap.get(v) ?? v;
  };
  return trace.sessions.map((session) => ({
    options: session.options,
    statements: session.statements.map((s) => ({ text: s.text, values: s.values.map(value) })),
  }));
}

/** One pool per set of connection options the trace used (one per service schema). */
export function replayPools(databaseUrl: string, trace: OrderTrace, size: number): Map<string, pg.Pool> {
  const options = new Set(trace.sessions.map((s) => s.options));
  return new Map(
    [...options].map((o) => [o, new pg.Pool({ connectionString: databaseUrl, options: o || undefined, max: size })]),
  );
}

/** Replays the recorded order's statements, session by session, each on a connection like the one it ran on. */
export async function replayOrder(
  pools: Map<string, pg.Pool>,
  trace: OrderTrace,
  customerId: string,
  skus: readonly string[],
): Promise<void> {
  for (const session of rebind(trace, customerId, skus)) {
    const client = await pools.get(session.options)!.connect();
    try {
      for (const s of session.statements) await client.query(s.text, s.values as unknown[]);
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

export const statementCount = (trace: OrderTrace): number =>
  trace.sessions.reduce((n, s) => n + s.statements.length, 0);
