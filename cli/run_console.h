/*
 * run_console.h: what `mapbench run` shows people while it measures (cli/cmd_run.c).
 *
 * On stdout, a concise table: one line per case when it ends, with its status, the median
 * throughput of its valid repetitions and the distribution-free interval of that median
 * (reports/stats.h: at least 95%, or the whole range when the repetitions are too few for that),
 * the median nanoseconds per operation per thread, the median p99 get latency, how many of its
 * repetitions were disturbed (runner/disturbance.h) and the case in words.  On stderr, the
 * progress line with its ETA: rewritten in place after every window on a terminal, one plain line
 * per finished case otherwise.  When stdout and stderr are the same terminal, a table line first
 * clears the progress line, which is then drawn again below it.
 *
 * libbenchmark's own console table (about 200 columns a line, and a line per repetition and per
 * aggregate) is shown instead of this one when asked for with `-- --benchmark_format=console`.
 */
#ifndef MAPBENCH_RUN_CONSOLE_H
#define MAPBENCH_RUN_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "runner/result.h"
#include "scenarios/case.h"

struct run_console {
    bool table;          /* print the concise table on stdout */
    bool progress_tty;   /* stderr is a terminal: the progress line rewrites itself */
    bool header_done;
    bool progress_shown; /* a progress line is on the terminal now */
    int columns;         /* the terminal's width, for the progress line */
    char progress[512];  /* the progress line last drawn */
};

/* Looks at stdout and stderr; `table` says whether the concise table is wanted. */
void run_console_init(struct run_console *con, bool table);
/* One table line for a case that ended with `status`, over its samples[0..n). */
void run_console_case(struct run_console *con, const struct bench_case *c,
                      const struct result_sample *samples, int n, const char *status);
/* The progress line: on a terminal `tty_text`, when not NULL, replaces the last one (cut to the
 * terminal's width); otherwise `line`, when not NULL, is printed as is (one per finished case). */
void run_console_progress(struct run_console *con, const char *tty_text, const char *line);
/* Ends the progress line (a newline on a terminal), before the run's closing lines. */
void run_console_end(struct run_console *con);

#endif
