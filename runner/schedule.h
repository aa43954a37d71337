/*
 * schedule.h: the order in which a run measures its windows.
 *
 * A sweep point is the set of cases that differ only in the backend: equal case keys once the
 * backend spec (options included) is left out (scenarios/case_dims.h), so `striped:shards=4`,
 * `striped:shards=8` and `mutex` at the same threads, mix and keys are one point.  Rounds, the
 * default: a point's backends run in rounds, each round measuring every backend of the point once,
 * in a fresh random order, and the rounds repeat as many times as the cases have repetitions (a
 * case with fewer repetitions than its point's others sits out the last rounds).  Points run one
 * after another, in expansion order.  A state of a shared machine that lasts seconds or minutes
 * then falls on every backend of a point alike, instead of on one backend's whole block of
 * repetitions, and comparisons at a point can be paired round by round (randomized multiple
 * interleaved trials: Abedi and Brecht, ICPE 2017).  Sequential, on request: every repetition of a
 * case back to back, case after case, the order of mapbench before rounds.
 *
 * The random order comes from one seed, drawn per run and stored with it, so orders differ from
 * run to run and any run's order is rebuilt from its cases and its stored seed.  The windows of a
 * case are its repetitions 0, 1, ... in the order they appear.  Skipped cases have none.
 */
#ifndef MAPBENCH_SCHEDULE_H
#define MAPBENCH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenarios/case.h"

enum schedule_kind { SCHEDULE_ROUNDS, SCHEDULE_SEQUENTIAL };

/* One window of the run, in run order. */
struct schedule_window {
    size_t case_index; /* into the cases given to schedule_build */
    size_t point;      /* 0-based sweep point, in expansion order */
    int round;         /* 1-based; 0 in a sequential schedule */
    int position;      /* 1-based place in its round; 0 in a sequential schedule */
};

/* "rounds" | "sequential", as runs store it. */
const char *schedule_kind_name(enum schedule_kind kind);
/* The kind named `text`; false when it names none. */
bool schedule_kind_parse(const char *text, enum schedule_kind *kind);
/* A fresh seed for a run's order (getrandom, else the clock and the pid). */
uint64_t schedule_seed_draw(void);

/* The windows of cases[0..count) in run order: a malloc'd array of *window_count windows (NULL
 * when no case runs).  `seed` is used by SCHEDULE_ROUNDS only. */
struct schedule_window *schedule_build(const struct bench_case *cases, size_t count,
                                       enum schedule_kind kind, uint64_t seed,
                                       size_t *window_count);

#endif
