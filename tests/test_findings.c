/*
 * test_findings.c: the report's decisions (reports/findings.h) on hand-built report_data, no
 * database: planted winners found and separable, noisy, wide or thinly repeated ones not; history
 * shifts up and down found, and none where the runs agree or repetitions are too few; and the
 * writers (HTML, CSV, wording) rendering whatever was decided, even a decision the numbers would
 * not have made, so no writer ranks anything itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/csv.h"
#include "reports/findings.h"
#include "reports/html.h"
#include "reports/report_data.h"
#include "reports/stats.h"
#include "reports/wording.h"
#include "tests/support.h"

/* ---- hand-built data ---- */

#define WORLD_CASES 64

static const double tight[8] = {1.0, 1.004, 0.996, 1.002, 0.998, 1.001, 0.999, 1.003};
/* cv about 6.5%: under the 10% "too wide" line, yet two such sides 2% apart overlap completely */
static const double loose_a[5] = {0.92, 1.08, 1.0, 0.95, 1.05}, loose_b[5] = {0.93, 1.07, 1.01, 0.96, 1.04};
/* cv about 16%: too wide to rank */
static const double spread[5] = {0.8, 1.2, 1.0, 0.9, 1.1};

/* Runs 1..runs on machine 1. */
static void world_init(struct report_data *d, size_t runs)
{
    *d = (struct report_data){.machine_count = 1, .run_count = runs};
    d->machines = calloc(1, sizeof *d->machines);
    d->machines[0] = (struct report_machine){.id = 1, .cache_levels = 2, .cache_bytes = {32768, 1 << 20}};
    snprintf(d->machines[0].hostname, sizeof d->machines[0].hostname, "testhost");
    d->runs = calloc(runs, sizeof *d->runs);
    for (size_t r = 0; r < runs; r++)
        d->runs[r] = (struct report_run){.id = (int64_t)r + 1, .machine_id = 1};
    d->cases = calloc(WORLD_CASES, sizeof *d->cases);
}

/* A case of run index `run` whose n repetitions are mops * factor[i] million operations/s. */
static void world_case(struct report_data *d, size_t run, const char *scenario, const char *backend, int threads,
                       double mops, const double *factor, size_t n)
{
    assert_true(d->case_count < WORLD_CASES);
    struct report_case *k = &d->cases[d->case_count];
    *k = (struct report_case){.run_id = d->runs[run].id, .case_id = (int64_t)d->case_count + 1, .run = run, .n = n,
                              .bytes_per_key = NAN, .allocs_per_op = NAN, .fairness = 1};
    case_init(&k->c, scenario, backend);
    k->c.threads = threads;
    snprintf(k->status, sizeof k->status, "ok");
    for (size_t i = 0; i < n; i++)
        k->ops[i] = mops * 1e6 * factor[i];
    k->median = stats_median(k->ops, n);
    k->cv = stats_cv(k->ops, n);
    k->min = k->max = k->ops[0];
    for (size_t i = 1; i < n; i++) {
        k->min = fmin(k->min, k->ops[i]);
        k->max = fmax(k->max, k->ops[i]);
    }
    d->case_count++;
}

/* The same backend at 1 and 2 threads: a threads sweep of two points. */
static void world_series(struct report_data *d, const char *scenario, const char *backend, double mops,
                         const double *factor, size_t n)
{
    for (int t = 1; t <= 2; t++)
        world_case(d, 0, scenario, backend, t, mops, factor, n);
}

struct decided {
    struct report_data d;
    struct report_sweep *sweeps;
    size_t sweep_count;
    struct findings f;
};

static void decide(struct decided *x, const struct report_data *history)
{
    char err[ERR_LEN] = "";
    assert_true(report_sweeps_build(&x->d, &x->sweeps, &x->sweep_count, err));
    findings_decide(&x->d, x->sweeps, x->sweep_count, history, "rwlock", &x->f);
}

static void decided_free(struct decided *x)
{
    findings_free(&x->f);
    report_sweeps_free(x->sweeps, x->sweep_count);
    report_data_free(&x->d);
}

static size_t sweep_of(const struct decided *x, const char *scenario)
{
    for (size_t i = 0; i < x->sweep_count; i++)
        if (strcmp(x->sweeps[i].scenario, scenario) == 0)
            return i;
    fail_msg("no sweep of scenario %s", scenario);
    return 0;
}

static long series_of(const struct report_sweep *w, const char *label)
{
    for (size_t s = 0; s < w->series_count; s++)
        if (strcmp(w->series[s].label, label) == 0)
            return (long)s;
    fail_msg("no series %s", label);
    return -1;
}

/* ---- winners ---- */

/* mutex 100 > rwlock 80, both tight; plain (a ceiling) and null (the harness) faster still. */
static void plant_clear_winner(struct report_data *d)
{
    world_series(d, "win", "mutex", 100, tight, 5);
    world_series(d, "win", "rwlock", 80, tight, 5);
    world_series(d, "win", "plain", 300, tight, 5);
    world_series(d, "win", "null", 500, tight, 5);
}

static void test_planted_winner_is_found_and_separable(void **state)
{
    (void)state;
    struct decided x;
    world_init(&x.d, 1);
    plant_clear_winner(&x.d);
    decide(&x, NULL);
    const struct report_sweep *w = &x.sweeps[sweep_of(&x, "win")];
    const struct findings_sweep *fs = &x.f.sweeps[sweep_of(&x, "win")];
    assert_int_equal(fs->point_count, 2);
    for (size_t k = 0; k < fs->point_count; k++) {
        const struct findings_point *p = &fs->points[k];
        assert_int_equal(p->winner, series_of(w, "mutex")); /* not plain, not null */
        assert_int_equal(p->runner_up, series_of(w, "rwlock"));
        assert_int_equal(p->baseline, series_of(w, "rwlock"));
        assert_true(p->separable);
        assert_true(p->test.p < FINDINGS_ALPHA && p->test.q < FINDINGS_ALPHA);
        assert_int_equal(p->test.pairing, FINDINGS_UNPAIRED); /* no rounds: the repetitions, unpaired */
        const struct findings_cell *mutex = findings_cell_at(fs, k, (size_t)series_of(w, "mutex"));
        assert_true(fabs(mutex->ratio - 1.25) < 1e-12);
        assert_false(mutex->wide);
    }
    decided_free(&x);
}

static void test_noisy_wide_or_thin_winner_is_not_separable(void **state)
{
    (void)state;
    struct decided x;
    world_init(&x.d, 1);
    world_series(&x.d, "overlap", "mutex", 50, loose_a, 5); /* ahead by 2%, inside each other's spread */
    world_series(&x.d, "overlap", "rwlock", 49, loose_b, 5);
    world_series(&x.d, "wide", "mutex", 200, spread, 5);    /* far ahead, but too wide to rank */
    world_series(&x.d, "wide", "rwlock", 50, tight, 5);
    world_series(&x.d, "thin", "mutex", 100, tight, 3);     /* far ahead on 3 repetitions against 8: */
    world_series(&x.d, "thin", "rwlock", 50, tight, 8);     /* p = 2/165 < alpha, but 3 are too few */
    decide(&x, NULL);
    const char *scenarios[] = {"overlap", "wide", "thin"};
    for (size_t i = 0; i < 3; i++) {
        const struct report_sweep *w = &x.sweeps[sweep_of(&x, scenarios[i])];
        const struct findings_sweep *fs = &x.f.sweeps[sweep_of(&x, scenarios[i])];
        for (size_t k = 0; k < fs->point_count; k++) {
            assert_int_equal(fs->points[k].winner, series_of(w, "mutex"));
            if (fs->points[k].separable)
                fail_msg("%s: the winner at point %zu is called separable", scenarios[i], k);
            assert_int_equal(findings_cell_at(fs, k, (size_t)series_of(w, "mutex"))->wide, i == 1);
        }
    }
    /* the thin one's p is below alpha: only the minimum of repetitions keeps it from a clear win */
    const struct findings_sweep *thin = &x.f.sweeps[sweep_of(&x, "thin")];
    assert_true(fabs(thin->points[0].test.p - 2.0 / 165) < 1e-12);
    decided_free(&x);
}

/* ---- which map when ---- */

static void render(struct decided *x, char *dir);

/* A case of run 0 at read_pct `read` and `threads`. */
static void world_point(struct report_data *d, const char *backend, double read, int threads, double mops,
                        const double *factor, size_t n)
{
    world_case(d, 0, "when", backend, threads, mops, factor, n);
    d->cases[d->case_count - 1].c.read_pct = read;
}

/* Two workloads (90% and 50% reads) at 1 and 2 threads, and 4 threads for 50% reads only:
 *   90% reads: mutex 25% ahead of rwlock at 1 thread (separable); 2% ahead at 2, inside each
 *              other's spread (not separable); not measured at 4;
 *   50% reads: rwlock twice as fast as mutex at every count. */
static void plant_matrix(struct report_data *d)
{
    for (int t = 1; t <= 2; t++) {
        world_point(d, "mutex", 90, t, t == 1 ? 100 : 50, t == 1 ? tight : loose_a, 5);
        world_point(d, "rwlock", 90, t, t == 1 ? 80 : 49, t == 1 ? tight : loose_b, 5);
    }
    for (int t = 1; t <= 4; t *= 2) {
        world_point(d, "mutex", 50, t, 40, tight, 5);
        world_point(d, "rwlock", 50, t, 80, tight, 5);
    }
    world_point(d, "null", 50, 4, 900, tight, 5); /* the harness is not ranked */
}

/* The row of x's matrix whose workload reads `read` percent. */
static const struct findings_matrix_row *matrix_row(const struct decided *x, double read)
{
    for (size_t i = 0; i < x->f.matrix.row_count; i++)
        if (x->f.matrix.rows[i].c->c.read_pct == read)
            return &x->f.matrix.rows[i];
    fail_msg("no matrix row at read_pct %g", read);
    return NULL;
}

static void test_matrix_names_separable_winners_with_their_margin(void **state)
{
    (void)state;
    struct decided x;
    world_init(&x.d, 1);
    plant_matrix(&x.d);
    decide(&x, NULL);
    const struct findings_matrix *m = &x.f.matrix;
    assert_int_equal(m->thread_count, 3);
    assert_int_equal(m->threads[0], 1);
    assert_int_equal(m->threads[1], 2);
    assert_int_equal(m->threads[2], 4);
    assert_int_equal(m->row_count, 2);
    assert_true(m->rows[0].c->c.read_pct == 90); /* in the order the run measured them */

    const struct findings_matrix_row *reads = matrix_row(&x, 90), *writes = matrix_row(&x, 50);
    const struct findings_matrix_cell *clear = &reads->cells[0], *close = &reads->cells[1];
    assert_true(clear->measured && clear->separable);
    assert_string_equal(x.sweeps[clear->sweep].series[clear->winner].label, "mutex");
    assert_string_equal(x.sweeps[clear->sweep].series[clear->runner_up].label, "rwlock");
    assert_true(fabs(clear->margin - 1.25) < 1e-9);
    assert_true(clear->lo > 1 && clear->lo < 1.25 && clear->hi > 1.25); /* the tested interval */
    const struct findings_point *p = &x.f.sweeps[clear->sweep].points[clear->point];
    assert_true(p->separable && p->test.q < FINDINGS_ALPHA); /* the point's own decision */
    assert_true(close->measured);
    assert_false(close->separable);
    assert_string_equal(x.sweeps[close->sweep].series[close->winner].label, "mutex");
    assert_false(reads->cells[2].measured);
    for (size_t t = 0; t < 3; t++) {
        const struct findings_matrix_cell *cell = &writes->cells[t];
        assert_true(cell->measured && cell->separable);
        assert_string_equal(x.sweeps[cell->sweep].series[cell->winner].label, "rwlock"); /* never null */
        assert_true(fabs(cell->margin - 2) < 1e-9);
    }

    /* the page names the separable winners, leaves the close one empty; the CSV says both */
    char dir[] = "/tmp/mapbench-findings-XXXXXX", path[256], err[ERR_LEN] = "";
    render(&x, dir);
    if (!csv_write_matrix(dir, &x.d, x.sweeps, &x.f, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = support_read_text(path);
    const char *table = strstr(html, "<table class=\"matrix\">");
    assert_non_null(table);
    const char *row = strstr(table, "<td class=\"workload\">compact read=90% update keys=1000 uniform</td>");
    assert_non_null(row);
    const char *first = strstr(row, "<td class=\"win\""), *second = strstr(row, "<td class=\"open\"");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    assert_non_null(strstr(first, "<code>mutex</code> <small>×1.25 <span class=\"ci\">["));
    assert_memory_equal(strstr(second, "\">") + 2, "</td><td class=\"na\">–</td></tr>", 32);
    free(html);
    snprintf(path, sizeof path, "%s/%s", dir, CSV_MATRIX_FILE);
    char *csv = support_read_text(path);
    assert_non_null(strstr(csv, "\n1,\"when\",\"compact read=90% update keys=1000 uniform\",1,1,\"mutex\",\"rwlock\","
                                "\"mutex\",1.25,"));
    assert_non_null(strstr(csv, "\n1,\"when\",\"compact read=90% update keys=1000 uniform\",2,0,\"\",\"rwlock\","
                                "\"mutex\","));
    assert_null(strstr(csv, ",4,0,")); /* not measured: no row */
    free(csv);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    decided_free(&x);
}

/* ---- history ---- */

static void test_history_shifts_up_and_down(void **state)
{
    (void)state;
    struct report_data h;
    struct decided x;
    world_init(&h, 3);
    const double mutex[3] = {100, 80, 100}, syncmap[3] = {100, 50, 100};
    for (size_t r = 0; r < 3; r++) {
        world_case(&h, r, "hist", "mutex", 1, mutex[r], tight, 5);
        world_case(&h, r, "hist", "rwlock", 1, 50, tight, 5); /* the same every run */
        /* moves twice, 8 repetitions against 3 (p = 2/165 < alpha), too few to tell */
        world_case(&h, r, "hist", "syncmap", 1, syncmap[r], tight, r == 1 ? 3 : 8);
    }
    world_case(&h, 2, "hist", "cow", 1, 10, tight, 5); /* new in the last run: no history */
    world_init(&x.d, 3); /* the report: the last run's cases */
    for (size_t i = 0; i < h.case_count; i++)
        if (h.cases[i].run == 2)
            x.d.cases[x.d.case_count++] = h.cases[i];
    decide(&x, &h);
    assert_int_equal(x.f.history_count, 1);
    const struct findings_history *t = &x.f.histories[0];
    assert_int_equal(t->machine_id, 1);
    assert_int_equal(t->run_count, 3);
    assert_int_equal(t->run_ids[0], 1);
    assert_int_equal(t->run_ids[2], 3);
    assert_int_equal(t->row_count, 3); /* mutex, rwlock, syncmap; not cow */
    for (size_t i = 0; i < t->row_count; i++) {
        const struct findings_history_row *row = &t->rows[i];
        const char *backend = row->c->c.backend;
        assert_string_not_equal(backend, "cow");
        bool moves = strcmp(backend, "mutex") == 0;
        assert_int_equal(row->cells[0].shift, FINDINGS_SHIFT_NONE);
        assert_int_equal(row->cells[1].shift, moves ? FINDINGS_SHIFT_DOWN : FINDINGS_SHIFT_NONE);
        assert_int_equal(row->cells[2].shift, moves ? FINDINGS_SHIFT_UP : FINDINGS_SHIFT_NONE);
        assert_non_null(row->cells[2].c);
        assert_int_equal(row->cells[2].c->run, 2);
        if (strcmp(backend, "syncmap") == 0)
            assert_true(fabs(row->cells[1].test.p - 2.0 / 165) < 1e-12);
    }
    assert_string_equal(findings_shift_name(FINDINGS_SHIFT_UP), "up");
    assert_string_equal(findings_shift_name(FINDINGS_SHIFT_DOWN), "down");
    assert_string_equal(findings_shift_name(FINDINGS_SHIFT_NONE), "");
    decided_free(&x);
    report_data_free(&h);
}

/* Writes x's page and history CSV into a fresh temporary directory (dir: its template, filled). */
static void render(struct decided *x, char *dir)
{
    char err[ERR_LEN] = "";
    assert_non_null(mkdtemp(dir));
    struct html_page page = {.data = &x->d, .sweeps = x->sweeps, .sweep_count = x->sweep_count, .findings = &x->f,
                             .baseline = "rwlock", .out_dir = dir};
    if (!html_write_report(&page, err) || !csv_write_history(dir, &x->f, err))
        fail_msg("%s", err);
}

/* ---- paired rounds and the one correction ---- */

/* The machine's state per round: a slow phase hits every backend measured in that round. */
static const double phase[8] = {0.6, 1.35, 0.9, 1.2, 0.7, 1.0, 1.4, 0.8};

/* Case index i of x's data measured in rounds 1..n (round r holds repetition r-1). */
static void world_in_rounds(struct report_data *d, size_t i)
{
    for (size_t r = 0; r < d->cases[i].n; r++)
        d->cases[i].round[r] = (int)r + 1;
}

/* mutex is 5% ahead of rwlock in every round, but the machine's phases spread both over a factor
 * of 2.3: unpaired, the repetitions overlap and nothing is separable; paired per round, every log
 * ratio is log 1.05 (give or take 0.4%) and the win is clear, with a narrow interval. */
static void test_paired_rounds_cancel_the_machine(void **state)
{
    (void)state;
    double mutex[8], rwlock[8];
    for (int r = 0; r < 8; r++) {
        mutex[r] = phase[r] * 1.05 * tight[r];
        rwlock[r] = phase[r] * tight[(r + 3) % 8];
    }
    for (int rounds = 0; rounds <= 1; rounds++) {
        struct decided x;
        world_init(&x.d, 1);
        world_series(&x.d, "phases", "mutex", 100, mutex, 8);
        world_series(&x.d, "phases", "rwlock", 100, rwlock, 8);
        for (size_t i = 0; rounds && i < x.d.case_count; i++)
            world_in_rounds(&x.d, i);
        decide(&x, NULL);
        const struct report_sweep *w = &x.sweeps[sweep_of(&x, "phases")];
        const struct findings_sweep *fs = &x.f.sweeps[sweep_of(&x, "phases")];
        for (size_t k = 0; k < fs->point_count; k++) {
            const struct findings_point *p = &fs->points[k];
            assert_int_equal(p->winner, series_of(w, "mutex"));
            assert_int_equal(p->test.pairing, rounds ? FINDINGS_PAIRED : FINDINGS_UNPAIRED);
            assert_int_equal(p->separable, rounds);
            const struct findings_cell *cell = findings_cell_at(fs, k, (size_t)series_of(w, "mutex"));
            assert_int_equal(cell->vs_baseline.pairing, rounds ? FINDINGS_PAIRED : FINDINGS_UNPAIRED);
            if (rounds) {
                assert_int_equal(p->test.n_a, 8);
                assert_float_equal(p->test.p, 2.0 / 256.0, 1e-12);
                assert_true(fabs(cell->ratio - 1.05) < 0.01);
                assert_true(exp(cell->vs_baseline.lo) > 1.03 && exp(cell->vs_baseline.hi) < 1.07);
            } else {
                assert_true(p->test.p > 0.3);
                assert_true(exp(cell->vs_baseline.lo) < 0.8 && exp(cell->vs_baseline.hi) > 1.3);
            }
        }
        assert_int_equal(x.f.paired_tests > 0, rounds);
        assert_int_equal(x.f.unpaired_tests > 0, !rounds);
        decided_free(&x);
    }
}

/* Five rounds cannot establish anything (2/32 > 0.05): too few, never "not significant". */
static void test_five_rounds_are_too_few(void **state)
{
    (void)state;
    struct decided x;
    world_init(&x.d, 1);
    world_series(&x.d, "five", "mutex", 200, tight, 5);
    world_series(&x.d, "five", "rwlock", 100, tight, 5);
    for (size_t i = 0; i < x.d.case_count; i++)
        world_in_rounds(&x.d, i);
    decide(&x, NULL);
    const struct findings_sweep *fs = &x.f.sweeps[sweep_of(&x, "five")];
    assert_int_equal(fs->points[0].test.pairing, FINDINGS_PAIRED);
    assert_float_equal(fs->points[0].test.p, 2.0 / 32.0, 1e-12);
    assert_int_equal(fs->points[0].verdict, FINDINGS_TOO_FEW_REPS);
    assert_false(fs->points[0].separable);
    decided_free(&x);
}

/* One correction across the report: a winner 4 against 4 repetitions (p = 2/70 = 0.029) is
 * separable alone, but not among three other winners that overlap (q = 0.029 * 4 = 0.11). */
static void test_one_correction_across_the_report(void **state)
{
    (void)state;
    static const double four_a[4] = {1.0, 1.004, 0.996, 1.002}, four_b[4] = {0.998, 1.001, 0.999, 1.003};
    for (int crowd = 0; crowd <= 1; crowd++) {
        struct decided x;
        world_init(&x.d, 1);
        world_case(&x.d, 0, "alone", "mutex", 1, 100, four_a, 4);
        world_case(&x.d, 0, "alone", "rwlock", 1, 80, four_b, 4);
        world_case(&x.d, 0, "alone", "mutex", 2, 10, four_a, 4); /* a second point: a sweep */
        for (int i = 0; crowd && i < 3; i++) {
            char scenario[16];
            snprintf(scenario, sizeof scenario, "crowd%d", i);
            world_series(&x.d, scenario, "mutex", 50, loose_a, 5);
            world_series(&x.d, scenario, "rwlock", 49.5, loose_b, 5);
        }
        decide(&x, NULL);
        const struct findings_point *p = &x.f.sweeps[sweep_of(&x, "alone")].points[0];
        assert_float_equal(p->test.p, 2.0 / 70.0, 1e-12);
        assert_int_equal(x.f.claims, crowd ? 7 : 1);
        assert_int_equal(p->separable, !crowd);
        assert_true(crowd ? p->test.q > FINDINGS_ALPHA : p->test.q < FINDINGS_ALPHA);
        decided_free(&x);
    }
}

/* The number of points of the <polyline points="x,y x,y ..."> at p. */
static size_t polyline_points(const char *p)
{
    const char *start = strstr(p, "points=\"") + 8;
    size_t points = 1;
    for (const char *c = start; *c != '"'; c++)
        points += *c == ' ';
    return points;
}

/* The history breaks where the measurement method changed: no shift tested across it, even a
 * halving, and the page and CSV say where. */
static void test_history_breaks_at_a_method_change(void **state)
{
    (void)state;
    struct report_data h;
    struct decided x;
    world_init(&h, 3);
    const double mops[3] = {100, 100, 50};
    for (size_t r = 0; r < 3; r++) {
        h.runs[r].method_version = r < 2 ? 1 : 2;
        world_case(&h, r, "hist", "mutex", 1, mops[r], tight, 5);
    }
    world_init(&x.d, 3);
    x.d.cases[x.d.case_count++] = h.cases[2];
    decide(&x, &h);
    assert_int_equal(x.f.history_count, 1);
    const struct findings_history *t = &x.f.histories[0];
    assert_int_equal(t->run_methods[2], 2);
    const struct findings_history_cell *cells = t->rows[0].cells;
    assert_false(cells[1].method_break);
    assert_true(cells[2].method_break);
    assert_int_equal(cells[2].shift, FINDINGS_SHIFT_NONE); /* halved, but by another method */
    assert_true(isnan(cells[2].test.p));

    char dir[] = "/tmp/mapbench-findings-XXXXXX", path[256];
    render(&x, dir);
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = support_read_text(path);
    assert_non_null(strstr(html, "<th class=\"method-break\">run 3 (method changed)</th>"));
    assert_non_null(strstr(html, "<td class=\" method-break\">50</td>"));
    /* the trend: one line over runs 1 and 2, a rule between 2 and 3, run 3 a line of its own */
    const char *spark = strstr(html, "<svg class=\"spark\""), *end = spark ? strstr(spark, "</svg>") : NULL;
    assert_non_null(end);
    const char *rule = strstr(spark, "<path class=\"break\"");
    assert_true(rule && rule < end);
    const char *line = strstr(spark, "<polyline points=\""), *second = line ? strstr(line + 1, "<polyline") : NULL;
    assert_true(line && second && second < end);
    const char *third = second ? strstr(second + 1, "<polyline") : NULL;
    assert_true(!third || third > end);
    assert_int_equal(polyline_points(line), 2);
    assert_int_equal(polyline_points(second), 1);
    free(html);
    snprintf(path, sizeof path, "%s/%s", dir, CSV_HISTORY_FILE);
    char *csv = support_read_text(path);
    assert_non_null(strstr(csv, ",3,50000000,5,,2,,\n"));
    free(csv);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    decided_free(&x);
    report_data_free(&h);
}

/* ---- writers render what was decided ---- */

/* The class and whether it is starred, of data cell `column` (0: the first after the row header) of the row
 * that starts with "<tr><th>ROW</th>" in html. */
static void table_cell(const char *html, const char *row, long column, char *cls, size_t len, bool *starred)
{
    char start[64];
    snprintf(start, sizeof start, "<tr><th>%s</th>", row);
    const char *p = strstr(html, start);
    assert_non_null(p);
    p += strlen(start);
    for (long c = 0; c < column; c++) {
        p = strstr(p, "</td>");
        assert_non_null(p);
        p += 5;
    }
    assert_memory_equal(p, "<td class=\"", 11);
    p += 11;
    snprintf(cls, len, "%.*s", (int)strcspn(p, "\""), p);
    const char *end = strstr(p, "</td>");
    const char *star = strstr(p, "★");
    *starred = star && star < end;
}

/* Decides the clear case, then overrules it: rwlock (slower) wins at 1 thread, separably; mutex
 * wins at 2 threads, not separably.  The page, the CSV and the sentence must say exactly that. */
static void test_writers_render_the_decided_winner(void **state)
{
    (void)state;
    struct decided x;
    world_init(&x.d, 1);
    plant_clear_winner(&x.d);
    decide(&x, NULL);
    size_t i = sweep_of(&x, "win");
    const struct report_sweep *w = &x.sweeps[i];
    struct findings_sweep *fs = &x.f.sweeps[i];
    long mutex = series_of(w, "mutex"), rwlock = series_of(w, "rwlock");
    fs->points[0].winner = rwlock;
    fs->points[0].runner_up = mutex;
    fs->points[1].separable = false;

    char dir[] = "/tmp/mapbench-findings-XXXXXX", err[ERR_LEN] = "", path[256], cls[32];
    assert_non_null(mkdtemp(dir));
    struct html_page page = {.data = &x.d, .sweeps = x.sweeps, .sweep_count = x.sweep_count, .findings = &x.f,
                             .baseline = "rwlock", .out_dir = dir};
    if (!html_write_report(&page, err) || !csv_write_sweeps(dir, &x.d, x.sweeps, &x.f, err))
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = support_read_text(path);
    for (long s = 0; s < (long)w->series_count; s++) {
        bool starred;
        table_cell(html, "1 threads", s, cls, sizeof cls, &starred);
        assert_int_equal(starred, s == rwlock);
        assert_string_equal(cls, s == rwlock ? "win" : "");
        table_cell(html, "2 threads", s, cls, sizeof cls, &starred);
        assert_int_equal(starred, s == mutex);
        assert_string_equal(cls, s == mutex ? "lead" : "");
    }
    free(html);

    char name[64];
    csv_sweep_file(i, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *csv = support_read_text(path);
    const char *rows[][2] = {{"1", "rwlock"}, {"1", "mutex"}, {"2", "mutex"}, {"2", "rwlock"}};
    for (size_t r = 0; r < 4; r++) {
        char line[256];
        snprintf(line, sizeof line, "\n1,\"win\",threads,%s,\"%s\",", rows[r][0], rows[r][1]);
        const char *row = strstr(csv, line);
        assert_non_null(row);
        /* fields 12 and 13, the winner flag and too wide to rank: the decided winner is the first of
         * each pair */
        const char *field = row + 1;
        for (int comma = 0; comma < 11; comma++)
            field = strchr(field, ',') + 1;
        assert_memory_equal(field, r % 2 ? "0,0," : "1,0,", 4);
    }
    free(csv);

    char text[512];
    wording_winners(w, fs, text, sizeof text);
    assert_non_null(strstr(text, ": rwlock leads at 1 threads; mutex leads at 2 threads"));
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    decided_free(&x);
}

/* The history table and CSV mark exactly the decided shifts. */
static void test_writers_render_the_decided_shifts(void **state)
{
    (void)state;
    struct report_data h;
    struct decided x;
    world_init(&h, 2);
    world_case(&h, 0, "hist", "mutex", 1, 100, tight, 5);
    world_case(&h, 1, "hist", "mutex", 1, 100, tight, 5);
    world_init(&x.d, 2);
    x.d.cases[x.d.case_count++] = h.cases[1];
    decide(&x, &h);
    assert_int_equal(x.f.history_count, 1);
    assert_int_equal(x.f.histories[0].rows[0].cells[1].shift, FINDINGS_SHIFT_NONE); /* decided: no shift */
    x.f.histories[0].rows[0].cells[1].shift = FINDINGS_SHIFT_DOWN;                    /* overruled */

    char dir[] = "/tmp/mapbench-findings-XXXXXX", path[256];
    render(&x, dir);
    snprintf(path, sizeof path, "%s/index.html", dir);
    char *html = support_read_text(path);
    assert_non_null(strstr(html, "<td class=\"\">100</td><td class=\"down\">100 ▼</td>"));
    assert_null(strstr(html, "▲</td>"));
    /* the trend marks the shift too: a triangle pointing down at run 2, none up */
    assert_non_null(strstr(html, "<path class=\"down\""));
    assert_null(strstr(html, "<path class=\"up\""));
    free(html);
    snprintf(path, sizeof path, "%s/%s", dir, CSV_HISTORY_FILE);
    char *csv = support_read_text(path);
    /* the one case description (scenarios/case_dims.h), without the backend: its own column */
    assert_non_null(strstr(csv, "\"mutex\",\"hist threads=1 compact read=90% update keys=1000 uniform\",1,"));
    assert_non_null(strstr(csv, ",2,100000000,5,down,0,")); /* run 2, its median, 5, the shift, method 0 */
    free(csv);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
    decided_free(&x);
    report_data_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_winner_is_found_and_separable),
        cmocka_unit_test(test_noisy_wide_or_thin_winner_is_not_separable),
        cmocka_unit_test(test_matrix_names_separable_winners_with_their_margin),
        cmocka_unit_test(test_history_shifts_up_and_down),
        cmocka_unit_test(test_paired_rounds_cancel_the_machine),
        cmocka_unit_test(test_five_rounds_are_too_few),
        cmocka_unit_test(test_one_correction_across_the_report),
        cmocka_unit_test(test_history_breaks_at_a_method_change),
        cmocka_unit_test(test_writers_render_the_decided_winner),
        cmocka_unit_test(test_writers_render_the_decided_shifts),
    };
    return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
