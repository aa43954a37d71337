/*
 * good_plugin.c: a complete backend built outside the tree, loaded by test_options through
 * `--plugin`.  It must be self-contained (a plugin cannot count on mapbench's own symbols being
 * exported to it), so it is the simplest correct map: a fixed array of TEST_ARRAY_SLOTS pairs
 * searched linearly, behind a C11 atomic_flag spin lock.  put aborts when the array is full; the
 * tests stay well below that.
 * Ordering: linearizable at the lock.  Progress: blocking (a spinning waiter waits for the holder).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "maps/map.h"

#define TEST_ARRAY_SLOTS 1024

struct array_map {
    atomic_flag lock;
    size_t count;
    uint64_t keys[TEST_ARRAY_SLOTS];
    uint64_t values[TEST_ARRAY_SLOTS];
};

static void array_lock(struct array_map *a)
{
    while (atomic_flag_test_and_set_explicit(&a->lock, memory_order_acquire))
        ;
}

static void array_unlock(struct array_map *a)
{
    atomic_flag_clear_explicit(&a->lock, memory_order_release);
}

/* Index of key, or count when absent; called with the lock held. */
static size_t array_find(const struct array_map *a, uint64_t key)
{
    size_t i = 0;
    while (i < a->count && a->keys[i] != key)
        i++;
    return i;
}

static struct map *array_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec, (void)env, (void)err;
    struct array_map *a = calloc(1, sizeof *a);
    if (!a)
        abort();
    atomic_flag_clear(&a->lock);
    return (struct map *)a;
}

static void array_destroy(struct map *m)
{
    free(m);
}

static bool array_get(struct map *m, uint64_t key, uint64_t *value)
{
    struct array_map *a = (struct array_map *)m;
    array_lock(a);
    size_t i = array_find(a, key);
    bool found = i < a->count;
    if (found)
        *value = a->values[i];
    array_unlock(a);
    return found;
}

/* Shared body of put and put_if_absent. */
static bool array_store(struct map *m, uint64_t key, uint64_t value, bool overwrite,
                        uint64_t *existing)
{
    struct array_map *a = (struct array_map *)m;
    array_lock(a);
    size_t i = array_find(a, key);
    bool was_new = i == a->count;
    if (was_new) {
        if (a->count == TEST_ARRAY_SLOTS)
            abort();
        a->keys[a->count++] = key;
    } else if (existing) {
        *existing = a->values[i];
    }
    if (was_new || overwrite)
        a->values[i] = value;
    array_unlock(a);
    return was_new;
}

static bool array_put(struct map *m, uint64_t key, uint64_t value)
{
    return array_store(m, key, value, true, NULL);
}

static bool array_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    return array_store(m, key, value, false, existing);
}

static bool array_del(struct map *m, uint64_t key)
{
    struct array_map *a = (struct array_map *)m;
    array_lock(a);
    size_t i = array_find(a, key);
    bool found = i < a->count;
    if (found) { /* move the last pair into the hole */
        a->count--;
        a->keys[i] = a->keys[a->count];
        a->values[i] = a->values[a->count];
    }
    array_unlock(a);
    return found;
}

static size_t array_size(struct map *m)
{
    struct array_map *a = (struct array_map *)m;
    array_lock(a);
    size_t count = a->count;
    array_unlock(a);
    return count;
}

static void array_range(struct map *m, map_range_fn fn, void *arg)
{
    struct array_map *a = (struct array_map *)m;
    array_lock(a);
    for (size_t i = 0; i < a->count && fn(a->keys[i], a->values[i], arg); i++)
        ;
    array_unlock(a);
}

static void array_thread_nothing(struct map *m)
{
    (void)m;
}

static void array_stats(struct map *m, struct map_stats *out)
{
    (void)m;
    *out = (struct map_stats){sizeof(struct array_map), 1, 0};
}

const struct map_backend mapbench_backend_v1 = {
    .abi_version = MAP_ABI_VERSION,
    .name = "test-array",
    .summary = "test plugin: a fixed array of 1024 pairs behind a spin lock",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = array_create,
    .destroy = array_destroy,
    .get = array_get,
    .put = array_put,
    .put_if_absent = array_put_if_absent,
    .del = array_del,
    .size = array_size,
    .range = array_range,
    .thread_enter = array_thread_nothing,
    .thread_leave = array_thread_nothing,
    .stats = array_stats,
};
