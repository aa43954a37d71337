/*
 * stats.h: the statistics mapbench's reports and regression gate rest on, over the raw
 * repetitions the store keeps.  All of them are distribution-free (rank based), because benchmark
 * samples are skewed and heavy-tailed (a preempted window is slow, never fast), and few (3 to 10
 * repetitions), so tests that assume normality overstate significance.
 */
#ifndef MAPBENCH_STATS_H
#define MAPBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Both samples of a Mann-Whitney test smaller than this: the exact distribution (with mid-ranks
 * when values tie); otherwise the normal approximation with tie and continuity correction. */
#define STATS_EXACT_LIMIT 50

/* Two-sided Mann-Whitney U test of samples a (na) and b (nb): the p-value P(|S - E S| >= |s - E S|)
 * of the rank sum S under the permutation distribution, exact (mid-ranks for ties) while both
 * samples are smaller than STATS_EXACT_LIMIT, normal approximation with tie and continuity
 * correction above. */
double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* The exact null distribution of U (no ties): cdf[u] = P(U <= u) for u in [0, na*nb]; cdf holds
 * na*nb + 1 values.  False when out of memory. */
bool stats_mann_whitney_cdf(size_t na, size_t nb, double *cdf);
/* The smallest two-sided p-value samples of these sizes can reach (exact test, no ties):
 * 2 / C(na + nb, na), e.g. 0.1 for 3 vs 3. */
double stats_mann_whitney_min_p(size_t na, size_t nb);
/* The smallest n for which n vs n repetitions can reach p < alpha (4 for alpha 0.05). */
size_t stats_mann_whitney_needed(double alpha);

/* Hodges-Lehmann estimate of the shift log(b) - log(a): the median of all pairwise differences of
 * logarithms, with its distribution-free confidence interval at level 1 - alpha (from the Mann-
 * Whitney critical value).  Values must be positive.  lo and hi may be -inf/+inf when the samples
 * are too small for the level. */
struct stats_shift {
    double estimate, lo, hi; /* of log(b / a); exp() gives the ratio */
};
void stats_hodges_lehmann_log(const double *a, size_t na, const double *b, size_t nb,
                              double alpha, struct stats_shift *out);

/* Hodges-Lehmann shift of samples that pool several runs a side: a_run[i] and b_run[j] name the
 * run each value came from.  The estimate and interval are those of the pooled samples, the
 * interval then widened to span Lehmann's interval of every run of a against every run of b, so
 * a shift must show between every pairing of runs, not only in the pooled samples (a state of the
 * machine that lasts a whole run looks like a shift to the pooled samples).  With one run a side
 * this is stats_hodges_lehmann_log.  An infinite end means some pairing's runs are too small for
 * the level. */
void stats_hodges_lehmann_runs(const double *a, const int64_t *a_run, size_t na, const double *b,
                               const int64_t *b_run, size_t nb, double alpha, struct stats_shift *out);

/* Both the paired (signed-rank) statistics below work on differences d[0..n), here the per-round
 * log ratios log(a / b) of two backends measured in the same round. */

/* Differences at most this many (after zeros are dropped): the exact distribution of the
 * signed-rank statistic (mid-ranks for tied |d|); above, the normal approximation with tie and
 * continuity correction. */
#define STATS_SIGNED_RANK_EXACT_LIMIT 50

/* Two-sided Wilcoxon signed-rank test of d against a symmetric distribution around 0: P(|W - E W|
 * >= |w - E W|) with W the sum of the ranks of |d| of the positive differences.  Zero differences
 * are dropped before ranking (Wilcoxon's own treatment, and R's wilcox.test's), so n counts the
 * nonzero ones; with none left p is 1. */
double stats_signed_rank_p(const double *d, size_t n);
/* The smallest two-sided p n nonzero differences can reach: 2 / 2^n (0.0625 for 5, 0.0078 for 8). */
double stats_signed_rank_min_p(size_t n);
/* The smallest n for which the signed-rank test can reach p < alpha (6 for alpha 0.05). */
size_t stats_signed_rank_needed(double alpha);
/* Hodges-Lehmann estimate of d's centre, the median of the n(n+1)/2 Walsh averages (d_i + d_j) / 2,
 * i <= j, with Tukey's distribution-free 1 - alpha interval [A_(k), A_(M+1-k)] of the sorted
 * averages, k from the signed-rank distribution (the rule of stats_hodges_lehmann_log).  Zeros are
 * kept: the interval is that of every difference.  lo and hi are infinite when n is too small
 * for the level (n < 6 at 0.05). */
void stats_walsh_interval(const double *d, size_t n, double alpha, struct stats_shift *out);

/* The distribution-free interval of the median of x (the sign test's): [x_(k), x_(n+1-k)] with k
 * the largest such that P(Bin(n, 1/2) <= k-1) <= alpha/2.  When no k reaches the level (n < 6 at
 * 0.05) it is [min, max].  Returns the coverage the interval has: at least 1 - alpha, or
 * 1 - 2 / 2^n for [min, max]; 0 for an empty sample. */
double stats_median_interval(const double *x, size_t n, double alpha, double *lo, double *hi);

/* Benjamini-Hochberg: adjusts p[0..n) in place into q-values (false discovery rate). */
void stats_benjamini_hochberg(double *p, size_t n);

/* Median, mean, and the relative spread (coefficient of variation) of a sample. */
double stats_median(const double *x, size_t n);
/* The lower of the two middle values for even n (a value of the sample, never a mean of two). */
double stats_lower_median(const double *x, size_t n);
double stats_mean(const double *x, size_t n);
double stats_cv(const double *x, size_t n);

#endif
