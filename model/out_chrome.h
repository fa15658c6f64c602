/* out_chrome.h - trace.json: the run in the Chrome trace event format,
 * for Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * Written as the run goes (memory stays small whatever its length), in
 * the JSON Object Format: {"traceEvents": [...], "displayTimeUnit": "ms",
 * "otherData": {...}}.  Times are microseconds with three decimals, so
 * they keep the simulator's nanoseconds exactly.
 *
 * Layout: one process per node (servers s1..sN in id order, then
 * clients, then "engine" on top), each with threads:
 *   role       the server's states as spans: LOOKING, FOLLOWING, LEADING,
 *              OBSERVING, and DOWN while crashed
 *   sent, received   a 1 ns slice per message at each end, joined by a
 *              flow arrow (MSG_SEND/MSG_RECV ids; or, when messages are
 *              not traced, NOTIFICATION_SEND/RECV matched by out_flow)
 *   events     instants: faults on this node, election milestones,
 *              sessions, watches; PAUSED as a span
 *   ops N      client operations as spans, from OP_START to OP_END, on
 *              the first lane free when the operation started
 * The engine process holds the faults that are not one node's (partition,
 * heal, link changes, broken connections, invariant failures) as global
 * instants, and the scenario's actions.
 *
 * Every event has ph, ts, pid, tid and name; flow events have id and
 * cat, and the receiving end has "bp": "e".  At most
 * OUT_CHROME_EVENTS_MAX events are written; the rest are counted in
 * otherData.dropped_events.
 */
#ifndef OUT_CHROME_H
#define OUT_CHROME_H

#include "out_event.h"

#include <stdio.h>

#define OUT_CHROME_EVENTS_MAX 1000000u

typedef struct OutChrome OutChrome;

/* Writes to f (not owned; the caller closes it after out_chrome_finish).
 * notification_flows: draw election notifications as arrows (when
 * MSG_SEND is not traced; the first MSG_SEND turns it off). */
OutChrome *out_chrome_new(Sim *sim, FILE *f, gboolean notification_flows);
void out_chrome_free(OutChrome *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutChrome, out_chrome_free)

void out_chrome_event(OutChrome *c, const SimTraceEvent *ev, OutEvType t);
/* Closes the spans still open at `end` and the document; `extra` (may
 * be NULL) is a JSON object's members written into otherData.  FALSE if
 * the file could not be written. */
gboolean out_chrome_finish(OutChrome *c, SimTime end, const char *extra);
uint64_t out_chrome_events(const OutChrome *c);

#endif
