/* zk_client_server.c - a server's side of the client protocol: the
 * connections of its clients (`ServerCnxn`), session establishment
 * (`ZooKeeperServer.processConnectRequest`, `finishSessionInit`), the
 * per-session request order of the `CommitProcessor`, reads and watch
 * registration against the local tree and the replies
 * (`FinalRequestProcessor`).
 *
 * A connection goes NEW -> CREATING (createSession submitted) or
 * REVALIDATING (an existing session: the leader checks it, directly or
 * through REVALIDATE) -> OPEN.  Packets that arrive before OPEN wait
 * (ZooKeeper disables reading the socket until the session is
 * established).  Once OPEN, each request joins the session's queue:
 *   - a write is submitted to Zab at once (pipelined to the leader) and
 *     completes when this server applies its txn (matched by session and
 *     cxid, as CommitProcessor matches);
 *   - a sync is forwarded at once and completes when the leader's SYNC
 *     comes back, i.e. after every txn committed before it was applied
 *     here;
 *   - a read (ping, getData, exists, getChildren, SetWatches, addWatch,
 *     removeWatches) runs when it reaches the head of the queue, so it
 *     waits for the session's own earlier writes and syncs but never for
 *     other sessions'.
 * Replies leave in queue order; every reply carries the server's
 * lastProcessedZxid.  Watch events fired while a txn is applied are sent
 * at once, hence before any reply that follows the txn on the FIFO
 * connection (unless the planted bug WATCH_AFTER_REPLY holds them back).
 *
 * A server that stops serving (role change, crash) drops every client
 * connection; so does the apply of a closeSession for a session
 * connected here that did not ask for it (expiry), and a SessionMoved
 * error for a request on a connection the session has left.
 */
#include "zk_bugs.h"
#include "zk_client_int.h"
#include "sim_map.h"
#include "sim_net.h"
#include "sim_rcstr.h"
#include "sim_pool.h"
#include "sim_trace.h"

#include <inttypes.h>
#include <string.h>

typedef enum {
    CX_CREATING,
    CX_REVALIDATING,
    CX_OPEN,
} CnxState;

typedef enum {
    EN_READ,
    EN_WRITE,
    EN_SYNC,
} EntryKind;

typedef struct Entry {
    EntryKind kind;
    ZkCPacket *req; /* owned */
    int req_type;   /* the request's message type */
    ZkCPacket *reply; /* writes and syncs, once done */
    gboolean done;
    uint64_t rid;   /* syncs */
} Entry;

typedef struct Cnxn {
    SimConnId conn;
    int peer;         /* the client's node */
    CnxState state;
    uint64_t session;
    int32_t timeout_ms;
    GQueue held;      /* ZkMsg*: arrived before OPEN */
    SimRing queue;    /* Entry*: the session's requests in arrival order */
    GQueue deferred;  /* ZkMsg*: events held back (WATCH_AFTER_REPLY) */
} Cnxn;

typedef struct SyncRec {
    uint64_t rid;
    SimConnId conn;
} SyncRec;

struct ZkServerSide {
    ZkClients *cl;
    ZkServer *s;
    GPtrArray *cnxns;       /* Cnxn*, in arrival order */
    SimU64Map by_conn;    /* conn id -> Cnxn* */
    SimU64Map by_session; /* session -> Cnxn* */
    SimU64Map syncs;      /* rid -> SyncRec* (owned) */
    uint64_t next_rid;
    uint64_t next_session_id;
};

ZkServerSide *zkc_server_side_new(ZkClients *cl, ZkServer *s)
{
    ZkServerSide *ss = g_new0(ZkServerSide, 1);
    ss->cl = cl;
    ss->s = s;
    ss->cnxns = g_ptr_array_new();
    sim_u64map_init(&ss->by_conn);
    sim_u64map_init(&ss->by_session);
    sim_u64map_init(&ss->syncs);
    ss->next_rid = 1;
    return ss;
}

/* One per client request: pooled. */
static SimPool entry_pool = SIM_POOL_INIT(Entry);

static void entry_free(Entry *e)
{
    zkc_packet_free(e->req);
    zkc_packet_free(e->reply);
    sim_pool_free(&entry_pool, e);
}

static void msg_free(gpointer p)
{
    zk_msg_free(p, 0);
}

static void cnxn_free(Cnxn *x)
{
    g_queue_clear_full(&x->held, msg_free);
    Entry *e;
    while ((e = sim_ring_shift_ptr(&x->queue)))
        entry_free(e);
    sim_ring_clear(&x->queue);
    g_queue_clear_full(&x->deferred, msg_free);
    g_free(x);
}

void zkc_server_side_free(ZkServerSide *ss)
{
    if (!ss)
        return;
    for (guint i = 0; i < ss->cnxns->len; i++)
        cnxn_free(g_ptr_array_index(ss->cnxns, i));
    g_ptr_array_free(ss->cnxns, TRUE);
    sim_u64map_clear(&ss->by_conn, NULL);
    sim_u64map_clear(&ss->by_session, NULL);
    sim_u64map_clear(&ss->syncs, g_free);
    g_free(ss);
}

static ZkServerSide *side_of(ZkServer *s)
{
    return s->client_side;
}

static Cnxn *cnxn_lookup(ZkServerSide *ss, SimConnId c)
{
    return sim_u64map_get(&ss->by_conn, c);
}

/* A connection's invariants, asserted after each event that touched it:
 *   1. it is indexed by its connection id, and its session's index
 *      points to it (one connection per session per server);
 *   2. only an OPEN connection has requests in its queue;
 *   3. the server it lives on is serving;
 *   4. writes and syncs complete only in an OPEN connection. */
static void cnxn_check(ZkServerSide *ss, SimConnId c)
{
    const Cnxn *x = cnxn_lookup(ss, c);
    if (!x)
        return;
    g_assert(x->conn == c);
    g_assert(sim_u64map_get(&ss->by_session, x->session) == x);
    g_assert(ss->s->serving);
    g_assert(x->state == CX_OPEN || sim_ring_len(&x->queue) == 0);
    for (guint i = 0; i < sim_ring_len(&x->queue); i++) {
        const Entry *e = sim_ring_nth_ptr(&x->queue, i);
        g_assert(!e->done || e->kind != EN_READ);
    }
}

/* ---- sending ---- */

static void send_msg(ZkServerSide *ss, Cnxn *x, int type, ZkCPacket *p)
{
    p->server = ss->s->sid;
    zk_server_send(ss->s, x->conn, zkc_msg_new(type, p));
}

static void close_fn(Sim *sim, void *ctx, void *data)
{
    ZkServer *s = ctx;
    sim_net_close(sim, (SimConnId)(uintptr_t)data, s->node);
}

/* Closes after whatever this server queued on its CPU for the
 * connection, so a last reply still leaves before the FIN. */
static void close_conn(ZkServerSide *ss, SimConnId c)
{
    ZkServer *s = ss->s;
    if (s->cfg->cpu_send > 0 && sim_node_is_up(s->sim, s->node))
        sim_node_cpu_then(s->sim, s->node, 0, close_fn, s, (void *)(uintptr_t)c);
    else
        sim_net_close(s->sim, c, s->node);
}

/* Forgets a connection; close: also close it (else it is closed). */
static void cnxn_drop(ZkServerSide *ss, Cnxn *x, gboolean close, const char *why)
{
    ZkServer *s = ss->s;
    SIM_TRACE(s->sim, s->node, "CNXN_CLOSED", SF_NODE("client", x->peer), SF_HEX("session", x->session),
              SF_STR("why", why));
    sim_u64map_take(&ss->by_conn, x->conn);
    if (sim_u64map_get(&ss->by_session, x->session) == x)
        sim_u64map_take(&ss->by_session, x->session);
    g_ptr_array_remove(ss->cnxns, x);
    if (s->watches)
        zk_watch_remove_watcher(s->watches, x->conn); /* DataTree.removeCnxn */
    if (close)
        close_conn(ss, x->conn);
    cnxn_free(x);
}

static void flush_deferred(ZkServerSide *ss, Cnxn *x)
{
    ZkMsg *m;
    while ((m = g_queue_pop_head(&x->deferred)))
        zk_server_send(ss->s, x->conn, m);
}

static void send_reply(ZkServerSide *ss, Cnxn *x, int type, ZkCPacket *p)
{
    p->zxid = zk_tree_last_processed_zxid(ss->s->tree);
    send_msg(ss, x, type, p);
    flush_deferred(ss, x);
}

/* ---- sessions ---- */

/* `SessionTrackerImpl.initializeNextSessionId`: the server id in the top
 * byte, the start time in ms shifted into the next 40 bits. */
static uint64_t initial_session_id(const ZkServer *s)
{
    uint64_t ms = (uint64_t)(sim_node_now(s->sim, s->node) / SIM_MS);
    uint64_t id = ((ms << 24) >> 8) | ((uint64_t)s->sid << 56);
    if (id == ZK_CONTAINER_EPHEMERAL_OWNER)
        id++;
    return id;
}

/* `ZooKeeperServer.touch`: the leader's tracker directly, a learner's
 * through its next PING reply. */
static void touch(ZkServerSide *ss, Cnxn *x)
{
    ZkServer *s = ss->s;
    if (s->role == ZK_LEADING)
        zk_leader_touch_session(s, x->session, x->timeout_ms);
    else
        zk_learner_touch(s, x->session, x->timeout_ms);
}

static void handle_request(ZkServerSide *ss, Cnxn *x, ZkMsg *m);

static void resume_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    ZkServerSide *ss = ctx;
    SimConnId c = (SimConnId)(uintptr_t)data;
    Cnxn *x;
    ZkMsg *m;
    /* handle_request may drop the connection: look it up each time. */
    while ((x = cnxn_lookup(ss, c)) && (m = g_queue_pop_head(&x->held)))
        handle_request(ss, x, m);
}

/* `ZooKeeperServer.finishSessionInit`. */
static void finish_session_init(ZkServerSide *ss, Cnxn *x, gboolean valid)
{
    ZkServer *s = ss->s;
    ZkCPacket *r = zkc_packet_new(0, ZK_OP_CREATE_SESSION);
    r->timeout_ms = valid ? x->timeout_ms : 0;
    r->session = valid ? x->session : 0;
    send_msg(ss, x, ZK_MSG_CONNECT_RESPONSE, r);
    if (!valid) {
        SIM_TRACE(s->sim, s->node, "SESSION_INVALID", SF_NODE("client", x->peer), SF_HEX("session", x->session));
        cnxn_drop(ss, x, TRUE, "session expired");
        return;
    }
    SIM_TRACE(s->sim, s->node, "SESSION_ESTABLISHED", SF_NODE("client", x->peer), SF_HEX("session", x->session),
              SF_INT("timeout_ms", x->timeout_ms));
    x->state = CX_OPEN;
    touch(ss, x);
    /* Reading resumes: the held packets are read by a later event, as
     * the socket's next read would. */
    if (x->held.length)
        sim_after(s->sim, 0, s->node, resume_fn, ss, (void *)(uintptr_t)x->conn);
}

static int32_t negotiate_timeout(const ZkServer *s, int32_t asked)
{
    SimTime lo = s->cfg->min_session_timeout ? s->cfg->min_session_timeout : 2 * s->cfg->tick;
    SimTime hi = s->cfg->max_session_timeout ? s->cfg->max_session_timeout : 20 * s->cfg->tick;
    SimTime t = (SimTime)asked * SIM_MS;
    if (t < lo)
        t = lo;
    if (t > hi)
        t = hi;
    return (int32_t)(t / SIM_MS);
}

static void refuse(ZkServerSide *ss, SimConnId c, int peer, const char *why)
{
    ZkServer *s = ss->s;
    SIM_TRACE(s->sim, s->node, "CONNECT_REFUSED", SF_NODE("client", peer), SF_STR("why", why),
              SF_HEX("zxid", s->tree ? zk_tree_last_processed_zxid(s->tree) : 0));
    sim_net_close(s->sim, c, s->node);
}

/* `ZooKeeperServer.processConnectRequest`. */
static void process_connect(ZkServerSide *ss, SimConnId c, const ZkCPacket *p)
{
    ZkServer *s = ss->s;
    int peer = sim_net_peer(s->sim, c, s->node);
    if (!s->serving) {
        refuse(ss, c, peer, "ZooKeeperServer not running");
        return;
    }
    if (p->last_zxid > zk_tree_last_processed_zxid(s->tree)) {
        refuse(ss, c, peer, "client has seen a zxid this server has not, client must try another server");
        return;
    }
    Cnxn *x = g_new0(Cnxn, 1);
    x->conn = c;
    x->peer = peer;
    x->timeout_ms = negotiate_timeout(s, p->timeout_ms);
    g_queue_init(&x->held);
    sim_ring_init(&x->queue, sizeof(Entry *));
    g_queue_init(&x->deferred);
    g_ptr_array_add(ss->cnxns, x);
    sim_u64map_put(&ss->by_conn, x->conn, x);
    if (p->session == 0) {
        x->state = CX_CREATING;
        x->session = ss->next_session_id++;
        sim_u64map_put(&ss->by_session, x->session, x);
        SIM_TRACE(s->sim, s->node, "SESSION_CREATE", SF_NODE("client", peer), SF_HEX("session", x->session),
                  SF_INT("timeout_ms", x->timeout_ms));
        zk_ensemble_submit(s->ens, s->sid, zk_req_new_session(ZK_OP_CREATE_SESSION, x->session, x->timeout_ms));
        return;
    }
    /* A session reconnecting here replaces its older connection here
     * (`ServerCnxnFactory.closeSession`, CLIENT_RECONNECT). */
    Cnxn *old = sim_u64map_get(&ss->by_session, p->session);
    if (old)
        cnxn_drop(ss, old, TRUE, "client reconnected");
    x->state = CX_REVALIDATING;
    x->session = p->session;
    sim_u64map_put(&ss->by_session, x->session, x);
    SIM_TRACE(s->sim, s->node, "SESSION_REVALIDATE", SF_NODE("client", peer), SF_HEX("session", x->session),
              SF_INT("timeout_ms", x->timeout_ms));
    if (s->role == ZK_LEADING)
        finish_session_init(ss, x, zk_leader_revalidate(s, x->session, x->timeout_ms, s->sid));
    else
        zk_learner_revalidate(s, x->session, x->timeout_ms);
}

/* ---- reads (FinalRequestProcessor) ---- */

static void trace_watch_set(ZkServerSide *ss, Cnxn *x, const char *path, ZkWatchKind kind)
{
    SIM_TRACE(ss->s->sim, ss->s->node, "WATCH_SET", SF_NODE("client", x->peer), SF_STR("path", path),
              SF_STR("kind", zk_watch_kind_name(kind)));
}

static void send_event(ZkServerSide *ss, Cnxn *x, const ZkWatchEvent *ev)
{
    ZkCPacket *e = zkc_packet_new(ZK_XID_NOTIFICATION, ZK_OP_NOTIFICATION);
    e->ev_type = ev->type;
    e->path = ev->path ? sim_rcstr_new(ev->path, -1) : NULL;
    e->zxid = ev->zxid;
    send_msg(ss, x, ZK_MSG_WATCHER_EVENT, e);
}

static void set_watches(ZkServerSide *ss, Cnxn *x, const ZkCPacket *p)
{
    ZkServer *s = ss->s;
    ZkWatchPaths lists[ZK_WATCH_KIND_COUNT];
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++) {
        GPtrArray *a = p->lists[k];
        lists[k].paths = a ? (const char *const *)a->pdata : NULL;
        lists[k].n = a ? a->len : 0;
    }
    g_autoptr(ZkWatchEvents) out = zk_watch_events_new();
    zk_watch_set_watches(s->watches, s->tree, p->last_zxid, lists, x->conn, out);
    SIM_TRACE(s->sim, s->node, "SET_WATCHES", SF_NODE("client", x->peer), SF_HEX("relativeZxid", p->last_zxid),
              SF_UINT("events", zk_watch_events_len(out)));
    for (guint i = 0; i < zk_watch_events_len(out); i++) {
        const ZkWatchEvent *ev = zk_watch_events_get(out, i);
        SIM_TRACE(s->sim, s->node, "WATCH_TRIGGERED", SF_NODE("client", x->peer),
                  SF_STR("event", zk_event_type_name(ev->type)), SF_STR("path", ev->path),
                  SF_STR("by", "setWatches"));
        send_event(ss, x, ev);
    }
}

static gboolean is_read_op(ZkOpCode op)
{
    return op == ZK_OP_GET_DATA || op == ZK_OP_EXISTS || op == ZK_OP_GET_CHILDREN || op == ZK_OP_GET_CHILDREN2;
}

/* Runs a read at the head of the session's queue and answers it. */
static void process_read(ZkServerSide *ss, Cnxn *x, Entry *e)
{
    ZkServer *s = ss->s;
    const ZkCPacket *p = e->req;
    if (p->op == ZK_OP_PING) {
        ZkCPacket *r = zkc_packet_new(ZK_XID_PING, ZK_OP_PING);
        send_reply(ss, x, ZK_MSG_CLIENT_PING_REPLY, r);
        return;
    }
    ZkCPacket *r = zkc_packet_new(p->xid, p->op);
    ZkWatchManager *wm = p->watch ? s->watches : NULL;
    switch (p->op) {
    case ZK_OP_GET_DATA:
        r->err = zk_tree_get_data(s->tree, p->path, wm, x->conn, &r->stat, &r->data);
        r->has_stat = r->err == ZK_ERR_OK;
        if (wm && r->err == ZK_ERR_OK)
            trace_watch_set(ss, x, p->path, ZK_WATCH_DATA);
        break;
    case ZK_OP_EXISTS:
        r->err = zk_tree_exists(s->tree, p->path, wm, x->conn, &r->stat);
        r->has_stat = r->err == ZK_ERR_OK;
        if (wm && (r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE))
            trace_watch_set(ss, x, p->path, r->err == ZK_ERR_OK ? ZK_WATCH_DATA : ZK_WATCH_EXIST);
        break;
    case ZK_OP_GET_CHILDREN:
    case ZK_OP_GET_CHILDREN2:
        r->err = zk_tree_get_children(s->tree, p->path, wm, x->conn, &r->stat, &r->children);
        r->has_stat = r->err == ZK_ERR_OK;
        if (wm && r->err == ZK_ERR_OK)
            trace_watch_set(ss, x, p->path, ZK_WATCH_CHILD);
        break;
    case ZK_OP_SET_WATCHES2:
        set_watches(ss, x, p);
        r->err = ZK_ERR_OK;
        break;
    case ZK_OP_ADD_WATCH:
        if (!zk_path_is_valid(p->path, 0, FALSE)) {
            r->err = ZK_ERR_BAD_ARGUMENTS;
            break;
        }
        zk_watch_add(s->watches, p->path, x->conn,
                     p->arg == ZK_WATCHER_MODE_PERSISTENT ? ZK_WATCH_PERSISTENT : ZK_WATCH_PERSISTENT_RECURSIVE);
        trace_watch_set(ss, x, p->path,
                        p->arg == ZK_WATCHER_MODE_PERSISTENT ? ZK_WATCH_PERSISTENT : ZK_WATCH_PERSISTENT_RECURSIVE);
        r->err = ZK_ERR_OK;
        break;
    case ZK_OP_REMOVE_WATCHES:
        r->err = zk_watch_remove(s->watches, p->path, x->conn, (ZkWatcherType)p->arg) ? ZK_ERR_OK
                                                                                      : ZK_ERR_NO_WATCHER;
        break;
    default:
        r->err = ZK_ERR_UNIMPLEMENTED;
        break;
    }
    if (is_read_op(p->op)) {
        r->is_read = TRUE;
        zk_ensemble_commit_lag(s->ens, zk_tree_last_processed_zxid(s->tree), sim_now(s->sim), &r->stale_txns,
                               &r->stale_ns);
    }
    send_reply(ss, x, ZK_MSG_CLIENT_REPLY, r);
}

/* Answers what the head of the queue allows, in order. */
static void drain(ZkServerSide *ss, SimConnId c)
{
    Cnxn *x;
    while ((x = cnxn_lookup(ss, c)) && sim_ring_len(&x->queue)) {
        Entry *e = sim_ring_head_ptr(&x->queue);
        if (e->kind == EN_READ) {
            process_read(ss, x, e);
        } else if (e->done) {
            ZkCPacket *r = e->reply;
            e->reply = NULL;
            send_reply(ss, x, ZK_MSG_CLIENT_REPLY, r);
        } else {
            return;
        }
        gboolean close_session = e->req->op == ZK_OP_CLOSE_SESSION;
        entry_free(sim_ring_shift_ptr(&x->queue));
        if (close_session) {
            /* FinalRequestProcessor: closeSession answered, then the
             * connection goes (`sendCloseSession`). */
            cnxn_drop(ss, x, TRUE, "session closed by client");
            return;
        }
    }
}

static Entry *entry_for(Cnxn *x, EntryKind kind, int32_t xid, uint64_t rid)
{
    for (guint i = 0; i < sim_ring_len(&x->queue); i++) {
        Entry *e = sim_ring_nth_ptr(&x->queue, i);
        if (e->kind == kind && !e->done && (kind == EN_SYNC ? e->rid == rid : e->req->xid == xid))
            return e;
    }
    return NULL;
}

/* ---- requests ---- */

static void handle_request(ZkServerSide *ss, Cnxn *x, ZkMsg *m)
{
    ZkServer *s = ss->s;
    SimConnId c = x->conn;
    ZkCPacket *p = m->client;
    int type = m->type;
    m->client = NULL;
    zk_msg_free(m, type);
    touch(ss, x);
    Entry *e = SIM_POOL_NEW0(&entry_pool, Entry);
    e->req = p;
    e->req_type = type;
    if (zk_op_is_write(p->op) && p->req) {
        e->kind = EN_WRITE;
        ZkReq *req = p->req;
        p->req = NULL;
        req->r.session = x->session;
        req->r.cxid = p->xid;
        sim_ring_push_ptr(&x->queue, e);
        /* Pipelined: forwarded now, answered when applied here.  The
         * submit may change our role (and drop this connection). */
        zk_ensemble_submit(s->ens, s->sid, req);
    } else if (p->op == ZK_OP_SYNC) {
        e->kind = EN_SYNC;
        e->rid = ss->next_rid++;
        SyncRec *rec = g_new(SyncRec, 1);
        rec->rid = e->rid;
        rec->conn = c;
        sim_u64map_put(&ss->syncs, rec->rid, rec);
        sim_ring_push_ptr(&x->queue, e);
        zk_ensemble_sync(s->ens, s->sid, rec->rid);
    } else {
        e->kind = EN_READ;
        sim_ring_push_ptr(&x->queue, e);
    }
    drain(ss, c);
}

/* ---- the ensemble's hooks ---- */

static void on_message(ZkServerSide *ss, SimConnId c, ZkMsg *m)
{
    Cnxn *x = cnxn_lookup(ss, c);
    switch ((int)m->type) {
    case ZK_MSG_CONNECT_REQUEST:
        if (!x)
            process_connect(ss, c, m->client);
        zk_msg_free(m, m->type);
        return;
    case ZK_MSG_CLIENT_REQUEST:
    case ZK_MSG_CLIENT_PING:
    case ZK_MSG_SET_WATCHES:
        if (!x) {
            zk_msg_free(m, m->type);
            return;
        }
        if (x->state != CX_OPEN || x->held.length) {
            g_queue_push_tail(&x->held, m);
            return;
        }
        handle_request(ss, x, m);
        return;
    default:
        zk_msg_free(m, m->type);
        return;
    }
}

void zkc_server_on_message(ZkServer *s, SimConnId c, ZkMsg *m, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    if (!ss || !m->client || !sim_net_is_open(s->sim, c, s->node)) {
        zk_msg_free(m, m->type);
        return;
    }
    on_message(ss, c, m);
    cnxn_check(ss, c);
}

void zkc_server_on_closed(ZkServer *s, SimConnId c, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    Cnxn *x = ss ? cnxn_lookup(ss, c) : NULL;
    if (x)
        cnxn_drop(ss, x, FALSE, "closed by client");
}

void zkc_server_on_serving(ZkServer *s, gboolean serving, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    if (!ss)
        return;
    if (serving) {
        ss->next_session_id = initial_session_id(s);
        return;
    }
    /* The ZooKeeperServer shuts down: every client connection goes. */
    while (ss->cnxns->len)
        cnxn_drop(ss, g_ptr_array_index(ss->cnxns, 0), TRUE, "server not serving");
    sim_u64map_clear(&ss->syncs, g_free);
}

static ZkCPacket *write_reply(const ZkTxn *txn, const ZkApplyResult *res)
{
    ZkCPacket *r = zkc_packet_new(zk_txn_cxid(txn), zk_txn_request_type(txn));
    r->err = res->err;
    if (res->type == ZK_OP_MULTI) {
        r->n_multi = res->n_multi;
        r->multi = g_new0(ZkMultiResult, res->n_multi ? res->n_multi : 1);
        for (guint i = 0; i < res->n_multi; i++) {
            const ZkOpResult *o = &res->multi[i];
            ZkMultiResult *mr = &r->multi[i];
            mr->type = o->type;
            mr->err = o->err;
            mr->has_stat = o->has_stat;
            mr->stat = o->stat;
            gboolean created = o->type == ZK_OP_CREATE || o->type == ZK_OP_CREATE2 ||
                               o->type == ZK_OP_CREATE_CONTAINER || o->type == ZK_OP_CREATE_TTL;
            mr->path = created && o->path ? g_strdup(o->path) : NULL;
        }
        return r;
    }
    if (res->err == ZK_ERR_OK) {
        ZkOpCode t = res->op.type;
        if ((t == ZK_OP_CREATE || t == ZK_OP_CREATE2 || t == ZK_OP_CREATE_CONTAINER || t == ZK_OP_CREATE_TTL) &&
            res->op.path)
            r->created = g_strdup(res->op.path);
        r->has_stat = res->op.has_stat;
        r->stat = res->op.stat;
    }
    return r;
}

void zkc_server_on_apply(ZkServer *s, const ZkTxn *txn, const ZkApplyResult *res, ZkWatchEvents *fired, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    if (!ss)
        return;
    ZkClients *cl = ss->cl;
    gboolean hold = zk_bug(s->ens, ZK_BUG_WATCH_AFTER_REPLY);
    for (guint i = 0; fired && i < zk_watch_events_len(fired); i++) {
        const ZkWatchEvent *ev = zk_watch_events_get(fired, i);
        Cnxn *x = cnxn_lookup(ss, ev->watcher);
        if (!x)
            continue;
        SIM_TRACE(s->sim, s->node, "WATCH_TRIGGERED", SF_NODE("client", x->peer),
                  SF_STR("event", zk_event_type_name(ev->type)), SF_STR("path", ev->path), SF_HEX("zxid", ev->zxid));
        zkc_check_fired(cl, s, x->conn, x->peer, ev);
        if (hold) {
            /* Planted bug: the event waits for the next reply. */
            ZkCPacket *e = zkc_packet_new(ZK_XID_NOTIFICATION, ZK_OP_NOTIFICATION);
            e->ev_type = ev->type;
            e->path = ev->path ? sim_rcstr_new(ev->path, -1) : NULL;
            e->zxid = ev->zxid;
            e->server = s->sid;
            g_queue_push_tail(&x->deferred, zkc_msg_new(ZK_MSG_WATCHER_EVENT, e));
        } else {
            send_event(ss, x, ev);
        }
    }
    ZkOpCode type = zk_txn_type(txn);
    uint64_t session = zk_txn_session(txn);
    if (type == ZK_OP_CLOSE_SESSION)
        zkc_check_close_applied(cl, s, session);
    Cnxn *x = sim_u64map_get(&ss->by_session, session);
    if (!x)
        return;
    if (type == ZK_OP_CREATE_SESSION) {
        if (x->state == CX_CREATING)
            finish_session_init(ss, x, TRUE);
        return;
    }
    if (x->state != CX_OPEN)
        return;
    Entry *e = entry_for(x, EN_WRITE, zk_txn_cxid(txn), 0);
    if (type == ZK_OP_CLOSE_SESSION && !e) {
        /* The expirer's close (or one from another server) of a session
         * connected here: `ServerCnxnFactory.closeSession`. */
        cnxn_drop(ss, x, TRUE, "session expired");
        return;
    }
    if (!e)
        return;
    if (type == ZK_OP_ERROR && res->err == ZK_ERR_SESSION_MOVED) {
        /* A connection-level error: no reply, the connection is torn
         * down (FinalRequestProcessor, ZOOKEEPER-710). */
        SIM_TRACE(s->sim, s->node, "SESSION_MOVED", SF_NODE("client", x->peer), SF_HEX("session", session),
                  SF_INT("xid", zk_txn_cxid(txn)));
        cnxn_drop(ss, x, TRUE, "session moved");
        return;
    }
    SimConnId c = x->conn;
    e->reply = write_reply(txn, res);
    e->done = TRUE;
    drain(ss, c);
    cnxn_check(ss, c);
}

void zkc_server_on_sync_done(ZkServer *s, uint64_t rid, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    SyncRec *rec = ss ? sim_u64map_get(&ss->syncs, rid) : NULL;
    if (!rec)
        return;
    SimConnId c = rec->conn;
    g_free(sim_u64map_take(&ss->syncs, rid));
    Cnxn *x = cnxn_lookup(ss, c);
    Entry *e = x ? entry_for(x, EN_SYNC, 0, rid) : NULL;
    if (!e)
        return;
    ZkCPacket *r = zkc_packet_new(e->req->xid, ZK_OP_SYNC);
    r->err = ZK_ERR_OK;
    e->reply = r;
    e->done = TRUE;
    drain(ss, c);
    cnxn_check(ss, c);
}

void zkc_server_on_revalidated(ZkServer *s, uint64_t session, gboolean valid, void *ctx)
{
    (void)ctx;
    ZkServerSide *ss = side_of(s);
    Cnxn *x = ss ? sim_u64map_get(&ss->by_session, session) : NULL;
    if (x && x->state == CX_REVALIDATING)
        finish_session_init(ss, x, valid);
}
