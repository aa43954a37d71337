/*
 * test_import.c: Go's benchmark output read (cli/go_bench.c) and stored as a run of its own
 * (`mapbench import go-bench`).  The fixture tests/fixtures/go-bench-sync.txt is real output of
 * `go test sync -run NONE -bench 'LoadMostlyHits|LoadOrStoreBalanced' -benchtime 20000x
 * -cpu 1,2 -count 3 -benchmem` (Go 1.19; DeepCopyMap skips LoadOrStoreBalanced).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbfixture.h"
#include "support.h"

#include "cli/go_bench.h"
#include "store/store.h"

#define FIXTURE "tests/fixtures/go-bench-sync.txt"

static void read_fixture(struct go_bench *g)
{
    char err[ERR_LEN] = "";
    FILE *f = fopen(FIXTURE, "r");
    assert_non_null(f);
    if (!go_bench_read(f, FIXTURE, g, err))
        fail_msg("%s", err);
    fclose(f);
}

static const struct go_bench_series *find_series(const struct go_bench *g, const char *bench,
                                                 const char *map, int procs)
{
    for (size_t i = 0; i < g->count; i++)
        if (strcmp(g->series[i].benchmark, bench) == 0 && strcmp(g->series[i].map, map) == 0 &&
            g->series[i].procs == procs)
            return &g->series[i];
    fail_msg("no series %s/%s-%d", bench, map, procs);
    return NULL;
}

/* Every result line, grouped by benchmark, map and -cpu value, with its figures. */
static void test_reads_go_output(void **state)
{
    (void)state;
    struct go_bench g;
    read_fixture(&g);
    assert_string_equal(g.goos, "linux");
    assert_string_equal(g.goarch, "amd64");
    assert_string_equal(g.pkg, "sync");
    assert_string_equal(g.cpu, "Oxide Virtual Turin-like Processor"); /* trailing blanks gone */
    assert_int_equal(g.count, 10); /* 3 maps x 2 cpus for one benchmark, 2 x 2 for the other */
    const struct go_bench_series *s = &g.series[0];
    assert_string_equal(s->benchmark, "LoadMostlyHits");
    assert_string_equal(s->map, "DeepCopyMap");
    assert_int_equal(s->procs, 1);
    assert_int_equal(s->count, 3);
    assert_int_equal(s->samples[0].iterations, 20000);
    assert_true(s->samples[0].ns_per_op == 50.17);
    assert_true(s->samples[2].ns_per_op == 1134);
    assert_true(s->samples[0].allocs_per_op == 0 && s->samples[0].bytes_per_op == 5);
    s = find_series(&g, "LoadMostlyHits", "sync.Map", 2);
    assert_int_equal(s->count, 3);
    assert_true(s->samples[2].ns_per_op == 48.49);
    s = find_series(&g, "LoadOrStoreBalanced", "RWMutexMap", 2);
    assert_true(s->samples[1].ns_per_op == 230.5 && s->samples[1].allocs_per_op == 1);
    go_bench_free(&g);

    /* without -benchmem: no allocs/op, NaN; a name alone (before log lines) and logs ignored */
    const char *text = "BenchmarkRange/*sync.Map\n    map_bench_test.go:1: a log line\n"
                       "BenchmarkRange/*sync.Map   100\t  12.5 ns/op\t 3.0 MB/s\n";
    char err[ERR_LEN] = "";
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_true(go_bench_read(f, "t", &g, err));
    fclose(f);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.series[0].procs, 1);
    assert_true(g.series[0].samples[0].ns_per_op == 12.5);
    assert_true(isnan(g.series[0].samples[0].allocs_per_op));
    go_bench_free(&g);
}

/* Bad input is one line naming the file, the line and the problem. */
static void test_bad_input_is_one_line(void **state)
{
    (void)state;
    static const struct {
        const char *text, *needle;
    } cases[] = {
        {"BenchmarkX/*sync.Map-2 100 12 ms/op\n", "t:1: no positive ns/op"},
        {"goos: linux\nBenchmarkX/*sync.Map-2 100 twelve ns/op\n", "t:2: 'twelve ns/op'"},
        {"BenchmarkX/*sync.Map-2 100 12\n", "t:1: '12' has no unit"},
        {"BenchmarkX/*sync.Map-2 0 12 ns/op\n", "t:1: '0' is not an iteration count"},
        {"BenchmarkX/*sync.Map-2 -5 12 ns/op\n", "t:1: '-5' is not an iteration count"},
        {"BenchmarkMutex-2 100 12 ns/op\n", "t:1: 'BenchmarkMutex-2' names no sub-benchmark"},
        {"BenchmarkX/*sync.Map-0 100 12 ns/op\n", "GOMAXPROCS 0 is not 1..65536"},
        {"--- FAIL: BenchmarkX/*sync.Map\n", "t:1: Go reports a failed benchmark"},
        {"goos: linux\nPASS\n", "t:2: no benchmark result lines"},
        {"", "t:0: no benchmark result lines"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct go_bench g;
        char err[ERR_LEN] = "";
        size_t len = strlen(cases[i].text); /* fmemopen refuses a zero-length buffer */
        FILE *f = len ? fmemopen((void *)cases[i].text, len, "r") : fopen("/dev/null", "r");
        assert_non_null(f);
        assert_false(go_bench_read(f, "t", &g, err));
        fclose(f);
        if (!strstr(err, cases[i].needle) || strchr(err, '\n'))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
        assert_int_equal(g.count, 0);
    }
}

struct import_dir {
    char dir[64], db[128], mapbench[512];
};

static int import_setup(void **state)
{
    struct import_dir *d = calloc(1, sizeof *d);
    char bin[400];
    support_dir_make(d->dir, sizeof d->dir, "import");
    snprintf(d->db, sizeof d->db, "%s/results.db", d->dir);
    support_binary_dir(bin, sizeof bin);
    snprintf(d->mapbench, sizeof d->mapbench, "%s/../mapbench", bin);
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
    *state = d;
    return 0;
}

static int import_teardown(void **state)
{
    struct import_dir *d = *state;
    support_dir_remove(d->dir);
    free(d);
    return 0;
}

static int import_exec(struct import_dir *d, const char *file, struct support_child *child)
{
    char *argv[] = {d->mapbench, "import", "go-bench", (char *)file, "--db", d->db,
                    "--label", "go 1.19", NULL};
    support_child_exec(argv, child);
    return WIFEXITED(child->wait_status) ? WEXITSTATUS(child->wait_status) : -1;
}

struct import_seen {
    size_t cases, samples;
    bool hits_case_seen;
};

/* Checks each stored (case, sample) against the fixture's figures. */
static bool import_check_row(const struct store_row *row, void *ctx)
{
    struct import_seen *seen = ctx;
    const struct bench_case *c = &row->c;
    const struct result_sample *s = &row->sample;
    assert_int_equal(c->role, MAP_ROLE_EXTERNAL);
    assert_string_equal(row->case_status, "ok");
    assert_true(strncmp(c->backend, "go:", 3) == 0);
    assert_string_equal(c->backend, c->backend_name);
    assert_true(row->has_sample);
    seen->samples++;
    seen->cases += s->repetition == 0;
    assert_int_equal(s->workers, c->threads);
    assert_int_equal(s->total_ops, 20000);
    assert_true(fabs(s->ops_per_s * s->ns_per_op / c->threads - 1e9) < 1e-3);
    assert_true(fabs(s->window_s - (double)s->total_ops / s->ops_per_s) < 1e-12);
    if (strcmp(c->scenario, "go-sync/LoadMostlyHits") == 0 &&
        strcmp(c->backend, "go:sync.Map") == 0 && c->threads == 2 && s->repetition == 2) {
        seen->hits_case_seen = true;
        assert_true(fabs(s->ns_per_op - 2 * 48.49) < 1e-9); /* mapbench's per-thread cost */
        assert_int_equal(c->keys, 1023);                     /* from the preset's section */
        assert_true(c->read_pct == 100);
        assert_int_equal(c->repetitions, 3);
        assert_true(c->duration_s == 0 && c->ops == 0); /* Go picks b.N: no mapbench window */
        assert_string_equal(c->placement, "none");
    }
    return true;
}

/* The fixture becomes one run: a case per series, a sample per line, not-measured figures NULL. */
static void test_import_stores_a_run(void **state)
{
    struct import_dir *d = *state;
    struct support_child child;
    if (import_exec(d, FIXTURE, &child) != 0)
        fail_msg("import failed: %s", child.err);
    assert_non_null(strstr(child.err, "10 cases, 30 samples"));
    char err[ERR_LEN];
    struct store *st = store_open_existing(d->db, err);
    assert_non_null(st);
    int64_t run_id;
    assert_true(store_latest_run_id(st, &run_id, err));
    struct import_seen seen = {0};
    assert_true(store_run_samples(st, run_id, import_check_row, &seen, err));
    assert_int_equal(seen.cases, 10);
    assert_int_equal(seen.samples, 30);
    assert_true(seen.hits_case_seen);
    assert_int_equal(dbfixture_int(store_db(st), "SELECT count(*) FROM runs WHERE label = 'go 1.19' AND "
                                      "status = 'done' AND scenarios = 'go-sync' AND "
                                      "compiler = 'go (linux/amd64, pkg sync)'"),
                     1);
    /* not measured: NULL, never zero; allocs/op from -benchmem kept */
    assert_int_equal(dbfixture_int(store_db(st), "SELECT count(*) FROM samples WHERE gets IS NULL AND "
                                      "bytes_per_key IS NULL AND get_p99_ns IS NULL AND "
                                      "get_samples IS NULL AND cycles IS NULL AND "
                                      "worker_ops = '[]' AND allocs_per_op IS NOT NULL"),
                     30);
    assert_int_equal(dbfixture_int(store_db(st), "SELECT count(*) FROM case_results WHERE backend = "
                                      "'go:RWMutexMap' AND scenario = "
                                      "'go-sync/LoadOrStoreBalanced' AND allocs_per_op = 1"),
                     6);
    store_close(st);

    /* without -benchmem Go prints no allocs/op: NULL, not 0 */
    char plain[160];
    support_write_file(d->dir, "plain.txt", "BenchmarkRange/*sync.Map-2   1000   812.5 ns/op\n",
                       plain, sizeof plain);
    assert_int_equal(import_exec(d, plain, &child), 0);
    st = store_open_existing(d->db, err);
    assert_non_null(st);
    assert_int_equal(dbfixture_int(store_db(st), "SELECT count(*) FROM case_results WHERE run_id = "
                                      "(SELECT max(id) FROM runs) AND allocs_per_op IS NULL AND "
                                      "ops_per_s > 1230769 AND ops_per_s < 1230770 AND "
                                      "range_pct = 100"),
                     1);
    store_close(st);
}

/* A bad file is one line and exit status 2, before any database is created. */
static void test_import_refuses_bad_input(void **state)
{
    struct import_dir *d = *state;
    struct support_child child;
    char bad[160];
    support_write_file(d->dir, "bad.txt",
                       "goos: linux\nBenchmarkLoadMostlyHits/*sync.Map-2 100 fast ns/op\n", bad,
                       sizeof bad);
    assert_int_equal(import_exec(d, bad, &child), 2);
    assert_non_null(strstr(child.err, "bad.txt:2: 'fast ns/op'"));
    assert_int_equal(strchr(child.err, '\n') - child.err + 1, (long)strlen(child.err));
    assert_int_equal(access(d->db, F_OK), -1);
    char *argv[] = {d->mapbench, "import", "csv", bad, NULL};
    support_child_exec(argv, &child);
    assert_true(WIFEXITED(child.wait_status) && WEXITSTATUS(child.wait_status) == 2);
    assert_non_null(strstr(child.err, "the only format is go-bench"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_go_output),
        cmocka_unit_test(test_bad_input_is_one_line),
        cmocka_unit_test_setup_teardown(test_import_stores_a_run, import_setup, import_teardown),
        cmocka_unit_test_setup_teardown(test_import_refuses_bad_input, import_setup,
                                        import_teardown),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
