import { defineConfig } from "vitest/config";

// Tests against moto (a local AWS API, one Python process per test file) run one file at a time, before and never
// beside the CPU-heavy codegen and Nix tests: their fault tests kill processes at a log line and bound waits by
// deadlines, which a saturated CPU stretches. (The "EntityAlreadyExists" / "InvalidPermission.NotFound" failures
// once blamed on CPU starvation fit moto's thread-unsafe models answering 500, which the SDK retries, seen in
// moto's log; testkit/moto-serialized.py serves moto one request at a time. See bench/README.md.) Each cloud file is its own project because
// groups (sequence.groupOrder) run one after another, while files within a group run side by side. The two
// longest fault files share a group: they mostly wait (held API answers, processes killed at a log line) rather
// than compute, and one after the other they alone took 7 of CI's 20 minutes.
const cloudGroups: string[][] = [
  ["bridge/provider-host/provider-host.test.ts"],
  ["test/bridge-reliability.test.ts"],
  ["test/bridge-aws.test.ts"],
  ["test/nix-roundtrip.test.ts"],
  ["bridge/jobs/batch-run.test.ts"],
  ["test/bridge-bad-input.test.ts"],
  ["test/state-s3.test.ts"],
  ["test/state-s3-bridge.test.ts"],
  ["test/bridge-faults.test.ts"],
  ["test/bridge-kills.test.ts", "test/bridge-fault-retries.test.ts"],
  ["test/bridge-interrupt.test.ts"],
  ["test/bridge-secrets.test.ts"],
  ["test/bridge-launcher.test.ts"],
  ["test/bridge-host-kills.test.ts"],
  ["test/bridge-host-cold-start.test.ts"],
  ["test/bridge-operation-server.test.ts"],
];
const cloud = cloudGroups.flat();
// Tests beside the code that start a real tool (the engine, Nix, tsc, the HCL parser's Go runtime), other processes
// or servers, or compile big validators: not in the fast unit layer (`npm run test:unit`), which runs only pure
// modules and stays under ten seconds. They run in the "local" project, in `npm test` like everything else.
const tools = [
  "bridge/provider-host/client/waiting-room.test.ts",
  "bridge/operation-server/server.test.ts",
  "bridge/operation-server/native-relay.test.ts",
  "opentofu/engine/schema-dump.test.ts",
  "codegen/emit-typescript/typescript.test.ts",
  "codegen/emit-nix/nix-module.test.ts",
  "codegen/emit-nix/nix-syntax.test.ts",
  "codegen/examples/hcl-example.test.ts",
  "codegen/examples/usage-examples.test.ts",
  "bridge/requests/validate-inputs.test.ts",
  "bridge/machine/engine-slots.test.ts",
  "bridge/provider-host/client/host-burst.test.ts",
  "bridge/provider-host/server/host-dir-sweep.test.ts",
  "bridge/workspace/terraform-json.test.ts",
  "bridge/workspace/workspace-sweep.test.ts",
  "testkit/fault-relay.test.ts",
];
// `npm run test:unit` runs the unit project with --no-isolate: its files share no global state (none sets
// process.env or mocks a module), so one module graph serves them all, which cuts its CPU time about fivefold.
// (Vitest 3.2 takes `isolate` from the command line, not from a project's own settings.)
const beside = [
  "opentofu/**/*.test.ts",
  "bridge/**/*.test.ts",
  "codegen/**/*.test.ts",
  "cli/**/*.test.ts",
  "state-s3/**/*.test.ts",
  "testkit/**/*.test.ts",
];

export default defineConfig({
  test: {
    // End-to-end tests start real engine and provider processes; a 2-core machine runs them best few at a time.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      ...cloudGroups.flatMap((files, group) =>
        files.map((file, i) => ({
          extends: true as const,
          test: {
            name: `cloud-${group + 1}${files.length > 1 ? String.fromCharCode(97 + i) : ""}`,
            include: [file],
            sequence: { groupOrder: group },
          },
        })),
      ),
      {
        extends: true as const,
        test: {
          name: "unit",
          include: beside,
          exclude: [...cloud, ...tools],
          sequence: { groupOrder: cloudGroups.length },
        },
      },
      {
        extends: true as const,
        test: {
          name: "local",
          include: [...tools, "test/**/*.test.ts"],
          exclude: cloud,
          sequence: { groupOrder: cloudGroups.length },
        },
      },
    ],
  },
});
