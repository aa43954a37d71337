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

#endif
