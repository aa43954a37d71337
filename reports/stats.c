/*
 * stats.c: the rank statistics of stats.h.
 *
 * Mann-Whitney U.  U counts the pairs (a_i, b_j) with a_i > b_j, ties counting one half.  Under
 * the null hypothesis (both samples from one continuous distribution) every assignment of the
 * N = na + nb ranks to the two samples is equally likely, so U's exact distribution is a count of
 * subsets: stats_mann_whitney_cdf builds it by dynamic programming over the ranks, O(N * na * na*nb)
 * in time and O(na * na*nb) in memory.  It is used, as R's wilcox.test does, while both samples
 * are smaller than STATS_EXACT_LIMIT and there are no ties; otherwise the normal approximation
 * with the tie-corrected variance and a continuity correction (Hollander & Wolfe, Nonparametric
 * Statistical Methods, 2nd ed., section 4.1).
 *
 * Hodges-Lehmann.  The shift estimate is the median of the na*nb differences log b_j - log a_i.
 * Lehmann's interval is [d_(k), d_(M+1-k)] of the sorted differences (M = na*nb): it misses the
 * true shift exactly when U <= k-1 or U >= M-k+1, so k is the largest with P(U <= k-1) <= alpha/2
 * (the same rule as R's wilcox.test, conf.int = TRUE).  When even k = 1 is too wide a miss
 * (2 / C(N, na) > alpha) the level is out of reach and the interval is infinite, rather than
 * [min, max] at a lower level than asked.  Large samples take k from the normal approximation.
 *
 * Benjamini-Hochberg.  q_(i) = min over j >= i of p_(j) * n / j, capped at 1, on the p-values
 * sorted ascending (Benjamini & Hochberg 1995; R's p.adjust(method = "BH")).
 */
#include "reports/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* Both samples below this size and no ties: exact U distribution (R's rule). */
#define STATS_EXACT_LIMIT 50

static int stats_compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A sorted copy of x[0..n); NULL when out of memory. */
static double *stats_sorted_copy(const double *x, size_t n)
{
    double *copy = xcalloc(n, sizeof *copy);
    memcpy(copy, x, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, stats_compare_double);
    return copy;
}

/* Standard normal upper tail P(Z > z). */
static double stats_normal_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* The z with P(Z > z) = p, 0 < p < 1, by bisection on erfc (exact to double precision). */
static double stats_normal_upper_quantile(double p)
{
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (stats_normal_upper(mid) > p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

bool stats_mann_whitney_cdf(size_t na, size_t nb, double *cdf)
{
    size_t m = na * nb;
    /* ways[k][u]: subsets of k of the ranks seen so far (as sample a) with U = u; sample a's
     * member at 1-based rank r, the k-th chosen, has r - k members of b below it. */
    double *ways = xcalloc((na + 1) * (m + 1), sizeof *ways);
    ways[0] = 1.0;
    for (size_t r = 1; r <= na + nb; r++) {
        size_t kmax = r < na ? r : na;
        for (size_t k = kmax; k >= 1; k--) {
            size_t shift = r - k;
            if (shift > nb)
                continue;
            double *to = ways + k * (m + 1), *from = ways + (k - 1) * (m + 1);
            for (size_t u = shift; u <= m; u++)
                to[u] += from[u - shift]; /* rows differ: order within the row is free */
        }
    }
    double total = 0.0, *last = ways + na * (m + 1);
    for (size_t u = 0; u <= m; u++)
        total += last[u];
    double running = 0.0;
    for (size_t u = 0; u <= m; u++) {
        running += last[u];
        cdf[u] = running / total;
    }
    free(ways);
    return true;
}

double stats_mann_whitney_min_p(size_t na, size_t nb)
{
    if (na == 0 || nb == 0)
        return 1.0;
    /* 2 / C(na + nb, na), in logs so large samples do not overflow. */
    double log_choose = lgamma((double)(na + nb) + 1) - lgamma((double)na + 1) -
                        lgamma((double)nb + 1);
    double p = 2.0 * exp(-log_choose);
    return p < 1.0 ? p : 1.0;
}

size_t stats_mann_whitney_needed(double alpha)
{
    size_t n = 1;
    while (n < STATS_EXACT_LIMIT && !(stats_mann_whitney_min_p(n, n) < alpha))
        n++;
    return n;
}

/* U of a against b (midranks for ties) and the tie term sum(t^3 - t) over tied groups. */
static bool stats_u_statistic(const double *a, size_t na, const double *b, size_t nb, double *u,
                              double *tie_term)
{
    size_t n = na + nb;
    struct tagged {
        double value;
        int from_a;
    } *all = xcalloc(n, sizeof *all);
    for (size_t i = 0; i < na; i++)
        all[i] = (struct tagged){a[i], 1};
    for (size_t j = 0; j < nb; j++)
        all[na + j] = (struct tagged){b[j], 0};
    qsort(all, n, sizeof *all, stats_compare_double); /* value is the first member */
    double rank_sum_a = 0.0;
    *tie_term = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && all[j].value == all[i].value)
            j++;
        double t = (double)(j - i), midrank = 0.5 * (double)(i + 1 + j);
        *tie_term += t * t * t - t;
        for (size_t k = i; k < j; k++)
            rank_sum_a += all[k].from_a ? midrank : 0.0;
        i = j;
    }
    free(all);
    *u = rank_sum_a - 0.5 * (double)na * (double)(na + 1);
    return true;
}

static double stats_mann_whitney_exact_p(double u, size_t na, size_t nb)
{
    size_t m = na * nb;
    double *cdf = xmalloc((m + 1) * sizeof *cdf);
    if (!stats_mann_whitney_cdf(na, nb, cdf)) {
        free(cdf);
        return NAN;
    }
    /* Symmetric distribution: fold onto the lower tail. */
    size_t low = (size_t)llround(u < 0.5 * (double)m ? u : (double)m - u);
    double p = 2.0 * cdf[low];
    free(cdf);
    return p < 1.0 ? p : 1.0;
}

double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return 1.0;
    double u, tie_term;
    if (!stats_u_statistic(a, na, b, nb, &u, &tie_term))
        return NAN;
    if (na < STATS_EXACT_LIMIT && nb < STATS_EXACT_LIMIT && tie_term == 0.0)
        return stats_mann_whitney_exact_p(u, na, nb);
    double n = (double)(na + nb), m = (double)na * (double)nb;
    double variance = m / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if (variance <= 0.0)
        return 1.0; /* every value equal: no evidence of a shift */
    double centred = u - 0.5 * m;
    double corrected = fabs(centred) - 0.5;
    if (corrected < 0.0)
        corrected = 0.0;
    double p = 2.0 * stats_normal_upper(corrected / sqrt(variance));
    return p < 1.0 ? p : 1.0;
}

/* Lehmann's k (1-based order statistic of the differences) at level 1 - alpha; 0 when out of
 * reach. */
static size_t stats_lehmann_k(size_t na, size_t nb, double alpha)
{
    size_t m = na * nb;
    if (na >= STATS_EXACT_LIMIT || nb >= STATS_EXACT_LIMIT) {
        double z = stats_normal_upper_quantile(alpha / 2.0);
        double n = (double)(na + nb);
        double k = floor(0.5 * (double)m - z * sqrt((double)m * (n + 1.0) / 12.0));
        return k >= 1.0 ? (size_t)k : 0;
    }
    double *cdf = xmalloc((m + 1) * sizeof *cdf);
    if (!stats_mann_whitney_cdf(na, nb, cdf)) {
        free(cdf);
        return 0;
    }
    /* A relative slack so that an exact tie with alpha/2 (3 vs 3 at 0.1) counts as reached. */
    size_t k = 0;
    while (k <= m && cdf[k] <= alpha / 2.0 * (1.0 + 1e-12))
        k++;
    free(cdf);
    return k; /* cdf[k-1] <= alpha/2 < cdf[k]: d_(k) */
}

static void stats_shift_unknown(struct stats_shift *out)
{
    out->estimate = NAN;
    out->lo = -INFINITY;
    out->hi = INFINITY;
}

void stats_hodges_lehmann_log(const double *a, size_t na, const double *b, size_t nb,
                              double alpha, struct stats_shift *out)
{
    size_t m = na * nb;
    double *diff = m ? xmalloc(m * sizeof *diff) : NULL;
    if (!diff) {
        stats_shift_unknown(out);
        return;
    }
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            diff[i * nb + j] = log(b[j]) - log(a[i]);
    qsort(diff, m, sizeof *diff, stats_compare_double);
    out->estimate = m % 2 ? diff[m / 2] : 0.5 * (diff[m / 2 - 1] + diff[m / 2]);
    size_t k = stats_lehmann_k(na, nb, alpha);
    out->lo = k ? diff[k - 1] : -INFINITY;
    out->hi = k ? diff[m - k] : INFINITY;
    free(diff);
}

struct stats_ranked_p {
    double p;
    size_t index;
};

static int stats_compare_ranked_p(const void *a, const void *b)
{
    return stats_compare_double(&((const struct stats_ranked_p *)a)->p,
                                &((const struct stats_ranked_p *)b)->p);
}

void stats_benjamini_hochberg(double *p, size_t n)
{
    struct stats_ranked_p *sorted = xcalloc(n, sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (struct stats_ranked_p){p[i], i};
    qsort(sorted, n, sizeof *sorted, stats_compare_ranked_p);
    double running_min = 1.0;
    for (size_t r = n; r >= 1; r--) {
        double q = sorted[r - 1].p * (double)n / (double)r;
        if (q < running_min)
            running_min = q;
        p[sorted[r - 1].index] = running_min;
    }
    free(sorted);
}

/* The middle of a sorted copy of x: for even n the mean of the two middle values, or the lower. */
static double stats_middle(const double *x, size_t n, bool lower)
{
    double *sorted = n ? stats_sorted_copy(x, n) : NULL;
    if (!sorted)
        return NAN;
    double middle = n % 2 || lower ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    free(sorted);
    return middle;
}

double stats_median(const double *x, size_t n)
{
    return stats_middle(x, n, false);
}

double stats_lower_median(const double *x, size_t n)
{
    return stats_middle(x, n, true);
}

double stats_mean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum / (double)n;
}

double stats_cv(const double *x, size_t n)
{
    if (n < 2)
        return 0.0;
    double mean = stats_mean(x, n), squares = 0.0;
    for (size_t i = 0; i < n; i++)
        squares += (x[i] - mean) * (x[i] - mean);
    return sqrt(squares / (double)(n - 1)) / mean;
}
