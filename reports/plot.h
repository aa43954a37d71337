/*
 * plot.h: the report's plots, drawn by gnuplot (Debian `gnuplot-nox`) as SVG files.  One gnuplot
 * process per report, fed through a pipe; each plot's data travels inline as a datablock, so no
 * temporary data files exist and a plot file is complete when plot_close returns.
 *
 * Every sweep plot has one line per backend, in the backend's style (style.h: colour, dash pattern
 * and marker, the same on every plot; two figures of one backend go in two stacked panels, never
 * two dash patterns).  Memory is three panels: live bytes per key, bytes per key awaiting
 * reclamation, allocations per operation.  Error
 * bars on throughput are the interval findings.c decided for each case's median: the
 * distribution-free 95% interval of the sign test, which with fewer than 6 repetitions cannot reach
 * 95% and is the repetitions' minimum to maximum (the ratios between backends the tables test have
 * their own intervals, paired per round where the run measured in rounds).  Keys are on a log axis
 * with the machine's cache capacities drawn as labelled vertical lines, in keys at the bytes per
 * key findings.h decided for the sweep.  Which plots a sweep gets (latency where it has latencies,
 * fairness where a worker starves) and the point the percentiles show are decided there too; the
 * plots only draw.  Text from the database (labels) goes in single-quoted gnuplot strings with the
 * terminal's enhanced text mode off, so no character in it has a meaning to gnuplot.
 */
#ifndef MAPBENCH_PLOT_H
#define MAPBENCH_PLOT_H

#include <stdbool.h>

#include "base/err.h"
#include "reports/findings.h"
#include "reports/report_data.h"

struct plot;

/* Starts gnuplot; fails with one line when it is not on PATH. */
struct plot *plot_open(char *err);
/* Ends gnuplot and waits for it: false when it reported an error (its message went to stderr). */
bool plot_close(struct plot *p, char *err);

/* Each writes one SVG file at path.  fs: the sweep's findings (where a keys sweep draws its cache
 * lines); x: the point the percentiles show (findings_sweep.heaviest). */
void plot_sweep_throughput(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                           const struct findings_sweep *fs, const char *path);
void plot_sweep_latency(struct plot *p, const struct report_data *d, const struct report_sweep *w,
                        const struct findings_sweep *fs, const char *path);
void plot_sweep_percentiles(struct plot *p, const struct report_data *d, const struct report_sweep *w, double x,
                            const char *path);
void plot_sweep_memory(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path);
void plot_sweep_fairness(struct plot *p, const struct report_data *d, const struct report_sweep *w, const char *path);

#endif
