/**
 * Defaults for a developer's machine only (`npm start`, `npm run token`). Never used when the
 * corresponding variable is set, and never by the services themselves: they require JWT_SECRET.
 * There is no default database URL: without DATABASE_URL the services run embedded databases.
 */
export const DEV_JWT_SECRET = "dev-only-secret-do-not-use-in-production";
