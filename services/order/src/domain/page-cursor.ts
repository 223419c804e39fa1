import { accepted, rejected, type Checked } from "@qc/platform/errors";
import { orderErrors } from "./order.errors";

/**
 * Where a page of a customer's orders ends: the last order's creation time (microseconds since the
 * epoch, as Postgres keeps it) and id. Clients get it as an opaque base64url token and send it back,
 * so a token is input: it is decoded only when it is exactly one this service could have made.
 */
export interface PageCursor {
  /** Decimal digits; a string because microseconds since the epoch do not fit a JS number's integers. */
  readonly createdUs: string;
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MICROS = /^(0|[1-9]\d{0,18})$/;
/** The time is compared as a Postgres bigint: anything larger failed there as an internal error. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

export const encodePageCursor = (c: PageCursor): string => Buffer.from(`${c.createdUs}:${c.id}`).toString("base64url");

/** The cursor in `token`, or INVALID_PAGE_TOKEN for anything this service never handed out. */
export function decodePageCursor(token: string): Checked<PageCursor> {
  const parts = Buffer.from(token, "base64url").toString("utf8").split(":");
  const [createdUs, id] = parts;
  const valid =
    parts.length === 2 &&
    createdUs !== undefined &&
    id !== undefined &&
    MICROS.test(createdUs) &&
    BigInt(createdUs) <= MAX_BIGINT &&
    UUID.test(id) &&
    // base64url decoding skips what it cannot read; only the canonical spelling is one we made.
    encodePageCursor({ createdUs, id }) === token;
  return valid ? accepted({ createdUs, id }) : rejected(orderErrors.invalidPageToken());
}
