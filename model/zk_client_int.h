/* zk_client_int.h - what zk_client.c (the client), zk_client_server.c
 * (the servers' side of the client protocol), zk_client_check.c (client
 * invariants, staleness) and zk_workload.c share.  Not a public API. */
#ifndef ZK_CLIENT_INT_H
#define ZK_CLIENT_INT_H

#include "zk_client.h"

#include "sim_ring.h"

#include <stdarg.h>

/* ---- packets on the wire ------------------------------------------------ */

/* The sim node kind of clients (servers are 0). */
#define ZKC_NODE_KIND 1

/* Special xids (`ClientCnxn`). */
#define ZK_XID_NOTIFICATION (-1)
#define ZK_XID_PING (-2)
#define ZK_XID_SET_WATCHES (-8)

/* The body of a client-protocol ZkMsg: one struct for every packet kind,
 * each using its own fields.  Owned by the message (zkc_packet_free). */
typedef struct ZkCPacket {
    int32_t xid;
    ZkOpCode op;
    /* ConnectRequest / ConnectResponse */
    uint64_t last_zxid;
    int32_t timeout_ms;
    uint64_t session;
    /* requests */
    ZkReq *req;   /* writes: the request the leader will prep (a reference) */
    char *path;   /* refcounted (sim_rcstr.h), shared with the op that sent it */
    gboolean watch;
    int32_t arg;  /* addWatch: ZkWatcherMode; removeWatches: ZkWatcherType */
    GPtrArray *lists[ZK_WATCH_KIND_COUNT]; /* SetWatches2: owned paths */
    /* replies (ReplyHeader + record) */
    ZkErr err;
    uint64_t zxid;
    char *created;
    gboolean has_stat;
    ZkStat stat;
    GBytes *data;
    GPtrArray *children; /* owned names */
    ZkMultiResult *multi; /* owned, paths owned */
    guint n_multi;
    /* reads: the server's lag when it answered (simulation knowledge) */
    gboolean is_read;
    uint64_t stale_txns;
    SimTime stale_ns;
    /* WatcherEvent */
    ZkEventType ev_type;
    int server; /* sid of the sender (server packets) */
} ZkCPacket;

ZkCPacket *zkc_packet_new(int32_t xid, ZkOpCode op);
void zkc_packet_free(void *p);
/* A message of `type` carrying p (sized for the wire). */
ZkMsg *zkc_msg_new(int type, ZkCPacket *p);

/* ---- the layer ---------------------------------------------------------- */

typedef struct ZkServerSide ZkServerSide;

/* A log-linear histogram of non-negative values: exact below
 * ZKC_HIST_SUB, then ZKC_HIST_SUB buckets per power of two (relative
 * error under 1/ZKC_HIST_SUB); fixed size whatever the run's length. */
#define ZKC_HIST_SUB 32
#define ZKC_HIST_BUCKETS (ZKC_HIST_SUB + 64 * ZKC_HIST_SUB)
typedef struct ZkcHist {
    uint64_t count;
    uint64_t max;
    uint64_t buckets[ZKC_HIST_BUCKETS];
} ZkcHist;

/* Node events a client keeps in detail; beyond, only counters. */
#define ZKC_EVENTS_MAX 10000

struct ZkClients {
    ZkEnsemble *ens;
    Sim *sim;
    GPtrArray *clients; /* ZkClient*, creation order */
    ZkServerSide *sides[ZK_MAX_SERVERS + 1];
    /* checks */
    uint64_t violations;
    GHashTable *lock_holders; /* lock path -> ZkClient* (lookup only) */
    uint64_t lock_acquisitions;
    /* staleness of reads */
    ZkcHist stale_txns;
    ZkcHist stale_ns;
    uint64_t stale_reads;
    /* workloads (zk_workload.c), freed with the layer */
    GPtrArray *workloads;
};

/* ---- a client ----------------------------------------------------------- */

/* The connection's progress, under the ZooKeeper state. */
typedef enum {
    ZKC_IDLE,      /* no connection and no attempt planned (NOT_CONNECTED, CLOSED) */
    ZKC_WAIT,      /* sleeping before the next attempt */
    ZKC_TCP,       /* TCP connect under way */
    ZKC_HANDSHAKE, /* ConnectRequest sent, waiting for the ConnectResponse */
    ZKC_OPEN,      /* session established on this connection */
} ZkcPhase;

/* One request of the client, from the call to its answer. */
typedef struct ZkcOp {
    int32_t xid;
    ZkOpCode op;
    int msg_type;     /* CLIENT_REQUEST or SET_WATCHES */
    char *path;       /* a refcounted string (sim_rcstr.h): the request packet holds it too */
    gboolean watch;
    int32_t arg;
    ZkCPacket *pkt;   /* the request, until sent */
    ZkResultFn cb;
    void *ud;
    GDestroyNotify ud_free; /* frees ud if the op dies without its callback */
    SimTime start;
    int server;       /* where it was sent */
    gboolean internal; /* SetWatches: no callback, no records */
} ZkcOp;

/* An event the server fired for this client's connection and has not
 * yet delivered (invariant 3). */
typedef struct ZkcOwed {
    uint64_t zxid;
    ZkEventType type;
    char *path;
} ZkcOwed;

struct ZkClient {
    /* Hot: what nearly every packet sent or received reads or writes, in
     * the first lines (client_ops.hot_bytes: the run loop prefetches
     * them while the event before this client's runs; a thousand
     * clients' structs do not stay in the caches). */
    ZkClients *cl;
    Sim *sim;
    SimConnId conn;
    uint64_t session;
    uint64_t last_zxid;
    int node;
    ZkClientState state;
    ZkcPhase phase;
    int server;         /* connected (or connecting) to */
    int32_t next_xid;
    ZkErr last_result;
    SimRing pending; /* ZkcOp*: sent, in xid order */
    GQueue outgoing; /* ZkcOp*: not sent yet */
    SimTime last_send;  /* local clock */
    SimTime last_heard;
    SimTimer conn_timer; /* connect/read timeout: pushed back by every packet heard */
    SimTimer ping_timer; /* idle ping: pushed back by every packet sent */
    uint64_t saw[4]; /* bit -err */
    ZkClientStats stats;
    /* end of the hot part */
    char *name;
    SimRng *rng;
    /* StaticHostProvider */
    int *hosts;
    guint n_hosts;
    int cur_index;
    int last_index;
    gboolean first_connect;
    /* state */
    gboolean started;
    int prev_server;    /* where the session was last attached */
    int32_t requested_ms;
    int32_t timeout_ms; /* negotiated */
    SimTime connect_timeout;
    SimTime read_timeout;
    SimEventId attempt_timer;
    gboolean closing;
    gboolean restart_after_close;
    uint64_t session_gen; /* bumps when a session begins or ends */
    /* ZKWatchManager: one watcher (the default one), a path set per kind */
    GTree *watches[ZK_WATCH_KIND_COUNT];
    ZkWatcherFn watcher;
    void *watcher_ud;
    /* records */
    GHashTable *values; /* path -> GBytes* or the NO_VALUE marker (lookup only) */
    GArray *events;     /* ZkEventRecord, the first ZKC_EVENTS_MAX */
    GHashTable *event_counts; /* path -> guint[ZK_EVENT_SLOTS] by type (lookup only) */
    /* checks */
    GQueue owed; /* ZkcOwed* */
};

/* ---- the servers' side (zk_client_server.c) ------------------------------ */

ZkServerSide *zkc_server_side_new(ZkClients *cl, ZkServer *s);
void zkc_server_side_free(ZkServerSide *ss);
void zkc_server_on_message(ZkServer *s, SimConnId c, ZkMsg *m, void *ctx);
void zkc_server_on_closed(ZkServer *s, SimConnId c, void *ctx);
void zkc_server_on_serving(ZkServer *s, gboolean serving, void *ctx);
void zkc_server_on_apply(ZkServer *s, const ZkTxn *txn, const ZkApplyResult *res, ZkWatchEvents *fired, void *ctx);
void zkc_server_on_sync_done(ZkServer *s, uint64_t rid, void *ctx);
void zkc_server_on_revalidated(ZkServer *s, uint64_t session, gboolean valid, void *ctx);

/* ---- the client (zk_client.c) -------------------------------------------- */

void zkc_client_free(ZkClient *c);

/* ---- workloads (zk_workload.c) ------------------------------------------- */

/* Frees a workload; only zk_clients_free calls it (the layer owns them). */
void zk_workload_free(ZkWorkload *wl);

/* ---- checks and figures (zk_client_check.c) ------------------------------ */

void zkc_violation(ZkClients *cl, int node, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Server s fired an event for connection conn (a client's peer node). */
void zkc_check_fired(ZkClients *cl, ZkServer *s, SimConnId conn, int peer, const ZkWatchEvent *ev);
/* The client received an event on its connection. */
void zkc_check_event_arrived(ZkClient *c, uint64_t zxid, ZkEventType type, const char *path);
/* The client received a reply header with this zxid (> 0). */
void zkc_check_reply_zxid(ZkClient *c, uint64_t zxid, int32_t xid);
/* The client's connection is gone: nothing more is owed on it. */
void zkc_check_conn_gone(ZkClient *c);
/* Server s applied a closeSession for session. */
void zkc_check_close_applied(ZkClients *cl, ZkServer *s, uint64_t session);
/* 6. the client's process died: it holds no lock any more (its lock
 * node goes when the session expires, and someone else may take it). */
void zkc_check_crashed(ZkClients *cl, ZkClient *c);
/* A read's staleness. */
void zkc_record_staleness(ZkClients *cl, uint64_t txns, SimTime ns);

#endif
