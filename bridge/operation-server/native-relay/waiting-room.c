#define _GNU_SOURCE
#include "waiting-room.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "unix-socket.h"

/** The waiting room's listening socket (waiting-room.ts): nothing is ever sent on it; it closes when the claim
 * ends, and with it the connections queued on it, which wakes the waiters. */
int open_waiting_room(const char *path) {
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

void close_waiting_room(int *fd, const char *path) {
  if (*fd < 0) return;
  close(*fd);
  *fd = -1;
  unlink(path);
}

/** waitInRoom: 1 once the room closed or after `timeout_ms` (look again), 0 at once when there is no room. */
int wait_in_room(const char *path, long long timeout_ms) {
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
