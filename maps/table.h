/*
 * table.h: the open-addressing hash table every table-based backend shares (plain, mutex, rwlock,
 * striped, cow, syncmap's maps).  It is single-threaded: the backend around it supplies whatever
 * synchronisation it promises.  See table.c for the algorithm.
 */
#ifndef MAPBENCH_TABLE_H
#define MAPBENCH_TABLE_H

#include "map.h"

struct table_slot {
    uint64_t key;
    uint64_t value;
};

struct table {
    uint8_t *ctrl;            /* one control byte per slot, then the first TABLE_GROUP - 1 again
                                 (table_group.h); the start of the one block that holds `slots` */
    struct table_slot *slots; /* capacity slots; a slot is full when its control byte is */
    size_t mask;  /* capacity - 1; capacity is a power of two */
    size_t count; /* keys held */
    struct map_accounting *acct; /* where the block is charged; owned by the backend */
};

#define TABLE_MIN_CAPACITY 16 /* at least TABLE_GROUP (maps/table_group.h) */

/* The table's hash: the high and low halves of a 64x64->128-bit product, folded (one multiply,
 * as Abseil's and wyhash's mixers).  A key's home slot is its low bits; its control byte is its
 * top 7 bits.  It differs from map_hash on purpose: striped picks a shard from map_hash's top
 * bits, so every key of one shard shares them, and the table's own bits stay independent of that. */
static inline uint64_t table_hash(uint64_t key)
{
    __uint128_t product = (__uint128_t)(key ^ 0x243f6a8885a308d3ULL) * 0x9e3779b97f4a7c15ULL;
    return (uint64_t)(product >> 64) ^ (uint64_t)product;
}

void table_init(struct table *t, struct map_accounting *acct, size_t expected_keys);
void table_destroy(struct table *t);
/* A copy holding the same pairs, sized for `expected_keys` (at least src's size). */
void table_clone(struct table *dst, const struct table *src, size_t expected_keys);

bool table_get(const struct table *t, uint64_t key, uint64_t *value);
/* n gets (n <= MAP_GET_MANY_MAX): values[i] for each key found; returns the mask of keys found. */
uint64_t table_get_many(const struct table *t, const uint64_t *keys, size_t n, uint64_t *values);
bool table_put(struct table *t, uint64_t key, uint64_t value);
bool table_put_if_absent(struct table *t, uint64_t key, uint64_t value, uint64_t *existing);
bool table_del(struct table *t, uint64_t key, uint64_t *old_value);
size_t table_size(const struct table *t);
size_t table_capacity(const struct table *t);
/* Bytes of the block (control bytes and slots) a table of `capacity` slots holds. */
size_t table_bytes(size_t capacity);
/* Returns false when fn stopped the iteration. */
bool table_range(const struct table *t, map_range_fn fn, void *arg);

#endif
