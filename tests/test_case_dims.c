/*
 * test_case_dims.c: the table of case dimensions (scenarios/case_dims.c): its rows are complete
 * (defaults that parse, columns, help), the one case key follows the rule case_dims.h states
 * (what identifies a case, doubles exact, an `except` mask), and the one describer writes the
 * words compare and the report print and, byte for byte, the libbenchmark names users' tools
 * parse: checked against the formatter cmd_run.c had before the table, over every preset.
 * Presets are read from ./scenarios (tests run from the top of the tree).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/case_dims.h"
#include "scenarios/scenario.h"

static void example(struct bench_case *c)
{
    case_init(c, "quick", "striped:shards=4");
    c->threads = 2;
    c->read_pct = 75.5;
    c->keys = 4096;
    c->distribution = CASE_DIST_ZIPF;
    c->zipf_theta = 0.99;
}

static void key_of(const struct bench_case *c, case_dim_mask except, char *buf)
{
    case_key(c, except, buf, CASE_KEY_LEN);
}

/* ---- the rows ------------------------------------------------------------------------------ */

static void test_rows_are_complete(void **state)
{
    (void)state;
    assert_true(case_dim_count > 10 && case_dim_count <= CASE_DIM_MAX);
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        assert_non_null(d->name);
        assert_non_null(d->type);
        assert_non_null(d->help);
        assert_null(strchr(d->help, '\n'));
        assert_non_null(d->columns[0].name);
        assert_true(case_dim_bit(d->name) == (case_dim_mask)1 << i);
        if (d->flags & CASE_DIM_NO_KEY) {
            assert_null(case_dim_find(d->name, NULL));
            continue;
        }
        /* a scenario key: found by its name, with a default its own parser takes */
        bool alias = true;
        assert_ptr_equal(case_dim_find(d->name, &alias), d);
        assert_false(alias);
        assert_non_null(d->default_text);
        struct case_dim_value v;
        char why[CASE_WHY_LEN] = "";
        if (!case_dim_parse(d, d->name, d->default_text, &v, why))
            fail_msg("default of %s: %s", d->name, why);
        struct bench_case c;
        case_init(&c, "t", "mutex");
        assert_true(case_dim_is_default(d, &c));
    }
    bool alias = false;
    assert_string_equal(case_dim_find("ops", &alias)->name, "duration");
    assert_true(alias);
    assert_null(case_dim_find("thread", NULL));
}

/* case_init is the table's defaults, the role derived from the spec. */
static void test_defaults_from_the_table(void **state)
{
    (void)state;
    struct bench_case c;
    case_init(&c, "t", "plain");
    assert_int_equal(c.threads, 1);
    assert_string_equal(c.placement, "compact");
    assert_true(c.read_pct == 90 && c.hit_pct == 100 && c.warmup_s == 0.2 && c.duration_s == 1);
    assert_int_equal(c.keys, 1000);
    assert_int_equal(c.latency_every, 64);
    assert_int_equal(c.repetitions, 5);
    assert_int_equal(c.role, MAP_ROLE_CEILING);
    assert_string_equal(c.backend_name, "plain");
    case_init(&c, "t", "nosuch:x=1");
    assert_int_equal(c.role, MAP_ROLE_CONTENDER); /* the table's default */
}

/* ---- the key ------------------------------------------------------------------------------- */

static void test_key_identifies_what_is_measured(void **state)
{
    (void)state;
    struct bench_case a, b;
    char ka[CASE_KEY_LEN], kb[CASE_KEY_LEN];
    example(&a);
    key_of(&a, 0, ka);

    /* not identifying: another sample of the same experiment */
    b = a;
    b.seed = 99;
    b.repetitions = 9;
    b.warmup_s = 3;
    b.role = MAP_ROLE_REFERENCE;
    snprintf(b.backend_name, sizeof b.backend_name, "other");
    key_of(&b, 0, kb);
    assert_string_equal(ka, kb);

    /* identifying: each changes what is measured */
    struct bench_case changed[24];
    size_t n = 0;
#define CHANGE(stmt) (changed[n] = a, stmt, n++)
    CHANGE(changed[n].threads = 3);
    CHANGE(snprintf(changed[n].placement, CASE_TEXT, "scatter"));
    CHANGE((changed[n].memory = CASE_MEMORY_BIND, changed[n].memory_node = 1));
    CHANGE(changed[n].hugepages = MAP_HUGEPAGES_NEVER);
    CHANGE(snprintf(changed[n].helpers, CASE_TEXT, "free"));
    CHANGE(changed[n].read_pct = 75.50000000000001); /* doubles are keyed exactly */
    CHANGE(changed[n].write_kind = CASE_WRITE_INSERT);
    CHANGE(changed[n].hit_pct = 99);
    CHANGE(changed[n].delete_pct = 1);
    CHANGE(changed[n].range_pct = 1);
    CHANGE(changed[n].keys = 4097);
    CHANGE(changed[n].key_range = 8192);
    CHANGE(changed[n].zipf_theta = 0.9900000000000001);
    CHANGE(changed[n].duration_s = 2);
    CHANGE((changed[n].duration_s = 0, changed[n].ops = 1000));
    CHANGE(changed[n].latency_every = 0);
    CHANGE(changed[n].misuse_demo = true);
    CHANGE(snprintf(changed[n].backend, sizeof changed[n].backend, "striped:shards=8"));
#undef CHANGE
    for (size_t i = 0; i < n; i++) {
        key_of(&changed[i], 0, kb);
        if (strcmp(ka, kb) == 0)
            fail_msg("change %zu did not change the key", i);
    }
    b = a;
    snprintf(b.scenario, sizeof b.scenario, "other");
    key_of(&b, 0, kb);
    assert_string_not_equal(ka, kb);
}

static void test_key_except_mask(void **state)
{
    (void)state;
    struct bench_case a, b;
    char ka[CASE_KEY_LEN], kb[CASE_KEY_LEN];
    example(&a);
    b = a;
    b.threads = 8;
    snprintf(b.backend, sizeof b.backend, "mutex");
    case_dim_mask except = case_dim_bit("threads") | case_dim_bit("backend");
    key_of(&a, except, ka);
    key_of(&b, except, kb);
    assert_string_equal(ka, kb);
    key_of(&a, case_dim_bit("threads"), ka);
    key_of(&b, case_dim_bit("threads"), kb);
    assert_string_not_equal(ka, kb);
}

/* ---- the describer ------------------------------------------------------------------------- */

static void test_describe_words(void **state)
{
    (void)state;
    struct bench_case c;
    char text[CASE_DESCRIBE_LEN];
    example(&c);
    case_describe(&c, CASE_DESCRIBE_WORDS, 0, text, sizeof text);
    assert_string_equal(text, "quick striped:shards=4 threads=2 compact read=75.5% update keys=4096 zipf:0.99");
    c.hit_pct = 80;
    c.memory = CASE_MEMORY_BIND;
    c.memory_node = 1;
    c.hugepages = MAP_HUGEPAGES_ALWAYS;
    snprintf(c.helpers, CASE_TEXT, "pu:1");
    c.ops = 5000;
    c.duration_s = 0;
    c.latency_every = 0;
    c.seed = 7; /* never shown: it does not identify the case */
    case_describe(&c, CASE_DESCRIBE_WORDS, case_dim_bit("backend") | case_dim_bit("scenario"), text,
                  sizeof text);
    assert_string_equal(text, "threads=2 compact memory=bind:1 hugepages=always helpers=pu:1 "
                              "read=75.5% update hit=80% keys=4096 "
                              "zipf:0.99 ops=5000 latency_every=0");
}

/* The name cmd_run.c registered before the table existed: the benchmark name must not change. */
static void old_benchmark_name(const struct bench_case *c, char *name, size_t len)
{
    char dist[64];
    snprintf(name, len, "%s/%s/threads:%d/%s/read:%g/%s/keys:%llu/%s", c->scenario, c->backend,
             c->threads, c->placement, c->read_pct, case_write_kind_name(c->write_kind),
             (unsigned long long)c->keys, case_distribution_text(c, dist, sizeof dist));
}

static void test_benchmark_names_unchanged(void **state)
{
    (void)state;
    static const struct scenario_machine machine = {
        .pus = 4, .cores = 2, .packages = 1, .numa_nodes = 1, .cache_levels = 3,
        .cache_bytes = {32 << 10, 1 << 20, 32 << 20}, .table_bytes_per_key = 16};
    char err[ERR_LEN] = "", **names = NULL, old[CASE_DESCRIBE_LEN], now[CASE_DESCRIBE_LEN];
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
    size_t presets = scenario_list_presets(&names, err), checked = 0;
    assert_true(presets >= 8);
    for (size_t p = 0; p < presets; p++) {
        struct scenario *s = scenario_load(names[p], err);
        struct bench_case *cases = NULL;
        size_t count = 0;
        if (!s || !scenario_expand(s, &machine, &cases, &count, err))
            fail_msg("%s: %s", names[p], err);
        for (size_t i = 0; i < count; i++, checked++) {
            old_benchmark_name(&cases[i], old, sizeof old);
            case_describe(&cases[i], CASE_DESCRIBE_BENCHMARK, 0, now, sizeof now);
            if (strcmp(old, now) != 0)
                fail_msg("%s case %zu:\n was %s\n now %s", names[p], i, old, now);
        }
        free(cases);
        scenario_free(s);
    }
    scenario_free_presets(names, presets);
    assert_true(checked > 100);
    struct bench_case c;
    example(&c);
    c.hit_pct = 50; /* words only */
    case_describe(&c, CASE_DESCRIBE_BENCHMARK, 0, now, sizeof now);
    assert_string_equal(now, "quick/striped:shards=4/threads:2/compact/read:75.5/update/keys:4096/zipf:0.99");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_are_complete),
        cmocka_unit_test(test_defaults_from_the_table),
        cmocka_unit_test(test_key_identifies_what_is_measured),
        cmocka_unit_test(test_key_except_mask),
        cmocka_unit_test(test_describe_words),
        cmocka_unit_test(test_benchmark_names_unchanged),
    };
    return cmocka_run_group_tests_name("case_dims", tests, NULL, NULL);
}
