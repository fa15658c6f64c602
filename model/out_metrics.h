/* out_metrics.h - the run as a time series: metrics.csv.
 *
 * One row per interval of simulated time (metrics.interval, 100 ms by
 * default), computed from the trace as it goes: what completed in the
 * interval, and the state at its end.  Rows are kept (a few hundred bytes
 * each, at most OUT_METRICS_ROWS_MAX of them: a longer run gets a longer
 * interval) and written at the end, when the operation types that
 * occurred are known.  The columns, in order:
 *
 *   start_s, end_s          the interval, in simulated seconds
 *   commits, commits_per_s  transactions the leader committed (COMMIT)
 *   ops, ops_per_s, errors  client operations completed (OP_END), and
 *                           those whose result was not Ok
 *   read_per_s, read_p50_ms, read_p99_ms      reads (see out_op_class)
 *   write_per_s, write_p50_ms, write_p99_ms   writes
 *   OP_per_s, OP_p50_ms, OP_p99_ms            for each operation type
 *                           that occurred, by name (create, getData...)
 *   elections               elections completed (ELECTION_DONE)
 *   leader                  the established leader's id at the end, or 0
 *   net_msgs, net_bytes     messages and bytes sent on the network
 *   role_s1, role_s2...     each server's state at the end: LOOKING,
 *                           FOLLOWING, LEADING, OBSERVING, DOWN, PAUSED,
 *                           or empty before it started
 *
 * Latency percentiles leave out operations that never completed at a
 * server (ConnectionLoss...); a percentile of an interval without any
 * operation is an empty cell.  Messages and bytes are exact when
 * MSG_SEND is traced (net.traceMessages); otherwise they are the
 * engine's counters read at the first traced event of the next interval,
 * so traffic nothing traces (pings) is counted, but may land one
 * interval late.
 */
#ifndef OUT_METRICS_H
#define OUT_METRICS_H

#include "out_event.h"

#define OUT_METRICS_ROWS_MAX 100000

typedef struct OutMetrics OutMetrics;

/* interval 0: 100 ms.  planned_end (0: unknown) bounds the row count
 * from the start.  count_messages: MSG_SEND events are traced. */
OutMetrics *out_metrics_new(Sim *sim, SimTime interval, SimTime planned_end, gboolean count_messages);
void out_metrics_free(OutMetrics *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutMetrics, out_metrics_free)

void out_metrics_event(OutMetrics *m, const SimTraceEvent *ev, OutEvType t);
/* Closes the rows that end at or before t: called with the time of every
 * trace event, including those no sink wants (sim_trace_add_tick), so
 * rows close exactly where they would if every event were followed. */
void out_metrics_advance(OutMetrics *m, SimTime t);
/* Whether out_metrics_event does anything with events of type t. */
gboolean out_metrics_uses(OutEvType t);
/* Closes every interval up to end (the last one may be shorter). */
void out_metrics_finish(OutMetrics *m, SimTime end);
/* Appends the CSV (header row, then one row per interval). */
void out_metrics_write_csv(OutMetrics *m, GString *out);

SimTime out_metrics_interval(const OutMetrics *m);
guint out_metrics_rows(const OutMetrics *m);

#endif
