/* test_tree.c - the data tree, the leader's prep step and the watch manager.
 *
 * The fixture plays one leader and one follower: every write is prepped
 * against the leader's tree, applied to both trees (each with its own
 * watch manager), and both trees are checked and compared after each
 * apply.  Times are exact: the n-th zxid is stamped at 1 s + n ms.
 */
#include "sim_crc32.h"
#include "sim_rng.h"
#include "test_util.h"
#include "zk_tree.h"
#include "zk_watch.h"

#include <string.h>

/* ---- fixture ----------------------------------------------------------- */

typedef struct Fx {
    ZkTree *tree;        /* the leader's */
    ZkTree *follower;
    ZkPrep *prep;
    ZkWatchManager *wm;  /* the leader's watches */
    ZkWatchManager *fwm; /* the follower's watches */
    ZkWatchEvents *ev;   /* events fired on the leader by the last write */
    ZkWatchEvents *fev;
    GPtrArray *bytes; /* data buffers kept alive for the requests */
    uint64_t zxid;    /* last zxid handed out */
} Fx;

#define SESSION_A UINT64_C(0x100000000000001)
#define SESSION_B UINT64_C(0x100000000000002)

static SimTime time_of(uint64_t zxid)
{
    return SIM_S + (SimTime)zxid * SIM_MS;
}

static Fx *fx_new(void)
{
    Fx *f = g_new0(Fx, 1);
    f->tree = zk_tree_new();
    f->follower = zk_tree_new();
    f->prep = zk_prep_new();
    f->wm = zk_watch_new();
    f->fwm = zk_watch_new();
    f->ev = zk_watch_events_new();
    f->fev = zk_watch_events_new();
    f->bytes = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    return f;
}

static void fx_free(Fx *f)
{
    CU_ASSERT_TRUE(zk_tree_equal(f->tree, f->follower));
    zk_tree_free(f->tree);
    zk_tree_free(f->follower);
    zk_prep_free(f->prep);
    zk_watch_free(f->wm);
    zk_watch_free(f->fwm);
    zk_watch_events_free(f->ev);
    zk_watch_events_free(f->fev);
    g_ptr_array_unref(f->bytes);
    g_free(f);
}

static GBytes *fx_bytes(Fx *f, const char *s)
{
    if (!s)
        return NULL;
    GBytes *b = g_bytes_new(s, strlen(s));
    g_ptr_array_add(f->bytes, b);
    return b;
}

/* Preps req at the next zxid without applying it (pipelining). */
static ZkTxn *fx_prep(Fx *f, const ZkRequest *req, ZkErr *err)
{
    ZkTxn *txn = NULL;
    f->zxid++;
    ZkErr e = zk_prep_request(f->prep, f->tree, req, f->zxid, time_of(f->zxid), &txn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(txn);
    CU_ASSERT_EQUAL(zk_txn_zxid(txn), f->zxid);
    if (err)
        *err = e;
    return txn;
}

/* Commits txn: applies it on the leader (then prep_applied) and on the
 * follower, checks both trees and that they agree. */
static void fx_commit(Fx *f, ZkTxn *txn, ZkApplyResult *res)
{
    zk_watch_events_clear(f->ev);
    zk_watch_events_clear(f->fev);
    zk_tree_apply(f->tree, txn, f->wm, res, f->ev);
    zk_prep_applied(f->prep, zk_txn_zxid(txn));
    zk_tree_apply(f->follower, txn, f->fwm, NULL, f->fev);
    zk_tree_check(f->tree);
    zk_tree_check(f->follower);
    zk_watch_check(f->wm);
    CU_ASSERT_EQUAL(zk_tree_digest(f->tree), zk_tree_digest(f->follower));
    CU_ASSERT_EQUAL(zk_tree_last_processed_zxid(f->tree), zk_txn_zxid(txn));
}

/* Prep + commit; returns the prep outcome and checks apply agrees. */
static ZkErr fx_write(Fx *f, const ZkRequest *req, ZkApplyResult *res)
{
    ZkErr err;
    ZkTxn *txn = fx_prep(f, req, &err);
    ZkApplyResult local = {0};
    fx_commit(f, txn, res ? res : &local);
    CU_ASSERT_EQUAL((res ? res : &local)->err, err);
    zk_apply_result_clear(&local);
    zk_txn_unref(txn);
    return err;
}

static ZkRequest rq_create(Fx *f, const char *path, const char *data, ZkCreateMode mode, uint64_t session)
{
    ZkOpCode type = mode == ZK_CREATE_CONTAINER        ? ZK_OP_CREATE_CONTAINER
                    : zk_create_mode_is_ttl(mode)      ? ZK_OP_CREATE_TTL
                                                       : ZK_OP_CREATE;
    return (ZkRequest){.type = type, .session = session,
                       .op = {.path = path, .data = fx_bytes(f, data), .mode = mode, .ttl_ms = 1000}};
}

static ZkRequest rq_delete(const char *path, int32_t version)
{
    return (ZkRequest){.type = ZK_OP_DELETE, .session = SESSION_A, .op = {.path = path, .version = version}};
}

static ZkRequest rq_set(Fx *f, const char *path, const char *data, int32_t version)
{
    return (ZkRequest){.type = ZK_OP_SET_DATA, .session = SESSION_A,
                       .op = {.path = path, .data = fx_bytes(f, data), .version = version}};
}

static ZkErr fx_create(Fx *f, const char *path, const char *data, ZkCreateMode mode, uint64_t session)
{
    ZkRequest r = rq_create(f, path, data, mode, session);
    return fx_write(f, &r, NULL);
}

static ZkErr fx_delete(Fx *f, const char *path, int32_t version)
{
    ZkRequest r = rq_delete(path, version);
    return fx_write(f, &r, NULL);
}

static ZkErr fx_set(Fx *f, const char *path, const char *data, int32_t version)
{
    ZkRequest r = rq_set(f, path, data, version);
    return fx_write(f, &r, NULL);
}

static ZkErr fx_session(Fx *f, ZkOpCode type, uint64_t session)
{
    ZkRequest r = {.type = type, .session = session, .timeout_ms = 4000};
    return fx_write(f, &r, NULL);
}

static ZkStat stat_of(const ZkTree *t, const char *path)
{
    ZkStat st;
    memset(&st, 0xab, sizeof st);
    const ZkNode *n = zk_tree_get_node(t, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    zk_node_stat(n, &st);
    return st;
}

static gboolean has_node(const ZkTree *t, const char *path)
{
    return zk_tree_get_node(t, path) != NULL;
}

/* Asserts event i of ev. */
static void assert_event(const ZkWatchEvents *ev, guint i, uint64_t watcher, ZkEventType type, const char *path)
{
    CU_ASSERT_FATAL(i < zk_watch_events_len(ev));
    const ZkWatchEvent *e = zk_watch_events_get(ev, i);
    CU_ASSERT_EQUAL(e->watcher, watcher);
    CU_ASSERT_EQUAL(e->type, type);
    CU_ASSERT_STRING_EQUAL(e->path, path);
}

/* ---- vocabulary -------------------------------------------------------- */

static void test_proto_names(void)
{
    CU_ASSERT_STRING_EQUAL(zk_err_name(ZK_ERR_OK), "Ok");
    CU_ASSERT_STRING_EQUAL(zk_err_name(ZK_ERR_NO_NODE), "NoNode");
    CU_ASSERT_STRING_EQUAL(zk_err_name(ZK_ERR_NO_CHILDREN_FOR_EPHEMERALS), "NoChildrenForEphemerals");
    CU_ASSERT_STRING_EQUAL(zk_err_name((ZkErr)-999), "?");
    CU_ASSERT_EQUAL(ZK_ERR_RUNTIME_INCONSISTENCY, -2);
    CU_ASSERT_EQUAL(ZK_ERR_NODE_EXISTS, -110);
    CU_ASSERT_EQUAL(ZK_ERR_NO_WATCHER, -121);
    CU_ASSERT_STRING_EQUAL(zk_op_name(ZK_OP_CREATE_CONTAINER), "createContainer");
    CU_ASSERT_STRING_EQUAL(zk_op_name(ZK_OP_CLOSE_SESSION), "closeSession");
    CU_ASSERT_EQUAL(ZK_OP_SET_WATCHES2, 105);
    CU_ASSERT_EQUAL(ZK_OP_ADD_WATCH, 106);
    CU_ASSERT_EQUAL(ZK_OP_CREATE_SESSION, -10);
    CU_ASSERT_TRUE(zk_op_is_write(ZK_OP_MULTI));
    CU_ASSERT_FALSE(zk_op_is_write(ZK_OP_GET_DATA));
    CU_ASSERT_STRING_EQUAL(zk_event_type_name(ZK_EVENT_NODE_CHILDREN_CHANGED), "NodeChildrenChanged");
    CU_ASSERT_EQUAL(ZK_EVENT_PERSISTENT_WATCH_REMOVED, 7);
    CU_ASSERT_STRING_EQUAL(zk_create_mode_name(ZK_CREATE_EPHEMERAL_SEQUENTIAL), "EPHEMERAL_SEQUENTIAL");
    CU_ASSERT_TRUE(zk_create_mode_is_sequential(ZK_CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL));
    CU_ASSERT_TRUE(zk_create_mode_is_ttl(ZK_CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL));
    CU_ASSERT_FALSE(zk_create_mode_is_ephemeral(ZK_CREATE_CONTAINER));
    CU_ASSERT_TRUE(zk_create_mode_is_container(ZK_CREATE_CONTAINER));
    ZkCreateMode m;
    CU_ASSERT_TRUE(zk_create_mode_from_flag(3, &m));
    CU_ASSERT_EQUAL(m, ZK_CREATE_EPHEMERAL_SEQUENTIAL);
    CU_ASSERT_FALSE(zk_create_mode_from_flag(7, &m));
    CU_ASSERT_STRING_EQUAL(zk_watcher_mode_name(ZK_WATCHER_MODE_PERSISTENT_RECURSIVE), "PERSISTENT_RECURSIVE");
    CU_ASSERT_STRING_EQUAL(zk_watch_kind_name(ZK_WATCH_EXIST), "exist");
    CU_ASSERT_STRING_EQUAL(zk_watcher_type_name(ZK_WATCHER_TYPE_ANY), "Any");
}

/* ---- the initial tree -------------------------------------------------- */

static void test_initial_tree(void)
{
    g_autoptr(ZkTree) t = zk_tree_new();
    zk_tree_check(t);
    CU_ASSERT_EQUAL(zk_tree_node_count(t), 4);
    CU_ASSERT_EQUAL(zk_tree_last_processed_zxid(t), 0);
    /* DataTree(): "/" -> zookeeper -> {config, quota}, all-zero stats. */
    ZkStat root = stat_of(t, "/");
    CU_ASSERT_EQUAL(root.num_children, 1);
    CU_ASSERT_EQUAL(root.cversion, 0);
    CU_ASSERT_EQUAL(root.czxid, 0);
    ZkStat zk = stat_of(t, "/zookeeper");
    CU_ASSERT_EQUAL(zk.num_children, 2);
    const ZkNode *zn = zk_tree_get_node(t, "/zookeeper");
    CU_ASSERT_STRING_EQUAL(zk_node_name(zk_node_child(zn, 0)), "config");
    CU_ASSERT_STRING_EQUAL(zk_node_name(zk_node_child(zn, 1)), "quota");
    CU_ASSERT_EQUAL(zk_node_perms(zk_tree_get_node(t, "/zookeeper/config")), ZK_PERM_READ);
    CU_ASSERT_EQUAL(zk_node_perms(zk_tree_get_node(t, "/zookeeper/quota")), ZK_PERM_ALL);
    CU_ASSERT_STRING_EQUAL(zk_node_name(zk_tree_root(t)), "");
    /* DigestCalculator v2: crc32("" + 60 zero bytes) + crc32("/zookeeper" +
     * 60 zero bytes); the children of /zookeeper/ count 0. */
    CU_ASSERT_EQUAL(zk_tree_digest(t), UINT64_C(0x4128908) + UINT64_C(0x4db44d58));
    /* approximateDataSize: "/" + "/zookeeper" + "/zookeeper/quota" + "/zookeeper/config". */
    CU_ASSERT_EQUAL(zk_tree_data_size(t), 1 + 10 + 16 + 17);
    CU_ASSERT_TRUE(zk_tree_memory_bytes(t) > zk_tree_data_size(t));
}

/* ---- create ------------------------------------------------------------ */

static void test_create_stat(void)
{
    Fx *f = fx_new();
    g_auto(ZkApplyResult) res = {0};
    ZkRequest r = rq_create(f, "/a", "hello", ZK_CREATE_PERSISTENT, SESSION_A);
    r.type = ZK_OP_CREATE2;
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_EQUAL(res.type, ZK_OP_CREATE2);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/a");
    CU_ASSERT_TRUE(res.op.has_stat);
    ZkStat st = stat_of(f->tree, "/a");
    CU_ASSERT_TRUE(zk_stat_equal(&st, &res.op.stat));
    CU_ASSERT_EQUAL(st.czxid, 1);
    CU_ASSERT_EQUAL(st.mzxid, 1);
    CU_ASSERT_EQUAL(st.pzxid, 1);
    CU_ASSERT_EQUAL(st.ctime, time_of(1));
    CU_ASSERT_EQUAL(st.mtime, time_of(1));
    CU_ASSERT_EQUAL(zk_stat_ctime_ms(&st), 1001);
    CU_ASSERT_EQUAL(st.version, 0);
    CU_ASSERT_EQUAL(st.cversion, 0);
    CU_ASSERT_EQUAL(st.aversion, 0);
    CU_ASSERT_EQUAL(st.ephemeral_owner, 0);
    CU_ASSERT_EQUAL(st.data_length, 5);
    CU_ASSERT_EQUAL(st.num_children, 0);
    /* The parent: cversion and pzxid move on child create, mzxid does not. */
    ZkStat root = stat_of(f->tree, "/");
    CU_ASSERT_EQUAL(root.cversion, 1);
    CU_ASSERT_EQUAL(root.pzxid, 1);
    CU_ASSERT_EQUAL(root.mzxid, 0);
    CU_ASSERT_EQUAL(root.num_children, 2);
    /* The data buffer is the request's, shared, not copied. */
    CU_ASSERT_PTR_EQUAL(zk_node_data(zk_tree_get_node(f->tree, "/a")), r.op.data);
    fx_free(f);
}

static void test_create_errors(void)
{
    Fx *f = fx_new();
    CU_ASSERT_EQUAL(fx_create(f, "/a/b", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(fx_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_OK);
    CU_ASSERT_EQUAL(fx_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(fx_create(f, "/", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(fx_create(f, "/zookeeper", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(fx_create(f, "a", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(fx_create(f, "/a/", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_BAD_ARGUMENTS);
    /* The reserved subtree: /zookeeper takes children, /zookeeper/config is
     * read-only (no CREATE perm). */
    CU_ASSERT_EQUAL(fx_create(f, "/zookeeper/x", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_OK);
    CU_ASSERT_EQUAL(fx_create(f, "/zookeeper/config/x", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NO_AUTH);
    /* Container/TTL modes must come with their op codes. */
    ZkRequest r = rq_create(f, "/c", NULL, ZK_CREATE_CONTAINER, SESSION_A);
    r.type = ZK_OP_CREATE;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    r = rq_create(f, "/c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    r.type = ZK_OP_CREATE_CONTAINER;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    /* The session check comes after the path check, before the parent. */
    r = rq_create(f, "/nope/x", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    r.session_err = ZK_ERR_SESSION_EXPIRED;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_SESSION_EXPIRED);
    r.op.path = "bad";
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_tree_node_count(f->tree), 6);
    fx_free(f);
}

/* A failed request is an error txn: it takes a zxid, changes nothing but
 * lastProcessedZxid, and every server applies it. */
static void test_error_txn(void)
{
    Fx *f = fx_new();
    uint64_t before = zk_tree_digest(f->tree);
    ZkRequest r = rq_delete("/missing", -1);
    ZkErr err;
    ZkTxn *txn = fx_prep(f, &r, &err);
    CU_ASSERT_EQUAL(err, ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_txn_type(txn), ZK_OP_ERROR);
    CU_ASSERT_EQUAL(zk_txn_request_type(txn), ZK_OP_DELETE);
    CU_ASSERT_EQUAL(zk_txn_err(txn), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_txn_op_count(txn), 0);
    CU_ASSERT_EQUAL(zk_txn_size(txn), 32 + 4 + 12); /* header, ErrorTxn, digest */
    g_autoptr(GString) s = g_string_new(NULL);
    zk_txn_describe(txn, s);
    CU_ASSERT_STRING_EQUAL(s->str, "0x1 error(NoNode) for delete");
    g_auto(ZkApplyResult) res = {0};
    fx_commit(f, txn, &res);
    CU_ASSERT_EQUAL(res.err, ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(res.type, ZK_OP_ERROR);
    CU_ASSERT_EQUAL(zk_tree_digest(f->tree), before);
    CU_ASSERT_EQUAL(zk_tree_last_processed_zxid(f->tree), 1);
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 0);
    zk_txn_unref(txn);
    fx_free(f);
}

static void test_sequential(void)
{
    Fx *f = fx_new();
    g_auto(ZkApplyResult) res = {0};
    fx_create(f, "/s", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkRequest r = rq_create(f, "/s/x-", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, SESSION_A);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/s/x-0000000000");
    zk_apply_result_clear(&res);
    /* A plain child counts too: cversion counts every create. */
    fx_create(f, "/s/plain", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/s/x-0000000002");
    zk_apply_result_clear(&res);
    /* Deletes do not move cversion (3.8): the counter never goes back. */
    CU_ASSERT_EQUAL(fx_delete(f, "/s/x-0000000002", -1), ZK_ERR_OK);
    CU_ASSERT_EQUAL(fx_delete(f, "/s/plain", -1), ZK_ERR_OK);
    ZkStat s = stat_of(f->tree, "/s");
    CU_ASSERT_EQUAL(s.cversion, 3);
    CU_ASSERT_EQUAL(s.pzxid, 6);
    CU_ASSERT_EQUAL(s.num_children, 1);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/s/x-0000000003");
    zk_apply_result_clear(&res);
    /* Sequential allows a trailing slash: the name is just the counter. */
    r.op.path = "/s/";
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/s/0000000004");
    zk_apply_result_clear(&res);
    /* The suffixed name may collide with a node created by hand. */
    fx_create(f, "/s/y0000000006", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    r.op.path = "/s/y";
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_NODE_EXISTS);
    /* Ephemeral sequential. */
    zk_apply_result_clear(&res);
    r = rq_create(f, "/s/e", NULL, ZK_CREATE_EPHEMERAL_SEQUENTIAL, SESSION_B);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/s/e0000000006");
    CU_ASSERT_EQUAL(res.op.stat.ephemeral_owner, SESSION_B);
    fx_free(f);
}

static void test_ephemeral(void)
{
    Fx *f = fx_new();
    fx_session(f, ZK_OP_CREATE_SESSION, SESSION_A);
    CU_ASSERT_EQUAL(fx_create(f, "/e", "x", ZK_CREATE_EPHEMERAL, SESSION_A), ZK_ERR_OK);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/e").ephemeral_owner, SESSION_A);
    CU_ASSERT_EQUAL(fx_create(f, "/e/child", NULL, ZK_CREATE_PERSISTENT, SESSION_A),
                    ZK_ERR_NO_CHILDREN_FOR_EPHEMERALS);
    CU_ASSERT_EQUAL(fx_create(f, "/e/child", NULL, ZK_CREATE_EPHEMERAL_SEQUENTIAL, SESSION_A),
                    ZK_ERR_NO_CHILDREN_FOR_EPHEMERALS);
    /* NodeExists is checked before NoChildrenForEphemerals. */
    fx_create(f, "/f", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(fx_create(f, "/e", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_NODE_EXISTS);
    fx_create(f, "/f/e2", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    g_autoptr(GPtrArray) eph = zk_tree_ephemerals(f->tree, SESSION_A);
    CU_ASSERT_EQUAL(eph->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(eph, 0), "/e");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(eph, 1), "/f/e2");
    CU_ASSERT_EQUAL(zk_tree_ephemeral_count(f->tree), 2);
    CU_ASSERT_EQUAL(fx_delete(f, "/e", -1), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_tree_ephemeral_count(f->tree), 1);
    fx_free(f);
}

static void test_container(void)
{
    Fx *f = fx_new();
    g_auto(ZkApplyResult) res = {0};
    ZkRequest r = rq_create(f, "/c", NULL, ZK_CREATE_CONTAINER, SESSION_A);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_EQUAL(res.type, ZK_OP_CREATE_CONTAINER);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/c").ephemeral_owner, UINT64_C(0x8000000000000000));
    g_autoptr(GPtrArray) cs = zk_tree_containers(f->tree);
    CU_ASSERT_EQUAL(cs->len, 1);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(cs, 0), "/c");
    /* A container takes children (it is not NORMAL ephemeral). */
    CU_ASSERT_EQUAL(fx_create(f, "/c/x", NULL, ZK_CREATE_EPHEMERAL, SESSION_A), ZK_ERR_OK);
    ZkRequest dc = {.type = ZK_OP_DELETE_CONTAINER, .op = {.path = "/c"}};
    CU_ASSERT_EQUAL(fx_write(f, &dc, NULL), ZK_ERR_NOT_EMPTY);
    dc.op.path = "/c/x"; /* deleteContainer refuses a NORMAL ephemeral */
    CU_ASSERT_EQUAL(fx_write(f, &dc, NULL), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(fx_delete(f, "/c/x", -1), ZK_ERR_OK);
    dc.op.path = "/c";
    CU_ASSERT_EQUAL(fx_write(f, &dc, NULL), ZK_ERR_OK);
    CU_ASSERT_FALSE(has_node(f->tree, "/c"));
    g_autoptr(GPtrArray) none = zk_tree_containers(f->tree);
    CU_ASSERT_EQUAL(none->len, 0);
    CU_ASSERT_EQUAL(fx_write(f, &dc, NULL), ZK_ERR_NO_NODE);
    dc.op.path = "/zookeeper";
    CU_ASSERT_EQUAL(fx_write(f, &dc, NULL), ZK_ERR_BAD_ARGUMENTS);
    fx_free(f);
}

static void test_ttl(void)
{
    Fx *f = fx_new();
    CU_ASSERT_EQUAL(fx_create(f, "/t", NULL, ZK_CREATE_PERSISTENT_WITH_TTL, SESSION_A), ZK_ERR_UNIMPLEMENTED);
    zk_prep_set_extended_types(f->prep, TRUE);
    g_auto(ZkApplyResult) res = {0};
    ZkRequest r = rq_create(f, "/t", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL, SESSION_A);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/t0000000000");
    CU_ASSERT_EQUAL(res.op.stat.ephemeral_owner, UINT64_C(0xff00000000000000) | 1000);
    g_autoptr(GPtrArray) ttls = zk_tree_ttls(f->tree);
    CU_ASSERT_EQUAL(ttls->len, 1);
    /* A TTL node takes children. */
    CU_ASSERT_EQUAL(fx_create(f, "/t0000000000/k", NULL, ZK_CREATE_PERSISTENT, SESSION_A), ZK_ERR_OK);
    r.op.ttl_ms = 0;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    r.op.ttl_ms = ZK_TTL_MAX_MS + 1;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    r.op.ttl_ms = 5;
    r.type = ZK_OP_CREATE;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    fx_free(f);
}

static void test_data_limit(void)
{
    Fx *f = fx_new();
    g_autofree char *big = g_malloc(ZK_DATA_MAX_BYTES + 2);
    memset(big, 'x', ZK_DATA_MAX_BYTES + 1);
    big[ZK_DATA_MAX_BYTES + 1] = '\0';
    GBytes *over = g_bytes_new(big, ZK_DATA_MAX_BYTES + 1);
    GBytes *max = g_bytes_new(big, ZK_DATA_MAX_BYTES);
    g_ptr_array_add(f->bytes, over);
    g_ptr_array_add(f->bytes, max);
    ZkRequest r = rq_create(f, "/big", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    r.op.data = over;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    r.op.data = max;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_OK);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/big").data_length, ZK_DATA_MAX_BYTES);
    ZkRequest s = rq_set(f, "/big", NULL, -1);
    s.op.data = over;
    CU_ASSERT_EQUAL(fx_write(f, &s, NULL), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_tree_data_size(f->tree), 44 + 4 + ZK_DATA_MAX_BYTES);
    CU_ASSERT_TRUE(zk_request_size(&s) > ZK_DATA_MAX_BYTES);
    fx_free(f);
}

static void test_bad_paths(void)
{
    static const char *const bad[] = {"", "a", "a/b", "/a/", "//", "//a", "/a//b", "/a/.", "/a/..", "/./a",
                                      "/../a", "/a\x01", "/a\x7f", "/a\xc2\x80", "/\xff", "/\xef\xbf\xbf",
                                      "/\xf0\x9f\x98\x80"};
    static const char *const good[] = {"/", "/a", "/a/b", "/a/...", "/a/.b", "/a.", "/zookeeper", "/caf\xc3\xa9"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        CU_ASSERT_FALSE(zk_path_is_valid(bad[i], 0, FALSE));
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
        CU_ASSERT_TRUE(zk_path_is_valid(good[i], 0, FALSE));
    CU_ASSERT_TRUE(zk_path_is_valid("/a/", 0, TRUE));
    CU_ASSERT_FALSE(zk_path_is_valid("/a//", 0, TRUE));
    CU_ASSERT_FALSE(zk_path_is_valid("/a\0b", 4, FALSE));
    CU_ASSERT_FALSE(zk_path_is_valid(NULL, 0, FALSE));

    Fx *f = fx_new();
    fx_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkRequest r = rq_create(f, "/a\0b", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    r.op.path_len = 4;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_ARGUMENTS);
    r.op.path_len = 2; /* the first two bytes: "/a" exists */
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(fx_delete(f, "/a/..", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(fx_set(f, "/a/", "x", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_tree_exists(f->tree, "a", f->wm, 1, NULL), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 0);
    CU_ASSERT_EQUAL(zk_tree_get_data(f->tree, "/a/.", NULL, 0, NULL, NULL), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_tree_get_children(f->tree, "", NULL, 0, NULL, NULL), ZK_ERR_BAD_ARGUMENTS);
    fx_free(f);
}

/* ---- delete, setData, check ------------------------------------------- */

static void test_delete(void)
{
    Fx *f = fx_new();
    fx_create(f, "/d", NULL, ZK_CREATE_PERSISTENT, SESSION_A);          /* zxid 1 */
    fx_create(f, "/d/x", NULL, ZK_CREATE_PERSISTENT, SESSION_A);        /* 2 */
    CU_ASSERT_EQUAL(fx_delete(f, "/d/nope", -1), ZK_ERR_NO_NODE);       /* 3 */
    CU_ASSERT_EQUAL(fx_delete(f, "/nope/x", -1), ZK_ERR_NO_NODE);       /* 4 */
    CU_ASSERT_EQUAL(fx_delete(f, "/d", -1), ZK_ERR_NOT_EMPTY);          /* 5 */
    CU_ASSERT_EQUAL(fx_delete(f, "/d/x", 3), ZK_ERR_BAD_VERSION);       /* 6 */
    /* BadVersion is checked before NotEmpty. */
    CU_ASSERT_EQUAL(fx_delete(f, "/d", 7), ZK_ERR_BAD_VERSION);         /* 7 */
    CU_ASSERT_EQUAL(fx_delete(f, "/d/x", 0), ZK_ERR_OK);                /* 8 */
    ZkStat d = stat_of(f->tree, "/d");
    CU_ASSERT_EQUAL(d.pzxid, 8);
    CU_ASSERT_EQUAL(d.cversion, 1); /* deletes do not count */
    CU_ASSERT_EQUAL(d.mzxid, 1);
    CU_ASSERT_EQUAL(d.num_children, 0);
    CU_ASSERT_EQUAL(fx_delete(f, "/d", -1), ZK_ERR_OK);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/").pzxid, 9);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/").cversion, 1);
    /* The special paths cannot be deleted (DataTree.isSpecialPath). */
    CU_ASSERT_EQUAL(fx_delete(f, "/", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(fx_delete(f, "/zookeeper", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(fx_delete(f, "/zookeeper/quota", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(fx_delete(f, "/zookeeper/config", -1), ZK_ERR_BAD_ARGUMENTS);
    CU_ASSERT_EQUAL(zk_tree_node_count(f->tree), 4);
    fx_free(f);
}

static void test_set_data(void)
{
    Fx *f = fx_new();
    g_auto(ZkApplyResult) res = {0};
    fx_create(f, "/s", "a", ZK_CREATE_PERSISTENT, SESSION_A);
    ZkRequest r = rq_set(f, "/s", "bcd", 0);
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_TRUE(res.op.has_stat);
    CU_ASSERT_EQUAL(res.op.stat.version, 1);
    ZkStat st = stat_of(f->tree, "/s");
    CU_ASSERT_EQUAL(st.version, 1);
    CU_ASSERT_EQUAL(st.mzxid, 2);
    CU_ASSERT_EQUAL(st.mtime, time_of(2));
    CU_ASSERT_EQUAL(st.czxid, 1);
    CU_ASSERT_EQUAL(st.ctime, time_of(1));
    CU_ASSERT_EQUAL(st.pzxid, 1);
    CU_ASSERT_EQUAL(st.data_length, 3);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/").mzxid, 0);
    CU_ASSERT_EQUAL(fx_set(f, "/s", "e", 0), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(fx_set(f, "/s", "e", -1), ZK_ERR_OK);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/s").version, 2);
    CU_ASSERT_EQUAL(fx_set(f, "/s", NULL, 2), ZK_ERR_OK);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/s").data_length, 0);
    CU_ASSERT_EQUAL(fx_set(f, "/nope", "e", -1), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(fx_set(f, "/zookeeper/config", "e", -1), ZK_ERR_NO_AUTH);
    CU_ASSERT_EQUAL(fx_set(f, "/zookeeper", "e", -1), ZK_ERR_OK);
    g_autoptr(GBytes) data = NULL;
    CU_ASSERT_EQUAL(zk_tree_get_data(f->tree, "/s", NULL, 0, &st, &data), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g_bytes_get_size(data), 0);
    CU_ASSERT_EQUAL(st.version, 3);
    fx_free(f);
}

static void test_check(void)
{
    Fx *f = fx_new();
    fx_create(f, "/k", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    uint64_t digest = zk_tree_digest(f->tree);
    ZkRequest r = {.type = ZK_OP_CHECK, .session = SESSION_A, .op = {.path = "/k", .version = 0}};
    g_auto(ZkApplyResult) res = {0};
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_EQUAL(res.type, ZK_OP_CHECK);
    CU_ASSERT_STRING_EQUAL(res.op.path, "/k");
    CU_ASSERT_EQUAL(zk_tree_digest(f->tree), digest); /* check changes nothing */
    r.op.version = 1;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_BAD_VERSION);
    r.op.version = -1;
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_OK);
    r.op.path = "/none";
    CU_ASSERT_EQUAL(fx_write(f, &r, NULL), ZK_ERR_NO_NODE);
    fx_free(f);
}

/* ---- pipelining against outstanding changes ------------------------------ */

static void test_pipelined_creates(void)
{
    Fx *f = fx_new();
    ZkRequest a = rq_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkRequest ab = rq_create(f, "/a/b", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkErr e1, e2, e3, e4;
    /* create /a, then /a/b before /a commits: prep sees /a's record. */
    ZkTxn *t1 = fx_prep(f, &a, &e1);
    ZkTxn *t2 = fx_prep(f, &ab, &e2);
    ZkTxn *t3 = fx_prep(f, &a, &e3); /* the same path twice */
    ZkRequest del = rq_delete("/a", -1);
    ZkTxn *t4 = fx_prep(f, &del, &e4); /* /a has a pending child */
    CU_ASSERT_EQUAL(e1, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e2, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e3, ZK_ERR_NODE_EXISTS);
    CU_ASSERT_EQUAL(e4, ZK_ERR_NOT_EMPTY);
    CU_ASSERT_FALSE(has_node(f->tree, "/a"));
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 4);
    fx_commit(f, t1, NULL);
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 2);
    fx_commit(f, t2, NULL);
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 0);
    fx_commit(f, t3, NULL);
    fx_commit(f, t4, NULL);
    CU_ASSERT_TRUE(has_node(f->tree, "/a/b"));
    CU_ASSERT_EQUAL(stat_of(f->tree, "/a").cversion, 1);
    zk_txn_unref(t1);
    zk_txn_unref(t2);
    zk_txn_unref(t3);
    zk_txn_unref(t4);
    fx_free(f);
}

static void test_pipelined_versions(void)
{
    Fx *f = fx_new();
    fx_create(f, "/v", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkRequest s0 = rq_set(f, "/v", "1", 0), s0again = rq_set(f, "/v", "2", 0), s1 = rq_set(f, "/v", "3", 1);
    ZkErr e1, e2, e3, e4, e5, e6;
    ZkTxn *t1 = fx_prep(f, &s0, &e1);
    ZkTxn *t2 = fx_prep(f, &s0again, &e2); /* version 0 is stale at the leader */
    ZkTxn *t3 = fx_prep(f, &s1, &e3);
    ZkRequest del = rq_delete("/v", 2);
    ZkTxn *t4 = fx_prep(f, &del, &e4);
    /* After the pending delete, /v is gone for prep; a re-create works
     * and sequential names under "/" follow the pending cversion. */
    ZkRequest cr = rq_create(f, "/v", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkTxn *t5 = fx_prep(f, &cr, &e5);
    ZkRequest seq = rq_create(f, "/q", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, SESSION_A);
    ZkTxn *t6 = fx_prep(f, &seq, &e6);
    CU_ASSERT_EQUAL(e1, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e2, ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(e3, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e4, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e5, ZK_ERR_OK);
    CU_ASSERT_EQUAL(e6, ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(zk_txn_op_path(t6, 0), "/q0000000002");
    ZkTxn *all[] = {t1, t2, t3, t4, t5, t6};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        fx_commit(f, all[i], NULL);
        zk_txn_unref(all[i]);
    }
    CU_ASSERT_EQUAL(stat_of(f->tree, "/v").version, 0);
    CU_ASSERT_EQUAL(stat_of(f->tree, "/v").czxid, 6);
    CU_ASSERT_TRUE(has_node(f->tree, "/q0000000002"));
    fx_free(f);
}

static void test_prep_reset(void)
{
    Fx *f = fx_new();
    ZkRequest a = rq_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkErr e;
    ZkTxn *t1 = fx_prep(f, &a, &e);
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 2);
    /* A new leader forgets what the old one proposed. */
    zk_prep_reset(f->prep);
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 0);
    ZkTxn *t2 = fx_prep(f, &a, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_OK);
    zk_txn_unref(t1);
    zk_txn_unref(t2);
    fx_free(f);
}

/* ---- multi ------------------------------------------------------------- */

static void test_multi_success(void)
{
    Fx *f = fx_new();
    fx_create(f, "/m", "0", ZK_CREATE_PERSISTENT, SESSION_A);
    ZkOpRequest ops[] = {
        {.type = ZK_OP_CHECK, .path = "/m", .version = 0},
        {.type = ZK_OP_CREATE, .path = "/m/x", .data = fx_bytes(f, "xx"), .mode = ZK_CREATE_PERSISTENT},
        {.type = ZK_OP_CREATE2, .path = "/m/x/s", .mode = ZK_CREATE_PERSISTENT_SEQUENTIAL},
        {.type = ZK_OP_SET_DATA, .path = "/m", .data = fx_bytes(f, "1"), .version = 0},
        {.type = ZK_OP_SET_DATA, .path = "/m", .data = fx_bytes(f, "2"), .version = 1},
        {.type = ZK_OP_DELETE, .path = "/m/x/s0000000000", .version = -1},
    };
    ZkRequest r = {.type = ZK_OP_MULTI, .session = SESSION_A, .cxid = 9, .ops = ops, .n_ops = G_N_ELEMENTS(ops)};
    g_auto(ZkApplyResult) res = {0};
    ZkErr err;
    ZkTxn *txn = fx_prep(f, &r, &err);
    CU_ASSERT_EQUAL(err, ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_type(txn), ZK_OP_MULTI);
    CU_ASSERT_EQUAL(zk_txn_op_count(txn), 6);
    CU_ASSERT_EQUAL(zk_txn_cxid(txn), 9);
    g_autoptr(GString) s = g_string_new(NULL);
    zk_txn_describe(txn, s);
    CU_ASSERT_STRING_EQUAL(s->str, "0x2 multi[check /m, create /m/x, create2 /m/x/s0000000000, setData /m, "
                                   "setData /m, delete /m/x/s0000000000]");
    fx_commit(f, txn, &res);
    CU_ASSERT_EQUAL(res.err, ZK_ERR_OK);
    CU_ASSERT_EQUAL(res.cxid, 9);
    CU_ASSERT_EQUAL(res.n_multi, 6);
    for (guint i = 0; i < res.n_multi; i++) {
        CU_ASSERT_EQUAL(res.multi[i].err, ZK_ERR_OK);
        CU_ASSERT_EQUAL(res.multi[i].type, ops[i].type);
    }
    CU_ASSERT_STRING_EQUAL(res.multi[2].path, "/m/x/s0000000000");
    CU_ASSERT_EQUAL(res.multi[2].stat.czxid, 2);
    CU_ASSERT_EQUAL(res.multi[4].stat.version, 2);
    /* One zxid for every sub-op. */
    ZkStat m = stat_of(f->tree, "/m"), x = stat_of(f->tree, "/m/x");
    CU_ASSERT_EQUAL(m.mzxid, 2);
    CU_ASSERT_EQUAL(m.pzxid, 2);
    CU_ASSERT_EQUAL(m.version, 2);
    CU_ASSERT_EQUAL(x.czxid, 2);
    CU_ASSERT_EQUAL(x.pzxid, 2);
    CU_ASSERT_EQUAL(x.cversion, 1);
    CU_ASSERT_EQUAL(x.num_children, 0);
    zk_txn_unref(txn);
    fx_free(f);
}

static void test_multi_rollback(void)
{
    Fx *f = fx_new();
    fx_create(f, "/p", NULL, ZK_CREATE_PERSISTENT, SESSION_A); /* zxid 1 */
    ZkRequest pending = rq_create(f, "/p/pending", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkErr e;
    ZkTxn *t_pending = fx_prep(f, &pending, &e); /* zxid 2, not yet applied */
    uint64_t digest = zk_tree_digest(f->tree);
    ZkOpRequest ops[] = {
        {.type = ZK_OP_CREATE, .path = "/r", .mode = ZK_CREATE_PERSISTENT},
        {.type = ZK_OP_CREATE, .path = "/p/s", .mode = ZK_CREATE_PERSISTENT_SEQUENTIAL},
        {.type = ZK_OP_DELETE, .path = "/missing", .version = -1},
        {.type = ZK_OP_CREATE, .path = "/r/y", .mode = ZK_CREATE_PERSISTENT},
    };
    ZkRequest r = {.type = ZK_OP_MULTI, .session = SESSION_A, .ops = ops, .n_ops = G_N_ELEMENTS(ops)};
    ZkTxn *txn = fx_prep(f, &r, &e); /* zxid 3 */
    CU_ASSERT_EQUAL(e, ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_txn_type(txn), ZK_OP_MULTI);
    CU_ASSERT_EQUAL(zk_txn_err(txn), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_txn_op_err(txn, 0), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_op_err(txn, 2), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_txn_op_err(txn, 3), ZK_ERR_RUNTIME_INCONSISTENCY);
    /* The multi's records are gone, the pending create's are back. */
    CU_ASSERT_EQUAL(zk_prep_outstanding(f->prep), 2);
    ZkRequest again = rq_create(f, "/r/x", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkTxn *t4 = fx_prep(f, &again, &e); /* zxid 4 */
    CU_ASSERT_EQUAL(e, ZK_ERR_NO_NODE);
    /* ZOOKEEPER-1624: the parent's restored record still counts the
     * pending child, so the next sequential name is 0000000001. */
    ZkRequest seq = rq_create(f, "/p/s", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, SESSION_A);
    ZkTxn *t5 = fx_prep(f, &seq, &e); /* zxid 5 */
    CU_ASSERT_EQUAL(e, ZK_ERR_OK);
    CU_ASSERT_STRING_EQUAL(zk_txn_op_path(t5, 0), "/p/s0000000001");

    fx_commit(f, t_pending, NULL);
    uint64_t after_pending = zk_tree_digest(f->tree);
    CU_ASSERT_NOT_EQUAL(after_pending, digest);
    g_auto(ZkApplyResult) res = {0};
    fx_commit(f, txn, &res);
    CU_ASSERT_EQUAL(zk_tree_digest(f->tree), after_pending); /* nothing applied */
    CU_ASSERT_EQUAL(zk_tree_last_processed_zxid(f->tree), 3);
    CU_ASSERT_FALSE(has_node(f->tree, "/r"));
    CU_ASSERT_EQUAL(res.err, ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(res.n_multi, 4);
    ZkErr expect[] = {ZK_ERR_OK, ZK_ERR_OK, ZK_ERR_NO_NODE, ZK_ERR_RUNTIME_INCONSISTENCY};
    for (guint i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(res.multi[i].type, ZK_OP_ERROR);
        CU_ASSERT_EQUAL(res.multi[i].err, expect[i]);
    }
    fx_commit(f, t4, NULL);
    fx_commit(f, t5, NULL);
    CU_ASSERT_TRUE(has_node(f->tree, "/p/s0000000001"));
    /* The same under the root: a pending create, a failed multi holding a
     * sequential create, then a sequential create that must not skip. */
    int32_t cv = stat_of(f->tree, "/").cversion;
    ZkRequest top = rq_create(f, "/top", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    ZkTxn *t6 = fx_prep(f, &top, &e);
    ZkOpRequest ops2[] = {{.type = ZK_OP_CREATE, .path = "/q", .mode = ZK_CREATE_PERSISTENT_SEQUENTIAL},
                          {.type = ZK_OP_CHECK, .path = "/missing", .version = -1}};
    ZkRequest r2 = {.type = ZK_OP_MULTI, .session = SESSION_A, .ops = ops2, .n_ops = 2};
    ZkTxn *t7 = fx_prep(f, &r2, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_NO_NODE);
    ZkRequest zseq = rq_create(f, "/z", NULL, ZK_CREATE_PERSISTENT_SEQUENTIAL, SESSION_A);
    ZkTxn *t8 = fx_prep(f, &zseq, &e);
    g_autofree char *want = g_strdup_printf("/z%010d", cv + 1);
    CU_ASSERT_STRING_EQUAL(zk_txn_op_path(t8, 0), want);
    fx_commit(f, t6, NULL);
    fx_commit(f, t7, NULL);
    fx_commit(f, t8, NULL);
    CU_ASSERT_TRUE(has_node(f->tree, want));
    zk_txn_unref(t6);
    zk_txn_unref(t7);
    zk_txn_unref(t8);
    zk_txn_unref(t_pending);
    zk_txn_unref(txn);
    zk_txn_unref(t4);
    zk_txn_unref(t5);
    fx_free(f);
}

static void test_multi_errors(void)
{
    Fx *f = fx_new();
    /* A read op cannot be in a write multi: the whole request fails to
     * deserialize, MarshallingError, as an error txn. */
    ZkOpRequest bad[] = {{.type = ZK_OP_CREATE, .path = "/a"}, {.type = ZK_OP_GET_DATA, .path = "/a"}};
    ZkRequest r = {.type = ZK_OP_MULTI, .session = SESSION_A, .ops = bad, .n_ops = 2};
    ZkErr e;
    ZkTxn *txn = fx_prep(f, &r, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_MARSHALLING_ERROR);
    CU_ASSERT_EQUAL(zk_txn_type(txn), ZK_OP_ERROR);
    fx_commit(f, txn, NULL);
    zk_txn_unref(txn);
    /* A session check failure fails the first op. */
    ZkOpRequest ops[] = {{.type = ZK_OP_CREATE, .path = "/a"}, {.type = ZK_OP_CREATE, .path = "/b"}};
    r = (ZkRequest){.type = ZK_OP_MULTI, .session = SESSION_A, .session_err = ZK_ERR_SESSION_MOVED, .ops = ops,
                    .n_ops = 2};
    g_auto(ZkApplyResult) res = {0};
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_SESSION_MOVED);
    CU_ASSERT_EQUAL(res.multi[0].err, ZK_ERR_SESSION_MOVED);
    CU_ASSERT_EQUAL(res.multi[1].err, ZK_ERR_RUNTIME_INCONSISTENCY);
    /* An empty multi is a multi txn with no ops. */
    zk_apply_result_clear(&res);
    r = (ZkRequest){.type = ZK_OP_MULTI, .session = SESSION_A};
    CU_ASSERT_EQUAL(fx_write(f, &r, &res), ZK_ERR_OK);
    CU_ASSERT_EQUAL(res.n_multi, 0);
    CU_ASSERT_EQUAL(zk_tree_node_count(f->tree), 4);
    fx_free(f);
}

/* ---- sessions ---------------------------------------------------------- */

static void test_close_session(void)
{
    Fx *f = fx_new();
    CU_ASSERT_EQUAL(fx_session(f, ZK_OP_CREATE_SESSION, SESSION_A), ZK_ERR_OK);
    CU_ASSERT_TRUE(zk_tree_has_session(f->tree, SESSION_A));
    CU_ASSERT_EQUAL(zk_tree_session_timeout_ms(f->tree, SESSION_A), 4000);
    CU_ASSERT_EQUAL(zk_tree_session_timeout_ms(f->tree, SESSION_B), -1);
    fx_session(f, ZK_OP_CREATE_SESSION, SESSION_B);
    g_autoptr(GArray) ids = zk_tree_sessions(f->tree);
    CU_ASSERT_EQUAL(ids->len, 2);
    CU_ASSERT_EQUAL(g_array_index(ids, uint64_t, 0), SESSION_A);
    fx_create(f, "/p", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    fx_create(f, "/p/b", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    fx_create(f, "/p/a", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    fx_create(f, "/p/other", NULL, ZK_CREATE_EPHEMERAL, SESSION_B);
    fx_create(f, "/gone", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);

    /* Pipelined: a pending ephemeral create is included, a pending
     * delete is not. */
    ZkErr e;
    ZkRequest c = rq_create(f, "/p/c", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    ZkTxn *t1 = fx_prep(f, &c, &e);
    ZkRequest d = rq_delete("/gone", -1);
    ZkTxn *t2 = fx_prep(f, &d, &e);
    ZkRequest close = {.type = ZK_OP_CLOSE_SESSION, .session = SESSION_A};
    ZkTxn *t3 = fx_prep(f, &close, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_close_path_count(t3), 3);
    CU_ASSERT_STRING_EQUAL(zk_txn_close_path(t3, 0), "/p/a");
    CU_ASSERT_STRING_EQUAL(zk_txn_close_path(t3, 1), "/p/b");
    CU_ASSERT_STRING_EQUAL(zk_txn_close_path(t3, 2), "/p/c");
    CU_ASSERT_EQUAL(zk_txn_size(t3), 32 + 4 + (4 + 4) * 3 + 12);
    /* Quirk kept: closeSession does not lower the parent's child count. */
    ZkRequest del_p = rq_delete("/p/other", -1);
    ZkTxn *t4 = fx_prep(f, &del_p, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_OK);
    ZkRequest del_parent = rq_delete("/p", -1);
    ZkTxn *t5 = fx_prep(f, &del_parent, &e);
    CU_ASSERT_EQUAL(e, ZK_ERR_NOT_EMPTY);

    fx_commit(f, t1, NULL);
    fx_commit(f, t2, NULL);
    CU_ASSERT_EQUAL(zk_tree_ephemeral_count(f->tree), 4);
    /* Watches on the follower, whose client is connected there. */
    CU_ASSERT_EQUAL(zk_tree_get_children(f->follower, "/p", f->fwm, 7, NULL, NULL), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_tree_exists(f->follower, "/p/a", f->fwm, 8, NULL), ZK_ERR_OK);
    fx_commit(f, t3, NULL);
    CU_ASSERT_FALSE(zk_tree_has_session(f->tree, SESSION_A));
    CU_ASSERT_TRUE(zk_tree_has_session(f->tree, SESSION_B));
    CU_ASSERT_EQUAL(zk_tree_ephemeral_count(f->tree), 1);
    g_autoptr(GPtrArray) left = zk_tree_ephemerals(f->tree, SESSION_A);
    CU_ASSERT_EQUAL(left->len, 0);
    CU_ASSERT_FALSE(has_node(f->tree, "/p/a"));
    CU_ASSERT_FALSE(has_node(f->tree, "/p/c"));
    CU_ASSERT_EQUAL(stat_of(f->tree, "/p").pzxid, zk_txn_zxid(t3));
    CU_ASSERT_EQUAL(stat_of(f->tree, "/p").num_children, 1);
    /* On the follower: /p/a deleted -> 8 gets NodeDeleted, 7 gets
     * NodeChildrenChanged for /p (one-shot, so only once). */
    CU_ASSERT_EQUAL(zk_watch_events_len(f->fev), 2);
    assert_event(f->fev, 0, 8, ZK_EVENT_NODE_DELETED, "/p/a");
    assert_event(f->fev, 1, 7, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p");
    CU_ASSERT_EQUAL(zk_watch_events_get(f->fev, 0)->zxid, zk_txn_zxid(t3));
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 0);
    fx_commit(f, t4, NULL);
    fx_commit(f, t5, NULL);
    CU_ASSERT_TRUE(has_node(f->tree, "/p"));
    ZkTxn *all[] = {t1, t2, t3, t4, t5};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        zk_txn_unref(all[i]);
    fx_free(f);
}

/* killSession also deletes ephemerals the txn's list missed. */
static void test_close_session_leftovers(void)
{
    Fx *f = fx_new();
    ZkRequest close = {.type = ZK_OP_CLOSE_SESSION, .session = SESSION_A};
    /* Prepped on another tree, where A owns nothing: the list is empty
     * (not possible with one leader, but the apply rule must hold). */
    g_autoptr(ZkPrep) other = zk_prep_new();
    g_autoptr(ZkTree) empty = zk_tree_new();
    ZkTxn *t1 = NULL;
    CU_ASSERT_EQUAL(zk_prep_request(other, empty, &close, 100, time_of(100), &t1), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_close_path_count(t1), 0);
    fx_create(f, "/late", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    g_autoptr(ZkTree) copy = zk_tree_copy(f->tree);
    fx_commit(f, t1, NULL);
    CU_ASSERT_FALSE(has_node(f->tree, "/late"));
    CU_ASSERT_EQUAL(zk_tree_ephemeral_count(f->tree), 0);
    zk_tree_apply(copy, t1, NULL, NULL, NULL);
    zk_tree_check(copy);
    CU_ASSERT_TRUE(zk_tree_equal(copy, f->tree));
    zk_txn_unref(t1);
    fx_free(f);
}

/* ---- determinism, digest, copy ------------------------------------------ */

static void build(ZkTree *t, const char *const *paths, size_t n, uint64_t first_zxid)
{
    g_autoptr(ZkPrep) p = zk_prep_new();
    for (size_t i = 0; i < n; i++) {
        ZkRequest r = {.type = ZK_OP_CREATE, .session = SESSION_A,
                       .op = {.path = paths[i], .mode = ZK_CREATE_PERSISTENT}};
        g_autoptr(ZkTxn) txn = NULL;
        uint64_t zxid = first_zxid + i;
        CU_ASSERT_EQUAL(zk_prep_request(p, t, &r, zxid, time_of(zxid), &txn), ZK_ERR_OK);
        zk_tree_apply(t, txn, NULL, NULL, NULL);
        zk_prep_applied(p, zxid);
    }
    zk_tree_check(t);
}

static void test_digest(void)
{
    static const char *const ab[] = {"/a", "/b", "/a/x"};
    static const char *const ba[] = {"/b", "/a", "/a/x"};
    g_autoptr(ZkTree) t1 = zk_tree_new();
    g_autoptr(ZkTree) t2 = zk_tree_new();
    g_autoptr(ZkTree) t3 = zk_tree_new();
    g_autoptr(ZkTree) t4 = zk_tree_new();
    build(t1, ab, 3, 1);
    build(t2, ab, 3, 1);
    build(t3, ba, 3, 1);
    build(t4, ab, 3, 2);
    CU_ASSERT_EQUAL(zk_tree_digest(t1), zk_tree_digest(t2));
    CU_ASSERT_TRUE(zk_tree_equal(t1, t2));
    CU_ASSERT_NOT_EQUAL(zk_tree_digest(t1), zk_tree_digest(t3)); /* same shape, other zxids per node */
    CU_ASSERT_FALSE(zk_tree_equal(t1, t3));
    CU_ASSERT_NOT_EQUAL(zk_tree_digest(t1), zk_tree_digest(t4));
    /* The node digest is DigestCalculator's: the sum of crc32 over path
     * ("" for the root), data and the 60-byte big-endian stat, checked
     * against values computed independently (Python zlib.crc32) for a
     * lone /a = "hello" created at zxid 1, time 1001000000 ns. */
    g_autoptr(ZkTree) t5 = zk_tree_new();
    g_autoptr(ZkPrep) p = zk_prep_new();
    g_autoptr(GBytes) hello = g_bytes_new_static("hello", 5);
    ZkRequest r = {.type = ZK_OP_CREATE, .op = {.path = "/a", .data = hello}};
    g_autoptr(ZkTxn) txn = NULL;
    CU_ASSERT_EQUAL(zk_prep_request(p, t5, &r, 1, time_of(1), &txn), ZK_ERR_OK);
    zk_tree_apply(t5, txn, NULL, NULL, NULL);
    CU_ASSERT_EQUAL(zk_tree_digest(t5), UINT64_C(0x59744792) + UINT64_C(0x4db44d58) + UINT64_C(0x866fdd22));
}

/* Prefetch hints: worth it only on big trees, harmless on any txn (an
 * error, a multi, a path not in the tree, an empty index; one a trim
 * would free or not) and invisible: the applies after them give the
 * same digests. */
static void test_prefetch_hints(void)
{
    Fx *f = fx_new();
    fx_session(f, ZK_OP_CREATE_SESSION, SESSION_A);
    ZkTree *empty = zk_tree_new();
    ZkRequest set0 = rq_set(f, "/k0", "x", -1);
    ZkTxn *missing = fx_prep(f, &set0, NULL); /* NoNode: an error txn */
    for (int stage = 0; stage < ZK_TREE_PREFETCH_STAGES; stage++) {
        zk_tree_prefetch(empty, missing, stage);
        zk_tree_prefetch(f->tree, missing, stage);
    }
    zk_tree_free(empty);
    CU_ASSERT_FALSE(zk_tree_prefetch_pays(f->tree));
    char path[32];
    for (int i = 0; i < 600; i++) {
        g_snprintf(path, sizeof path, "/k%d", i);
        fx_create(f, path, "v", ZK_CREATE_PERSISTENT, SESSION_A);
    }
    CU_ASSERT_TRUE(zk_tree_prefetch_pays(f->tree));
    ZkRequest set = rq_set(f, "/k7", "y", -1);
    ZkRequest gone = rq_set(f, "/nothere/x", "y", -1);
    ZkOpRequest ops[] = {{.type = ZK_OP_SET_DATA, .path = "/k8", .version = -1}};
    ZkRequest multi = {.type = ZK_OP_MULTI, .session = SESSION_A, .ops = ops, .n_ops = 1};
    ZkTxn *t[3] = {fx_prep(f, &set, NULL), fx_prep(f, &gone, NULL), fx_prep(f, &multi, NULL)};
    for (int k = 0; k < 3; k++) {
        for (int stage = 0; stage < ZK_TREE_PREFETCH_STAGES; stage++) {
            zk_tree_prefetch(f->tree, t[k], stage);
            zk_tree_prefetch(f->follower, t[k], stage);
        }
        /* A trim's hints: on a txn this unreference would free (data,
         * an error, a multi) and on one still held elsewhere. */
        for (int held = 0; held < 2; held++) {
            if (held)
                zk_txn_ref(t[k]);
            for (int stage = 0; stage < ZK_TXN_PREFETCH_STAGES; stage++)
                zk_txn_prefetch(t[k], stage);
            if (held)
                zk_txn_unref(t[k]);
        }
    }
    for (int stage = 0; stage < ZK_TXN_PREFETCH_STAGES; stage++)
        zk_txn_prefetch(missing, stage);
    for (int k = 0; k < 3; k++) {
        ZkApplyResult res = {0};
        fx_commit(f, t[k], &res); /* checks leader and follower digests agree */
        zk_apply_result_clear(&res);
        zk_txn_unref(t[k]);
    }
    zk_txn_unref(missing);
    fx_free(f);
}

/* The digest's CRC-32: known values (java.util.zip.CRC32 and zlib agree),
 * and the PCLMULQDQ folding equal to the table path at every length,
 * alignment and starting state (where the CPU has it). */
static void test_crc32(void)
{
    CU_ASSERT_EQUAL(~sim_crc32_update(0xffffffffu, "123456789", 9), 0xcbf43926u);
    CU_ASSERT_EQUAL(~sim_crc32_update(0xffffffffu, "", 0), 0u);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    CU_ASSERT_EQUAL(~sim_crc32_update(0xffffffffu, fox, strlen(fox)), 0x414fa339u);
    guint8 buf[1024];
    for (int i = 0; i < 1024; i++)
        buf[i] = (guint8)i;
    CU_ASSERT_EQUAL(~sim_crc32_update(0xffffffffu, buf, sizeof buf), 0xb70b4c26u);
    guint8 zeros[100] = {0};
    CU_ASSERT_EQUAL(~sim_crc32_update(0xffffffffu, zeros, sizeof zeros), 0x9988c6cau);
    /* Split anywhere, the running state carries over. */
    uint32_t c = sim_crc32_update(0xffffffffu, buf, 333);
    CU_ASSERT_EQUAL(~sim_crc32_update(c, buf + 333, sizeof buf - 333), 0xb70b4c26u);
    SimRng rng;
    sim_rng_init(&rng, 7, "crc");
    for (int i = 0; i < 1024; i++)
        buf[i] = (guint8)sim_rng_u64(&rng);
    guint bad = 0;
    for (size_t len = 0; len < 300; len++)
        for (size_t off = 0; off < 16; off++)
            for (int k = 0; k < 3; k++) {
                uint32_t init = k == 0 ? 0xffffffffu : k == 1 ? 0u : 0x9e3779b9u;
                bad += sim_crc32_update(init, buf + off, len) != sim_crc32_update_table(init, buf + off, len);
            }
    CU_ASSERT_EQUAL(bad, 0);
}

/* A node's path string is the one its create txn carried, shared by every
 * replica and copy; prep hands later ops on the node that same string (so
 * replicas find the node by pointer), whatever string the client sent. */
static void test_path_shared(void)
{
    Fx *f = fx_new();
    fx_session(f, ZK_OP_CREATE_SESSION, SESSION_A);
    fx_create(f, "/a", "1", ZK_CREATE_PERSISTENT, SESSION_A);
    const char *p = zk_node_path(zk_tree_get_node(f->tree, "/a"));
    CU_ASSERT_PTR_EQUAL(zk_node_path(zk_tree_get_node(f->follower, "/a")), p);
    g_autoptr(ZkTree) copy = zk_tree_copy(f->tree);
    CU_ASSERT_PTR_EQUAL(zk_node_path(zk_tree_get_node(copy, "/a")), p);
    char client_path[] = "/a";
    ZkRequest set = rq_set(f, client_path, "2", -1);
    ZkTxn *t1 = fx_prep(f, &set, NULL); /* from the tree */
    CU_ASSERT_PTR_EQUAL(zk_txn_op_path(t1, 0), p);
    ZkTxn *t2 = fx_prep(f, &set, NULL); /* from t1's outstanding record */
    CU_ASSERT_PTR_EQUAL(zk_txn_op_path(t2, 0), p);
    ZkRequest del = rq_delete(client_path, -1);
    ZkTxn *t3 = fx_prep(f, &del, NULL);
    CU_ASSERT_PTR_EQUAL(zk_txn_op_path(t3, 0), p);
    ZkApplyResult res = {0};
    fx_commit(f, t1, &res);
    zk_apply_result_clear(&res);
    fx_commit(f, t2, &res);
    zk_apply_result_clear(&res);
    fx_commit(f, t3, &res);
    CU_ASSERT_EQUAL(res.err, ZK_ERR_OK);
    zk_apply_result_clear(&res);
    CU_ASSERT_PTR_NULL(zk_tree_get_node(f->tree, "/a"));
    CU_ASSERT_PTR_NULL(zk_tree_get_node(f->follower, "/a"));
    CU_ASSERT_STRING_EQUAL(zk_node_path(zk_tree_get_node(copy, "/a")), "/a"); /* the copy keeps its reference */
    zk_txn_unref(t1);
    zk_txn_unref(t2);
    zk_txn_unref(t3);
    fx_free(f);
}

static void test_copy(void)
{
    Fx *f = fx_new();
    fx_session(f, ZK_OP_CREATE_SESSION, SESSION_A);
    fx_create(f, "/a", "1", ZK_CREATE_PERSISTENT, SESSION_A);
    fx_create(f, "/a/e", NULL, ZK_CREATE_EPHEMERAL, SESSION_A);
    fx_create(f, "/c", NULL, ZK_CREATE_CONTAINER, SESSION_A);
    zk_tree_exists(f->tree, "/a", f->wm, 1, NULL);
    g_autoptr(ZkTree) copy = zk_tree_copy(f->tree);
    zk_tree_check(copy);
    CU_ASSERT_TRUE(zk_tree_equal(copy, f->tree));
    CU_ASSERT_EQUAL(zk_tree_digest(copy), zk_tree_digest(f->tree));
    CU_ASSERT_EQUAL(zk_tree_last_processed_zxid(copy), 4);
    CU_ASSERT_EQUAL(zk_tree_data_size(copy), zk_tree_data_size(f->tree));
    CU_ASSERT_TRUE(zk_tree_has_session(copy, SESSION_A));
    g_autoptr(GPtrArray) eph = zk_tree_ephemerals(copy, SESSION_A);
    CU_ASSERT_EQUAL(eph->len, 1);
    g_autoptr(GPtrArray) cs = zk_tree_containers(copy);
    CU_ASSERT_EQUAL(cs->len, 1);
    /* Data is shared, not copied. */
    CU_ASSERT_PTR_EQUAL(zk_node_data(zk_tree_get_node(copy, "/a")), zk_node_data(zk_tree_get_node(f->tree, "/a")));
    /* The copy and the original evolve apart. */
    ZkRequest s = rq_set(f, "/a", "2", -1);
    ZkErr e;
    ZkTxn *txn = fx_prep(f, &s, &e);
    zk_tree_apply(copy, txn, NULL, NULL, NULL); /* no watch manager: fires nothing */
    CU_ASSERT_FALSE(zk_tree_equal(copy, f->tree));
    CU_ASSERT_NOT_EQUAL(zk_tree_digest(copy), zk_tree_digest(f->tree));
    fx_commit(f, txn, NULL);
    CU_ASSERT_TRUE(zk_tree_equal(copy, f->tree));
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1); /* the leader's own watch fired */
    zk_txn_unref(txn);
    fx_free(f);
}

typedef struct Visit {
    GString *s;
} Visit;

static void visit_path(const ZkNode *n, void *ctx)
{
    Visit *v = ctx;
    g_string_append(v->s, zk_node_path(n));
    g_string_append_c(v->s, ' ');
}

static void test_foreach_dump(void)
{
    Fx *f = fx_new();
    fx_create(f, "/a-c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    fx_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    fx_create(f, "/a/b", "xyz", ZK_CREATE_PERSISTENT, SESSION_A);
    fx_create(f, "/B", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    Visit v = {g_string_new(NULL)};
    zk_tree_foreach(f->tree, visit_path, &v);
    /* Pre-order, children in byte order ("B" < "a" < "a-c" < "zookeeper"). */
    CU_ASSERT_STRING_EQUAL(v.s->str,
                           "/ /B /a /a/b /a-c /zookeeper /zookeeper/config /zookeeper/quota ");
    g_string_free(v.s, TRUE);
    g_autoptr(GString) d = g_string_new(NULL);
    zk_tree_dump(f->tree, d);
    CU_ASSERT_PTR_NOT_NULL(strstr(d->str, "/a/b czxid=0x3 mzxid=0x3 pzxid=0x3 ctime=1003 mtime=1003 version=0 "
                                          "cversion=0 aversion=0 ephemeralOwner=0x0 dataLength=3 numChildren=0\n"));
    g_autoptr(GPtrArray) kids = NULL;
    ZkStat st;
    CU_ASSERT_EQUAL(zk_tree_get_children(f->tree, "/", NULL, 0, &st, &kids), ZK_ERR_OK);
    CU_ASSERT_EQUAL(kids->len, 4);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(kids, 0), "B");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(kids, 3), "zookeeper");
    CU_ASSERT_EQUAL(st.num_children, 4);
    CU_ASSERT_EQUAL(st.cversion, 3); /* three creates under "/" */
    fx_free(f);
}

/* ---- reads and watches --------------------------------------------------- */

static void test_reads_register(void)
{
    Fx *f = fx_new();
    ZkStat st;
    g_autoptr(GBytes) data = NULL;
    /* getData / getChildren on a missing node: NoNode, no watch. */
    CU_ASSERT_EQUAL(zk_tree_get_data(f->tree, "/n", f->wm, 1, &st, &data), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_tree_get_children(f->tree, "/n", f->wm, 1, &st, NULL), ZK_ERR_NO_NODE);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 0);
    /* exists on a missing node leaves a watch that fires NodeCreated. */
    CU_ASSERT_EQUAL(zk_tree_exists(f->tree, "/n", f->wm, 1, &st), ZK_ERR_NO_NODE);
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/n", 1, ZK_WATCH_EXIST));
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/n", 1, ZK_WATCH_DATA)); /* the same table entry */
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 1);
    fx_create(f, "/n", "v", ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 1, ZK_EVENT_NODE_CREATED, "/n");
    CU_ASSERT_EQUAL(zk_watch_events_get(f->ev, 0)->zxid, 1);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 0); /* one-shot */
    /* Reads return data and stat and register. */
    CU_ASSERT_EQUAL(zk_tree_get_data(f->tree, "/n", f->wm, 2, &st, &data), ZK_ERR_OK);
    CU_ASSERT_EQUAL(g_bytes_get_size(data), 1);
    CU_ASSERT_EQUAL(st.czxid, 1);
    CU_ASSERT_EQUAL(zk_tree_get_children(f->tree, "/n", f->wm, 2, &st, NULL), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_watch_data_count(f->wm), 1);
    CU_ASSERT_EQUAL(zk_watch_child_count(f->wm), 1);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 2);
    CU_ASSERT_EQUAL(zk_watch_watcher_count(f->wm), 1);
    CU_ASSERT_EQUAL(zk_watch_path_count(f->wm), 1);
    CU_ASSERT_TRUE(zk_watch_memory_bytes(f->wm) > 0);
    /* The follower's manager saw nothing: watches are per server. */
    CU_ASSERT_EQUAL(zk_watch_count(f->fwm), 0);
    fx_free(f);
}

static void test_watch_create_delete(void)
{
    Fx *f = fx_new();
    fx_create(f, "/p", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    /* create: NodeCreated on p's data/exist watches, NodeChildrenChanged
     * on the parent's child watches. */
    zk_tree_exists(f->tree, "/p/c", f->wm, 30, NULL);
    zk_tree_exists(f->tree, "/p/c", f->wm, 10, NULL);
    zk_tree_get_children(f->tree, "/p", f->wm, 20, NULL, NULL);
    zk_tree_get_data(f->tree, "/p", f->wm, 40, NULL, NULL); /* data watch on the parent: not fired */
    fx_create(f, "/p/c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 3);
    assert_event(f->ev, 0, 10, ZK_EVENT_NODE_CREATED, "/p/c");
    assert_event(f->ev, 1, 30, ZK_EVENT_NODE_CREATED, "/p/c");
    assert_event(f->ev, 2, 20, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p");
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 1);
    /* delete: NodeDeleted on p's data and child watches (a watcher holding
     * both gets one), then NodeChildrenChanged on the parent. */
    zk_tree_get_data(f->tree, "/p/c", f->wm, 5, NULL, NULL);
    zk_tree_get_children(f->tree, "/p/c", f->wm, 5, NULL, NULL);
    zk_tree_get_children(f->tree, "/p/c", f->wm, 3, NULL, NULL);
    zk_tree_exists(f->tree, "/p/c", f->wm, 7, NULL);
    zk_tree_get_children(f->tree, "/p", f->wm, 5, NULL, NULL);
    fx_delete(f, "/p/c", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 4);
    assert_event(f->ev, 0, 5, ZK_EVENT_NODE_DELETED, "/p/c");
    assert_event(f->ev, 1, 7, ZK_EVENT_NODE_DELETED, "/p/c");
    assert_event(f->ev, 2, 3, ZK_EVENT_NODE_DELETED, "/p/c");
    assert_event(f->ev, 3, 5, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p");
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 1); /* only 40's data watch on /p is left */
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/p", 40, ZK_WATCH_DATA));
    /* One-shot: a second create fires nothing. */
    fx_create(f, "/p/c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 0);
    fx_free(f);
}

static void test_watch_set_data(void)
{
    Fx *f = fx_new();
    fx_create(f, "/s", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    zk_tree_get_data(f->tree, "/s", f->wm, 2, NULL, NULL);
    zk_tree_exists(f->tree, "/s", f->wm, 1, NULL);
    zk_tree_exists(f->tree, "/s", f->wm, 2, NULL); /* same watcher, same entry */
    zk_tree_get_children(f->tree, "/s", f->wm, 3, NULL, NULL);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 3);
    fx_set(f, "/s", "x", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 2);
    assert_event(f->ev, 0, 1, ZK_EVENT_NODE_DATA_CHANGED, "/s");
    assert_event(f->ev, 1, 2, ZK_EVENT_NODE_DATA_CHANGED, "/s");
    fx_set(f, "/s", "y", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 0);
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/s", 3, ZK_WATCH_CHILD));
    /* A failed txn fires nothing. */
    zk_tree_exists(f->tree, "/s", f->wm, 1, NULL);
    CU_ASSERT_EQUAL(fx_set(f, "/s", "z", 99), ZK_ERR_BAD_VERSION);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 0);
    fx_free(f);
}

static void test_watch_persistent(void)
{
    Fx *f = fx_new();
    CU_ASSERT_TRUE(zk_watch_add(f->wm, "/p", 9, ZK_WATCH_PERSISTENT));
    CU_ASSERT_FALSE(zk_watch_add(f->wm, "/p", 9, ZK_WATCH_PERSISTENT));
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 2); /* one entry in each table */
    fx_create(f, "/p", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 9, ZK_EVENT_NODE_CREATED, "/p");
    fx_set(f, "/p", "x", -1);
    assert_event(f->ev, 0, 9, ZK_EVENT_NODE_DATA_CHANGED, "/p");
    fx_create(f, "/p/c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 9, ZK_EVENT_NODE_CHILDREN_CHANGED, "/p");
    fx_set(f, "/p/c", "x", -1); /* not recursive: nothing */
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 0);
    fx_delete(f, "/p/c", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    /* Standard watches on top of the persistent one: still one event. */
    zk_tree_get_data(f->tree, "/p", f->wm, 9, NULL, NULL);
    zk_tree_get_children(f->tree, "/p", f->wm, 9, NULL, NULL);
    fx_delete(f, "/p", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 9, ZK_EVENT_NODE_DELETED, "/p");
    /* Never removed by firing: the standard modes went, persistent stays. */
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/p", 9, ZK_WATCH_PERSISTENT));
    CU_ASSERT_FALSE(zk_watch_has(f->wm, "/p", 9, ZK_WATCH_DATA));
    CU_ASSERT_FALSE(zk_watch_has(f->wm, "/p", 9, ZK_WATCH_CHILD));
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 2);
    fx_create(f, "/p", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    fx_free(f);
}

static void test_watch_recursive(void)
{
    Fx *f = fx_new();
    zk_watch_add(f->wm, "/r", 4, ZK_WATCH_PERSISTENT_RECURSIVE);
    zk_watch_add(f->wm, "/", 2, ZK_WATCH_PERSISTENT_RECURSIVE);
    zk_tree_exists(f->tree, "/r/a", f->wm, 4, NULL); /* direct + recursive: one event */
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 3);
    CU_ASSERT_EQUAL(zk_watch_child_count(f->wm), 0);
    fx_create(f, "/r", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 2);
    assert_event(f->ev, 0, 2, ZK_EVENT_NODE_CREATED, "/r");
    assert_event(f->ev, 1, 4, ZK_EVENT_NODE_CREATED, "/r");
    fx_create(f, "/r/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 2); /* no NodeChildrenChanged for /r */
    assert_event(f->ev, 0, 2, ZK_EVENT_NODE_CREATED, "/r/a");
    assert_event(f->ev, 1, 4, ZK_EVENT_NODE_CREATED, "/r/a");
    CU_ASSERT_FALSE(zk_watch_has(f->wm, "/r/a", 4, ZK_WATCH_EXIST));
    fx_create(f, "/r/a/b", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    fx_set(f, "/r/a/b", "x", -1);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 2);
    assert_event(f->ev, 1, 4, ZK_EVENT_NODE_DATA_CHANGED, "/r/a/b");
    fx_delete(f, "/r/a/b", -1);
    assert_event(f->ev, 1, 4, ZK_EVENT_NODE_DELETED, "/r/a/b");
    /* Outside /r only the root watcher hears. */
    fx_create(f, "/rx", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 2, ZK_EVENT_NODE_CREATED, "/rx");
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 2);
    CU_ASSERT_TRUE(zk_watch_contains(f->wm, "/r", 4, ZK_WATCHER_TYPE_PERSISTENT_RECURSIVE));
    fx_free(f);
}

static void test_watch_remove(void)
{
    Fx *f = fx_new();
    fx_create(f, "/a", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    zk_tree_get_data(f->tree, "/a", f->wm, 1, NULL, NULL);
    zk_tree_get_children(f->tree, "/a", f->wm, 1, NULL, NULL);
    zk_watch_add(f->wm, "/a", 1, ZK_WATCH_PERSISTENT);
    zk_watch_add(f->wm, "/b", 1, ZK_WATCH_PERSISTENT_RECURSIVE);
    zk_tree_exists(f->tree, "/c", f->wm, 1, NULL);
    zk_tree_exists(f->tree, "/c", f->wm, 2, NULL);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 5);
    CU_ASSERT_EQUAL(zk_watch_watcher_count(f->wm), 2);
    /* removeWatches by type (DataTree.removeWatch). */
    CU_ASSERT_TRUE(zk_watch_contains(f->wm, "/a", 1, ZK_WATCHER_TYPE_CHILDREN));
    CU_ASSERT_TRUE(zk_watch_remove(f->wm, "/a", 1, ZK_WATCHER_TYPE_CHILDREN));
    CU_ASSERT_FALSE(zk_watch_contains(f->wm, "/a", 1, ZK_WATCHER_TYPE_CHILDREN));
    CU_ASSERT_FALSE(zk_watch_remove(f->wm, "/a", 1, ZK_WATCHER_TYPE_CHILDREN));
    CU_ASSERT_TRUE(zk_watch_remove(f->wm, "/a", 1, ZK_WATCHER_TYPE_PERSISTENT));
    CU_ASSERT_TRUE(zk_watch_contains(f->wm, "/a", 1, ZK_WATCHER_TYPE_DATA));
    CU_ASSERT_TRUE(zk_watch_remove(f->wm, "/a", 1, ZK_WATCHER_TYPE_ANY));
    CU_ASSERT_FALSE(zk_watch_contains(f->wm, "/a", 1, ZK_WATCHER_TYPE_ANY));
    CU_ASSERT_FALSE(zk_watch_remove(f->wm, "/nope", 1, ZK_WATCHER_TYPE_ANY));
    zk_watch_check(f->wm);
    /* Connection closed: every watch of watcher 1 goes. */
    zk_watch_remove_watcher(f->wm, 1);
    zk_watch_remove_watcher(f->wm, 99);
    zk_watch_check(f->wm);
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 1);
    CU_ASSERT_EQUAL(zk_watch_watcher_count(f->wm), 1);
    fx_create(f, "/c", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), 1);
    assert_event(f->ev, 0, 2, ZK_EVENT_NODE_CREATED, "/c");
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 0);
    CU_ASSERT_EQUAL(zk_watch_path_count(f->wm), 0);
    fx_free(f);
}

/* Events come out in watcher order whatever the registration order. */
static void test_watch_order(void)
{
    Fx *f = fx_new();
    static const uint64_t ids[] = {500, 3, UINT64_MAX, 77, 0, 1000000007, 12};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        zk_tree_exists(f->tree, "/o", f->wm, ids[i], NULL);
    fx_create(f, "/o", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    CU_ASSERT_EQUAL(zk_watch_events_len(f->ev), G_N_ELEMENTS(ids));
    for (guint i = 1; i < zk_watch_events_len(f->ev); i++)
        CU_ASSERT_TRUE(zk_watch_events_get(f->ev, i - 1)->watcher < zk_watch_events_get(f->ev, i)->watcher);
    fx_free(f);
}

static void test_set_watches(void)
{
    Fx *f = fx_new();
    fx_create(f, "/same", NULL, ZK_CREATE_PERSISTENT, SESSION_A);    /* 1 */
    fx_create(f, "/changed", NULL, ZK_CREATE_PERSISTENT, SESSION_A); /* 2 */
    fx_create(f, "/kids", NULL, ZK_CREATE_PERSISTENT, SESSION_A);    /* 3 */
    uint64_t rel = 3; /* the client saw up to zxid 3, then disconnected */
    fx_set(f, "/changed", "x", -1);                                  /* 4 */
    fx_create(f, "/kids/k", NULL, ZK_CREATE_PERSISTENT, SESSION_A);  /* 5 */
    fx_create(f, "/born", NULL, ZK_CREATE_PERSISTENT, SESSION_A);    /* 6 */
    static const char *const data[] = {"/same", "/changed", "/gone"};
    static const char *const exist[] = {"/born", "/unborn"};
    static const char *const child[] = {"/same", "/kids", "/gone"};
    static const char *const pers[] = {"/gone"};
    static const char *const rec[] = {"/kids"};
    ZkWatchPaths lists[ZK_WATCH_KIND_COUNT] = {
        [ZK_WATCH_DATA] = {data, 3}, [ZK_WATCH_EXIST] = {exist, 2}, [ZK_WATCH_CHILD] = {child, 3},
        [ZK_WATCH_PERSISTENT] = {pers, 1}, [ZK_WATCH_PERSISTENT_RECURSIVE] = {rec, 1}};
    g_autoptr(ZkWatchEvents) ev = zk_watch_events_new();
    zk_watch_set_watches(f->wm, f->tree, rel, lists, 42, ev);
    CU_ASSERT_EQUAL(zk_watch_events_len(ev), 5);
    assert_event(ev, 0, 42, ZK_EVENT_NODE_DATA_CHANGED, "/changed");
    assert_event(ev, 1, 42, ZK_EVENT_NODE_DELETED, "/gone");
    assert_event(ev, 2, 42, ZK_EVENT_NODE_CREATED, "/born");
    assert_event(ev, 3, 42, ZK_EVENT_NODE_CHILDREN_CHANGED, "/kids");
    assert_event(ev, 4, 42, ZK_EVENT_NODE_DELETED, "/gone");
    CU_ASSERT_EQUAL(zk_watch_events_get(ev, 0)->zxid, ZK_ZXID_NONE);
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/same", 42, ZK_WATCH_DATA));
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/same", 42, ZK_WATCH_CHILD));
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/unborn", 42, ZK_WATCH_EXIST));
    CU_ASSERT_FALSE(zk_watch_has(f->wm, "/changed", 42, ZK_WATCH_DATA));
    CU_ASSERT_FALSE(zk_watch_has(f->wm, "/kids", 42, ZK_WATCH_CHILD));
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/gone", 42, ZK_WATCH_PERSISTENT));
    CU_ASSERT_TRUE(zk_watch_has(f->wm, "/kids", 42, ZK_WATCH_PERSISTENT_RECURSIVE));
    CU_ASSERT_EQUAL(zk_watch_count(f->wm), 3 + 2 + 1);
    zk_watch_check(f->wm);
    /* The re-registered watches fire as usual. */
    fx_create(f, "/unborn", NULL, ZK_CREATE_PERSISTENT, SESSION_A);
    assert_event(f->ev, 0, 42, ZK_EVENT_NODE_CREATED, "/unborn");
    fx_free(f);
}

/* ---- transactions -------------------------------------------------------- */

static void test_txn_shared(void)
{
    Fx *f = fx_new();
    ZkRequest r = rq_create(f, "/abc", "12345", ZK_CREATE_EPHEMERAL, SESSION_A);
    r.cxid = 77;
    ZkErr e;
    ZkTxn *txn = fx_prep(f, &r, &e);
    CU_ASSERT_EQUAL(zk_txn_type(txn), ZK_OP_CREATE);
    CU_ASSERT_EQUAL(zk_txn_session(txn), SESSION_A);
    CU_ASSERT_EQUAL(zk_txn_cxid(txn), 77);
    CU_ASSERT_EQUAL(zk_txn_time(txn), time_of(1));
    CU_ASSERT_EQUAL(zk_txn_err(txn), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_op_count(txn), 1);
    CU_ASSERT_EQUAL(zk_txn_op_type(txn, 0), ZK_OP_CREATE);
    /* header 32 + path 4+4 + data 4+5 + acl 27 + ephemeral 1 + parentCVersion 4 + digest 12 */
    CU_ASSERT_EQUAL(zk_txn_size(txn), 32 + 8 + 9 + 27 + 1 + 4 + 12);
    CU_ASSERT_EQUAL(zk_request_size(&r), 4 + 8 + 8 + 9 + 27 + 4);
    /* One txn object shared by the leader's log and every follower. */
    ZkTxn *log = zk_txn_ref(txn);
    ZkTxn *proposal = zk_txn_ref(txn);
    fx_commit(f, proposal, NULL);
    zk_txn_unref(proposal);
    zk_txn_unref(txn);
    CU_ASSERT_STRING_EQUAL(zk_txn_op_path(log, 0), "/abc");
    g_autoptr(ZkTree) third = zk_tree_new();
    zk_tree_apply(third, log, NULL, NULL, NULL);
    CU_ASSERT_EQUAL(zk_tree_digest(third), zk_tree_digest(f->tree));
    zk_txn_unref(log);
    /* createSession / closeSession txns. */
    ZkRequest cs = {.type = ZK_OP_CREATE_SESSION, .session = SESSION_B, .timeout_ms = 6000};
    g_autoptr(ZkTxn) st = NULL;
    CU_ASSERT_EQUAL(zk_prep_request(f->prep, f->tree, &cs, 50, time_of(50), &st), ZK_ERR_OK);
    CU_ASSERT_EQUAL(zk_txn_session_timeout_ms(st), 6000);
    CU_ASSERT_EQUAL(zk_txn_size(st), 32 + 4 + 12);
    g_autoptr(GString) s = g_string_new(NULL);
    zk_txn_describe(st, s);
    CU_ASSERT_STRING_EQUAL(s->str, "0x32 createSession 0x100000000000002 timeout=6000ms");
    fx_free(f);
}

static const TestCase cases[] = {
    {"proto_names", test_proto_names},
    {"initial_tree", test_initial_tree},
    {"create_stat", test_create_stat},
    {"create_errors", test_create_errors},
    {"error_txn", test_error_txn},
    {"sequential", test_sequential},
    {"ephemeral", test_ephemeral},
    {"container", test_container},
    {"ttl", test_ttl},
    {"data_limit", test_data_limit},
    {"bad_paths", test_bad_paths},
    {"delete", test_delete},
    {"set_data", test_set_data},
    {"check", test_check},
    {"pipelined_creates", test_pipelined_creates},
    {"pipelined_versions", test_pipelined_versions},
    {"prep_reset", test_prep_reset},
    {"multi_success", test_multi_success},
    {"multi_rollback", test_multi_rollback},
    {"multi_errors", test_multi_errors},
    {"close_session", test_close_session},
    {"close_session_leftovers", test_close_session_leftovers},
    {"digest", test_digest},
    {"copy", test_copy},
    {"prefetch hints: big trees only, harmless on any txn", test_prefetch_hints},
    {"digest CRC-32: known values, folded = table", test_crc32},
    {"a node's path string is shared by replicas, copies and later txns", test_path_shared},
    {"foreach_dump", test_foreach_dump},
    {"reads_register", test_reads_register},
    {"watch_create_delete", test_watch_create_delete},
    {"watch_set_data", test_watch_set_data},
    {"watch_persistent", test_watch_persistent},
    {"watch_recursive", test_watch_recursive},
    {"watch_remove", test_watch_remove},
    {"watch_order", test_watch_order},
    {"set_watches", test_set_watches},
    {"txn_shared", test_txn_shared},
};

void tests_tree_register(void)
{
    TEST_SUITE("tree", cases);
}
