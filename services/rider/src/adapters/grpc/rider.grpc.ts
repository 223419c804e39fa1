import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { riderV1 } from "@qc/contracts";
import { implement } from "@qc/platform/grpc";
import type { Logger } from "@qc/platform/log";
import type { RiderService } from "../../app/rider.service";
import type { RiderDistance } from "../../domain/rider-distance";

const toProto = (r: RiderDistance): riderV1.NearbyRider => ({ riderId: r.riderId, distanceKm: r.distanceKm });

/** The RiderService gRPC surface: decode the request, call the use case, encode the answer. */
export function riderGrpcService(
  riders: RiderService,
  logger: Logger,
): { definition: riderV1.RiderServiceService; implementation: UntypedServiceImplementation } {
  const definition = riderV1.RiderServiceService;
  const implementation = implement(
    definition,
    {
      updateLocation: async ({ riderId, lat, lon, available }) => {
        await riders.updateLocation({ riderId, lat, lon, available });
        return {};
      },
      nearby: async ({ lat, lon, radiusKm, limit }) => ({ riders: (await riders.nearby({ lat, lon, radiusKm, limit })).map(toProto) }),
      assignNearest: async ({ orderId, lat, lon }) => toProto(await riders.assignNearest({ orderId, lat, lon })),
      release: async ({ orderId, riderId }) => riders.release(orderId, riderId),
      hold: async ({ orderId, riderId }) => riders.hold({ orderId, riderId }),
      listRiders: async ({ limit }) => ({
        riders: (await riders.list(limit)).map((r) => ({
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
