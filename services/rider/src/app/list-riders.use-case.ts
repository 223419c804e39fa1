import { valueOrThrow } from "@qc/platform/errors";
import { parseListLimit } from "../domain/rider-input";
import type { RiderPosition } from "../domain/rider-position";
import type { RiderIndex } from "./rider-index.port";
import type { RiderPolicy } from "./rider-policy";

/** Fresh riders (busy ones included) with their last positions, most recently seen first; `limit` 0 for the default. */
export class ListRiders {
  constructor(
    private readonly index: Pick<RiderIndex, "list">,
    private readonly policy: RiderPolicy,
  ) {}

  async execute(limit: number): Promise<RiderPosition[]> {
    return this.index.list(valueOrThrow(parseListLimit(limit)), this.policy.staleMs);
  }
}
