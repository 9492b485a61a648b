// Driven by what the real engine printed (fixtures/engine-transcripts, `npm run record:transcripts`): each
// transcript is replayed command by command through the attribution, and the test says which job must get
// which diagnostic and which progress line.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../opentofu/engine/json-ui.js";
import { loadTranscript, replay, type ReplayedCommand } from "../../testkit/engine-transcript.js";
import { Attribution } from "./attribution.js";

function replayed(name: string) {
  const transcript = loadTranscript(name);
  return { attribution: new Attribution(transcript.jobs), commands: replay(transcript), transcript };
}

/** Every progress line of a command, per job. */
function progressByJob(attribution: Attribution, command: ReplayedCommand): Map<number, string[]> {
  const byJob = new Map<number, string[]>();
  for (const message of command.messages)
    for (const [job, line] of attribution.progress(message, command.phase))
      byJob.set(job, [...(byJob.get(job) ?? []), line]);
  return byJob;
}

const diagnosticsOf = (command: ReplayedCommand): Diagnostic[] =>
  command.messages.flatMap((m) => (m.type === "diagnostic" && m.diagnostic ? [m.diagnostic] : []));
const summaries = (byJob: Map<number, Diagnostic[]>) =>
  Object.fromEntries([...byJob].map(([job, ds]) => [job, ds.map((d) => d.summary)]));

describe("attribution of recorded engine transcripts", () => {
  it("three creates in one apply: each job gets its own plan line and completion, nobody the summaries", () => {
    const { attribution, commands } = replayed("three-creates");
    expect(commands.map((c) => c.phase)).toEqual(["plan+apply"]);
    const [apply] = commands;
    expect(Object.fromEntries(attribution.plannedActions(apply!.messages))).toEqual({
      0: ["create"],
      1: ["create"],
      2: ["create"],
    });
    const progress = progressByJob(attribution, apply!);
    expect([...progress.keys()].sort()).toEqual([0, 1, 2]);
    expect(progress.get(0)).toEqual([
      "aws_iam_user: Plan to create",
      "aws_iam_user: Creating...",
      expect.stringMatching(/^aws_iam_user: Creation complete after \d+s \[id=rec-user\]$/),
    ]);
    expect(progress.get(1)!.at(-1)).toMatch(/^aws_s3_bucket: Creation complete .*\[id=rec-bucket\]$/);
    expect(progress.get(2)!.at(-1)).toMatch(/^aws_iam_group: Creation complete .*\[id=rec-group\]$/);
    // "Plan: 3 to add" and "Apply complete!" name no resource: in a batch of three they are nobody's
    expect([...progress.values()].flat().filter((l) => /Plan: 3 to add|Apply complete/.test(l))).toEqual([]);
    expect(attribution.errorsByJob(diagnosticsOf(apply!), apply!.layout).size).toBe(0);
  });

  it("a failure at apply is the failing job's only; the others' completions stay theirs", () => {
    const { attribution, commands, transcript } = replayed("apply-failure");
    expect(transcript.outcomes).toEqual([{ kind: "done" }, { kind: "failed", stage: "apply" }, { kind: "done" }]);
    const [apply] = commands;
    const errors = attribution.errorsByJob(diagnosticsOf(apply!), apply!.layout);
    expect([...errors.keys()]).toEqual([1]);
    expect(
      errors
        .get(1)!
        .map((d) => d.summary)
        .join("\n"),
    ).toMatch(/PutUserPolicy.*NoSuchEntity.*rec-nobody/);
    const progress = progressByJob(attribution, apply!);
    expect(progress.get(1)).toContainEqual(expect.stringMatching(/^aws_iam_user_policy: Creation errored/));
    expect(progress.get(1)!.some((l) => /Creation complete/.test(l))).toBe(false);
    expect(progress.get(0)).toContainEqual(expect.stringMatching(/^aws_iam_user: Creation complete/));
    expect(progress.get(2)).toContainEqual(expect.stringMatching(/^aws_s3_bucket: Creation complete/));
  });

  it("a validation error at plan names its job, warnings become that job's progress, the replan leaves it out", () => {
    const { attribution, commands, transcript } = replayed("plan-failure");
    expect(transcript.outcomes.map((o) => o.stage ?? o.kind)).toEqual(["done", "plan", "done"]);
    expect(commands.map((c) => [c.args[0], c.exitCode])).toEqual([
      ["apply", 1],
      ["plan", 1],
      ["plan", 2],
      ["apply", 0],
    ]);
    const [direct, plan, replan, apply] = commands;
    for (const rejected of [direct!, plan!]) {
      expect(summaries(attribution.errorsByJob(diagnosticsOf(rejected), rejected.layout))).toEqual({
        1: ["expected lifecycle_rule.0.expiration.0.days to be at least (0), got -3"],
      });
      expect(Object.fromEntries(progressByJob(attribution, rejected))).toEqual({
        1: ["aws_s3_bucket: warning: Argument is deprecated"],
      });
    }
    expect([...replan!.layout.live]).toEqual([0, 2]);
    expect(Object.fromEntries(attribution.plannedActions(replan!.messages))).toEqual({ 0: ["create"], 2: ["create"] });
    // The apply of the saved plan repeats its planned changes: shown once, at plan time.
    const applied = progressByJob(attribution, apply!);
    expect(applied.get(0)!.filter((l) => /Plan to create/.test(l))).toEqual([]);
    expect(applied.get(0)).toContainEqual(expect.stringMatching(/^aws_iam_user: Creation complete/));
    expect(applied.get(2)).toContainEqual(expect.stringMatching(/^aws_iam_group: Creation complete/));
    expect(applied.has(1)).toBe(false);
  });

  it("an import error without an address goes to the job its detail names", () => {
    const { attribution, commands } = replayed("import-missing");
    const [plan] = commands;
    const diagnostics = diagnosticsOf(plan!).filter((d) => d.severity === "error");
    expect(diagnostics.map((d) => [d.summary, d.address])).toEqual([
      ["Cannot import non-existent remote object", undefined],
    ]);
    expect(summaries(attribution.errorsByJob(diagnostics, plan!.layout))).toEqual({
      1: ["Cannot import non-existent remote object"],
    });
    expect([...commands[1]!.layout.live]).toEqual([0]);
  });

  it("a configuration error without an address goes to the job whose block its line is in", () => {
    const { attribution, commands } = replayed("unknown-argument");
    const [direct] = commands;
    const [diagnostic] = diagnosticsOf(direct!);
    expect(diagnostic).toMatchObject({
      summary: "Extraneous JSON object property",
      range: { filename: "main.tf.json" },
    });
    expect(diagnostic!.address).toBeUndefined();
    expect(attribution.jobOf(diagnostic!, direct!.layout)).toBe(1);
    // Without the line map the engine's error belongs to nobody in a batch of two.
    expect(attribution.jobOf(diagnostic!, { live: direct!.layout.live, pathAtLine: [] })).toBeUndefined();
  });
});

describe("Attribution", () => {
  const jobs = [
    {
      label: "aws_iam_user",
      resource: { mode: "managed" as const, type: "aws_iam_user", args: {} },
      action: "apply" as const,
    },
  ];

  it("gives a batch of one the messages that name no resource", () => {
    const single = new Attribution(jobs);
    const summary = {
      "@level": "info",
      "@message": "Plan: 1 to add, 0 to change, 0 to destroy.",
      type: "change_summary",
      changes: { add: 1, change: 0, remove: 0, operation: "plan" },
    };
    expect(single.progress(summary, "plan")).toEqual([[0, "aws_iam_user: Plan: 1 to add, 0 to change, 0 to destroy."]]);
    // the apply's repeat of the plan summary is not shown twice
    expect(single.progress(summary, "apply")).toEqual([]);
    const nameless: Diagnostic = { severity: "error", summary: "Invalid import id" };
    expect(single.jobOf(nameless, { live: new Set([0]), pathAtLine: [] })).toBe(0);
    expect(
      new Attribution([...jobs, ...jobs]).jobOf(nameless, { live: new Set([0, 1]), pathAtLine: [] }),
    ).toBeUndefined();
  });
});
