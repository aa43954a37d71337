/*
 * layout.c: `make bench`'s layout section: whether the map a prefill leaves depends on how the
 * prefill was split.  The window fills a map with one put_many per worker (and batches of 64k keys
 * within a worker), so a 1-thread case measures a map filled in one call and a 2-thread case one
 * filled in two.  If those two maps differ in layout, a comparison across thread counts compares
 * two maps, not two thread counts (rcu did, until its reserve: runner/method.h, version 4).
 *
 * Here a backend's map is created and reserved as the window does it (maps/map.h, reserve), then
 * filled in one call by one thread; a second map is filled in two halves by two threads, one after
 * the other (two threads, so two malloc arenas, as two workers have).  One reader, pinned, times
 * gets on each in alternation, each get a fresh random key drawn as the bare loops draw it
 * (bench/bare.h), in batches through get_many as the window's read-only batches are.  The median
 * ratio of the two maps' costs per get should be 1.
 */
#include "bench/layout.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "bench/bare.h"

#define LAYOUT_BATCHES 40000 /* batches of MAP_GET_MANY_MAX gets timed per reading */

struct layout_job {
    const struct topo *topo;
    int pu;
    const struct map_backend *backend;
    struct map *map;
    const uint64_t *keys; /* fill: the keys to store; read: the key count's source */
    uint64_t n;
    double ns; /* read: ns per get */
    char err[ERR_LEN];
};

static double layout_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

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
    const struct map_backend *b = job->backend;
    b->thread_enter(job->map);
    if (b->put_many)
        b->put_many(job->map, job->keys, job->keys, job->n);
    else
        for (uint64_t i = 0; i < job->n; i++)
            b->put(job->map, job->keys[i], job->keys[i]);
    b->thread_leave(job->map);
    return NULL;
}

/* Gets in batches on a reader pinned to job->pu: a fifth of them to warm up, then timed. */
static void *layout_read_thread(void *arg)
{
    struct layout_job *job = arg;
    if (!layout_bind(job))
        return NULL;
    const struct map_backend *b = job->backend;
    uint64_t rng = 0x5eed, keys[MAP_GET_MANY_MAX], values[MAP_GET_MANY_MAX], hits = 0;
    b->thread_enter(job->map);
    double began = 0;
    for (int batch = -LAYOUT_BATCHES / 5; batch < LAYOUT_BATCHES; batch++) {
        if (batch == 0)
            began = layout_now_ns();
        for (int j = 0; j < MAP_GET_MANY_MAX; j++)
            keys[j] = bench_bare_key(&rng, job->n);
        uint64_t found = b->get_many(job->map, keys, MAP_GET_MANY_MAX, values);
        hits += (uint64_t)__builtin_popcountll(found);
    }
    job->ns = (layout_now_ns() - began) / ((double)LAYOUT_BATCHES * MAP_GET_MANY_MAX);
    b->thread_leave(job->map);
    if (hits != (uint64_t)(LAYOUT_BATCHES + LAYOUT_BATCHES / 5) * MAP_GET_MANY_MAX)
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

/* A reserved map holding keys[0..n), filled in `parts` calls by threads on pus[0], pus[1], ...
 * in turn; NULL with err set. */
static struct map *layout_fill(const struct topo *topo, const int *pus, const char *spec,
                               const uint64_t *keys, uint64_t n, int parts,
                               const struct map_backend **b, char *err)
{
    struct map *m = map_create_from_spec(spec, b, err);
    if (!m)
        return NULL;
    if ((*b)->reserve)
        (*b)->reserve(m, (size_t)n);
    for (int part = 0; part < parts; part++) {
        uint64_t first = n * (uint64_t)part / (uint64_t)parts;
        uint64_t end = n * (uint64_t)(part + 1) / (uint64_t)parts;
        struct layout_job job = {topo, pus[part], *b, m, keys + first, end - first, 0, ""};
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
    uint64_t *keys = xmalloc(n * sizeof *keys);
    for (uint64_t i = 0; i < n; i++)
        keys[i] = workload_key(i); /* the keys the window prefills */
    const struct map_backend *b;
    struct map *one = layout_fill(topo, pus, spec, keys, n, 1, &b, err);
    struct map *two = one ? layout_fill(topo, pus, spec, keys, n, 2, &b, err) : NULL;
    double ratio[BENCH_LAYOUT_READINGS], result = -1;
    for (int r = 0; two && r < BENCH_LAYOUT_READINGS; r++) {
        struct layout_job a = {topo, pus[0], b, one, keys, n, 0, ""};
        struct layout_job c = {topo, pus[0], b, two, keys, n, 0, ""};
        if (!layout_run(layout_read_thread, &a) || !layout_run(layout_read_thread, &c)) {
            snprintf(err, ERR_LEN, "%s", a.err[0] ? a.err : c.err);
            break;
        }
        ratio[r] = c.ns / a.ns;
        if (r == BENCH_LAYOUT_READINGS - 1) {
            qsort(ratio, BENCH_LAYOUT_READINGS, sizeof ratio[0], layout_compare);
            result = ratio[BENCH_LAYOUT_READINGS / 2];
        }
    }
    if (one)
        b->destroy(one);
    if (two)
        b->destroy(two);
    free(keys);
    return result;
}
