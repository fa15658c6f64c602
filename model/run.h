/* run.h - runs one scenario: builds the simulated world a ScnScript
 * describes, executes its timed script (faults, client operations,
 * waits, expectations), watches the invariants, and writes the run's
 * outputs.  The command line (cli_main.c), `check`, `fuzz` and the
 * tests all go through run_scenario.
 */
#ifndef RUN_H
#define RUN_H

#include "scn.h"
#include "sim.h"

#include <glib.h>
#include <stdio.h>

#define ZKSIM_VERSION "0.1.0"

typedef enum {
    RUN_TRACE_ALL,   /* timeline.txt and timeline.jsonl */
    RUN_TRACE_TEXT,  /* timeline.txt only */
    RUN_TRACE_JSONL, /* timeline.jsonl only */
    RUN_TRACE_NONE,  /* no timeline files */
} RunTraceMode;

typedef struct RunOptions {
    const char *scenario;     /* path of the .zks file */
    const char *const *sets;  /* --set KEY=VALUE, NULL-terminated, may be NULL */
    gboolean has_seed;        /* --seed given (else the scenario's `seed`) */
    uint64_t seed;
    const char *out_dir;      /* NULL: results/<scenario>/seed-<N>/ */
    gboolean no_files;        /* write nothing (check, fuzz, tests) */
    gboolean has_until;       /* --until */
    SimTime until;
    RunTraceMode trace;
    gboolean quiet;           /* nothing on stdout but errors */
    uint32_t bugs;            /* planted bugs (zk_bugs.h bit mask) */
    gboolean hash;            /* compute the rolling hash of every event */
    FILE *out;                /* where the header and summary go (stdout) */
} RunOptions;

typedef enum {
    RUN_OK = 0,
    RUN_EXPECT_FAILED = 1, /* an expectation or a wait failed */
    RUN_VIOLATION = 2,     /* an invariant broke */
} RunStatus;

typedef struct RunReport {
    RunStatus status;
    char *message;   /* what failed, with the scenario line; NULL if OK */
    uint64_t seed;
    uint64_t hash;   /* rolling hash of every traced event (if asked) */
    uint64_t events; /* events processed */
    SimTime end;     /* simulated time reached */
    double wall_s;
    uint64_t commits;
    guint elections;
    char *out_dir;   /* where files went, or NULL */
} RunReport;

void run_options_init(RunOptions *o);
/* Loads and runs the scenario.  FALSE (err set) for an operating error: a
 * bad scenario or option, an unwritable output directory.  Otherwise TRUE
 * and *rep says how the run went. */
gboolean run_scenario(const RunOptions *o, RunReport *rep, GError **err);
/* Runs an already loaded script. */
gboolean run_script(const ScnScript *scn, const RunOptions *o, RunReport *rep, GError **err);
void run_report_clear(RunReport *rep);

#endif
