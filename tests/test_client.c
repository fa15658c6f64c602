/* test_client.c - clients and sessions end to end: every operation and
 * error, session creation, negotiation, expiry and moves, watches across
 * reconnects, stale reads and sync, the recipes' workloads, random
 * faults under the client invariants, and the two planted client bugs.
 * Each test narrates its scenario and asserts exact outcomes. */
#include "test_util.h"
#include "zab_fixture.h"
#include "zk_bugs.h"
#include "zk_client.h"
#include "zk_workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define S(x) ((SimTime)((x) * (double)SIM_S))
#define MS(x) ((SimTime)(x) * SIM_MS)

/* ---- fixture: an ensemble with its client layer ---- */

typedef struct Cx {
    Fx f;
    ZkClients *cl;
} Cx;

/* n servers started at 0 and converged (the leader is sN). */
static void cx_init(Cx *x, int n, uint64_t seed, void (*tweak)(ZkConfig *cfg))
{
    fx_init(&x->f, n, seed, tweak);
    x->cl = zk_clients_new(x->f.ens);
    fx_start_all(&x->f, 0);
    CU_ASSERT_TRUE(fx_run_until(&x->f, fx_converged, NULL, S(5)));
}

static void cx_free(Cx *x)
{
    zk_clients_free(x->cl);
    fx_free(&x->f);
}

static void assert_no_failure(Cx *x)
{
    const char *why = sim_failure(x->f.sim);
    if (why)
        fprintf(stderr, "\nsimulation failure: %s\n", why);
    CU_ASSERT_PTR_NULL(why);
}

/* A client of the given servers (a list ending with 0; NULL = all). */
static ZkClient *cx_client(Cx *x, const char *name, const int *servers, SimTime timeout)
{
    guint n = 0;
    while (servers && servers[n])
        n++;
    ZkClientConfig cfg = { .name = name, .servers = servers, .n_servers = n, .session_timeout = timeout };
    return zk_client_new(x->cl, &cfg);
}

static SimTime now(Cx *x)
{
    return sim_now(x->f.sim);
}

static void run_for(Cx *x, SimTime d)
{
    fx_run_to(&x->f, now(x) + d);
}

static gboolean client_connected(Fx *f, void *arg)
{
    (void)f;
    return zk_client_is_connected(arg);
}

static gboolean wait_connected(Cx *x, ZkClient *c, SimTime within)
{
    return fx_run_until(&x->f, client_connected, c, now(x) + within);
}

typedef struct OnServer {
    ZkClient *c;
    int sid;
} OnServer;

static gboolean client_on(Fx *f, void *arg)
{
    (void)f;
    const OnServer *o = arg;
    return zk_client_is_connected(o->c) && zk_client_server(o->c) == o->sid;
}

/* Waits until c is connected to server sid. */
static gboolean wait_on(Cx *x, ZkClient *c, int sid, SimTime within)
{
    OnServer o = { c, sid };
    return fx_run_until(&x->f, client_on, &o, now(x) + within);
}

/* What a callback received, copied. */
typedef struct Got {
    int n;
    ZkErr err;
    uint64_t zxid;
    int server;
    char *created;
    char *data;
    gboolean has_stat;
    ZkStat stat;
    GPtrArray *children;
    guint n_multi;
    ZkErr multi_err[8];
    gboolean is_read;
    uint64_t stale_txns;
    SimTime stale_ns;
} Got;

static void got_clear(Got *g)
{
    g_free(g->created);
    g_free(g->data);
    if (g->children)
        g_ptr_array_free(g->children, TRUE);
    memset(g, 0, sizeof *g);
}

static void got_cb(ZkClient *c, const ZkResult *r, void *ud)
{
    Got *g = ud;
    got_clear(g);
    g->n = 1;
    g->err = r->err;
    g->zxid = r->zxid;
    g->server = r->server;
    (void)c;
    g->created = g_strdup(r->created);
    if (r->data)
        g->data = g_strndup(g_bytes_get_data(r->data, NULL), g_bytes_get_size(r->data));
    g->has_stat = r->has_stat;
    g->stat = r->stat;
    if (r->children) {
        g->children = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < r->children->len; i++)
            g_ptr_array_add(g->children, g_strdup(g_ptr_array_index(r->children, i)));
    }
    g->n_multi = r->n_multi;
    for (guint i = 0; i < r->n_multi && i < 8; i++)
        g->multi_err[i] = r->multi[i].err;
    g->is_read = r->is_read;
    g->stale_txns = r->stale_txns;
    g->stale_ns = r->stale_ns;
}

static gboolean got_one(Fx *f, void *arg)
{
    (void)f;
    return ((Got *)arg)->n > 0;
}

/* Waits (up to 10 s) for the callback. */
static gboolean wait_got(Cx *x, Got *g)
{
    return fx_run_until(&x->f, got_one, g, now(x) + S(10));
}

static GBytes *bytes(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

/* Synchronous helpers: issue, wait, return the error. */
static ZkErr do_create(Cx *x, ZkClient *c, const char *path, const char *data, ZkCreateMode mode, Got *g)
{
    got_clear(g);
    GBytes *b = data ? bytes(data) : NULL;
    zk_client_create(c, path, b, mode, got_cb, g);
    if (b)
        g_bytes_unref(b);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_get(Cx *x, ZkClient *c, const char *path, gboolean watch, Got *g)
{
    got_clear(g);
    zk_client_get_data(c, path, watch, got_cb, g);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_set(Cx *x, ZkClient *c, const char *path, const char *data, int32_t version, Got *g)
{
    got_clear(g);
    GBytes *b = bytes(data);
    zk_client_set_data(c, path, b, version, got_cb, g);
    g_bytes_unref(b);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_delete(Cx *x, ZkClient *c, const char *path, int32_t version, Got *g)
{
    got_clear(g);
    zk_client_delete(c, path, version, got_cb, g);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_exists(Cx *x, ZkClient *c, const char *path, gboolean watch, Got *g)
{
    got_clear(g);
    zk_client_exists(c, path, watch, got_cb, g);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_ls(Cx *x, ZkClient *c, const char *path, gboolean watch, Got *g)
{
    got_clear(g);
    zk_client_get_children(c, path, watch, got_cb, g);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static ZkErr do_sync(Cx *x, ZkClient *c, const char *path, Got *g)
{
    got_clear(g);
    zk_client_sync(c, path, got_cb, g);
    CU_ASSERT_TRUE(wait_got(x, g));
    return g->err;
}

static const int S1[] = { 1, 0 }, S2[] = { 2, 0 }, S3[] = { 3, 0 }, S12[] = { 1, 2, 0 };

/* ---- every operation and error ---- */

static void test_ops_end_to_end(void)
{
    /* Three servers (s3 leads); a client of the follower s1 runs every
     * operation, successful and failing, through Zab and back. */
    Cx x;
    cx_init(&x, 3, 11, NULL);
    CU_ASSERT_EQUAL(fx_leader(&x.f), 3);
    ZkClient *c = cx_client(&x, "c1", S1, S(6));
    Got g = { 0 };
    /* Before it is started, a handle is not alive: ConnectionLoss. */
    zk_client_get_data(c, "/", FALSE, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_CONNECTION_LOSS);
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    /* Session id: s1 in the top byte; 6 s was within [4 s, 40 s]. */
    CU_ASSERT_EQUAL(zk_client_session(c) >> 56, 1);
    CU_ASSERT_EQUAL(zk_client_session_timeout_ms(c), 6000);
    CU_ASSERT_EQUAL(zk_client_server(c), 1);

    CU_ASSERT_EQUAL(do_create(&x, c, "/a", "x", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.created, "/a");
    CU_ASSERT_EQUAL(g.stat.version, 0);
    CU_ASSERT_EQUAL(g.stat.czxid, g.zxid);
    CU_ASSERT_EQUAL(g.server, 1);
    CU_ASSERT_EQUAL(do_create(&x, c, "/a", "x", ZK_CREATE_PERSISTENT, &g), ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(do_create(&x, c, "/nope/b", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(do_create(&x, c, "/a/s-", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.created, "/a/s-0000000000");
    CU_ASSERT_EQUAL(do_create(&x, c, "/a/s-", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.created, "/a/s-0000000001");
    CU_ASSERT_EQUAL(do_create(&x, c, "/a/e", "eph", ZK_CREATE_EPHEMERAL, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.stat.ephemeral_owner, zk_client_session(c));
    CU_ASSERT_EQUAL(do_create(&x, c, "/a/e/x", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_NO_CHILDREN_FOR_EPHEMERALS);
    CU_ASSERT_EQUAL(do_create(&x, c, "/cont", NULL, ZK_CREATE_CONTAINER, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.stat.ephemeral_owner, ZK_CONTAINER_EPHEMERAL_OWNER);
    CU_ASSERT_EQUAL(do_create(&x, c, "bad", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_BAD_ARGUMENTS);

    CU_ASSERT_EQUAL(do_get(&x, c, "/a", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "x");
    CU_ASSERT_TRUE(g.is_read);
    CU_ASSERT_EQUAL(do_get(&x, c, "/zz", FALSE, &g), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(do_get(&x, c, "rel", FALSE, &g), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(do_set(&x, c, "/a", "y", 0, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.stat.version, 1);
    CU_ASSERT_EQUAL(do_set(&x, c, "/a", "z", 0, &g), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(do_set(&x, c, "/zz", "z", -1, &g), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(do_exists(&x, c, "/a", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.stat.version, 1);
    CU_ASSERT_EQUAL(g.stat.num_children, 3);
    CU_ASSERT_EQUAL(do_exists(&x, c, "/zz", FALSE, &g), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(do_ls(&x, c, "/", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.children->len, 3);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(g.children, 0), "a");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(g.children, 1), "cont");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(g.children, 2), "zookeeper");
    CU_ASSERT_EQUAL(do_ls(&x, c, "/zz", FALSE, &g), ZK_ERR_NO_NODE);

    CU_ASSERT_EQUAL(do_delete(&x, c, "/a", -1, &g), ZK_ERR_NOT_EMPTY);
    CU_ASSERT_EQUAL(do_delete(&x, c, "/zz", -1, &g), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(do_delete(&x, c, "/a/s-0000000000", 5, &g), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(do_delete(&x, c, "/a/s-0000000000", 0, &g), ZK_ERR_OK);

    /* multi: all or nothing; the failing op reports its error, the ops
     * before it Ok, those after it RuntimeInconsistency. */
    ZkOpRequest ops[3] = {
        { .type = ZK_OP_CREATE, .path = "/m1", .mode = ZK_CREATE_PERSISTENT, .version = -1 },
        { .type = ZK_OP_DELETE, .path = "/zz", .version = -1 },
        { .type = ZK_OP_CREATE, .path = "/m2", .mode = ZK_CREATE_PERSISTENT, .version = -1 },
    };
    got_clear(&g);
    zk_client_multi(c, ops, 3, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(g.n_multi, 3);
    CU_ASSERT_EQUAL(g.multi_err[0], ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.multi_err[1], ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(g.multi_err[2], ZK_ERR_RUNTIME_INCONSISTENCY);
    CU_ASSERT_EQUAL(do_exists(&x, c, "/m1", FALSE, &g), ZK_ERR_NO_NODE);
    ops[1] = (ZkOpRequest){ .type = ZK_OP_CHECK, .path = "/a", .version = 1 };
    got_clear(&g);
    zk_client_multi(c, ops, 3, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_exists(&x, c, "/m2", FALSE, &g), ZK_ERR_OK);

    CU_ASSERT_EQUAL(do_sync(&x, c, "/", &g), ZK_ERR_OK);

    /* addWatch / removeWatches; removing a watch the client does not
     * hold fails locally with NoWatcher. */
    got_clear(&g);
    zk_client_add_watch(c, "/a", ZK_WATCHER_MODE_PERSISTENT_RECURSIVE, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_OK);
    got_clear(&g);
    zk_client_remove_watches(c, "/a", ZK_WATCHER_TYPE_DATA, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_NO_WATCHER);
    got_clear(&g);
    zk_client_remove_watches(c, "/a", ZK_WATCHER_TYPE_ANY, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_PERSISTENT_WATCH_REMOVED, "/a"), 1);

    /* close: the session ends and its ephemeral goes with it; the
     * handle answers SessionExpired from then on. */
    uint64_t session = zk_client_session(c);
    got_clear(&g);
    zk_client_close(c, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_client_state(c), ZK_CLIENT_CLOSED);
    CU_ASSERT_EQUAL(do_get(&x, c, "/a", FALSE, &g), ZK_ERR_SESSION_EXPIRED);
    run_for(&x, MS(50));
    for (int sid = 1; sid <= 3; sid++) {
        CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&x.f, sid)->tree, "/a/e"));
        CU_ASSERT_FALSE(zk_tree_has_session(fx_server(&x.f, sid)->tree, session));
    }
    CU_ASSERT_TRUE(zk_client_saw(c, ZK_ERR_NODE_EXISTS));
    CU_ASSERT_TRUE(zk_client_saw(c, ZK_ERR_SESSION_EXPIRED));
    CU_ASSERT_FALSE(zk_client_saw(c, ZK_ERR_NOT_READ_ONLY));
    CU_ASSERT_EQUAL(zk_client_last_result(c), ZK_ERR_SESSION_EXPIRED);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}


/* ---- watches ---- */

static void test_watch_semantics(void)
{
    /* One-shot data, exist and child watches fire once each; an exists
     * watch on a missing node fires NodeCreated; a node with both a data
     * and a child watch gets one NodeDeleted; persistent watches keep
     * firing, recursive ones for descendants but never for children. */
    Cx x;
    cx_init(&x, 3, 12, NULL);
    ZkClient *w = cx_client(&x, "watcher", S1, S(10));
    ZkClient *o = cx_client(&x, "writer", S2, S(10));
    zk_client_start(w);
    zk_client_start(o);
    CU_ASSERT_TRUE(wait_connected(&x, w, S(2)) && wait_connected(&x, o, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_exists(&x, w, "/n", TRUE, &g), ZK_ERR_NO_NODE); /* exist watch */
    CU_ASSERT_EQUAL(do_create(&x, o, "/n", "1", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_set(&x, o, "/n", "2", -1, &g), ZK_ERR_OK);
    run_for(&x, MS(20));
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_CREATED, "/n"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NONE, "/n"), 1); /* consumed: no DataChanged */
    /* getData and getChildren watches, then delete: one NodeDeleted. */
    CU_ASSERT_EQUAL(do_get(&x, w, "/n", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "2");
    CU_ASSERT_EQUAL(do_ls(&x, w, "/n", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_exists(&x, w, "/n", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_delete(&x, o, "/n", -1, &g), ZK_ERR_OK);
    run_for(&x, MS(20));
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_DELETED, "/n"), 1);
    /* Persistent recursive on /p: create, set, delete of /p/q/r all
     * arrive, NodeChildrenChanged never does; a persistent watch on /p
     * gets /p's child changes, repeatedly. */
    CU_ASSERT_EQUAL(do_create(&x, o, "/p", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    got_clear(&g);
    zk_client_add_watch(w, "/p", ZK_WATCHER_MODE_PERSISTENT_RECURSIVE, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(do_create(&x, o, "/p/q", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_create(&x, o, "/p/q/r", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_set(&x, o, "/p/q/r", "x", -1, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_set(&x, o, "/p/q/r", "y", -1, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_delete(&x, o, "/p/q/r", -1, &g), ZK_ERR_OK);
    run_for(&x, MS(20));
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_CREATED, "/p/q"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_CREATED, "/p/q/r"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_DATA_CHANGED, "/p/q/r"), 2);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_DELETED, "/p/q/r"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p"), 0);
    got_clear(&g);
    zk_client_remove_watches(w, "/p", ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_OK);
    got_clear(&g);
    zk_client_add_watch(w, "/p", ZK_WATCHER_MODE_PERSISTENT, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(do_create(&x, o, "/p/a", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_create(&x, o, "/p/b", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_set(&x, o, "/p/a", "z", -1, &g), ZK_ERR_OK); /* not /p itself: nothing */
    run_for(&x, MS(20));
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p"), 2);
    CU_ASSERT_EQUAL(zk_client_events_on(w, ZK_EVENT_NODE_DATA_CHANGED, "/p/a"), 0);
    /* The events carry the zxid of the txn that fired them. */
    const ZkEventRecord *last = zk_client_event(w, zk_client_event_count(w) - 1);
    CU_ASSERT_EQUAL(last->type, ZK_EVENT_NODE_CHILDREN_CHANGED);
    CU_ASSERT_EQUAL(last->server, 1);
    CU_ASSERT_TRUE(last->zxid > 0 && last->zxid != ZK_ZXID_NONE);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- ordering ---- */

typedef struct Order {
    int32_t seen[64];
    int n;
} Order;

static void order_cb(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    Order *o = ud;
    if (o->n < 64)
        o->seen[o->n++] = r->xid;
}

static void test_session_order(void)
{
    /* Requests are pipelined and answered in order.  A read queued behind
     * its own session's write waits for that write (CommitProcessor), so
     * it sees it; another session's read on the same server at the same
     * moment is not held back and still sees the old value. */
    Cx x;
    cx_init(&x, 3, 13, NULL);
    ZkClient *a = cx_client(&x, "a", S1, S(10));
    ZkClient *b = cx_client(&x, "b", S1, S(10));
    zk_client_start(a);
    zk_client_start(b);
    CU_ASSERT_TRUE(wait_connected(&x, a, S(2)) && wait_connected(&x, b, S(2)));
    Got g = { 0 }, ga = { 0 }, gb = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, a, "/k", "old", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    run_for(&x, MS(10));
    /* Both issue at the same instant; b's read arrives first at s1. */
    zk_client_get_data(b, "/k", FALSE, got_cb, &gb);
    GBytes *v = bytes("new");
    zk_client_set_data(a, "/k", v, -1, got_cb, &g);
    g_bytes_unref(v);
    zk_client_get_data(a, "/k", FALSE, got_cb, &ga);
    CU_ASSERT_TRUE(wait_got(&x, &ga) && gb.n && g.n);
    CU_ASSERT_STRING_EQUAL(gb.data, "old");
    CU_ASSERT_STRING_EQUAL(ga.data, "new");
    CU_ASSERT_TRUE(ga.zxid >= g.zxid);
    /* Fifty pipelined mixed requests come back in xid order. */
    Order o = { .n = 0 };
    int32_t first = 0;
    for (int i = 0; i < 50; i++) {
        char p[16];
        g_snprintf(p, sizeof p, "/o%d", i % 7);
        int32_t xid;
        if (i % 3 == 0)
            xid = zk_client_create(a, p, NULL, ZK_CREATE_PERSISTENT, order_cb, &o);
        else if (i % 3 == 1)
            xid = zk_client_exists(a, p, FALSE, order_cb, &o);
        else
            xid = zk_client_sync(a, p, order_cb, &o);
        if (i == 0)
            first = xid;
    }
    run_for(&x, S(1));
    CU_ASSERT_EQUAL(o.n, 50);
    for (int i = 0; i < o.n; i++)
        CU_ASSERT_EQUAL(o.seen[i], first + i);
    got_clear(&g);
    got_clear(&ga);
    got_clear(&gb);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- sessions ---- */

static void wide_timeouts(ZkConfig *cfg)
{
    cfg->min_session_timeout = S(1);
    cfg->max_session_timeout = S(8);
}

static void test_session_ids_and_negotiation(void)
{
    /* Session ids: (sid << 56) | (ms << 24 >>> 8) from when s2 started
     * serving, then one more per session.  The timeout is clamped to
     * [minSessionTimeout, maxSessionTimeout]: by default [2, 20] ticks,
     * here configured to [1 s, 8 s]. */
    Cx x;
    cx_init(&x, 3, 14, NULL);
    ZkClient *lo = cx_client(&x, "lo", S2, MS(100));
    ZkClient *hi = cx_client(&x, "hi", S2, S(100));
    zk_client_start(lo);
    CU_ASSERT_TRUE(wait_connected(&x, lo, S(2)));
    zk_client_start(hi);
    CU_ASSERT_TRUE(wait_connected(&x, hi, S(2)));
    CU_ASSERT_EQUAL(zk_client_session_timeout_ms(lo), 4000);
    CU_ASSERT_EQUAL(zk_client_session_timeout_ms(hi), 40000);
    uint64_t s1 = zk_client_session(lo), s2 = zk_client_session(hi);
    CU_ASSERT_EQUAL(s1 >> 56, 2);
    CU_ASSERT_EQUAL(s2, s1 + 1);
    uint64_t ms = (s1 & ((UINT64_C(1) << 56) - 1)) >> 16;
    CU_ASSERT_TRUE(ms > 0 && ms < 1000); /* s2 began serving within the first second */
    cx_free(&x);

    cx_init(&x, 3, 14, wide_timeouts);
    lo = cx_client(&x, "lo", S2, MS(100));
    hi = cx_client(&x, "hi", S2, S(100));
    zk_client_start(lo);
    zk_client_start(hi);
    CU_ASSERT_TRUE(wait_connected(&x, lo, S(2)) && wait_connected(&x, hi, S(2)));
    CU_ASSERT_EQUAL(zk_client_session_timeout_ms(lo), 1000);
    CU_ASSERT_EQUAL(zk_client_session_timeout_ms(hi), 8000);
    assert_no_failure(&x);
    cx_free(&x);
}

static void test_reconnect_keeps_session_and_watches(void)
{
    /* A client of s1 and s2 watches /w (data) and its children.  Its
     * server crashes; while it is reconnecting, /w changes and gets a
     * child.  It reaches the other server within its 10 s session, keeps
     * its session, re-registers its watches with SetWatches (relative to
     * the last zxid it saw) and receives both events it missed at once. */
    Cx x;
    cx_init(&x, 3, 15, NULL);
    ZkClient *c = cx_client(&x, "c", S12, S(10));
    ZkClient *o = cx_client(&x, "o", S3, S(10));
    zk_client_start(c);
    zk_client_start(o);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)) && wait_connected(&x, o, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, o, "/w", "1", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_get(&x, c, "/w", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_ls(&x, c, "/w", TRUE, &g), ZK_ERR_OK);
    uint64_t session = zk_client_session(c);
    int first = zk_client_server(c), other = first == 1 ? 2 : 1;
    zk_ensemble_crash(x.f.ens, first);
    CU_ASSERT_EQUAL(do_set(&x, o, "/w", "2", -1, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_create(&x, o, "/w/kid", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_FALSE(zk_client_is_connected(c));
    CU_ASSERT_EQUAL(zk_client_event_count(c), 0);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(5)));
    CU_ASSERT_EQUAL(zk_client_session(c), session);
    CU_ASSERT_EQUAL(zk_client_server(c), other);
    CU_ASSERT_TRUE(zk_client_saw(c, ZK_ERR_CONNECTION_LOSS));
    run_for(&x, MS(50));
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DATA_CHANGED, "/w"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_CHILDREN_CHANGED, "/w"), 1);
    /* The watches were consumed; new ones work on the new server. */
    CU_ASSERT_EQUAL(do_get(&x, c, "/w", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "2");
    CU_ASSERT_EQUAL(do_set(&x, o, "/w", "3", -1, &g), ZK_ERR_OK);
    run_for(&x, MS(50));
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DATA_CHANGED, "/w"), 2);
    CU_ASSERT_EQUAL(zk_client_stats(c)->sessions, 1);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

static void test_partitioned_client_expires(void)
{
    /* A client with a 4 s session and an ephemeral node is cut off from
     * every server for 20 s.  After 2/3 of its timeout without a word it
     * declares the connection lost; its attempts to reconnect time out.
     * The leader expires the session (4 s, rounded up to the next tick)
     * and the closeSession removes the ephemeral everywhere.  After the
     * heal, the client reconnects and learns it has expired. */
    Cx x;
    cx_init(&x, 3, 16, NULL);
    ZkClient *c = cx_client(&x, "c", NULL, S(4));
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, c, "/eph", NULL, ZK_CREATE_EPHEMERAL, &g), ZK_ERR_OK);
    SimTime cut = now(&x);
    int me[] = { zk_client_node(c), -1 }, servers[] = { 0, 1, 2, -1 };
    sim_net_cut(x.f.sim, me, servers, TRUE);
    run_for(&x, S(3));
    CU_ASSERT_EQUAL(zk_client_state(c), ZK_CLIENT_CONNECTING);
    run_for(&x, S(4));
    for (int sid = 1; sid <= 3; sid++)
        CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&x.f, sid)->tree, "/eph"));
    CU_ASSERT_TRUE(now(&x) - cut < S(20));
    fx_run_to(&x.f, cut + S(20));
    sim_net_heal(x.f.sim);
    run_for(&x, S(5));
    CU_ASSERT_EQUAL(zk_client_state(c), ZK_CLIENT_CLOSED);
    CU_ASSERT_TRUE(zk_client_saw(c, ZK_ERR_SESSION_EXPIRED));
    CU_ASSERT_EQUAL(zk_client_stats(c)->expirations, 1);
    CU_ASSERT_EQUAL(do_get(&x, c, "/", FALSE, &g), ZK_ERR_SESSION_EXPIRED);
    /* A new handle gets a new session. */
    uint64_t old = zk_client_session(c);
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(3)));
    CU_ASSERT_NOT_EQUAL(zk_client_session(c), old);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- counting trace events ---- */

typedef struct Count {
    const char *type;
    int node; /* SIM_NO_NODE: any */
    int n;
} Count;

static void count_fn(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    Count *c = user;
    if (strcmp(ev->type, c->type) == 0 && (c->node == SIM_NO_NODE || ev->node == c->node))
        c->n++;
}

/* ---- staleness and sync ---- */

static void test_stale_read_then_sync(void)
{
    /* s1's link to the leader s3 is slow (300 ms each way), so s1 applies
     * commits late.  Right after a write commits (on s3 and s2), a client
     * of s1 reads the old value: one txn and a few ms stale.  sync() goes
     * to the leader and back behind the COMMIT, so the read after it is
     * current. */
    Cx x;
    cx_init(&x, 3, 17, NULL);
    SimLinkParams slow = { .latency = sim_dist_const(MS(300)), .has_latency = TRUE };
    sim_net_set_link(x.f.sim, 0, 2, &slow);
    ZkClient *r = cx_client(&x, "reader", S1, S(10));
    ZkClient *w = cx_client(&x, "writer", S3, S(10));
    zk_client_start(r);
    zk_client_start(w);
    CU_ASSERT_TRUE(wait_connected(&x, r, S(2)) && wait_connected(&x, w, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, w, "/x", "1", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    run_for(&x, S(1));
    CU_ASSERT_EQUAL(do_get(&x, r, "/x", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "1");
    CU_ASSERT_EQUAL(g.stale_txns, 0);
    CU_ASSERT_EQUAL(do_set(&x, w, "/x", "2", -1, &g), ZK_ERR_OK);
    uint64_t z = g.zxid;
    CU_ASSERT_EQUAL(do_get(&x, r, "/x", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "1"); /* stale */
    CU_ASSERT_EQUAL(g.stale_txns, 1);
    CU_ASSERT_TRUE(g.stale_ns > 0 && g.stale_ns < MS(10));
    CU_ASSERT_TRUE(g.zxid < z);
    SimTime t0 = now(&x);
    CU_ASSERT_EQUAL(do_sync(&x, r, "/x", &g), ZK_ERR_OK);
    CU_ASSERT_TRUE(now(&x) - t0 >= MS(600)); /* s1 -> leader -> s1 */
    CU_ASSERT_EQUAL(do_get(&x, r, "/x", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "2");
    CU_ASSERT_EQUAL(g.stale_txns, 0);
    CU_ASSERT_TRUE(g.zxid >= z);
    ZkStaleness st;
    zk_clients_staleness(x.cl, &st);
    CU_ASSERT_EQUAL(st.count, 3);
    CU_ASSERT_EQUAL(st.stale, 1);
    CU_ASSERT_EQUAL(st.txns_max, 1);
    CU_ASSERT_EQUAL(st.txns_p50, 0);
    CU_ASSERT_TRUE(st.ns_max > 0);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

static void test_reconnect_refused_when_behind(void)
{
    /* A client of s1 and s2 sits on one of them (A); the other (B) is
     * made to lag 1 s behind the leader s3.  The client writes, then A
     * crashes.  B has not applied what the client has seen, so it refuses
     * the client ("client must try another server") until it catches up;
     * the client keeps trying and then reconnects with its session. */
    Cx x;
    cx_init(&x, 3, 18, NULL);
    ZkClient *c = cx_client(&x, "c", S12, S(20));
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    int a = zk_client_server(c), b = a == 1 ? 2 : 1;
    Count refused = { .type = "CONNECT_REFUSED", .node = b - 1 };
    sim_trace_add_callback(x.f.sim, count_fn, &refused);
    SimLinkParams slow = { .latency = sim_dist_const(S(1)), .has_latency = TRUE };
    sim_net_set_link(x.f.sim, b - 1, 2, &slow);
    run_for(&x, S(3));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, c, "/z", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    uint64_t seen = zk_client_last_zxid(c);
    uint64_t session = zk_client_session(c);
    zk_ensemble_crash(x.f.ens, a);
    CU_ASSERT_TRUE(zk_tree_last_processed_zxid(fx_server(&x.f, b)->tree) < seen);
    CU_ASSERT_TRUE(wait_on(&x, c, b, S(10)));
    CU_ASSERT_TRUE(refused.n >= 1);
    CU_ASSERT_EQUAL(zk_client_server(c), b);
    CU_ASSERT_EQUAL(zk_client_session(c), session);
    CU_ASSERT_TRUE(zk_tree_last_processed_zxid(fx_server(&x.f, b)->tree) >= seen);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

static void test_session_moved(void)
{
    /* A client on s1 loses its way to s1 (one direction cut): its create
     * and pings wait in the network.  After 2/3 of its 6 s timeout it
     * moves to s2, which revalidates the session: the leader now knows
     * s2 as its owner.  When the cut heals, s1 finally reads the old
     * create and forwards it: the leader rejects it with SessionMoved
     * (ZOOKEEPER-710), so it never happens.  The client keeps its
     * session; its create ended with ConnectionLoss. */
    Cx x;
    cx_init(&x, 3, 19, NULL);
    Count rejected = { .type = "SESSION_MOVED_REJECT", .node = 2 };
    sim_trace_add_callback(x.f.sim, count_fn, &rejected);
    ZkClient *c = cx_client(&x, "c", S12, S(6));
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    CU_ASSERT_EQUAL(zk_client_server(c), 1);
    uint64_t session = zk_client_session(c);
    sim_net_cut_link(x.f.sim, zk_client_node(c), 0);
    Got g = { 0 };
    zk_client_create(c, "/moved", NULL, ZK_CREATE_PERSISTENT, got_cb, &g);
    CU_ASSERT_TRUE(wait_got(&x, &g));
    CU_ASSERT_EQUAL(g.err, ZK_ERR_CONNECTION_LOSS);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(5)));
    CU_ASSERT_EQUAL(zk_client_server(c), 2);
    CU_ASSERT_EQUAL(zk_client_session(c), session);
    sim_net_heal(x.f.sim);
    run_for(&x, S(1));
    CU_ASSERT_EQUAL(rejected.n, 1);
    for (int sid = 1; sid <= 3; sid++)
        CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&x.f, sid)->tree, "/moved"));
    CU_ASSERT_EQUAL(do_create(&x, c, "/moved", NULL, ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_TRUE(zk_client_is_connected(c));
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

static void one_observer(ZkConfig *cfg)
{
    cfg->observer[4] = TRUE;
}

static void test_observer_client(void)
{
    /* Three voters and the observer s4.  A client of s4 writes through
     * it (forwarded to the leader), reads, syncs, and is told of a
     * change it watches as s4 applies the INFORM.  When s4 crashes, the
     * client of s1 and s4 moves to s1, and back again later: an
     * observer revalidates a session with REVALIDATE like a follower. */
    Cx x;
    cx_init(&x, 4, 28, one_observer);
    CU_ASSERT_EQUAL(fx_leader(&x.f), 3);
    CU_ASSERT_EQUAL(fx_role(&x.f, 4), ZK_OBSERVING);
    ZkClient *c = cx_client(&x, "c", (const int[]){ 4, 0 }, S(10));
    ZkClient *o = cx_client(&x, "o", S2, S(10));
    zk_client_start(c);
    zk_client_start(o);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)) && wait_connected(&x, o, S(2)));
    CU_ASSERT_EQUAL(zk_client_session(c) >> 56, 4);
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, c, "/obs", "1", ZK_CREATE_EPHEMERAL, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g.server, 4);
    CU_ASSERT_EQUAL(do_get(&x, c, "/obs", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_set(&x, o, "/obs", "2", -1, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_sync(&x, c, "/obs", &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DATA_CHANGED, "/obs"), 1);
    CU_ASSERT_EQUAL(do_get(&x, c, "/obs", FALSE, &g), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(g.data, "2");
    ZkClient *m = cx_client(&x, "m", (const int[]){ 1, 4, 0 }, S(10));
    zk_client_start(m);
    CU_ASSERT_TRUE(wait_connected(&x, m, S(2)));
    int first = zk_client_server(m), other = first == 1 ? 4 : 1;
    uint64_t session = zk_client_session(m);
    zk_ensemble_crash(x.f.ens, first);
    CU_ASSERT_TRUE(wait_on(&x, m, other, S(5)));
    CU_ASSERT_EQUAL(zk_client_session(m), session);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- a config update fans out ---- */

typedef struct Fan {
    ZkClient *c;
    int events;
    int reads_new;
    int early; /* read the new value before its event: must stay 0 */
    gboolean polling;
} Fan;

static void fan_read(ZkClient *c, const ZkResult *r, void *ud)
{
    Fan *f = ud;
    if (r->err != ZK_ERR_OK)
        return;
    gboolean is_new = g_bytes_get_size(r->data) == 2 && memcmp(g_bytes_get_data(r->data, NULL), "v2", 2) == 0;
    if (is_new) {
        f->reads_new++;
        if (zk_client_events_on(c, ZK_EVENT_NODE_DATA_CHANGED, "/config") == 0)
            f->early++;
        f->polling = FALSE;
    }
    if (f->polling)
        zk_client_get_data(c, "/config", FALSE, fan_read, f);
}

static void fan_watch(ZkClient *c, const ZkWatchedEvent *ev, void *ud)
{
    Fan *f = ud;
    if (ev->type == ZK_EVENT_NODE_DATA_CHANGED && strcmp(ev->path, "/config") == 0) {
        f->events++;
        zk_client_get_data(c, "/config", TRUE, fan_read, f); /* re-read, re-watch */
    }
}

static void test_config_reaches_100_clients(void)
{
    /* 100 clients spread over five servers read /config with a watch and
     * keep polling it.  An operator on the leader updates it once: every
     * client gets exactly one NodeDataChanged, and none reads "v2" before
     * its event has arrived (the server sends the event as it applies
     * the txn, ahead of any later reply on the connection). */
    Cx x;
    cx_init(&x, 5, 20, NULL);
    ZkClient *op = cx_client(&x, "operator", (const int[]){ 5, 0 }, S(10));
    zk_client_start(op);
    CU_ASSERT_TRUE(wait_connected(&x, op, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, op, "/config", "v1", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    Fan fans[100];
    memset(fans, 0, sizeof fans);
    for (int i = 0; i < 100; i++) {
        char name[16];
        g_snprintf(name, sizeof name, "w%03d", i);
        fans[i].c = cx_client(&x, name, NULL, S(10));
        zk_client_set_watcher(fans[i].c, fan_watch, &fans[i]);
        zk_client_start(fans[i].c);
    }
    run_for(&x, S(3));
    CU_ASSERT_TRUE(zk_clients_all_connected(x.cl));
    int per_server[6] = { 0 };
    for (int i = 0; i < 100; i++) {
        per_server[zk_client_server(fans[i].c)]++;
        zk_client_get_data(fans[i].c, "/config", TRUE, fan_read, &fans[i]);
        fans[i].polling = TRUE;
        zk_client_get_data(fans[i].c, "/config", FALSE, fan_read, &fans[i]);
    }
    for (int sid = 1; sid <= 5; sid++)
        CU_ASSERT_TRUE(per_server[sid] > 5);
    run_for(&x, MS(100));
    CU_ASSERT_EQUAL(do_set(&x, op, "/config", "v2", -1, &g), ZK_ERR_OK);
    run_for(&x, S(1));
    int early = 0, events = 0, fresh = 0;
    for (int i = 0; i < 100; i++) {
        early += fans[i].early;
        events += fans[i].events == 1;
        fresh += fans[i].reads_new >= 1;
        GBytes *v = NULL;
        CU_ASSERT_TRUE(zk_client_last_value(fans[i].c, "/config", &v));
        CU_ASSERT_TRUE(v && g_bytes_get_size(v) == 2);
    }
    CU_ASSERT_EQUAL(early, 0);
    CU_ASSERT_EQUAL(events, 100);
    CU_ASSERT_EQUAL(fresh, 100);
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- a registry member dies ---- */

static void test_registry_member_crash(void)
{
    /* The registry workload: m1 registers /registry/member-m1 (4 s
     * session), five clients watch the list.  m1's process dies.  After
     * its session timeout (rounded up to the tick) the leader expires
     * it, the closeSession deletes the node, and every watcher is told
     * and re-lists an empty registry. */
    Cx x;
    cx_init(&x, 3, 21, NULL);
    ZkWorkloadSpec spec;
    zk_workload_spec_defaults(&spec, ZK_WORKLOAD_REGISTRY);
    spec.period = 0; /* members stay online */
    ZkWorkload *wl = zk_workload_new(x.cl, "reg", &spec);
    ZkClient *m = cx_client(&x, "m1", NULL, S(4));
    zk_workload_add_client(wl, m);
    ZkClient *w[5];
    for (int i = 0; i < 5; i++) {
        char name[8];
        g_snprintf(name, sizeof name, "w%d", i);
        w[i] = cx_client(&x, name, NULL, S(10));
        zk_workload_add_client(wl, w[i]);
    }
    zk_client_start(m);
    for (int i = 0; i < 5; i++)
        zk_client_start(w[i]);
    run_for(&x, S(2));
    for (int i = 1; i <= 5; i++) {
        const GPtrArray *v = zk_workload_view(wl, (guint)i);
        CU_ASSERT_TRUE(v && v->len == 1);
        if (v && v->len == 1)
            CU_ASSERT_STRING_EQUAL(g_ptr_array_index(v, 0), "member-m1");
    }
    guint before[5];
    for (int i = 0; i < 5; i++)
        before[i] = zk_client_events_on(w[i], ZK_EVENT_NODE_CHILDREN_CHANGED, "/registry");
    /* Its last ping was at most 1 s before the crash (pings every
     * 4000*2/3/2 - 1000 ms); expiry comes 4 s after the last touch,
     * rounded up to the next 2 s tick. */
    sim_node_crash(x.f.sim, zk_client_node(m));
    run_for(&x, S(2));
    CU_ASSERT_EQUAL(zk_workload_view(wl, 1)->len, 1); /* not yet */
    run_for(&x, S(4.1));
    for (int i = 1; i <= 5; i++) {
        CU_ASSERT_EQUAL(zk_workload_view(wl, (guint)i)->len, 0);
        CU_ASSERT_EQUAL(zk_client_events_on(w[i - 1], ZK_EVENT_NODE_CHILDREN_CHANGED, "/registry"), before[i - 1] + 1);
    }
    for (int sid = 1; sid <= 3; sid++)
        CU_ASSERT_EQUAL(zk_tree_ephemeral_count(fx_server(&x.f, sid)->tree), 0);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- zkCli verbs ---- */

static void test_cli_verbs(void)
{
    /* zkCli-style commands through zk_client_cli: their outcomes land in
     * the client's records (last result, errors seen, values read). */
    Cx x;
    cx_init(&x, 3, 22, NULL);
    ZkClient *c = cx_client(&x, "admin", NULL, S(10));
    ZkCliCommand cmd = { .verb = ZK_CLI_CONNECT, .version = -1, .watcher = ZK_WATCHER_TYPE_ANY };
    zk_client_cli(c, &cmd);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    const char *creates[] = { "/app", "/app/jobs", "/app/jobs/a", "/app/jobs/a/x", "/app/jobs/b", NULL };
    for (int i = 0; creates[i]; i++) {
        cmd = (ZkCliCommand){ .verb = ZK_CLI_CREATE, .path = creates[i], .data = "d", .version = -1 };
        zk_client_cli(c, &cmd);
    }
    cmd = (ZkCliCommand){ .verb = ZK_CLI_CREATE, .path = "/app/m-", .sequential = TRUE, .ephemeral = TRUE,
                          .version = -1 };
    zk_client_cli(c, &cmd);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_SET, .path = "/app", .data = "v2", .version = 3 };
    zk_client_cli(c, &cmd);
    run_for(&x, MS(100));
    CU_ASSERT_EQUAL(zk_client_last_result(c), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(zk_client_pending(c), 0);
    /* The suffix is /app's cversion: one child (jobs) was created before. */
    CU_ASSERT_PTR_NOT_NULL(zk_tree_get_node(fx_server(&x.f, 1)->tree, "/app/m-0000000001"));
    cmd = (ZkCliCommand){ .verb = ZK_CLI_GET, .path = "/app", .watch = TRUE, .version = -1 };
    zk_client_cli(c, &cmd);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_LS, .path = "/app", .watch = TRUE, .recursive = TRUE, .version = -1 };
    zk_client_cli(c, &cmd);
    run_for(&x, MS(100));
    GBytes *v = NULL;
    CU_ASSERT_TRUE(zk_client_last_value(c, "/app", &v));
    CU_ASSERT_TRUE(v && g_bytes_get_size(v) == 1);
    CU_ASSERT_FALSE(zk_client_last_value(c, "/nothing", NULL));
    /* deleteall removes the subtree deepest first; ls -R had watched
     * every node of it, so each deletion is announced. */
    cmd = (ZkCliCommand){ .verb = ZK_CLI_DELETEALL, .path = "/app/jobs", .version = -1 };
    zk_client_cli(c, &cmd);
    run_for(&x, MS(100));
    CU_ASSERT_EQUAL(zk_client_last_result(c), ZK_ERR_OK);
    for (int sid = 1; sid <= 3; sid++)
        CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&x.f, sid)->tree, "/app/jobs"));
    /* x and b go first: NodeDeleted on their child watches; jobs's and
     * a's one-shot child watches fire (NodeChildrenChanged) when their
     * first child goes, so their own deletion finds no watch left. */
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DELETED, "/app/jobs/a/x"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DELETED, "/app/jobs/b"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_CHILDREN_CHANGED, "/app/jobs"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_CHILDREN_CHANGED, "/app/jobs/a"), 1);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_DELETED, "/app/jobs"), 0);
    CU_ASSERT_EQUAL(zk_client_events_on(c, ZK_EVENT_NODE_CHILDREN_CHANGED, "/app"), 1);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_STAT, .path = "/app/jobs", .watch = TRUE, .version = -1 };
    zk_client_cli(c, &cmd);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_ADD_WATCH, .path = "/app", .mode = ZK_WATCHER_MODE_PERSISTENT_RECURSIVE,
                          .version = -1 };
    zk_client_cli(c, &cmd);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_SYNC, .path = "/app", .version = -1 };
    zk_client_cli(c, &cmd);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_REMOVE_WATCHES, .path = "/app", .watcher = ZK_WATCHER_TYPE_ANY,
                          .version = -1 };
    zk_client_cli(c, &cmd);
    run_for(&x, MS(100));
    CU_ASSERT_EQUAL(zk_client_last_result(c), ZK_ERR_OK);
    CU_ASSERT_TRUE(zk_client_saw(c, ZK_ERR_NO_NODE)); /* stat of the deleted node */
    /* connect on a live client: close, then a new session. */
    uint64_t first = zk_client_session(c);
    cmd = (ZkCliCommand){ .verb = ZK_CLI_CONNECT, .version = -1 };
    zk_client_cli(c, &cmd);
    run_for(&x, S(2));
    CU_ASSERT_TRUE(zk_client_is_connected(c));
    CU_ASSERT_NOT_EQUAL(zk_client_session(c), first);
    CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&x.f, 2)->tree, "/app/m-0000000001"));
    cmd = (ZkCliCommand){ .verb = ZK_CLI_CLOSE, .version = -1 };
    zk_client_cli(c, &cmd);
    run_for(&x, MS(100));
    CU_ASSERT_EQUAL(zk_client_state(c), ZK_CLIENT_CLOSED);
    assert_no_failure(&x);
    cx_free(&x);
}

/* ---- workloads ---- */

static ZkWorkload *workload(Cx *x, const char *name, ZkWorkloadKind kind, int clients, SimTime timeout,
                            void (*edit)(ZkWorkloadSpec *spec))
{
    ZkWorkloadSpec spec;
    zk_workload_spec_defaults(&spec, kind);
    if (edit)
        edit(&spec);
    ZkWorkload *wl = zk_workload_new(x->cl, name, &spec);
    for (int i = 0; i < clients; i++) {
        char cname[32];
        g_snprintf(cname, sizeof cname, "%s%d", name, i);
        ZkClient *c = cx_client(x, cname, NULL, timeout);
        zk_workload_add_client(wl, c);
        zk_client_start(c);
    }
    return wl;
}

static void quick_locks(ZkWorkloadSpec *spec)
{
    spec->hold = MS(50);
    spec->period = MS(20);
}

static void test_lock_under_crashes(void)
{
    /* Eight clients take turns at one lock (hold 50 ms) for a minute while
     * servers crash and restart, one every three seconds.  A holder whose
     * connection breaks gives the lock up; the ephemeral-sequential
     * recipe then never lets two clients hold it at once (the global
     * check), and the lock keeps changing hands. */
    Cx x;
    cx_init(&x, 5, 23, NULL);
    ZkWorkload *wl = workload(&x, "lk", ZK_WORKLOAD_LOCK, 8, S(6), quick_locks);
    SimRng *r = sim_rng(x.f.sim, "test/faults");
    for (int i = 0; i < 20; i++) {
        run_for(&x, S(1.5));
        int sid = 1 + (int)sim_rng_below(r, 5);
        zk_ensemble_crash(x.f.ens, sid);
        run_for(&x, S(1.5));
        zk_ensemble_restart(x.f.ens, sid);
        if (sim_failure(x.f.sim))
            break;
    }
    run_for(&x, S(10));
    const ZkWorkloadStats *st = zk_workload_stats(wl);
    CU_ASSERT_TRUE(st->acquisitions > 200);
    CU_ASSERT_EQUAL(zk_clients_lock_acquisitions(x.cl), st->acquisitions);
    CU_ASSERT_EQUAL(zk_clients_violations(x.cl), 0);
    assert_no_failure(&x);
    cx_free(&x);
}

static void naming_fast(ZkWorkloadSpec *spec)
{
    spec->period = MS(100);
    spec->count = 3;
}

static void membership_fast(ZkWorkloadSpec *spec)
{
    spec->period = MS(500);
    spec->hold = MS(300);
}

static void balance_spec(ZkWorkloadSpec *spec)
{
    spec->count = 3;
    spec->period = MS(500);
}

static void config_spec(ZkWorkloadSpec *spec)
{
    spec->period = MS(200);
    spec->path = "/app/config";
}

static void test_recipes(void)
{
    /* naming: unique sequential names; membership: everyone joins,
     * leaves and watches; balance: clients follow the least loaded of
     * three servers; config: watchers converge on the operator's last
     * value. */
    Cx x;
    cx_init(&x, 3, 24, NULL);
    ZkWorkload *nm = workload(&x, "nm", ZK_WORKLOAD_NAMING, 4, S(10), naming_fast);
    ZkWorkload *mb = workload(&x, "mb", ZK_WORKLOAD_MEMBERSHIP, 4, S(10), membership_fast);
    ZkWorkload *bl = workload(&x, "bl", ZK_WORKLOAD_BALANCE, 8, S(10), balance_spec);
    ZkWorkload *cf = workload(&x, "cf", ZK_WORKLOAD_CONFIG, 4, S(10), config_spec);
    run_for(&x, S(10));
    const ZkWorkloadStats *st = zk_workload_stats(nm);
    CU_ASSERT_TRUE(st->updates >= 4 * 3 * 90); /* names handed out, all distinct */
    CU_ASSERT_EQUAL(st->errors, 0);
    st = zk_workload_stats(mb);
    CU_ASSERT_TRUE(st->updates > 20);   /* joins and leaves */
    CU_ASSERT_TRUE(st->notifications > 20);
    for (guint i = 0; i < 4; i++)
        CU_ASSERT_PTR_NOT_NULL(zk_workload_view(mb, i));
    ZkBalanceSpread sp;
    zk_workload_balance_spread(bl, &sp);
    CU_ASSERT_EQUAL(sp.servers, 3);
    CU_ASSERT_EQUAL(sp.clients, 5);
    CU_ASSERT_TRUE(sp.max >= sp.min);
    /* Every client picked the server with the least load it read. */
    const char *pick = zk_workload_choice(bl, 3);
    CU_ASSERT_PTR_NOT_NULL(pick);
    for (guint i = 4; i < 8; i++)
        CU_ASSERT_STRING_EQUAL(zk_workload_choice(bl, i), pick);
    st = zk_workload_stats(cf);
    CU_ASSERT_TRUE(st->updates >= 45);
    /* Stop the operator; the watchers settle on its last value. */
    zk_client_close(zk_clients_find(x.cl, "cf0"), NULL, NULL);
    run_for(&x, S(1));
    GBytes *last = NULL;
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_get(&x, zk_clients_find(x.cl, "cf1"), "/app/config", FALSE, &g), ZK_ERR_OK);
    for (guint i = 1; i < 4; i++) {
        last = zk_workload_config_value(cf, i);
        CU_ASSERT_TRUE(last && g_bytes_get_size(last) == 100 &&
                       memcmp(g_bytes_get_data(last, NULL), g.data, 100) == 0);
    }
    got_clear(&g);
    assert_no_failure(&x);
    cx_free(&x);
}

static void mixed_open(ZkWorkloadSpec *spec)
{
    spec->rate_per_s = 500;
    spec->reads = 0.8;
    spec->keys = 100;
    spec->key_dist = ZK_KEYS_ZIPF;
    spec->zipf_s = 0.99;
    spec->ops = 2000;
}

static void test_mixed_open_loop(void)
{
    /* An open-loop mixed workload: 500 requests/s in all (Poisson), 80%
     * reads on 100 Zipf-distributed keys, 2000 requests, then it stops. */
    Cx x;
    cx_init(&x, 3, 25, NULL);
    ZkWorkload *wl = workload(&x, "mx", ZK_WORKLOAD_MIXED, 5, S(10), mixed_open);
    run_for(&x, S(3));
    const ZkWorkloadStats *st = zk_workload_stats(wl);
    CU_ASSERT_TRUE(st->ops > 1000 && st->ops < 2000);
    run_for(&x, S(5));
    CU_ASSERT_TRUE(st->ops >= 2000 && st->ops < 2000 + 2000 / 5 + 10); /* + creates on NoNode and the path */
    CU_ASSERT_TRUE(st->reads > 1400 && st->reads < 1800);
    CU_ASSERT_EQUAL(st->errors, 0);
    /* The hottest key got most of the writes. */
    const ZkNode *k0 = zk_tree_get_node(fx_server(&x.f, 1)->tree, "/mixed/k0");
    const ZkNode *k50 = zk_tree_get_node(fx_server(&x.f, 1)->tree, "/mixed/k50");
    ZkStat s0 = { 0 }, s50 = { 0 };
    CU_ASSERT_PTR_NOT_NULL(k0);
    if (k0)
        zk_node_stat(k0, &s0);
    if (k50)
        zk_node_stat(k50, &s50);
    CU_ASSERT_TRUE(s0.version > 5 * s50.version);
    ZkStaleness sn;
    zk_clients_staleness(x.cl, &sn);
    CU_ASSERT_TRUE(sn.count >= st->reads - 5);
    CU_ASSERT_TRUE(sn.txns_p50 <= sn.txns_p90 && sn.txns_p90 <= sn.txns_p99 && sn.txns_p99 <= sn.txns_max);
    CU_ASSERT_TRUE(sn.ns_p50 <= sn.ns_p90 && sn.ns_p90 <= sn.ns_p99 && sn.ns_p99 <= sn.ns_max);
    CU_ASSERT_TRUE(sn.stale > 0 && sn.stale < sn.count); /* followers apply a moment after the leader */
    assert_no_failure(&x);
    cx_free(&x);
}

static void mixed_faults(ZkWorkloadSpec *spec)
{
    spec->reads = 0.7;
    spec->keys = 50;
    spec->rate_per_s = 300;
}

static void registry_churn(ZkWorkloadSpec *spec)
{
    spec->count = 2;
    spec->period = S(2);
    spec->hold = S(1);
}

static void test_random_faults_with_workloads(void)
{
    /* Twelve seeds: five servers, a mixed workload (300 requests/s), a registry
     * and a lock, under 30 s of random crashes, restarts and partitions
     * of servers; then everything heals.  No client invariant may break,
     * every client ends connected, and work goes on after the heal.
     * ZKSIM_SEEDS=N runs N seeds, ZKSIM_VERBOSE=1 prints each one's
     * figures (for longer hunts than the suite can afford). */
    uint64_t ops = 0;
    uint64_t seeds = g_getenv("ZKSIM_SEEDS") ? g_ascii_strtoull(g_getenv("ZKSIM_SEEDS"), NULL, 10) : 12;
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        Cx x;
        cx_init(&x, 5, 100 + seed, NULL);
        ZkWorkload *mx = workload(&x, "mx", ZK_WORKLOAD_MIXED, 6, S(6), mixed_faults);
        workload(&x, "rg", ZK_WORKLOAD_REGISTRY, 4, S(4), registry_churn);
        workload(&x, "lk", ZK_WORKLOAD_LOCK, 3, S(6), quick_locks);
        SimRng *r = sim_rng(x.f.sim, "test/faults");
        for (int i = 0; i < 60 && !sim_failure(x.f.sim); i++) {
            run_for(&x, S(0.5));
            int sid = 1 + (int)sim_rng_below(r, 5);
            double p = sim_rng_double(r);
            if (p < 0.06) {
                zk_ensemble_crash(x.f.ens, sid);
            } else if (p < 0.16) {
                zk_ensemble_restart(x.f.ens, sid);
            } else if (p < 0.20) {
                const int a[] = { sid, 0 };
                int rest[6], k = 0;
                for (int o = 1; o <= 5; o++)
                    if (o != sid)
                        rest[k++] = o;
                rest[k] = 0;
                fx_partition(&x.f, a, rest);
            } else if (p < 0.30) {
                fx_heal(&x.f);
            }
        }
        fx_heal(&x.f);
        for (int sid = 1; sid <= 5; sid++)
            zk_ensemble_restart(x.f.ens, sid);
        run_for(&x, S(30));
        uint64_t before = zk_workload_stats(mx)->ok;
        run_for(&x, S(2));
        if (sim_failure(x.f.sim))
            fprintf(stderr, "\nseed %" PRIu64 ": %s\n", seed, sim_failure(x.f.sim));
        CU_ASSERT_PTR_NULL(sim_failure(x.f.sim));
        CU_ASSERT_TRUE(zk_clients_all_connected(x.cl));
        CU_ASSERT_TRUE(zk_workload_stats(mx)->ok > before + 400);
        ops += zk_workload_stats(mx)->ops;
        if (g_getenv("ZKSIM_VERBOSE")) {
            uint64_t disc = 0, exp = 0;
            for (guint i = 0; i < zk_clients_count(x.cl); i++) {
                disc += zk_client_stats(zk_clients_get(x.cl, i))->disconnects;
                exp += zk_client_stats(zk_clients_get(x.cl, i))->expirations;
            }
            fprintf(stderr, "seed %" PRIu64 ": ops %" PRIu64 " ok %" PRIu64 " disconnects %" PRIu64
                    " expirations %" PRIu64 " locks %" PRIu64 " elections %u\n",
                    seed, zk_workload_stats(mx)->ops, zk_workload_stats(mx)->ok, disc, exp,
                    zk_clients_lock_acquisitions(x.cl), x.f.ens->elections->len);
        }
        cx_free(&x);
    }
    CU_ASSERT_TRUE(ops > seeds * 15000);
}

/* One run of every workload under a crash and a partition; returns the
 * hash of its whole timeline. */
static uint64_t timeline_hash(uint64_t seed)
{
    Cx x;
    fx_init(&x.f, 5, seed, NULL);
    sim_trace_add_hash(x.f.sim);
    x.cl = zk_clients_new(x.f.ens);
    fx_start_all(&x.f, 0);
    workload(&x, "mx", ZK_WORKLOAD_MIXED, 3, S(6), mixed_faults);
    workload(&x, "rg", ZK_WORKLOAD_REGISTRY, 3, S(4), registry_churn);
    workload(&x, "lk", ZK_WORKLOAD_LOCK, 3, S(6), quick_locks);
    workload(&x, "nm", ZK_WORKLOAD_NAMING, 2, S(6), naming_fast);
    workload(&x, "mb", ZK_WORKLOAD_MEMBERSHIP, 2, S(6), membership_fast);
    workload(&x, "bl", ZK_WORKLOAD_BALANCE, 4, S(6), balance_spec);
    workload(&x, "cf", ZK_WORKLOAD_CONFIG, 3, S(6), config_spec);
    fx_crash_at(&x.f, 5, S(3));
    fx_run_to(&x.f, S(4));
    const int a[] = { 1, 0 }, b[] = { 2, 3, 4, 5, 0 };
    fx_partition(&x.f, a, b);
    fx_restart_at(&x.f, 5, S(6));
    fx_run_to(&x.f, S(8));
    fx_heal(&x.f);
    fx_run_to(&x.f, S(12));
    uint64_t h = sim_trace_hash(x.f.sim);
    CU_ASSERT_TRUE(sim_trace_count(x.f.sim) > 10000);
    assert_no_failure(&x);
    cx_free(&x);
    return h;
}

static void test_same_seed_same_timeline(void)
{
    /* Everything the client layer does is chosen by the seed: two runs
     * of the same seed produce the same timeline, event for event; another
     * seed does not. */
    uint64_t h1 = timeline_hash(77), h2 = timeline_hash(77), h3 = timeline_hash(78);
    CU_ASSERT_EQUAL(h1, h2);
    CU_ASSERT_NOT_EQUAL(h1, h3);
}

/* ---- planted bugs are caught ---- */

static void test_bug_watch_after_reply(void)
{
    /* With WATCH_AFTER_REPLY the server holds a watch event back until
     * after the next reply on the connection: a client that watches /x
     * and then sets it receives the reply (zxid Z) before the
     * NodeDataChanged fired at Z.  The watch-before-data check stops the
     * run. */
    Cx x;
    cx_init(&x, 3, 26, NULL);
    x.f.ens->bugs |= 1u << ZK_BUG_WATCH_AFTER_REPLY;
    ZkClient *c = cx_client(&x, "c", S1, S(10));
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, c, "/x", "1", ZK_CREATE_PERSISTENT, &g), ZK_ERR_OK);
    CU_ASSERT_EQUAL(do_get(&x, c, "/x", TRUE, &g), ZK_ERR_OK);
    CU_ASSERT_PTR_NULL(sim_failure(x.f.sim));
    GBytes *b = bytes("2");
    zk_client_set_data(c, "/x", b, -1, got_cb, &g);
    g_bytes_unref(b);
    run_for(&x, S(1));
    CU_ASSERT_EQUAL(zk_clients_violations(x.cl), 1);
    CU_ASSERT_PTR_NOT_NULL(sim_failure(x.f.sim));
    CU_ASSERT_PTR_NOT_NULL(sim_failure(x.f.sim) && strstr(sim_failure(x.f.sim), "before the NodeDataChanged"));
    got_clear(&g);
    cx_free(&x);
}

static void test_bug_keep_ephemerals(void)
{
    /* With KEEP_EPHEMERALS a closeSession leaves the session's ephemeral
     * nodes in place; the first server to apply it fails the check. */
    Cx x;
    cx_init(&x, 3, 27, NULL);
    x.f.ens->bugs |= 1u << ZK_BUG_KEEP_EPHEMERALS;
    ZkClient *c = cx_client(&x, "c", S1, S(10));
    zk_client_start(c);
    CU_ASSERT_TRUE(wait_connected(&x, c, S(2)));
    Got g = { 0 };
    CU_ASSERT_EQUAL(do_create(&x, c, "/e", NULL, ZK_CREATE_EPHEMERAL, &g), ZK_ERR_OK);
    zk_client_close(c, NULL, NULL);
    run_for(&x, S(1));
    CU_ASSERT_EQUAL(zk_clients_violations(x.cl), 1);
    CU_ASSERT_PTR_NOT_NULL(sim_failure(x.f.sim) && strstr(sim_failure(x.f.sim), "still owns 1 node"));
    got_clear(&g);
    cx_free(&x);
}

void tests_client_register(void)
{
    static const TestCase cases[] = {
        { "every operation and error", test_ops_end_to_end },
        { "watch semantics", test_watch_semantics },
        { "session order and FIFO replies", test_session_order },
        { "session ids and timeout negotiation", test_session_ids_and_negotiation },
        { "reconnect keeps session and watches", test_reconnect_keeps_session_and_watches },
        { "partitioned client expires", test_partitioned_client_expires },
        { "stale read, then sync", test_stale_read_then_sync },
        { "reconnect refused while the server is behind", test_reconnect_refused_when_behind },
        { "SessionMoved for a stale connection", test_session_moved },
        { "a client of an observer", test_observer_client },
        { "a config update reaches 100 clients", test_config_reaches_100_clients },
        { "a registry member crashes", test_registry_member_crash },
        { "zkCli verbs", test_cli_verbs },
        { "lock workload under crashes", test_lock_under_crashes },
        { "recipes: naming, membership, balance, config", test_recipes },
        { "mixed workload, open loop, Zipf keys", test_mixed_open_loop },
        { "random faults with workloads", test_random_faults_with_workloads },
        { "same seed, same timeline", test_same_seed_same_timeline },
        { "planted bug: watch after reply", test_bug_watch_after_reply },
        { "planted bug: keep ephemerals", test_bug_keep_ephemerals },
    };
    TEST_SUITE("client", cases);
}
