/*
 * calibration.h: the calibration case, a fixed reference measurement that every run makes at its
 * start, its middle and its end, and stores with it (the calibrations table, store.h).  It measures
 * the machine, not the code under test, so when a run's cases move and its calibration moved with
 * them, the machine moved.
 *
 *   get        one pinned thread looking up keys of a small fixed map (CALIBRATION_KEYS keys in
 *              the shared open-addressing table, maps/table.h, without any lock), in a fixed
 *              random order: nanoseconds per get.  What moves it: frequency, cache and memory
 *              latency, noisy neighbours on the core.
 *   ping-pong  two threads on two PUs (different cores where there are) passing one cache line
 *              back and forth: nanoseconds per round trip.  What moves it: the interconnect, the
 *              placement of the two vCPUs on the host, steal.  Only on machines with 2 PUs or more.
 *
 * Each kind runs CALIBRATION_REPETITIONS windows of CALIBRATION_WINDOW_S each, in fresh threads,
 * so the caller's own thread keeps its affinity.  The plan's seconds are what the run's estimate
 * counts (SCENARIO_CALIBRATION_SECONDS, scenarios/scenario.h; tests/test_calibration.c keeps the
 * two in step).
 */
#ifndef MAPBENCH_CALIBRATION_H
#define MAPBENCH_CALIBRATION_H

#include <stdatomic.h>
#include <stddef.h>

#include "runner/result.h"
#include "runner/topo.h"

#define CALIBRATION_REPETITIONS 3
#define CALIBRATION_WINDOW_S 0.1
#define CALIBRATION_KEYS 1024
#define CALIBRATION_KINDS 2
#define CALIBRATION_PHASES 3
#define CALIBRATION_MAX_WINDOWS (CALIBRATION_KINDS * CALIBRATION_REPETITIONS) /* of one phase */

enum calibration_phase { CALIBRATION_START, CALIBRATION_MIDDLE, CALIBRATION_END };

/* "start" | "middle" | "end", as the calibrations table stores it. */
const char *calibration_phase_name(enum calibration_phase phase);

/* Runs one phase on the machine of topo (threads are bound only when topo is this system; NULL:
 * unbound): the get windows, then the ping-pong windows when topo has 2 PUs or more.  Fills
 * out[0..] (room for CALIBRATION_MAX_WINDOWS) and returns how many; stops early, returning what
 * it has, when *interrupt is set. */
size_t calibration_run(const struct topo *topo, enum calibration_phase phase,
                       const atomic_bool *interrupt, struct result_calibration *out);

/* Seconds of window the three phases of a run take on a machine with `pus` PUs. */
double calibration_planned_seconds(int pus);

#endif
