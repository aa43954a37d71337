/*
 * go_rwmutex.h: Go's sync.RWMutex (Go 1.19, src/sync/rwmutex.go) ported to C11 atomics and futexes,
 * with the sync.Mutex that serialises its writers (src/sync/mutex.go) and a stand-in for the
 * runtime semaphore both sleep on (src/runtime/sema.go).  `rwlock:impl=go` and
 * `striped:lock=go-rwlock` put the shared table behind it, so a map behind Go's lock is measured
 * beside the same map behind glibc's pthread_rwlock_t.  The algorithm, its ordering and progress
 * guarantees, and what differs from Go are at the top of go_rwmutex.c.
 *
 * The fields are visible so that the lock can be embedded without an allocation, and so that the
 * tests can see whether a thread has gone to sleep on one of its semaphores; nothing else should
 * touch them.
 */
#ifndef MAPBENCH_GO_RWMUTEX_H
#define MAPBENCH_GO_RWMUTEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Go's rwmutexMaxReaders: a writer subtracts it from reader_count to announce itself. */
#define GO_RWMUTEX_MAX_READERS (1 << 30)

/* The runtime semaphore's contract (semacquire / semrelease): every sleep is paired with one
 * wake-up, even when the wake-up comes first. */
struct go_rwmutex_sema {
    _Atomic uint32_t count;    /* tokens available: Go's *addr; the futex word */
    _Atomic uint32_t sleepers; /* threads past their spin, asleep or about to be: Go's nwait */
};

/* Go's sync.Mutex: state is locked | woken | starving | waiter count << 3. */
struct go_rwmutex_mutex {
    _Atomic int32_t state;
    struct go_rwmutex_sema sema;
};

struct go_rwmutex {
    struct go_rwmutex_mutex w;         /* held by the writer, and by writers waiting for readers */
    struct go_rwmutex_sema writer_sem; /* the writer waits here for departing readers */
    struct go_rwmutex_sema reader_sem; /* readers wait here for the writer to finish */
    _Atomic int32_t reader_count;      /* readers in or waiting; - MAX_READERS while a writer is */
    _Atomic int32_t reader_wait;       /* readers the pending writer still waits for */
};

void go_rwmutex_init(struct go_rwmutex *rw);
void go_rwmutex_rlock(struct go_rwmutex *rw);
void go_rwmutex_runlock(struct go_rwmutex *rw);
void go_rwmutex_lock(struct go_rwmutex *rw);
void go_rwmutex_unlock(struct go_rwmutex *rw);

#endif
