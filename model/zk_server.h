/* zk_server.h - a virtual ZooKeeper server (QuorumPeer) on the engine.
 *
 * A server is a sim node with durable state (its disk: transaction log,
 * snapshot, acceptedEpoch and currentEpoch files) and volatile state (its
 * role and everything that goes with it, the in-memory tree, connections),
 * split the way a crash splits them.
 *
 * Roles (QuorumPeer.ServerState) and who moves between them:
 *
 *            start/restart
 *                 |
 *                 v         election ends (zk_fle.c: decide)
 *   +-------> LOOKING ------------------------+------------------+
 *   |                                         |                  |
 *   |                                         v                  v
 *   |   lost quorum / initLimit /      LEADING (zk_leader.c)   FOLLOWING or OBSERVING
 *   |   zxid rollover                         |                (zk_learner.c)
 *   +-----------------------------------------+                  |
 *   |   read timeout / leader closed / protocol error            |
 *   +------------------------------------------------------------+
 *
 * Every change goes through zk_server_set_role(), which asserts the
 * transition is one of these, tears down the old role's state and records
 * the change on the timeline (QuorumPeer.run's loop and setPeerState).
 * Going back to LOOKING first fast-forwards the tree from the log
 * (ZooKeeperServer.shutdown(false) -> fastForwardDataBase, ZOOKEEPER-2845),
 * so lastLoggedZxid counts logged-but-uncommitted proposals.
 *
 * Invariants checked after every handled message (zk_server_check):
 *   1. role-specific state exists exactly for the current role;
 *   2. the durable log is in strictly increasing zxid order;
 *   3. acceptedEpoch >= currentEpoch;
 *   4. a follower's pending txns are in increasing zxid order.
 */
#ifndef ZK_SERVER_H
#define ZK_SERVER_H

#include "sim.h"
#include "zk_config.h"
#include "zk_msg.h"
#include "zk_tree.h"

typedef struct ZkEnsemble ZkEnsemble;
typedef struct ZkServer ZkServer;
typedef struct ZkLeader ZkLeader;
typedef struct ZkLearner ZkLearner;

/* Connection channels between nodes. */
enum {
    ZK_CH_ELECTION = 1, /* QuorumCnxManager (electionPort) */
    ZK_CH_QUORUM = 2,   /* learner -> leader (quorum port) */
    ZK_CH_CLIENT = 3,   /* client -> server (clientPort) */
};

typedef enum {
    ZK_SYNC_NONE,
    ZK_SYNC_DIFF,
    ZK_SYNC_SNAP,
    ZK_SYNC_TRUNC,
} ZkSyncMode;

const char *zk_sync_mode_name(ZkSyncMode m);

/* ---- durable state (survives a crash) ---- */

typedef struct ZkLogEntry {
    uint64_t zxid;
    ZkTxn *txn;
    uint64_t write_no; /* sim_disk write number: durable once flushed */
} ZkLogEntry;

/* The txn log: a growable array of entries (g_array_index works on it),
 * appended to inline - five appends a write in a 5-server ensemble. */
typedef struct ZkLog {
    ZkLogEntry *data;
    guint len;
    guint cap;
} ZkLog;

static inline void zk_log_push(ZkLog *log, ZkLogEntry e)
{
    if (G_UNLIKELY(log->len == log->cap)) {
        log->cap = log->cap ? log->cap * 2 : 64;
        log->data = g_renew(ZkLogEntry, log->data, log->cap);
    }
    log->data[log->len++] = e;
}

typedef struct ZkDurable {
    ZkLog log;        /* strictly increasing zxid */
    ZkTree *snap;     /* the latest snapshot, NULL = the empty tree */
    uint64_t snap_zxid;
    int64_t accepted_epoch; /* the acceptedEpoch file */
    int64_t current_epoch;  /* the currentEpoch file */
    int64_t txns_since_snap;
    int64_t snap_threshold; /* snapCount/2 plus a random part below snapCount/2 */
} ZkDurable;

/* ---- election (FastLeaderElection + QuorumCnxManager) ---- */

typedef struct ZkFlePeer {
    SimConnId conn;       /* the one election connection kept */
    gboolean open;        /* established (hello exchanged) */
    gboolean connecting;  /* a connect attempt is under way */
    ZkMsg *queued;        /* send queue of capacity 1 (SEND_CAPACITY) */
    gboolean in_queue_map; /* we have sent to this sid (queueSendMap has it) */
    ZkVote last_sent;     /* lastMessageSent[sid] */
    gboolean has_last_sent;
} ZkFlePeer;

typedef struct ZkFle {
    int64_t logicalclock;
    ZkVote proposal;       /* proposedLeader, proposedZxid, proposedEpoch */
    ZkVote recvset[ZK_MAX_SERVERS + 1];
    gboolean in_recvset[ZK_MAX_SERVERS + 1];
    ZkVote outofelection[ZK_MAX_SERVERS + 1];
    gboolean in_outofelection[ZK_MAX_SERVERS + 1];
    SimTime not_timeout;   /* current poll timeout (back-off) */
    SimEventId poll_timer;
    gboolean finalizing;   /* in the finalize wait */
    gboolean active;       /* lookForLeader is running */
    SimTime started;       /* when this election began (LOOKING) */
    uint64_t sent;         /* notifications sent in this election */
    SimEventId observer_delay; /* observers wait before looking */
} ZkFle;

/* ---- the server ---- */

typedef struct ZkServerStats {
    uint64_t elections;
    uint64_t proposals;
    uint64_t commits;
    uint64_t applied;
} ZkServerStats;

struct ZkServer {
    ZkEnsemble *ens;
    Sim *sim;
    const ZkConfig *cfg;
    int sid;   /* myid, 1.. */
    int node;  /* sim node id */
    gboolean observer;
    gboolean started; /* has been started at least once */

    ZkDurable disk;

    /* volatile */
    ZkRole role;
    ZkVote current_vote; /* the vote reported to others when not LOOKING */
    ZkTree *tree;
    /* ZKDatabase.committedLog starts past this zxid: the log entries at or
     * below it predate the tree's last load (a restart's loadDataBase
     * replays only what follows the snapshot; a SNAP from a leader clears
     * the committedLog).  A leader never serves them to a learner. */
    uint64_t committed_floor;
    ZkWatchManager *watches;
    ZkFle fle;
    ZkFlePeer peers[ZK_MAX_SERVERS + 1];
    ZkLeader *leader;   /* LEADING only */
    ZkLearner *learner; /* FOLLOWING / OBSERVING only */
    gboolean serving;   /* the ZooKeeperServer is running (after UPTODATE / startZkServer) */
    SimTime looking_since; /* when it last entered LOOKING */
    uint64_t role_gen;  /* bumps at every role change and boot: stale callbacks compare it */
    SimRng *rng;
    ZkServerStats stats;
    void *client_side; /* the client layer's per-server state (zk_client.c) */
    ZkWatchEvents *fired; /* zk_server_apply's events list, reused */
    gboolean fired_busy;
};

ZkServer *zk_server_new(ZkEnsemble *ens, int sid, int node);
void zk_server_free(ZkServer *s);

/* Starts a never-started server (loads the empty database). */
void zk_server_start(ZkServer *s);
/* Engine hooks: the node crashed / restarts. */
void zk_server_on_crash(ZkServer *s);
void zk_server_on_restart(ZkServer *s);

/* The process exits (ZooKeeper's requestSystemExit): an EXIT event now,
 * and the node is down at once, as after a crash, until restarted. */
void zk_server_exit(ZkServer *s, const char *why);

/* The one place roles change.  `why` is recorded on the timeline. */
void zk_server_set_role(ZkServer *s, ZkRole role, const char *why);

/* lastLoggedZxid (QuorumPeer.getLastLoggedZxid): the tree's
 * lastProcessedZxid after fast-forwarding from the log. */
uint64_t zk_server_last_zxid(const ZkServer *s);
/* The zxid of the last entry in the log (0 if empty; the snapshot's if
 * the log is empty after it). */
uint64_t zk_server_last_logged(const ZkServer *s);
gboolean zk_server_is_voter(const ZkServer *s);

/* ---- durable log ---- */

/* Appends a txn to the log (a disk write; durable after a flush). */
void zk_server_log_append(ZkServer *s, ZkTxn *txn);
/* Truncates the log after zxid (TRUNC) and reloads the tree from the
 * snapshot and the remaining log (ZKDatabase.truncateLog). FALSE if the
 * snapshot is already past zxid (ZooKeeper exits then). */
gboolean zk_server_log_truncate(ZkServer *s, uint64_t zxid);
/* Rebuilds the in-memory tree from snapshot + log (loadDataBase). */
void zk_server_reload(ZkServer *s);
/* Applies logged txns past the tree's lastProcessedZxid (fastForwardDataBase). */
void zk_server_fast_forward(ZkServer *s);
/* Takes a snapshot of the current tree (durable at once) and drops the
 * log entries no sync can serve any more. */
void zk_server_snapshot(ZkServer *s);
/* The latest snapshot's size on disk, as the txn-log sync weighs it. */
size_t zk_server_snap_bytes(const ZkServer *s);
/* Counts a logged txn towards the next snapshot and takes it when due
 * (SyncRequestProcessor.shouldSnapshot). */
void zk_server_maybe_snapshot(ZkServer *s);
/* Index of the log entry with this zxid, or -1. */
gssize zk_server_log_find(const ZkServer *s, uint64_t zxid);
void zk_server_set_accepted_epoch(ZkServer *s, int64_t e);
void zk_server_set_current_epoch(ZkServer *s, int64_t e);

/* Applies a committed txn to the tree, fires watches and tells the
 * ensemble (invariants, client replies). */
void zk_server_apply(ZkServer *s, ZkTxn *txn);

/* ---- messaging ---- */

/* Sends a message on a connection, charging cpu.send and sizing it. */
void zk_server_send(ZkServer *s, SimConnId c, ZkMsg *m);
uint32_t zk_msg_size(const ZkServer *s, const ZkMsg *m);

/* Per-server assertions (see the header comment). */
void zk_server_check(const ZkServer *s);

/* ---- election (zk_fle.c) ---- */

void zk_fle_start(ZkServer *s);     /* lookForLeader */
void zk_fle_stop(ZkServer *s);      /* leaves LOOKING: timers off */
void zk_fle_reset(ZkServer *s);     /* crash: connections and queues gone */
void zk_fle_on_message(ZkServer *s, SimConnId c, ZkMsg *m);
gboolean zk_fle_on_accept(ZkServer *s, SimConnId c, int peer_node);
void zk_fle_on_connected(ZkServer *s, SimConnId c, int peer_node);
void zk_fle_on_connect_failed(ZkServer *s, int peer_node);
gboolean zk_fle_on_closed(ZkServer *s, SimConnId c); /* TRUE if it was an election connection */
/* Rewrites the stored vote's peer epoch after sync (updateElectionVote). */
void zk_fle_update_vote_epoch(ZkServer *s, int64_t epoch);

/* Vote order (FastLeaderElection.totalOrderPredicate): TRUE if the new
 * vote (id, zxid, epoch) beats the current one. */
gboolean zk_fle_total_order(const ZkConfig *cfg, int64_t new_id, int64_t new_zxid, int64_t new_epoch, int64_t cur_id,
                            int64_t cur_zxid, int64_t cur_epoch);
/* Vote.equals, with the non-LOOKING rules of ZOOKEEPER-1805/1732. */
gboolean zk_vote_equal(const ZkVote *a, const ZkVote *b);

/* ---- leader (zk_leader.c) ---- */

void zk_leader_start(ZkServer *s); /* Leader.lead */
void zk_leader_stop(ZkServer *s, const char *why);
gboolean zk_leader_on_accept(ZkServer *s, SimConnId c, int peer_node);
void zk_leader_on_message(ZkServer *s, SimConnId c, ZkMsg *m);
gboolean zk_leader_on_closed(ZkServer *s, SimConnId c);
/* A write from a client of this server (LeaderRequestProcessor). rid
 * names it at the origin server for the reply. */
void zk_leader_submit(ZkServer *s, ZkReq *req, int origin_sid, uint64_t rid);
/* A sync from a client (Leader.processSync). */
void zk_leader_sync(ZkServer *s, int origin_sid, uint64_t rid);
gboolean zk_leader_is_established(const ZkServer *s);
int64_t zk_leader_epoch(const ZkServer *s);
uint64_t zk_leader_last_committed(const ZkServer *s);
/* Sessions: a touch from this server's own clients or a learner's ping. */
void zk_leader_touch_session(ZkServer *s, uint64_t session, int32_t timeout_ms);
/* A session reconnects at `owner` (LeaderZooKeeperServer.revalidateSession,
 * LearnerMaster.revalidateSession): TRUE if it is alive, which touches it
 * and makes owner its server. */
gboolean zk_leader_revalidate(ZkServer *s, uint64_t session, int32_t timeout_ms, int owner);

/* ---- learner (zk_learner.c) ---- */

void zk_learner_start(ZkServer *s); /* Follower.followLeader / Observer.observeLeader */
void zk_learner_stop(ZkServer *s, const char *why);
void zk_learner_on_message(ZkServer *s, SimConnId c, ZkMsg *m);
void zk_learner_on_connected(ZkServer *s, SimConnId c);
void zk_learner_on_connect_failed(ZkServer *s);
gboolean zk_learner_on_closed(ZkServer *s, SimConnId c);
/* Forwards a client's write or sync to the leader. */
void zk_learner_submit(ZkServer *s, ZkReq *req, uint64_t rid);
void zk_learner_sync(ZkServer *s, uint64_t rid);
int zk_learner_leader_sid(const ZkServer *s);
/* A session's client was heard here: shipped in the next PING reply
 * (LearnerSessionTracker.touchSession, Learner.ping). */
void zk_learner_touch(ZkServer *s, uint64_t session, int32_t timeout_ms);
/* REVALIDATE a reconnecting session with the leader; the answer comes
 * back through the ensemble's on_revalidated hook. */
void zk_learner_revalidate(ZkServer *s, uint64_t session, int32_t timeout_ms);

#endif
