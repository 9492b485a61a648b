// Run by `npm run build` after tsc: records the build's identity (build-id.ts) in dist/build-id.json, so that a
// bridge process reads one small file instead of hashing its own code.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUILD_ID_FILE, computeBuildId } from "./build-id.js";

const id = computeBuildId(dirname(BUILD_ID_FILE), ".js");
writeFileSync(BUILD_ID_FILE, JSON.stringify(id, null, 2) + "\n");
process.stdout.write(`build ${id.version}+${id.contentHash.slice(0, 12)} (${join("dist", "build-id.json")})\n`);
