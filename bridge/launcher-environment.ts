// What the launcher (bin/nixops4-resources-opentofu) changed in this process's environment, undone before any
// setting is read, so that what the bridge hands on (the engine, the provider host and through it the provider)
// sees the user's environment unchanged, and so that the operation server's key (server-key.ts) is the same
// whichever relay computed it.
// - NODE_EXTRA_CA_CERTS: kept away from this process's own Node, which would parse that bundle at every start
//   although the bridge makes no TLS connection; it goes back here.
// - NIXOPS4_OPENTOFU_RELAY: set by the native relay (operation-server/native-relay/) when it hands a session
//   back to Node, saying what it already tried; a user sets it to "node" to skip the native relay.
export const SAVED_EXTRA_CA_CERTS = "NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS";
export const RELAY_MODE = "NIXOPS4_OPENTOFU_RELAY";

/** What this process should do about the operation server: "in-process" when the native relay already found that
 * no server takes the session (and said why on stderr), "server" otherwise (look for one, start one). */
export type ServerAttempt = "server" | "in-process";

export function restoreLauncherEnvironment(env: Record<string, string | undefined>): ServerAttempt {
  const saved = env[SAVED_EXTRA_CA_CERTS];
  if (saved !== undefined) {
    env.NODE_EXTRA_CA_CERTS = saved;
    delete env.NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS;
  }
  const relay = env[RELAY_MODE];
  delete env.NIXOPS4_OPENTOFU_RELAY;
  return relay === "in-process" ? "in-process" : "server";
}
