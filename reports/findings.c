/*
 * findings.c: the report's decisions (see findings.h for the rules).  Locations (who leads, where
 * a crossing lies, where a curve breaks) are read from medians; significance from the raw
 * repetitions, through findings_test_cases alone, so one noisy repetition can move neither much
 * and the test can be replaced in one place.  Deciding runs in two passes: every comparison is
 * tested first (its p kept where the claim lives), then one Benjamini-Hochberg correction runs over
 * every claim of the report, and only then are winners called separable, crossovers established
 * and history arrows drawn.
 */
#include "reports/findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/stats.h"

/* ---- the one test ---- */

/* The per-round log ratios log(a / b) of two cases measured in rounds: *n of them, the rounds both
 * measured.  False when either case has a window outside the rounds (not paired). */
static bool findings_round_ratios(const struct report_case *a, const struct report_case *b, double *d, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->round[i] <= 0)
            return false;
    for (size_t j = 0; j < b->n; j++)
        if (b->round[j] <= 0)
            return false;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (a->round[i] == b->round[j]) {
                d[(*n)++] = log(a->ops[i] / b->ops[j]);
                break;
            }
    return true;
}

void findings_test_cases(const struct report_case *a, const struct report_case *b, bool allow_pairing,
                         struct findings_test *t)
{
    double d[REPORT_MAX_REPS];
    size_t n;
    struct stats_shift shift;
    *t = (struct findings_test){.q = NAN};
    if (allow_pairing && findings_round_ratios(a, b, d, &n)) {
        t->pairing = FINDINGS_PAIRED;
        t->n_a = t->n_b = n;
        t->p = stats_signed_rank_p(d, n);
        stats_walsh_interval(d, n, FINDINGS_ALPHA, &shift);
        t->testable = n >= FINDINGS_MIN_ROUNDS;
    } else {
        t->pairing = FINDINGS_UNPAIRED;
        t->n_a = a->n;
        t->n_b = b->n;
        t->p = stats_mann_whitney_p(a->ops, a->n, b->ops, b->n);
        stats_hodges_lehmann_log(b->ops, b->n, a->ops, a->n, FINDINGS_ALPHA, &shift); /* log(a / b) */
        t->testable = a->n >= FINDINGS_MIN_REPS && b->n >= FINDINGS_MIN_REPS;
    }
    t->estimate = shift.estimate;
    t->lo = shift.lo;
    t->hi = shift.hi;
}

enum findings_verdict findings_claim_verdict(const struct findings_test *t, double q, bool a_leads)
{
    if (!t->testable)
        return FINDINGS_TOO_FEW_REPS;
    bool that_way = a_leads ? t->estimate > 0 : t->estimate < 0;
    return q < FINDINGS_ALPHA && that_way ? FINDINGS_SIGNIFICANT : FINDINGS_NOT_SIGNIFICANT;
}

const char *findings_test_name(const struct findings_test *t)
{
    return t->pairing == FINDINGS_PAIRED ? FINDINGS_PAIRED_TEST_NAME : FINDINGS_TEST_NAME;
}

/* ---- the one correction ---- */

/* A claim of the report: its p (read) and where its q goes. */
struct findings_claim {
    double p;
    double *q;
};

struct findings_claims {
    struct findings_claim *items;
    size_t count;
};

static void findings_claim_add(struct findings_claims *all, double p, double *q)
{
    all->items = xreallocarray(all->items, all->count + 1, sizeof *all->items);
    all->items[all->count++] = (struct findings_claim){p, q};
}

/* Benjamini-Hochberg over every claim; frees the list. */
static void findings_claims_correct(struct findings_claims *all)
{
    double *q = xcalloc(all->count + 1, sizeof *q);
    for (size_t i = 0; i < all->count; i++)
        q[i] = all->items[i].p;
    stats_benjamini_hochberg(q, all->count);
    for (size_t i = 0; i < all->count; i++)
        *all->items[i].q = q[i];
    free(q);
    free(all->items);
    *all = (struct findings_claims){0};
}

static bool findings_case_wide(const struct report_case *c)
{
    return c->n > 1 && c->cv > FINDINGS_CV_WIDE;
}

static bool findings_case_in_rounds(const struct report_case *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->round[i] <= 0)
            return false;
    return c->n > 0;
}

/* Too wide to rank: the spread of the repetitions, unless they were measured in rounds, where the
 * machine's phases cancel in the per-round ratios and the tested interval says how precise a
 * ranking is. */
static bool findings_rank_wide(const struct report_case *c)
{
    return findings_case_wide(c) && !findings_case_in_rounds(c);
}

/* The case of series s at x when it has a valid sample, else NULL. */
static const struct report_case *findings_measured_at(const struct report_data *d, const struct report_series *s,
                                                      double x)
{
    const struct report_case *c = report_series_case_at(d, s, x);
    return c && c->n > 0 ? c : NULL;
}

/* ---- winners and cells ---- */

static struct findings_point findings_rank(const struct report_data *d, const struct report_sweep *w, double x,
                                           const char *baseline)
{
    struct findings_point r = {.winner = -1, .runner_up = -1, .baseline = -1};
    const struct report_case *best = NULL, *second = NULL;
    for (size_t s = 0; s < w->series_count; s++) {
        const struct report_case *c = findings_measured_at(d, &w->series[s], x);
        if (!c)
            continue;
        if (r.baseline < 0 && strcmp(w->series[s].name, baseline) == 0)
            r.baseline = (long)s;
        if (!map_role_ranked(w->series[s].role))
            continue;
        if (!best || c->median > best->median) {
            second = best;
            r.runner_up = r.winner;
            best = c;
            r.winner = (long)s;
        } else if (!second || c->median > second->median) {
            second = c;
            r.runner_up = (long)s;
        }
    }
    r.test = (struct findings_test){.p = NAN, .q = NAN};
    if (best && second)
        findings_test_cases(best, second, true, &r.test);
    r.verdict = FINDINGS_TOO_FEW_REPS;
    return r;
}

/* Once corrected: whether each point's winner is separable. */
static void findings_rank_settle(const struct report_data *d, const struct report_sweep *w, struct findings_sweep *fs)
{
    for (size_t k = 0; k < fs->point_count; k++) {
        struct findings_point *r = &fs->points[k];
        if (r->winner < 0)
            continue;
        const struct report_case *best = findings_measured_at(d, &w->series[r->winner], w->points[k]);
        if (r->runner_up >= 0)
            r->verdict = findings_claim_verdict(&r->test, r->test.q, true);
        bool ahead = r->runner_up < 0 || r->verdict == FINDINGS_SIGNIFICANT;
        r->separable = !findings_rank_wide(best) && ahead;
    }
}

static void findings_cells(const struct report_data *d, const struct report_sweep *w, size_t k,
                           struct findings_sweep *fs)
{
    const struct findings_point *r = &fs->points[k];
    const struct report_case *base =
        r->baseline >= 0 ? findings_measured_at(d, &w->series[r->baseline], w->points[k]) : NULL;
    for (size_t s = 0; s < w->series_count; s++) {
        struct findings_cell *cell = &fs->cells[k * w->series_count + s];
        cell->c = findings_measured_at(d, &w->series[s], w->points[k]);
        cell->ratio = cell->median_lo = cell->median_hi = NAN;
        cell->vs_baseline = (struct findings_test){.p = NAN, .q = NAN, .estimate = NAN, .lo = NAN, .hi = NAN};
        if (!cell->c)
            continue;
        cell->wide = findings_rank_wide(cell->c);
        cell->median_coverage = stats_median_interval(cell->c->ops, cell->c->n, FINDINGS_ALPHA, &cell->median_lo,
                                                      &cell->median_hi);
        if (!base)
            continue;
        findings_test_cases(cell->c, base, true, &cell->vs_baseline);
        cell->ratio = exp(cell->vs_baseline.estimate);
    }
}

const struct findings_cell *findings_cell_at(const struct findings_sweep *fs, size_t point, size_t series)
{
    return &fs->cells[point * fs->series_count + series];
}

/* ---- what a sweep has to show ---- */

static bool findings_has_latency(const struct report_data *d, const struct report_sweep *w)
{
    for (size_t s = 0; s < w->series_count; s++)
        for (size_t i = 0; i < w->series[s].n; i++)
            if (d->cases[w->series[s].cases[i]].has_latency[RESULT_OP_GET])
                return true;
    return false;
}

static bool findings_starved(const struct report_data *d, const struct report_sweep *w)
{
    for (size_t s = 0; s < w->series_count; s++)
        for (size_t i = 0; i < w->series[s].n; i++) {
            const struct report_case *c = &d->cases[w->series[s].cases[i]];
            if (c->n && c->c.threads > 1 && c->fairness < FINDINGS_STARVED)
                return true;
        }
    return false;
}

static double findings_heaviest(const struct report_sweep *w)
{
    if (w->dim != REPORT_DIM_READ_PCT)
        return w->points[w->point_count - 1];
    for (size_t i = 0; i < w->point_count; i++) /* the most writes that still leave gets to time */
        if (w->points[i] > 0)
            return w->points[i];
    return w->points[0];
}

static double findings_bytes_per_key(const struct report_data *d, const struct report_sweep *w)
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

static void findings_sweep_decide(const struct report_data *d, const struct report_sweep *w, const char *baseline,
                                  struct findings_sweep *fs)
{
    fs->point_count = w->point_count;
    fs->series_count = w->series_count;
    fs->points = xcalloc(w->point_count ? w->point_count : 1, sizeof *fs->points);
    fs->cells = xcalloc(w->point_count * w->series_count + 1, sizeof *fs->cells);
    for (size_t k = 0; k < w->point_count; k++) {
        fs->points[k] = findings_rank(d, w, w->points[k], baseline);
        findings_cells(d, w, k, fs);
    }
    fs->has_latency = findings_has_latency(d, w);
    fs->starved = findings_starved(d, w);
    fs->heaviest = w->point_count ? findings_heaviest(w) : 0;
    fs->bytes_per_key = w->dim == REPORT_DIM_KEYS ? findings_bytes_per_key(d, w) : 0;
}

/* ---- crossovers ---- */

/* The harness (null) is not a map: it "wins" everywhere and crosses nothing that matters. */
static bool findings_series_counts(const struct report_series *s)
{
    return s->role != MAP_ROLE_HARNESS;
}

static void findings_push(void **array, size_t *count, size_t size, const void *item)
{
    char *grown = xreallocarray(*array, *count + 1, size);
    memcpy(grown + *count * size, item, size);
    *array = grown;
    (*count)++;
}

bool findings_crossover_leads_at_hi(const struct report_sweep *w)
{
    return w->dim != REPORT_DIM_READ_PCT;
}

/* Tests winner against loser at both neighbouring points (a0/b0 at the lower, a1/b1 at the higher,
 * a the winner's). */
static void findings_crossing_test(const struct report_case *a0, const struct report_case *b0,
                                   const struct report_case *a1, const struct report_case *b1,
                                   struct findings_crossover *c)
{
    findings_test_cases(a0, b0, true, &c->at_lo);
    findings_test_cases(a1, b1, true, &c->at_hi);
    c->q = NAN;
    c->verdict = c->at_lo.testable && c->at_hi.testable ? FINDINGS_NOT_SIGNIFICANT : FINDINGS_TOO_FEW_REPS;
}

/* Once corrected: established when significant at both points, each the claimed way. */
static void findings_crossing_settle(const struct report_sweep *sweeps, struct findings_crossover *c)
{
    if (c->verdict == FINDINGS_TOO_FEW_REPS)
        return;
    bool hi = findings_crossover_leads_at_hi(&sweeps[c->sweep]);
    bool both = findings_claim_verdict(&c->at_lo, c->q, !hi) == FINDINGS_SIGNIFICANT &&
                findings_claim_verdict(&c->at_hi, c->q, hi) == FINDINGS_SIGNIFICANT;
    c->verdict = both ? FINDINGS_SIGNIFICANT : FINDINGS_NOT_SIGNIFICANT;
}

/* Crossings of series i and j of sweep w; appends to f. */
static void findings_pair(const struct report_data *d, const struct report_sweep *w, size_t sweep, size_t i,
                          size_t j, struct findings *f)
{
    const struct report_case *prev_a = NULL, *prev_b = NULL;
    double prev_x = 0;
    for (size_t k = 0; k < w->point_count; k++) {
        double x = w->points[k];
        const struct report_case *a = findings_measured_at(d, &w->series[i], x);
        const struct report_case *b = findings_measured_at(d, &w->series[j], x);
        if (!a || !b)
            continue;
        double d1 = a->median - b->median;
        if (prev_a && d1 != 0) {
            double d0 = prev_a->median - prev_b->median;
            if (d0 * d1 < 0) {
                struct findings_crossover c = {.sweep = sweep, .x_lo = prev_x, .x_hi = x};
                double t = d0 / (d0 - d1);
                c.x = w->dim == REPORT_DIM_KEYS ? exp(log(prev_x) + t * (log(x) - log(prev_x)))
                                                : prev_x + t * (x - prev_x);
                /* The leader at the higher x, or at the lower x when the natural direction is
                 * "more writes" (lower read_pct). */
                bool a_leads = w->dim == REPORT_DIM_READ_PCT ? d0 > 0 : d1 > 0;
                c.winner = a_leads ? i : j;
                c.loser = a_leads ? j : i;
                if (a_leads)
                    findings_crossing_test(prev_a, prev_b, a, b, &c);
                else
                    findings_crossing_test(prev_b, prev_a, b, a, &c);
                findings_push((void **)&f->crossovers, &f->crossover_count, sizeof c, &c);
            }
        }
        if (d1 != 0) {
            prev_a = a;
            prev_b = b;
            prev_x = x;
        }
    }
}

static void findings_crossovers(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                                struct findings *f)
{
    for (size_t w = 0; w < sweep_count; w++) {
        if (sweeps[w].dim == REPORT_DIM_WRITE_KIND) /* categories: nothing lies between them */
            continue;
        for (size_t i = 0; i < sweeps[w].series_count; i++)
            for (size_t j = i + 1; j < sweeps[w].series_count; j++)
                if (findings_series_counts(&sweeps[w].series[i]) && findings_series_counts(&sweeps[w].series[j]))
                    findings_pair(d, &sweeps[w], w, i, j, f);
    }
}

/* ---- knees ---- */

/* Points closer than this factor in keys are thinned out before slopes are taken: between two
 * points 1.2x apart, 3% noise alone moves the log-log slope by 0.16, more than a real break. */
#define FINDINGS_KNEE_MIN_STEP 2.0
#define FINDINGS_KNEE_MAX_POINTS 128

static void findings_nearest_cache(const struct report_machine *m, double keys, double bytes_per_key,
                                   struct findings_knee *k)
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

/* The knee of one series, if any: fills k (and *bytes_per_key at the knee) and returns true. */
static bool findings_series_knee(const struct report_data *d, const struct report_series *s,
                                 struct findings_knee *k, double *bytes_per_key)
{
    double x[FINDINGS_KNEE_MAX_POINTS], y[FINDINGS_KNEE_MAX_POINTS];
    const struct report_case *at[FINDINGS_KNEE_MAX_POINTS];
    size_t n = 0;
    for (size_t i = 0; i < s->n && n < FINDINGS_KNEE_MAX_POINTS; i++) {
        const struct report_case *c = &d->cases[s->cases[i]];
        if (c->n == 0 || !(c->median > 0) || !(s->x[i] > 0) || findings_case_wide(c))
            continue; /* a point too wide to rank would make a knee of its noise */
        if (n > 0 && s->x[i] < x[n - 1] * FINDINGS_KNEE_MIN_STEP)
            continue;
        x[n] = s->x[i];
        y[n] = c->median;
        at[n++] = c;
    }
    double best = FINDINGS_KNEE_DROP;
    bool found = false;
    for (size_t i = 1; i + 1 < n; i++) {
        double before = (log(y[i]) - log(y[i - 1])) / (log(x[i]) - log(x[i - 1]));
        double after = (log(y[i + 1]) - log(y[i])) / (log(x[i + 1]) - log(x[i]));
        if (before - after > best) {
            best = before - after;
            k->keys = x[i];
            k->drop = best;
            *bytes_per_key = at[i]->bytes_per_key;
            found = true;
        }
    }
    return found;
}

static void findings_knees(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                           struct findings *f)
{
    for (size_t w = 0; w < sweep_count; w++) {
        if (sweeps[w].dim != REPORT_DIM_KEYS)
            continue;
        const struct report_machine *m = report_data_machine_of(d, &d->runs[sweeps[w].run]);
        for (size_t i = 0; i < sweeps[w].series_count; i++) {
            struct findings_knee k = {.sweep = w, .series = i};
            double bytes_per_key = 0;
            if (!findings_series_counts(&sweeps[w].series[i]) ||
                !findings_series_knee(d, &sweeps[w].series[i], &k, &bytes_per_key))
                continue;
            findings_nearest_cache(m, k.keys, bytes_per_key, &k);
            findings_push((void **)&f->knees, &f->knee_count, sizeof k, &k);
        }
    }
}

/* ---- history ---- */

/* The case of history run index r matching key (same dimensions), with a valid sample; NULL. */
static const struct report_case *findings_history_case(const struct report_data *h, size_t r, const char *key)
{
    char other[CASE_KEY_LEN];
    for (size_t i = 0; i < h->case_count; i++) {
        if (h->cases[i].run != r || h->cases[i].n == 0)
            continue;
        report_data_case_key(&h->cases[i].c, REPORT_DIM_NONE, other, sizeof other);
        if (strcmp(other, key) == 0)
            return &h->cases[i];
    }
    return NULL;
}

/* Case c across the table's runs: fills row and returns true when at least two runs measured it.
 * Each run is tested against the previous run that measured the case, unless a change of method
 * lies between them (the line breaks there). */
static bool findings_history_row(const struct report_data *h, const size_t *runs, size_t run_count,
                                 const int *methods, const struct report_case *c, struct findings_history_row *row)
{
    char key[CASE_KEY_LEN];
    size_t present = 0;
    const struct report_case *prev = NULL;
    int prev_method = 0;
    report_data_case_key(&c->c, REPORT_DIM_NONE, key, sizeof key);
    *row = (struct findings_history_row){.c = c};
    for (size_t r = 0; r < run_count; r++) {
        struct findings_history_cell *cell = &row->cells[r];
        *cell = (struct findings_history_cell){.c = findings_history_case(h, runs[r], key),
                                               .method_break = r > 0 && methods[r] != methods[r - 1]};
        cell->test = (struct findings_test){.p = NAN, .q = NAN};
        if (!cell->c)
            continue;
        present++;
        if (prev && prev_method == methods[r])
            findings_test_cases(cell->c, prev, false, &cell->test);
        prev = cell->c;
        prev_method = methods[r];
    }
    return present >= 2;
}

/* Machine m's table: its newest FINDINGS_HISTORY_RUNS runs, and each of d's cases measured on it in
 * two of them at least. */
static void findings_history_machine(const struct report_data *d, const struct report_data *h, int64_t machine_id,
                                     struct findings *f)
{
    size_t runs[FINDINGS_HISTORY_RUNS], run_count = 0;
    for (size_t r = 0; r < h->run_count; r++)
        if (h->runs[r].machine_id == machine_id) {
            if (run_count == FINDINGS_HISTORY_RUNS)
                memmove(runs, runs + 1, --run_count * sizeof *runs);
            runs[run_count++] = r;
        }
    if (run_count < 2)
        return;
    struct findings_history t = {.machine_id = machine_id, .run_count = run_count};
    for (size_t r = 0; r < run_count; r++) {
        t.run_ids[r] = h->runs[runs[r]].id;
        t.run_methods[r] = h->runs[runs[r]].method_version;
    }
    for (size_t i = 0; i < d->case_count; i++) {
        const struct report_case *c = &d->cases[i];
        struct findings_history_row row;
        if (c->n && report_data_machine_of(d, &d->runs[c->run])->id == machine_id &&
            findings_history_row(h, runs, run_count, t.run_methods, c, &row))
            findings_push((void **)&t.rows, &t.row_count, sizeof row, &row);
    }
    if (t.row_count)
        findings_push((void **)&f->histories, &f->history_count, sizeof t, &t);
}

/* Once corrected: an arrow where the run moved significantly from the one before. */
static void findings_history_settle(struct findings_history *t)
{
    for (size_t i = 0; i < t->row_count; i++)
        for (size_t r = 0; r < t->run_count; r++) {
            struct findings_history_cell *cell = &t->rows[i].cells[r];
            bool up = cell->test.estimate > 0;
            if (cell->c && !isnan(cell->test.p) &&
                findings_claim_verdict(&cell->test, cell->test.q, up) == FINDINGS_SIGNIFICANT)
                cell->shift = up ? FINDINGS_SHIFT_UP : FINDINGS_SHIFT_DOWN;
        }
}

const char *findings_shift_name(enum findings_shift shift)
{
    return shift == FINDINGS_SHIFT_UP ? "up" : shift == FINDINGS_SHIFT_DOWN ? "down" : "";
}

/* ---- "which map when" ---- */

/* The points a matrix cell may show: every sweep's but a shards sweep's, whose points compare one
 * backend's settings (each point holds one shard count: no other map). */
static bool findings_matrix_sweep(const struct report_sweep *w)
{
    return w->dim != REPORT_DIM_SHARDS;
}

/* The first case measured at point k of sweep fs, and how many ranked backends were; NULL: none. */
static const struct report_case *findings_matrix_point(const struct report_sweep *w, const struct findings_sweep *fs,
                                                       size_t k, size_t *ranked)
{
    const struct report_case *first = NULL;
    *ranked = 0;
    for (size_t s = 0; s < fs->series_count; s++) {
        const struct report_case *c = findings_cell_at(fs, k, s)->c;
        if (c && !first)
            first = c;
        *ranked += c && map_role_ranked(w->series[s].role);
    }
    return first;
}

/* The index of `threads` in the matrix's ascending list, inserting it when absent. */
static void findings_matrix_add_threads(struct findings_matrix *m, int threads)
{
    size_t i = 0;
    while (i < m->thread_count && m->threads[i] < threads)
        i++;
    if (i < m->thread_count && m->threads[i] == threads)
        return;
    m->threads = xreallocarray(m->threads, m->thread_count + 1, sizeof *m->threads);
    memmove(m->threads + i + 1, m->threads + i, (m->thread_count - i) * sizeof *m->threads);
    m->threads[i] = threads;
    m->thread_count++;
}

/* The row of case c's workload (its run, every identifying dimension but backend and threads). */
static struct findings_matrix_row *findings_matrix_row_of(const struct report_data *d, struct findings_matrix *m,
                                                          const struct report_case *c)
{
    const case_dim_mask workload = case_dim_bit("backend") | case_dim_bit("threads");
    char key[CASE_KEY_LEN], other[CASE_KEY_LEN];
    case_key(&c->c, workload, key, sizeof key);
    for (size_t i = 0; i < m->row_count; i++) {
        case_key(&m->rows[i].c->c, workload, other, sizeof other);
        if (m->rows[i].run == c->run && strcmp(key, other) == 0)
            return &m->rows[i];
    }
    m->rows = xreallocarray(m->rows, m->row_count + 1, sizeof *m->rows);
    struct findings_matrix_row *row = &m->rows[m->row_count++];
    *row = (struct findings_matrix_row){.run = c->run, .c = c, .first_case = (size_t)(c - d->cases)};
    row->cells = xcalloc(m->thread_count, sizeof *row->cells);
    return row;
}

static int findings_matrix_row_cmp(const void *a, const void *b)
{
    const struct findings_matrix_row *x = a, *y = b;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    return (x->first_case > y->first_case) - (x->first_case < y->first_case);
}

/* Point k of sweep w into its cell, unless the cell already shows a point that ranked more. */
static void findings_matrix_place(const struct report_data *d, const struct report_sweep *w, size_t sweep,
                                  const struct findings_sweep *fs, size_t k, struct findings_matrix *m)
{
    size_t ranked;
    const struct report_case *c = findings_matrix_point(w, fs, k, &ranked);
    if (!c)
        return;
    struct findings_matrix_row *row = findings_matrix_row_of(d, m, c);
    for (size_t s = 0; s < fs->series_count; s++) {
        const struct report_case *other = findings_cell_at(fs, k, s)->c;
        if (other && (size_t)(other - d->cases) < row->first_case)
            row->first_case = (size_t)(other - d->cases);
    }
    size_t t = 0;
    while (m->threads[t] != c->c.threads)
        t++;
    struct findings_matrix_cell *cell = &row->cells[t];
    if (cell->measured && cell->ranked >= ranked)
        return;
    const struct findings_point *p = &fs->points[k];
    *cell = (struct findings_matrix_cell){.measured = true, .sweep = sweep, .point = k, .ranked = ranked,
                                          .winner = p->winner, .runner_up = p->runner_up,
                                          .separable = p->winner >= 0 && p->separable,
                                          .margin = NAN, .lo = NAN, .hi = NAN};
    if (p->winner >= 0 && p->runner_up >= 0) {
        cell->margin = exp(p->test.estimate);
        cell->lo = exp(p->test.lo);
        cell->hi = exp(p->test.hi);
    }
}

/* Once the winners are settled: every point of every sweep (but shards) into the matrix. */
static void findings_matrix_decide(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                                   struct findings *f)
{
    struct findings_matrix *m = &f->matrix;
    size_t ranked;
    for (size_t w = 0; w < sweep_count; w++)
        for (size_t k = 0; findings_matrix_sweep(&sweeps[w]) && k < f->sweeps[w].point_count; k++) {
            const struct report_case *c = findings_matrix_point(&sweeps[w], &f->sweeps[w], k, &ranked);
            if (c)
                findings_matrix_add_threads(m, c->c.threads);
        }
    for (size_t w = 0; w < sweep_count; w++)
        for (size_t k = 0; findings_matrix_sweep(&sweeps[w]) && k < f->sweeps[w].point_count; k++)
            findings_matrix_place(d, &sweeps[w], w, &f->sweeps[w], k, m);
    if (m->row_count)
        qsort(m->rows, m->row_count, sizeof *m->rows, findings_matrix_row_cmp);
}

static void findings_matrix_free(struct findings_matrix *m)
{
    for (size_t i = 0; i < m->row_count; i++)
        free(m->rows[i].cells);
    free(m->rows);
    free(m->threads);
}

/* ---- all of it ---- */

/* Every claim of the report, for the one correction: winners over their runner-up, crossovers
 * (the larger p of their two points), history arrows; only testable ones. */
static void findings_gather_claims(struct findings *f, struct findings_claims *all)
{
    for (size_t w = 0; w < f->sweep_count; w++)
        for (size_t k = 0; k < f->sweeps[w].point_count; k++) {
            struct findings_point *r = &f->sweeps[w].points[k];
            if (r->runner_up >= 0 && r->test.testable)
                findings_claim_add(all, r->test.p, &r->test.q);
        }
    for (size_t i = 0; i < f->crossover_count; i++) {
        struct findings_crossover *c = &f->crossovers[i];
        if (c->verdict != FINDINGS_TOO_FEW_REPS)
            findings_claim_add(all, fmax(c->at_lo.p, c->at_hi.p), &c->q);
    }
    for (size_t t = 0; t < f->history_count; t++)
        for (size_t i = 0; i < f->histories[t].row_count; i++)
            for (size_t r = 0; r < f->histories[t].run_count; r++) {
                struct findings_test *test = &f->histories[t].rows[i].cells[r].test;
                if (!isnan(test->p) && test->testable)
                    findings_claim_add(all, test->p, &test->q);
            }
    f->claims = all->count;
}

static void findings_count_test(struct findings *f, const struct findings_test *t)
{
    if (isnan(t->p))
        return;
    f->paired_tests += t->pairing == FINDINGS_PAIRED;
    f->unpaired_tests += t->pairing == FINDINGS_UNPAIRED;
}

/* How many comparisons at a point (winners and ratios to the baseline) each test made. */
static void findings_count_tests(struct findings *f)
{
    for (size_t w = 0; w < f->sweep_count; w++) {
        const struct findings_sweep *fs = &f->sweeps[w];
        for (size_t k = 0; k < fs->point_count; k++) {
            findings_count_test(f, &fs->points[k].test);
            for (size_t s = 0; s < fs->series_count; s++)
                findings_count_test(f, &findings_cell_at(fs, k, s)->vs_baseline);
        }
    }
}

void findings_decide(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                     const struct report_data *history, const char *baseline, struct findings *out)
{
    *out = (struct findings){.sweep_count = sweep_count};
    out->sweeps = xcalloc(sweep_count ? sweep_count : 1, sizeof *out->sweeps);
    for (size_t i = 0; i < sweep_count; i++)
        findings_sweep_decide(d, &sweeps[i], baseline, &out->sweeps[i]);
    findings_crossovers(d, sweeps, sweep_count, out);
    findings_knees(d, sweeps, sweep_count, out);
    for (size_t m = 0; history && m < d->machine_count; m++)
        findings_history_machine(d, history, d->machines[m].id, out);
    struct findings_claims all = {0};
    findings_gather_claims(out, &all);
    findings_claims_correct(&all);
    for (size_t i = 0; i < sweep_count; i++)
        findings_rank_settle(d, &sweeps[i], &out->sweeps[i]);
    for (size_t i = 0; i < out->crossover_count; i++)
        findings_crossing_settle(sweeps, &out->crossovers[i]);
    for (size_t t = 0; t < out->history_count; t++)
        findings_history_settle(&out->histories[t]);
    findings_count_tests(out);
    findings_matrix_decide(d, sweeps, sweep_count, out);
    findings_groups_decide(d, sweeps, sweep_count, out);
}

void findings_free(struct findings *f)
{
    for (size_t i = 0; i < f->sweep_count; i++) {
        free(f->sweeps[i].points);
        free(f->sweeps[i].cells);
    }
    for (size_t i = 0; i < f->history_count; i++)
        free(f->histories[i].rows);
    findings_groups_free(f);
    findings_matrix_free(&f->matrix);
    free(f->sweeps);
    free(f->crossovers);
    free(f->knees);
    free(f->histories);
    *f = (struct findings){0};
}
