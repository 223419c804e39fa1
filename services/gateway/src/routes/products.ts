import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { PageQuerySchema, pageSize } from "../http/page.schema";
import { problemResponses } from "../http/problem.schema";
import { ProductPageSchema, ProductSchema, SkuParamsSchema } from "../http/product.schema";
import { toProductView } from "../http/product-view";
import { required } from "../http/upstream-answer";
import type { RouteDeps } from "./route-deps";

/** The catalog, open to anyone. */
export const productRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { upstreams }) => {
  app.get(
    "/v1/products",
    {
      schema: {
        tags: ["products"],
        summary: "List products",
        operationId: "listProducts",
        querystring: PageQuerySchema,
        response: { 200: ProductPageSchema, ...problemResponses(400, 503) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await upstreams.inventory.call.listProducts({ pageSize: pageSize(limit), pageToken: cursor ?? "" });
      return {
        items: page.products.map(toProductView),
        nextCursor: page.nextPageToken === "" ? null : page.nextPageToken,
      };
    },
  );

  app.get(
    "/v1/products/:sku",
    {
      schema: {
        tags: ["products"],
        summary: "Get one product",
        operationId: "getProduct",
        params: SkuParamsSchema,
        response: { 200: ProductSchema, ...problemResponses(400, 404, 503) },
      },
    },
    async (request) => {
      const { product } = await upstreams.inventory.call.getProduct({ sku: request.params.sku });
      return toProductView(required(product, "product"));
    },
  );
};
