/*
 * scenario.h: scenario files (presets are the files shipped in scenarios/), their parser, and the
 * expander that turns one scenario into the flat array of bench_case the runner measures.
 *
 * A scenario is loaded without knowing the machine (so errors come before anything runs) and
 * expanded against a `struct scenario_machine` (so `threads = 1..pus` and `keys = auto` become
 * this machine's numbers).  The parser is libinih; this file documents the format.
 *
 * ---- Format ----------------------------------------------------------------------------------
 *
 *   ; comment (also #), and `key = value ; comment` after a space
 *   [scenario]
 *   name        = my-sweep              ; default: the file name without .ini; 31 characters max
 *   description = one line of text      ; repeated lines are joined with a space
 *   budget      = 60s                   ; the time the scenario may take (a duration, as the
 *                                       ; window's): presets state theirs, tests hold them to it
 *   backends    = striped:shards=64,lock=rwlock, mutex
 *   read_pct    = 100, 90, 50           ; every dimension takes a value or a comma list
 *   threads     = 1..pus
 *
 *   [options]                           ; sweeps over backend options
 *   shards = 1, 4, 16, 64
 *
 *   [case mostly-hits]                  ; optional named groups, see "Case sections"
 *   keys = 1023
 *   hit_pct = 99.9
 *
 * `backends`: backend specs `name` or `name:key=value,...` separated by commas.  A list item with
 * `=` and no `:` continues the previous spec's options, so `striped:shards=4,lock=rwlock, mutex`
 * is two backends.  `all` is every registered backend except `null` (write `all, null` for every
 * one).  Each spec is checked with map_spec_parse at load, so an unknown backend or option is an
 * error then.  Exact duplicates are dropped.  Default: `all`.
 *
 * Dimensions: every other key of [scenario] and of a case section is a case dimension, one row of
 * the table in scenarios/case_dims.c, where each row's default, values and whether it identifies
 * a case are written once; `mapbench list dimensions` prints them.  Each takes a value or a comma
 * list, a list is a sweep, and the cases are the cartesian product.  Counts (threads, keys) may
 * name the machine (`pus`, `1..pus`, `keys = auto`) and are resolved at expansion, sorted, with
 * duplicates dropped.  `duration` and `ops` are the two keys of the window: they may not both
 * appear in one section, the more specific section wins, and --set of one replaces the other.
 *
 * [options]: every key is a backend option swept as a list.  A key that no registered backend
 * declares is an error.  An option sweep applies only to the backends that declare it, and not to
 * a backend whose spec already sets it (the spec wins); the swept value is appended to the
 * case's spec: `striped` with `shards = 16` runs as `striped:shards=16`.
 *
 * Case sections: `[case NAME]` holds dimension keys only.  A file with case sections expands each
 * one separately (its keys override [scenario]'s; the rest come from [scenario], then the defaults)
 * and concatenates the results; its cases carry the scenario name `SCENARIO/NAME`.  Presets such
 * as go-sync use this to put several unrelated workloads into one file.
 *
 * A key may be given again in the same section, or continued on an indented line (after a
 * trailing comma or not): its values are added to the list.  An empty item is an error, and so is
 * a trailing comma that no indented line continues (`threads = 1,2,` alone).  A file with no key
 * in [scenario] and no case section is refused ("nothing to run") rather than run every backend
 * at the defaults.  Unknown sections, unknown keys and bad values are errors naming the file, the
 * line and the key: `scenarios/x.ini:12: key 'read_pct': 101 is not a percentage 0..100`.
 * Lines are at most 197 characters (libinih's line buffer).
 *
 * ---- Expansion -------------------------------------------------------------------------------
 * Order: case section, backend (as listed), option values (in [options] order, last fastest),
 * then the dimensions in the table's order (`mapbench list dimensions`), the last varying
 * fastest.  A case that cannot run here stays in the array with `skipped` set and a reason:
 * `plain` (or any backend spec whose traits say MAP_CONCURRENCY_NONE) with writes and more than
 * one thread unless misuse_demo=1; a MAP_CONCURRENCY_NO_DELETE spec (ref-tbb-unordered) whose
 * writes delete (write_kind insert-delete, or delete_pct > 0) at more than one thread; more
 * threads than 4 x PUs; numa:N or bind:N with N >= the NUMA node count; pus:... naming a PU the
 * machine lacks.
 */
#ifndef MAPBENCH_SCENARIO_H
#define MAPBENCH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "scenarios/case.h"

#define SCENARIO_MAX_CASES 100000

/* The estimate.  Every repetition is one window, whatever the schedule (rounds order the same
 * windows, sequential runs them case by case), and each window costs SCENARIO_SETUP_SECONDS (a
 * fresh map, threads, workload streams, validation, libbenchmark's bookkeeping), the warmup, the
 * window (for `ops` windows, ops x SCENARIO_SECONDS_PER_OP) and the work per key (keys x
 * SCENARIO_PREFILL_SECONDS_PER_KEY).  Skipped cases cost nothing.  A run that measures anything
 * also runs the calibration case (runner/calibrate.h) three times: SCENARIO_CALIBRATION_SECONDS
 * in all, which tests/test_calibrate.c holds the calibration's own plan to.
 * The per-key figure covers prefill, the post-window validation (a lookup per key) and teardown,
 * averaged over every backend: measured as 1.6 us on the key-count preset (1 to 16M keys) on a
 * 2-core machine, where rcu, ref-lfht and syncmap cost most and mutex about 0.5 us.  The setup
 * figure is twice the 15 ms a window of `quick` cost beyond its length on that machine. */
#define SCENARIO_SETUP_SECONDS 0.03
#define SCENARIO_PREFILL_SECONDS_PER_KEY 1.5e-6
#define SCENARIO_SECONDS_PER_OP 1e-7
#define SCENARIO_CALIBRATION_SECONDS 2.4

struct scenario; /* opaque */

/* Facts the runner reads from hwloc. */
struct scenario_machine {
    int pus, cores, packages, numa_nodes;
    int cache_levels;           /* number of data/unified cache levels found */
    uint64_t cache_bytes[4];    /* [0] = L1d ... per-core/per-shared capacity */
    double table_bytes_per_key; /* real bytes per key of the shared table at its load */
};

/* A preset name (a file NAME.ini in the scenario directory) or a path (anything containing '/'
 * or ending in ".ini").  NULL with a one-line reason in err. */
struct scenario *scenario_load(const char *preset_or_path, char *err);
/* --set KEY=VALUE: KEY is a [scenario] key, a dimension (replacing it in every case section too),
 * a backend option (`shards`, or explicitly `options.shards`).  Replaces, never appends. */
bool scenario_set(struct scenario *s, const char *key_equals_value, char *err);
/* --backends: replaces the backend list; same syntax as the `backends` key. */
bool scenario_set_backends(struct scenario *s, const char *comma_list, char *err);
/* The cases, a malloc'd array the caller frees; false with a reason in err (e.g. too many). */
bool scenario_expand(const struct scenario *s, const struct scenario_machine *m,
                     struct bench_case **cases, size_t *count, char *err);
/* Seconds a run of the cases would take, calibration included, by the rule stated at
 * SCENARIO_SETUP_SECONDS; 0 when every case is skipped (nothing runs, not even the calibration). */
double scenario_estimate_seconds(const struct bench_case *cases, size_t count);
/* Seconds one window (one repetition) of the case would take; 0 for a skipped case. */
double scenario_estimate_window_seconds(const struct bench_case *c);
const char *scenario_name(const struct scenario *s);
const char *scenario_description(const struct scenario *s); /* "" when the file has none */
double scenario_budget_seconds(const struct scenario *s);   /* the `budget` key; 0 when none */
const char *scenario_path(const struct scenario *s);        /* the file it was loaded from */
void scenario_free(struct scenario *s);

/* The scenario directory: env MAPBENCH_SCENARIOS (which must exist when set), else
 * <directory of /proc/self/exe>/scenarios, else ./scenarios, the first that is a directory. */
bool scenario_find_directory(char *dir, size_t len, char *err);
/* Preset names (file stems of *.ini) in the scenario directory, sorted, in a malloc'd array of
 * malloc'd strings (free with scenario_free_presets).  Returns the count; 0 with err set on
 * failure, 0 with err "" when the directory holds none. */
size_t scenario_list_presets(char ***names, char *err);
void scenario_free_presets(char **names, size_t count);

#endif
