// The private runtime dir of machine/runtime-dir.ts, and path.join for the paths it leaves alone.
#pragma once
#include "buffer.h"

/** Absolute, ASCII, no empty, "." or ".." segment, no trailing slash: a path path.join leaves as it is. */
int clean_path(const char *path);
/** join(dir, name) for a clean dir. */
void path_join(Buf *out, const char *dir, const char *name);
/** runtimeDir(env), or 0 when Node has to find it. */
int runtime_dir(Buf *out);
/** ensurePrivateDir: made 0700 if missing; refused (-1) if another user owns it. */
int ensure_private_dir(const char *dir);
