/*
 * ref_lfht.c: `ref-lfht`, a reference backend: liburcu's lock-free resizable RCU hash table
 * (cds_lfht, urcu/rculfhash.h) with the memb flavour, used the way its documentation prescribes,
 * so mapbench can measure our backends beside an implementation the field trusts.
 *
 * Design.  One cds_lfht created with CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING (grows when chains
 * lengthen, shrinks as it empties; resizes run in liburcu's own worker thread).  Option buckets=N
 * is the initial bucket count.  Each pair is one node {cds_lfht_node, key, value}, hashed with
 * map_hash and matched on the key.  Every lookup, insertion and removal runs inside a read-side
 * section, as rculfhash.h requires.
 *   get:           lookup; atomic load of the node's value.
 *   put_if_absent: lookup; if absent, allocate a node and cds_lfht_add_unique it; if another
 *                  thread won the race, free ours at once (rculfhash.h: no grace period needed for
 *                  a node that was never added) and report the winner's value.
 *   put:           as put_if_absent, then an existing node's value is replaced by one atomic 64-bit
 *                  store.  Chosen over cds_lfht_add_replace, which would allocate a node and free
 *                  the old one after a grace period on every update: updating in place makes an
 *                  update cost no allocation, as it does in our `rcu` backend, so the two compare
 *                  like for like.  (A store that lands in a node being removed concurrently is
 *                  ordered just before that removal, a valid linearization.)
 *   del:           lookup, cds_lfht_del, and the node freed with call_rcu.  If cds_lfht_del fails,
 *                  a concurrent del removed the node first; the key was absent at that instant,
 *                  so this del reports false.
 *   size:          cds_lfht_count_nodes, a traversal: O(n), meant for occasional use.
 * Ordering guarantees (those of cds_lfht).  Lookups, add_unique and del are linearizable; a
 * lookup never sees a torn node and values are atomic 64-bit words.  Iteration (range, with
 * cds_lfht_first/next in one read-side section) visits every key present throughout exactly once
 * even across concurrent resizes; keys added or removed meanwhile may or may not be visited.
 * Progress guarantees.  Lookups and traversals never block and are never blocked by writers;
 * add/del are lock-free (compare-and-swap loops); resizing is done by liburcu's worker thread and
 * blocks no one.  Reclamation waits for readers, never writers; destroy removes every node, waits
 * for the deferred frees (map_rcu_drain) and calls cds_lfht_destroy.
 * Memory accounting: our nodes go through map_alloc/map_free and are counted exactly (deferred
 * frees when they run).  cds_lfht's own bucket arrays and table header are NOT counted: liburcu
 * 0.13 allocates them itself (calloc/mmap inside its cds_lfht_mm_type back-ends, whose interface
 * depends on private structures), with no allocator hook.  So this backend's bytes per key is a
 * lower bound, short by roughly one or two bucket pointers per key, and the runner's placement
 * checks cannot see those arrays (unhooked_memory says so).
 * Helper threads.  In liburcu 0.13 a resize runs in one process-wide workqueue thread, started by
 * the first table that asks for automatic resizing (so by this create when no other cds_lfht is
 * alive) with the binding and memory policy of the thread that creates the table; a resize of
 * 8192 buckets or more spreads over partition threads, which cds_lfht starts with the pthread
 * attributes given to cds_lfht_new_flavor: here, bound to the env's helper PUs.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#define _LGPL_SOURCE /* inline read_lock/unlock: liburcu allows it (LGPL small functions) */
#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "rcu_backend.h"

#include "base/xalloc.h"

struct lfht_node {
    struct cds_lfht_node node;
    uint64_t key;
    _Atomic uint64_t value;
    struct map_accounting *acct; /* where call_rcu's callback returns the node */
    struct rcu_head rcu;
};

struct lfht_map {
    struct cds_lfht *ht;
    pthread_attr_t resize_attr; /* cds_lfht keeps a pointer to it: lives as long as ht */
    bool has_resize_attr;
    struct map_accounting acct;
    _Atomic uint64_t prefilled; /* keys passed to put_many so far: its resize target */
};

extern const struct map_backend map_backend_ref_lfht;

static const struct map_option_def lfht_options[] = {
    {"buckets", "16", "power of two, 1..2^30: initial bucket count (the table resizes itself)"},
    {NULL, NULL, NULL},
};

static int lfht_match_key(struct cds_lfht_node *node, const void *key)
{
    return caa_container_of(node, struct lfht_node, node)->key == *(const uint64_t *)key;
}

static struct lfht_node *lfht_node_of(struct cds_lfht_node *node)
{
    return node ? caa_container_of(node, struct lfht_node, node) : NULL;
}

static void lfht_node_free_deferred(struct rcu_head *head)
{
    struct lfht_node *n = caa_container_of(head, struct lfht_node, rcu);
    map_free(n->acct, n, sizeof *n);
}

/* Attributes binding cds_lfht's resize partition threads to the env's helper PUs; false (no
 * attributes: they inherit the resizing thread's binding) when the env names none. */
static bool lfht_resize_attr_init(pthread_attr_t *attr, const struct map_env *env)
{
    if (!env || !env->helper_pus || env->helper_pu_count <= 0)
        return false;
    int highest = 0;
    for (int i = 0; i < env->helper_pu_count; i++)
        highest = env->helper_pus[i] > highest ? env->helper_pus[i] : highest;
    cpu_set_t *set = CPU_ALLOC((size_t)highest + 1);
    size_t size = CPU_ALLOC_SIZE((size_t)highest + 1);
    if (!set)
        xalloc_die("CPU_ALLOC", size);
    CPU_ZERO_S(size, set);
    for (int i = 0; i < env->helper_pu_count; i++)
        if (env->helper_pus[i] >= 0)
            CPU_SET_S((size_t)env->helper_pus[i], size, set);
    pthread_attr_init(attr);
    pthread_attr_setaffinity_np(attr, size, set);
    CPU_FREE(set);
    return true;
}

static struct map *lfht_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    uint64_t buckets;
    if (!map_spec_option_u64(spec, &map_backend_ref_lfht, "buckets", 1, 1u << 30, &buckets, err))
        return NULL;
    if (buckets & (buckets - 1)) {
        snprintf(err, ERR_LEN, "backend 'ref-lfht': option buckets=%llu is not a power of two",
                 (unsigned long long)buckets);
        return NULL;
    }
    struct lfht_map *lm = xcalloc(1, sizeof *lm);
    map_accounting_init(&lm->acct, env);
    lm->has_resize_attr = lfht_resize_attr_init(&lm->resize_attr, env);
    /* rculfhash.h: cds_lfht_new need not be called from a registered thread. */
    lm->ht = cds_lfht_new_flavor(buckets, 1, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
                                 &urcu_memb_flavor, lm->has_resize_attr ? &lm->resize_attr : NULL);
    if (!lm->ht) {
        snprintf(err, ERR_LEN, "backend 'ref-lfht': cds_lfht_new failed for buckets=%llu",
                 (unsigned long long)buckets);
        if (lm->has_resize_attr)
            pthread_attr_destroy(&lm->resize_attr);
        free(lm);
        return NULL;
    }
    return (struct map *)lm;
}

/* The node holding key, or NULL; call inside a read-side section. */
static struct lfht_node *lfht_lookup(struct lfht_map *lm, uint64_t key)
{
    struct cds_lfht_iter iter;
    cds_lfht_lookup(lm->ht, map_hash(key), lfht_match_key, &key, &iter);
    return lfht_node_of(cds_lfht_iter_get_node(&iter));
}

/* Removes n and frees it after a grace period; false if a concurrent del removed it first.
 * Call inside a read-side section, n found in that same section. */
static bool lfht_remove(struct lfht_map *lm, struct lfht_node *n)
{
    if (cds_lfht_del(lm->ht, &n->node) != 0)
        return false;
    urcu_memb_call_rcu(&n->rcu, lfht_node_free_deferred);
    return true;
}

static void lfht_destroy(struct map *m)
{
    struct lfht_map *lm = (struct lfht_map *)m;
    struct cds_lfht_iter iter;
    struct cds_lfht_node *node;
    map_rcu_thread_enter(); /* destroy may run on an unregistered thread; deletion needs one */
    urcu_memb_read_lock();
    cds_lfht_for_each(lm->ht, &iter, node)
        lfht_remove(lm, lfht_node_of(node));
    urcu_memb_read_unlock();
    map_rcu_drain(); /* every node's deferred free, which charges lm->acct */
    if (cds_lfht_destroy(lm->ht, NULL) != 0)
        fprintf(stderr, "mapbench: ref-lfht: cds_lfht_destroy failed on an emptied table\n");
    map_rcu_thread_leave();
    if (lm->has_resize_attr)
        pthread_attr_destroy(&lm->resize_attr);
    free(lm);
}

static bool lfht_get(struct map *m, uint64_t key, uint64_t *value)
{
    urcu_memb_read_lock();
    struct lfht_node *n = lfht_lookup((struct lfht_map *)m, key);
    if (n)
        *value = atomic_load_explicit(&n->value, memory_order_acquire);
    urcu_memb_read_unlock();
    return n != NULL;
}

/* n of lfht_get: one read-side section per key, as n calls would. */
static uint64_t lfht_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(lfht_get, m, keys, n, values);
}

/* Inserts key unless present; returns the node now holding key (ours when *added).  Call inside a
 * read-side section. */
static struct lfht_node *lfht_insert_unique(struct lfht_map *lm, uint64_t key, uint64_t value,
                                            bool *added)
{
    struct lfht_node *n = lfht_lookup(lm, key);
    *added = false;
    if (n)
        return n;
    struct lfht_node *fresh = map_alloc(&lm->acct, sizeof *fresh);
    fresh->key = key;
    fresh->acct = &lm->acct;
    atomic_init(&fresh->value, value);
    cds_lfht_node_init(&fresh->node);
    n = lfht_node_of(cds_lfht_add_unique(lm->ht, map_hash(key), lfht_match_key, &key,
                                         &fresh->node));
    *added = n == fresh;
    if (!*added)
        map_free(&lm->acct, fresh, sizeof *fresh); /* never added: no grace period needed */
    return n;
}

static bool lfht_put(struct map *m, uint64_t key, uint64_t value)
{
    bool added;
    urcu_memb_read_lock();
    struct lfht_node *n = lfht_insert_unique((struct lfht_map *)m, key, value, &added);
    if (!added)
        atomic_store_explicit(&n->value, value, memory_order_release);
    urcu_memb_read_unlock();
    return added;
}

/* Prefill: asks cds_lfht (cds_lfht_resize, documented) for a table sized for every key put this
 * way so far, so its lazy chain-length-triggered growth is not relied on during a bulk load. */
static size_t lfht_put_many(struct map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
    struct lfht_map *lm = (struct lfht_map *)m;
    uint64_t target = atomic_fetch_add(&lm->prefilled, n) + n;
    unsigned long buckets = 1;
    while (buckets < target)
        buckets *= 2;
    cds_lfht_resize(lm->ht, buckets);
    size_t inserted = 0;
    for (size_t i = 0; i < n; i++)
        inserted += lfht_put(m, keys[i], values[i]);
    return inserted;
}

static bool lfht_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    bool added;
    urcu_memb_read_lock();
    struct lfht_node *n = lfht_insert_unique((struct lfht_map *)m, key, value, &added);
    if (!added)
        *existing = atomic_load_explicit(&n->value, memory_order_acquire);
    urcu_memb_read_unlock();
    return added;
}

static bool lfht_del(struct map *m, uint64_t key)
{
    struct lfht_map *lm = (struct lfht_map *)m;
    urcu_memb_read_lock();
    struct lfht_node *n = lfht_lookup(lm, key);
    bool removed = n && lfht_remove(lm, n);
    urcu_memb_read_unlock();
    return removed;
}

static size_t lfht_size(struct map *m)
{
    long before, after;
    unsigned long count;
    urcu_memb_read_lock();
    cds_lfht_count_nodes(((struct lfht_map *)m)->ht, &before, &count, &after);
    urcu_memb_read_unlock();
    return count;
}

static void lfht_range(struct map *m, map_range_fn fn, void *arg)
{
    struct cds_lfht_iter iter;
    struct cds_lfht_node *node;
    urcu_memb_read_lock();
    cds_lfht_for_each(((struct lfht_map *)m)->ht, &iter, node) {
        struct lfht_node *n = lfht_node_of(node);
        if (!fn(n->key, atomic_load_explicit(&n->value, memory_order_acquire), arg))
            break;
    }
    urcu_memb_read_unlock();
}

static void lfht_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct lfht_map *)m)->acct, out);
}

const struct map_backend map_backend_ref_lfht = {
    .abi_version = MAP_ABI_VERSION,
    .name = "ref-lfht",
    .summary = "reference: liburcu's lock-free resizable RCU hash table, cds_lfht (buckets=N)",
    .options = lfht_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_REFERENCE,
    .unhooked_memory = "cds_lfht's bucket arrays (allocated by liburcu)",
    .create = lfht_create,
    .destroy = lfht_destroy,
    .get = lfht_get,
    .get_many = lfht_get_many,
    .put = lfht_put,
    .put_many = lfht_put_many,
    .put_if_absent = lfht_put_if_absent,
    .del = lfht_del,
    .size = lfht_size,
    .range = lfht_range,
    .thread_enter = rcu_backend_thread_enter,
    .thread_leave = rcu_backend_thread_leave,
    .stats = lfht_stats,
};
