import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/** The machine's real Redis, which the integration tests run against. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test run uses, so runs never see each other's keys. */
export const randomKeyPrefix = (): string => `qc-test:${randomUUID()}:`;

/** Deletes every key under `prefix` (and nothing else: never FLUSHALL a shared Redis). */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      const batch = keys as string[];
      if (batch.length > 0) await redis.del(...batch);
    }
  } finally {
    redis.disconnect();
  }
}
