// Who starts a key's host when a burst of bridges finds none. NixOps4 starts every independent resource at once,
// each in its own bridge, usually on a cold machine: letting each bridge that finds no host start one made 93
// host processes for one key in a burst of 100 (each loading Node and contending for the lock while the cores
// were needed elsewhere). Exactly one bridge may claim the start; it holds the claim until its host answers or
// exits, and every other bridge waits for that host. A host holds its key's lock from its first moment, so "the
// lock has a live owner" means a host is starting, serving or draining: nobody else needs to start one.
import { lockOwner, tryAcquireLock, type HeldLock } from "../../machine/lock-file.js";

export interface StartPaths {
  /** The host's own lock (lock-file.ts). */
  lock: string;
  startClaim: string;
}

/** The claim to start the key's host, or null when a host is on its way (someone claimed, or a host holds the lock). */
export async function claimHostStart(paths: StartPaths): Promise<HeldLock | null> {
  if (await lockOwner(paths.lock)) return null;
  const claim = await tryAcquireLock(paths.startClaim);
  if (!claim) return null;
  // A host may have taken the key's lock between the look and the claim (its starter released the claim once it
  // answered): then it needs no second start.
  if (await lockOwner(paths.lock)) {
    await claim.release();
    return null;
  }
  return claim;
}
