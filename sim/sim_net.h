/* sim_net.h - the simulated network: TCP-like connections between nodes.
 *
 * ZooKeeper talks over TCP, so the unit here is a connection: two
 * endpoints, a `channel` the model chooses (election, quorum, client...),
 * and a FIFO byte stream in each direction.  Each direction is a queue
 * delivered strictly in order: a message's arrival is
 *     max(sender NIC done + one-way latency sample, previous arrival)
 * so random latency never lets a message overtake an earlier one.
 *
 * What TCP shows the application is modelled, not packets:
 *   - connect: accepted at the peer after one latency, connected at the
 *     initiator after a round trip; refused (peer down, or its accept hook
 *     says no) after a round trip; unreachable (partitioned) after the
 *     caller's connect timeout.
 *   - partitions hold data rather than drop it: TCP retransmits, so while a
 *     direction is cut its messages wait and flow again after heal.  The
 *     application's own timeouts notice the silence, as ZooKeeper's do.
 *   - loss: with the link's loss probability a send breaks the connection;
 *     everything in flight on it is lost and both ends see `closed` after
 *     the detection delay.
 *   - a crash resets the node's connections: the peer sees `closed` one
 *     latency later (the OS sends the reset), in-flight data is lost.
 *   - close: graceful, after the data already sent (FIN).
 * Filters drop, delay or break on matching messages (type, sender,
 * receiver), once, N times or until a time: replaying a bug that hinges on
 * one lost message needs that even though TCP itself would not lose one.
 *
 * Latency is an ensemble default with overrides per group pair (two data
 * centres) and per link; bandwidth adds size / bytes_per_sec at the
 * sender's NIC, a FIFO server shared by all its connections.
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "sim.h"

typedef struct SimLinkParams {
    SimDist latency;        /* one-way */
    double loss;            /* probability that a send breaks the connection */
    gboolean has_latency;   /* for overrides: which fields are set */
    gboolean has_loss;
} SimLinkParams;

typedef struct SimNetConfig {
    SimDist latency;           /* default one-way latency */
    double loss;               /* default loss (breaks) per message */
    uint64_t bytes_per_sec;    /* NIC bandwidth; 0 = infinite */
    SimTime nic_per_msg;       /* NIC cost per message */
    SimTime break_detect;      /* delay before both ends see a broken connection */
} SimNetConfig;

void sim_net_configure(Sim *sim, const SimNetConfig *cfg);
const SimNetConfig *sim_net_config(Sim *sim);

/* Groups: a node belongs to at most one named group (e.g. a data centre);
 * latency between two groups can be overridden. */
void sim_net_set_group(Sim *sim, int node, const char *group);
void sim_net_set_group_latency(Sim *sim, const char *g1, const char *g2, const SimDist *latency);
/* Per-link override (both directions). */
void sim_net_set_link(Sim *sim, int a, int b, const SimLinkParams *p);

/* Message type names, for the trace (index = type). */
void sim_net_set_type_names(Sim *sim, const char *const *names, int n);
const char *sim_net_type_name(Sim *sim, int type);
/* Whether each message send/receive is traced (MSG_SEND/MSG_RECV events).
 * Off by default: they dominate the trace volume. */
void sim_net_trace_messages(Sim *sim, gboolean on);

/* ---- connections ---- */

/* Opens a connection from `from` to `to`.  Exactly one of the hooks
 * connected / connect_failed runs later at `from`; accept runs at `to`.
 * Returns the connection id (valid in the connected hook). */
SimConnId sim_net_connect(Sim *sim, int from, int to, int channel, SimTime timeout);
/* Sends a message; takes ownership of payload (freed by the payload-free
 * hook if it is dropped).  Returns FALSE (and frees payload) if the
 * connection is closed at this end. */
gboolean sim_net_send(Sim *sim, SimConnId c, int from, int type, void *payload, uint32_t size);
/* Graceful close by `node`; the peer sees `closed` after pending data. */
void sim_net_close(Sim *sim, SimConnId c, int node);
/* Abortive break of a connection: both ends see `closed` after the
 * detection delay and all data in flight is lost. */
void sim_net_break(Sim *sim, SimConnId c);
gboolean sim_net_is_open(Sim *sim, SimConnId c, int node);
int sim_net_peer(Sim *sim, SimConnId c, int node);
int sim_net_channel(Sim *sim, SimConnId c);

/* ---- partitions ---- */

/* Cuts every direction from a node in `side_a` to a node in `side_b`; if
 * `both`, also b -> a.  Node lists end with -1.  Cuts accumulate. */
void sim_net_cut(Sim *sim, const int *side_a, const int *side_b, gboolean both);
/* Cuts one direction between two nodes. */
void sim_net_cut_link(Sim *sim, int from, int to);
/* Isolates the given groups from one another (each list ends with -1; the
 * lists are separated by a NULL).  Convenience over sim_net_cut. */
void sim_net_partition(Sim *sim, const int *const *groups, int ngroups);
/* Heals every cut; held messages flow again. */
void sim_net_heal(Sim *sim);
void sim_net_heal_link(Sim *sim, int from, int to);
gboolean sim_net_reachable(Sim *sim, int from, int to);

/* ---- filters ---- */

typedef enum {
    SIM_FILTER_DROP,  /* the message vanishes, the connection stays */
    SIM_FILTER_DELAY, /* held for `delay` more (later ones queue behind) */
    SIM_FILTER_BREAK, /* the connection breaks at this message */
} SimFilterAction;

typedef struct SimFilter {
    int type; /* -1: any */
    int from; /* -1: any */
    int to;   /* -1: any */
    SimFilterAction action;
    SimTime delay;
    int64_t count; /* matches left; -1 = unlimited */
    SimTime until; /* no effect after this time; SIM_TIME_NEVER = forever */
} SimFilter;

int sim_net_add_filter(Sim *sim, const SimFilter *f);
void sim_net_remove_filter(Sim *sim, int id);
void sim_net_clear_filters(Sim *sim);

/* ---- counters ---- */

typedef struct SimLinkStats {
    uint64_t msgs;
    uint64_t bytes;
    uint64_t dropped;
} SimLinkStats;

/* Counters of messages sent from -> to (delivered or not). */
SimLinkStats sim_net_link_stats(Sim *sim, int from, int to);
SimLinkStats sim_net_total_stats(Sim *sim);
size_t sim_net_open_connections(Sim *sim);

/* Internal (sim_core.c): a node crashed / restarted. */
void sim_net_node_crashed(Sim *sim, int node);
SimNet *sim_net_new(Sim *sim);
/* Run-loop look-ahead (sim_core.c): if ev, still queued, is a delivery,
 * starts fetching its connection's lines.  A hint: reads nothing it
 * does not check, changes nothing, and an event that names a freed or
 * reused connection is harmless. */
void sim_net_prefetch_event(SimNet *net, const SimEvent *ev);
void sim_net_free(SimNet *net);

#endif
