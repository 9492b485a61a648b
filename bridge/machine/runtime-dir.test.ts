import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { dir as tmpDir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { ensurePrivateDir, runtimeDir } from "./runtime-dir.js";

describe("runtime dir", () => {
  it("prefers an explicit dir, then XDG_RUNTIME_DIR, then ~/.cache", () => {
    expect(runtimeDir({ NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: "/x/hosts", XDG_RUNTIME_DIR: "/run/user/1000" })).toBe(
      "/x/hosts",
    );
    expect(runtimeDir({ XDG_RUNTIME_DIR: "/run/user/1000", HOME: "/home/a" })).toBe(
      "/run/user/1000/nixops4-resources-opentofu",
    );
    expect(runtimeDir({ HOME: "/home/alice" })).toBe("/home/alice/.cache/nixops4-resources-opentofu/hosts");
  });

  it("falls back to a per-user dir under the temp dir when the home path is too long for sockets", () => {
    const dir = runtimeDir({ HOME: `/home/${"a".repeat(40)}` });
    expect(dir).toMatch(/nixops4-resources-opentofu-/);
    expect(dir.length).toBeLessThanOrEqual(56);
  });

  it("creates the dir private and tightens an existing one", async () => {
    const { path, cleanup } = await tmpDir({ unsafeCleanup: true });
    const fresh = join(path, "a", "b");
    await ensurePrivateDir(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    const loose = join(path, "loose");
    await mkdir(loose, { mode: 0o755 });
    await ensurePrivateDir(loose);
    expect((await stat(loose)).mode & 0o777).toBe(0o700);
    await cleanup();
  });
});
