/* zk_client.c - the client: a `ZooKeeper` handle and its `ClientCnxn`
 * (connection loop, pipelined requests, pings, timeouts, SetWatches) and
 * its `ZKWatchManager`, as one sim node per client; plus the layer that
 * holds the clients and wires the servers' side of the protocol to the
 * ensemble's hooks.  The state diagram and the rules are in zk_client.h.
 */
#include "zk_client_int.h"
#include "sim_net.h"
#include "sim_pool.h"
#include "sim_rcstr.h"
#include "sim_trace.h"

#include <inttypes.h>
#include <string.h>

#define SPIN_DELAY (1000 * SIM_MS)       /* HostProvider.next(1000) */
#define MAX_SEND_PING_INTERVAL (10 * SIM_S) /* ClientCnxn.MAX_SEND_PING_INTERVAL */
#define DEFAULT_TIMEOUT (30 * SIM_S)
#define DELETE_BATCH 1000                  /* ZKUtil.deleteRecursive batch size */

const char *zk_client_state_name(ZkClientState s)
{
    switch (s) {
#define ZK_X(id, name)                                                                             \
    case ZK_CLIENT_##id:                                                                           \
        return name;
        ZK_CLIENT_STATE_LIST(ZK_X)
#undef ZK_X
    }
    return "?";
}

const char *zk_keeper_state_name(ZkKeeperState s)
{
    switch (s) {
#define ZK_X(id, name, v)                                                                          \
    case ZK_STATE_##id:                                                                            \
        return name;
        ZK_KEEPER_STATE_LIST(ZK_X)
#undef ZK_X
    }
    return "?";
}

const char *zk_cli_verb_name(ZkCliVerb v)
{
    switch (v) {
#define ZK_X(id, name)                                                                             \
    case ZK_CLI_##id:                                                                              \
        return name;
        ZK_CLI_VERB_LIST(ZK_X)
#undef ZK_X
    }
    return "?";
}

/* ---- packets ------------------------------------------------------------- */

/* Client packets and ops: several per client request, pooled. */
static SimPool packet_pool = SIM_POOL_INIT(ZkCPacket);
static SimPool op_pool = SIM_POOL_INIT(ZkcOp);

ZkCPacket *zkc_packet_new(int32_t xid, ZkOpCode op)
{
    ZkCPacket *p = SIM_POOL_NEW0(&packet_pool, ZkCPacket);
    p->xid = xid;
    p->op = op;
    return p;
}

void zkc_packet_free(void *ptr)
{
    ZkCPacket *p = ptr;
    if (!p)
        return;
    /* Two packets a write go through here, most fields unset: the tests
     * spare a library call each. */
    if (p->req)
        zk_req_unref(p->req);
    sim_rcstr_unref(p->path);
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
        if (p->lists[k])
            g_ptr_array_free(p->lists[k], TRUE);
    if (p->created)
        g_free(p->created);
    if (p->data)
        g_bytes_unref(p->data);
    if (p->children)
        g_ptr_array_free(p->children, TRUE);
    if (p->multi) {
        for (guint i = 0; i < p->n_multi; i++)
            g_free((char *)p->multi[i].path);
        g_free(p->multi);
    }
    sim_pool_free(&packet_pool, p);
}

static uint32_t str_bytes(const char *s)
{
    return 4 + (s ? (uint32_t)strlen(s) : 0);
}

/* Approximate jute sizes (length prefix included). */
static uint32_t packet_bytes(int type, const ZkCPacket *p)
{
    uint32_t n = 4;
    switch (type) {
    case ZK_MSG_CONNECT_REQUEST:
        return n + 4 + 8 + 4 + 8 + 20 + 1; /* protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly */
    case ZK_MSG_CONNECT_RESPONSE:
        return n + 4 + 4 + 8 + 20 + 1;
    case ZK_MSG_CLIENT_PING:
        return n + 8;
    case ZK_MSG_CLIENT_PING_REPLY:
        return n + 16;
    case ZK_MSG_SET_WATCHES:
        n += 8 + 8;
        for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++) {
            n += 4;
            for (guint i = 0; p->lists[k] && i < p->lists[k]->len; i++)
                n += str_bytes(g_ptr_array_index(p->lists[k], i));
        }
        return n;
    case ZK_MSG_WATCHER_EVENT:
        return n + 16 + 4 + 4 + str_bytes(p->path);
    case ZK_MSG_CLIENT_REQUEST:
        if (p->req)
            return (uint32_t)zk_request_size(&p->req->r);
        return n + 8 + str_bytes(p->path) + 4;
    case ZK_MSG_CLIENT_REPLY:
        n += 16;
        if (p->has_stat)
            n += ZK_STAT_WIRE_BYTES;
        if (p->data)
            n += 4 + (uint32_t)g_bytes_get_size(p->data);
        n += p->created ? str_bytes(p->created) : 0;
        for (guint i = 0; p->children && i < p->children->len; i++)
            n += str_bytes(g_ptr_array_index(p->children, i));
        for (guint i = 0; i < p->n_multi; i++)
            n += 12 + (p->multi[i].path ? str_bytes(p->multi[i].path) : 0) +
                 (p->multi[i].has_stat ? ZK_STAT_WIRE_BYTES : 0);
        return n;
    default:
        return n;
    }
}

ZkMsg *zkc_msg_new(int type, ZkCPacket *p)
{
    ZkMsg *m = zk_msg_new((ZkMsgType)type, p->server);
    m->client = p;
    m->client_bytes = packet_bytes(type, p);
    return m;
}

/* ---- the layer ----------------------------------------------------------- */

ZkClients *zk_clients_new(ZkEnsemble *ens)
{
    ZkClients *cl = g_new0(ZkClients, 1);
    cl->ens = ens;
    cl->sim = ens->sim;
    cl->clients = g_ptr_array_new();
    cl->lock_holders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cl->workloads = g_ptr_array_new();
    for (int sid = 1; sid <= ens->nservers; sid++) {
        ZkServer *s = zk_ensemble_server(ens, sid);
        cl->sides[sid] = zkc_server_side_new(cl, s);
        s->client_side = cl->sides[sid];
    }
    ens->on_apply = zkc_server_on_apply;
    ens->on_serving = zkc_server_on_serving;
    ens->on_sync_done = zkc_server_on_sync_done;
    ens->on_revalidated = zkc_server_on_revalidated;
    ens->on_client_message = zkc_server_on_message;
    ens->on_client_closed = zkc_server_on_closed;
    ens->hook_ctx = cl;
    return cl;
}

void zk_clients_free(ZkClients *cl)
{
    if (!cl)
        return;
    for (guint i = 0; i < cl->workloads->len; i++)
        zk_workload_free(g_ptr_array_index(cl->workloads, i));
    g_ptr_array_free(cl->workloads, TRUE);
    for (guint i = 0; i < cl->clients->len; i++)
        zkc_client_free(g_ptr_array_index(cl->clients, i));
    g_ptr_array_free(cl->clients, TRUE);
    ZkEnsemble *ens = cl->ens;
    for (int sid = 1; sid <= ens->nservers; sid++) {
        zk_ensemble_server(ens, sid)->client_side = NULL;
        zkc_server_side_free(cl->sides[sid]);
    }
    ens->on_apply = NULL;
    ens->on_serving = NULL;
    ens->on_sync_done = NULL;
    ens->on_revalidated = NULL;
    ens->on_client_message = NULL;
    ens->on_client_closed = NULL;
    ens->hook_ctx = NULL;
    g_hash_table_destroy(cl->lock_holders);
    g_free(cl);
}

ZkEnsemble *zk_clients_ensemble(const ZkClients *cl)
{
    return cl->ens;
}

guint zk_clients_count(const ZkClients *cl)
{
    return cl->clients->len;
}

ZkClient *zk_clients_get(const ZkClients *cl, guint i)
{
    g_assert(i < cl->clients->len);
    return g_ptr_array_index(cl->clients, i);
}

ZkClient *zk_clients_find(const ZkClients *cl, const char *name)
{
    for (guint i = 0; i < cl->clients->len; i++) {
        ZkClient *c = g_ptr_array_index(cl->clients, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

gboolean zk_clients_all_connected(const ZkClients *cl)
{
    for (guint i = 0; i < cl->clients->len; i++) {
        const ZkClient *c = g_ptr_array_index(cl->clients, i);
        if (c->started && c->state != ZK_CLIENT_CONNECTED)
            return FALSE;
    }
    return TRUE;
}

/* ---- ops ------------------------------------------------------------------ */

static void op_free(ZkcOp *op)
{
    if (op->ud_free)
        op->ud_free(op->ud);
    zkc_packet_free(op->pkt);
    sim_rcstr_unref(op->path);
    sim_pool_free(&op_pool, op);
}

static SimTime local_now(const ZkClient *c)
{
    return sim_node_now(c->sim, c->node);
}

static void mark_saw(ZkClient *c, ZkErr err)
{
    int bit = -(int)err;
    if (bit > 0 && bit < 256)
        c->saw[bit / 64] |= (uint64_t)1 << (bit % 64);
}

typedef struct Value {
    gboolean exists;
    GBytes *data;
} Value;

static void value_free(gpointer p)
{
    Value *v = p;
    if (v->data)
        g_bytes_unref(v->data);
    g_free(v);
}

/* Records an answered (or failed) op and calls its callback. */
static void complete(ZkClient *c, ZkcOp *op, const ZkCPacket *reply, ZkErr err)
{
    ZkResult r = {
        .op = op->op,
        .err = reply ? reply->err : err,
        .path = op->path,
        .xid = op->xid,
        .zxid = reply ? reply->zxid : 0,
        .server = reply ? reply->server : 0,
        .latency = sim_now(c->sim) - op->start,
    };
    if (reply) {
        r.created = reply->created;
        r.has_stat = reply->has_stat;
        r.stat = reply->stat;
        r.data = reply->data;
        r.children = reply->children;
        r.multi = reply->multi;
        r.n_multi = reply->n_multi;
        r.is_read = reply->is_read;
        r.stale_txns = reply->stale_txns;
        r.stale_ns = reply->stale_ns;
    }
    if (!op->internal) {
        c->last_result = r.err;
        mark_saw(c, r.err);
        if (r.err == ZK_ERR_OK)
            c->stats.ok++;
        else
            c->stats.errors++;
        if (r.err == ZK_ERR_OK && zk_op_is_write(op->op)) {
            c->stats.writes_ok++;
            c->stats.write_latency_ns += r.latency;
        }
        if (op->op == ZK_OP_GET_DATA && (r.err == ZK_ERR_OK || r.err == ZK_ERR_NO_NODE) && op->path) {
            Value *v = g_new0(Value, 1);
            v->exists = r.err == ZK_ERR_OK;
            v->data = r.data ? g_bytes_ref(r.data) : NULL;
            g_hash_table_replace(c->values, g_strdup(op->path), v);
        }
        if (r.is_read)
            zkc_record_staleness(c->cl, r.stale_txns, r.stale_ns);
    }
    if (r.is_read)
        SIM_TRACE(c->sim, c->node, "OP_END", SF_STR("op", zk_op_name(r.op)), SF_STR("path", r.path ? r.path : ""),
                  SF_INT("xid", r.xid), SF_STR("err", zk_err_name(r.err)), SF_HEX("zxid", r.zxid),
                  SF_INT("server", r.server), SF_TIME("latency", r.latency), SF_UINT("stale_txns", r.stale_txns),
                  SF_TIME("stale", r.stale_ns));
    else
        SIM_TRACE(c->sim, c->node, "OP_END", SF_STR("op", zk_op_name(r.op)), SF_STR("path", r.path ? r.path : ""),
                  SF_INT("xid", r.xid), SF_STR("err", zk_err_name(r.err)), SF_HEX("zxid", r.zxid),
                  SF_INT("server", r.server), SF_TIME("latency", r.latency));
    op->ud_free = NULL; /* the callback owns ud from here */
    if (op->cb)
        op->cb(c, &r, op->ud);
}

static void finish_close(ZkClient *c);

/* Answers an op that never got a reply (ClientCnxn.conLossPacket). */
static void fail_op(ZkClient *c, ZkcOp *op, ZkErr err)
{
    complete(c, op, NULL, err);
    gboolean was_close = op->op == ZK_OP_CLOSE_SESSION && !op->internal;
    op_free(op);
    if (was_close && c->closing)
        finish_close(c);
}

/* The error a dead connection gives (conLossPacket's switch). */
static ZkErr loss_err(const ZkClient *c)
{
    return c->state == ZK_CLIENT_CLOSED ? ZK_ERR_SESSION_EXPIRED : ZK_ERR_CONNECTION_LOSS;
}

/* ClientCnxn.cleanup: what was sent, then what was queued, fails. */
static void cleanup(ZkClient *c)
{
    ZkErr err = loss_err(c);
    ZkcOp *op;
    while ((op = sim_ring_shift_ptr(&c->pending)))
        fail_op(c, op, err);
    while ((op = g_queue_pop_head(&c->outgoing)))
        fail_op(c, op, err);
}

static void client_check(const ZkClient *c);

typedef struct Late {
    ZkClient *c;
    ZkcOp *op;
    ZkErr err;
} Late;

static void late_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    Late *l = data;
    ZkClient *c = l->c;
    fail_op(c, l->op, l->err);
    g_free(l);
    client_check(c);
}

static void late_drop(void *data)
{
    Late *l = data;
    op_free(l->op);
    g_free(l);
}

/* ---- watches (ZKWatchManager) -------------------------------------------- */

static void watch_add(ZkClient *c, ZkWatchKind k, const char *path)
{
    if (!g_tree_lookup_extended(c->watches[k], path, NULL, NULL))
        g_tree_insert(c->watches[k], g_strdup(path), NULL);
}

static gboolean watch_take(ZkClient *c, ZkWatchKind k, const char *path)
{
    return g_tree_remove(c->watches[k], path);
}

static gboolean watch_has(const ZkClient *c, ZkWatchKind k, const char *path)
{
    return g_tree_lookup_extended(c->watches[k], path, NULL, NULL);
}

/* ZKWatchManager.materialize for the one watcher: consumes the one-shot
 * watches an event triggers and tells whether any watch asked for it. */
static gboolean watch_materialize(ZkClient *c, ZkEventType type, const char *path)
{
    gboolean hit = FALSE;
    switch (type) {
    case ZK_EVENT_NODE_CREATED:
    case ZK_EVENT_NODE_DATA_CHANGED:
        hit |= watch_take(c, ZK_WATCH_DATA, path);
        hit |= watch_take(c, ZK_WATCH_EXIST, path);
        break;
    case ZK_EVENT_NODE_CHILDREN_CHANGED:
        hit |= watch_take(c, ZK_WATCH_CHILD, path);
        break;
    case ZK_EVENT_NODE_DELETED:
        hit |= watch_take(c, ZK_WATCH_DATA, path);
        hit |= watch_take(c, ZK_WATCH_EXIST, path);
        hit |= watch_take(c, ZK_WATCH_CHILD, path);
        break;
    case ZK_EVENT_NONE:
    case ZK_EVENT_DATA_WATCH_REMOVED:
    case ZK_EVENT_CHILD_WATCH_REMOVED:
    case ZK_EVENT_PERSISTENT_WATCH_REMOVED:
        return TRUE;
    }
    /* addPersistentWatches: the node's persistent watch, and recursive
     * watches on it and its ancestors (never for child events). */
    hit |= watch_has(c, ZK_WATCH_PERSISTENT, path);
    if (type != ZK_EVENT_NODE_CHILDREN_CHANGED) {
        g_autofree char *p = g_strdup(path);
        for (;;) {
            if (watch_has(c, ZK_WATCH_PERSISTENT_RECURSIVE, p)) {
                hit = TRUE;
                break;
            }
            char *slash = strrchr(p, '/');
            if (!slash || p[1] == '\0')
                break;
            if (slash == p)
                slash[1] = '\0';
            else
                *slash = '\0';
        }
    }
    return hit;
}

static gboolean watch_contains(const ZkClient *c, const char *path, ZkWatcherType type)
{
    switch (type) {
    case ZK_WATCHER_TYPE_CHILDREN:
        return watch_has(c, ZK_WATCH_CHILD, path);
    case ZK_WATCHER_TYPE_DATA:
        return watch_has(c, ZK_WATCH_DATA, path) || watch_has(c, ZK_WATCH_EXIST, path);
    case ZK_WATCHER_TYPE_PERSISTENT:
        return watch_has(c, ZK_WATCH_PERSISTENT, path);
    case ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE:
        return watch_has(c, ZK_WATCH_PERSISTENT_RECURSIVE, path);
    case ZK_WATCHER_TYPE_ANY:
        for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
            if (watch_has(c, (ZkWatchKind)k, path))
                return TRUE;
        return FALSE;
    }
    return FALSE;
}

static void deliver(ZkClient *c, const ZkWatchedEvent *ev);

static void local_event(ZkClient *c, ZkEventType type, const char *path)
{
    ZkWatchedEvent ev = { .type = type, .state = ZK_STATE_SYNC_CONNECTED, .path = path, .zxid = ZK_ZXID_NONE,
                          .time = sim_now(c->sim) };
    deliver(c, &ev);
}

/* A successful removeWatches: drop the local watches, tell the watcher. */
static void watch_removed(ZkClient *c, const char *path, ZkWatcherType type)
{
    gboolean any = type == ZK_WATCHER_TYPE_ANY;
    if ((any || type == ZK_WATCHER_TYPE_CHILDREN) && watch_take(c, ZK_WATCH_CHILD, path))
        local_event(c, ZK_EVENT_CHILD_WATCH_REMOVED, path);
    if (any || type == ZK_WATCHER_TYPE_DATA) {
        gboolean d = watch_take(c, ZK_WATCH_DATA, path);
        gboolean e = watch_take(c, ZK_WATCH_EXIST, path);
        if (d || e)
            local_event(c, ZK_EVENT_DATA_WATCH_REMOVED, path);
    }
    if ((any || type == ZK_WATCHER_TYPE_PERSISTENT) && watch_take(c, ZK_WATCH_PERSISTENT, path))
        local_event(c, ZK_EVENT_PERSISTENT_WATCH_REMOVED, path);
    if ((any || type == ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE) && watch_take(c, ZK_WATCH_PERSISTENT_RECURSIVE, path))
        local_event(c, ZK_EVENT_PERSISTENT_WATCH_REMOVED, path);
}

/* WatchRegistration.register: after the reply, by its result code. */
static void register_watch(ZkClient *c, const ZkcOp *op, ZkErr rc)
{
    switch (op->op) {
    case ZK_OP_GET_DATA:
        if (op->watch && rc == ZK_ERR_OK)
            watch_add(c, ZK_WATCH_DATA, op->path);
        break;
    case ZK_OP_EXISTS:
        if (op->watch && (rc == ZK_ERR_OK || rc == ZK_ERR_NO_NODE))
            watch_add(c, rc == ZK_ERR_OK ? ZK_WATCH_DATA : ZK_WATCH_EXIST, op->path);
        break;
    case ZK_OP_GET_CHILDREN:
    case ZK_OP_GET_CHILDREN2:
        if (op->watch && rc == ZK_ERR_OK)
            watch_add(c, ZK_WATCH_CHILD, op->path);
        break;
    case ZK_OP_ADD_WATCH:
        if (rc == ZK_ERR_OK)
            watch_add(c, op->arg == ZK_WATCHER_MODE_PERSISTENT ? ZK_WATCH_PERSISTENT : ZK_WATCH_PERSISTENT_RECURSIVE,
                      op->path);
        break;
    case ZK_OP_REMOVE_WATCHES:
        if (rc == ZK_ERR_OK)
            watch_removed(c, op->path, (ZkWatcherType)op->arg);
        break;
    default:
        break;
    }
}

static gboolean any_watch(const ZkClient *c)
{
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
        if (g_tree_nnodes(c->watches[k]))
            return TRUE;
    return FALSE;
}

static gboolean collect_path(gpointer key, gpointer value, gpointer data)
{
    (void)value;
    g_ptr_array_add(data, g_strdup(key));
    return FALSE;
}

/* ---- the client's own invariants ----------------------------------------- */

/* Asserted after every event the client handles and every call into it
 * (the states of zk_client.h and what each allows):
 *   1. CONNECTED exactly when the session is open on a connection;
 *   2. a connection exists exactly while connecting or connected;
 *   3. NOT_CONNECTED and CLOSED have no connection and plan none;
 *      CONNECTING always has an attempt under way or planned;
 *   4. requests wait in `outgoing` only while not connected, and are in
 *      flight (`pending`) only while connected, in increasing xids. */
static void client_check(const ZkClient *c)
{
    g_assert((c->state == ZK_CLIENT_CONNECTED) == (c->phase == ZKC_OPEN));
    g_assert((c->conn != 0) == (c->phase == ZKC_TCP || c->phase == ZKC_HANDSHAKE || c->phase == ZKC_OPEN));
    if (c->state == ZK_CLIENT_NOT_CONNECTED || c->state == ZK_CLIENT_CLOSED)
        g_assert(c->phase == ZKC_IDLE && !sim_pending(c->sim, c->attempt_timer));
    if (c->state == ZK_CLIENT_CONNECTING)
        g_assert(c->phase == ZKC_WAIT || c->phase == ZKC_TCP || c->phase == ZKC_HANDSHAKE);
    g_assert(c->phase == ZKC_OPEN || sim_ring_len(&c->pending) == 0);
    g_assert(c->phase != ZKC_OPEN || c->outgoing.length == 0);
    for (guint i = 1; i < sim_ring_len(&c->pending); i++) {
        const ZkcOp *a = sim_ring_nth_ptr(&c->pending, i - 1), *b = sim_ring_nth_ptr(&c->pending, i);
        g_assert(a->xid < b->xid || a->xid == ZK_XID_SET_WATCHES);
    }
}

/* ---- the connection loop (ClientCnxn.SendThread) --------------------------- */

/* Event types run from None (-1) to PersistentWatchRemoved (7). */
#define EVENT_SLOTS 9

static guint event_slot(ZkEventType t)
{
    int i = (int)t + 1;
    g_assert(i >= 0 && i < EVENT_SLOTS);
    return (guint)i;
}

static void plan_attempt(ZkClient *c);
static void lose_connection(ZkClient *c, const char *why);

/* The watcher, and the client's own record of node events. */
static void deliver(ZkClient *c, const ZkWatchedEvent *ev)
{
    if (ev->type != ZK_EVENT_NONE) {
        c->stats.events++;
        if (c->events->len < ZKC_EVENTS_MAX) {
            ZkEventRecord rec = { .type = ev->type, .path = g_strdup(ev->path), .zxid = ev->zxid,
                                  .server = ev->server, .time = ev->time };
            g_array_append_val(c->events, rec);
        }
        guint *counts = g_hash_table_lookup(c->event_counts, ev->path);
        if (!counts) {
            counts = g_new0(guint, EVENT_SLOTS);
            g_hash_table_insert(c->event_counts, g_strdup(ev->path), counts);
        }
        counts[event_slot(ev->type)]++;
    }
    if (c->watcher)
        c->watcher(c, ev, c->watcher_ud);
}

static void state_event(ZkClient *c, ZkKeeperState state)
{
    ZkWatchedEvent ev = { .type = ZK_EVENT_NONE, .state = state, .zxid = ZK_ZXID_NONE, .time = sim_now(c->sim) };
    deliver(c, &ev);
}

static SimTime ping_idle(SimTime read_timeout)
{
    /* SendThread.run: timeToNextPing = readTimeout/2 - idleSend
     * - (idleSend > 1000 ? 1000 : 0), and a ping at least every 10 s. */
    SimTime half = read_timeout / 2, t;
    if (half <= SIM_S)
        t = half;
    else if (half - SIM_S > SIM_S)
        t = half - SIM_S;
    else
        t = SIM_S + SIM_MS;
    return MIN(t, MAX_SEND_PING_INTERVAL + SIM_MS);
}

static void send_packet(ZkClient *c, int type, ZkCPacket *p)
{
    ZkMsg *m = zkc_msg_new(type, p);
    sim_net_send(c->sim, c->conn, c->node, type, m, m->client_bytes);
    c->last_send = local_now(c);
}

static void op_send(ZkClient *c, ZkcOp *op)
{
    ZkCPacket *p = op->pkt;
    op->pkt = NULL;
    op->server = c->server;
    sim_ring_push_ptr(&c->pending, op);
    send_packet(c, op->msg_type, p);
}

static void ping_fn(Sim *sim, void *ctx, void *data);

static void arm_ping(ZkClient *c)
{
    SimTime due = c->last_send + ping_idle(c->read_timeout) - local_now(c);
    sim_timer_arm(c->sim, &c->ping_timer, due > 0 ? due : 0);
}

static void ping_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkClient *c = ctx;
    if (c->phase != ZKC_OPEN)
        return;
    if (local_now(c) - c->last_send >= ping_idle(c->read_timeout))
        send_packet(c, ZK_MSG_CLIENT_PING, zkc_packet_new(ZK_XID_PING, ZK_OP_PING));
    arm_ping(c);
    client_check(c);
}

static void conn_timer_fn(Sim *sim, void *ctx, void *data);

/* The connect timeout before the session is up, the read timeout after. */
static void arm_conn_timer(ZkClient *c)
{
    SimTime limit = c->phase == ZKC_OPEN ? c->read_timeout : c->connect_timeout;
    SimTime due = c->last_heard + limit - local_now(c);
    sim_timer_arm(c->sim, &c->conn_timer, due > 0 ? due : 0);
}

static void conn_timer_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    ZkClient *c = ctx;
    if (c->phase != ZKC_TCP && c->phase != ZKC_HANDSHAKE && c->phase != ZKC_OPEN)
        return;
    SimTime limit = c->phase == ZKC_OPEN ? c->read_timeout : c->connect_timeout;
    if (local_now(c) - c->last_heard < limit) {
        arm_conn_timer(c);
        return;
    }
    /* SessionTimeoutException: "Client session timed out, have not heard
     * from server in ...ms". */
    lose_connection(c, c->phase == ZKC_OPEN ? "read timeout" : "connect timeout");
    client_check(c);
}

static void attempt_fn(Sim *sim, void *ctx, void *data)
{
    (void)data;
    ZkClient *c = ctx;
    c->attempt_timer = SIM_EVENT_NONE;
    if (c->phase != ZKC_WAIT)
        return;
    c->phase = ZKC_TCP;
    SIM_TRACE(sim, c->node, "CLIENT_CONNECTING", SF_INT("server", c->server), SF_HEX("session", c->session));
    c->last_heard = c->last_send = local_now(c);
    c->conn = sim_net_connect(sim, c->node, c->server - 1, ZK_CH_CLIENT, c->connect_timeout);
    arm_conn_timer(c);
    client_check(c);
}

/* StaticHostProvider.next(1000), then startConnect's random sleep. */
static void plan_attempt(ZkClient *c)
{
    c->cur_index = (c->cur_index + 1) % (int)c->n_hosts;
    gboolean spin = c->cur_index == c->last_index;
    if (c->last_index == -1)
        c->last_index = 0; /* no sleep on the very first attempt */
    SimTime delay = spin ? SPIN_DELAY : 0;
    if (!c->first_connect)
        delay += (SimTime)sim_rng_below(c->rng, 1000) * SIM_MS;
    c->server = c->hosts[c->cur_index];
    c->phase = ZKC_WAIT;
    c->attempt_timer = sim_node_timer(c->sim, c->node, delay, attempt_fn, c, NULL);
}

/* The connection is gone (closed, reset, timed out, refused): every
 * request fails, the watcher hears Disconnected, and the loop goes on. */
static void lose_connection(ZkClient *c, const char *why)
{
    gboolean was_connected = c->state == ZK_CLIENT_CONNECTED;
    if (c->conn)
        sim_net_close(c->sim, c->conn, c->node);
    c->conn = 0;
    sim_timer_cancel(c->sim, &c->conn_timer);
    sim_timer_cancel(c->sim, &c->ping_timer);
    zkc_check_conn_gone(c);
    SIM_TRACE(c->sim, c->node, "CLIENT_DISCONNECTED", SF_INT("server", c->server), SF_STR("why", why),
              SF_BOOL("was_connected", was_connected));
    c->phase = ZKC_IDLE;
    if (was_connected) {
        c->state = ZK_CLIENT_CONNECTING;
        c->stats.disconnects++;
        mark_saw(c, ZK_ERR_CONNECTION_LOSS);
    }
    if (c->state == ZK_CLIENT_CONNECTING)
        plan_attempt(c);
    uint64_t gen = c->session_gen;
    cleanup(c);
    /* The failed requests' callbacks come first, then the event; unless
     * a failed closeSession ended the session meanwhile. */
    if (was_connected && c->session_gen == gen)
        state_event(c, ZK_STATE_DISCONNECTED);
}

/* The session is over (closed by us or expired): no more connections. */
static void end_session(ZkClient *c)
{
    c->session_gen++;
    c->state = ZK_CLIENT_CLOSED;
    if (c->conn)
        sim_net_close(c->sim, c->conn, c->node);
    c->conn = 0;
    c->phase = ZKC_IDLE;
    sim_cancel_clear(c->sim, &c->attempt_timer);
    sim_timer_cancel(c->sim, &c->conn_timer);
    sim_timer_cancel(c->sim, &c->ping_timer);
    zkc_check_conn_gone(c);
}

static void begin_session(ZkClient *c);

static void finish_close(ZkClient *c)
{
    c->closing = FALSE;
    c->started = FALSE; /* closed on purpose: no longer expected to be connected */
    end_session(c);
    SIM_TRACE(c->sim, c->node, "CLIENT_CLOSED", SF_HEX("session", c->session));
    cleanup(c);
    state_event(c, ZK_STATE_CLOSED);
    if (c->restart_after_close) {
        c->restart_after_close = FALSE;
        begin_session(c);
    }
}

static void on_connect_response(ZkClient *c, const ZkCPacket *p)
{
    if (p->timeout_ms <= 0) {
        /* ClientCnxn.onConnected: "Unable to reconnect to ZooKeeper
         * service, session 0x... has expired". */
        SIM_TRACE(c->sim, c->node, "SESSION_EXPIRED", SF_HEX("session", c->session), SF_INT("server", c->server));
        c->stats.expirations++;
        mark_saw(c, ZK_ERR_SESSION_EXPIRED);
        gboolean restart = c->restart_after_close; /* zkCli connect was closing it anyway */
        c->closing = FALSE;
        c->restart_after_close = FALSE;
        end_session(c);
        cleanup(c);
        state_event(c, ZK_STATE_EXPIRED);
        if (restart && c->state == ZK_CLIENT_CLOSED)
            begin_session(c);
        return;
    }
    if (c->session != p->session) {
        c->stats.sessions++;
        SIM_TRACE(c->sim, c->node, "SESSION_CREATED", SF_HEX("session", p->session), SF_INT("server", c->server),
                  SF_INT("timeout_ms", p->timeout_ms));
    } else if (c->prev_server != c->server) {
        SIM_TRACE(c->sim, c->node, "SESSION_MOVED", SF_HEX("session", p->session), SF_INT("from", c->prev_server),
                  SF_INT("to", c->server));
    }
    c->session = p->session;
    c->timeout_ms = p->timeout_ms;
    c->read_timeout = (SimTime)p->timeout_ms * 2 / 3 * SIM_MS;
    c->connect_timeout = (SimTime)p->timeout_ms / (SimTime)c->n_hosts * SIM_MS;
    c->state = ZK_CLIENT_CONNECTED;
    c->phase = ZKC_OPEN;
    c->last_index = c->cur_index; /* HostProvider.onConnected */
    c->prev_server = c->server;
    c->stats.connects++;
    SIM_TRACE(c->sim, c->node, "CLIENT_CONNECTED", SF_INT("server", c->server), SF_HEX("session", c->session),
              SF_INT("timeout_ms", c->timeout_ms), SF_HEX("lastZxid", c->last_zxid));
    arm_conn_timer(c);
    /* primeConnection: SetWatches2 first, then what waited. */
    if (any_watch(c)) {
        ZkcOp *op = SIM_POOL_NEW0(&op_pool, ZkcOp);
        op->xid = ZK_XID_SET_WATCHES;
        op->op = ZK_OP_SET_WATCHES2;
        op->msg_type = ZK_MSG_SET_WATCHES;
        op->internal = TRUE;
        op->start = sim_now(c->sim);
        op->pkt = zkc_packet_new(ZK_XID_SET_WATCHES, ZK_OP_SET_WATCHES2);
        op->pkt->last_zxid = c->last_zxid;
        for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++) {
            op->pkt->lists[k] = g_ptr_array_new_with_free_func(g_free);
            g_tree_foreach(c->watches[k], collect_path, op->pkt->lists[k]);
        }
        op_send(c, op);
    }
    ZkcOp *op;
    while (c->phase == ZKC_OPEN && (op = g_queue_pop_head(&c->outgoing)))
        op_send(c, op);
    arm_ping(c);
    state_event(c, ZK_STATE_SYNC_CONNECTED);
}

static void on_reply(ZkClient *c, const ZkCPacket *p)
{
    ZkcOp *op = sim_ring_head_ptr(&c->pending);
    if (!op || op->xid != p->xid) {
        /* ClientCnxn.readResponse: "Xid out of order". */
        zkc_violation(c->cl, c->node, "%s: reply xid %d out of order (expected %d): replies must come in request order",
                      c->name, p->xid, op ? op->xid : 0);
        lose_connection(c, "xid out of order");
        return;
    }
    sim_ring_pop(&c->pending);
    if (p->zxid > 0) {
        zkc_check_reply_zxid(c, p->zxid, p->xid);
        if (p->zxid > c->last_zxid)
            c->last_zxid = p->zxid;
    }
    register_watch(c, op, p->err);
    complete(c, op, p, p->err);
    gboolean was_close = op->op == ZK_OP_CLOSE_SESSION && !op->internal;
    op_free(op);
    if (was_close && c->closing)
        finish_close(c);
}

static void on_event(ZkClient *c, const ZkCPacket *p)
{
    zkc_check_event_arrived(c, p->zxid, p->ev_type, p->path);
    if (!watch_materialize(c, p->ev_type, p->path))
        zkc_violation(c->cl, c->node,
                      "%s: %s on %s (zxid 0x%" PRIx64 ") matches no watch it holds: a one-shot watch fired twice?",
                      c->name, zk_event_type_name(p->ev_type), p->path, p->zxid);
    SIM_TRACE(c->sim, c->node, "WATCH_EVENT", SF_STR("event", zk_event_type_name(p->ev_type)), SF_STR("path", p->path),
              SF_HEX("zxid", p->zxid), SF_INT("server", p->server));
    ZkWatchedEvent ev = { .type = p->ev_type, .state = ZK_STATE_SYNC_CONNECTED, .path = p->path, .zxid = p->zxid,
                          .server = p->server, .time = sim_now(c->sim) };
    deliver(c, &ev);
}

/* ---- the client's node --------------------------------------------------- */

static void node_connected(Sim *sim, int node, SimConnId conn, int peer, int channel, void *ctx)
{
    (void)node;
    (void)peer;
    (void)channel;
    ZkClient *c = ctx;
    if (c->phase != ZKC_TCP || conn != c->conn) {
        sim_net_close(sim, conn, c->node);
        return;
    }
    /* primeConnection: the ConnectRequest alone until it is answered. */
    c->phase = ZKC_HANDSHAKE;
    c->first_connect = FALSE;
    c->last_heard = local_now(c);
    ZkCPacket *p = zkc_packet_new(0, ZK_OP_CREATE_SESSION);
    p->last_zxid = c->last_zxid;
    p->timeout_ms = c->requested_ms;
    p->session = c->session;
    send_packet(c, ZK_MSG_CONNECT_REQUEST, p);
    arm_conn_timer(c);
    client_check(c);
}

static void node_connect_failed(Sim *sim, int node, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    (void)peer;
    (void)channel;
    ZkClient *c = ctx;
    if (c->phase != ZKC_TCP)
        return;
    c->conn = 0;
    lose_connection(c, "connection refused or unreachable");
    client_check(c);
}

static void node_message(Sim *sim, int node, SimConnId conn, int channel, int type, void *payload, uint32_t size,
                         void *ctx)
{
    (void)sim;
    (void)node;
    (void)channel;
    (void)size;
    ZkClient *c = ctx;
    ZkMsg *m = payload;
    if (conn != c->conn || !m->client || (c->phase != ZKC_HANDSHAKE && c->phase != ZKC_OPEN)) {
        zk_msg_free(m, type);
        return;
    }
    c->last_heard = local_now(c);
    const ZkCPacket *p = m->client;
    switch (type) {
    case ZK_MSG_CONNECT_RESPONSE:
        if (c->phase == ZKC_HANDSHAKE)
            on_connect_response(c, p);
        break;
    case ZK_MSG_CLIENT_REPLY:
        if (c->phase == ZKC_OPEN)
            on_reply(c, p);
        break;
    case ZK_MSG_CLIENT_PING_REPLY:
        if (c->phase == ZKC_OPEN && p->zxid > 0) {
            zkc_check_reply_zxid(c, p->zxid, ZK_XID_PING);
            if (p->zxid > c->last_zxid)
                c->last_zxid = p->zxid;
        }
        break;
    case ZK_MSG_WATCHER_EVENT:
        if (c->phase == ZKC_OPEN)
            on_event(c, p);
        break;
    default:
        break;
    }
    zk_msg_free(m, type);
    client_check(c);
}

static void node_closed(Sim *sim, int node, SimConnId conn, void *ctx)
{
    (void)sim;
    (void)node;
    ZkClient *c = ctx;
    if (conn != c->conn)
        return;
    c->conn = 0;
    lose_connection(c, "connection closed by server");
    client_check(c);
}

static void drop_all_silently(ZkClient *c)
{
    ZkcOp *op;
    while ((op = sim_ring_shift_ptr(&c->pending)))
        op_free(op);
    while ((op = g_queue_pop_head(&c->outgoing)))
        op_free(op);
}

/* The client process dies: everything in memory goes, the session stays
 * on the servers until it expires.  A restart waits for zk_client_start. */
static void node_crash(Sim *sim, int node, void *ctx)
{
    (void)sim;
    (void)node;
    ZkClient *c = ctx;
    c->attempt_timer = c->conn_timer.ev = c->ping_timer.ev = SIM_EVENT_NONE;
    c->conn = 0;
    c->phase = ZKC_IDLE;
    c->state = ZK_CLIENT_NOT_CONNECTED;
    c->started = FALSE;
    c->closing = c->restart_after_close = FALSE;
    drop_all_silently(c);
    zkc_check_conn_gone(c);
    zkc_check_crashed(c->cl, c);
    client_check(c);
}

static gboolean node_accept(Sim *sim, int node, SimConnId conn, int peer, int channel, void *ctx)
{
    (void)sim;
    (void)node;
    (void)conn;
    (void)peer;
    (void)channel;
    (void)ctx;
    return FALSE; /* clients listen on nothing */
}

static const SimNodeOps client_ops = {
    .crash = node_crash,
    .accept = node_accept,
    .connected = node_connected,
    .connect_failed = node_connect_failed,
    .message = node_message,
    .closed = node_closed,
    .hot_bytes = offsetof(ZkClient, name),
};

/* ---- life cycle ------------------------------------------------------------ */

static gint cmp_str(gconstpointer a, gconstpointer b, gpointer user)
{
    (void)user;
    return strcmp(a, b);
}

ZkClient *zk_client_new(ZkClients *cl, const ZkClientConfig *cfg)
{
    g_assert(cfg->name && *cfg->name);
    ZkClient *c = g_new0(ZkClient, 1);
    c->cl = cl;
    c->sim = cl->sim;
    c->name = g_strdup(cfg->name);
    char stream[160];
    g_snprintf(stream, sizeof stream, "client/%s", cfg->name);
    c->rng = sim_rng(cl->sim, stream);
    int n = cfg->servers && cfg->n_servers ? (int)cfg->n_servers : cl->ens->nservers;
    c->hosts = g_new(int, n);
    c->n_hosts = (guint)n;
    for (int i = 0; i < n; i++) {
        c->hosts[i] = cfg->servers && cfg->n_servers ? cfg->servers[i] : i + 1;
        g_assert(c->hosts[i] >= 1 && c->hosts[i] <= cl->ens->nservers);
    }
    /* StaticHostProvider shuffles the list once, with its own Random
     * (unless the caller fixed the order, as the W1 benchmark does). */
    if (!cfg->keep_order)
        sim_rng_shuffle(c->rng, c->hosts, c->n_hosts, sizeof(int));
    SimTime t = cfg->session_timeout > 0 ? cfg->session_timeout : DEFAULT_TIMEOUT;
    c->requested_ms = (int32_t)MIN(t / SIM_MS, (SimTime)G_MAXINT32);
    c->state = ZK_CLIENT_NOT_CONNECTED;
    c->phase = ZKC_IDLE;
    c->next_xid = 1;
    c->last_result = ZK_ERR_OK;
    g_queue_init(&c->outgoing);
    sim_ring_init(&c->pending, sizeof(ZkcOp *));
    g_queue_init(&c->owed);
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
        c->watches[k] = g_tree_new_full(cmp_str, NULL, g_free, NULL);
    c->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
    c->events = g_array_new(FALSE, FALSE, sizeof(ZkEventRecord));
    c->event_counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    c->node = sim_node_add(cl->sim, cfg->name, ZKC_NODE_KIND, &client_ops, c);
    sim_timer_init(&c->conn_timer, c->node, conn_timer_fn, c, NULL);
    sim_timer_init(&c->ping_timer, c->node, ping_fn, c, NULL);
    g_ptr_array_add(cl->clients, c);
    return c;
}

void zkc_client_free(ZkClient *c)
{
    sim_cancel_clear(c->sim, &c->attempt_timer);
    sim_timer_cancel(c->sim, &c->conn_timer);
    sim_timer_cancel(c->sim, &c->ping_timer);
    drop_all_silently(c);
    zkc_check_conn_gone(c);
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
        g_tree_destroy(c->watches[k]);
    g_hash_table_destroy(c->values);
    for (guint i = 0; i < c->events->len; i++)
        g_free(g_array_index(c->events, ZkEventRecord, i).path);
    g_array_free(c->events, TRUE);
    g_hash_table_destroy(c->event_counts);
    sim_ring_clear(&c->pending);
    g_free(c->hosts);
    g_free(c->name);
    g_free(c);
}

/* A new ZooKeeper handle: a new session from scratch. */
static void begin_session(ZkClient *c)
{
    c->session_gen++;
    c->started = TRUE;
    c->state = ZK_CLIENT_CONNECTING;
    c->session = 0;
    c->timeout_ms = 0;
    c->last_zxid = 0;
    c->next_xid = 1;
    c->prev_server = 0;
    c->first_connect = TRUE;
    c->cur_index = -1;
    c->last_index = -1;
    c->connect_timeout = (SimTime)c->requested_ms / (SimTime)c->n_hosts * SIM_MS;
    c->read_timeout = (SimTime)c->requested_ms * 2 / 3 * SIM_MS;
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++)
        g_tree_remove_all(c->watches[k]);
    SIM_TRACE(c->sim, c->node, "CLIENT_START", SF_INT("timeout_ms", c->requested_ms), SF_UINT("hosts", c->n_hosts));
    plan_attempt(c);
}

void zk_client_start(ZkClient *c)
{
    if (!sim_node_is_up(c->sim, c->node))
        return;
    switch (c->state) {
    case ZK_CLIENT_NOT_CONNECTED:
    case ZK_CLIENT_CLOSED:
        begin_session(c);
        break;
    case ZK_CLIENT_CONNECTING:
    case ZK_CLIENT_CONNECTED:
        /* zkCli connect: close the current session first. */
        c->restart_after_close = TRUE;
        if (!c->closing)
            zk_client_close(c, NULL, NULL);
        break;
    }
    client_check(c);
}

void zk_client_set_watcher(ZkClient *c, ZkWatcherFn fn, void *ud)
{
    c->watcher = fn;
    c->watcher_ud = ud;
}

/* ---- operations ------------------------------------------------------------ */

static ZkcOp *op_new(ZkClient *c, ZkOpCode code, const char *path, ZkResultFn cb, void *ud)
{
    ZkcOp *op = SIM_POOL_NEW0(&op_pool, ZkcOp);
    op->xid = c->next_xid++;
    op->op = code;
    op->msg_type = ZK_MSG_CLIENT_REQUEST;
    /* One copy of the path for the op and its packet (and none for an
     * op without one): it lives until the later of the two goes. */
    op->path = path ? sim_rcstr_new(path, -1) : NULL;
    op->cb = cb;
    op->ud = ud;
    op->start = sim_now(c->sim);
    op->pkt = zkc_packet_new(op->xid, code);
    op->pkt->path = op->path ? sim_rcstr_ref(op->path) : NULL;
    return op;
}

static void fail_later(ZkClient *c, ZkcOp *op, ZkErr err)
{
    Late *l = g_new(Late, 1);
    l->c = c;
    l->op = op;
    l->err = err;
    sim_after_owned(c->sim, 0, c->node, late_fn, c, l, late_drop);
}

/* ClientCnxn.queuePacket. */
static int32_t submit(ZkClient *c, ZkcOp *op)
{
    int32_t xid = op->xid;
    c->stats.ops++;
    if (zk_op_is_write(op->op))
        c->stats.writes++;
    else if (op->op != ZK_OP_SYNC)
        c->stats.reads++;
    SIM_TRACE(c->sim, c->node, "OP_START", SF_STR("op", zk_op_name(op->op)), SF_STR("path", op->path ? op->path : ""),
              SF_INT("xid", xid), SF_INT("server", c->phase == ZKC_OPEN ? c->server : 0));
    gboolean alive = c->state == ZK_CLIENT_CONNECTING || c->state == ZK_CLIENT_CONNECTED;
    gboolean is_close = op->op == ZK_OP_CLOSE_SESSION;
    if (!sim_node_is_up(c->sim, c->node)) {
        op_free(op);
        return xid;
    }
    if (!alive || (c->closing && !is_close)) {
        fail_later(c, op, loss_err(c));
        return xid;
    }
    if (c->phase == ZKC_OPEN)
        op_send(c, op);
    else
        g_queue_push_tail(&c->outgoing, op);
    client_check(c);
    return xid;
}

int32_t zk_client_create(ZkClient *c, const char *path, GBytes *data, ZkCreateMode mode, ZkResultFn cb, void *ud)
{
    ZkOpCode code = zk_create_mode_is_container(mode) ? ZK_OP_CREATE_CONTAINER
                    : zk_create_mode_is_ttl(mode)    ? ZK_OP_CREATE_TTL
                                                     : ZK_OP_CREATE2;
    ZkcOp *op = op_new(c, code, path, cb, ud);
    op->pkt->req = zk_req_new_ref(code, 0, op->xid, op->path, data, mode, -1);
    return submit(c, op);
}

int32_t zk_client_delete(ZkClient *c, const char *path, int32_t version, ZkResultFn cb, void *ud)
{
    ZkcOp *op = op_new(c, ZK_OP_DELETE, path, cb, ud);
    op->pkt->req = zk_req_new_ref(ZK_OP_DELETE, 0, op->xid, op->path, NULL, ZK_CREATE_PERSISTENT, version);
    return submit(c, op);
}

int32_t zk_client_set_data_take(ZkClient *c, const char *path, GBytes *data, int32_t version, ZkResultFn cb,
                                void *ud)
{
    ZkcOp *op = op_new(c, ZK_OP_SET_DATA, path, cb, ud);
    op->pkt->req = zk_req_new_ref(ZK_OP_SET_DATA, 0, op->xid, op->path, NULL, ZK_CREATE_PERSISTENT, version);
    op->pkt->req->r.op.data = data; /* the caller's reference, now the request's */
    return submit(c, op);
}

int32_t zk_client_set_data(ZkClient *c, const char *path, GBytes *data, int32_t version, ZkResultFn cb, void *ud)
{
    return zk_client_set_data_take(c, path, data ? g_bytes_ref(data) : NULL, version, cb, ud);
}

static int32_t read_op(ZkClient *c, ZkOpCode code, const char *path, gboolean watch, ZkResultFn cb, void *ud)
{
    ZkcOp *op = op_new(c, code, path, cb, ud);
    op->watch = watch;
    op->pkt->watch = watch;
    return submit(c, op);
}

int32_t zk_client_get_data(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud)
{
    return read_op(c, ZK_OP_GET_DATA, path, watch, cb, ud);
}

int32_t zk_client_exists(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud)
{
    return read_op(c, ZK_OP_EXISTS, path, watch, cb, ud);
}

int32_t zk_client_get_children(ZkClient *c, const char *path, gboolean watch, ZkResultFn cb, void *ud)
{
    return read_op(c, ZK_OP_GET_CHILDREN2, path, watch, cb, ud);
}

int32_t zk_client_multi(ZkClient *c, const ZkOpRequest *ops, guint n, ZkResultFn cb, void *ud)
{
    ZkcOp *op = op_new(c, ZK_OP_MULTI, NULL, cb, ud);
    op->pkt->req = zk_req_new_multi(0, op->xid, ops, n);
    return submit(c, op);
}

int32_t zk_client_sync(ZkClient *c, const char *path, ZkResultFn cb, void *ud)
{
    return read_op(c, ZK_OP_SYNC, path, FALSE, cb, ud);
}

int32_t zk_client_add_watch(ZkClient *c, const char *path, ZkWatcherMode mode, ZkResultFn cb, void *ud)
{
    g_assert(mode == ZK_WATCHER_MODE_PERSISTENT || mode == ZK_WATCHER_MODE_PERSISTENT_RECURSIVE);
    ZkcOp *op = op_new(c, ZK_OP_ADD_WATCH, path, cb, ud);
    op->arg = op->pkt->arg = mode;
    return submit(c, op);
}

int32_t zk_client_remove_watches(ZkClient *c, const char *path, ZkWatcherType type, ZkResultFn cb, void *ud)
{
    ZkcOp *op = op_new(c, ZK_OP_REMOVE_WATCHES, path, cb, ud);
    op->arg = op->pkt->arg = type;
    if (!watch_contains(c, path, type)) {
        /* ZKWatchManager.containsWatcher: NoWatcher without asking. */
        c->stats.ops++;
        SIM_TRACE(c->sim, c->node, "OP_START", SF_STR("op", zk_op_name(op->op)), SF_STR("path", path),
                  SF_INT("xid", op->xid), SF_INT("server", 0));
        fail_later(c, op, ZK_ERR_NO_WATCHER);
        return op->xid;
    }
    return submit(c, op);
}

void zk_client_close(ZkClient *c, ZkResultFn cb, void *ud)
{
    ZkcOp *op = op_new(c, ZK_OP_CLOSE_SESSION, NULL, cb, ud);
    if (c->state != ZK_CLIENT_CONNECTING && c->state != ZK_CLIENT_CONNECTED) {
        /* Closing a handle that is not alive does nothing. */
        fail_later(c, op, ZK_ERR_OK);
        return;
    }
    c->closing = TRUE;
    op->pkt->req = zk_req_new_session(ZK_OP_CLOSE_SESSION, 0, 0);
    submit(c, op);
}

/* ---- zkCli verbs ------------------------------------------------------------ */

/* listSubTreeBFS, then (deleteall) deletes in reverse, in multi batches. */
typedef struct Walk {
    ZkClient *c;
    GPtrArray *nodes; /* BFS order */
    guint next;
    gboolean watch;
    gboolean delete;
    guint batch_end;  /* deleting: nodes [0, batch_end) still to delete */
} Walk;

static void walk_free(Walk *w)
{
    g_ptr_array_free(w->nodes, TRUE);
    g_free(w);
}

static void walk_destroy(gpointer p)
{
    walk_free(p);
}

static void walk_step(Walk *w);

static void walk_deleted(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    Walk *w = ud;
    if (r->err != ZK_ERR_OK || w->batch_end == 0) {
        walk_free(w);
        return;
    }
    walk_step(w);
}

static void walk_listed(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    Walk *w = ud;
    const char *parent = g_ptr_array_index(w->nodes, w->next);
    if (r->err == ZK_ERR_OK) {
        for (guint i = 0; i < r->children->len; i++) {
            const char *name = g_ptr_array_index(r->children, i);
            g_ptr_array_add(w->nodes, strcmp(parent, "/") == 0 ? g_strconcat("/", name, NULL)
                                                               : g_strconcat(parent, "/", name, NULL));
        }
    } else if (w->next == 0 || r->err != ZK_ERR_NO_NODE) {
        walk_free(w); /* the root is missing, or the client lost its server */
        return;
    }
    w->next++;
    if (w->next == w->nodes->len && w->delete)
        w->batch_end = w->nodes->len;
    walk_step(w);
}

static void walk_step(Walk *w)
{
    ZkClient *c = w->c;
    if (w->next < w->nodes->len) {
        ZkcOp *op = op_new(c, ZK_OP_GET_CHILDREN2, g_ptr_array_index(w->nodes, w->next), walk_listed, w);
        op->watch = op->pkt->watch = w->watch;
        op->ud_free = walk_destroy;
        submit(c, op);
        return;
    }
    if (!w->delete) {
        walk_free(w);
        return;
    }
    /* ZKUtil.deleteInBatch: deepest first, DELETE_BATCH per multi. */
    guint from = w->batch_end > DELETE_BATCH ? w->batch_end - DELETE_BATCH : 0;
    guint n = w->batch_end - from;
    ZkOpRequest *ops = g_new0(ZkOpRequest, n);
    for (guint i = 0; i < n; i++) {
        ops[i].type = ZK_OP_DELETE;
        ops[i].path = g_ptr_array_index(w->nodes, w->batch_end - 1 - i);
        ops[i].version = -1;
    }
    w->batch_end = from;
    ZkcOp *op = op_new(c, ZK_OP_MULTI, NULL, walk_deleted, w);
    op->pkt->req = zk_req_new_multi(0, op->xid, ops, n);
    op->ud_free = walk_destroy;
    g_free(ops);
    submit(c, op);
}

static void walk_start(ZkClient *c, const char *path, gboolean watch, gboolean delete)
{
    Walk *w = g_new0(Walk, 1);
    w->c = c;
    w->nodes = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(w->nodes, g_strdup(path));
    w->watch = watch;
    w->delete = delete;
    walk_step(w);
}

static GBytes *cli_bytes(const char *s)
{
    return s && *s ? g_bytes_new(s, strlen(s)) : NULL;
}

void zk_client_cli(ZkClient *c, const ZkCliCommand *cmd)
{
    switch (cmd->verb) {
    case ZK_CLI_CREATE: {
        ZkCreateMode mode = cmd->container   ? ZK_CREATE_CONTAINER
                            : cmd->ephemeral ? (cmd->sequential ? ZK_CREATE_EPHEMERAL_SEQUENTIAL : ZK_CREATE_EPHEMERAL)
                                             : (cmd->sequential ? ZK_CREATE_PERSISTENT_SEQUENTIAL : ZK_CREATE_PERSISTENT);
        g_autoptr(GBytes) data = cli_bytes(cmd->data);
        zk_client_create(c, cmd->path, data, mode, NULL, NULL);
        return;
    }
    case ZK_CLI_GET:
        zk_client_get_data(c, cmd->path, cmd->watch, NULL, NULL);
        return;
    case ZK_CLI_SET: {
        g_autoptr(GBytes) data = cli_bytes(cmd->data);
        zk_client_set_data(c, cmd->path, data, cmd->version, NULL, NULL);
        return;
    }
    case ZK_CLI_DELETE:
        zk_client_delete(c, cmd->path, cmd->version, NULL, NULL);
        return;
    case ZK_CLI_DELETEALL:
        walk_start(c, cmd->path, FALSE, TRUE);
        return;
    case ZK_CLI_LS:
        if (cmd->recursive)
            walk_start(c, cmd->path, cmd->watch, FALSE);
        else
            zk_client_get_children(c, cmd->path, cmd->watch, NULL, NULL);
        return;
    case ZK_CLI_STAT:
        zk_client_exists(c, cmd->path, cmd->watch, NULL, NULL);
        return;
    case ZK_CLI_SYNC:
        zk_client_sync(c, cmd->path, NULL, NULL);
        return;
    case ZK_CLI_ADD_WATCH:
        zk_client_add_watch(c, cmd->path,
                            cmd->mode == ZK_WATCHER_MODE_PERSISTENT ? ZK_WATCHER_MODE_PERSISTENT
                                                                     : ZK_WATCHER_MODE_PERSISTENT_RECURSIVE,
                            NULL, NULL);
        return;
    case ZK_CLI_REMOVE_WATCHES:
        zk_client_remove_watches(c, cmd->path, cmd->watcher, NULL, NULL);
        return;
    case ZK_CLI_CLOSE:
        zk_client_close(c, NULL, NULL);
        return;
    case ZK_CLI_CONNECT:
        zk_client_start(c);
        return;
    }
}

/* ---- queries ---------------------------------------------------------------- */

const char *zk_client_name(const ZkClient *c)
{
    return c->name;
}

int zk_client_node(const ZkClient *c)
{
    return c->node;
}

ZkClientState zk_client_state(const ZkClient *c)
{
    return c->state;
}

gboolean zk_client_is_connected(const ZkClient *c)
{
    return c->state == ZK_CLIENT_CONNECTED;
}

gboolean zk_client_was_started(const ZkClient *c)
{
    return c->started;
}

uint64_t zk_client_session(const ZkClient *c)
{
    return c->session;
}

int32_t zk_client_session_timeout_ms(const ZkClient *c)
{
    return c->timeout_ms;
}

int zk_client_server(const ZkClient *c)
{
    return c->phase == ZKC_OPEN ? c->server : 0;
}

uint64_t zk_client_last_zxid(const ZkClient *c)
{
    return c->last_zxid;
}

gboolean zk_client_saw(const ZkClient *c, ZkErr err)
{
    int bit = -(int)err;
    if (err == ZK_ERR_OK)
        return c->stats.ok > 0;
    return bit > 0 && bit < 256 && ((c->saw[bit / 64] >> (bit % 64)) & 1);
}

ZkErr zk_client_last_result(const ZkClient *c)
{
    return c->last_result;
}

guint zk_client_pending(const ZkClient *c)
{
    return sim_ring_len(&c->pending) + c->outgoing.length;
}

gboolean zk_client_last_value(const ZkClient *c, const char *path, GBytes **data)
{
    const Value *v = g_hash_table_lookup(c->values, path);
    if (data)
        *data = v ? v->data : NULL;
    return v && v->exists;
}

guint zk_client_event_count(const ZkClient *c)
{
    return c->events->len;
}

const ZkEventRecord *zk_client_event(const ZkClient *c, guint i)
{
    g_assert(i < c->events->len);
    return &g_array_index(c->events, ZkEventRecord, i);
}

guint zk_client_events_on(const ZkClient *c, ZkEventType type, const char *path)
{
    const guint *counts = g_hash_table_lookup(c->event_counts, path);
    if (!counts)
        return 0;
    if (type != ZK_EVENT_NONE)
        return counts[event_slot(type)];
    guint n = 0;
    for (guint i = 0; i < EVENT_SLOTS; i++)
        n += counts[i];
    return n;
}

const ZkClientStats *zk_client_stats(const ZkClient *c)
{
    return &c->stats;
}
