/*
 * workload.h: the operations and keys each worker runs, derived from the case's recorded seed, so
 * a run can be repeated exactly; and the post-window check that the map still holds what the
 * workload can have left in it.
 *
 * Key space.  Keys are produced from 64-bit indices by workload_key, a bijective scramble (so keys
 * are not sequential, yet every key decodes back to its index for validation).  Indices are laid
 * out in disjoint regions:
 *   [0, keys)                       prefilled before timing (worker w of n prefills its share);
 *   [0, workload_key_range(c))      what gets (hits), puts, put_if_absent and dels draw from: keys,
 *                                   or key_range, or 2 * keys for insert-delete;
 *   [WORKLOAD_MISS_BASE, +range)    misses of gets and deletes: never inserted by any workload;
 *   [WORKLOAD_FRESH_BASE, ...)      fresh keys: index FRESH_BASE + n * workers + worker for the
 *                                   worker's n-th one, so workers never collide or repeat; stored
 *                                   by insert growth, by load-or-store's misses and by Go's
 *                                   adversarial loops.
 *
 * A worker's stream is two things.
 *   - The operation pattern: a cyclic array of one byte per operation (length a power of two, 64k
 *     in the window), built before timing.  It holds exact counts, not Bernoulli draws, shuffled by
 *     the seeded generator: of L operations, round(L * read_pct/100) are reads, of which
 *     range_pct/100 are range iterations and the rest gets, hit_pct/100 of those gets for keys in
 *     the access range and the rest misses (WORKLOAD_MISS_FLAG); the writes are dels (delete_pct/100
 *     of them, hit_pct/100 of those on the access range and the rest misses; exactly half of the
 *     writes for insert-delete, whose write count is made even, all on the access range) and puts:
 *     put to the access range (update, insert-delete), fresh keys (insert: WORKLOAD_FRESH_FLAG), or
 *     put_if_absent (load-or-store: hit_pct/100 on the access range, the rest on fresh keys, so
 *     Go's LoadOrStore benchmarks store new keys).
 *     Each count is within one of L times its share, so even a 1% write mix is what it says over
 *     every L operations.  Repeating the pattern repeats the mix, not the keys.
 *   - The keys: a counter-based generator, key = f(seed, worker, position), so a worker's key
 *     stream never repeats within 2^64 operations and its working set is that of independent draws
 *     at every key count.  The position's Weyl counter goes through wyrand's mix (one 64x64->128
 *     multiply) and Lemire's multiply-high range reduction; workload_keys fills a batch of them at
 *     once, a loop with no dependency between keys that the CPU pipelines.  Distributions: uniform
 *     (the reduction alone); hot:N (a rank uniform over N, looked up in a table of the N hot
 *     indices when N <= WORKLOAD_HOT_TABLE_MAX, the permutation computed per key above it, slower
 *     but exact); zipf:THETA (runner/zipf.h's tabulated sampler: exact head, interpolated tail).
 *     Ranks are scattered over the access range by a permutation seeded from the case seed (a
 *     bijective mix on the enclosing power of two, cycle-walked into [0, range)), the same for
 *     every worker so all workers share the hot keys, and rank 0 is not index 0 (which worker 0
 *     prefills, and first-touch would put on its node).  A miss draws from the same distribution,
 *     shifted into the miss region.  Under insert-delete about half the access range is present at
 *     any time, so a "hit" get finds its key about half the time (the stored get_hits shows it).
 *
 * What the timed loop does with a stream (the worker's operations at positions p, p+1, ...):
 *     workload_keys(s, p, n, keys);                    // n <= WORKLOAD_BATCH_MAX keys at once
 *     op = workload_op_at(s, p + j);                   // the pattern, cyclic
 *     key = keys[j];
 *     if (pattern byte & WORKLOAD_FRESH_FLAG)          // insert growth, load-or-store's misses
 *         key = workload_fresh_key(s->worker, s->workers, fresh++);   // fresh: per-worker counter
 *     values written: workload_value(key, anything, e.g. p + j)
 *   and it counts effective inserts (put or put_if_absent returned true) and effective deletes (del
 *   returned true) for workload_validate.  WORKLOAD_RANGE ignores the key.
 *
 * After a window, the keys it touched are counted outside the timed region by replaying the same
 * generator over the positions it ran (workload_touched_*).
 *
 * Go's adversarial loops (write_kind adversarial-alloc and adversarial-delete) are not a mix: their
 * operation sequence is Go's, one map operation at a time from a per-worker state (struct
 * workload_loop, workload_loop_next), and read_pct, hit_pct, delete_pct and range_pct do not apply.
 * Go's i is the loop's iteration, and the key Go loads at iteration i is the worker's i-th fresh
 * key (absent: Go loads i before it may store it, and the goroutines' ranges of i are disjoint).
 *   adversarial-alloc   (BenchmarkAdversarialAlloc) Load(i); then, once the loads since the last
 *                       store exceed the stores so far, LoadOrStore(i): n loads then one store,
 *                       n = 1, 2, 3 ... (each store lands just after sync.Map promoted its dirty
 *                       map, so the next store copies it).
 *   adversarial-delete  (BenchmarkAdversarialDelete, Go's mapSize 1024) Load(i); when i % 1024 is
 *                       0: a range that stops at its first pair (WORKLOAD_RANGE_FIRST; the caller
 *                       hands the key it found to workload_loop_found), a del of that key, and a
 *                       put of key i.
 * The loops have no pattern (ops is NULL, length 0) and draw no key, so they touch no key of the
 * access range (their distinct keys are 0).  Counting: mapbench counts map operations, Go counts
 * iterations: an iteration is a load plus, rarely, the writes above.
 */
#ifndef MAPBENCH_WORKLOAD_H
#define MAPBENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps/map.h"
#include "runner/key.h"
#include "runner/zipf.h"
#include "scenarios/case.h"

#define WORKLOAD_MISS_BASE (1ULL << 62)
#define WORKLOAD_FRESH_BASE (1ULL << 63)

enum workload_op {
    WORKLOAD_GET,
    WORKLOAD_PUT,
    WORKLOAD_PUT_IF_ABSENT,
    WORKLOAD_DEL,
    WORKLOAD_RANGE,       /* visits every pair */
    WORKLOAD_RANGE_FIRST, /* adversarial-delete: a range that stops at its first pair */
};

/* A pattern byte: the operation in its low bits, the flag of a get or del that misses (its key is
 * drawn in the miss region), and the flag of an operation on the worker's next fresh key. */
#define WORKLOAD_OP_BITS 0x07u
#define WORKLOAD_FRESH_FLAG 0x40u
#define WORKLOAD_MISS_FLAG 0x80u

/* Go's loops (see above); NONE: the stream is a mix, its pattern cycled. */
enum workload_loop_kind { WORKLOAD_LOOP_NONE, WORKLOAD_LOOP_ALLOC, WORKLOAD_LOOP_DELETE };

/* adversarial-delete's period: Go's mapSize, 1 << 10. */
#define WORKLOAD_LOOP_DELETE_EVERY 1024u

/* The most keys one workload_keys call fills, and how far past the pattern's end it may read. */
#define WORKLOAD_BATCH_MAX 64

/* hot:N tabulates its N hot indices up to this many (512 KiB); above, each key computes its own. */
#define WORKLOAD_HOT_TABLE_MAX (1u << 16)

/* The rank permutation: a bijection on [0, mask] (three rounds of multiply by odd, xorshift, add),
 * cycle-walked into [0, range). */
struct workload_permutation {
    uint64_t range, mask;
    unsigned shift;
    uint64_t mul[3], add[3];
};

struct workload_stream { /* one worker's operations: a cyclic pattern and a counter-based key stream */
    uint8_t *ops;        /* pattern bytes (enum workload_op | the flags above), length +
                            WORKLOAD_BATCH_MAX: the last bytes repeat the first, so a batch that
                            starts anywhere in the pattern reads contiguous bytes; NULL for a loop */
    size_t length, mask; /* pattern length, a power of two; 0 for a loop */
    enum workload_loop_kind loop; /* Go's loop, or NONE: the pattern */
    bool gets_only;      /* the pattern holds nothing but gets */
    bool misses;         /* some pattern byte has WORKLOAD_MISS_FLAG */
    int worker, workers;
    /* the key generator */
    enum case_distribution kind;
    uint64_t range;      /* access range: draws fall in [0, range) */
    uint64_t weyl;       /* the worker's counter offset, from (seed, worker) */
    uint64_t hot;        /* hot:N: ranks drawn uniformly from [0, hot) */
    uint64_t *hot_index; /* hot:N with N <= WORKLOAD_HOT_TABLE_MAX: index of each rank; else NULL */
    struct zipf_table zipf;
    struct workload_permutation permutation;
};

/* The pattern byte at position p (cyclic) and its operation. */
static inline uint8_t workload_op_at(const struct workload_stream *s, uint64_t position)
{
    return s->ops[position & s->mask] & WORKLOAD_OP_BITS;
}

/* The keys a map holds before timing: indices [0, c->keys) mapped through workload_key.  Worker w
   of n prefills its share (so first-touch places memory by placement). */
void workload_prefill_range(const struct bench_case *c, int worker, int workers,
                            uint64_t *first_index, uint64_t *end_index);
/* Puts worker w's share with workload_value(key, 0); returns how many puts inserted (the share's
   size when the map is correct).  The caller has called b->thread_enter(m). */
uint64_t workload_prefill(const struct bench_case *c, const struct map_backend *b, struct map *m,
                          int worker, int workers);

/* The inverse of workload_key (runner/key.h). */
uint64_t workload_key_index(uint64_t key);

/* Worker w's n-th fresh key: cheap (no RNG), never repeats, disjoint across workers and from every
   other region. */
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

/* Builds worker w's stream from c->seed (and w): its pattern, length a power of two >=
   min_length, and its key generator.  The mix follows read_pct (gets), range_pct, write_kind
   (update: put to present keys; insert-delete: equal puts and dels over a key range twice the
   size, so the size stays steady around c->keys; insert: fresh keys unique per worker (growth);
   load-or-store: put_if_absent, on fresh keys for the miss share), delete_pct, hit_pct (misses
   draw from indices never inserted, and load-or-store's from fresh ones), distribution (uniform,
   zipf:THETA, hot:N); for Go's loops (adversarial-*) no pattern at all.  false with a one-line
   reason in err (ERR_LEN) on a case it cannot build.  Memory: the pattern (1 byte per operation) and the distribution's tables
   (at most 1.25 MiB for zipf, 512 KiB for hot), whatever the key count.  Call it on the pinned
   worker so the stream's pages are local to it. */
bool workload_build(const struct bench_case *c, int worker, int workers, size_t min_length,
                    struct workload_stream *out, char *err);
void workload_free(struct workload_stream *s);

/* Where a worker is in Go's loop (write_kind adversarial-*): zero to start. */
struct workload_loop {
    uint64_t i;           /* Go's i: the iteration, and the index of the fresh key it loads */
    uint64_t stores;      /* adversarial-alloc: Go's stores and loadsSinceStore */
    uint64_t since_store;
    unsigned step;        /* the operation of the iteration: 0 its load, then its writes */
    bool found_any;       /* adversarial-delete: the range found a pair, */
    uint64_t found;       /* whose key this is */
};

/* The loop's next operation (enum workload_op) with its key in *key.  After WORKLOAD_RANGE_FIRST
   the caller runs the range, stopping at the first pair, and reports it with workload_loop_found
   before asking for the next operation. */
uint8_t workload_loop_next(const struct workload_stream *s, struct workload_loop *l, uint64_t *key);
void workload_loop_found(struct workload_loop *l, bool any, uint64_t key);

/* The keys of positions [position, position + n), n <= WORKLOAD_BATCH_MAX, into keys[]: a
   function of (seed, worker, position) only, so any stretch of the stream can be produced again. */
void workload_keys(const struct workload_stream *s, uint64_t position, size_t n, uint64_t *keys);
/* The same draws as indices (workload_key(indices[j]) == keys[j]), the miss region included. */
void workload_indices(const struct workload_stream *s, uint64_t position, size_t n,
                      uint64_t *indices);

/* How many times a worker's key stream wrapped over `count` operations from position `first`: the
   counter-based generator's period is 2^64 positions, so this is 0 for any window that can run;
   the pattern's cycles are not wraps (they repeat the mix, never the keys). */
uint64_t workload_wraps(uint64_t first, uint64_t count);

/* ---- distinct keys touched ----
 * The access-range indices that keyed operations named (gets of present keys, puts, put_if_absent,
 * dels; not misses, fresh keys, ranges or Go's loops), counted after a window by replaying the generator
 * over the positions it ran.  Exact (a bitmap of the access range) when the range holds at most
 * WORKLOAD_TOUCHED_EXACT_MAX indices (16 MiB of bitmap); above, an estimate: indices are hashed
 * into a bitmap of that size and counted by linear counting (Whang et al., 1990: -m ln(empty/m)),
 * whose standard error is under 0.1% while fewer than 4 m distinct indices fill it. */
#define WORKLOAD_TOUCHED_EXACT_MAX (1ULL << 27)

struct workload_touched {
    uint64_t *bits;
    uint64_t size;  /* bits */
    bool exact;     /* one bit per index of the access range */
};

void workload_touched_init(struct workload_touched *t, const struct workload_stream *s);
/* Bytes of the bitmap workload_touched_init would allocate for stream s. */
uint64_t workload_touched_bytes(const struct workload_stream *s);
/* Marks the indices of `count` operations from position `first` of stream s; `shared`: other
   threads mark the same bitmap at once (relaxed atomic or, skipped where the bit is set). */
void workload_touched_mark(struct workload_touched *t, const struct workload_stream *s,
                           uint64_t first, uint64_t count, bool shared);
/* into |= from (both initialised for the same case). */
void workload_touched_merge(struct workload_touched *into, const struct workload_touched *from);
/* Distinct indices marked: exact, or the linear-counting estimate (see above). */
uint64_t workload_touched_count(const struct workload_touched *t);
void workload_touched_free(struct workload_touched *t);

/* After a window, with no worker running (it calls thread_enter/leave itself): checks the map's
   invariants given the effective inserts and deletes counted by the workers: when no delete took
   effect every prefilled key is present with a value encoding it; a range visits exactly size()
   keys, every key is one the workload can produce and every value encodes its key; size ==
   prefilled + inserts - deletes.  false with the first violation in reason (256 bytes). */
bool workload_validate(const struct bench_case *c, const struct map_backend *b, struct map *m,
                       uint64_t effective_inserts, uint64_t effective_deletes,
                       char *reason /* 256 */);

#endif
