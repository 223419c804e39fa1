import type { MethodDefinition } from "@grpc/grpc-js";
import { service as official } from "grpc-health-check";
import { describe, expect, it } from "vitest";
import { healthServiceDefinition as ours } from "./health-definition";

type Method = MethodDefinition<unknown, unknown>;
const methodOf = (definition: object, name: string) => (definition as Record<string, Method>)[name]!;

/** Each message through our encoder and the official (proto-loader) decoder, and the other way round. */
function bothWays(name: string, side: "request" | "response", message: unknown) {
  const [mine, theirs] = [methodOf(ours, name), methodOf(official, name)];
  const [serialize, deserialize] =
    side === "request"
      ? [(m: Method) => m.requestSerialize, (m: Method) => m.requestDeserialize]
      : [(m: Method) => m.responseSerialize, (m: Method) => m.responseDeserialize];
  const ourBytes = serialize(mine)(message);
  const theirBytes = serialize(theirs)(message);
  // protobufjs also writes fields that hold their default ("", UNKNOWN); ours leaves them out, as
  // proto3 does (and the generated code of qc.*). Either decodes to the same message.
  expect(deserialize(theirs)(ourBytes)).toEqual(message);
  expect(deserialize(mine)(theirBytes)).toEqual(message);
}

describe("grpc.health.v1.Health encoded in code", () => {
  it("has the official service's methods, paths and streaming", () => {
    for (const name of ["Check", "Watch", "List"]) {
      const [mine, theirs] = [methodOf(ours, name), methodOf(official, name)];
      expect(mine.path).toBe(theirs.path);
      expect([mine.requestStream, mine.responseStream]).toEqual([theirs.requestStream, theirs.responseStream]);
    }
    expect(Object.keys(ours).sort()).toEqual(Object.keys(official).sort());
  });

  it("encodes and decodes Check and Watch as the official definition does, defaults included", () => {
    for (const service of ["", "liveness", "qc.order.v1.OrderService", "ünïcode"]) {
      bothWays("Check", "request", { service });
      bothWays("Watch", "request", { service });
    }
    for (const status of ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"]) {
      bothWays("Check", "response", { status });
      bothWays("Watch", "response", { status });
    }
  });

  it("encodes and decodes List (a map of statuses) as the official definition does", () => {
    bothWays("List", "request", {});
    bothWays("List", "response", { statuses: {} });
    bothWays("List", "response", {
      statuses: { "": { status: "SERVING" }, liveness: { status: "SERVING" }, "qc.x.v1.X": { status: "NOT_SERVING" } },
    });
    bothWays("List", "response", { statuses: { idle: { status: "UNKNOWN" } } });
  });

  it("skips fields it does not know", () => {
    // HealthCheckRequest { service = "a" } with an unknown field 7 (varint 1) before it.
    const bytes = Buffer.from([0x38, 0x01, 0x0a, 0x01, 0x61]);
    expect(methodOf(ours, "Check").requestDeserialize(bytes)).toEqual({ service: "a" });
  });
});
