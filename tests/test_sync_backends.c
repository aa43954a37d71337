/*
 * test_sync_backends.c: checks specific to `syncmap` and `ref-ckht` that the generic model and
 * concurrency suites cannot aim at: syncmap's promotion, expunge/unexpunge and reclamation paths
 * (seen through the vtable and stats only), ck_ht's reserved keys and tombstone churn, and a
 * readers-against-writers run that the TSan build checks for data races.  Also the options that
 * give `rwlock` and `cow` the behaviour of Go's reference maps: RWMutexMap's Range
 * (rwlock:range=copy-keys) lets its callback write to the map, skips keys deleted before their
 * turn and allocates its key array; DeepCopyMap's writes (cow:copy=always) copy even when they
 * change nothing.  And a build check: every liburcu user (syncmap and ref-ckht among them) reads with
 * liburcu's inline read-side lock (_LGPL_SOURCE), so none pays a call the others do not: no object
 * of maps/ refers to the out-of-line urcu_memb_read_lock or urcu_memb_read_unlock.
 * MAPBENCH_TEST_QUICK=1 (sanitizer builds) scales the loops down.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ck_ht.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "tests/support.h"

struct sync_fixture {
    const struct map_backend *backend;
    struct map *map;
};

static int quick_divisor(void)
{
    const char *quick = getenv("MAPBENCH_TEST_QUICK");
    return quick && quick[0] == '1' ? 10 : 1;
}

static struct sync_fixture fixture_open(const char *spec)
{
    char err[ERR_LEN];
    struct sync_fixture f;
    f.map = map_create_from_spec(spec, &f.backend, err);
    assert_non_null(f.map);
    f.backend->thread_enter(f.map);
    return f;
}

static void fixture_close(struct sync_fixture *f)
{
    f->backend->thread_leave(f->map);
    f->backend->destroy(f->map);
}

static struct map_stats fixture_stats(const struct sync_fixture *f)
{
    struct map_stats st;
    f->backend->stats(f->map, &st);
    return st;
}

static void assert_value(const struct sync_fixture *f, uint64_t key, uint64_t expected)
{
    uint64_t got = ~expected;
    assert_true(f->backend->get(f->map, key, &got));
    assert_int_equal(got, expected);
}

static void assert_absent(const struct sync_fixture *f, uint64_t key)
{
    uint64_t got;
    assert_false(f->backend->get(f->map, key, &got));
}

/* Visits count keys and checks each is seen once; keys are small (< RANGE_KEYS). */
#define RANGE_KEYS 64
struct range_tally {
    int seen[RANGE_KEYS];
    int visits;
    int stop_after; /* 0: never stop */
};

static bool tally_visit(uint64_t key, uint64_t value, void *arg)
{
    struct range_tally *t = arg;
    assert_true(key < RANGE_KEYS);
    assert_int_equal(value, key * 10);
    t->seen[key]++;
    t->visits++;
    return t->stop_after == 0 || t->visits < t->stop_after;
}

/* ---- syncmap ---- */

/* A fresh store lands in the dirty map; the first load misses, and with one dirty key one miss
 * promotes: that load allocates exactly one object (the new read-only shell) and later loads, now
 * served by the read-only map, allocate nothing. */
static void test_syncmap_promotion_after_misses(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("syncmap");
    assert_true(f.backend->put(f.map, 7, 70));
    uint64_t allocs = fixture_stats(&f).allocs;
    assert_value(&f, 7, 70);
    assert_int_equal(fixture_stats(&f).allocs, allocs + 1);
    for (int i = 0; i < 10; i++)
        assert_value(&f, 7, 70);
    assert_int_equal(fixture_stats(&f).allocs, allocs + 1);
    /* An overwrite of a clean key is one CAS and one new box. */
    assert_false(f.backend->put(f.map, 7, 71));
    assert_int_equal(fixture_stats(&f).allocs, allocs + 2);
    assert_value(&f, 7, 71);
    fixture_close(&f);
}

/* Loads of a missing key while amended count misses until the dirty map is promoted. */
static void promote_by_misses(const struct sync_fixture *f, uint64_t missing_key, int dirty_size)
{
    for (int i = 0; i <= dirty_size; i++)
        assert_absent(f, missing_key);
}

static void test_syncmap_store_delete_restore_across_promotions(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("syncmap");
    const uint64_t key = 42, missing = 999;
    for (uint64_t cycle = 1; cycle <= 50; cycle++) {
        for (uint64_t other = 100; other < 100 + cycle % 7; other++)
            f.backend->put(f.map, other, other);
        assert_true(f.backend->put(f.map, key, cycle));
        assert_value(&f, key, cycle);
        promote_by_misses(&f, missing, 16);
        assert_value(&f, key, cycle);
        assert_true(f.backend->del(f.map, key));
        assert_absent(&f, key);
        assert_false(f.backend->del(f.map, key));
        if (cycle % 2) {
            promote_by_misses(&f, missing, 16);
            assert_absent(&f, key);
        }
        uint64_t existing = 0;
        assert_true(f.backend->put_if_absent(f.map, key, cycle * 2, &existing));
        assert_false(f.backend->put_if_absent(f.map, key, cycle * 3, &existing));
        assert_int_equal(existing, cycle * 2);
        assert_true(f.backend->del(f.map, key));
    }
    assert_int_equal(f.backend->size(f.map), 7 - 1); /* keys 100..105 */
    fixture_close(&f);
}

static void put_tens(const struct sync_fixture *f, uint64_t from, uint64_t to)
{
    for (uint64_t k = from; k < to; k++)
        assert_true(f->backend->put(f->map, k, k * 10));
}

static void promote_by_range(const struct sync_fixture *f, int expected_visits)
{
    struct range_tally t = {0};
    f->backend->range(f->map, tally_visit, &t);
    assert_int_equal(t.visits, expected_visits);
}

/* A key deleted from the clean map is expunged when the next new key rebuilds the dirty map; a
 * store (put or put_if_absent) must unexpunge it into the dirty map, or it would vanish at the next
 * promotion. */
static void test_syncmap_expunge_and_unexpunge(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("syncmap");
    put_tens(&f, 1, 11);
    promote_by_range(&f, 10);
    assert_true(f.backend->del(f.map, 1)); /* lock-free: entry stays, p = NULL */
    assert_true(f.backend->del(f.map, 2));
    assert_true(f.backend->put(f.map, 11, 110)); /* dirty rebuilt: 1 and 2 expunged */
    assert_absent(&f, 1);
    assert_false(f.backend->del(f.map, 1));
    assert_true(f.backend->put(f.map, 1, 10)); /* unexpunge via Store */
    uint64_t existing;
    assert_true(f.backend->put_if_absent(f.map, 2, 20, &existing)); /* via LoadOrStore */
    assert_false(f.backend->put_if_absent(f.map, 2, 99, &existing));
    assert_int_equal(existing, 20);
    promote_by_range(&f, 11);
    assert_value(&f, 1, 10);
    assert_value(&f, 2, 20);
    assert_value(&f, 11, 110);
    assert_int_equal(f.backend->size(f.map), 11);
    fixture_close(&f);
}

/* Range while amended promotes first, so keys only in the dirty map are visited, each once. */
static void test_syncmap_range_while_amended(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("syncmap");
    put_tens(&f, 0, 5);
    promote_by_range(&f, 5);
    put_tens(&f, 5, 9); /* amended: 5..8 in dirty only */
    assert_true(f.backend->del(f.map, 0));
    struct range_tally t = {0};
    f.backend->range(f.map, tally_visit, &t);
    assert_int_equal(t.visits, 8);
    for (int k = 1; k < 9; k++)
        assert_int_equal(t.seen[k], 1);
    assert_int_equal(t.seen[0], 0);
    struct range_tally stopped = {.stop_after = 3};
    f.backend->range(f.map, tally_visit, &stopped);
    assert_int_equal(stopped.visits, 3);
    fixture_close(&f);
}

static bool count_visit(uint64_t key, uint64_t value, void *arg)
{
    (void)key;
    (void)value;
    ++*(int *)arg;
    return true;
}

/* Deleted entries in the clean map stay allocated (Go keeps them until expunged); once a new key
 * expunges them and a promotion drops them, a grace period later only the read-only map remains:
 * one shell and one slot array. */
static void test_syncmap_bytes_drop_after_delete_all(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("syncmap");
    const uint64_t n = 2000;
    for (uint64_t k = 0; k < n; k++)
        f.backend->put(f.map, k, k);
    int visits = 0;
    f.backend->range(f.map, count_visit, &visits);
    assert_int_equal(visits, n);
    for (uint64_t k = n; k < n + n / 2; k++) /* some keys dirty-only at the time of delete */
        f.backend->put(f.map, k, k);
    map_rcu_drain();
    uint64_t peak = fixture_stats(&f).bytes;
    for (uint64_t k = 0; k < n + n / 2; k++)
        assert_true(f.backend->del(f.map, k));
    /* Round 1: the map is amended, so range promotes the dirty map, whose deleted entries are
     * merely NULL.  Round 2: a new key rebuilds the dirty map, expunging them all, and range's
     * promotion drops (retires) them. */
    for (int round = 0; round < 2; round++) {
        assert_true(f.backend->put(f.map, UINT64_MAX, 1));
        assert_true(f.backend->del(f.map, UINT64_MAX)); /* dirty-only: unlinked and retired */
        visits = 0;
        f.backend->range(f.map, count_visit, &visits);
        assert_int_equal(visits, 0);
    }
    map_rcu_drain();
    struct map_stats st = fixture_stats(&f);
    assert_int_equal(st.allocs - st.frees, 2);
    assert_true(st.bytes < peak / 8);
    assert_int_equal(f.backend->size(f.map), 0);
    fixture_close(&f);
}

/* ---- ref-ckht ---- */

static void test_ckht_reserved_and_edge_keys(void **state)
{
    (void)state;
    struct sync_fixture f = fixture_open("ref-ckht");
    const uint64_t keys[] = {0, UINT64_MAX, (uint64_t)CK_HT_KEY_EMPTY,
                             (uint64_t)CK_HT_KEY_TOMBSTONE, 1, UINT64_MAX - 1};
    const size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i < n; i++)
        f.backend->put(f.map, keys[i], i + 100);
    assert_int_equal(f.backend->size(f.map), 4); /* EMPTY is 0, TOMBSTONE is UINT64_MAX */
    assert_value(&f, 0, 102);
    assert_value(&f, UINT64_MAX, 103);
    assert_value(&f, 1, 104);
    assert_value(&f, UINT64_MAX - 1, 105);
    uint64_t existing;
    assert_false(f.backend->put_if_absent(f.map, UINT64_MAX, 7, &existing));
    assert_int_equal(existing, 103);
    int visits = 0;
    f.backend->range(f.map, count_visit, &visits);
    assert_int_equal(visits, 4);
    assert_true(f.backend->del(f.map, 0));
    assert_false(f.backend->del(f.map, 0));
    assert_absent(&f, 0);
    assert_true(f.backend->del(f.map, UINT64_MAX));
    assert_absent(&f, UINT64_MAX);
    assert_true(f.backend->put_if_absent(f.map, UINT64_MAX, 8, &existing));
    assert_value(&f, UINT64_MAX, 8);
    assert_value(&f, UINT64_MAX - 1, 105);
    assert_int_equal(f.backend->size(f.map), 3);
    fixture_close(&f);
}

/* A sliding window of live keys: every step inserts one key and deletes the oldest, so the table
 * sees as many deletes as inserts (tombstones, gc passes).  Lookups stay exact and memory bounded. */
static void churn_window(const char *spec)
{
    struct sync_fixture f = fixture_open(spec);
    const uint64_t window = 1000, steps = 100000 / (uint64_t)quick_divisor();
    const uint64_t stride = 0x9e3779b97f4a7c15ULL; /* spreads keys over the whole range */
    for (uint64_t i = 0; i < steps; i++) {
        assert_true(f.backend->put(f.map, i * stride, i));
        if (i >= window)
            assert_true(f.backend->del(f.map, (i - window) * stride));
        if (i % 97 == 0 && i >= window) {
            assert_value(&f, (i - window / 2) * stride, i - window / 2);
            assert_absent(&f, (i - window) * stride);
        }
    }
    assert_int_equal(f.backend->size(f.map), window);
    for (uint64_t i = steps - window; i < steps; i++)
        assert_value(&f, i * stride, i);
    for (uint64_t i = 0; i < steps - window; i += 13)
        assert_absent(&f, i * stride);
    map_rcu_drain();
    assert_true(fixture_stats(&f).bytes < 64 * window * 32); /* not proportional to steps */
    fixture_close(&f);
}

static void test_ckht_churn_keeps_lookups_exact(void **state)
{
    (void)state;
    churn_window("ref-ckht");
}

static void test_syncmap_churn_keeps_lookups_exact(void **state)
{
    (void)state;
    churn_window("syncmap");
}

/* ---- Go's reference maps: RWMutexMap.Range, DeepCopyMap's writes ---- */

static const char *const copy_keys_specs[] = {"rwlock:range=copy-keys",
                                              "rwlock:impl=go,range=copy-keys"};
#define COPY_KEYS_SPECS (sizeof copy_keys_specs / sizeof copy_keys_specs[0])

struct reentrant_range {
    const struct sync_fixture *f;
    int visits;
    bool delete_all; /* the first visit deletes every key; else each visit swaps its key */
};

/* Writes into the map it ranges over, as Go's AdversarialDelete benchmark does.  Keys it inserts
 * are >= RANGE_KEYS: visiting one fails the key check. */
static bool reentrant_visit(uint64_t key, uint64_t value, void *arg)
{
    struct reentrant_range *r = arg;
    const struct map_backend *b = r->f->backend;
    assert_true(key < RANGE_KEYS);
    assert_int_equal(value, key * 10);
    r->visits++;
    if (r->delete_all) {
        for (uint64_t k = 0; k < RANGE_KEYS; k++)
            b->del(r->f->map, k);
    } else {
        assert_true(b->del(r->f->map, key));
        assert_true(b->put(r->f->map, RANGE_KEYS + key, 0));
    }
    return true;
}

static void put_tens_below(const struct sync_fixture *f, uint64_t n)
{
    for (uint64_t k = 0; k < n; k++)
        assert_true(f->backend->put(f->map, k, k * 10));
}

/* The callback may delete and insert: every key present at the start is visited once, the keys
 * it inserts are not visited. */
static void test_copy_keys_range_lets_callback_write(void **state)
{
    (void)state;
    for (size_t i = 0; i < COPY_KEYS_SPECS; i++) {
        struct sync_fixture f = fixture_open(copy_keys_specs[i]);
        put_tens_below(&f, 32);
        struct reentrant_range r = {.f = &f};
        f.backend->range(f.map, reentrant_visit, &r);
        assert_int_equal(r.visits, 32);
        assert_int_equal(f.backend->size(f.map), 32);
        for (uint64_t k = 0; k < 32; k++) {
            assert_absent(&f, k);
            assert_value(&f, RANGE_KEYS + k, 0);
        }
        fixture_close(&f);
    }
}

/* A key deleted before its turn is skipped, as Go's Range skips a key whose Load misses. */
static void test_copy_keys_range_skips_deleted_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < COPY_KEYS_SPECS; i++) {
        struct sync_fixture f = fixture_open(copy_keys_specs[i]);
        put_tens_below(&f, 32);
        struct reentrant_range r = {.f = &f, .delete_all = true};
        f.backend->range(f.map, reentrant_visit, &r);
        assert_int_equal(r.visits, 1);
        assert_int_equal(f.backend->size(f.map), 0);
        fixture_close(&f);
    }
}

/* Each range over a non-empty map allocates one key array and frees it (Go's make([]any, ...)
 * shows in allocations per operation); over an empty map it allocates nothing. */
static void test_copy_keys_range_allocates_its_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < COPY_KEYS_SPECS; i++) {
        struct sync_fixture f = fixture_open(copy_keys_specs[i]);
        struct range_tally empty = {0};
        struct map_stats before = fixture_stats(&f);
        f.backend->range(f.map, tally_visit, &empty);
        assert_int_equal(fixture_stats(&f).allocs, before.allocs);
        put_tens_below(&f, 32);
        before = fixture_stats(&f);
        struct range_tally t = {0};
        f.backend->range(f.map, tally_visit, &t);
        assert_int_equal(t.visits, 32);
        struct map_stats after = fixture_stats(&f);
        assert_int_equal(after.allocs, before.allocs + 1);
        assert_int_equal(after.frees, before.frees + 1);
        assert_int_equal(after.bytes, before.bytes);
        fixture_close(&f);
    }
}

/* Allocations a write made: cow copies a snapshot (the header and its slot array) per write. */
static uint64_t cow_write_allocs(const struct sync_fixture *f, bool del, uint64_t key)
{
    uint64_t before = fixture_stats(f).allocs;
    if (del)
        f->backend->del(f->map, key);
    else
        f->backend->put(f->map, key, key * 10);
    return fixture_stats(f).allocs - before;
}

/* copy=always copies for a put of the value already stored and a del of an absent key, as Go's
 * DeepCopyMap does; the default returns from both without copying.  A put_if_absent that finds
 * its key copies in neither. */
static void test_cow_copy_always_copies_unchanging_writes(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        uint64_t allocs; /* per unchanging write */
    } cases[] = {
        {"cow", 0},
        {"cow:copy=always", 2},
        {"cow:put_if_absent=load-first,copy=always", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sync_fixture f = fixture_open(cases[i].spec);
        put_tens_below(&f, 8);
        assert_int_equal(cow_write_allocs(&f, false, 3), cases[i].allocs);
        assert_int_equal(cow_write_allocs(&f, true, 99), cases[i].allocs);
        uint64_t existing = 0, allocs = fixture_stats(&f).allocs;
        assert_false(f.backend->put_if_absent(f.map, 3, 1, &existing));
        assert_int_equal(existing, 30);
        assert_int_equal(fixture_stats(&f).allocs, allocs);
        assert_int_equal(f.backend->size(f.map), 8);
        assert_value(&f, 3, 30);
        assert_absent(&f, 99);
        fixture_close(&f);
    }
}

/* ---- readers against writers (the TSan build checks this one for races) ---- */

#define SHARED_KEYS 256
#define VALUE_SHIFT 16 /* value = (counter << VALUE_SHIFT) | key: a reader can check the key */

struct race_arg {
    const struct sync_fixture *f;
    unsigned seed;
    int ops;
    bool writer;
    int bad; /* values that do not encode their key */
};

static void race_write(struct race_arg *a, uint64_t key, uint64_t counter)
{
    uint64_t value = counter << VALUE_SHIFT | key, existing;
    switch (rand_r(&a->seed) % 4) {
    case 0:
        a->f->backend->del(a->f->map, key);
        break;
    case 1:
        if (!a->f->backend->put_if_absent(a->f->map, key, value, &existing) &&
            (existing & 0xffff) != key)
            a->bad++;
        break;
    default:
        a->f->backend->put(a->f->map, key, value);
    }
}

static bool race_range_visit(uint64_t key, uint64_t value, void *arg)
{
    struct race_arg *a = arg;
    if ((value & 0xffff) != key)
        a->bad++;
    return true;
}

static void *race_thread(void *p)
{
    struct race_arg *a = p;
    a->f->backend->thread_enter(a->f->map);
    for (int i = 0; i < a->ops; i++) {
        uint64_t key = (uint64_t)(rand_r(&a->seed) % SHARED_KEYS), value;
        if (a->writer)
            race_write(a, key, (uint64_t)i);
        else if (i % 1000 == 999)
            a->f->backend->range(a->f->map, race_range_visit, a);
        else if (a->f->backend->get(a->f->map, key, &value) && (value & 0xffff) != key)
            a->bad++;
    }
    a->f->backend->thread_leave(a->f->map);
    return NULL;
}

static void readers_against_writers(const char *spec)
{
    enum { THREADS = 4 };
    struct sync_fixture f = fixture_open(spec);
    pthread_t threads[THREADS];
    struct race_arg args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (struct race_arg){&f, (unsigned)t + 1, 100000 / quick_divisor(), t % 2 == 0, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, race_thread, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(args[t].bad, 0);
    }
    int visits = 0;
    f.backend->range(f.map, count_visit, &visits);
    assert_int_equal((size_t)visits, f.backend->size(f.map));
    fixture_close(&f);
}

static void test_syncmap_readers_against_writers(void **state)
{
    (void)state;
    readers_against_writers("syncmap");
}

static void test_ckht_readers_against_writers(void **state)
{
    (void)state;
    readers_against_writers("ref-ckht");
}

/* The objects of maps/ beside this test's build (BUILD/tests -> BUILD/maps), read with nm: none
 * may call liburcu's out-of-line read-side lock, which a file without _LGPL_SOURCE does. */
static void test_urcu_read_side_is_inline_everywhere(void **state)
{
    (void)state;
    char bin[PATH_MAX], command[PATH_MAX + 128], line[512], out_of_line[1024] = "";
    support_binary_dir(bin, sizeof bin);
    snprintf(command, sizeof command, "nm -A -u %s/../maps/*.o 2>&1", bin);
    FILE *nm = popen(command, "r");
    assert_non_null(nm);
    int objects = 0, rcu_users = 0;
    while (fgets(line, sizeof line, nm)) {
        objects += strstr(line, ".o:") != NULL && strstr(line, " U ") != NULL;
        rcu_users += strstr(line, "urcu_memb_reader") != NULL; /* the inline lock's thread state */
        if (strstr(line, "urcu_memb_read_lock\n") || strstr(line, "urcu_memb_read_unlock\n"))
            snprintf(out_of_line + strlen(out_of_line), sizeof out_of_line - strlen(out_of_line),
                     "%s", line);
    }
    assert_int_equal(pclose(nm), 0);
    assert_true(objects > 0);
    assert_true(rcu_users >= 5); /* rcu, cow, ref-lfht, syncmap, ref-ckht (and ref-tbb-hash) */
    if (out_of_line[0])
        fail_msg("out-of-line liburcu read-side calls (a file lacks _LGPL_SOURCE):\n%s", out_of_line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urcu_read_side_is_inline_everywhere),
        cmocka_unit_test(test_syncmap_promotion_after_misses),
        cmocka_unit_test(test_syncmap_store_delete_restore_across_promotions),
        cmocka_unit_test(test_syncmap_expunge_and_unexpunge),
        cmocka_unit_test(test_syncmap_range_while_amended),
        cmocka_unit_test(test_syncmap_bytes_drop_after_delete_all),
        cmocka_unit_test(test_syncmap_churn_keeps_lookups_exact),
        cmocka_unit_test(test_syncmap_readers_against_writers),
        cmocka_unit_test(test_ckht_reserved_and_edge_keys),
        cmocka_unit_test(test_ckht_churn_keeps_lookups_exact),
        cmocka_unit_test(test_ckht_readers_against_writers),
        cmocka_unit_test(test_copy_keys_range_lets_callback_write),
        cmocka_unit_test(test_copy_keys_range_skips_deleted_keys),
        cmocka_unit_test(test_copy_keys_range_allocates_its_keys),
        cmocka_unit_test(test_cow_copy_always_copies_unchanging_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
