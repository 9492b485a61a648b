#define _GNU_SOURCE
#include "connection.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "json.h"
#include "server-key.h"
#include "unix-socket.h"

int send_all(int fd, const Buf *frame) { return write_all(fd, frame->data, frame->len); }

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

/** greet(): the hello, and the server's first frame within `timeout_ms`. */
enum greeting greet(const char *socket_path, const char *identity, long long timeout_ms, Session *session,
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
