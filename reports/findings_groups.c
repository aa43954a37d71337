/*
 * findings_groups.c: the decisions that span runs (see findings.h): runs grouped by machine and
 * build, each run's calibration judged against the other runs of its group, each run's claims
 * (separable winners, established crossovers) checked in every other run of its group, and the
 * groups of different machines compared case by case.  One rule groups the runs for all of it, so
 * a reproducibility check never sets two machines against each other and a machine comparison
 * never pools two builds.
 *
 * The checks test with findings_test_cases, the report's one test, and correct across themselves
 * (one Benjamini-Hochberg family, as the report's claims are one): they are new hypotheses,
 * "does run B show what run A claimed", made after the report's claims were decided.
 */
#include "reports/findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "reports/stats.h"

const char *findings_replication_name(enum findings_replication r)
{
    static const char *const names[FINDINGS_REPLICATIONS] = {
        [FINDINGS_REPRODUCED] = "reproduced", [FINDINGS_APPARENT] = "apparent",
        [FINDINGS_REVERSED] = "reversed",     [FINDINGS_CONTRADICTED] = "contradicted",
        [FINDINGS_UNMEASURED] = "not measured",
    };
    return (unsigned)r < FINDINGS_REPLICATIONS ? names[r] : "?";
}

/* ---- groups ---- */

static bool findings_same_group(const struct report_data *d, const struct report_run *a, const struct report_run *b)
{
    const struct report_machine *ma = report_data_machine_of(d, a), *mb = report_data_machine_of(d, b);
    return ma && mb && strcmp(ma->fingerprint, mb->fingerprint) == 0 && strcmp(a->git_commit, b->git_commit) == 0 &&
           strcmp(a->cflags, b->cflags) == 0 && a->method_version == b->method_version;
}

static void findings_group_runs(const struct report_data *d, struct findings *f)
{
    for (size_t r = 0; r < d->run_count; r++) {
        size_t g = 0;
        while (g < f->group_count && !findings_same_group(d, f->groups[g].first, &d->runs[r]))
            g++;
        if (g == f->group_count) {
            f->groups = xreallocarray(f->groups, f->group_count + 1, sizeof *f->groups);
            f->groups[f->group_count++] = (struct findings_group){
                .machine = report_data_machine_of(d, &d->runs[r]), .first = &d->runs[r]};
        }
        struct findings_group *group = &f->groups[g];
        if (group->run_count < REPORT_MAX_RUNS)
            group->runs[group->run_count++] = r;
    }
}

/* Each run against the other runs of its group, and its start against its end. */
static void findings_calibrations(const struct report_data *d, struct findings *f)
{
    f->calibrations = xcalloc(d->run_count + 1, sizeof *f->calibrations);
    for (size_t g = 0; g < f->group_count; g++) {
        const struct findings_group *group = &f->groups[g];
        int64_t ids[REPORT_MAX_RUNS];
        for (size_t i = 0; i < group->run_count; i++)
            ids[i] = d->runs[group->runs[i]].id;
        for (size_t i = 0; i < group->run_count; i++)
            calibration_judge(&d->calibration, ids[i], ids, group->run_count, FINDINGS_CALIBRATION_THRESHOLD,
                              &f->calibrations[group->runs[i]]);
    }
}

/* ---- "Do the findings reproduce?" ---- */

/* The sweep of run `run` holding what sweep w holds fixed, over the same dimension; NULL. */
static const struct report_sweep *findings_same_sweep(const struct report_sweep *sweeps, size_t sweep_count,
                                                      const struct report_sweep *w, size_t run)
{
    for (size_t i = 0; i < sweep_count; i++)
        if (sweeps[i].run == run && sweeps[i].dim == w->dim && strcmp(sweeps[i].key, w->key) == 0)
            return &sweeps[i];
    return NULL;
}

/* The case of the series labelled `label` at x in sweep w, with a valid sample; NULL. */
static const struct report_case *findings_labelled_case(const struct report_data *d, const struct report_sweep *w,
                                                        const char *label, double x)
{
    for (size_t s = 0; s < w->series_count; s++)
        if (strcmp(w->series[s].label, label) == 0) {
            const struct report_case *c = report_series_case_at(d, &w->series[s], x);
            return c && c->n > 0 ? c : NULL;
        }
    return NULL;
}

/* Tests `leader` against `other` (series labels of w) at x in the same sweep of run `run`; false
 * when either was not measured there. */
static bool findings_check_point(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                                 const struct report_sweep *w, size_t run, const char *leader, const char *other,
                                 double x, struct findings_test *t)
{
    const struct report_sweep *there = findings_same_sweep(sweeps, sweep_count, w, run);
    const struct report_case *a = there ? findings_labelled_case(d, there, leader, x) : NULL;
    const struct report_case *b = there ? findings_labelled_case(d, there, other, x) : NULL;
    *t = (struct findings_test){.p = NAN, .q = NAN, .estimate = NAN};
    if (!a || !b)
        return false;
    findings_test_cases(a, b, true, t);
    return true;
}

/* Fills the tests of check k in every run of its group (verdicts come after the correction). */
static void findings_check_runs(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                                const struct findings *f, struct findings_check *k)
{
    const struct report_sweep *w = &sweeps[k->sweep];
    const struct findings_group *group = &f->groups[k->group];
    for (size_t i = 0; i < group->run_count; i++) {
        size_t run = group->runs[i];
        bool measured;
        if (run == w->run) {
            k->in_run[i] = FINDINGS_REPRODUCED;
            continue;
        }
        if (!k->crossover) {
            const struct findings_point *p = &f->sweeps[k->sweep].points[k->point];
            measured = findings_check_point(d, sweeps, sweep_count, w, run, w->series[p->winner].label,
                                            w->series[p->runner_up].label, w->points[k->point], &k->tests[i][0]);
        } else {
            const struct findings_crossover *c = &f->crossovers[k->index];
            const char *leader = w->series[c->winner].label, *other = w->series[c->loser].label;
            measured = findings_check_point(d, sweeps, sweep_count, w, run, leader, other, c->x_lo, &k->tests[i][0]) &
                       findings_check_point(d, sweeps, sweep_count, w, run, leader, other, c->x_hi, &k->tests[i][1]);
        }
        k->in_run[i] = measured ? FINDINGS_APPARENT : FINDINGS_UNMEASURED; /* settled after the correction */
    }
}

static void findings_check_add(struct findings *f, const struct findings_check *k)
{
    f->checks = xreallocarray(f->checks, f->check_count + 1, sizeof *f->checks);
    f->checks[f->check_count++] = *k;
}

/* Every separable winner (with a runner-up) and established crossover of the runs of groups with
 * two runs or more. */
static void findings_checks_gather(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                                   struct findings *f)
{
    for (size_t g = 0; g < f->group_count; g++) {
        if (f->groups[g].run_count < 2)
            continue;
        for (size_t s = 0; s < sweep_count; s++) {
            bool ours = false;
            for (size_t i = 0; i < f->groups[g].run_count; i++)
                ours |= f->groups[g].runs[i] == sweeps[s].run;
            for (size_t k = 0; ours && k < f->sweeps[s].point_count; k++) {
                const struct findings_point *p = &f->sweeps[s].points[k];
                if (!p->separable || p->runner_up < 0)
                    continue;
                struct findings_check check = {.sweep = s, .point = k, .group = g};
                findings_check_runs(d, sweeps, sweep_count, f, &check);
                findings_check_add(f, &check);
            }
            for (size_t c = 0; ours && c < f->crossover_count; c++) {
                if (f->crossovers[c].sweep != s || f->crossovers[c].verdict != FINDINGS_SIGNIFICANT)
                    continue;
                struct findings_check check = {.crossover = true, .sweep = s, .index = c, .group = g};
                findings_check_runs(d, sweeps, sweep_count, f, &check);
                findings_check_add(f, &check);
            }
        }
    }
}

/* One point's outcome: the claimed way (leads) or the other, significant or not once corrected. */
static enum findings_replication findings_point_replication(const struct findings_test *t, bool leads)
{
    bool right = leads ? t->estimate > 0 : t->estimate < 0;
    if (t->testable && t->q < FINDINGS_ALPHA)
        return right ? FINDINGS_REPRODUCED : FINDINGS_CONTRADICTED;
    return right ? FINDINGS_APPARENT : FINDINGS_REVERSED;
}

/* A crossover's two points together: contradicted by either, reproduced by both. */
static enum findings_replication findings_combine(enum findings_replication lo, enum findings_replication hi)
{
    if (lo == FINDINGS_CONTRADICTED || hi == FINDINGS_CONTRADICTED)
        return FINDINGS_CONTRADICTED;
    if (lo == FINDINGS_REPRODUCED && hi == FINDINGS_REPRODUCED)
        return FINDINGS_REPRODUCED;
    if (lo != FINDINGS_REVERSED && hi != FINDINGS_REVERSED)
        return FINDINGS_APPARENT;
    return FINDINGS_REVERSED;
}

/* The checks' own correction, then each check's verdict in each run. */
static void findings_checks_settle(const struct report_sweep *sweeps, struct findings *f)
{
    size_t total = f->check_count * 2 * REPORT_MAX_RUNS;
    double *p = xcalloc(total + 1, sizeof *p);
    struct findings_test **where = xcalloc(total + 1, sizeof *where);
    size_t n = 0;
    for (size_t k = 0; k < f->check_count; k++)
        for (size_t i = 0; i < f->groups[f->checks[k].group].run_count; i++)
            for (int j = 0; j < 2; j++) {
                struct findings_test *t = &f->checks[k].tests[i][j];
                if (f->checks[k].in_run[i] == FINDINGS_APPARENT && t->testable && !isnan(t->p)) {
                    p[n] = t->p;
                    where[n++] = t;
                }
            }
    stats_benjamini_hochberg(p, n);
    for (size_t i = 0; i < n; i++)
        where[i]->q = p[i];
    f->check_tests = n;
    free(p);
    free(where);
    for (size_t k = 0; k < f->check_count; k++) {
        struct findings_check *check = &f->checks[k];
        bool hi = check->crossover && findings_crossover_leads_at_hi(&sweeps[check->sweep]);
        for (size_t i = 0; i < f->groups[check->group].run_count; i++) {
            if (check->in_run[i] != FINDINGS_APPARENT || sweeps[check->sweep].run == f->groups[check->group].runs[i])
                continue;
            check->in_run[i] = check->crossover
                                   ? findings_combine(findings_point_replication(&check->tests[i][0], !hi),
                                                      findings_point_replication(&check->tests[i][1], hi))
                                   : findings_point_replication(&check->tests[i][0], true);
        }
    }
}

/* ---- machines compared ---- */

/* Every case's key (case_key, every identifying dimension), malloc'd, parallel to d->cases. */
static char (*findings_case_keys(const struct report_data *d))[CASE_KEY_LEN]
{
    char (*keys)[CASE_KEY_LEN] = xcalloc(d->case_count + 1, sizeof *keys);
    for (size_t i = 0; i < d->case_count; i++)
        report_data_case_key(&d->cases[i].c, REPORT_DIM_NONE, keys[i], CASE_KEY_LEN);
    return keys;
}

static bool findings_in_group(const struct findings_group *g, size_t run)
{
    for (size_t i = 0; i < g->run_count; i++)
        if (g->runs[i] == run)
            return true;
    return false;
}

/* The pooled repetitions of `key` in group g: values, their runs; returns how many, *runs how many
 * runs gave some. */
static size_t findings_pool(const struct report_data *d, char (*keys)[CASE_KEY_LEN], const struct findings_group *g,
                            const char *key, double *values, int64_t *run_of, size_t cap, size_t *runs)
{
    size_t n = 0;
    *runs = 0;
    for (size_t i = 0; i < d->case_count; i++) {
        const struct report_case *c = &d->cases[i];
        if (!c->n || !findings_in_group(g, c->run) || strcmp(keys[i], key) != 0)
            continue;
        (*runs)++;
        for (size_t r = 0; r < c->n && n < cap; r++) {
            values[n] = c->ops[r];
            run_of[n++] = c->run_id;
        }
    }
    return n;
}

/* Groups a and b case by case: every case of a (once per key) that b measured too. */
static void findings_machine_pair(const struct report_data *d, char (*keys)[CASE_KEY_LEN], struct findings *f, size_t a,
                                  size_t b)
{
    const struct findings_group *ga = &f->groups[a], *gb = &f->groups[b];
    struct findings_machine_pair pair = {.group_a = a, .group_b = b};
    pair.same_build = strcmp(ga->first->git_commit, gb->first->git_commit) == 0 &&
                      strcmp(ga->first->cflags, gb->first->cflags) == 0;
    size_t cap = REPORT_MAX_REPS * REPORT_MAX_RUNS;
    double *va = xmalloc(cap * sizeof *va), *vb = xmalloc(cap * sizeof *vb);
    int64_t *ra = xmalloc(cap * sizeof *ra), *rb = xmalloc(cap * sizeof *rb);
    for (size_t i = 0; i < d->case_count; i++) {
        const struct report_case *c = &d->cases[i];
        bool first = c->n && findings_in_group(ga, c->run);
        for (size_t j = 0; j < i && first; j++)
            first = !(d->cases[j].n && findings_in_group(ga, d->cases[j].run) && strcmp(keys[j], keys[i]) == 0);
        if (!first)
            continue;
        struct findings_machine_case m = {.a = c};
        m.n_a = findings_pool(d, keys, ga, keys[i], va, ra, cap, &m.runs_a);
        m.n_b = findings_pool(d, keys, gb, keys[i], vb, rb, cap, &m.runs_b);
        if (!m.n_b)
            continue;
        struct stats_shift shift;
        stats_hodges_lehmann_runs(va, ra, m.n_a, vb, rb, m.n_b, FINDINGS_ALPHA, &shift);
        m.median_a = stats_median(va, m.n_a);
        m.median_b = stats_median(vb, m.n_b);
        m.estimate = shift.estimate;
        m.lo = shift.lo;
        m.hi = shift.hi;
        pair.one_run_a_side |= m.runs_a < 2 || m.runs_b < 2;
        pair.cases = xreallocarray(pair.cases, pair.case_count + 1, sizeof *pair.cases);
        pair.cases[pair.case_count++] = m;
    }
    free(va);
    free(vb);
    free(ra);
    free(rb);
    if (!pair.case_count) {
        free(pair.cases);
        return;
    }
    f->machine_pairs = xreallocarray(f->machine_pairs, f->machine_pair_count + 1, sizeof *f->machine_pairs);
    f->machine_pairs[f->machine_pair_count++] = pair;
}

static void findings_machines(const struct report_data *d, struct findings *f)
{
    char (*keys)[CASE_KEY_LEN] = NULL;
    for (size_t a = 0; a < f->group_count; a++)
        for (size_t b = a + 1; b < f->group_count; b++) {
            if (strcmp(f->groups[a].machine->fingerprint, f->groups[b].machine->fingerprint) == 0)
                continue; /* one machine's builds are not machines compared */
            if (!keys)
                keys = findings_case_keys(d);
            findings_machine_pair(d, keys, f, a, b);
        }
    free(keys);
}

/* ---- all of it ---- */

void findings_groups_decide(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                            struct findings *f)
{
    findings_group_runs(d, f);
    findings_calibrations(d, f);
    findings_checks_gather(d, sweeps, sweep_count, f);
    findings_checks_settle(sweeps, f);
    findings_machines(d, f);
}

void findings_groups_free(struct findings *f)
{
    for (size_t i = 0; i < f->machine_pair_count; i++)
        free(f->machine_pairs[i].cases);
    free(f->machine_pairs);
    free(f->checks);
    free(f->calibrations);
    free(f->groups);
}
