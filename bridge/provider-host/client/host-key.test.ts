import { describe, expect, it } from "vitest";
import { CONTROL_PROTOCOL_VERSION, hostKey, keyedEnv, type HostIdentity } from "./host-key.js";

const identity: HostIdentity = {
  providerAddress: "registry.terraform.io/hashicorp/aws",
  providerVersion: "5.100.0",
  binaryPath: "/p/terraform-provider-aws",
  configKey: "c1",
  env: { AWS_REGION: "us-east-1", PATH: "/bin" },
};

describe("hostKey", () => {
  it("changes with anything the provider process is made of: config, environment, binary, build, schemas", () => {
    const key = hostKey(identity);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(hostKey({ ...identity })).toBe(key);
    for (const other of [
      { configKey: "c2" },
      { env: { ...identity.env, AWS_REGION: "eu-west-1" } },
      { env: { ...identity.env, AWS_CA_BUNDLE: "/ca" } },
      { binaryPath: "/q/terraform-provider-aws" },
      { providerVersion: "5.99.0" },
      { hostBuild: "dist/x.js@2" },
      { fullSchemas: true },
    ])
      expect(hostKey({ ...identity, ...other })).not.toBe(key);
  });

  it("ignores the shell's volatile variables and the bridge's own settings, and the order of variables", () => {
    const key = hostKey(identity);
    const noisy = { PWD: "/x", OLDPWD: "/y", SHLVL: "3", _: "/bin/node", NIXOPS4_OPENTOFU_ENGINE_SLOTS: "2" };
    expect(hostKey({ ...identity, env: { ...noisy, PATH: "/bin", AWS_REGION: "us-east-1" } })).toBe(key);
    expect(hostKey({ ...identity, env: { ...identity.env, UNSET: undefined } })).toBe(key);
  });

  it("keyedEnv sorts by name and leaves out what is not keyed", () => {
    expect(keyedEnv({ B: "2", A: "1", PWD: "/", NIXOPS4_OPENTOFU_X: "y", C: undefined })).toEqual([
      ["A", "1"],
      ["B", "2"],
    ]);
    expect(CONTROL_PROTOCOL_VERSION).toBeGreaterThanOrEqual(3);
  });
});
