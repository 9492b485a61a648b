// Where each piece of one state location lives in the bucket: the current snapshot at the key itself, the lock
// beside it, and one immutable object per event under a history prefix, named so that listing sorts by index.
import type { StateLocation } from "./state-inputs.js";

const INDEX_DIGITS = 10;

export const lockKey = (location: StateLocation) => `${location.key}.lock`;
export const historyPrefix = (location: StateLocation) => `${location.key}.history/`;
export const historyKey = (location: StateLocation, index: number) =>
  `${historyPrefix(location)}${String(index).padStart(INDEX_DIGITS, "0")}.json`;

/** The index of a history object's key, or undefined for anything else under the prefix. */
export function historyIndexOf(location: StateLocation, key: string): number | undefined {
  const prefix = historyPrefix(location);
  if (!key.startsWith(prefix)) return undefined;
  const match = /^(\d+)\.json$/.exec(key.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}
