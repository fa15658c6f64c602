/* test_fuzz.c - the fuzzer's fault vocabulary and campaign mechanics:
 * every fault kind is drawn and every schedule parses; packet filters end
 * with the fault phase; a campaign that stops at the first failure gives
 * the same answer with one job or two; a run that aborts (a planted bug
 * breaking a model assertion) is a failing seed, not the end of the
 * campaign. */
#include "fuzz.h"
#include "test_util.h"
#include "zk_bugs.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define BASE "scenarios/fuzz-workload.zks"

/* The time of an "at T ..." line. */
static SimTime line_time(const char *line)
{
    g_auto(GStrv) tok = g_strsplit(line, " ", 3);
    SimTime t = -1;
    const char *msg = NULL;
    CU_ASSERT_TRUE(sim_time_parse(tok[1], &t, &msg));
    return t;
}

static void test_every_kind_drawn_and_parses(void)
{
    /* Over 100 seeds, each fault kind shows up; the base plus each
     * schedule is a scenario that loads; a packet filter limited by time
     * ends within the fault phase (t0 = 1 s after the base, 30 s long). */
    GError *err = NULL;
    g_autoptr(ScnScript) base = scn_load(BASE, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    FuzzOptions o;
    fuzz_options_init(&o);
    const char *marks[] = { " crash s", " restart s", " partition s", " pause s", " loss=", " slowdisk s",
                            " partition oneway ", "break ", "delay ", " crash m", " partition m" };
    guint seen[G_N_ELEMENTS(marks)] = { 0 };
    guint outages = 0;
    SimTime end = 1 * SIM_S + o.horizon;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
        CU_ASSERT_TRUE_FATAL(fuzz_seed_text(base, &o, seed, text, lines, &err));
        for (guint i = 0; i < lines->len; i++) {
            const char *l = g_ptr_array_index(lines, i);
            g_string_append_printf(text, "%s\n", l);
            for (size_t k = 0; k < G_N_ELEMENTS(marks); k++)
                seen[k] += strstr(l, marks[k]) != NULL;
            /* an outage crashes a majority at once: three names or more */
            if (strstr(l, " crash s") && strchr(strstr(l, " crash s") + 8, ' ') &&
                strchr(strchr(strstr(l, " crash s") + 8, ' ') + 1, ' '))
                outages++;
            const char *f = strstr(l, " for ");
            if ((strstr(l, "break ") || strstr(l, "delay ")) && f) {
                SimTime d = -1;
                const char *msg = NULL;
                CU_ASSERT_TRUE(sim_time_parse(f + 5, &d, &msg));
                CU_ASSERT_TRUE(line_time(l) + d <= end);
            }
        }
        g_autoptr(ScnScript) s = scn_load_string("fuzz-test.zks", text->str, NULL, &err);
        if (!s)
            fprintf(stderr, "\nseed %" G_GUINT64_FORMAT ": %s\n", seed, err->message);
        CU_ASSERT_PTR_NOT_NULL(s);
        g_clear_error(&err);
    }
    for (size_t k = 0; k < G_N_ELEMENTS(marks); k++) {
        if (!seen[k])
            fprintf(stderr, "\nnever drawn: '%s'\n", marks[k]);
        CU_ASSERT_TRUE(seen[k] > 0);
    }
    CU_ASSERT_TRUE(outages > 0);
}

static void rm_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
}

static void campaign(ZkBug bug, int jobs, uint64_t to, FuzzReport *rep)
{
    g_autofree char *dir = g_dir_make_tmp("zksim-fuzz-XXXXXX", NULL);
    FuzzOptions o;
    fuzz_options_init(&o);
    o.scenario = BASE;
    o.seed_from = 1;
    o.seed_to = to;
    o.bugs = 1u << bug;
    o.jobs = jobs;
    o.out_dir = dir;
    o.shrink = FALSE;
    o.quiet = TRUE;
    o.stop_at_first = TRUE;
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(fuzz_run(&o, rep, &err));
    rm_dir(dir);
}

static void test_stop_at_first_any_jobs(void)
{
    /* watch-after-reply fails from the first seed: one job or two, the
     * campaign stops there and reports the same seed. */
    FuzzReport a, b;
    campaign(ZK_BUG_WATCH_AFTER_REPLY, 1, 8, &a);
    campaign(ZK_BUG_WATCH_AFTER_REPLY, 2, 8, &b);
    CU_ASSERT_EQUAL(a.first_failing_seed, 1);
    CU_ASSERT_EQUAL(b.first_failing_seed, 1);
    CU_ASSERT_EQUAL(a.seeds_run, 1);
    CU_ASSERT_EQUAL(b.seeds_run, 1);
    CU_ASSERT_EQUAL(a.failures, 1);
    CU_ASSERT_EQUAL(b.failures, 1);
}

static void test_crash_is_a_failing_seed(void)
{
    /* no-fast-forward soon breaks the model's log assertion (a txn logged
     * twice): the child running the seed aborts, the campaign goes on
     * and counts it. */
    FuzzReport r;
    campaign(ZK_BUG_NO_FAST_FORWARD, 1, 20, &r);
    CU_ASSERT_TRUE(r.failures == 1 && r.first_failing_seed >= 1);
}

void tests_fuzz_register(void)
{
    static const TestCase cases[] = {
        { "every fault kind drawn; every schedule parses", test_every_kind_drawn_and_parses },
        { "stop-at-first: same seed with 1 or 2 jobs", test_stop_at_first_any_jobs },
        { "a crashing run is a failing seed", test_crash_is_a_failing_seed },
    };
    TEST_SUITE("fuzz", cases);
}
