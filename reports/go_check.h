/*
 * go_check.h: the cross-check of mapbench against Go's own map benchmarks (`make go-check`,
 * `mapbench go-check`).  It reads two runs of one database: Go's output imported by `mapbench
 * import go-bench` (cases of role external, backends go:sync.Map, go:RWMutexMap, go:DeepCopyMap)
 * and a mapbench run of the go-sync preset, and, for each benchmark and each thread count (Go's
 * -cpu value), sets Go's ordering of its three maps beside mapbench's ordering of the specs that
 * behave like them (go_check_pairs[]).
 *
 * Go's rule decides what Go establishes: two maps are separated when the ranges [min, max] of
 * their repetitions' throughput are disjoint and the faster one's minimum is at least 10% above
 * the slower one's maximum.  Where Go separates two maps, mapbench's medians must order the two
 * specs the same way; where Go does not, nothing is required (mapbench's own separation by the
 * same rule is shown, for information).  For each disagreement the check prints the figures
 * measured on both sides that can explain it: Go's allocations per operation and mapbench's, and
 * mapbench's hit rate, effective writes per operation and bytes per key for both specs.  A
 * benchmark Go ran that mapbench's run lacks (or stored without a valid sample) is reported as
 * missing; maps Go skipped (DeepCopyMap's "quadratic running time") are simply absent.
 */
#ifndef MAPBENCH_GO_CHECK_H
#define MAPBENCH_GO_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "store/store.h"

/* Go's reference maps and the mapbench specs that behave like them (README, "Go's RWMutex and
 * Go's reference maps"). */
struct go_check_pair {
    const char *go;   /* the imported backend: "go:sync.Map" */
    const char *spec; /* mapbench's: "syncmap" */
};
extern const struct go_check_pair go_check_pairs[];
extern const size_t go_check_pair_count;

/* Go's separation rule on two sets of throughputs (higher is faster): 1 when a is separated above
 * b, -1 when b above a, 0 when the ranges overlap or lie less than 10% apart. */
int go_check_separated(const double *a, size_t na, const double *b, size_t nb);

/* What one check found. */
struct go_check_tally {
    size_t separated;    /* pairs of maps Go separates */
    size_t agree;        /* of those, ordered the same way by mapbench */
    size_t disagree;
    size_t unseparated;  /* pairs Go does not separate */
    size_t missing;      /* Go's (benchmark, threads, map) without a valid mapbench case */
};

/* The newest run holding imported (external) go-sync cases, and the newest holding mapbench's
 * own go-sync cases; false with one line in err when either is absent. */
bool go_check_find_runs(struct store *s, int64_t *go_run, int64_t *our_run, char *err);

/* Prints the check of go_run against our_run to out and fills the tally; false with one line in
 * err when a run cannot be read or go_run holds no imported go-sync case. */
bool go_check_print(struct store *s, int64_t go_run, int64_t our_run, FILE *out,
                    struct go_check_tally *tally, char *err);

#endif
