/*
 * test_perf_counters.c: hardware counters either open and count (instructions > 0 after real work)
 * or are reported absent, never as a zero; sums are absent unless every part is present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "runner/perf_counters.h"

static void test_perf_counters_count_or_report_absent(void **state)
{
    (void)state;
    struct perf_counters pc;
    bool opened = perf_counters_open(&pc);
    char reason[256];
    if (!opened)
        fprintf(stderr, "counters not available here: %s\n",
                perf_counters_unavailable_reason(&pc, reason, sizeof reason));
    perf_counters_start(&pc);
    volatile uint64_t sink = 0;
    for (uint64_t i = 0; i < 1000000; i++)
        sink += i * i;
    perf_counters_stop(&pc);
    struct result_counter cycles = {true, 123}, instructions = {true, 123}, misses = {true, 123};
    perf_counters_read(&pc, &cycles, &instructions, &misses);
    if (opened) {
        assert_true(cycles.present || instructions.present || misses.present);
        if (instructions.present)
            assert_true(instructions.value > 1000000);
    } else {
        assert_false(cycles.present);
        assert_false(instructions.present);
        assert_false(misses.present);
        assert_non_null(perf_counters_unavailable_reason(&pc, reason, sizeof reason));
    }
    if (!cycles.present)
        assert_true(cycles.value == 0);
    perf_counters_close(&pc);
    perf_counters_read(&pc, &cycles, NULL, NULL); /* closed: absent */
    assert_false(cycles.present);
}

static void test_perf_counters_sum_needs_every_part(void **state)
{
    (void)state;
    struct result_counter parts[3] = {{true, 10}, {true, 20}, {true, 30}}, total;
    perf_counters_sum(parts, 3, &total);
    assert_true(total.present);
    assert_int_equal(total.value, 60);
    parts[1].present = false;
    perf_counters_sum(parts, 3, &total);
    assert_false(total.present);
    perf_counters_sum(parts, 0, &total);
    assert_false(total.present);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perf_counters_count_or_report_absent),
        cmocka_unit_test(test_perf_counters_sum_needs_every_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
