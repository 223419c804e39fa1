import { describe, expect, it, vi } from "vitest";
import type { Order } from "../domain/order";
import type { OrderRequest } from "../domain/order-request";
import type { CatalogItem } from "./dependencies.port";
import { CreateOrder } from "./create-order.use-case";
import { GetOrder } from "./get-order.use-case";
import type { NewOrder } from "./order.repository.port";
import type { OrderSaga } from "./order-saga";
import { SagaRuns } from "./saga-runs";

const request = (o: Partial<OrderRequest> = {}): OrderRequest => ({
  customerId: "alice",
  lines: [{ sku: "apple", quantity: 1 }],
  deliveryLocation: null,
  idempotencyKey: null,
  requestHash: "h1",
  ...o,
});

/** What Inventory's catalog says of each sku: its unit price and currency. */
const CATALOG: Readonly<Record<string, CatalogItem>> = {
  apple: { priceCents: 150, currency: "EUR" },
  pear: { priceCents: 99, currency: "EUR" },
  free: { priceCents: 0, currency: "EUR" },
  dollar: { priceCents: 300, currency: "USD" },
  gold: { priceCents: 1_000_000_000, currency: "EUR" },
};

function setup(
  opts: {
    open?: string[];
    openCircuits?: () => string[];
    detach?: <T>(work: () => Promise<T>) => Promise<T>;
    sagaMs?: number;
  } = {},
) {
  const created: NewOrder[] = [];
  const stored = new Map<string, Order>();
  const create = vi.fn(async (o: NewOrder) => {
    if (o.idempotencyKey && created.some((c) => c.idempotencyKey === o.idempotencyKey)) return null;
    created.push(o);
    const order = { id: o.id, customerId: o.customerId, status: "PENDING" } as Order;
    stored.set(o.id, order);
    return order;
  });
  const get = vi.fn(async (id: string) => stored.get(id) ?? null);
  const repo = {
    create,
    get,
    findByIdempotencyKey: vi.fn(async (_c: string, key: string) => {
      const o = created.find((c) => c.idempotencyKey === key);
      return o ? { orderId: o.id, requestHash: o.requestHash } : null;
    }),
  };
  const inventory = {
    catalog: vi.fn(
      async (skus: readonly string[]) =>
        new Map(skus.flatMap((sku) => (CATALOG[sku] ? [[sku, CATALOG[sku]] as const] : []))),
    ),
  };
  const saga = {
    drive: vi.fn(async (order: string | Order) => {
      const id = typeof order === "string" ? order : order.id;
      if (opts.sagaMs) await new Promise((r) => setTimeout(r, opts.sagaMs));
      const o = { ...stored.get(id)!, status: "CONFIRMED" as const };
      stored.set(id, o);
      return o;
    }),
  } as unknown as OrderSaga;
  let n = 0;
  const dispatch = {
    assign: vi.fn(async (o: Order) => {
      const assigned = { ...o, riderId: "rider-1" };
      stored.set(o.id, assigned);
      return assigned;
    }),
  };
  const sagas = new SagaRuns(saga, dispatch, opts.detach);
  const createOrder = new CreateOrder(
    repo,
    inventory,
    sagas,
    { openCircuits: opts.openCircuits ?? (() => opts.open ?? []) },
    {
      owner: "me",
      leaseMs: 1000,
      newId: () => `abcdef00-0000-4000-8000-00000000000${n++}`,
      sleep: async () => undefined,
    },
  );
  return { createOrder, getOrder: new GetOrder(repo), sagas, repo, create, get, inventory, saga, created, dispatch };
}

describe("CreateOrder", () => {
  it("writes the order PENDING, drives its saga and answers with the final order", async () => {
    const t = setup();
    const { order, replayed } = await t.createOrder.execute(request(), 1000);
    expect(order).toMatchObject({ status: "CONFIRMED", riderId: "rider-1" }); // dispatched once paid
    expect(replayed).toBe(false);
    expect(t.created).toHaveLength(1);
    expect(t.created[0]).toMatchObject({
      customerId: "alice",
      leaseOwner: "me",
      lines: [{ sku: "apple", quantity: 1, priceCents: 0 }],
    });
  });

  it("refuses at once, writing nothing, while a dependency's circuit is open", async () => {
    const t = setup({ open: ["inventory"] });
    await expect(t.createOrder.execute(request(), 1000)).rejects.toMatchObject({
      kind: "unavailable",
      code: "CIRCUIT_OPEN",
    });
    expect(t.created).toHaveLength(0);
    expect(t.inventory.catalog).not.toHaveBeenCalled();
  });

  it("refuses unknown skus with UNKNOWN_SKU and writes nothing", async () => {
    const t = setup();
    await expect(
      t.createOrder.execute(request({ lines: [{ sku: "durian", quantity: 1 }] }), 1000),
    ).rejects.toMatchObject({ code: "UNKNOWN_SKU" });
    expect(t.created).toHaveLength(0);
  });

  it("refuses an order mixing currencies with MIXED_CURRENCIES (422 at the gateway), writing nothing", async () => {
    const t = setup();
    const mixed = request({
      lines: [
        { sku: "apple", quantity: 1 },
        { sku: "dollar", quantity: 1 },
      ],
    });
    await expect(t.createOrder.execute(mixed, 1000)).rejects.toMatchObject({
      kind: "invalid",
      code: "MIXED_CURRENCIES",
    });
    expect(t.created).toHaveLength(0);
  });

  it("refuses an order whose total is more than Payment charges with ORDER_TOTAL_TOO_LARGE, writing nothing", async () => {
    const t = setup();
    const dear = request({ lines: [{ sku: "gold", quantity: 11 }] }); // 11 × 10^9 cents, above 10^10
    await expect(t.createOrder.execute(dear, 1000)).rejects.toMatchObject({
      kind: "invalid",
      code: "ORDER_TOTAL_TOO_LARGE",
    });
    expect(t.created).toHaveLength(0);
    // At the limit it is taken.
    await expect(
      t.createOrder.execute(request({ lines: [{ sku: "gold", quantity: 10 }] }), 1000),
    ).resolves.toMatchObject({ order: { status: "CONFIRMED" } });
  });

  it("takes an order of free items (total 0): the saga confirms it without a charge", async () => {
    const t = setup();
    await expect(
      t.createOrder.execute(request({ lines: [{ sku: "free", quantity: 3 }] }), 1000),
    ).resolves.toMatchObject({ order: { status: "CONFIRMED" } });
    expect(t.created).toHaveLength(1);
  });

  it("asks Inventory about a sku only until it has seen it exist", async () => {
    const t = setup();
    await t.createOrder.execute(request(), 1000);
    await t.createOrder.execute(request(), 1000);
    await t.createOrder.execute(
      request({
        lines: [
          { sku: "apple", quantity: 1 },
          { sku: "pear", quantity: 2 },
        ],
      }),
      1000,
    );
    expect(t.inventory.catalog.mock.calls.map((c) => [...c[0]])).toEqual([["apple"], ["pear"]]);
  });

  it("replays an idempotent request and refuses the same key with another body", async () => {
    const t = setup();
    const first = await t.createOrder.execute(request({ idempotencyKey: "k" }), 1000);
    const again = await t.createOrder.execute(request({ idempotencyKey: "k" }), 1000);
    expect(again).toMatchObject({ replayed: true, order: { id: first.order.id, status: "CONFIRMED" } });
    expect(t.created).toHaveLength(1);
    await expect(
      t.createOrder.execute(request({ idempotencyKey: "k", requestHash: "h2" }), 1000),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("costs a new order one write and no read: no key lookup before the insert, no read back of an ended saga", async () => {
    const t = setup();
    const { order } = await t.createOrder.execute(request({ idempotencyKey: "k" }), 1000);
    expect(order).toMatchObject({ status: "CONFIRMED", riderId: "rider-1" });
    expect(t.repo.create).toHaveBeenCalledTimes(1);
    expect(t.repo.findByIdempotencyKey).not.toHaveBeenCalled();
    expect(t.repo.get).not.toHaveBeenCalled();
  });

  it("reads the order as stored when its saga has not ended in time", async () => {
    const t = setup({ sagaMs: 200 });
    const { order } = await t.createOrder.execute(request(), 20);
    expect(order.status).toBe("PENDING");
    expect(t.repo.get).toHaveBeenCalledTimes(1);
  });

  it("fails fast while a circuit is open, a repeat too (no lookup), and answers the repeat once it has closed", async () => {
    let open: string[] = [];
    const t = setup({ openCircuits: () => open });
    const first = await t.createOrder.execute(request({ idempotencyKey: "k" }), 1000);
    open = ["inventory"];
    for (const key of ["k", "new"]) {
      await expect(t.createOrder.execute(request({ idempotencyKey: key }), 1000)).rejects.toMatchObject({
        code: "CIRCUIT_OPEN",
      });
    }
    expect(t.repo.findByIdempotencyKey).not.toHaveBeenCalled();
    open = [];
    const again = await t.createOrder.execute(request({ idempotencyKey: "k" }), 1000);
    expect(again).toMatchObject({ replayed: true, order: { id: first.order.id, status: "CONFIRMED" } });
    // The same key with another (here unpayable) body is the reuse it is, not a refusal of the body.
    await expect(
      t.createOrder.execute(
        request({ idempotencyKey: "k", requestHash: "h2", lines: [{ sku: "nope", quantity: 1 }] }),
        1000,
      ),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(t.created).toHaveLength(1);
  });

  it("takes no order for a caller whose deadline has (all but) passed: OVERLOADED, nothing written", async () => {
    const t = setup();
    await expect(t.createOrder.execute(request(), 1000, Date.now() + 10)).rejects.toMatchObject({
      kind: "unavailable",
      code: "OVERLOADED",
    });
    expect(t.created).toHaveLength(0);
    expect(t.inventory.catalog).not.toHaveBeenCalled();
  });

  it("writes nothing when waiting (here for Inventory) used up the caller's time", async () => {
    const t = setup();
    t.inventory.catalog.mockImplementationOnce(async (skus: readonly string[]) => {
      await new Promise((r) => setTimeout(r, 120));
      return new Map(skus.map((sku) => [sku, { priceCents: 1, currency: "EUR" }]));
    });
    await expect(t.createOrder.execute(request(), 1000, Date.now() + 150)).rejects.toMatchObject({
      code: "OVERLOADED",
    });
    expect(t.created).toHaveLength(0);
  });

  it("answers PENDING before the caller's deadline, and the saga, detached from the caller, goes on to its end", async () => {
    const detached: string[] = [];
    const t = setup({
      sagaMs: 300,
      detach: (work) => {
        detached.push("saga");
        return work();
      },
    });
    // Fake clock: "before the deadline" is read on the clock the use case answers by, so a loaded
    // machine (timers run late in real time) cannot turn it into a wall-clock race.
    vi.useFakeTimers();
    try {
      const deadline = Date.now() + 150;
      let answeredAt: number | undefined;
      const answer = t.createOrder.execute(request(), 1000, deadline).then((r) => ((answeredAt = Date.now()), r));
      await vi.advanceTimersByTimeAsync(149);
      expect(answeredAt).toBeDefined();
      expect(answeredAt).toBeLessThan(deadline);
      const { order } = await answer;
      expect(order.status).toBe("PENDING");
      expect(detached).toEqual(["saga"]);
      expect((await t.getOrder.execute(order.id)).status).toBe("PENDING"); // the saga (300 ms) is still running
      await vi.advanceTimersByTimeAsync(300);
      await t.sagas.drain();
      expect((await t.getOrder.execute(order.id)).status).toBe("CONFIRMED");
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects bad input before touching anything", async () => {
    const t = setup();
    await expect(
      t.createOrder.execute(request({ lines: [{ sku: "apple", quantity: 0 }] }), 1000),
    ).rejects.toMatchObject({ code: "INVALID_QUANTITY" });
    await expect(t.createOrder.execute(request({ lines: [] }), 1000)).rejects.toMatchObject({ code: "NO_LINES" });
    await expect(t.createOrder.execute(request({ deliveryLocation: { lat: 91, lon: 0 } }), 1000)).rejects.toMatchObject(
      { code: "INVALID_LOCATION" },
    );
    expect(t.create).not.toHaveBeenCalled();
  });
});

describe("GetOrder", () => {
  it("finds an order by its id typed in any case, and answers it under the stored (lowercase) id", async () => {
    const t = setup();
    const { order } = await t.createOrder.execute(request(), 1000);
    const found = await t.getOrder.execute(order.id.toUpperCase());
    expect(found.id).toBe(order.id);
    expect(found.id).toBe(found.id.toLowerCase());
  });

  it("answers ORDER_NOT_FOUND for an id that is no order id, without asking the repository", async () => {
    const t = setup();
    await expect(t.getOrder.execute("not-an-order")).rejects.toMatchObject({ code: "ORDER_NOT_FOUND" });
    expect(t.get).not.toHaveBeenCalled();
  });
});
