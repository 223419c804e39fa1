import { useCallback, useEffect, useRef, useState } from "react";
import { isTransient } from "./api/client";
import { useConnectivity } from "./connectivity";

export interface Resource<T> {
  readonly data: T | null;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

const backoff = (attempt: number) => Math.min(10_000, 1_000 * 2 ** attempt);

/**
 * Loads something for a page. A transient failure (network, 503) is retried with backoff and again as
 * soon as the platform is back (connectivity recoveries), so a page never stays broken by an outage.
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const { recoveries } = useConnectivity();
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = (attempt: number) => {
      setState((s) => ({ ...s, loading: true }));
      loadRef.current().then(
        (data) => {
          if (!cancelled) setState({ data, error: null, loading: false });
        },
        (error: unknown) => {
          if (cancelled) return;
          setState((s) => ({ data: s.data, error, loading: false }));
          if (isTransient(error)) timer = setTimeout(() => run(attempt + 1), backoff(attempt));
        },
      );
    };
    run(0);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [...deps, tick, recoveries]); // the caller's deps decide when to load again

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Calls `tick` every `ms` while the page is visible (live panels). */
export function useInterval(tick: () => void, ms: number): void {
  const ref = useRef(tick);
  ref.current = tick;
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState !== "hidden") ref.current();
    }, ms);
    return () => clearInterval(t);
  }, [ms]);
}

export interface Pages<T> extends Resource<{ readonly items: readonly T[]; readonly next: string | null }> {
  /** Loads the page after the last one (the API's nextCursor). */
  readonly more: () => void;
}

/**
 * A list read a page at a time (`{items, nextCursor}`). Every page shown is read again on reload, so
 * what it shows stays current (stock moves, orders change status); `deps` changing starts over.
 */
export function usePages<T>(
  loadPage: (cursor: string | null) => Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>,
  deps: readonly unknown[],
): Pages<T> {
  const [cursors, setCursors] = useState<{ key: string; list: string[] }>({ key: "", list: [""] });
  const key = JSON.stringify(deps);
  // Other deps (another filter): back to the first page.
  const list = cursors.key === key ? cursors.list : [""];
  const resource = useResource(async () => {
    const items: T[] = [];
    let next: string | null = null;
    for (const cursor of list) {
      const page = await loadPage(cursor === "" ? null : cursor);
      items.push(...page.items);
      next = page.nextCursor;
    }
    return { items, next };
  }, [key, list.join("|")]);
  const next = resource.data?.next ?? null;
  const more = useCallback(() => {
    if (next !== null) setCursors({ key, list: [...list, next] });
  }, [key, list, next]);
  return { ...resource, more };
}
