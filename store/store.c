/*
 * store.c: the results database, one SQLite file written through SQLite's C API.
 *
 * Schema (version 7; the full text is store/store_schema.sql, kept equal to this code by
 * tests/test_store.c):
 *   machines   id, fingerprint UNIQUE, hostname, cpu_model, kernel, packages, numa_nodes, cores,
 *              pus, cache_levels, l1_bytes..l4_bytes (data caches), topology_xml (hwloc), first_seen
 *   runs       id, machine_id, started_at, finished_at, status running|done|aborted|failed,
 *              pid, hostname (who is writing it), command_line, git_commit, label, compiler,
 *              cflags, library_versions, scenarios, transparent_hugepages, cpu_governor,
 *              uuid (the run's name in every database it is merged into), boot_id and
 *              process_start (with hostname and pid: the writer, for the liveness check),
 *              method_version (runner/method.h), planted_slowdown_pct (a testing aid's; NULL),
 *              schedule rounds|sequential, schedule_seed (the rounds' order)
 *              scenario_text (the scenario files as run), cpu_mitigations (the kernel's, one line
 *              per vulnerability)
 *   cases      id, run_id, status ok|skipped|invalid|failed, reason, finished_at, plan (planned
 *              PUs), oversubscribed, then the columns of every row of the table of case
 *              dimensions (scenarios/case_dims.c; `mapbench list dimensions`)
 *   samples    id, case_id, repetition (UNIQUE per case), then the columns of every row of the
 *              table of sample figures (store_figures[], store/store_columns.c): throughput,
 *              per-worker counts (JSON), hits and writes, latency percentiles per operation,
 *              memory, hardware counters (NULL when unavailable), validity
 *   histograms case_id, repetition, op (text), encoding, counts (JSON array); key (case, rep, op)
 *   calibrations run_id, phase start|middle|end, kind, repetition, value, unit: the calibration
 *              case's windows (runner/calibrate.h); key (run, phase, kind, repetition)
 *   views      case_results (one row per sample with its run, machine and case columns),
 *              case_summary (one row per case: valid samples, mean/min/max ops_per_s)
 * Latency percentiles are columns rather than a (sample, op) table because the common query,
 * "p99 of gets by backend and threads", is then one SELECT without a pivot.
 *
 * Versions: PRAGMA user_version holds the schema version.  store_migrations[] is the ordered list
 * of steps, step i taking version i to i+1; a new file replays every step, so the upgrade path is
 * the creation path and cannot rot.  Never edit a released step: append one.  After the steps,
 * the part of the schema the two tables of rows define is brought up to date the same way for a
 * new file and an old one (store_migrate_columns): a column of a row that `cases` or `samples`
 * lacks, found with pragma_table_info, is added with ALTER TABLE and the row's default (older
 * cases were measured at the default; older samples did not measure the figure: NULL), and a view
 * whose text differs from the generated one is dropped and recreated.  So adding a dimension or a
 * figure needs no migration step.  An older mapbench opening a newer file leaves the extra
 * columns to their defaults and recreates the views it knows.  All of it runs in one BEGIN
 * IMMEDIATE transaction that re-reads user_version, so two processes opening an old file at once
 * migrate it once.
 *
 * Liveness: a run whose writer died (SIGKILL, power loss) stays 'running' in the file.  store_open
 * marks aborted each run of this host (runs.hostname) whose writer is gone by the rule of
 * store/store_host.h: another boot id, no such pid, a zombie, or another process start time.
 * Runs of other hosts, which a merged or copied file holds, are left as they are; `list runs`
 * shows them as "running on HOST?".
 *
 * Concurrency: WAL (readers never block the writer) plus a busy timeout; every transaction that
 * writes begins IMMEDIATE, because a deferred one that upgrades from read to write gets SQLITE_BUSY
 * without the busy handler being consulted.  The switch to WAL itself also bypasses the busy
 * handler, so it is retried here until the timeout.  A case is buffered in memory and written in
 * one short transaction when it ends (see store.h), so no lock is held while measuring; its id is
 * reserved when it begins by advancing cases' AUTOINCREMENT counter in sqlite_sequence.
 *
 * Every statement binds its values.  SQL texts formatted at run time come from compile-time
 * constants only: "PRAGMA user_version = N" from STORE_SCHEMA_VERSION, and the INSERT, SELECT,
 * ALTER TABLE and CREATE VIEW texts built from the two tables of rows (PRAGMA, ALTER's DEFAULT and
 * DROP VIEW take no parameters).
 */
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runner/method.h"
#include "store/store_columns.h"
#include "store/store_host.h"

static const char *const store_migrations[] = {
    /* 0 -> 1: the first released schema. */
    "CREATE TABLE machines ("
    "  id INTEGER PRIMARY KEY,"
    "  fingerprint TEXT NOT NULL UNIQUE,"
    "  hostname TEXT NOT NULL,"
    "  cpu_model TEXT, kernel TEXT,"
    "  packages INTEGER, numa_nodes INTEGER, cores INTEGER, pus INTEGER,"
    "  cache_levels INTEGER, l1_bytes INTEGER, l2_bytes INTEGER, l3_bytes INTEGER, l4_bytes INTEGER,"
    "  topology_xml TEXT,"
    "  first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  machine_id INTEGER NOT NULL REFERENCES machines(id),"
    "  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  finished_at TEXT,"
    "  status TEXT NOT NULL DEFAULT 'running'"
    "    CHECK (status IN ('running','done','aborted','failed')),"
    "  pid INTEGER NOT NULL, hostname TEXT NOT NULL,"
    "  command_line TEXT, git_commit TEXT, label TEXT, compiler TEXT, cflags TEXT,"
    "  library_versions TEXT, scenarios TEXT);"
    "CREATE INDEX runs_by_machine ON runs(machine_id, started_at);"
    "CREATE TABLE cases ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  status TEXT NOT NULL CHECK (status IN ('ok','skipped','invalid','failed')),"
    "  reason TEXT,"
    "  finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"
    "  scenario TEXT NOT NULL, backend TEXT NOT NULL, backend_name TEXT NOT NULL,"
    "  threads INTEGER NOT NULL, placement TEXT NOT NULL,"
    "  memory TEXT NOT NULL, memory_node INTEGER,"
    "  read_pct REAL NOT NULL, write_kind TEXT NOT NULL, hit_pct REAL NOT NULL,"
    "  range_pct REAL NOT NULL, delete_pct REAL NOT NULL,"
    "  keys INTEGER NOT NULL, key_range INTEGER NOT NULL,"
    "  distribution TEXT NOT NULL, zipf_theta REAL, hot_keys INTEGER,"
    "  duration_s REAL NOT NULL, ops INTEGER NOT NULL, repetitions INTEGER NOT NULL,"
    "  warmup_s REAL NOT NULL, seed INTEGER NOT NULL, latency_every INTEGER NOT NULL,"
    "  misuse_demo INTEGER NOT NULL, plan TEXT, oversubscribed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX cases_by_run ON cases(run_id);"
    "CREATE TABLE samples ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  repetition INTEGER NOT NULL,"
    "  window_s REAL NOT NULL, total_ops INTEGER NOT NULL, ops_per_s REAL, ns_per_op REAL,"
    "  workers INTEGER NOT NULL, worker_ops TEXT NOT NULL, worker_binding TEXT,"
    "  gets INTEGER, get_hits INTEGER, writes_attempted INTEGER, writes_effective INTEGER,"
    "  ranges INTEGER,"
    "  get_samples INTEGER, get_p50_ns REAL, get_p90_ns REAL, get_p99_ns REAL,"
    "  get_p999_ns REAL, get_max_ns REAL,"
    "  put_samples INTEGER, put_p50_ns REAL, put_p90_ns REAL, put_p99_ns REAL,"
    "  put_p999_ns REAL, put_max_ns REAL,"
    "  put_if_absent_samples INTEGER, put_if_absent_p50_ns REAL, put_if_absent_p90_ns REAL,"
    "  put_if_absent_p99_ns REAL, put_if_absent_p999_ns REAL, put_if_absent_max_ns REAL,"
    "  del_samples INTEGER, del_p50_ns REAL, del_p90_ns REAL, del_p99_ns REAL,"
    "  del_p999_ns REAL, del_max_ns REAL,"
    "  range_samples INTEGER, range_p50_ns REAL, range_p90_ns REAL, range_p99_ns REAL,"
    "  range_p999_ns REAL, range_max_ns REAL,"
    "  bytes_per_key REAL, allocs_per_op REAL, peak_rss_bytes INTEGER,"
    "  cycles INTEGER, instructions INTEGER, cache_misses INTEGER,"
    "  valid INTEGER NOT NULL, invalid_reason TEXT,"
    "  UNIQUE (case_id, repetition));"
    "CREATE VIEW case_summary AS"
    "  SELECT c.*, count(s.id) AS valid_samples, avg(s.ops_per_s) AS mean_ops_per_s,"
    "         min(s.ops_per_s) AS min_ops_per_s, max(s.ops_per_s) AS max_ops_per_s,"
    "         avg(s.ns_per_op) AS mean_ns_per_op"
    "  FROM cases c LEFT JOIN samples s ON s.case_id = c.id AND s.valid"
    "  GROUP BY c.id;",

    /* 1 -> 2: the environment beside each run, latency histograms, and case_results. */
    "ALTER TABLE runs ADD COLUMN transparent_hugepages TEXT;"
    "ALTER TABLE runs ADD COLUMN cpu_governor TEXT;"
    "CREATE TABLE histograms ("
    "  case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  repetition INTEGER NOT NULL,"
    "  op TEXT NOT NULL,"
    "  encoding TEXT NOT NULL,"
    "  counts TEXT NOT NULL,"
    "  PRIMARY KEY (case_id, repetition, op));"
    "CREATE VIEW case_results AS"
    "  SELECT r.id AS run_id, r.label AS run_label, r.status AS run_status,"
    "         r.started_at AS run_started_at, r.git_commit, r.compiler, r.cflags,"
    "         r.transparent_hugepages, r.cpu_governor,"
    "         m.id AS machine_id, m.fingerprint, m.hostname, m.cpu_model,"
    "         c.id AS case_id, c.status AS case_status, c.reason AS case_reason,"
    "         c.scenario, c.backend, c.backend_name, c.threads, c.placement, c.memory,"
    "         c.memory_node, c.read_pct, c.write_kind, c.hit_pct, c.range_pct, c.delete_pct,"
    "         c.keys, c.key_range, c.distribution, c.zipf_theta, c.hot_keys, c.duration_s, c.ops,"
    "         c.repetitions, c.warmup_s, c.seed, c.latency_every, c.misuse_demo, c.plan,"
    "         c.oversubscribed,"
    "         s.id AS sample_id, s.repetition, s.window_s, s.total_ops, s.ops_per_s, s.ns_per_op,"
    "         s.workers, s.worker_ops, s.worker_binding, s.gets, s.get_hits,"
    "         s.writes_attempted, s.writes_effective, s.ranges,"
    "         s.get_samples, s.get_p50_ns, s.get_p90_ns, s.get_p99_ns, s.get_p999_ns, s.get_max_ns,"
    "         s.put_samples, s.put_p50_ns, s.put_p90_ns, s.put_p99_ns, s.put_p999_ns, s.put_max_ns,"
    "         s.put_if_absent_samples, s.put_if_absent_p50_ns, s.put_if_absent_p90_ns,"
    "         s.put_if_absent_p99_ns, s.put_if_absent_p999_ns, s.put_if_absent_max_ns,"
    "         s.del_samples, s.del_p50_ns, s.del_p90_ns, s.del_p99_ns, s.del_p999_ns, s.del_max_ns,"
    "         s.range_samples, s.range_p50_ns, s.range_p90_ns, s.range_p99_ns, s.range_p999_ns,"
    "         s.range_max_ns,"
    "         s.bytes_per_key, s.allocs_per_op, s.peak_rss_bytes, s.cycles, s.instructions,"
    "         s.cache_misses, s.valid, s.invalid_reason"
    "  FROM samples s JOIN cases c ON c.id = s.case_id JOIN runs r ON r.id = c.run_id"
    "  JOIN machines m ON m.id = r.machine_id;",

    /* 2 -> 3: each case's backend role (maps/map.h), so reports and the gate treat null, plain and
     * the references by property.  Older cases get the role their backend had then. */
    "ALTER TABLE cases ADD COLUMN role TEXT NOT NULL DEFAULT 'contender';"
    "UPDATE cases SET role = CASE WHEN backend_name = 'null' THEN 'harness'"
    "  WHEN backend_name = 'plain' THEN 'ceiling'"
    "  WHEN backend_name LIKE 'ref-%' THEN 'reference' ELSE 'contender' END;",

    /* 3 -> 4: each run's UUID, which names it in every database it is merged into, and its
     * writer's boot id and process start time, which with hostname and pid tell whether the writer
     * still runs.  An older run gets a UUID derived from its own row (mapbench_uuid_of, registered
     * by store_open), so the migrated copies of one old file always agree and merging it twice
     * adds its runs once. */
    "ALTER TABLE runs ADD COLUMN uuid TEXT;"
    "ALTER TABLE runs ADD COLUMN boot_id TEXT;"
    "ALTER TABLE runs ADD COLUMN process_start INTEGER;"
    "UPDATE runs SET uuid = mapbench_uuid_of(id || '|' || hostname || '|' || pid || '|' || started_at"
    "  || '|' || coalesce(command_line, '') || '|'"
    "  || coalesce((SELECT fingerprint FROM machines m WHERE m.id = runs.machine_id), ''));"
    "CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);",

    /* 4 -> 5: the measurement-method version of each run (runner/method.h; every older run was
     * measured by method 1) and the slowdown a testing aid planted in it (NULL: none). */
    "ALTER TABLE runs ADD COLUMN method_version INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE runs ADD COLUMN planted_slowdown_pct REAL;",

    /* 5 -> 6: how the run ordered its windows (the schedule, and the seed of its rounds' random
     * order, so the order is reproducible from the file), and the calibration case it ran at its
     * start, middle and end.  Older runs leave both NULL: not recorded. */
    "ALTER TABLE runs ADD COLUMN schedule TEXT;"
    "ALTER TABLE runs ADD COLUMN schedule_seed INTEGER;"
    "CREATE TABLE calibrations ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  phase TEXT NOT NULL CHECK (phase IN ('start','middle','end')),"
    "  kind TEXT NOT NULL,"
    "  repetition INTEGER NOT NULL,"
    "  value REAL NOT NULL,"
    "  unit TEXT NOT NULL,"
    "  PRIMARY KEY (run_id, phase, kind, repetition));",

    /* 6 -> 7: what a published report needs to say how to reproduce a run: the text of the
     * scenario files as they were run, and the kernel's CPU vulnerability mitigations.  Older runs
     * did not record them: NULL. */
    "ALTER TABLE runs ADD COLUMN scenario_text TEXT;"
    "ALTER TABLE runs ADD COLUMN cpu_mitigations TEXT;",
};

#define STORE_MIGRATION_COUNT ((int)(sizeof store_migrations / sizeof store_migrations[0]))
_Static_assert(sizeof store_migrations / sizeof store_migrations[0] == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

struct store_histogram {
    int repetition, op;
    char *encoding;
    uint64_t *counts;
    size_t n;
};

/* The case between store_case_begin and store_case_end. */
struct store_pending {
    bool open;
    int64_t case_id, run_id;
    struct bench_case c;
    char *plan;
    bool oversubscribed;
    struct result_sample *samples;
    size_t sample_count, sample_cap;
    struct store_histogram *histograms;
    size_t histogram_count, histogram_cap;
};

struct store {
    sqlite3 *db;
    char *path;
    int timeout_ms;
    char hostname[256];
    char boot_id[STORE_UUID_LEN]; /* "" when the kernel does not say */
    uint64_t process_start;       /* this process's start time (/proc/self/stat), 0 unknown */
    struct store_pending pending;
    char *sql_case_insert, *sql_sample_insert, *sql_run_rows; /* from the column tables */
};

/* ---- errors ----------------------------------------------------------------------------- */

/* Turns an SQLite result code into the one line the user reads: the four failures store_open
 * promises by name, and "results database X: DOING: MESSAGE" for anything else. */
static bool store_fail(struct store *s, int rc, const char *doing, char *err)
{
    const char *message = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    int sys = s->db ? sqlite3_system_errno(s->db) : 0;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        snprintf(err, ERR_LEN, "results database %s is locked by another process (gave up after %d ms)",
                 s->path, s->timeout_ms);
        break;
    case SQLITE_NOTADB:
        snprintf(err, ERR_LEN, "results database %s is not an SQLite database", s->path);
        break;
    case SQLITE_CANTOPEN:
        snprintf(err, ERR_LEN, "cannot write results database %s: %s", s->path,
                 sys ? strerror(sys) : message);
        break;
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
        snprintf(err, ERR_LEN, "cannot write results database %s: %s", s->path, message);
        break;
    default:
        snprintf(err, ERR_LEN, "results database %s: %s: %s", s->path, doing, message);
    }
    return false;
}

static bool store_fail_text(struct store *s, char *err, const char *fmt, ...)
{
    char text[ERR_LEN - 64]; /* leaves room for the path in err */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(err, ERR_LEN, "results database %s: %s", s->path, text);
    return false;
}

/* ---- statements --------------------------------------------------------------------------- */

/* Binds parameters left to right; the first failure sticks in rc. */
struct store_binder {
    sqlite3_stmt *stmt;
    int next, rc;
};

static void bind_int(struct store_binder *b, int64_t v)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->stmt, ++b->next, v);
}

static void bind_double(struct store_binder *b, double v)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_double(b->stmt, ++b->next, v);
}

static void bind_null(struct store_binder *b)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_null(b->stmt, ++b->next);
}

static void bind_text(struct store_binder *b, const char *t)
{
    if (!t)
        bind_null(b);
    else if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_text(b->stmt, ++b->next, t, -1, SQLITE_TRANSIENT);
}

static void bind_int_if(struct store_binder *b, bool present, int64_t v)
{
    if (present)
        bind_int(b, v);
    else
        bind_null(b);
}

static sqlite3_stmt *store_prepare(struct store *s, const char *sql, struct store_binder *b, char *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "preparing a statement", err);
        return NULL;
    }
    *b = (struct store_binder){ .stmt = stmt, .next = 0, .rc = SQLITE_OK };
    return stmt;
}

/* Steps a bound statement once and finalizes it.  With row_value, the statement must return a
 * row and its column 0 lands there (INSERT ... RETURNING id, SELECT count(*)). */
static bool store_finish(struct store *s, struct store_binder *b, int64_t *row_value, const char *doing, char *err)
{
    int rc = b->rc == SQLITE_OK ? sqlite3_step(b->stmt) : b->rc;
    bool found = rc == SQLITE_ROW;
    if (found && row_value)
        *row_value = sqlite3_column_int64(b->stmt, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        store_fail(s, rc, doing, err);
    sqlite3_finalize(b->stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return false;
    if (row_value && !found)
        return store_fail_text(s, err, "%s: no such row", doing);
    return true;
}

static bool store_exec(struct store *s, const char *sql, const char *doing, char *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK || store_fail(s, rc, doing, err);
}

static bool store_query_int(struct store *s, const char *sql, int64_t *value, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, sql, &b, err))
        return false;
    return store_finish(s, &b, value, sql, err);
}

static bool store_begin(struct store *s, char *err)
{
    return store_exec(s, "BEGIN IMMEDIATE", "starting a write transaction", err);
}

static void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Commits when ok, rolls back otherwise; returns whether the transaction's work is stored. */
static bool store_end(struct store *s, bool ok, char *err)
{
    if (ok)
        ok = store_exec(s, "COMMIT", "committing", err);
    store_rollback(s);
    return ok;
}

/* ---- opening ---------------------------------------------------------------------------- */

static bool store_fail_newer(struct store *s, int64_t version, char *err)
{
    snprintf(err, ERR_LEN, "results database %s has schema version %lld; this mapbench knows up to %d: use a newer mapbench",
             s->path, (long long)version, STORE_SCHEMA_VERSION);
    return false;
}

/* Rejects before touching the file what store_open must not write to: a file that is not a
 * database, an SQLite database of another program, a schema newer than this code.  *version: the
 * file's schema version (0: a new, empty file). */
static bool store_check_foreign(struct store *s, int64_t *version, char *err)
{
    /* One statement, so one read transaction: a process creating the file between two reads
     * would otherwise show version 0 with tables. */
    struct store_binder b;
    if (!store_prepare(s, "SELECT user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_user_version",
                       &b, err))
        return false;
    int rc = sqlite3_step(b.stmt);
    int64_t tables = sqlite3_column_int64(b.stmt, 1);
    *version = sqlite3_column_int64(b.stmt, 0);
    if (rc != SQLITE_ROW)
        store_fail(s, rc, "reading the schema version", err);
    sqlite3_finalize(b.stmt);
    if (rc != SQLITE_ROW)
        return false;
    if (*version > STORE_SCHEMA_VERSION)
        return store_fail_newer(s, *version, err);
    if (*version == 0 && tables > 0) {
        snprintf(err, ERR_LEN, "results database %s is an SQLite database of another program (no mapbench schema)",
                 s->path);
        return false;
    }
    return true;
}

/* Switching to WAL needs an exclusive lock and does not wait for one, so wait here. */
static bool store_enable_wal(struct store *s, char *err)
{
    struct timespec pause = { 0, 5 * 1000 * 1000 };
    for (int waited = 0;; waited += 5) {
        int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return true;
        if ((rc & 0xff) != SQLITE_BUSY || waited >= s->timeout_ms)
            return store_fail(s, rc, "switching to WAL", err);
        nanosleep(&pause, NULL);
    }
}

/* Whether `table` has a column `name` (pragma_table_info takes bound arguments). */
static bool store_has_column(struct store *s, const char *table, const char *name, bool *has, char *err)
{
    struct store_binder b;
    int64_t count;
    if (!store_prepare(s, "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", &b, err))
        return false;
    bind_text(&b, table);
    bind_text(&b, name);
    if (!store_finish(s, &b, &count, "reading a table's columns", err))
        return false;
    *has = count > 0;
    return true;
}

/* Adds every column of the table's rows that the file lacks, with the row's default: a dimension
 * or figure added after the file was written.  (ALTER TABLE takes no parameters: the text comes
 * from the compile-time tables.) */
static bool store_add_missing_columns(struct store *s, const char *table, const struct store_column *cols,
                                      size_t n, char *err)
{
    for (size_t i = 0; i < n; i++) {
        bool has;
        if (!store_has_column(s, table, cols[i].name, &has, err))
            return false;
        if (has)
            continue;
        char *sql, doing[128];
        if (asprintf(&sql, "ALTER TABLE %s ADD COLUMN %s %s%s%s", table, cols[i].name, cols[i].decl,
                     cols[i].default_sql[0] ? " DEFAULT " : "", cols[i].default_sql) < 0)
            xalloc_die("asprintf", 0);
        snprintf(doing, sizeof doing, "adding column %s.%s", table, cols[i].name);
        bool ok = store_exec(s, sql, doing, err);
        free(sql);
        if (!ok)
            return false;
    }
    return true;
}

/* Drops and recreates view `name` when the file's text differs from `sql`. */
static bool store_refresh_view(struct store *s, const char *name, const char *sql, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", &b, err))
        return false;
    bind_text(&b, name);
    int rc = b.rc == SQLITE_OK ? sqlite3_step(b.stmt) : b.rc;
    const unsigned char *stored = rc == SQLITE_ROW ? sqlite3_column_text(b.stmt, 0) : NULL;
    bool same = stored && strcmp((const char *)stored, sql) == 0;
    sqlite3_finalize(b.stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, rc, "reading a view", err);
    if (same)
        return true;
    char drop[64], doing[64];
    snprintf(drop, sizeof drop, "DROP VIEW IF EXISTS %s", name);
    snprintf(doing, sizeof doing, "recreating view %s", name);
    return store_exec(s, drop, doing, err) && store_exec(s, sql, doing, err);
}

/* The part of the schema the tables of rows define: the columns of cases and samples, and the
 * views over them. */
static bool store_migrate_columns(struct store *s, char *err)
{
    struct store_column cols[STORE_COLUMNS_MAX];
    size_t n = store_columns_of_cases(cols);
    if (!store_add_missing_columns(s, "cases", cols, n, err))
        return false;
    n = store_columns_of_samples(cols);
    if (!store_add_missing_columns(s, "samples", cols, n, err))
        return false;
    char *results = store_sql_view_case_results();
    bool ok = store_refresh_view(s, "case_results", results, err) &&
              store_refresh_view(s, "case_summary", store_sql_view_case_summary(), err);
    free(results);
    return ok;
}

static bool store_migrate(struct store *s, char *err)
{
    int64_t version;
    if (!store_query_int(s, "PRAGMA user_version", &version, err))
        return false;
    if (version > STORE_SCHEMA_VERSION) /* migrated by a newer mapbench since the check */
        return store_fail_newer(s, version, err);
    for (int step = (int)version; step < STORE_MIGRATION_COUNT; step++) {
        char doing[64];
        snprintf(doing, sizeof doing, "migrating schema %d to %d", step, step + 1);
        if (!store_exec(s, store_migrations[step], doing, err))
            return false;
    }
    if (!store_migrate_columns(s, err))
        return false;
    if (version == STORE_SCHEMA_VERSION)
        return true;
    /* PRAGMA takes no parameters; the version is a compile-time constant, not a value from outside. */
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
    return store_exec(s, pragma, "setting the schema version", err);
}

/* SQL function mapbench_writer_gone(boot_id, pid, process_start): 1 when the writer so recorded
 * no longer runs on this host (store_host_writer_alive). */
static void store_sql_writer_gone(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *boot_id = sqlite3_value_text(argv[0]);
    bool alive = store_host_writer_alive((const char *)boot_id, sqlite3_value_int64(argv[1]),
                                         (uint64_t)sqlite3_value_int64(argv[2]));
    sqlite3_result_int(ctx, !alive);
}

/* SQL function mapbench_uuid_of(text): store_host_uuid_of, for the migration to version 4. */
static void store_sql_uuid_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *text = sqlite3_value_text(argv[0]);
    char uuid[STORE_UUID_LEN];
    store_host_uuid_of(text ? (const char *)text : "", uuid);
    sqlite3_result_text(ctx, uuid, -1, SQLITE_TRANSIENT);
}

/* The functions the migrations and the liveness check call. */
static bool store_register_functions(struct store *s, char *err)
{
    int rc = sqlite3_create_function(s->db, "mapbench_writer_gone", 3, SQLITE_UTF8, NULL,
                                     store_sql_writer_gone, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(s->db, "mapbench_uuid_of", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     NULL, store_sql_uuid_of, NULL, NULL);
    return rc == SQLITE_OK || store_fail(s, rc, "registering SQL functions", err);
}

/* Runs of this host left 'running' by a writer that is gone died without finishing (SIGKILL,
 * power loss, a reboot): mark them aborted, finished when their last case was. */
static bool store_mark_orphans(struct store *s, char *err)
{
    struct store_binder b;
    if (!store_prepare(s,
                       "UPDATE runs SET status = 'aborted', finished_at = coalesce("
                       "(SELECT max(c.finished_at) FROM cases c WHERE c.run_id = runs.id), started_at)"
                       " WHERE status = 'running' AND hostname = ?"
                       " AND mapbench_writer_gone(boot_id, pid, process_start)",
                       &b, err))
        return false;
    bind_text(&b, s->hostname);
    return store_finish(s, &b, NULL, "marking orphaned runs aborted", err);
}

struct store *store_open_with_timeout(const char *path, int timeout_ms, char *err)
{
    struct store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->timeout_ms = timeout_ms;
    s->sql_case_insert = store_sql_case_insert();
    s->sql_sample_insert = store_sql_sample_insert();
    s->sql_run_rows = store_sql_run_rows();
    if (gethostname(s->hostname, sizeof s->hostname - 1) != 0)
        strcpy(s->hostname, "unknown");
    char state;
    store_host_process(getpid(), &state, &s->process_start);
    if (!store_host_boot_id(s->boot_id))
        s->boot_id[0] = '\0';
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    bool ok = rc == SQLITE_OK || store_fail(s, rc, "opening", err);
    int64_t version;
    if (ok) {
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, timeout_ms);
        ok = store_exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys", err) &&
             store_register_functions(s, err) && store_check_foreign(s, &version, err) &&
             store_enable_wal(s, err) && store_begin(s, err);
        if (ok)
            ok = store_end(s, store_migrate(s, err) && store_mark_orphans(s, err), err);
    }
    if (!ok) {
        store_close(s);
        return NULL;
    }
    return s;
}

struct store *store_open(const char *path, char *err)
{
    return store_open_with_timeout(path, STORE_BUSY_TIMEOUT_MS, err);
}

static void store_pending_clear(struct store_pending *p)
{
    for (size_t i = 0; i < p->histogram_count; i++) {
        free(p->histograms[i].encoding);
        free(p->histograms[i].counts);
    }
    free(p->histograms);
    free(p->samples);
    free(p->plan);
    *p = (struct store_pending){ 0 };
}

bool store_probe(const char *path, char *err)
{
    if (access(path, F_OK) != 0) {
        snprintf(err, ERR_LEN, "no results database at %s", path);
        return false;
    }
    struct store probe = {.path = (char *)path, .timeout_ms = STORE_BUSY_TIMEOUT_MS};
    int64_t version = 0;
    int rc = sqlite3_open_v2(path, &probe.db, SQLITE_OPEN_READONLY, NULL);
    bool ok = rc == SQLITE_OK || store_fail(&probe, rc, "opening", err);
    if (ok) {
        sqlite3_busy_timeout(probe.db, probe.timeout_ms);
        ok = store_check_foreign(&probe, &version, err);
    }
    sqlite3_close_v2(probe.db);
    if (ok && version == 0) {
        snprintf(err, ERR_LEN, "results database %s is empty (no mapbench schema)", path);
        return false;
    }
    return ok;
}

struct store *store_open_existing(const char *path, char *err)
{
    if (access(path, F_OK) != 0) {
        snprintf(err, ERR_LEN, "no results database at %s (mapbench run creates it)", path);
        return NULL;
    }
    return store_open(path, err);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    store_pending_clear(&s->pending);
    sqlite3_close_v2(s->db);
    free(s->sql_case_insert);
    free(s->sql_sample_insert);
    free(s->sql_run_rows);
    free(s->path);
    free(s);
}

struct sqlite3 *store_db(struct store *s)
{
    return s->db;
}

void store_file_remove(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *file;
        if (asprintf(&file, "%s%s", path, suffixes[i]) < 0)
            xalloc_die("asprintf", 0);
        unlink(file);
        free(file);
    }
}

const char *store_path(const struct store *s)
{
    return s->path;
}

/* ---- machines and runs ------------------------------------------------------------------ */

bool store_machine_upsert(struct store *s, const struct store_machine *m, int64_t *machine_id, char *err)
{
    struct store_binder b;
    if (!store_prepare(s,
                       "INSERT INTO machines (fingerprint, hostname, cpu_model, kernel, packages, numa_nodes,"
                       " cores, pus, cache_levels, l1_bytes, l2_bytes, l3_bytes, l4_bytes, topology_xml)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                       " ON CONFLICT (fingerprint) DO UPDATE SET hostname = excluded.hostname RETURNING id",
                       &b, err))
        return false;
    bind_text(&b, m->fingerprint);
    bind_text(&b, m->hostname);
    bind_text(&b, m->cpu_model);
    bind_text(&b, m->kernel);
    bind_int(&b, m->packages);
    bind_int(&b, m->numa_nodes);
    bind_int(&b, m->cores);
    bind_int(&b, m->pus);
    bind_int(&b, m->cache_levels);
    for (int level = 0; level < 4; level++)
        bind_int_if(&b, level < m->cache_levels, (int64_t)m->cache_bytes[level]);
    bind_text(&b, m->topology_xml);
    return store_finish(s, &b, machine_id, "recording the machine", err);
}

bool store_run_begin(struct store *s, const struct store_run *r, int64_t *run_id, char *err)
{
    struct store_binder b;
    char uuid[STORE_UUID_LEN];
    if (!store_host_uuid(uuid))
        return store_fail_text(s, err, "cannot name the run: neither /proc/sys/kernel/random/uuid"
                                       " nor /dev/urandom can be read");
    if (!store_prepare(s,
                       "INSERT INTO runs (machine_id, pid, hostname, uuid, boot_id, process_start,"
                       " command_line, git_commit, label, compiler, cflags, library_versions,"
                       " transparent_hugepages, cpu_governor, scenarios, method_version, planted_slowdown_pct,"
                       " schedule, schedule_seed, scenario_text, cpu_mitigations)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &b, err))
        return false;
    bind_int(&b, r->machine_id);
    bind_int(&b, getpid());
    bind_text(&b, s->hostname);
    bind_text(&b, uuid);
    bind_text(&b, s->boot_id[0] ? s->boot_id : NULL);
    bind_int_if(&b, s->process_start != 0, (int64_t)s->process_start);
    bind_text(&b, r->command_line);
    bind_text(&b, r->git_commit);
    bind_text(&b, r->label);
    bind_text(&b, r->compiler);
    bind_text(&b, r->cflags);
    bind_text(&b, r->library_versions);
    bind_text(&b, r->transparent_hugepages);
    bind_text(&b, r->cpu_governor);
    bind_text(&b, r->scenarios);
    bind_int(&b, r->method_version ? r->method_version : METHOD_VERSION);
    if (r->planted_slowdown_pct > 0 && b.rc == SQLITE_OK)
        b.rc = sqlite3_bind_double(b.stmt, ++b.next, r->planted_slowdown_pct);
    else
        bind_null(&b);
    bind_text(&b, r->schedule);
    bind_int_if(&b, r->schedule && strcmp(r->schedule, "rounds") == 0, (int64_t)r->schedule_seed);
    bind_text(&b, r->scenario_text);
    bind_text(&b, r->cpu_mitigations);
    return store_finish(s, &b, run_id, "starting a run", err);
}

bool store_run_schedule(struct store *s, int64_t run_id, char *schedule, size_t len, uint64_t *seed,
                        bool *has_seed, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, "SELECT schedule, schedule_seed FROM runs WHERE id = ?", &b, err))
        return false;
    bind_int(&b, run_id);
    int rc = b.rc == SQLITE_OK ? sqlite3_step(b.stmt) : b.rc;
    if (rc == SQLITE_ROW) {
        store_column_text(b.stmt, 0, schedule, len);
        *has_seed = sqlite3_column_type(b.stmt, 1) != SQLITE_NULL;
        *seed = (uint64_t)sqlite3_column_int64(b.stmt, 1);
    }
    sqlite3_finalize(b.stmt);
    if (rc == SQLITE_DONE)
        return store_fail_text(s, err, "no run %lld", (long long)run_id);
    return rc == SQLITE_ROW || store_fail(s, rc, "reading a run's schedule", err);
}


bool store_run_finish(struct store *s, int64_t run_id, const char *status, char *err)
{
    struct store_binder b;
    if (!store_prepare(s,
                       "UPDATE runs SET status = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
                       " WHERE id = ? RETURNING id",
                       &b, err))
        return false;
    bind_text(&b, status);
    bind_int(&b, run_id);
    int64_t found;
    char doing[64];
    snprintf(doing, sizeof doing, "finishing run %lld", (long long)run_id);
    return store_finish(s, &b, &found, doing, err);
}

/* ---- cases ------------------------------------------------------------------------------ */

/* Inserts one case row; case_id 0 lets SQLite choose. */
static bool store_insert_case(struct store *s, int64_t case_id, int64_t run_id, const struct bench_case *c,
                              const char *plan, bool oversubscribed, const char *status, const char *reason,
                              int64_t *inserted_id, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, s->sql_case_insert, &b, err))
        return false;
    bind_int_if(&b, case_id != 0, case_id);
    bind_int(&b, run_id);
    bind_text(&b, status);
    bind_text(&b, reason);
    bind_text(&b, plan);
    bind_int(&b, oversubscribed);
    if (b.rc == SQLITE_OK)
        b.rc = store_case_bind(b.stmt, b.next + 1, c);
    return store_finish(s, &b, inserted_id, "recording a case", err);
}

static bool store_insert_sample(struct store *s, int64_t case_id, const struct result_sample *r,
                                bool external, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, s->sql_sample_insert, &b, err))
        return false;
    bind_int(&b, case_id);
    if (b.rc == SQLITE_OK)
        b.rc = store_sample_bind(b.stmt, b.next + 1, r, external);
    return store_finish(s, &b, NULL, "recording a sample", err);
}

static bool store_insert_histogram(struct store *s, int64_t case_id, const struct store_histogram *h, char *err)
{
    char *counts = store_json_array(h->counts, h->n);
    struct store_binder b;
    if (!store_prepare(s, "INSERT INTO histograms (case_id, repetition, op, encoding, counts) VALUES (?, ?, ?, ?, ?)",
                       &b, err)) {
        free(counts);
        return false;
    }
    bind_int(&b, case_id);
    bind_int(&b, h->repetition);
    bind_text(&b, result_op_name((enum result_op)h->op));
    bind_text(&b, h->encoding);
    bind_text(&b, counts);
    bool ok = store_finish(s, &b, NULL, "recording a histogram", err);
    free(counts);
    return ok;
}

/* The next id of cases, taken from AUTOINCREMENT's counter so no other writer can take it. */
static bool store_reserve_case_id(struct store *s, int64_t run_id, int64_t *case_id, char *err)
{
    int64_t found;
    struct store_binder b;
    if (!store_prepare(s, "SELECT id FROM runs WHERE id = ?", &b, err))
        return false;
    bind_int(&b, run_id);
    if (!store_finish(s, &b, &found, "looking up the case's run", err))
        return false;
    return store_begin(s, err) &&
           store_end(s,
                     store_exec(s,
                                "INSERT INTO sqlite_sequence (name, seq) SELECT 'cases', (SELECT coalesce(max(id), 0) FROM cases)"
                                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'cases')",
                                "reserving a case id", err) &&
                         store_query_int(s, "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'cases' RETURNING seq",
                                         case_id, err),
                     err);
}

static bool store_pending_check(struct store *s, int64_t case_id, char *err)
{
    if (!s->pending.open)
        return store_fail_text(s, err, "case %lld was not begun (store_case_begin)", (long long)case_id);
    if (s->pending.case_id != case_id)
        return store_fail_text(s, err, "case %lld is not the open case %lld", (long long)case_id,
                               (long long)s->pending.case_id);
    return true;
}

/* Grows *items (of item_size bytes, *cap of them) to hold one more; false when out of memory. */
static bool store_grow(void **items, size_t item_size, size_t count, size_t *cap)
{
    if (count < *cap)
        return true;
    size_t wanted = *cap ? *cap * 2 : 4;
    *items = xreallocarray(*items, wanted, item_size);
    *cap = wanted;
    return true;
}

bool store_case_begin(struct store *s, int64_t run_id, const struct bench_case *c, const char *plan,
                      bool oversubscribed, int64_t *case_id, char *err)
{
    if (s->pending.open)
        return store_fail_text(s, err, "case %lld is still open (store_case_end or store_case_abandon first)",
                               (long long)s->pending.case_id);
    struct store_pending *p = &s->pending;
    if (!store_reserve_case_id(s, run_id, &p->case_id, err))
        return false;
    if (plan)
        p->plan = xstrdup(plan);
    p->open = true;
    p->run_id = run_id;
    p->c = *c;
    p->oversubscribed = oversubscribed;
    *case_id = p->case_id;
    return true;
}

bool store_sample_insert(struct store *s, int64_t case_id, const struct result_sample *r, char *err)
{
    struct store_pending *p = &s->pending;
    if (!store_pending_check(s, case_id, err))
        return false;
    if (!store_grow((void **)&p->samples, sizeof *p->samples, p->sample_count, &p->sample_cap))
        return store_fail_text(s, err, "out of memory");
    p->samples[p->sample_count++] = *r;
    return true;
}

bool store_histogram_insert(struct store *s, int64_t case_id, int repetition, int op, const char *encoding,
                            const uint64_t *counts, size_t n, char *err)
{
    struct store_pending *p = &s->pending;
    if (!store_pending_check(s, case_id, err))
        return false;
    if (op < 0 || op >= RESULT_OP_COUNT)
        return store_fail_text(s, err, "histogram for unknown operation %d", op);
    if (!store_grow((void **)&p->histograms, sizeof *p->histograms, p->histogram_count, &p->histogram_cap))
        return store_fail_text(s, err, "out of memory");
    struct store_histogram h = { .repetition = repetition, .op = op, .n = n,
                                 .encoding = xstrdup(encoding ? encoding : ""),
                                 .counts = xcalloc(n, sizeof *counts) };
    if (n)
        memcpy(h.counts, counts, n * sizeof *counts);
    p->histograms[p->histogram_count++] = h;
    return true;
}

static bool store_write_pending(struct store *s, const char *status, const char *reason, char *err)
{
    const struct store_pending *p = &s->pending;
    int64_t id;
    if (!store_insert_case(s, p->case_id, p->run_id, &p->c, p->plan, p->oversubscribed, status, reason, &id, err))
        return false;
    for (size_t i = 0; i < p->sample_count; i++)
        if (!store_insert_sample(s, p->case_id, &p->samples[i], p->c.role == MAP_ROLE_EXTERNAL, err))
            return false;
    for (size_t i = 0; i < p->histogram_count; i++)
        if (!store_insert_histogram(s, p->case_id, &p->histograms[i], err))
            return false;
    return true;
}

bool store_case_end(struct store *s, int64_t case_id, const char *status, const char *reason, char *err)
{
    if (!store_pending_check(s, case_id, err))
        return false;
    bool ok = store_begin(s, err) && store_end(s, store_write_pending(s, status, reason, err), err);
    store_pending_clear(&s->pending);
    return ok;
}

bool store_case_abandon(struct store *s)
{
    bool was_open = s->pending.open;
    store_pending_clear(&s->pending);
    return was_open;
}

bool store_case_skipped(struct store *s, int64_t run_id, const struct bench_case *c, char *err)
{
    int64_t id;
    return store_insert_case(s, 0, run_id, c, NULL, false, "skipped", c->skip_reason, &id, err);
}

/* ---- calibrations ----------------------------------------------------------------------- */

bool store_calibrations_insert(struct store *s, int64_t run_id, const struct result_calibration *rows,
                               size_t n, char *err)
{
    if (!store_begin(s, err))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        struct store_binder b;
        ok = store_prepare(s,
                           "INSERT INTO calibrations (run_id, phase, kind, repetition, value, unit)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                           &b, err);
        if (!ok)
            break;
        bind_int(&b, run_id);
        bind_text(&b, rows[i].phase);
        bind_text(&b, rows[i].kind);
        bind_int(&b, rows[i].repetition);
        bind_double(&b, rows[i].value);
        bind_text(&b, rows[i].unit);
        ok = store_finish(s, &b, NULL, "recording the calibration", err);
    }
    return store_end(s, ok, err);
}

bool store_calibrations_read(struct store *s, int64_t run_id, struct result_calibration **rows,
                             size_t *n, char *err)
{
    struct store_binder b;
    *rows = NULL;
    *n = 0;
    if (!store_prepare(s,
                       "SELECT phase, kind, repetition, value, unit FROM calibrations WHERE run_id = ?"
                       " ORDER BY CASE phase WHEN 'start' THEN 0 WHEN 'middle' THEN 1 ELSE 2 END,"
                       " kind, repetition",
                       &b, err))
        return false;
    bind_int(&b, run_id);
    int rc = b.rc;
    size_t cap = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(b.stmt)) == SQLITE_ROW) {
        store_grow((void **)rows, sizeof **rows, *n, &cap);
        struct result_calibration *c = &(*rows)[(*n)++];
        store_column_text(b.stmt, 0, c->phase, sizeof c->phase);
        store_column_text(b.stmt, 1, c->kind, sizeof c->kind);
        c->repetition = sqlite3_column_int(b.stmt, 2);
        c->value = sqlite3_column_double(b.stmt, 3);
        store_column_text(b.stmt, 4, c->unit, sizeof c->unit);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(b.stmt);
    if (rc == SQLITE_DONE)
        return true;
    free(*rows);
    *rows = NULL;
    *n = 0;
    return store_fail(s, rc, "reading the calibration", err);
}

/* ---- reading ---------------------------------------------------------------------------- */

int store_list_runs(struct store *s, FILE *out, char *err)
{
    struct store_binder b;
    /* The host is the run's writer (a fleet's identical machines share one machines row).  A run
     * another host left 'running' is not judged here: it says so. */
    if (!store_prepare(s,
                       "SELECT r.id, r.started_at,"
                       " CASE WHEN r.status = 'running' AND r.hostname <> ?1"
                       "      THEN 'running on ' || r.hostname || '?' ELSE r.status END,"
                       " r.hostname,"
                       " (SELECT count(*) FROM cases c WHERE c.run_id = r.id),"
                       " (SELECT count(*) FROM cases c WHERE c.run_id = r.id AND c.status = 'ok'),"
                       " coalesce(substr(r.git_commit, 1, 10)"
                       "          || CASE WHEN r.git_commit LIKE '%+dirty' THEN '+' ELSE '' END, '-'),"
                       " coalesce(r.label, '')"
                       " FROM runs r ORDER BY r.id DESC",
                       &b, err))
        return -1;
    bind_text(&b, s->hostname);
    fprintf(out, "%6s  %-20s  %-8s  %-16s  %6s  %6s  %-11s  %s\n", "run", "started (UTC)", "status", "host",
            "cases", "ok", "commit", "label");
    int runs = 0, rc = b.rc == SQLITE_OK ? sqlite3_step(b.stmt) : b.rc;
    for (; rc == SQLITE_ROW; rc = sqlite3_step(b.stmt)) {
        sqlite3_stmt *st = b.stmt;
        fprintf(out, "%6lld  %-20s  %-8s  %-16s  %6lld  %6lld  %-11s  %s\n", (long long)sqlite3_column_int64(st, 0),
                sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
                (long long)sqlite3_column_int64(st, 4), (long long)sqlite3_column_int64(st, 5),
                sqlite3_column_text(st, 6), sqlite3_column_text(st, 7));
        runs++;
    }
    if (rc != SQLITE_DONE)
        store_fail(s, rc, "listing runs", err);
    sqlite3_finalize(b.stmt);
    return rc == SQLITE_DONE ? runs : -1;
}

bool store_latest_run_id(struct store *s, int64_t *run_id, char *err)
{
    int64_t latest;
    if (!store_query_int(s, "SELECT coalesce(max(id), 0) FROM runs", &latest, err))
        return false;
    if (latest == 0)
        return store_fail_text(s, err, "no runs yet");
    *run_id = latest;
    return true;
}

/* Reads columns left to right, the mirror of store_binder. */
struct store_reader {
    sqlite3_stmt *stmt;
    int next;
};

static bool col_null(const struct store_reader *r)
{
    return sqlite3_column_type(r->stmt, r->next) == SQLITE_NULL;
}

static int64_t col_int(struct store_reader *r)
{
    return sqlite3_column_int64(r->stmt, r->next++);
}

void store_column_text(sqlite3_stmt *st, int column, char *out, size_t len)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    snprintf(out, len, "%s", text ? (const char *)text : "");
}

static const char *col_text(struct store_reader *r, char *buf, size_t len)
{
    const unsigned char *text = sqlite3_column_text(r->stmt, r->next++);
    snprintf(buf, len, "%s", text ? (const char *)text : "");
    return buf;
}

static void store_read_row(struct store_reader *r, struct store_row *row)
{
    struct bench_case *c = &row->c;
    row->case_id = col_int(r);
    col_text(r, row->case_status, sizeof row->case_status);
    col_text(r, row->case_reason, sizeof row->case_reason);
    col_text(r, row->plan, sizeof row->plan);
    row->oversubscribed = col_int(r) != 0;
    r->next = store_case_read(r->stmt, r->next, c);
    c->skipped = strcmp(row->case_status, "skipped") == 0;
    if (c->skipped)
        snprintf(c->skip_reason, sizeof c->skip_reason, "%s", row->case_reason);
    row->has_sample = !col_null(r);
    row->sample_id = col_int(r);
    store_sample_read(r->stmt, r->next, &row->sample);
}

bool store_run_samples(struct store *s, int64_t run_id, store_row_fn fn, void *ctx, char *err)
{
    struct store_binder b;
    if (!store_prepare(s, s->sql_run_rows, &b, err))
        return false;
    struct store_row *row = xmalloc(sizeof *row);
    bind_int(&b, run_id);
    int rc = b.rc;
    while (rc == SQLITE_OK && (rc = sqlite3_step(b.stmt)) == SQLITE_ROW) {
        struct store_reader r = { .stmt = b.stmt, .next = 0 };
        row->run_id = run_id;
        store_read_row(&r, row);
        rc = fn(row, ctx) ? SQLITE_OK : SQLITE_DONE;
    }
    if (rc != SQLITE_DONE)
        store_fail(s, rc, "reading samples", err);
    sqlite3_finalize(b.stmt);
    free(row);
    return rc == SQLITE_DONE;
}

bool store_histogram_read(struct store *s, int64_t case_id, int repetition, int op, char *encoding,
                          uint64_t **counts, size_t *n, char *err)
{
    struct store_binder b;
    if (op < 0 || op >= RESULT_OP_COUNT)
        return store_fail_text(s, err, "histogram for unknown operation %d", op);
    if (!store_prepare(s, "SELECT encoding, counts FROM histograms WHERE case_id = ? AND repetition = ? AND op = ?",
                       &b, err))
        return false;
    bind_int(&b, case_id);
    bind_int(&b, repetition);
    bind_text(&b, result_op_name((enum result_op)op));
    int rc = b.rc == SQLITE_OK ? sqlite3_step(b.stmt) : b.rc;
    bool ok = rc == SQLITE_ROW;
    if (ok) {
        struct store_reader r = { .stmt = b.stmt, .next = 0 };
        col_text(&r, encoding, 64);
        const char *text = (const char *)sqlite3_column_text(b.stmt, 1);
        *n = store_parse_json_array(text, NULL, 0);
        *counts = xcalloc(*n, sizeof **counts);
        store_parse_json_array(text, *counts, *n);
    } else if (rc == SQLITE_DONE) {
        store_fail_text(s, err, "no %s histogram for case %lld repetition %d", result_op_name((enum result_op)op),
                        (long long)case_id, repetition);
    } else {
        store_fail(s, rc, "reading a histogram", err);
    }
    sqlite3_finalize(b.stmt);
    return ok;
}
