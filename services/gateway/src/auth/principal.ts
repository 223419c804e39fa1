export const roles = ["customer", "rider", "admin"] as const;
export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role => typeof value === "string" && (roles as readonly string[]).includes(value);

/**
 * What a token's `sub` may look like. Subjects become customer ids in URLs and upstream keys, so they
 * are kept to a URL-safe alphabet.
 */
export const subjectPattern = "^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$";

/** Who is calling, as proven by a verified token: `subject` is the customer's or rider's id. */
export interface Principal {
  readonly subject: string;
  readonly role: Role;
}
