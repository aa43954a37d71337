/*
 * test_scenario.c: the scenario parser and expander (scenarios/scenario.c, scenarios/case.c).
 *
 * Scenario text is written to files in a private temporary directory, so error messages carry a
 * known path and can be compared whole: "DIR/t.ini:3: key 'read_pct': 101 is not ...".  Expansion
 * runs against fake machines with known PUs, NUMA nodes and caches, never against this one.
 * Presets are read from ./scenarios (tests run from the top of the tree, as the Makefile does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps/map.h"
#include "scenarios/scenario.h"

struct fixture {
    char dir[64];
    char path[128];
};

/* 2 PUs on 2 cores, one NUMA node: this machine's shape, with made-up caches. */
static const struct scenario_machine small_machine = {
    .pus = 2, .cores = 2, .packages = 1, .numa_nodes = 1, .cache_levels = 3,
    .cache_bytes = {32 << 10, 1 << 20, 32 << 20}, .table_bytes_per_key = 16,
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_scenario.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/t.ini", f->dir);
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_text(const struct fixture *f, const char *text)
{
    FILE *out = fopen(f->path, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

/* Loads text that must be valid. */
static struct scenario *load_text(const struct fixture *f, const char *text)
{
    char err[ERR_LEN] = "";
    write_text(f, text);
    struct scenario *s = scenario_load(f->path, err);
    if (!s)
        fail_msg("unexpected error: %s", err);
    return s;
}

static struct bench_case *expand(const struct scenario *s, const struct scenario_machine *m,
                                 size_t *count)
{
    char err[ERR_LEN] = "";
    struct bench_case *cases = NULL;
    if (!scenario_expand(s, m, &cases, count, err))
        fail_msg("unexpected expansion error: %s", err);
    return cases;
}

/* Loads and expands text with one backend and returns the single case. */
static struct bench_case expand_one(const struct fixture *f, const char *text,
                                    const struct scenario_machine *m)
{
    size_t count;
    struct scenario *s = load_text(f, text);
    struct bench_case *cases = expand(s, m, &count), c;
    assert_int_equal(count, 1);
    c = cases[0];
    free(cases);
    scenario_free(s);
    return c;
}

static void test_defaults(void **state)
{
    struct bench_case c = expand_one(*state, "[scenario]\nbackends = mutex\n", &small_machine);
    assert_string_equal(c.scenario, "t");
    assert_string_equal(c.backend, "mutex");
    assert_string_equal(c.backend_name, "mutex");
    assert_int_equal(c.threads, 1);
    assert_string_equal(c.placement, "compact");
    assert_int_equal(c.memory, CASE_MEMORY_FIRST_TOUCH);
    assert_true(c.read_pct == 90 && c.hit_pct == 100 && c.range_pct == 0 && c.delete_pct == 0);
    assert_int_equal(c.write_kind, CASE_WRITE_UPDATE);
    assert_int_equal(c.keys, 1000);
    assert_int_equal(c.key_range, 0);
    assert_int_equal(c.distribution, CASE_DIST_UNIFORM);
    assert_true(c.duration_s == 1.0 && c.ops == 0 && c.warmup_s == 0.2);
    assert_int_equal(c.repetitions, 5);
    assert_int_equal(c.seed, 1);
    assert_int_equal(c.latency_every, 64);
    assert_false(c.misuse_demo);
    assert_false(c.skipped);
}

static void test_every_dimension(void **state)
{
    struct scenario_machine numa = small_machine;
    numa.numa_nodes = 2;
    struct bench_case c = expand_one(*state,
        "; a comment\n"
        "[scenario]\n"
        "name = every-dim\n"
        "description = all of them\n"
        "backends = striped:shards=4,lock=rwlock\n"
        "threads = 2\n"
        "placement = pus:0+1   ; inline comment\n"
        "memory = bind:1\n"
        "hugepages = always\n"
        "helpers = pu:1\n"
        "read_pct = 75.5\n"
        "write_kind = load-or-store\n"
        "hit_pct = 50\n"
        "delete_pct = 10\n"
        "range_pct = 1\n"
        "keys = 4k\n"
        "key_range = 1M\n"
        "distribution = zipf:0.99\n"
        "ops = 2k\n"
        "repetitions = 7\n"
        "warmup = 250ms\n"
        "seed = 18446744073709551615\n"
        "latency_every = 0\n"
        "misuse_demo = 1\n", &numa);
    assert_string_equal(c.scenario, "every-dim");
    assert_string_equal(c.backend, "striped:shards=4,lock=rwlock");
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.placement, "pus:0,1");
    assert_int_equal(c.memory, CASE_MEMORY_BIND);
    assert_int_equal(c.memory_node, 1);
    assert_int_equal(c.hugepages, MAP_HUGEPAGES_ALWAYS);
    assert_string_equal(c.helpers, "pu:1");
    assert_true(c.read_pct == 75.5 && c.hit_pct == 50 && c.delete_pct == 10 && c.range_pct == 1);
    assert_int_equal(c.write_kind, CASE_WRITE_LOAD_OR_STORE);
    assert_int_equal(c.keys, 4096);
    assert_int_equal(c.key_range, 1 << 20);
    assert_int_equal(c.distribution, CASE_DIST_ZIPF);
    assert_true(c.zipf_theta == 0.99);
    assert_true(c.duration_s == 0 && c.ops == 2048);
    assert_int_equal(c.repetitions, 7);
    assert_true(c.warmup_s > 0.2499 && c.warmup_s < 0.2501);
    assert_true(c.seed == UINT64_MAX);
    assert_int_equal(c.latency_every, 0);
    assert_true(c.misuse_demo);
    assert_false(c.skipped);

    c = expand_one(*state, "[scenario]\nbackends=mutex\ndistribution=hot:16\nmemory=interleave\n"
                           "duration=2m\nplacement=numa:0\n", &small_machine);
    assert_int_equal(c.distribution, CASE_DIST_HOT);
    assert_int_equal(c.hot_keys, 16);
    assert_int_equal(c.memory, CASE_MEMORY_INTERLEAVE);
    assert_true(c.duration_s == 120);
    assert_string_equal(c.placement, "numa:0");
}

#define TRAILING_COMMA "the list ends with an empty item (a trailing comma that no indented line continues)"

struct malformed {
    const char *text;
    int line;
    const char *key; /* NULL: a line error without a key */
    const char *why;
};

static void test_malformed(void **state)
{
    struct fixture *f = *state;
    static const struct malformed cases[] = {
        {"[scenario]\nbackends = mutex\nread_pct = 101\n", 3, "read_pct",
         "101 is not a percentage 0..100"},
        {"[scenario]\nhit_pct = -1\n", 2, "hit_pct", "-1 is not a percentage 0..100"},
        {"[scenario]\nrange_pct = ten\n", 2, "range_pct", "ten is not a percentage 0..100"},
        {"[scenario]\nthreads = 1, , 2\n", 2, "threads", "empty value in list '1, , 2'"},
        /* a trailing comma is an empty last item unless an indented line continues the list */
        {"[scenario]\nthreads = 1,2,\n", 2, "threads", TRAILING_COMMA},
        {"[scenario]\nbackends = mutex\nthreads = 1, 2, ; more later\nkeys = 10\n", 3, "threads",
         TRAILING_COMMA},
        {"[scenario]\nread_pct = 10,\nread_pct = 20\n", 2, "read_pct", TRAILING_COMMA},
        {"[scenario]\nbackends = mutex,\n[case a]\n  keys = 1\n", 2, "backends", TRAILING_COMMA},
        {"[scenario]\nkeys = 1\n[options]\nshards = 1, 4,\n", 4, "shards", TRAILING_COMMA},
        {"[scenario]\nthreads = ,\n", 2, "threads", "empty value in list ','"},
        {"[scenario]\nthreads = many\n", 2, "threads",
         "'many' is not N, cores, pus, K*pus or a range A..B"},
        {"[scenario]\nthreads = 0\n", 2, "threads", "0 is below the minimum 1"},
        {"[scenario]\nthreads = 8..2\n", 2, "threads", "range '8..2' is empty"},
        {"[scenario]\nthreads = 1..pus x1\n", 2, "threads",
         "'1..pus x1': a range step is written ' xR' with R >= 2"},
        {"[scenario]\nkeys = 16..cores\n", 2, "keys",
         "'16..cores' is not a range A..B of N (suffix k, M, G)"},
        {"[scenario]\nkeys = 12q\n", 2, "keys", "'12q' is not N (suffix k, M, G) or a range A..B"},
        {"[scenario]\nkey_range = -5\n", 2, "key_range",
         "'-5' is not a key count (N with optional k, M, G)"},
        {"[scenario]\nplacement = spread\n", 2, "placement",
         "'spread' is not compact, scatter, cores, none, numa:N or pus:A+B+C"},
        {"[scenario]\nplacement = pus:0+x\n", 2, "placement",
         "'pus:0+x' is not an explicit PU list such as pus:0+2+4"},
        {"[scenario]\nmemory = bind\n", 2, "memory",
         "'bind' is not first-touch, bind:N or interleave"},
        {"[scenario]\nhugepages = huge\n", 2, "hugepages",
         "'huge' is not default, never or always"},
        {"[scenario]\nhelpers = pu:x\n", 2, "helpers", "'pu:x' is not case-pus, free or pu:N"},
        {"[scenario]\nwrite_kind = upsert\n", 2, "write_kind",
         "'upsert' is not update, insert-delete, insert, load-or-store, adversarial-alloc or "
         "adversarial-delete"},
        {"[scenario]\ndistribution = zipf:x\n", 2, "distribution",
         "'zipf:x' is not uniform, zipf:THETA (0..100) or hot:N (N >= 1)"},
        {"[scenario]\ndistribution = hot:0\n", 2, "distribution",
         "'hot:0' is not uniform, zipf:THETA (0..100) or hot:N (N >= 1)"},
        {"[scenario]\nduration = 5\n", 2, "duration", "5 has no unit (s, ms, us or m)"},
        {"[scenario]\nduration = 0s\n", 2, "duration",
         "0s is not a positive duration such as 0.5s or 200ms"},
        {"[scenario]\nwarmup = -1s\n", 2, "warmup",
         "-1s is not a non-negative duration such as 0.5s or 200ms"},
        {"[scenario]\nops = 0\n", 2, "ops", "'0' is not a positive operation count"},
        {"[scenario]\nduration = 1s\nops = 1000\n", 3, "ops",
         "set either duration or ops in one section, not both"},
        {"[scenario]\nrepetitions = 0\n", 2, "repetitions", "'0' is not a whole number 1..1000"},
        {"[scenario]\nseed = -1\n", 2, "seed", "'-1' is not a whole number 0..18446744073709551615"},
        {"[scenario]\nlatency_every = 1.5\n", 2, "latency_every",
         "'1.5' is not a whole number 0..2147483647"},
        {"[scenario]\nmisuse_demo = yes\n", 2, "misuse_demo", "'yes' is not 0 or 1"},
        {"[scenario]\nname = a/b\n", 2, "name",
         "'a/b' is not a name (1..31 letters, digits, '_', '.', '-')"},
        {"[scenario]\nthread = 1\n", 2, "thread", "unknown key in [scenario]"},
        {"; nothing\nthreads = 1\n", 2, "threads",
         "key outside any section (start the file with [scenario])"},
        {"[scenario]\n[scenarios]\nkeys = 1\n", 3, "keys",
         "unknown section [scenarios] (valid: [scenario], [options], [case NAME])"},
        {"[scenario]\n[case a b]\nkeys = 1\n", 3, "keys",
         "'[case a b]' is not a case name (1..31 letters, digits, '_', '.', '-')"},
        {"[scenario]\n[case x]\nbackends = mutex\n", 3, "backends",
         "unknown key in [case x] (a case section takes dimensions only)"},
        {"[scenario]\nbackends = mutex, nosuch\n", 2, "backends",
         "unknown backend 'nosuch' (valid: null, plain, mutex, rwlock, striped"},
        {"[scenario]\nbackends = striped:shardz=4\n", 2, "backends",
         "backend 'striped' has no option 'shardz' (valid: shards, lock)"},
        {"[scenario]\nbackends = shards=4, mutex\n", 2, "backends",
         "option 'shards=4' follows no backend spec"},
        {"[scenario]\n[options]\nshardz = 1, 2\n", 3, "shardz",
         "no registered backend has option 'shardz'"},
        {"[scenario]\n[options]\nshards = 1, a=b\n", 3, "shards", "'a=b' is not an option value"},
        {"[scenario]\nthreads 4\n", 2, NULL, "not a 'key = value' line or a '[section]' header"},
        {"[scenario\nthreads = 4\n", 1, NULL, "not a 'key = value' line or a '[section]' header"},
    };
    char err[ERR_LEN], want[ERR_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text(f, cases[i].text);
        err[0] = '\0';
        struct scenario *s = scenario_load(f->path, err);
        if (s)
            fail_msg("case %zu loaded: %s", i, cases[i].text);
        if (cases[i].key)
            snprintf(want, sizeof want, "%s:%d: key '%s': %s", f->path, cases[i].line,
                     cases[i].key, cases[i].why);
        else
            snprintf(want, sizeof want, "%s:%d: %s", f->path, cases[i].line, cases[i].why);
        /* the registry's list of valid backends grows with the tree: compare up to its end */
        if (strncmp(err, want, strlen(want)) != 0)
            fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
        if (strcmp(err, want) != 0 && strstr(cases[i].why, "(valid: null") == NULL)
            fail_msg("case %zu:\n got  %s\n want %s", i, err, want);
    }
}

/* A file that sets nothing would run every backend at every default: refused, naming the file. */
static void test_nothing_to_run(void **state)
{
    struct fixture *f = *state;
    static const char *const texts[] = {
        "", "; only a comment\n\n", "[scenario]\n", "[scenario]\n[options]\nshards = 4\n",
        "[scenario]\n[case empty]\n",
    };
    char err[ERR_LEN], want[ERR_LEN];
    snprintf(want, sizeof want, "%s: nothing to run: no key in [scenario] and no [case NAME] section",
             f->path);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        write_text(f, texts[i]);
        err[0] = '\0';
        if (scenario_load(f->path, err))
            fail_msg("case %zu loaded: '%s'", i, texts[i]);
        assert_string_equal(err, want);
    }
    /* one key, or one case section, is something to run */
    scenario_free(load_text(f, "[scenario]\nbackends = mutex\n"));
    scenario_free(load_text(f, "[case only]\nkeys = 10\n"));
}

static void test_long_line_and_missing_file(void **state)
{
    struct fixture *f = *state;
    char text[400], err[ERR_LEN], want[ERR_LEN];
    snprintf(text, sizeof text, "[scenario]\ndescription = %0300d\n", 7);
    write_text(f, text);
    assert_null(scenario_load(f->path, err));
    snprintf(want, sizeof want, "%s:2: line is longer than 197 characters", f->path);
    assert_string_equal(err, want);

    unlink(f->path);
    assert_null(scenario_load(f->path, err));
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", f->path);
    assert_string_equal(err, want);

    assert_null(scenario_load("no-such-preset", err));
    assert_string_equal(err, "no preset 'no-such-preset' in scenarios (mapbench list scenarios)");
    setenv("MAPBENCH_SCENARIOS", "/nonexistent/dir", 1);
    assert_null(scenario_load("quick", err));
    assert_string_equal(err, "MAPBENCH_SCENARIOS=/nonexistent/dir is not a directory");
    setenv("MAPBENCH_SCENARIOS", "scenarios", 1);
}

static void test_backend_lists(void **state)
{
    size_t count, registered;
    map_registry_list(&registered);
    struct scenario *s = load_text(*state, "[scenario]\n"
                                           "backends = striped:shards=4,lock=rwlock, mutex,mutex\n");
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 2);
    assert_string_equal(cases[0].backend, "striped:shards=4,lock=rwlock");
    assert_string_equal(cases[1].backend, "mutex");
    free(cases);

    char err[ERR_LEN];
    assert_true(scenario_set_backends(s, "all", err));
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, registered - 1);
    for (size_t i = 0; i < count; i++)
        assert_string_not_equal(cases[i].backend_name, "null");
    free(cases);

    assert_true(scenario_set_backends(s, "all, null", err));
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, registered);
    assert_string_equal(cases[count - 1].backend, "null");
    free(cases);

    assert_false(scenario_set_backends(s, "mutex, bogus", err));
    assert_true(strncmp(err, "--backends: unknown backend 'bogus' (valid: null, plain", 55) == 0);
    cases = expand(s, &small_machine, &count); /* a failed --backends leaves the list as it was */
    assert_int_equal(count, registered);
    free(cases);
    scenario_free(s);

    s = load_text(*state, "[scenario]\nname = nob\n"); /* no backends key: all but null */
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, registered - 1);
    free(cases);
    scenario_free(s);
}

static void test_set_overrides(void **state)
{
    char err[ERR_LEN];
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nbackends = striped\nread_pct = 100, 50\n"
                                           "duration = 2s\n"
                                           "[case a]\nread_pct = 10\n[case b]\nkeys = 5\n");
    assert_true(scenario_set(s, "read_pct = 75", err));
    assert_true(scenario_set(s, "ops=100", err));
    assert_true(scenario_set(s, "shards=2,8", err));
    assert_true(scenario_set(s, "options.lock=rwlock", err));
    assert_true(scenario_set(s, "name=renamed", err));
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 4); /* 2 case sections x 2 shard counts */
    for (size_t i = 0; i < count; i++) {
        assert_true(cases[i].read_pct == 75); /* replaced in [case a] too */
        assert_true(cases[i].duration_s == 0 && cases[i].ops == 100);
    }
    assert_string_equal(cases[0].scenario, "renamed/a");
    assert_string_equal(cases[0].backend, "striped:shards=2,lock=rwlock");
    assert_string_equal(cases[1].backend, "striped:shards=8,lock=rwlock");
    assert_int_equal(cases[2].keys, 5);
    free(cases);

    assert_false(scenario_set(s, "read_pct=101", err));
    assert_string_equal(err, "--set: key 'read_pct': 101 is not a percentage 0..100");
    assert_false(scenario_set(s, "nosuch=1", err));
    assert_string_equal(err, "--set: key 'nosuch': unknown key (not a [scenario] key, a "
                             "dimension or a backend option)");
    assert_false(scenario_set(s, "options.bogus=1", err));
    assert_string_equal(err, "--set: key 'options.bogus': no registered backend has option 'bogus'");
    assert_false(scenario_set(s, "threads=1,2,", err)); /* no line can continue --set */
    assert_string_equal(err, "--set: key 'threads': empty value in list '1,2,'");
    assert_false(scenario_set(s, "read_pct", err));
    assert_string_equal(err, "--set: 'read_pct' is not KEY=VALUE");
    assert_true(scenario_set(s, "backends=mutex", err));
    assert_true(scenario_set(s, "duration=1s", err)); /* and back: ops is replaced */
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 2);
    assert_true(cases[0].duration_s == 1 && cases[0].ops == 0);
    assert_string_equal(cases[0].backend, "mutex");
    free(cases);
    scenario_free(s);
}

static void test_cartesian_order(void **state)
{
    struct scenario_machine four = small_machine;
    four.pus = four.cores = 4;
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\n"
                                           "backends = mutex, striped, striped:shards=8\n"
                                           "threads = 1..pus\n"
                                           "read_pct = 100, 50, 0\n"
                                           "[options]\nshards = 1, 4\n");
    struct bench_case *cases = expand(s, &four, &count);
    /* mutex 3 threads x 3 mixes; striped x 2 shard counts; striped:shards=8 keeps its own */
    assert_int_equal(count, 9 + 18 + 9);
    assert_string_equal(cases[0].backend, "mutex");
    assert_int_equal(cases[0].threads, 1);
    assert_true(cases[0].read_pct == 100);
    assert_true(cases[1].read_pct == 50); /* the last dimension varies fastest */
    assert_int_equal(cases[3].threads, 2);
    assert_int_equal(cases[6].threads, 4);
    assert_string_equal(cases[9].backend, "striped:shards=1");
    assert_string_equal(cases[18].backend, "striped:shards=4");
    assert_string_equal(cases[27].backend, "striped:shards=8");
    assert_string_equal(cases[35].backend_name, "striped");
    free(cases);

    /* the same scenario expands to the same cases every time */
    struct bench_case *again = expand(s, &four, &count);
    cases = expand(s, &four, &count);
    assert_memory_equal(cases, again, count * sizeof *cases);
    free(again);
    free(cases);
    scenario_free(s);

    s = load_text(*state, "[scenario]\nbackends = mutex\nread_pct = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\n"
                          "hit_pct = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\nkeys = 1..1M\n"
                          "seed = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10\ndelete_pct = 1, 2, 3, 4, 5\n");
    char err[ERR_LEN];
    struct bench_case *none = NULL;
    assert_false(scenario_expand(s, &four, &none, &count, err));
    assert_true(strstr(err, ": expands to more than 100000 cases") != NULL);
    assert_null(none);
    scenario_free(s);
}

static void test_repeated_keys_append(void **state)
{
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nbackends = mutex\nread_pct = 10\n"
                                           "read_pct = 20,\n  30\n");
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 3);
    assert_true(cases[0].read_pct == 10 && cases[1].read_pct == 20 && cases[2].read_pct == 30);
    free(cases);
    scenario_free(s);
    /* a trailing comma may be followed by comments and blank lines before its indented line */
    s = load_text(*state, "[scenario]\nbackends = mutex,\n  ; the lock-based ones\n\n  rwlock\n"
                          "threads = 1, 2,\n  4,\n  8\n");
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 8);
    assert_string_equal(cases[4].backend, "rwlock");
    assert_int_equal(cases[3].threads, 8);
    free(cases);
    scenario_free(s);
}

static void test_counts_and_ranges(void **state)
{
    struct scenario_machine six = small_machine;
    six.pus = 6;
    six.cores = 3;
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nbackends = mutex\nread_pct = 100\n"
                                           "threads = 1..pus, cores, 2*cores, 1..16 x4\n");
    struct bench_case *cases = expand(s, &six, &count);
    int want[] = {1, 2, 3, 4, 6, 16};
    assert_int_equal(count, 6);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(cases[i].threads, want[i]);
    free(cases);
    scenario_free(s);

    s = load_text(*state, "[scenario]\nbackends = mutex\nkeys = 16..16M x4, 1000, 16\n");
    cases = expand(s, &six, &count);
    assert_int_equal(count, 12); /* 4^2 .. 4^12, and 1000 */
    assert_int_equal(cases[0].keys, 16);
    assert_int_equal(cases[1].keys, 64);
    assert_int_equal(cases[3].keys, 1000);
    assert_int_equal(cases[11].keys, 16 << 20);
    free(cases);
    scenario_free(s);

    char err[ERR_LEN], want_err[ERR_LEN];
    s = load_text(*state, "[scenario]\nbackends = mutex\nthreads = 4..pus\n");
    assert_false(scenario_expand(s, &small_machine, &cases, &count, err));
    snprintf(want_err, sizeof want_err,
             "%s: key 'threads': range 4..pus is empty here (4 > 2)", scenario_path(s));
    assert_string_equal(err, want_err);
    scenario_free(s);
}

static void test_keys_auto(void **state)
{
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nbackends = mutex\nkeys = auto\n");
    /* capacities 2048, 65536 and 2097152 keys at 16 bytes per key */
    uint64_t want[] = {1024, 2048, 4096, 32768, 65536, 131072, 1048576, 2097152, 4194304,
                       16777216};
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 10);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(cases[i].keys, want[i]);
    free(cases);

    /* overlapping levels: duplicates dropped, sorted */
    struct scenario_machine close = small_machine;
    close.cache_levels = 2;
    close.cache_bytes[1] = 64 << 10;
    uint64_t want_close[] = {1024, 2048, 4096, 8192, 32768};
    cases = expand(s, &close, &count);
    assert_int_equal(count, 5);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(cases[i].keys, want_close[i]);
    free(cases);

    char err[ERR_LEN];
    struct scenario_machine blind = small_machine;
    blind.cache_levels = 0;
    assert_false(scenario_expand(s, &blind, &cases, &count, err));
    assert_true(strstr(err, "key 'keys': auto needs the machine's cache sizes") != NULL);
    scenario_free(s);
}

static void test_skip_reasons(void **state)
{
    struct scenario_machine numa = small_machine;
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nbackends = plain, mutex\n"
                                           "threads = 1, 2, 9\nread_pct = 100, 90\n");
    struct bench_case *cases = expand(s, &numa, &count);
    assert_int_equal(count, 12);
    /* plain: 1 thread fine either way; 2 threads fine read-only, skipped with writes */
    assert_false(cases[0].skipped || cases[1].skipped || cases[2].skipped);
    assert_true(cases[3].skipped);
    assert_string_equal(cases[3].skip_reason,
                        "backend 'plain' allows no writer beside other threads: 2 threads with "
                        "10% writes (misuse_demo=1 runs it anyway)");
    assert_true(cases[4].skipped);
    assert_string_equal(cases[4].skip_reason, "9 threads exceed 4 x the machine's 2 PUs");
    assert_true(cases[10].skipped && cases[11].skipped);
    assert_false(cases[9].skipped); /* mutex at 2 threads with writes */
    assert_string_equal(cases[9].skip_reason, "");
    free(cases);

    char err[ERR_LEN];
    assert_true(scenario_set(s, "misuse_demo=1", err));
    assert_true(scenario_set(s, "threads=2", err));
    cases = expand(s, &numa, &count);
    assert_false(cases[1].skipped);
    assert_true(cases[1].misuse_demo);
    free(cases);

    assert_true(scenario_set(s, "placement=numa:1, pus:0+5, numa:0", err));
    assert_true(scenario_set(s, "memory=bind:1, first-touch", err));
    assert_true(scenario_set(s, "backends=mutex", err));
    assert_true(scenario_set(s, "read_pct=90", err));
    cases = expand(s, &numa, &count);
    assert_int_equal(count, 6);
    assert_string_equal(cases[0].skip_reason,
                        "placement numa:1 needs NUMA node 1; the machine has 1");
    assert_string_equal(cases[3].skip_reason, "placement pus:0,5 names PU 5; the machine has 2");
    assert_string_equal(cases[4].skip_reason, "memory bind:1 needs NUMA node 1; the machine has 1");
    assert_false(cases[5].skipped);
    free(cases);
    numa.numa_nodes = 2;
    cases = expand(s, &numa, &count);
    assert_false(cases[0].skipped || cases[4].skipped);
    assert_true(cases[2].skipped); /* pus:0,5 still names a PU the machine lacks */
    free(cases);
    scenario_free(s);
}

/* The reference backends' rules come from the spec's traits, never the name: ref-absl:lock=none is
 * the unsynchronised ceiling (no writer beside other threads, like plain), ref-absl behind its lock
 * runs everything, and ref-tbb-unordered allows no delete beside other threads (unsafe_erase). */
static void test_skip_reference_rules(void **state)
{
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\n"
                                           "backends = ref-absl:lock=none, ref-absl,\n"
                                           "  ref-tbb-unordered\n"
                                           "threads = 1, 2\nread_pct = 90\n"
                                           "write_kind = update, insert-delete\n");
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 12); /* per backend: 1 thread update, insert-delete; 2 threads ... */
    assert_int_equal(cases[0].role, MAP_ROLE_CEILING);
    assert_int_equal(cases[4].role, MAP_ROLE_REFERENCE);
    assert_int_equal(cases[8].role, MAP_ROLE_REFERENCE);
    assert_false(cases[0].skipped || cases[1].skipped); /* the ceiling runs alone, writes and all */
    assert_true(cases[2].skipped && cases[3].skipped);
    assert_string_equal(cases[2].skip_reason,
                        "backend 'ref-absl' allows no writer beside other threads: 2 threads with "
                        "10% writes (misuse_demo=1 runs it anyway)");
    for (size_t i = 4; i < 8; i++) /* behind its lock: every case runs */
        assert_false(cases[i].skipped);
    assert_false(cases[8].skipped || cases[9].skipped || cases[10].skipped);
    assert_true(cases[11].skipped);
    assert_string_equal(cases[11].skip_reason,
                        "backend 'ref-tbb-unordered' allows no delete beside other threads: "
                        "2 threads with deletes (write_kind insert-delete, delete_pct 0)");
    free(cases);

    char err[ERR_LEN];
    assert_true(scenario_set(s, "backends=ref-tbb-unordered", err));
    assert_true(scenario_set(s, "write_kind=update", err));
    assert_true(scenario_set(s, "delete_pct=50", err));
    assert_true(scenario_set(s, "read_pct=90, 100", err));
    cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 4); /* 1 thread: 90, 100; 2 threads: 90, 100 */
    assert_false(cases[0].skipped || cases[1].skipped);
    assert_true(cases[2].skipped);
    assert_string_equal(cases[2].skip_reason,
                        "backend 'ref-tbb-unordered' allows no delete beside other threads: "
                        "2 threads with deletes (write_kind update, delete_pct 50)");
    assert_false(cases[3].skipped); /* reads only: delete_pct has no writes to apply to */
    free(cases);
    scenario_free(s);
}

static void test_case_sections(void **state)
{
    size_t count;
    struct scenario *s = load_text(*state, "[scenario]\nname = grouped\nbackends = mutex\n"
                                           "threads = 2\nops = 500\n"
                                           "[case first]\nread_pct = 100, 50\n"
                                           "[case second]\nkeys = 7\nduration = 3s\n"
                                           "[case first]\nhit_pct = 20\n");
    struct bench_case *cases = expand(s, &small_machine, &count);
    assert_int_equal(count, 3);
    assert_string_equal(cases[0].scenario, "grouped/first");
    assert_true(cases[0].read_pct == 100 && cases[1].read_pct == 50);
    assert_true(cases[0].hit_pct == 20);
    assert_int_equal(cases[0].threads, 2);       /* from [scenario] */
    assert_int_equal(cases[0].ops, 500);
    assert_string_equal(cases[2].scenario, "grouped/second");
    assert_int_equal(cases[2].keys, 7);
    assert_true(cases[2].read_pct == 90);          /* the default */
    assert_true(cases[2].duration_s == 3 && cases[2].ops == 0); /* the section's own window */
    free(cases);
    scenario_free(s);
}

static void test_case_text(void **state)
{
    (void)state;
    struct bench_case c = {.distribution = CASE_DIST_ZIPF, .zipf_theta = 0.99};
    char buf[32];
    assert_string_equal(case_distribution_text(&c, buf, sizeof buf), "zipf:0.99");
    c.distribution = CASE_DIST_HOT;
    c.hot_keys = 3;
    assert_string_equal(case_distribution_text(&c, buf, sizeof buf), "hot:3");
    c.distribution = CASE_DIST_UNIFORM;
    assert_string_equal(case_distribution_text(&c, buf, sizeof buf), "uniform");
    assert_string_equal(case_write_kind_name(CASE_WRITE_INSERT_DELETE), "insert-delete");
    assert_string_equal(case_write_kind_name(CASE_WRITE_LOAD_OR_STORE), "load-or-store");
    assert_string_equal(case_memory_name(CASE_MEMORY_FIRST_TOUCH), "first-touch");
    assert_string_equal(case_memory_name((enum case_memory)99), "?");
}

static void test_estimate(void **state)
{
    (void)state;
    struct bench_case cases[3] = {
        {.repetitions = 5, .duration_s = 1, .warmup_s = 0.2, .keys = 1000000},
        {.repetitions = 2, .ops = 10000000, .warmup_s = 0, .keys = 0},
        {.repetitions = 5, .duration_s = 100, .skipped = true},
    };
    /* the setup is paid per window, and the calibration case once per run */
    double want = 5 * (SCENARIO_SETUP_SECONDS + 1.2 + 1e6 * SCENARIO_PREFILL_SECONDS_PER_KEY) +
                  2 * (SCENARIO_SETUP_SECONDS + 1e7 * SCENARIO_SECONDS_PER_OP) +
                  SCENARIO_CALIBRATION_SECONDS;
    assert_float_equal(scenario_estimate_seconds(cases, 3), want, 1e-9);
    assert_float_equal(scenario_estimate_window_seconds(&cases[1]),
                       SCENARIO_SETUP_SECONDS + 1e7 * SCENARIO_SECONDS_PER_OP, 1e-12);
    /* a run whose every case is skipped measures nothing, calibration included */
    assert_float_equal(scenario_estimate_seconds(&cases[2], 1), 0, 0);
    assert_float_equal(scenario_estimate_window_seconds(&cases[2]), 0, 0);
}

static void test_budget_key(void **state)
{
    struct fixture *f = *state;
    struct scenario *s = load_text(f, "[scenario]\nbudget = 90s\nbackends = mutex\n");
    assert_float_equal(scenario_budget_seconds(s), 90, 0);
    char err[ERR_LEN];
    assert_true(scenario_set(s, "budget=10m", err));
    assert_float_equal(scenario_budget_seconds(s), 600, 0);
    assert_false(scenario_set(s, "budget=ten", err));
    scenario_free(s);
    s = load_text(f, "[scenario]\nbackends = mutex\n");
    assert_float_equal(scenario_budget_seconds(s), 0, 0); /* none stated */
    scenario_free(s);
}

/* Every backend issue 2 adds; a preset naming one not yet in this tree is skipped, not failed. */
static bool planned_backend_missing(const char *err)
{
    static const char *const planned[] = {"rcu", "cow", "syncmap", "ref-lfht", "ref-ckht"};
    for (size_t i = 0; i < sizeof planned / sizeof planned[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "unknown backend '%s'", planned[i]);
        if (strstr(err, text) && !map_registry_find(planned[i]))
            return true;
    }
    return false;
}

static void test_presets(void **state)
{
    (void)state;
    char err[ERR_LEN], **names;
    size_t n = scenario_list_presets(&names, err);
    static const char *const expected[] = {"churn", "go-sync", "key-count", "nightly", "quick",
                                           "rw-ratio", "shards", "skew", "threads"};
    assert_int_equal(n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(names[i], expected[i]);
        struct scenario *s = scenario_load(names[i], err);
        if (!s && planned_backend_missing(err)) {
            print_message("preset %s not expanded here: %s\n", names[i], err);
            continue;
        }
        if (!s)
            fail_msg("preset %s: %s", names[i], err);
        assert_string_equal(scenario_name(s), names[i]);
        assert_true(scenario_description(s)[0] != '\0');
        struct bench_case *cases;
        size_t count;
        if (!scenario_expand(s, &small_machine, &cases, &count, err))
            fail_msg("preset %s: %s", names[i], err);
        assert_true(count > 0);
        assert_true(scenario_estimate_seconds(cases, count) > 0);
        for (size_t c = 0; c < count; c++)
            assert_true(strncmp(cases[c].scenario, names[i], strlen(names[i])) == 0);
        free(cases);
        scenario_free(s);
    }
    scenario_free_presets(names, n);
}

/* Every preset's estimate (rounds, the calibration case and the setup of every window counted),
 * on a described 2-PU machine with every backend this tree registers, within the budget its header
 * states; quick within a minute and nightly within ten.  A preset that ranks or gates (all of them
 * here) runs at least 8 rounds: with 5, the smallest exact two-sided p of a signed-rank test over
 * the rounds is 2/32 = 0.0625, so nothing could ever be established. */
static void test_preset_budgets(void **state)
{
    (void)state;
    char err[ERR_LEN], **names;
    size_t n = scenario_list_presets(&names, err);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        struct scenario *s = scenario_load(names[i], err);
        if (!s)
            fail_msg("preset %s: %s", names[i], err);
        size_t count;
        struct bench_case *cases = expand(s, &small_machine, &count);
        double estimate = scenario_estimate_seconds(cases, count);
        double budget = scenario_budget_seconds(s);
        print_message("%-10s %4zu cases, %6.0f s estimated, budget %4.0f s\n", names[i], count,
                      estimate, budget);
        if (budget == 0)
            fail_msg("preset %s states no budget (`budget = ...` in [scenario])", names[i]);
        if (budget > 0 && estimate > budget)
            fail_msg("preset %s: %.0f s estimated over its budget of %.0f s: shorten its windows",
                     names[i], estimate, budget);
        for (size_t c = 0; c < count; c++)
            if (!cases[c].skipped && cases[c].repetitions < 8)
                fail_msg("preset %s: a case runs %d rounds; ranking needs at least 8", names[i],
                         cases[c].repetitions);
        if (strcmp(names[i], "quick") == 0)
            assert_true(budget > 0 && budget <= 60);
        if (strcmp(names[i], "nightly") == 0)
            assert_true(budget > 0 && budget <= 600);
        free(cases);
        scenario_free(s);
    }
    scenario_free_presets(names, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_dimension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_to_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_and_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backend_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cartesian_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_keys_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_and_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_auto, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_skip_reference_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_sections, setup, teardown),
        cmocka_unit_test(test_case_text),
        cmocka_unit_test(test_estimate),
        cmocka_unit_test_setup_teardown(test_presets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preset_budgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
