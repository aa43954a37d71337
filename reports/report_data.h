/*
 * report_data.h: what a report reads from the store, as plain structs, and how it groups cases
 * into sweeps.  Loading happens once (runs, their machines, every case with its valid samples'
 * numbers); everything after (statistics, plots, crossovers, HTML) works on these structs and
 * never touches SQL, the way Google Benchmark's reporters consume finished result records.
 *
 * A sweep is what one plot line-chart shows: within one run and one scenario, the cases that differ
 * in exactly one dimension (threads, read_pct, keys, the `shards` backend option, zipf theta, hot
 * keys, write_kind), one series per backend, every other dimension held fixed.  Cases are matched by
 * their key (scenarios/case_dims.h: every dimension that identifies a case) without the swept one
 * (report_data_case_key), so the same function also matches a case across runs for the history.
 */
#ifndef MAPBENCH_REPORT_DATA_H
#define MAPBENCH_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/calibration.h"
#include "runner/result.h"
#include "store/store.h"
#include "scenarios/case.h"
#include "scenarios/case_dims.h" /* case_key and case_describe, for the report's readers too */

#define REPORT_MAX_REPS 64
#define REPORT_TEXT 512
#define REPORT_MAX_RUNS 64

enum report_dim {
    REPORT_DIM_THREADS,
    REPORT_DIM_READ_PCT,
    REPORT_DIM_KEYS,
    REPORT_DIM_SHARDS,
    REPORT_DIM_ZIPF_THETA,
    REPORT_DIM_HOT_KEYS,
    REPORT_DIM_WRITE_KIND,
    REPORT_DIM_COUNT,
    REPORT_DIM_NONE = REPORT_DIM_COUNT, /* report_data_case_key: exclude nothing */
};

/* Percentiles kept per operation: p50, p90, p99, p99.9 (medians over the repetitions). */
#define REPORT_PCTS 4

struct report_machine {
    int64_t id;
    char fingerprint[65], hostname[128], cpu_model[128], kernel[128];
    int packages, numa_nodes, cores, pus, cache_levels;
    uint64_t cache_bytes[4]; /* [0] is L1d */
    char *topology_xml;      /* malloc'd; NULL when not stored */
};

struct report_run {
    int64_t id, machine_id;
    char started_at[32], status[16], label[REPORT_TEXT], command_line[REPORT_TEXT],
        git_commit[64], compiler[REPORT_TEXT], cflags[REPORT_TEXT], library_versions[REPORT_TEXT],
        transparent_hugepages[64], cpu_governor[64];
    int method_version;          /* runner/method.h */
    double planted_slowdown_pct; /* a testing aid's (runner/planted.h); 0: none */
    char *scenario_text;         /* malloc'd: the scenario files as run; NULL when not stored */
    char *cpu_mitigations;       /* malloc'd: "name: state" lines; NULL when not stored */
};

struct report_case {
    int64_t run_id, case_id;
    size_t run; /* index into report_data.runs */
    struct bench_case c;
    char status[16], reason[256];
    size_t n;                     /* valid samples */
    double ops[REPORT_MAX_REPS];  /* throughput of each valid sample, operations per second */
    int round[REPORT_MAX_REPS];   /* the round each was measured in (1-based); 0: not in rounds */
    double median, min, max, cv;  /* of ops[] */
    double bytes_per_key, allocs_per_op; /* medians; NAN without samples */
    double distinct_keys;         /* median keys the window touched; NAN without samples, 0 for
                                   * runs stored before it was measured */
    double pending_bytes_per_key; /* of bytes_per_key, awaiting reclamation (runner/result.h), median;
                                     NAN when not measured */
    bool has_latency[RESULT_OP_COUNT];
    double latency_ns[RESULT_OP_COUNT][REPORT_PCTS]; /* medians over the repetitions */
    double fairness; /* slowest worker's ops / fastest worker's, median; 1 for one worker */
    size_t disturbed; /* valid samples the disturbance rule flags (runner/disturbance.h) */
};

struct report_data {
    struct report_machine *machines;
    size_t machine_count;
    struct report_run *runs;
    size_t run_count;
    struct report_case *cases;
    size_t case_count;
    struct calibration_set calibration; /* every run's calibration values (none when not stored) */
};

/* Loads the runs run_ids[0..n), their machines and every case with its valid samples.  On
 * failure writes one line to err (ERR_LEN) and leaves *out empty. */
bool report_data_load(struct store *s, const int64_t *run_ids, size_t n, struct report_data *out, char *err);
/* The ids of every run on machine_id, oldest first (*ids malloc'd); -1 on error. */
long report_data_machine_runs(struct store *s, int64_t machine_id, int64_t **ids, char *err);
void report_data_free(struct report_data *d);

const struct report_machine *report_data_machine_of(const struct report_data *d, const struct report_run *run);

/* The case's identity (case_key) without the dimension `except`: every dimension that changes what
 * is measured (not the seed, warmup or repetition count), backend spec included (without its
 * shards option when except is REPORT_DIM_SHARDS; without the whole distribution for zipf theta
 * and hot keys, whose sweeps hold one kind of distribution).  REPORT_DIM_NONE excludes nothing. */
void report_data_case_key(const struct bench_case *c, enum report_dim except, char *buf, size_t len);
/* The value of dimension dim for the case; false when the case has no such value (shards of a
 * backend without the option). */
bool report_data_case_value(const struct bench_case *c, enum report_dim dim, double *value);
/* The backend as a series label: the spec, without the shards option for a shards sweep. */
void report_data_series_label(const struct bench_case *c, enum report_dim dim, char *buf, size_t len);

const char *report_dim_name(enum report_dim dim);

/* ---- sweeps ---- */

struct report_series {
    char label[256];  /* backend spec (see report_data_series_label) */
    char name[CASE_TEXT]; /* backend name */
    enum map_role role;   /* the backend's (maps/map.h), as stored with its cases */
    size_t n;
    double *x;        /* ascending */
    size_t *cases;    /* index into report_data.cases, parallel to x */
};

struct report_sweep {
    size_t run;                 /* index into report_data.runs */
    char key[CASE_KEY_LEN];     /* what the sweep holds fixed (the cases' key without the backend
                                   and the swept dimension): the same sweep in another run */
    char scenario[CASE_TEXT];
    enum report_dim dim;
    char fixed[REPORT_TEXT];    /* the dimensions held fixed, in words: "2 threads, 65536 keys, ..." */
    size_t point_count;
    double *points;             /* every x of any series, ascending */
    struct report_series *series;
    size_t series_count;
};

/* Every sweep of the data: per run, per scenario, per dimension with at least two values, per
 * combination of the other dimensions.  Series with one point only (a backend without the swept
 * option) are kept: tables show them, crossovers skip them. */
bool report_sweeps_build(const struct report_data *d, struct report_sweep **out, size_t *count, char *err);
void report_sweeps_free(struct report_sweep *sweeps, size_t count);

/* The case of series at x, or NULL. */
const struct report_case *report_series_case_at(const struct report_data *d, const struct report_series *s,
                                                double x);

#endif
