/*
 * rng.h: the seeded pseudo-random generator the workload's operation patterns are shuffled with
 * (the keys come from the counter-based generator in runner/workload.c, which needs no state).
 *
 * xoshiro256** (Blackman & Vigna) seeded through splitmix64, written out here in a few lines rather
 * than taken from a library for two reasons: speed (a handful of instructions, inlined, while
 * patterns and test streams are built), and reproducibility: a recorded seed must give the
 * same stream on every machine and every libc, which rand()/random()/drand48 do not promise.
 * Nothing here is for cryptography.  State lives in the caller's struct rng: no global state.
 */
#ifndef MAPBENCH_RNG_H
#define MAPBENCH_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* splitmix64: advances *state and returns the next output (also a good one-shot mixer). */
static inline uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seeds from (seed, stream): one recorded seed gives every worker its own independent sequence. */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t mixed = stream;
    uint64_t state = seed ^ rng_splitmix64(&mixed);
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&state);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: the next 64 random bits. */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire's multiply-and-reject). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

#endif
