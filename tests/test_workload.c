/*
 * test_workload.c: the streams (operation patterns and generated keys, the keys a long stream
 * touches, the zipf and hot tables) and the post-window validation.  Class counts are exact
 * (within one of length x share); where a property is random (which keys are drawn) the tolerance
 * is z = 4.75 binomial standard deviations, not a hand-tuned number.  Validation is exercised on
 * the `mutex` backend: accepted after correct prefills and applied streams of every write kind,
 * rejected with its reason for a missing key, a size() that disagrees with range, a foreign key,
 * a corrupted value and wrong effective counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "runner/rng.h"
#include "runner/workload.h"
#include "runner/zipf.h"
#include "tests/stats.h"

static struct bench_case workload_test_case(void)
{
    struct bench_case c;
    memset(&c, 0, sizeof c);
    c.threads = 1;
    c.read_pct = 90;
    c.hit_pct = 100;
    c.write_kind = CASE_WRITE_UPDATE;
    c.keys = 1000;
    c.distribution = CASE_DIST_UNIFORM;
    c.seed = 12345;
    return c;
}

static size_t workload_test_length(void)
{
    return stats_quick() ? 1u << 14 : 1u << 17;
}

/* The stream's keys at positions [first, first + count), malloc'd, produced as the timed loop
 * produces them: batches of at most WORKLOAD_BATCH_MAX. */
static uint64_t *workload_test_keys(const struct workload_stream *s, uint64_t first, uint64_t count)
{
    uint64_t *keys = malloc(count * sizeof *keys);
    assert_non_null(keys);
    for (uint64_t at = 0; at < count; at += WORKLOAD_BATCH_MAX) {
        size_t n = count - at < WORKLOAD_BATCH_MAX ? (size_t)(count - at) : WORKLOAD_BATCH_MAX;
        workload_keys(s, first + at, n, keys + at);
    }
    return keys;
}

struct mix {
    uint64_t ops[5];
    uint64_t hits, misses, low_half_writes, keyed;
    uint64_t write_misses, fresh; /* writes on keys never stored, and on fresh keys */
};

static struct mix workload_count(const struct bench_case *c, const struct workload_stream *s)
{
    struct mix m;
    memset(&m, 0, sizeof m);
    uint64_t range = workload_key_range(c);
    uint64_t *keys = workload_test_keys(s, 0, s->length);
    for (size_t i = 0; i < s->length; i++) {
        uint8_t op = workload_op_at(s, i);
        m.ops[op]++;
        uint64_t index = workload_key_index(keys[i]);
        bool miss = index >= WORKLOAD_MISS_BASE;
        if (op == WORKLOAD_RANGE)
            continue;
        if (s->ops[i] & WORKLOAD_FRESH_FLAG) { /* the window takes a fresh key instead */
            assert_true(op == WORKLOAD_PUT || op == WORKLOAD_PUT_IF_ABSENT);
            m.fresh++;
            continue;
        }
        assert_int_equal(miss, (s->ops[i] & WORKLOAD_MISS_FLAG) != 0);
        assert_true(miss ? index - WORKLOAD_MISS_BASE < (range ? range : 1) : index < range);
        if (op == WORKLOAD_GET) {
            m.hits += !miss;
            m.misses += miss;
        } else if (miss) {
            assert_int_equal(op, WORKLOAD_DEL); /* only gets and dels miss */
            m.write_misses++;
        } else {
            m.keyed++;
            m.low_half_writes += index < range / 2;
        }
    }
    free(keys);
    return m;
}

static void assert_within_one(uint64_t count, double expected)
{
    assert_true((double)count >= expected - 1.0 && (double)count <= expected + 1.0);
}

static void test_workload_mix_is_exact(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 90;
    c.range_pct = 10;
    c.hit_pct = 80;
    c.delete_pct = 20;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, 100000, &s, err));
    assert_int_equal(s.length, 1u << 17); /* power of two >= min_length */
    assert_int_equal(s.mask, s.length - 1);
    double n = (double)s.length;
    struct mix m = workload_count(&c, &s);
    assert_within_one(m.ops[WORKLOAD_RANGE], n * 0.9 * 0.1);
    assert_within_one(m.hits, n * 0.9 * 0.9 * 0.8);
    assert_within_one(m.misses, n * 0.9 * 0.9 * 0.2);
    assert_within_one(m.ops[WORKLOAD_DEL], n * 0.1 * 0.2);
    assert_within_one(m.write_misses, n * 0.1 * 0.2 * 0.2); /* hit_pct splits the dels too */
    assert_within_one(m.ops[WORKLOAD_PUT], n * 0.1 * 0.8);
    assert_int_equal(m.fresh, 0); /* updates: every put on the access range */
    assert_int_equal(m.ops[WORKLOAD_PUT_IF_ABSENT], 0);
    workload_free(&s);

    /* load-or-store: hit_pct of the calls on the access range, the rest on fresh keys */
    c.write_kind = CASE_WRITE_LOAD_OR_STORE;
    c.read_pct = 1;
    c.delete_pct = 0;
    assert_true(workload_build(&c, 0, 1, 4096, &s, err));
    m = workload_count(&c, &s);
    assert_within_one(m.ops[WORKLOAD_PUT_IF_ABSENT], 4096 * 0.99);
    assert_within_one(m.fresh, 4096 * 0.99 * 0.2);
    assert_int_equal(m.ops[WORKLOAD_PUT], 0);
    workload_free(&s);
}

/* Go's LoadOrStoreUnique and LoadAndDeleteUnique on an empty map: every call stores a fresh key,
 * or deletes a key never stored; a get or a put that needs a present key still cannot build. */
static void test_workload_empty_map_misses(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    struct workload_stream s;
    char err[ERR_LEN] = "";
    c.keys = 0;
    c.read_pct = 0;
    c.hit_pct = 0;
    c.write_kind = CASE_WRITE_LOAD_OR_STORE;
    if (!workload_build(&c, 0, 1, 1024, &s, err))
        fail_msg("%s", err);
    struct mix m = workload_count(&c, &s);
    assert_int_equal(m.fresh, 1024);
    workload_free(&s);
    c.write_kind = CASE_WRITE_UPDATE;
    c.delete_pct = 100;
    if (!workload_build(&c, 0, 1, 1024, &s, err))
        fail_msg("%s", err);
    m = workload_count(&c, &s);
    assert_int_equal(m.write_misses, 1024);
    workload_free(&s);
    c.hit_pct = 50; /* half the deletes would need a present key */
    assert_false(workload_build(&c, 0, 1, 1024, &s, err));
    assert_non_null(strstr(err, "leave no key"));
}

/* The next operation of the loop, checked against what Go's loop does next. */
static void workload_expect(const struct workload_stream *s, struct workload_loop *l, uint8_t op,
                            uint64_t key)
{
    uint64_t got;
    uint8_t next = workload_loop_next(s, l, &got);
    assert_int_equal(next, op);
    if (op != WORKLOAD_RANGE_FIRST)
        assert_int_equal(got, key);
}

/* Go's BenchmarkAdversarialAlloc, written out as Go writes it, against workload_loop_next. */
static void test_workload_adversarial_alloc_is_gos_loop(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.keys = 0;
    c.write_kind = CASE_WRITE_ADVERSARIAL_ALLOC;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 1, 2, 1024, &s, err));
    assert_int_equal(s.loop, WORKLOAD_LOOP_ALLOC);
    assert_null(s.ops);
    struct workload_loop l = {0};
    uint64_t stores = 0, loads_since_store = 0, writes = 0;
    for (uint64_t i = 0; i < 20000; i++) {
        uint64_t key = workload_fresh_key(1, 2, i);
        workload_expect(&s, &l, WORKLOAD_GET, key); /* m.Load(i) */
        if (++loads_since_store > stores) {
            workload_expect(&s, &l, WORKLOAD_PUT_IF_ABSENT, key); /* m.LoadOrStore(i, stores) */
            loads_since_store = 0;
            stores++;
            writes++;
        }
    }
    assert_int_equal(writes, 199); /* n loads, then a store, n = 1, 2, ...: 199 * 200 / 2 < 20000 */
    workload_free(&s);
}

/* Go's BenchmarkAdversarialDelete: a load each iteration, and every 1024th a range to the first
 * key, its delete, and a store of the iteration's key; no delete when the range finds nothing. */
static void test_workload_adversarial_delete_is_gos_loop(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.keys = 1024;
    c.write_kind = CASE_WRITE_ADVERSARIAL_DELETE;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, 1024, &s, err));
    assert_int_equal(s.loop, WORKLOAD_LOOP_DELETE);
    struct workload_loop l = {0};
    for (uint64_t i = 0; i < 5000; i++) {
        uint64_t key = workload_fresh_key(0, 1, i);
        workload_expect(&s, &l, WORKLOAD_GET, key); /* m.Load(i) */
        if (i % 1024 != 0)
            continue;
        workload_expect(&s, &l, WORKLOAD_RANGE_FIRST, 0); /* m.Range(... return false) */
        bool found = i != 2048;                           /* one range finds an empty map */
        workload_loop_found(&l, found, workload_key(i / 1024));
        if (found)
            workload_expect(&s, &l, WORKLOAD_DEL, workload_key(i / 1024)); /* m.Delete(k) */
        workload_expect(&s, &l, WORKLOAD_PUT, key);                        /* m.Store(i, i) */
    }
    workload_free(&s);
}

/* Which keys are drawn is random: uniform draws land in the lower half of the range about half the
   time, within the binomial tolerance. */
static void test_workload_uniform_keys_spread(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 0;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, workload_test_length(), &s, err));
    struct mix m = workload_count(&c, &s);
    assert_int_equal(m.keyed, s.length);
    double tolerance = stats_binomial_tolerance(m.keyed, 0.5, STATS_Z_STRICT);
    assert_true(fabs((double)m.low_half_writes - 0.5 * (double)m.keyed) <= tolerance);
    workload_free(&s);
}

static void test_workload_insert_delete_is_balanced(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.write_kind = CASE_WRITE_INSERT_DELETE;
    c.read_pct = 99; /* 1% of 2^17 is odd-sized: the write count is made even */
    c.delete_pct = 0;
    assert_int_equal(workload_key_range(&c), 2 * c.keys);
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, workload_test_length(), &s, err));
    struct mix m = workload_count(&c, &s); /* also checks every key is in [0, 2 * keys) */
    assert_true(m.ops[WORKLOAD_PUT] > 0);
    assert_int_equal(m.ops[WORKLOAD_PUT], m.ops[WORKLOAD_DEL]);
    workload_free(&s);

    c.read_pct = 0; /* writes fall below and above `keys` alike */
    assert_true(workload_build(&c, 0, 1, workload_test_length(), &s, err));
    m = workload_count(&c, &s);
    assert_int_equal(m.ops[WORKLOAD_PUT], m.ops[WORKLOAD_DEL]);
    double tolerance = stats_binomial_tolerance(m.keyed, 0.5, STATS_Z_STRICT);
    assert_true(fabs((double)m.low_half_writes - 0.5 * (double)m.keyed) <= tolerance);
    workload_free(&s);
}

static void test_workload_fresh_keys_never_repeat(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.write_kind = CASE_WRITE_INSERT;
    c.read_pct = 50;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 2, 3, 1024, &s, err));
    struct mix fresh = workload_count(&c, &s);
    assert_int_equal(fresh.fresh, 512); /* every put */
    assert_int_equal(s.worker, 2);
    assert_int_equal(s.workers, 3);
    workload_free(&s);

    enum { WORKERS = 5, EACH = 20000 };
    uint64_t *keys = malloc(WORKERS * EACH * sizeof *keys);
    assert_non_null(keys);
    for (int w = 0; w < WORKERS; w++)
        for (uint64_t n = 0; n < EACH; n++) {
            uint64_t key = workload_fresh_key(w, WORKERS, n);
            assert_true(workload_key_index(key) >= WORKLOAD_FRESH_BASE);
            keys[(size_t)w * EACH + n] = key;
        }
    qsort(keys, WORKERS * EACH, sizeof *keys, stats_compare_u64);
    for (size_t i = 1; i < WORKERS * EACH; i++)
        assert_true(keys[i] != keys[i - 1]);
    free(keys);
}

static void test_workload_key_is_a_bijection(void **state)
{
    (void)state;
    const uint64_t edges[] = {0, 1, 2, 999, WORKLOAD_MISS_BASE, WORKLOAD_FRESH_BASE, UINT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        assert_true(workload_key_index(workload_key(edges[i])) == edges[i]);
    struct rng r;
    rng_seed(&r, 1, 0);
    for (int i = 0; i < 100000; i++) {
        uint64_t x = rng_next(&r);
        assert_true(workload_key_index(workload_key(x)) == x);
    }
    assert_true(workload_key(1) != workload_key(0) + 1); /* not sequential */
}

/* hot:N draws only N indices; with N equal to the range every index appears (the rank permutation
   is a bijection), and rank 0 is not always index 0. */
static void test_workload_hot_and_permutation(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 100;
    c.keys = 37;
    c.distribution = CASE_DIST_HOT;
    c.hot_keys = 37;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, 8192, &s, err));
    uint64_t seen[37] = {0};
    uint64_t *keys = workload_test_keys(&s, 0, s.length);
    for (size_t i = 0; i < s.length; i++)
        seen[workload_key_index(keys[i])]++;
    for (int k = 0; k < 37; k++)
        assert_true(seen[k] > 0);
    free(keys);
    workload_free(&s);

    c.keys = 100000;
    c.hot_keys = 1;
    int index_zero = 0;
    for (uint64_t seed = 0; seed < 8; seed++) {
        c.seed = seed;
        assert_true(workload_build(&c, 0, 1, 256, &s, err));
        keys = workload_test_keys(&s, 0, s.length);
        uint64_t first = keys[0];
        for (size_t i = 0; i < s.length; i++)
            assert_true(keys[i] == first); /* a single hot key */
        index_zero += workload_key_index(first) == 0;
        free(keys);
        workload_free(&s);
    }
    assert_true(index_zero < 8);
}

/* Zipf through the stream: the most frequent index gets its theoretical share. */
static void test_workload_zipf_top_share(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 100;
    c.keys = 10000;
    c.distribution = CASE_DIST_ZIPF;
    c.zipf_theta = 0.99;
    struct workload_stream s;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 1, 2, workload_test_length(), &s, err));
    uint64_t *counts = calloc(c.keys, sizeof *counts);
    assert_non_null(counts);
    uint64_t *keys = workload_test_keys(&s, 0, s.length);
    for (size_t i = 0; i < s.length; i++)
        counts[workload_key_index(keys[i])]++;
    free(keys);
    uint64_t top = 0;
    for (uint64_t k = 0; k < c.keys; k++)
        top = counts[k] > top ? counts[k] : top;
    double p0 = zipf_probability(0, 0.99, zipf_harmonic(c.keys, 0.99));
    assert_true(fabs((double)top - p0 * (double)s.length) <=
                stats_binomial_tolerance(s.length, p0, STATS_Z_STRICT));
    free(counts);
    workload_free(&s);
}

/* hot:N above the table's cap computes each key's permutation instead: the same N keys either way,
 * and the table (N at the cap) and the computed path agree on every rank they share. */
static void test_workload_hot_above_table_cap(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 100;
    c.keys = 1u << 20;
    c.distribution = CASE_DIST_HOT;
    c.hot_keys = WORKLOAD_HOT_TABLE_MAX + 1;
    struct workload_stream big, capped;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, 4096, &big, err));
    assert_null(big.hot_index);
    c.hot_keys = WORKLOAD_HOT_TABLE_MAX;
    assert_true(workload_build(&c, 0, 1, 4096, &capped, err));
    assert_non_null(capped.hot_index);
    /* the hot indices of ranks below the cap, from the table, as a sorted set */
    uint64_t *hot = malloc(WORKLOAD_HOT_TABLE_MAX * sizeof *hot);
    assert_non_null(hot);
    memcpy(hot, capped.hot_index, WORKLOAD_HOT_TABLE_MAX * sizeof *hot);
    qsort(hot, WORKLOAD_HOT_TABLE_MAX, sizeof *hot, stats_compare_u64);
    uint64_t draws = 1u << 16, in_table = 0, *keys = workload_test_keys(&big, 0, draws);
    for (uint64_t i = 0; i < draws; i++) {
        uint64_t index = workload_key_index(keys[i]);
        assert_true(index < c.keys);
        in_table += bsearch(&index, hot, WORKLOAD_HOT_TABLE_MAX, sizeof *hot, stats_compare_u64) != NULL;
    }
    /* one rank in N + 1 lies above the cap: about 1 draw in 65537 is not in the table */
    assert_true(draws - in_table <= 10);
    free(keys);
    free(hot);
    workload_free(&big);
    workload_free(&capped);
}

/* The working set of a long window at 16M keys: n uniform draws touch k (1 - e^(-n/k)) distinct
 * keys, here 4M draws (64 times the operation pattern) from two workers together, within 5%.  A
 * replayed fixed-length stream would touch at most its own length. */
static void test_workload_working_set_of_large_key_counts(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 100;
    c.keys = 16u << 20;
    uint64_t per_worker = stats_quick() ? 1u << 20 : 1u << 21, pattern = 1u << 16;
    char err[ERR_LEN];
    struct workload_stream s[2];
    struct workload_touched total, own;
    for (int w = 0; w < 2; w++)
        assert_true(workload_build(&c, w, 2, pattern, &s[w], err));
    assert_int_equal(s[0].length, pattern);
    workload_touched_init(&total, &s[0]);
    assert_true(total.exact);
    for (int w = 0; w < 2; w++) {
        workload_touched_init(&own, &s[w]);
        workload_touched_mark(&own, &s[w], 12345, per_worker, false); /* any start, unaligned */
        double alone = (double)c.keys * -expm1(-(double)per_worker / (double)c.keys);
        assert_true(fabs((double)workload_touched_count(&own) - alone) <= 0.05 * alone);
        workload_touched_merge(&total, &own);
        workload_touched_free(&own);
        assert_int_equal(workload_wraps(12345, per_worker), 0);
    }
    double n = 2.0 * (double)per_worker, k = (double)c.keys;
    double expected = k * -expm1(-n / k);
    uint64_t touched = workload_touched_count(&total);
    assert_true(fabs((double)touched - expected) <= 0.05 * expected);
    assert_true(touched > 16 * pattern);
    workload_touched_free(&total);
    for (int w = 0; w < 2; w++)
        workload_free(&s[w]);
}

/* Counting touched keys: misses, fresh inserts and ranges name no access-range key; above the
 * exact bitmap's size the count is a linear-counting estimate; the key stream wraps only past 2^64
 * positions. */
static void test_workload_touched_counts_keyed_operations(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.read_pct = 100;
    c.hit_pct = 0; /* every get misses */
    c.keys = 1000;
    struct workload_stream s;
    struct workload_touched t;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 1, 4096, &s, err));
    workload_touched_init(&t, &s);
    workload_touched_mark(&t, &s, 0, 100000, false);
    assert_int_equal(workload_touched_count(&t), 0);
    workload_touched_free(&t);
    workload_free(&s);

    c.hit_pct = 100; /* 100,000 draws over 1000 keys touch them all */
    assert_true(workload_build(&c, 0, 1, 4096, &s, err));
    workload_touched_init(&t, &s);
    workload_touched_mark(&t, &s, 0, 100000, false);
    assert_int_equal(workload_touched_count(&t), 1000);
    workload_touched_free(&t);
    workload_free(&s);

    c.key_range = 4 * WORKLOAD_TOUCHED_EXACT_MAX; /* the estimate */
    assert_true(workload_build(&c, 0, 1, 4096, &s, err));
    workload_touched_init(&t, &s);
    assert_false(t.exact);
    uint64_t draws = stats_quick() ? 1u << 18 : 1u << 20;
    workload_touched_mark(&t, &s, 0, draws, true);
    double k = (double)c.key_range, expected = k * -expm1(-(double)draws / k);
    assert_true(fabs((double)workload_touched_count(&t) - expected) <= 0.01 * expected);
    workload_touched_free(&t);
    workload_free(&s);

    assert_int_equal(workload_wraps(0, UINT64_MAX), 0);
    assert_int_equal(workload_wraps(UINT64_MAX - 10, 11), 1);
}

static void test_workload_is_deterministic(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    c.distribution = CASE_DIST_ZIPF;
    c.zipf_theta = 1.2;
    struct workload_stream a, b, other;
    char err[ERR_LEN];
    assert_true(workload_build(&c, 0, 2, 4096, &a, err));
    assert_true(workload_build(&c, 0, 2, 4096, &b, err));
    assert_true(workload_build(&c, 1, 2, 4096, &other, err));
    assert_memory_equal(a.ops, b.ops, a.length);
    uint64_t *ka = workload_test_keys(&a, 0, a.length), *kb = workload_test_keys(&b, 0, b.length);
    uint64_t *ko = workload_test_keys(&other, 0, other.length);
    assert_memory_equal(ka, kb, a.length * sizeof *ka);
    assert_true(memcmp(ka, ko, a.length * sizeof *ka) != 0);
    /* any stretch is produced again alike, whatever the batches it is asked in */
    uint64_t again[7];
    workload_keys(&a, 1000, 7, again);
    assert_memory_equal(again, ka + 1000, sizeof again);
    free(ka);
    free(kb);
    free(ko);
    workload_free(&a);
    workload_free(&b);
    workload_free(&other);
}

static void test_workload_rejects_bad_cases(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    struct workload_stream s;
    char err[ERR_LEN];
    c.read_pct = 120;
    assert_false(workload_build(&c, 0, 1, 64, &s, err));
    assert_non_null(strstr(err, "0..100"));
    c = workload_test_case();
    c.distribution = CASE_DIST_ZIPF;
    c.zipf_theta = -1;
    assert_false(workload_build(&c, 0, 1, 64, &s, err));
    assert_non_null(strstr(err, "theta"));
    c.zipf_theta = 0.99;
    c.keys = 1ULL << 53; /* beyond what the table's positions hold exactly */
    assert_false(workload_build(&c, 0, 1, 64, &s, err));
    assert_non_null(strstr(err, "below 2^53"));
    c = workload_test_case();
    c.keys = 0;
    assert_false(workload_build(&c, 0, 1, 64, &s, err));
    assert_non_null(strstr(err, "keys=0"));
    c.write_kind = CASE_WRITE_INSERT; /* growth from empty: fine */
    c.read_pct = 0;
    assert_true(workload_build(&c, 0, 1, 64, &s, err));
    workload_free(&s);
}

static void test_workload_prefill_ranges_partition(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    const uint64_t sizes[] = {0, 1, 7, 1000, 1001};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        c.keys = sizes[i];
        for (int workers = 1; workers <= 9; workers++) {
            uint64_t expect_first = 0, first, end;
            for (int w = 0; w < workers; w++) {
                workload_prefill_range(&c, w, workers, &first, &end);
                assert_true(first == expect_first && end >= first);
                assert_true(end - first <= c.keys / (uint64_t)workers + 1);
                expect_first = end;
            }
            assert_true(expect_first == c.keys);
        }
    }
}

/* ---- validation ---- */

static struct map *workload_test_map(const struct bench_case *c, const struct map_backend **b)
{
    char err[ERR_LEN];
    struct map *m = map_create_from_spec("mutex", b, err);
    assert_non_null(m);
    (*b)->thread_enter(m);
    for (int w = 0; w < 3; w++) {
        uint64_t first, end;
        workload_prefill_range(c, w, 3, &first, &end);
        assert_true(workload_prefill(c, *b, m, w, 3) == end - first);
    }
    (*b)->thread_leave(m);
    return m;
}

/* Runs a stream the way the timed loop does, counting effective inserts and deletes. */
static void workload_apply(const struct map_backend *b, struct map *m, const struct workload_stream *s,
                           uint64_t operations, uint64_t *inserts, uint64_t *deletes)
{
    uint64_t fresh = 0, value;
    uint64_t *keys = workload_test_keys(s, 0, operations);
    b->thread_enter(m);
    for (uint64_t i = 0; i < operations; i++) {
        uint8_t op = workload_op_at(s, i);
        uint64_t key = keys[i];
        if (s->ops[i & s->mask] & WORKLOAD_FRESH_FLAG)
            key = workload_fresh_key(s->worker, s->workers, fresh++);
        if (op == WORKLOAD_GET)
            b->get(m, key, &value);
        else if (op == WORKLOAD_PUT)
            *inserts += b->put(m, key, workload_value(key, i));
        else if (op == WORKLOAD_PUT_IF_ABSENT)
            *inserts += b->put_if_absent(m, key, workload_value(key, i), &value);
        else if (op == WORKLOAD_DEL)
            *deletes += b->del(m, key);
    }
    b->thread_leave(m);
    free(keys);
}

static void test_workload_validate_accepts_correct_maps(void **state)
{
    (void)state;
    const enum case_write_kind kinds[] = {CASE_WRITE_UPDATE, CASE_WRITE_INSERT_DELETE,
                                          CASE_WRITE_INSERT, CASE_WRITE_LOAD_OR_STORE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct bench_case c = workload_test_case();
        c.write_kind = kinds[k];
        c.read_pct = 50;
        c.hit_pct = 90;
        c.key_range = kinds[k] == CASE_WRITE_LOAD_OR_STORE ? 3000 : 0;
        c.delete_pct = kinds[k] == CASE_WRITE_UPDATE ? 10 : 0;
        const struct map_backend *b;
        struct map *m = workload_test_map(&c, &b);
        char reason[256] = "untouched", err[ERR_LEN];
        assert_true(workload_validate(&c, b, m, 0, 0, reason)); /* just prefilled */
        assert_string_equal(reason, "");
        uint64_t inserts = 0, deletes = 0;
        for (int w = 0; w < 2; w++) {
            struct workload_stream s;
            assert_true(workload_build(&c, w, 2, 4096, &s, err));
            workload_apply(b, m, &s, 10000, &inserts, &deletes); /* wraps the stream */
            workload_free(&s);
        }
        if (kinds[k] != CASE_WRITE_UPDATE)
            assert_true(inserts > 0);
        assert_true(workload_validate(&c, b, m, inserts, deletes, reason));
        b->destroy(m);
    }
}

static size_t lying_size(struct map *m)
{
    const struct map_backend *mutex = map_registry_find("mutex");
    return mutex->size(m) + 1;
}

static void workload_expect_invalid(const struct bench_case *c, const struct map_backend *b,
                                    struct map *m, uint64_t inserts, const char *why)
{
    char reason[256];
    assert_false(workload_validate(c, b, m, inserts, 0, reason));
    assert_non_null(strstr(reason, why));
}

static void test_workload_validate_rejects_broken_maps(void **state)
{
    (void)state;
    struct bench_case c = workload_test_case();
    const struct map_backend *b;
    uint64_t value;

    struct map *m = workload_test_map(&c, &b); /* a key vanished */
    b->thread_enter(m);
    assert_true(b->del(m, workload_key(500)));
    b->thread_leave(m);
    workload_expect_invalid(&c, b, m, 0, "is missing");
    b->destroy(m);

    m = workload_test_map(&c, &b); /* a value overwritten with garbage */
    b->thread_enter(m);
    b->put(m, workload_key(7), 12345);
    b->thread_leave(m);
    workload_expect_invalid(&c, b, m, 0, "does not encode it");
    b->destroy(m);

    m = workload_test_map(&c, &b); /* a key no workload produces: a miss key */
    uint64_t foreign = workload_key(WORKLOAD_MISS_BASE + 3);
    b->thread_enter(m);
    assert_true(b->put_if_absent(m, foreign, workload_value(foreign, 0), &value));
    b->thread_leave(m);
    workload_expect_invalid(&c, b, m, 1, "never inserts");
    b->destroy(m);

    m = workload_test_map(&c, &b); /* size() disagrees with what range visits */
    struct map_backend liar = *b;
    liar.size = lying_size;
    workload_expect_invalid(&c, &liar, m, 0, "size() reports 1001");

    /* the counts the workers report do not match the map */
    workload_expect_invalid(&c, b, m, 5, "expected 1000 prefilled + 5 inserts");
    char reason[256];
    assert_false(workload_validate(&c, b, m, 2, 3, reason));
    assert_non_null(strstr(reason, "size() is 1000"));
    b->destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workload_mix_is_exact),
        cmocka_unit_test(test_workload_empty_map_misses),
        cmocka_unit_test(test_workload_adversarial_alloc_is_gos_loop),
        cmocka_unit_test(test_workload_adversarial_delete_is_gos_loop),
        cmocka_unit_test(test_workload_uniform_keys_spread),
        cmocka_unit_test(test_workload_insert_delete_is_balanced),
        cmocka_unit_test(test_workload_fresh_keys_never_repeat),
        cmocka_unit_test(test_workload_key_is_a_bijection),
        cmocka_unit_test(test_workload_hot_and_permutation),
        cmocka_unit_test(test_workload_zipf_top_share),
        cmocka_unit_test(test_workload_hot_above_table_cap),
        cmocka_unit_test(test_workload_working_set_of_large_key_counts),
        cmocka_unit_test(test_workload_touched_counts_keyed_operations),
        cmocka_unit_test(test_workload_is_deterministic),
        cmocka_unit_test(test_workload_rejects_bad_cases),
        cmocka_unit_test(test_workload_prefill_ranges_partition),
        cmocka_unit_test(test_workload_validate_accepts_correct_maps),
        cmocka_unit_test(test_workload_validate_rejects_broken_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
