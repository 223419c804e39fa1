import type { Order } from "../domain/order";
import { orderErrors } from "../domain/order.errors";
import { parseOrderId } from "../domain/order-id";
import type { OrderRepository } from "./order.repository.port";

/** The stored order, whatever case its id is typed in; answered under its stored id. */
export class GetOrder {
  constructor(private readonly repo: Pick<OrderRepository, "get">) {}

  async execute(id: string): Promise<Order> {
    const canonical = parseOrderId(id);
    if (canonical === null) throw orderErrors.orderNotFound(id);
    return storedOrder(this.repo, canonical);
  }
}

/** The order as stored, or ORDER_NOT_FOUND. */
export async function storedOrder(repo: Pick<OrderRepository, "get">, id: string): Promise<Order> {
  const order = await repo.get(id);
  if (!order) throw orderErrors.orderNotFound(id);
  return order;
}
