import { valueOrThrow } from "@qc/platform/errors";
import type { RiderDistance } from "../domain/rider-distance";
import { parseNearbyQuery } from "../domain/rider-input";
import type { RiderIndex } from "./rider-index.port";
import type { RiderPolicy } from "./rider-policy";

/** Fresh riders (busy ones included) within the radius, nearest first. */
export class FindNearbyRiders {
  constructor(
    private readonly index: Pick<RiderIndex, "nearby">,
    private readonly policy: RiderPolicy,
  ) {}

  async execute(input: { lat: number; lon: number; radiusKm: number; limit: number }): Promise<RiderDistance[]> {
    const query = valueOrThrow(parseNearbyQuery(input.lat, input.lon, input.radiusKm, input.limit));
    return this.index.nearby(query, this.policy.staleMs);
  }
}
