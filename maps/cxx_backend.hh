// cxx_backend.hh: what the backends that adapt a C++ library (maps/ref_*.cc) share, as
// rcu_backend.h is for the liburcu-based ones: map_allocator<T>, the C++ face of maps/accounting.c,
// and the few vtable entries every such adapter writes the same way.
//
// map_allocator is handed to the library's container as its Allocator template argument, so the
// container's nodes, bucket arrays and segment tables are charged to the instance's struct
// map_accounting like every C backend's memory: bytes per key and allocations per operation are
// the container's real ones, without a malloc hook.  It is stateful (it carries the accounting
// pointer): two allocators are equal when they charge the same accounting, and a container's
// rebound copies (node, bucket, segment allocators) charge the same one.  Memory comes zeroed from
// map_alloc (xcalloc), 16-byte aligned; a type that asks for more goes through map_alloc_aligned.
// Out of memory aborts with one line (base/xalloc.h): allocate never throws, so no container is
// left half-built; a request whose byte count overflows asks for SIZE_MAX bytes and so takes that
// same path.
//
// An adapter's instance is a C++ struct T behind the opaque struct map pointer, holding its
// accounting as member `acct` (set up with cxx_backend_accounting) and made with `new`, as the C
// backends make theirs with xcalloc: not charged, and out of memory there terminates too.
// cxx_backend_destroy<T> and cxx_backend_stats<T> are its vtable's destroy and stats.
#ifndef MAPBENCH_CXX_BACKEND_HH
#define MAPBENCH_CXX_BACKEND_HH

#include <cstddef>
#include <limits>

#include "maps/map.h"

template <typename T>
class map_allocator {
public:
    using value_type = T;

    explicit map_allocator(struct map_accounting *acct) noexcept : acct_(acct) {}
    template <typename U>
    map_allocator(const map_allocator<U> &other) noexcept : acct_(other.accounting()) {}

    T *allocate(std::size_t n)
    {
        std::size_t max = std::numeric_limits<std::size_t>::max();
        if (n > max / sizeof(T))
            return static_cast<T *>(map_alloc(acct_, max)); // fails: one line, abort
        if (alignof(T) > alignof(std::max_align_t))
            return static_cast<T *>(map_alloc_aligned(acct_, alignof(T), n * sizeof(T)));
        return static_cast<T *>(map_alloc(acct_, n * sizeof(T)));
    }

    void deallocate(T *p, std::size_t n) noexcept { map_free(acct_, p, n * sizeof(T)); }

    struct map_accounting *accounting() const noexcept { return acct_; }

    template <typename U>
    bool operator==(const map_allocator<U> &other) const noexcept
    {
        return acct_ == other.accounting();
    }
    template <typename U>
    bool operator!=(const map_allocator<U> &other) const noexcept
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
