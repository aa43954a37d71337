/*
 * stats.c: chi-square and binomial helpers for the generator tests (see stats.h).
 */
#include "tests/stats.h"

#include <math.h>
#include <stdlib.h>

double stats_chi_square_critical(double df, double z)
{
    double a = 2.0 / (9.0 * df);
    double cube = 1.0 - a + z * sqrt(a);
    return df * cube * cube * cube;
}

double stats_binomial_tolerance(uint64_t n, double p, double z)
{
    return z * sqrt((double)n * p * (1.0 - p)) + 1.0; /* +1: counts are integers */
}

double stats_chi_square(const uint64_t *observed, const double *expected, int bins, int *df)
{
    double statistic = 0.0, obs = 0.0, exp_sum = 0.0;
    int merged = 0;
    for (int i = 0; i < bins; i++) {
        obs += (double)observed[i];
        exp_sum += expected[i];
        if (exp_sum >= 5.0 || i == bins - 1) {
            if (exp_sum > 0.0) {
                statistic += (obs - exp_sum) * (obs - exp_sum) / exp_sum;
                merged++;
            }
            obs = exp_sum = 0.0;
        }
    }
    *df = merged - 1;
    return statistic;
}

int stats_quick(void)
{
    const char *quick = getenv("MAPBENCH_TEST_QUICK");
    return quick && *quick && *quick != '0';
}

int stats_compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}
