import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { orderV1 } from "@qc/contracts";
import { plaintextTransport, startGrpcServer, type RunningGrpcServer } from "@qc/platform/grpc";
import { createLogger } from "@qc/platform/log";
import { afterEach, describe, expect, it } from "vitest";
import { closeUpstreams, createUpstreams, type Upstreams } from "./upstreams";
import { testConfig } from "./testing/test-app";

/**
 * An order-service replica whose GetOrder answers with the replica's name as the order's customer,
 * after `delayMs`, counting the calls it received in `received`.
 */
async function orderReplica(name: string, delayMs = 0, received: string[] = []): Promise<RunningGrpcServer> {
  const implementation: UntypedServiceImplementation = {
    getOrder: (call: { request: { id: string } }, callback: (err: null, res: unknown) => void) => {
      received.push(call.request.id);
      setTimeout(
        () => callback(null, { order: orderV1.Order.fromPartial({ id: call.request.id, customerId: name }) }),
        delayMs,
      );
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
      seen.add((await upstreams.order.call.getOrder({ id: `o-${i}` })).order?.customerId ?? "?");
    }
    expect([...seen].sort()).toEqual(["replica-1", "replica-2"]);
  });

  it("sends concurrent lookups of one order as one GetOrder, and a later lookup as another", async () => {
    const received: string[] = [];
    replicas = [await orderReplica("replica-1", 200, received)];
    upstreams = createUpstreams(
      testConfig({ ORDER_ADDR: `127.0.0.1:${replicas[0]?.port}` }),
      createLogger("gateway", "silent", false),
    );
    const answers = await Promise.all([1, 2, 3, 4].map(() => upstreams!.order.call.getOrder({ id: "o-1" })));
    expect(answers.map((a) => a.order?.id)).toEqual(["o-1", "o-1", "o-1", "o-1"]);
    expect(received).toEqual(["o-1"]);
    await upstreams.order.call.getOrder({ id: "o-1" });
    expect(received).toEqual(["o-1", "o-1"]);
  });

  it("takes a list for ORDER_ADDR only, of IPv4 addresses", () => {
    expect(() => testConfig({ ORDER_ADDR: "order-1:50051,order-2:50051" })).toThrow(/ORDER_ADDR/);
    expect(() => testConfig({ INVENTORY_ADDR: "127.0.0.1:1,127.0.0.1:2" })).toThrow(
      /INVENTORY_ADDR: expected host:port/,
    );
  });
});
