/*
 * case_dims.h: the one table of case dimensions.  Every field of struct bench_case that a scenario
 * sets or the store keeps is one row of case_dims[] (case_dims.c), in the manner of Redis's
 * config.c static_configs[]: the row names the scenario key, the type, where the value lives in
 * the struct, its default (text, run through the same parser as a file line), its parser for one
 * list item, whether it identifies the case, its SQL column(s), how a description shows it, and a
 * one-line help text (`mapbench list dimensions` prints them).
 *
 * Everything that used to keep its own list of dimensions walks this table instead: the scenario
 * parser and expander (scenario.c), case_init's defaults, the store's INSERT, SELECT, migration of
 * missing columns and views (store/store.c), the one case key (case_key) that compare's gate and
 * the report's history and sweeps match cases with, and the one describer (case_describe).
 *
 * Adding a dimension: a field in struct bench_case, one row in case_dims[] (with a parser when no
 * existing one fits, and a type only when no existing type does); the code that measures it reads
 * the field.
 * Opening an older results database then adds its column with the default (store.c).  The
 * documented schema, store/store_schema.sql, gets the column too (tests/test_store.c checks it).
 *
 * Types are interfaces (struct case_dim_type): plain values (text, integer, number, flag, enum)
 * reach their field through the row's offset and size; composite dimensions, whose one scenario
 * value fills several fields and columns (memory + memory_node; distribution + zipf_theta +
 * hot_keys; the window, duration_s or ops), have type functions of their own, so no caller ever
 * special-cases them.
 *
 * Which dimensions identify a case (CASE_DIM_IDENTIFIES): everything that changes what is measured.
 * The scenario, the backend spec, threads, placement, memory, hugepages, helpers, read_pct,
 * write_kind, hit_pct, delete_pct, range_pct, keys, key_range, distribution, the window (a longer
 * window can measure another state: insert-only growth), latency_every (its timer pairs run inside
 * the timed loop) and misuse_demo. Not identifying: the seed (another sample of the same
 * experiment), repetitions and warmup, and what the spec already determines (backend_name, role).
 * Doubles enter the key exactly (%.17g).
 */
#ifndef MAPBENCH_CASE_DIMS_H
#define MAPBENCH_CASE_DIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenarios/case.h"

#define CASE_DIM_MAX 64        /* rows at most: a case_dim_mask has one bit per row */
#define CASE_DIM_COLUMNS 3     /* SQL columns of one row at most */
#define CASE_WHY_LEN 200       /* a parser's reason, inside an error line that names file and key */
#define CASE_KEY_LEN 1024      /* case_key's text, every identifying dimension of the longest spec */
#define CASE_DESCRIBE_LEN 1024 /* case_describe's text, likewise */

/* One bit per row (1 << row index): the dimensions a key or a description leaves out. */
typedef uint64_t case_dim_mask;

/* ---- parsed values ------------------------------------------------------------------------ */

enum case_unit { CASE_UNIT_ONE, CASE_UNIT_CORES, CASE_UNIT_PUS };

/* n, n x cores or n x pus: a count before the machine is known. */
struct case_term {
    uint64_t n;
    enum case_unit unit;
};

enum case_count_kind { CASE_COUNT_TERM, CASE_COUNT_RANGE, CASE_COUNT_AUTO };
enum case_window_kind { CASE_WINDOW_DURATION, CASE_WINDOW_OPS };

/* One parsed list item.  Which fields mean something depends on the row's type. */
struct case_dim_value {
    int kind;                  /* enum value, case_count_kind or case_window_kind */
    double number;             /* percentages, seconds, zipf theta */
    uint64_t count;            /* counts (resolved), node numbers, hot keys, seeds, flags */
    struct case_term lo, hi;   /* counts before resolution: lo alone, or the range lo..hi */
    uint64_t ratio;            /* a range's step factor */
    char text[256];            /* text values as the case stores them (placement, spec) */
};

/* ---- cells: a row's columns without SQL ---------------------------------------------------- */

enum case_cell_kind { CASE_CELL_NULL, CASE_CELL_INT, CASE_CELL_REAL, CASE_CELL_TEXT };

/* One column's value, as the store binds it and reads it back. */
struct case_cell {
    enum case_cell_kind kind;
    int64_t i;
    double r;
    char text[256];
};

/* ---- the table ----------------------------------------------------------------------------- */

struct case_dim;

typedef bool (*case_dim_parse_fn)(const struct case_dim *d, const char *item,
                                  struct case_dim_value *v, char *why);

struct case_dim_type {
    const char *name;
    /* Writes a parsed (and, for machine counts, resolved) value into the case. */
    void (*apply)(const struct case_dim *d, struct bench_case *c, const struct case_dim_value *v);
    /* The case's value as text: exact (doubles %.17g) for keys, or as people read it (%g). */
    void (*format)(const struct case_dim *d, const struct bench_case *c, bool exact, char *buf,
                   size_t len);
    /* The row's columns, in columns[] order, and back. */
    void (*to_cells)(const struct case_dim *d, const struct bench_case *c, struct case_cell *cells);
    void (*from_cells)(const struct case_dim *d, struct bench_case *c, const struct case_cell *cells);
    /* Values stay symbolic (cores, pus, ranges, auto) until the expander resolves them against
     * the machine, sorted and without duplicates. */
    bool machine_count;
};

enum case_dim_flags {
    CASE_DIM_IDENTIFIES = 1 << 0, /* part of case_key: changes what is measured */
    CASE_DIM_NO_KEY = 1 << 1,     /* not a scenario key: set from the header or the backend spec */
};

/* When case_describe shows a row. */
enum case_dim_shown {
    CASE_SHOWN_NEVER,
    CASE_SHOWN_ALWAYS,         /* also in the libbenchmark name, which users' tools parse from
                                * --benchmark_out: a new row is UNLESS_DEFAULT or NEVER, so the
                                * names of existing cases stay what they were */
    CASE_SHOWN_UNLESS_DEFAULT, /* in words only, and only when the value is not the default */
};

struct case_dim_column {
    const char *name;
    const char *decl; /* SQL type and constraint: "REAL NOT NULL" */
};

struct case_dim {
    const char *name;               /* the scenario key */
    const char *alias;              /* a second key for the same dimension (ops beside duration) */
    const struct case_dim_type *type;
    size_t offset, size;            /* the field in struct bench_case (plain types) */
    const char *default_text;       /* in the file's syntax; NULL: no default (scenario, backend) */
    case_dim_parse_fn parse;        /* one list item of `name` */
    case_dim_parse_fn parse_alias;  /* one list item of `alias` */
    unsigned flags;                 /* enum case_dim_flags */
    uint64_t min, max;              /* whole numbers and counts: the bounds of one value */
    const char *(*name_of)(int value); /* enum types: the word for a value, NULL past the last */
    struct case_dim_column columns[CASE_DIM_COLUMNS]; /* SQL columns; unused entries NULL */
    enum case_dim_shown shown;
    const char *label;              /* the word before '=' in a description; NULL: the value alone */
    const char *unit;               /* after the value in words ("%"); NULL for none */
    const char *help;
};

extern const struct case_dim case_dims[];
extern const size_t case_dim_count;

/* The row whose key (name or alias) is `key`; NULL when none.  With `alias`, *alias tells which. */
const struct case_dim *case_dim_find(const char *key, bool *alias);
/* The bit of the row named `name` (a programming error, aborting, when there is none). */
case_dim_mask case_dim_bit(const char *name);
/* The row's index in case_dims[]. */
size_t case_dim_index(const struct case_dim *d);

/* Writes why a value is refused (CASE_WHY_LEN bytes) and returns false, so a parser can
 * `return case_why(why, ...)`; the scenario parser's own reasons go through it too. */
bool case_why(char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses one item of `key` (the row's name or alias) with the row's parser. */
bool case_dim_parse(const struct case_dim *d, const char *key, const char *item,
                    struct case_dim_value *v, char *why);
/* Sets every row that has a default to it (case_init). */
void case_dims_set_defaults(struct bench_case *c);
/* Whether the case's value of d equals d's default. */
bool case_dim_is_default(const struct case_dim *d, const struct bench_case *c);

/* Every identifying dimension not in `except`, as text: two cases are the same experiment exactly
 * when their keys are equal. */
void case_key(const struct bench_case *c, case_dim_mask except, char *buf, size_t len);

enum case_describe_style {
    /* "quick mutex threads=2 compact read=90% update hit=80% keys=1000 uniform": the rows shown
     * always and, in table order among them, those shown unless at their default */
    CASE_DESCRIBE_WORDS,
    /* "quick/mutex/threads:2/compact/read:90/update/keys:1000/uniform": the rows shown always;
     * the name libbenchmark registers, which users' tools parse from --benchmark_out */
    CASE_DESCRIBE_BENCHMARK,
};

/* The case in words, without the rows in `except` (a sweep's swept dimension, the backend a
 * column already names). */
void case_describe(const struct bench_case *c, enum case_describe_style style, case_dim_mask except,
                   char *buf, size_t len);

/* Whole words of a machine count term: "pus", "2*cores", "16". */
void case_term_text(const struct case_term *t, char *buf, size_t len);

#endif
