// ref_tbb_unordered.cc: `ref-tbb-unordered`, a reference backend: oneTBB's
// tbb::concurrent_unordered_map (<oneapi/tbb/concurrent_unordered_map.h>, Debian libtbb-dev
// 2021.8) used the way its documentation prescribes: concurrent insertion, lookup and traversal;
// erasure only while nothing else runs.
//
// The library's design.  A split-ordered list (Shalev and Shavit, "Split-ordered lists: lock-free
// extensible hash tables", 2006): every element is a node of one lock-free sorted linked list,
// ordered by the bit-reversed hash, and each bucket is a pointer to a dummy (sentinel) node in that
// list, kept in a table of segments.  Growing the table only doubles the bucket count (one CAS):
// the list never moves, a new bucket is initialised lazily, on first use, by inserting its dummy
// node after its parent bucket's, and a node is never copied or rehashed.  Insertion links a node
// with a CAS after searching from its bucket's dummy; lookup walks from the dummy.  Nodes are never
// unlinked concurrently, so the library needs no memory reclamation scheme: unsafe_erase (and
// clear) may run only while no other operation does ("concurrently unsafe modifiers": undefined
// behaviour beside any other method).  The bucket count never shrinks and dummy nodes stay until
// the map is destroyed.
//
// Deletes: the choice.  mapbench's workloads delete (insert-delete churn, go-sync's delete_pct).
// Guarding unsafe_erase with a reader-writer lock that every operation takes shared would make
// every get write one shared lock word: the figures would measure that lock, not the library's
// lock-free lookups, which are the reason to run this reference at all.  So this backend declares
// MAP_CONCURRENCY_NO_DELETE (maps/map.h): the scenario expander stores a case that deletes
// (write_kind insert-delete, or delete_pct > 0, with writes) at more than one thread as skipped,
// with the reason (scenarios/scenario.c, check_skip); every other case runs the library as it is.
// A single thread may delete: then del is unsafe_erase with nothing beside it.
//
// How this backend uses it (concurrent_unordered_map<uint64_t, value> with the default std::hash,
// the identity for integers in libstdc++; the keys mapbench generates are scrambled):
//   value:         the mapped type holds a std::atomic<uint64_t>, because put updates a present
//                  key's value in place while readers may read it (the container locks nothing;
//                  a plain uint64_t would be a data race).  Its copy constructor exists only so
//                  that insert can copy the pair built for it.
//   get:           find(key), then an acquire load of the value.
//   put_if_absent: insert(value_type{key, value}): the library searches first and allocates a node
//                  only when the key is absent; when present it returns the existing element,
//                  whose value (acquire load) is what the loser is shown.
//   put:           as put_if_absent, then a present key's value is replaced by a release store.
//   del:           unsafe_erase(key) (see above: never beside another operation).
//   size:          size(), a relaxed atomic counter: a value from some moment of the call.
//   put_many:      rehash(buckets for size() + n at the max load factor), then insert each pair.
//                  rehash is a CAS on the bucket count, safe beside other operations.  reserve()
//                  would be the documented call, but in oneTBB 2021.8 it loops forever when the
//                  table already has the buckets asked for (oneTBB issues #1056 and #1138, fixed
//                  after 2021.9), so the bucket count is computed here.
//   range:         begin()..end(), documented as safe beside concurrent insertion and lookup: the
//                  list is walked in split order, each element present throughout the walk is
//                  visited exactly once (nodes never move), and an element inserted meanwhile may
//                  or may not be visited.  No lock: a range blocks no one and is blocked by no one.
//
// Ordering guarantees.  insert (put, put_if_absent) is linearizable at its CAS: once one thread
// has inserted a key every later find sees it, and of racing inserts of one key exactly one wins
// and the others are returned the winner's element.  Values are single atomic 64-bit words, so a
// get returns a value some put stored, never a torn one; an update is ordered by its release store
// and the reader's acquire load.  size is not synchronised with the other operations.
// Progress guarantees.  get, put, put_if_absent and range are lock-free: they take no lock, retry a
// CAS only when another insertion into the same spot succeeded, and initialising a bucket is a CAS
// too.  del (unsafe_erase) runs alone by contract.
// Memory accounting: nodes (elements and dummies) and the segment table go through map_allocator
// (maps/cxx_backend.hh) and are counted exactly.  Not counted: the map object itself (its head node
// and first segment pointers), which lives in this backend's instance (new), as the C backends'
// instance structs do.
#include <oneapi/tbb/tbb_allocator.h>
#include <oneapi/tbb/concurrent_unordered_map.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <new>
#include <utility>

#include "maps/cxx_backend.hh"

namespace {

struct tbbu_value {
    std::atomic<uint64_t> word;

    explicit tbbu_value(uint64_t value) : word(value) {}
    // Copies the pair built for insert (not shared yet): relaxed is enough.
    tbbu_value(const tbbu_value &other) : word(other.word.load(std::memory_order_relaxed)) {}
    tbbu_value &operator=(const tbbu_value &) = delete;
};

using tbbu_pair = std::pair<const uint64_t, tbbu_value>;
// The library's default allocator (tbbmalloc) serves the memory; map_allocator counts it.
using tbbu_allocator = map_allocator<tbbu_pair, tbb::tbb_allocator<tbbu_pair>>;
using tbbu_table = tbb::concurrent_unordered_map<uint64_t, tbbu_value, std::hash<uint64_t>,
                                                 std::equal_to<uint64_t>, tbbu_allocator>;

struct tbbu_map {
    struct map_accounting acct; // declared first: the table's allocator charges it
    tbbu_table table;

    explicit tbbu_map(struct map_env *env)
        : acct(), table(tbbu_allocator(cxx_backend_accounting(&acct, env)))
    {
    }
};

tbbu_map *tbbu_of(struct map *m)
{
    return cxx_backend_of<tbbu_map>(m);
}

struct map *tbbu_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)err;
    return cxx_backend_new<tbbu_map>(env);
}

CXX_BACKEND_READ_PATH bool tbbu_get(struct map *m, uint64_t key, uint64_t *value)
{
    tbbu_table &table = tbbu_of(m)->table;
    auto it = table.find(key);
    if (it == table.end())
        return false;
    *value = it->second.word.load(std::memory_order_acquire);
    return true;
}

// n of tbbu_get: find, as n calls would.
CXX_BACKEND_READ_PATH uint64_t tbbu_get_many(struct map *m, const uint64_t *keys, size_t n,
                                           uint64_t *values)
{
    return map_get_many_each(tbbu_get, m, keys, n, values);
}

bool tbbu_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    auto result = tbbu_of(m)->table.insert(tbbu_pair(key, tbbu_value(value)));
    if (!result.second)
        *existing = result.first->second.word.load(std::memory_order_acquire);
    return result.second;
}

bool tbbu_put(struct map *m, uint64_t key, uint64_t value)
{
    auto result = tbbu_of(m)->table.insert(tbbu_pair(key, tbbu_value(value)));
    if (!result.second)
        result.first->second.word.store(value, std::memory_order_release);
    return result.second;
}

bool tbbu_del(struct map *m, uint64_t key)
{
    return tbbu_of(m)->table.unsafe_erase(key) != 0;
}

size_t tbbu_size(struct map *m)
{
    return tbbu_of(m)->table.size();
}

void tbbu_range(struct map *m, map_range_fn fn, void *arg)
{
    for (const tbbu_pair &pair : tbbu_of(m)->table)
        if (!fn(pair.first, pair.second.word.load(std::memory_order_acquire), arg))
            break;
}

size_t tbbu_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    tbbu_table &table = tbbu_of(m)->table;
    double wanted = (double)(table.size() + n) / table.max_load_factor();
    table.rehash((size_t)std::ceil(wanted)); // rounded up to a power of two; never shrinks
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += tbbu_put(m, keys[i], values[i]);
    return inserted;
}

const struct map_option_def tbbu_options[] = {{nullptr, nullptr, nullptr}};

} // namespace

extern "C" const struct map_backend map_backend_ref_tbb_unordered = {
    .abi_version = MAP_ABI_VERSION,
    .name = "ref-tbb-unordered",
    .summary = "reference: oneTBB concurrent_unordered_map, lock-free; no concurrent delete",
    .options = tbbu_options,
    .concurrency = MAP_CONCURRENCY_NO_DELETE,
    .role = MAP_ROLE_REFERENCE,
    .traits = nullptr,
    .create = tbbu_create,
    .destroy = cxx_backend_destroy<tbbu_map>,
    .get = tbbu_get,
    .put = tbbu_put,
    .put_if_absent = tbbu_put_if_absent,
    .del = tbbu_del,
    .size = tbbu_size,
    .range = tbbu_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = cxx_backend_stats<tbbu_map>,
    .put_many = tbbu_put_many,
    .unhooked_memory = nullptr,
    .get_many = tbbu_get_many,
    .reserve = nullptr,
};
