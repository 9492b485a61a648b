// client.ts's relay: this process's stdin, stdout, stderr and signals, to and from the session.
#pragma once
#include "connection.h"

/** Relays until the session ends; returns the exit code (1 when the server went away, each unanswered request
 * answered with an error naming the way on). */
int relay(Session *session, const char *log_path);
