/*
 * bare_adapter.c: a backend's adapter in the bare loops' own skeleton (bench/bare.h), so `make
 * bench` can split what a reference backend adds to its library into the adapter's share and the
 * window's.  The backend is created from its spec and prefilled with put_many as the window
 * prefills it; then each batch draws MAP_GET_MANY_MAX keys with the bare loops' inline generator
 * and hands them to the backend's get_many, the call the window makes for a read-only batch.  No
 * stream, no tally, no latency sampling: what is left over the library's bare loop is the vtable
 * call and the adapter's own code.
 */
#include "bench/bare.h"

#include "maps/map.h"

struct bare_adapter {
    const struct map_backend *backend;
    struct map *map;
};

static uint64_t bare_adapter_batch(void *table, uint64_t n, uint64_t *rng, uint64_t *sink)
{
    const struct bare_adapter *a = table;
    uint64_t drawn[MAP_GET_MANY_MAX], values[MAP_GET_MANY_MAX], hits = 0;
    for (int done = 0; done < BENCH_BARE_BATCH; done += MAP_GET_MANY_MAX) {
        for (int j = 0; j < MAP_GET_MANY_MAX; j++)
            drawn[j] = bench_bare_key(rng, n);
        hits += (uint64_t)__builtin_popcountll(
            a->backend->get_many(a->map, drawn, MAP_GET_MANY_MAX, values));
        *sink += values[0];
    }
    return hits;
}

double bench_bare_adapter_map(const struct map_backend *b, struct map *m, uint64_t n,
                              double seconds)
{
    struct bare_adapter a = {b, m};
    b->thread_enter(m);
    double ns = bench_bare_time(bare_adapter_batch, &a, n, seconds);
    b->thread_leave(m);
    return ns;
}

double bench_bare_adapter(const char *spec, const uint64_t *keys, uint64_t n, double seconds,
                          char *err)
{
    const struct map_backend *b;
    struct map *m = map_create_from_spec(spec, &b, err);
    if (!m)
        return -1.0;
    b->thread_enter(m);
    b->put_many(m, keys, keys, n);
    b->thread_leave(m);
    double ns = bench_bare_adapter_map(b, m, n, seconds);
    b->destroy(m);
    return ns;
}
