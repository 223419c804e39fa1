import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { signHs256Token } from "../auth/token-signer";
import { DevTokenBodySchema, DevTokenSchema } from "../http/dev.schema";
import { problemResponses } from "../http/problem.schema";

export interface DevRouteDeps {
  /** The HS256 secret the gateway verifies tokens with: what it hands out here, it accepts. */
  readonly secret: string;
  readonly ttlSeconds: number;
}

/**
 * A "sign in as" for the web app in development: anyone may get a token for any subject and role.
 * Registered only when DEV_LOGIN is true (config.ts refuses it in production), so it is a 404 like any
 * unknown path everywhere else.
 */
export const devRoutes: FastifyPluginAsyncTypebox<DevRouteDeps> = async (app, { secret, ttlSeconds }) => {
  app.post(
    "/v1/dev/token",
    {
      schema: {
        tags: ["dev"],
        summary: "Development only (DEV_LOGIN=true; 404 otherwise): a token for any subject and role",
        operationId: "createDevToken",
        body: DevTokenBodySchema,
        response: { 200: DevTokenSchema, ...problemResponses(400, 413, 415) },
      },
    },
    async (request) => ({ token: await signHs256Token(secret, request.body, ttlSeconds) }),
  );
};
