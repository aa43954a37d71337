/*
 * striped.c: `striped`, lock splitting: shards=N (a power of two, default 64) independent locked
 * tables, each starting on its own cache line so two shards' locks never share one.  A key's shard
 * comes from the top bits of its hash, while the table inside uses the low bits, so the two choices
 * stay independent.  Option lock=mutex|rwlock|go-rwlock picks each shard's lock: a pthread mutex, a
 * pthread reader-writer lock (glibc's reader-preferring default), or Go's sync.RWMutex
 * (go_rwmutex.c: writer-preferring, waiters spin before they sleep).
 *
 * Ordering: each operation is linearizable (it touches one shard, under that shard's lock).  size
 * and range visit the shards one after another, locking one at a time: they are not a snapshot of
 * the whole map; a key present throughout a range is visited exactly once, a key inserted or
 * deleted during it may or may not be.
 * Progress: blocking, per shard: threads working on different shards never wait for each other.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>

#include "locked_table.h"

#include "base/xalloc.h"

struct striped_shard {
    alignas(64) struct locked_table lt;
};

struct striped_map {
    struct striped_shard *shards;
    size_t shard_count;
    unsigned shard_shift; /* 64 - log2(shard_count); shard_count 1 is special-cased */
    struct map_accounting acct;
};

extern const struct map_backend map_backend_striped;

static const char *const striped_lock_names[] = {"mutex", "rwlock", "go-rwlock", NULL};
static const enum locked_table_kind striped_lock_kinds[] = {
    LOCKED_TABLE_MUTEX, LOCKED_TABLE_RWLOCK_PREFER_READER, LOCKED_TABLE_GO_RWMUTEX};

static const struct map_option_def striped_options[] = {
    {"shards", "64", "power of two, 1..65536: independently locked tables"},
    {"lock", "mutex", "mutex|rwlock|go-rwlock: each shard's lock (pthread's, or Go's RWMutex)"},
    {NULL, NULL, NULL},
};

static struct map *striped_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    uint64_t shards;
    if (!map_spec_option_u64(spec, &map_backend_striped, "shards", 1, 65536, &shards, err))
        return NULL;
    if (shards & (shards - 1)) {
        snprintf(err, ERR_LEN, "backend 'striped': option shards=%llu is not a power of two",
                 (unsigned long long)shards);
        return NULL;
    }
    int lock = map_spec_option_choice(spec, &map_backend_striped, "lock", striped_lock_names, err);
    if (lock < 0)
        return NULL;
    struct striped_map *sm = xcalloc(1, sizeof *sm);
    map_accounting_init(&sm->acct, env);
    sm->shard_count = shards;
    sm->shard_shift = 64 - (unsigned)__builtin_ctzll(shards);
    sm->shards = map_alloc_aligned(&sm->acct, 64, shards * sizeof *sm->shards);
    for (size_t i = 0; i < shards; i++)
        locked_table_init(&sm->shards[i].lt, striped_lock_kinds[lock], &sm->acct, 0);
    return (struct map *)sm;
}

static void striped_destroy(struct map *m)
{
    struct striped_map *sm = (struct striped_map *)m;
    for (size_t i = 0; i < sm->shard_count; i++)
        locked_table_destroy(&sm->shards[i].lt);
    map_free(&sm->acct, sm->shards, sm->shard_count * sizeof *sm->shards);
    free(sm);
}

static struct locked_table *striped_shard_of(struct striped_map *sm, uint64_t key)
{
    if (sm->shard_count == 1)
        return &sm->shards[0].lt;
    return &sm->shards[map_hash(key) >> sm->shard_shift].lt;
}

static bool striped_get(struct map *m, uint64_t key, uint64_t *value)
{
    return locked_table_get(striped_shard_of((struct striped_map *)m, key), key, value);
}

/* n of striped_get: each key locks its own shard, as n calls would. */
static uint64_t striped_get_many(struct map *m, const uint64_t *keys, size_t n, uint64_t *values)
{
    return map_get_many_each(striped_get, m, keys, n, values);
}

static bool striped_put(struct map *m, uint64_t key, uint64_t value)
{
    return locked_table_put(striped_shard_of((struct striped_map *)m, key), key, value);
}

static bool striped_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    return locked_table_put_if_absent(striped_shard_of((struct striped_map *)m, key), key, value,
                                      existing);
}

static bool striped_del(struct map *m, uint64_t key)
{
    return locked_table_del(striped_shard_of((struct striped_map *)m, key), key);
}

static size_t striped_size(struct map *m)
{
    struct striped_map *sm = (struct striped_map *)m;
    size_t total = 0;
    for (size_t i = 0; i < sm->shard_count; i++)
        total += locked_table_size(&sm->shards[i].lt);
    return total;
}

static void striped_range(struct map *m, map_range_fn fn, void *arg)
{
    struct striped_map *sm = (struct striped_map *)m;
    for (size_t i = 0; i < sm->shard_count; i++)
        if (!locked_table_range(&sm->shards[i].lt, fn, arg))
            return;
}

static void striped_stats(struct map *m, struct map_stats *out)
{
    map_accounting_read(&((struct striped_map *)m)->acct, out);
}

const struct map_backend map_backend_striped = {
    .abi_version = MAP_ABI_VERSION,
    .name = "striped",
    .summary = "N independently locked shards on separate cache lines (shards=N, lock=KIND)",
    .options = striped_options,
    .concurrency = MAP_CONCURRENCY_FULL,
    .create = striped_create,
    .destroy = striped_destroy,
    .get = striped_get,
    .put = striped_put,
    .put_if_absent = striped_put_if_absent,
    .del = striped_del,
    .size = striped_size,
    .range = striped_range,
    .thread_enter = map_thread_nothing,
    .thread_leave = map_thread_nothing,
    .stats = striped_stats,
    .get_many = striped_get_many,
};
