/* zk_ensemble.c - servers in one Sim, elections and commits on record. */
#include "zk_ensemble.h"

#include "zk_bugs.h"
#include "sim_net.h"
#include "sim_trace.h"

#include <string.h>

const SimNodeOps *zk_server_node_ops(void);


ZkEnsemble *zk_ensemble_new(Sim *sim, const ZkConfig *cfg)
{
    ZkEnsemble *ens = g_new0(ZkEnsemble, 1);
    ens->sim = sim;
    ens->cfg = *cfg;
    zk_config_index(&ens->cfg);
    ens->nservers = cfg->nservers;
    ens->elections = g_array_new(FALSE, FALSE, sizeof(ZkElection));
    ens->ring_zxid = g_new0(uint64_t, ZK_COMMIT_RING);
    ens->ring_time = g_new0(SimTime, ZK_COMMIT_RING);
    ens->electing = TRUE;
    ens->election_start = -1;
    ens->inv = zk_inv_new(ens);
    sim_set_payload_free(sim, zk_msg_free);
    sim_net_set_type_names(sim, zk_msg_names(), ZK_MSG_TYPE_MAX);
    for (int sid = 1; sid <= cfg->nservers; sid++) {
        char name[16];
        g_snprintf(name, sizeof name, "s%d", sid);
        ZkServer *s = zk_server_new(ens, sid, sid - 1);
        int node = sim_node_add(sim, name, 0, zk_server_node_ops(), s);
        g_assert(node == sid - 1);
        ens->servers[sid] = s;
        /* Not started yet: a server is down until the scenario starts it. */
        sim_node_set_stopped(sim, node);
    }
    return ens;
}

void zk_ensemble_free(ZkEnsemble *ens)
{
    if (!ens)
        return;
    for (int sid = 1; sid <= ens->nservers; sid++) {
        ZkServer *s = ens->servers[sid];
        if (s->leader)
            zk_leader_stop(s, "end");
        if (s->learner)
            zk_learner_stop(s, "end");
        zk_server_free(s);
    }
    zk_inv_free(ens->inv);
    g_array_free(ens->elections, TRUE);
    g_free(ens->ring_zxid);
    g_free(ens->ring_time);
    g_free(ens);
}

ZkServer *zk_ensemble_server(ZkEnsemble *ens, int sid)
{
    g_assert(sid >= 1 && sid <= ens->nservers);
    return ens->servers[sid];
}

int zk_ensemble_leader(const ZkEnsemble *ens)
{
    return ens->leader_sid;
}

void zk_ensemble_start(ZkEnsemble *ens, int sid)
{
    ZkServer *s = zk_ensemble_server(ens, sid);
    if (s->started) {
        zk_ensemble_restart(ens, sid);
        return;
    }
    if (ens->election_start < 0)
        ens->election_start = sim_now(ens->sim);
    sim_node_restart(ens->sim, s->node); /* up, without the restart hook's boot */
    zk_server_start(s);
}

void zk_ensemble_crash(ZkEnsemble *ens, int sid)
{
    sim_node_crash(ens->sim, zk_ensemble_server(ens, sid)->node);
}

void zk_ensemble_restart(ZkEnsemble *ens, int sid)
{
    ZkServer *s = zk_ensemble_server(ens, sid);
    if (!s->started) {
        zk_ensemble_start(ens, sid);
        return;
    }
    sim_node_restart(ens->sim, s->node);
}

void zk_ensemble_leader_established(ZkEnsemble *ens, ZkServer *s, int64_t epoch, const ZkSidSet *quorum)
{
    zk_inv_established(ens->inv, s, epoch);
    /* The election, as the quorum that made this leader lived it: from
     * the first of them going LOOKING to now. */
    SimTime start = sim_now(ens->sim);
    for (int sid = 1; sid <= ens->nservers; sid++)
        if (zk_sidset_has(quorum, sid) && ens->servers[sid]->looking_since < start)
            start = ens->servers[sid]->looking_since;
    ZkElection e = {
        .leader = s->sid,
        .epoch = epoch,
        .start = start,
        .end = sim_now(ens->sim),
        .notifications = ens->notifications - ens->notif_at_start,
    };
    g_array_append_val(ens->elections, e);
    ens->notif_at_start = ens->notifications;
    ens->electing = FALSE;
    ens->leader_sid = s->sid;
    ens->leader_epoch = epoch;
    SIM_TRACE(ens->sim, s->node, "ELECTION_DONE", SF_INT("leader", s->sid), SF_INT("epoch", epoch),
              SF_TIME("took", e.end - e.start), SF_UINT("notifications", e.notifications));
}

void zk_ensemble_leader_lost(ZkEnsemble *ens, ZkServer *s)
{
    if (ens->leader_sid == s->sid) {
        ens->leader_sid = 0;
        ens->electing = TRUE;
    }
}

void zk_ensemble_committed(ZkEnsemble *ens, ZkServer *leader, ZkTxn *txn)
{
    (void)leader;
    ens->commits++;
    ens->last_committed_zxid = zk_txn_zxid(txn);
    size_t at = (size_t)((ens->commits - 1) % ZK_COMMIT_RING);
    ens->ring_zxid[at] = ens->last_committed_zxid;
    ens->ring_time[at] = sim_now(ens->sim);
    zk_inv_committed(ens->inv, txn);
}

void zk_ensemble_commit_lag(const ZkEnsemble *ens, uint64_t zxid, SimTime now, uint64_t *txns, SimTime *ns)
{
    *txns = 0;
    *ns = 0;
    uint64_t n = ens->commits;
    if (n == 0 || zxid >= ens->last_committed_zxid)
        return;
    /* Binary search over commit numbers [lo, n] for the first commit
     * past zxid (ring zxids increase with the commit number). */
    uint64_t lo = n > ZK_COMMIT_RING ? n - ZK_COMMIT_RING + 1 : 1, hi = n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ens->ring_zxid[(mid - 1) % ZK_COMMIT_RING] > zxid)
            hi = mid;
        else
            lo = mid + 1;
    }
    *txns = n - lo + 1;
    SimTime t = ens->ring_time[(lo - 1) % ZK_COMMIT_RING];
    *ns = now > t ? now - t : 0;
}

void zk_ensemble_notification_sent(ZkEnsemble *ens)
{
    ens->notifications++;
}

void zk_ensemble_sync_chosen(ZkEnsemble *ens, int sid, ZkSyncMode mode)
{
    ens->last_sync[sid] = mode;
}

ZkSyncMode zk_ensemble_last_sync(const ZkEnsemble *ens, int sid)
{
    return ens->last_sync[sid];
}

void zk_ensemble_revalidated(ZkEnsemble *ens, ZkServer *s, uint64_t session, gboolean valid)
{
    if (ens->on_revalidated)
        ens->on_revalidated(s, session, valid, ens->hook_ctx);
}

const ZkElection *zk_ensemble_last_election(const ZkEnsemble *ens)
{
    if (!ens->elections->len)
        return NULL;
    return &g_array_index(ens->elections, ZkElection, ens->elections->len - 1);
}

const char *zk_bug_name(ZkBug b)
{
    switch (b) {
#define ZK_X(id, name, doc)                                                                        \
    case ZK_BUG_##id:                                                                              \
        return name;
        ZK_BUG_LIST(ZK_X)
#undef ZK_X
    case ZK_BUG_COUNT:
        break;
    }
    return "?";
}

const char *zk_bug_doc(ZkBug b)
{
    switch (b) {
#define ZK_X(id, name, doc)                                                                        \
    case ZK_BUG_##id:                                                                              \
        return doc;
        ZK_BUG_LIST(ZK_X)
#undef ZK_X
    case ZK_BUG_COUNT:
        break;
    }
    return "?";
}

int zk_bug_parse(const char *name)
{
    for (int b = 0; b < ZK_BUG_COUNT; b++)
        if (strcmp(zk_bug_name((ZkBug)b), name) == 0)
            return b;
    return -1;
}
