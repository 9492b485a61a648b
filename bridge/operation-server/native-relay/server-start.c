#define _GNU_SOURCE
#include "server-start.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "lock-file.h"
#include "waiting-room.h"

/** spawnServer (server-start.ts): detached, in its own session, no inherited stdio. Its pid, or -1. */
static pid_t spawn_server(const ServerCommand *command, const char *stem, const char *log_path) {
  char **args = calloc((size_t)command->argc + 4, sizeof *args);
  if (!args) return -1;
  args[0] = (char *)command->node;
  args[1] = (char *)command->entry;
  args[2] = (char *)stem;
  for (int i = 0; i < command->argc; i++) args[3 + i] = command->argv[i];
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
    execvpe(command->node, args, command->env);
    _exit(127);
  }
  free(args);
  if (pid > 0) log_line("started operation server pid %d (log: %s)", (int)pid, log_path);
  return pid;
}

/** How often the relay that started the server looks for it (STARTER_POLL_MS in server-start.ts). */
#define STARTER_POLL_MS 10

/** startSession (server-start.ts): find or start the key's server; READY, REFUSED or NO_SERVER after wait_ms. */
enum greeting start_session(const Paths *paths, const char *identity, const ServerCommand *command, long long wait_ms,
                            Session *session, Buf *reason) {
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
        child = spawn_server(command, paths->stem.data, paths->log.data);
        if (child < 0) child_exited = 1;
      } else if (wait_in_room(paths->waiting_room.data, deadline - now_ms())) {
        // The bridge starting the server ended its claim: look again at once.
        pause = 25;
        continue;
      }
    }
    // Only the starting relay polls (the others wait in its room), or nobody could open a room: slowly. The
    // starting relay looks every 10-20 ms, as server-start.ts does: every relay of the burst waits for the moment
    // its server listens, and a connect to a socket that is not there yet costs microseconds.
    sleep_ms((long long)(claimed ? STARTER_POLL_MS * (1 + random_unit()) : pause + random_unit() * pause));
    pause = pause * 2 > 1000 ? 1000 : pause * 2;
  }
  if (claimed) {
    close_waiting_room(&room, paths->waiting_room.data);
    release_lock(&lock);
  }
  return result;
}
