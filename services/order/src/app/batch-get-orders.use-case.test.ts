import { describe, expect, it, vi } from "vitest";
import { MAX_BATCH_ORDER_IDS } from "../domain/order-id";
import { BatchGetOrders } from "./batch-get-orders.use-case";
import type { OrderRepository } from "./order.repository.port";
import { pendingOrder } from "./testing/pending-order";

describe("BatchGetOrders", () => {
  const a = pendingOrder({ id: "aaaaaaaa-0000-4000-8000-000000000001" });
  const b = pendingOrder({ id: "bbbbbbbb-0000-4000-8000-000000000002", status: "CONFIRMED" });
  const unknown = "cccccccc-0000-4000-8000-000000000003";

  /** A repository holding `a` and `b`, answering in its own order (the reverse of the ids asked). */
  function over() {
    const stored = new Map([a, b].map((o) => [o.id, o]));
    const findMany = vi.fn(async (ids: readonly string[]) => ids.flatMap((id) => stored.get(id) ?? []).reverse());
    return { batch: new BatchGetOrders({ findMany } satisfies Pick<OrderRepository, "findMany">), findMany };
  }

  it("answers the known orders in the order asked, each once, with one read of the canonical ids", async () => {
    const t = over();
    expect(await t.batch.execute([b.id, unknown, a.id.toUpperCase(), b.id, a.id])).toEqual([b, a]);
    expect(t.findMany.mock.calls).toEqual([[[b.id, unknown, a.id]]]);
  });

  it("answers nothing without reading for no ids, or only unknown ones", async () => {
    const t = over();
    expect(await t.batch.execute([])).toEqual([]);
    expect(t.findMany).not.toHaveBeenCalled();
    expect(await t.batch.execute([unknown])).toEqual([]);
  });

  it("refuses a malformed id or too many ids before reading anything", async () => {
    const t = over();
    await expect(t.batch.execute([a.id, "o-1"])).rejects.toMatchObject({ kind: "invalid", code: "INVALID_ORDER_ID" });
    const many = Array.from(
      { length: MAX_BATCH_ORDER_IDS + 1 },
      (_, n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    );
    await expect(t.batch.execute(many)).rejects.toMatchObject({ kind: "invalid", code: "TOO_MANY_ORDER_IDS" });
    expect(t.findMany).not.toHaveBeenCalled();
  });
});
