import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A raw TCP proxy that can stop answering: "pass" forwards bytes both ways, "blackhole" accepts and
 * swallows them (a hung peer). Byte-exact, so it can stand in front of Redis.
 */
export class TcpSwitch {
  private mode: "pass" | "blackhole" = "pass";
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((client) => this.accept(client));
  private boundPort = 0;

  private constructor(private readonly targetPort: number) {}

  /** A switch in "pass" mode, listening on an ephemeral loopback port, in front of `targetPort`. */
  static async start(targetPort: number): Promise<TcpSwitch> {
    const proxy = new TcpSwitch(targetPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const address = proxy.server.address();
    proxy.boundPort = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  get port(): number {
    return this.boundPort;
  }

  set(mode: "pass" | "blackhole"): void {
    this.mode = mode;
  }

  /** Drops every open connection (what a network partition ends in). */
  cutAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    return socket;
  }

  private accept(client: Socket): void {
    const upstream = this.track(connect({ port: this.targetPort, host: "127.0.0.1" }));
    this.track(client);
    client.on("data", (chunk: Buffer) => this.mode === "pass" && upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => this.mode === "pass" && client.write(chunk));
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  }
}
