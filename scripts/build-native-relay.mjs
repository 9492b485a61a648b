// Run by `npm run build`: compiles the native relay (bridge/operation-server/native-relay/*.c) into
// dist/relay/nixops4-opentofu-relay, which the launcher runs instead of Node for the session relay of each
// bridge process NixOps4 starts. Optional by design: where there is no C compiler, or the system is not Linux
// (the relay reads /proc), nothing is built and the launcher starts the Node relay, which does the same.
// CC names the compiler (the Nix package's stdenv sets it); otherwise `cc`.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = join(root, "bridge", "operation-server", "native-relay");
const sources = readdirSync(sourceDir)
  .filter((name) => name.endsWith(".c"))
  .sort()
  .map((name) => join(sourceDir, name));
const outdir = join(root, "dist", "relay");
const output = join(outdir, "nixops4-opentofu-relay");
rmSync(outdir, { recursive: true, force: true });

const compiler = process.env.CC || "cc";
const skip = (why) => process.stdout.write(`native relay not built (${why}): bridges relay through Node\n`);
if (process.platform !== "linux") {
  skip(`${process.platform} is not Linux`);
} else {
  let found = true;
  try {
    execFileSync(compiler, ["--version"], { stdio: "ignore" });
  } catch {
    found = false;
  }
  if (!found) skip(`no C compiler ${compiler}`);
  else {
    mkdirSync(outdir, { recursive: true });
    // A compile error fails the build: a relay that does not build is a bug, not a missing tool.
    execFileSync(compiler, ["-std=c11", "-O2", "-Wall", "-Wextra", "-o", output, ...sources], { stdio: "inherit" });
    process.stdout.write(`native relay ${join("dist", "relay", "nixops4-opentofu-relay")}\n`);
  }
}
