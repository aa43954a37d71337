/*
 * environment.h: the facts about a run that decide whether two runs are comparable, and that a
 * published report needs to say how to reproduce it: the build (commit, compiler, flags with the
 * target -march, library versions), the machine's tunables that move numbers (transparent huge
 * pages, CPU frequency governor, the kernel's CPU vulnerability mitigations) and the text of the
 * scenario files as they were run.  A fact that cannot be read is left empty and stored as NULL,
 * never guessed.
 */
#ifndef MAPBENCH_ENVIRONMENT_H
#define MAPBENCH_ENVIRONMENT_H

#include <stddef.h>

struct environment {
    char command_line[1024];
    char git_commit[64];
    char compiler[128];
    char cflags[512];
    char library_versions[512];
    char transparent_hugepages[32];
    char cpu_governor[32];
    char hostname[128];
    char kernel[128];
    /* /sys/devices/system/cpu/vulnerabilities/<name>, one "name: state" line each, by name */
    char cpu_mitigations[4096];
};

void environment_collect(int argc, char **argv, struct environment *env);
/* The text of each scenario (a preset name or a path, as scenario_load takes it), each headed by a
 * comment line naming its file: what the run was asked to run, before --set and --backends (the
 * command line has those).  Malloc'd; NULL when none could be read. */
char *environment_scenario_text(const char *const *scenarios, size_t count);
/* The value to store: NULL for a fact that could not be read. */
const char *environment_value(const char *fact);

#endif
