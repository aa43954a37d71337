/*
 * html.h: the report page.  One self-contained index.html: inline CSS, the plots' SVG embedded
 * inline, no script, no network; the only links are to the CSV and SVG files written beside it.
 * Every string that came from the database or a user goes through html_escape, and only through
 * it, so escaping is decided in one place.
 *
 * Also the CSV of every table.  Ranking rules: a backend's cell is "too wide to rank" when the
 * repetitions' coefficient of variation exceeds REPORT_CV_WIDE; the winner at a point is the
 * fastest median among backends that are maps (not `null`, the harness, nor `plain`, the
 * unsynchronised ceiling); the win is "clear" when the winner is not too wide and Mann-Whitney
 * separates it from the runner-up at CROSSOVER_ALPHA.
 */
#ifndef MAPBENCH_HTML_H
#define MAPBENCH_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "reports/crossover.h"
#include "reports/report_data.h"

struct html_page {
    const struct report_data *data;
    const struct report_sweep *sweeps;
    size_t sweep_count;
    const struct crossover *crossovers;
    size_t crossover_count;
    const struct knee *knees;
    size_t knee_count;
    const struct report_data *history; /* every run of the report's machines */
    const char *baseline;              /* backend name the ratios are against */
    const char *out_dir;
};

/* Writes text with & < > " ' replaced by entities; NULL writes nothing. */
void html_escape(FILE *out, const char *text);

/* Writes out_dir/index.html and the CSV files; err: one line (256 bytes). */
bool html_write_report(const struct html_page *page, char *err);

/* The file names the report writes for sweep i (kind: "throughput", "latency", ...). */
void html_plot_file(size_t sweep, const char *kind, char *buf, size_t len);

#endif
