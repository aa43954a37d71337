/*
 * result.h: what one repetition (one timed window) of a case produces: a plain record the engine
 * fills and the store and reporters consume (Google Benchmark's separation of running from
 * reporting).  A value the machine could not measure is marked absent, never a made-up zero.
 */
#ifndef MAPBENCH_RESULT_H
#define MAPBENCH_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#define RESULT_MAX_WORKERS 1024

enum result_op {
    RESULT_OP_GET,
    RESULT_OP_PUT,
    RESULT_OP_PUT_IF_ABSENT,
    RESULT_OP_DEL,
    RESULT_OP_RANGE,
    RESULT_OP_COUNT
};

struct result_latency {
    uint64_t samples;
    double p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
};

struct result_counter {
    bool present; /* false: perf_event_open refused or the counter is not supported */
    uint64_t value;
};

struct result_sample {
    int repetition;
    double window_s;          /* wall-clock window in which every worker ran */
    uint64_t total_ops;       /* sum of workers' completed operations inside the window */
    double ops_per_s;         /* total_ops over the window less the clock's share (timer_ns_per_op) */
    double ns_per_op;         /* (window_s * threads less the clock's share) / total_ops: per thread */
    int workers;
    uint64_t worker_ops[RESULT_MAX_WORKERS];
    char worker_binding[256]; /* PUs actually obtained, e.g. "0,1" or "unbound" */

    uint64_t gets, get_hits;
    uint64_t writes_attempted, writes_effective; /* effective: changed the map */
    uint64_t ranges;

    struct result_latency latency[RESULT_OP_COUNT];

    double bytes_per_key;       /* every byte the map held after the window, per key */
    /* Of those, the bytes per key that were awaiting reclamation (retired copies, nodes and boxes
     * waiting for a grace period): bytes_per_key minus what the map held once map_rcu_drain() had
     * run its deferred frees (maps/map.h).  bytes_per_key - pending_bytes_per_key is live data.
     * NAN: not measured (stored as NULL). */
    double pending_bytes_per_key;
    double allocs_per_op;
    uint64_t peak_rss_bytes;

    struct result_counter cycles, instructions, cache_misses;

    /* Where the window ran in the schedule: the round (1-based) that measured every backend of
     * the sweep point once, and this window's position (1-based) within it; both 0 when the case
     * was not scheduled in rounds (`--schedule sequential`, older runs). */
    int round, round_position;

    /* CPU time in the window: the whole process's (CLOCK_PROCESS_CPUTIME_ID) and the workers'
     * (CLOCK_THREAD_CPUTIME_ID, summed); the difference is work done off the workers (call_rcu
     * and resize threads, the coordinator's few wake-ups). */
    double process_cpu_s, worker_cpu_s;
    /* Placement checked (runner/placement.h): the NUMA nodes holding the sampled pages of the
     * map's large allocations ("0", "0,1"; empty: none sampled), what could not be checked (empty:
     * nothing), the bytes of those allocations and of the huge pages backing them (absent when
     * /proc/self/smaps could not be read). */
    char memory_nodes[64];
    char placement_caveat[256];
    uint64_t map_large_bytes;
    struct result_counter map_huge_bytes;

    /* The keys the window touched: distinct access-range keys named by the workers' counted gets
     * of present keys, puts, put_if_absent and dels, all workers together (exact up to 2^27 keys
     * in the access range, a linear-counting estimate above: runner/workload.h); and how many
     * times a worker's key stream wrapped, summed over workers (0 unless a window asks for more
     * than the generator's 2^64 positions; the operation pattern's cycles are not wraps). */
    uint64_t distinct_keys, stream_wraps;
    /* The latency timer pair's own cost, calibrated on the workers' PUs before the window (median
     * of back-to-back clock reads, mean over workers) and subtracted from every stored latency
     * percentile and max (floored at 0); the stored histograms keep the raw timings. */
    double latency_timer_ns;
    /* The clock's share of the window per counted operation, in ns per operation per thread:
     * every timed operation paid for two clock reads that an untimed one does not, each costing
     * about latency_timer_ns on its worker's PU.  ops_per_s and ns_per_op are computed on the
     * window less this share, so they hold no timer cost; ns_per_op + timer_ns_per_op is the
     * window's raw figure.  0 without latency sampling. */
    double timer_ns_per_op;

    /* What disturbed the window (runner/disturbance.h, which states the rule that flags it):
     * the share of the CPU time of the PUs the workers were allowed on that the hypervisor stole
     * over the window, in percent (NAN when /proc/stat could not be read: stored NULL), and the
     * workers' involuntary context switches over the window, summed. */
    double steal_pct;
    uint64_t involuntary_switches;

    bool valid;               /* post-window invariants held */
    char invalid_reason[256];
};

const char *result_op_name(enum result_op op);

/* One window of the calibration case (runner/calibrate.h): a fixed reference measurement run
 * at the start, the middle and the end of every run, so a run whose machine moved shows it. */
struct result_calibration {
    char phase[8];   /* start | middle | end */
    char kind[16];   /* get | ping-pong */
    int repetition;  /* 0-based, within the phase and kind */
    double value;
    char unit[16];   /* ns/get | ns/round-trip */
};

#endif
