/* zk_watch.c - one server's watch manager (see zk_watch.h for the rules).
 *
 * Two indexes, kept in step, as in ZooKeeper's WatchManager:
 *   paths:    path -> WatchPath, an array of entries sorted by watcher id;
 *             each entry holds the modes of that (path, watcher) in the
 *             data table and in the child table (a bit set each).  A hash
 *             table, used for lookup only.
 *   watchers: watcher id -> the sorted set of paths it watches (a GTree),
 *             so closing a connection drops its watches without a scan.
 *
 * Invariants (checked by zk_watch_check):
 *   1. An entry exists iff at least one of its two mode sets is non-empty;
 *      a WatchPath exists iff it has an entry; a Watcher exists iff its
 *      path set is non-empty.
 *   2. (path, watcher) has an entry iff path is in the watcher's path set.
 *   3. The child table never holds PERSISTENT_RECURSIVE.
 *   4. n_table[t] counts entries with a non-empty mode set in table t;
 *      n_recursive counts entries holding PERSISTENT_RECURSIVE.
 */
#include "zk_watch.h"

#include "zk_tree.h"
#include "sim_rcstr.h"

#include <string.h>

enum { MODE_STANDARD = 1u, MODE_PERSISTENT = 2u, MODE_RECURSIVE = 4u };

typedef enum { TABLE_DATA = 0, TABLE_CHILD = 1, TABLE_COUNT = 2 } Table;

typedef struct WatchEntry {
    uint64_t watcher;
    guint8 modes[TABLE_COUNT];
} WatchEntry;

typedef struct WatchPath {
    char *path;
    GArray *entries; /* WatchEntry, sorted by watcher */
} WatchPath;

typedef struct Watcher {
    uint64_t id;
    GTree *paths; /* char * (owned) -> NULL, sorted by strcmp */
} Watcher;

struct ZkWatchManager {
    GHashTable *paths; /* path (owned by the WatchPath) -> WatchPath *, lookup only */
    GTree *watchers;   /* &Watcher.id -> Watcher *, ordered by id */
    size_t n_table[TABLE_COUNT];
    size_t n_recursive;
    size_t n_entries;
    size_t path_bytes;  /* bytes of WatchPath.path strings */
    size_t entry_bytes; /* bytes of the per-watcher path copies */
};

struct ZkWatchEvents {
    GArray *ev; /* ZkWatchEvent */
};

/* ---- events ------------------------------------------------------------ */

static void event_clear(gpointer p)
{
    ZkWatchEvent *e = p;
    sim_rcstr_unref((char *)e->path);
}

ZkWatchEvents *zk_watch_events_new(void)
{
    ZkWatchEvents *ev = g_new0(ZkWatchEvents, 1);
    ev->ev = g_array_new(FALSE, FALSE, sizeof(ZkWatchEvent));
    g_array_set_clear_func(ev->ev, event_clear);
    return ev;
}

void zk_watch_events_free(ZkWatchEvents *ev)
{
    if (!ev)
        return;
    g_array_unref(ev->ev);
    g_free(ev);
}

void zk_watch_events_clear(ZkWatchEvents *ev)
{
    g_array_set_size(ev->ev, 0);
}

guint zk_watch_events_len(const ZkWatchEvents *ev)
{
    return ev->ev->len;
}

const ZkWatchEvent *zk_watch_events_get(const ZkWatchEvents *ev, guint i)
{
    g_assert(i < ev->ev->len);
    return &g_array_index(ev->ev, ZkWatchEvent, i);
}

/* Appends one event; path is a refcounted string (sim_rcstr.h) whose reference is taken here. */
static void events_push(ZkWatchEvents *out, uint64_t watcher, ZkEventType type, uint64_t zxid, char *ref_path)
{
    ZkWatchEvent e = {
        .watcher = watcher, .type = type, .zxid = zxid, .path = sim_rcstr_ref(ref_path)};
    g_array_append_val(out->ev, e);
}

/* ---- new / free -------------------------------------------------------- */

static gint cmp_u64(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static gint cmp_str(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    return strcmp(a, b);
}

static void watch_path_free(gpointer p)
{
    WatchPath *wp = p;
    g_array_unref(wp->entries);
    g_free(wp->path);
    g_free(wp);
}

static void watcher_free(gpointer p)
{
    Watcher *w = p;
    g_tree_unref(w->paths);
    g_free(w);
}

ZkWatchManager *zk_watch_new(void)
{
    ZkWatchManager *wm = g_new0(ZkWatchManager, 1);
    wm->paths = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, watch_path_free);
    wm->watchers = g_tree_new_full(cmp_u64, NULL, NULL, watcher_free);
    return wm;
}

void zk_watch_free(ZkWatchManager *wm)
{
    if (!wm)
        return;
    g_hash_table_unref(wm->paths);
    g_tree_unref(wm->watchers);
    g_free(wm);
}

/* ---- entry bookkeeping ------------------------------------------------- */

/* Binary search; returns TRUE and *idx if found, else *idx = insert point. */
static gboolean entry_find(const WatchPath *wp, uint64_t watcher, guint *idx)
{
    guint lo = 0, hi = wp->entries->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        uint64_t w = g_array_index(wp->entries, WatchEntry, mid).watcher;
        if (w == watcher) {
            *idx = mid;
            return TRUE;
        }
        if (w < watcher)
            lo = mid + 1;
        else
            hi = mid;
    }
    *idx = lo;
    return FALSE;
}

static WatchEntry *entry_lookup(const ZkWatchManager *wm, const char *path, uint64_t watcher)
{
    WatchPath *wp = g_hash_table_lookup(wm->paths, path);
    guint idx;
    if (!wp || !entry_find(wp, watcher, &idx))
        return NULL;
    return &g_array_index(wp->entries, WatchEntry, idx);
}

/* Adds (plus) or removes (!plus) e's contribution to the counters. */
static void count_entry(ZkWatchManager *wm, const WatchEntry *e, gboolean plus)
{
    for (int t = 0; t < TABLE_COUNT; t++) {
        if (!e->modes[t])
            continue;
        g_assert(plus || wm->n_table[t] > 0);
        wm->n_table[t] = plus ? wm->n_table[t] + 1 : wm->n_table[t] - 1;
    }
    if (e->modes[TABLE_DATA] & MODE_RECURSIVE) {
        g_assert(plus || wm->n_recursive > 0);
        wm->n_recursive = plus ? wm->n_recursive + 1 : wm->n_recursive - 1;
    }
}

static void watcher_forget_path(ZkWatchManager *wm, uint64_t watcher, const char *path)
{
    Watcher *w = g_tree_lookup(wm->watchers, &watcher);
    g_assert(w);
    gboolean removed = g_tree_remove(w->paths, path);
    g_assert(removed);
    wm->entry_bytes -= strlen(path) + 1;
    if (g_tree_nnodes(w->paths) == 0)
        g_tree_remove(wm->watchers, &watcher);
}

typedef enum { SET_KEPT, SET_ENTRY_GONE, SET_PATH_GONE } SetOutcome;

/* Gives entry idx of wp the new mode sets, keeping every count and index
 * in step; removes the entry (and the WatchPath) once both are empty. */
static SetOutcome entry_set(ZkWatchManager *wm, WatchPath *wp, guint idx, guint8 data_modes, guint8 child_modes)
{
    g_assert(!(child_modes & MODE_RECURSIVE));
    WatchEntry *e = &g_array_index(wp->entries, WatchEntry, idx);
    count_entry(wm, e, FALSE);
    e->modes[TABLE_DATA] = data_modes;
    e->modes[TABLE_CHILD] = child_modes;
    count_entry(wm, e, TRUE);
    if (data_modes || child_modes)
        return SET_KEPT;
    watcher_forget_path(wm, e->watcher, wp->path);
    g_array_remove_index(wp->entries, idx);
    wm->n_entries--;
    if (wp->entries->len > 0)
        return SET_ENTRY_GONE;
    wm->path_bytes -= strlen(wp->path) + 1;
    g_hash_table_remove(wm->paths, wp->path); /* frees wp */
    return SET_PATH_GONE;
}

/* Finds or creates the entry for (path, watcher); returns its WatchPath and index. */
static WatchPath *entry_get(ZkWatchManager *wm, const char *path, uint64_t watcher, guint *idx)
{
    WatchPath *wp = g_hash_table_lookup(wm->paths, path);
    if (!wp) {
        wp = g_new0(WatchPath, 1);
        wp->path = g_strdup(path);
        wp->entries = g_array_new(FALSE, FALSE, sizeof(WatchEntry));
        g_hash_table_insert(wm->paths, wp->path, wp);
        wm->path_bytes += strlen(path) + 1;
    }
    if (entry_find(wp, watcher, idx))
        return wp;
    WatchEntry e = {.watcher = watcher};
    g_array_insert_val(wp->entries, *idx, e);
    wm->n_entries++;
    Watcher *w = g_tree_lookup(wm->watchers, &watcher);
    if (!w) {
        w = g_new0(Watcher, 1);
        w->id = watcher;
        w->paths = g_tree_new_full(cmp_str, NULL, g_free, NULL);
        g_tree_insert(wm->watchers, &w->id, w);
    }
    g_assert(!g_tree_lookup_extended(w->paths, path, NULL, NULL));
    g_tree_insert(w->paths, g_strdup(path), NULL);
    wm->entry_bytes += strlen(path) + 1;
    return wp;
}

/* The (table, mode) pairs of a kind of registration. */
static void kind_modes(ZkWatchKind kind, guint8 *data_modes, guint8 *child_modes)
{
    *data_modes = 0;
    *child_modes = 0;
    switch (kind) {
    case ZK_WATCH_DATA:
    case ZK_WATCH_EXIST:
        *data_modes = MODE_STANDARD;
        return;
    case ZK_WATCH_CHILD:
        *child_modes = MODE_STANDARD;
        return;
    case ZK_WATCH_PERSISTENT:
        *data_modes = MODE_PERSISTENT;
        *child_modes = MODE_PERSISTENT;
        return;
    case ZK_WATCH_PERSISTENT_RECURSIVE:
        *data_modes = MODE_RECURSIVE;
        return;
    case ZK_WATCH_KIND_COUNT:
        break;
    }
    g_assert_not_reached();
}

/* The (table, mode) pairs a WatcherType names, for remove and contains. */
static void type_modes(ZkWatcherType type, guint8 *data_modes, guint8 *child_modes)
{
    *data_modes = 0;
    *child_modes = 0;
    switch (type) {
    case ZK_WATCHER_TYPE_CHILDREN:
        *child_modes = MODE_STANDARD;
        return;
    case ZK_WATCHER_TYPE_DATA:
        *data_modes = MODE_STANDARD;
        return;
    case ZK_WATCHER_TYPE_ANY:
        *data_modes = MODE_STANDARD | MODE_PERSISTENT | MODE_RECURSIVE;
        *child_modes = MODE_STANDARD | MODE_PERSISTENT;
        return;
    case ZK_WATCHER_TYPE_PERSISTENT:
        *data_modes = MODE_PERSISTENT;
        *child_modes = MODE_PERSISTENT;
        return;
    case ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE:
        *data_modes = MODE_RECURSIVE;
        return;
    }
    g_assert_not_reached();
}

/* ---- registration ------------------------------------------------------ */

gboolean zk_watch_add(ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatchKind kind)
{
    g_assert(path && path[0] == '/');
    guint8 dm, cm;
    kind_modes(kind, &dm, &cm);
    guint idx;
    WatchPath *wp = entry_get(wm, path, watcher, &idx);
    const WatchEntry *e = &g_array_index(wp->entries, WatchEntry, idx);
    guint8 nd = e->modes[TABLE_DATA] | dm, nc = e->modes[TABLE_CHILD] | cm;
    gboolean added = nd != e->modes[TABLE_DATA] || nc != e->modes[TABLE_CHILD];
    SetOutcome o = entry_set(wm, wp, idx, nd, nc);
    g_assert(o == SET_KEPT);
    return added;
}

gboolean zk_watch_remove(ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatcherType type)
{
    WatchPath *wp = g_hash_table_lookup(wm->paths, path);
    guint idx;
    if (!wp || !entry_find(wp, watcher, &idx))
        return FALSE;
    guint8 dm, cm;
    type_modes(type, &dm, &cm);
    const WatchEntry *e = &g_array_index(wp->entries, WatchEntry, idx);
    guint8 nd = e->modes[TABLE_DATA] & (guint8)~dm, nc = e->modes[TABLE_CHILD] & (guint8)~cm;
    if (nd == e->modes[TABLE_DATA] && nc == e->modes[TABLE_CHILD])
        return FALSE;
    entry_set(wm, wp, idx, nd, nc);
    return TRUE;
}

void zk_watch_remove_watcher(ZkWatchManager *wm, uint64_t watcher)
{
    /* Each removal edits the watcher's path set, so take the first path
     * until none is left (the Watcher record goes with the last one). */
    for (;;) {
        Watcher *w = g_tree_lookup(wm->watchers, &watcher);
        if (!w)
            return;
        GTreeNode *first = g_tree_node_first(w->paths);
        g_assert(first);
        const char *path = g_tree_node_key(first);
        WatchPath *wp = g_hash_table_lookup(wm->paths, path);
        guint idx;
        g_assert(wp && entry_find(wp, watcher, &idx));
        entry_set(wm, wp, idx, 0, 0);
    }
}

/* ---- triggers ---------------------------------------------------------- */

static void push_u64(GArray *a, uint64_t v)
{
    g_array_append_val(a, v);
}

static gint cmp_u64_plain(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Collects the direct watchers of path in table tb, dropping their
 * STANDARD mode (`WatchManager.triggerWatch`, the non-parent branch). */
static void collect_direct(ZkWatchManager *wm, Table tb, const char *path, GArray *ws)
{
    WatchPath *wp = g_hash_table_lookup(wm->paths, path);
    if (!wp)
        return;
    guint i = 0;
    while (i < wp->entries->len) {
        const WatchEntry *e = &g_array_index(wp->entries, WatchEntry, i);
        if (!e->modes[tb]) {
            i++;
            continue;
        }
        push_u64(ws, e->watcher);
        guint8 m[TABLE_COUNT] = {e->modes[TABLE_DATA], e->modes[TABLE_CHILD]};
        if (!(m[tb] & MODE_STANDARD)) {
            i++;
            continue;
        }
        m[tb] &= (guint8)~MODE_STANDARD;
        SetOutcome o = entry_set(wm, wp, i, m[TABLE_DATA], m[TABLE_CHILD]);
        if (o == SET_PATH_GONE)
            return;
        if (o == SET_KEPT)
            i++;
    }
}

/* Collects watchers holding PERSISTENT_RECURSIVE on a proper ancestor of
 * path (`PathParentIterator`, the atParentPath branch). */
static void collect_recursive_parents(const ZkWatchManager *wm, const char *path, GArray *ws)
{
    if (wm->n_recursive == 0 || strcmp(path, "/") == 0)
        return;
    g_autofree char *buf = g_strdup(path);
    for (;;) {
        char *slash = strrchr(buf, '/');
        g_assert(slash);
        if (slash == buf)
            slash[1] = '\0'; /* the root */
        else
            *slash = '\0';
        const WatchPath *wp = g_hash_table_lookup(wm->paths, buf);
        for (guint i = 0; wp && i < wp->entries->len; i++) {
            const WatchEntry *e = &g_array_index(wp->entries, WatchEntry, i);
            if (e->modes[TABLE_DATA] & MODE_RECURSIVE)
                push_u64(ws, e->watcher);
        }
        if (strcmp(buf, "/") == 0)
            return;
    }
}

static gboolean suppressed(const ZkWatchEvents *out, guint lo, guint hi, uint64_t watcher)
{
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        uint64_t w = g_array_index(out->ev, ZkWatchEvent, mid).watcher;
        if (w == watcher)
            return TRUE;
        if (w < watcher)
            lo = mid + 1;
        else
            hi = mid;
    }
    return FALSE;
}

/* One `triggerWatch` on table tb: appends one event per watcher, in
 * watcher order, skipping those of out[sup_lo, sup_hi).  Returns the
 * index of its first event; its events end at out's new length. */
static guint trigger(ZkWatchManager *wm, Table tb, const char *path, ZkEventType type, uint64_t zxid,
                     ZkWatchEvents *out, guint sup_lo, guint sup_hi)
{
    guint first = out->ev->len;
    if ((g_hash_table_size(wm->paths) == 0 || !g_hash_table_contains(wm->paths, path)) &&
        (tb != TABLE_DATA || wm->n_recursive == 0))
        return first; /* the common case: nobody watches */
    g_autoptr(GArray) ws = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    collect_direct(wm, tb, path, ws);
    if (tb == TABLE_DATA)
        collect_recursive_parents(wm, path, ws);
    if (ws->len == 0)
        return first;
    g_array_sort(ws, cmp_u64_plain);
    char *ref_path = sim_rcstr_new(path, -1);
    for (guint i = 0; i < ws->len; i++) {
        uint64_t w = g_array_index(ws, uint64_t, i);
        if (i > 0 && w == g_array_index(ws, uint64_t, i - 1))
            continue;
        if (suppressed(out, sup_lo, sup_hi, w))
            continue;
        events_push(out, w, type, zxid, ref_path);
    }
    sim_rcstr_unref(ref_path);
    return first;
}

/* parent(p) as DataTree computes it, "" mapped to "/"; buf holds strlen(p)+1. */
static const char *parent_of(const char *path, char *buf)
{
    const char *slash = strrchr(path, '/');
    g_assert(slash && slash != path + strlen(path) - 1);
    if (slash == path)
        return "/";
    memcpy(buf, path, (size_t)(slash - path));
    buf[slash - path] = '\0';
    return buf;
}

void zk_watch_trigger_created(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out)
{
    g_assert(out);
    g_autofree char *buf = g_malloc(strlen(path) + 1);
    trigger(wm, TABLE_DATA, path, ZK_EVENT_NODE_CREATED, zxid, out, 0, 0);
    trigger(wm, TABLE_CHILD, parent_of(path, buf), ZK_EVENT_NODE_CHILDREN_CHANGED, zxid, out, 0, 0);
}

void zk_watch_trigger_deleted(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out)
{
    g_assert(out);
    g_autofree char *buf = g_malloc(strlen(path) + 1);
    guint lo = trigger(wm, TABLE_DATA, path, ZK_EVENT_NODE_DELETED, zxid, out, 0, 0);
    guint hi = out->ev->len;
    trigger(wm, TABLE_CHILD, path, ZK_EVENT_NODE_DELETED, zxid, out, lo, hi);
    trigger(wm, TABLE_CHILD, parent_of(path, buf), ZK_EVENT_NODE_CHILDREN_CHANGED, zxid, out, 0, 0);
}

void zk_watch_trigger_data_changed(ZkWatchManager *wm, const char *path, uint64_t zxid, ZkWatchEvents *out)
{
    g_assert(out);
    trigger(wm, TABLE_DATA, path, ZK_EVENT_NODE_DATA_CHANGED, zxid, out, 0, 0);
}

/* ---- reconnect --------------------------------------------------------- */

static void push_one(ZkWatchEvents *out, uint64_t watcher, ZkEventType type, const char *path)
{
    char *ref_path = sim_rcstr_new(path, -1);
    events_push(out, watcher, type, ZK_ZXID_NONE, ref_path);
    sim_rcstr_unref(ref_path);
}

void zk_watch_set_watches(ZkWatchManager *wm, const ZkTree *tree, uint64_t rel_zxid,
                          const ZkWatchPaths lists[ZK_WATCH_KIND_COUNT], uint64_t watcher,
                          ZkWatchEvents *out)
{
    g_assert(out);
    for (int k = 0; k < ZK_WATCH_KIND_COUNT; k++) {
        for (guint i = 0; i < lists[k].n; i++) {
            const char *path = lists[k].paths[i];
            const ZkNode *node = zk_tree_get_node(tree, path);
            ZkStat st = {0};
            if (node)
                zk_node_stat(node, &st);
            switch ((ZkWatchKind)k) {
            case ZK_WATCH_DATA:
                if (!node)
                    push_one(out, watcher, ZK_EVENT_NODE_DELETED, path);
                else if (st.mzxid > rel_zxid)
                    push_one(out, watcher, ZK_EVENT_NODE_DATA_CHANGED, path);
                else
                    zk_watch_add(wm, path, watcher, ZK_WATCH_DATA);
                break;
            case ZK_WATCH_EXIST:
                if (node)
                    push_one(out, watcher, ZK_EVENT_NODE_CREATED, path);
                else
                    zk_watch_add(wm, path, watcher, ZK_WATCH_EXIST);
                break;
            case ZK_WATCH_CHILD:
                if (!node)
                    push_one(out, watcher, ZK_EVENT_NODE_DELETED, path);
                else if (st.pzxid > rel_zxid)
                    push_one(out, watcher, ZK_EVENT_NODE_CHILDREN_CHANGED, path);
                else
                    zk_watch_add(wm, path, watcher, ZK_WATCH_CHILD);
                break;
            case ZK_WATCH_PERSISTENT:
            case ZK_WATCH_PERSISTENT_RECURSIVE:
                zk_watch_add(wm, path, watcher, (ZkWatchKind)k);
                break;
            case ZK_WATCH_KIND_COUNT:
                g_assert_not_reached();
            }
        }
    }
}

/* ---- queries ----------------------------------------------------------- */

gboolean zk_watch_has(const ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatchKind kind)
{
    const WatchEntry *e = entry_lookup(wm, path, watcher);
    if (!e)
        return FALSE;
    guint8 dm, cm;
    kind_modes(kind, &dm, &cm);
    return (e->modes[TABLE_DATA] & dm) == dm && (e->modes[TABLE_CHILD] & cm) == cm;
}

gboolean zk_watch_contains(const ZkWatchManager *wm, const char *path, uint64_t watcher, ZkWatcherType type)
{
    const WatchEntry *e = entry_lookup(wm, path, watcher);
    if (!e)
        return FALSE;
    switch (type) {
    case ZK_WATCHER_TYPE_CHILDREN:
        return (e->modes[TABLE_CHILD] & MODE_STANDARD) != 0;
    case ZK_WATCHER_TYPE_DATA:
        return (e->modes[TABLE_DATA] & MODE_STANDARD) != 0;
    case ZK_WATCHER_TYPE_PERSISTENT:
        return (e->modes[TABLE_DATA] & MODE_PERSISTENT) != 0;
    case ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE:
        return (e->modes[TABLE_DATA] & MODE_RECURSIVE) != 0;
    case ZK_WATCHER_TYPE_ANY:
        return TRUE;
    }
    g_assert_not_reached();
}

size_t zk_watch_count(const ZkWatchManager *wm)
{
    return wm->n_table[TABLE_DATA] + wm->n_table[TABLE_CHILD];
}

size_t zk_watch_data_count(const ZkWatchManager *wm)
{
    return wm->n_table[TABLE_DATA];
}

size_t zk_watch_child_count(const ZkWatchManager *wm)
{
    return wm->n_table[TABLE_CHILD];
}

size_t zk_watch_path_count(const ZkWatchManager *wm)
{
    return g_hash_table_size(wm->paths);
}

size_t zk_watch_watcher_count(const ZkWatchManager *wm)
{
    return (size_t)g_tree_nnodes(wm->watchers);
}

size_t zk_watch_memory_bytes(const ZkWatchManager *wm)
{
    /* Per watched path: the WatchPath, its GArray and a hash slot; per
     * entry: the entry plus a GTree node and path copy in the watcher's
     * set; per watcher: its record, tree and a node of the watcher tree. */
    const size_t path_overhead = sizeof(WatchPath) + 32 + 24;
    const size_t entry_overhead = sizeof(WatchEntry) + 48;
    const size_t watcher_overhead = sizeof(Watcher) + 64 + 48;
    return sizeof(ZkWatchManager) + zk_watch_path_count(wm) * path_overhead + wm->path_bytes +
           wm->n_entries * entry_overhead + wm->entry_bytes + zk_watch_watcher_count(wm) * watcher_overhead;
}

/* ---- invariants -------------------------------------------------------- */

typedef struct CheckCtx {
    const ZkWatchManager *wm;
    uint64_t watcher;
    size_t n_entries;
} CheckCtx;

static gboolean check_watcher_path(gpointer key, gpointer value, gpointer data)
{
    (void)value;
    CheckCtx *c = data;
    g_assert(entry_lookup(c->wm, key, c->watcher)); /* invariant 2 */
    c->n_entries++;
    return FALSE;
}

static gboolean check_watcher(gpointer key, gpointer value, gpointer data)
{
    const Watcher *w = value;
    CheckCtx *c = data;
    g_assert(key == &w->id);
    g_assert(g_tree_nnodes(w->paths) > 0); /* invariant 1 */
    c->watcher = w->id;
    g_tree_foreach(w->paths, check_watcher_path, c);
    return FALSE;
}

void zk_watch_check(const ZkWatchManager *wm)
{
    /* Walk the path index (order-free: only sums and assertions) ... */
    size_t n_table[TABLE_COUNT] = {0, 0}, n_rec = 0, n_entries = 0;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, wm->paths);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const WatchPath *wp = value;
        g_assert(key == wp->path);
        g_assert(wp->entries->len > 0); /* invariant 1 */
        for (guint i = 0; i < wp->entries->len; i++) {
            const WatchEntry *e = &g_array_index(wp->entries, WatchEntry, i);
            if (i > 0)
                g_assert(g_array_index(wp->entries, WatchEntry, i - 1).watcher < e->watcher);
            g_assert(e->modes[TABLE_DATA] || e->modes[TABLE_CHILD]); /* invariant 1 */
            g_assert(!(e->modes[TABLE_CHILD] & MODE_RECURSIVE));    /* invariant 3 */
            const Watcher *w = g_tree_lookup(wm->watchers, &e->watcher);
            g_assert(w && g_tree_lookup_extended(w->paths, wp->path, NULL, NULL)); /* invariant 2 */
            for (int t = 0; t < TABLE_COUNT; t++)
                n_table[t] += e->modes[t] != 0;
            n_rec += (e->modes[TABLE_DATA] & MODE_RECURSIVE) != 0;
            n_entries++;
        }
    }
    /* ... then the watcher index, which must name exactly the same entries. */
    CheckCtx c = {.wm = wm};
    g_tree_foreach(wm->watchers, check_watcher, &c);
    g_assert(c.n_entries == n_entries);
    g_assert(n_entries == wm->n_entries); /* invariant 4 */
    g_assert(n_table[TABLE_DATA] == wm->n_table[TABLE_DATA]);
    g_assert(n_table[TABLE_CHILD] == wm->n_table[TABLE_CHILD]);
    g_assert(n_rec == wm->n_recursive);
}
