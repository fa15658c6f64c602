/* zk_ensemble.h - a whole ZooKeeper ensemble in one Sim: the servers, the
 * ensemble-wide invariant checker, the record of elections and commits,
 * and the hooks through which clients (zk_client.c) and scenarios drive
 * it.  Server `sid` is sim node `sid - 1`; clients are added after.
 */
#ifndef ZK_ENSEMBLE_H
#define ZK_ENSEMBLE_H

#include "zk_server.h"

typedef struct ZkInvariants ZkInvariants;

/* A completed ensemble election: from the moment the ensemble had no
 * established leader (start, or the old leader stepped down or crashed)
 * to the moment a new leader established itself (startZkServer). */
typedef struct ZkElection {
    int leader;
    int64_t epoch;
    SimTime start;
    SimTime end;
    uint64_t notifications; /* sent by all servers during it */
} ZkElection;

/* Called for every txn a server applies, after its tree changed, with the
 * result and the watch events it fired on that server: the client layer
 * replies to its own pending request (matched by session and cxid, as
 * CommitProcessor matches) and delivers the events. */
typedef void (*ZkApplyFn)(ZkServer *s, const ZkTxn *txn, const ZkApplyResult *res, ZkWatchEvents *fired,
                          void *ctx);
/* A server's serving state changed (it stopped or started serving
 * clients): the client layer closes or accepts connections. */
typedef void (*ZkServingFn)(ZkServer *s, gboolean serving, void *ctx);
/* The leader answered a REVALIDATE the client layer asked for. */
typedef void (*ZkRevalidatedFn)(ZkServer *s, uint64_t session, gboolean valid, void *ctx);
/* A SYNC completed at the origin server (rid as submitted). */
typedef void (*ZkSyncDoneFn)(ZkServer *s, uint64_t rid, void *ctx);
/* A client-protocol packet arrived on a ZK_CH_CLIENT connection (after
 * the server's CPU took cpu_request for it); the hook owns m. */
typedef void (*ZkClientMsgFn)(ZkServer *s, SimConnId c, ZkMsg *m, void *ctx);
/* A connection the servers' own protocols do not know closed (a client
 * connection, or one the client layer already forgot). */
typedef void (*ZkClientClosedFn)(ZkServer *s, SimConnId c, void *ctx);

/* The last commits, for staleness figures: commit number k (1-based,
 * ens->commits after it) is at index (k - 1) % ZK_COMMIT_RING. */
#define ZK_COMMIT_RING 16384

struct ZkEnsemble {
    Sim *sim;
    ZkConfig cfg;
    ZkServer *servers[ZK_MAX_SERVERS + 1]; /* by sid */
    int nservers;
    ZkInvariants *inv;

    /* elections */
    GArray *elections; /* ZkElection, completed */
    gboolean electing; /* no established leader right now */
    SimTime election_start;
    uint64_t notif_at_start;
    uint64_t notifications; /* total sent */
    int leader_sid;         /* established leader, 0 if none */
    int64_t leader_epoch;

    ZkSyncMode last_sync[ZK_MAX_SERVERS + 1];
    uint64_t commits;      /* txns committed by leaders (quorum acked) */
    uint64_t last_committed_zxid;
    uint64_t *ring_zxid;   /* ZK_COMMIT_RING entries: zxid and time of a commit */
    SimTime *ring_time;

    /* hooks (zk_client.c) */
    ZkApplyFn on_apply;
    ZkServingFn on_serving;
    ZkSyncDoneFn on_sync_done;
    ZkRevalidatedFn on_revalidated;
    ZkClientMsgFn on_client_message;
    ZkClientClosedFn on_client_closed;
    void *hook_ctx;

    /* planted bugs (--bug), see zk_bugs.h */
    uint32_t bugs;
};

ZkEnsemble *zk_ensemble_new(Sim *sim, const ZkConfig *cfg);
void zk_ensemble_free(ZkEnsemble *ens);

ZkServer *zk_ensemble_server(ZkEnsemble *ens, int sid);
/* The sid of the established leader (LEADING and serving), 0 if none. */
int zk_ensemble_leader(const ZkEnsemble *ens);
/* Server faults by sid; start brings up a never-started server. */
void zk_ensemble_start(ZkEnsemble *ens, int sid);
void zk_ensemble_crash(ZkEnsemble *ens, int sid);
void zk_ensemble_restart(ZkEnsemble *ens, int sid);

/* Submits a write at a server on behalf of a client (session, cxid in
 * the request); FALSE if that server is not serving. */
gboolean zk_ensemble_submit(ZkEnsemble *ens, int sid, ZkReq *req);
/* A client's sync() at a server; FALSE if not serving. */
gboolean zk_ensemble_sync(ZkEnsemble *ens, int sid, uint64_t rid);

/* ---- called by the servers ---- */

/* quorum: the servers whose NEWLEADER acks made the leader (it included). */
void zk_ensemble_leader_established(ZkEnsemble *ens, ZkServer *s, int64_t epoch, const ZkSidSet *quorum);
void zk_ensemble_leader_lost(ZkEnsemble *ens, ZkServer *s);
void zk_ensemble_committed(ZkEnsemble *ens, ZkServer *leader, ZkTxn *txn);
void zk_ensemble_notification_sent(ZkEnsemble *ens);
/* The leader answered a learner's REVALIDATE for a session. */
void zk_ensemble_revalidated(ZkEnsemble *ens, ZkServer *s, uint64_t session, gboolean valid);
void zk_ensemble_sync_chosen(ZkEnsemble *ens, int sid, ZkSyncMode mode);
/* The last sync mode the leader chose for a server (ZK_SYNC_NONE if none). */
ZkSyncMode zk_ensemble_last_sync(const ZkEnsemble *ens, int sid);

const ZkElection *zk_ensemble_last_election(const ZkEnsemble *ens);

/* How far behind the last commit a server at `zxid` is, at time now:
 * *txns committed txns it has not applied, and *ns since the first of
 * them committed (0 and 0 when it is current).  Exact within the last
 * ZK_COMMIT_RING commits; beyond that a lower bound. */
void zk_ensemble_commit_lag(const ZkEnsemble *ens, uint64_t zxid, SimTime now, uint64_t *txns, SimTime *ns);

/* ---- invariants (zk_invariants.c) ---- */

ZkInvariants *zk_inv_new(ZkEnsemble *ens);
void zk_inv_free(ZkInvariants *inv);
/* Leadership: at most one leader established per epoch; the new leader
 * holds every committed txn. */
void zk_inv_established(ZkInvariants *inv, ZkServer *s, int64_t epoch);
/* A txn committed at a quorum (the client may be told). */
void zk_inv_committed(ZkInvariants *inv, ZkTxn *txn);
/* Server s applied txn: same txn at a zxid everywhere, increasing zxids. */
void zk_inv_applied(ZkInvariants *inv, ZkServer *s, ZkTxn *txn);
/* Server s rebuilt its tree (restart, TRUNC, SNAP): its apply sequence
 * restarts from zxid. */
void zk_inv_tree_reset(ZkInvariants *inv, ZkServer *s, uint64_t zxid);
/* Server s acks a proposal: the log entry must be durable. */
void zk_inv_ack(ZkInvariants *inv, ZkServer *s, uint64_t zxid);
uint64_t zk_inv_violations(const ZkInvariants *inv);
/* The committed txns, for end-of-run checks: count and highest zxid. */
uint64_t zk_inv_committed_count(const ZkInvariants *inv);
uint64_t zk_inv_committed_max(const ZkInvariants *inv);
/* How many applied txns the agreement check still holds (its window). */
guint zk_inv_window(const ZkInvariants *inv);
/* Checks that a live server's log or snapshot holds every committed zxid
 * at or below its last zxid, and that its tree is current up to max;
 * returns FALSE with a message. */
gboolean zk_inv_server_has_committed(ZkInvariants *inv, ZkServer *s, GString *why);

#endif
