/*
 * csv.h: the report's tables as CSV files beside index.html, one per sweep, one for the history and
 * one for the "which map when" matrix (and those of html_groups.c's sections),
 * rendering what findings.h decided (winner, ratio, too wide to rank, history shifts) without
 * deciding anything.  Numbers at full precision (%.17g) so a spreadsheet recomputes what the page
 * rounds; every text field is double-quoted with its quotes doubled (RFC 4180), so no label from
 * the database can add a column or a row.
 */
#ifndef MAPBENCH_CSV_H
#define MAPBENCH_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "reports/findings.h"
#include "reports/report_data.h"

#define CSV_HISTORY_FILE "history.csv"
#define CSV_REPRODUCE_FILE "reproduce.csv"
#define CSV_MACHINES_FILE "machines.csv"
#define CSV_MATRIX_FILE "matrix.csv"

/* The file name of sweep i's table: "sweep-007.csv". */
void csv_sweep_file(size_t sweep, char *buf, size_t len);

/* Writes out_dir/sweep-NNN.csv for every sweep; false with one line in err (ERR_LEN). */
bool csv_write_sweeps(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                      const struct findings *f, char *err);
/* Writes out_dir/history.csv: one row per case and run of every history table (a header alone when
 * there is none); false with one line in err. */
bool csv_write_history(const char *out_dir, const struct findings *f, char *err);

/* Writes out_dir/reproduce.csv: one row per claim and other run of its group (verdict, the
 * estimate, p and q of each point tested), a header alone when there is none. */
bool csv_write_reproduce(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                         const struct findings *f, char *err);
/* Writes out_dir/matrix.csv, "which map when": one row per workload and thread count measured, its
 * winner and runner-up, whether the winner is separable, the margin (winner / runner-up) with its
 * interval, and the test, p and q behind it; the winner's fields are empty where not separable. */
bool csv_write_matrix(const char *out_dir, const struct report_data *d, const struct report_sweep *sweeps,
                      const struct findings *f, char *err);
/* Writes out_dir/machines.csv: one row per case of every pair of machines compared. */
bool csv_write_machines(const char *out_dir, const struct findings *f, char *err);

#endif
