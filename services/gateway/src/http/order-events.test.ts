import { describe, expect, it } from "vitest";
import { isTerminal, lastSeenVersion, orderEvent, StreamSlots } from "./order-events";
import type { OrderView } from "./order.schema";

describe("order events", () => {
  it("frames an order as one `order` event whose id is its version", () => {
    const order = { id: "o-1", status: "CONFIRMED", note: "two\nlines" } as unknown as OrderView;
    const frame = orderEvent(7, order);
    expect(frame).toBe(`id: 7\nevent: order\ndata: ${JSON.stringify(order)}\n\n`);
    expect(frame.split("\n")).toHaveLength(5); // the newline inside the data is escaped by JSON
  });

  it("reads Last-Event-ID as a version, anything else as none seen", () => {
    expect(lastSeenVersion("12")).toBe(12);
    expect(lastSeenVersion("0")).toBe(0);
    for (const other of [undefined, "", "-1", "1.5", "abc", "9".repeat(16)]) expect(lastSeenVersion(other)).toBe(-1);
  });

  it("ends at FAILED and DELIVERED only: a CONFIRMED order still gets its rider and delivery", () => {
    const statuses = ["PENDING", "CONFIRMED", "FAILED", "DELIVERED"] as const;
    expect(statuses.filter((status) => isTerminal({ status } as OrderView))).toEqual(["FAILED", "DELIVERED"]);
  });

  it("caps open streams per caller, giving a slot back once however often released", () => {
    const slots = new StreamSlots(2);
    const a1 = slots.acquire("customer:alice");
    slots.acquire("customer:alice");
    expect(() => slots.acquire("customer:alice")).toThrow(expect.objectContaining({ code: "TOO_MANY_STREAMS" }));
    slots.acquire("customer:bob"); // another caller has slots of its own
    a1();
    a1();
    expect(slots.count("customer:alice")).toBe(1);
    expect(() => slots.acquire("customer:alice")).not.toThrow();
  });
});
