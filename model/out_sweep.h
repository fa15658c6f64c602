/* out_sweep.h - sweeps: a grid of parameter values times seeds, each an
 * independent `zksim run`, gathered into one table and its plots.
 *
 * A sweep lives in a directory:
 *
 *   sweep.json               its definition: the scenario (an absolute
 *                            path), the fixed --set overrides, the keys
 *                            varied with their values, the seeds, and the
 *                            points, for people
 *   runs/pNNN/seed-S/        one run's outputs (summary.json...)
 *   sweep.csv                one row per grid point
 *   plots/                   figures drawn from sweep.csv
 *
 * The grid is the cartesian product of the --vary lists in command-line
 * order, the first key varying slowest; point NNN is its index.  A key is
 * anything `zksim run --set` takes: a parameter or a `let` variable.
 * Values are split at commas outside parentheses, so distributions work:
 * --vary 'net.latency=const(1ms),uniform(1ms,3ms)'.
 *
 * sweep.csv: point, the varied keys' values, runs (seeds), failed (runs
 * whose status was not ok: they still count), then for each metric its
 * mean over the seeds and the half-width of its 95% confidence interval
 * (Student's t; empty with one seed), as NAME_mean, NAME_ci95.  Metrics,
 * from each run's summary.json:
 *   election_ms      mean duration of the run's elections
 *   elections        elections completed
 *   notifications    notifications sent per election
 *   commits, commits_per_s
 *   ops_per_s        client operations completed per second
 *   write_p50_ms, write_p99_ms, read_p50_ms, read_p99_ms
 *                    latency percentiles of writes and reads
 *   messages         messages sent on the network
 * A metric a run does not have (no election, no reads) is left out of
 * that point's mean; with no value at all its cells are empty.  The table
 * depends only on the summaries, so a local sweep with any --jobs and a
 * planned sweep merged later give the same bytes.
 */
#ifndef OUT_SWEEP_H
#define OUT_SWEEP_H

#include <glib.h>
#include <stdint.h>

#define OUT_SWEEP_POINTS_MAX 100000
#define OUT_SWEEP_RUNS_MAX 1000000

typedef struct OutSweepKey {
    char *key;
    GPtrArray *values; /* char * */
} OutSweepKey;

typedef struct OutSweep {
    char *scenario;  /* absolute path */
    GPtrArray *sets; /* char * KEY=VALUE, applied to every run */
    GPtrArray *vary; /* OutSweepKey *, in order */
    GArray *seeds;   /* uint64_t */
} OutSweep;

OutSweep *out_sweep_new(const char *scenario);
void out_sweep_free(OutSweep *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutSweep, out_sweep_free)

/* Adds `KEY=V1,V2,...`.  FALSE and err if malformed or KEY is repeated. */
gboolean out_sweep_add_vary(OutSweep *s, const char *spec, GError **err);
guint out_sweep_points(const OutSweep *s);
/* The value of vary key k at point i. */
const char *out_sweep_value(const OutSweep *s, guint point, guint k);
/* "p007" */
char *out_sweep_point_name(guint point);
/* DIR/runs/pNNN/seed-S */
char *out_sweep_run_dir(const char *dir, guint point, uint64_t seed);
/* The --set arguments of point i: the fixed sets then KEY=VALUE for each
 * varied key (a NULL-terminated vector). */
GStrv out_sweep_point_sets(const OutSweep *s, guint point);

/* DIR/sweep.json, written and read back. */
gboolean out_sweep_save(const OutSweep *s, const char *dir, GError **err);
OutSweep *out_sweep_load(const char *dir, GError **err);

/* Reads every run's summary.json and writes DIR/sweep.csv, then draws
 * the figures into DIR/plots/ when `plots`: for each varied key with two
 * values or more, write and read latency, throughput and election time
 * against it, one line per combination of the other keys (at most 8),
 * each figure only when some run has its data (write latency needs
 * clients).  *failed receives the number of runs whose status was not
 * ok.  Appends to report what was made and skipped.  FALSE and err when
 * a run's summary is missing or unreadable (the message names how many
 * and the first), or a figure cannot be drawn. */
gboolean out_sweep_merge(const OutSweep *s, const char *dir, gboolean plots, guint *failed, GString *report,
                         GError **err);

#endif
