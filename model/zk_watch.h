/* zk_watch.h - one server's watch manager (`server.watch.WatchManager`).
 *
 * Watches live only on the server a client is connected to, so every
 * server owns one ZkWatchManager, separate from its data tree: the tree
 * is replicated and copied (SNAP), the watches are not.  The tree calls
 * the trigger functions below while it applies a txn (zk_tree_apply),
 * and the server sends the resulting events on its connections.
 *
 * Model (ZooKeeper 3.8, `DataTree` + `WatchManager` + `WatcherMode`):
 *   - Two tables, as in DataTree: data watches (set by getData and by
 *     exists, even on a missing node) and child watches (getChildren).
 *     A (path, watcher) entry of a table holds a set of modes: STANDARD
 *     (one-shot), PERSISTENT, PERSISTENT_RECURSIVE.
 *   - addWatch PERSISTENT goes into both tables; PERSISTENT_RECURSIVE
 *     into the data table only (`DataTree.addWatch`), so a recursive
 *     watch never sees NodeChildrenChanged.
 *   - A trigger on path p in a table collects every watcher with an
 *     entry on p (and removes its STANDARD mode: one-shot), plus, in the
 *     data table, every watcher with a PERSISTENT_RECURSIVE entry on an
 *     ancestor of p (`WatchManager.triggerWatch`, `PathParentIterator`).
 *     PERSISTENT and PERSISTENT_RECURSIVE modes are never removed by a
 *     trigger.  Each watcher gets at most one event per trigger.
 *   - delete(p) suppresses, in the child-table NodeDeleted trigger, the
 *     watchers already notified by the data-table one (the `processed`
 *     WatcherOrBitSet of `DataTree.deleteNode`): one NodeDeleted each.
 *
 * Determinism: the events of one trigger are appended in increasing
 * watcher id; triggers are appended in the order ZooKeeper runs them.
 * Hash tables are used for lookup only.
 *
 * A watcher is a uint64 chosen by the server (connection or session id).
 */
#ifndef ZK_WATCH_H
#define ZK_WATCH_H

#include "zk_proto.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ZkTree ZkTree;
typedef struct ZkWatchManager ZkWatchManager;

/* ---- events ------------------------------------------------------------ */

/* One notification to send (`WatchedEvent`, state SyncConnected). */
typedef struct ZkWatchEvent {
    uint64_t watcher;
    ZkEventType type;
    uint64_t zxid;    /* txn that fired it; ZK_ZXID_NONE for SetWatches replies */
    const char *path; /* a refcounted string (sim_rcstr.h) owned by the list; sim_rcstr_ref to keep it */
} ZkWatchEvent;

/* An append-only list of events; the caller owns it and clears it. */
typedef struct ZkWatchEvents ZkWatchEvents;

ZkWatchEvents *zk_watch_events_new(void);
void zk_watch_events_free(ZkWatchEvents *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkWatchEvents, zk_watch_events_free)
void zk_watch_events_clear(ZkWatchEvents *ev);
guint zk_watch_events_len(const ZkWatchEvents *ev);
const ZkWatchEvent *zk_watch_events_get(const ZkWatchEvents *ev, guint i);

/* ---- new / free -------------------------------------------------------- */

ZkWatchManager *zk_watch_new(void);
void zk_watch_free(ZkWatchManager *wm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ZkWatchManager, zk_watch_free)

/* ---- registration ------------------------------------------------------ */

/* Registers a watch.  DATA and EXIST: STANDARD in the data table
 * (`DataTree.getData`/`statNode`); CHILD: STANDARD in the child table
 * (`getChildren`); PERSISTENT: both tables; PERSISTENT_RECURSIVE: data
 * table (`DataTree.addWatch`).  Returns TRUE if the mode was new for
 * (path, watcher).  The path is not checked against any tree. */
gboolean zk_watch_add(ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatchKind kind);

/* Removes watches of one watcher on one path (`DataTree.removeWatch`,
 * the removeWatches op): Children = child STANDARD, Data = data STANDARD,
 * Persistent = PERSISTENT in both tables, PersistentRecursive, Any = every
 * mode.  Returns FALSE if nothing was removed (the server answers NoWatcher). */
gboolean zk_watch_remove(ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatcherType type);

/* Drops every watch of a watcher (`DataTree.removeCnxn`, connection closed). */
void zk_watch_remove_watcher(ZkWatchManager *wm, uint64_t watcher);

/* ---- triggers (called by zk_tree_apply; exposed for tests) ------------- */

/* create(p): NodeCreated on p's data table, then NodeChildrenChanged on
 * parent(p)'s child table (`DataTree.createNode`). */
void zk_watch_trigger_created(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out);
/* delete(p): NodeDeleted on p's data table, NodeDeleted on p's child table
 * suppressing watchers already notified, NodeChildrenChanged on parent(p)'s
 * child table (`DataTree.deleteNode`). */
void zk_watch_trigger_deleted(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out);
/* setData(p): NodeDataChanged on p's data table (`DataTree.setData`). */
void zk_watch_trigger_data_changed(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out);

/* ---- reconnect (`DataTree.setWatches`, SetWatches/SetWatches2) ---------- */

/* The client's watch lists, indexed by ZkWatchKind. */
typedef struct ZkWatchPaths {
    const char *const *paths;
    guint n;
} ZkWatchPaths;

/* Re-registers a reconnecting watcher's watches against tree, relative
 * to rel_zxid (the last zxid the client saw), appending to out the events
 * due at once (zxid ZK_ZXID_NONE), list by list in kind order:
 *   data:  node gone -> NodeDeleted; mzxid > rel_zxid -> NodeDataChanged;
 *          else re-register;
 *   exist: node exists -> NodeCreated; else re-register;
 *   child: node gone -> NodeDeleted; pzxid > rel_zxid -> NodeChildrenChanged;
 *          else re-register;
 *   persistent, persistentRecursive: re-registered unconditionally. */
void zk_watch_set_watches(ZkWatchManager *wm, const ZkTree *tree, uint64_t rel_zxid,
                          const ZkWatchPaths lists[ZK_WATCH_KIND_COUNT], uint64_t watcher,
                          ZkWatchEvents *out);

/* ---- queries ----------------------------------------------------------- */

/* Is this exact registration present?  DATA and EXIST ask the same
 * question (data STANDARD). */
gboolean zk_watch_has(const ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatchKind kind);
/* `DataTree.containsWatcher` (checkWatches), same type mapping as zk_watch_remove. */
gboolean zk_watch_contains(const ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatcherType type);

/* `DataTree.getWatchCount`: (path, watcher) entries of the data table plus
 * those of the child table. */
size_t zk_watch_count(const ZkWatchManager *wm);
size_t zk_watch_data_count(const ZkWatchManager *wm);
size_t zk_watch_child_count(const ZkWatchManager *wm);
/* Watched paths and watchers with at least one watch. */
size_t zk_watch_path_count(const ZkWatchManager *wm);
size_t zk_watch_watcher_count(const ZkWatchManager *wm);
/* Approximate heap bytes held (for memory modelling). */
size_t zk_watch_memory_bytes(const ZkWatchManager *wm);

/* Asserts the manager's internal invariants (both indexes agree, counts
 * match); O(watches).  For tests and debug checks. */
void zk_watch_check(const ZkWatchManager *wm);

#endif
