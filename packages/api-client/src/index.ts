import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, operations, paths } from "./schema";

/** A named schema of the API: `Schema<"Order">`, `Schema<"Problem">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

export interface ApiClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The gateway, e.g. `http://localhost:8080` (an empty string: the page's own origin). */
  readonly baseUrl: string;
  /** The bearer token to send, read on every request (so signing in again needs no new client); none: no Authorization. */
  readonly token?: () => string | null | undefined;
}

/**
 * A typed client of the gateway's REST API (openapi-fetch over the types generated from its OpenAPI
 * document): `client.GET("/v1/orders/{id}", { params: { path: { id } } })` answers `{ data, error }`,
 * `error` being the problem+json body (`Schema<"Problem">`). Event streams (/v1/orders/{id}/events)
 * are not JSON: read them with fetch and `parseAs: "stream"`.
 */
export function createApiClient({ baseUrl, token, ...options }: ApiClientOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl, ...options });
  if (token) {
    client.use({
      onRequest: ({ request }) => {
        const value = token();
        if (value) request.headers.set("authorization", `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}
