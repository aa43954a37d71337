/*
 * bare_probe.c: the bare loop of `make bench` that `plain` is held to (bench/bare.h): the textbook
 * linear-probing lookup, none of maps/table.c in it: {key, value} slots of 16 bytes in a
 * power-of-two array at most 3/4 full (plain's load before it grows), MurmurHash3's 64-bit
 * finalizer as the hash (map_hash, inline), key 0 marking an empty slot (the keys are checked to
 * hold no 0), and the probe stepping one slot at a time until it meets the key or an empty slot.
 * Gets for a fresh random present key, as every bare loop.  `plain` through the window should
 * cost at most 1.25x this (issue #11 part 2; the goals section of bench/harness.c prints it).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bare.h"
#include "maps/map.h" /* map_hash: MurmurHash3's finalizer, inline */

struct bare_probe_slot {
    uint64_t key, value;
};

struct bare_probe_table {
    struct bare_probe_slot *slots;
    uint64_t mask;
};

static uint64_t bare_probe_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    const struct bare_probe_table *t = table;
    uint64_t hits = 0;
    for (int i = 0; i < BENCH_BARE_BATCH; i++) {
        uint64_t key = bench_bare_key(rng, n);
        uint64_t at = map_hash(key) & t->mask;
        while (t->slots[at].key != key && t->slots[at].key != 0)
            at = (at + 1) & t->mask;
        if (t->slots[at].key == key) {
            *sink += t->slots[at].value;
            hits++;
        }
    }
    return hits;
}

double bench_bare_probe(const uint64_t *keys, uint64_t n, double seconds)
{
    uint64_t capacity = 16;
    while (n > capacity - capacity / 4)
        capacity *= 2;
    struct bare_probe_table t = {calloc(capacity, sizeof *t.slots), capacity - 1};
    if (!t.slots) {
        fprintf(stderr, "bench: bare linear probing: out of memory\n");
        abort();
    }
    for (uint64_t i = 0; i < n; i++) {
        if (keys[i] == 0) {
            fprintf(stderr, "bench: bare linear probing: key 0 would read as an empty slot\n");
            abort();
        }
        uint64_t at = map_hash(keys[i]) & t.mask;
        while (t.slots[at].key != 0 && t.slots[at].key != keys[i])
            at = (at + 1) & t.mask;
        t.slots[at] = (struct bare_probe_slot){keys[i], keys[i]};
    }
    double ns = bench_bare_time(bare_probe_batch, &t, n, seconds);
    free(t.slots);
    return ns;
}
