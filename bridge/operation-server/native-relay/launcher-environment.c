#define _GNU_SOURCE
#include "launcher-environment.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

char **handed_on_environment(void) {
  size_t count = 0;
  for (char **e = environ; *e; e++) count++;
  char **env = calloc(count + 1, sizeof *env);
  if (!env) return environ;
  size_t kept = 0;
  for (char **e = environ; *e; e++)
    if (strncmp(*e, SAVED_EXTRA_CA_CERTS "=", sizeof SAVED_EXTRA_CA_CERTS) != 0) env[kept++] = *e;
  env[kept] = NULL;
  return env;
}
