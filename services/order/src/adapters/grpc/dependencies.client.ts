import type { inventoryV1, paymentV1, riderV1 } from "@qc/contracts";
import type { GrpcClient } from "@qc/platform/grpc";
import type { InventoryPort, PaymentPort, RiderPort } from "../../app/dependencies.port";

type InventoryClient = GrpcClient<typeof inventoryV1.InventoryServiceService>;
type PaymentClient = GrpcClient<typeof paymentV1.PaymentServiceService>;
type RiderClient = GrpcClient<typeof riderV1.RiderServiceService>;

/** The saga's view of Inventory over gRPC. */
export function inventoryOverGrpc(client: InventoryClient): InventoryPort {
  return {
    catalog: async (skus) => {
      const { products } = await client.call.batchGetProducts({ skus: [...skus] });
      return new Map(products.map((p) => [p.sku, { priceCents: p.priceCents, currency: p.currency }]));
    },
    deductStock: async (orderId, lines) => {
      const res = await client.call.deductStock({
        orderId,
        items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      });
      return {
        lines: res.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceCents: l.unitPriceCents })),
        totalCents: res.totalCents,
        currency: res.currency,
      };
    },
    addStock: async (orderId) => client.call.addStock({ orderId }),
  };
}

/** The saga's view of Payment over gRPC. */
export function paymentOverGrpc(client: PaymentClient): PaymentPort {
  return {
    charge: async (orderId, customerId, amountCents, currency) => {
      const { chargeId } = await client.call.charge({ orderId, customerId, amountCents, currency });
      return { chargeId };
    },
    refund: async (orderId) => client.call.refund({ orderId }),
  };
}

/** Dispatch's view of the Rider service over gRPC. */
export function ridersOverGrpc(client: RiderClient): RiderPort {
  return {
    assignNearest: async (orderId, lat, lon) => ({
      riderId: (await client.call.assignNearest({ orderId, lat, lon })).riderId,
    }),
    release: async (orderId, riderId) => client.call.release({ orderId, riderId: riderId ?? "" }),
    hold: async (orderId, riderId) => client.call.hold({ orderId, riderId }),
  };
}
