/*
 * crossover.c: crossings between series and knees of series over keys (see crossover.h for the
 * rules).  Works on medians for the location of a crossing and on the raw repetitions for its
 * significance, so one noisy repetition can move neither much.
 */
#include "reports/crossover.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/stats.h"

/* The harness (null) is not a map: it "wins" everywhere and crosses nothing that matters. */
static bool crossover_series_counts(const struct report_series *s)
{
    return s->role != MAP_ROLE_HARNESS;
}

static bool crossover_push(void **array, size_t *count, size_t size, const void *item)
{
    char *grown = xreallocarray(*array, *count + 1, size);
    memcpy(grown + *count * size, item, size);
    *array = grown;
    (*count)++;
    return true;
}

static enum crossover_verdict crossover_judge(const struct report_case *a0, const struct report_case *b0,
                                              const struct report_case *a1, const struct report_case *b1,
                                              struct crossover *c)
{
    c->p_lo = stats_mann_whitney_p(a0->ops, a0->n, b0->ops, b0->n);
    c->p_hi = stats_mann_whitney_p(a1->ops, a1->n, b1->ops, b1->n);
    if (a0->n < CROSSOVER_MIN_REPS || b0->n < CROSSOVER_MIN_REPS || a1->n < CROSSOVER_MIN_REPS ||
        b1->n < CROSSOVER_MIN_REPS)
        return CROSSOVER_TOO_FEW_REPS;
    return c->p_lo < CROSSOVER_ALPHA && c->p_hi < CROSSOVER_ALPHA ? CROSSOVER_SIGNIFICANT
                                                                  : CROSSOVER_NOT_SIGNIFICANT;
}

/* Crossings of series i and j of sweep w; appends to out. */
static bool crossover_pair(const struct report_data *d, const struct report_sweep *w, size_t sweep, size_t i,
                           size_t j, struct crossover **out, size_t *count)
{
    const struct report_case *prev_a = NULL, *prev_b = NULL;
    double prev_x = 0;
    for (size_t k = 0; k < w->point_count; k++) {
        double x = w->points[k];
        const struct report_case *a = report_series_case_at(d, &w->series[i], x);
        const struct report_case *b = report_series_case_at(d, &w->series[j], x);
        if (!a || !b || a->n == 0 || b->n == 0)
            continue;
        double d1 = a->median - b->median;
        if (prev_a && d1 != 0) {
            double d0 = prev_a->median - prev_b->median;
            if (d0 * d1 < 0) {
                struct crossover c = {.sweep = sweep, .x_lo = prev_x, .x_hi = x};
                double t = d0 / (d0 - d1);
                c.x = w->dim == REPORT_DIM_KEYS ? exp(log(prev_x) + t * (log(x) - log(prev_x)))
                                                : prev_x + t * (x - prev_x);
                /* The leader at the higher x, or at the lower x when the natural direction is
                 * "more writes" (lower read_pct). */
                bool a_leads = w->dim == REPORT_DIM_READ_PCT ? d0 > 0 : d1 > 0;
                c.winner = a_leads ? i : j;
                c.loser = a_leads ? j : i;
                c.verdict = crossover_judge(prev_a, prev_b, a, b, &c);
                if (!crossover_push((void **)out, count, sizeof c, &c))
                    return false;
            }
        }
        if (d1 != 0) {
            prev_a = a;
            prev_b = b;
            prev_x = x;
        }
    }
    return true;
}

bool crossover_find_all(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                        struct crossover **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    for (size_t w = 0; w < sweep_count; w++) {
        if (sweeps[w].dim == REPORT_DIM_WRITE_KIND) /* categories: nothing lies between them */
            continue;
        for (size_t i = 0; i < sweeps[w].series_count; i++)
            for (size_t j = i + 1; j < sweeps[w].series_count; j++)
                if (crossover_series_counts(&sweeps[w].series[i]) && crossover_series_counts(&sweeps[w].series[j]) &&
                    !crossover_pair(d, &sweeps[w], w, i, j, out, count))
                    return false;
    }
    return true;
}

/* ---- knees ---- */

/* Points closer than this factor in keys are thinned out before slopes are taken: between two
 * points 1.2x apart, 3% noise alone moves the log-log slope by 0.16, more than a real break. */
#define CROSSOVER_KNEE_MIN_STEP 2.0
#define CROSSOVER_KNEE_MAX_POINTS 128

static void crossover_nearest_cache(const struct report_machine *m, double keys, double bytes_per_key,
                                    struct knee *k)
{
    double best = INFINITY;
    for (int level = 0; m && level < m->cache_levels && level < 4; level++) {
        if (m->cache_bytes[level] == 0 || !(bytes_per_key > 0))
            continue;
        double capacity = (double)m->cache_bytes[level] / bytes_per_key;
        double distance = fabs(log(capacity / keys));
        if (distance < best) {
            best = distance;
            k->cache_level = level + 1;
            k->cache_keys = capacity;
        }
    }
}

/* The knee of one series, if any: fills k and returns true. */
static bool crossover_series_knee(const struct report_data *d, const struct report_series *s, struct knee *k)
{
    double x[CROSSOVER_KNEE_MAX_POINTS], y[CROSSOVER_KNEE_MAX_POINTS];
    const struct report_case *at[CROSSOVER_KNEE_MAX_POINTS];
    size_t n = 0;
    for (size_t i = 0; i < s->n && n < CROSSOVER_KNEE_MAX_POINTS; i++) {
        const struct report_case *c = &d->cases[s->cases[i]];
        if (c->n == 0 || !(c->median > 0) || !(s->x[i] > 0) || (c->n > 1 && c->cv > REPORT_CV_WIDE))
            continue; /* a point too wide to rank would make a knee of its noise */
        if (n > 0 && s->x[i] < x[n - 1] * CROSSOVER_KNEE_MIN_STEP)
            continue;
        x[n] = s->x[i];
        y[n] = c->median;
        at[n++] = c;
    }
    double best = CROSSOVER_KNEE_DROP;
    bool found = false;
    for (size_t i = 1; i + 1 < n; i++) {
        double before = (log(y[i]) - log(y[i - 1])) / (log(x[i]) - log(x[i - 1]));
        double after = (log(y[i + 1]) - log(y[i])) / (log(x[i + 1]) - log(x[i]));
        if (before - after > best) {
            best = before - after;
            k->keys = x[i];
            k->drop = best;
            k->cache_keys = at[i]->bytes_per_key; /* resolved below */
            found = true;
        }
    }
    return found;
}

bool crossover_find_knees(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                          struct knee **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    for (size_t w = 0; w < sweep_count; w++) {
        if (sweeps[w].dim != REPORT_DIM_KEYS)
            continue;
        const struct report_machine *m = report_data_machine_of(d, &d->runs[sweeps[w].run]);
        for (size_t i = 0; i < sweeps[w].series_count; i++) {
            struct knee k = {.sweep = w, .series = i};
            if (!crossover_series_counts(&sweeps[w].series[i]) || !crossover_series_knee(d, &sweeps[w].series[i], &k))
                continue;
            double bytes_per_key = k.cache_keys;
            k.cache_keys = 0;
            crossover_nearest_cache(m, k.keys, bytes_per_key, &k);
            if (!crossover_push((void **)out, count, sizeof k, &k))
                return false;
        }
    }
    return true;
}

double crossover_sweep_bytes_per_key(const struct report_data *d, const struct report_sweep *w)
{
    double *at_largest = xmalloc((w->series_count + 1) * sizeof *at_largest);
    size_t n = 0;
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_series *series = &w->series[s];
        for (size_t i = series->n; i-- > 0 && series->role != MAP_ROLE_HARNESS;) {
            double b = d->cases[series->cases[i]].bytes_per_key;
            if (isfinite(b) && b > 0) {
                at_largest[n++] = b;
                break;
            }
        }
    }
    double result = n ? stats_lower_median(at_largest, n) : 0;
    free(at_largest);
    return isfinite(result) ? result : 0;
}

/* ---- sentences ---- */

static void crossover_format_count(double x, char *buf, size_t len)
{
    if (x >= 1e6)
        snprintf(buf, len, "%.3gM", x / 1e6);
    else if (x >= 1e4)
        snprintf(buf, len, "%.3gk", x / 1e3);
    else
        snprintf(buf, len, "%.0f", x);
}

void crossover_format_value(enum report_dim dim, double x, char *buf, size_t len)
{
    char count[32];
    switch (dim) {
    case REPORT_DIM_THREADS: snprintf(buf, len, "%.3g threads", x); break;
    case REPORT_DIM_READ_PCT: snprintf(buf, len, "%.3g%% writes", 100 - x); break;
    case REPORT_DIM_KEYS:
        crossover_format_count(x, count, sizeof count);
        snprintf(buf, len, "%s keys", count);
        break;
    case REPORT_DIM_SHARDS: snprintf(buf, len, "%.3g shards", x); break;
    case REPORT_DIM_ZIPF_THETA: snprintf(buf, len, "zipf theta %.3g", x); break;
    case REPORT_DIM_HOT_KEYS: snprintf(buf, len, "%.3g hot keys", x); break;
    case REPORT_DIM_WRITE_KIND: snprintf(buf, len, "%s", case_write_kind_name((enum case_write_kind)x)); break;
    default: snprintf(buf, len, "%g", x); break;
    }
}

void crossover_describe(const struct report_data *d, const struct report_sweep *sweeps, const struct crossover *c,
                        char *buf, size_t len)
{
    const struct report_sweep *w = &sweeps[c->sweep];
    char at[64], hi[64];
    (void)d;
    if (w->dim == REPORT_DIM_THREADS || w->dim == REPORT_DIM_SHARDS) {
        /* counted dimensions: no fractional thread; name the two measured points */
        crossover_format_value(w->dim, c->x_hi, hi, sizeof hi);
        snprintf(buf, len, "`%s` overtakes `%s` between %g and %s at %s", w->series[c->winner].label,
                 w->series[c->loser].label, c->x_lo, hi, w->fixed);
        return;
    }
    crossover_format_value(w->dim, c->x, at, sizeof at);
    snprintf(buf, len, "`%s` overtakes `%s` above %s at %s", w->series[c->winner].label, w->series[c->loser].label, at,
             w->fixed);
}

void crossover_describe_knee(const struct report_sweep *sweeps, const struct knee *k, char *buf, size_t len)
{
    const struct report_sweep *w = &sweeps[k->sweep];
    char keys[32], cache[32];
    crossover_format_count(k->keys, keys, sizeof keys);
    crossover_format_count(k->cache_keys, cache, sizeof cache);
    int n = snprintf(buf, len, "`%s` breaks at %s keys (log-log slope drops by %.2f) at %s", w->series[k->series].label,
                     keys, k->drop, w->fixed);
    if (k->cache_level && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", beside L%d's capacity of about %s keys", k->cache_level, cache);
}
