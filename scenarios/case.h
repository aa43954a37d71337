/*
 * case.h: one benchmark case, the plain struct the scenario expander produces and the runner,
 * engine and store consume.  Every scenario dimension is one field here, described by one row of
 * the table in case_dims.c (its key, default, parser, columns, whether it identifies the case), so
 * SQL can group by any of them.  A case knows nothing of hwloc or SQL.
 */
#ifndef MAPBENCH_CASE_H
#define MAPBENCH_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "maps/map.h"

enum case_write_kind {
    CASE_WRITE_UPDATE,        /* put to keys already present: size stays */
    CASE_WRITE_INSERT_DELETE, /* equal inserts and deletes over a key range twice the size */
    CASE_WRITE_INSERT,        /* insert-only growth: fresh keys, the map grows */
    CASE_WRITE_LOAD_OR_STORE, /* put_if_absent (Go's LoadOrStore): hit_pct of them on present
                               * keys, the rest store fresh keys (the map grows) */
    /* Go's adversarial loops (src/sync/map_bench_test.go), their own operation sequence:
     * read_pct, hit_pct, delete_pct and range_pct do not apply (runner/workload.h) */
    CASE_WRITE_ADVERSARIAL_ALLOC,  /* loads of missing keys; after n loads one LoadOrStore of a
                                    * fresh key, n growing by one each time */
    CASE_WRITE_ADVERSARIAL_DELETE, /* loads of missing keys; every 1024th, delete the first key a
                                    * range finds and store a fresh one */
};

enum case_distribution {
    CASE_DIST_UNIFORM,
    CASE_DIST_ZIPF, /* zipf_theta */
    CASE_DIST_HOT,  /* hot_keys keys get every access */
};

enum case_memory {
    CASE_MEMORY_FIRST_TOUCH, /* prefill done by the pinned workers */
    CASE_MEMORY_BIND,        /* memory_node */
    CASE_MEMORY_INTERLEAVE,
};

#define CASE_TEXT 64

struct bench_case {
    char scenario[CASE_TEXT];   /* preset or file stem it came from */
    char backend[256];          /* full backend spec, options included: "striped:shards=64" */
    char backend_name[CASE_TEXT];
    enum map_role role;         /* of the backend spec (maps/map.h); stored, not a dimension */

    int threads;
    char placement[CASE_TEXT];  /* compact|scatter|cores|numa:N|pus:0,2,4|none */
    enum case_memory memory;
    int memory_node;
    enum map_hugepages hugepages; /* advice on the map's large allocations (maps/map.h) */
    char helpers[CASE_TEXT];    /* case-pus|free|pu:N: where call_rcu and resize threads run */

    double read_pct;            /* share of gets, 0..100 */
    enum case_write_kind write_kind;
    double hit_pct;             /* share of gets for present keys, 0..100 */
    double range_pct;           /* share of range iterations, 0..100, counted out of the reads */
    double delete_pct;          /* go-sync adversarial delete: share of writes that delete, 0..100 */

    uint64_t keys;              /* initial size */
    uint64_t key_range;         /* keys drawn from [0, key_range); 0: derived from keys and write_kind */
    enum case_distribution distribution;
    double zipf_theta;
    uint64_t hot_keys;

    double duration_s;          /* window length; 0 when ops is set */
    uint64_t ops;               /* per worker operations per window; 0 when duration is set */
    int repetitions;
    double warmup_s;
    uint64_t seed;
    int latency_every;          /* time every Kth operation; 0 disables latency sampling */

    bool misuse_demo;           /* plain with writers, run on purpose */
#ifdef MAPBENCH_TEST_DIMENSION
    int test_dim;               /* tests/test_dimension.c: a dimension of the test build only */
#endif
    bool skipped;
    char skip_reason[256];
};

/* One case with every dimension at its default (case_dims.c: 1 thread, compact, 90% gets, 1000
 * keys, uniform, 1 s, 5 repetitions...), backend_name and role derived from the spec, for programs
 * that build cases by hand (make bench, tests) instead of from a scenario file. */
void case_init(struct bench_case *c, const char *scenario, const char *backend_spec);

const char *case_write_kind_name(enum case_write_kind kind);
/* Whether the case's operations write (a backend that allows no concurrent writer cannot run it
 * on several threads), and whether they delete (one that allows no concurrent delete cannot). */
bool case_writes(const struct bench_case *c);
bool case_deletes(const struct bench_case *c);
const char *case_distribution_text(const struct bench_case *c, char *buf, int len);
const char *case_memory_name(enum case_memory memory);
/* "default", "never", "always"; "?" out of range. */
const char *case_hugepages_name(enum map_hugepages hugepages);

#endif
