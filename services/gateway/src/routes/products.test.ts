import { status } from "@grpc/grpc-js";
import type { inventoryV1 } from "@qc/contracts";
import { RemoteError } from "@qc/platform/grpc";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { aProduct } from "../testing/fixtures";
import { expectProblem, testApp } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

describe("GET /v1/products", () => {
  function withCatalog() {
    const received: inventoryV1.ListProductsRequest[] = [];
    app = testApp(
      fakeUpstreams({
        inventory: {
          listProducts: async (req) => {
            received.push(req);
            return req.pageToken === ""
              ? { products: [aProduct(), aProduct({ sku: "pear", name: "Pear" })], nextPageToken: "after-pear" }
              : { products: [aProduct({ sku: "plum", name: "Plum" })], nextPageToken: "" };
          },
        },
      }),
    );
    return received;
  }

  it("pages through the catalog without a token, 20 at a time by default", async () => {
    const received = withCatalog();
    const first = await app.inject({ method: "GET", url: "/v1/products" });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      items: [
        { sku: "apple", name: "Apple", priceCents: 150, currency: "EUR", stock: 10 },
        { sku: "pear", name: "Pear", priceCents: 150, currency: "EUR", stock: 10 },
      ],
      nextCursor: "after-pear",
    });
    const last = await app.inject({ method: "GET", url: "/v1/products?limit=100&cursor=after-pear" });
    expect(last.json()).toMatchObject({ items: [{ sku: "plum" }], nextCursor: null });
    expect(received).toEqual([
      { pageSize: 20, pageToken: "" },
      { pageSize: 100, pageToken: "after-pear" },
    ]);
  });

  it.each(["limit=0", "limit=101", "limit=abc", "limit=5.5", "limit=-1", "limit=1&limit=2", "cursor=", "colour=red"])(
    "refuses ?%s with 400",
    async (query) => {
      const received = withCatalog();
      expectProblem(await app.inject({ method: "GET", url: `/v1/products?${query}` }), 400, "VALIDATION_FAILED");
      expect(received).toEqual([]);
    },
  );
});

describe("GET /v1/products/{sku}", () => {
  it("answers one product, or the inventory's 404", async () => {
    app = testApp(
      fakeUpstreams({
        inventory: {
          getProduct: async ({ sku }) => {
            if (sku !== "apple")
              throw new RemoteError("not_found", "PRODUCT_NOT_FOUND", `no product ${sku}`, status.NOT_FOUND);
            return { product: aProduct() };
          },
        },
      }),
    );
    const found = await app.inject({ method: "GET", url: "/v1/products/apple" });
    expect(found.json()).toEqual({ sku: "apple", name: "Apple", priceCents: 150, currency: "EUR", stock: 10 });
    expectProblem(await app.inject({ method: "GET", url: "/v1/products/kiwi" }), 404, "PRODUCT_NOT_FOUND");
    expectProblem(await app.inject({ method: "GET", url: "/v1/products/bad%20sku" }), 400, "VALIDATION_FAILED");
  });

  it("answers 503 with Retry-After when the inventory is down", async () => {
    app = testApp(
      fakeUpstreams({
        inventory: {
          getProduct: () =>
            Promise.reject(
              new RemoteError("unavailable", "SERVICE_UNAVAILABLE", "connect ECONNREFUSED", status.UNAVAILABLE),
            ),
        },
      }),
    );
    const res = await app.inject({ method: "GET", url: "/v1/products/apple" });
    expect(expectProblem(res, 503, "SERVICE_UNAVAILABLE").detail).not.toContain("ECONNREFUSED");
    expect(res.headers["retry-after"]).toBe("1");
  });
});
