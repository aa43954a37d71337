/*
 * compare.h: the regression gate behind `mapbench compare`.  A candidate run is set against a
 * baseline run, or against the pooled recent history of the same cases on the same machine, case by
 * case; cases are matched by their dimension columns, never by id, so two runs of one scenario
 * line up however their cases were numbered.
 *
 * Per matched case: the Hodges-Lehmann shift of log(candidate / baseline) over the valid
 * repetitions with Lehmann's 1 - alpha interval, the Mann-Whitney p-value, and Benjamini-Hochberg
 * q-values across all matched cases.  A case regresses only when q < alpha AND the whole interval
 * lies beyond the threshold in the bad direction (for throughput: below log(1 - threshold));
 * it improves by the mirror rule (above -log(1 - threshold), so swapping the runs swaps the
 * verdicts); it is unknown when its repetitions are too few for any p below alpha; inconclusive
 * when the whole interval lies beyond the threshold either way but q >= alpha; otherwise
 * unchanged (no evidence of a change beyond the threshold).  With one run a side and many cases
 * the correction cannot flag a single case (5 vs 5 allows p = 0.008 at best, times 70 cases), so
 * a real 40% shift of one case lands in inconclusive, never silently in unchanged; the reporters
 * count them and say that pooling runs decides them.  Both conditions are needed: significance alone flags a real but negligible 0.5%
 * drift once repetitions are many, and an interval alone is not corrected for testing many cases.
 *
 * The repetitions of one run share its conditions (the machine's load, frequency, what else ran),
 * so between two single runs the test treats as independent what is not: on a shared 2-core
 * machine, 1 in 3 sequential A/A pairs of 5 repetitions showed a whole-run shift of 25-50%.  A
 * side may therefore pool several runs: interleaving the two builds' runs in time, or a history
 * baseline of several runs, puts that drift inside the comparison instead of between its sides.
 * Pooling alone is not enough: the test would still count 15 repetitions of 3 runs as 15
 * independent samples, and a state that lasts a whole run (2-thread cases here were bimodal by a
 * factor of 3 from one run to the next, the same build throughout) then passes for a shift.  So
 * when a side pools runs, the interval also spans the Hodges-Lehmann shift of every baseline run
 * against every candidate run: a regression must show between every pairing of runs, not only
 * in the pooled samples.  A case whose run-pairing interval cannot be bounded at the level (runs of
 * 2 or 3 repetitions each: 3 against 3 cannot give a 95% interval) is unknown, never unchanged:
 * otherwise a planted 50% drop, with significant pooled samples, would pass as "unchanged".  So is a
 * case whose (finite) interval reaches past the threshold both ways, [-60%, +800%] on a noisy
 * machine: nothing rules out a regression, so it is not "unchanged" either.  That case still counts
 * in the correction (whether it is wide depends on its data, and choosing hypotheses by their data
 * would bias q); the unbounded ones do not (that depends on repetition counts alone).
 *
 * The machine, not the code.  Every run stores a calibration case at its start, middle and end
 * (calibration.h); a candidate run whose calibration moved beyond its own noise, against the
 * baseline's runs or from its start to its end, is named in every output ("the machine moved"),
 * so a regression it carries is read as the machine's.  Verdicts and the exit status stay what the
 * samples say: the gate states what moved, a person decides.
 *
 * Runs measured by different measurement methods (runner/method.h) are refused unless
 * --across-methods, and a history baseline takes only runs of the candidate's method: a change of
 * what a figure means is not a regression.  A run with a planted slowdown (runner/planted.h, a
 * testing aid) is named in every output too.
 *
 * Loading and judging live here; the three reporters (table, Markdown, JUnit XML) live in
 * compare_format.h and only format the one plain struct compare_report this fills, as the runner
 * separates measuring from storing.
 */
#ifndef MAPBENCH_COMPARE_H
#define MAPBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "reports/calibration.h"
#include "reports/stats.h"
#include "store/store.h"
#include "scenarios/case.h"

#define COMPARE_DEFAULT_HISTORY 5
#define COMPARE_MAX_RUNS 64 /* runs one side may pool */

/* A side names one run or a comma-separated list whose samples are pooled per case ("2,4,6"):
 * interleaving the runs of two builds in time (A B A B A B) makes slow drifts of the machine's
 * load fall on both sides alike instead of on whichever run it happened to hit. */
struct compare_options {
    const char *candidate; /* run ids, "latest" (newest run) or "previous" (the one before it) */
    const char *baseline;  /* run ids, "latest", or "previous": the newest run before the
                              candidate on its machine; NULL: the candidate's history */
    int history;           /* with no baseline: runs pooled per case (COMPARE_DEFAULT_HISTORY) */
    double threshold;      /* minimum effect as a fraction: 0.05 */
    double alpha;          /* false discovery rate and 1 - interval level: 0.05 */
    bool cross_machine;    /* allow runs of different machine fingerprints */
    bool across_methods;   /* allow runs of different measurement-method versions
                              (runner/method.h); a history then takes runs of any version */
    const char *metric;    /* "ops_per_s" (default), "ns_per_op", "get_p99_ns" */
    const char *normalize; /* a backend name, or NULL: each repetition's value is divided by the
                              median of that backend's case with the same other dimensions in
                              the same run, which cancels whole-run drift of a shared machine
                              (and hides a change that moves the reference backend too) */
};

/* Fills defaults: history 5, threshold 0.05, alpha 0.05, metric ops_per_s. */
void compare_options_init(struct compare_options *o);

enum compare_verdict { /* in report order */
    COMPARE_REGRESSED,
    COMPARE_IMPROVED,
    COMPARE_INCONCLUSIVE, /* the whole interval lies beyond the threshold, but the corrected test
                             is not significant: a move that more runs would decide */
    COMPARE_UNKNOWN,
    COMPARE_UNCHANGED,
    COMPARE_VERDICTS
};

/* Why a case is unknown. */
enum compare_unknown {
    COMPARE_UNKNOWN_NONE,
    COMPARE_UNKNOWN_TOO_FEW, /* the pooled repetitions cannot reach p < alpha */
    COMPARE_UNKNOWN_PAIRING, /* some run has too few repetitions to bound the run-pairing
                                interval: the change could be anything, never "unchanged" */
    COMPARE_UNKNOWN_WIDE,    /* the interval reaches past the threshold both ways: the runs cannot
                                tell a regression from an improvement */
};

const char *compare_verdict_name(enum compare_verdict v);

struct compare_samples {
    double *values; /* valid samples' metric */
    int64_t *run_of; /* the run each value came from, parallel to values */
    size_t count, capacity;
    int runs;        /* runs that contributed (history pools several) */
    int64_t last_run;
    bool present;    /* the case exists on this side, even with no valid sample */
    size_t disturbed; /* of the values, those whose sample the disturbance rule flags
                         (runner/disturbance.h) */
};

struct compare_case {
    struct bench_case c;  /* dimensions, from the candidate */
    char *key;            /* the dimension text cases are matched by */
    char *name;           /* for people: "quick mutex threads=1 compact read=90% ..." */
    struct compare_samples baseline, candidate;
    double baseline_median, candidate_median;
    struct stats_shift shift; /* of log(candidate / baseline); when a side pools several runs,
                                 the interval is widened to span every baseline run against
                                 every candidate run (stats_hodges_lehmann_runs) */
    double p, q;
    enum compare_verdict verdict;
    enum compare_unknown why_unknown;
    size_t needed;        /* unknown: valid repetitions per side (per run, for a pairing) that
                             alpha needs */
    double min_p;         /* unknown for too few: the smallest p these repetition counts allow */
    size_t fewest_per_run; /* unknown for a pairing: the fewest valid repetitions of one run */
};

struct compare_run {
    int64_t id;
    char status[16], label[128], started_at[32];
    char fingerprint[65], cpu_model[128], hostname[128];
    int method_version;          /* runner/method.h */
    double planted_slowdown_pct; /* a testing aid's (runner/planted.h); 0: none */
};

/* Every run the comparison read, with what the gate knows of it beyond its samples. */
struct compare_run_fact {
    struct compare_run run;
    bool candidate;                          /* its side */
    struct calibration_verdict calibration; /* candidate runs against the baseline's runs, and
                                               every run's start against its end */
};

struct compare_report {
    struct compare_options options;
    bool higher_is_better; /* of the metric */
    struct compare_run candidate, baseline; /* the first run of each side; baseline.id 0 for a
                                               history baseline */
    int64_t candidate_ids[COMPARE_MAX_RUNS], baseline_ids[COMPARE_MAX_RUNS];
    size_t candidate_runs, baseline_runs;
    char candidate_text[256], baseline_text[256]; /* "run 4", "runs 2,4,6", "history: ..." */
    struct compare_case *cases;
    size_t count, capacity;
    size_t only_baseline, only_candidate;   /* cases not matched, not judged */
    size_t unmeasured;                      /* matched, but no valid repetition on either side */
    size_t tested;                          /* cases with enough repetitions: the correction's m */
    size_t verdicts[COMPARE_VERDICTS];
    struct compare_run_fact *runs;          /* every run read, candidate's first */
    size_t run_count;
    size_t moved;                           /* runs whose calibration moved */
    bool methods_mixed;                     /* runs of several method versions (--across-methods) */
};

/* Resolves the runs, loads and matches their cases and judges every matched case, sorted
 * regressions first.  False with one line in err on bad input: unknown run or metric, runs of
 * different machines without cross_machine, no case in common.  compare_free in every case. */
bool compare_runs(struct store *s, const struct compare_options *o, struct compare_report *r,
                  char *err);
void compare_free(struct compare_report *r);

#endif
