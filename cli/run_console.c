/*
 * run_console.c: the concise table and the progress line of `mapbench run` (see run_console.h).
 */
#include "cli/run_console.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "reports/stats.h"
#include "runner/disturbance.h"
#include "scenarios/case_dims.h"

#define RUN_CONSOLE_ALPHA 0.05 /* the median's interval: at least 95% */

void run_console_init(struct run_console *con, bool table)
{
    memset(con, 0, sizeof *con);
    con->table = table;
    con->progress_tty = isatty(STDERR_FILENO);
    struct winsize ws;
    con->columns = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col : 120;
}

static void run_console_clear(struct run_console *con)
{
    if (con->progress_tty && con->progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        con->progress_shown = false;
    }
}

static void run_console_draw(struct run_console *con)
{
    if (!con->progress_tty || !con->progress[0])
        return;
    fprintf(stderr, "\r\033[K%.*s", con->columns - 1, con->progress);
    fflush(stderr);
    con->progress_shown = true;
}

void run_console_progress(struct run_console *con, const char *tty_text, const char *line)
{
    if (con->progress_tty && tty_text) {
        snprintf(con->progress, sizeof con->progress, "%s", tty_text);
        run_console_draw(con);
    } else if (!con->progress_tty && line) {
        fprintf(stderr, "%s\n", line);
    }
}

void run_console_end(struct run_console *con)
{
    if (con->progress_tty && con->progress_shown)
        fputc('\n', stderr);
    con->progress_shown = false;
}

/* The median of values[0..n) as text with `format`, or "-" without values. */
static void run_console_median(const double *values, size_t n, const char *format, char *out,
                               size_t len)
{
    if (n == 0)
        snprintf(out, len, "-");
    else
        snprintf(out, len, format, stats_median(values, n));
}

void run_console_case(struct run_console *con, const struct bench_case *c,
                      const struct result_sample *samples, int n, const char *status)
{
    if (!con->table)
        return;
    size_t count = n > 0 ? (size_t)n : 1;
    double *mops = xcalloc(count, sizeof *mops), *ns = xcalloc(count, sizeof *ns),
           *p99 = xcalloc(count, sizeof *p99);
    size_t valid = 0, with_latency = 0, disturbed = 0;
    for (int i = 0; i < n; i++) {
        disturbed += disturbance_affected(&samples[i]);
        if (!samples[i].valid)
            continue;
        if (samples[i].latency[RESULT_OP_GET].samples)
            p99[with_latency++] = samples[i].latency[RESULT_OP_GET].p99_ns;
        ns[valid] = samples[i].ns_per_op;
        mops[valid++] = samples[i].ops_per_s / 1e6;
    }
    char median[32], interval[48], per_op[32], latency[32], text[CASE_DESCRIBE_LEN];
    run_console_median(mops, valid, "%.2f", median, sizeof median);
    run_console_median(ns, valid, "%.1f", per_op, sizeof per_op);
    run_console_median(p99, with_latency, "%.0f ns", latency, sizeof latency);
    double lo, hi;
    stats_median_interval(mops, valid, RUN_CONSOLE_ALPHA, &lo, &hi);
    if (valid)
        snprintf(interval, sizeof interval, "%.2f-%.2f", lo, hi);
    else
        snprintf(interval, sizeof interval, "-");
    free(mops);
    free(ns);
    free(p99);
    case_describe(c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    run_console_clear(con);
    if (!con->header_done)
        printf("%-8s %9s %-17s %9s %9s %9s  %s\n", "status", "Mops/s", "interval", "ns/op",
               "p99 get", "disturbed", "case");
    con->header_done = true;
    printf("%-8s %9s %-17s %9s %9s %6zu/%-2d  %s\n", status, median, interval, per_op, latency,
           disturbed, n, text);
    fflush(stdout);
    run_console_draw(con);
}
