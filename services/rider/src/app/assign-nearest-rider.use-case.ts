import { valueOrThrow } from "@qc/platform/errors";
import type { RiderDistance } from "../domain/rider-distance";
import { parseAssignRequest } from "../domain/rider-input";
import { noRiderAvailable } from "../domain/rider.errors";
import type { RiderIndex } from "./rider-index.port";
import type { RiderPolicy } from "./rider-policy";

/** The nearest free, fresh rider, now carrying `orderId`; NO_RIDER_AVAILABLE when there is none. */
export class AssignNearestRider {
  constructor(
    private readonly index: Pick<RiderIndex, "assignNearest">,
    private readonly policy: RiderPolicy,
  ) {}

  async execute(input: { orderId: string; lat: number; lon: number }): Promise<RiderDistance> {
    const request = valueOrThrow(parseAssignRequest(input.orderId, input.lat, input.lon));
    const { assignRadiusKm, staleMs } = this.policy;
    const assigned = await this.index.assignNearest(request.orderId, request.pickup, assignRadiusKm, staleMs);
    if (assigned === undefined) throw noRiderAvailable(assignRadiusKm);
    return assigned;
  }
}
