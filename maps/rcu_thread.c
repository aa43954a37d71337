/*
 * rcu_thread.c: reference-counted liburcu (memb flavour) thread registration, shared by every
 * RCU-based backend, so a thread may enter several such maps (or one map twice) without
 * registering twice, which liburcu forbids.  The count is thread-local state, not global.
 * Also the call_rcu helpers the runner places (map.h): a struct map_rcu_helper is liburcu's own
 * struct call_rcu_data, behind a name of ours.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/urcu-memb.h>

#include "map.h"

#include "base/xalloc.h"

static _Thread_local unsigned rcu_thread_depth;

void map_rcu_thread_enter(void)
{
    if (rcu_thread_depth++ == 0)
        urcu_memb_register_thread();
}

void map_rcu_thread_leave(void)
{
    if (rcu_thread_depth && --rcu_thread_depth == 0)
        urcu_memb_unregister_thread();
}

void map_rcu_drain(void)
{
    /* rcu_barrier waits for callbacks already queued; callbacks may queue more (a freed node list
     * freeing its nodes), so one synchronize plus barrier pair is repeated once for those. */
    urcu_memb_synchronize_rcu();
    urcu_memb_barrier();
    urcu_memb_barrier();
}

/* ---- call_rcu helpers ---- */

struct map_rcu_helper *map_rcu_helper_start(int pu)
{
    /* With pu -1 the worker keeps the binding it inherited from this thread.  Given a CPU, liburcu
     * 0.13's worker applies it itself only every 256th pass of its loop (set_thread_cpu_affinity
     * counts gp_count), so it would run its first callbacks wherever it started: it is pinned
     * here at once, and liburcu's own later checks agree with that. */
    struct call_rcu_data *crdp = urcu_memb_create_call_rcu_data(0, pu);
    if (!crdp) {
        fprintf(stderr, "mapbench: liburcu could not start a call_rcu thread\n");
        abort();
    }
    if (pu >= 0) {
        size_t size = CPU_ALLOC_SIZE((size_t)pu + 1);
        cpu_set_t *set = CPU_ALLOC((size_t)pu + 1);
        if (!set)
            xalloc_die("CPU_ALLOC", size);
        CPU_ZERO_S(size, set);
        CPU_SET_S((size_t)pu, size, set);
        int rc = pthread_setaffinity_np(urcu_memb_get_call_rcu_thread(crdp), size, set);
        CPU_FREE(set);
        if (rc != 0) {
            fprintf(stderr, "mapbench: cannot pin a call_rcu thread to PU %d: %s\n", pu,
                    strerror(rc));
            abort();
        }
    }
    return (struct map_rcu_helper *)crdp;
}

void map_rcu_helper_use(struct map_rcu_helper *helper)
{
    urcu_memb_set_thread_call_rcu_data((struct call_rcu_data *)helper);
}

void map_rcu_helper_stop(struct map_rcu_helper *helper)
{
    if (helper)
        urcu_memb_call_rcu_data_free((struct call_rcu_data *)helper);
}
