import { SUBJECT_MAX_LENGTH } from "@qc/platform/identity";
import { afterEach, describe, expect, it } from "vitest";
import type { GatewayApp } from "../app";
import { fakeUpstreams } from "../testing/fake-upstreams";
import { rawConnection, type RawConnection } from "../testing/raw-http";
import { bearer, expectProblem, testApp } from "../testing/test-app";
import { PROBLEM_MEDIA_TYPE } from "./problem.schema";

let app: GatewayApp;
const connections: RawConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.destroy();
  await app.close();
});

describe("ids as long as a subject may be", () => {
  const updateLocation = (id: string, authorization: string) =>
    app.inject({
      method: "PUT",
      url: `/v1/riders/${id}/location`,
      headers: { authorization },
      payload: { lat: 1, lon: 2, available: true },
    });

  // Fastify's router stops at 100 characters a parameter and answered 414 in plain JSON, so a rider
  // whose token the gateway accepts (up to 128) could not report a location.
  it.each([101, SUBJECT_MAX_LENGTH])("passes a %i-character rider id to the route", async (length) => {
    app = testApp(fakeUpstreams({ rider: { updateLocation: async () => ({}) } }));
    const id = `idp:${"r".repeat(length - 4)}`;
    const res = await updateLocation(id, await bearer(id, "rider"));
    expect(res.statusCode).toBe(204);
  });

  it("refuses one character more as a validation problem", async () => {
    app = testApp(fakeUpstreams());
    const id = "c".repeat(SUBJECT_MAX_LENGTH + 1);
    const res = await app.inject({
      method: "POST",
      url: `/v1/admin/wallets/${id}/credit`,
      headers: { authorization: await bearer("boss", "admin") },
      payload: { amountCents: 100 },
    });
    expect(expectProblem(res, 400, "VALIDATION_FAILED").detail).toMatch(/^params\/customerId /);
  });

  it("answers a parameter beyond any route's limit 414 as a problem", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(await app.inject({ method: "GET", url: `/v1/orders/${"a".repeat(5_000)}` }), 414, "URI_TOO_LONG");
  });

  it("answers a path that is no valid URL component 400 as a problem", async () => {
    app = testApp(fakeUpstreams());
    expectProblem(await app.inject({ method: "GET", url: "/v1/products/%E0%A4%A" }), 400, "BAD_REQUEST");
  });
});

describe("what Node's HTTP parser refuses", () => {
  async function send(raw: string) {
    app = testApp(fakeUpstreams());
    const connection = rawConnection(new URL(await app.listen({ host: "127.0.0.1", port: 0 })));
    connections.push(connection);
    await connection.write(raw);
    return connection.closedBy(5_000);
  }

  it.each([
    ["a malformed request line", "NOT HTTP AT ALL\r\n\r\n", 400, "BAD_REQUEST"],
    ["a header line without a colon", "GET /healthz HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n", 400, "BAD_REQUEST"],
    [
      "a chunk size beyond any body",
      "POST /v1/orders HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n",
      400,
      "BAD_REQUEST",
    ],
    [
      "headers larger than the server takes",
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(40_000)}\r\n\r\n`,
      431,
      "HEADERS_TOO_LARGE",
    ],
  ])("answers %s as application/problem+json and closes", async (_, raw, status, code) => {
    const answer = await send(raw);
    expect(answer?.status).toBe(status);
    expect(answer?.headers["content-type"]).toBe(PROBLEM_MEDIA_TYPE);
    expect(answer?.headers["content-length"]).toBe(String(Buffer.byteLength(answer?.body ?? "")));
    const problem = JSON.parse(answer?.body ?? "") as Record<string, unknown>;
    expect({ status: problem.status, code: problem.code }).toEqual({ status, code });
    for (const member of ["type", "title", "detail"]) expect(typeof problem[member], member).toBe("string");
  });
});
