/*
 * table.c: the one open-addressing hash table of mapbench.
 *
 * Algorithm: linear probing over a power-of-two array of {key, value} slots, 16 bytes each, so a
 * probe sequence walks consecutive cache lines.  Key 0 marks an empty slot; the real key 0 is kept
 * out of band (has_zero_key / zero_key_value), so every uint64_t is a legal key without a separate
 * control array (one memory stream per lookup instead of two).
 *
 * Deletion uses backward-shift (Knuth, TAOCP vol. 3, algorithm 6.4R): after removing a slot, later
 * members of the same probe run are moved back into the hole.  There are no tombstones, so a table
 * that has seen any number of deletes probes exactly as if it had been built from its current keys:
 * lookups never degrade with churn.
 *
 * Resizing: grow x2 when count would exceed 3/4 of capacity; shrink /2 when a delete leaves it
 * below 1/8 (never below TABLE_MIN_CAPACITY), so a map that grew and emptied gives its memory
 * back; after either the load is 3/8 or 1/4, so grow and shrink cannot alternate.  Resizing rehashes every key into a new array and frees the old one at once: readers
 * of a concurrent backend must be excluded by that backend (cow never resizes a published table).
 *
 * Synchronisation: none.  Every function may be called by many threads at once only if none of
 * them modifies the table (table_get, table_range, table_size are pure reads).
 */
#include "table.h"

#include <string.h>

static size_t capacity_for(size_t keys)
{
    size_t capacity = TABLE_MIN_CAPACITY;
    while (keys > capacity - capacity / 4)
        capacity *= 2;
    return capacity;
}

static struct table_slot *slots_alloc(struct map_accounting *acct, size_t capacity)
{
    return map_alloc_aligned(acct, 64, capacity * sizeof(struct table_slot));
}

void table_init(struct table *t, struct map_accounting *acct, size_t expected_keys)
{
    size_t capacity = capacity_for(expected_keys);
    t->acct = acct;
    t->slots = slots_alloc(acct, capacity);
    t->mask = capacity - 1;
    t->count = 0;
    t->has_zero_key = false;
    t->zero_key_value = 0;
}

void table_destroy(struct table *t)
{
    map_free(t->acct, t->slots, table_capacity(t) * sizeof(struct table_slot));
    t->slots = NULL;
}

size_t table_capacity(const struct table *t)
{
    return t->mask + 1;
}

size_t table_size(const struct table *t)
{
    return t->count + (t->has_zero_key ? 1 : 0);
}

/* Index of key's slot, or of the empty slot that ends its probe run. */
static size_t probe(const struct table *t, uint64_t key)
{
    size_t i = map_hash(key) & t->mask;
    while (t->slots[i].key != key && t->slots[i].key != 0)
        i = (i + 1) & t->mask;
    return i;
}

/* Places every slot of `from` into the empty array of t; keys are known distinct. */
static void rehash_into(struct table *t, const struct table_slot *from, size_t from_capacity)
{
    for (size_t j = 0; j < from_capacity; j++) {
        if (from[j].key == 0)
            continue;
        size_t i = probe(t, from[j].key);
        t->slots[i] = from[j];
    }
}

static void resize(struct table *t, size_t new_capacity)
{
    struct table_slot *old = t->slots;
    size_t old_capacity = table_capacity(t);
    t->slots = slots_alloc(t->acct, new_capacity);
    t->mask = new_capacity - 1;
    rehash_into(t, old, old_capacity);
    map_free(t->acct, old, old_capacity * sizeof(struct table_slot));
}

void table_clone(struct table *dst, const struct table *src, size_t expected_keys)
{
    size_t keys = expected_keys > table_size(src) ? expected_keys : table_size(src);
    table_init(dst, src->acct, keys);
    if (table_capacity(dst) == table_capacity(src))
        memcpy(dst->slots, src->slots, table_capacity(src) * sizeof(struct table_slot));
    else
        rehash_into(dst, src->slots, table_capacity(src));
    dst->count = src->count;
    dst->has_zero_key = src->has_zero_key;
    dst->zero_key_value = src->zero_key_value;
}

static inline bool table_lookup(const struct table *t, uint64_t key, uint64_t *value)
{
    if (key == 0) {
        if (t->has_zero_key)
            *value = t->zero_key_value;
        return t->has_zero_key;
    }
    size_t i = probe(t, key);
    if (t->slots[i].key == 0)
        return false;
    *value = t->slots[i].value;
    return true;
}

bool table_get(const struct table *t, uint64_t key, uint64_t *value)
{
    return table_lookup(t, key, value);
}

uint64_t table_get_many(const struct table *t, const uint64_t *keys, size_t n, uint64_t *values)
{
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++)
        found |= (uint64_t)table_lookup(t, keys[i], &values[i]) << i;
    return found;
}

/* Shared body of put and put_if_absent: `overwrite` says whether an existing value is replaced. */
static bool table_store(struct table *t, uint64_t key, uint64_t value, bool overwrite,
                        uint64_t *existing)
{
    if (key == 0) {
        bool was_new = !t->has_zero_key;
        if (!was_new && existing)
            *existing = t->zero_key_value;
        if (was_new || overwrite)
            t->zero_key_value = value;
        t->has_zero_key = true;
        return was_new;
    }
    size_t i = probe(t, key);
    if (t->slots[i].key == key) {
        if (existing)
            *existing = t->slots[i].value;
        if (overwrite)
            t->slots[i].value = value;
        return false;
    }
    if (t->count + 1 > table_capacity(t) - table_capacity(t) / 4) {
        resize(t, table_capacity(t) * 2);
        i = probe(t, key);
    }
    t->slots[i].key = key;
    t->slots[i].value = value;
    t->count++;
    return true;
}

bool table_put(struct table *t, uint64_t key, uint64_t value)
{
    return table_store(t, key, value, true, NULL);
}

bool table_put_if_absent(struct table *t, uint64_t key, uint64_t value, uint64_t *existing)
{
    return table_store(t, key, value, false, existing);
}

/* Is `home` cyclically within (hole, current]?  If so the slot at current must stay put. */
static bool stays_after_hole(size_t hole, size_t current, size_t home)
{
    if (hole <= current)
        return hole < home && home <= current;
    return hole < home || home <= current;
}

/* Backward-shift deletion: pull later members of the probe run into the hole. */
static void close_hole(struct table *t, size_t hole)
{
    size_t current = hole;
    for (;;) {
        current = (current + 1) & t->mask;
        if (t->slots[current].key == 0)
            break;
        size_t home = map_hash(t->slots[current].key) & t->mask;
        if (stays_after_hole(hole, current, home))
            continue;
        t->slots[hole] = t->slots[current];
        hole = current;
    }
    t->slots[hole].key = 0;
    t->slots[hole].value = 0;
}

bool table_del(struct table *t, uint64_t key, uint64_t *old_value)
{
    if (key == 0) {
        bool was_present = t->has_zero_key;
        if (was_present && old_value)
            *old_value = t->zero_key_value;
        t->has_zero_key = false;
        return was_present;
    }
    size_t i = probe(t, key);
    if (t->slots[i].key == 0)
        return false;
    if (old_value)
        *old_value = t->slots[i].value;
    close_hole(t, i);
    t->count--;
    if (t->count < table_capacity(t) / 8 && table_capacity(t) > TABLE_MIN_CAPACITY)
        resize(t, table_capacity(t) / 2);
    return true;
}

bool table_range(const struct table *t, map_range_fn fn, void *arg)
{
    if (t->has_zero_key && !fn(0, t->zero_key_value, arg))
        return false;
    for (size_t i = 0; i <= t->mask; i++) {
        if (t->slots[i].key != 0 && !fn(t->slots[i].key, t->slots[i].value, arg))
            return false;
    }
    return true;
}
