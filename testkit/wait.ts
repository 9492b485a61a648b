// Polling for a condition another process brings about (a host exiting, a file appearing).
import { setTimeout as sleep } from "node:timers/promises";

/** True as soon as `condition` holds, checked every 100 ms; its last answer once `timeoutMs` has passed. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}
