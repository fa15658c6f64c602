/* sim_disk.h - each node's log device: writes, fsync, group commit, crash.
 *
 * The device does not store bytes; the model keeps its log records and
 * tags each with the write number returned here.  A flush request asks
 * that every write issued so far become durable and runs a callback when
 * it has.  In the default serialised mode one fsync runs at a time and a
 * flush requested while one is running joins the next fsync, which covers
 * every write issued before it starts: group commit, as ZooKeeper's
 * SyncRequestProcessor batches.  In concurrent mode every flush is its own
 * fsync of the sampled latency (the W1 benchmark's "pure 1 ms delay").
 *
 * A crash loses every write that no completed fsync covered: after it,
 * sim_disk_durable() tells the model how far its log survives.
 * A slow-disk fault multiplies the fsync latency and adds a constant.
 */
#ifndef SIM_DISK_H
#define SIM_DISK_H

#include "sim.h"

typedef struct SimDiskConfig {
    SimDist fsync;         /* latency of one fsync */
    gboolean concurrent;   /* TRUE: unlimited concurrent fsyncs */
    uint64_t bytes_per_sec; /* sequential write bandwidth; 0 = infinite */
} SimDiskConfig;

typedef struct SimDisk SimDisk;

/* Every node gets a disk with the Sim-wide default configuration. */
void sim_disk_configure_default(Sim *sim, const SimDiskConfig *cfg);
void sim_disk_configure(Sim *sim, int node, const SimDiskConfig *cfg);
const SimDiskConfig *sim_disk_config(Sim *sim, int node);

/* Appends `bytes` to the device; returns the write number (1, 2, ...). */
uint64_t sim_disk_write(Sim *sim, int node, uint32_t bytes);
/* Requests that all writes so far become durable; fn(sim, ctx, data) runs
 * (as an event owned by the node) once they are. */
void sim_disk_flush(Sim *sim, int node, SimEventFn fn, void *ctx, void *data);
/* Highest durable write number / highest issued. */
uint64_t sim_disk_durable(Sim *sim, int node);
uint64_t sim_disk_written(Sim *sim, int node);
uint64_t sim_disk_fsyncs(Sim *sim, int node);

/* Slow-disk fault: fsync latency becomes sample * factor + extra. */
void sim_disk_set_slow(Sim *sim, int node, double factor, SimTime extra);

/* Internal (sim_core.c). */
SimDisk *sim_disk_new(Sim *sim, int node);
void sim_disk_free(SimDisk *d);
void sim_disk_crash(SimDisk *d);

#endif
