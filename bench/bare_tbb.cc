// bare_tbb.cc: the bare loops of `make bench` for oneTBB (bench/bare.h), the libraries behind
// `ref-tbb-hash` and `ref-tbb-unordered`, each used directly as a program would use it, with its
// default allocator (tbb_allocator) and hash:
//   concurrent_hash_map: constructed with one bucket per key (the documented pre-sizing
//     constructor), filled with insert, then gets through find(const_accessor&), the documented
//     read path, with no guard around them (ref-tbb-hash adds its distributed reader guard, whose
//     cost is part of the ratio);
//   concurrent_unordered_map: constructed with keys / max load factor buckets, filled with insert,
//     then gets through find.  Its mapped value is a plain uint64_t here (nothing writes it during
//     the loop); ref-tbb-unordered keeps a std::atomic<uint64_t>, the same load on x86-64.
#include <oneapi/tbb/concurrent_hash_map.h>
#include <oneapi/tbb/concurrent_unordered_map.h>

#include <cmath>
#include <cstdint>

#include "bench/bare.h"

namespace {

using bare_tbb_hash_table = tbb::concurrent_hash_map<uint64_t, uint64_t>;
using bare_tbb_unordered_table = tbb::concurrent_unordered_map<uint64_t, uint64_t>;

uint64_t bare_tbb_hash_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    const bare_tbb_hash_table &t = *static_cast<const bare_tbb_hash_table *>(table);
    uint64_t hits = 0;
    for (int i = 0; i < BENCH_BARE_BATCH; i++) {
        bare_tbb_hash_table::const_accessor element;
        if (t.find(element, bench_bare_key(rng, n))) {
            *sink += element->second;
            hits++;
        }
    }
    return hits;
}

} // namespace

extern "C" double bench_bare_tbb_hash(const uint64_t *keys, uint64_t n, double seconds)
{
    bare_tbb_hash_table table(n);
    for (uint64_t i = 0; i < n; i++)
        table.insert(bare_tbb_hash_table::value_type(keys[i], keys[i]));
    return bench_bare_time(bare_tbb_hash_batch, &table, n, seconds);
}

extern "C" double bench_bare_tbb_unordered(const uint64_t *keys, uint64_t n, double seconds)
{
    bare_tbb_unordered_table table;
    table.rehash((size_t)std::ceil((double)n / table.max_load_factor()));
    for (uint64_t i = 0; i < n; i++)
        table.insert(bare_tbb_unordered_table::value_type(keys[i], keys[i]));
    return bench_bare_time(bench_bare_find_batch<bare_tbb_unordered_table>, &table, n, seconds);
}
