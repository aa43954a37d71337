/*
 * bare.c: the timing skeleton every bare loop of `make bench` shares (bench/bare.h): a warm-up,
 * then batches of gets until the time is up, the clock read once per batch of BENCH_BARE_BATCH
 * gets, so the loop inside a batch is nothing but the library's inline read path and the key draw.
 */
#include "bench/bare.h"

#include <time.h>

static uint64_t bare_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Batches until `ns` have passed; returns the batches run, and whether every get hit. */
static uint64_t bare_run_for(bench_bare_batch_fn batch, void *table, uint64_t n, uint64_t *rng,
                             uint64_t *sink, uint64_t ns, bool *all_hit)
{
    uint64_t start = bare_now_ns(), batches = 0;
    do {
        *all_hit &= batch(table, n, rng, sink) == BENCH_BARE_BATCH;
        batches++;
    } while (bare_now_ns() - start < ns);
    return batches;
}

double bench_bare_time(bench_bare_batch_fn batch, void *table, uint64_t n, double seconds)
{
    uint64_t rng = 0x5eed, sink = 0, ns = (uint64_t)(seconds * 1e9);
    bool all_hit = true;
    bare_run_for(batch, table, n, &rng, &sink, ns / 5, &all_hit);
    uint64_t start = bare_now_ns();
    uint64_t batches = bare_run_for(batch, table, n, &rng, &sink, ns, &all_hit);
    double elapsed = (double)(bare_now_ns() - start);
    volatile uint64_t keep = sink; /* the values were used */
    (void)keep;
    return all_hit ? elapsed / (double)(batches * BENCH_BARE_BATCH) : -1.0;
}
