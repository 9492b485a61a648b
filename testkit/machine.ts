// Where this machine keeps the real engine and provider binaries that tests use.
import { existsSync } from "node:fs";
import { join } from "node:path";

export const AWS_PROVIDER = "hashicorp/aws@5.100.0";

/** The filesystem mirror holding registry.terraform.io/hashicorp/aws/5.100.0 (overridable for other machines). */
export function pluginMirrorDir(): string {
  const candidates = [process.env.NIXOPS4_OPENTOFU_TEST_PLUGIN_DIR, "/opt/tf-plugins"].filter(
    (d): d is string => typeof d === "string" && d.length > 0,
  );
  for (const dir of candidates) {
    if (existsSync(join(dir, "registry.terraform.io", "hashicorp", "aws", "5.100.0"))) return dir;
  }
  throw new Error(
    `No filesystem mirror with hashicorp/aws 5.100.0 found (looked in ${candidates.join(", ")}); ` +
      "set NIXOPS4_OPENTOFU_TEST_PLUGIN_DIR to the folder that holds registry.terraform.io",
  );
}

export function engineBinary(): string {
  return process.env.NIXOPS4_OPENTOFU_TEST_ENGINE ?? "terraform";
}
