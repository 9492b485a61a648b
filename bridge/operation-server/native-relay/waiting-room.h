// provider-host/client/waiting-room.ts's waiting room: a unix socket on which nothing is sent, where the other
// bridges of a burst sleep until the bridge starting the server ends its claim.
#pragma once

/** The room's listening socket (only the holder of the start claim opens it); -1 on an error. */
int open_waiting_room(const char *path);
void close_waiting_room(int *fd, const char *path);
/** 1 once the room closed or after `timeout_ms` (look again), 0 at once when there is no room. */
int wait_in_room(const char *path, long long timeout_ms);
