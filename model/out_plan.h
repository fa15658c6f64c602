/* out_plan.h - a plan of runs: the command lines a sweep (and, later, a
 * fuzz campaign) consists of, written out for other machines or run here
 * by a pool of worker processes.
 *
 * A plan is a list of argument vectors.  Written out (out_plan_write) it
 * is a text file with one shell command line per run, words quoted for
 * /bin/sh, absolute paths throughout, so that any machine sharing the
 * file system can run any line in any order:
 *
 *     parallel -j 16 < plan.txt                          # GNU parallel
 *     sbatch --array=1-$(wc -l < plan.txt) tests/slurm/zksim-array.sbatch plan.txt
 *
 * Run here (out_plan_run), each command is a child process, at most
 * `jobs` at a time, started in plan order.  Every run writes its own
 * output directory, so what the runs produce never depends on how many
 * ran at once or in which order they finished.
 */
#ifndef OUT_PLAN_H
#define OUT_PLAN_H

#include "out_progress.h"

#include <glib.h>

#define OUT_PLAN_JOBS_MAX 256

typedef struct OutPlan OutPlan;

OutPlan *out_plan_new(void);
void out_plan_free(OutPlan *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutPlan, out_plan_free)

/* Appends a run: argv[0] is the program (an absolute path), NULL-terminated. */
void out_plan_add(OutPlan *p, const char *const *argv);
guint out_plan_len(const OutPlan *p);
const char *const *out_plan_argv(const OutPlan *p, guint i);
/* Run i as one /bin/sh command line (no newline). */
char *out_plan_line(const OutPlan *p, guint i);
/* One line per run. */
gboolean out_plan_write(const OutPlan *p, const char *path, GError **err);

/* Runs every command, at most jobs (1..OUT_PLAN_JOBS_MAX) at once, and
 * stores each exit status in status[i] (0..255, 128 + N when killed by
 * signal N, -1 when never started).  A run exiting with abort_status
 * (>= 0; -1 for none) stops the start of new runs: the plan is wrong,
 * not the system under test.  pg (may be NULL) shows done/total and the
 * runs that exited non-zero.  FALSE and err only when a process cannot
 * be started. */
gboolean out_plan_run(const OutPlan *p, int jobs, OutProgress *pg, int abort_status, int *status, GError **err);

/* The number of processors online, for a default --jobs. */
int out_plan_default_jobs(void);

#endif
