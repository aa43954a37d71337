/*
 * test_planted.c: the planted slowdown (runner/planted.h), the testing aid behind the gate's power
 * figure, and the measurement-method version (runner/method.h) a run stores.  No timing is
 * asserted: the arithmetic of the delay is checked as numbers, the spin only for the lower bound
 * its loop guarantees, and a real run for what it stores and says, not for how fast it ran.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runner/method.h"
#include "runner/planted.h"
#include "tests/support.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A batch of T takes T + T p / (100 - p) = T 100 / (100 - p): throughput times 1 - p/100. */
static void test_delay_makes_throughput_the_planted_share(void **state)
{
    (void)state;
    assert_int_equal(planted_delay_ns(800, 20), 200);
    assert_int_equal(planted_delay_ns(1000, 50), 1000);
    assert_int_equal(planted_delay_ns(1000, 0), 0);
    const double pcts[] = {5, 20, 50, 90};
    for (size_t i = 0; i < sizeof pcts / sizeof *pcts; i++) {
        uint64_t batch = 1000000;
        double throughput = (double)batch / (double)(batch + planted_delay_ns(batch, pcts[i]));
        assert_float_equal(throughput, 1.0 - pcts[i] / 100.0, 1e-6);
    }
}

static void test_environment_is_read_and_checked(void **state)
{
    (void)state;
    double pct = -1;
    char err[ERR_LEN] = "";
    unsetenv(PLANTED_ENV);
    assert_true(planted_slowdown_read(&pct, err));
    assert_float_equal(pct, 0, 0);
    assert_float_equal(planted_delay_begin().pct, 0, 0);
    setenv(PLANTED_ENV, "20", 1);
    assert_true(planted_slowdown_read(&pct, err));
    assert_float_equal(pct, 20, 0);
    assert_float_equal(planted_delay_begin().pct, 20, 0);
    const char *bad[] = {"abc", "20%", "-1", "95", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv(PLANTED_ENV, bad[i], 1);
        assert_false(planted_slowdown_read(&pct, err));
        assert_non_null(strstr(err, "is not a percentage from 0 to 90"));
        assert_float_equal(planted_delay_begin().pct, 0, 0); /* never half-planted */
    }
    unsetenv(PLANTED_ENV);
}

/* The spin lasts at least the delay of the batch behind it: a batch that began 2 ms ago, slowed
 * by 20%, spins 0.5 ms or more, and the next batch is stamped after the spin. */
static void test_spin_lasts_the_delay(void **state)
{
    (void)state;
    struct planted_delay d = {.pct = 20};
    uint64_t start = now_ns();
    d.mark_ns = start - 2000000;
    planted_delay_spin(&d);
    assert_true(d.mark_ns >= start + 500000);
    assert_true(now_ns() >= d.mark_ns);
    d.pct = 0;
    uint64_t mark = d.mark_ns;
    planted_delay_after_batch(&d); /* off: nothing happens */
    assert_int_equal(d.mark_ns, mark);
}

static int64_t query_int(const char *db, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    int64_t value = -1;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        value = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return value;
}

/* A real run stores the planted slowdown and this build's method, and says so on stderr; a
 * malformed value is refused in one line, exit 2, before anything is measured. */
static void test_run_stores_the_planted_slowdown_and_method(void **state)
{
    (void)state;
    char dir[] = "/tmp/mapbench-planted-XXXXXX", bin[400], exe[512], ini[128], db[128], lock[128];
    assert_non_null(mkdtemp(dir));
    support_binary_dir(bin, sizeof bin);
    snprintf(exe, sizeof exe, "%s/../mapbench", bin);
    snprintf(ini, sizeof ini, "%s/tiny.ini", dir);
    snprintf(db, sizeof db, "%s/results.db", dir);
    snprintf(lock, sizeof lock, "%s/lock", dir);
    setenv("MAPBENCH_LOCK", lock, 1);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fputs("[scenario]\nname = tiny\nbackends = mutex\nthreads = 1\nkeys = 1000\nduration = 20ms\n"
          "warmup = 0\nrepetitions = 1\n", f);
    fclose(f);
    struct support_child child;
    char *argv[] = {exe, "run", ini, "--db", db, NULL};
    setenv(PLANTED_ENV, "20", 1);
    support_child_exec(argv, &child);
    assert_int_equal(WEXITSTATUS(child.wait_status), 0);
    assert_non_null(strstr(child.err, "MAPBENCH_PLANTED_SLOWDOWN_PCT=20: every window is slowed by 20%"));
    assert_int_equal(query_int(db, "SELECT planted_slowdown_pct FROM runs"), 20);
    assert_int_equal(query_int(db, "SELECT method_version FROM runs"), METHOD_VERSION);
    setenv(PLANTED_ENV, "lots", 1);
    support_child_exec(argv, &child);
    assert_int_equal(WEXITSTATUS(child.wait_status), 2);
    assert_non_null(strstr(child.err, "MAPBENCH_PLANTED_SLOWDOWN_PCT='lots' is not a percentage"));
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), 1); /* nothing more measured */
    unsetenv(PLANTED_ENV);
    support_child_exec(argv, &child);
    assert_int_equal(WEXITSTATUS(child.wait_status), 0);
    assert_null(strstr(child.err, PLANTED_ENV));
    assert_int_equal(query_int(db, "SELECT planted_slowdown_pct FROM runs WHERE id = 2"), -2); /* NULL */
    char command[160];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_makes_throughput_the_planted_share),
        cmocka_unit_test(test_environment_is_read_and_checked),
        cmocka_unit_test(test_spin_lasts_the_delay),
        cmocka_unit_test(test_run_stores_the_planted_slowdown_and_method),
    };
    return cmocka_run_group_tests_name("planted", tests, NULL, NULL);
}
