// The vendored NixOps4 protocol schemas (schemas/nixops4) are the upstream files, unedited: pinned by digest, and
// equal to the team's reference copy (../shared/nixops4, PROTOCOL.md there names the upstream commits) wherever
// that copy sits beside the checkout, so that a protocol change upstream shows up here.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VENDORED_PROTOCOL_DIR } from "../testkit/protocol.js";
import { repoRoot } from "../testkit/repo-root.js";

const PINNED: Record<string, string> = {
  "resource-schema-v0.json": "464cb28ac18ac20d8e10cfec07d0b05fcb968d03c6fe6a55a94704a0e1368bbe",
  "state-schema-v0.json": "921584ec0bf819c2336924189efea75dfc55b76ca104d3dbe90b4836f77ccb12",
  "proposed/resource-schema-v0-destroy.json": "71cd77f3da71b073f11ff54bf451f63d1e4a389ca6cea66d33e264981ba1680a",
  "proposed/resource-schema-v0-import.json": "a9f95cf0430244c3f008260f82c833934614c300b3a00771eb88a4fda20d17e9",
};
const reference = join(repoRoot, "..", "shared", "nixops4");
// CI always has the reference copy beside the clone, so there its absence is a failure, not a reason to skip.
const inCi = process.env.CI === "true";

describe("vendored NixOps4 protocol schemas", () => {
  it("are the upstream files as copied", () => {
    for (const [file, digest] of Object.entries(PINNED)) {
      const text = readFileSync(join(VENDORED_PROTOCOL_DIR, file));
      expect(createHash("sha256").update(text).digest("hex"), file).toBe(digest);
    }
  });

  it("equal the reference copy beside the checkout (required in CI)", () => {
    if (!existsSync(reference)) {
      expect(inCi, `${reference} is missing; CI=true requires it beside the clone`).toBe(false);
      // Outside CI a bare clone has no reference copy: say so in the output instead of passing silently.
      console.warn(`protocol-schemas: ${reference} not found; compared with the pinned digests only`);
      return;
    }
    for (const file of Object.keys(PINNED)) {
      const text = readFileSync(join(VENDORED_PROTOCOL_DIR, file));
      expect(text.equals(readFileSync(join(reference, file))), `${file} differs from ${reference}`).toBe(true);
    }
  });
});
