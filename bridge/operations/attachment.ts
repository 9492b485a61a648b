// What a workspace of this process gets once its provider is attached (the engine's own init, "local"). A file of
// its own so that the workspace runner, the init and the connection can all name it without importing each other.
export interface Attachment {
  /** Env for every engine command in this workspace. */
  engineEnv: Record<string, string>;
  release(): Promise<void>;
}
