import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePorts } from "./ports";
import { PortTakenError, ServiceProcess } from "./service-process";

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

/** The rider service keeps riders in memory without REDIS_URL: a real service that needs nothing else. */
const rider = (port: number, metricsPort: number) =>
  new ServiceProcess(
    "rider",
    port,
    { PATH: process.env.PATH, RIDER_PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: "warn" },
    () => undefined,
  );

describe("ServiceProcess", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("is started once the service itself says it listens", async () => {
    const [port, metricsPort] = await freePorts(2);
    const service = rider(port!, metricsPort!);
    cleanups.push(() => service.stop());
    await service.start();
    expect(service.running).toBe(true);
    expect(await service.stop()).toBe(0);
  });

  it("fails to start when another process holds its port, though that port answers", async () => {
    const [port, metricsPort] = await freePorts(2);
    const squatter = await listen(port!);
    cleanups.push(() => new Promise((resolve) => squatter.close(resolve)));
    const service = rider(port!, metricsPort!);
    cleanups.push(() => service.kill());
    await expect(service.start()).rejects.toBeInstanceOf(PortTakenError);
    expect(service.running).toBe(false);
  });
});

describe("freePorts", () => {
  it("picks distinct ports, each free to listen on", async () => {
    const ports = await freePorts(40);
    expect(new Set(ports).size).toBe(40);
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
});
