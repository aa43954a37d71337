/*
 * wording.c: the sentences of wording.h.  Each writes into the caller's buffer with snprintf and
 * stops, truncated, at its end.
 */
#include "reports/wording.h"

#include <stdio.h>
#include <string.h>

void wording_count(double x, char *buf, size_t len)
{
    if (x >= 1e6)
        snprintf(buf, len, "%.3gM", x / 1e6);
    else if (x >= 1e4)
        snprintf(buf, len, "%.3gk", x / 1e3);
    else
        snprintf(buf, len, "%.0f", x);
}

void wording_value(enum report_dim dim, double x, char *buf, size_t len)
{
    char count[32];
    switch (dim) {
    case REPORT_DIM_THREADS: snprintf(buf, len, "%.3g threads", x); break;
    case REPORT_DIM_READ_PCT: snprintf(buf, len, "%.3g%% writes", 100 - x); break;
    case REPORT_DIM_KEYS:
        wording_count(x, count, sizeof count);
        snprintf(buf, len, "%s keys", count);
        break;
    case REPORT_DIM_SHARDS: snprintf(buf, len, "%.3g shards", x); break;
    case REPORT_DIM_ZIPF_THETA: snprintf(buf, len, "zipf theta %.3g", x); break;
    case REPORT_DIM_HOT_KEYS: snprintf(buf, len, "%.3g hot keys", x); break;
    case REPORT_DIM_WRITE_KIND: snprintf(buf, len, "%s", case_write_kind_name((enum case_write_kind)x)); break;
    default: snprintf(buf, len, "%g", x); break;
    }
}

void wording_crossover(const struct report_sweep *sweeps, const struct findings_crossover *c, char *buf, size_t len)
{
    const struct report_sweep *w = &sweeps[c->sweep];
    char at[64], hi[64];
    if (w->dim == REPORT_DIM_THREADS || w->dim == REPORT_DIM_SHARDS) {
        /* counted dimensions: no fractional thread; name the two measured points */
        wording_value(w->dim, c->x_hi, hi, sizeof hi);
        snprintf(buf, len, "`%s` overtakes `%s` between %g and %s at %s", w->series[c->winner].label,
                 w->series[c->loser].label, c->x_lo, hi, w->fixed);
        return;
    }
    wording_value(w->dim, c->x, at, sizeof at);
    snprintf(buf, len, "`%s` overtakes `%s` above %s at %s", w->series[c->winner].label, w->series[c->loser].label, at,
             w->fixed);
}

void wording_apparent_crossover(const struct report_sweep *sweeps, const struct findings_crossover *c, char *buf,
                                size_t len)
{
    int n = snprintf(buf, len, "apparent: ");
    if (n < 0 || (size_t)n >= len)
        return;
    wording_crossover(sweeps, c, buf + n, len - (size_t)n);
    n = (int)strlen(buf);
    if (c->verdict == FINDINGS_TOO_FEW_REPS)
        snprintf(buf + n, len - (size_t)n, " (p = %.2g and %.2g, too few repetitions)", c->at_lo.p, c->at_hi.p);
    else
        snprintf(buf + n, len - (size_t)n, " (p = %.2g and %.2g, q = %.2g)", c->at_lo.p, c->at_hi.p, c->q);
}

void wording_knee(const struct report_sweep *sweeps, const struct findings_knee *k, char *buf, size_t len)
{
    const struct report_sweep *w = &sweeps[k->sweep];
    char keys[32], cache[32];
    wording_count(k->keys, keys, sizeof keys);
    wording_count(k->cache_keys, cache, sizeof cache);
    int n = snprintf(buf, len, "`%s` breaks at %s keys (log-log slope drops by %.2f) at %s", w->series[k->series].label,
                     keys, k->drop, w->fixed);
    if (k->cache_level && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", beside L%d's capacity of about %s keys", k->cache_level, cache);
}

void wording_winners(const struct report_sweep *w, const struct findings_sweep *fs, char *buf, size_t len)
{
    char from[64], to[64];
    int n = snprintf(buf, len, "%s, over %s at %s: ", w->scenario, report_dim_name(w->dim), w->fixed);
    long current = -2;
    size_t start = 0, spans = 0;
    for (size_t k = 0; k <= w->point_count; k++) {
        long winner = k < w->point_count ? fs->points[k].winner : -3;
        if (winner == current)
            continue;
        if (current >= -1 && n < (int)len) {
            wording_value(w->dim, w->points[start], from, sizeof from);
            wording_value(w->dim, w->points[k - 1], to, sizeof to);
            const char *who = current >= 0 ? w->series[current].label : "no map";
            n += snprintf(buf + n, len - (size_t)n, "%s%s leads %s%s%s", spans ? "; " : "", who,
                          start == k - 1 ? "at " : "from ", from, start == k - 1 ? "" : " to ");
            if (start != k - 1 && n < (int)len)
                n += snprintf(buf + n, len - (size_t)n, "%s", to);
            spans++;
        }
        current = winner;
        start = k;
    }
}

void wording_workload(const struct bench_case *c, char *buf, size_t len)
{
    case_describe(c, CASE_DESCRIBE_WORDS, case_dim_bit("scenario") | case_dim_bit("backend") | case_dim_bit("threads"),
                  buf, len);
}

void wording_history_case(const struct bench_case *c, char *buf, size_t len)
{
    case_describe(c, CASE_DESCRIBE_WORDS, case_dim_bit("backend"), buf, len); /* its own column */
}

void wording_winner_claim(const struct report_sweep *w, const struct findings_point *p, double x, char *buf,
                          size_t len)
{
    char at[64];
    wording_value(w->dim, x, at, sizeof at);
    snprintf(buf, len, "`%s` ahead of `%s` at %s (%s, over %s at %s)", w->series[p->winner].label,
             w->series[p->runner_up].label, at, w->scenario, report_dim_name(w->dim), w->fixed);
}
