/*
 * rcu_thread.c: reference-counted liburcu (memb flavour) thread registration, shared by every
 * RCU-based backend, so a thread may enter several such maps (or one map twice) without
 * registering twice, which liburcu forbids.  The count is thread-local state, not global.
 */
#include <urcu/urcu-memb.h>

#include "map.h"

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
