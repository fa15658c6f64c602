/* zk_bugs.h - planted bugs: known classes of mistakes re-introduced on
 * purpose (`--bug NAME`) to measure how strong zksim's checking is.
 * Without any, the model is the faithful one. */
#ifndef ZK_BUGS_H
#define ZK_BUGS_H

#include "zk_ensemble.h"

#define ZK_BUG_LIST(X)                                                                             \
    X(COMMIT_NO_QUORUM, "commit-no-quorum", "the leader commits on its own ack, without a quorum")  \
    X(ACK_BEFORE_FLUSH, "ack-before-flush", "followers ack a proposal before their log write is flushed") \
    X(VOTE_NO_EPOCH, "vote-no-epoch", "votes compared without the epoch (ZOOKEEPER-1419)")          \
    X(SKIP_TRUNC, "skip-trunc", "the leader sends DIFF where it should TRUNC (ZOOKEEPER-1154)")     \
    X(NO_FAST_FORWARD, "no-fast-forward", "a role change keeps the tree without replaying the log (ZOOKEEPER-2845)") \
    X(WATCH_AFTER_REPLY, "watch-after-reply", "the server sends a watch event after the reply that follows it") \
    X(KEEP_EPHEMERALS, "keep-ephemerals", "an expired session's ephemeral nodes are not deleted")

typedef enum {
#define ZK_X(id, name, doc) ZK_BUG_##id,
    ZK_BUG_LIST(ZK_X)
#undef ZK_X
        ZK_BUG_COUNT
} ZkBug;

static inline gboolean zk_bug(const ZkEnsemble *ens, ZkBug b)
{
    return (ens->bugs >> b) & 1u;
}

const char *zk_bug_name(ZkBug b);
const char *zk_bug_doc(ZkBug b);
/* The bug named `name`, or -1. */
int zk_bug_parse(const char *name);

#endif
