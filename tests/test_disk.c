/* test_disk.c - fsync latency, group commit, concurrent mode, crash losing
 * unflushed writes, slow-disk fault. */
#include "sim_disk.h"
#include "test_util.h"

typedef struct {
    GArray *times;
    GArray *tags;
} Done;

static void done_fn(Sim *sim, void *ctx, void *data)
{
    Done *d = ctx;
    SimTime t = sim_now(sim);
    int tag = GPOINTER_TO_INT(data);
    g_array_append_val(d->times, t);
    g_array_append_val(d->tags, tag);
}

static void write_and_flush(Sim *sim, void *ctx, void *data)
{
    sim_disk_write(sim, 0, 100);
    sim_disk_flush(sim, 0, done_fn, ctx, data);
}

static Sim *disk_sim(gboolean concurrent, Done *d)
{
    Sim *sim = sim_new(3);
    SimDiskConfig dc = { .fsync = sim_dist_const(SIM_MS), .concurrent = concurrent };
    sim_disk_configure_default(sim, &dc);
    sim_node_add(sim, "s1", 0, NULL, NULL);
    d->times = g_array_new(FALSE, FALSE, sizeof(SimTime));
    d->tags = g_array_new(FALSE, FALSE, sizeof(int));
    return sim;
}

static void done_free(Done *d)
{
    g_array_free(d->times, TRUE);
    g_array_free(d->tags, TRUE);
}

#define T(d, i) g_array_index((d)->times, SimTime, (i))

static void test_group_commit(void)
{
    Done d;
    Sim *sim = disk_sim(FALSE, &d);
    /* t=0: a flush starts (1 ms).  t=0.2 and 0.5 ms: two more flushes
     * while it runs; both join the next fsync, which starts at 1 ms and
     * covers both writes: done at 2 ms.  Two fsyncs in all. */
    sim_at(sim, 0, 0, write_and_flush, &d, GINT_TO_POINTER(1));
    sim_at(sim, 200 * SIM_US, 0, write_and_flush, &d, GINT_TO_POINTER(2));
    sim_at(sim, 500 * SIM_US, 0, write_and_flush, &d, GINT_TO_POINTER(3));
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(d.times->len, 3);
    CU_ASSERT_EQUAL(T(&d, 0), 1 * SIM_MS);
    CU_ASSERT_EQUAL(T(&d, 1), 2 * SIM_MS);
    CU_ASSERT_EQUAL(T(&d, 2), 2 * SIM_MS);
    CU_ASSERT_EQUAL(g_array_index(d.tags, int, 1), 2);
    CU_ASSERT_EQUAL(sim_disk_fsyncs(sim, 0), 2);
    CU_ASSERT_EQUAL(sim_disk_durable(sim, 0), 3);
    done_free(&d);
    sim_free(sim);
}

static void test_concurrent_mode(void)
{
    Done d;
    Sim *sim = disk_sim(TRUE, &d);
    sim_at(sim, 0, 0, write_and_flush, &d, GINT_TO_POINTER(1));
    sim_at(sim, 200 * SIM_US, 0, write_and_flush, &d, GINT_TO_POINTER(2));
    sim_at(sim, 500 * SIM_US, 0, write_and_flush, &d, GINT_TO_POINTER(3));
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(d.times->len, 3);
    CU_ASSERT_EQUAL(T(&d, 0), 1000 * SIM_US);
    CU_ASSERT_EQUAL(T(&d, 1), 1200 * SIM_US);
    CU_ASSERT_EQUAL(T(&d, 2), 1500 * SIM_US);
    CU_ASSERT_EQUAL(sim_disk_fsyncs(sim, 0), 3);
    done_free(&d);
    sim_free(sim);
}

/* Concurrent mode: flushes that would complete in the same instant share
 * one fsync (one event), each still done exactly one latency after it
 * was asked for, in request order; with a sampled latency they complete
 * apart and each has its own. */
static void two_flushes(Sim *sim, void *ctx, void *data)
{
    int tag = GPOINTER_TO_INT(data);
    write_and_flush(sim, ctx, GINT_TO_POINTER(tag));
    write_and_flush(sim, ctx, GINT_TO_POINTER(tag + 1));
}

static void test_concurrent_same_instant(void)
{
    Done d;
    Sim *sim = disk_sim(TRUE, &d);
    sim_at(sim, 0, 0, two_flushes, &d, GINT_TO_POINTER(1));
    sim_at(sim, 0, 0, write_and_flush, &d, GINT_TO_POINTER(3));
    sim_at(sim, 100 * SIM_US, 0, write_and_flush, &d, GINT_TO_POINTER(4));
    CU_ASSERT_EQUAL(sim_run(sim, SIM_MS, UINT64_MAX), 3 + 1); /* 3 flushing events, 1 fsync */
    CU_ASSERT_EQUAL_FATAL(d.times->len, 3);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(T(&d, i), SIM_MS);
        CU_ASSERT_EQUAL(g_array_index(d.tags, int, i), i + 1);
    }
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(d.times->len, 4);
    CU_ASSERT_EQUAL(T(&d, 3), 1100 * SIM_US);
    CU_ASSERT_EQUAL(sim_disk_fsyncs(sim, 0), 2);
    CU_ASSERT_EQUAL(sim_disk_durable(sim, 0), 4);
    done_free(&d);
    sim_free(sim);

    sim = disk_sim(TRUE, &d);
    SimDiskConfig dc = { .fsync = { .kind = SIM_DIST_UNIFORM, .a = SIM_MS, .b = 2 * SIM_MS }, .concurrent = TRUE };
    sim_disk_configure(sim, 0, &dc);
    sim_at(sim, 0, 0, two_flushes, &d, GINT_TO_POINTER(1));
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL_FATAL(d.times->len, 2);
    CU_ASSERT_NOT_EQUAL(T(&d, 0), T(&d, 1));
    CU_ASSERT_EQUAL(sim_disk_fsyncs(sim, 0), 2);
    done_free(&d);
    sim_free(sim);
}

static void test_crash_loses_unflushed(void)
{
    Done d;
    Sim *sim = disk_sim(FALSE, &d);
    for (int i = 0; i < 3; i++)
        sim_disk_write(sim, 0, 10);
    sim_disk_flush(sim, 0, done_fn, &d, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(sim_disk_durable(sim, 0), 3);
    /* Two more writes and a flush that the crash interrupts. */
    sim_disk_write(sim, 0, 10);
    sim_disk_write(sim, 0, 10);
    sim_disk_flush(sim, 0, done_fn, &d, NULL);
    sim_run(sim, sim_now(sim) + 500 * SIM_US, UINT64_MAX);
    CU_ASSERT_EQUAL(sim_disk_written(sim, 0), 5);
    sim_node_crash(sim, 0);
    CU_ASSERT_EQUAL(sim_disk_durable(sim, 0), 3);
    CU_ASSERT_EQUAL(sim_disk_written(sim, 0), 3);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(d.times->len, 1); /* the interrupted flush never completes */
    sim_node_restart(sim, 0);
    CU_ASSERT_EQUAL(sim_disk_write(sim, 0, 10), 4);
    done_free(&d);
    sim_free(sim);
}

static void test_slow_disk(void)
{
    Done d;
    Sim *sim = disk_sim(FALSE, &d);
    sim_disk_set_slow(sim, 0, 10.0, 5 * SIM_MS);
    write_and_flush(sim, &d, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(T(&d, 0), 15 * SIM_MS);
    sim_disk_set_slow(sim, 0, 1.0, 0);
    SimTime t0 = sim_now(sim);
    write_and_flush(sim, &d, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(T(&d, 1), t0 + SIM_MS);
    done_free(&d);
    sim_free(sim);
}

static void test_write_bandwidth(void)
{
    Done d;
    Sim *sim = disk_sim(FALSE, &d);
    SimDiskConfig dc = { .fsync = sim_dist_const(SIM_MS), .bytes_per_sec = 100 * 1000 * 1000 };
    sim_disk_configure(sim, 0, &dc);
    /* 10 MB at 100 MB/s: 100 ms of streaming before the fsync's 1 ms. */
    sim_disk_write(sim, 0, 10 * 1000 * 1000);
    sim_disk_flush(sim, 0, done_fn, &d, NULL);
    sim_run(sim, SIM_TIME_NEVER, UINT64_MAX);
    CU_ASSERT_EQUAL(T(&d, 0), 101 * SIM_MS);
    done_free(&d);
    sim_free(sim);
}

void tests_disk_register(void)
{
    static const TestCase cases[] = {
        { "group commit", test_group_commit },
        { "concurrent mode", test_concurrent_mode },
        { "concurrent flushes in one instant share an fsync", test_concurrent_same_instant },
        { "crash loses unflushed", test_crash_loses_unflushed },
        { "slow disk", test_slow_disk },
        { "write bandwidth", test_write_bandwidth },
    };
    TEST_SUITE("disk", cases);
}
