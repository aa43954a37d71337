/*
 * go_bench.h: Go's standard benchmark output (`go test -bench`), read into plain records so
 * `mapbench import go-bench` can store Go's own figures beside mapbench's.
 *
 * The format (Go's testing package; golang.org/x/perf's benchfmt documents it):
 *
 *   goos: linux                                      configuration lines, "key: value"
 *   cpu: AMD EPYC 7B13
 *   BenchmarkLoadMostlyHits/S-2   9631402   124.5 ns/op   0 B/op   0 allocs/op
 *   --- SKIP: BenchmarkLoadOrStoreBalanced/D
 *       map_bench_test.go:96: DeepCopyMap has quadratic running time.
 *   PASS
 * (S stands for `*sync.Map` and D for `*sync_test.DeepCopyMap`, which a C comment cannot hold
 * after a slash.)
 *
 * A result line is the benchmark's name, its iteration count N, then value-unit pairs, at least
 * "ns/op".  The name is Benchmark<Name>/<sub>[-P]: P is GOMAXPROCS (the -cpu value), absent when
 * it is 1.  For the map benchmarks the sub-benchmark is the map's Go type, `*sync.Map`,
 * `*sync_test.RWMutexMap`, `*sync_test.DeepCopyMap` (%T of the map).  Each -count repetition is
 * one more line with the same name.
 *
 * What is read: every result line, grouped by (benchmark, sub-benchmark, P) in the order first
 * seen, one sample per line; ns/op (required), allocs/op and B/op (from -benchmem; absent
 * otherwise).  Other units (MB/s, custom metrics) are ignored.  Configuration lines fill the
 * fields below.  Ignored: a line holding a benchmark name alone (Go prints one before a
 * benchmark's log lines), log and SKIP lines, PASS and ok.
 *
 * Bad input is one line naming the file and line: a result line that does not parse, a benchmark
 * with no sub-benchmark (no map to name), a "--- FAIL" line, or a file with no result at all.
 */
#ifndef MAPBENCH_GO_BENCH_H
#define MAPBENCH_GO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

#define GO_BENCH_NAME 48 /* so "go-sync/" + a benchmark and "go:" + a map fit a case's 64 */

/* One result line: one -count repetition. */
struct go_bench_sample {
    uint64_t iterations;  /* Go's b.N: operations of every goroutine together */
    double ns_per_op;     /* Go's ns/op: elapsed wall time / N */
    double allocs_per_op; /* NaN when the line has no allocs/op (no -benchmem) */
    double bytes_per_op;  /* NaN when the line has no B/op */
};

/* The repetitions of one benchmark, map and -cpu value. */
struct go_bench_series {
    char benchmark[GO_BENCH_NAME]; /* "LoadMostlyHits": the name without "Benchmark" */
    char map[GO_BENCH_NAME];       /* "sync.Map", "RWMutexMap": the sub-benchmark without '*'
                                    * and without the test package's "sync_test." */
    int procs;                     /* GOMAXPROCS: the -P suffix, 1 when absent */
    size_t count;
    struct go_bench_sample *samples;
};

struct go_bench {
    char goos[32], goarch[32], pkg[GO_BENCH_NAME], cpu[128]; /* "" when the file has none */
    size_t count;
    struct go_bench_series *series;
};

/* Reads Go's output from f (`name` is the file's name in errors).  false with one line in err
 * ("name:LINE: ...") on bad input; out is then empty. */
bool go_bench_read(FILE *f, const char *name, struct go_bench *out, char *err);
void go_bench_free(struct go_bench *b);

#endif
