/* zk_msg.c - message and request objects, and the vocabularies' names. */
#include "zk_msg.h"

#include "sim_pool.h"
#include "sim_rcstr.h"

#include <string.h>

const char *zk_role_name(ZkRole r)
{
    switch (r) {
#define ZK_X(id, name)                                                                             \
    case ZK_##id:                                                                                  \
        return name;
        ZK_ROLE_LIST(ZK_X)
#undef ZK_X
    }
    return "?";
}

int zk_role_parse(const char *s)
{
#define ZK_X(id, name)                                                                             \
    if (strcmp(s, name) == 0)                                                                      \
        return ZK_##id;
    ZK_ROLE_LIST(ZK_X)
#undef ZK_X
    return -1;
}

static const char *const msg_names[ZK_MSG_TYPE_MAX] = {
#define ZK_X(id, name, code) [code] = name,
    ZK_MSG_LIST(ZK_X)
    ZK_CLIENT_MSG_LIST(ZK_X)
#undef ZK_X
};

const char *zk_msg_name(int type)
{
    if (type >= 0 && type < ZK_MSG_TYPE_MAX && msg_names[type])
        return msg_names[type];
    return "?";
}

int zk_msg_parse(const char *s)
{
#define ZK_X(id, name, code)                                                                       \
    if (code != 0 && strcmp(s, name) == 0)                                                         \
        return code;
    ZK_MSG_LIST(ZK_X)
    ZK_CLIENT_MSG_LIST(ZK_X)
#undef ZK_X
    return -1;
}

const char *const *zk_msg_names(void)
{
    return msg_names;
}

/* Messages are the most frequent allocation of a run: pooled (and, at
 * 64 bytes, one whole cache line each: see sim_pool_refill). */
G_STATIC_ASSERT(sizeof(ZkMsg) == 64);
static SimPool msg_pool = SIM_POOL_INIT(ZkMsg);

ZkMsg *zk_msg_new(ZkMsgType type, int sid)
{
    ZkMsg *m = SIM_POOL_NEW0(&msg_pool, ZkMsg);
    m->type = type;
    m->sid = sid;
    m->ref = 1;
    return m;
}

ZkMsg *zk_msg_new_notification(int sid, const ZkVote *v)
{
    ZkMsg *m = zk_msg_new(ZK_MSG_NOTIFICATION, sid);
    m->vote = g_memdup2(v, sizeof *v);
    return m;
}

ZkMsg *zk_msg_ref(ZkMsg *m)
{
    g_assert(m->ref > 0);
    m->ref++;
    return m;
}

void zk_msg_free(void *p, int type)
{
    (void)type;
    ZkMsg *m = p;
    if (!m)
        return;
    g_assert(m->ref > 0);
    if (--m->ref > 0)
        return;
    switch (m->type) { /* the unions' members */
    case ZK_MSG_PROPOSAL:
    case ZK_MSG_INFORM:
        zk_txn_unref(m->txn);
        break;
    case ZK_MSG_SNAP:
        if (m->snap)
            zk_tree_free(m->snap);
        break;
    case ZK_MSG_PING:
        if (m->touches)
            g_array_free(m->touches, TRUE);
        break;
    case ZK_MSG_NOTIFICATION:
        g_free(m->vote);
        break;
    default:
        break;
    }
    if (m->req)
        zk_req_unref(m->req);
    if (m->client)
        zkc_packet_free(m->client);
    sim_pool_free(&msg_pool, m);
}

void zk_msg_drop(void *msg)
{
    zk_msg_free(msg, 0);
}

/* ---- owned requests ---- */

/* One per client write, forwarded by reference: pooled. */
static SimPool req_pool = SIM_POOL_INIT(ZkReq);

/* Takes ref_path (a reference to a refcounted string, sim_rcstr.h; or NULL). */
static ZkReq *req_new(ZkOpCode type, uint64_t session, int32_t cxid, char *ref_path, GBytes *data, ZkCreateMode mode,
                      int32_t version)
{
    ZkReq *q = SIM_POOL_NEW0(&req_pool, ZkReq);
    q->refs = 1;
    q->path = ref_path;
    /* A refcounted string stops at a NUL and knows its length: the byte length
     * the op's users would otherwise strlen again (sizes, prep). */
    q->r.op.path_len = ref_path ? sim_rcstr_len(ref_path) : 0;
    q->r.type = type;
    q->r.session = session;
    q->r.cxid = cxid;
    q->r.session_err = ZK_ERR_OK;
    q->r.op.type = type;
    q->r.op.path = q->path;
    q->r.op.path_ref = ref_path != NULL;
    q->r.op.data = data ? g_bytes_ref(data) : NULL;
    q->r.op.mode = mode;
    q->r.op.version = version;
    return q;
}

ZkReq *zk_req_new(ZkOpCode type, uint64_t session, int32_t cxid, const char *path, GBytes *data, ZkCreateMode mode,
                  int32_t version)
{
    return req_new(type, session, cxid, path ? sim_rcstr_new(path, -1) : NULL, data, mode, version);
}

ZkReq *zk_req_new_ref(ZkOpCode type, uint64_t session, int32_t cxid, char *ref_path, GBytes *data,
                      ZkCreateMode mode, int32_t version)
{
    return req_new(type, session, cxid, ref_path ? sim_rcstr_ref(ref_path) : NULL, data, mode, version);
}

ZkReq *zk_req_new_session(ZkOpCode type, uint64_t session, int32_t timeout_ms)
{
    ZkReq *q = SIM_POOL_NEW0(&req_pool, ZkReq);
    q->refs = 1;
    q->r.type = type;
    q->r.session = session;
    q->r.timeout_ms = timeout_ms;
    return q;
}

ZkReq *zk_req_new_multi(uint64_t session, int32_t cxid, const ZkOpRequest *ops, guint n)
{
    ZkReq *q = SIM_POOL_NEW0(&req_pool, ZkReq);
    q->refs = 1;
    q->r.type = ZK_OP_MULTI;
    q->r.session = session;
    q->r.cxid = cxid;
    q->ops = g_new0(ZkOpRequest, n ? n : 1);
    for (guint i = 0; i < n; i++) {
        q->ops[i] = ops[i];
        q->ops[i].path = g_strndup(ops[i].path, ops[i].path_len ? ops[i].path_len : strlen(ops[i].path));
        q->ops[i].path_len = 0;
        q->ops[i].path_ref = FALSE;
        q->ops[i].data = ops[i].data ? g_bytes_ref(ops[i].data) : NULL;
    }
    q->r.ops = q->ops;
    q->r.n_ops = n;
    return q;
}

ZkReq *zk_req_ref(ZkReq *q)
{
    q->refs++;
    return q;
}

void zk_req_unref(ZkReq *q)
{
    if (!q || --q->refs > 0)
        return;
    sim_rcstr_unref(q->path);
    if (q->r.op.data)
        g_bytes_unref(q->r.op.data);
    for (guint i = 0; q->ops && i < q->r.n_ops; i++) {
        g_free((char *)q->ops[i].path);
        if (q->ops[i].data)
            g_bytes_unref(q->ops[i].data);
    }
    g_free(q->ops);
    sim_pool_free(&req_pool, q);
}
