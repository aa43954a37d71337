/*
 * engine.h: mapbench's small C API over Google Benchmark (libbenchmark), the measurement engine.
 *
 * libbenchmark keeps doing what people rely on it for: registration, repetitions, aggregates
 * (mean, median, stddev, cv), random interleaving of repetitions, filters, its console reporter and
 * its JSON/CSV output (--benchmark_out=F.json).  What it does not do is the timing of a concurrent
 * window: its own threads are unpinned, each runs the same iteration count, and its wall time is
 * the mean over threads.  So each registered case runs exactly one iteration per repetition, in
 * which our own pinned workers measure one window; the window's length is handed back as manual
 * time (UseManualTime + SetIterationTime), its figures as user counters.
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

/* What one repetition reports back to the engine. */
struct engine_window {
    double seconds;               /* the measured window: becomes libbenchmark's manual time */
    double items;                 /* operations completed: libbenchmark derives items_per_second */
    int counter_count;
    const char *counter_names[ENGINE_MAX_COUNTERS];
    double counter_values[ENGINE_MAX_COUNTERS];
    bool failed;                  /* the repetition could not be measured or was invalid */
    char error[256];              /* why, shown by libbenchmark's reporters */
};

/* Runs the next repetition of the case registered with `arg` (which counts its repetitions: with
 * --benchmark_enable_random_interleaving they arrive interleaved with other cases'). */
typedef void (*engine_window_fn)(void *arg, struct engine_window *out);

/* Hands argv to libbenchmark, which removes the --benchmark_* flags it recognises.  Returns false
 * with a message naming the first argument left unrecognised. */
bool engine_init(int *argc, char **argv, char *err, size_t err_len);
/* Registers one case: `repetitions` windows, each a call of fn(arg, window). */
void engine_register(const char *name, engine_window_fn fn, void *arg, int repetitions);
/* Runs every registered case through libbenchmark's runner and reporters; returns how many ran. */
size_t engine_run(void);
void engine_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
