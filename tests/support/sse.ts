/** One Server-Sent Event as received. */
export interface ServerSentEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/**
 * An event stream read with fetch (as a browser app must: EventSource cannot send Authorization):
 * `next()` gives each event in turn, or null once the server ended the stream.
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const client = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: client.signal });
  // Taken on the first `next()`, so that an answer that is no stream can still be read with `text()`.
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  let buffer = "";
  const frames: string[] = [];
  let ended = false;

  const parse = (frame: string): ServerSentEvent | null => {
    let id: string | null = null;
    let event = "message";
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const [field, value] =
        colon === -1 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, "")];
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return data.length === 0 ? null : { id, event, data: data.join("\n") };
  };

  return {
    status: res.status,
    headers: res.headers,
    /** The next event, or null when the stream has ended; fails after `withinMs`. */
    async next(withinMs = 15_000): Promise<ServerSentEvent | null> {
      const deadline = Date.now() + withinMs;
      for (;;) {
        while (frames.length > 0) {
          const event = parse(frames.shift() ?? "");
          if (event) return event;
        }
        reader ??= res.body?.getReader();
        if (ended || !reader) return null;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${withinMs} ms`);
        let timer: NodeJS.Timeout | undefined;
        const chunk: { done: boolean; value?: Uint8Array } = await Promise.race([
          reader.read(),
          new Promise<never>(
            (_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${withinMs} ms`)), left)),
          ),
        ]).finally(() => clearTimeout(timer));
        if (chunk.done) ended = true;
        else {
          buffer += decoder.decode(chunk.value, { stream: true });
          const parts = buffer.split("\n\n");
          buffer = parts.pop() ?? "";
          frames.push(...parts);
        }
      }
    },
    /** The body of an answer that is no stream (a problem, a 204). */
    text: () => res.text(),
    close: () => client.abort(),
  };
}

export type EventStream = Awaited<ReturnType<typeof openEventStream>>;
