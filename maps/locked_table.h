/*
 * locked_table.h: the shared table guarded by one lock, which is a whole map for `mutex` and
 * `rwlock` and one shard of `striped`.  The lock is a pthread mutex, a pthread reader-writer lock,
 * or Go's sync.RWMutex (go_rwmutex.h), chosen at init; the one predictable branch on its kind costs
 * far less than the lock itself, and it lets the three backends share every line of their
 * operations.
 */
#ifndef MAPBENCH_LOCKED_TABLE_H
#define MAPBENCH_LOCKED_TABLE_H

#include <pthread.h>

#include "go_rwmutex.h"
#include "table.h"

enum locked_table_kind {
    LOCKED_TABLE_MUTEX,
    LOCKED_TABLE_RWLOCK_PREFER_READER,
    LOCKED_TABLE_RWLOCK_PREFER_WRITER,
    LOCKED_TABLE_GO_RWMUTEX,
};

struct locked_table {
    enum locked_table_kind kind;
    union {
        pthread_mutex_t mutex;
        pthread_rwlock_t rwlock;
        struct go_rwmutex go_rwmutex;
    } lock;
    struct table table;
};

void locked_table_init(struct locked_table *lt, enum locked_table_kind kind,
                       struct map_accounting *acct, size_t expected_keys);
void locked_table_destroy(struct locked_table *lt);

bool locked_table_get(struct locked_table *lt, uint64_t key, uint64_t *value);
bool locked_table_put(struct locked_table *lt, uint64_t key, uint64_t value);
bool locked_table_put_if_absent(struct locked_table *lt, uint64_t key, uint64_t value,
                                uint64_t *existing);
bool locked_table_del(struct locked_table *lt, uint64_t key);
size_t locked_table_size(struct locked_table *lt);
/* Holds the (read) lock for the whole walk: fn must not call back into the map. */
bool locked_table_range(struct locked_table *lt, map_range_fn fn, void *arg);
/* Go's RWMutexMap.Range: copies the keys under the read lock into an array charged to the table's
 * accounting, then gets each one (taking the read lock again) and calls fn with the pairs still
 * present.  Not a snapshot; fn may call back into the map. */
bool locked_table_range_copying_keys(struct locked_table *lt, map_range_fn fn, void *arg);

/*
 * A whole map that is one locked table (mutex, rwlock): `struct map *` points at a
 * struct locked_map, so these functions go straight into those backends' vtables.
 */
struct locked_map {
    struct locked_table lt;
    struct map_accounting acct;
    bool range_copies_keys; /* range is locked_table_range_copying_keys (rwlock:range=copy-keys) */
};

struct map *locked_map_create(enum locked_table_kind kind, struct map_env *env);
void locked_map_destroy(struct map *m);
bool locked_map_get(struct map *m, uint64_t key, uint64_t *value);
uint64_t locked_map_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values);
bool locked_map_put(struct map *m, uint64_t key, uint64_t value);
bool locked_map_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing);
bool locked_map_del(struct map *m, uint64_t key);
size_t locked_map_size(struct map *m);
void locked_map_range(struct map *m, map_range_fn fn, void *arg);
void locked_map_stats(struct map *m, struct map_stats *out);

#endif
