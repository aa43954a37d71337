/*
 * calibration.h: whether the machine moved during or between runs, judged from the calibration
 * case every run stores at its start, middle and end (the table `calibrations (run_id, phase
 * TEXT start|middle|end, kind TEXT, repetition INTEGER, value REAL, unit TEXT)`: a fixed reference
 * measurement, such as a 1-thread get loop, whose code does not change with the code under test).
 * The gate (compare.c) and the report read it, so a slowdown of the whole machine is named as the
 * machine's rather than blamed on the code.
 *
 * The rule, per kind of calibration (each kind is judged alone, in its own unit):
 *   - within a run: its start and end repetitions do not overlap (every end value beyond every
 *     start value, either way) AND their medians differ by more than the threshold;
 *   - against reference runs (the gate: the baseline's runs; the report: the other runs of the
 *     same machine and build): the run's median (all phases) lies outside the range of every
 *     reference value AND differs from the references' median by more than the threshold.
 * "Beyond its own noise" is thus beyond the spread the calibration's own repetitions showed, and
 * the threshold keeps a very quiet calibration from flagging a 1% move.  A run that stored no
 * calibration is not judged (older runs, or a database without the table).
 */
#ifndef MAPBENCH_CALIBRATION_H
#define MAPBENCH_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

enum calibration_phase { CALIBRATION_START, CALIBRATION_MIDDLE, CALIBRATION_END, CALIBRATION_PHASES };

struct calibration_value {
    int64_t run_id;
    enum calibration_phase phase;
    char kind[48], unit[24];
    double value;
};

/* Every calibration value of some runs. */
struct calibration_set {
    struct calibration_value *values;
    size_t count;
};

/* Appends the calibration values of run_id (none when the table does not exist); false with one
 * line in err on a database error. */
bool calibration_load(struct store *s, int64_t run_id, struct calibration_set *set, char *err);
void calibration_free(struct calibration_set *set);

struct calibration_verdict {
    bool measured;  /* the run stored calibration values */
    bool moved;
    char why[256];  /* when moved: "get-loop 41.2 Mops/s at the start, 30.1 at the end (-27%)" */
};

/* Judges run `run` by the rule above: within itself, and against the runs reference[0..n) (the
 * run itself, if among them, is left out); threshold is a fraction (0.05). */
void calibration_judge(const struct calibration_set *set, int64_t run, const int64_t *reference, size_t n,
                       double threshold, struct calibration_verdict *out);

#endif
