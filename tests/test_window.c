/*
 * test_window.c: one repetition end to end (runner/window.c): pinned workers, the timed window,
 * the figures it reports and the validation after it, on real backends with the real workload.
 * Also: the keys a window at 16M keys touches (as many as independent draws would, no wrap), the
 * latency samples' positions (spread over every position of their block), and the end of a window
 * (a backend whose gets take 10 ms on a fixed schedule, tests/plugins/slow_plugin.c, is measured at
 * its true rate).  No assertion depends on the machine's speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <limits.h>

#include "runner/window.h"
#include "runner/workload.h"
#include "tests/stats.h"
#include "tests/support.h"

static struct bench_case window_case(const char *backend, int threads, double read_pct)
{
    struct bench_case c;
    case_init(&c, "test", backend);
    c.threads = threads;
    c.read_pct = read_pct;
    c.duration_s = 0.1;
    c.warmup_s = 0;
    c.repetitions = 1;
    c.seed = 7;
    c.latency_every = 16;
    return c;
}

struct window_fixture {
    struct topo *topo;
    int pus[8];
    struct histogram *histograms;
    struct result_sample sample;
};

static int window_setup(void **state)
{
    struct window_fixture *f = calloc(1, sizeof *f);
    char err[ERR_LEN];
    f->topo = topo_open(NULL, NULL, err);
    assert_non_null(f->topo);
    f->histograms = calloc(RESULT_OP_COUNT, sizeof *f->histograms);
    *state = f;
    return 0;
}

static int window_teardown(void **state)
{
    struct window_fixture *f = *state;
    topo_close(f->topo);
    free(f->histograms);
    free(f);
    return 0;
}

static bool window_run_case(struct window_fixture *f, const struct bench_case *c, char *err)
{
    bool oversubscribed;
    assert_true(topo_plan_threads(f->topo, c->threads, c->placement, f->pus, &oversubscribed, err));
    struct window_config cfg = {.bench_case = c, .backend = map_registry_find(c->backend_name),
                                .topo = f->topo, .pus = f->pus};
    return window_run(&cfg, &f->sample, f->histograms, err);
}

/* Throughput is total operations over the window less the clock's share of it, and per-worker
 * counts sum to the total. */
static void test_null_throughput_is_ops_over_window(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("null", 3, 90);
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    assert_true(s->valid);
    assert_int_equal(s->workers, 3);
    uint64_t sum = 0;
    for (int i = 0; i < 3; i++) {
        assert_true(s->worker_ops[i] > 0);
        sum += s->worker_ops[i];
    }
    assert_int_equal(sum, s->total_ops);
    double busy_s = s->window_s - s->timer_ns_per_op * (double)s->total_ops / 3 / 1e9;
    assert_true(fabs(s->ops_per_s - (double)s->total_ops / busy_s) <= 1e-6 * s->ops_per_s);
    assert_true(fabs(s->ns_per_op + s->timer_ns_per_op - s->window_s * 1e9 * 3 / (double)s->total_ops) <=
                1e-6 * s->ns_per_op);
    assert_true(s->window_s >= 0.1 && s->window_s < 1.0);
    assert_true(s->gets + s->writes_attempted + s->ranges == s->total_ops);
}

/* A real map: the window validates, reports hits, latency samples and memory per key. */
static void test_mutex_window_is_valid_and_measured(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("mutex", 2, 90);
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    assert_true(s->valid);
    assert_int_equal(s->get_hits, s->gets); /* hit_pct 100 and writes are updates */
    assert_int_equal(s->writes_effective, s->writes_attempted);
    assert_true(s->latency[RESULT_OP_GET].samples > 0);
    assert_true(s->latency[RESULT_OP_GET].p50_ns <= s->latency[RESULT_OP_GET].p99_ns);
    assert_true(s->latency[RESULT_OP_GET].p99_ns <= s->latency[RESULT_OP_GET].max_ns);
    assert_true(s->bytes_per_key >= 16); /* a slot is 16 bytes */
    assert_true(s->peak_rss_bytes > 0);
    assert_false(s->cycles.present && s->cycles.value == 0); /* absent, never a made-up zero */
    assert_string_not_equal(s->worker_binding, "");
}

/* The bytes per key split into live data and what awaited reclamation: a locked table defers
 * nothing; cow under writes retires a copy per write, and once the window has run its deferred
 * frees what stays is one table, whatever number of copies were still pending when it ended. */
static void test_window_splits_live_and_pending_bytes(void **state)
{
    struct window_fixture *f = *state;
    char err[ERR_LEN];
    struct bench_case c = window_case("mutex", 1, 50);
    assert_true(window_run_case(f, &c, err));
    double table = f->sample.bytes_per_key;
    assert_true(f->sample.pending_bytes_per_key == 0);
    c = window_case("cow", 2, 50);
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    assert_true(s->valid);
    assert_true(isfinite(s->pending_bytes_per_key) && s->pending_bytes_per_key >= 0);
    double live = s->bytes_per_key - s->pending_bytes_per_key;
    if (!(live > table / 2 && live < table * 2))
        fail_msg("cow holds %.1f bytes per key live (%.1f held, %.1f pending); one table is about %.1f", live,
                 s->bytes_per_key, s->pending_bytes_per_key, table);
}

/* Insert-delete and insert growth keep the map's invariants through the window. */
static void test_churn_windows_validate(void **state)
{
    struct window_fixture *f = *state;
    char err[ERR_LEN];
    struct bench_case c = window_case("striped:shards=4", 3, 50);
    c.write_kind = CASE_WRITE_INSERT_DELETE;
    assert_true(window_run_case(f, &c, err));
    assert_true(f->sample.valid);
    assert_true(f->sample.writes_effective > 0);
    c.write_kind = CASE_WRITE_INSERT;
    c.warmup_s = 0.05;
    assert_true(window_run_case(f, &c, err));
    assert_true(f->sample.valid);
    assert_int_equal(f->sample.writes_effective, f->sample.writes_attempted);
}

/* Go's loads-or-stores of fresh keys, deletes of absent keys and adversarial loops keep the map's
 * invariants, on each of Go's three maps' counterparts. */
static void test_go_workloads_validate(void **state)
{
    struct window_fixture *f = *state;
    static const char *const specs[] = {"syncmap", "rwlock:impl=go,range=copy-keys",
                                        "cow:put_if_absent=load-first,copy=always"};
    char err[ERR_LEN];
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct bench_case c = window_case(specs[i], 2, 0);
        c.duration_s = 0.05;
        c.keys = 128;
        c.write_kind = CASE_WRITE_LOAD_OR_STORE; /* LoadOrStoreBalanced */
        c.hit_pct = 50;
        if (!window_run_case(f, &c, err))
            fail_msg("%s: %s", specs[i], err);
        assert_true(f->sample.valid);
        assert_true(f->sample.writes_effective > 0); /* fresh keys stored */
        assert_true(f->sample.writes_effective < f->sample.writes_attempted); /* and loads */
        c.write_kind = CASE_WRITE_UPDATE; /* LoadAndDeleteBalanced */
        c.delete_pct = 100;
        assert_true(window_run_case(f, &c, err));
        assert_true(f->sample.valid);
        assert_true(f->sample.writes_effective <= 128);
        c.write_kind = CASE_WRITE_ADVERSARIAL_DELETE;
        c.keys = 1024;
        c.read_pct = 100; /* does not apply to the loop */
        assert_true(window_run_case(f, &c, err));
        if (!f->sample.valid)
            fail_msg("%s: %s", specs[i], f->sample.invalid_reason);
        assert_true(f->sample.ranges > 0);
        assert_int_equal(f->sample.get_hits, 0); /* every load misses */
        /* each range is followed by a delete of the key it found and a store (an event may
         * straddle the end of the counted batches) */
        assert_true(f->sample.writes_attempted + 2 >= 2 * f->sample.ranges);
        c.write_kind = CASE_WRITE_ADVERSARIAL_ALLOC;
        c.keys = 0;
        assert_true(window_run_case(f, &c, err));
        assert_true(f->sample.valid);
        assert_true(f->sample.writes_effective > 0);
        assert_int_equal(f->sample.writes_effective, f->sample.writes_attempted);
    }
}

/* A map that allows no concurrent writer (plain) is still prefilled by every pinned worker, one
 * after another: concurrent prefills would corrupt it through its resizes. */
static void test_plain_prefill_takes_turns(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("plain", 3, 100);
    c.keys = 50000; /* a dozen resizes */
    c.duration_s = 0.05;
    char err[ERR_LEN];
    for (int round = 0; round < 3; round++) {
        assert_true(window_run_case(f, &c, err));
        assert_true(f->sample.valid);
        assert_int_equal(f->sample.get_hits, f->sample.gets);
    }
}

/* An ops window ends when the first worker meets its quota. */
static void test_ops_window_ends_at_first_quota(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("mutex", 2, 100);
    c.duration_s = 0;
    c.ops = 1 << 16;
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    uint64_t most = f->sample.worker_ops[0] > f->sample.worker_ops[1] ? f->sample.worker_ops[0]
                                                                        : f->sample.worker_ops[1];
    assert_true(most >= c.ops);
    assert_true(f->sample.window_s > 0);
}

/* The working set of a window at 16M keys (null: no table to fill) with two workers, each running
 * far more operations than its 64k operation pattern: the distinct keys touched are those of
 * independent uniform draws, k (1 - e^(-n/k)), within 5%, and no key stream wrapped.  With a
 * replayed stream of the pattern's length, each worker would touch at most 64k keys. */
static void test_working_set_at_16m_keys(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("null", 2, 100);
    c.keys = 16u << 20;
    c.duration_s = 0.05;
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    assert_true(s->worker_ops[0] > 4 * 65536 && s->worker_ops[1] > 4 * 65536);
    double k = (double)c.keys, n = (double)s->gets;
    double expected = k * -expm1(-n / k);
    assert_true(fabs((double)s->distinct_keys - expected) <= 0.05 * expected);
    assert_true(s->distinct_keys > 8 * 65536);
    assert_int_equal(s->stream_wraps, 0);
}

/* Latency samples: one in every `every` operations, at a position spread uniformly over its
 * block, so over 64k blocks of 64 every offset of a batch is sampled about equally (chi-square at
 * 1e-6), and over blocks of 1024 the offsets reach past the first batch of the block. */
static void test_sampled_positions_cover_the_batch(void **state)
{
    (void)state;
    enum { OFFSETS = 64, BLOCKS = 1 << 16 };
    uint64_t observed[OFFSETS] = {0};
    double expected[OFFSETS];
    for (uint64_t block = 0; block < BLOCKS; block++) {
        uint64_t at = window_sample_position(0x5eed, block, OFFSETS);
        assert_true(at >= block * OFFSETS && at < (block + 1) * OFFSETS);
        observed[at - block * OFFSETS]++;
    }
    for (int i = 0; i < OFFSETS; i++)
        expected[i] = (double)BLOCKS / OFFSETS;
    int df;
    assert_true(stats_chi_square(observed, expected, OFFSETS, &df) <=
                stats_chi_square_critical(df, STATS_Z_STRICT));
    uint64_t beyond_first_batch = 0;
    for (uint64_t block = 0; block < 4096; block++) {
        uint64_t offset = window_sample_position(7, block, 1024) - block * 1024;
        assert_true(offset < 1024);
        beyond_first_batch += offset >= 64;
    }
    assert_true(beyond_first_batch > 4096 / 2);
}

/* A window samples one operation per block of latency_every (rounded up to a power of two of at
 * least 64) and stores the timer's calibrated cost, already taken off its percentiles. */
static void test_window_samples_every_kth_operation(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("mutex", 1, 100);
    c.latency_every = 100; /* 128 */
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    uint64_t samples = s->latency[RESULT_OP_GET].samples, blocks = s->total_ops / 128;
    assert_true(samples + 2 >= blocks && samples <= blocks + 2);
    assert_true(s->latency_timer_ns > 0);
    assert_int_equal(f->histograms[RESULT_OP_GET].count, samples);
    assert_true(s->latency[RESULT_OP_GET].max_ns ==
                fmax(0, (double)f->histograms[RESULT_OP_GET].max - s->latency_timer_ns));
}

/* The figures hold no timer cost: the window less two clock reads per timed operation (one worker,
 * so its calibration is the stored mean).  Without sampling nothing is taken off. */
static void test_window_takes_the_clock_off_its_figures(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("mutex", 1, 100);
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    const struct result_sample *s = &f->sample;
    uint64_t timed = 0;
    for (int op = 0; op < RESULT_OP_COUNT; op++)
        timed += f->histograms[op].count;
    assert_true(timed > 0 && s->timer_ns_per_op > 0);
    double share = 2 * s->latency_timer_ns * (double)timed / (double)s->total_ops;
    assert_true(fabs(s->timer_ns_per_op - share) <= 1e-9 * share);
    double raw = s->window_s * 1e9 * s->workers / (double)s->total_ops;
    assert_true(fabs(s->ns_per_op + s->timer_ns_per_op - raw) <= 1e-9 * raw);
    assert_true(fabs(s->ops_per_s - 1e9 * s->workers / s->ns_per_op) <= 1e-9 * s->ops_per_s);

    c.latency_every = 0;
    assert_true(window_run_case(f, &c, err));
    raw = s->window_s * 1e9 * s->workers / (double)s->total_ops;
    assert_true(s->timer_ns_per_op == 0);
    assert_true(fabs(s->ns_per_op - raw) <= 1e-9 * raw);
}

static void window_load_slow_plugin(void)
{
    char bin[PATH_MAX], path[PATH_MAX + 64], err[ERR_LEN];
    if (map_registry_find("test-slow"))
        return;
    support_binary_dir(bin, sizeof bin);
    snprintf(path, sizeof path, "%s/../plugins/slow_plugin.so", bin);
    if (!map_plugin_load(path, err))
        fail_msg("%s", err);
}

/* The end of a window: gets that take 10 ms each on a fixed schedule (100 per second per thread,
 * by construction) are measured at that rate within 2%: an operation still running at the end is
 * not counted, and no batch of 64 of them (640 ms) runs past a 1 s window. */
static void test_slow_operations_end_with_the_window(void **state)
{
    struct window_fixture *f = *state;
    window_load_slow_plugin();
    struct bench_case c = window_case("test-slow", 2, 100);
    c.keys = 16;
    c.duration_s = 1.0;
    c.latency_every = 0;
    char err[ERR_LEN];
    assert_true(window_run_case(f, &c, err));
    double true_rate = 2 * 100.0;
    assert_true(fabs(f->sample.ops_per_s - true_rate) <= 0.02 * true_rate);
}

/* A backend spec that does not parse is an error naming it, not a crash. */
static void test_bad_backend_is_an_error(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("striped:shards=3", 1, 90);
    char err[ERR_LEN];
    struct window_config cfg = {.bench_case = &c, .backend = map_registry_find("striped"),
                                .topo = f->topo, .pus = f->pus};
    f->pus[0] = 0;
    assert_false(window_run(&cfg, &f->sample, f->histograms, err));
    assert_non_null(strstr(err, "power of two"));
}

/* An interrupt ends the window early and the repetition reports it. */
static void test_interrupt_ends_window(void **state)
{
    struct window_fixture *f = *state;
    struct bench_case c = window_case("mutex", 2, 90);
    c.duration_s = 30;
    atomic_bool interrupt = true;
    char err[ERR_LEN];
    bool oversubscribed;
    assert_true(topo_plan_threads(f->topo, 2, "compact", f->pus, &oversubscribed, err));
    struct window_config cfg = {.bench_case = &c, .backend = map_registry_find("mutex"),
                                .topo = f->topo, .pus = f->pus, .interrupt = &interrupt};
    assert_false(window_run(&cfg, &f->sample, f->histograms, err));
    assert_string_equal(err, "interrupted");
    assert_true(f->sample.window_s < 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_throughput_is_ops_over_window),
        cmocka_unit_test(test_mutex_window_is_valid_and_measured),
        cmocka_unit_test(test_window_splits_live_and_pending_bytes),
        cmocka_unit_test(test_churn_windows_validate),
        cmocka_unit_test(test_go_workloads_validate),
        cmocka_unit_test(test_plain_prefill_takes_turns),
        cmocka_unit_test(test_ops_window_ends_at_first_quota),
        cmocka_unit_test(test_working_set_at_16m_keys),
        cmocka_unit_test(test_sampled_positions_cover_the_batch),
        cmocka_unit_test(test_window_samples_every_kth_operation),
        cmocka_unit_test(test_window_takes_the_clock_off_its_figures),
        cmocka_unit_test(test_slow_operations_end_with_the_window),
        cmocka_unit_test(test_bad_backend_is_an_error),
        cmocka_unit_test(test_interrupt_ends_window),
    };
    return cmocka_run_group_tests_name("window", tests, window_setup, window_teardown);
}
