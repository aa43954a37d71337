/*
 * environment.c: reads the build and machine facts of environment.h.  Library versions and flags
 * are baked in at build time by the Makefile (pkg-config --modversion), since libbenchmark and
 * liburcu expose no runtime version call; sqlite3 and hwloc are read at run time as well, so a
 * library upgraded under an old binary still shows.  The git commit is the one the binary was
 * built from (with "+dirty" when tracked files differed from it), not the current directory's:
 * a run started elsewhere, or from a checkout that moved on since the build, still names the code
 * that measured.  The flags name the target: CFLAGS' -march when given, else the compiler's default
 * (MAPBENCH_MARCH, read by the Makefile from `cc -Q --help=target`), since two builds of one commit
 * for different targets measure different code.
 */
#include "runner/environment.h"

#include <dirent.h>
#include <hwloc.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "scenarios/scenario.h"

#ifndef MAPBENCH_LIBRARY_VERSIONS
#define MAPBENCH_LIBRARY_VERSIONS "unknown"
#endif
#ifndef MAPBENCH_CFLAGS
#define MAPBENCH_CFLAGS "unknown"
#endif
#ifndef MAPBENCH_GIT_COMMIT
#define MAPBENCH_GIT_COMMIT ""
#endif
#ifndef MAPBENCH_MARCH
#define MAPBENCH_MARCH ""
#endif

#define ENVIRONMENT_VULNERABILITIES "/sys/devices/system/cpu/vulnerabilities"

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

/* Appends arg to out as a shell word: as it is when every character is plain, else in single
 * quotes (a quote as '\''), so the stored command can be pasted into a shell as it ran. */
static size_t environment_shell_word(const char *arg, char *out, size_t len)
{
    size_t used = 0;
    bool plain = arg[0] != '\0' && strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                "_-./=:,+@%") == strlen(arg);
    if (plain)
        return (size_t)snprintf(out, len, "%s", arg);
    used += (size_t)snprintf(out, len, "'");
    for (const char *c = arg; *c && used < len; c++)
        used += (size_t)snprintf(out + used, len - used, *c == '\'' ? "'\\''" : "%c", *c);
    if (used < len)
        used += (size_t)snprintf(out + used, len - used, "'");
    return used;
}

/* "mapbench" and the subcommand's arguments (argv[0] is the subcommand), quoted for a shell. */
static void environment_command_line(int argc, char **argv, char *out, size_t len)
{
    size_t used = (size_t)snprintf(out, len, "mapbench");
    for (int i = 0; i < argc && used + 1 < len; i++) {
        out[used++] = ' ';
        out[used] = '\0';
        used += environment_shell_word(argv[i], out + used, len - used);
    }
}

static int environment_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every file of the vulnerabilities directory, sorted by name: "meltdown: Not affected" lines. */
static void environment_mitigations(char *out, size_t len)
{
    DIR *dir = opendir(ENVIRONMENT_VULNERABILITIES);
    char *names[128], path[512], state[256];
    size_t n = 0, used = 0;
    out[0] = '\0';
    for (struct dirent *e; dir && (e = readdir(dir)) && n < sizeof names / sizeof *names;)
        if (e->d_name[0] != '.')
            names[n++] = xstrdup(e->d_name);
    if (dir)
        closedir(dir);
    qsort(names, n, sizeof *names, environment_name_cmp);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%.200s", ENVIRONMENT_VULNERABILITIES, names[i]);
        environment_sysfs(path, false, state, sizeof state);
        if (used < len)
            used += (size_t)snprintf(out + used, len - used, "%s%s: %s", used ? "\n" : "", names[i], state);
        free(names[i]);
    }
}

/* The flags, naming the target when CFLAGS did not. */
static void environment_flags(char *out, size_t len)
{
    if (strstr(MAPBENCH_CFLAGS, "-march=") || !MAPBENCH_MARCH[0])
        snprintf(out, len, "%s", MAPBENCH_CFLAGS);
    else
        snprintf(out, len, "%s (-march=%s: the compiler's default)", MAPBENCH_CFLAGS, MAPBENCH_MARCH);
}

/* Appends the file at path to *text (grown), headed by "; PATH" on a line of its own. */
static bool environment_append_file(char **text, size_t *used, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t head = strlen(path) + 4;
    *text = xrealloc(*text, *used + head + 1);
    *used += (size_t)snprintf(*text + *used, head + 1, "%s; %s\n", *used ? "\n" : "", path);
    char chunk[4096];
    for (size_t got; (got = fread(chunk, 1, sizeof chunk, f)) > 0; *used += got) {
        *text = xrealloc(*text, *used + got + 1);
        memcpy(*text + *used, chunk, got);
    }
    (*text)[*used] = '\0';
    fclose(f);
    return true;
}

char *environment_scenario_text(const char *const *scenarios, size_t count)
{
    char *text = NULL, err[ERR_LEN];
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        struct scenario *s = scenario_load(scenarios[i], err);
        if (s)
            environment_append_file(&text, &used, scenario_path(s));
        scenario_free(s);
    }
    return text;
}

void environment_collect(int argc, char **argv, struct environment *env)
{
    memset(env, 0, sizeof *env);
    environment_command_line(argc, argv, env->command_line, sizeof env->command_line);
    snprintf(env->git_commit, sizeof env->git_commit, "%s", MAPBENCH_GIT_COMMIT);
    snprintf(env->compiler, sizeof env->compiler, "%s", __VERSION__);
    environment_flags(env->cflags, sizeof env->cflags);
    unsigned hwloc_version = hwloc_get_api_version();
    snprintf(env->library_versions, sizeof env->library_versions,
             "%s; runtime sqlite3=%s, hwloc API %u.%u.%u", MAPBENCH_LIBRARY_VERSIONS, sqlite3_libversion(),
             hwloc_version >> 16, (hwloc_version >> 8) & 0xff, hwloc_version & 0xff);
    environment_sysfs("/sys/kernel/mm/transparent_hugepage/enabled", true,
                      env->transparent_hugepages, sizeof env->transparent_hugepages);
    environment_sysfs("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", false,
                      env->cpu_governor, sizeof env->cpu_governor);
    environment_mitigations(env->cpu_mitigations, sizeof env->cpu_mitigations);
    gethostname(env->hostname, sizeof env->hostname - 1);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(env->kernel, sizeof env->kernel, "%.60s %.60s", u.sysname, u.release);
}

const char *environment_value(const char *fact)
{
    return fact && fact[0] ? fact : NULL;
}
