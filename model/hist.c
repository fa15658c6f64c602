/* hist.c - the rules of the history checker (hist.h lists them).
 *
 * Events arrive in timeline order.  Every rule but one is checked as
 * they come, from a few numbers kept per client and per connection:
 *
 *   write-order     zxid -> the write that carried it;
 *   write-realtime  the largest reply zxid so far, remembered by each
 *                   invocation and compared with the write's own zxid;
 *   fifo            each client's outstanding requests, oldest first;
 *   monotonic       each client's largest reply zxid (its "view");
 *   sync            each client's floor, raised when a sync completes;
 *   reads-agree     (path, zxid) -> the first read answered there;
 *   watch-order     each connection's largest reply and event zxids.
 *
 * watch-missed needs the whole history (a write's zxid may become known
 * after the watcher's reply), so hist_check runs it over the recorded
 * watches, writes by path and replies by client.
 *
 * Operations are kept (compactly, strings interned) so that a violation
 * can cite any of them; HIST_OPS_MAX bounds them.
 */
#include "hist_int.h"
#include "sim_map.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define VIOLATIONS_KEPT 50 /* per rule, in full; the rest are counted */

typedef enum {
    OPC_OTHER,
    OPC_READ,  /* getData, exists, getChildren, getChildren2 */
    OPC_WRITE, /* a txn: create*, delete, setData, multi, closeSession */
    OPC_SYNC,
} OpClass;

typedef enum {
    OP_PENDING,
    OP_DONE,
    OP_LOST, /* its client crashed or started over before it completed */
} OpState;

typedef struct HOp {
    const char *op, *path, *err; /* interned; err NULL until done */
    uint64_t start_line, end_line; /* start_line 0: an internal request */
    SimTime start_t, end_t;
    uint64_t zxid;       /* the reply's zxid (0: none) */
    uint64_t bound_zxid; /* the largest reply zxid when it was invoked */
    int64_t bound_op;    /* the op that carried it, -1 if none */
    int32_t xid;
    guint32 client;
    guint32 inc;         /* the client's incarnation */
    guint32 conn;        /* the client's connection when it completed */
    int32_t server;      /* answering sid, 0 if none */
    guint8 cls;          /* OpClass */
    guint8 state;        /* OpState */
    gboolean replied;    /* answered by a server, not ConnectionLoss/SessionExpired */
} HOp;

typedef enum {
    WK_DATA,
    WK_EXIST,
    WK_CHILD,
} WatchKind;

/* A WATCH_SET waiting for the reply that carries it to the client. */
typedef struct Stash {
    const char *path;
    WatchKind kind;
    int server;
    guint32 conn;
} Stash;

/* A one-shot watch the client holds: set by a read answered at z0. */
typedef struct HReg {
    guint32 client, inc, conn;
    WatchKind kind;
    const char *path;
    uint64_t z0;
    guint64 op;            /* the read that set it */
    uint64_t consumed;     /* line of the event that consumed it, 0 if none */
    uint64_t dropped;      /* line where the client let it go, 0 if never */
} HReg;

typedef struct HReply {
    uint64_t line;
    uint64_t zxid;
    guint64 op;
    guint32 inc, conn;
} HReply;

typedef struct HClient {
    const char *name;
    guint32 id;
    guint32 inc;          /* CLIENT_STARTs seen */
    gboolean dead;        /* its node crashed */
    GQueue pending;       /* op indices + 1, in invocation order */
    guint32 conn;         /* connections made */
    gboolean connected;
    int server;
    uint64_t view;        /* monotonic: largest reply zxid of this incarnation */
    int64_t view_op;
    uint64_t floor;       /* sync: */
    int64_t floor_sync, floor_op;
    uint64_t conn_reply;  /* watch-order, this connection */
    int64_t conn_reply_op;
    uint64_t conn_event;
    uint64_t conn_event_line;
    GArray *stash;        /* Stash */
    GArray *live;         /* guint reg indices */
    GArray *replies;      /* HReply, in line order */
} HClient;

/* A write as a watch sees it: what it changed, at which zxid. */
typedef struct HWrite {
    uint64_t zxid;
    guint64 op;
} HWrite;

typedef struct PathWrites {
    GArray *node;  /* HWrite: create, delete, setData of the path */
    GArray *child; /* HWrite: create, delete of a child; delete of the path */
} PathWrites;

typedef struct ReadKey {
    const char *path; /* interned: compared by pointer */
    uint64_t zxid;
} ReadKey;

typedef struct HViol {
    HistRule rule;
    uint64_t line;
    char *text; /* headline, then detail lines, each ending in '\n' */
} HViol;

struct Hist {
    char *name;
    GStringChunk *strings;
    GPtrArray *clients;           /* HClient*, by id (first seen first) */
    GHashTable *client_by_name;   /* lookup only */
    GArray *ops;                  /* HOp */
    GArray *regs;                 /* HReg */
    SimU64Map write_at;           /* zxid -> op index + 1 */
    GHashTable *path_writes;      /* interned path -> PathWrites*, lookup only */
    GHashTable *read_at;          /* ReadKey* -> op index + 1, lookup only */
    uint64_t max_reply;
    int64_t max_reply_op;
    GPtrArray *viol;              /* HViol*, online rules */
    GPtrArray *viol_end;          /* HViol*, watch-missed (hist_check) */
    HistStats st;
    SimTraceTypeCache kinds;      /* trace type id -> HistEvKind (live reader) */
};

/* ---- vocabulary ---- */

static int ev_kind_int(const char *type)
{
    return (int)hist_ev_kind(type);
}

HistEvKind hist_ev_kind_of(Hist *h, const SimTraceEvent *ev)
{
    return (HistEvKind)sim_trace_cache_get(&h->kinds, ev, ev_kind_int);
}

const char *hist_rule_name(HistRule r)
{
    switch (r) {
#define HIST_X(id, name, doc)                                                                      \
    case HIST_RULE_##id:                                                                           \
        return name;
        HIST_RULE_LIST(HIST_X)
#undef HIST_X
    case HIST_RULE_COUNT:
        break;
    }
    return "?";
}

const char *hist_rule_doc(HistRule r)
{
    switch (r) {
#define HIST_X(id, name, doc)                                                                      \
    case HIST_RULE_##id:                                                                           \
        return doc;
        HIST_RULE_LIST(HIST_X)
#undef HIST_X
    case HIST_RULE_COUNT:
        break;
    }
    return "?";
}

static OpClass op_class(const char *op)
{
    static const char *const reads[] = { "getData", "exists", "getChildren", "getChildren2" };
    static const char *const writes[] = { "create",  "create2",      "createContainer", "createTTL",
                                          "delete",  "setData",      "multi",           "closeSession",
                                          "deleteContainer" };
    for (size_t i = 0; i < G_N_ELEMENTS(reads); i++)
        if (op[0] == reads[i][0] && strcmp(op, reads[i]) == 0)
            return OPC_READ;
    for (size_t i = 0; i < G_N_ELEMENTS(writes); i++)
        if (op[0] == writes[i][0] && strcmp(op, writes[i]) == 0)
            return OPC_WRITE;
    return strcmp(op, "sync") == 0 ? OPC_SYNC : OPC_OTHER;
}

static gboolean is_create(const char *op)
{
    return strncmp(op, "create", 6) == 0;
}

static gboolean is_delete(const char *op)
{
    return strcmp(op, "delete") == 0 || strcmp(op, "deleteContainer") == 0;
}

/* The kinds of one-shot watch an event type consumes (ZKWatchManager.materialize). */
static gboolean event_consumes(const char *event, WatchKind k)
{
    if (strcmp(event, "NodeDeleted") == 0)
        return TRUE;
    if (strcmp(event, "NodeChildrenChanged") == 0)
        return k == WK_CHILD;
    if (strcmp(event, "NodeCreated") == 0 || strcmp(event, "NodeDataChanged") == 0)
        return k == WK_DATA || k == WK_EXIST;
    return FALSE;
}

/* ---- new / free ---- */

/* Interned paths are unique, so their address identifies them; the hash
 * is only ever used for lookup, never to order anything. */
static guint read_key_hash(gconstpointer p)
{
    const ReadKey *k = p;
    return g_str_hash(k->path) ^ (guint)((k->zxid * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
}

static gboolean read_key_equal(gconstpointer a, gconstpointer b)
{
    const ReadKey *x = a, *y = b;
    return x->path == y->path && x->zxid == y->zxid;
}

static void client_free(gpointer p)
{
    HClient *c = p;
    g_queue_clear(&c->pending);
    g_array_free(c->stash, TRUE);
    g_array_free(c->live, TRUE);
    g_array_free(c->replies, TRUE);
    g_free(c);
}

static void path_writes_free(gpointer p)
{
    PathWrites *w = p;
    g_array_free(w->node, TRUE);
    g_array_free(w->child, TRUE);
    g_free(w);
}

static void viol_free(gpointer p)
{
    HViol *v = p;
    g_free(v->text);
    g_free(v);
}

Hist *hist_new(void)
{
    Hist *h = g_new0(Hist, 1);
    h->name = g_strdup("timeline.jsonl");
    h->strings = g_string_chunk_new(4096);
    h->clients = g_ptr_array_new_with_free_func(client_free);
    h->client_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    h->ops = g_array_new(FALSE, FALSE, sizeof(HOp));
    h->regs = g_array_new(FALSE, FALSE, sizeof(HReg));
    sim_u64map_init(&h->write_at);
    h->path_writes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, path_writes_free);
    h->read_at = g_hash_table_new_full(read_key_hash, read_key_equal, g_free, NULL);
    h->max_reply_op = -1;
    sim_trace_cache_init(&h->kinds);
    h->viol = g_ptr_array_new_with_free_func(viol_free);
    h->viol_end = g_ptr_array_new_with_free_func(viol_free);
    return h;
}

void hist_free(Hist *h)
{
    if (!h)
        return;
    g_free(h->name);
    sim_trace_cache_clear(&h->kinds);
    g_ptr_array_free(h->clients, TRUE);
    g_hash_table_destroy(h->client_by_name);
    g_array_free(h->ops, TRUE);
    g_array_free(h->regs, TRUE);
    sim_u64map_clear(&h->write_at, NULL);
    g_hash_table_destroy(h->path_writes);
    g_hash_table_destroy(h->read_at);
    g_ptr_array_free(h->viol, TRUE);
    g_ptr_array_free(h->viol_end, TRUE);
    g_string_chunk_free(h->strings);
    g_free(h);
}

void hist_set_name(Hist *h, const char *name)
{
    g_free(h->name);
    h->name = g_strdup(name);
}

const char *hist_name(const Hist *h)
{
    return h->name;
}

const HistStats *hist_stats(const Hist *h)
{
    return &h->st;
}

static const char *intern(Hist *h, const char *s)
{
    return s ? g_string_chunk_insert_const(h->strings, s) : NULL;
}

static HOp *op_at(Hist *h, int64_t i)
{
    g_assert(i >= 0 && (guint)i < h->ops->len);
    return &g_array_index(h->ops, HOp, i);
}

static HClient *client_get(Hist *h, const char *name)
{
    HClient *c = g_hash_table_lookup(h->client_by_name, name);
    if (c)
        return c;
    c = g_new0(HClient, 1);
    c->name = intern(h, name);
    c->id = h->clients->len;
    g_queue_init(&c->pending);
    c->view_op = c->floor_sync = c->floor_op = c->conn_reply_op = -1;
    c->stash = g_array_new(FALSE, FALSE, sizeof(Stash));
    c->live = g_array_new(FALSE, FALSE, sizeof(guint));
    c->replies = g_array_new(FALSE, FALSE, sizeof(HReply));
    g_ptr_array_add(h->clients, c);
    g_hash_table_insert(h->client_by_name, (gpointer)c->name, c);
    h->st.clients = h->clients->len;
    return c;
}

static HClient *client_at(Hist *h, guint32 id)
{
    return g_ptr_array_index(h->clients, id);
}

/* ---- citing operations ---- */

static void cite_time(GString *s, SimTime t)
{
    g_string_append_printf(s, "%" PRId64 ".%06" PRId64 " s", t / SIM_S, (t % SIM_S) / 1000);
}

static void cite_what(Hist *h, GString *s, const HOp *o)
{
    g_string_append_printf(s, "%s  %s", client_at(h, o->client)->name, o->op);
    if (o->path && *o->path)
        g_string_append_printf(s, " %s", o->path);
    if (o->start_line)
        g_string_append_printf(s, " (xid %d)", o->xid);
}

static void cite_start(Hist *h, GString *s, const HOp *o)
{
    if (!o->start_line)
        return;
    g_string_append_printf(s, "  %s:%" PRIu64 ": ", h->name, o->start_line);
    cite_time(s, o->start_t);
    g_string_append(s, "  ");
    cite_what(h, s, o);
    g_string_append(s, " invoked\n");
}

static void cite_end(Hist *h, GString *s, const HOp *o)
{
    g_string_append_printf(s, "  %s:%" PRIu64 ": ", h->name, o->end_line);
    cite_time(s, o->end_t);
    g_string_append(s, "  ");
    cite_what(h, s, o);
    g_string_append_printf(s, " -> %s", o->err ? o->err : "?");
    if (o->replied)
        g_string_append_printf(s, ", zxid 0x%" PRIx64 " from s%d", o->zxid, o->server);
    g_string_append_c(s, '\n');
}

static void cite_op(Hist *h, GString *s, const HOp *o)
{
    cite_start(h, s, o);
    cite_end(h, s, o);
}

static void cite_event(Hist *h, GString *s, uint64_t line, SimTime t, const char *client, const char *event,
                       const char *path, uint64_t zxid, int64_t server)
{
    g_string_append_printf(s, "  %s:%" PRIu64 ": ", h->name, line);
    cite_time(s, t);
    g_string_append_printf(s, "  %s  %s event %s", client, event ? event : "?", path ? path : "");
    if (zxid != HIST_ZXID_NONE)
        g_string_append_printf(s, ", zxid 0x%" PRIx64, zxid);
    g_string_append_printf(s, " from s%" PRId64 "\n", server);
}

/* Records a violation: `text` holds the detail lines; the headline is
 * built here from the rule and `what`. */
static void violation(Hist *h, GPtrArray *into, HistRule rule, uint64_t line, GString *detail, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

static void violation(Hist *h, GPtrArray *into, HistRule rule, uint64_t line, GString *detail, const char *fmt, ...)
{
    h->st.violations[rule]++;
    if (h->st.violations[rule] > VIOLATIONS_KEPT)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    HViol *v = g_new(HViol, 1);
    v->rule = rule;
    v->line = line;
    v->text = g_strdup_printf("%s:%" PRIu64 ": history: %s: %s\n%s", h->name, line, hist_rule_name(rule), what,
                              detail->str);
    g_ptr_array_add(into, v);
}

/* ---- client life ---- */

static void drop_watches(Hist *h, HClient *c, uint64_t line, const char *path)
{
    for (guint i = 0; i < c->live->len;) {
        HReg *r = &g_array_index(h->regs, HReg, g_array_index(c->live, guint, i));
        if (path && r->path != path) {
            i++;
            continue;
        }
        r->dropped = line;
        g_array_remove_index(c->live, i);
    }
}

/* Requests still outstanding will never complete in this incarnation. */
static void lose_pending(Hist *h, HClient *c)
{
    for (GList *l = c->pending.head; l; l = l->next)
        op_at(h, GPOINTER_TO_INT(l->data) - 1)->state = OP_LOST;
    g_queue_clear(&c->pending);
}

static void new_connection_state(HClient *c)
{
    c->conn_reply = 0;
    c->conn_reply_op = -1;
    c->conn_event = 0;
    c->conn_event_line = 0;
    g_array_set_size(c->stash, 0);
}

static void on_client_start(Hist *h, HClient *c, uint64_t line)
{
    c->inc++;
    c->dead = FALSE;
    c->connected = FALSE;
    lose_pending(h, c);
    drop_watches(h, c, line, NULL);
    c->view = 0;
    c->view_op = -1;
    c->floor = 0;
    c->floor_sync = c->floor_op = -1;
    new_connection_state(c);
}

static void on_crash(Hist *h, HClient *c, uint64_t line)
{
    c->dead = TRUE;
    c->connected = FALSE;
    lose_pending(h, c);
    drop_watches(h, c, line, NULL);
    new_connection_state(c);
}

/* ---- invocations ---- */

static void on_op_start(Hist *h, const HistEv *ev)
{
    HClient *c = client_get(h, ev->node);
    if (c->dead || !ev->op)
        return; /* a request of a crashed process goes nowhere */
    if (h->ops->len >= HIST_OPS_MAX) {
        h->st.truncated = TRUE;
        return;
    }
    HOp o = {
        .op = intern(h, ev->op),
        .path = intern(h, ev->path ? ev->path : ""),
        .start_line = ev->line,
        .start_t = ev->t,
        .bound_zxid = h->max_reply,
        .bound_op = h->max_reply_op,
        .xid = (int32_t)ev->xid,
        .client = c->id,
        .inc = c->inc,
        .cls = (guint8)op_class(ev->op),
        .state = OP_PENDING,
    };
    g_array_append_val(h->ops, o);
    g_queue_push_tail(&c->pending, GINT_TO_POINTER((int)h->ops->len));
    h->st.ops++;
}

/* ---- completions: one function per rule ---- */

static void check_fifo(Hist *h, HClient *c, int64_t idx)
{
    HOp *o = op_at(h, idx);
    int64_t head = GPOINTER_TO_INT(g_queue_peek_head(&c->pending)) - 1;
    if (o->server == 0 || head < 0 || head == idx)
        return;
    HOp *e = op_at(h, head);
    g_autoptr(GString) d = g_string_new(NULL);
    cite_start(h, d, e);
    cite_op(h, d, o);
    violation(h, h->viol, HIST_RULE_FIFO, o->end_line, d,
              "%s's request xid %d was answered while its earlier request xid %d was still outstanding", c->name,
              o->xid, e->xid);
}

static gboolean check_monotonic(Hist *h, HClient *c, int64_t idx)
{
    HOp *o = op_at(h, idx);
    if (o->zxid >= c->view)
        return TRUE;
    HOp *v = op_at(h, c->view_op);
    gboolean own_write = v->cls == OPC_WRITE;
    g_autoptr(GString) d = g_string_new(NULL);
    cite_end(h, d, v);
    cite_op(h, d, o);
    violation(h, h->viol, HIST_RULE_MONOTONIC, o->end_line, d,
              "%s was answered with zxid 0x%" PRIx64 " after it had seen 0x%" PRIx64 "%s", c->name, o->zxid, c->view,
              own_write ? " from its own write (read your writes)" : " (single system image)");
    return FALSE;
}

static void check_sync(Hist *h, HClient *c, int64_t idx)
{
    HOp *o = op_at(h, idx);
    if (o->cls == OPC_SYNC && o->replied && strcmp(o->err, "Ok") == 0 && o->bound_op >= 0 &&
        o->bound_zxid > c->floor) {
        c->floor = o->bound_zxid;
        c->floor_sync = idx;
        c->floor_op = o->bound_op;
    }
    if (o->zxid >= c->floor)
        return;
    HOp *s = op_at(h, c->floor_sync), *b = op_at(h, c->floor_op);
    g_autoptr(GString) d = g_string_new(NULL);
    cite_end(h, d, b);
    cite_start(h, d, s);
    if (s != o)
        cite_end(h, d, s);
    cite_op(h, d, o);
    violation(h, h->viol, HIST_RULE_SYNC, o->end_line, d,
              "%s was answered with zxid 0x%" PRIx64 " after its sync, but %s had seen 0x%" PRIx64
              " before the sync was invoked",
              c->name, o->zxid, client_at(h, b->client)->name, c->floor);
}

static void check_reads_agree(Hist *h, int64_t idx)
{
    HOp *o = op_at(h, idx);
    gboolean ok = strcmp(o->err, "Ok") == 0;
    if (o->cls != OPC_READ || (!ok && strcmp(o->err, "NoNode") != 0))
        return;
    ReadKey k = { o->path, o->zxid };
    int64_t first = GPOINTER_TO_INT(g_hash_table_lookup(h->read_at, &k)) - 1;
    if (first < 0) {
        g_hash_table_insert(h->read_at, g_memdup2(&k, sizeof k), GINT_TO_POINTER((int)idx + 1));
        return;
    }
    HOp *f = op_at(h, first);
    if ((strcmp(f->err, "Ok") == 0) == ok)
        return;
    g_autoptr(GString) d = g_string_new(NULL);
    cite_end(h, d, f);
    cite_end(h, d, o);
    violation(h, h->viol, HIST_RULE_READS_AGREE, o->end_line, d,
              "%s exists at zxid 0x%" PRIx64 " on s%d but not on s%d", o->path, o->zxid, ok ? o->server : f->server,
              ok ? f->server : o->server);
}

static PathWrites *path_writes(Hist *h, const char *path)
{
    PathWrites *w = g_hash_table_lookup(h->path_writes, path);
    if (!w) {
        w = g_new(PathWrites, 1);
        w->node = g_array_new(FALSE, FALSE, sizeof(HWrite));
        w->child = g_array_new(FALSE, FALSE, sizeof(HWrite));
        g_hash_table_insert(h->path_writes, (gpointer)path, w);
    }
    return w;
}

/* What a write changed, for watch-missed.  A sequential create reports
 * the path asked for; its parent is right, the node's own name is not,
 * and no watch is ever set on the asked-for name, so that is harmless. */
static void index_write(Hist *h, int64_t idx)
{
    HOp *o = op_at(h, idx);
    gboolean cr = is_create(o->op), del = is_delete(o->op);
    if (!(cr || del || strcmp(o->op, "setData") == 0) || o->path[0] != '/')
        return;
    HWrite w = { o->zxid, (guint64)idx };
    g_array_append_val(path_writes(h, o->path)->node, w);
    if (del)
        g_array_append_val(path_writes(h, o->path)->child, w);
    if (cr || del) {
        const char *slash = strrchr(o->path, '/');
        g_autofree char *parent = slash == o->path ? g_strdup("/") : g_strndup(o->path, (gsize)(slash - o->path));
        g_array_append_val(path_writes(h, intern(h, parent))->child, w);
    }
}

static void check_write(Hist *h, int64_t idx)
{
    HOp *o = op_at(h, idx);
    h->st.writes++;
    int64_t other = GPOINTER_TO_INT(sim_u64map_get(&h->write_at, o->zxid)) - 1;
    if (other >= 0) {
        HOp *a = op_at(h, other);
        g_autoptr(GString) d = g_string_new(NULL);
        cite_op(h, d, a);
        cite_op(h, d, o);
        violation(h, h->viol, HIST_RULE_WRITE_ORDER, o->end_line, d, "two writes carry zxid 0x%" PRIx64, o->zxid);
    } else {
        sim_u64map_put(&h->write_at, o->zxid, GINT_TO_POINTER((int)idx + 1));
    }
    if (o->bound_op >= 0 && o->zxid <= o->bound_zxid) {
        HOp *b = op_at(h, o->bound_op);
        g_autoptr(GString) d = g_string_new(NULL);
        cite_end(h, d, b);
        cite_op(h, d, o);
        violation(h, h->viol, HIST_RULE_WRITE_REALTIME, o->end_line, d,
                  "%s's write got zxid 0x%" PRIx64 ", not after 0x%" PRIx64 ", which %s had seen before it was invoked",
                  client_at(h, o->client)->name, o->zxid, o->bound_zxid, client_at(h, b->client)->name);
    }
    index_write(h, idx);
}

static int watch_kind(const char *s, WatchKind *k)
{
    if (!s)
        return FALSE;
    if (strcmp(s, "data") == 0)
        *k = WK_DATA;
    else if (strcmp(s, "exist") == 0)
        *k = WK_EXIST;
    else if (strcmp(s, "child") == 0)
        *k = WK_CHILD;
    else
        return FALSE; /* persistent watches are not one-shot: not followed */
    return TRUE;
}

static gboolean read_sets(const char *op, WatchKind k)
{
    if (strcmp(op, "getData") == 0)
        return k == WK_DATA;
    if (strcmp(op, "exists") == 0)
        return k == WK_DATA || k == WK_EXIST;
    return k == WK_CHILD; /* getChildren, getChildren2 */
}

/* A read that set a watch: the server said so (WATCH_SET) on this
 * connection, and the reply brings it to the client now. */
static void register_watch(Hist *h, HClient *c, int64_t idx)
{
    HOp *o = op_at(h, idx);
    for (guint i = 0; i < c->stash->len; i++) {
        Stash *s = &g_array_index(c->stash, Stash, i);
        if (s->path != o->path || s->server != o->server || s->conn != c->conn || !read_sets(o->op, s->kind))
            continue;
        HReg r = { .client = c->id, .inc = c->inc, .conn = c->conn, .kind = s->kind, .path = o->path,
                   .z0 = o->zxid, .op = (guint64)idx };
        g_array_remove_index(c->stash, i);
        guint ri = h->regs->len;
        g_array_append_val(h->regs, r);
        g_array_append_val(c->live, ri);
        h->st.watches++;
        return;
    }
}

static void on_reply(Hist *h, HClient *c, int64_t idx)
{
    HOp *o = op_at(h, idx);
    if (o->cls == OPC_READ)
        h->st.reads++;
    if (o->cls == OPC_SYNC)
        h->st.syncs++;
    if (o->zxid == 0)
        return; /* no state named: nothing to compare (ClientCnxn ignores it too) */
    if (check_monotonic(h, c, idx))
        check_sync(h, c, idx);
    if (o->zxid >= c->view) {
        c->view = o->zxid;
        c->view_op = idx;
    }
    if (o->zxid >= c->conn_reply) {
        c->conn_reply = o->zxid;
        c->conn_reply_op = idx;
    }
    if (o->zxid > h->max_reply) {
        h->max_reply = o->zxid;
        h->max_reply_op = idx;
    }
    check_reads_agree(h, idx);
    if (o->cls == OPC_WRITE && strcmp(o->err, "Ok") == 0)
        check_write(h, idx);
    if (o->cls == OPC_READ)
        register_watch(h, c, idx);
    HReply r = { o->end_line, o->zxid, (guint64)idx, c->inc, c->conn };
    g_array_append_val(c->replies, r);
}

static int64_t find_pending(Hist *h, HClient *c, int64_t xid)
{
    for (GList *l = c->pending.head; l; l = l->next) {
        int64_t i = GPOINTER_TO_INT(l->data) - 1;
        if (op_at(h, i)->xid == xid)
            return i;
    }
    return -1;
}

static void on_op_end(Hist *h, const HistEv *ev)
{
    HClient *c = client_get(h, ev->node);
    if (c->dead || !ev->op)
        return;
    int64_t idx = find_pending(h, c, ev->xid);
    if (idx < 0) {
        /* Internal requests (SetWatches, xid < 0) have no invocation;
         * their replies still name a state the client saw. */
        if (ev->xid >= 0 || ev->server == 0 || h->ops->len >= HIST_OPS_MAX)
            return;
        HOp o = { .op = intern(h, ev->op), .path = intern(h, ev->path ? ev->path : ""), .xid = (int32_t)ev->xid,
                  .client = c->id, .inc = c->inc, .bound_op = -1, .cls = OPC_OTHER, .state = OP_PENDING };
        g_array_append_val(h->ops, o);
        idx = h->ops->len - 1;
    }
    HOp *o = op_at(h, idx);
    o->end_line = ev->line;
    o->end_t = ev->t;
    o->err = intern(h, ev->err ? ev->err : "?");
    o->zxid = ev->has_zxid ? ev->zxid : 0;
    o->server = (int32_t)ev->server;
    o->conn = c->conn;
    o->state = OP_DONE;
    o->replied = o->server != 0 && strcmp(o->err, "ConnectionLoss") != 0 && strcmp(o->err, "SessionExpired") != 0;
    h->st.completed++;
    if (o->start_line) {
        check_fifo(h, c, idx);
        g_queue_remove(&c->pending, GINT_TO_POINTER((int)idx + 1));
    }
    if (o->replied) {
        h->st.replies++;
        on_reply(h, c, idx);
    }
    if (strcmp(o->op, "removeWatches") == 0)
        drop_watches(h, c, ev->line, o->path);
}

/* ---- watches ---- */

static int server_sid(const char *node)
{
    return node && node[0] == 's' && g_ascii_isdigit(node[1]) ? atoi(node + 1) : 0;
}

static void on_watch_set(Hist *h, const HistEv *ev)
{
    WatchKind k;
    if (!ev->client || !ev->path || !watch_kind(ev->wkind, &k))
        return;
    HClient *c = client_get(h, ev->client);
    int sid = server_sid(ev->node);
    /* Set for a connection the client has left: it never hears of it. */
    if (!c->connected || c->server != sid)
        return;
    Stash s = { intern(h, ev->path), k, sid, c->conn };
    g_array_append_val(c->stash, s);
}

static void on_watch_event(Hist *h, const HistEv *ev)
{
    HClient *c = client_get(h, ev->node);
    if (c->dead || !ev->path || !ev->event)
        return;
    h->st.watch_events++;
    const char *path = intern(h, ev->path);
    uint64_t z = ev->has_zxid ? ev->zxid : HIST_ZXID_NONE;
    if (z != HIST_ZXID_NONE && c->conn_reply_op >= 0 && c->conn_reply >= z) {
        HOp *r = op_at(h, c->conn_reply_op);
        g_autoptr(GString) d = g_string_new(NULL);
        cite_end(h, d, r);
        cite_event(h, d, ev->line, ev->t, c->name, ev->event, path, z, ev->server);
        violation(h, h->viol, HIST_RULE_WATCH_ORDER, ev->line, d,
                  "%s got the %s event for %s (txn 0x%" PRIx64 ") after a reply carrying zxid 0x%" PRIx64
                  " on the same connection",
                  c->name, ev->event, path, z, c->conn_reply);
    } else if (z != HIST_ZXID_NONE && z < c->conn_event) {
        g_autoptr(GString) d = g_string_new(NULL);
        g_string_append_printf(d, "  %s:%" PRIu64 ": the event for txn 0x%" PRIx64 "\n", h->name, c->conn_event_line,
                               c->conn_event);
        cite_event(h, d, ev->line, ev->t, c->name, ev->event, path, z, ev->server);
        violation(h, h->viol, HIST_RULE_WATCH_ORDER, ev->line, d,
                  "%s got the %s event for %s (txn 0x%" PRIx64 ") after the event for txn 0x%" PRIx64, c->name,
                  ev->event, path, z, c->conn_event);
    }
    if (z != HIST_ZXID_NONE && z >= c->conn_event) {
        c->conn_event = z;
        c->conn_event_line = ev->line;
    }
    for (guint i = 0; i < c->live->len;) {
        HReg *r = &g_array_index(h->regs, HReg, g_array_index(c->live, guint, i));
        if (r->path == path && event_consumes(ev->event, r->kind)) {
            r->consumed = ev->line;
            g_array_remove_index(c->live, i);
        } else {
            i++;
        }
    }
}

/* ---- the entry point ---- */

void hist_feed(Hist *h, const HistEv *ev)
{
    h->st.events++;
    switch (ev->kind) {
    case HIST_EV_OP_START:
        on_op_start(h, ev);
        break;
    case HIST_EV_OP_END:
        on_op_end(h, ev);
        break;
    case HIST_EV_WATCH_EVENT:
        on_watch_event(h, ev);
        break;
    case HIST_EV_WATCH_SET:
        on_watch_set(h, ev);
        break;
    case HIST_EV_CLIENT_START:
        on_client_start(h, client_get(h, ev->node), ev->line);
        break;
    case HIST_EV_CLIENT_CONNECTED: {
        HClient *c = client_get(h, ev->node);
        c->conn++;
        c->connected = TRUE;
        c->server = (int)ev->server;
        new_connection_state(c);
        break;
    }
    case HIST_EV_CLIENT_DISCONNECTED: {
        HClient *c = client_get(h, ev->node);
        c->connected = FALSE;
        g_array_set_size(c->stash, 0);
        break;
    }
    case HIST_EV_CLIENT_CLOSED:
    case HIST_EV_SESSION_EXPIRED: {
        HClient *c = client_get(h, ev->node);
        c->connected = FALSE;
        g_array_set_size(c->stash, 0);
        drop_watches(h, c, ev->line, NULL);
        break;
    }
    case HIST_EV_CRASH: {
        /* Only a client's crash matters here (servers never invoke). */
        HClient *c = g_hash_table_lookup(h->client_by_name, ev->node);
        if (c)
            on_crash(h, c, ev->line);
        else
            h->st.events--;
        break;
    }
    case HIST_EV_OTHER:
        h->st.events--;
        break;
    }
}

/* ---- watch-missed: over the whole history ---- */

static gint hwrite_cmp(gconstpointer a, gconstpointer b)
{
    const HWrite *x = a, *y = b;
    return x->zxid < y->zxid ? -1 : x->zxid > y->zxid ? 1 : (x->op < y->op ? -1 : x->op > y->op);
}

/* The first write in w (sorted) with zxid > z0, or NULL. */
static const HWrite *first_after(const GArray *w, uint64_t z0)
{
    guint lo = 0, hi = w->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(w, HWrite, mid).zxid <= z0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->len ? &g_array_index(w, HWrite, lo) : NULL;
}

/* The first of c's replies after line `after` (index), by binary search. */
static guint reply_after(const HClient *c, uint64_t after)
{
    guint lo = 0, hi = c->replies->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(c->replies, HReply, mid).line <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void check_watch(Hist *h, const HReg *r)
{
    PathWrites *pw = g_hash_table_lookup(h->path_writes, r->path);
    if (!pw)
        return;
    const HWrite *w = first_after(r->kind == WK_CHILD ? pw->child : pw->node, r->z0);
    if (!w)
        return;
    HClient *c = client_at(h, r->client);
    HOp *set = op_at(h, (int64_t)r->op);
    uint64_t until = UINT64_MAX;
    if (r->consumed)
        until = r->consumed;
    if (r->dropped && r->dropped < until)
        until = r->dropped;
    for (guint i = reply_after(c, set->end_line); i < c->replies->len; i++) {
        const HReply *rp = &g_array_index(c->replies, HReply, i);
        if (rp->line >= until || rp->inc != r->inc || (r->kind == WK_EXIST && rp->conn != r->conn))
            return;
        if (rp->zxid < w->zxid)
            continue;
        HOp *wr = op_at(h, (int64_t)w->op), *o = op_at(h, (int64_t)rp->op);
        g_autoptr(GString) d = g_string_new(NULL);
        cite_end(h, d, set);
        cite_end(h, d, wr);
        cite_end(h, d, o);
        if (r->consumed)
            g_string_append_printf(d, "  %s:%" PRIu64 ": the event arrives only here\n", h->name, r->consumed);
        else
            g_string_append(d, "  (the event never arrives)\n");
        violation(h, h->viol_end, HIST_RULE_WATCH_MISSED, rp->line, d,
                  "%s holds a watch on %s (set at zxid 0x%" PRIx64 ") that txn 0x%" PRIx64
                  " fires, but was answered with zxid 0x%" PRIx64 " before the event",
                  c->name, r->path, r->z0, w->zxid, rp->zxid);
        return;
    }
}

static void check_watches(Hist *h)
{
    g_ptr_array_set_size(h->viol_end, 0);
    h->st.violations[HIST_RULE_WATCH_MISSED] = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, h->path_writes);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        /* Sorting each list on its own: the visiting order does not matter. */
        PathWrites *pw = v;
        g_array_sort(pw->node, hwrite_cmp);
        g_array_sort(pw->child, hwrite_cmp);
    }
    for (guint i = 0; i < h->regs->len; i++)
        check_watch(h, &g_array_index(h->regs, HReg, i));
}

/* ---- the report ---- */

static gint viol_cmp(gconstpointer a, gconstpointer b)
{
    const HViol *x = *(HViol *const *)a, *y = *(HViol *const *)b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (int)x->rule - (int)y->rule;
}

void hist_stats_format(const Hist *h, GString *out)
{
    const HistStats *s = &h->st;
    g_string_append_printf(out,
                           "%u clients, %" PRIu64 " ops (%" PRIu64 " writes, %" PRIu64 " reads, %" PRIu64
                           " syncs), %" PRIu64 " watches set, %" PRIu64 " watch events",
                           s->clients, s->ops, s->writes, s->reads, s->syncs, s->watches, s->watch_events);
    if (s->truncated)
        g_string_append_printf(out, " (checked up to %u ops)", HIST_OPS_MAX);
}

gboolean hist_check(Hist *h, GString *why, guint limit)
{
    check_watches(h);
    uint64_t total = 0;
    for (int r = 0; r < HIST_RULE_COUNT; r++)
        total += h->st.violations[r];
    if (total == 0)
        return TRUE;
    if (!why)
        return FALSE;
    if (!limit)
        limit = 10;
    /* All kept violations by line; the first of each rule goes first. */
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    for (guint i = 0; i < h->viol->len; i++)
        g_ptr_array_add(all, g_ptr_array_index(h->viol, i));
    for (guint i = 0; i < h->viol_end->len; i++)
        g_ptr_array_add(all, g_ptr_array_index(h->viol_end, i));
    g_ptr_array_sort(all, viol_cmp);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    gboolean seen[HIST_RULE_COUNT] = { FALSE };
    for (guint i = 0; i < all->len; i++) {
        HViol *v = g_ptr_array_index(all, i);
        if (!seen[v->rule]) {
            seen[v->rule] = TRUE;
            g_ptr_array_add(order, v);
        }
    }
    for (guint i = 0; i < all->len; i++) {
        HViol *v = g_ptr_array_index(all, i);
        gboolean first = FALSE;
        for (guint k = 0; k < order->len && !first; k++)
            first = g_ptr_array_index(order, k) == v;
        if (!first)
            g_ptr_array_add(order, v);
    }
    /* The headline: the earliest violation's first line. */
    HViol *v0 = g_ptr_array_index(all, 0);
    const char *nl = strchr(v0->text, '\n');
    g_string_append_len(why, v0->text, nl ? nl - v0->text : (gssize)strlen(v0->text));
    g_string_append_printf(why, " (%" PRIu64 " violation%s:", total, total == 1 ? "" : "s");
    for (int r = 0; r < HIST_RULE_COUNT; r++)
        if (h->st.violations[r])
            g_string_append_printf(why, " %s %" PRIu64, hist_rule_name((HistRule)r), h->st.violations[r]);
    g_string_append(why, ")\n");
    for (guint i = 0; i < order->len && i < limit; i++)
        g_string_append(why, ((HViol *)g_ptr_array_index(order, i))->text);
    if (order->len > limit)
        g_string_append_printf(why, "... %u more not shown\n", order->len - limit);
    return FALSE;
}
