/*
 * test_zipf.c: the Zipf samplers against their theoretical frequencies (Pearson chi-square at a
 * 1e-6 significance level), for exponents below, at and above 1, small and large n, theta 0 as
 * uniform, and determinism for a seed.  Both samplers face the same checks: the exact
 * rejection-inversion one and the tabulated one the timed loop uses (zipf_table), whose tail (ranks
 * beyond its exact head) is also checked in log-spaced bins of ranks up to 4M, and whose tables
 * stay ordered at 64M ranks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "runner/zipf.h"
#include "tests/stats.h"

static uint64_t zipf_test_samples(void)
{
    return stats_quick() ? 50000 : 400000;
}

enum zipf_test_sampler { ZIPF_EXACT, ZIPF_TABLE };

/* A Zipf sampler of either kind over (n, theta). */
struct zipf_test_draw {
    enum zipf_test_sampler kind;
    struct zipf z;
    struct zipf_table table;
};

static void zipf_test_draw_init(struct zipf_test_draw *d, enum zipf_test_sampler kind, uint64_t n,
                                double theta)
{
    d->kind = kind;
    if (kind == ZIPF_EXACT)
        assert_true(zipf_init(&d->z, n, theta));
    else
        assert_true(zipf_table_init(&d->table, n, theta));
}

static uint64_t zipf_test_sample(struct zipf_test_draw *d, struct rng *r)
{
    return d->kind == ZIPF_EXACT ? zipf_sample(&d->z, r) : zipf_table_rank(&d->table, rng_next(r));
}

static void zipf_test_draw_free(struct zipf_test_draw *d)
{
    if (d->kind == ZIPF_TABLE)
        zipf_table_free(&d->table);
}

static void zipf_assert_chi_square(const uint64_t *observed, const double *expected, int bins,
                                   uint64_t n, double theta, const char *what)
{
    int df;
    double statistic = stats_chi_square(observed, expected, bins, &df);
    double critical = stats_chi_square_critical(df, STATS_Z_STRICT);
    if (statistic > critical)
        fprintf(stderr, "zipf %s n=%llu theta=%g: chi2 %.1f > %.1f (df %d)\n", what,
                (unsigned long long)n, theta, statistic, critical, df);
    assert_true(statistic <= critical);
}

/* Draws samples, bins the first `bins - 1` ranks and the rest in one last bin, and compares. */
static void zipf_check_fit_with(enum zipf_test_sampler kind, uint64_t n, double theta, int bins,
                                uint64_t seed)
{
    struct zipf_test_draw z;
    struct rng r;
    zipf_test_draw_init(&z, kind, n, theta);
    rng_seed(&r, seed, 0);
    uint64_t samples = zipf_test_samples();
    uint64_t *observed = calloc((size_t)bins, sizeof *observed);
    double *expected = calloc((size_t)bins, sizeof *expected);
    assert_non_null(observed);
    assert_non_null(expected);
    for (uint64_t i = 0; i < samples; i++) {
        uint64_t k = zipf_test_sample(&z, &r);
        assert_true(k < n);
        observed[k < (uint64_t)bins - 1 ? k : (uint64_t)bins - 1]++;
    }
    double harmonic = zipf_harmonic(n, theta);
    double head = 0.0;
    for (int k = 0; k < bins - 1; k++) {
        double p = zipf_probability((uint64_t)k, theta, harmonic);
        expected[k] = p * (double)samples;
        head += p;
    }
    expected[bins - 1] = (1.0 - head) * (double)samples;
    zipf_assert_chi_square(observed, expected, bins, n, theta,
                           kind == ZIPF_EXACT ? "exact" : "table");
    free(observed);
    free(expected);
    zipf_test_draw_free(&z);
}

/* Both samplers face every fit. */
static void zipf_check_fit(uint64_t n, double theta, int bins, uint64_t seed)
{
    zipf_check_fit_with(ZIPF_EXACT, n, theta, bins, seed);
    zipf_check_fit_with(ZIPF_TABLE, n, theta, bins, seed);
}

/* The table's tail, ranks from ZIPF_TABLE_HEAD_MAX on, where a rank is interpolated within its
 * bucket: bins of ranks doubling in width from the head to n, each rank's probability summed
 * exactly, plus one bin for the whole head. */
static void zipf_check_tail_fit(uint64_t n, double theta, uint64_t seed)
{
    enum { BINS = 40 };
    uint64_t edges[BINS + 1], observed[BINS] = {0};
    double expected[BINS] = {0};
    int bins = 0;
    edges[0] = 0;
    for (uint64_t edge = ZIPF_TABLE_HEAD_MAX; edge < n && bins < BINS - 1; edge += edge / 4)
        edges[++bins] = edge;
    edges[++bins] = n;
    struct zipf_test_draw z;
    struct rng r;
    zipf_test_draw_init(&z, ZIPF_TABLE, n, theta);
    rng_seed(&r, seed, 0);
    uint64_t samples = zipf_test_samples();
    for (uint64_t i = 0; i < samples; i++) {
        uint64_t k = zipf_test_sample(&z, &r);
        assert_true(k < n);
        int b = 0;
        while (k >= edges[b + 1])
            b++;
        observed[b]++;
    }
    double harmonic = zipf_harmonic(n, theta);
    for (int b = 0; b < bins; b++)
        for (uint64_t k = edges[b]; k < edges[b + 1]; k++)
            expected[b] += zipf_probability(k, theta, harmonic) * (double)samples;
    zipf_assert_chi_square(observed, expected, bins, n, theta, "table tail");
    zipf_test_draw_free(&z);
}

static void test_zipf_fits_small_n(void **state)
{
    (void)state;
    const double thetas[] = {0.5, 0.8, 0.99, 1.0, 1.2, 2.0};
    for (size_t i = 0; i < sizeof thetas / sizeof thetas[0]; i++)
        zipf_check_fit(100, thetas[i], 101, 42 + i); /* every rank its own bin (last is empty) */
}

static void test_zipf_fits_top_ranks_of_large_n(void **state)
{
    (void)state;
    const double thetas[] = {0.8, 0.99, 1.0, 1.2};
    for (size_t i = 0; i < sizeof thetas / sizeof thetas[0]; i++)
        zipf_check_fit(1000000, thetas[i], 65, 7 + i); /* ranks 0..63 and the tail in one bin */
}

static void test_zipf_theta_zero_is_uniform(void **state)
{
    (void)state;
    zipf_check_fit(100, 0.0, 101, 3);
    zipf_check_fit(1000, 0.0, 1001, 4);
}

static void test_zipf_table_tail_fits(void **state)
{
    (void)state;
    const double thetas[] = {0.0, 0.5, 0.99, 1.0, 1.2};
    uint64_t n = stats_quick() ? 1u << 18 : 1u << 22;
    for (size_t i = 0; i < sizeof thetas / sizeof thetas[0]; i++)
        zipf_check_tail_fit(n, thetas[i], 21 + i);
}

/* At 64M ranks the tables are ordered, span the ranks, and draws stay in range. */
static void test_zipf_table_large_n(void **state)
{
    (void)state;
    struct zipf_table t;
    const uint64_t n = 1ULL << 26;
    assert_true(zipf_table_init(&t, n, 0.99));
    assert_int_equal(t.head, ZIPF_TABLE_HEAD_MAX);
    assert_true(t.tail[0] == (double)t.head && t.tail[ZIPF_TABLE_BUCKETS] == (double)n);
    for (uint32_t b = 1; b <= ZIPF_TABLE_BUCKETS; b++)
        assert_true(t.tail[b] >= t.tail[b - 1]);
    for (uint32_t r = 1; r < t.head; r++)
        assert_true(t.cdf[r] > t.cdf[r - 1]);
    assert_int_equal(zipf_table_rank(&t, 0), 0);
    assert_int_equal(zipf_table_rank(&t, UINT64_MAX), n - 1);
    assert_int_equal(zipf_table_rank(&t, t.head_mass), t.head);
    assert_int_equal(zipf_table_rank(&t, t.head_mass - 1), t.head - 1);
    zipf_table_free(&t);
    assert_false(zipf_table_init(&t, 0, 1.0));
    assert_false(zipf_table_init(&t, 10, -1.0));
    assert_true(zipf_table_init(&t, 1, 0.99)); /* one rank: every u draws it */
    assert_int_equal(zipf_table_rank(&t, 0), 0);
    assert_int_equal(zipf_table_rank(&t, UINT64_MAX), 0);
    zipf_table_free(&t);
}

static void test_zipf_is_deterministic_for_a_seed(void **state)
{
    (void)state;
    struct zipf z;
    struct rng a, b, c;
    assert_true(zipf_init(&z, 1000, 0.99));
    rng_seed(&a, 99, 1);
    rng_seed(&b, 99, 1);
    rng_seed(&c, 99, 2);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = zipf_sample(&z, &a);
        assert_int_equal(x, zipf_sample(&z, &b));
        differ += x != zipf_sample(&z, &c);
    }
    assert_true(differ > 0);
}

static void test_zipf_edges(void **state)
{
    (void)state;
    struct zipf z;
    struct rng r;
    rng_seed(&r, 1, 0);
    assert_false(zipf_init(&z, 0, 1.0));
    assert_false(zipf_init(&z, 10, -0.5));
    assert_true(zipf_init(&z, 1, 1.2));
    for (int i = 0; i < 100; i++)
        assert_int_equal(zipf_sample(&z, &r), 0);
    assert_true(zipf_init(&z, 1ULL << 40, 0.99)); /* huge n: samples stay in range */
    for (int i = 0; i < 1000; i++)
        assert_true(zipf_sample(&z, &r) < (1ULL << 40));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf_fits_small_n),
        cmocka_unit_test(test_zipf_fits_top_ranks_of_large_n),
        cmocka_unit_test(test_zipf_theta_zero_is_uniform),
        cmocka_unit_test(test_zipf_table_tail_fits),
        cmocka_unit_test(test_zipf_table_large_n),
        cmocka_unit_test(test_zipf_is_deterministic_for_a_seed),
        cmocka_unit_test(test_zipf_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
