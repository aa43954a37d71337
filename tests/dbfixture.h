/*
 * dbfixture.h: results databases built for tests (test_store.c, test_merge.c): an example case and
 * sample with every kind of value, runs on named synthetic machines, finished cases with samples
 * and a histogram, and one-value SQL queries.  A failure fails the calling test.
 */
#ifndef MAPBENCH_TESTS_DBFIXTURE_H
#define MAPBENCH_TESTS_DBFIXTURE_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

/* A case of `backend` with a value of every kind (a seed above INT64_MAX, a zipf distribution,
 * memory bound to node 1). */
void dbfixture_case(struct bench_case *c, const char *backend);
/* Repetition `repetition` of it: valid when 0, invalid with a reason otherwise; the get latency
 * and the cycle counter present, every other counter absent. */
void dbfixture_sample(struct result_sample *r, int repetition);

/* store_open, failing the test with its error. */
struct store *dbfixture_open(const char *path);

/* The synthetic machine "cafe" on "testhost" that dbfixture_run uses for NULL. */
extern const struct store_machine dbfixture_machine;
/* Records machine m (NULL: dbfixture_machine) and begins a run labelled `label` on it. */
int64_t dbfixture_run(struct store *s, const struct store_machine *m, const char *label);
/* One finished case of run_id with `samples` repetitions and a get histogram of repetition 0;
 * returns its id, or 0 with err set. */
int64_t dbfixture_write_case(struct store *s, int64_t run_id, int samples, char *err);

/* Column 0 of the first row of sql; its ?1, if any, is bound to param. */
int64_t dbfixture_int_with(sqlite3 *db, const char *sql, int64_t param);
int64_t dbfixture_int(sqlite3 *db, const char *sql);
/* The same as malloc'd text ("(null)" for NULL). */
char *dbfixture_text(sqlite3 *db, const char *sql);
/* Every row of sql as "a|b|c\n" lines, malloc'd. */
char *dbfixture_dump(sqlite3 *db, const char *sql);
/* Tables, views, their columns (name, type, not null, default, key) and every index's columns. */
char *dbfixture_schema(sqlite3 *db);
/* A database file (or :memory: when path is NULL) built from an SQL script, such as
 * tests/fixtures/store_v1.sql (paths relative to the source tree, where the suite runs). */
sqlite3 *dbfixture_from_sql(const char *path, const char *script_path);

#endif
