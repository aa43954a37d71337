/*
 * window.c: one repetition of a case (see window.h for why each repetition stands alone).
 *
 * Timing.  Workers are pinned, then prefill their share of the map, build their streams and
 * calibrate the latency timer, all before timing.  Each phase (an optional warm-up, then the
 * measured window, then the count of the keys it touched) starts behind one barrier; the
 * coordinator then reads the clock and releases everyone through a `go` generation word that the
 * workers spin on (yielding, so an oversubscribed worker cannot keep the coordinator off the CPU).
 * A duration window ends when the coordinator, after sleeping, reads the clock again and raises
 * `stop`; an ops window ends when the first worker completes its quota and raises it (its clock
 * read is the end).  Either way every worker runs for the whole window: none finishes early and
 * leaves the others alone inside it.
 *
 * Batches and the end of a window.  A worker runs its stream in batches: it fills the batch's keys
 * from the counter-based generator (runner/workload.h), runs the batch, then looks at `stop`.  A
 * batch that ends with `stop` raised may have finished after the end, so it is not counted (its
 * writes still count for validation): only operations known to have finished inside the window
 * are.  That leaves at most one batch's worth of work per worker uncounted, and batches are kept
 * short in time: a batch is 64 operations, halved while a batch takes longer than
 * WINDOW_BATCH_TARGET_NS, down to one operation, and doubled again when batches run short.  The
 * worker reads the clock for that every WINDOW_CHECK_BATCHES batches of 64 (about 0.01 ns an
 * operation) or after every shorter batch, and starts each repetition at one operation a batch, so
 * an operation of milliseconds (cow's writes at 1M keys, a range) costs the count at most itself.
 *
 * The timed loop.  Read-only streams hand each batch to the backend's get_many in one call (a
 * loop of get where it has none); mixed streams dispatch per operation, gets inline and the rest
 * out of line.  No random-number work beyond the key generator, no clock reads beyond the batch
 * size's checks and one pair around every Kth operation for the latency histogram, counters in
 * locals.  The timed operation is at a random position in its block of K (so every position of the
 * operation pattern is sampled, not the first of each batch), and the pair's own cost, calibrated
 * before the window, is subtracted from the stored percentiles.
 */
#include "runner/window.h"

#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "runner/disturbance.h"
#include "runner/perf_counters.h"
#include "runner/placement.h"
#include "runner/planted.h"
#include "runner/rng.h"
#include "runner/workload.h"

#define WINDOW_BATCH WORKLOAD_BATCH_MAX /* the longest batch: 64 operations */
#define WINDOW_PATTERN (1u << 16)        /* operations in a worker's cyclic operation pattern */
#define WINDOW_BATCH_TARGET_NS 20000u    /* a batch longer than this is halved */
#define WINDOW_CHECK_BATCHES 64          /* full batches between two clock reads */
#define WINDOW_TIMER_PAIRS 255           /* back-to-back clock pairs in the timer's calibration */
#define WINDOW_TOUCHED_PRIVATE_MAX (64u << 20) /* bytes of per-worker bitmaps, all workers together;
                                                  above, the workers mark one shared bitmap */

struct window_tally {
    uint64_t ops, gets, get_hits, writes_attempted, writes_effective, inserts, deletes, ranges;
};

struct window_shared;

/* Where a worker's stream stands.  The position of an operation also serves as the version
 * written with it: unique per worker, so every put writes a new value, and no counter is kept. */
struct window_cursor {
    uint64_t position;
    uint64_t fresh;       /* fresh keys the pattern's WORKLOAD_FRESH_FLAG operations used so far */
    struct workload_loop loop; /* Go's loop, for a stream that is one */
    uint64_t next_sample; /* position of the next timed operation; UINT64_MAX: none */
};

enum window_task { WINDOW_TASK_RUN, WINDOW_TASK_COUNT_TOUCHED };

struct window_worker {
    alignas(64) struct window_shared *shared;
    int index;
    unsigned batch;              /* operations per batch now: a power of two, 1..WINDOW_BATCH */
    struct window_cursor cursor; /* where the next phase continues */
    struct window_tally measured;
    uint64_t measured_first;     /* the counted operations' positions: [first, first + ops) */
    uint64_t inserts_all, deletes_all; /* every phase, counted or not: what validation needs */
    struct workload_stream stream;
    struct workload_touched touched;
    double timer_ns;             /* the latency timer pair's cost on this worker's PU */
    struct perf_counters perf;
    bool perf_present;
    char binding[32];
    bool misbound;              /* the binding read back is not the planned PU */
    uint64_t cpu_ns;            /* the thread's CPU time in the measured window */
    bool failed;
    char error[ERR_LEN];
    struct histogram *histograms; /* RESULT_OP_COUNT of them */
};

struct window_shared {
    const struct window_config *config;
    struct placement *placement;
    struct map *map;
    int workers;
    pthread_barrier_t ready, start, done;
    alignas(64) atomic_uint go;
    alignas(64) atomic_bool stop;
    atomic_bool abandon;        /* set before a phase when setup failed: workers leave at once */
    pthread_mutex_t prefill_lock; /* takes turns prefilling a map that allows no concurrent writer */
    enum map_concurrency concurrency; /* of the case's spec (its traits) */
    _Atomic uint64_t first_finish_ns;
    enum window_task task;      /* what the current phase does */
    struct workload_touched touched; /* the shared bitmap of touched keys, when touched_shared */
    bool touched_shared;
    bool recording;             /* the current phase is the measured one */
    struct disturbance disturbance; /* what disturbed the measured phase (disturbance.h) */
    uint64_t ops_quota;         /* per worker in ops mode, else 0 */
    uint64_t process_cpu_ns;    /* the process's CPU time in the measured window */
};

static uint64_t window_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t window_cpu_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool window_range_count(uint64_t key, uint64_t value, void *arg)
{
    (void)key, (void)value;
    ++*(uint64_t *)arg;
    return true;
}

static enum result_op window_result_op(uint8_t op)
{
    static const enum result_op map_ops[] = {
        [WORKLOAD_GET] = RESULT_OP_GET,
        [WORKLOAD_PUT] = RESULT_OP_PUT,
        [WORKLOAD_PUT_IF_ABSENT] = RESULT_OP_PUT_IF_ABSENT,
        [WORKLOAD_DEL] = RESULT_OP_DEL,
        [WORKLOAD_RANGE] = RESULT_OP_RANGE,
        [WORKLOAD_RANGE_FIRST] = RESULT_OP_RANGE,
    };
    return map_ops[op];
}

/* The backend's operations copied into locals before the loop, so the timed loop makes one
 * indirect call per operation (per batch for read-only batches with get_many) without reloading
 * the vtable each time. */
struct window_calls {
    bool (*get)(struct map *, uint64_t, uint64_t *);
    uint64_t (*get_many)(struct map *, const uint64_t *, size_t, uint64_t *);
    bool (*put)(struct map *, uint64_t, uint64_t);
    bool (*put_if_absent)(struct map *, uint64_t, uint64_t, uint64_t *);
    bool (*del)(struct map *, uint64_t);
    void (*range)(struct map *, map_range_fn, void *);
};

/* Every operation but get, kept out of line so the get path of the timed loop stays small. */
static __attribute__((noinline)) void window_apply_other(const struct window_calls *calls,
                                                         struct map *m, uint8_t op, uint64_t key,
                                                         uint64_t version, struct window_tally *t)
{
    uint64_t value;
    switch (op) {
    case WORKLOAD_PUT:
        t->writes_attempted++;
        t->writes_effective++; /* an update writes a new value; an insert adds a key */
        t->inserts += calls->put(m, key, workload_value(key, version));
        break;
    case WORKLOAD_PUT_IF_ABSENT: {
        bool stored = calls->put_if_absent(m, key, workload_value(key, version), &value);
        t->writes_attempted++;
        t->writes_effective += stored;
        t->inserts += stored;
        break;
    }
    case WORKLOAD_DEL: {
        bool removed = calls->del(m, key);
        t->writes_attempted++;
        t->writes_effective += removed;
        t->deletes += removed;
        break;
    }
    case WORKLOAD_GET:
        t->get_hits += calls->get(m, key, &value);
        break;
    default: {
        uint64_t visited = 0;
        calls->range(m, window_range_count, &visited);
        t->ranges++;
        break;
    }
    }
}

/* One operation of a mixed stream: gets inline, counted into *hits (a register of the caller's:
 * the tally itself escapes to window_apply_other, so adding to it would be a store per get), the
 * rest out of line into t. */
static inline __attribute__((always_inline)) void
window_apply(const struct window_calls *calls, struct map *m, uint8_t op, uint64_t key,
             uint64_t version, uint64_t *hits, struct window_tally *t)
{
    uint64_t value;
    if (__builtin_expect(op == WORKLOAD_GET, 1))
        *hits += calls->get(m, key, &value);
    else
        window_apply_other(calls, m, op, key, version, t);
}

/* n gets (n <= WINDOW_BATCH) in one call where the backend batches them; returns the hits. */
static inline uint64_t window_gets(const struct window_calls *calls, struct map *m,
                                   const uint64_t *keys, size_t n)
{
    uint64_t values[WINDOW_BATCH], hits = 0;
    if (calls->get_many)
        return n ? (uint64_t)__builtin_popcountll(calls->get_many(m, keys, n, values)) : 0;
    for (size_t j = 0; j < n; j++)
        hits += calls->get(m, keys[j], &values[0]);
    return hits;
}

/* ---- latency sampling ---- */

/* Operations per timed one: latency_every rounded up to a power of two of at least WINDOW_BATCH,
 * so a batch (which never crosses a multiple of its own length) holds at most one; 0: none. */
static uint64_t window_sample_every(const struct bench_case *c)
{
    if (c->latency_every <= 0)
        return 0;
    uint64_t every = WINDOW_BATCH;
    while (every < (uint64_t)c->latency_every)
        every *= 2;
    return every;
}

uint64_t window_sample_position(uint64_t salt, uint64_t block, uint64_t every)
{
    uint64_t mixed = block ^ salt;
    uint64_t offset = rng_splitmix64(&mixed) & (every - 1);
    return block * every + offset;
}

/* The first timed position at or after `position` (every > 0). */
static uint64_t window_next_sample(const struct window_worker *w, uint64_t position, uint64_t every)
{
    uint64_t block = position / every;
    uint64_t at = window_sample_position(w->stream.weyl, block, every);
    return at >= position ? at : window_sample_position(w->stream.weyl, block + 1, every);
}

/* The median cost of a back-to-back pair of clock reads: what every timed operation carries. */
static double window_timer_calibrate(void)
{
    uint64_t cost[WINDOW_TIMER_PAIRS];
    for (int i = 0; i < WINDOW_TIMER_PAIRS; i++) {
        uint64_t began = window_now_ns();
        cost[i] = window_now_ns() - began;
    }
    for (int i = 1; i < WINDOW_TIMER_PAIRS; i++) /* insertion sort: 255 values, once */
        for (int j = i; j > 0 && cost[j - 1] > cost[j]; j--) {
            uint64_t t = cost[j];
            cost[j] = cost[j - 1];
            cost[j - 1] = t;
        }
    return (double)cost[WINDOW_TIMER_PAIRS / 2];
}

/* ---- one batch ---- */

/* The key of a pattern byte's operation: the drawn one, or the worker's next fresh key. */
static inline uint64_t window_key(const struct window_worker *w, uint8_t byte, uint64_t drawn,
                                  struct window_cursor *cur)
{
    if (byte & WORKLOAD_FRESH_FLAG)
        return workload_fresh_key(w->index, w->shared->workers, cur->fresh++);
    return drawn;
}

static bool window_range_first_visit(uint64_t key, uint64_t value, void *arg)
{
    (void)value;
    struct workload_loop *l = arg;
    workload_loop_found(l, true, key);
    return false; /* stop at the first pair, as Go's callback does */
}

/* n operations of Go's loop from the cursor, the one at index `timed` (if below n) timed. */
static void window_run_loop(const struct window_worker *w, const struct window_calls *calls,
                            struct map *m, size_t n, size_t timed, struct window_cursor *cur,
                            uint64_t *hits, struct window_tally *t)
{
    for (size_t j = 0; j < n; j++) {
        uint64_t key, began = j == timed ? window_now_ns() : 0;
        uint8_t op = workload_loop_next(&w->stream, &cur->loop, &key);
        if (op == WORKLOAD_RANGE_FIRST) {
            calls->range(m, window_range_first_visit, &cur->loop);
            t->ranges++;
        } else {
            window_apply(calls, m, op, key, cur->position + j, hits, t);
        }
        if (j == timed)
            histogram_record(&w->histograms[window_result_op(op)], window_now_ns() - began);
    }
}

/* Operations [from, to) of the batch, untimed. */
static inline void window_run_span(const struct window_worker *w, const struct window_calls *calls,
                                   struct map *m, const uint64_t *keys, size_t from, size_t to,
                                   struct window_cursor *cur, uint64_t *hits,
                                   struct window_tally *t)
{
    const struct workload_stream *s = &w->stream;
    if (s->gets_only) {
        *hits += window_gets(calls, m, keys + from, to - from);
        return;
    }
    const uint8_t *pattern = s->ops + (cur->position & s->mask);
    for (size_t j = from; j < to; j++) {
        uint64_t key = window_key(w, pattern[j], keys[j], cur);
        window_apply(calls, m, pattern[j] & WORKLOAD_OP_BITS, key, cur->position + j, hits, t);
    }
}

/* Operation j of the batch, timed into its histogram. */
static void window_run_timed(const struct window_worker *w, const struct window_calls *calls,
                             struct map *m, const uint64_t *keys, size_t j,
                             struct window_cursor *cur, uint64_t *hits, struct window_tally *t)
{
    const struct workload_stream *s = &w->stream;
    uint8_t op = workload_op_at(s, cur->position + j);
    uint64_t key = window_key(w, s->ops[(cur->position + j) & s->mask], keys[j], cur);
    uint64_t began = window_now_ns();
    window_apply(calls, m, op, key, cur->position + j, hits, t);
    histogram_record(&w->histograms[window_result_op(op)], window_now_ns() - began);
}

/* One batch of n operations from the cursor: its keys, then the operations, the one at
 * cur->next_sample timed; a loop's operations come from the loop.  Returns the batch's tally (ops
 * not set). */
static inline void window_run_batch(const struct window_worker *w, const struct window_calls *calls,
                                    struct map *m, size_t n, uint64_t every,
                                    struct window_cursor *cur, struct window_tally *t)
{
    uint64_t keys[WINDOW_BATCH], hits = 0;
    bool sampled = __builtin_expect(cur->next_sample - cur->position < n, 0);
    size_t timed = sampled ? (size_t)(cur->next_sample - cur->position) : n;
    if (__builtin_expect(w->stream.loop != WORKLOAD_LOOP_NONE, 0)) {
        window_run_loop(w, calls, m, n, timed, cur, &hits, t);
    } else if (sampled) {
        workload_keys(&w->stream, cur->position, n, keys);
        window_run_span(w, calls, m, keys, 0, timed, cur, &hits, t);
        window_run_timed(w, calls, m, keys, timed, cur, &hits, t);
        window_run_span(w, calls, m, keys, timed + 1, n, cur, &hits, t);
    } else {
        workload_keys(&w->stream, cur->position, n, keys);
        window_run_span(w, calls, m, keys, 0, n, cur, &hits, t);
    }
    if (sampled)
        cur->next_sample = window_sample_position(w->stream.weyl, cur->next_sample / every + 1,
                                                  every);
    cur->position += n;
    t->get_hits += hits;
}

/* ---- the batch size ---- */

struct window_pace {
    uint64_t last_ns;  /* the clock at the last check */
    unsigned batches;  /* batches since */
};

/* After a counted batch: every WINDOW_CHECK_BATCHES full batches, or after each shorter one,
 * compare the batches' mean length with the target; halve the batch when over it, double it when
 * under a quarter of it (only where the position is aligned to the doubled length, so no batch
 * ever crosses a multiple of its length: a sampling block holds its timed operation whole). */
static void window_pace(struct window_worker *w, struct window_pace *pace, uint64_t position)
{
    if (++pace->batches < (w->batch == WINDOW_BATCH ? WINDOW_CHECK_BATCHES : 1))
        return;
    uint64_t now = window_now_ns(), mean = (now - pace->last_ns) / pace->batches;
    if (mean > WINDOW_BATCH_TARGET_NS && w->batch > 1)
        w->batch /= 2;
    else if (mean < WINDOW_BATCH_TARGET_NS / 4 && w->batch < WINDOW_BATCH &&
             (position & (2 * w->batch - 1)) == 0)
        w->batch *= 2;
    pace->last_ns = now;
    pace->batches = 0;
}

static void window_tally_add(struct window_tally *into, const struct window_tally *t)
{
    into->get_hits += t->get_hits;
    into->writes_attempted += t->writes_attempted;
    into->writes_effective += t->writes_effective;
    into->inserts += t->inserts;
    into->deletes += t->deletes;
    into->ranges += t->ranges;
}

/* Ends an ops window: the first worker to meet its quota stamps the end and stops everyone. */
static void window_quota_met(struct window_shared *sh)
{
    uint64_t expected = 0;
    atomic_compare_exchange_strong(&sh->first_finish_ns, &expected, window_now_ns());
    atomic_store_explicit(&sh->stop, true, memory_order_relaxed);
}

/* The timed loop of one phase: batches until `stop`; the batch that sees it is not counted. */
static void window_worker_loop(struct window_worker *w)
{
    struct window_shared *sh = w->shared;
    const struct map_backend *b = sh->config->backend;
    const struct window_calls calls = {b->get, b->get_many, b->put, b->put_if_absent, b->del,
                                       b->range};
    const uint64_t every = sh->recording ? window_sample_every(sh->config->bench_case) : 0;
    struct window_cursor cur = w->cursor;
    cur.next_sample = every ? window_next_sample(w, cur.position, every) : UINT64_MAX;
    struct window_tally counted = {0};
    struct window_pace pace = {window_now_ns(), 0};
    struct planted_delay planted = planted_delay_begin(); /* a testing aid: runner/planted.h */
    uint64_t first = cur.position;
    for (;;) {
        struct window_tally t = {0};
        size_t n = w->batch;
        window_run_batch(w, &calls, sh->map, n, every, &cur, &t);
        planted_delay_after_batch(&planted);
        w->inserts_all += t.inserts;
        w->deletes_all += t.deletes;
        if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
            break; /* it may have finished after the end */
        window_tally_add(&counted, &t);
        counted.ops += n;
        if (sh->ops_quota && counted.ops >= sh->ops_quota) {
            window_quota_met(sh);
            break;
        }
        window_pace(w, &pace, cur.position);
    }
    counted.gets = counted.ops - counted.writes_attempted - counted.ranges;
    w->cursor = cur;
    if (sh->recording) {
        w->measured = counted;
        w->measured_first = first;
    }
}

/* After the measured window: the keys it touched, replayed from the generator into the worker's
 * own bitmap, or into the shared one when private bitmaps would take too much memory. */
static void window_worker_count_touched(struct window_worker *w)
{
    struct window_shared *sh = w->shared;
    struct workload_touched *into = sh->touched_shared ? &sh->touched : &w->touched;
    if (!sh->touched_shared)
        workload_touched_init(into, &w->stream);
    workload_touched_mark(into, &w->stream, w->measured_first, w->measured.ops,
                          sh->touched_shared);
}

/* Pinning, memory policy, stream, prefill and timer calibration: everything before the first
 * barrier. */
static bool window_worker_setup(struct window_worker *w)
{
    struct window_shared *sh = w->shared;
    const struct window_config *cfg = sh->config;
    const struct bench_case *c = cfg->bench_case;
    int pu = cfg->pus ? cfg->pus[w->index] : -1;
    snprintf(w->binding, sizeof w->binding, "unbound");
    if (cfg->topo && topo_is_this_system(cfg->topo)) {
        topo_bind_fn bind = cfg->bind_thread ? cfg->bind_thread : topo_bind_current_thread;
        if (!bind(cfg->topo, pu, w->binding, sizeof w->binding, w->error))
            return false;
        w->misbound = pu >= 0 && !topo_binding_is(cfg->topo, w->binding, pu);
        if (!topo_bind_memory(cfg->topo, c->memory, c->memory_node, w->error))
            return false;
    }
    placement_worker_enter(sh->placement, w->index);
    if (!workload_build(c, w->index, sh->workers, WINDOW_PATTERN, &w->stream, w->error))
        return false;
    w->batch = 1; /* grows to WINDOW_BATCH within a few dozen operations unless they are slow */
    cfg->backend->thread_enter(sh->map);
    /* Each worker still writes its own share (first touch by the pinned thread); a backend that
     * allows no concurrent writer (plain) gets those shares one after another. */
    bool take_turns = sh->concurrency == MAP_CONCURRENCY_NONE;
    if (take_turns)
        pthread_mutex_lock(&sh->prefill_lock);
    workload_prefill(c, cfg->backend, sh->map, w->index, sh->workers);
    if (take_turns)
        pthread_mutex_unlock(&sh->prefill_lock);
    w->timer_ns = window_timer_calibrate();
    w->perf_present = perf_counters_open(&w->perf);
    return true;
}

static void window_wait_go(struct window_shared *sh, unsigned generation)
{
    while (atomic_load_explicit(&sh->go, memory_order_acquire) != generation)
        sched_yield();
}

static void *window_worker_main(void *arg)
{
    struct window_worker *w = arg;
    struct window_shared *sh = w->shared;
    w->failed = !window_worker_setup(w);
    pthread_barrier_wait(&sh->ready);
    for (unsigned generation = 1;; generation++) {
        pthread_barrier_wait(&sh->start);
        if (atomic_load(&sh->abandon))
            break;
        window_wait_go(sh, generation);
        if (sh->task == WINDOW_TASK_COUNT_TOUCHED) {
            window_worker_count_touched(w);
        } else {
            if (sh->recording)
                disturbance_worker_begin(&sh->disturbance, w->index);
            if (sh->recording && w->perf_present)
                perf_counters_start(&w->perf);
            uint64_t cpu = window_cpu_ns(CLOCK_THREAD_CPUTIME_ID);
            window_worker_loop(w);
            if (sh->recording)
                w->cpu_ns = window_cpu_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
            if (sh->recording && w->perf_present)
                perf_counters_stop(&w->perf);
            if (sh->recording)
                disturbance_worker_end(&sh->disturbance, w->index);
        }
        pthread_barrier_wait(&sh->done);
    }
    if (!w->failed)
        sh->config->backend->thread_leave(sh->map);
    placement_worker_leave(sh->placement);
    return NULL;
}

/* Has the phase reached its end?  Duration phases end at the deadline, ops phases when a worker
 * met its quota, the count of touched keys when every worker is done; an interrupt ends the first
 * two. */
static bool window_phase_over(struct window_shared *sh, uint64_t deadline_ns)
{
    if (sh->task == WINDOW_TASK_COUNT_TOUCHED)
        return true;
    if (sh->config->interrupt && atomic_load(sh->config->interrupt))
        return true;
    if (deadline_ns)
        return window_now_ns() >= deadline_ns;
    return atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

/* Runs one phase; returns its length in nanoseconds. */
static uint64_t window_phase(struct window_shared *sh, unsigned generation, double seconds,
                             enum window_task task, bool recording)
{
    sh->task = task;
    sh->recording = recording;
    atomic_store(&sh->stop, false);
    atomic_store(&sh->first_finish_ns, 0);
    pthread_barrier_wait(&sh->start);
    uint64_t cpu = window_cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
    uint64_t began = window_now_ns();
    atomic_store_explicit(&sh->go, generation, memory_order_release);
    bool by_quota = sh->ops_quota && recording;
    uint64_t deadline = by_quota ? 0 : began + (uint64_t)(seconds * 1e9);
    while (!window_phase_over(sh, deadline)) {
        uint64_t now = window_now_ns();
        uint64_t nap = deadline && deadline - now < 10000000u ? deadline - now : 10000000u;
        nanosleep(&(struct timespec){0, (long)nap}, NULL);
    }
    uint64_t ended = window_now_ns();
    atomic_store_explicit(&sh->stop, true, memory_order_relaxed);
    pthread_barrier_wait(&sh->done);
    if (recording) /* the measured window's, not the count's after it */
        sh->process_cpu_ns = window_cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    uint64_t first_finish = atomic_load(&sh->first_finish_ns);
    return (by_quota && first_finish ? first_finish : ended) - began;
}

static void window_sum_tally(const struct window_worker *workers, int count,
                             struct result_sample *s)
{
    for (int i = 0; i < count; i++) {
        const struct window_tally *t = &workers[i].measured;
        if (i < RESULT_MAX_WORKERS)
            s->worker_ops[i] = t->ops;
        s->total_ops += t->ops;
        s->gets += t->gets;
        s->get_hits += t->get_hits;
        s->writes_attempted += t->writes_attempted;
        s->writes_effective += t->writes_effective;
        s->ranges += t->ranges;
        s->stream_wraps += workload_wraps(workers[i].measured_first, t->ops);
    }
}

/* The count of touched keys, as a phase of its own: the workers replay their streams in parallel. */
static void window_count_touched(struct window_shared *sh, struct window_worker *workers,
                                 unsigned generation)
{
    uint64_t bytes = workload_touched_bytes(&workers[0].stream);
    sh->touched_shared = sh->workers > 1 && bytes * (uint64_t)sh->workers > WINDOW_TOUCHED_PRIVATE_MAX;
    if (sh->touched_shared)
        workload_touched_init(&sh->touched, &workers[0].stream);
    window_phase(sh, generation, 0, WINDOW_TASK_COUNT_TOUCHED, false);
}

/* The touched keys of every worker, merged into one bitmap and counted. */
static void window_sum_touched(struct window_shared *sh, struct window_worker *workers, int count,
                               struct result_sample *s)
{
    if (sh->touched_shared) {
        s->distinct_keys = workload_touched_count(&sh->touched);
        workload_touched_free(&sh->touched);
        return;
    }
    for (int i = 1; i < count; i++) {
        workload_touched_merge(&workers[0].touched, &workers[i].touched);
        workload_touched_free(&workers[i].touched);
    }
    s->distinct_keys = workload_touched_count(&workers[0].touched);
    workload_touched_free(&workers[0].touched);
}

static void window_describe_binding(const struct window_worker *workers, int count,
                                    struct result_sample *s)
{
    size_t used = 0;
    s->worker_binding[0] = '\0';
    for (int i = 0; i < count && used < sizeof s->worker_binding; i++)
        used += (size_t)snprintf(s->worker_binding + used, sizeof s->worker_binding - used,
                                 "%s%s", i ? ";" : "", workers[i].binding);
}

static void window_sum_counters(struct window_worker *workers, int count, struct result_sample *s)
{
    bool all_present = true;
    uint64_t cycles = 0, instructions = 0, misses = 0;
    for (int i = 0; i < count; i++) {
        struct result_counter c, in, mi;
        all_present = all_present && workers[i].perf_present;
        if (!workers[i].perf_present)
            continue;
        perf_counters_read(&workers[i].perf, &c, &in, &mi);
        all_present = all_present && c.present && in.present && mi.present;
        cycles += c.value, instructions += in.value, misses += mi.value;
        perf_counters_close(&workers[i].perf);
    }
    s->cycles = (struct result_counter){all_present, all_present ? cycles : 0};
    s->instructions = (struct result_counter){all_present, all_present ? instructions : 0};
    s->cache_misses = (struct result_counter){all_present, all_present ? misses : 0};
}

/* Resets the kernel's peak-RSS mark so VmHWM after the window belongs to this repetition. */
static void window_reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static uint64_t window_peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib * 1024;
}

/* Placement checked: the workers' bindings against the plan, then the map's memory. */
static void window_check_placement(const struct window_config *cfg, struct window_shared *sh,
                                   struct window_worker *workers, struct result_sample *s)
{
    for (int i = 0; i < sh->workers; i++)
        if (workers[i].misbound)
            placement_invalidate(s, "worker %d is bound to PUs %s, planned PU %d", i,
                                 workers[i].binding, cfg->pus[i]);
    placement_check(sh->placement, cfg->backend, s);
}

static void window_validate(const struct window_config *cfg, struct window_shared *sh,
                            struct window_worker *workers, struct result_sample *s)
{
    if (cfg->bench_case->role == MAP_ROLE_HARNESS) { /* not a map: it has no invariants to hold */
        s->valid = true;
        return;
    }
    uint64_t inserts = 0, deletes = 0;
    for (int i = 0; i < sh->workers; i++)
        inserts += workers[i].inserts_all, deletes += workers[i].deletes_all;
    cfg->backend->thread_enter(sh->map);
    s->valid = workload_validate(cfg->bench_case, cfg->backend, sh->map, inserts, deletes,
                                 s->invalid_reason);
    cfg->backend->thread_leave(sh->map);
}

/* Fills the memory figures; returns the bytes the map held. */
static uint64_t window_fill_memory(const struct window_config *cfg, struct window_shared *sh,
                                   uint64_t allocs_before, struct result_sample *s)
{
    struct map_stats stats;
    cfg->backend->stats(sh->map, &stats);
    cfg->backend->thread_enter(sh->map);
    size_t size = cfg->backend->size(sh->map);
    cfg->backend->thread_leave(sh->map);
    s->bytes_per_key = size ? (double)stats.bytes / (double)size : 0;
    s->allocs_per_op = s->total_ops ? (double)(stats.allocs - allocs_before) / s->total_ops : 0;
    s->peak_rss_bytes = window_peak_rss();
    return stats.bytes;
}

/* Of the `held` bytes window_fill_memory read, those that awaited reclamation: what is gone once
 * every deferred free has run (maps/map.h).  Last, so nothing read before it changes: no writer
 * runs after the window, so live data is what it was when `held` was read. */
static void window_fill_pending(const struct window_config *cfg, struct window_shared *sh, uint64_t held,
                                struct result_sample *s)
{
    struct map_stats settled;
    map_rcu_drain();
    cfg->backend->stats(sh->map, &settled);
    cfg->backend->thread_enter(sh->map);
    size_t size = cfg->backend->size(sh->map);
    cfg->backend->thread_leave(sh->map);
    s->pending_bytes_per_key = size && held > settled.bytes ? (double)(held - settled.bytes) / (double)size : 0;
}

/* The clock's share of the measured window, in worker-nanoseconds: each timed operation paid for
 * two clock reads (before and after it) that an untimed one does not, each about its worker's
 * calibrated back-to-back cost.  window_measure takes it off the window, so that ops_per_s and
 * ns_per_op hold no timer cost (make bench's sampling line shows how close the estimate comes). */
static double window_timer_share_ns(const struct window_worker *workers, int count)
{
    double ns = 0;
    for (int i = 0; i < count; i++) {
        uint64_t timed = 0;
        for (int op = 0; op < RESULT_OP_COUNT; op++)
            timed += workers[i].histograms[op].count;
        ns += 2.0 * workers[i].timer_ns * (double)timed;
    }
    return ns;
}

/* Throughput and cost per operation from the window less the clock's share of it. */
static void window_fill_rates(const struct window_worker *workers, int count, uint64_t window_ns,
                              struct result_sample *s)
{
    double busy_ns = (double)window_ns * count;
    double timer_ns = window_timer_share_ns(workers, count);
    if (timer_ns >= busy_ns) /* cannot happen with a timed operation per 64 at most */
        timer_ns = 0;
    busy_ns -= timer_ns;
    s->timer_ns_per_op = s->total_ops ? timer_ns / (double)s->total_ops : 0;
    s->ops_per_s = busy_ns > 0 ? (double)s->total_ops * count * 1e9 / busy_ns : 0;
    s->ns_per_op = s->total_ops ? busy_ns / (double)s->total_ops : 0;
}

static double window_mean_timer(const struct window_worker *workers, int count)
{
    double sum = 0;
    for (int i = 0; i < count; i++)
        sum += workers[i].timer_ns;
    return count ? sum / count : 0;
}

/* Runs the phases once every worker is set up; fills the sample. */
static void window_measure(const struct window_config *cfg, struct window_shared *sh,
                           struct window_worker *workers, struct result_sample *s)
{
    const struct bench_case *c = cfg->bench_case;
    unsigned generation = 1;
    if (c->warmup_s > 0)
        window_phase(sh, generation++, c->warmup_s, WINDOW_TASK_RUN, false);
    struct map_stats before;
    cfg->backend->stats(sh->map, &before);
    disturbance_begin(&sh->disturbance, sh->workers);
    uint64_t window_ns = window_phase(sh, generation++, c->duration_s, WINDOW_TASK_RUN, true);
    disturbance_end(&sh->disturbance, s);
    window_count_touched(sh, workers, generation++);
    s->window_s = (double)window_ns / 1e9;
    s->workers = sh->workers;
    window_sum_tally(workers, sh->workers, s);
    window_sum_touched(sh, workers, sh->workers, s);
    window_fill_rates(workers, sh->workers, window_ns, s);
    s->latency_timer_ns = window_mean_timer(workers, sh->workers);
    window_describe_binding(workers, sh->workers, s);
    window_sum_counters(workers, sh->workers, s);
    uint64_t held = window_fill_memory(cfg, sh, before.allocs, s);
    s->process_cpu_s = (double)sh->process_cpu_ns / 1e9;
    for (int i = 0; i < sh->workers; i++)
        s->worker_cpu_s += (double)workers[i].cpu_ns / 1e9;
    window_validate(cfg, sh, workers, s);
    window_check_placement(cfg, sh, workers, s);
    window_fill_pending(cfg, sh, held, s);
}

static void window_merge_histograms(struct window_worker *workers, int count,
                                    struct histogram out[RESULT_OP_COUNT],
                                    struct result_sample *s)
{
    for (int op = 0; op < RESULT_OP_COUNT; op++) {
        histogram_reset(&out[op]);
        for (int i = 0; i < count; i++)
            histogram_merge(&out[op], &workers[i].histograms[op]);
        histogram_fill_latency(&out[op], s->latency_timer_ns, &s->latency[op]);
    }
}

static const char *window_first_failure(const struct window_worker *workers, int count)
{
    for (int i = 0; i < count; i++)
        if (workers[i].failed)
            return workers[i].error;
    return NULL;
}

static bool window_start_workers(struct window_shared *sh, struct window_worker *workers,
                                 pthread_t *threads, char *err)
{
    for (int i = 0; i < sh->workers; i++) {
        workers[i].shared = sh;
        workers[i].index = i;
        workers[i].histograms = xcalloc(RESULT_OP_COUNT, sizeof(struct histogram));
        for (int op = 0; op < RESULT_OP_COUNT; op++)
            histogram_reset(&workers[i].histograms[op]);
        int rc = pthread_create(&threads[i], NULL, window_worker_main, &workers[i]);
        if (rc != 0) {
            snprintf(err, ERR_LEN, "cannot start worker %d: %s", i, strerror(rc));
            return false;
        }
    }
    return true;
}

static void window_stop_workers(struct window_shared *sh, struct window_worker *workers,
                                pthread_t *threads)
{
    atomic_store(&sh->abandon, true);
    pthread_barrier_wait(&sh->start);
    for (int i = 0; i < sh->workers; i++) {
        pthread_join(threads[i], NULL);
        workload_free(&workers[i].stream);
        free(workers[i].histograms);
    }
}

static bool window_interrupted(const struct window_config *cfg)
{
    return cfg->interrupt && atomic_load(cfg->interrupt);
}

bool window_run(const struct window_config *cfg, struct result_sample *sample,
                struct histogram histograms[RESULT_OP_COUNT], char *err)
{
    const struct bench_case *c = cfg->bench_case;
    memset(sample, 0, sizeof *sample);
    window_reset_peak_rss();
    struct map_traits traits;
    if (!map_traits_of(c->backend, &traits, err))
        return false;
    struct placement *placement = xmalloc(sizeof *placement);
    struct map *map = NULL;
    if (placement_begin(placement, cfg->topo, c, cfg->pus, cfg->area_nodes, err))
        map = placement_create_map(placement, err);
    if (!map) {
        placement_end(placement);
        free(placement);
        return false;
    }
    struct window_shared sh = {.config = cfg, .placement = placement, .map = map,
                               .workers = c->threads,
                               .ops_quota = c->duration_s > 0 ? 0 : c->ops,
                               .concurrency = traits.concurrency};
    pthread_mutex_init(&sh.prefill_lock, NULL);
    pthread_barrier_init(&sh.ready, NULL, (unsigned)c->threads + 1);
    pthread_barrier_init(&sh.start, NULL, (unsigned)c->threads + 1);
    pthread_barrier_init(&sh.done, NULL, (unsigned)c->threads + 1);
    /* Aligned as the struct asks (its hot fields start a line): xcalloc's 16-byte alignment would
     * let one worker's last line be the next worker's first, written by both during the window. */
    struct window_worker *workers = xaligned_alloc(alignof(struct window_worker),
                                                   (size_t)c->threads * sizeof *workers);
    memset(workers, 0, (size_t)c->threads * sizeof *workers);
    pthread_t *threads = xcalloc((size_t)c->threads, sizeof *threads);
    bool ok = window_start_workers(&sh, workers, threads, err);
    if (!ok)
        abort(); /* a half-started barrier group cannot be unwound; pthread_create failing is fatal */
    pthread_barrier_wait(&sh.ready);
    const char *failure = window_first_failure(workers, c->threads);
    if (failure) {
        snprintf(err, ERR_LEN, "%s", failure);
        ok = false;
    } else {
        window_measure(cfg, &sh, workers, sample);
        window_merge_histograms(workers, c->threads, histograms, sample);
        if (window_interrupted(cfg)) {
            snprintf(err, ERR_LEN, "interrupted");
            ok = false;
        }
    }
    window_stop_workers(&sh, workers, threads);
    cfg->backend->destroy(map);
    placement_end(placement); /* after destroy: the map's deferred frees have run */
    free(placement);
    pthread_barrier_destroy(&sh.ready);
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.done);
    pthread_mutex_destroy(&sh.prefill_lock);
    free(workers);
    free(threads);
    return ok;
}
