/*
 * test_disturbance.c: what disturbed a window (runner/disturbance.c).  The /proc/stat parser and
 * the steal share on hand-written snapshots (only the workers' PUs count, the aggregate line is
 * no CPU); the rule that flags a sample, at its edges; and a real window whose three workers share
 * one PU, so the kernel must switch them out involuntarily, with its figures stored in the sample.
 */
#include "support.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runner/disturbance.h"
#include "runner/topo.h"
#include "runner/window.h"

static const char stat_before[] =
    "cpu  900 0 300 8000 10 0 5 40 0 0\n"
    "cpu0 400 0 100 4000 5 0 2 20 0 0\n"
    "cpu1 500 0 200 4000 5 0 3 20 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 999\n";
/* cpu0: 100 ticks passed, 4 of them stolen; cpu1: 100 ticks passed, 50 stolen */
static const char stat_after[] =
    "cpu  1000 0 300 8100 10 0 5 94 0 0\n"
    "cpu0 450 0 100 4046 5 0 2 24 0 0\n"
    "cpu1 520 0 200 4030 5 0 3 70 0 0\n"
    "intr 12399 0 0\n";

static void test_parse_and_steal_share(void **state)
{
    (void)state;
    struct disturbance_cpu before[4], after[4];
    assert_int_equal(disturbance_parse_stat(stat_before, before, 4), 2);
    assert_int_equal(disturbance_parse_stat(stat_after, after, 4), 2);
    assert_int_equal(before[1].cpu, 1);
    assert_int_equal(before[0].steal, 20);
    assert_int_equal(before[0].total, 400 + 100 + 4000 + 5 + 2 + 20);
    cpu_set_t only0, both, none;
    CPU_ZERO(&only0);
    CPU_SET(0, &only0);
    CPU_ZERO(&both);
    CPU_SET(0, &both);
    CPU_SET(1, &both);
    CPU_ZERO(&none);
    assert_float_equal(disturbance_steal_pct(before, 2, after, 2, &only0), 4.0, 1e-9);
    assert_float_equal(disturbance_steal_pct(before, 2, after, 2, &both), 27.0, 1e-9);
    assert_float_equal(disturbance_steal_pct(before, 2, after, 2, &none), 0, 0);
    assert_float_equal(disturbance_steal_pct(before, 2, before, 2, &both), 0, 0); /* no tick */
    assert_int_equal(disturbance_parse_stat("intr 1\n\n\ncpu7 1 2 3 4\n", after, 4), 1);
    assert_int_equal(after[0].cpu, 7);
    assert_int_equal(after[0].steal, 0); /* a kernel without the steal column */
    assert_int_equal(disturbance_parse_stat(stat_before, after, 1), 1); /* at most cap */
}

/* Steal above 1% of the CPU time, or the workers off their PUs for more than 2% of the window;
 * switches alone flag nothing. */
static void test_rule(void **state)
{
    (void)state;
    struct result_sample s = {.window_s = 0.5, .workers = 2, .steal_pct = 1.0,
                              .worker_cpu_s = 0.981, .involuntary_switches = 1000};
    assert_false(disturbance_affected(&s));   /* 1% steal, 1.9% off CPU, many switches */
    s.steal_pct = 1.01;
    assert_true(disturbance_affected(&s));
    s.steal_pct = NAN;                        /* not read: no evidence */
    assert_false(disturbance_affected(&s));
    s.worker_cpu_s = 0.979;                   /* 2.1% of 1.0 worker-second off CPU */
    assert_true(disturbance_affected(&s));
    s.workers = 1;                            /* 0.979 of 0.5 s: more than the window, clock skew */
    assert_false(disturbance_affected(&s));
    s.workers = 2;
    s.worker_cpu_s = 0;                       /* not measured (an imported sample) */
    assert_false(disturbance_affected(&s));
    s.worker_cpu_s = 0.5;
    s.window_s = 0;
    assert_false(disturbance_affected(&s));
}

/* Three workers pinned to one PU: each must give it up to the others, and the sample says so. */
static void test_window_counts_involuntary_switches(void **state)
{
    (void)state;
    char err[ERR_LEN];
    struct topo *topo = topo_open(NULL, NULL, err);
    assert_non_null(topo);
    struct bench_case c;
    case_init(&c, "t", "null");
    c.threads = 3;
    snprintf(c.placement, sizeof c.placement, "pus:0+0+0");
    c.duration_s = 0.3;
    c.warmup_s = 0;
    int pus[3];
    bool oversubscribed;
    assert_true(topo_plan_threads(topo, 3, c.placement, pus, &oversubscribed, err));
    struct window_config cfg = {.bench_case = &c, .backend = map_registry_find("null"), .topo = topo,
                                .pus = pus};
    struct histogram *histograms = calloc(RESULT_OP_COUNT, sizeof *histograms);
    struct result_sample sample;
    assert_true(window_run(&cfg, &sample, histograms, err));
    print_message("3 workers on one PU: %llu involuntary switches, steal %.2f%%\n",
                  (unsigned long long)sample.involuntary_switches, sample.steal_pct);
    assert_true(sample.involuntary_switches > 0);
    assert_true(disturbance_affected(&sample)); /* each worker held the PU about a third of it */
    if (!isnan(sample.steal_pct)) /* NAN only where /proc/stat cannot be read */
        assert_true(sample.steal_pct >= 0 && sample.steal_pct <= 100);
    free(histograms);
    topo_close(topo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_steal_share),
        cmocka_unit_test(test_rule),
        cmocka_unit_test(test_window_counts_involuntary_switches),
    };
    return cmocka_run_group_tests_name("disturbance", tests, NULL, NULL);
}
