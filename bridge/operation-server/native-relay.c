// The bridge process NixOps4 starts, when an operation server takes its session: a relay of stdin, stdout,
// stderr and signals, as client.ts and server-start.ts do, in a process that does not start Node. NixOps4 starts
// one bridge per resource operation, 100 or 500 at once on a cold machine, and Node's start alone cost each of
// them ~0.12 CPU-s of the ~0.19 a Node relay costs (bench/README.md); this one costs a few milliseconds.
//
// The launcher (bin/nixops4-resources-opentofu) runs it when `npm run build` or the Nix package compiled it
// (scripts/build-native-relay.mjs). It does what the Node relay does on the path almost every bridge takes:
// find the key's server (the same identityText and fnv1a64 as server-key.ts, the same runtime dir as
// machine/runtime-dir.ts), or start it once per burst (the same start lock as machine/lock-file.ts, the same
// waiting room as provider-host/client/waiting-room.ts), then relay the session (frames.ts). Anything else goes
// back to the launcher, before a byte of stdin is read, which then runs the bridge in Node:
//   NIXOPS4_OPENTOFU_RELAY=fallback    this relay could not tell what Node would do (a setting it does not
//                                      parse, an environment that is not plain UTF-8, ...): Node does it all;
//   NIXOPS4_OPENTOFU_RELAY=in-process  no server took the session (refused, or none within the wait, logged
//                                      here): Node serves it in its own process at once.
// Linux only (/proc, SOCK_CLOEXEC); elsewhere the build skips it and the Node relay serves.
//
// usage: nixops4-opentofu-relay PACKAGE_ROOT LAUNCHER [bridge arguments...]
//        nixops4-opentofu-relay --print-identity PACKAGE_ROOT [bridge arguments...]
//          prints the server key, socket path and identity this process would use (for tests and for finding
//          out why a server refused a bridge)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// Must equal FRAMES_VERSION in frames.ts: it is part of the identity the server compares.
#define FRAMES_VERSION 1
#define APP "nixops4-resources-opentofu"
#define MAX_DIR_LENGTH 56
#define MAX_SOCKET_PATH 107
#define SAVED_EXTRA_CA_CERTS "NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS"

// ---- growable byte buffers ----

typedef struct {
  char *data;
  size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) {
    static const char oom[] = "[opentofu] error: out of memory in the bridge's relay\n";
    (void)!write(2, oom, sizeof oom - 1);
    _exit(1);
  }
  b->data = data;
  b->cap = cap;
}
static void buf_add(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}
static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }
static void buf_printf(Buf *b, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  buf_reserve(b, (size_t)n);
  va_start(args, format);
  vsnprintf(b->data + b->len, (size_t)n + 1, format, args);
  va_end(args);
  b->len += (size_t)n;
}
static void buf_free(Buf *b) {
  free(b->data);
  *b = (Buf){0};
}

// ---- output ----

static int write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

/** One line on stderr, as the Node bridge's log: "[opentofu] ...". Errors are ignored, as there. */
static void log_line(const char *format, ...) {
  Buf line = {0};
  buf_str(&line, "[opentofu] ");
  va_list args;
  va_start(args, format);
  int n = vsnprintf(NULL, 0, format, args);
  va_end(args);
  buf_reserve(&line, (size_t)n + 1);
  va_start(args, format);
  vsnprintf(line.data + line.len, (size_t)n + 1, format, args);
  va_end(args);
  line.len += (size_t)n;
  buf_add(&line, "\n", 1);
  (void)write_all(2, line.data, line.len);
  buf_free(&line);
}

// ---- UTF-8 and JSON, as JSON.stringify and JSON.parse do them ----

/** Length of the valid UTF-8 sequence at s (and its code point), 0 if invalid: what Node would decode to U+FFFD,
 * and so an identity this relay cannot reproduce. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((s[0] & 0xe0) == 0xc0) len = 2, *cp = s[0] & 0x1f, min = 0x80;
  else if ((s[0] & 0xf0) == 0xe0) len = 3, *cp = s[0] & 0x0f, min = 0x800;
  else if ((s[0] & 0xf8) == 0xf0) len = 4, *cp = s[0] & 0x07, min = 0x10000;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (s[i] & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
  return len;
}

static int valid_utf8(const char *s) {
  size_t n = strlen(s);
  uint32_t cp;
  for (size_t i = 0; i < n;) {
    size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
    if (!len) return 0;
    i += len;
  }
  return 1;
}

static void utf8_encode(Buf *b, uint32_t cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) out[0] = (char)cp, n = 1;
  else if (cp < 0x800) out[0] = (char)(0xc0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
  else if (cp < 0x10000)
    out[0] = (char)(0xe0 | cp >> 12), out[1] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[2] = (char)(0x80 | (cp & 0x3f)),
    n = 3;
  else
    out[0] = (char)(0xf0 | cp >> 18), out[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), out[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
  buf_add(b, out, n);
}

/** A JSON string of valid UTF-8 `s`, byte for byte as JSON.stringify writes it. */
static void json_string(Buf *b, const char *s, size_t n) {
  buf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': buf_str(b, "\\\""); break;
      case '\\': buf_str(b, "\\\\"); break;
      case '\b': buf_str(b, "\\b"); break;
      case '\f': buf_str(b, "\\f"); break;
      case '\n': buf_str(b, "\\n"); break;
      case '\r': buf_str(b, "\\r"); break;
      case '\t': buf_str(b, "\\t"); break;
      default:
        if (c < 0x20) buf_printf(b, "\\u%04x", c);
        else buf_add(b, (const char *)&c, 1);
    }
  }
  buf_add(b, "\"", 1);
}

/** A span of JSON text being read. */
typedef struct {
  const char *p, *end;
} Json;

static void json_ws(Json *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int hex4(const char *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

/** Reads a JSON string at j->p into `out` as UTF-8 (a lone surrogate as U+FFFD, as Node writes it); out may be
 * NULL to only skip it. 0 on success. */
static int json_read_string(Json *j, Buf *out) {
  if (j->p >= j->end || *j->p != '"') return -1;
  j->p++;
  while (j->p < j->end) {
    unsigned char c = (unsigned char)*j->p;
    if (c == '"') {
      j->p++;
      return 0;
    }
    if (c < 0x20) return -1;
    if (c != '\\') {
      const char *start = j->p;
      while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20) j->p++;
      if (out) buf_add(out, start, (size_t)(j->p - start));
      continue;
    }
    if (j->end - j->p < 2) return -1;
    char e = j->p[1];
    j->p += 2;
    uint32_t cp;
    switch (e) {
      case '"': cp = '"'; break;
      case '\\': cp = '\\'; break;
      case '/': cp = '/'; break;
      case 'b': cp = '\b'; break;
      case 'f': cp = '\f'; break;
      case 'n': cp = '\n'; break;
      case 'r': cp = '\r'; break;
      case 't': cp = '\t'; break;
      case 'u':
        if (j->end - j->p < 4 || hex4(j->p, &cp)) return -1;
        j->p += 4;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          uint32_t low;
          if (j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' && !hex4(j->p + 2, &low) && low >= 0xdc00 &&
              low <= 0xdfff) {
            j->p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else cp = 0xfffd;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;
        break;
      default: return -1;
    }
    if (out) utf8_encode(out, cp);
  }
  return -1;
}

static int json_skip_value(Json *j, int depth);

static int json_skip_number(Json *j) {
  const char *p = j->p;
  if (p < j->end && *p == '-') p++;
  if (p >= j->end) return -1;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9')
    while (p < j->end && *p >= '0' && *p <= '9') p++;
  else return -1;
  if (p < j->end && *p == '.') {
    p++;
    if (p >= j->end || *p < '0' || *p > '9') return -1;
    while (p < j->end && *p >= '0' && *p <= '9') p++;
  }
  if (p < j->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < j->end && (*p == '+' || *p == '-')) p++;
    if (p >= j->end || *p < '0' || *p > '9') return -1;
    while (p < j->end && *p >= '0' && *p <= '9') p++;
  }
  j->p = p;
  return 0;
}

static int json_literal(Json *j, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n)) return -1;
  j->p += n;
  return 0;
}

static int json_skip_value(Json *j, int depth) {
  if (depth > 64) return -1;
  json_ws(j);
  if (j->p >= j->end) return -1;
  char c = *j->p;
  if (c == '"') return json_read_string(j, NULL);
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    j->p++;
    json_ws(j);
    if (j->p < j->end && *j->p == close) {
      j->p++;
      return 0;
    }
    for (;;) {
      if (c == '{') {
        json_ws(j);
        if (json_read_string(j, NULL)) return -1;
        json_ws(j);
        if (j->p >= j->end || *j->p != ':') return -1;
        j->p++;
      }
      if (json_skip_value(j, depth + 1)) return -1;
      json_ws(j);
      if (j->p >= j->end) return -1;
      if (*j->p == ',') {
        j->p++;
        continue;
      }
      if (*j->p != close) return -1;
      j->p++;
      return 0;
    }
  }
  if (c == 't') return json_literal(j, "true");
  if (c == 'f') return json_literal(j, "false");
  if (c == 'n') return json_literal(j, "null");
  return json_skip_number(j);
}

/** Whether the span is one JSON value (and only whitespace around it), as JSON.parse would accept it. */
static int json_valid(const char *p, size_t n) {
  Json j = {p, p + n};
  if (json_skip_value(&j, 0)) return 0;
  json_ws(&j);
  return j.p == j.end;
}

/** The value of `key` in the object `span` (the last one, as JSON.parse keeps), or of its first member when key
 * is NULL; 0 and the value's span on success. The object must be valid JSON (json_valid). */
static int json_member(Json span, const char *key, Json *value) {
  Json j = span;
  json_ws(&j);
  if (j.p >= j.end || *j.p != '{') return -1;
  j.p++;
  int found = -1;
  Buf name = {0};
  for (;;) {
    json_ws(&j);
    if (j.p < j.end && *j.p == '}') break;
    name.len = 0;
    buf_reserve(&name, 0);
    if (json_read_string(&j, &name)) break;
    json_ws(&j);
    j.p++; // ':'
    json_ws(&j);
    const char *start = j.p;
    if (json_skip_value(&j, 1)) break;
    if (!key || (name.len == strlen(key) && !memcmp(name.data, key, name.len))) {
      *value = (Json){start, j.p};
      found = 0;
      if (!key) break;
    }
    json_ws(&j);
    if (j.p >= j.end || *j.p != ',') break;
    j.p++;
  }
  buf_free(&name);
  return found;
}

/** The string value of `key` in the object; 0 on success. */
static int json_member_string(Json span, const char *key, Buf *out) {
  Json value;
  if (json_member(span, key, &value) || value.p >= value.end || *value.p != '"') return -1;
  return json_read_string(&value, out);
}

/** The number value of `key` in the object, if it is an integer that fits; 0 on success. */
static int json_member_int(Json span, const char *key, long long *out) {
  Json value;
  if (json_member(span, key, &value) || value.p >= value.end) return -1;
  char text[32];
  size_t n = (size_t)(value.end - value.p);
  if (n >= sizeof text) return -1;
  memcpy(text, value.p, n);
  text[n] = 0;
  char *rest;
  errno = 0;
  long long v = strtoll(text, &rest, 10);
  if (errno || *rest || rest == text) return -1;
  *out = v;
  return 0;
}

// ---- settings (options.ts) ----

/** Node's `(value ?? "").toLowerCase() === "off"` for the plain spellings; anything else with non-ASCII is left
 * to Node. Returns 1 for off, 0 for on, -1 for "ask Node". */
static int is_off(const char *name) {
  const char *value = getenv(name);
  if (!value) return 0;
  for (const char *p = value; *p; p++)
    if ((unsigned char)*p >= 0x80) return -1;
  return strcasecmp(value, "off") == 0;
}

/** options.ts's seconds(): a plain decimal number of seconds, else the fallback; -1 for a spelling JavaScript's
 * Number() reads differently from strtod (hex, exponents, whitespace), which is left to Node. */
static double seconds_setting(const char *name, double fallback) {
  const char *value = getenv(name);
  if (!value || !*value) return fallback;
  for (const char *p = value; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '.')) return -1;
  char *rest;
  double v = strtod(value, &rest);
  if (*rest || rest == value) return -1;
  return v;
}

// ---- paths (runtime-dir.ts, server-key.ts) ----

/** A path path.join leaves as it is: absolute, ASCII, no empty, "." or ".." segments, no trailing slash. */
static int clean_path(const char *path) {
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
static void path_join(Buf *out, const char *dir, const char *name) {
  buf_str(out, dir);
  if (strcmp(dir, "/") != 0) buf_add(out, "/", 1);
  buf_str(out, name);
}

/** runtimeDir(env), or 0 when Node has to find it (the temp dir candidate, or a path join would normalize). */
static int runtime_dir(Buf *out) {
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
static int ensure_private_dir(const char *dir) {
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

// ---- identity and key (server-key.ts) ----

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
static int identity_text(Buf *out, const char *build, char **argv, int argc) {
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
static void fnv1a64(const char *text, size_t n, char hex[17]) {
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
static int build_id(Buf *out, const char *root) {
  Buf path = {0}, text = {0};
  path_join(&path, root, "dist/build-id.json");
  int fd = open(path.data, O_RDONLY | O_CLOEXEC);
  buf_free(&path);
  if (fd < 0) return 0;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) buf_add(&text, chunk, (size_t)n);
  close(fd);
  int ok = 0;
  if (n == 0 && text.len && json_valid(text.data, text.len)) {
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

// ---- time and sleep ----

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(long long ms) {
  if (ms <= 0) return;
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

static double random_unit(void) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)now_ms() * 2654435761u;
  return r / 4294967296.0;
}

// ---- the start lock (lock-file.ts) ----

static int read_file(const char *path, Buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) buf_add(out, chunk, (size_t)n);
  close(fd);
  if (!out->data) buf_reserve(out, 0);
  return n < 0 ? -1 : 0;
}

/** Field `index` after the command name of /proc/<pid>/stat (0: state, 19: start time), as process-identity.ts
 * reads it; 0 when the file cannot be read. */
static int proc_stat_field(long long pid, int index, char *out, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%lld/stat", pid);
  Buf stat_text = {0};
  if (read_file(path, &stat_text) != 0) {
    buf_free(&stat_text);
    return 0;
  }
  char *paren = strrchr(stat_text.data, ')');
  int ok = 0;
  if (paren && paren[1] == ' ') {
    char *field = paren + 2;
    for (int i = 0; i < index && field; i++) {
      field = strchr(field, ' ');
      if (field) field++;
    }
    if (field) {
      size_t n = strcspn(field, " \n");
      if (n < size) {
        memcpy(out, field, n);
        out[n] = 0;
        ok = 1;
      }
    }
  }
  buf_free(&stat_text);
  return ok;
}

/** isAlive of the owner named by a lock file's content; unparsable content counts as alive (foreign). */
static int lock_owner_alive(const Buf *raw) {
  if (!json_valid(raw->data, raw->len)) return 1;
  Json span = {raw->data, raw->data + raw->len};
  long long pid;
  if (json_member_int(span, "pid", &pid) || pid <= 0) return 1;
  if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return 0;
  char state[8], start[32];
  if (!proc_stat_field(pid, 0, state, sizeof state)) return 1;
  if (state[0] == 'Z') return 0;
  Buf recorded = {0};
  int alive = 1;
  if (!json_member_string(span, "start", &recorded) && proc_stat_field(pid, 19, start, sizeof start))
    alive = strcmp(recorded.data ? recorded.data : "", start) == 0;
  buf_free(&recorded);
  return alive;
}

typedef struct {
  Buf path, raw;
} HeldLock;

/** tryAcquireLock: 1 when taken, 0 when a live process holds it, -1 on an error. */
static int try_acquire_lock(const char *path, HeldLock *held) {
  unsigned char random[12];
  if (getrandom(random, sizeof random, 0) != sizeof random) return -1;
  char token[25];
  for (int i = 0; i < 12; i++) snprintf(token + 2 * i, 3, "%02x", random[i]);
  Buf raw = {0}, temp = {0}, aside = {0};
  char start[32];
  if (proc_stat_field(getpid(), 19, start, sizeof start))
    buf_printf(&raw, "{\"pid\":%d,\"start\":\"%s\",\"token\":\"%s\"}", (int)getpid(), start, token);
  else buf_printf(&raw, "{\"pid\":%d,\"token\":\"%s\"}", (int)getpid(), token);
  buf_printf(&temp, "%s.%s.tmp", path, token);
  buf_printf(&aside, "%s.%s.stale", path, token);
  int result = -1;
  int fd = open(temp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) goto done;
  int written = write_all(fd, raw.data, raw.len);
  close(fd);
  if (written) goto done;
  for (int attempt = 0; attempt < 5; attempt++) {
    if (link(temp.data, path) == 0) {
      held->path = (Buf){0};
      buf_str(&held->path, path);
      held->raw = raw;
      raw = (Buf){0};
      result = 1;
      goto done;
    }
    if (errno != EEXIST) goto done;
    Buf existing = {0};
    if (read_file(path, &existing) != 0) {
      int gone = errno == ENOENT;
      buf_free(&existing);
      if (gone) continue;
      goto done;
    }
    if (lock_owner_alive(&existing)) {
      buf_free(&existing);
      result = 0;
      goto done;
    }
    // The owner died: move its lock aside, and put it back if what moved is not what was read (a live lock taken
    // meanwhile).
    if (rename(path, aside.data) != 0) {
      buf_free(&existing);
      if (errno == ENOENT) continue;
      goto done;
    }
    Buf moved = {0};
    int same = read_file(aside.data, &moved) == 0 && moved.len == existing.len &&
               !memcmp(moved.data, existing.data, moved.len);
    buf_free(&moved);
    buf_free(&existing);
    if (!same) {
      (void)link(aside.data, path);
      unlink(aside.data);
      result = 0;
      goto done;
    }
    unlink(aside.data);
  }
  result = 0;
done:
  unlink(temp.data);
  buf_free(&raw);
  buf_free(&temp);
  buf_free(&aside);
  return result;
}

static void release_lock(HeldLock *held) {
  Buf current = {0};
  if (read_file(held->path.data, &current) == 0 && current.len == held->raw.len &&
      !memcmp(current.data, held->raw.data, current.len))
    unlink(held->path.data);
  buf_free(&current);
  buf_free(&held->path);
  buf_free(&held->raw);
}

// ---- unix sockets ----

static int unix_address(struct sockaddr_un *address, const char *path) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof address->sun_path) return -1;
  strcpy(address->sun_path, path);
  return 0;
}

/** A connected socket to `path`, or -1 (nobody listens there, or its queue is full). */
static int unix_connect(const char *path) {
  struct sockaddr_un address;
  if (unix_address(&address, path)) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    close(fd);
    return -1;
  }
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

/** The waiting room's listening socket (waiting-room.ts): nothing is ever sent on it; it closes when the claim
 * ends, and with it the connections queued on it, which wakes the waiters. */
static int open_waiting_room(const char *path) {
  struct sockaddr_un address;
  if (unix_address(&address, path)) return -1;
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, SOMAXCONN) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void close_waiting_room(int *fd, const char *path) {
  if (*fd < 0) return;
  close(*fd);
  *fd = -1;
  unlink(path);
}

/** waitInRoom: 1 once the room closed or after `timeout_ms` (look again), 0 at once when there is no room. */
static int wait_in_room(const char *path, long long timeout_ms) {
  int fd = unix_connect(path);
  if (fd < 0) return 0;
  long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) break;
    struct pollfd p = {fd, POLLIN, 0};
    int ready = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) continue;
    // Nothing is ever sent in the room: readable means closed (end of file, or reset with the listener).
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_DONTWAIT);
    if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) break;
  }
  close(fd);
  return 1;
}

// ---- the session (connection.ts, client.ts) ----

typedef struct {
  int fd;
  long long server_pid;
  Buf pending; // bytes read from the socket after "ready"
} Session;

static int send_all(int fd, const Buf *frame) { return write_all(fd, frame->data, frame->len); }

/** Reads one frame line from the socket into `line` (without its newline), keeping what follows in `pending`;
 * waits at most until `deadline` (a monotonic ms time; 0: forever). 1 on a line, 0 on close, timeout or error. */
static int read_frame(int fd, Buf *pending, Buf *line, long long deadline) {
  for (;;) {
    char *newline = pending->len ? memchr(pending->data, '\n', pending->len) : NULL;
    if (newline) {
      size_t n = (size_t)(newline - pending->data);
      line->len = 0;
      buf_add(line, pending->data, n);
      memmove(pending->data, newline + 1, pending->len - n - 1);
      pending->len -= n + 1;
      return 1;
    }
    if (deadline) {
      long long left = deadline - now_ms();
      if (left <= 0) return 0;
      struct pollfd p = {fd, POLLIN, 0};
      int ready = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        if (ready == 0) continue;
        return 0;
      }
    }
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    buf_add(pending, chunk, (size_t)n);
  }
}

enum greeting { NO_SERVER, READY, REFUSED };

/** greet(): the hello, and the server's first frame within `timeout_ms`. */
static enum greeting greet(const char *socket_path, const char *identity, long long timeout_ms, Session *session,
                           Buf *reason) {
  int fd = unix_connect(socket_path);
  if (fd < 0) return NO_SERVER;
  Buf hello = {0}, line = {0}, pending = {0}, t = {0};
  buf_printf(&hello, "{\"t\":\"hello\",\"v\":%d,\"pid\":%d,\"identity\":", FRAMES_VERSION, (int)getpid());
  json_string(&hello, identity, strlen(identity));
  buf_str(&hello, "}\n");
  enum greeting result = NO_SERVER;
  if (send_all(fd, &hello) == 0 && read_frame(fd, &pending, &line, now_ms() + timeout_ms) &&
      json_valid(line.data, line.len)) {
    Json span = {line.data, line.data + line.len};
    if (!json_member_string(span, "t", &t)) {
      if (!strcmp(t.data, "ready") && !json_member_int(span, "pid", &session->server_pid)) {
        session->fd = fd;
        session->pending = pending;
        pending = (Buf){0};
        result = READY;
      } else if (!strcmp(t.data, "refused")) {
        if (json_member_string(span, "reason", reason)) buf_str(reason, "refused");
        result = REFUSED;
      }
    }
  }
  if (result != READY) close(fd);
  buf_free(&hello);
  buf_free(&line);
  buf_free(&pending);
  buf_free(&t);
  return result;
}

static char **child_env;
static const char *node_binary;

/** The environment the Node bridge hands on (launcher-environment.ts): this process's, without the launcher's. */
static void make_child_env(void) {
  size_t count = 0;
  for (char **e = environ; *e; e++) count++;
  child_env = calloc(count + 1, sizeof *child_env);
  size_t kept = 0;
  for (char **e = environ; *e; e++)
    if (strncmp(*e, SAVED_EXTRA_CA_CERTS "=", sizeof SAVED_EXTRA_CA_CERTS) != 0) child_env[kept++] = *e;
  child_env[kept] = NULL;
}

/** spawnServer (server-start.ts): detached, in its own session, no inherited stdio. Its pid, or -1. */
static pid_t spawn_server(const char *entry, const char *stem, char **argv, int argc, const char *log_path) {
  char **args = calloc((size_t)argc + 4, sizeof *args);
  args[0] = (char *)node_binary;
  args[1] = (char *)entry;
  args[2] = (char *)stem;
  for (int i = 0; i < argc; i++) args[3 + i] = argv[i];
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      if (null > 2) close(null);
    }
    signal(SIGPIPE, SIG_DFL);
    execvpe(node_binary, args, child_env);
    _exit(127);
  }
  free(args);
  if (pid > 0) log_line("started operation server pid %d (log: %s)", (int)pid, log_path);
  return pid;
}

typedef struct {
  Buf stem, socket, start_lock, waiting_room, log;
} Paths;

/** startSession (server-start.ts): find or start the key's server; READY, REFUSED or NO_SERVER after wait_ms. */
static enum greeting start_session(const Paths *paths, const char *identity, const char *entry, char **argv,
                                   int argc, long long wait_ms, Session *session, Buf *reason) {
  long long deadline = now_ms() + wait_ms;
  int claimed = 0, room = -1, exits = 0;
  pid_t child = -1;
  int child_exited = 0;
  HeldLock lock = {0};
  double pause = 25;
  enum greeting result = NO_SERVER;
  while (now_ms() < deadline) {
    long long left = deadline - now_ms();
    result = greet(paths->socket.data, identity, left > 1000 ? left : 1000, session, reason);
    if (result != NO_SERVER) break;
    if (claimed && child > 0 && !child_exited && waitpid(child, NULL, WNOHANG) == child) child_exited = 1;
    if (claimed && child_exited) {
      // The server this relay started exited without serving: another one won the key, or it cannot start.
      exits++;
      close_waiting_room(&room, paths->waiting_room.data);
      release_lock(&lock);
      claimed = 0;
      if (exits >= 3) break;
    } else if (!claimed) {
      int taken = try_acquire_lock(paths->start_lock.data, &lock);
      if (taken < 0) break;
      if (taken) {
        // The bridge that started the server may have ended its claim between our look and our lock.
        left = deadline - now_ms();
        result = greet(paths->socket.data, identity, left > 1000 ? left : 1000, session, reason);
        if (result != NO_SERVER) {
          release_lock(&lock);
          break;
        }
        claimed = 1;
        room = open_waiting_room(paths->waiting_room.data);
        child_exited = 0;
        child = spawn_server(entry, paths->stem.data, argv, argc, paths->log.data);
        if (child < 0) child_exited = 1;
      } else if (wait_in_room(paths->waiting_room.data, deadline - now_ms())) {
        // The bridge starting the server ended its claim: look again at once.
        pause = 25;
        continue;
      }
    }
    // Only the starting relay polls (the others wait in its room), or nobody could open a room: slowly.
    sleep_ms((long long)(pause + random_unit() * pause));
    pause = pause * 2 > (claimed ? 100 : 1000) ? (claimed ? 100 : 1000) : pause * 2;
  }
  if (claimed) {
    close_waiting_room(&room, paths->waiting_room.data);
    release_lock(&lock);
  }
  return result;
}

// ---- relaying (client.ts's relay) ----

static volatile sig_atomic_t pending_signal;
static void on_signal(int signal) { pending_signal = signal; }

typedef struct {
  Buf *lines;
  size_t count, cap;
} LineQueue;

static void queue_push(LineQueue *q, const char *data, size_t n) {
  if (q->count == q->cap) {
    q->cap = q->cap ? q->cap * 2 : 8;
    q->lines = realloc(q->lines, q->cap * sizeof *q->lines);
    if (!q->lines) _exit(1);
  }
  q->lines[q->count] = (Buf){0};
  buf_add(&q->lines[q->count], data, n);
  buf_reserve(&q->lines[q->count], 0);
  q->count++;
}

static void queue_shift(LineQueue *q) {
  if (!q->count) return;
  buf_free(&q->lines[0]);
  memmove(q->lines, q->lines + 1, (q->count - 1) * sizeof *q->lines);
  q->count--;
}

/** The type a request line names, for the error answering it when the server went away (client.ts). */
static void request_type(const Buf *line, Buf *out) {
  if (line->len && json_valid(line->data, line->len)) {
    Json body, resource, span = {line->data, line->data + line->len};
    if (!json_member(span, NULL, &body) && body.p < body.end && *body.p == '{') {
      if (!json_member_string(body, "type", out)) return;
      out->len = 0;
      if (!json_member(body, "resource", &resource) && resource.p < resource.end && *resource.p == '{' &&
          !json_member_string(resource, "type", out))
        return;
    }
  }
  out->len = 0;
  buf_str(out, "the resource");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void input_frame(Buf *frame, const unsigned char *data, size_t n) {
  frame->len = 0;
  buf_str(frame, "{\"t\":\"input\",\"b64\":\"");
  buf_reserve(frame, (n + 2) / 3 * 4 + 4);
  char *out = frame->data + frame->len;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
    *out++ = b64[v >> 18], *out++ = b64[(v >> 12) & 63], *out++ = b64[(v >> 6) & 63], *out++ = b64[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)data[i] << 16;
    *out++ = b64[v >> 18], *out++ = b64[(v >> 12) & 63], *out++ = '=', *out++ = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
    *out++ = b64[v >> 18], *out++ = b64[(v >> 12) & 63], *out++ = b64[(v >> 6) & 63], *out++ = '=';
  }
  frame->len = (size_t)(out - frame->data);
  buf_str(frame, "\"}\n");
}

static const char *signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/** Relays stdin, stdout, stderr and signals until the session ends; returns the exit code. */
static int relay(Session *session, const char *log_path) {
  struct sigaction action = {0};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);
  // Signals are taken only inside ppoll, so that one arriving just before it is not left unseen until the next
  // event.
  sigset_t blocked, open_mask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGHUP);
  sigprocmask(SIG_BLOCK, &blocked, &open_mask);
  sigdelset(&open_mask, SIGINT);
  sigdelset(&open_mask, SIGTERM);
  sigdelset(&open_mask, SIGHUP);
  LineQueue unanswered = {0};
  Buf partial = {0}, frame = {0}, line = {0}, t = {0}, text = {0};
  buf_reserve(&partial, 0);
  int stdin_open = 1, forwarded = 0, code = -1;
  for (;;) {
    if (pending_signal) {
      int signal = pending_signal;
      pending_signal = 0;
      // As the bridge in one process: between operations a signal ends it; during one it is handed on once.
      if (unanswered.count == 0 && partial.len == 0) return signal == SIGINT ? 130 : 143;
      if (!forwarded) {
        forwarded = 1;
        frame.len = 0;
        buf_printf(&frame, "{\"t\":\"interrupt\",\"signal\":\"%s\"}\n", signal_name(signal));
        (void)send_all(session->fd, &frame);
      }
    }
    // Frames already read (the ones that came with "ready", or several in one read).
    char *newline = session->pending.len ? memchr(session->pending.data, '\n', session->pending.len) : NULL;
    if (!newline) {
      struct pollfd fds[2] = {{session->fd, POLLIN, 0}, {0, POLLIN, 0}};
      int ready = ppoll(fds, stdin_open ? 2 : 1, NULL, &open_mask);
      if (ready < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (stdin_open && fds[1].revents) {
        unsigned char chunk[65536];
        ssize_t n = read(0, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
          // Request lines sent and not answered yet, oldest first (what the server would still answer).
          size_t start = 0;
          for (size_t i = 0; i < (size_t)n; i++)
            if (chunk[i] == '\n') {
              buf_add(&partial, (const char *)chunk + start, i - start);
              queue_push(&unanswered, partial.data, partial.len);
              partial.len = 0;
              start = i + 1;
            }
          buf_add(&partial, (const char *)chunk + start, (size_t)n - start);
          input_frame(&frame, chunk, (size_t)n);
          (void)send_all(session->fd, &frame);
        } else {
          if (partial.len) queue_push(&unanswered, partial.data, partial.len);
          partial.len = 0;
          stdin_open = 0;
          frame.len = 0;
          buf_str(&frame, "{\"t\":\"end\"}\n");
          (void)send_all(session->fd, &frame);
        }
      }
      if (!fds[0].revents) continue;
      char chunk[65536];
      ssize_t n = read(session->fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buf_add(&session->pending, chunk, (size_t)n);
      continue;
    }
    size_t n = (size_t)(newline - session->pending.data);
    line.len = 0;
    buf_add(&line, session->pending.data, n);
    memmove(session->pending.data, newline + 1, session->pending.len - n - 1);
    session->pending.len -= n + 1;
    t.len = 0;
    text.len = 0;
    if (!json_valid(line.data, line.len)) break;
    Json span = {line.data, line.data + line.len};
    if (json_member_string(span, "t", &t)) break;
    if (!strcmp(t.data, "log")) {
      if (json_member_string(span, "text", &text)) break;
      buf_add(&text, "\n", 1);
      (void)write_all(2, text.data, text.len);
    } else if (!strcmp(t.data, "response")) {
      if (json_member_string(span, "text", &text)) break;
      queue_shift(&unanswered);
      buf_add(&text, "\n", 1);
      int delivered = write_all(1, text.data, text.len) == 0;
      frame.len = 0;
      buf_printf(&frame, "{\"t\":\"delivered\",\"ok\":%s}\n", delivered ? "true" : "false");
      (void)send_all(session->fd, &frame);
    } else if (!strcmp(t.data, "exit")) {
      long long exit_code;
      if (json_member_int(span, "code", &exit_code)) break;
      code = (int)exit_code;
      break;
    } else break; // not a frame a server sends after "ready"
  }
  if (code < 0) {
    // The server went away (killed, or crashed) without ending the session: what it was doing is unknown here.
    Buf type = {0}, message = {0}, answer = {0};
    for (size_t i = 0; i < unanswered.count; i++) {
      type.len = 0;
      message.len = 0;
      answer.len = 0;
      request_type(&unanswered.lines[i], &type);
      buf_printf(&message,
                 "%s: the operation server (pid %lld) that ran this operation went away before answering; what it "
                 "changed is unknown here. Its record is kept: the next operation on this resource continues from "
                 "it (nixops4-opentofu pending list; server log: %s).",
                 type.data, session->server_pid, log_path);
      log_line("error: %s", message.data);
      buf_str(&answer, "{\"errorResponse\":{\"message\":");
      json_string(&answer, message.data, message.len);
      buf_str(&answer, "}}\n");
      (void)write_all(1, answer.data, answer.len);
    }
    code = 1;
  }
  close(session->fd);
  return code;
}

// ---- main ----

/** Back to the launcher, which runs the bridge in Node (nothing was read from stdin). */
static int hand_back(const char *launcher, char **argv, int argc, const char *mode) {
  char **args = calloc((size_t)argc + 2, sizeof *args);
  args[0] = (char *)launcher;
  for (int i = 0; i < argc; i++) args[1 + i] = argv[i];
  setenv("NIXOPS4_OPENTOFU_RELAY", mode, 1);
  // An ignored signal stays ignored across exec: Node and what it starts must get SIGPIPE as the launcher did.
  signal(SIGPIPE, SIG_DFL);
  execv(launcher, args);
  log_line("error: the bridge's relay could not run its launcher %s: %s", launcher, strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  int print_identity = argc >= 3 && !strcmp(argv[1], "--print-identity");
  if (argc < 3) {
    fprintf(stderr, "usage: nixops4-opentofu-relay PACKAGE_ROOT LAUNCHER [bridge arguments...]\n");
    return 2;
  }
  const char *root = argv[print_identity ? 2 : 1];
  const char *launcher = argv[2];
  char **bridge_argv = argv + 3;
  int bridge_argc = argc - 3;
  signal(SIGPIPE, SIG_IGN);
  node_binary = getenv("NIXOPS4_OPENTOFU_NODE");
  if (!node_binary || !*node_binary) node_binary = "node";
  make_child_env();

  // operationServerSettings(env).
  int server_off = is_off("NIXOPS4_OPENTOFU_OPERATION_SERVER");
  int host_off = is_off("NIXOPS4_OPENTOFU_PROVIDER_HOST");
  double wait_seconds = seconds_setting("NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS", 60);
  Buf entry = {0}, dir = {0}, build = {0}, identity = {0};
  Paths paths = {0};
  if (!clean_path(root) || server_off != 0 || host_off != 0 || wait_seconds < 0) goto fallback;
  path_join(&entry, root, "dist/bundle/operation-server.js");
  if (access(entry.data, F_OK) != 0 || !runtime_dir(&dir) || !build_id(&build, root)) goto fallback;
  if (!identity_text(&identity, build.data, bridge_argv, bridge_argc)) goto fallback;
  char key[17];
  fnv1a64(identity.data, identity.len, key);
  buf_printf(&paths.stem, "%s/ops-%s", dir.data, key);
  buf_printf(&paths.socket, "%s.sock", paths.stem.data);
  buf_printf(&paths.start_lock, "%s.start", paths.stem.data);
  buf_printf(&paths.waiting_room, "%s.wait", paths.stem.data);
  buf_printf(&paths.log, "%s.log", paths.stem.data);
  if (print_identity) {
    printf("%s\n%s\n%s\n", key, paths.socket.data, identity.data);
    return 0;
  }
  if (paths.socket.len > MAX_SOCKET_PATH || ensure_private_dir(dir.data) != 0) goto fallback;

  // Most bridges find the server running; only the others start it.
  Session session = {0};
  Buf reason = {0};
  enum greeting greeting = greet(paths.socket.data, identity.data, 30000, &session, &reason);
  if (greeting == NO_SERVER)
    greeting = start_session(&paths, identity.data, entry.data, bridge_argv, bridge_argc,
                             (long long)(wait_seconds * 1000), &session, &reason);
  if (greeting == REFUSED) {
    log_line("the operation server at %s refused the session (%s); serving in this process", paths.socket.data,
             reason.data);
    return hand_back(launcher, bridge_argv, bridge_argc, "in-process");
  }
  if (greeting == NO_SERVER) {
    log_line("no operation server took the session within %lld s (log: %s); serving in this process",
             (long long)(wait_seconds + 0.5), paths.log.data);
    return hand_back(launcher, bridge_argv, bridge_argc, "in-process");
  }
  return relay(&session, paths.log.data);

fallback:
  if (print_identity) {
    fprintf(stderr, "this environment is left to the Node relay\n");
    return 1;
  }
  return hand_back(launcher, bridge_argv, bridge_argc, "fallback");
}
