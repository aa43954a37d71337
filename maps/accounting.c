/*
 * accounting.c: the allocation wrappers every backend uses, so each instance knows the bytes it
 * holds and the allocations and frees it made.  This is how the runner reports bytes per key and
 * allocations per operation without interposing on malloc (which would also count the harness).
 * Counters are relaxed atomics: they are statistics, read when the map is quiescent.
 */
#include "map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static void charge(struct map_accounting *acct, size_t bytes)
{
    atomic_fetch_add_explicit(&acct->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&acct->allocs, 1, memory_order_relaxed);
}

void *map_alloc(struct map_accounting *acct, size_t bytes)
{
    void *p = xcalloc(1, bytes);
    charge(acct, bytes);
    return p;
}

void *map_alloc_aligned(struct map_accounting *acct, size_t align, size_t bytes)
{
    size_t rounded = (bytes + align - 1) / align * align;
    void *p = xaligned_alloc(align, rounded ? rounded : align);
    memset(p, 0, rounded);
    charge(acct, bytes);
    return p;
}

void map_free(struct map_accounting *acct, void *p, size_t bytes)
{
    if (!p)
        return;
    free(p);
    atomic_fetch_sub_explicit(&acct->bytes, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&acct->frees, 1, memory_order_relaxed);
}

void map_accounting_read(const struct map_accounting *acct, struct map_stats *out)
{
    out->bytes = atomic_load_explicit(&acct->bytes, memory_order_relaxed);
    out->allocs = atomic_load_explicit(&acct->allocs, memory_order_relaxed);
    out->frees = atomic_load_explicit(&acct->frees, memory_order_relaxed);
}
