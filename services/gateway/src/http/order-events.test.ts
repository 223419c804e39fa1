import { describe, expect, it } from "vitest";
import { isTerminal, lastSeenVersion, orderEvent, OrderEventStream, StreamSlots } from "./order-events";
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

  it("writes a stream's preamble, only newer states, heartbeats while quiet, and ends once", async () => {
    let ended = 0;
    const stream = new OrderEventStream(3, 20, () => ended++);
    const chunks: string[] = [];
    stream.body.on("data", (c: Buffer) => chunks.push(c.toString()));
    const order = (status: string) => ({ status }) as unknown as OrderView;
    stream.send(3, order("PENDING")); // seen already
    stream.send(5, order("CONFIRMED"));
    stream.send(4, order("PENDING")); // older than what was sent
    await new Promise((r) => setTimeout(r, 50));
    stream.end();
    stream.end();
    stream.send(9, order("DELIVERED")); // after the end: nothing
    await new Promise((r) => setImmediate(r));
    const text = chunks.join("");
    expect(text.startsWith("retry: 2000\n\n")).toBe(true);
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual(["5"]);
    expect(text).toContain(": keep-alive\n\n");
    expect(stream.body.writableEnded).toBe(true);
    expect(ended).toBe(1);
  });
});
