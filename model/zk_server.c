/* zk_server.c - a server's life: start, crash, restart, roles, its durable
 * log and snapshots, applying txns, and dispatching what the network
 * delivers to the election, the leader or the learner. */
#include "zk_bugs.h"
#include "zk_ensemble.h"
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"

#include <string.h>

const char *zk_sync_mode_name(ZkSyncMode m)
{
    switch (m) {
    case ZK_SYNC_NONE:
        return "NONE";
    case ZK_SYNC_DIFF:
        return "DIFF";
    case ZK_SYNC_SNAP:
        return "SNAP";
    case ZK_SYNC_TRUNC:
        return "TRUNC";
    }
    return "?";
}

/* ---- engine hooks ---- */

static ZkServer *server_of(Sim *sim, int node)
{
    return sim_node_ctx(sim, node);
}

static void hook_crash(Sim *sim, int node, void *ctx)
{
    (void)sim;
    (void)node;
    zk_server_on_crash(ctx);
}

static void hook_restart(Sim *sim, int node, void *ctx)
{
    (void)sim;
    (void)node;
    zk_server_on_restart(ctx);
}

/* A peer is a server when its node id is below the server count. */
static int peer_sid(ZkServer *s, int peer_node)
{
    return peer_node < s->ens->nservers ? peer_node + 1 : 0;
}

static gboolean hook_accept(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    ZkServer *s = ctx;
    switch (channel) {
    case ZK_CH_ELECTION:
        return peer_sid(s, peer) && zk_fle_on_accept(s, c, peer);
    case ZK_CH_QUORUM:
        return peer_sid(s, peer) && zk_leader_on_accept(s, c, peer);
    case ZK_CH_CLIENT:
        return s->client_side != NULL; /* the client layer takes it from here */
    }
    return FALSE;
}

static void hook_connected(Sim *sim, int node, SimConnId c, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    ZkServer *s = ctx;
    if (channel == ZK_CH_ELECTION)
        zk_fle_on_connected(s, c, peer);
    else if (channel == ZK_CH_QUORUM)
        zk_learner_on_connected(s, c);
    else
        sim_net_close(s->sim, c, s->node);
}

static void hook_connect_failed(Sim *sim, int node, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    ZkServer *s = ctx;
    if (channel == ZK_CH_ELECTION)
        zk_fle_on_connect_failed(s, peer);
    else if (channel == ZK_CH_QUORUM)
        zk_learner_on_connect_failed(s);
}

/* ch is the connection's channel as it was when the message arrived: a
 * message handled after a CPU delay is still handled after its sender
 * closed the connection (an election HELLO followed at once by the
 * smaller sid's close, whose FIN may arrive during that delay). */
static void dispatch(ZkServer *s, SimConnId c, int ch, ZkMsg *m)
{
    if (ch == ZK_CH_ELECTION) {
        zk_fle_on_message(s, c, m);
    } else if (ch == ZK_CH_QUORUM) {
        if (s->role == ZK_LEADING)
            zk_leader_on_message(s, c, m);
        else if (s->role == ZK_FOLLOWING || s->role == ZK_OBSERVING)
            zk_learner_on_message(s, c, m);
        else
            zk_msg_free(m, m->type);
    } else if (ch == ZK_CH_CLIENT && s->ens->on_client_message) {
        s->ens->on_client_message(s, c, m, s->ens->hook_ctx); /* the client layer's */
    } else {
        zk_msg_free(m, m->type);
    }
    zk_server_check(s);
}

typedef struct {
    SimConnId conn;
    int channel;
    ZkMsg *msg;
} Deferred;

static void deferred_dispatch(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    Deferred *d = data;
    dispatch(ctx, d->conn, d->channel, d->msg);
    g_free(d);
}

static void deferred_drop(void *data)
{
    Deferred *d = data;
    zk_msg_free(d->msg, 0);
    g_free(d);
}

static void hook_message(Sim *sim, int node, SimConnId c, int ch, int type, void *payload, uint32_t size, void *ctx)
{
    (void)node;
    (void)type;
    (void)size;
    ZkServer *s = ctx;
    ZkMsg *m = payload;
    /* A client request costs cpu_request (the request pipeline), a quorum
     * or election packet cpu_message. */
    SimTime cost = ch == ZK_CH_CLIENT ? s->cfg->cpu_request : s->cfg->cpu_message;
    if (cost > 0) {
        /* The receiving thread has to get through its CPU queue first. */
        Deferred *d = g_new(Deferred, 1);
        d->conn = c;
        d->channel = ch;
        d->msg = m;
        sim_node_cpu_then_owned(sim, s->node, cost, deferred_dispatch, s, d, deferred_drop);
        return;
    }
    dispatch(s, c, ch, m);
}

static void hook_closed(Sim *sim, int node, SimConnId c, void *ctx)
{
    (void)sim;
    (void)node;
    ZkServer *s = ctx;
    if (zk_fle_on_closed(s, c))
        return;
    if (s->role == ZK_LEADING && zk_leader_on_closed(s, c))
        return;
    if ((s->role == ZK_FOLLOWING || s->role == ZK_OBSERVING) && zk_learner_on_closed(s, c))
        return;
    if (s->ens->on_client_closed)
        s->ens->on_client_closed(s, c, s->ens->hook_ctx);
}

static const SimNodeOps server_ops = {
    .crash = hook_crash,
    .restart = hook_restart,
    .accept = hook_accept,
    .connected = hook_connected,
    .connect_failed = hook_connect_failed,
    .message = hook_message,
    .closed = hook_closed,
};

const SimNodeOps *zk_server_node_ops(void);
const SimNodeOps *zk_server_node_ops(void)
{
    return &server_ops;
}

/* ---- life cycle ---- */

ZkServer *zk_server_new(ZkEnsemble *ens, int sid, int node)
{
    ZkServer *s = g_new0(ZkServer, 1);
    s->ens = ens;
    s->sim = ens->sim;
    s->cfg = &ens->cfg;
    s->sid = sid;
    s->node = node;
    s->observer = !zk_config_is_voter(&ens->cfg, sid);
    s->role = ZK_LOOKING;
    char name[32];
    g_snprintf(name, sizeof name, "server/s%d", sid);
    s->rng = sim_rng(ens->sim, name);
    return s;
}

static void volatile_free(ZkServer *s)
{
    if (s->tree) {
        zk_tree_free(s->tree);
        s->tree = NULL;
    }
    if (s->watches) {
        zk_watch_free(s->watches);
        s->watches = NULL;
    }
}

/* Drops the log's entries from keep on (their txn references with them). */
static void log_truncate(ZkLog *log, guint keep)
{
    for (guint i = keep; i < log->len; i++)
        zk_txn_unref(log->data[i].txn);
    log->len = keep;
}

void zk_server_free(ZkServer *s)
{
    if (!s)
        return;
    volatile_free(s);
    log_truncate(&s->disk.log, 0);
    g_free(s->disk.log.data);
    zk_watch_events_free(s->fired);
    if (s->disk.snap)
        zk_tree_free(s->disk.snap);
    for (int i = 0; i <= ZK_MAX_SERVERS; i++)
        if (s->peers[i].queued)
            zk_msg_free(s->peers[i].queued, 0);
    g_free(s->leader);
    g_free(s->learner);
    g_free(s);
}

static void next_snap_threshold(ZkServer *s)
{
    /* SyncRequestProcessor: snapCount/2 + rand[0, snapCount/2), randomised
     * so that servers do not all snapshot at once. */
    int64_t half = s->cfg->snap_count / 2;
    s->disk.snap_threshold = half + (half > 0 ? (int64_t)sim_rng_below(s->rng, (uint64_t)half) : 0);
    s->disk.txns_since_snap = 0;
}

/* Boots the server's process: load the database, then elect. */
static void boot(ZkServer *s)
{
    s->watches = zk_watch_new();
    zk_server_reload(s);
    next_snap_threshold(s);
    s->role = ZK_LOOKING;
    s->role_gen++;
    s->looking_since = sim_now(s->sim);
    s->serving = FALSE;
    s->current_vote = (ZkVote){ .leader = s->sid, .zxid = (int64_t)zk_server_last_zxid(s),
                                .peer_epoch = s->disk.current_epoch, .state = ZK_LOOKING, .version = 2 };
    SIM_TRACE(s->sim, s->node, "BOOT", SF_HEX("zxid", zk_server_last_zxid(s)),
              SF_INT("acceptedEpoch", s->disk.accepted_epoch), SF_INT("currentEpoch", s->disk.current_epoch));
    SIM_TRACE(s->sim, s->node, "LOOKING", SF_STR("why", "startup"));
    zk_fle_start(s);
}

void zk_server_start(ZkServer *s)
{
    g_assert(!s->started);
    s->started = TRUE;
    boot(s);
}

void zk_server_on_crash(ZkServer *s)
{
    /* Everything volatile dies; the engine already cancelled our events
     * and reset our connections. */
    if (s->role == ZK_LEADING || s->leader)
        zk_leader_stop(s, "crash");
    if (s->learner)
        zk_learner_stop(s, "crash");
    zk_fle_reset(s);
    /* Told even when it was not serving: the client layer may hold
     * connections that never got past their ConnectRequest. */
    if (s->ens->on_serving)
        s->ens->on_serving(s, FALSE, s->ens->hook_ctx);
    s->serving = FALSE;
    volatile_free(s);
    /* The log keeps only what an fsync covered. */
    uint64_t durable = sim_disk_durable(s->sim, s->node);
    ZkLog *log = &s->disk.log;
    guint keep = log->len;
    while (keep > 0 && g_array_index(log, ZkLogEntry, keep - 1).write_no > durable)
        keep--;
    if (keep < log->len)
        SIM_TRACE(s->sim, s->node, "LOG_LOST", SF_UINT("entries", log->len - keep));
    log_truncate(log, keep);
}

void zk_server_on_restart(ZkServer *s)
{
    if (!s->started)
        return;
    boot(s);
}

static void exit_fn(Sim *sim, void *ctx, void *data)
{
    (void)data;
    ZkServer *s = ctx;
    sim_node_crash(sim, s->node);
}

void zk_server_exit(ZkServer *s, const char *why)
{
    SIM_TRACE(s->sim, s->node, "EXIT", SF_STR("why", why));
    /* Not from inside the handler that decided it: the process dies as
     * soon as the handler returns, before anything else runs. */
    sim_after(s->sim, 0, SIM_NO_NODE, exit_fn, s, NULL);
}

/* ---- roles ---- */

static gboolean legal(ZkRole from, ZkRole to)
{
    switch (from) {
    case ZK_LOOKING:
        return to == ZK_FOLLOWING || to == ZK_LEADING || to == ZK_OBSERVING;
    case ZK_FOLLOWING:
    case ZK_LEADING:
    case ZK_OBSERVING:
        return to == ZK_LOOKING;
    }
    return FALSE;
}

void zk_server_set_role(ZkServer *s, ZkRole role, const char *why)
{
    g_assert(legal(s->role, role));
    ZkRole old = s->role;
    /* Tear down the old role. */
    switch (old) {
    case ZK_LOOKING:
        zk_fle_stop(s);
        break;
    case ZK_LEADING:
        zk_leader_stop(s, why);
        break;
    case ZK_FOLLOWING:
    case ZK_OBSERVING:
        zk_learner_stop(s, why);
        break;
    }
    if (s->serving) {
        s->serving = FALSE;
        if (s->ens->on_serving)
            s->ens->on_serving(s, FALSE, s->ens->hook_ctx);
    }
    s->role = role;
    s->role_gen++;
    SIM_TRACE(s->sim, s->node, zk_role_name(role), SF_STR("why", why));
    switch (role) {
    case ZK_LOOKING:
        s->looking_since = sim_now(s->sim);
        /* ZooKeeperServer.shutdown(false): keep the database and
         * fast-forward it from the log (ZOOKEEPER-2845).  The planted bug
         * keeps it as it is: a logged, uncommitted txn then stays out of
         * lastProcessedZxid, and the next leader DIFFs where it must TRUNC. */
        if (!zk_bug(s->ens, ZK_BUG_NO_FAST_FORWARD))
            zk_server_fast_forward(s);
        zk_fle_start(s);
        break;
    case ZK_LEADING:
        zk_leader_start(s);
        break;
    case ZK_FOLLOWING:
    case ZK_OBSERVING:
        zk_learner_start(s);
        break;
    }
}

gboolean zk_server_is_voter(const ZkServer *s)
{
    return !s->observer;
}

/* ---- durable state ---- */

uint64_t zk_server_last_zxid(const ZkServer *s)
{
    return s->tree ? zk_tree_last_processed_zxid(s->tree) : zk_server_last_logged(s);
}

uint64_t zk_server_last_logged(const ZkServer *s)
{
    const ZkLog *log = &s->disk.log;
    uint64_t z = log->len ? g_array_index(log, ZkLogEntry, log->len - 1).zxid : 0;
    return z > s->disk.snap_zxid ? z : s->disk.snap_zxid;
}

gssize zk_server_log_find(const ZkServer *s, uint64_t zxid)
{
    const ZkLog *log = &s->disk.log;
    /* Lookups are mostly of recent entries, and within an epoch the log
     * holds consecutive counters: try where zxid would be counting back
     * from the end before searching. */
    if (log->len) {
        uint64_t last = g_array_index(log, ZkLogEntry, log->len - 1).zxid;
        if (zxid > last)
            return -1;
        if ((zxid >> 32) == (last >> 32) && last - zxid < log->len) {
            gssize guess = (gssize)log->len - 1 - (gssize)(last - zxid);
            if (g_array_index(log, ZkLogEntry, guess).zxid == zxid)
                return guess;
        }
    }
    gssize lo = 0, hi = (gssize)log->len - 1;
    while (lo <= hi) {
        gssize mid = lo + (hi - lo) / 2;
        uint64_t z = g_array_index(log, ZkLogEntry, mid).zxid;
        if (z == zxid)
            return mid;
        if (z < zxid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void zk_server_log_append(ZkServer *s, ZkTxn *txn)
{
    uint64_t zxid = zk_txn_zxid(txn);
    g_assert(zxid > zk_server_last_logged(s) || s->disk.log.len == 0);
    ZkLogEntry e = {
        .zxid = zxid,
        .txn = zk_txn_ref(txn),
        .write_no = sim_disk_write(s->sim, s->node, (uint32_t)zk_txn_size(txn)),
    };
    zk_log_push(&s->disk.log, e);
}

void zk_server_fast_forward(ZkServer *s)
{
    if (!s->tree)
        return;
    uint64_t last = zk_tree_last_processed_zxid(s->tree);
    const ZkLog *log = &s->disk.log;
    /* Entries are sorted: find the first past `last`. */
    guint i = log->len;
    while (i > 0 && g_array_index(log, ZkLogEntry, i - 1).zxid > last)
        i--;
    for (; i < log->len; i++) {
        ZkLogEntry *e = &g_array_index(log, ZkLogEntry, i);
        zk_tree_apply(s->tree, e->txn, NULL, NULL, NULL);
        zk_inv_applied(s->ens->inv, s, e->txn);
    }
}

void zk_server_reload(ZkServer *s)
{
    if (s->tree)
        zk_tree_free(s->tree);
    s->tree = s->disk.snap ? zk_tree_copy(s->disk.snap) : zk_tree_new();
    s->committed_floor = s->disk.snap_zxid;
    zk_inv_tree_reset(s->ens->inv, s, zk_tree_last_processed_zxid(s->tree));
    zk_server_fast_forward(s);
}

gboolean zk_server_log_truncate(ZkServer *s, uint64_t zxid)
{
    if (s->disk.snap_zxid > zxid)
        return FALSE;
    ZkLog *log = &s->disk.log;
    guint keep = log->len;
    while (keep > 0 && g_array_index(log, ZkLogEntry, keep - 1).zxid > zxid)
        keep--;
    log_truncate(log, keep);
    zk_server_reload(s);
    return TRUE;
}

#define TRIM_AHEAD 16

void zk_server_snapshot(ZkServer *s)
{
    if (s->disk.snap)
        zk_tree_free(s->disk.snap);
    s->disk.snap = zk_tree_copy(s->tree);
    s->disk.snap_zxid = zk_tree_last_processed_zxid(s->tree);
    SIM_TRACE(s->sim, s->node, "SNAPSHOT", SF_HEX("zxid", s->disk.snap_zxid),
              SF_UINT("nodes", zk_tree_node_count(s->tree)));
    /* Log entries older than the snapshot matter only to a txn-log sync
     * (sync_follower in zk_leader.c), which serves the log from a peer's
     * zxid only while its size is at most snapshotSizeFactor x the latest
     * snapshot.  Counting back from the snapshot's zxid, the entries
     * beyond that size can never be served until the next snapshot, so
     * they go now; so do those a reload would not replay anyway
     * (committed_floor); never the last commitLogCount applied ones, a
     * leader's committedLog.  Only a next snapshot larger than this one
     * by more than a whole snapshot interval of log could have used the
     * dropped ones. */
    ZkLog *log = &s->disk.log;
    gssize k = (gssize)log->len - 1;
    while (k >= 0 && g_array_index(log, ZkLogEntry, k).zxid > s->disk.snap_zxid)
        k--;
    double limit = s->cfg->snapshot_size_factor * (double)zk_server_snap_bytes(s);
    double bytes = 0;
    gssize keep_from = k + 1 - (gssize)s->cfg->commit_log_count;
    if (keep_from < 0)
        keep_from = 0;
    while (keep_from > 0) {
        const ZkLogEntry *e = &g_array_index(log, ZkLogEntry, keep_from - 1);
        bytes += (double)zk_txn_size(e->txn);
        if (bytes > limit || e->zxid <= s->committed_floor)
            break;
        keep_from--;
    }
    /* Tens of thousands of txns written long ago: fetch ahead, so that
     * their cache misses overlap instead of queueing one behind another
     * (in stages: a txn 16 ahead, the data record it will free 8 ahead,
     * that data's bytes 4 ahead). */
    for (gssize i = 0; i < keep_from; i++) {
        for (int stage = 0; stage < ZK_TXN_PREFETCH_STAGES; stage++)
            if (i + (TRIM_AHEAD >> stage) < keep_from)
                zk_txn_prefetch(log->data[i + (TRIM_AHEAD >> stage)].txn, stage);
        zk_txn_unref(log->data[i].txn);
    }
    if (keep_from > 0) {
        memmove(log->data, log->data + keep_from, (log->len - (guint)keep_from) * sizeof *log->data);
        log->len -= (guint)keep_from;
    }
}

size_t zk_server_snap_bytes(const ZkServer *s)
{
    const ZkTree *snap = s->disk.snap;
    return snap ? zk_tree_snapshot_bytes(snap) : 0;
}

void zk_server_maybe_snapshot(ZkServer *s)
{
    if (++s->disk.txns_since_snap >= s->disk.snap_threshold) {
        zk_server_snapshot(s);
        next_snap_threshold(s);
    }
}

void zk_server_set_accepted_epoch(ZkServer *s, int64_t e)
{
    /* QuorumPeer.setAcceptedEpoch: the file is written (atomically, with
     * fsync) before memory is updated; modelled as durable at once. */
    s->disk.accepted_epoch = e;
    SIM_TRACE(s->sim, s->node, "ACCEPTED_EPOCH", SF_INT("epoch", e));
}

void zk_server_set_current_epoch(ZkServer *s, int64_t e)
{
    s->disk.current_epoch = e;
    SIM_TRACE(s->sim, s->node, "CURRENT_EPOCH", SF_INT("epoch", e));
}

void zk_server_apply(ZkServer *s, ZkTxn *txn)
{
    /* The events list is reused from one apply to the next (a hook that
     * applies again on this server gets a fresh one). */
    ZkWatchEvents *fired = s->fired && !s->fired_busy ? s->fired : zk_watch_events_new();
    if (!s->fired)
        s->fired = fired;
    gboolean scratch = fired == s->fired;
    s->fired_busy |= scratch;
    g_auto(ZkApplyResult) res; /* zeroed by either branch (zk_tree_apply clears it) */
    if (zk_bug(s->ens, ZK_BUG_KEEP_EPHEMERALS) && zk_txn_type(txn) == ZK_OP_CLOSE_SESSION) {
        /* Planted bug: the close is recorded but killSession never runs,
         * so the session and its ephemeral nodes stay in the tree. */
        res = (ZkApplyResult){ 0 };
        zk_tree_set_last_processed_zxid(s->tree, zk_txn_zxid(txn));
        res.zxid = zk_txn_zxid(txn);
        res.session = zk_txn_session(txn);
        res.type = res.op.type = ZK_OP_CLOSE_SESSION;
    } else {
        zk_tree_apply(s->tree, txn, s->watches, &res, fired);
    }
    s->stats.applied++;
    SIM_TRACE(s->sim, s->node, "APPLY", SF_HEX("zxid", zk_txn_zxid(txn)), SF_STR("op", zk_op_name(zk_txn_type(txn))),
              SF_STR("err", zk_err_name(zk_txn_err(txn))));
    zk_inv_applied(s->ens->inv, s, txn);
    if (s->ens->on_apply)
        s->ens->on_apply(s, txn, &res, fired, s->ens->hook_ctx);
    if (scratch) {
        zk_watch_events_clear(fired);
        s->fired_busy = FALSE;
    } else {
        zk_watch_events_free(fired);
    }
}

/* ---- messaging ---- */

uint32_t zk_msg_size(const ZkServer *s, const ZkMsg *m)
{
    if (m->client)
        return m->client_bytes; /* client packets are sized by the client layer */
    uint32_t size = s->cfg->msg_header;
    switch (m->type) {
    case ZK_MSG_NOTIFICATION:
        return 4 + 44; /* length prefix + FastLeaderElection.buildMsg */
    case ZK_MSG_CNX_HELLO:
        return 4 + 8 + 4 + 32; /* protocol version, sid, address */
    case ZK_MSG_PROPOSAL:
    case ZK_MSG_INFORM:
        return size + (m->txn ? (uint32_t)zk_txn_size(m->txn) : 0);
    case ZK_MSG_REQUEST:
        return size + 16 + (m->req ? (uint32_t)zk_request_size(&m->req->r) : 0);
    case ZK_MSG_SNAP:
        return size + (m->snap ? (uint32_t)MIN(zk_tree_snapshot_bytes(m->snap), (size_t)UINT32_MAX) : 0);
    case ZK_MSG_PING:
        return size + (m->touches ? (uint32_t)(m->touches->len * 12) : 0);
    default:
        return size;
    }
}

typedef struct {
    SimConnId conn;
    ZkMsg *msg;
    uint32_t size;
} PendingSend;

static void send_after_cpu(Sim *sim, void *ctx, void *data)
{
    ZkServer *s = ctx;
    PendingSend *p = data;
    sim_net_send(sim, p->conn, s->node, p->msg->type, p->msg, p->size);
    g_free(p);
}

static void pending_send_drop(void *data)
{
    PendingSend *p = data;
    zk_msg_free(p->msg, 0);
    g_free(p);
}

void zk_server_send(ZkServer *s, SimConnId c, ZkMsg *m)
{
    uint32_t size = zk_msg_size(s, m);
    if (s->cfg->cpu_send > 0) {
        PendingSend *p = g_new(PendingSend, 1);
        p->conn = c;
        p->msg = m;
        p->size = size;
        sim_node_cpu_then_owned(s->sim, s->node, s->cfg->cpu_send, send_after_cpu, s, p, pending_send_drop);
        return;
    }
    sim_net_send(s->sim, c, s->node, m->type, m, size);
}

/* ---- checks ---- */

void zk_server_check(const ZkServer *s)
{
    g_assert((s->role == ZK_LEADING) == (s->leader != NULL));
    g_assert((s->role == ZK_FOLLOWING || s->role == ZK_OBSERVING) == (s->learner != NULL));
    g_assert(s->disk.accepted_epoch >= s->disk.current_epoch);
    g_assert(!s->serving || s->role != ZK_LOOKING);
    const ZkLog *log = &s->disk.log;
    if (log->len >= 2)
        g_assert(g_array_index(log, ZkLogEntry, log->len - 2).zxid < g_array_index(log, ZkLogEntry, log->len - 1).zxid);
}

/* ---- the client entry points (used by the ensemble) ---- */

gboolean zk_ensemble_submit(ZkEnsemble *ens, int sid, ZkReq *req)
{
    ZkServer *s = zk_ensemble_server(ens, sid);
    if (!s->serving || !sim_node_is_up(ens->sim, s->node)) {
        zk_req_unref(req);
        return FALSE;
    }
    if (s->role == ZK_LEADING)
        zk_leader_submit(s, req, s->sid, 0);
    else
        zk_learner_submit(s, req, 0);
    return TRUE;
}

gboolean zk_ensemble_sync(ZkEnsemble *ens, int sid, uint64_t rid)
{
    ZkServer *s = zk_ensemble_server(ens, sid);
    if (!s->serving || !sim_node_is_up(ens->sim, s->node))
        return FALSE;
    if (s->role == ZK_LEADING)
        zk_leader_sync(s, s->sid, rid);
    else
        zk_learner_sync(s, rid);
    return TRUE;
}

/* Unused by the engine directly, kept for node lookup by tests. */
ZkServer *zk_server_from_node(Sim *sim, int node);
ZkServer *zk_server_from_node(Sim *sim, int node)
{
    return server_of(sim, node);
}
