import { valueOrThrow } from "@qc/platform/errors";
import { parseOrderId, parseRiderId } from "../domain/rider-input";
import type { RiderIndex } from "./rider-index.port";

/** Re-asserts that the rider carries the order, as the caller durably recorded (see RiderIndex.hold). */
export class HoldRider {
  constructor(private readonly index: Pick<RiderIndex, "hold">) {}

  async execute(input: { orderId: string; riderId: string }): Promise<{ restored: boolean }> {
    const order = valueOrThrow(parseOrderId(input.orderId));
    const rider = valueOrThrow(parseRiderId(input.riderId));
    return { restored: await this.index.hold(order, rider) };
  }
}
