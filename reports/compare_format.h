/*
 * compare_format.h: the regression gate's output formats, over the struct compare_report that
 * compare_runs (compare.h) loaded and judged: a table for a terminal, a Markdown summary and JUnit
 * XML.  They state what was judged and decide nothing: every verdict, q-value, interval and count
 * comes from the report.
 */
#ifndef MAPBENCH_COMPARE_FORMAT_H
#define MAPBENCH_COMPARE_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "reports/compare.h"

/* The table for a terminal: one line per case, regressions first, then a summary line. */
void compare_format_table(const struct compare_report *r, FILE *out);
/* A Markdown summary (for a CI job's summary page or a pull-request comment); false with one line
 * in err (ERR_LEN) when path cannot be written. */
bool compare_format_markdown(const struct compare_report *r, const char *path, char *err);
/* JUnit XML: one testcase per case, a failure element per regression, skipped for unknown. */
bool compare_format_junit(const struct compare_report *r, const char *path, char *err);

#endif
