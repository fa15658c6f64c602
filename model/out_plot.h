/* out_plot.h - pictures of one run, from the files the run wrote.
 *
 * `zksim plot RUN_DIR` reads RUN_DIR/timeline.jsonl, metrics.csv and
 * summary.json and writes into RUN_DIR/plots/, for each figure, its data
 * (.dat), a gnuplot script (.gp) and the images (.png, .svg):
 *
 *   spacetime     a space-time diagram: one lane per node (servers, then
 *                 clients), the server's state as coloured bands,
 *                 messages as arrows from send to receive (MSG_SEND and
 *                 MSG_RECV when net.traceMessages was on, else the
 *                 election's notifications, matched by out_flow), crashes,
 *                 restarts, pauses and elections marked, partitions and
 *                 heals as dashed lines: the picture of an election
 *   throughput    operations and commits per second over time, one point
 *                 per metrics interval, faults marked and elections shaded
 *                 (as Figure 8 of the ZooKeeper paper)
 *   latency-cdf   the distribution of each operation type's latency
 *
 * A figure whose input is missing (no timeline.jsonl after --trace none,
 * no client operations) is skipped and the report says why.  The window
 * [from, to] restricts every figure.
 */
#ifndef OUT_PLOT_H
#define OUT_PLOT_H

#include "sim_time.h"

#include <glib.h>

/* Arrows drawn at most in one space-time diagram (the first ones in
 * time; the title says when some were left out). */
#define OUT_PLOT_ARROWS_MAX 20000
/* Lines kept per operation type in the CDF data. */
#define OUT_PLOT_CDF_POINTS 1000

typedef struct OutPlotOptions {
    const char *run_dir;
    SimTime from; /* window start (0: the beginning) */
    SimTime to;   /* window end (SIM_TIME_NEVER: the end of the run) */
    gboolean breaks; /* break the space-time diagram's time axis where nothing happens */
} OutPlotOptions;

/* Draws every figure the run's files allow.  Appends one line per figure
 * to report ("made plots/spacetime.png" or "skipped ...: why").  FALSE
 * and err for an operating error: a missing run directory, a file that
 * is not what zksim writes, gnuplot failing or missing. */
gboolean out_plot_run(const OutPlotOptions *o, GString *report, GError **err);

#endif
