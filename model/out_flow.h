/* out_flow.h - which receive answers which send: message flows read off
 * the trace, for the arrows of trace.json and of the space-time diagram.
 *
 * With net.traceMessages on, MSG_SEND and MSG_RECV carry the engine's
 * message id and need no matching.  Without it, the election's own
 * NOTIFICATION_SEND and NOTIFICATION_RECV still show the messages that
 * matter most; they carry no id, but connections are FIFO, so the k-th
 * notification s1 received from s3 is the oldest one s3 sent to s1 that
 * was not yet received -- unless some were lost with a broken connection.
 * So a receive is matched to the oldest pending send on its link with the
 * same content (the key: vote, round, epochs, state), and the sends
 * queued before that one are dropped as lost.
 */
#ifndef OUT_FLOW_H
#define OUT_FLOW_H

#include "sim_time.h"

#include <glib.h>
#include <stdint.h>

/* Pending sends kept per link; older ones are forgotten (bounded memory
 * when a peer never reads). */
#define OUT_FLOWS_LINK_MAX 4096

typedef struct OutFlows OutFlows;

OutFlows *out_flows_new(void);
void out_flows_free(OutFlows *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutFlows, out_flows_free)

/* A message from `from` to `to` (small non-negative integers naming the
 * ends) with content `key`, sent at t: returns its flow id (1, 2, ...). */
uint64_t out_flows_send(OutFlows *f, int from, int to, const char *key, SimTime t);
/* A message from `from` arrived at `to`: the id of the oldest pending
 * send on that link with the same key, and its time in *sent; the sends
 * before it on the link are dropped.  0 (and nothing dropped) when no
 * pending send matches. */
uint64_t out_flows_recv(OutFlows *f, int from, int to, const char *key, SimTime *sent);

#endif
