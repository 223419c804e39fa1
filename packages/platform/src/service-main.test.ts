import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isListeningMessage, type ListeningMessage } from "./readiness";

const child = fileURLToPath(new URL("./testing/fixtures/service-main-child.ts", import.meta.url));

function start(mode: string) {
  const proc = fork(child, [mode], { execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  proc.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // "close", not "exit": a process can exit before its output has been read from the pipes.
  const exited = new Promise<number | null>((resolve) => proc.once("close", (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

describe("runService", () => {
  it("exits 1 with the configuration's message when the environment is invalid", async () => {
    const service = start("fail");
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain("FIXTURE_PORT: expected a number");
  });

  it("announces the port it serves on, then stops the service on SIGTERM and exits 0", async () => {
    const service = start("ok");
    const listening = await new Promise<ListeningMessage>((resolve) =>
      service.proc.on("message", (m) => {
        if (isListeningMessage(m)) resolve(m);
      }),
    );
    expect(listening.port).toBe(4321);
    // Serving until told to stop: a process that ended on its own here would never say "stopped".
    await new Promise((r) => setTimeout(r, 300));
    expect(service.proc.exitCode).toBeNull();
    service.proc.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    expect(service.output()).toContain("fixture service listening");
    expect(service.output()).toContain("fixture stopped");
  });
});
