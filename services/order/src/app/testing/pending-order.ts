import type { Order } from "../../domain/order";

/** The replica that holds the lease in saga tests. */
export const TEST_OWNER = "replica-a";

/** A PENDING order of two apples whose saga `TEST_OWNER` drives, for tests of the saga and its observers. */
export const pendingOrder = (overrides: Partial<Order> = {}): Order => ({
  id: "o-1",
  customerId: "alice",
  status: "PENDING",
  lines: [{ sku: "apple", quantity: 2, priceCents: 0 }],
  totalCents: 0,
  currency: "",
  failureReason: null,
  riderId: null,
  deliveryLocation: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  history: [],
  sagaOwner: TEST_OWNER,
  ...overrides,
});
