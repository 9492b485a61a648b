// launcher-environment.ts's side here: this process runs before the launcher moves NODE_EXTRA_CA_CERTS aside, so
// its environment is what the Node bridge sees once it put the bundle back, less the launcher's carrier.
#pragma once

#define SAVED_EXTRA_CA_CERTS "NIXOPS4_OPENTOFU_NODE_EXTRA_CA_CERTS"

/** The environment the Node bridge hands on (to the server it starts): this process's, without the carrier. */
char **handed_on_environment(void);
