/*
 * cmd_go_check.c: `mapbench go-check [--db PATH] [--go RUN] [--ours RUN] | --backends`: Go's
 * orderings of sync.Map, RWMutexMap and DeepCopyMap beside mapbench's orderings of the specs that
 * behave like them, per benchmark and thread count (reports/go_check.h has the rule).
 * tools/go-check.sh runs Go's benchmarks, imports them, runs the go-sync preset and then this.
 * Without --go and --ours the newest run of each kind is used.  --backends prints the mapbench
 * specs the check compares, as a --backends list for `mapbench run`.
 *
 * Exit status: 0 when mapbench's order agrees wherever Go separates two maps, 1 when it does not
 * or a case is missing (or the database cannot be read), 2 bad input.
 */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/go_check.h"
#include "store/store.h"

static const char go_check_usage[] =
    "usage: mapbench go-check [--db PATH] [--go RUN] [--ours RUN]\n"
    "       mapbench go-check --backends\n"
    "Go's ordering of its maps (a run stored by `mapbench import go-bench`) beside mapbench's\n"
    "(a run of the go-sync preset), per benchmark and -cpu value.  Default: the newest run of\n"
    "each.  --backends prints the specs compared, for `mapbench run go-sync --backends`.\n";

static bool go_check_parse_run(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 1)
        return false;
    *out = v;
    return true;
}

static int go_check_backends(void)
{
    for (size_t i = 0; i < go_check_pair_count; i++)
        printf("%s%s", i ? ", " : "", go_check_pairs[i].spec);
    printf("\n");
    return 0;
}

int cmd_go_check(int argc, char **argv)
{
    const char *db = "results.db";
    int64_t go_run = 0, our_run = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(go_check_usage, stdout);
            return 0;
        }
        if (strcmp(arg, "--backends") == 0)
            return go_check_backends();
        bool ok = value && (strcmp(arg, "--db") == 0    ? (db = value) != NULL
                            : strcmp(arg, "--go") == 0   ? go_check_parse_run(value, &go_run)
                            : strcmp(arg, "--ours") == 0 ? go_check_parse_run(value, &our_run)
                                                         : false);
        if (!ok) {
            fprintf(stderr, "mapbench go-check: bad or incomplete argument '%s'\n%s", arg,
                    go_check_usage);
            return 2;
        }
        i++;
    }
    char err[ERR_LEN];
    struct store *s = store_open_existing(db, err);
    struct go_check_tally tally;
    int64_t newest_go, newest_ours;
    bool ok = s && ((go_run && our_run) || go_check_find_runs(s, &newest_go, &newest_ours, err));
    if (ok && !go_run)
        go_run = newest_go;
    if (ok && !our_run)
        our_run = newest_ours;
    ok = ok && go_check_print(s, go_run, our_run, stdout, &tally, err);
    store_close(s);
    if (!ok) {
        fprintf(stderr, "mapbench go-check: %s\n", err);
        return 1;
    }
    return tally.disagree || tally.missing ? 1 : 0;
}
