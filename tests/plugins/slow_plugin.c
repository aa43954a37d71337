/*
 * slow_plugin.c: `test-slow`, a backend whose gets run at a known rate, for test_window's check
 * that a window counts only the operations that finished inside it.  Each thread's gets finish on
 * a schedule of absolute deadlines SLOW_GET_NS apart (clock_nanosleep to the next deadline), so a
 * thread completes exactly one get per SLOW_GET_NS whatever the machine's speed or load, as long
 * as a wake-up is late by less than that: the true rate is known by construction.  A thread's
 * schedule starts at its first get, or again after a pause of SLOW_RESTART periods.
 * Like `null` it is no map (role harness: nothing is validated): puts, put_if_absent and dels
 * return at once and nothing is stored.
 * Ordering: nothing is shared.  Progress: a get waits only for its own deadline.
 */
#define _POSIX_C_SOURCE 200809L /* clock_nanosleep: plugins build without _GNU_SOURCE */
#include <time.h>

#include "maps/map.h"

#define SLOW_GET_NS 10000000ULL /* 10 ms */
#define SLOW_RESTART 50

struct slow_map {
    char unused;
};

static struct slow_map slow_instance;
static _Thread_local uint64_t slow_deadline; /* this thread's next get ends here */

static uint64_t slow_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct map *slow_create(const struct map_spec *spec, struct map_env *env, char *err)
{
    (void)spec, (void)env, (void)err;
    return (struct map *)&slow_instance;
}

static void slow_destroy(struct map *m)
{
    (void)m;
}

static bool slow_get(struct map *m, uint64_t key, uint64_t *value)
{
    (void)m, (void)key, (void)value;
    uint64_t now = slow_now();
    if (slow_deadline == 0 || now > slow_deadline + SLOW_RESTART * SLOW_GET_NS)
        slow_deadline = now;
    slow_deadline += SLOW_GET_NS;
    struct timespec until = {(time_t)(slow_deadline / 1000000000ULL),
                             (long)(slow_deadline % 1000000000ULL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0)
        ; /* interrupted: sleep the rest */
    return false;
}

static bool slow_put(struct map *m, uint64_t key, uint64_t value)
{
    (void)m, (void)key, (void)value;
    return true;
}

static bool slow_put_if_absent(struct map *m, uint64_t key, uint64_t value, uint64_t *existing)
{
    (void)m, (void)key, (void)value, (void)existing;
    return true;
}

static bool slow_del(struct map *m, uint64_t key)
{
    (void)m, (void)key;
    return false;
}

static size_t slow_size(struct map *m)
{
    (void)m;
    return 0;
}

static void slow_range(struct map *m, map_range_fn fn, void *arg)
{
    (void)m, (void)fn, (void)arg;
}

static void slow_thread(struct map *m)
{
    (void)m;
}

static void slow_stats(struct map *m, struct map_stats *out)
{
    (void)m;
    *out = (struct map_stats){0, 0, 0};
}

const struct map_backend mapbench_backend_v1 = {
    .abi_version = MAP_ABI_VERSION,
    .name = "test-slow",
    .summary = "test plugin: every get takes 10 ms on a fixed schedule; stores nothing",
    .options = (const struct map_option_def[]){{NULL, NULL, NULL}},
    .concurrency = MAP_CONCURRENCY_FULL,
    .role = MAP_ROLE_HARNESS,
    .create = slow_create,
    .destroy = slow_destroy,
    .get = slow_get,
    .put = slow_put,
    .put_if_absent = slow_put_if_absent,
    .del = slow_del,
    .size = slow_size,
    .range = slow_range,
    .thread_enter = slow_thread,
    .thread_leave = slow_thread,
    .stats = slow_stats,
};
