import { valueOrThrow } from "@qc/platform/errors";
import { parseOrderId, parseRiderId } from "../domain/rider-input";
import type { RiderIndex } from "./rider-index.port";

/**
 * Frees the order's rider; idempotent: a repeat answers released again. `riderId` (empty for none)
 * names the rider the caller recorded, for an order this service forgot; `released` is false only
 * when nothing could be freed (see RiderIndex.release).
 */
export class ReleaseRider {
  constructor(private readonly index: Pick<RiderIndex, "release">) {}

  async execute(orderId: string, riderId = ""): Promise<{ released: boolean }> {
    const order = valueOrThrow(parseOrderId(orderId));
    const rider = riderId === "" ? undefined : valueOrThrow(parseRiderId(riderId));
    return { released: await this.index.release(order, rider) };
  }
}
