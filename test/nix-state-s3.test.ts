// The Nix side of nixops4-state-s3, with the stand-in lib (test/nix/eval-state-s3.nix; nixpkgs and NixOps4
// cannot be installed here): the provider module flake.nix exports, the typed `s3.object` resource type, and the
// example deployment whose AWS resources keep their state in S3. Inputs as Nix produces them are handed to the
// provider's own input parser, so the Nix type and the provider agree on every name and default.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEY, parseStateInputs } from "../state-s3/state-inputs.js";
import { nixEval } from "../testkit/nix.js";
import { repoRoot } from "../testkit/repo-root.js";

const file = join(repoRoot, "test", "nix", "eval-state-s3.nix");
const evalWith = (stateInputs: string) => nixEval(file, { stateInputs });

describe("modules.nixops4Provider.s3State", () => {
  it("runs bin/nixops4-state-s3 of the flake's package and types s3.object as the provider reads it", async () => {
    const result = await evalWith(
      '{ bucket = "team-state"; endpoint = "https://garage.example.com"; region = "garage"; force_path_style = true; }',
    );
    expect(result.error).toBe("");
    const value = result.value as Record<string, any>;
    expect(value.executable).toBe("/nix/store/stand-in-package/bin/nixops4-state-s3");
    expect(value.packageOutput).toBe("/nix/store/stand-in-package");
    expect(value.args).toEqual([]);
    expect(value.object).toEqual({
      type: "s3.object",
      requireState: false,
      outputNames: ["bucket", "endpoint", "force_path_style", "history_prefix", "key", "lock_key", "region", "url"],
    });
    // The Nix default for `key` is the provider's own default.
    expect(value.inputs.key).toBe(DEFAULT_KEY);
    expect(parseStateInputs(value.inputs)).toEqual({
      bucket: "team-state",
      key: DEFAULT_KEY,
      endpoint: "https://garage.example.com",
      region: "garage",
      forcePathStyle: true,
    });
  });

  it("refuses a misspelled or mistyped input, and a missing bucket, at evaluation, naming the option", async () => {
    expect((await evalWith('{ bucket = "b"; buckett = "x"; }')).error).toContain(
      "members.state.inputs: unknown option(s): buckett",
    );
    expect((await evalWith('{ bucket = "b"; force_path_style = "yes"; }')).error).toContain(
      "members.state.inputs.force_path_style",
    );
    expect((await evalWith("{ }")).error).toContain("members.state.inputs.bucket: required option has no value");
  });
});

describe("examples/s3-state/deployment.nix", () => {
  it("keeps its AWS resources' state in an s3.object whose inputs the provider accepts", async () => {
    const example = ((await evalWith('{ bucket = "b"; }')).value as Record<string, any>).example;
    expect(example.providers).toEqual({ s3: "s3State module", aws: "aws module" });
    expect(example.stateType).toBe("s3.object");
    expect(example.statesOfResources).toEqual(["state", "state"]);
    expect(parseStateInputs(example.stateInputs)).toMatchObject({
      bucket: "nixops4-state-change-me",
      key: "team-example/state.json",
      region: "eu-central-1",
    });
  });
});
