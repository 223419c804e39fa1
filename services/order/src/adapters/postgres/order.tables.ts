import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrdersTable {
  id: string;
  customer_id: string;
  status: string;
  failure_reason: string | null;
  total_cents: Generated<number>;
  currency: Generated<string>;
  delivery_lat: number | null;
  delivery_lon: number | null;
  rider_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  saga_attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DeadLettersTable {
  id: string;
  order_id: string;
  step: string;
  error: string;
  attempts: number;
  status: string;
  next_attempt_at: Timestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  resolved_at: Timestamp | null;
}

/** The order service's schema, as Kysely sees it (lines and history are written with raw SQL). */
export interface OrderDatabase {
  orders: OrdersTable;
  dead_letters: DeadLettersTable;
}
