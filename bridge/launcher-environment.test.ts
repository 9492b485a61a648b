import { describe, expect, it } from "vitest";
import { restoreLauncherEnvironment, SAVED_EXTRA_CA_CERTS } from "./launcher-environment.js";

describe("restoreLauncherEnvironment", () => {
  it("puts the CA bundle the launcher moved aside back, and drops the carrier", () => {
    const env: Record<string, string | undefined> = { [SAVED_EXTRA_CA_CERTS]: "/etc/corp-ca.pem", PATH: "/bin" };
    restoreLauncherEnvironment(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/corp-ca.pem", PATH: "/bin" });
  });

  it("keeps an empty value as the user set it", () => {
    const env: Record<string, string | undefined> = { [SAVED_EXTRA_CA_CERTS]: "" };
    restoreLauncherEnvironment(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "" });
  });

  it("leaves an environment the launcher did not touch alone", () => {
    const env: Record<string, string | undefined> = { NODE_EXTRA_CA_CERTS: "/direct.pem" };
    restoreLauncherEnvironment(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/direct.pem" });
  });
});
