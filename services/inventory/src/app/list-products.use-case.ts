import { valueOrThrow } from "@qc/platform/errors";
import { parsePageRequest, toPage, type ProductPage } from "../domain/product-page";
import type { Catalog } from "./catalog.port";

export interface ListProductsRequest {
  /** 0 for the default (20); above 100 means 100. */
  readonly pageSize?: number;
  /** Empty or absent for the first page. */
  readonly pageToken?: string;
}

/** Products in sku order, one page at a time; pass the returned token back for the next page. */
export class ListProducts {
  constructor(private readonly catalog: Pick<Catalog, "listAfter">) {}

  async execute(request: ListProductsRequest = {}): Promise<ProductPage> {
    const page = valueOrThrow(parsePageRequest(request.pageSize ?? 0, request.pageToken ?? ""));
    return toPage(await this.catalog.listAfter(page.afterSku, page.limit + 1), page.limit);
  }
}
