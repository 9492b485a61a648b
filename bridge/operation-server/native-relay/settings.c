#define _GNU_SOURCE
#include "settings.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/** Node's `(value ?? "").toLowerCase() === "off"` for the plain spellings; anything else with non-ASCII is left
 * to Node. Returns 1 for off, 0 for on, -1 for "ask Node". */
int is_off(const char *name) {
  const char *value = getenv(name);
  if (!value) return 0;
  for (const char *p = value; *p; p++)
    if ((unsigned char)*p >= 0x80) return -1;
  return strcasecmp(value, "off") == 0;
}

/** options.ts's seconds(): a plain decimal number of seconds, else the fallback; -1 for a spelling JavaScript's
 * Number() reads differently from strtod (hex, exponents, whitespace), which is left to Node. */
double seconds_setting(const char *name, double fallback) {
  const char *value = getenv(name);
  if (!value || !*value) return fallback;
  for (const char *p = value; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '.')) return -1;
  char *rest;
  double v = strtod(value, &rest);
  if (*rest || rest == value) return -1;
  return v;
}
