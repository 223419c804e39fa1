import { sql, type Kysely, type Selectable } from "kysely";
import type { DeadLetter, DeadLetterRepository, DeadLetterStatus } from "../../app/dead-letter.repository.port";
import type { DeadLettersTable, OrderDatabase } from "./order.tables";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toDeadLetter = (r: Selectable<DeadLettersTable>): DeadLetter => ({
  id: r.id,
  orderId: r.order_id,
  step: r.step,
  error: r.error,
  attempts: r.attempts,
  status: r.status as DeadLetterStatus,
  nextAttemptAt: new Date(r.next_attempt_at),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class PostgresDeadLetterRepository implements DeadLetterRepository {
  constructor(private readonly db: Kysely<OrderDatabase>) {}

  async add(e: {
    id: string;
    orderId: string;
    step: string;
    error: string;
    attempts: number;
    nextAttemptAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto("dead_letters")
      .values({
        id: e.id,
        order_id: e.orderId,
        step: e.step,
        error: e.error,
        attempts: e.attempts,
        status: "open",
        next_attempt_at: e.nextAttemptAt,
      })
      .onConflict((oc) =>
        oc.columns(["order_id", "step"]).doUpdateSet({
          attempts: sql`dead_letters.attempts + excluded.attempts`,
          error: sql`excluded.error`,
          status: "open",
          next_attempt_at: sql`excluded.next_attempt_at`,
          updated_at: sql`clock_timestamp()`,
          resolved_at: null,
        }),
      )
      .execute();
  }

  async get(id: string): Promise<DeadLetter | null> {
    if (!UUID.test(id)) return null;
    const row = await this.db.selectFrom("dead_letters").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toDeadLetter(row) : null;
  }

  async list(status: DeadLetterStatus | null, limit: number): Promise<DeadLetter[]> {
    let q = this.db.selectFrom("dead_letters").selectAll().orderBy("created_at", "desc").limit(limit);
    if (status) q = q.where("status", "=", status);
    return (await q.execute()).map(toDeadLetter);
  }

  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom("dead_letters")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "open")
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async withLocked<T>(
    id: string | null,
    work: (entry: DeadLetter) => Promise<{ resolved: boolean; error?: string; retryAt?: Date; result: T }>,
  ): Promise<T | null> {
    if (id !== null && !UUID.test(id)) return null;
    return this.db.transaction().execute(async (trx) => {
      // A replay waits for a redrive in progress; the redrive skips what a replay holds.
      const row = await (
        id !== null
          ? trx.selectFrom("dead_letters").selectAll().where("id", "=", id).forUpdate()
          : trx
              .selectFrom("dead_letters")
              .selectAll()
              .where("status", "=", "open")
              .where("next_attempt_at", "<=", sql<Date>`clock_timestamp()`)
              .orderBy("next_attempt_at")
              .limit(1)
              .forUpdate()
              .skipLocked()
      ).executeTakeFirst();
      if (!row) return null;
      const entry = toDeadLetter(row);
      const outcome = await work(entry);
      if (entry.status === "resolved") return outcome.result;
      await trx
        .updateTable("dead_letters")
        .set(
          outcome.resolved
            ? {
                status: "resolved",
                attempts: entry.attempts + 1,
                resolved_at: sql`clock_timestamp()`,
                updated_at: sql`clock_timestamp()`,
              }
            : {
                attempts: entry.attempts + 1,
                error: outcome.error ?? entry.error,
                next_attempt_at: outcome.retryAt ?? new Date(),
                updated_at: sql`clock_timestamp()`,
              },
        )
        .where("id", "=", entry.id)
        .execute();
      return outcome.result;
    });
  }
}
