#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

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
int relay(Session *session, const char *log_path) {
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
