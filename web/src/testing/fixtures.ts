import type { HistoryEntry, Order } from "../api/types";

/** An order as the API answers it, for component tests. */
export const anOrder = (status: Order["status"], overrides: Partial<Order> = {}): Order => ({
  id: "o-1",
  customerId: "alice",
  status,
  items: [{ sku: "banana", quantity: 2, priceCents: 199 }],
  totalCents: 398,
  currency: "EUR",
  createdAt: "2026-11-30T10:00:00.000Z",
  updatedAt: "2026-11-30T10:00:00.000Z",
  history: [],
  ...overrides,
});

let second = 0;

/** A history entry, each a second after the one before. */
export const anEntry = (step: string, outcome: string, code: string): HistoryEntry => ({
  step,
  outcome,
  code,
  message: code,
  at: new Date(Date.UTC(2026, 10, 30, 10, 0, second++)).toISOString(),
});
