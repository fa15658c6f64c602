/* sim_disk.c - log devices with fsync latency and group commit (serial
 * mode: one fsync at a time, the flushes asked for meanwhile join the
 * next; concurrent mode: fsyncs overlap, and the flushes that would
 * complete in the same instant share one). */
#include "sim_internal.h"
#include "sim_ring.h"

typedef struct {
    uint64_t target; /* durable once this write number is */
    SimEventFn fn;
    void *ctx;
    void *data;
} FlushReq;

struct SimDisk {
    Sim *sim;
    int node;
    SimDiskConfig cfg;
    SimRng *rng;
    uint64_t written;
    uint64_t durable;
    uint64_t in_flight_target; /* serialised mode: what the running fsync covers */
    gboolean busy;
    SimEventId fsync_ev; /* the latest fsync started */
    SimTime last_done;   /* concurrent mode: when fsync_ev completes */
    SimRing waiting; /* FlushReq, in request order */
    uint64_t fsyncs;
    double slow_factor;
    SimTime slow_extra;
    SimTime write_busy_until;
};

SimDisk *sim_disk_new(Sim *sim, int node)
{
    SimDisk *d = g_new0(SimDisk, 1);
    d->sim = sim;
    d->node = node;
    d->cfg = sim->disk_default;
    char name[64];
    g_snprintf(name, sizeof name, "disk/%s", sim_node_name(sim, node));
    d->rng = sim_rng(sim, name);
    sim_ring_init(&d->waiting, sizeof(FlushReq));
    d->slow_factor = 1.0;
    return d;
}

void sim_disk_free(SimDisk *d)
{
    if (!d)
        return;
    sim_ring_clear(&d->waiting);
    g_free(d);
}

static SimDisk *disk_of(Sim *sim, int node)
{
    return sim_node_get(sim, node)->disk;
}

void sim_disk_configure_default(Sim *sim, const SimDiskConfig *cfg)
{
    sim->disk_default = *cfg;
    for (guint i = 0; i < sim->nodes->len; i++)
        sim_node_get(sim, (int)i)->disk->cfg = *cfg;
}

void sim_disk_configure(Sim *sim, int node, const SimDiskConfig *cfg)
{
    disk_of(sim, node)->cfg = *cfg;
}

const SimDiskConfig *sim_disk_config(Sim *sim, int node)
{
    return &disk_of(sim, node)->cfg;
}

uint64_t sim_disk_write(Sim *sim, int node, uint32_t bytes)
{
    SimDisk *d = disk_of(sim, node);
    g_assert(sim_node_state(sim, node) != SIM_NODE_DOWN);
    if (d->cfg.bytes_per_sec) {
        SimTime start = d->write_busy_until > sim_now(sim) ? d->write_busy_until : sim_now(sim);
        d->write_busy_until = start + (SimTime)(((__int128)bytes * SIM_S) / d->cfg.bytes_per_sec);
    }
    return ++d->written;
}

static SimTime fsync_latency(SimDisk *d)
{
    SimTime t = sim_dist_sample(&d->cfg.fsync, d->rng);
    if (d->slow_factor != 1.0)
        t = (SimTime)((double)t * d->slow_factor);
    t += d->slow_extra;
    /* Bytes still streaming to the device must land before the flush. */
    SimTime pending = d->write_busy_until - sim_now(d->sim);
    return t + (pending > 0 ? pending : 0);
}

/* Runs the callbacks of every flush request now covered, in order. */
static void complete_covered(SimDisk *d)
{
    guint done = 0;
    while (done < sim_ring_len(&d->waiting) &&
           ((const FlushReq *)sim_ring_nth(&d->waiting, done))->target <= d->durable)
        done++;
    /* Only these: a callback may issue writes and flushes, which queue
     * behind them and wait for an fsync of their own. */
    for (guint i = 0; i < done && sim_ring_len(&d->waiting); i++) {
        FlushReq r = *(const FlushReq *)sim_ring_peek(&d->waiting);
        sim_ring_pop(&d->waiting);
        r.fn(d->sim, r.ctx, r.data);
    }
}

static void start_fsync(SimDisk *d);

static void fsync_done(Sim *sim, void *ctx, void *data)
{
    SimDisk *d = ctx;
    (void)sim;
    uint64_t target = (uint64_t)(uintptr_t)data;
    if (target > d->durable)
        d->durable = target;
    if (!d->cfg.concurrent) {
        d->busy = FALSE;
        d->fsync_ev = SIM_EVENT_NONE;
    }
    complete_covered(d);
    if (!d->cfg.concurrent && !d->busy && sim_ring_len(&d->waiting))
        start_fsync(d);
}

static void start_fsync(SimDisk *d)
{
    d->busy = TRUE;
    d->in_flight_target = d->written;
    d->fsyncs++;
    d->last_done = -1; /* a serial fsync never takes a concurrent flush */
    d->fsync_ev = sim_after(d->sim, fsync_latency(d), d->node, fsync_done, d, (void *)(uintptr_t)d->written);
}

void sim_disk_flush(Sim *sim, int node, SimEventFn fn, void *ctx, void *data)
{
    SimDisk *d = disk_of(sim, node);
    g_assert(sim_node_state(sim, node) != SIM_NODE_DOWN);
    *(FlushReq *)sim_ring_push_raw(&d->waiting) = (FlushReq){ .target = d->written, .fn = fn, .ctx = ctx, .data = data };
    if (d->cfg.concurrent) {
        /* Group commit: a flush that would complete in the same instant
         * as the latest one still pending rides with it - the same
         * completion time, one fsync and one event fewer.  (The latency
         * is drawn either way, so the disk's random stream is the same.) */
        SimTime done = sim_now(sim) + fsync_latency(d);
        if (done == d->last_done && sim_set_data(sim, d->fsync_ev, (void *)(uintptr_t)d->written))
            return;
        d->fsyncs++;
        d->last_done = done;
        d->fsync_ev = sim_at(sim, done, node, fsync_done, d, (void *)(uintptr_t)d->written);
    } else if (!d->busy) {
        start_fsync(d);
    }
    /* else: joins the next fsync, started when the running one ends */
}

uint64_t sim_disk_durable(Sim *sim, int node)
{
    return disk_of(sim, node)->durable;
}

uint64_t sim_disk_written(Sim *sim, int node)
{
    return disk_of(sim, node)->written;
}

uint64_t sim_disk_fsyncs(Sim *sim, int node)
{
    return disk_of(sim, node)->fsyncs;
}

void sim_disk_set_slow(Sim *sim, int node, double factor, SimTime extra)
{
    SimDisk *d = disk_of(sim, node);
    g_assert(factor >= 0 && extra >= 0);
    d->slow_factor = factor;
    d->slow_extra = extra;
    SIM_TRACE(sim, node, "DISK_SLOW", SF_DBL("factor", factor), SF_TIME("extra", extra));
}

void sim_disk_crash(SimDisk *d)
{
    /* The node's events (fsync completions) were cancelled by the crash;
     * what no completed fsync covered is gone. */
    d->written = d->durable;
    d->busy = FALSE;
    d->fsync_ev = SIM_EVENT_NONE;
    d->write_busy_until = 0;
    sim_ring_clear(&d->waiting);
}
