import { randomUUID } from "node:crypto";
import { orderV1 } from "@qc/contracts";
import { createTestDatabase, failureOf, serviceUnderTestClient, type TestDatabase } from "@qc/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresOrderRepository } from "../src/adapters/postgres/order.repository";
import type { OrderApp } from "../src/app";
import { MAX_BATCH_ORDER_IDS } from "../src/domain/order-id";
import { quietOrderApp } from "./quiet-app";

// Over a real socket: what a gateway batching its order lookups gets, compared with GetOrder's answers.
describe("BatchGetOrders over gRPC", () => {
  let db: TestDatabase;
  let app: OrderApp;
  let client: ReturnType<typeof serviceUnderTestClient<typeof orderV1.OrderServiceService>>;
  const ids: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase("qc_order_batch");
    const unused = () => Promise.reject(new Error("no saga runs in this test"));
    app = await quietOrderApp(db.url, {
      inventory: { catalog: unused, deductStock: unused, addStock: unused },
      payment: { charge: unused, refund: unused },
      riders: { assignNearest: unused, release: unused, hold: unused },
    });
    client = serviceUnderTestClient(orderV1.OrderServiceService, "order", app.port, 10_000);
    const repo = new PostgresOrderRepository(app.db);
    for (const customerId of ["alice", "bob", "carol"]) {
      const id = randomUUID();
      await repo.create({
        id,
        customerId,
        lines: [{ sku: "apple", quantity: 2, priceCents: 0 }],
        deliveryLocation: customerId === "bob" ? null : { lat: 52.5, lon: 13.4 },
        idempotencyKey: null,
        requestHash: "h",
        leaseOwner: "elsewhere",
        leaseMs: 60_000,
      });
      ids.push(id);
    }
    await repo.finish(ids[1]!, "elsewhere", "FAILED", "OUT_OF_STOCK", null, [
      { step: "saga", outcome: "failed", code: "OUT_OF_STOCK", detail: "", at: new Date() },
    ]);
  });

  afterAll(async () => {
    client?.close();
    await app?.stop();
    await db?.drop();
  });

  it("answers each known order as GetOrder does, in the order asked, each once, unknown ids left out", async () => {
    const [a, b, c] = ids as [string, string, string];
    const { orders } = await client.call.batchGetOrders({ ids: [c, randomUUID(), a.toUpperCase(), b, c] });
    const each = await Promise.all([c, a, b].map(async (id) => (await client.call.getOrder({ id })).order));
    expect(orders).toEqual(each);
    expect(orders.map((o) => o.id)).toEqual([c, a, b]);
    expect((await client.call.batchGetOrders({ ids: [] })).orders).toEqual([]);
  });

  it("refuses a malformed id, and more distinct ids than the most, with INVALID_ARGUMENT and its code", async () => {
    expect(await failureOf(client.call.batchGetOrders({ ids: [ids[0]!, "o-1"] }))).toMatchObject({
      status: "INVALID_ARGUMENT",
      code: "INVALID_ORDER_ID",
    });
    const tooMany = Array.from({ length: MAX_BATCH_ORDER_IDS + 1 }, () => randomUUID());
    expect(await failureOf(client.call.batchGetOrders({ ids: tooMany }))).toMatchObject({
      status: "INVALID_ARGUMENT",
      code: "TOO_MANY_ORDER_IDS",
    });
    // The most, all unknown: nothing to answer, and no refusal.
    expect((await client.call.batchGetOrders({ ids: tooMany.slice(1) })).orders).toEqual([]);
  });
});
