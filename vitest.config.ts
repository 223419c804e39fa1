import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit+integration",
          include: [
            "packages/*/src/**/*.test.ts",
            "services/*/src/**/*.test.ts",
            "services/*/test/**/*.test.ts",
            "tests/interop/**/*.test.ts",
            "tests/architecture/**/*.test.ts",
            "tests/support/**/*.test.ts",
            "chaos/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "web",
          // The web app's components in a simulated DOM (jsdom); its browser tests are in the e2e project.
          include: ["web/src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
          // Beside the unit tests, so the same worker count (vitest refuses a group of projects that differ).
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          // Each file starts the whole platform (five processes) and some assert timings of faults:
          // one stack at a time on two cores keeps them deterministic.
          fileParallelism: false,
          // After the unit and integration tests, not beside them.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
