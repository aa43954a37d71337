/*
 * report_data.c: loads runs, machines and cases from the store into report_data, and groups the
 * cases into sweeps (see report_data.h).  Runs and machines are read with two bound SELECTs over
 * the documented schema; cases and samples through store_run_samples, so the column-to-struct
 * mapping lives in one place (store/store.c).  Grouping is by text keys in a sorted array: a
 * run holds hundreds of cases, so clarity wins over a hash table.
 */
#include "reports/report_data.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/stats.h"
#include "runner/disturbance.h"
#include "scenarios/case_dims.h"

const char *report_dim_name(enum report_dim dim)
{
    static const char *const names[] = {"threads", "read_pct", "keys", "shards", "zipf_theta",
                                        "hot_keys", "write_kind", "none"};
    return names[dim];
}

/* ---- loading ---- */

static bool report_fail_sql(sqlite3 *db, const char *what, char *err)
{
    snprintf(err, ERR_LEN, "reading %s: %s", what, sqlite3_errmsg(db));
    return false;
}

/* A text column of any length, malloc'd; NULL for NULL. */
static char *report_column_strdup(sqlite3_stmt *st, int column)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    return text ? xstrdup((const char *)text) : NULL;
}

static bool report_load_run(sqlite3 *db, int64_t run_id, struct report_run *r, char *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, machine_id, started_at, status, label, command_line, git_commit,"
                           " compiler, cflags, library_versions, transparent_hugepages, cpu_governor,"
                           " method_version, coalesce(planted_slowdown_pct, 0), scenario_text, cpu_mitigations"
                           " FROM runs WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return report_fail_sql(db, "runs", err);
    sqlite3_bind_int64(st, 1, run_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->machine_id = sqlite3_column_int64(st, 1);
        store_column_text(st, 2, r->started_at, sizeof r->started_at);
        store_column_text(st, 3, r->status, sizeof r->status);
        store_column_text(st, 4, r->label, sizeof r->label);
        store_column_text(st, 5, r->command_line, sizeof r->command_line);
        store_column_text(st, 6, r->git_commit, sizeof r->git_commit);
        store_column_text(st, 7, r->compiler, sizeof r->compiler);
        store_column_text(st, 8, r->cflags, sizeof r->cflags);
        store_column_text(st, 9, r->library_versions, sizeof r->library_versions);
        store_column_text(st, 10, r->transparent_hugepages, sizeof r->transparent_hugepages);
        store_column_text(st, 11, r->cpu_governor, sizeof r->cpu_governor);
        r->method_version = sqlite3_column_int(st, 12);
        r->planted_slowdown_pct = sqlite3_column_double(st, 13);
        r->scenario_text = report_column_strdup(st, 14);
        r->cpu_mitigations = report_column_strdup(st, 15);
    } else if (rc == SQLITE_DONE) {
        snprintf(err, ERR_LEN, "no run %lld in the database", (long long)run_id);
    } else {
        report_fail_sql(db, "runs", err);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

static bool report_load_machine(sqlite3 *db, int64_t machine_id, struct report_machine *m, char *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, fingerprint, hostname, cpu_model, kernel, packages, numa_nodes, cores,"
                           " pus, cache_levels, l1_bytes, l2_bytes, l3_bytes, l4_bytes, topology_xml"
                           " FROM machines WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return report_fail_sql(db, "machines", err);
    sqlite3_bind_int64(st, 1, machine_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(m, 0, sizeof *m);
        m->id = sqlite3_column_int64(st, 0);
        store_column_text(st, 1, m->fingerprint, sizeof m->fingerprint);
        store_column_text(st, 2, m->hostname, sizeof m->hostname);
        store_column_text(st, 3, m->cpu_model, sizeof m->cpu_model);
        store_column_text(st, 4, m->kernel, sizeof m->kernel);
        m->packages = sqlite3_column_int(st, 5);
        m->numa_nodes = sqlite3_column_int(st, 6);
        m->cores = sqlite3_column_int(st, 7);
        m->pus = sqlite3_column_int(st, 8);
        m->cache_levels = sqlite3_column_int(st, 9);
        for (int i = 0; i < 4; i++)
            m->cache_bytes[i] = (uint64_t)sqlite3_column_int64(st, 10 + i);
        const unsigned char *xml = sqlite3_column_text(st, 14);
        m->topology_xml = xml ? xstrdup((const char *)xml) : NULL;
    } else if (rc == SQLITE_DONE) {
        snprintf(err, ERR_LEN, "no machine %lld in the database", (long long)machine_id);
    } else {
        report_fail_sql(db, "machines", err);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

long report_data_machine_runs(struct store *s, int64_t machine_id, int64_t **ids, char *err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    *ids = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id FROM runs WHERE machine_id = ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return report_fail_sql(db, "runs", err) ? 0 : -1;
    sqlite3_bind_int64(st, 1, machine_id);
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *ids = xreallocarray(*ids, (size_t)n + 1, sizeof **ids);
        (*ids)[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        snprintf(err, ERR_LEN, "reading runs of machine %lld", (long long)machine_id);
        return -1;
    }
    return n;
}

/* Loading context: the case being accumulated and its samples' per-sample values. */
struct report_loader {
    struct report_data *d;
    size_t run;
    bool open;
    struct report_case cur;
    double bytes[REPORT_MAX_REPS], pending[REPORT_MAX_REPS], allocs[REPORT_MAX_REPS], fair[REPORT_MAX_REPS],
        touched[REPORT_MAX_REPS];
    size_t pending_n; /* samples that measured their pending bytes */
    double lat[RESULT_OP_COUNT][REPORT_PCTS][REPORT_MAX_REPS];
    size_t lat_n[RESULT_OP_COUNT];
};

static double report_fairness(const struct result_sample *x)
{
    if (x->workers < 2)
        return 1;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int w = 0; w < x->workers && w < RESULT_MAX_WORKERS; w++) {
        lo = x->worker_ops[w] < lo ? x->worker_ops[w] : lo;
        hi = x->worker_ops[w] > hi ? x->worker_ops[w] : hi;
    }
    return hi ? (double)lo / (double)hi : 1;
}

static void report_loader_add_sample(struct report_loader *l, const struct result_sample *x)
{
    struct report_case *c = &l->cur;
    if (!x->valid || c->n == REPORT_MAX_REPS || x->ops_per_s <= 0)
        return;
    c->disturbed += disturbance_affected(x);
    l->bytes[c->n] = x->bytes_per_key;
    if (!isnan(x->pending_bytes_per_key))
        l->pending[l->pending_n++] = x->pending_bytes_per_key;
    l->allocs[c->n] = x->allocs_per_op;
    l->fair[c->n] = report_fairness(x);
    l->touched[c->n] = (double)x->distinct_keys;
    for (int op = 0; op < RESULT_OP_COUNT; op++) {
        const struct result_latency *lat = &x->latency[op];
        if (lat->samples == 0)
            continue;
        const double p[REPORT_PCTS] = {lat->p50_ns, lat->p90_ns, lat->p99_ns, lat->p999_ns};
        for (int k = 0; k < REPORT_PCTS; k++)
            l->lat[op][k][l->lat_n[op]] = p[k];
        l->lat_n[op]++;
    }
    c->round[c->n] = x->round;
    c->ops[c->n++] = x->ops_per_s;
}

static void report_loader_close(struct report_loader *l)
{
    struct report_case *c = &l->cur;
    if (!l->open)
        return;
    l->open = false;
    c->median = c->min = c->max = c->bytes_per_key = c->allocs_per_op = c->fairness = c->pending_bytes_per_key = NAN;
    c->distinct_keys = NAN;
    c->cv = 0;
    if (c->n) {
        c->median = stats_median(c->ops, c->n);
        c->cv = stats_cv(c->ops, c->n);
        c->min = c->max = c->ops[0];
        for (size_t i = 1; i < c->n; i++) {
            c->min = fmin(c->min, c->ops[i]);
            c->max = fmax(c->max, c->ops[i]);
        }
        c->bytes_per_key = stats_median(l->bytes, c->n);
        if (l->pending_n == c->n) /* split only when every sample measured it */
            c->pending_bytes_per_key = stats_median(l->pending, c->n);
        c->allocs_per_op = stats_median(l->allocs, c->n);
        c->fairness = stats_median(l->fair, c->n);
        c->distinct_keys = stats_median(l->touched, c->n);
    }
    for (int op = 0; op < RESULT_OP_COUNT; op++) {
        c->has_latency[op] = l->lat_n[op] > 0;
        for (int k = 0; k < REPORT_PCTS; k++)
            c->latency_ns[op][k] = c->has_latency[op] ? stats_median(l->lat[op][k], l->lat_n[op]) : NAN;
    }
    struct report_data *d = l->d;
    d->cases = xreallocarray(d->cases, d->case_count + 1, sizeof *d->cases);
    d->cases[d->case_count++] = *c;
}

static bool report_loader_row(const struct store_row *row, void *ctx)
{
    struct report_loader *l = ctx;
    if (!l->open || l->cur.case_id != row->case_id) {
        report_loader_close(l);
        memset(&l->cur, 0, sizeof l->cur);
        memset(l->lat_n, 0, sizeof l->lat_n);
        l->pending_n = 0;
        l->cur.run_id = row->run_id;
        l->cur.case_id = row->case_id;
        l->cur.run = l->run;
        l->cur.c = row->c;
        snprintf(l->cur.status, sizeof l->cur.status, "%s", row->case_status);
        snprintf(l->cur.reason, sizeof l->cur.reason, "%s", row->case_reason);
        l->open = true;
    }
    if (row->has_sample)
        report_loader_add_sample(l, &row->sample);
    return true;
}

static bool report_data_add_machine(struct store *s, struct report_data *d, int64_t machine_id, char *err)
{
    for (size_t i = 0; i < d->machine_count; i++)
        if (d->machines[i].id == machine_id)
            return true;
    d->machines = xreallocarray(d->machines, d->machine_count + 1, sizeof *d->machines);
    if (!report_load_machine(store_db(s), machine_id, &d->machines[d->machine_count], err))
        return false;
    d->machine_count++;
    return true;
}

bool report_data_load(struct store *s, const int64_t *run_ids, size_t n, struct report_data *out, char *err)
{
    memset(out, 0, sizeof *out);
    out->runs = xcalloc(n, sizeof *out->runs);
    struct report_loader *l = xcalloc(1, sizeof *l);
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        ok = report_load_run(store_db(s), run_ids[i], &out->runs[i], err) &&
             report_data_add_machine(s, out, out->runs[i].machine_id, err);
        if (!ok)
            break;
        out->run_count++;
        *l = (struct report_loader){.d = out, .run = i};
        ok = store_run_samples(s, run_ids[i], report_loader_row, l, err) &&
             calibration_load(s, run_ids[i], &out->calibration, err);
        report_loader_close(l);
    }
    free(l);
    if (!ok)
        report_data_free(out);
    return ok;
}

void report_data_free(struct report_data *d)
{
    for (size_t i = 0; i < d->machine_count; i++)
        free(d->machines[i].topology_xml);
    free(d->machines);
    for (size_t i = 0; i < d->run_count; i++) {
        free(d->runs[i].scenario_text);
        free(d->runs[i].cpu_mitigations);
    }
    free(d->runs);
    free(d->cases);
    calibration_free(&d->calibration);
    memset(d, 0, sizeof *d);
}

const struct report_machine *report_data_machine_of(const struct report_data *d, const struct report_run *run)
{
    for (size_t i = 0; i < d->machine_count; i++)
        if (d->machines[i].id == run->machine_id)
            return &d->machines[i];
    return NULL;
}

/* ---- case identity ---- */

/* The spec's shards option: "striped:shards=64,lock=mutex" gives 64. */
static bool report_spec_shards(const char *spec, double *shards)
{
    const char *colon = strchr(spec, ':');
    for (const char *p = colon; p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, "shards=", 7) == 0) {
            *shards = strtod(p + 8, NULL);
            return true;
        }
    }
    return false;
}

void report_data_series_label(const struct bench_case *c, enum report_dim dim, char *buf, size_t len)
{
    snprintf(buf, len, "%s", c->backend);
    if (dim != REPORT_DIM_SHARDS)
        return;
    char *colon = strchr(buf, ':');
    for (char *p = colon; p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, "shards=", 7) != 0)
            continue;
        char *end = strchr(p + 1, ',');
        if (end)
            memmove(p + 1, end + 1, strlen(end + 1) + 1); /* drop "shards=N," */
        else
            *p = '\0'; /* drop ",shards=N" or ":shards=N" */
        return;
    }
}

bool report_data_case_value(const struct bench_case *c, enum report_dim dim, double *value)
{
    switch (dim) {
    case REPORT_DIM_THREADS: *value = c->threads; return true;
    case REPORT_DIM_READ_PCT: *value = c->read_pct; return true;
    case REPORT_DIM_KEYS: *value = (double)c->keys; return true;
    case REPORT_DIM_SHARDS: return report_spec_shards(c->backend, value);
    case REPORT_DIM_ZIPF_THETA: *value = c->zipf_theta; return c->distribution == CASE_DIST_ZIPF;
    case REPORT_DIM_HOT_KEYS: *value = (double)c->hot_keys; return c->distribution == CASE_DIST_HOT;
    case REPORT_DIM_WRITE_KIND: *value = c->write_kind; return true;
    default: return false;
    }
}

/* The case dimension a sweep's axis belongs to, as a mask: zipf theta and hot keys are parts of
 * the distribution (a sweep over either holds only cases of that kind), shards part of the backend
 * spec (report_data_series_label takes it out). */
static case_dim_mask report_dim_mask(enum report_dim dim)
{
    static const char *const rows[] = {
        [REPORT_DIM_THREADS] = "threads",         [REPORT_DIM_READ_PCT] = "read_pct",
        [REPORT_DIM_KEYS] = "keys",               [REPORT_DIM_SHARDS] = NULL,
        [REPORT_DIM_ZIPF_THETA] = "distribution", [REPORT_DIM_HOT_KEYS] = "distribution",
        [REPORT_DIM_WRITE_KIND] = "write_kind",   [REPORT_DIM_NONE] = NULL,
    };
    return rows[dim] ? case_dim_bit(rows[dim]) : 0;
}

/* The key of report_data_case_key; backend false leaves the backend out (the sweep's groups,
 * whose series are the backends). */
static void report_key(const struct bench_case *c, enum report_dim except, bool with_backend, char *buf, size_t len)
{
    struct bench_case keyed = *c;
    if (except == REPORT_DIM_SHARDS)
        report_data_series_label(c, except, keyed.backend, sizeof keyed.backend);
    case_key(&keyed, report_dim_mask(except) | (with_backend ? 0 : case_dim_bit("backend")), buf, len);
}

void report_data_case_key(const struct bench_case *c, enum report_dim except, char *buf, size_t len)
{
    report_key(c, except, true, buf, len);
}

/* The fixed dimensions of a sweep in words: all but the scenario, the backend (the series) and
 * the swept one. */
static void report_describe_fixed(const struct bench_case *c, enum report_dim dim, char *buf, size_t len)
{
    case_describe(c, CASE_DESCRIBE_WORDS,
                  report_dim_mask(dim) | case_dim_bit("scenario") | case_dim_bit("backend"), buf, len);
}

/* ---- sweeps ---- */

static void report_sweep_release(struct report_sweep *w);

struct report_keyed {
    char key[CASE_KEY_LEN];
    size_t index;
};

static int report_keyed_cmp(const void *a, const void *b)
{
    const struct report_keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int report_double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static struct report_series *report_sweep_series(struct report_sweep *w, const char *label,
                                                 const struct bench_case *c)
{
    for (size_t i = 0; i < w->series_count; i++)
        if (strcmp(w->series[i].label, label) == 0)
            return &w->series[i];
    w->series = xreallocarray(w->series, w->series_count + 1, sizeof *w->series);
    struct report_series *s = &w->series[w->series_count++];
    memset(s, 0, sizeof *s);
    snprintf(s->label, sizeof s->label, "%s", label);
    snprintf(s->name, sizeof s->name, "%s", c->backend_name);
    s->role = c->role;
    return s;
}

static bool report_series_add(struct report_series *s, double x, size_t index)
{
    s->x = xreallocarray(s->x, s->n + 1, sizeof *s->x);
    s->cases = xreallocarray(s->cases, s->n + 1, sizeof *s->cases);
    size_t at = s->n;
    while (at > 0 && s->x[at - 1] > x) { /* keep x ascending */
        s->x[at] = s->x[at - 1];
        s->cases[at] = s->cases[at - 1];
        at--;
    }
    s->x[at] = x;
    s->cases[at] = index;
    s->n++;
    return true;
}

static bool report_sweep_add_point(struct report_sweep *w, double x)
{
    for (size_t i = 0; i < w->point_count; i++)
        if (w->points[i] == x)
            return true;
    w->points = xreallocarray(w->points, w->point_count + 1, sizeof *w->points);
    w->points[w->point_count++] = x;
    qsort(w->points, w->point_count, sizeof *w->points, report_double_cmp);
    return true;
}

/* Builds one sweep from the cases keyed[from..to) (same key without dim); false on OOM. */
static bool report_sweep_fill(const struct report_data *d, enum report_dim dim, const struct report_keyed *keyed,
                              size_t from, size_t to, struct report_sweep *w)
{
    const struct report_case *first = &d->cases[keyed[from].index];
    memset(w, 0, sizeof *w);
    w->run = first->run;
    w->dim = dim;
    const char *bar = strchr(keyed[from].key, '|'); /* after the run's prefix */
    snprintf(w->key, sizeof w->key, "%s", bar ? bar + 1 : keyed[from].key);
    snprintf(w->scenario, sizeof w->scenario, "%s", first->c.scenario);
    report_describe_fixed(&first->c, dim, w->fixed, sizeof w->fixed);
    for (size_t i = from; i < to; i++) {
        const struct report_case *rc = &d->cases[keyed[i].index];
        char label[256];
        double x;
        report_data_case_value(&rc->c, dim, &x);
        report_data_series_label(&rc->c, dim, label, sizeof label);
        struct report_series *s = report_sweep_series(w, label, &rc->c);
        if (!s || !report_series_add(s, x, keyed[i].index) || !report_sweep_add_point(w, x))
            return false;
    }
    return true;
}

static bool report_sweeps_push(struct report_sweep **out, size_t *count, const struct report_sweep *w)
{
    *out = xreallocarray(*out, *count + 1, sizeof **out);
    (*out)[(*count)++] = *w;
    return true;
}

/* The sweeps over one dimension: cases with a value for it and samples, grouped by key. */
static bool report_sweeps_of_dim(const struct report_data *d, enum report_dim dim, struct report_keyed *keyed,
                                 struct report_sweep **out, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < d->case_count; i++) {
        const struct report_case *rc = &d->cases[i];
        double x;
        if (rc->n == 0 || !report_data_case_value(&rc->c, dim, &x))
            continue;
        int len = snprintf(keyed[n].key, sizeof keyed[n].key, "%06zu|", rc->run);
        report_key(&rc->c, dim, false, keyed[n].key + len, sizeof keyed[n].key - (size_t)len);
        keyed[n++].index = i;
    }
    qsort(keyed, n, sizeof *keyed, report_keyed_cmp);
    for (size_t from = 0, to; from < n; from = to) {
        for (to = from + 1; to < n && strcmp(keyed[to].key, keyed[from].key) == 0; to++)
            ;
        struct report_sweep w;
        bool ok = report_sweep_fill(d, dim, keyed, from, to, &w);
        if (ok && w.point_count >= 2)
            ok = report_sweeps_push(out, count, &w);
        else
            report_sweep_release(&w);
        if (!ok)
            return false;
    }
    return true;
}

bool report_sweeps_build(const struct report_data *d, struct report_sweep **out, size_t *count, char *err)
{
    *out = NULL;
    *count = 0;
    struct report_keyed *keyed = xcalloc(d->case_count, sizeof *keyed);
    bool ok = true;
    for (int dim = 0; ok && dim < REPORT_DIM_COUNT; dim++)
        ok = report_sweeps_of_dim(d, (enum report_dim)dim, keyed, out, count);
    free(keyed);
    if (!ok) {
        report_sweeps_free(*out, *count);
        *out = NULL;
        *count = 0;
        snprintf(err, ERR_LEN, "out of memory grouping cases into sweeps");
    }
    return ok;
}

static void report_sweep_release(struct report_sweep *w)
{
    for (size_t k = 0; k < w->series_count; k++) {
        free(w->series[k].x);
        free(w->series[k].cases);
    }
    free(w->series);
    free(w->points);
}

void report_sweeps_free(struct report_sweep *sweeps, size_t count)
{
    for (size_t i = 0; sweeps && i < count; i++)
        report_sweep_release(&sweeps[i]);
    free(sweeps);
}

const struct report_case *report_series_case_at(const struct report_data *d, const struct report_series *s,
                                                double x)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->x[i] == x)
            return &d->cases[s->cases[i]];
    return NULL;
}
