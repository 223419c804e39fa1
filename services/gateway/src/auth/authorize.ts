import { AppError } from "@qc/platform";
import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { forbidden, unauthenticated } from "./auth.errors";
import type { Principal, Role } from "./principal";
import type { TokenVerifier } from "./token-verifier";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by an `authorize` hook; null on routes open to anyone. */
    principal: Principal | null;
  }
}

/** An onRequest hook that admits only the given roles; it runs before the body is even read. */
export type Authorize = (...allowed: Role[]) => onRequestAsyncHookHandler;

const BEARER = /^Bearer +(\S+)$/i;

export function createAuthorize(verify: TokenVerifier): Authorize {
  return (...allowed) =>
    async (request) => {
      const token = BEARER.exec(request.headers.authorization ?? "")?.[1];
      if (token === undefined) throw unauthenticated("missing bearer token");
      const principal = await verify(token);
      if (!allowed.includes(principal.role)) throw forbidden(`role ${principal.role} may not do this`);
      request.principal = principal;
    };
}

/** The caller of a route guarded by `authorize`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new AppError("internal", "INTERNAL", "route is missing its authorize hook");
  return request.principal;
}
