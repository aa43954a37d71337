/*
 * ref_ckht.c: `ref-ckht`, Concurrency Kit's ck_ht used as its manual pages document it, as a
 * reference point beside our own backends.
 *
 * Design.  One ck_ht in CK_HT_MODE_DIRECT (64-bit keys and values stored in the entries) with the
 * CK_HT_WORKLOAD_DELETE hint (per-bucket probe bounds, so misses stay short under deletes).  ck_ht
 * is single-writer/many-reader (the _spmc calls): writers serialise on one pthread mutex, readers
 * call ck_ht_get_spmc with no lock.  Hashing is ck_ht_hash_direct (MurmurHash64A), as documented.
 *
 * Reserved keys.  Direct mode gives CK_HT_KEY_EMPTY (0) and CK_HT_KEY_TOMBSTONE (~0) a meaning
 * inside the table, so those two keys live out of band in `reserved[]`: a present flag and a value,
 * both atomics.  A writer (holding the mutex) stores the value, then sets present with release; a
 * reader loads present with acquire, then the value.  A reader that sees present may read a value
 * stored later by put (still a value the key held during the read); it never reads one never stored.
 *
 * Reclamation.  ck_ht frees a replaced bucket array (grow, reset) with the `defer` flag set: readers
 * may still be probing it.  Those frees go through call_rcu, and readers run ck_ht_get_spmc inside
 * an RCU read-side section.  We use liburcu rather than ck_epoch because the harness already
 * registers threads with liburcu (thread_enter) and waits for deferred frees with map_rcu_drain at
 * destroy; ck_epoch would need a record per thread per map and its own barrier.  call_rcu must be
 * called from a registered thread; the only caller is a writer inside put/del, which has entered.
 * Every block ck_ht allocates carries a header with its rcu_head, size and the instance's
 * accounting, so the deferred free needs no extra allocation.  ck_malloc's callbacks receive no
 * context pointer, so malloc learns which instance's accounting to charge from a thread-local set
 * while the writer holds the mutex (ckht_writer_lock); every ck_ht call that allocates is a writer
 * call, made under the mutex.
 *
 * Tombstones.  ck_ht_remove_spmc leaves a tombstone; later inserts reuse tombstones on their probe
 * path, but probe bounds only grow.  After as many removes as the largest size the table has had
 * (at least CKHT_GC_MIN_REMOVES), the writer runs ck_ht_gc over the whole table: it moves entries
 * back into earlier tombstones and recomputes the probe bounds.  ck_ht never shrinks its array, so
 * the gc cost is proportional to that peak; pacing by the peak keeps it O(1) amortised per remove.
 *
 * Ordering guarantees.  get is linearizable: ck_ht_get_spmc retries when it overlaps a writer's
 * deletion or relocation (the map's version counter), so a reader observes a key's state either
 * before or after each write, never a torn pair.  size reads ck_ht_count without the lock (a value
 * from some moment during the call).  range holds the writer mutex for its walk (ck_ht_next allows
 * no concurrent mutation): it sees one consistent snapshot, blocks writers, and its callback must
 * not modify this map.
 *
 * Progress guarantees.  Readers never block and are never blocked by the mutex; a reader retries
 * only when a writer completed a deletion or a move meanwhile (lock-free, not wait-free).  Writers
 * block each other, and range blocks writers; growing the table (ck_ht_grow_spmc, O(n)) and gc
 * (O(capacity)) run under the mutex, so they stall other writers but no reader.
 */
#include <ck_ht.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#define _LGPL_SOURCE /* inline read_lock/unlock, as every liburcu user here: rcu, cow, ref-lfht */
#include <urcu/urcu-memb.h>

#include "map.h"

#include "base/xalloc.h"

#define CKHT_INITIAL_CAPACITY 16
#define CKHT_GC_MIN_REMOVES 1024
#define CKHT_RESERVED_KEYS 2

/* Prefix of every block ck_ht allocates; 32 bytes keeps the block 16-byte aligned. */
struct ckht_block {
    struct rcu_head rcu;
    struct map_accounting *acct;
    size_t bytes; /* the whole block, header included */
};

struct ckht_reserved {
    _Atomic bool present;
    _Atomic uint64_t value;
};

struct ckht_map {
    ck_ht_t ht;
    pthread_mutex_t lock; /* the single writer's lock */
    struct ckht_reserved reserved[CKHT_RESERVED_KEYS]; /* CK_HT_KEY_EMPTY, CK_HT_KEY_TOMBSTONE */
    uint64_t removes_since_gc;
    uint64_t peak_count;
    struct ck_malloc allocator;
    struct map_accounting acct;
};

/* The accounting ck_ht's malloc charges: set only while this thread holds some map's mutex. */
static _Thread_local struct map_accounting *ckht_writer_acct;

/* ---- ck_malloc callbacks ---- */

static void *ckht_malloc(size_t bytes)
{
    struct map_accounting *acct = ckht_writer_acct;
    if (!acct) {
        fprintf(stderr, "mapbench: ref-ckht allocated outside a writer section\n");
        abort();
    }
    struct ckht_block *block = map_alloc(acct, sizeof *block + bytes);
    block->acct = acct;
    block->bytes = sizeof *block + bytes;
    return block + 1;
}

static void ckht_block_free_cb(struct rcu_head *head)
{
    struct ckht_block *block = caa_container_of(head, struct ckht_block, rcu);
    map_free(block->acct, block, block->bytes);
}

/* defer: readers may still be probing this memory, so it waits for a grace period. */
static void ckht_free(void *p, size_t bytes, bool defer)
{
    (void)bytes;
    if (!p)
        return;
    struct ckht_block *block = (struct ckht_block *)p - 1;
    if (defer)
        urcu_memb_call_rcu(&block->rcu, ckht_block_free_cb);
    else
        map_free(block->acct, block, block->bytes);
}

static void ckht_writer_lock(struct ckht_map *m)
{
    pthread_mutex_lock(&m->lock);
    ckht_writer_acct = &m->acct;
}

static void ckht_writer_unlock(struct ckht_map *m)
{
    ckht_writer_acct = NULL;
    pthread_mutex_unlock(&m->lock);
}

/* ---- the two reserved keys ---- */

static struct ckht_reserved *ckht_reserved_for(struct ckht_map *m, uint64_t key)
{
    if (key == CK_HT_KEY_EMPTY)
        return &m->reserved[0];
    if (key == CK_HT_KEY_TOMBSTONE)
        return &m->reserved[1];
    return NULL;
}

static bool reserved_get(const struct ckht_reserved *r, uint64_t *value)
{
    if (!atomic_load_explicit(&r->present, memory_order_acquire))
        return false;
    *value = atomic_load_explicit(&r->value, memory_order_relaxed);
    return true;
}

/* Writer side (mutex held): `overwrite` false is put_if_absent.  Returns true when it was new. */
static bool reserved_store(struct ckht_reserved *r, uint64_t value, bool overwrite,
                           uint64_t *existing)
{
    bool was_new = !atomic_load_explicit(&r->present, memory_order_relaxed);
    if (!was_new && existing)
        *existing = atomic_load_explicit(&r->value, memory_order_relaxed);
    if (was_new || overwrite)
        atomic_store_explicit(&r->value, value, memory_order_relaxed);
    atomic_store_explicit(&r->present, true, memory_order_release);
    return was_new;
}

static bool reserved_del(struct ckht_reserved *r)
{
    bool was_present = atomic_load_explicit(&r->present, memory_order_relaxed);
    atomic_store_explicit(&r->present, false, memory_order_release);
    return was_present;
}

/* ---- ck_ht helpers ---- */

static void ckht_entry_for(struct ckht_map *m, uint64_t key, ck_ht_hash_t *h, ck_ht_entry_t *e)
{
    ck_ht_hash_direct(h, &m->ht, (uintptr_t)key);
    ck_ht_entry_key_set_direct(e, (uintptr_t)key);
}

static void ckht_fail(const char *call)
{
    fprintf(stderr, "mapbench: ref-ckht: %s failed (out of memory)\n", call);
    abort();
}

static void ckht_note_insert(struct ckht_map *m)
{
    uint64_t count = ck_ht_count(&m->ht);
    if (count > m->peak_count)
        m->peak_count = count;
}

static void ckht_note_remove(struct ckht_map *m)
{
    uint64_t due = m->peak_count > CKHT_GC_MIN_REMOVES ? m->peak_count : CKHT_GC_MIN_REMOVES;
    if (++m->removes_since_gc < due)
        return;
    if (!ck_ht_gc(&m->ht, 0, 0))
        ckht_fail("ck_ht_gc");
    m->removes_since_gc = 0;
}

/* ---- vtable ---- */

static struct map *ckht_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)err;
    struct ckht_map *m = xcalloc(1, sizeof *m);
    map_accounting_init(&m->acct, env);
    pthread_mutex_init(&m->lock, NULL);
    m->allocator.malloc = ckht_malloc;
    m->allocator.realloc = NULL; /* ck_ht never reallocates */
    m->allocator.free = ckht_free;
    ckht_writer_lock(m);
    bool ok = ck_ht_init(&m->ht, CK_HT_MODE_DIRECT | CK_HT_WORKLOAD_DELETE, NULL, &m->allocator,
                         CKHT_INITIAL_CAPACITY, 0);
    ckht_writer_unlock(m);
    if (!ok)
        ckht_fail("ck_ht_init");
    return (struct map *)m;
}

/* ck_ht_destroy frees at once; then pending deferred frees (which use m->acct) are waited for. */
static void ckht_destroy(struct map *map)
{
    struct ckht_map *m = (struct ckht_map *)map;
    ck_ht_destroy(&m->ht);
    map_rcu_drain();
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static bool ckht_get(struct map *map, uint64_t key, uint64_t *value)
{
    struct ckht_map *m = (struct ckht_map *)map;
    struct ckht_reserved *r = ckht_reserved_for(m, key);
    if (r)
        return reserved_get(r, value);
    ck_ht_hash_t h;
    ck_ht_entry_t entry;
    ckht_entry_for(m, key, &h, &entry);
    urcu_memb_read_lock();
    bool found = ck_ht_get_spmc(&m->ht, h, &entry);
    urcu_memb_read_unlock();
    if (found)
        *value = ck_ht_entry_value_direct(&entry);
    return found;
}

/* n of ckht_get: one read-side section per key, as n calls would. */
static uint64_t ckht_get_many(struct map *map, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(ckht_get, map, keys, n, values);
}

static bool ckht_put(struct map *map, uint64_t key, uint64_t value)
{
    struct ckht_map *m = (struct ckht_map *)map;
    struct ckht_reserved *r = ckht_reserved_for(m, key);
    bool was_new;
    ckht_writer_lock(m);
    if (r) {
        was_new = reserved_store(r, value, true, NULL);
    } else {
        ck_ht_hash_t h;
        ck_ht_entry_t entry;
        ckht_entry_for(m, key, &h, &entry);
        ck_ht_entry_set_direct(&entry, h, (uintptr_t)key, (uintptr_t)value);
        uint64_t before = ck_ht_count(&m->ht);
        if (!ck_ht_set_spmc(&m->ht, h, &entry))
            ckht_fail("ck_ht_set_spmc");
        was_new = ck_ht_count(&m->ht) > before;
        if (was_new)
            ckht_note_insert(m);
    }
    ckht_writer_unlock(m);
    return was_new;
}

static bool ckht_put_if_absent(struct map *map, uint64_t key, uint64_t value, uint64_t *existing)
{
    struct ckht_map *m = (struct ckht_map *)map;
    struct ckht_reserved *r = ckht_reserved_for(m, key);
    bool stored;
    ckht_writer_lock(m);
    if (r) {
        stored = reserved_store(r, value, false, existing);
    } else {
        ck_ht_hash_t h;
        ck_ht_entry_t entry;
        ckht_entry_for(m, key, &h, &entry);
        stored = !ck_ht_get_spmc(&m->ht, h, &entry); /* the writer needs no RCU section */
        if (!stored) {
            *existing = ck_ht_entry_value_direct(&entry);
        } else {
            ck_ht_entry_set_direct(&entry, h, (uintptr_t)key, (uintptr_t)value);
            if (!ck_ht_put_spmc(&m->ht, h, &entry))
                ckht_fail("ck_ht_put_spmc");
            ckht_note_insert(m);
        }
    }
    ckht_writer_unlock(m);
    return stored;
}

static bool ckht_del(struct map *map, uint64_t key)
{
    struct ckht_map *m = (struct ckht_map *)map;
    struct ckht_reserved *r = ckht_reserved_for(m, key);
    bool removed;
    ckht_writer_lock(m);
    if (r) {
        removed = reserved_del(r);
    } else {
        ck_ht_hash_t h;
        ck_ht_entry_t entry;
        ckht_entry_for(m, key, &h, &entry);
        removed = ck_ht_remove_spmc(&m->ht, h, &entry);
        if (removed)
            ckht_note_remove(m);
    }
    ckht_writer_unlock(m);
    return removed;
}

static size_t ckht_size(struct map *map)
{
    struct ckht_map *m = (struct ckht_map *)map;
    size_t count = 0;
    for (int i = 0; i < CKHT_RESERVED_KEYS; i++)
        count += atomic_load_explicit(&m->reserved[i].present, memory_order_acquire);
    urcu_memb_read_lock(); /* ck_ht_count dereferences the current bucket array */
    count += ck_ht_count(&m->ht);
    urcu_memb_read_unlock();
    return count;
}

static void ckht_range(struct map *map, map_range_fn fn, void *arg)
{
    struct ckht_map *m = (struct ckht_map *)map;
    ckht_writer_lock(m);
    bool go_on = true;
    for (int i = 0; i < CKHT_RESERVED_KEYS && go_on; i++) {
        uint64_t key = i == 0 ? CK_HT_KEY_EMPTY : CK_HT_KEY_TOMBSTONE;
        uint64_t value;
        if (reserved_get(&m->reserved[i], &value))
            go_on = fn(key, value, arg);
    }
    ck_ht_iterator_t it = CK_HT_ITERATOR_INITIALIZER;
    ck_ht_entry_t *entry;
    while (go_on && ck_ht_next(&m->ht, &it, &entry))
        go_on = fn(ck_ht_entry_key_direct(entry), ck_ht_entry_value_direct(entry), arg);
    ckht_writer_unlock(m);
}

static void ckht_thread_enter(struct map *map)
{
    (void)map;
    map_rcu_thread_enter();
}

static void ckht_thread_leave(struct map *map)
{
    (void)map;
    map_rcu_thread_leave();
}

static void ckht_stats(struct map *map, struct map_stats *out)
{
    map_accounting_read(&((struct ckht_map *)map)->acct, out);
}

const struct map_backend map_backend_ref_ckht = {
    .abi_version = MAP_ABI_VERSION,
    .name = "ref-ckht",
    .summary = "Concurrency Kit ck_ht (SPMC) with a writer mutex; lock-free readers, RCU frees",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_REFERENCE,
    .create = ckht_create,
    .destroy = ckht_destroy,
    .get = ckht_get,
    .get_many = ckht_get_many,
    .put = ckht_put,
    .put_if_absent = ckht_put_if_absent,
    .del = ckht_del,
    .size = ckht_size,
    .range = ckht_range,
    .thread_enter = ckht_thread_enter,
    .thread_leave = ckht_thread_leave,
    .stats = ckht_stats,
};
