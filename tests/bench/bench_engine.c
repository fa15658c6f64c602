/* bench_engine.c - engine micro-benchmarks: raw queue throughput, and a
 * synthetic load (many nodes exchanging messages over connections with
 * random latency while timers are set and cancelled), with tracing off,
 * with the hash sink and with JSON Lines written to /dev/null.
 * Prints events per second and peak RSS.  Wall-clock time is read here
 * only, never inside the simulation. */
#include "sim_net.h"
#include "sim_trace.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---- queue alone ---- */

static void nop(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    (void)data;
}

static void bench_queue(void)
{
    Sim *sim = sim_new(1);
    SimRng *r = sim_rng(sim, "bench");
    const int pending = 10000;
    const uint64_t total = 5000000;
    for (int i = 0; i < pending; i++)
        sim_after(sim, (SimTime)sim_rng_below(r, SIM_MS), SIM_NO_NODE, nop, NULL, NULL);
    double t0 = wall();
    for (uint64_t i = 0; i < total; i++) {
        sim_step(sim);
        sim_after(sim, (SimTime)sim_rng_below(r, SIM_MS), SIM_NO_NODE, nop, NULL, NULL);
    }
    double dt = wall() - t0;
    printf("%-34s %12.0f events/s   (%llu events, %d pending, %.2f s)\n", "queue: step+push", total / dt,
           (unsigned long long)total, pending, dt);
    sim_free(sim);
}

/* ---- synthetic message load ---- */

#define NODES 64
#define PEERS 8

typedef struct {
    Sim *sim;
    int id;
    SimConnId conn[PEERS];
    int peer[PEERS];
    SimEventId timeout;
    SimRng *rng;
    uint64_t got;
} BNode;

static BNode nodes[NODES];

static void on_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    (void)data;
}

static void send_one(Sim *sim, BNode *b)
{
    int k = (int)sim_rng_below(b->rng, PEERS);
    if (b->conn[k])
        sim_net_send(sim, b->conn[k], b->id, 1, NULL, 128);
}

static void on_message(Sim *sim, int node, SimConnId c, int channel, int type, void *payload, uint32_t size,
                       void *ctx)
{
    (void)node;
    (void)c;
    (void)channel;
    (void)type;
    (void)payload;
    (void)size;
    BNode *b = ctx;
    b->got++;
    /* Every message re-arms a timeout (set and cancel, as election and
     * ping timers are) and answers with one message. */
    sim_cancel(sim, b->timeout);
    b->timeout = sim_node_timer(sim, b->id, 10 * SIM_MS, on_timeout, b, NULL);
    SIM_TRACE(sim, b->id, "RECV", SF_UINT("n", b->got));
    send_one(sim, b);
}

static gboolean on_accept(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    (void)c;
    (void)peer;
    (void)channel;
    (void)ctx;
    return TRUE;
}

static void on_connected(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)node;
    (void)peer;
    BNode *b = ctx;
    b->conn[channel] = c;
    for (int i = 0; i < 4; i++)
        sim_net_send(sim, c, b->id, 1, NULL, 128);
}

static const SimNodeOps ops = {
    .accept = on_accept,
    .connected = on_connected,
    .message = on_message,
};

typedef enum { TRACE_OFF, TRACE_HASH, TRACE_JSONL } TraceMode;

static void bench_load(TraceMode mode, SimTime sim_len)
{
    Sim *sim = sim_new(1);
    FILE *devnull = NULL;
    if (mode == TRACE_HASH)
        sim_trace_add_hash(sim);
    if (mode == TRACE_JSONL) {
        devnull = fopen("/dev/null", "w");
        sim_trace_add_jsonl(sim, devnull);
    }
    SimNetConfig nc = { .latency = { .kind = SIM_DIST_EXP, .a = 200 * SIM_US } };
    sim_net_configure(sim, &nc);
    for (int i = 0; i < NODES; i++) {
        char name[16];
        g_snprintf(name, sizeof name, "n%d", i);
        nodes[i] = (BNode){ .sim = sim, .id = i };
        sim_node_add(sim, name, 0, &ops, &nodes[i]);
        nodes[i].rng = sim_rng(sim, name);
    }
    /* Each node connects to PEERS others; connections are one-way here:
     * the initiator sends, the acceptor answers on its own connections. */
    for (int i = 0; i < NODES; i++)
        for (int k = 0; k < PEERS; k++)
            sim_net_connect(sim, i, (i + k + 1) % NODES, k, SIM_S);
    double t0 = wall();
    uint64_t ev = sim_run(sim, sim_len, UINT64_MAX);
    double dt = wall() - t0;
    const char *name = mode == TRACE_OFF ? "load: trace off" : mode == TRACE_HASH ? "load: trace hash" : "load: trace jsonl";
    printf("%-34s %12.0f events/s   (%llu events, %.1f sim s/wall s, %.2f s)\n", name, ev / dt,
           (unsigned long long)ev, (double)sim_len / SIM_S / dt, dt);
    sim_free(sim);
    if (devnull)
        fclose(devnull);
}

int main(void)
{
    printf("zksim engine benchmark (one run; figures vary with machine load)\n");
    bench_queue();
    bench_load(TRACE_OFF, 2 * SIM_S);
    bench_load(TRACE_HASH, 2 * SIM_S);
    bench_load(TRACE_JSONL, 2 * SIM_S);
    printf("%-34s %12ld KiB\n", "peak RSS", peak_rss_kb());
    return 0;
}
