/*
 * store_merge.c: merging results databases (`mapbench merge SRC.db... --into DST.db`).  A fleet
 * runs the nightly job on many hosts, each into its own results.db; merged, they read as one file.
 *
 * What is copied.  Every table of the destination's schema, parents before children, in the order
 * its FOREIGN KEYs give (read with pragma_foreign_key_list), so a table added later that hangs off
 * a run or a case -- a calibrations table, say -- is merged with no change here.  Two tables are
 * matched by a natural key instead (store_merge_rules[]): a machine by its fingerprint and a run by
 * its UUID.  Every other row is copied when one of its parent rows was added by this merge, its
 * foreign keys remapped to the destination's ids and its own INTEGER PRIMARY KEY left for the
 * destination to choose.  A row whose parents were all there already is skipped: so a second
 * merge adds nothing, and merging A into B and then B into C keeps one copy (the UUIDs travel).
 *
 * Conflicts, refused with nothing written: a run UUID whose row, case count or sample count differ
 * from the destination's copy; a fingerprint whose facts differ (every machines column but the
 * host name, the topology XML and when it was first seen, since identical machines of a fleet
 * share a fingerprint).  A run still 'running' in a source is left out and counted: its rows are
 * not final, and the next merge takes it once it has ended.
 *
 * Older schemas.  A source is never read in place: it is copied with SQLite's backup API into a
 * temporary file, and store_open migrates the copy like any older file (the same steps, so the
 * upgrade path cannot drift).  A newer source, or a file that is not a mapbench database, is
 * refused before anything is copied.
 *
 * One transaction.  The copies are made first; then one BEGIN IMMEDIATE on the destination covers
 * every source, and any refusal or failure rolls all of it back.
 *
 * SQL texts.  Table and column names come from the destination's own schema (created by
 * store_open from the compile-time tables) and are quoted as identifiers; every value is bound.
 */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/store_columns.h"

#define MERGE_TABLES_MAX 32
#define MERGE_COLUMNS_MAX 192
#define MERGE_KEYS_MAX 4
#define MERGE_NAME_LEN 64

/* A table matched across files by a natural key rather than copied. */
struct store_merge_rule {
    const char *table, *noun;
    const char *key;          /* a UNIQUE column: the same value names the same row */
    const char *free_columns; /* " a b ": may differ between two copies; the destination's stay */
    bool settled_only;        /* a row whose status is 'running' is left out */
    const char *order;        /* the ORDER BY of the source's rows, so ids follow it */
    const char *contents;     /* NULL, or a query over ?1 (the row's id) whose values must agree */
};

static const struct store_merge_rule store_merge_rules[] = {
    {"machines", "machine", "fingerprint", " id hostname topology_xml first_seen ", false, "id", NULL},
    {"runs", "run", "uuid", " id ", true, "started_at, id",
     "SELECT (SELECT count(*) FROM cases WHERE run_id = ?1),"
     " (SELECT count(*) FROM samples WHERE case_id IN (SELECT id FROM cases WHERE run_id = ?1))"},
};

/* What became of a source row: added, found in the destination, or left out (an unfinished run
 * and everything below it). */
enum store_merge_fate { STORE_MERGE_NEW, STORE_MERGE_PRESENT, STORE_MERGE_LEFT_OUT };

struct store_merge_id {
    int64_t from, to; /* the source's id, the destination's (0 when left out) */
    enum store_merge_fate fate;
};

struct store_merge_table {
    char name[MERGE_NAME_LEN];
    char columns[MERGE_COLUMNS_MAX][MERGE_NAME_LEN];
    size_t column_count;
    int id_column; /* the INTEGER PRIMARY KEY, -1 when none */
    struct {
        int column;
        size_t parent; /* index into tables */
    } keys[MERGE_KEYS_MAX];
    size_t key_count;
    bool referenced; /* some table's foreign key points here: keep its ids */
    const struct store_merge_rule *rule;
    /* per source */
    bool in_source;
    bool column_in_source[MERGE_COLUMNS_MAX];
    struct store_merge_id *ids;
    size_t id_count, id_cap;
};

struct store_merge {
    sqlite3 *dst, *src;
    const char *dst_path, *src_path; /* src_path: the user's file, not the copy */
    struct store_merge_table *tables;
    size_t table_count, order[MERGE_TABLES_MAX];
    struct store_merge_counts *counts;
    enum store_merge_status status;
    char *err;
};

/* ---- errors ------------------------------------------------------------------------------- */

static bool store_merge_say(struct store_merge *m, enum store_merge_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error sticks: "SRC: what" (or "DST: what" before a source is read). */
static bool store_merge_say(struct store_merge *m, enum store_merge_status status, const char *fmt, ...)
{
    if (m->status != STORE_MERGE_DONE)
        return false;
    const char *path = m->src_path ? m->src_path : m->dst_path;
    int used = snprintf(m->err, ERR_LEN, "%.120s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err + used, (size_t)(ERR_LEN - used), fmt, ap);
    va_end(ap);
    m->status = status;
    return false;
}

static bool store_merge_sqlite_fail(struct store_merge *m, sqlite3 *db, const char *doing)
{
    return store_merge_say(m, STORE_MERGE_FAILED, "%s: %s", doing, sqlite3_errmsg(db));
}

/* ---- SQL ---------------------------------------------------------------------------------- */

static void store_merge_ident(FILE *f, const char *name)
{
    fputc('"', f);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static sqlite3_stmt *store_merge_prepare(struct store_merge *m, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        store_merge_sqlite_fail(m, db, "preparing a statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Whether column ca of a and cb of b hold the same value (1 and 1.0 are the same). */
static bool store_merge_same(sqlite3_stmt *a, int ca, sqlite3_stmt *b, int cb)
{
    int ta = sqlite3_column_type(a, ca), tb = sqlite3_column_type(b, cb);
    bool na = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT, nb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT;
    if (na && nb)
        return ta == SQLITE_INTEGER && tb == SQLITE_INTEGER
                   ? sqlite3_column_int64(a, ca) == sqlite3_column_int64(b, cb)
                   : sqlite3_column_double(a, ca) == sqlite3_column_double(b, cb);
    if (ta != tb)
        return false;
    if (ta == SQLITE_NULL)
        return true;
    const void *va = ta == SQLITE_BLOB ? sqlite3_column_blob(a, ca) : (const void *)sqlite3_column_text(a, ca);
    const void *vb = tb == SQLITE_BLOB ? sqlite3_column_blob(b, cb) : (const void *)sqlite3_column_text(b, cb);
    int la = sqlite3_column_bytes(a, ca), lb = sqlite3_column_bytes(b, cb);
    return la == lb && (la == 0 || memcmp(va, vb, (size_t)la) == 0);
}

static const char *store_merge_shown(sqlite3_stmt *st, int column)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    return text ? (const char *)text : "NULL";
}

/* ---- the destination's schema ------------------------------------------------------------- */

static size_t store_merge_table_index(const struct store_merge *m, const char *name)
{
    for (size_t i = 0; i < m->table_count; i++)
        if (strcmp(m->tables[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static int store_merge_column_index(const struct store_merge_table *t, const char *name)
{
    for (size_t i = 0; i < t->column_count; i++)
        if (strcmp(t->columns[i], name) == 0)
            return (int)i;
    return -1;
}

/* Fills the columns of t and its INTEGER PRIMARY KEY. */
static bool store_merge_read_columns(struct store_merge *m, struct store_merge_table *t)
{
    sqlite3_stmt *st = store_merge_prepare(m, m->dst, "SELECT name, upper(type), pk,"
                                                      " (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0)"
                                                      " FROM pragma_table_info(?1) ORDER BY cid");
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    t->id_column = -1;
    while (sqlite3_step(st) == SQLITE_ROW && t->column_count < MERGE_COLUMNS_MAX) {
        snprintf(t->columns[t->column_count], MERGE_NAME_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_column_int(st, 2) == 1 && sqlite3_column_int(st, 3) == 1 &&
            strcmp((const char *)sqlite3_column_text(st, 1), "INTEGER") == 0)
            t->id_column = (int)t->column_count;
        t->column_count++;
    }
    sqlite3_finalize(st);
    return true;
}

/* Fills t's foreign keys; each must point at its parent's INTEGER PRIMARY KEY. */
static bool store_merge_read_keys(struct store_merge *m, struct store_merge_table *t)
{
    sqlite3_stmt *st = store_merge_prepare(m, m->dst, "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1)");
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    bool ok = true;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        const char *from = (const char *)sqlite3_column_text(st, 0), *to = (const char *)sqlite3_column_text(st, 2);
        size_t parent = store_merge_table_index(m, (const char *)sqlite3_column_text(st, 1));
        int column = store_merge_column_index(t, from);
        const struct store_merge_table *p = parent == SIZE_MAX ? NULL : &m->tables[parent];
        ok = p && column >= 0 && p->id_column >= 0 && t->key_count < MERGE_KEYS_MAX &&
             (!to || strcmp(to, p->columns[p->id_column]) == 0);
        if (!ok)
            store_merge_say(m, STORE_MERGE_FAILED, "table %s: foreign key %s is not one merge can remap"
                            " (a parent's INTEGER PRIMARY KEY)", t->name, from);
        else {
            t->keys[t->key_count].column = column;
            t->keys[t->key_count++].parent = parent;
        }
    }
    sqlite3_finalize(st);
    return ok;
}

/* Orders the tables parents first; false on a cycle. */
static bool store_merge_order(struct store_merge *m)
{
    bool placed[MERGE_TABLES_MAX] = {false};
    for (size_t n = 0; n < m->table_count; n++) {
        size_t pick = SIZE_MAX;
        for (size_t i = 0; i < m->table_count && pick == SIZE_MAX; i++) {
            bool ready = !placed[i];
            for (size_t k = 0; ready && k < m->tables[i].key_count; k++)
                ready = placed[m->tables[i].keys[k].parent] || m->tables[i].keys[k].parent == i;
            if (ready)
                pick = i;
        }
        if (pick == SIZE_MAX)
            return store_merge_say(m, STORE_MERGE_FAILED, "the tables' foreign keys form a cycle");
        placed[pick] = true;
        m->order[n] = pick;
    }
    return true;
}

static bool store_merge_read_schema(struct store_merge *m)
{
    sqlite3_stmt *st = store_merge_prepare(m, m->dst, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                                      " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
    if (!st)
        return false;
    m->tables = xcalloc(MERGE_TABLES_MAX, sizeof *m->tables);
    while (sqlite3_step(st) == SQLITE_ROW && m->table_count < MERGE_TABLES_MAX)
        snprintf(m->tables[m->table_count++].name, MERGE_NAME_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    bool ok = true;
    for (size_t i = 0; ok && i < m->table_count; i++)
        ok = store_merge_read_columns(m, &m->tables[i]);
    for (size_t i = 0; ok && i < m->table_count; i++) {
        struct store_merge_table *t = &m->tables[i];
        ok = store_merge_read_keys(m, t);
        for (size_t r = 0; r < sizeof store_merge_rules / sizeof store_merge_rules[0]; r++)
            if (strcmp(store_merge_rules[r].table, t->name) == 0)
                t->rule = &store_merge_rules[r];
        if (ok && !t->rule && t->key_count == 0)
            ok = store_merge_say(m, STORE_MERGE_FAILED, "table %s hangs off no run and has no merge rule"
                                 " (store/store_merge.c)", t->name);
        for (size_t k = 0; ok && k < t->key_count; k++)
            m->tables[t->keys[k].parent].referenced = true;
    }
    return ok && store_merge_order(m);
}

/* ---- ids ------------------------------------------------------------------------------------ */

static void store_merge_id_add(struct store_merge_table *t, int64_t from, int64_t to, enum store_merge_fate fate)
{
    if (!t->referenced)
        return;
    if (t->id_count == t->id_cap) {
        t->id_cap = t->id_cap ? 2 * t->id_cap : 64;
        t->ids = xreallocarray(t->ids, t->id_cap, sizeof *t->ids);
    }
    t->ids[t->id_count++] = (struct store_merge_id){from, to, fate};
}

static int store_merge_id_order(const void *a, const void *b)
{
    int64_t x = ((const struct store_merge_id *)a)->from, y = ((const struct store_merge_id *)b)->from;
    return (x > y) - (x < y);
}

static const struct store_merge_id *store_merge_id_find(const struct store_merge_table *t, int64_t from)
{
    struct store_merge_id key = {.from = from};
    if (t->id_count == 0)
        return NULL;
    return bsearch(&key, t->ids, t->id_count, sizeof *t->ids, store_merge_id_order);
}

/* ---- copying one table ---------------------------------------------------------------------- */

/* The statements of one table for one source: its rows there, their insertion here, and for a
 * rule's table the lookup by key and the contents on both sides. */
struct store_merge_copy {
    struct store_merge_table *t;
    sqlite3_stmt *rows, *insert, *lookup, *contents_src, *contents_dst;
    int select_of[MERGE_COLUMNS_MAX]; /* column -> its index in rows and lookup, -1 when absent */
    int key, status;                  /* of the rule, in rows */
};

static void store_merge_copy_free(struct store_merge_copy *c)
{
    sqlite3_finalize(c->rows);
    sqlite3_finalize(c->insert);
    sqlite3_finalize(c->lookup);
    sqlite3_finalize(c->contents_src);
    sqlite3_finalize(c->contents_dst);
}

/* "SELECT a, b FROM t" over the columns the source has, then TAIL. */
static char *store_merge_sql_select(const struct store_merge_copy *c, const char *tail)
{
    char *sql = NULL;
    size_t len, n = 0;
    FILE *f = store_sql_open(&sql, &len);
    fputs("SELECT ", f);
    for (size_t i = 0; i < c->t->column_count; i++)
        if (c->t->column_in_source[i]) {
            fputs(n++ ? ", " : "", f);
            store_merge_ident(f, c->t->columns[i]);
        }
    fputs(" FROM ", f);
    store_merge_ident(f, c->t->name);
    fputs(tail, f);
    fclose(f);
    return sql;
}

/* "INSERT INTO t (a, b) VALUES (?, ?)": the columns the source has, but the INTEGER PRIMARY KEY. */
static char *store_merge_sql_insert(const struct store_merge_table *t)
{
    char *sql = NULL;
    size_t len, n = 0;
    FILE *f = store_sql_open(&sql, &len);
    fputs("INSERT INTO ", f);
    store_merge_ident(f, t->name);
    fputs(" (", f);
    for (size_t i = 0; i < t->column_count; i++)
        if (t->column_in_source[i] && (int)i != t->id_column) {
            fputs(n++ ? ", " : "", f);
            store_merge_ident(f, t->columns[i]);
        }
    fputs(") VALUES (", f);
    for (size_t i = 0; i < n; i++)
        fputs(i ? ", ?" : "?", f);
    fputs(")", f);
    fclose(f);
    return sql;
}

static bool store_merge_copy_prepare(struct store_merge *m, struct store_merge_copy *c)
{
    const struct store_merge_table *t = c->t;
    const struct store_merge_rule *rule = t->rule;
    int n = 0;
    for (size_t i = 0; i < t->column_count; i++)
        c->select_of[i] = t->column_in_source[i] ? n++ : -1;
    int key = rule ? store_merge_column_index(t, rule->key) : -1, status = store_merge_column_index(t, "status");
    c->key = key >= 0 ? c->select_of[key] : -1;
    c->status = status >= 0 ? c->select_of[status] : -1;
    if (rule && (c->key < 0 || t->id_column < 0 || (rule->settled_only && c->status < 0)))
        return store_merge_say(m, STORE_MERGE_FAILED, "table %s lacks its id, its key %s or its status",
                               t->name, rule->key);
    char tail[160] = "", *sql;
    if (rule)
        snprintf(tail, sizeof tail, " ORDER BY %s", rule->order);
    else if (t->id_column >= 0)
        snprintf(tail, sizeof tail, " ORDER BY \"%s\"", t->columns[t->id_column]);
    sql = store_merge_sql_select(c, tail);
    c->rows = store_merge_prepare(m, m->src, sql);
    free(sql);
    sql = store_merge_sql_insert(t);
    c->insert = c->rows ? store_merge_prepare(m, m->dst, sql) : NULL;
    free(sql);
    if (!c->insert || !rule)
        return c->insert != NULL;
    snprintf(tail, sizeof tail, " WHERE \"%s\" = ?1", rule->key);
    sql = store_merge_sql_select(c, tail);
    c->lookup = store_merge_prepare(m, m->dst, sql);
    free(sql);
    if (c->lookup && rule->contents) {
        c->contents_src = store_merge_prepare(m, m->src, rule->contents);
        c->contents_dst = c->contents_src ? store_merge_prepare(m, m->dst, rule->contents) : NULL;
        return c->contents_dst != NULL;
    }
    return c->lookup != NULL;
}

/* Which of t's foreign keys column i is; t->key_count when none. */
static size_t store_merge_key_of(const struct store_merge_table *t, size_t i)
{
    size_t k = 0;
    while (k < t->key_count && t->keys[k].column != (int)i)
        k++;
    return k;
}

/* The fate of the current row from its parents, with each foreign key's id in the destination
 * (to[k]; 0 for NULL).  A row of a rule's table comes from its key instead; for it this only
 * checks that its parents are known. */
static bool store_merge_parents(struct store_merge *m, struct store_merge_copy *c, int64_t *to,
                                enum store_merge_fate *fate)
{
    const struct store_merge_table *t = c->t;
    bool any_new = false, left_out = false;
    for (size_t k = 0; k < t->key_count; k++) {
        int column = c->select_of[t->keys[k].column];
        to[k] = 0;
        if (column < 0 || sqlite3_column_type(c->rows, column) == SQLITE_NULL)
            continue;
        const struct store_merge_table *p = &m->tables[t->keys[k].parent];
        int64_t from = sqlite3_column_int64(c->rows, column);
        const struct store_merge_id *id = store_merge_id_find(p, from);
        if (!id)
            return store_merge_say(m, STORE_MERGE_REFUSED, "a row of %s names %s %lld, which the file lacks",
                                   t->name, p->name, (long long)from);
        to[k] = id->to;
        any_new |= id->fate == STORE_MERGE_NEW;
        left_out |= id->fate == STORE_MERGE_LEFT_OUT;
    }
    *fate = left_out ? STORE_MERGE_LEFT_OUT : any_new ? STORE_MERGE_NEW : STORE_MERGE_PRESENT;
    return true;
}

static bool store_merge_insert(struct store_merge *m, struct store_merge_copy *c, const int64_t *to, int64_t *new_id)
{
    const struct store_merge_table *t = c->t;
    sqlite3_reset(c->insert);
    sqlite3_clear_bindings(c->insert);
    int index = 1, rc = SQLITE_OK;
    for (size_t i = 0; i < t->column_count && rc == SQLITE_OK; i++) {
        if (c->select_of[i] < 0 || (int)i == t->id_column)
            continue;
        size_t k = store_merge_key_of(t, i);
        if (k < t->key_count && sqlite3_column_type(c->rows, c->select_of[i]) != SQLITE_NULL)
            rc = sqlite3_bind_int64(c->insert, index++, to[k]);
        else
            rc = sqlite3_bind_value(c->insert, index++, sqlite3_column_value(c->rows, c->select_of[i]));
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(c->insert);
    if (rc != SQLITE_DONE) {
        char doing[96];
        snprintf(doing, sizeof doing, "adding a row to %s", t->name);
        return store_merge_sqlite_fail(m, m->dst, doing);
    }
    *new_id = sqlite3_last_insert_rowid(m->dst);
    return true;
}

/* Compares a rule's row with the destination's row of the same key (c->lookup, stepped): every
 * column but the free ones, foreign keys by where they point, and the rule's contents query. */
static bool store_merge_agree(struct store_merge *m, struct store_merge_copy *c, const int64_t *to)
{
    const struct store_merge_table *t = c->t;
    const struct store_merge_rule *rule = t->rule;
    const char *key = store_merge_shown(c->rows, c->key);
    for (size_t i = 0; i < t->column_count; i++) {
        char word[MERGE_NAME_LEN + 2];
        int s = c->select_of[i];
        snprintf(word, sizeof word, " %s ", t->columns[i]);
        if (s < 0 || strstr(rule->free_columns, word))
            continue;
        size_t k = store_merge_key_of(t, i);
        bool same = k < t->key_count ? sqlite3_column_int64(c->lookup, s) == to[k] : store_merge_same(c->rows, s, c->lookup, s);
        if (!same)
            return store_merge_say(m, STORE_MERGE_REFUSED, "%s %s differs from the destination's: %s '%.32s' there,"
                                   " '%.32s' here", rule->noun, key, t->columns[i],
                                   store_merge_shown(c->lookup, s), store_merge_shown(c->rows, s));
    }
    if (!rule->contents)
        return true;
    sqlite3_stmt *side[2] = {c->contents_src, c->contents_dst};
    int64_t ids[2] = {sqlite3_column_int64(c->rows, c->select_of[t->id_column]),
                      sqlite3_column_int64(c->lookup, c->select_of[t->id_column])};
    for (int i = 0; i < 2; i++) {
        sqlite3_reset(side[i]);
        sqlite3_bind_int64(side[i], 1, ids[i]);
        if (sqlite3_step(side[i]) != SQLITE_ROW)
            return store_merge_sqlite_fail(m, i ? m->dst : m->src, "reading a run's contents");
    }
    for (int k = 0; k < sqlite3_column_count(side[0]); k++)
        if (!store_merge_same(side[0], k, side[1], k))
            return store_merge_say(m, STORE_MERGE_REFUSED, "%s %s differs from the destination's: %s cases or"
                                   " samples there, %s here", rule->noun, key,
                                   store_merge_shown(side[1], k), store_merge_shown(side[0], k));
    return true;
}

/* A rule's row: left out while unfinished, found by key (and checked), or added. */
static bool store_merge_matched_row(struct store_merge *m, struct store_merge_copy *c, const int64_t *to,
                                    enum store_merge_fate *fate, int64_t *new_id)
{
    const struct store_merge_rule *rule = c->t->rule;
    if (sqlite3_column_type(c->rows, c->key) == SQLITE_NULL)
        return store_merge_say(m, STORE_MERGE_REFUSED, "a %s has no %s", rule->noun, rule->key);
    if (rule->settled_only) {
        const unsigned char *status = sqlite3_column_text(c->rows, c->status);
        if (status && strcmp((const char *)status, "running") == 0) {
            *fate = STORE_MERGE_LEFT_OUT;
            *new_id = 0;
            m->counts->runs_unfinished++;
            return true;
        }
    }
    sqlite3_reset(c->lookup);
    sqlite3_bind_value(c->lookup, 1, sqlite3_column_value(c->rows, c->key));
    int rc = sqlite3_step(c->lookup);
    if (rc == SQLITE_ROW) {
        *fate = STORE_MERGE_PRESENT;
        *new_id = sqlite3_column_int64(c->lookup, c->select_of[c->t->id_column]);
        m->counts->runs_present += strcmp(c->t->name, "runs") == 0;
        return store_merge_agree(m, c, to);
    }
    if (rc != SQLITE_DONE)
        return store_merge_sqlite_fail(m, m->dst, "looking a row up");
    *fate = STORE_MERGE_NEW;
    return store_merge_insert(m, c, to, new_id);
}

static void store_merge_count(struct store_merge_counts *n, const char *table)
{
    int64_t *counter = strcmp(table, "machines") == 0     ? &n->machines
                       : strcmp(table, "runs") == 0       ? &n->runs
                       : strcmp(table, "cases") == 0      ? &n->cases
                       : strcmp(table, "samples") == 0    ? &n->samples
                       : strcmp(table, "histograms") == 0 ? &n->histograms
                                                          : &n->other_rows;
    (*counter)++;
}

static bool store_merge_table_copy(struct store_merge *m, struct store_merge_table *t)
{
    struct store_merge_copy c = {.t = t};
    bool ok = store_merge_copy_prepare(m, &c);
    int rc = SQLITE_ROW;
    while (ok && (rc = sqlite3_step(c.rows)) == SQLITE_ROW) {
        int64_t to[MERGE_KEYS_MAX], from = t->id_column >= 0 ? sqlite3_column_int64(c.rows, c.select_of[t->id_column]) : 0;
        int64_t new_id = 0;
        enum store_merge_fate fate = STORE_MERGE_LEFT_OUT;
        ok = store_merge_parents(m, &c, to, &fate);
        if (ok && t->rule && fate != STORE_MERGE_LEFT_OUT)
            ok = store_merge_matched_row(m, &c, to, &fate, &new_id);
        else if (ok && fate == STORE_MERGE_NEW)
            ok = store_merge_insert(m, &c, to, &new_id);
        if (ok && fate == STORE_MERGE_NEW)
            store_merge_count(m->counts, t->name);
        if (ok && t->id_column >= 0)
            store_merge_id_add(t, from, new_id, fate);
    }
    if (ok && rc != SQLITE_DONE)
        ok = store_merge_sqlite_fail(m, m->src, "reading the file");
    store_merge_copy_free(&c);
    if (t->id_count > 1)
        qsort(t->ids, t->id_count, sizeof *t->ids, store_merge_id_order);
    return ok;
}

/* ---- one source ------------------------------------------------------------------------------ */

/* Which tables and columns of the destination the (migrated) source has. */
static bool store_merge_source_columns(struct store_merge *m)
{
    sqlite3_stmt *st = store_merge_prepare(m, m->src, "SELECT name FROM pragma_table_info(?1)");
    if (!st)
        return false;
    for (size_t i = 0; i < m->table_count; i++) {
        struct store_merge_table *t = &m->tables[i];
        t->in_source = false;
        t->id_count = 0;
        memset(t->column_in_source, 0, sizeof t->column_in_source);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int column = store_merge_column_index(t, (const char *)sqlite3_column_text(st, 0));
            if (column >= 0)
                t->column_in_source[column] = t->in_source = true;
        }
    }
    sqlite3_finalize(st);
    return true;
}

static bool store_merge_source(struct store_merge *m)
{
    bool ok = store_merge_source_columns(m);
    for (size_t n = 0; ok && n < m->table_count; n++) {
        struct store_merge_table *t = &m->tables[m->order[n]];
        if (t->in_source)
            ok = store_merge_table_copy(m, t);
    }
    return ok;
}

/* ---- copies of the sources ------------------------------------------------------------------- */

struct store_merge_file {
    const char *path;
    char copy[PATH_MAX];
    struct store *store;
};

/* Refuses a source that is missing, no mapbench database, newer than this mapbench, or the
 * destination itself. */
static bool store_merge_check(struct store_merge *m, const char *path)
{
    char why[ERR_LEN];
    struct stat a, b;
    if (!store_probe(path, why)) { /* the line names the file already */
        snprintf(m->err, ERR_LEN, "%s", why);
        m->status = STORE_MERGE_REFUSED;
        return false;
    }
    if (stat(path, &a) == 0 && stat(m->dst_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return store_merge_say(m, STORE_MERGE_REFUSED, "is the destination itself");
    return true;
}

/* Copies the source into a temporary file (SQLite's backup API reads it consistently, WAL and
 * all, and writes nothing to it), then opens the copy with store_open, which migrates it. */
static bool store_merge_copy_file(struct store_merge *m, struct store_merge_file *f)
{
    const char *dir = getenv("TMPDIR");
    snprintf(f->copy, sizeof f->copy, "%s/mapbench-merge-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(f->copy);
    if (fd < 0) {
        f->copy[0] = '\0';
        return store_merge_say(m, STORE_MERGE_FAILED, "cannot make a temporary copy: %s", strerror(errno));
    }
    close(fd);
    sqlite3 *from = NULL, *to = NULL;
    int rc = sqlite3_open_v2(f->path, &from, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(f->copy, &to, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(from, STORE_BUSY_TIMEOUT_MS);
        sqlite3_backup *backup = sqlite3_backup_init(to, "main", from, "main");
        rc = backup ? sqlite3_backup_step(backup, -1) : sqlite3_errcode(to);
        if (backup && sqlite3_backup_finish(backup) != SQLITE_OK && rc == SQLITE_DONE)
            rc = sqlite3_errcode(to);
    }
    if (rc != SQLITE_DONE)
        store_merge_say(m, STORE_MERGE_FAILED, "copying it: %s", sqlite3_errstr(rc));
    sqlite3_close_v2(from);
    sqlite3_close_v2(to);
    if (rc != SQLITE_DONE)
        return false;
    char why[ERR_LEN];
    f->store = store_open(f->copy, why);
    return f->store || store_merge_say(m, STORE_MERGE_FAILED, "migrating a copy: %s", why);
}

static void store_merge_file_remove(struct store_merge_file *f)
{
    store_close(f->store);
    if (f->copy[0])
        store_file_remove(f->copy);
}

enum store_merge_status store_merge(struct store *dst, const char *const *sources, size_t count,
                                    struct store_merge_counts *counts, char *err)
{
    struct store_merge m = {.dst = store_db(dst), .dst_path = store_path(dst), .err = err};
    struct store_merge_file *files = xcalloc(count ? count : 1, sizeof *files);
    bool ok = store_merge_read_schema(&m);
    for (size_t i = 0; ok && i < count; i++) {
        files[i].path = m.src_path = sources[i];
        ok = store_merge_check(&m, sources[i]) && store_merge_copy_file(&m, &files[i]);
    }
    m.src_path = NULL;
    if (ok && sqlite3_exec(m.dst, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        ok = store_merge_sqlite_fail(&m, m.dst, "starting a write transaction");
    for (size_t i = 0; ok && i < count; i++) {
        m.src_path = sources[i];
        m.src = store_db(files[i].store);
        m.counts = &counts[i];
        *m.counts = (struct store_merge_counts){0};
        ok = store_merge_source(&m);
    }
    m.src_path = NULL;
    if (ok && sqlite3_exec(m.dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        ok = store_merge_sqlite_fail(&m, m.dst, "committing");
    if (!sqlite3_get_autocommit(m.dst))
        sqlite3_exec(m.dst, "ROLLBACK", NULL, NULL, NULL);
    for (size_t i = 0; i < count; i++)
        store_merge_file_remove(&files[i]);
    for (size_t i = 0; m.tables && i < m.table_count; i++)
        free(m.tables[i].ids);
    free(m.tables);
    free(files);
    return m.status;
}
