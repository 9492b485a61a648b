import { describe, expect, it } from "vitest";
import { fnv1a64, identityText, serverKey, serverPaths, serverPathsFromStem } from "./server-key.js";

const base = { build: "0.1.0+abc", argv: ["--provider", "hashicorp/aws@5.100.0"], cwd: "/srv", env: { HOME: "/h" } };

describe("the operation server's key", () => {
  it("is FNV-1a 64 of the identity (the published test vectors)", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
    expect(serverKey(base)).toBe(fnv1a64(identityText(base)));
  });

  it("differs when anything a session runs with differs: build, arguments, working directory, environment", () => {
    const key = serverKey(base);
    expect(serverKey({ ...base, build: "0.1.0+abd" })).not.toBe(key);
    expect(serverKey({ ...base, argv: ["--provider", "hashicorp/aws@5.99.0"] })).not.toBe(key);
    expect(serverKey({ ...base, cwd: "/srv/other" })).not.toBe(key);
    expect(serverKey({ ...base, env: { HOME: "/h", AWS_PROFILE: "prod" } })).not.toBe(key);
    // The bridge's own settings change what a session does, so they are part of it too (unlike a host's key).
    expect(serverKey({ ...base, env: { HOME: "/h", NIXOPS4_OPENTOFU_WAIT_SECONDS: "0" } })).not.toBe(key);
  });

  it("ignores what shells set per process, unset variables and the order of the environment", () => {
    const key = serverKey(base);
    expect(
      serverKey({ ...base, env: { SHLVL: "3", _: "/usr/bin/nixops4", HOME: "/h", PWD: "/x", OLDPWD: "/y" } }),
    ).toBe(key);
    expect(serverKey({ ...base, env: { HOME: "/h", UNSET: undefined } })).toBe(key);
    const two = { A: "1", B: "2" };
    expect(serverKey({ ...base, env: two })).toBe(serverKey({ ...base, env: { B: "2", A: "1" } }));
  });

  it("names short paths in the runtime dir, the same from the stem the server is given", () => {
    const paths = serverPaths("/run/user/1000/nixops4-resources-opentofu", serverKey(base));
    expect(paths.socket).toMatch(/^\/run\/user\/1000\/nixops4-resources-opentofu\/ops-[0-9a-f]{16}\.sock$/);
    expect(Buffer.byteLength(paths.socket)).toBeLessThan(108);
    expect(serverPathsFromStem(paths.stem)).toEqual(paths);
    expect(new Set(Object.values(paths)).size).toBe(6);
  });
});
