import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { paymentV1 } from "@qc/contracts";
import { Client, credentials, Metadata, status, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../config";
import { ResilientTarget } from "../resilience";
import { createTestPki, type TestPki } from "./test-pki";
import { createGrpcClient } from "./client";
import { implement, startGrpcServer } from "./server";
import { RemoteError } from "./status";
import { grpcTransport, plaintextTransport, type GrpcTransport } from "./tls";

const definition = paymentV1.PaymentServiceService;
const silent = pino({ level: "silent" });
const notUsed = () => Promise.reject(new Error("not used"));

let pki: TestPki;
let otherPki: TestPki;
beforeAll(() => {
  pki = createTestPki("unit");
  otherPki = createTestPki("unit-other");
});
afterAll(() => {
  pki.remove();
  otherPki.remove();
});

/** Clients and servers a test opened, undone after it: clients first. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(transport: GrpcTransport): Promise<number> {
  const handlers = {
    getWallet: async ({ customerId }: { customerId: string }) => ({
      wallet: { customerId, balanceCents: 7, currency: "EUR" },
    }),
    charge: notUsed,
    refund: notUsed,
    credit: notUsed,
  };
  const server = await startGrpcServer(
    [{ definition, implementation: implement(definition, handlers, silent) }],
    "127.0.0.1",
    0,
    { transport },
  );
  cleanups.push(() => server.stop(100));
  return server.port;
}

/** GetWallet through the platform's client with `transport`: the balance, or the gRPC status it failed with. */
async function getWallet(port: number, transport: GrpcTransport): Promise<number | string> {
  const client = createGrpcClient(definition, `127.0.0.1:${port}`, {
    transport,
    resilience: new ResilientTarget("test", "payment", {
      timeoutMs: 2_000,
      breakerThreshold: 100,
      halfOpenAfterMs: 1_000,
      retryAttempts: 1,
      retryInitialDelayMs: 1,
    }),
    retrySafe: [],
  });
  cleanups.push(() => client.close());
  return client.call.getWallet({ customerId: "c1", currency: "" }).then(
    (r) => r.wallet?.balanceCents ?? -1,
    (err: unknown) => (err instanceof RemoteError ? `status ${status[err.grpcStatus]}` : String(err)),
  );
}

/** GetWallet through a bare grpc-js client with the given credentials: the status code. */
function rawGetWallet(port: number, creds: ChannelCredentials): Promise<number> {
  const client = new Client(`127.0.0.1:${port}`, creds);
  cleanups.push(() => client.close());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      definition.getWallet.path,
      definition.getWallet.requestSerialize,
      definition.getWallet.responseDeserialize,
      { customerId: "c1", currency: "" },
      new Metadata(),
      { deadline: Date.now() + 2_000 },
      (err: ServiceError | null) => resolve(err ? err.code : status.OK),
    );
  });
}

describe("grpcTransport: configuration", () => {
  it("is plaintext when no GRPC_TLS_* is set", () => {
    expect(grpcTransport({}).mode).toBe("plaintext");
    expect(grpcTransport({ GRPC_TLS_CA: undefined, GRPC_TLS_CERT: undefined, GRPC_TLS_KEY: undefined })).toBe(
      plaintextTransport,
    );
  });

  it("is mutual TLS with all three files", () => {
    expect(grpcTransport(pki.issue("complete").env).mode).toBe("mtls");
  });

  it("refuses some but not all of the three, naming the missing ones", () => {
    const { GRPC_TLS_CA } = pki.issue("partial").env;
    expect(() => grpcTransport({ GRPC_TLS_CA })).toThrow(ConfigError);
    expect(() => grpcTransport({ GRPC_TLS_CA })).toThrow(/GRPC_TLS_CERT, GRPC_TLS_KEY: required with GRPC_TLS_CA/);
  });

  it("refuses a file it cannot read, naming the variable and the path", () => {
    const env = { ...pki.issue("unreadable").env, GRPC_TLS_KEY: join(pki.dir, "nowhere.key") };
    expect(() => grpcTransport(env)).toThrow(/GRPC_TLS_KEY: cannot read .*nowhere\.key \(ENOENT\)/);
  });

  it("refuses a file that is not a certificate, and a key of another certificate", () => {
    const issued = pki.issue("mixed-up");
    const notPem = join(pki.dir, "not.pem");
    writeFileSync(notPem, "hello\n");
    expect(() => grpcTransport({ ...issued.env, GRPC_TLS_CERT: notPem })).toThrow(
      /GRPC_TLS_CERT: .*not a PEM certificate/,
    );
    expect(() => grpcTransport({ ...issued.env, GRPC_TLS_CA: issued.key })).toThrow(
      /GRPC_TLS_CA: .*not a PEM certificate/,
    );
    expect(() => grpcTransport({ ...issued.env, GRPC_TLS_KEY: pki.issue("someone-else").key })).toThrow(
      /GRPC_TLS_KEY: .*does not fit/,
    );
  });
});

describe("grpcTransport: a server and its callers", () => {
  it("answers a client that presents a certificate of the same CA", async () => {
    const port = await serve(grpcTransport(pki.issue("server").env));
    expect(await getWallet(port, grpcTransport(pki.issue("client").env))).toBe(7);
  });

  it("refuses a client without a certificate", async () => {
    const port = await serve(grpcTransport(pki.issue("server").env));
    expect(await rawGetWallet(port, credentials.createSsl(pki.issue("anyone").read().ca))).toBe(status.UNAVAILABLE);
  });

  it("refuses a client whose certificate another CA signed", async () => {
    const port = await serve(grpcTransport(pki.issue("server").env));
    const stranger = otherPki.issue("stranger").read();
    expect(
      await rawGetWallet(port, credentials.createSsl(pki.issue("anyone").read().ca, stranger.key, stranger.cert)),
    ).toBe(status.UNAVAILABLE);
  });

  it("refuses a plaintext client", async () => {
    const port = await serve(grpcTransport(pki.issue("server").env));
    expect(await getWallet(port, plaintextTransport)).toBe("status UNAVAILABLE");
  });

  it("keeps a client from a server its CA did not sign", async () => {
    const port = await serve(grpcTransport(otherPki.issue("impostor").env));
    expect(await getWallet(port, grpcTransport(pki.issue("client").env))).toBe("status UNAVAILABLE");
  });

  it("fails a TLS client against a plaintext server", async () => {
    const port = await serve(plaintextTransport);
    expect(await getWallet(port, grpcTransport(pki.issue("client").env))).toBe("status UNAVAILABLE");
  });
});
