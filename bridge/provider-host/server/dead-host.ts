// What a host that died without cleaning up (SIGKILL, crash, reboot) leaves behind, and its removal. Only a
// process holding the dead host's lock may call this: no live host can own any of these files then, because a
// host takes its key's lock before it creates any of them and releases it only after removing them.
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { hostPaths, readHostMetadata } from "../control-protocol.js";
import { isAlive } from "../../machine/process-identity.js";

/** `proxySockets`: names of `<stem>.<pid>.grpc.sock` files seen in the directory; the metadata names only the
 * last host's, and a host killed before writing its metadata leaves one that nothing names. */
export async function clearDeadHost(
  dir: string,
  stem: string,
  log: (line: string) => void,
  proxySockets: string[] = [],
): Promise<void> {
  const paths = hostPaths(dir, stem);
  const previous = await readHostMetadata(paths.metadata);
  if (previous && previous.hostPid !== process.pid) {
    // Without setpriv the provider does not die with its host; once the metadata is gone nothing names it.
    if (
      !isAlive({ pid: previous.hostPid, start: previous.hostStart }) &&
      isAlive({ pid: previous.providerPid, start: previous.providerStart })
    ) {
      log(`killing orphaned provider ${previous.providerPid} of dead host ${previous.hostPid}`);
      try {
        process.kill(previous.providerPid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await rm(previous.proxySocket, { force: true });
    // A provider socket elsewhere is in a directory the user chose; not ours to clean.
    if (dirname(previous.providerSocket) === dir) await rm(previous.providerSocket, { force: true });
  }
  for (const name of proxySockets) await rm(join(dir, name), { force: true });
  await rm(paths.metadata, { force: true });
  await rm(paths.control, { force: true });
}
