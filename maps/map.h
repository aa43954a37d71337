/*
 * map.h: the one interface every mapbench backend implements, and the registry that finds them.
 *
 * Keys and values are uint64_t; every key value is legal (0 and UINT64_MAX included).  A backend
 * is a `struct map_backend` vtable; an instance is an opaque `struct map *` returned by create.
 * The harness never looks inside an instance: a backend may keep anything there.
 *
 * Thread contract (the same for every backend, so the runner needs no special cases):
 *   - create and destroy run on one thread while no other thread uses the instance;
 *   - every thread that calls get/put/put_if_absent/del/size/range calls thread_enter(m) first
 *     and thread_leave(m) when done (RCU-based backends register the thread there);
 *   - backends whose `concurrency` is MAP_CONCURRENCY_NONE (plain) allow many concurrent readers
 *     but no writer beside any other operation; MAP_CONCURRENCY_NO_DELETE (ref-tbb-unordered)
 *     allows every operation from any thread except a del beside any other operation.
 *
 * A backend built outside the tree is a shared object exporting `MAP_PLUGIN_SYMBOL`, a
 * `const struct map_backend` whose abi_version equals MAP_ABI_VERSION (see map_plugin_load).
 */
#ifndef MAPBENCH_MAP_H
#define MAPBENCH_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* The backends that adapt a C++ library (maps/ref_*.cc) include this header too: there the
 * atomic counters are std::atomic, which has the same size, alignment and representation as C11's
 * _Atomic for these types (GCC and Clang; C++23 spells _Atomic(T) as std::atomic<T>). */
#ifdef __cplusplus
#include <atomic>
#define MAP_ATOMIC(type) std::atomic<type>
extern "C" {
#else
#include <stdatomic.h>
#define MAP_ATOMIC(type) _Atomic type
#endif

#define MAP_ABI_VERSION 5 /* 3: create takes a struct map_env; per-thread struct map_accounting;
                             4: get_many; 5: reserve */
#define MAP_PLUGIN_SYMBOL "mapbench_backend_v1"
#define MAP_MAX_OPTIONS 16
/* The most keys one get_many call looks up: its result is a bit mask over them. */
#define MAP_GET_MANY_MAX 64

struct map; /* opaque: each backend defines its own */
struct map_env; /* what the runner asks of an instance's memory (accounting section below) */

/* Memory accounting a backend keeps of itself, so bytes/key and allocations/op need no malloc hook.
 *
 * Live and pending.  `bytes` counts everything still allocated, memory awaiting reclamation
 * included: a copy cow retired, a node rcu unlinked, a box syncmap replaced, each freed only after a
 * grace period.  A backend that defers frees does so through liburcu's call_rcu (the default
 * flavour or memb, and any helper of map_rcu_helper_start), so that map_rcu_drain() runs them all:
 * after the window the runner reads stats, calls map_rcu_drain() and reads them again, and stores
 * the difference per key as the bytes that awaited reclamation (result.h's
 * pending_bytes_per_key); what the second reading counts is live data.  A backend that deferred
 * frees some other way would show them as live. */
struct map_stats {
    uint64_t bytes;  /* bytes currently held by the instance (tables, nodes, boxes) */
    uint64_t allocs; /* allocations made since create */
    uint64_t frees;  /* frees made since create (deferred frees count when they run) */
};

/* Return false to stop the iteration early. */
typedef bool (*map_range_fn)(uint64_t key, uint64_t value, void *arg);

/* One `key=value` pair of a backend spec; strings point into the spec's own buffer. */
struct map_option {
    const char *key;
    const char *value;
};

/* A parsed spec `name:key=value,...`. */
struct map_spec {
    char buffer[256];
    const char *name;
    int option_count;
    struct map_option options[MAP_MAX_OPTIONS];
};

/* Documentation of one option a backend accepts; an option not listed is rejected. */
struct map_option_def {
    const char *key;
    const char *default_value;
    const char *help; /* e.g. "power of two, 1..65536" */
};

enum map_concurrency {
    MAP_CONCURRENCY_NONE,     /* readers only may overlap: plain */
    MAP_CONCURRENCY_FULL,     /* any mix of operations from any threads */
    MAP_CONCURRENCY_NO_DELETE, /* any mix from any threads, except del beside any other operation:
                                * tbb::concurrent_unordered_map, whose erase is unsafe_erase */
};

/* What a backend's figures are for, so that the runner and the reports treat it by property,
 * never by comparing names.  The role is stored with every case (see scenarios/case.h), so a
 * report or the gate reads it from the database without loading the backend again. */
enum map_role {
    MAP_ROLE_CONTENDER, /* one of our designs under comparison: ranked, crossed, can win */
    MAP_ROLE_REFERENCE, /* a library the field trusts, measured beside ours: ranked and crossed too */
    MAP_ROLE_CEILING,   /* unsynchronised: the single-thread and read-only ceiling, never a winner */
    MAP_ROLE_HARNESS,   /* not a map: the harness's own cost (null); no invariants, not plotted */
    MAP_ROLE_EXTERNAL,  /* figures imported from another tool (Go's benchmarks), never run here */
    MAP_ROLE_COUNT
};

/* A backend's properties for one spec: an option may change them (`ref-absl:lock=none` is an
 * unsynchronised ceiling, `ref-absl` a contender behind a lock). */
struct map_traits {
    enum map_role role;
    enum map_concurrency concurrency;
};

struct map_backend {
    uint32_t abi_version; /* MAP_ABI_VERSION */
    const char *name;
    const char *summary;                   /* one line, for `mapbench list backends` */
    const struct map_option_def *options;  /* terminated by an entry whose key is NULL */
    enum map_concurrency concurrency;      /* with the default options */
    enum map_role role;                    /* with the default options (0: contender) */
    /* Optional (NULL: the two fields above for every spec): the traits of one spec, for a backend
     * whose options change them.  Called on a spec map_spec_parse accepted. */
    void (*traits)(const struct map_spec *spec, struct map_traits *out);

    /* Returns NULL with a one-line reason in err (ERR_LEN bytes) on a bad option value.  env (NULL:
     * nothing asked) goes to map_accounting_init of every accounting the instance keeps, and its
     * helper PUs to any thread the backend's library starts (see struct map_env). */
    struct map *(*create)(const struct map_spec *spec, struct map_env *env, char *err);
    /* Frees everything, deferred (RCU) frees included: after destroy, stats would read zero bytes. */
    void (*destroy)(struct map *m);
    bool (*get)(struct map *m, uint64_t key, uint64_t *value);            /* true: found */
    bool (*put)(struct map *m, uint64_t key, uint64_t value);             /* true: key was new */
    /* Go's LoadOrStore: stores and returns true when absent; else returns false, *existing set. */
    bool (*put_if_absent)(struct map *m, uint64_t key, uint64_t value, uint64_t *existing);
    bool (*del)(struct map *m, uint64_t key);                             /* true: key was present */
    size_t (*size)(struct map *m);
    void (*range)(struct map *m, map_range_fn fn, void *arg);
    void (*thread_enter)(struct map *m);
    void (*thread_leave)(struct map *m);
    void (*stats)(struct map *m, struct map_stats *out);
    /* Optional (NULL: the runner calls put once per key).  Stores n pairs as one write and returns
     * how many keys were new; the runner uses it only to prefill before timing.  A backend whose
     * every write costs O(size) (cow) needs it, or prefilling N keys costs O(N^2). */
    size_t (*put_many)(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n);
    /* Memory the instance allocates without map_alloc, in words ("cds_lfht's bucket arrays"), for
     * the caveat stored beside a placement check that cannot see it; NULL: none. */
    const char *unhooked_memory;
    /* Optional (NULL: the runner calls get once per key).  Looks up keys[0..n), n <=
     * MAP_GET_MANY_MAX, exactly as n calls of get in that order would, each its own operation
     * (its own critical section where the backend has one: a batch removes the call per key,
     * never the synchronisation per key), and stores each found key's value in values[i]; returns
     * the mask of keys found (bit i for keys[i]).  The runner uses it for read-only batches, so
     * the harness's cost per get is the key stream's alone. */
    uint64_t (*get_many)(struct map *m, const uint64_t *keys, size_t n, uint64_t *values);
    /* Optional (NULL: nothing).  Called at most once, by the thread that created the map, right
     * after create and before any other operation, with the number of keys the whole prefill
     * will store (every worker's share, every put_many batch).  A backend whose layout depends on
     * how it grew sizes itself for them here, so that what the prefill leaves is the same whether
     * one worker stored the keys in one put_many or two workers in several: otherwise a 1 -> 2
     * thread comparison measures two different layouts.  (rcu: without it, a second put_many
     * resized its shards by copying the nodes already stored, and reads of that map ran 13%
     * slower, at one reader as at two.)  Keys stored beyond `keys` are not promised to fit. */
    void (*reserve)(struct map *m, size_t keys);
};

/* ---- registry (maps/registry.c) ---- */

/* Every built-in backend, NULL-terminated, followed by plugins loaded so far. */
const struct map_backend *const *map_registry_list(size_t *count);
const struct map_backend *map_registry_find(const char *name);
/* Loads a plugin and adds it to the registry; false with a one-line reason in err. */
bool map_plugin_load(const char *path, char *err);

/* thread_enter / thread_leave for backends that need no per-thread state. */
void map_thread_nothing(struct map *m);

/* The get_many of a backend whose batch is n of its own gets: call it with the backend's get (a
 * function of the same file), and the compiler calls that get directly or inlines it, so each key
 * keeps its own read-side section or critical section and the batch saves only the indirect call
 * per key, which is what get_many promises. */
static inline __attribute__((always_inline)) uint64_t
map_get_many_each(bool (*get)(struct map *, uint64_t, uint64_t *), struct map *m,
                  const uint64_t *keys, size_t n, uint64_t *values)
{
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++)
        found |= (uint64_t)get(m, keys[i], &values[i]) << i;
    return found;
}

/* ---- RCU thread registration shared by the liburcu-based backends (maps/rcu_thread.c) ----
 * Registration with liburcu's memb flavour is per thread and may not nest, while a thread may use
 * several RCU-based maps at once: these count, registering on the first enter and unregistering on
 * the last leave.  Backends include <urcu/urcu-memb.h> and use the urcu_memb_* calls directly. */
void map_rcu_thread_enter(void);
void map_rcu_thread_leave(void);
/* Waits for every pending call_rcu callback; safe from any thread outside a read-side section. */
void map_rcu_drain(void);

/* call_rcu worker threads placed by the runner (the `helpers` dimension).  liburcu runs call_rcu
 * callbacks (the deferred frees of rcu, cow, syncmap, ref-lfht, ref-ckht) in a worker thread; by
 * default one process-wide thread, started by the first call_rcu and bound wherever that caller
 * was.  A helper is a worker of its own: pinned to PU `pu` (OS index), or with pu -1 bound as the
 * thread that starts it.  map_rcu_helper_use routes the calling thread's callbacks to a helper
 * (NULL: back to liburcu's default); map_rcu_helper_stop ends one, handing callbacks still queued
 * to liburcu's default thread: stop a helper once no thread uses it. */
struct map_rcu_helper;
struct map_rcu_helper *map_rcu_helper_start(int pu);
void map_rcu_helper_use(struct map_rcu_helper *helper);
void map_rcu_helper_stop(struct map_rcu_helper *helper);

/* ---- specs and options (maps/options.c) ---- */

/* Parses `name:key=value,...`; checks the backend exists and every option is one it declares. */
bool map_spec_parse(const char *text, struct map_spec *spec, const struct map_backend **backend,
                    char *err);
/* The traits of a parsed spec (see struct map_traits). */
void map_spec_traits(const struct map_spec *spec, const struct map_backend *backend,
                     struct map_traits *out);
/* Parses the spec text and returns its traits; false with a one-line reason in err. */
bool map_traits_of(const char *spec_text, struct map_traits *out, char *err);
/* "contender", "reference", "ceiling", "harness", "external"; "?" out of range. */
const char *map_role_name(enum map_role role);
/* The role named `name`; false when it is none of map_role_name's words. */
bool map_role_parse(const char *name, enum map_role *out);
/* Roles whose figures are ranked against each other: winners, ratios and crossovers. */
static inline bool map_role_ranked(enum map_role role)
{
    return role == MAP_ROLE_CONTENDER || role == MAP_ROLE_REFERENCE || role == MAP_ROLE_EXTERNAL;
}

/* Parses, then creates: the one call the runner and tests use.  map_create_from_spec asks nothing
 * of the instance's memory (env NULL). */
struct map *map_create_with_env(const char *text, struct map_env *env,
                                const struct map_backend **backend, char *err);
struct map *map_create_from_spec(const char *text, const struct map_backend **backend, char *err);
/* Value of an option, or the backend's declared default. */
const char *map_spec_option(const struct map_spec *spec, const struct map_backend *backend,
                            const char *key);
/* Reads an unsigned option in [min, max]; false with a message naming backend, key and value. */
bool map_spec_option_u64(const struct map_spec *spec, const struct map_backend *backend,
                         const char *key, uint64_t min, uint64_t max, uint64_t *out, char *err);
/* Reads an option that must be one of `choices` (NULL-terminated); returns its index or -1. */
int map_spec_option_choice(const struct map_spec *spec, const struct map_backend *backend,
                           const char *key, const char *const *choices, char *err);

/* ---- memory accounting shared by every backend (maps/accounting.c) ----
 *
 * Every byte a backend allocates for an instance goes through map_alloc / map_free with one of the
 * instance's struct map_accounting, so the runner reads bytes held, allocations and frees
 * (map_accounting_read) without a malloc hook, and can ask things of the instance's memory.
 *
 * Counters are per thread: each accounting holds MAP_ACCOUNTING_SLOTS cache lines of counters, and
 * a thread charges the line it claimed on its first use of that accounting (a call_rcu thread
 * freeing nodes charges its own line too), so the allocations of a timed loop never write a cache
 * line shared with another thread.  Beyond MAP_ACCOUNTING_SLOTS threads lines are shared; the
 * updates are relaxed atomic adds, so sums stay exact either way.  map_accounting_read sums the
 * lines: read it when the instance is quiescent.
 *
 * Large allocations (MAP_LARGE_BYTES or more: a table's slot array, a bucket array) are mapped on
 * their own, 2 MiB aligned and rounded up to 2 MiB, so a transparent huge page can back them; they
 * are advised as the instance's struct map_env asks (MADV_HUGEPAGE, MADV_NOHUGEPAGE, or nothing)
 * before any page is touched, and recorded in the env so the runner can check where their pages
 * are and whether huge pages back them.  Memory comes zeroed either way.
 *
 * The policy reaches map_alloc without global state: create receives the env and hands it to
 * map_accounting_init, which keeps a pointer to it in the accounting.  An accounting set up by
 * zeroing (xcalloc, value-initialisation in C++) is valid and asks nothing. */

#define MAP_ACCOUNTING_SLOTS 64
#define MAP_LARGE_BYTES ((size_t)2 << 20)
#define MAP_LARGE_RECORDS 64

/* The `hugepages` dimension: what large allocations are advised. */
enum map_hugepages {
    MAP_HUGEPAGES_DEFAULT, /* no advice: the system's THP mode decides */
    MAP_HUGEPAGES_NEVER,   /* MADV_NOHUGEPAGE */
    MAP_HUGEPAGES_ALWAYS,  /* MADV_HUGEPAGE */
};

/* One live large allocation (addr 0: a free record). */
struct map_large_record {
    MAP_ATOMIC(uintptr_t) addr;
    MAP_ATOMIC(size_t) bytes; /* as mapped: rounded up to MAP_LARGE_BYTES */
};

/* What the runner asks of one instance's memory and helper threads, handed to create; owned by the
 * caller and outliving the instance.  map_alloc and map_free keep `large` up to date (lock-free:
 * an allocation claims a free record with a compare-and-swap); read it when the instance is
 * quiescent. */
struct map_env {
    enum map_hugepages hugepages;
    /* PU OS indexes where threads the backend's library starts itself should run (cds_lfht's
     * resize partition threads); NULL: where they would run anyway. */
    const int *helper_pus;
    int helper_pu_count;
    struct map_large_record large[MAP_LARGE_RECORDS];
    MAP_ATOMIC(uint64_t) large_unrecorded; /* large allocations made while every record was taken */
};

struct map_accounting {
    /* (MAP_ACCOUNTING_SLOTS + 1) cache lines of 8 counters: the first 64-byte aligned line inside
     * is slot 0 (the struct itself needs no alignment, so backends embed it anywhere); a slot's
     * words are bytes, allocs, frees. */
    MAP_ATOMIC(uint64_t) lines[(MAP_ACCOUNTING_SLOTS + 1) * 8];
    MAP_ATOMIC(unsigned) next_slot; /* slots claimed so far (modulo MAP_ACCOUNTING_SLOTS) */
    struct map_env *env;            /* NULL: nothing asked, nothing recorded */
};

/* Zeroes the counters and keeps env (may be NULL) for the accounting's large allocations. */
void map_accounting_init(struct map_accounting *acct, struct map_env *env);
void *map_alloc(struct map_accounting *acct, size_t bytes);           /* zeroed; aborts on OOM */
void *map_alloc_aligned(struct map_accounting *acct, size_t align, size_t bytes); /* zeroed */
void map_free(struct map_accounting *acct, void *p, size_t bytes);   /* bytes as allocated */
/* Counts an allocation of `bytes` made by another allocator, and its free: for an adapter whose
 * library keeps its own small-block allocator (maps/cxx_backend.hh), so its layout is the
 * library's while its memory is still counted here. */
void map_accounting_charge(struct map_accounting *acct, size_t bytes);
void map_accounting_release(struct map_accounting *acct, size_t bytes);
void map_accounting_read(const struct map_accounting *acct, struct map_stats *out);
/* How many slots have counted something: the threads that charged it, up to MAP_ACCOUNTING_SLOTS
 * (for tests of the per-thread counters). */
unsigned map_accounting_slots_used(const struct map_accounting *acct);

/* ---- hashing ---- */

/* A strong 64-bit mixer (the finaliser of MurmurHash3 / splitmix64): sequential keys spread. */
static inline uint64_t map_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return key;
}

#ifdef __cplusplus
}
#endif

#endif
