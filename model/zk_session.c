/* zk_session.c - expiry buckets and session checks at the leader. */
#include "zk_session.h"

#include "zk_ensemble.h"
#include "sim_map.h"
#include "sim_trace.h"

typedef struct {
    uint64_t id;
    int32_t timeout_ms;
    SimTime expiry; /* bucket time on the leader's clock */
    gboolean closing;
    int owner; /* sid of the server the client is on; 0 = unknown */
} Sess;

struct ZkSessionTracker {
    SimU64Map by_id; /* id -> Sess* (owned) */
    GTree *buckets;    /* expiry time -> GPtrArray of ids, in time order */
    SimEventId timer;
    SimTime timer_at;
    ZkServer *leader;
};

void zk_leader_expire(ZkServer *s, uint64_t session);

static gint time_cmp(gconstpointer a, gconstpointer b, gpointer user)
{
    (void)user;
    SimTime x = *(const SimTime *)a, y = *(const SimTime *)b;
    return x < y ? -1 : x > y;
}

static void ids_free(gpointer p)
{
    g_array_free(p, TRUE);
}

ZkSessionTracker *zk_session_tracker_new(ZkServer *leader)
{
    ZkSessionTracker *t = g_new0(ZkSessionTracker, 1);
    sim_u64map_init(&t->by_id);
    t->buckets = g_tree_new_full(time_cmp, NULL, g_free, ids_free);
    t->leader = leader;
    return t;
}

void zk_session_tracker_free(ZkSessionTracker *t)
{
    if (!t)
        return;
    if (t->leader)
        sim_cancel_clear(t->leader->sim, &t->timer);
    sim_u64map_clear(&t->by_id, g_free);
    g_tree_destroy(t->buckets);
    g_free(t);
}

static SimTime round_up(SimTime t, SimTime interval)
{
    return (t / interval + 1) * interval;
}

static void bucket_remove(ZkSessionTracker *t, Sess *s)
{
    GArray *ids = g_tree_lookup(t->buckets, &s->expiry);
    if (!ids)
        return;
    for (guint i = 0; i < ids->len; i++)
        if (g_array_index(ids, uint64_t, i) == s->id) {
            g_array_remove_index(ids, i);
            break;
        }
    if (ids->len == 0)
        g_tree_remove(t->buckets, &s->expiry);
}

static void bucket_add(ZkSessionTracker *t, Sess *s)
{
    GArray *ids = g_tree_lookup(t->buckets, &s->expiry);
    if (!ids) {
        ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        SimTime *k = g_new(SimTime, 1);
        *k = s->expiry;
        g_tree_insert(t->buckets, k, ids);
    }
    g_array_append_val(ids, s->id);
}

static void wake(Sim *sim, void *ctx, void *data);

static void arm(ZkSessionTracker *t)
{
    ZkServer *L = t->leader;
    if (!L || !L->serving)
        return;
    GTreeNode *first = g_tree_node_first(t->buckets);
    if (!first) {
        sim_cancel_clear(L->sim, &t->timer);
        return;
    }
    SimTime at = *(const SimTime *)g_tree_node_key(first);
    if (sim_pending(L->sim, t->timer) && t->timer_at == at)
        return;
    sim_cancel_clear(L->sim, &t->timer);
    SimTime now = sim_node_now(L->sim, L->node);
    t->timer_at = at;
    t->timer = sim_node_timer(L->sim, L->node, at > now ? at - now : 0, wake, t, NULL);
}

static void wake(Sim *sim, void *ctx, void *data)
{
    (void)data;
    ZkSessionTracker *t = ctx;
    ZkServer *L = t->leader;
    t->timer = SIM_EVENT_NONE;
    SimTime now = sim_node_now(sim, L->node);
    GTreeNode *first;
    while ((first = g_tree_node_first(t->buckets)) && *(const SimTime *)g_tree_node_key(first) <= now) {
        GArray *ids = g_array_copy(g_tree_node_value(first));
        g_tree_remove(t->buckets, g_tree_node_key(first));
        for (guint i = 0; i < ids->len; i++) {
            uint64_t id = g_array_index(ids, uint64_t, i);
            Sess *s = sim_u64map_get(&t->by_id, id);
            if (!s || s->closing)
                continue;
            s->closing = TRUE;
            s->expiry = 0;
            SIM_TRACE(sim, L->node, "SESSION_EXPIRE", SF_HEX("session", id), SF_INT("timeout_ms", s->timeout_ms));
            zk_leader_expire(L, id);
            if (!zk_leader_is_established(L)) {
                /* The leader gave up meanwhile (zxid rollover): this
                 * tracker is gone with it. */
                g_array_free(ids, TRUE);
                return;
            }
        }
        g_array_free(ids, TRUE);
    }
    arm(t);
}

static Sess *track(ZkSessionTracker *t, uint64_t id, int32_t timeout_ms)
{
    Sess *s = sim_u64map_get(&t->by_id, id);
    if (!s) {
        s = g_new0(Sess, 1);
        s->id = id;
        s->timeout_ms = timeout_ms;
        sim_u64map_put(&t->by_id, s->id, s);
    }
    return s;
}

void zk_session_tracker_touch(ZkSessionTracker *t, ZkServer *leader, uint64_t session, int32_t timeout_ms)
{
    Sess *s = sim_u64map_get(&t->by_id, session);
    if (!s || s->closing)
        return;
    if (timeout_ms > 0)
        s->timeout_ms = timeout_ms;
    SimTime now = sim_node_now(leader->sim, leader->node);
    SimTime exp = round_up(now + (SimTime)s->timeout_ms * SIM_MS, leader->cfg->tick);
    if (exp <= s->expiry)
        return;
    if (s->expiry)
        bucket_remove(t, s);
    s->expiry = exp;
    bucket_add(t, s);
    arm(t);
}

void zk_session_tracker_start(ZkSessionTracker *t, ZkServer *leader)
{
    t->leader = leader;
    GArray *ids = zk_tree_sessions(leader->tree);
    for (guint i = 0; i < ids->len; i++) {
        uint64_t id = g_array_index(ids, uint64_t, i);
        Sess *s = track(t, id, zk_tree_session_timeout_ms(leader->tree, id));
        zk_session_tracker_touch(t, leader, id, s->timeout_ms);
    }
    g_array_free(ids, TRUE);
    arm(t);
}

void zk_session_tracker_check(ZkSessionTracker *t, ZkRequest *req, int owner)
{
    if (req->type == ZK_OP_CREATE_SESSION || req->session == 0) {
        req->session_err = ZK_ERR_OK;
        return;
    }
    Sess *s = sim_u64map_get(&t->by_id, req->session);
    if (!s || (s->closing && req->type != ZK_OP_CLOSE_SESSION)) {
        req->session_err = ZK_ERR_SESSION_EXPIRED;
        return;
    }
    req->session_err = ZK_ERR_OK;
    if (req->type == ZK_OP_CLOSE_SESSION || owner == 0)
        return;
    if (s->owner == 0)
        s->owner = owner;
    else if (s->owner != owner)
        req->session_err = ZK_ERR_SESSION_MOVED;
}

void zk_session_tracker_set_owner(ZkSessionTracker *t, uint64_t session, int owner)
{
    Sess *s = sim_u64map_get(&t->by_id, session);
    if (s && !s->closing)
        s->owner = owner;
}

int zk_session_tracker_owner(const ZkSessionTracker *t, uint64_t session)
{
    const Sess *s = sim_u64map_get(&t->by_id, session);
    return s ? s->owner : 0;
}

void zk_session_tracker_prepped(ZkSessionTracker *t, ZkServer *leader, const ZkTxn *txn)
{
    if (zk_txn_type(txn) == ZK_OP_CREATE_SESSION) {
        uint64_t id = zk_txn_session(txn);
        track(t, id, zk_txn_session_timeout_ms(txn));
        zk_session_tracker_touch(t, leader, id, zk_txn_session_timeout_ms(txn));
    } else if (zk_txn_type(txn) == ZK_OP_CLOSE_SESSION) {
        uint64_t id = zk_txn_session(txn);
        Sess *s = sim_u64map_get(&t->by_id, id);
        if (s) {
            if (s->expiry)
                bucket_remove(t, s);
            s->expiry = 0;
            s->closing = TRUE;
        }
    }
}

void zk_session_tracker_applied(ZkSessionTracker *t, ZkServer *leader, const ZkTxn *txn)
{
    (void)leader;
    if (zk_txn_type(txn) == ZK_OP_CLOSE_SESSION) {
        uint64_t id = zk_txn_session(txn);
        Sess *s = sim_u64map_get(&t->by_id, id);
        if (s) {
            if (s->expiry)
                bucket_remove(t, s);
            g_free(sim_u64map_take(&t->by_id, id));
        }
        arm(t);
    }
}

gboolean zk_session_tracker_valid(ZkSessionTracker *t, uint64_t session, int32_t timeout_ms)
{
    Sess *s = sim_u64map_get(&t->by_id, session);
    if (!s || s->closing)
        return FALSE;
    zk_session_tracker_touch(t, t->leader, session, timeout_ms);
    return TRUE;
}

void zk_session_tracker_tick(ZkSessionTracker *t, ZkServer *leader)
{
    (void)t;
    (void)leader;
}

size_t zk_session_tracker_count(const ZkSessionTracker *t)
{
    return sim_u64map_len(&t->by_id);
}
