// A bridge's connection to its operation server (connection.ts): the hello, and the first frame that answers it.
#pragma once
#include "buffer.h"

// sun_path is 108 bytes on Linux, including the terminating NUL.
#define MAX_SOCKET_PATH 107

/** A connection on which the server said "ready". */
typedef struct {
  int fd;
  long long server_pid;
  Buf pending; // bytes read from the socket after "ready"
} Session;

enum greeting { NO_SERVER, READY, REFUSED };

int send_all(int fd, const Buf *frame);
/** greet(): the hello, and the server's first frame within `timeout_ms`; `reason` is a refusal's. */
enum greeting greet(const char *socket_path, const char *identity, long long timeout_ms, Session *session,
                    Buf *reason);
