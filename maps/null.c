/*
 * null.c: `null`, a backend that does no work.  Running the harness against it measures the
 * harness itself (operation dispatch, workload arrays, clock reads), the floor under every other
 * figure.  It is not a map: get never finds, put always reports a new key, size is always zero.
 * Ordering and progress: nothing is shared, so nothing is ordered and no one waits.
 */
#include <stdlib.h>

#include "locked_table.h"

#include "base/xalloc.h"

struct null_map {
    char unused;
};

static struct map *null_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)env;
    (void)err;
    return (struct map *)xcalloc(1, sizeof(struct null_map));
}

static void null_destroy(struct map *m)
{
    free(m);
}

static bool null_get(struct map *m, uint64_t key, uint64_t *value)
{
    (void)m, (void)key, (void)value;
    return false;
}

/* Finds nothing, as n calls of null_get would, and reads nothing: a batch of gets costs the
 * harness its key stream and one call. */
static uint64_t null_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    (void)m, (void)keys, (void)n, (void)values;
    return 0;
}

static bool null_put(struct map *m, uint64_t key, uint64_t value)
{
    (void)m, (void)key, (void)value;
    return true;
}

static bool null_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    (void)m, (void)key, (void)value, (void)existing;
    return true;
}

static bool null_del(struct map *m, uint64_t key)
{
    (void)m, (void)key;
    return false;
}

static size_t null_size(struct map *m)
{
    (void)m;
    return 0;
}

static void null_range(struct map *m, map_range_fn fn, void *arg)
{
    (void)m, (void)fn, (void)arg;
}

static void null_stats(struct map *m, struct map_stats *out)
{
    (void)m;
    *out = (struct map_stats){0, 0, 0};
}

const struct map_backend map_backend_null = {
    .abi_version = MAP_ABI_VERSION,
    .name = "null",
    .summary = "does nothing: measures the harness's own cost per operation",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_HARNESS,
    .create = null_create,
    .destroy = null_destroy,
    .get = null_get,
    .put = null_put,
    .put_if_absent = null_put_if_absent,
    .del = null_del,
    .size = null_size,
    .range = null_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = null_stats,
    .get_many = null_get_many,
};
