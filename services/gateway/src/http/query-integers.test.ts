import type { inventoryV1 } from "@qc/contracts";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { expectProblem, testApp } from "../testing/test-app";

let app: GatewayApp;
afterEach(() => app.close());

function listing() {
  const asked: inventoryV1.ListProductsRequest[] = [];
  app = testApp(
    fakeUpstreams({
      inventory: { listProducts: async (req) => (asked.push(req), { products: [], nextPageToken: "" }) },
    }),
  );
  return asked;
}

describe("integer query parameters", () => {
  it("takes an integer written as a client writes it, and the default without one", async () => {
    const asked = listing();
    expect((await app.inject({ method: "GET", url: "/v1/products?limit=7" })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/v1/products" })).statusCode).toBe(200);
    expect(asked.map((r) => r.pageSize)).toEqual([7, 20]);
  });

  it.each(["020", "2e1", "2.0", "+5", "0x10", "", "five", "5&limit=6", "0", "101"])(
    "refuses limit=%s with 400, asking nothing",
    async (value) => {
      const asked = listing();
      expectProblem(await app.inject({ method: "GET", url: `/v1/products?limit=${value}` }), 400, "VALIDATION_FAILED");
      expect(asked).toEqual([]);
    },
  );
});
