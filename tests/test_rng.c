/* test_rng.c - random streams, delay distributions and duration text.
 *
 * The golden values pin the generator: if one of them changes, every
 * recorded seed replays differently, so a change here is never a test to
 * update casually.  The statistical tests use fixed seeds, so they are
 * deterministic; their bounds are still set several standard errors wide,
 * so a reseed would not make them fail, while a wrong formula would.
 */
#include "test_util.h"

#include "sim_rng.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- generators ---- */

static void test_splitmix64_golden(void)
{
    uint64_t state = 0;
    CU_ASSERT_EQUAL(sim_splitmix64(&state), 0xe220a8397b1dcdafULL);
    CU_ASSERT_EQUAL(sim_splitmix64(&state), 0x6e789e6aa1b965f4ULL);
}

static void test_fnv1a_golden(void)
{
    /* Published FNV-1a 64 test vectors. */
    CU_ASSERT_EQUAL(sim_hash_str(""), 0xcbf29ce484222325ULL);
    CU_ASSERT_EQUAL(sim_hash_str("a"), 0xaf63dc4c8601ec8cULL);
    CU_ASSERT_EQUAL(sim_hash_str("foobar"), 0x85944171f73967e8ULL);
}

static void test_xoshiro_known_answer(void)
{
    /* Independent known answer for xoshiro256** from state {1, 2, 3, 4}. */
    SimRng r = { { 1, 2, 3, 4 } };
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 11520ULL);
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 0ULL);
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 1509978240ULL);
    CU_ASSERT_EQUAL(sim_rng_u64(&r), 1215971899390074240ULL);
}

static void assert_stream(uint64_t seed, const char *stream, const uint64_t want[5])
{
    SimRng r;
    sim_rng_init(&r, seed, stream);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(sim_rng_u64(&r), want[i]);
}

static void test_xoshiro_golden_root(void)
{
    static const uint64_t want[5] = {
        0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
        0xecb8ad4703b360a1ULL, 0xfde6dc7fe2ec5e64ULL,
    };
    assert_stream(42, NULL, want);
}

static void test_xoshiro_golden_net(void)
{
    static const uint64_t want[5] = {
        0xa15c1a0ee74af717ULL, 0x634728418d473dd4ULL, 0x96661d7b9a76ef2dULL,
        0xaabfeb4745854271ULL, 0x4957ecbdfc357b83ULL,
    };
    assert_stream(42, "net", want);
}

static gboolean same_first_draws(uint64_t seed_a, const char *a, uint64_t seed_b, const char *b)
{
    SimRng ra, rb;
    sim_rng_init(&ra, seed_a, a);
    sim_rng_init(&rb, seed_b, b);
    for (int i = 0; i < 8; i++)
        if (sim_rng_u64(&ra) != sim_rng_u64(&rb))
            return FALSE;
    return TRUE;
}

static void test_streams(void)
{
    CU_ASSERT_TRUE(same_first_draws(42, "net", 42, "net"));
    CU_ASSERT_TRUE(same_first_draws(42, NULL, 42, NULL));
    CU_ASSERT_FALSE(same_first_draws(42, "net", 42, "fle"));
    CU_ASSERT_FALSE(same_first_draws(42, "client-1", 42, "client-2"));
    CU_ASSERT_FALSE(same_first_draws(42, NULL, 42, ""));
    CU_ASSERT_FALSE(same_first_draws(42, NULL, 42, "net"));
    CU_ASSERT_FALSE(same_first_draws(42, "net", 43, "net"));
    /* Seed 0 with no stream still gives a live generator. */
    SimRng r;
    sim_rng_init(&r, 0, NULL);
    CU_ASSERT_NOT_EQUAL(r.s[0] | r.s[1] | r.s[2] | r.s[3], 0);
}

static void test_u32_is_high_half(void)
{
    SimRng a, b;
    sim_rng_init(&a, 7, "u32");
    b = a;
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(sim_rng_u32(&a), (uint32_t)(sim_rng_u64(&b) >> 32));
}

static void test_below_uniform(void)
{
    /* 100000 draws into 10 buckets; chi-square with 9 degrees of freedom
     * exceeds 27.9 with probability 0.001, so 35 is a generous bound. */
    enum { BUCKETS = 10, DRAWS = 100000 };
    unsigned count[BUCKETS] = { 0 };
    SimRng r;
    sim_rng_init(&r, 1, "below");
    gboolean in_range = TRUE;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = sim_rng_below(&r, BUCKETS);
        if (v >= BUCKETS) {
            in_range = FALSE;
            continue;
        }
        count[v]++;
    }
    CU_ASSERT_TRUE(in_range);
    double expected = (double)DRAWS / BUCKETS;
    double chi2 = 0;
    for (int b = 0; b < BUCKETS; b++)
        chi2 += ((double)count[b] - expected) * ((double)count[b] - expected) / expected;
    CU_ASSERT_TRUE(chi2 < 35.0);
}

static void test_below_edges(void)
{
    SimRng r;
    sim_rng_init(&r, 2, "below");
    gboolean ok = TRUE;
    for (int i = 0; i < 1000; i++) {
        ok &= sim_rng_below(&r, 1) == 0;
        ok &= sim_rng_below(&r, 2) < 2;
        ok &= sim_rng_below(&r, 3) < 3;
        /* Just over 2^63: about half of all raw draws are rejected. */
        ok &= sim_rng_below(&r, (1ULL << 63) + 1) <= (1ULL << 63);
        ok &= sim_rng_below(&r, UINT64_MAX) < UINT64_MAX;
    }
    CU_ASSERT_TRUE(ok);
    /* A large bound still reaches both halves. */
    gboolean low = FALSE, high = FALSE;
    for (int i = 0; i < 100; i++) {
        uint64_t v = sim_rng_below(&r, (1ULL << 63) + 1);
        low |= v < (1ULL << 62);
        high |= v > (3ULL << 61);
    }
    CU_ASSERT_TRUE(low && high);
}

static void test_below_rejection_golden(void)
{
    /* Bound 2^63 + 1 rejects about half of all raw draws (2^64 mod bound
     * is 2^63 - 1), so the rejection path is pinned too: worked out
     * independently with plain rejection sampling, the first call of
     * 42/"net" rejects four draws and accepts the fifth. */
    const uint64_t bound = (1ULL << 63) + 1;
    SimRng r, raw;
    sim_rng_init(&r, 42, "net");
    raw = r;
    CU_ASSERT_EQUAL(sim_rng_below(&r, bound), 2642476494233451969ULL);
    CU_ASSERT_EQUAL(sim_rng_below(&r, bound), 4967722412774221777ULL);
    CU_ASSERT_EQUAL(sim_rng_below(&r, bound), 2035649005087162171ULL);
    CU_ASSERT_EQUAL(sim_rng_below(&r, bound), 8843692098921514701ULL);
    for (int i = 0; i < 8; i++)
        sim_rng_u64(&raw);
    CU_ASSERT_EQUAL(memcmp(&r, &raw, sizeof r), 0);
}

static void test_range_inclusive(void)
{
    SimRng r;
    sim_rng_init(&r, 3, "range");
    gboolean in_range = TRUE, hit_lo = FALSE, hit_hi = FALSE;
    for (int i = 0; i < 1000; i++) {
        int64_t v = sim_rng_range(&r, -3, 3);
        in_range &= v >= -3 && v <= 3;
        hit_lo |= v == -3;
        hit_hi |= v == 3;
    }
    CU_ASSERT_TRUE(in_range);
    CU_ASSERT_TRUE(hit_lo);
    CU_ASSERT_TRUE(hit_hi);

    CU_ASSERT_EQUAL(sim_rng_range(&r, 5, 5), 5);
    CU_ASSERT_EQUAL(sim_rng_range(&r, INT64_MIN, INT64_MIN), INT64_MIN);
    gboolean top = TRUE;
    for (int i = 0; i < 100; i++) {
        int64_t v = sim_rng_range(&r, INT64_MAX - 1, INT64_MAX);
        top &= v == INT64_MAX - 1 || v == INT64_MAX;
    }
    CU_ASSERT_TRUE(top);

    /* The full range (2^64 values) must neither overflow nor stick. */
    gboolean neg = FALSE, pos = FALSE;
    for (int i = 0; i < 100; i++) {
        int64_t v = sim_rng_range(&r, INT64_MIN, INT64_MAX);
        neg |= v < 0;
        pos |= v > 0;
    }
    CU_ASSERT_TRUE(neg && pos);
}

static void test_double_unit_interval(void)
{
    SimRng r;
    sim_rng_init(&r, 4, "double");
    gboolean in_range = TRUE;
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = sim_rng_double(&r);
        in_range &= u >= 0.0 && u < 1.0;
        sum += u;
    }
    CU_ASSERT_TRUE(in_range);
    CU_ASSERT_DOUBLE_EQUAL(sum / 100000, 0.5, 0.005);
    /* The largest possible draw, all 53 bits set, is still below 1. */
    CU_ASSERT_TRUE((double)(UINT64_MAX >> 11) * 0x1.0p-53 < 1.0);
}

static void test_chance(void)
{
    SimRng r;
    sim_rng_init(&r, 5, "chance");
    gboolean never = FALSE, always = TRUE;
    for (int i = 0; i < 10000; i++) {
        never |= sim_rng_chance(&r, 0.0);
        never |= sim_rng_chance(&r, -1.0);
        never |= sim_rng_chance(&r, NAN);
        always &= sim_rng_chance(&r, 1.0);
        always &= sim_rng_chance(&r, 2.0);
    }
    CU_ASSERT_FALSE(never);
    CU_ASSERT_TRUE(always);

    int hits = 0;
    for (int i = 0; i < 100000; i++)
        hits += sim_rng_chance(&r, 0.3);
    CU_ASSERT_DOUBLE_EQUAL(hits / 100000.0, 0.3, 0.01);

    /* Every call draws once, even when p decides alone, so changing a
     * rate from 0 does not shift the rest of the stream. */
    SimRng a, b;
    sim_rng_init(&a, 5, "align");
    b = a;
    sim_rng_chance(&a, 0.0);
    sim_rng_chance(&a, 1.0);
    sim_rng_u64(&b);
    sim_rng_u64(&b);
    CU_ASSERT_EQUAL(sim_rng_u64(&a), sim_rng_u64(&b));
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

typedef struct {
    int id;
    char tag[8];
} Item; /* 12 bytes: not a power of two */

static void test_shuffle_permutation(void)
{
    SimRng r;
    sim_rng_init(&r, 6, "shuffle");

    int v[100];
    for (int i = 0; i < 100; i++)
        v[i] = i;
    sim_rng_shuffle(&r, v, 100, sizeof v[0]);
    int moved = 0;
    for (int i = 0; i < 100; i++)
        moved += v[i] != i;
    CU_ASSERT_TRUE(moved > 50);
    qsort(v, 100, sizeof v[0], cmp_int);
    gboolean identity = TRUE;
    for (int i = 0; i < 100; i++)
        identity &= v[i] == i;
    CU_ASSERT_TRUE(identity);

    Item items[7];
    for (int i = 0; i < 7; i++) {
        items[i].id = i;
        memcpy(items[i].tag, "item-?", 7);
        items[i].tag[5] = (char)('0' + i);
    }
    sim_rng_shuffle(&r, items, 7, sizeof items[0]);
    unsigned seen = 0;
    gboolean intact = TRUE;
    for (int i = 0; i < 7; i++) {
        intact &= items[i].tag[5] == '0' + items[i].id && memcmp(items[i].tag, "item-", 5) == 0;
        seen |= 1u << items[i].id;
    }
    CU_ASSERT_TRUE(intact);
    CU_ASSERT_EQUAL(seen, 0x7fu);

    /* n < 2 draws nothing and touches nothing. */
    SimRng before = r;
    sim_rng_shuffle(&r, NULL, 0, sizeof(int));
    int one = 17;
    sim_rng_shuffle(&r, &one, 1, sizeof one);
    CU_ASSERT_EQUAL(one, 17);
    CU_ASSERT_EQUAL(memcmp(&before, &r, sizeof r), 0);
}

static void test_shuffle_uniform(void)
{
    /* All six orders of three elements, equally often: an off-by-one in
     * Fisher-Yates (j < i instead of j <= i) yields only the two cycles. */
    enum { ROUNDS = 60000 };
    unsigned count[6] = { 0 };
    SimRng r;
    sim_rng_init(&r, 7, "shuffle");
    for (int i = 0; i < ROUNDS; i++) {
        int v[3] = { 0, 1, 2 };
        sim_rng_shuffle(&r, v, 3, sizeof v[0]);
        /* Index of the permutation: first element * 2 + (second > third). */
        count[v[0] * 2 + (v[1] > v[2])]++;
    }
    for (int k = 0; k < 6; k++)
        CU_ASSERT_DOUBLE_EQUAL(count[k], ROUNDS / 6.0, ROUNDS / 6.0 * 0.05);
}

/* ---- distributions ---- */

static SimDist parse_ok(const char *text)
{
    SimDist d = { 0 };
    char err[128] = "";
    gboolean ok = sim_dist_parse(text, &d, err, sizeof err);
    CU_ASSERT_TRUE(ok);
    if (!ok)
        fprintf(stderr, "\nparse '%s': %s\n", text, err);
    return d;
}

static void test_dist_moments_known(void)
{
    /* The formulas, against values worked out by hand (ns and ns^2). */
    SimDist d = parse_ok("const(2ms)");
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 2e6, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d), 0.0, 1e-6);
    d = parse_ok("uniform(1ms,3ms)");
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 2e6, 1e-6);
    d = parse_ok("uniform(0ns,2ns)"); /* {0,1,2}: mean 1, variance 2/3 */
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d), 2.0 / 3.0, 1e-12);
    d = parse_ok("normal(10ms,1ms)");
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1e7, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d), 1e12, 1e-3);
    d = parse_ok("exp(1ms)");
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1e6, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d), 1e12, 1e-3);
    d = parse_ok("lognormal(1ms,0.5)"); /* e^0.125, (e^0.25 - 1) e^0.25 */
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1133148.453, 1e-3);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d) / 1e12, 0.3646958540, 1e-9);
    d = parse_ok("pareto(1ms,3.5)"); /* 3.5/2.5, 3.5/(2.5^2 * 1.5) */
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 1.4e6, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_variance(&d) / 1e12, 3.5 / 9.375, 1e-12);
    d = parse_ok("pareto(1ms,1.5)");
    CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 3e6, 1e-6);
    CU_ASSERT_TRUE(isinf(sim_dist_variance(&d)));
    d = parse_ok("pareto(1ms,1)");
    CU_ASSERT_TRUE(isinf(sim_dist_mean(&d)));
    CU_ASSERT_TRUE(isinf(sim_dist_variance(&d)));
}

typedef struct {
    double mean;
    double var;
    SimTime min;
    SimTime max;
} Stats;

enum { SAMPLES = 200000 };

/* Welford's running mean and variance over SAMPLES draws of text. */
static Stats sample_stats(const char *text, const char *stream)
{
    SimDist d = parse_ok(text);
    SimRng r;
    sim_rng_init(&r, 2024, stream);
    Stats st = { 0, 0, INT64_MAX, INT64_MIN };
    double m2 = 0;
    for (int i = 1; i <= SAMPLES; i++) {
        SimTime x = sim_dist_sample(&d, &r);
        st.min = MIN(st.min, x);
        st.max = MAX(st.max, x);
        double delta = (double)x - st.mean;
        st.mean += delta / i;
        m2 += delta * ((double)x - st.mean);
    }
    st.var = m2 / (SAMPLES - 1);
    return st;
}

/* Sample moments against the theory, as relative errors. */
static void assert_moments(const char *text, double mean_tol, double var_tol)
{
    SimDist d = parse_ok(text);
    Stats st = sample_stats(text, text);
    double mean = sim_dist_mean(&d), var = sim_dist_variance(&d);
    CU_ASSERT_DOUBLE_EQUAL(st.mean, mean, mean * mean_tol);
    CU_ASSERT_DOUBLE_EQUAL(st.var, var, var * var_tol);
    CU_ASSERT_TRUE(st.min >= 0);
}

static void test_dist_const(void)
{
    Stats st = sample_stats("const(3ms)", "const");
    CU_ASSERT_EQUAL(st.min, 3 * SIM_MS);
    CU_ASSERT_EQUAL(st.max, 3 * SIM_MS);
}

static void test_dist_uniform(void)
{
    assert_moments("uniform(1ms,3ms)", 0.02, 0.05);
    Stats st = sample_stats("uniform(1ms,3ms)", "bounds");
    CU_ASSERT_TRUE(st.min >= SIM_MS && st.max <= 3 * SIM_MS);
    /* Both ends are reachable: a small range, many draws. */
    st = sample_stats("uniform(1ns,4ns)", "ends");
    CU_ASSERT_EQUAL(st.min, 1);
    CU_ASSERT_EQUAL(st.max, 4);
}

static void test_dist_normal(void)
{
    /* Mean ten sd above zero: truncation removes ~1e-23 of the mass. */
    assert_moments("normal(10ms,1ms)", 0.02, 0.05);
}

static void test_dist_exp(void)
{
    assert_moments("exp(1ms)", 0.02, 0.05);
}

static void test_dist_lognormal(void)
{
    assert_moments("lognormal(1ms,0.5)", 0.02, 0.05);
}

static void test_dist_pareto(void)
{
    /* alpha = 3.5: finite variance, but an infinite fourth moment makes
     * the sample variance erratic, so check the mean, the minimum and the
     * median (scale * 2^(1/alpha)) instead. */
    SimDist d = parse_ok("pareto(1ms,3.5)");
    SimRng r;
    sim_rng_init(&r, 2024, "pareto");
    double median = 1e6 * pow(2.0, 1.0 / 3.5);
    double sum = 0;
    int below = 0;
    SimTime min = INT64_MAX;
    for (int i = 0; i < SAMPLES; i++) {
        SimTime x = sim_dist_sample(&d, &r);
        sum += (double)x;
        below += (double)x < median;
        min = MIN(min, x);
    }
    CU_ASSERT_DOUBLE_EQUAL(sum / SAMPLES, sim_dist_mean(&d), sim_dist_mean(&d) * 0.03);
    CU_ASSERT_DOUBLE_EQUAL((double)below / SAMPLES, 0.5, 0.01);
    CU_ASSERT_TRUE(min >= SIM_MS);
}

static void test_normal_truncated(void)
{
    /* Redrawn below zero: what is left is the half-normal, mean
     * sd * sqrt(2 / pi), and never a negative delay. */
    Stats st = sample_stats("normal(0ns,1ms)", "trunc");
    CU_ASSERT_TRUE(st.min >= 0);
    CU_ASSERT_DOUBLE_EQUAL(st.mean, 1e6 * sqrt(2.0 / G_PI), 1e6 * sqrt(2.0 / G_PI) * 0.03);
    st = sample_stats("normal(0ns,0ns)", "zero");
    CU_ASSERT_EQUAL(st.min, 0);
    CU_ASSERT_EQUAL(st.max, 0);
}

static void test_heavy_tails_capped(void)
{
    /* Tails far beyond int64 nanoseconds are clamped, never wrapped. */
    static const char *const texts[] = { "pareto(1s,0.01)", "lognormal(1s,60)", "exp(100000000m)" };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        Stats st = sample_stats(texts[i], "tails");
        CU_ASSERT_TRUE(st.min >= 0);
        CU_ASSERT_TRUE(st.max <= INT64_MAX / 2);
    }
    SimDist d = parse_ok("pareto(1s,0.01)");
    SimRng r;
    sim_rng_init(&r, 9, NULL);
    gboolean capped = FALSE;
    for (int i = 0; i < 1000 && !capped; i++)
        capped = sim_dist_sample(&d, &r) == INT64_MAX / 2;
    CU_ASSERT_TRUE(capped);
}

static void test_dist_sample_golden(void)
{
    /* The integer path is exact on every platform, so it can be pinned:
     * the first draws of 42/"net" are 0xa15c..., 0x6347..., 0x9666...
     * and each maps to lo + high64(x * 2000001). */
    SimDist d = parse_ok("uniform(1ms,3ms)");
    SimRng r;
    sim_rng_init(&r, 42, "net");
    CU_ASSERT_EQUAL(sim_dist_sample(&d, &r), 2260623);
    CU_ASSERT_EQUAL(sim_dist_sample(&d, &r), 1775609);
    CU_ASSERT_EQUAL(sim_dist_sample(&d, &r), 2174991);
}

static void test_dist_roundtrip(void)
{
    static const struct {
        const char *in;
        const char *canonical;
    } cases[] = {
        { "const(1ms)", "const(1ms)" },
        { "1ms", "const(1ms)" },
        { " 250us ", "const(250us)" },
        { "0", "const(0)" },
        { "uniform(1ms,3ms)", "uniform(1ms,3ms)" },
        { " uniform ( 1ms , 3ms ) ", "uniform(1ms,3ms)" },
        { "uniform(1000us,3000000ns)", "uniform(1ms,3ms)" },
        { "uniform(2ms,2ms)", "uniform(2ms,2ms)" },
        { "normal(2ms,500us)", "normal(2ms,500us)" },
        { "normal(1.5s,\t0)", "normal(1.5s,0)" },
        { "exp(1ms)", "exp(1ms)" },
        { "exp(2m)", "exp(2m)" },
        { "lognormal(1ms,0.5)", "lognormal(1ms,0.5)" },
        { "lognormal(1ms, 0.50)", "lognormal(1ms,0.5)" },
        { "pareto(1ms,2.5)", "pareto(1ms,2.5)" },
        { "pareto(10us,3)", "pareto(10us,3)" },
        { "pareto(1ms,1e-3)", "pareto(1ms,0.001)" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimDist d = parse_ok(cases[i].in);
        char buf[96];
        sim_dist_format(&d, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, cases[i].canonical);
        /* The canonical text parses back to the same distribution. */
        SimDist again = parse_ok(buf);
        CU_ASSERT_EQUAL(again.kind, d.kind);
        CU_ASSERT_EQUAL(again.a, d.a);
        CU_ASSERT_EQUAL(again.b, d.b);
        CU_ASSERT_DOUBLE_EQUAL(again.shape, d.shape, 0.0);
    }
    SimDist d = parse_ok("uniform(1ms,3ms)");
    CU_ASSERT_EQUAL(d.kind, SIM_DIST_UNIFORM);
    CU_ASSERT_EQUAL(d.a, SIM_MS);
    CU_ASSERT_EQUAL(d.b, 3 * SIM_MS);
    d = parse_ok("pareto(1ms,2.5)");
    CU_ASSERT_EQUAL(d.kind, SIM_DIST_PARETO);
    CU_ASSERT_DOUBLE_EQUAL(d.shape, 2.5, 0.0);
    /* sim_dist_const builds what "const(...)" parses to. */
    SimDist c = sim_dist_const(5 * SIM_US);
    char buf[96];
    CU_ASSERT_STRING_EQUAL(sim_dist_format(&c, buf, sizeof buf), "const(5us)");
}

static void test_dist_parse_errors(void)
{
    static const struct {
        const char *in;
        const char *word; /* the message must contain this */
    } cases[] = {
        { "", "empty" },
        { "   ", "empty" },
        { "unifrom(1ms,3ms)", "unknown distribution 'unifrom'" },
        { "Uniform(1ms,3ms)", "unknown distribution" },
        { "(1ms)", "name" },
        { "uniform(3ms,1ms)", "lo (3ms) is greater than hi (1ms)" },
        { "normal(1ms)", "normal: expected 2 arguments, got 1" },
        { "uniform(1ms;3ms)", "expected 2 arguments, got 1" },
        { "const()", "expected 1 argument, got 0" },
        { "exp(1ms,2ms)", "expected 1 argument, got 2" },
        { "pareto(1ms,2,3,4,5,6,7,8,9,10)", "got 10" },
        { "uniform(1ms,)", "hi is empty" },
        { "uniform(,1ms)", "lo is empty" },
        { "uniform(1ms,3ms", "')'" },
        { "uniform(1ms,3ms)x", "')'" },
        { "uniform((1ms),3ms)", "parenthesis" },
        { "pareto(1ms,0)", "pareto: alpha must be > 0" },
        { "pareto(1ms,-2)", "alpha must be > 0" },
        { "lognormal(1ms,abc)", "sigma 'abc' is not a number" },
        { "lognormal(1ms,0.5x)", "not a number" },
        { "lognormal(1ms,nan)", "not a number" },
        { "lognormal(1ms,inf)", "not a number" },
        { "lognormal(1ms,1ms)", "not a number" },
        { "normal(-1ms,1ms)", "negative" },
        { "normal(1ms,-1ms)", "sd '-1ms': negative" },
        { "exp(5)", "missing unit" },
        { "exp(5xs)", "unknown unit" },
        { "uniform(1ms,3.0000000001ms)", "1ns" },
        { "5", "missing unit" },
        { "5parsecs", "unknown unit" },
        { "fast", "bad duration" },
        { "exp", "parentheses" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimDist d = { .kind = SIM_DIST_EXP, .a = 77 };
        char err[160] = "";
        gboolean ok = sim_dist_parse(cases[i].in, &d, err, sizeof err);
        CU_ASSERT_FALSE(ok);
        CU_ASSERT_TRUE(strstr(err, cases[i].word) != NULL);
        if (ok || !strstr(err, cases[i].word))
            fprintf(stderr, "\nparse '%s': got '%s', wanted '%s'\n", cases[i].in, err, cases[i].word);
        /* A failed parse leaves the output alone. */
        CU_ASSERT_EQUAL(d.kind, SIM_DIST_EXP);
        CU_ASSERT_EQUAL(d.a, 77);
    }
    /* Overlong input is refused before any copying; a tiny err buffer is
     * truncated, not overrun. */
    char longtext[400];
    memset(longtext, ' ', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    char err[8];
    SimDist d;
    CU_ASSERT_FALSE(sim_dist_parse(longtext, &d, err, sizeof err));
    CU_ASSERT_EQUAL(strlen(err), sizeof err - 1);
    CU_ASSERT_FALSE(sim_dist_parse("nope(1ms)", &d, NULL, 0));
}

static void test_dist_kind_names(void)
{
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_CONST), "const");
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_UNIFORM), "uniform");
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_NORMAL), "normal");
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_EXP), "exp");
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_LOGNORMAL), "lognormal");
    CU_ASSERT_STRING_EQUAL(sim_dist_kind_name(SIM_DIST_PARETO), "pareto");
}

/* ---- durations ---- */

static void test_time_parse(void)
{
    static const struct {
        const char *in;
        SimTime want;
    } cases[] = {
        { "0", 0 },
        { "0.0", 0 },
        { "0s", 0 },
        { "7ns", 7 },
        { "120us", 120 * SIM_US },
        { "204ms", 204 * SIM_MS },
        { "007ms", 7 * SIM_MS },
        { "1.5s", 1500 * SIM_MS },
        { "0.25ms", 250 * SIM_US },
        { "0.1s", 100 * SIM_MS },
        { "2m", 120 * SIM_S },
        { "0.5m", 30 * SIM_S },
        { "1.000000001s", SIM_S + 1 },
        { "1.5000000000000000000000s", 1500 * SIM_MS },
        { "0.000000001m", 60 },
        { "1.5us", 1500 },
        { "9223372036854775807ns", INT64_MAX },
        { "9223372036.854775807s", INT64_MAX },
        { "153722867m", 153722867 * (60 * SIM_S) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimTime t = -1;
        const char *msg = NULL;
        CU_ASSERT_TRUE(sim_time_parse(cases[i].in, &t, &msg));
        CU_ASSERT_EQUAL(t, cases[i].want);
        if (t != cases[i].want)
            fprintf(stderr, "\ntime '%s': got %lld (%s)\n", cases[i].in, (long long)t, msg ? msg : "");
    }
}

static void test_time_parse_errors(void)
{
    static const struct {
        const char *in;
        const char *word;
    } cases[] = {
        { "", "empty" },
        { "-1ms", "negative" },
        { "200", "missing unit (ns, us, ms, s, m)" },
        { "1.5", "missing unit" },
        { "abc", "digit" },
        { " 1ms", "digit" },
        { "+1ms", "digit" },
        { ".5s", "digit" },
        { "1.s", "digit" },
        { "1ms ", "unit" },
        { "1xs", "unknown unit" },
        { "1ms2", "unknown unit" },
        { "1e3ms", "unknown unit" },
        { "1MS", "unknown unit" },
        { "1.5ns", "1ns" },
        { "1.0000000001s", "1ns" },
        { "0.0000000000001m", "1ns" },
        { "9223372036854775808ns", "too large" },
        { "99999999999999999999999ns", "too large" },
        { "9223372036.854775808s", "too large" },
        { "153722868m", "too large" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimTime t = 12345;
        const char *msg = NULL;
        CU_ASSERT_FALSE(sim_time_parse(cases[i].in, &t, &msg));
        CU_ASSERT_EQUAL(t, 12345);
        CU_ASSERT_TRUE(msg && strstr(msg, cases[i].word));
        if (!msg || !strstr(msg, cases[i].word))
            fprintf(stderr, "\ntime '%s': got '%s', wanted '%s'\n", cases[i].in, msg ? msg : "(none)",
                    cases[i].word);
    }
    SimTime t;
    CU_ASSERT_FALSE(sim_time_parse("1", &t, NULL)); /* err_msg is optional */
}

static void test_time_format(void)
{
    static const struct {
        SimTime t;
        const char *want;
    } cases[] = {
        { 0, "0" },
        { 7, "7ns" },
        { 999, "999ns" },
        { 1000, "1us" },
        { 1001, "1.001us" },
        { 1010, "1.01us" },
        { 120 * SIM_US, "120us" },
        { 204 * SIM_MS, "204ms" },
        { 1500 * SIM_MS, "1.5s" },
        { 1001500 * SIM_US, "1001.5ms" },
        { 3204117 * SIM_US, "3204.117ms" },
        { 1000001, "1000.001us" },
        { 1000000001, "1000000.001us" },
        { 1000000000001, "1000000000.001us" },
        { 90 * SIM_S, "90s" },
        { 120 * SIM_S, "2m" },
        { 3600 * SIM_S, "60m" },
        { -250 * SIM_MS, "-250ms" },
        { -7, "-7ns" },
        { INT64_MAX, "9223372036854775.807us" },
        { INT64_MIN, "-9223372036854775.808us" },
    };
    char buf[SIM_TIME_STR_LEN];
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        CU_ASSERT_STRING_EQUAL(sim_time_format(cases[i].t, buf), cases[i].want);
    }
}

static void test_time_format_sec(void)
{
    char buf[SIM_TIME_STR_LEN];
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(0, buf), "0.000000");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(3204117 * SIM_US, buf), "3.204117");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(3204117999, buf), "3.204117");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(999, buf), "0.000000");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(120 * SIM_S, buf), "120.000000");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(-1500 * SIM_MS, buf), "-1.500000");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(INT64_MAX, buf), "9223372036.854775");
    CU_ASSERT_STRING_EQUAL(sim_time_format_sec(INT64_MIN, buf), "-9223372036.854775");
}

/* The formats written by hand against printf references of the same
 * rules, over every magnitude and the extremes. */
static void ref_format_sec(SimTime t, char *buf)
{
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 ".%06" PRIu64, sign, mag / (uint64_t)SIM_S,
             (mag % (uint64_t)SIM_S) / (uint64_t)SIM_US);
}

static void ref_format_short(SimTime t, char *buf)
{
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    static const struct {
        uint64_t ns;
        const char *name;
    } units[] = { { (uint64_t)SIM_S, "s" }, { (uint64_t)SIM_MS, "ms" }, { (uint64_t)SIM_US, "us" } };
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (mag < units[i].ns)
            continue;
        uint64_t milli = (mag * 1000 + units[i].ns / 2) / units[i].ns;
        if (mag > UINT64_MAX / 1000)
            milli = mag / (units[i].ns / 1000);
        int n = snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 ".%03" PRIu64, sign, milli / 1000, milli % 1000);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = 0;
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = 0;
        snprintf(buf + n, (size_t)(SIM_TIME_STR_LEN - n), "%s", units[i].name);
        return;
    }
    snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 "ns", sign, mag);
}

static void test_time_formats_match_printf(void)
{
    static const SimTime edges[] = { 0, 1, 999, 1000, 1499, 1500, 999999, 1000000, 999999499, 999999500,
                                     999999999, SIM_S, 59 * SIM_S, 3204117999, INT64_MAX, INT64_MIN, -1,
                                     -999, -1000, -1500 * SIM_MS, INT64_MAX / 1000, INT64_MAX / 1000 + 1 };
    char got[SIM_TIME_STR_LEN], want[SIM_TIME_STR_LEN];
    SimRng r;
    sim_rng_init(&r, 12, "fmt");
    int bad = 0;
    for (int i = 0; i < 20000 + (int)G_N_ELEMENTS(edges); i++) {
        SimTime t;
        if (i < (int)G_N_ELEMENTS(edges)) {
            t = edges[i];
        } else {
            /* A random magnitude: 0 to 63 bits, either sign. */
            uint64_t bits = sim_rng_below(&r, 64);
            t = (SimTime)(sim_rng_u64(&r) >> (63 - bits) >> 1);
            if (sim_rng_below(&r, 4) == 0)
                t = -t;
        }
        sim_time_format_short(t, got);
        ref_format_short(t, want);
        bad += strcmp(got, want) != 0;
        sim_time_format_sec(t, got);
        ref_format_sec(t, want);
        bad += strcmp(got, want) != 0;
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_time_roundtrip(void)
{
    /* format is exact, so parse(format(t)) == t for every non-negative t;
     * try values of every magnitude. */
    SimRng r;
    sim_rng_init(&r, 11, "time");
    gboolean ok = TRUE;
    for (int i = 0; i < 10000; i++) {
        int bits = (int)sim_rng_below(&r, 63);
        SimTime t = (SimTime)(sim_rng_u64(&r) >> (63 - bits) >> 1);
        /* Round some to whole units so every unit gets exercised. */
        static const SimTime round_to[] = { 1, 1000, 1000000, 1000000000, 60000000000, 10 };
        SimTime q = round_to[i % 6];
        t -= t % q;
        char buf[SIM_TIME_STR_LEN];
        SimTime back = -1;
        ok &= sim_time_parse(sim_time_format(t, buf), &back, NULL) && back == t;
    }
    CU_ASSERT_TRUE(ok);
}

void tests_rng_register(void)
{
    static const TestCase cases[] = {
        { "splitmix64_golden", test_splitmix64_golden },
        { "fnv1a_golden", test_fnv1a_golden },
        { "xoshiro_known_answer", test_xoshiro_known_answer },
        { "xoshiro_golden_root", test_xoshiro_golden_root },
        { "xoshiro_golden_net", test_xoshiro_golden_net },
        { "streams", test_streams },
        { "u32_is_high_half", test_u32_is_high_half },
        { "below_uniform", test_below_uniform },
        { "below_edges", test_below_edges },
        { "below_rejection_golden", test_below_rejection_golden },
        { "range_inclusive", test_range_inclusive },
        { "double_unit_interval", test_double_unit_interval },
        { "chance", test_chance },
        { "shuffle_permutation", test_shuffle_permutation },
        { "shuffle_uniform", test_shuffle_uniform },
        { "dist_moments_known", test_dist_moments_known },
        { "dist_const", test_dist_const },
        { "dist_uniform", test_dist_uniform },
        { "dist_normal", test_dist_normal },
        { "dist_exp", test_dist_exp },
        { "dist_lognormal", test_dist_lognormal },
        { "dist_pareto", test_dist_pareto },
        { "normal_truncated", test_normal_truncated },
        { "heavy_tails_capped", test_heavy_tails_capped },
        { "dist_sample_golden", test_dist_sample_golden },
        { "dist_roundtrip", test_dist_roundtrip },
        { "dist_parse_errors", test_dist_parse_errors },
        { "dist_kind_names", test_dist_kind_names },
        { "time_parse", test_time_parse },
        { "time_parse_errors", test_time_parse_errors },
        { "time_format", test_time_format },
        { "time_format_sec", test_time_format_sec },
        { "time formats match printf", test_time_formats_match_printf },
        { "time_roundtrip", test_time_roundtrip },
    };
    TEST_SUITE("rng", cases);
}
