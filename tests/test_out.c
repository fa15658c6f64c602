/* test_out.c - the run's outputs, pictures and sweeps.
 *
 * Every file zksim writes is read back and checked: summary.json and
 * trace.json with the JSON reader (itself tested first against the RFC's
 * edge cases), metrics.csv by its columns, trace.json against the Chrome
 * trace format's required fields, flow pairing and slice nesting.  The
 * summary's numbers are checked twice: exactly, against a synthetic
 * trace whose answers are known, and against the timeline of a real
 * ensemble (commits and elections counted both ways).  Gnuplot must
 * make non-empty images, and a sweep's sweep.csv must be the same bytes
 * with --jobs 1, --jobs 2 and when planned, run in reverse order and
 * merged.
 */
#include "cli_cmds.h"
#include "out_flow.h"
#include "out_gnuplot.h"
#include "out_json.h"
#include "out_plot.h"
#include "out_run.h"
#include "out_stats.h"
#include "out_sweep.h"
#include "test_util.h"
#include "zab_fixture.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(x) ((SimTime)((x) * (double)SIM_S))
#define MS(x) ((SimTime)(x) * SIM_MS)

/* ---- helpers ---- */

static void rm_rf(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *d = g_dir_open(path, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            rm_rf(child);
        }
        if (d)
            g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

static char *read_text(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    return text;
}

static OjValue *read_json(const char *dir, const char *name)
{
    g_autofree char *text = read_text(dir, name);
    if (!text)
        return NULL;
    g_autoptr(GError) err = NULL;
    OjValue *v = oj_parse(text, -1, &err);
    if (!v)
        fprintf(stderr, "\n%s/%s: %s\n", dir, name, err->message);
    return v;
}

static int64_t jint(const OjValue *v, const char *path)
{
    return oj_int_or(oj_path(v, path), -999);
}

/* ---- the JSON reader ---- */

static void test_json_reader(void)
{
    static const char *const good[] = {
        "0", "-0", "1.5e-3", "[]", "{}", "\"\"", "true", "null", " [1, {\"a\": [false, null]}] ",
        "\"\\u00e9\\ud83d\\ude00\\n\\/\"", "{\"a\":1,\"a\":2}", "123456789012345678",
    };
    static const char *const bad[] = {
        "", "01", "1.", ".5", "+1", "[1,]", "{\"a\"}", "{a:1}", "[1 2]", "\"\\x\"", "\"\\ud800\"", "tru",
        "1 2", "\"a\nb\"", "[", "{\"a\":1,}", "nul", "-", "1e", "[\"\\u12\"]",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(OjValue) v = oj_parse(good[i], -1, &err);
        if (!v)
            fprintf(stderr, "\nrejected good JSON %s: %s\n", good[i], err->message);
        CU_ASSERT_PTR_NOT_NULL(v);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(OjValue) v = oj_parse(bad[i], -1, &err);
        if (v)
            fprintf(stderr, "\naccepted bad JSON %s\n", bad[i]);
        CU_ASSERT_PTR_NULL(v);
        CU_ASSERT_PTR_NOT_NULL(err);
    }
    g_autoptr(OjValue) v = oj_parse("{\"t\": 30000000000123, \"s\": \"\\u00e9\\ud83d\\ude00\", \"a\": {\"b\": [7]},"
                                    " \"d\": 0.25, \"k\": \"x\", \"k\": \"y\"}",
                                    -1, NULL);
    CU_ASSERT_TRUE(oj_is_int(oj_get(v, "t")));
    CU_ASSERT_EQUAL(oj_int_or(oj_get(v, "t"), 0), 30000000000123LL);
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(v, "s"), ""), "\xc3\xa9\xf0\x9f\x98\x80");
    CU_ASSERT_EQUAL(oj_int_or(oj_at(oj_path(v, "a/b"), 0), 0), 7);
    CU_ASSERT_DOUBLE_EQUAL(oj_num_or(oj_get(v, "d"), 0), 0.25, 1e-12);
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(v, "k"), ""), "x"); /* the first of duplicates */
    CU_ASSERT_EQUAL(oj_len(v), 6);
    CU_ASSERT_STRING_EQUAL(oj_key_at(v, 5), "k");
    /* What the writer writes, the reader reads. */
    g_autoptr(GString) s = g_string_new(NULL);
    OutJson j;
    oj_init(&j, s, TRUE);
    oj_object(&j, NULL);
    oj_str(&j, "q", "a \"b\"\n\t\x01");
    oj_dbl(&j, "inf", INFINITY);
    oj_array(&j, "e");
    oj_end(&j);
    oj_end(&j);
    g_autoptr(OjValue) w = oj_parse(s->str, -1, NULL);
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(w, "q"), ""), "a \"b\"\n\t\x01");
    CU_ASSERT_EQUAL(oj_kind(oj_get(w, "inf")), OJ_NULL);
    /* Depth is bounded. */
    g_autoptr(GString) deep = g_string_new(NULL);
    for (int i = 0; i < OJ_PARSE_DEPTH_MAX + 5; i++)
        g_string_append_c(deep, '[');
    g_autoptr(OjValue) dv = oj_parse(deep->str, -1, NULL);
    CU_ASSERT_PTR_NULL(dv);
}

/* ---- percentiles, intervals, flows ---- */

static void test_percentiles_exact(void)
{
    OutSamples s;
    out_samples_init(&s);
    for (int k = 100; k >= 1; k--) /* added in reverse: the rank sorts */
        out_samples_add(&s, k);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_P50), 50);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_P90), 90);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_P99), 99);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_P999), 100);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_PMAX), 100);
    CU_ASSERT_EQUAL(out_samples_rank(&s, 1), 1);
    for (int k = 101; k <= 1000; k++)
        out_samples_add(&s, k);
    CU_ASSERT_EQUAL(out_samples_rank(&s, OUT_P999), 999);
    CU_ASSERT_EQUAL(out_samples_sum(&s), 500500);
    out_samples_clear(&s);

    double mean, half;
    const double xs[] = { 1, 2, 3, 4 };
    out_mean_ci95(xs, 4, &mean, &half);
    CU_ASSERT_DOUBLE_EQUAL(mean, 2.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(half, 3.182 * sqrt(5.0 / 3.0) / 2.0, 1e-9);
    const double same[] = { 0.1, 0.1, 0.1 };
    out_mean_ci95(same, 3, &mean, &half);
    CU_ASSERT_EQUAL(mean, 0.1);
    CU_ASSERT_EQUAL(half, 0);
    out_mean_ci95(xs, 1, &mean, &half);
    CU_ASSERT_EQUAL(half, 0);
}

static void test_flows_fifo_with_losses(void)
{
    /* s1 sends A, B, C to s2; A is lost with a broken connection: B's
     * receive matches B and forgets A; C matches C.  A receive that was
     * never sent matches nothing and drops nothing. */
    g_autoptr(OutFlows) f = out_flows_new();
    uint64_t a = out_flows_send(f, 0, 1, "A", 10);
    uint64_t b = out_flows_send(f, 0, 1, "B", 20);
    uint64_t c = out_flows_send(f, 0, 1, "C", 30);
    uint64_t other = out_flows_send(f, 1, 0, "B", 25);
    SimTime sent = 0;
    CU_ASSERT_EQUAL(out_flows_recv(f, 0, 1, "Z", &sent), 0);
    CU_ASSERT_EQUAL(out_flows_recv(f, 0, 1, "B", &sent), b);
    CU_ASSERT_EQUAL(sent, 20);
    CU_ASSERT_EQUAL(out_flows_recv(f, 0, 1, "A", NULL), 0); /* dropped as lost */
    CU_ASSERT_EQUAL(out_flows_recv(f, 0, 1, "C", NULL), c);
    CU_ASSERT_EQUAL(out_flows_recv(f, 1, 0, "B", NULL), other);
    CU_ASSERT_TRUE(a < b && b < c);
}

/* ---- checking trace.json ---- */

typedef struct {
    guint events, spans, instants, flow_starts, flow_ends, metadata;
    guint spans_named_create;
    gboolean ok;
} ChromeCheck;

typedef struct {
    int64_t ts, end;
} Slice;

static gint slice_cmp(gconstpointer a, gconstpointer b)
{
    const Slice *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end; /* longer first */
}

static int64_t us_to_ns(double us)
{
    return (int64_t)llround(us * 1000.0);
}

#define CHROME_REQUIRE(cond, what)                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "\ntrace.json event %u: %s\n", i, what);                               \
            c->ok = FALSE;                                                                         \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* The Chrome trace event format as Perfetto and chrome://tracing read it:
 * every event has ph, ts, pid, tid and name; X has dur >= 0; i has a
 * scope; s and f have cat and id, f binds to its enclosing slice (bp e)
 * and follows an s of the same id; the X slices of each thread nest. */
static void check_chrome(const char *dir, ChromeCheck *c)
{
    memset(c, 0, sizeof *c);
    c->ok = TRUE;
    g_autoptr(OjValue) doc = read_json(dir, "trace.json");
    GHashTable *starts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GHashTable *threads = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_array_unref);
    guint i = 0;
    if (!doc || oj_kind(oj_get(doc, "traceEvents")) != OJ_ARRAY) {
        c->ok = FALSE;
        goto done;
    }
    const OjValue *evs = oj_get(doc, "traceEvents");
    for (i = 0; i < oj_len(evs); i++) {
        const OjValue *e = oj_at(evs, i);
        const char *ph = oj_str_or(oj_get(e, "ph"), NULL);
        CHROME_REQUIRE(ph && strlen(ph) == 1, "ph");
        CHROME_REQUIRE(oj_kind(oj_get(e, "ts")) == OJ_NUMBER, "ts");
        CHROME_REQUIRE(oj_is_int(oj_get(e, "pid")) && oj_is_int(oj_get(e, "tid")), "pid/tid");
        CHROME_REQUIRE(oj_str_or(oj_get(e, "name"), NULL), "name");
        c->events++;
        int64_t tid = oj_int_or(oj_get(e, "tid"), 0);
        switch (ph[0]) {
        case 'X': {
            double dur = oj_num_or(oj_get(e, "dur"), -1);
            CHROME_REQUIRE(dur >= 0, "dur");
            c->spans++;
            c->spans_named_create += strcmp(oj_str_or(oj_get(e, "name"), ""), "create") == 0;
            GArray *sl = g_hash_table_lookup(threads, &tid);
            if (!sl) {
                sl = g_array_new(FALSE, FALSE, sizeof(Slice));
                g_hash_table_insert(threads, g_memdup2(&tid, sizeof tid), sl);
            }
            Slice s = { us_to_ns(oj_num_or(oj_get(e, "ts"), 0)), 0 };
            s.end = s.ts + us_to_ns(dur);
            g_array_append_val(sl, s);
            break;
        }
        case 'i': {
            const char *scope = oj_str_or(oj_get(e, "s"), "");
            CHROME_REQUIRE(strlen(scope) == 1 && strchr("gpt", scope[0]), "instant scope");
            c->instants++;
            break;
        }
        case 's':
        case 'f': {
            CHROME_REQUIRE(oj_str_or(oj_get(e, "cat"), NULL) && oj_is_int(oj_get(e, "id")), "flow cat/id");
            gint64 id = oj_int_or(oj_get(e, "id"), 0);
            if (ph[0] == 's') {
                c->flow_starts++;
                g_hash_table_insert(starts, g_memdup2(&id, sizeof id), GINT_TO_POINTER(1));
            } else {
                c->flow_ends++;
                CHROME_REQUIRE(g_strcmp0(oj_str_or(oj_get(e, "bp"), ""), "e") == 0, "flow end binds to enclosing");
                CHROME_REQUIRE(g_hash_table_contains(starts, &id), "flow end without a start");
            }
            break;
        }
        case 'M':
            CHROME_REQUIRE(oj_kind(oj_get(e, "args")) == OJ_OBJECT, "metadata args");
            c->metadata++;
            break;
        default:
            CHROME_REQUIRE(FALSE, "unexpected ph");
        }
    }
    /* Slices on one thread nest: each one ends before its parent does. */
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, threads);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        GArray *sl = val;
        g_array_sort(sl, slice_cmp);
        GArray *stack = g_array_new(FALSE, FALSE, sizeof(int64_t));
        for (guint k = 0; k < sl->len; k++) {
            const Slice *s = &g_array_index(sl, Slice, k);
            while (stack->len && g_array_index(stack, int64_t, stack->len - 1) <= s->ts &&
                   !(g_array_index(stack, int64_t, stack->len - 1) == s->ts && s->end == s->ts))
                g_array_set_size(stack, stack->len - 1);
            if (stack->len && s->end > g_array_index(stack, int64_t, stack->len - 1)) {
                fprintf(stderr, "\ntrace.json: slices overlap on thread %" G_GINT64_FORMAT " at %" G_GINT64_FORMAT
                                " ns\n",
                        *(gint64 *)key, s->ts);
                c->ok = FALSE;
            }
            g_array_append_val(stack, s->end);
        }
        g_array_free(stack, TRUE);
    }
done:
    g_hash_table_destroy(starts);
    g_hash_table_destroy(threads);
}

/* ---- checking metrics.csv ---- */

typedef struct {
    GStrv header;
    GPtrArray *rows; /* GStrv */
} Csv;

static gboolean csv_load(const char *dir, const char *name, Csv *c)
{
    g_autofree char *text = read_text(dir, name);
    c->header = NULL;
    c->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    if (!text)
        return FALSE;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    gboolean ok = TRUE;
    for (char **l = lines; *l; l++) {
        if (!**l)
            continue;
        GStrv cells = g_strsplit(*l, ",", -1);
        if (!c->header) {
            c->header = cells;
            continue;
        }
        ok &= g_strv_length(cells) == g_strv_length(c->header);
        g_ptr_array_add(c->rows, cells);
    }
    return ok && c->header;
}

static void csv_free(Csv *c)
{
    g_strfreev(c->header);
    g_ptr_array_free(c->rows, TRUE);
}

static int csv_col(const Csv *c, const char *name)
{
    for (int i = 0; c->header && c->header[i]; i++)
        if (strcmp(c->header[i], name) == 0)
            return i;
    return -1;
}

static const char *csv_cell(const Csv *c, guint row, int col)
{
    return ((GStrv)g_ptr_array_index(c->rows, row))[col];
}

static int64_t csv_sum(const Csv *c, const char *name)
{
    int col = csv_col(c, name);
    int64_t sum = 0;
    for (guint r = 0; col >= 0 && r < c->rows->len; r++)
        sum += g_ascii_strtoll(csv_cell(c, r, col), NULL, 10);
    return sum;
}

/* ---- a synthetic run with known answers ---- */

typedef struct {
    int s[4], c1, c2;
} Nodes;

static void emit_step(Sim *sim, void *ctx, void *data)
{
    const Nodes *n = ctx;
    int step = GPOINTER_TO_INT(data);
    if (step == 0) {
        for (int sid = 1; sid <= 3; sid++) {
            SIM_TRACE(sim, n->s[sid], "START");
            SIM_TRACE(sim, n->s[sid], "LOOKING", SF_STR("why", "startup"));
        }
        SIM_TRACE(sim, n->c1, "SESSION_CREATED", SF_HEX("session", 1));
        SIM_TRACE(sim, n->c2, "SESSION_CREATED", SF_HEX("session", 2));
        /* Notifications s1 -> s2: A is lost, B arrives. */
        SIM_TRACE(sim, n->s[1], "NOTIFICATION_SEND", SF_INT("to", 2), SF_INT("leader", 1), SF_HEX("zxid", 0),
                  SF_INT("round", 1), SF_INT("peerEpoch", 0), SF_STR("state", "LOOKING"));
        SIM_TRACE(sim, n->s[1], "NOTIFICATION_SEND", SF_INT("to", 2), SF_INT("leader", 3), SF_HEX("zxid", 0),
                  SF_INT("round", 1), SF_INT("peerEpoch", 0), SF_STR("state", "LOOKING"));
    } else if (step == 1) {
        SIM_TRACE(sim, n->s[2], "NOTIFICATION_RECV", SF_INT("from", 1), SF_INT("leader", 3), SF_HEX("zxid", 0),
                  SF_INT("round", 1), SF_INT("peerEpoch", 0), SF_STR("state", "LOOKING"));
    } else if (step == 2) { /* 200 ms */
        SIM_TRACE(sim, n->s[1], "FOLLOWING", SF_STR("why", "elected"));
        SIM_TRACE(sim, n->s[2], "FOLLOWING", SF_STR("why", "elected"));
        SIM_TRACE(sim, n->s[3], "LEADING", SF_STR("why", "elected"));
        SIM_TRACE(sim, n->s[3], "ELECTION_DONE", SF_INT("leader", 3), SF_INT("epoch", 1), SF_TIME("took", MS(200)),
                  SF_UINT("notifications", 12));
    } else if (step >= 100 && step < 200) { /* creates k = 1..100, start at 300 + k ms */
        int k = step - 99;
        SIM_TRACE(sim, n->c1, "OP_START", SF_STR("op", "create"), SF_STR("path", "/x"), SF_INT("xid", k));
    } else if (step >= 200 && step < 300) { /* ... each ends k ms later */
        int k = step - 199;
        SIM_TRACE(sim, n->s[3], "COMMIT", SF_HEX("zxid", 0x100000000ull + (uint64_t)k), SF_UINT("acks", 2));
        SIM_TRACE(sim, n->c1, "OP_END", SF_STR("op", "create"), SF_STR("path", "/x"), SF_INT("xid", k),
                  SF_STR("err", "Ok"), SF_HEX("zxid", 0x100000000ull + (uint64_t)k), SF_TIME("latency", MS(k)));
    } else if (step >= 300 && step < 310) { /* ten reads at 600 + k ms, every other one a txn behind */
        int k = step - 299;
        SIM_TRACE(sim, n->c2, "OP_END", SF_STR("op", "getData"), SF_STR("path", "/x"), SF_INT("xid", k),
                  SF_STR("err", "Ok"), SF_TIME("latency", MS(1)), SF_UINT("stale_txns", k % 2),
                  SF_TIME("stale_ns", k * 1000));
    } else if (step == 310) {
        SIM_TRACE(sim, n->c2, "OP_END", SF_STR("op", "getData"), SF_STR("path", "/y"), SF_INT("xid", 11),
                  SF_STR("err", "ConnectionLoss"), SF_TIME("latency", S(5)));
        for (int k = 0; k < 3; k++)
            SIM_TRACE(sim, n->c1, "WATCH_EVENT", SF_STR("event", "NodeDataChanged"), SF_STR("path", "/x"),
                      SF_TIME("latency", MS(2)));
    } else if (step == 400) { /* 1 s */
        SIM_TRACE(sim, n->s[3], "CRASH");
    } else if (step == 401) { /* 1.0002 s */
        SIM_TRACE(sim, n->s[1], "LOOKING", SF_STR("why", "leader lost"));
        SIM_TRACE(sim, n->s[2], "LOOKING", SF_STR("why", "leader lost"));
    } else if (step == 402) { /* 1.2 s */
        SIM_TRACE(sim, n->s[1], "FOLLOWING", SF_STR("why", "elected"));
        SIM_TRACE(sim, n->s[2], "LEADING", SF_STR("why", "elected"));
        SIM_TRACE(sim, n->s[2], "ELECTION_DONE", SF_INT("leader", 2), SF_INT("epoch", 2), SF_TIME("took", MS(200)),
                  SF_UINT("notifications", 4));
    } else if (step == 403) {
        SIM_TRACE(sim, SIM_NO_NODE, "PARTITION", SF_BOOL("both", TRUE));
    } else if (step == 404) {
        SIM_TRACE(sim, SIM_NO_NODE, "HEAL");
    } else if (step == 405) {
        SIM_TRACE(sim, n->s[3], "RESTART", SF_UINT("incarnation", 1));
        SIM_TRACE(sim, n->s[3], "LOOKING", SF_STR("why", "startup"));
        SIM_TRACE(sim, n->s[3], "FOLLOWING", SF_STR("why", "elected"));
    }
}

static void schedule_synthetic(Sim *sim, Nodes *n)
{
    sim_at(sim, 0, SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(0));
    sim_at(sim, 400 * SIM_US, SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(1));
    sim_at(sim, MS(200), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(2));
    for (int k = 1; k <= 100; k++) {
        sim_at(sim, MS(300 + k), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(99 + k));
        sim_at(sim, MS(300 + 2 * k), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(199 + k));
    }
    for (int k = 1; k <= 10; k++)
        sim_at(sim, MS(600 + k), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(299 + k));
    sim_at(sim, MS(650), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(310));
    sim_at(sim, S(1), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(400));
    sim_at(sim, S(1) + 200 * SIM_US, SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(401));
    sim_at(sim, MS(1200), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(402));
    sim_at(sim, MS(1500), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(403));
    sim_at(sim, MS(1600), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(404));
    sim_at(sim, MS(1700), SIM_NO_NODE, emit_step, n, GINT_TO_POINTER(405));
}

static void test_summary_exact_on_synthetic_trace(void)
{
    g_autofree char *dir = g_dir_make_tmp("zksim-out-XXXXXX", NULL);
    Sim *sim = sim_new(7);
    Nodes n;
    for (int sid = 1; sid <= 3; sid++) {
        char name[8];
        g_snprintf(name, sizeof name, "s%d", sid);
        n.s[sid] = sim_node_add(sim, name, 0, NULL, NULL);
    }
    n.c1 = sim_node_add(sim, "c1", 1, NULL, NULL);
    n.c2 = sim_node_add(sim, "c2", 1, NULL, NULL);
    const OutParam params[] = { { "servers", "3" }, { "net.traceMessages", "no" }, { "duration", "2s" } };
    OutRunInfo info = { .out_dir = dir, .scenario = "synthetic.zks", .seed = 7, .version = "test",
                        .params = params, .n_params = G_N_ELEMENTS(params), .metrics_interval = MS(100),
                        .end = S(2), .chrome_trace = TRUE };
    g_autoptr(GError) err = NULL;
    OutRun *o = out_run_new(sim, &info, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    schedule_synthetic(sim, &n);
    sim_run(sim, S(2), UINT64_MAX);
    OutRunEnd end = { .status = "ok", .end = S(2), .events = sim_events_run(sim), .wall_s = 0.5 };
    CU_ASSERT_TRUE(out_run_finish(o, &end, &err));
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    out_run_print(o, mem);
    fclose(mem);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "leader      s2, epoch 2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "commits     100"));
    free(text);
    sim_free(sim);
    out_run_free(o);

    g_autoptr(OjValue) sum = read_json(dir, "summary.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(sum, "scenario"), ""), "synthetic.zks");
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_path(sum, "parameters/duration"), ""), "2s");
    CU_ASSERT_EQUAL(jint(sum, "commits"), 100);
    CU_ASSERT_EQUAL(jint(sum, "end_ns"), S(2));
    const OjValue *els = oj_get(sum, "elections");
    CU_ASSERT_EQUAL_FATAL(oj_len(els), 2);
    CU_ASSERT_EQUAL(jint(oj_at(els, 0), "leader"), 3);
    CU_ASSERT_EQUAL(jint(oj_at(els, 0), "start_ns"), 0);
    CU_ASSERT_EQUAL(jint(oj_at(els, 0), "duration_ns"), MS(200));
    CU_ASSERT_EQUAL(jint(oj_at(els, 0), "notifications"), 12);
    CU_ASSERT_EQUAL(jint(oj_at(els, 1), "leader"), 2);
    CU_ASSERT_EQUAL(jint(oj_at(els, 1), "start_ns"), S(1));
    const OjValue *lt = oj_get(sum, "leaders_by_time");
    CU_ASSERT_EQUAL_FATAL(oj_len(lt), 3);
    CU_ASSERT_EQUAL(oj_kind(oj_get(oj_at(lt, 1), "leader")), OJ_NULL);
    CU_ASSERT_EQUAL(jint(oj_at(lt, 1), "from_ns"), S(1));
    CU_ASSERT_EQUAL(jint(sum, "leader/sid"), 2);
    /* Writes: latencies 1..100 ms, exact nearest-rank percentiles. */
    CU_ASSERT_EQUAL(jint(sum, "operations/write/count"), 100);
    CU_ASSERT_EQUAL(jint(sum, "operations/write/latency_ns/p50"), MS(50));
    CU_ASSERT_EQUAL(jint(sum, "operations/write/latency_ns/p90"), MS(90));
    CU_ASSERT_EQUAL(jint(sum, "operations/write/latency_ns/p99"), MS(99));
    CU_ASSERT_EQUAL(jint(sum, "operations/write/latency_ns/p999"), MS(100));
    CU_ASSERT_EQUAL(jint(sum, "operations/write/latency_ns/max"), MS(100));
    CU_ASSERT_EQUAL(jint(sum, "operations/by_type/create/count"), 100);
    /* Reads: ten plus one ConnectionLoss, left out of the latencies. */
    CU_ASSERT_EQUAL(jint(sum, "operations/read/count"), 11);
    CU_ASSERT_EQUAL(jint(sum, "operations/read/errors"), 1);
    CU_ASSERT_EQUAL(jint(sum, "operations/read/latency_ns/count"), 10);
    CU_ASSERT_EQUAL(jint(sum, "operations/read/latency_ns/max"), MS(1));
    CU_ASSERT_EQUAL(jint(sum, "staleness/reads"), 10);
    CU_ASSERT_EQUAL(jint(sum, "staleness/stale_reads"), 5);
    CU_ASSERT_EQUAL(jint(sum, "staleness/txns/max"), 1);
    CU_ASSERT_EQUAL(jint(sum, "staleness/ns/max"), 10000);
    CU_ASSERT_EQUAL(jint(sum, "watches/delivered"), 3);
    CU_ASSERT_EQUAL(jint(sum, "watches/delivery_latency_ns/p50"), MS(2));
    CU_ASSERT_EQUAL(jint(sum, "sessions/created"), 2);
    CU_ASSERT_EQUAL(jint(sum, "faults/counts/CRASH"), 1);
    CU_ASSERT_EQUAL(jint(sum, "faults/counts/PARTITION"), 1);
    CU_ASSERT_EQUAL(jint(sum, "faults/total"), 4);
    const OjValue *fl = oj_path(sum, "faults/list");
    CU_ASSERT_EQUAL_FATAL(oj_len(fl), 4);
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(oj_at(fl, 0), "kind"), ""), "CRASH");
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(oj_at(fl, 0), "node"), ""), "s3");
    CU_ASSERT_STRING_EQUAL(oj_str_or(oj_get(oj_at(fl, 3), "kind"), ""), "RESTART");
    CU_ASSERT_TRUE(oj_bool_or(oj_path(sum, "invariants/held"), FALSE));

    /* metrics.csv: 20 intervals of 100 ms; the columns add up. */
    Csv c;
    CU_ASSERT_TRUE(csv_load(dir, "metrics.csv", &c));
    CU_ASSERT_EQUAL(c.rows->len, 20);
    CU_ASSERT_EQUAL(csv_sum(&c, "commits"), 100);
    CU_ASSERT_EQUAL(csv_sum(&c, "ops"), 111);
    CU_ASSERT_EQUAL(csv_sum(&c, "elections"), 2);
    CU_ASSERT_TRUE(csv_col(&c, "create_p50_ms") > 0 && csv_col(&c, "getData_p99_ms") > 0);
    CU_ASSERT_TRUE(csv_col(&c, "create_p50_ms") < csv_col(&c, "getData_p50_ms")); /* by name */
    int r3 = csv_col(&c, "role_s3"), leader = csv_col(&c, "leader");
    CU_ASSERT_TRUE_FATAL(r3 > 0 && leader > 0 && c.rows->len == 20);
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 1, r3), "LOOKING");  /* 100..200 ms */
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 2, r3), "LEADING");  /* 200..300 ms */
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 10, r3), "DOWN");    /* 1.0..1.1 s */
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 10, leader), "0");
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 19, leader), "2");
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 19, r3), "FOLLOWING");
    CU_ASSERT_STRING_EQUAL(csv_cell(&c, 19, 1), "2.000000");
    csv_free(&c);

    /* trace.json: valid; one span per create; one notification arrow
     * (the lost one has a start and no end). */
    ChromeCheck cc;
    check_chrome(dir, &cc);
    CU_ASSERT_TRUE(cc.ok);
    CU_ASSERT_EQUAL(cc.spans_named_create, 100);
    CU_ASSERT_EQUAL(cc.flow_starts, 2);
    CU_ASSERT_EQUAL(cc.flow_ends, 1);
    rm_rf(dir);
}

/* ---- a real ensemble: the summary agrees with the timeline ---- */

typedef struct {
    guint commits, elections, msg_recv, lines;
    gboolean all_json;
} Timeline;

static void count_timeline(const char *text, Timeline *t)
{
    memset(t, 0, sizeof *t);
    t->all_json = TRUE;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!**l)
            continue;
        t->lines++;
        g_autoptr(OjValue) ev = oj_parse(*l, -1, NULL);
        if (!ev || oj_kind(ev) != OJ_OBJECT || !oj_is_int(oj_get(ev, "t")) || !oj_get(ev, "type")) {
            t->all_json = FALSE;
            continue;
        }
        const char *type = oj_str_or(oj_get(ev, "type"), "");
        t->commits += strcmp(type, "COMMIT") == 0;
        t->elections += strcmp(type, "ELECTION_DONE") == 0;
        t->msg_recv += strcmp(type, "MSG_RECV") == 0;
    }
}

/* Five servers elect, take 30 writes, lose their leader, elect again. */
static void ensemble_run(const char *dir, gboolean trace_messages, Timeline *tl, uint64_t *ens_commits,
                         guint *ens_elections)
{
    Fx f;
    fx_init(&f, 5, 2, NULL);
    sim_net_trace_messages(f.sim, trace_messages);
    g_autofree char *jpath = g_build_filename(dir, "timeline.jsonl", NULL);
    FILE *jf = fopen(jpath, "w");
    sim_trace_add_jsonl(f.sim, jf);
    const OutParam params[] = { { "servers", "5" }, { "net.traceMessages", trace_messages ? "yes" : "no" } };
    OutRunInfo info = { .out_dir = dir, .scenario = "fixture", .seed = 2, .version = "test", .params = params,
                        .n_params = G_N_ELEMENTS(params), .end = S(6), .chrome_trace = TRUE };
    OutRun *o = out_run_new(f.sim, &info, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    fx_start_all(&f, 0);
    fx_writes_at(&f, 2, S(1), 30, 10 * SIM_MS);
    fx_crash_at(&f, 5, S(3));
    fx_run_to(&f, S(6));
    OutRunEnd end = { .status = "ok", .end = sim_now(f.sim), .events = sim_events_run(f.sim) };
    CU_ASSERT_TRUE(out_run_finish(o, &end, NULL));
    CU_ASSERT_EQUAL(out_run_commits(o), f.ens->commits);
    *ens_commits = f.ens->commits;
    *ens_elections = f.ens->elections->len;
    sim_trace_flush(f.sim);
    fx_free(&f);
    out_run_free(o);
    fclose(jf);
    g_autofree char *text = read_text(dir, "timeline.jsonl");
    count_timeline(text, tl);
}

static void check_agreement(gboolean trace_messages)
{
    g_autofree char *dir = g_dir_make_tmp("zksim-out-XXXXXX", NULL);
    Timeline tl;
    uint64_t commits = 0;
    guint elections = 0;
    ensemble_run(dir, trace_messages, &tl, &commits, &elections);
    CU_ASSERT_TRUE(tl.all_json);
    CU_ASSERT_TRUE(tl.lines > 100);
    g_autoptr(OjValue) sum = read_json(dir, "summary.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    /* Commits: the model's count, the timeline's, the summary's, and the
     * metrics' intervals all agree. */
    CU_ASSERT_EQUAL(commits, 30);
    CU_ASSERT_EQUAL(tl.commits, commits);
    CU_ASSERT_EQUAL(jint(sum, "commits"), (int64_t)commits);
    CU_ASSERT_EQUAL(elections, 2);
    CU_ASSERT_EQUAL(tl.elections, elections);
    CU_ASSERT_EQUAL(oj_len(oj_get(sum, "elections")), elections);
    CU_ASSERT_EQUAL(jint(sum, "faults/counts/CRASH"), 1);
    Csv c;
    CU_ASSERT_TRUE(csv_load(dir, "metrics.csv", &c));
    CU_ASSERT_EQUAL(csv_sum(&c, "commits"), (int64_t)commits);
    CU_ASSERT_EQUAL(csv_sum(&c, "elections"), elections);
    if (trace_messages) /* counted from MSG_SEND: exact */
        CU_ASSERT_EQUAL(csv_sum(&c, "net_msgs"), jint(sum, "network/messages"));
    csv_free(&c);
    ChromeCheck cc;
    check_chrome(dir, &cc);
    CU_ASSERT_TRUE(cc.ok);
    CU_ASSERT_TRUE(cc.flow_ends > 0);
    if (trace_messages)
        CU_ASSERT_EQUAL(cc.flow_ends, tl.msg_recv);
    /* Pictures of it. */
    if (out_gnuplot_available()) {
        OutPlotOptions po = { .run_dir = dir, .from = 0, .to = SIM_TIME_NEVER, .breaks = TRUE };
        g_autoptr(GString) report = g_string_new(NULL);
        g_autoptr(GError) err = NULL;
        gboolean ok = out_plot_run(&po, report, &err);
        if (!ok)
            fprintf(stderr, "\nplot: %s\n", err->message);
        CU_ASSERT_TRUE(ok);
        static const char *const images[] = { "plots/spacetime.png", "plots/spacetime.svg", "plots/throughput.png" };
        for (size_t i = 0; i < G_N_ELEMENTS(images); i++) {
            g_autofree char *img = read_text(dir, images[i]);
            CU_ASSERT_TRUE(img && strlen(img) > 4);
            if (img && g_str_has_suffix(images[i], ".png"))
                CU_ASSERT_EQUAL(memcmp(img, "\x89PNG", 4), 0);
        }
    } else {
        fprintf(stderr, "\n[test_out] gnuplot not installed: images not checked\n");
    }
    rm_rf(dir);
}

static void test_summary_agrees_with_timeline(void)
{
    check_agreement(FALSE);
}

static void test_message_flows_match_receives(void)
{
    check_agreement(TRUE);
}

/* ---- sweeps ---- */

static void test_sweep_grid(void)
{
    g_autoptr(OutSweep) s = out_sweep_new("/x.zks");
    CU_ASSERT_TRUE(out_sweep_add_vary(s, "servers=3,5", NULL));
    CU_ASSERT_TRUE(out_sweep_add_vary(s, "net.latency=const(1ms), uniform(1ms,3ms),exp(2ms)", NULL));
    CU_ASSERT_FALSE(out_sweep_add_vary(s, "servers=7", NULL));
    CU_ASSERT_FALSE(out_sweep_add_vary(s, "noequals", NULL));
    CU_ASSERT_FALSE(out_sweep_add_vary(s, "k=1,,2", NULL));
    CU_ASSERT_EQUAL(out_sweep_points(s), 6);
    /* The first key varies slowest. */
    CU_ASSERT_STRING_EQUAL(out_sweep_value(s, 0, 0), "3");
    CU_ASSERT_STRING_EQUAL(out_sweep_value(s, 2, 1), "exp(2ms)");
    CU_ASSERT_STRING_EQUAL(out_sweep_value(s, 3, 0), "5");
    CU_ASSERT_STRING_EQUAL(out_sweep_value(s, 4, 1), "uniform(1ms,3ms)");
    g_ptr_array_add(s->sets, g_strdup("duration=1s"));
    g_auto(GStrv) sets = out_sweep_point_sets(s, 4);
    CU_ASSERT_EQUAL(g_strv_length(sets), 3);
    CU_ASSERT_STRING_EQUAL(sets[0], "duration=1s");
    CU_ASSERT_STRING_EQUAL(sets[2], "net.latency=uniform(1ms,3ms)");
    g_autofree char *rd = out_sweep_run_dir("/d", 4, 9);
    CU_ASSERT_STRING_EQUAL(rd, "/d/runs/p004/seed-9");
}

static const char *zksim_binary(void)
{
    const char *env = g_getenv("ZKSIM");
    if (env && g_file_test(env, G_FILE_TEST_IS_EXECUTABLE))
        return env;
    return g_file_test("./zksim", G_FILE_TEST_IS_EXECUTABLE) ? "./zksim" : NULL;
}

/* Runs `zksim sweep ARGS` in this process; expected error messages
 * (expect_error) are kept off the test's output. */
static int sweep_cli_full(const char *const *args, gboolean expect_error)
{
    /* GOption reorders argv and drops what it parsed: it gets a shallow
     * copy, the strings are freed from the original vector. */
    g_auto(GStrv) owned = g_strdupv((char **)args);
    guint n = g_strv_length(owned);
    g_autofree char **argv = g_memdup2(owned, (n + 1) * sizeof(char *));
    int saved = -1;
    if (expect_error) {
        fflush(stderr);
        saved = dup(2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        close(null);
    }
    int rc = cli_sweep_main((int)n, argv);
    if (saved >= 0) {
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
    }
    return rc;
}

static int sweep_cli(const char *const *args)
{
    return sweep_cli_full(args, FALSE);
}

static void test_sweep_same_bytes_any_jobs_or_merged(void)
{
    const char *bin = zksim_binary();
    if (!bin) {
        fprintf(stderr, "\n[test_out] no ./zksim (run from the repository root after make): sweep not run\n");
        return;
    }
    g_autofree char *tmp = g_dir_make_tmp("zksim-sweep-XXXXXX", NULL);
    g_autofree char *scn = g_build_filename(tmp, "sweep.zks", NULL);
    const char *text = "servers = 3\nduration = 1500ms\nat 0s start all\nwait until leader within 5s\n"
                       "at 1s crash leader\nwait until leader within 5s\n";
    CU_ASSERT_TRUE_FATAL(g_file_set_contents(scn, text, -1, NULL));
    g_autofree char *d1 = g_build_filename(tmp, "j1", NULL);
    g_autofree char *d2 = g_build_filename(tmp, "j2", NULL);
    g_autofree char *d3 = g_build_filename(tmp, "planned", NULL);
    g_autofree char *plan = g_build_filename(tmp, "plan.txt", NULL);
    const char *a1[] = { "sweep", scn, "--vary", "servers=3,5", "--vary", "net.latency=const(200us),uniform(1ms,3ms)",
                         "--seeds", "2", "--jobs", "1", "--out", d1, "--zksim", bin, "--quiet", "--no-plots", NULL };
    CU_ASSERT_EQUAL(sweep_cli(a1), 0);
    const char *a2[] = { "sweep", scn, "--vary", "servers=3,5", "--vary", "net.latency=const(200us),uniform(1ms,3ms)",
                         "--seeds", "2", "--jobs", "2", "--out", d2, "--zksim", bin, "--quiet", NULL };
    CU_ASSERT_EQUAL(sweep_cli(a2), 0);
    const char *a3[] = { "sweep", scn, "--vary", "servers=3,5", "--vary", "net.latency=const(200us),uniform(1ms,3ms)",
                         "--seeds", "2", "--out", d3, "--zksim", bin, "--plan", plan, "--quiet", NULL };
    CU_ASSERT_EQUAL(sweep_cli(a3), 0);
    /* The plan, run backwards, one line at a time, as another machine would. */
    g_autofree char *lines_text = NULL;
    CU_ASSERT_TRUE_FATAL(g_file_get_contents(plan, &lines_text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(g_strstrip(lines_text), "\n", -1);
    CU_ASSERT_EQUAL(g_strv_length(lines), 8);
    const char *merge_early[] = { "sweep", "--merge", d3, "--quiet", "--no-plots", NULL };
    CU_ASSERT_EQUAL(sweep_cli_full(merge_early, TRUE), 1); /* nothing ran yet */
    for (guint i = g_strv_length(lines); i-- > 0;) {
        const char *argv[] = { "/bin/sh", "-c", lines[i], NULL };
        int status = -1;
        CU_ASSERT_TRUE(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
        CU_ASSERT_EQUAL(status, 0);
    }
    const char *merge[] = { "sweep", "--merge", d3, "--quiet", NULL };
    CU_ASSERT_EQUAL(sweep_cli(merge), 0);
    g_autofree char *c1 = read_text(d1, "sweep.csv");
    g_autofree char *c2 = read_text(d2, "sweep.csv");
    g_autofree char *c3 = read_text(d3, "sweep.csv");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
    CU_ASSERT_STRING_EQUAL(c1, c2 ? c2 : "");
    CU_ASSERT_STRING_EQUAL(c1, c3 ? c3 : "");
    /* Four points, each its parameters and two seeds. */
    g_auto(GStrv) rows = g_strsplit(g_strstrip(c1), "\n", -1);
    CU_ASSERT_EQUAL(g_strv_length(rows), 5);
    CU_ASSERT_TRUE(g_str_has_prefix(rows[0], "point,servers,net.latency,runs,failed,election_ms_mean,"));
    CU_ASSERT_TRUE(g_str_has_prefix(rows[4], "p003,5,\"uniform(1ms,3ms)\",2,0,"));
    if (out_gnuplot_available()) {
        g_autofree char *png = read_text(d2, "plots/election-time-vs-servers.png");
        CU_ASSERT_TRUE(png && memcmp(png, "\x89PNG", 4) == 0);
    }
    /* A bad key is found before anything runs. */
    const char *bad[] = { "sweep", scn, "--vary", "serverz=3,5", "--out", d1, "--zksim", bin, "--quiet", NULL };
    CU_ASSERT_EQUAL(sweep_cli_full(bad, TRUE), 2);
    rm_rf(tmp);
}

void tests_out_register(void)
{
    static const TestCase cases[] = {
        { "JSON reader: RFC 8259 edge cases", test_json_reader },
        { "percentiles are exact nearest-rank", test_percentiles_exact },
        { "notification flows: FIFO with losses", test_flows_fifo_with_losses },
        { "summary, metrics, trace of a known trace", test_summary_exact_on_synthetic_trace },
        { "summary agrees with the timeline", test_summary_agrees_with_timeline },
        { "traced messages: every arrow lands", test_message_flows_match_receives },
        { "sweep grid and values", test_sweep_grid },
        { "sweep.csv: same bytes with any --jobs and merged", test_sweep_same_bytes_any_jobs_or_merged },
    };
    TEST_SUITE("out", cases);
}
