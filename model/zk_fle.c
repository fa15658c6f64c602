/* zk_fle.c - Fast Leader Election and its connection manager.
 *
 * Modelled on FastLeaderElection.lookForLeader, its Messenger's
 * WorkerReceiver, and QuorumCnxManager (ZOOKEEPER.md section 1):
 *
 *   - One election connection per pair of servers, and only a connection
 *     initiated by the larger sid survives: a smaller initiator sends its
 *     sid and drops the connection; the larger acceptor drops it too and
 *     connects back.  A server that just started with a small id thus gets
 *     no election traffic until a larger one connects to it.
 *   - A send queue of capacity one per peer: while a peer is unreachable
 *     only the latest notification waits.  A new connection resends the
 *     last message sent to that peer when nothing is queued.
 *   - Our own vote reaches our own recvset only through a loopback.
 *   - The poll timeout starts at minNotificationInterval and doubles up
 *     to maxNotificationInterval; on each timeout the server resends its
 *     notifications if some peer queue is empty (haveDelivered, quirk
 *     kept), else it tries to connect to everyone.
 *   - Once a quorum agrees with our proposal we wait finalizeWait; a
 *     better vote in that window resumes the election, worse ones are
 *     consumed and discarded; silence decides.
 *   - FOLLOWING/LEADING notifications let a late joiner find an
 *     established leader (recvset in the same round, outofelection in
 *     any), guarded by checkLeader.
 */
#include "zk_ensemble.h"
#include "sim_net.h"
#include "sim_trace.h"

#include <string.h>

static gboolean valid_voter(const ZkServer *s, int64_t sid)
{
    return sid >= 1 && sid <= s->cfg->nservers && zk_config_is_voter(s->cfg, (int)sid);
}

static ZkVote init_vote(const ZkServer *s)
{
    /* getInitId / getInitLastLoggedZxid / getPeerEpoch: non-voters
     * propose Long.MIN_VALUE for all three. */
    if (!zk_server_is_voter(s))
        return (ZkVote){ .leader = INT64_MIN, .zxid = INT64_MIN, .peer_epoch = INT64_MIN, .state = ZK_LOOKING,
                         .version = 2 };
    return (ZkVote){ .leader = s->sid, .zxid = (int64_t)zk_server_last_zxid(s), .peer_epoch = s->disk.current_epoch,
                     .state = ZK_LOOKING, .version = 2 };
}

gboolean zk_fle_total_order(const ZkConfig *cfg, int64_t new_id, int64_t new_zxid, int64_t new_epoch, int64_t cur_id,
                            int64_t cur_zxid, int64_t cur_epoch)
{
    if (new_id < 1 || new_id > cfg->nservers || zk_quorum_weight(cfg, (int)new_id) == 0)
        return FALSE;
    return new_epoch > cur_epoch || (new_epoch == cur_epoch && new_zxid > cur_zxid) ||
           (new_epoch == cur_epoch && new_zxid == cur_zxid && new_id > cur_id);
}

/* The planted bug "compare votes without the epoch" (ZOOKEEPER-1419's
 * shape) is selected per ensemble; see zk_bugs.h. */
#include "zk_bugs.h"

static gboolean beats(const ZkServer *s, int64_t new_id, int64_t new_zxid, int64_t new_epoch, int64_t cur_id,
                      int64_t cur_zxid, int64_t cur_epoch)
{
    if (zk_bug(s->ens, ZK_BUG_VOTE_NO_EPOCH)) {
        if (new_id < 1 || new_id > s->cfg->nservers || zk_quorum_weight(s->cfg, (int)new_id) == 0)
            return FALSE;
        return new_epoch > cur_epoch || (new_epoch == cur_epoch && new_zxid > cur_zxid) ||
               (new_zxid == cur_zxid && new_id > cur_id);
    }
    return zk_fle_total_order(s->cfg, new_id, new_zxid, new_epoch, cur_id, cur_zxid, cur_epoch);
}

gboolean zk_vote_equal(const ZkVote *a, const ZkVote *b)
{
    if (a->state == ZK_LOOKING || b->state == ZK_LOOKING)
        return a->leader == b->leader && a->zxid == b->zxid && a->eepoch == b->eepoch &&
               a->peer_epoch == b->peer_epoch;
    if ((a->version > 0) != (b->version > 0))
        return a->leader == b->leader;
    return a->leader == b->leader && a->peer_epoch == b->peer_epoch;
}

/* ---- connection manager ---- */

static void send_on(ZkServer *s, int sid, ZkMsg *m)
{
    ZkFlePeer *p = &s->peers[sid];
    p->last_sent = *m->vote;
    p->has_last_sent = TRUE;
    if (sim_tracing(s->sim))
        SIM_TRACE(s->sim, s->node, "NOTIFICATION_SEND", SF_INT("to", sid), SF_INT("leader", m->vote->leader),
                  SF_HEX("zxid", (uint64_t)m->vote->zxid), SF_INT("round", m->vote->eepoch),
                  SF_INT("peerEpoch", m->vote->peer_epoch), SF_STR("state", zk_role_name(m->vote->state)));
    s->fle.sent++;
    zk_ensemble_notification_sent(s->ens);
    zk_server_send(s, p->conn, m);
}

static void connect_one(ZkServer *s, int sid)
{
    ZkFlePeer *p = &s->peers[sid];
    if (p->open || p->connecting || sid == s->sid)
        return;
    p->connecting = TRUE;
    sim_net_connect(s->sim, s->node, sid - 1, ZK_CH_ELECTION, s->cfg->cnx_timeout);
}

/* The SendWorker starts: send the queued message, or resend the last. */
static void start_sender(ZkServer *s, int sid)
{
    ZkFlePeer *p = &s->peers[sid];
    if (p->queued) {
        ZkMsg *m = p->queued;
        p->queued = NULL;
        send_on(s, sid, m);
    } else if (p->has_last_sent) {
        send_on(s, sid, zk_msg_new_notification(s->sid, &p->last_sent));
    }
}

static void loopback_fn(Sim *sim, void *ctx, void *data);

/* QuorumCnxManager.toSend */
static void to_send(ZkServer *s, int sid, const ZkVote *v)
{
    ZkMsg *m = zk_msg_new_notification(s->sid, v);
    if (sid == s->sid) {
        sim_after_owned(s->sim, 0, s->node, loopback_fn, s, m, zk_msg_drop);
        return;
    }
    ZkFlePeer *p = &s->peers[sid];
    p->in_queue_map = TRUE;
    if (p->open) {
        send_on(s, sid, m);
        return;
    }
    if (p->queued) /* capacity one: the newer message evicts the older */
        zk_msg_free(p->queued, 0);
    p->queued = m;
    connect_one(s, sid);
}

/* haveDelivered: TRUE as soon as any per-peer queue is empty. */
static gboolean have_delivered(const ZkServer *s)
{
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (s->peers[sid].in_queue_map && !s->peers[sid].queued)
            return TRUE;
    return FALSE;
}

static void connect_all(ZkServer *s)
{
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (s->peers[sid].in_queue_map)
            connect_one(s, sid);
}

gboolean zk_fle_on_accept(ZkServer *s, SimConnId c, int peer_node)
{
    (void)s;
    (void)c;
    (void)peer_node;
    return TRUE; /* the sid arrives in the first message (CNX_HELLO) */
}

void zk_fle_on_connected(ZkServer *s, SimConnId c, int peer_node)
{
    int sid = peer_node + 1;
    ZkFlePeer *p = &s->peers[sid];
    p->connecting = FALSE;
    zk_server_send(s, c, zk_msg_new(ZK_MSG_CNX_HELLO, s->sid));
    if (sid > s->sid) {
        /* "Have smaller server identifier, so dropping the connection":
         * the larger server will connect back. */
        sim_net_close(s->sim, c, s->node);
        return;
    }
    if (p->open && p->conn != c)
        sim_net_close(s->sim, p->conn, s->node);
    p->conn = c;
    p->open = TRUE;
    start_sender(s, sid);
}

void zk_fle_on_connect_failed(ZkServer *s, int peer_node)
{
    s->peers[peer_node + 1].connecting = FALSE;
}

gboolean zk_fle_on_closed(ZkServer *s, SimConnId c)
{
    for (int sid = 1; sid <= s->cfg->nservers; sid++) {
        ZkFlePeer *p = &s->peers[sid];
        if (p->open && p->conn == c) {
            p->open = FALSE;
            p->conn = 0;
            return TRUE;
        }
    }
    return FALSE;
}

static void on_hello(ZkServer *s, SimConnId c, int sid)
{
    if (sid < 1 || sid > s->cfg->nservers || sid == s->sid) {
        sim_net_close(s->sim, c, s->node);
        return;
    }
    ZkFlePeer *p = &s->peers[sid];
    if (sid < s->sid) {
        /* handleConnection: a smaller sid connected to us; drop it and
         * any worker we had, and connect back. */
        sim_net_close(s->sim, c, s->node);
        if (p->open) {
            sim_net_close(s->sim, p->conn, s->node);
            p->open = FALSE;
            p->conn = 0;
        }
        connect_one(s, sid);
        return;
    }
    if (p->open && p->conn != c)
        sim_net_close(s->sim, p->conn, s->node);
    p->conn = c;
    p->open = TRUE;
    start_sender(s, sid);
}

/* ---- lookForLeader ---- */

static void poll_timeout(Sim *sim, void *ctx, void *data);
static void finalize_timeout(Sim *sim, void *ctx, void *data);

static void arm_poll(ZkServer *s)
{
    sim_cancel_clear(s->sim, &s->fle.poll_timer);
    if (s->fle.finalizing)
        s->fle.poll_timer = sim_node_timer(s->sim, s->node, s->cfg->finalize_wait, finalize_timeout, s, NULL);
    else
        s->fle.poll_timer = sim_node_timer(s->sim, s->node, s->fle.not_timeout, poll_timeout, s, NULL);
}

static void send_notifications(ZkServer *s)
{
    ZkVote v = s->fle.proposal;
    v.eepoch = s->fle.logicalclock;
    v.state = ZK_LOOKING;
    v.version = 2;
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (valid_voter(s, sid))
            to_send(s, sid, &v);
}

static void update_proposal(ZkServer *s, int64_t leader, int64_t zxid, int64_t epoch)
{
    s->fle.proposal.leader = leader;
    s->fle.proposal.zxid = zxid;
    s->fle.proposal.peer_epoch = epoch;
}

static gboolean check_leader(const ZkServer *s, const ZkVote *votes, const gboolean *have, int64_t leader,
                             int64_t eepoch)
{
    if (leader != s->sid) {
        if (leader < 1 || leader > s->cfg->nservers || !have[leader])
            return FALSE;
        return votes[leader].state == ZK_LEADING;
    }
    return s->fle.logicalclock == eepoch;
}

static gboolean quorum_of(const ZkServer *s, const ZkVote *votes, const gboolean *have, const ZkVote *v)
{
    ZkSidSet set = { { 0 } };
    for (int sid = 1; sid <= s->cfg->nservers; sid++)
        if (have[sid] && zk_vote_equal(&votes[sid], v))
            zk_sidset_add(&set, sid);
    return zk_quorum_contains(s->cfg, &set);
}

static ZkRole learning_state(const ZkServer *s)
{
    return zk_server_is_voter(s) ? ZK_FOLLOWING : ZK_OBSERVING;
}

/* The election is over: record the end vote and take the role. */
static void decide(ZkServer *s, int64_t leader, int64_t zxid, int64_t eepoch, int64_t peer_epoch)
{
    ZkRole role = leader == s->sid ? ZK_LEADING : learning_state(s);
    s->current_vote = (ZkVote){ .leader = leader, .zxid = zxid, .eepoch = eepoch, .peer_epoch = peer_epoch,
                                .state = role, .version = 2 };
    SIM_TRACE(s->sim, s->node, "ELECTED", SF_INT("leader", leader), SF_INT("peerEpoch", peer_epoch),
              SF_HEX("zxid", (uint64_t)zxid), SF_INT("round", eepoch), SF_TIME("took", sim_now(s->sim) - s->fle.started),
              SF_UINT("sent", s->fle.sent));
    zk_server_set_role(s, role, "elected");
}

static void process(ZkServer *s, const ZkVote *n, int n_sid);

static void poll_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    s->fle.poll_timer = SIM_EVENT_NONE;
    if (!s->fle.active)
        return;
    if (have_delivered(s))
        send_notifications(s);
    else
        connect_all(s);
    SimTime next = s->fle.not_timeout * 2;
    s->fle.not_timeout = next < s->cfg->max_notification_interval ? next : s->cfg->max_notification_interval;
    SIM_TRACE(s->sim, s->node, "ELECTION_TIMEOUT", SF_TIME("next", s->fle.not_timeout));
    arm_poll(s);
}

static void finalize_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    s->fle.poll_timer = SIM_EVENT_NONE;
    if (!s->fle.active)
        return;
    ZkVote p = s->fle.proposal;
    decide(s, p.leader, p.zxid, s->fle.logicalclock, p.peer_epoch);
}

static void enter_finalize(ZkServer *s)
{
    s->fle.finalizing = TRUE;
    arm_poll(s);
}

static void process(ZkServer *s, const ZkVote *n, int n_sid)
{
    ZkFle *f = &s->fle;
    if (!f->active)
        return;
    if (f->finalizing) {
        /* The finalize wait consumes notifications: a better one resumes
         * the election, any other is discarded. */
        if (!beats(s, n->leader, n->zxid, n->peer_epoch, f->proposal.leader, f->proposal.zxid,
                   f->proposal.peer_epoch)) {
            arm_poll(s);
            return;
        }
        f->finalizing = FALSE;
    }
    arm_poll(s);
    if (!valid_voter(s, n_sid) || !valid_voter(s, n->leader))
        return;
    switch (n->state) {
    case ZK_LOOKING: {
        if (n->eepoch > f->logicalclock) {
            f->logicalclock = n->eepoch;
            memset(f->in_recvset, 0, sizeof f->in_recvset);
            ZkVote iv = init_vote(s);
            if (beats(s, n->leader, n->zxid, n->peer_epoch, iv.leader, iv.zxid, iv.peer_epoch))
                update_proposal(s, n->leader, n->zxid, n->peer_epoch);
            else
                update_proposal(s, iv.leader, iv.zxid, iv.peer_epoch);
            send_notifications(s);
        } else if (n->eepoch < f->logicalclock) {
            return;
        } else if (beats(s, n->leader, n->zxid, n->peer_epoch, f->proposal.leader, f->proposal.zxid,
                         f->proposal.peer_epoch)) {
            update_proposal(s, n->leader, n->zxid, n->peer_epoch);
            send_notifications(s);
        }
        f->recvset[n_sid] = (ZkVote){ .leader = n->leader, .zxid = n->zxid, .eepoch = n->eepoch,
                                      .peer_epoch = n->peer_epoch, .state = ZK_LOOKING, .version = 0 };
        f->in_recvset[n_sid] = TRUE;
        ZkVote mine = { .leader = f->proposal.leader, .zxid = f->proposal.zxid, .eepoch = f->logicalclock,
                        .peer_epoch = f->proposal.peer_epoch, .state = ZK_LOOKING, .version = 2 };
        if (quorum_of(s, f->recvset, f->in_recvset, &mine))
            enter_finalize(s);
        return;
    }
    case ZK_OBSERVING:
        return;
    case ZK_FOLLOWING:
    case ZK_LEADING: {
        ZkVote v = *n;
        if (n->eepoch == f->logicalclock) {
            f->recvset[n_sid] = (ZkVote){ .leader = n->leader, .zxid = n->zxid, .eepoch = n->eepoch,
                                          .peer_epoch = n->peer_epoch, .state = n->state, .version = 0 };
            f->in_recvset[n_sid] = TRUE;
            if (quorum_of(s, f->recvset, f->in_recvset, &v) &&
                check_leader(s, f->recvset, f->in_recvset, n->leader, n->eepoch)) {
                decide(s, n->leader, n->zxid, n->eepoch, n->peer_epoch);
                return;
            }
        }
        f->outofelection[n_sid] = v;
        f->in_outofelection[n_sid] = TRUE;
        if (quorum_of(s, f->outofelection, f->in_outofelection, &v) &&
            check_leader(s, f->outofelection, f->in_outofelection, n->leader, n->eepoch)) {
            f->logicalclock = n->eepoch;
            decide(s, n->leader, n->zxid, n->eepoch, n->peer_epoch);
        }
        return;
    }
    }
}

/* Messenger.WorkerReceiver: what happens when a notification arrives. */
static void receive(ZkServer *s, const ZkVote *n, int n_sid)
{
    if (sim_tracing(s->sim) && n_sid != s->sid)
        SIM_TRACE(s->sim, s->node, "NOTIFICATION_RECV", SF_INT("from", n_sid), SF_INT("leader", n->leader),
                  SF_HEX("zxid", (uint64_t)n->zxid), SF_INT("round", n->eepoch), SF_INT("peerEpoch", n->peer_epoch),
                  SF_STR("state", zk_role_name(n->state)));
    ZkVote reply;
    if (!valid_voter(s, n_sid)) {
        /* An observer asks: answer with our current vote at once. */
        reply = s->role == ZK_LOOKING ? s->fle.proposal : s->current_vote;
        reply.eepoch = s->fle.logicalclock;
        reply.state = s->role;
        reply.version = 2;
        to_send(s, n_sid, &reply);
        return;
    }
    if (s->role == ZK_LOOKING) {
        if (n->state == ZK_LOOKING && n->eepoch < s->fle.logicalclock) {
            reply = s->fle.proposal;
            reply.eepoch = s->fle.logicalclock;
            reply.state = ZK_LOOKING;
            reply.version = 2;
            to_send(s, n_sid, &reply);
        }
        process(s, n, n_sid);
    } else if (n->state == ZK_LOOKING) {
        /* We are settled: tell the looker who leads, with the round in
         * which we decided (the vote's electionEpoch). */
        reply = s->current_vote;
        reply.state = s->role;
        reply.version = 2;
        to_send(s, n_sid, &reply);
    }
}

static void loopback_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    ZkServer *s = ctx;
    ZkMsg *m = data;
    receive(s, m->vote, s->sid);
    zk_msg_free(m, 0);
}

void zk_fle_on_message(ZkServer *s, SimConnId c, ZkMsg *m)
{
    if (m->type == ZK_MSG_CNX_HELLO)
        on_hello(s, c, m->sid);
    else if (m->type == ZK_MSG_NOTIFICATION)
        receive(s, m->vote, m->sid);
    zk_msg_free(m, m->type);
}

static void begin(ZkServer *s)
{
    ZkFle *f = &s->fle;
    f->active = TRUE;
    f->finalizing = FALSE;
    f->logicalclock++;
    f->proposal = init_vote(s);
    memset(f->in_recvset, 0, sizeof f->in_recvset);
    memset(f->in_outofelection, 0, sizeof f->in_outofelection);
    f->not_timeout = s->cfg->min_notification_interval;
    f->started = sim_now(s->sim);
    f->sent = 0;
    s->stats.elections++;
    SIM_TRACE(s->sim, s->node, "ELECTION_START", SF_INT("round", f->logicalclock),
              SF_HEX("zxid", zk_server_last_zxid(s)), SF_INT("epoch", s->disk.current_epoch));
    send_notifications(s);
    arm_poll(s);
}

static void observer_delay_done(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkServer *s = ctx;
    s->fle.observer_delay = SIM_EVENT_NONE;
    if (s->role == ZK_LOOKING && !s->fle.active)
        begin(s);
}

void zk_fle_start(ZkServer *s)
{
    g_assert(s->role == ZK_LOOKING);
    if (!zk_server_is_voter(s) && s->stats.elections > 0 && s->cfg->observer_election_delay > 0) {
        /* Observer.waitForObserverElectionDelay: a random pause so that
         * observers do not swamp a new ensemble. */
        SimTime d = (SimTime)sim_rng_below(s->rng, (uint64_t)s->cfg->observer_election_delay);
        s->fle.observer_delay = sim_node_timer(s->sim, s->node, d, observer_delay_done, s, NULL);
        return;
    }
    begin(s);
}

void zk_fle_stop(ZkServer *s)
{
    s->fle.active = FALSE;
    s->fle.finalizing = FALSE;
    sim_cancel_clear(s->sim, &s->fle.poll_timer);
    sim_cancel_clear(s->sim, &s->fle.observer_delay);
}

void zk_fle_reset(ZkServer *s)
{
    zk_fle_stop(s);
    for (int sid = 0; sid <= ZK_MAX_SERVERS; sid++) {
        ZkFlePeer *p = &s->peers[sid];
        if (p->queued)
            zk_msg_free(p->queued, 0);
        memset(p, 0, sizeof *p);
    }
    /* logicalclock lives in memory only: a restart begins from 0. */
    s->fle.logicalclock = 0;
}

void zk_fle_update_vote_epoch(ZkServer *s, int64_t epoch)
{
    s->current_vote.peer_epoch = epoch;
}
