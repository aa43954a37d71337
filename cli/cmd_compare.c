/*
 * cmd_compare.c: `mapbench compare`, the regression gate for nightly jobs (reports/compare.h loads
 * and judges, reports/compare_format.h writes the table, Markdown and JUnit XML).  Exit status: 0
 * nothing regressed, 1 something regressed, 2 bad input or a report that could not be written, so
 * a CI step can tell "slower" from "the gate could not judge".  The database must exist: opening a
 * mistyped path would otherwise create an empty one.
 */
#include "cli/commands.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports/compare.h"
#include "reports/compare_format.h"
#include "store/store.h"

static const char compare_usage[] =
    "usage: mapbench compare --candidate RUN[,RUN...] [--baseline RUN[,RUN...] | --history N]\n"
    "                        [--db PATH] [--threshold PCT] [--alpha A] [--metric M]\n"
    "                        [--cross-machine] [--across-methods] [--normalize BACKEND]\n"
    "                        [--markdown FILE] [--junit FILE]\n"
    "RUN is a run id, `latest` or `previous` (as a baseline: the run before the candidate on\n"
    "its machine), or a comma-separated list of them whose samples are pooled: interleave\n"
    "the runs of the two builds (A B A B A B; --baseline 1,3,5 --candidate 2,4,6) so that the\n"
    "machine's drifts fall on both sides.  Without --baseline the baseline is each case's\n"
    "pooled samples from its last N runs (default 5) on the candidate's machine.  A case\n"
    "regresses when its Benjamini-Hochberg q < A (default 0.05) and its whole 1-A interval\n"
    "of the change lies beyond PCT (default 5).  M: ops_per_s (default), ns_per_op,\n"
    "get_p99_ns.  --normalize BACKEND divides every repetition by the median of BACKEND's\n"
    "case with the same other dimensions in the same run: a drift of the whole run cancels.\n"
    "Runs of different measurement-method versions are refused unless --across-methods.\n"
    "Exit status: 0 no regression, 1 a regression, 2 bad input.\n";

struct compare_cli {
    struct compare_options options;
    const char *db, *markdown, *junit;
};

/* A number with nothing after it (PCT may end in '%'); false when malformed. */
static bool compare_parse_number(const char *text, bool percent, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (percent && *end == '%')
        end++;
    if (errno || end == text || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool compare_parse_option(int opt, struct compare_cli *cli, char *err)
{
    struct compare_options *o = &cli->options;
    double number;
    switch (opt) {
    case 'b': o->baseline = optarg; return true;
    case 'c': o->candidate = optarg; return true;
    case 'd': cli->db = optarg; return true;
    case 'm': cli->markdown = optarg; return true;
    case 'j': cli->junit = optarg; return true;
    case 'x': o->cross_machine = true; return true;
    case 'A': o->across_methods = true; return true;
    case 'M': o->metric = optarg; return true;
    case 'N': o->normalize = optarg; return true;
    case 't':
        if (!compare_parse_number(optarg, true, &number))
            break;
        o->threshold = number / 100.0;
        return true;
    case 'a':
        if (!compare_parse_number(optarg, false, &o->alpha))
            break;
        return true;
    case 'H':
        if (!compare_parse_number(optarg, false, &number) || number != floor(number) ||
            number < 1 || number > 1000)
            break;
        o->history = (int)number;
        return true;
    }
    snprintf(err, ERR_LEN, "bad value '%s' for --%s", optarg,
             opt == 't' ? "threshold" : opt == 'a' ? "alpha" : "history");
    return false;
}

/* 0 parsed, 1 --help printed, 2 bad input (err set). */
static int compare_parse(int argc, char **argv, struct compare_cli *cli, char *err)
{
    static const struct option longs[] = {
        {"baseline", required_argument, 0, 'b'}, {"candidate", required_argument, 0, 'c'},
        {"db", required_argument, 0, 'd'},       {"threshold", required_argument, 0, 't'},
        {"alpha", required_argument, 0, 'a'},    {"markdown", required_argument, 0, 'm'},
        {"junit", required_argument, 0, 'j'},    {"cross-machine", no_argument, 0, 'x'},
        {"metric", required_argument, 0, 'M'},   {"history", required_argument, 0, 'H'},
        {"normalize", required_argument, 0, 'N'}, {"across-methods", no_argument, 0, 'A'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    compare_options_init(&cli->options);
    cli->db = "results.db";
    cli->markdown = cli->junit = NULL;
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        if (opt == 'h') {
            fputs(compare_usage, stdout);
            return 1;
        }
        if (opt == '?' || opt == ':') {
            snprintf(err, ERR_LEN, "unknown or incomplete option '%s'", argv[optind - 1]);
            return 2;
        }
        if (!compare_parse_option(opt, cli, err))
            return 2;
    }
    if (optind < argc) {
        snprintf(err, ERR_LEN, "unexpected argument '%s'", argv[optind]);
        return 2;
    }
    return 0;
}

static bool compare_write_reports(const struct compare_cli *cli, const struct compare_report *r,
                                  char *err)
{
    if (cli->markdown && !compare_format_markdown(r, cli->markdown, err))
        return false;
    return !cli->junit || compare_format_junit(r, cli->junit, err);
}

int cmd_compare(int argc, char **argv)
{
    struct compare_cli cli;
    char err[ERR_LEN];
    int parsed = compare_parse(argc, argv, &cli, err);
    if (parsed == 1)
        return 0;
    if (parsed != 0) {
        fprintf(stderr, "mapbench: compare: %s\n", err);
        return 2;
    }
    struct store *s = store_open_existing(cli.db, err);
    if (!s) {
        fprintf(stderr, "mapbench: compare: %s\n", err);
        return 2;
    }
    struct compare_report report;
    bool ok = compare_runs(s, &cli.options, &report, err);
    store_close(s);
    if (ok) {
        compare_format_table(&report, stdout);
        ok = compare_write_reports(&cli, &report, err);
    }
    int status = !ok ? 2 : report.verdicts[COMPARE_REGRESSED] ? 1 : 0;
    if (!ok)
        fprintf(stderr, "mapbench: compare: %s\n", err);
    compare_free(&report);
    return status;
}
