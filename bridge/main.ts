#!/usr/bin/env node
// nixops4-resources-opentofu: the resource provider executable NixOps4 starts, one process per operation. Started
// by the launcher bin/nixops4-resources-opentofu, which also chooses the Node flags. Where the native relay is
// built (operation-server/native-relay/: the same relay, without Node's start), the launcher runs that first,
// and this runs only when it hands the session back. With the provider host on (the default), this process hands
// its session to the operation server for its settings (operation-server/), starting it if needed, and only
// relays its stdin, stdout, stderr and signals: NixOps4 starts 100 or 500 of these at once, and a relay costs a
// sixth of the CPU of a bridge that loads, validates and records by itself. Without a server
// (NIXOPS4_OPENTOFU_OPERATION_SERVER=off, NIXOPS4_OPENTOFU_PROVIDER_HOST=off, or none answering), the session is
// served here (in-process.ts), loaded only then.
import { restoreLauncherEnvironment } from "./launcher-environment.js";
import { operationServerSettings } from "./options.js";
import { serveThroughServer } from "./operation-server/client.js";

const attempt = restoreLauncherEnvironment(process.env);
const argv = process.argv.slice(2);
const log = (line: string) => process.stderr.write(`[opentofu] ${line}\n`);
const settings = operationServerSettings(process.env);
const served =
  settings.enabled && attempt === "server"
    ? await serveThroughServer({ argv, env: process.env, waitMs: settings.waitMs, log })
    : "unavailable";
if (served === "unavailable") {
  const { serveInProcess } = await import("./in-process.js");
  await serveInProcess(argv, process.env);
} else {
  process.exit(served.exitCode);
}
