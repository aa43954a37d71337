/*
 * rwlock.c: `rwlock`, the shared table behind one reader-writer lock.
 * Option impl=pthread|go picks the lock: glibc's pthread_rwlock_t (the default), or Go's
 * sync.RWMutex ported to C (go_rwmutex.c), which is writer-preferring and whose waiters spin before
 * they sleep.  Option prefer=reader|writer applies to the pthread lock: glibc's reader-preferring
 * lock (the default, which lets a steady stream of readers starve writers) or its writer-preferring
 * non-recursive kind (new readers wait behind a waiting writer); Go's lock always prefers writers,
 * so impl=go with prefer=reader is refused.
 * Option range=locked|copy-keys picks range: hold the read lock for the whole walk (the default),
 * or Go's RWMutexMap.Range (src/sync/map_reference_test.go): copy the keys under the read lock,
 * then get each one, taking the read lock per key.  `rwlock:impl=go,range=copy-keys` behaves like
 * Go's RWMutexMap; its LoadOrStore and LoadAndDelete take the write lock, as put_if_absent and del
 * do here whatever the options.
 *
 * Ordering: linearizable; gets, size and range take the lock shared, modifications exclusive.
 * range=locked sees one consistent snapshot.  range=copy-keys is no snapshot: a key present
 * throughout is visited once, with a value it held during the range; a key inserted during it is
 * not visited; a key deleted before its turn is skipped; fn runs with no lock held, so it may call
 * back into the map (Go's AdversarialDelete benchmark deletes from its Range callback).
 * Progress: blocking.  Readers never block readers, but every reader still writes the lock word,
 * so the lock's cache line bounces between cores: the read/write ratio and the thread count at
 * which that bouncing outweighs shared reading is what this backend exists to show.  With
 * impl=go, a waiting writer blocks new readers, and a waiter spins a few microseconds before it
 * sleeps in the kernel (see go_rwmutex.c for the guarantees of Go's lock).
 */
#include <stdio.h>
#include <string.h>

#include "locked_table.h"

static const char *const rwlock_impls[] = {"pthread", "go", NULL};
static const char *const rwlock_preferences[] = {"reader", "writer", NULL};
static const char *const rwlock_ranges[] = {"locked", "copy-keys", NULL};

static const struct map_option_def rwlock_options[] = {
    {"impl", "pthread", "pthread|go: glibc's pthread_rwlock_t, or Go's sync.RWMutex"},
    {"prefer", "reader", "reader|writer: which waiters the pthread lock lets in first"},
    {"range", "locked", "locked|copy-keys: hold the read lock, or Go's RWMutexMap.Range"},
    {NULL, NULL, NULL},
};

extern const struct map_backend map_backend_rwlock;

/* The lock kind impl and prefer select; -1 with a reason in err. */
static int rwlock_kind(const struct map_spec *spec, char *err)
{
    int impl = map_spec_option_choice(spec, &map_backend_rwlock, "impl", rwlock_impls, err);
    int prefer = map_spec_option_choice(spec, &map_backend_rwlock, "prefer", rwlock_preferences,
                                        err);
    if (impl < 0 || prefer < 0)
        return -1;
    if (impl == 0)
        return prefer == 0 ? LOCKED_TABLE_RWLOCK_PREFER_READER : LOCKED_TABLE_RWLOCK_PREFER_WRITER;
    for (int i = 0; i < spec->option_count; i++)
        if (strcmp(spec->options[i].key, "prefer") == 0 && prefer == 0) {
            snprintf(err, ERR_LEN, "backend 'rwlock': option prefer=reader does not apply to "
                                   "impl=go (Go's RWMutex always prefers writers)");
            return -1;
        }
    return LOCKED_TABLE_GO_RWMUTEX;
}

static struct map *rwlock_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    int kind = rwlock_kind(spec, err);
    if (kind < 0)
        return NULL;
    int range = map_spec_option_choice(spec, &map_backend_rwlock, "range", rwlock_ranges, err);
    if (range < 0)
        return NULL;
    struct map *m = locked_map_create((enum locked_table_kind)kind, env);
    ((struct locked_map *)m)->range_copies_keys = range == 1;
    return m;
}

const struct map_backend map_backend_rwlock = {
    .abi_version = MAP_ABI_VERSION,
    .name = "rwlock",
    .summary = "shared table behind one reader-writer lock: glibc's, or Go's RWMutex (impl=go)",
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
    .get_many = locked_map_get_many,
};
