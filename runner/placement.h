/*
 * placement.h: where one repetition's map, memory and helper threads go, and the checks that they
 * went there (runner/window.c calls these around its own setup; topo.h plans and binds).
 *
 *   - Helper threads (the `helpers` dimension).  call_rcu callbacks (deferred frees) run in
 *     call_rcu threads this repetition starts for itself (maps/map.h, map_rcu_helper_*): one per
 *     distinct planned PU, pinned there, each worker's callbacks going to the one on its own PU
 *     (case-pus, the default); one unpinned thread started by the unbound coordinator (free); one
 *     pinned to PU N (pu:N).  The env's helper PUs reach threads a backend's library starts itself
 *     (cds_lfht's resize partitions, through pthread attributes).
 *   - The map is created on a creator thread bound to the case's PUs (every PU when its workers
 *     are unbound) with the case's memory policy, so creation allocates under the policy as
 *     prefill and resizes do (on the workers, which window.c binds); threads a library starts
 *     during create (cds_lfht's resize thread) inherit that binding and policy.
 *   - Checks after the window, on the map still alive: its large allocations, recorded by
 *     maps/accounting.c in the env, are sampled in runs of (NUMA nodes) x 2 MiB, at most 8 runs
 *     an allocation and 64 in all; the nodes holding their resident pages must be nodes the memory
 *     policy allows (topo_plan_memory), and under interleave a fully resident run must touch every
 *     node of the machine.  Huge pages: AnonHugePages over the same allocations in
 *     /proc/self/smaps; `never` that got some, or `always` that got none of a non-empty set, makes
 *     the sample invalid.  What cannot be checked becomes the sample's placement_caveat: memory
 *     the backend allocates without map_alloc (its unhooked_memory), large allocations beyond the
 *     records, runs with no resident page, a map with no allocation of 2 MiB or more.  Allocations
 *     under 2 MiB come from malloc's arenas, whose pages may have been placed before the
 *     repetition: they are never sampled.
 * Nothing is bound or checked when the topology is not this machine (NULL, XML, synthetic).
 */
#ifndef MAPBENCH_PLACEMENT_H
#define MAPBENCH_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "maps/map.h"
#include "runner/result.h"
#include "runner/topo.h"
#include "scenarios/case.h"

#define PLACEMENT_MAX_PUS 4096   /* helper PUs planned at most */
#define PLACEMENT_MAX_NODES 1024 /* NUMA nodes (OS indexes below this) the checks track */

/* How the map is made: map_create_with_env, or a test's stand-in that looks at the thread. */
typedef struct map *(*placement_create_fn)(const char *text, struct map_env *env,
                                           const struct map_backend **backend, char *err);

/* One repetition's placement state: placement_begin fills it, placement_end releases it. */
struct placement {
    const struct topo *topo;     /* NULL when nothing is bound or checked */
    const struct bench_case *bench_case;
    const int *pus;              /* planned PU per worker */
    topo_area_nodes_fn area_nodes;
    placement_create_fn create;  /* map_create_with_env unless a test replaces it */
    struct map_env env;          /* handed to the backend's create */
    int helper_pus[PLACEMENT_MAX_PUS];
    int rcu_helper_count;
    struct map_rcu_helper **rcu_helpers;
    int *worker_helper;          /* per worker: its index in rcu_helpers */
};

/* Plans the helpers and starts the call_rcu threads (on the calling thread, the coordinator:
 * `free` helpers inherit its binding).  area_nodes NULL: topo_area_nodes.  False with err when
 * the policy names a PU that is not here. */
bool placement_begin(struct placement *p, const struct topo *t, const struct bench_case *c,
                     const int *pus, topo_area_nodes_fn area_nodes, char *err);
/* Creates the case's map with p's env on the creator thread (on the calling thread when nothing
 * is bound), and calls the backend's reserve there with the case's key count; NULL with err as
 * map_create_with_env, or when binding was refused. */
struct map *placement_create_map(struct placement *p, char *err);
/* On worker `index`'s thread: its call_rcu callbacks go to its helper; leave undoes that. */
void placement_worker_enter(const struct placement *p, int index);
void placement_worker_leave(const struct placement *p);
/* The memory and huge page checks on the live map: fills the sample's memory_nodes,
 * placement_caveat, map_large_bytes and map_huge_bytes, and makes a valid sample invalid on a
 * mismatch, with the reason. */
void placement_check(const struct placement *p, const struct map_backend *backend,
                     struct result_sample *s);
/* Stops the call_rcu threads: after the map is destroyed (its deferred frees have run). */
void placement_end(struct placement *p);

/* Bytes of AnonHugePages in an smaps text (/proc/self/smaps) over the `count` areas
 * [addr, addr + bytes): a mapping partly inside them counts in proportion. */
struct placement_area {
    uintptr_t addr;
    size_t bytes;
};
uint64_t placement_huge_bytes(FILE *smaps, const struct placement_area *areas, int count);

/* Makes a valid sample invalid with the reason; a sample already invalid keeps its first reason. */
void placement_invalidate(struct result_sample *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
