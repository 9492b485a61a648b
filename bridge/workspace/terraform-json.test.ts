// The escaping is checked against the real engine's reading of it: a workspace with no provider whose outputs are
// the escaped values, applied, and read back with `output -json`. What the engine gives back must be the input,
// byte for byte.
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineBinary } from "../../testkit/machine.js";
import { engineEnvironment } from "../../opentofu/engine/run-engine.js";
import { escapeTemplate, literalValue } from "./terraform-json.js";

const dir = mkdtempSync(join(tmpdir(), "nixops4-opentofu-escape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the engine makes of `value` written into main.tf.json as an expression. */
async function engineReads(values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const output = Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, { value: literalValue(value) }]),
  );
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ output }));
  writeFileSync(join(dir, "cli.tfrc"), "");
  const env = engineEnvironment(process.env, { TF_CLI_CONFIG_FILE: join(dir, "cli.tfrc") });
  await execa(engineBinary(), ["apply", "-auto-approve", "-input=false", "-no-color"], {
    cwd: dir,
    env,
    extendEnv: false,
  });
  const { stdout } = await execa(engineBinary(), ["output", "-json"], { cwd: dir, env, extendEnv: false });
  const read = JSON.parse(stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(read).map(([name, o]) => [name, o.value]));
}

describe("literalValue", () => {
  const marker = join(dir, "marker");
  writeFileSync(marker, "FILE-CONTENT-MUST-NOT-APPEAR");

  it("gives the engine every string byte for byte, templates and escapes included", async () => {
    const values = {
      interpolation: "${path.cwd}",
      function: `\${file("${marker}")}`,
      directive: "%{ if true }yes%{ endif }",
      escaped: "$${x}",
      escapedTwice: "$$${x}",
      escapedDirective: "%%{x}",
      dollarsOnly: "$$ and a trailing $",
      percentOnly: "100% {not a directive}",
      iam: "arn:aws:s3:::home/${aws:username}/*",
      mixed: "a${b}c%{d}e$${f}g%%{h}",
      list: ["${x}", "%{y}", "plain"],
      nested: { "key ${k}": { "inner %{j}": "${v}" }, plain: "$${w}" },
    };
    expect(await engineReads(values)).toEqual(values);
  });

  it("escapes each occurrence once", () => {
    expect(escapeTemplate("${a}${b}")).toBe("$${a}$${b}");
    expect(escapeTemplate("$${a}")).toBe("$$${a}");
    expect(escapeTemplate("%%{a}")).toBe("%%%{a}");
  });
});
