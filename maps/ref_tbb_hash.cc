// ref_tbb_hash.cc: `ref-tbb-hash`, a reference backend: oneTBB's tbb::concurrent_hash_map
// (<oneapi/tbb/concurrent_hash_map.h>, Debian libtbb-dev 2021.8) used the way its documentation
// prescribes, so mapbench measures our backends beside the concurrent map C++ users reach for
// first.
//
// The library's design.  A chained hash table whose bucket array is a table of segments that
// double (segment k holds 2^k buckets; an existing segment never moves, so growing never copies
// the table).  Each bucket has a spin_rw_mutex and a singly linked chain of nodes; each node
// carries its own spin_rw_mutex and one std::pair<const Key, T>.  Access to an element goes through
// an accessor, a smart pointer that holds the element's lock: const_accessor a shared (reader)
// lock, accessor an exclusive (writer) lock, held until the accessor is released or destroyed.
// Growth is lazy: when the size reaches the bucket count a new segment is enabled and its buckets
// are marked "rehash required"; the first operation that reaches such a bucket splits its parent's
// chain into it under the bucket locks, so the cost of growing is spread over later operations.
// The table never shrinks.  erase unlinks the node under the bucket's writer lock, then takes the
// node's writer lock (waiting for every accessor on it) and frees it at once: no deferred
// reclamation is needed because no one reaches a node without holding its lock.
//
// How this backend uses it (concurrent_hash_map<uint64_t, uint64_t> with the default
// tbb_hash_compare, i.e. std::hash, the identity for integers in libstdc++: the bucket is the
// key's low bits; the keys mapbench generates are scrambled, workload_key):
//   get:           find(const_accessor&, key), the documented read path (a shared lock on the
//                  bucket and on the node); copy the value; the accessor releases on return.
//   put:           insert(accessor&, key): inserts a value-initialised element when absent and
//                  returns whether it did; the value is assigned under the accessor's writer lock.
//   put_if_absent: insert(const_accessor&, value_type{key, value}): inserts when absent; when the
//                  key is present the accessor holds the element under a shared lock, so the value
//                  shown to the loser is the winner's.
//   del:           erase(key).
//   size:          size(), an atomic counter (acquire load): a value from some moment of the call.
//   put_many:      rehash(size() + n) first (the documented pre-sizing: "useful to optimize
//                  performance before or after concurrent operations"), then put for each pair.
//
// Iteration.  begin()/end() and rehash() "can only be performed serially": the documentation makes
// their concurrent execution with any other method undefined behaviour, and even a find may split
// a bucket (lazy growth) under an iterator.  So range and put_many's rehash must run alone.  A
// reader-writer lock around every operation would make every get write one shared cache line, and
// even a per-thread counter costs two atomic read-modify-writes per get: either would measure the
// guard, not the library.  So the guard is RCU's (as Linux's percpu-rwsem is): every operation
// runs inside a liburcu (memb flavour) read-side section, which costs a thread-local store and a
// compiler barrier, and first checks the `exclusive` flag; range and put_many's rehash take a mutex
// among themselves, set the flag, and wait for a grace period (urcu_memb_synchronize_rcu), after
// which every operation still in flight began after the flag was set, saw it, and left its
// section to wait until the flag is cleared.  Threads register with RCU in thread_enter (the
// counting helpers of maps/rcu_thread.c), as the liburcu-based backends do.  A range's callback
// must not use this map (it would wait for itself).
//
// Ordering guarantees (those of concurrent_hash_map).  get, put, put_if_absent and del are
// linearizable: each takes effect while it holds its bucket's lock (and, for reads and updates, the
// element's lock), so a reader sees a key's value before or after each write, never a torn one.
// range sees one consistent state: no other operation runs while it iterates.
// Progress guarantees.  Blocking.  Bucket and element locks are spin_rw_mutexes (spinning with
// exponential backoff, then yielding); readers of one bucket or element share, writers exclude.  An
// operation that meets a rehash-required bucket does the split itself.  range and put_many's rehash
// wait for a grace period (every operation in flight ends) and block every operation while they
// run; operations that arrive meanwhile yield until they end.
// Memory accounting: every node, segment and bucket the table allocates goes through
// map_allocator (maps/cxx_backend.hh) and is counted exactly.  Not counted: the table object itself
// (its first two buckets and the segment pointer table are embedded in it) and the guard, which
// live in this backend's instance (new), as the C backends' instance structs do.
#include <oneapi/tbb/tbb_allocator.h>
#include <oneapi/tbb/concurrent_hash_map.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>
#include <utility>

#define _LGPL_SOURCE // inline read_lock/unlock, as in maps/ref_lfht.c
#include <urcu/urcu-memb.h>

#include "maps/cxx_backend.hh"
#include "maps/rcu_backend.h"

namespace {

using tbbh_pair = std::pair<const uint64_t, uint64_t>;
// The library's default allocator (tbbmalloc) serves the memory; map_allocator counts it.
using tbbh_allocator = map_allocator<tbbh_pair, tbb::tbb_allocator<tbbh_pair>>;
using tbbh_table = tbb::concurrent_hash_map<uint64_t, uint64_t, tbb::tbb_hash_compare<uint64_t>,
                                            tbbh_allocator>;

// The guard described above.  An operation enters a read-side section and then loads `exclusive`;
// an exclusive holder stores `exclusive` and then waits for a grace period.  RCU's guarantee is the
// whole argument: a section that has not ended when synchronize_rcu returns began after the
// grace period did, and so sees every store made before it (the flag).
class tbbh_guard {
public:
    void enter_shared()
    {
        for (;;) {
            urcu_memb_read_lock();
            // acquire: pairs with leave_exclusive's release, so a rehash is visible here.
            if (!exclusive_.load(std::memory_order_acquire))
                return;
            urcu_memb_read_unlock(); // let the grace period end, then wait for the holder
            while (exclusive_.load(std::memory_order_acquire))
                std::this_thread::yield();
        }
    }

    static void leave_shared() { urcu_memb_read_unlock(); }

    void enter_exclusive()
    {
        holders_.lock();
        // relaxed: synchronize_rcu orders it before the grace period (it issues full fences).
        exclusive_.store(true, std::memory_order_relaxed);
        urcu_memb_synchronize_rcu();
    }

    void leave_exclusive()
    {
        exclusive_.store(false, std::memory_order_release);
        holders_.unlock();
    }

private:
    std::mutex holders_; // one range or rehash at a time
    std::atomic<bool> exclusive_{false};
};

class tbbh_shared {
public:
    explicit tbbh_shared(tbbh_guard &guard) { guard.enter_shared(); }
    ~tbbh_shared() { tbbh_guard::leave_shared(); }
    tbbh_shared(const tbbh_shared &) = delete;
    tbbh_shared &operator=(const tbbh_shared &) = delete;
};

class tbbh_exclusive {
public:
    explicit tbbh_exclusive(tbbh_guard &guard) : guard_(guard) { guard_.enter_exclusive(); }
    ~tbbh_exclusive() { guard_.leave_exclusive(); }
    tbbh_exclusive(const tbbh_exclusive &) = delete;
    tbbh_exclusive &operator=(const tbbh_exclusive &) = delete;

private:
    tbbh_guard &guard_;
};

struct tbbh_map {
    struct map_accounting acct; // declared first: the table's allocator charges it
    tbbh_guard guard;
    tbbh_table table;

    explicit tbbh_map(struct map_env *env)
        : acct(), table(tbbh_allocator(cxx_backend_accounting(&acct, env)))
    {
    }
};

tbbh_map *tbbh_of(struct map *m)
{
    return cxx_backend_of<tbbh_map>(m);
}

struct map *tbbh_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)err;
    return cxx_backend_new<tbbh_map>(env);
}

CXX_BACKEND_READ_PATH bool tbbh_get(struct map *m, uint64_t key, uint64_t *value)
{
    tbbh_map *t = tbbh_of(m);
    tbbh_shared shared(t->guard);
    tbbh_table::const_accessor element; // released before the guard: declared after it
    if (!t->table.find(element, key))
        return false;
    *value = element->second;
    return true;
}

// n of tbbh_get: its own guard and accessor per key, as n calls would.
CXX_BACKEND_READ_PATH uint64_t tbbh_get_many(struct map *m, const uint64_t *keys, size_t n,
                                           uint64_t *values)
{
    return map_get_many_each(tbbh_get, m, keys, n, values);
}

bool tbbh_put(struct map *m, uint64_t key, uint64_t value)
{
    tbbh_map *t = tbbh_of(m);
    tbbh_shared shared(t->guard);
    tbbh_table::accessor element;
    bool inserted = t->table.insert(element, key);
    element->second = value;
    return inserted;
}

bool tbbh_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    tbbh_map *t = tbbh_of(m);
    tbbh_shared shared(t->guard);
    tbbh_table::const_accessor element;
    bool inserted = t->table.insert(element, tbbh_pair(key, value));
    if (!inserted)
        *existing = element->second;
    return inserted;
}

bool tbbh_del(struct map *m, uint64_t key)
{
    tbbh_map *t = tbbh_of(m);
    tbbh_shared shared(t->guard);
    return t->table.erase(key);
}

size_t tbbh_size(struct map *m)
{
    return tbbh_of(m)->table.size();
}

void tbbh_range(struct map *m, map_range_fn fn, void *arg)
{
    tbbh_map *t = tbbh_of(m);
    tbbh_exclusive exclusive(t->guard);
    for (const tbbh_pair &pair : t->table)
        if (!fn(pair.first, pair.second, arg))
            break;
}

size_t tbbh_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    tbbh_map *t = tbbh_of(m);
    {
        tbbh_exclusive exclusive(t->guard);
        t->table.rehash(t->table.size() + n);
    }
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += tbbh_put(m, keys[i], values[i]);
    return inserted;
}

const struct map_option_def tbbh_options[] = {{nullptr, nullptr, nullptr}};

} // namespace

extern "C" const struct map_backend map_backend_ref_tbb_hash = {
    .abi_version = MAP_ABI_VERSION,
    .name = "ref-tbb-hash",
    .summary = "reference: oneTBB concurrent_hash_map: bucket and element rw locks; range alone",
    .options = tbbh_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_REFERENCE,
    .traits = nullptr,
    .create = tbbh_create,
    .destroy = cxx_backend_destroy<tbbh_map>,
    .get = tbbh_get,
    .put = tbbh_put,
    .put_if_absent = tbbh_put_if_absent,
    .del = tbbh_del,
    .size = tbbh_size,
    .range = tbbh_range,
    .thread_enter = rcu_backend_thread_enter,
    .thread_leave = rcu_backend_thread_leave,
    .stats = cxx_backend_stats<tbbh_map>,
    .put_many = tbbh_put_many,
    .unhooked_memory = nullptr,
    .get_many = tbbh_get_many,
    .reserve = nullptr,
};
