/*
 * report.h: `mapbench report` as a library call: loads the runs, groups sweeps, decides the
 * findings (findings.h: winners, crossovers, knees, history shifts), draws the plots (gnuplot) and
 * the topology (lstopo, when installed), and writes the CSV tables and the page into one directory.
 * cmd_report.c parses arguments; tests call this directly.
 */
#ifndef MAPBENCH_REPORT_H
#define MAPBENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"


/* Writes out_dir/index.html (out_dir is created when missing) for runs run_ids[0..n), ratios
 * against backend `baseline`.  False with one line in err (ERR_LEN) on failure, gnuplot
 * missing included (checked before anything is written). */
bool report_write(struct store *s, const int64_t *run_ids, size_t n, const char *baseline, const char *out_dir,
                  char *err);

#endif
