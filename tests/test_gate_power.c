/*
 * test_gate_power.c: the regression gate's false-alarm rate and its power, on recorded samples.
 *
 * tests/fixtures/gate_runs.sql holds RUNS real runs of tests/fixtures/gate.ini (16 cases, nightly's
 * 5 repetitions, short windows) recorded back to back on the shared development machine by
 * tests/fixtures/record-gate.sh: the noise in them is the machine's own, and replaying them makes
 * the test fast and deterministic.  The runs are split into interleaved comparisons of 3 runs a
 * side, as the README's nightly job measures: in each window of 6 consecutive runs, each of the
 * three consecutive pairs gives one run to each side (8 ways), so every baseline run has a
 * candidate run beside it in time.
 *
 *   - A/A: the two sides are the same build, so every regressed or improved case is a false alarm.
 *     The rate is the share of comparisons with any such case (the family-wise rate; under a
 *     complete null the false discovery rate the correction controls is this rate).
 *   - Power: the candidate side's runs are replaced by copies of themselves with a slowdown planted
 *     in every sample (throughput times 1 - p/100, as MAPBENCH_PLANTED_SLOWDOWN_PCT=p makes a real
 *     run), and the share of cases judged regressed is the power, for p = 20% (the target)
 *     and larger slowdowns (the power curve on this noise).
 *
 * What the recording shows (printed by the test): no A/A comparison raises an alarm, and the gate
 * finds a planted 67% slowdown in 87% of the cases, a 50% one in 20%, and a 20% one never (it says
 * "unknown" for all but one of those cases: their interval reaches past 5% both ways).  The
 * recording was made with 6 to 9 runnable processes on the 2 vCPUs (other jobs building and
 * testing): a case's 5 windows in one run spread over a factor of 1.5 to 2 (max/min), so every
 * pairing of runs has an interval of +-60% or more, and the gate, which must see a regression
 * between every pairing of runs, cannot tell 20% from that.  Judging the pooled samples alone
 * (without the pairing rule) finds 28% of the 20% slowdowns, but raises an alarm in 15% of the A/A
 * comparisons, three times alpha: the runs do carry states of their own.  So the target
 * (80% power at 20%) is out of reach on this machine in this state; what would reach it is less
 * noise per window (a machine not shared with other jobs, longer windows) or more repetitions per
 * run, not a looser rule.
 *
 * The test bounds what holds and would break with a worse gate: at most alpha false alarms (the
 * pooled samples alone break it), power that grows with the slowdown, and at least 80% power at
 * the smallest planted slowdown this noise allows (67%).
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
#include <unistd.h>

#include "reports/compare.h"
#include "store/store.h"
#include "tests/support.h"

#define PLANTED_OFFSET 1000 /* run id of a run's planted copy: id + PLANTED_OFFSET */
#define WINDOW 6

/* The planted slowdowns: the 20%, then larger ones, for the power curve on this noise. */
static const double planted_pcts[] = {20, 30, 50, 67, 80};

struct gate {
    char dir[64], db[128];
    struct store *store;
    int64_t run_ids[64];
    size_t runs;
};

static void gate_exec(struct gate *g, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(store_db(g->store), sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s", message);
}

/* The planted copies of the recorded runs (ids below PLANTED_OFFSET): every run, case and sample
 * again at run id + copy * PLANTED_OFFSET, pct slower (throughput times 1 - pct/100, as
 * MAPBENCH_PLANTED_SLOWDOWN_PCT makes a real run), with the fact stored.  Columns are copied
 * whole (SELECT *), so a column added to any table later is copied too. */
static void gate_plant(struct gate *g, int copy, double pct)
{
    char sql[2048];
    double keep = 1.0 - pct / 100.0;
    snprintf(sql, sizeof sql,
             "BEGIN;"
             "CREATE TEMP TABLE r AS SELECT * FROM runs WHERE id < %d;"
             "UPDATE r SET id = id + %d, planted_slowdown_pct = %g, label = label || ' planted';"
             "INSERT INTO runs SELECT * FROM r;"
             "CREATE TEMP TABLE c AS SELECT * FROM cases WHERE run_id < %d;"
             "UPDATE c SET id = id + %d, run_id = run_id + %d;"
             "INSERT INTO cases SELECT * FROM c;"
             "CREATE TEMP TABLE s AS SELECT s.* FROM samples s JOIN c ON c.id = s.case_id + %d;"
             "UPDATE s SET id = id + %d, case_id = case_id + %d, ops_per_s = ops_per_s * %.17g,"
             " ns_per_op = ns_per_op / %.17g, total_ops = CAST(total_ops * %.17g AS INTEGER);"
             "INSERT INTO samples SELECT * FROM s;"
             "DROP TABLE r; DROP TABLE c; DROP TABLE s;"
             "COMMIT;",
             PLANTED_OFFSET, copy * PLANTED_OFFSET, pct, PLANTED_OFFSET, copy * 1000000, copy * PLANTED_OFFSET,
             copy * 1000000, copy * 100000000, copy * 1000000, keep, keep, keep);
    gate_exec(g, sql);
}

static int gate_setup(void **state)
{
    struct gate *g = calloc(1, sizeof *g);
    char err[ERR_LEN] = "", source[600], bin[400];
    snprintf(g->dir, sizeof g->dir, "/tmp/mapbench-gate-XXXXXX");
    if (!mkdtemp(g->dir))
        return -1;
    snprintf(g->db, sizeof g->db, "%s/gate.db", g->dir);
    g->store = store_open(g->db, err);
    if (!g->store)
        return -1;
    support_binary_dir(bin, sizeof bin);
    snprintf(source, sizeof source, "%s/../../tests/fixtures/gate_runs.sql", bin);
    char *sql = support_read_text(source);
    gate_exec(g, "BEGIN");
    gate_exec(g, sql);
    gate_exec(g, "COMMIT");
    free(sql);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(g->store), "SELECT id FROM runs ORDER BY id", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && g->runs < 64)
        g->run_ids[g->runs++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (size_t i = 0; i < sizeof planted_pcts / sizeof *planted_pcts; i++)
        gate_plant(g, (int)i + 1, planted_pcts[i]);
    *state = g;
    return g->runs >= WINDOW ? 0 : -1;
}

static int gate_teardown(void **state)
{
    struct gate *g = *state;
    char command[128];
    store_close(g->store);
    snprintf(command, sizeof command, "rm -rf '%s'", g->dir);
    int rc = system(command);
    free(g);
    return rc == 0 ? 0 : -1;
}

struct tally {
    size_t comparisons, alarmed;         /* A/A: comparisons with any regressed or improved case */
    size_t cases, regressed, unknown;    /* power: planted cases, and how many were found */
    size_t caught;                       /* power: comparisons with every case regressed */
};

/* Split `split` (3 bits: which run of each consecutive pair is the baseline's) of the window of
 * runs starting at index `first`; the candidate's run ids are offset by `offset`. */
static void gate_sides(const struct gate *g, size_t first, unsigned split, int64_t offset, char *baseline,
                       char *candidate, size_t len)
{
    baseline[0] = candidate[0] = '\0';
    for (size_t pair = 0; pair < WINDOW / 2; pair++) {
        int64_t a = g->run_ids[first + 2 * pair], b = g->run_ids[first + 2 * pair + 1];
        bool swap = split >> pair & 1;
        snprintf(baseline + strlen(baseline), len - strlen(baseline), "%s%lld", pair ? "," : "",
                 (long long)(swap ? b : a));
        snprintf(candidate + strlen(candidate), len - strlen(candidate), "%s%lld", pair ? "," : "",
                 (long long)((swap ? a : b) + offset));
    }
}

/* Every interleaved comparison of 3 runs a side; copy > 0: the candidate's runs are that planted
 * copy (gate_plant). */
static void gate_sweep(struct gate *g, int copy, struct tally *t)
{
    char baseline[128], candidate[128], err[ERR_LEN] = "";
    for (size_t first = 0; first + WINDOW <= g->runs; first++)
        for (unsigned split = 0; split < 1u << (WINDOW / 2); split++) {
            gate_sides(g, first, split, copy * PLANTED_OFFSET, baseline, candidate, sizeof baseline);
            struct compare_options o;
            compare_options_init(&o);
            o.baseline = baseline;
            o.candidate = candidate;
            struct compare_report r;
            if (!compare_runs(g->store, &o, &r, err))
                fail_msg("compare --baseline %s --candidate %s: %s", baseline, candidate, err);
            t->comparisons++;
            t->alarmed += r.verdicts[COMPARE_REGRESSED] + r.verdicts[COMPARE_IMPROVED] > 0;
            t->cases += r.count;
            t->regressed += r.verdicts[COMPARE_REGRESSED];
            t->unknown += r.verdicts[COMPARE_UNKNOWN];
            t->caught += r.verdicts[COMPARE_REGRESSED] == r.count;
            compare_free(&r);
        }
}

static void test_false_alarms_and_power(void **state)
{
    struct gate *g = *state;
    struct tally aa = {0};
    gate_sweep(g, 0, &aa);
    double alarm_rate = (double)aa.alarmed / (double)aa.comparisons;
    print_message("gate on %zu recorded runs, %zu interleaved comparisons of 3 runs a side (5 repetitions each):\n"
                  "  A/A: %zu of %zu comparisons raised an alarm: false-alarm rate %.3f (alpha 0.05)\n",
                  g->runs, aa.comparisons, aa.alarmed, aa.comparisons, alarm_rate);
    double power[sizeof planted_pcts / sizeof *planted_pcts];
    for (size_t i = 0; i < sizeof planted_pcts / sizeof *planted_pcts; i++) {
        struct tally t = {0};
        gate_sweep(g, (int)i + 1, &t);
        power[i] = (double)t.regressed / (double)t.cases;
        print_message("  planted %2.0f%% slowdown: %3zu of %zu cases regressed: power %.3f; every case caught in %zu "
                      "of %zu comparisons; %zu unknown\n",
                      planted_pcts[i], t.regressed, t.cases, power[i], t.caught, t.comparisons, t.unknown);
    }
    print_message("  the issue's target, 80%% power at a 20%% slowdown, is out of reach on this recording "
                  "(see the file's header)\n");
    assert_true(aa.comparisons >= 20);
    assert_true(alarm_rate <= 0.05);
    for (size_t i = 1; i < sizeof planted_pcts / sizeof *planted_pcts; i++)
        assert_true(power[i] >= power[i - 1]);
    assert_true(power[3] >= 0.80); /* planted_pcts[3]: 67% */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_false_alarms_and_power, gate_setup, gate_teardown),
    };
    return cmocka_run_group_tests_name("gate power", tests, NULL, NULL);
}
