/*
 * compare.c: the regression gate of compare.h.
 *
 * Loading reads the runs through store_run_samples and resolves run names with a few bound
 * SELECTs over the documented schema.  Cases are matched by their key (case_key: every dimension
 * that identifies a case) in a linear search that remembers the last hit, because the store
 * hands rows over grouped by case: hundreds of cases and thousands of rows stay well under a
 * millisecond.  A history baseline walks the candidate machine's earlier runs newest first and
 * takes, per case, the samples of the newest `history` runs that measured it, so a nightly job
 * that alternates scenarios still finds each case's own recent past; the walk stops as soon as
 * every candidate case has its runs.
 *
 * Judging leaves everything a reporter states in struct compare_case (down to the smallest p an
 * unknown case's repetitions allow), so the reporters of compare_format.c only format.
 */
#include "reports/compare.h"

#include "base/xalloc.h"
#include "maps/map.h"
#include "runner/disturbance.h"
#include "scenarios/case_dims.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options and metrics ------------------------------------------------------------------- */

struct compare_metric {
    const char *name;
    bool higher_is_better;
    double (*value)(const struct result_sample *s); /* NAN when absent */
};

static double compare_ops_per_s(const struct result_sample *s) { return s->ops_per_s; }
static double compare_ns_per_op(const struct result_sample *s) { return s->ns_per_op; }

static double compare_get_p99_ns(const struct result_sample *s)
{
    return s->latency[RESULT_OP_GET].samples ? s->latency[RESULT_OP_GET].p99_ns : NAN;
}

static const struct compare_metric compare_metrics[] = {
    {"ops_per_s", true, compare_ops_per_s},
    {"ns_per_op", false, compare_ns_per_op},
    {"get_p99_ns", false, compare_get_p99_ns},
};

static const struct compare_metric *compare_metric_find(const char *name)
{
    for (size_t i = 0; i < sizeof compare_metrics / sizeof compare_metrics[0]; i++)
        if (strcmp(compare_metrics[i].name, name) == 0)
            return &compare_metrics[i];
    return NULL;
}

void compare_options_init(struct compare_options *o)
{
    *o = (struct compare_options){
        .history = COMPARE_DEFAULT_HISTORY, .threshold = 0.05, .alpha = 0.05,
        .metric = "ops_per_s",
    };
}

const char *compare_verdict_name(enum compare_verdict v)
{
    static const char *const names[COMPARE_VERDICTS] = {
        [COMPARE_REGRESSED] = "regressed", [COMPARE_IMPROVED] = "improved",
        [COMPARE_INCONCLUSIVE] = "inconclusive",
        [COMPARE_UNKNOWN] = "unknown",     [COMPARE_UNCHANGED] = "unchanged",
    };
    return (unsigned)v < COMPARE_VERDICTS ? names[v] : "?";
}

static bool compare_fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool compare_fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, ERR_LEN, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- case keys and names ------------------------------------------------------------------- */

/* The case's identity (scenarios/case_dims.h says which dimensions identify a case), malloc'd. */
static char *compare_case_key(const struct bench_case *c)
{
    char key[CASE_KEY_LEN];
    case_key(c, 0, key, sizeof key);
    return xstrdup(key);
}

/* The key of c's case as the reference backend ran it: every identifying dimension but the
 * backend. */
static char *compare_reference_key(const struct bench_case *c)
{
    char key[CASE_KEY_LEN];
    case_key(c, case_dim_bit("backend"), key, sizeof key);
    return xstrdup(key);
}

static void compare_append(char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void compare_append(char *out, size_t len, const char *fmt, ...)
{
    size_t used = strlen(out);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + used, len - used, fmt, ap);
    va_end(ap);
}

/* The case in words: the usual dimensions always, the rest when not at their default. */
static char *compare_case_name(const struct bench_case *c)
{
    char name[CASE_DESCRIBE_LEN];
    case_describe(c, CASE_DESCRIBE_WORDS, 0, name, sizeof name);
    return xstrdup(name);
}

/* ---- matching and pooling ------------------------------------------------------------------ */

enum compare_side { COMPARE_SIDE_CANDIDATE, COMPARE_SIDE_BASELINE };

/* The reference backend's median per case of one run, for --normalize. */
struct compare_reference {
    char *key; /* compare_case_key with the backend left out */
    struct compare_samples values;
    double median;
};

struct compare_loader {
    struct compare_reference *references; /* of the run being loaded */
    size_t reference_count;
    struct compare_report *report;
    const struct compare_metric *metric;
    enum compare_side side;
    int64_t last_case_id;     /* rows come grouped by case: the last case and its match */
    struct compare_case *last_match;
    char **unmatched;         /* keys of baseline cases the candidate lacks, each counted once */
    size_t unmatched_count;
};

/* Remembers a baseline case the candidate lacks; takes key.  Counts it once across runs. */
static void compare_note_unmatched(struct compare_loader *l, char *key)
{
    for (size_t i = 0; i < l->unmatched_count; i++)
        if (strcmp(l->unmatched[i], key) == 0) {
            free(key);
            return;
        }
    l->unmatched = xreallocarray(l->unmatched, l->unmatched_count + 1, sizeof *l->unmatched);
    l->unmatched[l->unmatched_count++] = key;
    l->report->only_baseline++;
}

static void compare_samples_free(struct compare_samples *s)
{
    free(s->values);
    free(s->run_of);
}

static void compare_references_free(struct compare_loader *l)
{
    for (size_t i = 0; i < l->reference_count; i++) {
        free(l->references[i].key);
        compare_samples_free(&l->references[i].values);
    }
    free(l->references);
    l->references = NULL;
    l->reference_count = 0;
}

static void compare_loader_free(struct compare_loader *l)
{
    compare_references_free(l);
    for (size_t i = 0; i < l->unmatched_count; i++)
        free(l->unmatched[i]);
    free(l->unmatched);
}

static struct compare_case *compare_find(struct compare_report *r, const char *key)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->cases[i].key, key) == 0)
            return &r->cases[i];
    return NULL;
}

static struct compare_case *compare_add(struct compare_report *r, const struct bench_case *c,
                                        char *key)
{
    if (r->count == r->capacity) {
        size_t capacity = r->capacity ? 2 * r->capacity : 32;
        r->cases = xreallocarray(r->cases, capacity, sizeof *r->cases);
        r->capacity = capacity;
    }
    struct compare_case *added = &r->cases[r->count];
    *added = (struct compare_case){.c = *c, .key = key, .name = compare_case_name(c)};
    r->count++;
    return added;
}

static void compare_samples_push(struct compare_samples *s, double value, int64_t run_id)
{
    if (s->count == s->capacity) {
        size_t capacity = s->capacity ? 2 * s->capacity : 16;
        s->values = xreallocarray(s->values, capacity, sizeof *s->values);
        s->run_of = xreallocarray(s->run_of, capacity, sizeof *s->run_of);
        s->capacity = capacity;
    }
    s->run_of[s->count] = run_id;
    s->values[s->count++] = value;
}

/* The case a row belongs to: found or (candidate side) added; NULL when the baseline has a case
 * the candidate lacks.  Counts each unmatched baseline case once. */
static struct compare_case *compare_match(struct compare_loader *l, const struct store_row *row)
{
    if (row->case_id == l->last_case_id)
        return l->last_match;
    l->last_case_id = row->case_id;
    char *key = compare_case_key(&row->c);
    struct compare_case *match = compare_find(l->report, key);
    if (!match && l->side == COMPARE_SIDE_BASELINE && l->report->baseline.id != 0)
        compare_note_unmatched(l, key); /* a history's other cases are not "missing" */
    else if (match || l->side == COMPARE_SIDE_BASELINE)
        free(key);
    if (match || l->side == COMPARE_SIDE_BASELINE)
        return l->last_match = match;
    return l->last_match = compare_add(l->report, &row->c, key);
}

static struct compare_reference *compare_reference_find(struct compare_loader *l, const char *key)
{
    for (size_t i = 0; i < l->reference_count; i++)
        if (strcmp(l->references[i].key, key) == 0)
            return &l->references[i];
    return NULL;
}

/* First pass over a run with --normalize: the reference backend's valid samples per case. */
static bool compare_take_reference(const struct store_row *row, void *ctx)
{
    struct compare_loader *l = ctx;
    if (strcmp(row->c.backend_name, l->report->options.normalize) != 0 || !row->has_sample ||
        !row->sample.valid)
        return true;
    char *key = compare_reference_key(&row->c);
    struct compare_reference *ref = compare_reference_find(l, key);
    if (!ref) {
        l->references = xreallocarray(l->references, l->reference_count + 1, sizeof *l->references);
        ref = &l->references[l->reference_count++];
        *ref = (struct compare_reference){.key = key};
        key = NULL;
    }
    free(key);
    double value = l->metric->value(&row->sample);
    if (value > 0.0 && isfinite(value))
        compare_samples_push(&ref->values, value, row->run_id);
    return true;
}

/* The row's value divided by its reference median; NAN when the run has no reference case. */
static double compare_normalized(struct compare_loader *l, const struct store_row *row,
                                 double value)
{
    char *key = compare_reference_key(&row->c);
    struct compare_reference *ref = compare_reference_find(l, key);
    free(key);
    return ref && ref->median > 0 ? value / ref->median : NAN;
}

static bool compare_take_row(const struct store_row *row, void *ctx)
{
    struct compare_loader *l = ctx;
    bool new_case = row->case_id != l->last_case_id;
    struct compare_case *match = compare_match(l, row);
    if (!match)
        return true;
    struct compare_samples *side =
        l->side == COMPARE_SIDE_CANDIDATE ? &match->candidate : &match->baseline;
    if (new_case && side->last_run != row->run_id) {
        if (side->runs >= l->report->options.history && l->side == COMPARE_SIDE_BASELINE &&
            l->report->baseline.id == 0) {
            l->last_match = NULL; /* this case has its history already */
            return true;
        }
        side->runs++;
        side->last_run = row->run_id;
    }
    side->present = true;
    if (!row->has_sample || !row->sample.valid)
        return true;
    double value = l->metric->value(&row->sample);
    if (l->report->options.normalize)
        value = compare_normalized(l, row, value);
    if (!(value > 0.0) || !isfinite(value))
        return true;
    compare_samples_push(side, value, row->run_id);
    side->disturbed += disturbance_affected(&row->sample);
    return true;
}

/* With --normalize: reads the run's reference medians before its rows are taken. */
static bool compare_load_references(struct store *s, struct compare_loader *l, int64_t run_id,
                                    char *err)
{
    compare_references_free(l);
    if (!l->report->options.normalize)
        return true;
    if (!store_run_samples(s, run_id, compare_take_reference, l, err))
        return false;
    /* Checked against what the run stored, not against the backends this binary knows: a plugin
     * backend measured earlier is a valid reference without being loaded again. */
    if (l->reference_count == 0)
        return compare_fail(err, "--normalize: run %lld has no valid case of backend '%s'",
                            (long long)run_id, l->report->options.normalize);
    for (size_t i = 0; i < l->reference_count; i++) {
        struct compare_samples *v = &l->references[i].values;
        l->references[i].median = v->count ? stats_median(v->values, v->count) : 0;
    }
    return true;
}

static bool compare_run_info(struct store *s, int64_t id, struct compare_run *run, char *err);

/* Remembers a run the comparison reads, with its side. */
static bool compare_note_run(struct store *s, struct compare_loader *l, int64_t run_id, char *err)
{
    struct compare_report *r = l->report;
    struct compare_run_fact fact = {.candidate = l->side == COMPARE_SIDE_CANDIDATE};
    if (!compare_run_info(s, run_id, &fact.run, err))
        return false;
    r->runs = xreallocarray(r->runs, r->run_count + 1, sizeof *r->runs);
    r->runs[r->run_count++] = fact;
    r->methods_mixed |= fact.run.method_version != r->runs[0].run.method_version;
    return true;
}

static bool compare_load_run(struct store *s, struct compare_loader *l, int64_t run_id, char *err)
{
    if (!compare_note_run(s, l, run_id, err))
        return false;
    l->last_case_id = 0;
    l->last_match = NULL;
    if (!compare_load_references(s, l, run_id, err))
        return false;
    return store_run_samples(s, run_id, compare_take_row, l, err);
}

/* ---- runs ---------------------------------------------------------------------------------- */

/* A query returning at most one id, with an int64 ?1 and, when the SQL has them, a text ?2 (NULL
 * text binds NULL) and an int64 ?3; *id is 0 when the query yields no row or NULL. */
static bool compare_query_id(struct store *s, const char *sql, int64_t param, const char *text,
                             int64_t third, int64_t *id, char *err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    *id = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return compare_fail(err, "reading runs: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, param);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, third);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return compare_fail(err, "reading runs: %s", sqlite3_errmsg(db));
    return true;
}

static bool compare_run_info(struct store *s, int64_t id, struct compare_run *run, char *err)
{
    static const char sql[] =
        "SELECT r.id, r.status, coalesce(r.label, ''), r.started_at, m.fingerprint,"
        " coalesce(m.cpu_model, 'unknown CPU'), m.hostname, r.method_version,"
        " coalesce(r.planted_slowdown_pct, 0)"
        " FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ?";
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return compare_fail(err, "reading runs: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        run->id = sqlite3_column_int64(st, 0);
        store_column_text(st, 1, run->status, sizeof run->status);
        store_column_text(st, 2, run->label, sizeof run->label);
        store_column_text(st, 3, run->started_at, sizeof run->started_at);
        store_column_text(st, 4, run->fingerprint, sizeof run->fingerprint);
        store_column_text(st, 5, run->cpu_model, sizeof run->cpu_model);
        store_column_text(st, 6, run->hostname, sizeof run->hostname);
        run->method_version = sqlite3_column_int(st, 7);
        run->planted_slowdown_pct = sqlite3_column_double(st, 8);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return compare_fail(err, "no run %lld in the database", (long long)id);
    return compare_fail(err, "reading runs: %s", sqlite3_errmsg(db));
}

/* "latest", "previous" or a positive id.  previous: for the baseline, the newest run before the
 * candidate (of its machine unless cross_machine); for the candidate, the run before the newest. */
static bool compare_resolve(struct store *s, const char *name, const struct compare_run *candidate,
                            bool cross_machine, struct compare_run *out, char *err)
{
    int64_t id = 0, latest = 0;
    char *end;
    bool named = strcmp(name, "latest") == 0 || strcmp(name, "previous") == 0;
    if (named && !store_latest_run_id(s, &latest, err))
        return false;
    if (strcmp(name, "latest") == 0) {
        id = latest;
    } else if (strcmp(name, "previous") == 0) {
        /* the baseline's previous is relative to the candidate; the candidate's to the newest */
        int64_t before = candidate ? candidate->id : latest;
        const char *fingerprint = candidate && !cross_machine ? candidate->fingerprint : NULL;
        if (!compare_query_id(s, "SELECT max(r.id) FROM runs r JOIN machines m"
                                 " ON m.id = r.machine_id"
                                 " WHERE r.id < ?1 AND (?2 IS NULL OR m.fingerprint = ?2)",
                              before, fingerprint, 0, &id, err))
            return false;
        if (id == 0)
            return compare_fail(err, "no run before run %lld%s to be 'previous'",
                                (long long)before, fingerprint ? " on the same machine" : "");
    } else {
        errno = 0;
        long long parsed = strtoll(name, &end, 10);
        if (errno || end == name || *end || parsed <= 0)
            return compare_fail(err, "run '%s' is not a run id, 'latest' or 'previous'", name);
        id = parsed;
    }
    return compare_run_info(s, id, out, err);
}

static bool compare_same_machine(const struct compare_run *a, const struct compare_run *b,
                                 char *err)
{
    if (strcmp(a->fingerprint, b->fingerprint) == 0)
        return true;
    return compare_fail(err,
                        "run %lld was measured on another machine (%s, fingerprint %.12s) than "
                        "run %lld (%s, fingerprint %.12s); pass --cross-machine to compare anyway",
                        (long long)a->id, a->cpu_model, a->fingerprint, (long long)b->id,
                        b->cpu_model, b->fingerprint);
}

static bool compare_same_method(const struct compare_run *a, const struct compare_run *b, char *err)
{
    if (a->method_version == b->method_version)
        return true;
    return compare_fail(err,
                        "run %lld was measured by method version %d and run %lld by version %d: what a "
                        "stored figure means changed between them (runner/method.h); pass --across-methods "
                        "to compare anyway",
                        (long long)a->id, a->method_version, (long long)b->id, b->method_version);
}

/* A side's runs: each name resolved, all of one machine (that of `anchor`, the candidate, for
 * the baseline) unless cross_machine and of one method unless across_methods, none twice; *first
 * gets the first run; text "run 4" or "runs 2,4,6". */
static bool compare_resolve_side(struct store *s, const char *names, const struct compare_run *anchor,
                                 const struct compare_options *o, int64_t *ids, size_t *count,
                                 struct compare_run *first, char *text, size_t text_len, char *err)
{
    bool cross_machine = o->cross_machine;
    char *copy = xstrdup(names), *save = NULL;
    bool ok = true;
    *count = 0;
    for (char *name = strtok_r(copy, ",", &save); ok && name;
         name = strtok_r(NULL, ",", &save)) {
        struct compare_run run;
        ok = *count < COMPARE_MAX_RUNS
                 ? compare_resolve(s, name, anchor, cross_machine, &run, err)
                 : compare_fail(err, "more than %d runs on one side", COMPARE_MAX_RUNS);
        for (size_t i = 0; ok && i < *count; i++)
            if (ids[i] == run.id)
                ok = compare_fail(err, "run %lld is named twice on one side", (long long)run.id);
        const struct compare_run *same = anchor ? anchor : *count ? first : NULL;
        if (ok && same && !cross_machine)
            ok = compare_same_machine(&run, same, err);
        if (ok && same && !o->across_methods)
            ok = compare_same_method(&run, same, err);
        if (!ok)
            break;
        if (*count == 0)
            *first = run;
        ids[(*count)++] = run.id;
    }
    free(copy);
    if (ok && *count == 0)
        ok = compare_fail(err, "no run named in '%s'", names);
    snprintf(text, text_len, "%s", *count > 1 ? "runs" : "run");
    for (size_t i = 0; ok && i < *count; i++)
        compare_append(text, text_len, "%s%lld", i ? "," : " ", (long long)ids[i]);
    return ok;
}

static bool compare_history_complete(const struct compare_report *r)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->cases[i].baseline.runs < r->options.history)
            return false;
    return true;
}

/* Pools each candidate case's samples from the newest `history` earlier runs of the machine. */
static bool compare_load_history(struct store *s, struct compare_loader *l, char *err)
{
    struct compare_report *r = l->report;
    static const char sql[] =
        "SELECT max(r.id) FROM runs r JOIN machines m ON m.id = r.machine_id"
        " WHERE r.id < ?1 AND m.fingerprint = ?2 AND (?3 = 0 OR r.method_version = ?3)";
    int64_t method = r->options.across_methods ? 0 : r->candidate.method_version;
    int64_t before = r->candidate_ids[0], used = 0, run_id;
    for (size_t i = 1; i < r->candidate_runs; i++)
        before = r->candidate_ids[i] < before ? r->candidate_ids[i] : before;
    int64_t newest = before - 1;
    while (!compare_history_complete(r)) {
        if (!compare_query_id(s, sql, before, r->candidate.fingerprint, method, &run_id, err))
            return false;
        if (run_id == 0)
            break;
        if (!compare_load_run(s, l, run_id, err))
            return false;
        before = run_id;
        used++;
    }
    if (used == 0 && method)
        return compare_fail(err, "no run before run %lld on its machine measured by method version %lld to serve "
                                 "as history; pass --baseline RUN (or --across-methods)",
                            (long long)(newest + 1), (long long)method);
    if (used == 0)
        return compare_fail(err, "no run before run %lld on its machine to serve as history; "
                                 "pass --baseline RUN",
                            (long long)(newest + 1));
    snprintf(r->baseline_text, sizeof r->baseline_text,
             "history: up to %d runs per case among runs %lld..%lld", r->options.history,
             (long long)before, (long long)newest);
    return true;
}

/* ---- judging ------------------------------------------------------------------------------- */

static bool compare_case_measure(struct compare_case *k, double alpha)
{
    const struct compare_samples *b = &k->baseline, *c = &k->candidate;
    k->baseline_median = stats_median(b->values, b->count);
    k->candidate_median = stats_median(c->values, c->count);
    k->p = stats_mann_whitney_p(b->values, b->count, c->values, c->count);
    if (!b->count || !c->count) {
        k->shift = (struct stats_shift){NAN, -INFINITY, INFINITY};
        return true;
    }
    /* with several runs a side, the interval spans every pairing of runs (compare.h) */
    stats_hodges_lehmann_runs(b->values, b->run_of, b->count, c->values, c->run_of, c->count, alpha, &k->shift);
    return true;
}

/* The fewest valid repetitions any one run of s contributed. */
static size_t compare_fewest_per_run(const struct compare_samples *s)
{
    size_t fewest = SIZE_MAX;
    for (size_t i = 0; i < s->count; i++) {
        size_t n = 0;
        for (size_t j = 0; j < s->count; j++)
            n += s->run_of[j] == s->run_of[i];
        fewest = n < fewest ? n : fewest;
    }
    return fewest == SIZE_MAX ? 0 : fewest;
}

/* Why the case cannot be judged, or COMPARE_UNKNOWN_NONE: a hypothesis the correction counts has
 * repetitions enough for some p below alpha and an interval bounded at the level. */
static enum compare_unknown compare_untestable(struct compare_case *k, double alpha)
{
    k->needed = stats_mann_whitney_needed(alpha);
    if (!(stats_mann_whitney_min_p(k->baseline.count, k->candidate.count) < alpha)) {
        k->min_p = stats_mann_whitney_min_p(k->baseline.count, k->candidate.count);
        return COMPARE_UNKNOWN_TOO_FEW;
    }
    if (!isfinite(k->shift.lo) || !isfinite(k->shift.hi)) {
        size_t b = compare_fewest_per_run(&k->baseline), c = compare_fewest_per_run(&k->candidate);
        k->fewest_per_run = b < c ? b : c;
        return COMPARE_UNKNOWN_PAIRING;
    }
    return COMPARE_UNKNOWN_NONE;
}

/* The shift's interval as a gain: in the good direction of the metric. */
static void compare_gain(const struct compare_case *k, const struct compare_report *r, double *lo, double *hi)
{
    *lo = r->higher_is_better ? k->shift.lo : -k->shift.hi;
    *hi = r->higher_is_better ? k->shift.hi : -k->shift.lo;
}

/* The whole interval beyond the threshold one way or the other. */
static bool compare_beyond_threshold(const struct compare_case *k, const struct compare_report *r)
{
    double lo, hi, limit = log(1.0 - r->options.threshold);
    compare_gain(k, r, &lo, &hi);
    return hi < limit || lo > -limit;
}

static enum compare_verdict compare_case_verdict(struct compare_case *k, const struct compare_report *r)
{
    double alpha = r->options.alpha, limit = log(1.0 - r->options.threshold);
    if (k->why_unknown != COMPARE_UNKNOWN_NONE)
        return COMPARE_UNKNOWN;
    double gain_lo, gain_hi;
    compare_gain(k, r, &gain_lo, &gain_hi);
    if (k->q < alpha && gain_hi < limit)
        return COMPARE_REGRESSED;
    if (k->q < alpha && gain_lo > -limit)
        return COMPARE_IMPROVED;
    if (compare_beyond_threshold(k, r))
        return COMPARE_INCONCLUSIVE;
    if (gain_lo < limit && gain_hi > -limit) { /* a regression and an improvement both in reach */
        k->why_unknown = COMPARE_UNKNOWN_WIDE;
        return COMPARE_UNKNOWN;
    }
    return COMPARE_UNCHANGED;
}

/* Verdict order, then worst change first within a verdict. */
static int compare_by_verdict(const void *a, const void *b, void *ctx)
{
    const struct compare_case *x = a, *y = b;
    const struct compare_report *r = ctx;
    if (x->verdict != y->verdict)
        return (int)x->verdict - (int)y->verdict;
    double gx = r->higher_is_better ? x->shift.estimate : -x->shift.estimate;
    double gy = r->higher_is_better ? y->shift.estimate : -y->shift.estimate;
    return (gx > gy) - (gx < gy);
}

/* Drops cases the baseline lacks and cases measured on neither side, then tests, corrects,
 * judges and sorts the rest. */
static bool compare_judge(struct compare_report *r, char *err)
{
    size_t kept = 0, common = 0;
    for (size_t i = 0; i < r->count; i++) {
        struct compare_case *k = &r->cases[i];
        common += k->baseline.present;
        if (k->baseline.present && (k->baseline.count || k->candidate.count)) {
            r->cases[kept++] = *k;
            continue;
        }
        free(k->key);
        free(k->name);
        compare_samples_free(&k->baseline);
        compare_samples_free(&k->candidate);
        if (k->baseline.present)
            r->unmeasured++; /* skipped (or invalid) on both sides: nothing to judge */
        else
            r->only_candidate++;
    }
    r->count = kept;
    if (common == 0)
        return compare_fail(err, "the candidate (%s) and the baseline (%s) have no case in common",
                            r->candidate_text, r->baseline_text);
    if (kept == 0)
        return compare_fail(err, "the candidate (%s) and the baseline (%s) have no case with a valid "
                            "repetition on either side", r->candidate_text, r->baseline_text);
    /* The correction counts only the cases that can be tested: a case skipped on both sides, with
     * too few repetitions for any p below alpha, or whose run-pairing interval is unbounded, is
     * not a hypothesis and must not dilute q. */
    double *q = xcalloc(kept, sizeof *q);
    size_t *tested = xcalloc(kept, sizeof *tested), testable = 0;
    for (size_t i = 0; i < kept; i++) {
        struct compare_case *k = &r->cases[i];
        compare_case_measure(k, r->options.alpha);
        k->q = 1.0;
        k->why_unknown = compare_untestable(k, r->options.alpha);
        if (k->why_unknown == COMPARE_UNKNOWN_NONE) {
            q[testable] = k->p;
            tested[testable++] = i;
        }
    }
    stats_benjamini_hochberg(q, testable);
    for (size_t i = 0; i < testable; i++)
        r->cases[tested[i]].q = q[i];
    r->tested = testable;
    for (size_t i = 0; i < kept; i++) {
        r->cases[i].verdict = compare_case_verdict(&r->cases[i], r);
        r->verdicts[r->cases[i].verdict]++;
    }
    free(q);
    free(tested);
    qsort_r(r->cases, kept, sizeof *r->cases, compare_by_verdict, r);
    return true;
}

static bool compare_check_options(const struct compare_options *o, char *err)
{
    if (!o->candidate)
        return compare_fail(err, "say which run is the candidate (--candidate RUN)");
    if (!(o->alpha > 0.0 && o->alpha < 1.0))
        return compare_fail(err, "alpha %g is not between 0 and 1", o->alpha);
    if (!(o->threshold >= 0.0 && o->threshold < 1.0))
        return compare_fail(err, "threshold %g%% is not between 0%% and 100%%", o->threshold * 100);
    if (o->history < 1)
        return compare_fail(err, "history %d is not a positive number of runs", o->history);
    if (!compare_metric_find(o->metric))
        return compare_fail(err, "unknown metric '%s' (ops_per_s, ns_per_op or get_p99_ns)",
                            o->metric);
    return true;
}

/* The candidate's runs, then the baseline's runs or the history. */
static bool compare_load_sides(struct store *s, struct compare_loader *l, char *err)
{
    struct compare_report *r = l->report;
    for (size_t i = 0; i < r->candidate_runs; i++)
        if (!compare_load_run(s, l, r->candidate_ids[i], err))
            return false;
    if (r->count == 0)
        return compare_fail(err, "the candidate (%s) has no cases", r->candidate_text);
    l->side = COMPARE_SIDE_BASELINE;
    if (!r->options.baseline)
        return compare_load_history(s, l, err);
    for (size_t i = 0; i < r->baseline_runs; i++)
        if (!compare_load_run(s, l, r->baseline_ids[i], err))
            return false;
    return true;
}

/* Loads every run's calibration and judges it (calibration.h): a candidate run against the
 * baseline's runs, every run from its start to its end. */
static bool compare_judge_calibrations(struct store *s, struct compare_report *r, char *err)
{
    struct calibration_set set = {0};
    int64_t *baseline = xcalloc(r->run_count + 1, sizeof *baseline);
    size_t baseline_count = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < r->run_count; i++) {
        ok = calibration_load(s, r->runs[i].run.id, &set, err);
        if (!r->runs[i].candidate)
            baseline[baseline_count++] = r->runs[i].run.id;
    }
    for (size_t i = 0; ok && i < r->run_count; i++) {
        struct compare_run_fact *fact = &r->runs[i];
        calibration_judge(&set, fact->run.id, baseline, fact->candidate ? baseline_count : 0, r->options.threshold,
                          &fact->calibration);
        r->moved += fact->calibration.moved;
    }
    free(baseline);
    calibration_free(&set);
    return ok;
}

bool compare_runs(struct store *s, const struct compare_options *o, struct compare_report *r,
                  char *err)
{
    memset(r, 0, sizeof *r);
    r->options = *o;
    if (!compare_check_options(o, err))
        return false;
    const struct compare_metric *metric = compare_metric_find(o->metric);
    r->higher_is_better = metric->higher_is_better;
    if (!compare_resolve_side(s, o->candidate, NULL, o, r->candidate_ids,
                              &r->candidate_runs, &r->candidate, r->candidate_text,
                              sizeof r->candidate_text, err))
        return false;
    if (o->baseline && !compare_resolve_side(s, o->baseline, &r->candidate, o,
                                             r->baseline_ids, &r->baseline_runs, &r->baseline,
                                             r->baseline_text, sizeof r->baseline_text, err))
        return false;
    struct compare_loader loader = {.report = r, .metric = metric,
                                    .side = COMPARE_SIDE_CANDIDATE};
    bool ok = compare_load_sides(s, &loader, err);
    compare_loader_free(&loader);
    ok = ok && compare_judge_calibrations(s, r, err) && compare_judge(r, err);
    if (!ok)
        compare_free(r); /* nothing half-loaded outlives a failure (compare_free again is harmless) */
    return ok;
}

void compare_free(struct compare_report *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->cases[i].key);
        free(r->cases[i].name);
        compare_samples_free(&r->cases[i].baseline);
        compare_samples_free(&r->cases[i].candidate);
    }
    free(r->cases);
    free(r->runs);
    r->cases = NULL;
    r->runs = NULL;
    r->count = r->capacity = r->run_count = 0;
}
