/* test_core.c - the run loop, node faults (crash, pause), clocks, CPU,
 * random streams and whole-run determinism. */
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records (time, tag) for every fired event. */
typedef struct {
    GArray *times;
    GArray *tags;
} Log;

static void log_init(Log *l)
{
    l->times = g_array_new(FALSE, FALSE, sizeof(SimTime));
    l->tags = g_array_new(FALSE, FALSE, sizeof(int));
}

static void log_free(Log *l)
{
    g_array_free(l->times, TRUE);
    g_array_free(l->tags, TRUE);
}

static void log_fn(Sim *sim, void *ctx, void *data)
{
    Log *l = ctx;
    SimTime t = sim_now(sim);
    int tag = GPOINTER_TO_INT(data);
    g_array_append_val(l->times, t);
    g_array_append_val(l->tags, tag);
}

#define TAG(l, i) g_array_index((l)->tags, int, (i))
#define TIME(l, i) g_array_index((l)->times, SimTime, (i))

static void test_ties_run_in_schedule_order(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    /* Five events at the same instant, scheduled in the order 0..4, plus
     * an earlier one scheduled last: time first, then schedule order. */
    for (int i = 0; i < 5; i++)
        sim_at(sim, 10 * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(i));
    sim_at(sim, 5 * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(99));
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_NEVER, UINT64_MAX), 6);
    CU_ASSERT_EQUAL(TAG(&l, 0), 99);
    for (int i = 0; i < 5; i++) {
        CU_ASSERT_EQUAL(TAG(&l, i + 1), i);
        CU_ASSERT_EQUAL(TIME(&l, i + 1), 10 * SIM_MS);
    }
    log_free(&l);
}

static void test_run_until_and_budget(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    for (int i = 1; i <= 10; i++)
        sim_at(sim, i * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(i));
    CU_ASSERT_EQUAL(sim_run(sim, 4 * SIM_MS + 1, UINT64_MAX), 4);
    CU_ASSERT_EQUAL(sim_now(sim), 4 * SIM_MS + 1);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_NEVER, 3), 3);
    CU_ASSERT_EQUAL(sim_now(sim), 7 * SIM_MS);
    CU_ASSERT_EQUAL(sim_events_pending(sim), 3);
    CU_ASSERT_EQUAL(sim_events_run(sim), 7);
    log_free(&l);
}

static void test_cancel_and_stale_ids(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    SimEventId a = sim_at(sim, 1 * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(1));
    SimEventId b = sim_at(sim, 2 * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(2));
    CU_ASSERT_TRUE(sim_cancel(sim, b));
    CU_ASSERT_FALSE(sim_cancel(sim, b));
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_FALSE(sim_cancel(sim, a)); /* already ran */
    CU_ASSERT_EQUAL(l.tags->len, 1);
    CU_ASSERT_EQUAL(TAG(&l, 0), 1);
    log_free(&l);
}

/* ---- nodes ---- */

typedef struct {
    int crashes;
    int restarts;
} Hooks;

static void hook_crash(Sim *sim, int node, void *ctx)
{
    (void)sim;
    (void)node;
    ((Hooks *)ctx)->crashes++;
}

static void hook_restart(Sim *sim, int node, void *ctx)
{
    (void)sim;
    (void)node;
    ((Hooks *)ctx)->restarts++;
}

static const SimNodeOps hook_ops = { .crash = hook_crash, .restart = hook_restart };

static void test_crash_cancels_node_events(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Hooks h = { 0 };
    Log l;
    log_init(&l);
    int n = sim_node_add(sim, "s1", 0, &hook_ops, &h);
    sim_at(sim, 5 * SIM_MS, n, log_fn, &l, GINT_TO_POINTER(1));
    sim_node_timer(sim, n, 7 * SIM_MS, log_fn, &l, GINT_TO_POINTER(2));
    sim_at(sim, 8 * SIM_MS, SIM_NO_NODE, log_fn, &l, GINT_TO_POINTER(3)); /* not the node's */
    sim_run(sim, 1 * SIM_MS, UINT64_MAX);
    sim_node_crash(sim, n);
    CU_ASSERT_EQUAL(h.crashes, 1);
    CU_ASSERT_EQUAL(sim_node_state(sim, n), SIM_NODE_DOWN);
    CU_ASSERT_EQUAL(sim_events_pending(sim), 1);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(l.tags->len, 1);
    CU_ASSERT_EQUAL(TAG(&l, 0), 3);
    CU_ASSERT_EQUAL(sim_node_incarnation(sim, n), 1);
    sim_node_restart(sim, n);
    CU_ASSERT_EQUAL(h.restarts, 1);
    CU_ASSERT_EQUAL(sim_node_incarnation(sim, n), 2);
    CU_ASSERT_TRUE(sim_node_is_up(sim, n));
    log_free(&l);
}

static void test_pause_defers_in_order_and_keeps_ids(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    int n = sim_node_add(sim, "s1", 0, NULL, NULL);
    /* Timers due at 10, 12 and 14 ms; pause from 5 to 20 ms. */
    sim_node_timer(sim, n, 12 * SIM_MS, log_fn, &l, GINT_TO_POINTER(12));
    sim_node_timer(sim, n, 10 * SIM_MS, log_fn, &l, GINT_TO_POINTER(10));
    SimEventId t14 = sim_node_timer(sim, n, 14 * SIM_MS, log_fn, &l, GINT_TO_POINTER(14));
    sim_node_timer(sim, n, 30 * SIM_MS, log_fn, &l, GINT_TO_POINTER(30));
    sim_run(sim, 5 * SIM_MS, UINT64_MAX);
    sim_node_pause(sim, n);
    sim_run(sim, 20 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL(l.tags->len, 0); /* nothing runs while paused */
    /* A parked event keeps its id: cancelling it works. */
    CU_ASSERT_TRUE(sim_pending(sim, t14));
    CU_ASSERT_TRUE(sim_cancel(sim, t14));
    sim_node_resume(sim, n);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(l.tags->len, 3);
    CU_ASSERT_EQUAL(TAG(&l, 0), 10); /* in the order they came due */
    CU_ASSERT_EQUAL(TAG(&l, 1), 12);
    CU_ASSERT_EQUAL(TIME(&l, 0), 20 * SIM_MS);
    CU_ASSERT_EQUAL(TIME(&l, 1), 20 * SIM_MS);
    CU_ASSERT_EQUAL(TAG(&l, 2), 30);
    CU_ASSERT_EQUAL(TIME(&l, 2), 30 * SIM_MS);
    log_free(&l);
}

static void test_paused_forever_does_not_spin(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    int n = sim_node_add(sim, "s1", 0, NULL, NULL);
    sim_node_timer(sim, n, 1 * SIM_MS, log_fn, &l, NULL);
    sim_node_pause(sim, n);
    CU_ASSERT_EQUAL(sim_run(sim, SIM_TIME_NEVER, 1000), 0);
    CU_ASSERT_EQUAL(l.tags->len, 0);
    CU_ASSERT_EQUAL(sim_events_pending(sim), 1);
    log_free(&l);
}

static void test_clock_drift_and_jump(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    int fast = sim_node_add(sim, "fast", 0, NULL, NULL);
    int jumpy = sim_node_add(sim, "jumpy", 0, NULL, NULL);
    /* 25% fast: a 100 ms local timer fires after 80 ms of real time. */
    sim_node_set_drift(sim, fast, 250000);
    sim_node_timer(sim, fast, 100 * SIM_MS, log_fn, &l, GINT_TO_POINTER(1));
    /* A 100 ms timer, then the clock jumps 60 ms forward at 10 ms: it
     * fires at 40 ms real time. */
    sim_node_timer(sim, jumpy, 100 * SIM_MS, log_fn, &l, GINT_TO_POINTER(2));
    sim_run(sim, 10 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL(sim_node_now(sim, fast), 12500 * SIM_US);
    sim_node_jump(sim, jumpy, 60 * SIM_MS);
    CU_ASSERT_EQUAL(sim_node_now(sim, jumpy), 70 * SIM_MS);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(l.tags->len, 2);
    CU_ASSERT_EQUAL(TAG(&l, 0), 2);
    CU_ASSERT_EQUAL(TIME(&l, 0), 40 * SIM_MS);
    CU_ASSERT_EQUAL(TAG(&l, 1), 1);
    CU_ASSERT_EQUAL(TIME(&l, 1), 80 * SIM_MS);
    /* A drift change mid-way re-times pending timers: a 100 ms timer set
     * at 80 ms on the fast clock, which slows to real speed at 120 ms (50
     * local ms elapsed), fires 50 ms later at 170 ms. */
    sim_node_timer(sim, fast, 100 * SIM_MS, log_fn, &l, GINT_TO_POINTER(3));
    sim_run(sim, 120 * SIM_MS, UINT64_MAX);
    sim_node_set_drift(sim, fast, 0);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(l.tags->len, 3);
    CU_ASSERT_EQUAL(TIME(&l, 2), 170 * SIM_MS);
    log_free(&l);
}

static void test_cpu_fifo_queueing(void)
{
    g_autoptr(Sim) sim = sim_new(1);
    Log l;
    log_init(&l);
    int n = sim_node_add(sim, "s1", 0, NULL, NULL);
    for (int i = 0; i < 3; i++)
        sim_node_cpu_then(sim, n, 2 * SIM_MS, log_fn, &l, GINT_TO_POINTER(i));
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(TIME(&l, 0), 2 * SIM_MS);
    CU_ASSERT_EQUAL(TIME(&l, 1), 4 * SIM_MS);
    CU_ASSERT_EQUAL(TIME(&l, 2), 6 * SIM_MS);
    /* Idle CPU: a job submitted later starts at once. */
    sim_at(sim, 10 * SIM_MS, SIM_NO_NODE, log_fn, &l, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(sim_node_cpu(sim, n, SIM_MS), 11 * SIM_MS);
    CU_ASSERT_EQUAL(sim_node_cpu_busy(sim, n), 7 * SIM_MS);
    log_free(&l);
}

static void test_rng_streams_are_independent(void)
{
    g_autoptr(Sim) a = sim_new(7);
    g_autoptr(Sim) b = sim_new(7);
    /* b creates an extra stream and draws from it first: a's "net"
     * stream is unaffected. */
    SimRng *extra = sim_rng(b, "client/c1");
    for (int i = 0; i < 10; i++)
        sim_rng_u64(extra);
    SimRng *na = sim_rng(a, "net"), *nb = sim_rng(b, "net");
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(sim_rng_u64(na), sim_rng_u64(nb));
    CU_ASSERT_PTR_EQUAL(sim_rng(a, "net"), na);
    g_autoptr(Sim) c = sim_new(8);
    CU_ASSERT_NOT_EQUAL(sim_rng_u64(sim_rng(c, "x")), sim_rng_u64(sim_rng(a, "x")));
}

/* ---- determinism of a whole run ---- */

/* A small synthetic world: nodes send random messages to random peers
 * over connections with random latency and loss, set and cancel timers,
 * crash and restart.  Everything is traced into the hash sink. */
typedef struct World World;
typedef struct {
    World *w;
    int id;
    SimEventId timer;
    SimConnId conn[8];
} WNode;

struct World {
    Sim *sim;
    WNode nodes[8];
    int n;
    uint64_t delivered;
};

static void w_tick(Sim *sim, void *ctx, void *data);

static void w_message(Sim *sim, int node, SimConnId c, int channel, int type, void *payload, uint32_t size,
                      void *ctx)
{
    (void)c;
    (void)channel;
    (void)payload;
    WNode *wn = ctx;
    wn->w->delivered++;
    SIM_TRACE(sim, node, "GOT", SF_INT("type", type), SF_UINT("size", size));
}

static gboolean w_accept(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    (void)channel;
    WNode *wn = ctx;
    wn->conn[peer] = c;
    return TRUE;
}

static void w_connected(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    (void)channel;
    ((WNode *)ctx)->conn[peer] = c;
}

static void w_closed(Sim *sim, int node, SimConnId c, void *ctx)
{
    WNode *wn = ctx;
    for (int i = 0; i < wn->w->n; i++)
        if (wn->conn[i] == c)
            wn->conn[i] = 0;
    SIM_TRACE(sim, node, "LOST");
}

static void restart_cb(Sim *sim, void *ctx, void *data)
{
    (void)ctx;
    sim_node_restart(sim, GPOINTER_TO_INT(data));
}

static void w_tick(Sim *sim, void *ctx, void *data)
{
    (void)data;
    WNode *wn = ctx;
    World *w = wn->w;
    SimRng *r = sim_rng(sim, "world");
    int peer = (int)sim_rng_below(r, (uint64_t)w->n);
    if (peer != wn->id) {
        if (wn->conn[peer] && sim_net_is_open(sim, wn->conn[peer], wn->id))
            sim_net_send(sim, wn->conn[peer], wn->id, (int)sim_rng_below(r, 4), NULL,
                         (uint32_t)sim_rng_range(r, 10, 2000));
        else if (!wn->conn[peer])
            wn->conn[peer] = sim_net_connect(sim, wn->id, peer, 0, 50 * SIM_MS);
        if (sim_rng_chance(r, 0.01) && sim_node_state(sim, peer) == SIM_NODE_UP) {
            sim_node_crash(sim, peer);
            sim_after(sim, 20 * SIM_MS, SIM_NO_NODE, restart_cb, NULL, GINT_TO_POINTER(peer));
        }
    }
    wn->timer = sim_node_timer(sim, wn->id, sim_rng_range(r, 100 * SIM_US, 2 * SIM_MS), w_tick, wn, NULL);
}

static void w_restart(Sim *sim, int node, void *ctx)
{
    WNode *wn = ctx;
    memset(wn->conn, 0, sizeof wn->conn);
    wn->timer = sim_node_timer(sim, node, SIM_MS, w_tick, wn, NULL);
}

static const SimNodeOps w_ops = {
    .restart = w_restart,
    .accept = w_accept,
    .connected = w_connected,
    .message = w_message,
    .closed = w_closed,
};

static uint64_t run_world(uint64_t seed, GString *text)
{
    World w = { 0 };
    w.sim = sim_new(seed);
    w.n = 6;
    sim_trace_add_hash(w.sim);
    FILE *f = NULL;
    char *buf = NULL;
    size_t len = 0;
    if (text) {
        f = open_memstream(&buf, &len);
        sim_trace_add_text(w.sim, f);
    }
    SimNetConfig nc = { .latency = { .kind = SIM_DIST_EXP, .a = 300 * SIM_US }, .loss = 0.001,
                        .break_detect = 5 * SIM_MS };
    sim_net_configure(w.sim, &nc);
    char name[8];
    for (int i = 0; i < w.n; i++) {
        g_snprintf(name, sizeof name, "n%d", i);
        w.nodes[i] = (WNode){ .w = &w, .id = i };
        sim_node_add(w.sim, name, 0, &w_ops, &w.nodes[i]);
        w.nodes[i].timer = sim_node_timer(w.sim, i, SIM_MS, w_tick, &w.nodes[i], NULL);
    }
    sim_run(w.sim, 2 * SIM_S, UINT64_MAX);
    uint64_t h = sim_trace_hash(w.sim);
    CU_ASSERT_TRUE(w.delivered > 1000);
    sim_free(w.sim);
    if (f) {
        fclose(f);
        g_string_append_len(text, buf, (gssize)len);
        free(buf);
    }
    return h;
}

static void test_same_seed_same_bytes(void)
{
    g_autoptr(GString) a = g_string_new(NULL);
    g_autoptr(GString) b = g_string_new(NULL);
    g_autoptr(GString) c = g_string_new(NULL);
    uint64_t ha = run_world(42, a);
    uint64_t hb = run_world(42, b);
    uint64_t hc = run_world(43, c);
    CU_ASSERT_EQUAL(ha, hb);
    CU_ASSERT_TRUE(a->len > 10000);
    CU_ASSERT_TRUE(g_string_equal(a, b));
    CU_ASSERT_NOT_EQUAL(ha, hc);
    CU_ASSERT_FALSE(g_string_equal(a, c));
    /* The hash alone (no text sink) agrees with the traced run. */
    CU_ASSERT_EQUAL(run_world(42, NULL), ha);
}

/* sim_memory_tune: the heap that the allocations to come are carved
 * from is advised for huge pages (VmFlags "hg" in /proc/self/smaps), all
 * of the reservation but its unaligned ends.  Linux and glibc only;
 * under the sanitizers it does nothing by design. */
static void test_memory_tune_advises_heap(void)
{
#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
    const size_t reserve = (size_t)64 << 20;
    sim_memory_tune(reserve);
    g_autofree char *smaps = NULL;
    if (!g_file_get_contents("/proc/self/smaps", &smaps, NULL, NULL))
        return; /* no procfs: nothing to look at */
    g_auto(GStrv) lines = g_strsplit(smaps, "\n", -1);
    size_t advised = 0, size = 0;
    gboolean heap = FALSE;
    for (guint i = 0; lines[i]; i++) {
        unsigned long lo, hi;
        if (sscanf(lines[i], "%lx-%lx ", &lo, &hi) == 2) {
            heap = strstr(lines[i], "[heap]") != NULL;
            size = hi - lo;
        } else if (heap && g_str_has_prefix(lines[i], "VmFlags:") && strstr(lines[i], " hg")) {
            advised += size;
        }
    }
    CU_ASSERT_TRUE(advised >= reserve - ((size_t)4 << 20));
#endif
}

void tests_core_register(void)
{
    static const TestCase cases[] = {
        { "ties run in schedule order", test_ties_run_in_schedule_order },
        { "run until and budget", test_run_until_and_budget },
        { "cancel and stale ids", test_cancel_and_stale_ids },
        { "crash cancels node events", test_crash_cancels_node_events },
        { "pause defers in order, ids kept", test_pause_defers_in_order_and_keeps_ids },
        { "paused forever does not spin", test_paused_forever_does_not_spin },
        { "clock drift and jump", test_clock_drift_and_jump },
        { "cpu fifo queueing", test_cpu_fifo_queueing },
        { "rng streams independent", test_rng_streams_are_independent },
        { "same seed same bytes", test_same_seed_same_bytes },
        { "memory tune advises the heap for huge pages", test_memory_tune_advises_heap },
    };
    TEST_SUITE("core", cases);
}
