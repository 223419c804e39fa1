import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A byte-exact TCP proxy (for Postgres, Redis: any protocol) that can take its target away: "refuse"
 * closes new connections at once, `cut()` drops the open ones. devstack's FaultProxy speaks HTTP/2
 * frames and suits gRPC only.
 */
export class TcpProxy {
  private refusing = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((client) => this.accept(client));
  private boundPort = 0;

  private constructor(
    private readonly targetPort: number,
    private readonly targetHost: string,
  ) {}

  static async start(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort, targetHost);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const address = proxy.server.address();
    proxy.boundPort = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Refuses new connections and drops the open ones (the target looks down), or lets them through again. */
  set(mode: "pass" | "refuse"): void {
    this.refusing = mode === "refuse";
    if (this.refusing) this.cut();
  }

  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    return socket;
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = this.track(connect({ port: this.targetPort, host: this.targetHost }));
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  }
}
