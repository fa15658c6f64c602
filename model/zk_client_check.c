/* zk_client_check.c - the client invariants (zk_client.h lists them),
 * checked as the run goes with the global knowledge a simulator has, and
 * the staleness figures of reads.
 *
 * Watch before data (ZOOKEEPER.md 4, guarantee 2) is checked on the
 * client side: when a server fires an event for a connection, the client
 * at the other end is told it is owed that event (zxid, type, path);
 * events arrive in firing order and pay the debt; a reply whose zxid is
 * at or past an event still owed proves the server let the reply
 * overtake the event.  A connection's debts die with it.
 */
#include "zk_client_int.h"
#include "sim_trace.h"

#include <inttypes.h>
#include <string.h>

void zkc_violation(ZkClients *cl, int node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cl->violations++;
    sim_fail(cl->sim, node, "%s", msg);
}

uint64_t zk_clients_violations(const ZkClients *cl)
{
    return cl->violations;
}

/* ---- 3. watch before data ---- */

static void owed_free(gpointer p)
{
    ZkcOwed *o = p;
    g_free(o->path);
    g_free(o);
}

void zkc_check_fired(ZkClients *cl, ZkServer *s, SimConnId conn, int peer, const ZkWatchEvent *ev)
{
    (void)s;
    if (peer < 0 || peer >= sim_node_count(cl->sim) || sim_node_kind(cl->sim, peer) != ZKC_NODE_KIND)
        return;
    ZkClient *c = sim_node_ctx(cl->sim, peer);
    if (!c || c->conn != conn || ev->zxid == ZK_ZXID_NONE)
        return; /* the client already left this connection */
    ZkcOwed *o = g_new(ZkcOwed, 1);
    o->zxid = ev->zxid;
    o->type = ev->type;
    o->path = g_strdup(ev->path);
    g_queue_push_tail(&c->owed, o);
}

void zkc_check_event_arrived(ZkClient *c, uint64_t zxid, ZkEventType type, const char *path)
{
    if (zxid == ZK_ZXID_NONE)
        return; /* from SetWatches: owed to nobody */
    for (GList *l = c->owed.head; l; l = l->next) {
        ZkcOwed *o = l->data;
        if (o->zxid == zxid && o->type == type && strcmp(o->path, path) == 0) {
            g_queue_delete_link(&c->owed, l);
            owed_free(o);
            return;
        }
    }
}

void zkc_check_conn_gone(ZkClient *c)
{
    g_queue_clear_full(&c->owed, owed_free);
}

/* ---- 2. never an older state; 3. at reply time ---- */

void zkc_check_reply_zxid(ZkClient *c, uint64_t zxid, int32_t xid)
{
    if (zxid < c->last_zxid)
        zkc_violation(c->cl, c->node,
                      "%s: session 0x%" PRIx64 " went back in time: reply %d carries zxid 0x%" PRIx64
                      " after it had seen 0x%" PRIx64,
                      c->name, c->session, xid, zxid, c->last_zxid);
    const ZkcOwed *o = g_queue_peek_head(&c->owed);
    if (o && o->zxid <= zxid)
        zkc_violation(c->cl, c->node,
                      "%s: reply %d with zxid 0x%" PRIx64 " arrived before the %s event for %s fired at 0x%" PRIx64
                      ": a watch event must reach the client before the data",
                      c->name, xid, zxid, zk_event_type_name(o->type), o->path, o->zxid);
}

/* ---- 5. a closed session owns nothing ---- */

void zkc_check_close_applied(ZkClients *cl, ZkServer *s, uint64_t session)
{
    g_autoptr(GPtrArray) left = zk_tree_ephemerals(s->tree, session);
    if (left->len)
        zkc_violation(cl, s->node,
                      "s%d applied closeSession 0x%" PRIx64 " but the session still owns %u node(s), e.g. %s", s->sid,
                      session, left->len, (const char *)g_ptr_array_index(left, 0));
}

/* ---- 6. locks ---- */

void zk_clients_lock_acquired(ZkClients *cl, const char *lock, ZkClient *c)
{
    ZkClient *holder = g_hash_table_lookup(cl->lock_holders, lock);
    if (holder && holder != c) {
        zkc_violation(cl, c->node, "lock %s: %s acquired it while %s holds it", lock, c->name, holder->name);
        return;
    }
    cl->lock_acquisitions++;
    g_hash_table_replace(cl->lock_holders, g_strdup(lock), c);
    SIM_TRACE(cl->sim, c->node, "LOCK_ACQUIRED", SF_STR("lock", lock));
}

void zk_clients_lock_released(ZkClients *cl, const char *lock, ZkClient *c)
{
    if (g_hash_table_lookup(cl->lock_holders, lock) != c)
        return;
    g_hash_table_remove(cl->lock_holders, lock);
    SIM_TRACE(cl->sim, c->node, "LOCK_RELEASED", SF_STR("lock", lock));
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void zkc_check_crashed(ZkClients *cl, ZkClient *c)
{
    /* Collected and sorted first: the table's order must not reach the
     * timeline. */
    g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, cl->lock_holders);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (v == c)
            g_ptr_array_add(held, g_strdup(k));
    g_ptr_array_sort(held, cmp_str);
    for (guint i = 0; i < held->len; i++) {
        g_hash_table_remove(cl->lock_holders, g_ptr_array_index(held, i));
        SIM_TRACE(cl->sim, c->node, "LOCK_RELEASED", SF_STR("lock", (const char *)g_ptr_array_index(held, i)),
                  SF_STR("why", "crash"));
    }
}

uint64_t zk_clients_lock_acquisitions(const ZkClients *cl)
{
    return cl->lock_acquisitions;
}

/* ---- staleness ---- */

/* Bucket of v: values below ZKC_HIST_SUB have their own; above, the
 * power of two and the next log2(ZKC_HIST_SUB) bits choose one. */
static guint hist_bucket(uint64_t v)
{
    if (v < ZKC_HIST_SUB)
        return (guint)v;
    int msb = 63 - __builtin_clzll(v); /* >= 5 */
    guint sub = (guint)(v >> (msb - 5)) & (ZKC_HIST_SUB - 1);
    return ZKC_HIST_SUB + (guint)(msb - 5) * ZKC_HIST_SUB + sub;
}

/* The smallest value of bucket b. */
static uint64_t hist_low(guint b)
{
    if (b < ZKC_HIST_SUB)
        return b;
    guint e = (b - ZKC_HIST_SUB) / ZKC_HIST_SUB, sub = (b - ZKC_HIST_SUB) % ZKC_HIST_SUB;
    return ((uint64_t)(ZKC_HIST_SUB + sub)) << e;
}

static void hist_add(ZkcHist *h, uint64_t v)
{
    h->count++;
    h->buckets[hist_bucket(v)]++;
    if (v > h->max)
        h->max = v;
}

/* Nearest-rank percentile: the low end of the bucket that holds it
 * (exact below ZKC_HIST_SUB), never above the maximum. */
static uint64_t hist_pct(const ZkcHist *h, guint pct)
{
    if (!h->count)
        return 0;
    uint64_t rank = (pct * h->count + 99) / 100, seen = 0;
    if (rank == 0)
        rank = 1;
    for (guint b = 0; b < ZKC_HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank)
            return MIN(hist_low(b), h->max);
    }
    return h->max;
}

void zkc_record_staleness(ZkClients *cl, uint64_t txns, SimTime ns)
{
    hist_add(&cl->stale_txns, txns);
    hist_add(&cl->stale_ns, (uint64_t)(ns > 0 ? ns : 0));
    if (txns)
        cl->stale_reads++;
}

void zk_clients_staleness(const ZkClients *cl, ZkStaleness *out)
{
    memset(out, 0, sizeof *out);
    out->count = cl->stale_txns.count;
    out->stale = cl->stale_reads;
    out->txns_p50 = hist_pct(&cl->stale_txns, 50);
    out->txns_p90 = hist_pct(&cl->stale_txns, 90);
    out->txns_p99 = hist_pct(&cl->stale_txns, 99);
    out->txns_max = cl->stale_txns.max;
    out->ns_p50 = (SimTime)hist_pct(&cl->stale_ns, 50);
    out->ns_p90 = (SimTime)hist_pct(&cl->stale_ns, 90);
    out->ns_p99 = (SimTime)hist_pct(&cl->stale_ns, 99);
    out->ns_max = (SimTime)cl->stale_ns.max;
}
