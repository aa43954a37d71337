/*
 * zipf.h: a Zipf sampler over ranks [0, n) for any exponent theta >= 0: rank k (0-based) is drawn
 * with probability proportional to (k + 1)^-theta.  theta 0 is uniform; 0.99 is YCSB's default;
 * 1.0 and above work too, which Gray et al.'s method (the one YCSB uses) does not allow.
 *
 * Method: rejection-inversion (Hörmann & Derflinger, "Rejection-inversion to generate variates
 * from monotone discrete distributions", ACM TOMACS 6(3), 1996), in the form Apache Commons RNG's
 * RejectionInversionZipfSampler uses: the hat integral H(x) = ((x)^(1-theta) - 1) / (1-theta) has a
 * limit at theta = 1 (log x), so one formula serves every exponent.  The sample is exact (not an
 * approximation), construction is O(1) whatever n, and a sample costs one uniform, a log and an exp,
 * with an expected number of rejections well below one.
 *
 * The tabulated sampler (struct zipf_table) is the one the timed loop uses: a log and an exp per key
 * are far too slow there.  It turns one 64-bit uniform u into a rank with two table lookups and no
 * transcendental function:
 *   - the head, ranks [0, head) with head = min(n, ZIPF_TABLE_HEAD_MAX), is drawn by exact
 *     inversion: cdf[r] is P(rank <= r) as a 64-bit fraction, and a guide table over the top 16
 *     bits of u (Chen & Asau's indexed search) gives the first candidate rank, so the scan that
 *     follows takes under one step on average.  Every head rank has its exact probability, to the
 *     2^-53 of a double;
 *   - the tail, ranks [head, n), holds the remaining mass.  It is split into ZIPF_TABLE_BUCKETS
 *     buckets of equal mass whose boundaries are the exact continuous inverse of the cumulative
 *     weight (the partial sums of k^-theta extended to real k by Euler-Maclaurin, which agrees with
 *     the sums at every integer to ~1e-15), and a rank is linear in u within its bucket.  Each
 *     bucket's mass is exact; the only approximation is that linearity: across a bucket of w ranks
 *     starting at rank k the true density varies by a factor (1 + w/k)^theta.  For n up to 2^26
 *     and theta up to 1.2 that is at most 5e-4, 1e-4 averaged over the buckets; only theta = 2's
 *     extreme tail (a total mass of 1e-5) varies more.
 * Memory: 256 KiB of guide, 8 bytes per head rank and 8 bytes per tail boundary: 1.25 MiB at most,
 * whatever n.  Construction costs one pow per head rank and a few per tail boundary (milliseconds).
 */
#ifndef MAPBENCH_ZIPF_H
#define MAPBENCH_ZIPF_H

#include <stdbool.h>
#include <stdint.h>

#include "runner/rng.h"

struct zipf {
    uint64_t n;
    double theta;
    double h_integral_x1;     /* H(1.5) - 1 */
    double h_integral_n;      /* H(n + 0.5) */
    double s;                 /* acceptance shortcut: 2 - H^-1(H(2.5) - h(2)) */
};

/* false when n == 0, theta < 0 or theta is not finite. */
bool zipf_init(struct zipf *z, uint64_t n, double theta);
/* A rank in [0, n): 0 is the most frequent. */
uint64_t zipf_sample(const struct zipf *z, struct rng *r);
/* The exact probability of rank k under (n, theta), from the generalized harmonic number; O(n):
   for tests and reports, not for the timed path.  harmonic is zipf_harmonic(n, theta). */
double zipf_harmonic(uint64_t n, double theta);
double zipf_probability(uint64_t k, double theta, double harmonic);

/* ---- the tabulated sampler ---- */

#define ZIPF_TABLE_HEAD_MAX (1u << 16)
#define ZIPF_TABLE_BUCKETS (1u << 16)

struct zipf_table {
    uint64_t n;
    double theta;
    uint32_t head;       /* ranks [0, head) are drawn by exact inversion */
    uint64_t head_mass;  /* P(rank < head) * 2^64; UINT64_MAX when head == n */
    uint32_t *guide;     /* ZIPF_TABLE_BUCKETS: the first head rank r with cdf[r] > b * 2^48 */
    uint64_t *cdf;       /* head entries: P(rank <= r) * 2^64; the last is UINT64_MAX when head == n */
    double *tail;        /* ZIPF_TABLE_BUCKETS + 1 rank positions (real) bounding the tail's
                            buckets, tail[0] = head and tail[ZIPF_TABLE_BUCKETS] = n; NULL if no tail */
    double tail_scale;   /* tail buckets per unit of u above head_mass */
};

/* false when n == 0, n >= 2^53 (a tail position must be exact in a double), theta < 0 or theta is
   not finite.  Allocates; zipf_table_free releases. */
bool zipf_table_init(struct zipf_table *t, uint64_t n, double theta);
void zipf_table_free(struct zipf_table *t);

/* The tail's share of u (see zipf.h's header); u >= t->head_mass. */
uint64_t zipf_table_tail_rank(const struct zipf_table *t, uint64_t u);

/* The rank in [0, n) that the 64-bit uniform u draws: rank 0 is the most frequent. */
static inline uint64_t zipf_table_rank(const struct zipf_table *t, uint64_t u)
{
    if (__builtin_expect(u < t->head_mass, 1)) {
        uint32_t r = t->guide[u >> 48];
        while (u >= t->cdf[r])
            r++;
        return r;
    }
    return zipf_table_tail_rank(t, u);
}

#endif
