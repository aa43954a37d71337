/*
 * cmd_report.c: `mapbench report [--db PATH] [--run ID|latest] [--runs ID,ID,...]
 * [--baseline-backend NAME] [--out DIR]`: parses the arguments, opens the store and hands the
 * rest to report_write (reports/report.c); prints the path of the page it wrote.
 */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"
#include "store/store.h"

#define REPORT_MAX_IDS 64

static const char report_usage[] =
    "usage: mapbench report [--db PATH] [--run ID|latest] [--runs ID,ID,...] [--baseline-backend NAME]\n"
    "                       [--out DIR]\n"
    "Writes DIR/index.html (default report/): plots, tables, crossovers, knees, machine and history\n"
    "of the run (default: the latest) or runs, with ratios against the baseline backend (default mutex).\n"
    "With --runs, runs of one machine and build are checked against each other (\"Do the findings\n"
    "reproduce?\") and runs of different machines compared case by case (\"New hardware\").\n";

/* Parses "3,5,9" into ids; false on anything but positive integers. */
static bool report_parse_ids(const char *text, int64_t *ids, size_t *n)
{
    *n = 0;
    for (const char *p = text; *p;) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v <= 0 || *n == REPORT_MAX_IDS || (*end && *end != ','))
            return false;
        ids[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    return *n > 0;
}

static int report_run_command(const char *db, const char *run, const char *runs, const char *baseline, const char *out)
{
    char err[ERR_LEN];
    int64_t ids[REPORT_MAX_IDS];
    size_t n = 0;
    if (runs && !report_parse_ids(runs, ids, &n)) {
        fprintf(stderr, "mapbench: report: --runs wants run ids separated by commas, not '%s'\n", runs);
        return 2;
    }
    if (run && strcmp(run, "latest") != 0 && !report_parse_ids(run, ids, &n)) {
        fprintf(stderr, "mapbench: report: --run wants a run id or 'latest', not '%s'\n", run);
        return 2;
    }
    struct store *s = store_open_existing(db, err);
    if (!s) {
        fprintf(stderr, "mapbench: %s\n", err);
        return 1;
    }
    bool ok = n > 0 || store_latest_run_id(s, &ids[n++], err);
    ok = ok && report_write(s, ids, n, baseline, out, err);
    store_close(s);
    if (!ok) {
        fprintf(stderr, "mapbench: report: %s\n", err);
        return 1;
    }
    printf("%s/index.html\n", out);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const char *db = "results.db", *run = NULL, *runs = NULL, *baseline = "mutex", *out = "report";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(report_usage, stdout);
            return 0;
        }
        const char **slot = strcmp(arg, "--db") == 0                 ? &db
                            : strcmp(arg, "--run") == 0              ? &run
                            : strcmp(arg, "--runs") == 0             ? &runs
                            : strcmp(arg, "--baseline-backend") == 0 ? &baseline
                            : strcmp(arg, "--out") == 0              ? &out
                                                                     : NULL;
        if (!slot || !value) {
            fprintf(stderr, "mapbench: report: %s '%s'\n%s", slot ? "missing value after" : "unexpected argument", arg,
                    report_usage);
            return 2;
        }
        *slot = value;
        i++;
    }
    if (run && runs) {
        fprintf(stderr, "mapbench: report: give --run or --runs, not both\n");
        return 2;
    }
    return report_run_command(db, run, runs, baseline, out);
}
