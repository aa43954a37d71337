/*
 * bench/harness.c: `make bench`: the performance of the harness itself, and each backend's
 * single-thread get cost, printed as figures and as ratios against a baseline measured in the
 * same run (these machines are shared and noisy; only same-run ratios travel).
 *
 *   1. harness cost: the `null` backend (1,000 keys, 100% gets, latency sampling at its default)
 *      against a bare loop that generates the same key stream (runner/workload.h's workload_keys,
 *      same case, same workers, same pinning) and does nothing else, at 1 and 2 threads, windows
 *      in alternation (null, bare, null, bare ...): both ns/op per thread and the median of the
 *      pairwise ratios null / bare (budget: at most 1.2x; aim: null at most 2 ns/op per thread);
 *      then the latency sampling's cost on its own: the calibrated timer pair, and `null` with
 *      sampling at its default against `null` without it, in alternation;
 *   2. stability: single-thread `plain` get at 1,000 keys, 5 repetitions: the median and the
 *      coefficient of variation of the repetitions (budget: at most 3%);
 *   3. every backend's single-thread get at 1,000 keys, as ns/op and as the median ratio to
 *      `mutex` over windows run in alternation with it (A B A B ...);
 *   4. each reference library's bare loop (bench/bare.h: the library used directly, pre-sized,
 *      inline read path, a fresh random key per get) against the same backend measured through
 *      the window, at 1,000 and 65,536 keys (ref-lfht at 1,048,576 too), 1 thread, 100% gets, in
 *      alternation (bare, adapter, window, bare, adapter, window ...): ns/op and the medians of
 *      the ratios adapter / bare, what the backend's adapter and its vtable call add to the library
 *      (bench/bare_adapter.c: the backend's get_many in the bare loop's skeleton), and window /
 *      bare, what the adapter and mapbench's window add together.  The bare loops run on a thread
 *      pinned to the PU the window's worker gets;
 *   5. issue #11's goals, each a ratio of throughputs measured side by side: the arms of a group
 *      (backends through the window, or bench/bare_probe.c's textbook linear-probing loop) timed
 *      in turn, BENCH_GOAL_ROUNDS rounds, each round giving one paired ratio; printed as the
 *      Hodges-Lehmann estimate of the rounds' ratios with its 95% interval (reports/stats.h's
 *      stats_walsh_interval on their logarithms), "met" only when the interval's lower end
 *      reaches the goal, and an A/A group (plain against itself) whose interval must hold 1.
 *      Goals: rcu >= 1.2x ref-tbb-unordered and >= 1.2x ref-lfht (2 threads, 64k keys, 99%
 *      gets); striped >= 1.0x ref-tbb-hash (2 threads, 64k keys, 50% updates); plain >= 1.0x
 *      ref-absl:lock=none and plain's cost within 1.25x the bare probing loop's (1 thread, 1K
 *      and 64k keys); rcu's speed-up from 1 to 2 threads >= 0.95x plain's (1K and 64k keys);
 *      plain's throughput >= 0.98x every other backend's but null's (1 thread, 1K and 64k keys).
 *   6. the prefill's layout (bench/layout.h): every backend's map read after one put_many and
 *      after two, at 1,000 and 65,536 keys; the median ratio of the costs per get, marked past
 *      1.05 (the map a case measures would depend on its thread count).
 * Windows run through runner/window.c, the same code `mapbench run` uses; the bare loops and the
 * layout section time their own loops (bench/bare.c, bench/layout.c).  Exit status 0 always:
 * a budget missed is printed, not failed, since a timing is no test on a shared machine.
 * Arguments name the sections to run (harness, stability, backends, bare, goals, layout); none
 * runs them all.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bare.h"
#include "bench/layout.h"
#include "reports/stats.h"
#include "runner/window.h"
#include "runner/workload.h"

#include "base/xalloc.h"

#define BENCH_REPS 5
#define BENCH_SECONDS 0.5

static struct bench_case bench_case_for(const char *backend, int threads, uint64_t keys,
                                        int latency_every)
{
    struct bench_case c;
    case_init(&c, "bench", backend);
    c.threads = threads;
    c.keys = keys;
    c.read_pct = 100;
    c.duration_s = BENCH_SECONDS;
    c.warmup_s = 0.1;
    c.repetitions = BENCH_REPS;
    c.latency_every = latency_every;
    return c;
}

static int bench_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_fail(const char *what, const char *err)
{
    fprintf(stderr, "bench: %s%s%s\n", what, err[0] ? ": " : "", err);
    exit(1);
}

/* The PUs a compact placement gives `threads` workers, as the window plans them. */
static void bench_plan(struct topo *topo, int threads, int *pus)
{
    bool oversubscribed;
    char err[ERR_LEN];
    if (!topo_plan_threads(topo, threads, "compact", pus, &oversubscribed, err))
        bench_fail("placement", err);
}

/* One window of case c (backend spec `spec`); returns ns/op per thread, and the sample when
 * `out`. */
static double bench_window_case(struct topo *topo, const char *spec, struct bench_case c,
                                struct result_sample *out)
{
    int threads = c.threads;
    int pus[256];
    char err[ERR_LEN] = "";
    struct map_spec parsed;
    const struct map_backend *backend;
    if (!map_spec_parse(spec, &parsed, &backend, err))
        bench_fail(spec, err);
    bench_plan(topo, threads, pus);
    struct window_config cfg = {.bench_case = &c, .backend = backend, .topo = topo, .pus = pus};
    struct histogram *h = xcalloc(RESULT_OP_COUNT, sizeof *h);
    struct result_sample *s = xmalloc(sizeof *s);
    if (!window_run(&cfg, s, h, err))
        bench_fail(spec, err);
    double ns = s->ns_per_op;
    if (out)
        *out = *s;
    free(h);
    free(s);
    return ns;
}

/* One window of backend spec `spec` at `threads` and `keys`, 100% gets, latency sampling every
 * `latency_every` operations (0: none); returns ns/op per thread, and the sample when `out`. */
static double bench_window_sampled(struct topo *topo, const char *spec, int threads, uint64_t keys,
                                   int latency_every, struct result_sample *out)
{
    return bench_window_case(topo, spec, bench_case_for(spec, threads, keys, latency_every), out);
}

/* Without latency sampling: no clock reads inside the loop, the harness at its leanest. */
static double bench_window_keys(struct topo *topo, const char *spec, int threads, uint64_t keys)
{
    return bench_window_sampled(topo, spec, threads, keys, 0, NULL);
}

static double bench_window(struct topo *topo, const char *backend, int threads)
{
    return bench_window_keys(topo, backend, threads, 1000);
}

static double bench_sorted_median(double *x, size_t n)
{
    qsort(x, n, sizeof x[0], bench_compare);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* BENCH_REPS windows; returns the median ns/op per thread and the CV of the repetitions. */
static double bench_measure(struct topo *topo, const char *backend, int threads, double *cv)
{
    double ns[BENCH_REPS], sum = 0, sq = 0;
    for (int r = 0; r < BENCH_REPS; r++)
        sum += ns[r] = bench_window(topo, backend, threads);
    double mean = sum / BENCH_REPS;
    for (int r = 0; r < BENCH_REPS; r++)
        sq += (ns[r] - mean) * (ns[r] - mean);
    *cv = sqrt(sq / (BENCH_REPS - 1)) / mean;
    return bench_sorted_median(ns, BENCH_REPS);
}

/* Windows of `backend` and of the baseline in alternation (A B A B ...), so drift of a shared
 * machine hits both alike; returns the median of the pairwise ratios, and the backend's median. */
static double bench_ratio(struct topo *topo, const char *backend, const char *baseline,
                          double *median_ns)
{
    double ratio[BENCH_REPS], ns[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) {
        ns[r] = bench_window(topo, backend, 1);
        ratio[r] = ns[r] / bench_window(topo, baseline, 1);
    }
    *median_ns = bench_sorted_median(ns, BENCH_REPS);
    return bench_sorted_median(ratio, BENCH_REPS);
}

/* ---- the harness's cost (section 1) ---- */

/* One thread of the bare generation loop: the stream the window's worker `index` would build,
 * its keys generated batch after batch, nothing done with them. */
struct bench_gen_job {
    struct topo *topo;
    int pu, index, threads;
    const struct bench_case *c;
    atomic_bool *stop;
    pthread_barrier_t *start;
    uint64_t ops;
    char err[ERR_LEN];
};

static void *bench_gen_thread(void *arg)
{
    struct bench_gen_job *job = arg;
    char binding[64];
    struct workload_stream s;
    bool ready = (!topo_is_this_system(job->topo) ||
                  topo_bind_current_thread(job->topo, job->pu, binding, sizeof binding, job->err)) &&
                 workload_build(job->c, job->index, job->threads, 1u << 16, &s, job->err);
    pthread_barrier_wait(job->start);
    if (!ready)
        return NULL;
    uint64_t keys[WORKLOAD_BATCH_MAX], position = 0;
    while (!atomic_load_explicit(job->stop, memory_order_relaxed)) {
        workload_keys(&s, position, WORKLOAD_BATCH_MAX, keys);
        position += WORKLOAD_BATCH_MAX;
    }
    job->ops = position;
    workload_free(&s);
    return NULL;
}

/* The bare generation loop on `threads` threads pinned as the window's workers, for one window's
 * length; returns ns/op per thread. */
static double bench_generation(struct topo *topo, int threads)
{
    struct bench_case c = bench_case_for("null", threads, 1000, 64);
    struct bench_gen_job jobs[256];
    pthread_t tids[256];
    int pus[256];
    atomic_bool stop = false;
    pthread_barrier_t start;
    bench_plan(topo, threads, pus);
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        jobs[i] = (struct bench_gen_job){topo, pus[i], i, threads, &c, &stop, &start, 0, ""};
        if (pthread_create(&tids[i], NULL, bench_gen_thread, &jobs[i]) != 0)
            bench_fail("generation loop", "pthread_create failed");
    }
    pthread_barrier_wait(&start);
    struct timespec began, ended;
    clock_gettime(CLOCK_MONOTONIC, &began);
    nanosleep(&(struct timespec){0, (long)(BENCH_SECONDS * 1e9)}, NULL);
    atomic_store(&stop, true);
    clock_gettime(CLOCK_MONOTONIC, &ended);
    uint64_t ops = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
        if (jobs[i].err[0])
            bench_fail("generation loop", jobs[i].err);
        ops += jobs[i].ops;
    }
    pthread_barrier_destroy(&start);
    double ns = (double)(ended.tv_sec - began.tv_sec) * 1e9 + (double)(ended.tv_nsec - began.tv_nsec);
    return ops ? ns * threads / (double)ops : 0;
}

/* `null` at its default sampling, the bare generation loop and `null` unsampled, in alternation;
 * the ratios pair each bare loop with the windows beside it. */
static void bench_harness_cost(struct topo *topo, int threads)
{
    double null_ns[BENCH_REPS], bare_ns[BENCH_REPS], lean_ns[BENCH_REPS], ratio[BENCH_REPS],
        lean_ratio[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) {
        null_ns[r] = bench_window_sampled(topo, "null", threads, 1000, 64, NULL);
        bare_ns[r] = bench_generation(topo, threads);
        lean_ns[r] = bench_window_sampled(topo, "null", threads, 1000, 0, NULL);
        ratio[r] = null_ns[r] / bare_ns[r];
        lean_ratio[r] = lean_ns[r] / bare_ns[r];
    }
    double null_median = bench_sorted_median(null_ns, BENCH_REPS);
    double ratio_median = bench_sorted_median(ratio, BENCH_REPS);
    printf("  %d thread%s: null %.2f ns/op, bare generation %.2f ns/op: null/bare %.2fx  "
           "[budget 1.2x: %s; aim 2 ns/op: %s]\n"
           "             null without latency sampling %.2f ns/op: %.2fx bare\n",
           threads, threads == 1 ? " " : "s", null_median, bench_sorted_median(bare_ns, BENCH_REPS),
           ratio_median, ratio_median <= 1.2 ? "met" : "MISSED", null_median <= 2.0 ? "met" : "missed",
           bench_sorted_median(lean_ns, BENCH_REPS), bench_sorted_median(lean_ratio, BENCH_REPS));
}

/* Latency sampling on its own: the timer pair's calibrated cost, and null with sampling at its
 * default (every 64th operation) against null without, in alternation.  The window takes the
 * clock's share off its figures (timer_ns_per_op, runner/result.h): `raw` adds it back, and what
 * remains between the sampled figure and the unsampled one is the estimate's error. */
static void bench_sampling_cost(struct topo *topo)
{
    double with[BENCH_REPS], raw[BENCH_REPS], without[BENCH_REPS], diff[BENCH_REPS],
        left[BENCH_REPS], timer[BENCH_REPS];
    struct result_sample *s = xmalloc(sizeof *s);
    for (int r = 0; r < BENCH_REPS; r++) {
        with[r] = bench_window_sampled(topo, "null", 1, 1000, 64, s);
        timer[r] = s->latency_timer_ns;
        raw[r] = with[r] + s->timer_ns_per_op;
        without[r] = bench_window_sampled(topo, "null", 1, 1000, 0, NULL);
        diff[r] = raw[r] - without[r];
        left[r] = with[r] - without[r];
    }
    free(s);
    double pair = bench_sorted_median(timer, BENCH_REPS);
    printf("  latency sampling: the timer's back-to-back reads %.1f ns apart; a timed operation pays "
           "two reads, every 64th operation: %.2f ns/op predicted; measured: null %.2f ns/op raw "
           "(sampled), %.2f unsampled, %.2f ns/op apart; the window takes the clock's share off: "
           "null sampled %.2f ns/op, %+.2f ns/op from unsampled\n",
           pair, 2 * pair / 64, bench_sorted_median(raw, BENCH_REPS),
           bench_sorted_median(without, BENCH_REPS), bench_sorted_median(diff, BENCH_REPS),
           bench_sorted_median(with, BENCH_REPS), bench_sorted_median(left, BENCH_REPS));
}

/* ---- bare loops against the window (section 4) ---- */

struct bench_bare_job {
    struct topo *topo;
    int pu;
    double (*loop)(const uint64_t *keys, uint64_t n, double seconds); /* NULL: the adapter's */
    const char *spec;                                                 /* the adapter's backend */
    const uint64_t *keys;
    uint64_t n;
    double ns;
    char err[ERR_LEN];
};

static void *bench_bare_thread(void *arg)
{
    struct bench_bare_job *job = arg;
    char binding[64];
    if (topo_is_this_system(job->topo) &&
        !topo_bind_current_thread(job->topo, job->pu, binding, sizeof binding, job->err))
        return NULL;
    job->ns = job->loop ? job->loop(job->keys, job->n, BENCH_SECONDS)
                        : bench_bare_adapter(job->spec, job->keys, job->n, BENCH_SECONDS, job->err);
    if (job->ns < 0 && !job->err[0])
        snprintf(job->err, sizeof job->err, "a get of the bare loop missed a present key");
    return NULL;
}

/* One bare loop (loop, or with loop NULL the backend spec's adapter in the bare skeleton) on a
 * thread pinned where the window's single worker runs; returns ns/op. */
static double bench_bare_on(struct topo *topo, double (*loop)(const uint64_t *, uint64_t, double),
                            const char *spec, const uint64_t *keys, uint64_t n)
{
    int pus[1];
    bench_plan(topo, 1, pus);
    struct bench_bare_job job = {topo, pus[0], loop, spec, keys, n, 0, ""};
    pthread_t thread;
    if (pthread_create(&thread, NULL, bench_bare_thread, &job) != 0)
        bench_fail("bare loop", "pthread_create failed");
    pthread_join(thread, NULL);
    if (job.err[0])
        bench_fail("bare loop", job.err);
    return job.ns;
}

static double bench_bare(struct topo *topo, double (*loop)(const uint64_t *, uint64_t, double),
                         const uint64_t *keys, uint64_t n)
{
    return bench_bare_on(topo, loop, NULL, keys, n);
}

static const struct bench_bare_pair {
    const char *spec;
    double (*loop)(const uint64_t *keys, uint64_t n, double seconds);
    const char *bare;   /* what the bare loop does */
    bool million;       /* also at 1,048,576 keys (issue #8 part 5: ref-lfht lagged there) */
} bench_bare_pairs[] = {
    {"ref-lfht", bench_bare_lfht, "cds_lfht_lookup in a read-side section", true},
    {"ref-tbb-hash", bench_bare_tbb_hash, "concurrent_hash_map find(const_accessor)", false},
    {"ref-tbb-unordered", bench_bare_tbb_unordered, "concurrent_unordered_map find", false},
    {"ref-absl:lock=none", bench_bare_absl, "flat_hash_map find", false},
    {"ref-absl", bench_bare_absl_mutex, "flat_hash_map find under a std::mutex", false},
};

/* Bare loop, adapter and window in alternation, BENCH_REPS triples; prints the medians and the
 * median ratios adapter / bare (the adapter's share) and window / bare (adapter and window). */
static void bench_bare_against_window(struct topo *topo, const struct bench_bare_pair *pair,
                                      uint64_t n)
{
    uint64_t *keys = xmalloc(n * sizeof *keys);
    for (uint64_t i = 0; i < n; i++)
        keys[i] = workload_key(i); /* the keys the window prefills */
    double bare[BENCH_REPS], adapter[BENCH_REPS], window[BENCH_REPS];
    double adapter_ratio[BENCH_REPS], window_ratio[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) {
        bare[r] = bench_bare(topo, pair->loop, keys, n);
        adapter[r] = bench_bare_on(topo, NULL, pair->spec, keys, n);
        window[r] = bench_window_keys(topo, pair->spec, 1, n);
        adapter_ratio[r] = adapter[r] / bare[r];
        window_ratio[r] = window[r] / bare[r];
    }
    free(keys);
    printf("  %-19s %7llu keys: bare %7.2f  adapter %7.2f (%4.2fx)  window %7.2f (%4.2fx)\n",
           pair->spec, (unsigned long long)n, bench_sorted_median(bare, BENCH_REPS),
           bench_sorted_median(adapter, BENCH_REPS), bench_sorted_median(adapter_ratio, BENCH_REPS),
           bench_sorted_median(window, BENCH_REPS), bench_sorted_median(window_ratio, BENCH_REPS));
}

static void bench_bare_section(struct topo *topo)
{
    static const uint64_t sizes[] = {1000, 65536, 1048576};
    printf("\neach reference library's bare loop against the same backend, in the bare skeleton\n"
           "through its vtable (adapter) and through the window (1 thread, 100%% gets, fresh random\n"
           "key per get; alternating; ns/op, and in parentheses the median ratio to bare):\n");
    for (size_t i = 0; i < sizeof bench_bare_pairs / sizeof bench_bare_pairs[0]; i++) {
        printf("  %s: bare loop = %s\n", bench_bare_pairs[i].spec, bench_bare_pairs[i].bare);
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
            if (sizes[k] < 1048576 || bench_bare_pairs[i].million)
                bench_bare_against_window(topo, &bench_bare_pairs[i], sizes[k]);
    }
}

/* ---- issue #11's goals, side by side (section 5) ---- */

#define BENCH_GOAL_ROUNDS 8 /* the fewest for a 95% signed-rank interval is 6 */
#define BENCH_GOAL_ARMS 4

/* One thing a goal times: a backend through the window, or (spec NULL) the bare probing loop. */
struct bench_arm {
    const char *spec;
    int threads;
    uint64_t keys;
    double read_pct;
};

/* A goal: a ratio of the arms' throughputs, prod over arms of (ns/op per thread)^power[i], so
 * power +1 on the baseline and -1 on the backend is "backend's throughput over baseline's", and a
 * speed-up from 1 to 2 threads over another's is +1, -1 on one backend's 1- and 2-thread arms and
 * -1, +1 on the other's.  Met when the interval's lower end reaches `target`. */
struct bench_goal {
    const char *text;
    double target;
    int power[BENCH_GOAL_ARMS];
};

/* Arms timed in turn each round (A B A B ...), and the goals read from them. */
struct bench_goal_group {
    const char *title;
    struct bench_arm arms[BENCH_GOAL_ARMS];
    struct bench_goal goals[BENCH_GOAL_ARMS - 1];
};

#define GOAL_KEYS_SMALL 1000
#define GOAL_KEYS_LARGE 65536

static const struct bench_goal_group bench_goal_groups[] = {
    {"A/A: plain against itself, 1 thread, 64k keys, 100% gets (the interval must hold 1)",
     {{"plain", 1, GOAL_KEYS_LARGE, 100}, {"plain", 1, GOAL_KEYS_LARGE, 100}},
     {{"plain / plain throughput", 0, {-1, 1}}}},
    {"rcu against the C++ and liburcu references, 2 threads, 64k keys, 99% gets",
     {{"rcu", 2, GOAL_KEYS_LARGE, 99}, {"ref-tbb-unordered", 2, GOAL_KEYS_LARGE, 99},
      {"ref-lfht", 2, GOAL_KEYS_LARGE, 99}},
     {{"rcu / ref-tbb-unordered throughput >= 1.2", 1.2, {-1, 1, 0}},
      {"rcu / ref-lfht throughput >= 1.2", 1.2, {-1, 0, 1}}}},
    {"striped against TBB's hash map, 2 threads, 64k keys, 50% writes (updates)",
     {{"striped", 2, GOAL_KEYS_LARGE, 50}, {"ref-tbb-hash", 2, GOAL_KEYS_LARGE, 50}},
     {{"striped / ref-tbb-hash throughput >= 1.0", 1.0, {-1, 1}}}},
    {"plain against Abseil (no lock) and the bare probing loop, 1 thread, 1K keys, 100% gets",
     {{"plain", 1, GOAL_KEYS_SMALL, 100}, {"ref-absl:lock=none", 1, GOAL_KEYS_SMALL, 100},
      {NULL, 1, GOAL_KEYS_SMALL, 100}},
     {{"plain / ref-absl:lock=none throughput >= 1.0", 1.0, {-1, 1, 0}},
      {"plain / bare probing throughput >= 0.8 (cost within 1.25x)", 0.8, {-1, 0, 1}}}},
    {"plain against Abseil (no lock) and the bare probing loop, 1 thread, 64k keys, 100% gets",
     {{"plain", 1, GOAL_KEYS_LARGE, 100}, {"ref-absl:lock=none", 1, GOAL_KEYS_LARGE, 100},
      {NULL, 1, GOAL_KEYS_LARGE, 100}},
     {{"plain / ref-absl:lock=none throughput >= 1.0", 1.0, {-1, 1, 0}},
      {"plain / bare probing throughput >= 0.8 (cost within 1.25x)", 0.8, {-1, 0, 1}}}},
    {"1 -> 2 threads, 1K keys, 100% gets: rcu's speed-up over plain's",
     {{"plain", 1, GOAL_KEYS_SMALL, 100}, {"plain", 2, GOAL_KEYS_SMALL, 100},
      {"rcu", 1, GOAL_KEYS_SMALL, 100}, {"rcu", 2, GOAL_KEYS_SMALL, 100}},
     {{"rcu's speed-up / plain's >= 0.95", 0.95, {-1, 1, 1, -1}}}},
    {"1 -> 2 threads, 64k keys, 100% gets: rcu's speed-up over plain's",
     {{"plain", 1, GOAL_KEYS_LARGE, 100}, {"plain", 2, GOAL_KEYS_LARGE, 100},
      {"rcu", 1, GOAL_KEYS_LARGE, 100}, {"rcu", 2, GOAL_KEYS_LARGE, 100}},
     {{"rcu's speed-up / plain's >= 0.95", 0.95, {-1, 1, 1, -1}}}},
};

static int bench_arm_count(const struct bench_goal_group *g)
{
    int n = 0;
    while (n < BENCH_GOAL_ARMS && g->arms[n].threads)
        n++;
    return n;
}

/* One window of an arm; ns/op per thread.  The bare loop's keys are the window's prefill. */
static double bench_arm_time(struct topo *topo, const struct bench_arm *arm, const uint64_t *keys)
{
    if (!arm->spec)
        return bench_bare(topo, bench_bare_probe, keys, arm->keys);
    struct bench_case c = bench_case_for(arm->spec, arm->threads, arm->keys, 0);
    c.read_pct = arm->read_pct;
    return bench_window_case(topo, arm->spec, c, NULL);
}

static void bench_goal_print(const struct bench_goal *goal, const double ns[][BENCH_GOAL_ARMS],
                             int arms)
{
    double log_ratio[BENCH_GOAL_ROUNDS];
    for (int r = 0; r < BENCH_GOAL_ROUNDS; r++) {
        log_ratio[r] = 0;
        for (int a = 0; a < arms; a++)
            log_ratio[r] += goal->power[a] * log(ns[r][a]);
    }
    struct stats_shift shift;
    stats_walsh_interval(log_ratio, BENCH_GOAL_ROUNDS, 0.05, &shift);
    double estimate = exp(shift.estimate), lo = exp(shift.lo), hi = exp(shift.hi);
    char verdict[64];
    if (goal->target == 0)
        snprintf(verdict, sizeof verdict, "%s", lo <= 1 && 1 <= hi ? "holds 1" : "EXCLUDES 1");
    else if (lo >= goal->target)
        snprintf(verdict, sizeof verdict, "met");
    else if (estimate >= goal->target)
        snprintf(verdict, sizeof verdict, "not shown: the interval reaches below");
    else
        snprintf(verdict, sizeof verdict, "MISSED by %.0f%%", (1 - estimate / goal->target) * 100);
    printf("    %-60s %5.2fx  [%.2f, %.2f]  %s\n", goal->text, estimate, lo, hi, verdict);
}

static void bench_goal_group_run(struct topo *topo, const struct bench_goal_group *g)
{
    int arms = bench_arm_count(g);
    double ns[BENCH_GOAL_ROUNDS][BENCH_GOAL_ARMS];
    uint64_t *keys[BENCH_GOAL_ARMS] = {0};
    for (int a = 0; a < arms; a++) {
        if (g->arms[a].spec)
            continue;
        keys[a] = xmalloc(g->arms[a].keys * sizeof *keys[a]);
        for (uint64_t i = 0; i < g->arms[a].keys; i++)
            keys[a][i] = workload_key(i); /* the keys the window prefills */
    }
    for (int r = 0; r < BENCH_GOAL_ROUNDS; r++)
        for (int a = 0; a < arms; a++)
            ns[r][a] = bench_arm_time(topo, &g->arms[a], keys[a]);
    printf("  %s\n", g->title);
    for (int a = 0; a < arms; a++) {
        double column[BENCH_GOAL_ROUNDS];
        for (int r = 0; r < BENCH_GOAL_ROUNDS; r++)
            column[r] = ns[r][a];
        printf("    %-19s %d thread%s  %7.2f ns/op per thread (median)\n",
               g->arms[a].spec ? g->arms[a].spec : "bare probing loop", g->arms[a].threads,
               g->arms[a].threads == 1 ? " " : "s", bench_sorted_median(column, BENCH_GOAL_ROUNDS));
    }
    for (size_t k = 0; k < sizeof g->goals / sizeof g->goals[0] && g->goals[k].text; k++)
        bench_goal_print(&g->goals[k], (const double(*)[BENCH_GOAL_ARMS])ns, arms);
    for (int a = 0; a < arms; a++)
        free(keys[a]);
}

/* "plain is the ceiling" (issue #11 part 2): plain against every other backend but null, 1 thread,
 * 100% gets, at `keys`: groups of plain and three backends, each backend's goal plain's throughput
 * over its own with the interval's lower end at least 0.98. */
static void bench_goals_ceiling(struct topo *topo, uint64_t keys)
{
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    char titles[BENCH_GOAL_ARMS - 1][96];
    struct bench_goal_group g = {0};
    int arms = 1;
    for (size_t i = 0; i <= count; i++) {
        bool last = i == count;
        if (!last && (strcmp(all[i]->name, "null") == 0 || strcmp(all[i]->name, "plain") == 0))
            continue;
        if (!last) {
            g.arms[arms] = (struct bench_arm){all[i]->name, 1, keys, 100};
            snprintf(titles[arms - 1], sizeof titles[0], "plain / %s throughput >= 0.98",
                     all[i]->name);
            g.goals[arms - 1] = (struct bench_goal){titles[arms - 1], 0.98, {0}};
            g.goals[arms - 1].power[0] = -1;
            g.goals[arms - 1].power[arms] = 1;
            arms++;
        }
        if (arms == BENCH_GOAL_ARMS || (last && arms > 1)) {
            g.title = keys == GOAL_KEYS_SMALL ? "plain is the ceiling: 1 thread, 1K keys, 100% gets"
                                              : "plain is the ceiling: 1 thread, 64k keys, 100% gets";
            g.arms[0] = (struct bench_arm){"plain", 1, keys, 100};
            bench_goal_group_run(topo, &g);
            g = (struct bench_goal_group){0};
            arms = 1;
        }
    }
}

static void bench_goals_section(struct topo *topo, const struct topo_summary *summary)
{
    printf("\nissue #11's goals: each group's arms timed in turn, %d rounds; a ratio is the "
           "Hodges-Lehmann estimate over the rounds' paired ratios, with its 95%% interval; "
           "met when the interval's lower end reaches the goal:\n",
           BENCH_GOAL_ROUNDS);
    for (size_t i = 0; i < sizeof bench_goal_groups / sizeof bench_goal_groups[0]; i++) {
        const struct bench_goal_group *g = &bench_goal_groups[i];
        bool fits = true;
        for (int a = 0; a < bench_arm_count(g); a++)
            fits = fits && g->arms[a].threads <= summary->pus;
        if (fits)
            bench_goal_group_run(topo, g);
        else
            printf("  %s: skipped, fewer PUs than threads\n", g->title);
    }
    bench_goals_ceiling(topo, GOAL_KEYS_SMALL);
    bench_goals_ceiling(topo, GOAL_KEYS_LARGE);
}

static void bench_harness_section(struct topo *topo, const struct topo_summary *summary)
{
    printf("harness cost: null (1,000 keys, 100%% gets, latency sampling every 64th operation) "
           "against a bare loop generating the same keys; alternating; per thread:\n");
    bench_harness_cost(topo, 1);
    if (summary->pus >= 2)
        bench_harness_cost(topo, 2);
    bench_sampling_cost(topo);
}

static void bench_stability_section(struct topo *topo)
{
    double cv, plain = bench_measure(topo, "plain", 1, &cv);
    printf("plain get, 1,000 keys, 1 thread: median %.2f ns/op, CV %.2f%%  [budget 3%%: %s]\n",
           plain, cv * 100, cv <= 0.03 ? "met" : "MISSED");
}

static void bench_backends_section(struct topo *topo)
{
    printf("\nsingle-thread get at 1,000 keys; ratio to mutex from alternating windows:\n");
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++) {
        double ns, ratio = bench_ratio(topo, all[i]->name, "mutex", &ns);
        printf("  %-17s %7.2f ns/op  %5.2fx mutex\n", all[i]->name, ns, ratio);
    }
}

/* Section 6: every backend's map read after a prefill in one put_many and in two (bench/layout.h).
 * A ratio away from 1 means the thread count of a case changes the map it measures. */
static void bench_layout_section(struct topo *topo, const struct topo_summary *summary)
{
    static const uint64_t sizes[] = {1000, 65536};
    int pus[2];
    bench_plan(topo, summary->pus >= 2 ? 2 : 1, pus);
    if (summary->pus < 2)
        pus[1] = pus[0];
    printf("\nthe prefill's layout: each backend's map, reserved as the window does, filled by\n"
           "one put_many and by two (two threads in turn), read by one thread in alternation\n"
           "(median of %d; two-call cost per get / one-call cost per get; past 1.05 the map a\n"
           "case measures depends on its thread count):\n",
           BENCH_LAYOUT_READINGS);
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++) {
        if (all[i]->role == MAP_ROLE_HARNESS)
            continue; /* null holds nothing to read */
        printf("  %-17s", all[i]->name);
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            char err[ERR_LEN] = "";
            double ratio = bench_layout_ratio(topo, pus, all[i]->name, sizes[k], err);
            if (ratio < 0)
                bench_fail(all[i]->name, err);
            printf("  %6llu keys %5.2fx%s", (unsigned long long)sizes[k], ratio,
                   ratio > 1.05 ? " (depends on the split)" : "");
        }
        printf("\n");
    }
}

/* Is section `name` asked for?  No argument asks for every section. */
static bool bench_wanted(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return argc < 2;
}

/* bench/harness [harness] [stability] [backends] [bare] [goals] [layout]: the sections named, or
 * all. */
int main(int argc, char **argv)
{
    char err[ERR_LEN];
    static const char *const sections[] = {"harness", "stability", "backends", "bare", "goals",
                                           "layout"};
    for (int i = 1; i < argc; i++) {
        bool known = false;
        for (size_t k = 0; k < sizeof sections / sizeof sections[0]; k++)
            known = known || strcmp(argv[i], sections[k]) == 0;
        if (!known) {
            fprintf(stderr,
                    "bench: unknown section '%s' (harness, stability, backends, bare, goals, layout)\n",
                    argv[i]);
            return 2;
        }
    }
    struct topo *topo = topo_open(NULL, NULL, err);
    if (!topo) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    struct topo_summary summary;
    topo_summarize(topo, &summary);
    printf("mapbench harness benchmark (%d PUs, median of %d windows of 0.5 s)\n", summary.pus,
           BENCH_REPS);
    if (bench_wanted(argc, argv, "harness"))
        bench_harness_section(topo, &summary);
    if (bench_wanted(argc, argv, "stability"))
        bench_stability_section(topo);
    if (bench_wanted(argc, argv, "backends"))
        bench_backends_section(topo);
    if (bench_wanted(argc, argv, "bare"))
        bench_bare_section(topo);
    if (bench_wanted(argc, argv, "goals"))
        bench_goals_section(topo, &summary);
    if (bench_wanted(argc, argv, "layout"))
        bench_layout_section(topo, &summary);
    topo_close(topo);
    return 0;
}
