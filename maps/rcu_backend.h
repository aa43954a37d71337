/*
 * rcu_backend.h: the thread_enter / thread_leave hooks shared by the liburcu-based backends (rcu,
 * cow, ref-lfht).  Each registers the calling thread with liburcu's memb flavour through the
 * counting helpers of rcu_thread.c, so one thread may use several such maps at once.
 */
#ifndef MAPBENCH_RCU_BACKEND_H
#define MAPBENCH_RCU_BACKEND_H

#include "map.h"

static inline void rcu_backend_thread_enter(struct map *m)
{
    (void)m;
    map_rcu_thread_enter();
}

static inline void rcu_backend_thread_leave(struct map *m)
{
    (void)m;
    map_rcu_thread_leave();
}

#endif
