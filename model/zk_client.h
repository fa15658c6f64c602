/* zk_client.h - ZooKeeper clients and the client protocol, both ends.
 *
 * A ZkClients is the client layer of one ensemble: it installs the
 * ensemble's hooks, gives every server its side of the client protocol
 * (zk_client_server.c: ServerCnxn, processConnectRequest, the
 * CommitProcessor's per-session order, FinalRequestProcessor's reads and
 * replies), owns the clients (zk_client.c: ZooKeeper + ClientCnxn), their
 * workloads (zk_workload.h) and the client invariants (zk_client_check.c).
 *
 * A client is one sim node ("c1"...) holding at most one connection, on
 * channel ZK_CH_CLIENT, to one server of its connect string.  Its states
 * (`ZooKeeper.States`):
 *
 *   NOT_CONNECTED --start--> CONNECTING <--lost--> CONNECTED
 *                                 |                    |
 *                                 +---expired/closed---+--> CLOSED --start--> CONNECTING
 *
 *   from           to           on                                  by (zk_client.c)
 *   NOT_CONNECTED  CONNECTING   zk_client_start                     begin_session
 *   CONNECTING     CONNECTED    ConnectResponse, timeout > 0        on_connect_response
 *   CONNECTED      CONNECTING   read timeout, server closed, reset  lose_connection
 *   CONNECTING     CLOSED       ConnectResponse, timeout 0 (Expired) on_connect_response
 *   CONNECTED      CLOSED       closeSession answered or failed     finish_close
 *   CLOSED         CONNECTING   zk_client_start (a new session)     begin_session
 * Under CONNECTING the connection goes WAIT (sleeping before an attempt)
 * -> TCP -> HANDSHAKE (ConnectRequest sent) and back to WAIT on any
 * failure; CONNECTED is OPEN.  client_check asserts the combinations.
 *
 * ClientCnxn's rules, as modelled (ZOOKEEPER.md 3.4):
 *   - the connect string is shuffled once with the client's own stream
 *     (sim_rng "client/<name>"), then tried in order (StaticHostProvider):
 *     after a connection, the next attempts start with the following
 *     host; coming back round to the last connected host costs 1000 ms;
 *   - before every attempt but the very first, a uniform 0..999 ms sleep;
 *   - connectTimeout = s / numHosts (s: the requested, later the
 *     negotiated session timeout) bounds the TCP connect plus the
 *     ConnectResponse; readTimeout = 2s/3 bounds silence once connected;
 *     a ping goes out when nothing was sent for readTimeout/2 (less a
 *     second when that is above a second, `ClientCnxn.SendThread.run`),
 *     and at least every 10 s;
 *   - the ConnectRequest carries lastZxidSeen (the largest zxid of any
 *     reply); a server behind it closes the connection;
 *   - requests are pipelined and answered in FIFO order; when a
 *     connection fails, every request sent or queued fails with
 *     ConnectionLoss (SessionExpired once the client is CLOSED);
 *   - after the ConnectResponse the client re-registers its watches with
 *     SetWatches2 (relativeZxid = lastZxidSeen), then sends what it queued;
 *   - ConnectResponse with timeout 0: the session expired (Expired event,
 *     CLOSED, later operations fail with SessionExpired).
 *
 * Callbacks (results and watch events) run inside the event that caused
 * them; a request that fails at once (client CLOSED) is answered from a
 * zero-delay event, never from inside the call that made it.
 */
#ifndef ZK_CLIENT_H
#define ZK_CLIENT_H

#include "zk_ensemble.h"

typedef struct ZkClients ZkClients;
typedef struct ZkClient ZkClient;
typedef struct ZkWorkload ZkWorkload; /* zk_workload.h */

/* ---- vocabularies ------------------------------------------------------ */

/* `ZooKeeper.States`, the subset a client goes through here. */
#define ZK_CLIENT_STATE_LIST(X)                                                                    \
    X(NOT_CONNECTED, "NOT_CONNECTED")                                                              \
    X(CONNECTING, "CONNECTING")                                                                    \
    X(CONNECTED, "CONNECTED")                                                                      \
    X(CLOSED, "CLOSED")

typedef enum {
#define ZK_X(id, name) ZK_CLIENT_##id,
    ZK_CLIENT_STATE_LIST(ZK_X)
#undef ZK_X
} ZkClientState;

const char *zk_client_state_name(ZkClientState s);

/* `Watcher.Event.KeeperState`. */
#define ZK_KEEPER_STATE_LIST(X)                                                                    \
    X(DISCONNECTED, "Disconnected", 0)                                                             \
    X(SYNC_CONNECTED, "SyncConnected", 3)                                                          \
    X(EXPIRED, "Expired", -112)                                                                    \
    X(CLOSED, "Closed", 7)

typedef enum {
#define ZK_X(id, name, v) ZK_STATE_##id = (v),
    ZK_KEEPER_STATE_LIST(ZK_X)
#undef ZK_X
} ZkKeeperState;

const char *zk_keeper_state_name(ZkKeeperState s);

/* ---- results and events ------------------------------------------------ */

/* One watch notification or session state change (`WatchedEvent`). */
typedef struct ZkWatchedEvent {
    ZkEventType type;    /* None for a state change */
    ZkKeeperState state; /* SyncConnected for node events */
    const char *path;    /* NULL for a state change */
    uint64_t zxid;       /* the txn that fired it; ZK_ZXID_NONE for SetWatches */
    int server;          /* sid that sent it, 0 for state changes */
    SimTime time;
} ZkWatchedEvent;

typedef void (*ZkWatcherFn)(ZkClient *c, const ZkWatchedEvent *ev, void *ud);

/* One sub-result of a multi (`OpResult`). */
typedef struct ZkMultiResult {
    ZkOpCode type; /* the op, or error */
    ZkErr err;
    const char *path; /* create: the created path; NULL otherwise */
    gboolean has_stat;
    ZkStat stat;
} ZkMultiResult;

/* What an operation's callback receives.  Pointers live until it returns. */
typedef struct ZkResult {
    ZkOpCode op;
    ZkErr err;
    const char *path; /* the path asked for (NULL for close and multi) */
    int32_t xid;
    uint64_t zxid;    /* ReplyHeader.zxid: the server's lastProcessedZxid; 0 if no reply */
    int server;       /* sid that answered; 0 if none (ConnectionLoss...) */
    SimTime latency;  /* from the call to the answer */
    const char *created; /* create: the path created (sequential suffix included) */
    gboolean has_stat;
    ZkStat stat;      /* getData, exists, getChildren2, create, setData */
    GBytes *data;     /* getData (NULL: empty) */
    const GPtrArray *children; /* getChildren: names, sorted */
    const ZkMultiResult *multi;
    guint n_multi;
    /* Reads: how far the answering server was behind the leader's last
     * commit when it answered (zk_ensemble_commit_lag). */
    gboolean is_read;
    uint64_t stale_txns;
    SimTime stale_ns;
} ZkResult;

typedef void (*ZkResultFn)(ZkClient *c, const ZkResult *r, void *ud);

/* ---- the client layer -------------------------------------------------- */

/* Installs the ensemble's hooks (on_apply, on_serving, on_sync_done,
 * on_revalidated, on_client_message, on_client_closed; it owns them) and
 * gives every server its client side.  Free it once the simulation is
 * over (before the ensemble and the Sim): events of its clients' nodes
 * refer to it. */
ZkClients *zk_clients_new(ZkEnsemble *ens);
void zk_clients_free(ZkClients *cl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkClients, zk_clients_free)

ZkEnsemble *zk_clients_ensemble(const ZkClients *cl);
guint zk_clients_count(const ZkClients *cl);
ZkClient *zk_clients_get(const ZkClients *cl, guint i); /* in creation order */
ZkClient *zk_clients_find(const ZkClients *cl, const char *name);
/* Every client that is meant to be connected is CONNECTED: started, and
 * neither closed on purpose since nor crashed (an expired session counts
 * as not connected). */
gboolean zk_clients_all_connected(const ZkClients *cl);

/* ---- clients: new and life cycle --------------------------------------- */

typedef struct ZkClientConfig {
    const char *name;       /* sim node name; unique in the Sim */
    const int *servers;     /* connect string (sids); NULL = every server */
    guint n_servers;
    SimTime session_timeout; /* requested; 0 = 30 s (zkCli's default) */
    gboolean keep_order;     /* use the connect string as given (no shuffle) */
} ZkClientConfig;

/* A new client (its sim node is added now), NOT_CONNECTED.  Owned by cl. */
ZkClient *zk_client_new(ZkClients *cl, const ZkClientConfig *cfg);
/* `new ZooKeeper(connectString, timeout, watcher)`: starts connecting
 * with a new session.  On a CLOSED client it starts a new session (the
 * old one is gone); on a live client, zkCli's `connect`: close, then a
 * new session once the close is done. */
void zk_client_start(ZkClient *c);
/* `ZooKeeper.close()`: closeSession, then CLOSED.  cb may be NULL. */
void zk_client_close(ZkClient *c, ZkResultFn cb, void *ud);
/* The one watcher of the handle (default watcher): every node event and
 * state change.  The client's own records (below) are kept regardless. */
void zk_client_set_watcher(ZkClient *c, ZkWatcherFn fn, void *ud);

/* ---- operations (`ZooKeeper`'s asynchronous API) ------------------------ *
 * Each returns the request's xid.  data NULL means empty. */

int32_t zk_client_create(ZkClient *c, const char *path, GBytes *data, ZkCreateMode mode, ZkResultFn cb, void *ud);
int32_t zk_client_delete(ZkClient *c, const char *path, int32_t version, ZkResultFn cb, void *ud);
int32_t zk_client_set_data(ZkClient *c, const char *path, GBytes *data, int32_t version, ZkResultFn cb, void *ud);
/* zk_client_set_data taking over the caller's reference to data (NULL
 * fine): a write of the workloads costs two atomic count changes less. */
int32_t zk_client_set_data_take(ZkClient *c, const char *path, GBytes *data, int32_t version, ZkResultFn cb,
                                void *ud);
int32_t zk_client_get_data(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud);
int32_t zk_client_exists(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud);
/* getChildren2: children and the node's stat. */
int32_t zk_client_get_children(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud);
/* ops[i].path may be freed after the call. */
int32_t zk_client_multi(ZkClient *c, const ZkOpRequest *ops, guint n, ZkResultFn cb, void *ud);
int32_t zk_client_sync(ZkClient *c, const char *path, ZkResultFn cb, void *ud);
/* addWatch (3.6+): PERSISTENT or PERSISTENT_RECURSIVE. */
int32_t zk_client_add_watch(ZkClient *c, const char *path, ZkWatcherMode mode, ZkResultFn cb, void *ud);
/* removeWatches: NoWatcher at once if the client holds no such watch. */
int32_t zk_client_remove_watches(ZkClient *c, const char *path, ZkWatcherType type, ZkResultFn cb, void *ud);

/* ---- zkCli verbs (ZK_CLI_VERB_LIST is in zk_proto.h) --------------------- */

typedef enum {
#define ZK_X(id, name) ZK_CLI_##id,
    ZK_CLI_VERB_LIST(ZK_X)
#undef ZK_X
} ZkCliVerb;

const char *zk_cli_verb_name(ZkCliVerb v);

/* One zkCli.sh command, as the scenario language spells it. */
typedef struct ZkCliCommand {
    ZkCliVerb verb;
    const char *path; /* NULL for close and connect */
    const char *data; /* create (NULL: no data), set */
    gboolean sequential, ephemeral, container; /* create -s -e -c */
    gboolean watch;     /* get -w, ls -w, stat -w */
    gboolean recursive; /* ls -R */
    int32_t version;    /* set -v, delete -v; -1 = any */
    ZkWatcherMode mode; /* addWatch -m (zkCli default PERSISTENT_RECURSIVE) */
    ZkWatcherType watcher; /* removewatches -c|-d|-a (default Any) */
} ZkCliCommand;

/* Runs a command; its outcome lands in the client's records (last
 * result, errors seen, values read).  deleteall lists the subtree
 * breadth-first and deletes it deepest first (`ZKUtil.deleteRecursive`);
 * ls -R lists the subtree (`ZKUtil.listSubTreeBFS`), -w watching the
 * top node's children. */
void zk_client_cli(ZkClient *c, const ZkCliCommand *cmd);

/* ---- queries: what a scenario can expect -------------------------------- */

const char *zk_client_name(const ZkClient *c);
int zk_client_node(const ZkClient *c);
ZkClientState zk_client_state(const ZkClient *c);
gboolean zk_client_is_connected(const ZkClient *c);
/* Started, and neither closed on purpose nor crashed since. */
gboolean zk_client_was_started(const ZkClient *c);
uint64_t zk_client_session(const ZkClient *c);       /* 0 before the first session */
int32_t zk_client_session_timeout_ms(const ZkClient *c); /* negotiated, 0 if none */
int zk_client_server(const ZkClient *c);             /* sid connected to, 0 if none */
uint64_t zk_client_last_zxid(const ZkClient *c);     /* lastZxidSeen */
/* Some operation of this client ended with err, at any time (losing a
 * connection also counts as ConnectionLoss, learning of the session's
 * expiry as SessionExpired, even with no request in flight). */
gboolean zk_client_saw(const ZkClient *c, ZkErr err);
/* The result of the last operation that completed (Ok before any). */
ZkErr zk_client_last_result(const ZkClient *c);
/* Operations issued but not answered. */
guint zk_client_pending(const ZkClient *c);
/* The last value read from path with getData: TRUE and *data (NULL:
 * empty; borrowed, owned by the client) if it existed, FALSE if never
 * read or NoNode. */
gboolean zk_client_last_value(const ZkClient *c, const char *path, GBytes **data);
/* The node events received, in order (the first 10000 of them). */
typedef struct ZkEventRecord {
    ZkEventType type;
    char *path;
    uint64_t zxid;
    int server;
    SimTime time;
} ZkEventRecord;
guint zk_client_event_count(const ZkClient *c);
const ZkEventRecord *zk_client_event(const ZkClient *c, guint i);
/* Events of this type on path (type NONE: any type), all of them. */
guint zk_client_events_on(const ZkClient *c, ZkEventType type, const char *path);
/* Counters: sessions established, connections made, disconnects. */
typedef struct ZkClientStats {
    uint64_t ops;        /* issued */
    uint64_t ok;         /* answered Ok */
    uint64_t errors;     /* answered with an error */
    uint64_t reads;
    uint64_t writes;
    uint64_t sessions;   /* sessions created */
    uint64_t connects;   /* connections established */
    uint64_t disconnects;
    uint64_t expirations;
    uint64_t events;     /* node events received (the first 10000 are kept
                          * in detail: zk_client_event) */
    uint64_t writes_ok;  /* writes answered Ok, and the sum of their latencies */
    SimTime write_latency_ns;
} ZkClientStats;
const ZkClientStats *zk_client_stats(const ZkClient *c);

/* ---- the layer's figures and checks ------------------------------------ */

/* Staleness of every read answered so far (zk_ensemble_commit_lag).
 * Percentiles are exact up to 31 and within about 3% above (a bounded
 * log-linear histogram); maxima are exact. */
typedef struct ZkStaleness {
    uint64_t count;
    uint64_t stale;     /* reads answered by a server behind the last commit */
    uint64_t txns_p50, txns_p90, txns_p99, txns_max;
    SimTime ns_p50, ns_p90, ns_p99, ns_max;
} ZkStaleness;
void zk_clients_staleness(const ZkClients *cl, ZkStaleness *out);

/* Client invariants (zk_client_check.c), checked as the run goes; a
 * violation calls sim_fail:
 *   1. FIFO: each reply answers the oldest request in flight;
 *   2. a session never sees an older state: reply zxids never go back,
 *      across reconnects;
 *   3. watch before data: when a reply with zxid Z arrives, every event
 *      the server fired for this connection at a txn <= Z has arrived;
 *   4. an event always matches a watch the client holds (a one-shot
 *      watch fires at most once);
 *   5. once a server applies a closeSession, the session owns no node
 *      there;
 *   6. a lock (zk_clients_lock_*) never has two holders. */
uint64_t zk_clients_violations(const ZkClients *cl);

/* Global lock bookkeeping for recipes (the lock workload). */
void zk_clients_lock_acquired(ZkClients *cl, const char *lock, ZkClient *c);
void zk_clients_lock_released(ZkClients *cl, const char *lock, ZkClient *c);
/* Times a lock was acquired, over all locks. */
uint64_t zk_clients_lock_acquisitions(const ZkClients *cl);

#endif
