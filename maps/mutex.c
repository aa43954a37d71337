/*
 * mutex.c: `mutex`, the shared table behind one pthread mutex: the simplest safe design and the
 * default baseline of every comparison.
 *
 * Ordering: linearizable; every operation, reads included, takes the mutex, so a reader sees
 * exactly the writes that finished before it acquired it.  range holds the mutex for its whole walk
 * and sees one consistent snapshot.
 * Progress: blocking.  Any operation waits for whichever thread holds the mutex; readers block
 * readers, which is why this backend stops scaling at the first thread beyond one.
 */
#include "locked_table.h"

static struct map *mutex_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec;
    (void)err;
    return locked_map_create(LOCKED_TABLE_MUTEX, env);
}

const struct map_backend map_backend_mutex = {
    .abi_version = MAP_ABI_VERSION,
    .name = "mutex",
    .summary = "shared table behind one pthread mutex (the baseline)",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = mutex_create,
    .destroy = locked_map_destroy,
    .get = locked_map_get,
    .put = locked_map_put,
    .put_if_absent = locked_map_put_if_absent,
    .del = locked_map_del,
    .size = locked_map_size,
    .range = locked_map_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = locked_map_stats,
    .get_many = locked_map_get_many,
};
