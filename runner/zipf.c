/*
 * zipf.c: rejection-inversion Zipf sampling (see zipf.h for the method and its source).
 *
 * Internally ranks are 1-based as in the paper (k = 1..n with weight k^-theta); zipf_sample
 * returns k - 1.  The helpers log1p(x)/x and expm1(x)/x switch to their Taylor series near 0 so
 * that theta = 1 (where 1 - theta = 0) is neither a division by zero nor a loss of precision.
 */
#include "runner/zipf.h"

#include <math.h>

#define ZIPF_TAYLOR_THRESHOLD 1e-8

/* log1p(x) / x, continuous at 0. */
static double zipf_log1p_over_x(double x)
{
    if (fabs(x) > ZIPF_TAYLOR_THRESHOLD)
        return log1p(x) / x;
    return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

/* expm1(x) / x, continuous at 0. */
static double zipf_expm1_over_x(double x)
{
    if (fabs(x) > ZIPF_TAYLOR_THRESHOLD)
        return expm1(x) / x;
    return 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

/* The hat function h(x) = x^-theta. */
static double zipf_hat(const struct zipf *z, double x)
{
    return exp(-z->theta * log(x));
}

/* H(x) = (x^(1-theta) - 1) / (1 - theta), or log(x) at theta = 1. */
static double zipf_hat_integral(const struct zipf *z, double x)
{
    double log_x = log(x);
    return zipf_expm1_over_x((1.0 - z->theta) * log_x) * log_x;
}

static double zipf_hat_integral_inverse(const struct zipf *z, double x)
{
    double t = x * (1.0 - z->theta);
    if (t < -1.0)
        t = -1.0; /* rounding can push it just past the domain's edge */
    return exp(zipf_log1p_over_x(t) * x);
}

bool zipf_init(struct zipf *z, uint64_t n, double theta)
{
    if (n == 0 || !(theta >= 0.0) || !isfinite(theta))
        return false;
    z->n = n;
    z->theta = theta;
    z->h_integral_x1 = zipf_hat_integral(z, 1.5) - 1.0;
    z->h_integral_n = zipf_hat_integral(z, (double)n + 0.5);
    z->s = 2.0 - zipf_hat_integral_inverse(z, zipf_hat_integral(z, 2.5) - zipf_hat(z, 2.0));
    return true;
}

uint64_t zipf_sample(const struct zipf *z, struct rng *r)
{
    for (;;) {
        /* u is uniform in (H(1.5) - 1, H(n + 0.5)] */
        double u = z->h_integral_n + rng_double(r) * (z->h_integral_x1 - z->h_integral_n);
        double x = zipf_hat_integral_inverse(z, u);
        double rounded = x + 0.5;
        uint64_t k;
        if (rounded < 1.0)
            k = 1;
        else if (rounded >= (double)z->n)
            k = z->n;
        else
            k = (uint64_t)rounded;
        if ((double)k - x <= z->s ||
            u >= zipf_hat_integral(z, (double)k + 0.5) - zipf_hat(z, (double)k))
            return k - 1;
    }
}

double zipf_harmonic(uint64_t n, double theta)
{
    double sum = 0.0;
    for (uint64_t k = n; k >= 1; k--) /* smallest terms first: less rounding */
        sum += pow((double)k, -theta);
    return sum;
}

double zipf_probability(uint64_t k, double theta, double harmonic)
{
    return pow((double)(k + 1), -theta) / harmonic;
}
