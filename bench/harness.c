/*
 * bench/harness.c: `make bench`: the performance of the harness itself, and each backend's
 * single-thread get cost, printed as figures and as ratios against a baseline measured in the
 * same run (these machines are shared and noisy; only same-run ratios travel).
 *
 *   1. harness cost: the `null` backend's ns per operation per thread, 1 thread and every PU
 *      (budget: at most 2 ns);
 *   2. stability: single-thread `plain` get at 1,000 keys, 5 repetitions: the median and the
 *      coefficient of variation of the repetitions (budget: at most 3%);
 *   3. every backend's single-thread get at 1,000 keys, as ns/op and as the median ratio to
 *      `mutex` over windows run in alternation with it (A B A B ...).
 * It measures through runner/window.c, the same code `mapbench run` uses.  Exit status 0 always:
 * a budget missed is printed, not failed, since a timing is no test on a shared machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/window.h"

#include "base/xalloc.h"

#define BENCH_REPS 5

static struct bench_case bench_case_for(const char *backend, int threads)
{
    struct bench_case c;
    case_init(&c, "bench", backend);
    c.threads = threads;
    c.read_pct = 100;
    c.duration_s = 0.5;
    c.warmup_s = 0.1;
    c.repetitions = BENCH_REPS;
    c.latency_every = 0; /* no clock reads inside the loop: the harness at its leanest */
    return c;
}

static int bench_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One window of `backend` at `threads`; returns ns/op per thread. */
static double bench_window(struct topo *topo, const char *backend, int threads)
{
    struct bench_case c = bench_case_for(backend, threads);
    int pus[256];
    bool oversubscribed;
    char err[ERR_LEN];
    if (!topo_plan_threads(topo, threads, "compact", pus, &oversubscribed, err)) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    struct window_config cfg = {&c, map_registry_find(backend), topo, pus, NULL};
    struct histogram *h = xcalloc(RESULT_OP_COUNT, sizeof *h);
    struct result_sample *s = xmalloc(sizeof *s);
    if (!window_run(&cfg, s, h, err)) {
        fprintf(stderr, "bench: %s: %s\n", backend, err);
        exit(1);
    }
    double ns = s->ns_per_op;
    free(h);
    free(s);
    return ns;
}

static double bench_sorted_median(double *x, size_t n)
{
    qsort(x, n, sizeof x[0], bench_compare);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* BENCH_REPS windows; returns the median ns/op per thread and the CV of the repetitions. */
static double bench_measure(struct topo *topo, const char *backend, int threads, double *cv)
{
    double ns[BENCH_REPS], sum = 0, sq = 0;
    for (int r = 0; r < BENCH_REPS; r++)
        sum += ns[r] = bench_window(topo, backend, threads);
    double mean = sum / BENCH_REPS;
    for (int r = 0; r < BENCH_REPS; r++)
        sq += (ns[r] - mean) * (ns[r] - mean);
    *cv = sqrt(sq / (BENCH_REPS - 1)) / mean;
    return bench_sorted_median(ns, BENCH_REPS);
}

/* Windows of `backend` and of the baseline in alternation (A B A B ...), so drift of a shared
 * machine hits both alike; returns the median of the pairwise ratios, and the backend's median. */
static double bench_ratio(struct topo *topo, const char *backend, const char *baseline,
                          double *median_ns)
{
    double ratio[BENCH_REPS], ns[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++) {
        ns[r] = bench_window(topo, backend, 1);
        ratio[r] = ns[r] / bench_window(topo, baseline, 1);
    }
    *median_ns = bench_sorted_median(ns, BENCH_REPS);
    return bench_sorted_median(ratio, BENCH_REPS);
}

int main(void)
{
    char err[ERR_LEN];
    struct topo *topo = topo_open(NULL, NULL, err);
    if (!topo) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    struct topo_summary summary;
    topo_summarize(topo, &summary);
    double cv;
    printf("mapbench harness benchmark (%d PUs, median of %d windows of 0.5 s)\n", summary.pus,
           BENCH_REPS);
    double null_one = bench_measure(topo, "null", 1, &cv);
    double null_all = bench_measure(topo, "null", summary.pus, &cv);
    printf("harness cost (null): %.2f ns/op at 1 thread, %.2f ns/op per thread at %d  [budget 2 ns: %s]\n",
           null_one, null_all, summary.pus, null_one <= 2 && null_all <= 2 ? "met" : "MISSED");
    double plain = bench_measure(topo, "plain", 1, &cv);
    printf("plain get, 1,000 keys, 1 thread: median %.2f ns/op, CV %.2f%%  [budget 3%%: %s]\n",
           plain, cv * 100, cv <= 0.03 ? "met" : "MISSED");
    printf("\nsingle-thread get at 1,000 keys; ratio to mutex from alternating windows:\n");
    size_t count;
    const struct map_backend *const *all = map_registry_list(&count);
    for (size_t i = 0; i < count; i++) {
        double ns, ratio = bench_ratio(topo, all[i]->name, "mutex", &ns);
        printf("  %-10s %7.2f ns/op  %5.2fx mutex\n", all[i]->name, ns, ratio);
    }
    topo_close(topo);
    return 0;
}
