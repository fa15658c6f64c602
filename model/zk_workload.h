/* zk_workload.h - what clients do on their own: a generic mixed load and
 * the coordination recipes ZooKeeper is known for.
 *
 * A workload is a spec plus the clients bound to it (in the order they
 * were added: the first `count` play the first role where a kind has
 * two).  Each client starts its part when it first connects, goes on
 * through disconnections (a recipe's state is re-checked on
 * SyncConnected), and starts over with a new session when its session
 * expires, as an application that builds a new ZooKeeper handle would.
 * Random choices come from one stream per client ("workload/<name>").
 *
 *   script      nothing: the client does only what the scenario says.
 *   mixed       reads (fraction) of getData, the rest setData (create on
 *               NoNode) of size_bytes, on keys PATH/k<i>, i in [0, keys)
 *               drawn uniformly or Zipf(zipf_s); open loop (Poisson
 *               arrivals at rate_per_s, the workload's total, split
 *               evenly among its clients) or closed loop (outstanding
 *               requests in flight per client); ops: total requests of
 *               the workload (0 = no limit).
 *   registry    the first `count` clients are members: each registers an
 *               ephemeral PATH/member-<name> (size_bytes), stays online
 *               for Exp(period), deregisters (deletes it) for Exp(hold),
 *               and so on; the others watch PATH's children and re-list
 *               on every change.
 *   config      the first `count` clients are operators: each sets PATH
 *               (size_bytes, created if missing) every `period`; the
 *               others getData PATH with a watch and re-read on change.
 *   naming      every client creates `count` PERSISTENT_SEQUENTIAL nodes
 *               PATH/<name>- every `period`; the names handed out must
 *               all differ (checked over the first million).
 *   lock        every client takes the lock of the recipe (ZooKeeper
 *               recipes, "Locks"): an EPHEMERAL_SEQUENTIAL child of the
 *               lock node, then wait for the predecessor's deletion
 *               (exists with a watch); hold for `hold`, release (delete),
 *               wait Exp(period), again.  `count` locks: PATH (count = 1)
 *               or PATH/<i>, client i uses lock i % count.  A holder that
 *               is disconnected gives the lock up at once (it can no
 *               longer know).  Two holders at once is a violation.
 *   membership  every client joins the group (ephemeral PATH/<name>) for
 *               Exp(period), leaves for Exp(hold), and watches the list.
 *   balance     the first `count` clients are servers: each publishes its
 *               load in an ephemeral PATH/server-<name> and changes it
 *               every `period` (a random walk); the others read every
 *               server's load (children and data, watched), pick the
 *               least loaded (ties: by name) and re-pick on any change.
 */
#ifndef ZK_WORKLOAD_H
#define ZK_WORKLOAD_H

#include "zk_client.h"

#define ZK_WORKLOAD_KIND_LIST(X)                                                                   \
    X(SCRIPT, "script")                                                                            \
    X(MIXED, "mixed")                                                                              \
    X(REGISTRY, "registry")                                                                        \
    X(CONFIG, "config")                                                                            \
    X(NAMING, "naming")                                                                            \
    X(LOCK, "lock")                                                                                \
    X(MEMBERSHIP, "membership")                                                                    \
    X(BALANCE, "balance")

typedef enum {
#define ZK_X(id, name) ZK_WORKLOAD_##id,
    ZK_WORKLOAD_KIND_LIST(ZK_X)
#undef ZK_X
} ZkWorkloadKind;

const char *zk_workload_kind_name(ZkWorkloadKind k);

typedef enum {
    ZK_KEYS_UNIFORM,
    ZK_KEYS_ZIPF,
} ZkKeyDist;

typedef struct ZkWorkloadSpec {
    ZkWorkloadKind kind;
    double reads;        /* mixed: fraction of reads (0.5) */
    int64_t size_bytes;  /* value size (100) */
    int64_t keys;        /* mixed: key space (1000) */
    ZkKeyDist key_dist;  /* mixed: uniform */
    double zipf_s;       /* mixed: Zipf exponent (1.0) */
    double rate_per_s;   /* mixed: > 0 open loop, total of the workload */
    int64_t outstanding; /* mixed, closed loop: in flight per client (1) */
    int64_t ops;         /* mixed: total requests, 0 = no limit */
    SimTime period;      /* 1 s */
    const char *path;    /* "/" KIND; copied */
    int64_t count;       /* 1 */
    SimTime hold;        /* 1 s */
} ZkWorkloadSpec;

/* The defaults above, for a kind. */
void zk_workload_spec_defaults(ZkWorkloadSpec *spec, ZkWorkloadKind kind);

/* A new workload, owned by cl (freed by zk_clients_free). */
ZkWorkload *zk_workload_new(ZkClients *cl, const char *name, const ZkWorkloadSpec *spec);
/* Binds a client (it becomes the client's watcher); its role follows the
 * order of binding.  The client starts its part when it connects. */
void zk_workload_add_client(ZkWorkload *wl, ZkClient *c);

const char *zk_workload_name(const ZkWorkload *wl);
const ZkWorkloadSpec *zk_workload_spec(const ZkWorkload *wl);
guint zk_workload_client_count(const ZkWorkload *wl);

typedef struct ZkWorkloadStats {
    uint64_t ops;           /* requests issued */
    uint64_t ok;            /* answered Ok (NoNode and NodeExists included where expected) */
    uint64_t errors;        /* ConnectionLoss, SessionExpired, ... */
    uint64_t reads;
    uint64_t writes;
    uint64_t notifications; /* node events handled */
    uint64_t updates;       /* config sets, registry/membership joins and leaves,
                             * balance load changes, names created */
    uint64_t acquisitions;  /* lock */
    uint64_t sessions;      /* new sessions after an expiry */
} ZkWorkloadStats;

const ZkWorkloadStats *zk_workload_stats(const ZkWorkload *wl);

/* registry, membership, balance: the children a watching client saw last
 * (names, sorted; NULL if it has not listed yet). */
const GPtrArray *zk_workload_view(const ZkWorkload *wl, guint client);
/* config: the value a watching client read last (NULL if none). */
GBytes *zk_workload_config_value(const ZkWorkload *wl, guint client);
/* balance: the server (child name) client i picked, NULL if none. */
const char *zk_workload_choice(const ZkWorkload *wl, guint client);
/* balance: how the clients that picked are spread over the servers:
 * servers seen, clients that picked, and the fewest and most clients on
 * one server (servers with none count as 0). */
typedef struct ZkBalanceSpread {
    guint servers;
    guint clients;
    guint min;
    guint max;
} ZkBalanceSpread;
void zk_workload_balance_spread(const ZkWorkload *wl, ZkBalanceSpread *out);

#endif
