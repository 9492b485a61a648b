// UTF-8 and JSON as JSON.stringify writes them and JSON.parse reads them: enough for the identity text the server
// compares byte for byte, the frames, lock files and dist/build-id.json.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "buffer.h"

/** A span of JSON text being read. */
typedef struct {
  const char *p, *end;
} Json;

/** Length of the valid UTF-8 sequence at s (and its code point), 0 if invalid. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int valid_utf8(const char *s);
/** A JSON string of valid UTF-8 `s`, byte for byte as JSON.stringify writes it. */
void json_string(Buf *b, const char *s, size_t n);
/** Reads a JSON string at j->p into `out` as UTF-8 (NULL: skip it); 0 on success. */
int json_read_string(Json *j, Buf *out);
/** Whether the span is one JSON value with only whitespace around it. */
int json_valid(const char *p, size_t n);
/** The value of `key` in the (valid) object `span`, the last one as JSON.parse keeps; NULL key: the first member. */
int json_member(Json span, const char *key, Json *value);
int json_member_string(Json span, const char *key, Buf *out);
int json_member_int(Json span, const char *key, long long *out);
