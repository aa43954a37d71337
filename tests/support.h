/*
 * support.h: what every mapbench test binary shares, so no test repeats it.
 *
 *   - suites built at run time from the backend registry: one cmocka test per backend (or spec),
 *     named "kind/spec", so a failure names the backend; MAPBENCH_TEST_BACKENDS=a,b restricts the
 *     backends (names not registered are skipped with a note) and `null` is never a map under test;
 *   - MAPBENCH_TEST_QUICK=1 (sanitizer builds) scales work down through support_scale;
 *   - a seeded xoshiro256** generator, so every failure reproduces from its seed;
 *   - threads started together behind a barrier, and a failure log they write to, because cmocka's
 *     asserts may only run on the test's own thread;
 *   - a trivially correct reference map and the model check that drives a backend against it;
 *   - a fork helper that captures a child's stdout, stderr and wait status;
 *   - reading back a whole file the code under test wrote.
 */
#ifndef MAPBENCH_TESTS_SUPPORT_H
#define MAPBENCH_TESTS_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>

#include "maps/map.h"
#include "runner/rng.h"

/* ---- suites built from the registry ---- */

#define SUPPORT_MAX_TESTS 256
#define SUPPORT_NAME_LEN 128

/* What one test runs on: a backend spec such as "striped:shards=1" and its backend. */
struct support_case {
    const struct map_backend *backend;
    char spec[SUPPORT_NAME_LEN];
};

struct support_suite {
    size_t count;
    struct CMUnitTest tests[SUPPORT_MAX_TESTS];
    char names[SUPPORT_MAX_TESTS][SUPPORT_NAME_LEN];
    struct support_case cases[SUPPORT_MAX_TESTS];
};

/* Which registered backends a kind of test applies to. */
enum support_select {
    SUPPORT_SELECT_MAPS,    /* every map: all but `null` */
    SUPPORT_SELECT_WRITERS, /* maps that allow concurrent writers: not `plain` either */
};

/* Is the backend named `name` selected by MAPBENCH_TEST_BACKENDS (all are when it is unset)? */
bool support_backend_selected(const char *name);
/* Adds test `kind/spec` when the spec's backend is registered and selected. */
void support_suite_add(struct support_suite *s, const char *kind, CMUnitTestFunction fn,
                       const char *spec);
/* Adds `kind/name` for every registered, selected backend that `select` admits. */
void support_suite_add_backends(struct support_suite *s, const char *kind, CMUnitTestFunction fn,
                                enum support_select select);
/* Prints a note for each MAPBENCH_TEST_BACKENDS name not registered, then runs the suite. */
int support_suite_run(struct support_suite *s, const char *group);

/* `full` normally, `quick` when MAPBENCH_TEST_QUICK=1. */
size_t support_scale(size_t full, size_t quick);

/* Creates the map a test's state names; fails the test with the creation error otherwise. */
struct map *support_map_create(const struct support_case *c);

/* ---- random numbers: the runner's own generator (runner/rng.h), seeded per test ---- */

struct support_rng {
    struct rng rng;
};

void support_rng_seed(struct support_rng *r, uint64_t seed);
uint64_t support_rng_next(struct support_rng *r);
uint64_t support_rng_below(struct support_rng *r, uint64_t bound); /* uniform in [0, bound) */
/* A value that is 0 or UINT64_MAX one time in eight (both are legal values), random otherwise. */
uint64_t support_rng_value(struct support_rng *r);

/* ---- threads ---- */

/* Runs fn(arg, i) for i in [0, count) on `count` threads released together; joins them all. */
void support_threads_run(unsigned count, void (*fn)(void *arg, unsigned index), void *arg);

/* Failures recorded by worker threads; the test's thread asserts on them after the join. */
struct support_failures {
    _Atomic unsigned count;
    _Atomic bool claimed;
    char first[256];
};

void support_fail(struct support_failures *f, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Fails the test with the first message when any failure was recorded. */
void support_failures_assert(struct support_failures *f);

/* ---- the reference map and the model check ---- */

/*
 * A map over a fixed pool of distinct keys: key i of the sorted pool is present[i], values[i].
 * Every operation is an array access, so it is correct by inspection.
 */
struct support_reference {
    size_t key_count;
    uint64_t *keys; /* sorted, distinct; always holds 0 and UINT64_MAX */
    uint64_t *values;
    bool *present;
    size_t size;
};

/* A pool of `key_count` keys: 0, UINT64_MAX, small integers, then random 64-bit keys. */
void support_reference_init(struct support_reference *ref, size_t key_count,
                            struct support_rng *rng);
void support_reference_destroy(struct support_reference *ref);
/* Index of key in the pool, or key_count when it is not a pool key. */
size_t support_reference_index(const struct support_reference *ref, uint64_t key);

/*
 * Runs `ops` random operations of every kind (get, put, put_if_absent, del, size, range with and
 * without an early stop, and get_many of 1 to 64 keys where the backend has it) on a fresh map of
 * `spec`, checking each result against the reference.
 * Work alternates grow and shrink phases so the map resizes up and down, and ends every cycle by
 * deleting every key, so it passes from empty through several resizes and back.
 */
void support_model_check(const char *spec, uint64_t seed, size_t key_count, size_t ops);

/* ---- child processes ---- */

struct support_child {
    int wait_status; /* as from waitpid */
    char out[8192];  /* the child's stdout, NUL-terminated, truncated to fit */
    char err[8192];  /* its stderr */
};

/* Forks; the child runs fn(arg) with stdout and stderr captured, then exits 0. */
void support_child_run(void (*fn)(void *arg), void *arg, struct support_child *child);
/* Runs argv[0] (a path) with the given arguments, captured the same way. */
void support_child_exec(char *const argv[], struct support_child *child);

/* Directory of the running test binary (from /proc/self/exe), for finding build outputs. */
void support_binary_dir(char *out, size_t len);

/* ---- files ---- */

/* A fresh directory /tmp/mapbench-NAME-XXXXXX into out (len >= 32 + strlen(name)), and its
 * removal with everything in it; either fails the test when it cannot. */
void support_dir_make(char *out, size_t len, const char *name);
void support_dir_remove(const char *dir);
/* Writes text into dir/name; its path into path. */
void support_write_file(const char *dir, const char *name, const char *text, char *path,
                        size_t len);

/* The whole of a file a test's code wrote (a report page, a CSV, JUnit XML), NUL-terminated and
 * malloc'd; fails the test when it cannot be read. */
char *support_read_text(const char *path);

#endif
