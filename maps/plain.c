/*
 * plain.c: `plain`, the shared table with no synchronisation at all: the single-thread ceiling,
 * and with several threads the read-only ceiling.
 *
 * Ordering: none beyond what the hardware gives.  Concurrent gets are safe (pure reads of memory
 * nobody writes); a write beside any other operation is a data race and undefined behaviour, so the
 * runner never schedules one (it stores such a case as skipped).
 * Progress: wait-free, trivially: nobody waits for anybody.
 *
 * Option detect=1 adds Go's runtime check (runtime/map.go, hashWriting): a writer sets a flag for
 * the length of its operation, a second writer that finds it set aborts with "concurrent map
 * writes", and a reader that finds it set before or after its read aborts with "concurrent map read
 * and map write".  Like Go's check it is best effort (a race that never overlaps the flag is not
 * seen) and costs two atomic accesses per operation.  The flag is a relaxed atomic so the checker
 * itself is not a data race.
 */
#include <stdio.h>
#include <stdlib.h>

#include "locked_table.h"

#include "base/xalloc.h"

struct plain_map {
    struct table table;
    struct map_accounting acct;
    bool detect;
    _Atomic unsigned writing;
};

extern const struct map_backend map_backend_plain;

static const struct map_option_def plain_options[] = {
    {"detect", "0", "1: abort on concurrent misuse like Go's runtime"},
    {NULL, NULL, NULL},
};

static void plain_fatal(const char *what)
{
    fprintf(stderr, "fatal error: %s\n", what);
    abort();
}

static void plain_check_read(struct plain_map *pm)
{
    if (pm->detect && atomic_load_explicit(&pm->writing, memory_order_relaxed))
        plain_fatal("concurrent map read and map write");
}

static void plain_begin_write(struct plain_map *pm)
{
    if (pm->detect && atomic_exchange_explicit(&pm->writing, 1, memory_order_relaxed))
        plain_fatal("concurrent map writes");
}

static void plain_end_write(struct plain_map *pm)
{
    if (pm->detect && !atomic_exchange_explicit(&pm->writing, 0, memory_order_relaxed))
        plain_fatal("concurrent map writes");
}

static struct map *plain_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    uint64_t detect;
    if (!map_spec_option_u64(spec, &map_backend_plain, "detect", 0, 1, &detect, err))
        return NULL;
    struct plain_map *pm = xcalloc(1, sizeof *pm);
    pm->detect = detect;
    map_accounting_init(&pm->acct, env);
    table_init(&pm->table, &pm->acct, 0);
    return (struct map *)pm;
}

static void plain_destroy(struct map *m)
{
    struct plain_map *pm = (struct plain_map *)m;
    table_destroy(&pm->table);
    free(pm);
}

static bool plain_get(struct map *m, uint64_t key, uint64_t *value)
{
    struct plain_map *pm = (struct plain_map *)m;
    plain_check_read(pm);
    bool found = table_get(&pm->table, key, value);
    plain_check_read(pm);
    return found;
}

/* n of plain_get, each with its own misuse checks (detect=1), as n calls would make them. */
static uint64_t plain_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    struct plain_map *pm = (struct plain_map *)m;
    if (!pm->detect)
        return table_get_many(&pm->table, keys, n, values);
    return map_get_many_each(plain_get, m, keys, n, values);
}

static bool plain_put(struct map *m, uint64_t key, uint64_t value)
{
    struct plain_map *pm = (struct plain_map *)m;
    plain_begin_write(pm);
    bool was_new = table_put(&pm->table, key, value);
    plain_end_write(pm);
    return was_new;
}

static bool plain_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    struct plain_map *pm = (struct plain_map *)m;
    plain_begin_write(pm);
    bool stored = table_put_if_absent(&pm->table, key, value, existing);
    plain_end_write(pm);
    return stored;
}

static bool plain_del(struct map *m, uint64_t key)
{
    struct plain_map *pm = (struct plain_map *)m;
    plain_begin_write(pm);
    bool was_present = table_del(&pm->table, key, NULL);
    plain_end_write(pm);
    return was_present;
}

static size_t plain_size(struct map *m)
{
    return table_size(&((struct plain_map *)m)->table);
}

static void plain_range(struct map *m, map_range_fn fn, void *arg)
{
    struct plain_map *pm = (struct plain_map *)m;
    plain_check_read(pm);
    table_range(&pm->table, fn, arg);
    plain_check_read(pm);
}

static void plain_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct plain_map *)m)->acct, out);
}

const struct map_backend map_backend_plain = {
    .abi_version = MAP_ABI_VERSION,
    .name = "plain",
    .summary = "shared table, no synchronisation (detect=1: Go-style misuse detector)",
    .options = plain_options,
    .concurrency = MAP_CONCURRENCY_NONE,
    .role = MAP_ROLE_CEILING,
    .create = plain_create,
    .destroy = plain_destroy,
    .get = plain_get,
    .put = plain_put,
    .put_if_absent = plain_put_if_absent,
    .del = plain_del,
    .size = plain_size,
    .range = plain_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = plain_stats,
    .get_many = plain_get_many,
};
