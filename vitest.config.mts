import { defineConfig } from "vitest/config";

// Two tiers: `fast` (pure logic and Pulumi mocks, no services) and `tier`
// (real ZenML server, moto and emulators started by the test run itself).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "fast",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "tier",
          include: ["test/tier/**/*.test.ts"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Services are heavy; on 2 cores, one tier file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
