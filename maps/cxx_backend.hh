// cxx_backend.hh: what the backends that adapt a C++ library (maps/ref_*.cc) share, as
// rcu_backend.h is for the liburcu-based ones: map_allocator<T, Base>, the C++ face of
// maps/accounting.c, and the few vtable entries every such adapter writes the same way.
//
// map_allocator is handed to the library's container as its Allocator template argument, so the
// container's nodes, bucket arrays and segment tables are charged to the instance's struct
// map_accounting like every C backend's memory: bytes per key and allocations per operation are
// the container's real ones, without a malloc hook.  It is stateful (it carries the accounting
// pointer): two allocators are equal when they charge the same accounting, and a container's
// rebound copies (node, bucket, segment allocators) charge the same one.
//
// Where the memory comes from.  A reference backend stands for the library as a program uses it,
// and a library's default allocator is part of it: oneTBB's containers default to
// tbb::tbb_allocator, which is tbbmalloc's size-class slabs when libtbbmalloc is present (no
// per-block header, nodes of one size packed together), and a node-based container's lookups walk
// that layout (a loop of finds over concurrent_unordered_map at 64k keys: 52-54 ns with it, 55-56
// with std::allocator, one process, alternated).  So a request below MAP_LARGE_BYTES is served by
// Base, the library's own default allocator (std::allocator when it has none), and only counted
// here (map_accounting_charge / map_accounting_release); a large one goes through map_alloc like
// every backend's, so the `hugepages` dimension and the placement checks see it.  Base must be
// stateless (default-constructible, all instances equal), as std::allocator and tbb_allocator
// are.  Small blocks are therefore not zeroed (containers construct what they use); large ones
// are.  Out of memory aborts with one line (base/xalloc.h) on map_alloc's path and throws
// std::bad_alloc from Base, which no adapter catches: the process terminates either way, so no
// container is left half-built; a request whose byte count overflows asks map_alloc for SIZE_MAX
// bytes and so aborts with the one line.
//
// An adapter's instance is a C++ struct T behind the opaque struct map pointer, holding its
// accounting as member `acct` (set up with cxx_backend_accounting) and made with `new`, as the C
// backends make theirs with xcalloc: not charged, and out of memory there terminates too.
// cxx_backend_destroy<T> and cxx_backend_stats<T> are its vtable's destroy and stats.
#ifndef MAPBENCH_CXX_BACKEND_HH
#define MAPBENCH_CXX_BACKEND_HH

#include <cstddef>
#include <limits>
#include <memory>

#include "maps/map.h"

// The read path of an adapter (its get and get_many) is compiled with every call beneath it
// inlined (GCC's flatten), which is the code a program's own loop of lookups gets.  Without it the
// compiler's inlining decision, which changes with how many call sites a template has, decides the
// figure: oneTBB's reverse_bits (the split order of concurrent_unordered_map) is a byte loop
// through memory, and out of line it becomes eight byte stores and one 64-bit load that cannot be
// forwarded from them, so each lookup waits for the previous lookup's cache misses to retire;
// inlined, it is register arithmetic and consecutive lookups overlap.  Measured at 64k keys, 1
// thread: the same adapter, 87-91 ns per get out of line, 55-58 ns flattened, the library's bare
// loop 55 ns.
#define CXX_BACKEND_READ_PATH __attribute__((flatten))

template <typename T, typename Base = std::allocator<T>>
class map_allocator {
public:
    using value_type = T;
    // Rebinding rebinds Base too (allocator_traits' default would keep Base<T> for a U).
    template <typename U>
    struct rebind {
        using other =
            map_allocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
    };

    explicit map_allocator(struct map_accounting *acct) noexcept : acct_(acct) {}
    template <typename U, typename UBase>
    map_allocator(const map_allocator<U, UBase> &other) noexcept : acct_(other.accounting())
    {
    }

    T *allocate(std::size_t n)
    {
        std::size_t max = std::numeric_limits<std::size_t>::max();
        if (n > max / sizeof(T))
            return static_cast<T *>(map_alloc(acct_, max)); // fails: one line, abort
        std::size_t bytes = n * sizeof(T);
        if (bytes < MAP_LARGE_BYTES) {
            T *p = Base().allocate(n);
            map_accounting_charge(acct_, bytes);
            return p;
        }
        if (alignof(T) > alignof(std::max_align_t))
            return static_cast<T *>(map_alloc_aligned(acct_, alignof(T), bytes));
        return static_cast<T *>(map_alloc(acct_, bytes));
    }

    void deallocate(T *p, std::size_t n) noexcept
    {
        std::size_t bytes = n * sizeof(T);
        if (bytes >= MAP_LARGE_BYTES) {
            map_free(acct_, p, bytes);
            return;
        }
        Base().deallocate(p, n);
        map_accounting_release(acct_, bytes);
    }

    struct map_accounting *accounting() const noexcept { return acct_; }

    template <typename U, typename UBase>
    bool operator==(const map_allocator<U, UBase> &other) const noexcept
    {
        return acct_ == other.accounting();
    }
    template <typename U, typename UBase>
    bool operator!=(const map_allocator<U, UBase> &other) const noexcept
    {
        return acct_ != other.accounting();
    }

private:
    struct map_accounting *acct_;
};

template <typename T>
T *cxx_backend_of(struct map *m)
{
    return reinterpret_cast<T *>(m);
}

template <typename T>
struct map *cxx_backend_new(struct map_env *env)
{
    return reinterpret_cast<struct map *>(new T(env));
}

// acct set up for env (map_accounting_init), returned for the container's allocator: called in the
// member-init list, so a container that allocates while it is constructed already charges it.
inline struct map_accounting *cxx_backend_accounting(struct map_accounting *acct,
                                                     struct map_env *env)
{
    map_accounting_init(acct, env);
    return acct;
}

template <typename T>
void cxx_backend_destroy(struct map *m)
{
    delete cxx_backend_of<T>(m);
}

template <typename T>
void cxx_backend_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&cxx_backend_of<T>(m)->acct, out);
}

#endif
