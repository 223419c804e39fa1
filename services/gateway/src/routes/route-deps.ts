import type { Authorize } from "../auth/authorize";
import type { Upstreams } from "../upstreams";

/** What every route plugin is registered with. */
export interface RouteDeps {
  readonly upstreams: Upstreams;
  readonly authorize: Authorize;
}

/** OpenAPI security requirement of routes that need a bearer token (scheme named in openapi.ts). */
export const bearer = [{ bearerAuth: [] }];
