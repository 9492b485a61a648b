// How a workspace's engine commands reach their provider: the environment that attaches them (a provider host's
// TF_REATTACH_PROVIDERS, or nothing after the engine's own init) and what to give back once they are done.
export interface Attachment {
  /** Env for every engine command in this workspace. */
  engineEnv: Record<string, string>;
  release(): Promise<void>;
}
