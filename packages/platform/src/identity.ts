/**
 * What a principal's id may look like: a token's `sub`, which becomes the customer's or rider's id
 * in URLs, upstream calls, database rows and logs. The one definition every service and the gateway
 * check against: when the gateway took 128 characters with ':' and the services 64 without, valid
 * tokens got 400s. Identity providers use ':' (`idp:1234`), so it is allowed; what could break a URL
 * path, a log line or a key (spaces, '/', control characters, non-ASCII) is not.
 *
 * Pure values only, so services' domain code may import it.
 */
export const SUBJECT_MAX_LENGTH = 128;

/** As a JSON-schema `pattern` string (the gateway's route schemas) and as the source of `isSubject`. */
export const SUBJECT_PATTERN = `^[A-Za-z0-9][A-Za-z0-9._@:-]{0,${SUBJECT_MAX_LENGTH - 1}}$`;

/** The rule in words, for refusals. */
export const SUBJECT_RULE = `1-${SUBJECT_MAX_LENGTH} letters, digits, '.', '_', '@', ':' or '-', starting with a letter or digit`;

const SUBJECT = new RegExp(SUBJECT_PATTERN);

export const isSubject = (value: unknown): value is string => typeof value === "string" && SUBJECT.test(value);
