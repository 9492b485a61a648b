#define _GNU_SOURCE
#include "runtime-dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define APP "nixops4-resources-opentofu"
// As runtime-dir.ts: room for the longest socket name in the dir.
#define MAX_DIR_LENGTH 56

/** A path path.join leaves as it is: absolute, ASCII, no empty, "." or ".." segments, no trailing slash. */
int clean_path(const char *path) {
  if (path[0] != '/') return 0;
  if (path[1] == 0) return 1;
  for (const char *p = path; *p; p++) {
    if ((unsigned char)*p >= 0x80) return 0;
    if (*p != '/') continue;
    const char *segment = p + 1;
    size_t n = strcspn(segment, "/");
    if (n == 0) return 0;
    if ((n == 1 && segment[0] == '.') || (n == 2 && segment[0] == '.' && segment[1] == '.')) return 0;
  }
  return 1;
}

/** join(dir, name) for a clean dir. */
void path_join(Buf *out, const char *dir, const char *name) {
  buf_str(out, dir);
  if (strcmp(dir, "/") != 0) buf_add(out, "/", 1);
  buf_str(out, name);
}

/** runtimeDir(env), or 0 when Node has to find it (the temp dir candidate, or a path join would normalize). */
int runtime_dir(Buf *out) {
  const char *explicit_dir = getenv("NIXOPS4_OPENTOFU_PROVIDER_HOST_DIR");
  if (explicit_dir && *explicit_dir) {
    if (!clean_path(explicit_dir)) return 0;
    buf_str(out, explicit_dir);
    return 1;
  }
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg && *xdg) {
    if (!clean_path(xdg)) return 0;
    Buf candidate = {0};
    path_join(&candidate, xdg, APP);
    if (candidate.len <= MAX_DIR_LENGTH) {
      buf_add(out, candidate.data, candidate.len);
      buf_free(&candidate);
      return 1;
    }
    buf_free(&candidate);
  }
  const char *home = getenv("HOME");
  if (!home || !clean_path(home)) return 0;
  Buf candidate = {0};
  path_join(&candidate, home, ".cache/" APP "/hosts");
  int ok = candidate.len <= MAX_DIR_LENGTH;
  if (ok) buf_add(out, candidate.data, candidate.len);
  buf_free(&candidate);
  return ok;
}

/** ensurePrivateDir: made 0700 if missing; refused if another user owns it. 0 on success. */
int ensure_private_dir(const char *dir) {
  Buf partial = {0};
  for (const char *p = dir + 1;; p++) {
    if (*p == '/' || *p == 0) {
      partial.len = 0;
      buf_add(&partial, dir, (size_t)(p - dir));
      if (mkdir(partial.data, 0700) != 0 && errno != EEXIST) {
        buf_free(&partial);
        return -1;
      }
      if (*p == 0) break;
    }
  }
  buf_free(&partial);
  struct stat info;
  if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != getuid()) return -1;
  if ((info.st_mode & 077) != 0 && chmod(dir, 0700) != 0) return -1;
  return 0;
}
