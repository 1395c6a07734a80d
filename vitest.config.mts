import { defineConfig } from "vitest/config";

// Two tiers: `fast` (pure logic and Pulumi mocks, no services) and `tier`
// (real ZenML server, moto and emulators started by the test run itself).
export default defineConfig({
  test: {
    // A missing golden file fails everywhere, not only under CI; `vitest -u` writes them.
    update: "none",
    projects: [
      {
        test: {
          name: "fast",
          include: ["test/unit/**/*.test.ts"],
          // Generous: on our 2-core machines a test that spawns the CLI or loads
          // the cloud SDKs can take tens of seconds while the other worker runs.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "tier",
          include: ["test/tier/**/*.test.ts"],
          // Limits for a stuck service, not for a slow one: on a loaded 2-core
          // machine starting ZenML and moto alone can take minutes.
          testTimeout: 900_000,
          hookTimeout: 1_200_000,
          // Services are heavy; on 2 cores, one tier file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
