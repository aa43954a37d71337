/*
 * calibrate.h: the calibration case, a fixed reference measurement that every run makes at its
 * start, its middle and its end, and stores with it (the calibrations table, store.h).  It measures
 * the machine, not the code under test, so when a run's cases move and its calibration moved with
 * them, the machine moved; reports/calibration.h judges that from the stored windows.
 *
 *   get        one pinned thread looking up keys of a small fixed map (CALIBRATE_KEYS keys in
 *              the shared open-addressing table, maps/table.h, without any lock), in a fixed
 *              random order: nanoseconds per get.  What moves it: frequency, cache and memory
 *              latency, noisy neighbours on the core.
 *   ping-pong  two threads on two PUs (different cores where there are) passing one cache line
 *              back and forth: nanoseconds per round trip.  What moves it: the interconnect, the
 *              placement of the two vCPUs on the host, steal.  Only on machines with 2 PUs or more.
 *
 * Each kind runs CALIBRATE_REPETITIONS windows of CALIBRATE_WINDOW_S each, in fresh threads,
 * so the caller's own thread keeps its affinity.  The plan's seconds are what the run's estimate
 * counts (SCENARIO_CALIBRATION_SECONDS, scenarios/scenario.h; tests/test_calibrate.c keeps the
 * two in step).
 */
#ifndef MAPBENCH_CALIBRATE_H
#define MAPBENCH_CALIBRATE_H

#include <stdatomic.h>
#include <stddef.h>

#include "runner/result.h"
#include "runner/topo.h"

#define CALIBRATE_REPETITIONS 3
#define CALIBRATE_WINDOW_S 0.1
#define CALIBRATE_KEYS 1024
#define CALIBRATE_KINDS 2
#define CALIBRATE_PHASES 3
#define CALIBRATE_MAX_WINDOWS (CALIBRATE_KINDS * CALIBRATE_REPETITIONS) /* of one phase */

enum calibrate_phase { CALIBRATE_START, CALIBRATE_MIDDLE, CALIBRATE_END };

/* "start" | "middle" | "end", as the calibrations table stores it. */
const char *calibrate_phase_name(enum calibrate_phase phase);

/* Runs one phase on the machine of topo (threads are bound only when topo is this system; NULL:
 * unbound): the get windows, then the ping-pong windows when topo has 2 PUs or more.  Fills
 * out[0..] (room for CALIBRATE_MAX_WINDOWS) and returns how many; stops early, returning what
 * it has, when *interrupt is set. */
size_t calibrate_run(const struct topo *topo, enum calibrate_phase phase,
                       const atomic_bool *interrupt, struct result_calibration *out);

/* Seconds of window the three phases of a run take on a machine with `pus` PUs. */
double calibrate_planned_seconds(int pus);

#endif
