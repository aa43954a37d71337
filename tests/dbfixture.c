/*
 * dbfixture.c: results databases built for tests (see dbfixture.h).
 */
#include "dbfixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

void dbfixture_case(struct bench_case *c, const char *backend)
{
    memset(c, 0, sizeof *c);
    snprintf(c->scenario, sizeof c->scenario, "quick");
    snprintf(c->backend, sizeof c->backend, "%s", backend);
    snprintf(c->backend_name, sizeof c->backend_name, "%.*s", (int)strcspn(backend, ":"), backend);
    c->threads = 2;
    snprintf(c->placement, sizeof c->placement, "scatter");
    c->memory = CASE_MEMORY_BIND;
    c->memory_node = 1;
    c->hugepages = MAP_HUGEPAGES_ALWAYS;
    snprintf(c->helpers, sizeof c->helpers, "pu:1");
    c->read_pct = 95;
    c->write_kind = CASE_WRITE_INSERT_DELETE;
    c->hit_pct = 80;
    c->range_pct = 1;
    c->delete_pct = 0;
    c->keys = 4096;
    c->key_range = 8192;
    c->distribution = CASE_DIST_ZIPF;
    c->zipf_theta = 0.99;
    c->duration_s = 0.25;
    c->repetitions = 2;
    c->warmup_s = 0.05;
    c->seed = UINT64_MAX - 6; /* above INT64_MAX: must survive the signed column */
    c->latency_every = 64;
}

void dbfixture_sample(struct result_sample *r, int repetition)
{
    memset(r, 0, sizeof *r);
    r->repetition = repetition;
    r->window_s = 0.25;
    r->workers = 2;
    r->worker_ops[0] = 600000 + (uint64_t)repetition;
    r->worker_ops[1] = 400000;
    r->total_ops = r->worker_ops[0] + r->worker_ops[1];
    r->ops_per_s = (double)r->total_ops / r->window_s;
    r->ns_per_op = r->window_s * 2 * 1e9 / (double)r->total_ops;
    snprintf(r->worker_binding, sizeof r->worker_binding, "0,1");
    r->gets = 950000;
    r->get_hits = 760000;
    r->writes_attempted = 50000;
    r->writes_effective = 49000;
    r->ranges = 10;
    r->latency[RESULT_OP_GET] = (struct result_latency){ 15000, 80, 120, 400, 900, 5000 };
    r->bytes_per_key = 24.5;
    r->allocs_per_op = 0.01;
    r->peak_rss_bytes = 10 << 20;
    r->cycles = (struct result_counter){ true, 123456789 };
    r->valid = repetition == 0;
    if (!r->valid)
        snprintf(r->invalid_reason, sizeof r->invalid_reason, "size 4095 after window, expected 4096");
}

struct store *dbfixture_open(const char *path)
{
    char err[ERR_LEN] = "";
    struct store *s = store_open(path, err);
    if (!s)
        fail_msg("store_open: %s", err);
    return s;
}

/* Column 0 of the first row; sql's ?1, if any, is bound to param. */
int64_t dbfixture_int_with(sqlite3 *db, const char *sql, int64_t param)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0)
        assert_int_equal(sqlite3_bind_int64(st, 1, param), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int64_t dbfixture_int(sqlite3 *db, const char *sql)
{
    return dbfixture_int_with(db, sql, 0);
}

char *dbfixture_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *copy = strdup(t ? (const char *)t : "(null)");
    sqlite3_finalize(st);
    return copy;
}

/* Every row of sql as "a|b|c\n" lines, malloc'd. */
char *dbfixture_dump(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            fprintf(f, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    sqlite3_finalize(st);
    fclose(f);
    return out;
}

/* Tables, views, their columns (name, type, not null, default, key) and every index's columns. */
char *dbfixture_schema(sqlite3 *db)
{
    char *columns = dbfixture_dump(db,
                             "SELECT m.type, m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk"
                             " FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                             " WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid");
    char *indexes = dbfixture_dump(db,
                             "SELECT m.name, il.name, il.\"unique\", ii.seqno, ii.name FROM sqlite_master m"
                             " JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii"
                             " WHERE m.type = 'table' ORDER BY m.name, il.name, ii.seqno");
    char *digest;
    assert_true(asprintf(&digest, "%s--\n%s", columns, indexes) > 0);
    free(columns);
    free(indexes);
    return digest;
}

/* Builds a database file (or :memory: when path is NULL) from an SQL script. */
sqlite3 *dbfixture_from_sql(const char *path, const char *script_path)
{
    sqlite3 *db;
    char *script = support_read_text(script_path);
    assert_int_equal(sqlite3_open(path ? path : ":memory:", &db), SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, script, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s: %s", script_path, message);
    free(script);
    return db;
}

const struct store_machine dbfixture_machine = {
    .fingerprint = "cafe", .hostname = "testhost", .cpu_model = "Test CPU", .kernel = "6.1.0",
    .packages = 1, .numa_nodes = 1, .cores = 2, .pus = 2, .cache_bytes = {32768, 1 << 20, 8 << 20},
    .cache_levels = 3, .topology_xml = "<topology/>"};

int64_t dbfixture_run(struct store *s, const struct store_machine *m, const char *label)
{
    char err[ERR_LEN] = "";
    struct store_run r = {.command_line = "mapbench run quick", .git_commit = "0123456789abcdef",
                          .label = label, .compiler = "gcc 12.2", .cflags = "-O2",
                          .transparent_hugepages = "madvise", .cpu_governor = NULL, .scenarios = "quick",
                          .scenario_text = "; scenarios/quick.ini\n[scenario]\nthreads = 1, 2\n",
                          .cpu_mitigations = "meltdown: Not affected\nspectre_v2: Mitigation: Retpolines"};
    int64_t run_id;
    if (!store_machine_upsert(s, m ? m : &dbfixture_machine, &r.machine_id, err) ||
        !store_run_begin(s, &r, &run_id, err))
        fail_msg("%s", err);
    return run_id;
}

/* One finished case with `samples` repetitions; returns its id, or 0 with err set. */
int64_t dbfixture_write_case(struct store *s, int64_t run_id, int samples, char *err)
{
    struct bench_case c;
    struct result_sample r;
    int64_t case_id;
    dbfixture_case(&c, "striped:shards=64");
    if (!store_case_begin(s, run_id, &c, "0,1", false, &case_id, err))
        return 0;
    for (int i = 0; i < samples; i++) {
        dbfixture_sample(&r, i);
        if (!store_sample_insert(s, case_id, &r, err))
            return 0;
    }
    uint64_t counts[] = {0, 3, 40, 2};
    if (!store_histogram_insert(s, case_id, 0, RESULT_OP_GET, "loglinear:sub=16", counts, 4, err))
        return 0;
    return store_case_end(s, case_id, "ok", NULL, err) ? case_id : 0;
}

