// Moved to @qc/devstack (the chaos runner restarts a private Redis too); kept here for the e2e tests' imports.
export { PrivateRedis } from "@qc/devstack";
