/* test_scn.c - the scenario language (model/scn.h).
 *
 * What is pinned here: every parameter type with its range and unit
 * errors; every declaration and action with its fields; includes
 * (relative, nested, cycles, errors inside an included file, limits);
 * --set for parameters and let variables; the checks that need the whole
 * script; the exact text of more than a hundred error messages (inline
 * below and in tests/scn/bad_*.zks, whose first line carries the
 * expected message); the canonical format reading back as an equal
 * script; and a small deterministic mutation fuzzer that must never
 * crash the parser and whose accepted inputs must round-trip.
 *
 * Inline scripts are loaded under the name "t.zks", so their messages
 * start with "t.zks:LINE:COL: ".  Files are found relative to the
 * repository root, where the test binary runs.
 */
#include "test_util.h"

#include "scn.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static ScnScript *load_sets(const char *text, const char *const *sets)
{
    GError *err = NULL;
    ScnScript *s = scn_load_string("t.zks", text, sets, &err);
    if (!s) {
        printf("\n  unexpected error: %s\n", err->message);
        g_error_free(err);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

static ScnScript *load(const char *text)
{
    return load_sets(text, NULL);
}

static ScnScript *load_file(const char *path)
{
    GError *err = NULL;
    ScnScript *s = scn_load(path, NULL, &err);
    if (!s) {
        printf("\n  unexpected error: %s\n", err->message);
        g_error_free(err);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* The error of a failed load, checked against want; returns its code. */
static int error_is(ScnScript *s, GError *err, const char *want)
{
    if (s) {
        printf("\n  loaded, but expected: %s\n", want);
        scn_script_free(s);
        CU_FAIL("the script loaded");
        return -1;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_EQUAL(err->domain, SCN_ERROR);
    if (strcmp(err->message, want) != 0)
        printf("\n  want: %s\n  got:  %s\n", want, err->message);
    CU_ASSERT_STRING_EQUAL(err->message, want);
    int code = err->code;
    g_error_free(err);
    return code;
}

static int fails_sets(const char *text, const char *const *sets, const char *want)
{
    GError *err = NULL;
    ScnScript *s = scn_load_string("t.zks", text, sets, &err);
    return error_is(s, err, want);
}

static int fails(const char *text, const char *want)
{
    return fails_sets(text, NULL, want);
}

static const ScnAction *action(const ScnScript *s, guint i)
{
    CU_ASSERT_FATAL(i < s->n_actions);
    return &s->actions[i];
}

static gboolean is_server(const ScnTarget *t, guint id)
{
    return t->kind == SCN_TARGET_SERVER && t->index == id;
}

/* Server ids of a list, as "1,2,3" ('L' for leader, 'c' + index for a client). */
static char *ids(const ScnTargets *l)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < l->n; i++) {
        if (i > 0)
            g_string_append_c(out, ',');
        switch (l->v[i].kind) {
        case SCN_TARGET_SERVER:
            g_string_append_printf(out, "%u", l->v[i].index);
            break;
        case SCN_TARGET_LEADER:
            g_string_append(out, "L");
            break;
        case SCN_TARGET_CLIENT:
            g_string_append_printf(out, "c%u", l->v[i].index);
            break;
        case SCN_TARGET_GROUP:
            g_string_append_printf(out, "g%u", l->v[i].index);
            break;
        case SCN_TARGET_ANY:
            g_string_append(out, "*");
            break;
        }
    }
    return g_string_free(out, FALSE);
}

static void assert_ids(const ScnTargets *l, const char *want)
{
    g_autofree char *got = ids(l);
    if (strcmp(got, want) != 0)
        printf("\n  targets: want %s, got %s\n", want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
}

/* The list with its groups expanded (scn_targets_expand). */
static void assert_expanded(const ScnScript *s, const ScnTargets *l, const char *want)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    scn_targets_expand(s, l, out);
    ScnTargets flat = { .v = (const ScnTarget *)(const void *)out->data, .n = out->len };
    assert_ids(&flat, want);
}

/* format -> parse gives an equal script, and formatting is a fixed point. */
static void assert_round_trip(const ScnScript *s)
{
    g_autoptr(GString) text = g_string_new(NULL);
    scn_script_format(s, text);
    GError *err = NULL;
    ScnScript *back = scn_load_string("roundtrip.zks", text->str, NULL, &err);
    if (!back) {
        printf("\n  canonical text does not load: %s\n%s\n", err->message, text->str);
        g_error_free(err);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(scn_script_equal(s, back));
    g_autoptr(GString) again = g_string_new(NULL);
    scn_script_format(back, again);
    CU_ASSERT_TRUE(g_string_equal(text, again));
    scn_script_free(back);
}

/* ---- parameters ---- */

static void test_defaults(void)
{
    ScnScript *s = load("# nothing but a comment\n\n   \n");
    const ScnParams *p = &s->params;
    CU_ASSERT_EQUAL(p->servers, 5);
    CU_ASSERT_EQUAL(p->observers, 0);
    CU_ASSERT_EQUAL(p->tick_time, 2000 * SIM_MS);
    CU_ASSERT_EQUAL(p->init_limit, 10);
    CU_ASSERT_EQUAL(p->sync_limit, 5);
    CU_ASSERT_EQUAL(p->finalize_wait, 200 * SIM_MS);
    CU_ASSERT_EQUAL(p->min_notification_interval, 200 * SIM_MS);
    CU_ASSERT_EQUAL(p->max_notification_interval, 60 * SIM_S);
    CU_ASSERT_EQUAL(p->cnx_timeout, 5 * SIM_S);
    CU_ASSERT_EQUAL(p->observer_election_delay, 200 * SIM_MS);
    CU_ASSERT_EQUAL(p->snap_count, 100000);
    CU_ASSERT_EQUAL(p->commit_log_count, 500);
    CU_ASSERT_DOUBLE_EQUAL(p->snapshot_size_factor, 0.33, 1e-12);
    CU_ASSERT_EQUAL(p->min_session_timeout, 0);
    CU_ASSERT_EQUAL(p->max_session_timeout, 0);
    CU_ASSERT_EQUAL(scn_params_session_timeout_min(p), 4 * SIM_S);
    CU_ASSERT_EQUAL(scn_params_session_timeout_max(p), 40 * SIM_S);
    CU_ASSERT_EQUAL(p->quorum, SCN_QUORUM_MAJORITY);
    CU_ASSERT_EQUAL(p->net.latency.kind, SIM_DIST_CONST);
    CU_ASSERT_EQUAL(p->net.latency.a, 100 * SIM_US);
    CU_ASSERT_EQUAL(p->net.loss, 0.0);
    CU_ASSERT_EQUAL(p->net.bandwidth_bytes_per_s, 0);
    CU_ASSERT_EQUAL(p->net.nic_per_msg, 0);
    CU_ASSERT_EQUAL(p->net.break_detect, 0);
    CU_ASSERT_FALSE(p->net.trace_messages);
    CU_ASSERT_EQUAL(p->disk.fsync.kind, SIM_DIST_CONST);
    CU_ASSERT_EQUAL(p->disk.fsync.a, SIM_MS);
    CU_ASSERT_EQUAL(p->disk.mode, SCN_DISK_SERIAL);
    CU_ASSERT_EQUAL(p->disk.bandwidth_bytes_per_s, 0);
    CU_ASSERT_EQUAL(p->cpu.request + p->cpu.message + p->cpu.send, 0);
    CU_ASSERT_EQUAL(p->msg.header_bytes, 40);
    CU_ASSERT_EQUAL(p->client.timeout, 30 * SIM_S);
    CU_ASSERT_STRING_EQUAL(p->client.connect_string[0], "all");
    CU_ASSERT_PTR_NULL(p->client.connect_string[1]);
    CU_ASSERT_EQUAL(p->duration, 60 * SIM_S);
    CU_ASSERT_EQUAL(p->seed, 1);
    CU_ASSERT_EQUAL(p->max_events, 0);
    CU_ASSERT_EQUAL(p->metrics.interval, 100 * SIM_MS);
    CU_ASSERT_EQUAL(s->n_groups + s->n_latencies + s->n_links + s->n_quorum_groups + s->n_quorum_weights +
                        s->n_observers + s->n_workloads + s->n_clients + s->n_actions,
                    0);
    CU_ASSERT_EQUAL(scn_script_voters(s), 5);
    CU_ASSERT_FALSE(scn_script_is_observer(s, 5));

    ScnParams q;
    scn_params_init(&q);
    CU_ASSERT_EQUAL(q.servers, 5);
    CU_ASSERT_EQUAL(q.tick_time, p->tick_time);
    CU_ASSERT_STRING_EQUAL(q.client.connect_string[0], "all");
    scn_script_free(s);
}

static void test_param_table(void)
{
    size_t n = 0;
    const ScnParamInfo *t = scn_param_table(&n);
    CU_ASSERT_EQUAL(n, 36);
    ScnParams defaults;
    scn_params_init(&defaults);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_EQUAL(scn_param_find(t[i].name), &t[i]);
        CU_ASSERT_TRUE(t[i].doc && strlen(t[i].doc) > 10);
        CU_ASSERT_TRUE(strlen(scn_param_type_name(t[i].type)) > 0);
        /* The default text and the formatted default both read back. */
        g_autoptr(GString) line = g_string_new(NULL);
        g_string_append_printf(line, "%s = %s\n%s = ", t[i].name, t[i].default_text, t[i].name);
        scn_param_format_value(&defaults, &t[i], line);
        ScnScript *s = load(line->str);
        g_autoptr(GString) a = g_string_new(NULL), b = g_string_new(NULL);
        scn_param_format_value(&s->params, &t[i], a);
        scn_param_format_value(&defaults, &t[i], b);
        CU_ASSERT_STRING_EQUAL(a->str, b->str);
        scn_script_free(s);
    }
    CU_ASSERT_PTR_NULL(scn_param_find("nope"));
    CU_ASSERT_STRING_EQUAL(scn_param_type_name(SCN_PARAM_BPS), "bytes-per-second");
    CU_ASSERT_STRING_EQUAL(scn_param_type_name(SCN_PARAM_DIST), "dist");
    struct {
        const char *name, *range;
    } ranges[] = {
        { "servers", "1..255" },
        { "net.loss", "0..1" },
        { "quorum", "majority|hierarchical" },
        { "tickTime", "1ns..1000000s" },
        { "net.traceMessages", "yes|no" },
        { "seed", "0..18446744073709551615" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ranges); i++) {
        g_autoptr(GString) r = g_string_new(NULL);
        scn_param_format_range(scn_param_find(ranges[i].name), r);
        CU_ASSERT_STRING_EQUAL(r->str, ranges[i].range);
    }
}

static void test_param_values(void)
{
    ScnScript *s = load("snapCount = 1_000_000\n"
                        "seed = 18446744073709551615\n"
                        "maxEvents = +7\n"
                        "snapshotSizeFactor = 2.5e-1\n"
                        "net.traceMessages = on\n"
                        "tickTime = 1.5s\n"
                        "net.latency = 2ms\n"
                        "disk.fsync = pareto(1ms, 2.5)\n"
                        "disk.mode = concurrent\n"
                        "net.bandwidth = 125MB/s\n"
                        "disk.bandwidth = 10Mbit/s\n"
                        "client.connectString = s1, s2\n"
                        "servers = 3\n"
                        "servers = 4   # set twice: the later wins\n"
                        "initLimit=20\n"
                        "syncLimit =7\n"
                        "cnxTimeout= 1m\n");
    const ScnParams *p = &s->params;
    CU_ASSERT_EQUAL(p->snap_count, 1000000);
    CU_ASSERT_EQUAL(p->seed, UINT64_MAX);
    CU_ASSERT_EQUAL(p->max_events, 7);
    CU_ASSERT_EQUAL(p->snapshot_size_factor, 0.25);
    CU_ASSERT_TRUE(p->net.trace_messages);
    CU_ASSERT_EQUAL(p->tick_time, 1500 * SIM_MS);
    CU_ASSERT_EQUAL(p->net.latency.kind, SIM_DIST_CONST);
    CU_ASSERT_EQUAL(p->net.latency.a, 2 * SIM_MS);
    CU_ASSERT_EQUAL(p->disk.fsync.kind, SIM_DIST_PARETO);
    CU_ASSERT_EQUAL(p->disk.fsync.a, SIM_MS);
    CU_ASSERT_EQUAL(p->disk.fsync.shape, 2.5);
    CU_ASSERT_EQUAL(p->disk.mode, SCN_DISK_CONCURRENT);
    CU_ASSERT_EQUAL(p->net.bandwidth_bytes_per_s, 125000000);
    CU_ASSERT_EQUAL(p->disk.bandwidth_bytes_per_s, 1250000);
    CU_ASSERT_STRING_EQUAL(p->client.connect_string[0], "s1");
    CU_ASSERT_STRING_EQUAL(p->client.connect_string[1], "s2");
    CU_ASSERT_PTR_NULL(p->client.connect_string[2]);
    CU_ASSERT_EQUAL(p->servers, 4);
    CU_ASSERT_EQUAL(p->init_limit, 20);
    CU_ASSERT_EQUAL(p->sync_limit, 7);
    CU_ASSERT_EQUAL(p->cnx_timeout, 60 * SIM_S);
    assert_round_trip(s);
    scn_script_free(s);

    struct {
        const char *text;
        uint64_t bytes;
    } bw[] = {
        { "1Gbit/s", 125000000 }, { "500KB/s", 500000 },   { "1000", 1000 },        { "1.5Gbit/s", 187500000 },
        { "4KiB/s", 4096 },       { "0", 0 },              { "10Mbit/s", 1250000 }, { "2.5MB/s", 2500000 },
        { "8bit/s", 1 },          { "1TB/s", 1000000000000 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bw); i++) {
        g_autofree char *text = g_strdup_printf("net.bandwidth = %s", bw[i].text);
        s = load(text);
        CU_ASSERT_EQUAL(s->params.net.bandwidth_bytes_per_s, bw[i].bytes);
        scn_script_free(s);
    }
    const char *yes[] = { "yes", "true", "on" }, *no[] = { "no", "false", "off" };
    for (size_t i = 0; i < 3; i++) {
        g_autofree char *t1 = g_strdup_printf("net.traceMessages = %s", yes[i]);
        g_autofree char *t2 = g_strdup_printf("net.traceMessages = %s", no[i]);
        s = load(t1);
        CU_ASSERT_TRUE(s->params.net.trace_messages);
        scn_script_free(s);
        s = load(t2);
        CU_ASSERT_FALSE(s->params.net.trace_messages);
        scn_script_free(s);
    }
}

typedef struct {
    const char *text;
    const char *want;
} BadCase;

static void run_bad(const BadCase *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fails(cases[i].text, cases[i].want);
}

static void test_param_errors(void)
{
    static const BadCase cases[] = {
        { "servers = 0", "t.zks:1:11: servers must be between 1 and 255" },
        { "servers = 256", "t.zks:1:11: servers must be between 1 and 255" },
        { "servers = 99999999999999999999", "t.zks:1:11: servers must be between 1 and 255" },
        { "servers = five", "t.zks:1:11: servers: 'five' is not an integer" },
        { "servers = 1_", "t.zks:1:11: servers: '1_' is not an integer" },
        { "servers = 5 6", "t.zks:1:13: servers: unexpected '6' after the value" },
        { "servers =", "t.zks:1:9: servers: missing value" },
        { "seed = -1", "t.zks:1:8: seed: '-1' is not a non-negative integer" },
        { "seed = 18446744073709551616", "t.zks:1:8: seed must be between 0 and 18446744073709551615" },
        { "tickTime = 2000", "t.zks:1:12: tickTime: missing unit in '2000' (ns, us, ms, s, m)" },
        { "tickTime = 0", "t.zks:1:12: tickTime must be greater than 0" },
        { "tickTime = 2h", "t.zks:1:12: tickTime: unknown unit in '2h' (ns, us, ms, s, m)" },
        { "finalizeWait = -5ms", "t.zks:1:16: finalizeWait: bad duration '-5ms': negative duration" },
        { "duration = 2000000s", "t.zks:1:12: duration must be at most 1000000s" },
        { "net.loss = 2", "t.zks:1:12: net.loss must be between 0 and 1" },
        { "net.loss = lots", "t.zks:1:12: net.loss: 'lots' is not a number" },
        { "net.loss = nan", "t.zks:1:12: net.loss: 'nan' is not a number" },
        { "snapshotSizeFactor = 1e7", "t.zks:1:22: snapshotSizeFactor must be between 0 and 1000000" },
        { "net.traceMessages = maybe",
          "t.zks:1:21: net.traceMessages: expected yes or no (or true/false, on/off), got 'maybe'" },
        { "quorum = majorty", "t.zks:1:10: quorum: unknown value 'majorty' (did you mean 'majority'?)" },
        { "disk.mode = fast", "t.zks:1:13: disk.mode: unknown value 'fast' (expected serial or concurrent)" },
        { "net.latency = gauss(1ms)",
          "t.zks:1:15: net.latency: unknown distribution 'gauss' (expected const, uniform, normal, exp, lognormal, "
          "pareto)" },
        { "net.latency = uniform(3ms, 1ms)", "t.zks:1:15: net.latency: uniform: lo (3ms) is greater than hi (1ms)" },
        { "net.latency = 5", "t.zks:1:15: net.latency: bad duration '5': missing unit (ns, us, ms, s, m)" },
        { "net.bandwidth = 10Mb/s",
          "t.zks:1:17: net.bandwidth: bad bandwidth '10Mb/s' (expected bytes per second such as 125000000, "
          "125MB/s, 1Gbit/s)" },
        { "net.bandwidth = 10bit/s",
          "t.zks:1:17: net.bandwidth: bad bandwidth '10bit/s' (expected bytes per second such as 125000000, "
          "125MB/s, 1Gbit/s)" },
        { "disk.bandwidth = 100TB/s", "t.zks:1:18: disk.bandwidth must be at most 10000000000000 bytes/s" },
        { "msg.header = 1e3", "t.zks:1:14: msg.header: '1e3' is not an integer" },
        { "client.connectString = s1,,s2", "t.zks:1:24: client.connectString: empty name in 's1,,s2'" },
        { "client.connectString = all,s1",
          "t.zks:1:24: client.connectString: 'all' cannot be combined with other names" },
        { "client.connectString = s1,x!",
          "t.zks:1:24: client.connectString: bad name 'x!' (expected all, or servers and groups such as s1,s2,dc1)" },
        { "sevrers = 5", "t.zks:1:1: unknown parameter 'sevrers' (did you mean 'servers'?)" },
        { "ticktime = 5s", "t.zks:1:1: unknown parameter 'ticktime' (did you mean 'tickTime'?)" },
        { "loss = 0.5", "t.zks:1:1: unknown parameter 'loss' (did you mean 'net.loss'?)" },
        { "servers 5", "t.zks:1:1: missing '=' after parameter 'servers'" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
}

/* ---- --set and variables ---- */

static void test_sets(void)
{
    const char *const more[] = { "servers=7", NULL };
    ScnScript *s = load_sets("at 1s crash s6 s7", more);
    CU_ASSERT_EQUAL(s->params.servers, 7);
    assert_ids(&action(s, 0)->u.servers.targets, "6,7");
    scn_script_free(s);
    fails("at 1s crash s6 s7", "t.zks:1:13: unknown server 's6' (servers = 5: s1..s5)");

    const char *const order[] = { "servers=4", "servers = 6", "net.loss=0.5", NULL };
    s = load_sets("servers = 3", order);
    CU_ASSERT_EQUAL(s->params.servers, 6);
    CU_ASSERT_EQUAL(s->params.net.loss, 0.5);
    scn_script_free(s);

    const char *const typo[] = { "sevrers=7", NULL };
    fails_sets("", typo, "--set: unknown parameter 'sevrers' (did you mean 'servers'?)");
    const char *const zero[] = { "servers=0", NULL };
    CU_ASSERT_EQUAL(fails_sets("", zero, "--set servers=0: servers must be between 1 and 255"), SCN_ERROR_SET);
    const char *const bare[] = { "foo", NULL };
    fails_sets("", bare, "--set 'foo': expected KEY=VALUE");
    const char *const unknown[] = { "zzz=1", NULL };
    fails_sets("", unknown, "--set: unknown parameter 'zzz' (neither a parameter nor a let variable of the scenario)");
    const char *const var_typo[] = { "writres=4", NULL };
    fails_sets("let writers = 3", var_typo, "--set: unknown parameter 'writres' (did you mean 'writers'?)");
    const char *const unit[] = { "tickTime=100", NULL };
    fails_sets("", unit, "--set tickTime=100: tickTime: missing unit in '100' (ns, us, ms, s, m)");
    /* A check that fails because of an override points at the override. */
    const char *const obs[] = { "observers=5", NULL };
    fails_sets("", obs, "--set observers=5: observers = 5 leaves no voting server (servers = 5)");
    const char *const fewer[] = { "servers=2", NULL };
    fails_sets("observers = 2", fewer, "t.zks:1:13: observers = 2 leaves no voting server (servers = 2)");
    const char *const three[] = { "servers=3", NULL };
    fails_sets("client.connectString = s4", three,
               "t.zks:1:24: client.connectString: unknown server or group 's4' (servers = 3: s1..s3)");
    const char *const cs[] = { "client.connectString=s9", NULL };
    fails_sets("", cs,
               "--set client.connectString=s9: client.connectString: unknown server or group 's9' (servers = 5: "
               "s1..s5)");
}

static void test_variables(void)
{
    ScnScript *s = load("let n = 3\n"
                        "let srv = s2\n"
                        "servers = $n\n"
                        "at 1s crash ${srv}\n"
                        "at 2s crash s$n\n"
                        "client c1\n"
                        "at 3s c1: create /price \"cost $$5 and ${n}x\"\n");
    CU_ASSERT_EQUAL(s->params.servers, 3);
    assert_ids(&action(s, 0)->u.servers.targets, "2");
    assert_ids(&action(s, 1)->u.servers.targets, "3");
    CU_ASSERT_STRING_EQUAL(action(s, 2)->u.op.data, "cost $5 and 3x");
    assert_round_trip(s);
    scn_script_free(s);

    /* --set replaces the value of every `let` of that name. */
    const char *const five[] = { "n=5", NULL };
    s = load_sets("let n = 3\nclients c1..c$n", five);
    CU_ASSERT_EQUAL(s->n_clients, 5);
    CU_ASSERT_STRING_EQUAL(s->clients[4].name, "c5");
    scn_script_free(s);
    s = load("let n = 2\nlet n = 4\nservers = $n");
    CU_ASSERT_EQUAL(s->params.servers, 4);
    scn_script_free(s);
    const char *const seven[] = { "n=7", NULL };
    s = load_sets("let n = 2\nservers = $n\nlet n = 4\nseed = $n", seven);
    CU_ASSERT_EQUAL(s->params.servers, 7);
    CU_ASSERT_EQUAL(s->params.seed, 7);
    scn_script_free(s);
}

static void test_variables_text(void)
{
    /* A value is text: a quoted value with spaces becomes several tokens. */
    ScnScript *s = load("let v = \"s1 s3\"\nat 1s crash $v\nlet q = \"a#b\"\nclient c1\nat 2s c1: create /x $q\n");
    assert_ids(&action(s, 0)->u.servers.targets, "1,3");
    CU_ASSERT_STRING_EQUAL(action(s, 1)->u.op.data, "a#b");
    assert_round_trip(s);
    scn_script_free(s);

    static const BadCase cases[] = {
        { "let writers = 1\nservers = $writer", "t.zks:2:11: undefined variable 'writer' (did you mean 'writers'?)" },
        { "servers = $x", "t.zks:1:11: undefined variable 'x' (define it above with 'let x = VALUE')" },
        { "servers = 5$", "t.zks:1:12: expected a variable name after '$' (write $$ for a '$')" },
        { "servers = ${x", "t.zks:1:11: unterminated '${' (missing '}')" },
        { "servers = ${1x}", "t.zks:1:11: bad variable name in '${1x}'" },
        { "let servers = 3", "t.zks:1:5: let: 'servers' is a parameter; set it with 'servers = VALUE'" },
        { "let a-b = 3", "t.zks:1:5: let: bad variable name 'a-b' (letters, digits and '_')" },
        { "let x = 1 2", "t.zks:1:11: let: unexpected '2' after the value (quote a value with spaces)" },
        { "let x", "t.zks:1:5: let: expected 'let NAME = VALUE'" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
    const char *const seven[] = { "n=7", NULL };
    /* observers = 7 with servers = 7 leaves no voter: proof that both lets saw the override. */
    fails_sets("let n = 2\nservers = $n\nlet n = 4\nobservers = $n", seven,
               "t.zks:4:13: observers = 7 leaves no voting server (servers = 7)");
}

/* ---- includes ---- */

static void test_includes(void)
{
    ScnScript *s = load_file("tests/scn/good_include.zks");
    CU_ASSERT_EQUAL(s->params.servers, 5);               /* overrides inc/base.zks */
    CU_ASSERT_EQUAL(s->params.tick_time, 500 * SIM_MS); /* from inc/base.zks */
    CU_ASSERT_EQUAL(s->params.net.latency.kind, SIM_DIST_UNIFORM); /* from inc/deeper/net.zks */
    CU_ASSERT_EQUAL(s->params.net.latency.b, 3 * SIM_MS);
    CU_ASSERT_EQUAL(s->params.net.loss, 0.01);
    CU_ASSERT_EQUAL_FATAL(s->n_groups, 1);
    CU_ASSERT_STRING_EQUAL(s->groups[0].name, "all3");
    CU_ASSERT_STRING_EQUAL(s->groups[0].pos.file, "tests/scn/inc/base.zks");
    CU_ASSERT_EQUAL(s->groups[0].pos.line, 5);
    assert_ids(&action(s, 0)->u.servers.targets, "5");
    CU_ASSERT_STRING_EQUAL(action(s, 0)->pos.file, "tests/scn/good_include.zks");
    assert_round_trip(s);
    scn_script_free(s);

    /* Inline text includes relative to the directory of its name ("."). */
    s = load("include \"tests/scn/inc/base.zks\"\nat 1s crash all3");
    assert_ids(&action(s, 0)->u.servers.targets, "g0");
    assert_expanded(s, &action(s, 0)->u.servers.targets, "1,2,3");
    scn_script_free(s);

    fails("include \"tests/scn/inc/broken.zks\"", "tests/scn/inc/broken.zks:3:12: net.loss must be between 0 and 1");
    CU_ASSERT_EQUAL(fails("include \"nope.zks\"", "t.zks:1:9: cannot include 'nope.zks': No such file or directory"),
                    SCN_ERROR_READ);
    fails("include", "t.zks:1:1: include: expected a file name: include \"PATH\"");
    fails("include a b", "t.zks:1:11: include: unexpected 'b' after the file name");

    GError *err = NULL;
    s = scn_load("tests/scn/nope.zks", NULL, &err);
    CU_ASSERT_EQUAL(error_is(s, err, "tests/scn/nope.zks: No such file or directory"), SCN_ERROR_READ);
    err = NULL;
    s = scn_load("tests/scn", NULL, &err);
    error_is(s, err, "tests/scn: not a regular file");
}

/* Writes name in dir with text; returns the path (g_free). */
static char *write_file(const char *dir, const char *name, const char *text, gssize len)
{
    char *path = g_build_filename(dir, name, NULL);
    CU_ASSERT_TRUE(g_file_set_contents(path, text, len, NULL));
    return path;
}

static void remove_dir(char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_remove(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
    g_free(dir);
}

static void test_include_limits(void)
{
    char *dir = g_dir_make_tmp("scn-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    /* f0 -> f1 -> ... -> f17: 16 nested includes are fine, the 17th is not. */
    for (int i = 0; i <= 17; i++) {
        g_autofree char *name = g_strdup_printf("f%d.zks", i);
        g_autofree char *text = i < 17 ? g_strdup_printf("include \"f%d.zks\"\n", i + 1) : g_strdup("servers = 3\n");
        g_free(write_file(dir, name, text, -1));
    }
    g_autofree char *f0 = g_build_filename(dir, "f0.zks", NULL);
    g_autofree char *f1 = g_build_filename(dir, "f1.zks", NULL);
    g_autofree char *f16 = g_build_filename(dir, "f16.zks", NULL);
    GError *err = NULL;
    ScnScript *s = scn_load(f0, NULL, &err);
    g_autofree char *want = g_strdup_printf("%s:1:9: includes nested more than 16 deep", f16);
    CU_ASSERT_EQUAL(error_is(s, err, want), SCN_ERROR_LIMIT);
    s = load_file(f1); /* 16 hops: f1 .. f17 */
    CU_ASSERT_EQUAL(s->params.servers, 3);
    scn_script_free(s);

    /* A FIFO would block a reader forever: refused without opening it for long. */
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    CU_ASSERT_EQUAL(mkfifo(fifo, 0600), 0);
    g_autofree char *inc = write_file(dir, "inc.zks", "include \"fifo\"\n", -1);
    err = NULL;
    s = scn_load(inc, NULL, &err);
    g_autofree char *want2 = g_strdup_printf("%s:1:9: cannot include '%s': not a regular file", inc, fifo);
    error_is(s, err, want2);

    /* A NUL byte in a file is a control character like any other. */
    g_autofree char *nul = write_file(dir, "nul.zks", "servers = 3\nseed = 1\0002\n", 22);
    err = NULL;
    s = scn_load(nul, NULL, &err);
    g_autofree char *want3 = g_strdup_printf("%s:2:9: control character 0x00 in the line", nul);
    error_is(s, err, want3);

    /* A file that includes itself. */
    g_autofree char *self = write_file(dir, "self.zks", "servers = 3\ninclude \"self.zks\"\n", -1);
    err = NULL;
    s = scn_load(self, NULL, &err);
    g_autofree char *want4 = g_strdup_printf("%s:2:9: include cycle: %s -> %s", self, self, self);
    error_is(s, err, want4);
    remove_dir(dir);
}

/* ---- declarations ---- */

static void test_topology(void)
{
    ScnScript *s = load_file("tests/scn/good_geo.zks");
    CU_ASSERT_EQUAL(s->params.servers, 7);
    CU_ASSERT_EQUAL(s->params.quorum, SCN_QUORUM_HIERARCHICAL);
    CU_ASSERT_EQUAL(s->params.disk.fsync.kind, SIM_DIST_LOGNORMAL);
    CU_ASSERT_EQUAL(s->params.disk.bandwidth_bytes_per_s, 500000000);
    CU_ASSERT_EQUAL_FATAL(s->n_groups, 3);
    CU_ASSERT_STRING_EQUAL(s->groups[1].name, "west");
    assert_ids(&s->groups[1].members, "4,5,6");
    CU_ASSERT_EQUAL_FATAL(s->n_latencies, 4);
    const ScnGroupLatency *l = &s->latencies[0];
    CU_ASSERT_EQUAL(l->a.kind, SCN_TARGET_GROUP);
    CU_ASSERT_EQUAL(l->a.index, 0);
    CU_ASSERT_EQUAL(l->b.index, 1);
    CU_ASSERT_EQUAL(l->latency.kind, SIM_DIST_NORMAL);
    CU_ASSERT_EQUAL(l->latency.a, 40 * SIM_MS);
    CU_ASSERT_EQUAL(l->latency.b, 5 * SIM_MS);
    CU_ASSERT_EQUAL(s->latencies[3].a.index, s->latencies[3].b.index);
    CU_ASSERT_EQUAL_FATAL(s->n_links, 1);
    CU_ASSERT_TRUE(is_server(&s->links[0].a, 1) && is_server(&s->links[0].b, 4));
    CU_ASSERT_TRUE(s->links[0].has_latency && s->links[0].has_loss);
    CU_ASSERT_EQUAL(s->links[0].latency.a, 80 * SIM_MS);
    CU_ASSERT_EQUAL(s->links[0].loss, 0.01);
    CU_ASSERT_EQUAL_FATAL(s->n_observers, 1);
    CU_ASSERT_TRUE(is_server(&s->observers[0], 6));
    CU_ASSERT_TRUE(scn_script_is_observer(s, 6));
    CU_ASSERT_FALSE(scn_script_is_observer(s, 7));
    CU_ASSERT_EQUAL(scn_script_voters(s), 6);
    CU_ASSERT_EQUAL_FATAL(s->n_quorum_groups, 3);
    CU_ASSERT_EQUAL(s->quorum_groups[1].id, 2);
    assert_ids(&s->quorum_groups[1].members, "4,5");
    CU_ASSERT_EQUAL_FATAL(s->n_quorum_weights, 1);
    CU_ASSERT_TRUE(is_server(&s->quorum_weights[0].server, 7));
    CU_ASSERT_EQUAL(s->quorum_weights[0].weight, 0);
    /* leader in east: the group stays a group until expanded */
    CU_ASSERT_EQUAL(action(s, 1)->u.wait.cond.kind, SCN_COND_LEADER_IN);
    assert_ids(&action(s, 1)->u.wait.cond.servers, "g0");
    assert_expanded(s, &action(s, 1)->u.wait.cond.servers, "1,2,3");
    /* partition east | west witness */
    assert_expanded(s, &action(s, 2)->u.partition.sides[1], "4,5,6,7");
    assert_round_trip(s);
    scn_script_free(s);

    s = load("servers = 3\nobservers = 1\n");
    CU_ASSERT_TRUE(scn_script_is_observer(s, 3));
    CU_ASSERT_EQUAL(scn_script_voters(s), 2);
    scn_script_free(s);
}

static void test_clients_and_workloads(void)
{
    ScnScript *s = load_file("tests/scn/good_clients.zks");
    CU_ASSERT_EQUAL_FATAL(s->n_workloads, 4);
    const ScnWorkload *w = &s->workloads[0];
    CU_ASSERT_EQUAL(w->kind, SCN_WORKLOAD_CONFIG);
    CU_ASSERT_EQUAL(w->period, 500 * SIM_MS);
    CU_ASSERT_EQUAL(w->size_bytes, 1000);
    CU_ASSERT_STRING_EQUAL(w->path, "/app/config");
    CU_ASSERT_EQUAL(w->count, 1);
    CU_ASSERT_EQUAL(w->hold, SIM_S);
    w = &s->workloads[1];
    CU_ASSERT_EQUAL(w->kind, SCN_WORKLOAD_MIXED);
    CU_ASSERT_EQUAL(w->reads, 0.9);
    CU_ASSERT_EQUAL(w->size_bytes, 100);
    CU_ASSERT_EQUAL(w->keys, 10000);
    CU_ASSERT_EQUAL(w->key_dist, SCN_KEYS_ZIPF);
    CU_ASSERT_EQUAL(w->zipf_s, 0.99);
    CU_ASSERT_EQUAL(w->rate_per_s, 200.0);
    CU_ASSERT_EQUAL(w->ops, 100000);
    w = &s->workloads[2];
    CU_ASSERT_EQUAL(w->kind, SCN_WORKLOAD_LOCK);
    CU_ASSERT_STRING_EQUAL(w->path, "/locks");
    CU_ASSERT_EQUAL(w->hold, 250 * SIM_MS);
    CU_ASSERT_EQUAL(w->count, 2);
    CU_ASSERT_EQUAL(w->period, SIM_S);
    CU_ASSERT_EQUAL(s->workloads[3].kind, SCN_WORKLOAD_SCRIPT);
    CU_ASSERT_STRING_EQUAL(scn_workload_kind_name(SCN_WORKLOAD_BALANCE), "balance");

    CU_ASSERT_EQUAL_FATAL(s->n_clients, 15);
    const ScnClient *c = &s->clients[0];
    CU_ASSERT_STRING_EQUAL(c->name, "admin");
    CU_ASSERT_TRUE(c->all_servers);
    CU_ASSERT_EQUAL(c->timeout, 10 * SIM_S);
    CU_ASSERT_EQUAL(c->workload, 3);
    CU_ASSERT_FALSE(c->start);
    c = &s->clients[1];
    CU_ASSERT_STRING_EQUAL(c->name, "c1");
    CU_ASSERT_FALSE(c->all_servers);
    assert_ids(&c->servers, "1,2"); /* client.connectString */
    CU_ASSERT_EQUAL(c->timeout, 6 * SIM_S); /* client.timeout */
    CU_ASSERT_EQUAL(c->workload, 1);
    CU_ASSERT_TRUE(c->start);
    CU_ASSERT_STRING_EQUAL(s->clients[10].name, "c10");
    c = &s->clients[12];
    CU_ASSERT_STRING_EQUAL(c->name, "w02"); /* zero padding kept */
    assert_ids(&c->servers, "3");
    CU_ASSERT_EQUAL(c->workload, 2);
    CU_ASSERT_EQUAL(s->clients[14].workload, -1);
    assert_round_trip(s);
    /* Runs of alike clients are written back as ranges. */
    g_autoptr(GString) text = g_string_new(NULL);
    scn_script_format(s, text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text->str, "\nclients c1..c10 servers=s1,s2 timeout=6s workload=mix start=yes\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text->str, "\nclients w01..w03 servers=s3 timeout=6s workload=locks start=yes\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text->str, "\nclient watcher servers=s1,s2 timeout=6s start=yes\n"));
    scn_script_free(s);

    /* A group in client.connectString stays a group in each client. */
    s = load("group g = s2 s3\nclient.connectString = g, s1\nclient c\n");
    assert_ids(&s->clients[0].servers, "g0,1");
    assert_expanded(s, &s->clients[0].servers, "2,3,1");
    assert_round_trip(s);
    scn_script_free(s);

    s = load("group g = s2 s3\nclient c servers=g,s1,s2\nworkload m kind=mixed\nworkload r kind=registry\n"
             "client d workload=m\nclients x1..3\n");
    assert_ids(&s->clients[0].servers, "g0,1,2");
    assert_expanded(s, &s->clients[0].servers, "2,3,1");
    w = &s->workloads[0];
    CU_ASSERT_EQUAL(w->reads, 0.5);
    CU_ASSERT_EQUAL(w->outstanding, 1);
    CU_ASSERT_EQUAL(w->rate_per_s, 0.0);
    CU_ASSERT_EQUAL(w->key_dist, SCN_KEYS_UNIFORM);
    CU_ASSERT_STRING_EQUAL(s->workloads[1].path, "/registry");
    CU_ASSERT_EQUAL(s->clients[1].workload, 0);
    CU_ASSERT_EQUAL(s->n_clients, 5);
    CU_ASSERT_STRING_EQUAL(s->clients[4].name, "x3");
    assert_round_trip(s);
    scn_script_free(s);
}

static void test_declaration_errors(void)
{
    static const BadCase cases[] = {
        { "group dc1 s1 s2", "t.zks:1:11: group: expected '=', got 's1'" },
        { "group s1 = s2", "t.zks:1:7: 's1' is a server name and cannot name a group" },
        { "group dc1 = s1\ngroup dc1 = s2", "t.zks:2:7: group 'dc1' is already defined at t.zks:1" },
        { "group dc1 =", "t.zks:1:11: group dc1: no servers after '='" },
        { "group dc1 = s1 c1\nclient c1", "t.zks:1:16: 'c1' is a client; expected a server here" },
        { "latency dc1 dc2 = 1ms",
          "t.zks:1:9: unknown group 'dc1' (define it above with 'group NAME = s1 s2 ...')" },
        { "group a = s1\ngroup b = s2\nlatency a b = 1ms 2ms", "t.zks:3:19: latency: unexpected '2ms' after the distribution" },
        { "link s1 s1 loss=0.1", "t.zks:1:9: link: both ends are 's1'" },
        { "link s1 s2 latncy=1ms", "t.zks:1:12: link: unknown option 'latncy' (did you mean 'latency'?)" },
        { "link s1 s2", "t.zks:1:9: link: expected latency=DIST and/or loss=FLOAT after 's2'" },
        { "link s1 s2 loss=2", "t.zks:1:17: loss must be between 0 and 1" },
        { "client leader", "t.zks:1:8: 'leader' is a reserved word and cannot name a client" },
        { "client c1\nclient c1", "t.zks:2:8: client 'c1' is already defined at t.zks:1" },
        { "group g = s1\nclient g", "t.zks:2:8: group 'g' is already defined at t.zks:1" },
        { "client c1 timout=5s", "t.zks:1:11: client: unknown option 'timout' (did you mean 'timeout'?)" },
        { "client c1 5s", "t.zks:1:11: client: expected KEY=VALUE, got '5s'" },
        { "client c1 timeout=0", "t.zks:1:19: timeout must be greater than 0" },
        { "client c1 start=later", "t.zks:1:17: start: expected yes or no (or true/false, on/off), got 'later'" },
        { "client c1 servers=s1,s9", "t.zks:1:22: unknown server 's9' (servers = 5: s1..s5)" },
        { "client c1 servers=s1,,s2", "t.zks:1:22: servers: empty name in 's1,,s2'" },
        { "client c1 servers=all,s1", "t.zks:1:19: servers: 'all' cannot be combined with other names" },
        { "client c1 workload=cfgg\nworkload cfg kind=config", "t.zks:1:20: unknown workload 'cfgg' (did you mean 'cfg'?)" },
        { "client c x=1 x=2", "t.zks:1:10: client: unknown option 'x' (expected servers=, timeout=, workload= or start=)" },
        { "client c timeout=1s timeout=2s", "t.zks:1:21: client: option 'timeout' given twice" },
        { "clients c5..c1", "t.zks:1:9: clients: empty range 'c5..c1'" },
        { "clients c1-c9", "t.zks:1:9: clients: expected a range such as c1..c100, got 'c1-c9'" },
        { "clients c1..c999999999", "t.zks:1:9: too many clients: c1..c999999999 would make 999999999 (at most 100000)" },
        { "clients s1..s3", "t.zks:1:9: 's1' is a server name and cannot name a client" },
        { "clients 1..3", "t.zks:1:9: bad client name '1' (use up to 128 letters, digits, '_' and '-', starting with a letter or '_')" },
        { "workload w kind=config perod=1s", "t.zks:1:24: workload w: unknown key 'perod' (did you mean 'period'?)" },
        { "workload w kind=config rate=5/s",
          "t.zks:1:24: workload w: key 'rate' does not apply to kind config (its keys: size, period, path, count, hold)" },
        { "workload w kind=script size=1", "t.zks:1:24: workload w: kind script takes no keys, not 'size'" },
        { "workload w", "t.zks:1:10: workload w: missing kind=KIND (script, mixed, registry, config, naming, lock, membership or balance)" },
        { "workload w kind=mixd", "t.zks:1:17: kind: unknown value 'mixd' (did you mean 'mixed'?)" },
        { "workload w kind=mixed rate=5/s outstanding=3",
          "t.zks:1:32: workload w: rate (open loop) and outstanding (closed loop) cannot be combined" },
        { "workload w kind=mixed size=2MB", "t.zks:1:28: size must be at most 1048575 bytes" },
        { "workload w kind=mixed size=big", "t.zks:1:28: size: bad size 'big' (expected bytes such as 100, 1KB, 1MB, 4KiB)" },
        { "workload w kind=mixed dist=zipf", "t.zks:1:28: dist: expected uniform or zipf(S), got 'zipf'" },
        { "workload w kind=mixed rate=100", "t.zks:1:28: rate: expected operations per second such as 100/s, got '100'" },
        { "workload w kind=mixed reads=1.5", "t.zks:1:29: reads must be between 0 and 1" },
        { "workload w kind=lock path=locks", "t.zks:1:27: path: bad path 'locks': must start with '/'" },
        { "workload w kind=lock size=1 size=2", "t.zks:1:29: workload w: key 'size' given twice" },
        { "workload w kind=lock\nworkload w kind=config", "t.zks:2:10: workload 'w' is already defined at t.zks:1" },
        { "observer s9", "t.zks:1:10: unknown server 's9' (servers = 5: s1..s5)" },
        { "observer", "t.zks:1:1: observer: expected 'observer sN'" },
        { "observer s2\nobserver s2", "t.zks:2:10: s2 is already an observer (since t.zks:1)" },
        { "servers = 2\nobserver s1\nobserver s2", "t.zks:3:10: no voting server left: all 2 servers are observers" },
        { "quorum.group 1 = s1 s2 s3", "t.zks:1:14: quorum.group needs 'quorum = hierarchical' (quorum is majority)" },
        { "quorum.weight s1 = 2", "t.zks:1:15: quorum.weight needs 'quorum = hierarchical' (quorum is majority)" },
        { "quorum = hierarchical", "t.zks:1:10: quorum = hierarchical needs quorum.group lines" },
        { "quorum = hierarchical\nquorum.group 1 = s1 s2 s3\nquorum.group 2 = s3 s4 s5",
          "t.zks:3:18: s3 is in quorum.group 1 and quorum.group 2" },
        { "quorum = hierarchical\nquorum.group 1 = s1 s2 s3 s4",
          "t.zks:2:14: voting server s5 is in no quorum.group (hierarchical quorums need every voter in a group)" },
        { "quorum = hierarchical\nquorum.group 1 = s1 s2 s3\nquorum.group 1 = s4 s5",
          "t.zks:3:14: quorum.group 1 is already defined at t.zks:2" },
        { "quorum = hierarchical\nobservers = 1\nquorum.group 1 = s1 s2 s3 s4 s5",
          "t.zks:3:30: s5 is an observer; quorum groups hold voting servers only" },
        { "quorum = hierarchical\nquorum.group 1 = s1 s2 s3 s4 s5\nquorum.weight s1 = 2\nquorum.weight s1 = 3",
          "t.zks:4:15: quorum.weight s1: already set at t.zks:3" },
        { "quorum = hierarchical\nobservers = 1\nquorum.group 1 = s1 s2 s3 s4\nquorum.weight s5 = 2",
          "t.zks:4:15: quorum.weight s5: s5 is in no quorum.group" },
        { "quorum.weight s1 = -1", "t.zks:1:20: quorum.weight must be between 0 and 1000000" },
        { "minSessionTimeout = 100s", "t.zks:1:21: minSessionTimeout (100s) is greater than maxSessionTimeout (40s)" },
        { "minNotificationInterval = 2m", "t.zks:1:27: minNotificationInterval (2m) is greater than maxNotificationInterval (1m)" },
        { "grup dc1 = s1", "t.zks:1:1: unknown keyword 'grup' (did you mean 'group'?)" },
        { "frobnicate",
          "t.zks:1:1: unknown keyword 'frobnicate' (expected KEY = VALUE, include, let, group, latency, link, "
          "quorum.group, quorum.weight, observer, workload, client, clients, at or after)" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
}

/* ---- actions ---- */

static void test_server_actions(void)
{
    ScnScript *s = load("servers = 5\n"
                        "group g = s4 s5\n"
                        "client c1\n"
                        "at 1s start all\n"              /* 0 */
                        "at 1s start s1 g\n"             /* 1 */
                        "at 2s crash leader s2\n"        /* 2 */
                        "at 2s crash g s4 s1\n"          /* 3 */
                        "at 3s restart all\n"            /* 4 */
                        "at 3s pause s1 for 2s\n"        /* 5 */
                        "at 3s pause leader\n"           /* 6 */
                        "at 4s resume leader\n"          /* 7 */
                        "at 4s isolate s3\n"             /* 8 */
                        "at 5s heal\n"                   /* 9 */
                        "at 5s partition s1 s2 | g c1 | leader\n" /* 10 */
                        "at 5s partition s1\n"           /* 11 */
                        "at 6s partition oneway s1 s2 -> s3\n" /* 12 */
                        "at 6s link s1 c1 latency=uniform(1ms, 2ms)\n" /* 13 */
                        "at 6s link leader s2 loss=0.5\n" /* 14 */
                        "at 7s slowdisk s1 factor=2.5 extra=3ms for 1s\n" /* 15 */
                        "at 7s slowdisk leader factor=4\n" /* 16 */
                        "at 8s clock s2 drift=-12.5\n"   /* 17 */
                        "at 8s clock s3 jump=+1.5s\n"    /* 18 */
                        "at 8s clock s3 jump=-20ms\n"    /* 19 */
                        "at 9s drop * * -> *\n"          /* 20 */
                        "at 9s drop COMMIT leader -> s2 once\n" /* 21 */
                        "at 9s delay PING s1 -> leader 30ms times=4\n" /* 22 */
                        "at 9s break SNAP leader -> s3 for 2s\n" /* 23 */
                        "at 10s end\n");                 /* 24 */
    CU_ASSERT_EQUAL_FATAL(s->n_actions, 25);
    const ScnAction *a = action(s, 0);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_START);
    CU_ASSERT_TRUE(a->u.servers.all);
    CU_ASSERT_EQUAL(a->when, SCN_WHEN_START);
    CU_ASSERT_EQUAL(a->time, SIM_S);
    CU_ASSERT_EQUAL(a->pos.line, 4);
    CU_ASSERT_EQUAL(a->pos.col, 7);
    assert_ids(&action(s, 1)->u.servers.targets, "1,g0");
    assert_expanded(s, &action(s, 1)->u.servers.targets, "1,4,5");
    assert_ids(&action(s, 2)->u.servers.targets, "L,2");
    CU_ASSERT_EQUAL(action(s, 2)->kind, SCN_ACTION_CRASH);
    assert_ids(&action(s, 3)->u.servers.targets, "g0,4,1");
    assert_expanded(s, &action(s, 3)->u.servers.targets, "4,5,1");
    CU_ASSERT_EQUAL(action(s, 4)->kind, SCN_ACTION_RESTART);
    CU_ASSERT_TRUE(action(s, 4)->u.servers.all);
    a = action(s, 5);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_PAUSE);
    CU_ASSERT_TRUE(is_server(&a->u.one.server, 1));
    CU_ASSERT_TRUE(a->u.one.has_for);
    CU_ASSERT_EQUAL(a->u.one.for_time, 2 * SIM_S);
    CU_ASSERT_EQUAL(action(s, 6)->u.one.server.kind, SCN_TARGET_LEADER);
    CU_ASSERT_FALSE(action(s, 6)->u.one.has_for);
    CU_ASSERT_EQUAL(action(s, 7)->kind, SCN_ACTION_RESUME);
    CU_ASSERT_EQUAL(action(s, 8)->kind, SCN_ACTION_ISOLATE);
    CU_ASSERT_TRUE(is_server(&action(s, 8)->u.one.server, 3));
    CU_ASSERT_EQUAL(action(s, 9)->kind, SCN_ACTION_HEAL);
    a = action(s, 10);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_PARTITION);
    CU_ASSERT_FALSE(a->u.partition.oneway);
    CU_ASSERT_EQUAL_FATAL(a->u.partition.n_sides, 3);
    assert_ids(&a->u.partition.sides[0], "1,2");
    assert_ids(&a->u.partition.sides[1], "g0,c0");
    assert_expanded(s, &a->u.partition.sides[1], "4,5,c0");
    assert_ids(&a->u.partition.sides[2], "L");
    CU_ASSERT_EQUAL(action(s, 11)->u.partition.n_sides, 1);
    a = action(s, 12);
    CU_ASSERT_TRUE(a->u.partition.oneway);
    CU_ASSERT_EQUAL_FATAL(a->u.partition.n_sides, 2);
    assert_ids(&a->u.partition.sides[1], "3");
    a = action(s, 13);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_LINK);
    CU_ASSERT_EQUAL(a->u.link.b.kind, SCN_TARGET_CLIENT);
    CU_ASSERT_TRUE(a->u.link.has_latency);
    CU_ASSERT_FALSE(a->u.link.has_loss);
    CU_ASSERT_EQUAL(a->u.link.latency.kind, SIM_DIST_UNIFORM);
    a = action(s, 14);
    CU_ASSERT_EQUAL(a->u.link.a.kind, SCN_TARGET_LEADER);
    CU_ASSERT_EQUAL(a->u.link.loss, 0.5);
    a = action(s, 15);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_SLOWDISK);
    CU_ASSERT_EQUAL(a->u.slowdisk.factor, 2.5);
    CU_ASSERT_EQUAL(a->u.slowdisk.extra, 3 * SIM_MS);
    CU_ASSERT_TRUE(a->u.slowdisk.has_for);
    CU_ASSERT_EQUAL(a->u.slowdisk.for_time, SIM_S);
    CU_ASSERT_FALSE(action(s, 16)->u.slowdisk.has_for);
    CU_ASSERT_EQUAL(action(s, 16)->u.slowdisk.server.kind, SCN_TARGET_LEADER);
    a = action(s, 17);
    CU_ASSERT_FALSE(a->u.clock.is_jump);
    CU_ASSERT_EQUAL(a->u.clock.drift_ppm, -12.5);
    CU_ASSERT_TRUE(action(s, 18)->u.clock.is_jump);
    CU_ASSERT_EQUAL(action(s, 18)->u.clock.jump, 1500 * SIM_MS);
    CU_ASSERT_EQUAL(action(s, 19)->u.clock.jump, -20 * SIM_MS);
    a = action(s, 20);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_DROP);
    CU_ASSERT_EQUAL(a->u.filter.packet, SCN_PACKET_ANY);
    CU_ASSERT_EQUAL(a->u.filter.from.kind, SCN_TARGET_ANY);
    CU_ASSERT_EQUAL(a->u.filter.limit, SCN_LIMIT_FOREVER);
    a = action(s, 21);
    CU_ASSERT_EQUAL(a->u.filter.packet, SCN_PACKET_COMMIT);
    CU_ASSERT_EQUAL(a->u.filter.from.kind, SCN_TARGET_LEADER);
    CU_ASSERT_TRUE(is_server(&a->u.filter.to, 2));
    CU_ASSERT_EQUAL(a->u.filter.limit, SCN_LIMIT_TIMES);
    CU_ASSERT_EQUAL(a->u.filter.times, 1);
    a = action(s, 22);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_DELAY);
    CU_ASSERT_EQUAL(a->u.filter.delay, 30 * SIM_MS);
    CU_ASSERT_EQUAL(a->u.filter.times, 4);
    a = action(s, 23);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_BREAK);
    CU_ASSERT_EQUAL(a->u.filter.packet, SCN_PACKET_SNAP);
    CU_ASSERT_EQUAL(a->u.filter.limit, SCN_LIMIT_FOR);
    CU_ASSERT_EQUAL(a->u.filter.for_time, 2 * SIM_S);
    CU_ASSERT_EQUAL(action(s, 24)->kind, SCN_ACTION_END);
    CU_ASSERT_EQUAL(action(s, 24)->time, 10 * SIM_S);
    CU_ASSERT_STRING_EQUAL(scn_action_name(SCN_ACTION_SLOWDISK), "slowdisk");
    CU_ASSERT_STRING_EQUAL(scn_packet_name(SCN_PACKET_ACKEPOCH), "ACKEPOCH");
    assert_round_trip(s);
    scn_script_free(s);
}

static void test_client_ops(void)
{
    ScnScript *s = load("client c1\n"
                        "at 1s c1: create /a\n"                 /* 0 */
                        "at 1s c1: create -s -e /a/b- \"x y\"\n" /* 1 */
                        "at 1s c1: create -c /c data\n"         /* 2 */
                        "at 1s c1: create -s /q/\n"             /* 3 */
                        "at 1s c1: get -s -w /a\n"              /* 4 */
                        "at 1s c1: set -s -v 5 /a \"-1\"\n"     /* 5 */
                        "at 1s c1: set /a -1\n"                 /* 6 */
                        "at 1s c1: delete -v 0 /a\n"            /* 7 */
                        "at 1s c1: deleteall /a\n"              /* 8 */
                        "at 1s c1: ls -s -w -R /\n"             /* 9 */
                        "at 1s c1: stat -w /a\n"                /* 10 */
                        "at 1s c1: sync /\n"                    /* 11 */
                        "at 1s c1: addWatch -m PERSISTENT /a\n" /* 12 */
                        "at 1s c1: addWatch /a\n"               /* 13 */
                        "at 1s c1: removewatches /a -c\n"       /* 14 */
                        "at 1s c1 : close\n"                    /* 15 */
                        "at 1s c1: connect\n"                   /* 16 */
                        "at 1s c1: create /e \"\"\n");          /* 17 */
    CU_ASSERT_EQUAL_FATAL(s->n_actions, 18);
    const ScnClientOp *op = &action(s, 0)->u.op;
    CU_ASSERT_EQUAL(action(s, 0)->kind, SCN_ACTION_CLIENT_OP);
    CU_ASSERT_EQUAL(op->client.kind, SCN_TARGET_CLIENT);
    CU_ASSERT_EQUAL(op->client.index, 0);
    CU_ASSERT_EQUAL(op->op, SCN_OP_CREATE);
    CU_ASSERT_STRING_EQUAL(op->path, "/a");
    CU_ASSERT_PTR_NULL(op->data);
    CU_ASSERT_FALSE(op->sequential || op->ephemeral || op->container);
    CU_ASSERT_EQUAL(op->version, -1);
    op = &action(s, 1)->u.op;
    CU_ASSERT_TRUE(op->sequential && op->ephemeral && !op->container);
    CU_ASSERT_STRING_EQUAL(op->data, "x y");
    op = &action(s, 2)->u.op;
    CU_ASSERT_TRUE(op->container);
    CU_ASSERT_STRING_EQUAL(op->data, "data");
    CU_ASSERT_STRING_EQUAL(action(s, 3)->u.op.path, "/q/");
    op = &action(s, 4)->u.op;
    CU_ASSERT_EQUAL(op->op, SCN_OP_GET);
    CU_ASSERT_TRUE(op->stat && op->watch && !op->sequential);
    op = &action(s, 5)->u.op;
    CU_ASSERT_EQUAL(op->op, SCN_OP_SET);
    CU_ASSERT_TRUE(op->stat);
    CU_ASSERT_EQUAL(op->version, 5);
    CU_ASSERT_STRING_EQUAL(op->data, "-1");
    CU_ASSERT_STRING_EQUAL(action(s, 6)->u.op.data, "-1");
    CU_ASSERT_EQUAL(action(s, 7)->u.op.version, 0);
    CU_ASSERT_EQUAL(action(s, 8)->u.op.op, SCN_OP_DELETEALL);
    op = &action(s, 9)->u.op;
    CU_ASSERT_EQUAL(op->op, SCN_OP_LS);
    CU_ASSERT_TRUE(op->stat && op->watch && op->recursive);
    CU_ASSERT_STRING_EQUAL(op->path, "/");
    CU_ASSERT_TRUE(action(s, 10)->u.op.watch);
    CU_ASSERT_EQUAL(action(s, 11)->u.op.op, SCN_OP_SYNC);
    CU_ASSERT_EQUAL(action(s, 12)->u.op.mode, ZK_WATCHER_MODE_PERSISTENT);
    CU_ASSERT_EQUAL(action(s, 13)->u.op.mode, ZK_WATCHER_MODE_PERSISTENT_RECURSIVE);
    CU_ASSERT_EQUAL(action(s, 14)->u.op.watcher, ZK_WATCHER_TYPE_CHILDREN);
    CU_ASSERT_EQUAL(action(s, 15)->u.op.op, SCN_OP_CLOSE);
    CU_ASSERT_PTR_NULL(action(s, 15)->u.op.path);
    CU_ASSERT_EQUAL(action(s, 16)->u.op.op, SCN_OP_CONNECT);
    CU_ASSERT_STRING_EQUAL(action(s, 17)->u.op.data, "");
    CU_ASSERT_STRING_EQUAL(scn_op_name(SCN_OP_REMOVE_WATCHES), "removewatches");
    assert_round_trip(s);
    scn_script_free(s);
}

static void test_conditions(void)
{
    ScnScript *s = load("servers = 5\ngroup g = s4 s5\nclient c1\n"
                        "at 1s wait until leader within 1s\n"             /* 0 */
                        "at 1s wait until leader == s2 within 1s\n"       /* 1 */
                        "at 1s expect leader != s3\n"                     /* 2 */
                        "at 1s expect leader in s1 g\n"                   /* 3 */
                        "at 1s expect role s1 == FOLLOWING\n"             /* 4 */
                        "at 1s wait until role s4 != LOOKING within 2s\n" /* 5 */
                        "at 1s expect election took <= 1.5s\n"            /* 6 */
                        "at 1s expect elections < 3\n"                    /* 7 */
                        "at 1s wait until commits >= 100 within 1m\n"     /* 8 */
                        "at 1s expect commits == 7\n"                     /* 9 */
                        "at 1s expect epoch > 1\n"                        /* 10 */
                        "at 1s wait until connected c1 within 5s\n"       /* 11 */
                        "at 1s wait until all connected within 5s\n"      /* 12 */
                        "at 1s wait until quiet within 5s\n"              /* 13 */
                        "at 1s expect watch c1 NodeChildrenChanged /a\n"  /* 14 */
                        "at 1s expect no watch c1 /b\n"                   /* 15 */
                        "at 1s expect no violation\n"                     /* 16 */
                        "at 1s expect c1 saw SessionExpired\n"            /* 17 */
                        "at 1s expect c1 result NodeExists\n"             /* 18 */
                        "at 1s expect value c1 /a == \"v 1\"\n"           /* 19 */
                        "at 1s expect sync s2 == SNAP\n"                  /* 20 */
                        "at 1s expect server s3 has /a\n"                 /* 21 */
                        "at 1s expect server s3 lacks /b\n");             /* 22 */
    CU_ASSERT_EQUAL_FATAL(s->n_actions, 23);
    const ScnAction *a = action(s, 0);
    CU_ASSERT_EQUAL(a->kind, SCN_ACTION_WAIT);
    CU_ASSERT_EQUAL(a->u.wait.cond.kind, SCN_COND_LEADER);
    CU_ASSERT_EQUAL(a->u.wait.within, SIM_S);
    const ScnCond *c = &action(s, 1)->u.wait.cond;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_LEADER_IS);
    CU_ASSERT_EQUAL(c->cmp, SCN_CMP_EQ);
    CU_ASSERT_TRUE(is_server(&c->who, 2));
    c = &action(s, 2)->u.expect;
    CU_ASSERT_EQUAL(action(s, 2)->kind, SCN_ACTION_EXPECT);
    CU_ASSERT_EQUAL(c->cmp, SCN_CMP_NE);
    c = &action(s, 3)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_LEADER_IN);
    assert_ids(&c->servers, "1,g0");
    assert_expanded(s, &c->servers, "1,4,5");
    c = &action(s, 4)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_ROLE);
    CU_ASSERT_EQUAL(c->role, SCN_ROLE_FOLLOWING);
    CU_ASSERT_EQUAL(action(s, 5)->u.wait.cond.role, SCN_ROLE_LOOKING);
    CU_ASSERT_EQUAL(action(s, 5)->u.wait.cond.cmp, SCN_CMP_NE);
    c = &action(s, 6)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_ELECTION_TOOK);
    CU_ASSERT_EQUAL(c->cmp, SCN_CMP_LE);
    CU_ASSERT_EQUAL(c->took, 1500 * SIM_MS);
    c = &action(s, 7)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_ELECTIONS);
    CU_ASSERT_EQUAL(c->cmp, SCN_CMP_LT);
    CU_ASSERT_EQUAL(c->n, 3);
    c = &action(s, 8)->u.wait.cond;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_COMMITS);
    CU_ASSERT_EQUAL(c->cmp, SCN_CMP_GE);
    CU_ASSERT_EQUAL(c->n, 100);
    CU_ASSERT_EQUAL(action(s, 8)->u.wait.within, 60 * SIM_S);
    CU_ASSERT_EQUAL(action(s, 9)->u.expect.cmp, SCN_CMP_EQ);
    CU_ASSERT_EQUAL(action(s, 10)->u.expect.kind, SCN_COND_EPOCH);
    CU_ASSERT_EQUAL(action(s, 10)->u.expect.cmp, SCN_CMP_GT);
    c = &action(s, 11)->u.wait.cond;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_CONNECTED);
    CU_ASSERT_EQUAL(c->who.kind, SCN_TARGET_CLIENT);
    CU_ASSERT_EQUAL(action(s, 12)->u.wait.cond.kind, SCN_COND_ALL_CONNECTED);
    CU_ASSERT_EQUAL(action(s, 13)->u.wait.cond.kind, SCN_COND_QUIET);
    c = &action(s, 14)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_WATCH);
    CU_ASSERT_EQUAL(c->event, ZK_EVENT_NODE_CHILDREN_CHANGED);
    CU_ASSERT_STRING_EQUAL(c->path, "/a");
    c = &action(s, 15)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_NO_WATCH);
    CU_ASSERT_STRING_EQUAL(c->path, "/b");
    CU_ASSERT_EQUAL(action(s, 16)->u.expect.kind, SCN_COND_NO_VIOLATION);
    c = &action(s, 17)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_SAW);
    CU_ASSERT_EQUAL(c->error, ZK_ERR_SESSION_EXPIRED);
    c = &action(s, 18)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_RESULT);
    CU_ASSERT_EQUAL(c->error, ZK_ERR_NODE_EXISTS);
    c = &action(s, 19)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_VALUE);
    CU_ASSERT_STRING_EQUAL(c->data, "v 1");
    c = &action(s, 20)->u.expect;
    CU_ASSERT_EQUAL(c->kind, SCN_COND_SYNC_MODE);
    CU_ASSERT_EQUAL(c->sync, SCN_SYNC_SNAP);
    CU_ASSERT_EQUAL(action(s, 21)->u.expect.kind, SCN_COND_HAS);
    CU_ASSERT_EQUAL(action(s, 22)->u.expect.kind, SCN_COND_LACKS);
    CU_ASSERT_TRUE(scn_cmp_holds(SCN_CMP_LE, 2, 2));
    CU_ASSERT_FALSE(scn_cmp_holds(SCN_CMP_GT, 2, 2));
    CU_ASSERT_STRING_EQUAL(scn_cond_name(SCN_COND_ALL_CONNECTED), "all connected");
    CU_ASSERT_STRING_EQUAL(scn_role_name(SCN_ROLE_OBSERVING), "OBSERVING");
    CU_ASSERT_STRING_EQUAL(scn_sync_name(SCN_SYNC_TRUNC), "TRUNC");
    CU_ASSERT_STRING_EQUAL(scn_cmp_name(SCN_CMP_GE), ">=");
    assert_round_trip(s);
    scn_script_free(s);
}

/* The time line: absolute, after, wait-relative, expect at end. */
static void test_times(void)
{
    ScnScript *s = load("at 1s heal\n"                       /* 0: START 1s */
                        "after 2s heal\n"                    /* 1: START 3s */
                        "wait until leader within 5s\n"      /* 2: START 3s (bare = after 0) */
                        "after 1s heal\n"                    /* 3: WAIT 1s */
                        "after 1s heal\n"                    /* 4: WAIT 2s */
                        "expect quiet\n"                     /* 5: WAIT 2s */
                        "expect at end no violation\n"       /* 6: END */
                        "at 10s heal\n"                      /* 7: START 10s */
                        "after 1s wait until quiet within 1s\n" /* 8: START 11s */
                        "at 11s heal\n"                      /* 9: START 11s: 11s >= floor 11s */
                        "after 500ms heal\n"                 /* 10: START 11.5s: the at re-anchors */
                        "at 12s end\n");                     /* 11 */
    struct {
        ScnWhen when;
        SimTime t;
    } want[] = {
        { SCN_WHEN_START, SIM_S },      { SCN_WHEN_START, 3 * SIM_S },  { SCN_WHEN_START, 3 * SIM_S },
        { SCN_WHEN_WAIT, SIM_S },       { SCN_WHEN_WAIT, 2 * SIM_S },   { SCN_WHEN_WAIT, 2 * SIM_S },
        { SCN_WHEN_END, 0 },            { SCN_WHEN_START, 10 * SIM_S }, { SCN_WHEN_START, 11 * SIM_S },
        { SCN_WHEN_START, 11 * SIM_S }, { SCN_WHEN_START, 11500 * SIM_MS }, { SCN_WHEN_START, 12 * SIM_S },
    };
    CU_ASSERT_EQUAL_FATAL(s->n_actions, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        CU_ASSERT_EQUAL(action(s, i)->when, want[i].when);
        if (want[i].when != SCN_WHEN_END)
            CU_ASSERT_EQUAL(action(s, i)->time, want[i].t);
    }
    assert_round_trip(s);
    scn_script_free(s);

    static const BadCase cases[] = {
        { "at 5s heal\nat 3s heal", "t.zks:2:4: time goes backwards: 3s after 5s" },
        /* after a wait, the floor is the wait's start plus the afters */
        { "at 1s wait until leader within 10s\nafter 3s heal\nat 2s heal", "t.zks:3:4: time goes backwards: 2s after 4s" },
        { "at 1s end\nat 2s heal", "t.zks:2:4: nothing can happen after the 'end' at t.zks:1" },
        { "at 70s heal", "t.zks:1:8: heal at 70s is after the end of the run (duration = 1m)" },
        { "duration = 10s\nat 5s heal\nafter 6s end", "t.zks:3:10: end at 11s is after the end of the run (duration = 10s)" },
        { "at 5 heal", "t.zks:1:4: at: missing unit in '5' (ns, us, ms, s, m)" },
        { "at", "t.zks:1:1: at: missing time" },
        { "at 1s", "t.zks:1:4: missing action after 'at 1s'" },
        { "at 2000000s heal", "t.zks:1:4: at must be at most 1000000s" },
        { "after 600000s heal\nafter 600000s heal", "t.zks:2:7: time 20000m is beyond the limit of 1000000s" },
        { "at 1s expect at end quiet", "t.zks:1:14: 'expect at end' takes no time of its own" },
        { "expect at end", "t.zks:1:11: expect: missing check" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
}

static void test_action_errors(void)
{
    static const BadCase cases[] = {
        { "at 1s crsh s1", "t.zks:1:7: unknown action 'crsh' (did you mean 'crash'?)" },
        { "at 1s frobnicate",
          "t.zks:1:7: unknown action 'frobnicate' (expected start, crash, restart, pause, resume, partition, isolate, "
          "heal, link, slowdisk, clock, drop, delay, break, wait, expect, end or CLIENT: OPERATION)" },
        { "crash s1", "t.zks:1:1: missing time before 'crash' (write 'at TIME crash ...' or 'after TIME crash ...')" },
        { "c1: get /a", "t.zks:1:1: missing time before 'c1:' (write 'at TIME c1: ...' or 'after TIME c1: ...')" },
        { "at 1s crash s9", "t.zks:1:13: unknown server 's9' (servers = 5: s1..s5)" },
        { "at 1s crash s0", "t.zks:1:13: unknown server 's0' (servers = 5: s1..s5)" },
        { "at 1s crash s01", "t.zks:1:13: unknown server 's01' (servers = 5: s1..s5)" },
        { "at 1s crash", "t.zks:1:7: crash: expected all or servers (or leader)" },
        { "at 1s crash all s1", "t.zks:1:17: crash: unexpected 's1'" },
        { "at 1s crash s1 all", "t.zks:1:16: crash: 'all' cannot be combined with servers" },
        { "at 1s start leader", "t.zks:1:13: 'leader' is not allowed here (expected a server or a group)" },
        { "client c1\nat 1s start c1", "t.zks:2:13: 'c1' is a client; expected a server, a group or leader here" },
        { "group g = s1\nat 1s isolate g", "t.zks:2:15: 'g' is a group; expected a server, a client or leader here" },
        { "at 1s heal s1", "t.zks:1:12: heal: unexpected 's1'" },
        { "at 1s pause", "t.zks:1:7: pause: expected a server, a client or leader" },
        { "at 1s pause s1 for", "t.zks:1:16: pause: expected a duration after 'for'" },
        { "at 1s pause s1", "t.zks:1:7: pause s1 has no matching 'resume s1' and no 'for DURATION'" },
        { "at 1s resume s1", "t.zks:1:7: resume s1 without a pause of s1 before it" },
        { "at 1s pause s1\nat 2s pause s1\nat 3s resume s1", "t.zks:2:7: s1 is already paused (by the pause at t.zks:1)" },
        { "at 1s pause leader\nat 2s resume s1", "t.zks:2:7: resume s1 without a pause of s1 before it" },
        { "at 1s partition s1 | | s2", "t.zks:1:22: partition: empty side" },
        { "at 1s partition s1 |", "t.zks:1:20: partition: empty side" },
        { "at 1s partition", "t.zks:1:7: partition: expected 'A B ... | C D ...'" },
        { "at 1s partition s1|s2", "t.zks:1:17: partition: put spaces around '|' in 's1|s2'" },
        { "at 1s partition s1 s2 | s2 s3", "t.zks:1:25: partition: s2 is on two sides" },
        { "at 1s partition oneway s1 s2", "t.zks:1:24: partition oneway: expected exactly two sides 'A ... -> B ...'" },
        { "at 1s partition oneway s1 | s2", "t.zks:1:27: partition oneway: use '->' between the two sides, not '|'" },
        { "at 1s partition s1 -> s2", "t.zks:1:20: partition: '->' needs 'partition oneway A ... -> B ...'" },
        { "at 1s partition s1 | nobody", "t.zks:1:22: unknown server, client or group 'nobody'" },
        { "at 1s drop PROPSAL s1 -> s2", "t.zks:1:12: drop: unknown message type 'PROPSAL' (did you mean 'PROPOSAL'?)" },
        { "at 1s drop proposal s1 -> s2", "t.zks:1:12: drop: unknown message type 'proposal' (did you mean 'PROPOSAL'?)" },
        { "at 1s drop PROPOSAL s1 s2 s3", "t.zks:1:24: drop: expected '->' between FROM and TO, got 's2'" },
        { "at 1s drop PROPOSAL s1", "t.zks:1:12: drop: expected 'drop TYPE FROM -> TO [once|times=N|for DURATION]'" },
        { "at 1s delay ACK s1 -> s2", "t.zks:1:23: delay: expected a duration after 's2'" },
        { "at 1s delay ACK s1 -> s2 0", "t.zks:1:26: delay must be greater than 0" },
        { "at 1s drop ACK s1 -> s2 twice", "t.zks:1:25: drop: expected once, times=N or for DURATION, got 'twice'" },
        { "at 1s drop ACK s1 -> s2 once times=2",
          "t.zks:1:30: drop: unexpected 'times=2' (once, times=N and for DURATION exclude each other)" },
        { "at 1s drop ACK s1 -> s2 times=0", "t.zks:1:31: times must be between 1 and 1000000000" },
        { "at 1s drop ACK s1 -> s1", "t.zks:1:22: drop: FROM and TO are both 's1'" },
        { "client c1\nat 1s drop ACK c1 -> s2", "t.zks:2:16: 'c1' is a client; expected a server, leader or * here" },
        { "at 1s slowdisk s1", "t.zks:1:16: slowdisk: missing factor=F (fsyncs take F times longer)" },
        { "at 1s slowdisk s1 factor=0", "t.zks:1:26: factor must be between 0.001 and 1000000" },
        { "at 1s slowdisk s1 factor=2 speed=3",
          "t.zks:1:28: slowdisk: unexpected 'speed=3' (expected factor=F, extra=DURATION or for DURATION)" },
        { "at 1s clock s1 drift=1e7", "t.zks:1:22: drift must be between -500000 and 500000" },
        { "at 1s clock s1 skew=5", "t.zks:1:16: clock: expected drift=PPM or jump=[+-]DURATION, got 'skew=5'" },
        { "at 1s clock s1 jump=5", "t.zks:1:21: jump: missing unit in '5' (ns, us, ms, s, m)" },
        { "at 1s link s1 s2", "t.zks:1:15: link: expected latency=DIST and/or loss=FLOAT after 's2'" },
        { "at 1s link s1 s2 latency=fast", "t.zks:1:26: latency: bad duration 'fast': expected a digit" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
}

static void test_op_and_cond_errors(void)
{
    static const BadCase cases[] = {
        { "at 1s c1: create /a", "t.zks:1:7: unknown client 'c1' (declare it with 'client NAME' or 'clients PREFIX1..PREFIXN')" },
        { "at 1s s1: get /a", "t.zks:1:7: 's1' is a server; expected a client here" },
        { "client c1\nat 1s c1: creat /a", "t.zks:2:11: unknown operation 'creat' (did you mean 'create'?)" },
        { "client c1\nat 1s c1:", "t.zks:2:7: c1: missing operation (create, get, set, delete, ...)" },
        { "client c1\nat 1s c1: create a/b", "t.zks:2:18: create: bad path 'a/b': must start with '/'" },
        { "client c1\nat 1s c1: create /a/", "t.zks:2:18: create: bad path '/a/': must not end with '/'" },
        { "client c1\nat 1s c1: create /a//b", "t.zks:2:18: create: bad path '/a//b': empty component" },
        { "client c1\nat 1s c1: get /a/../b", "t.zks:2:15: get: bad path '/a/../b': '.' and '..' are not allowed as components" },
        { "client c1\nat 1s c1: create", "t.zks:2:11: create: missing PATH" },
        { "client c1\nat 1s c1: create -x /a", "t.zks:2:18: create: unknown option '-x' (valid options: -s, -e, -c)" },
        { "client c1\nat 1s c1: deleteall -r /a", "t.zks:2:21: deleteall: unknown option '-r' (deleteall takes no options)" },
        { "client c1\nat 1s c1: set /a", "t.zks:2:15: set: missing DATA" },
        { "client c1\nat 1s c1: set -v -2 /a x", "t.zks:2:18: version must be between -1 and 2147483647" },
        { "client c1\nat 1s c1: set -v", "t.zks:2:15: set: -v needs a value" },
        { "client c1\nat 1s c1: get /a extra", "t.zks:2:18: get: unexpected 'extra' after the path" },
        { "client c1\nat 1s c1: create /a b c", "t.zks:2:23: create: unexpected 'c' after the data" },
        { "client c1\nat 1s c1: create -e -c /a", "t.zks:2:11: create: -e and -c exclude each other (a container is never ephemeral)" },
        { "client c1\nat 1s c1: create -s -c /a", "t.zks:2:11: create: -s and -c exclude each other (containers are not sequential)" },
        { "client c1\nat 1s c1: create -s -s /a", "t.zks:2:21: create: option -s given twice" },
        { "client c1\nat 1s c1: addWatch -m ONCE /a",
          "t.zks:2:23: addWatch: unknown mode 'ONCE' (expected PERSISTENT or PERSISTENT_RECURSIVE)" },
        { "client c1\nat 1s c1: removewatches -c -d /a", "t.zks:2:28: removewatches: -c, -d and -a exclude each other" },
        { "client c1\nat 1s c1: close now", "t.zks:2:17: close: unexpected 'now' (close takes no arguments)" },
        { "client c1\nat 1s c1: create /a \"a\\nb\"", "t.zks:2:23: unknown escape '\\n' in a string (only \\\" and \\\\)" },
        { "at 1s wait until leader", "t.zks:1:18: wait: missing 'within DURATION' (every wait needs a deadline)" },
        { "at 1s wait leader within 1s", "t.zks:1:12: wait: expected 'wait until CONDITION within DURATION'" },
        { "at 1s wait until leader within", "t.zks:1:25: wait: expected a duration after 'within'" },
        { "at 1s wait until leader within 0", "t.zks:1:32: within must be greater than 0" },
        { "at 1s wait until leadr within 1s", "t.zks:1:18: wait: unknown condition 'leadr' (did you mean 'leader'?)" },
        { "at 1s expect xyzzy",
          "t.zks:1:14: expect: unknown check 'xyzzy' (expected leader, role, election took, elections, commits, epoch, "
          "connected, all connected, quiet, watch, no watch, no violation, value, sync, server, CLIENT saw or CLIENT "
          "result)" },
        { "at 1s expect", "t.zks:1:7: expect: missing check" },
        { "at 1s expect role s1 == LEADNG", "t.zks:1:25: expect: unknown role 'LEADNG' (did you mean 'LEADING'?)" },
        { "at 1s expect role s1", "t.zks:1:19: expect: expected 'role sN == ROLE'" },
        { "at 1s expect commits => 5",
          "t.zks:1:22: expect: expected a comparison (==, !=, <, <=, >, >=), got '=>'" },
        { "at 1s expect commits >= many", "t.zks:1:25: commits: 'many' is not an integer" },
        { "at 1s expect leader ==", "t.zks:1:21: expect: expected 'leader == sN'" },
        { "at 1s expect leader > s1", "t.zks:1:21: expect: expected == or !=, got '>'" },
        { "at 1s expect leader == c1\nclient c1", "t.zks:1:24: 'c1' is a client; expected a server here" },
        { "at 1s expect leader in", "t.zks:1:21: expect: expected 'leader in s1 s2 ...'" },
        { "client c1\nat 1s expect watch c1 NodeDeletd /a",
          "t.zks:2:23: expect: unknown event type 'NodeDeletd' (did you mean 'NodeDeleted'?)" },
        { "client c1\nat 1s expect c1 saw SessionExpird",
          "t.zks:2:21: expect: unknown error 'SessionExpird' (did you mean 'SessionExpired'?)" },
        { "client c1\nat 1s expect c1 sawx SessionExpired",
          "t.zks:2:17: expect: expected saw or result after 'c1', got 'sawx'" },
        { "at 1s expect election <= 2s", "t.zks:1:26: expect: expected 'election took <= DURATION'" },
        { "at 1s expect all clients", "t.zks:1:18: expect: expected 'all connected'" },
        { "at 1s expect no way", "t.zks:1:14: expect: expected 'no watch CLIENT PATH' or 'no violation'" },
        { "at 1s expect server s1 owns /a", "t.zks:1:24: expect: expected has or lacks, got 'owns'" },
        { "at 1s expect sync s1 == FULL",
          "t.zks:1:25: expect: unknown sync mode 'FULL' (expected DIFF, SNAP or TRUNC)" },
        { "client c1\nat 1s expect value c1 a == x", "t.zks:2:23: expect: bad path 'a': must start with '/'" },
        { "at 1s expect connected nobody",
          "t.zks:1:24: unknown client 'nobody' (declare it with 'client NAME' or 'clients PREFIX1..PREFIXN')" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));
}

/* ---- lexical limits ---- */

static void test_lexical(void)
{
    ScnScript *s = load("servers = 3\r\nat 1s crash s3\r\n# comment \"with quotes\r\n");
    CU_ASSERT_EQUAL(s->params.servers, 3);
    scn_script_free(s);
    /* '#' inside quotes is data; a tab separates tokens. */
    s = load("client c1\nat 1s\tc1: create /a \"x # y\" # a comment\n");
    CU_ASSERT_STRING_EQUAL(action(s, 0)->u.op.data, "x # y");
    scn_script_free(s);

    static const BadCase cases[] = {
        { "x = \"abc", "t.zks:1:5: unterminated string (missing closing '\"')" },
        { "servers = 5\001", "t.zks:1:12: control character 0x01 in the line" },
        { "servers = \377", "t.zks:1:11: invalid UTF-8" },
        { "\"servers\" 5", "t.zks:1:1: missing '=' after parameter 'servers'" },
    };
    run_bad(cases, G_N_ELEMENTS(cases));

    g_autoptr(GString) big = g_string_new("servers = 3 # ");
    while (big->len <= SCN_LINE_MAX)
        g_string_append_c(big, 'x');
    CU_ASSERT_EQUAL(fails(big->str, "t.zks:1:1: line longer than 65536 bytes"), SCN_ERROR_LIMIT);

    g_autoptr(GString) var = g_string_new("let x = ");
    for (int i = 0; i < 60000; i++)
        g_string_append_c(var, 'x');
    g_string_append(var, "\nservers = $x$x\n");
    CU_ASSERT_EQUAL(fails(var->str, "t.zks:2:13: line longer than 65536 bytes after variable expansion"),
                    SCN_ERROR_LIMIT);

    /* A long variable on many short lines: the total is capped. */
    g_autoptr(GString) many = g_string_new("let x = ");
    for (int i = 0; i < 60000; i++)
        g_string_append_c(many, 'y');
    g_string_append(many, "\nclient c1\n");
    for (int i = 0; i < 1200; i++)
        g_string_append(many, "at 1s c1: create /a $x\n");
    CU_ASSERT_EQUAL(fails(many->str, "t.zks:1120:1: more than 67108864 bytes of scenario text after variable expansion"),
                    SCN_ERROR_LIMIT);
}

static void test_client_limit(void)
{
    ScnScript *s = load("clients c1..c100000\n");
    CU_ASSERT_EQUAL(s->n_clients, SCN_CLIENTS_MAX);
    CU_ASSERT_STRING_EQUAL(s->clients[99999].name, "c100000");
    scn_script_free(s);
    CU_ASSERT_EQUAL(fails("clients c1..c100000\nclient extra", "t.zks:2:8: too many clients: extra would make 100001 (at most 100000)"),
                    SCN_ERROR_LIMIT);
    fails("clients c1..c99999999999999999999",
          "t.zks:1:9: too many clients: c1..c99999999999999999999 would make 18446744073709451615 (at most 100000)");
}

/* ---- files with their expected message on line 1 ---- */

static void test_bad_files(void)
{
    GDir *dir = g_dir_open("tests/scn", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)))
        if (g_str_has_prefix(name, "bad_") && g_str_has_suffix(name, ".zks"))
            g_ptr_array_add(names, g_strdup(name));
    g_dir_close(dir);
    CU_ASSERT_TRUE(names->len >= 15);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename("tests/scn", names->pdata[i], NULL);
        g_autofree char *text = NULL;
        CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &text, NULL, NULL));
        const char *prefix = "# expect: ";
        CU_ASSERT_TRUE_FATAL(g_str_has_prefix(text, prefix));
        g_autofree char *want = g_strndup(text + strlen(prefix), strcspn(text + strlen(prefix), "\n"));
        GError *err = NULL;
        ScnScript *s = scn_load(path, NULL, &err);
        error_is(s, err, want);
    }
}

/* ---- round trip ---- */

static void test_round_trip_files(void)
{
    const char *files[] = { "tests/scn/good_election.zks", "tests/scn/good_geo.zks", "tests/scn/good_clients.zks",
                            "tests/scn/good_sweep.zks", "tests/scn/good_include.zks" };
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        ScnScript *s = load_file(files[i]);
        CU_ASSERT_TRUE(s->n_actions > 0);
        assert_round_trip(s);
        scn_script_free(s);
    }
    const char *const sweep[] = { "writers=50", "latency=2ms", "victim=s3", NULL };
    GError *err = NULL;
    ScnScript *s = scn_load("tests/scn/good_sweep.zks", sweep, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->n_clients, 51);
    CU_ASSERT_EQUAL(s->params.net.latency.a, 2 * SIM_MS);
    assert_ids(&action(s, 1)->u.servers.targets, "3");
    assert_round_trip(s);
    scn_script_free(s);
}

static void test_round_trip_awkward(void)
{
    /* Words the lexer would split, cut or expand must come back quoted. */
    ScnScript *s = load("client c1\n"
                        "snapshotSizeFactor = 0.1\n"
                        "net.loss = 0.000012345678901234567\n"
                        "net.latency = lognormal(1.234us, 0.3333333333333333)\n"
                        "at 1s c1: create \"/a b\" \"say \\\"hi\\\" \\\\ # $$HOME (x) | -> = : \"\n"
                        "at 1s c1: create /dash -leading\n"
                        "at 1s c1: create /empty \"\"\n"
                        "at 1s c1: set \"/c:d\" \"a=b\"\n"
                        "at 1s expect value c1 \"/a b\" != \"-\"\n"
                        "at 1s clock s1 jump=-0\n"
                        "at 1s clock s1 drift=0.1\n");
    CU_ASSERT_STRING_EQUAL(action(s, 0)->u.op.path, "/a b");
    CU_ASSERT_STRING_EQUAL(action(s, 0)->u.op.data, "say \"hi\" \\ # $HOME (x) | -> = : ");
    CU_ASSERT_STRING_EQUAL(action(s, 1)->u.op.data, "-leading");
    assert_round_trip(s);
    g_autoptr(GString) text = g_string_new(NULL);
    scn_script_format(s, text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text->str, "at 1s c1: create \"/a b\" \"say \\\"hi\\\" \\\\ # $$HOME (x) | -> = : \"\n"));
    scn_script_free(s);
}

/* ---- a small mutation fuzzer ---- */

static const char *const fuzz_words[] = {
    " ",       "\n",    "=",     "|",       "->",       "$",           "${",       "$$",    "\"",     "#",
    "(",       ")",     "..",    ",",       "\\",       "s9",          "s0",       "s1",    "leader", "*",
    "all",     "at 1s ", "after 1s ", "wait until ", " within 1s", "expect ", "-1", "-v", "-s", "999999999999",
    "c1:",     "c1",    "0",     "1e309",   "uniform(", "zipf(1)",     "for 1s",   "once",  "times=2", "g",
    "group g = s1 s2\n", "include \"inc/base.zks\"\n", "let x = 1\n", "$x", "client c1\n", "end", "heal",
    "partition ", "oneway", "observer s5\n", "quorum = hierarchical\n", "quorum.group 1 = s1 s2 s3 s4 s5\n",
    "quorum.weight s1 = 0\n", "servers = 7\n", "clients c1..c9\n", "workload w kind=lock\n", "/a", "/a/",
};

static void mutate(GString *t, SimRng *rng)
{
    gsize len = t->len;
    switch (sim_rng_below(rng, 6)) {
    case 0: /* delete a few bytes */
        if (len > 0) {
            gsize at = sim_rng_below(rng, len);
            gsize n = 1 + sim_rng_below(rng, 8);
            g_string_erase(t, (gssize)at, (gssize)MIN(len - at, n));
        }
        return;
    case 1: /* insert a word */
        g_string_insert(t, (gssize)sim_rng_below(rng, len + 1),
                        fuzz_words[sim_rng_below(rng, G_N_ELEMENTS(fuzz_words))]);
        return;
    case 2: { /* duplicate a line */
        gsize at = sim_rng_below(rng, len + 1);
        const char *nl = strchr(t->str + at, '\n');
        gsize end = nl ? (gsize)(nl - t->str) + 1 : len;
        g_autofree char *line = g_strndup(t->str + at, end - at);
        g_string_insert(t, (gssize)sim_rng_below(rng, len + 1), line);
        return;
    }
    case 3: /* overwrite a byte */
        if (len > 0)
            t->str[sim_rng_below(rng, len)] = (char)(sim_rng_below(rng, 2) ? 32 + sim_rng_below(rng, 95) : sim_rng_below(rng, 256));
        return;
    case 4: /* truncate */
        g_string_truncate(t, sim_rng_below(rng, len + 1));
        return;
    default: /* flip a digit */
        for (gsize k = 0; k < len; k++) {
            gsize at = (k + sim_rng_below(rng, len)) % len;
            if (g_ascii_isdigit(t->str[at])) {
                t->str[at] = (char)('0' + sim_rng_below(rng, 10));
                return;
            }
        }
        return;
    }
}

static void test_fuzz_smoke(void)
{
    const char *files[] = { "tests/scn/good_election.zks", "tests/scn/good_geo.zks", "tests/scn/good_clients.zks",
                            "tests/scn/good_sweep.zks", "tests/scn/good_include.zks" };
    char *texts[G_N_ELEMENTS(files)];
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
        CU_ASSERT_TRUE_FATAL(g_file_get_contents(files[i], &texts[i], NULL, NULL));
    SimRng rng;
    sim_rng_init(&rng, 20240601, "scn-fuzz");
    int loaded = 0, failed = 0;
    for (int iter = 0; iter < 3000; iter++) {
        g_autoptr(GString) t = g_string_new(texts[sim_rng_below(&rng, G_N_ELEMENTS(files))]);
        int n = 1 + (int)sim_rng_below(&rng, 4);
        for (int k = 0; k < n; k++)
            mutate(t, &rng);
        /* A NUL byte ends a C string: the rest is simply not seen. */
        GError *err = NULL;
        ScnScript *s = scn_load_string("tests/scn/fuzz.zks", t->str, NULL, &err);
        if (s) {
            loaded++;
            assert_round_trip(s);
            scn_script_free(s);
        } else {
            failed++;
            CU_ASSERT_TRUE(err->domain == SCN_ERROR && err->message[0] != '\0');
            g_error_free(err);
        }
    }
    CU_ASSERT_TRUE(loaded > 100);
    CU_ASSERT_TRUE(failed > 100);
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
        g_free(texts[i]);
}

void tests_scn_register(void)
{
    static const TestCase cases[] = {
        { "defaults", test_defaults },
        { "param table", test_param_table },
        { "param values", test_param_values },
        { "param errors", test_param_errors },
        { "--set", test_sets },
        { "variables", test_variables },
        { "variables are text", test_variables_text },
        { "includes", test_includes },
        { "include limits", test_include_limits },
        { "topology", test_topology },
        { "clients and workloads", test_clients_and_workloads },
        { "declaration errors", test_declaration_errors },
        { "server and network actions", test_server_actions },
        { "client operations", test_client_ops },
        { "conditions", test_conditions },
        { "times", test_times },
        { "action errors", test_action_errors },
        { "operation and condition errors", test_op_and_cond_errors },
        { "lexical", test_lexical },
        { "client limit", test_client_limit },
        { "bad files", test_bad_files },
        { "round trip files", test_round_trip_files },
        { "round trip awkward words", test_round_trip_awkward },
        { "fuzz smoke", test_fuzz_smoke },
    };
    TEST_SUITE("scn", cases);
}
