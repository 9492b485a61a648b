// Which operation server a bridge may hand its session to: server-key.ts's identity text and key, and the build
// they name.
#pragma once
#include <stddef.h>
#include "buffer.h"

// Must equal FRAMES_VERSION in frames.ts: it is part of the identity the server compares.
#define FRAMES_VERSION 1

/** identityText({build, argv, cwd, env}) as the Node bridge writes it; 0 when this process cannot be sure. */
int identity_text(Buf *out, const char *build, char **argv, int argc);
/** fnv1a64 of server-key.ts: 64-bit FNV-1a over the UTF-16 code units of the text, 16 hex digits. */
void fnv1a64(const char *text, size_t n, char hex[17]);
/** buildId(): "VERSION+HASH" from dist/build-id.json; 0 when it is missing. */
int build_id(Buf *out, const char *root);
