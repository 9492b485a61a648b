import { readFileSync, statSync } from "node:fs";
import { dir as tmpDir } from "tmp-promise";
import { describe, expect, it } from "vitest";
import { cliConfigText, writeCliConfig } from "./cli-config.js";

describe("the engine's CLI configuration", () => {
  it("installs providers only from the filesystem mirror when there is one, and names the plugin cache", () => {
    expect(cliConfigText({ pluginDir: "/opt/tf-plugins", pluginCacheDir: "/c/plugin-cache" })).toBe(
      [
        "provider_installation {",
        "  filesystem_mirror {",
        '    path = "/opt/tf-plugins"',
        "  }",
        "}",
        'plugin_cache_dir = "/c/plugin-cache"',
        "",
      ].join("\n"),
    );
    // without a mirror the engine's own defaults apply: nothing is configured
    expect(cliConfigText({})).toBe("\n");
  });

  it("quotes paths so that a quote or backslash in them cannot end the string", () => {
    expect(cliConfigText({ pluginDir: 'a"b\\c' })).toContain('path = "a\\"b\\\\c"');
  });

  it("writes cli.tfrc readable by its owner only", async () => {
    const dir = await tmpDir({ unsafeCleanup: true });
    try {
      const path = await writeCliConfig(dir.path, { pluginDir: "/m" });
      expect(path).toBe(`${dir.path}/cli.tfrc`);
      expect(readFileSync(path, "utf8")).toContain('path = "/m"');
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      await dir.cleanup();
    }
  });
});
