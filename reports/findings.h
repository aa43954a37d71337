/*
 * findings.h: everything the report tells a reader, decided once, into plain structs that every
 * writer (HTML, CSV, gnuplot, and any later format) renders without deciding again.  The writers
 * never include reports/stats.h; this module is the only part of the report that tests anything.
 *
 * Decided here, with the rules:
 *   - per sweep point, the winner: the fastest median among the ranked roles (map_role_ranked in
 *     maps/map.h: not `null`, the harness, nor `plain`, the unsynchronised ceiling), the runner-up,
 *     and whether the win is separable: the winner is not too wide to rank (FINDINGS_CV_WIDE) and,
 *     when there is a runner-up, the two differ significantly (findings_compare below);
 *   - per cell, its ratio to the baseline backend's median at the same point, and whether it is
 *     too wide to rank;
 *   - crossovers: for every sweep and every pair of series (null excluded), each pair of
 *     neighbouring points both measured where the sign of the difference of the medians changes,
 *     interpolated linearly between them (in log x for keys, spaced geometrically), established
 *     only when the difference is significant at both points;
 *   - knees: over keys, the point where a series' log-log slope drops most between the segment
 *     before and the one after it, if by more than FINDINGS_KNEE_DROP, set beside the cache level
 *     whose capacity in keys (cache bytes / bytes per key) is nearest;
 *   - history: each case's median in the newest FINDINGS_HISTORY_RUNS runs of its machine, and
 *     where it shifted from the previous run that measured it;
 *   - per sweep, what it has to show: latency, starvation (some worker under FINDINGS_STARVED of
 *     the fastest one's operations), the point the percentile plot shows, and the bytes per key
 *     at which a keys sweep's cache capacities are drawn;
 *   - "which map when": the winners of every sweep point laid out as a matrix, one row per
 *     workload (a run's cases with every identifying dimension equal but the backend and the
 *     thread count) and one column per thread count, each cell the decided winner of the point
 *     that measured the workload at that count, with its margin over the runner-up (no new test:
 *     the point's own, and its place in the one correction).
 *
 * Significance, everywhere, through one function (findings_test_cases):
 *   - between two backends at one point of one run, the comparison is paired when both cases were
 *     measured in rounds (runner: each round measures every backend of the point once, in random
 *     order): per round, the log ratio of the two windows of that round; a Wilcoxon signed-rank test
 *     on them (exact) and Tukey's Walsh-average interval of the ratio.  A slow phase of the machine
 *     that hits a whole round is in both windows and cancels.  It needs FINDINGS_MIN_ROUNDS rounds
 *     in common (the smallest p of 5 is 2/32 = 0.0625);
 *   - otherwise (sequential schedule, older runs, and between runs: the history) unpaired: a
 *     two-sided Mann-Whitney test on the two cases' repetitions (exact, mid-ranks for ties) and the
 *     Hodges-Lehmann interval of the ratio, each side with at least FINDINGS_MIN_REPS repetitions
 *     (3 vs 3 reaches p = 0.1 at best);
 *   - every claim the report makes (a separable winner, an established crossover, a history
 *     arrow) is one hypothesis of one Benjamini-Hochberg correction at FINDINGS_ALPHA across the
 *     whole report, as the gate corrects across its cases; a claim holds when its q < alpha and its
 *     estimate points the claimed way.  A crossover is one hypothesis: its p is the larger of its two
 *     points' (both must hold).  Untestable comparisons are not hypotheses and do not dilute q.
 * Every p, q and interval is kept in the structs below, and the page states which test each
 * comparison used; the ratios and their intervals the page shows are the ones tested.
 *
 * Reproducibility and machines (findings_groups.c).  Runs are grouped by machine fingerprint and
 * build (commit, flags and measurement-method version); within a group each run's claims are
 * checked in every other run of the group ("Do the findings reproduce?"), and machines are compared
 * only across groups, case by case ("new hardware").
 *
 * The structs point into the report_data they were decided from: free the findings first.
 */
#ifndef MAPBENCH_FINDINGS_H
#define MAPBENCH_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/report_data.h"

/* The tests and their parameters, named for the legends of the pages that show their results. */
#define FINDINGS_TEST_NAME "Mann-Whitney"
#define FINDINGS_PAIRED_TEST_NAME "Wilcoxon signed-rank on per-round log ratios"
#define FINDINGS_ALPHA 0.05       /* the false discovery rate, and 1 - every interval's level */
#define FINDINGS_MIN_REPS 4
#define FINDINGS_MIN_ROUNDS 6     /* 2 / 2^6 = 0.031 < 0.05 */
/* A case whose repetitions' coefficient of variation exceeds 10% is too wide to rank: with 3 to 5
 * repetitions that spread puts the median's own uncertainty near the 5-10% differences that
 * separate neighbouring designs, so a ranking or a knee drawn through it would be a coin toss.  A
 * case measured in rounds is ranked by its paired ratios, whose interval says how precise the
 * ranking is, so its raw spread does not make it too wide to rank (knees still skip it). */
#define FINDINGS_CV_WIDE 0.10
/* A knee is a slope drop of at least 0.3 in d ln(throughput) / d ln(keys): from flat to losing
 * about 19% per doubling of keys (2^-0.3).  Repetition noise of a few percent between points a
 * factor 2 to 4 apart moves a slope by well under 0.1, and a table's gentle decline inside one
 * cache level (hash spreading, TLB reach) stays under 0.15, so 0.3 marks a change of regime. */
#define FINDINGS_KNEE_DROP 0.3
/* A run's calibration moved when it differs by more than this beyond its own noise (calibration.h);
 * the gate's default threshold. */
#define FINDINGS_CALIBRATION_THRESHOLD 0.05
/* A lock starves a worker when the slowest one completes under 80% of the fastest one's work. */
#define FINDINGS_STARVED 0.8
/* The runs a history table shows per machine, the newest. */
#define FINDINGS_HISTORY_RUNS 12

enum findings_verdict {
    FINDINGS_SIGNIFICANT,     /* q < alpha the claimed way (for a crossover: at both points) */
    FINDINGS_NOT_SIGNIFICANT, /* testable, but not significant once corrected, or not that way */
    FINDINGS_TOO_FEW_REPS,    /* too few repetitions (or rounds in common) for any p below alpha */
};

enum findings_pairing {
    FINDINGS_UNPAIRED, /* Mann-Whitney and Hodges-Lehmann over the repetitions */
    FINDINGS_PAIRED,   /* signed ranks and Walsh averages over per-round log ratios */
};

/* One comparison of case a against case b. */
struct findings_test {
    enum findings_pairing pairing;
    size_t n_a, n_b;     /* repetitions a side; paired: both the rounds in common */
    double p;            /* two-sided; NAN when not compared */
    double q;            /* Benjamini-Hochberg across the report's claims; NAN when not a claim */
    double estimate, lo, hi; /* log(a / b) and its 1 - FINDINGS_ALPHA interval (infinite ends
                                when the repetitions are too few for the level) */
    bool testable;       /* enough repetitions or rounds for some p below alpha */
};

/* One backend at one sweep point. */
struct findings_cell {
    const struct report_case *c; /* NULL when not measured there or without a valid sample */
    double ratio;                /* to the baseline backend here: exp of the tested estimate
                                    (vs_baseline); NAN when the baseline is absent */
    struct findings_test vs_baseline; /* this case against the baseline's case at the point */
    double median_lo, median_hi; /* the distribution-free interval of the median (the sign test's),
                                    the plot's error bars: 1 - alpha, or min..max when too few */
    double median_coverage;      /* the coverage that interval has */
    bool wide;                   /* too wide to rank */
};

struct findings_point {
    long winner;    /* series index of the fastest ranked map; -1 when none */
    long runner_up; /* the second fastest; -1 when none */
    long baseline;  /* series index of the baseline backend, when measured here; -1 otherwise */
    struct findings_test test; /* winner against runner-up; p NAN without both */
    enum findings_verdict verdict; /* of the claim "winner ahead of the runner-up" */
    bool separable; /* the winner is not too wide and significantly ahead of the runner-up */
};

struct findings_sweep {
    size_t point_count, series_count;
    struct findings_point *points; /* parallel to report_sweep.points */
    struct findings_cell *cells;   /* point-major: see findings_cell_at */
    bool has_latency;              /* some case has get latencies */
    bool starved;                  /* some multi-threaded case starves a worker */
    double heaviest;               /* the point the percentile plot shows: the heaviest (most
                                      threads, most writes that still leave gets, ...) */
    double bytes_per_key;          /* keys sweeps: the lower median over the series (null excluded)
                                      of each one's bytes per key at its largest point; there fixed
                                      overheads no longer count, and a median keeps one backend's
                                      pending copies (cow) from moving every line.  0: none */
};

struct findings_crossover {
    size_t sweep;         /* index into the sweeps */
    size_t winner, loser; /* series indices: winner leads beyond the crossing, in the dimension's
                             natural direction (more writes for read_pct) */
    double x;             /* interpolated crossing, in the sweep's x units */
    double x_lo, x_hi;    /* the neighbouring points */
    struct findings_test at_lo, at_hi; /* winner against loser at each point */
    double q;             /* of the claim (p: the larger of the two); NAN when untestable */
    enum findings_verdict verdict;
};

struct findings_knee {
    size_t sweep, series;
    double keys;       /* the point where the slope breaks */
    double drop;       /* slope before minus slope after */
    int cache_level;   /* 1-based; 0 when the machine has no cache sizes */
    double cache_keys; /* that level's capacity in keys */
};

enum findings_shift { FINDINGS_SHIFT_NONE, FINDINGS_SHIFT_UP, FINDINGS_SHIFT_DOWN };

struct findings_history_cell {
    const struct report_case *c; /* the case in that run (of the history data); NULL: not measured */
    enum findings_shift shift;   /* against the previous run of the same method that measured it */
    struct findings_test test;   /* this run against that one (unpaired); p NAN for the first */
    bool method_break;           /* the first run measured by another method than the run before
                                    it: the line breaks here and no shift is tested across it */
};

/* One case of the report across its machine's runs. */
struct findings_history_row {
    const struct report_case *c; /* the report's case */
    struct findings_history_cell cells[FINDINGS_HISTORY_RUNS]; /* parallel to the table's runs */
};

/* One machine's history: only machines with at least one case measured in two runs get one. */
struct findings_history {
    int64_t machine_id;
    int64_t run_ids[FINDINGS_HISTORY_RUNS]; /* oldest first */
    int run_methods[FINDINGS_HISTORY_RUNS];  /* each run's measurement-method version */
    size_t run_count;
    struct findings_history_row *rows;
    size_t row_count;
};

/* ---- "which map when" ---- */

/* One workload at one thread count: the point that measured it and what was decided there. */
struct findings_matrix_cell {
    bool measured;      /* some sweep point measured the workload at this thread count */
    size_t sweep, point; /* that point (of the sweeps; when several did, the one that ranked most
                            backends: a threads or read_pct sweep over a shards one) */
    size_t ranked;      /* backends measured at it */
    long winner, runner_up; /* series of that sweep (findings_point); -1 when none */
    bool separable;     /* the point's winner is separable: only then does the cell name it */
    double margin, lo, hi; /* winner / runner-up: exp of the point's tested estimate and interval
                              (infinite ends when too few); NAN without a runner-up */
};

struct findings_matrix_row {
    size_t run;                  /* index into report_data.runs */
    const struct report_case *c; /* one of its cases, for its scenario and workload in words */
    struct findings_matrix_cell *cells; /* parallel to findings_matrix.threads */
    size_t first_case;           /* the row's earliest case in the data: rows follow the run's order */
};

struct findings_matrix {
    int *threads;                /* every thread count of a row, ascending */
    size_t thread_count;
    struct findings_matrix_row *rows; /* by run, then in the order the run measured them */
    size_t row_count;
};

/* ---- groups: reproducibility and machines (findings_groups.c) ---- */

/* Runs of one machine (fingerprint) and one build (commit, flags, measurement method): pooled and
 * checked for reproducibility within, compared only across. */
struct findings_group {
    const struct report_machine *machine;
    const struct report_run *first; /* its build's commit, flags and method */
    size_t runs[REPORT_MAX_RUNS];   /* indices into report_data.runs, in report order */
    size_t run_count;
};

/* How a claim made in one run fares in another run of its group. */
enum findings_replication {
    FINDINGS_REPRODUCED,   /* established there too: significant, the same way */
    FINDINGS_APPARENT,     /* the same way, not significant */
    FINDINGS_REVERSED,     /* the other way, not significant */
    FINDINGS_CONTRADICTED, /* significant the other way */
    FINDINGS_UNMEASURED,   /* the point or a backend was not measured there */
    FINDINGS_REPLICATIONS
};

/* A winner (separable) or an established crossover of one run, checked in every other run of its
 * group.  The checks are tests of their own, one Benjamini-Hochberg family at FINDINGS_ALPHA (a
 * crossover's two points are two tests; it is reproduced when both hold, contradicted when either
 * is significant the other way). */
struct findings_check {
    bool crossover;        /* else a winner */
    size_t sweep;          /* the claim's sweep (of its run) */
    size_t point;          /* winner: the point index */
    size_t index;          /* crossover: index into findings.crossovers */
    size_t group;
    enum findings_replication in_run[REPORT_MAX_RUNS]; /* parallel to the group's runs (the claim's
                                                          own run: FINDINGS_REPRODUCED) */
    struct findings_test tests[REPORT_MAX_RUNS][2];     /* per run: the point (winner) or the two
                                                          points (crossover), leader against the other */
};

/* One case measured on two machines: b against a. */
struct findings_machine_case {
    const struct report_case *a; /* the case on machine a (one of its runs), for its dimensions */
    double median_a, median_b;   /* of the pooled repetitions */
    size_t n_a, n_b, runs_a, runs_b;
    double estimate, lo, hi;     /* log(b / a), Hodges-Lehmann over the pooled repetitions, the
                                    interval spanning every pairing of runs (stats.h) */
};

/* Two groups of different machines, case by case. */
struct findings_machine_pair {
    size_t group_a, group_b;
    bool same_build;           /* the two groups ran the same commit and flags */
    bool one_run_a_side;       /* some side rests on a single run: a state of that machine during
                                  that run is inside every ratio */
    struct findings_machine_case *cases;
    size_t case_count;
};

struct findings {
    struct findings_sweep *sweeps; /* parallel to the report's sweeps */
    size_t sweep_count;
    size_t paired_tests, unpaired_tests; /* comparisons at a point, by the test they used */
    size_t claims;                 /* hypotheses of the one correction */
    struct findings_crossover *crossovers;
    size_t crossover_count;
    struct findings_knee *knees;
    size_t knee_count;
    struct findings_matrix matrix;     /* "which map when" */
    struct findings_history *histories; /* per machine of the report */
    size_t history_count;
    struct findings_group *groups;      /* of the report's runs */
    size_t group_count;
    struct calibration_verdict *calibrations; /* parallel to the report's runs: against the other
                                                 runs of its group, and start against end */
    struct findings_check *checks;      /* "Do the findings reproduce?": groups of 2 runs or more */
    size_t check_count, check_tests;    /* check_tests: hypotheses of the checks' correction */
    struct findings_machine_pair *machine_pairs; /* "new hardware" */
    size_t machine_pair_count;
};

/* The groups, the calibration verdicts, the reproducibility checks and the machine comparisons
 * (findings_groups.c); findings_decide calls it once the report's own claims are decided. */
void findings_groups_decide(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                            struct findings *f);
void findings_groups_free(struct findings *f);
/* "reproduced", "apparent", "reversed", "contradicted", "not measured". */
const char *findings_replication_name(enum findings_replication r);

/* Decides everything about data d and its sweeps: ratios against backend `baseline`; history from
 * `history` (every run of d's machines, oldest first; NULL for none). */
void findings_decide(const struct report_data *d, const struct report_sweep *sweeps, size_t sweep_count,
                     const struct report_data *history, const char *baseline, struct findings *out);
void findings_free(struct findings *f);

/* The one test: case a against case b (see the header).  Paired when pairing is allowed (the two
 * cases come from one run) and both were measured in rounds.  Sets everything but q. */
void findings_test_cases(const struct report_case *a, const struct report_case *b, bool allow_pairing,
                         struct findings_test *t);
/* The verdict of a claim that a leads b (a_leads) or trails it, once q is known. */
enum findings_verdict findings_claim_verdict(const struct findings_test *t, double q, bool a_leads);
/* Whether a crossover's winner leads at the higher of its two points: beyond the crossing in the
 * sweep's natural direction, which for read_pct is towards fewer reads (the lower point). */
bool findings_crossover_leads_at_hi(const struct report_sweep *w);
/* The name of the test t used, for legends: FINDINGS_TEST_NAME or FINDINGS_PAIRED_TEST_NAME. */
const char *findings_test_name(const struct findings_test *t);

/* The cell of series `series` at point index `point`. */
const struct findings_cell *findings_cell_at(const struct findings_sweep *fs, size_t point, size_t series);

/* "up", "down", or "" for no shift. */
const char *findings_shift_name(enum findings_shift shift);

#endif
