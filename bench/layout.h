/*
 * layout.h: `make bench`'s layout section (bench/layout.c): whether a backend's map, reserved and
 * prefilled as the window does it, reads the same filled in one put_many as in two.
 */
#ifndef MAPBENCH_BENCH_LAYOUT_H
#define MAPBENCH_BENCH_LAYOUT_H

#include <stdint.h>

#include "maps/map.h"
#include "runner/topo.h"

#define BENCH_LAYOUT_READINGS 5 /* alternated readings of each map; the median ratio is kept */

/* The median, over BENCH_LAYOUT_READINGS alternated readings by one reader on pus[0], of the cost
 * per get of backend `spec`'s map holding workload_key(0..n) filled in two put_many calls (on
 * pus[0], then pus[1]) over the same map filled in one (on pus[0]); both reserved first.  Negative
 * with a one-line reason in err (ERR_LEN bytes). */
double bench_layout_ratio(const struct topo *topo, const int pus[2], const char *spec, uint64_t n,
                          char *err);

#endif
