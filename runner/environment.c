/*
 * environment.c: reads the build and machine facts of environment.h.  Library versions and flags
 * are baked in at build time by the Makefile (pkg-config --modversion), since libbenchmark and
 * liburcu expose no runtime version call; sqlite3 and hwloc are read at run time as well, so a
 * library upgraded under an old binary still shows.  The git commit is the one the binary was
 * built from (with "+dirty" when tracked files differed from it), not the current directory's:
 * a run started elsewhere, or from a checkout that moved on since the build, still names the code
 * that measured.
 */
#include "runner/environment.h"

#include <hwloc.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef MAPBENCH_LIBRARY_VERSIONS
#define MAPBENCH_LIBRARY_VERSIONS "unknown"
#endif
#ifndef MAPBENCH_CFLAGS
#define MAPBENCH_CFLAGS "unknown"
#endif
#ifndef MAPBENCH_GIT_COMMIT
#define MAPBENCH_GIT_COMMIT ""
#endif

/* The bracketed choice of a sysfs setting such as "always [madvise] never". */
static void environment_sysfs(const char *path, bool bracketed, char *out, size_t len)
{
    char line[256] = "";
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *open = bracketed ? strchr(line, '[') : NULL;
        char *close = open ? strchr(open, ']') : NULL;
        if (open && close) {
            *close = '\0';
            snprintf(out, len, "%s", open + 1);
        } else {
            snprintf(out, len, "%s", line);
        }
    }
    fclose(f);
}

/* "mapbench" and the subcommand's arguments (argv[0] is the subcommand). */
static void environment_command_line(int argc, char **argv, char *out, size_t len)
{
    size_t used = (size_t)snprintf(out, len, "mapbench ");
    for (int i = 0; i < argc && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "", argv[i]);
}

void environment_collect(int argc, char **argv, struct environment *env)
{
    memset(env, 0, sizeof *env);
    environment_command_line(argc, argv, env->command_line, sizeof env->command_line);
    snprintf(env->git_commit, sizeof env->git_commit, "%s", MAPBENCH_GIT_COMMIT);
    snprintf(env->compiler, sizeof env->compiler, "%s", __VERSION__);
    snprintf(env->cflags, sizeof env->cflags, "%s", MAPBENCH_CFLAGS);
    unsigned hwloc_version = hwloc_get_api_version();
    snprintf(env->library_versions, sizeof env->library_versions,
             "%s; runtime sqlite3=%s, hwloc API %u.%u.%u", MAPBENCH_LIBRARY_VERSIONS, sqlite3_libversion(),
             hwloc_version >> 16, (hwloc_version >> 8) & 0xff, hwloc_version & 0xff);
    environment_sysfs("/sys/kernel/mm/transparent_hugepage/enabled", true,
                      env->transparent_hugepages, sizeof env->transparent_hugepages);
    environment_sysfs("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", false,
                      env->cpu_governor, sizeof env->cpu_governor);
    gethostname(env->hostname, sizeof env->hostname - 1);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(env->kernel, sizeof env->kernel, "%.60s %.60s", u.sysname, u.release);
}

const char *environment_value(const char *fact)
{
    return fact && fact[0] ? fact : NULL;
}
