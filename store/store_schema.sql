-- store_schema.sql: the results database schema, version 7 (PRAGMA user_version = 7), as
-- store/store.c creates it: its migrations replayed, then any column of the table of case
-- dimensions (scenarios/case_dims.c) or of sample figures (store/store_columns.c) that they lack
-- added, and the views generated from both.  Documentation only: those are the source, and
-- tests/test_store.c checks that this file declares the same tables, columns, indexes and views;
-- a new dimension or figure adds its column at the end of its table, here too.  Timestamps are UTC text (2024-05-01T12:00:00Z).  A value that was not
-- measured is NULL, never zero.

CREATE TABLE machines (                 -- one row per hardware/software fingerprint
  id INTEGER PRIMARY KEY,
  fingerprint TEXT NOT NULL UNIQUE,     -- hash over CPU model, topology, kernel, compiler
  hostname TEXT NOT NULL,
  cpu_model TEXT, kernel TEXT,
  packages INTEGER, numa_nodes INTEGER, cores INTEGER, pus INTEGER,
  cache_levels INTEGER, l1_bytes INTEGER, l2_bytes INTEGER, l3_bytes INTEGER, l4_bytes INTEGER,
  topology_xml TEXT,                    -- hwloc XML export
  first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));

CREATE TABLE runs (                     -- one `mapbench run`
  id INTEGER PRIMARY KEY,
  machine_id INTEGER NOT NULL REFERENCES machines(id),
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running'
    CHECK (status IN ('running','done','aborted','failed')),
  pid INTEGER NOT NULL, hostname TEXT NOT NULL, -- the writer; a dead one's run becomes 'aborted'
  command_line TEXT, git_commit TEXT, label TEXT, compiler TEXT, cflags TEXT,
  library_versions TEXT, scenarios TEXT,
  transparent_hugepages TEXT, cpu_governor TEXT,            -- since version 2
  uuid TEXT,                            -- since 4: the run's name in every database it is merged into
  boot_id TEXT, process_start INTEGER,  -- since 4: the writer's boot and start time (/proc/PID/stat)
  method_version INTEGER NOT NULL DEFAULT 1, -- since 5: what the figures mean (runner/method.h)
  planted_slowdown_pct REAL,            -- since 5: MAPBENCH_PLANTED_SLOWDOWN_PCT, a testing aid; NULL: none
  schedule TEXT,                        -- since 6: rounds|sequential; NULL: not recorded
  schedule_seed INTEGER,                -- since 6: seed of the rounds' random order (rounds only)
  scenario_text TEXT,                   -- since 7: the scenario files' text as run, each headed by its path
  cpu_mitigations TEXT);                -- since 7: /sys/devices/system/cpu/vulnerabilities/*, "name: state" lines
CREATE INDEX runs_by_machine ON runs(machine_id, started_at);
CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);

CREATE TABLE cases (                    -- one expanded scenario point; `mapbench list dimensions`
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  status TEXT NOT NULL CHECK (status IN ('ok','skipped','invalid','failed')),
  reason TEXT,
  finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  scenario TEXT NOT NULL, backend TEXT NOT NULL, backend_name TEXT NOT NULL,
  threads INTEGER NOT NULL, placement TEXT NOT NULL,
  memory TEXT NOT NULL, memory_node INTEGER,                -- memory_node NULL unless bind
  read_pct REAL NOT NULL, write_kind TEXT NOT NULL, hit_pct REAL NOT NULL,
  range_pct REAL NOT NULL, delete_pct REAL NOT NULL,
  keys INTEGER NOT NULL, key_range INTEGER NOT NULL,
  distribution TEXT NOT NULL, zipf_theta REAL, hot_keys INTEGER, -- "zipf:0.99"; theta/hot NULL unless used
  duration_s REAL NOT NULL, ops INTEGER NOT NULL, repetitions INTEGER NOT NULL,
  warmup_s REAL NOT NULL, seed INTEGER NOT NULL, latency_every INTEGER NOT NULL,
  misuse_demo INTEGER NOT NULL, plan TEXT, oversubscribed INTEGER NOT NULL DEFAULT 0,
  role TEXT NOT NULL DEFAULT 'contender',   -- since 3: contender|reference|ceiling|harness|external
  -- Columns added after version 3 follow, in the order store_open added them.
  hugepages TEXT NOT NULL DEFAULT 'default', -- default|never|always: the map's 2 MiB+ allocations
  helpers TEXT NOT NULL DEFAULT 'case-pus'); -- case-pus|free|pu:N: call_rcu and resize threads
CREATE INDEX cases_by_run ON cases(run_id);

CREATE TABLE samples (                  -- one repetition (timed window) of a case
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  repetition INTEGER NOT NULL,
  window_s REAL NOT NULL, total_ops INTEGER NOT NULL, ops_per_s REAL, ns_per_op REAL,
  workers INTEGER NOT NULL, worker_ops TEXT NOT NULL, worker_binding TEXT, -- worker_ops: JSON array
  gets INTEGER, get_hits INTEGER, writes_attempted INTEGER, writes_effective INTEGER,
  ranges INTEGER,
  -- latency per operation: OP_samples timed operations; percentiles NULL when OP_samples is 0
  get_samples INTEGER, get_p50_ns REAL, get_p90_ns REAL, get_p99_ns REAL,
  get_p999_ns REAL, get_max_ns REAL,
  put_samples INTEGER, put_p50_ns REAL, put_p90_ns REAL, put_p99_ns REAL,
  put_p999_ns REAL, put_max_ns REAL,
  put_if_absent_samples INTEGER, put_if_absent_p50_ns REAL, put_if_absent_p90_ns REAL,
  put_if_absent_p99_ns REAL, put_if_absent_p999_ns REAL, put_if_absent_max_ns REAL,
  del_samples INTEGER, del_p50_ns REAL, del_p90_ns REAL, del_p99_ns REAL,
  del_p999_ns REAL, del_max_ns REAL,
  range_samples INTEGER, range_p50_ns REAL, range_p90_ns REAL, range_p99_ns REAL,
  range_p999_ns REAL, range_max_ns REAL,
  bytes_per_key REAL, allocs_per_op REAL, peak_rss_bytes INTEGER,
  cycles INTEGER, instructions INTEGER, cache_misses INTEGER, -- NULL: counter unavailable
  valid INTEGER NOT NULL, invalid_reason TEXT,
  -- Columns added after the first release follow, in the order store_open added them.
  round INTEGER, round_position INTEGER, -- the schedule's round (1-based) and place in it; 0/NULL: not in rounds
  process_cpu_s REAL, worker_cpu_s REAL, -- CPU time in the window: the process's, workers' summed
  memory_nodes TEXT,             -- NUMA nodes of the map's sampled pages, "0,1"; NULL: none sampled
  placement_caveat TEXT,         -- what the placement checks could not see; NULL: nothing
  map_large_bytes INTEGER,       -- bytes of the map's allocations of 2 MiB or more
  map_huge_bytes INTEGER,        -- of those, backed by huge pages (AnonHugePages); NULL: unread
  -- distinct_keys: distinct access-range keys the window's counted keyed operations named (gets of
  -- present keys, puts, put_if_absent, dels; not misses, fresh inserts or ranges), all workers
  -- together; exact while the access range holds at most 2^27 keys, above that a linear-counting
  -- estimate (standard error under 0.1%).  stream_wraps: times a worker's key stream wrapped,
  -- summed over workers (0 unless a window runs past 2^64 positions).  latency_timer_ns: the timer
  -- pair's calibrated cost, already subtracted from every *_p*_ns and *_max_ns (floored at 0).
  distinct_keys INTEGER, stream_wraps INTEGER, latency_timer_ns REAL,
  timer_ns_per_op REAL,                 -- the clock's share taken off ns_per_op and ops_per_s (method 3)
  steal_pct REAL,                       -- CPU time of the workers' PUs stolen over the window, %; NULL: unread
  involuntary_switches INTEGER,         -- the workers' involuntary context switches over the window
  pending_bytes_per_key REAL,    -- of bytes_per_key, awaiting reclamation (a grace period); NULL: not measured
  UNIQUE (case_id, repetition));

CREATE TABLE histograms (               -- since version 2: merged latency histogram per op
  case_id INTEGER NOT NULL REFERENCES cases(id),
  repetition INTEGER NOT NULL,
  op TEXT NOT NULL,                     -- get|put|put_if_absent|del|range
  encoding TEXT NOT NULL,               -- bucket layout, e.g. loglinear:sub=16
  counts TEXT NOT NULL,                 -- JSON array of bucket counts
  PRIMARY KEY (case_id, repetition, op));

CREATE TABLE calibrations (             -- since 6: the calibration case at a run's start, middle, end
  run_id INTEGER NOT NULL REFERENCES runs(id),
  phase TEXT NOT NULL CHECK (phase IN ('start','middle','end')),
  kind TEXT NOT NULL,                   -- get (1 thread, small fixed map) | ping-pong (2 threads)
  repetition INTEGER NOT NULL,          -- 0-based within the phase and kind
  value REAL NOT NULL,
  unit TEXT NOT NULL,                   -- ns/get | ns/round-trip
  PRIMARY KEY (run_id, phase, kind, repetition));

-- One row per case: its valid samples and their mean, min and max throughput.
CREATE VIEW case_summary AS
  SELECT c.*, count(s.id) AS valid_samples, avg(s.ops_per_s) AS mean_ops_per_s,
         min(s.ops_per_s) AS min_ops_per_s, max(s.ops_per_s) AS max_ops_per_s,
         avg(s.ns_per_op) AS mean_ns_per_op
  FROM cases c LEFT JOIN samples s ON s.case_id = c.id AND s.valid
  GROUP BY c.id;

-- One row per sample with its run, machine and case: what most report queries start from.
-- Generated by store/store_columns.c from the dimension and figure tables (every case column,
-- then every sample column), and recreated by store_open when they gain a column.
CREATE VIEW case_results AS
  SELECT r.id AS run_id, r.label AS run_label, r.status AS run_status,
         r.started_at AS run_started_at, r.git_commit, r.compiler, r.cflags,
         r.transparent_hugepages, r.cpu_governor,
         m.id AS machine_id, m.fingerprint, m.hostname, m.cpu_model,
         c.id AS case_id, c.status AS case_status, c.reason AS case_reason, c.plan,
         c.oversubscribed,
         c.scenario, c.backend, c.backend_name, c.role, c.threads, c.placement, c.memory,
         c.memory_node, c.hugepages, c.helpers, c.read_pct, c.write_kind, c.hit_pct,
         c.delete_pct, c.range_pct, c.keys, c.key_range, c.distribution, c.zipf_theta,
         c.hot_keys, c.duration_s, c.ops, c.repetitions, c.warmup_s, c.seed, c.latency_every,
         c.misuse_demo,
         s.id AS sample_id, s.repetition, s.window_s, s.total_ops, s.ops_per_s, s.ns_per_op,
         s.workers, s.worker_ops, s.worker_binding, s.gets, s.get_hits,
         s.writes_attempted, s.writes_effective, s.ranges,
         s.get_samples, s.get_p50_ns, s.get_p90_ns, s.get_p99_ns, s.get_p999_ns, s.get_max_ns,
         s.put_samples, s.put_p50_ns, s.put_p90_ns, s.put_p99_ns, s.put_p999_ns, s.put_max_ns,
         s.put_if_absent_samples, s.put_if_absent_p50_ns, s.put_if_absent_p90_ns,
         s.put_if_absent_p99_ns, s.put_if_absent_p999_ns, s.put_if_absent_max_ns,
         s.del_samples, s.del_p50_ns, s.del_p90_ns, s.del_p99_ns, s.del_p999_ns, s.del_max_ns,
         s.range_samples, s.range_p50_ns, s.range_p90_ns, s.range_p99_ns, s.range_p999_ns,
         s.range_max_ns,
         s.bytes_per_key, s.allocs_per_op, s.peak_rss_bytes, s.cycles, s.instructions,
         s.cache_misses, s.round, s.round_position, s.process_cpu_s, s.worker_cpu_s,
         s.memory_nodes, s.placement_caveat, s.map_large_bytes, s.map_huge_bytes,
         s.distinct_keys, s.stream_wraps, s.latency_timer_ns, s.timer_ns_per_op, s.steal_pct, s.involuntary_switches,
         s.pending_bytes_per_key,
         s.valid, s.invalid_reason
  FROM samples s JOIN cases c ON c.id = s.case_id JOIN runs r ON r.id = c.run_id
  JOIN machines m ON m.id = r.machine_id;

-- Example: mean throughput of each backend by thread count in the latest run.
--   SELECT backend, threads, avg(ops_per_s) FROM case_results
--   WHERE run_id = (SELECT max(id) FROM runs) AND valid GROUP BY backend, threads;
-- Example: p99 get latency and per-worker fairness (slowest worker / fastest).
--   SELECT backend, threads, get_p99_ns,
--          (SELECT min(value) * 1.0 / max(value) FROM json_each(worker_ops)) AS fairness
--   FROM case_results WHERE case_status = 'ok' ORDER BY backend, threads;
