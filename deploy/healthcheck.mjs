#!/usr/bin/env node
// Container health check for the platform's services; exits 0 when healthy, 1 otherwise.
//
//   node deploy/healthcheck.mjs grpc [host:]port [service]   grpc.health.v1.Health/Check == SERVING
//   node deploy/healthcheck.mjs http URL                     any 2xx answer
//   node deploy/healthcheck.mjs tcp  [host:]port             the port accepts a connection
//
// The gRPC check speaks the standard health protocol (the same one Kubernetes' native gRPC probe and
// grpc_health_probe use) through @grpc/grpc-js, which is in the image. The two one-field messages
// are encoded by hand, so no .proto file or proto loader is needed. HEALTHCHECK_TIMEOUT_MS (default
// 2000) bounds the whole check. With GRPC_TLS_CA, GRPC_TLS_CERT and GRPC_TLS_KEY set (the service's
// own mutual-TLS files, as the service reads them) the check connects over TLS with that client
// certificate, so the certificate must name the address dialled (127.0.0.1).
import { readFileSync } from "node:fs";
import net from "node:net";

const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2000);
const SERVING_STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

function usage() {
  console.error("usage: healthcheck.mjs grpc [host:]port [service] | http URL | tcp [host:]port");
  process.exit(2);
}

function parseTarget(arg) {
  if (!arg) usage();
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(arg);
  if (!m) usage();
  return { host: m[1] ?? "127.0.0.1", port: Number(m[2]) };
}

/** HealthCheckRequest { string service = 1; } */
function encodeRequest(service) {
  const bytes = Buffer.from(service, "utf8");
  if (bytes.length === 0) return Buffer.alloc(0);
  const len = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; } — other fields are skipped. */
function decodeResponse(buf) {
  let i = 0;
  let status = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (i >= buf.length) throw new Error("truncated health response");
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      const v = varint();
      if (field === 1) status = v;
    } else if (wire === 2) i += varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unexpected wire type ${wire} in health response`);
  }
  return status;
}

/** Mutual TLS when the service is configured for it, plaintext otherwise. */
function channelCredentials(grpc) {
  const { GRPC_TLS_CA: ca, GRPC_TLS_CERT: cert, GRPC_TLS_KEY: key } = process.env;
  if (!ca || !cert || !key) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(readFileSync(ca), readFileSync(key), readFileSync(cert));
}

async function checkGrpc(target, service) {
  const grpc = await import("@grpc/grpc-js");
  const client = new grpc.Client(`${target.host}:${target.port}`, channelCredentials(grpc));
  try {
    const status = await new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        (s) => encodeRequest(s),
        (b) => decodeResponse(b),
        service,
        new grpc.Metadata(),
        { deadline: Date.now() + TIMEOUT_MS },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
    });
    const name = SERVING_STATUS[status] ?? `status ${status}`;
    if (status === 1) return true;
    console.error(`grpc ${target.host}:${target.port} service "${service}": ${name}`);
    return false;
  } catch (err) {
    const code = err && typeof err.code === "number" ? grpc.status[err.code] : undefined;
    console.error(`grpc ${target.host}:${target.port} service "${service}": ${code ?? ""} ${err?.details ?? err?.message ?? err}`);
    return false;
  } finally {
    client.close();
  }
}

async function checkHttp(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.ok) return true;
    console.error(`http ${url}: ${res.status}`);
    return false;
  } catch (err) {
    console.error(`http ${url}: ${err?.cause?.code ?? err?.message ?? err}`);
    return false;
  }
}

function checkTcp(target) {
  return new Promise((resolve) => {
    const socket = net.connect(target.port, target.host);
    const done = (ok, why) => {
      if (!ok) console.error(`tcp ${target.host}:${target.port}: ${why}`);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(TIMEOUT_MS, () => done(false, "timeout"));
    socket.once("connect", () => done(true));
    socket.once("error", (err) => done(false, err.code ?? err.message));
  });
}

const [mode, arg, service = ""] = process.argv.slice(2);
let healthy;
if (mode === "grpc") healthy = await checkGrpc(parseTarget(arg), service);
else if (mode === "http") healthy = arg ? await checkHttp(arg) : usage();
else if (mode === "tcp") healthy = await checkTcp(parseTarget(arg));
else usage();
process.exit(healthy ? 0 : 1);
