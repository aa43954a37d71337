/*
 * rcu.c: `rcu`, a sharded chained hash table whose lookups run lock-free inside liburcu (memb
 * flavour) read-side sections while writers serialise per shard.
 *
 * Design.  shards=N (a power of two, default 16) independent shards; a key's shard comes from the
 * top bits of map_hash(key), its bucket from the low bits (as striped.c does), so the two choices
 * stay independent.  Each shard has a writer mutex alone on its cache line, and an RCU-protected
 * pointer to its current bucket array on another line (readers never touch the writers' line).
 * A bucket is a singly linked list of nodes {next, key, value}.  Chaining rather than the shared
 * open-addressing table: a lock-free reader cannot tolerate open addressing's deletion (backward
 * shift moves live entries between slots, so a concurrent probe can step over a key that was
 * present throughout), whereas unlinking one node from a list leaves every other node reachable.
 *
 *   get:    read lock; load the shard's array (acquire, i.e. rcu_dereference); walk the bucket;
 *           load the value (acquire); read unlock.
 *   put:    shard lock; an existing key's value is replaced by one atomic 64-bit store (release);
 *           a new key gets a fully initialised node pushed at the bucket head with a release store
 *           (rcu_assign_pointer).
 *   del:    shard lock; the predecessor's link is set past the node (release store) and the node is
 *           freed with call_rcu, so a reader standing on it can still follow its next pointer.
 *   resize: when a shard's keys exceed its buckets the array doubles; when they fall below 1/8 of
 *           them it halves (never below RCU_MIN_BUCKETS), so memory returns as the map empties.
 *           Under the shard lock, every node is COPIED into a freshly built array, the new array is
 *           published with one release store, and the old array together with all its old nodes
 *           is retired with one call_rcu.  The old array is never modified again: writers only
 *           follow the published pointer, which they read under the lock.  (This is the simple
 *           alternative to the in-place "unzip" of relativistic hash tables, which relinks nodes
 *           and must wait for grace periods between steps; copying costs one allocation per live
 *           key per resize, amortised O(1) per insert, and never makes anyone wait.)
 *   reserve: before any other operation, each shard's empty initial array is replaced by one
 *           sized for its share of the keys to come, and freed at once (no reader can hold it).
 *           The prefill's put_many calls then resize nothing, so a map filled by one worker and
 *           one filled by several have the same arrays and no copied nodes (maps/map.h).
 *
 * Ordering guarantees (what a reader may observe while writers run).
 *   - get, put, put_if_absent and del are linearizable.  Writers of one key are serialised by its
 *     shard lock.  A reader sees either the array current when it started or a newer one; a key
 *     present throughout a get is in every array published during it (old arrays are frozen
 *     copies of a moment at which it was present), so a racing resize can never hide it.
 *   - Values are single atomic 64-bit words, and nodes are fully written before the release store
 *     that links them: a reader never sees a torn value or a value never written for that key.
 *     A reader still walking an old array may return the value the key had when that array was
 *     retired; its get overlapped the resize and the later put, so this is a linearizable result.
 *   - size sums the shards' counters one after another: exact when no writer runs, otherwise a
 *     value between the smallest and largest sizes during the call.
 *   - range walks each shard's current array inside one read-side section per shard: a key present
 *     throughout the range is visited exactly once, with a value it had during the range; keys
 *     inserted or deleted meanwhile may or may not be visited.  It is not a snapshot of the map.
 * Progress guarantees (who can block whom).
 *   - Readers (get, size, range) never block and are never blocked: memb read-side sections are a
 *     thread-local counter update; a lookup's work is bounded by its chain length.
 *   - Writers block only writers of the same shard (the shard mutex).  They never wait for a grace
 *     period: call_rcu only queues the free to liburcu's call_rcu thread.
 *   - A reader that stays inside a read-side section delays reclamation (memory is held longer),
 *     never a writer.  destroy waits for every pending deferred free (map_rcu_drain).
 * Memory: nodes and bucket arrays go through map_alloc/map_free; deferred frees count when they
 * run.  The instance header (plain calloc, as striped does) is not counted.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#define _LGPL_SOURCE /* inline read_lock/unlock: liburcu allows it (LGPL small functions) */
#include <urcu/urcu-memb.h>

#include "rcu_backend.h"

#include "base/xalloc.h"

#define RCU_MIN_BUCKETS 8

struct rcu_node {
    _Atomic(struct rcu_node *) next;
    uint64_t key;
    _Atomic uint64_t value;
    struct map_accounting *acct; /* where call_rcu's callback returns the node */
    struct rcu_head rcu;
};

struct rcu_buckets {
    struct map_accounting *acct;
    size_t mask; /* bucket count - 1 */
    struct rcu_head rcu;
    _Atomic(struct rcu_node *) heads[];
};

struct rcu_shard {
    alignas(64) pthread_mutex_t lock; /* writers only */
    _Atomic size_t count;             /* written under lock; read relaxed by size */
    alignas(64) _Atomic(struct rcu_buckets *) buckets; /* what readers load */
};

struct rcu_map {
    struct rcu_shard *shards;
    size_t shard_count;
    unsigned shard_shift; /* 64 - log2(shard_count); shard_count 1 is special-cased */
    struct map_accounting acct;
};

extern const struct map_backend map_backend_rcu;

static const struct map_option_def rcu_options[] = {
    {"shards", "16", "power of two, 1..65536: independently locked writer shards"},
    {NULL, NULL, NULL},
};

static size_t rcu_buckets_bytes(size_t bucket_count)
{
    return sizeof(struct rcu_buckets) + bucket_count * sizeof(_Atomic(struct rcu_node *));
}

static struct rcu_buckets *rcu_buckets_alloc(struct map_accounting *acct, size_t bucket_count)
{
    struct rcu_buckets *b = map_alloc(acct, rcu_buckets_bytes(bucket_count));
    b->acct = acct;
    b->mask = bucket_count - 1;
    return b; /* map_alloc zeroes: every head is NULL */
}

static struct rcu_node *rcu_node_alloc(struct map_accounting *acct, uint64_t key, uint64_t value,
                                       struct rcu_node *next)
{
    struct rcu_node *n = map_alloc(acct, sizeof *n);
    n->key = key;
    n->acct = acct;
    atomic_init(&n->value, value);
    atomic_init(&n->next, next);
    return n;
}

static void rcu_node_free_deferred(struct rcu_head *head)
{
    struct rcu_node *n = caa_container_of(head, struct rcu_node, rcu);
    map_free(n->acct, n, sizeof *n);
}

/* Frees an array and every node still linked in it; only when no reader can reach it. */
static void rcu_buckets_free_all(struct rcu_buckets *b)
{
    for (size_t i = 0; i <= b->mask; i++) {
        struct rcu_node *n = atomic_load_explicit(&b->heads[i], memory_order_relaxed);
        while (n) {
            struct rcu_node *next = atomic_load_explicit(&n->next, memory_order_relaxed);
            map_free(b->acct, n, sizeof *n);
            n = next;
        }
    }
    map_free(b->acct, b, rcu_buckets_bytes(b->mask + 1));
}

static void rcu_buckets_free_deferred(struct rcu_head *head)
{
    rcu_buckets_free_all(caa_container_of(head, struct rcu_buckets, rcu));
}

static struct map *rcu_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    uint64_t shards;
    if (!map_spec_option_u64(spec, &map_backend_rcu, "shards", 1, 65536, &shards, err))
        return NULL;
    if (shards & (shards - 1)) {
        snprintf(err, ERR_LEN, "backend 'rcu': option shards=%llu is not a power of two",
                 (unsigned long long)shards);
        return NULL;
    }
    struct rcu_map *rm = xcalloc(1, sizeof *rm);
    map_accounting_init(&rm->acct, env);
    rm->shard_count = shards;
    rm->shard_shift = 64 - (unsigned)__builtin_ctzll(shards);
    rm->shards = map_alloc_aligned(&rm->acct, 64, shards * sizeof *rm->shards);
    for (size_t i = 0; i < shards; i++) {
        pthread_mutex_init(&rm->shards[i].lock, NULL);
        atomic_init(&rm->shards[i].buckets, rcu_buckets_alloc(&rm->acct, RCU_MIN_BUCKETS));
    }
    return (struct map *)rm;
}

static void rcu_destroy(struct map *m)
{
    struct rcu_map *rm = (struct rcu_map *)m;
    map_rcu_drain(); /* pending callbacks free into rm->acct: let them finish first */
    for (size_t i = 0; i < rm->shard_count; i++) {
        rcu_buckets_free_all(atomic_load_explicit(&rm->shards[i].buckets, memory_order_relaxed));
        pthread_mutex_destroy(&rm->shards[i].lock);
    }
    map_free(&rm->acct, rm->shards, rm->shard_count * sizeof *rm->shards);
    free(rm);
}

static struct rcu_shard *rcu_shard_of(struct rcu_map *rm, uint64_t hash)
{
    return &rm->shards[rm->shard_count == 1 ? 0 : hash >> rm->shard_shift];
}

static _Atomic(struct rcu_node *) *rcu_bucket_of(struct rcu_buckets *b, uint64_t hash)
{
    return &b->heads[hash & b->mask];
}

/* The node holding key, or NULL.  Readers call it inside a read-side section, writers under the
 * shard lock; acquire loads pair with the writers' release stores (rcu_dereference). */
static struct rcu_node *rcu_chain_find(struct rcu_buckets *b, uint64_t hash, uint64_t key)
{
    struct rcu_node *n = atomic_load_explicit(rcu_bucket_of(b, hash), memory_order_acquire);
    while (n && n->key != key)
        n = atomic_load_explicit(&n->next, memory_order_acquire);
    return n;
}

static bool rcu_get(struct map *m, uint64_t key, uint64_t *value)
{
    uint64_t hash = map_hash(key);
    struct rcu_shard *s = rcu_shard_of((struct rcu_map *)m, hash);
    urcu_memb_read_lock();
    struct rcu_buckets *b = atomic_load_explicit(&s->buckets, memory_order_acquire);
    struct rcu_node *n = rcu_chain_find(b, hash, key);
    if (n)
        *value = atomic_load_explicit(&n->value, memory_order_acquire);
    urcu_memb_read_unlock();
    return n != NULL;
}

/* n of rcu_get: one read-side section per key, as n calls would. */
static uint64_t rcu_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(rcu_get, m, keys, n, values);
}

/* Copies every node of the shard's array into a new one of new_count buckets, publishes it, and
 * retires the old array with its nodes after a grace period.  Caller holds the shard lock. */
static void rcu_shard_resize(struct rcu_shard *s, size_t new_count)
{
    struct rcu_buckets *old = atomic_load_explicit(&s->buckets, memory_order_relaxed);
    struct rcu_buckets *fresh = rcu_buckets_alloc(old->acct, new_count);
    for (size_t i = 0; i <= old->mask; i++) {
        for (struct rcu_node *n = atomic_load_explicit(&old->heads[i], memory_order_relaxed); n;
             n = atomic_load_explicit(&n->next, memory_order_relaxed)) {
            _Atomic(struct rcu_node *) *head = rcu_bucket_of(fresh, map_hash(n->key));
            uint64_t value = atomic_load_explicit(&n->value, memory_order_relaxed);
            struct rcu_node *first = atomic_load_explicit(head, memory_order_relaxed);
            atomic_store_explicit(head, rcu_node_alloc(old->acct, n->key, value, first),
                                  memory_order_relaxed);
        }
    }
    atomic_store_explicit(&s->buckets, fresh, memory_order_release); /* rcu_assign_pointer */
    urcu_memb_call_rcu(&old->rcu, rcu_buckets_free_deferred);
}

/* Shared body of put and put_if_absent: `overwrite` says whether an existing value is replaced. */
static bool rcu_store(struct map *m, uint64_t key, uint64_t value, bool overwrite,
                      uint64_t *existing)
{
    uint64_t hash = map_hash(key);
    struct rcu_shard *s = rcu_shard_of((struct rcu_map *)m, hash);
    pthread_mutex_lock(&s->lock);
    struct rcu_buckets *b = atomic_load_explicit(&s->buckets, memory_order_relaxed);
    struct rcu_node *n = rcu_chain_find(b, hash, key);
    if (n) {
        if (existing)
            *existing = atomic_load_explicit(&n->value, memory_order_relaxed);
        if (overwrite)
            atomic_store_explicit(&n->value, value, memory_order_release);
        pthread_mutex_unlock(&s->lock);
        return false;
    }
    _Atomic(struct rcu_node *) *head = rcu_bucket_of(b, hash);
    struct rcu_node *first = atomic_load_explicit(head, memory_order_relaxed);
    atomic_store_explicit(head, rcu_node_alloc(b->acct, key, value, first), memory_order_release);
    size_t count = atomic_load_explicit(&s->count, memory_order_relaxed) + 1;
    atomic_store_explicit(&s->count, count, memory_order_relaxed);
    if (count > b->mask + 1)
        rcu_shard_resize(s, (b->mask + 1) * 2);
    pthread_mutex_unlock(&s->lock);
    return true;
}

/* A shard's share of `keys` stored in the whole map, with room for the hash's imbalance. */
static size_t rcu_shard_share(const struct rcu_map *rm, size_t keys)
{
    return keys / rm->shard_count + keys / rm->shard_count / 8 + 1;
}

/* The bucket count reached by doubling `current` until it holds `wanted` keys. */
static size_t rcu_buckets_reaching(size_t current, size_t wanted)
{
    while (current < wanted)
        current *= 2;
    return current;
}

/* Sizes every shard for `keys` in all (maps/map.h: reserve).  It runs before any other operation,
 * so no reader can hold an array yet: each shard's empty initial array is replaced and freed at
 * once, without a grace period, and no node is ever copied.  Then the prefill's put_many calls,
 * however many and from however many workers, find their shards sized and resize nothing. */
static void rcu_reserve(struct map *m, size_t keys)
{
    struct rcu_map *rm = (struct rcu_map *)m;
    for (size_t i = 0; i < rm->shard_count; i++) {
        struct rcu_shard *s = &rm->shards[i];
        struct rcu_buckets *old = atomic_load_explicit(&s->buckets, memory_order_relaxed);
        size_t buckets = rcu_buckets_reaching(old->mask + 1, rcu_shard_share(rm, keys));
        if (buckets == old->mask + 1)
            continue;
        /* relaxed: nothing else runs yet, and the window's barriers order it before every worker */
        atomic_store_explicit(&s->buckets, rcu_buckets_alloc(&rm->acct, buckets),
                              memory_order_relaxed);
        rcu_buckets_free_all(old);
    }
}

/* Prefill: sizes every shard once for the keys to come (growing by copies one doubling at a
 * time would copy every node about twice over), then stores them one by one.  Without a reserve
 * first, a later call finds shards holding keys and resizes them by copying those nodes. */
static size_t rcu_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    struct rcu_map *rm = (struct rcu_map *)m;
    for (size_t i = 0; i < rm->shard_count; i++) {
        struct rcu_shard *s = &rm->shards[i];
        pthread_mutex_lock(&s->lock);
        struct rcu_buckets *b = atomic_load_explicit(&s->buckets, memory_order_relaxed);
        size_t wanted = atomic_load_explicit(&s->count, memory_order_relaxed) +
                        rcu_shard_share(rm, n);
        size_t buckets = rcu_buckets_reaching(b->mask + 1, wanted);
        if (buckets != b->mask + 1)
            rcu_shard_resize(s, buckets);
        pthread_mutex_unlock(&s->lock);
    }
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += rcu_store(m, keys[i], values[i], true, NULL);
    return inserted;
}

static bool rcu_put(struct map *m, uint64_t key, uint64_t value)
{
    return rcu_store(m, key, value, true, NULL);
}

static bool rcu_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    return rcu_store(m, key, value, false, existing);
}

/* Unlinks key's node, if any, and frees it after a grace period.  Caller holds the shard lock. */
static bool rcu_chain_unlink(struct rcu_buckets *b, uint64_t hash, uint64_t key)
{
    _Atomic(struct rcu_node *) *link = rcu_bucket_of(b, hash);
    struct rcu_node *n;
    while ((n = atomic_load_explicit(link, memory_order_relaxed)) && n->key != key)
        link = &n->next;
    if (!n)
        return false;
    atomic_store_explicit(link, atomic_load_explicit(&n->next, memory_order_relaxed),
                          memory_order_release);
    urcu_memb_call_rcu(&n->rcu, rcu_node_free_deferred);
    return true;
}

static bool rcu_del(struct map *m, uint64_t key)
{
    uint64_t hash = map_hash(key);
    struct rcu_shard *s = rcu_shard_of((struct rcu_map *)m, hash);
    pthread_mutex_lock(&s->lock);
    struct rcu_buckets *b = atomic_load_explicit(&s->buckets, memory_order_relaxed);
    bool found = rcu_chain_unlink(b, hash, key);
    if (found) {
        size_t count = atomic_load_explicit(&s->count, memory_order_relaxed) - 1;
        atomic_store_explicit(&s->count, count, memory_order_relaxed);
        if (count < (b->mask + 1) / 8 && b->mask + 1 > RCU_MIN_BUCKETS)
            rcu_shard_resize(s, (b->mask + 1) / 2);
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

static size_t rcu_size(struct map *m)
{
    struct rcu_map *rm = (struct rcu_map *)m;
    size_t total = 0;
    for (size_t i = 0; i < rm->shard_count; i++)
        total += atomic_load_explicit(&rm->shards[i].count, memory_order_relaxed);
    return total;
}

/* Visits one shard's current array; false when fn stopped the iteration. */
static bool rcu_shard_range(struct rcu_shard *s, map_range_fn fn, void *arg)
{
    bool go_on = true;
    urcu_memb_read_lock();
    struct rcu_buckets *b = atomic_load_explicit(&s->buckets, memory_order_acquire);
    for (size_t i = 0; go_on && i <= b->mask; i++) {
        for (struct rcu_node *n = atomic_load_explicit(&b->heads[i], memory_order_acquire);
             go_on && n; n = atomic_load_explicit(&n->next, memory_order_acquire))
            go_on = fn(n->key, atomic_load_explicit(&n->value, memory_order_acquire), arg);
    }
    urcu_memb_read_unlock();
    return go_on;
}

static void rcu_range(struct map *m, map_range_fn fn, void *arg)
{
    struct rcu_map *rm = (struct rcu_map *)m;
    for (size_t i = 0; i < rm->shard_count; i++)
        if (!rcu_shard_range(&rm->shards[i], fn, arg))
            return;
}

static void rcu_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct rcu_map *)m)->acct, out);
}

const struct map_backend map_backend_rcu = {
    .abi_version = MAP_ABI_VERSION,
    .name = "rcu",
    .summary = "chained table, lock-free RCU readers, per-shard writer locks (shards=N)",
    .options = rcu_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = rcu_create,
    .destroy = rcu_destroy,
    .get = rcu_get,
    .get_many = rcu_get_many,
    .put = rcu_put,
    .put_if_absent = rcu_put_if_absent,
    .del = rcu_del,
    .size = rcu_size,
    .range = rcu_range,
    .thread_enter = rcu_backend_thread_enter,
    .thread_leave = rcu_backend_thread_leave,
    .stats = rcu_stats,
    .put_many = rcu_put_many,
    .reserve = rcu_reserve,
};
