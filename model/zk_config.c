/* zk_config.c - configuration defaults and the quorum verifier. */
#include "zk_config.h"

#include "zk_error.h"

G_DEFINE_QUARK(zk-error-quark, zk_error)

void zk_config_defaults(ZkConfig *cfg, int nservers)
{
    memset(cfg, 0, sizeof *cfg);
    g_assert(nservers >= 1 && nservers <= ZK_MAX_SERVERS);
    cfg->nservers = nservers;
    cfg->tick = 2000 * SIM_MS;
    cfg->init_limit = 10;
    cfg->sync_limit = 5;
    cfg->finalize_wait = 200 * SIM_MS;
    cfg->min_notification_interval = 200 * SIM_MS;
    cfg->max_notification_interval = 60 * SIM_S;
    cfg->cnx_timeout = 5 * SIM_S;
    cfg->observer_election_delay = 200 * SIM_MS;
    cfg->leader_connect_delay = 100 * SIM_MS;
    cfg->snap_count = 100000;
    cfg->commit_log_count = 500;
    cfg->snapshot_size_factor = 0.33;
    cfg->max_batch_size = 1000;
    cfg->quorum = ZK_QUORUM_MAJORITY;
    for (int i = 0; i <= ZK_MAX_SERVERS; i++)
        cfg->weight[i] = 1;
    cfg->msg_header = 40;
}

gboolean zk_config_is_voter(const ZkConfig *cfg, int sid)
{
    return sid >= 1 && sid <= cfg->nservers && !cfg->observer[sid] && zk_quorum_weight(cfg, sid) > 0;
}

void zk_config_index(ZkConfig *cfg)
{
    memset(cfg->voter_bits, 0, sizeof cfg->voter_bits);
    cfg->n_voters = 0;
    for (int sid = 1; sid <= cfg->nservers; sid++)
        if (zk_config_is_voter(cfg, sid)) {
            cfg->voter_bits[sid >> 6] |= (uint64_t)1 << (sid & 63);
            cfg->n_voters++;
        }
    cfg->voters_indexed = TRUE;
}

int zk_config_voters(const ZkConfig *cfg)
{
    int n = 0;
    for (int sid = 1; sid <= cfg->nservers; sid++)
        n += zk_config_is_voter(cfg, sid);
    return n;
}

/* Set bits in x.  Written out (SWAR) because without -mpopcnt, which a
 * portable x86-64 build cannot assume, __builtin_popcountll is a library
 * call, and this runs for every ACK the leader counts. */
static inline int bit_count(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}

int zk_sidset_count(const ZkSidSet *s)
{
    return bit_count(s->bits[0]) + bit_count(s->bits[1]) + bit_count(s->bits[2]) + bit_count(s->bits[3]);
}

int64_t zk_quorum_weight(const ZkConfig *cfg, int sid)
{
    if (sid < 1 || sid > cfg->nservers || cfg->observer[sid])
        return 0;
    if (cfg->quorum == ZK_QUORUM_HIERARCHICAL)
        return cfg->group[sid] ? cfg->weight[sid] : 0;
    return 1;
}

gboolean zk_quorum_contains(const ZkConfig *cfg, const ZkSidSet *set)
{
    if (cfg->quorum == ZK_QUORUM_MAJORITY && cfg->voters_indexed) {
        int have = 0;
        for (int w = 0; w < 4; w++)
            if (cfg->voter_bits[w])
                have += bit_count(set->bits[w] & cfg->voter_bits[w]);
        return have > cfg->n_voters / 2;
    }
    if (cfg->quorum == ZK_QUORUM_MAJORITY) {
        int have = 0, voters = 0;
        for (int sid = 1; sid <= cfg->nservers; sid++) {
            if (!zk_config_is_voter(cfg, sid))
                continue;
            voters++;
            have += zk_sidset_has(set, sid);
        }
        return have > voters / 2;
    }
    /* QuorumHierarchical.containsQuorum: count the groups in which the
     * set's weight exceeds half the group's total; a quorum is a majority
     * of the groups that have any weight. */
    int64_t total[ZK_MAX_SERVERS + 1] = { 0 }, got[ZK_MAX_SERVERS + 1] = { 0 };
    for (int sid = 1; sid <= cfg->nservers; sid++) {
        int g = cfg->group[sid];
        if (!g || cfg->observer[sid])
            continue;
        total[g] += cfg->weight[sid];
        if (zk_sidset_has(set, sid))
            got[g] += cfg->weight[sid];
    }
    int groups = 0, won = 0;
    for (int g = 1; g <= ZK_MAX_SERVERS; g++) {
        if (total[g] == 0)
            continue;
        groups++;
        if (got[g] * 2 > total[g])
            won++;
    }
    return groups > 0 && won > groups / 2;
}

gboolean zk_config_check(const ZkConfig *cfg, GError **err)
{
    if (zk_config_voters(cfg) == 0) {
        g_set_error(err, ZK_ERROR, 1, "no voting member: every server is an observer or has weight 0");
        return FALSE;
    }
    if (cfg->sync_limit < 1 || cfg->init_limit < 1 || cfg->tick <= 0) {
        g_set_error(err, ZK_ERROR, 1, "tickTime, initLimit and syncLimit must be positive");
        return FALSE;
    }
    ZkSidSet all = { { 0 } };
    for (int sid = 1; sid <= cfg->nservers; sid++)
        zk_sidset_add(&all, sid);
    if (!zk_quorum_contains(cfg, &all)) {
        g_set_error(err, ZK_ERROR, 1, "no quorum is possible even with every server (check quorum groups and weights)");
        return FALSE;
    }
    return TRUE;
}
