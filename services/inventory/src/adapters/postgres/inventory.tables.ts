import type { Generated } from "kysely";

// Kysely row types of the inventory schema (migrations/). BIGINT columns arrive as numbers: the
// platform's database module installs that parser.

export interface ProductsTable {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  stock: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ReservationsTable {
  order_id: string;
  status: "reserved" | "released";
  created_at: Generated<Date>;
  released_at: Date | null;
}

export interface ReservationLinesTable {
  order_id: string;
  sku: string;
  quantity: number;
  unit_price_cents: number;
  currency: string;
}

export interface InventoryTables {
  products: ProductsTable;
  reservations: ReservationsTable;
  reservation_lines: ReservationLinesTable;
}
