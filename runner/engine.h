/*
 * engine.h: mapbench's small C API over Google Benchmark (libbenchmark), the measurement engine.
 *
 * libbenchmark keeps doing what people rely on it for: registration, aggregates (mean, median,
 * stddev, cv), filters, its reporters (console, JSON, CSV) and its output file
 * (--benchmark_out=F.json).  What it does not do is the timing of a concurrent window: its own
 * threads are unpinned, each runs the same iteration count, and its wall time is the mean over
 * threads.  So each window runs exactly one iteration, in which our own pinned workers measure
 * it; the window's length is handed back as manual time (UseManualTime + SetIterationTime), its
 * figures as user counters.
 *
 * Nor can libbenchmark 1.7.1 order windows as mapbench does: it runs all repetitions of a
 * benchmark back to back, or, with --benchmark_enable_random_interleaving, shuffles all of them
 * together.  So the caller declares its cases, then appends their windows in run order (rounds,
 * runner/schedule.h), and each window is registered as a benchmark of its own, under its case's
 * name, in that order.  A proxy reporter in front of libbenchmark's reporters gives each window's
 * run back its case's identity: the repetition index and count, the `repeats:N` part of the name
 * and the case's family index; and after a case's last window it passes on the case's runs and
 * the aggregates libbenchmark would have computed for them.  So the JSON of --benchmark_out keeps
 * its schema, its names and one entry per repetition, grouped by case as before.
 * --benchmark_enable_random_interleaving is refused: it would reorder the windows behind the
 * schedule's back.
 *
 * Display: without --benchmark_format, libbenchmark prints nothing and the caller prints for
 * people; with it (console, json or csv), libbenchmark's own display goes to stdout as always.
 *
 * The C++ lives only in engine.cc; this header is plain C.
 */
#ifndef MAPBENCH_ENGINE_H
#define MAPBENCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_MAX_COUNTERS 16

/* What one window reports back to the engine. */
struct engine_window {
    double seconds;               /* the measured window: becomes libbenchmark's manual time */
    double items;                 /* operations completed: libbenchmark derives items_per_second */
    int counter_count;
    const char *counter_names[ENGINE_MAX_COUNTERS];
    double counter_values[ENGINE_MAX_COUNTERS];
    bool failed;                  /* the window could not be measured or was invalid */
    char error[256];              /* why, shown by libbenchmark's reporters */
};

/* Measures one window appended with `arg`. */
typedef void (*engine_window_fn)(void *arg, struct engine_window *out);

struct engine;

/* Hands argv to libbenchmark, which removes the --benchmark_* flags it recognises, and notes which
 * outputs they ask for.  NULL with a message naming the first argument left unrecognised, an
 * unknown --benchmark_format or --benchmark_out_format, or random interleaving. */
struct engine *engine_create(int *argc, char **argv, char *err, size_t err_len);
/* Whether --benchmark_format was given: libbenchmark then displays on stdout. */
bool engine_displays(const struct engine *e);
/* Declares a case of `repetitions` windows named `name`; returns its handle (0, 1, ... in the
 * order of declaration, which is also its family index in libbenchmark's output). */
int engine_case_add(struct engine *e, const char *name, int repetitions);
/* Appends the case's next window (repetition 0, 1, ...) to the run: windows run in the order they
 * are appended. */
void engine_window_add(struct engine *e, int case_handle, engine_window_fn fn, void *arg);
/* Runs every appended window through libbenchmark's runner and reporters; returns how many
 * windows ran (0 when --benchmark_filter matched none, which libbenchmark reports). */
size_t engine_run(struct engine *e);
void engine_free(struct engine *e);

#ifdef __cplusplus
}
#endif

#endif
