/*
 * layout.c: `make bench`'s layout section: whether the map a prefill leaves depends on how the
 * prefill was split.  The window fills a map with one put_many per worker (and batches of 64k keys
 * within a worker), so a 1-thread case measures a map filled in one call and a 2-thread case one
 * filled in two.  If those two maps differ in layout, a comparison across thread counts compares
 * two maps, not two thread counts (rcu did, until its reserve: runner/method.h, version 4).
 *
 * Here a backend's map is created and reserved as the window does it (maps/map.h, reserve), then
 * filled by the window's own prefill (runner/workload.h, workload_prefill) as one worker's; a
 * second map is filled as two workers' shares, by two threads one after the other (two threads,
 * so two malloc arenas, as two workers have).  One reader, pinned, times gets on each in
 * alternation with the adapter loop of the bare section (bench/bare.h, bench_bare_adapter_map:
 * fresh random keys, batches through get_many as the window's read-only batches are).  The median
 * ratio of the two maps' costs per get should be 1.
 */
#include "bench/layout.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/bare.h"
#include "runner/workload.h"

#define LAYOUT_SECONDS 0.1 /* each reading of each map */

struct layout_job {
    const struct topo *topo;
    int pu;
    const struct map_backend *backend;
    struct map *map;
    const struct bench_case *bench_case;
    int worker, workers; /* fill: the share to store */
    double ns;           /* read: ns per get */
    char err[ERR_LEN];
};

static bool layout_bind(struct layout_job *job)
{
    char binding[64];
    return !topo_is_this_system(job->topo) ||
           topo_bind_current_thread(job->topo, job->pu, binding, sizeof binding, job->err);
}

static void *layout_fill_thread(void *arg)
{
    struct layout_job *job = arg;
    if (!layout_bind(job))
        return NULL;
    job->backend->thread_enter(job->map);
    workload_prefill(job->bench_case, job->backend, job->map, job->worker, job->workers);
    job->backend->thread_leave(job->map);
    return NULL;
}

static void *layout_read_thread(void *arg)
{
    struct layout_job *job = arg;
    if (!layout_bind(job))
        return NULL;
    job->ns = bench_bare_adapter_map(job->backend, job->map, job->bench_case->keys,
                                     LAYOUT_SECONDS);
    if (job->ns < 0)
        snprintf(job->err, sizeof job->err, "a get missed a prefilled key");
    return NULL;
}

/* Runs fn(job) on a thread of its own and waits; false with job->err set when it failed. */
static bool layout_run(void *(*fn)(void *), struct layout_job *job)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, fn, job) != 0) {
        snprintf(job->err, sizeof job->err, "pthread_create failed");
        return false;
    }
    pthread_join(thread, NULL);
    return job->err[0] == '\0';
}

/* c's map, reserved, filled as `workers` workers' shares by threads on pus[0], pus[1], ... in
 * turn; NULL with err set. */
static struct map *layout_fill(const struct topo *topo, const int *pus,
                               const struct bench_case *c, int workers,
                               const struct map_backend **b, char *err)
{
    struct map *m = map_create_from_spec(c->backend, b, err);
    if (!m)
        return NULL;
    if ((*b)->reserve)
        (*b)->reserve(m, (size_t)c->keys);
    for (int w = 0; w < workers; w++) {
        struct layout_job job = {topo, pus[w], *b, m, c, w, workers, 0, ""};
        if (!layout_run(layout_fill_thread, &job)) {
            snprintf(err, ERR_LEN, "%s", job.err);
            (*b)->destroy(m);
            return NULL;
        }
    }
    return m;
}

static int layout_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_layout_ratio(const struct topo *topo, const int pus[2], const char *spec, uint64_t n,
                          char *err)
{
    struct bench_case c;
    case_init(&c, "layout", spec);
    c.keys = n;
    const struct map_backend *b;
    struct map *one = layout_fill(topo, pus, &c, 1, &b, err);
    struct map *two = one ? layout_fill(topo, pus, &c, 2, &b, err) : NULL;
    double ratio[BENCH_LAYOUT_READINGS], result = -1;
    for (int r = 0; two && r < BENCH_LAYOUT_READINGS; r++) {
        struct layout_job a = {topo, pus[0], b, one, &c, 0, 1, 0, ""};
        struct layout_job d = {topo, pus[0], b, two, &c, 0, 2, 0, ""};
        if (!layout_run(layout_read_thread, &a) || !layout_run(layout_read_thread, &d)) {
            snprintf(err, ERR_LEN, "%s", a.err[0] ? a.err : d.err);
            break;
        }
        ratio[r] = d.ns / a.ns;
        if (r == BENCH_LAYOUT_READINGS - 1) {
            qsort(ratio, BENCH_LAYOUT_READINGS, sizeof ratio[0], layout_compare);
            result = ratio[BENCH_LAYOUT_READINGS / 2];
        }
    }
    if (one)
        b->destroy(one);
    if (two)
        b->destroy(two);
    return result;
}
