/* test_trace.c - event formatting (text, JSON), the rolling hash, and
 * that a trace with no sink does no work. */
#include "sim_trace.h"
#include "test_util.h"

#include <inttypes.h>
#include <string.h>

static int evaluated;

static int64_t costly(void)
{
    evaluated++;
    return 42;
}

static void test_no_sink_builds_nothing(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    evaluated = 0;
    SIM_TRACE(sim, SIM_NO_NODE, "X", SF_INT("v", costly()));
    CU_ASSERT_EQUAL(evaluated, 0);
    CU_ASSERT_EQUAL(sim_trace_count(sim), 0);
    sim_trace_add_hash(sim);
    SIM_TRACE(sim, SIM_NO_NODE, "X", SF_INT("v", costly()));
    CU_ASSERT_EQUAL(evaluated, 1);
    CU_ASSERT_EQUAL(sim_trace_count(sim), 1);
}

static void advance(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    (void)data;
}

static void test_text_and_json_lines(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    int s3 = sim_node_add(sim, "s3", 0, NULL, NULL);
    char *tb = NULL, *jb = NULL;
    size_t tl = 0, jl = 0;
    FILE *tf = open_memstream(&tb, &tl), *jf = open_memstream(&jb, &jl);
    sim_trace_add_text(sim, tf);
    sim_trace_add_jsonl(sim, jf);
    sim_at(sim, 3204117000, SIM_NO_NODE, advance, NULL, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    SIM_TRACE(sim, s3, "LEADING", SF_INT("epoch", 1), SF_TIME("took", 204 * SIM_MS), SF_HEX("zxid", 0x100000003ull),
              SF_STR("note", "a \"q\"\n"), SF_BOOL("ok", TRUE), SF_NODE("peer", s3));
    fclose(tf);
    fclose(jf);
    CU_ASSERT_STRING_EQUAL(tb, "    3.204117 s  s3    LEADING            epoch=1 took=204ms zxid=0x100000003 "
                               "note=a \"q\"\n ok=true peer=s3\n");
    CU_ASSERT_STRING_EQUAL(jb, "{\"t\":3204117000,\"node\":\"s3\",\"type\":\"LEADING\",\"epoch\":1,"
                               "\"took\":204000000,\"zxid\":\"0x100000003\",\"note\":\"a \\\"q\\\"\\n\","
                               "\"ok\":true,\"peer\":\"s3\"}\n");
    free(tb);
    free(jb);
}

/* The formatters write numbers, padding and escapes by hand; compare
 * them with what printf gives for the extremes: every integer kind at
 * its limits, a long node name and type, every control character. */
static void test_formatting_matches_printf(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    int s = sim_node_add(sim, "a-long-node-name", 0, NULL, NULL);
    static const int64_t ints[] = { 0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, 1234567890123 };
    static const uint64_t uints[] = { 0, 1, 9, 10, 0xf, 0x10, UINT64_MAX, 0x100000003ull };
    GString *got = g_string_new(NULL), *want = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(ints); i++) {
        SimField f = SF_INT("k", ints[i]);
        g_string_truncate(got, 0);
        sim_trace_format_value(sim, &f, FALSE, got);
        g_string_printf(want, "%" PRId64, ints[i]);
        CU_ASSERT_STRING_EQUAL(got->str, want->str);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(uints); i++) {
        SimField u = SF_UINT("k", uints[i]), h = SF_HEX("k", uints[i]);
        g_string_truncate(got, 0);
        sim_trace_format_value(sim, &u, FALSE, got);
        g_string_append_c(got, ' ');
        sim_trace_format_value(sim, &h, FALSE, got);
        g_string_printf(want, "%" PRIu64 " 0x%" PRIx64, uints[i], uints[i]);
        CU_ASSERT_STRING_EQUAL(got->str, want->str);
    }
    char ctl[40];
    for (int c = 1; c < 32; c++)
        ctl[c - 1] = (char)c;
    memcpy(ctl + 31, "\"\\\x7f\xc3\xa9z", 7);
    ctl[38] = 0;
    g_string_truncate(got, 0);
    sim_json_escape(got, ctl);
    g_string_assign(want, "\"");
    for (const unsigned char *p = (const unsigned char *)ctl; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(want, "\\%c", *p);
        else if (*p == '\n')
            g_string_append(want, "\\n");
        else if (*p == '\t')
            g_string_append(want, "\\t");
        else if (*p == '\r')
            g_string_append(want, "\\r");
        else if (*p < 0x20)
            g_string_append_printf(want, "\\u%04x", *p);
        else
            g_string_append_c(want, (char)*p);
    }
    g_string_append_c(want, '"');
    CU_ASSERT_STRING_EQUAL(got->str, want->str);
    static const char *const types[] = { "X", "EIGHTEEN_CHARS_XYZ", "A_TYPE_LONGER_THAN_EIGHTEEN" };
    static const SimTime times[] = { 0, 999, -1500 * SIM_MS, INT64_MAX, INT64_MIN };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(times); k++) {
            SimField f[] = { SF_INT("n", ints[i]), SF_HEX("z", uints[k]) };
            SimTraceEvent ev = { .time = times[k], .node = i ? s : SIM_NO_NODE, .type = types[i], .fields = f,
                                 .nfields = 2 };
            char tb[SIM_TIME_STR_LEN];
            g_string_truncate(got, 0);
            sim_trace_format_text(sim, &ev, got);
            g_string_printf(want, "%12s s  %-5s %-18s n=%" PRId64 " z=0x%" PRIx64, sim_time_format_sec(times[k], tb),
                            sim_node_name(sim, ev.node), types[i], ints[i], uints[k]);
            CU_ASSERT_STRING_EQUAL(got->str, want->str);
            g_string_truncate(got, 0);
            sim_trace_format_json(sim, &ev, got);
            g_string_printf(want, "{\"t\":%" PRId64 ",\"node\":\"%s\",\"type\":\"%s\",\"n\":%" PRId64 ",\"z\":\"0x%" PRIx64 "\"}",
                            times[k], sim_node_name(sim, ev.node), types[i], ints[i], uints[k]);
            CU_ASSERT_STRING_EQUAL(got->str, want->str);
        }
    }
    g_string_free(got, TRUE);
    g_string_free(want, TRUE);
}

static void test_hash_sees_every_field(void)
{
    uint64_t h[4];
    for (int i = 0; i < 4; i++) {
        g_autoptr(Sim) sim = sim_new(1);
        sim_trace_add_hash(sim);
        SIM_TRACE(sim, SIM_NO_NODE, "A", SF_INT("x", i == 1 ? 2 : 1), SF_STR("s", i == 2 ? "ab" : "a"));
        SIM_TRACE(sim, SIM_NO_NODE, i == 3 ? "C" : "B");
        h[i] = sim_trace_hash(sim);
    }
    CU_ASSERT_NOT_EQUAL(h[0], h[1]);
    CU_ASSERT_NOT_EQUAL(h[0], h[2]);
    CU_ASSERT_NOT_EQUAL(h[0], h[3]);
    g_autoptr(Sim) again = sim_new(1);
    sim_trace_add_hash(again);
    SIM_TRACE(again, SIM_NO_NODE, "A", SF_INT("x", 1), SF_STR("s", "a"));
    SIM_TRACE(again, SIM_NO_NODE, "B");
    CU_ASSERT_EQUAL(sim_trace_hash(again), h[0]);
}

typedef struct {
    int n;
    const char *last;
    int64_t epoch;
} Seen;

static void seen_fn(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    Seen *s = user;
    s->n++;
    s->last = ev->type;
    const SimField *f = sim_trace_field(ev, "epoch");
    s->epoch = f ? f->v.i : -1;
}

static void test_callback_sink(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Seen s = { 0 };
    sim_trace_add_callback(sim, seen_fn, &s);
    SIM_TRACE(sim, SIM_NO_NODE, "LEADING", SF_INT("epoch", 4));
    CU_ASSERT_EQUAL(s.n, 1);
    CU_ASSERT_STRING_EQUAL(s.last, "LEADING");
    CU_ASSERT_EQUAL(s.epoch, 4);
}

/* Type ids: one per distinct text, in order of first appearance, the
 * same for equal texts at different addresses; a type cache computes
 * once per type. */
typedef struct {
    GArray *ids;   /* guint, per event */
    GArray *kinds; /* int, per event */
    SimTraceTypeCache cache;
} Ids;

static int computed;

static int kind_by_text(const char *type)
{
    computed++;
    return (int)strlen(type);
}

static void ids_fn(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    Ids *x = user;
    g_array_append_val(x->ids, ev->type_id);
    int k = sim_trace_cache_get(&x->cache, ev, kind_by_text);
    g_array_append_val(x->kinds, k);
}

static void test_type_ids(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Ids x = { g_array_new(FALSE, FALSE, sizeof(guint)), g_array_new(FALSE, FALSE, sizeof(int)), { 0 } };
    sim_trace_cache_init(&x.cache);
    sim_trace_add_callback(sim, ids_fn, &x);
    /* Another constant with the text "COMMIT", at another address (as two
     * compilation units may hold). */
    static char built[16];
    g_snprintf(built, sizeof built, "%s%s", "COM", "MIT");
    computed = 0;
    SIM_TRACE(sim, SIM_NO_NODE, "LEADING", SF_INT("epoch", 1));
    SIM_TRACE(sim, SIM_NO_NODE, "COMMIT", SF_INT("n", 1));
    SIM_TRACE(sim, SIM_NO_NODE, "LEADING", SF_INT("epoch", 2));
    SIM_TRACE(sim, SIM_NO_NODE, built, SF_INT("n", 2));
    SIM_TRACE(sim, SIM_NO_NODE, "APPLY", SF_INT("n", 3));
    static const guint want_ids[] = { 0, 1, 0, 1, 2 };
    static const int want_kinds[] = { 7, 6, 7, 6, 5 };
    CU_ASSERT_EQUAL_FATAL(x.ids->len, 5);
    for (guint i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(g_array_index(x.ids, guint, i), want_ids[i]);
        CU_ASSERT_EQUAL(g_array_index(x.kinds, int, i), want_kinds[i]);
    }
    CU_ASSERT_EQUAL(computed, 3); /* once per distinct type */
    sim_trace_cache_clear(&x.cache);
    g_array_free(x.ids, TRUE);
    g_array_free(x.kinds, TRUE);
}

/* A callback that wants only some types: it sees only those, a type no
 * sink wants has no fields built, yet every event is counted and the
 * ticks see each one; a sink that wants everything restores the rest. */
typedef struct {
    int seen, ticks;
    SimTime last_tick;
} Want;

static gboolean wants_commit(const char *type, void *user)
{
    (void)user;
    return strcmp(type, "COMMIT") == 0;
}

static void want_fn(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    Want *w = user;
    CU_ASSERT_STRING_EQUAL(ev->type, "COMMIT");
    CU_ASSERT_EQUAL(ev->index, 1); /* its place in the full numbering */
    w->seen++;
}

static void tick_fn(Sim *sim, SimTime t, void *user)
{
    (void)sim;
    Want *w = user;
    w->ticks++;
    w->last_tick = t;
}

static void test_wanted_types(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Want w = { 0 };
    sim_trace_add_callback_for(sim, want_fn, wants_commit, &w);
    sim_trace_add_tick(sim, tick_fn, &w);
    evaluated = 0;
    SIM_TRACE(sim, SIM_NO_NODE, "APPLY", SF_INT("v", costly()));
    SIM_TRACE(sim, SIM_NO_NODE, "COMMIT", SF_INT("v", costly()));
    sim_at(sim, 5, SIM_NO_NODE, advance, NULL, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    SIM_TRACE(sim, SIM_NO_NODE, "APPLY", SF_INT("v", costly()));
    CU_ASSERT_EQUAL(w.seen, 1);
    CU_ASSERT_EQUAL(evaluated, 1); /* only COMMIT's fields were built */
    CU_ASSERT_EQUAL(sim_trace_count(sim), 3);
    CU_ASSERT_EQUAL(w.ticks, 3);
    CU_ASSERT_EQUAL(w.last_tick, 5);
    /* A sink for everything: APPLY is built and hashed again. */
    sim_trace_add_hash(sim);
    SIM_TRACE(sim, SIM_NO_NODE, "APPLY", SF_INT("v", costly()));
    CU_ASSERT_EQUAL(evaluated, 2);
    CU_ASSERT_EQUAL(w.seen, 1); /* still only its own type */
    CU_ASSERT_EQUAL(w.ticks, 4);
}

void tests_trace_register(void)
{
    static const TestCase cases[] = {
        { "no sink builds nothing", test_no_sink_builds_nothing },
        { "text and json lines", test_text_and_json_lines },
        { "formatting matches printf at the limits", test_formatting_matches_printf },
        { "hash sees every field", test_hash_sees_every_field },
        { "callback sink", test_callback_sink },
        { "type ids by text, cached per type", test_type_ids },
        { "types no sink wants are counted, not built", test_wanted_types },
    };
    TEST_SUITE("trace", cases);
}
