import type { Authorize } from "../auth/authorize";
import type { Role } from "../auth/principal";
import type { Upstreams } from "../upstreams";

/** What every route plugin is registered with. */
export interface RouteDeps {
  readonly upstreams: Upstreams;
  readonly authorize: Authorize;
}

/**
 * OpenAPI security requirement of a route that needs a bearer token (scheme named in openapi.ts) with
 * one of `roles`: OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs, so clients (and
 * the fuzz suite, tests/e2e/fuzz.e2e.test.ts) read them from the document.
 */
export const bearer = (...roles: readonly Role[]) => [{ bearerAuth: [...roles] }];
