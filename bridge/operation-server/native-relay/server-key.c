#define _GNU_SOURCE
#include "server-key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "launcher-environment.h"
#include "runtime-dir.h"

extern char **environ;

typedef struct {
  const char *key;
  size_t key_len;
  const char *entry; // "KEY=VALUE"
} EnvEntry;

static int env_compare(const void *a, const void *b) {
  const EnvEntry *x = a, *y = b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = memcmp(x->key, y->key, n);
  if (c) return c;
  return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int volatile_name(const char *key, size_t n) {
  static const char *const names[] = {"PWD", "OLDPWD", "SHLVL", "_", SAVED_EXTRA_CA_CERTS};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i]) == n && !memcmp(names[i], key, n)) return 1;
  return 0;
}

/** identityText({build, argv, cwd, env}) for the environment the Node bridge would see (the launcher's
 * NODE_EXTRA_CA_CERTS put back, launcher-environment.ts: this process runs before the launcher moves it aside);
 * 0 when it is not one this relay can write exactly as Node would. */
int identity_text(Buf *out, const char *build, char **argv, int argc) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd) || !valid_utf8(cwd) || !valid_utf8(build)) return 0;
  size_t count = 0;
  for (char **e = environ; *e; e++) count++;
  EnvEntry *entries = calloc(count ? count : 1, sizeof *entries);
  if (!entries) return 0;
  size_t kept = 0;
  for (char **e = environ; *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) goto unsure;
    size_t n = (size_t)(eq - *e);
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)(*e)[i] >= 0x80) goto unsure; // Node sorts by UTF-16 units, not by bytes
    if (!valid_utf8(eq + 1)) goto unsure;
    if (volatile_name(*e, n)) continue;
    entries[kept++] = (EnvEntry){*e, n, *e};
  }
  qsort(entries, kept, sizeof *entries, env_compare);
  for (size_t i = 1; i < kept; i++)
    if (!env_compare(&entries[i - 1], &entries[i])) goto unsure; // a name twice: which one Node keeps is its own
  for (int i = 0; i < argc; i++)
    if (!valid_utf8(argv[i])) goto unsure;
  buf_printf(out, "{\"frames\":%d,\"build\":", FRAMES_VERSION);
  json_string(out, build, strlen(build));
  buf_str(out, ",\"argv\":[");
  for (int i = 0; i < argc; i++) {
    if (i) buf_add(out, ",", 1);
    json_string(out, argv[i], strlen(argv[i]));
  }
  buf_str(out, "],\"cwd\":");
  json_string(out, cwd, strlen(cwd));
  buf_str(out, ",\"env\":[");
  for (size_t i = 0; i < kept; i++) {
    if (i) buf_add(out, ",", 1);
    buf_add(out, "[", 1);
    json_string(out, entries[i].key, entries[i].key_len);
    buf_add(out, ",", 1);
    const char *value = entries[i].entry + entries[i].key_len + 1;
    json_string(out, value, strlen(value));
    buf_add(out, "]", 1);
  }
  buf_str(out, "]}");
  free(entries);
  return 1;
unsure:
  free(entries);
  return 0;
}

/** fnv1a64 of server-key.ts: 64-bit FNV-1a over the UTF-16 code units of the (valid UTF-8) text. */
void fnv1a64(const char *text, size_t n, char hex[17]) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = utf8_decode((const unsigned char *)text + i, n - i, &cp);
    i += len ? len : 1;
    uint32_t units[2];
    int count = 1;
    if (cp >= 0x10000) {
      units[0] = 0xd800 + ((cp - 0x10000) >> 10);
      units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      count = 2;
    } else units[0] = cp;
    for (int u = 0; u < count; u++) {
      hash ^= units[u];
      hash *= 0x100000001b3ULL;
    }
  }
  snprintf(hex, 17, "%016llx", (unsigned long long)hash);
}

/** buildId(): "VERSION+HASH" from dist/build-id.json; 0 when it is missing (Node then hashes the build). */
int build_id(Buf *out, const char *root) {
  Buf path = {0}, text = {0};
  path_join(&path, root, "dist/build-id.json");
  int status = read_file(path.data, &text);
  buf_free(&path);
  int ok = 0;
  if (status == 0 && text.len && json_valid(text.data, text.len)) {
    Json span = {text.data, text.data + text.len};
    Buf version = {0}, hash = {0};
    if (!json_member_string(span, "version", &version) && !json_member_string(span, "contentHash", &hash) &&
        version.len && hash.len) {
      buf_add(out, version.data, version.len);
      buf_add(out, "+", 1);
      buf_add(out, hash.data, hash.len);
      ok = 1;
    }
    buf_free(&version);
    buf_free(&hash);
  }
  buf_free(&text);
  return ok;
}
