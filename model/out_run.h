/* out_run.h - the outputs of one run, computed from its trace alone.
 *
 * An OutRun is a callback trace sink.  It follows every event of the run
 * (out_event.h lists the vocabulary it reads; a type that never occurs
 * leaves its part empty) and at the end writes, into the output
 * directory:
 *
 *   summary.json  version, scenario, seed, every parameter in force; the
 *                 elections (leader, epoch, start, end, duration,
 *                 notifications); leaders by time; commits; throughput;
 *                 latency percentiles (p50 p90 p99 p99.9 max, exact) per
 *                 operation type and for reads and writes; watch delivery
 *                 latency; staleness of reads; sessions; the faults
 *                 (counted by kind and listed with times); invariant
 *                 results; network totals; events and wall time
 *   metrics.csv   the run per interval (out_metrics.h documents the columns)
 *   trace.json    the Chrome trace event format (out_chrome.h)
 *
 * and prints the one-screen summary.  Everything but wall_s is a function
 * of the trace, so the same scenario and seed give the same files.
 *
 * Life cycle: out_run_new after sim_new and before the model emits
 * anything (nodes may be added later: names are read from the Sim when
 * needed), then the run, then out_run_finish and out_run_print while the
 * Sim is alive, then sim_free, then out_run_free (a sink cannot be
 * detached from a Sim, so the OutRun must outlive it; after finish it
 * ignores further events).
 */
#ifndef OUT_RUN_H
#define OUT_RUN_H

#include "scn.h"
#include "sim.h"

#include <glib.h>
#include <stdio.h>

typedef struct OutParam {
    const char *name;
    const char *value; /* as the scenario language writes it */
} OutParam;

typedef struct OutRunInfo {
    const char *out_dir;     /* NULL: no files (the summary can still be printed) */
    const char *scenario;    /* path, as given */
    uint64_t seed;
    const char *version;
    const OutParam *params;  /* every parameter in force, in table order */
    guint n_params;
    SimTime metrics_interval; /* metrics.interval (0: 100 ms) */
    SimTime end;             /* when the run will stop at the latest (progress; 0: unknown) */
    gboolean chrome_trace;   /* write trace.json */
    gboolean progress;       /* a progress line on a terminal (out_progress.h) */
} OutRunInfo;

typedef struct OutRunEnd {
    const char *status;  /* "ok", "expectation-failed", "violation" */
    const char *failure; /* what failed, or NULL */
    SimTime end;         /* simulated time reached */
    uint64_t events;     /* events processed */
    double wall_s;
    long peak_rss_kib;   /* the process's peak resident memory so far */
} OutRunEnd;

typedef struct OutRun OutRun;

/* Attaches the sink; opens trace.json when asked (creating out_dir).
 * NULL and err if the directory or the file cannot be written. */
OutRun *out_run_new(Sim *sim, const OutRunInfo *info, GError **err);
/* Closes the intervals and spans at end->end and writes the files (if
 * out_dir).  FALSE and err if a file could not be written. */
gboolean out_run_finish(OutRun *o, const OutRunEnd *end, GError **err);
/* The one-screen summary (after finish). */
void out_run_print(const OutRun *o, FILE *f);
void out_run_free(OutRun *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutRun, out_run_free)

/* Figures, as the summary reports them (for `check` and tests). */
uint64_t out_run_commits(const OutRun *o);
guint out_run_elections(const OutRun *o);
uint64_t out_run_operations(const OutRun *o);

/* Every parameter of p as (name, value) pairs in table order; free with
 * out_params_free. */
OutParam *out_params_from_scn(const ScnParams *p, guint *n);
void out_params_free(OutParam *v, guint n);

#endif
