/*
 * zipf.c: rejection-inversion Zipf sampling (see zipf.h for the method and its source).
 *
 * Internally ranks are 1-based as in the paper (k = 1..n with weight k^-theta); zipf_sample
 * returns k - 1.  The helpers log1p(x)/x and expm1(x)/x switch to their Taylor series near 0 so
 * that theta = 1 (where 1 - theta = 0) is neither a division by zero nor a loss of precision.
 *
 * The tabulated sampler (zipf_table, used by the timed loop) follows; zipf.h states its method and
 * its error bound.  Its tail positions solve "weight of ranks in (head, y] = target" for real y by
 * Newton's method on the Euler-Maclaurin form of the partial sums, boundary after boundary.
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

/* ---- the tabulated sampler (see zipf.h) ---- */

#include <stdlib.h>

#include "base/xalloc.h"

/* The weight x^-theta of 1-based rank x, at real x. */
static double zipf_weight(double theta, double x)
{
    return exp(-theta * log(x));
}

/* Sum of k^-theta over integers k in (m, y], extended to real y by Euler-Maclaurin: the integral,
 * the end-point half terms and the first two Bernoulli corrections.  At m >= 2^16 the next term
 * is below 1e-25 of the sum.  Continuous and increasing in y; exact to rounding at integers.
 * What depends on m alone is computed once. */
struct zipf_tail_sum {
    double theta, m, log_m, m_power; /* m_power: m^(1 - theta) */
    double d1, d3;                   /* f'(x) = d1 f(x) / x and f'''(x) = d3 f(x) / x^3 */
    double at_m;                     /* the end-point terms at m */
};

static void zipf_tail_sum_init(struct zipf_tail_sum *t, double theta, double m)
{
    t->theta = theta;
    t->m = m;
    t->log_m = log(m);
    t->m_power = exp((1.0 - theta) * t->log_m);
    t->d1 = -theta;
    t->d3 = -theta * (theta + 1.0) * (theta + 2.0);
    double fm = zipf_weight(theta, m);
    t->at_m = fm / 2.0 + t->d1 * fm / m / 12.0 - t->d3 * fm / (m * m * m) / 720.0;
}

/* The sum up to real y; *weight_y gets y^-theta, the sum's derivative to within the corrections. */
static double zipf_tail_sum_at(const struct zipf_tail_sum *t, double y, double *weight_y)
{
    double log_y = log(y), log_ratio = log_y - t->log_m;
    double fy = exp(-t->theta * log_y);
    double integral = t->m_power * log_ratio * zipf_expm1_over_x((1.0 - t->theta) * log_ratio);
    *weight_y = fy;
    return integral + fy / 2.0 + t->d1 * fy / y / 12.0 - t->d3 * fy / (y * y * y) / 720.0 - t->at_m;
}

/* The y in [low, high] where the tail's sum reaches target: Newton's method from low (the previous
 * boundary, so two or three steps do), bisection when a step leaves the bracket; to 1e-10 of y,
 * a ten-millionth of a rank at 2^26. */
static double zipf_tail_position(const struct zipf_tail_sum *t, double target, double low,
                                 double high)
{
    double y = low;
    for (int i = 0; i < 100; i++) {
        double fy, excess = zipf_tail_sum_at(t, y, &fy) - target;
        if (excess > 0)
            high = y;
        else
            low = y;
        double next = y - excess / fy;
        if (!(next > low && next < high))
            next = (low + high) / 2.0;
        if (fabs(next - y) <= 1e-10 * y || high - low <= 1e-10 * y)
            return next;
        y = next;
    }
    return y;
}

/* 2^64 * p, saturating at UINT64_MAX. */
static uint64_t zipf_fixed_point(double p)
{
    double scaled = ldexp(p, 64);
    return scaled >= 0x1p64 ? UINT64_MAX : (uint64_t)scaled;
}

/* The head's cumulative probabilities (total: the weight of all n ranks) and its guide. */
static void zipf_table_head(struct zipf_table *t, double total)
{
    double sum = 0.0;
    for (uint32_t r = 0; r < t->head; r++) {
        sum += zipf_weight(t->theta, (double)r + 1.0);
        t->cdf[r] = zipf_fixed_point(sum / total);
    }
    if (t->head == t->n)
        t->cdf[t->head - 1] = UINT64_MAX; /* every u falls in the head */
    t->head_mass = t->cdf[t->head - 1];
    uint32_t r = 0;
    for (uint64_t b = 0; b < ZIPF_TABLE_BUCKETS; b++) {
        while (r + 1 < t->head && t->cdf[r] <= b << 48)
            r++;
        t->guide[b] = r;
    }
}

static double zipf_head_weight(double theta, uint32_t head)
{
    double sum = 0.0;
    for (uint32_t k = 1; k <= head; k++)
        sum += zipf_weight(theta, (double)k);
    return sum;
}

/* Tail bucket boundaries: equal shares of the tail's weight, as real rank positions. */
static void zipf_table_tail(struct zipf_table *t, double tail_weight)
{
    double m = (double)t->head, n = (double)t->n;
    struct zipf_tail_sum sum;
    zipf_tail_sum_init(&sum, t->theta, m);
    t->tail[0] = m;
    t->tail[ZIPF_TABLE_BUCKETS] = n;
    for (uint32_t j = 1; j < ZIPF_TABLE_BUCKETS; j++)
        t->tail[j] = zipf_tail_position(&sum, tail_weight * j / ZIPF_TABLE_BUCKETS, t->tail[j - 1],
                                        n);
    t->tail_scale = (double)ZIPF_TABLE_BUCKETS / ((double)(0 - t->head_mass));
}

bool zipf_table_init(struct zipf_table *t, uint64_t n, double theta)
{
    *t = (struct zipf_table){.n = n, .theta = theta};
    if (n == 0 || n >= (1ULL << 53) || !(theta >= 0.0) || !isfinite(theta))
        return false;
    t->head = n < ZIPF_TABLE_HEAD_MAX ? (uint32_t)n : ZIPF_TABLE_HEAD_MAX;
    double head_weight = zipf_head_weight(theta, t->head), tail_weight = 0.0;
    if (t->head < n) {
        struct zipf_tail_sum sum;
        double fn;
        zipf_tail_sum_init(&sum, theta, (double)t->head);
        tail_weight = zipf_tail_sum_at(&sum, (double)n, &fn);
    }
    t->cdf = xmalloc(t->head * sizeof *t->cdf);
    t->guide = xmalloc(ZIPF_TABLE_BUCKETS * sizeof *t->guide);
    zipf_table_head(t, head_weight + tail_weight);
    if (t->head < n) {
        t->tail = xmalloc((ZIPF_TABLE_BUCKETS + 1) * sizeof *t->tail);
        zipf_table_tail(t, tail_weight);
    }
    return true;
}

void zipf_table_free(struct zipf_table *t)
{
    free(t->cdf);
    free(t->guide);
    free(t->tail);
    *t = (struct zipf_table){0};
}

uint64_t zipf_table_tail_rank(const struct zipf_table *t, uint64_t u)
{
    if (!t->tail)
        return t->n - 1; /* u == UINT64_MAX with every rank in the head */
    double at = (double)(u - t->head_mass) * t->tail_scale;
    size_t b = at < (double)ZIPF_TABLE_BUCKETS ? (size_t)at : ZIPF_TABLE_BUCKETS - 1;
    double x = t->tail[b] + (at - (double)b) * (t->tail[b + 1] - t->tail[b]);
    uint64_t r = (uint64_t)x;
    if (r < t->head)
        r = t->head;
    return r < t->n ? r : t->n - 1;
}
