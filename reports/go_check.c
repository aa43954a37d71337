/*
 * go_check.c: Go's orderings of its maps beside mapbench's (see go_check.h).  Both runs are read
 * through report_data_load; the figures printed for a disagreement come from the samples table
 * (one bound SELECT per case), because they are sums and averages the report does not keep.
 */
#include "reports/go_check.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_data.h"

const struct go_check_pair go_check_pairs[] = {
    {"go:sync.Map", "syncmap"},
    {"go:RWMutexMap", "rwlock:impl=go,range=copy-keys"},
    {"go:DeepCopyMap", "cow:put_if_absent=load-first,copy=always"},
};
const size_t go_check_pair_count = sizeof go_check_pairs / sizeof go_check_pairs[0];

#define GO_CHECK_PREFIX "go-sync/"
#define GO_CHECK_MAPS (sizeof go_check_pairs / sizeof go_check_pairs[0])
#define GO_CHECK_LINE 512

static void go_check_range(const double *x, size_t n, double *lo, double *hi)
{
    *lo = *hi = x[0];
    for (size_t i = 1; i < n; i++) {
        *lo = fmin(*lo, x[i]);
        *hi = fmax(*hi, x[i]);
    }
}

int go_check_separated(const double *a, size_t na, const double *b, size_t nb)
{
    double alo, ahi, blo, bhi;
    if (!na || !nb)
        return 0;
    go_check_range(a, na, &alo, &ahi);
    go_check_range(b, nb, &blo, &bhi);
    /* the faster minimum at least 10% above the slower maximum (x 10 >= y x 11: exact at 10%) */
    if (alo > bhi && alo * 10 >= bhi * 11)
        return 1;
    if (blo > ahi && blo * 10 >= ahi * 11)
        return -1;
    return 0;
}

/* ---- finding the runs ---------------------------------------------------------------------- */

static bool go_check_newest(struct store *s, const char *sql, const char *what, int64_t *run,
                            char *err)
{
    sqlite3_stmt *st;
    sqlite3 *db = store_db(s);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, ERR_LEN, "reading runs: %s", sqlite3_errmsg(db));
        return false;
    }
    *run = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (*run == 0)
        snprintf(err, ERR_LEN, "no run with %s", what);
    return *run != 0;
}

bool go_check_find_runs(struct store *s, int64_t *go_run, int64_t *our_run, char *err)
{
    return go_check_newest(s,
                           "SELECT coalesce(max(run_id), 0) FROM cases WHERE role = 'external'"
                           " AND scenario LIKE '" GO_CHECK_PREFIX "%'",
                           "imported Go benchmarks (mapbench import go-bench)", go_run, err) &&
           go_check_newest(s,
                           "SELECT coalesce(max(run_id), 0) FROM cases WHERE role != 'external'"
                           " AND scenario LIKE '" GO_CHECK_PREFIX "%' AND status = 'ok'",
                           "go-sync cases measured by mapbench (mapbench run go-sync)", our_run,
                           err);
}

/* ---- one row: a benchmark at a thread count ------------------------------------------------ */

struct go_check_row {
    const char *scenario;
    int threads;
    const struct report_case *go[GO_CHECK_MAPS];   /* NULL: Go has no such map here */
    const struct report_case *ours[GO_CHECK_MAPS]; /* NULL: no valid mapbench case */
};

/* The case of run `run` with this scenario, threads and backend spec, with valid samples. */
static const struct report_case *go_check_case(const struct report_data *d, size_t run,
                                               const char *scenario, int threads,
                                               const char *backend)
{
    for (size_t i = 0; i < d->case_count; i++) {
        const struct report_case *rc = &d->cases[i];
        if (rc->run == run && rc->n && rc->c.threads == threads &&
            strcmp(rc->c.scenario, scenario) == 0 && strcmp(rc->c.backend, backend) == 0)
            return rc;
    }
    return NULL;
}

static void go_check_row_fill(const struct report_data *d, const char *scenario, int threads,
                              struct go_check_row *row)
{
    *row = (struct go_check_row){.scenario = scenario, .threads = threads};
    for (size_t m = 0; m < GO_CHECK_MAPS; m++) {
        row->go[m] = go_check_case(d, 0, scenario, threads, go_check_pairs[m].go);
        if (row->go[m])
            row->ours[m] = go_check_case(d, 1, scenario, threads, go_check_pairs[m].spec);
    }
}

/* "sync.Map > RWMutexMap ~ DeepCopyMap": the present maps by median, fastest first, '>' where
 * Go's rule separates neighbours. */
static void go_check_ordering(const struct report_case *const *cases, bool go_names, char *buf,
                              size_t len)
{
    size_t order[GO_CHECK_MAPS], n = 0;
    for (size_t m = 0; m < GO_CHECK_MAPS; m++)
        if (cases[m])
            order[n++] = m;
    for (size_t i = 1; i < n; i++) /* insertion sort, median descending */
        for (size_t j = i; j > 0 && cases[order[j]]->median > cases[order[j - 1]]->median; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const struct report_case *c = cases[order[i]];
        const char *sep = "";
        if (i)
            sep = go_check_separated(cases[order[i - 1]]->ops, cases[order[i - 1]]->n, c->ops,
                                     c->n) ? " > " : " ~ ";
        used += (size_t)snprintf(buf + used, len - used, "%s%s", sep,
                                 go_names ? go_check_pairs[order[i]].go + 3 : c->c.backend_name);
    }
    if (n == 0)
        snprintf(buf, len, "-");
}

/* ---- the figures behind a disagreement ----------------------------------------------------- */

struct go_check_figures {
    double allocs, hit_rate, writes_per_op, bytes_per_key; /* NAN: not stored */
};

static double go_check_column(sqlite3_stmt *st, int column)
{
    return sqlite3_column_type(st, column) == SQLITE_NULL ? NAN : sqlite3_column_double(st, column);
}

static void go_check_figures_of(struct store *s, const struct report_case *c,
                                struct go_check_figures *f)
{
    sqlite3_stmt *st;
    *f = (struct go_check_figures){NAN, NAN, NAN, NAN};
    if (sqlite3_prepare_v2(store_db(s),
                           "SELECT avg(allocs_per_op), sum(get_hits) * 1.0 / nullif(sum(gets), 0),"
                           " sum(writes_effective) * 1.0 / nullif(sum(total_ops), 0),"
                           " avg(bytes_per_key) FROM samples WHERE case_id = ? AND valid",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, c->case_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        *f = (struct go_check_figures){go_check_column(st, 0), go_check_column(st, 1),
                                       go_check_column(st, 2), go_check_column(st, 3)};
    sqlite3_finalize(st);
}

/* "1.00 vs 0.00", each value with `format`, "-" where not stored. */
static void go_check_versus(double a, double b, const char *format, double scale, char *buf,
                            size_t len)
{
    char x[32] = "-", y[32] = "-";
    if (!isnan(a))
        snprintf(x, sizeof x, format, a * scale);
    if (!isnan(b))
        snprintf(y, sizeof y, format, b * scale);
    snprintf(buf, len, "%s vs %s", x, y);
}

static void go_check_explain(struct store *s, const struct go_check_row *row, size_t a, size_t b,
                             int go_order, FILE *out)
{
    struct go_check_figures ga, gb, oa, ob;
    char allocs_go[80], allocs_ours[80], hits[80], writes[80], bytes[80];
    go_check_figures_of(s, row->go[a], &ga);
    go_check_figures_of(s, row->go[b], &gb);
    go_check_figures_of(s, row->ours[a], &oa);
    go_check_figures_of(s, row->ours[b], &ob);
    go_check_versus(ga.allocs, gb.allocs, "%.2f", 1, allocs_go, sizeof allocs_go);
    go_check_versus(oa.allocs, ob.allocs, "%.2f", 1, allocs_ours, sizeof allocs_ours);
    go_check_versus(oa.hit_rate, ob.hit_rate, "%.1f%%", 100, hits, sizeof hits);
    go_check_versus(oa.writes_per_op, ob.writes_per_op, "%.4f", 1, writes, sizeof writes);
    go_check_versus(oa.bytes_per_key, ob.bytes_per_key, "%.0f", 1, bytes, sizeof bytes);
    const struct report_case *fast = go_order > 0 ? row->go[a] : row->go[b];
    const struct report_case *slow = go_order > 0 ? row->go[b] : row->go[a];
    fprintf(out, "    disagree: Go %s %.3g Mops/s (%.3g-%.3g) > %s %.3g (%.3g-%.3g); mapbench %s "
                 "%.3g, %s %.3g (medians)\n",
            fast->c.backend + 3, fast->median / 1e6, fast->min / 1e6, fast->max / 1e6,
            slow->c.backend + 3, slow->median / 1e6, slow->min / 1e6, slow->max / 1e6,
            row->ours[a]->c.backend_name, row->ours[a]->median / 1e6,
            row->ours[b]->c.backend_name, row->ours[b]->median / 1e6);
    fprintf(out, "    measured (%s vs %s): allocs/op Go %s, mapbench %s; mapbench hit rate %s, "
                 "effective writes/op %s, bytes/key %s\n",
            go_check_pairs[a].go + 3, go_check_pairs[b].go + 3, allocs_go, allocs_ours, hits,
            writes, bytes);
}

struct go_check_pair_order {
    size_t a, b;
    int order; /* go_check_separated of a against b */
};

/* Judges every pair of the row's maps; prints the row, then any disagreement's figures. */
static void go_check_row_print(struct store *s, const struct go_check_row *row, FILE *out,
                               struct go_check_tally *t)
{
    char go_order[GO_CHECK_LINE], our_order[GO_CHECK_LINE];
    size_t disagree = 0, missing = 0, separated = 0;
    go_check_ordering(row->go, true, go_order, sizeof go_order);
    go_check_ordering(row->ours, false, our_order, sizeof our_order);
    for (size_t m = 0; m < GO_CHECK_MAPS; m++)
        missing += row->go[m] && !row->ours[m];
    struct go_check_pair_order bad[GO_CHECK_MAPS * GO_CHECK_MAPS];
    for (size_t a = 0; a < GO_CHECK_MAPS; a++)
        for (size_t b = a + 1; b < GO_CHECK_MAPS; b++) {
            if (!row->go[a] || !row->go[b])
                continue;
            int order = go_check_separated(row->go[a]->ops, row->go[a]->n, row->go[b]->ops,
                                           row->go[b]->n);
            if (order == 0) {
                t->unseparated++;
                continue;
            }
            separated++;
            t->separated++;
            if (!row->ours[a] || !row->ours[b])
                continue;
            double diff = row->ours[a]->median - row->ours[b]->median;
            if ((order > 0 && diff > 0) || (order < 0 && diff < 0)) {
                t->agree++;
            } else {
                t->disagree++;
                bad[disagree++] = (struct go_check_pair_order){a, b, order};
            }
        }
    t->missing += missing;
    const char *verdict = disagree ? "DISAGREE" : missing ? "missing" : separated ? "agree"
                                                                                  : "no separation";
    fprintf(out, "%-24s %4d  %-36s %-36s %s\n", row->scenario + strlen(GO_CHECK_PREFIX),
            row->threads, go_order, our_order, verdict);
    for (size_t i = 0; i < disagree; i++)
        go_check_explain(s, row, bad[i].a, bad[i].b, bad[i].order, out);
}

/* ---- the whole check ----------------------------------------------------------------------- */

static bool go_check_seen(const struct report_data *d, size_t upto, const struct report_case *c)
{
    for (size_t i = 0; i < upto; i++)
        if (d->cases[i].run == 0 && d->cases[i].c.threads == c->c.threads &&
            strcmp(d->cases[i].c.scenario, c->c.scenario) == 0)
            return true;
    return false;
}

bool go_check_print(struct store *s, int64_t go_run, int64_t our_run, FILE *out,
                    struct go_check_tally *tally, char *err)
{
    struct report_data d;
    const int64_t runs[2] = {go_run, our_run};
    memset(tally, 0, sizeof *tally);
    if (!report_data_load(s, runs, 2, &d, err))
        return false;
    fprintf(out, "go-check: Go's run %lld (%s) against mapbench's run %lld (%s)\n"
                 "Go separates two maps when the ranges of their repetitions' throughput are "
                 "disjoint and 10%% apart ('>'; '~' where not); mapbench's order is by median.\n"
                 "%-24s %4s  %-36s %-36s %s\n",
            (long long)go_run, d.runs[0].label[0] ? d.runs[0].label : "no label",
            (long long)our_run, d.runs[1].label[0] ? d.runs[1].label : "no label", "benchmark",
            "cpu", "Go", "mapbench", "verdict");
    size_t rows = 0;
    for (size_t i = 0; i < d.case_count; i++) {
        const struct report_case *c = &d.cases[i];
        if (c->run != 0 || c->c.role != MAP_ROLE_EXTERNAL ||
            strncmp(c->c.scenario, GO_CHECK_PREFIX, strlen(GO_CHECK_PREFIX)) != 0 ||
            go_check_seen(&d, i, c))
            continue;
        struct go_check_row row;
        go_check_row_fill(&d, c->c.scenario, c->c.threads, &row);
        go_check_row_print(s, &row, out, tally);
        rows++;
    }
    fprintf(out, "go-check: of %zu pairs of maps Go separates, %zu agree and %zu disagree; Go "
                 "separates %zu pairs not; %zu of Go's cases have no mapbench case\n",
            tally->separated, tally->agree, tally->disagree, tally->unseparated, tally->missing);
    report_data_free(&d);
    if (rows == 0)
        snprintf(err, ERR_LEN, "run %lld holds no imported go-sync case", (long long)go_run);
    return rows > 0;
}
