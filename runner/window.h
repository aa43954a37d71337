/*
 * window.h: one repetition of a case: a fresh map, pinned workers that prefill it and build their
 * streams (an operation pattern and a counter-based key generator: runner/workload.h), an optional
 * warm-up, then one timed window that every worker runs from start to end, the count of the keys
 * it touched, then validation of the map.  The result is a plain struct result_sample plus the
 * merged latency histograms; nothing here knows of SQL or libbenchmark.
 *
 * Placement is made and checked here too (runner/placement.h): the map is created on a thread
 * bound by the case's placement and memory policy, helper threads are placed by its `helpers`
 * policy, and after the window a worker whose binding read back differs from its planned PU, or
 * map pages or huge pages that differ from the policy, make the sample invalid with the reason.
 *
 * Each repetition builds its own map and workers, so repetitions are independent samples (the
 * table's layout and the allocator's state vary between them as they would between runs), and so
 * libbenchmark may interleave repetitions of different cases without any case's state living on.
 */
#ifndef MAPBENCH_WINDOW_H
#define MAPBENCH_WINDOW_H

#include <signal.h>
#include <stdatomic.h>

#include "maps/map.h"
#include "runner/histogram.h"
#include "runner/result.h"
#include "runner/topo.h"
#include "scenarios/case.h"

struct window_config {
    const struct bench_case *bench_case;
    const struct map_backend *backend;
    const struct topo *topo;     /* binding is skipped when topo is NULL or not this system */
    const int *pus;              /* planned PU per worker (bench_case->threads entries; -1 unbound) */
    const atomic_bool *interrupt; /* set by a signal handler: the window ends early, marked failed */
    /* What binds a worker and reads its binding back, and where pages are: NULL for the real
     * ones (topo_bind_current_thread, topo_area_nodes); tests inject a mismatch. */
    topo_bind_fn bind_thread;
    topo_area_nodes_fn area_nodes;
};

/* Runs one repetition.  On success fills sample (valid may still be false: the map failed its
 * invariants) and histograms[op] (merged over workers).  Returns false with a one-line error when
 * the repetition could not run at all (map creation failed, binding refused, interrupted). */
bool window_run(const struct window_config *config, struct result_sample *sample,
                struct histogram histograms[RESULT_OP_COUNT], char *err);

/* The position of the timed operation in block `block` of `every` operations (a power of two):
 * block * every plus an offset drawn from (salt, block), uniform over the block, so latency
 * samples visit every position of the operation pattern rather than the first of each batch. */
uint64_t window_sample_position(uint64_t salt, uint64_t block, uint64_t every);

#endif
