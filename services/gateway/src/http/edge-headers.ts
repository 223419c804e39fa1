import type { IncomingMessage, ServerResponse } from "node:http";
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import helmet from "helmet";

export interface EdgeOptions {
  /** Browser origins allowed to call the API; none: browsers on other origins cannot read answers. */
  readonly corsOrigins: readonly string[];
  /** Whether the OpenAPI document and Swagger UI are served at /docs. */
  readonly docsEnabled: boolean;
}

/** The web app's dev server (Vite's default port), allowed outside production when CORS_ORIGINS is unset. */
export const DEV_WEB_APP_ORIGINS: readonly string[] = ["http://localhost:5173", "http://127.0.0.1:5173"];

/** An origin as a browser sends it: http(s), host and port only. */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}

/** What a browser client sends beyond the CORS-safelisted headers (last-event-id: resuming an order's event stream). */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "idempotency-key",
  "last-event-id",
  "traceparent",
  "tracestate",
];
/** What it may read beyond the safelisted ones: trace ids, when to retry, rate limits, new resources. */
const EXPOSED_HEADERS = ["x-trace-id", "retry-after", "location", "server-timing", "ratelimit", "ratelimit-policy"];

/**
 * Security headers and CORS on every answer, errors and 404s included. Registered before every
 * other hook so that a request refused early (shed, rate limited, unauthenticated) still carries
 * them, and a browser on an allowed origin can read why.
 *
 * Helmet's defaults are for HTML sites; a JSON API loads nothing and is framed by no one, so its
 * content security policy allows nothing (`default-src 'none'`, OWASP's REST advice) and framing is
 * denied. The Swagger UI at /docs sends its own policy (`docsCsp`).
 */
export function installEdgeHeaders(app: FastifyInstance, options: EdgeOptions): void {
  const headers = securityHeaders();
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  void app.register(cors, {
    origin: [...options.corsOrigins],
    methods: ["GET", "HEAD", "POST", "PUT"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    // Bearer tokens, no cookies: credentials stay off.
    maxAge: 600,
    // An OPTIONS without Origin is answered like a preflight (204), not with @fastify/cors's text/plain 400.
    strictPreflight: false,
  });
}

/**
 * The headers helmet's middleware sets, taken from it once: with a fixed policy they depend on nothing
 * in the request. Running the middleware for every answer cost more than the headers themselves: it
 * writes each one with the raw response's setHeader, and once one header is set that way, Node's
 * writeHead takes its slow path and passes every other header of the answer through setHeader too.
 * (@fastify/helmet is slower still: it builds the middleware again for every request.)
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: "deny" },
  });
  middleware({} as IncomingMessage, collector as unknown as ServerResponse, (err?: unknown) => {
    if (err instanceof Error) throw err;
  });
  return Object.freeze(headers);
}

/**
 * The Swagger UI's own policy (@fastify/swagger-ui: its assets from 'self' and the hashes of its
 * inline parts) instead of the API's allow-nothing one, less `upgrade-insecure-requests`: over plain
 * HTTP (development) the browser would fetch every asset from an https:// that does not exist.
 */
export const docsCsp = {
  staticCSP: true,
  transformStaticCSP: (header: string): string => header.replace(/\s*upgrade-insecure-requests;?/, "").trim(),
} as const;
