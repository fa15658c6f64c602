/* zk_session.h - the leader's session tracker (SessionTrackerImpl with
 * its ExpiryQueue).
 *
 * The leader's tracker is authoritative.  Deadlines live in buckets of
 * tickTime: a touch moves a session to the bucket of
 * roundToNextInterval(now + timeout), i.e. rounded *up* to the next
 * multiple of tickTime, and the tracker wakes at each bucket's time to
 * expire what is in it (ExpiryQueue.roundToNextInterval, SessionTrackerImpl.run).
 * Expiring marks the session closing and submits a closeSession request,
 * which Zab commits and whose application deletes the session's
 * ephemerals on every server.  Followers collect touches from their
 * clients and ship them in every PING reply.
 *
 * Sessions become known to a tracker when the leader preps their
 * createSession (trackSession), and a new leader loads every session of
 * its replicated tree, each with a fresh deadline (createSessionTracker).
 *
 * Owners (`SessionTrackerImpl.setOwner` / `checkSession`): each session
 * records the server its client is attached to (a sid; 0 = not known
 * yet, as after a leader change).  createSession and a successful
 * REVALIDATE set it; a request from any other server fails with
 * SessionMoved, the first request after a leader change claims it.
 */
#ifndef ZK_SESSION_H
#define ZK_SESSION_H

#include "zk_server.h"

typedef struct ZkSessionTracker ZkSessionTracker;

ZkSessionTracker *zk_session_tracker_new(ZkServer *leader);
void zk_session_tracker_free(ZkSessionTracker *t);
/* The leader starts serving: load the tree's sessions. */
void zk_session_tracker_start(ZkSessionTracker *t, ZkServer *leader);
/* A touch (client activity here, or shipped in a learner's PING). */
void zk_session_tracker_touch(ZkSessionTracker *t, ZkServer *leader, uint64_t session, int32_t timeout_ms);
/* Sets req->session_err as SessionTrackerImpl.checkSession would for a
 * request forwarded by server `owner` (closeSession skips the owner
 * check, as PrepRequestProcessor does). */
void zk_session_tracker_check(ZkSessionTracker *t, ZkRequest *req, int owner);
/* `SessionTrackerImpl.setOwner`: no effect on an unknown session. */
void zk_session_tracker_set_owner(ZkSessionTracker *t, uint64_t session, int owner);
int zk_session_tracker_owner(const ZkSessionTracker *t, uint64_t session); /* 0 if none */
/* The leader prepped a txn / applied it (createSession starts tracking,
 * closeSession stops). */
void zk_session_tracker_prepped(ZkSessionTracker *t, ZkServer *leader, const ZkTxn *txn);
void zk_session_tracker_applied(ZkSessionTracker *t, ZkServer *leader, const ZkTxn *txn);
/* REVALIDATE: is the session alive (then it is touched)? */
gboolean zk_session_tracker_valid(ZkSessionTracker *t, uint64_t session, int32_t timeout_ms);
/* Called at every leader tick: nothing to do (the tracker has its own
 * timer), kept for symmetry with ZooKeeper's tick. */
void zk_session_tracker_tick(ZkSessionTracker *t, ZkServer *leader);
size_t zk_session_tracker_count(const ZkSessionTracker *t);

#endif
