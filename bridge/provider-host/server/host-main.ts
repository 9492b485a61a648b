#!/usr/bin/env node
// Entry point of a detached provider host process (spawned by the first bridge that needs it).
import { parseHostArguments, type HostLaunch } from "../control-protocol.js";
import { ProviderHost } from "./host-server.js";

let launch: HostLaunch;
try {
  launch = parseHostArguments(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`host-main: ${(error as Error).message}\n`);
  process.exit(2);
}
await ProviderHost.run(launch);
process.exit(0);
