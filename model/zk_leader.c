/* zk_leader.c - the leader's side of Zab (Leader.lead, LearnerHandler).
 *
 * Phases (ZOOKEEPER.md 2.3), each bounded by initLimit ticks:
 *
 *   DISCOVERY  learners connect and send FOLLOWERINFO(acceptedEpoch);
 *              once a quorum (leader included) has connected, the new
 *              epoch is 1 + the largest acceptedEpoch seen, persisted as
 *              our acceptedEpoch, and sent in LEADERINFO.  A quorum of
 *              ACKEPOCH ends the phase: currentEpoch = epoch.
 *   SYNC       each learner gets DIFF, TRUNC(+DIFF) or SNAP chosen from
 *              its last zxid and our committed-log window
 *              (LearnerHandler.syncFollower), then NEWLEADER.  A quorum
 *              of NEWLEADER acks (leader included) makes us serve.
 *   BROADCAST  PROPOSAL to followers, self-ack after our own fsync,
 *              COMMIT in zxid order once a quorum acked, INFORM to
 *              observers.  Every tickTime/2 we ping the learners; every
 *              tickTime we check that a quorum is still synced.
 *
 * A learner joining later goes through the same steps alone; the
 * quorum waits are then already satisfied.
 */
#include "zk_bugs.h"
#include "zk_ensemble.h"
#include "zk_session.h"
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_ring.h"
#include "sim_trace.h"

#include <string.h>

typedef enum {
    LH_WAIT_INFO,      /* waiting for FOLLOWERINFO / OBSERVERINFO */
    LH_WAIT_EPOCH,     /* sent nothing yet: the epoch is not decided */
    LH_WAIT_ACKEPOCH,  /* LEADERINFO sent */
    LH_WAIT_ELECTING,  /* ACKEPOCH in, waiting for a quorum of them */
    LH_WAIT_NEWLEADER, /* sync packets and NEWLEADER queued */
    LH_WAIT_STARTUP,   /* NEWLEADER acked, waiting for the leader to serve */
    LH_RUNNING,        /* UPTODATE sent */
} LhState;

typedef struct {
    uint64_t zxid;
    SimTime sent;
} Unacked;

typedef struct ZkLH {
    int sid;
    SimConnId conn;
    gboolean observer;
    LhState state;
    int64_t accepted_epoch;
    uint64_t peer_last_zxid;
    int64_t peer_epoch;
    int64_t tick_deadline; /* tickOfNextAckDeadline */
    gboolean forwarding;   /* in forwardingFollowers / observingLearners */
    SimRing unacked;       /* Unacked: SyncLimitCheck */
    ZkSyncMode mode;
} ZkLH;

typedef struct {
    uint64_t zxid;
    ZkTxn *txn;
    ZkSidSet acks;
} Proposal;

typedef struct {
    uint64_t zxid;
    uint64_t write_no;
} ToAck;

typedef struct {
    uint64_t zxid; /* release when this zxid commits */
    int origin_sid;
    uint64_t rid;
} PendingSync;

typedef enum { LD_DISCOVERY, LD_SYNC, LD_RUNNING } LdPhase;

struct ZkLeader {
    LdPhase phase;
    int64_t epoch;
    gboolean epoch_decided;
    ZkSidSet connecting;
    ZkSidSet electing;
    ZkSidSet newleader_acks;
    SimEventId phase_timer;
    ZkLH *lh[ZK_MAX_SERVERS + 1];
    uint64_t new_leader_zxid;
    uint64_t last_proposed;
    uint64_t last_committed;
    SimRing outstanding; /* Proposal, zxid order, contiguous: the n-th has zxid first + n */
    SimRing to_ack;     /* ToAck: our own log writes awaiting fsync */
    uint64_t gen;       /* guards flush callbacks of an older term */
    int64_t tick;
    gboolean tick_skip;
    SimEventId tick_timer;
    ZkPrep *prep;
    GArray *pending_syncs; /* PendingSync */
    SimTime started;
    ZkSessionTracker *sessions;
};

static gboolean participant(const ZkServer *s, int sid)
{
    return zk_config_is_voter(s->cfg, sid);
}

static uint64_t make_zxid(int64_t epoch, uint32_t counter)
{
    return ((uint64_t)epoch << 32) | counter;
}

static void lh_free(ZkServer *s, ZkLH *h, gboolean close)
{
    if (close)
        sim_net_close(s->sim, h->conn, s->node);
    sim_ring_clear(&h->unacked);
    g_free(h);
}

static void lh_send(ZkServer *s, ZkLH *h, ZkMsg *m)
{
    zk_server_send(s, h->conn, m);
}

static ZkMsg *packet(ZkServer *s, ZkMsgType type, uint64_t zxid)
{
    ZkMsg *m = zk_msg_new(type, s->sid);
    m->zxid = zxid;
    return m;
}

/* The leader gives up: back to LOOKING (Leader.shutdown). */
static void give_up(ZkServer *s, const char *why)
{
    SIM_TRACE(s->sim, s->node, "LEADER_SHUTDOWN", SF_STR("why", why));
    zk_server_set_role(s, ZK_LOOKING, why);
}

static void drop_handler(ZkServer *s, ZkLH *h, const char *why)
{
    ZkLeader *L = s->leader;
    SIM_TRACE(s->sim, s->node, "LEARNER_DROPPED", SF_INT("sid", h->sid), SF_STR("why", why));
    L->lh[h->sid] = NULL;
    lh_free(s, h, TRUE);
}

/* ---- the committed log window and sync decision ---- */

/* Log entries the leader has applied: indexes [0, hi). */
static guint applied_end(const ZkServer *s)
{
    const ZkLog *log = &s->disk.log;
    uint64_t last = zk_tree_last_processed_zxid(s->tree);
    guint h = log->len;
    while (h > 0 && g_array_index(log, ZkLogEntry, h - 1).zxid > last)
        h--;
    return h;
}

static void send_proposal_commit(ZkServer *s, ZkLH *h, ZkTxn *txn)
{
    ZkMsg *p = packet(s, ZK_MSG_PROPOSAL, zk_txn_zxid(txn));
    p->txn = zk_txn_ref(txn);
    lh_send(s, h, p);
    lh_send(s, h, packet(s, ZK_MSG_COMMIT, zk_txn_zxid(txn)));
}

/* What the sync decision queues before NEWLEADER. */
typedef struct {
    ZkSyncMode mode;   /* NONE until the first op packet is chosen */
    uint64_t op_zxid;  /* DIFF: last committed; TRUNC: truncation point */
    guint from, to;    /* log entries to send as PROPOSAL+COMMIT */
    gboolean fail;     /* a TRUNC would cross an epoch: fall back to SNAP */
} SyncPlan;

/* LearnerHandler.queueCommittedProposals over log entries [a, b):
 * decides DIFF or TRUNC on the first entry at or past the peer's zxid
 * and collects what follows. */
static void walk(const ZkServer *s, SyncPlan *p, guint a, guint b, uint64_t peer, uint64_t last_committed)
{
    const ZkLog *log = &s->disk.log;
    gboolean new_epoch = (peer & 0xffffffffu) == 0;
    uint64_t prev = 0;
    gboolean have_prev = FALSE;
    p->from = p->to = b;
    for (guint i = a; i < b; i++) {
        uint64_t z = g_array_index(log, ZkLogEntry, i).zxid;
        if (z < peer) {
            prev = z;
            have_prev = TRUE;
            continue;
        }
        if (p->mode == ZK_SYNC_NONE) {
            if (z == peer) {
                p->mode = ZK_SYNC_DIFF;
                p->op_zxid = last_committed;
                p->from = i + 1;
                return;
            }
            if (new_epoch) {
                p->mode = ZK_SYNC_DIFF;
                p->op_zxid = last_committed;
            } else if ((z >> 32) != (peer >> 32)) {
                p->fail = TRUE; /* "Cannot send TRUNC ... from different epoch" */
                return;
            } else {
                p->mode = zk_bug(s->ens, ZK_BUG_SKIP_TRUNC) ? ZK_SYNC_DIFF : ZK_SYNC_TRUNC;
                p->op_zxid = have_prev ? prev : 0;
            }
        }
        p->from = i;
        return;
    }
    if (p->mode == ZK_SYNC_NONE && new_epoch) {
        p->mode = ZK_SYNC_DIFF;
        p->op_zxid = last_committed;
    }
}

/* LearnerHandler.syncFollower: choose DIFF, TRUNC or SNAP and queue the
 * packets; returns the zxid the learner will be at. */
static uint64_t sync_follower(ZkServer *s, ZkLH *h)
{
    const ZkLog *log = &s->disk.log;
    uint64_t peer = h->peer_last_zxid;
    uint64_t last = zk_tree_last_processed_zxid(s->tree);
    guint hi = applied_end(s);
    guint win = (guint)s->cfg->commit_log_count;
    guint wlo = hi > win ? hi - win : 0;
    /* Only what followed the tree's last load is ours to serve. */
    guint floor = 0;
    while (floor < hi && g_array_index(log, ZkLogEntry, floor).zxid <= s->committed_floor)
        floor++;
    if (wlo < floor)
        wlo = floor;
    gboolean empty = hi <= wlo;
    uint64_t min_c = empty ? last : g_array_index(log, ZkLogEntry, wlo).zxid;
    uint64_t max_c = empty ? last : g_array_index(log, ZkLogEntry, hi - 1).zxid;
    gboolean peer_new_epoch = (peer & 0xffffffffu) == 0;
    SyncPlan plan = { .mode = ZK_SYNC_NONE, .from = hi, .to = hi };

    if (peer == last) {
        plan.mode = ZK_SYNC_DIFF;
        plan.op_zxid = peer;
    } else if (peer > max_c && !peer_new_epoch) {
        /* The planted skip-trunc strikes here too: this is the TRUNC an
         * old leader with a logged, uncommitted txn gets (ZOOKEEPER-1154). */
        plan.mode = zk_bug(s->ens, ZK_BUG_SKIP_TRUNC) ? ZK_SYNC_DIFF : ZK_SYNC_TRUNC;
        plan.op_zxid = max_c;
    } else if (peer >= min_c && peer <= max_c) {
        walk(s, &plan, wlo, hi, peer, max_c);
    } else if (peer < min_c && s->cfg->snapshot_size_factor >= 0) {
        /* Txn-log sync: the on-disk log from the peer's zxid, if it still
         * has it and it is smaller than snapshotSizeFactor x our latest
         * snapshot (ZKDatabase.getProposalsFromTxnLog). */
        gssize at = -1;
        for (guint i = floor; i < hi; i++) {
            if (g_array_index(log, ZkLogEntry, i).zxid > peer)
                break;
            at = (gssize)i;
        }
        if (at >= 0) {
            size_t bytes = 0;
            for (guint i = (guint)at; i < hi; i++)
                bytes += zk_txn_size(g_array_index(log, ZkLogEntry, i).txn);
            if ((double)bytes <= s->cfg->snapshot_size_factor * (double)zk_server_snap_bytes(s))
                walk(s, &plan, (guint)at, hi, peer, max_c);
        }
    }
    if (plan.fail || plan.mode == ZK_SYNC_NONE)
        plan.mode = ZK_SYNC_SNAP;

    h->mode = plan.mode;
    uint64_t current = peer;
    switch (plan.mode) {
    case ZK_SYNC_DIFF:
    case ZK_SYNC_TRUNC:
        lh_send(s, h, packet(s, plan.mode == ZK_SYNC_DIFF ? ZK_MSG_DIFF : ZK_MSG_TRUNC, plan.op_zxid));
        if (plan.mode == ZK_SYNC_TRUNC)
            current = plan.op_zxid;
        for (guint i = plan.from; i < plan.to; i++) {
            ZkTxn *t = g_array_index(log, ZkLogEntry, i).txn;
            send_proposal_commit(s, h, t);
            current = zk_txn_zxid(t);
        }
        break;
    case ZK_SYNC_SNAP: {
        ZkMsg *m = packet(s, ZK_MSG_SNAP, last);
        m->snap = zk_tree_copy(s->tree);
        lh_send(s, h, m);
        current = last;
        break;
    }
    case ZK_SYNC_NONE:
        g_assert_not_reached();
    }
    SIM_TRACE(s->sim, s->node, "SYNC_MODE", SF_INT("sid", h->sid), SF_STR("mode", zk_sync_mode_name(plan.mode)),
              SF_HEX("peerZxid", peer), SF_HEX("minCommitted", min_c), SF_HEX("maxCommitted", max_c),
              SF_HEX("opZxid", plan.op_zxid), SF_UINT("txns", plan.to - plan.from));
    zk_ensemble_sync_chosen(s->ens, h->sid, plan.mode);
    return current;
}

/* Leader.startForwarding: outstanding proposals past what the learner has
 * go to participants (observers wait for INFORM); from now on it gets
 * every new proposal. */
static void start_forwarding(ZkServer *s, ZkLH *h, uint64_t upto)
{
    ZkLeader *L = s->leader;
    if (!h->observer) {
        for (guint i = 0; i < sim_ring_len(&L->outstanding); i++) {
            Proposal *p = sim_ring_nth(&L->outstanding, i);
            if (p->zxid <= upto)
                continue;
            ZkMsg *m = packet(s, ZK_MSG_PROPOSAL, p->zxid);
            m->txn = zk_txn_ref(p->txn);
            lh_send(s, h, m);
            Unacked *u = sim_ring_push(&h->unacked);
            u->zxid = p->zxid;
            u->sent = sim_now(s->sim);
        }
    }
    h->forwarding = TRUE;
}

static void send_uptodate(ZkServer *s, ZkLH *h)
{
    lh_send(s, h, packet(s, ZK_MSG_UPTODATE, 0));
    h->state = LH_RUNNING;
}

static void do_sync(ZkServer *s, ZkLH *h)
{
    ZkLeader *L = s->leader;
    uint64_t upto = sync_follower(s, h);
    start_forwarding(s, h, upto);
    lh_send(s, h, packet(s, ZK_MSG_NEWLEADER, L->new_leader_zxid));
    h->state = LH_WAIT_NEWLEADER;
}

/* ---- discovery ---- */

static void phase_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    ZkLeader *L = s->leader;
    L->phase_timer = SIM_EVENT_NONE;
    const char *why = !L->epoch_decided                      ? "timeout waiting for epoch from quorum"
                      : L->phase == LD_DISCOVERY               ? "timeout waiting for epoch ack from quorum"
                                                               : "timeout waiting for NEWLEADER ack from quorum";
    give_up(s, why);
}

static void arm_phase_timer(ZkServer *s)
{
    ZkLeader *L = s->leader;
    sim_cancel_clear(s->sim, &L->phase_timer);
    L->phase_timer = sim_node_timer(s->sim, s->node, s->cfg->init_limit * s->cfg->tick, phase_timeout, s, NULL);
}

static void send_leaderinfo(ZkServer *s, ZkLH *h)
{
    lh_send(s, h, packet(s, ZK_MSG_LEADERINFO, make_zxid(s->leader->epoch, 0)));
    h->state = LH_WAIT_ACKEPOCH;
}

static void start_serving(ZkServer *s);

static void check_newleader_quorum(ZkServer *s)
{
    ZkLeader *L = s->leader;
    if (L->phase != LD_SYNC || !zk_quorum_contains(s->cfg, &L->newleader_acks))
        return;
    start_serving(s);
}

static void check_electing_quorum(ZkServer *s)
{
    ZkLeader *L = s->leader;
    if (L->phase != LD_DISCOVERY || !L->epoch_decided || !zk_quorum_contains(s->cfg, &L->electing))
        return;
    /* waitForEpochAck done: currentEpoch = epoch, SYNCHRONIZATION. */
    zk_server_set_current_epoch(s, L->epoch);
    L->phase = LD_SYNC;
    zk_sidset_add(&L->newleader_acks, s->sid);
    arm_phase_timer(s);
    SIM_TRACE(s->sim, s->node, "ZAB_PHASE", SF_STR("phase", "SYNCHRONIZATION"), SF_INT("epoch", L->epoch));
    for (int sid = 1; sid <= s->cfg->nservers; sid++) {
        ZkLH *h = L->lh[sid];
        if (h && h->state == LH_WAIT_ELECTING)
            do_sync(s, h);
    }
    check_newleader_quorum(s);
}

static void check_epoch_quorum(ZkServer *s)
{
    ZkLeader *L = s->leader;
    if (L->epoch_decided || !zk_quorum_contains(s->cfg, &L->connecting))
        return;
    L->epoch_decided = TRUE;
    zk_server_set_accepted_epoch(s, L->epoch);
    L->new_leader_zxid = make_zxid(L->epoch, 0);
    SIM_TRACE(s->sim, s->node, "NEW_EPOCH", SF_INT("epoch", L->epoch));
    arm_phase_timer(s);
    zk_sidset_add(&L->electing, s->sid);
    for (int sid = 1; sid <= s->cfg->nservers; sid++) {
        ZkLH *h = L->lh[sid];
        if (h && h->state == LH_WAIT_EPOCH)
            send_leaderinfo(s, h);
    }
    check_electing_quorum(s);
}

static void on_learner_info(ZkServer *s, ZkLH *h, ZkMsg *m)
{
    ZkLeader *L = s->leader;
    h->observer = m->type == ZK_MSG_OBSERVERINFO || !participant(s, h->sid);
    h->accepted_epoch = (int64_t)(m->zxid >> 32);
    if (!L->epoch_decided) {
        /* getEpochToPropose */
        if (h->accepted_epoch >= L->epoch)
            L->epoch = h->accepted_epoch + 1;
        if (!h->observer)
            zk_sidset_add(&L->connecting, h->sid);
        h->state = LH_WAIT_EPOCH;
        check_epoch_quorum(s);
        return;
    }
    send_leaderinfo(s, h);
}

static gboolean summary_newer(int64_t e1, uint64_t z1, int64_t e2, uint64_t z2)
{
    return e1 > e2 || (e1 == e2 && z1 > z2);
}

static void on_ackepoch(ZkServer *s, ZkLH *h, ZkMsg *m)
{
    ZkLeader *L = s->leader;
    h->peer_last_zxid = m->zxid;
    h->peer_epoch = m->epoch;
    if (L->phase != LD_DISCOVERY) {
        do_sync(s, h);
        return;
    }
    /* waitForEpochAck */
    if (m->epoch != -1) {
        if (summary_newer(m->epoch, m->zxid, s->disk.current_epoch, zk_server_last_zxid(s))) {
            drop_handler(s, h, "follower is ahead of the leader");
            return;
        }
        if (!h->observer)
            zk_sidset_add(&L->electing, h->sid);
    }
    h->state = LH_WAIT_ELECTING;
    check_electing_quorum(s);
}

/* ---- broadcast ---- */

static void tick_fn(Sim *sim, void *ctx, void *data);

static void start_serving(ZkServer *s)
{
    ZkLeader *L = s->leader;
    sim_cancel_clear(s->sim, &L->phase_timer);
    L->phase = LD_RUNNING;
    /* startZkServer: the first zxid of the epoch; a test hook can start
     * the counter high to replay the rollover. */
    L->last_committed = make_zxid(L->epoch, s->cfg->initial_zxid_counter);
    L->last_proposed = L->last_committed;
    zk_tree_set_last_processed_zxid(s->tree, make_zxid(L->epoch, 0));
    zk_fle_update_vote_epoch(s, L->epoch);
    s->serving = TRUE;
    L->tick = 0;
    L->tick_skip = TRUE;
    SIM_TRACE(s->sim, s->node, "ZAB_PHASE", SF_STR("phase", "BROADCAST"), SF_INT("epoch", L->epoch));
    SIM_TRACE(s->sim, s->node, "LEADER_ESTABLISHED", SF_INT("epoch", L->epoch),
              SF_HEX("zxid", zk_tree_last_processed_zxid(s->tree)), SF_TIME("took", sim_now(s->sim) - L->started));
    zk_session_tracker_start(L->sessions, s);
    zk_ensemble_leader_established(s->ens, s, L->epoch, &L->newleader_acks);
    if (s->ens->on_serving)
        s->ens->on_serving(s, TRUE, s->ens->hook_ctx);
    for (int sid = 1; sid <= s->cfg->nservers; sid++) {
        ZkLH *h = L->lh[sid];
        if (h && h->state == LH_WAIT_STARTUP)
            send_uptodate(s, h);
    }
    L->tick_timer = sim_node_timer(s->sim, s->node, s->cfg->tick / 2, tick_fn, s, NULL);
}

/* Every receiver gets the same message object (see ZkMsg.ref). */
static void send_to_forwarding(ZkServer *s, ZkMsgType type, ZkTxn *txn, uint64_t zxid, gboolean observers)
{
    ZkLeader *L = s->leader;
    ZkMsg *m = NULL;
    for (int sid = 1; sid <= s->cfg->nservers; sid++) {
        ZkLH *h = L->lh[sid];
        if (!h || !h->forwarding || h->observer != observers)
            continue;
        if (!m) {
            m = packet(s, type, zxid);
            if (txn)
                m->txn = zk_txn_ref(txn);
        }
        lh_send(s, h, zk_msg_ref(m));
        if (type == ZK_MSG_PROPOSAL) {
            Unacked *u = sim_ring_push(&h->unacked);
            u->zxid = zxid;
            u->sent = sim_now(s->sim);
        }
    }
    zk_msg_free(m, type);
}

static void release_syncs(ZkServer *s, uint64_t committed)
{
    ZkLeader *L = s->leader;
    guint done = 0;
    while (done < L->pending_syncs->len && g_array_index(L->pending_syncs, PendingSync, done).zxid <= committed)
        done++;
    for (guint i = 0; i < done; i++) {
        PendingSync p = g_array_index(L->pending_syncs, PendingSync, i);
        ZkLH *h = p.origin_sid != s->sid ? L->lh[p.origin_sid] : NULL;
        if (h && h->forwarding) {
            ZkMsg *m = packet(s, ZK_MSG_SYNC, p.zxid);
            m->rid = p.rid;
            lh_send(s, h, m);
        } else if (p.origin_sid == s->sid && s->ens->on_sync_done) {
            s->ens->on_sync_done(s, p.rid, s->ens->hook_ctx);
        }
    }
    g_array_remove_range(L->pending_syncs, 0, done);
}

static void commit_head(ZkServer *s)
{
    ZkLeader *L = s->leader;
    Proposal done = *(Proposal *)sim_ring_peek(&L->outstanding), *p = &done;
    sim_ring_pop(&L->outstanding);
    /* As the learner's commit does: the next proposals commit soon. */
    zk_tree_prefetch_ahead(s->tree, &L->outstanding, offsetof(Proposal, txn));
    L->last_committed = p->zxid;
    s->stats.commits++;
    SIM_TRACE(s->sim, s->node, "COMMIT", SF_HEX("zxid", p->zxid), SF_UINT("acks", zk_sidset_count(&p->acks)));
    send_to_forwarding(s, ZK_MSG_COMMIT, NULL, p->zxid, FALSE);
    send_to_forwarding(s, ZK_MSG_INFORM, p->txn, p->zxid, TRUE);
    zk_ensemble_committed(s->ens, s, p->txn);
    zk_server_apply(s, p->txn);
    zk_session_tracker_applied(L->sessions, s, p->txn);
    zk_prep_applied(L->prep, p->zxid);
    release_syncs(s, p->zxid);
    zk_txn_unref(p->txn);
}

/* Leader.tryToCommit, repeated while the next proposal is ready. */
static void try_commit(ZkServer *s)
{
    ZkLeader *L = s->leader;
    while (s->leader == L && sim_ring_len(&L->outstanding)) {
        Proposal *p = sim_ring_peek(&L->outstanding);
        gboolean ok = zk_quorum_contains(s->cfg, &p->acks);
        if (zk_bug(s->ens, ZK_BUG_COMMIT_NO_QUORUM))
            ok = zk_sidset_has(&p->acks, s->sid);
        if (!ok)
            return;
        commit_head(s);
    }
}

static void process_ack(ZkServer *s, int sid, uint64_t zxid)
{
    ZkLeader *L = s->leader;
    if (!participant(s, sid) || (zxid & 0xffffffffu) == 0 || zxid <= L->last_committed ||
        !sim_ring_len(&L->outstanding))
        return;
    Proposal *first = sim_ring_peek(&L->outstanding);
    if (zxid < first->zxid || zxid - first->zxid >= sim_ring_len(&L->outstanding))
        return;
    Proposal *p = sim_ring_nth(&L->outstanding, (guint)(zxid - first->zxid));
    g_assert(p->zxid == zxid);
    zk_sidset_add(&p->acks, sid);
    /* Commits go in zxid order: only an ack for the oldest outstanding
     * proposal can let one through (the loop then takes every later one
     * that already has its quorum). */
    if (p == first)
        try_commit(s);
}

static void self_flushed(Sim *sim, void *ctx, void *data)
{
    ZkServer *s = ctx;
    ZkLeader *L = s->leader;
    if (!L || L->gen != (uint64_t)(uintptr_t)data)
        return;
    uint64_t durable = sim_disk_durable(sim, s->node);
    const ToAck *a;
    while (s->leader == L && (a = sim_ring_peek(&L->to_ack)) && a->write_no <= durable) {
        uint64_t z = a->zxid;
        sim_ring_pop(&L->to_ack);
        zk_inv_ack(s->ens->inv, s, z);
        SIM_TRACE(s->sim, s->node, "ACK", SF_HEX("zxid", z), SF_BOOL("self", TRUE));
        process_ack(s, s->sid, z);
    }
}

/* Leader.propose + the leader's own SyncRequestProcessor/AckRequestProcessor. */
static void propose(ZkServer *s, ZkTxn *txn)
{
    ZkLeader *L = s->leader;
    uint64_t zxid = zk_txn_zxid(txn);
    Proposal *p = sim_ring_push(&L->outstanding);
    p->zxid = zxid;
    p->txn = txn;
    s->stats.proposals++;
    SIM_TRACE(s->sim, s->node, "PROPOSAL", SF_HEX("zxid", zxid), SF_STR("op", zk_op_name(zk_txn_type(txn))));
    send_to_forwarding(s, ZK_MSG_PROPOSAL, txn, zxid, FALSE);
    zk_server_log_append(s, txn);
    zk_server_maybe_snapshot(s);
    *(ToAck *)sim_ring_push_raw(&L->to_ack) =
        (ToAck){ zxid, s->disk.log.data[s->disk.log.len - 1].write_no };
    sim_disk_flush(s->sim, s->node, self_flushed, s, (void *)(uintptr_t)L->gen);
}

void zk_leader_submit(ZkServer *s, ZkReq *req, int origin_sid, uint64_t rid)
{
    ZkLeader *L = s->leader;
    (void)rid;
    if (!L || L->phase != LD_RUNNING) {
        zk_req_unref(req);
        return;
    }
    if ((L->last_proposed & 0xffffffffu) == 0xffffffffu) {
        /* ZOOKEEPER-1277: the counter would roll over into the epoch;
         * shut down and elect a new epoch. */
        zk_req_unref(req);
        give_up(s, "zxid lower 32 bits have rolled over, forcing re-election");
        return;
    }
    /* The session's owner is the server its client talks to (the check
     * skips closeSession: the expirer sends it without being the owner). */
    zk_session_tracker_check(L->sessions, &req->r, origin_sid);
    if (req->r.session_err == ZK_ERR_SESSION_MOVED)
        SIM_TRACE(s->sim, s->node, "SESSION_MOVED_REJECT", SF_HEX("session", req->r.session),
                  SF_INT("from", origin_sid), SF_INT("owner", zk_session_tracker_owner(L->sessions, req->r.session)));
    uint64_t zxid = ++L->last_proposed;
    ZkTxn *txn = NULL;
    zk_prep_request(L->prep, s->tree, &req->r, zxid, sim_node_now(s->sim, s->node), &txn);
    SIM_TRACE(s->sim, s->node, "REQUEST_PREP", SF_HEX("zxid", zxid), SF_INT("from", origin_sid),
              SF_STR("op", zk_op_name(req->r.type)), SF_STR("err", zk_err_name(zk_txn_err(txn))));
    zk_req_unref(req);
    zk_session_tracker_prepped(L->sessions, s, txn);
    if (zk_txn_type(txn) == ZK_OP_CREATE_SESSION)
        zk_session_tracker_set_owner(L->sessions, zk_txn_session(txn), origin_sid);
    propose(s, txn);
}

void zk_leader_sync(ZkServer *s, int origin_sid, uint64_t rid)
{
    ZkLeader *L = s->leader;
    if (!L || L->phase != LD_RUNNING)
        return;
    PendingSync p = { .zxid = L->last_proposed, .origin_sid = origin_sid, .rid = rid };
    g_array_append_val(L->pending_syncs, p);
    /* Leader.processSync: at once if nothing is outstanding. */
    if (!sim_ring_len(&L->outstanding))
        release_syncs(s, L->last_committed);
}

/* Internal: the session tracker expires a session. */
void zk_leader_expire(ZkServer *s, uint64_t session);
void zk_leader_expire(ZkServer *s, uint64_t session)
{
    ZkReq *req = zk_req_new_session(ZK_OP_CLOSE_SESSION, session, 0);
    zk_leader_submit(s, req, s->sid, 0);
}

void zk_leader_touch_session(ZkServer *s, uint64_t session, int32_t timeout_ms)
{
    if (s->leader)
        zk_session_tracker_touch(s->leader->sessions, s, session, timeout_ms);
}

gboolean zk_leader_revalidate(ZkServer *s, uint64_t session, int32_t timeout_ms, int owner)
{
    ZkLeader *L = s->leader;
    if (!L || L->phase != LD_RUNNING)
        return FALSE;
    gboolean valid = zk_session_tracker_valid(L->sessions, session, timeout_ms);
    if (valid)
        zk_session_tracker_set_owner(L->sessions, session, owner);
    return valid;
}

/* ---- ticks: pings and the synced-quorum check ---- */

static gboolean synced(const ZkLeader *L, const ZkLH *h)
{
    return L->tick <= h->tick_deadline;
}

static void ping(ZkServer *s, ZkLH *h)
{
    ZkLeader *L = s->leader;
    if (h->state < LH_WAIT_NEWLEADER)
        return;
    /* SyncLimitCheck: the oldest unacked proposal must be younger than
     * syncLimit ticks, or the handler shuts down. */
    Unacked *u = sim_ring_peek(&h->unacked);
    if (u && sim_now(s->sim) - u->sent > s->cfg->sync_limit * s->cfg->tick) {
        drop_handler(s, h, "transaction timeout");
        return;
    }
    lh_send(s, h, packet(s, ZK_MSG_PING, L->last_proposed));
}

static void tick_fn(Sim *sim, void *ctx, void *data)
{
    (void)data;
    ZkServer *s = ctx;
    ZkLeader *L = s->leader;
    L->tick_timer = SIM_EVENT_NONE;
    if (!L->tick_skip) {
        L->tick++;
        ZkSidSet ok = { { 0 } };
        zk_sidset_add(&ok, s->sid);
        for (int sid = 1; sid <= s->cfg->nservers; sid++) {
            ZkLH *h = L->lh[sid];
            if (h && !h->observer && synced(L, h))
                zk_sidset_add(&ok, sid);
        }
        if (!zk_quorum_contains(s->cfg, &ok)) {
            give_up(s, "not sufficient followers synced");
            return;
        }
    }
    L->tick_skip = !L->tick_skip;
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (L->lh[sid])
            ping(s, L->lh[sid]);
    if (s->leader == L)
        L->tick_timer = sim_node_timer(sim, s->node, s->cfg->tick / 2, tick_fn, s, NULL);
    zk_session_tracker_tick(L->sessions, s);
}

/* ---- the learner handler's receive loop ---- */

static ZkLH *handler_for(ZkServer *s, SimConnId c)
{
    ZkLeader *L = s->leader;
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (L->lh[sid] && L->lh[sid]->conn == c)
            return L->lh[sid];
    return NULL;
}

static void on_ack(ZkServer *s, ZkLH *h, uint64_t zxid)
{
    ZkLeader *L = s->leader;
    Unacked *u;
    while ((u = sim_ring_peek(&h->unacked)) && u->zxid <= zxid)
        sim_ring_pop(&h->unacked);
    if (h->state == LH_WAIT_NEWLEADER && zxid == L->new_leader_zxid) {
        /* waitForNewLeaderAck */
        if (!h->observer)
            zk_sidset_add(&L->newleader_acks, h->sid);
        if (L->phase == LD_RUNNING) {
            send_uptodate(s, h);
        } else {
            h->state = LH_WAIT_STARTUP;
            check_newleader_quorum(s);
        }
        return;
    }
    if (!h->observer)
        process_ack(s, h->sid, zxid);
}

void zk_leader_on_message(ZkServer *s, SimConnId c, ZkMsg *m)
{
    ZkLeader *L = s->leader;
    ZkLH *h = handler_for(s, c);
    if (!h) {
        zk_msg_free(m, m->type);
        return;
    }
    /* Any packet from the learner proves it alive. */
    h->tick_deadline = L->tick + s->cfg->sync_limit;
    switch (m->type) {
    case ZK_MSG_FOLLOWERINFO:
    case ZK_MSG_OBSERVERINFO:
        if (h->state == LH_WAIT_INFO)
            on_learner_info(s, h, m);
        break;
    case ZK_MSG_ACKEPOCH:
        if (h->state == LH_WAIT_ACKEPOCH)
            on_ackepoch(s, h, m);
        break;
    case ZK_MSG_ACK:
        on_ack(s, h, m->zxid);
        break;
    case ZK_MSG_PING:
        if (m->touches)
            for (guint i = 0; i + 1 < m->touches->len; i += 2)
                zk_leader_touch_session(s, g_array_index(m->touches, uint64_t, i),
                                        (int32_t)g_array_index(m->touches, uint64_t, i + 1));
        break;
    case ZK_MSG_REQUEST:
        if (m->req) {
            zk_leader_submit(s, m->req, h->sid, m->rid);
            m->req = NULL;
        } else {
            zk_leader_sync(s, h->sid, m->rid);
        }
        break;
    case ZK_MSG_REVALIDATE: {
        /* LearnerMaster.revalidateSession: valid sessions are touched and
         * now belong to that learner. */
        ZkMsg *r = packet(s, ZK_MSG_REVALIDATE, 0);
        r->rid = m->rid;
        r->epoch = zk_leader_revalidate(s, m->zxid, (int32_t)m->epoch, h->sid) ? 1 : 0;
        r->zxid = m->zxid;
        lh_send(s, h, r);
        break;
    }
    default:
        break;
    }
    zk_msg_free(m, m->type);
}

gboolean zk_leader_on_accept(ZkServer *s, SimConnId c, int peer_node)
{
    if (s->role != ZK_LEADING || !s->leader)
        return FALSE; /* nothing listens on the quorum port */
    ZkLeader *L = s->leader;
    int sid = peer_node + 1;
    if (L->lh[sid])
        drop_handler(s, L->lh[sid], "replaced by a new connection");
    ZkLH *h = g_new0(ZkLH, 1);
    h->sid = sid;
    h->conn = c;
    h->state = LH_WAIT_INFO;
    h->tick_deadline = L->tick + s->cfg->init_limit + s->cfg->sync_limit;
    sim_ring_init(&h->unacked, sizeof(Unacked));
    L->lh[sid] = h;
    return TRUE;
}

gboolean zk_leader_on_closed(ZkServer *s, SimConnId c)
{
    ZkLH *h = handler_for(s, c);
    if (!h)
        return FALSE;
    s->leader->lh[h->sid] = NULL;
    SIM_TRACE(s->sim, s->node, "LEARNER_DROPPED", SF_INT("sid", h->sid), SF_STR("why", "connection closed"));
    lh_free(s, h, FALSE);
    return TRUE;
}

/* ---- start / stop ---- */

void zk_leader_start(ZkServer *s)
{
    g_assert(!s->leader);
    ZkLeader *L = g_new0(ZkLeader, 1);
    s->leader = L;
    L->gen = s->role_gen;
    L->started = sim_now(s->sim);
    L->phase = LD_DISCOVERY;
    sim_ring_init(&L->to_ack, sizeof(ToAck));
    L->pending_syncs = g_array_new(FALSE, FALSE, sizeof(PendingSync));
    L->prep = zk_prep_new();
    L->sessions = zk_session_tracker_new(s);
    sim_ring_init(&L->outstanding, sizeof(Proposal));
    SIM_TRACE(s->sim, s->node, "ZAB_PHASE", SF_STR("phase", "DISCOVERY"));
    /* ZooKeeperServer.loadData ends with a clean snapshot. */
    zk_server_snapshot(s);
    /* getEpochToPropose(self, acceptedEpoch) */
    L->epoch = s->disk.accepted_epoch + 1;
    zk_sidset_add(&L->connecting, s->sid);
    arm_phase_timer(s);
    check_epoch_quorum(s);
}

void zk_leader_stop(ZkServer *s, const char *why)
{
    ZkLeader *L = s->leader;
    if (!L)
        return;
    (void)why;
    gboolean was_established = L->phase == LD_RUNNING;
    sim_cancel_clear(s->sim, &L->phase_timer);
    sim_cancel_clear(s->sim, &L->tick_timer);
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (L->lh[sid])
            lh_free(s, L->lh[sid], TRUE);
    for (guint i = 0; i < sim_ring_len(&L->outstanding); i++)
        zk_txn_unref(((Proposal *)sim_ring_nth(&L->outstanding, i))->txn);
    sim_ring_clear(&L->outstanding);
    sim_ring_clear(&L->to_ack);
    g_array_free(L->pending_syncs, TRUE);
    zk_prep_free(L->prep);
    zk_session_tracker_free(L->sessions);
    s->leader = NULL;
    g_free(L);
    if (was_established)
        zk_ensemble_leader_lost(s->ens, s);
}

gboolean zk_leader_is_established(const ZkServer *s)
{
    return s->leader && s->leader->phase == LD_RUNNING;
}

int64_t zk_leader_epoch(const ZkServer *s)
{
    return s->leader ? s->leader->epoch : -1;
}

uint64_t zk_leader_last_committed(const ZkServer *s)
{
    return s->leader ? s->leader->last_committed : 0;
}
