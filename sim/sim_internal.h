/* sim_internal.h - the Sim struct, shared by the engine's own files only.
 * Model code uses the accessors in sim.h. */
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "sim.h"
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"

/* Event flags (SimEvent.flags). */
enum {
    SIM_EV_LOCAL = 1u << 0, /* a node timer on the node's local clock */
};

/* A node; its state, hooks and clock live in Sim's packed arrays. */
typedef struct SimNode {
    char *name;
    int kind;
    uint32_t incarnation;
    /* events that came due while paused, in the order they came due */
    GArray *deferred; /* SimEventId, parked while paused, in due order */
    SimTime cpu_busy_until;
    SimTime cpu_busy_total;
    SimTime nic_busy_until;
    SimDisk *disk;
} SimNode;

/* A node's clock: local = base_local + (now - base_global) * (1e6 + ppm) / 1e6. */
typedef struct SimClock {
    SimTime base_global;
    SimTime base_local;
    int32_t drift_ppm;
} SimClock;

typedef struct SimNodeHooks {
    const SimNodeOps *ops;
    void *ctx;
} SimNodeHooks;

struct Sim {
    SimHot hot; /* must stay first: sim_now() reads it */
    uint64_t seed;
    SimQueue *queue;
    uint64_t events_run;
    gboolean stop;
    char *failure;
    GPtrArray *nodes; /* SimNode*, index = id */
    /* nodes->pdata and nodes->len, refreshed when a node is added: the
     * run loop, the network and the timers look nodes up for nearly
     * every event, one indirection less this way. */
    SimNode **node_at;
    guint n_nodes;
    /* Each node's state, hooks and clock, packed by node id (the network
     * asks whether a receiver is up and whom to call for every message,
     * timers read the clock, and a thousand client nodes' structs do not
     * stay in the caches). */
    GByteArray *node_state; /* SimNodeState, a byte each */
    GArray *node_hooks; /* SimNodeHooks per node, packed likewise: what a
                         * delivery calls (fixed when the node is added) */
    GArray *node_clocks; /* SimClock per node, packed likewise: every
                          * timer and local-time read uses it */
    SimTime park_next; /* next parking slot time (see sim_core.c) */
    GHashTable *rng_by_name; /* name -> SimRng*, lookup only */
    GHashTable *node_by_name; /* name -> id+1, lookup only */
    SimNet *net;
    SimTrace *trace;
    SimPayloadFree payload_free;
    SimDiskConfig disk_default;
};

static inline const SimNodeHooks *sim_node_hooks(const Sim *sim, int id)
{
    return &g_array_index(sim->node_hooks, SimNodeHooks, id);
}

static inline SimClock *sim_node_clock(const Sim *sim, int id)
{
    return &g_array_index(sim->node_clocks, SimClock, id);
}

static inline SimNode *sim_node_get(Sim *sim, int id)
{
    g_assert((guint)id < sim->n_nodes); /* a negative id wraps past n_nodes */
    return sim->node_at[id];
}

/* Maps a local-clock instant of a node to the global time it is reached. */
SimTime sim_node_local_to_global(const SimClock *k, SimTime local);

#endif
