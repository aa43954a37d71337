/*
 * test_maps_concurrency.c: every thread-safe backend under more threads than this machine has
 * cores (6, or 4 with MAPBENCH_TEST_QUICK=1), so threads are preempted inside operations too:
 *   - disjoint: each thread owns a key range and checks every get against its own reference while
 *     the map resizes under everyone; at the end each inserted key holds its last value and each
 *     deleted key is absent, and size is the sum;
 *   - encoded: writers store value = key * ENC_KEY_UNIT + (writer << 16 | counter) into shared
 *     keys while readers get them: a value read must decode to the key read and to a real writer
 *     (no torn or phantom values); a stable set of keys, never written during the test, must
 *     always be found with its value;
 *   - range_during_writes: the same writers while readers range: every stable key is visited
 *     exactly once per range, and every visited pair decodes as above;
 *   - put_if_absent_race: all threads race put_if_absent over the same keys; exactly one wins each
 *     key, every loser was shown the winner's value, and the map holds it;
 *   - read_only: every map, plain and plain:detect=1 included, read by several threads at once.
 * A backend whose spec's concurrency is MAP_CONCURRENCY_NO_DELETE (ref-tbb-unordered) runs the
 * writer tests without concurrent deletes: where the others delete, its writers put (disjoint's
 * owners check a get instead); its deletes run alone, between rounds of put_if_absent_race.
 * Sizes are modest (a few hundred keys per thread) because copy-on-write backends copy the whole
 * table on every write: the suite must stay fast for every backend, not only the cheap ones.
 * Worker threads record failures (cmocka asserts only on the test's thread) and call
 * thread_enter/thread_leave around their operations, as the map contract requires.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 8
#define ENC_KEY_UNIT (1ULL << 20) /* value = key * ENC_KEY_UNIT + version, version < 2^20 */

static uint64_t enc_value(uint64_t key, unsigned writer, uint64_t counter)
{
    return key * ENC_KEY_UNIT + ((uint64_t)writer << 16) + (counter & 0xffff);
}

/* Does `value` encode `key` and a writer in [first_writer, last_writer]? */
static bool enc_matches(uint64_t key, uint64_t value, unsigned first_writer, unsigned last_writer)
{
    unsigned writer = (unsigned)((value % ENC_KEY_UNIT) >> 16);
    return value / ENC_KEY_UNIT == key && writer >= first_writer && writer <= last_writer;
}

static unsigned thread_count(void)
{
    return (unsigned)support_scale(6, 4);
}

/* What every test here shares: the map under test and the failures its threads record. */
struct conc_map {
    const struct map_backend *b;
    struct map *m;
    bool deletes; /* may threads delete beside other operations (the spec's concurrency)? */
    struct support_failures failures;
};

static void conc_map_open(struct conc_map *cm, const struct support_case *c)
{
    struct map_traits traits;
    char err[ERR_LEN] = "";
    memset(cm, 0, sizeof *cm);
    if (!map_traits_of(c->spec, &traits, err))
        fail_msg("%s: %s", c->spec, err);
    cm->deletes = traits.concurrency != MAP_CONCURRENCY_NO_DELETE;
    cm->b = c->backend;
    cm->m = support_map_create(c);
    cm->b->thread_enter(cm->m); /* the test's own thread operates on the map too */
}

static void conc_map_close(struct conc_map *cm)
{
    cm->b->thread_leave(cm->m);
    cm->b->destroy(cm->m);
    support_failures_assert(&cm->failures);
}

/* ---- disjoint key ranges ---- */

struct disjoint_owner {
    uint64_t *values;
    bool *present;
};

struct disjoint_test {
    struct conc_map cm;
    unsigned threads;
    size_t keys_per_thread, ops_per_thread;
    struct disjoint_owner owners[MAX_THREADS];
};

static uint64_t disjoint_key(const struct disjoint_test *t, unsigned owner, size_t i)
{
    if (owner == t->threads - 1 && i == t->keys_per_thread - 1)
        return UINT64_MAX;
    return ((uint64_t)owner << 40) + i; /* owner 0, i 0 is key 0 */
}

static void disjoint_check_get(struct disjoint_test *t, struct disjoint_owner *o, unsigned owner,
                               size_t i)
{
    uint64_t value = 0, key = disjoint_key(t, owner, i);
    bool found = t->cm.b->get(t->cm.m, key, &value);
    if (found != o->present[i] || (found && value != o->values[i]))
        support_fail(&t->cm.failures, "thread %u: get(%llu) found=%d value=%llu, expected %d %llu",
                     owner, (unsigned long long)key, found, (unsigned long long)value,
                     o->present[i], (unsigned long long)o->values[i]);
}

static void disjoint_worker(void *arg, unsigned owner)
{
    struct disjoint_test *t = arg;
    struct disjoint_owner *o = &t->owners[owner];
    struct support_rng rng;
    support_rng_seed(&rng, 1000 + owner);
    t->cm.b->thread_enter(t->cm.m);
    size_t phase = 2 * t->keys_per_thread;
    for (size_t op = 0; op < t->ops_per_thread; op++) {
        size_t i = support_rng_below(&rng, t->keys_per_thread);
        uint64_t key = disjoint_key(t, owner, i), dice = support_rng_below(&rng, 100);
        bool growing = (op / phase) % 2 == 0;
        uint64_t value = support_rng_value(&rng), existing;
        if (dice < 30) {
            disjoint_check_get(t, o, owner, i);
        } else if (dice < (growing ? 75 : 45)) {
            if (t->cm.b->put(t->cm.m, key, value) != !o->present[i])
                support_fail(&t->cm.failures, "thread %u: put(%llu) misreported newness", owner,
                             (unsigned long long)key);
            o->present[i] = true, o->values[i] = value;
        } else if (dice < (growing ? 85 : 50)) {
            bool stored = t->cm.b->put_if_absent(t->cm.m, key, value, &existing);
            if (stored != !o->present[i] || (!stored && existing != o->values[i]))
                support_fail(&t->cm.failures, "thread %u: put_if_absent(%llu) wrong", owner,
                             (unsigned long long)key);
            if (stored)
                o->present[i] = true, o->values[i] = value;
        } else if (t->cm.deletes) {
            if (t->cm.b->del(t->cm.m, key) != o->present[i])
                support_fail(&t->cm.failures, "thread %u: del(%llu) misreported presence", owner,
                             (unsigned long long)key);
            o->present[i] = false;
        } else {
            disjoint_check_get(t, o, owner, i);
        }
    }
    t->cm.b->thread_leave(t->cm.m);
}

static void test_disjoint(void **state)
{
    struct disjoint_test *t = calloc(1, sizeof *t);
    assert_non_null(t);
    conc_map_open(&t->cm, *state);
    t->threads = thread_count();
    t->keys_per_thread = support_scale(256, 128);
    t->ops_per_thread = support_scale(25000, 6000);
    for (unsigned i = 0; i < t->threads; i++) {
        t->owners[i].values = calloc(t->keys_per_thread, sizeof(uint64_t));
        t->owners[i].present = calloc(t->keys_per_thread, sizeof(bool));
    }
    support_threads_run(t->threads, disjoint_worker, t);
    size_t expected = 0;
    for (unsigned owner = 0; owner < t->threads; owner++) {
        for (size_t i = 0; i < t->keys_per_thread; i++) {
            disjoint_check_get(t, &t->owners[owner], owner, i);
            expected += t->owners[owner].present[i];
        }
    }
    size_t size = t->cm.b->size(t->cm.m);
    if (size != expected)
        support_fail(&t->cm.failures, "size() = %zu after the run, expected %zu", size, expected);
    for (unsigned i = 0; i < t->threads; i++) {
        free(t->owners[i].values);
        free(t->owners[i].present);
    }
    conc_map_close(&t->cm);
    free(t);
}

/* ---- shared keys whose values encode their key ---- */

struct encoded_test {
    struct conc_map cm;
    unsigned threads, writers; /* threads [0, writers) write, the rest read */
    size_t shared_keys;        /* keys [0, shared_keys) are written */
    size_t stable_keys;        /* keys [shared_keys, +stable_keys) hold enc(key, 0, 0) throughout */
    size_t writer_ops, reader_ops, reader_ranges;
    bool readers_range;
};

static bool encoded_is_stable(const struct encoded_test *t, uint64_t key)
{
    return key >= t->shared_keys && key < t->shared_keys + t->stable_keys;
}

/* Is (key, value) a pair some thread stored? */
static bool encoded_pair_possible(const struct encoded_test *t, uint64_t key, uint64_t value)
{
    if (encoded_is_stable(t, key))
        return value == enc_value(key, 0, 0);
    return key < t->shared_keys && enc_matches(key, value, 1, t->writers);
}

static void encoded_writer(struct encoded_test *t, unsigned w)
{
    struct support_rng rng;
    support_rng_seed(&rng, 2000 + w);
    for (size_t op = 0; op < t->writer_ops; op++) {
        uint64_t key = support_rng_below(&rng, t->shared_keys), existing;
        uint64_t dice = support_rng_below(&rng, 100), value = enc_value(key, w + 1, op);
        bool growing = (op / t->shared_keys) % 2 == 0; /* the map grows and shrinks: resizes */
        if (dice < (growing ? 60 : 30)) {
            t->cm.b->put(t->cm.m, key, value);
        } else if (dice < (growing ? 75 : 40)) {
            if (!t->cm.b->put_if_absent(t->cm.m, key, value, &existing) &&
                !encoded_pair_possible(t, key, existing))
                support_fail(&t->cm.failures, "put_if_absent(%llu) returned existing %llu",
                             (unsigned long long)key, (unsigned long long)existing);
        } else if (t->cm.deletes) {
            t->cm.b->del(t->cm.m, key);
        } else {
            t->cm.b->put(t->cm.m, key, value);
        }
    }
}

static void encoded_reader_gets(struct encoded_test *t, unsigned r)
{
    struct support_rng rng;
    support_rng_seed(&rng, 3000 + r);
    for (size_t op = 0; op < t->reader_ops; op++) {
        uint64_t key = support_rng_below(&rng, t->shared_keys + t->stable_keys), value = 0;
        bool found = t->cm.b->get(t->cm.m, key, &value);
        if (found ? !encoded_pair_possible(t, key, value) : encoded_is_stable(t, key))
            support_fail(&t->cm.failures, "get(%llu) found=%d value=%llu: never written",
                         (unsigned long long)key, found, (unsigned long long)value);
    }
}

struct encoded_range {
    struct encoded_test *t;
    unsigned *stable_visits;
};

static bool encoded_range_visit(uint64_t key, uint64_t value, void *arg)
{
    struct encoded_range *er = arg;
    if (!encoded_pair_possible(er->t, key, value))
        support_fail(&er->t->cm.failures, "range visited (%llu, %llu): never written",
                     (unsigned long long)key, (unsigned long long)value);
    else if (encoded_is_stable(er->t, key))
        er->stable_visits[key - er->t->shared_keys]++;
    return true;
}

static void encoded_reader_ranges(struct encoded_test *t)
{
    struct encoded_range er = {t, calloc(t->stable_keys, sizeof(unsigned))};
    for (size_t n = 0; n < t->reader_ranges; n++) {
        memset(er.stable_visits, 0, t->stable_keys * sizeof(unsigned));
        t->cm.b->range(t->cm.m, encoded_range_visit, &er);
        for (size_t i = 0; i < t->stable_keys; i++)
            if (er.stable_visits[i] != 1)
                support_fail(&t->cm.failures, "range visited stable key %zu %u times",
                             t->shared_keys + i, er.stable_visits[i]);
    }
    free(er.stable_visits);
}

static void encoded_worker(void *arg, unsigned index)
{
    struct encoded_test *t = arg;
    t->cm.b->thread_enter(t->cm.m);
    if (index < t->writers)
        encoded_writer(t, index);
    else if (t->readers_range)
        encoded_reader_ranges(t);
    else
        encoded_reader_gets(t, index);
    t->cm.b->thread_leave(t->cm.m);
}

static void encoded_run(const struct support_case *c, bool readers_range)
{
    struct encoded_test t = {.readers_range = readers_range};
    conc_map_open(&t.cm, c);
    t.threads = thread_count();
    t.writers = t.threads / 2;
    t.shared_keys = support_scale(512, 256);
    t.stable_keys = 64;
    t.writer_ops = support_scale(20000, 5000);
    t.reader_ops = support_scale(40000, 10000);
    t.reader_ranges = support_scale(100, 30);
    for (uint64_t k = t.shared_keys; k < t.shared_keys + t.stable_keys; k++)
        t.cm.b->put(t.cm.m, k, enc_value(k, 0, 0));
    support_threads_run(t.threads, encoded_worker, &t);
    encoded_reader_ranges(&t); /* and once more, quiescent */
    conc_map_close(&t.cm);
}

static void test_encoded(void **state)
{
    encoded_run(*state, false);
}

static void test_range_during_writes(void **state)
{
    encoded_run(*state, true);
}

/* ---- put_if_absent races ---- */

struct race_test {
    struct conc_map cm;
    unsigned threads;
    size_t keys;
    bool *won;       /* [thread * keys + key] */
    uint64_t *shown; /* existing value a losing thread was given */
};

static void race_worker(void *arg, unsigned thread)
{
    struct race_test *t = arg;
    t->cm.b->thread_enter(t->cm.m);
    for (size_t n = 0; n < t->keys; n++) {
        uint64_t key = thread % 2 ? t->keys - 1 - n : n; /* half the threads meet the others */
        size_t slot = thread * t->keys + key;
        t->shown[slot] = 0;
        t->won[slot] = t->cm.b->put_if_absent(t->cm.m, key, enc_value(key, thread + 1, 0),
                                              &t->shown[slot]);
    }
    t->cm.b->thread_leave(t->cm.m);
}

static void race_check_key(struct race_test *t, uint64_t key)
{
    unsigned winners = 0, winner = 0;
    for (unsigned th = 0; th < t->threads; th++)
        if (t->won[th * t->keys + key])
            winners++, winner = th;
    if (winners != 1)
        fail_msg("key %llu: %u threads won put_if_absent", (unsigned long long)key, winners);
    uint64_t expected = enc_value(key, winner + 1, 0), value = 0;
    for (unsigned th = 0; th < t->threads; th++)
        if (th != winner && t->shown[th * t->keys + key] != expected)
            fail_msg("key %llu: loser %u was shown %llu, winner %u stored %llu",
                     (unsigned long long)key, th,
                     (unsigned long long)t->shown[th * t->keys + key], winner,
                     (unsigned long long)expected);
    assert_true(t->cm.b->get(t->cm.m, key, &value));
    assert_int_equal(value, expected);
}

static void test_put_if_absent_race(void **state)
{
    struct race_test t;
    conc_map_open(&t.cm, *state);
    t.threads = thread_count();
    t.keys = support_scale(2000, 500);
    t.won = calloc(t.threads * t.keys, sizeof *t.won);
    t.shown = calloc(t.threads * t.keys, sizeof *t.shown);
    for (int round = 0; round < 3; round++) { /* each round grows the map from empty */
        support_threads_run(t.threads, race_worker, &t);
        for (uint64_t key = 0; key < t.keys; key++)
            race_check_key(&t, key);
        assert_int_equal(t.cm.b->size(t.cm.m), t.keys);
        for (uint64_t key = 0; key < t.keys; key++)
            assert_true(t.cm.b->del(t.cm.m, key));
        assert_int_equal(t.cm.b->size(t.cm.m), 0);
    }
    free(t.won);
    free(t.shown);
    conc_map_close(&t.cm);
}

/* ---- readers only: every map, plain included ---- */

struct read_only_test {
    struct conc_map cm;
    size_t keys, ops, range_every;
};

static bool read_only_visit(uint64_t key, uint64_t value, void *arg)
{
    unsigned *visits = arg;
    visits[key] += value == enc_value(key, 0, 0) ? 1 : 1000; /* a wrong value fails the count */
    return true;
}

static void read_only_worker(void *arg, unsigned index)
{
    struct read_only_test *t = arg;
    struct support_rng rng;
    unsigned *visits = malloc(t->keys * sizeof *visits);
    support_rng_seed(&rng, 4000 + index);
    t->cm.b->thread_enter(t->cm.m);
    for (size_t op = 0; op < t->ops; op++) {
        uint64_t key = support_rng_below(&rng, 2 * t->keys), value = 0;
        bool found = t->cm.b->get(t->cm.m, key, &value);
        if (found != (key < t->keys) || (found && value != enc_value(key, 0, 0)))
            support_fail(&t->cm.failures, "get(%llu) found=%d value=%llu",
                         (unsigned long long)key, found, (unsigned long long)value);
        if (op % t->range_every)
            continue;
        memset(visits, 0, t->keys * sizeof *visits);
        t->cm.b->range(t->cm.m, read_only_visit, visits);
        for (size_t k = 0; k < t->keys; k++)
            if (visits[k] != 1)
                support_fail(&t->cm.failures, "range: key %zu visit count %u", k, visits[k]);
        if (t->cm.b->size(t->cm.m) != t->keys)
            support_fail(&t->cm.failures, "size() changed with readers only");
    }
    t->cm.b->thread_leave(t->cm.m);
    free(visits);
}

static void test_read_only(void **state)
{
    struct read_only_test t = {.keys = 2000, .ops = support_scale(30000, 8000), .range_every = 3000};
    conc_map_open(&t.cm, *state);
    for (uint64_t k = 0; k < t.keys; k++)
        t.cm.b->put(t.cm.m, k, enc_value(k, 0, 0));
    support_threads_run(thread_count(), read_only_worker, &t);
    conc_map_close(&t.cm);
}

int main(void)
{
    static const char *const writer_specs[] = {
        "striped:lock=rwlock", "rwlock:prefer=writer",
        /* Go's RWMutex, and Go's reference maps' behaviour (RWMutexMap, DeepCopyMap) */
        "rwlock:impl=go", "rwlock:impl=go,range=copy-keys", "striped:lock=go-rwlock",
        "cow:put_if_absent=load-first,copy=always",
        "ref-absl:lock=shared",
    };
    static const struct {
        const char *kind;
        CMUnitTestFunction fn;
    } writer_tests[] = {
        {"disjoint", test_disjoint},
        {"encoded", test_encoded},
        {"range_during_writes", test_range_during_writes},
        {"put_if_absent_race", test_put_if_absent_race},
    };
    struct support_suite suite = {0};
    for (size_t i = 0; i < sizeof writer_tests / sizeof writer_tests[0]; i++) {
        support_suite_add_backends(&suite, writer_tests[i].kind, writer_tests[i].fn,
                                   SUPPORT_SELECT_WRITERS);
        for (size_t s = 0; s < sizeof writer_specs / sizeof writer_specs[0]; s++)
            support_suite_add(&suite, writer_tests[i].kind, writer_tests[i].fn, writer_specs[s]);
    }
    support_suite_add_backends(&suite, "read_only", test_read_only, SUPPORT_SELECT_MAPS);
    support_suite_add(&suite, "read_only", test_read_only, "plain:detect=1");
    support_suite_add(&suite, "read_only", test_read_only, "ref-absl:lock=none");
    return support_suite_run(&suite, "maps_concurrency");
}
