// The committed golden packages (fixtures/golden) are exactly what the codegen makes now: regenerated into a
// temporary folder and compared file by file, byte for byte. A change to an emitter fails here until
// `npm run golden` is run and the diff of what users get is committed with it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dir as tmpDir, type DirectoryResult } from "tmp-promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateGolden, GOLDEN_DIR, GOLDEN_PACKAGES, listFiles } from "../testkit/golden.js";

let fresh: DirectoryResult;

beforeAll(async () => {
  fresh = await tmpDir({ unsafeCleanup: true, prefix: "golden-" });
  await generateGolden(fresh.path);
}, 60_000);
afterAll(() => fresh?.cleanup());

describe("golden packages (fixtures/golden; regenerate with `npm run golden`)", () => {
  it.each(GOLDEN_PACKAGES.map((p) => p.name))("%s: the same files with the same bytes", (name) => {
    const committed = listFiles(join(GOLDEN_DIR, name));
    const generated = listFiles(join(fresh.path, name));
    expect(generated, "the list of files").toEqual(committed);
    const differing = generated.filter(
      (file) => !readFileSync(join(fresh.path, name, file)).equals(readFileSync(join(GOLDEN_DIR, name, file))),
    );
    expect(differing, "files that differ from fixtures/golden: run `npm run golden` and review the diff").toEqual([]);
  });
});
