/*
 * wording.h: the report's findings in words, one function per kind of finding, each producing
 * plain text from the decided structs of findings.h (the caller escapes it for its format).  Any
 * writer (the HTML page, a plot's title, a later Markdown or JSON summary) states a finding the
 * same way by calling these.
 *
 * Apart from findings.c on purpose: the words depend only on what was decided, never on how it
 * was tested, so replacing the statistics leaves this file alone, and a writer that needs a
 * sentence or a formatted sweep value includes this header without reaching the statistics.
 */
#ifndef MAPBENCH_WORDING_H
#define MAPBENCH_WORDING_H

#include <stddef.h>

#include "reports/findings.h"
#include "reports/report_data.h"

/* A count in words: "999", "65.5k", "16.8M". */
void wording_count(double x, char *buf, size_t len);
/* A sweep value in words: "12% writes", "2 threads", "65536 keys", "64 shards", "zipf theta 0.99". */
void wording_value(enum report_dim dim, double x, char *buf, size_t len);

/* "`striped` overtakes `rwlock` above 12% writes at 2 threads (compact), ..."; between the two
 * measured points for counted dimensions (threads, shards), where no fractional value exists. */
void wording_crossover(const struct report_sweep *sweeps, const struct findings_crossover *c, char *buf, size_t len);
/* A crossing not established: "apparent: " + the sentence above + " (p = 0.3 and 0.02, q = 0.4)":
 * the two points' p and the claim's corrected q, or ", too few repetitions" in place of q when that
 * is why. */
void wording_apparent_crossover(const struct report_sweep *sweeps, const struct findings_crossover *c, char *buf,
                                size_t len);
/* "`mutex` breaks at 64k keys (log-log slope drops by 0.66) at ..., beside L2's capacity of ...". */
void wording_knee(const struct report_sweep *sweeps, const struct findings_knee *k, char *buf, size_t len);
/* "SCENARIO, over DIM at FIXED: A leads from X to Y; B leads at Z" from the sweep's decided
 * winners ("no map" where none was measured). */
void wording_winners(const struct report_sweep *w, const struct findings_sweep *fs, char *buf, size_t len);
/* A separable winner as a claim: "`mutex` ahead of `rwlock` at 2 threads (scenario, over threads at
 * FIXED)". */
void wording_winner_claim(const struct report_sweep *w, const struct findings_point *p, double x, char *buf,
                          size_t len);
/* A workload of the "which map when" matrix in words: the case without its scenario, backend and
 * thread count, which the matrix shows in their own columns ("compact read=90% update keys=1000
 * uniform"). */
void wording_workload(const struct bench_case *c, char *buf, size_t len);
/* A history row's case in words (case_describe), without the backend: it has its own column. */
void wording_history_case(const struct bench_case *c, char *buf, size_t len);

#endif
