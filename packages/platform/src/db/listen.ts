import pg from "pg";

/** What a LISTEN delivers. */
export interface ListenOptions {
  /** The payload of each NOTIFY on the channel, once its transaction committed. */
  readonly onNotification: (payload: string) => void;
  /**
   * Notifications may have been missed: the listening connection was lost and is back. Whoever
   * watches something should read it again.
   */
  readonly onGap: () => void;
}

export interface Listening {
  close(): Promise<void>;
}

/** LISTEN takes an identifier, not a parameter: only plain lower-case names are let through. */
export function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid notification channel ${channel}`);
  return channel;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * LISTEN on a Postgres server, on a connection of its own (a pooled one would be handed to other
 * queries, and lose the LISTEN when the pool drops it). Every NOTIFY on the channel from any session
 * (every replica's writes) reaches `onNotification`. A lost connection (server restarted, backend
 * terminated) is opened again with backoff, and `onGap` is called once it listens again, since what
 * was sent meanwhile is lost. Resolves after the first attempt, listening or not.
 */
export async function listenOnServer(url: string, channel: string, options: ListenOptions): Promise<Listening> {
  checkChannel(channel);
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  let listenedBefore = false;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    let lost = false;
    const reconnect = () => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      void c.end().catch(() => undefined);
      if (closed) return;
      timer = setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    c.on("error", reconnect);
    c.on("end", reconnect);
    c.on("notification", (n) => {
      if (n.channel === channel) options.onNotification(n.payload ?? "");
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      reconnect();
      return;
    }
    if (closed) {
      void c.end().catch(() => undefined);
      return;
    }
    client = c;
    retryMs = FIRST_RETRY_MS;
    if (listenedBefore) options.onGap();
    listenedBefore = true;
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
