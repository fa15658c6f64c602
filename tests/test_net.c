/* test_net.c - connections, FIFO under random latency, partitions (one-way
 * too) and heal, loss as broken connections, crashes, close, filters,
 * bandwidth and NIC queueing, counters. */
#include "sim_internal.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "test_util.h"

#include <string.h>

typedef struct {
    int accepts;
    gboolean refuse;
    int connected;
    int failed;
    int closed;
    SimTime failed_at;
    SimTime connected_at;
    SimTime accepted_at;
    SimTime closed_at;
    SimConnId conn;
    GArray *types; /* int, message types in arrival order */
    GArray *times; /* SimTime */
    int channel;   /* of the last message */
    int pause_on;  /* a message of this type pauses the receiver (0: none) */
} Rec;

static gboolean r_accept(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)node;
    (void)peer;
    (void)channel;
    Rec *r = ctx;
    r->accepts++;
    r->accepted_at = sim_now(sim);
    if (r->refuse)
        return FALSE;
    r->conn = c;
    return TRUE;
}

static void r_connected(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)node;
    (void)peer;
    (void)channel;
    Rec *r = ctx;
    r->connected++;
    r->connected_at = sim_now(sim);
    r->conn = c;
}

static void r_failed(Sim *sim, int node, int peer, int channel, void *ctx)
{
    (void)node;
    (void)peer;
    (void)channel;
    Rec *r = ctx;
    r->failed++;
    r->failed_at = sim_now(sim);
}

static void r_message(Sim *sim, int node, SimConnId c, int channel, int type, void *payload, uint32_t size,
                      void *ctx)
{
    (void)node;
    (void)c;
    (void)payload;
    (void)size;
    Rec *r = ctx;
    r->channel = channel;
    SimTime t = sim_now(sim);
    g_array_append_val(r->types, type);
    g_array_append_val(r->times, t);
    if (r->pause_on && type == r->pause_on)
        sim_node_pause(sim, node);
}

static void r_closed(Sim *sim, int node, SimConnId c, void *ctx)
{
    (void)node;
    (void)c;
    Rec *r = ctx;
    r->closed++;
    r->closed_at = sim_now(sim);
}

static const SimNodeOps rec_ops = {
    .accept = r_accept,
    .connected = r_connected,
    .connect_failed = r_failed,
    .message = r_message,
    .closed = r_closed,
};

typedef struct {
    Sim *sim;
    Rec rec[4];
    int id[4];
} Fix;

static void fix_init(Fix *f, int n, SimDist latency)
{
    memset(f, 0, sizeof *f);
    f->sim = sim_new(5);
    SimNetConfig nc = { .latency = latency, .break_detect = 3 * SIM_MS };
    sim_net_configure(f->sim, &nc);
    for (int i = 0; i < n; i++) {
        char name[8];
        g_snprintf(name, sizeof name, "n%d", i);
        f->rec[i].types = g_array_new(FALSE, FALSE, sizeof(int));
        f->rec[i].times = g_array_new(FALSE, FALSE, sizeof(SimTime));
        f->id[i] = sim_node_add(f->sim, name, 0, &rec_ops, &f->rec[i]);
    }
}

static void fix_free(Fix *f)
{
    for (int i = 0; i < 4; i++) {
        if (f->rec[i].types) {
            g_array_free(f->rec[i].types, TRUE);
            g_array_free(f->rec[i].times, TRUE);
        }
    }
    sim_free(f->sim);
}

/* Connects n0 -> n1 and runs until established. */
static SimConnId fix_connect(Fix *f)
{
    SimConnId c = sim_net_connect(f->sim, 0, 1, 7, 100 * SIM_MS);
    sim_run(f->sim, sim_now(f->sim) + 50 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL(f->rec[0].connected, 1);
    return c;
}

static void run_all(Fix *f)
{
    sim_run(f->sim, SIM_TIME_NEVER, UINT64_MAX);
}

static void test_connect_handshake_times(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = sim_net_connect(f.sim, 0, 1, 7, 100 * SIM_MS);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[1].accepts, 1);
    CU_ASSERT_EQUAL(f.rec[1].accepted_at, 1 * SIM_MS);
    CU_ASSERT_EQUAL(f.rec[0].connected, 1);
    CU_ASSERT_EQUAL(f.rec[0].connected_at, 2 * SIM_MS);
    CU_ASSERT_EQUAL(f.rec[0].conn, c);
    CU_ASSERT_EQUAL(f.rec[1].conn, c);
    CU_ASSERT_EQUAL(sim_net_channel(f.sim, c), 7);
    CU_ASSERT_EQUAL(sim_net_peer(f.sim, c, 0), 1);
    CU_ASSERT_EQUAL(sim_net_peer(f.sim, c, 1), 0);
    CU_ASSERT_TRUE(sim_net_is_open(f.sim, c, 0));
    fix_free(&f);
}

static void test_connect_refused_and_down(void)
{
    Fix f;
    fix_init(&f, 3, sim_dist_const(SIM_MS));
    f.rec[1].refuse = TRUE;
    sim_net_connect(f.sim, 0, 1, 0, 100 * SIM_MS);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].failed, 1);
    CU_ASSERT_EQUAL(f.rec[0].failed_at, 2 * SIM_MS);
    CU_ASSERT_EQUAL(f.rec[0].connected, 0);
    /* A crashed peer: its host resets the SYN after a round trip. */
    sim_node_crash(f.sim, 2);
    SimTime t0 = sim_now(f.sim);
    sim_net_connect(f.sim, 0, 2, 0, 100 * SIM_MS);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].failed, 2);
    CU_ASSERT_EQUAL(f.rec[0].failed_at, t0 + 2 * SIM_MS);
    CU_ASSERT_EQUAL(sim_net_open_connections(f.sim), 0);
    fix_free(&f);
}

static void test_fifo_under_random_latency(void)
{
    Fix f;
    fix_init(&f, 2, (SimDist){ .kind = SIM_DIST_UNIFORM, .a = SIM_US, .b = 10 * SIM_MS });
    SimConnId c = fix_connect(&f);
    /* 2000 messages, one every 10 us: latency varies 1 us..10 ms, so
     * without FIFO most would overtake each other. */
    for (int i = 0; i < 2000; i++) {
        sim_net_send(f.sim, c, 0, i, NULL, 100);
        sim_run(f.sim, sim_now(f.sim) + 10 * SIM_US, UINT64_MAX);
    }
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 2000);
    CU_ASSERT_EQUAL(f.rec[1].channel, 7); /* the connection's, handed to the hook */
    for (int i = 0; i < 2000; i++) {
        CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, i), i);
        if (i)
            CU_ASSERT_TRUE(g_array_index(f.rec[1].times, SimTime, i) >=
                           g_array_index(f.rec[1].times, SimTime, i - 1));
    }
    fix_free(&f);
}

static void test_partition_holds_and_heal_releases(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    /* One-way cut 0 -> 1: 0's data is held, 1's still flows. */
    sim_net_cut_link(f.sim, 0, 1);
    CU_ASSERT_FALSE(sim_net_reachable(f.sim, 0, 1));
    CU_ASSERT_TRUE(sim_net_reachable(f.sim, 1, 0));
    sim_net_send(f.sim, c, 0, 1, NULL, 10);
    sim_net_send(f.sim, c, 0, 2, NULL, 10);
    sim_net_send(f.sim, c, 1, 3, NULL, 10);
    sim_run(f.sim, sim_now(f.sim) + 500 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 0);
    CU_ASSERT_EQUAL(f.rec[0].types->len, 1);
    CU_ASSERT_EQUAL(f.rec[0].closed + f.rec[1].closed, 0); /* TCP keeps trying */
    SimTime healed = sim_now(f.sim);
    sim_net_heal(f.sim);
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 2);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 0), 1);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 1), 2);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 0), healed + SIM_MS);
    fix_free(&f);
}

static void test_partition_groups_and_connect_timeout(void)
{
    Fix f;
    fix_init(&f, 4, sim_dist_const(SIM_MS));
    const int g1[] = { 0, 1, -1 }, g2[] = { 2, 3, -1 };
    const int *groups[] = { g1, g2 };
    sim_net_partition(f.sim, groups, 2);
    CU_ASSERT_TRUE(sim_net_reachable(f.sim, 0, 1));
    CU_ASSERT_FALSE(sim_net_reachable(f.sim, 0, 2));
    CU_ASSERT_FALSE(sim_net_reachable(f.sim, 3, 1));
    sim_net_connect(f.sim, 0, 2, 0, 5 * SIM_S);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].failed, 1);
    CU_ASSERT_EQUAL(f.rec[0].failed_at, 5 * SIM_S);
    CU_ASSERT_EQUAL(f.rec[2].accepts, 0);
    sim_net_heal(f.sim);
    sim_net_connect(f.sim, 0, 2, 0, 5 * SIM_S);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].connected, 1);
    fix_free(&f);
}

static void test_loss_breaks_connection(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    sim_net_send(f.sim, c, 0, 1, NULL, 10); /* in flight when the break comes */
    SimLinkParams lp = { .loss = 1.0, .has_loss = TRUE };
    sim_net_set_link(f.sim, 0, 1, &lp);
    SimTime t0 = sim_now(f.sim);
    sim_net_send(f.sim, c, 0, 2, NULL, 10);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 0); /* everything in flight lost */
    CU_ASSERT_EQUAL(f.rec[0].closed, 1);
    CU_ASSERT_EQUAL(f.rec[1].closed, 1);
    CU_ASSERT_EQUAL(f.rec[0].closed_at, t0 + 3 * SIM_MS);
    CU_ASSERT_FALSE(sim_net_is_open(f.sim, c, 0));
    CU_ASSERT_EQUAL(sim_net_link_stats(f.sim, 0, 1).dropped, 1);
    CU_ASSERT_EQUAL(sim_net_open_connections(f.sim), 0);
    fix_free(&f);
}

static void test_crash_resets_peer(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    sim_net_send(f.sim, c, 0, 1, NULL, 10);
    SimTime t0 = sim_now(f.sim);
    sim_node_crash(f.sim, 1);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 0);
    CU_ASSERT_EQUAL(f.rec[0].closed, 1);
    CU_ASSERT_EQUAL(f.rec[0].closed_at, t0 + SIM_MS);
    CU_ASSERT_FALSE(sim_net_send(f.sim, c, 0, 2, NULL, 10));
    fix_free(&f);
}

static void test_crash_behind_partition_resets_at_heal(void)
{
    /* The peer crashes while cut off: no reset can reach us, and the
     * connection looks open.  After heal, our next write (or the heal
     * itself) brings the reset. */
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    sim_net_cut_link(f.sim, 0, 1);
    sim_net_cut_link(f.sim, 1, 0);
    sim_node_crash(f.sim, 1);
    sim_run(f.sim, sim_now(f.sim) + SIM_S, UINT64_MAX);
    CU_ASSERT_EQUAL(f.rec[0].closed, 0);
    (void)c;
    SimTime t0 = sim_now(f.sim);
    sim_net_heal(f.sim);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].closed, 1);
    CU_ASSERT_EQUAL(f.rec[0].closed_at, t0 + SIM_MS);
    fix_free(&f);
}

static void test_close_after_data(void)
{
    Fix f;
    fix_init(&f, 2, (SimDist){ .kind = SIM_DIST_UNIFORM, .a = SIM_US, .b = 5 * SIM_MS });
    SimConnId c = fix_connect(&f);
    for (int i = 0; i < 20; i++)
        sim_net_send(f.sim, c, 0, i, NULL, 10);
    sim_net_close(f.sim, c, 0);
    CU_ASSERT_FALSE(sim_net_is_open(f.sim, c, 0));
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 20);
    CU_ASSERT_EQUAL(f.rec[1].closed, 1);
    CU_ASSERT_TRUE(f.rec[1].closed_at >= g_array_index(f.rec[1].times, SimTime, 19));
    CU_ASSERT_EQUAL(f.rec[0].closed, 0); /* the closer is not told */
    fix_free(&f);
}

static void test_filters_drop_delay_break(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    /* Drop the first type-5 message from 0 to 1, once. */
    sim_net_add_filter(f.sim, &(SimFilter){ .type = 5, .from = 0, .to = 1, .action = SIM_FILTER_DROP,
                                            .count = 1, .until = SIM_TIME_NEVER });
    sim_net_send(f.sim, c, 0, 5, NULL, 10);
    sim_net_send(f.sim, c, 0, 5, NULL, 10);
    sim_net_send(f.sim, c, 0, 6, NULL, 10);
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 2);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 0), 5);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 1), 6);
    /* Delay type 7 by 10 ms: a later type 8 queues behind it (FIFO). */
    int id = sim_net_add_filter(f.sim, &(SimFilter){ .type = 7, .from = -1, .to = -1, .action = SIM_FILTER_DELAY,
                                                     .delay = 10 * SIM_MS, .count = -1, .until = SIM_TIME_NEVER });
    SimTime t0 = sim_now(f.sim);
    sim_net_send(f.sim, c, 0, 7, NULL, 10);
    sim_net_send(f.sim, c, 0, 8, NULL, 10);
    run_all(&f);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 2), t0 + 11 * SIM_MS);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 3), 8);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 3), t0 + 11 * SIM_MS);
    sim_net_remove_filter(f.sim, id);
    /* Break at the next type 9. */
    sim_net_add_filter(f.sim, &(SimFilter){ .type = 9, .from = -1, .to = -1, .action = SIM_FILTER_BREAK,
                                            .count = 1, .until = SIM_TIME_NEVER });
    sim_net_send(f.sim, c, 0, 9, NULL, 10);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 4);
    CU_ASSERT_EQUAL(f.rec[0].closed, 1);
    CU_ASSERT_EQUAL(f.rec[1].closed, 1);
    fix_free(&f);
}

static void test_bandwidth_and_nic_queueing(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimNetConfig nc = { .latency = sim_dist_const(SIM_MS), .bytes_per_sec = 1000000, .nic_per_msg = 0 };
    sim_net_configure(f.sim, &nc);
    SimConnId c = fix_connect(&f);
    SimTime t0 = sim_now(f.sim);
    /* 1 MB at 1 MB/s: a second on the wire; the next small message waits
     * behind it at the NIC. */
    sim_net_send(f.sim, c, 0, 1, NULL, 1000000);
    sim_net_send(f.sim, c, 0, 2, NULL, 1000);
    run_all(&f);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 0), t0 + SIM_S + SIM_MS);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 1), t0 + SIM_S + SIM_MS + SIM_MS);
    SimLinkStats s = sim_net_link_stats(f.sim, 0, 1);
    CU_ASSERT_EQUAL(s.msgs, 2);
    CU_ASSERT_EQUAL(s.bytes, 1001000);
    CU_ASSERT_EQUAL(sim_net_link_stats(f.sim, 1, 0).msgs, 0);
    CU_ASSERT_EQUAL(sim_net_total_stats(f.sim).msgs, 2);
    /* A second connection adds to the same pair; closed and freed, both
     * still count. */
    SimConnId c2 = sim_net_connect(f.sim, 0, 1, 7, 100 * SIM_MS);
    run_all(&f);
    sim_net_send(f.sim, c2, 0, 3, NULL, 10);
    run_all(&f);
    CU_ASSERT_EQUAL(sim_net_link_stats(f.sim, 0, 1).msgs, 3);
    sim_net_close(f.sim, c, 0);
    sim_net_close(f.sim, c2, 0);
    run_all(&f);
    CU_ASSERT_EQUAL(sim_net_open_connections(f.sim), 0);
    s = sim_net_link_stats(f.sim, 0, 1);
    CU_ASSERT_EQUAL(s.msgs, 3);
    CU_ASSERT_EQUAL(s.bytes, 1001010);
    fix_free(&f);
}

static void test_group_latency_override(void)
{
    Fix f;
    fix_init(&f, 3, sim_dist_const(SIM_MS));
    sim_net_set_group(f.sim, 0, "dc1");
    sim_net_set_group(f.sim, 1, "dc2");
    sim_net_set_group(f.sim, 2, "dc1");
    SimDist wan = sim_dist_const(40 * SIM_MS);
    sim_net_set_group_latency(f.sim, "dc1", "dc2", &wan);
    sim_net_connect(f.sim, 0, 1, 0, SIM_S);
    sim_net_connect(f.sim, 2, 0, 0, SIM_S);
    run_all(&f);
    CU_ASSERT_EQUAL(f.rec[0].connected_at, 80 * SIM_MS); /* WAN round trip */
    CU_ASSERT_EQUAL(f.rec[2].connected_at, 2 * SIM_MS);  /* same DC */
    fix_free(&f);
}

static void test_paused_receiver_reads_nothing(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    SimTime t0 = sim_now(f.sim);
    sim_node_pause(f.sim, 1);
    sim_net_send(f.sim, c, 0, 1, NULL, 10);
    sim_net_send(f.sim, c, 0, 2, NULL, 10);
    sim_run(f.sim, t0 + 100 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL(f.rec[1].types->len, 0);
    sim_node_resume(f.sim, 1);
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 2);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 0), t0 + 100 * SIM_MS);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 1), 2);
    fix_free(&f);
}

/* Messages that reach a node in the same instant are read in one event;
 * one due later is not, and a receiver that pauses itself mid-burst
 * reads the rest only when resumed. */
static void test_burst_read_in_one_event(void)
{
    Fix f;
    fix_init(&f, 2, sim_dist_const(SIM_MS));
    SimConnId c = fix_connect(&f);
    SimTime t0 = sim_now(f.sim);
    for (int type = 1; type <= 3; type++)
        sim_net_send(f.sim, c, 0, type, NULL, 10);
    sim_run(f.sim, t0 + 10 * SIM_US, UINT64_MAX);
    sim_net_send(f.sim, c, 0, 4, NULL, 10);
    uint64_t ev0 = sim_events_run(f.sim);
    /* sim_run counts the events it took from the queue. */
    CU_ASSERT_EQUAL(sim_run(f.sim, t0 + SIM_MS, UINT64_MAX), 1);
    CU_ASSERT_EQUAL(sim_events_run(f.sim) - ev0, 3); /* each message counts */
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, i), i + 1);
        CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, i), t0 + SIM_MS);
    }
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 4);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 3), t0 + SIM_MS + 10 * SIM_US);

    f.rec[1].pause_on = 5;
    SimTime t1 = sim_now(f.sim);
    for (int type = 5; type <= 7; type++)
        sim_net_send(f.sim, c, 0, type, NULL, 10);
    sim_run(f.sim, t1 + 50 * SIM_MS, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 5); /* 5 read, then paused */
    sim_node_resume(f.sim, 1);
    run_all(&f);
    CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 7);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, 6), 7);
    CU_ASSERT_EQUAL(g_array_index(f.rec[1].times, SimTime, 5), t1 + 50 * SIM_MS);
    fix_free(&f);
}

static void noop_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    (void)data;
}

/* The run loop's look-ahead reads a queued delivery's connection before
 * it runs: harmless on any event (a delivery on a connection since freed
 * or never made, an event of another kind), and a node that declares
 * hot bytes runs exactly as one that does not. */
static void test_prefetch_lookahead_harmless(void)
{
    static const SimNodeOps hot_ops = {
        .accept = r_accept,
        .connected = r_connected,
        .message = r_message,
        .closed = r_closed,
        .hot_bytes = sizeof(Rec),
    };
    SimTime times[2][3];
    for (int hot = 0; hot < 2; hot++) {
        Fix f;
        fix_init(&f, 2, (SimDist){ .kind = SIM_DIST_UNIFORM, .a = SIM_MS, .b = 3 * SIM_MS });
        if (hot)
            g_array_index(f.sim->node_hooks, SimNodeHooks, f.id[1]).ops = &hot_ops;
        SimConnId c = fix_connect(&f);
        for (int type = 1; type <= 3; type++)
            sim_net_send(f.sim, c, 0, type, NULL, 10);
        const SimEvent *pump = sim_queue_peek(f.sim->queue);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pump);
        CU_ASSERT_EQUAL(pump->owner, f.id[1]); /* the delivery to n1 */
        SimEvent stale = *pump;
        sim_net_prefetch_event(f.sim->net, pump);
        static const uint64_t bad_index[] = { 0, 2, 1000000, 0xffffffffu };
        for (size_t i = 0; i < G_N_ELEMENTS(bad_index); i++) {
            SimEvent e = stale;
            e.data = (void *)(uintptr_t)((bad_index[i] << 1) | 1);
            sim_net_prefetch_event(f.sim->net, &e);
        }
        SimEvent other = stale;
        other.fn = (void (*)(void *, void *, void *))noop_fn;
        sim_net_prefetch_event(f.sim->net, &other);
        run_all(&f);
        CU_ASSERT_EQUAL_FATAL(f.rec[1].types->len, 3);
        for (int i = 0; i < 3; i++) {
            CU_ASSERT_EQUAL(g_array_index(f.rec[1].types, int, i), i + 1);
            times[hot][i] = g_array_index(f.rec[1].times, SimTime, i);
        }
        sim_net_close(f.sim, c, 0);
        run_all(&f);
        CU_ASSERT_EQUAL(sim_net_open_connections(f.sim), 0);
        sim_net_prefetch_event(f.sim->net, &stale); /* its connection is gone */
        CU_ASSERT_EQUAL(f.rec[1].types->len, 3);
        fix_free(&f);
    }
    CU_ASSERT_EQUAL(memcmp(times[0], times[1], sizeof times[0]), 0);
}

void tests_net_register(void)
{
    static const TestCase cases[] = {
        { "prefetch look-ahead: harmless on any event, same run", test_prefetch_lookahead_harmless },
        { "connect handshake times", test_connect_handshake_times },
        { "connect refused and down", test_connect_refused_and_down },
        { "fifo under random latency", test_fifo_under_random_latency },
        { "partition holds, heal releases", test_partition_holds_and_heal_releases },
        { "partition groups, connect timeout", test_partition_groups_and_connect_timeout },
        { "loss breaks connection", test_loss_breaks_connection },
        { "crash resets peer", test_crash_resets_peer },
        { "crash behind a partition resets at heal", test_crash_behind_partition_resets_at_heal },
        { "close after data", test_close_after_data },
        { "filters drop delay break", test_filters_drop_delay_break },
        { "bandwidth and nic queueing", test_bandwidth_and_nic_queueing },
        { "group latency override", test_group_latency_override },
        { "paused receiver reads nothing", test_paused_receiver_reads_nothing },
        { "a burst is read in one event", test_burst_read_in_one_event },
    };
    TEST_SUITE("net", cases);
}
