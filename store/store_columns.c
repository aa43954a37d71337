/*
 * store_columns.c: the columns of cases (the rows of scenarios/case_dims.c) and of samples (the
 * rows of store_figures[] below), and every walk over them: column lists, SQL texts, binding,
 * reading, and the case_results view (see store_columns.h).
 *
 * A case's value crosses to SQL as case_cells (case_dims.h), so the dimension types know their
 * columns but nothing of SQLite.  A sample's figure is one of a few kinds, each bound and read in
 * one place: a plain number, text, a counter that is NULL when the machine could not count it,
 * the per-worker counts as a JSON array, and the latency percentiles of every operation.
 *
 * Adding a stored per-sample figure: a field in struct result_sample (runner/result.h), one row
 * in store_figures[], and its column in store/store_schema.sql.  An older file gets the column,
 * NULL in its old rows ("not measured"), when store_open next opens it; so a new figure's
 * declaration must allow NULL.
 *
 * Not measured is NULL, never zero: a REAL figure that is NaN is stored NULL (SQLite binds a NaN
 * as NULL; tests/test_import.c relies on it for Go's absent allocs/op), and a sample of an
 * external case (role `external`: figures imported from another tool, `mapbench import`) stores
 * only the figures whose rows are STORE_FIGURE_IMPORTED; the others are NULL ("[]" for the
 * per-worker counts, whose column is NOT NULL).  A new row is not imported unless it says so.
 */
#include "store/store_columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "scenarios/case_dims.h"

/* ---- the figures of a sample ---------------------------------------------------------------- */

enum store_figure_kind {
    STORE_FIGURE_WHOLE,      /* int or uint64_t (by size) */
    STORE_FIGURE_REAL,       /* double */
    STORE_FIGURE_MEASURE,    /* double, NULL when NAN (not measured) and read back as NAN */
    STORE_FIGURE_FLAG,       /* bool */
    STORE_FIGURE_TEXT,       /* char array */
    STORE_FIGURE_REASON,     /* char array, NULL when the sample is valid */
    STORE_FIGURE_NOTE,       /* char array, NULL when empty */
    STORE_FIGURE_COUNTER,    /* struct result_counter: NULL when the counter was unavailable */
    STORE_FIGURE_WORKER_OPS, /* uint64_t[workers]: a JSON array, json_each() reads it */
    STORE_FIGURE_LATENCY,    /* struct result_latency[RESULT_OP_COUNT]: store_latency_figures[]
                              * of each operation, OP_NAME; percentiles NULL when OP_samples is 0 */
};

struct store_figure {
    const char *column;
    enum store_figure_kind kind;
    size_t offset, size;
    const char *decl;
    bool imported; /* an external case's sample carries it (see the top of this file) */
};

#define STORE_FIGURE(field, kind, decl)                                                          \
    {#field, kind, offsetof(struct result_sample, field),                                        \
     sizeof(((struct result_sample *)0)->field), decl, false}
/* A figure that an import from another tool carries: Go's benchmark output gives N, ns/op and,
 * with -benchmem, allocs/op (cli/cmd_import.c says how each is derived). */
#define STORE_FIGURE_IMPORTED(field, kind, decl)                                                 \
    {#field, kind, offsetof(struct result_sample, field),                                        \
     sizeof(((struct result_sample *)0)->field), decl, true}

/* The order is the columns' order, in the samples table and in the case_results view. */
static const struct store_figure store_figures[] = {
    STORE_FIGURE_IMPORTED(repetition, STORE_FIGURE_WHOLE, "INTEGER NOT NULL"),
    STORE_FIGURE_IMPORTED(window_s, STORE_FIGURE_REAL, "REAL NOT NULL"),
    STORE_FIGURE_IMPORTED(total_ops, STORE_FIGURE_WHOLE, "INTEGER NOT NULL"),
    STORE_FIGURE_IMPORTED(ops_per_s, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE_IMPORTED(ns_per_op, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE_IMPORTED(workers, STORE_FIGURE_WHOLE, "INTEGER NOT NULL"),
    STORE_FIGURE(worker_ops, STORE_FIGURE_WORKER_OPS, "TEXT NOT NULL"),
    STORE_FIGURE(worker_binding, STORE_FIGURE_TEXT, "TEXT"),
    STORE_FIGURE(gets, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(get_hits, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(writes_attempted, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(writes_effective, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(ranges, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(latency, STORE_FIGURE_LATENCY, NULL),
    STORE_FIGURE(bytes_per_key, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE_IMPORTED(allocs_per_op, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(peak_rss_bytes, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(cycles, STORE_FIGURE_COUNTER, "INTEGER"),
    STORE_FIGURE(instructions, STORE_FIGURE_COUNTER, "INTEGER"),
    STORE_FIGURE(cache_misses, STORE_FIGURE_COUNTER, "INTEGER"),
    STORE_FIGURE(round, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(round_position, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(process_cpu_s, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(worker_cpu_s, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(memory_nodes, STORE_FIGURE_NOTE, "TEXT"),
    STORE_FIGURE(placement_caveat, STORE_FIGURE_NOTE, "TEXT"),
    STORE_FIGURE(map_large_bytes, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(map_huge_bytes, STORE_FIGURE_COUNTER, "INTEGER"),
    STORE_FIGURE(distinct_keys, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(stream_wraps, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(latency_timer_ns, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(timer_ns_per_op, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(steal_pct, STORE_FIGURE_REAL, "REAL"),
    STORE_FIGURE(involuntary_switches, STORE_FIGURE_WHOLE, "INTEGER"),
    STORE_FIGURE(pending_bytes_per_key, STORE_FIGURE_MEASURE, "REAL"),
    STORE_FIGURE_IMPORTED(valid, STORE_FIGURE_FLAG, "INTEGER NOT NULL"),
    STORE_FIGURE_IMPORTED(invalid_reason, STORE_FIGURE_REASON, "TEXT"),
};

#define STORE_FIGURE_COUNT (sizeof store_figures / sizeof store_figures[0])

/* The latency columns of one operation, OP_samples first: the rest are NULL when it is 0. */
static const struct {
    const char *suffix;
    size_t offset;
    const char *decl;
} store_latency_figures[] = {
    {"samples", offsetof(struct result_latency, samples), "INTEGER"},
    {"p50_ns", offsetof(struct result_latency, p50_ns), "REAL"},
    {"p90_ns", offsetof(struct result_latency, p90_ns), "REAL"},
    {"p99_ns", offsetof(struct result_latency, p99_ns), "REAL"},
    {"p999_ns", offsetof(struct result_latency, p999_ns), "REAL"},
    {"max_ns", offsetof(struct result_latency, max_ns), "REAL"},
};

#define STORE_LATENCY_FIGURES (sizeof store_latency_figures / sizeof store_latency_figures[0])

/* ---- column lists -------------------------------------------------------------------------- */

/* An SQL literal for a cell ("" for NULL): the default an added column gives older rows. */
static void store_cell_literal(const struct case_cell *cell, char *buf, size_t len)
{
    size_t used = 0;
    switch (cell->kind) {
    case CASE_CELL_NULL: snprintf(buf, len, "%s", ""); break;
    case CASE_CELL_INT: snprintf(buf, len, "%lld", (long long)cell->i); break;
    case CASE_CELL_REAL: snprintf(buf, len, "%.17g", cell->r); break;
    case CASE_CELL_TEXT:
        buf[used++] = '\'';
        for (const char *p = cell->text; *p && used + 3 < len; p++) {
            if (*p == '\'')
                buf[used++] = '\'';
            buf[used++] = *p;
        }
        buf[used++] = '\'';
        buf[used] = '\0';
        break;
    }
}

size_t store_columns_of_cases(struct store_column *out)
{
    struct bench_case defaults;
    size_t n = 0;
    memset(&defaults, 0, sizeof defaults);
    case_dims_set_defaults(&defaults);
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        struct case_cell cells[CASE_DIM_COLUMNS];
        memset(cells, 0, sizeof cells);
        d->type->to_cells(d, &defaults, cells);
        for (int k = 0; k < CASE_DIM_COLUMNS && d->columns[k].name && n < STORE_COLUMNS_MAX; k++) {
            struct store_column *c = &out[n++];
            snprintf(c->name, sizeof c->name, "%s", d->columns[k].name);
            c->decl = d->columns[k].decl;
            c->default_sql[0] = '\0';
            if (d->default_text)
                store_cell_literal(&cells[k], c->default_sql, sizeof c->default_sql);
        }
    }
    return n;
}

size_t store_columns_of_samples(struct store_column *out)
{
    size_t n = 0;
    for (size_t i = 0; i < STORE_FIGURE_COUNT && n < STORE_COLUMNS_MAX; i++) {
        const struct store_figure *f = &store_figures[i];
        if (f->kind != STORE_FIGURE_LATENCY) {
            out[n++] = (struct store_column){.decl = f->decl};
            snprintf(out[n - 1].name, sizeof out[n - 1].name, "%s", f->column);
            continue;
        }
        for (int op = 0; op < RESULT_OP_COUNT; op++)
            for (size_t k = 0; k < STORE_LATENCY_FIGURES && n < STORE_COLUMNS_MAX; k++) {
                out[n++] = (struct store_column){.decl = store_latency_figures[k].decl};
                snprintf(out[n - 1].name, sizeof out[n - 1].name, "%s_%s",
                         result_op_name((enum result_op)op), store_latency_figures[k].suffix);
            }
    }
    return n;
}

/* ---- SQL texts ----------------------------------------------------------------------------- */

FILE *store_sql_open(char **sql, size_t *len)
{
    FILE *f = open_memstream(sql, len);
    if (!f)
        xalloc_die("open_memstream", 0);
    return f;
}

/* Writes ", PREFIX.name" (or ", ?") for every column. */
static void store_sql_list(FILE *f, const struct store_column *cols, size_t n, const char *prefix,
                           bool placeholders)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, placeholders ? ", ?" : ", %s%s", prefix, cols[i].name);
}

static char *store_sql_insert(const char *head, const char *fixed_values, bool cases)
{
    struct store_column cols[STORE_COLUMNS_MAX];
    size_t n = cases ? store_columns_of_cases(cols) : store_columns_of_samples(cols);
    char *sql = NULL;
    size_t len;
    FILE *f = store_sql_open(&sql, &len);
    fputs(head, f);
    store_sql_list(f, cols, n, "", false);
    fprintf(f, ") VALUES (%s", fixed_values);
    store_sql_list(f, cols, n, "", true);
    fputs(cases ? ") RETURNING id" : ")", f);
    fclose(f);
    return sql;
}

char *store_sql_case_insert(void)
{
    return store_sql_insert("INSERT INTO cases (id, run_id, status, reason, plan, oversubscribed",
                            "?, ?, ?, ?, ?, ?", true);
}

char *store_sql_sample_insert(void)
{
    return store_sql_insert("INSERT INTO samples (case_id", "?", false);
}

/* Writes the case's and the sample's column lists of a SELECT over `cases c` and `samples s`. */
static void store_sql_case_and_sample(FILE *f, const char *case_fixed, const char *sample_fixed)
{
    struct store_column cols[STORE_COLUMNS_MAX];
    size_t n = store_columns_of_cases(cols);
    fputs(case_fixed, f);
    store_sql_list(f, cols, n, "c.", false);
    fputs(sample_fixed, f);
    n = store_columns_of_samples(cols);
    store_sql_list(f, cols, n, "s.", false);
}

char *store_sql_run_rows(void)
{
    char *sql = NULL;
    size_t len;
    FILE *f = store_sql_open(&sql, &len);
    store_sql_case_and_sample(f, "SELECT c.id, c.status, c.reason, c.plan, c.oversubscribed", ", s.id");
    fputs(" FROM cases c LEFT JOIN samples s ON s.case_id = c.id WHERE c.run_id = ?"
          " ORDER BY c.id, s.repetition",
          f);
    fclose(f);
    return sql;
}

char *store_sql_view_case_results(void)
{
    char *sql = NULL;
    size_t len;
    FILE *f = store_sql_open(&sql, &len);
    store_sql_case_and_sample(
        f,
        "CREATE VIEW case_results AS SELECT r.id AS run_id, r.label AS run_label,"
        " r.status AS run_status, r.started_at AS run_started_at, r.git_commit, r.compiler,"
        " r.cflags, r.transparent_hugepages, r.cpu_governor, m.id AS machine_id, m.fingerprint,"
        " m.hostname, m.cpu_model, c.id AS case_id, c.status AS case_status,"
        " c.reason AS case_reason, c.plan, c.oversubscribed",
        ", s.id AS sample_id");
    fputs(" FROM samples s JOIN cases c ON c.id = s.case_id JOIN runs r ON r.id = c.run_id"
          " JOIN machines m ON m.id = r.machine_id",
          f);
    fclose(f);
    return sql;
}

/* c.* follows the cases table by itself. */
const char *store_sql_view_case_summary(void)
{
    return "CREATE VIEW case_summary AS SELECT c.*, count(s.id) AS valid_samples,"
           " avg(s.ops_per_s) AS mean_ops_per_s, min(s.ops_per_s) AS min_ops_per_s,"
           " max(s.ops_per_s) AS max_ops_per_s, avg(s.ns_per_op) AS mean_ns_per_op"
           " FROM cases c LEFT JOIN samples s ON s.case_id = c.id AND s.valid GROUP BY c.id";
}

/* ---- cases ---------------------------------------------------------------------------------- */

static int store_cell_bind(sqlite3_stmt *st, int index, const struct case_cell *cell)
{
    switch (cell->kind) {
    case CASE_CELL_INT: return sqlite3_bind_int64(st, index, cell->i);
    case CASE_CELL_REAL: return sqlite3_bind_double(st, index, cell->r);
    case CASE_CELL_TEXT: return sqlite3_bind_text(st, index, cell->text, -1, SQLITE_TRANSIENT);
    case CASE_CELL_NULL: break;
    }
    return sqlite3_bind_null(st, index);
}

static void store_cell_read(sqlite3_stmt *st, int column, struct case_cell *cell)
{
    const unsigned char *text;
    memset(cell, 0, sizeof *cell);
    switch (sqlite3_column_type(st, column)) {
    case SQLITE_INTEGER:
        cell->kind = CASE_CELL_INT;
        cell->i = sqlite3_column_int64(st, column);
        break;
    case SQLITE_FLOAT:
        cell->kind = CASE_CELL_REAL;
        cell->r = sqlite3_column_double(st, column);
        break;
    case SQLITE_NULL:
        break;
    default:
        cell->kind = CASE_CELL_TEXT;
        text = sqlite3_column_text(st, column);
        snprintf(cell->text, sizeof cell->text, "%s", text ? (const char *)text : "");
    }
}

int store_case_bind(sqlite3_stmt *st, int first, const struct bench_case *c)
{
    int index = first, rc = SQLITE_OK;
    for (size_t i = 0; i < case_dim_count && rc == SQLITE_OK; i++) {
        const struct case_dim *d = &case_dims[i];
        struct case_cell cells[CASE_DIM_COLUMNS];
        memset(cells, 0, sizeof cells);
        d->type->to_cells(d, c, cells);
        for (int k = 0; k < CASE_DIM_COLUMNS && d->columns[k].name && rc == SQLITE_OK; k++)
            rc = store_cell_bind(st, index++, &cells[k]);
    }
    return rc;
}

int store_case_read(sqlite3_stmt *st, int first, struct bench_case *c)
{
    int column = first;
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < case_dim_count; i++) {
        const struct case_dim *d = &case_dims[i];
        struct case_cell cells[CASE_DIM_COLUMNS];
        memset(cells, 0, sizeof cells);
        for (int k = 0; k < CASE_DIM_COLUMNS && d->columns[k].name; k++)
            store_cell_read(st, column++, &cells[k]);
        d->type->from_cells(d, c, cells);
    }
    return column;
}

/* ---- samples -------------------------------------------------------------------------------- */

char *store_json_array(const uint64_t *values, size_t n)
{
    size_t cap = 2 + n * 21 + 1, used = 0;
    char *text = xmalloc(cap);
    text[used++] = '[';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, cap - used, "%s%llu", i ? "," : "", (unsigned long long)values[i]);
    snprintf(text + used, cap - used, "]");
    return text;
}

size_t store_parse_json_array(const char *text, uint64_t *values, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        char *end;
        if (*p < '0' || *p > '9') {
            p++;
            continue;
        }
        uint64_t v = strtoull(p, &end, 10);
        if (n < cap)
            values[n] = v;
        n++;
        p = end;
    }
    return n;
}

static const void *store_figure_of(const struct store_figure *f, const struct result_sample *r)
{
    return (const char *)r + f->offset;
}

static void *store_figure_in(const struct store_figure *f, struct result_sample *r)
{
    return (char *)r + f->offset;
}

static int64_t store_figure_whole(const struct store_figure *f, const struct result_sample *r)
{
    const void *p = store_figure_of(f, r);
    return f->size == sizeof(int) ? *(const int *)p : (int64_t) * (const uint64_t *)p;
}

static int store_latency_bind(sqlite3_stmt *st, int *index, const struct result_sample *r)
{
    int rc = SQLITE_OK;
    for (int op = 0; op < RESULT_OP_COUNT && rc == SQLITE_OK; op++) {
        const struct result_latency *l = &r->latency[op];
        rc = sqlite3_bind_int64(st, (*index)++, (int64_t)l->samples);
        for (size_t k = 1; k < STORE_LATENCY_FIGURES && rc == SQLITE_OK; k++) {
            double v = *(const double *)((const char *)l + store_latency_figures[k].offset);
            rc = l->samples ? sqlite3_bind_double(st, (*index)++, v) : sqlite3_bind_null(st, (*index)++);
        }
    }
    return rc;
}

/* The columns of a figure an external sample does not carry: NULL (every latency column too),
 * or "[]" for the per-worker counts, whose column is NOT NULL. */
static int store_figure_bind_absent(sqlite3_stmt *st, int *index, const struct store_figure *f)
{
    int columns = f->kind == STORE_FIGURE_LATENCY ? RESULT_OP_COUNT * (int)STORE_LATENCY_FIGURES : 1;
    int rc = SQLITE_OK;
    for (int k = 0; k < columns && rc == SQLITE_OK; k++, (*index)++)
        rc = f->kind == STORE_FIGURE_WORKER_OPS
                 ? sqlite3_bind_text(st, *index, "[]", -1, SQLITE_STATIC)
                 : sqlite3_bind_null(st, *index);
    return rc;
}

static int store_figure_bind(sqlite3_stmt *st, int *index, const struct store_figure *f,
                             const struct result_sample *r, bool external)
{
    const void *p = store_figure_of(f, r);
    int i = *index, rc;
    char *json;
    if (external && !f->imported)
        return store_figure_bind_absent(st, index, f);
    switch (f->kind) {
    case STORE_FIGURE_WHOLE: rc = sqlite3_bind_int64(st, i, store_figure_whole(f, r)); break;
    case STORE_FIGURE_REAL: rc = sqlite3_bind_double(st, i, *(const double *)p); break;
    case STORE_FIGURE_MEASURE:
        rc = isnan(*(const double *)p) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, *(const double *)p);
        break;
    case STORE_FIGURE_FLAG: rc = sqlite3_bind_int(st, i, *(const bool *)p); break;
    case STORE_FIGURE_TEXT: rc = sqlite3_bind_text(st, i, p, -1, SQLITE_TRANSIENT); break;
    case STORE_FIGURE_REASON:
        rc = r->valid ? sqlite3_bind_null(st, i) : sqlite3_bind_text(st, i, p, -1, SQLITE_TRANSIENT);
        break;
    case STORE_FIGURE_NOTE:
        rc = *(const char *)p ? sqlite3_bind_text(st, i, p, -1, SQLITE_TRANSIENT)
                              : sqlite3_bind_null(st, i);
        break;
    case STORE_FIGURE_COUNTER:
        rc = ((const struct result_counter *)p)->present
                 ? sqlite3_bind_int64(st, i, (int64_t)((const struct result_counter *)p)->value)
                 : sqlite3_bind_null(st, i);
        break;
    case STORE_FIGURE_WORKER_OPS:
        json = store_json_array(p, (size_t)(r->workers < 0                     ? 0
                                            : r->workers > RESULT_MAX_WORKERS ? RESULT_MAX_WORKERS
                                                                               : r->workers));
        rc = sqlite3_bind_text(st, i, json, -1, free);
        break;
    case STORE_FIGURE_LATENCY:
        return store_latency_bind(st, index, r);
    default:
        rc = SQLITE_MISUSE;
    }
    (*index)++;
    return rc;
}

int store_sample_bind(sqlite3_stmt *st, int first, const struct result_sample *r, bool external)
{
    int index = first, rc = SQLITE_OK;
    for (size_t i = 0; i < STORE_FIGURE_COUNT && rc == SQLITE_OK; i++)
        rc = store_figure_bind(st, &index, &store_figures[i], r, external);
    return rc;
}

static void store_latency_read(sqlite3_stmt *st, int *column, struct result_sample *r)
{
    for (int op = 0; op < RESULT_OP_COUNT; op++)
        for (size_t k = 0; k < STORE_LATENCY_FIGURES; k++) {
            char *p = (char *)&r->latency[op] + store_latency_figures[k].offset;
            if (k == 0)
                *(uint64_t *)p = (uint64_t)sqlite3_column_int64(st, (*column)++);
            else
                *(double *)p = sqlite3_column_double(st, (*column)++);
        }
}

static void store_figure_read(sqlite3_stmt *st, int *column, const struct store_figure *f,
                              struct result_sample *r)
{
    void *p = store_figure_in(f, r);
    int i = *column;
    const unsigned char *text = NULL; /* read only from text columns: reading converts */
    struct result_counter *counter = p;
    if (f->kind == STORE_FIGURE_TEXT || f->kind == STORE_FIGURE_REASON ||
        f->kind == STORE_FIGURE_NOTE || f->kind == STORE_FIGURE_WORKER_OPS)
        text = sqlite3_column_text(st, i);
    switch (f->kind) {
    case STORE_FIGURE_WHOLE:
        if (f->size == sizeof(int))
            *(int *)p = sqlite3_column_int(st, i);
        else
            *(uint64_t *)p = (uint64_t)sqlite3_column_int64(st, i);
        break;
    case STORE_FIGURE_REAL: *(double *)p = sqlite3_column_double(st, i); break;
    case STORE_FIGURE_MEASURE:
        *(double *)p = sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
        break;
    case STORE_FIGURE_FLAG: *(bool *)p = sqlite3_column_int(st, i) != 0; break;
    case STORE_FIGURE_TEXT:
    case STORE_FIGURE_REASON:
    case STORE_FIGURE_NOTE: snprintf(p, f->size, "%s", text ? (const char *)text : ""); break;
    case STORE_FIGURE_COUNTER:
        counter->present = sqlite3_column_type(st, i) != SQLITE_NULL;
        counter->value = (uint64_t)sqlite3_column_int64(st, i);
        break;
    case STORE_FIGURE_WORKER_OPS:
        store_parse_json_array(text ? (const char *)text : "", p, RESULT_MAX_WORKERS);
        break;
    case STORE_FIGURE_LATENCY:
        store_latency_read(st, column, r);
        return;
    }
    (*column)++;
}

int store_sample_read(sqlite3_stmt *st, int first, struct result_sample *r)
{
    int column = first;
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < STORE_FIGURE_COUNT; i++)
        store_figure_read(st, &column, &store_figures[i], r);
    return column;
}
