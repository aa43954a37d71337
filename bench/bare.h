/*
 * bare.h: the bare loops of `make bench`: each reference library used directly, without mapbench,
 * in a tight loop of gets, so the harness can print how much mapbench's window and the backend's
 * adapter add to the library's own cost (bench/harness.c prints them beside the same backend
 * measured through runner/window.c, in alternation).
 *
 * Every bare loop: one thread (the caller pins it to the PU the window's worker would use), the
 * library's table pre-sized for the keys the way its documentation offers, filled with `keys`
 * (the same keys the window prefills: workload_key of 0..n-1), then gets only, each for a fresh
 * uniformly random present key drawn with the inline generator below (an index, scrambled into its
 * key as the window's stream does it: bench_bare_key), the read path inline, every get checked to hit.  The libraries' own
 * default allocators, as a program using them directly would have (the backends charge theirs to
 * mapbench's accounting, maps/cxx_backend.hh): part of any ratio is that difference.
 *
 * The bare loops live in bench/bare_lfht.c (C, liburcu), bench/bare_tbb.cc and bench/bare_absl.cc
 * (C++), and bench/bare_probe.c (no library: the linear-probing loop `plain` is held to); the
 * timing skeleton they share is bench/bare.c, and bench/bare_adapter.c runs a backend's adapter in
 * that same skeleton, to tell the adapter's cost from the window's.
 */
#ifndef MAPBENCH_BENCH_BARE_H
#define MAPBENCH_BENCH_BARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner/key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Gets per call of a batch function: the clock is read once per batch. */
#define BENCH_BARE_BATCH 1024

/* Uniform index in [0, n): wyrand, then Lemire's multiply-high reduction; a few cycles, inline. */
static inline uint64_t bench_bare_index(uint64_t *rng, uint64_t n)
{
    *rng += 0xa0761d6478bd642fULL;
    __uint128_t mixed = (__uint128_t)*rng * (*rng ^ 0xe7037ed1a0b428dbULL);
    uint64_t r = (uint64_t)(mixed >> 64) ^ (uint64_t)mixed;
    return (uint64_t)(((__uint128_t)r * n) >> 64);
}

/* The key of a uniform index in [0, n), computed as the window's stream computes it (runner/key.h),
 * not looked up in the prefill's key array: at 64k keys that array is 512 KiB, and a random load
 * from it is a cache miss the window does not make. */
static inline uint64_t bench_bare_key(uint64_t *rng, uint64_t n)
{
    return workload_key(bench_bare_index(rng, n));
}

/* Runs BENCH_BARE_BATCH gets on `table` for bench_bare_key(rng, n); returns how many hit
 * and adds the values found to *sink, so the compiler keeps every value load. */
typedef uint64_t (*bench_bare_batch_fn)(void *table, uint64_t n, uint64_t *rng, uint64_t *sink);

/* Warms up for a fifth of `seconds`, then calls `batch` until `seconds` have passed; returns the
 * nanoseconds per get, or a negative number when a get missed (a broken loop, not a figure). */
double bench_bare_time(bench_bare_batch_fn batch, void *table, uint64_t n, double seconds);

/* Each library's bare loop over keys[0..n): nanoseconds per get (negative: a get missed). */
double bench_bare_lfht(const uint64_t *keys, uint64_t n, double seconds);
double bench_bare_tbb_hash(const uint64_t *keys, uint64_t n, double seconds);
double bench_bare_tbb_unordered(const uint64_t *keys, uint64_t n, double seconds);
double bench_bare_absl(const uint64_t *keys, uint64_t n, double seconds);       /* no lock */
double bench_bare_absl_mutex(const uint64_t *keys, uint64_t n, double seconds); /* std::mutex */
/* No library: textbook linear probing (bench/bare_probe.c), the ceiling `plain` is held to. */
double bench_bare_probe(const uint64_t *keys, uint64_t n, double seconds);
/* The backend `spec` through its vtable in this skeleton (bench/bare_adapter.c): get_many over
 * batches of MAP_GET_MANY_MAX drawn keys, no window around it; negative with a reason in err
 * (ERR_LEN bytes) when the spec does not parse, or when a get missed (err then empty). */
double bench_bare_adapter(const char *spec, const uint64_t *keys, uint64_t n, double seconds,
                          char *err);
struct map;
struct map_backend;
/* The same timing on a map the caller made and filled with workload_key(0..n) (bench/layout.c);
 * the calling thread is entered and left around it.  Negative when a get missed. */
double bench_bare_adapter_map(const struct map_backend *b, struct map *m, uint64_t n,
                              double seconds);

#ifdef __cplusplus
}

// The batch for a C++ container whose find returns an iterator to a pair, end() when absent
// (concurrent_unordered_map, flat_hash_map): instantiated in the file that includes the library.
template <typename Table>
uint64_t bench_bare_find_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    const Table &t = *static_cast<const Table *>(table);
    uint64_t hits = 0;
    for (int i = 0; i < BENCH_BARE_BATCH; i++) {
        auto it = t.find(bench_bare_key(rng, n));
        if (it != t.end()) {
            *sink += it->second;
            hits++;
        }
    }
    return hits;
}
#endif

#endif
