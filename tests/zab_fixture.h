/* zab_fixture.h - a deterministic ensemble for protocol tests: build it,
 * schedule actions at exact virtual times, run until a condition holds or
 * a deadline passes, and inspect every server. */
#ifndef ZAB_FIXTURE_H
#define ZAB_FIXTURE_H

#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "zk_ensemble.h"

typedef struct Fx {
    Sim *sim;
    ZkEnsemble *ens;
    uint64_t writes; /* writes submitted */
    int next_path;
} Fx;

/* n servers, one-way latency 500 us, fsync 1 ms; tweak may edit the
 * configuration before the ensemble is built. */
void fx_init(Fx *f, int n, uint64_t seed, void (*tweak)(ZkConfig *cfg));
void fx_free(Fx *f);

/* Starts server sid at absolute time t. */
void fx_start_at(Fx *f, int sid, SimTime t);
void fx_start_all(Fx *f, SimTime t);
void fx_crash_at(Fx *f, int sid, SimTime t);
void fx_restart_at(Fx *f, int sid, SimTime t);
/* Runs until time t (absolute). */
void fx_run_to(Fx *f, SimTime t);
/* Runs until pred holds (checked after every event) or time t; TRUE if
 * it held. */
gboolean fx_run_until(Fx *f, gboolean (*pred)(Fx *f, void *arg), void *arg, SimTime t);

/* Submits one create of a fresh path (/wN) at server sid now; FALSE if
 * that server does not serve. */
gboolean fx_write(Fx *f, int sid);
/* Submits `count` writes at sid, one every `every` from time t on. */
void fx_writes_at(Fx *f, int sid, SimTime t, int count, SimTime every);

ZkServer *fx_server(Fx *f, int sid);
ZkRole fx_role(Fx *f, int sid);
int fx_leader(Fx *f);
/* TRUE if a leader is established and every up server follows it,
 * serving (or is it). */
gboolean fx_converged(Fx *f, void *arg);
gboolean fx_has_leader(Fx *f, void *arg);
/* Every up server's tree equals the leader's and holds every committed
 * zxid; FALSE with a message otherwise. */
gboolean fx_check_replicas(Fx *f, GString *why);

/* Partition helpers: side lists of sids end with 0. */
void fx_partition(Fx *f, const int *a, const int *b);
void fx_heal(Fx *f);

#endif
