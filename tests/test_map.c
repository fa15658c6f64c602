/* test_map.c - SimU64Map and SimStrMap against a GHashTable doing the same
 * operations.
 *
 * Keys are drawn from small dense ranges (as ids and zxids are), from
 * sparse ones, and from keys that collide into one probe run, so that
 * growth, wrap-around at the end of the table and the backward shift of
 * removal are all exercised.  After every operation the map must agree
 * with the reference on the operation's result and its length; every few
 * hundred steps, on every key ever used.
 */
#include "sim_map.h"
#include "sim_pool.h"
#include "sim_rcstr.h"
#include "test_util.h"

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void *val_of(uint64_t key, uint64_t version)
{
    /* Any non-NULL pointer-sized value; never dereferenced. */
    return (void *)(uintptr_t)(((key * 31 + version) << 1) | 1);
}

static void test_basic(void)
{
    SimU64Map m;
    sim_u64map_init(&m);
    CU_ASSERT_PTR_NULL(sim_u64map_get(&m, 7));
    CU_ASSERT_PTR_NULL(sim_u64map_take(&m, 7));
    CU_ASSERT_PTR_NULL(sim_u64map_put(&m, 7, val_of(7, 0)));
    CU_ASSERT_PTR_NULL(sim_u64map_put(&m, 0, val_of(0, 0))); /* key 0 is a key like any other */
    CU_ASSERT_PTR_NULL(sim_u64map_put(&m, UINT64_MAX, val_of(UINT64_MAX, 0)));
    CU_ASSERT_EQUAL(sim_u64map_len(&m), 3);
    CU_ASSERT_PTR_EQUAL(sim_u64map_put(&m, 7, val_of(7, 1)), val_of(7, 0));
    CU_ASSERT_EQUAL(sim_u64map_len(&m), 3);
    CU_ASSERT_PTR_EQUAL(sim_u64map_get(&m, 7), val_of(7, 1));
    CU_ASSERT_PTR_EQUAL(sim_u64map_get(&m, 0), val_of(0, 0));
    CU_ASSERT_PTR_EQUAL(sim_u64map_take(&m, UINT64_MAX), val_of(UINT64_MAX, 0));
    CU_ASSERT_PTR_NULL(sim_u64map_get(&m, UINT64_MAX));
    CU_ASSERT_EQUAL(sim_u64map_len(&m), 2);
    sim_u64map_clear(&m, NULL);
    CU_ASSERT_EQUAL(sim_u64map_len(&m), 0);
    CU_ASSERT_PTR_NULL(sim_u64map_get(&m, 7));
    /* Usable again after clear. */
    CU_ASSERT_PTR_NULL(sim_u64map_put(&m, 7, val_of(7, 2)));
    CU_ASSERT_PTR_EQUAL(sim_u64map_get(&m, 7), val_of(7, 2));
    sim_u64map_clear(&m, NULL);
}

static int freed;

static void count_free(gpointer p)
{
    (void)p;
    freed++;
}

static void test_clear_frees_values(void)
{
    SimU64Map m;
    sim_u64map_init(&m);
    for (uint64_t k = 0; k < 1000; k++)
        sim_u64map_put(&m, k << 32, val_of(k, 0)); /* zxid-like keys */
    for (uint64_t k = 0; k < 1000; k += 2)
        sim_u64map_take(&m, k << 32);
    freed = 0;
    sim_u64map_clear(&m, count_free);
    CU_ASSERT_EQUAL(freed, 500);
}

/* Keys that share one home slot in a 2^16-slot table (and so in every
 * smaller one): they pile up in a single probe run. */
static guint colliding(uint64_t *out, guint n)
{
    SimU64Map probe = { .cap = 1u << 16, .shift = 48 };
    guint want = sim_map_slot(&probe, 12345), got = 0;
    for (uint64_t k = 0; got < n && k < (UINT64_C(1) << 26); k++)
        if (sim_map_slot(&probe, k) == want)
            out[got++] = k;
    return got;
}

static void check_all(const SimU64Map *m, GHashTable *ref, const GArray *used)
{
    for (guint i = 0; i < used->len; i++) {
        uint64_t k = g_array_index(used, uint64_t, i);
        CU_ASSERT_PTR_EQUAL(sim_u64map_get(m, k), g_hash_table_lookup(ref, &k));
    }
}

static void test_random_vs_reference(void)
{
    uint64_t rng = 0x5eedf00d;
    SimU64Map m;
    sim_u64map_init(&m);
    GHashTable *ref = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    g_autoptr(GArray) used = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t coll[64];
    guint n_coll = colliding(coll, 64);
    CU_ASSERT_TRUE(n_coll >= 16);
    int bad = 0;
    for (int step = 0; step < 200000 && !bad; step++) {
        uint64_t r = splitmix64(&rng);
        uint64_t k;
        switch (r % 4) {
        case 0: k = (r >> 8) % 64; break;                    /* dense, small */
        case 1: k = ((r >> 8) % 512) << 32; break;           /* zxid-like */
        case 2: k = coll[(r >> 8) % n_coll]; break;          /* one probe run */
        default: k = splitmix64(&rng) % 4096 * 1000003; break; /* sparse */
        }
        /* Grow to a few thousand keys, then shrink, then grow again. */
        gboolean growing = (step / 50000) % 2 == 0;
        gboolean insert = (splitmix64(&rng) % 100) < (growing ? 65u : 35u);
        if (insert) {
            void *v = val_of(k, (uint64_t)step);
            void *old = sim_u64map_put(&m, k, v);
            void *ref_old = g_hash_table_lookup(ref, &k);
            if (old != ref_old)
                bad = 1;
            uint64_t *kp = g_new(uint64_t, 1);
            *kp = k;
            g_hash_table_replace(ref, kp, v);
            if (!ref_old)
                g_array_append_val(used, k);
        } else {
            void *got = sim_u64map_take(&m, k);
            void *want = g_hash_table_lookup(ref, &k);
            if (got != want)
                bad = 1;
            g_hash_table_remove(ref, &k);
        }
        if (sim_u64map_len(&m) != g_hash_table_size(ref))
            bad = 1;
        if (step % 997 == 0)
            check_all(&m, ref, used);
        if (bad)
            fprintf(stderr, "\nmap random: step %d key %#llx\n", step, (unsigned long long)k);
    }
    CU_ASSERT_FALSE(bad);
    check_all(&m, ref, used);
    sim_u64map_clear(&m, NULL);
    g_hash_table_destroy(ref);
}

/* ---- SimStrMap ---------------------------------------------------------- */

static void test_str_basic(void)
{
    SimStrMap m;
    sim_strmap_init(&m);
    CU_ASSERT_PTR_NULL(sim_strmap_get(&m, "/a"));
    static const char *keys[] = { "", "/", "/a", "/a/b", "/abcdefg", "/abcdefgh", "/abcdefghi", "/abcdefgh/ijklmnop" };
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
        CU_ASSERT_PTR_NULL(sim_strmap_put(&m, keys[i], val_of(i, 0)));
    CU_ASSERT_EQUAL(sim_strmap_len(&m), G_N_ELEMENTS(keys));
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        /* A different pointer to equal text finds it. */
        char *copy = g_strdup(keys[i]);
        CU_ASSERT_PTR_EQUAL(sim_strmap_get(&m, copy), val_of(i, 0));
        g_free(copy);
    }
    CU_ASSERT_PTR_NULL(sim_strmap_get(&m, "/abcdefgh/ijklmnoq"));
    CU_ASSERT_PTR_EQUAL(sim_strmap_put(&m, "/a", val_of(99, 1)), val_of(2, 0));
    CU_ASSERT_PTR_EQUAL(sim_strmap_take(&m, "/abcdefgh"), val_of(5, 0));
    CU_ASSERT_PTR_NULL(sim_strmap_get(&m, "/abcdefgh"));
    CU_ASSERT_PTR_EQUAL(sim_strmap_get(&m, "/abcdefghi"), val_of(6, 0));
    CU_ASSERT_EQUAL(sim_strmap_len(&m), G_N_ELEMENTS(keys) - 1);
    /* Equal hashes, different strings: told apart by the comparison. */
    CU_ASSERT_PTR_NULL(sim_strmap_put_h(&m, "/x", 42, val_of(100, 0)));
    CU_ASSERT_PTR_NULL(sim_strmap_put_h(&m, "/y", 42, val_of(101, 0)));
    CU_ASSERT_PTR_EQUAL(sim_strmap_get_h(&m, "/x", 42), val_of(100, 0));
    CU_ASSERT_PTR_EQUAL(sim_strmap_get_h(&m, "/y", 42), val_of(101, 0));
    CU_ASSERT_PTR_NULL(sim_strmap_get_h(&m, "/z", 42));
    CU_ASSERT_PTR_EQUAL(sim_strmap_take_h(&m, "/x", 42), val_of(100, 0));
    CU_ASSERT_PTR_EQUAL(sim_strmap_get_h(&m, "/y", 42), val_of(101, 0));
    sim_strmap_clear(&m, NULL);
    CU_ASSERT_EQUAL(sim_strmap_len(&m), 0);
}

static void test_str_random_vs_reference(void)
{
    uint64_t rng = 0xfeedbeef;
    enum { NKEYS = 3000 };
    g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < NKEYS; i++) {
        /* Paths of many lengths, sharing prefixes, like a tree's. */
        switch (i % 3) {
        case 0: g_ptr_array_add(pool, g_strdup_printf("/k%u", i)); break;
        case 1: g_ptr_array_add(pool, g_strdup_printf("/app/config/members/node-%010u", i)); break;
        default: g_ptr_array_add(pool, g_strdup_printf("/%u/%u", i % 7, i)); break;
        }
    }
    SimStrMap m;
    sim_strmap_init(&m);
    GHashTable *ref = g_hash_table_new(g_str_hash, g_str_equal);
    int bad = 0;
    for (int step = 0; step < 200000 && !bad; step++) {
        uint64_t r = splitmix64(&rng);
        guint small = (guint)((r >> 8) % 64), big = (guint)((r >> 20) % NKEYS);
        const char *k = g_ptr_array_index(pool, r % 2 ? small : big);
        gboolean growing = (step / 50000) % 2 == 0;
        if ((splitmix64(&rng) % 100) < (growing ? 65u : 35u)) {
            void *v = val_of((uint64_t)(uintptr_t)k, (uint64_t)step);
            if (sim_strmap_put(&m, k, v) != g_hash_table_lookup(ref, k))
                bad = 1;
            g_hash_table_replace(ref, (gpointer)k, v);
        } else {
            if (sim_strmap_take(&m, k) != g_hash_table_lookup(ref, k))
                bad = 1;
            g_hash_table_remove(ref, k);
        }
        if (sim_strmap_len(&m) != g_hash_table_size(ref))
            bad = 1;
        if (step % 997 == 0)
            for (guint i = 0; i < NKEYS; i++) {
                const char *q = g_ptr_array_index(pool, i);
                if (sim_strmap_get(&m, q) != g_hash_table_lookup(ref, q))
                    bad = 1;
            }
        if (bad)
            fprintf(stderr, "\nstrmap random: step %d key %s\n", step, k);
    }
    CU_ASSERT_FALSE(bad);
    sim_strmap_clear(&m, NULL);
    g_hash_table_destroy(ref);
}

/* sim_rcstr: a copy (the first len bytes, NUL-terminated) that every
 * reference shares; the last unref frees it (make sanitize checks that
 * nothing leaks and nothing is freed twice). */
static void test_rcstr(void)
{
    char *a = sim_rcstr_new("/a/bc", -1);
    CU_ASSERT_STRING_EQUAL(a, "/a/bc");
    CU_ASSERT_EQUAL(sim_rcstr_len(a), 5);
    char *b = sim_rcstr_ref(a);
    CU_ASSERT_PTR_EQUAL(a, b);
    sim_rcstr_unref(a);
    CU_ASSERT_STRING_EQUAL(b, "/a/bc"); /* still held by b */
    sim_rcstr_unref(b);
    char *c = sim_rcstr_new("/x/yz", 2);
    CU_ASSERT_STRING_EQUAL(c, "/x");
    CU_ASSERT_EQUAL(sim_rcstr_len(c), 2);
    sim_rcstr_unref(c);
    char *e = sim_rcstr_new("", -1);
    CU_ASSERT_EQUAL(sim_rcstr_len(e), 0);
    CU_ASSERT_EQUAL(e[0], '\0');
    sim_rcstr_unref(e);
    sim_rcstr_unref(NULL);
    /* Every size class of sim_pool_alloc_bytes and malloc beyond them,
     * across their edges (header 8 bytes, NUL 1). */
    char src[300];
    memset(src, 'x', sizeof src);
    for (gssize n = 0; n < (gssize)sizeof src; n++) {
        char *s = sim_rcstr_new(src, n);
        char *t = sim_rcstr_ref(s);
        CU_ASSERT_EQUAL(sim_rcstr_len(s), (gsize)n);
        CU_ASSERT_EQUAL(strlen(s), (size_t)n);
        sim_rcstr_unref(s);
        CU_ASSERT_EQUAL(strspn(t, "x"), (size_t)n);
        sim_rcstr_unref(t);
    }
}

/* Pools hand out distinct zeroed objects, reuse freed ones, and place
 * objects whose size is a multiple of a cache line on line boundaries
 * (each then spans whole lines only). */
static void test_pool(void)
{
    typedef struct {
        char bytes[128];
    } Line2;
    static SimPool pool = SIM_POOL_INIT(Line2);
    Line2 *objs[1200];
    for (int i = 0; i < 1200; i++) { /* more than one 64 KiB block */
        objs[i] = SIM_POOL_NEW0(&pool, Line2);
        CU_ASSERT_EQUAL(objs[i]->bytes[0] | objs[i]->bytes[127], 0);
#ifndef SIM_POOL_DISABLE
        CU_ASSERT_EQUAL((uintptr_t)objs[i] % 64, 0);
#endif
        memset(objs[i], 0xab, sizeof *objs[i]);
        for (int j = 0; j < i; j += 97)
            CU_ASSERT_PTR_NOT_EQUAL(objs[i], objs[j]);
    }
    Line2 *last = objs[1199];
    sim_pool_free(&pool, last);
    Line2 *again = SIM_POOL_NEW0(&pool, Line2);
#ifndef SIM_POOL_DISABLE
    CU_ASSERT_PTR_EQUAL(again, last); /* the free list is LIFO */
#endif
    CU_ASSERT_EQUAL(again->bytes[5], 0);
    objs[1199] = again;
    for (int i = 0; i < 1200; i++)
        sim_pool_free(&pool, objs[i]);
}

void tests_map_register(void)
{
    static const TestCase cases[] = {
        { "put, get, replace, take, clear", test_basic },
        { "clear frees every value once", test_clear_frees_values },
        { "200k random ops vs GHashTable", test_random_vs_reference },
        { "string map: put, get, replace, take, equal hashes", test_str_basic },
        { "string map: 200k random ops vs GHashTable", test_str_random_vs_reference },
        { "refcounted strings", test_rcstr },
        { "object pools: zeroed, reused, line-aligned", test_pool },
    };
    TEST_SUITE("maps", cases);
}
