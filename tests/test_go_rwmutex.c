/*
 * test_go_rwmutex.c: Go's sync.RWMutex as ported in maps/go_rwmutex.c, tested as a lock, apart from
 * any map.  No test measures time: where one must know that a thread is blocked, it waits until
 * the thread has either got through or gone to sleep on one of the lock's semaphores (a thread
 * counts itself in `sleepers` only after its bounded spin), which the lock's visible fields show.
 *   - readers share: readers inside together, none of them asleep;
 *   - writer preference: with a reader inside and a writer waiting, a new reader sleeps, and gets
 *     in only after the writer;
 *   - readers that waited for a writer get in before the next writer (no reader starvation);
 *   - churn: more threads than this machine has cores, mixing readers and writers, some yielding
 *     inside the lock so that others sleep: writers exclude everyone (a plain counter loses no
 *     increment, and TSan sees every access ordered), everyone finishes (no lost wake-up), and the
 *     lock ends exactly at rest: no reader counted, no token left in any semaphore, no sleeper.
 * MAPBENCH_TEST_QUICK=1 (sanitizer builds) scales the churn down.
 */
#include "support.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "maps/go_rwmutex.h"

static uint32_t lock_sleepers(struct go_rwmutex *rw)
{
    return atomic_load(&rw->w.sema.sleepers) + atomic_load(&rw->writer_sem.sleepers) +
           atomic_load(&rw->reader_sem.sleepers);
}

/* The lock with nobody in it and nobody waiting: what every test must leave behind. */
static void assert_at_rest(struct go_rwmutex *rw)
{
    assert_int_equal(atomic_load(&rw->reader_count), 0);
    assert_int_equal(atomic_load(&rw->reader_wait), 0);
    assert_int_equal(atomic_load(&rw->w.state), 0);
    const struct go_rwmutex_sema *semas[] = {&rw->w.sema, &rw->writer_sem, &rw->reader_sem};
    for (size_t i = 0; i < sizeof semas / sizeof semas[0]; i++) {
        assert_int_equal(atomic_load(&semas[i]->count), 0);
        assert_int_equal(atomic_load(&semas[i]->sleepers), 0);
    }
}

static pthread_t thread_start(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fn, arg), 0);
    return t;
}

/* ---- readers share ---- */

#define SHARING_READERS 3

struct sharing {
    struct go_rwmutex rw;
    atomic_int inside;
    atomic_bool leave;
};

static void *sharing_reader(void *p)
{
    struct sharing *s = p;
    go_rwmutex_rlock(&s->rw);
    atomic_fetch_add(&s->inside, 1);
    while (!atomic_load(&s->leave))
        sched_yield();
    go_rwmutex_runlock(&s->rw);
    return NULL;
}

static void test_readers_share(void **state)
{
    (void)state;
    struct sharing s = {0};
    go_rwmutex_init(&s.rw);
    go_rwmutex_rlock(&s.rw);
    pthread_t readers[SHARING_READERS];
    for (int i = 0; i < SHARING_READERS; i++)
        readers[i] = thread_start(sharing_reader, &s);
    while (atomic_load(&s.inside) < SHARING_READERS && lock_sleepers(&s.rw) == 0)
        sched_yield();
    assert_int_equal(lock_sleepers(&s.rw), 0);
    assert_int_equal(atomic_load(&s.inside), SHARING_READERS);
    assert_int_equal(atomic_load(&s.rw.reader_count), SHARING_READERS + 1);
    atomic_store(&s.leave, true);
    for (int i = 0; i < SHARING_READERS; i++)
        pthread_join(readers[i], NULL);
    go_rwmutex_runlock(&s.rw);
    assert_at_rest(&s.rw);
}

/* ---- who goes first ---- */

struct order {
    struct go_rwmutex rw;
    atomic_int next;       /* the order in which threads got in */
    atomic_int writer_at;  /* -1 until the writer got in */
    atomic_int reader_at;  /* -1 until the reader got in */
    atomic_bool writer_go; /* the writer may unlock */
};

static void *order_writer(void *p)
{
    struct order *o = p;
    go_rwmutex_lock(&o->rw);
    atomic_store(&o->writer_at, atomic_fetch_add(&o->next, 1));
    while (!atomic_load(&o->writer_go))
        sched_yield();
    go_rwmutex_unlock(&o->rw);
    return NULL;
}

static void *order_reader(void *p)
{
    struct order *o = p;
    go_rwmutex_rlock(&o->rw);
    atomic_store(&o->reader_at, atomic_fetch_add(&o->next, 1));
    go_rwmutex_runlock(&o->rw);
    return NULL;
}

static void order_init(struct order *o)
{
    memset(o, 0, sizeof *o);
    go_rwmutex_init(&o->rw);
    atomic_init(&o->writer_at, -1);
    atomic_init(&o->reader_at, -1);
}

/* Waits until `at` is set or the semaphore has a sleeper; true when `at` was set. */
static bool order_got_in_or_slept(atomic_int *at, struct go_rwmutex_sema *sema)
{
    while (atomic_load(at) < 0 && atomic_load(&sema->sleepers) == 0)
        sched_yield();
    return atomic_load(at) >= 0;
}

/* A reader inside, a writer waiting for it: a new reader must wait behind the writer (glibc's
 * default rwlock would let it in). */
static void test_waiting_writer_blocks_new_readers(void **state)
{
    (void)state;
    struct order o;
    order_init(&o);
    go_rwmutex_rlock(&o.rw);
    pthread_t writer = thread_start(order_writer, &o);
    assert_false(order_got_in_or_slept(&o.writer_at, &o.rw.writer_sem)); /* waits for us */
    assert_int_equal(atomic_load(&o.rw.reader_count), 1 - GO_RWMUTEX_MAX_READERS);
    pthread_t reader = thread_start(order_reader, &o);
    assert_false(order_got_in_or_slept(&o.reader_at, &o.rw.reader_sem));
    go_rwmutex_runlock(&o.rw); /* the writer goes in; the new reader still waits */
    while (atomic_load(&o.writer_at) < 0)
        sched_yield();
    assert_int_equal(atomic_load(&o.reader_at), -1);
    atomic_store(&o.writer_go, true);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    assert_int_equal(atomic_load(&o.writer_at), 0);
    assert_int_equal(atomic_load(&o.reader_at), 1);
    assert_at_rest(&o.rw);
}

/* A writer inside, a reader waiting for it, a second writer waiting for the first: when the first
 * unlocks, the reader that waited goes before the second writer. */
static void test_waiting_readers_go_before_next_writer(void **state)
{
    (void)state;
    struct order o;
    order_init(&o);
    go_rwmutex_lock(&o.rw);
    pthread_t reader = thread_start(order_reader, &o);
    assert_false(order_got_in_or_slept(&o.reader_at, &o.rw.reader_sem));
    atomic_store(&o.writer_go, true); /* the second writer unlocks as soon as it is in */
    pthread_t writer = thread_start(order_writer, &o);
    assert_false(order_got_in_or_slept(&o.writer_at, &o.rw.w.sema));
    go_rwmutex_unlock(&o.rw);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    assert_int_equal(atomic_load(&o.reader_at), 0);
    assert_int_equal(atomic_load(&o.writer_at), 1);
    assert_at_rest(&o.rw);
}

/* ---- churn ---- */

struct churn {
    struct go_rwmutex rw;
    size_t ops;
    uint64_t counter; /* plain: written by writers under the lock, read by readers */
    atomic_int readers_inside;
    atomic_int writers_inside;
    atomic_ullong writes; /* writer sections entered, counted apart from the lock */
    struct support_failures failures;
};

static void churn_write(struct churn *c, bool yield)
{
    go_rwmutex_lock(&c->rw);
    if (atomic_fetch_add(&c->writers_inside, 1) != 0 || atomic_load(&c->readers_inside) != 0)
        support_fail(&c->failures, "a writer got in beside another thread");
    c->counter++;
    if (yield)
        sched_yield(); /* let others arrive and sleep */
    atomic_fetch_sub(&c->writers_inside, 1);
    atomic_fetch_add(&c->writes, 1);
    go_rwmutex_unlock(&c->rw);
}

static void churn_read(struct churn *c, bool yield)
{
    go_rwmutex_rlock(&c->rw);
    atomic_fetch_add(&c->readers_inside, 1);
    uint64_t before = c->counter;
    if (atomic_load(&c->writers_inside) != 0)
        support_fail(&c->failures, "a reader got in beside a writer");
    if (yield)
        sched_yield();
    if (c->counter != before)
        support_fail(&c->failures, "a reader saw the counter change under its read lock");
    atomic_fetch_sub(&c->readers_inside, 1);
    go_rwmutex_runlock(&c->rw);
}

static void churn_worker(void *arg, unsigned index)
{
    struct churn *c = arg;
    struct support_rng rng;
    support_rng_seed(&rng, 7000 + index);
    for (size_t op = 0; op < c->ops; op++) {
        uint64_t dice = support_rng_below(&rng, 64);
        if (dice < 16)
            churn_write(c, dice == 0);
        else
            churn_read(c, dice == 16);
    }
}

static void test_churn_more_threads_than_cores(void **state)
{
    (void)state;
    struct churn c = {.ops = support_scale(60000, 10000)};
    go_rwmutex_init(&c.rw);
    unsigned threads = (unsigned)support_scale(8, 6);
    support_threads_run(threads, churn_worker, &c);
    support_failures_assert(&c.failures);
    assert_int_equal(c.counter, atomic_load(&c.writes));
    assert_true(c.counter > 0);
    assert_at_rest(&c.rw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers_share),
        cmocka_unit_test(test_waiting_writer_blocks_new_readers),
        cmocka_unit_test(test_waiting_readers_go_before_next_writer),
        cmocka_unit_test(test_churn_more_threads_than_cores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
