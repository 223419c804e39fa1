import { Client, credentials, Metadata, type ClientReadableStream, type MethodDefinition } from "@grpc/grpc-js";
import { service as healthDefinition } from "grpc-health-check";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startGrpcServer, type RunningGrpcServer } from "./grpc/server";
import { plaintextTransport } from "./grpc/tls";
import { createHealthClient, HealthService, LIVENESS_SERVICE, type HealthClient } from "./health";

const SERVICE = "qc.test.v1.TestService";
const silent = pino({ level: "silent" });

let server: RunningGrpcServer | null = null;
let client: HealthClient | null = null;
let health: HealthService | null = null;
afterEach(async () => {
  health?.shutdown();
  client?.close();
  await server?.stop(1_000);
  server = client = health = null;
});

async function serve(probe: () => boolean) {
  health = new HealthService({
    services: [SERVICE],
    probes: { database: async () => probe() },
    intervalMs: 20,
    logger: silent,
  });
  await health.start();
  server = await startGrpcServer([health.grpcService], "127.0.0.1", 0, { transport: plaintextTransport });
  client = createHealthClient(`127.0.0.1:${server.port}`, plaintextTransport);
  return { health, server, client };
}

const until = async (what: () => Promise<boolean>) => {
  const deadline = Date.now() + 5_000;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("grpc.health.v1 service", () => {
  it("answers Check for the process and for each service, following the probe", async () => {
    let up = true;
    const { client: c } = await serve(() => up);
    expect(await c.check("", 1_000)).toBe("SERVING");
    expect(await c.check(SERVICE, 1_000)).toBe("SERVING");
    expect(await c.check("qc.other.v1.Nope", 1_000)).toBe("SERVICE_UNKNOWN");
    up = false;
    await until(async () => (await c.check("", 1_000)) === "NOT_SERVING");
    expect(await c.check(SERVICE, 1_000)).toBe("NOT_SERVING");
    up = true;
    await until(async () => (await c.check(SERVICE, 1_000)) === "SERVING");
  });

  it("answers the liveness check SERVING while a dependency is down (not ready is not dead), NOT_SERVING once shutting down", async () => {
    let up = false;
    const { client: c, health: h } = await serve(() => up);
    expect(await c.check("", 1_000)).toBe("NOT_SERVING");
    expect(await c.check(LIVENESS_SERVICE, 1_000)).toBe("SERVING");
    up = true;
    await until(async () => (await c.check("", 1_000)) === "SERVING");
    up = false;
    await until(async () => (await c.check("", 1_000)) === "NOT_SERVING");
    expect(await c.check(LIVENESS_SERVICE, 1_000)).toBe("SERVING");
    h.shutdown();
    expect(await c.check(LIVENESS_SERVICE, 1_000)).toBe("NOT_SERVING");
  });

  it("is NOT_SERVING from the start when the probe fails", async () => {
    const { client: c } = await serve(() => false);
    expect(await c.check("", 1_000)).toBe("NOT_SERVING");
  });

  it("streams changes to Watch, and on shutdown sends NOT_SERVING and ends the stream so the server can stop", async () => {
    let up = true;
    const { server: s, health: h } = await serve(() => up);
    const raw = new Client(`127.0.0.1:${s.port}`, credentials.createInsecure());
    const watch = healthDefinition.Watch as unknown as MethodDefinition<{ service: string }, { status: string }>;
    const stream: ClientReadableStream<{ status: string }> = raw.makeServerStreamRequest(
      watch.path,
      watch.requestSerialize,
      watch.responseDeserialize,
      { service: SERVICE },
      new Metadata(),
    );
    const seen: string[] = [];
    const ended = new Promise<void>((resolve) => {
      stream.on("data", (m: { status: string }) => seen.push(m.status));
      stream.on("status", () => resolve());
      stream.on("error", () => undefined);
    });
    await until(async () => seen.length === 1);
    up = false;
    await until(async () => seen.length === 2);
    up = true;
    await until(async () => seen.length === 3);
    h.shutdown();
    await ended;
    expect(seen).toEqual(["SERVING", "NOT_SERVING", "SERVING", "NOT_SERVING"]);
    const started = Date.now();
    await s.stop(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    raw.close();
    server = null;
  });

  it("reports an address where nothing listens as unreachable", async () => {
    client = createHealthClient("127.0.0.1:1", plaintextTransport);
    expect(await client.check("", 300)).toBe("UNREACHABLE");
  });
});
