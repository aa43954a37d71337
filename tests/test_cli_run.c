/*
 * test_cli_run.c: `mapbench run` as a user meets it: bad input refused with one line and a non-zero
 * status before anything is measured, the machine lock, and a run that is interrupted (SIGINT) or
 * killed (SIGKILL) keeping everything it finished; the schedule (rounds stored per sample and
 * rebuilt from the run's stored seed, or sequential), the calibration case and the disturbance
 * figures stored with the run; libbenchmark's JSON with its names, one entry per repetition and
 * each case's aggregates; the concise console table, and libbenchmark's own on request; a run in
 * which every case is skipped.  The real binary runs in a child process on tiny scenario files
 * written to a temporary directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#include "runner/schedule.h"
#include "scenarios/scenario.h"

struct cli {
    char dir[64];
    char mapbench[512];
    char scenario[128];
    char db[128];
};

static void cli_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int cli_setup(void **state)
{
    struct cli *c = calloc(1, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "/tmp/mapbench-cli-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    char bin[400];
    support_binary_dir(bin, sizeof bin);
    snprintf(c->mapbench, sizeof c->mapbench, "%s/../mapbench", bin);
    snprintf(c->scenario, sizeof c->scenario, "%s/tiny.ini", c->dir);
    snprintf(c->db, sizeof c->db, "%s/results.db", c->dir);
    cli_write(c->scenario, "[scenario]\nname = tiny\nbackends = mutex, striped\nthreads = 1, 2\n"
                           "read_pct = 90\nkeys = 1000\nduration = 100ms\nwarmup = 0\n"
                           "repetitions = 2\n");
    char lock[128];
    snprintf(lock, sizeof lock, "%s/machine.lock", c->dir); /* never the real machine lock */
    setenv("MAPBENCH_LOCK", lock, 1);
    *state = c;
    return 0;
}

static int cli_teardown(void **state)
{
    struct cli *c = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", c->dir);
    assert_int_equal(system(command), 0);
    free(c);
    return 0;
}

/* Runs mapbench with up to 8 arguments after `run`. */
static void cli_run(struct cli *c, struct support_child *child, const char *a, const char *b,
                    const char *d, const char *e)
{
    char *argv[12] = {c->mapbench, "run"};
    int n = 2;
    const char *extra[] = {a, b, d, e};
    for (int i = 0; i < 4; i++)
        if (extra[i])
            argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    support_child_exec(argv, child);
}

static int cli_exit_status(const struct support_child *child)
{
    return WIFEXITED(child->wait_status) ? WEXITSTATUS(child->wait_status) : -1;
}

/* Exactly one line on stderr after the plan line(s), containing `needle`. */
static void cli_assert_error(const struct support_child *child, int status, const char *needle)
{
    assert_int_equal(cli_exit_status(child), status);
    if (!strstr(child->err, needle))
        fail_msg("stderr lacks '%s': %s", needle, child->err);
    assert_null(strstr(child->out, "manual_time")); /* nothing was measured */
}

static int64_t cli_query(const char *db, const char *sql)
{
    sqlite3 *handle;
    sqlite3_stmt *stmt;
    int64_t value = -1;
    assert_int_equal(sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(handle, 5000);
    if (sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return value;
}

static void cli_query_text(const char *db, const char *sql, char *out, size_t len)
{
    sqlite3 *handle;
    sqlite3_stmt *stmt;
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
}

static void test_run_stores_every_case(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    cli_run(c, &child, c->scenario, "--db", c->db, "--label=<b>first</b>");
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.err, "4 cases (4 to run, 0 skipped)"));
    assert_int_equal(cli_query(c->db, "SELECT count(*) FROM cases WHERE status='ok'"), 4);
    assert_int_equal(cli_query(c->db, "SELECT count(*) FROM samples"), 8);
    char text[256];
    cli_query_text(c->db, "SELECT status FROM runs", text, sizeof text);
    assert_string_equal(text, "done");
    cli_query_text(c->db, "SELECT label FROM runs", text, sizeof text);
    assert_string_equal(text, "<b>first</b>");
    /* per-worker counts sum to the total, in the stored rows too */
    assert_int_equal(cli_query(c->db, "SELECT count(*) FROM samples s WHERE total_ops != "
                                      "(SELECT sum(value) FROM json_each(s.worker_ops))"),
                     0);
}

/* The first line `command` prints, or "" */
static void cli_command_line(const char *command, char *out, size_t len)
{
    FILE *p = popen(command, "r");
    assert_non_null(p);
    if (!fgets(out, (int)len, p))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

/* A run started outside the checkout records the commit mapbench was built from, not none. */
static void test_run_records_the_build_commit_from_any_directory(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char bin[400], command[600], expected[128], cwd[512], stored[256], db[160];
    support_binary_dir(bin, sizeof bin); /* BUILD/tests, two levels below the source tree */
    snprintf(command, sizeof command, "git -C '%s/../..' rev-parse HEAD 2>/dev/null", bin);
    cli_command_line(command, expected, sizeof expected);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(c->dir), 0); /* a temporary directory, in no git checkout */
    cli_run(c, &child, c->scenario, "--db", "commit.db", NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(cli_exit_status(&child), 0);
    snprintf(db, sizeof db, "%s/commit.db", c->dir);
    cli_query_text(db, "SELECT coalesce(git_commit, '') FROM runs", stored, sizeof stored);
    if (expected[0] == '\0') { /* built outside a checkout: nothing to name */
        assert_string_equal(stored, "");
        return;
    }
    assert_int_equal(strlen(expected), 40);
    assert_memory_equal(stored, expected, 40);
    assert_true(strcmp(stored + 40, "") == 0 || strcmp(stored + 40, "+dirty") == 0);
}

/* The value of the SQL `sql` over the JSON file's text bound as ?1 (libbenchmark writes `NaN`
 * for the cv of an all-zero counter, which is no JSON: it is read as null). */
static int64_t cli_json_query(const char *text, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *fixed = calloc(2 * strlen(text) + 1, 1), *out = fixed;
    for (const char *p = text; *p;) {
        size_t skip = strncasecmp(p, ": -nan", 6) == 0 ? 6 : strncasecmp(p, ": nan", 5) == 0 ? 5 : 0;
        if (skip) {
            out = stpcpy(out, ": null");
            p += skip;
        } else {
            *out++ = *p++;
        }
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, fixed, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(fixed);
    return value;
}

/* The --benchmark_out JSON of the tiny scenario at 4 threads (2 backends, 2 repetitions),
 * whose windows ran one by one in rounds: still one entry per repetition under each case's name
 * (repeats:2, repetition_index 0 and 1, repetitions 2), each case's entries together with its
 * family index, then libbenchmark's four aggregates of them; no window's own registration shows. */
static void cli_check_json(const char *path)
{
    char *text = support_read_text(path);
    static const char *const checks[][2] = {
        {"SELECT json_valid(?1)", "1"},
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks')", "12"},
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks') WHERE"
         " json_extract(value, '$.run_type') = 'iteration' AND json_extract(value, '$.repetitions') = 2"
         " AND json_extract(value, '$.name') LIKE '%/iterations:1/repeats:2/manual_time'", "4"},
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks') WHERE"
         " json_extract(value, '$.name') LIKE '%repeats:1%'", "0"},
        {"SELECT count(DISTINCT json_extract(value, '$.name') || '#' ||"
         " json_extract(value, '$.repetition_index')) FROM json_each(?1, '$.benchmarks')"
         " WHERE json_extract(value, '$.run_type') = 'iteration'", "4"},
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks') WHERE"
         " json_extract(value, '$.run_type') = 'aggregate' AND json_extract(value, '$.aggregate_name')"
         " IN ('mean', 'median', 'stddev', 'cv') AND json_extract(value, '$.iterations') = 2", "8"},
        {"SELECT count(DISTINCT json_extract(value, '$.family_index') || '/' ||"
         " json_extract(value, '$.run_name')) FROM json_each(?1, '$.benchmarks')", "2"},
        {"SELECT count(DISTINCT json_extract(value, '$.family_index')) FROM json_each(?1, '$.benchmarks')", "2"},
        /* grouped: each case's six entries are consecutive, its two repetitions first */
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks') a JOIN json_each(?1, '$.benchmarks') b"
         " ON b.key = a.key + 1 WHERE json_extract(a.value, '$.run_name') !="
         " json_extract(b.value, '$.run_name')", "1"},
        {"SELECT count(*) FROM json_each(?1, '$.benchmarks') WHERE key % 6 < 2 AND"
         " json_extract(value, '$.run_type') != 'iteration'", "0"},
        {"SELECT json_extract(value, '$.items_per_second') > 0 FROM json_each(?1, '$.benchmarks')"
         " WHERE json_extract(value, '$.aggregate_name') = 'median' LIMIT 1", "1"},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int64_t got = cli_json_query(text, checks[i][0]);
        if (got != atoll(checks[i][1]))
            fail_msg("%s: %lld, expected %s", checks[i][0], (long long)got, checks[i][1]);
    }
    free(text);
}

/* libbenchmark's own flags and JSON output keep working behind `--`. */
static void test_benchmark_json_output(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160], flag[200], json[160];
    snprintf(db, sizeof db, "%s/json.db", c->dir);
    snprintf(json, sizeof json, "%s/out.json", c->dir);
    snprintf(flag, sizeof flag, "--benchmark_out=%s", json);
    char *argv[] = {c->mapbench, "run", c->scenario, "--db", db, "--set", "threads=4",
                    "--", flag, "--benchmark_out_format=json", NULL};
    support_child_exec(argv, &child);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.err, "oversubscribed"));
    FILE *f = fopen(json, "r");
    assert_non_null(f);
    char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "\"benchmarks\""));
    assert_non_null(strstr(text, "tiny/striped"));
    assert_non_null(strstr(text, "\"items_per_second\""));
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases WHERE oversubscribed=1"), 2);
    cli_check_json(json);
}

/* Rounds by default: every sample knows its round and its place in it, each round of a point (a
 * thread count here) holds both backends once, and the stored seed with the scenario's cases
 * rebuilds exactly the order the run used. */
static void test_rounds_are_stored_and_reproducible(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160], text[64], sql[512], err[ERR_LEN];
    snprintf(db, sizeof db, "%s/rounds.db", c->dir);
    cli_run(c, &child, c->scenario, "--db", db, NULL);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.err, "in rounds"));
    cli_query_text(db, "SELECT schedule FROM runs", text, sizeof text);
    assert_string_equal(text, "rounds");
    assert_int_equal(cli_query(db, "SELECT count(*) FROM samples WHERE round NOT IN (1, 2) OR "
                                   "round_position NOT IN (1, 2) OR round != repetition + 1"),
                     0);
    assert_int_equal(cli_query(db, "SELECT count(*) FROM (SELECT c.threads, s.round, "
                                   "s.round_position FROM samples s JOIN cases c ON c.id = s.case_id "
                                   "GROUP BY 1, 2, 3 HAVING count(*) = 1)"),
                     8);
    uint64_t seed = (uint64_t)cli_query(db, "SELECT schedule_seed FROM runs");
    struct scenario *sc = scenario_load(c->scenario, err);
    assert_non_null(sc);
    struct scenario_machine machine = {.pus = 2, .cores = 2, .packages = 1, .numa_nodes = 1};
    struct bench_case *cases;
    size_t count, n;
    assert_true(scenario_expand(sc, &machine, &cases, &count, err));
    struct schedule_window *w = schedule_build(cases, count, SCHEDULE_ROUNDS, seed, &n);
    assert_int_equal(n, 8);
    int seen[8] = {0};
    for (size_t i = 0; i < n; i++) {
        const struct bench_case *k = &cases[w[i].case_index];
        snprintf(sql, sizeof sql, "SELECT s.round * 10 + s.round_position FROM samples s JOIN cases c"
                                  " ON c.id = s.case_id WHERE c.backend = '%s' AND c.threads = %d AND"
                                  " s.repetition = %d", k->backend, k->threads, seen[w[i].case_index]++);
        assert_int_equal(cli_query(db, sql), w[i].round * 10 + w[i].position);
    }
    free(w);
    free(cases);
    scenario_free(sc);
}

/* --schedule sequential: today's order, stored with the run; no rounds, no seed. */
static void test_sequential_schedule(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160], text[64];
    snprintf(db, sizeof db, "%s/sequential.db", c->dir);
    char *argv[] = {c->mapbench, "run", c->scenario, "--db", db, "--schedule", "sequential", NULL};
    support_child_exec(argv, &child);
    assert_int_equal(cli_exit_status(&child), 0);
    cli_query_text(db, "SELECT schedule || '/' || coalesce(schedule_seed, 'none') FROM runs", text,
                   sizeof text);
    assert_string_equal(text, "sequential/none");
    assert_int_equal(cli_query(db, "SELECT count(*) FROM samples WHERE round = 0 AND round_position = 0"), 8);
    /* case ids follow the order cases began, and sequentially each case ends before the next */
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases WHERE status = 'ok'"), 4);
    cli_run(c, &child, c->scenario, "--schedule", "shuffled", NULL);
    cli_assert_error(&child, 2, "--schedule takes rounds or sequential, not 'shuffled'");
}

/* The calibration case runs at the start, the middle and the end and is stored with the run;
 * every sample carries its disturbance figures. */
static void test_calibration_and_disturbance_are_stored(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160];
    snprintf(db, sizeof db, "%s/calibrated.db", c->dir);
    cli_run(c, &child, c->scenario, "--db", db, NULL);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.err, "calibration (start/middle/end): get "));
    int64_t pus = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t per_phase = pus >= 2 ? 6 : 3;
    assert_int_equal(cli_query(db, "SELECT count(*) FROM calibrations WHERE value > 0"), 3 * per_phase);
    static const char *const phases[] = {"start", "middle", "end"};
    for (int p = 0; p < 3; p++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM calibrations WHERE phase = '%s' AND "
                                  "kind = 'get' AND unit = 'ns/get'", phases[p]);
        assert_int_equal(cli_query(db, sql), 3);
    }
    assert_int_equal(cli_query(db, "SELECT count(*) FROM samples WHERE involuntary_switches IS NULL"), 0);
    if (access("/proc/stat", R_OK) == 0)
        assert_int_equal(cli_query(db, "SELECT count(*) FROM samples WHERE steal_pct IS NULL OR "
                                       "steal_pct < 0 OR steal_pct > 100"),
                         0);
}

/* By default a line per case for people, not libbenchmark's table; that on request. */
static void test_console(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160];
    snprintf(db, sizeof db, "%s/console.db", c->dir);
    cli_run(c, &child, c->scenario, "--db", db, NULL);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_null(strstr(child.out, "manual_time"));
    assert_null(strstr(child.out, "nan"));
    assert_non_null(strstr(child.out, "Mops/s"));
    int lines = 0, cases = 0;
    for (const char *p = child.out; (p = strchr(p, '\n')); p++)
        lines++;
    for (const char *p = child.out; (p = strstr(p, "\nok ")); p++)
        cases++;
    assert_int_equal(lines, 1 + 4); /* the header, then one line per case */
    assert_int_equal(cases, 4);
    assert_non_null(strstr(child.out, "tiny striped threads=2 compact read=90% update keys=1000"));
    char *argv[] = {c->mapbench, "run", c->scenario, "--db", db, "--", "--benchmark_format=console",
                    NULL};
    support_child_exec(argv, &child);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.out, "manual_time"));
    assert_null(strstr(child.out, "Mops/s"));
}

/* Every case skipped (a NUMA node this machine lacks): the skipped cases and their reason are
 * stored, one line says so, and the exit status is 2; libbenchmark is never asked to run. */
static void test_all_skipped_run(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160], text[256];
    snprintf(db, sizeof db, "%s/skipped.db", c->dir);
    char *argv[] = {c->mapbench, "run", c->scenario, "--db", db, "--set", "placement=numa:99",
                    "--backends", "mutex", "--set", "threads=1", NULL};
    support_child_exec(argv, &child);
    assert_int_equal(cli_exit_status(&child), 2);
    assert_null(strstr(child.err, "Failed to match"));
    assert_null(strstr(child.err, "0 of 0 cases stored"));
    assert_non_null(strstr(child.err, "nothing measured: the only one of 1 case skipped: placement "
                                      "numa:99 needs NUMA node 99"));
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases WHERE status = 'skipped' AND "
                                   "reason LIKE 'placement numa:99 needs NUMA node 99%'"),
                     1);
    cli_query_text(db, "SELECT status FROM runs", text, sizeof text);
    assert_string_equal(text, "failed");
    assert_int_equal(cli_query(db, "SELECT count(*) FROM calibrations"), 0);
}

static void test_dry_run_measures_nothing(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160];
    snprintf(db, sizeof db, "%s/dry.db", c->dir);
    cli_run(c, &child, c->scenario, "--dry-run", "--db", db);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.out, "PUs"));
    assert_int_not_equal(access(db, F_OK), 0);
}

static void test_bad_input_is_refused(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char bad[160];
    snprintf(bad, sizeof bad, "%s/bad.ini", c->dir);
    cli_write(bad, "[scenario]\nbackends = mutex\nread_pct = 101\n");
    cli_run(c, &child, bad, "--db", c->db, NULL);
    cli_assert_error(&child, 2, "bad.ini:3: key 'read_pct': 101 is not a percentage 0..100");

    char empty[160], expected[300];
    snprintf(empty, sizeof empty, "%s/empty.ini", c->dir);
    cli_write(empty, "; a scenario still to be written\n");
    cli_run(c, &child, empty, "--db", c->db, NULL);
    snprintf(expected, sizeof expected,
             "mapbench: %s: nothing to run: no key in [scenario] and no [case NAME] section\n", empty);
    cli_assert_error(&child, 2, expected);
    assert_string_equal(child.err, expected); /* one line, and no default backend ran */
    cli_write(bad, "[scenario]\nbackends = mutex\nthreads = 1,2,\nkeys = 10\n");
    cli_run(c, &child, bad, "--db", c->db, NULL);
    cli_assert_error(&child, 2, "bad.ini:3: key 'threads': the list ends with an empty item");
    cli_run(c, &child, c->scenario, "--backends", "nosuch", NULL);
    cli_assert_error(&child, 2, "unknown backend 'nosuch'");
    cli_run(c, &child, c->scenario, "--set", "shards=3", NULL);
    cli_assert_error(&child, 2, "shards=3 is not a power of two");
    cli_run(c, &child, c->scenario, "--set", "helpers=pu:65535", NULL);
    cli_assert_error(&child, 2, "helpers 'pu:65535': no PU with OS index 65535 here");
    cli_run(c, &child, "no-such-preset", NULL, NULL, NULL);
    cli_assert_error(&child, 2, "no preset 'no-such-preset'");
    cli_run(c, &child, c->scenario, "--frobnicate", NULL, NULL);
    cli_assert_error(&child, 2, "unknown or incomplete option '--frobnicate'");
    cli_run(c, &child, c->scenario, "--", "--benchmark_nonsense=1", NULL);
    cli_assert_error(&child, 2, "unrecognized libbenchmark flag '--benchmark_nonsense=1'");
    cli_run(c, &child, c->scenario, "--", "--benchmark_enable_random_interleaving=true", NULL);
    cli_assert_error(&child, 2, "mapbench orders the windows itself");
    cli_run(c, &child, c->scenario, "--", "--benchmark_format=xml", NULL);
    cli_assert_error(&child, 2, "unknown --benchmark_format 'xml'");
    cli_run(c, &child, c->scenario, "--db", "/nonexistent-dir/results.db", NULL);
    cli_assert_error(&child, 1, "cannot write results database /nonexistent-dir/results.db");
}

/* Commands that only read never leave an empty database behind for a mistyped path. */
static void test_readers_need_an_existing_database(void **state)
{
    struct cli *c = *state;
    struct support_child child;
    char db[160];
    snprintf(db, sizeof db, "%s/typo.db", c->dir);
    char *list[] = {c->mapbench, "list", "runs", "--db", db, NULL};
    char *report[] = {c->mapbench, "report", "--db", db, NULL};
    char *compare[] = {c->mapbench, "compare", "--candidate", "latest", "--db", db, NULL};
    char *const *commands[] = {list, report, compare};
    for (int i = 0; i < 3; i++) {
        support_child_exec(commands[i], &child);
        assert_int_not_equal(cli_exit_status(&child), 0);
        assert_non_null(strstr(child.err, "no results database at"));
        assert_int_not_equal(access(db, F_OK), 0);
    }
}

static void test_machine_lock_refuses_second_run(void **state)
{
    struct cli *c = *state;
    int fd = open(getenv("MAPBENCH_LOCK"), O_RDWR | O_CREAT, 0666);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    struct support_child child;
    cli_run(c, &child, c->scenario, "--db", c->db, NULL);
    cli_assert_error(&child, 1, "another mapbench run");
    close(fd);
}

/* Starts a run in the background on a longer scenario; returns its pid. */
static pid_t cli_start_long_run(struct cli *c, const char *db)
{
    char scenario[160];
    snprintf(scenario, sizeof scenario, "%s/long.ini", c->dir);
    cli_write(scenario, "[scenario]\nname = long\nbackends = mutex, rwlock, striped\n"
                        "threads = 1\nread_pct = 100, 90, 50, 10\nduration = 150ms\n"
                        "warmup = 0\nrepetitions = 3\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(c->mapbench, c->mapbench, "run", scenario, "--db", db, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits until the database holds at least `cases` finished cases. */
static void cli_wait_for_cases(const char *db, int cases)
{
    for (int tries = 0; tries < 400; tries++) {
        if (access(db, F_OK) == 0 &&
            cli_query(db, "SELECT count(*) FROM cases WHERE status='ok'") >= cases)
            return;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    fail_msg("the run never finished %d cases", cases);
}

static void test_sigint_stores_finished_work_as_aborted(void **state)
{
    struct cli *c = *state;
    char db[160];
    snprintf(db, sizeof db, "%s/interrupted.db", c->dir);
    pid_t pid = cli_start_long_run(c, db);
    cli_wait_for_cases(db, 2);
    kill(pid, SIGINT);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    char text[64];
    cli_query_text(db, "SELECT status FROM runs", text, sizeof text);
    assert_string_equal(text, "aborted");
    assert_true(cli_query(db, "SELECT count(*) FROM cases WHERE status='ok'") >= 2);
    assert_true(cli_query(db, "SELECT count(*) FROM cases") < 12);
    /* the cases the signal cut short (in rounds, the backends of the point being measured: 3
     * here) keep the repetitions they finished */
    assert_true(cli_query(db, "SELECT count(*) FROM cases WHERE status='failed' AND reason LIKE "
                              "'interrupted after % of 3 repetitions'") <= 3);
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases WHERE status='failed' AND reason NOT "
                                   "LIKE 'interrupted after % of 3 repetitions'"),
                     0);
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases c WHERE status='failed' AND "
                                   "(SELECT count(*) FROM samples s WHERE s.case_id=c.id) != "
                                   "CAST(substr(reason, 19, 1) AS INTEGER)"),
                     0);
    /* every stored ok case has all its repetitions */
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases c WHERE status='ok' AND "
                                   "(SELECT count(*) FROM samples s WHERE s.case_id=c.id) != 3"),
                     0);
}

static void test_sigkill_keeps_finished_cases(void **state)
{
    struct cli *c = *state;
    char db[160];
    snprintf(db, sizeof db, "%s/killed.db", c->dir);
    pid_t pid = cli_start_long_run(c, db);
    cli_wait_for_cases(db, 2);
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    int64_t finished = cli_query(db, "SELECT count(*) FROM cases WHERE status='ok'");
    assert_true(finished >= 2);
    char text[64];
    cli_query_text(db, "PRAGMA integrity_check", text, sizeof text);
    assert_string_equal(text, "ok");
    /* the next open (here: `list runs`) marks the dead run aborted */
    struct support_child child;
    char *argv[] = {c->mapbench, "list", "runs", "--db", db, NULL};
    support_child_exec(argv, &child);
    assert_int_equal(cli_exit_status(&child), 0);
    assert_non_null(strstr(child.out, "aborted"));
    assert_int_equal(cli_query(db, "SELECT count(*) FROM cases WHERE status='ok'"), finished);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_stores_every_case),
        cmocka_unit_test(test_run_records_the_build_commit_from_any_directory),
        cmocka_unit_test(test_benchmark_json_output),
        cmocka_unit_test(test_rounds_are_stored_and_reproducible),
        cmocka_unit_test(test_sequential_schedule),
        cmocka_unit_test(test_calibration_and_disturbance_are_stored),
        cmocka_unit_test(test_console),
        cmocka_unit_test(test_all_skipped_run),
        cmocka_unit_test(test_dry_run_measures_nothing),
        cmocka_unit_test(test_bad_input_is_refused),
        cmocka_unit_test(test_readers_need_an_existing_database),
        cmocka_unit_test(test_machine_lock_refuses_second_run),
        cmocka_unit_test(test_sigint_stores_finished_work_as_aborted),
        cmocka_unit_test(test_sigkill_keeps_finished_cases),
    };
    return cmocka_run_group_tests_name("cli_run", tests, cli_setup, cli_teardown);
}
