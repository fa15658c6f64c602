/* test_hist.c - the history checker: hand-written histories that break
 * each rule (and near misses that keep it), the `file:line:` citations,
 * real runs of bundled scenarios (every one must keep every rule), the
 * live reader against the file reader, and the planted client bug found
 * by the history alone. */
#include "hist.h"
#include "run.h"
#include "test_util.h"
#include "zab_fixture.h"
#include "zk_bugs.h"
#include "zk_client.h"
#include "zk_workload.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define S(x) ((SimTime)((x) * (double)SIM_S))
#define MS(x) ((SimTime)(x) * SIM_MS)

/* ---- hand-written histories ----
 *
 * One event a line, "TYPE NODE key=value... [read]", turned into the
 * timeline's JSON: line k happens at k ms; zxid values are hex; `read`
 * marks an OP_END of a read (it adds stale_txns). */

static void to_json(const char *spec, GString *out, guint line)
{
    g_auto(GStrv) tok = g_strsplit(spec, " ", -1);
    g_string_printf(out, "{\"t\":%u000000,\"node\":\"%s\",\"type\":\"%s\"", line, tok[1], tok[0]);
    for (guint i = 2; tok[i]; i++) {
        if (strcmp(tok[i], "read") == 0) {
            g_string_append(out, ",\"stale_txns\":0,\"stale\":0");
            continue;
        }
        char *eq = strchr(tok[i], '=');
        g_assert(eq);
        *eq = 0;
        const char *k = tok[i], *v = eq + 1;
        gboolean number = strcmp(k, "xid") == 0 || strcmp(k, "server") == 0;
        g_string_append_printf(out, number ? ",\"%s\":%s" : ",\"%s\":\"%s\"", k, v);
    }
    g_string_append_c(out, '}');
}

/* Checks a history; returns the report ("" if it keeps every rule). */
static char *check(const char *const *events)
{
    g_autoptr(Hist) h = hist_new();
    g_autoptr(GString) js = g_string_new(NULL);
    for (guint i = 0; events[i]; i++) {
        to_json(events[i], js, i + 1);
        GError *err = NULL;
        gboolean ok = hist_feed_json(h, js->str, (gssize)js->len, i + 1, &err);
        CU_ASSERT_TRUE_FATAL(ok);
    }
    GString *why = g_string_new(NULL);
    gboolean kept = hist_check(h, why, 10);
    CU_ASSERT_EQUAL(kept, why->len == 0);
    return g_string_free(why, FALSE);
}

static void assert_kept(const char *const *events)
{
    g_autofree char *why = check(events);
    if (*why)
        fprintf(stderr, "\nunexpected violation:\n%s", why);
    CU_ASSERT_STRING_EQUAL(why, "");
}

/* The report's first line must start with `want`. */
static void assert_broken(const char *const *events, const char *want)
{
    g_autofree char *why = check(events);
    if (strncmp(why, want, strlen(want)) != 0)
        fprintf(stderr, "\nwanted: %s\ngot: %s", want, why);
    CU_ASSERT_EQUAL(strncmp(why, want, strlen(want)), 0);
}

#define HELLO(c, s) "CLIENT_START " c, "CLIENT_CONNECTED " c " server=" s

static void test_clean_history(void)
{
    /* Two clients, pipelined writes, a stale read by c2 after c1's write
     * completed (allowed: reads are local), a sync that catches up, and
     * a watch that fires before the data that follows it. */
    static const char *const h[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/a kind=data",
        "OP_START c2 op=getData path=/a xid=1 server=2",
        "OP_END c2 op=getData path=/a xid=1 err=Ok zxid=0x100000001 server=2 read",
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_START c1 op=create2 path=/b xid=2 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000002 server=1",
        "OP_END c1 op=create2 path=/b xid=2 err=Ok zxid=0x100000003 server=1",
        "OP_START c2 op=getData path=/b xid=2 server=2",
        "OP_END c2 op=getData path=/b xid=2 err=NoNode zxid=0x100000001 server=2 read",
        "WATCH_EVENT c2 event=NodeDataChanged path=/a zxid=0x100000002 server=2",
        "OP_START c2 op=sync path=/ xid=3 server=2",
        "OP_END c2 op=sync path=/ xid=3 err=Ok zxid=0x100000003 server=2",
        "OP_START c2 op=getData path=/b xid=4 server=2",
        "OP_END c2 op=getData path=/b xid=4 err=Ok zxid=0x100000003 server=2 read",
        NULL,
    };
    assert_kept(h);
}

static void test_write_order(void)
{
    /* Two successful writes carry the same zxid: no total order. */
    static const char *const h[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_START c2 op=setData path=/b xid=1 server=2",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000005 server=1",
        "OP_END c2 op=setData path=/b xid=1 err=Ok zxid=0x100000005 server=2",
        NULL,
    };
    assert_broken(h, "timeline.jsonl:8: history: write-order: two writes carry zxid 0x100000005");
}

static void test_write_realtime(void)
{
    /* c1's write completes at 0x...7; c2 invokes a write after that and
     * gets 0x...5: ordered before something that preceded it. */
    static const char *const bad[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000007 server=1",
        "OP_START c2 op=create2 path=/b xid=1 server=2",
        "OP_END c2 op=create2 path=/b xid=1 err=Ok zxid=0x100000005 server=2",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:8: history: write-realtime: c2's write got zxid 0x100000005, not after "
                       "0x100000007, which c1 had seen before it was invoked");
    /* The same zxids, but c2 invoked its write before c1's completed:
     * concurrent writes may be ordered either way. */
    static const char *const ok[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_START c2 op=create2 path=/b xid=1 server=2",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000007 server=1",
        "OP_END c2 op=create2 path=/b xid=1 err=Ok zxid=0x100000005 server=2",
        NULL,
    };
    assert_kept(ok);
    /* A read's state counts too: c1 saw 0x...9 before c2's write. */
    static const char *const after_read[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=getData path=/a xid=1 server=1",
        "OP_END c1 op=getData path=/a xid=1 err=Ok zxid=0x200000009 server=1 read",
        "OP_START c2 op=setData path=/b xid=1 server=2",
        "OP_END c2 op=setData path=/b xid=1 err=Ok zxid=0x100000040 server=2",
        NULL,
    };
    assert_broken(after_read, "timeline.jsonl:8: history: write-realtime:");
}

static void test_fifo(void)
{
    /* xid 2 answered by the server while xid 1 is still outstanding. */
    static const char *const bad[] = {
        HELLO("c1", "1"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_START c1 op=getData path=/a xid=2 server=1",
        "OP_END c1 op=getData path=/a xid=2 err=Ok zxid=0x100000001 server=1 read",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000002 server=1",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:5: history: fifo: c1's request xid 2 was answered while its earlier "
                       "request xid 1 was still outstanding");
    /* A request the client fails on its own (no server: server=0) may
     * complete before earlier ones (ClientCnxn.conLossPacket). */
    static const char *const ok[] = {
        HELLO("c1", "1"),
        "OP_START c1 op=closeSession xid=1 server=1",
        "OP_START c1 op=getData path=/a xid=2 server=1",
        "OP_END c1 op=getData path=/a xid=2 err=ConnectionLoss zxid=0x0 server=0 read",
        "OP_END c1 op=closeSession xid=1 err=Ok zxid=0x100000002 server=1",
        NULL,
    };
    assert_kept(ok);
}

static void test_monotonic(void)
{
    /* c1 moves from s1 to s2 and is answered with an older state. */
    static const char *const bad[] = {
        HELLO("c1", "1"),
        "OP_START c1 op=getData path=/a xid=1 server=1",
        "OP_END c1 op=getData path=/a xid=1 err=Ok zxid=0x100000007 server=1 read",
        "CLIENT_DISCONNECTED c1 server=1",
        "CLIENT_CONNECTED c1 server=2",
        "OP_START c1 op=getData path=/a xid=2 server=2",
        "OP_END c1 op=getData path=/a xid=2 err=Ok zxid=0x100000006 server=2 read",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:8: history: monotonic: c1 was answered with zxid 0x100000006 after it had "
                       "seen 0x100000007 (single system image)");
    /* Its own write, then an older read: read your writes. */
    static const char *const ryw[] = {
        HELLO("c1", "1"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000007 server=1",
        "OP_START c1 op=getData path=/a xid=2 server=1",
        "OP_END c1 op=getData path=/a xid=2 err=Ok zxid=0x100000003 server=1 read",
        NULL,
    };
    assert_broken(ryw, "timeline.jsonl:6: history: monotonic: c1 was answered with zxid 0x100000003 after it had "
                       "seen 0x100000007 from its own write (read your writes)");
    /* A new handle (CLIENT_START) is a new session: it may see less. */
    static const char *const ok[] = {
        HELLO("c1", "1"),
        "OP_START c1 op=getData path=/a xid=1 server=1",
        "OP_END c1 op=getData path=/a xid=1 err=Ok zxid=0x100000007 server=1 read",
        HELLO("c1", "2"),
        "OP_START c1 op=getData path=/a xid=1 server=2",
        "OP_END c1 op=getData path=/a xid=1 err=Ok zxid=0x100000006 server=2 read",
        NULL,
    };
    assert_kept(ok);
}

static void test_sync(void)
{
    /* c1's write completed at 0x...9 before c2 invoked sync; c2's sync
     * then comes back at 0x...8. */
    static const char *const bad[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000009 server=1",
        "OP_START c2 op=sync path=/a xid=1 server=2",
        "OP_END c2 op=sync path=/a xid=1 err=Ok zxid=0x100000008 server=2",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:8: history: sync: c2 was answered with zxid 0x100000008 after its sync, but "
                       "c1 had seen 0x100000009 before the sync was invoked");
    /* Without the sync the same stale state is fine. */
    static const char *const stale[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000009 server=1",
        "OP_START c2 op=getData path=/a xid=1 server=2",
        "OP_END c2 op=getData path=/a xid=1 err=Ok zxid=0x100000008 server=2 read",
        NULL,
    };
    assert_kept(stale);
}

static void test_reads_agree(void)
{
    /* /a exists at 0x...5 on s1 but not on s2. */
    static const char *const bad[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=exists path=/a xid=1 server=1",
        "OP_END c1 op=exists path=/a xid=1 err=Ok zxid=0x100000005 server=1 read",
        "OP_START c2 op=getData path=/a xid=1 server=2",
        "OP_END c2 op=getData path=/a xid=1 err=NoNode zxid=0x100000005 server=2 read",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:8: history: reads-agree: /a exists at zxid 0x100000005 on s1 but not on s2");
}

static void test_watch_order(void)
{
    /* c2 watches /a; a reply at 0x...7 arrives, then the event for txn
     * 0x...6: the event came after newer data. */
    static const char *const bad[] = {
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/a kind=data",
        "OP_START c2 op=getData path=/a xid=1 server=2",
        "OP_END c2 op=getData path=/a xid=1 err=Ok zxid=0x100000005 server=2 read",
        "OP_START c2 op=exists path=/z xid=2 server=2",
        "OP_END c2 op=exists path=/z xid=2 err=NoNode zxid=0x100000007 server=2 read",
        "WATCH_EVENT c2 event=NodeDataChanged path=/a zxid=0x100000006 server=2",
        NULL,
    };
    assert_broken(bad, "timeline.jsonl:8: history: watch-order: c2 got the NodeDataChanged event for /a (txn "
                       "0x100000006) after a reply carrying zxid 0x100000007 on the same connection");
    /* The same reply on a new connection: the old one's event is gone,
     * and SetWatches events carry no zxid. */
    static const char *const ok[] = {
        HELLO("c2", "2"),
        "OP_START c2 op=getData path=/a xid=1 server=2",
        "OP_END c2 op=getData path=/a xid=1 err=Ok zxid=0x100000007 server=2 read",
        "CLIENT_DISCONNECTED c2 server=2",
        "CLIENT_CONNECTED c2 server=3",
        "WATCH_EVENT c2 event=NodeDataChanged path=/a zxid=0x100000006 server=3",
        "WATCH_EVENT c2 event=NodeDataChanged path=/b zxid=0xffffffffffffffff server=3",
        NULL,
    };
    assert_kept(ok);
}

static void test_watch_missed(void)
{
    /* c2 watches /cfg (set at 0x...5); c1 sets it at 0x...6; c2 is then
     * answered at 0x...7 and the event never comes. */
    static const char *const lost[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/cfg kind=data",
        "OP_START c2 op=getData path=/cfg xid=1 server=2",
        "OP_END c2 op=getData path=/cfg xid=1 err=Ok zxid=0x100000005 server=2 read",
        "OP_START c1 op=setData path=/cfg xid=1 server=1",
        "OP_END c1 op=setData path=/cfg xid=1 err=Ok zxid=0x100000006 server=1",
        "OP_START c2 op=getData path=/x xid=2 server=2",
        "OP_END c2 op=getData path=/x xid=2 err=Ok zxid=0x100000007 server=2 read",
        NULL,
    };
    assert_broken(lost, "timeline.jsonl:11: history: watch-missed: c2 holds a watch on /cfg (set at zxid "
                        "0x100000005) that txn 0x100000006 fires, but was answered with zxid 0x100000007 before the "
                        "event");
    /* The write's reply may come after the watcher's: the rule still
     * holds it (it is checked over the whole history). */
    static const char *const late_write[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/p kind=child",
        "OP_START c2 op=getChildren2 path=/p xid=1 server=2",
        "OP_END c2 op=getChildren2 path=/p xid=1 err=Ok zxid=0x100000005 server=2 read",
        "OP_START c1 op=create2 path=/p/n xid=1 server=1",
        "OP_START c2 op=exists path=/x xid=2 server=2",
        "OP_END c2 op=exists path=/x xid=2 err=NoNode zxid=0x100000006 server=2 read",
        "OP_END c1 op=create2 path=/p/n xid=1 err=Ok zxid=0x100000006 server=1",
        NULL,
    };
    assert_broken(late_write, "timeline.jsonl:10: history: watch-missed: c2 holds a watch on /p");
    /* The event first, then the reply: kept. */
    static const char *const ok[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/cfg kind=data",
        "OP_START c2 op=getData path=/cfg xid=1 server=2",
        "OP_END c2 op=getData path=/cfg xid=1 err=Ok zxid=0x100000005 server=2 read",
        "OP_START c1 op=setData path=/cfg xid=1 server=1",
        "OP_END c1 op=setData path=/cfg xid=1 err=Ok zxid=0x100000006 server=1",
        "WATCH_EVENT c2 event=NodeDataChanged path=/cfg zxid=0x100000006 server=2",
        "OP_START c2 op=getData path=/x xid=2 server=2",
        "OP_END c2 op=getData path=/x xid=2 err=Ok zxid=0x100000007 server=2 read",
        NULL,
    };
    assert_kept(ok);
    /* An exist watch is not followed across a reconnect (the documented
     * gap: created and deleted while disconnected is missed). */
    static const char *const gap[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/e kind=exist",
        "OP_START c2 op=exists path=/e xid=1 server=2",
        "OP_END c2 op=exists path=/e xid=1 err=NoNode zxid=0x100000005 server=2 read",
        "CLIENT_DISCONNECTED c2 server=2",
        "OP_START c1 op=create2 path=/e xid=1 server=1",
        "OP_END c1 op=create2 path=/e xid=1 err=Ok zxid=0x100000006 server=1",
        "OP_START c1 op=delete path=/e xid=2 server=1",
        "OP_END c1 op=delete path=/e xid=2 err=Ok zxid=0x100000007 server=1",
        "CLIENT_CONNECTED c2 server=3",
        "OP_START c2 op=getData path=/x xid=2 server=3",
        "OP_END c2 op=getData path=/x xid=2 err=Ok zxid=0x100000007 server=3 read",
        NULL,
    };
    assert_kept(gap);
    /* A watch the client removed owes nothing. */
    static const char *const removed[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "WATCH_SET s2 client=c2 path=/cfg kind=data",
        "OP_START c2 op=getData path=/cfg xid=1 server=2",
        "OP_END c2 op=getData path=/cfg xid=1 err=Ok zxid=0x100000005 server=2 read",
        "OP_START c2 op=removeWatches path=/cfg xid=2 server=2",
        "OP_END c2 op=removeWatches path=/cfg xid=2 err=Ok zxid=0x100000005 server=2",
        "OP_START c1 op=setData path=/cfg xid=1 server=1",
        "OP_END c1 op=setData path=/cfg xid=1 err=Ok zxid=0x100000006 server=1",
        "OP_START c2 op=getData path=/x xid=3 server=2",
        "OP_END c2 op=getData path=/x xid=3 err=Ok zxid=0x100000007 server=2 read",
        NULL,
    };
    assert_kept(removed);
}

static void test_report_cites_lines(void)
{
    /* The report cites the invocation and both completions, each as
     * file:line, with the time, client, op and zxid. */
    static const char *const h[] = {
        HELLO("c1", "1"),
        HELLO("c2", "2"),
        "OP_START c1 op=setData path=/a xid=1 server=1",
        "OP_END c1 op=setData path=/a xid=1 err=Ok zxid=0x100000007 server=1",
        "OP_START c2 op=create2 path=/b xid=1 server=2",
        "OP_END c2 op=create2 path=/b xid=1 err=Ok zxid=0x100000005 server=2",
        NULL,
    };
    g_autofree char *why = check(h);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "(1 violation: write-realtime 1)\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(
        why, "  timeline.jsonl:6: 0.006000 s  c1  setData /a (xid 1) -> Ok, zxid 0x100000007 from s1\n"
             "  timeline.jsonl:7: 0.007000 s  c2  create2 /b (xid 1) invoked\n"
             "  timeline.jsonl:8: 0.008000 s  c2  create2 /b (xid 1) -> Ok, zxid 0x100000005 from s2\n"));
}

static void test_bad_input(void)
{
    g_autoptr(Hist) h = hist_new();
    g_autoptr(GError) err = NULL;
    CU_ASSERT_FALSE(hist_feed_json(h, "{\"t\":1,", -1, 3, &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err->message, "timeline.jsonl:3: not a timeline event"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(hist_load_file(h, "/nonexistent/timeline.jsonl", &err));
}

/* ---- real runs ---- */

static void run_scenario_history(const char *scenario)
{
    g_autofree char *tmp = g_dir_make_tmp("zksim-hist-XXXXXX", NULL);
    RunOptions o;
    run_options_init(&o);
    o.scenario = scenario;
    o.out_dir = tmp;
    o.quiet = TRUE;
    o.trace = RUN_TRACE_JSONL;
    RunReport rep;
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(run_scenario(&o, &rep, &err));
    CU_ASSERT_EQUAL(rep.status, RUN_OK);
    run_report_clear(&rep);
    g_autofree char *tl = g_build_filename(tmp, "timeline.jsonl", NULL);
    g_autoptr(Hist) h = hist_new();
    CU_ASSERT_TRUE_FATAL(hist_load_file(h, tl, &err));
    g_autoptr(GString) why = g_string_new(NULL);
    gboolean kept = hist_check(h, why, 5);
    if (!kept)
        fprintf(stderr, "\n%s: %s", scenario, why->str);
    CU_ASSERT_TRUE(kept);
    CU_ASSERT_TRUE(hist_stats(h)->ops > 0);
    const char *names[] = { "timeline.jsonl", "summary.json", "metrics.csv", "trace.json" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_build_filename(tmp, names[i], NULL);
        g_unlink(p);
    }
    g_rmdir(tmp);
}

static void test_bundled_scenarios_keep_every_rule(void)
{
    /* Every bundled scenario with clients: crashes, expiry, catch-up,
     * TRUNC of an old leader, watches across reconnects, locks. */
    const char *scenarios[] = {
        "scenarios/session-expiry.zks",   "scenarios/config-push.zks",      "scenarios/service-registry.zks",
        "scenarios/lock-under-crashes.zks", "scenarios/follower-catchup.zks", "scenarios/old-leader-trunc.zks",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++)
        run_scenario_history(scenarios[i]);
}

/* An ensemble with a config workload (one operator sets /config every
 * 100 ms, five watchers re-read it on every change), a lock workload and
 * a balance workload (watchers that keep reading while they hold
 * watches), servers crashing one after another; the history is read
 * live and from the timeline file at once. */
typedef struct Live {
    Fx f;
    ZkClients *cl;
    FILE *jsonl;
    char *path;
} Live;

static void fast_config(ZkWorkloadSpec *spec)
{
    spec->period = MS(100);
}

static void quick_locks(ZkWorkloadSpec *spec)
{
    spec->hold = MS(50);
    spec->period = MS(20);
}

static void balance_spec(ZkWorkloadSpec *spec)
{
    spec->count = 3;
    spec->period = MS(300);
}

static void add_workload(Live *x, const char *name, ZkWorkloadKind kind, int n, void (*edit)(ZkWorkloadSpec *))
{
    ZkWorkloadSpec spec;
    zk_workload_spec_defaults(&spec, kind);
    edit(&spec);
    ZkWorkload *wl = zk_workload_new(x->cl, name, &spec);
    for (int i = 0; i < n; i++) {
        char cname[32];
        g_snprintf(cname, sizeof cname, "%s%d", name, i);
        ZkClientConfig cfg = { .name = cname, .session_timeout = S(6) };
        ZkClient *c = zk_client_new(x->cl, &cfg);
        zk_workload_add_client(wl, c);
        zk_client_start(c);
    }
}

/* A client of its own: getData -w /config every 20 ms, so replies keep
 * coming while it holds a watch (the workloads' watchers only read after
 * an event, and pings are not in the history). */
static void probe_fn(Sim *sim, void *ctx, void *data)
{
    (void)data;
    ZkClient *c = ctx;
    if (zk_client_is_connected(c) && zk_client_pending(c) < 4)
        zk_client_get_data(c, "/config", TRUE, NULL, NULL);
    sim_after(sim, MS(20), SIM_NO_NODE, probe_fn, c, NULL);
}

static void live_run(Live *x, Hist *h, uint32_t bugs, SimTime until)
{
    fx_init(&x->f, 5, 7, NULL);
    x->f.ens->bugs = bugs;
    g_autofree char *tmp = g_dir_make_tmp("zksim-hist-XXXXXX", NULL);
    x->path = g_build_filename(tmp, "timeline.jsonl", NULL);
    x->jsonl = fopen(x->path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->jsonl);
    sim_trace_add_jsonl(x->f.sim, x->jsonl);
    hist_attach(h, x->f.sim);
    x->cl = zk_clients_new(x->f.ens);
    fx_start_all(&x->f, 0);
    add_workload(x, "cfg", ZK_WORKLOAD_CONFIG, 6, fast_config);
    add_workload(x, "lk", ZK_WORKLOAD_LOCK, 4, quick_locks);
    add_workload(x, "bl", ZK_WORKLOAD_BALANCE, 6, balance_spec);
    ZkClientConfig pc = { .name = "probe", .session_timeout = S(6) };
    ZkClient *probe = zk_client_new(x->cl, &pc);
    zk_client_start(probe);
    sim_after(x->f.sim, S(1), SIM_NO_NODE, probe_fn, probe, NULL);
    for (int i = 1; i <= 4; i++) {
        fx_crash_at(&x->f, i, S(2.5 * i));
        fx_restart_at(&x->f, i, S(2.5 * i + 1));
    }
    /* Past a failure too: a planted bug must not stop the history. */
    for (int k = 0; k < 1000 && sim_now(x->f.sim) < until; k++)
        sim_run(x->f.sim, until, UINT64_MAX);
}

static void live_free(Live *x)
{
    zk_clients_free(x->cl);
    fx_free(&x->f);
    fclose(x->jsonl);
    g_autofree char *dir = g_path_get_dirname(x->path);
    g_unlink(x->path);
    g_rmdir(dir);
    g_free(x->path);
}

static void test_live_equals_file(void)
{
    /* Read live and from the file, the same history gives the same
     * figures and the same verdict: every rule kept. */
    Live x;
    g_autoptr(Hist) live = hist_new();
    live_run(&x, live, 0, S(15));
    CU_ASSERT_PTR_NULL(sim_failure(x.f.sim));
    fflush(x.jsonl);
    g_autoptr(Hist) file = hist_new();
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(hist_load_file(file, x.path, &err));
    g_autoptr(GString) a = g_string_new(NULL), b = g_string_new(NULL);
    hist_stats_format(live, a);
    hist_stats_format(file, b);
    CU_ASSERT_STRING_EQUAL(a->str, b->str);
    const HistStats *st = hist_stats(live);
    CU_ASSERT_TRUE(st->writes > 100 && st->watches > 100 && st->watch_events > 100);
    g_autoptr(GString) why = g_string_new(NULL);
    gboolean kept = hist_check(live, why, 5);
    if (!kept)
        fprintf(stderr, "\n%s", why->str);
    CU_ASSERT_TRUE(kept);
    CU_ASSERT_TRUE(hist_check(file, NULL, 0));
    live_free(&x);
}

static void test_watch_after_reply_found_by_history(void)
{
    /* The planted bug holds watch events back until the next reply.  The
     * model's own client check stops at the first case; run on, and the
     * history alone shows watch events arriving after newer data. */
    Live x;
    g_autoptr(Hist) h = hist_new();
    live_run(&x, h, 1u << ZK_BUG_WATCH_AFTER_REPLY, S(5));
    g_autoptr(GString) why = g_string_new(NULL);
    CU_ASSERT_FALSE(hist_check(h, why, 3));
    CU_ASSERT_TRUE(hist_stats(h)->violations[HIST_RULE_WATCH_ORDER] > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why->str, "history: watch-order: "));
    live_free(&x);
}

void tests_hist_register(void)
{
    static const TestCase cases[] = {
        { "a clean history keeps every rule", test_clean_history },
        { "write-order: two writes at one zxid", test_write_order },
        { "write-realtime: precedence, concurrency, reads", test_write_realtime },
        { "fifo: replies in request order; local failures exempt", test_fifo },
        { "monotonic: no older view; read your writes; new handle", test_monotonic },
        { "sync: sees what was seen before it", test_sync },
        { "reads-agree: one zxid, one tree", test_reads_agree },
        { "watch-order: events before newer data", test_watch_order },
        { "watch-missed: owed events, removals, the exist gap", test_watch_missed },
        { "reports cite file:line of each operation", test_report_cites_lines },
        { "bad input is an error", test_bad_input },
        { "bundled scenarios keep every rule", test_bundled_scenarios_keep_every_rule },
        { "live and file readers agree", test_live_equals_file },
        { "watch-after-reply found by the history alone", test_watch_after_reply_found_by_history },
    };
    TEST_SUITE("hist", cases);
}
