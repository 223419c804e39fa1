import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Static } from "typebox";
import { AuthConfigSchema } from "../http/auth-config.schema";
import { problemResponses } from "../http/problem.schema";

export interface AuthConfigRouteDeps {
  readonly oidc: Static<typeof AuthConfigSchema>["oidc"];
}

/** How the web app signs people in: the OpenID Connect provider, when one is configured (OIDC_ISSUER). */
export const authConfigRoutes: FastifyPluginAsyncTypebox<AuthConfigRouteDeps> = async (app, { oidc }) => {
  app.get(
    "/v1/auth/config",
    {
      schema: {
        tags: ["auth"],
        summary: "How to sign in: the OpenID Connect provider and client id, or null",
        operationId: "getAuthConfig",
        response: { 200: AuthConfigSchema, ...problemResponses() },
      },
    },
    async () => ({ oidc }),
  );
};
