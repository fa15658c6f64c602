/* sim_core.c - the world: run loop, nodes, faults, clocks, CPU, streams.
 *
 * Pausing without losing cancellability.  A paused node must run nothing,
 * yet the model keeps the ids of its timers and may cancel them right
 * after it resumes.  So an event of a paused node is never popped: when it
 * reaches the head of the queue it is *parked* - moved, id intact, to a
 * time far beyond any real instant (PARK_BASE + a counter, so parked
 * events keep the order in which they came due) - and its id is appended
 * to the node's deferred list.  At resume each still-pending parked event
 * is requeued at the resume time with a fresh sequence number, in the
 * order it came due.  Anything at or after PARK_BASE is never run.
 */
#include "sim_internal.h"
#include "sim_pool.h"

#include <stdarg.h>
#include <string.h>

#define PARK_BASE (INT64_MAX / 2)

static void node_free(gpointer p)
{
    SimNode *n = p;
    g_free(n->name);
    g_array_free(n->deferred, TRUE);
    if (n->disk)
        sim_disk_free(n->disk);
    g_free(n);
}

Sim *sim_new(uint64_t seed)
{
    Sim *sim = g_new0(Sim, 1);
    sim->seed = seed;
    sim->queue = sim_queue_new();
    sim->nodes = g_ptr_array_new_with_free_func(node_free);
    sim->node_state = g_byte_array_new();
    sim->node_hooks = g_array_new(FALSE, FALSE, sizeof(SimNodeHooks));
    sim->node_clocks = g_array_new(FALSE, FALSE, sizeof(SimClock));
    sim->rng_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    sim->node_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sim->park_next = PARK_BASE;
    sim->trace = sim_trace_new();
    sim->disk_default = (SimDiskConfig){ .fsync = sim_dist_const(0) };
    sim->net = sim_net_new(sim);
    return sim;
}

static gboolean drop_all(SimEvent *ev, SimEventId id, void *user)
{
    (void)id;
    (void)user;
    if (ev->drop)
        ev->drop(ev->data);
    return TRUE;
}

void sim_free(Sim *sim)
{
    if (!sim)
        return;
    /* Events that never ran free what they own; the network frees
     * payloads still in flight through payload_free. */
    sim_queue_visit(sim->queue, drop_all, NULL);
    sim_net_free(sim->net);
    sim_trace_free(sim->trace);
    g_ptr_array_free(sim->nodes, TRUE);
    g_byte_array_free(sim->node_state, TRUE);
    g_array_free(sim->node_hooks, TRUE);
    g_array_free(sim->node_clocks, TRUE);
    g_hash_table_destroy(sim->rng_by_name);
    g_hash_table_destroy(sim->node_by_name);
    sim_queue_free(sim->queue);
    g_free(sim->failure);
    g_free(sim);
}

uint64_t sim_seed(const Sim *sim)
{
    return sim->seed;
}

/* ---- events ---- */

SimEventId sim_at_owned(Sim *sim, SimTime t, int node, SimEventFn fn, void *ctx, void *data, SimDropFn drop)
{
    g_assert(t >= sim->hot.now);
    g_assert(t < PARK_BASE);
    g_assert(node == SIM_NO_NODE || sim_node_state(sim, node) != SIM_NODE_DOWN);
    SimEvent ev = {
        .time = t,
        .fn = (void (*)(void *, void *, void *))fn,
        .ctx = ctx,
        .data = data,
        .drop = drop,
        .owner = node,
    };
    return sim_queue_push(sim->queue, &ev);
}

SimEventId sim_at(Sim *sim, SimTime t, int node, SimEventFn fn, void *ctx, void *data)
{
    return sim_at_owned(sim, t, node, fn, ctx, data, NULL);
}

SimEventId sim_after(Sim *sim, SimTime delay, int node, SimEventFn fn, void *ctx, void *data)
{
    g_assert(delay >= 0);
    return sim_at_owned(sim, sim->hot.now + delay, node, fn, ctx, data, NULL);
}

SimEventId sim_after_owned(Sim *sim, SimTime delay, int node, SimEventFn fn, void *ctx, void *data, SimDropFn drop)
{
    g_assert(delay >= 0);
    return sim_at_owned(sim, sim->hot.now + delay, node, fn, ctx, data, drop);
}

gboolean sim_cancel(Sim *sim, SimEventId id)
{
    if (id == SIM_EVENT_NONE)
        return FALSE;
    SimEvent *ev = sim_queue_get(sim->queue, id);
    if (!ev)
        return FALSE;
    if (ev->drop)
        ev->drop(ev->data);
    return sim_queue_cancel(sim->queue, id);
}

void sim_cancel_clear(Sim *sim, SimEventId *id)
{
    sim_cancel(sim, *id);
    *id = SIM_EVENT_NONE;
}

gboolean sim_pending(const Sim *sim, SimEventId id)
{
    return id != SIM_EVENT_NONE && sim_queue_is_pending(sim->queue, id);
}

gboolean sim_set_data(Sim *sim, SimEventId id, void *data)
{
    SimEvent *ev = id == SIM_EVENT_NONE ? NULL : sim_queue_get(sim->queue, id);
    if (!ev)
        return FALSE;
    g_assert(!ev->drop);
    ev->data = data;
    return TRUE;
}

static void park(Sim *sim, SimNode *n, SimEventId id)
{
    gboolean ok = sim_queue_reschedule(sim->queue, id, sim->park_next++);
    g_assert(ok);
    g_array_append_val(n->deferred, id);
}

/* Look-ahead: while an event runs, the caches fetch what the next one
 * in the queue will read first (its node's hot lines, a delivery's
 * connection): with a thousand clients, a client's struct and its
 * connection are out of the caches by the time its next packet comes.
 * The next event is usually still next when this one is done; when not,
 * the prefetch was wasted, nothing else.  W1 N=3 C=1000: about 6% less
 * wall time (make bench). */
static void prefetch_event(Sim *sim, const SimEvent *next)
{
    if (!next)
        return;
    if (next->owner != SIM_NO_NODE) {
        const SimNodeHooks *h = sim_node_hooks(sim, next->owner);
        if (h->ops)
            sim_prefetch_range(h->ctx, h->ops->hot_bytes);
    }
    sim_net_prefetch_event(sim->net, next);
}

/* Runs the next event due at or before `until`, parking on the way the
 * events of paused nodes that come due first (time advances to each). */
static gboolean step_until(Sim *sim, SimTime until)
{
    for (;;) {
        const SimEvent *top = sim_queue_peek(sim->queue);
        if (!top || top->time >= PARK_BASE || top->time > until)
            return FALSE;
        g_assert(top->time >= sim->hot.now);
        if (top->owner != SIM_NO_NODE) {
            SimNodeState st = sim_node_state(sim, top->owner);
            g_assert(st != SIM_NODE_DOWN);
            if (st == SIM_NODE_PAUSED) {
                sim->hot.now = top->time;
                park(sim, sim_node_get(sim, top->owner), sim_queue_peek_id(sim->queue));
                continue;
            }
        }
        /* Read what the call needs before it runs: the record may be
         * reused by the first event the handler schedules. */
        const SimEvent *ev = sim_queue_take(sim->queue);
        SimEventFn fn = (SimEventFn)(void (*)(void))ev->fn;
        void *ctx = ev->ctx, *data = ev->data;
        sim->hot.now = ev->time;
        sim->events_run++;
        prefetch_event(sim, sim_queue_peek(sim->queue));
        fn(sim, ctx, data);
        return TRUE;
    }
}

gboolean sim_step(Sim *sim)
{
    return step_until(sim, SIM_TIME_NEVER - 1);
}

uint64_t sim_run(Sim *sim, SimTime until, uint64_t max_events)
{
    uint64_t ran = 0;
    sim->stop = FALSE;
    while (!sim->stop && ran < max_events && step_until(sim, until))
        ran++;
    if (!sim->stop && ran < max_events && until != SIM_TIME_NEVER && until > sim->hot.now)
        sim->hot.now = until;
    return ran;
}

void sim_stop(Sim *sim)
{
    sim->stop = TRUE;
}

gboolean sim_stopped(const Sim *sim)
{
    return sim->stop;
}

void sim_fail(Sim *sim, int node, const char *fmt, ...)
{
    if (!sim->failure) {
        va_list ap;
        va_start(ap, fmt);
        sim->failure = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        SIM_TRACE(sim, node, "FAIL", SF_STR("what", sim->failure));
    }
    sim->stop = TRUE;
}

const char *sim_failure(const Sim *sim)
{
    return sim->failure;
}

uint64_t sim_events_run(const Sim *sim)
{
    return sim->events_run;
}

size_t sim_events_pending(const Sim *sim)
{
    return sim_queue_len(sim->queue);
}

size_t sim_events_capacity(const Sim *sim)
{
    return sim_queue_capacity(sim->queue);
}

/* ---- random streams ---- */

SimRng *sim_rng(Sim *sim, const char *name)
{
    SimRng *r = g_hash_table_lookup(sim->rng_by_name, name);
    if (!r) {
        r = g_new(SimRng, 1);
        sim_rng_init(r, sim->seed, name);
        g_hash_table_insert(sim->rng_by_name, g_strdup(name), r);
    }
    return r;
}

/* ---- nodes ---- */

int sim_node_add(Sim *sim, const char *name, int kind, const SimNodeOps *ops, void *ctx)
{
    g_assert(name && *name);
    g_assert(!g_hash_table_contains(sim->node_by_name, name));
    SimNode *n = g_new0(SimNode, 1);
    int id = (int)sim->nodes->len;
    n->name = g_strdup(name);
    n->kind = kind;
    n->incarnation = 1;
    n->deferred = g_array_new(FALSE, FALSE, sizeof(SimEventId));
    g_ptr_array_add(sim->nodes, n);
    sim->node_at = (SimNode **)sim->nodes->pdata;
    sim->n_nodes = sim->nodes->len;
    guint8 up = SIM_NODE_UP;
    g_byte_array_append(sim->node_state, &up, 1);
    SimNodeHooks hooks = { .ops = ops, .ctx = ctx };
    g_array_append_val(sim->node_hooks, hooks);
    SimClock clock = { .base_global = sim->hot.now, .base_local = sim->hot.now };
    g_array_append_val(sim->node_clocks, clock);
    n->disk = sim_disk_new(sim, id);
    g_hash_table_insert(sim->node_by_name, g_strdup(name), GINT_TO_POINTER(id + 1));
    return id;
}

int sim_node_count(const Sim *sim)
{
    return (int)sim->nodes->len;
}

const char *sim_node_name(const Sim *sim, int node)
{
    if (node == SIM_NO_NODE)
        return "-";
    return sim_node_get((Sim *)sim, node)->name;
}

int sim_node_kind(const Sim *sim, int node)
{
    return sim_node_get((Sim *)sim, node)->kind;
}

void *sim_node_ctx(const Sim *sim, int node)
{
    return sim_node_hooks(sim, node)->ctx;
}

int sim_node_find(const Sim *sim, const char *name)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(sim->node_by_name, name)) - 1;
}

SimNodeState sim_node_state(const Sim *sim, int node)
{
    g_assert(node >= 0 && (guint)node < sim->n_nodes);
    return (SimNodeState)sim->node_state->data[node];
}

gboolean sim_node_is_up(const Sim *sim, int node)
{
    return sim_node_state(sim, node) != SIM_NODE_DOWN;
}

uint32_t sim_node_incarnation(const Sim *sim, int node)
{
    return sim_node_get((Sim *)sim, node)->incarnation;
}

typedef struct {
    int node;
} OwnerMatch;

static gboolean owned_by(SimEvent *ev, SimEventId id, void *user)
{
    (void)id;
    if (ev->owner != ((OwnerMatch *)user)->node)
        return FALSE;
    if (ev->drop)
        ev->drop(ev->data);
    return TRUE;
}


static void node_set_state(Sim *sim, int node, SimNodeState state)
{
    sim->node_state->data[node] = (guint8)state;
}

void sim_node_crash(Sim *sim, int node)
{
    SimNode *n = sim_node_get(sim, node);
    if (sim_node_state(sim, node) == SIM_NODE_DOWN)
        return;
    node_set_state(sim, node, SIM_NODE_DOWN);
    OwnerMatch m = { node };
    sim_queue_visit(sim->queue, owned_by, &m);
    g_array_set_size(n->deferred, 0);
    SIM_TRACE(sim, node, "CRASH");
    sim_net_node_crashed(sim, node);
    sim_disk_crash(n->disk);
    const SimNodeOps *ops = sim_node_hooks(sim, node)->ops;
    if (ops && ops->crash)
        ops->crash(sim, node, sim_node_ctx(sim, node));
}

void sim_node_set_stopped(Sim *sim, int node)
{
    SimNode *n = sim_node_get(sim, node);
    OwnerMatch m = { node };
    sim_queue_visit(sim->queue, owned_by, &m);
    node_set_state(sim, node, SIM_NODE_DOWN);
    n->incarnation = 0;
}

void sim_node_restart(Sim *sim, int node)
{
    SimNode *n = sim_node_get(sim, node);
    if (sim_node_state(sim, node) != SIM_NODE_DOWN)
        return;
    node_set_state(sim, node, SIM_NODE_UP);
    n->incarnation++;
    n->cpu_busy_until = sim->hot.now;
    n->nic_busy_until = sim->hot.now;
    if (n->incarnation == 1)
        SIM_TRACE(sim, node, "START");
    else
        SIM_TRACE(sim, node, "RESTART", SF_UINT("incarnation", n->incarnation));
    const SimNodeOps *ops = sim_node_hooks(sim, node)->ops;
    if (ops && ops->restart)
        ops->restart(sim, node, sim_node_ctx(sim, node));
}

void sim_node_pause(Sim *sim, int node)
{
    if (sim_node_state(sim, node) != SIM_NODE_UP)
        return;
    node_set_state(sim, node, SIM_NODE_PAUSED);
    SIM_TRACE(sim, node, "PAUSE");
}

void sim_node_resume(Sim *sim, int node)
{
    SimNode *n = sim_node_get(sim, node);
    if (sim_node_state(sim, node) != SIM_NODE_PAUSED)
        return;
    node_set_state(sim, node, SIM_NODE_UP);
    SIM_TRACE(sim, node, "RESUME", SF_UINT("deferred", n->deferred->len));
    for (guint i = 0; i < n->deferred->len; i++) {
        SimEventId id = g_array_index(n->deferred, SimEventId, i);
        sim_queue_requeue(sim->queue, id, sim->hot.now); /* FALSE: cancelled meanwhile */
    }
    g_array_set_size(n->deferred, 0);
    /* Local timers that were not yet due when parked cannot exist: only
     * due events are parked.  Timers set before the pause and due later
     * simply stay in the queue. */
}

/* ---- clocks ---- */

static SimTime local_at(const SimClock *k, SimTime global)
{
    if (k->drift_ppm == 0) /* the usual case: no 128-bit division */
        return k->base_local + (global - k->base_global);
    __int128 el = (__int128)(global - k->base_global) * (1000000 + k->drift_ppm);
    return k->base_local + (SimTime)(el / 1000000);
}

SimTime sim_node_local_to_global(const SimClock *k, SimTime local)
{
    SimTime span, at;
    if (k->drift_ppm == 0 && !__builtin_sub_overflow(local, k->base_local, &span) &&
        !__builtin_add_overflow(k->base_global, span, &at))
        return at > PARK_BASE - 1 ? PARK_BASE - 1 : at;
    __int128 d = (__int128)(local - k->base_local) * 1000000;
    __int128 rate = 1000000 + k->drift_ppm;
    __int128 q = d / rate;
    if (q * rate < d) /* round up: fire no earlier than the deadline */
        q++;
    __int128 t = (__int128)k->base_global + q;
    if (t > PARK_BASE - 1)
        t = PARK_BASE - 1;
    return (SimTime)t;
}

SimTime sim_node_now(const Sim *sim, int node)
{
    return local_at(sim_node_clock(sim, node), sim->hot.now);
}

int32_t sim_node_drift(const Sim *sim, int node)
{
    return sim_node_clock(sim, node)->drift_ppm;
}

typedef struct {
    Sim *sim;
    int node;
    const SimClock *k;
} Retime;

/* Moves a node's pending local timers to the global instant at which the
 * changed clock will reach their deadlines (parked ones stay parked). */
static gboolean retime_local(SimEvent *ev, SimEventId id, void *user)
{
    (void)id;
    Retime *r = user;
    if (ev->owner == r->node && (ev->flags & SIM_EV_LOCAL) && ev->time < PARK_BASE) {
        SimTime t = sim_node_local_to_global(r->k, ev->local_deadline);
        ev->time = t < r->sim->hot.now ? r->sim->hot.now : t;
    }
    return FALSE;
}

static void rebase(Sim *sim, SimClock *k)
{
    k->base_local = local_at(k, sim->hot.now);
    k->base_global = sim->hot.now;
}

void sim_node_set_drift(Sim *sim, int node, int32_t ppm)
{
    g_assert(ppm > -500000 && ppm < 500000);
    SimClock *k = sim_node_clock(sim, node);
    rebase(sim, k);
    k->drift_ppm = ppm;
    Retime r = { sim, node, k };
    sim_queue_visit(sim->queue, retime_local, &r);
    SIM_TRACE(sim, node, "CLOCK_DRIFT", SF_INT("ppm", ppm));
}

void sim_node_jump(Sim *sim, int node, SimTime delta)
{
    SimClock *k = sim_node_clock(sim, node);
    rebase(sim, k);
    k->base_local += delta;
    Retime r = { sim, node, k };
    sim_queue_visit(sim->queue, retime_local, &r);
    SIM_TRACE(sim, node, "CLOCK_JUMP", SF_TIME("delta", delta));
}

SimEventId sim_node_timer(Sim *sim, int node, SimTime local_delay, SimEventFn fn, void *ctx, void *data)
{
    g_assert(local_delay >= 0);
    g_assert(sim_node_state(sim, node) != SIM_NODE_DOWN);
    const SimClock *k = sim_node_clock(sim, node);
    SimTime deadline = local_at(k, sim->hot.now) + local_delay;
    SimTime t = sim_node_local_to_global(k, deadline);
    SimEvent ev = {
        .time = t < sim->hot.now ? sim->hot.now : t,
        .fn = (void (*)(void *, void *, void *))fn,
        .ctx = ctx,
        .data = data,
        .owner = node,
        .flags = SIM_EV_LOCAL,
        .local_deadline = deadline,
    };
    return sim_queue_push(sim->queue, &ev);
}

/* ---- deadline timers ---- */

void sim_timer_init(SimTimer *t, int node, SimEventFn fn, void *ctx, void *data)
{
    *t = (SimTimer){ .node = node, .fn = fn, .ctx = ctx, .data = data };
}

static void timer_fire(Sim *sim, void *ctx, void *data)
{
    (void)data;
    SimTimer *t = ctx;
    t->ev = SIM_EVENT_NONE;
    SimTime left = t->due - sim_node_now(sim, t->node);
    if (left > 0) {
        t->ev = sim_node_timer(sim, t->node, left, timer_fire, t, NULL);
        return;
    }
    t->fn(sim, t->ctx, t->data);
}

void sim_timer_arm(Sim *sim, SimTimer *t, SimTime local_delay)
{
    g_assert(local_delay >= 0);
    SimTime due = sim_node_now(sim, t->node) + local_delay;
    if (sim_pending(sim, t->ev)) {
        if (due >= sim_queue_get(sim->queue, t->ev)->local_deadline) {
            t->due = due; /* the pending event re-queues itself */
            return;
        }
        sim_cancel(sim, t->ev);
    }
    t->due = due;
    t->ev = sim_node_timer(sim, t->node, local_delay, timer_fire, t, NULL);
}

void sim_timer_cancel(Sim *sim, SimTimer *t)
{
    sim_cancel_clear(sim, &t->ev);
}

/* ---- CPU ---- */

SimTime sim_node_cpu(Sim *sim, int node, SimTime cost)
{
    g_assert(cost >= 0);
    SimNode *n = sim_node_get(sim, node);
    SimTime start = n->cpu_busy_until > sim->hot.now ? n->cpu_busy_until : sim->hot.now;
    n->cpu_busy_until = start + cost;
    n->cpu_busy_total += cost;
    return n->cpu_busy_until;
}

SimEventId sim_node_cpu_then(Sim *sim, int node, SimTime cost, SimEventFn fn, void *ctx, void *data)
{
    return sim_at(sim, sim_node_cpu(sim, node, cost), node, fn, ctx, data);
}

SimEventId sim_node_cpu_then_owned(Sim *sim, int node, SimTime cost, SimEventFn fn, void *ctx, void *data,
                                   SimDropFn drop)
{
    return sim_at_owned(sim, sim_node_cpu(sim, node, cost), node, fn, ctx, data, drop);
}

SimTime sim_node_cpu_busy(const Sim *sim, int node)
{
    return sim_node_get((Sim *)sim, node)->cpu_busy_total;
}

/* ---- subsystems ---- */

SimNet *sim_net(Sim *sim)
{
    return sim->net;
}

SimTrace *sim_trace(Sim *sim)
{
    return sim->trace;
}

void sim_set_payload_free(Sim *sim, SimPayloadFree fn)
{
    sim->payload_free = fn;
}
