/* sim_rng.c - seeded random streams and delay distributions.
 *
 * The generator is xoshiro256** (Blackman and Vigna, public domain),
 * written out here rather than borrowed from GLib or libc, so a seed
 * replays the same run on every platform and library version.  A stream
 * is seeded by expanding (seed XOR FNV-1a(name)) with SplitMix64, the
 * seeding procedure the xoshiro authors recommend; the stream's draws
 * then depend on nothing but its own seed and its own history.
 *
 * Distributions turn draws into non-negative nanosecond delays.  Each
 * sampler consumes a number of draws that depends only on the values
 * drawn, never on outside state.  The integer paths are exact; the
 * floating-point ones use only log, exp, sqrt and pow from libm.
 */
#include "sim_rng.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- generators ---- */

uint64_t sim_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sim_hash_str(const char *s)
{
    g_assert(s != NULL);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void sim_rng_init(SimRng *rng, uint64_t seed, const char *stream)
{
    g_assert(rng != NULL);
    uint64_t x = stream ? seed ^ sim_hash_str(stream) : seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = sim_splitmix64(&x);
    /* xoshiro's one forbidden state is all zeros.  It cannot come out of
     * SplitMix64: the four outputs are a bijection applied to four
     * distinct inputs, so at most one of them is zero. */
    g_assert((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) != 0);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_u64(SimRng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t sim_rng_u32(SimRng *rng)
{
    /* The high bits: the authors' advice for taking part of an output. */
    return (uint32_t)(sim_rng_u64(rng) >> 32);
}

uint64_t sim_rng_below(SimRng *rng, uint64_t bound)
{
    g_assert(bound > 0);
    /* Lemire, "Fast Random Integer Generation in an Interval" (2019): the
     * high word of x * bound is uniform once the low words that would
     * over-represent some results are rejected.  The division computing
     * the threshold runs only when the low word falls in the danger zone,
     * which is rare for small bounds. */
    unsigned __int128 m = (unsigned __int128)sim_rng_u64(rng) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = (0 - bound) % bound; /* 2^64 mod bound */
        while (low < threshold) {
            m = (unsigned __int128)sim_rng_u64(rng) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int64_t sim_rng_range(SimRng *rng, int64_t lo, int64_t hi)
{
    g_assert(lo <= hi);
    /* The span in unsigned arithmetic, where hi - lo cannot overflow;
     * the full int64 range has 2^64 values, one more than a bound can
     * say, and is simply a raw draw. */
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t off = span == UINT64_MAX ? sim_rng_u64(rng) : sim_rng_below(rng, span + 1);
    return (int64_t)((uint64_t)lo + off);
}

double sim_rng_double(SimRng *rng)
{
    /* 53 bits fill a double's mantissa exactly; the largest result is
     * 1 - 2^-53, so 1.0 itself is never returned. */
    return (double)(sim_rng_u64(rng) >> 11) * 0x1.0p-53;
}

gboolean sim_rng_chance(SimRng *rng, double p)
{
    /* Always one draw, whatever p: turning a fault rate from 0 to 1%
     * must not shift every later draw of the stream.  With u in [0, 1),
     * p <= 0 is never true and p >= 1 always is (NaN never). */
    return sim_rng_double(rng) < p;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t sz)
{
    for (size_t k = 0; k < sz; k++) {
        unsigned char tmp = a[k];
        a[k] = b[k];
        b[k] = tmp;
    }
}

void sim_rng_shuffle(SimRng *rng, void *base, size_t n, size_t sz)
{
    if (n < 2)
        return;
    g_assert(base != NULL);
    g_assert(sz > 0);
    unsigned char *p = base;
    /* Fisher-Yates, from the back: element i swaps with a uniform j in
     * [0, i], itself included (excluding it would give only cycles). */
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)sim_rng_below(rng, (uint64_t)i + 1);
        if (j != i)
            swap_bytes(p + i * sz, p + j * sz, sz);
    }
}

/* ---- distributions ---- */

static const char *const dist_names[] = {
#define X(e, s) [e] = s,
    SIM_DIST_KINDS(X)
#undef X
};

const char *sim_dist_kind_name(SimDistKind k)
{
    g_assert((size_t)k < G_N_ELEMENTS(dist_names));
    return dist_names[k];
}

/* Largest sample: heavy tails (Pareto, lognormal) and huge parameters
 * would otherwise overflow, and a delay near SIM_TIME_NEVER would make
 * now + delay overflow in the caller. */
#define SAMPLE_MAX (INT64_MAX / 2)

/* Bounds the normal sampler's loops; see std_normal and sample_normal. */
#define POLAR_TRIES_MAX 1000
#define NORMAL_REDRAWS_MAX 64

static void dist_assert_valid(const SimDist *d)
{
    g_assert(d != NULL);
    g_assert(d->a >= 0);
    g_assert(d->b >= 0);
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_NORMAL:
    case SIM_DIST_EXP:
        break;
    case SIM_DIST_UNIFORM:
        g_assert(d->a <= d->b);
        break;
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_PARETO:
        g_assert(d->shape > 0 && isfinite(d->shape));
        break;
    }
}

/* Rounds x to the nearest nanosecond, clamped to [0, SAMPLE_MAX]; NaN
 * becomes 0. */
static SimTime to_time(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= (double)SAMPLE_MAX)
        return SAMPLE_MAX;
    return (SimTime)llround(x);
}

/* A standard normal by Marsaglia's polar method: only log and sqrt, no
 * trigonometry, whose libm results vary more across platforms.  The
 * second variate of the pair is dropped, since SimRng has nowhere to
 * keep it.  Each try is accepted with probability pi/4, so running out
 * of tries means the generator is broken. */
static double std_normal(SimRng *rng)
{
    for (int i = 0; i < POLAR_TRIES_MAX; i++) {
        double u = 2.0 * sim_rng_double(rng) - 1.0;
        double v = 2.0 * sim_rng_double(rng) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
    g_assert_not_reached();
    return 0.0;
}

/* Truncated at zero by redrawing, so the shape above zero is kept.  A
 * mean far below zero could redraw almost forever; after
 * NORMAL_REDRAWS_MAX tries the answer is 0, where the mass would be. */
static SimTime sample_normal(const SimDist *d, SimRng *rng)
{
    for (int i = 0; i < NORMAL_REDRAWS_MAX; i++) {
        double x = (double)d->a + (double)d->b * std_normal(rng);
        if (x >= 0.0)
            return to_time(x);
    }
    return 0;
}

SimTime sim_dist_sample_any(const SimDist *d, SimRng *rng)
{
    dist_assert_valid(d);
    g_assert(rng != NULL);
    switch (d->kind) {
    case SIM_DIST_CONST:
        return d->a;
    case SIM_DIST_UNIFORM:
        return sim_rng_range(rng, d->a, d->b);
    case SIM_DIST_NORMAL:
        return sample_normal(d, rng);
    case SIM_DIST_EXP:
        /* 1 - u is in (0, 1] and exact, so the log is finite. */
        return to_time(-(double)d->a * log(1.0 - sim_rng_double(rng)));
    case SIM_DIST_LOGNORMAL:
        return to_time((double)d->a * exp(d->shape * std_normal(rng)));
    case SIM_DIST_PARETO:
        return to_time((double)d->a / pow(1.0 - sim_rng_double(rng), 1.0 / d->shape));
    }
    g_assert_not_reached();
    return 0;
}

double sim_dist_mean(const SimDist *d)
{
    dist_assert_valid(d);
    double a = (double)d->a;
    double b = (double)d->b;
    double s = d->shape;
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_NORMAL:
    case SIM_DIST_EXP:
        return a;
    case SIM_DIST_UNIFORM:
        return (a + b) / 2.0;
    case SIM_DIST_LOGNORMAL:
        return a * exp(s * s / 2.0);
    case SIM_DIST_PARETO:
        return s > 1.0 ? s * a / (s - 1.0) : INFINITY;
    }
    g_assert_not_reached();
    return 0.0;
}

double sim_dist_variance(const SimDist *d)
{
    dist_assert_valid(d);
    double a = (double)d->a;
    double b = (double)d->b;
    double s = d->shape;
    switch (d->kind) {
    case SIM_DIST_CONST:
        return 0.0;
    case SIM_DIST_UNIFORM: {
        /* Discrete uniform over the n = b - a + 1 integers in [a, b]. */
        double n = (double)(d->b - d->a) + 1.0;
        return (n * n - 1.0) / 12.0;
    }
    case SIM_DIST_NORMAL:
        return b * b;
    case SIM_DIST_EXP:
        return a * a;
    case SIM_DIST_LOGNORMAL:
        return (exp(s * s) - 1.0) * a * a * exp(s * s);
    case SIM_DIST_PARETO:
        return s > 2.0 ? a * a * s / ((s - 1.0) * (s - 1.0) * (s - 2.0)) : INFINITY;
    }
    g_assert_not_reached();
    return 0.0;
}

/* ---- parsing and printing ---- */

/* What each kind takes: its argument count and names, and whether the
 * second argument is a shape (a plain number) rather than a duration. */
typedef struct {
    int nargs;
    const char *arg_names[2];
    gboolean second_is_shape;
} DistSyntax;

static const DistSyntax dist_syntax[] = {
    [SIM_DIST_CONST] = { 1, { "value", NULL }, FALSE },
    [SIM_DIST_UNIFORM] = { 2, { "lo", "hi" }, FALSE },
    [SIM_DIST_NORMAL] = { 2, { "mean", "sd" }, FALSE },
    [SIM_DIST_EXP] = { 1, { "mean", NULL }, FALSE },
    [SIM_DIST_LOGNORMAL] = { 2, { "median", "sigma" }, TRUE },
    [SIM_DIST_PARETO] = { 2, { "scale", "alpha" }, TRUE },
};

G_STATIC_ASSERT(G_N_ELEMENTS(dist_syntax) == G_N_ELEMENTS(dist_names));

/* Longest text worth parsing; a longer one is certainly a mistake, and
 * the limit lets the parser work on a stack copy. */
#define DIST_TEXT_MAX 256
#define DIST_ARGS_MAX 8

static gboolean parse_error(char *err, size_t errlen, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean parse_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return FALSE;
}

/* Trims ASCII whitespace in place and returns the start of what is left. */
static char *trim(char *s)
{
    while (g_ascii_isspace(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && g_ascii_isspace(s[n - 1]))
        s[--n] = '\0';
    return s;
}

static gboolean lookup_kind(const char *name, SimDistKind *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(dist_names); i++) {
        if (strcmp(name, dist_names[i]) == 0) {
            *out = (SimDistKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean parse_duration_arg(const char *kind, const char *what, const char *arg, SimTime *out,
                                   char *err, size_t errlen)
{
    const char *msg = NULL;
    if (!sim_time_parse(arg, out, &msg))
        return parse_error(err, errlen, "%s: %s '%s': %s", kind, what, arg, msg);
    return TRUE;
}

static gboolean parse_shape_arg(const char *kind, const char *what, const char *arg, double *out,
                                char *err, size_t errlen)
{
    /* g_ascii_strtod: a scenario means the same under every locale. */
    char *end = NULL;
    double v = g_ascii_strtod(arg, &end);
    if (end == arg || *end != '\0' || !isfinite(v))
        return parse_error(err, errlen, "%s: %s '%s' is not a number", kind, what, arg);
    if (!(v > 0.0))
        return parse_error(err, errlen, "%s: %s must be > 0", kind, what);
    *out = v;
    return TRUE;
}

/* Splits the text between the parentheses at commas into trimmed args;
 * returns how many there were (possibly more than DIST_ARGS_MAX, of
 * which only the first DIST_ARGS_MAX are stored). */
static int split_args(char *inner, char *args[DIST_ARGS_MAX])
{
    if (*trim(inner) == '\0')
        return 0;
    int n = 0;
    char *p = inner;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (n < DIST_ARGS_MAX)
            args[n] = trim(p);
        n++;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

gboolean sim_dist_parse(const char *text, SimDist *out, char *err, size_t errlen)
{
    g_assert(text != NULL);
    g_assert(out != NULL);
    g_assert(err != NULL || errlen == 0);

    char copy[DIST_TEXT_MAX];
    size_t text_len = strlen(text);
    if (text_len >= sizeof copy)
        return parse_error(err, errlen, "distribution text longer than %d characters", DIST_TEXT_MAX - 1);
    memcpy(copy, text, text_len + 1);
    char *s = trim(copy);
    if (*s == '\0')
        return parse_error(err, errlen, "empty distribution (expected a duration such as 1ms or a distribution such as uniform(1ms,3ms))");

    char *open = strchr(s, '(');
    if (!open) {
        /* A bare duration is a constant. */
        SimDist d = { .kind = SIM_DIST_CONST };
        const char *msg = NULL;
        if (!sim_time_parse(s, &d.a, &msg)) {
            SimDistKind k;
            if (lookup_kind(s, &k))
                return parse_error(err, errlen, "%s: expected arguments in parentheses, e.g. %s(...)", s, s);
            return parse_error(err, errlen, "bad duration '%s': %s", s, msg);
        }
        *out = d;
        return TRUE;
    }

    *open = '\0';
    char *name = trim(s);
    if (*name == '\0')
        return parse_error(err, errlen, "missing distribution name before '('");
    SimDistKind kind;
    if (!lookup_kind(name, &kind))
        return parse_error(err, errlen,
                           "unknown distribution '%s' (expected const, uniform, normal, exp, lognormal, pareto)",
                           name);

    char *inner = open + 1;
    size_t n = strlen(inner);
    if (n == 0 || inner[n - 1] != ')')
        return parse_error(err, errlen, "%s: expected ')' at the end", name);
    inner[n - 1] = '\0';
    if (strpbrk(inner, "()"))
        return parse_error(err, errlen, "%s: unexpected parenthesis inside the arguments", name);

    char *args[DIST_ARGS_MAX];
    int nargs = split_args(inner, args);
    const DistSyntax *syn = &dist_syntax[kind];
    if (nargs != syn->nargs)
        return parse_error(err, errlen, "%s: expected %d argument%s, got %d", name, syn->nargs,
                           syn->nargs == 1 ? "" : "s", nargs);
    for (int i = 0; i < nargs; i++)
        if (*args[i] == '\0')
            return parse_error(err, errlen, "%s: %s is empty", name, syn->arg_names[i]);

    SimDist d = { .kind = kind };
    if (!parse_duration_arg(name, syn->arg_names[0], args[0], &d.a, err, errlen))
        return FALSE;
    if (nargs == 2) {
        gboolean ok = syn->second_is_shape
                          ? parse_shape_arg(name, syn->arg_names[1], args[1], &d.shape, err, errlen)
                          : parse_duration_arg(name, syn->arg_names[1], args[1], &d.b, err, errlen);
        if (!ok)
            return FALSE;
    }
    if (kind == SIM_DIST_UNIFORM && d.a > d.b) {
        char lo[SIM_TIME_STR_LEN], hi[SIM_TIME_STR_LEN];
        return parse_error(err, errlen, "uniform: lo (%s) is greater than hi (%s)", sim_time_format(d.a, lo),
                           sim_time_format(d.b, hi));
    }
    /* sd >= 0 needs no check: sim_time_parse rejects negative durations. */
    dist_assert_valid(&d);
    *out = d;
    return TRUE;
}

char *sim_dist_format(const SimDist *d, char *buf, size_t len)
{
    dist_assert_valid(d);
    g_assert(buf != NULL && len > 0);
    const char *name = sim_dist_kind_name(d->kind);
    char a[SIM_TIME_STR_LEN];
    char second[MAX(SIM_TIME_STR_LEN, G_ASCII_DTOSTR_BUF_SIZE)];
    sim_time_format(d->a, a);
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_EXP:
        snprintf(buf, len, "%s(%s)", name, a);
        return buf;
    case SIM_DIST_UNIFORM:
    case SIM_DIST_NORMAL:
        sim_time_format(d->b, second);
        break;
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_PARETO:
        /* %g, but with a '.' whatever the locale. */
        g_ascii_formatd(second, sizeof second, "%g", d->shape);
        break;
    }
    snprintf(buf, len, "%s(%s,%s)", name, a, second);
    return buf;
}
