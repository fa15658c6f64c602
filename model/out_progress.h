/* out_progress.h - one self-rewriting line of progress on a terminal.
 *
 * For long runs, fuzz campaigns and sweeps: how far the simulated time
 * got and how fast events go, or how many runs are done out of how many,
 * how many failed, and when the rest should be done.  It writes only to
 * a terminal (stderr, else stdout), at most about five times a second by
 * the wall clock, and nothing at all when neither is a terminal or the
 * caller is quiet: out_progress_new then returns NULL, and every call
 * below accepts NULL and does nothing.  The wall clock is read here, in
 * the front end, never by simulated code.
 */
#ifndef OUT_PROGRESS_H
#define OUT_PROGRESS_H

#include "sim_time.h"

#include <glib.h>
#include <stdint.h>

typedef struct OutProgress OutProgress;

/* NULL when quiet or when no terminal would show the line.  `label`
 * starts the line ("run", "sweep", "fuzz"). */
OutProgress *out_progress_new(const char *label, gboolean quiet);
/* Erases the line. */
void out_progress_free(OutProgress *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutProgress, out_progress_free)

/* One run: simulated time reached out of `end` (0: unknown) and events
 * processed so far. */
void out_progress_sim(OutProgress *p, SimTime now, SimTime end, uint64_t events);
/* Many runs: done out of total, failures so far, and an ETA from the
 * rate since out_progress_new.  Always drawn when done == total. */
void out_progress_runs(OutProgress *p, uint64_t done, uint64_t total, uint64_t failures);
/* Erases the line so that other output can be printed; the next update
 * draws it again. */
void out_progress_clear(OutProgress *p);

#endif
