import { describe, expect, it } from "vitest";
import { debugStacks, operationDeadline, OptionsError, readOptions } from "./options.js";

const env = { NIXOPS4_OPENTOFU_PROVIDER: "hashicorp/aws@5.100.0", HOME: "/home/u" };

describe("the operation timeout", () => {
  it("is 30 minutes unless the flag or the environment says otherwise; the flag wins", () => {
    expect(readOptions([], env).operationTimeoutSeconds).toBe(1800);
    expect(readOptions([], { ...env, NIXOPS4_OPENTOFU_OPERATION_TIMEOUT: "90" }).operationTimeoutSeconds).toBe(90);
    expect(
      readOptions(["--operation-timeout", "12.5"], { ...env, NIXOPS4_OPENTOFU_OPERATION_TIMEOUT: "90" })
        .operationTimeoutSeconds,
    ).toBe(12.5);
  });

  it("refuses what is not a positive number of seconds", () => {
    for (const bad of ["0", "-5", "10m", "soon"]) {
      expect(() => readOptions(["--operation-timeout", bad], env), bad).toThrow(OptionsError);
    }
    expect(() => readOptions(["--operation-timeout", "10m"], env)).toThrow(
      /--operation-timeout must be a positive number of seconds, got "10m"/,
    );
  });

  it("gives the engine a tenth of the timeout, 5 s to 60 s, between its interrupt and the kill", () => {
    expect(operationDeadline({ operationTimeoutSeconds: 1800 }).graceMs).toBe(60_000);
    expect(operationDeadline({ operationTimeoutSeconds: 300 }).graceMs).toBe(30_000);
    expect(operationDeadline({ operationTimeoutSeconds: 20 }).graceMs).toBe(5_000);
    const before = Date.now();
    const { at } = operationDeadline({ operationTimeoutSeconds: 20 });
    expect(at - before).toBeGreaterThanOrEqual(20_000);
    expect(at - Date.now()).toBeLessThanOrEqual(20_000);
  });
});

describe("the other settings, read once", () => {
  it("waits 300 s for another operation on the resource unless NIXOPS4_OPENTOFU_WAIT_SECONDS says otherwise", () => {
    expect(readOptions([], env).waitMs).toBe(300_000);
    expect(readOptions([], { ...env, NIXOPS4_OPENTOFU_WAIT_SECONDS: "0" }).waitMs).toBe(0);
    expect(readOptions([], { ...env, NIXOPS4_OPENTOFU_WAIT_SECONDS: "2.5" }).waitMs).toBe(2_500);
    expect(readOptions([], { ...env, NIXOPS4_OPENTOFU_WAIT_SECONDS: "soon" }).waitMs).toBe(300_000);
  });

  it("logs stacks only when NIXOPS4_OPENTOFU_DEBUG is set", () => {
    expect(debugStacks({})).toBe(false);
    expect(debugStacks({ NIXOPS4_OPENTOFU_DEBUG: "1" })).toBe(true);
  });
});
