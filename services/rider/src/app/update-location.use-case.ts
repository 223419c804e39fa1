import { valueOrThrow } from "@qc/platform/errors";
import { parseLocationUpdate } from "../domain/rider-input";
import type { RiderIndex } from "./rider-index.port";
import type { RiderPolicy } from "./rider-policy";

/** Records where a rider is and whether they take orders. */
export class UpdateLocation {
  constructor(
    private readonly index: Pick<RiderIndex, "update">,
    private readonly policy: RiderPolicy,
  ) {}

  async execute(input: { riderId: string; lat: number; lon: number; available: boolean }): Promise<void> {
    const update = valueOrThrow(parseLocationUpdate(input.riderId, input.lat, input.lon, input.available));
    await this.index.update(update, this.policy.staleMs);
  }
}
