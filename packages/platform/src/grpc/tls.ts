import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { credentials, ServerCredentials, type ChannelCredentials } from "@grpc/grpc-js";
import { ConfigError, optionalString } from "../config";

/**
 * `GRPC_TLS_CA`, `GRPC_TLS_CERT`, `GRPC_TLS_KEY`: paths to PEM files (the CA that signs every
 * service's certificate; this process's certificate and its key). Spread into each service's config
 * schema; `grpcTransport` checks them together and reads the files.
 */
export const grpcTlsConfig = {
  GRPC_TLS_CA: optionalString,
  GRPC_TLS_CERT: optionalString,
  GRPC_TLS_KEY: optionalString,
};

export type GrpcTlsConfig = { readonly [K in keyof typeof grpcTlsConfig]?: string | undefined };

/** How this process's gRPC servers listen and its clients connect: one value for both sides. */
export interface GrpcTransport {
  /** `plaintext` on loopback by default; `mtls` when the three GRPC_TLS_* files are configured. */
  readonly mode: "plaintext" | "mtls";
  serverCredentials(): ServerCredentials;
  channelCredentials(): ChannelCredentials;
}

/** No TLS: the default for a platform on one machine, and for in-process tests. */
export const plaintextTransport: GrpcTransport = {
  mode: "plaintext",
  serverCredentials: () => ServerCredentials.createInsecure(),
  channelCredentials: () => credentials.createInsecure(),
};

const VARIABLES = ["GRPC_TLS_CA", "GRPC_TLS_CERT", "GRPC_TLS_KEY"] as const;

const invalid = (variable: string, message: string): ConfigError =>
  new ConfigError(`invalid configuration:\n  ${variable}: ${message}`);

function readPem(variable: (typeof VARIABLES)[number], path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw invalid(variable, `cannot read ${path} (${code})`);
  }
}

/**
 * The one place gRPC credentials come from. With none of GRPC_TLS_* set: plaintext. With all three:
 * mutual TLS — servers require a client certificate signed by the CA (so a caller that merely
 * reaches the port is refused), clients present their certificate and verify the server's against
 * the same CA and the name they dial. Anything in between, an unreadable file, a PEM that does not
 * parse or a key that does not match its certificate is a ConfigError at start, naming the variable.
 * The files are read once: a renewed certificate takes effect when the process restarts.
 */
export function grpcTransport(config: GrpcTlsConfig): GrpcTransport {
  const { GRPC_TLS_CA: caPath, GRPC_TLS_CERT: certPath, GRPC_TLS_KEY: keyPath } = config;
  if (caPath === undefined && certPath === undefined && keyPath === undefined) return plaintextTransport;
  if (caPath === undefined || certPath === undefined || keyPath === undefined) {
    const given = VARIABLES.filter((v) => config[v] !== undefined);
    const missing = VARIABLES.filter((v) => config[v] === undefined);
    throw invalid(
      missing.join(", "),
      `required with ${given.join(", ")}: mutual TLS needs all three files, plaintext none`,
    );
  }
  const ca = readPem("GRPC_TLS_CA", caPath);
  const cert = readPem("GRPC_TLS_CERT", certPath);
  const key = readPem("GRPC_TLS_KEY", keyPath);
  for (const [variable, path, pem] of [
    ["GRPC_TLS_CA", caPath, ca],
    ["GRPC_TLS_CERT", certPath, cert],
  ] as const) {
    try {
      new X509Certificate(pem);
    } catch {
      throw invalid(variable, `${path} is not a PEM certificate`);
    }
  }
  try {
    // Fails on a key that does not parse or does not belong to the certificate.
    createSecureContext({ ca, cert, key });
  } catch (err) {
    throw invalid("GRPC_TLS_KEY", `${keyPath} does not fit ${certPath}: ${(err as Error).message}`);
  }
  return {
    mode: "mtls",
    serverCredentials: () => ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true),
    channelCredentials: () => credentials.createSsl(ca, key, cert),
  };
}
