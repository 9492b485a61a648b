// The build id keys caches and the provider host: made of content, never of file times.
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../testkit/repo-root.js";
import { BUILD_ID_FILE, buildId, computeBuildId } from "./build-id.js";

const copy = mkdtempSync(join(tmpdir(), "build-id-"));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("build id", () => {
  it("changes with the code's content and not with its file times", () => {
    for (const dir of ["bridge", "codegen"]) cpSync(join(repoRoot, dir), join(copy, dir), { recursive: true });
    const before = computeBuildId(copy, ".ts");
    expect(before.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // As in the Nix store: every file time 1.
    const file = join(copy, "bridge", "options.ts");
    utimesSync(file, 1, 1);
    expect(computeBuildId(copy, ".ts")).toEqual(before);
    writeFileSync(file, "// another build\n", { flag: "a" });
    expect(computeBuildId(copy, ".ts").contentHash).not.toBe(before.contentHash);
  });

  it("is the one npm run build recorded", () => {
    const recorded = JSON.parse(readFileSync(BUILD_ID_FILE, "utf8")) as { version: string; contentHash: string };
    expect(buildId()).toBe(`${recorded.version}+${recorded.contentHash}`);
    expect(recorded.contentHash).toBe(computeBuildId(join(repoRoot, "dist"), ".js").contentHash);
  });
});
