/*
 * calibrate.c: the calibration case (see calibrate.h).
 *
 * The get window looks up a fixed sequence of CALIBRATE_STREAM keys (drawn once from a fixed
 * seed, every key present) in batches, reading the clock once per batch.  The ping-pong window
 * passes a counter between two threads on its own cache line: the first thread turns it odd, the
 * second even, and each even value is one round trip; the first thread keeps the time.  Both
 * threads' waits also watch a stop flag, and the first one's waits read the clock now and then, so
 * a window ends on time even when the other thread is not running (a PU stolen or shared).
 */
#include "runner/calibrate.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "maps/table.h"
#include "runner/rng.h"

#define CALIBRATE_STREAM 4096 /* keys in the get loop's sequence; a multiple of the batch */
#define CALIBRATE_BATCH 256   /* gets or round trips between two clock reads */
#define CALIBRATE_SEED 0x6d61706265ULL

const char *calibrate_phase_name(enum calibrate_phase phase)
{
    static const char *const names[] = {"start", "middle", "end"};
    return names[phase];
}

double calibrate_planned_seconds(int pus)
{
    int kinds = pus >= 2 ? 2 : 1;
    return CALIBRATE_PHASES * kinds * CALIBRATE_REPETITIONS * CALIBRATE_WINDOW_S;
}

static uint64_t calibrate_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void calibrate_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* One calibration thread: where it runs and what it measured. */
struct calibrate_thread {
    const struct topo *topo;
    int pu;                   /* -1: unbound */
    int index;                /* ping-pong: 0 keeps the time, 1 answers */
    struct calibrate_pong *pong;
    double ns;                /* per get, or per round trip (index 0) */
};

static void calibrate_bind(const struct calibrate_thread *t)
{
    char obtained[32], err[ERR_LEN];
    if (t->topo && t->pu >= 0 && topo_is_this_system(t->topo))
        topo_bind_current_thread(t->topo, t->pu, obtained, sizeof obtained, err); /* best effort */
}

/* ---- get ----------------------------------------------------------------------------------- */

static void *calibrate_get_main(void *arg)
{
    struct calibrate_thread *t = arg;
    calibrate_bind(t);
    struct map_accounting acct = {0};
    struct table table;
    table_init(&table, &acct, CALIBRATE_KEYS);
    for (uint64_t k = 1; k <= CALIBRATE_KEYS; k++)
        table_put(&table, k, k);
    uint64_t *keys = xcalloc(CALIBRATE_STREAM, sizeof *keys);
    struct rng rng;
    rng_seed(&rng, CALIBRATE_SEED, 0);
    for (size_t i = 0; i < CALIBRATE_STREAM; i++)
        keys[i] = 1 + rng_next(&rng) % CALIBRATE_KEYS;
    uint64_t gets = 0, sink = 0, value;
    uint64_t began = calibrate_now_ns(), deadline = began + (uint64_t)(CALIBRATE_WINDOW_S * 1e9);
    uint64_t now = began;
    for (size_t at = 0; now < deadline; at = (at + CALIBRATE_BATCH) % CALIBRATE_STREAM) {
        for (size_t i = at; i < at + CALIBRATE_BATCH; i++)
            sink += table_get(&table, keys[i], &value) ? value : 0;
        gets += CALIBRATE_BATCH;
        now = calibrate_now_ns();
    }
    __asm__ volatile("" : : "r"(sink)); /* the lookups must happen */
    t->ns = (double)(now - began) / (double)gets;
    free(keys);
    table_destroy(&table);
    return NULL;
}

/* ---- ping-pong ----------------------------------------------------------------------------- */

struct calibrate_pong {
    alignas(64) _Atomic uint64_t turn; /* odd: the answerer's turn; even: the timekeeper's */
    alignas(64) atomic_bool stop;
    pthread_barrier_t start;
};

/* Waits until turn has the parity `odd`; false when the window stopped meanwhile.  The
 * timekeeper (deadline set) ends the window itself when the answerer keeps it waiting past it. */
static bool calibrate_wait_turn(struct calibrate_pong *p, bool odd, uint64_t deadline)
{
    for (unsigned spins = 1;; spins++) {
        /* acquire: the other side's write of the line is seen before ours */
        if ((atomic_load_explicit(&p->turn, memory_order_acquire) & 1) == odd)
            return true;
        if (atomic_load_explicit(&p->stop, memory_order_relaxed))
            return false;
        if (deadline && spins % 4096 == 0 && calibrate_now_ns() >= deadline) {
            atomic_store(&p->stop, true);
            return false;
        }
        calibrate_relax();
    }
}

static void *calibrate_pong_main(void *arg)
{
    struct calibrate_thread *t = arg;
    struct calibrate_pong *p = t->pong;
    calibrate_bind(t);
    pthread_barrier_wait(&p->start);
    if (t->index == 1) {
        while (calibrate_wait_turn(p, true, 0))
            atomic_fetch_add_explicit(&p->turn, 1, memory_order_release); /* odd -> even */
        return NULL;
    }
    uint64_t trips = 0, began = calibrate_now_ns(), now = began;
    uint64_t deadline = began + (uint64_t)(CALIBRATE_WINDOW_S * 1e9);
    while (now < deadline) {
        for (int i = 0; i < CALIBRATE_BATCH && calibrate_wait_turn(p, false, deadline); i++) {
            atomic_fetch_add_explicit(&p->turn, 1, memory_order_release); /* even -> odd */
            trips += calibrate_wait_turn(p, false, deadline); /* back to even: one round trip */
        }
        now = calibrate_now_ns();
    }
    atomic_store(&p->stop, true);
    t->ns = trips ? (double)(now - began) / (double)trips : 0;
    return NULL;
}

/* ---- windows -------------------------------------------------------------------------------- */

/* Runs `threads` calibration threads on the planned PUs; returns thread 0's figure. */
static double calibrate_window(const struct topo *topo, int threads, const char *placement,
                                 void *(*body)(void *))
{
    struct calibrate_thread t[2];
    struct calibrate_pong pong;
    atomic_init(&pong.turn, 0);
    atomic_init(&pong.stop, false);
    pthread_barrier_init(&pong.start, NULL, (unsigned)threads);
    int pus[2] = {-1, -1};
    bool oversubscribed;
    char err[ERR_LEN];
    if (topo && !topo_plan_threads(topo, threads, placement, pus, &oversubscribed, err))
        pus[0] = pus[1] = -1;
    pthread_t ids[2];
    for (int i = 0; i < threads; i++) {
        t[i] = (struct calibrate_thread){topo, pus[i], i, &pong, 0};
        if (pthread_create(&ids[i], NULL, body, &t[i]) != 0)
            xalloc_die("pthread_create", 0);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(ids[i], NULL);
    pthread_barrier_destroy(&pong.start);
    return t[0].ns;
}

size_t calibrate_run(const struct topo *topo, enum calibrate_phase phase,
                       const atomic_bool *interrupt, struct result_calibration *out)
{
    struct topo_summary summary = {.pus = 1};
    if (topo)
        topo_summarize(topo, &summary);
    static const struct {
        const char *kind, *unit, *placement;
        int threads;
        void *(*body)(void *);
    } kinds[CALIBRATE_KINDS] = {
        {"get", "ns/get", "compact", 1, calibrate_get_main},
        {"ping-pong", "ns/round-trip", "cores", 2, calibrate_pong_main},
    };
    size_t n = 0;
    for (int k = 0; k < CALIBRATE_KINDS; k++) {
        if (kinds[k].threads > summary.pus)
            continue;
        for (int r = 0; r < CALIBRATE_REPETITIONS; r++) {
            if (interrupt && atomic_load(interrupt))
                return n;
            struct result_calibration *c = &out[n++];
            memset(c, 0, sizeof *c);
            snprintf(c->phase, sizeof c->phase, "%s", calibrate_phase_name(phase));
            snprintf(c->kind, sizeof c->kind, "%s", kinds[k].kind);
            snprintf(c->unit, sizeof c->unit, "%s", kinds[k].unit);
            c->repetition = r;
            c->value = calibrate_window(topo, kinds[k].threads, kinds[k].placement, kinds[k].body);
        }
    }
    return n;
}
