import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * How the proxy treats traffic:
 * - pass: forwards both ways;
 * - refuse: closes every new connection at once (the service looks down);
 * - blackhole: accepts connections and data but never forwards or answers (a hung network);
 * - delay: forwards each chunk after `delayMs`;
 * - drop-responses: forwards requests but swallows every answer (the call arrives, the caller never
 *   learns its outcome).
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
  /** Connections accepted so far, whatever the mode: proof of whether a caller touched the network. */
  connections = 0;

  constructor(
    private readonly targetPort: number,
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
    const forward = (from: Socket, to: Socket, isResponse: boolean) =>
      from.on("data", (chunk: Buffer) => {
        const mode = this.mode;
        if (mode.kind === "blackhole" || (isResponse && mode.kind === "drop-responses")) return;
        if (mode.kind === "delay") setTimeout(() => to.writable && to.write(chunk), mode.delayMs);
        else if (to.writable) to.write(chunk);
      });
    forward(client, upstream, false);
    forward(upstream, client, true);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  }
}
