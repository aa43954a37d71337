/*
 * accounting.c: the allocation wrappers every backend uses, so each instance knows the bytes it
 * holds and the allocations and frees it made, and the runner can ask things of its memory (see
 * the accounting section of map.h for the contract).  This is how the runner reports bytes per
 * key and allocations per operation without interposing on malloc (which would also count the
 * harness).
 *
 * Per-thread counters.  A map that allocates on every put (syncmap, rcu and ref-lfht on inserts)
 * would otherwise make every allocation in the timed loop two atomic read-modify-writes on one
 * cache line that every worker writes: a cost that belongs to no map.  So each accounting holds
 * MAP_ACCOUNTING_SLOTS counter lines, and a thread claims one (next_slot, a fetch-and-add on the
 * accounting, once per thread and accounting) the first time it charges that accounting.  The
 * claim is remembered in a small thread-local cache keyed by the accounting's address; a thread
 * that uses more accountings than the cache holds claims again, which costs only another line.  A
 * cache entry that outlives its accounting (a new one at the same address) names a slot that is
 * still valid, perhaps shared.  The adds stay atomic (relaxed): on a line only its thread writes
 * they cost no coherence traffic, and a shared line (more than MAP_ACCOUNTING_SLOTS threads, a
 * stale cache entry) still sums exactly.  bytes is modular per line (a thread frees what another
 * allocated); the sum over lines is the true count.
 *
 * Large allocations (MAP_LARGE_BYTES or more) are anonymous mappings of their own, 2 MiB aligned
 * and rounded up to 2 MiB, advised per the env's hugepages before any page is touched, and
 * recorded in the env for the runner's placement checks (runner/placement.c).  map_free tells them
 * apart by the byte count it is given, which is the one the allocation was made with.
 */
#include "map.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/xalloc.h"

#define MAP_ACCOUNTING_CACHE 4 /* accountings a thread remembers its slot in */
#define MAP_LINE_WORDS 8       /* uint64_t counters in a 64-byte line */

enum { MAP_SLOT_BYTES, MAP_SLOT_ALLOCS, MAP_SLOT_FREES };

struct map_accounting_claim {
    const struct map_accounting *acct;
    unsigned slot;
};

/* Per-thread state, like rcu_thread.c's registration depth: which slot this thread claimed in the
 * accountings it used last (round-robin replacement). */
static _Thread_local struct map_accounting_claim map_accounting_claims[MAP_ACCOUNTING_CACHE];
static _Thread_local unsigned map_accounting_claims_next;

/* The counters of slot `slot`: a 64-byte aligned line inside acct->lines. */
static _Atomic uint64_t *map_accounting_line(const struct map_accounting *acct, unsigned slot)
{
    uintptr_t first = (uintptr_t)acct->lines;
    size_t skip = ((64 - first % 64) % 64) / sizeof(uint64_t);
    return (_Atomic uint64_t *)&acct->lines[skip + (size_t)slot * MAP_LINE_WORDS];
}

static unsigned map_accounting_slot(struct map_accounting *acct)
{
    for (int i = 0; i < MAP_ACCOUNTING_CACHE; i++)
        if (map_accounting_claims[i].acct == acct)
            return map_accounting_claims[i].slot;
    unsigned slot = atomic_fetch_add_explicit(&acct->next_slot, 1, memory_order_relaxed) %
                    MAP_ACCOUNTING_SLOTS;
    map_accounting_claims[map_accounting_claims_next++ % MAP_ACCOUNTING_CACHE] =
        (struct map_accounting_claim){acct, slot};
    return slot;
}

static void map_accounting_add(struct map_accounting *acct, int word, uint64_t amount)
{
    _Atomic uint64_t *line = map_accounting_line(acct, map_accounting_slot(acct));
    atomic_fetch_add_explicit(&line[word], amount, memory_order_relaxed);
}

void map_accounting_init(struct map_accounting *acct, struct map_env *env)
{
    for (size_t i = 0; i < sizeof acct->lines / sizeof acct->lines[0]; i++)
        atomic_init(&acct->lines[i], 0);
    atomic_init(&acct->next_slot, 0);
    acct->env = env;
}

/* ---- large allocations ---- */

static size_t map_large_length(size_t bytes)
{
    return (bytes + MAP_LARGE_BYTES - 1) / MAP_LARGE_BYTES * MAP_LARGE_BYTES;
}

static void map_large_record(struct map_env *env, void *p, size_t length)
{
    for (int i = 0; i < MAP_LARGE_RECORDS; i++) {
        uintptr_t expected = 0;
        if (atomic_compare_exchange_strong_explicit(&env->large[i].addr, &expected, (uintptr_t)p,
                                                    memory_order_relaxed, memory_order_relaxed)) {
            atomic_store_explicit(&env->large[i].bytes, length, memory_order_relaxed);
            return;
        }
    }
    atomic_fetch_add_explicit(&env->large_unrecorded, 1, memory_order_relaxed);
}

static void map_large_forget(struct map_env *env, void *p)
{
    for (int i = 0; i < MAP_LARGE_RECORDS; i++) {
        if (atomic_load_explicit(&env->large[i].addr, memory_order_relaxed) == (uintptr_t)p) {
            atomic_store_explicit(&env->large[i].bytes, 0, memory_order_relaxed);
            atomic_store_explicit(&env->large[i].addr, 0, memory_order_relaxed);
            return;
        }
    }
}

/* A zeroed anonymous mapping of map_large_length(bytes), aligned to `align` (at least 2 MiB):
 * mapped with room to spare, then the ends trimmed. */
static void *map_large_alloc(struct map_accounting *acct, size_t align, size_t bytes)
{
    size_t length = map_large_length(bytes);
    if (align < MAP_LARGE_BYTES)
        align = MAP_LARGE_BYTES;
    if (length < bytes || length + align < length)
        xalloc_die("map_alloc", bytes);
    char *raw = mmap(NULL, length + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED)
        xalloc_die("map_alloc", bytes);
    char *p = (char *)(((uintptr_t)raw + align - 1) / align * align);
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    if (raw + align > p)
        munmap(p + length, (size_t)(raw + align - p));
    struct map_env *env = acct->env;
    int advice = env && env->hugepages == MAP_HUGEPAGES_ALWAYS ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
    if (env && env->hugepages != MAP_HUGEPAGES_DEFAULT) /* refused (no THP): the check sees it */
        madvise(p, length, advice);
    if (env)
        map_large_record(env, p, length);
    return p;
}

static void map_large_free(struct map_accounting *acct, void *p, size_t bytes)
{
    if (acct->env)
        map_large_forget(acct->env, p);
    munmap(p, map_large_length(bytes));
}

/* ---- the wrappers ---- */

void map_accounting_charge(struct map_accounting *acct, size_t bytes)
{
    map_accounting_add(acct, MAP_SLOT_BYTES, bytes);
    map_accounting_add(acct, MAP_SLOT_ALLOCS, 1);
}

void map_accounting_release(struct map_accounting *acct, size_t bytes)
{
    map_accounting_add(acct, MAP_SLOT_BYTES, (uint64_t)0 - bytes);
    map_accounting_add(acct, MAP_SLOT_FREES, 1);
}

void *map_alloc(struct map_accounting *acct, size_t bytes)
{
    void *p = bytes >= MAP_LARGE_BYTES ? map_large_alloc(acct, 1, bytes) : xcalloc(1, bytes);
    map_accounting_charge(acct, bytes);
    return p;
}

void *map_alloc_aligned(struct map_accounting *acct, size_t align, size_t bytes)
{
    if (bytes >= MAP_LARGE_BYTES) {
        void *p = map_large_alloc(acct, align, bytes);
        map_accounting_charge(acct, bytes);
        return p;
    }
    size_t rounded = (bytes + align - 1) / align * align;
    void *p = xaligned_alloc(align, rounded ? rounded : align);
    memset(p, 0, rounded);
    map_accounting_charge(acct, bytes);
    return p;
}

void map_free(struct map_accounting *acct, void *p, size_t bytes)
{
    if (!p)
        return;
    if (bytes >= MAP_LARGE_BYTES)
        map_large_free(acct, p, bytes);
    else
        free(p);
    map_accounting_release(acct, bytes);
}

void map_accounting_read(const struct map_accounting *acct, struct map_stats *out)
{
    uint64_t sums[3] = {0, 0, 0};
    for (unsigned slot = 0; slot < MAP_ACCOUNTING_SLOTS; slot++) {
        _Atomic uint64_t *line = map_accounting_line(acct, slot);
        for (int word = 0; word < 3; word++)
            sums[word] += atomic_load_explicit(&line[word], memory_order_relaxed);
    }
    out->bytes = sums[MAP_SLOT_BYTES];
    out->allocs = sums[MAP_SLOT_ALLOCS];
    out->frees = sums[MAP_SLOT_FREES];
}

unsigned map_accounting_slots_used(const struct map_accounting *acct)
{
    unsigned used = 0;
    for (unsigned slot = 0; slot < MAP_ACCOUNTING_SLOTS; slot++) {
        _Atomic uint64_t *line = map_accounting_line(acct, slot);
        used += atomic_load_explicit(&line[MAP_SLOT_ALLOCS], memory_order_relaxed) != 0 ||
                atomic_load_explicit(&line[MAP_SLOT_FREES], memory_order_relaxed) != 0;
    }
    return used;
}
