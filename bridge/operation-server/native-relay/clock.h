// Monotonic time, sleeping and jitter for the start's polling (server-start.ts's).
#pragma once

long long now_ms(void);
void sleep_ms(long long ms);
/** A random number in [0, 1). */
double random_unit(void);
