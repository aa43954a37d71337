/*
 * html.h: the report page.  One self-contained index.html: inline CSS, the plots' SVG embedded
 * inline, no script, no network; the only links are to the CSV (csv.h) and SVG files written
 * beside it, which must exist before the page is written (their SVG is copied into it).  Every
 * string that came from the database or a user goes through html_escape, and only through it, so
 * escaping is decided in one place.
 *
 * The page renders what findings.h decided: the "which map when" matrix names only separable
 * winners; a winner's cell is green when separable, pale when not; a cell too wide to rank says so;
 * history cells and sparklines carry the decided shifts.  It decides none of it.
 */
#ifndef MAPBENCH_HTML_H
#define MAPBENCH_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "reports/findings.h"
#include "reports/report_data.h"

struct html_page {
    const struct report_data *data;
    const struct report_sweep *sweeps;
    size_t sweep_count;
    const struct findings *findings; /* decided from data, sweeps and the history */
    const char *baseline;            /* backend name the ratios are against, for the captions */
    const char *out_dir;
};

/* Writes text with & < > " ' replaced by entities; NULL writes nothing. */
void html_escape(FILE *out, const char *text);
/* Writes a sentence of wording.h: escaped as html_escape does, and each `name` in backticks set as
 * <code>name</code> (the backticks dropped); a backtick without its pair stays a backtick.  The one
 * function through which every sentence reaches the page. */
void html_text(FILE *out, const char *text);
/* A backend's swatch, its line as the plots draw it (style.h): an inline SVG of its colour, dash
 * pattern and marker.  name: the backend's name; label: the series' spec (options change the dash). */
void html_swatch(FILE *out, const char *name, const char *label);

/* Writes out_dir/index.html; false with one line in err (ERR_LEN). */
bool html_write_report(const struct html_page *page, char *err);

/* The sections over several runs (html_groups.c): nothing when the report's runs form no group
 * of two runs (reproduce) or span one machine (machines). */
void html_write_reproduce(FILE *f, const struct html_page *page);
void html_write_machines_compared(FILE *f, const struct html_page *page);

/* The file names the report writes for sweep i (kind: "throughput", "latency", ...). */
void html_plot_file(size_t sweep, const char *kind, char *buf, size_t len);

#endif
