/* sim.h - the discrete-event engine: one simulated world.
 *
 * A Sim owns virtual time, the event queue, the run's seed and random
 * streams, the nodes and their resources (clock, CPU, NIC, disk), the
 * network and the trace.  It is model-agnostic: a model (model/ builds
 * ZooKeeper on it) adds nodes with a SimNodeOps table and schedules
 * callbacks.  Nothing here reads the host clock or host entropy, and there
 * is no global state: a process may hold many Sims at once.
 *
 * Nodes
 *   A node has a dense id (0, 1, ...), a name ("s1", "c7"), a kind chosen
 *   by the model, and a state:
 *
 *        add            crash              restart
 *     ------> UP  ----------------> DOWN -----------> UP
 *             |  ^                   ^
 *       pause |  | resume            | crash
 *             v  |                   |
 *            PAUSED -----------------+
 *
 *   Durable state (what survives a crash) is the model's and lives behind
 *   ops->restart; volatile state dies in ops->crash.  Every event owned by
 *   a node (its timers, its message and disk deliveries) is cancelled when
 *   it crashes, and deferred while it is paused: a paused node runs
 *   nothing, and at resume everything that came due runs in its original
 *   order, as after a stop-the-world GC pause.
 *
 * Clocks
 *   Each node reads a local clock: local = offset + elapsed * rate, with
 *   rate = 1 + drift_ppm / 1e6.  Node timers (sim_node_timer) are set as
 *   local durations and fire when the local clock reaches the deadline, so
 *   a fast clock expires timeouts early and a forward jump fires overdue
 *   timers at once, as tick-based timeouts do on a real host.
 *
 * Resources
 *   CPU and NIC are FIFO servers: a job of cost c submitted at t finishes
 *   at max(t, busy_until) + c.  A busy leader therefore queues work.
 */
#ifndef SIM_H
#define SIM_H

#include "sim_queue.h"
#include "sim_rng.h"
#include "sim_time.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Sim Sim;
typedef struct SimNet SimNet;
typedef struct SimTrace SimTrace;

/* Event callbacks: sim first, then the model's context and datum. */
typedef void (*SimEventFn)(Sim *sim, void *ctx, void *data);

#define SIM_NO_NODE (-1)

typedef enum {
    SIM_NODE_UP,
    SIM_NODE_DOWN,
    SIM_NODE_PAUSED,
} SimNodeState;

typedef uint64_t SimConnId; /* 0 never names a connection */

/* What the engine calls on a node.  Every hook is optional (may be NULL). */
typedef struct SimNodeOps {
    /* The node crashed: free volatile state.  Durable state stays. */
    void (*crash)(Sim *sim, int node, void *ctx);
    /* The node restarts: rebuild volatile state from durable state. */
    void (*restart)(Sim *sim, int node, void *ctx);
    /* Network: a connection from `peer` arrived (return FALSE to refuse
     * it: the peer sees it closed); our connect() to peer succeeded or
     * failed; a message arrived (channel: the connection's, as given to
     * sim_net_connect); the connection closed (by the peer, by a break,
     * or by a crash of the peer). */
    gboolean (*accept)(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx);
    void (*connected)(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx);
    void (*connect_failed)(Sim *sim, int node, int peer, int channel, void *ctx);
    void (*message)(Sim *sim, int node, SimConnId c, int channel, int type, void *payload, uint32_t size, void *ctx);
    void (*closed)(Sim *sim, int node, SimConnId c, void *ctx);
    /* How many bytes at the start of ctx nearly every event of the node
     * reads: the run loop prefetches them while the event before runs
     * (a speed hint, 0 for none; it changes no behaviour). */
    size_t hot_bytes;
} SimNodeOps;

/* Payloads in flight are the model's; the engine frees dropped ones with
 * this hook (set once per Sim by the model; NULL means nothing to free). */
typedef void (*SimPayloadFree)(void *payload, int type);

/* ---- life cycle ---- */

Sim *sim_new(uint64_t seed);
void sim_free(Sim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Sim, sim_free)

uint64_t sim_seed(const Sim *sim);

/* Process-wide, once at start (before the big allocations): puts the
 * heap on transparent huge pages for `reserve` bytes (sim_mem.c).  Speed
 * only; no effect on any simulated behaviour or output. */
void sim_memory_tune(size_t reserve);

/* ---- time and events ---- */

/* The public part of the world, read on hot paths without a call. */
typedef struct SimHot {
    SimTime now;
    gboolean tracing; /* any trace sink attached */
} SimHot;

static inline SimTime sim_now(const Sim *sim)
{
    return ((const SimHot *)(const void *)sim)->now;
}

static inline gboolean sim_tracing(const Sim *sim)
{
    return ((const SimHot *)(const void *)sim)->tracing;
}

/* Schedules fn at absolute time t (>= now) or after a delay.  `node` is
 * the owning node (its crash cancels the event, its pause defers it) or
 * SIM_NO_NODE for engine-level events. */
SimEventId sim_at(Sim *sim, SimTime t, int node, SimEventFn fn, void *ctx, void *data);
SimEventId sim_after(Sim *sim, SimTime delay, int node, SimEventFn fn, void *ctx, void *data);
/* As sim_at / sim_after, for an event that owns `data`: if the event
 * never runs (cancelled, its node crashed, the Sim freed), drop(data) is
 * called, so nothing leaks. */
typedef void (*SimDropFn)(void *data);
SimEventId sim_at_owned(Sim *sim, SimTime t, int node, SimEventFn fn, void *ctx, void *data, SimDropFn drop);
SimEventId sim_after_owned(Sim *sim, SimTime delay, int node, SimEventFn fn, void *ctx, void *data, SimDropFn drop);
/* Cancels a pending event; harmless on an id that already ran. */
gboolean sim_cancel(Sim *sim, SimEventId id);
/* Cancels *id if set and clears it. */
void sim_cancel_clear(Sim *sim, SimEventId *id);
gboolean sim_pending(const Sim *sim, SimEventId id);
/* Replaces the data a pending event will be called with (not for an
 * event scheduled with a drop function); FALSE if it is not pending. */
gboolean sim_set_data(Sim *sim, SimEventId id, void *data);

/* Runs events until the queue is empty, time would pass `until`, the
 * event budget is spent, or something called sim_stop/sim_fail.  Returns
 * the number of events run.  `until` = SIM_TIME_NEVER runs to the end; on
 * return now = min(until, time of the last event). */
uint64_t sim_run(Sim *sim, SimTime until, uint64_t max_events);
/* Runs a single event; FALSE when there is none. */
gboolean sim_step(Sim *sim);
void sim_stop(Sim *sim);
gboolean sim_stopped(const Sim *sim);
/* Stops the run with a failure (an invariant broke): records the message
 * (first failure wins) and traces a "FAIL" event. */
void sim_fail(Sim *sim, int node, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
const char *sim_failure(const Sim *sim); /* NULL if none */
uint64_t sim_events_run(const Sim *sim);
size_t sim_events_pending(const Sim *sim);
size_t sim_events_capacity(const Sim *sim);

/* ---- random streams ---- */

/* The stream named `name`, derived from the run's seed; created on first
 * use and owned by the Sim.  Fetch it once and keep the pointer. */
SimRng *sim_rng(Sim *sim, const char *name);

/* ---- nodes ---- */

int sim_node_add(Sim *sim, const char *name, int kind, const SimNodeOps *ops, void *ctx);
int sim_node_count(const Sim *sim);
const char *sim_node_name(const Sim *sim, int node);
int sim_node_kind(const Sim *sim, int node);
void *sim_node_ctx(const Sim *sim, int node);
int sim_node_find(const Sim *sim, const char *name); /* -1 if none */
SimNodeState sim_node_state(const Sim *sim, int node);
gboolean sim_node_is_up(const Sim *sim, int node); /* UP or PAUSED */
/* How many times the node has been (re)started; bumps at each restart. */
uint32_t sim_node_incarnation(const Sim *sim, int node);

/* Marks a node that has not started yet: DOWN, incarnation 0, nothing
 * traced and no hook called.  sim_node_restart then starts it (traced as
 * START).  Only for a node with no pending events. */
void sim_node_set_stopped(Sim *sim, int node);

/* Faults, effective now.  Each is traced. */
void sim_node_crash(Sim *sim, int node);
void sim_node_restart(Sim *sim, int node);
void sim_node_pause(Sim *sim, int node);
void sim_node_resume(Sim *sim, int node);

/* The node's local clock. */
SimTime sim_node_now(const Sim *sim, int node);
/* Local clock runs at 1 + ppm/1e6 from now on (ppm in -500000..500000). */
void sim_node_set_drift(Sim *sim, int node, int32_t ppm);
/* Steps the local clock by delta (negative: backwards). */
void sim_node_jump(Sim *sim, int node, SimTime delta);
int32_t sim_node_drift(const Sim *sim, int node);

/* A timer that fires after `local_delay` on the node's own clock. */
SimEventId sim_node_timer(Sim *sim, int node, SimTime local_delay, SimEventFn fn, void *ctx, void *data);

/* A deadline that is pushed back far more often than it expires (a read
 * timeout re-armed by every message).  Re-arming a later deadline only
 * records it: the pending event fires at the old one, sees the deadline
 * moved and re-queues itself, so a busy connection costs one event per
 * timeout period instead of a cancel and a push per message.  fn runs
 * once the node's clock reaches the last deadline set.  The struct must
 * outlive its pending event: cancel before freeing it (a crash of the
 * node cancels it too). */
typedef struct SimTimer {
    SimEventId ev;
    SimTime due; /* local time */
    int node;
    SimEventFn fn;
    void *ctx;
    void *data;
} SimTimer;

void sim_timer_init(SimTimer *t, int node, SimEventFn fn, void *ctx, void *data);
/* (Re)arms t to fire `local_delay` from now on its node's clock. */
void sim_timer_arm(Sim *sim, SimTimer *t, SimTime local_delay);
void sim_timer_cancel(Sim *sim, SimTimer *t);

/* CPU: reserves `cost` of the node's CPU (FIFO) and returns the time the
 * job completes (>= now).  sim_node_cpu_then schedules fn at that time. */
SimTime sim_node_cpu(Sim *sim, int node, SimTime cost);
SimEventId sim_node_cpu_then(Sim *sim, int node, SimTime cost, SimEventFn fn, void *ctx, void *data);
SimEventId sim_node_cpu_then_owned(Sim *sim, int node, SimTime cost, SimEventFn fn, void *ctx, void *data,
                                   SimDropFn drop);
/* Total CPU time consumed (busy time), for utilisation figures. */
SimTime sim_node_cpu_busy(const Sim *sim, int node);

/* ---- subsystems ---- */

SimNet *sim_net(Sim *sim);
SimTrace *sim_trace(Sim *sim);
void sim_set_payload_free(Sim *sim, SimPayloadFree fn);

#endif
