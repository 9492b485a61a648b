// Entry of the operation server (bundled as dist/bundle/operation-server.js), started by client.ts as
//   node operation-server.js <paths stem> [bridge arguments...]
// in the bridge's working directory and with exactly the bridge's environment.
import { providerHostSettings } from "../options.js";
import { OperationServer } from "./server.js";
import { serverPathsFromStem } from "./server-key.js";

const [stem, ...argv] = process.argv.slice(2);
if (!stem) {
  process.stderr.write("usage: operation-server.js <paths stem> [bridge arguments...]\n");
  process.exit(2);
}
const server = new OperationServer({
  paths: serverPathsFromStem(stem),
  argv,
  env: process.env,
  // The same idle time as a provider host's: a deployment's next operation usually comes within it.
  idleMs: providerHostSettings(process.env).idleMs,
  onIdleStop: () => process.exit(0),
});
// A failure in one session must not end the others mid-apply; the session's own error handling answers it.
process.on("uncaughtException", (error) => server.log(`uncaught: ${error.message}`));
process.on("unhandledRejection", (error) =>
  server.log(`unhandled rejection: ${(error as Error)?.message ?? String(error)}`),
);
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.on(signal, () => void server.stop(`received ${signal}`).then(() => process.exit(0)));
}
if (!(await server.start())) process.exit(0);
