/* test_zab.c - servers on the engine: Fast Leader Election, Zab's
 * discovery, sync (DIFF, SNAP, TRUNC) and broadcast, failure detection,
 * observers, and random fault schedules under the invariant checkers.
 * Each test narrates its scenario and asserts outcomes and virtual times. */
#include "test_util.h"
#include "zab_fixture.h"
#include "zk_bugs.h"

#include <stdio.h>
#include <string.h>

#define S(x) ((SimTime)((x) * (double)SIM_S))

static void assert_no_failure(Fx *f)
{
    const char *why = sim_failure(f->sim);
    if (why)
        fprintf(stderr, "\nsimulation failure: %s\n", why);
    CU_ASSERT_PTR_NULL(why);
}

/* ---- elections ---- */

static void test_one_by_one_start(void)
{
    /* The classic walkthrough: five servers started a second apart.
     * s1 and s2 alone are no quorum; s3 brings the third vote and, having
     * the largest id among equal zxids, is elected as soon as it starts
     * (plus the 200 ms finalize wait).  s4 and s5 find an established
     * leader through FOLLOWING/LEADING notifications and follow it. */
    Fx f;
    fx_init(&f, 5, 1, NULL);
    for (int sid = 1; sid <= 5; sid++)
        fx_start_at(&f, sid, (sid - 1) * SIM_S);
    fx_run_to(&f, S(2.0));
    CU_ASSERT_EQUAL(fx_leader(&f), 0);
    CU_ASSERT_EQUAL(fx_role(&f, 1), ZK_LOOKING);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_has_leader, NULL, S(3.0)));
    CU_ASSERT_EQUAL(fx_leader(&f), 3);
    const ZkElection *e = zk_ensemble_last_election(f.ens);
    CU_ASSERT_TRUE(e && e->end >= S(2.2) && e->end < S(2.3));
    fx_run_to(&f, S(10));
    CU_ASSERT_EQUAL(fx_leader(&f), 3);
    CU_ASSERT_EQUAL(fx_role(&f, 4), ZK_FOLLOWING);
    CU_ASSERT_EQUAL(fx_role(&f, 5), ZK_FOLLOWING);
    CU_ASSERT_EQUAL(zk_learner_leader_sid(fx_server(&f, 5)), 3);
    CU_ASSERT_TRUE(fx_converged(&f, NULL));
    CU_ASSERT_EQUAL(f.ens->elections->len, 1);
    assert_no_failure(&f);
    fx_free(&f);
}

static void test_together_then_leader_crash(void)
{
    /* Five started together: every vote ties on zxid, so s5 leads.  Kill
     * s5: the survivors have equal zxids, so s4 leads. */
    Fx f;
    fx_init(&f, 5, 2, NULL);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    CU_ASSERT_EQUAL(fx_leader(&f), 5);
    const ZkElection *e = zk_ensemble_last_election(f.ens);
    CU_ASSERT_TRUE(e && e->end - e->start < S(0.3));
    fx_writes_at(&f, 2, S(1), 10, 10 * SIM_MS);
    fx_run_to(&f, S(3));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f.ens->inv), 10);
    fx_crash_at(&f, 5, S(3));
    fx_run_to(&f, S(3));
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(8)));
    CU_ASSERT_EQUAL(fx_leader(&f), 4);
    e = zk_ensemble_last_election(f.ens);
    /* Followers see the reset one latency after the crash and elect
     * within the finalize wait and a few round trips. */
    CU_ASSERT_TRUE(e->end - S(3) < S(0.3));
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

static void test_highest_zxid_wins(void)
{
    /* s3 and s4 are cut off from the leader s5 for a moment while writes
     * commit on s1, s2 and s5; then s5 dies.  The survivors with the
     * highest zxid are s1 and s2, and the larger id of those, s2, leads. */
    Fx f;
    fx_init(&f, 5, 3, NULL);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    fx_run_to(&f, S(1));
    const int lagging[] = { 3, 4, 0 }, leader[] = { 5, 0 };
    fx_partition(&f, lagging, leader);
    fx_writes_at(&f, 1, S(1.1), 5, 10 * SIM_MS);
    fx_crash_at(&f, 5, S(1.5));
    fx_run_to(&f, S(1.5));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f.ens->inv), 5);
    fx_heal(&f);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(30)));
    CU_ASSERT_EQUAL(fx_leader(&f), 2);
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* ---- synchronisation ---- */

static void small_window(ZkConfig *cfg)
{
    cfg->commit_log_count = 50;
}

static void test_sync_diff_and_snap(void)
{
    /* s1 misses 10 writes: DIFF.  Then it misses 200 with a committed-log
     * window of 50 and a txn log larger than a third of the snapshot:
     * SNAP.  Either way it ends identical to the leader.  (A server still
     * at zxid 0 always gets SNAP: the leader's log cannot show it starts
     * right after 0, ZKDatabase.getProposalsFromTxnLog.) */
    Fx f;
    fx_init(&f, 5, 4, small_window);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    fx_writes_at(&f, 2, S(0.5), 5, 5 * SIM_MS);
    fx_crash_at(&f, 1, S(1));
    fx_writes_at(&f, 2, S(1.1), 10, 5 * SIM_MS);
    fx_restart_at(&f, 1, S(2));
    fx_run_to(&f, S(2));
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(10)));
    CU_ASSERT_EQUAL(zk_ensemble_last_sync(f.ens, 1), ZK_SYNC_DIFF);
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    fx_crash_at(&f, 1, S(11));
    fx_writes_at(&f, 2, S(11.1), 200, 2 * SIM_MS);
    fx_restart_at(&f, 1, S(13));
    fx_run_to(&f, S(13));
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(20)));
    CU_ASSERT_EQUAL(zk_ensemble_last_sync(f.ens, 1), ZK_SYNC_SNAP);
    fx_run_to(&f, S(21));
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    if (why->len)
        fprintf(stderr, "%s\n", why->str);
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* For test_sync_acks_after_uptodate: s1's ACKs sent in the same instant
 * as its UPTODATE, i.e. for proposals it received during sync. */
typedef struct {
    int node;
    SimTime ack_time;
    int acks_at_time;
    int acked_at_uptodate;
    int uptodates;
} SyncAcks;

static void count_sync_acks(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    SyncAcks *a = user;
    if (ev->node != a->node)
        return;
    if (strcmp(ev->type, "ACK") == 0) {
        if (ev->time != a->ack_time)
            a->acks_at_time = 0;
        a->ack_time = ev->time;
        a->acks_at_time++;
    } else if (strcmp(ev->type, "UPTODATE") == 0) {
        a->uptodates++;
        if (ev->time == a->ack_time)
            a->acked_at_uptodate += a->acks_at_time;
    }
}

static void test_sync_acks_after_uptodate(void)
{
    /* s1 restarts while the leader takes a write every millisecond, so
     * proposals reach it during its sync, before NEWLEADER.  It must log
     * them at NEWLEADER but ack them only after its UPTODATE ack, when its
     * currentEpoch is the leader's (PR #2111): an ack sent earlier lets the
     * leader commit with a server whose election vote still carries the
     * old epoch and loses to a shorter log (found by the fuzzer: a
     * committed txn lost).  The invariant checker fails the run on such an
     * ack; here the path is also shown to be taken. */
    Fx f;
    fx_init(&f, 5, 11, NULL);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    /* A follower goes down, then the leader: the other three elect a new
     * leader in a new epoch, which the follower has never seen. */
    int old_leader = fx_leader(&f);
    int sid = old_leader == 1 ? 2 : 1;
    SimTime t = sim_now(f.sim);
    fx_crash_at(&f, sid, t + S(0.5));
    fx_crash_at(&f, old_leader, t + S(0.6));
    fx_run_to(&f, t + S(0.7));
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, t + S(10)));
    int leader = fx_leader(&f);
    CU_ASSERT_NOT_EQUAL(leader, old_leader);
    int64_t epoch = fx_server(&f, leader)->disk.current_epoch;
    CU_ASSERT(fx_server(&f, sid)->disk.current_epoch < epoch);
    SyncAcks a = { .node = fx_server(&f, sid)->node, .ack_time = -1 };
    sim_trace_add_callback(f.sim, count_sync_acks, &a);
    /* Writes every millisecond at the new leader; the follower comes back
     * in the middle of them. */
    t = sim_now(f.sim);
    fx_writes_at(&f, leader, t + S(0.1), 600, SIM_MS);
    fx_restart_at(&f, sid, t + S(0.3));
    fx_run_to(&f, t + S(0.3));
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, t + S(10)));
    fx_run_to(&f, t + S(11));
    CU_ASSERT_EQUAL(fx_server(&f, sid)->disk.current_epoch, epoch);
    CU_ASSERT_EQUAL(a.uptodates, 1);
    CU_ASSERT(a.acked_at_uptodate > 0);
    CU_ASSERT_EQUAL(zk_inv_violations(f.ens->inv), 0);
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    if (why->len)
        fprintf(stderr, "%s\n", why->str);
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* Three servers, three writes committed; at 2 s the leader s3 is cut
 * off from s1 and s2 and accepts a write that it logs but can never
 * commit (zxid 0x100000004). */
static void orphan_write_at_cut_leader(Fx *f)
{
    fx_init(f, 3, 5, NULL);
    fx_start_all(f, 0);
    CU_ASSERT_TRUE(fx_run_until(f, fx_converged, NULL, S(5)));
    fx_writes_at(f, 1, S(1), 3, 10 * SIM_MS);
    fx_run_to(f, S(2));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f->ens->inv), 3);
    const int a[] = { 3, 0 }, b[] = { 1, 2, 0 };
    fx_partition(f, a, b);
    CU_ASSERT_TRUE(fx_write(f, 3)); /* logged at s3 only */
}

static void test_sync_trunc_old_leader(void)
{
    /* The cut-off leader s3 crashes with its orphan write.  s1 and s2 time
     * out, elect s2 in epoch 2.  s3 restarts holding 0x1000000xx beyond
     * anything committed: the new leader sends TRUNC and the write
     * disappears. */
    Fx f;
    orphan_write_at_cut_leader(&f);
    fx_crash_at(&f, 3, S(2.1));
    fx_run_to(&f, S(2.1));
    uint64_t orphan = zk_server_last_logged(fx_server(&f, 3));
    CU_ASSERT_EQUAL(orphan, ((uint64_t)1 << 32) | 4);
    fx_heal(&f);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_has_leader, NULL, S(30)));
    CU_ASSERT_EQUAL(fx_leader(&f), 2);
    CU_ASSERT_EQUAL(zk_leader_epoch(fx_server(&f, 2)), 2);
    fx_restart_at(&f, 3, sim_now(f.sim) + SIM_S);
    fx_run_to(&f, sim_now(f.sim) + SIM_S);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, sim_now(f.sim) + S(10)));
    CU_ASSERT_EQUAL(zk_ensemble_last_sync(f.ens, 3), ZK_SYNC_TRUNC);
    CU_ASSERT_TRUE(zk_server_last_logged(fx_server(&f, 3)) < orphan);
    CU_ASSERT_PTR_NULL(zk_tree_get_node(fx_server(&f, 3)->tree, "/w3"));
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* ---- failure detection ---- */

static gboolean is_looking(Fx *f, void *arg)
{
    return fx_role(f, GPOINTER_TO_INT(arg)) == ZK_LOOKING;
}

static gboolean is_down(Fx *f, void *arg)
{
    return !sim_node_is_up(f->sim, fx_server(f, GPOINTER_TO_INT(arg))->node);
}

static void test_trunc_below_snapshot_exits(void)
{
    /* The cut-off leader s3 stays up with its orphan write: it gives up,
     * goes LOOKING (fast-forwarding the orphan into its tree) and takes a
     * snapshot there.  The new leader's TRUNC then asks for less than that
     * snapshot holds: the learner cannot truncate and its process exits,
     * as ZooKeeper's does, instead of voting on forever; the other two
     * carry on. */
    Fx f;
    orphan_write_at_cut_leader(&f);
    CU_ASSERT_TRUE(fx_run_until(&f, is_looking, GINT_TO_POINTER(3), S(30)));
    ZkServer *s3 = fx_server(&f, 3);
    uint64_t orphan = ((uint64_t)1 << 32) | 4;
    CU_ASSERT_EQUAL(zk_server_last_zxid(s3), orphan); /* fast-forwarded */
    zk_server_snapshot(s3);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_has_leader, NULL, S(40)));
    CU_ASSERT_EQUAL(fx_leader(&f), 2);
    fx_heal(&f);
    CU_ASSERT_TRUE(fx_run_until(&f, is_down, GINT_TO_POINTER(3), sim_now(f.sim) + S(30)));
    CU_ASSERT_EQUAL(zk_ensemble_last_sync(f.ens, 3), ZK_SYNC_TRUNC);
    fx_run_to(&f, sim_now(f.sim) + S(30));
    CU_ASSERT_FALSE(sim_node_is_up(f.sim, s3->node)); /* stays down */
    CU_ASSERT_EQUAL(fx_leader(&f), 2);
    CU_ASSERT_EQUAL(fx_role(&f, 1), ZK_FOLLOWING);
    assert_no_failure(&f);
    fx_free(&f);
}

static void test_leader_isolated_with_one_follower(void)
{
    /* Partition {s4, s5} | {s1, s2, s3}: the leader s5 keeps s4 but loses
     * its quorum; it steps down within syncLimit (+1) ticks.  The majority
     * times out after syncLimit ticks of silence and elects s3, which goes
     * on committing; the minority never elects.  After the heal everyone
     * converges with every committed write. */
    Fx f;
    fx_init(&f, 5, 6, NULL);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    fx_writes_at(&f, 1, S(1), 5, 10 * SIM_MS);
    fx_run_to(&f, S(2));
    const int minority[] = { 4, 5, 0 }, majority[] = { 1, 2, 3, 0 };
    fx_partition(&f, minority, majority);
    SimTime cut = sim_now(f.sim);
    CU_ASSERT_TRUE(fx_run_until(&f, is_looking, GINT_TO_POINTER(5), cut + S(20)));
    SimTime down = sim_now(f.sim) - cut;
    CU_ASSERT_TRUE(down >= 5 * 2 * SIM_S && down <= 6 * 2 * SIM_S + SIM_S);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_has_leader, NULL, cut + S(20)));
    CU_ASSERT_EQUAL(fx_leader(&f), 3);
    SimTime t = sim_now(f.sim);
    fx_writes_at(&f, 1, t + S(1), 5, 10 * SIM_MS);
    fx_run_to(&f, t + S(30));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f.ens->inv), 10);
    CU_ASSERT_EQUAL(fx_role(&f, 4), ZK_LOOKING);
    CU_ASSERT_EQUAL(fx_role(&f, 5), ZK_LOOKING);
    CU_ASSERT_EQUAL(fx_leader(&f), 3);
    fx_heal(&f);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, sim_now(f.sim) + S(70)));
    fx_run_to(&f, sim_now(f.sim) + S(1));
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

static void test_minority_never_elects(void)
{
    Fx f;
    fx_init(&f, 5, 7, NULL);
    fx_start_at(&f, 1, 0);
    fx_start_at(&f, 2, 0);
    fx_run_to(&f, S(120));
    CU_ASSERT_EQUAL(fx_leader(&f), 0);
    CU_ASSERT_EQUAL(fx_role(&f, 1), ZK_LOOKING);
    CU_ASSERT_EQUAL(fx_role(&f, 2), ZK_LOOKING);
    /* Back-off: the poll interval doubled up to its 60 s cap. */
    CU_ASSERT_EQUAL(fx_server(&f, 2)->fle.not_timeout, 60 * SIM_S);
    assert_no_failure(&f);
    fx_free(&f);
}

static void pause_fn(Sim *sim, void *ctx, void *data)
{
    (void)ctx;
    sim_node_pause(sim, GPOINTER_TO_INT(data));
}

static void resume_fn(Sim *sim, void *ctx, void *data)
{
    (void)ctx;
    sim_node_resume(sim, GPOINTER_TO_INT(data));
}

static void test_leader_gc_pause(void)
{
    /* s5 leads and stalls for 30 s.  Its followers hear nothing for
     * syncLimit ticks, elect s4, and carry on.  When s5 wakes, its tick
     * finds no synced quorum: it steps down and follows s4. */
    Fx f;
    fx_init(&f, 5, 8, NULL);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    sim_at(f.sim, S(1), SIM_NO_NODE, pause_fn, NULL, GINT_TO_POINTER(4));
    sim_at(f.sim, S(31), SIM_NO_NODE, resume_fn, NULL, GINT_TO_POINTER(4));
    fx_run_to(&f, S(20));
    CU_ASSERT_EQUAL(fx_leader(&f), 4);
    fx_writes_at(&f, 1, S(20), 5, 10 * SIM_MS);
    fx_run_to(&f, S(31));
    CU_ASSERT_EQUAL(fx_role(&f, 5), ZK_LEADING); /* asleep, it still believes */
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(45)));
    CU_ASSERT_EQUAL(fx_leader(&f), 4);
    CU_ASSERT_EQUAL(fx_role(&f, 5), ZK_FOLLOWING);
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* ---- observers ---- */

static void two_observers(ZkConfig *cfg)
{
    cfg->observer[4] = TRUE;
    cfg->observer[5] = TRUE;
}

static void test_observers(void)
{
    /* Three voters and two observers: s3 leads (observers never win nor
     * count), observers learn every committed write through INFORM.  With
     * two voters down, the third and the observers are no quorum. */
    Fx f;
    fx_init(&f, 5, 9, two_observers);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    CU_ASSERT_EQUAL(fx_leader(&f), 3);
    CU_ASSERT_EQUAL(fx_role(&f, 4), ZK_OBSERVING);
    CU_ASSERT_EQUAL(fx_role(&f, 5), ZK_OBSERVING);
    fx_writes_at(&f, 5, S(1), 10, 10 * SIM_MS); /* observers forward writes too */
    fx_run_to(&f, S(2));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f.ens->inv), 10);
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    fx_crash_at(&f, 3, S(3));
    fx_crash_at(&f, 2, S(3));
    fx_run_to(&f, S(60));
    CU_ASSERT_EQUAL(fx_leader(&f), 0);
    CU_ASSERT_EQUAL(fx_role(&f, 1), ZK_LOOKING);
    assert_no_failure(&f);
    fx_free(&f);
}

/* ---- random schedules ---- */

static void test_random_fault_schedules(void)
{
    /* 200 seeds: crashes, restarts and partitions under a write load for
     * 30 s, then heal and restart everything; no invariant may break, and
     * in the end every live server holds every committed write. */
    int converged = 0;
    uint64_t commits = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        Fx f;
        fx_init(&f, 5, seed, NULL);
        SimRng *r = sim_rng(f.sim, "test/faults");
        fx_start_all(&f, 0);
        for (int i = 0; i < 60; i++) {
            SimTime t = S(0.5) * (i + 1);
            fx_run_to(&f, t);
            int sid = 1 + (int)sim_rng_below(r, 5);
            double x = sim_rng_double(r);
            if (x < 0.05)
                zk_ensemble_crash(f.ens, sid);
            else if (x < 0.15)
                zk_ensemble_restart(f.ens, sid);
            else if (x < 0.18) {
                const int a[] = { sid, 0 };
                int rest[6], k = 0;
                for (int o = 1; o <= 5; o++)
                    if (o != sid)
                        rest[k++] = o;
                rest[k] = 0;
                fx_partition(&f, a, rest);
            } else if (x < 0.25) {
                fx_heal(&f);
            } else {
                fx_write(&f, sid);
            }
            if (sim_failure(f.sim))
                break;
        }
        fx_heal(&f);
        for (int sid = 1; sid <= 5; sid++)
            zk_ensemble_restart(f.ens, sid);
        gboolean ok = fx_run_until(&f, fx_converged, NULL, S(200));
        fx_run_to(&f, sim_now(f.sim) + S(1));
        if (sim_failure(f.sim))
            fprintf(stderr, "\nseed %" G_GUINT64_FORMAT ": %s\n", seed, sim_failure(f.sim));
        CU_ASSERT_PTR_NULL(sim_failure(f.sim));
        if (!ok)
            fprintf(stderr, "\nseed %" G_GUINT64_FORMAT ": no convergence\n", seed);
        CU_ASSERT_TRUE(ok);
        if (ok) {
            converged++;
            GString *why = g_string_new(NULL);
            gboolean same = fx_check_replicas(&f, why);
            if (!same)
                fprintf(stderr, "\nseed %" G_GUINT64_FORMAT ": %s\n", seed, why->str);
            CU_ASSERT_TRUE(same);
            g_string_free(why, TRUE);
        }
        commits += zk_inv_committed_count(f.ens->inv);
        fx_free(&f);
    }
    CU_ASSERT_EQUAL(converged, 200);
    CU_ASSERT_TRUE(commits > 1000);
}

/* ---- the vote order ---- */

static void test_total_order_predicate(void)
{
    ZkConfig cfg;
    zk_config_defaults(&cfg, 5);
    /* epoch, then zxid, then id */
    CU_ASSERT_TRUE(zk_fle_total_order(&cfg, 1, 0, 2, 5, 100, 1));
    CU_ASSERT_TRUE(zk_fle_total_order(&cfg, 1, 101, 1, 5, 100, 1));
    CU_ASSERT_TRUE(zk_fle_total_order(&cfg, 5, 100, 1, 4, 100, 1));
    CU_ASSERT_FALSE(zk_fle_total_order(&cfg, 4, 100, 1, 5, 100, 1));
    /* FLEPredicateTest (ZOOKEEPER-1419): (4, 0, 0) never beats (3, 0, 2). */
    CU_ASSERT_FALSE(zk_fle_total_order(&cfg, 4, 0, 0, 3, 0, 2));
    CU_ASSERT_TRUE(zk_fle_total_order(&cfg, 3, 0, 2, 4, 0, 0));
    /* An observer (weight 0) never wins. */
    cfg.observer[5] = TRUE;
    CU_ASSERT_FALSE(zk_fle_total_order(&cfg, 5, 1000, 9, 1, 0, 0));
    /* Vote.equals: non-LOOKING votes compare leader and epoch only. */
    ZkVote a = { .leader = 3, .zxid = 7, .eepoch = 2, .peer_epoch = 1, .state = ZK_FOLLOWING, .version = 2 };
    ZkVote b = { .leader = 3, .zxid = 9, .eepoch = 5, .peer_epoch = 1, .state = ZK_LEADING, .version = 2 };
    CU_ASSERT_TRUE(zk_vote_equal(&a, &b));
    b.peer_epoch = 2;
    CU_ASSERT_FALSE(zk_vote_equal(&a, &b));
    b.version = 0; /* one side version 0: leader id alone */
    CU_ASSERT_TRUE(zk_vote_equal(&a, &b));
    a.state = ZK_LOOKING;
    CU_ASSERT_FALSE(zk_vote_equal(&a, &b));
}

static void test_hierarchical_quorum(void)
{
    ZkConfig cfg;
    zk_config_defaults(&cfg, 6);
    cfg.quorum = ZK_QUORUM_HIERARCHICAL;
    for (int sid = 1; sid <= 6; sid++)
        cfg.group[sid] = sid <= 3 ? 1 : (sid <= 5 ? 2 : 3);
    ZkSidSet set = { { 0 } };
    zk_sidset_add(&set, 1);
    zk_sidset_add(&set, 2);
    CU_ASSERT_FALSE(zk_quorum_contains(&cfg, &set)); /* one group of three */
    zk_sidset_add(&set, 6);
    CU_ASSERT_TRUE(zk_quorum_contains(&cfg, &set)); /* groups 1 and 3 */
    cfg.weight[6] = 0;
    CU_ASSERT_FALSE(zk_quorum_contains(&cfg, &set)); /* group 3 weighs nothing */
    GError *err = NULL;
    for (int sid = 1; sid <= 6; sid++)
        cfg.weight[sid] = 0;
    CU_ASSERT_FALSE(zk_config_check(&cfg, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void small_snap_count(ZkConfig *cfg)
{
    cfg->snap_count = 200;
}

/* Memory follows the lag, not the run: after 3,000 writes the agreement
 * check holds only the txns some running server has not applied yet, and
 * each log only what a sync can still serve after its last snapshot
 * (snapshots every 100 to 200 txns here). */
static void test_memory_bounded(void)
{
    Fx f;
    fx_init(&f, 3, 3, small_snap_count);
    fx_start_all(&f, 0);
    CU_ASSERT_TRUE(fx_run_until(&f, fx_converged, NULL, S(5)));
    fx_writes_at(&f, 1, S(1), 3000, SIM_MS);
    fx_run_to(&f, S(6));
    CU_ASSERT_EQUAL(zk_inv_committed_count(f.ens->inv), 3000);
    CU_ASSERT_TRUE(zk_inv_window(f.ens->inv) < 200);
    for (int sid = 1; sid <= 3; sid++) {
        /* Kept: the last 500 applied, those within snapshotSizeFactor x
         * the snapshot's size (here about 1,000: the tree grows by a node
         * a write), and what followed the snapshot; the first ones are
         * gone. */
        const ZkLog *log = &fx_server(&f, sid)->disk.log;
        CU_ASSERT_TRUE(log->len >= 500 && log->len < 2000);
        CU_ASSERT_TRUE(g_array_index(log, ZkLogEntry, 0).zxid > (((uint64_t)1 << 32) | 1000));
    }
    GString *why = g_string_new(NULL);
    CU_ASSERT_TRUE(fx_check_replicas(&f, why));
    g_string_free(why, TRUE);
    assert_no_failure(&f);
    fx_free(&f);
}

/* The indexed majority check (a popcount over the voters' bitmap) agrees
 * with the pass over every server, observers excluded, on every subset of
 * a seven-server ensemble with two observers. */
static void test_majority_indexed(void)
{
    ZkConfig slow;
    zk_config_defaults(&slow, 7);
    slow.observer[6] = slow.observer[7] = TRUE;
    ZkConfig fast = slow;
    zk_config_index(&fast);
    CU_ASSERT_TRUE(fast.voters_indexed);
    CU_ASSERT_EQUAL(fast.n_voters, 5);
    for (unsigned m = 0; m < (1u << 7); m++) {
        ZkSidSet set = { { 0 } };
        for (int sid = 1; sid <= 7; sid++)
            if (m & (1u << (sid - 1)))
                zk_sidset_add(&set, sid);
        CU_ASSERT_EQUAL(zk_quorum_contains(&fast, &set), zk_quorum_contains(&slow, &set));
    }
}

void tests_zab_register(void)
{
    static const TestCase cases[] = {
        { "vote order (totalOrderPredicate)", test_total_order_predicate },
        { "hierarchical quorum", test_hierarchical_quorum },
        { "five one by one: s3 leads", test_one_by_one_start },
        { "together: s5, then s4", test_together_then_leader_crash },
        { "highest zxid wins", test_highest_zxid_wins },
        { "sync DIFF and SNAP", test_sync_diff_and_snap },
        { "proposals met in sync are acked after UPTODATE", test_sync_acks_after_uptodate },
        { "sync TRUNC of an old leader", test_sync_trunc_old_leader },
        { "TRUNC below the snapshot: the learner exits", test_trunc_below_snapshot_exits },
        { "indexed majority check", test_majority_indexed },
        { "memory bounded by lag, not run length", test_memory_bounded },
        { "leader isolated with one follower", test_leader_isolated_with_one_follower },
        { "minority never elects", test_minority_never_elects },
        { "leader GC pause", test_leader_gc_pause },
        { "observers", test_observers },
        { "200 random fault schedules", test_random_fault_schedules },
    };
    TEST_SUITE("zab", cases);
}
