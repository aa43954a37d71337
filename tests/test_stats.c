/*
 * test_stats.c: reports/stats.c against values whose origin each test states: Hollander & Wolfe's
 * textbook example (the one R's ?wilcox.test runs), distributions counted by hand, formulas
 * evaluated by hand, and for the rest exhaustive enumeration of every rank assignment (a throwaway
 * python3 script: itertools.combinations over the pooled sample, U counted pair by pair).  The
 * coverage tests draw seeded samples, so they are deterministic; their bounds come from the
 * binomial distribution, not from tuning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "reports/stats.h"
#include "tests/stats.h"
#include "tests/support.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Hollander & Wolfe (1973) p. 69, permeability constants; R's ?wilcox.test example.  R reports
 * W = 35 and p = 0.1272 one-sided ("greater"), so the two-sided exact p is 0.2544; enumerating the
 * 3003 assignments gives 0.2544122544122544 = 764 / 3003. */
static const double hw_x[] = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
static const double hw_y[] = {1.15, 0.88, 0.90, 0.74, 1.21};

static void test_exact_p_textbook(void **state)
{
    (void)state;
    assert_float_equal(stats_mann_whitney_p(hw_x, 10, hw_y, 5), 764.0 / 3003.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(hw_y, 5, hw_x, 10), 764.0 / 3003.0, 1e-12);
}

/* Complete separation: only 2 of the C(N, n) assignments are as extreme, so p = 2 / C(N, n):
 * 3 vs 3 -> 2/20, 4 vs 4 -> 2/70, 5 vs 5 -> 2/252.  One swapped pair in 4 vs 4 (U = 1): the
 * assignments with U <= 1 are 2 of 70 per tail, p = 4/70 (also by enumeration). */
static void test_exact_p_small(void **state)
{
    (void)state;
    double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
    double a4[] = {1, 2, 3, 4}, b4[] = {5, 6, 7, 8}, c4[] = {1, 2, 3, 5}, d4[] = {4, 6, 7, 8};
    double a5[] = {1, 2, 3, 4, 5}, b5[] = {6, 7, 8, 9, 10};
    assert_float_equal(stats_mann_whitney_p(a3, 3, b3, 3), 0.1, 1e-12);
    assert_float_equal(stats_mann_whitney_p(b3, 3, a3, 3), 0.1, 1e-12);
    assert_float_equal(stats_mann_whitney_p(a4, 4, b4, 4), 2.0 / 70.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(c4, 4, d4, 4), 4.0 / 70.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(a5, 5, b5, 5), 2.0 / 252.0, 1e-12);
    /* U at the centre: p capped at 1. */
    double e[] = {1, 4}, f[] = {2, 3};
    assert_float_equal(stats_mann_whitney_p(e, 2, f, 2), 1.0, 1e-12);
}

/* 5 vs 5: the count of U = u is the number of partitions of u into at most 5 parts none above 5:
 * 1, 1, 2, 3, 5 for u = 0..4 (by hand), so the cdf is 1, 2, 4, 7, 12 out of C(10,5) = 252. */
static void test_exact_distribution(void **state)
{
    (void)state;
    double cdf[26];
    assert_true(stats_mann_whitney_cdf(5, 5, cdf));
    const double cumulative[] = {1, 2, 4, 7, 12};
    for (size_t u = 0; u < COUNT_OF(cumulative); u++)
        assert_float_equal(cdf[u], cumulative[u] / 252.0, 1e-12);
    assert_float_equal(cdf[25], 1.0, 1e-12);
    assert_float_equal(cdf[12], 0.5, 1e-12); /* symmetric, M = 25 odd */
    assert_float_equal(stats_mann_whitney_min_p(3, 3), 0.1, 1e-12);
    assert_float_equal(stats_mann_whitney_min_p(5, 5), 2.0 / 252.0, 1e-12);
    assert_int_equal(stats_mann_whitney_needed(0.05), 4); /* 2/20 = 0.1, 2/70 = 0.029 */
    assert_int_equal(stats_mann_whitney_needed(0.01), 5); /* 2/70 = 0.029, 2/252 = 0.0079 */
}

/* Ties keep the exact distribution, over mid-ranks (enumeration of every assignment, the
 * throwaway script of the file's header with mid-ranks and p = P(|S - E S| >= |s - E S|)):
 *   - two all-tied groups of 5, 3 3 3 3 3 against 5 5 5 5 5: a complete separation, 2/252 (the
 *     normal approximation said 0.004, below the smallest p 5 against 5 can reach);
 *   - 1 2 2 3 4 against 2 3 5 6 7 7: 25/462 (the normal approximation: 0.0641);
 *   - bucket midpoints as p99 latencies tie, 10 20 20 30 30 against 20 30 40 40 50: 1/9.
 * Equal samples give 1. */
static void test_exact_p_with_ties(void **state)
{
    (void)state;
    double threes[] = {3, 3, 3, 3, 3}, fives[] = {5, 5, 5, 5, 5};
    assert_float_equal(stats_mann_whitney_p(threes, 5, fives, 5), 2.0 / 252.0, 1e-12);
    assert_true(stats_mann_whitney_p(threes, 5, fives, 5) >= stats_mann_whitney_min_p(5, 5) * (1 - 1e-12));
    double a[] = {1, 2, 2, 3, 4}, b[] = {2, 3, 5, 6, 7, 7};
    assert_float_equal(stats_mann_whitney_p(a, 5, b, 6), 25.0 / 462.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(b, 6, a, 5), 25.0 / 462.0, 1e-12);
    double p99_a[] = {10, 20, 20, 30, 30}, p99_b[] = {20, 30, 40, 40, 50};
    assert_float_equal(stats_mann_whitney_p(p99_a, 5, p99_b, 5), 1.0 / 9.0, 1e-12);
    double same[] = {3, 3, 3};
    assert_float_equal(stats_mann_whitney_p(same, 3, same, 3), 1.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(a, 5, a, 5), 1.0, 1e-12);
    assert_float_equal(stats_mann_whitney_p(a, 0, b, 6), 1.0, 1e-12);
}

/* Above the exact limit, ties use the normal approximation with the tie-corrected variance and
 * a continuity correction.  a_i = i mod 7, b_i = a_i + 1 for every third i (i < 60): U = 1641.5,
 * sum(t^3 - t) = 33162, var = 3600/12 * (121 - 33162/14280), z = (|1641.5 - 1800| - 0.5) / sd,
 * p = 0.40239064 (evaluated by hand in python3). */
static void test_normal_approximation_with_ties(void **state)
{
    (void)state;
    double a[60], b[60];
    for (int i = 0; i < 60; i++) {
        a[i] = i % 7;
        b[i] = i % 7 + (i % 3 == 0);
    }
    assert_float_equal(stats_mann_whitney_p(a, 60, b, 60), 0.4023906423447938, 1e-9);
}

/* Signed ranks, enumerated over every sign pattern (python3, itertools.product):
 *   - 5 positive differences: 2/32 = 0.0625, the smallest 5 rounds allow; 8: 2/256;
 *   - tied |d| (1 -1 2 2 3 -3 4 5, mid-ranks): 5/32;
 *   - a zero difference is dropped: 0 1 2 -3 4 5 6 gives the p of 1 2 -3 4 5 6, 5/32;
 *   - 1.5 -0.7 2.1 0.3 -0.2 1.1 0.9 -0.4 1.8: 25/256.
 * Above STATS_SIGNED_RANK_EXACT_LIMIT: d_i = ((i mod 9) - 3) / 2 for i < 60, 53 nonzero, normal
 * approximation with the tie term over 48 and a continuity correction: 0.0173406520. */
static void test_signed_rank(void **state)
{
    (void)state;
    double five[] = {1, 2, 3, 4, 5}, eight[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    assert_float_equal(stats_signed_rank_p(five, 5), 2.0 / 32.0, 1e-12);
    assert_float_equal(stats_signed_rank_p(eight, 8), 2.0 / 256.0, 1e-12);
    double negative[] = {-1, -2, -3, -4, -5};
    assert_float_equal(stats_signed_rank_p(negative, 5), 2.0 / 32.0, 1e-12);
    double tied[] = {1, -1, 2, 2, 3, -3, 4, 5}, zero[] = {0, 1, 2, -3, 4, 5, 6};
    assert_float_equal(stats_signed_rank_p(tied, 8), 5.0 / 32.0, 1e-12);
    assert_float_equal(stats_signed_rank_p(zero, 7), 5.0 / 32.0, 1e-12);
    double mixed[] = {1.5, -0.7, 2.1, 0.3, -0.2, 1.1, 0.9, -0.4, 1.8};
    assert_float_equal(stats_signed_rank_p(mixed, 9), 25.0 / 256.0, 1e-12);
    double zeros[] = {0, 0, 0};
    assert_float_equal(stats_signed_rank_p(zeros, 3), 1.0, 0);
    double many[60];
    for (int i = 0; i < 60; i++)
        many[i] = ((i % 9) - 3) / 2.0;
    assert_float_equal(stats_signed_rank_p(many, 60), 0.01734065201353132, 1e-9);
    assert_float_equal(stats_signed_rank_min_p(5), 0.0625, 1e-12);
    assert_float_equal(stats_signed_rank_min_p(8), 2.0 / 256.0, 1e-12);
    assert_int_equal(stats_signed_rank_needed(0.05), 6); /* 2/32 = 0.0625, 2/64 = 0.031 */
}

/* Walsh averages of 1.5 -0.75 2.25 0.25 -0.25 1 0.75 -0.5 1.75 (45 of them): median 0.625, and
 * at 95% Tukey's k is 6 (P(W <= 5) = 10/512 <= 0.025 < P(W <= 6) = 14/512), so the interval is
 * [A_(6), A_(40)] = [-0.25, 1.625] (enumeration).  Five differences cannot reach 95%: infinite. */
static void test_walsh_interval(void **state)
{
    (void)state;
    double d[] = {1.5, -0.75, 2.25, 0.25, -0.25, 1.0, 0.75, -0.5, 1.75};
    struct stats_shift s;
    stats_walsh_interval(d, 9, 0.05, &s);
    assert_float_equal(s.estimate, 0.625, 1e-12);
    assert_float_equal(s.lo, -0.25, 1e-12);
    assert_float_equal(s.hi, 1.625, 1e-12);
    double five[] = {1, 2, 3, 4, 5};
    stats_walsh_interval(five, 5, 0.05, &s);
    assert_float_equal(s.estimate, 3.0, 1e-12);
    assert_true(isinf(s.lo) && s.lo < 0 && isinf(s.hi) && s.hi > 0);
    stats_walsh_interval(five, 5, 0.1, &s); /* 2/32 <= 0.1: the full range, k = 1 */
    assert_float_equal(s.lo, 1.0, 1e-12);
    assert_float_equal(s.hi, 5.0, 1e-12);
}

/* Two runs of a, three of b.  Two of b's runs are 50% above a's, the third level with them:
 * pooled, b is clearly above a (two thirds of the differences are near log 1.5), but the pairing
 * with the level run reaches 0, so the widened interval does too. */
static void test_hodges_lehmann_runs(void **state)
{
    (void)state;
    const double base[7] = {0.988, 1.004, 1.012, 0.994, 1.000, 1.008, 0.997};
    double a[14], b[21];
    int64_t a_run[14], b_run[21];
    for (int i = 0; i < 14; i++) {
        a[i] = 100 * base[i % 7];
        a_run[i] = 1 + i / 7;
    }
    for (int i = 0; i < 21; i++) {
        b[i] = 100 * base[(i + 3) % 7] * (i < 14 ? 1.5 : 1.0);
        b_run[i] = 3 + i / 7;
    }
    struct stats_shift pooled, runs;
    stats_hodges_lehmann_log(a, 14, b, 21, 0.05, &pooled);
    stats_hodges_lehmann_runs(a, a_run, 14, b, b_run, 21, 0.05, &runs);
    assert_float_equal(runs.estimate, pooled.estimate, 0);
    assert_true(pooled.lo > 0.0);
    assert_true(runs.lo < 0.0 && runs.hi > log(1.4));
    /* one run a side: exactly the pooled shift */
    stats_hodges_lehmann_runs(a, a_run, 7, b, b_run, 7, 0.05, &runs);
    stats_hodges_lehmann_log(a, 7, b, 7, 0.05, &pooled);
    assert_float_equal(runs.lo, pooled.lo, 0);
    assert_float_equal(runs.hi, pooled.hi, 0);
}

/* n = 10: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024, so [x_(2), x_(9)] with coverage
 * 1 - 22/1024; n = 5 cannot reach 95%: [min, max], covering 1 - 2/32. */
static void test_median_interval(void **state)
{
    (void)state;
    double x[] = {7, 3, 9, 1, 5, 10, 2, 8, 4, 6}, lo, hi;
    assert_float_equal(stats_median_interval(x, 10, 0.05, &lo, &hi), 1.0 - 22.0 / 1024.0, 1e-12);
    assert_float_equal(lo, 2, 0);
    assert_float_equal(hi, 9, 0);
    assert_float_equal(stats_median_interval(x, 5, 0.05, &lo, &hi), 1.0 - 2.0 / 32.0, 1e-12);
    assert_float_equal(lo, 1, 0);
    assert_float_equal(hi, 9, 0);
    assert_float_equal(stats_median_interval(x, 0, 0.05, &lo, &hi), 0.0, 0);
}

/* Large samples (normal path): complete separation of 60 vs 60 is overwhelming evidence. */
static void test_large_samples(void **state)
{
    (void)state;
    double a[60], b[60];
    for (int i = 0; i < 60; i++) {
        a[i] = 100.0 + i;
        b[i] = 1.2 * (100.0 + i);
    }
    assert_true(stats_mann_whitney_p(a, 60, a, 60) > 0.99);
    double c[60];
    for (int i = 0; i < 60; i++)
        c[i] = 1000.0 + i;
    assert_true(stats_mann_whitney_p(a, 60, c, 60) < 1e-15);
    struct stats_shift s;
    stats_hodges_lehmann_log(a, 60, b, 60, 0.05, &s);
    assert_float_equal(s.estimate, log(1.2), 1e-12);
    assert_true(s.lo < log(1.2) && s.hi > log(1.2) && isfinite(s.lo) && isfinite(s.hi));
}

/* Hand example: p = (0.01, 0.04, 0.03, 0.005), n = 4.  Sorted 0.005 0.01 0.03 0.04 times n/rank:
 * 0.02 0.02 0.04 0.04; running minimum from the top changes nothing.  Second: (0.02, 0.021, 0.9):
 * 0.06 0.0315 0.9, and the first is lowered to 0.0315 by the one above it. */
static void test_benjamini_hochberg(void **state)
{
    (void)state;
    double p[] = {0.01, 0.04, 0.03, 0.005};
    stats_benjamini_hochberg(p, 4);
    const double q[] = {0.02, 0.04, 0.04, 0.02};
    for (size_t i = 0; i < 4; i++)
        assert_float_equal(p[i], q[i], 1e-12);
    double p2[] = {0.9, 0.021, 0.02};
    stats_benjamini_hochberg(p2, 3);
    assert_float_equal(p2[0], 0.9, 1e-12);
    assert_float_equal(p2[1], 0.0315, 1e-12);
    assert_float_equal(p2[2], 0.0315, 1e-12);
    double one[] = {0.3};
    stats_benjamini_hochberg(one, 1);
    assert_float_equal(one[0], 0.3, 1e-12);
}

/* On exp() of the textbook data, log differences are the raw differences y - x: the median of the
 * 50 differences is -0.305 and at 95% Lehmann's k is 9 (P(U <= 8) = 0.0200 <= 0.025 < P(U <= 9) = 0.0276),
 * giving [d_(9), d_(42)] = [-0.76, 0.15] (enumeration; R's conf.int for x - y is its mirror). */
static void test_hodges_lehmann_textbook(void **state)
{
    (void)state;
    double x[10], y[5];
    for (size_t i = 0; i < 10; i++)
        x[i] = exp(hw_x[i]);
    for (size_t j = 0; j < 5; j++)
        y[j] = exp(hw_y[j]);
    struct stats_shift s;
    stats_hodges_lehmann_log(x, 10, y, 5, 0.05, &s);
    assert_float_equal(s.estimate, -0.305, 1e-9);
    assert_float_equal(s.lo, -0.76, 1e-9);
    assert_float_equal(s.hi, 0.15, 1e-9);
}

/* b = a * 1.25 reordered: every difference is log 1.25 plus a difference of a's own logs, whose
 * set is symmetric around 0, so the estimate is log 1.25 exactly. */
static void test_hodges_lehmann_recovers_shift(void **state)
{
    (void)state;
    double a[] = {9.1e6, 1.02e7, 9.7e6, 1.05e7, 9.9e6, 1.01e7, 9.4e6};
    double b[] = {a[3] * 1.25, a[0] * 1.25, a[6] * 1.25, a[1] * 1.25,
                  a[5] * 1.25, a[2] * 1.25, a[4] * 1.25};
    struct stats_shift s;
    stats_hodges_lehmann_log(a, 7, b, 7, 0.05, &s);
    assert_float_equal(s.estimate, log(1.25), 1e-12);
    assert_true(s.lo <= log(1.25) && log(1.25) <= s.hi);
    assert_true(s.lo > 0.0); /* the spread (about 12%) is smaller than the shift */
    stats_hodges_lehmann_log(b, 7, a, 7, 0.05, &s);
    assert_float_equal(s.estimate, -log(1.25), 1e-12);
    stats_hodges_lehmann_log(a, 7, a, 7, 0.05, &s);
    assert_float_equal(s.estimate, 0.0, 1e-12);
    assert_true(s.lo <= 0.0 && s.hi >= 0.0);
}

/* 3 vs 3: P(U <= 0) = 0.05, so a 95% interval is out of reach (infinite) and a 90% one is the
 * full range of differences [d_(1), d_(9)]. */
static void test_hodges_lehmann_level_out_of_reach(void **state)
{
    (void)state;
    double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    struct stats_shift s;
    stats_hodges_lehmann_log(a, 3, b, 3, 0.05, &s);
    /* ratios b/a sorted: 4/3 5/3 2 2 5/2 3 4 5 6; the median is 5/2 */
    assert_float_equal(s.estimate, log(2.5), 1e-12);
    assert_true(isinf(s.lo) && s.lo < 0 && isinf(s.hi) && s.hi > 0);
    stats_hodges_lehmann_log(a, 3, b, 3, 0.1, &s);
    assert_float_equal(s.lo, log(4.0 / 3.0), 1e-12);
    assert_float_equal(s.hi, log(6.0), 1e-12);
}

/* Under the null (both samples from one distribution) a 1 - alpha interval misses 0 with
 * probability 2 P(U <= k-1) <= alpha, and the test rejects at most alpha of the time.  Seeded
 * 7 vs 7 trials; bounds are z = STATS_Z_STRICT binomial tolerances around the exact rates. */
static void test_coverage_under_null(void **state)
{
    (void)state;
    const size_t trials = support_scale(2000, 300);
    const double alpha = 0.05;
    double cdf[50];
    assert_true(stats_mann_whitney_cdf(7, 7, cdf));
    size_t k = 0;
    while (cdf[k] <= alpha / 2)
        k++;
    double miss_rate = 2.0 * cdf[k - 1]; /* exact miss probability of Lehmann's interval */
    struct support_rng rng;
    support_rng_seed(&rng, 20240501);
    size_t misses = 0, rejections = 0;
    for (size_t t = 0; t < trials; t++) {
        double a[7], b[7];
        for (int i = 0; i < 7; i++) {
            a[i] = 1e6 * (1.0 + (double)(support_rng_next(&rng) >> 11) * 0x1p-53);
            b[i] = 1e6 * (1.0 + (double)(support_rng_next(&rng) >> 11) * 0x1p-53);
        }
        struct stats_shift s;
        stats_hodges_lehmann_log(a, 7, b, 7, alpha, &s);
        misses += s.lo > 0.0 || s.hi < 0.0;
        rejections += stats_mann_whitney_p(a, 7, b, 7) < alpha;
    }
    double tolerance = stats_binomial_tolerance(trials, miss_rate, STATS_Z_STRICT);
    assert_true(miss_rate <= alpha);
    assert_true((double)misses <= (double)trials * miss_rate + tolerance);
    assert_true((double)misses >= (double)trials * miss_rate - tolerance);
    assert_true((double)rejections <= (double)trials * alpha +
                                          stats_binomial_tolerance(trials, alpha, STATS_Z_STRICT));
}

static void test_summaries(void **state)
{
    (void)state;
    double x[] = {4, 1, 3, 2}, y[] = {5, 1, 3};
    assert_float_equal(stats_median(x, 4), 2.5, 1e-12);
    assert_float_equal(stats_median(y, 3), 3.0, 1e-12);
    assert_float_equal(x[0], 4.0, 0.0); /* input untouched */
    assert_float_equal(stats_mean(x, 4), 2.5, 1e-12);
    /* sample sd of 1..4 is sqrt(5/3); cv = sqrt(5/3) / 2.5 */
    assert_float_equal(stats_cv(x, 4), sqrt(5.0 / 3.0) / 2.5, 1e-12);
    assert_float_equal(stats_cv(x, 1), 0.0, 0.0);
    assert_true(isnan(stats_median(x, 0)) && isnan(stats_mean(x, 0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_p_textbook),
        cmocka_unit_test(test_exact_p_small),
        cmocka_unit_test(test_exact_distribution),
        cmocka_unit_test(test_exact_p_with_ties),
        cmocka_unit_test(test_normal_approximation_with_ties),
        cmocka_unit_test(test_signed_rank),
        cmocka_unit_test(test_walsh_interval),
        cmocka_unit_test(test_hodges_lehmann_runs),
        cmocka_unit_test(test_median_interval),
        cmocka_unit_test(test_large_samples),
        cmocka_unit_test(test_benjamini_hochberg),
        cmocka_unit_test(test_hodges_lehmann_textbook),
        cmocka_unit_test(test_hodges_lehmann_recovers_shift),
        cmocka_unit_test(test_hodges_lehmann_level_out_of_reach),
        cmocka_unit_test(test_coverage_under_null),
        cmocka_unit_test(test_summaries),
    };
    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
