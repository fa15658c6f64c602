/* out_event.h - the trace vocabulary the output writers understand.
 *
 * The writers (out_run, out_metrics, out_chrome) know a run only through
 * its trace.  This is the one list of the event types they read, with the
 * fields they use; an event of another type is passed over, and a type
 * that never occurs (a run without clients has no OP_END) simply leaves
 * its part of the outputs empty.
 *
 *   roles     LOOKING FOLLOWING LEADING OBSERVING (why)
 *   election  ELECTION_START (round, zxid, epoch); ELECTED (leader, took,
 *             sent); ELECTION_DONE (leader, epoch, took, notifications);
 *             LEADER_ESTABLISHED (epoch, zxid, took); LEADER_SHUTDOWN
 *   messages  NOTIFICATION_SEND (to: sid, leader, zxid, round, peerEpoch,
 *             state), NOTIFICATION_RECV (from: sid, the same);
 *             MSG_SEND (to: node, msg, size, id), MSG_RECV (from, msg,
 *             size, id, sent) when net.traceMessages is on
 *   Zab       PROPOSAL (zxid, op), COMMIT (zxid, acks), APPLY, SYNC_MODE
 *   faults    START CRASH RESTART PAUSE RESUME PARTITION HEAL LINK_SET
 *             DISK_SLOW CLOCK_DRIFT CLOCK_JUMP CONN_BREAK MSG_FILTER
 *   checks    FAIL (what), SCENARIO (action, line), WAIT_DONE, SCENARIO_FAIL
 *   clients   OP_START (client, server, op, path, xid); OP_END (client,
 *             server, op, path, xid, err, zxid, latency ns, and for reads
 *             stale_txns and stale_ns, or stale); SESSION_CREATED
 *             SESSION_EXPIRED SESSION_MOVED (session); SESSION_EXPIRE (the
 *             leader's tracker); CONNECT DISCONNECT (server; also spelt
 *             CLIENT_CONNECTED, CLIENT_DISCONNECTED); WATCH_SET;
 *             WATCH_TRIGGERED (server side); WATCH_EVENT (client side:
 *             event, path, zxid, latency when known)
 */
#ifndef OUT_EVENT_H
#define OUT_EVENT_H

#include "sim_trace.h"

#define OUT_EV_LIST(X)                                                                             \
    X(LOOKING)                                                                                     \
    X(FOLLOWING)                                                                                   \
    X(LEADING)                                                                                     \
    X(OBSERVING)                                                                                   \
    X(ELECTION_START)                                                                              \
    X(ELECTED)                                                                                     \
    X(ELECTION_DONE)                                                                               \
    X(LEADER_ESTABLISHED)                                                                          \
    X(LEADER_SHUTDOWN)                                                                             \
    X(NOTIFICATION_SEND)                                                                           \
    X(NOTIFICATION_RECV)                                                                           \
    X(MSG_SEND)                                                                                    \
    X(MSG_RECV)                                                                                    \
    X(PROPOSAL)                                                                                    \
    X(COMMIT)                                                                                      \
    X(APPLY)                                                                                       \
    X(SYNC_MODE)                                                                                   \
    X(START)                                                                                       \
    X(CRASH)                                                                                       \
    X(RESTART)                                                                                     \
    X(PAUSE)                                                                                       \
    X(RESUME)                                                                                      \
    X(PARTITION)                                                                                   \
    X(HEAL)                                                                                        \
    X(LINK_SET)                                                                                    \
    X(DISK_SLOW)                                                                                   \
    X(CLOCK_DRIFT)                                                                                 \
    X(CLOCK_JUMP)                                                                                  \
    X(CONN_BREAK)                                                                                  \
    X(MSG_FILTER)                                                                                  \
    X(FAIL)                                                                                        \
    X(SCENARIO)                                                                                    \
    X(WAIT_DONE)                                                                                   \
    X(SCENARIO_FAIL)                                                                               \
    X(OP_START)                                                                                    \
    X(OP_END)                                                                                      \
    X(SESSION_CREATED)                                                                             \
    X(SESSION_EXPIRED)                                                                             \
    X(SESSION_EXPIRE)                                                                              \
    X(SESSION_MOVED)                                                                               \
    X(CONNECT)                                                                                     \
    X(DISCONNECT)                                                                                  \
    X(WATCH_SET)                                                                                   \
    X(WATCH_TRIGGERED)                                                                             \
    X(WATCH_EVENT)

typedef enum {
#define OUT_X(id) OUT_EV_##id,
    OUT_EV_LIST(OUT_X)
#undef OUT_X
        OUT_EV_OTHER, /* any type not listed */
    OUT_EV_COUNT
} OutEvType;

const char *out_ev_name(OutEvType t);

/* Maps a type name to OutEvType.  Per event, sinks ask a
 * SimTraceTypeCache (by the event's type id) with out_ev_type_int. */
OutEvType out_ev_type_of(const char *name);
int out_ev_type_int(const char *name);

/* Roles and faults. */
gboolean out_ev_is_role(OutEvType t);
/* A fault or an engine action a scenario takes (START excluded). */
gboolean out_ev_is_fault(OutEvType t);

/* Fields of a traced event, with defaults when absent or of another kind. */
int64_t out_ev_int(const SimTraceEvent *ev, const char *key, int64_t def);
const char *out_ev_str(const SimTraceEvent *ev, const char *key, const char *def);
gboolean out_ev_has(const SimTraceEvent *ev, const char *key);
/* Appends the fields as `key=value` pairs separated by spaces. */
void out_ev_format_fields(const Sim *sim, const SimTraceEvent *ev, GString *out);

/* The server id of a node named `s<N>` (N >= 1), or 0 for anything else
 * (clients, "-" for the engine). */
int out_server_sid(const char *name);

/* Operation classes, after ZooKeeper's request types: reads (getData,
 * exists, getChildren... and zkCli's get, ls, stat) are answered by the
 * server a client is connected to; writes (create, setData, delete,
 * multi...) go through the leader; the rest (sync, ping, watches,
 * sessions) are neither. */
typedef enum {
    OUT_OP_READ,
    OUT_OP_WRITE,
    OUT_OP_OTHER,
} OutOpClass;

OutOpClass out_op_class(const char *op);
const char *out_op_class_name(OutOpClass c);
/* TRUE if an operation's result says it never completed at a server
 * (ConnectionLoss, SessionExpired, OperationTimeout, SessionMoved, by
 * name or code): its latency is left out of the percentiles. */
gboolean out_err_is_connection(const char *err);
/* The text of an `err` field whatever its kind ("Ok" when absent). */
const char *out_ev_err(const SimTraceEvent *ev, char *buf, size_t len);

#endif
