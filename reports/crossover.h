/*
 * crossover.h: where the winner changes, and where a curve breaks.
 *
 * Crossovers: for every sweep and every pair of series, each pair of neighbouring sweep points
 * (points both series measured) where the sign of the difference of the median throughputs
 * changes.  The crossing is interpolated linearly between the two points (in log x for keys,
 * whose points are spaced geometrically).  It is only a finding when the difference is
 * significant at both neighbouring points (two-sided Mann-Whitney on the repetitions, p < alpha);
 * with fewer than CROSSOVER_MIN_REPS repetitions on a side no p-value below 0.05 is reachable
 * (3 vs 3 gives at best p = 0.1), so such a crossing is reported as untestable, never as found.
 *
 * Knees: over keys, the point where a series' log-throughput against log-keys slope drops most
 * between the segment before and the segment after it, if by more than CROSSOVER_KNEE_DROP; set
 * beside the cache level whose capacity in keys (cache bytes / bytes per key) is nearest.
 */
#ifndef MAPBENCH_CROSSOVER_H
#define MAPBENCH_CROSSOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/report_data.h"

#define CROSSOVER_ALPHA 0.05
#define CROSSOVER_MIN_REPS 4
/* A knee is a slope drop of at least 0.3 in d ln(throughput) / d ln(keys): from flat to losing
 * about 19% per doubling of keys (2^-0.3).  Repetition noise of a few percent between points a
 * factor 2 to 4 apart moves a slope by well under 0.1, and a table's gentle decline inside one
 * cache level (hash spreading, TLB reach) stays under 0.15, so 0.3 marks a change of regime. */
#define CROSSOVER_KNEE_DROP 0.3

enum crossover_verdict {
    CROSSOVER_SIGNIFICANT,     /* p < alpha at both neighbouring points */
    CROSSOVER_NOT_SIGNIFICANT, /* testable, but p >= alpha at one of them */
    CROSSOVER_TOO_FEW_REPS,    /* fewer than CROSSOVER_MIN_REPS repetitions on some side */
};

struct crossover {
    size_t sweep;          /* index into the sweeps array */
    size_t winner, loser;  /* series indices: winner leads beyond the crossing, in the
                              dimension's natural direction (more writes for read_pct) */
    double x;              /* interpolated crossing, in the sweep's x units */
    double x_lo, x_hi;     /* the neighbouring points */
    double p_lo, p_hi;     /* Mann-Whitney p at each */
    enum crossover_verdict verdict;
};

struct knee {
    size_t sweep, series;
    double keys;           /* the point where the slope breaks */
    double drop;           /* slope before minus slope after */
    int cache_level;       /* 1-based; 0 when the machine has no cache sizes */
    double cache_keys;     /* that level's capacity in keys */
};

/* Every crossing of every sweep (*out malloc'd).  False only when out of memory. */
bool crossover_find_all(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                        struct crossover **out, size_t *count);
/* Every knee of every keys sweep (*out malloc'd).  False only when out of memory. */
bool crossover_find_knees(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                          struct knee **out, size_t *count);

/* The bytes per key at which a keys sweep's cache capacities are drawn: the lower median, over the
 * sweep's series (null excluded), of each series' bytes per key at its largest point.  At the
 * largest point fixed overheads (empty shards, a minimum table) no longer count, and a median
 * keeps one backend with pending copies (cow under writes holds thousands of bytes per key
 * until its grace periods end) from moving every line.  0 when no series has a figure. */
double crossover_sweep_bytes_per_key(const struct report_data *d, const struct report_sweep *w);

/* The crossing as a sentence in plain text (the caller escapes it for HTML):
 * "striped overtakes rwlock above 12% writes at 2 threads (compact), ...". */
void crossover_describe(const struct report_data *d, const struct report_sweep *sweeps, const struct crossover *c,
                        char *buf, size_t len);
void crossover_describe_knee(const struct report_sweep *sweeps, const struct knee *k, char *buf, size_t len);

/* A sweep value in words: "12% writes", "2 threads", "65536 keys", "64 shards", "zipf 0.99". */
void crossover_format_value(enum report_dim dim, double x, char *buf, size_t len);

#endif
