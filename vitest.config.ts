import { defineConfig } from "vitest/config";

// Tests against moto (a local AWS API, one Python process per test file) run one file at a time, before and never
// beside the CPU-heavy codegen and Nix tests: with the CPU saturated, moto sometimes records a request whose
// answer the AWS provider never gets, and the SDK's retry then meets "EntityAlreadyExists". Reproduced with plain
// `terraform apply` against moto (1 in 12 runs with both cores busy); see bench/README.md. Each cloud file is its
// own project because groups (sequence.groupOrder) run one after another, while files within a group run side
// by side.
const cloud = [
  "bridge/provider-host/provider-host.test.ts",
  "test/bridge-reliability.test.ts",
  "test/bridge-aws.test.ts",
  "test/nix-roundtrip.test.ts",
  "bridge/jobs/batch-run.test.ts",
  "test/bridge-bad-input.test.ts",
  "test/bridge-interrupt.test.ts",
];
const all = ["bridge/**/*.test.ts", "codegen/**/*.test.ts", "cli/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  test: {
    // End-to-end tests start real engine and provider processes; a 2-core machine runs them best few at a time.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      ...cloud.map((file, i) => ({
        extends: true as const,
        test: { name: `cloud-${i + 1}`, include: [file], sequence: { groupOrder: i } },
      })),
      { extends: true as const, test: { name: "local", include: all, exclude: cloud, sequence: { groupOrder: cloud.length } } },
    ],
  },
});
