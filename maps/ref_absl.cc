// ref_absl.cc: `ref-absl`, a reference backend: Abseil's absl::flat_hash_map
// (<absl/container/flat_hash_map.h>, Debian libabsl-dev 20220623) behind one lock, which is what
// C++ users commonly write when they need a concurrent map and have Abseil; and, with lock=none,
// the same table unsynchronised: the single-thread ceiling of the field.
//
// The library's design.  A "Swiss table": open addressing over one array of slots (the pairs
// themselves, no nodes) with a parallel array of one-byte control words.  A key's hash is split
// into H1, which picks where probing starts, and H2 (7 bits), stored in the control byte of the
// slot that holds the key.  Lookup probes groups of 16 control bytes (8 without SSE2) at a time,
// quadratically by group: one SIMD compare finds the slots of the group whose control byte equals
// H2, and only those keys are compared; an empty byte in the group ends the search.  The table
// grows by doubling at a load of 7/8.  erase marks the slot empty when its group has never been
// full (no probe can have passed it) and "deleted" (a tombstone) otherwise; an insert that finds
// no room first rehashes in place, dropping the tombstones, when the table is at most 25/32 full.
// The table never shrinks on erase.  The hash is absl::Hash (the library default).  The container
// is not thread-safe: concurrent const operations (find, iteration, size) are safe among
// themselves, and any mutation beside any other operation is a data race.
//
// Option lock (this backend's, the way users wrap it):
//   mutex  (default): one std::mutex around every operation: everyone blocks everyone.
//   shared: one std::shared_mutex; get, size and range take it shared, writes exclusive.
//   none:   no lock.  The spec's traits (the `traits` hook) say MAP_ROLE_CEILING and
//           MAP_CONCURRENCY_NONE, so, like `plain`, the runner refuses a case with writers beside
//           other threads (a stored skip reason) and a range or get only overlaps other readers.
// With a lock the role is MAP_ROLE_REFERENCE and the concurrency MAP_CONCURRENCY_FULL.
//
// How this backend uses it (flat_hash_map<uint64_t, uint64_t>): get is find; put is
// insert_or_assign (returns whether the key was new); put_if_absent is try_emplace (constructs
// only when absent, else returns the present element); del is erase(key); size is size(); range
// iterates begin()..end() under the lock (shared for lock=shared), so it sees one consistent
// state and blocks writers meanwhile, and its callback must not use this map; put_many takes the
// write lock once, calls reserve(size() + n) (the documented pre-sizing) and inserts the batch.
// The file is compiled with NDEBUG, as a release build of a program using Abseil would be: the
// container's internal assert()s are then off, here and in the bare loop of `make bench`.
//
// Ordering guarantees.  With a lock, every operation is linearizable at its critical section;
// range is a snapshot.  With lock=none there are no guarantees beyond those of concurrent const
// operations, which is why no writer may run beside another thread.
// Progress guarantees.  Blocking (std::mutex and std::shared_mutex are glibc's pthread mutex and
// rwlock; readers of the shared kind still all write its lock word).  With lock=none: wait-free,
// trivially.  An insert that grows the table rehashes it (O(n)) inside the critical section.
// Memory accounting: the slot-and-control array goes through map_allocator (maps/cxx_backend.hh)
// and is counted exactly; that array is all a flat_hash_map allocates (hashtablez sampling, which
// would allocate outside it, is compiled out in this Abseil build).  Not counted: the map object
// and the locks, which live in this backend's instance (new), as the C backends' instance
// structs do.
#ifndef NDEBUG
#define NDEBUG 1
#endif
#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <utility>

#include "maps/cxx_backend.hh"

extern "C" const struct map_backend map_backend_ref_absl;

namespace {

using refabsl_pair = std::pair<const uint64_t, uint64_t>;
using refabsl_table = absl::flat_hash_map<uint64_t, uint64_t, absl::Hash<uint64_t>,
                                          std::equal_to<uint64_t>, map_allocator<refabsl_pair>>;

enum refabsl_lock { REFABSL_MUTEX, REFABSL_SHARED, REFABSL_NONE };

const char *const refabsl_lock_names[] = {"mutex", "shared", "none", nullptr};

struct refabsl_map {
    struct map_accounting acct; // declared first: the table's allocator charges it
    refabsl_lock lock;
    std::mutex mutex;         // lock=mutex
    std::shared_mutex shared; // lock=shared
    refabsl_table table;

    refabsl_map(refabsl_lock kind, struct map_env *env)
        : acct(), lock(kind), table(0, refabsl_table::hasher(), refabsl_table::key_equal(),
                                    map_allocator<refabsl_pair>(cxx_backend_accounting(&acct, env)))
    {
    }
};

refabsl_map *refabsl_of(struct map *m)
{
    return cxx_backend_of<refabsl_map>(m);
}

// The lock one operation holds: the mutex for lock=mutex; for lock=shared the shared_mutex, taken
// shared by reads (get, size, range) and exclusively by writes; nothing for lock=none.
template <bool Write>
class refabsl_held {
public:
    explicit refabsl_held(refabsl_map &m) : m_(m)
    {
        if (m_.lock == REFABSL_MUTEX)
            m_.mutex.lock();
        else if (m_.lock == REFABSL_SHARED && Write)
            m_.shared.lock();
        else if (m_.lock == REFABSL_SHARED)
            m_.shared.lock_shared();
    }
    ~refabsl_held()
    {
        if (m_.lock == REFABSL_MUTEX)
            m_.mutex.unlock();
        else if (m_.lock == REFABSL_SHARED && Write)
            m_.shared.unlock();
        else if (m_.lock == REFABSL_SHARED)
            m_.shared.unlock_shared();
    }
    refabsl_held(const refabsl_held &) = delete;
    refabsl_held &operator=(const refabsl_held &) = delete;

private:
    refabsl_map &m_;
};

using refabsl_read = refabsl_held<false>;
using refabsl_write = refabsl_held<true>;

void refabsl_traits(const struct map_spec *spec, struct map_traits *out)
{
    const char *lock = map_spec_option(spec, &map_backend_ref_absl, "lock");
    if (lock && std::strcmp(lock, refabsl_lock_names[REFABSL_NONE]) == 0)
        *out = map_traits{MAP_ROLE_CEILING, MAP_CONCURRENCY_NONE};
}

struct map *refabsl_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    int lock = map_spec_option_choice(spec, &map_backend_ref_absl, "lock", refabsl_lock_names, err);
    if (lock < 0)
        return nullptr;
    return reinterpret_cast<struct map *>(new refabsl_map(static_cast<refabsl_lock>(lock), env));
}

CXX_BACKEND_READ_PATH bool refabsl_get(struct map *m, uint64_t key, uint64_t *value)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_read held(a);
    auto it = a.table.find(key);
    if (it == a.table.end())
        return false;
    *value = it->second;
    return true;
}

// n of refabsl_get: find under the read lock (none for lock=none), as n calls would.
CXX_BACKEND_READ_PATH uint64_t refabsl_get_many(struct map *m, const uint64_t *keys, size_t n,
                                           uint64_t *values)
{
    return map_get_many_each(refabsl_get, m, keys, n, values);
}

bool refabsl_put(struct map *m, uint64_t key, uint64_t value)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_write held(a);
    return a.table.insert_or_assign(key, value).second;
}

bool refabsl_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_write held(a);
    auto result = a.table.try_emplace(key, value);
    if (!result.second)
        *existing = result.first->second;
    return result.second;
}

bool refabsl_del(struct map *m, uint64_t key)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_write held(a);
    return a.table.erase(key) != 0;
}

size_t refabsl_size(struct map *m)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_read held(a);
    return a.table.size();
}

void refabsl_range(struct map *m, map_range_fn fn, void *arg)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_read held(a);
    for (const refabsl_pair &pair : a.table)
        if (!fn(pair.first, pair.second, arg))
            break;
}

size_t refabsl_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    refabsl_map &a = *refabsl_of(m);
    refabsl_write held(a);
    a.table.reserve(a.table.size() + n);
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += a.table.insert_or_assign(keys[i], values[i]).second;
    return inserted;
}

const struct map_option_def refabsl_options[] = {
    {"lock", "mutex", "mutex|shared|none: std::mutex, std::shared_mutex, or no lock"},
    {nullptr, nullptr, nullptr},
};

} // namespace

extern "C" const struct map_backend map_backend_ref_absl = {
    .abi_version = MAP_ABI_VERSION,
    .name = "ref-absl",
    .summary = "reference: Abseil flat_hash_map behind one lock; lock=none: the ceiling",
    .options = refabsl_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_REFERENCE,
    .traits = refabsl_traits,
    .create = refabsl_create,
    .destroy = cxx_backend_destroy<refabsl_map>,
    .get = refabsl_get,
    .put = refabsl_put,
    .put_if_absent = refabsl_put_if_absent,
    .del = refabsl_del,
    .size = refabsl_size,
    .range = refabsl_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = cxx_backend_stats<refabsl_map>,
    .put_many = refabsl_put_many,
    .unhooked_memory = nullptr,
    .get_many = refabsl_get_many,
    .reserve = nullptr,
};
