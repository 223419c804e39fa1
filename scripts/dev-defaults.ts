/**
 * Defaults for a developer's machine only (`npm start`, `npm run token`). Never used when the
 * corresponding variable is set, and never by the services themselves: they require JWT_SECRET.
 */
export const DEV_JWT_SECRET = "dev-only-secret-do-not-use-in-production";
export const DEV_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
