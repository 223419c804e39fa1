import fastifyStatic from "@fastify/static";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * The web app's production build (web/, `npm run build -w @qc/web`) served at `/`: its hashed files
 * under /assets cached for a year, index.html (and any other unhashed file) revalidated on every load,
 * and index.html answered for any other GET that is not the API's (the app routes in the browser).
 * The API keeps its paths: /v1 (an unknown one is still a 404 problem), /healthz, /readyz, /docs.
 */
export interface WebAppOptions {
  /** The build's folder: index.html and assets/. */
  readonly root: string;
  /** Origins besides its own the page may call (the OpenID Connect provider's discovery and token endpoints). */
  readonly connectOrigins?: readonly string[];
}

/**
 * This repository's web/dist, where `npm run build -w @qc/web` writes, seen from this file: from its
 * source (services/gateway/src/http/) or from the compiled gateway (services/gateway/dist/main.js).
 */
const DEFAULT_WEB_ROOTS = ["../../../../web/dist", "../../../web/dist"].map((rel) =>
  fileURLToPath(new URL(rel, import.meta.url)),
);

/**
 * Where the web app is, or null when the gateway serves the API only: WEB_ROOT when set (it must hold
 * a build), else this repository's web/dist when it was built.
 */
export function webAppOptions(
  configured: string | undefined,
  connectOrigins: readonly string[] = [],
): WebAppOptions | null {
  if (configured !== undefined) {
    if (!existsSync(join(configured, "index.html")))
      throw new Error(`WEB_ROOT: no index.html in ${configured} (build the web app: npm run build -w @qc/web)`);
    return { root: configured, connectOrigins };
  }
  const root = DEFAULT_WEB_ROOTS.find((dir) => existsSync(join(dir, "index.html")));
  return root === undefined ? null : { root, connectOrigins };
}

/**
 * The page's own policy instead of the API's allow-nothing one: its scripts, styles, images and API
 * calls from this origin only (and calls to `connectOrigins`: the sign-in provider); no inline script,
 * no framing, no plugins.
 */
export const webAppCsp = (connectOrigins: readonly string[] = []): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...connectOrigins].join(" "),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

export const WEB_APP_CSP = webAppCsp();

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

function webHeaders(csp: string) {
  return (reply: FastifyReply, path: string): void => {
    // Vite names every file under assets/ by its content's hash: a new build is a new name.
    const hashed = /[\\/]assets[\\/]/.test(path);
    void reply.header("cache-control", hashed ? IMMUTABLE : REVALIDATE);
    void reply.header("content-security-policy", csp);
  };
}

/** Paths that belong to the API and its operations, never answered with the app's index.html. */
const API_PATH = /^\/(?:v1|healthz|readyz|docs|metrics|assets)(?:[/?]|$)/;

/**
 * Whether a request the router did not match is a page of the app: a GET or HEAD outside the API's
 * paths whose last segment has no file extension (a missing /favicon.png stays a 404).
 */
export function isAppPage(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const url = request.url;
  if (API_PATH.test(url)) return false;
  const path = url.split("?", 1)[0] ?? url;
  const last = path.slice(path.lastIndexOf("/") + 1);
  return !last.includes(".");
}

/** Answers a page of the app: its index.html, which routes in the browser. */
export function sendAppPage(reply: FastifyReply): Promise<void> | FastifyReply {
  return reply.sendFile("index.html");
}

/** Registers the build's files (each its own route, found at start) and `reply.sendFile`. */
export function installWebApp(app: FastifyInstance, options: WebAppOptions): void {
  void app.register(fastifyStatic, {
    root: options.root,
    prefix: "/",
    // One route per file found at start, so no wildcard route shadows the API's 404s.
    wildcard: false,
    // index.html is answered for / by the SPA fallback with the same headers, not as a directory index.
    index: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders: webHeaders(webAppCsp(options.connectOrigins)),
  });
}
