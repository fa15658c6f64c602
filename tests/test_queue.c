/* test_queue.c - the event queue against its contract.
 *
 * Small cases pin each promise of sim_queue.h one at a time (tie order,
 * stale ids, reschedule keeping seq, requeue taking a new one, visit,
 * slab reuse).  The random case then drives 200k mixed operations from a
 * fixed seed and compares every step with a reference that is too simple
 * to be wrong: an unsorted array searched linearly for the (time, seq)
 * minimum.
 */
#include "sim_queue.h"
#include "test_util.h"

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>

/* Own PRNG so this suite depends on nothing but the queue. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *state, uint64_t bound)
{
    return splitmix64(state) % bound; /* bias is irrelevant for a test */
}

/* A stateless mix, for decisions that the visit callback and the
 * reference must both reach from the id alone. */
static uint64_t mix64(uint64_t x)
{
    uint64_t s = x;
    return splitmix64(&s);
}

static SimEvent ev_at(SimTime t, uintptr_t tag)
{
    SimEvent ev = { .time = t, .data = (void *)tag, .owner = -1 };
    return ev;
}

static uintptr_t tag_of(const SimEvent *ev)
{
    return (uintptr_t)ev->data;
}

/* Records a failed condition with CUnit and leaves the test through
 * `done`, so a broken loop reports once instead of 200k times and still
 * frees what it built. */
#define REQUIRE(cond)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            CU_assertImplementation(CU_FALSE, __LINE__, #cond, __FILE__, "", CU_FALSE); \
            goto done;                                                                  \
        }                                                                               \
    } while (0)

static void test_empty(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEvent out;
    CU_ASSERT_EQUAL(sim_queue_len(q), 0);
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 1);
    CU_ASSERT_PTR_NULL(sim_queue_peek(q));
    CU_ASSERT_FALSE(sim_queue_pop(q, &out));
    CU_ASSERT_FALSE(sim_queue_cancel(q, SIM_EVENT_NONE));
    CU_ASSERT_PTR_NULL(sim_queue_get(q, SIM_EVENT_NONE));
    CU_ASSERT_FALSE(sim_queue_is_pending(q, SIM_EVENT_NONE));
    CU_ASSERT_FALSE(sim_queue_reschedule(q, SIM_EVENT_NONE, 5));
    CU_ASSERT_FALSE(sim_queue_requeue(q, SIM_EVENT_NONE, 5));
    CU_ASSERT_EQUAL(sim_queue_peek_id(q), SIM_EVENT_NONE);
}

/* Events at one time run in the order they were pushed, whatever their
 * neighbours at other times. */
static void test_ties_pop_in_push_order(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    /* 300 events over 3 instants, pushed round-robin, latest instant
     * first, so heap order alone would scramble them. */
    for (uintptr_t k = 0; k < 300; k++) {
        SimEvent ev = ev_at(30 - 10 * (SimTime)(k % 3), k);
        sim_queue_push(q, &ev);
    }
    SimEvent out;
    SimTime last_time = 0;
    uintptr_t last_tag = 0;
    for (int n = 0; n < 300; n++) {
        CU_ASSERT_TRUE_FATAL(sim_queue_pop(q, &out));
        if (n % 100 != 0) {
            CU_ASSERT_EQUAL(out.time, last_time);
            CU_ASSERT_EQUAL(out.seq, tag_of(&out) + 1); /* seq counts from 1 */
            CU_ASSERT(tag_of(&out) == last_tag + 3);
        } else {
            CU_ASSERT_EQUAL(out.time, 10 + 10 * (SimTime)(n / 100));
        }
        last_time = out.time;
        last_tag = tag_of(&out);
    }
    CU_ASSERT_FALSE(sim_queue_pop(q, &out));
}

/* Pop hands back every field of the pushed event, with the seq the queue
 * assigned (the caller's seq is ignored); peek and get see the same. */
static void drop_nothing(void *data)
{
    (void)data;
}

static void test_fields_roundtrip(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    int ctx, data;
    SimEvent ev = {
        .time = 42, .seq = 999, .ctx = &ctx, .data = &data, .drop = drop_nothing,
        .local_deadline = 77, .owner = 3, .flags = 0x5a,
    };
    SimEventId id = sim_queue_push(q, &ev);
    CU_ASSERT_NOT_EQUAL(id, SIM_EVENT_NONE);
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 2);
    const SimEvent *top = sim_queue_peek(q);
    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    CU_ASSERT_PTR_EQUAL(top, sim_queue_get(q, id));
    CU_ASSERT_EQUAL(sim_queue_peek_id(q), id);
    CU_ASSERT_EQUAL(top->seq, 1);
    SimEvent out;
    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(out.time, 42);
    CU_ASSERT_EQUAL(out.seq, 1);
    CU_ASSERT_PTR_EQUAL(out.ctx, &ctx);
    CU_ASSERT_PTR_EQUAL(out.data, &data);
    CU_ASSERT(out.drop == drop_nothing);
    CU_ASSERT_EQUAL(out.local_deadline, 77);
    CU_ASSERT_EQUAL(out.owner, 3);
    CU_ASSERT_EQUAL(out.flags, 0x5a);
    CU_ASSERT_PTR_NULL(sim_queue_get(q, id));
}

/* Cancel reports whether it removed something: an event that ran, or one
 * already cancelled, or an id never issued, is a no-op returning FALSE. */
static void test_cancel_stale_returns_false(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEvent ev = ev_at(10, 1), out;
    SimEventId ran = sim_queue_push(q, &ev);
    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_FALSE(sim_queue_cancel(q, ran));
    CU_ASSERT_FALSE(sim_queue_reschedule(q, ran, 20));

    SimEventId a = sim_queue_push(q, &ev);
    SimEventId b = sim_queue_push(q, &ev);
    CU_ASSERT_NOT_EQUAL(a, ran); /* same slot, new generation */
    CU_ASSERT_TRUE(sim_queue_is_pending(q, a));
    CU_ASSERT_TRUE(sim_queue_cancel(q, a));
    CU_ASSERT_FALSE(sim_queue_is_pending(q, a));
    CU_ASSERT_PTR_NULL(sim_queue_get(q, a));
    CU_ASSERT_FALSE(sim_queue_cancel(q, a));
    CU_ASSERT_EQUAL(sim_queue_len(q), 1);

    /* Made-up ids: slot past the slab, generation 0, a free slot. */
    CU_ASSERT_FALSE(sim_queue_cancel(q, ((uint64_t)1 << 32) | 100000));
    CU_ASSERT_FALSE(sim_queue_cancel(q, b & UINT32_MAX));
    CU_ASSERT_FALSE(sim_queue_cancel(q, ((uint64_t)1 << 32) | 7));
    CU_ASSERT_EQUAL(sim_queue_len(q), 1);

    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(out.seq, 3); /* b: a's cancellation left nothing behind */
    CU_ASSERT_FALSE(sim_queue_pop(q, &out));
}

/* Reschedule moves an event in time but keeps its seq, so among equal
 * times it keeps the place it got when first pushed. */
static void test_reschedule_keeps_seq(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEvent ev_a = ev_at(10, 'a'), ev_b = ev_at(20, 'b'), out;
    SimEventId a = sim_queue_push(q, &ev_a); /* seq 1 */
    SimEventId b = sim_queue_push(q, &ev_b); /* seq 2 */

    /* b moves up to a's time: it still runs after a, pushed earlier. */
    CU_ASSERT_TRUE(sim_queue_reschedule(q, b, 10));
    CU_ASSERT_EQUAL(tag_of(sim_queue_peek(q)), 'a');
    /* a moves later: b is now alone at the front. */
    CU_ASSERT_TRUE(sim_queue_reschedule(q, a, 30));
    CU_ASSERT_EQUAL(tag_of(sim_queue_peek(q)), 'b');
    /* b joins a at 30: seq puts a first again. */
    CU_ASSERT_TRUE(sim_queue_reschedule(q, b, 30));
    CU_ASSERT_EQUAL(tag_of(sim_queue_peek(q)), 'a');
    CU_ASSERT_EQUAL(sim_queue_get(q, b)->time, 30);
    CU_ASSERT_EQUAL(sim_queue_get(q, b)->seq, 2);
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 3); /* no new seq drawn */

    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(tag_of(&out), 'a');
    CU_ASSERT_EQUAL(out.time, 30);
    CU_ASSERT_EQUAL(out.seq, 1);
    CU_ASSERT_FALSE(sim_queue_reschedule(q, a, 5));
    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(tag_of(&out), 'b');
    CU_ASSERT_EQUAL(out.seq, 2);
}

/* Requeue is "pushed again": a fresh seq puts the event after everything
 * already queued at the new time, and its id survives the move. */
static void test_requeue_takes_fresh_seq(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEvent ev_a = ev_at(10, 'a'), ev_b = ev_at(10, 'b'), ev_c = ev_at(20, 'c'), out;
    SimEventId a = sim_queue_push(q, &ev_a); /* seq 1 */
    SimEventId b = sim_queue_push(q, &ev_b); /* seq 2 */
    SimEventId c = sim_queue_push(q, &ev_c); /* seq 3 */

    /* a requeued at its own time now follows b. */
    CU_ASSERT_TRUE(sim_queue_requeue(q, a, 10));
    CU_ASSERT_EQUAL(sim_queue_peek_id(q), b);
    CU_ASSERT_EQUAL(sim_queue_get(q, a)->seq, 4);
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 5);
    /* b requeued at 20 follows c, which was pushed before the requeue. */
    CU_ASSERT_TRUE(sim_queue_requeue(q, b, 20));
    CU_ASSERT_TRUE(sim_queue_is_pending(q, b));

    const char want[] = { 'a', 'c', 'b' };
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_TRUE_FATAL(sim_queue_pop(q, &out));
        CU_ASSERT_EQUAL(tag_of(&out), (uintptr_t)want[k]);
    }
    CU_ASSERT_FALSE(sim_queue_requeue(q, a, 30));
    CU_ASSERT_FALSE(sim_queue_requeue(q, c, 30));
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 6);
}

/* Pushing an event read through peek or get is legal even when that push
 * grows the slab the pointer points into (ASan would catch a stale read). */
static void test_push_copy_of_own_event(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEvent ev = ev_at(5, 0), out;
    while (sim_queue_capacity(q) == 0 || sim_queue_len(q) < sim_queue_capacity(q)) {
        ev.data = (void *)(uintptr_t)(sim_queue_len(q) + 1);
        sim_queue_push(q, &ev);
    }
    size_t cap = sim_queue_capacity(q);
    sim_queue_push(q, sim_queue_peek(q)); /* grows the slab */
    CU_ASSERT(sim_queue_capacity(q) > cap);
    CU_ASSERT_EQUAL(sim_queue_len(q), cap + 1);
    /* The copy has tag 1 like the original, and the last seq. */
    while (sim_queue_len(q) > 1)
        sim_queue_pop(q, &out);
    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(tag_of(&out), 1);
    CU_ASSERT_EQUAL(out.seq, cap + 1);
}

static int cmp_id(const void *a, const void *b)
{
    SimEventId x = *(const SimEventId *)a, y = *(const SimEventId *)b;
    return (x > y) - (x < y);
}

/* Ids are never 0 and never come back, even when one slot is reused a
 * hundred thousand times and when many slots cycle at once. */
static void test_ids_never_repeat(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(SimEventId));
    uint64_t rng = 7;
    SimEvent ev = ev_at(0, 0), out;
    for (int n = 0; n < 100000; n++) {
        /* Mostly one pending event (one slot, reused); sometimes a burst
         * of 40, so several slots share the workload. */
        int burst = n % 1000 == 0 ? 40 : 1;
        for (int k = 0; k < burst; k++) {
            ev.time = (SimTime)below(&rng, 8);
            SimEventId id = sim_queue_push(q, &ev);
            g_array_append_val(ids, id);
        }
        /* Drain by pops and by cancels of recent ids, some stale. */
        while (sim_queue_len(q) > 0) {
            if (below(&rng, 2)) {
                sim_queue_pop(q, &out);
                continue;
            }
            guint back = (guint)below(&rng, MIN(ids->len, 40u));
            sim_queue_cancel(q, g_array_index(ids, SimEventId, ids->len - 1 - back));
        }
    }
    CU_ASSERT(sim_queue_capacity(q) <= 64);

    /* Refill the slots: none of the old ids may name the new events. */
    for (int k = 0; k < 40; k++)
        sim_queue_push(q, &ev);
    guint n_stale = 0;
    for (guint i = 0; i < ids->len; i++)
        n_stale += !sim_queue_is_pending(q, g_array_index(ids, SimEventId, i));
    CU_ASSERT_EQUAL(n_stale, ids->len);

    /* Sorted, so zero would come first and repeats would be neighbours. */
    g_array_sort(ids, cmp_id);
    CU_ASSERT_NOT_EQUAL(g_array_index(ids, SimEventId, 0), SIM_EVENT_NONE);
    guint n_repeats = 0;
    for (guint i = 1; i < ids->len; i++)
        n_repeats += g_array_index(ids, SimEventId, i) == g_array_index(ids, SimEventId, i - 1);
    CU_ASSERT_EQUAL(n_repeats, 0);
}

/* Steady push+cancel with a bounded backlog must recycle slots: the slab
 * stays at the high-water mark, not the number of events ever pushed. */
static void test_capacity_steady(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEventId pending[100];
    uint64_t rng = 11;
    SimEvent ev = ev_at(0, 0);
    for (int i = 0; i < 100; i++) {
        ev.time = (SimTime)below(&rng, 1000);
        pending[i] = sim_queue_push(q, &ev);
    }
    for (int n = 0; n < 1000000; n++) {
        /* Cancel a random pending event and push a replacement. */
        uint64_t k = below(&rng, 100);
        REQUIRE(sim_queue_cancel(q, pending[k]));
        ev.time = (SimTime)below(&rng, 1000);
        pending[k] = sim_queue_push(q, &ev);
    }
    CU_ASSERT_EQUAL(sim_queue_len(q), 100);
    CU_ASSERT(sim_queue_capacity(q) <= 128);
    CU_ASSERT_EQUAL(sim_queue_next_seq(q), 1000000 + 100 + 1);
done:;
}

/* A timeout re-armed by cancel and push, always with the same long delay,
 * rides a lane; the cancelled entries must not pile up there for the
 * whole delay (here: forever, the clock never reaches them). */
static void test_lane_cancel_churn(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    /* Two events that stay: the first push of a delay goes to the heap,
     * the second claims a lane and stays at its head, so the cancelled
     * entries queued behind it are never skipped on their own. */
    SimEvent ev = ev_at(1000000, 0), out;
    sim_queue_push(q, &ev);
    sim_queue_push(q, &ev);
    SimEventId id = sim_queue_push(q, &ev);
    size_t most = 0;
    for (int n = 0; n < 200000; n++) {
        ev.data = (void *)(uintptr_t)(n + 1);
        SimEventId next = sim_queue_push(q, &ev);
        CU_ASSERT_TRUE(sim_queue_cancel(q, id));
        id = next;
        most = MAX(most, sim_queue_entries(q));
    }
    CU_ASSERT_EQUAL(sim_queue_len(q), 3);
    CU_ASSERT(most <= 64);
    for (int k = 0; k < 2; k++) {
        CU_ASSERT_TRUE(sim_queue_pop(q, &out));
        CU_ASSERT_EQUAL(tag_of(&out), 0);
    }
    CU_ASSERT_TRUE(sim_queue_pop(q, &out));
    CU_ASSERT_EQUAL(tag_of(&out), 200000);
    CU_ASSERT_FALSE(sim_queue_pop(q, &out));
}

/* Visit callback for test_visit: node 1 crashed (its events go), node 2's
 * clock jumped back 100 (its events fire earlier), node 3 is untouched. */
static gboolean visit_crash_and_shift(SimEvent *ev, SimEventId id, void *user)
{
    int *calls = user;
    (*calls)++;
    CU_ASSERT_NOT_EQUAL(id, SIM_EVENT_NONE);
    if (ev->owner == 1)
        return TRUE;
    if (ev->owner == 2)
        ev->time -= 100;
    return FALSE;
}

static void test_visit(void)
{
    g_autoptr(SimQueue) q = sim_queue_new();
    SimEventId ids[60];
    /* Owner k % 3 + 1, times 1000 + 10*k: interleaved owners. */
    for (int k = 0; k < 60; k++) {
        SimEvent ev = ev_at(1000 + 10 * (SimTime)k, (uintptr_t)k);
        ev.owner = k % 3 + 1;
        ids[k] = sim_queue_push(q, &ev);
    }
    int calls = 0;
    sim_queue_visit(q, visit_crash_and_shift, &calls);
    CU_ASSERT_EQUAL(calls, 60);
    CU_ASSERT_EQUAL(sim_queue_len(q), 40);
    for (int k = 0; k < 60; k++)
        CU_ASSERT_EQUAL(sim_queue_is_pending(q, ids[k]), k % 3 != 0);
    CU_ASSERT_EQUAL(sim_queue_get(q, ids[1])->time, 1010 - 100);

    /* Expected order: owner 2 at 910 + 10k and owner 3 at 1000 + 10k,
     * merged by time; at equal times the lower seq (= k) first. */
    SimEvent out;
    SimTime last_time = INT64_MIN;
    uint64_t last_seq = 0;
    int n = 0;
    while (sim_queue_pop(q, &out)) {
        int k = (int)tag_of(&out);
        SimTime want = 1000 + 10 * (SimTime)k - (out.owner == 2 ? 100 : 0);
        CU_ASSERT_EQUAL(out.time, want);
        CU_ASSERT_NOT_EQUAL(out.owner, 1);
        CU_ASSERT(out.time > last_time || (out.time == last_time && out.seq > last_seq));
        last_time = out.time;
        last_seq = out.seq;
        n++;
    }
    CU_ASSERT_EQUAL(n, 40);

    /* The 20 cancelled slots went back to the free list. */
    size_t cap = sim_queue_capacity(q);
    SimEvent ev = ev_at(0, 0);
    for (int k = 0; k < 60; k++)
        sim_queue_push(q, &ev);
    CU_ASSERT_EQUAL(sim_queue_capacity(q), cap);

    calls = 0;
    g_autoptr(SimQueue) empty = sim_queue_new();
    sim_queue_visit(empty, visit_crash_and_shift, &calls);
    CU_ASSERT_EQUAL(calls, 0);
}

/* ---- random operations against a reference ---------------------------- */

typedef struct {
    SimTime time;
    uint64_t seq;
    SimEventId id;
    uintptr_t tag;
} RefEvent;

/* Index of the (time, seq) minimum in the reference; it must not be
 * empty. */
static guint ref_min(const GArray *ref)
{
    guint best = 0;
    for (guint i = 1; i < ref->len; i++) {
        const RefEvent *a = &g_array_index(ref, RefEvent, i);
        const RefEvent *b = &g_array_index(ref, RefEvent, best);
        if (a->time < b->time || (a->time == b->time && a->seq < b->seq))
            best = i;
    }
    return best;
}

/* The visit rule, a pure function of (salt, id) so the reference can
 * apply it too: cancel about 1/4, move about 1/4 to a new time. */
typedef enum { VISIT_KEEP, VISIT_CANCEL, VISIT_MOVE } VisitAction;

static VisitAction visit_action(uint64_t salt, SimEventId id, SimTime *t)
{
    uint64_t h = mix64(salt ^ id);
    *t = (SimTime)(h >> 40) % 4096;
    switch (h & 3) {
    case 0: return VISIT_CANCEL;
    case 1: return VISIT_MOVE;
    default: return VISIT_KEEP;
    }
}

static gboolean visit_random(SimEvent *ev, SimEventId id, void *user)
{
    const uint64_t *salt = user;
    SimTime t;
    switch (visit_action(*salt, id, &t)) {
    case VISIT_CANCEL: return TRUE;
    case VISIT_MOVE: ev->time = t; return FALSE;
    case VISIT_KEEP: return FALSE;
    }
    return FALSE;
}

/* In lane mode most pushes use one of a few fixed delays, as a disk's
 * fsync or a timer's period would: long runs of them take the queue's
 * FIFO lanes (more delays than lanes, so lanes are also reclaimed). */
static gboolean lane_mode;

/* A time with many duplicates: mostly near `now`, sometimes the far
 * extremes of the SimTime range so comparisons meet them too. */
static SimTime random_time(uint64_t *rng, SimTime now)
{
    static const SimTime fixed[] = { 0, 1, 7, 30, 100, 250, 1000, 4000, 9000, 20000 };
    uint64_t r = below(rng, 100);
    if (r == 0)
        return SIM_TIME_NEVER;
    if (r == 1)
        return INT64_MIN + (SimTime)below(rng, 3);
    if (lane_mode && r < 85)
        return now + fixed[below(rng, r < 60 ? 3 : G_N_ELEMENTS(fixed))];
    return now + (SimTime)below(rng, 16);
}

typedef enum { OP_PUSH, OP_POP, OP_CANCEL, OP_CANCEL_STALE, OP_RESCHEDULE, OP_REQUEUE, OP_VISIT } RandomOp;

/* Draws the next operation, steering the backlog toward `target`. */
static RandomOp random_op(uint64_t *rng, size_t len, size_t target)
{
    uint64_t push_pct = len < target ? 70 : len > target ? 20 : 45;
    if (below(rng, 100) < push_pct)
        return OP_PUSH;
    uint64_t r = below(rng, 1000);
    if (r < 500)
        return OP_POP;
    if (r < 700)
        return OP_CANCEL;
    if (r < 830)
        return OP_CANCEL_STALE;
    if (r < 920)
        return OP_RESCHEDULE;
    if (r < 998)
        return OP_REQUEUE;
    return OP_VISIT; /* rare: it is O(n) */
}

static void random_vs_reference(uint64_t seed)
{
    const int n_ops = 200000;
    uint64_t rng = seed;
    SimQueue *q = sim_queue_new();
    GArray *ref = g_array_new(FALSE, FALSE, sizeof(RefEvent));
    GArray *dead = g_array_new(FALSE, FALSE, sizeof(SimEventId));
    uintptr_t next_tag = 1;
    uint64_t next_seq = 1; /* what the queue must assign next */
    SimTime now = 0;
    size_t target = 0;
    int step = 0;
    SimEvent out;

    for (step = 0; step < n_ops; step++) {
        /* Every 5k steps pick a new backlog size, so the queue grows,
         * shrinks and idles around empty as well as around hundreds. */
        if (step % 5000 == 0) {
            static const size_t targets[] = { 0, 1, 5, 50, 300, 1000 };
            target = targets[below(&rng, G_N_ELEMENTS(targets))];
        }
        switch (random_op(&rng, ref->len, target)) {
        case OP_PUSH: {
            SimEvent ev = ev_at(random_time(&rng, now), next_tag);
            REQUIRE(sim_queue_next_seq(q) == next_seq);
            SimEventId id = sim_queue_push(q, &ev);
            REQUIRE(id != SIM_EVENT_NONE);
            RefEvent r = { ev.time, next_seq++, id, next_tag++ };
            g_array_append_val(ref, r);
            break;
        }
        case OP_POP: {
            /* Must return the reference minimum, fields intact. */
            if (ref->len == 0) {
                REQUIRE(!sim_queue_pop(q, &out));
                REQUIRE(sim_queue_peek(q) == NULL);
                REQUIRE(sim_queue_peek_id(q) == SIM_EVENT_NONE);
                break;
            }
            guint m = ref_min(ref);
            RefEvent want = g_array_index(ref, RefEvent, m);
            REQUIRE(sim_queue_peek(q)->seq == want.seq);
            REQUIRE(sim_queue_peek_id(q) == want.id);
            REQUIRE(sim_queue_pop(q, &out));
            REQUIRE(out.time == want.time);
            REQUIRE(out.seq == want.seq);
            REQUIRE(tag_of(&out) == want.tag);
            REQUIRE(!sim_queue_is_pending(q, want.id));
            g_array_remove_index_fast(ref, m);
            g_array_append_val(dead, want.id);
            if (want.time > now && want.time != SIM_TIME_NEVER)
                now = want.time;
            break;
        }
        case OP_CANCEL: {
            if (ref->len == 0)
                break;
            guint k = (guint)below(&rng, ref->len);
            RefEvent r = g_array_index(ref, RefEvent, k);
            REQUIRE(sim_queue_get(q, r.id) != NULL);
            REQUIRE(sim_queue_get(q, r.id)->seq == r.seq);
            REQUIRE(sim_queue_cancel(q, r.id));
            REQUIRE(!sim_queue_cancel(q, r.id));
            g_array_remove_index_fast(ref, k);
            g_array_append_val(dead, r.id);
            break;
        }
        case OP_CANCEL_STALE: {
            /* An id that ran or was cancelled, maybe long ago, maybe on a
             * slot that is pending again under a newer id. */
            if (dead->len == 0)
                break;
            SimEventId id = g_array_index(dead, SimEventId, below(&rng, dead->len));
            REQUIRE(!sim_queue_is_pending(q, id));
            REQUIRE(sim_queue_get(q, id) == NULL);
            REQUIRE(!sim_queue_cancel(q, id));
            REQUIRE(!sim_queue_reschedule(q, id, now));
            REQUIRE(!sim_queue_requeue(q, id, now));
            break;
        }
        case OP_RESCHEDULE: {
            if (ref->len == 0)
                break;
            RefEvent *r = &g_array_index(ref, RefEvent, below(&rng, ref->len));
            r->time = random_time(&rng, now);
            REQUIRE(sim_queue_reschedule(q, r->id, r->time));
            REQUIRE(sim_queue_get(q, r->id)->time == r->time);
            break;
        }
        case OP_REQUEUE: {
            if (ref->len == 0)
                break;
            RefEvent *r = &g_array_index(ref, RefEvent, below(&rng, ref->len));
            r->time = random_time(&rng, now);
            r->seq = next_seq++;
            REQUIRE(sim_queue_requeue(q, r->id, r->time));
            REQUIRE(sim_queue_get(q, r->id)->seq == r->seq);
            break;
        }
        case OP_VISIT: {
            uint64_t salt = splitmix64(&rng);
            sim_queue_visit(q, visit_random, &salt);
            for (guint i = 0; i < ref->len;) {
                RefEvent *r = &g_array_index(ref, RefEvent, i);
                SimTime t;
                VisitAction a = visit_action(salt, r->id, &t);
                if (a == VISIT_CANCEL) {
                    g_array_append_val(dead, r->id);
                    g_array_remove_index_fast(ref, i);
                    continue;
                }
                if (a == VISIT_MOVE)
                    r->time = t;
                i++;
            }
            break;
        }
        }
        REQUIRE(sim_queue_len(q) == ref->len);
        REQUIRE(sim_queue_next_seq(q) == next_seq);
    }
    /* Drain: the rest must come out in reference order too. */
    while (ref->len > 0) {
        guint m = ref_min(ref);
        REQUIRE(sim_queue_pop(q, &out));
        REQUIRE(out.seq == g_array_index(ref, RefEvent, m).seq);
        g_array_remove_index_fast(ref, m);
    }
    REQUIRE(sim_queue_len(q) == 0);
done:
    if (step < n_ops || ref->len > 0)
        fprintf(stderr, "\nqueue random: seed=%#llx step=%d pending=%u\n", (unsigned long long)seed, step,
                ref->len);
    g_array_free(dead, TRUE);
    g_array_free(ref, TRUE);
    sim_queue_free(q);
}

static void test_random_vs_reference(void)
{
    lane_mode = FALSE;
    random_vs_reference(0x5eed0001);
}

/* The same with recurring delays, which ride the lanes; a reschedule,
 * requeue or cancel then meets events in lanes, and visits empty them. */
static void test_random_lanes_vs_reference(void)
{
    lane_mode = TRUE;
    random_vs_reference(0x5eed0002);
    lane_mode = FALSE;
}

void tests_queue_register(void)
{
    static const TestCase cases[] = {
        { "empty queue", test_empty },
        { "ties pop in push order", test_ties_pop_in_push_order },
        { "pop returns every field", test_fields_roundtrip },
        { "cancel of a stale id returns FALSE", test_cancel_stale_returns_false },
        { "reschedule keeps seq", test_reschedule_keeps_seq },
        { "requeue takes a fresh seq", test_requeue_takes_fresh_seq },
        { "push of a peeked event while growing", test_push_copy_of_own_event },
        { "ids nonzero and never repeat", test_ids_never_repeat },
        { "capacity steady under push+cancel", test_capacity_steady },
        { "cancelled lane entries do not pile up", test_lane_cancel_churn },
        { "visit cancels and retimes", test_visit },
        { "200k random ops vs reference", test_random_vs_reference },
        { "200k random ops with recurring delays vs reference", test_random_lanes_vs_reference },
    };
    TEST_SUITE("queue", cases);
}
