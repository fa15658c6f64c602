/* zk_tree.h - the replicated data tree, and the leader's prep step that
 * turns client requests into the transactions the tree applies.
 *
 * Two layers, as in ZooKeeper:
 *
 *   ZkPrep  (`PrepRequestProcessor`, leader only).  Validates a write
 *           request against the leader's tree plus the changes already
 *           proposed but not yet applied (`outstandingChanges`, one
 *           ChangeRecord per touched path), so pipelined requests see
 *           each other: create /a then create /a/b succeeds before /a
 *           commits, a second create /a fails with NodeExists.  Every
 *           request becomes exactly one ZkTxn and consumes its zxid; a
 *           failed one becomes an error txn.
 *
 *   ZkTree  (`DataTree` + `ZKDatabase.sessionsWithTimeouts`, one per
 *           server).  zk_tree_apply applies a committed txn
 *           deterministically: every server applying the same sequence
 *           ends with an identical tree (and digest).  Reads may register
 *           watches in the server's own ZkWatchManager.
 *
 * How a write flows:
 *
 *     leader:  zk_prep_request(prep, leader_tree, &req, zxid, now, &txn)
 *              -> PROPOSAL carries txn (zk_txn_ref per holder, zk_txn_size
 *                 for the message size)
 *     every server, in zxid order, on COMMIT:
 *              zk_tree_apply(tree, txn, my_watches, &res, fired)
 *              -> res: the reply to the client (if it is connected here)
 *              -> fired: the watch events to send on this server
 *     leader, after its own apply:  zk_prep_applied(prep, zxid)
 *     leader change:                zk_prep_reset(prep)
 *
 * A ZkTxn is immutable once prep returns it and refcounted: the leader's
 * log, every PROPOSAL and every follower's queue can share one object.
 *
 * Validation (ZOOKEEPER.md 3.3; `PrepRequestProcessor.pRequest2Txn*`).
 * zksim first runs the checks the ZooKeeper client makes before sending
 * (`PathUtils.validatePath`, `EphemeralType.validateTTL`) and the data
 * limit, then the server's checks in ZooKeeper's order:
 *   create:  bad path (sequential: a trailing "/" is allowed) or TTL/mode
 *            mismatch -> BadArguments; data > 1,048,575 bytes ->
 *            BadArguments; TTL mode without extended types ->
 *            Unimplemented; session check; parent missing -> NoNode;
 *            parent lacks CREATE perm -> NoAuth; sequential suffix =
 *            parent cversion "%010d"; node exists -> NodeExists; parent
 *            ephemeral -> NoChildrenForEphemerals.
 *   delete:  bad path -> BadArguments; "/", "/zookeeper",
 *            "/zookeeper/quota", "/zookeeper/config" -> BadArguments
 *            (`DataTree.isSpecialPath`); session check; parent missing ->
 *            NoNode; parent lacks DELETE -> NoAuth; node missing ->
 *            NoNode; version -> BadVersion; children -> NotEmpty.
 *   deleteContainer (from the ContainerManager; no session, ACL or
 *            version check): bad or special path -> BadArguments; node
 *            missing -> NoNode; children -> NotEmpty; an ephemeral node ->
 *            BadVersion (ZooKeeper's choice); parent missing -> NoNode.
 *   setData: bad path -> BadArguments; data limit -> BadArguments;
 *            session check; node missing -> NoNode; no WRITE -> NoAuth
 *            ("/zookeeper/config" is read-only, as in ZooKeeper);
 *            version -> BadVersion.
 *   check:   bad path; session check; NoNode; no READ -> NoAuth; BadVersion.
 *   multi:   sub-ops in order with one zxid; the first failure rolls back
 *            the multi's change records (`rollbackPendingChanges`);
 *            earlier ops then report Ok, the failed one its error, later
 *            ones RuntimeInconsistency; the txn is still a multi (of
 *            error sub-txns).  A sub-op type that cannot be in a multi
 *            makes the whole request an error txn, MarshallingError.
 *   closeSession: the txn lists the session's ephemerals as the leader
 *            sees them, outstanding creates and deletes included
 *            (`CloseSessionTxn.paths2Delete`), in path order.
 * The data limit: ZooKeeper drops the connection of a client whose
 * packet exceeds jute.maxbuffer; zksim answers BadArguments per op
 * instead (zk_request_size lets a server model the drop if it wants).
 * ACLs are modelled as the world:anyone permission bits of each node:
 * every created node gets ZK_PERM_ALL, "/zookeeper/config" has READ only.
 * Session checks are the server's: it passes their outcome in
 * ZkRequest.session_err and prep raises it where ZooKeeper checks.
 * Quirk kept: closeSession's change records do not decrement the
 * parent's child count, so a pipelined delete of the parent of a closing
 * session's ephemeral still fails with NotEmpty, as in ZooKeeper.
 *
 * Apply (`DataTree.processTxn`, `createNode`, `deleteNode`, `setData`,
 * `killSession`):
 *   create:  czxid=mzxid=pzxid=zxid, ctime=mtime=txn time, versions 0,
 *            ephemeralOwner = session (ephemeral), ZK_CONTAINER_EPHEMERAL_OWNER
 *            (container), TTL marker | ttl (TTL) or 0; parent: cversion =
 *            txn's parentCVersion and pzxid = zxid (if that raises cversion).
 *   delete:  parent pzxid = zxid (if larger); parent cversion unchanged.
 *   setData: data, mtime, mzxid, version = the txn's new version.
 *   createSession / closeSession: add / remove the session's entry;
 *            closeSession deletes the listed paths, then any ephemeral of
 *            the session the list missed, each firing its watches.
 *   lastProcessedZxid = max(lastProcessedZxid, zxid), after the whole txn.
 *
 * Digest: ZooKeeper's `DigestCalculator` (version 2), kept incrementally
 * like `NodeHashMapImpl`: the tree digest is the 64-bit sum of per-node
 * CRC32s over path ("" for the root), data and the 60-byte big-endian
 * stat (czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion,
 * ephemeralOwner).  Nodes under "/zookeeper/" count 0.  Times are our
 * nanoseconds, so values differ from a real server's; equal trees have
 * equal digests and comparing two servers is O(1).  Sessions are not in
 * the digest (as in ZooKeeper); zk_tree_equal compares everything.
 *
 * Order: children are kept sorted by name (byte order); iteration is a
 * pre-order walk in that order (the order of a ZooKeeper snapshot).
 * Ephemeral, container, TTL and session sets are ordered.  Hash tables
 * serve lookups only.
 */
#ifndef ZK_TREE_H
#define ZK_TREE_H

#include "zk_proto.h"
#include "zk_watch.h"

#include "sim_ring.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ZkTree ZkTree;
typedef struct ZkNode ZkNode;
typedef struct ZkTxn ZkTxn;
typedef struct ZkPrep ZkPrep;

/* ---- requests (what the leader's prep step consumes; caller-owned) ----- */

/* One operation: a single request's op, or one sub-op of a multi. */
typedef struct ZkOpRequest {
    ZkOpCode type;     /* create, create2, createContainer, createTTL, delete,
                        * deleteContainer, setData, check; in ZkRequest.op it
                        * may be left 0 and then means ZkRequest.type */
    const char *path;  /* requested path (without sequential suffix) */
    size_t path_len;   /* 0: path is NUL-terminated; else its byte length (a
                        * NUL inside is then a bad path) */
    gboolean path_ref; /* path is a refcounted string (sim_rcstr.h, zk_req_new): the txn shares it */
    GBytes *data;      /* create/setData; NULL means empty; prep takes a ref */
    ZkCreateMode mode; /* create family; must agree with the op (CONTAINER
                        * <-> createContainer, *_WITH_TTL <-> createTTL) */
    int32_t version;   /* delete/setData/check: expected version, -1 = any */
    int64_t ttl_ms;    /* createTTL only */
} ZkOpRequest;

typedef struct ZkRequest {
    ZkOpCode type;          /* a write op, multi, createSession or closeSession */
    uint64_t session;       /* the client's session (txn header clientId) */
    int32_t cxid;           /* the client's xid, carried for replies */
    ZkErr session_err;      /* the leader's session check
                             * (`SessionTracker.checkSession`): Ok,
                             * SessionExpired or SessionMoved */
    ZkOpRequest op;         /* single-op requests */
    const ZkOpRequest *ops; /* multi: n_ops sub-ops */
    guint n_ops;
    int32_t timeout_ms; /* createSession: negotiated timeout */
} ZkRequest;

/* Approximate wire size of the request packet in bytes (length prefix,
 * RequestHeader and record, jute encoding, one world:anyone ACL). */
size_t zk_request_size(const ZkRequest *req);

/* `PathUtils.validatePath(path, isSequential)` on len bytes (0: strlen):
 * absolute, no empty, "." or ".." component, no trailing "/" (unless
 * sequential), no NUL, no control or reserved characters, valid UTF-8. */
gboolean zk_path_is_valid(const char *path, size_t len, gboolean sequential);

/* ---- prep (leader) ----------------------------------------------------- */

ZkPrep *zk_prep_new(void);
void zk_prep_free(ZkPrep *prep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkPrep, zk_prep_free)

/* zookeeper.extendedTypesEnabled (default FALSE): TTL nodes. */
void zk_prep_set_extended_types(ZkPrep *prep, gboolean enabled);

/* Turns req into a txn with this zxid and time, validating against tree
 * plus the outstanding change records, and records the request's own
 * changes.  *out receives a new txn (never NULL; the caller owns one
 * reference).  Returns the request's outcome: Ok, or the error the
 * client will get (a multi: its first failing op's error).
 * `PrepRequestProcessor.pRequest` / `pRequest2Txn`.  req->type must be a
 * write op (zk_op_is_write: reads never reach prep) and zxid must exceed
 * every zxid prepped since the last reset; both are asserted. */
ZkErr zk_prep_request(ZkPrep *prep, const ZkTree *tree, const ZkRequest *req, uint64_t zxid, SimTime now,
                      ZkTxn **out);

/* Drops the change records with zxid <= zxid once the leader has applied
 * them (`FinalRequestProcessor.processRequest`, outstandingChanges). */
void zk_prep_applied(ZkPrep *prep, uint64_t zxid);

/* Forgets every outstanding change (the leader lost leadership). */
void zk_prep_reset(ZkPrep *prep);

/* Number of outstanding change records. */
guint zk_prep_outstanding(const ZkPrep *prep);

/* ---- transactions (immutable, refcounted) ------------------------------ */

ZkTxn *zk_txn_ref(ZkTxn *txn);
void zk_txn_unref(ZkTxn *txn);
/* A hint that txn is about to be unreferenced (a log trim walks
 * thousands), by stage: 0 starts fetching the txn; 1 (which reads it),
 * if that unreference will free it, its data's record; 2 (which reads
 * that) the data's bytes, whose free writes beside them.  Changes
 * nothing. */
#define ZK_TXN_PREFETCH_STAGES 3
void zk_txn_prefetch(const ZkTxn *txn, int stage);
/* A hint that txn is about to be applied to t, by stage: 0 starts
 * fetching the txn, 1 (which reads it) the slot of its node in t's index,
 * 2 (which reads that slot) the node, 3 (which reads the node) the txn
 * whose data the node holds.  Called with stages 0 to 3 for the txns
 * ZK_TREE_PREFETCH_STAGES - stage ahead of the one being applied, the
 * misses of the coming applies overlap the current one.  Changes nothing
 * observable. */
#define ZK_TREE_PREFETCH_STAGES 4
void zk_tree_prefetch(const ZkTree *t, const ZkTxn *txn, int stage);
/* Whether t is big enough for zk_tree_prefetch to pay for itself. */
gboolean zk_tree_prefetch_pays(const ZkTree *t);
/* The pipeline over a queue of txns about to be applied in order (the
 * head is being applied): each stage for the txn ZK_TREE_PREFETCH_STAGES
 * - stage behind the head, if t is big enough.  The ring's elements hold
 * a ZkTxn * at txn_offset (0 for a ring of txn pointers). */
void zk_tree_prefetch_ahead(const ZkTree *t, const SimRing *ring, size_t txn_offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkTxn, zk_txn_unref)

uint64_t zk_txn_zxid(const ZkTxn *txn);
/* TxnHeader type: the op, multi, createSession, closeSession or error. */
ZkOpCode zk_txn_type(const ZkTxn *txn);
/* The request type the txn came from (not on the wire; for logs). */
ZkOpCode zk_txn_request_type(const ZkTxn *txn);
uint64_t zk_txn_session(const ZkTxn *txn);
int32_t zk_txn_cxid(const ZkTxn *txn);
SimTime zk_txn_time(const ZkTxn *txn);
/* Ok, or the error of an error txn / the first error of a failed multi. */
ZkErr zk_txn_err(const ZkTxn *txn);
/* Estimated serialized size: TxnHeader + record + TxnDigest, in bytes. */
size_t zk_txn_size(const ZkTxn *txn);
/* Ops: 1 for a single-op txn, n for a multi, 0 for session and error txns. */
guint zk_txn_op_count(const ZkTxn *txn);
ZkOpCode zk_txn_op_type(const ZkTxn *txn, guint i); /* error for failed multi ops */
ZkErr zk_txn_op_err(const ZkTxn *txn, guint i);
const char *zk_txn_op_path(const ZkTxn *txn, guint i); /* final path (sequential suffix applied), or NULL */
/* closeSession: the paths to delete, sorted. */
guint zk_txn_close_path_count(const ZkTxn *txn);
const char *zk_txn_close_path(const ZkTxn *txn, guint i);
int32_t zk_txn_session_timeout_ms(const ZkTxn *txn); /* createSession */
/* One line for the timeline, e.g. "0x100000002 create /a/b0000000003". */
void zk_txn_describe(const ZkTxn *txn, GString *out);

/* ---- apply results ----------------------------------------------------- */

/* One op's outcome (`ProcessTxnResult`). */
typedef struct ZkOpResult {
    ZkOpCode type;   /* the op applied, or error */
    ZkErr err;
    const char *path; /* created/deleted/set/checked path (the txn's, see ZkApplyResult.txn), NULL for errors */
    gboolean has_stat;
    ZkStat stat; /* create* and setData: the node's stat after the op */
} ZkOpResult;

typedef struct ZkApplyResult {
    uint64_t zxid;
    uint64_t session;
    int32_t cxid;
    ZkOpCode type; /* txn type */
    ZkErr err;     /* first error (a multi: of its sub-ops) or Ok */
    ZkOpResult op; /* single-op txns */
    ZkOpResult *multi; /* multi: n_multi sub-results, owned */
    guint n_multi;
    ZkTxn *txn; /* a reference: the paths above point into it */
} ZkApplyResult;

void zk_apply_result_clear(ZkApplyResult *res);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ZkApplyResult, zk_apply_result_clear)

/* ---- tree: new / free / copy ------------------------------------------- */

/* A fresh tree as `DataTree()` builds it: "/", "/zookeeper",
 * "/zookeeper/quota", "/zookeeper/config" (read-only), all-zero stats,
 * lastProcessedZxid 0. */
ZkTree *zk_tree_new(void);
void zk_tree_free(ZkTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkTree, zk_tree_free)

/* Deep copy (snapshot, SNAP sync): nodes, sessions, lastProcessedZxid and
 * digest.  Data buffers are shared (immutable).  Watches are not part of
 * a tree. */
ZkTree *zk_tree_copy(const ZkTree *tree);

/* ---- tree: apply ------------------------------------------------------- */

/* Applies a committed txn (see the rules above).  wm: the server's watch
 * manager, or NULL to fire nothing (log replay, sync); the events are
 * appended to fired (required when wm is set), in firing order.  res may
 * be NULL; else it is overwritten (it must hold nothing to free) and the
 * caller clears it with zk_apply_result_clear. */
void zk_tree_apply(ZkTree *tree, const ZkTxn *txn, ZkWatchManager *wm, ZkApplyResult *res,
                   ZkWatchEvents *fired);

/* `ZKDatabase.setlastProcessedZxid` (after a SNAP, NEWLEADER). */
void zk_tree_set_last_processed_zxid(ZkTree *tree, uint64_t zxid);
uint64_t zk_tree_last_processed_zxid(const ZkTree *tree);

/* ---- tree: reads (may register a watch for watcher in wm) --------------- */

/* getData: Ok with *stat and *data (a new reference, never NULL), or
 * NoNode (no watch registered), or BadArguments for a bad path.
 * wm NULL: no watch.  stat/data may be NULL. */
ZkErr zk_tree_get_data(const ZkTree *tree, const char *path, ZkWatchManager *wm, uint64_t watcher,
                       ZkStat *stat, GBytes **data);
/* exists: registers the watch (if wm) before looking, so a missing node
 * keeps an exist watch that fires NodeCreated (`DataTree.statNode`).
 * Ok with *stat, or NoNode, or BadArguments (no watch). */
ZkErr zk_tree_exists(const ZkTree *tree, const char *path, ZkWatchManager *wm, uint64_t watcher, ZkStat *stat);
/* getChildren/getChildren2: Ok with *stat and *children (new array of
 * child names, sorted, owned strings), or NoNode (no watch). */
ZkErr zk_tree_get_children(const ZkTree *tree, const char *path, ZkWatchManager *wm, uint64_t watcher,
                           ZkStat *stat, GPtrArray **children);

/* ---- tree: nodes ------------------------------------------------------- */

const ZkNode *zk_tree_get_node(const ZkTree *tree, const char *path);
const ZkNode *zk_tree_root(const ZkTree *tree);
const char *zk_node_path(const ZkNode *node);
const char *zk_node_name(const ZkNode *node); /* "" for the root */
/* The data buffer, or NULL when the node's data is empty. */
GBytes *zk_node_data(const ZkNode *node);
void zk_node_stat(const ZkNode *node, ZkStat *out);
uint32_t zk_node_perms(const ZkNode *node);
guint zk_node_child_count(const ZkNode *node);
const ZkNode *zk_node_child(const ZkNode *node, guint i); /* sorted by name */

/* Visits every node, pre-order, children in name order. */
typedef void (*ZkNodeVisitFn)(const ZkNode *node, void *ctx);
void zk_tree_foreach(const ZkTree *tree, ZkNodeVisitFn fn, void *ctx);

/* ---- tree: summaries --------------------------------------------------- */

uint64_t zk_tree_digest(const ZkTree *tree);
/* Number of znodes, the root and the three /zookeeper nodes included
 * (ZooKeeper's getNodeCount is one more: it also counts the "/" alias). */
size_t zk_tree_node_count(const ZkTree *tree);
/* `DataTree.approximateDataSize`: sum of path lengths and data lengths. */
size_t zk_tree_data_size(const ZkTree *tree);
/* The tree's size as a serialized snapshot: its data size plus 80 bytes of
 * stat and framing per node (what a SNAP sends, what a txn-log sync weighs
 * against snapshotSizeFactor). */
size_t zk_tree_snapshot_bytes(const ZkTree *tree);
/* Approximate heap bytes held by the tree. */
size_t zk_tree_memory_bytes(const ZkTree *tree);

/* Ephemerals of a session, sorted paths (new array, owned strings). */
GPtrArray *zk_tree_ephemerals(const ZkTree *tree, uint64_t session);
size_t zk_tree_ephemeral_count(const ZkTree *tree);
/* Container and TTL node paths, sorted (new arrays) - for ContainerManager. */
GPtrArray *zk_tree_containers(const ZkTree *tree);
GPtrArray *zk_tree_ttls(const ZkTree *tree);

/* Replicated session table (`ZKDatabase.sessionsWithTimeouts`). */
gboolean zk_tree_has_session(const ZkTree *tree, uint64_t session);
int32_t zk_tree_session_timeout_ms(const ZkTree *tree, uint64_t session); /* -1 if absent */
size_t zk_tree_session_count(const ZkTree *tree);
GArray *zk_tree_sessions(const ZkTree *tree); /* uint64_t ids, sorted, new */

/* Deep equality: nodes, data, stats, perms, sessions, lastProcessedZxid. */
gboolean zk_tree_equal(const ZkTree *a, const ZkTree *b);

/* Appends one line per node, pre-order: path, data length, every stat
 * field (times in ms), e.g.
 * "/a czxid=0x1 mzxid=0x1 pzxid=0x1 ctime=5 mtime=5 version=0 ...". */
void zk_tree_dump(const ZkTree *tree, GString *out);
void zk_stat_format(const ZkStat *st, GString *out);
/* Every field equal.  Stats are never compared with memcmp: a struct
 * assignment need not copy the padding after aversion. */
gboolean zk_stat_equal(const ZkStat *a, const ZkStat *b);

/* Asserts every invariant (children sorted and linked, counts, sets,
 * digest recomputed from scratch); O(nodes).  Tests and debug checks. */
void zk_tree_check(const ZkTree *tree);

#endif
