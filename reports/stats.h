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

/* Two-sided Mann-Whitney U test of samples a (na) and b (nb): the p-value, exact for small
 * samples without ties, normal approximation with tie and continuity correction otherwise. */
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

/* Benjamini-Hochberg: adjusts p[0..n) in place into q-values (false discovery rate). */
void stats_benjamini_hochberg(double *p, size_t n);

/* Median, mean, and the relative spread (coefficient of variation) of a sample. */
double stats_median(const double *x, size_t n);
/* The lower of the two middle values for even n (a value of the sample, never a mean of two). */
double stats_lower_median(const double *x, size_t n);
double stats_mean(const double *x, size_t n);
double stats_cv(const double *x, size_t n);

#endif
