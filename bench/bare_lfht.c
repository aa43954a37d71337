/*
 * bare_lfht.c: the bare loop of `make bench` for liburcu's cds_lfht (bench/bare.h), the library
 * behind `ref-lfht`: the table created as ref-lfht creates it (memb flavour, auto-resize and
 * accounting) but with as many buckets as keys from the start, filled, then gets in a tight loop,
 * each a cds_lfht_lookup inside its own inline read-side section (_LGPL_SOURCE), as ref-lfht's get.
 * Runs on the calling thread, which it registers with RCU for the duration.
 *
 * Each node is its own allocation carrying a struct rcu_head, as in a program that removes keys one
 * at a time and frees each node with call_rcu after a grace period (liburcu's pattern for
 * cds_lfht_del), and as ref-lfht's nodes are.  One array of all the nodes would be a smaller,
 * denser layout no such program can have: at 1M keys it ran 0-16% faster than per-node nodes here
 * (2026-12-01, three alternations), which is the layout's gain, not something ref-lfht's adapter
 * loses.
 */
#include <stdio.h>
#include <stdlib.h>
#define _LGPL_SOURCE /* inline read_lock/unlock, as in maps/ref_lfht.c */
#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include "bench/bare.h"
#include "maps/map.h"

struct bare_lfht_node {
    struct cds_lfht_node node;
    uint64_t key;
    uint64_t value;
    struct rcu_head rcu; /* unused here: what a node freed by call_rcu carries */
};

static int bare_lfht_match(struct cds_lfht_node *node, const void *key)
{
    return caa_container_of(node, struct bare_lfht_node, node)->key == *(const uint64_t *)key;
}

static uint64_t bare_lfht_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    struct cds_lfht *ht = table;
    uint64_t hits = 0;
    for (int i = 0; i < BENCH_BARE_BATCH; i++) {
        uint64_t key = bench_bare_key(rng, n);
        struct cds_lfht_iter iter;
        urcu_memb_read_lock();
        cds_lfht_lookup(ht, map_hash(key), bare_lfht_match, &key, &iter);
        struct cds_lfht_node *node = cds_lfht_iter_get_node(&iter);
        if (node) {
            *sink += caa_container_of(node, struct bare_lfht_node, node)->value;
            hits++;
        }
        urcu_memb_read_unlock();
    }
    return hits;
}

double bench_bare_lfht(const uint64_t *keys, uint64_t n, double seconds)
{
    unsigned long buckets = 1;
    while (buckets < n)
        buckets *= 2;
    urcu_memb_register_thread();
    struct cds_lfht *ht = cds_lfht_new_flavor(buckets, 1, 0,
                                              CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
                                              &urcu_memb_flavor, NULL);
    struct bare_lfht_node **nodes = calloc(n, sizeof *nodes);
    for (uint64_t i = 0; nodes && i < n; i++)
        nodes[i] = malloc(sizeof *nodes[i]);
    if (!ht || !nodes || (n && !nodes[n - 1])) {
        fprintf(stderr, "bench: bare cds_lfht: out of memory\n");
        abort();
    }
    urcu_memb_read_lock();
    for (uint64_t i = 0; i < n; i++) {
        nodes[i]->key = keys[i];
        nodes[i]->value = keys[i];
        cds_lfht_node_init(&nodes[i]->node);
        cds_lfht_add_unique(ht, map_hash(keys[i]), bare_lfht_match, &keys[i], &nodes[i]->node);
    }
    urcu_memb_read_unlock();
    double ns = bench_bare_time(bare_lfht_batch, ht, n, seconds);
    urcu_memb_read_lock();
    for (uint64_t i = 0; i < n; i++)
        cds_lfht_del(ht, &nodes[i]->node);
    urcu_memb_read_unlock();
    urcu_memb_synchronize_rcu(); /* no reader can still see a node: free them all at once */
    cds_lfht_destroy(ht, NULL);
    for (uint64_t i = 0; i < n; i++)
        free(nodes[i]);
    free(nodes);
    urcu_memb_unregister_thread();
    return ns;
}
