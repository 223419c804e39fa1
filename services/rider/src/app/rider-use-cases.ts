import { AssignNearestRider } from "./assign-nearest-rider.use-case";
import { FindNearbyRiders } from "./find-nearby-riders.use-case";
import { HoldRider } from "./hold-rider.use-case";
import { ListRiders } from "./list-riders.use-case";
import { ReleaseRider } from "./release-rider.use-case";
import type { RiderIndex } from "./rider-index.port";
import type { RiderPolicy } from "./rider-policy";
import { UpdateLocation } from "./update-location.use-case";

/** Every rider use case over one index: what the app serves and what the unit tests drive. */
export const riderUseCases = (index: RiderIndex, policy: RiderPolicy) => ({
  updateLocation: new UpdateLocation(index, policy),
  listRiders: new ListRiders(index, policy),
  findNearbyRiders: new FindNearbyRiders(index, policy),
  assignNearestRider: new AssignNearestRider(index, policy),
  releaseRider: new ReleaseRider(index),
  holdRider: new HoldRider(index),
});
