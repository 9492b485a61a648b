// server-start.ts: find the key's server, or start it once per burst (the start lock, the waiting room, the server
// spawned detached), and open a session on it.
#pragma once
#include "buffer.h"
#include "connection.h"

/** What server-key.ts's serverPaths names for a key. */
typedef struct {
  Buf stem, socket, start_lock, waiting_room, log;
} Paths;

/** How the server is started: `node entry stem argv...` with `env`, in this process's working directory. */
typedef struct {
  const char *node;
  const char *entry;
  char **env;
  char **argv;
  int argc;
} ServerCommand;

/** READY or REFUSED from the key's server, started here if need be; NO_SERVER when none took it within wait_ms. */
enum greeting start_session(const Paths *paths, const char *identity, const ServerCommand *command, long long wait_ms,
                            Session *session, Buf *reason);
