// NixOps4 starts one bridge per resource operation, all independent ones at once, and each waits for its engine
// run: at 100 or 500 at a time, the bridges' own memory is what the machine runs out of. V8's default young
// generation (16 MB semi-spaces) lets a short-lived process grow to ~30 MB private memory before its first full
// collection; 1 MB semi-spaces keep a waiting bridge at ~12-14 MB (measured: 6 bridges waiting on the host,
// private memory from /proc/PID/smaps_rollup) for a few more scavenges of CPU. Imported first by main.ts, so
// that the flag is set before anything else allocates; a flag given on the command line wins.
import { setFlagsFromString } from "node:v8";

if (!process.execArgv.some((arg) => arg.startsWith("--max-semi-space-size")))
  setFlagsFromString("--max-semi-space-size=1");
