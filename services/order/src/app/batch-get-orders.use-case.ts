import { valueOrThrow } from "@qc/platform/errors";
import type { Order } from "../domain/order";
import { parseOrderIdList } from "../domain/order-id";
import type { OrderRepository } from "./order.repository.port";

/**
 * The stored orders among `ids`, each once, in the order asked, as GetOrder answers each; unknown
 * ids are left out. Many lookups in one call and one read, instead of one of each per order.
 */
export class BatchGetOrders {
  constructor(private readonly repo: Pick<OrderRepository, "findMany">) {}

  async execute(ids: readonly string[]): Promise<Order[]> {
    const wanted = valueOrThrow(parseOrderIdList(ids));
    if (wanted.length === 0) return [];
    // Placed by the ids asked, as inventory's batch read does: the order and uniqueness of the answer
    // are this use case's promise, whatever a repository answers in.
    const byId = new Map((await this.repo.findMany(wanted)).map((o) => [o.id, o] as const));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }
}
