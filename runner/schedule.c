/*
 * schedule.c: the run order of windows, in rounds or sequential (see schedule.h).
 *
 * Points are found by sorting the runnable cases on their key without the backend (ties by case
 * index), so a run of 100000 cases groups in n log n, and numbered in the order their first case
 * appears.  Each round's order is a Fisher-Yates shuffle driven by xoshiro256** (runner/rng.h)
 * seeded once from the run's seed, consumed point by point and round by round: the same cases and
 * seed give the same order on every machine and libc.
 */
#include "runner/schedule.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runner/rng.h"
#include "scenarios/case_dims.h"

const char *schedule_kind_name(enum schedule_kind kind)
{
    return kind == SCHEDULE_SEQUENTIAL ? "sequential" : "rounds";
}

bool schedule_kind_parse(const char *text, enum schedule_kind *kind)
{
    if (strcmp(text, "rounds") == 0)
        *kind = SCHEDULE_ROUNDS;
    else if (strcmp(text, "sequential") == 0)
        *kind = SCHEDULE_SEQUENTIAL;
    else
        return false;
    return true;
}

uint64_t schedule_seed_draw(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t mix = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    mix ^= (uint64_t)getpid() << 32;
    return rng_splitmix64(&mix);
}

/* A runnable case and its key without the backend, for sorting into points. */
struct schedule_keyed {
    char *key;
    size_t index;
};

static int schedule_keyed_order(const void *a, const void *b)
{
    const struct schedule_keyed *x = a, *y = b;
    int by_key = strcmp(x->key, y->key);
    if (by_key)
        return by_key;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* point_of[i]: the point of runnable case i, numbered in expansion order; SIZE_MAX for skipped
 * cases.  Returns the number of points. */
static size_t schedule_points(const struct bench_case *cases, size_t count, size_t *point_of)
{
    struct schedule_keyed *keyed = xcalloc(count ? count : 1, sizeof *keyed);
    size_t runnable = 0;
    char key[CASE_KEY_LEN];
    for (size_t i = 0; i < count; i++) {
        point_of[i] = SIZE_MAX;
        if (cases[i].skipped)
            continue;
        case_key(&cases[i], case_dim_bit("backend"), key, sizeof key);
        keyed[runnable++] = (struct schedule_keyed){xstrdup(key), i};
    }
    qsort(keyed, runnable, sizeof *keyed, schedule_keyed_order);
    /* first[i]: the first case of case i's point (the smallest index with its key) */
    size_t *first = xcalloc(count ? count : 1, sizeof *first);
    for (size_t k = 0; k < runnable; k++) {
        bool same = k > 0 && strcmp(keyed[k].key, keyed[k - 1].key) == 0;
        first[keyed[k].index] = same ? first[keyed[k - 1].index] : keyed[k].index;
    }
    size_t points = 0;
    for (size_t i = 0; i < count; i++)
        if (!cases[i].skipped)
            point_of[i] = first[i] == i ? points++ : point_of[first[i]];
    for (size_t k = 0; k < runnable; k++)
        free(keyed[k].key);
    free(keyed);
    free(first);
    return points;
}

/* The rounds of one point: members[0..n) are its cases in expansion order. */
static void schedule_point_rounds(const struct bench_case *cases, const size_t *members, size_t n,
                                  size_t point, struct rng *rng, struct schedule_window *out,
                                  size_t *used)
{
    int rounds = 0;
    for (size_t m = 0; m < n; m++)
        rounds = cases[members[m]].repetitions > rounds ? cases[members[m]].repetitions : rounds;
    size_t *order = xcalloc(n, sizeof *order);
    for (int r = 1; r <= rounds; r++) {
        size_t k = 0;
        for (size_t m = 0; m < n; m++)
            if (cases[members[m]].repetitions >= r)
                order[k++] = members[m];
        for (size_t i = k; i > 1; i--) { /* Fisher-Yates: a fresh order every round */
            size_t j = (size_t)(rng_next(rng) % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < k; i++)
            out[(*used)++] = (struct schedule_window){order[i], point, r, (int)i + 1};
    }
    free(order);
}

/* Every point's rounds, points in expansion order. */
static void schedule_rounds(const struct bench_case *cases, size_t count, const size_t *point_of,
                            size_t points, uint64_t seed, struct schedule_window *out)
{
    struct rng rng;
    rng_seed(&rng, seed, 0);
    /* members of point p: members[start[p] .. start[p + 1]), in expansion order */
    size_t *start = xcalloc(points + 1, sizeof *start), *fill = xcalloc(points + 1, sizeof *fill);
    size_t *members = xcalloc(count, sizeof *members), used = 0;
    for (size_t i = 0; i < count; i++)
        if (point_of[i] != SIZE_MAX)
            start[point_of[i] + 1]++;
    for (size_t p = 0; p < points; p++)
        start[p + 1] += start[p];
    for (size_t i = 0; i < count; i++)
        if (point_of[i] != SIZE_MAX)
            members[start[point_of[i]] + fill[point_of[i]]++] = i;
    for (size_t p = 0; p < points; p++)
        schedule_point_rounds(cases, members + start[p], start[p + 1] - start[p], p, &rng, out,
                              &used);
    free(fill);
    free(start);
    free(members);
}

struct schedule_window *schedule_build(const struct bench_case *cases, size_t count,
                                       enum schedule_kind kind, uint64_t seed,
                                       size_t *window_count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += cases[i].skipped ? 0 : (size_t)cases[i].repetitions;
    *window_count = total;
    if (total == 0)
        return NULL;
    struct schedule_window *out = xcalloc(total, sizeof *out);
    size_t *point_of = xcalloc(count, sizeof *point_of);
    size_t points = schedule_points(cases, count, point_of), used = 0;
    if (kind == SCHEDULE_ROUNDS)
        schedule_rounds(cases, count, point_of, points, seed, out);
    for (size_t i = 0; kind == SCHEDULE_SEQUENTIAL && i < count; i++)
        for (int r = 0; !cases[i].skipped && r < cases[i].repetitions; r++)
            out[used++] = (struct schedule_window){i, point_of[i], 0, 0};
    free(point_of);
    return out;
}
