// machine/lock-file.ts's lock files, in its format: a file linked into place, naming its owner by pid, start time
// and token; a dead owner's lock reclaimed.
#pragma once
#include "buffer.h"

typedef struct {
  Buf path, raw;
} HeldLock;

/** tryAcquireLock: 1 when taken, 0 when a live process holds it, -1 on an error. */
int try_acquire_lock(const char *path, HeldLock *held);
/** Removes the lock if it is still this holder's. */
void release_lock(HeldLock *held);
