/*
 * cow.c: `cow`, copy-on-write: an immutable snapshot of the shared open-addressing table behind
 * one atomic pointer.  Readers take no lock; every write copies the whole table.
 *
 * Design.  `current` points to a `struct cow_snapshot` (a struct table plus an rcu_head) that is
 * never modified once published.
 *   get/size/range: read lock; load `current` (acquire, i.e. rcu_dereference); read the table;
 *           read unlock.
 *   put/put_if_absent/del: take the writer mutex; look the key up in the current snapshot; a write
 *           that would change nothing (del of an absent key, put_if_absent of a present key, put
 *           of the value already stored) returns without copying; otherwise table_clone the
 *           snapshot, apply the write to the copy (any resize happens in the private copy),
 *           publish the copy with a release store (rcu_assign_pointer), and free the old snapshot
 *           with call_rcu once every reader that might hold it has left its read-side section.
 * The writer mutex and `current` sit on separate cache lines, so readers never share a line with
 * the lock writers take.  A write costs O(size) time and one slot array: this backend shows the
 * write rate at which copying collapses.
 *
 * Options: Go's DeepCopyMap (src/sync/map_reference_test.go), whose Load and Range are this
 * backend's get and range (a lock-free load of the published map, then a walk of it), differs in
 * two ways that each have an option:
 *   put_if_absent=lock-first|load-first: lock-first (the default) takes the writer mutex before it
 *           looks; load-first first looks in the published snapshot without the mutex and returns a
 *           present key's value at once, as DeepCopyMap.LoadOrStore does, and only a miss locks
 *           (and looks again under the mutex);
 *   copy=on-change|always: on-change (the default) returns without copying from a write that would
 *           change nothing; always copies and publishes for every put and del, as DeepCopyMap's
 *           Store, Delete and LoadAndDelete do (a put_if_absent of a present key never copies,
 *           in either).
 * `cow:put_if_absent=load-first,copy=always` behaves like Go's DeepCopyMap.
 *
 * Ordering guarantees.  Every operation is linearizable: writes are serialised by the mutex and
 * take effect at the publishing store (a write that changes nothing, at its look under the mutex;
 * a load-first put_if_absent that finds its key, at its load); a reader sees the snapshot
 * published last before its load
 * (or a later one) and nothing in between, so it never sees a torn value or a half-applied write.
 * range iterates one snapshot: it sees exactly the map as it was at one instant, and no write
 * made during the iteration (not even one made by its own callback).
 * Progress guarantees.  Readers never block and are never blocked (a memb read-side section is a
 * thread-local counter update); their cost does not depend on writers, and neither does the cost
 * of a load-first put_if_absent that finds its key.  Writers block each other
 * on the one mutex, and never wait for readers or grace periods (call_rcu only queues the free).
 * A long reader only delays when old snapshots are freed; destroy waits for every deferred free.
 * Memory: snapshots and their slot arrays go through map_alloc/map_free; a retired snapshot is
 * counted until its deferred free runs.  The instance header (plain calloc) is not counted.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#define _LGPL_SOURCE /* inline read_lock/unlock: liburcu allows it (LGPL small functions) */
#include <urcu/urcu-memb.h>

#include "rcu_backend.h"
#include "base/xalloc.h"
#include "table.h"

struct cow_snapshot {
    struct table table;
    struct rcu_head rcu;
};

struct cow_map {
    alignas(64) pthread_mutex_t lock;                   /* writers only */
    alignas(64) _Atomic(struct cow_snapshot *) current; /* what readers load */
    struct map_accounting acct;
    bool load_first;  /* put_if_absent=load-first */
    bool copy_always; /* copy=always */
};

static const char *const cow_put_if_absent_modes[] = {"lock-first", "load-first", NULL};
static const char *const cow_copy_modes[] = {"on-change", "always", NULL};

static const struct map_option_def cow_options[] = {
    {"put_if_absent", "lock-first", "lock-first|load-first: load-first is Go's DeepCopyMap"},
    {"copy", "on-change", "on-change|always: always copies on every put and del, as Go's "
                          "DeepCopyMap"},
    {NULL, NULL, NULL},
};

extern const struct map_backend map_backend_cow;

static struct cow_snapshot *cow_snapshot_alloc(struct map_accounting *acct)
{
    return map_alloc(acct, sizeof(struct cow_snapshot));
}

static void cow_snapshot_free(struct cow_snapshot *snap)
{
    struct map_accounting *acct = snap->table.acct;
    table_destroy(&snap->table);
    map_free(acct, snap, sizeof *snap);
}

static void cow_snapshot_free_deferred(struct rcu_head *head)
{
    cow_snapshot_free(caa_container_of(head, struct cow_snapshot, rcu));
}

static struct map *cow_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    int put_if_absent = map_spec_option_choice(spec, &map_backend_cow, "put_if_absent",
                                               cow_put_if_absent_modes, err);
    int copy = map_spec_option_choice(spec, &map_backend_cow, "copy", cow_copy_modes, err);
    if (put_if_absent < 0 || copy < 0)
        return NULL;
    struct cow_map *cm = xaligned_alloc(64, sizeof *cm);
    cm->load_first = put_if_absent == 1;
    cm->copy_always = copy == 1;
    pthread_mutex_init(&cm->lock, NULL);
    map_accounting_init(&cm->acct, env);
    struct cow_snapshot *first = cow_snapshot_alloc(&cm->acct);
    table_init(&first->table, &cm->acct, 0);
    atomic_init(&cm->current, first);
    return (struct map *)cm;
}

static void cow_destroy(struct map *m)
{
    struct cow_map *cm = (struct cow_map *)m;
    map_rcu_drain(); /* pending callbacks free into cm->acct: let them finish first */
    cow_snapshot_free(atomic_load_explicit(&cm->current, memory_order_relaxed));
    pthread_mutex_destroy(&cm->lock);
    free(cm);
}

static bool cow_get(struct map *m, uint64_t key, uint64_t *value)
{
    struct cow_map *cm = (struct cow_map *)m;
    urcu_memb_read_lock();
    bool found = table_get(&atomic_load_explicit(&cm->current, memory_order_acquire)->table, key,
                           value);
    urcu_memb_read_unlock();
    return found;
}

/* n of cow_get: one read-side section per key, as n calls would. */
static uint64_t cow_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(cow_get, m, keys, n, values);
}

/* The snapshot writers start from; caller holds the writer mutex, so no one else publishes. */
static struct cow_snapshot *cow_writer_current(struct cow_map *cm)
{
    return atomic_load_explicit(&cm->current, memory_order_relaxed);
}

/* A private copy of the current snapshot with room for `expected_keys`. */
static struct cow_snapshot *cow_copy(struct cow_map *cm, size_t expected_keys)
{
    struct cow_snapshot *copy = cow_snapshot_alloc(&cm->acct);
    table_clone(&copy->table, &cow_writer_current(cm)->table, expected_keys);
    return copy;
}

/* Publishes copy and retires the snapshot it replaces; caller holds the writer mutex. */
static void cow_publish(struct cow_map *cm, struct cow_snapshot *copy)
{
    struct cow_snapshot *old = cow_writer_current(cm);
    atomic_store_explicit(&cm->current, copy, memory_order_release); /* rcu_assign_pointer */
    urcu_memb_call_rcu(&old->rcu, cow_snapshot_free_deferred);
}

/* Shared body of put and put_if_absent: `overwrite` says whether an existing value is replaced. */
static bool cow_store(struct map *m, uint64_t key, uint64_t value, bool overwrite,
                      uint64_t *existing)
{
    struct cow_map *cm = (struct cow_map *)m;
    pthread_mutex_lock(&cm->lock);
    const struct table *now = &cow_writer_current(cm)->table;
    uint64_t old_value;
    bool present = table_get(now, key, &old_value);
    if (present && existing)
        *existing = old_value;
    if (!present || (overwrite && (old_value != value || cm->copy_always))) {
        struct cow_snapshot *copy = cow_copy(cm, table_size(now) + !present);
        table_put(&copy->table, key, value);
        cow_publish(cm, copy);
    }
    pthread_mutex_unlock(&cm->lock);
    return !present;
}

/* Prefill: one copy and one publish for the whole batch. */
static size_t cow_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    struct cow_map *cm = (struct cow_map *)m;
    pthread_mutex_lock(&cm->lock);
    struct cow_snapshot *copy = cow_copy(cm, table_size(&cow_writer_current(cm)->table) + n);
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += table_put(&copy->table, keys[i], values[i]);
    cow_publish(cm, copy);
    pthread_mutex_unlock(&cm->lock);
    return inserted;
}

static bool cow_put(struct map *m, uint64_t key, uint64_t value)
{
    return cow_store(m, key, value, true, NULL);
}

static bool cow_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    uint64_t found;
    if (((struct cow_map *)m)->load_first && cow_get(m, key, &found)) { /* Go's DeepCopyMap */
        if (existing)
            *existing = found;
        return false;
    }
    return cow_store(m, key, value, false, existing);
}

static bool cow_del(struct map *m, uint64_t key)
{
    struct cow_map *cm = (struct cow_map *)m;
    pthread_mutex_lock(&cm->lock);
    const struct table *now = &cow_writer_current(cm)->table;
    uint64_t ignored;
    bool present = table_get(now, key, &ignored);
    if (present || cm->copy_always) {
        struct cow_snapshot *copy = cow_copy(cm, table_size(now) - present);
        table_del(&copy->table, key, NULL);
        cow_publish(cm, copy);
    }
    pthread_mutex_unlock(&cm->lock);
    return present;
}

static size_t cow_size(struct map *m)
{
    struct cow_map *cm = (struct cow_map *)m;
    urcu_memb_read_lock();
    size_t size = table_size(&atomic_load_explicit(&cm->current, memory_order_acquire)->table);
    urcu_memb_read_unlock();
    return size;
}

static void cow_range(struct map *m, map_range_fn fn, void *arg)
{
    struct cow_map *cm = (struct cow_map *)m;
    urcu_memb_read_lock();
    table_range(&atomic_load_explicit(&cm->current, memory_order_acquire)->table, fn, arg);
    urcu_memb_read_unlock();
}

static void cow_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct cow_map *)m)->acct, out);
}

const struct map_backend map_backend_cow = {
    .abi_version = MAP_ABI_VERSION,
    .name = "cow",
    .summary = "immutable table behind an RCU pointer; every write copies it under a mutex",
    .options = cow_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = cow_create,
    .destroy = cow_destroy,
    .get = cow_get,
    .get_many = cow_get_many,
    .put = cow_put,
    .put_if_absent = cow_put_if_absent,
    .del = cow_del,
    .size = cow_size,
    .range = cow_range,
    .thread_enter = rcu_backend_thread_enter,
    .thread_leave = rcu_backend_thread_leave,
    .stats = cow_stats,
    .put_many = cow_put_many,
};
