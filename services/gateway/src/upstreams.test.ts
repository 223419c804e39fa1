import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { orderV1 } from "@qc/contracts";
import { plaintextTransport, startGrpcServer, type RunningGrpcServer } from "@qc/platform/grpc";
import { createLogger } from "@qc/platform/log";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { closeUpstreams, createUpstreams, type Upstreams } from "./upstreams";
import { testConfig } from "./testing/test-app";

/**
 * An order-service replica whose BatchGetOrders answers every id with an order of the replica's name
 * as its customer, after `delayMs`, recording the ids of each call it received in `received`.
 */
async function orderReplica(name: string, delayMs = 0, received: string[][] = []): Promise<RunningGrpcServer> {
  const implementation: UntypedServiceImplementation = {
    batchGetOrders: (call: { request: { ids: string[] } }, callback: (err: null, res: unknown) => void) => {
      received.push(call.request.ids);
      const orders = call.request.ids.map((id) => orderV1.Order.fromPartial({ id, customerId: name }));
      setTimeout(() => callback(null, { orders }), delayMs);
    },
  };
  return startGrpcServer([{ definition: orderV1.OrderServiceService, implementation }], "127.0.0.1", 0, {
    transport: plaintextTransport,
  });
}

let replicas: RunningGrpcServer[] = [];
let upstreams: Upstreams | null = null;
afterEach(async () => {
  if (upstreams) closeUpstreams(upstreams);
  upstreams = null;
  await Promise.all(replicas.map((r) => r.stop(100)));
  replicas = [];
});

describe("the gateway's order upstream", () => {
  it("reaches every replica listed in ORDER_ADDR", async () => {
    replicas = [await orderReplica("replica-1"), await orderReplica("replica-2")];
    const config = testConfig({ ORDER_ADDR: replicas.map((r) => `127.0.0.1:${r.port}`).join(",") });
    upstreams = createUpstreams(config, createLogger("gateway", "silent", false));
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      seen.add((await upstreams.order.call.getOrder({ id: randomUUID() })).order?.customerId ?? "?");
    }
    expect([...seen].sort()).toEqual(["replica-1", "replica-2"]);
  });

  it("sends concurrent lookups of orders as one BatchGetOrders, and a later lookup as another", async () => {
    const received: string[][] = [];
    replicas = [await orderReplica("replica-1", 200, received)];
    upstreams = createUpstreams(
      testConfig({ ORDER_ADDR: `127.0.0.1:${replicas[0]?.port}` }),
      createLogger("gateway", "silent", false),
    );
    const [one, two] = [randomUUID(), randomUUID()];
    const ids = [one, two, one.toUpperCase(), one];
    const answers = await Promise.all(ids.map((id) => upstreams!.order.call.getOrder({ id })));
    expect(answers.map((a) => a.order?.id)).toEqual([one, two, one, one]);
    expect(received).toEqual([[one, two, one, one]]);
    await upstreams.order.call.getOrder({ id: one });
    expect(received).toEqual([[one, two, one, one], [one]]);
  });

  it("takes a list for ORDER_ADDR only, of IPv4 addresses", () => {
    expect(() => testConfig({ ORDER_ADDR: "order-1:50051,order-2:50051" })).toThrow(/ORDER_ADDR/);
    expect(() => testConfig({ INVENTORY_ADDR: "127.0.0.1:1,127.0.0.1:2" })).toThrow(
      /INVENTORY_ADDR: expected host:port/,
    );
  });
});
