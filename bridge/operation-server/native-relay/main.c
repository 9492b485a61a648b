// The bridge process NixOps4 starts, when an operation server takes its session: a relay of stdin, stdout,
// stderr and signals, as client.ts and server-start.ts do, in a process that does not start Node. NixOps4 starts
// one bridge per resource operation, 100 or 500 at once on a cold machine, and Node's start alone cost each of
// them ~0.12 CPU-s of the ~0.19 a Node relay costs (bench/README.md); this one costs a few milliseconds.
//
// The launcher (bin/nixops4-resources-opentofu) runs it when `npm run build` or the Nix package compiled it
// (scripts/build-native-relay.mjs). It does what the Node relay does on the path almost every bridge takes:
// find the key's server (the same identityText and fnv1a64 as server-key.ts, the same runtime dir as
// machine/runtime-dir.ts), or start it once per burst (the same start lock as machine/lock-file.ts, the same
// waiting room as provider-host/client/waiting-room.ts), then relay the session (frames.ts). Anything else goes
// back to the launcher, before a byte of stdin is read, which then runs the bridge in Node:
//   NIXOPS4_OPENTOFU_RELAY=fallback    this relay could not tell what Node would do (a setting it does not
//                                      parse, an environment that is not plain UTF-8, ...): Node does it all;
//   NIXOPS4_OPENTOFU_RELAY=in-process  no server took the session (refused, or none within the wait, logged
//                                      here): Node serves it in its own process at once.
// Linux only (/proc, SOCK_CLOEXEC); elsewhere the build skips it and the Node relay serves.
//
// One file per step, as in the TypeScript it mirrors: settings.c (options.ts), runtime-dir.c, server-key.c,
// launcher-environment.c, lock-file.c, waiting-room.c, connection.c, server-start.c, relay.c; buffer.c, json.c,
// clock.c and unix-socket.c below them.
//
// usage: nixops4-opentofu-relay PACKAGE_ROOT LAUNCHER [bridge arguments...]
//        nixops4-opentofu-relay --print-identity PACKAGE_ROOT [bridge arguments...]
//          prints the server key, socket path and identity this process would use (for tests and for finding
//          out why a server refused a bridge)
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "connection.h"
#include "launcher-environment.h"
#include "relay.h"
#include "runtime-dir.h"
#include "server-key.h"
#include "server-start.h"
#include "settings.h"

/** Back to the launcher, which runs the bridge in Node (nothing was read from stdin). */
static int hand_back(const char *launcher, char **argv, int argc, const char *mode) {
  char **args = calloc((size_t)argc + 2, sizeof *args);
  args[0] = (char *)launcher;
  for (int i = 0; i < argc; i++) args[1 + i] = argv[i];
  setenv("NIXOPS4_OPENTOFU_RELAY", mode, 1);
  // An ignored signal stays ignored across exec: Node and what it starts must get SIGPIPE as the launcher did.
  signal(SIGPIPE, SIG_DFL);
  execv(launcher, args);
  log_line("error: the bridge's relay could not run its launcher %s: %s", launcher, strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  int print_identity = argc >= 3 && !strcmp(argv[1], "--print-identity");
  if (argc < 3) {
    fprintf(stderr, "usage: nixops4-opentofu-relay PACKAGE_ROOT LAUNCHER [bridge arguments...]\n");
    return 2;
  }
  const char *root = argv[print_identity ? 2 : 1];
  const char *launcher = argv[2];
  char **bridge_argv = argv + 3;
  int bridge_argc = argc - 3;
  signal(SIGPIPE, SIG_IGN);
  const char *node = getenv("NIXOPS4_OPENTOFU_NODE");
  if (!node || !*node) node = "node";

  // operationServerSettings(env).
  int server_off = is_off("NIXOPS4_OPENTOFU_OPERATION_SERVER");
  int host_off = is_off("NIXOPS4_OPENTOFU_PROVIDER_HOST");
  double wait_seconds = seconds_setting("NIXOPS4_OPENTOFU_OPERATION_SERVER_WAIT_SECONDS", 60);
  Buf entry = {0}, dir = {0}, build = {0}, identity = {0};
  Paths paths = {0};
  if (!clean_path(root) || server_off != 0 || host_off != 0 || wait_seconds < 0) goto fallback;
  path_join(&entry, root, "dist/bundle/operation-server.js");
  if (access(entry.data, F_OK) != 0 || !runtime_dir(&dir) || !build_id(&build, root)) goto fallback;
  if (!identity_text(&identity, build.data, bridge_argv, bridge_argc)) goto fallback;
  char key[17];
  fnv1a64(identity.data, identity.len, key);
  buf_printf(&paths.stem, "%s/ops-%s", dir.data, key);
  buf_printf(&paths.socket, "%s.sock", paths.stem.data);
  buf_printf(&paths.start_lock, "%s.start", paths.stem.data);
  buf_printf(&paths.waiting_room, "%s.wait", paths.stem.data);
  buf_printf(&paths.log, "%s.log", paths.stem.data);
  if (print_identity) {
    printf("%s\n%s\n%s\n", key, paths.socket.data, identity.data);
    return 0;
  }
  if (paths.socket.len > MAX_SOCKET_PATH || ensure_private_dir(dir.data) != 0) goto fallback;

  // Most bridges find the server running; only the others start it.
  Session session = {0};
  Buf reason = {0};
  enum greeting greeting = greet(paths.socket.data, identity.data, 30000, &session, &reason);
  if (greeting == NO_SERVER)
    greeting = start_session(&paths, identity.data,
                             &(ServerCommand){node, entry.data, handed_on_environment(), bridge_argv, bridge_argc},
                             (long long)(wait_seconds * 1000), &session, &reason);
  if (greeting == REFUSED) {
    log_line("the operation server at %s refused the session (%s); serving in this process", paths.socket.data,
             reason.data);
    return hand_back(launcher, bridge_argv, bridge_argc, "in-process");
  }
  if (greeting == NO_SERVER) {
    log_line("no operation server took the session within %lld s (log: %s); serving in this process",
             (long long)(wait_seconds + 0.5), paths.log.data);
    return hand_back(launcher, bridge_argv, bridge_argc, "in-process");
  }
  return relay(&session, paths.log.data);

fallback:
  if (print_identity) {
    fprintf(stderr, "this environment is left to the Node relay\n");
    return 1;
  }
  return hand_back(launcher, bridge_argv, bridge_argc, "fallback");
}
