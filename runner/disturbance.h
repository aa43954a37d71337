/*
 * disturbance.h: what disturbed a window, measured beside it and stored with its sample, so a
 * sample the machine disturbed can be told from one the code produced.
 *
 *   steal_pct             the share of the CPU time of the PUs the workers were allowed on that the
 *                         hypervisor gave to someone else over the window (/proc/stat's steal
 *                         column, per CPU, before and after), in percent.  The kernel counts it in
 *                         ticks of 10 ms, so over a 0.15 s window on one PU a single tick of steal
 *                         reads as 6.7%: in short windows any steal at all is flagged.
 *   involuntary_switches  how often the kernel took a worker's PU away from it for another thread
 *                         (getrusage(RUSAGE_THREAD) ru_nivcsw, read by each worker before and
 *                         after the window, summed over workers).  A pinned spinning worker is
 *                         switched out involuntarily only when something else wants its PU.
 *
 * The rule that flags a sample (disturbance_affected): steal above DISTURBANCE_STEAL_PCT (1%) of
 * that CPU time, or the workers off their PUs for more than DISTURBANCE_OFF_CPU_PCT (2%) of the
 * window: 1 - worker_cpu_s / (window_s x workers), from each worker's own CPU clock over the
 * window (result.h).  That is the time a switch actually cost.  An earlier rule counted switches
 * (more than 10 per worker-second, taking each for a scheduler slice); on this 2-vCPU VM, idle,
 * it flagged every 2-thread sample, because a kernel thread's wake-up switches a spinning worker
 * out for microseconds, and the samples it flagged strayed from their case's median no more than
 * the others (median |log deviation| 0.034 flagged, none unflagged).  The off-CPU rule flagged 9%
 * of 1-thread and 28% of 2-thread samples there, and those strayed three times as far (0.070
 * against 0.021 at 1 thread, 0.068 against 0.027 at 2).  Switches stay stored, as evidence.
 *
 * The window calls four hooks, each one line: the coordinator before and after the measured
 * window (it reads /proc/stat, outside the timed part), and each worker as it starts and ends the
 * window's loop (its own thread's counters and the PUs it may run on).  The barriers of the
 * window order them: every worker begins after the coordinator's begin and ends before its end.
 */
#ifndef MAPBENCH_DISTURBANCE_H
#define MAPBENCH_DISTURBANCE_H

#include <sched.h> /* cpu_set_t: the build defines _GNU_SOURCE */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner/result.h"

#define DISTURBANCE_STEAL_PCT 1.0
#define DISTURBANCE_OFF_CPU_PCT 2.0
#define DISTURBANCE_RULE \
    "steal above 1% of the workers' CPU time, or the workers off their PUs for more than 2% of " \
    "the window"

/* One CPU's line of /proc/stat: its steal and its total time, in ticks. */
struct disturbance_cpu {
    int cpu;
    uint64_t steal, total;
};

/* One worker's reading: its involuntary switches at the start (then the difference), and the
 * PUs it was allowed on. */
struct disturbance_worker {
    long switches;
    cpu_set_t allowed;
};

/* The state of one measured window, between disturbance_begin and disturbance_end. */
struct disturbance {
    int workers;
    struct disturbance_worker *per_worker;
    struct disturbance_cpu *before;
    size_t cpus; /* entries of before; 0 when /proc/stat could not be read */
};

/* The coordinator, before the measured window starts. */
void disturbance_begin(struct disturbance *d, int workers);
/* Worker `worker` (0-based), on its own thread, as it starts the window's loop and as it ends. */
void disturbance_worker_begin(struct disturbance *d, int worker);
void disturbance_worker_end(struct disturbance *d, int worker);
/* The coordinator, after every worker ended: fills sample->steal_pct (NAN when /proc/stat could
 * not be read) and sample->involuntary_switches, and releases what begin took. */
void disturbance_end(struct disturbance *d, struct result_sample *sample);

/* Whether the rule above flags the sample. */
bool disturbance_affected(const struct result_sample *s);

/* The per-CPU lines ("cpuN ...") of a /proc/stat text into out (at most cap); returns how many. */
size_t disturbance_parse_stat(const char *text, struct disturbance_cpu *out, size_t cap);
/* Stolen share, in percent, of the total time of the CPUs in `allowed` between the two readings
 * (CPUs are matched by number); 0 when no tick passed on them. */
double disturbance_steal_pct(const struct disturbance_cpu *before, size_t nb,
                             const struct disturbance_cpu *after, size_t na,
                             const cpu_set_t *allowed);

#endif
