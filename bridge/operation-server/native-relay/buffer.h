// Growable byte buffers, and reading and writing them whole.
#pragma once
#include <stddef.h>

typedef struct {
  char *data;
  size_t len, cap;
} Buf;

/** Room for `extra` more bytes and a terminating NUL; exits with a message when memory runs out. */
void buf_reserve(Buf *b, size_t extra);
void buf_add(Buf *b, const char *s, size_t n);
void buf_str(Buf *b, const char *s);
void buf_printf(Buf *b, const char *format, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);

/** The whole file into `out`; -1 on an error (errno says which). */
int read_file(const char *path, Buf *out);
/** Writes all of `data`, retrying after signals; -1 on an error (a closed pipe). */
int write_all(int fd, const char *data, size_t len);
/** One line on stderr, as the Node bridge's log: "[opentofu] ...". Errors are ignored, as there. */
void log_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
