/*
 * window.h: one repetition of a case: a fresh map, pinned workers that prefill it and precompute
 * their operation streams, an optional warm-up, then one timed window that every worker runs from
 * start to end, then validation of the map.  The result is a plain struct result_sample plus the
 * merged latency histograms; nothing here knows of SQL or libbenchmark.
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
};

/* Runs one repetition.  On success fills sample (valid may still be false: the map failed its
 * invariants) and histograms[op] (merged over workers).  Returns false with a one-line error when
 * the repetition could not run at all (map creation failed, binding refused, interrupted). */
bool window_run(const struct window_config *config, struct result_sample *sample,
                struct histogram histograms[RESULT_OP_COUNT], char *err);

#endif
