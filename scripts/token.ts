/**
 * Prints a signed HS256 JWT for the gateway, for trying the API by hand:
 *   npm run token -- --sub alice --role customer [--ttl 3600]
 * Signs with JWT_SECRET, or the developer default when it is unset (as `npm start` does).
 */
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { isRole, roles, subjectPattern } from "../services/gateway/src/auth/principal";
import { DEV_JWT_SECRET } from "./dev-defaults";

const USAGE = `usage: npm run token -- --sub <id> --role <${roles.join("|")}> [--ttl <seconds>]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { sub?: string; role?: string; ttl?: string };
  try {
    ({ values } = parseArgs({
      options: { sub: { type: "string" }, role: { type: "string" }, ttl: { type: "string", default: "3600" } },
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { sub, role, ttl } = values;
  if (sub === undefined || !new RegExp(subjectPattern).test(sub)) fail(`--sub must match ${subjectPattern}`);
  if (role === undefined) fail("--role is required");
  if (!isRole(role)) fail(`unknown role ${JSON.stringify(role)}; expected one of ${roles.join(", ")}`);
  const seconds = Number(ttl);
  if (!Number.isInteger(seconds) || seconds <= 0) fail("--ttl must be a positive whole number of seconds");

  const secret = process.env.JWT_SECRET || DEV_JWT_SECRET;
  const token = await new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`)
    .sign(new TextEncoder().encode(secret));
  console.log(token);
}

void main();
