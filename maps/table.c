/*
 * table.c: the one open-addressing hash table of mapbench.
 *
 * Algorithm: linear probing over a power-of-two array of {key, value} slots, 16 bytes each, beside
 * an array of one control byte per slot (maps/table_group.h): 0 for an empty slot, or the full bit
 * and 7 bits of the key's hash (its tag).  A lookup hashes the key once (table_hash: one multiply),
 * starts at its home slot, and compares TABLE_GROUP control bytes at once with the key's tag (one
 * SSE2 compare, as Abseil's Swiss tables do); only slots whose tag matches have their key
 * compared, and the first empty byte ends the search.  A present key is almost always the first
 * candidate of the first group, so a hit takes no branch the CPU cannot predict, and lookups of a
 * batch overlap in the pipeline; the old byte-free layout (key 0 marking an empty slot) ended each
 * probe on a data-dependent loop exit and mispredicted about one lookup in two.  Every uint64_t is
 * a legal key: emptiness is the control byte's, so key 0 needs nothing out of band.
 *
 * Layout: one block per table, control bytes first and then the slots (both 64-byte aligned), so a
 * table is one allocation and one free.  The first TABLE_GROUP - 1 control bytes are repeated after
 * the last one, so the group at any slot is one unaligned load, even where the probe run wraps
 * around the end; every write of a control byte writes its mirror too (table_ctrl_set).  Memory
 * comes zeroed, which is an empty table.
 *
 * Deletion uses backward-shift (Knuth, TAOCP vol. 3, algorithm 6.4R): after removing a slot, later
 * members of the same probe run are moved back into the hole, control bytes with them.  There are
 * no tombstones, so a table that has seen any number of deletes probes exactly as if it had been
 * built from its current keys: lookups never degrade with churn.  The invariant a lookup relies
 * on: no empty slot lies between a key's home and its slot.
 *
 * Resizing: grow x2 when count would exceed 3/4 of capacity; shrink /2 when a delete leaves it
 * below 1/8 (never below TABLE_MIN_CAPACITY), so a map that grew and emptied gives its memory
 * back; after either the load is 3/8 or 1/4, so grow and shrink cannot alternate.  Resizing
 * rehashes every key into a new block and frees the old one at once: readers of a concurrent
 * backend must be excluded by that backend (cow never resizes a published table).
 *
 * Synchronisation: none.  Every function may be called by many threads at once only if none of
 * them modifies the table (table_get, table_get_many, table_range, table_size are pure reads).
 */
#include "table.h"

#include <string.h>

#include "table_group.h"

static size_t capacity_for(size_t keys)
{
    size_t capacity = TABLE_MIN_CAPACITY;
    while (keys > capacity - capacity / 4)
        capacity *= 2;
    return capacity;
}

/* Control bytes, their mirror, rounded up to a cache line: where the slots start in the block. */
static size_t table_ctrl_bytes(size_t capacity)
{
    return (capacity + TABLE_GROUP - 1 + 63) & ~(size_t)63;
}

size_t table_bytes(size_t capacity)
{
    return table_ctrl_bytes(capacity) + capacity * sizeof(struct table_slot);
}

/* A zeroed block of `capacity` slots for t: every slot empty. */
static void table_block_alloc(struct table *t, size_t capacity)
{
    t->ctrl = map_alloc_aligned(t->acct, 64, table_bytes(capacity));
    t->slots = (struct table_slot *)(void *)(t->ctrl + table_ctrl_bytes(capacity));
    t->mask = capacity - 1;
}

void table_init(struct table *t, struct map_accounting *acct, size_t expected_keys)
{
    t->acct = acct;
    t->count = 0;
    table_block_alloc(t, capacity_for(expected_keys));
}

void table_destroy(struct table *t)
{
    map_free(t->acct, t->ctrl, table_bytes(table_capacity(t)));
    t->ctrl = NULL;
    t->slots = NULL;
}

size_t table_capacity(const struct table *t)
{
    return t->mask + 1;
}

size_t table_size(const struct table *t)
{
    return t->count;
}

/* Slot i's control byte, and its mirror when i < TABLE_GROUP - 1 (for i above, the second store
 * writes slot i again: no branch). */
static inline void table_ctrl_set(struct table *t, size_t i, uint8_t ctrl)
{
    t->ctrl[i] = ctrl;
    t->ctrl[((i - (TABLE_GROUP - 1)) & t->mask) + (TABLE_GROUP - 1)] = ctrl;
}

static inline bool table_slot_full(const struct table *t, size_t i)
{
    return t->ctrl[i] & TABLE_CTRL_FULL;
}

/* Index of key's slot (*found), or of the empty slot that ends its probe run. */
static inline size_t table_probe(const struct table *t, uint64_t key, uint64_t hash, bool *found)
{
    uint8_t ctrl = table_ctrl_of(hash);
    size_t i = hash & t->mask;
    for (;;) {
        for (uint64_t match = table_group_match(t->ctrl + i, ctrl); match; match &= match - 1) {
            size_t at = (i + table_group_index(match)) & t->mask;
            if (__builtin_expect(t->slots[at].key == key, 1)) {
                *found = true;
                return at;
            }
        }
        uint64_t empty = table_group_empty(t->ctrl + i);
        if (__builtin_expect(empty != 0, 1)) {
            *found = false;
            return (i + table_group_index(empty)) & t->mask;
        }
        i = (i + TABLE_GROUP) & t->mask;
    }
}

/* The first empty slot of hash's probe run: where a key known to be absent goes. */
static size_t table_first_empty(const struct table *t, uint64_t hash)
{
    size_t i = hash & t->mask;
    uint64_t empty;
    while (!(empty = table_group_empty(t->ctrl + i)))
        i = (i + TABLE_GROUP) & t->mask;
    return (i + table_group_index(empty)) & t->mask;
}

/* Places every full slot of a block of `from_capacity` into t's empty block; keys are distinct. */
static void rehash_into(struct table *t, const uint8_t *from_ctrl,
                        const struct table_slot *from, size_t from_capacity)
{
    for (size_t j = 0; j < from_capacity; j++) {
        if (!(from_ctrl[j] & TABLE_CTRL_FULL))
            continue;
        size_t i = table_first_empty(t, table_hash(from[j].key));
        t->slots[i] = from[j];
        table_ctrl_set(t, i, from_ctrl[j]);
    }
}

static void resize(struct table *t, size_t new_capacity)
{
    uint8_t *old_ctrl = t->ctrl;
    struct table_slot *old = t->slots;
    size_t old_capacity = table_capacity(t);
    table_block_alloc(t, new_capacity);
    rehash_into(t, old_ctrl, old, old_capacity);
    map_free(t->acct, old_ctrl, table_bytes(old_capacity));
}

void table_clone(struct table *dst, const struct table *src, size_t expected_keys)
{
    size_t keys = expected_keys > table_size(src) ? expected_keys : table_size(src);
    table_init(dst, src->acct, keys);
    if (table_capacity(dst) == table_capacity(src))
        memcpy(dst->ctrl, src->ctrl, table_bytes(table_capacity(src)));
    else
        rehash_into(dst, src->ctrl, src->slots, table_capacity(src));
    dst->count = src->count;
}

static inline bool table_lookup(const struct table *t, uint64_t key, uint64_t *value)
{
    bool found;
    size_t i = table_probe(t, key, table_hash(key), &found);
    if (found)
        *value = t->slots[i].value;
    return found;
}

bool table_get(const struct table *t, uint64_t key, uint64_t *value)
{
    return table_lookup(t, key, value);
}

uint64_t table_get_many(const struct table *t, const uint64_t *keys, size_t n, uint64_t *values)
{
    const struct table local = *t; /* in registers: the stores to values[] cannot alias it */
    uint64_t found = 0;
    for (size_t i = 0; i < n; i++)
        found |= (uint64_t)table_lookup(&local, keys[i], &values[i]) << i;
    return found;
}

/* Shared body of put and put_if_absent: `overwrite` says whether an existing value is replaced. */
static bool table_store(struct table *t, uint64_t key, uint64_t value, bool overwrite,
                        uint64_t *existing)
{
    uint64_t hash = table_hash(key);
    bool found;
    size_t i = table_probe(t, key, hash, &found);
    if (found) {
        if (existing)
            *existing = t->slots[i].value;
        if (overwrite)
            t->slots[i].value = value;
        return false;
    }
    if (t->count + 1 > table_capacity(t) - table_capacity(t) / 4) {
        resize(t, table_capacity(t) * 2);
        i = table_first_empty(t, hash);
    }
    t->slots[i].key = key;
    t->slots[i].value = value;
    table_ctrl_set(t, i, table_ctrl_of(hash));
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
        if (!table_slot_full(t, current))
            break;
        size_t home = table_hash(t->slots[current].key) & t->mask;
        if (stays_after_hole(hole, current, home))
            continue;
        t->slots[hole] = t->slots[current];
        table_ctrl_set(t, hole, t->ctrl[current]);
        hole = current;
    }
    t->slots[hole].key = 0;
    t->slots[hole].value = 0;
    table_ctrl_set(t, hole, 0);
}

bool table_del(struct table *t, uint64_t key, uint64_t *old_value)
{
    bool found;
    size_t i = table_probe(t, key, table_hash(key), &found);
    if (!found)
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
    for (size_t i = 0; i <= t->mask; i++) {
        if (table_slot_full(t, i) && !fn(t->slots[i].key, t->slots[i].value, arg))
            return false;
    }
    return true;
}
