/*
 * key.h: how an index becomes a key (workload_key), alone so that code outside the runner that
 * must draw the runner's keys the runner's way (make bench's bare loops, some of them C++) can
 * include it without the rest of runner/workload.h.  Indices, regions and streams are described
 * there.
 */
#ifndef MAPBENCH_KEY_H
#define MAPBENCH_KEY_H

#include <stdint.h>

/* Bijective scramble of an index into a key (splitmix64's finalizer after a golden-ratio offset). */
static inline uint64_t workload_key(uint64_t index)
{
    uint64_t x = index + 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

#endif
