/*
 * test_dimension.c: adding a case dimension is one row of scenarios/case_dims.c.  This binary is
 * built apart (the Makefile's test-dimension rule) with -DMAPBENCH_TEST_DIMENSION, which adds one
 * field to struct bench_case and one row, `test_dim` (a whole number 0..1000, default 7, which
 * identifies the case), and nothing else: the test sees the dimension in scenario files and
 * --set, in a new results database and its views, in a version-1 file migrated on open (old cases
 * get the default), in the case key and in the description.  Paths are relative to the source
 * tree, where the suite runs.
 */
#ifndef MAPBENCH_TEST_DIMENSION
#error "built by the Makefile's test-dimension rule, with -DMAPBENCH_TEST_DIMENSION"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenarios/case_dims.h"
#include "scenarios/scenario.h"
#include "store/store.h"

struct fixture {
    char dir[64], ini[128], db[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mapbench-dimension-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->ini, sizeof f->ini, "%s/t.ini", f->dir);
    snprintf(f->db, sizeof f->db, "%s/results.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

static const struct scenario_machine machine = {
    .pus = 2, .cores = 2, .packages = 1, .numa_nodes = 1, .cache_levels = 1,
    .cache_bytes = {32 << 10}, .table_bytes_per_key = 16};

static struct scenario *load(const struct fixture *f, const char *text, char *err)
{
    FILE *out = fopen(f->ini, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
    return scenario_load(f->ini, err);
}

static int64_t sql_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_parsed_from_scenarios(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "";
    struct bench_case *cases;
    size_t count;
    struct scenario *s = load(f, "[scenario]\nbackends = mutex\ntest_dim = 3, 5\n", err);
    assert_non_null(s);
    assert_true(scenario_expand(s, &machine, &cases, &count, err));
    assert_int_equal(count, 2);
    assert_int_equal(cases[0].test_dim, 3);
    assert_int_equal(cases[1].test_dim, 5);
    free(cases);
    assert_true(scenario_set(s, "test_dim=9", err));
    assert_true(scenario_expand(s, &machine, &cases, &count, err));
    assert_int_equal(count, 1);
    assert_int_equal(cases[0].test_dim, 9);
    free(cases);
    scenario_free(s);

    s = load(f, "[scenario]\nbackends = mutex\n", err);
    assert_true(scenario_expand(s, &machine, &cases, &count, err));
    assert_int_equal(cases[0].test_dim, 7); /* the row's default */
    free(cases);
    scenario_free(s);
    struct bench_case c;
    case_init(&c, "t", "mutex");
    assert_int_equal(c.test_dim, 7);

    assert_null(load(f, "[scenario]\ntest_dim = 2000\n", err));
    char want[ERR_LEN];
    snprintf(want, sizeof want, "%s:2: key 'test_dim': '2000' is not a whole number 0..1000", f->ini);
    assert_string_equal(err, want);
}

static void write_case(struct store *s, int test_dim)
{
    char err[ERR_LEN] = "";
    struct store_machine m = {.fingerprint = "f00d", .hostname = "oldhost"};
    struct store_run r = {.label = "with test_dim"};
    int64_t run_id, case_id;
    struct bench_case c;
    struct result_sample *x = calloc(1, sizeof *x);
    case_init(&c, "t", "mutex");
    c.test_dim = test_dim;
    x->valid = true;
    x->workers = 1;
    if (!store_machine_upsert(s, &m, &r.machine_id, err) || !store_run_begin(s, &r, &run_id, err) ||
        !store_case_begin(s, run_id, &c, "0", false, &case_id, err) ||
        !store_sample_insert(s, case_id, x, err) || !store_case_end(s, case_id, "ok", NULL, err))
        fail_msg("%s", err);
    free(x);
}

static bool take_test_dim(const struct store_row *row, void *ctx)
{
    int *seen = ctx;
    seen[seen[0] + 1] = row->c.test_dim;
    seen[0]++;
    return true;
}

static void test_stored_and_read_back(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "";
    struct store *s = store_open(f->db, err);
    assert_non_null(s);
    write_case(s, 3);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "SELECT test_dim FROM cases"), 3);
    assert_int_equal(sql_int(db, "SELECT test_dim FROM case_results"), 3);
    assert_int_equal(sql_int(db, "SELECT test_dim FROM case_summary"), 3);
    int seen[8] = {0};
    assert_true(store_run_samples(s, sql_int(db, "SELECT max(id) FROM runs"), take_test_dim, seen, err));
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 3);
    store_close(s);
}

/* A version-1 file (tests/fixtures/store_v1.sql) knows nothing of test_dim: opening it adds the
 * column with the default, so its cases read back as measured at 7, and regenerates the views. */
static void test_older_file_migrated(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "", *script = NULL;
    size_t len = 0;
    FILE *in = fopen("tests/fixtures/store_v1.sql", "r"), *out = open_memstream(&script, &len);
    assert_non_null(in);
    for (int ch; (ch = fgetc(in)) != EOF;)
        fputc(ch, out);
    fclose(in);
    fclose(out);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, script, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    free(script);

    struct store *s = store_open(f->db, err);
    if (!s)
        fail_msg("%s", err);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE test_dim = 7"), 2);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM case_results WHERE test_dim = 7"), 2);
    int seen[8] = {0};
    assert_true(store_run_samples(s, 1, take_test_dim, seen, err));
    assert_int_equal(seen[0], 3); /* two samples of one case, the skipped case */
    assert_int_equal(seen[1], 7);
    assert_int_equal(seen[3], 7);
    write_case(s, 4);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE test_dim = 4"), 1);
    store_close(s);
}

static void test_keyed_and_described(void **state)
{
    (void)state;
    struct bench_case a, b;
    char ka[CASE_KEY_LEN], kb[CASE_KEY_LEN], text[CASE_DESCRIBE_LEN];
    case_init(&a, "t", "mutex");
    b = a;
    case_key(&a, 0, ka, sizeof ka);
    case_key(&b, 0, kb, sizeof kb);
    assert_string_equal(ka, kb);
    b.test_dim = 3;
    case_key(&b, 0, kb, sizeof kb);
    assert_string_not_equal(ka, kb);
    case_key(&b, case_dim_bit("test_dim"), kb, sizeof kb);
    case_key(&a, case_dim_bit("test_dim"), ka, sizeof ka);
    assert_string_equal(ka, kb);

    case_describe(&a, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    assert_null(strstr(text, "test_dim"));
    case_describe(&b, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    assert_string_equal(text, "t mutex threads=1 compact read=90% update keys=1000 uniform test_dim=3");
    case_describe(&b, CASE_DESCRIBE_BENCHMARK, 0, text, sizeof text);
    assert_string_equal(text, "t/mutex/threads:1/compact/read:90/update/keys:1000/uniform");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parsed_from_scenarios, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_and_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_file_migrated, setup, teardown),
        cmocka_unit_test(test_keyed_and_described),
    };
    return cmocka_run_group_tests_name("test dimension", tests, NULL, NULL);
}
