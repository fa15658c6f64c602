/* zk_learner.c - followers and observers (Learner, Follower, Observer).
 *
 *   CONNECTING     up to 5 attempts, 100 ms apart, within initLimit ticks
 *                  (Learner.connectToLeader);
 *   WAIT_LEADERINFO FOLLOWERINFO(acceptedEpoch) sent; LEADERINFO with a
 *                  newer epoch is persisted and acked with our last zxid
 *                  and currentEpoch, an equal one acked with -1, an older
 *                  one sends us back to LOOKING;
 *   SYNCING        DIFF / TRUNC / SNAP, then PROPOSALs and COMMITs are
 *                  buffered until NEWLEADER (Learner.syncWithLeader);
 *   NEWLEADER      snapshot if SNAP or TRUNC, log the buffered proposals,
 *                  fsync, then write currentEpoch and ack (the order fixed
 *                  by ZOOKEEPER-3911/4646/4643);
 *   WAIT_UPTODATE  more buffering; UPTODATE acks, then acks the proposals
 *                  logged at NEWLEADER (PR #2111: not before, or a
 *                  proposal could be acked by a server whose currentEpoch
 *                  is still the old one, whose vote then loses to a
 *                  shorter log and takes the committed txn with it),
 *                  starts serving, logs and commits what was buffered;
 *   RUNNING        PROPOSAL: log, fsync, ACK; COMMIT: must match the head
 *                  of the pending txns, apply; INFORM (observers): log and
 *                  apply; PING: answer with our clients' session touches.
 *
 * The socket read timeout is initLimit ticks until NEWLEADER, then
 * syncLimit ticks: any packet from the leader resets it, silence sends us
 * back to LOOKING, as does a closed connection.
 */
#include "zk_bugs.h"
#include "zk_ensemble.h"
#include "sim_disk.h"
#include "sim_map.h"
#include "sim_net.h"
#include "sim_ring.h"
#include "sim_trace.h"

#include <string.h>

typedef enum {
    L_CONNECTING,
    L_WAIT_LEADERINFO,
    L_SYNCING,
    L_NEWLEADER_FLUSH,
    L_WAIT_UPTODATE,
    L_RUNNING,
} LState;

typedef struct {
    uint64_t zxid;
    uint64_t write_no;
} ToAck;

struct ZkLearner {
    int leader_sid;
    SimConnId conn;
    LState state;
    int tries;
    SimTime give_up_at;
    SimEventId retry_timer;
    SimTimer read_timer;     /* re-armed by every packet from the leader */
    SimTime read_timeout;
    int64_t new_epoch;
    uint64_t newleader_zxid;
    ZkSyncMode mode;
    gboolean snapshot_needed;
    gboolean write_to_log; /* after NEWLEADER, commits are recorded, not applied */
    GQueue not_committed;  /* ZkTxn*: proposals received during sync */
    GArray *committed;     /* uint64 zxids committed during sync */
    GArray *ack_at_uptodate; /* uint64 zxids logged at NEWLEADER (requestsToAck) */
    SimRing pending;       /* ZkTxn* (references): logged, awaiting COMMIT (pendingTxns) */
    SimRing to_ack;        /* ToAck: logged, awaiting fsync to be acked */
    GQueue syncs;          /* rids of client syncs forwarded, FIFO */
    uint64_t gen;
    GArray *touches;       /* session touches for the next PING reply */
    SimU64Map touched;     /* session -> its index in touches + 1 (lookup
                            * only): one entry each, as LearnerSessionTracker's
                            * touchTable map */
};

static void learner_fail(ZkServer *s, const char *why)
{
    SIM_TRACE(s->sim, s->node, "LEARNER_SHUTDOWN", SF_STR("why", why));
    zk_server_set_role(s, ZK_LOOKING, why);
}

static ZkMsg *packet(ZkServer *s, ZkMsgType type, uint64_t zxid)
{
    ZkMsg *m = zk_msg_new(type, s->sid);
    m->zxid = zxid;
    return m;
}

static void send_leader(ZkServer *s, ZkMsg *m)
{
    zk_server_send(s, s->learner->conn, m);
}

static void read_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    learner_fail(s, "read timeout from leader");
}

static void arm_read(ZkServer *s)
{
    ZkLearner *l = s->learner;
    sim_timer_arm(s->sim, &l->read_timer, l->read_timeout);
}

/* ---- connecting ---- */

static void try_connect(ZkServer *s)
{
    ZkLearner *l = s->learner;
    SimTime left = l->give_up_at - sim_node_now(s->sim, s->node);
    if (left <= 0 || l->tries >= 5) {
        learner_fail(s, "could not connect to the leader");
        return;
    }
    l->tries++;
    l->conn = sim_net_connect(s->sim, s->node, l->leader_sid - 1, ZK_CH_QUORUM, left);
}

static void retry_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    s->learner->retry_timer = SIM_EVENT_NONE;
    try_connect(s);
}

void zk_learner_on_connect_failed(ZkServer *s)
{
    ZkLearner *l = s->learner;
    if (!l || l->state != L_CONNECTING)
        return;
    l->conn = 0;
    l->retry_timer = sim_node_timer(s->sim, s->node, s->cfg->leader_connect_delay, retry_fn, s, NULL);
}

void zk_learner_on_connected(ZkServer *s, SimConnId c)
{
    ZkLearner *l = s->learner;
    if (!l || l->state != L_CONNECTING || c != l->conn) {
        sim_net_close(s->sim, c, s->node);
        return;
    }
    ZkMsg *m = packet(s, s->role == ZK_OBSERVING ? ZK_MSG_OBSERVERINFO : ZK_MSG_FOLLOWERINFO,
                      (uint64_t)s->disk.accepted_epoch << 32);
    send_leader(s, m);
    l->state = L_WAIT_LEADERINFO;
    arm_read(s);
}

/* ---- sync ---- */

static void send_ack(ZkServer *s, uint64_t zxid)
{
    zk_inv_ack(s->ens->inv, s, zxid);
    SIM_TRACE(s->sim, s->node, "ACK", SF_HEX("zxid", zxid));
    send_leader(s, packet(s, ZK_MSG_ACK, zxid));
}

/* Logs a proposal (SyncRequestProcessor): it joins pendingTxns and will
 * be acked once an fsync covers it. */
static void flushed(Sim *sim, void *ctx, void *data);

static void log_proposal(ZkServer *s, ZkTxn *txn, gboolean ack)
{
    ZkLearner *l = s->learner;
    zk_server_log_append(s, txn);
    zk_server_maybe_snapshot(s);
    *(ZkTxn **)sim_ring_push_raw(&l->pending) = zk_txn_ref(txn);
    SIM_TRACE(s->sim, s->node, "LOGGED", SF_HEX("zxid", zk_txn_zxid(txn)));
    if (!ack)
        return;
    uint64_t w = s->disk.log.data[s->disk.log.len - 1].write_no;
    if (zk_bug(s->ens, ZK_BUG_ACK_BEFORE_FLUSH)) {
        send_leader(s, packet(s, ZK_MSG_ACK, zk_txn_zxid(txn)));
        sim_disk_flush(s->sim, s->node, flushed, s, (void *)(uintptr_t)l->gen);
        return;
    }
    *(ToAck *)sim_ring_push_raw(&l->to_ack) = (ToAck){ zk_txn_zxid(txn), w };
    sim_disk_flush(s->sim, s->node, flushed, s, (void *)(uintptr_t)l->gen);
}

static void newleader_flushed(ZkServer *s);

static void flushed(Sim *sim, void *ctx, void *data)
{
    ZkServer *s = ctx;
    ZkLearner *l = s->learner;
    if (!l || l->gen != (uint64_t)(uintptr_t)data)
        return;
    uint64_t durable = sim_disk_durable(sim, s->node);
    const ToAck *a;
    while ((a = sim_ring_peek(&l->to_ack)) && a->write_no <= durable) {
        uint64_t zxid = a->zxid;
        sim_ring_pop(&l->to_ack);
        send_ack(s, zxid);
    }
    if (l->state == L_NEWLEADER_FLUSH && sim_disk_written(sim, s->node) <= durable)
        newleader_flushed(s);
}

static void on_leaderinfo(ZkServer *s, ZkMsg *m)
{
    ZkLearner *l = s->learner;
    int64_t e = (int64_t)(m->zxid >> 32);
    ZkMsg *ack = packet(s, ZK_MSG_ACKEPOCH, zk_server_last_zxid(s));
    if (e > s->disk.accepted_epoch) {
        ack->epoch = s->disk.current_epoch;
        zk_server_set_accepted_epoch(s, e);
    } else if (e == s->disk.accepted_epoch) {
        ack->epoch = -1; /* already accepted: does not count */
    } else {
        zk_msg_free(ack, 0);
        learner_fail(s, "leader's epoch is less than our accepted epoch");
        return;
    }
    l->new_epoch = e;
    send_leader(s, ack);
    l->state = L_SYNCING;
}

static void on_sync_start(ZkServer *s, ZkMsg *m)
{
    ZkLearner *l = s->learner;
    switch (m->type) {
    case ZK_MSG_DIFF:
        /* No snapshot will capture what follows: log it (writeToTxnLog). */
        l->mode = ZK_SYNC_DIFF;
        l->snapshot_needed = FALSE;
        l->write_to_log = TRUE;
        break;
    case ZK_MSG_TRUNC:
        l->mode = ZK_SYNC_TRUNC;
        if (!zk_server_log_truncate(s, m->zxid)) {
            /* Learner.syncWithLeader: "Not able to truncate the log",
             * then the process exits (QUORUM_PACKET_ERROR).  Going back to
             * LOOKING instead would let the server vote, win quorums for
             * leaders it can never follow, and starve the ensemble. */
            learner_fail(s, "not able to truncate the log");
            zk_server_exit(s, "not able to truncate the log");
            return;
        }
        SIM_TRACE(s->sim, s->node, "TRUNCATED", SF_HEX("zxid", m->zxid));
        break;
    case ZK_MSG_SNAP:
        l->mode = ZK_SYNC_SNAP;
        zk_tree_free(s->tree);
        s->tree = m->snap;
        m->snap = NULL;
        zk_tree_set_last_processed_zxid(s->tree, m->zxid);
        /* deserializeSnapshot clears the ZKDatabase: the log entries we
         * hold belong to the history this snapshot replaces. */
        s->committed_floor = m->zxid;
        zk_inv_tree_reset(s->ens->inv, s, m->zxid);
        break;
    default:
        g_assert_not_reached();
    }
    SIM_TRACE(s->sim, s->node, "SYNC", SF_STR("mode", zk_sync_mode_name(l->mode)), SF_HEX("zxid", m->zxid));
}

static void on_sync_proposal(ZkServer *s, ZkMsg *m)
{
    g_queue_push_tail(&s->learner->not_committed, zk_txn_ref(m->txn));
}

static void on_sync_commit(ZkServer *s, uint64_t zxid)
{
    ZkLearner *l = s->learner;
    ZkTxn *head = g_queue_peek_head(&l->not_committed);
    if (!l->write_to_log) {
        /* SNAP/TRUNC before NEWLEADER: apply in memory; the snapshot at
         * NEWLEADER makes it durable. */
        if (head && zk_txn_zxid(head) == zxid) {
            g_queue_pop_head(&l->not_committed);
            zk_server_apply(s, head);
            zk_txn_unref(head);
        }
        return;
    }
    g_array_append_val(l->committed, zxid);
}

static void on_newleader(ZkServer *s, ZkMsg *m)
{
    ZkLearner *l = s->learner;
    l->newleader_zxid = m->zxid;
    if (l->snapshot_needed)
        zk_server_snapshot(s);
    l->write_to_log = TRUE;
    ZkTxn *t;
    while ((t = g_queue_pop_head(&l->not_committed))) {
        /* Logged now, acked after UPTODATE: the flush below covers them. */
        log_proposal(s, t, FALSE);
        if (s->role == ZK_FOLLOWING) {
            uint64_t zxid = zk_txn_zxid(t);
            g_array_append_val(l->ack_at_uptodate, zxid);
        }
        zk_txn_unref(t);
    }
    l->state = L_NEWLEADER_FLUSH;
    if (sim_disk_written(s->sim, s->node) <= sim_disk_durable(s->sim, s->node))
        newleader_flushed(s);
    else
        sim_disk_flush(s->sim, s->node, flushed, s, (void *)(uintptr_t)l->gen);
}

/* Everything logged at NEWLEADER is durable: write currentEpoch, ack. */
static void newleader_flushed(ZkServer *s)
{
    ZkLearner *l = s->learner;
    zk_server_set_current_epoch(s, l->new_epoch);
    l->read_timeout = s->cfg->sync_limit * s->cfg->tick;
    send_leader(s, packet(s, ZK_MSG_ACK, l->newleader_zxid));
    l->state = L_WAIT_UPTODATE;
    arm_read(s);
}

static void commit(ZkServer *s, uint64_t zxid)
{
    ZkLearner *l = s->learner;
    ZkTxn **first = sim_ring_peek(&l->pending), *head = first ? *first : NULL;
    if (!head || zk_txn_zxid(head) != zxid) {
        /* FollowerZooKeeperServer.commit exits the process here
         * (UNMATCHED_TXN_COMMIT): the protocol broke. */
        sim_fail(s->sim, s->node, "s%d: COMMIT 0x%" G_GINT64_MODIFIER "x does not match the next pending txn 0x%" G_GINT64_MODIFIER "x",
                 s->sid, zxid, head ? zk_txn_zxid(head) : 0);
        return;
    }
    sim_ring_pop(&l->pending);
    /* The next commits come soon after this one: start fetching what
     * their applies will read (at a thousand clients it is out of the
     * caches), so those misses overlap this apply. */
    zk_tree_prefetch_ahead(s->tree, &l->pending, 0);
    zk_server_apply(s, head);
    zk_txn_unref(head);
}

static void on_uptodate(ZkServer *s)
{
    ZkLearner *l = s->learner;
    l->state = L_RUNNING;
    send_leader(s, packet(s, ZK_MSG_ACK, (uint64_t)l->new_epoch << 32));
    for (guint i = 0; i < l->ack_at_uptodate->len; i++)
        send_ack(s, g_array_index(l->ack_at_uptodate, uint64_t, i));
    g_array_set_size(l->ack_at_uptodate, 0);
    zk_fle_update_vote_epoch(s, l->new_epoch);
    ZkTxn *t;
    while ((t = g_queue_pop_head(&l->not_committed))) {
        log_proposal(s, t, s->role == ZK_FOLLOWING);
        zk_txn_unref(t);
    }
    for (guint i = 0; i < l->committed->len && s->learner == l; i++)
        commit(s, g_array_index(l->committed, uint64_t, i));
    if (s->learner != l)
        return;
    g_array_set_size(l->committed, 0);
    s->serving = TRUE;
    SIM_TRACE(s->sim, s->node, "UPTODATE", SF_INT("leader", l->leader_sid), SF_INT("epoch", l->new_epoch),
              SF_HEX("zxid", zk_server_last_zxid(s)));
    if (s->ens->on_serving)
        s->ens->on_serving(s, TRUE, s->ens->hook_ctx);
}

/* ---- running ---- */

static void on_ping(ZkServer *s)
{
    ZkLearner *l = s->learner;
    ZkMsg *r = packet(s, ZK_MSG_PING, 0);
    if (l->touches->len) {
        r->touches = l->touches;
        l->touches = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        sim_u64map_clear(&l->touched, NULL);
    }
    send_leader(s, r);
}

static void on_inform(ZkServer *s, ZkMsg *m)
{
    /* ObserverZooKeeperServer.commitRequest: log (syncEnabled) and apply. */
    zk_server_log_append(s, m->txn);
    zk_server_maybe_snapshot(s);
    sim_disk_flush(s->sim, s->node, flushed, s, (void *)(uintptr_t)s->learner->gen);
    zk_server_apply(s, m->txn);
}

void zk_learner_on_message(ZkServer *s, SimConnId c, ZkMsg *m)
{
    ZkLearner *l = s->learner;
    if (!l || c != l->conn) {
        zk_msg_free(m, m->type);
        return;
    }
    arm_read(s);
    switch (l->state) {
    case L_CONNECTING:
        break;
    case L_WAIT_LEADERINFO:
        if (m->type == ZK_MSG_LEADERINFO)
            on_leaderinfo(s, m);
        break;
    case L_SYNCING:
    case L_NEWLEADER_FLUSH:
    case L_WAIT_UPTODATE:
        switch (m->type) {
        case ZK_MSG_DIFF:
        case ZK_MSG_TRUNC:
        case ZK_MSG_SNAP:
            if (l->state == L_SYNCING)
                on_sync_start(s, m);
            break;
        case ZK_MSG_PROPOSAL:
            on_sync_proposal(s, m);
            break;
        case ZK_MSG_COMMIT:
            on_sync_commit(s, m->zxid);
            break;
        case ZK_MSG_INFORM:
            if (l->write_to_log) {
                g_queue_push_tail(&l->not_committed, zk_txn_ref(m->txn));
                g_array_append_val(l->committed, m->zxid);
            } else {
                zk_server_apply(s, m->txn);
            }
            break;
        case ZK_MSG_NEWLEADER:
            if (l->state == L_SYNCING)
                on_newleader(s, m);
            break;
        case ZK_MSG_UPTODATE:
            if (l->state == L_WAIT_UPTODATE)
                on_uptodate(s);
            break;
        case ZK_MSG_PING:
            on_ping(s);
            break;
        default:
            break;
        }
        break;
    case L_RUNNING:
        switch (m->type) {
        case ZK_MSG_PROPOSAL:
            if (s->role == ZK_FOLLOWING)
                log_proposal(s, m->txn, TRUE);
            break;
        case ZK_MSG_COMMIT:
            if (s->role == ZK_FOLLOWING)
                commit(s, m->zxid);
            break;
        case ZK_MSG_INFORM:
            if (s->role == ZK_OBSERVING)
                on_inform(s, m);
            break;
        case ZK_MSG_PING:
            on_ping(s);
            break;
        case ZK_MSG_SYNC: {
            /* The leader answered our oldest forwarded sync. */
            uint64_t *rid = g_queue_pop_head(&l->syncs);
            if (rid) {
                if (s->ens->on_sync_done)
                    s->ens->on_sync_done(s, *rid, s->ens->hook_ctx);
                g_free(rid);
            }
            break;
        }
        case ZK_MSG_REVALIDATE:
            zk_ensemble_revalidated(s->ens, s, m->zxid, m->epoch != 0);
            break;
        default:
            break;
        }
        break;
    }
    zk_msg_free(m, m->type);
}

gboolean zk_learner_on_closed(ZkServer *s, SimConnId c)
{
    ZkLearner *l = s->learner;
    if (!l || c != l->conn)
        return FALSE;
    l->conn = 0;
    if (l->state == L_CONNECTING) {
        /* refused after the connect: retry as for a failed connect */
        zk_learner_on_connect_failed(s);
        return TRUE;
    }
    learner_fail(s, "connection to leader closed");
    return TRUE;
}

void zk_learner_submit(ZkServer *s, ZkReq *req, uint64_t rid)
{
    ZkLearner *l = s->learner;
    if (!l || l->state != L_RUNNING) {
        zk_req_unref(req);
        return;
    }
    ZkMsg *m = packet(s, ZK_MSG_REQUEST, 0);
    m->req = req;
    m->rid = rid;
    m->origin_sid = s->sid;
    send_leader(s, m);
}

void zk_learner_sync(ZkServer *s, uint64_t rid)
{
    ZkLearner *l = s->learner;
    if (!l || l->state != L_RUNNING)
        return;
    uint64_t *p = g_new(uint64_t, 1);
    *p = rid;
    g_queue_push_tail(&l->syncs, p);
    ZkMsg *m = packet(s, ZK_MSG_REQUEST, 0);
    m->rid = rid;
    m->origin_sid = s->sid;
    send_leader(s, m);
}

/* The client layer records a touch for the next PING reply. */
void zk_learner_touch(ZkServer *s, uint64_t session, int32_t timeout_ms)
{
    ZkLearner *l = s->learner;
    if (!l)
        return;
    uint64_t to = (uint64_t)timeout_ms;
    guint at = GPOINTER_TO_UINT(sim_u64map_get(&l->touched, session));
    if (at) {
        g_array_index(l->touches, uint64_t, at) = to; /* (session, timeout) at at - 1 */
        return;
    }
    sim_u64map_put(&l->touched, session, GUINT_TO_POINTER(l->touches->len + 1));
    g_array_append_val(l->touches, session);
    g_array_append_val(l->touches, to);
}

/* REVALIDATE a reconnecting session with the leader. */
void zk_learner_revalidate(ZkServer *s, uint64_t session, int32_t timeout_ms)
{
    ZkLearner *l = s->learner;
    if (!l || l->state != L_RUNNING)
        return;
    ZkMsg *m = packet(s, ZK_MSG_REVALIDATE, session);
    m->epoch = timeout_ms;
    send_leader(s, m);
}

int zk_learner_leader_sid(const ZkServer *s)
{
    return s->learner ? s->learner->leader_sid : 0;
}

/* ---- start / stop ---- */

void zk_learner_start(ZkServer *s)
{
    g_assert(!s->learner);
    ZkLearner *l = g_new0(ZkLearner, 1);
    s->learner = l;
    l->gen = s->role_gen;
    l->leader_sid = (int)s->current_vote.leader;
    l->state = L_CONNECTING;
    l->snapshot_needed = TRUE;
    l->read_timeout = s->cfg->init_limit * s->cfg->tick;
    l->give_up_at = sim_node_now(s->sim, s->node) + s->cfg->init_limit * s->cfg->tick;
    sim_timer_init(&l->read_timer, s->node, read_timeout, s, NULL);
    l->committed = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    l->ack_at_uptodate = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    sim_ring_init(&l->to_ack, sizeof(ToAck));
    l->touches = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    sim_u64map_init(&l->touched);
    g_queue_init(&l->not_committed);
    sim_ring_init(&l->pending, sizeof(ZkTxn *));
    g_queue_init(&l->syncs);
    try_connect(s);
}

void zk_learner_stop(ZkServer *s, const char *why)
{
    ZkLearner *l = s->learner;
    if (!l)
        return;
    (void)why;
    sim_cancel_clear(s->sim, &l->retry_timer);
    sim_timer_cancel(s->sim, &l->read_timer);
    if (l->conn)
        sim_net_close(s->sim, l->conn, s->node);
    /* A shutdown in the middle of a SNAP sync must not leave the
     * half-loaded database in memory (ZOOKEEPER-3642): reload it. */
    gboolean mid_snap = l->mode == ZK_SYNC_SNAP && l->state < L_WAIT_UPTODATE;
    g_queue_clear_full(&l->not_committed, (GDestroyNotify)zk_txn_unref);
    for (guint i = 0; i < sim_ring_len(&l->pending); i++)
        zk_txn_unref(*(ZkTxn **)sim_ring_nth(&l->pending, i));
    sim_ring_clear(&l->pending);
    g_queue_clear_full(&l->syncs, g_free);
    g_array_free(l->committed, TRUE);
    g_array_free(l->ack_at_uptodate, TRUE);
    sim_ring_clear(&l->to_ack);
    g_array_free(l->touches, TRUE);
    sim_u64map_clear(&l->touched, NULL);
    s->learner = NULL;
    g_free(l);
    if (mid_snap && s->tree && sim_node_is_up(s->sim, s->node))
        zk_server_reload(s);
}
