/*
 * store.h: the results database (one SQLite file, `results.db` by default).  The runner writes
 * machines, runs, cases and samples through the first half of this API; reports read them back
 * through the second half, or with their own SELECTs over the documented schema and views (see
 * store/store_schema.sql, which a test keeps equal to what store_open creates).
 *
 * Durability contract: a case is buffered in memory from store_case_begin to store_case_end and
 * written, with all its samples and histograms, in one short transaction at store_case_end.  So
 * the measurement never holds the database's write lock (a second process writing the same file
 * waits milliseconds, not a case's length), and a process that dies keeps every finished case and
 * none of an unfinished one.  A run this host left 'running' whose writer is gone (another boot
 * id, no such pid, a zombie, another process start time: store/store_host.h) is marked 'aborted'
 * by the next store_open; runs of other hosts are left as they are.
 *
 * Every function taking `char *err` writes one line (ERR_LEN bytes at most) when it fails.
 * One `struct store` belongs to one thread at a time.
 */
#ifndef MAPBENCH_STORE_H
#define MAPBENCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "runner/result.h"
#include "scenarios/case.h"

#define STORE_SCHEMA_VERSION 7
#define STORE_BUSY_TIMEOUT_MS 5000

struct store;

/* ---- opening ---------------------------------------------------------------------------- */

/* Creates or migrates PATH; WAL; busy timeout STORE_BUSY_TIMEOUT_MS; foreign keys on.  Fails with
 * one line when PATH cannot be created or written, is not a (mapbench) database, stays locked past
 * the timeout, or has a newer schema than STORE_SCHEMA_VERSION.  Marks runs left 'running' by a
 * dead writer of this host as 'aborted'. */
struct store *store_open(const char *path, char *err);
/* The same with another busy timeout (tests, and callers that would rather fail fast). */
struct store *store_open_with_timeout(const char *path, int timeout_ms, char *err);
/* store_open for readers (list, report, compare): a missing file is an error ("no results
 * database at PATH"), never a new empty database left behind. */
struct store *store_open_existing(const char *path, char *err);
/* Checks, read-only and writing nothing, that PATH is a mapbench database this mapbench can read:
 * false with one line when it is missing, not a database, another program's, empty, or newer. */
bool store_probe(const char *path, char *err);
/* Removes a database file this process made and nobody else has open, with the files SQLite
 * keeps beside it (-wal, -shm, -journal). */
void store_file_remove(const char *path);
/* Abandons an unfinished case, then closes.  NULL is allowed. */
void store_close(struct store *s);

/* ---- writing ---------------------------------------------------------------------------- */

struct store_machine {
    char fingerprint[65], hostname[128], cpu_model[128], kernel[128];
    int packages, numa_nodes, cores, pus;
    uint64_t cache_bytes[4]; /* [0] is level 1's data cache; levels past cache_levels unused */
    int cache_levels;
    const char *topology_xml; /* hwloc export; NULL stored as NULL */
};

/* Inserts the machine, or finds it by fingerprint (refreshing hostname and kernel). */
bool store_machine_upsert(struct store *s, const struct store_machine *m, int64_t *machine_id, char *err);

struct store_run {
    int64_t machine_id;
    const char *command_line, *git_commit, *label, *compiler, *cflags, *library_versions,
               *transparent_hugepages, *cpu_governor, *scenarios; /* NULL stored as NULL */
    int method_version;          /* 0: this build's, METHOD_VERSION (runner/method.h) */
    double planted_slowdown_pct; /* MAPBENCH_PLANTED_SLOWDOWN_PCT's (runner/planted.h); 0: none, NULL */
    const char *schedule;   /* "rounds" or "sequential" (runner/schedule.h); NULL stored as NULL */
    uint64_t schedule_seed; /* the seed of the rounds' order; stored only with schedule "rounds" */
    const char *scenario_text;   /* the scenario files as run (runner/environment.h); NULL stored as NULL */
    const char *cpu_mitigations; /* the kernel's CPU vulnerability mitigations; NULL stored as NULL */
};

/* Inserts a run 'running', named by a fresh random UUID and stamped with its writer: this host's
 * name and boot id, this process's pid and start time. */
bool store_run_begin(struct store *s, const struct store_run *r, int64_t *run_id, char *err);
/* The run's schedule ("" when not recorded: runs before schema 4) and the seed of its rounds'
 * order (*has_seed false when none); false with "no run N" when there is no such run. */
bool store_run_schedule(struct store *s, int64_t run_id, char *schedule, size_t len, uint64_t *seed,
                        bool *has_seed, char *err);
/* status: done|aborted|failed; stamps finished_at. */
bool store_run_finish(struct store *s, int64_t run_id, const char *status, char *err);

/* Opens a case: reserves its id (committed at once, so ids follow the order cases began) and
 * buffers the case.  plan: the planned PUs, e.g. "0,2"; NULL stored as NULL.  One case at a time. */
bool store_case_begin(struct store *s, int64_t run_id, const struct bench_case *c, const char *plan,
                      bool oversubscribed, int64_t *case_id, char *err);
/* Buffers one repetition of the open case. */
bool store_sample_insert(struct store *s, int64_t case_id, const struct result_sample *r, char *err);
/* Buffers one latency histogram (op: enum result_op; encoding describes the bucket layout, e.g.
 * "loglinear:sub=16"); counts are stored as a JSON array. */
bool store_histogram_insert(struct store *s, int64_t case_id, int repetition, int op,
                            const char *encoding, const uint64_t *counts, size_t n, char *err);
/* status: ok|skipped|invalid|failed; reason NULL when none.  Writes the case, its samples and
 * histograms in one transaction and commits; on failure nothing of the case is written. */
bool store_case_end(struct store *s, int64_t case_id, const char *status, const char *reason, char *err);
/* Drops the open case (interrupted run): nothing of it is written.  True when one was open. */
bool store_case_abandon(struct store *s);
/* Writes a case the expander skipped (status 'skipped', reason c->skip_reason), committed. */
bool store_case_skipped(struct store *s, int64_t run_id, const struct bench_case *c, char *err);

/* Writes the run's calibration windows (one phase's, usually) in one transaction. */
bool store_calibrations_insert(struct store *s, int64_t run_id, const struct result_calibration *rows,
                               size_t n, char *err);
/* Every calibration window of the run, by phase (start, middle, end), kind and repetition; *rows
 * is malloc'd (caller frees; NULL with *n 0 when the run has none, as runs before schema 4). */
bool store_calibrations_read(struct store *s, int64_t run_id, struct result_calibration **rows,
                             size_t *n, char *err);

/* ---- reading ---------------------------------------------------------------------------- */

/* The `mapbench list runs` table, newest first: the host is the run's writer, and a run another
 * host left running shows as "running on HOST?".  Returns the number of runs, -1 on error. */
int store_list_runs(struct store *s, FILE *out, char *err);

/* The newest run's id (highest id); false with "no runs in PATH" when there is none. */
bool store_latest_run_id(struct store *s, int64_t *run_id, char *err);

/* One row of store_run_samples: a case of the run and one of its samples.  A case with no samples
 * (skipped, failed before measuring) comes once with has_sample false and `sample` zeroed.
 * Absent values come back absent: latency[op].samples 0, counters present false. */
struct store_row {
    int64_t run_id, case_id, sample_id;
    char case_status[16];
    char case_reason[256];
    char plan[256];
    bool oversubscribed;
    struct bench_case c; /* c.skipped and c.skip_reason follow case_status */
    bool has_sample;
    struct result_sample sample;
};

/* Return false to stop the iteration (store_run_samples then still returns true). */
typedef bool (*store_row_fn)(const struct store_row *row, void *ctx);

/* Calls fn for every (case, sample) of run_id, ordered by case id then repetition.  The row is
 * reused between calls: copy what must outlive the call. */
bool store_run_samples(struct store *s, int64_t run_id, store_row_fn fn, void *ctx, char *err);

/* Reads one histogram; *counts is malloc'd (caller frees).  encoding: at least 64 bytes. */
bool store_histogram_read(struct store *s, int64_t case_id, int repetition, int op, char *encoding,
                          uint64_t **counts, size_t *n, char *err);

/* Copies a text column of a reports' own query into out ("" for NULL), truncating to len. */
struct sqlite3_stmt;
void store_column_text(struct sqlite3_stmt *st, int column, char *out, size_t len);

/* The open connection, for reports' own read-only queries over the documented schema and views. */
struct sqlite3 *store_db(struct store *s);
/* The path it was opened with. */
const char *store_path(const struct store *s);

/* ---- merging (store_merge.c) ------------------------------------------------------------- */

/* What merging one source added, and what it found already there or left out. */
struct store_merge_counts {
    int64_t machines;        /* machines added (a fingerprint the destination lacked) */
    int64_t runs;            /* runs added */
    int64_t runs_present;    /* runs whose UUID the destination holds: skipped, contents checked */
    int64_t runs_unfinished; /* runs still 'running' in the source: left out until they end */
    int64_t cases, samples, histograms;
    int64_t other_rows;      /* rows of every other table that hangs off a run or a case */
};

enum store_merge_status {
    STORE_MERGE_DONE,
    STORE_MERGE_FAILED,  /* could not read, copy or write (exit status 1) */
    STORE_MERGE_REFUSED, /* a bad source or a conflict (exit status 2) */
};

/* Copies into dst every finished run of each source file, with its machine, cases, samples,
 * histograms and every other row that hangs off it, ids remapped; a run whose UUID dst already
 * holds is skipped, so merging again adds nothing.  A source is read through a migrated temporary
 * copy, never changed.  Refused: a source that is missing, no mapbench database, newer, or dst
 * itself; a run UUID whose contents differ from dst's copy; a machine fingerprint whose facts
 * differ.  All sources are merged in one transaction: unless DONE, nothing is written.
 * counts[i] is filled for sources[i]. */
enum store_merge_status store_merge(struct store *dst, const char *const *sources, size_t count,
                                    struct store_merge_counts *counts, char *err);

#endif
