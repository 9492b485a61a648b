import { describe, expect, it } from "vitest";
import { parseReattachLine, providerEnv } from "./provider-process.js";

describe("parseReattachLine", () => {
  it("reads the endpoint from the line a debug-mode provider prints", () => {
    const line =
      `\tTF_REATTACH_PROVIDERS='{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,` +
      `"Pid":4242,"Test":true,"Addr":{"Network":"unix","String":"/run/h/plugin123"}}}'`;
    expect(parseReattachLine(line)).toEqual({
      protocolVersion: 5,
      network: "unix",
      address: "/run/h/plugin123",
      pid: 4242,
    });
  });

  it("ignores other lines and reattach info that lacks what the host needs", () => {
    expect(
      parseReattachLine("Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS"),
    ).toBeUndefined();
    expect(parseReattachLine(`TF_REATTACH_PROVIDERS='{"p":{"ProtocolVersion":5,"Pid":1}}'`)).toBeUndefined();
    expect(parseReattachLine(`TF_REATTACH_PROVIDERS='{"p":{"Pid":1,"Addr":{"String":"/s"}}}'`)).toBeUndefined();
  });
});

describe("providerEnv", () => {
  it("silences the SDK's TRACE logs unless the user set them, and keeps the socket private", () => {
    const env = providerEnv({ PATH: "/bin", TF_LOG_SDK: "debug", UNSET: undefined }, "/run/h");
    expect(env).toEqual({
      PATH: "/bin",
      TF_LOG_SDK: "debug",
      TF_LOG_PROVIDER: "off",
      TF_LOG_SDK_PROTO: "off",
      TF_LOG_SDK_FRAMEWORK: "off",
      PLUGIN_UNIX_SOCKET_DIR: "/run/h",
    });
    expect(providerEnv({ PLUGIN_UNIX_SOCKET_DIR: "/mine" }, "/run/h").PLUGIN_UNIX_SOCKET_DIR).toBe("/mine");
    expect(providerEnv({}).PLUGIN_UNIX_SOCKET_DIR).toBeUndefined();
  });
});
