// The usage examples of the golden packages (fixtures/golden: the edge fixture and real AWS types, with docs) as
// Nix sees them: every example on every page parses (nix-instantiate --parse), and every one evaluates through
// its generated package with the stand-in lib, references to other members' outputs included.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOLDEN_DIR, listFiles } from "../testkit/golden.js";
import { MINI_LIB_DIR, nixEval, nixParse } from "../testkit/nix.js";

interface Example {
  pkg: string;
  page: string;
  file: string;
  text: string;
}

const providerNames: Record<string, string> = { edge: "edge", aws: "aws" };
let work: DirectoryResult;
const examples: Example[] = [];

beforeAll(async () => {
  work = await tmpDir({ unsafeCleanup: true, prefix: "nix-examples-" });
  for (const pkg of Object.keys(providerNames)) {
    for (const page of listFiles(join(GOLDEN_DIR, pkg)).filter((f) => /^(resources|data-sources)\/.*\.md$/.test(f))) {
      const markdown = readFileSync(join(GOLDEN_DIR, pkg, page), "utf8");
      for (const [i, match] of [...markdown.matchAll(/```nix\n([\s\S]*?)```/g)].entries()) {
        const dir = join(work.path, pkg, page.replace(/\.md$/, ""));
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `example-${i}.nix`);
        writeFileSync(file, match[1]!);
        examples.push({ pkg, page, file, text: match[1]! });
      }
    }
  }
});
afterAll(() => work?.cleanup());

const evalExample = (pkg: string, file: string) =>
  nixEval(join(MINI_LIB_DIR, "eval-example.nix"), {
    providerDir: join(GOLDEN_DIR, pkg),
    providerName: JSON.stringify(providerNames[pkg]),
    exampleFile: file,
  });

describe("usage examples of the golden packages", () => {
  it("every type page has at least one, and every one parses (as do the packages' own Nix files)", async () => {
    const pages = new Set(examples.map((e) => `${e.pkg}/${e.page}`));
    expect(pages.size).toBe(3 + 6);
    const packageFiles = Object.keys(providerNames).flatMap((pkg) =>
      listFiles(join(GOLDEN_DIR, pkg))
        .filter((f) => f.endsWith(".nix"))
        .map((f) => join(GOLDEN_DIR, pkg, f)),
    );
    expect(packageFiles).toHaveLength(2 * 2 + 3 + 6);
    await nixParse([...examples.map((e) => e.file), ...packageFiles]);
  });

  it("every one evaluates through the generated types, with other members' outputs as references", async () => {
    for (const example of examples) {
      const result = await evalExample(example.pkg, example.file);
      expect(result.error, `${example.pkg}/${example.page}:\n${example.text}`).toBe("");
    }
    // What the HCL `"${aws_s3_bucket.b.arn}/*"` became, after evaluation: the bucket member's output.
    const readAccess = examples.find(
      (e) => e.page === "resources/aws_s3_bucket.md" && e.text.includes("members.read"),
    )!;
    const value = (await evalExample("aws", readAccess.file)).value as Record<
      string,
      { type: string; state: boolean; inputs: Record<string, unknown> }
    >;
    expect(Object.keys(value).sort()).toEqual(["b", "read", "reader"]);
    expect(value.b).toMatchObject({
      type: "aws_s3_bucket",
      state: true,
      inputs: { bucket: "my-tf-reports", force_destroy: true },
    });
    expect(value.read!.inputs.user).toBe("<members.reader.outputs.name>");
    expect(JSON.parse(value.read!.inputs.policy as string).Statement[0].Resource).toBe("<members.b.outputs.arn>/*");
    const data = examples.find((e) => e.page === "data-sources/aws_iam_policy_document.md")!;
    const dataValue = (await evalExample("aws", data.file)).value as Record<string, { type: string; state: boolean }>;
    expect(
      Object.values(dataValue)
        .map((m) => [m.type, m.state])
        .sort(),
    ).toEqual([
      ["aws_iam_user_policy", true],
      ["aws_s3_bucket", true],
      ["data.aws_iam_policy_document", false],
    ]);
  }, 120_000);

  it("the evaluation is not blind: an undeclared output or a wrongly typed input fails", async () => {
    const readAccess = examples.find(
      (e) => e.page === "resources/aws_s3_bucket.md" && e.text.includes("members.read"),
    )!;
    const wrongOutput = join(work.path, "wrong-output.nix");
    writeFileSync(wrongOutput, readAccess.text.replace("members.b.outputs.arn", "members.b.outputs.arnn"));
    expect((await evalExample("aws", wrongOutput)).error).toContain("attribute 'arnn' missing");
    const wrongType = join(work.path, "wrong-type.nix");
    writeFileSync(wrongType, readAccess.text.replace("force_destroy = true;", 'force_destroy = "yes";'));
    expect((await evalExample("aws", wrongType)).error).toContain(
      'members.b.inputs.force_destroy: expected bool, got string "yes"',
    );
  }, 60_000);
});
