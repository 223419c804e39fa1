import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files of one certificate: what GRPC_TLS_CA / GRPC_TLS_CERT / GRPC_TLS_KEY point at. */
export interface TestCertificate {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** As the environment of a service that should use this certificate. */
  readonly env: { readonly GRPC_TLS_CA: string; readonly GRPC_TLS_CERT: string; readonly GRPC_TLS_KEY: string };
  /** The three files' contents. */
  read(): { readonly ca: Buffer; readonly cert: Buffer; readonly key: Buffer };
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate's path. */
  readonly ca: string;
  /** A leaf certificate signed by this CA, for `localhost` and 127.0.0.1, usable as server and as client. */
  issue(name: string): TestCertificate;
  remove(): void;
}

const openssl = (dir: string, args: readonly string[]): void => {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
};

// P-256 keys: quick to generate, accepted by every TLS stack gRPC runs on.
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * A throw-away certificate authority in a temporary folder, made with the `openssl` command line
 * (on every CI image; no npm dependency). Certificates live one day: long enough for any test run.
 */
export function createTestPki(label = "test"): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `qc-pki-${label}-`));
  const ca = join(dir, "ca.crt");
  openssl(dir, [
    "req",
    "-x509",
    ...NEW_KEY,
    "-keyout",
    "ca.key",
    "-out",
    ca,
    "-days",
    "1",
    "-subj",
    `/CN=${label} CA`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return {
    dir,
    ca,
    issue(name) {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      const ext = join(dir, `${name}.ext`);
      // The SANs clients verify on loopback; both usages, as cert-manager issues them for a service.
      writeFileSync(
        ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n",
      );
      openssl(dir, ["req", ...NEW_KEY, "-keyout", key, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
      openssl(dir, [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        ca,
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        cert,
        "-days",
        "1",
        "-extfile",
        ext,
      ]);
      return {
        ca,
        cert,
        key,
        env: { GRPC_TLS_CA: ca, GRPC_TLS_CERT: cert, GRPC_TLS_KEY: key },
        read: () => ({ ca: readFileSync(ca), cert: readFileSync(cert), key: readFileSync(key) }),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
