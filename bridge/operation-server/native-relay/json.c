#define _GNU_SOURCE
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Length of the valid UTF-8 sequence at s (and its code point), 0 if invalid: what Node would decode to U+FFFD,
 * and so an identity this relay cannot reproduce. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
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

int valid_utf8(const char *s) {
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
void json_string(Buf *b, const char *s, size_t n) {
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
int json_read_string(Json *j, Buf *out) {
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
int json_valid(const char *p, size_t n) {
  Json j = {p, p + n};
  if (json_skip_value(&j, 0)) return 0;
  json_ws(&j);
  return j.p == j.end;
}

/** The value of `key` in the object `span` (the last one, as JSON.parse keeps), or of its first member when key
 * is NULL; 0 and the value's span on success. The object must be valid JSON (json_valid). */
int json_member(Json span, const char *key, Json *value) {
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
int json_member_string(Json span, const char *key, Buf *out) {
  Json value;
  if (json_member(span, key, &value) || value.p >= value.end || *value.p != '"') return -1;
  return json_read_string(&value, out);
}

/** The number value of `key` in the object, if it is an integer that fits; 0 on success. */
int json_member_int(Json span, const char *key, long long *out) {
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
