import { AppError, isAppError } from "@qc/platform/errors";
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
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

/** Told of every failed authentication before it is answered 401; may throw a different answer instead (a rate limit). */
export type OnAuthenticationFailure = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function createAuthorize(
  verify: TokenVerifier,
  onFailure: OnAuthenticationFailure = async () => undefined,
): Authorize {
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal> => {
    try {
      const token = BEARER.exec(request.headers.authorization ?? "")?.[1];
      if (token === undefined) throw unauthenticated("missing bearer token");
      return await verify(token);
    } catch (err) {
      // Only the caller's failure counts: an identity provider that cannot be reached (503) is not it.
      if (isAppError(err) && err.code === "UNAUTHENTICATED") await onFailure(request, reply);
      throw err;
    }
  };
  return (...allowed) =>
    async (request, reply) => {
      const principal = await authenticate(request, reply);
      if (!allowed.includes(principal.role)) throw forbidden(`role ${principal.role} may not do this`);
      request.principal = principal;
    };
}

/** The caller of a route guarded by `authorize`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new AppError("internal", "INTERNAL", "route is missing its authorize hook");
  return request.principal;
}
