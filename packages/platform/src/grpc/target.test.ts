import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { paymentV1 } from "@qc/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { addresses, loadConfig } from "../config";
import { createHealthClient, HealthService } from "../health";
import { ResilientTarget } from "../resilience";
import { createGrpcClient } from "./client";
import { startGrpcServer, type RunningGrpcServer } from "./server";
import { channelTarget, isAddressList, isChannelAddress } from "./target";
import { plaintextTransport } from "./tls";
import { pino } from "pino";
import * as v from "valibot";

const definition = paymentV1.PaymentServiceService;
const resilience = () =>
  new ResilientTarget("test", "payment", {
    timeoutMs: 2_000,
    breakerThreshold: 100,
    halfOpenAfterMs: 1_000,
    retryAttempts: 1,
    retryInitialDelayMs: 1,
  });

/** A replica whose GetWallet answers with its own name as the customer id. */
async function replica(name: string): Promise<RunningGrpcServer> {
  const implementation: UntypedServiceImplementation = {
    getWallet: (_call: unknown, callback: (err: null, res: unknown) => void) =>
      callback(null, { wallet: { customerId: name, balanceCents: 0, currency: "EUR" } }),
  };
  const health = new HealthService({ services: [], probes: {}, logger: pino({ level: "silent" }) });
  await health.start();
  return startGrpcServer([{ definition, implementation }, health.grpcService], "127.0.0.1", 0, {
    transport: plaintextTransport,
  });
}

const running: RunningGrpcServer[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all(running.splice(0).map((s) => s.stop(100)));
});

describe("addresses of replicas", () => {
  it("accepts one host:port or a list of IPv4 ones, and refuses anything else", () => {
    expect(isChannelAddress("order:50051")).toBe(true);
    expect(isChannelAddress("127.0.0.1:50051,127.0.0.1:50061")).toBe(true);
    expect(isChannelAddress("order-1:50051,order-2:50051")).toBe(false); // names need a resolver: one Service address instead
    expect(isChannelAddress("127.0.0.1:50051,")).toBe(false);
    expect(isChannelAddress("127.0.0.1")).toBe(false);
    expect(isAddressList("127.0.0.1:50051")).toBe(false);
    const schema = v.object({ ORDER_ADDR: addresses("127.0.0.1:50051") });
    expect(loadConfig(schema, {}).ORDER_ADDR).toBe("127.0.0.1:50051");
    expect(loadConfig(schema, { ORDER_ADDR: "127.0.0.1:1,127.0.0.1:2" }).ORDER_ADDR).toBe("127.0.0.1:1,127.0.0.1:2");
    expect(() => loadConfig(schema, { ORDER_ADDR: "a:1,b:2" })).toThrow(
      /ORDER_ADDR: expected host:port, or a comma-separated list/,
    );
  });

  it("makes a list one round-robin channel over every replica, and leaves one address as it is", () => {
    expect(channelTarget("order:50051")).toEqual({ target: "order:50051", options: {} });
    const { target, options } = channelTarget("127.0.0.1:1,127.0.0.1:2");
    expect(target).toBe("ipv4:127.0.0.1:1,127.0.0.1:2");
    expect(JSON.parse(String(options["grpc.service_config"]))).toEqual({ loadBalancingConfig: [{ round_robin: {} }] });
  });

  it("sends calls to both replicas behind a list, and only to the live one when the other stops", async () => {
    const [a, b] = [await replica("a"), await replica("b")];
    running.push(a, b);
    const client = createGrpcClient(definition, `127.0.0.1:${a.port},127.0.0.1:${b.port}`, {
      transport: plaintextTransport,
      resilience: resilience(),
      retrySafe: ["getWallet"],
    });
    closers.push(() => client.close());
    const answeredBy = async (calls: number) => {
      const seen = new Map<string, number>();
      for (let i = 0; i < calls; i++) {
        const name = (await client.call.getWallet({ customerId: "x", currency: "" })).wallet?.customerId ?? "?";
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      return seen;
    };
    // Round robin starts once both subchannels are connected; the first calls may all go to one.
    await answeredBy(4);
    const both = await answeredBy(20);
    expect([...both.keys()].sort()).toEqual(["a", "b"]);
    expect(both.get("a")).toBeGreaterThanOrEqual(5);
    expect(both.get("b")).toBeGreaterThanOrEqual(5);

    await b.stop(100);
    expect([...(await answeredBy(10)).keys()]).toEqual(["a"]);

    const health = createHealthClient(`127.0.0.1:${a.port},127.0.0.1:${b.port}`, plaintextTransport);
    closers.push(() => health.close());
    expect(await health.check("", 2_000)).toBe("SERVING");
  });
});
