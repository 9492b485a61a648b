#define _GNU_SOURCE
#include "buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_reserve(Buf *b, size_t extra) {
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
void buf_add(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}
void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }
void buf_printf(Buf *b, const char *format, ...) {
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
void buf_free(Buf *b) {
  free(b->data);
  *b = (Buf){0};
}

int write_all(int fd, const char *data, size_t len) {
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
void log_line(const char *format, ...) {
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

int read_file(const char *path, Buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) buf_add(out, chunk, (size_t)n);
  close(fd);
  if (!out->data) buf_reserve(out, 0);
  return n < 0 ? -1 : 0;
}
