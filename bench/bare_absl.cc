// bare_absl.cc: the bare loops of `make bench` for Abseil's flat_hash_map (bench/bare.h), the
// library behind `ref-absl`: the map with its default hash and allocator, reserve(n) (the
// documented pre-sizing), filled, then gets through find: unsynchronised (against
// ref-absl:lock=none) and under a std::mutex taken for each get (against ref-absl, whose default
// lock is that).  Compiled with NDEBUG like maps/ref_absl.cc, so both use the same (release) code
// of the header-only container.
#ifndef NDEBUG
#define NDEBUG 1
#endif
#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <mutex>

#include "bench/bare.h"

namespace {

using bare_absl_table = absl::flat_hash_map<uint64_t, uint64_t>;

struct bare_absl_locked {
    std::mutex mutex;
    bare_absl_table table;
};

uint64_t bare_absl_mutex_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    bare_absl_locked &l = *static_cast<bare_absl_locked *>(table);
    uint64_t hits = 0;
    for (int i = 0; i < BENCH_BARE_BATCH; i++) {
        uint64_t key = bench_bare_key(rng, n);
        std::lock_guard<std::mutex> held(l.mutex);
        auto it = l.table.find(key);
        if (it != l.table.end()) {
            *sink += it->second;
            hits++;
        }
    }
    return hits;
}

void bare_absl_fill(bare_absl_table &table, const uint64_t *keys, uint64_t n)
{
    table.reserve(n);
    for (uint64_t i = 0; i < n; i++)
        table.emplace(keys[i], keys[i]);
}

} // namespace

extern "C" double bench_bare_absl(const uint64_t *keys, uint64_t n, double seconds)
{
    bare_absl_table table;
    bare_absl_fill(table, keys, n);
    return bench_bare_time(bench_bare_find_batch<bare_absl_table>, &table, n, seconds);
}

extern "C" double bench_bare_absl_mutex(const uint64_t *keys, uint64_t n, double seconds)
{
    bare_absl_locked locked;
    bare_absl_fill(locked.table, keys, n);
    return bench_bare_time(bare_absl_mutex_batch, &locked, n, seconds);
}
