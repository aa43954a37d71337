/*
 * rwlock.c: `rwlock`, the shared table behind one pthread reader-writer lock.
 * Option prefer=reader|writer picks glibc's reader-preferring lock (the default, which lets a
 * steady stream of readers starve writers) or its writer-preferring non-recursive kind (new readers
 * wait behind a waiting writer).
 *
 * Ordering: linearizable; gets, size and range take the lock shared, modifications exclusive.
 * range sees one consistent snapshot.
 * Progress: blocking.  Readers never block readers, but every reader still writes the lock word,
 * so the lock's cache line bounces between cores: the read/write ratio and the thread count at
 * which that bouncing outweighs shared reading is what this backend exists to show.
 */
#include "locked_table.h"

static const char *const rwlock_preferences[] = {"reader", "writer", NULL};

static const struct map_option_def rwlock_options[] = {
    {"prefer", "reader", "reader|writer: which waiters the lock lets in first"},
    {NULL, NULL, NULL},
};

extern const struct map_backend map_backend_rwlock;

static struct map *rwlock_create(const struct map_spec *spec, char *err)
{
    int prefer = map_spec_option_choice(spec, &map_backend_rwlock, "prefer", rwlock_preferences,
                                        err);
    if (prefer < 0)
        return NULL;
    return locked_map_create(prefer == 0 ? LOCKED_TABLE_RWLOCK_PREFER_READER
                                         : LOCKED_TABLE_RWLOCK_PREFER_WRITER);
}

const struct map_backend map_backend_rwlock = {
    .abi_version = MAP_ABI_VERSION,
    .name = "rwlock",
    .summary = "shared table behind one pthread reader-writer lock (prefer=reader|writer)",
    .options = rwlock_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = rwlock_create,
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
};
