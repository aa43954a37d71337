/*
 * environment.h: the facts about a run that decide whether two runs are comparable: the build
 * (commit, compiler, flags, library versions) and the machine's tunables that move numbers
 * (transparent huge pages, CPU frequency governor).  A fact that cannot be read is left empty and
 * stored as NULL, never guessed.
 */
#ifndef MAPBENCH_ENVIRONMENT_H
#define MAPBENCH_ENVIRONMENT_H

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
};

void environment_collect(int argc, char **argv, struct environment *env);
/* The value to store: NULL for a fact that could not be read. */
const char *environment_value(const char *fact);

#endif
