/*
 * test_cli_run.c: `mapbench run` as a user meets it: bad input refused with one line and a non-zero
 * status before anything is measured, the machine lock, and a run that is interrupted (SIGINT) or
 * killed (SIGKILL) keeping everything it finished.  The real binary runs in a child process on
 * tiny scenario files written to a temporary directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

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
    /* the case the signal cut short keeps the repetitions it finished */
    assert_true(cli_query(db, "SELECT count(*) FROM cases WHERE status='failed' AND reason LIKE "
                              "'interrupted after % of 3 repetitions'") <= 1);
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
        cmocka_unit_test(test_dry_run_measures_nothing),
        cmocka_unit_test(test_bad_input_is_refused),
        cmocka_unit_test(test_readers_need_an_existing_database),
        cmocka_unit_test(test_machine_lock_refuses_second_run),
        cmocka_unit_test(test_sigint_stores_finished_work_as_aborted),
        cmocka_unit_test(test_sigkill_keeps_finished_cases),
    };
    return cmocka_run_group_tests_name("cli_run", tests, cli_setup, cli_teardown);
}
