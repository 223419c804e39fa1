import type { OrderRepository } from "./order.repository.port";
import { SearchOrders, type OrderPage } from "./search-orders.use-case";

/** One customer's orders, newest first, paged as a search is. */
export class ListOrders {
  private readonly search: SearchOrders;

  constructor(repo: Pick<OrderRepository, "list">) {
    this.search = new SearchOrders(repo);
  }

  execute(customerId: string, pageSize: number, pageToken: string): Promise<OrderPage> {
    return this.search.execute({ customerId, status: null }, pageSize, pageToken);
  }
}
