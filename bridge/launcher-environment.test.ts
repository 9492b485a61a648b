import { describe, expect, it } from "vitest";
import { RELAY_MODE, restoreLauncherEnvironment, SAVED_EXTRA_CA_CERTS } from "./launcher-environment.js";

describe("restoreLauncherEnvironment", () => {
  it("puts the CA bundle the launcher moved aside back, and drops the carrier", () => {
    const env: Record<string, string | undefined> = { [SAVED_EXTRA_CA_CERTS]: "/etc/corp-ca.pem", PATH: "/bin" };
    expect(restoreLauncherEnvironment(env)).toBe("server");
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

  it("takes the native relay's word that no server takes the session, and drops it", () => {
    const env: Record<string, string | undefined> = { [RELAY_MODE]: "in-process", PATH: "/bin" };
    expect(restoreLauncherEnvironment(env)).toBe("in-process");
    expect(env).toEqual({ PATH: "/bin" });
  });

  it("looks for a server itself after any other hand-back, or when the user chose the Node relay", () => {
    for (const mode of ["fallback", "node", "anything"]) {
      const env: Record<string, string | undefined> = { [RELAY_MODE]: mode };
      expect(restoreLauncherEnvironment(env)).toBe("server");
      expect(env).toEqual({});
    }
  });
});
