/*
 * histogram.c: merging, percentiles and the bucket layout of the log-linear latency histogram
 * (histogram.h explains the layout and its error bound; recording is inline there).
 *
 * Bucket b covers [lower, lower + width): with shift = max(0, b / 32 - 1) and m = b - 32 * shift
 * (always < 64), lower = m << shift and width = 1 << shift.  This is the inverse of
 * histogram_bucket_of, and is what histogram_encoding() states for readers of stored counts.
 */
#include "runner/histogram.h"

#include <string.h>

void histogram_reset(struct histogram *h)
{
    memset(h, 0, sizeof *h);
}

void histogram_merge(struct histogram *into, const struct histogram *from)
{
    for (size_t b = 0; b < HISTOGRAM_BUCKETS; b++)
        into->buckets[b] += from->buckets[b];
    into->count += from->count;
    if (from->max > into->max)
        into->max = from->max;
}

static unsigned histogram_bucket_shift(size_t bucket)
{
    size_t group = bucket >> HISTOGRAM_SUB_BITS;
    return group == 0 ? 0 : (unsigned)(group - 1);
}

uint64_t histogram_bucket_lower(size_t bucket)
{
    unsigned shift = histogram_bucket_shift(bucket);
    return (uint64_t)(bucket - ((size_t)shift << HISTOGRAM_SUB_BITS)) << shift;
}

uint64_t histogram_bucket_upper(size_t bucket)
{
    return histogram_bucket_lower(bucket) + ((1ULL << histogram_bucket_shift(bucket)) - 1);
}

size_t histogram_bucket_count(void)
{
    return HISTOGRAM_BUCKETS;
}

const char *histogram_encoding(void)
{
    return "log-linear-v1 unit=ns sub_bits=5 buckets=1920: bucket b holds values in "
           "[(b-32*s)<<s, ((b-32*s)<<s) + (1<<s) - 1] where s = max(0, floor(b/32) - 1)";
}

double histogram_percentile(const struct histogram *h, double percent)
{
    if (h->count == 0)
        return 0.0;
    if (percent >= 100.0)
        return (double)h->max;
    /* rank: the smallest number of samples that is at least percent% of them (at least 1) */
    double wanted = percent / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)wanted;
    if ((double)rank < wanted)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t b = 0; b < HISTOGRAM_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double lower = (double)histogram_bucket_lower(b);
            double mid = lower + (double)(histogram_bucket_upper(b) - histogram_bucket_lower(b)) / 2.0;
            return mid < (double)h->max ? mid : (double)h->max;
        }
    }
    return (double)h->max;
}

/* A recorded duration less the timer's cost, never below zero. */
static double histogram_less(double value, double timer_ns)
{
    return value > timer_ns ? value - timer_ns : 0.0;
}

void histogram_fill_latency(const struct histogram *h, double timer_ns, struct result_latency *out)
{
    out->samples = h->count;
    if (!h->count)
        timer_ns = 0.0;
    out->p50_ns = histogram_less(histogram_percentile(h, 50.0), timer_ns);
    out->p90_ns = histogram_less(histogram_percentile(h, 90.0), timer_ns);
    out->p99_ns = histogram_less(histogram_percentile(h, 99.0), timer_ns);
    out->p999_ns = histogram_less(histogram_percentile(h, 99.9), timer_ns);
    out->max_ns = histogram_less(h->count ? (double)h->max : 0.0, timer_ns);
}
