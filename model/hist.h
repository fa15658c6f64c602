/* hist.h - a history checker: ZooKeeper's client guarantees, verified
 * from what the clients saw and nothing else.
 *
 * A history is the part of a run's timeline that clients observe: each
 * operation's invocation (OP_START: client, op, path, xid) and its
 * completion (OP_END: err, the reply's zxid, the answering server; reads
 * carry stale_txns), the watch events received (WATCH_EVENT), and the
 * client's connection life (CLIENT_START, CLIENT_CONNECTED,
 * CLIENT_DISCONNECTED, SESSION_EXPIRED, CLIENT_CLOSED, CRASH of a client
 * node).  The one server-side event read is WATCH_SET, which says that a
 * read asked for a watch (OP_START does not).  The checker never looks
 * at the model's data structures, so it judges the model from outside,
 * the way Jepsen judges a real ensemble.  It reads the same events from
 * a timeline.jsonl file (`zksim history`) or live from a run's trace
 * (hist_attach), and says `timeline.jsonl:LINE:` either way: in a run,
 * event i is line i + 1 of the timeline the run writes or would write.
 *
 * Words used below.  A *reply* is an OP_END answered by a server (server
 * != 0) other than ConnectionLoss or SessionExpired; its zxid is the
 * server's lastProcessedZxid when it answered (ReplyHeader.zxid), i.e. a
 * state every server passes through.  A *write* is a successful reply to
 * create, create2, createContainer, createTTL, delete, setData, multi or
 * closeSession.  Line order is real-time order: an event on an earlier
 * line happened before (or at the same instant as, but causally before)
 * one on a later line.  A client's *incarnation* runs from CLIENT_START
 * to the next CLIENT_START or the crash of its node: one ZooKeeper
 * handle, xids counted from 1, one session at a time.
 *
 * The rules (ZOOKEEPER.md section 5; paper section 2.3;
 * consistency-guarantees.mdx; watches.mdx):
 *
 *   write-order     Linearizable writes, total order: two writes never
 *                   carry the same zxid.
 *   write-realtime  Linearizable writes, precedence: a write carries a
 *                   zxid above every state any client had been answered
 *                   with before the write was invoked (so if write A
 *                   completed before write B was invoked, zxid A < zxid
 *                   B).  Reads, by contrast, may be stale: a read
 *                   invoked after a write completed need not see it.
 *   fifo            FIFO client order: a client's replies come in the
 *                   order it sent the requests; no request is answered
 *                   while an earlier one of the same incarnation is still
 *                   outstanding.  (A request the client fails on its own,
 *                   e.g. ConnectionLoss while closing, may complete at
 *                   once: ClientCnxn.conLossPacket.)
 *   monotonic       Single system image, read your writes: within an
 *                   incarnation, reply zxids never decrease, across
 *                   reconnects to other servers too.  A read after the
 *                   client's own write thus sees at least that write.
 *   sync            sync then read: once a sync completes, every later
 *                   reply of that incarnation (the sync's own included)
 *                   carries a zxid at least that of every state any
 *                   client had been answered with before the sync was
 *                   invoked.  (ZooKeeper's sync is not a quorum
 *                   operation, ZOOKEEPER-1675: a deposed leader that
 *                   does not yet know it may break this.)
 *   reads-agree     Agreement seen by clients: two reads of the same
 *                   path answered at the same zxid (by any servers)
 *                   agree on whether the node exists, since every server
 *                   holds the same tree at a given zxid.
 *   watch-order     Watch events come in txn order and before the data
 *                   that follows them: on one connection, an event for
 *                   txn Z never arrives after a reply carrying a zxid >=
 *                   Z, nor after an event for a later txn.
 *   watch-missed    Watch before data: once a client holds a watch set
 *                   by a read answered at zxid Z0, and a write at zxid
 *                   Z > Z0 that fires that watch is known from the
 *                   history, the client receives an event consuming the
 *                   watch before any reply carrying a zxid >= Z.  Kept
 *                   across reconnects for data and child watches (the
 *                   server re-checks them against SetWatches'
 *                   relativeZxid); an exist watch is not followed across
 *                   a reconnect (the documented gap: a node created and
 *                   deleted meanwhile is missed).  Writes whose paths the
 *                   history does not show (multi, ephemerals deleted by
 *                   a session's end, outcomes unknown to the client) fire
 *                   events too; they only ever consume watches, so they
 *                   never make this rule fail.
 *
 * Every violation names the fewest operations that show it, one
 * `file:line:` per invocation, completion or event.
 */
#ifndef HIST_H
#define HIST_H

#include "sim.h"

#include <glib.h>

#define HIST_RULE_LIST(X)                                                                          \
    X(WRITE_ORDER, "write-order", "two writes carry the same zxid")                                \
    X(WRITE_REALTIME, "write-realtime", "a write is ordered before a state seen before it was invoked") \
    X(FIFO, "fifo", "a reply overtook an earlier request of the same client")                      \
    X(MONOTONIC, "monotonic", "a client saw an older state than one it had seen")                  \
    X(SYNC, "sync", "after sync, a client saw a state older than one seen before the sync")        \
    X(READS_AGREE, "reads-agree", "two reads at the same zxid disagree on whether a node exists")  \
    X(WATCH_ORDER, "watch-order", "a watch event arrived after newer data")                        \
    X(WATCH_MISSED, "watch-missed", "a reply at or past a txn overtook the watch event it fired")

typedef enum {
#define HIST_X(id, name, doc) HIST_RULE_##id,
    HIST_RULE_LIST(HIST_X)
#undef HIST_X
        HIST_RULE_COUNT
} HistRule;

/* Operations recorded at most (a run that does more is checked up to
 * there, and hist_check says so). */
#define HIST_OPS_MAX 8000000u

typedef struct Hist Hist;

typedef struct HistStats {
    uint64_t events;     /* history events read (of any client) */
    uint64_t ops;        /* invocations */
    uint64_t completed;  /* completions matched to an invocation */
    uint64_t replies;    /* completions answered by a server */
    uint64_t writes;     /* successful writes */
    uint64_t reads;
    uint64_t syncs;
    uint64_t watch_events;
    uint64_t watches;    /* watches set by reads */
    guint clients;
    uint64_t violations[HIST_RULE_COUNT];
    gboolean truncated;  /* HIST_OPS_MAX reached */
} HistStats;

const char *hist_rule_name(HistRule r);
const char *hist_rule_doc(HistRule r);

/* ---- new / free ---- */

Hist *hist_new(void);
void hist_free(Hist *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Hist, hist_free)
/* The file name violations cite (default "timeline.jsonl"). */
void hist_set_name(Hist *h, const char *name);

/* ---- feeding: live, or from text ---- */

/* Adds a trace callback to sim: every event from now on is read (attach
 * before the run starts, so event i is timeline line i + 1).  h must
 * outlive the run's last event; sim_free does not free h. */
void hist_attach(Hist *h, Sim *sim);
/* Reads one timeline.jsonl line (number `line`, from 1).  FALSE with err
 * (`NAME:LINE: ...`) if it is not a JSON object with t, node and type. */
gboolean hist_feed_json(Hist *h, const char *text, gssize len, uint64_t line, GError **err);
/* Reads a whole timeline.jsonl (and names violations after the path). */
gboolean hist_load_file(Hist *h, const char *path, GError **err);

/* ---- checking ---- */

/* Runs the rules over everything read so far.  TRUE if the history keeps
 * every rule.  Otherwise FALSE, and `why` (if not NULL) receives the
 * report: a first line that sums it up (`NAME:LINE: rule: ...`, fit for a
 * one-line failure message), then up to `limit` violations (0: 10), the
 * first of each rule first, each with its operations, one per line.
 * Can be called again after more events. */
gboolean hist_check(Hist *h, GString *why, guint limit);
const HistStats *hist_stats(const Hist *h);
/* One line: "N clients, N ops (N writes, N reads, N syncs), N watch events". */
void hist_stats_format(const Hist *h, GString *out);

#endif
