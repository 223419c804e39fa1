import type { Logger } from "pino";
import { AppError } from "../errors";
import { Redis } from "ioredis";

/**
 * A Redis client that fails fast instead of hanging while Redis is away: no offline queue (a
 * command sent while disconnected fails at once), no resending of commands cut off by a dropped
 * connection, and a deadline on every command. It reconnects on its own, backing off to 2 s.
 */
export function createRedis(url: string, timeoutMs: number, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
  // One log line per outage, not one per reconnect attempt; a listener must exist either way, or
  // ioredis prints every connection error to the console.
  let connected = false;
  redis.on("ready", () => {
    connected = true;
    logger.info("redis connected");
  });
  redis.on("error", (err: Error) => {
    if (connected) logger.warn({ err }, "redis connection lost; reconnecting");
    connected = false;
  });
  return redis;
}

/** Resolves true once the client is ready, false if that takes longer than `timeoutMs`. */
export function untilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    redis.once("ready", onReady);
  });
}

// Replies that mean "Redis cannot serve now", as opposed to a command this code got wrong.
const BUSY_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

/**
 * Redis failures as the platform's UNAVAILABLE (code REDIS_UNAVAILABLE), so callers retry later;
 * an error reply to a well-formed command is a bug and stays as it is (INTERNAL at the edge).
 */
export async function redisCall<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    if (err instanceof Error && err.name === "ReplyError" && !BUSY_REPLY.test(err.message)) throw err;
    throw new AppError("unavailable", "REDIS_UNAVAILABLE", "redis is unavailable", { cause: err });
  }
}
