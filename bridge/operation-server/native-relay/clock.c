#define _GNU_SOURCE
#include "clock.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <time.h>

long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void sleep_ms(long long ms) {
  if (ms <= 0) return;
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

double random_unit(void) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, 0) != sizeof r) r = (uint32_t)now_ms() * 2654435761u;
  return r / 4294967296.0;
}
