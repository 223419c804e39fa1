import type { LightMyRequestResponse } from "fastify";
import { SignJWT } from "jose";
import { expect } from "vitest";
import { buildApp, type GatewayApp } from "../app";
import type { Role } from "../auth/principal";
import { loadGatewayConfig, type GatewayConfig } from "../config";
import type { Upstreams } from "../upstreams";

export const TEST_SECRET = "test-secret-of-at-least-32-bytes-0123";

export const testConfig = (env: NodeJS.ProcessEnv = {}): GatewayConfig =>
  loadGatewayConfig({ JWT_SECRET: TEST_SECRET, LOG_LEVEL: "silent", ...env });

export const testApp = (upstreams: Upstreams, env?: NodeJS.ProcessEnv): GatewayApp =>
  buildApp(testConfig(env), { upstreams });

/** An Authorization header value for a token signed like `npm run token` does. */
export async function bearer(sub: string, role: Role, secret = TEST_SECRET): Promise<string> {
  const token = await new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  return `Bearer ${token}`;
}

/** Asserts an RFC 9457 answer with the status, the stable code, and nothing internal in it. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = res.json<Record<string, unknown>>();
  expect({ status: res.statusCode, code: body.code }).toEqual({ status, code });
  expect(body.status).toBe(status);
  for (const member of ["type", "title", "detail"]) expect(typeof body[member], member).toBe("string");
  expectNoStackTrace(res.body);
  return body;
}

export function expectNoStackTrace(body: string): void {
  expect(body).not.toMatch(/"stack"|\n\s+at |\bat .+\.[jt]s:\d+:\d+/);
}
