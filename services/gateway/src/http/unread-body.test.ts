import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { bearer, testApp } from "../testing/test-app";

let app: GatewayApp;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await app.close();
});

async function listening(): Promise<URL> {
  app = testApp(fakeUpstreams());
  return new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
}

/** A raw HTTP/1.1 client, so the test decides when each part of the body is sent. */
function rawClient(url: URL) {
  const s = connect(Number(url.port), url.hostname);
  socket = s;
  let received = "";
  let error: Error | undefined;
  s.setEncoding("utf8");
  s.on("data", (d: string) => (received += d));
  s.on("error", (e) => (error = e));
  return {
    write: (data: string) => new Promise<void>((resolve, reject) => s.write(data, (e) => (e ? reject(e) : resolve()))),
    /** Waits until the bytes received so far hold `count` complete answers' status lines and bodies. */
    async answers(count: number): Promise<string[]> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!);
        if (statuses.length >= count && received.endsWith("}")) return statuses;
        if (error || s.destroyed || Date.now() > deadline) throw error ?? new Error(`got ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    get closed() {
      return s.destroyed || s.readableEnded;
    },
  };
}

describe("a body refused before it was read", () => {
  // A client that writes its whole body before reading (fetch does) is still sending when the 413
  // goes out. Closing the socket then resets the connection under it: fetch failed with EPIPE.
  it("is answered 413 while the client goes on sending, which the gateway reads and discards, keeping the connection", async () => {
    const url = await listening();
    const client = rawClient(url);
    const bodyLength = 1_000_000;
    await client.write(
      `POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: ${await bearer("c1", "customer")}\r\n` +
        `content-type: application/json\r\ncontent-length: ${bodyLength}\r\n\r\n`,
    );
    expect(await client.answers(1)).toEqual(["413"]);
    // The rest of the body, after the answer: a closed socket would make these writes fail.
    for (let sent = 0; sent < bodyLength; sent += 100_000) {
      await client.write("x".repeat(100_000));
      await new Promise((r) => setTimeout(r, 5));
    }
    await client.write("GET /v1/no-such-route HTTP/1.1\r\nhost: x\r\n\r\n");
    expect(await client.answers(2)).toEqual(["413", "404"]);
    expect(client.closed).toBe(false);
  });

  it("still cuts off a client that declares more than it is worth reading", async () => {
    const url = await listening();
    const client = rawClient(url);
    await client.write(`POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: ${await bearer("c1", "customer")}\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n`);
    expect(await client.answers(1)).toEqual(["413"]);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.closed).toBe(true);
  });
});
