/*
 * locked_table.c: a table behind one lock (see locked_table.h).  Readers take the lock shared
 * when it is a reader-writer lock; every modification takes it exclusive.  Ordering: every
 * operation is linearizable at its critical section.  Progress: blocking; a writer excludes all,
 * and which waiter goes next is the lock's choice (glibc's reader preference can starve writers
 * under a steady read load: that is one of the things this backend shows; Go's RWMutex stops new
 * readers behind a waiting writer).
 * locked_table_range_copying_keys is Go's RWMutexMap.Range: it is linearizable only key by key
 * (see locked_table.h), and it holds no lock while fn runs.
 */
#include "locked_table.h"

#include <stdlib.h>

#include "base/xalloc.h"

void locked_table_init(struct locked_table *lt, enum locked_table_kind kind,
                       struct map_accounting *acct, size_t expected_keys)
{
    lt->kind = kind;
    if (kind == LOCKED_TABLE_MUTEX) {
        pthread_mutex_init(&lt->lock.mutex, NULL);
    } else if (kind == LOCKED_TABLE_GO_RWMUTEX) {
        go_rwmutex_init(&lt->lock.go_rwmutex);
    } else {
        pthread_rwlockattr_t attr;
        pthread_rwlockattr_init(&attr);
        pthread_rwlockattr_setkind_np(&attr, kind == LOCKED_TABLE_RWLOCK_PREFER_WRITER
                                                 ? PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
                                                 : PTHREAD_RWLOCK_PREFER_READER_NP);
        pthread_rwlock_init(&lt->lock.rwlock, &attr);
        pthread_rwlockattr_destroy(&attr);
    }
    table_init(&lt->table, acct, expected_keys);
}

void locked_table_destroy(struct locked_table *lt)
{
    table_destroy(&lt->table);
    if (lt->kind == LOCKED_TABLE_MUTEX)
        pthread_mutex_destroy(&lt->lock.mutex);
    else if (lt->kind != LOCKED_TABLE_GO_RWMUTEX) /* Go's lock holds no resources */
        pthread_rwlock_destroy(&lt->lock.rwlock);
}

static void lock_shared(struct locked_table *lt)
{
    if (lt->kind == LOCKED_TABLE_MUTEX)
        pthread_mutex_lock(&lt->lock.mutex);
    else if (lt->kind == LOCKED_TABLE_GO_RWMUTEX)
        go_rwmutex_rlock(&lt->lock.go_rwmutex);
    else
        pthread_rwlock_rdlock(&lt->lock.rwlock);
}

static void unlock_shared(struct locked_table *lt)
{
    if (lt->kind == LOCKED_TABLE_MUTEX)
        pthread_mutex_unlock(&lt->lock.mutex);
    else if (lt->kind == LOCKED_TABLE_GO_RWMUTEX)
        go_rwmutex_runlock(&lt->lock.go_rwmutex);
    else
        pthread_rwlock_unlock(&lt->lock.rwlock);
}

static void lock_exclusive(struct locked_table *lt)
{
    if (lt->kind == LOCKED_TABLE_MUTEX)
        pthread_mutex_lock(&lt->lock.mutex);
    else if (lt->kind == LOCKED_TABLE_GO_RWMUTEX)
        go_rwmutex_lock(&lt->lock.go_rwmutex);
    else
        pthread_rwlock_wrlock(&lt->lock.rwlock);
}

static void unlock_exclusive(struct locked_table *lt)
{
    if (lt->kind == LOCKED_TABLE_MUTEX)
        pthread_mutex_unlock(&lt->lock.mutex);
    else if (lt->kind == LOCKED_TABLE_GO_RWMUTEX)
        go_rwmutex_unlock(&lt->lock.go_rwmutex);
    else
        pthread_rwlock_unlock(&lt->lock.rwlock);
}

bool locked_table_get(struct locked_table *lt, uint64_t key, uint64_t *value)
{
    lock_shared(lt);
    bool found = table_get(&lt->table, key, value);
    unlock_shared(lt);
    return found;
}

bool locked_table_put(struct locked_table *lt, uint64_t key, uint64_t value)
{
    lock_exclusive(lt);
    bool was_new = table_put(&lt->table, key, value);
    unlock_exclusive(lt);
    return was_new;
}

bool locked_table_put_if_absent(struct locked_table *lt, uint64_t key, uint64_t value,
                                uint64_t *existing)
{
    lock_exclusive(lt);
    bool stored = table_put_if_absent(&lt->table, key, value, existing);
    unlock_exclusive(lt);
    return stored;
}

bool locked_table_del(struct locked_table *lt, uint64_t key)
{
    lock_exclusive(lt);
    bool was_present = table_del(&lt->table, key, NULL);
    unlock_exclusive(lt);
    return was_present;
}

size_t locked_table_size(struct locked_table *lt)
{
    lock_shared(lt);
    size_t size = table_size(&lt->table);
    unlock_shared(lt);
    return size;
}

bool locked_table_range(struct locked_table *lt, map_range_fn fn, void *arg)
{
    lock_shared(lt);
    bool completed = table_range(&lt->table, fn, arg);
    unlock_shared(lt);
    return completed;
}

struct key_copy {
    uint64_t *keys;
    size_t count;
};

static bool key_copy_visit(uint64_t key, uint64_t value, void *arg)
{
    (void)value;
    struct key_copy *copy = arg;
    copy->keys[copy->count++] = key;
    return true;
}

bool locked_table_range_copying_keys(struct locked_table *lt, map_range_fn fn, void *arg)
{
    lock_shared(lt);
    size_t size = table_size(&lt->table);
    if (size == 0) { /* Go's make([]any, 0, 0) allocates nothing either */
        unlock_shared(lt);
        return true;
    }
    struct map_accounting *acct = lt->table.acct;
    struct key_copy copy = {map_alloc(acct, size * sizeof *copy.keys), 0};
    table_range(&lt->table, key_copy_visit, &copy);
    unlock_shared(lt);
    bool completed = true;
    for (size_t i = 0; i < copy.count && completed; i++) {
        uint64_t value;
        if (locked_table_get(lt, copy.keys[i], &value)) /* deleted since: skipped, as in Go */
            completed = fn(copy.keys[i], value, arg);
    }
    map_free(acct, copy.keys, size * sizeof *copy.keys);
    return completed;
}

/* ---- a whole map that is one locked table ---- */

struct map *locked_map_create(enum locked_table_kind kind, struct map_env *env)
{
    struct locked_map *lm = xcalloc(1, sizeof *lm);
    map_accounting_init(&lm->acct, env);
    locked_table_init(&lm->lt, kind, &lm->acct, 0);
    return (struct map *)lm;
}

void locked_map_destroy(struct map *m)
{
    struct locked_map *lm = (struct locked_map *)m;
    locked_table_destroy(&lm->lt);
    free(lm);
}

bool locked_map_get(struct map *m, uint64_t key, uint64_t *value)
{
    return locked_table_get(&((struct locked_map *)m)->lt, key, value);
}

/* n of locked_map_get: the lock is taken and released once per key, as n calls would. */
uint64_t locked_map_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(locked_map_get, m, keys, n, values);
}

bool locked_map_put(struct map *m, uint64_t key, uint64_t value)
{
    return locked_table_put(&((struct locked_map *)m)->lt, key, value);
}

bool locked_map_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    return locked_table_put_if_absent(&((struct locked_map *)m)->lt, key, value, existing);
}

bool locked_map_del(struct map *m, uint64_t key)
{
    return locked_table_del(&((struct locked_map *)m)->lt, key);
}

size_t locked_map_size(struct map *m)
{
    return locked_table_size(&((struct locked_map *)m)->lt);
}

void locked_map_range(struct map *m, map_range_fn fn, void *arg)
{
    struct locked_map *lm = (struct locked_map *)m;
    if (lm->range_copies_keys)
        locked_table_range_copying_keys(&lm->lt, fn, arg);
    else
        locked_table_range(&lm->lt, fn, arg);
}

void locked_map_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct locked_map *)m)->acct, out);
}
