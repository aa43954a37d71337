/*
 * stats.c: the rank statistics of stats.h.
 *
 * Mann-Whitney U.  U counts the pairs (a_i, b_j) with a_i > b_j, ties counting one half; it is the
 * rank sum S of a less na(na+1)/2.  Under the null hypothesis (both samples from one distribution)
 * every assignment of the N = na + nb pooled values to the two samples is equally likely, and that
 * holds with ties too: the permutation distribution of S over the pooled sample's mid-ranks is
 * exact whatever the ties (Hollander & Wolfe, Nonparametric Statistical Methods, 2nd ed., 4.1,
 * "comment" on ties; the shift algorithm of Streitberg & Roehmel 1986 computes the same).  Doubled
 * mid-ranks are integers, so stats_rank_sum_exact_p counts subsets of size na by their sum of
 * doubled ranks, a dynamic programme of O(N * na * N^2) steps, while both samples are smaller than
 * STATS_EXACT_LIMIT (R's rule, which R applies only without ties).  The two-sided p is
 * P(|S - E S| >= |s - E S|), which for a symmetric (untied) distribution is twice the smaller tail.
 * Above the limit: the normal approximation with the tie-corrected variance and a continuity
 * correction.  Two all-tied groups of 5 (3 3 3 3 3 against 5 5 5 5 5) are a complete separation:
 * exact p = 2/252; the normal approximation said 0.004, below anything 5 against 5 can reach.
 *
 * Hodges-Lehmann.  The shift estimate is the median of the na*nb differences log b_j - log a_i.
 * Lehmann's interval is [d_(k), d_(M+1-k)] of the sorted differences (M = na*nb): it misses the
 * true shift exactly when U <= k-1 or U >= M-k+1, so k is the largest with P(U <= k-1) <= alpha/2
 * (the same rule as R's wilcox.test, conf.int = TRUE).  When even k = 1 is too wide a miss
 * (2 / C(N, na) > alpha) the level is out of reach and the interval is infinite, rather than
 * [min, max] at a lower level than asked.  Large samples take k from the normal approximation.
 *
 * Wilcoxon signed-rank, for paired data.  W is the sum of the ranks of |d_i| over the positive
 * d_i.  Under the null hypothesis (each d_i symmetric around 0) every sign pattern is equally
 * likely, so W's exact distribution over the doubled mid-ranks is a count of subsets by their sum
 * (O(n * n^2)); zeros are dropped first.  The distribution is symmetric, and the smallest two-sided
 * p of n differences is 2 / 2^n.  Tukey's interval for the centre is [A_(k), A_(M+1-k)] of the
 * M = n(n+1)/2 sorted Walsh averages, k from W's untied distribution as Lehmann's k above
 * (Hollander & Wolfe 3.1-3.3; R's wilcox.test(paired = TRUE, conf.int = TRUE)).
 *
 * Median interval.  The sign test's: the median lies below x_(k) only when at most k-1 values lie
 * below it, a Binomial(n, 1/2) event.
 *
 * Benjamini-Hochberg.  q_(i) = min over j >= i of p_(j) * n / j, capped at 1, on the p-values
 * sorted ascending (Benjamini & Hochberg 1995; R's p.adjust(method = "BH")).
 */
#include "reports/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

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

struct stats_tagged {
    double value;
    size_t index;
};

static int stats_compare_tagged(const void *a, const void *b)
{
    return stats_compare_double(&((const struct stats_tagged *)a)->value,
                                &((const struct stats_tagged *)b)->value);
}

/* Doubled mid-ranks of x[0..n), in x's order: a tie group at sorted positions i+1..j gets i+1+j,
 * an integer.  Returns the tie term sum(t^3 - t) over the tie groups. */
static double stats_doubled_ranks(const double *x, size_t n, long *rank2)
{
    struct stats_tagged *sorted = xcalloc(n ? n : 1, sizeof *sorted);
    for (size_t i = 0; i < n; i++)
        sorted[i] = (struct stats_tagged){x[i], i};
    qsort(sorted, n, sizeof *sorted, stats_compare_tagged);
    double tie_term = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && sorted[j].value == sorted[i].value)
            j++;
        double t = (double)(j - i);
        tie_term += t * t * t - t;
        for (size_t k = i; k < j; k++)
            rank2[sorted[k].index] = (long)(i + 1 + j);
        i = j;
    }
    free(sorted);
    return tie_term;
}

/* Counts the subsets of the items rank2[0..n) by their sum: ways[k * (total + 1) + s] is the
 * number of subsets of k items (k <= kmax) whose doubled ranks sum to s; total is the sum of all. */
static double *stats_subset_sums(const long *rank2, size_t n, size_t kmax, long total)
{
    size_t width = (size_t)total + 1;
    double *ways = xcalloc((kmax + 1) * width, sizeof *ways);
    ways[0] = 1.0;
    long reach = 0;
    for (size_t i = 0; i < n; i++) {
        long r = rank2[i];
        reach += r;
        for (size_t k = (i + 1 < kmax ? i + 1 : kmax); k >= 1; k--) {
            double *to = ways + k * width, *from = ways + (k - 1) * width;
            for (long sum = reach; sum >= r; sum--)
                to[sum] += from[sum - r];
        }
    }
    return ways;
}

/* Exact two-sided p of the rank sum: P(|S - E S| >= |observed - E S|) for S the sum of na of the
 * n doubled ranks drawn without replacement; E S = na * total / n, compared as n * S. */
static double stats_rank_sum_exact_p(const long *rank2, size_t n, size_t na, long observed)
{
    long total = 0;
    for (size_t i = 0; i < n; i++)
        total += rank2[i];
    double *ways = stats_subset_sums(rank2, n, na, total);
    const double *row = ways + na * ((size_t)total + 1);
    long long centre = (long long)na * total, far = llabs((long long)n * observed - centre);
    double extreme = 0.0, all = 0.0;
    for (long sum = 0; sum <= total; sum++) {
        all += row[sum];
        if (llabs((long long)n * sum - centre) >= far)
            extreme += row[sum];
    }
    free(ways);
    double p = extreme / all;
    return p < 1.0 ? p : 1.0;
}

/* Two-sided p from the normal approximation: |statistic - mean| less the continuity correction,
 * over sqrt(variance); 1 when the variance is 0 (every value tied: no evidence of anything). */
static double stats_normal_p(double statistic, double mean, double variance)
{
    if (variance <= 0.0)
        return 1.0;
    double corrected = fabs(statistic - mean) - 0.5;
    if (corrected < 0.0)
        corrected = 0.0;
    double p = 2.0 * stats_normal_upper(corrected / sqrt(variance));
    return p < 1.0 ? p : 1.0;
}

double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return 1.0;
    size_t n = na + nb;
    double *pooled = xmalloc(n * sizeof *pooled);
    long *rank2 = xmalloc(n * sizeof *rank2);
    memcpy(pooled, a, na * sizeof *a);
    memcpy(pooled + na, b, nb * sizeof *b);
    double tie_term = stats_doubled_ranks(pooled, n, rank2);
    long sum2 = 0;
    for (size_t i = 0; i < na; i++)
        sum2 += rank2[i];
    double p;
    if (na < STATS_EXACT_LIMIT && nb < STATS_EXACT_LIMIT) {
        p = stats_rank_sum_exact_p(rank2, n, na, sum2);
    } else {
        double nn = (double)n, m = (double)na * (double)nb;
        double u = 0.5 * (double)sum2 - 0.5 * (double)na * (double)(na + 1);
        p = stats_normal_p(u, 0.5 * m, m / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0))));
    }
    free(pooled);
    free(rank2);
    return p;
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

/* The values of run `run` among x's (out has room for n); returns how many. */
static size_t stats_values_of_run(const double *x, const int64_t *run, size_t n, int64_t which, double *out)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (run[i] == which)
            out[count++] = x[i];
    return count;
}

/* Whether value i is the first of its run. */
static bool stats_first_of_run(const int64_t *run, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (run[j] == run[i])
            return false;
    return true;
}

void stats_hodges_lehmann_runs(const double *a, const int64_t *a_run, size_t na, const double *b,
                               const int64_t *b_run, size_t nb, double alpha, struct stats_shift *out)
{
    stats_hodges_lehmann_log(a, na, b, nb, alpha, out);
    bool several = false;
    for (size_t i = 1; i < na && !several; i++)
        several = a_run[i] != a_run[0];
    for (size_t j = 1; j < nb && !several; j++)
        several = b_run[j] != b_run[0];
    if (!several || na == 0 || nb == 0)
        return;
    double *av = xmalloc(na * sizeof *av), *bv = xmalloc(nb * sizeof *bv);
    for (size_t i = 0; i < na; i++) {
        if (!stats_first_of_run(a_run, i))
            continue;
        size_t ma = stats_values_of_run(a, a_run, na, a_run[i], av);
        for (size_t j = 0; j < nb; j++) {
            if (!stats_first_of_run(b_run, j))
                continue;
            struct stats_shift pair;
            stats_hodges_lehmann_log(av, ma, bv, stats_values_of_run(b, b_run, nb, b_run[j], bv), alpha, &pair);
            out->lo = fmin(out->lo, pair.lo);
            out->hi = fmax(out->hi, pair.hi);
        }
    }
    free(av);
    free(bv);
}

/* ---- paired: signed ranks ---- */

double stats_signed_rank_p(const double *d, size_t n)
{
    double *magnitude = xmalloc((n ? n : 1) * sizeof *magnitude);
    bool *positive = xmalloc((n ? n : 1) * sizeof *positive);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != 0.0) {
            magnitude[m] = fabs(d[i]);
            positive[m++] = d[i] > 0.0;
        }
    long *rank2 = xmalloc((m ? m : 1) * sizeof *rank2), total = 0, observed = 0;
    double tie_term = stats_doubled_ranks(magnitude, m, rank2);
    for (size_t i = 0; i < m; i++) {
        total += rank2[i];
        observed += positive[i] ? rank2[i] : 0;
    }
    double p = 1.0;
    if (m > 0 && m <= STATS_SIGNED_RANK_EXACT_LIMIT) {
        /* every item in or out: subsets of any size, by sum; W symmetric around total / 2 */
        double *ways = stats_subset_sums(rank2, m, m, total), extreme = 0.0, all = 0.0;
        long far = labs(2 * observed - total);
        for (size_t k = 0; k <= m; k++)
            for (long sum = 0; sum <= total; sum++) {
                double w = ways[k * ((size_t)total + 1) + (size_t)sum];
                all += w;
                extreme += labs(2 * sum - total) >= far ? w : 0.0;
            }
        free(ways);
        p = fmin(1.0, extreme / all);
    } else if (m > 0) {
        double nn = (double)m;
        p = stats_normal_p(0.5 * (double)observed, nn * (nn + 1.0) / 4.0,
                           nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0 - tie_term / 48.0);
    }
    free(magnitude);
    free(positive);
    free(rank2);
    return p;
}

double stats_signed_rank_min_p(size_t n)
{
    return n == 0 ? 1.0 : fmin(1.0, 2.0 * pow(0.5, (double)n));
}

size_t stats_signed_rank_needed(double alpha)
{
    size_t n = 1;
    while (n < 64 && !(stats_signed_rank_min_p(n) < alpha))
        n++;
    return n;
}

/* Tukey's k for n differences at level 1 - alpha (the largest k with P(W <= k-1) <= alpha/2 under
 * W's untied distribution); 0 when out of reach. */
static size_t stats_tukey_k(size_t n, double alpha)
{
    double m = (double)n * (double)(n + 1) / 2.0;
    if (n > STATS_SIGNED_RANK_EXACT_LIMIT) {
        double z = stats_normal_upper_quantile(alpha / 2.0);
        double k = floor(m / 2.0 - z * sqrt(m * (2.0 * (double)n + 1.0) / 12.0));
        return k >= 1.0 ? (size_t)k : 0;
    }
    /* ways[w]: sign patterns of ranks 1..n with W = w */
    size_t top = (size_t)m;
    double *ways = xcalloc(top + 1, sizeof *ways), all = pow(2.0, (double)n), running = 0.0;
    ways[0] = 1.0;
    for (size_t r = 1; r <= n; r++)
        for (size_t w = top; w >= r; w--)
            ways[w] += ways[w - r];
    size_t k = 0;
    while (k <= top && (running + ways[k]) / all <= alpha / 2.0 * (1.0 + 1e-12))
        running += ways[k++];
    free(ways);
    return k; /* P(W <= k-1) <= alpha/2 < P(W <= k) */
}

void stats_walsh_interval(const double *d, size_t n, double alpha, struct stats_shift *out)
{
    if (n == 0) {
        stats_shift_unknown(out);
        return;
    }
    size_t m = n * (n + 1) / 2, at = 0;
    double *walsh = xmalloc(m * sizeof *walsh);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++)
            walsh[at++] = 0.5 * (d[i] + d[j]);
    qsort(walsh, m, sizeof *walsh, stats_compare_double);
    out->estimate = m % 2 ? walsh[m / 2] : 0.5 * (walsh[m / 2 - 1] + walsh[m / 2]);
    size_t k = stats_tukey_k(n, alpha);
    out->lo = k ? walsh[k - 1] : -INFINITY;
    out->hi = k ? walsh[m - k] : INFINITY;
    free(walsh);
}

/* ---- one sample: the median's interval ---- */

double stats_median_interval(const double *x, size_t n, double alpha, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (n == 0)
        return 0.0;
    double *sorted = stats_sorted_copy(x, n);
    /* P(B <= j) for B ~ Binomial(n, 1/2), term by term in logs */
    size_t k = 0;
    double below = 0.0;
    for (; k < n; k++) {
        double term = exp(lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) -
                          (double)n * log(2.0));
        if (below + term > alpha / 2.0 * (1.0 + 1e-12))
            break;
        below += term;
    }
    /* k: the largest with P(B <= k-1) <= alpha/2; below = P(B <= k-1) */
    size_t at = k ? k : 1;
    *lo = sorted[at - 1];
    *hi = sorted[n - at];
    free(sorted);
    return k ? 1.0 - 2.0 * below : 1.0 - stats_signed_rank_min_p(n);
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
