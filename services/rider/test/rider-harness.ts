import { riderV1 } from "@qc/contracts";
import type { PromiseClient } from "@qc/platform/grpc";
import { buildApp, type RiderApp } from "../src/app";
import { loadRiderConfig } from "../src/config";
import {
  deleteRedisKeys,
  failureOf,
  randomKeyPrefix,
  serviceUnderTestClient,
  TEST_REDIS_URL,
} from "@qc/platform/testing";

export interface RiderHarness {
  readonly app: RiderApp;
  /** The service over a real gRPC socket; no retries, so every call is exactly one attempt. */
  readonly call: PromiseClient<riderV1.RiderServiceService>;
  close(): Promise<void>;
}

/**
 * The rider app on an ephemeral port with a client to it: on the machine's Redis under a key prefix
 * of its own (deleted on close), or in memory. `env` overrides any variable.
 */
export async function startRider(store: "redis" | "memory", env: NodeJS.ProcessEnv = {}): Promise<RiderHarness> {
  const keyPrefix = randomKeyPrefix();
  const app = await buildApp(
    loadRiderConfig({
      REDIS_URL: store === "redis" ? TEST_REDIS_URL : "",
      REDIS_KEY_PREFIX: keyPrefix,
      RIDER_PORT: "0",
      LOG_LEVEL: "silent",
      ...env,
    }),
  );
  const client = serviceUnderTestClient(riderV1.RiderServiceService, "rider", app.port, 10_000);
  return {
    app,
    call: client.call,
    close: async () => {
      client.close();
      await app.stop();
      if (store === "redis") await deleteRedisKeys(keyPrefix);
    },
  };
}

/** The error a call failed with: gRPC status and `qc-error-code` (the platform's test helper, re-exported for these tests). */
export { failureOf };

/** A point `km` east of `from` (good enough for the few km used in tests). */
export const east = (from: { lat: number; lon: number }, km: number) => ({
  lat: from.lat,
  lon: from.lon + km / (111.32 * Math.cos((from.lat * Math.PI) / 180)),
});
