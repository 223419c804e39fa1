import { orderV1, type inventoryV1 } from "@qc/contracts";

export const anOrder = (overrides: Partial<orderV1.Order> = {}): orderV1.Order => ({
  id: "ord-1",
  customerId: "alice",
  status: orderV1.OrderStatus.ORDER_STATUS_CONFIRMED,
  items: [{ sku: "apple", quantity: 2, priceCents: 150 }],
  totalCents: 300,
  currency: "EUR",
  failureReason: "",
  riderId: "",
  deliveryLocation: undefined,
  createdAt: "2026-01-01T10:00:00.000Z",
  updatedAt: "2026-01-01T10:00:01.000Z",
  history: [
    {
      step: "reserve-stock",
      outcome: "done",
      code: "STOCK_RESERVED",
      detail: "total 300 EUR",
      at: "2026-01-01T10:00:00.500Z",
    },
  ],
  ...overrides,
});

export const aProduct = (overrides: Partial<inventoryV1.Product> = {}): inventoryV1.Product => ({
  sku: "apple",
  name: "Apple",
  priceCents: 150,
  currency: "EUR",
  stock: 10,
  ...overrides,
});

export const aDeadLetter = (overrides: Partial<orderV1.DeadLetter> = {}): orderV1.DeadLetter => ({
  id: "dl-1",
  orderId: "ord-1",
  step: "AddStock",
  error: "inventory unavailable",
  attempts: 3,
  status: "open",
  createdAt: "2026-01-01T10:00:00.000Z",
  updatedAt: "2026-01-01T10:01:00.000Z",
  nextAttemptAt: "",
  ...overrides,
});
