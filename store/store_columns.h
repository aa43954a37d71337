/*
 * store_columns.h: the columns of the cases and samples tables, as two tables rather than lists
 * kept by hand (private to store/).  A case's columns are the rows of the table of case dimensions
 * (scenarios/case_dims.h); a sample's are the rows of store_figures[] (store_columns.c), one per
 * figure of struct result_sample.  Everything that names those columns walks them: the INSERT and
 * SELECT texts, binding and reading values, the columns an older file lacks (added by store.c with
 * ALTER TABLE) and the case_results view.
 *
 * Every text built here comes from the two compile-time tables and constant words, never from a
 * value of the outside world; values are bound as parameters.
 */
#ifndef MAPBENCH_STORE_COLUMNS_H
#define MAPBENCH_STORE_COLUMNS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "runner/result.h"
#include "scenarios/case.h"

#define STORE_COLUMNS_MAX 96 /* columns of one table that come from a table of rows */

/* One column a table must have: name, declaration ("REAL NOT NULL") and the SQL literal an
 * older file's rows get when the column is added ("" when NULL will do). */
struct store_column {
    char name[64];
    const char *decl;
    char default_sql[300];
};

/* The columns of cases from the dimension table, and of samples from the figure table, in
 * table order; returns how many. */
size_t store_columns_of_cases(struct store_column *out);
size_t store_columns_of_samples(struct store_column *out);

/* malloc'd SQL texts.  The case INSERT takes id, run_id, status, reason, plan, oversubscribed,
 * then the case's columns, and returns the id; the sample INSERT takes case_id, then the sample's
 * columns.  The SELECT reads a run's cases with their samples (bound: run_id): c.id, c.status,
 * c.reason, c.plan, c.oversubscribed, the case's columns, s.id, the sample's columns. */
char *store_sql_case_insert(void);
char *store_sql_sample_insert(void);
char *store_sql_run_rows(void);
/* A stream that writes a malloc'd SQL text into *sql (its length into *len), complete once
 * closed; aborts when out of memory. */
FILE *store_sql_open(char **sql, size_t *len);
/* CREATE VIEW statements of case_results and case_summary, as sqlite_master keeps them. */
char *store_sql_view_case_results(void);
const char *store_sql_view_case_summary(void);

/* Binds the case's (or sample's) columns from parameter index `first` on; returns the SQLite
 * result code of the first failure, SQLITE_OK when all bound.  A sample's NaN figures are NULL;
 * with `external` (the case's role is external) so does every figure an import does not carry. */
int store_case_bind(sqlite3_stmt *st, int first, const struct bench_case *c);
int store_sample_bind(sqlite3_stmt *st, int first, const struct result_sample *r, bool external);
/* Reads the case's (or sample's) columns from column `first` on into *c (*r), zeroed first;
 * returns the index of the column after them. */
int store_case_read(sqlite3_stmt *st, int first, struct bench_case *c);
int store_sample_read(sqlite3_stmt *st, int first, struct result_sample *r);

/* Parses "[1,2,3]" into values (at most cap); returns how many the text holds. */
size_t store_parse_json_array(const char *text, uint64_t *values, size_t cap);
/* "[1,2,3]", malloc'd. */
char *store_json_array(const uint64_t *values, size_t n);

#endif
