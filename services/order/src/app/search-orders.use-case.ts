import type { Order } from "../domain/order";
import type { OrderFilter, OrderRepository } from "./order.repository.port";

/** A page of orders; `nextPageToken` is empty on the last one. */
export interface OrderPage {
  readonly orders: readonly Order[];
  readonly nextPageToken: string;
}

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** The orders `filter` matches (every customer's, for operations staff), newest first. */
export class SearchOrders {
  constructor(private readonly repo: Pick<OrderRepository, "list">) {}

  async execute(filter: OrderFilter, pageSize: number, pageToken: string): Promise<OrderPage> {
    const limit = Math.min(Math.max(pageSize || DEFAULT_PAGE, 1), MAX_PAGE);
    const page = await this.repo.list(filter, limit, pageToken || null);
    return { orders: page.orders, nextPageToken: page.nextCursor ?? "" };
  }
}
