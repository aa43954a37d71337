/*
 * stats.h: the few statistics the generator tests need to turn "close enough" into a number
 * derived from the distribution rather than a tolerance tuned by hand.  The tests use fixed seeds,
 * so they are deterministic; the significance level says how unlikely a correct generator is to
 * fail with a seed chosen blindly.
 */
#ifndef MAPBENCH_TESTS_STATS_H
#define MAPBENCH_TESTS_STATS_H

#include <stdint.h>

/* z for a one-sided tail of 1e-6: a correct generator fails about once in a million seeds. */
#define STATS_Z_STRICT 4.753

/* The chi-square quantile with df degrees of freedom whose upper tail matches z (Wilson-Hilferty). */
double stats_chi_square_critical(double df, double z);
/* Allowed |observed - n p| for a Binomial(n, p) count: z standard deviations. */
double stats_binomial_tolerance(uint64_t n, double p, double z);
/* Pearson's statistic over bins, merging neighbouring bins until each expects >= 5; *df is set to
   the merged bin count - 1. */
double stats_chi_square(const uint64_t *observed, const double *expected, int bins, int *df);
/* qsort comparator for uint64_t. */
int stats_compare_u64(const void *a, const void *b);
/* Nonzero when MAPBENCH_TEST_QUICK is set: tests scale their work down (sanitizer builds). */
int stats_quick(void);

#endif
