/*
 * test_presets.c: every case of every preset in scenarios/ builds its workload, on a described
 * 2-PU machine, for every one of its workers: no preset case can fail at run time the way go-sync's
 * LoadOrStoreUnique once did ("keys=0 and key_range=0 leave no key for gets or writes to use", in
 * every repetition).  A workload depends on the case's dimensions, not on its backend, so each
 * distinct workload is built once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "runner/workload.h"
#include "scenarios/case_dims.h"
#include "scenarios/scenario.h"

#define PRESETS_MAX_WORKLOADS 4096

static const struct scenario_machine two_pus = {
    .pus = 2, .cores = 2, .packages = 1, .numa_nodes = 1, .cache_levels = 3,
    .cache_bytes = {48 << 10, 1 << 20, 32 << 20}, .table_bytes_per_key = 16};

struct presets_seen {
    char (*keys)[CASE_KEY_LEN];
    size_t count;
};

/* Whether the workload of c (its key without scenario and backend) was built already; records it. */
static bool presets_seen_before(struct presets_seen *seen, const struct bench_case *c)
{
    char key[CASE_KEY_LEN];
    case_key(c, case_dim_bit("backend") | case_dim_bit("scenario"), key, sizeof key);
    for (size_t i = 0; i < seen->count; i++)
        if (strcmp(seen->keys[i], key) == 0)
            return true;
    assert_true(seen->count < PRESETS_MAX_WORKLOADS);
    snprintf(seen->keys[seen->count++], CASE_KEY_LEN, "%s", key);
    return false;
}

static void presets_build_case(const char *preset, size_t index, const struct bench_case *c)
{
    char err[ERR_LEN] = "", text[CASE_DESCRIBE_LEN];
    for (int w = 0; w < c->threads; w++) {
        struct workload_stream s;
        if (!workload_build(c, w, c->threads, 1 << 16, &s, err)) {
            case_describe(c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
            fail_msg("%s case %zu (%s), worker %d: %s", preset, index + 1, text, w, err);
        }
        assert_true(s.length >= 1 << 16 || s.loop != WORKLOAD_LOOP_NONE); /* a loop has none */
        workload_free(&s);
    }
}

static void test_every_preset_case_builds(void **state)
{
    (void)state;
    char err[ERR_LEN] = "", **names = NULL;
    struct presets_seen seen = {.keys = calloc(PRESETS_MAX_WORKLOADS, CASE_KEY_LEN)};
    size_t runnable = 0;
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
    size_t presets = scenario_list_presets(&names, err);
    assert_true(presets >= 9);
    for (size_t p = 0; p < presets; p++) {
        struct scenario *s = scenario_load(names[p], err);
        struct bench_case *cases = NULL;
        size_t count = 0;
        if (!s || !scenario_expand(s, &two_pus, &cases, &count, err))
            fail_msg("%s: %s", names[p], err);
        for (size_t i = 0; i < count; i++) {
            if (cases[i].skipped)
                continue;
            runnable++;
            if (!presets_seen_before(&seen, &cases[i]))
                presets_build_case(names[p], i, &cases[i]);
        }
        free(cases);
        scenario_free(s);
    }
    scenario_free_presets(names, presets);
    assert_true(runnable > 100);
    assert_true(seen.count > 50);
    free(seen.keys);
}

/* Go's loops write whatever read_pct says: at 2 threads plain (no concurrent writer) skips both,
 * ref-tbb-unordered (no concurrent delete) skips adversarial-delete only; at 1 thread both run. */
static void test_loops_skip_what_cannot_run_them(void **state)
{
    (void)state;
    char err[ERR_LEN] = "";
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
    struct scenario *s = scenario_load("go-sync", err);
    struct bench_case *cases = NULL;
    size_t count = 0, checked = 0;
    assert_non_null(s);
    assert_true(scenario_set_backends(s, "plain, ref-tbb-unordered", err));
    assert_true(scenario_expand(s, &two_pus, &cases, &count, err));
    for (size_t i = 0; i < count; i++) {
        const struct bench_case *c = &cases[i];
        bool alloc = strcmp(c->scenario, "go-sync/AdversarialAlloc") == 0;
        bool del = strcmp(c->scenario, "go-sync/AdversarialDelete") == 0;
        if (!alloc && !del)
            continue;
        checked++;
        bool plain = strcmp(c->backend, "plain") == 0;
        assert_int_equal(c->skipped, c->threads > 1 && (plain || del));
    }
    assert_int_equal(checked, 8);
    free(cases);
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_preset_case_builds),
        cmocka_unit_test(test_loops_skip_what_cannot_run_them),
    };
    return cmocka_run_group_tests_name("presets", tests, NULL, NULL);
}
