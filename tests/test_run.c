/* test_run.c - whole runs through the executor: the same scenario and
 * seed write identical bytes, another seed different ones; expectations
 * and waits fail with the scenario line; bad scenarios are errors. */
#include "run.h"
#include "test_util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static char *slurp(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text;
}

/* summary.json minus the wall-clock figure, which may differ. */
/* summary.json without the lines that measure the host (wall time, peak
 * memory): everything else is simulated and must repeat. */
static char *summary_sans_wall(const char *dir)
{
    g_autofree char *s = slurp(dir, "summary.json");
    if (!s)
        return NULL;
    g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
    GString *out = g_string_new(NULL);
    for (char **l = lines; *l; l++)
        if (!strstr(*l, "\"wall_s\"") && !strstr(*l, "\"peak_rss_kib\""))
            g_string_append_printf(out, "%s\n", *l);
    return g_string_free(out, FALSE);
}

static void run_to(const char *scenario, uint64_t seed, const char *dir, RunReport *rep)
{
    RunOptions o;
    run_options_init(&o);
    o.scenario = scenario;
    o.has_seed = TRUE;
    o.seed = seed;
    o.out_dir = dir;
    o.quiet = TRUE;
    o.hash = TRUE;
    GError *err = NULL;
    gboolean ok = run_scenario(&o, rep, &err);
    CU_ASSERT_TRUE_FATAL(ok);
}

static void rm_rf(const char *dir)
{
    const char *names[] = { "timeline.txt", "timeline.jsonl", "summary.json", "metrics.csv", "trace.json" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_build_filename(dir, names[i], NULL);
        g_unlink(p);
    }
    g_rmdir(dir);
}

static void test_same_seed_same_bytes(void)
{
    g_autofree char *tmp = g_dir_make_tmp("zksim-run-XXXXXX", NULL);
    g_autofree char *a = g_build_filename(tmp, "a", NULL);
    g_autofree char *b = g_build_filename(tmp, "b", NULL);
    g_autofree char *c = g_build_filename(tmp, "c", NULL);
    RunReport ra, rb, rc;
    run_to("scenarios/default.zks", 7, a, &ra);
    run_to("scenarios/default.zks", 7, b, &rb);
    run_to("scenarios/default.zks", 8, c, &rc);
    CU_ASSERT_EQUAL(ra.hash, rb.hash);
    CU_ASSERT_NOT_EQUAL(ra.hash, rc.hash);
    const char *files[] = { "timeline.txt", "timeline.jsonl" };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *x = slurp(a, files[i]);
        g_autofree char *y = slurp(b, files[i]);
        g_autofree char *z = slurp(c, files[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(x);
        CU_ASSERT_TRUE(strlen(x) > 1000);
        CU_ASSERT_STRING_EQUAL(x, y);
        CU_ASSERT_STRING_NOT_EQUAL(x, z);
    }
    g_autofree char *sa = summary_sans_wall(a);
    g_autofree char *sb = summary_sans_wall(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_STRING_EQUAL(sa, sb);
    run_report_clear(&ra);
    run_report_clear(&rb);
    run_report_clear(&rc);
    rm_rf(a);
    rm_rf(b);
    rm_rf(c);
    g_rmdir(tmp);
}

/* The summary and the metrics come from the same events whatever timeline
 * files are written: with none, the run's sinks see only the types they
 * use (sim_trace_add_callback_for); with all, every event (and the
 * Chrome trace).  A type missing from their lists would show here. */
static void test_summary_independent_of_trace_files(void)
{
    g_autofree char *tmp = g_dir_make_tmp("zksim-run-XXXXXX", NULL);
    g_autofree char *a = g_build_filename(tmp, "all", NULL);
    g_autofree char *n = g_build_filename(tmp, "none", NULL);
    const char *dirs[] = { a, n };
    const RunTraceMode modes[] = { RUN_TRACE_ALL, RUN_TRACE_NONE };
    for (int i = 0; i < 2; i++) {
        RunOptions o;
        run_options_init(&o);
        o.scenario = "tests/bench/mixed-faults.zks"; /* faults, watches, sessions, expiry */
        o.out_dir = dirs[i];
        o.quiet = TRUE;
        o.trace = modes[i];
        o.has_until = TRUE;
        o.until = 12 * SIM_S;
        RunReport rep = { 0 };
        GError *err = NULL;
        CU_ASSERT_TRUE_FATAL(run_scenario(&o, &rep, &err));
        run_report_clear(&rep);
    }
    g_autofree char *sa = summary_sans_wall(a);
    g_autofree char *sn = summary_sans_wall(n);
    g_autofree char *ma = slurp(a, "metrics.csv");
    g_autofree char *mn = slurp(n, "metrics.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ma);
    CU_ASSERT_TRUE(strstr(sa, "\"faults\"") != NULL);
    CU_ASSERT_STRING_EQUAL(sa, sn);
    CU_ASSERT_STRING_EQUAL(ma, mn);
    rm_rf(a);
    rm_rf(n);
    g_rmdir(tmp);
}

static RunStatus run_text(const char *text, char **message)
{
    GError *err = NULL;
    ScnScript *s = scn_load_string("t.zks", text, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    RunOptions o;
    run_options_init(&o);
    o.scenario = "t.zks";
    o.no_files = TRUE;
    o.quiet = TRUE;
    RunReport rep;
    CU_ASSERT_TRUE(run_script(s, &o, &rep, &err));
    RunStatus st = rep.status;
    *message = g_strdup(rep.message);
    run_report_clear(&rep);
    scn_script_free(s);
    return st;
}

static void test_failed_expectation_names_the_line(void)
{
    char *m = NULL;
    RunStatus st = run_text("servers = 3\nnet.latency = const(1ms)\nduration = 5s\n"
                            "at 0s start all\nwait until leader within 2s\nexpect leader == s1\n",
                            &m);
    CU_ASSERT_EQUAL(st, RUN_EXPECT_FAILED);
    CU_ASSERT_STRING_EQUAL(m, "t.zks:6: expect leader == s1: failed (leader is s3)");
    g_free(m);
    st = run_text("servers = 3\nduration = 10s\nat 0s start s1\nwait until leader within 3s\n", &m);
    CU_ASSERT_EQUAL(st, RUN_EXPECT_FAILED);
    CU_ASSERT_STRING_EQUAL(m, "t.zks:4: wait until leader within 3s: timed out (no leader)");
    g_free(m);
    st = run_text("servers = 3\nduration = 10s\nat 0s start all\nwait until leader within 3s\n"
                  "after 1s crash leader\nafter 0s expect role s3 == LOOKING\nexpect at end elections >= 2\n",
                  &m);
    CU_ASSERT_EQUAL(st, RUN_EXPECT_FAILED); /* s3 is down, not LOOKING */
    g_free(m);
}

static void test_bad_scenario_is_an_error(void)
{
    RunOptions o;
    run_options_init(&o);
    o.scenario = "tests/no-such-file.zks";
    o.no_files = TRUE;
    o.quiet = TRUE;
    RunReport rep;
    GError *err = NULL;
    CU_ASSERT_FALSE(run_scenario(&o, &rep, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void test_readme_examples_load(void)
{
    GError *err = NULL;
    ScnScript *s = scn_load("tests/scn/readme-examples.zks", NULL, &err);
    if (!s)
        fprintf(stderr, "\n%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(s->n_actions > 50);
    scn_script_free(s);
}

/* The benchmark scenarios (make bench) stay valid: each runs to its end
 * (the 10,000-client one with 30 clients) and meets its expectations. */
static void test_bench_scenarios_run(void)
{
    static const char *const few_clients[] = { "clients=30", NULL };
    static const struct {
        const char *file;
        const char *const *sets;
    } cases[] = {
        { "tests/bench/mixed-faults.zks", NULL },  { "tests/bench/observers.zks", NULL },
        { "tests/bench/clients.zks", few_clients }, { "tests/bench/znodes.zks", NULL },
        { "tests/bench/fuzz-short.zks", NULL },
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        RunOptions o;
        run_options_init(&o);
        o.scenario = cases[i].file;
        o.sets = cases[i].sets;
        o.no_files = TRUE;
        o.quiet = TRUE;
        RunReport rep = { 0 };
        GError *err = NULL;
        gboolean ok = run_scenario(&o, &rep, &err);
        if (!ok)
            fprintf(stderr, "\n%s: %s\n", cases[i].file, err->message);
        CU_ASSERT_TRUE_FATAL(ok);
        if (rep.status != RUN_OK)
            fprintf(stderr, "\n%s: %s\n", cases[i].file, rep.message);
        CU_ASSERT_EQUAL(rep.status, RUN_OK);
        CU_ASSERT_TRUE(rep.events > 1000);
        run_report_clear(&rep);
    }
}

void tests_run_register(void)
{
    static const TestCase cases[] = {
        { "README examples load", test_readme_examples_load },
        { "same seed, same bytes", test_same_seed_same_bytes },
        { "summary and metrics independent of the timeline files", test_summary_independent_of_trace_files },
        { "failed expectation names the line", test_failed_expectation_names_the_line },
        { "bad scenario is an error", test_bad_scenario_is_an_error },
        { "bench scenarios run", test_bench_scenarios_run },
    };
    TEST_SUITE("run", cases);
}
