// The native relay (native-relay/) must find exactly the server the Node bridge would: the same identity text,
// byte for byte, and the same key, for environments and command lines with everything JSON escapes; and for
// anything it cannot reproduce it must leave the session to Node rather than guess. Compared through its
// --print-identity mode against server-key.ts itself.
import { execa } from "execa";
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildId } from "../build/build-id.js";
import { packageRoot } from "../build/package-root.js";
import { RELAY_MODE, SAVED_EXTRA_CA_CERTS } from "../launcher-environment.js";
import { fnv1a64 } from "./server-key.js";

const relayBin = join(packageRoot, "dist", "relay", "nixops4-opentofu-relay");
const launcher = join(packageRoot, "bin", "nixops4-resources-opentofu");
const scratch = mkdtempSync(join(tmpdir(), "n4-relay-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Only what the test sets: an inherited variable could hold anything.
const baseEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: scratch,
  NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: scratch,
};

/** The relay's key, socket path and identity, run as the launcher runs it (exec'd from /bin/sh), or directly. */
async function printIdentity(
  env: Record<string, string>,
  argv: string[],
  options: { shellPrefix?: string; direct?: boolean } = {},
) {
  if (!existsSync(relayBin)) throw new Error(`${relayBin} is missing: \`npm run build\` compiles it (needs cc)`);
  const relayArgs = ["--print-identity", packageRoot, ...argv];
  const [command, args] = options.direct
    ? [relayBin, relayArgs]
    : ["/bin/sh", ["-c", `${options.shellPrefix ?? ""}exec "$0" "$@"`, relayBin, ...relayArgs]];
  return execa(command, args, { env, extendEnv: false, cwd: scratch, reject: false });
}

// What the Node bridge computes, started through the real launcher with the native relay skipped: the "Node"
// it runs is a script that drops the launcher's Node flags and bundle, and prints what main.ts would see after
// launcher-environment.ts (the same shell in between, which drops names that are not shell identifiers).
const nodeSideScript = join(scratch, "identity.mjs");
const fakeNode = join(scratch, "fake-node");
const distModule = (path: string) => JSON.stringify(pathToFileURL(join(packageRoot, "dist", "bridge", path)).href);
writeFileSync(
  nodeSideScript,
  [
    `import { restoreLauncherEnvironment } from ${distModule("launcher-environment.js")};`,
    `import { buildId } from ${distModule("build/build-id.js")};`,
    `import { runtimeDir } from ${distModule("machine/runtime-dir.js")};`,
    `import { fnv1a64, identityText, serverPaths } from ${distModule("operation-server/server-key.js")};`,
    "restoreLauncherEnvironment(process.env);",
    "const text = identityText({ build: buildId(), argv: process.argv.slice(2), cwd: process.cwd(), env: process.env });",
    "const key = fnv1a64(text);",
    'process.stdout.write([key, serverPaths(runtimeDir(process.env), key).socket, text].join("\\n") + "\\n");',
  ].join("\n"),
);
writeFileSync(fakeNode, `#!/bin/sh\nshift 5\nexec "${process.execPath}" "${nodeSideScript}" "$@"\n`);
chmodSync(fakeNode, 0o755);

async function nodeSide(env: Record<string, string>, argv: string[]) {
  const run = await execa(launcher, argv, {
    env: { ...env, NIXOPS4_OPENTOFU_RELAY: "node", NIXOPS4_OPENTOFU_NODE: fakeNode },
    extendEnv: false,
    cwd: scratch,
  });
  const [key, socket, text] = run.stdout.split("\n");
  return { key, socket, text };
}

/** The relay's view with the same NIXOPS4_OPENTOFU_NODE (part of the environment, so of the identity). */
async function relaySide(env: Record<string, string>, argv: string[]) {
  const run = await printIdentity({ ...env, NIXOPS4_OPENTOFU_NODE: fakeNode }, argv);
  expect(run.exitCode, run.stderr).toBe(0);
  const [key, socket, text] = run.stdout.split("\n");
  return { key, socket, text };
}

describe("the native relay's server identity", () => {
  it("is the Node bridge's, byte for byte, for everything JSON escapes and non-ASCII text", async () => {
    const env = {
      ...baseEnv,
      QUOTES: 'say "hi" \\ there',
      CONTROL: "tab\there\nnewline\r\u0001\u001f\u007f",
      UNICODE: "é ü € 😀 \u2028 \u2029",
      EMPTY: "",
      NODE_EXTRA_CA_CERTS: join(scratch, "no-such-ca.pem"),
    };
    const argv = ["--provider", "hashicorp/aws@5.100.0", 'odd "arg" é', ""];
    const [relay, node] = [await relaySide(env, argv), await nodeSide(env, argv)];
    expect(relay.text).toBe(node.text);
    expect(relay.key).toBe(node.key);
    expect(relay.socket).toBe(node.socket);
    // What the comparison covers: the values really are in it, and the build's id.
    expect(relay.text).toContain(JSON.stringify(env.CONTROL));
    expect(relay.text).toContain(JSON.stringify(env.UNICODE));
    expect(relay.text).toContain(`"build":${JSON.stringify(buildId())}`);
    expect(relay.key).toBe(fnv1a64(relay.text!));
  });

  it("leaves out what the shell and the launcher set (PWD, SHLVL, _, the launcher's CA carrier)", async () => {
    const env = { ...baseEnv, SHLVL: "7", OLDPWD: "/elsewhere", [SAVED_EXTRA_CA_CERTS]: "/moved.pem" };
    const [relay, node] = [await relaySide(env, []), await nodeSide(env, [])];
    expect(relay.key).toBe(node.key);
    expect(relay.text).not.toMatch(/SHLVL|OLDPWD|"PWD"|"_"|moved\.pem/);
  });

  it("finds the runtime dir as Node does when no dir is set: XDG_RUNTIME_DIR, else the home cache", async () => {
    const { NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: _, ...noDir } = { ...baseEnv, HOME: "/home/someone" };
    for (const env of [{ ...noDir, XDG_RUNTIME_DIR: join(scratch, "run") }, noDir]) {
      const [relay, node] = [await relaySide(env, []), await nodeSide(env, [])];
      expect(relay.socket).toBe(node.socket);
    }
    expect((await relaySide(noDir, [])).socket).toMatch(
      /^\/home\/someone\/\.cache\/nixops4-resources-opentofu\/hosts\/ops-/,
    );
  });

  const handedBack: [string, Record<string, string>, { shellPrefix?: string; direct?: boolean }][] = [
    // /bin/sh drops such a name before the relay or Node sees it; run directly, the relay must not guess.
    ["a variable name that is not ASCII (Node sorts by UTF-16 units)", { ...baseEnv, NAME_Ä: "1" }, { direct: true }],
    [
      "a value that is not UTF-8 (Node would read U+FFFD)",
      baseEnv,
      { shellPrefix: "BAD=$(printf 'x\\377'); export BAD; " },
    ],
    [
      "a home whose cache dir is too long for socket paths (Node takes the temp dir)",
      { PATH: baseEnv.PATH, HOME: `/${"h".repeat(20)}` },
      {},
    ],
    [
      "a runtime dir path.join would normalize",
      { ...baseEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR: `${scratch}/./x/` },
      {},
    ],
    ["a wait Number() reads otherwise", { ...baseEnv, NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS: "1e3" }, {}],
    ["the operation server turned off", { ...baseEnv, NIXOPS4_OPENTOFU_OPERATION_SERVER: "Off" }, {}],
    ["the provider host turned off", { ...baseEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST: "OFF" }, {}],
  ];
  for (const [what, env, options] of handedBack) {
    it(`is left to Node for ${what}`, async () => {
      const run = await printIdentity(env, [], options);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/left to the Node relay/);
    });
  }

  it("is found by the launcher through a symlink, as npm's .bin links it, and hands back to Node there", async () => {
    const linked = join(scratch, "linked-bridge");
    symlinkSync(launcher, linked);
    // The "Node" reports what it was started with: the relay's hand-back, and the bundle the launcher named.
    const reporter = join(scratch, "report-node");
    writeFileSync(reporter, `#!/bin/sh\nprintf '%s|' "$${RELAY_MODE}"\n[ -f "$5" ] && printf 'bundle found'\n`);
    chmodSync(reporter, 0o755);
    const run = await execa(linked, [], {
      env: { ...baseEnv, NIXOPS4_OPENTOFU_NODE: reporter, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" },
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("fallback|bundle found");
  });

  it("hands back to the launcher with nothing read from stdin, saying what it tried", async () => {
    // The launcher stands in as a script that reports what it was given and what is left on its stdin.
    const standIn = join(scratch, "launcher");
    writeFileSync(standIn, `#!/bin/sh\nprintf '%s|%s|' "$${RELAY_MODE}" "$*"\ncat\n`);
    chmodSync(standIn, 0o755);
    const run = await execa(relayBin, [packageRoot, standIn, "--provider", "x@1"], {
      env: { ...baseEnv, NIXOPS4_OPENTOFU_PROVIDER_HOST: "off" },
      extendEnv: false,
      input: '{"request":1}\n',
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe('fallback|--provider x@1|{"request":1}');
  });
});
