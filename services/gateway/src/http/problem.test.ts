import { status } from "@grpc/grpc-js";
import { AppError } from "@qc/platform/errors";
import { RemoteError } from "@qc/platform/grpc";
import { circuitOpen } from "@qc/platform/resilience";
import { describe, expect, it } from "vitest";
import { ProblemError, toProblem } from "./problem";

const remote = (kind: AppError["kind"], code: string, message: string, grpc: status) =>
  new RemoteError(kind, code, message, grpc);

describe("toProblem", () => {
  it.each([
    ["invalid", "BAD_ITEMS", 400],
    ["not_found", "PRODUCT_NOT_FOUND", 404],
    ["conflict", "PRODUCT_EXISTS", 409],
    ["refused", "OUT_OF_STOCK", 409],
    ["refused", "PAYMENT_DECLINED", 402],
    ["invalid", "UNKNOWN_SKU", 422],
    ["conflict", "IDEMPOTENCY_KEY_REUSED", 422],
    ["invalid", "MIXED_CURRENCIES", 422],
    ["invalid", "ORDER_TOTAL_TOO_LARGE", 422],
    ["invalid", "UNAUTHENTICATED", 401],
    ["refused", "FORBIDDEN", 403],
    ["refused", "ORDER_NOT_DELIVERABLE", 409],
    ["invalid", "INVALID_LOCATION", 400],
  ] as const)("maps %s %s to %i", (kind, code, httpStatus) => {
    const { status: s, body } = toProblem(new AppError(kind, code, "why"), "/x");
    expect({ s, code: body.code, detail: body.detail }).toEqual({ s: httpStatus, code, detail: "why" });
  });

  it("keeps a missing thing a 404 even when its code is special", () => {
    expect(toProblem(new AppError("not_found", "UNKNOWN_SKU", "no such sku"), "/x").status).toBe(404);
  });

  it("asks for a Bearer token on 401", () => {
    expect(toProblem(new AppError("invalid", "UNAUTHENTICATED", "missing"), "/x").headers).toEqual({
      "www-authenticate": "Bearer",
    });
  });

  it("answers an open breaker with 503, its message and Retry-After 5", () => {
    const p = toProblem(circuitOpen("order"), "/x");
    expect(p.status).toBe(503);
    expect(p.headers).toEqual({ "retry-after": "5" });
    expect(p.body.detail).toMatch(/^Circuit Open/);
  });

  it("hides an upstream's transport message and asks for a retry after 1 s", () => {
    const p = toProblem(
      remote("unavailable", "SERVICE_UNAVAILABLE", "connect ECONNREFUSED 10.0.0.7:50051", status.UNAVAILABLE),
      "/x",
    );
    expect(p.status).toBe(503);
    expect(p.headers).toEqual({ "retry-after": "1" });
    expect(p.body.detail).not.toContain("10.0.0.7");
  });

  it("never shows an internal message, local or remote, whatever its code", () => {
    for (const err of [
      new AppError("internal", "UNAUTHENTICATED", "db password wrong"),
      remote("internal", "UNAUTHENTICATED", "db password wrong", status.UNAUTHENTICATED),
      new Error("db password wrong"),
      "a string",
    ]) {
      const p = toProblem(err, "/x");
      expect(p.status).toBe(500);
      expect(p.body.code).toBe("INTERNAL");
      expect(JSON.stringify(p.body)).not.toContain("password");
    }
  });

  it("carries a ProblemError's extensions", () => {
    const p = toProblem(new ProblemError("unavailable", "NOT_READY", "down", { unavailable: ["order"] }), "/readyz");
    expect(p.body).toMatchObject({ status: 503, code: "NOT_READY", unavailable: ["order"], instance: "/readyz" });
  });

  it("gives every problem an RFC 9457 type and title", () => {
    expect(toProblem(new AppError("refused", "OUT_OF_STOCK", "short"), "/v1/orders").body).toEqual({
      type: "urn:qc:problem:out-of-stock",
      title: "Conflict",
      status: 409,
      code: "OUT_OF_STOCK",
      detail: "short",
      instance: "/v1/orders",
    });
  });
});
