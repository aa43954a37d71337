/*
 * machine.h: recording the machine a command runs on in the results database, the one way
 * `mapbench run` and `mapbench import` both do it: hwloc's summary, its fingerprint and its XML
 * export, with this host's name and kernel.
 */
#ifndef MAPBENCH_CLI_MACHINE_H
#define MAPBENCH_CLI_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "runner/environment.h"
#include "runner/topo.h"
#include "store/store.h"

/* Inserts the machine of topology t (or finds it by fingerprint); false with one line in err. */
bool cli_machine_record(struct store *s, const struct topo *t, const struct environment *env,
                        int64_t *machine_id, char *err);

#endif
