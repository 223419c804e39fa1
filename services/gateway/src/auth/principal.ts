export const roles = ["customer", "rider", "admin"] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role =>
  typeof value === "string" && (roles as readonly string[]).includes(value);

/**
 * What a token's `sub` may look like: the platform's one subject pattern, which every service checks
 * customer and rider ids against too (a token the gateway accepts is never refused behind it).
 */
export { SUBJECT_PATTERN as subjectPattern } from "@qc/platform/identity";

/** Who is calling, as proven by a verified token: `subject` is the customer's or rider's id. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
}
