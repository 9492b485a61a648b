// Records what the real engine prints (`-json`, one UI message per stdout line) for a few batch situations, as
// fixtures for the unit test of the batch's attribution (bridge/jobs/attribution.test.ts): which job a diagnostic,
// a planned change or a progress line belongs to is decided by fields the engine may or may not set (terraform
// 1.11 names no address on import errors or on configuration errors), and only the engine can say which.
//
// `npm run record:transcripts` runs terraform + hashicorp/aws from the filesystem mirror against moto, through the
// bridge's own runBatch (so the commands and workspaces are the bridge's), with an engine wrapper that keeps each
// command's arguments, main.tf.json and stdout. Re-record after an engine or provider upgrade, or a change of
// main.tf.json's layout; the fixtures hold moto's test keys only, which the recorder checks before writing.
import { execa } from "execa";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir } from "tmp-promise";
import { runBatch, type BatchJob } from "../bridge/jobs/batch-run.js";
import { initWorkspace } from "../bridge/operations/workspace-init.js";
import { parseProviderRef } from "../opentofu/provider/provider-address.js";
import { AWS_PROVIDER, engineBinary, pluginMirrorDir } from "./machine.js";
import { TRANSCRIPTS_DIR, type RecordedCommand, type Transcript } from "./engine-transcript.js";
import { awsProviderConfig, startMoto } from "./moto.js";
import { repoRoot } from "./repo-root.js";

const managed = (type: string, args: Record<string, unknown>, importId?: string): BatchJob["resource"] => ({
  mode: "managed",
  type,
  args,
  ...(importId !== undefined ? { importId } : {}),
});

const create = (label: string, resource: BatchJob["resource"]): BatchJob => ({ label, resource, action: "apply" });

const CASES: { name: string; about: string; jobs: BatchJob[] }[] = [
  {
    name: "three-creates",
    about: "three plain creates that all succeed: one `apply -auto-approve` plans and applies them",
    jobs: [
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-user" })),
      create("aws_s3_bucket", managed("aws_s3_bucket", { bucket: "rec-bucket" })),
      create("aws_iam_group", managed("aws_iam_group", { name: "rec-group" })),
    ],
  },
  {
    name: "apply-failure",
    about: "three creates; the second (a policy for a user that does not exist) fails only when applied",
    jobs: [
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-apply-user" })),
      create(
        "aws_iam_user_policy",
        managed("aws_iam_user_policy", {
          name: "rec-policy",
          user: "rec-nobody",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
          }),
        }),
      ),
      create("aws_s3_bucket", managed("aws_s3_bucket", { bucket: "rec-apply-bucket" })),
    ],
  },
  {
    name: "plan-failure",
    about:
      "three creates; the second fails the provider's validation at plan: the one-step apply plans nothing, " +
      "a plan finds the job to drop, the plan without it is applied",
    jobs: [
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-plan-user" })),
      create(
        "aws_s3_bucket",
        managed("aws_s3_bucket", {
          bucket: "rec-plan-bad",
          lifecycle_rule: [{ enabled: true, expiration: [{ days: -3 }] }],
        }),
      ),
      create("aws_iam_group", managed("aws_iam_group", { name: "rec-plan-group" })),
    ],
  },
  {
    name: "import-missing",
    about:
      "an import of an object that does not exist beside a create: terraform 1.11 sets no address on the import " +
      "error, which names its resource only in the detail",
    jobs: [
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-import-user" })),
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-ghost" }, "rec-ghost")),
    ],
  },
  {
    name: "unknown-argument",
    about:
      "an argument the resource type does not have: the engine's configuration error has no address, only a " +
      "range in main.tf.json",
    jobs: [
      create("aws_iam_group", managed("aws_iam_group", { name: "rec-arg-group" })),
      create("aws_iam_user", managed("aws_iam_user", { name: "rec-arg-user", no_such_argument: "x" })),
    ],
  },
];

/** An engine that keeps each command's arguments, main.tf.json, stdout and exit code in its own folder. */
function recordingEngine(dir: string, engine: string): string {
  const script = join(dir, "engine");
  writeFileSync(
    script,
    [
      "#!/usr/bin/env bash",
      "set -u",
      `rec='${dir}/commands'`,
      'mkdir -p "$rec"',
      'n=$(printf %03d "$(ls "$rec" | wc -l)")',
      'mkdir "$rec/$n"',
      'printf "%s\\n" "$@" > "$rec/$n/args"',
      'if [ -f main.tf.json ]; then cp main.tf.json "$rec/$n/main.tf.json"; fi',
      `'${engine}' "$@" | tee "$rec/$n/stdout"`,
      "code=${PIPESTATUS[0]}",
      'echo "$code" > "$rec/$n/exit"',
      'exit "$code"',
      "",
    ].join("\n"),
  );
  chmodSync(script, 0o700);
  return script;
}

function readCommands(dir: string): RecordedCommand[] {
  const root = join(dir, "commands");
  return readdirSync(root)
    .sort()
    .map((n) => join(root, n))
    .map((at) => ({
      args: readFileSync(join(at, "args"), "utf8").split("\n").slice(0, -1),
      exitCode: Number(readFileSync(join(at, "exit"), "utf8").trim()),
      mainTf: existsSync(join(at, "main.tf.json")) ? readFileSync(join(at, "main.tf.json"), "utf8") : "",
      stdout: readFileSync(join(at, "stdout"), "utf8").split("\n").filter(Boolean),
    }))
    .filter((command) => command.args.includes("-json"));
}

/** Fixtures must not change with the port moto got or the temp dir the workspace had. */
function stable(text: string, replacements: [string, string][]): string {
  let out = text;
  for (const [from, to] of replacements) out = out.split(from).join(to);
  return out;
}

/** Refuses to write a fixture that holds anything like a credential other than moto's "testing" keys. */
function checkNoCredentials(name: string, text: string): void {
  const ownSecrets = Object.entries(process.env)
    .filter(([key, value]) => /SECRET|TOKEN|PASSWORD|ACCESS_KEY/i.test(key) && value && value.length >= 8)
    .map(([, value]) => value!);
  const found = [
    /AKIA[0-9A-Z]{16}/.exec(text)?.[0],
    /ASIA[0-9A-Z]{16}/.exec(text)?.[0],
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.exec(text)?.[0],
    ...[...text.matchAll(/"(?:access_key|secret_key|token)"\s*:\s*"([^"]*)"/g)]
      .map((m) => m[1]!)
      .filter((v) => v !== "testing"),
    ...ownSecrets.filter((secret) => text.includes(secret)).map(() => "a value of this environment's secrets"),
  ].filter(Boolean);
  if (found.length > 0) throw new Error(`${name}: refusing to write a fixture holding ${found.join(", ")}`);
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const provider = parseProviderRef(AWS_PROVIDER);
  const cache = await tmpDir({ unsafeCleanup: true });
  const outDir = join(repoRoot, TRANSCRIPTS_DIR);
  mkdirSync(outDir, { recursive: true });
  const version = (await execa(engineBinary(), ["version"])).stdout.split("\n")[0]!;
  try {
    for (const c of CASES) {
      const work = await tmpDir({ unsafeCleanup: true });
      let workspacePath = "";
      try {
        const outcomes = await runBatch(
          {
            engine: recordingEngine(work.path, engineBinary()),
            provider,
            providerConfig: awsProviderConfig(),
            pluginDir: pluginMirrorDir(),
            baseEnv: { ...process.env, ...moto.env },
            attach: (workspace, baseEnv) => {
              workspacePath = workspace;
              return initWorkspace({
                engine: engineBinary(),
                workspace,
                provider,
                pluginDir: pluginMirrorDir(),
                cacheDir: cache.path,
                baseEnv,
                label: c.name,
              });
            },
            progress: () => undefined,
          },
          c.jobs,
        );
        const commands = readCommands(work.path);
        const transcript: Transcript = {
          about: c.about,
          engine: version,
          provider: AWS_PROVIDER,
          jobs: c.jobs.map(({ label, resource, action }) => ({ label, resource, action })),
          commands,
          outcomes: outcomes.map((o) => (o.kind === "failed" ? { kind: o.kind, stage: o.stage } : { kind: o.kind })),
        };
        const text = stable(JSON.stringify(transcript, null, 2) + "\n", [
          [moto.endpoint, "http://127.0.0.1:MOTO_PORT"],
          [`127.0.0.1:${moto.port}`, "127.0.0.1:MOTO_PORT"],
          [workspacePath, "WORKSPACE"],
          [work.path, "WORK_DIR"],
          [cache.path, "CACHE_DIR"],
        ]);
        if (/"\/tmp\//.test(text)) throw new Error(`${c.name}: a temp path is left in the transcript`);
        // main.tf.json is a string inside the transcript: its quotes are escaped.
        checkNoCredentials(c.name, text.replace(/\\"/g, `"`));
        writeFileSync(join(outDir, `${c.name}.json`), text);
        console.error(
          `${c.name}: ${commands.map((command) => `${command.args[0]} (exit ${command.exitCode})`).join(", ")} -> ` +
            transcript.outcomes.map((o) => o.stage ?? o.kind).join(", "),
        );
      } finally {
        await work.cleanup();
      }
    }
  } finally {
    await cache.cleanup();
    await moto.stop();
  }
}

await main();
