/*
 * test_table.c: the shared open-addressing table (maps/table.c) on its own, where its corner cases
 * are easiest to reach: key 0 and the largest key, growth through many resizes, shrinking back to
 * TABLE_MIN_CAPACITY once emptied, backward-shift deletion (every remaining key still findable
 * after random deletes, including probe runs that wrap around the array's end and runs longer than
 * a control-byte group), keys that share their home and their tag, the control-byte groups'
 * two implementations against a byte loop, range's early stop, clone, and the table's memory
 * accounting.
 */
#include "support.h"

#include <stdlib.h>

#include "maps/table.h"
#include "maps/table_group.h"

/* Value stored for a key in these tests: differs from the key, and 0 for no key. */
static uint64_t table_value_of(uint64_t key)
{
    return ~key ^ 0x5555;
}

static void assert_present(const struct table *t, uint64_t key)
{
    uint64_t value = 0;
    if (!table_get(t, key, &value))
        fail_msg("key %llu is missing", (unsigned long long)key);
    assert_int_equal(value, table_value_of(key));
}

static void assert_absent(const struct table *t, uint64_t key)
{
    uint64_t value;
    if (table_get(t, key, &value))
        fail_msg("deleted key %llu is still found", (unsigned long long)key);
}

static void test_extreme_keys(void **state)
{
    (void)state;
    struct map_accounting acct = {0};
    struct table t;
    table_init(&t, &acct, 0);
    uint64_t existing = 1, value = 1;
    assert_false(table_get(&t, 0, &value));
    assert_true(table_put(&t, 0, 7));
    assert_true(table_put(&t, UINT64_MAX, 0)); /* value 0 is a legal value */
    assert_int_equal(table_size(&t), 2);
    assert_false(table_put_if_absent(&t, 0, 9, &existing));
    assert_int_equal(existing, 7);
    assert_false(table_put_if_absent(&t, UINT64_MAX, 9, &existing));
    assert_int_equal(existing, 0);
    assert_false(table_put(&t, 0, 8));
    assert_true(table_get(&t, 0, &value));
    assert_int_equal(value, 8);
    assert_true(table_del(&t, 0, &value));
    assert_int_equal(value, 8);
    assert_false(table_del(&t, 0, NULL));
    assert_false(table_get(&t, 0, &value));
    assert_true(table_put_if_absent(&t, 0, 3, &existing));
    assert_true(table_del(&t, UINT64_MAX, NULL));
    assert_int_equal(table_size(&t), 1);
    table_destroy(&t);
}

static void fill_sequential(struct table *t, uint64_t first, size_t count)
{
    for (uint64_t k = first; k < first + count; k++)
        assert_true(table_put(t, k, table_value_of(k)));
}

static void test_growth_and_shrink(void **state)
{
    (void)state;
    size_t keys = support_scale(200000, 50000);
    struct map_accounting acct = {0};
    struct table t;
    table_init(&t, &acct, 0);
    assert_int_equal(table_capacity(&t), TABLE_MIN_CAPACITY);
    fill_sequential(&t, 0, keys);
    size_t capacity = table_capacity(&t);
    assert_int_equal(capacity & (capacity - 1), 0);
    assert_true(keys <= capacity - capacity / 4); /* load at most 3/4 */
    assert_true(keys > capacity / 4);             /* and it did grow only as needed */
    assert_int_equal(table_size(&t), keys);
    for (uint64_t k = 0; k < keys; k++)
        assert_present(&t, k);
    for (uint64_t k = 0; k < keys; k++) {
        assert_true(table_del(&t, k, NULL));
        if (k % 4099 == 0)
            assert_present(&t, k + 1);
    }
    assert_int_equal(table_size(&t), 0);
    assert_int_equal(table_capacity(&t), TABLE_MIN_CAPACITY);
    struct map_stats stats;
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, table_bytes(TABLE_MIN_CAPACITY));
    assert_int_equal(stats.allocs, stats.frees + 1);
    table_destroy(&t);
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 0);
    assert_int_equal(stats.allocs, stats.frees);
}

/* Fill, delete a random half, check every key, refill: repeated, so deletes meet resizes. */
static void test_random_deletes_keep_keys_findable(void **state)
{
    (void)state;
    size_t keys = support_scale(20000, 5000), rounds = 6;
    struct support_rng rng;
    support_rng_seed(&rng, 42);
    uint64_t *pool = malloc(keys * sizeof *pool);
    bool *present = calloc(keys, sizeof *present);
    assert_non_null(pool);
    assert_non_null(present);
    for (size_t i = 0; i < keys; i++)
        pool[i] = i % 2 ? support_rng_next(&rng) | 1 : (i + 2) * 2; /* odd random, even small */
    struct map_accounting acct = {0};
    struct table t;
    table_init(&t, &acct, 0);
    for (size_t round = 0; round < rounds; round++) {
        for (size_t i = 0; i < keys; i++) {
            table_put(&t, pool[i], table_value_of(pool[i]));
            present[i] = true;
        }
        for (size_t i = 0; i < keys; i++) {
            if (support_rng_below(&rng, round == rounds - 1 ? 1 : 2) == 0) {
                assert_true(table_del(&t, pool[i], NULL));
                present[i] = false;
            }
        }
        size_t expected = 0;
        for (size_t i = 0; i < keys; i++) {
            expected += present[i];
            if (present[i])
                assert_present(&t, pool[i]);
            else
                assert_absent(&t, pool[i]);
        }
        assert_int_equal(table_size(&t), expected);
    }
    assert_int_equal(table_capacity(&t), TABLE_MIN_CAPACITY);
    table_destroy(&t);
    free(pool);
    free(present);
}

/* Keys whose home slot, in a table of TABLE_MIN_CAPACITY, is `home`. */
static size_t keys_with_home(size_t home, uint64_t *out, size_t count, uint64_t start)
{
    size_t found = 0;
    for (uint64_t k = start; found < count; k++)
        if ((table_hash(k) & (TABLE_MIN_CAPACITY - 1)) == home)
            out[found++] = k;
    return found;
}

/* A probe run that wraps past the last slot: every deletion order keeps the others findable. */
static void test_wrapping_probe_run(void **state)
{
    (void)state;
    enum { per_home = 3, homes = 4, total = per_home * homes };
    uint64_t keys[total];
    for (size_t h = 0; h < homes; h++) /* homes 14, 15, 0, 1 */
        keys_with_home((TABLE_MIN_CAPACITY - 2 + h) % TABLE_MIN_CAPACITY, keys + h * per_home,
                       per_home, 1 + h * 1000000);
    struct support_rng rng;
    support_rng_seed(&rng, 7);
    for (int trial = 0; trial < 200; trial++) {
        struct map_accounting acct = {0};
        struct table t;
        table_init(&t, &acct, 0);
        for (size_t i = 0; i < total; i++) /* insertion order varies the layout of the run */
            table_put(&t, keys[(i * 5 + (size_t)trial) % total],
                      table_value_of(keys[(i * 5 + (size_t)trial) % total]));
        assert_int_equal(table_capacity(&t), TABLE_MIN_CAPACITY); /* 12 keys: no resize */
        bool gone[total] = {false};
        for (size_t d = 0; d < total / 2; d++) {
            size_t victim = support_rng_below(&rng, total);
            assert_int_equal(table_del(&t, keys[victim], NULL), !gone[victim]);
            gone[victim] = true;
            for (size_t i = 0; i < total; i++) {
                if (gone[i])
                    assert_absent(&t, keys[i]);
                else
                    assert_present(&t, keys[i]);
            }
        }
        table_destroy(&t);
    }
}

/* Keys whose home slot in a table of `capacity` is `home`, and (tag != 0) whose control byte is
 * `tag`. */
static void keys_with_home_and_tag(size_t capacity, size_t home, uint8_t tag, uint64_t *out,
                                   size_t count, uint64_t start)
{
    size_t found = 0;
    for (uint64_t k = start; found < count; k++)
        if ((table_hash(k) & (capacity - 1)) == home && (!tag || table_ctrl_of(table_hash(k)) == tag))
            out[found++] = k;
}

/* Deletes keys[] in a random order, checking after each delete that exactly the rest are found. */
static void delete_checking_the_rest(struct table *t, const uint64_t *keys, size_t total,
                                     struct support_rng *rng)
{
    bool *gone = calloc(total, sizeof *gone);
    assert_non_null(gone);
    for (size_t left = total; left > 0; left--) {
        size_t victim = support_rng_below(rng, total);
        while (gone[victim])
            victim = (victim + 1) % total;
        assert_true(table_del(t, keys[victim], NULL));
        gone[victim] = true;
        for (size_t i = 0; i < total; i++) {
            if (gone[i])
                assert_absent(t, keys[i]);
            else
                assert_present(t, keys[i]);
        }
    }
    free(gone);
}

/* One probe run of 40 keys from home capacity - 3: it spans three control-byte groups and wraps
 * past the last slot, so lookups read the mirrored control bytes and go on to the next group. */
static void test_run_longer_than_a_group(void **state)
{
    (void)state;
    enum { capacity = 64, total = 40 };
    uint64_t keys[total];
    keys_with_home_and_tag(capacity, capacity - 3, 0, keys, total, 1);
    struct support_rng rng;
    support_rng_seed(&rng, 11);
    for (int trial = 0; trial < 20; trial++) {
        struct map_accounting acct = {0};
        struct table t;
        table_init(&t, &acct, total);
        assert_int_equal(table_capacity(&t), capacity); /* 40 keys fit: no resize moves them */
        for (size_t i = 0; i < total; i++)
            assert_true(table_put(&t, keys[(i * 7 + (size_t)trial) % total],
                                  table_value_of(keys[(i * 7 + (size_t)trial) % total])));
        for (size_t i = 0; i < total; i++)
            assert_present(&t, keys[i]);
        assert_absent(&t, 0);
        delete_checking_the_rest(&t, keys, total, &rng);
        assert_int_equal(table_size(&t), 0);
        table_destroy(&t);
    }
}

/* Keys with the same home and the same control byte are told apart by their keys; key 0 and
 * UINT64_MAX beside them. */
static void test_same_home_and_tag(void **state)
{
    (void)state;
    enum { total = 6 };
    uint64_t keys[total] = {0, UINT64_MAX};
    uint8_t tag = table_ctrl_of(table_hash(0));
    keys_with_home_and_tag(TABLE_MIN_CAPACITY, table_hash(0) & (TABLE_MIN_CAPACITY - 1), tag,
                           keys + 2, total - 2, 1);
    struct support_rng rng;
    support_rng_seed(&rng, 5);
    struct map_accounting acct = {0};
    struct table t;
    table_init(&t, &acct, 0);
    for (size_t i = 0; i < total; i++)
        assert_true(table_put(&t, keys[i], table_value_of(keys[i])));
    for (size_t i = 0; i < total; i++)
        assert_present(&t, keys[i]);
    delete_checking_the_rest(&t, keys, total, &rng);
    table_destroy(&t);
}

/* The bits of the bytes equal to `ctrl`, and of the empty bytes, by a byte loop; `shift`: where a
 * byte's bit sits (0: bit i, SSE2's; 3: bit 8i + 7, the word's). */
static uint64_t group_expected(const uint8_t *bytes, int width, int shift, bool empty, uint8_t ctrl)
{
    uint64_t mask = 0;
    for (int i = 0; i < width; i++)
        if (empty ? !(bytes[i] & TABLE_CTRL_FULL) : bytes[i] == ctrl)
            mask |= 1ULL << (shift ? 8 * i + 7 : i);
    return mask;
}

/* Both group implementations against a byte loop over random groups: matches and empties exact
 * for SSE2; for the word, empties exact and matches a superset whose extra bits are full bytes
 * above a true match (the has-zero-byte trick's borrow), never an empty byte. */
static void test_group_masks(void **state)
{
    (void)state;
    struct support_rng rng;
    support_rng_seed(&rng, 3);
    for (int trial = 0; trial < 20000; trial++) {
        uint8_t bytes[16];
        uint8_t ctrl = (uint8_t)(TABLE_CTRL_FULL | support_rng_below(&rng, 4)); /* few tags: many matches */
        for (int i = 0; i < 16; i++)
            bytes[i] = support_rng_below(&rng, 3) ? (uint8_t)(TABLE_CTRL_FULL | support_rng_below(&rng, 4)) : 0;
        uint64_t word_expected = group_expected(bytes, 8, 3, false, ctrl);
        uint64_t word = table_word_match(bytes, ctrl);
        assert_int_equal(word & word_expected, word_expected);
        uint64_t extra = word & ~word_expected;
        assert_int_equal(extra & group_expected(bytes, 8, 3, true, 0), 0);
        if (extra)
            assert_true(word_expected && __builtin_ctzll(word_expected) < __builtin_ctzll(extra));
        assert_int_equal(table_word_empty(bytes), group_expected(bytes, 8, 3, true, 0));
#ifdef __SSE2__
        assert_int_equal(table_sse2_match(bytes, ctrl), group_expected(bytes, 16, 0, false, ctrl));
        assert_int_equal(table_sse2_empty(bytes), group_expected(bytes, 16, 0, true, 0));
#endif
    }
}

static bool count_until_limit(uint64_t key, uint64_t value, void *arg)
{
    size_t *calls = arg;
    assert_int_equal(value, table_value_of(key));
    return ++*calls < 10;
}

static void test_range_and_clone(void **state)
{
    (void)state;
    struct map_accounting acct = {0};
    struct table t, copy, bigger;
    table_init(&t, &acct, 0);
    fill_sequential(&t, 0, 1000);
    size_t calls = 0;
    assert_false(table_range(&t, count_until_limit, &calls));
    assert_int_equal(calls, 10);
    table_clone(&copy, &t, 0);
    table_clone(&bigger, &t, 100000);
    assert_int_equal(table_capacity(&copy), table_capacity(&t));
    assert_true(table_capacity(&bigger) > table_capacity(&t));
    table_del(&t, 5, NULL); /* the copies are independent of their source */
    for (uint64_t k = 0; k < 1000; k++) {
        assert_present(&copy, k);
        assert_present(&bigger, k);
    }
    assert_int_equal(table_size(&copy), 1000);
    assert_int_equal(table_size(&bigger), 1000);
    table_destroy(&t);
    table_destroy(&copy);
    table_destroy(&bigger);
    struct map_stats stats;
    map_accounting_read(&acct, &stats);
    assert_int_equal(stats.bytes, 0);
    assert_int_equal(stats.allocs, stats.frees);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extreme_keys),
        cmocka_unit_test(test_growth_and_shrink),
        cmocka_unit_test(test_random_deletes_keep_keys_findable),
        cmocka_unit_test(test_wrapping_probe_run),
        cmocka_unit_test(test_run_longer_than_a_group),
        cmocka_unit_test(test_same_home_and_tag),
        cmocka_unit_test(test_group_masks),
        cmocka_unit_test(test_range_and_clone),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
