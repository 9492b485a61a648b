import { describe, expect, it } from "vitest";
import { identityOf, isAlive, processStart, selfIdentity } from "./process-identity.js";

describe("process identity", () => {
  it("names this process by pid and kernel start time, and finds it alive", () => {
    const self = selfIdentity();
    expect(self.pid).toBe(process.pid);
    expect(self.start).toMatch(/^\d+$/);
    expect(identityOf(process.pid)).toEqual(self);
    expect(isAlive(self)).toBe(true);
    // a process of another user (pid 1) is alive too: kill(0) says EPERM, not "gone"
    expect(isAlive(identityOf(1))).toBe(true);
  });

  it("tells a reused pid (other start time) and a pid nobody has from the live process", () => {
    expect(isAlive({ pid: process.pid, start: "1" })).toBe(false);
    const unused = 2 ** 22 + 1; // above Linux's pid_max
    expect(processStart(unused)).toBeUndefined();
    expect(isAlive({ pid: unused })).toBe(false);
  });
});
