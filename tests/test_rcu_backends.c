/*
 * test_rcu_backends.c: checks specific to the liburcu-based backends (`rcu`, `cow`, `ref-lfht`)
 * that the generic model and concurrency suites do not aim at:
 *   - growth from empty to past 100,000 keys and back to empty (every resize, both ways) while two
 *     reader threads keep looking up keys present throughout: each must always be found, with a
 *     value that was written for it;
 *   - cow's range iterates one snapshot, even when its own callback writes;
 *   - memory returns: after deleting everything and waiting for the deferred frees, stats show the
 *     bytes and live allocations of a fresh instance (so the deferred frees were counted);
 *   - destroy from a thread that never registered, with frees still pending (LeakSanitizer sees
 *     any that destroy failed to wait for);
 *   - a prefill in batches after reserve copies no node (rcu);
 *   - option values that are not powers of two are rejected with a message naming them.
 * MAPBENCH_TEST_QUICK=1 (sanitizer builds) scales the key counts down.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"

#define STABLE_KEYS 512
#define READERS 2

static size_t scaled(size_t full, size_t quick)
{
    const char *q = getenv("MAPBENCH_TEST_QUICK");
    return q && q[0] == '1' ? quick : full;
}

struct rcu_fixture {
    const struct map_backend *backend;
    struct map *map;
};

static struct rcu_fixture fixture_open(const char *spec)
{
    char err[ERR_LEN] = "";
    struct rcu_fixture f;
    f.map = map_create_from_spec(spec, &f.backend, err);
    if (!f.map)
        fail_msg("cannot create %s: %s", spec, err);
    f.backend->thread_enter(f.map);
    return f;
}

static void fixture_close(struct rcu_fixture *f)
{
    f->backend->thread_leave(f->map);
    f->backend->destroy(f->map);
}

/* Stats once every deferred free queued so far has run. */
static struct map_stats fixture_settled_stats(const struct rcu_fixture *f)
{
    struct map_stats st;
    map_rcu_drain();
    f->backend->stats(f->map, &st);
    return st;
}

/* The i-th key present throughout the growth test; 0 and UINT64_MAX included. */
static uint64_t stable_key(size_t i)
{
    if (i == 0)
        return 0;
    if (i == 1)
        return UINT64_MAX;
    return (2 * (uint64_t)i + 1) * 0x9e3779b97f4a7c15ULL; /* odd: disjoint from the growth keys */
}

/* The two values ever written for a stable key; both encode it, so a torn or foreign value is
 * recognised. */
static uint64_t stable_value(uint64_t key, bool second)
{
    return second ? ~key : key ^ 0x5555aaaa5555aaaaULL;
}

static uint64_t growth_key(size_t i)
{
    return (uint64_t)(i + 1) * 2; /* even, never 0 */
}

struct reader_state {
    const struct rcu_fixture *fixture;
    atomic_bool *stop;
    _Atomic uint64_t passes;
    uint64_t misses; /* stable key not found */
    uint64_t wrong;  /* found with a value never written for it */
};

static void *reader_run(void *arg)
{
    struct reader_state *r = arg;
    const struct map_backend *b = r->fixture->backend;
    struct map *m = r->fixture->map;
    b->thread_enter(m);
    while (!atomic_load(r->stop)) {
        for (size_t i = 0; i < STABLE_KEYS; i++) {
            uint64_t key = stable_key(i), value;
            if (!b->get(m, key, &value))
                r->misses++;
            else if (value != stable_value(key, false) && value != stable_value(key, true))
                r->wrong++;
        }
        atomic_fetch_add(&r->passes, 1);
        sched_yield(); /* on 2 cores, leave room for the writer and liburcu's worker threads */
    }
    b->thread_leave(m);
    return NULL;
}

/* Returns once every reader has completed a pass that started after this call. */
static void readers_wait_for_new_pass(struct reader_state *readers)
{
    for (int i = 0; i < READERS; i++) {
        uint64_t target = atomic_load(&readers[i].passes) + 2;
        while (atomic_load(&readers[i].passes) < target)
            sched_yield();
    }
}

/* Inserts `count` growth keys then deletes them, rewriting stable values as it goes. */
static void writer_grow_and_shrink(const struct rcu_fixture *f, size_t count)
{
    const struct map_backend *b = f->backend;
    for (size_t i = 0; i < count; i++) {
        assert_true(b->put(f->map, growth_key(i), i));
        if (i % 64 == 0) {
            uint64_t key = stable_key(i / 64 % STABLE_KEYS);
            assert_false(b->put(f->map, key, stable_value(key, i / 64 % 2)));
        }
    }
    assert_int_equal(b->size(f->map), count + STABLE_KEYS);
    for (size_t i = 0; i < count; i++)
        assert_true(b->del(f->map, growth_key(i)));
    assert_int_equal(b->size(f->map), STABLE_KEYS);
}

static void run_growth_under_readers(const char *spec, size_t count)
{
    struct rcu_fixture f = fixture_open(spec);
    struct map_stats fresh = fixture_settled_stats(&f);
    for (size_t i = 0; i < STABLE_KEYS; i++)
        assert_true(f.backend->put(f.map, stable_key(i), stable_value(stable_key(i), false)));
    atomic_bool stop = false;
    struct reader_state readers[READERS];
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++) {
        readers[i] = (struct reader_state){.fixture = &f, .stop = &stop};
        assert_int_equal(pthread_create(&threads[i], NULL, reader_run, &readers[i]), 0);
    }
    readers_wait_for_new_pass(readers);
    writer_grow_and_shrink(&f, count);
    readers_wait_for_new_pass(readers);
    atomic_store(&stop, true);
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(readers[i].misses, 0);
        assert_int_equal(readers[i].wrong, 0);
    }
    for (size_t i = 0; i < STABLE_KEYS; i++)
        assert_true(f.backend->del(f.map, stable_key(i)));
    struct map_stats empty = fixture_settled_stats(&f);
    assert_int_equal(empty.bytes, fresh.bytes);
    assert_int_equal(empty.allocs - empty.frees, fresh.allocs - fresh.frees);
    fixture_close(&f);
}

static void test_rcu_growth_under_readers(void **state)
{
    (void)state;
    run_growth_under_readers("rcu", scaled(120000, 20000));
}

static void test_rcu_one_shard_growth_under_readers(void **state)
{
    (void)state;
    run_growth_under_readers("rcu:shards=1", scaled(120000, 20000));
}

static void test_lfht_growth_under_readers(void **state)
{
    (void)state;
    /* Smaller than the others: on this 2-core machine cds_lfht's auto-resize (liburcu 0.13) was
     * seen now and then not to grow the table for seconds, so chains and the run grow long. */
    run_growth_under_readers("ref-lfht", scaled(30000, 10000));
}

static void test_cow_growth_under_readers(void **state)
{
    (void)state;
    /* every cow write copies the table: quadratic, so a smaller size crossing several resizes */
    run_growth_under_readers("cow", scaled(4000, 1000));
}

/* ---- cow: range sees exactly its snapshot ---- */

#define SNAPSHOT_KEYS 1000

struct snapshot_walk {
    const struct rcu_fixture *fixture;
    bool wrote;
    size_t visits[SNAPSHOT_KEYS];
    size_t foreign; /* keys or values not in the snapshot */
};

/* On its first call, rewrites the whole map: deletes half the keys, updates the other half,
 * inserts new ones.  None of that may show in the walk already under way. */
static void snapshot_walk_rewrite(const struct rcu_fixture *f)
{
    for (uint64_t k = 0; k < SNAPSHOT_KEYS; k++) {
        if (k % 2)
            assert_true(f->backend->del(f->map, k));
        else
            assert_false(f->backend->put(f->map, k, k + 7));
        assert_true(f->backend->put(f->map, k + SNAPSHOT_KEYS, k));
    }
}

static bool snapshot_walk_visit(uint64_t key, uint64_t value, void *arg)
{
    struct snapshot_walk *w = arg;
    if (!w->wrote) {
        w->wrote = true;
        snapshot_walk_rewrite(w->fixture);
    }
    if (key < SNAPSHOT_KEYS && value == key * 3)
        w->visits[key]++;
    else
        w->foreign++;
    return true;
}

static void test_cow_range_sees_its_snapshot(void **state)
{
    (void)state;
    struct rcu_fixture f = fixture_open("cow");
    for (uint64_t k = 0; k < SNAPSHOT_KEYS; k++)
        assert_true(f.backend->put(f.map, k, k * 3));
    struct snapshot_walk walk = {.fixture = &f};
    f.backend->range(f.map, snapshot_walk_visit, &walk);
    assert_true(walk.wrote);
    assert_int_equal(walk.foreign, 0);
    for (uint64_t k = 0; k < SNAPSHOT_KEYS; k++)
        assert_int_equal(walk.visits[k], 1);
    uint64_t value;
    assert_false(f.backend->get(f.map, 1, &value)); /* the rewrite itself did take effect */
    assert_true(f.backend->get(f.map, 2, &value));
    assert_int_equal(value, 9);
    assert_int_equal(f.backend->size(f.map), SNAPSHOT_KEYS + SNAPSHOT_KEYS / 2);
    fixture_close(&f);
}

/* ---- cow: writes that change nothing do not copy ---- */

static void test_cow_no_op_writes_do_not_copy(void **state)
{
    (void)state;
    struct rcu_fixture f = fixture_open("cow");
    assert_true(f.backend->put(f.map, 5, 50));
    struct map_stats before = fixture_settled_stats(&f);
    uint64_t existing = 0;
    assert_false(f.backend->del(f.map, 6));
    assert_false(f.backend->put_if_absent(f.map, 5, 51, &existing));
    assert_int_equal(existing, 50);
    assert_false(f.backend->put(f.map, 5, 50));
    struct map_stats after = fixture_settled_stats(&f);
    assert_int_equal(after.allocs, before.allocs);
    assert_int_equal(after.frees, before.frees);
    fixture_close(&f);
}

/* ---- memory returns to a fresh instance's after emptying ---- */

static void run_memory_returns(const char *spec, size_t count)
{
    struct rcu_fixture f = fixture_open(spec);
    struct map_stats fresh = fixture_settled_stats(&f);
    for (size_t i = 0; i < count; i++)
        assert_true(f.backend->put(f.map, growth_key(i), i));
    for (size_t i = 0; i < count; i += 2)
        assert_false(f.backend->put(f.map, growth_key(i), i + 1));
    struct map_stats full = fixture_settled_stats(&f);
    assert_true(full.bytes > fresh.bytes + count * 8);
    for (size_t i = 0; i < count; i++)
        assert_true(f.backend->del(f.map, growth_key(i)));
    assert_int_equal(f.backend->size(f.map), 0);
    struct map_stats empty = fixture_settled_stats(&f);
    assert_int_equal(empty.bytes, fresh.bytes);
    assert_int_equal(empty.allocs - empty.frees, fresh.allocs - fresh.frees);
    fixture_close(&f);
}

static void test_memory_returns_rcu(void **state)
{
    (void)state;
    run_memory_returns("rcu:shards=4", scaled(50000, 5000));
}

static void test_memory_returns_cow(void **state)
{
    (void)state;
    run_memory_returns("cow", scaled(2000, 500));
}

static void test_memory_returns_lfht(void **state)
{
    (void)state;
    run_memory_returns("ref-lfht", scaled(50000, 5000));
}

/* ---- destroy from a thread that never registered, with deferred frees pending ---- */

struct churn_job {
    const struct rcu_fixture *fixture;
    size_t count;
};

static void *churn_run(void *arg)
{
    const struct churn_job *job = arg;
    const struct map_backend *b = job->fixture->backend;
    struct map *m = job->fixture->map;
    b->thread_enter(m);
    for (size_t i = 0; i < job->count; i++)
        b->put(m, growth_key(i), i);
    for (size_t i = 0; i < job->count; i += 2)
        b->del(m, growth_key(i));
    b->thread_leave(m);
    return NULL;
}

static void run_destroy_unregistered(const char *spec, size_t count)
{
    char err[ERR_LEN] = "";
    struct rcu_fixture f;
    f.map = map_create_from_spec(spec, &f.backend, err);
    assert_non_null(f.map);
    struct churn_job job = {&f, count};
    pthread_t worker;
    assert_int_equal(pthread_create(&worker, NULL, churn_run, &job), 0);
    assert_int_equal(pthread_join(worker, NULL), 0);
    f.backend->destroy(f.map); /* this thread never called thread_enter */
}

static void test_destroy_unregistered(void **state)
{
    (void)state;
    run_destroy_unregistered("rcu", scaled(20000, 3000));
    run_destroy_unregistered("cow", scaled(2000, 300)); /* each write copies the table */
    run_destroy_unregistered("ref-lfht", scaled(20000, 3000));
}

/* ---- a prefill in batches ---- */

/* Allocations `rcu` makes to store keys 0..n) in `batches` put_many calls, after reserve(n) when
 * `reserve` (counted from just before the first put_many, deferred frees drained first). */
static uint64_t rcu_prefill_allocs(size_t n, int batches, bool reserve)
{
    char err[ERR_LEN] = "";
    const struct map_backend *b;
    struct map *m = map_create_from_spec("rcu", &b, err);
    assert_non_null(m);
    b->thread_enter(m);
    if (reserve)
        b->reserve(m, n);
    uint64_t *keys = malloc(n * sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = i * 0x9e3779b97f4a7c15ULL + 1;
    struct map_stats before, after;
    b->stats(m, &before);
    size_t per = n / (size_t)batches;
    for (int k = 0; k < batches; k++)
        assert_int_equal(b->put_many(m, keys + (size_t)k * per, keys + (size_t)k * per, per), per);
    b->stats(m, &after);
    assert_int_equal(b->size(m), n);
    b->thread_leave(m);
    b->destroy(m);
    free(keys);
    return after.allocs - before.allocs;
}

/* reserve sizes every shard for the whole prefill, so a prefill split in batches (as the window
 * splits it across workers) allocates one node per key and nothing else: no resize copied the
 * nodes already stored, and the layout is the one a single put_many leaves.  Without it, the
 * second batch resizes the shards holding the first one's keys, by copying them. */
static void test_rcu_reserve_makes_batches_copy_nothing(void **state)
{
    (void)state;
    size_t n = 4096;
    assert_int_equal(rcu_prefill_allocs(n, 2, true), n);
    assert_int_equal(rcu_prefill_allocs(n, 4, true), n);
    assert_true(rcu_prefill_allocs(n, 2, false) > n + n / 4); /* what reserve is for */
}

/* ---- options ---- */

static void assert_spec_rejected(const char *spec, const char *needle)
{
    char err[ERR_LEN] = "";
    assert_null(map_create_from_spec(spec, NULL, err));
    assert_non_null(strstr(err, needle));
}

static void test_options_must_be_powers_of_two(void **state)
{
    (void)state;
    assert_spec_rejected("rcu:shards=3", "shards=3 is not a power of two");
    assert_spec_rejected("rcu:shards=0", "shards=0");
    assert_spec_rejected("ref-lfht:buckets=12", "buckets=12 is not a power of two");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rcu_growth_under_readers),
        cmocka_unit_test(test_rcu_one_shard_growth_under_readers),
        cmocka_unit_test(test_lfht_growth_under_readers),
        cmocka_unit_test(test_cow_growth_under_readers),
        cmocka_unit_test(test_cow_range_sees_its_snapshot),
        cmocka_unit_test(test_cow_no_op_writes_do_not_copy),
        cmocka_unit_test(test_memory_returns_rcu),
        cmocka_unit_test(test_memory_returns_cow),
        cmocka_unit_test(test_memory_returns_lfht),
        cmocka_unit_test(test_destroy_unregistered),
        cmocka_unit_test(test_rcu_reserve_makes_batches_copy_nothing),
        cmocka_unit_test(test_options_must_be_powers_of_two),
    };
    return cmocka_run_group_tests_name("rcu_backends", tests, NULL, NULL);
}
