/*
 * test_store.c: the results database (store/store.c).  Each test works in its own temporary
 * directory.  Covered: the schema a new file gets (and that store/store_schema.sql documents it),
 * a round trip of machine, run, case, samples and histograms through the read API, buffered cases
 * (abandon, misuse), migration of a version-1 file built from tests/fixtures/store_v1.sql, the
 * one-line errors of store_open, two processes writing one file at once, and a writer killed with
 * SIGKILL mid-run.  Paths of fixtures are relative to the source tree, where the suite runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

/* ---- helpers ---------------------------------------------------------------------------- */

struct fixture {
    char dir[64];
    char db[128];
};

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/mapbench-store-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->db, sizeof f->db, "%s/results.db", f->dir);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f);
    return rc == 0 ? 0 : -1;
}

static bool quick(void)
{
    const char *q = getenv("MAPBENCH_TEST_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

static void example_case(struct bench_case *c, const char *backend)
{
    memset(c, 0, sizeof *c);
    snprintf(c->scenario, sizeof c->scenario, "quick");
    snprintf(c->backend, sizeof c->backend, "%s", backend);
    snprintf(c->backend_name, sizeof c->backend_name, "%.*s", (int)strcspn(backend, ":"), backend);
    c->threads = 2;
    snprintf(c->placement, sizeof c->placement, "scatter");
    c->memory = CASE_MEMORY_BIND;
    c->memory_node = 1;
    c->read_pct = 95;
    c->write_kind = CASE_WRITE_INSERT_DELETE;
    c->hit_pct = 80;
    c->range_pct = 1;
    c->delete_pct = 0;
    c->keys = 4096;
    c->key_range = 8192;
    c->distribution = CASE_DIST_ZIPF;
    c->zipf_theta = 0.99;
    c->duration_s = 0.25;
    c->repetitions = 2;
    c->warmup_s = 0.05;
    c->seed = UINT64_MAX - 6; /* above INT64_MAX: must survive the signed column */
    c->latency_every = 64;
}

static void example_sample(struct result_sample *r, int repetition)
{
    memset(r, 0, sizeof *r);
    r->repetition = repetition;
    r->window_s = 0.25;
    r->workers = 2;
    r->worker_ops[0] = 600000 + (uint64_t)repetition;
    r->worker_ops[1] = 400000;
    r->total_ops = r->worker_ops[0] + r->worker_ops[1];
    r->ops_per_s = (double)r->total_ops / r->window_s;
    r->ns_per_op = r->window_s * 2 * 1e9 / (double)r->total_ops;
    snprintf(r->worker_binding, sizeof r->worker_binding, "0,1");
    r->gets = 950000;
    r->get_hits = 760000;
    r->writes_attempted = 50000;
    r->writes_effective = 49000;
    r->ranges = 10;
    r->latency[RESULT_OP_GET] = (struct result_latency){ 15000, 80, 120, 400, 900, 5000 };
    r->bytes_per_key = 24.5;
    r->allocs_per_op = 0.01;
    r->peak_rss_bytes = 10 << 20;
    r->cycles = (struct result_counter){ true, 123456789 };
    r->valid = repetition == 0;
    if (!r->valid)
        snprintf(r->invalid_reason, sizeof r->invalid_reason, "size 4095 after window, expected 4096");
}

static struct store *open_ok(const char *path)
{
    char err[ERR_LEN] = "";
    struct store *s = store_open(path, err);
    if (!s)
        fail_msg("store_open: %s", err);
    return s;
}

/* Column 0 of the first row; sql's ?1, if any, is bound to param. */
static int64_t sql_int_with(sqlite3 *db, const char *sql, int64_t param)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0)
        assert_int_equal(sqlite3_bind_int64(st, 1, param), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t sql_int(sqlite3 *db, const char *sql)
{
    return sql_int_with(db, sql, 0);
}

static char *sql_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *copy = strdup(t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    return copy;
}

/* Every row of sql as "a|b|c\n" lines, malloc'd. */
static char *sql_dump(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            fprintf(f, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    sqlite3_finalize(st);
    fclose(f);
    return out;
}

/* Tables, views, their columns (name, type, not null, default, key) and every index's columns. */
static char *schema_digest(sqlite3 *db)
{
    char *columns = sql_dump(db,
                             "SELECT m.type, m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk"
                             " FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                             " WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid");
    char *indexes = sql_dump(db,
                             "SELECT m.name, il.name, il.\"unique\", ii.seqno, ii.name FROM sqlite_master m"
                             " JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii"
                             " WHERE m.type = 'table' ORDER BY m.name, il.name, ii.seqno");
    char *digest;
    assert_true(asprintf(&digest, "%s--\n%s", columns, indexes) > 0);
    free(columns);
    free(indexes);
    return digest;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s (run the suite from the source tree): %s", path, strerror(errno));
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, out);
    fclose(f);
    fclose(out);
    return text;
}

/* Builds a database file (or :memory: when path is NULL) from an SQL script. */
static sqlite3 *db_from_sql(const char *path, const char *script_path)
{
    sqlite3 *db;
    char *script = read_file(script_path);
    assert_int_equal(sqlite3_open(path ? path : ":memory:", &db), SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, script, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s: %s", script_path, message);
    free(script);
    return db;
}

static int64_t begin_run(struct store *s, const char *label)
{
    char err[ERR_LEN] = "";
    struct store_machine m = { .fingerprint = "cafe", .hostname = "testhost", .cpu_model = "Test CPU",
                               .kernel = "6.1.0", .packages = 1, .numa_nodes = 1, .cores = 2, .pus = 2,
                               .cache_bytes = { 32768, 1 << 20, 8 << 20 }, .cache_levels = 3,
                               .topology_xml = "<topology/>" };
    struct store_run r = { .command_line = "mapbench run quick", .git_commit = "0123456789abcdef",
                           .label = label, .compiler = "gcc 12.2", .cflags = "-O2",
                           .transparent_hugepages = "madvise", .cpu_governor = NULL, .scenarios = "quick" };
    int64_t run_id;
    if (!store_machine_upsert(s, &m, &r.machine_id, err) || !store_run_begin(s, &r, &run_id, err))
        fail_msg("%s", err);
    return run_id;
}

/* One finished case with `samples` repetitions; returns its id, or 0 with err set. */
static int64_t write_case(struct store *s, int64_t run_id, int samples, char *err)
{
    struct bench_case c;
    struct result_sample r;
    int64_t case_id;
    example_case(&c, "striped:shards=64");
    if (!store_case_begin(s, run_id, &c, "0,1", false, &case_id, err))
        return 0;
    for (int i = 0; i < samples; i++) {
        example_sample(&r, i);
        if (!store_sample_insert(s, case_id, &r, err))
            return 0;
    }
    return store_case_end(s, case_id, "ok", NULL, err) ? case_id : 0;
}

/* ---- schema ----------------------------------------------------------------------------- */

static void test_new_file_gets_current_schema(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    char *mode = sql_text(db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(sql_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('machines', 'runs',"
                                 " 'cases', 'samples', 'histograms', 'case_results', 'case_summary',"
                                 " 'runs_by_machine', 'cases_by_run')"),
                     9);
    /* The documented schema is the one the code creates. */
    sqlite3 *doc = db_from_sql(NULL, "store/store_schema.sql");
    char *created = schema_digest(db), *documented = schema_digest(doc);
    assert_string_equal(created, documented);
    free(created);
    free(documented);
    sqlite3_close(doc);
    store_close(s);
}

static void test_foreign_keys_are_enforced(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    char err[ERR_LEN] = "";
    struct store_run r = { .machine_id = 999 };
    int64_t run_id;
    assert_false(store_run_begin(s, &r, &run_id, err));
    assert_non_null(strstr(err, "FOREIGN KEY constraint failed"));
    store_close(s);
}

/* ---- writing and reading ---------------------------------------------------------------- */

struct collected {
    int rows, with_sample;
    int64_t case_ids[8];
    struct store_row first, skipped;
};

static bool collect_row(const struct store_row *row, void *ctx)
{
    struct collected *c = ctx;
    if (c->rows < 8)
        c->case_ids[c->rows] = row->case_id;
    if (c->rows == 0)
        c->first = *row;
    if (!row->has_sample)
        c->skipped = *row;
    c->rows++;
    c->with_sample += row->has_sample;
    return true;
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = begin_run(s, "round trip"), again, case_id;

    /* The same fingerprint is the same machine. */
    struct store_machine m = { .fingerprint = "cafe", .hostname = "renamed" };
    assert_true(store_machine_upsert(s, &m, &again, err));
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM machines"), 1);

    struct bench_case c;
    struct result_sample r;
    example_case(&c, "striped:shards=64");
    assert_true(store_case_begin(s, run_id, &c, "0,1", true, &case_id, err));
    for (int i = 0; i < 2; i++) {
        example_sample(&r, i);
        r.round = i + 1;
        r.round_position = 2 - i;
        assert_true(store_sample_insert(s, case_id, &r, err));
    }
    uint64_t counts[] = { 0, 5, 100, UINT64_MAX / 3, 7 };
    assert_true(store_histogram_insert(s, case_id, 0, RESULT_OP_GET, "loglinear:sub=16", counts, 5, err));
    assert_true(store_case_end(s, case_id, "invalid", "size drifted", err));

    struct bench_case skipped;
    example_case(&skipped, "plain");
    skipped.distribution = CASE_DIST_HOT;
    skipped.hot_keys = 3;
    skipped.memory = CASE_MEMORY_FIRST_TOUCH;
    skipped.role = MAP_ROLE_CEILING; /* derived from the spec, stored, read back */
    skipped.skipped = true;
    snprintf(skipped.skip_reason, sizeof skipped.skip_reason, "plain cannot run writers on 2 threads");
    assert_true(store_case_skipped(s, run_id, &skipped, err));
    assert_true(store_run_finish(s, run_id, "done", err));

    struct collected got = { 0 };
    assert_true(store_run_samples(s, run_id, collect_row, &got, err));
    assert_int_equal(got.rows, 3);
    assert_int_equal(got.with_sample, 2);
    const struct store_row *row = &got.first;
    assert_int_equal(row->case_id, case_id);
    assert_string_equal(row->case_status, "invalid");
    assert_string_equal(row->case_reason, "size drifted");
    assert_string_equal(row->plan, "0,1");
    assert_true(row->oversubscribed);
    assert_string_equal(row->c.backend, "striped:shards=64");
    assert_string_equal(row->c.backend_name, "striped");
    assert_int_equal(row->c.memory, CASE_MEMORY_BIND);
    assert_int_equal(row->c.memory_node, 1);
    assert_int_equal(row->c.write_kind, CASE_WRITE_INSERT_DELETE);
    assert_int_equal(row->c.distribution, CASE_DIST_ZIPF);
    assert_true(row->c.zipf_theta == 0.99);
    assert_true(row->c.seed == UINT64_MAX - 6);
    assert_int_equal(row->c.keys, 4096);
    assert_int_equal(row->sample.repetition, 0);
    assert_int_equal(row->sample.workers, 2);
    assert_int_equal(row->sample.worker_ops[0], 600000);
    assert_int_equal(row->sample.worker_ops[1], 400000);
    assert_int_equal(row->sample.total_ops, 1000000);
    assert_int_equal(row->sample.latency[RESULT_OP_GET].samples, 15000);
    assert_true(row->sample.latency[RESULT_OP_GET].p999_ns == 900);
    assert_int_equal(row->sample.latency[RESULT_OP_PUT].samples, 0);
    assert_true(row->sample.cycles.present);
    assert_int_equal(row->sample.cycles.value, 123456789);
    assert_false(row->sample.instructions.present);
    assert_true(row->sample.valid);
    assert_int_equal(row->sample.round, 1);
    assert_int_equal(row->sample.round_position, 2);

    assert_int_equal(got.skipped.c.distribution, CASE_DIST_HOT);
    assert_int_equal(got.skipped.c.hot_keys, 3);
    assert_int_equal(got.skipped.c.role, MAP_ROLE_CEILING);
    assert_int_equal(row->c.role, MAP_ROLE_CONTENDER);
    assert_true(got.skipped.c.skipped);
    assert_string_equal(got.skipped.c.skip_reason, "plain cannot run writers on 2 threads");

    /* What SQL sees: absent values NULL, JSON readable, views joined. */
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM samples WHERE put_p50_ns IS NULL AND instructions IS NULL"
                                 " AND get_p50_ns = 80"),
                     2);
    assert_int_equal(sql_int(db, "SELECT sum(value) FROM samples, json_each(samples.worker_ops)"
                                 " WHERE repetition = 0"),
                     1000000);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM case_results WHERE backend_name = 'striped'"
                                 " AND fingerprint = 'cafe' AND transparent_hugepages = 'madvise'"
                                 " AND cpu_governor IS NULL AND run_label = 'round trip'"),
                     2);
    assert_int_equal(sql_int(db, "SELECT valid_samples FROM case_summary WHERE backend = 'striped:shards=64'"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE zipf_theta IS NULL AND hot_keys = 3"
                                 " AND memory_node IS NULL AND distribution = 'hot:3'"),
                     1);
    char *reason = sql_text(db, "SELECT invalid_reason FROM samples WHERE repetition = 1");
    assert_string_equal(reason, "size 4095 after window, expected 4096");
    free(reason);
    char *status = sql_text(db, "SELECT status || ' ' || (finished_at IS NOT NULL) FROM runs");
    assert_string_equal(status, "done 1");
    free(status);

    char encoding[64];
    uint64_t *read;
    size_t n;
    assert_true(store_histogram_read(s, case_id, 0, RESULT_OP_GET, encoding, &read, &n, err));
    assert_string_equal(encoding, "loglinear:sub=16");
    assert_int_equal(n, 5);
    assert_memory_equal(read, counts, sizeof counts);
    free(read);
    assert_false(store_histogram_read(s, case_id, 0, RESULT_OP_PUT, encoding, &read, &n, err));
    assert_non_null(strstr(err, "no put histogram for case"));
    store_close(s);
}

static void test_abandoned_case_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = begin_run(s, NULL), first, second;
    struct bench_case c;
    struct result_sample r;
    example_case(&c, "mutex");
    example_sample(&r, 0);

    assert_false(store_case_abandon(s));
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &first, err));
    assert_true(store_sample_insert(s, first, &r, err));
    assert_false(store_case_begin(s, run_id, &c, NULL, false, &second, err));
    assert_non_null(strstr(err, "still open"));
    assert_true(store_case_abandon(s));
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM cases"), 0);
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM samples"), 0);

    /* Ids follow the order cases began, gaps where one was abandoned. */
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &second, err));
    assert_true(second > first);
    assert_false(store_sample_insert(s, first, &r, err));
    assert_non_null(strstr(err, "is not the open case"));
    assert_true(store_case_end(s, second, "ok", NULL, err));
    assert_false(store_case_end(s, second, "ok", NULL, err));
    assert_non_null(strstr(err, "was not begun"));
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM cases"), 1);

    /* A case that cannot be written leaves nothing behind (bad status: CHECK constraint). */
    int64_t third;
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &third, err));
    assert_true(store_sample_insert(s, third, &r, err));
    assert_false(store_case_end(s, third, "great", NULL, err));
    assert_non_null(strstr(err, "CHECK constraint failed"));
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM samples"), 0);
    assert_false(store_case_begin(s, run_id + 100, &c, NULL, false, &third, err));
    store_close(s);
}

static void test_run_finish_errors(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = begin_run(s, NULL), latest;
    assert_false(store_run_finish(s, run_id + 1, "done", err));
    assert_non_null(strstr(err, "no such row"));
    assert_false(store_run_finish(s, run_id, "finished", err));
    assert_non_null(strstr(err, "CHECK constraint failed"));
    assert_true(store_latest_run_id(s, &latest, err));
    assert_int_equal(latest, run_id);
    store_close(s);
}

static void test_list_runs_and_latest(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_ok(f->db);
    char err[ERR_LEN] = "", *text = NULL;
    size_t len = 0;
    int64_t latest;
    assert_false(store_latest_run_id(s, &latest, err));
    assert_non_null(strstr(err, "no runs yet"));

    int64_t first = begin_run(s, "first"), second = begin_run(s, "nightly <b>");
    assert_true(write_case(s, second, 2, err) > 0);
    assert_true(store_run_finish(s, second, "done", err));
    assert_true(store_latest_run_id(s, &latest, err));
    assert_int_equal(latest, second);

    FILE *out = open_memstream(&text, &len);
    assert_int_equal(store_list_runs(s, out, err), 2);
    fclose(out);
    assert_non_null(strstr(text, "status"));
    assert_non_null(strstr(text, "nightly <b>"));
    assert_non_null(strstr(text, "0123456789"));
    /* newest first: run `second` is printed before `first` */
    assert_true(strstr(text, "nightly <b>") < strstr(text, "first"));
    (void)first;
    free(text);
    store_close(s);
}

/* ---- migration -------------------------------------------------------------------------- */

static void test_migrates_version_1(void **state)
{
    struct fixture *f = *state;
    sqlite3 *old = db_from_sql(f->db, "tests/fixtures/store_v1.sql");
    assert_int_equal(sql_int(old, "PRAGMA user_version"), 1);
    sqlite3_close(old);

    struct store *s = open_ok(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM histograms"), 0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM runs WHERE cpu_governor IS NULL"
                                 " AND transparent_hugepages IS NULL AND label = 'v1 run' AND status = 'done'"),
                     1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM case_results WHERE run_label = 'v1 run'"
                                 " AND distribution = 'zipf:0.99' AND hostname = 'oldhost'"),
                     2);
    assert_int_equal(sql_int(db, "SELECT sum(total_ops) FROM samples"), 2100000);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE status = 'skipped'"), 1);
    /* Version 3 gave every older case the role its backend had. */
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE (backend_name = 'null') != (role = 'harness')"
                                 " OR (backend_name = 'plain') != (role = 'ceiling')"
                                 " OR (backend_name LIKE 'ref-%') != (role = 'reference')"), 0);

    /* Migrated and new files have the same schema. */
    char fresh_path[160];
    snprintf(fresh_path, sizeof fresh_path, "%s/fresh.db", f->dir);
    struct store *fresh = open_ok(fresh_path);
    char *migrated = schema_digest(db), *created = schema_digest(store_db(fresh));
    assert_string_equal(migrated, created);
    free(migrated);
    free(created);
    store_close(fresh);

    /* New writes go on after the old ids. */
    char err[ERR_LEN] = "";
    int64_t run_id = begin_run(s, "after migration"), case_id = write_case(s, run_id, 1, err);
    assert_true(run_id > 1);
    assert_true(case_id > 2);
    store_close(s);

    /* Reopening a current file changes nothing. */
    s = open_ok(f->db);
    assert_int_equal(sql_int(store_db(s), "SELECT count(*) FROM cases"), 3);
    store_close(s);
}

/* A column the file lacks (a dimension or figure added since it was written) is added with the
 * row's default, and a view that differs from the generated one is recreated; a current file is
 * left alone. */
static void test_adds_missing_columns_and_refreshes_views(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "";
    struct store *s = open_ok(f->db);
    int64_t run_id = begin_run(s, "before");
    assert_true(write_case(s, run_id, 2, err) > 0);
    store_close(s);

    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    char *case_results = sql_text(raw, "SELECT sql FROM sqlite_master WHERE name = 'case_results'");
    int64_t schema_version = sql_int(raw, "PRAGMA schema_version");
    sqlite3_close(raw);
    store_close(open_ok(f->db)); /* a current file: nothing to change */
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    assert_int_equal(sql_int(raw, "PRAGMA schema_version"), schema_version);
    assert_int_equal(sqlite3_exec(raw, "DROP VIEW case_results; DROP VIEW case_summary;"
                                       " ALTER TABLE cases DROP COLUMN latency_every;"
                                       " ALTER TABLE cases DROP COLUMN memory_node;"
                                       " ALTER TABLE samples DROP COLUMN cache_misses;"
                                       " CREATE VIEW case_summary AS SELECT 1 AS stale",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);

    s = open_ok(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM pragma_table_info('cases') WHERE name = 'latency_every'"
                                 " AND type = 'INTEGER' AND \"notnull\" AND dflt_value = '64'"),
                     1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases WHERE latency_every = 64 AND memory_node IS NULL"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM samples WHERE cache_misses IS NULL"), 2);
    char *now = sql_text(db, "SELECT sql FROM sqlite_master WHERE name = 'case_results'");
    assert_string_equal(now, case_results);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM case_summary WHERE latency_every = 64"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM case_results WHERE latency_every = 64"), 2);
    struct collected got = { 0 };
    assert_true(store_run_samples(s, run_id, collect_row, &got, err));
    assert_int_equal(got.first.c.latency_every, 64);
    assert_int_equal(got.first.c.memory, CASE_MEMORY_BIND);
    assert_int_equal(got.first.c.memory_node, 0); /* the column's default: NULL */
    free(now);
    free(case_results);
    store_close(s);
}

/* ---- store_open errors ------------------------------------------------------------------ */

static void expect_open_error(const char *path, int timeout_ms, const char *expected)
{
    char err[ERR_LEN] = "";
    struct store *s = store_open_with_timeout(path, timeout_ms, err);
    assert_null(s);
    assert_string_equal(err, expected);
}

static void test_open_errors(void **state)
{
    struct fixture *f = *state;
    char path[160], expected[ERR_LEN + 64];

    snprintf(path, sizeof path, "%s/no-such-dir/results.db", f->dir);
    snprintf(expected, sizeof expected, "cannot write results database %s: No such file or directory", path);
    expect_open_error(path, 100, expected);

    snprintf(path, sizeof path, "%s/notes.txt", f->dir);
    FILE *text = fopen(path, "w");
    for (int i = 0; i < 64; i++)
        fprintf(text, "these are notes, not a database\n");
    fclose(text);
    snprintf(expected, sizeof expected, "results database %s is not an SQLite database", path);
    expect_open_error(path, 100, expected);

    snprintf(path, sizeof path, "%s/other.db", f->dir);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "CREATE TABLE contacts (name TEXT)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    snprintf(expected, sizeof expected, "results database %s is an SQLite database of another program (no mapbench schema)",
             path);
    expect_open_error(path, 100, expected);
    assert_int_equal(access(path, F_OK), 0);

    store_close(open_ok(f->db));
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
    assert_int_equal(sqlite3_exec(raw, pragma, NULL, NULL, NULL), SQLITE_OK);
    snprintf(expected, sizeof expected,
             "results database %s has schema version %d; this mapbench knows up to %d: use a newer mapbench",
             f->db, STORE_SCHEMA_VERSION + 1, STORE_SCHEMA_VERSION);
    expect_open_error(f->db, 100, expected);

    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
    assert_int_equal(sqlite3_exec(raw, pragma, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "BEGIN EXCLUSIVE; INSERT INTO machines (fingerprint, hostname)"
                                       " VALUES ('x', 'y')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    snprintf(expected, sizeof expected, "results database %s is locked by another process (gave up after 100 ms)",
             f->db);
    expect_open_error(f->db, 100, expected);
    assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    store_close(open_ok(f->db));
}

/* ---- several processes ------------------------------------------------------------------ */

/* A child's work: open, write `cases` cases of three samples, finish.  Exit status 0 on success;
 * on failure the error goes to stderr. */
static void child_write_run(const char *path, int start_fd, int cases)
{
    char err[ERR_LEN] = "", go;
    if (read(start_fd, &go, 1) < 0) /* returns 0 when the parent closes: all start together */
        _exit(3);
    struct store *s = store_open(path, err);
    if (!s) {
        fprintf(stderr, "child %d: %s\n", getpid(), err);
        _exit(1);
    }
    struct store_machine m = { .fingerprint = "shared", .hostname = "h" };
    struct store_run r = { 0 };
    int64_t run_id;
    bool ok = store_machine_upsert(s, &m, &r.machine_id, err) && store_run_begin(s, &r, &run_id, err);
    for (int i = 0; ok && i < cases; i++)
        ok = write_case(s, run_id, 3, err) > 0;
    ok = ok && store_run_finish(s, run_id, "done", err);
    if (!ok)
        fprintf(stderr, "child %d: %s\n", getpid(), err);
    store_close(s);
    _exit(ok ? 0 : 2);
}

static void test_two_writers_at_once(void **state)
{
    struct fixture *f = *state;
    int cases = quick() ? 10 : 40, start[2];
    pid_t children[2];
    assert_int_equal(pipe(start), 0);
    for (int i = 0; i < 2; i++) {
        children[i] = fork();
        assert_true(children[i] >= 0);
        if (children[i] == 0) {
            close(start[1]);
            child_write_run(f->db, start[0], cases);
        }
    }
    close(start[0]);
    close(start[1]);
    for (int i = 0; i < 2; i++) {
        int status;
        assert_int_equal(waitpid(children[i], &status, 0), children[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    struct store *s = open_ok(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 2);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM machines"), 1);
    assert_int_equal(sql_int(db, "SELECT count(DISTINCT id) FROM cases"), 2 * cases);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM samples"), 2 * cases * 3);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM (SELECT run_id FROM cases GROUP BY run_id HAVING count(*) = "
                                 "(SELECT count(*) FROM cases) / 2)"),
                     2);
    store_close(s);
}

/* Writes cases forever, reporting each committed id on report_fd. */
static void child_write_until_killed(const char *path, int report_fd)
{
    char err[ERR_LEN] = "";
    struct store *s = store_open(path, err);
    if (!s)
        _exit(1);
    struct store_machine m = { .fingerprint = "killed", .hostname = "h" };
    struct store_run r = { 0 };
    int64_t run_id, case_id;
    if (!store_machine_upsert(s, &m, &r.machine_id, err) || !store_run_begin(s, &r, &run_id, err))
        _exit(2);
    for (int i = 0; i < 100000; i++) {
        if (!(case_id = write_case(s, run_id, 2, err)))
            _exit(3);
        if (write(report_fd, &case_id, sizeof case_id) != sizeof case_id)
            _exit(4);
    }
    _exit(5);
}

static void test_sigkill_keeps_finished_cases(void **state)
{
    struct fixture *f = *state;
    int report[2], wanted = quick() ? 3 : 8, status;
    assert_int_equal(pipe(report), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(report[0]);
        child_write_until_killed(f->db, report[1]);
    }
    close(report[1]);
    int64_t ids[256];
    int committed = 0;
    while (committed < wanted && read(report[0], &ids[committed], sizeof ids[0]) == sizeof ids[0])
        committed++;
    assert_int_equal(committed, wanted);
    assert_int_equal(kill(child, SIGKILL), 0);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    while (committed < 256 && read(report[0], &ids[committed], sizeof ids[0]) == sizeof ids[0])
        committed++; /* reported between our read and the kill */
    close(report[0]);

    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    char *check = sql_text(raw, "PRAGMA integrity_check");
    assert_string_equal(check, "ok");
    free(check);
    assert_int_equal(sql_int(raw, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
    sqlite3_close(raw);

    struct store *s = open_ok(f->db);
    sqlite3 *db = store_db(s);
    for (int i = 0; i < committed; i++)
        assert_int_equal(sql_int_with(db, "SELECT count(*) FROM samples WHERE case_id = ?1", ids[i]), 2);
    /* Nothing half-written: the case being measured at the kill is absent, not partial. */
    assert_true(sql_int(db, "SELECT count(*) FROM cases") >= committed);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM samples s"
                                 " WHERE s.case_id = c.id) <> 2"),
                     0);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM runs WHERE status = 'aborted' AND finished_at IS NOT NULL"), 1);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_file_gets_current_schema, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys_are_enforced, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_abandoned_case_writes_nothing, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_run_finish_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_list_runs_and_latest, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_version_1, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_adds_missing_columns_and_refreshes_views, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_writers_at_once, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_keeps_finished_cases, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
