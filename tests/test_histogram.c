/*
 * test_histogram.c: the log-linear latency histogram: bucket boundaries (exact below 64, contiguous,
 * width within 2^-5 of the lower bound, covering all of uint64_t), percentiles of known
 * distributions within the stated 2^-6 relative error, exact max, merge equal to recording into one,
 * and the result_latency fill.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runner/histogram.h"
#include "runner/rng.h"
#include "tests/stats.h"

#define HISTOGRAM_TEST_ERROR (1.0 / 64.0) /* 2^-(SUB_BITS + 1): midpoint of a 2^-5 bucket */

static void test_histogram_buckets_tile_uint64(void **state)
{
    (void)state;
    assert_int_equal(histogram_bucket_count(), HISTOGRAM_BUCKETS);
    assert_int_equal(histogram_bucket_lower(0), 0);
    assert_true(histogram_bucket_upper(HISTOGRAM_BUCKETS - 1) == UINT64_MAX);
    for (size_t b = 0; b < HISTOGRAM_BUCKETS; b++) {
        uint64_t lower = histogram_bucket_lower(b), upper = histogram_bucket_upper(b);
        if (b + 1 < HISTOGRAM_BUCKETS)
            assert_true(histogram_bucket_lower(b + 1) == upper + 1);
        if (lower < 64)
            assert_true(lower == upper); /* exact region */
        else
            assert_true((double)(upper - lower + 1) <= (double)lower / 32.0);
        assert_int_equal(histogram_bucket_of(lower), b);
        assert_int_equal(histogram_bucket_of(upper), b);
    }
    assert_int_equal(histogram_bucket_of(63), 63);
    assert_int_equal(histogram_bucket_of(64), 64);
    assert_int_equal(histogram_bucket_of(65), 64);
    assert_int_equal(histogram_bucket_of(66), 65);
    assert_non_null(strstr(histogram_encoding(), "sub_bits=5"));
}

static void histogram_check_percentile(const struct histogram *h, double percent, double truth)
{
    double got = histogram_percentile(h, percent);
    assert_true(fabs(got - truth) <= truth * HISTOGRAM_TEST_ERROR);
}

/* The exact percentile of sorted values: the smallest v with at least percent% of samples <= v. */
static double exact_percentile(const uint64_t *sorted, size_t n, double percent)
{
    double wanted = percent / 100.0 * (double)n;
    size_t rank = (size_t)ceil(wanted);
    return (double)sorted[rank == 0 ? 0 : rank - 1];
}

static void test_histogram_percentiles_of_known_distributions(void **state)
{
    (void)state;
    struct histogram *h = calloc(1, sizeof *h);
    assert_non_null(h);
    /* 1..100000 uniform: pXX is XX% of 100000 */
    for (uint64_t v = 1; v <= 100000; v++)
        histogram_record(h, v);
    histogram_check_percentile(h, 50, 50000);
    histogram_check_percentile(h, 90, 90000);
    histogram_check_percentile(h, 99, 99000);
    histogram_check_percentile(h, 99.9, 99900);
    assert_true(histogram_percentile(h, 100) == 100000.0);

    /* log-normal-ish latencies spanning ns to ms, checked against the sorted samples */
    enum { N = 200000 };
    uint64_t *values = malloc(N * sizeof *values);
    assert_non_null(values);
    struct rng r;
    rng_seed(&r, 5, 0);
    histogram_reset(h);
    for (size_t i = 0; i < N; i++) {
        values[i] = (uint64_t)exp(3.0 + 9.0 * rng_double(&r) * rng_double(&r));
        histogram_record(h, values[i]);
    }
    qsort(values, N, sizeof *values, stats_compare_u64);
    const double percents[] = {1, 10, 50, 90, 99, 99.9, 99.99};
    for (size_t i = 0; i < sizeof percents / sizeof percents[0]; i++)
        histogram_check_percentile(h, percents[i], exact_percentile(values, N, percents[i]));
    assert_true(h->max == values[N - 1]);
    assert_int_equal(h->count, N);
    free(values);
    free(h);
}

static void test_histogram_small_values_are_exact(void **state)
{
    (void)state;
    struct histogram *h = calloc(1, sizeof *h);
    assert_non_null(h);
    for (int i = 0; i < 10; i++)
        histogram_record(h, 17);
    histogram_record(h, 40);
    assert_true(histogram_percentile(h, 50) == 17.0);
    assert_true(histogram_percentile(h, 99) == 40.0);
    histogram_record(h, 1000003); /* max exact even though its bucket is 32 wide */
    struct result_latency lat;
    histogram_fill_latency(h, 0.0, &lat);
    assert_int_equal(lat.samples, 12);
    assert_true(lat.max_ns == 1000003.0);
    assert_true(lat.p50_ns == 17.0);
    /* the timer's own cost comes off every figure, never below zero */
    histogram_fill_latency(h, 20.0, &lat);
    assert_int_equal(lat.samples, 12);
    assert_true(lat.max_ns == 1000003.0 - 20.0);
    assert_true(lat.p50_ns == 0.0);
    assert_true(lat.p90_ns == 20.0); /* the 11th of 12 samples: 40 */
    free(h);
}

static void test_histogram_merge_equals_one_recording(void **state)
{
    (void)state;
    struct histogram *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b), *all = calloc(1, sizeof *all);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(all);
    struct rng r;
    rng_seed(&r, 11, 0);
    for (int i = 0; i < 50000; i++) {
        uint64_t v = rng_next(&r) >> (rng_next(&r) & 63);
        histogram_record(i & 1 ? a : b, v);
        histogram_record(all, v);
    }
    histogram_merge(a, b);
    assert_int_equal(a->count, all->count);
    assert_true(a->max == all->max);
    assert_memory_equal(a->buckets, all->buckets, sizeof a->buckets);
    free(a);
    free(b);
    free(all);
}

static void test_histogram_empty(void **state)
{
    (void)state;
    struct histogram *h = calloc(1, sizeof *h);
    assert_non_null(h);
    struct result_latency lat;
    histogram_fill_latency(h, 25.0, &lat);
    assert_int_equal(lat.samples, 0);
    assert_true(lat.p99_ns == 0.0 && lat.max_ns == 0.0);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_buckets_tile_uint64),
        cmocka_unit_test(test_histogram_percentiles_of_known_distributions),
        cmocka_unit_test(test_histogram_small_values_are_exact),
        cmocka_unit_test(test_histogram_merge_equals_one_recording),
        cmocka_unit_test(test_histogram_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
