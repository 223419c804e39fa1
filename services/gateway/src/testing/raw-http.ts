import { connect } from "node:net";

/** One HTTP answer as it came over the wire. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * A raw HTTP/1.1 client on a plain TCP socket, so a test decides exactly which bytes are sent and
 * when (half a body, a malformed request line, nothing at all), which fetch and inject cannot do.
 */
export function rawConnection(url: URL) {
  const socket = connect(Number(url.port), url.hostname);
  let received = "";
  let error: Error | undefined;
  let ended = false;
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (received += d));
  socket.on("error", (e) => (error = e));
  socket.on("close", () => (ended = true));

  const until = async (done: () => boolean, withinMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + withinMs;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`${what} not within ${withinMs} ms; got ${JSON.stringify(received.slice(0, 500))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  return {
    write: (data: string) =>
      new Promise<void>((resolve, reject) => socket.write(data, (e) => (e ? reject(e) : resolve()))),
    /** Waits until the bytes received so far hold `count` complete answers' status lines and bodies. */
    async answers(count: number, withinMs = 5_000): Promise<string[]> {
      const statuses = () => [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]!);
      await until(
        () => {
          if (error) throw error;
          if (ended && statuses().length < count) throw new Error(`closed after ${JSON.stringify(received)}`);
          return statuses().length >= count && received.endsWith("}");
        },
        withinMs,
        `${count} answers`,
      );
      return statuses();
    },
    /** Waits until the server has closed the connection; what it sent before, parsed (null: nothing). */
    async closedBy(withinMs: number): Promise<RawAnswer | null> {
      await until(() => ended, withinMs, "the server closing the connection");
      return parseAnswer(received);
    },
    get closed() {
      return ended || socket.destroyed || socket.readableEnded;
    },
    destroy: () => socket.destroy(),
    /** Goes away with a TCP reset (RST) instead of a clean close (FIN), as a crashed client or a proxy does. */
    reset: () => socket.resetAndDestroy(),
  };
}

export type RawConnection = ReturnType<typeof rawConnection>;

/** The first answer in `text`, or null when nothing was answered. */
export function parseAnswer(text: string): RawAnswer | null {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const [statusLine = "", ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
  );
  return { status, headers, body: text.slice(end + 4) };
}
