/*
 * test_maps_memory.c: every map's own accounting (stats) against what it must hold.  A map holding N
 * keys must report at least N * 16 bytes (a key and a value each); deleting them all must give the
 * memory back, to within a small bound of the empty map's bytes, once deferred (RCU) frees have run
 * (map_rcu_drain); a second fill-and-empty cycle must not creep upward; frees never exceed
 * allocations.  Leaks the accounting cannot see are LeakSanitizer's job in `make asan`, which runs
 * this same binary: destroy must free everything, deferred frees included.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"

static void memory_read(const struct map_backend *b, struct map *m, struct map_stats *out)
{
    b->stats(m, out);
    if (out->frees > out->allocs)
        fail_msg("%llu frees exceed %llu allocations", (unsigned long long)out->frees,
                 (unsigned long long)out->allocs);
}

/* Fills keys [0, n), empties them, lets deferred frees run; returns the peak bytes. */
static uint64_t memory_cycle(const struct map_backend *b, struct map *m, size_t n)
{
    struct map_stats stats;
    b->thread_enter(m);
    for (uint64_t k = 0; k < n; k++)
        assert_true(b->put(m, k * 0x9e3779b97f4a7c15ULL, k));
    memory_read(b, m, &stats);
    for (uint64_t k = 0; k < n; k++)
        assert_true(b->del(m, k * 0x9e3779b97f4a7c15ULL));
    assert_int_equal(b->size(m), 0);
    b->thread_leave(m);
    map_rcu_drain(); /* deferred frees charge the accounting when they run */
    return stats.bytes;
}

/* Backends that by design keep memory after their keys are deleted.  For them the emptied map is
 * not held to the empty map's size, only to not growing on a second cycle (no leak, no creep). */
static const char *memory_retained_by_design(const char *name)
{
    if (strcmp(name, "syncmap") == 0)
        return "deleted entries stay in the read-only map until a later store rebuilds the dirty "
               "map, as in Go's sync.Map";
    if (strcmp(name, "ref-ckht") == 0)
        return "ck_ht never shrinks its slot array";
    if (strcmp(name, "ref-tbb-hash") == 0)
        return "concurrent_hash_map never shrinks its bucket segments";
    if (strcmp(name, "ref-tbb-unordered") == 0)
        return "concurrent_unordered_map keeps its bucket count, dummy nodes and segment table";
    if (strcmp(name, "ref-absl") == 0)
        return "flat_hash_map does not shrink on erase";
    return NULL;
}

/* Of the backends above, those whose erase frees the key's node at once (TBB's two maps): their
 * emptied map must at least have given the nodes back, which checks the C++ allocator's frees
 * (maps/cxx_backend.hh) even though the buckets stay. */
static bool memory_frees_nodes(const char *name)
{
    return strcmp(name, "ref-tbb-hash") == 0 || strcmp(name, "ref-tbb-unordered") == 0;
}

static void test_memory_returns(void **state)
{
    const struct support_case *c = *state;
    size_t n = support_scale(3000, 1500); /* past 8 resizes; cow copies per write */
    struct map *m = support_map_create(c);
    struct map_stats empty, after_first, after_second;
    memory_read(c->backend, m, &empty);
    uint64_t peak = memory_cycle(c->backend, m, n);
    if (peak < n * 16) /* total, not growth: a sharded map's empty tables already hold room */
        fail_msg("map holding %zu keys reports %llu bytes, less than 16 per key", n,
                 (unsigned long long)peak);
    memory_read(c->backend, m, &after_first);
    /* "Small": a few pages, or 1/16 of what the full map held, whichever is larger. */
    uint64_t bound = (peak - empty.bytes) / 16 > 16384 ? (peak - empty.bytes) / 16 : 16384;
    const char *retained = memory_retained_by_design(c->backend->name);
    if (retained)
        printf("note: %s keeps %llu bytes after emptying: %s\n", c->backend->name,
               (unsigned long long)after_first.bytes, retained);
    else if (after_first.bytes > empty.bytes + bound)
        fail_msg("emptied map holds %llu bytes, the empty one %llu (peak %llu)",
                 (unsigned long long)after_first.bytes, (unsigned long long)empty.bytes,
                 (unsigned long long)peak);
    if (memory_frees_nodes(c->backend->name) && after_first.bytes + n * 16 > peak)
        fail_msg("deleting %zu keys left %llu of the %llu bytes held: not 16 per key back", n,
                 (unsigned long long)after_first.bytes, (unsigned long long)peak);
    memory_cycle(c->backend, m, n);
    memory_read(c->backend, m, &after_second);
    if (after_second.bytes > after_first.bytes + bound / 4)
        fail_msg("a second fill and empty grew the map from %llu to %llu bytes",
                 (unsigned long long)after_first.bytes, (unsigned long long)after_second.bytes);
    assert_true(after_second.allocs > empty.allocs); /* the fills did allocate */
    c->backend->destroy(m);
}

int main(void)
{
    struct support_suite suite = {0};
    support_suite_add_backends(&suite, "memory", test_memory_returns, SUPPORT_SELECT_MAPS);
    support_suite_add(&suite, "memory", test_memory_returns, "striped:shards=256,lock=rwlock");
    support_suite_add(&suite, "memory", test_memory_returns, "rwlock:impl=go,range=copy-keys");
    support_suite_add(&suite, "memory", test_memory_returns,
                      "cow:put_if_absent=load-first,copy=always");
    return support_suite_run(&suite, "maps_memory");
}
