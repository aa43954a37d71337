/*
 * planted.h: a planted slowdown, the testing aid that shows the regression gate can find what it
 * exists to find (its power, beside its false-alarm rate).  With MAPBENCH_PLANTED_SLOWDOWN_PCT=P
 * in the environment of `mapbench run`, every window runs P% slower by construction: after each
 * batch a worker spins for the batch's own time times P / (100 - P), so its throughput becomes
 * (1 - P/100) of what it was, whatever the backend and whatever the machine's state.  The run
 * stores P (runs.planted_slowdown_pct) and `compare` and the report name it, so no one mistakes a
 * planted run for a real one.
 *
 * The hook costs the timed loop one predictable branch per batch when P is 0 (the common path),
 * and two clock reads plus the spin per batch when it is not.
 */
#ifndef MAPBENCH_PLANTED_H
#define MAPBENCH_PLANTED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define PLANTED_ENV "MAPBENCH_PLANTED_SLOWDOWN_PCT"
#define PLANTED_MAX_PCT 90.0

/* The slowdown the environment asks for: 0 when unset or empty; false with one line in err when
 * the value is not a number from 0 to PLANTED_MAX_PCT. */
bool planted_slowdown_read(double *pct, char *err);

/* The spin that slows a batch of batch_ns by pct: batch_ns * pct / (100 - pct). */
uint64_t planted_delay_ns(uint64_t batch_ns, double pct);

/* One worker's hook over one phase: begin reads the environment (0: no slowdown, also for a
 * malformed value, which `mapbench run` refused before measuring) and stamps the time;
 * after_batch spins for the batch just run. */
struct planted_delay {
    double pct;
    uint64_t mark_ns; /* the end of the last spin: where the next batch began */
};

struct planted_delay planted_delay_begin(void);
void planted_delay_spin(struct planted_delay *d);

static inline void planted_delay_after_batch(struct planted_delay *d)
{
    if (__builtin_expect(d->pct > 0, 0))
        planted_delay_spin(d);
}

#endif
