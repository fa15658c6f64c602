/* hist_int.h - inside the history checker: the one event shape both
 * readers (hist_read.c: live trace, timeline.jsonl) hand to the rules
 * (hist.c). */
#ifndef HIST_INT_H
#define HIST_INT_H

#include "hist.h"
#include "sim_trace.h"

/* The timeline events the checker reads; every other type is passed over. */
#define HIST_EV_LIST(X)                                                                            \
    X(OP_START)                                                                                    \
    X(OP_END)                                                                                      \
    X(WATCH_EVENT)                                                                                 \
    X(WATCH_SET)                                                                                   \
    X(CLIENT_START)                                                                                \
    X(CLIENT_CONNECTED)                                                                            \
    X(CLIENT_DISCONNECTED)                                                                         \
    X(CLIENT_CLOSED)                                                                               \
    X(SESSION_EXPIRED)                                                                             \
    X(CRASH)

typedef enum {
    HIST_EV_OTHER,
#define HIST_X(id) HIST_EV_##id,
    HIST_EV_LIST(HIST_X)
#undef HIST_X
} HistEvKind;

/* "no zxid": the events SetWatches fires carry it (ZK_ZXID_NONE). */
#define HIST_ZXID_NONE UINT64_MAX

/* One event, strings borrowed from the reader for the call. */
typedef struct HistEv {
    HistEvKind kind;
    uint64_t line;      /* timeline line, from 1 */
    SimTime t;
    const char *node;   /* who recorded it: a client, or a server (WATCH_SET) */
    const char *op;     /* OP_START, OP_END */
    const char *path;   /* OP_*, WATCH_* */
    const char *err;    /* OP_END */
    const char *event;  /* WATCH_EVENT: NodeCreated... */
    const char *wkind;  /* WATCH_SET: data, exist, child... */
    const char *client; /* WATCH_SET: the client's node */
    int64_t xid;
    uint64_t zxid;      /* OP_END, WATCH_EVENT */
    gboolean has_zxid;
    int64_t server;     /* OP_*, WATCH_EVENT, CLIENT_CONNECTED: a sid, 0 for none */
    gboolean is_read;   /* OP_END with stale_txns */
} HistEv;

HistEvKind hist_ev_kind(const char *type);
/* hist_ev_kind memoised per trace type id, for the live reader. */
HistEvKind hist_ev_kind_of(Hist *h, const SimTraceEvent *ev);
/* The rules' entry point: one event, in timeline order. */
void hist_feed(Hist *h, const HistEv *ev);
const char *hist_name(const Hist *h);

#endif
