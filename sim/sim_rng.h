/* sim_rng.h - seeded random streams and delay distributions.
 *
 * Every random draw in a simulation comes from a SimRng: a xoshiro256**
 * generator implemented here, so its output is the same on every
 * platform and GLib version (golden values in tests/test_rng.c pin it).
 * A run has one seed; each node and subsystem derives its own stream
 * from (seed, stream name) with SplitMix64, so adding a client or a
 * draw in one subsystem never shifts the draws of another.
 *
 * SimDist describes a delay distribution in time units; sampling returns
 * a non-negative SimTime.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include "sim_time.h"

#include <glib.h>
#include <stdint.h>

typedef struct SimRng {
    uint64_t s[4];
} SimRng;

/* SplitMix64 step: advances *state and returns the next output.  Used to
 * expand seeds; exposed for tests and for hashing seeds together. */
uint64_t sim_splitmix64(uint64_t *state);

/* 64-bit FNV-1a of a NUL-terminated string (stream names). */
uint64_t sim_hash_str(const char *s);

/* Seeds rng from (seed, stream).  stream may be NULL (the root stream). */
void sim_rng_init(SimRng *rng, uint64_t seed, const char *stream);

uint64_t sim_rng_u64(SimRng *rng);
uint32_t sim_rng_u32(SimRng *rng);
/* Uniform in [0, bound) without modulo bias (Lemire); bound > 0. */
uint64_t sim_rng_below(SimRng *rng, uint64_t bound);
/* Uniform in [lo, hi] inclusive; lo <= hi. */
int64_t sim_rng_range(SimRng *rng, int64_t lo, int64_t hi);
/* Uniform double in [0, 1) with 53 random bits. */
double sim_rng_double(SimRng *rng);
/* TRUE with probability p (p <= 0 never, p >= 1 always). */
gboolean sim_rng_chance(SimRng *rng, double p);
/* Fisher-Yates shuffle of n elements of size sz. */
void sim_rng_shuffle(SimRng *rng, void *base, size_t n, size_t sz);

/* ---- delay distributions ---- */

#define SIM_DIST_KINDS(X)                                                      \
    X(SIM_DIST_CONST, "const")                                                 \
    X(SIM_DIST_UNIFORM, "uniform")                                             \
    X(SIM_DIST_NORMAL, "normal")                                               \
    X(SIM_DIST_EXP, "exp")                                                     \
    X(SIM_DIST_LOGNORMAL, "lognormal")                                         \
    X(SIM_DIST_PARETO, "pareto")

typedef enum {
#define X(e, s) e,
    SIM_DIST_KINDS(X)
#undef X
} SimDistKind;

/* Parameters by kind (times in ns, shapes dimensionless):
 *   const(v)               a = v
 *   uniform(lo, hi)        a = lo, b = hi
 *   normal(mean, sd)       a = mean, b = sd; truncated at zero (redrawn)
 *   exp(mean)              a = mean
 *   lognormal(median, s)   a = median, shape = sigma of the underlying normal
 *   pareto(scale, alpha)   a = scale (minimum), shape = alpha (tail index)
 */
typedef struct SimDist {
    SimDistKind kind;
    SimTime a;
    SimTime b;
    double shape;
} SimDist;

static inline SimDist sim_dist_const(SimTime v)
{
    return (SimDist){ .kind = SIM_DIST_CONST, .a = v };
}

SimTime sim_dist_sample_any(const SimDist *d, SimRng *rng);
/* One sample.  A constant is the most frequent case (every default link
 * latency and disk delay): answered inline, no call. */
static inline SimTime sim_dist_sample(const SimDist *d, SimRng *rng)
{
    if (d->kind == SIM_DIST_CONST && d->a >= 0)
        return d->a;
    return sim_dist_sample_any(d, rng);
}
/* The distribution's theoretical mean and variance (ns, ns^2); variance is
 * INFINITY for a Pareto with alpha <= 2.  Normal: of the untruncated law. */
double sim_dist_mean(const SimDist *d);
double sim_dist_variance(const SimDist *d);

/* Parses "const(1ms)", "uniform(1ms,3ms)", "normal(2ms,500us)",
 * "exp(1ms)", "lognormal(1ms,0.5)", "pareto(1ms,2.5)"; a bare duration
 * ("1ms") means const.  Checks ranges (lo <= hi, sd >= 0, shape > 0).
 * On error returns FALSE and writes a message into err (size errlen). */
gboolean sim_dist_parse(const char *text, SimDist *out, char *err, size_t errlen);
/* Writes the canonical text of d into buf (at least 96 bytes). */
char *sim_dist_format(const SimDist *d, char *buf, size_t len);
const char *sim_dist_kind_name(SimDistKind k);

#endif
