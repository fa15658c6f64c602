/* zk_config.h - an ensemble's configuration: members, timing, quorum, costs.
 *
 * Defaults are ZooKeeper 3.8's (conf/zoo_sample.cfg and the code's
 * constants); every field can be overridden per scenario.  Server ids
 * (`myid`, "sid") run from 1 to nservers; the last `nobservers` of them
 * are observers unless `observer[]` says otherwise.
 */
#ifndef ZK_CONFIG_H
#define ZK_CONFIG_H

#include "sim_rng.h"

#include <glib.h>
#include <stdint.h>

#define ZK_MAX_SERVERS 255

typedef enum {
    ZK_QUORUM_MAJORITY,     /* QuorumMaj */
    ZK_QUORUM_HIERARCHICAL, /* QuorumHierarchical: groups with weights */
} ZkQuorumKind;

typedef struct ZkConfig {
    int nservers;
    gboolean observer[ZK_MAX_SERVERS + 1]; /* by sid */

    SimTime tick;         /* tickTime, 2000 ms */
    int init_limit;       /* initLimit, 10 ticks */
    int sync_limit;       /* syncLimit, 5 ticks */
    SimTime finalize_wait; /* FastLeaderElection.finalizeWait, 200 ms */
    SimTime min_notification_interval; /* = finalizeWait */
    SimTime max_notification_interval; /* 60 s */
    SimTime cnx_timeout;  /* QuorumCnxManager cnxTO, 5 s */
    SimTime observer_election_delay; /* zookeeper.observer.election.DelayMs, 200 ms */
    SimTime leader_connect_delay;    /* Learner retry pause, 100 ms */
    int64_t snap_count;   /* snapCount, 100000 */
    int commit_log_count; /* commitLogCount, 500 */
    double snapshot_size_factor; /* zookeeper.snapshotSizeFactor, 0.33 */
    int max_batch_size;   /* zookeeper.maxBatchSize for the sync processor, 1000 */

    ZkQuorumKind quorum;
    int group[ZK_MAX_SERVERS + 1];      /* hierarchical: group id by sid, 0 = none */
    int64_t weight[ZK_MAX_SERVERS + 1]; /* hierarchical: weight by sid (default 1) */

    SimTime min_session_timeout; /* 0: 2 * tick */
    SimTime max_session_timeout; /* 0: 20 * tick */

    /* Costs: CPU per client request handled, per message received, per
     * message sent; bytes of a packet header. */
    SimTime cpu_request;
    SimTime cpu_message;
    SimTime cpu_send;
    uint32_t msg_header;

    /* Test hook (zookeeper.testingonly.initialZxid): the counter a new
     * epoch starts from, to replay the zxid rollover (ZOOKEEPER-1277). */
    uint32_t initial_zxid_counter;

    /* Derived by zk_config_index (the ensemble calls it on its copy): the
     * voters as a bitmap and their count, so that a majority check is a
     * popcount and not a pass over every server for every ack. */
    gboolean voters_indexed;
    uint64_t voter_bits[4];
    int n_voters;
} ZkConfig;

void zk_config_defaults(ZkConfig *cfg, int nservers);
gboolean zk_config_is_voter(const ZkConfig *cfg, int sid);
/* Fills the derived fields above; call again after changing voters. */
void zk_config_index(ZkConfig *cfg);
int zk_config_voters(const ZkConfig *cfg);
/* Checks consistency (at least one voter, a quorum possible...). */
gboolean zk_config_check(const ZkConfig *cfg, GError **err);

/* ---- quorum verifier ---- */

/* A set of server ids (1..255) as a bitmap. */
typedef struct ZkSidSet {
    uint64_t bits[4];
} ZkSidSet;

static inline void zk_sidset_add(ZkSidSet *s, int sid)
{
    s->bits[sid >> 6] |= (uint64_t)1 << (sid & 63);
}

static inline void zk_sidset_del(ZkSidSet *s, int sid)
{
    s->bits[sid >> 6] &= ~((uint64_t)1 << (sid & 63));
}

static inline gboolean zk_sidset_has(const ZkSidSet *s, int sid)
{
    return (s->bits[sid >> 6] >> (sid & 63)) & 1;
}

static inline void zk_sidset_clear(ZkSidSet *s)
{
    s->bits[0] = s->bits[1] = s->bits[2] = s->bits[3] = 0;
}

int zk_sidset_count(const ZkSidSet *s);

/* QuorumVerifier.containsQuorum: majority of voters (QuorumMaj: |set| >
 * voters/2), or for hierarchical quorums a majority of the groups each
 * holding more than half of its weight (QuorumHierarchical).  Non-voters
 * in the set never count. */
gboolean zk_quorum_contains(const ZkConfig *cfg, const ZkSidSet *set);
/* The weight of a sid: 0 for observers (FastLeaderElection uses it to
 * refuse non-voters as leaders). */
int64_t zk_quorum_weight(const ZkConfig *cfg, int sid);

#endif
