/* zk_msg.h - the messages servers exchange: election notifications and
 * Zab's quorum packets (Leader.java's packet types), plus the handshake
 * of the election connection manager.
 *
 * One X-macro list gives the enum and the names printed on the timeline
 * and used by scenario filters (`drop PROPOSAL s5 -> s1 once`).  Client
 * protocol messages are appended by the client layer (zk_client.h) after
 * ZK_MSG_CLIENT_BASE.
 */
#ifndef ZK_MSG_H
#define ZK_MSG_H

#include "zk_tree.h"

#include <stdint.h>

/* Peer states, sent as ordinals in notifications (QuorumPeer.ServerState). */
#define ZK_ROLE_LIST(X)                                                                            \
    X(LOOKING, "LOOKING")                                                                          \
    X(FOLLOWING, "FOLLOWING")                                                                      \
    X(LEADING, "LEADING")                                                                          \
    X(OBSERVING, "OBSERVING")

typedef enum {
#define ZK_X(id, name) ZK_##id,
    ZK_ROLE_LIST(ZK_X)
#undef ZK_X
} ZkRole;

const char *zk_role_name(ZkRole r);
/* Parses a role name; -1 if unknown. */
int zk_role_parse(const char *s);

/* Zab packet types keep ZooKeeper's codes (Leader.java); the election
 * and handshake messages come after them. */
#define ZK_MSG_LIST(X)                                                                             \
    X(NONE, "NONE", 0)                                                                             \
    X(REQUEST, "REQUEST", 1)                                                                       \
    X(PROPOSAL, "PROPOSAL", 2)                                                                     \
    X(ACK, "ACK", 3)                                                                               \
    X(COMMIT, "COMMIT", 4)                                                                         \
    X(PING, "PING", 5)                                                                             \
    X(REVALIDATE, "REVALIDATE", 6)                                                                 \
    X(SYNC, "SYNC", 7)                                                                             \
    X(INFORM, "INFORM", 8)                                                                         \
    X(NEWLEADER, "NEWLEADER", 10)                                                                  \
    X(FOLLOWERINFO, "FOLLOWERINFO", 11)                                                            \
    X(UPTODATE, "UPTODATE", 12)                                                                    \
    X(DIFF, "DIFF", 13)                                                                            \
    X(TRUNC, "TRUNC", 14)                                                                          \
    X(SNAP, "SNAP", 15)                                                                            \
    X(OBSERVERINFO, "OBSERVERINFO", 16)                                                            \
    X(LEADERINFO, "LEADERINFO", 17)                                                                \
    X(ACKEPOCH, "ACKEPOCH", 18)                                                                    \
    X(NOTIFICATION, "NOTIFICATION", 20)                                                            \
    X(CNX_HELLO, "CNX_HELLO", 21)

typedef enum {
#define ZK_X(id, name, code) ZK_MSG_##id = (code),
    ZK_MSG_LIST(ZK_X)
#undef ZK_X
} ZkMsgType;

#define ZK_MSG_CLIENT_BASE 32
#define ZK_MSG_TYPE_MAX 64

/* The client protocol's packets (zk_client.h), on ZK_CH_CLIENT
 * connections.  ZooKeeper frames them all alike (a length, then a
 * ConnectRequest/ConnectResponse or a RequestHeader/ReplyHeader and a
 * record); they get their own types here so that the timeline and the
 * scenario filters can tell a ping from a watch event. */
#define ZK_CLIENT_MSG_LIST(X)                                                                      \
    X(CONNECT_REQUEST, "CONNECT_REQUEST", 32)   /* ConnectRequest */                               \
    X(CONNECT_RESPONSE, "CONNECT_RESPONSE", 33) /* ConnectResponse */                              \
    X(CLIENT_REQUEST, "CLIENT_REQUEST", 34)     /* RequestHeader + record */                       \
    X(CLIENT_REPLY, "CLIENT_REPLY", 35)         /* ReplyHeader + record */                         \
    X(CLIENT_PING, "CLIENT_PING", 36)           /* xid -2 */                                       \
    X(CLIENT_PING_REPLY, "CLIENT_PING_REPLY", 37)                                                  \
    X(SET_WATCHES, "SET_WATCHES", 38)           /* xid -8, SetWatches2 */                          \
    X(WATCHER_EVENT, "WATCHER_EVENT", 39)       /* xid -1, WatcherEvent */

typedef enum {
#define ZK_X(id, name, code) ZK_MSG_##id = (code),
    ZK_CLIENT_MSG_LIST(ZK_X)
#undef ZK_X
} ZkClientMsgType;

const char *zk_msg_name(int type);
/* Parses a packet name (as in scenarios); -1 if unknown. */
int zk_msg_parse(const char *s);
/* A table name[type] for sim_net_set_type_names, ZK_MSG_TYPE_MAX long. */
const char *const *zk_msg_names(void);

/* A vote (FastLeaderElection.Notification / Vote).  Zxids and epochs are
 * Java longs: -1 and Long.MIN_VALUE are meaningful, so they are signed. */
typedef struct ZkVote {
    int64_t leader;
    int64_t zxid;
    int64_t eepoch;     /* election epoch (logicalclock) */
    int64_t peer_epoch; /* the proposed leader's epoch */
    ZkRole state;       /* the sender's state */
    int version;        /* 2 for current servers, 0 for recvset entries (Vote.equals) */
} ZkVote;

/* An owned, refcounted client request: the paths and data that a
 * ZkRequest points to live here, so it can travel in a REQUEST packet
 * from the server the client is on to the leader. */
typedef struct ZkReq {
    ZkRequest r;
    int refs;
    char *path;       /* a refcounted string (sim_rcstr.h), or NULL */
    ZkOpRequest *ops; /* multi: owned sub-ops (paths owned too) */
} ZkReq;

/* A single-op request; data may be NULL (empty). */
ZkReq *zk_req_new(ZkOpCode type, uint64_t session, int32_t cxid, const char *path, GBytes *data, ZkCreateMode mode,
                  int32_t version);
/* The same with a path that is a refcounted string (sim_rcstr.h): shared, not copied. */
ZkReq *zk_req_new_ref(ZkOpCode type, uint64_t session, int32_t cxid, char *ref_path, GBytes *data,
                      ZkCreateMode mode, int32_t version);
/* createSession / closeSession. */
ZkReq *zk_req_new_session(ZkOpCode type, uint64_t session, int32_t timeout_ms);
/* A multi of n sub-ops (copied). */
ZkReq *zk_req_new_multi(uint64_t session, int32_t cxid, const ZkOpRequest *ops, guint n);
ZkReq *zk_req_ref(ZkReq *r);
void zk_req_unref(ZkReq *r);

/* A quorum or election message.  Owned by whoever holds it; freed with
 * zk_msg_free (also the engine's payload-free hook).  One cache line:
 * at a thousand clients a message is out of the caches by the time it
 * arrives, and a write sends about fifteen.  Fields that no message type
 * uses together share storage; which member holds is the type's. */
typedef struct ZkMsg {
    uint32_t ref;    /* one per holder: a message the leader sends to every
                      * follower alike (PROPOSAL, COMMIT, INFORM) is one
                      * object, read-only to its receivers */
    ZkMsgType type;
    int sid;         /* sender */
    union {
        uint32_t client_bytes; /* client packets: wire size of the body (zk_msg_size adds it) */
        int origin_sid;        /* REQUEST/SYNC: the server the client is on */
    };
    uint64_t zxid;   /* QuorumPacket.zxid */
    union {
        ZkTxn *txn;       /* PROPOSAL, INFORM: the transaction (a reference) */
        ZkTree *snap;     /* SNAP: the leader's database (owned copy) */
        GArray *touches;  /* PING from a learner: uint64 session ids (+ timeout), owned */
    };
    ZkReq *req;      /* REQUEST: the forwarded client request (a reference) */
    void *client;    /* client-protocol body (zk_client.c), owned: zkc_packet_free */
    uint64_t rid;    /* REQUEST/SYNC/REVALIDATE: request id at the origin server */
    union {
        int64_t epoch;  /* ACKEPOCH: current epoch (-1: already accepted); REVALIDATE */
        ZkVote *vote;   /* NOTIFICATION (owned; zk_msg_new_notification) */
    };
} ZkMsg;

/* Frees a client-protocol body (zk_client.c). */
void zkc_packet_free(void *body);

ZkMsg *zk_msg_new(ZkMsgType type, int sid);
/* A NOTIFICATION carrying a copy of v. */
ZkMsg *zk_msg_new_notification(int sid, const ZkVote *v);
/* Another reference to m (to send the same message again); returns m. */
ZkMsg *zk_msg_ref(ZkMsg *m);
/* Drops a reference; the last one frees the message. */
void zk_msg_free(void *msg, int type);
/* zk_msg_free as an event's drop function. */
void zk_msg_drop(void *msg);

#endif
