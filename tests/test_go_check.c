/*
 * test_go_check.c: the cross-check against Go (reports/go_check.c) on hand-built runs: Go's
 * separation rule at its edges, and a Go run and a mapbench run whose orderings agree where Go
 * separates its maps, disagree (with the measured figures printed), are not separated, or lack a
 * mapbench case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbfixture.h"
#include "support.h"

#include "reports/go_check.h"
#include "scenarios/case.h"
#include "store/store.h"

/* The edges of Go's rule: disjoint and the faster minimum at least 10% above the slower maximum. */
static void test_separation_rule(void **state)
{
    (void)state;
    const double slow[] = {100, 95, 98}, overlap[] = {99, 120, 130}, close[] = {105, 106, 109},
                 apart[] = {110, 112, 130}, just_under[] = {109.99, 120, 125};
    assert_int_equal(go_check_separated(apart, 3, slow, 3), 1);
    assert_int_equal(go_check_separated(slow, 3, apart, 3), -1);
    assert_int_equal(go_check_separated(overlap, 3, slow, 3), 0); /* ranges overlap */
    assert_int_equal(go_check_separated(close, 3, slow, 3), 0);   /* disjoint, 5% apart */
    assert_int_equal(go_check_separated(just_under, 3, slow, 3), 0);
    assert_int_equal(go_check_separated(apart, 3, slow, 0), 0);   /* nothing to separate from */
}

struct fixture {
    char dir[64], db[128];
    struct store *store;
    int64_t go_run, our_run;
};

static int64_t fixture_run(struct store *s, const char *label)
{
    char err[ERR_LEN] = "";
    int64_t run_id = dbfixture_run(s, NULL, label);
    if (!store_run_finish(s, run_id, "done", err))
        fail_msg("%s", err);
    return run_id;
}

/* A case of three valid samples at ops[0..3) operations per second, allocs and hits given. */
static void fixture_case(struct store *s, int64_t run, const char *bench, const char *backend,
                         bool external, int threads, const double ops[3], double allocs)
{
    char err[ERR_LEN] = "", scenario[CASE_TEXT];
    struct bench_case c;
    int64_t case_id;
    snprintf(scenario, sizeof scenario, "go-sync/%s", bench);
    case_init(&c, scenario, backend);
    if (external) {
        snprintf(c.backend_name, sizeof c.backend_name, "%s", backend);
        c.role = MAP_ROLE_EXTERNAL;
    }
    c.threads = threads;
    c.repetitions = 3;
    struct result_sample *r = calloc(1, sizeof *r);
    if (!store_case_begin(s, run, &c, NULL, false, &case_id, err))
        fail_msg("%s", err);
    for (int i = 0; i < 3; i++) {
        memset(r, 0, sizeof *r);
        r->repetition = i;
        r->ops_per_s = ops[i];
        r->window_s = 1;
        r->total_ops = (uint64_t)ops[i];
        r->workers = threads;
        r->gets = 1000;
        r->get_hits = 999;
        r->allocs_per_op = allocs;
        r->bytes_per_key = 40;
        r->valid = true;
        if (!store_sample_insert(s, case_id, r, err))
            fail_msg("%s", err);
    }
    free(r);
    if (!store_case_end(s, case_id, "ok", NULL, err))
        fail_msg("%s", err);
}

static const double fast[] = {200, 205, 210}, mid[] = {100, 101, 102}, slow[] = {50, 51, 52},
                    same[] = {100, 103, 105};

/* Hits: Go and mapbench agree.  Misses: Go separates sync.Map above RWMutexMap, mapbench has
 * rwlock above syncmap.  Range: Go separates nothing.  Unique, at 2 threads: mapbench lacks cow. */
static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    support_dir_make(f->dir, sizeof f->dir, "go-check");
    snprintf(f->db, sizeof f->db, "%s/results.db", f->dir);
    f->store = dbfixture_open(f->db);
    struct store *s = f->store;
    f->go_run = fixture_run(s, "go");
    fixture_case(s, f->go_run, "Hits", "go:sync.Map", true, 1, fast, 0);
    fixture_case(s, f->go_run, "Hits", "go:RWMutexMap", true, 1, mid, 0);
    fixture_case(s, f->go_run, "Hits", "go:DeepCopyMap", true, 1, slow, 0);
    fixture_case(s, f->go_run, "Misses", "go:sync.Map", true, 1, fast, 2);
    fixture_case(s, f->go_run, "Misses", "go:RWMutexMap", true, 1, slow, 1);
    fixture_case(s, f->go_run, "Range", "go:sync.Map", true, 1, mid, 0);
    fixture_case(s, f->go_run, "Range", "go:RWMutexMap", true, 1, same, 0);
    fixture_case(s, f->go_run, "Unique", "go:sync.Map", true, 2, mid, 0);
    fixture_case(s, f->go_run, "Unique", "go:DeepCopyMap", true, 2, slow, 0);
    f->our_run = fixture_run(s, "ours");
    const char *syncmap = go_check_pairs[0].spec, *rwlock = go_check_pairs[1].spec,
               *cow = go_check_pairs[2].spec;
    fixture_case(s, f->our_run, "Hits", syncmap, false, 1, same, 0); /* the same order, though */
    fixture_case(s, f->our_run, "Hits", rwlock, false, 1, mid, 0);   /* not separated by Go's rule */
    fixture_case(s, f->our_run, "Hits", cow, false, 1, slow, 0);
    fixture_case(s, f->our_run, "Misses", syncmap, false, 1, slow, 0.5);
    fixture_case(s, f->our_run, "Misses", rwlock, false, 1, fast, 0);
    fixture_case(s, f->our_run, "Misses", cow, false, 1, fast, 0); /* Go has none: unjudged */
    fixture_case(s, f->our_run, "Range", syncmap, false, 1, slow, 0);
    fixture_case(s, f->our_run, "Range", rwlock, false, 1, fast, 0);
    fixture_case(s, f->our_run, "Unique", syncmap, false, 2, mid, 0);
    fixture_case(s, f->our_run, "Unique", cow, false, 1, slow, 0); /* 1 thread: not Go's case */
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    support_dir_remove(f->dir);
    free(f);
    return 0;
}

/* The line of benchmark `bench` in the printed check, with the lines under it. */
static const char *line_of(const char *text, const char *bench)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\n%s ", bench);
    const char *at = strstr(text, needle);
    if (!at)
        fail_msg("no line for %s in:\n%s", bench, text);
    return at + 1;
}

static void test_orderings_judged(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "", *text = NULL;
    size_t len;
    int64_t go_run, our_run;
    assert_true(go_check_find_runs(f->store, &go_run, &our_run, err));
    assert_int_equal(go_run, f->go_run);
    assert_int_equal(our_run, f->our_run);
    struct go_check_tally t;
    FILE *out = open_memstream(&text, &len);
    assert_true(go_check_print(f->store, go_run, our_run, out, &t, err));
    fclose(out);
    /* Hits: 3 pairs separated, all agree; Misses: 1 separated, disagrees; Range: 1 not separated;
     * Unique: 1 separated, cow missing at 2 threads */
    assert_int_equal(t.separated, 5);
    assert_int_equal(t.agree, 3);
    assert_int_equal(t.disagree, 1);
    assert_int_equal(t.unseparated, 1);
    assert_int_equal(t.missing, 1);
    const char *hits = line_of(text, "Hits");
    assert_true(strncmp(hits, "Hits", 4) == 0);
    assert_non_null(strstr(hits, "sync.Map > RWMutexMap > DeepCopyMap"));
    assert_non_null(strstr(hits, "syncmap ~ rwlock > cow"));
    assert_true(strstr(hits, "agree") < strstr(hits, "\n"));
    const char *misses = line_of(text, "Misses");
    assert_true(strstr(misses, "DISAGREE") < strstr(misses, "\n"));
    assert_non_null(strstr(misses, "disagree: Go sync.Map"));
    assert_non_null(strstr(misses, "measured (sync.Map vs RWMutexMap): allocs/op Go 2.00 vs 1.00, "
                                   "mapbench 0.50 vs 0.00; mapbench hit rate 99.9% vs 99.9%"));
    const char *range = line_of(text, "Range");
    assert_true(strstr(range, "no separation") < strstr(range, "\n"));
    const char *unique = line_of(text, "Unique");
    assert_true(strstr(unique, "missing") < strstr(unique, "\n"));
    assert_non_null(strstr(text, "5 pairs of maps Go separates, 3 agree and 1 disagree"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separation_rule),
        cmocka_unit_test_setup_teardown(test_orderings_judged, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("go_check", tests, NULL, NULL);
}
