/*
 * syncmap.c: `syncmap`, the algorithm of Go's sync.Map (src/sync/map.go as of Go 1.20-1.23, before
 * the Go 1.24 HashTrieMap rewrite), ported function by function, with liburcu (memb flavour)
 * standing in for Go's garbage collector.
 *
 * Design.  Two maps from key to `struct syncmap_entry *`:
 *   - the read-only map (`struct syncmap_read`: a `struct table` plus `amended`), published through
 *     the atomic pointer m->read and never modified once published, so lookups need no lock: they
 *     load m->read inside an RCU read-side section and probe it;
 *   - the dirty map, a `struct table` guarded by m->lock, which (while it exists) holds every
 *     non-expunged entry of the read-only map plus the keys added since the last promotion.
 * `amended` says the dirty map holds keys the read-only map lacks.  A lookup that misses the
 * read-only map while it is amended takes the lock, consults the dirty map and counts a miss; once
 * the misses reach the dirty map's size the dirty map is promoted: it becomes the new read-only
 * map (amended = false) and the dirty map is dropped.  The next store of a new key rebuilds the
 * dirty map from the read-only one (dirty_locked), marking deleted entries EXPUNGED and leaving them
 * out.  Values live in immutable heap boxes: an entry's atomic pointer `p` is NULL (deleted),
 * SYNCMAP_EXPUNGED (deleted and absent from the dirty map) or points at a box.  Every store of a
 * value allocates a box (Go does the same: `&value` escapes), so the runner shows one allocation
 * per write; overwrites and deletes of keys present in the read-only map are a single CAS on p,
 * without the lock, which is what makes the design scale for stable key sets.
 *
 * Reclamation (what Go's GC did for free).  Every operation runs inside one RCU read-side section,
 * lock acquisition included, so anything it reached stays allocated until it returns.  Objects
 * become unreachable in exactly these places, and each is handed to call_rcu there:
 *   - a value box, by the one thread whose CAS/swap on p removed it (entry_swap, entry_delete);
 *   - a read-only shell, when a new one is published (amended flip: shell only, the slots are shared
 *     by the new shell; promotion: shell and slots);
 *   - an expunged entry, at promotion (promote_locked explains why only then);
 *   - an entry deleted from the dirty map while absent from the read-only map, by that deleter.
 * destroy drains every pending callback before freeing the rest, so LeakSanitizer sees nothing.
 *
 * Ordering guarantees.  Load, LoadOrStore and LoadAndDelete are linearizable as in Go: a store
 * "synchronizes before" any load that observes it (boxes are published with release stores, read
 * with acquire loads; m->read likewise).  A reader never observes a value that was not stored for
 * its key.  range follows Go: it promotes the dirty map if amended, then walks that read-only map
 * snapshot without a lock; it visits each key at most once, sees every key present throughout the
 * call, and for keys written concurrently may report any value the key held during the call.
 * size walks the dirty map (or the read-only one) under the lock, counting live entries.
 *
 * Progress guarantees.  get of a key in the read-only map, and put/del/put_if_absent of a key whose
 * entry is in the read-only map and not expunged, are lock-free (a CAS loop that fails only when
 * another thread's CAS succeeded) and never wait for a writer.  Misses while amended, stores of new
 * keys and the promotion take the mutex, so they block each other and a thread preempted holding
 * the mutex blocks them all; promotion and dirty_locked cost O(size) under the mutex.  Readers never
 * block writers: grace periods are waited for only by call_rcu's worker thread and by destroy.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#define _LGPL_SOURCE /* inline read_lock/unlock, as every liburcu user here: rcu, cow, ref-lfht */
#include <urcu/urcu-memb.h>

#include "table.h"

#include "base/xalloc.h"

/* An immutable value: replaced, never modified, so a reader that loaded p may read it freely. */
struct syncmap_value {
    uint64_t value;
    struct rcu_head rcu;
    struct map_accounting *acct; /* the RCU callback's way back to the instance's counters */
};

struct syncmap_entry {
    _Atomic(struct syncmap_value *) p;
    struct rcu_head rcu;
    struct map_accounting *acct;
};

/* A published read-only map; `table` maps key -> (uintptr_t)entry and is never written after. */
struct syncmap_read {
    struct table table;
    bool amended; /* the dirty map holds some key this table lacks */
    struct rcu_head rcu;
};

struct syncmap {
    _Atomic(struct syncmap_read *) read;
    pthread_mutex_t lock;      /* guards everything below */
    struct table dirty;        /* valid only when has_dirty (Go: m.dirty != nil) */
    bool has_dirty;
    size_t misses;
    size_t expunged;           /* entries marked expunged since the dirty map was built */
    struct map_accounting acct;
};

/* Go's `expunged`: an address no box can have, never dereferenced. */
static const char syncmap_expunged_marker;
#define SYNCMAP_EXPUNGED ((struct syncmap_value *)(uintptr_t)&syncmap_expunged_marker)

enum syncmap_try_result { SYNCMAP_LOADED, SYNCMAP_STORED, SYNCMAP_WAS_EXPUNGED };

/* ---- allocation and deferred frees ---- */

static struct syncmap_value *box_new(struct syncmap *m, uint64_t value)
{
    struct syncmap_value *box = map_alloc(&m->acct, sizeof *box);
    box->value = value;
    box->acct = &m->acct;
    return box;
}

static void box_free_cb(struct rcu_head *head)
{
    struct syncmap_value *box = caa_container_of(head, struct syncmap_value, rcu);
    map_free(box->acct, box, sizeof *box);
}

/* Called by the thread that unlinked box from its entry; NULL and EXPUNGED are not boxes. */
static void box_retire(struct syncmap_value *box)
{
    if (box && box != SYNCMAP_EXPUNGED)
        urcu_memb_call_rcu(&box->rcu, box_free_cb);
}

static struct syncmap_entry *entry_new(struct syncmap *m, struct syncmap_value *box)
{
    struct syncmap_entry *e = map_alloc(&m->acct, sizeof *e);
    e->acct = &m->acct;
    atomic_store_explicit(&e->p, box, memory_order_relaxed); /* published by the table's release */
    return e;
}

static void entry_free_cb(struct rcu_head *head)
{
    struct syncmap_entry *e = caa_container_of(head, struct syncmap_entry, rcu);
    map_free(e->acct, e, sizeof *e);
}

static void entry_retire(struct syncmap_entry *e)
{
    urcu_memb_call_rcu(&e->rcu, entry_free_cb);
}

static void read_free_shell_cb(struct rcu_head *head)
{
    struct syncmap_read *r = caa_container_of(head, struct syncmap_read, rcu);
    map_free(r->table.acct, r, sizeof *r);
}

static void read_free_with_table_cb(struct rcu_head *head)
{
    struct syncmap_read *r = caa_container_of(head, struct syncmap_read, rcu);
    table_destroy(&r->table);
    map_free(r->table.acct, r, sizeof *r);
}

/* ---- entry operations (Go's methods on *entry) ---- */

static struct syncmap_entry *entry_of(uint64_t slot_value)
{
    return (struct syncmap_entry *)(uintptr_t)slot_value;
}

static bool entry_lookup(const struct table *t, uint64_t key, struct syncmap_entry **e)
{
    uint64_t slot;
    if (!table_get(t, key, &slot))
        return false;
    *e = entry_of(slot);
    return true;
}

static bool entry_load(struct syncmap_entry *e, uint64_t *value)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_acquire);
    if (p == NULL || p == SYNCMAP_EXPUNGED)
        return false;
    *value = p->value;
    return true;
}

/* Go's trySwap: false (entry untouched) when expunged; else *old is the unlinked box or NULL. */
static bool entry_try_swap(struct syncmap_entry *e, struct syncmap_value *box,
                           struct syncmap_value **old)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_acquire);
    for (;;) {
        if (p == SYNCMAP_EXPUNGED)
            return false;
        if (atomic_compare_exchange_weak_explicit(&e->p, &p, box, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            *old = p;
            return true;
        }
    }
}

/* Go's swapLocked: the entry is known not to be expunged (the lock is held). */
static struct syncmap_value *entry_swap_locked(struct syncmap_entry *e, struct syncmap_value *box)
{
    return atomic_exchange_explicit(&e->p, box, memory_order_acq_rel);
}

/* Go's unexpungeLocked: true when the entry was expunged and must be added to the dirty map. */
static bool entry_unexpunge_locked(struct syncmap *m, struct syncmap_entry *e)
{
    struct syncmap_value *expected = SYNCMAP_EXPUNGED;
    if (!atomic_compare_exchange_strong_explicit(&e->p, &expected, NULL, memory_order_acq_rel,
                                                 memory_order_acquire))
        return false;
    m->expunged--;
    return true;
}

/* Go's tryExpungeLocked: marks a deleted entry expunged; true when it is (now) expunged. */
static bool entry_try_expunge_locked(struct syncmap_entry *e)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_acquire);
    while (p == NULL) {
        if (atomic_compare_exchange_weak_explicit(&e->p, &p, SYNCMAP_EXPUNGED,
                                                  memory_order_acq_rel, memory_order_acquire))
            return true;
    }
    return p == SYNCMAP_EXPUNGED;
}

/* Go's tryLoadOrStore.  The box is allocated only once the entry is seen deleted (Go copies the
 * interface for the same reason) and freed at once if it was never published. */
static enum syncmap_try_result entry_try_load_or_store(struct syncmap *m, struct syncmap_entry *e,
                                                       uint64_t value, uint64_t *existing)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_acquire);
    struct syncmap_value *box = NULL;
    enum syncmap_try_result result;
    for (;;) {
        if (p == SYNCMAP_EXPUNGED) {
            result = SYNCMAP_WAS_EXPUNGED;
            break;
        }
        if (p != NULL) {
            *existing = p->value;
            result = SYNCMAP_LOADED;
            break;
        }
        if (!box)
            box = box_new(m, value);
        if (atomic_compare_exchange_weak_explicit(&e->p, &p, box, memory_order_acq_rel,
                                                  memory_order_acquire))
            return SYNCMAP_STORED;
    }
    if (box)
        map_free(&m->acct, box, sizeof *box); /* never published: no grace period needed */
    return result;
}

/* Go's entry.delete: returns the unlinked box (the caller retires it) or NULL if none. */
static struct syncmap_value *entry_delete(struct syncmap_entry *e)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_acquire);
    for (;;) {
        if (p == NULL || p == SYNCMAP_EXPUNGED)
            return NULL;
        if (atomic_compare_exchange_weak_explicit(&e->p, &p, NULL, memory_order_acq_rel,
                                                  memory_order_acquire))
            return p;
    }
}

/* ---- the map's locked helpers ---- */

/* Go's `m.dirty[key]`: a nil dirty map (has_dirty false) holds nothing. */
static bool dirty_lookup_locked(struct syncmap *m, uint64_t key, struct syncmap_entry **e)
{
    return m->has_dirty && entry_lookup(&m->dirty, key, e);
}

static struct syncmap_read *read_load(struct syncmap *m)
{
    return atomic_load_explicit(&m->read, memory_order_acquire);
}

static bool retire_expunged_fn(uint64_t key, uint64_t slot, void *arg)
{
    (void)key;
    (void)arg;
    struct syncmap_entry *e = entry_of(slot);
    if (atomic_load_explicit(&e->p, memory_order_acquire) == SYNCMAP_EXPUNGED)
        entry_retire(e);
    return true;
}

/*
 * Promotion (Go: the body of missLocked, and Range's amended branch): the dirty map becomes the
 * read-only map.  Go drops the old read-only map and lets its GC find what became garbage; here we
 * must name it.  The old read-only map's entries fall into two sets:
 *   - entries that are not expunged: dirty holds every one of them (dirty_locked copied them and
 *     only unexpunge_locked, which adds to dirty, revives an expunged one), so they stay reachable
 *     through the new read-only map and must not be freed;
 *   - expunged entries: absent from dirty, so the new map cannot reach them.  They are expunged
 *     for good: only unexpunge_locked clears the mark and it runs under this lock, on an entry found
 *     in the current read-only map, which after this store is the new one.
 * So under the lock, now, we retire exactly the old map's expunged entries.  It has to be now:
 * an RCU callback walking the old table later would see entries of the new map that a later
 * dirty_locked expunged while they are still reachable.  Threads that loaded the old map before
 * the store may still probe it and read those entries' p, which is why both the entries and the
 * old map (shell and slots) wait for a grace period.  The walk is skipped when nothing was
 * expunged; otherwise it costs O(capacity), the same order as the dirty_locked that built dirty.
 */
static void promote_locked(struct syncmap *m)
{
    struct syncmap_read *old = atomic_load_explicit(&m->read, memory_order_relaxed);
    struct syncmap_read *fresh = map_alloc(&m->acct, sizeof *fresh);
    fresh->table = m->dirty; /* the slots change owner: m->dirty is dead until dirty_locked */
    fresh->amended = false;
    m->dirty.slots = NULL;
    atomic_store_explicit(&m->read, fresh, memory_order_release);
    m->has_dirty = false;
    m->misses = 0;
    if (m->expunged)
        table_range(&old->table, retire_expunged_fn, NULL);
    m->expunged = 0;
    urcu_memb_call_rcu(&old->rcu, read_free_with_table_cb);
}

/* Go's missLocked. */
static void miss_locked(struct syncmap *m)
{
    m->misses++;
    if (m->misses < table_size(&m->dirty))
        return;
    promote_locked(m);
}

static bool copy_unexpunged_fn(uint64_t key, uint64_t slot, void *arg)
{
    struct syncmap *m = arg;
    if (entry_try_expunge_locked(entry_of(slot)))
        m->expunged++;
    else
        table_put(&m->dirty, key, slot);
    return true;
}

/* Go's dirtyLocked: builds the dirty map from the read-only one, expunging deleted entries. */
static void dirty_locked(struct syncmap *m)
{
    if (m->has_dirty)
        return;
    struct syncmap_read *read = atomic_load_explicit(&m->read, memory_order_relaxed);
    table_init(&m->dirty, &m->acct, table_size(&read->table));
    m->has_dirty = true;
    m->expunged = 0;
    table_range(&read->table, copy_unexpunged_fn, m);
}

/*
 * Go: `m.read.Store(&readOnly{m: read.m, amended: true})`.  The new shell shares the old one's
 * slots (a struct copy of the table), so only the old shell is retired; the slots are freed with
 * whichever shell a promotion finally retires.
 */
static void publish_amended_locked(struct syncmap *m, struct syncmap_read *read)
{
    struct syncmap_read *amended = map_alloc(&m->acct, sizeof *amended);
    amended->table = read->table;
    amended->amended = true;
    atomic_store_explicit(&m->read, amended, memory_order_release);
    urcu_memb_call_rcu(&read->rcu, read_free_shell_cb);
}

/* The tail Swap and LoadOrStore share: a key in neither map becomes a new dirty entry. */
static void store_new_key_locked(struct syncmap *m, struct syncmap_read *read, uint64_t key,
                                 struct syncmap_value *box)
{
    if (!read->amended) {
        dirty_locked(m);
        publish_amended_locked(m, read);
    }
    table_put(&m->dirty, key, (uint64_t)(uintptr_t)entry_new(m, box));
}

/* ---- vtable ---- */

static struct map *syncmap_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)err;
    struct syncmap *m = xcalloc(1, sizeof *m);
    map_accounting_init(&m->acct, env);
    pthread_mutex_init(&m->lock, NULL);
    struct syncmap_read *read = map_alloc(&m->acct, sizeof *read);
    table_init(&read->table, &m->acct, 0);
    atomic_store_explicit(&m->read, read, memory_order_relaxed);
    return (struct map *)m;
}

static void free_box_now(struct syncmap *m, struct syncmap_entry *e)
{
    struct syncmap_value *p = atomic_load_explicit(&e->p, memory_order_relaxed);
    if (p && p != SYNCMAP_EXPUNGED)
        map_free(&m->acct, p, sizeof *p);
    map_free(&m->acct, e, sizeof *e);
}

struct syncmap_destroy_walk {
    struct syncmap *m;
    bool expunged_only; /* the read map's live entries are freed through the dirty map */
};

static bool free_entry_fn(uint64_t key, uint64_t slot, void *arg)
{
    (void)key;
    struct syncmap_destroy_walk *walk = arg;
    struct syncmap_entry *e = entry_of(slot);
    if (!walk->expunged_only ||
        atomic_load_explicit(&e->p, memory_order_relaxed) == SYNCMAP_EXPUNGED)
        free_box_now(walk->m, e);
    return true;
}

/* No thread uses the map: first let pending callbacks run (they use m->acct), then free the rest.
 * With a dirty map, it holds every live entry and the read map adds only the expunged ones. */
static void syncmap_destroy(struct map *map)
{
    struct syncmap *m = (struct syncmap *)map;
    map_rcu_drain();
    struct syncmap_read *read = atomic_load_explicit(&m->read, memory_order_relaxed);
    struct syncmap_destroy_walk walk = {m, m->has_dirty};
    table_range(&read->table, free_entry_fn, &walk);
    table_destroy(&read->table);
    map_free(&m->acct, read, sizeof *read);
    if (m->has_dirty) {
        walk.expunged_only = false;
        table_range(&m->dirty, free_entry_fn, &walk);
        table_destroy(&m->dirty);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Go's Load, up to the entry: the read map, then (amended) the dirty map under the lock. */
static bool syncmap_find_for_load(struct syncmap *m, uint64_t key, struct syncmap_entry **e)
{
    struct syncmap_read *read = read_load(m);
    bool found = entry_lookup(&read->table, key, e);
    if (found || !read->amended)
        return found;
    pthread_mutex_lock(&m->lock);
    read = read_load(m); /* a promotion while we waited may have made the key clean */
    found = entry_lookup(&read->table, key, e);
    if (!found && read->amended) {
        found = dirty_lookup_locked(m, key, e);
        miss_locked(m); /* found or not, this key takes the slow path until promotion */
    }
    pthread_mutex_unlock(&m->lock);
    return found;
}

static bool syncmap_get(struct map *map, uint64_t key, uint64_t *value)
{
    struct syncmap *m = (struct syncmap *)map;
    struct syncmap_entry *e;
    urcu_memb_read_lock();
    bool found = syncmap_find_for_load(m, key, &e) && entry_load(e, value);
    urcu_memb_read_unlock();
    return found;
}

/* n of syncmap_get (Go's Load): one read-side section per key, and each miss counted and
 * possibly promoting the dirty map, as n calls would. */
static uint64_t syncmap_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(syncmap_get, m, keys, n, values);
}

/* Go's Swap (Store calls it); true when the key had no value. */
static bool syncmap_put(struct map *map, uint64_t key, uint64_t value)
{
    struct syncmap *m = (struct syncmap *)map;
    struct syncmap_value *box = box_new(m, value);
    struct syncmap_value *old = NULL;
    struct syncmap_entry *e;
    urcu_memb_read_lock();
    struct syncmap_read *read = read_load(m);
    if (entry_lookup(&read->table, key, &e) && entry_try_swap(e, box, &old))
        goto done;
    pthread_mutex_lock(&m->lock);
    read = read_load(m);
    if (entry_lookup(&read->table, key, &e)) {
        if (entry_unexpunge_locked(m, e))
            table_put(&m->dirty, key, (uint64_t)(uintptr_t)e); /* dirty lacked it */
        old = entry_swap_locked(e, box);
    } else if (dirty_lookup_locked(m, key, &e)) {
        old = entry_swap_locked(e, box);
    } else {
        store_new_key_locked(m, read, key, box);
    }
    pthread_mutex_unlock(&m->lock);
done:
    box_retire(old);
    urcu_memb_read_unlock();
    return old == NULL;
}

/* Go's LoadOrStore. */
static bool syncmap_put_if_absent(struct map *map, uint64_t key, uint64_t value,
                                  uint64_t *existing)
{
    struct syncmap *m = (struct syncmap *)map;
    struct syncmap_entry *e;
    enum syncmap_try_result result = SYNCMAP_WAS_EXPUNGED;
    urcu_memb_read_lock();
    struct syncmap_read *read = read_load(m);
    if (entry_lookup(&read->table, key, &e))
        result = entry_try_load_or_store(m, e, value, existing);
    if (result != SYNCMAP_WAS_EXPUNGED)
        goto done;
    pthread_mutex_lock(&m->lock);
    read = read_load(m);
    if (entry_lookup(&read->table, key, &e)) {
        if (entry_unexpunge_locked(m, e))
            table_put(&m->dirty, key, (uint64_t)(uintptr_t)e);
        result = entry_try_load_or_store(m, e, value, existing);
    } else if (dirty_lookup_locked(m, key, &e)) {
        result = entry_try_load_or_store(m, e, value, existing);
        miss_locked(m);
    } else {
        store_new_key_locked(m, read, key, box_new(m, value));
        result = SYNCMAP_STORED;
    }
    pthread_mutex_unlock(&m->lock);
done:
    urcu_memb_read_unlock();
    return result == SYNCMAP_STORED;
}

/* Go's LoadAndDelete.  An entry removed from the dirty map while absent from the read map (checked
 * under the lock) is unreachable for every thread that has not already found it: retire it. */
static bool syncmap_del(struct map *map, uint64_t key)
{
    struct syncmap *m = (struct syncmap *)map;
    struct syncmap_entry *e;
    bool unlinked = false;
    urcu_memb_read_lock();
    struct syncmap_read *read = read_load(m);
    bool found = entry_lookup(&read->table, key, &e);
    if (!found && read->amended) {
        pthread_mutex_lock(&m->lock);
        read = read_load(m);
        found = entry_lookup(&read->table, key, &e);
        if (!found && read->amended) {
            uint64_t slot;
            found = unlinked = table_del(&m->dirty, key, &slot);
            if (found)
                e = entry_of(slot);
            miss_locked(m);
        }
        pthread_mutex_unlock(&m->lock);
    }
    struct syncmap_value *old = found ? entry_delete(e) : NULL;
    box_retire(old);
    if (unlinked)
        entry_retire(e);
    urcu_memb_read_unlock();
    return old != NULL;
}

static bool count_live_fn(uint64_t key, uint64_t slot, void *arg)
{
    (void)key;
    uint64_t ignored;
    if (entry_load(entry_of(slot), &ignored))
        ++*(size_t *)arg;
    return true;
}

/* Go has no Len.  The dirty map, when it exists, holds every live entry; else the read map does. */
static size_t syncmap_size(struct map *map)
{
    struct syncmap *m = (struct syncmap *)map;
    size_t count = 0;
    urcu_memb_read_lock();
    pthread_mutex_lock(&m->lock);
    const struct table *t = m->has_dirty ? &m->dirty : &read_load(m)->table;
    table_range(t, count_live_fn, &count);
    pthread_mutex_unlock(&m->lock);
    urcu_memb_read_unlock();
    return count;
}

struct syncmap_range_walk {
    map_range_fn fn;
    void *arg;
};

static bool range_visit_fn(uint64_t key, uint64_t slot, void *arg)
{
    struct syncmap_range_walk *walk = arg;
    uint64_t value;
    if (!entry_load(entry_of(slot), &value))
        return true;
    return walk->fn(key, value, walk->arg);
}

/* Go's Range: an amended map is promoted at once (Range is O(n) anyway), then the read-only
 * snapshot is walked without the lock, so fn may call any operation on the map. */
static void syncmap_range(struct map *map, map_range_fn fn, void *arg)
{
    struct syncmap *m = (struct syncmap *)map;
    urcu_memb_read_lock();
    struct syncmap_read *read = read_load(m);
    if (read->amended) {
        pthread_mutex_lock(&m->lock);
        read = read_load(m);
        if (read->amended) {
            promote_locked(m);
            read = read_load(m);
        }
        pthread_mutex_unlock(&m->lock);
    }
    struct syncmap_range_walk walk = {fn, arg};
    table_range(&read->table, range_visit_fn, &walk);
    urcu_memb_read_unlock();
}

static void syncmap_thread_enter(struct map *map)
{
    (void)map;
    map_rcu_thread_enter();
}

static void syncmap_thread_leave(struct map *map)
{
    (void)map;
    map_rcu_thread_leave();
}

static void syncmap_stats(struct map *map, struct map_stats *out)
{
    map_accounting_read(&((struct syncmap *)map)->acct, out);
}

const struct map_backend map_backend_syncmap = {
    .abi_version = MAP_ABI_VERSION,
    .name = "syncmap",
    .summary = "Go's sync.Map: lock-free read-only map, mutex-guarded dirty map, RCU reclamation",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = syncmap_create,
    .destroy = syncmap_destroy,
    .get = syncmap_get,
    .get_many = syncmap_get_many,
    .put = syncmap_put,
    .put_if_absent = syncmap_put_if_absent,
    .del = syncmap_del,
    .size = syncmap_size,
    .range = syncmap_range,
    .thread_enter = syncmap_thread_enter,
    .thread_leave = syncmap_thread_leave,
    .stats = syncmap_stats,
};
