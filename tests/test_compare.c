/*
 * test_compare.c: the regression gate (reports/compare.c, cli/cmd_compare.c) on fixture
 * databases written through the store API with known numbers, then on real runs.
 *
 * Fixture samples are a base throughput times one of seven fixed factors within +-1.2% (the
 * "noise"), reordered per run so that no two runs tie pairwise; a planted change multiplies a whole
 * case.  With 7 vs 7 repetitions the exact Mann-Whitney p of a complete separation is 2/3432, so
 * every planted 20% change is unmistakable and a 1% one is significant but under the 5% threshold:
 * exactly the case the minimum effect size exists for.
 *
 * The real-run test runs `mapbench run` on one tiny scenario as two "builds" A and B of the same
 * binary, interleaved (A B A B A B), two repetitions each, and checks the gate end to end: with two
 * repetitions a run, no pairing of runs can bound a change, so every case is unknown whatever the
 * machine did (the old check, "0 regressed", could not fail at two repetitions).  The false-alarm
 * rate and the power are measured on recorded samples instead (test_gate_power.c), where they are
 * deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/compare.h"
#include "reports/compare_format.h"
#include "store/store.h"
#include "tests/support.h"

#define REPS 7

/* Within +-1.2%: the run-to-run noise of the fixtures. */
static const double noise[REPS] = {0.988, 1.004, 1.012, 0.994, 1.000, 1.008, 0.997};

struct fixture {
    char dir[64];
    char db[128];
    struct store *store;
};

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mapbench-compare-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/results.db", f->dir);
    char err[ERR_LEN];
    f->store = store_open(f->db, err);
    *state = f;
    return f->store ? 0 : -1;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    char command[256];
    store_close(f->store);
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* A run of measurement method `method` (0: this build's) with a planted slowdown (0: none). */
static int64_t fixture_run_of(struct fixture *f, const char *fingerprint, const char *cpu, int method,
                              double planted)
{
    char err[ERR_LEN] = "";
    struct store_machine m = {.packages = 1, .numa_nodes = 1, .cores = 2, .pus = 2};
    snprintf(m.fingerprint, sizeof m.fingerprint, "%s", fingerprint);
    snprintf(m.hostname, sizeof m.hostname, "testhost");
    snprintf(m.cpu_model, sizeof m.cpu_model, "%s", cpu);
    struct store_run r = {.command_line = "mapbench run fixture", .label = "fixture", .method_version = method,
                          .planted_slowdown_pct = planted};
    int64_t run_id = 0;
    if (!store_machine_upsert(f->store, &m, &r.machine_id, err) ||
        !store_run_begin(f->store, &r, &run_id, err) ||
        !store_run_finish(f->store, run_id, "done", err))
        fail_msg("%s", err);
    return run_id;
}

static int64_t fixture_run(struct fixture *f, const char *fingerprint, const char *cpu)
{
    return fixture_run_of(f, fingerprint, cpu, 0, 0);
}

static void fixture_bench_case(struct bench_case *c, const char *scenario, const char *backend,
                               int threads)
{
    case_init(c, scenario, backend);
    c->threads = threads;
    c->duration_s = 0.1;
    c->repetitions = REPS;
    c->seed = 42;
}

/* The next case fixture_case_of writes has this many of its first samples disturbed (3% steal). */
static int fixture_disturbed;

/* A case of `reps` valid samples base * factor * noise[(i + rotate) % REPS], plus one invalid
 * sample of absurd throughput that must be ignored. */
static void fixture_case_of(struct fixture *f, int64_t run_id, const struct bench_case *c,
                            double factor, int rotate, int reps)
{
    char err[ERR_LEN] = "";
    int64_t case_id;
    struct result_sample *r = calloc(1, sizeof *r);
    if (!store_case_begin(f->store, run_id, c, "0", false, &case_id, err))
        fail_msg("%s", err);
    for (int i = 0; i <= reps; i++) {
        memset(r, 0, sizeof *r);
        r->repetition = i;
        r->window_s = 0.1;
        r->workers = 1;
        r->valid = i < reps;
        r->ops_per_s = r->valid ? 1e7 * factor * noise[(i + rotate) % REPS] : 1e3;
        r->total_ops = (uint64_t)(r->ops_per_s * r->window_s);
        r->worker_ops[0] = r->total_ops;
        r->ns_per_op = 1e9 / r->ops_per_s;
        r->steal_pct = i < fixture_disturbed || !r->valid ? 3.0 : 0.0;
        if (!store_sample_insert(f->store, case_id, r, err))
            fail_msg("%s", err);
    }
    free(r);
    fixture_disturbed = 0;
    if (!store_case_end(f->store, case_id, "ok", NULL, err))
        fail_msg("%s", err);
}

static void fixture_case(struct fixture *f, int64_t run_id, const char *backend, double factor,
                         int rotate)
{
    struct bench_case c;
    fixture_bench_case(&c, "fixture", backend, 1);
    fixture_case_of(f, run_id, &c, factor, rotate, REPS);
}

/* Baseline run: five backends at 1x.  Candidate: mutex -20%, striped -1%, syncmap -3% (beyond the
 * noise, so clearly significant, yet under the threshold), rwlock +25%, plain 1x. */
static void fixture_planted(struct fixture *f, int64_t *baseline, int64_t *candidate)
{
    *baseline = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, *baseline, "mutex", 1.0, 0);
    fixture_case(f, *baseline, "striped:shards=64", 1.0, 0);
    fixture_case(f, *baseline, "rwlock", 1.0, 0);
    fixture_case(f, *baseline, "plain", 1.0, 0);
    fixture_case(f, *baseline, "syncmap", 1.0, 0);
    *candidate = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, *candidate, "plain", 1.0, 3);
    fixture_case(f, *candidate, "rwlock", 1.25, 3);
    fixture_case(f, *candidate, "striped:shards=64", 0.99, 3);
    fixture_case(f, *candidate, "mutex", 0.80, 3);
    fixture_case(f, *candidate, "syncmap", 0.97, 3);
}

static void options_for(struct compare_options *o, int64_t baseline, int64_t candidate,
                        char *b, char *c)
{
    compare_options_init(o);
    sprintf(b, "%lld", (long long)baseline);
    sprintf(c, "%lld", (long long)candidate);
    o->baseline = baseline ? b : NULL;
    o->candidate = c;
}

/* n interleaved pairs of runs, baseline then candidate, each with a mutex and an rwlock case: the
 * baseline's at 1x, the candidate's i-th at mutex[i] and rwlock[i]; b and c get the two sides as
 * run lists ("1,3,5"). */
static void fixture_interleaved(struct fixture *f, int n, const double *mutex, const double *rwlock, char *b,
                                char *c, size_t len)
{
    b[0] = c[0] = '\0';
    for (int i = 0; i < n; i++) {
        int64_t base = fixture_run(f, "cafe", "Test CPU A"), cand;
        fixture_case(f, base, "mutex", 1.0, i);
        fixture_case(f, base, "rwlock", 1.0, i);
        cand = fixture_run(f, "cafe", "Test CPU A");
        fixture_case(f, cand, "mutex", mutex[i], i + 1);
        fixture_case(f, cand, "rwlock", rwlock[i], i + 2);
        snprintf(b + strlen(b), len - strlen(b), "%s%lld", i ? "," : "", (long long)base);
        snprintf(c + strlen(c), len - strlen(c), "%s%lld", i ? "," : "", (long long)cand);
    }
}

/* Compares the run lists b (baseline) and c (candidate) with the default options. */
static void compare_lists(struct fixture *f, const char *b, const char *c, struct compare_report *r)
{
    struct compare_options o;
    char err[ERR_LEN] = "";
    compare_options_init(&o);
    o.baseline = b;
    o.candidate = c;
    if (!compare_runs(f->store, &o, r, err))
        fail_msg("%s", err);
}

/* The terminal table of r, malloc'd. */
static char *table_of(const struct compare_report *r)
{
    char *table = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&table, &size);
    compare_format_table(r, out);
    fclose(out);
    return table;
}

static const struct compare_case *find_case(const struct compare_report *r, const char *backend)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->cases[i].c.backend, backend) == 0)
            return &r->cases[i];
    fail_msg("no case for backend %s", backend);
    return NULL;
}

static void test_planted_changes(void **state)
{
    struct fixture *f = *state;
    int64_t base, cand;
    fixture_planted(f, &base, &cand);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, c);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.count, 5);
    const struct compare_case *mutex = find_case(&r, "mutex");
    assert_int_equal(mutex->verdict, COMPARE_REGRESSED);
    assert_int_equal(mutex->baseline.count, REPS); /* the invalid sample is not counted */
    assert_float_equal(exp(mutex->shift.estimate), 0.80, 0.01);
    assert_true(exp(mutex->shift.hi) < 0.95);
    assert_true(mutex->q < 0.05);
    const struct compare_case *striped = find_case(&r, "striped:shards=64");
    assert_int_equal(striped->verdict, COMPARE_UNCHANGED);
    const struct compare_case *syncmap = find_case(&r, "syncmap");
    assert_int_equal(syncmap->verdict, COMPARE_UNCHANGED);
    assert_true(syncmap->q < 0.01); /* significant, yet smaller than the threshold */
    assert_true(syncmap->shift.hi < 0.0 && syncmap->shift.lo > log(0.95));
    assert_int_equal(find_case(&r, "rwlock")->verdict, COMPARE_IMPROVED);
    assert_int_equal(find_case(&r, "plain")->verdict, COMPARE_UNCHANGED);
    /* regressions first, improvements next */
    assert_int_equal(r.cases[0].verdict, COMPARE_REGRESSED);
    assert_int_equal(r.cases[1].verdict, COMPARE_IMPROVED);
    assert_int_equal(r.verdicts[COMPARE_REGRESSED], 1);
    compare_free(&r);

    /* swapped: the regression becomes an improvement and the improvement a regression */
    options_for(&o, cand, base, b, c);
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_IMPROVED);
    assert_int_equal(find_case(&r, "rwlock")->verdict, COMPARE_REGRESSED);
    compare_free(&r);

    /* ns_per_op is lower-is-better: the same slowdown is a regression there too */
    options_for(&o, base, cand, b, c);
    o.metric = "ns_per_op";
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_REGRESSED);
    assert_int_equal(find_case(&r, "rwlock")->verdict, COMPARE_IMPROVED);
    compare_free(&r);
}

/* --normalize: a whole-run drift (every backend 30% slower) cancels against the reference
 * backend, while a slowdown of one backend on top of it is still flagged. */
static void test_normalize_cancels_run_drift(void **state)
{
    struct fixture *f = *state;
    int64_t base = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, base, "mutex", 1.0, 0);
    fixture_case(f, base, "rwlock", 1.0, 0);
    fixture_case(f, base, "striped:shards=64", 1.0, 0);
    int64_t cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, cand, "mutex", 0.70, 3);
    fixture_case(f, cand, "rwlock", 0.70, 5);
    fixture_case(f, cand, "striped:shards=64", 0.70 * 0.80, 1);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, c);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.verdicts[COMPARE_REGRESSED], 3); /* raw: the drift looks like regressions */
    compare_free(&r);
    o.normalize = "mutex";
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(find_case(&r, "rwlock")->verdict, COMPARE_UNCHANGED);
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_UNCHANGED);
    const struct compare_case *striped = find_case(&r, "striped:shards=64");
    assert_int_equal(striped->verdict, COMPARE_REGRESSED);
    assert_float_equal(exp(striped->shift.estimate), 0.80, 0.02);
    compare_free(&r);
    o.normalize = "nosuch";
    assert_false(compare_runs(f->store, &o, &r, err));
    assert_non_null(strstr(err, "has no valid case of backend 'nosuch'"));
    /* A backend the binary does not know, but the runs stored (a plugin measured earlier), is a
     * valid reference: it is looked up in the database, not in the registry. */
    int64_t base2 = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, base2, "mutex", 1.0, 0);
    fixture_case(f, base2, "someplugin", 1.0, 0);
    int64_t cand2 = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, cand2, "mutex", 0.70, 3);
    fixture_case(f, cand2, "someplugin", 0.70, 5);
    options_for(&o, base2, cand2, b, c);
    o.normalize = "someplugin";
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_UNCHANGED);
    compare_free(&r);
}

static void test_run_against_itself(void **state)
{
    struct fixture *f = *state;
    int64_t base, cand;
    fixture_planted(f, &base, &cand);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, cand, cand, b, c);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.count, 5);
    assert_int_equal(r.verdicts[COMPARE_UNCHANGED], 5);
    for (size_t i = 0; i < r.count; i++) {
        assert_float_equal(r.cases[i].shift.estimate, 0.0, 1e-12);
        assert_true(r.cases[i].shift.lo <= 0.0 && r.cases[i].shift.hi >= 0.0);
    }
    compare_free(&r);
}

/* One case 40% slower among eight, one run a side: 5 vs 5 gives p = 0.008 at best, which the
 * correction over 8 cases lifts above 0.05.  Not a regression, but never "unchanged" either. */
static void test_uncorrected_shift_is_inconclusive(void **state)
{
    struct fixture *f = *state;
    struct bench_case c;
    int64_t base = fixture_run(f, "cafe", "Test CPU A"), cand = fixture_run(f, "cafe", "Test CPU A");
    for (int threads = 1; threads <= 8; threads++) {
        fixture_bench_case(&c, "fixture", "mutex", threads);
        fixture_case_of(f, base, &c, 1.0, 0, 5);
        fixture_case_of(f, cand, &c, threads == 1 ? 0.6 : 1.0, 2, 5);
    }
    struct compare_options o;
    char b[32], cs[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, cs);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.tested, 8);
    assert_int_equal(r.cases[0].verdict, COMPARE_INCONCLUSIVE); /* sorted before unchanged */
    assert_int_equal(r.cases[0].c.threads, 1);
    assert_true(r.cases[0].p < 0.01 && r.cases[0].q > 0.05);
    assert_int_equal(r.verdicts[COMPARE_INCONCLUSIVE], 1);
    assert_int_equal(r.verdicts[COMPARE_UNCHANGED], 7);
    char *table = table_of(&r);
    assert_non_null(strstr(table, "0 regressed, 0 improved, 7 unchanged, 1 inconclusive"));
    assert_non_null(strstr(table, "1 inconclusive case(s) moved beyond 5%"));
    assert_non_null(strstr(table, "corrected for 8 cases"));
    free(table);
    compare_free(&r);
}

/* Four runs a side.  mutex: three candidate runs in a slow state of the machine (-40%) and one
 * as fast as the baseline's (-3%): the pooled samples put the whole interval beyond 5%, but one
 * pairing of runs shows no loss beyond it, so it is no regression.  rwlock: every candidate run
 * 20% slower: a regression. */
static void test_pooled_runs_need_every_pairing(void **state)
{
    struct fixture *f = *state;
    const double mutex_factor[4] = {0.6, 0.6, 0.6, 0.97}, rwlock_factor[4] = {0.8, 0.8, 0.8, 0.8};
    char b[96], c[96];
    fixture_interleaved(f, 4, mutex_factor, rwlock_factor, b, c, sizeof b);
    struct compare_report r;
    compare_lists(f, b, c, &r);
    const struct compare_case *mutex = find_case(&r, "mutex");
    assert_true(mutex->q < 0.05);
    struct stats_shift pooled; /* the pooled samples alone would flag it */
    stats_hodges_lehmann_log(mutex->baseline.values, mutex->baseline.count, mutex->candidate.values,
                             mutex->candidate.count, 0.05, &pooled);
    assert_true(pooled.hi < log(0.95));
    assert_true(mutex->shift.hi > log(0.95)); /* the pairing with the fast run does not */
    assert_int_not_equal(mutex->verdict, COMPARE_REGRESSED);
    const struct compare_case *rwlock = find_case(&r, "rwlock");
    assert_int_equal(rwlock->verdict, COMPARE_REGRESSED);
    assert_float_equal(exp(rwlock->shift.estimate), 0.80, 0.02);
    assert_true(exp(rwlock->shift.hi) < 0.95);
    compare_free(&r);
}

/* Cases are matched by dimensions: different order, ids and an unmatched case on each side. */
static void test_matching_by_dimensions(void **state)
{
    struct fixture *f = *state;
    struct bench_case c;
    int64_t base = fixture_run(f, "cafe", "Test CPU A");
    fixture_bench_case(&c, "fixture", "mutex", 2); /* only in the baseline: threads differ */
    fixture_case_of(f, base, &c, 1.0, 0, REPS);
    fixture_case(f, base, "striped:shards=64", 1.0, 0);
    fixture_case(f, base, "mutex", 1.0, 0);
    int64_t cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, cand, "mutex", 0.8, 2);
    fixture_bench_case(&c, "fixture", "striped:shards=64", 1); /* only in the candidate */
    c.read_pct = 50;
    fixture_case_of(f, cand, &c, 1.0, 2, REPS);
    fixture_case(f, cand, "striped:shards=64", 1.0, 2);
    fixture_bench_case(&c, "fixture", "striped:shards=8", 1); /* another spec: another case */
    fixture_case_of(f, cand, &c, 1.0, 2, REPS);
    fixture_bench_case(&c, "fixture", "plain", 2); /* no valid repetition on either side */
    fixture_case_of(f, base, &c, 1.0, 0, 0);
    fixture_case_of(f, cand, &c, 1.0, 0, 0);

    struct compare_options o;
    char b[32], cs[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, cs);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.count, 2);
    assert_int_equal(r.only_baseline, 1);
    assert_int_equal(r.only_candidate, 2);
    assert_int_equal(r.unmeasured, 1); /* neither judged nor "unknown" */
    assert_int_equal(r.verdicts[COMPARE_UNKNOWN], 0);
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_REGRESSED);
    assert_int_equal(find_case(&r, "mutex")->c.threads, 1);
    assert_int_equal(find_case(&r, "striped:shards=64")->verdict, COMPARE_UNCHANGED);
    compare_free(&r);

    /* a second baseline run pooled: the unmatched case is still one case, samples double */
    int64_t base2 = fixture_run(f, "cafe", "Test CPU A");
    fixture_bench_case(&c, "fixture", "mutex", 2);
    fixture_case_of(f, base2, &c, 1.0, 1, REPS);
    fixture_case(f, base2, "mutex", 1.0, 1);
    char list[64];
    snprintf(list, sizeof list, "%lld,%lld", (long long)base, (long long)base2);
    o.baseline = list;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.only_baseline, 1);
    assert_int_equal(r.baseline_runs, 2);
    assert_int_equal(find_case(&r, "mutex")->baseline.count, 2 * REPS);
    assert_int_equal(find_case(&r, "striped:shards=64")->baseline.count, REPS);
    compare_free(&r);

    /* no case in common: bad input */
    int64_t other = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, other, "rwlock", 1.0, 0);
    options_for(&o, base, other, b, cs);
    assert_false(compare_runs(f->store, &o, &r, err));
    assert_non_null(strstr(err, "no case in common"));
    compare_free(&r);
}

/* The one case key (scenarios/case_dims.h): a case whose seed differs is another sample of the
 * same experiment and matches; one whose latency sampling or window differs measures something
 * else and does not.  (Before the key was shared, the gate matched cases that differed only in
 * latency_every, and the report's history matched cases that differed only in their window.) */
static void test_key_rule(void **state)
{
    struct fixture *f = *state;
    struct bench_case c;
    int64_t base = fixture_run(f, "cafe", "Test CPU A"), cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_bench_case(&c, "fixture", "mutex", 1);
    fixture_case_of(f, base, &c, 1.0, 0, REPS);
    c.seed = 7;
    c.repetitions = REPS + 1;
    fixture_case_of(f, cand, &c, 1.0, 2, REPS);
    fixture_bench_case(&c, "fixture", "rwlock", 1);
    fixture_case_of(f, base, &c, 1.0, 0, REPS);
    c.latency_every = 0;
    fixture_case_of(f, cand, &c, 1.0, 2, REPS);
    fixture_bench_case(&c, "fixture", "striped", 1);
    fixture_case_of(f, base, &c, 1.0, 0, REPS);
    c.duration_s = 0.2;
    fixture_case_of(f, cand, &c, 1.0, 2, REPS);

    struct compare_options o;
    char b[32], cs[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, cs);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.count, 1);
    assert_string_equal(r.cases[0].c.backend, "mutex");
    assert_int_equal(r.cases[0].baseline.count, REPS);
    assert_int_equal(r.only_baseline, 2);
    assert_int_equal(r.only_candidate, 2);
    compare_free(&r);
}

static void test_too_few_repetitions(void **state)
{
    struct fixture *f = *state;
    struct bench_case c;
    fixture_bench_case(&c, "fixture", "mutex", 1);
    int64_t base = fixture_run(f, "cafe", "Test CPU A");
    fixture_case_of(f, base, &c, 1.0, 0, 3);
    int64_t cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_case_of(f, cand, &c, 0.5, 0, 3); /* halved, but 3 vs 3 cannot show it at 0.05 */
    struct compare_options o;
    char b[32], cs[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, cs);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].verdict, COMPARE_UNKNOWN);
    assert_int_equal(r.cases[0].needed, 4);
    assert_float_equal(r.cases[0].p, 0.1, 1e-12);
    assert_float_equal(r.cases[0].min_p, 0.1, 1e-12); /* decided by the judge, stated by the table */
    char *table = table_of(&r);
    assert_non_null(strstr(table, "3 vs 3 valid repetitions cannot reach p < 0.05 (the smallest p they allow "
                                  "is 0.1); 4 per side are needed"));
    free(table);
    compare_free(&r);
    o.alpha = 0.2; /* at 0.2, 3 vs 3 suffices */
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].verdict, COMPARE_REGRESSED);
    compare_free(&r);
}

static void test_cross_machine_refused(void **state)
{
    struct fixture *f = *state;
    int64_t base = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, base, "mutex", 1.0, 0);
    int64_t cand = fixture_run(f, "f00d", "Other CPU B");
    fixture_case(f, cand, "mutex", 1.0, 1);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, c);
    struct compare_report r;
    assert_false(compare_runs(f->store, &o, &r, err));
    assert_non_null(strstr(err, "Test CPU A"));
    assert_non_null(strstr(err, "Other CPU B"));
    assert_non_null(strstr(err, "--cross-machine"));
    compare_free(&r);
    o.cross_machine = true;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.count, 1);
    compare_free(&r);
    /* previous on the candidate's machine: there is none before it */
    o.cross_machine = false;
    o.baseline = "previous";
    assert_false(compare_runs(f->store, &o, &r, err));
    assert_non_null(strstr(err, "previous"));
    compare_free(&r);
}

/* History: each case's samples from its newest N earlier runs on the machine, pooled. */
static void test_history_baseline(void **state)
{
    struct fixture *f = *state;
    int64_t old = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, old, "mutex", 0.5, 0); /* outside the window of 2: must not count */
    for (int i = 0; i < 2; i++)
        fixture_case(f, fixture_run(f, "cafe", "Test CPU A"), "mutex", 1.0, i);
    int64_t foreign = fixture_run(f, "beef", "Other CPU B");
    fixture_case(f, foreign, "mutex", 3.0, 0); /* another machine: never history */
    int64_t cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, cand, "mutex", 1.0, 4);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, 0, cand, b, c);
    o.history = 2;
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].baseline.runs, 2);
    assert_int_equal(r.cases[0].baseline.count, 2 * REPS);
    assert_int_equal(r.cases[0].verdict, COMPARE_UNCHANGED);
    compare_free(&r);
    o.history = 5; /* now the halved run joins the pool: still no regression claimed */
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].baseline.runs, 3);
    assert_int_not_equal(r.cases[0].verdict, COMPARE_REGRESSED);
    compare_free(&r);
}

/* Pooled runs of 2 and 3 repetitions each: the pooled samples are significant, but no pairing of
 * runs can bound the change at 95% (3 against 3 reaches 90% at best), so a planted 50% drop is
 * unknown, with the reason, and never unchanged.  With 4 per run it is judged. */
static void test_pooled_short_runs_are_unknown(void **state)
{
    struct fixture *f = *state;
    struct bench_case c;
    char b[64] = "", cs[64] = "";
    for (int reps = 2; reps <= 4; reps++) {
        b[0] = cs[0] = '\0';
        for (int i = 0; i < 3; i++) { /* interleaved: A B A B A B */
            int64_t base = fixture_run(f, "cafe", "Test CPU A"), cand = fixture_run(f, "cafe", "Test CPU A");
            fixture_bench_case(&c, "fixture", "mutex", reps); /* threads: one case per repetition count */
            fixture_case_of(f, base, &c, 1.0, i, reps);
            fixture_case_of(f, cand, &c, 0.5, i + 2, reps);
            snprintf(b + strlen(b), sizeof b - strlen(b), "%s%lld", i ? "," : "", (long long)base);
            snprintf(cs + strlen(cs), sizeof cs - strlen(cs), "%s%lld", i ? "," : "", (long long)cand);
        }
        struct compare_report r;
        compare_lists(f, b, cs, &r);
        assert_int_equal(r.count, 1);
        const struct compare_case *k = &r.cases[0];
        assert_true(k->p < 0.01); /* the pooled samples alone are clear */
        if (reps < 4) {
            assert_int_equal(k->verdict, COMPARE_UNKNOWN);
            assert_int_equal(k->why_unknown, COMPARE_UNKNOWN_PAIRING);
            assert_int_equal(k->fewest_per_run, (size_t)reps);
            assert_int_equal(r.tested, 0); /* not a hypothesis of the correction */
            char *table = table_of(&r);
            char expected[160];
            snprintf(expected, sizeof expected, "a run has %d valid repetition(s), and each run needs 4", reps);
            assert_non_null(strstr(table, expected));
            assert_non_null(strstr(table, "0 unchanged, 0 inconclusive, 1 unknown"));
            free(table);
        } else {
            assert_int_equal(k->verdict, COMPARE_REGRESSED);
        }
        compare_free(&r);
    }
}

/* Two runs a side, the candidate's one at half the baseline's speed and one at 1.6 times: the
 * interval spans -50% to +60%, past the threshold both ways.  Nothing rules out a regression, so
 * the case is unknown, with the interval, never unchanged; tight runs stay unchanged. */
static void test_wide_interval_is_unknown(void **state)
{
    struct fixture *f = *state;
    const double mutex_factor[2] = {0.5, 1.6}, rwlock_factor[2] = {1.0, 1.0};
    char b[64], c[64];
    fixture_interleaved(f, 2, mutex_factor, rwlock_factor, b, c, sizeof b);
    struct compare_report r;
    compare_lists(f, b, c, &r);
    const struct compare_case *mutex = find_case(&r, "mutex");
    assert_true(exp(mutex->shift.lo) < 0.55 && exp(mutex->shift.hi) > 1.55);
    assert_int_equal(mutex->verdict, COMPARE_UNKNOWN);
    assert_int_equal(mutex->why_unknown, COMPARE_UNKNOWN_WIDE);
    assert_int_equal(r.tested, 2); /* a wide case stays in the correction */
    assert_int_equal(find_case(&r, "rwlock")->verdict, COMPARE_UNCHANGED);
    char *table = table_of(&r);
    assert_non_null(strstr(table, "reaches past the threshold both ways: these runs cannot tell a regression from "
                                  "an improvement"));
    free(table);
    compare_free(&r);
}

/* Runs of different measurement-method versions: refused in one line unless --across-methods, which
 * the output then states; a history takes only the candidate's method. */
static void test_method_versions_not_mixed(void **state)
{
    struct fixture *f = *state;
    int64_t old = fixture_run_of(f, "cafe", "Test CPU A", 1, 0);
    fixture_case(f, old, "mutex", 0.5, 0); /* method 1 halved: never history of a method-2 run */
    int64_t base = fixture_run_of(f, "cafe", "Test CPU A", 2, 0);
    fixture_case(f, base, "mutex", 1.0, 1);
    int64_t cand = fixture_run_of(f, "cafe", "Test CPU A", 2, 0);
    fixture_case(f, cand, "mutex", 1.0, 2);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, old, cand, b, c);
    struct compare_report r;
    assert_false(compare_runs(f->store, &o, &r, err));
    char expected[200];
    snprintf(expected, sizeof expected, "run %lld was measured by method version 1 and run %lld by version 2",
             (long long)old, (long long)cand);
    assert_non_null(strstr(err, expected));
    assert_non_null(strstr(err, "--across-methods"));
    assert_null(strchr(err, '\n'));
    compare_free(&r);
    o.across_methods = true;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_true(r.methods_mixed);
    assert_int_equal(r.cases[0].verdict, COMPARE_IMPROVED);
    char *table = table_of(&r);
    assert_non_null(strstr(table, "different measurement-method versions are compared"));
    free(table);
    compare_free(&r);
    options_for(&o, 0, cand, b, c); /* history: base only, not the halved method-1 run */
    o.history = 5;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].baseline.runs, 1);
    assert_int_equal(r.cases[0].verdict, COMPARE_UNCHANGED);
    assert_false(r.methods_mixed);
    compare_free(&r);
    o.across_methods = true; /* across methods the history takes both */
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].baseline.runs, 2);
    compare_free(&r);
    options_for(&o, 0, base, b, c); /* no method-2 run before base */
    assert_false(compare_runs(f->store, &o, &r, err));
    assert_non_null(strstr(err, "measured by method version 2"));
    compare_free(&r);
}

/* Calibration values of one run: three repetitions at each phase, level * noise, with the end
 * at level * end_factor. */
static void fixture_calibrate(struct fixture *f, int64_t run, double level, double end_factor)
{
    static const char *const phases[] = {"start", "middle", "end"};
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->store),
                                        "INSERT INTO calibrations (run_id, phase, kind, repetition, value, unit)"
                                        " VALUES (?, ?, 'get-loop', ?, ?, 'Mops/s')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int p = 0; p < 3; p++)
        for (int rep = 0; rep < 3; rep++) {
            sqlite3_bind_int64(st, 1, run);
            sqlite3_bind_text(st, 2, phases[p], -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 3, rep);
            sqlite3_bind_double(st, 4, level * (p == 2 ? end_factor : 1.0) * noise[(rep + p + (int)run) % REPS]);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
}

/* A candidate run whose calibration fell 30% against the baseline's is "the machine moved" in the
 * table, the Markdown and a JUnit property; a run whose calibration stayed within its own noise
 * (and a database without calibrations) is not; a run whose end fell from its start is, by the
 * within-run rule. */
static void test_calibration_names_the_machine(void **state)
{
    struct fixture *f = *state;
    int64_t base1, base2, cand1, cand2;
    base1 = fixture_run(f, "cafe", "Test CPU A");
    cand1 = fixture_run(f, "cafe", "Test CPU A");
    base2 = fixture_run(f, "cafe", "Test CPU A");
    cand2 = fixture_run(f, "cafe", "Test CPU A");
    int64_t runs[] = {base1, cand1, base2, cand2};
    for (int i = 0; i < 4; i++) {
        fixture_case(f, runs[i], "mutex", i % 2 ? 0.7 : 1.0, i);
        fixture_case(f, runs[i], "rwlock", 1.0, i + 1);
    }
    struct compare_options o;
    char b[64], c[64], err[ERR_LEN] = "", md[160], xml[160];
    snprintf(b, sizeof b, "%lld,%lld", (long long)base1, (long long)base2);
    snprintf(c, sizeof c, "%lld,%lld", (long long)cand1, (long long)cand2);
    compare_options_init(&o);
    o.baseline = b;
    o.candidate = c;
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err)); /* no calibrations table: nothing judged */
    assert_int_equal(r.moved, 0);
    assert_false(r.runs[0].calibration.measured);
    compare_free(&r);

    fixture_calibrate(f, base1, 40, 1.0);
    fixture_calibrate(f, base2, 41, 1.0);
    fixture_calibrate(f, cand1, 28, 1.0);  /* the machine was 30% slower for this run */
    fixture_calibrate(f, cand2, 40.5, 1.0); /* within the baseline's own spread */
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.run_count, 4);
    assert_int_equal(r.moved, 1);
    for (size_t i = 0; i < r.run_count; i++) {
        assert_true(r.runs[i].calibration.measured);
        assert_int_equal(r.runs[i].calibration.moved, r.runs[i].run.id == cand1);
    }
    assert_int_equal(find_case(&r, "mutex")->verdict, COMPARE_REGRESSED); /* the samples' verdict stays */
    char *table = table_of(&r);
    char expected[160];
    snprintf(expected, sizeof expected, "the machine moved: candidate run %lld's calibration moved beyond its own "
             "noise (get-loop 28", (long long)cand1);
    assert_non_null(strstr(table, expected));
    free(table);
    snprintf(md, sizeof md, "%s/out.md", f->dir);
    snprintf(xml, sizeof xml, "%s/out.xml", f->dir);
    assert_true(compare_format_markdown(&r, md, err) && compare_format_junit(&r, xml, err));
    char *markdown = support_read_text(md), *junit = support_read_text(xml);
    assert_non_null(strstr(markdown, "the machine moved: candidate run"));
    assert_non_null(strstr(junit, "<property name=\"machine_moved\" value=\"true\"/>"));
    assert_non_null(strstr(junit, "this may not be the code"));
    free(markdown);
    free(junit);
    compare_free(&r);

    /* within one run: the baseline's second run ended 25% below its start */
    int64_t late = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, late, "mutex", 1.0, 2);
    fixture_case(f, late, "rwlock", 1.0, 3);
    fixture_calibrate(f, late, 40, 0.75);
    snprintf(b, sizeof b, "%lld,%lld", (long long)base1, (long long)late);
    snprintf(c, sizeof c, "%lld", (long long)cand2);
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.moved, 1);
    for (size_t i = 0; i < r.run_count; i++)
        if (r.runs[i].run.id == late)
            if (!strstr(r.runs[i].calibration.why, "get-loop 39.9 Mops/s at the start, 30.1 at the end (-24%)"))
                fail_msg("%s", r.runs[i].calibration.why);
    compare_free(&r);
}

/* A run with a planted slowdown is named as one, and the planted 20% is found. */
static void test_planted_run_is_named(void **state)
{
    struct fixture *f = *state;
    int64_t base = fixture_run(f, "cafe", "Test CPU A"), cand = fixture_run_of(f, "cafe", "Test CPU A", 0, 20);
    fixture_case(f, base, "mutex", 1.0, 0);
    fixture_case(f, cand, "mutex", 0.8, 3);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "";
    options_for(&o, base, cand, b, c);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(r.cases[0].verdict, COMPARE_REGRESSED);
    char *table = table_of(&r);
    char expected[160];
    snprintf(expected, sizeof expected, "run %lld carries a planted 20%% slowdown", (long long)cand);
    assert_non_null(strstr(table, expected));
    free(table);
    compare_free(&r);
}

/* ---- the command: exit codes and files ---------------------------------------------------- */

static int run_mapbench(char *const *args, struct support_child *child)
{
    char bin[PATH_MAX], exe[PATH_MAX + 16];
    char *argv[24] = {exe};
    support_binary_dir(bin, sizeof bin);
    snprintf(exe, sizeof exe, "%s/../mapbench", bin);
    for (int i = 0; args[i] && i < 22; i++)
        argv[i + 1] = args[i];
    support_child_exec(argv, child);
    assert_true(WIFEXITED(child->wait_status));
    return WEXITSTATUS(child->wait_status);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Minimal XML well-formedness: tags balance, attribute values are quoted and every '&' starts one
 * of the five entities; no raw '<' outside markup.  Returns false at the first violation. */
static bool xml_well_formed(const char *p)
{
    char stack[32][64];
    int depth = 0;
    if (strncmp(p, "<?xml", 5) == 0)
        p = strstr(p, "?>") + 2;
    while (*p) {
        if (*p == '&') {
            if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) &&
                strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
                return false;
            p++;
        } else if (*p != '<') {
            p++;
        } else if (p[1] == '/') {
            size_t len = strcspn(p + 2, ">");
            if (depth == 0 || strlen(stack[depth - 1]) != len ||
                strncmp(stack[depth - 1], p + 2, len) != 0)
                return false;
            depth--;
            p += 2 + len + 1;
        } else {
            size_t len = strcspn(p + 1, " />");
            if (len == 0 || len >= 64 || depth == 32)
                return false;
            snprintf(stack[depth], sizeof stack[depth], "%.*s", (int)len, p + 1);
            p += 1 + len;
            while (*p && *p != '>' && *p != '/') { /* attributes: name="value" */
                if (*p == '"') {
                    const char *close = strchr(p + 1, '"');
                    if (!close || memchr(p + 1, '<', (size_t)(close - p - 1)))
                        return false;
                    p = close;
                }
                p++;
            }
            if (*p == '/')
                p++;
            else
                depth++;
            if (*p != '>')
                return false;
            p++;
        }
    }
    return depth == 0;
}

static void test_command_exit_codes_and_files(void **state)
{
    struct fixture *f = *state;
    int64_t base, cand;
    fixture_planted(f, &base, &cand);
    /* a hostile scenario name and backend spec, as a plugin or scenario file could carry */
    struct bench_case c;
    fixture_bench_case(&c, "x<script>\"'&", "evil:name=</testcase>|*_`'; DROP TABLE runs; --", 1);
    fixture_case_of(f, base, &c, 1.0, 0, REPS);
    fixture_case_of(f, cand, &c, 0.7, 1, REPS);
    char md[192], xml[192], bs[32], cs[32];
    snprintf(md, sizeof md, "%s/out.md", f->dir);
    snprintf(xml, sizeof xml, "%s/out.xml", f->dir);
    sprintf(bs, "%lld", (long long)base);
    sprintf(cs, "%lld", (long long)cand);
    struct support_child child;

    char *regress[] = {"compare", "--db", f->db, "--baseline", bs, "--candidate", cs,
                       "--markdown", md, "--junit", xml, NULL};
    assert_int_equal(run_mapbench(regress, &child), 1);
    assert_non_null(strstr(child.out, "regressed"));
    /* regressions first: the first table row after the header is a regression */
    const char *header = strstr(child.out, "verdict");
    assert_non_null(header);
    assert_memory_equal(strchr(header, '\n') + 1, "regressed", 9);

    char *junit = support_read_text(xml);
    assert_true(xml_well_formed(junit));
    assert_int_equal(count_of(junit, "<testcase "), 6);
    assert_int_equal(count_of(junit, "<failure "), 2);
    assert_non_null(strstr(junit, "tests=\"6\" failures=\"2\""));
    assert_null(strstr(junit, "<script>"));
    assert_non_null(strstr(junit, "x&lt;script&gt;&quot;&apos;&amp;"));
    free(junit);
    char *markdown = support_read_text(md);
    assert_non_null(strstr(markdown, "| verdict |"));
    assert_int_equal(count_of(markdown, "\n| "), 7); /* header and six cases */
    assert_null(strstr(markdown, "<script>"));
    assert_null(strstr(markdown, "</testcase>|"));
    assert_non_null(strstr(markdown, "\\|"));
    free(markdown);

    char *same[] = {"compare", "--db", f->db, "--baseline", cs, "--candidate", "latest", NULL};
    assert_int_equal(run_mapbench(same, &child), 0);
    char *hist[] = {"compare", "--db", f->db, "--candidate", bs, NULL}; /* no history before */
    assert_int_equal(run_mapbench(hist, &child), 2);

    char *unknown[] = {"compare", "--db", f->db, "--baseline", "99", "--candidate", cs, NULL};
    assert_int_equal(run_mapbench(unknown, &child), 2);
    assert_non_null(strstr(child.err, "no run 99"));
    assert_int_equal(count_of(child.err, "\n"), 1); /* one clear line */
    char *bad_option[] = {"compare", "--db", f->db, "--candidate", cs, "--frobnicate", NULL};
    assert_int_equal(run_mapbench(bad_option, &child), 2);
    char *bad_value[] = {"compare", "--db", f->db, "--candidate", cs, "--threshold", "x", NULL};
    assert_int_equal(run_mapbench(bad_value, &child), 2);
    char *no_db[] = {"compare", "--db", "/nonexistent/results.db", "--candidate", "1", NULL};
    assert_int_equal(run_mapbench(no_db, &child), 2);
    assert_non_null(strstr(child.err, "/nonexistent/results.db"));
    char *no_candidate[] = {"compare", "--db", f->db, NULL};
    assert_int_equal(run_mapbench(no_candidate, &child), 2);
    char twice[64];
    snprintf(twice, sizeof twice, "%s,%s", bs, bs);
    char *named_twice[] = {"compare", "--db", f->db, "--baseline", twice, "--candidate", cs, NULL};
    assert_int_equal(run_mapbench(named_twice, &child), 2);
    assert_non_null(strstr(child.err, "named twice"));
    char *bad_metric[] = {"compare", "--db", f->db, "--candidate", cs, "--metric", "x", NULL};
    assert_int_equal(run_mapbench(bad_metric, &child), 2);
}

/* Samples the disturbance rule flags are counted per case and side, and in the summary line of
 * the table and the Markdown, and as a JUnit property; the invalid sample is not compared, so not
 * counted. */
static void test_disturbed_samples_counted(void **state)
{
    struct fixture *f = *state;
    int64_t base = fixture_run(f, "cafe", "Test CPU A");
    fixture_case(f, base, "mutex", 1.0, 0);
    fixture_case(f, base, "rwlock", 1.0, 0);
    int64_t cand = fixture_run(f, "cafe", "Test CPU A");
    fixture_disturbed = 2;
    fixture_case(f, cand, "mutex", 1.0, 1);
    fixture_case(f, cand, "rwlock", 1.0, 1);
    struct compare_options o;
    char b[32], c[32], err[ERR_LEN] = "", md[192], xml[192];
    options_for(&o, base, cand, b, c);
    struct compare_report r;
    assert_true(compare_runs(f->store, &o, &r, err));
    assert_int_equal(find_case(&r, "mutex")->candidate.disturbed, 2);
    assert_int_equal(find_case(&r, "mutex")->baseline.disturbed, 0);
    assert_int_equal(find_case(&r, "rwlock")->candidate.disturbed, 0);
    char *table = table_of(&r);
    assert_non_null(strstr(table, "; 2 of 28 samples disturbed (steal above 1%"));
    free(table);
    snprintf(md, sizeof md, "%s/d.md", f->dir);
    snprintf(xml, sizeof xml, "%s/d.xml", f->dir);
    assert_true(compare_format_markdown(&r, md, err) && compare_format_junit(&r, xml, err));
    char *text = support_read_text(md);
    assert_non_null(strstr(text, "2 of 28 samples disturbed"));
    free(text);
    text = support_read_text(xml);
    assert_non_null(strstr(text, "<property name=\"disturbed_samples\" value=\"2\"/>"));
    assert_true(xml_well_formed(text));
    free(text);
    compare_free(&r);
}

/* ---- real runs, end to end --------------------------------------------------------------- */

static void write_scenario(const char *path)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("[scenario]\nname = aa\ndescription = A/A runs for the compare test\n"
          "backends = mutex, striped\nthreads = 1\nread_pct = 90\nkeys = 1000\n"
          "duration = 0.1s\nwarmup = 0.05s\nrepetitions = 2\n", file);
    fclose(file);
}

static int run_compare(char *db, char *baseline, char *candidate, struct support_child *child)
{
    char *compare[] = {"compare", "--db", db, "--baseline", baseline, "--candidate", candidate,
                       NULL};
    int status = run_mapbench(compare, child);
    if (status != 0)
        print_message("compare --baseline %s --candidate %s exited %d:\n%s%s", baseline,
                      candidate, status, child->out, child->err);
    return status;
}

static void test_real_runs_of_two_repetitions(void **state)
{
    struct fixture *f = *state;
    char ini[192], lock[192];
    snprintf(ini, sizeof ini, "%s/aa.ini", f->dir);
    snprintf(lock, sizeof lock, "%s/lock", f->dir);
    write_scenario(ini);
    setenv("MAPBENCH_LOCK", lock, 1); /* never wait behind another benchmark on the machine */
    struct support_child child;
    for (int i = 0; i < 6; i++) { /* runs 1..6: A B A B A B */
        char *run[] = {"run", "--db", f->db, "--label", i % 2 ? "B" : "A", ini, NULL};
        int status = run_mapbench(run, &child);
        if (status != 0)
            fail_msg("mapbench run exited %d: %s", status, child.err);
    }
    /* Two repetitions a run: the pooled 6 against 6 could reach p < 0.05, but no pairing of runs can
     * bound a change (2 against 2), so whatever the machine did, both cases are unknown, with the
     * reason; before, they were "unchanged" and this check could not fail. */
    assert_int_equal(run_compare(f->db, "1,3,5", "2,4,6", &child), 0);
    assert_non_null(strstr(child.out, "2 cases: 0 regressed, 0 improved, 0 unchanged, 0 inconclusive, 2 unknown"));
    assert_non_null(strstr(child.out, "a run has 2 valid repetition(s), and each run needs 4"));
    assert_int_equal(run_compare(f->db, "2,4,6", "2,4,6", &child), 0);
    assert_non_null(strstr(child.out, "2 cases: 0 regressed, 0 improved, 0 unchanged, 0 inconclusive, 2 unknown"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_planted_changes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_normalize_cancels_run_drift, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_run_against_itself, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_matching_by_dimensions, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_key_rule, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_too_few_repetitions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_uncorrected_shift_is_inconclusive, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pooled_runs_need_every_pairing, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cross_machine_refused, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_history_baseline, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_pooled_short_runs_are_unknown, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_wide_interval_is_unknown, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_method_versions_not_mixed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_calibration_names_the_machine, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_planted_run_is_named, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_disturbed_samples_counted, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_command_exit_codes_and_files, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_real_runs_of_two_repetitions, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
