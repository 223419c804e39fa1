import { SignJWT } from "jose";

/** The subjects the suite's data belongs to, by role. */
export interface Subjects {
  readonly customer: readonly string[];
  readonly rider: readonly string[];
  readonly admin: readonly string[];
}

export interface TokenSet {
  /** `Authorization` values of valid tokens per role. */
  readonly valid: Readonly<Record<string, readonly string[]>>;
  /** `Authorization` values the gateway must refuse with 401 (or 400/403), never let through. */
  readonly invalid: readonly string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const inAnHour = () => Math.floor(Date.now() / 1000) + 3_600;

/**
 * Signed once before the run (signing is async, generators are not): valid tokens for each known
 * subject, and tokens that are forged, expired, unsigned, of an unknown role or not tokens at all.
 */
export async function tokenSet(secret: string, subjects: Subjects): Promise<TokenSet> {
  const key = new TextEncoder().encode(secret);
  const sign = (claims: Record<string, unknown>, sub: string | null, signingKey = key) => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" });
    if (sub !== null) jwt.setSubject(sub);
    return jwt.sign(signingKey);
  };
  const valid: Record<string, string[]> = {};
  for (const role of ["customer", "rider", "admin"] as const) {
    valid[role] = await Promise.all(
      subjects[role].map(async (sub) => `Bearer ${await sign({ role, exp: inAnHour() }, sub)}`),
    );
  }
  const good = await sign({ role: "customer", exp: inAnHour() }, subjects.customer[0] ?? "c");
  const [header, payload] = good.split(".");
  const invalid = [
    `Bearer ${await sign({ role: "admin", exp: inAnHour() }, "mallory", new TextEncoder().encode("another-secret-that-is-32-bytes-long!"))}`,
    `Bearer ${await sign({ role: "admin", exp: Math.floor(Date.now() / 1000) - 3_600 }, "ops")}`,
    `Bearer ${await sign({ role: "admin", exp: inAnHour(), nbf: inAnHour() }, "ops")}`,
    `Bearer ${await sign({ role: "superuser", exp: inAnHour() }, "ops")}`,
    `Bearer ${await sign({ role: ["admin"], exp: inAnHour() }, "ops")}`,
    `Bearer ${await sign({ role: "customer" }, "no-expiry")}`,
    `Bearer ${await sign({ role: "customer", exp: inAnHour() }, null)}`,
    `Bearer ${await sign({ role: "customer", exp: inAnHour() }, "has space")}`,
    `Bearer ${await sign({ role: "customer", exp: inAnHour() }, "x".repeat(129))}`,
    `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "ops", role: "admin", exp: inAnHour() })}.`,
    `Bearer ${header}.${b64({ sub: "ops", role: "admin", exp: inAnHour() })}.${good.split(".")[2]}`,
    `Bearer ${header}.${payload}`,
    `Bearer ${good}x`,
    "Bearer",
    "Bearer ",
    `Basic ${Buffer.from("ops:secret").toString("base64")}`,
    `Token ${good}`,
    "Bearer a.b.c",
    `Bearer ${"A".repeat(4_000)}`,
  ];
  return { valid, invalid };
}
