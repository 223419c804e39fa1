import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS_PORTS, DEFAULT_PORTS, startPortsFromEnv } from "./start-ports";

describe("npm start's ports from the environment", () => {
  it("are deploy/'s defaults without any variable", () => {
    expect(startPortsFromEnv({})).toEqual({ ports: DEFAULT_PORTS, metricsPorts: DEFAULT_METRICS_PORTS });
  });

  it("move the metrics port with its service (port + 1000), so a second copy on other ports does not collide", () => {
    const second = startPortsFromEnv({
      GATEWAY_PORT: "8081",
      ORDER_PORT: "50061",
      INVENTORY_PORT: "50062",
      PAYMENT_PORT: "50063",
      RIDER_PORT: "50064",
    });
    expect(second.ports).toEqual({ gateway: 8081, order: 50061, inventory: 50062, payment: 50063, rider: 50064 });
    expect(second.metricsPorts).toEqual({
      gateway: 9081,
      order: 51061,
      inventory: 51062,
      payment: 51063,
      rider: 51064,
    });
    const first = startPortsFromEnv({});
    const all = (p: typeof first) => [...Object.values(p.ports), ...Object.values(p.metricsPorts)];
    expect(all(second).filter((p) => all(first).includes(p))).toEqual([]);
  });

  it("take <SERVICE>_METRICS_PORT as given, 0 (any free port) and -1 (none) included", () => {
    const { metricsPorts } = startPortsFromEnv({
      GATEWAY_METRICS_PORT: "19460",
      ORDER_METRICS_PORT: "0",
      RIDER_METRICS_PORT: "-1",
    });
    expect(metricsPorts).toEqual({ ...DEFAULT_METRICS_PORTS, gateway: 19460, order: 0, rider: -1 });
  });

  it("refuse a value that is not a port, or one port given twice, naming the variables", () => {
    expect(() => startPortsFromEnv({ ORDER_PORT: "5005x" })).toThrow(/ORDER_PORT=5005x/);
    expect(() => startPortsFromEnv({ GATEWAY_METRICS_PORT: "70000" })).toThrow(/GATEWAY_METRICS_PORT/);
    expect(() => startPortsFromEnv({ PAYMENT_METRICS_PORT: "9461" })).toThrow(
      /PAYMENT_METRICS_PORT and ORDER_METRICS_PORT|ORDER_METRICS_PORT and PAYMENT_METRICS_PORT/,
    );
    expect(() => startPortsFromEnv({ RIDER_PORT: "65000" })).toThrow(/RIDER_METRICS_PORT/);
  });
});
