import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["bridge/**/*.test.ts", "codegen/**/*.test.ts", "cli/**/*.test.ts", "test/**/*.test.ts"],
    // End-to-end tests start real engine and provider processes; a 2-core machine runs them best few at a time.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
