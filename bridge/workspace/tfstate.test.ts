import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LosslessNumber } from "../json/exact-json.js";
import {
  outputsFromState,
  readStateFile,
  sensitivePaths,
  stateFromOutputs,
  STATE_FILE,
  StateRecordError,
  withoutSensitiveValues,
  writeStateFile,
  type ResourceState,
} from "./tfstate.js";

const provider = { address: "registry.terraform.io/hashicorp/aws", version: "5.100.0" };
const state: ResourceState = {
  record: {
    format: 1,
    mode: "managed",
    type: "aws_ssm_parameter",
    providerAddress: provider.address,
    providerVersion: provider.version,
    lineage: "lineage-1",
    serial: 3,
    instance: {
      schema_version: 0,
      private: "cHJpdmF0ZQ==",
      sensitive_attributes: [
        [{ type: "get_attr", value: "value" }],
        [
          { type: "get_attr", value: "nested" },
          { type: "index", value: { value: 0, type: "number" } },
        ],
      ],
    },
  },
  attributes: {
    id: "/p",
    value: "secret",
    nested: ["also-secret", "x"],
    big: new LosslessNumber("12345678901234567890"),
  },
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("state in outputProperties", () => {
  it("travels under _opentofu beside the attributes and comes back whole", () => {
    const outputs = outputsFromState(state);
    expect(Object.keys(outputs)).toEqual(["id", "value", "nested", "big", "_opentofu"]);
    expect(stateFromOutputs("aws_ssm_parameter", outputs)).toEqual(state);
  });

  it("is absent without the key, and an error naming the type when the record is not ours", () => {
    expect(stateFromOutputs("t", { id: "x" })).toBeUndefined();
    expect(stateFromOutputs("t", null)).toBeUndefined();
    expect(() => stateFromOutputs("aws_iam_user", { _opentofu: "garbage" })).toThrow(StateRecordError);
    expect(() => stateFromOutputs("aws_iam_user", { _opentofu: { format: 2, instance: {} } })).toThrow(
      /^aws_iam_user: outputProperties\._opentofu is not a state record written by this bridge/,
    );
  });
});

describe("sensitive paths", () => {
  it("reads the state's path steps as keys and nulls exactly those values in a copy", () => {
    expect(sensitivePaths(state)).toEqual([["value"], ["nested", "0"]]);
    const redacted = withoutSensitiveValues(state);
    expect(redacted.attributes).toEqual({ id: "/p", value: null, nested: [null, "x"], big: state.attributes.big });
    expect(state.attributes.value).toBe("secret");
  });
});

describe("the state file", () => {
  it("is written 0600 and read back for one named resource, numbers exact", async () => {
    dir = await mkdtemp(join(tmpdir(), "tfstate-test-"));
    await writeStateFile(dir, [{ name: "r0", state }]);
    const text = await readFile(join(dir, STATE_FILE), "utf8");
    expect(text).toContain("12345678901234567890");
    const document = JSON.parse(text) as { lineage: string; serial: number; resources: { name: string }[] };
    expect(document).toMatchObject({ version: 4, lineage: "lineage-1", serial: 3, resources: [{ name: "r0" }] });
    const back = await readStateFile(dir, { mode: "managed", type: "aws_ssm_parameter", name: "r0" }, provider);
    expect(back).toEqual(state);
    expect(
      await readStateFile(dir, { mode: "managed", type: "aws_ssm_parameter", name: "r1" }, provider),
    ).toBeUndefined();
  });

  it("of several resources gets a fresh lineage and the highest serial", async () => {
    dir = await mkdtemp(join(tmpdir(), "tfstate-test-"));
    const other = { ...state, record: { ...state.record, lineage: "lineage-2", serial: 9 } };
    await writeStateFile(dir, [
      { name: "r0", state },
      { name: "r1", state: other },
    ]);
    const document = JSON.parse(await readFile(join(dir, STATE_FILE), "utf8")) as { lineage: string; serial: number };
    expect(document.serial).toBe(9);
    expect(document.lineage).not.toMatch(/^lineage-/);
  });

  it("missing means no state", async () => {
    dir = await mkdtemp(join(tmpdir(), "tfstate-test-"));
    expect(await readStateFile(dir, { mode: "data", type: "t", name: "r0" }, provider)).toBeUndefined();
  });
});
