// The launcher (bin/nixops4-resources-opentofu) keeps NODE_EXTRA_CA_CERTS away from this process's own Node, which
// would parse that bundle at every start although the bridge makes no TLS connection. Here it goes back, before
// any setting is read, so that what the bridge hands on (the engine, the provider host and through it the
// provider) sees the user's environment unchanged.
export const SAVED_EXTRA_CA_CERTS = "NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS";

export function restoreLauncherEnvironment(env: Record<string, string | undefined>): void {
  const saved = env[SAVED_EXTRA_CA_CERTS];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env.NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS;
}
