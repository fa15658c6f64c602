/* fuzz.h - random fault schedules over a base scenario, with shrinking.
 *
 * For each seed the fuzzer draws, swarm style, which fault kinds are
 * enabled and how often they strike, then a schedule of plain scenario
 * actions (`at 3.2s crash s2`, `at 4s partition s1 | s2 s3 s4 s5`...).
 * The base scenario plus the schedule plus a liveness phase (heal
 * everything, restart everything, then require a leader within a bound,
 * and run on a little: `settle`) is an ordinary scenario text, run with
 * every invariant and the client history (hist.h) checked.  A
 * failing seed is written out as that text, so it no longer depends on
 * the fuzzer, and shrunk by delta debugging (ddmin over the fault lines)
 * to the smallest schedule that still fails the same way.
 *
 * The base scenario's own script must use absolute times only (`at`, no
 * `wait`/`after`), as the schedule is merged by time after it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include "run.h"

/* The fault kinds, each one kind of scenario line:
 *   crash         crash sN                 restart    restart sN
 *   partition     partition A | B, later heal (servers split in two)
 *   pause         pause sN for D (a stop-the-world GC pause)
 *   loss          link sA sB loss=P, later loss=0 (connection breaks)
 *   slowdisk      slowdisk sN factor=F extra=E for D
 *   oneway        partition oneway A -> B, later heal (one direction lost)
 *   packet        drop|break|delay TYPE * -> sN | sN -> * once|times=K|for D:
 *                 one packet type of Zab or FLE lost, or its connection
 *                 broken, or delayed (the ZOOKEEPER-2355 family)
 *   client-crash  crash cK, later restart cK (a new session; the old one
 *                 expires with its ephemerals)
 *   client-cut    partition cK | s1..sN, later heal (the session expires
 *                 when the cut outlasts its timeout)
 *   outage        crash a majority of the servers at one instant, restart
 *                 them together later (a power cut: whatever a quorum
 *                 acknowledged must have been on its disks)
 * The client kinds need clients in the base scenario. */
#define FUZZ_FAULT_LIST(X)                                                                         \
    X(CRASH, "crash")                                                                              \
    X(RESTART, "restart")                                                                          \
    X(PARTITION, "partition")                                                                      \
    X(PAUSE, "pause")                                                                              \
    X(LOSS, "loss")                                                                                \
    X(SLOWDISK, "slowdisk")                                                                        \
    X(ONEWAY, "oneway")                                                                            \
    X(PACKET, "packet")                                                                            \
    X(CLIENT_CRASH, "client-crash")                                                                \
    X(CLIENT_CUT, "client-cut")                                                                    \
    X(OUTAGE, "outage")

typedef enum {
#define FUZZ_X(id, name) FUZZ_##id,
    FUZZ_FAULT_LIST(FUZZ_X)
#undef FUZZ_X
        FUZZ_FAULT_COUNT
} FuzzFault;

typedef struct FuzzOptions {
    const char *scenario;
    const char *const *sets;
    uint64_t seed_from, seed_to; /* inclusive */
    uint32_t faults;             /* FuzzFault mask allowed (all by default) */
    int jobs;
    uint32_t bugs;
    const char *out_dir;         /* reproducers go here (default results/fuzz/<scenario>) */
    SimTime horizon;             /* length of the fault phase (default 30 s) */
    SimTime liveness;            /* bound of the liveness phase (default 120 s) */
    SimTime settle;              /* the run goes on this long once a leader is back (10 s) */
    gboolean shrink;
    gboolean quiet;
    gboolean stop_at_first;      /* stop at the first failing seed (fuzz-power) */
} FuzzOptions;

typedef struct FuzzReport {
    uint64_t seeds_run;
    uint64_t failures;
    uint64_t first_failing_seed; /* 0 if none */
    guint shrunk_lines_first;    /* fault lines left in the first reproducer */
    guint original_lines_first;
    double wall_s;
    double cpu_s;     /* CPU time, workers included */
    double sim_s;     /* simulated seconds, all seeds */
    uint64_t events;  /* events run, all seeds */
} FuzzReport;

void fuzz_options_init(FuzzOptions *o);
const char *fuzz_fault_name(FuzzFault f);
int fuzz_fault_parse(const char *name);
/* Runs the campaign; FALSE with err for an operating error. */
gboolean fuzz_run(const FuzzOptions *o, FuzzReport *rep, GError **err);

/* The scenario text the fuzzer runs for one seed (exposed for tests). */
gboolean fuzz_seed_text(const ScnScript *base, const FuzzOptions *o, uint64_t seed, GString *text,
                        GPtrArray *fault_lines, GError **err);

#endif
