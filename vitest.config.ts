import { defineConfig } from "vitest/config";

// Tests against moto (a local AWS API, one Python process per test file) run in their own group, before and never
// beside the CPU-heavy codegen and Nix tests: starved of CPU, moto sometimes records a request whose answer the
// provider never gets, and the AWS SDK's retry then meets "EntityAlreadyExists". Seen with plain `terraform
// apply` against moto with the CPU saturated (1 in 12 runs), never with the CPU free; bench/README.md.
const cloud = [
  "test/bridge-aws.test.ts",
  "test/bridge-bad-input.test.ts",
  "test/bridge-reliability.test.ts",
  "test/nix-roundtrip.test.ts",
  "bridge/operations/batch-run.test.ts",
  "bridge/provider-host/provider-host.test.ts",
];
const all = ["bridge/**/*.test.ts", "codegen/**/*.test.ts", "cli/**/*.test.ts", "test/**/*.test.ts"];

const common = {
  // End-to-end tests start real engine and provider processes; a 2-core machine runs them best few at a time.
  maxWorkers: 2,
  minWorkers: 1,
  testTimeout: 120_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    ...common,
    projects: [
      { extends: true, test: { name: "cloud", include: cloud, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "local", include: all, exclude: cloud, sequence: { groupOrder: 1 } } },
    ],
  },
});
