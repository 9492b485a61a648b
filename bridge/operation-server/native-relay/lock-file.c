#define _GNU_SOURCE
#include "lock-file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "json.h"

/** Copies field `index` after the command name of a /proc/<pid>/stat text (0: state, 19: start time); 0 when absent
 * or longer than `size`. */
static int stat_field(const char *after_name, int index, char *out, size_t size) {
  const char *field = after_name;
  for (int i = 0; i < index && field; i++) {
    field = strchr(field, ' ');
    if (field) field++;
  }
  if (!field) return 0;
  size_t n = strcspn(field, " \n");
  if (n >= size) return 0;
  memcpy(out, field, n);
  out[n] = 0;
  return 1;
}

/** The state and start time of `pid` from one read of /proc/<pid>/stat, as process-identity.ts reads them (the
 * command name may hold spaces and parentheses: fields start after the last ')'); 0 when it cannot be read. */
static int proc_stat(long long pid, char state[8], char start[32]) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%lld/stat", pid);
  Buf text = {0};
  int ok = 0;
  if (read_file(path, &text) == 0) {
    char *paren = strrchr(text.data, ')');
    if (paren && paren[1] == ' ') {
      ok = stat_field(paren + 2, 0, state, 8);
      if (!stat_field(paren + 2, 19, start, 32)) start[0] = 0;
    }
  }
  buf_free(&text);
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
  if (!proc_stat(pid, state, start)) return 1;
  if (state[0] == 'Z') return 0;
  Buf recorded = {0};
  int alive = 1;
  if (!json_member_string(span, "start", &recorded) && start[0])
    alive = strcmp(recorded.data ? recorded.data : "", start) == 0;
  buf_free(&recorded);
  return alive;
}

/** tryAcquireLock: 1 when taken, 0 when a live process holds it, -1 on an error. */
int try_acquire_lock(const char *path, HeldLock *held) {
  unsigned char random[12];
  if (getrandom(random, sizeof random, 0) != sizeof random) return -1;
  char token[25];
  for (int i = 0; i < 12; i++) snprintf(token + 2 * i, 3, "%02x", random[i]);
  Buf raw = {0}, temp = {0}, aside = {0};
  char state[8], start[32];
  if (proc_stat(getpid(), state, start) && start[0])
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

void release_lock(HeldLock *held) {
  Buf current = {0};
  if (read_file(held->path.data, &current) == 0 && current.len == held->raw.len &&
      !memcmp(current.data, held->raw.data, current.len))
    unlink(held->path.data);
  buf_free(&current);
  buf_free(&held->path);
  buf_free(&held->raw);
}
