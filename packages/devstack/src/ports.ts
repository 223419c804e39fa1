import { connect, createServer, type Server } from "node:net";

/**
 * `count` distinct ports that were free a moment ago (the OS picks them). They are held all at once
 * while picked: ports picked one after another may repeat, as each is free again once its probe closes.
 * None is in `avoid`: ports already promised to a process that has not bound them yet.
 */
export async function freePorts(count: number, avoid: Iterable<number> = []): Promise<number[]> {
  const promised = new Set(avoid);
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    while (ports.length < count) {
      const server = createServer();
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          if (typeof address === "object" && address) resolve(address.port);
          else reject(new Error("no port"));
        });
      });
      // A promised port stays held (so the OS does not hand it out again) but is not returned.
      if (!promised.has(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(
      servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
    );
  }
}

/** A port that was free a moment ago (the OS picks it); good enough for local processes and tests. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
