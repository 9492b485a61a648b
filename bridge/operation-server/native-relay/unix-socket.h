// Unix stream sockets, connected without blocking on a full queue.
#pragma once
#include <sys/un.h>

/** 0 and the address when `path` fits sun_path. */
int unix_address(struct sockaddr_un *address, const char *path);
/** A connected (blocking) socket to `path`, or -1: nobody listens there, or its queue is full. */
int unix_connect(const char *path);
