/* zk_proto.h - ZooKeeper's client-protocol vocabulary: error codes, op
 * codes, watch event types, create modes, watch modes, ACL perms, Stat.
 *
 * Every list is one X-macro that generates both the enum and the name
 * printed on the timeline, so a code and its name can never drift apart.
 * Names and numbers are ZooKeeper's own (3.8): `KeeperException.Code`,
 * `ZooDefs.OpCode`, `Watcher.Event.EventType`, `CreateMode`,
 * `server.watch.WatcherMode`, `Watcher.WatcherType`, `ZooDefs.Perms`,
 * `data.Stat`.  The name functions are static inline switches (no table
 * at file scope, no .c file); an out-of-range value prints as "?".
 *
 * Numbers are the wire values, so an enum may be negative.  Zxids and
 * session ids are uint64_t here (Java longs; every real value is >= 0
 * except the "no zxid" marker, which is ZK_ZXID_NONE).
 */
#ifndef ZK_PROTO_H
#define ZK_PROTO_H

#include "sim_time.h"

#include <glib.h>
#include <stdint.h>

/* ---- limits and special values ------------------------------------------ */

/* jute.maxbuffer default, 0xfffff: the largest znode data (and request)
 * ZooKeeper accepts (`BinaryInputArchive.maxBuffer`). */
#define ZK_DATA_MAX_BYTES 1048575

/* ephemeralOwner marker of a container node (`EphemeralType.CONTAINER_EPHEMERAL_OWNER`,
 * Long.MIN_VALUE), independent of extended types. */
#define ZK_CONTAINER_EPHEMERAL_OWNER UINT64_C(0x8000000000000000)
/* TTL nodes: ephemeralOwner = 0xff00000000000000 | ttl_ms, ttl_ms in
 * (0, ZK_TTL_MAX_MS] (`EphemeralType.TTL.toEphemeralOwner`). */
#define ZK_TTL_EPHEMERAL_MASK UINT64_C(0xff00000000000000)
#define ZK_TTL_RESERVED_MASK UINT64_C(0x00ffff0000000000)
#define ZK_TTL_MAX_MS INT64_C(0x000000ffffffffff)

/* "No zxid": WatchedEvent.NO_ZXID / the -1 of a notification header. */
#define ZK_ZXID_NONE UINT64_MAX

/* ---- error codes (`KeeperException.Code`) ------------------------------- */

#define ZK_ERR_LIST(X)                                                                             \
    X(OK, "Ok", 0)                                                                                 \
    X(SYSTEM_ERROR, "SystemError", -1)                                                             \
    X(RUNTIME_INCONSISTENCY, "RuntimeInconsistency", -2)                                           \
    X(DATA_INCONSISTENCY, "DataInconsistency", -3)                                                 \
    X(CONNECTION_LOSS, "ConnectionLoss", -4)                                                       \
    X(MARSHALLING_ERROR, "MarshallingError", -5)                                                   \
    X(UNIMPLEMENTED, "Unimplemented", -6)                                                          \
    X(OPERATION_TIMEOUT, "OperationTimeout", -7)                                                   \
    X(BAD_ARGUMENTS, "BadArguments", -8)                                                           \
    X(API_ERROR, "APIError", -100)                                                                 \
    X(NO_NODE, "NoNode", -101)                                                                     \
    X(NO_AUTH, "NoAuth", -102)                                                                     \
    X(BAD_VERSION, "BadVersion", -103)                                                             \
    X(NO_CHILDREN_FOR_EPHEMERALS, "NoChildrenForEphemerals", -108)                                 \
    X(NODE_EXISTS, "NodeExists", -110)                                                             \
    X(NOT_EMPTY, "NotEmpty", -111)                                                                 \
    X(SESSION_EXPIRED, "SessionExpired", -112)                                                     \
    X(INVALID_CALLBACK, "InvalidCallback", -113)                                                   \
    X(INVALID_ACL, "InvalidACL", -114)                                                             \
    X(AUTH_FAILED, "AuthFailed", -115)                                                             \
    X(SESSION_MOVED, "SessionMoved", -118)                                                         \
    X(NOT_READ_ONLY, "NotReadOnly", -119)                                                          \
    X(EPHEMERAL_ON_LOCAL_SESSION, "EphemeralOnLocalSession", -120)                                 \
    X(NO_WATCHER, "NoWatcher", -121)                                                               \
    X(RECONFIG_DISABLED, "ReconfigDisabled", -123)                                                 \
    X(QUOTA_EXCEEDED, "QuotaExceeded", -125)                                                       \
    X(THROTTLED, "Throttled", -127)

typedef enum {
#define ZK_X_ENUM(id, name, val) ZK_ERR_##id = (val),
    ZK_ERR_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkErr;

static inline const char *zk_err_name(ZkErr e)
{
    switch (e) {
#define ZK_X_CASE(id, name, val)                                                                   \
    case ZK_ERR_##id:                                                                              \
        return (name);
        ZK_ERR_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* ---- op codes (`ZooDefs.OpCode`) --------------------------------------- */

#define ZK_OP_LIST(X)                                                                              \
    X(NOTIFICATION, "notification", 0)                                                             \
    X(CREATE, "create", 1)                                                                         \
    X(DELETE, "delete", 2)                                                                         \
    X(EXISTS, "exists", 3)                                                                         \
    X(GET_DATA, "getData", 4)                                                                      \
    X(SET_DATA, "setData", 5)                                                                      \
    X(GET_ACL, "getACL", 6)                                                                        \
    X(SET_ACL, "setACL", 7)                                                                        \
    X(GET_CHILDREN, "getChildren", 8)                                                              \
    X(SYNC, "sync", 9)                                                                             \
    X(PING, "ping", 11)                                                                            \
    X(GET_CHILDREN2, "getChildren2", 12)                                                           \
    X(CHECK, "check", 13)                                                                          \
    X(MULTI, "multi", 14)                                                                          \
    X(CREATE2, "create2", 15)                                                                      \
    X(RECONFIG, "reconfig", 16)                                                                    \
    X(CHECK_WATCHES, "checkWatches", 17)                                                           \
    X(REMOVE_WATCHES, "removeWatches", 18)                                                         \
    X(CREATE_CONTAINER, "createContainer", 19)                                                     \
    X(DELETE_CONTAINER, "deleteContainer", 20)                                                     \
    X(CREATE_TTL, "createTTL", 21)                                                                 \
    X(MULTI_READ, "multiRead", 22)                                                                 \
    X(AUTH, "auth", 100)                                                                           \
    X(SET_WATCHES, "setWatches", 101)                                                              \
    X(SASL, "sasl", 102)                                                                           \
    X(GET_EPHEMERALS, "getEphemerals", 103)                                                        \
    X(GET_ALL_CHILDREN_NUMBER, "getAllChildrenNumber", 104)                                        \
    X(SET_WATCHES2, "setWatches2", 105)                                                            \
    X(ADD_WATCH, "addWatch", 106)                                                                  \
    X(WHO_AM_I, "whoAmI", 107)                                                                     \
    X(CREATE_SESSION, "createSession", -10)                                                        \
    X(CLOSE_SESSION, "closeSession", -11)                                                          \
    X(ERROR, "error", -1)

typedef enum {
#define ZK_X_ENUM(id, name, val) ZK_OP_##id = (val),
    ZK_OP_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkOpCode;

static inline const char *zk_op_name(ZkOpCode op)
{
    switch (op) {
#define ZK_X_CASE(id, name, val)                                                                   \
    case ZK_OP_##id:                                                                               \
        return (name);
        ZK_OP_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* TRUE for the ops that the leader turns into a transaction
 * (`PrepRequestProcessor.pRequestHelper`, the cases calling pRequest2Txn;
 * setACL and reconfig are not modelled). */
static inline gboolean zk_op_is_write(ZkOpCode op)
{
    switch (op) {
    case ZK_OP_CREATE:
    case ZK_OP_CREATE2:
    case ZK_OP_CREATE_CONTAINER:
    case ZK_OP_CREATE_TTL:
    case ZK_OP_DELETE:
    case ZK_OP_DELETE_CONTAINER:
    case ZK_OP_SET_DATA:
    case ZK_OP_CHECK:
    case ZK_OP_MULTI:
    case ZK_OP_CREATE_SESSION:
    case ZK_OP_CLOSE_SESSION:
        return TRUE;
    case ZK_OP_NOTIFICATION:
    case ZK_OP_EXISTS:
    case ZK_OP_GET_DATA:
    case ZK_OP_GET_ACL:
    case ZK_OP_SET_ACL:
    case ZK_OP_GET_CHILDREN:
    case ZK_OP_SYNC:
    case ZK_OP_PING:
    case ZK_OP_GET_CHILDREN2:
    case ZK_OP_RECONFIG:
    case ZK_OP_CHECK_WATCHES:
    case ZK_OP_REMOVE_WATCHES:
    case ZK_OP_MULTI_READ:
    case ZK_OP_AUTH:
    case ZK_OP_SET_WATCHES:
    case ZK_OP_SASL:
    case ZK_OP_GET_EPHEMERALS:
    case ZK_OP_GET_ALL_CHILDREN_NUMBER:
    case ZK_OP_SET_WATCHES2:
    case ZK_OP_ADD_WATCH:
    case ZK_OP_WHO_AM_I:
    case ZK_OP_ERROR:
        return FALSE;
    }
    return FALSE;
}

/* ---- watch event types (`Watcher.Event.EventType`) ---------------------- */

#define ZK_EVENT_LIST(X)                                                                           \
    X(NONE, "None", -1)                                                                            \
    X(NODE_CREATED, "NodeCreated", 1)                                                              \
    X(NODE_DELETED, "NodeDeleted", 2)                                                              \
    X(NODE_DATA_CHANGED, "NodeDataChanged", 3)                                                     \
    X(NODE_CHILDREN_CHANGED, "NodeChildrenChanged", 4)                                             \
    X(DATA_WATCH_REMOVED, "DataWatchRemoved", 5)                                                   \
    X(CHILD_WATCH_REMOVED, "ChildWatchRemoved", 6)                                                 \
    X(PERSISTENT_WATCH_REMOVED, "PersistentWatchRemoved", 7)

typedef enum {
#define ZK_X_ENUM(id, name, val) ZK_EVENT_##id = (val),
    ZK_EVENT_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkEventType;

static inline const char *zk_event_type_name(ZkEventType t)
{
    switch (t) {
#define ZK_X_CASE(id, name, val)                                                                   \
    case ZK_EVENT_##id:                                                                            \
        return (name);
        ZK_EVENT_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* ---- create modes (`CreateMode`: flag, ephemeral, sequential, container, ttl) */

#define ZK_CREATE_MODE_LIST(X)                                                                     \
    X(PERSISTENT, "PERSISTENT", 0, FALSE, FALSE, FALSE, FALSE)                                     \
    X(EPHEMERAL, "EPHEMERAL", 1, TRUE, FALSE, FALSE, FALSE)                                        \
    X(PERSISTENT_SEQUENTIAL, "PERSISTENT_SEQUENTIAL", 2, FALSE, TRUE, FALSE, FALSE)                \
    X(EPHEMERAL_SEQUENTIAL, "EPHEMERAL_SEQUENTIAL", 3, TRUE, TRUE, FALSE, FALSE)                   \
    X(CONTAINER, "CONTAINER", 4, FALSE, FALSE, TRUE, FALSE)                                        \
    X(PERSISTENT_WITH_TTL, "PERSISTENT_WITH_TTL", 5, FALSE, FALSE, FALSE, TRUE)                    \
    X(PERSISTENT_SEQUENTIAL_WITH_TTL, "PERSISTENT_SEQUENTIAL_WITH_TTL", 6, FALSE, TRUE, FALSE, TRUE)

typedef enum {
#define ZK_X_ENUM(id, name, flag, eph, seq, cont, ttl) ZK_CREATE_##id = (flag),
    ZK_CREATE_MODE_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkCreateMode;

/* The four CreateMode predicates, one switch each over the list. */
#define ZK_X_CREATE_MODE_FN(fn, case_macro)                                                        \
    static inline gboolean fn(ZkCreateMode m)                                                      \
    {                                                                                              \
        switch (m) {                                                                               \
            ZK_CREATE_MODE_LIST(case_macro)                                                        \
        }                                                                                          \
        return FALSE;                                                                              \
    }
#define ZK_X_EPH(id, name, flag, eph, seq, cont, ttl)                                              \
    case ZK_CREATE_##id:                                                                           \
        return (eph);
#define ZK_X_SEQ(id, name, flag, eph, seq, cont, ttl)                                              \
    case ZK_CREATE_##id:                                                                           \
        return (seq);
#define ZK_X_CONT(id, name, flag, eph, seq, cont, ttl)                                             \
    case ZK_CREATE_##id:                                                                           \
        return (cont);
#define ZK_X_TTL(id, name, flag, eph, seq, cont, ttl)                                              \
    case ZK_CREATE_##id:                                                                           \
        return (ttl);
ZK_X_CREATE_MODE_FN(zk_create_mode_is_ephemeral, ZK_X_EPH)
ZK_X_CREATE_MODE_FN(zk_create_mode_is_sequential, ZK_X_SEQ)
ZK_X_CREATE_MODE_FN(zk_create_mode_is_container, ZK_X_CONT)
ZK_X_CREATE_MODE_FN(zk_create_mode_is_ttl, ZK_X_TTL)
#undef ZK_X_EPH
#undef ZK_X_SEQ
#undef ZK_X_CONT
#undef ZK_X_TTL
#undef ZK_X_CREATE_MODE_FN

static inline const char *zk_create_mode_name(ZkCreateMode m)
{
    switch (m) {
#define ZK_X_CASE(id, name, flag, eph, seq, cont, ttl)                                             \
    case ZK_CREATE_##id:                                                                           \
        return (name);
        ZK_CREATE_MODE_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* `CreateMode.fromFlag`: FALSE for an unknown flag (ZooKeeper: KeeperException
 * BadArguments). */
static inline gboolean zk_create_mode_from_flag(int flag, ZkCreateMode *out)
{
    switch (flag) {
#define ZK_X_CASE(id, name, fl, eph, seq, cont, ttl)                                               \
    case (fl):                                                                                     \
        *out = ZK_CREATE_##id;                                                                     \
        return TRUE;
        ZK_CREATE_MODE_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    default:
        return FALSE; /* an int, not an enum: default is the unknown flag */
    }
}

/* ---- watcher modes (`server.watch.WatcherMode`, values of `ZooDefs.AddWatchModes`) */

#define ZK_WATCHER_MODE_LIST(X)                                                                    \
    X(STANDARD, "STANDARD", -1)                                                                    \
    X(PERSISTENT, "PERSISTENT", 0)                                                                 \
    X(PERSISTENT_RECURSIVE, "PERSISTENT_RECURSIVE", 1)

typedef enum {
#define ZK_X_ENUM(id, name, val) ZK_WATCHER_MODE_##id = (val),
    ZK_WATCHER_MODE_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkWatcherMode;

static inline const char *zk_watcher_mode_name(ZkWatcherMode m)
{
    switch (m) {
#define ZK_X_CASE(id, name, val)                                                                   \
    case ZK_WATCHER_MODE_##id:                                                                     \
        return (name);
        ZK_WATCHER_MODE_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* ---- watch kinds: how a client registered a watch, i.e. the five lists of
 * SetWatches2 (`proto.SetWatches2`: dataWatches, existWatches, childWatches,
 * persistentWatches, persistentRecursiveWatches).  On the server DATA and
 * EXIST are the same entry of the data-watch table (`DataTree.statNode` and
 * `getData` both call dataWatches.addWatch); they differ only in SetWatches. */

#define ZK_WATCH_KIND_LIST(X)                                                                      \
    X(DATA, "data")                                                                                \
    X(EXIST, "exist")                                                                              \
    X(CHILD, "child")                                                                              \
    X(PERSISTENT, "persistent")                                                                    \
    X(PERSISTENT_RECURSIVE, "persistentRecursive")

typedef enum {
#define ZK_X_ENUM(id, name) ZK_WATCH_##id,
    ZK_WATCH_KIND_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
        ZK_WATCH_KIND_COUNT
} ZkWatchKind;

static inline const char *zk_watch_kind_name(ZkWatchKind k)
{
    switch (k) {
#define ZK_X_CASE(id, name)                                                                        \
    case ZK_WATCH_##id:                                                                            \
        return (name);
        ZK_WATCH_KIND_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    case ZK_WATCH_KIND_COUNT:
        break;
    }
    return "?";
}

/* ---- watcher types of removeWatches/checkWatches (`Watcher.WatcherType`) */

#define ZK_WATCHER_TYPE_LIST(X)                                                                    \
    X(CHILDREN, "Children", 1)                                                                     \
    X(DATA, "Data", 2)                                                                             \
    X(ANY, "Any", 3)                                                                               \
    X(PERSISTENT, "Persistent", 4)                                                                 \
    X(PERSISTENT_RECURSIVE, "PersistentRecursive", 5)

typedef enum {
#define ZK_X_ENUM(id, name, val) ZK_WATCHER_TYPE_##id = (val),
    ZK_WATCHER_TYPE_LIST(ZK_X_ENUM)
#undef ZK_X_ENUM
} ZkWatcherType;

static inline const char *zk_watcher_type_name(ZkWatcherType t)
{
    switch (t) {
#define ZK_X_CASE(id, name, val)                                                                   \
    case ZK_WATCHER_TYPE_##id:                                                                     \
        return (name);
        ZK_WATCHER_TYPE_LIST(ZK_X_CASE)
#undef ZK_X_CASE
    }
    return "?";
}

/* ---- ACL permission bits (`ZooDefs.Perms`).  zksim models only the
 * world:anyone entry of an ACL, as a bit set per znode. */

#define ZK_PERM_READ 1u
#define ZK_PERM_WRITE 2u
#define ZK_PERM_CREATE 4u
#define ZK_PERM_DELETE 8u
#define ZK_PERM_ADMIN 16u
#define ZK_PERM_ALL 31u

/* ---- Stat (`data.Stat`): StatPersisted plus the two derived fields.
 * Times are virtual nanoseconds (ZooKeeper keeps ms of wall time);
 * zk_stat_ctime_ms/mtime_ms give the ZooKeeper unit. */

typedef struct ZkStat {
    uint64_t czxid;           /* zxid of the create */
    uint64_t mzxid;           /* zxid of the last data change (create or setData) */
    uint64_t pzxid;           /* zxid of the last child-list change */
    SimTime ctime;            /* txn time of the create, ns */
    SimTime mtime;            /* txn time of the last data change, ns */
    int32_t version;          /* number of data changes */
    int32_t cversion;         /* number of child creates (ZooKeeper 3.8 does not count deletes) */
    int32_t aversion;         /* number of ACL changes */
    uint64_t ephemeral_owner; /* session id, 0, or the container/TTL marker */
    int32_t data_length;      /* derived */
    int32_t num_children;     /* derived */
} ZkStat;

static inline int64_t zk_stat_ctime_ms(const ZkStat *s)
{
    return s->ctime / SIM_MS;
}

static inline int64_t zk_stat_mtime_ms(const ZkStat *s)
{
    return s->mtime / SIM_MS;
}

/* ---- zkCli.sh verbs: the client commands a scenario script spells (the
 * scenario language's ops and the client library's ZkCliVerb both come
 * from this one list) */

#define ZK_CLI_VERB_LIST(X)                                                                        \
    X(CREATE, "create")                                                                            \
    X(GET, "get")                                                                                  \
    X(SET, "set")                                                                                  \
    X(DELETE, "delete")                                                                            \
    X(DELETEALL, "deleteall")                                                                      \
    X(LS, "ls")                                                                                    \
    X(STAT, "stat")                                                                                \
    X(SYNC, "sync")                                                                                \
    X(ADD_WATCH, "addWatch")                                                                       \
    X(REMOVE_WATCHES, "removewatches")                                                             \
    X(CLOSE, "close")                                                                              \
    X(CONNECT, "connect")

/* Over-the-wire size of a Stat (`DataTree.STAT_OVERHEAD_BYTES`: 6 longs, 5 ints). */
#define ZK_STAT_WIRE_BYTES (6 * 8 + 5 * 4)

#endif
