/*
 * calibration.c: loads the calibration table and judges runs by the rule of calibration.h.  The
 * table belongs to the run command (written at a run's start, middle and end); a database written
 * before it existed simply has no values, and nothing is judged.
 */
#include "reports/calibration.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/stats.h"

static bool calibration_fail(sqlite3 *db, char *err)
{
    snprintf(err, ERR_LEN, "reading calibrations: %s", sqlite3_errmsg(db));
    return false;
}

static bool calibration_table_exists(sqlite3 *db, bool *exists, char *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'calibrations'",
                           -1, &st, NULL) != SQLITE_OK)
        return calibration_fail(db, err);
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    *exists = ok && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return ok || calibration_fail(db, err);
}

static enum calibration_phase calibration_phase_of(const char *text)
{
    return strcmp(text, "start") == 0 ? CALIBRATION_START
           : strcmp(text, "end") == 0 ? CALIBRATION_END
                                      : CALIBRATION_MIDDLE;
}

bool calibration_load(struct store *s, int64_t run_id, struct calibration_set *set, char *err)
{
    sqlite3 *db = store_db(s);
    bool exists;
    if (!calibration_table_exists(db, &exists, err))
        return false;
    if (!exists)
        return true;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(phase, ''), coalesce(kind, ''), value, coalesce(unit, '')"
                           " FROM calibrations WHERE run_id = ? AND value IS NOT NULL ORDER BY kind, phase, repetition",
                           -1, &st, NULL) != SQLITE_OK)
        return calibration_fail(db, err);
    sqlite3_bind_int64(st, 1, run_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char phase[16];
        struct calibration_value v = {.run_id = run_id, .value = sqlite3_column_double(st, 2)};
        store_column_text(st, 0, phase, sizeof phase);
        store_column_text(st, 1, v.kind, sizeof v.kind);
        store_column_text(st, 3, v.unit, sizeof v.unit);
        v.phase = calibration_phase_of(phase);
        set->values = xreallocarray(set->values, set->count + 1, sizeof *set->values);
        set->values[set->count++] = v;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || calibration_fail(db, err);
}

void calibration_free(struct calibration_set *set)
{
    free(set->values);
    *set = (struct calibration_set){0};
}

/* The values of `kind` in run `run` at phase `phase` (CALIBRATION_PHASES: any); out has room for
 * set->count. */
static size_t calibration_select(const struct calibration_set *set, const char *kind, int64_t run, int phase,
                                 double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct calibration_value *v = &set->values[i];
        if (v->run_id == run && strcmp(v->kind, kind) == 0 && (phase == CALIBRATION_PHASES || (int)v->phase == phase))
            out[n++] = v->value;
    }
    return n;
}

static bool calibration_is_reference(int64_t id, int64_t run, const int64_t *reference, size_t n)
{
    for (size_t i = 0; i < n && id != run; i++)
        if (reference[i] == id)
            return true;
    return false;
}

static void calibration_range(const double *x, size_t n, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        *lo = fmin(*lo, x[i]);
        *hi = fmax(*hi, x[i]);
    }
}

/* Marks the verdict moved and appends one reason to its text. */
static void calibration_note(struct calibration_verdict *out, const char *reason)
{
    size_t used = strlen(out->why);
    snprintf(out->why + used, sizeof out->why - used, "%s%s", used ? "; " : "", reason);
    out->moved = true;
}

/* Start against end of one kind within the run. */
static void calibration_within(const struct calibration_set *set, const char *kind, const char *unit, int64_t run,
                               double limit, double *buf, double *buf2, struct calibration_verdict *out)
{
    size_t ns = calibration_select(set, kind, run, CALIBRATION_START, buf);
    size_t ne = calibration_select(set, kind, run, CALIBRATION_END, buf2);
    if (!ns || !ne)
        return;
    double slo, shi, elo, ehi;
    calibration_range(buf, ns, &slo, &shi);
    calibration_range(buf2, ne, &elo, &ehi);
    double start = stats_median(buf, ns), end = stats_median(buf2, ne);
    char reason[160];
    if ((ehi < slo || elo > shi) && fabs(log(end / start)) > limit) {
        snprintf(reason, sizeof reason, "%.40s %.3g %.20s at the start, %.3g at the end (%+.0f%%)", kind, start, unit,
                 end, (end / start - 1) * 100);
        calibration_note(out, reason);
    }
}

/* The run's median of one kind against the reference runs' values. */
static void calibration_against(const struct calibration_set *set, const char *kind, const char *unit, int64_t run,
                                const int64_t *reference, size_t n, double limit, double *buf, double *buf2,
                                struct calibration_verdict *out)
{
    size_t mine = calibration_select(set, kind, run, CALIBRATION_PHASES, buf), theirs = 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct calibration_value *v = &set->values[i];
        if (strcmp(v->kind, kind) == 0 && calibration_is_reference(v->run_id, run, reference, n))
            buf2[theirs++] = v->value;
    }
    if (!mine || !theirs)
        return;
    double lo, hi, median = stats_median(buf, mine), reference_median = stats_median(buf2, theirs);
    calibration_range(buf2, theirs, &lo, &hi);
    char reason[160];
    if ((median < lo || median > hi) && fabs(log(median / reference_median)) > limit) {
        snprintf(reason, sizeof reason, "%.40s %.3g %.20s against %.3g..%.3g in the runs it is set against (%+.0f%%)",
                 kind, median, unit, lo, hi, (median / reference_median - 1) * 100);
        calibration_note(out, reason);
    }
}

void calibration_judge(const struct calibration_set *set, int64_t run, const int64_t *reference, size_t n,
                       double threshold, struct calibration_verdict *out)
{
    *out = (struct calibration_verdict){0};
    double limit = -log(1.0 - threshold);
    double *buf = xmalloc((set->count + 1) * sizeof *buf), *buf2 = xmalloc((set->count + 1) * sizeof *buf2);
    for (size_t i = 0; i < set->count; i++) {
        const struct calibration_value *v = &set->values[i];
        bool first_of_kind = v->run_id == run;
        for (size_t j = 0; j < i && first_of_kind; j++)
            first_of_kind = !(set->values[j].run_id == run && strcmp(set->values[j].kind, v->kind) == 0);
        if (!first_of_kind || !(v->value > 0))
            continue;
        out->measured = true;
        calibration_within(set, v->kind, v->unit, run, limit, buf, buf2, out);
        calibration_against(set, v->kind, v->unit, run, reference, n, limit, buf, buf2, out);
    }
    free(buf);
    free(buf2);
}
