/*
 * test_store.c: the results database (store/store.c).  Each test works in its own temporary
 * directory.  Covered: the schema a new file gets (and that store/store_schema.sql documents it),
 * a round trip of machine, run, case, samples and histograms through the read API, buffered cases
 * (abandon, misuse), each run's UUID and writer (boot id, start time), the liveness rule (a zombie,
 * an earlier boot, a reused pid, another host), migration of a version-1 file built from
 * tests/fixtures/store_v1.sql, the one-line errors of store_open, two processes writing one file at once, and a writer killed with
 * SIGKILL mid-run.  Paths of fixtures are relative to the source tree, where the suite runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dbfixture.h"
#include "runner/method.h"
#include "store/store.h"
#include "store/store_host.h"

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

/* ---- schedule and calibration ----------------------------------------------------------- */

/* A run's schedule and its rounds' seed, and its calibration windows, come back as written; the
 * seed survives the signed column; a sequential run stores no seed. */
static void test_schedule_and_calibrations(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
    char err[ERR_LEN] = "", schedule[16];
    struct store_run r = { .schedule = "rounds", .schedule_seed = UINT64_MAX - 2 };
    struct store_machine m = { .fingerprint = "cafe", .hostname = "testhost" };
    int64_t rounds_run, sequential_run;
    assert_true(store_machine_upsert(s, &m, &r.machine_id, err));
    assert_true(store_run_begin(s, &r, &rounds_run, err));
    r.schedule = "sequential";
    assert_true(store_run_begin(s, &r, &sequential_run, err));
    uint64_t seed;
    bool has_seed;
    assert_true(store_run_schedule(s, rounds_run, schedule, sizeof schedule, &seed, &has_seed, err));
    assert_string_equal(schedule, "rounds");
    assert_true(has_seed);
    assert_true(seed == UINT64_MAX - 2);
    assert_true(store_run_schedule(s, sequential_run, schedule, sizeof schedule, &seed, &has_seed, err));
    assert_string_equal(schedule, "sequential");
    assert_false(has_seed);
    assert_false(store_run_schedule(s, 999, schedule, sizeof schedule, &seed, &has_seed, err));
    assert_non_null(strstr(err, "no run 999"));

    struct result_calibration rows[] = {
        { "end", "get", 0, 12.5, "ns/get" },
        { "start", "ping-pong", 1, 151, "ns/round-trip" },
        { "start", "get", 1, 11.5, "ns/get" },
        { "start", "get", 0, 11, "ns/get" },
        { "middle", "get", 0, 12, "ns/get" },
    };
    assert_true(store_calibrations_insert(s, rounds_run, rows, 5, err));
    struct result_calibration *got;
    size_t n;
    assert_true(store_calibrations_read(s, rounds_run, &got, &n, err));
    assert_int_equal(n, 5); /* by phase in time order, then kind and repetition */
    const char *order[][2] = { { "start", "get" }, { "start", "get" }, { "start", "ping-pong" },
                               { "middle", "get" }, { "end", "get" } };
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(got[i].phase, order[i][0]);
        assert_string_equal(got[i].kind, order[i][1]);
    }
    assert_int_equal(got[1].repetition, 1);
    assert_true(got[1].value == 11.5);
    assert_string_equal(got[2].unit, "ns/round-trip");
    free(got);
    assert_true(store_calibrations_read(s, sequential_run, &got, &n, err));
    assert_int_equal(n, 0);
    assert_null(got);
    /* a phase outside start|middle|end is refused, and nothing of the batch is kept */
    struct result_calibration bad[] = { { "end", "get", 1, 1, "ns/get" }, { "later", "get", 0, 1, "ns/get" } };
    assert_false(store_calibrations_insert(s, sequential_run, bad, 2, err));
    assert_int_equal(dbfixture_int_with(store_db(s), "SELECT count(*) FROM calibrations WHERE run_id = ?1",
                                  sequential_run),
                     0);
    store_close(s);
}

/* ---- schema ----------------------------------------------------------------------------- */

static void test_new_file_gets_current_schema(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(dbfixture_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    char *mode = dbfixture_text(db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(dbfixture_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('machines', 'runs',"
                                 " 'cases', 'samples', 'histograms', 'case_results', 'case_summary',"
                                 " 'runs_by_machine', 'cases_by_run', 'calibrations')"),
                     10);
    /* The documented schema is the one the code creates. */
    sqlite3 *doc = dbfixture_from_sql(NULL, "store/store_schema.sql");
    char *created = dbfixture_schema(db), *documented = dbfixture_schema(doc);
    assert_string_equal(created, documented);
    free(created);
    free(documented);
    sqlite3_close(doc);
    store_close(s);
}

static void test_foreign_keys_are_enforced(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
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
    struct store *s = dbfixture_open(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = dbfixture_run(s, NULL, "round trip"), again, case_id;

    /* The same fingerprint is the same machine. */
    struct store_machine m = { .fingerprint = "cafe", .hostname = "renamed" };
    assert_true(store_machine_upsert(s, &m, &again, err));
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM machines"), 1);

    struct bench_case c;
    struct result_sample r;
    dbfixture_case(&c, "striped:shards=64");
    assert_true(store_case_begin(s, run_id, &c, "0,1", true, &case_id, err));
    for (int i = 0; i < 2; i++) {
        dbfixture_sample(&r, i);
        r.round = i + 1;
        r.round_position = 2 - i;
        r.process_cpu_s = 1.25;
        r.worker_cpu_s = 1.0;
        r.map_large_bytes = 8u << 20;
        r.map_huge_bytes = (struct result_counter){i == 0, 4u << 20};
        r.pending_bytes_per_key = i == 0 ? 12.5 : NAN; /* the second did not measure it: NULL */
        if (i == 0) { /* the second sample leaves both empty: NULL */
            snprintf(r.memory_nodes, sizeof r.memory_nodes, "0,1");
            snprintf(r.placement_caveat, sizeof r.placement_caveat, "not checked: x");
        }
        r.distinct_keys = 3000 + (uint64_t)i;
        r.stream_wraps = (uint64_t)i;
        r.latency_timer_ns = 28.5;
        r.steal_pct = i == 0 ? 2.5 : NAN; /* NAN: /proc/stat unreadable, stored NULL */
        r.involuntary_switches = 40 + (uint64_t)i;
        assert_true(store_sample_insert(s, case_id, &r, err));
    }
    uint64_t counts[] = { 0, 5, 100, UINT64_MAX / 3, 7 };
    assert_true(store_histogram_insert(s, case_id, 0, RESULT_OP_GET, "loglinear:sub=16", counts, 5, err));
    assert_true(store_case_end(s, case_id, "invalid", "size drifted", err));

    struct bench_case skipped;
    dbfixture_case(&skipped, "plain");
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
    assert_int_equal(row->c.hugepages, MAP_HUGEPAGES_ALWAYS);
    assert_string_equal(row->c.helpers, "pu:1");
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
    assert_true(row->sample.process_cpu_s == 1.25 && row->sample.worker_cpu_s == 1.0);
    assert_string_equal(row->sample.memory_nodes, "0,1");
    assert_string_equal(row->sample.placement_caveat, "not checked: x");
    assert_int_equal(row->sample.map_large_bytes, 8u << 20);
    assert_true(row->sample.map_huge_bytes.present);
    assert_int_equal(row->sample.map_huge_bytes.value, 4u << 20);
    assert_int_equal(row->sample.distinct_keys, 3000);
    assert_int_equal(row->sample.stream_wraps, 0);
    assert_true(row->sample.latency_timer_ns == 28.5);
    assert_true(row->sample.steal_pct == 2.5);
    assert_int_equal(row->sample.involuntary_switches, 40);
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM samples WHERE steal_pct IS NULL"
                                          " AND involuntary_switches = 41"),
                     1);
    assert_true(row->sample.pending_bytes_per_key == 12.5);

    assert_int_equal(got.skipped.c.distribution, CASE_DIST_HOT);
    assert_int_equal(got.skipped.c.hot_keys, 3);
    assert_int_equal(got.skipped.c.role, MAP_ROLE_CEILING);
    assert_int_equal(row->c.role, MAP_ROLE_CONTENDER);
    assert_true(got.skipped.c.skipped);
    assert_string_equal(got.skipped.c.skip_reason, "plain cannot run writers on 2 threads");

    /* What SQL sees: absent values NULL, JSON readable, views joined. */
    sqlite3 *db = store_db(s);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM samples WHERE put_p50_ns IS NULL AND instructions IS NULL"
                                 " AND get_p50_ns = 80"),
                     2);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM samples WHERE memory_nodes IS NULL"
                                       " AND placement_caveat IS NULL AND map_huge_bytes IS NULL"
                                       " AND pending_bytes_per_key IS NULL"),
                     1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM case_results WHERE pending_bytes_per_key = 12.5"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE scenario_text LIKE '; scenarios/quick.ini%'"
                                       " AND cpu_mitigations LIKE 'meltdown: Not affected%'"),
                     1);
    assert_int_equal(dbfixture_int(db, "SELECT sum(value) FROM samples, json_each(samples.worker_ops)"
                                 " WHERE repetition = 0"),
                     1000000);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM case_results WHERE backend_name = 'striped'"
                                 " AND fingerprint = 'cafe' AND transparent_hugepages = 'madvise'"
                                 " AND cpu_governor IS NULL AND run_label = 'round trip'"),
                     2);
    assert_int_equal(dbfixture_int(db, "SELECT valid_samples FROM case_summary WHERE backend = 'striped:shards=64'"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM cases WHERE zipf_theta IS NULL AND hot_keys = 3"
                                 " AND memory_node IS NULL AND distribution = 'hot:3'"),
                     1);
    char *reason = dbfixture_text(db, "SELECT invalid_reason FROM samples WHERE repetition = 1");
    assert_string_equal(reason, "size 4095 after window, expected 4096");
    free(reason);
    char *status = dbfixture_text(db, "SELECT status || ' ' || (finished_at IS NOT NULL) FROM runs");
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
    struct store *s = dbfixture_open(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = dbfixture_run(s, NULL, NULL), first, second;
    struct bench_case c;
    struct result_sample r;
    dbfixture_case(&c, "mutex");
    dbfixture_sample(&r, 0);

    assert_false(store_case_abandon(s));
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &first, err));
    assert_true(store_sample_insert(s, first, &r, err));
    assert_false(store_case_begin(s, run_id, &c, NULL, false, &second, err));
    assert_non_null(strstr(err, "still open"));
    assert_true(store_case_abandon(s));
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM cases"), 0);
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM samples"), 0);

    /* Ids follow the order cases began, gaps where one was abandoned. */
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &second, err));
    assert_true(second > first);
    assert_false(store_sample_insert(s, first, &r, err));
    assert_non_null(strstr(err, "is not the open case"));
    assert_true(store_case_end(s, second, "ok", NULL, err));
    assert_false(store_case_end(s, second, "ok", NULL, err));
    assert_non_null(strstr(err, "was not begun"));
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM cases"), 1);

    /* A case that cannot be written leaves nothing behind (bad status: CHECK constraint). */
    int64_t third;
    assert_true(store_case_begin(s, run_id, &c, NULL, false, &third, err));
    assert_true(store_sample_insert(s, third, &r, err));
    assert_false(store_case_end(s, third, "great", NULL, err));
    assert_non_null(strstr(err, "CHECK constraint failed"));
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM samples"), 0);
    assert_false(store_case_begin(s, run_id + 100, &c, NULL, false, &third, err));
    store_close(s);
}

static void test_run_finish_errors(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
    char err[ERR_LEN] = "";
    int64_t run_id = dbfixture_run(s, NULL, NULL), latest;
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
    struct store *s = dbfixture_open(f->db);
    char err[ERR_LEN] = "", *text = NULL;
    size_t len = 0;
    int64_t latest;
    assert_false(store_latest_run_id(s, &latest, err));
    assert_non_null(strstr(err, "no runs yet"));

    int64_t first = dbfixture_run(s, NULL, "first"), second = dbfixture_run(s, NULL, "nightly <b>");
    assert_true(dbfixture_write_case(s, second, 2, err) > 0);
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

/* ---- who writes a run, and whether it still does -------------------------------------------- */

static bool uuid_shaped(const char *u, char version)
{
    if (strlen(u) != 36 || u[14] != version || !strchr("89ab", u[19]))
        return false;
    for (int i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return false;
    return true;
}

/* Each run is stamped with a fresh random UUID, this boot's id and this process's start time. */
static void test_run_identity(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    int64_t first = dbfixture_run(s, NULL, "a"), second = dbfixture_run(s, NULL, "b");
    char boot[STORE_UUID_LEN], state_letter, query[160];
    uint64_t start;
    assert_true(store_host_boot_id(boot));
    assert_true(store_host_process(getpid(), &state_letter, &start));
    assert_true(start > 0);
    for (int64_t id = first; id <= second; id++) {
        snprintf(query, sizeof query, "SELECT uuid FROM runs WHERE id = %lld", (long long)id);
        char *uuid = dbfixture_text(db, query);
        if (!uuid_shaped(uuid, '4'))
            fail_msg("run %lld: '%s' is not a version 4 UUID", (long long)id, uuid);
        free(uuid);
    }
    assert_int_equal(dbfixture_int(db, "SELECT count(DISTINCT uuid) FROM runs"), 2);
    snprintf(query, sizeof query, "SELECT count(*) FROM runs WHERE boot_id = '%s' AND process_start = %llu"
             " AND pid = %d", boot, (unsigned long long)start, (int)getpid());
    assert_int_equal(dbfixture_int(db, query), 2);
    /* The derived UUID of the migration: the same text, the same name; another text, another. */
    char a[STORE_UUID_LEN], b[STORE_UUID_LEN], c[STORE_UUID_LEN];
    store_host_uuid_of("1|oldhost|4242", a);
    store_host_uuid_of("1|oldhost|4242", b);
    store_host_uuid_of("1|oldhost|4243", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_true(uuid_shaped(a, '8'));
    store_close(s);
}

/* Sets who wrote a run, as a test pretends it. */
static void set_writer(sqlite3 *db, int64_t run_id, const char *host, const char *boot_id, pid_t pid,
                       int64_t start)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "UPDATE runs SET hostname = coalesce(?1, hostname), boot_id = ?2,"
                                            " pid = ?3, process_start = ?4 WHERE id = ?5",
                                        -1, &st, NULL),
                     SQLITE_OK);
    if (host)
        sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
    if (boot_id)
        sqlite3_bind_text(st, 2, boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, pid);
    if (start)
        sqlite3_bind_int64(st, 4, start);
    sqlite3_bind_int64(st, 5, run_id);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static char *run_status(sqlite3 *db, int64_t run_id)
{
    char query[96];
    snprintf(query, sizeof query, "SELECT status FROM runs WHERE id = %lld", (long long)run_id);
    return dbfixture_text(db, query);
}

/* A child that exits at once and is not reaped: a zombie, as a killed run whose parent has not
 * waited yet. */
static pid_t start_zombie(uint64_t *start)
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    char state = '?';
    for (int tries = 0; tries < 500 && state != 'Z'; tries++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        assert_true(store_host_process(child, &state, start));
    }
    assert_int_equal(state, 'Z');
    return child;
}

/* store_open marks a run of this host aborted when its writer is gone by boot, pid, state or start
 * time, keeps it running while the writer runs, and never judges another host's run. */
static void test_liveness(void **state)
{
    struct fixture *f = *state;
    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    char boot[STORE_UUID_LEN], letter, host[256] = "";
    uint64_t live_start, zombie_start;
    assert_true(store_host_boot_id(boot));
    assert_int_equal(gethostname(host, sizeof host - 1), 0);
    int keep[2];
    assert_int_equal(pipe(keep), 0);
    pid_t live = fork(); /* runs until the test closes the pipe */
    assert_true(live >= 0);
    if (live == 0) {
        char byte;
        close(keep[1]);
        _exit(read(keep[0], &byte, 1) < 0);
    }
    close(keep[0]);
    assert_true(store_host_process(live, &letter, &live_start));
    pid_t zombie = start_zombie(&zombie_start);

    struct { const char *label, *host, *boot; pid_t pid; int64_t start; const char *expected; } runs[] = {
        {"live writer", NULL, boot, live, (int64_t)live_start, "running"},
        {"an earlier boot", NULL, "00000000-0000-4000-8000-000000000000", live, (int64_t)live_start, "aborted"},
        {"a reused pid", NULL, boot, live, (int64_t)live_start + 1, "aborted"},
        {"a zombie", NULL, boot, zombie, (int64_t)zombie_start, "aborted"},
        {"before version 4, live", NULL, NULL, live, 0, "running"},
        {"before version 4, zombie", NULL, NULL, zombie, 0, "aborted"},
        {"another host", "elsewhere.example", "00000000-0000-4000-8000-000000000000", 999999, 5, "running"},
    };
    size_t n = sizeof runs / sizeof runs[0];
    int64_t ids[8];
    for (size_t i = 0; i < n; i++) {
        ids[i] = dbfixture_run(s, NULL, runs[i].label);
        set_writer(db, ids[i], runs[i].host, runs[i].boot, runs[i].pid, runs[i].start);
    }
    store_close(s);

    s = dbfixture_open(f->db);
    db = store_db(s);
    for (size_t i = 0; i < n; i++) {
        char *status = run_status(db, ids[i]);
        if (strcmp(status, runs[i].expected) != 0)
            fail_msg("run '%s' is %s, expected %s", runs[i].label, status, runs[i].expected);
        free(status);
    }
    assert_true(host[0] != 0);
    char *text = NULL, err[ERR_LEN] = "";
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(store_list_runs(s, out, err), (int)n);
    fclose(out);
    assert_non_null(strstr(text, "running on elsewhere.example?"));
    assert_non_null(strstr(text, host)); /* this host's runs name their writer */
    free(text);
    store_close(s);

    close(keep[1]); /* the live writer ends: its runs are aborted at the next open */
    int status;
    assert_int_equal(waitpid(live, &status, 0), live);
    assert_int_equal(waitpid(zombie, &status, 0), zombie);
    s = dbfixture_open(f->db);
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
    store_close(s);
}

/* ---- migration -------------------------------------------------------------------------- */

static void test_migrates_version_1(void **state)
{
    struct fixture *f = *state;
    sqlite3 *old = dbfixture_from_sql(f->db, "tests/fixtures/store_v1.sql");
    assert_int_equal(dbfixture_int(old, "PRAGMA user_version"), 1);
    sqlite3_close(old);

    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(dbfixture_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM histograms"), 0);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE cpu_governor IS NULL"
                                 " AND transparent_hugepages IS NULL AND label = 'v1 run' AND status = 'done'"),
                     1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM case_results WHERE run_label = 'v1 run'"
                                 " AND distribution = 'zipf:0.99' AND hostname = 'oldhost'"),
                     2);
    assert_int_equal(dbfixture_int(db, "SELECT sum(total_ops) FROM samples"), 2100000);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM cases WHERE status = 'skipped'"), 1);
    /* Version 5: every older run was measured by method 1, and nothing was planted in it. */
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE method_version = 1 AND planted_slowdown_pct IS NULL"),
                     1);
    /* Version 3 gave every older case the role its backend had. */
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM cases WHERE (backend_name = 'null') != (role = 'harness')"
                                 " OR (backend_name = 'plain') != (role = 'ceiling')"
                                 " OR (backend_name LIKE 'ref-%') != (role = 'reference')"), 0);

    /* Version 4 named the older run after its own row (a version 8 UUID), so every migrated copy
     * of the file names it alike; its writer's boot and start time are unknown. */
    char *uuid = dbfixture_text(db, "SELECT uuid FROM runs WHERE id = 1");
    assert_true(uuid_shaped(uuid, '8'));
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE boot_id IS NULL AND process_start IS NULL"), 1);
    char copy_path[160];
    snprintf(copy_path, sizeof copy_path, "%s/copy.db", f->dir);
    sqlite3_close(dbfixture_from_sql(copy_path, "tests/fixtures/store_v1.sql"));
    struct store *copy = dbfixture_open(copy_path);
    char *again = dbfixture_text(store_db(copy), "SELECT uuid FROM runs WHERE id = 1");
    assert_string_equal(again, uuid);
    free(again);
    free(uuid);
    store_close(copy);

    /* Migrated and new files have the same schema. */
    char fresh_path[160];
    snprintf(fresh_path, sizeof fresh_path, "%s/fresh.db", f->dir);
    struct store *fresh = dbfixture_open(fresh_path);
    char *migrated = dbfixture_schema(db), *created = dbfixture_schema(store_db(fresh));
    assert_string_equal(migrated, created);
    free(migrated);
    free(created);
    store_close(fresh);

    /* New writes go on after the old ids. */
    char err[ERR_LEN] = "";
    int64_t run_id = dbfixture_run(s, NULL, "after migration"), case_id = dbfixture_write_case(s, run_id, 1, err);
    assert_true(run_id > 1);
    assert_true(case_id > 2);
    char query[128];
    snprintf(query, sizeof query, "SELECT method_version FROM runs WHERE id = %lld", (long long)run_id);
    assert_int_equal(dbfixture_int(store_db(s), query), METHOD_VERSION); /* this build's method */
    store_close(s);

    /* Reopening a current file changes nothing. */
    s = dbfixture_open(f->db);
    assert_int_equal(dbfixture_int(store_db(s), "SELECT count(*) FROM cases"), 3);
    store_close(s);
}

/* A column the file lacks (a dimension or figure added since it was written) is added with the
 * row's default, and a view that differs from the generated one is recreated; a current file is
 * left alone. */
static void test_adds_missing_columns_and_refreshes_views(void **state)
{
    struct fixture *f = *state;
    char err[ERR_LEN] = "";
    struct store *s = dbfixture_open(f->db);
    int64_t run_id = dbfixture_run(s, NULL, "before");
    assert_true(dbfixture_write_case(s, run_id, 2, err) > 0);
    store_close(s);

    sqlite3 *raw;
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    char *case_results = dbfixture_text(raw, "SELECT sql FROM sqlite_master WHERE name = 'case_results'");
    int64_t schema_version = dbfixture_int(raw, "PRAGMA schema_version");
    sqlite3_close(raw);
    store_close(dbfixture_open(f->db)); /* a current file: nothing to change */
    assert_int_equal(sqlite3_open(f->db, &raw), SQLITE_OK);
    assert_int_equal(dbfixture_int(raw, "PRAGMA schema_version"), schema_version);
    assert_int_equal(sqlite3_exec(raw, "DROP VIEW case_results; DROP VIEW case_summary;"
                                       " ALTER TABLE cases DROP COLUMN latency_every;"
                                       " ALTER TABLE cases DROP COLUMN memory_node;"
                                       " ALTER TABLE samples DROP COLUMN cache_misses;"
                                       " CREATE VIEW case_summary AS SELECT 1 AS stale",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);

    s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM pragma_table_info('cases') WHERE name = 'latency_every'"
                                 " AND type = 'INTEGER' AND \"notnull\" AND dflt_value = '64'"),
                     1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM cases WHERE latency_every = 64 AND memory_node IS NULL"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM samples WHERE cache_misses IS NULL"), 2);
    char *now = dbfixture_text(db, "SELECT sql FROM sqlite_master WHERE name = 'case_results'");
    assert_string_equal(now, case_results);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM case_summary WHERE latency_every = 64"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM case_results WHERE latency_every = 64"), 2);
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

    store_close(dbfixture_open(f->db));
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
    store_close(dbfixture_open(f->db));
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
        ok = dbfixture_write_case(s, run_id, 3, err) > 0;
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
    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE status = 'done'"), 2);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM machines"), 1);
    assert_int_equal(dbfixture_int(db, "SELECT count(DISTINCT id) FROM cases"), 2 * cases);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM samples"), 2 * cases * 3);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM (SELECT run_id FROM cases GROUP BY run_id HAVING count(*) = "
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
        if (!(case_id = dbfixture_write_case(s, run_id, 2, err)))
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
    char *check = dbfixture_text(raw, "PRAGMA integrity_check");
    assert_string_equal(check, "ok");
    free(check);
    assert_int_equal(dbfixture_int(raw, "SELECT count(*) FROM runs WHERE status = 'running'"), 1);
    sqlite3_close(raw);

    struct store *s = dbfixture_open(f->db);
    sqlite3 *db = store_db(s);
    for (int i = 0; i < committed; i++)
        assert_int_equal(dbfixture_int_with(db, "SELECT count(*) FROM samples WHERE case_id = ?1", ids[i]), 2);
    /* Nothing half-written: the case being measured at the kill is absent, not partial. */
    assert_true(dbfixture_int(db, "SELECT count(*) FROM cases") >= committed);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM samples s"
                                 " WHERE s.case_id = c.id) <> 2"),
                     0);
    assert_int_equal(dbfixture_int(db, "SELECT count(*) FROM runs WHERE status = 'aborted' AND finished_at IS NOT NULL"), 1);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_file_gets_current_schema, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_schedule_and_calibrations, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys_are_enforced, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_abandoned_case_writes_nothing, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_run_finish_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_list_runs_and_latest, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_run_identity, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_liveness, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_version_1, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_adds_missing_columns_and_refreshes_views, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_open_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_writers_at_once, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sigkill_keeps_finished_cases, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
