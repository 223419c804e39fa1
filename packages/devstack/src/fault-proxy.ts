import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * How the proxy treats traffic:
 * - pass: forwards both ways;
 * - refuse: closes every new connection at once (the service looks down);
 * - blackhole: accepts connections and data but never forwards or answers (a hung network);
 * - delay: forwards each chunk after `delayMs`;
 * - drop-responses: forwards requests but swallows the answers to them: the HTTP/2 frames of every
 *   stream, while connection-level frames (settings, pings) pass so connections still open. The call
 *   arrives; the caller never learns its outcome. Switch back with `cut`, since the dropped headers
 *   leave the connection's header compression out of step.
 */
export type FaultMode =
  | { kind: "pass" }
  | { kind: "refuse" }
  | { kind: "blackhole" }
  | { kind: "delay"; delayMs: number }
  | { kind: "drop-responses" };

/** A TCP proxy between two real processes that injects network faults on command. */
export class FaultProxy {
  private mode: FaultMode = { kind: "pass" };
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private boundPort = 0;
  /** Connections accepted so far, whatever the mode. */
  connections = 0;
  /** HTTP/2 streams (gRPC calls) callers started through the proxy: proof of whether a call touched the network. */
  callsStarted = 0;

  /**
   * `protocol` says what flows through: "http2" (gRPC; calls are counted and drop-responses drops
   * stream frames only) or "raw" (any TCP protocol, e.g. Redis; drop-responses drops every answer byte).
   */
  constructor(
    private readonly targetPort: number,
    private readonly protocol: "http2" | "raw" = "http2",
    private readonly targetHost = "127.0.0.1",
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  async listen(port = 0): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(port, "127.0.0.1", () => resolve());
    });
    const address = this.server.address();
    this.boundPort = typeof address === "object" && address ? address.port : port;
  }

  /** Changes the mode for new traffic; `cut` also drops every open connection. */
  set(mode: FaultMode, options: { cut?: boolean } = {}): void {
    this.mode = mode;
    if (options.cut) this.cutAll();
  }

  cutAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    this.connections++;
    if (this.mode.kind === "refuse") {
      client.destroy();
      return;
    }
    if (this.mode.kind === "blackhole") {
      client.resume(); // swallow everything, answer nothing
      return;
    }
    const upstream = connect({ port: this.targetPort, host: this.targetHost });
    this.track(upstream);
    const send = (to: Socket, chunk: Buffer) => {
      const mode = this.mode;
      if (mode.kind === "blackhole") return;
      if (mode.kind === "delay") setTimeout(() => to.writable && to.write(chunk), mode.delayMs);
      else if (to.writable) to.write(chunk);
    };
    if (this.protocol === "raw") {
      client.on("data", (chunk: Buffer) => send(upstream, chunk));
      upstream.on("data", (chunk: Buffer) => this.mode.kind !== "drop-responses" && send(client, chunk));
      return;
    }
    const requests = new Http2FrameSplitter(CLIENT_PREFACE.length);
    client.on("data", (chunk: Buffer) => {
      for (const frame of requests.push(chunk))
        if (frame.type === HEADERS && frame.streamId % 2 === 1) this.callsStarted++;
      send(upstream, chunk);
    });
    // Answers are cut into HTTP/2 frames so that drop-responses can tell stream frames from the rest.
    const frames = new Http2FrameSplitter();
    upstream.on("data", (chunk: Buffer) => {
      for (const frame of frames.push(chunk)) {
        if (this.mode.kind === "drop-responses" && frame.streamId !== 0) continue;
        send(client, frame.bytes);
      }
    });
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  }
}

const CLIENT_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HEADERS = 0x1;

/** Splits an HTTP/2 byte stream into whole frames (9-byte header + payload), after a preface to skip. */
class Http2FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private skip = 0) {}

  push(chunk: Buffer): { type: number; streamId: number; bytes: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, this.pending.length);
      this.pending = this.pending.subarray(skipped);
      this.skip -= skipped;
    }
    const frames: { type: number; streamId: number; bytes: Buffer }[] = [];
    while (this.pending.length >= 9) {
      const size = 9 + this.pending.readUIntBE(0, 3);
      if (this.pending.length < size) break;
      frames.push({
        type: this.pending.readUInt8(3),
        streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
        bytes: this.pending.subarray(0, size),
      });
      this.pending = this.pending.subarray(size);
    }
    return frames;
  }
}
