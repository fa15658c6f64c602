/* test_trace.c - event formatting (text, JSON), the rolling hash, and
 * that a trace with no sink does no work. */
#include "sim_trace.h"
#include "test_util.h"

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

void tests_trace_register(void)
{
    static const TestCase cases[] = {
        { "no sink builds nothing", test_no_sink_builds_nothing },
        { "text and json lines", test_text_and_json_lines },
        { "hash sees every field", test_hash_sees_every_field },
        { "callback sink", test_callback_sink },
    };
    TEST_SUITE("trace", cases);
}
