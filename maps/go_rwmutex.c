/*
 * go_rwmutex.c: Go's sync.RWMutex, its sync.Mutex and a stand-in for its runtime semaphore, in C11
 * atomics and Linux futexes.  It follows Go 1.19's src/sync/rwmutex.go, src/sync/mutex.go and
 * src/runtime/sema.go operation for operation; the Go names are kept in the comments.
 *
 * Algorithm (RWMutex).
 *   RLock:   reader_count += 1; if the result is negative a writer has announced itself: sleep on
 *            reader_sem.
 *   RUnlock: reader_count -= 1; if the result is negative a writer is waiting for the readers that
 *            were inside when it announced itself: reader_wait -= 1, and the reader that brings it
 *            to 0 releases writer_sem.
 *   Lock:    take w (the mutex: one writer at a time); reader_count -= MAX_READERS, which announces
 *            the writer and returns r, the readers inside; reader_wait += r, and unless that makes
 *            it 0 (they all left already) sleep on writer_sem.
 *   Unlock:  reader_count += MAX_READERS, which returns the readers that arrived while the writer
 *            held the lock (each one is asleep on reader_sem, or about to be); release reader_sem
 *            that many times; unlock w.
 * Algorithm (Mutex).  state holds locked, woken (an unlocker has woken a waiter, or a spinner is
 * about to take the lock: unlock need not wake another), starving, and the waiter count.  Lock is
 * one CAS 0 -> locked when free; otherwise lock_slow spins a few rounds while the holder runs, then
 * registers as a waiter and sleeps on sema.  In normal mode a woken waiter competes with newcomers
 * (which usually win: they are on a CPU already); a waiter that waited more than 1 ms switches the
 * mutex to starvation mode, in which Unlock hands ownership to a waiter and newcomers queue.
 * Algorithm (semaphore).  count is the number of tokens; acquire takes one with a CAS, spins a
 * while polling for one, then counts itself in sleepers and sleeps in FUTEX_WAIT_PRIVATE on count
 * while it is 0; release adds tokens and, when sleepers is not 0, wakes as many threads with
 * FUTEX_WAKE_PRIVATE.  The futex checks count in the kernel before sleeping, so a release between
 * a waiter's last look and its sleep is not lost.
 *
 * Ordering guarantees.  A reader never runs beside a writer: while a writer holds the lock every
 * reader either finished before the writer's announcement took effect or waits on reader_sem, so a
 * reader sees all of the last writer's writes and none of the next one's.  Readers share the lock
 * with each other.  Every Unlock synchronises with the next Lock (through w) and with every RLock
 * that waited for it (through reader_count and reader_sem); every RUnlock synchronises with the
 * next Lock (through reader_count or reader_wait, and writer_sem).  These are Go's documented
 * "synchronizes before" edges.
 * Writer preference.  Once a writer has announced itself, a new reader waits, even while other
 * readers are still inside: a steady stream of readers cannot starve a writer (glibc's default
 * rwlock lets it).  The readers that waited are let in by the writer's Unlock before its w is
 * released, and they are already counted in reader_count, so the next writer waits for them: a
 * steady stream of writers cannot starve readers either.  Readers and writers alternate in phases.
 * Progress guarantees.  Blocking.  A reader waits only for the writer holding or announcing the
 * lock; a writer waits for the writer before it (w) and for the readers inside when it announced.
 * Writers queue on w: in normal mode a waiter can be overtaken by newcomers, and after 1 ms of
 * waiting the mutex hands itself from waiter to waiter instead, so no writer starves.  Recursive
 * read locking can deadlock (a reader that re-enters behind a waiting writer waits for it), as in
 * Go.  Misuse Go reports as fatal ("sync: RUnlock of unlocked RWMutex", ...) aborts here likewise.
 *
 * Memory order of each atomic (Go's atomics are all sequentially consistent; these are the weakest
 * orders that keep the edges above, each argued where it is used):
 *   - reader_count: RLock's increment is acquire (it may read the release of a writer's Unlock);
 *     RUnlock's decrement is release (the writer may read it); Lock's announcement is acquire (it
 *     reads every earlier RUnlock through the release sequence of RMWs on reader_count); Unlock's
 *     add is release (later RLocks read it).
 *   - reader_wait: acq_rel for both the departing readers and the writer, so whichever of them
 *     brings it to 0 has acquired every other departed reader's release before it releases
 *     writer_sem or proceeds.
 *   - mutex state: the CAS that takes the lock is acquire, Unlock's subtraction is release; every
 *     other write of state is an RMW, so it extends Unlock's release sequence to the next locker.
 *   - semaphore: count and sleepers are sequentially consistent: acquire writes sleepers then reads
 *     count, release writes count then reads sleepers (Dekker's pattern), and only a total order
 *     guarantees that one of the two sees the other; the token CAS also carries the releaser's
 *     writes to the acquirer.
 * No fences are used (ThreadSanitizer models C11 atomics but not fences; `make tsan` runs this
 * lock), and the futex is never relied on for ordering, only for sleeping.
 *
 * How the spin-then-sleep stands in for Go's scheduler, and what differs.
 *   - A Go waiter parks its goroutine, not its thread: the runtime puts the goroutine on the
 *     semaphore's queue and its thread (M) looks for other work, spinning a few microseconds
 *     through the run queues before it sleeps in a futex; a release readies the goroutine onto the
 *     waker's run queue, where a spinning M picks it up without a system call.  With one goroutine
 *     per CPU, as in Go's map benchmarks, a wait shorter than that spin costs no kernel sleep and
 *     no wake-up.  Here the waiting thread itself polls the semaphore (GO_SEMA_SPIN_POLLS, one
 *     pause instruction each, a few microseconds on current x86) before it sleeps, and a release
 *     makes a FUTEX_WAKE system call only when a thread went past its spin.  The effect on a short
 *     wait is the same: no kernel round trip; what differs is that the spinning thread cannot run
 *     other work, and a wait longer than the spin costs a futex sleep and wake-up here where Go
 *     may find another goroutine to run.
 *   - Go's mutex spins (4 rounds of 30 pauses, Go's active_spin and active_spin_cnt) only on a
 *     multicore machine while another P is running and its own run queue is empty, and a parked
 *     goroutine's thread runs another goroutine at once when one is runnable: when goroutines
 *     outnumber CPUs, Go's waiters give their CPU away at once.  Here every waiter spins, whatever
 *     the machine and the thread count (the CPU count costs a sysfs read, too dear for each of
 *     striped's 65536 shards); the spin is bounded, so with more threads than CPUs it delays a
 *     waiter's sleep by a few microseconds, time the lock holder may be waiting to run.
 *   - Go's semaphore queue is FIFO, with re-queued mutex waiters at its head (LIFO), and in
 *     starvation mode Unlock hands the token straight to the first waiter, which inherits the
 *     releaser's time slice.  Here the kernel wakes futex waiters in arrival order, but a waiter
 *     still in its spin, or just past it, may take the token first; in starvation mode the mutex
 *     still goes to a waiter, never to a newcomer, just not always the longest-waiting one.
 *   - Go's race-detector annotations are left out; TryLock and TryRLock are not ported.
 */
#include "go_rwmutex.h"

#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Polls of an empty semaphore before a thread sleeps: the stand-in for Go's spinning M (above). */
#define GO_SEMA_SPIN_POLLS 128
/* Go's active_spin and active_spin_cnt: the mutex's spin rounds, and pauses per round. */
#define GO_MUTEX_SPIN_ROUNDS 4
#define GO_MUTEX_SPIN_PAUSES 30
/* Go's starvationThresholdNs: a waiter that waited longer switches the mutex to starvation. */
#define GO_MUTEX_STARVATION_NS 1000000

enum {
    MUTEX_LOCKED = 1,
    MUTEX_WOKEN = 2,
    MUTEX_STARVING = 4,
    MUTEX_WAITER_SHIFT = 3,
};

/* Go's fatal(): misuse of a lock is not recoverable. */
static void fatal(const char *message)
{
    fprintf(stderr, "fatal error: %s\n", message);
    abort();
}

/* Go's procyield: n pause instructions, which tell the CPU this is a spin loop. */
static void procyield(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield" ::: "memory");
#else
        atomic_signal_fence(memory_order_seq_cst);
#endif
    }
}

static int64_t nanotime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the semaphore (runtime/sema.go) ---- */

/* The futex word is the atomic count itself: lock-free atomics have the plain type's layout. */
static uint32_t *futex_word(struct go_rwmutex_sema *s)
{
    return (uint32_t *)(void *)&s->count;
}

/* Go's cansemacquire.  seq_cst load: in sema_acquire's slow path it is the read half of Dekker's
 * pattern (see the header comment); the CAS takes the token and acquires the releaser's writes. */
static bool sema_try_acquire(struct go_rwmutex_sema *s)
{
    uint32_t v = atomic_load_explicit(&s->count, memory_order_seq_cst);
    while (v != 0)
        if (atomic_compare_exchange_weak_explicit(&s->count, &v, v - 1, memory_order_seq_cst,
                                                  memory_order_seq_cst))
            return true;
    return false;
}

/* Go's semacquire1, with a bounded spin where Go's thread would spin looking for work. */
static void sema_acquire(struct go_rwmutex_sema *s)
{
    if (sema_try_acquire(s))
        return;
    for (unsigned i = 0; i < GO_SEMA_SPIN_POLLS; i++) {
        procyield(1);
        if (sema_try_acquire(s))
            return;
    }
    /* seq_cst: written before count is read again (Go: "Add ourselves to nwait to disable 'easy
     * case' in semrelease"), so a release either sees this sleeper or left a token to see. */
    atomic_fetch_add_explicit(&s->sleepers, 1, memory_order_seq_cst);
    while (!sema_try_acquire(s))
        syscall(SYS_futex, futex_word(s), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    /* relaxed: a releaser that still sees this sleeper makes a futex wake that finds no one. */
    atomic_fetch_sub_explicit(&s->sleepers, 1, memory_order_relaxed);
}

/* Go's semrelease1, n at a time (RWMutex.Unlock releases one token per waiting reader). */
static void sema_release(struct go_rwmutex_sema *s, uint32_t n)
{
    /* seq_cst: the write half of Dekker's pattern against sema_acquire's sleepers increment; as a
     * release it also hands the caller's writes to whoever takes the token. */
    atomic_fetch_add_explicit(&s->count, n, memory_order_seq_cst);
    if (atomic_load_explicit(&s->sleepers, memory_order_seq_cst) != 0)
        syscall(SYS_futex, futex_word(s), FUTEX_WAKE_PRIVATE, (int)n, NULL, NULL, 0);
}

/* ---- the mutex (sync/mutex.go) ---- */

static void mutex_lock_slow(struct go_rwmutex_mutex *m)
{
    int64_t wait_start = 0;
    bool starving = false, awoke = false;
    unsigned iter = 0;
    /* relaxed: every read of state here only feeds a CAS, which checks it again. */
    int32_t old = atomic_load_explicit(&m->state, memory_order_relaxed);
    for (;;) {
        /* Spin while the holder is running (locked, not starving), a few rounds only. */
        if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED &&
            iter < GO_MUTEX_SPIN_ROUNDS) {
            /* Set woken, so that Unlock does not wake another waiter while this one is about to
             * take the lock.  relaxed: a flag, and this CAS acquires nothing. */
            if (!awoke && !(old & MUTEX_WOKEN) && (old >> MUTEX_WAITER_SHIFT) != 0 &&
                atomic_compare_exchange_strong_explicit(&m->state, &old, old | MUTEX_WOKEN,
                                                        memory_order_relaxed,
                                                        memory_order_relaxed))
                awoke = true;
            procyield(GO_MUTEX_SPIN_PAUSES);
            iter++;
            old = atomic_load_explicit(&m->state, memory_order_relaxed);
            continue;
        }
        int32_t new = old;
        if (!(old & MUTEX_STARVING)) /* newcomers do not take a starving mutex: they queue */
            new |= MUTEX_LOCKED;
        if (old & (MUTEX_LOCKED | MUTEX_STARVING))
            new += 1 << MUTEX_WAITER_SHIFT;
        if (starving && (old & MUTEX_LOCKED)) /* switch to starvation mode */
            new |= MUTEX_STARVING;
        if (awoke) {
            if (!(new & MUTEX_WOKEN))
                fatal("sync: inconsistent mutex state");
            new &= ~MUTEX_WOKEN;
        }
        /* acquire on success: when old was unlocked this CAS takes the lock, and it reads Unlock's
         * release (or an RMW in its release sequence). */
        if (!atomic_compare_exchange_weak_explicit(&m->state, &old, new, memory_order_acquire,
                                                   memory_order_relaxed))
            continue; /* old now holds the current state */
        if (!(old & (MUTEX_LOCKED | MUTEX_STARVING)))
            return; /* locked it with the CAS */
        /* Registered as a waiter: sleep.  (Go queues a waiter that was woken before at the head of
         * the queue; a futex has no head to queue at.) */
        if (wait_start == 0)
            wait_start = nanotime();
        sema_acquire(&m->sema);
        starving = starving || nanotime() - wait_start > GO_MUTEX_STARVATION_NS;
        old = atomic_load_explicit(&m->state, memory_order_relaxed);
        if (old & MUTEX_STARVING) {
            /* Ownership was handed to this waiter (the token carried Unlock's writes: no acquire
             * needed here).  Take the lock, leave the waiters, and leave starvation mode when this
             * was the last waiter or waited less than the threshold. */
            if ((old & (MUTEX_LOCKED | MUTEX_WOKEN)) || (old >> MUTEX_WAITER_SHIFT) == 0)
                fatal("sync: inconsistent mutex state");
            int32_t delta = MUTEX_LOCKED - (1 << MUTEX_WAITER_SHIFT);
            if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
                delta -= MUTEX_STARVING;
            atomic_fetch_add_explicit(&m->state, delta, memory_order_relaxed);
            return;
        }
        awoke = true;
        iter = 0;
    }
}

static void mutex_lock(struct go_rwmutex_mutex *m)
{
    int32_t unlocked = 0;
    /* acquire: taking the lock reads the last Unlock's release. */
    if (!atomic_compare_exchange_strong_explicit(&m->state, &unlocked, MUTEX_LOCKED,
                                                 memory_order_acquire, memory_order_relaxed))
        mutex_lock_slow(m);
}

/* new: the state Unlock left, not 0 (there are waiters, or the mutex is starving). */
static void mutex_unlock_slow(struct go_rwmutex_mutex *m, int32_t new)
{
    if (!((new + MUTEX_LOCKED) & MUTEX_LOCKED))
        fatal("sync: unlock of unlocked mutex");
    if (new & MUTEX_STARVING) {
        sema_release(&m->sema, 1); /* hand the mutex to a waiter */
        return;
    }
    int32_t old = new;
    for (;;) {
        /* No waiters, or someone already took the lock, was woken, or starves the mutex: then
         * there is no one to wake. */
        if ((old >> MUTEX_WAITER_SHIFT) == 0 ||
            (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)))
            return;
        /* relaxed: an RMW in the release sequence of Unlock's subtraction; the token carries the
         * writes to the woken waiter. */
        if (atomic_compare_exchange_weak_explicit(&m->state, &old,
                                                  (old - (1 << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN,
                                                  memory_order_relaxed, memory_order_relaxed)) {
            sema_release(&m->sema, 1);
            return;
        }
    }
}

static void mutex_unlock(struct go_rwmutex_mutex *m)
{
    /* release: the critical section's writes go to the next locker. */
    int32_t new = atomic_fetch_sub_explicit(&m->state, MUTEX_LOCKED, memory_order_release) -
                  MUTEX_LOCKED;
    if (new != 0)
        mutex_unlock_slow(m, new);
}

/* ---- the reader-writer lock (sync/rwmutex.go) ---- */

void go_rwmutex_init(struct go_rwmutex *rw)
{
    atomic_init(&rw->w.state, 0);
    struct go_rwmutex_sema *semas[] = {&rw->w.sema, &rw->writer_sem, &rw->reader_sem};
    for (size_t i = 0; i < sizeof semas / sizeof semas[0]; i++) {
        atomic_init(&semas[i]->count, 0);
        atomic_init(&semas[i]->sleepers, 0);
    }
    atomic_init(&rw->reader_count, 0);
    atomic_init(&rw->reader_wait, 0);
}

void go_rwmutex_rlock(struct go_rwmutex *rw)
{
    /* acquire: reads the release of the last writer's Unlock, or an RMW after it. */
    if (atomic_fetch_add_explicit(&rw->reader_count, 1, memory_order_acquire) + 1 < 0)
        sema_acquire(&rw->reader_sem); /* a writer is pending: wait for it */
}

static void runlock_slow(struct go_rwmutex *rw, int32_t r)
{
    if (r + 1 == 0 || r + 1 == -GO_RWMUTEX_MAX_READERS)
        fatal("sync: RUnlock of unlocked RWMutex");
    /* A writer is pending.  acq_rel: the last departing reader acquires the others' releases
     * before it releases writer_sem; a writer that finds 0 acquires them all. */
    if (atomic_fetch_sub_explicit(&rw->reader_wait, 1, memory_order_acq_rel) - 1 == 0)
        sema_release(&rw->writer_sem, 1); /* the last reader unblocks the writer */
}

void go_rwmutex_runlock(struct go_rwmutex *rw)
{
    /* release: the reader's section happens before a writer that reads this decrement. */
    int32_t r = atomic_fetch_sub_explicit(&rw->reader_count, 1, memory_order_release) - 1;
    if (r < 0)
        runlock_slow(rw, r);
}

void go_rwmutex_lock(struct go_rwmutex *rw)
{
    mutex_lock(&rw->w); /* first, resolve competition with other writers */
    /* Announce the writer to readers.  acquire: every RUnlock before this RMW is in the release
     * sequence it reads. */
    int32_t r = atomic_fetch_sub_explicit(&rw->reader_count, GO_RWMUTEX_MAX_READERS,
                                          memory_order_acquire);
    /* Wait for the r readers inside.  acq_rel: see runlock_slow. */
    if (r != 0 && atomic_fetch_add_explicit(&rw->reader_wait, r, memory_order_acq_rel) + r != 0)
        sema_acquire(&rw->writer_sem);
}

void go_rwmutex_unlock(struct go_rwmutex *rw)
{
    /* Announce there is no active writer.  release: readers that increment after this read it. */
    int32_t r = atomic_fetch_add_explicit(&rw->reader_count, GO_RWMUTEX_MAX_READERS,
                                          memory_order_release) + GO_RWMUTEX_MAX_READERS;
    if (r >= GO_RWMUTEX_MAX_READERS)
        fatal("sync: Unlock of unlocked RWMutex");
    if (r > 0)
        sema_release(&rw->reader_sem, (uint32_t)r); /* unblock the readers that waited */
    mutex_unlock(&rw->w); /* allow other writers to proceed */
}
