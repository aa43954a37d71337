/*
 * workload.h: the operations and keys each worker runs, precomputed before timing from the case's
 * recorded seed, so the timed loop does no random-number work and a run can be repeated exactly;
 * and the post-window check that the map still holds what the workload can have left in it.
 *
 * Key space.  Keys are produced from 64-bit indices by workload_key, a bijective scramble (so keys
 * are not sequential, yet every key decodes back to its index for validation).  Indices are laid
 * out in disjoint regions:
 *   [0, keys)                       prefilled before timing (worker w of n prefills its share);
 *   [0, workload_key_range(c))      what gets (hits), puts, put_if_absent and dels draw from: keys,
 *                                   or key_range, or 2 * keys for insert-delete;
 *   [WORKLOAD_MISS_BASE, +range)    get misses: never inserted by any workload;
 *   [WORKLOAD_FRESH_BASE, ...)      insert growth: index FRESH_BASE + n * workers + worker for the
 *                                   worker's n-th fresh put, so workers never collide or repeat.
 *
 * Mix.  A stream holds exact counts, not Bernoulli draws, shuffled by the seeded generator: of L
 * operations, round(L * read_pct/100) are reads, of which range_pct/100 are range iterations and
 * the rest gets, hit_pct/100 of those gets for keys in the access range and the rest misses; the
 * writes are dels (delete_pct/100 of them; exactly half for insert-delete, whose write count is
 * made even) and puts: put to the access range (update, insert-delete), put_if_absent
 * (load-or-store), or fresh keys (insert).  Each count is within one of L times its share, so even
 * a 1% write mix is what it says in every stream.  Keys of gets, puts and dels follow the
 * distribution over the access range; misses follow the same distribution shifted into the miss
 * region.  Under insert-delete about half the access range is present at any time, so a "hit"
 * get finds its key about half the time (the stored get_hits shows the real rate).
 *
 * Distributions.  uniform; zipf:THETA (rank 0 most frequent, runner/zipf.h); hot:N (every access
 * uniform over N keys).  Ranks are scattered over the access range by a permutation seeded from the
 * case seed (a bijective mix on the enclosing power of two, cycle-walked into [0, range)), the same
 * for every worker so all workers share the hot keys, and rank 0 is not index 0 (which worker 0
 * prefills, and first-touch would put on its node).
 *
 * What the timed loop does with a stream (the worker's i-th operation, cyclic):
 *     enum workload_op op = s->ops[i & s->mask];
 *     uint64_t key = s->keys[i & s->mask];
 *     if (op == WORKLOAD_PUT && s->fresh_puts)      // insert growth only; predictable branch
 *         key = workload_fresh_key(s->worker, s->workers, fresh++);   // fresh: per-worker counter
 *     values written: workload_value(key, anything, e.g. i)
 *   and it counts effective inserts (put or put_if_absent returned true) and effective deletes (del
 *   returned true) for workload_validate.  WORKLOAD_RANGE ignores the key.
 */
#ifndef MAPBENCH_WORKLOAD_H
#define MAPBENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "scenarios/case.h"

#define WORKLOAD_MISS_BASE (1ULL << 62)
#define WORKLOAD_FRESH_BASE (1ULL << 63)

enum workload_op { WORKLOAD_GET, WORKLOAD_PUT, WORKLOAD_PUT_IF_ABSENT, WORKLOAD_DEL, WORKLOAD_RANGE };

struct workload_stream { /* one worker's precomputed operations; the timed loop walks it
                            cyclically (index & mask), so length is a power of two */
    uint8_t *ops;        /* enum workload_op */
    uint64_t *keys;
    size_t length, mask;
    bool fresh_puts;     /* insert growth: WORKLOAD_PUT takes workload_fresh_key, not keys[i] */
    int worker, workers;
};

/* The keys a map holds before timing: indices [0, c->keys) mapped through workload_key.  Worker w
   of n prefills its share (so first-touch places memory by placement). */
void workload_prefill_range(const struct bench_case *c, int worker, int workers,
                            uint64_t *first_index, uint64_t *end_index);
/* Puts worker w's share with workload_value(key, 0); returns how many puts inserted (the share's
   size when the map is correct).  The caller has called b->thread_enter(m). */
uint64_t workload_prefill(const struct bench_case *c, const struct map_backend *b, struct map *m,
                          int worker, int workers);

/* Bijective scramble of an index into a key (splitmix64's finalizer after a golden-ratio offset). */
static inline uint64_t workload_key(uint64_t index)
{
    uint64_t x = index + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The inverse of workload_key. */
uint64_t workload_key_index(uint64_t key);

/* Worker w's n-th fresh key for insert growth: cheap (no RNG), never repeats, disjoint across
   workers and from every other region. */
static inline uint64_t workload_fresh_key(int worker, int workers, uint64_t n)
{
    return workload_key(WORKLOAD_FRESH_BASE + n * (uint64_t)workers + (uint64_t)worker);
}

/* Values that encode their key: the high 32 bits are a hash of the key, the low 32 the version. */
static inline uint64_t workload_value_tag(uint64_t key)
{
    return map_hash(key ^ 0x5bd1e9955bd1e995ULL) >> 32;
}

static inline uint64_t workload_value(uint64_t key, uint64_t version)
{
    return (workload_value_tag(key) << 32) | (version & 0xffffffffULL);
}

static inline bool workload_value_matches(uint64_t key, uint64_t value)
{
    return value >> 32 == workload_value_tag(key);
}

/* The access range gets, puts and dels draw their indices from (see the key space above). */
uint64_t workload_key_range(const struct bench_case *c);

/* Builds worker w's stream from c->seed (and w), length a power of two >= min_length.  The mix
   follows read_pct (gets), range_pct, write_kind (update: put to present keys; insert-delete:
   equal puts and dels over a key range twice the size, so the size stays steady around c->keys;
   insert: fresh keys unique per worker (growth); load-or-store: put_if_absent), delete_pct,
   hit_pct (misses draw from indices never inserted), distribution (uniform, zipf:THETA, hot:N).
   false with a one-line reason in err (ERR_LEN) on a case it cannot build or out of memory.
   Call it on the pinned worker so the stream's pages are local to it. */
bool workload_build(const struct bench_case *c, int worker, int workers, size_t min_length,
                    struct workload_stream *out, char *err);
void workload_free(struct workload_stream *s);

/* After a window, with no worker running (it calls thread_enter/leave itself): checks the map's
   invariants given the effective inserts and deletes counted by the workers: when no delete took
   effect every prefilled key is present with a value encoding it; a range visits exactly size()
   keys, every key is one the workload can produce and every value encodes its key; size ==
   prefilled + inserts - deletes.  false with the first violation in reason (256 bytes). */
bool workload_validate(const struct bench_case *c, const struct map_backend *b, struct map *m,
                       uint64_t effective_inserts, uint64_t effective_deletes,
                       char *reason /* 256 */);

#endif
