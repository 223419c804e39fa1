import { describe, expect, it, vi } from "vitest";
import { ListOrders } from "./list-orders.use-case";
import type { OrderFilter, OrderRepository } from "./order.repository.port";
import { SearchOrders } from "./search-orders.use-case";

describe("ListOrders and SearchOrders", () => {
  function listing() {
    const asked: { filter: OrderFilter; limit: number; cursor: string | null }[] = [];
    const repo = {
      list: vi.fn(async (filter: OrderFilter, limit: number, cursor: string | null) => {
        asked.push({ filter, limit, cursor });
        return { orders: [], nextCursor: cursor === null ? "next" : null };
      }),
    } as unknown as OrderRepository;
    return { listOrders: new ListOrders(repo), searchOrders: new SearchOrders(repo), asked };
  }

  it("lists one customer's orders only, whatever the status", async () => {
    const t = listing();
    expect(await t.listOrders.execute("alice", 5, "")).toEqual({ orders: [], nextPageToken: "next" });
    expect(t.asked).toEqual([{ filter: { customerId: "alice", status: null }, limit: 5, cursor: null }]);
  });

  it("searches with the filter as given, the same page sizes (1..100, 20 by default) and tokens", async () => {
    const t = listing();
    await t.searchOrders.execute({ customerId: null, status: "FAILED" }, 0, "");
    expect(await t.searchOrders.execute({ customerId: null, status: null }, 1_000, "tok")).toEqual({
      orders: [],
      nextPageToken: "",
    });
    expect(t.asked).toEqual([
      { filter: { customerId: null, status: "FAILED" }, limit: 20, cursor: null },
      { filter: { customerId: null, status: null }, limit: 100, cursor: "tok" },
    ]);
  });
});
