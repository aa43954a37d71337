/*
 * table.h: the open-addressing hash table every table-based backend shares (plain, mutex, rwlock,
 * striped, cow, syncmap's maps).  It is single-threaded: the backend around it supplies whatever
 * synchronisation it promises.  See table.c for the algorithm.
 */
#ifndef MAPBENCH_TABLE_H
#define MAPBENCH_TABLE_H

#include "map.h"

struct table_slot {
    uint64_t key; /* 0 marks an empty slot; key 0 itself lives out of band in struct table */
    uint64_t value;
};

struct table {
    struct table_slot *slots;
    size_t mask;  /* capacity - 1; capacity is a power of two */
    size_t count; /* keys in slots, not counting the out-of-band zero key */
    bool has_zero_key;
    uint64_t zero_key_value;
    struct map_accounting *acct; /* where slot arrays are charged; owned by the backend */
};

#define TABLE_MIN_CAPACITY 16

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
/* Returns false when fn stopped the iteration. */
bool table_range(const struct table *t, map_range_fn fn, void *arg);

#endif
