/*
 * histogram.h: per-worker latency histograms in nanoseconds, log-linear as in HdrHistogram.
 *
 * Layout (HISTOGRAM_SUB_BITS = 5): values below 64 have a bucket each (exact); above, every power
 * of two [2^e, 2^(e+1)) is split into 32 equal sub-buckets of width 2^(e-5), so a bucket's width is
 * at most 2^-5 of its lower bound.  Percentiles report the bucket's midpoint, so a reported
 * percentile is within 2^-6 (1.6%) of the true sample value; max is tracked exactly.  The whole
 * uint64_t range fits in 1920 buckets (15 KiB): a fixed array, no allocation, nothing to resize in
 * the timed loop.  Recording is an or, a count-leading-zeros, two shifts, an add and an increment:
 * no division, no branch beyond the max update.
 *
 * One histogram per operation type per worker; the engine merges them after the window.  A
 * histogram is written by one thread only; merge reads others' after they have stopped.
 */
#ifndef MAPBENCH_HISTOGRAM_H
#define MAPBENCH_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "runner/result.h"

#define HISTOGRAM_SUB_BITS 5
#define HISTOGRAM_SUB_COUNT (1u << HISTOGRAM_SUB_BITS)
#define HISTOGRAM_BUCKETS ((64 - HISTOGRAM_SUB_BITS + 1) * HISTOGRAM_SUB_COUNT)

struct histogram {
    uint64_t count;
    uint64_t max;
    uint64_t buckets[HISTOGRAM_BUCKETS];
};

/* The bucket a value falls in (see the layout above). */
static inline size_t histogram_bucket_of(uint64_t value)
{
    unsigned top = 63u - (unsigned)__builtin_clzll(value | HISTOGRAM_SUB_COUNT);
    unsigned shift = top - HISTOGRAM_SUB_BITS;
    return ((size_t)shift << HISTOGRAM_SUB_BITS) + (size_t)(value >> shift);
}

static inline void histogram_record(struct histogram *h, uint64_t value_ns)
{
    h->buckets[histogram_bucket_of(value_ns)]++;
    h->count++;
    if (value_ns > h->max)
        h->max = value_ns;
}

void histogram_reset(struct histogram *h);
/* into += from */
void histogram_merge(struct histogram *into, const struct histogram *from);
/* The smallest recorded value v (to within the bucket, see above) such that at least percent% of
   samples are <= v; 0 when empty.  percent in [0, 100]; 100 gives the exact max. */
double histogram_percentile(const struct histogram *h, double percent);
/* samples, p50, p90, p99, p99.9 and max, each less timer_ns (the timer's own cost in every
   recorded value) and floored at 0; all zero with samples 0 when the histogram is empty. */
void histogram_fill_latency(const struct histogram *h, double timer_ns, struct result_latency *out);

/* For storing and decoding counts: the number of buckets and each bucket's inclusive bounds. */
size_t histogram_bucket_count(void);
uint64_t histogram_bucket_lower(size_t bucket);
uint64_t histogram_bucket_upper(size_t bucket);
/* A one-line description of the layout, stored beside the counts so they can be decoded later. */
const char *histogram_encoding(void);

#endif
