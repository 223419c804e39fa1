import { overloaded } from "@qc/platform/errors";
import { ConcurrencyLimit, type Admission, type ConcurrencyLimitOptions } from "@qc/platform/overload";
import type { Metrics } from "@qc/platform/observability";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendProblem } from "./error-handlers";
import { toProblem } from "./problem";

declare module "fastify" {
  interface FastifyRequest {
    /** The problem `code` the request was answered with, if it failed (set by the error handler). */
    problemCode: string | null;
  }
}

/**
 * Requests share a concurrency limit by class, so that one kind cannot starve another: `orders`
 * (POST /v1/orders, each a saga across three services) and `other` (reads, rider updates, admin).
 * Health checks, event streams, docs and unknown paths are never limited.
 */
export type AdmissionClass = "orders" | "other";

export type AdmissionLimits = Readonly<Record<AdmissionClass, ConcurrencyLimit>>;

/**
 * Never limited: probes, and event streams, which would hold a place for as long as they stay open
 * (minutes) and starve every short request; they are capped per caller instead (order-events.ts).
 */
const UNLIMITED = new Set(["/healthz", "/readyz", "/v1/orders/:id/events"]);

export function admissionClassOf(method: string, route: string | undefined): AdmissionClass | null {
  if (route === undefined || UNLIMITED.has(route) || route.startsWith("/docs")) return null;
  return method === "POST" && route === "/v1/orders" ? "orders" : "other";
}

/** Answers that came from the platform doing the work (or refusing it on its merits): latency samples. */
const DECIDED = new Set([402, 404, 409, 422]);
/** 503 codes that mean the platform is saturated (shed, timed out), not that a dependency is down. */
const OVERLOAD_CODES = new Set(["OVERLOADED", "SERVICE_UNAVAILABLE", "DEADLINE_EXCEEDED"]);

/** What a finished request tells the limit about the platform's load. */
export function outcomeOf(status: number, problemCode: string | null): keyof Admission {
  if (status < 400 || DECIDED.has(status)) return "success";
  if ((status === 503 || status === 504) && problemCode !== null && OVERLOAD_CODES.has(problemCode)) return "dropped";
  // Refused before any work (bad input, auth), a breaker already open (fast, says nothing of load), a bug.
  return "ignore";
}

/**
 * Admission control at the edge: each request takes a place under its class's adaptive concurrency
 * limit before anything else is done for it (before its token is verified or its body read); when
 * there is none it is answered at once with 503 OVERLOADED and `Retry-After: 1`, costing the platform
 * nothing. The place is given back when the answer is sent (or the client goes away), with what the
 * answer says about the platform's load, from which the limit adapts (see `ConcurrencyLimit`).
 */
export function installAdmission(app: FastifyInstance, limits: AdmissionLimits | null, metrics: Metrics): void {
  app.decorateRequest("problemCode", null);
  if (limits === null) return;
  const classes = Object.keys(limits) as AdmissionClass[];
  const shed = metrics.counter<"class">({
    name: "admission_rejected_total",
    help: "Requests answered 503 OVERLOADED at once by the gateway's admission control, by class.",
    labelNames: ["class"],
    collect: () => {
      for (const c of classes) shed.inc({ class: c }, 0);
    },
  });
  const perClass = (name: string, help: string, read: (limit: ConcurrencyLimit) => number) => {
    const gauge = metrics.gauge<"class">({
      name,
      help,
      labelNames: ["class"],
      collect: () => {
        for (const c of classes) gauge.set({ class: c }, read(limits[c]));
      },
    });
  };
  perClass(
    "admission_limit",
    "Requests of a class the gateway lets in at once (adaptive concurrency limit).",
    (l) => l.limit,
  );
  perClass(
    "admission_in_flight",
    "Requests of a class in flight under the gateway's admission control.",
    (l) => l.inFlight,
  );

  app.addHook("onRequest", (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const admissionClass = admissionClassOf(request.method, request.routeOptions.url);
    if (admissionClass === null) return done();
    const admission = limits[admissionClass].tryAcquire();
    if (admission === null) {
      shed.inc({ class: admissionClass });
      const path = request.url.split("?", 1)[0] ?? request.url;
      void sendProblem(reply, toProblem(overloaded("The platform is at capacity; retry shortly."), path));
      return;
    }
    reply.raw.once("close", () => {
      const outcome = reply.raw.writableFinished ? outcomeOf(reply.statusCode, request.problemCode) : "ignore"; // gone: no answer, no sample
      // Timed here, from admission to answer, as a concurrency limit times what it guards (Netflix's
      // concurrency-limits and Envoy's adaptive concurrency time the call at the caller): under a CPU
      // overload the queue is in the upstream's event loop, before its handler starts, so the
      // upstream's own handler time (its Server-Timing) would stay short while orders wait.
      admission[outcome]();
    });
    done();
  });
}

/** The limits of both classes from the gateway's configuration. */
export function admissionLimits(orders: ConcurrencyLimitOptions, other: ConcurrencyLimitOptions): AdmissionLimits {
  return { orders: new ConcurrencyLimit(orders), other: new ConcurrencyLimit(other) };
}
