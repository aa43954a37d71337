/*
 * test_zipf.c: the Zipf sampler against its theoretical frequencies (Pearson chi-square at a
 * 1e-6 significance level), for exponents below, at and above 1, small and large n, theta 0 as
 * uniform, and determinism for a seed.
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

/* Draws samples, bins the first `bins - 1` ranks and the rest in one last bin, and compares. */
static void zipf_check_fit(uint64_t n, double theta, int bins, uint64_t seed)
{
    struct zipf z;
    struct rng r;
    assert_true(zipf_init(&z, n, theta));
    rng_seed(&r, seed, 0);
    uint64_t samples = zipf_test_samples();
    uint64_t *observed = calloc((size_t)bins, sizeof *observed);
    double *expected = calloc((size_t)bins, sizeof *expected);
    assert_non_null(observed);
    assert_non_null(expected);
    for (uint64_t i = 0; i < samples; i++) {
        uint64_t k = zipf_sample(&z, &r);
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
    int df;
    double statistic = stats_chi_square(observed, expected, bins, &df);
    double critical = stats_chi_square_critical(df, STATS_Z_STRICT);
    if (statistic > critical)
        fprintf(stderr, "zipf n=%llu theta=%g: chi2 %.1f > %.1f (df %d)\n", (unsigned long long)n,
                theta, statistic, critical, df);
    assert_true(statistic <= critical);
    free(observed);
    free(expected);
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
        cmocka_unit_test(test_zipf_is_deterministic_for_a_seed),
        cmocka_unit_test(test_zipf_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
