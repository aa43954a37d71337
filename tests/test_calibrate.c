/*
 * test_calibrate.c: the calibration case (runner/calibrate.c).  One phase on this machine
 * yields its windows, named and in order, each a positive figure; an interrupt stops it; and the
 * run's estimate (SCENARIO_CALIBRATION_SECONDS) covers the calibration's own plan with each
 * window's setup, on any number of PUs.  No figure is judged: timing belongs to `make bench`.
 */
#include "support.h"

#include <math.h>
#include <string.h>

#include "runner/calibrate.h"
#include "scenarios/scenario.h"

static void test_one_phase(void **state)
{
    (void)state;
    char err[ERR_LEN];
    struct topo *topo = topo_open(NULL, NULL, err);
    assert_non_null(topo);
    struct topo_summary summary;
    topo_summarize(topo, &summary);
    struct result_calibration out[CALIBRATE_MAX_WINDOWS];
    size_t n = calibrate_run(topo, CALIBRATE_MIDDLE, NULL, out);
    size_t expected = CALIBRATE_REPETITIONS * (summary.pus >= 2 ? 2 : 1);
    assert_int_equal(n, expected);
    for (size_t i = 0; i < n; i++) {
        bool get = i < CALIBRATE_REPETITIONS;
        print_message("%s %d: %.1f %s\n", out[i].kind, out[i].repetition, out[i].value, out[i].unit);
        assert_string_equal(out[i].phase, "middle");
        assert_string_equal(out[i].kind, get ? "get" : "ping-pong");
        assert_string_equal(out[i].unit, get ? "ns/get" : "ns/round-trip");
        assert_int_equal(out[i].repetition, (int)(i % CALIBRATE_REPETITIONS));
        assert_true(out[i].value > 0 && isfinite(out[i].value));
    }
    /* unbound (no topology) it still measures the get loop */
    assert_true(calibrate_run(NULL, CALIBRATE_START, NULL, out) == CALIBRATE_REPETITIONS);
    assert_string_equal(out[0].phase, "start");
    atomic_bool stop = true;
    assert_int_equal(calibrate_run(topo, CALIBRATE_END, &stop, out), 0);
    topo_close(topo);
}

/* The estimate of a run counts the calibration's three phases, every window with the setup the
 * estimate gives any window. */
static void test_estimate_covers_the_plan(void **state)
{
    (void)state;
    const int pus[] = {1, 2, 256};
    for (size_t i = 0; i < sizeof pus / sizeof pus[0]; i++) {
        int kinds = pus[i] >= 2 ? 2 : 1;
        double windows = CALIBRATE_PHASES * kinds * CALIBRATE_REPETITIONS;
        double planned = calibrate_planned_seconds(pus[i]);
        assert_float_equal(planned, windows * CALIBRATE_WINDOW_S, 1e-12);
        assert_true(planned + windows * SCENARIO_SETUP_SECONDS <= SCENARIO_CALIBRATION_SECONDS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_phase),
        cmocka_unit_test(test_estimate_covers_the_plan),
    };
    return cmocka_run_group_tests_name("calibration", tests, NULL, NULL);
}
