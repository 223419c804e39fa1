// Runs deploy/healthcheck.mjs against a real gRPC health server (the official grpc-health-check
// implementation on @grpc/grpc-js) and a real HTTP server, on loopback ports, and checks its exit
// codes. Used by scripts/validate-deploy.sh; exits non-zero when any expectation fails.
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

const script = fileURLToPath(new URL("../healthcheck.mjs", import.meta.url));

const run = (...args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stderr: stderr.trim() }));
  });

const health = new HealthImplementation({ "": "SERVING", "qc.order.v1.OrderService": "NOT_SERVING" });
const server = new Server();
health.addToServer(server);
const grpcPort = await new Promise((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
);
const httpServer = http.createServer((req, res) => {
  res.statusCode = req.url === "/healthz" ? 200 : 503;
  res.end();
});
await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
const httpPort = httpServer.address().port;
// A port nothing listens on: bind, note, close.
const closedPort = await new Promise((resolve) => {
  const s = http.createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const cases = [
  ["grpc overall SERVING", ["grpc", `127.0.0.1:${grpcPort}`], 0],
  ["grpc port only", ["grpc", String(grpcPort)], 0],
  ["grpc service NOT_SERVING", ["grpc", `127.0.0.1:${grpcPort}`, "qc.order.v1.OrderService"], 1],
  ["grpc unknown service", ["grpc", `127.0.0.1:${grpcPort}`, "no.such.Service"], 1],
  ["grpc nothing listening", ["grpc", `127.0.0.1:${closedPort}`], 1],
  ["http 200", ["http", `http://127.0.0.1:${httpPort}/healthz`], 0],
  ["http 503", ["http", `http://127.0.0.1:${httpPort}/readyz`], 1],
  ["http nothing listening", ["http", `http://127.0.0.1:${closedPort}/healthz`], 1],
  ["tcp open", ["tcp", `127.0.0.1:${grpcPort}`], 0],
  ["tcp closed", ["tcp", `127.0.0.1:${closedPort}`], 1],
  ["usage error", ["bogus"], 2],
];

let failed = 0;
for (const [name, args, want] of cases) {
  const { code, stderr } = await run(...args);
  const ok = code === want;
  if (!ok) failed++;
  console.log(`  ${ok ? "ok  " : "FAIL"} healthcheck ${name}: exit ${code} (want ${want})${stderr && !ok ? ` — ${stderr}` : ""}`);
}
// Flipping the status at run time is seen by the next check.
health.setStatus("", "NOT_SERVING");
const flipped = await run("grpc", `127.0.0.1:${grpcPort}`);
if (flipped.code !== 1) failed++;
console.log(`  ${flipped.code === 1 ? "ok  " : "FAIL"} healthcheck after NOT_SERVING: exit ${flipped.code} (want 1)`);

server.forceShutdown();
httpServer.close();
process.exit(failed === 0 ? 0 : 1);
