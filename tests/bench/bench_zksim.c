/* bench_zksim.c - zksim on the W1 workload, beside the bare-C reference.
 *
 * W1 (the benchmark everyone can reproduce): server N leads an N-server
 * ensemble; C clients, client k on server ((k-1) mod N)+1; every link
 * one-way 100 us; fsync a pure 1 ms with unlimited concurrency; no CPU
 * costs; each client keeps one write outstanding.  10 s of simulated time
 * measured from the moment the leader is established and every follower
 * serves.  Expected for
 * N=5, C=100: mean write latency 1.556 ms, about 642,800 writes.
 *
 * Usage: bench_zksim [--trace] N C [SECONDS]
 * Prints writes, mean latency, events, wall time, events/s, simulated
 * seconds per wall second and peak RSS.  Wall time is read here only.
 * BENCH_VERBOSE=1 also prints the events still pending at the end (the
 * heap's size, which a pop's cost grows with).
 */
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "zk_client.h"
#include "zk_ensemble.h"
#include "zk_workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void start_client(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    zk_client_start(data);
}

static gboolean all_serving(ZkEnsemble *ens, int n)
{
    if (zk_ensemble_leader(ens) == 0)
        return FALSE;
    for (int sid = 1; sid <= n; sid++)
        if (!zk_ensemble_server(ens, sid)->serving)
            return FALSE;
    return TRUE;
}

static void totals(ZkClients *cl, uint64_t *writes, SimTime *lat)
{
    *writes = 0;
    *lat = 0;
    for (guint i = 0; i < zk_clients_count(cl); i++) {
        const ZkClientStats *st = zk_client_stats(zk_clients_get(cl, i));
        *writes += st->writes_ok;
        *lat += st->write_latency_ns;
    }
}

int main(int argc, char **argv)
{
    sim_memory_tune((size_t)512 << 20); /* as zksim does */
    gboolean trace = argc > 1 && strcmp(argv[1], "--trace") == 0;
    int a = trace ? 2 : 1;
    int n = argc > a ? atoi(argv[a]) : 5, c = argc > a + 1 ? atoi(argv[a + 1]) : 100;
    double secs = argc > a + 2 ? atof(argv[a + 2]) : 10.0;
    if (n < 1 || c < 1) {
        fprintf(stderr, "usage: bench_zksim [--trace] N C [SECONDS]\n");
        return 2;
    }
    Sim *sim = sim_new(1);
    FILE *devnull = NULL;
    if (trace) {
        devnull = fopen("/dev/null", "w");
        sim_trace_add_jsonl(sim, devnull);
    }
    SimNetConfig nc = { .latency = sim_dist_const(100 * SIM_US) };
    sim_net_configure(sim, &nc);
    SimDiskConfig dc = { .fsync = sim_dist_const(SIM_MS), .concurrent = TRUE };
    sim_disk_configure_default(sim, &dc);
    ZkConfig cfg;
    zk_config_defaults(&cfg, n);
    ZkEnsemble *ens = zk_ensemble_new(sim, &cfg);
    ZkClients *cl = zk_clients_new(ens);
    ZkWorkloadSpec spec;
    zk_workload_spec_defaults(&spec, ZK_WORKLOAD_MIXED);
    spec.reads = 0;
    spec.outstanding = 1;
    spec.keys = c;
    spec.path = "/w1";
    ZkWorkload *wl = zk_workload_new(cl, "w1", &spec);
    for (int k = 1; k <= c; k++) {
        char name[32];
        g_snprintf(name, sizeof name, "c%d", k);
        int host = (k - 1) % n + 1;
        ZkClientConfig cc = { .name = name, .servers = &host, .n_servers = 1, .keep_order = TRUE };
        ZkClient *client = zk_client_new(cl, &cc);
        zk_workload_add_client(wl, client);
    }
    for (int sid = 1; sid <= n; sid++)
        zk_ensemble_start(ens, sid);
    /* W1 runs on an established ensemble: every server serving (a
     * follower that met the leader a little late syncs ~100 ms after the
     * others, and its clients would start in a reconnect back-off). */
    while (!all_serving(ens, n) && sim_step(sim))
        ;
    /* The clients start then, so none of them sits out a reconnect
     * back-off while the measurement runs. */
    for (guint i = 0; i < zk_clients_count(cl); i++)
        sim_at(sim, sim_now(sim), SIM_NO_NODE, start_client, NULL, zk_clients_get(cl, i));
    if (zk_ensemble_leader(ens) != n)
        fprintf(stderr, "warning: s%d leads, not s%d\n", zk_ensemble_leader(ens), n);
    SimTime t0 = sim_now(sim);
    uint64_t w0, e0 = sim_events_run(sim);
    SimTime l0;
    totals(cl, &w0, &l0);
    double wall0 = wall();
    sim_run(sim, t0 + (SimTime)(secs * SIM_S), UINT64_MAX);
    double dt = wall() - wall0;
    uint64_t w1, e1 = sim_events_run(sim);
    SimTime l1;
    totals(cl, &w1, &l1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t writes = w1 - w0;
    printf("zksim W1 N=%d C=%d%s: %" G_GUINT64_FORMAT " writes, mean latency %.4f ms, %" G_GUINT64_FORMAT
           " events, %.3f s, %.0f events/s, %.2f sim s/wall s, peak RSS %ld KiB%s\n",
           n, c, trace ? " (jsonl trace)" : "", writes, writes ? (double)(l1 - l0) / (double)writes / 1e6 : 0,
           e1 - e0, dt, (double)(e1 - e0) / dt, secs / dt, ru.ru_maxrss,
           sim_failure(sim) ? " INVARIANT BROKEN" : "");
    if (getenv("BENCH_VERBOSE"))
        fprintf(stderr, "pending events at the end: %zu (queue slots %zu)\n", sim_events_pending(sim),
                sim_events_capacity(sim));
    zk_clients_free(cl);
    zk_ensemble_free(ens);
    sim_free(sim);
    if (devnull)
        fclose(devnull);
    return 0;
}
