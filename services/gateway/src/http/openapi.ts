import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import type { TSchema } from "typebox";

/** A response schema with the description OpenAPI shows for its status. */
export const described = <S extends TSchema>(schema: S, description: string): S => ({ ...schema, description });

/** The OpenAPI document @fastify/swagger builds from the route schemas (served at /docs/json). */
export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    // 3.1 for JSON Schema's null type (nextCursor) and const.
    openapi: "3.1.0",
    info: {
      title: "Quick-commerce public API",
      version: "1.0.0",
      description: "Errors are application/problem+json (RFC 9457) with a stable `code`.",
    },
    tags: [
      { name: "health", description: "Liveness and readiness" },
      { name: "products", description: "The catalog" },
      { name: "orders", description: "Orders: placed by customers, delivered by riders" },
      { name: "riders", description: "Rider locations; who is nearby (admin)" },
      { name: "admin", description: "Operations; role admin" },
      { name: "dev", description: "Development only (DEV_LOGIN=true): sign in as anyone" },
    ],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "HS256; claims sub and role" },
      },
    },
  },
};
