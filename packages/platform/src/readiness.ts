/** The message a service sends its supervisor once it serves (see `announceListening`). */
export interface ListeningMessage {
  readonly type: "listening";
  readonly port: number;
}

export const isListeningMessage = (m: unknown): m is ListeningMessage =>
  typeof m === "object" &&
  m !== null &&
  (m as { type?: unknown }).type === "listening" &&
  typeof (m as { port?: unknown }).port === "number";

/**
 * Tells a supervisor that spawned this process with an IPC channel (the devstack; PM2's `wait_ready`
 * works the same way) that it now listens on `port`; a no-op without one. A port that merely answers
 * is no proof: another process may hold it, and this one may be about to exit with EADDRINUSE.
 */
export function announceListening(port: number): void {
  if (!process.send) return;
  const message: ListeningMessage = { type: "listening", port };
  process.send(message);
  // The channel must not keep the process alive once its servers close.
  process.channel?.unref();
}
