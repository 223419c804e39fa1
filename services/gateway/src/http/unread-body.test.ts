import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { rawConnection, type RawConnection } from "../testing/raw-http";
import { bearer, testApp } from "../testing/test-app";

let app: GatewayApp;
let socket: RawConnection | undefined;
afterEach(async () => {
  socket?.destroy();
  await app.close();
});

async function listening(): Promise<URL> {
  app = testApp(fakeUpstreams());
  return new URL(await app.listen({ host: "127.0.0.1", port: 0 }));
}

function rawClient(url: URL): RawConnection {
  const connection = rawConnection(url);
  socket = connection;
  return connection;
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
    await client.write(
      `POST /v1/orders HTTP/1.1\r\nhost: x\r\nauthorization: ${await bearer("c1", "customer")}\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n`,
    );
    expect(await client.answers(1)).toEqual(["413"]);
    await client.closedBy(5_000); // the gateway closes it after the answer: wait for that, not a fixed time
    expect(client.closed).toBe(true);
  });
});
