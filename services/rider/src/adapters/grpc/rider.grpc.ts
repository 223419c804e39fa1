import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { riderV1 } from "@qc/contracts";
import { implement } from "@qc/platform/grpc";
import type { Logger } from "@qc/platform/log";
import type { AssignNearestRider } from "../../app/assign-nearest-rider.use-case";
import type { FindNearbyRiders } from "../../app/find-nearby-riders.use-case";
import type { HoldRider } from "../../app/hold-rider.use-case";
import type { ListRiders } from "../../app/list-riders.use-case";
import type { ReleaseRider } from "../../app/release-rider.use-case";
import type { UpdateLocation } from "../../app/update-location.use-case";
import type { RiderDistance } from "../../domain/rider-distance";

const toProto = (r: RiderDistance): riderV1.NearbyRider => ({ riderId: r.riderId, distanceKm: r.distanceKm });

/**
 * The rider use cases, one per RPC. Each validates its input before touching the index and fails
 * with an AppError carrying a stable code.
 */
export interface RiderUseCases {
  readonly updateLocation: Pick<UpdateLocation, "execute">;
  readonly listRiders: Pick<ListRiders, "execute">;
  readonly findNearbyRiders: Pick<FindNearbyRiders, "execute">;
  readonly assignNearestRider: Pick<AssignNearestRider, "execute">;
  readonly releaseRider: Pick<ReleaseRider, "execute">;
  readonly holdRider: Pick<HoldRider, "execute">;
}

/** The RiderService gRPC surface: decode the request, call the use case, encode the answer. */
export function riderGrpcService(
  riders: RiderUseCases,
  logger: Logger,
): { definition: riderV1.RiderServiceService; implementation: UntypedServiceImplementation } {
  const definition = riderV1.RiderServiceService;
  const implementation = implement(
    definition,
    {
      updateLocation: async ({ riderId, lat, lon, available }) => {
        await riders.updateLocation.execute({ riderId, lat, lon, available });
        return {};
      },
      nearby: async ({ lat, lon, radiusKm, limit }) => ({
        riders: (await riders.findNearbyRiders.execute({ lat, lon, radiusKm, limit })).map(toProto),
      }),
      assignNearest: async ({ orderId, lat, lon }) =>
        toProto(await riders.assignNearestRider.execute({ orderId, lat, lon })),
      release: async ({ orderId, riderId }) => riders.releaseRider.execute(orderId, riderId),
      hold: async ({ orderId, riderId }) => riders.holdRider.execute({ orderId, riderId }),
      listRiders: async ({ limit }) => ({
        riders: (await riders.listRiders.execute(limit)).map((r) => ({
          riderId: r.riderId,
          lat: r.position.lat,
          lon: r.position.lon,
          available: r.available,
          orderId: r.orderId ?? "",
          seenAt: new Date(r.seenAt).toISOString(),
        })),
      }),
    },
    logger,
  );
  return { definition, implementation };
}
