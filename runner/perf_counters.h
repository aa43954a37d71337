/*
 * perf_counters.h: cycles, instructions and cache misses of the calling thread through Linux
 * perf_event_open, where the kernel allows it.
 *
 * Each worker opens its own counters (they count the thread that opened them: pid 0, any CPU,
 * user space only so that perf_event_paranoid 2 still allows them), starts them at the window's
 * barrier, stops them at its end, and the engine sums the workers' readings with
 * perf_counters_sum.  A counter the kernel refuses (no PMU in a VM, perf_event_paranoid 3, a
 * seccomp filter: EACCES, EPERM, ENOENT, EOPNOTSUPP, ENODEV...) is reported absent, never as a zero;
 * a sum is absent unless every worker's part is present.  When the kernel multiplexed a counter
 * (more events than hardware counters), its value is scaled by time enabled / time running, as
 * perf stat does; a counter that never ran is absent.
 */
#ifndef MAPBENCH_PERF_COUNTERS_H
#define MAPBENCH_PERF_COUNTERS_H

#include <stdbool.h>

#include "runner/result.h"

enum perf_counter_kind {
    PERF_COUNTER_CYCLES,
    PERF_COUNTER_INSTRUCTIONS,
    PERF_COUNTER_CACHE_MISSES,
    PERF_COUNTER_KINDS
};

struct perf_counters {
    int fd[PERF_COUNTER_KINDS]; /* -1: not available */
    int open_errno[PERF_COUNTER_KINDS]; /* why not, for a diagnostic line */
};

/* Opens (disabled) the counters for the calling thread; true when at least one opened. */
bool perf_counters_open(struct perf_counters *pc);
/* Resets and enables every open counter: call right before the timed window. */
void perf_counters_start(struct perf_counters *pc);
void perf_counters_stop(struct perf_counters *pc);
/* Fills each counter, absent when not open or unreadable.  Any pointer may be NULL. */
void perf_counters_read(const struct perf_counters *pc, struct result_counter *cycles,
                        struct result_counter *instructions, struct result_counter *cache_misses);
void perf_counters_close(struct perf_counters *pc);
/* total = sum of parts[0..n); present only when n > 0 and every part is present. */
void perf_counters_sum(const struct result_counter *parts, int n, struct result_counter *total);
/* "cycles: Permission denied" style reason for the first counter that did not open, or NULL. */
const char *perf_counters_unavailable_reason(const struct perf_counters *pc, char *buf, int len);

#endif
