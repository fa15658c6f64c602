/* zk_tree.c - the replicated data tree (DataTree), the leader's prep step
 * (PrepRequestProcessor) and the transactions between them.
 *
 * Layout: CRC/digest helpers, nodes, the tree and its ordered side sets,
 * path rules, transactions, prep (change records), apply, reads,
 * summaries and the invariant checker.  zk_tree.h states the ZooKeeper
 * rules; this file says how they are kept.
 *
 * Tree invariants (checked by zk_tree_check):
 *   1. Every node is in `nodes` under its full path, and reachable from
 *      the root through `children` arrays sorted strictly by name (strcmp).
 *   2. A child's path is its parent's path + "/" + name ("/" + name under
 *      the root); child->parent is the parent.
 *   3. st.num_children == children->len; st.data_length == data size.
 *   4. A node is in exactly the side set its OwnerKind names: its
 *      session's ephemeral set, containers or ttls (or none).
 *   5. digest == sum of node->digest; node->digest is DigestCalculator's
 *      CRC of the node now (0 under "/zookeeper/").
 *   6. path_bytes / data_bytes / n_data are the sums the names say.
 *
 * Prep invariants: `records` is in zxid order; every `by_path` value is
 * in `records` and is the newest record for its path that is still
 * valid (after a multi rollback, possibly an older one, as in ZooKeeper).
 */
#include "zk_tree.h"

#include "sim_crc32.h"
#include "sim_map.h"
#include "sim_pool.h"
#include "sim_rcstr.h"
#include "sim_ring.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_be64(guint8 *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (guint8)v;
}

static void put_be32(guint8 *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (guint8)v;
}

/* ---- nodes ------------------------------------------------------------- */

/* Which side set a node belongs to (decided by the txn that created it,
 * like `EphemeralType.get(ephemeralOwner)` with the creating server's
 * configuration). */
typedef enum { OWNER_NONE, OWNER_SESSION, OWNER_CONTAINER, OWNER_TTL } OwnerKind;

struct ZkNode {
    char *path;        /* full path, the key of ZkTree.nodes: a refcounted
                        * string (sim_rcstr.h) shared with the txn op that
                        * created the node and with every replica's and
                        * snapshot's copy of it.  The leader's prep step
                        * hands later ops on the node this same string, so
                        * every replica finds the node by comparing pointers
                        * (the key's bytes, out of the caches at a thousand
                        * nodes on five replicas, are never read). */
    const char *name;  /* points into path: after the last '/' ("" for the root) */
    ZkNode *parent;    /* NULL for the root */
    GPtrArray *children; /* ZkNode *, sorted by name; NULL while childless */
    GBytes *data;      /* NULL when empty; shared with the txn that set it */
    ZkTxn *data_txn;   /* setData: the txn whose op holds data (a reference
                        * to it, with its plain count, keeps data alive: no
                        * atomic GBytes count per replica per write); else
                        * NULL and data is a GBytes reference of its own */
    ZkStat st;         /* every field kept current, derived ones included */
    OwnerKind owner_kind;
    gboolean digest_excluded; /* under /zookeeper/: no digest term (set from the path once) */
    uint32_t perms;      /* world:anyone permission bits */
    uint32_t crc_prefix; /* running CRC over digest path and data */
    uint64_t digest;     /* this node's term of the tree digest */
};

static gboolean digest_excluded(const char *path)
{
    return g_str_has_prefix(path, "/zookeeper/");
}

/* DigestCalculator.calculateDigest: the CRC over path, data and stat;
 * this is its running value after path and data (data NULL when empty). */
static uint32_t crc_prefix_of(const char *path, GBytes *data)
{
    const char *p = strcmp(path, "/") == 0 ? "" : path;
    uint32_t crc = sim_crc32_update(0xffffffffu, p, strlen(p));
    if (data) {
        gsize len;
        const void *d = g_bytes_get_data(data, &len);
        crc = sim_crc32_update(crc, d, len);
    }
    return crc;
}

static void node_crc_prefix(ZkNode *n)
{
    n->crc_prefix = crc_prefix_of(n->path, n->data);
}

static uint64_t node_compute_digest(const ZkNode *n)
{
    if (n->digest_excluded)
        return 0;
    guint8 b[60];
    put_be64(b + 0, n->st.czxid);
    put_be64(b + 8, n->st.mzxid);
    put_be64(b + 16, n->st.pzxid);
    put_be64(b + 24, (uint64_t)n->st.ctime);
    put_be64(b + 32, (uint64_t)n->st.mtime);
    put_be32(b + 40, (uint32_t)n->st.version);
    put_be32(b + 44, (uint32_t)n->st.cversion);
    put_be32(b + 48, (uint32_t)n->st.aversion);
    put_be64(b + 52, n->st.ephemeral_owner);
    return (uint64_t)~sim_crc32_update(n->crc_prefix, b, sizeof b);
}

/* A node with no CRC prefix yet (the caller sets it); ref_path is a
 * refcounted string the node takes a reference to. */
static ZkNode *node_alloc(char *ref_path, GBytes *data)
{
    ZkNode *n = g_new0(ZkNode, 1);
    const char *path = n->path = sim_rcstr_ref(ref_path);
    n->digest_excluded = digest_excluded(path);
    n->name = strcmp(path, "/") == 0 ? n->path + 1 : strrchr(n->path, '/') + 1;
    if (data && g_bytes_get_size(data) > 0)
        n->data = g_bytes_ref(data);
    n->st.data_length = n->data ? (int32_t)g_bytes_get_size(n->data) : 0;
    n->perms = ZK_PERM_ALL;
    return n;
}

static ZkNode *node_new(const char *path, GBytes *data)
{
    char *ref_path = sim_rcstr_new(path, -1);
    ZkNode *n = node_alloc(ref_path, data);
    sim_rcstr_unref(ref_path);
    node_crc_prefix(n);
    return n;
}

static void node_drop_data(ZkNode *n)
{
    if (n->data_txn)
        zk_txn_unref(n->data_txn);
    else if (n->data)
        g_bytes_unref(n->data);
    n->data = NULL;
    n->data_txn = NULL;
}

static void node_free(ZkNode *n)
{
    g_assert(!n->children || n->children->len == 0);
    if (n->children)
        g_ptr_array_unref(n->children);
    node_drop_data(n);
    sim_rcstr_unref(n->path);
    g_free(n);
}

/* Binary search of parent's children by name; *idx = position or insert point. */
static gboolean child_find(const ZkNode *parent, const char *name, guint *idx)
{
    guint lo = 0, hi = parent->children ? parent->children->len : 0;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const ZkNode *c = g_ptr_array_index(parent->children, mid);
        int r = strcmp(c->name, name);
        if (r == 0) {
            *idx = mid;
            return TRUE;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *idx = lo;
    return FALSE;
}

static void child_add(ZkNode *parent, ZkNode *child)
{
    guint idx;
    gboolean found = child_find(parent, child->name, &idx);
    g_assert(!found);
    if (!parent->children)
        parent->children = g_ptr_array_new();
    g_ptr_array_insert(parent->children, (gint)idx, child);
    child->parent = parent;
    parent->st.num_children = (int32_t)parent->children->len;
}

/* DataNode.removeChild: a missing name is a no-op. */
static void child_remove(ZkNode *parent, const char *name)
{
    guint idx;
    if (!child_find(parent, name, &idx))
        return;
    g_ptr_array_remove_index(parent->children, idx);
    parent->st.num_children = (int32_t)parent->children->len;
}

/* ---- the tree ---------------------------------------------------------- */

typedef struct EphSet {
    uint64_t session;
    GTree *paths; /* node path (borrowed from the node) -> ZkNode * */
} EphSet;

typedef struct SessionRec {
    uint64_t id;
    int32_t timeout_ms;
} SessionRec;

struct ZkTree {
    SimStrMap nodes; /* path (owned by the node) -> ZkNode * */
    ZkNode *root;
    GTree *ephemerals; /* &EphSet.session -> EphSet * */
    GTree *containers; /* path -> ZkNode * */
    GTree *ttls;       /* path -> ZkNode * */
    GTree *sessions;   /* &SessionRec.id -> SessionRec * */
    uint64_t last_zxid;
    uint64_t digest;
    size_t n_ephemerals;
    size_t path_bytes; /* sum of strlen(path) */
    size_t data_bytes; /* sum of data lengths */
    size_t n_data;     /* nodes holding a data buffer */
};

static gint cmp_u64_keys(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static gint cmp_str_keys(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    return strcmp(a, b);
}

static void eph_set_free(gpointer p)
{
    EphSet *s = p;
    g_tree_unref(s->paths);
    g_free(s);
}

/* Re-derives n's digest term after a stat change (data_changed: data too),
 * the `nodes.preChange` / `postChange` pair of DataTree. */
static void tree_rehash(ZkTree *t, ZkNode *n, gboolean data_changed)
{
    if (data_changed)
        node_crc_prefix(n);
    t->digest -= n->digest;
    n->digest = node_compute_digest(n);
    t->digest += n->digest;
}

/* Links a node (its parent already linked) into every index.  Its CRC
 * prefix must be set (node_crc_prefix or a copy). */
static void tree_link(ZkTree *t, ZkNode *n, ZkNode *parent)
{
    if (parent)
        child_add(parent, n);
    sim_strmap_put(&t->nodes, n->path, n);
    t->path_bytes += strlen(n->path);
    t->data_bytes += (size_t)n->st.data_length;
    t->n_data += n->data != NULL;
    n->digest = node_compute_digest(n);
    t->digest += n->digest;
    switch (n->owner_kind) {
    case OWNER_NONE:
        break;
    case OWNER_SESSION: {
        uint64_t s = n->st.ephemeral_owner;
        EphSet *set = g_tree_lookup(t->ephemerals, &s);
        if (!set) {
            set = g_new0(EphSet, 1);
            set->session = s;
            set->paths = g_tree_new_full(cmp_str_keys, NULL, NULL, NULL);
            g_tree_insert(t->ephemerals, &set->session, set);
        }
        g_tree_insert(set->paths, n->path, n);
        t->n_ephemerals++;
        break;
    }
    case OWNER_CONTAINER:
        g_tree_insert(t->containers, n->path, n);
        break;
    case OWNER_TTL:
        g_tree_insert(t->ttls, n->path, n);
        break;
    }
}

/* Removes a childless node from every index and frees it; the caller has
 * already detached it from its parent's children. */
static void tree_unlink_free(ZkTree *t, ZkNode *n)
{
    g_assert(n->st.num_children == 0);
    switch (n->owner_kind) {
    case OWNER_NONE:
        break;
    case OWNER_SESSION: {
        /* The set may be gone already: killSession takes it out first. */
        uint64_t s = n->st.ephemeral_owner;
        EphSet *set = g_tree_lookup(t->ephemerals, &s);
        if (set && g_tree_remove(set->paths, n->path)) {
            g_assert(t->n_ephemerals > 0);
            t->n_ephemerals--;
            if (g_tree_nnodes(set->paths) == 0)
                g_tree_remove(t->ephemerals, &s);
        }
        break;
    }
    case OWNER_CONTAINER:
        g_tree_remove(t->containers, n->path);
        break;
    case OWNER_TTL:
        g_tree_remove(t->ttls, n->path);
        break;
    }
    t->digest -= n->digest;
    t->path_bytes -= strlen(n->path);
    t->data_bytes -= (size_t)n->st.data_length;
    t->n_data -= n->data != NULL;
    gboolean removed = sim_strmap_take(&t->nodes, n->path) != NULL;
    g_assert(removed);
    node_free(n);
}

static ZkTree *tree_alloc(void)
{
    ZkTree *t = g_new0(ZkTree, 1);
    sim_strmap_init(&t->nodes);
    t->ephemerals = g_tree_new_full(cmp_u64_keys, NULL, NULL, eph_set_free);
    t->containers = g_tree_new_full(cmp_str_keys, NULL, NULL, NULL);
    t->ttls = g_tree_new_full(cmp_str_keys, NULL, NULL, NULL);
    t->sessions = g_tree_new_full(cmp_u64_keys, NULL, NULL, g_free);
    return t;
}

ZkTree *zk_tree_new(void)
{
    ZkTree *t = tree_alloc();
    t->root = node_new("/", NULL);
    tree_link(t, t->root, NULL);
    ZkNode *proc = node_new("/zookeeper", NULL);
    tree_link(t, proc, t->root);
    tree_link(t, node_new("/zookeeper/quota", NULL), proc);
    ZkNode *config = node_new("/zookeeper/config", NULL);
    config->perms = ZK_PERM_READ; /* ZooDefs.Ids.READ_ACL_UNSAFE (ZOOKEEPER-2014) */
    tree_link(t, config, proc);
    return t;
}

/* Post-order walk freeing every node (no index upkeep: the tree goes too). */
static void free_subtree(ZkNode *n)
{
    GPtrArray *stack = g_ptr_array_new();
    g_ptr_array_add(stack, n);
    while (stack->len > 0) {
        ZkNode *top = g_ptr_array_index(stack, stack->len - 1);
        if (top->children && top->children->len > 0) {
            g_ptr_array_add(stack, g_ptr_array_steal_index(top->children, top->children->len - 1));
            continue;
        }
        g_ptr_array_remove_index(stack, stack->len - 1);
        node_free(top);
    }
    g_ptr_array_unref(stack);
}

void zk_tree_free(ZkTree *t)
{
    if (!t)
        return;
    g_tree_unref(t->ephemerals);
    g_tree_unref(t->containers);
    g_tree_unref(t->ttls);
    g_tree_unref(t->sessions);
    sim_strmap_clear(&t->nodes, NULL);
    free_subtree(t->root);
    g_free(t);
}

/* Pre-order walk with an explicit stack (paths may be deep). */
static void walk(const ZkNode *root, ZkNodeVisitFn fn, void *ctx)
{
    GPtrArray *nodes = g_ptr_array_new();
    GArray *next = g_array_new(FALSE, FALSE, sizeof(guint));
    fn(root, ctx);
    g_ptr_array_add(nodes, (gpointer)root);
    guint zero = 0;
    g_array_append_val(next, zero);
    while (nodes->len > 0) {
        const ZkNode *top = g_ptr_array_index(nodes, nodes->len - 1);
        guint *i = &g_array_index(next, guint, next->len - 1);
        if (!top->children || *i >= top->children->len) {
            g_ptr_array_remove_index(nodes, nodes->len - 1);
            g_array_remove_index(next, next->len - 1);
            continue;
        }
        const ZkNode *c = g_ptr_array_index(top->children, (*i)++);
        fn(c, ctx);
        g_ptr_array_add(nodes, (gpointer)c);
        g_array_append_val(next, zero);
    }
    g_ptr_array_unref(nodes);
    g_array_unref(next);
}

void zk_tree_foreach(const ZkTree *t, ZkNodeVisitFn fn, void *ctx)
{
    walk(t->root, fn, ctx);
}

typedef struct CopyCtx {
    const ZkTree *src;
    ZkTree *dst;
} CopyCtx;

static void copy_visit(const ZkNode *n, void *ctx)
{
    CopyCtx *c = ctx;
    ZkNode *m = node_alloc(n->path, n->data);
    m->crc_prefix = n->crc_prefix;
    m->st = n->st;
    m->st.num_children = 0; /* child_add counts them again */
    m->owner_kind = n->owner_kind;
    m->perms = n->perms;
    ZkNode *parent = n->parent ? sim_strmap_get(&c->dst->nodes, n->parent->path) : NULL;
    g_assert(!n->parent || parent);
    if (!parent)
        c->dst->root = m;
    tree_link(c->dst, m, parent);
}

static gboolean copy_session(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    ZkTree *dst = data;
    SessionRec *r = g_memdup2(value, sizeof(SessionRec));
    g_tree_insert(dst->sessions, &r->id, r);
    return FALSE;
}

ZkTree *zk_tree_copy(const ZkTree *t)
{
    ZkTree *d = tree_alloc();
    CopyCtx c = {.src = t, .dst = d};
    walk(t->root, copy_visit, &c);
    g_tree_foreach(t->sessions, copy_session, d);
    d->last_zxid = t->last_zxid;
    g_assert(d->digest == t->digest);
    return d;
}

/* ---- paths ------------------------------------------------------------- */

/* PathUtils.validatePath's character rule, on Unicode code points: the
 * Java check runs on UTF-16 units, so anything beyond the BMP (a
 * surrogate pair) is rejected as well. */
static gboolean char_is_valid(gunichar c)
{
    return !((c >= 0x1 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) ||
             c >= 0xfff0);
}

static gboolean path_check(const char *path)
{
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/')
        return FALSE;
    if (len == 1)
        return TRUE;
    if (path[len - 1] == '/')
        return FALSE;
    const char *comp = path + 1;
    for (;;) {
        const char *end = strchr(comp, '/');
        size_t n = end ? (size_t)(end - comp) : strlen(comp);
        if (n == 0)
            return FALSE; /* empty node name */
        if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.'))
            return FALSE; /* relative path */
        if (!end)
            break;
        comp = end + 1;
    }
    for (const char *p = path; *p;) {
        unsigned char b = (unsigned char)*p;
        if (b < 0x80) {
            /* ASCII, the usual case: one byte, valid unless a control
             * character (char_is_valid's first range, and DEL). */
            if (b <= 0x1f || b == 0x7f)
                return FALSE;
            p++;
            continue;
        }
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2 || !char_is_valid(c))
            return FALSE;
        p = g_utf8_next_char(p);
    }
    return TRUE;
}

gboolean zk_path_is_valid(const char *path, size_t len, gboolean sequential)
{
    if (!path)
        return FALSE;
    if (len == 0) {
        if (!sequential)
            return path_check(path); /* NUL-terminated already: no copy */
        len = strlen(path);
    } else if (memchr(path, '\0', len)) {
        return FALSE; /* "null character not allowed" */
    }
    g_autofree char *s = g_strndup(path, len);
    if (sequential) {
        g_autofree char *seq = g_strconcat(s, "1", NULL);
        return path_check(seq);
    }
    return path_check(s);
}

/* parent(p) as DataTree computes it (`path.substring(0, lastSlash)`),
 * with "" mapped to "/"; NULL for the root.  Returns a new string. */
static char *path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    g_assert(slash);
    if (slash == path)
        return path[1] ? g_strdup("/") : NULL;
    return g_strndup(path, (size_t)(slash - path));
}

/* `DataTree.isSpecialPath`. */
static gboolean path_is_special(const char *path)
{
    return strcmp(path, "/") == 0 || strcmp(path, "/zookeeper") == 0 || strcmp(path, "/zookeeper/quota") == 0 ||
           strcmp(path, "/zookeeper/config") == 0;
}

/* ---- transactions ------------------------------------------------------ */

typedef struct TxnOp {
    ZkOpCode type;          /* create, create2, createContainer, createTTL, delete,
                             * deleteContainer, setData, check, or error */
    ZkErr err;              /* error */
    char *path;             /* final path (a refcounted string, sim_rcstr.h); NULL for error */
    GBytes *data;           /* create*, setData; NULL when empty */
    /* Memo: sim_str_hash(path), for the node lookup on every replica. */
    uint64_t path_hash;
    int32_t version;        /* setData: the new version; check: checkAndIncVersion's result */
    int32_t parent_cversion; /* create*: the parent's new cversion */
    /* Memo: the CRC of (path, data), the part of the node's digest term
     * that every server computes alike for this op.  Set by the leader's
     * prep (create, setData) or else by the first server that applies
     * it; the stat part is always computed. */
    uint32_t crc_prefix;
    guint8 ephemeral;       /* create/create2 */
    guint8 hash_known, crc_known;
    /* Memo: the node's digest term after this op and the stat it was
     * computed from (setData), reused by a server whose node ends with
     * the same stat - on consistent replicas, every server after the first. */
    guint8 digest_known;
    uint64_t digest;
    ZkStat digest_stat;
    int64_t ttl_ms;         /* createTTL */
} TxnOp;

/* The node op names in t (NULL if none), hashing its path once for all
 * replicas.  The memo is set through a const pointer like the others:
 * it is a cache of a pure function of op->path, never observed. */
static ZkNode *op_node(const ZkTree *t, const TxnOp *op)
{
    if (!op->hash_known) {
        TxnOp *memo = (TxnOp *)op;
        memo->path_hash = sim_str_hash(op->path);
        memo->hash_known = TRUE;
    }
    return sim_strmap_get_h(&t->nodes, op->path, op->path_hash);
}

/* The stat fields the digest covers are equal. */
static gboolean digest_stat_equal(const ZkStat *a, const ZkStat *b)
{
    return a->czxid == b->czxid && a->mzxid == b->mzxid && a->pzxid == b->pzxid && a->ctime == b->ctime &&
           a->mtime == b->mtime && a->version == b->version && a->cversion == b->cversion &&
           a->aversion == b->aversion && a->ephemeral_owner == b->ephemeral_owner;
}

static void tree_rehash(ZkTree *t, ZkNode *n, gboolean data_changed);

/* tree_rehash for a node op has just changed (its CRC prefix already
 * set): the digest term comes from the op's memo when this server's node
 * has the stat the memo was computed from. */
static void node_rehash_from_op(ZkTree *t, ZkNode *n, const TxnOp *op)
{
    if (op->digest_known && op->crc_prefix == n->crc_prefix && digest_stat_equal(&op->digest_stat, &n->st)) {
        t->digest -= n->digest;
        n->digest = op->digest;
        t->digest += n->digest;
        return;
    }
    tree_rehash(t, n, FALSE);
    TxnOp *memo = (TxnOp *)op;
    memo->digest_known = TRUE;
    memo->digest_stat = n->st;
    memo->digest = n->digest;
}

/* Gives n (whose path and data are op's) its CRC prefix, from the memo
 * when a server already computed it.  The memo is a cache on an
 * otherwise immutable txn, hence the cast. */
static void node_prefix_from_op(ZkNode *n, const TxnOp *op)
{
    if (op->crc_known) {
        n->crc_prefix = op->crc_prefix;
        return;
    }
    node_crc_prefix(n);
    TxnOp *memo = (TxnOp *)op;
    memo->crc_prefix = n->crc_prefix;
    memo->crc_known = TRUE;
}

struct ZkTxn {
    /* The first cache line: what a log append, a message's size, an
     * unreference and a server's apply read of every txn. */
    guint ref; /* one thread: a plain count (grefcount is a call per change) */
    ZkOpCode type;     /* TxnHeader.type */
    ZkErr err;         /* error txns */
    guint n_ops;
    uint64_t zxid;
    size_t wire_size;
    TxnOp *ops;         /* single op: 1 (== &one); multi: n; else 0 */
    SimTime time;
    uint64_t session;
    int32_t cxid;
    int32_t timeout_ms; /* createSession */
    ZkOpCode req_type; /* the request's type (not on the wire) */
    guint n_close_paths;
    char **close_paths; /* closeSession, sorted */
    TxnOp one;          /* a single op's storage: no second allocation */
};

/* Txns are made once per write and shared by every server: pooled. */
static SimPool txn_pool = SIM_POOL_INIT(ZkTxn);

static ZkTxn *txn_new(const ZkRequest *req, ZkOpCode type, uint64_t zxid, SimTime now)
{
    ZkTxn *t = SIM_POOL_NEW0(&txn_pool, ZkTxn);
    t->ref = 1;
    t->type = type;
    t->req_type = req->type;
    t->err = ZK_ERR_OK;
    t->zxid = zxid;
    t->session = req->session;
    t->cxid = req->cxid;
    t->time = now;
    return t;
}

static void txn_op_clear(TxnOp *op)
{
    sim_rcstr_unref(op->path);
    if (op->data)
        g_bytes_unref(op->data);
    memset(op, 0, sizeof *op);
}

/* Clears the ops and frees their array unless it is the inline one. */
static void txn_ops_free(ZkTxn *txn)
{
    for (guint i = 0; i < txn->n_ops; i++)
        txn_op_clear(&txn->ops[i]);
    if (txn->ops != &txn->one)
        g_free(txn->ops);
    txn->ops = NULL;
}

ZkTxn *zk_txn_ref(ZkTxn *txn)
{
    g_assert(txn->ref > 0);
    txn->ref++;
    return txn;
}

void zk_txn_prefetch(const ZkTxn *txn, int stage)
{
    if (stage == 0) {
        __builtin_prefetch(&txn->ref, 1);
        __builtin_prefetch(&txn->one, 0); /* its op: read by the last unref */
        return;
    }
    /* Only the last reference's drop frees; the others touch the count. */
    if (txn->ref != 1 || txn->ops != &txn->one || !txn->one.data)
        return;
    if (stage == 1) {
        __builtin_prefetch(txn->one.data, 1);
        return;
    }
    /* A free writes its allocator's header just before the bytes. */
    const char *bytes = g_bytes_get_data(txn->one.data, NULL);
    if (bytes) {
        __builtin_prefetch(bytes - 16, 1);
        __builtin_prefetch(bytes, 0);
    }
}

gboolean zk_tree_prefetch_pays(const ZkTree *t)
{
    /* A few hundred nodes on each replica stay in the caches anyway. */
    return t->nodes.len >= 512;
}

void zk_tree_prefetch(const ZkTree *t, const ZkTxn *txn, int stage)
{
    if (stage == 0) {
        __builtin_prefetch(txn);
        __builtin_prefetch(&txn->one);
        return;
    }
    if (txn->n_ops != 1 || !txn->ops[0].path || !t->nodes.cap)
        return;
    const TxnOp *op = &txn->ops[0];
    if (!op->hash_known) {
        TxnOp *memo = (TxnOp *)op;
        memo->path_hash = sim_str_hash(op->path);
        memo->hash_known = TRUE;
    }
    const SimMapSlot *slot = &t->nodes.slots[sim_map_slot(&t->nodes, op->path_hash)];
    if (stage == 1) {
        __builtin_prefetch(slot);
        return;
    }
    /* The home slot only (no probing): a hint, right in the usual case. */
    if (!slot->val || slot->hash != op->path_hash)
        return;
    const ZkNode *n = slot->val;
    if (stage == 2) {
        sim_prefetch_range(n, sizeof *n);
    } else if (n->data_txn) {
        __builtin_prefetch(n->data_txn, 1); /* the data it replaces: unreferenced */
    }
}

void zk_tree_prefetch_ahead(const ZkTree *t, const SimRing *ring, size_t txn_offset)
{
    guint n = sim_ring_len(ring);
    if (!n || !zk_tree_prefetch_pays(t))
        return;
    for (int stage = 0; stage < ZK_TREE_PREFETCH_STAGES; stage++) {
        guint ahead = (guint)(ZK_TREE_PREFETCH_STAGES - stage); /* 4, 3, 2, 1 */
        if (n > ahead)
            zk_tree_prefetch(t, *(ZkTxn *const *)((const char *)sim_ring_nth(ring, ahead) + txn_offset), stage);
    }
}

void zk_txn_unref(ZkTxn *txn)
{
    if (!txn)
        return;
    g_assert(txn->ref > 0);
    if (--txn->ref > 0)
        return;
    txn_ops_free(txn);
    for (guint i = 0; i < txn->n_close_paths; i++)
        g_free(txn->close_paths[i]);
    g_free(txn->close_paths);
    sim_pool_free(&txn_pool, txn);
}

uint64_t zk_txn_zxid(const ZkTxn *txn)
{
    return txn->zxid;
}

ZkOpCode zk_txn_type(const ZkTxn *txn)
{
    return txn->type;
}

ZkOpCode zk_txn_request_type(const ZkTxn *txn)
{
    return txn->req_type;
}

uint64_t zk_txn_session(const ZkTxn *txn)
{
    return txn->session;
}

int32_t zk_txn_cxid(const ZkTxn *txn)
{
    return txn->cxid;
}

SimTime zk_txn_time(const ZkTxn *txn)
{
    return txn->time;
}

ZkErr zk_txn_err(const ZkTxn *txn)
{
    if (txn->type == ZK_OP_ERROR)
        return txn->err;
    for (guint i = 0; i < txn->n_ops; i++)
        if (txn->ops[i].type == ZK_OP_ERROR && txn->ops[i].err != ZK_ERR_OK)
            return txn->ops[i].err;
    return ZK_ERR_OK;
}

size_t zk_txn_size(const ZkTxn *txn)
{
    return txn->wire_size;
}

guint zk_txn_op_count(const ZkTxn *txn)
{
    return txn->n_ops;
}

ZkOpCode zk_txn_op_type(const ZkTxn *txn, guint i)
{
    g_assert(i < txn->n_ops);
    return txn->ops[i].type;
}

ZkErr zk_txn_op_err(const ZkTxn *txn, guint i)
{
    g_assert(i < txn->n_ops);
    return txn->ops[i].type == ZK_OP_ERROR ? txn->ops[i].err : ZK_ERR_OK;
}

const char *zk_txn_op_path(const ZkTxn *txn, guint i)
{
    g_assert(i < txn->n_ops);
    return txn->ops[i].path;
}

guint zk_txn_close_path_count(const ZkTxn *txn)
{
    return txn->n_close_paths;
}

const char *zk_txn_close_path(const ZkTxn *txn, guint i)
{
    g_assert(i < txn->n_close_paths);
    return txn->close_paths[i];
}

int32_t zk_txn_session_timeout_ms(const ZkTxn *txn)
{
    return txn->timeout_ms;
}

static void describe_op(const TxnOp *op, GString *out)
{
    if (op->type == ZK_OP_ERROR)
        g_string_append_printf(out, "error(%s)", zk_err_name(op->err));
    else
        g_string_append_printf(out, "%s %s", zk_op_name(op->type), op->path);
}

void zk_txn_describe(const ZkTxn *txn, GString *out)
{
    g_string_append_printf(out, "0x%" PRIx64 " ", txn->zxid);
    if (txn->type == ZK_OP_ERROR) {
        g_string_append_printf(out, "error(%s) for %s", zk_err_name(txn->err), zk_op_name(txn->req_type));
    } else if (txn->type == ZK_OP_MULTI) {
        g_string_append(out, "multi[");
        for (guint i = 0; i < txn->n_ops; i++) {
            if (i > 0)
                g_string_append(out, ", ");
            describe_op(&txn->ops[i], out);
        }
        g_string_append(out, "]");
    } else if (txn->type == ZK_OP_CREATE_SESSION) {
        g_string_append_printf(out, "createSession 0x%" PRIx64 " timeout=%" PRId32 "ms", txn->session,
                               txn->timeout_ms);
    } else if (txn->type == ZK_OP_CLOSE_SESSION) {
        g_string_append_printf(out, "closeSession 0x%" PRIx64 " (%u ephemerals)", txn->session,
                               txn->n_close_paths);
    } else {
        g_assert(txn->n_ops == 1); /* every other type is one op */
        describe_op(&txn->ops[0], out);
    }
}

/* ---- wire sizes (jute: int 4, long 8, bool 1, string/buffer 4 + len) --- */

#define JUTE_INT 4u
#define JUTE_LONG 8u
#define JUTE_BOOL 1u
/* A vector holding one ACL world:anyone: count, perms, "world", "anyone". */
#define JUTE_OPEN_ACL (JUTE_INT + JUTE_INT + (JUTE_INT + 5u) + (JUTE_INT + 6u))
#define TXN_HEADER_BYTES (JUTE_LONG + JUTE_INT + JUTE_LONG + JUTE_LONG + JUTE_INT)
#define TXN_DIGEST_BYTES (JUTE_INT + JUTE_LONG)

static size_t jute_str(const char *s)
{
    return JUTE_INT + (s ? strlen(s) : 0);
}

static size_t jute_buf(GBytes *b)
{
    return JUTE_INT + (b ? g_bytes_get_size(b) : 0);
}

/* The record of one (sub-)txn: CreateTxn, DeleteTxn, SetDataTxn, ... */
static size_t txn_op_size(const TxnOp *op)
{
    ZkOpCode t = op->type;
    size_t create = jute_str(op->path) + jute_buf(op->data) + JUTE_OPEN_ACL + JUTE_INT; /* + parentCVersion */
    if (t == ZK_OP_CREATE || t == ZK_OP_CREATE2)
        return create + JUTE_BOOL; /* ephemeral */
    if (t == ZK_OP_CREATE_CONTAINER)
        return create;
    if (t == ZK_OP_CREATE_TTL)
        return create + JUTE_LONG; /* ttl */
    if (t == ZK_OP_DELETE || t == ZK_OP_DELETE_CONTAINER)
        return jute_str(op->path);
    if (t == ZK_OP_SET_DATA)
        return jute_str(op->path) + jute_buf(op->data) + JUTE_INT;
    if (t == ZK_OP_CHECK)
        return jute_str(op->path) + JUTE_INT;
    g_assert(t == ZK_OP_ERROR);
    return JUTE_INT;
}

static size_t txn_compute_size(const ZkTxn *t)
{
    size_t body;
    if (t->type == ZK_OP_MULTI) {
        body = JUTE_INT;
        for (guint i = 0; i < t->n_ops; i++)
            body += JUTE_INT + JUTE_INT + txn_op_size(&t->ops[i]); /* Txn: type, buffer */
    } else if (t->type == ZK_OP_CLOSE_SESSION) {
        body = JUTE_INT;
        for (guint i = 0; i < t->n_close_paths; i++)
            body += jute_str(t->close_paths[i]);
    } else if (t->type == ZK_OP_CREATE_SESSION || t->type == ZK_OP_ERROR) {
        body = JUTE_INT; /* CreateSessionTxn.timeOut, ErrorTxn.err */
    } else {
        g_assert(t->n_ops == 1);
        body = txn_op_size(&t->ops[0]);
    }
    return TXN_HEADER_BYTES + body + TXN_DIGEST_BYTES;
}

static size_t op_request_size(const ZkOpRequest *op, ZkOpCode type)
{
    size_t path = JUTE_INT + (op->path_len ? op->path_len : (op->path ? strlen(op->path) : 0));
    size_t create = path + jute_buf(op->data) + JUTE_OPEN_ACL + JUTE_INT; /* + flags */
    if (type == ZK_OP_CREATE || type == ZK_OP_CREATE2 || type == ZK_OP_CREATE_CONTAINER)
        return create;
    if (type == ZK_OP_CREATE_TTL)
        return create + JUTE_LONG;
    if (type == ZK_OP_DELETE || type == ZK_OP_DELETE_CONTAINER || type == ZK_OP_CHECK)
        return path + JUTE_INT; /* version */
    if (type == ZK_OP_SET_DATA)
        return path + jute_buf(op->data) + JUTE_INT;
    return path; /* reads: path (+ watch flag, ignored) */
}

size_t zk_request_size(const ZkRequest *req)
{
    const size_t frame = JUTE_INT, header = JUTE_INT + JUTE_INT; /* length prefix; xid, type */
    const size_t multi_header = JUTE_INT + JUTE_BOOL + JUTE_INT; /* type, done, err */
    if (req->type == ZK_OP_MULTI) {
        size_t n = frame + header + multi_header; /* the closing done=true header */
        for (guint i = 0; i < req->n_ops; i++)
            n += multi_header + op_request_size(&req->ops[i], req->ops[i].type);
        return n;
    }
    if (req->type == ZK_OP_CREATE_SESSION) {
        /* ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId,
         * passwd (16 bytes), readOnly. */
        return frame + JUTE_INT + JUTE_LONG + JUTE_INT + JUTE_LONG + (JUTE_INT + 16) + JUTE_BOOL;
    }
    if (req->type == ZK_OP_CLOSE_SESSION)
        return frame + header;
    return frame + header + op_request_size(&req->op, req->type);
}

/* ---- prep: change records (`ZooKeeperServer.ChangeRecord`) -------------- */

/* What the leader believes about a path: the newest outstanding change,
 * or else the tree.  exists == FALSE is a pending delete (stat == null). */
typedef struct NodeView {
    gboolean exists;
    ZkStat st;           /* st.num_children is the record's childCount */
    uint32_t perms;
} NodeView;

typedef struct ChangeRecord {
    uint64_t zxid;
    char *path;
    uint64_t path_hash; /* sim_str_hash(path): by_path is probed with it */
    NodeView v;
} ChangeRecord;

struct ZkPrep {
    SimRing records;     /* ChangeRecord *, oldest first (`outstandingChanges`) */
    SimStrMap by_path;   /* path (owned by the record) -> ChangeRecord *
                          * (`outstandingChangesForPath`) */
    gboolean extended_types;
};

/* Ephemeral kinds of an ephemeralOwner (`EphemeralType.get`). */
typedef enum { ETYPE_VOID, ETYPE_NORMAL, ETYPE_CONTAINER, ETYPE_TTL } EphemeralType;

static EphemeralType ephemeral_type(uint64_t owner, gboolean extended)
{
    if (extended && (owner & ZK_TTL_EPHEMERAL_MASK) == ZK_TTL_EPHEMERAL_MASK &&
        (owner & ZK_TTL_RESERVED_MASK) == 0)
        return ETYPE_TTL;
    if (owner == ZK_CONTAINER_EPHEMERAL_OWNER)
        return ETYPE_CONTAINER;
    return owner == 0 ? ETYPE_VOID : ETYPE_NORMAL;
}

/* One or two per write at the leader: pooled. */
static SimPool record_pool = SIM_POOL_INIT(ChangeRecord);

static void record_free(ChangeRecord *r)
{
    sim_rcstr_unref(r->path);
    sim_pool_free(&record_pool, r);
}

ZkPrep *zk_prep_new(void)
{
    ZkPrep *p = g_new0(ZkPrep, 1);
    sim_ring_init(&p->records, sizeof(ChangeRecord *));
    sim_strmap_init(&p->by_path);
    return p;
}

void zk_prep_reset(ZkPrep *p)
{
    sim_strmap_clear(&p->by_path, NULL);
    ChangeRecord *r;
    while ((r = sim_ring_shift_ptr(&p->records)))
        record_free(r);
}

void zk_prep_free(ZkPrep *p)
{
    if (!p)
        return;
    zk_prep_reset(p);
    sim_ring_clear(&p->records);
    g_free(p);
}

void zk_prep_set_extended_types(ZkPrep *p, gboolean enabled)
{
    p->extended_types = enabled;
}

guint zk_prep_outstanding(const ZkPrep *p)
{
    return sim_ring_len(&p->records);
}

void zk_prep_applied(ZkPrep *p, uint64_t zxid)
{
    ChangeRecord *r;
    while ((r = sim_ring_head_ptr(&p->records)) && r->zxid <= zxid) {
        sim_ring_pop(&p->records);
        if (sim_strmap_get_h(&p->by_path, r->path, r->path_hash) == r)
            sim_strmap_take_h(&p->by_path, r->path, r->path_hash);
        record_free(r);
    }
}

/* `PrepRequestProcessor.getRecordForPath`, without the NoNode throw:
 * returns whether the path exists as the leader sees it. */
/* *canon (if canon) is set to the record's or the node's own path string
 * when there is either, else NULL. */
static gboolean view_lookup(const ZkPrep *p, const ZkTree *t, const char *path, NodeView *v, char **canon)
{
    uint64_t h = sim_str_hash(path);
    const ChangeRecord *r = sim_strmap_get_h(&p->by_path, path, h);
    if (r) {
        *v = r->v;
        if (canon)
            *canon = r->path;
        return v->exists;
    }
    const ZkNode *n = sim_strmap_get_h(&t->nodes, path, h);
    memset(v, 0, sizeof *v);
    if (canon)
        *canon = n ? n->path : NULL;
    if (!n)
        return FALSE;
    v->exists = TRUE;
    v->st = n->st;
    v->perms = n->perms;
    return TRUE;
}

static gboolean view_get(const ZkPrep *p, const ZkTree *t, const char *path, NodeView *v)
{
    return view_lookup(p, t, path, v, NULL);
}

/* view_get for an op on an existing node; *path (a reference the caller
 * owns) is swapped for the string the node or its newest record holds,
 * so the txn carries the very string every replica's node is keyed by
 * (see ZkNode.path). */
static gboolean view_get_canon(const ZkPrep *p, const ZkTree *t, char **path, NodeView *v)
{
    char *canon;
    gboolean exists = view_lookup(p, t, *path, v, &canon);
    if (canon && canon != *path) {
        sim_rcstr_ref(canon);
        sim_rcstr_unref(*path);
        *path = canon;
    }
    return exists;
}

/* `addChangeRecord`; ref_path is a refcounted string (sim_rcstr.h) the record takes a
 * reference to (the txn op's own path, or a fresh copy). */
static void record_add_ref(ZkPrep *p, uint64_t zxid, char *ref_path, const NodeView *v)
{
    const ChangeRecord *tail = sim_ring_tail_ptr(&p->records);
    g_assert(!tail || tail->zxid <= zxid);
    ChangeRecord *r = SIM_POOL_NEW0(&record_pool, ChangeRecord);
    r->zxid = zxid;
    r->path = sim_rcstr_ref(ref_path);
    r->path_hash = sim_str_hash(r->path);
    r->v = *v;
    sim_ring_push_ptr(&p->records, r);
    sim_strmap_put_h(&p->by_path, r->path, r->path_hash, r);
}

/* The same for a path that is not refcounted (a parent's): copied. */
static void record_add(ZkPrep *p, uint64_t zxid, const char *path, const NodeView *v)
{
    char *ref_path = sim_rcstr_new(path, -1);
    record_add_ref(p, zxid, ref_path, v);
    sim_rcstr_unref(ref_path);
}

/* A txn op's path and its change records share one refcounted string (sim_rcstr.h), which a
 * client request already carries (zk_req_new): no copy per write. */
typedef char RefPath;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RefPath, sim_rcstr_unref)

/* The op's path as a reference to a refcounted string, or NULL if it holds a NUL. */
static RefPath *op_path(const ZkOpRequest *op)
{
    g_assert(op->path);
    if (op->path_ref)
        return sim_rcstr_ref((char *)op->path);
    size_t len = op->path_len ? op->path_len : strlen(op->path);
    if (memchr(op->path, '\0', len))
        return NULL;
    return sim_rcstr_new(op->path, (gssize)len);
}

/* A saved (path -> record) pair, for rolling back a failed multi. */
typedef struct Pending {
    const char *path; /* the record's own path */
    ChangeRecord *rec;
} Pending;

/* `getPendingChanges`: the records currently in force for each op's path
 * and its parent (ZOOKEEPER-1624: the parent's, so that a rolled-back
 * sequential create does not skew the next name).  The root's records
 * live under "/" here (ZooKeeper files creates under the alias ""). */
static GArray *pending_save(const ZkPrep *p, const ZkRequest *req)
{
    GArray *saved = g_array_new(FALSE, FALSE, sizeof(Pending));
    for (guint i = 0; i < req->n_ops; i++) {
        g_autoptr(RefPath) path = op_path(&req->ops[i]);
        if (!path || !strchr(path, '/'))
            continue;
        ChangeRecord *r = sim_strmap_get(&p->by_path, path);
        if (r)
            g_array_append_val(saved, ((Pending){r->path, r}));
        g_autofree char *parent = path_parent(path);
        r = parent ? sim_strmap_get(&p->by_path, parent) : NULL;
        if (r)
            g_array_append_val(saved, ((Pending){r->path, r}));
    }
    return saved;
}

/* `rollbackPendingChanges`: drops the records of the multi at zxid (all at
 * the tail) and puts back the saved ones still outstanding. */
static void pending_rollback(ZkPrep *p, uint64_t zxid, const GArray *saved)
{
    ChangeRecord *r;
    while ((r = sim_ring_tail_ptr(&p->records)) && r->zxid == zxid) {
        sim_ring_pop_tail(&p->records);
        sim_strmap_take(&p->by_path, r->path);
        record_free(r);
    }
    const ChangeRecord *head = sim_ring_head_ptr(&p->records);
    if (!head)
        return;
    for (guint i = 0; i < saved->len; i++) {
        const Pending *s = &g_array_index(saved, Pending, i);
        if (s->rec->zxid >= head->zxid)
            sim_strmap_put(&p->by_path, s->rec->path, s->rec);
    }
}

/* `checkAndIncVersion`: -1 matches anything; the next version skips -1
 * on wrap (ZOOKEEPER-4743). */
static ZkErr check_and_inc_version(int32_t current, int32_t expected, int32_t *next)
{
    if (expected != -1 && expected != current)
        return ZK_ERR_BAD_VERSION;
    int32_t n = (int32_t)((uint32_t)current + 1u);
    *next = n == -1 ? 0 : n;
    return ZK_ERR_OK;
}

static int32_t inc_wrap(int32_t v)
{
    return (int32_t)((uint32_t)v + 1u);
}

static gboolean data_too_big(GBytes *data)
{
    return data && g_bytes_get_size(data) > ZK_DATA_MAX_BYTES;
}

static GBytes *data_ref(GBytes *data)
{
    return data && g_bytes_get_size(data) > 0 ? g_bytes_ref(data) : NULL;
}

/* `pRequest2TxnCreate` (create, create2, createContainer, createTTL). */
static ZkErr prep_create(ZkPrep *p, const ZkTree *t, const ZkRequest *req, const ZkOpRequest *op, ZkOpCode type,
                         uint64_t zxid, SimTime now, TxnOp *out)
{
    ZkCreateMode mode = op->mode;
    gboolean seq = zk_create_mode_is_sequential(mode);
    /* Client side: path, mode/op agreement and TTL range (validateTTL). */
    g_autoptr(RefPath) path = op_path(op);
    if (!path || !zk_path_is_valid(path, 0, seq))
        return ZK_ERR_BAD_ARGUMENTS;
    if (zk_create_mode_is_container(mode) != (type == ZK_OP_CREATE_CONTAINER) ||
        zk_create_mode_is_ttl(mode) != (type == ZK_OP_CREATE_TTL))
        return ZK_ERR_BAD_ARGUMENTS;
    if (zk_create_mode_is_ttl(mode) && (op->ttl_ms <= 0 || op->ttl_ms > ZK_TTL_MAX_MS))
        return ZK_ERR_BAD_ARGUMENTS;
    if (data_too_big(op->data))
        return ZK_ERR_BAD_ARGUMENTS;
    /* Server side, in `pRequest2TxnCreate` order. */
    if (zk_create_mode_is_ttl(mode) && !p->extended_types)
        return ZK_ERR_UNIMPLEMENTED;
    if (req->session_err != ZK_ERR_OK)
        return req->session_err;
    g_autofree char *parent_path = path_parent(path);
    if (!parent_path) /* "/" itself: its parent is the root alias "" */
        parent_path = g_strdup("/");
    NodeView parent;
    if (!view_get(p, t, parent_path, &parent))
        return ZK_ERR_NO_NODE;
    if (!(parent.perms & ZK_PERM_CREATE))
        return ZK_ERR_NO_AUTH;
    if (seq) {
        g_autofree char *full = g_strdup_printf("%s%010" PRId32, path, parent.st.cversion);
        sim_rcstr_unref(path);
        path = sim_rcstr_new(full, -1);
    }
    g_assert(zk_path_is_valid(path, 0, FALSE));
    NodeView existing;
    if (view_get(p, t, path, &existing))
        return ZK_ERR_NODE_EXISTS;
    if (ephemeral_type(parent.st.ephemeral_owner, p->extended_types) == ETYPE_NORMAL)
        return ZK_ERR_NO_CHILDREN_FOR_EPHEMERALS;
    int32_t new_cversion = inc_wrap(parent.st.cversion);

    uint64_t owner = 0;
    if (zk_create_mode_is_container(mode))
        owner = ZK_CONTAINER_EPHEMERAL_OWNER;
    else if (zk_create_mode_is_ttl(mode))
        owner = ZK_TTL_EPHEMERAL_MASK | (uint64_t)op->ttl_ms;
    else if (zk_create_mode_is_ephemeral(mode))
        owner = req->session;

    *out = (TxnOp){
        .type = type,
        .path = g_steal_pointer(&path), /* the op owns it from here */
        .data = data_ref(op->data),
        .parent_cversion = new_cversion,
        .ephemeral = zk_create_mode_is_ephemeral(mode),
        .ttl_ms = zk_create_mode_is_ttl(mode) ? op->ttl_ms : 0,
    };
    out->crc_prefix = crc_prefix_of(out->path, out->data); /* as for setData */
    out->crc_known = TRUE;

    parent.st.num_children++;
    parent.st.cversion = new_cversion;
    parent.st.pzxid = zxid;
    record_add(p, zxid, parent_path, &parent);
    NodeView child = {.exists = TRUE, .perms = ZK_PERM_ALL};
    child.st = (ZkStat){.czxid = zxid, .mzxid = zxid, .pzxid = zxid, .ctime = now, .mtime = now,
                        .ephemeral_owner = owner, .data_length = op->data ? (int32_t)g_bytes_get_size(op->data) : 0};
    record_add_ref(p, zxid, out->path, &child);
    return ZK_ERR_OK;
}

/* `pRequest2Txn`, delete case. */
static ZkErr prep_delete(ZkPrep *p, const ZkTree *t, const ZkRequest *req, const ZkOpRequest *op, uint64_t zxid,
                         TxnOp *out)
{
    g_autoptr(RefPath) path = op_path(op);
    if (!path || !zk_path_is_valid(path, 0, FALSE))
        return ZK_ERR_BAD_ARGUMENTS;
    if (req->session_err != ZK_ERR_OK)
        return req->session_err;
    if (path_is_special(path)) /* getParentPathAndValidate */
        return ZK_ERR_BAD_ARGUMENTS;
    g_autofree char *parent_path = path_parent(path);
    NodeView parent, node;
    if (!view_get(p, t, parent_path, &parent))
        return ZK_ERR_NO_NODE;
    if (!(parent.perms & ZK_PERM_DELETE))
        return ZK_ERR_NO_AUTH;
    if (!view_get_canon(p, t, &path, &node))
        return ZK_ERR_NO_NODE;
    int32_t unused;
    ZkErr err = check_and_inc_version(node.st.version, op->version, &unused);
    if (err != ZK_ERR_OK)
        return err;
    if (node.st.num_children > 0)
        return ZK_ERR_NOT_EMPTY;

    *out = (TxnOp){.type = ZK_OP_DELETE, .path = g_steal_pointer(&path)};
    parent.st.num_children--;
    parent.st.pzxid = zxid;
    record_add(p, zxid, parent_path, &parent);
    NodeView gone = {.exists = FALSE};
    record_add_ref(p, zxid, out->path, &gone);
    return ZK_ERR_OK;
}

/* `pRequest2Txn`, deleteContainer case (sent by the ContainerManager). */
static ZkErr prep_delete_container(ZkPrep *p, const ZkTree *t, const ZkOpRequest *op, uint64_t zxid, TxnOp *out)
{
    g_autoptr(RefPath) path = op_path(op);
    if (!path || !zk_path_is_valid(path, 0, FALSE) || path_is_special(path))
        return ZK_ERR_BAD_ARGUMENTS;
    NodeView node, parent;
    if (!view_get_canon(p, t, &path, &node))
        return ZK_ERR_NO_NODE;
    if (node.st.num_children > 0)
        return ZK_ERR_NOT_EMPTY;
    if (ephemeral_type(node.st.ephemeral_owner, p->extended_types) == ETYPE_NORMAL)
        return ZK_ERR_BAD_VERSION;
    g_autofree char *parent_path = path_parent(path);
    if (!view_get(p, t, parent_path, &parent))
        return ZK_ERR_NO_NODE;

    *out = (TxnOp){.type = ZK_OP_DELETE_CONTAINER, .path = g_steal_pointer(&path)};
    parent.st.num_children--;
    parent.st.pzxid = zxid;
    record_add(p, zxid, parent_path, &parent);
    NodeView gone = {.exists = FALSE};
    record_add_ref(p, zxid, out->path, &gone);
    return ZK_ERR_OK;
}

/* `pRequest2Txn`, setData case. */
static ZkErr prep_set_data(ZkPrep *p, const ZkTree *t, const ZkRequest *req, const ZkOpRequest *op, uint64_t zxid,
                           SimTime now, TxnOp *out)
{
    g_autoptr(RefPath) path = op_path(op);
    if (!path || !zk_path_is_valid(path, 0, FALSE) || data_too_big(op->data))
        return ZK_ERR_BAD_ARGUMENTS;
    if (req->session_err != ZK_ERR_OK)
        return req->session_err;
    NodeView node;
    if (!view_get_canon(p, t, &path, &node))
        return ZK_ERR_NO_NODE;
    if (!(node.perms & ZK_PERM_WRITE))
        return ZK_ERR_NO_AUTH;
    int32_t new_version;
    ZkErr err = check_and_inc_version(node.st.version, op->version, &new_version);
    if (err != ZK_ERR_OK)
        return err;

    *out = (TxnOp){.type = ZK_OP_SET_DATA, .path = g_steal_pointer(&path), .data = data_ref(op->data),
                   .version = new_version};
    /* The node's CRC prefix after this write (the memo the first apply
     * would fill): computed here, while the data a client has just sent
     * is still in the caches, rather than a millisecond later at commit. */
    out->crc_prefix = crc_prefix_of(out->path, out->data);
    out->crc_known = TRUE;
    node.st.version = new_version;
    node.st.mtime = now;
    node.st.mzxid = zxid;
    node.st.data_length = op->data ? (int32_t)g_bytes_get_size(op->data) : 0;
    record_add_ref(p, zxid, out->path, &node);
    return ZK_ERR_OK;
}

/* `pRequest2Txn`, check case (no change record). */
static ZkErr prep_check(ZkPrep *p, const ZkTree *t, const ZkRequest *req, const ZkOpRequest *op, TxnOp *out)
{
    g_autoptr(RefPath) path = op_path(op);
    if (!path || !zk_path_is_valid(path, 0, FALSE))
        return ZK_ERR_BAD_ARGUMENTS;
    if (req->session_err != ZK_ERR_OK)
        return req->session_err;
    NodeView node;
    if (!view_get_canon(p, t, &path, &node))
        return ZK_ERR_NO_NODE;
    if (!(node.perms & ZK_PERM_READ))
        return ZK_ERR_NO_AUTH;
    int32_t next;
    ZkErr err = check_and_inc_version(node.st.version, op->version, &next);
    if (err != ZK_ERR_OK)
        return err;
    *out = (TxnOp){.type = ZK_OP_CHECK, .path = g_steal_pointer(&path), .version = next};
    return ZK_ERR_OK;
}

/* Can this op be a sub-op of a multi (`MultiOperationRecord`)? */
static gboolean multi_allows(ZkOpCode type)
{
    return type == ZK_OP_CREATE || type == ZK_OP_CREATE2 || type == ZK_OP_CREATE_CONTAINER ||
           type == ZK_OP_CREATE_TTL || type == ZK_OP_DELETE || type == ZK_OP_SET_DATA || type == ZK_OP_CHECK;
}

/* One op of a request; on error nothing is recorded and *out is untouched. */
static ZkErr prep_op(ZkPrep *p, const ZkTree *t, const ZkRequest *req, const ZkOpRequest *op, ZkOpCode type,
                     uint64_t zxid, SimTime now, TxnOp *out)
{
    if (type == ZK_OP_CREATE || type == ZK_OP_CREATE2 || type == ZK_OP_CREATE_CONTAINER ||
        type == ZK_OP_CREATE_TTL)
        return prep_create(p, t, req, op, type, zxid, now, out);
    if (type == ZK_OP_DELETE)
        return prep_delete(p, t, req, op, zxid, out);
    if (type == ZK_OP_DELETE_CONTAINER)
        return prep_delete_container(p, t, op, zxid, out);
    if (type == ZK_OP_SET_DATA)
        return prep_set_data(p, t, req, op, zxid, now, out);
    if (type == ZK_OP_CHECK)
        return prep_check(p, t, req, op, out);
    g_error("zk_prep_request: %s is not a write op", zk_op_name(type));
}

static ZkTxn *txn_error(ZkTxn *txn, ZkErr err)
{
    txn_ops_free(txn);
    txn->n_ops = 0;
    txn->type = ZK_OP_ERROR;
    txn->err = err;
    return txn;
}

/* `pRequestHelper`, multi case. */
static ZkErr prep_multi(ZkPrep *p, const ZkTree *t, const ZkRequest *req, uint64_t zxid, SimTime now, ZkTxn *txn)
{
    for (guint i = 0; i < req->n_ops; i++)
        if (!multi_allows(req->ops[i].type)) {
            txn_error(txn, ZK_ERR_MARSHALLING_ERROR); /* readRequestRecord fails */
            return ZK_ERR_MARSHALLING_ERROR;
        }
    g_autoptr(GArray) saved = pending_save(p, req);
    txn->n_ops = req->n_ops;
    txn->ops = g_new0(TxnOp, req->n_ops ? req->n_ops : 1);
    ZkErr first = ZK_ERR_OK;
    for (guint i = 0; i < req->n_ops; i++) {
        TxnOp *out = &txn->ops[i];
        if (first != ZK_ERR_OK) {
            *out = (TxnOp){.type = ZK_OP_ERROR, .err = ZK_ERR_RUNTIME_INCONSISTENCY};
            continue;
        }
        ZkErr err = prep_op(p, t, req, &req->ops[i], req->ops[i].type, zxid, now, out);
        if (err != ZK_ERR_OK) {
            *out = (TxnOp){.type = ZK_OP_ERROR, .err = err};
            first = err;
            pending_rollback(p, zxid, saved);
        }
    }
    return first;
}

/* `pRequest2Txn`, closeSession case: the session's ephemerals as the
 * leader sees them, outstanding creates and deletes included. */
static void prep_close_session(ZkPrep *p, const ZkTree *t, const ZkRequest *req, uint64_t zxid, ZkTxn *txn)
{
    g_autoptr(GTree) es = g_tree_new_full(cmp_str_keys, NULL, g_free, NULL);
    uint64_t s = req->session;
    const EphSet *set = g_tree_lookup(t->ephemerals, &s);
    if (set) {
        GTreeNode *it = g_tree_node_first(set->paths);
        for (; it; it = g_tree_node_next(it))
            g_tree_insert(es, g_strdup(g_tree_node_key(it)), NULL);
    }
    for (guint i = 0; i < sim_ring_len(&p->records); i++) {
        const ChangeRecord *r = sim_ring_nth_ptr(&p->records, i);
        if (!r->v.exists)
            g_tree_remove(es, r->path);
        else if (r->v.st.ephemeral_owner == s)
            g_tree_insert(es, g_strdup(r->path), NULL);
    }
    txn->n_close_paths = (guint)g_tree_nnodes(es);
    txn->close_paths = g_new0(char *, txn->n_close_paths + 1);
    guint i = 0;
    for (GTreeNode *it = g_tree_node_first(es); it; it = g_tree_node_next(it))
        txn->close_paths[i++] = g_strdup(g_tree_node_key(it));
    NodeView gone = {.exists = FALSE};
    for (i = 0; i < txn->n_close_paths; i++)
        record_add(p, zxid, txn->close_paths[i], &gone);
}

ZkErr zk_prep_request(ZkPrep *p, const ZkTree *t, const ZkRequest *req, uint64_t zxid, SimTime now, ZkTxn **out)
{
    g_assert(out);
    g_assert(zk_op_is_write(req->type));
    const ChangeRecord *tail = sim_ring_tail_ptr(&p->records);
    g_assert(!tail || tail->zxid < zxid);
    ZkTxn *txn = txn_new(req, req->type, zxid, now);
    ZkErr err = ZK_ERR_OK;
    if (req->type == ZK_OP_MULTI) {
        err = prep_multi(p, t, req, zxid, now, txn);
    } else if (req->type == ZK_OP_CREATE_SESSION) {
        txn->timeout_ms = req->timeout_ms;
    } else if (req->type == ZK_OP_CLOSE_SESSION) {
        prep_close_session(p, t, req, zxid, txn);
    } else {
        ZkOpCode type = req->op.type ? req->op.type : req->type;
        g_assert(type == req->type);
        txn->ops = &txn->one;
        err = prep_op(p, t, req, &req->op, type, zxid, now, &txn->ops[0]);
        txn->n_ops = 1;
        if (err != ZK_ERR_OK)
            txn_error(txn, err);
    }
    txn->wire_size = txn_compute_size(txn);
    *out = txn;
    return err;
}

/* ---- apply ------------------------------------------------------------- */

void zk_apply_result_clear(ZkApplyResult *res)
{
    if (res->txn)
        zk_txn_unref(res->txn);
    g_free(res->multi);
    memset(res, 0, sizeof *res);
}

/* `DataTree.createNode`. */
static ZkErr tree_create(ZkTree *t, const ZkTxn *txn, const TxnOp *op, ZkWatchManager *wm, ZkWatchEvents *fired,
                         ZkStat *st_out)
{
    g_autofree char *parent_path = path_parent(op->path);
    ZkNode *parent = sim_strmap_get(&t->nodes, parent_path ? parent_path : "/");
    if (!parent)
        return ZK_ERR_NO_NODE;
    if (op_node(t, op))
        return ZK_ERR_NODE_EXISTS;
    int32_t cversion = op->parent_cversion == -1 ? inc_wrap(parent->st.cversion) : op->parent_cversion;
    if (cversion > parent->st.cversion) {
        parent->st.cversion = cversion;
        parent->st.pzxid = txn->zxid;
        tree_rehash(t, parent, FALSE);
    }
    ZkNode *n = node_alloc(op->path, op->data);
    node_prefix_from_op(n, op);
    n->st.czxid = n->st.mzxid = n->st.pzxid = txn->zxid;
    n->st.ctime = n->st.mtime = txn->time;
    if (op->type == ZK_OP_CREATE_CONTAINER) {
        n->st.ephemeral_owner = ZK_CONTAINER_EPHEMERAL_OWNER;
        n->owner_kind = OWNER_CONTAINER;
    } else if (op->type == ZK_OP_CREATE_TTL) {
        n->st.ephemeral_owner = ZK_TTL_EPHEMERAL_MASK | (uint64_t)op->ttl_ms;
        n->owner_kind = OWNER_TTL;
    } else if (op->ephemeral) {
        n->st.ephemeral_owner = txn->session;
        n->owner_kind = OWNER_SESSION;
    }
    tree_link(t, n, parent);
    if (st_out)
        *st_out = n->st;
    if (wm)
        zk_watch_trigger_created(wm, n->path, txn->zxid, fired);
    return ZK_ERR_OK;
}

/* `DataTree.deleteNode`: the parent's pzxid moves even if the child is
 * already gone (fuzzy-snapshot replay). */
static ZkErr tree_delete(ZkTree *t, const char *path, uint64_t zxid, ZkWatchManager *wm, ZkWatchEvents *fired)
{
    g_autofree char *parent_path = path_parent(path);
    g_assert(parent_path); /* prep never deletes the root */
    ZkNode *parent = sim_strmap_get(&t->nodes, parent_path);
    if (!parent)
        return ZK_ERR_NO_NODE;
    const char *name = strrchr(path, '/') + 1;
    child_remove(parent, name);
    if (zxid > parent->st.pzxid)
        parent->st.pzxid = zxid;
    tree_rehash(t, parent, FALSE);
    ZkNode *n = sim_strmap_get(&t->nodes, path);
    if (!n)
        return ZK_ERR_NO_NODE;
    /* The node may not have children: prep checked NotEmpty (and an
     * ephemeral never has any); anything else is a broken log. */
    g_assert(n->st.num_children == 0);
    g_autofree char *fire_path = wm ? g_strdup(path) : NULL; /* path may be the node's own */
    tree_unlink_free(t, n);
    if (wm)
        zk_watch_trigger_deleted(wm, fire_path, zxid, fired);
    return ZK_ERR_OK;
}

/* `DataTree.setData`. */
static ZkErr tree_set_data(ZkTree *t, const ZkTxn *txn, const TxnOp *op, ZkWatchManager *wm, ZkWatchEvents *fired,
                           ZkStat *st_out)
{
    ZkNode *n = op_node(t, op);
    if (!n)
        return ZK_ERR_NO_NODE;
    t->data_bytes -= (size_t)n->st.data_length;
    t->n_data -= n->data != NULL;
    node_drop_data(n);
    if (op->data) {
        n->data = op->data;
        n->data_txn = zk_txn_ref((ZkTxn *)txn); /* its count is the tree's to change */
    }
    n->st.data_length = n->data ? (int32_t)g_bytes_get_size(n->data) : 0;
    t->data_bytes += (size_t)n->st.data_length;
    t->n_data += n->data != NULL;
    n->st.mtime = txn->time;
    n->st.mzxid = txn->zxid;
    n->st.version = op->version;
    node_prefix_from_op(n, op);
    node_rehash_from_op(t, n, op);
    if (st_out)
        *st_out = n->st;
    if (wm)
        zk_watch_trigger_data_changed(wm, n->path, txn->zxid, fired);
    return ZK_ERR_OK;
}

/* `DataTree.setCversionPzxid`, used when a replayed create finds its node. */
static void tree_set_cversion_pzxid(ZkTree *t, const char *path, int32_t cversion, uint64_t zxid)
{
    ZkNode *n = sim_strmap_get(&t->nodes, path);
    if (!n)
        return;
    if (cversion == -1)
        cversion = inc_wrap(n->st.cversion);
    if (cversion > n->st.cversion) {
        n->st.cversion = cversion;
        n->st.pzxid = zxid;
        tree_rehash(t, n, FALSE);
    }
}

/* One op of a txn (`processTxn` for a header of the op's type). */
static void apply_op(ZkTree *t, const ZkTxn *txn, const TxnOp *op, ZkWatchManager *wm, ZkWatchEvents *fired,
                     ZkOpResult *r)
{
    ZkOpCode type = op->type;
    *r = (ZkOpResult){.type = type, .path = op->path};
    if (type == ZK_OP_CREATE || type == ZK_OP_CREATE2 || type == ZK_OP_CREATE_CONTAINER ||
        type == ZK_OP_CREATE_TTL) {
        r->err = tree_create(t, txn, op, wm, fired, &r->stat);
        r->has_stat = r->err == ZK_ERR_OK;
    } else if (type == ZK_OP_DELETE || type == ZK_OP_DELETE_CONTAINER) {
        r->err = tree_delete(t, op->path, txn->zxid, wm, fired);
    } else if (type == ZK_OP_SET_DATA) {
        r->err = tree_set_data(t, txn, op, wm, fired, &r->stat);
        r->has_stat = r->err == ZK_ERR_OK;
    } else if (type == ZK_OP_ERROR) {
        r->err = op->err;
    } else {
        g_assert(type == ZK_OP_CHECK); /* nothing to apply */
    }
}

/* `processTxn`, multi case: if any sub-txn is an error, none is applied:
 * those before the first error report Ok, those after RuntimeInconsistency. */
static void apply_multi(ZkTree *t, const ZkTxn *txn, ZkWatchManager *wm, ZkWatchEvents *fired, ZkApplyResult *res)
{
    gboolean failed = FALSE, post_failed = FALSE;
    for (guint i = 0; i < txn->n_ops; i++)
        failed = failed || txn->ops[i].type == ZK_OP_ERROR;
    res->n_multi = txn->n_ops;
    res->multi = g_new0(ZkOpResult, txn->n_ops ? txn->n_ops : 1);
    for (guint i = 0; i < txn->n_ops; i++) {
        const TxnOp *op = &txn->ops[i];
        ZkOpResult *r = &res->multi[i];
        if (op->type == ZK_OP_ERROR)
            post_failed = TRUE;
        if (failed && op->type != ZK_OP_ERROR)
            *r = (ZkOpResult){.type = ZK_OP_ERROR,
                              .err = post_failed ? ZK_ERR_RUNTIME_INCONSISTENCY : ZK_ERR_OK};
        else
            apply_op(t, txn, op, wm, fired, r);
        if (r->err != ZK_ERR_OK && res->err == ZK_ERR_OK)
            res->err = r->err;
    }
}

/* bsearch over the sorted close_paths array. */
static int cmp_str_ptrs(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `killSession`: delete the txn's paths, then whatever the session still
 * owns here that the list missed; each deletion fires its watches. */
static void apply_close_session(ZkTree *t, const ZkTxn *txn, ZkWatchManager *wm, ZkWatchEvents *fired)
{
    uint64_t s = txn->session;
    g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func(g_free);
    EphSet *set = g_tree_lookup(t->ephemerals, &s);
    if (set) {
        for (GTreeNode *it = g_tree_node_first(set->paths); it; it = g_tree_node_next(it))
            g_ptr_array_add(local, g_strdup(g_tree_node_key(it)));
        g_assert(t->n_ephemerals >= local->len);
        t->n_ephemerals -= local->len;
        g_tree_remove(t->ephemerals, &s); /* `ephemerals.remove(session)` */
    }
    for (guint i = 0; i < txn->n_close_paths; i++)
        tree_delete(t, txn->close_paths[i], txn->zxid, wm, fired); /* NoNode is ignored */
    for (guint i = 0; i < local->len; i++) {
        const char *path = g_ptr_array_index(local, i);
        if (!bsearch(&path, txn->close_paths, txn->n_close_paths, sizeof(char *), cmp_str_ptrs))
            tree_delete(t, path, txn->zxid, wm, fired);
    }
    g_tree_remove(t->sessions, &s);
}

static void apply_create_session(ZkTree *t, const ZkTxn *txn)
{
    uint64_t s = txn->session;
    SessionRec *r = g_tree_lookup(t->sessions, &s);
    if (!r) {
        r = g_new0(SessionRec, 1);
        r->id = s;
        g_tree_insert(t->sessions, &r->id, r);
    }
    r->timeout_ms = txn->timeout_ms;
}

void zk_tree_apply(ZkTree *t, const ZkTxn *txn, ZkWatchManager *wm, ZkApplyResult *res, ZkWatchEvents *fired)
{
    g_assert(!wm || fired);
    ZkApplyResult local; /* zeroed through r: once, not twice */
    ZkApplyResult *r = res ? res : &local;
    memset(r, 0, sizeof *r);
    if (res)
        r->txn = zk_txn_ref((ZkTxn *)txn);
    r->zxid = txn->zxid;
    r->session = txn->session;
    r->cxid = txn->cxid;
    r->type = txn->type;
    r->op.type = txn->type;
    if (txn->type == ZK_OP_MULTI) {
        apply_multi(t, txn, wm, fired, r);
        r->op.err = r->err;
    } else if (txn->type == ZK_OP_CREATE_SESSION) {
        apply_create_session(t, txn);
    } else if (txn->type == ZK_OP_CLOSE_SESSION) {
        apply_close_session(t, txn, wm, fired);
    } else if (txn->type == ZK_OP_ERROR) {
        r->err = r->op.err = txn->err;
    } else {
        g_assert(txn->n_ops == 1); /* every other type is one op */
        apply_op(t, txn, &txn->ops[0], wm, fired, &r->op);
        r->err = r->op.err;
        /* processTxn: a plain create replayed over an existing node still
         * advances the parent's cversion/pzxid. */
        if (txn->type == ZK_OP_CREATE && r->err == ZK_ERR_NODE_EXISTS) {
            g_autofree char *parent_path = path_parent(txn->ops[0].path);
            tree_set_cversion_pzxid(t, parent_path ? parent_path : "/", txn->ops[0].parent_cversion, txn->zxid);
        }
    }
    if (txn->zxid > t->last_zxid)
        t->last_zxid = txn->zxid;
    if (!res)
        zk_apply_result_clear(&local);
}

void zk_tree_set_last_processed_zxid(ZkTree *t, uint64_t zxid)
{
    t->last_zxid = zxid;
}

uint64_t zk_tree_last_processed_zxid(const ZkTree *t)
{
    return t->last_zxid;
}

/* ---- reads ------------------------------------------------------------- */

ZkErr zk_tree_get_data(const ZkTree *t, const char *path, ZkWatchManager *wm, uint64_t watcher, ZkStat *stat,
                       GBytes **data)
{
    if (!zk_path_is_valid(path, 0, FALSE))
        return ZK_ERR_BAD_ARGUMENTS;
    const ZkNode *n = sim_strmap_get(&t->nodes, path);
    if (!n)
        return ZK_ERR_NO_NODE;
    if (stat)
        *stat = n->st;
    if (wm)
        zk_watch_add(wm, path, watcher, ZK_WATCH_DATA);
    if (data)
        *data = n->data ? g_bytes_ref(n->data) : g_bytes_new(NULL, 0);
    return ZK_ERR_OK;
}

ZkErr zk_tree_exists(const ZkTree *t, const char *path, ZkWatchManager *wm, uint64_t watcher, ZkStat *stat)
{
    if (!zk_path_is_valid(path, 0, FALSE))
        return ZK_ERR_BAD_ARGUMENTS;
    if (wm)
        zk_watch_add(wm, path, watcher, ZK_WATCH_EXIST);
    const ZkNode *n = sim_strmap_get(&t->nodes, path);
    if (!n)
        return ZK_ERR_NO_NODE;
    if (stat)
        *stat = n->st;
    return ZK_ERR_OK;
}

ZkErr zk_tree_get_children(const ZkTree *t, const char *path, ZkWatchManager *wm, uint64_t watcher, ZkStat *stat,
                           GPtrArray **children)
{
    if (!zk_path_is_valid(path, 0, FALSE))
        return ZK_ERR_BAD_ARGUMENTS;
    const ZkNode *n = sim_strmap_get(&t->nodes, path);
    if (!n)
        return ZK_ERR_NO_NODE;
    if (stat)
        *stat = n->st;
    if (children) {
        guint len = n->children ? n->children->len : 0;
        *children = g_ptr_array_new_full(len, g_free);
        for (guint i = 0; i < len; i++)
            g_ptr_array_add(*children, g_strdup(((const ZkNode *)g_ptr_array_index(n->children, i))->name));
    }
    if (wm)
        zk_watch_add(wm, path, watcher, ZK_WATCH_CHILD);
    return ZK_ERR_OK;
}

/* ---- nodes ------------------------------------------------------------- */

const ZkNode *zk_tree_get_node(const ZkTree *t, const char *path)
{
    return sim_strmap_get(&t->nodes, path);
}

const ZkNode *zk_tree_root(const ZkTree *t)
{
    return t->root;
}

const char *zk_node_path(const ZkNode *n)
{
    return n->path;
}

const char *zk_node_name(const ZkNode *n)
{
    return n->name;
}

GBytes *zk_node_data(const ZkNode *n)
{
    return n->data;
}

void zk_node_stat(const ZkNode *n, ZkStat *out)
{
    *out = n->st;
}

uint32_t zk_node_perms(const ZkNode *n)
{
    return n->perms;
}

guint zk_node_child_count(const ZkNode *n)
{
    return n->children ? n->children->len : 0;
}

const ZkNode *zk_node_child(const ZkNode *n, guint i)
{
    g_assert(n->children && i < n->children->len);
    return g_ptr_array_index(n->children, i);
}

/* ---- summaries --------------------------------------------------------- */

uint64_t zk_tree_digest(const ZkTree *t)
{
    return t->digest;
}

size_t zk_tree_node_count(const ZkTree *t)
{
    return sim_strmap_len(&t->nodes);
}

size_t zk_tree_data_size(const ZkTree *t)
{
    return t->path_bytes + t->data_bytes;
}

size_t zk_tree_snapshot_bytes(const ZkTree *t)
{
    return zk_tree_data_size(t) + 80 * zk_tree_node_count(t);
}

size_t zk_tree_memory_bytes(const ZkTree *t)
{
    /* Per node: the struct, its path's NUL, a map slot (key, value,
     * hash) at 3/4 load and a slot in the parent's array; per data
     * buffer: the GBytes header; per side-set member or session: a GTree
     * node. */
    const size_t node_overhead = sizeof(ZkNode) + 1 + 32 + sizeof(gpointer);
    const size_t gbytes_overhead = 48, tree_node = 48;
    size_t n = zk_tree_node_count(t);
    size_t side = t->n_ephemerals + (size_t)g_tree_nnodes(t->containers) + (size_t)g_tree_nnodes(t->ttls);
    return sizeof(ZkTree) + n * node_overhead + t->path_bytes + t->data_bytes + t->n_data * gbytes_overhead +
           side * tree_node + (size_t)g_tree_nnodes(t->sessions) * (sizeof(SessionRec) + tree_node);
}

static GPtrArray *tree_keys(GTree *tree)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (GTreeNode *it = g_tree_node_first(tree); it; it = g_tree_node_next(it))
        g_ptr_array_add(out, g_strdup(g_tree_node_key(it)));
    return out;
}

GPtrArray *zk_tree_ephemerals(const ZkTree *t, uint64_t session)
{
    const EphSet *set = g_tree_lookup(t->ephemerals, &session);
    return set ? tree_keys(set->paths) : g_ptr_array_new_with_free_func(g_free);
}

size_t zk_tree_ephemeral_count(const ZkTree *t)
{
    return t->n_ephemerals;
}

GPtrArray *zk_tree_containers(const ZkTree *t)
{
    return tree_keys(t->containers);
}

GPtrArray *zk_tree_ttls(const ZkTree *t)
{
    return tree_keys(t->ttls);
}

gboolean zk_tree_has_session(const ZkTree *t, uint64_t session)
{
    return g_tree_lookup(t->sessions, &session) != NULL;
}

int32_t zk_tree_session_timeout_ms(const ZkTree *t, uint64_t session)
{
    const SessionRec *r = g_tree_lookup(t->sessions, &session);
    return r ? r->timeout_ms : -1;
}

size_t zk_tree_session_count(const ZkTree *t)
{
    return (size_t)g_tree_nnodes(t->sessions);
}

GArray *zk_tree_sessions(const ZkTree *t)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (GTreeNode *it = g_tree_node_first(t->sessions); it; it = g_tree_node_next(it))
        g_array_append_val(out, ((const SessionRec *)g_tree_node_value(it))->id);
    return out;
}

typedef struct EqualCtx {
    const ZkTree *other;
    gboolean equal;
} EqualCtx;

static gboolean bytes_equal(GBytes *a, GBytes *b)
{
    if (!a || !b)
        return a == b;
    return g_bytes_equal(a, b);
}

static void equal_visit(const ZkNode *n, void *ctx)
{
    EqualCtx *c = ctx;
    if (!c->equal)
        return;
    const ZkNode *m = sim_strmap_get(&c->other->nodes, n->path);
    c->equal = m && zk_stat_equal(&n->st, &m->st) && n->perms == m->perms &&
               n->owner_kind == m->owner_kind && bytes_equal(n->data, m->data);
}

gboolean zk_tree_equal(const ZkTree *a, const ZkTree *b)
{
    if (zk_tree_node_count(a) != zk_tree_node_count(b) || a->digest != b->digest || a->last_zxid != b->last_zxid ||
        g_tree_nnodes(a->sessions) != g_tree_nnodes(b->sessions))
        return FALSE;
    /* Same count and every node of a found in b with the same child count:
     * the node sets, hence the trees, are equal. */
    EqualCtx c = {.other = b, .equal = TRUE};
    walk(a->root, equal_visit, &c);
    if (!c.equal)
        return FALSE;
    GTreeNode *x = g_tree_node_first(a->sessions), *y = g_tree_node_first(b->sessions);
    for (; x && y; x = g_tree_node_next(x), y = g_tree_node_next(y)) {
        const SessionRec *r = g_tree_node_value(x), *q = g_tree_node_value(y);
        if (r->id != q->id || r->timeout_ms != q->timeout_ms)
            return FALSE;
    }
    return TRUE;
}

gboolean zk_stat_equal(const ZkStat *a, const ZkStat *b)
{
    return digest_stat_equal(a, b) && a->data_length == b->data_length && a->num_children == b->num_children;
}

void zk_stat_format(const ZkStat *st, GString *out)
{
    g_string_append_printf(out,
                           "czxid=0x%" PRIx64 " mzxid=0x%" PRIx64 " pzxid=0x%" PRIx64 " ctime=%" PRId64
                           " mtime=%" PRId64 " version=%" PRId32 " cversion=%" PRId32 " aversion=%" PRId32
                           " ephemeralOwner=0x%" PRIx64 " dataLength=%" PRId32 " numChildren=%" PRId32,
                           st->czxid, st->mzxid, st->pzxid, zk_stat_ctime_ms(st), zk_stat_mtime_ms(st), st->version,
                           st->cversion, st->aversion, st->ephemeral_owner, st->data_length, st->num_children);
}

static void dump_visit(const ZkNode *n, void *ctx)
{
    GString *out = ctx;
    g_string_append(out, n->path);
    g_string_append_c(out, ' ');
    zk_stat_format(&n->st, out);
    g_string_append_c(out, '\n');
}

void zk_tree_dump(const ZkTree *t, GString *out)
{
    walk(t->root, dump_visit, out);
}

/* ---- invariants -------------------------------------------------------- */

typedef struct CheckCtx {
    const ZkTree *t;
    size_t nodes, path_bytes, data_bytes, n_data, ephemerals, containers, ttls;
    uint64_t digest;
} CheckCtx;

static void check_visit(const ZkNode *n, void *ctx)
{
    CheckCtx *c = ctx;
    const ZkTree *t = c->t;
    g_assert(sim_strmap_get(&t->nodes, n->path) == n); /* 1 */
    guint len = n->children ? n->children->len : 0;
    g_assert((int32_t)len == n->st.num_children); /* 3 */
    for (guint i = 0; i < len; i++) {
        const ZkNode *ch = g_ptr_array_index(n->children, i);
        g_assert(ch->parent == n); /* 2 */
        if (i > 0)
            g_assert(strcmp(((const ZkNode *)g_ptr_array_index(n->children, i - 1))->name, ch->name) < 0); /* 1 */
        g_autofree char *expect = n->parent ? g_strconcat(n->path, "/", ch->name, NULL)
                                            : g_strconcat("/", ch->name, NULL);
        g_assert(strcmp(expect, ch->path) == 0); /* 2 */
        g_assert(ch->name[0] != '\0');
    }
    g_assert(n->st.data_length == (n->data ? (int32_t)g_bytes_get_size(n->data) : 0)); /* 3 */
    g_assert(!n->data || g_bytes_get_size(n->data) > 0);
    ZkNode probe = *n;
    node_crc_prefix(&probe);
    g_assert(probe.crc_prefix == n->crc_prefix);
    g_assert(node_compute_digest(&probe) == n->digest); /* 5 */
    c->digest += n->digest;
    c->nodes++;
    c->path_bytes += strlen(n->path);
    c->data_bytes += (size_t)n->st.data_length;
    c->n_data += n->data != NULL;
    switch (n->owner_kind) { /* 4 */
    case OWNER_NONE:
        break;
    case OWNER_SESSION: {
        uint64_t s = n->st.ephemeral_owner;
        const EphSet *set = g_tree_lookup(t->ephemerals, &s);
        g_assert(set && g_tree_lookup(set->paths, n->path) == n);
        g_assert(n->st.num_children == 0);
        c->ephemerals++;
        break;
    }
    case OWNER_CONTAINER:
        g_assert(n->st.ephemeral_owner == ZK_CONTAINER_EPHEMERAL_OWNER);
        g_assert(g_tree_lookup(t->containers, n->path) == n);
        c->containers++;
        break;
    case OWNER_TTL:
        g_assert((n->st.ephemeral_owner & ZK_TTL_EPHEMERAL_MASK) == ZK_TTL_EPHEMERAL_MASK);
        g_assert(g_tree_lookup(t->ttls, n->path) == n);
        c->ttls++;
        break;
    }
}

void zk_tree_check(const ZkTree *t)
{
    CheckCtx c = {.t = t};
    g_assert(t->root && !t->root->parent && strcmp(t->root->path, "/") == 0);
    walk(t->root, check_visit, &c);
    g_assert(c.nodes == sim_strmap_len(&t->nodes)); /* 1: nothing unreachable */
    g_assert(c.digest == t->digest);                  /* 5 */
    g_assert(c.path_bytes == t->path_bytes && c.data_bytes == t->data_bytes && c.n_data == t->n_data); /* 6 */
    g_assert(c.ephemerals == t->n_ephemerals);        /* 4: no stray members */
    g_assert(c.containers == (size_t)g_tree_nnodes(t->containers));
    g_assert(c.ttls == (size_t)g_tree_nnodes(t->ttls));
    size_t members = 0;
    for (GTreeNode *it = g_tree_node_first(t->ephemerals); it; it = g_tree_node_next(it)) {
        const EphSet *set = g_tree_node_value(it);
        g_assert(g_tree_nnodes(set->paths) > 0);
        members += (size_t)g_tree_nnodes(set->paths);
    }
    g_assert(members == t->n_ephemerals);
}
