import { execa } from "execa";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ownWorkspacePrefix, processesIn, sweepDeadWorkspaces } from "./workspace-sweep.js";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("sweepDeadWorkspaces", () => {
  it("removes a dead owner's workspace and kills what still runs in it, and keeps a live owner's", async () => {
    root = mkdtempSync(join(tmpdir(), "sweep-"));
    // A pid beyond the kernel's pid_max is never alive.
    const dead = join(root, "nixops4-opentofu-4194305-123-abc");
    const live = join(root, `${ownWorkspacePrefix()}def`);
    const foreign = join(root, "nixops4-opentofu-abcdef");
    for (const dir of [dead, live, foreign]) {
      mkdirSync(dir);
      writeFileSync(join(dir, "main.tf.json"), "{}");
    }
    const orphan = execa("sleep", ["60"], { cwd: dead, reject: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(processesIn(dead)).toContain(orphan.pid);

    expect(await sweepDeadWorkspaces(root)).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
    expect((await orphan).signal).toBe("SIGKILL");
  });
});
