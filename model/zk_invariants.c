/* zk_invariants.c - ensemble-wide safety checks, run as the simulation
 * goes (ZOOKEEPER.md sections 5 and 8; the TLA+ specs' Leadership,
 * PrefixConsistency, TotalOrder and Integrity).  Each check is
 * incremental: it looks at one event, never rescans the ensemble.
 *
 *   1. at most one leader is established per epoch (Leadership2);
 *   2. every server applies the same txn at a given zxid (agreement),
 *      and holds the same tree after it: equal tree digests, the check
 *      ZooKeeper itself makes with TxnDigest (ZOOKEEPER-3114,
 *      DataTree.compareDigest), which catches a replica that kept a txn
 *      the others never applied (ZOOKEEPER-1154, ZOOKEEPER-2845);
 *   3. on every server, applied zxids strictly increase (total order);
 *   4. a txn committed by a quorum is never lost: every later leader has
 *      it when it establishes itself;
 *   5. a server acks a proposal only once its log write is durable.
 * A violation stops the run through sim_fail (seed, time, what).
 */
#include "zk_ensemble.h"

#include "sim_disk.h"
#include "sim_map.h"
#include "sim_pool.h"
#include "sim_ring.h"
#include "sim_trace.h"

#include <inttypes.h>

/* Committed zxids, as runs of consecutive zxids of one epoch: a leader
 * commits its epoch's counters 1, 2, 3, ... in order, so a whole run
 * costs 16 bytes however long it lasts. */
typedef struct {
    uint64_t lo, hi;
} Run;

/* How often (in applied txns) the floor below which nothing is kept is
 * recomputed: it costs one pass over the servers. */
#define FLOOR_EVERY 64

struct ZkInvariants {
    ZkEnsemble *ens;
    SimU64Map leader_of_epoch;   /* epoch -> sid */
    /* zxid -> TxnAt: the txn first applied at a zxid and the tree digest
     * after it.  Kept only while some started server has not yet applied
     * that far (see prune()), so memory follows the slowest server's lag,
     * not the run's length.  Lookup only. */
    SimU64Map txn_at;
    SimRing order;               /* TxnAt *, in insertion order: the pruning queue */
    GArray *committed;           /* Run, increasing */
    uint64_t n_committed;
    uint64_t last_applied[ZK_MAX_SERVERS + 1];
    uint64_t high_water[ZK_MAX_SERVERS + 1]; /* highest zxid ever applied, across resets */
    uint64_t floor;              /* min high_water over started servers, as last computed */
    unsigned since_floor;        /* applied calls since */
    uint64_t violations;
};

typedef struct {
    uint64_t zxid;
    ZkTxn *txn;
    uint64_t digest; /* the tree's digest after it, on the first server */
    int sid;         /* that server */
} TxnAt;

/* One per txn while any running server may still apply it: pooled. */
static SimPool txn_at_pool = SIM_POOL_INIT(TxnAt);

static void txn_at_free(gpointer p)
{
    TxnAt *t = p;
    zk_txn_unref(t->txn);
    sim_pool_free(&txn_at_pool, t);
}

ZkInvariants *zk_inv_new(ZkEnsemble *ens)
{
    ZkInvariants *inv = g_new0(ZkInvariants, 1);
    inv->ens = ens;
    sim_u64map_init(&inv->leader_of_epoch);
    sim_u64map_init(&inv->txn_at);
    sim_ring_init(&inv->order, sizeof(TxnAt *));
    inv->committed = g_array_new(FALSE, FALSE, sizeof(Run));
    return inv;
}

void zk_inv_free(ZkInvariants *inv)
{
    if (!inv)
        return;
    sim_u64map_clear(&inv->leader_of_epoch, NULL);
    sim_u64map_clear(&inv->txn_at, txn_at_free);
    sim_ring_clear(&inv->order);
    g_array_free(inv->committed, TRUE);
    g_free(inv);
}

#define VIOLATION(inv, node, ...)                                                                  \
    do {                                                                                           \
        (inv)->violations++;                                                                       \
        sim_fail((inv)->ens->sim, (node), __VA_ARGS__);                                            \
    } while (0)

/* Two txns are the same if they are one object, or agree on everything a
 * replica can observe (a SNAP copy never shares objects with a log). */
static gboolean same_txn(const ZkTxn *a, const ZkTxn *b)
{
    if (a == b)
        return TRUE;
    if (zk_txn_zxid(a) != zk_txn_zxid(b) || zk_txn_type(a) != zk_txn_type(b) ||
        zk_txn_session(a) != zk_txn_session(b) || zk_txn_cxid(a) != zk_txn_cxid(b) ||
        zk_txn_time(a) != zk_txn_time(b))
        return FALSE;
    g_autoptr(GString) da = g_string_new(NULL);
    g_autoptr(GString) db = g_string_new(NULL);
    zk_txn_describe(a, da);
    zk_txn_describe(b, db);
    return g_string_equal(da, db);
}

static gboolean has_committed(ZkInvariants *inv, ZkServer *s, int64_t below, GString *why);

void zk_inv_established(ZkInvariants *inv, ZkServer *s, int64_t epoch)
{
    gpointer prev = sim_u64map_get(&inv->leader_of_epoch, (uint64_t)epoch);
    if (prev && GPOINTER_TO_INT(prev) != s->sid) {
        VIOLATION(inv, s->node, "two leaders established in epoch %" PRId64 ": s%d and s%d", epoch,
                  GPOINTER_TO_INT(prev), s->sid);
        return;
    }
    sim_u64map_put(&inv->leader_of_epoch, (uint64_t)epoch, GINT_TO_POINTER(s->sid));
    /* The new leader must hold every txn committed in an earlier epoch.
     * Only earlier epochs: a leader that waited long for its NEWLEADER
     * acks (its voters paused, or their acks queued) may establish epoch
     * e after a quorum moved on and committed in epoch e + 1; it can
     * commit nothing then, and Zab asks nothing of it. */
    g_autoptr(GString) why = g_string_new(NULL);
    if (!has_committed(inv, s, epoch, why))
        VIOLATION(inv, s->node, "leader s%d of epoch %" PRId64 " lost a committed txn: %s", s->sid, epoch, why->str);
}

void zk_inv_committed(ZkInvariants *inv, ZkTxn *txn)
{
    uint64_t z = zk_txn_zxid(txn);
    TxnAt *at = sim_u64map_get(&inv->txn_at, z);
    uint64_t last = zk_inv_committed_max(inv);
    if (last >= z) {
        /* A deposed leader waking from a long pause may count the acks
         * that queued up meanwhile and commit a txn of its old epoch that
         * a quorum did ack: harmless when its successor's history holds
         * that very txn (servers of the new epoch applied it). */
        if ((z >> 32) < (last >> 32) && at && same_txn(at->txn, txn))
            return;
        VIOLATION(inv, SIM_NO_NODE, "commit of 0x%" PRIx64 " after 0x%" PRIx64, z, last);
        return;
    }
    Run *r = inv->committed->len ? &g_array_index(inv->committed, Run, inv->committed->len - 1) : NULL;
    if (r && r->hi + 1 == z && (z >> 32) == (r->hi >> 32)) {
        r->hi = z;
    } else {
        Run nr = { z, z };
        g_array_append_val(inv->committed, nr);
    }
    inv->n_committed++;
    if (at && !same_txn(at->txn, txn))
        VIOLATION(inv, SIM_NO_NODE, "committed 0x%" PRIx64 " differs from a txn already applied there", z);
}

/* Drops the TxnAt records below the floor: every running server has
 * applied past them.  A server that applies such a zxid later (a restart
 * replaying its own log, a re-sync after a crash or after losing an
 * unflushed tail) is not compared with the first server there, but a
 * divergence in its tree still shows at the first zxid past the floor,
 * since the digest covers the whole tree.  Servers that are down or were
 * never started do not hold the floor back, so a server that stays down
 * does not make memory grow with the run. */
static void prune(ZkInvariants *inv)
{
    if (++inv->since_floor >= FLOOR_EVERY) {
        inv->since_floor = 0;
        uint64_t floor = UINT64_MAX;
        for (int sid = 1; sid <= inv->ens->nservers; sid++) {
            ZkServer *s = inv->ens->servers[sid];
            if (s && s->started && sim_node_is_up(inv->ens->sim, s->node) && inv->high_water[sid] < floor)
                floor = inv->high_water[sid];
        }
        inv->floor = floor == UINT64_MAX ? 0 : floor;
    }
    TxnAt *at;
    while ((at = sim_ring_head_ptr(&inv->order))) {
        if (at->zxid >= inv->floor)
            break;
        sim_ring_pop(&inv->order);
        txn_at_free(sim_u64map_take(&inv->txn_at, at->zxid));
    }
}

void zk_inv_applied(ZkInvariants *inv, ZkServer *s, ZkTxn *txn)
{
    uint64_t z = zk_txn_zxid(txn);
    if (z <= inv->last_applied[s->sid]) {
        VIOLATION(inv, s->node, "s%d applied 0x%" PRIx64 " after 0x%" PRIx64, s->sid, z, inv->last_applied[s->sid]);
        return;
    }
    inv->last_applied[s->sid] = z;
    if (z > inv->high_water[s->sid])
        inv->high_water[s->sid] = z;
    TxnAt *at = sim_u64map_get(&inv->txn_at, z);
    uint64_t digest = zk_tree_digest(s->tree);
    if (!at) {
        at = SIM_POOL_NEW0(&txn_at_pool, TxnAt);
        at->zxid = z;
        at->txn = zk_txn_ref(txn);
        at->digest = digest;
        at->sid = s->sid;
        sim_u64map_put(&inv->txn_at, at->zxid, at);
        sim_ring_push_ptr(&inv->order, at);
        prune(inv);
        return;
    }
    if (same_txn(at->txn, txn) && at->digest != digest) {
        VIOLATION(inv, s->node,
                  "s%d's tree after 0x%" PRIx64 " differs from s%d's (digest 0x%016" PRIx64 " vs 0x%016" PRIx64
                  "): it holds a txn the other never applied, or lacks one",
                  s->sid, z, at->sid, digest, at->digest);
        return;
    }
    if (!same_txn(at->txn, txn)) {
        g_autoptr(GString) a = g_string_new(NULL);
        g_autoptr(GString) b = g_string_new(NULL);
        zk_txn_describe(at->txn, a);
        zk_txn_describe(txn, b);
        VIOLATION(inv, s->node, "s%d applied a different txn at 0x%" PRIx64 ": '%s' where another server applied '%s'",
                  s->sid, z, b->str, a->str);
    }
}

void zk_inv_tree_reset(ZkInvariants *inv, ZkServer *s, uint64_t zxid)
{
    inv->last_applied[s->sid] = zxid;
}

void zk_inv_ack(ZkInvariants *inv, ZkServer *s, uint64_t zxid)
{
    /* Zab: a follower accepts proposals of epoch e only once it has
     * acknowledged NEWLEADER(e), i.e. made e its currentEpoch (f.a).  An
     * ack from a server whose currentEpoch is older can commit a txn that
     * the server's own vote (ordered by currentEpoch first) then fails to
     * carry into the next election. */
    if ((int64_t)(zxid >> 32) > s->disk.current_epoch)
        VIOLATION(inv, s->node, "s%d acked 0x%" PRIx64 " of epoch %" PRIu64 " while its currentEpoch is %" PRId64,
                  s->sid, zxid, zxid >> 32, s->disk.current_epoch);
    gssize i = zk_server_log_find(s, zxid);
    if (i < 0)
        return; /* snapshot-covered or a NEWLEADER ack */
    const ZkLogEntry *e = &s->disk.log.data[i];
    if (e->write_no > sim_disk_durable(s->sim, s->node))
        VIOLATION(inv, s->node, "s%d acked 0x%" PRIx64 " before its log write was flushed", s->sid, zxid);
}

uint64_t zk_inv_violations(const ZkInvariants *inv)
{
    return inv->violations;
}

uint64_t zk_inv_committed_count(const ZkInvariants *inv)
{
    return inv->n_committed;
}

guint zk_inv_window(const ZkInvariants *inv)
{
    return sim_u64map_len(&inv->txn_at);
}

uint64_t zk_inv_committed_max(const ZkInvariants *inv)
{
    return inv->committed->len ? g_array_index(inv->committed, Run, inv->committed->len - 1).hi : 0;
}

/* Every committed txn of an epoch below `below` is on s. */
static gboolean has_committed(ZkInvariants *inv, ZkServer *s, int64_t below, GString *why)
{
    /* What s holds: its log and snapshot, and its tree unless the tree
     * only names the new epoch (a leader sets lastProcessedZxid to
     * (epoch, 0) as it starts serving: no txn of the past). */
    uint64_t last = zk_server_last_logged(s);
    uint64_t tree = zk_server_last_zxid(s);
    if ((int64_t)(tree >> 32) < below && tree > last)
        last = tree;
    const ZkLog *log = &s->disk.log;
    for (guint i = 0; i < inv->committed->len; i++) {
        const Run *r = &g_array_index(inv->committed, Run, i);
        if ((int64_t)(r->lo >> 32) >= below)
            break; /* committed is increasing */
        if (r->hi > last) {
            uint64_t z = r->lo > last ? r->lo : last + 1;
            g_string_printf(why, "s%d is at 0x%" PRIx64 " but 0x%" PRIx64 " was committed", s->sid, last, z);
            return FALSE;
        }
        /* The log entries in the run past the snapshot must be the txns
         * committed there (a missing one came in a SNAP: the tree then
         * has everything up to its zxid). */
        uint64_t from = r->lo > s->disk.snap_zxid ? r->lo : s->disk.snap_zxid + 1;
        guint lo = 0, hi = log->len;
        while (lo < hi) {
            guint mid = lo + (hi - lo) / 2;
            if (g_array_index(log, ZkLogEntry, mid).zxid < from)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (guint k = lo; k < log->len; k++) {
            const ZkLogEntry *e = &g_array_index(log, ZkLogEntry, k);
            if (e->zxid > r->hi)
                break;
            TxnAt *t = sim_u64map_get(&inv->txn_at, e->zxid);
            if (t && !same_txn(t->txn, e->txn)) {
                g_string_printf(why, "s%d's log holds a different txn at committed 0x%" PRIx64, s->sid, e->zxid);
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean zk_inv_server_has_committed(ZkInvariants *inv, ZkServer *s, GString *why)
{
    return has_committed(inv, s, INT64_MAX, why);
}
