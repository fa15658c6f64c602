/* sim_net.c - connections, FIFO delivery, partitions, loss and filters.
 *
 * Each connection has two directions; each direction is a singly linked
 * queue of messages (pooled, never malloc'd per message once warm) and at
 * most one pending "pump" event, owned by the receiving node, scheduled
 * for the head's arrival.  Delivering from the head only keeps FIFO
 * order by construction, whatever the latency samples, holds, delays and
 * partitions do; one pump reads every message due by then (a burst).
 * Control messages (accept, connected, refused, FIN) travel in the same
 * queues so they are ordered with the data.
 *
 * Events refer to a connection by (index, generation); a connection that
 * was freed and reused makes old events harmless.
 */
#include "sim_internal.h"
#include "sim_map.h"
#include "sim_pool.h"

#include <string.h>

typedef enum {
    MSG_DATA,
    MSG_ACCEPT,    /* a -> b: the connection request (SYN) */
    MSG_CONNECTED, /* b -> a: accepted */
    MSG_REFUSED,   /* b -> a: refused */
    MSG_FIN,       /* graceful close */
} MsgKind;

typedef struct Msg {
    struct Msg *next;
    SimTime arrival;
    SimTime sent;
    uint64_t id;
    void *payload;
    uint32_t size;
    int type;
    MsgKind kind;
} __attribute__((aligned(64))) Msg; /* one cache line each (blocks are aligned) */

typedef struct Dir {
    Msg *head;
    Msg *tail;
    SimTime last_arrival;
    SimEventId pump;
    gboolean stalled; /* the head is held by a cut */
    SimLinkStats stats; /* sent this way on this connection: kept here, on
                         * the line a send writes anyway, and added to the
                         * pair's counters when the connection goes */
} Dir;

typedef enum { END_CLOSED, END_CONNECTING, END_OPEN } EndState;

typedef struct Conn {
    uint32_t gen;
    gboolean in_use;
    gboolean broken;     /* data is lost; ends are being told */
    int node[2];         /* [0] initiator, [1] acceptor */
    int channel;
    EndState end[2];
    gboolean notify[2];  /* a closed/failed notification is pending */
    Dir dir[2];          /* [0]: 0 -> 1, [1]: 1 -> 0 */
} Conn;

struct SimNet {
    Sim *sim;
    SimNetConfig cfg;
    SimRng *rng;
    GArray *conns; /* Conn */
    GArray *free_conns; /* guint index */
    Msg *free_msgs;
    GPtrArray *msg_blocks;
    uint64_t next_msg_id;
    size_t open_conns;
    /* overrides and partitions: lookup only */
    SimU64Map links;  /* pair key -> SimLinkParams* (owned) */
    SimU64Map cuts;   /* pair key -> 1 */
    GArray *node_group; /* int per node, -1 none */
    GPtrArray *groups;  /* group names */
    SimU64Map group_lat; /* group pair key -> SimDist* (owned) */
    SimU64Map link_stats; /* pair key -> SimLinkStats* (owned): the
                           * connections freed so far */
    SimLinkStats total;
    GArray *filters; /* Filter */
    int next_filter_id;
    const char *const *type_names;
    int ntype_names;
    gboolean trace_msgs;
};

typedef struct {
    int id;
    SimFilter f;
} Filter;

static uint64_t pair_key(int a, int b)
{
    return ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
}

/* Inserts or replaces an owned value. */
static void pair_insert(SimU64Map *t, uint64_t k, gpointer v)
{
    g_free(sim_u64map_put(t, k, v));
}

SimNet *sim_net_new(Sim *sim)
{
    SimNet *net = g_new0(SimNet, 1);
    net->sim = sim;
    net->cfg.latency = sim_dist_const(100 * SIM_US);
    net->rng = sim_rng(sim, "net");
    net->conns = g_array_new(FALSE, TRUE, sizeof(Conn));
    net->free_conns = g_array_new(FALSE, FALSE, sizeof(guint));
    net->msg_blocks = g_ptr_array_new_with_free_func(g_aligned_free);
    sim_u64map_init(&net->links);
    sim_u64map_init(&net->cuts);
    net->node_group = g_array_new(FALSE, FALSE, sizeof(int));
    net->groups = g_ptr_array_new_with_free_func(g_free);
    sim_u64map_init(&net->group_lat);
    sim_u64map_init(&net->link_stats);
    net->filters = g_array_new(FALSE, FALSE, sizeof(Filter));
    return net;
}

static void free_payload(SimNet *net, Msg *m)
{
    if (m->kind == MSG_DATA && m->payload && net->sim->payload_free)
        net->sim->payload_free(m->payload, m->type);
    m->payload = NULL;
}

void sim_net_free(SimNet *net)
{
    if (!net)
        return;
    for (guint i = 0; i < net->conns->len; i++) {
        Conn *c = &g_array_index(net->conns, Conn, i);
        for (int d = 0; d < 2; d++)
            for (Msg *m = c->dir[d].head; m; m = m->next)
                free_payload(net, m);
    }
    g_array_free(net->conns, TRUE);
    g_array_free(net->free_conns, TRUE);
    g_ptr_array_free(net->msg_blocks, TRUE);
    sim_u64map_clear(&net->links, g_free);
    sim_u64map_clear(&net->cuts, NULL);
    g_array_free(net->node_group, TRUE);
    g_ptr_array_free(net->groups, TRUE);
    sim_u64map_clear(&net->group_lat, g_free);
    sim_u64map_clear(&net->link_stats, g_free);
    g_array_free(net->filters, TRUE);
    g_free(net);
}

void sim_net_configure(Sim *sim, const SimNetConfig *cfg)
{
    sim->net->cfg = *cfg;
}

const SimNetConfig *sim_net_config(Sim *sim)
{
    return &sim->net->cfg;
}

/* ---- message pool ---- */

#define MSG_BLOCK 256

static Msg *msg_alloc(SimNet *net)
{
    if (!net->free_msgs) {
        Msg *block = g_aligned_alloc0(MSG_BLOCK, sizeof(Msg), 64);
        g_ptr_array_add(net->msg_blocks, block);
        for (int i = 0; i < MSG_BLOCK; i++) {
            block[i].next = net->free_msgs;
            net->free_msgs = &block[i];
        }
    }
    Msg *m = net->free_msgs;
    net->free_msgs = m->next;
    /* The next pop reads the new top's link: a message freed long ago is
     * out of the caches by then (a leader's fan-out pops several). */
    __builtin_prefetch(net->free_msgs, 1);
    memset(m, 0, sizeof *m);
    return m;
}

static void msg_release(SimNet *net, Msg *m)
{
    m->next = net->free_msgs;
    net->free_msgs = m;
}

/* ---- groups, latency overrides ---- */

static int group_index(SimNet *net, const char *name, gboolean create)
{
    for (guint i = 0; i < net->groups->len; i++)
        if (strcmp(g_ptr_array_index(net->groups, i), name) == 0)
            return (int)i;
    if (!create)
        return -1;
    g_ptr_array_add(net->groups, g_strdup(name));
    return (int)net->groups->len - 1;
}

static int node_group(SimNet *net, int node)
{
    if ((guint)node >= net->node_group->len)
        return -1;
    return g_array_index(net->node_group, int, node);
}

void sim_net_set_group(Sim *sim, int node, const char *group)
{
    SimNet *net = sim->net;
    int none = -1;
    while (net->node_group->len <= (guint)node)
        g_array_append_val(net->node_group, none);
    g_array_index(net->node_group, int, node) = group_index(net, group, TRUE);
}

void sim_net_set_group_latency(Sim *sim, const char *g1, const char *g2, const SimDist *latency)
{
    SimNet *net = sim->net;
    int a = group_index(net, g1, TRUE), b = group_index(net, g2, TRUE);
    pair_insert(&net->group_lat, pair_key(a, b), g_memdup2(latency, sizeof *latency));
    pair_insert(&net->group_lat, pair_key(b, a), g_memdup2(latency, sizeof *latency));
}

void sim_net_set_link(Sim *sim, int a, int b, const SimLinkParams *p)
{
    SimNet *net = sim->net;
    pair_insert(&net->links, pair_key(a, b), g_memdup2(p, sizeof *p));
    pair_insert(&net->links, pair_key(b, a), g_memdup2(p, sizeof *p));
    SIM_TRACE(sim, SIM_NO_NODE, "LINK_SET", SF_NODE("a", a), SF_NODE("b", b),
              SF_DBL("loss", p->has_loss ? p->loss : net->cfg.loss));
}

static const SimDist *link_latency(SimNet *net, int from, int to)
{
    if (sim_u64map_len(&net->links)) {
        SimLinkParams *p = sim_u64map_get(&net->links, pair_key(from, to));
        if (p && p->has_latency)
            return &p->latency;
    }
    if (sim_u64map_len(&net->group_lat)) {
        int ga = node_group(net, from), gb = node_group(net, to);
        if (ga >= 0 && gb >= 0) {
            SimDist *d = sim_u64map_get(&net->group_lat, pair_key(ga, gb));
            if (d)
                return d;
        }
    }
    return &net->cfg.latency;
}

static double link_loss(SimNet *net, int from, int to)
{
    if (sim_u64map_len(&net->links)) {
        SimLinkParams *p = sim_u64map_get(&net->links, pair_key(from, to));
        if (p && p->has_loss)
            return p->loss;
    }
    return net->cfg.loss;
}

static SimTime sample_latency(SimNet *net, int from, int to)
{
    return sim_dist_sample(link_latency(net, from, to), net->rng);
}

void sim_net_set_type_names(Sim *sim, const char *const *names, int n)
{
    sim->net->type_names = names;
    sim->net->ntype_names = n;
}

const char *sim_net_type_name(Sim *sim, int type)
{
    SimNet *net = sim->net;
    if (type >= 0 && type < net->ntype_names && net->type_names[type])
        return net->type_names[type];
    return "?";
}

void sim_net_trace_messages(Sim *sim, gboolean on)
{
    sim->net->trace_msgs = on;
}

/* ---- connection bookkeeping ---- */

static SimConnId conn_id(SimNet *net, const Conn *c)
{
    guint idx = (guint)(c - (Conn *)(void *)net->conns->data);
    return ((uint64_t)c->gen << 32) | (idx + 1);
}

static Conn *conn_lookup(SimNet *net, SimConnId id)
{
    uint32_t idx = (uint32_t)(id & 0xffffffffu);
    if (idx == 0 || idx > net->conns->len)
        return NULL;
    Conn *c = &g_array_index(net->conns, Conn, idx - 1);
    if (!c->in_use || c->gen != (uint32_t)(id >> 32))
        return NULL;
    return c;
}

static Conn *conn_alloc(SimNet *net)
{
    guint idx;
    if (net->free_conns->len) {
        idx = g_array_index(net->free_conns, guint, net->free_conns->len - 1);
        g_array_set_size(net->free_conns, net->free_conns->len - 1);
    } else {
        idx = net->conns->len;
        g_array_set_size(net->conns, idx + 1);
    }
    Conn *c = &g_array_index(net->conns, Conn, idx);
    uint32_t gen = c->gen + 1;
    memset(c, 0, sizeof *c);
    c->gen = gen ? gen : 1;
    c->in_use = TRUE;
    net->open_conns++;
    return c;
}

static void dir_drop_all(SimNet *net, Dir *d)
{
    Msg *m = d->head;
    while (m) {
        Msg *next = m->next;
        if (m->kind == MSG_DATA) {
            net->total.dropped++;
        }
        free_payload(net, m);
        msg_release(net, m);
        m = next;
    }
    d->head = d->tail = NULL;
    d->stalled = FALSE;
    sim_cancel_clear(net->sim, &d->pump);
}

static void stats_add(SimLinkStats *sum, const SimLinkStats *x)
{
    sum->msgs += x->msgs;
    sum->bytes += x->bytes;
    sum->dropped += x->dropped;
}

static SimLinkStats *stats_for(SimNet *net, int from, int to)
{
    uint64_t k = pair_key(from, to);
    SimLinkStats *s = sim_u64map_get(&net->link_stats, k);
    if (!s) {
        s = g_new0(SimLinkStats, 1);
        sim_u64map_put(&net->link_stats, k, s);
    }
    return s;
}

/* Frees a connection once neither end can see it any more. */
static void conn_maybe_free(SimNet *net, Conn *c)
{
    if (!c->in_use || c->end[0] != END_CLOSED || c->end[1] != END_CLOSED || c->notify[0] || c->notify[1])
        return;
    dir_drop_all(net, &c->dir[0]);
    dir_drop_all(net, &c->dir[1]);
    for (int d = 0; d < 2; d++) {
        const SimLinkStats *x = &c->dir[d].stats;
        if (!x->msgs && !x->dropped)
            continue;
        stats_add(stats_for(net, c->node[d], c->node[1 - d]), x);
    }
    c->in_use = FALSE;
    guint idx = (guint)(c - (Conn *)(void *)net->conns->data);
    g_array_append_val(net->free_conns, idx);
    net->open_conns--;
}

static int side_of(const Conn *c, int node)
{
    if (c->node[0] == node)
        return 0;
    g_assert(c->node[1] == node);
    return 1;
}

/* ---- link statistics ---- */

SimLinkStats sim_net_link_stats(Sim *sim, int from, int to)
{
    SimNet *net = sim->net;
    SimLinkStats *s = sim_u64map_get(&net->link_stats, pair_key(from, to));
    SimLinkStats sum = s ? *s : (SimLinkStats){ 0 };
    for (guint i = 0; i < net->conns->len; i++) {
        const Conn *c = &g_array_index(net->conns, Conn, i);
        if (!c->in_use)
            continue;
        for (int d = 0; d < 2; d++)
            if (c->node[d] == from && c->node[1 - d] == to)
                stats_add(&sum, &c->dir[d].stats);
    }
    return sum;
}

SimLinkStats sim_net_total_stats(Sim *sim)
{
    return sim->net->total;
}

size_t sim_net_open_connections(Sim *sim)
{
    return sim->net->open_conns;
}

/* ---- reachability ---- */

gboolean sim_net_reachable(Sim *sim, int from, int to)
{
    SimNet *net = sim->net;
    return !sim_u64map_get(&net->cuts, pair_key(from, to));
}

/* ---- delivery ---- */

static void pump_fn(Sim *sim, void *ctx, void *data);

static uintptr_t ev_ref(SimConnId id, int d)
{
    /* generation (31 bits) | index (32 bits) | direction or side (1 bit) */
    return (uintptr_t)(((id & 0x7fffffffffffffffull) << 1) | (uint64_t)d);
}

/* The slot an event's data names (NULL if out of range), read without
 * touching the connection; *id and *d are the id and direction. */
static Conn *ev_slot(SimNet *net, const void *data, SimConnId *id, int *d)
{
    uint64_t v = (uint64_t)(uintptr_t)data;
    *d = (int)(v & 1);
    *id = v >> 1;
    uint32_t idx = (uint32_t)(*id & 0xffffffffu);
    if (idx == 0 || idx > net->conns->len)
        return NULL;
    return &g_array_index(net->conns, Conn, idx - 1);
}

static Conn *ev_conn(SimNet *net, void *data, int *d)
{
    SimConnId id;
    Conn *c = ev_slot(net, data, &id, d);
    if (!c || !c->in_use || (c->gen & 0x7fffffffu) != (uint32_t)(id >> 32))
        return NULL;
    return c;
}

static void dir_schedule(SimNet *net, Conn *c, int d)
{
    Dir *dir = &c->dir[d];
    if (!dir->head || dir->stalled || sim_pending(net->sim, dir->pump))
        return;
    int to = c->node[1 - d];
    if (!sim_node_is_up(net->sim, to))
        return;
    SimTime t = dir->head->arrival;
    if (t < sim_now(net->sim))
        t = sim_now(net->sim);
    dir->pump = sim_at(net->sim, t, to, pump_fn, net, (void *)ev_ref(conn_id(net, c), d));
}

static void dir_push(SimNet *net, Conn *c, int d, Msg *m, SimTime arrival)
{
    Dir *dir = &c->dir[d];
    if (arrival < dir->last_arrival)
        arrival = dir->last_arrival;
    dir->last_arrival = arrival;
    m->arrival = arrival;
    m->next = NULL;
    if (dir->tail)
        dir->tail->next = m;
    else
        dir->head = m;
    dir->tail = m;
    dir_schedule(net, c, d);
}

static void push_control(SimNet *net, Conn *c, int d, MsgKind kind)
{
    Msg *m = msg_alloc(net);
    m->kind = kind;
    m->sent = sim_now(net->sim);
    int from = c->node[d], to = c->node[1 - d];
    dir_push(net, c, d, m, sim_now(net->sim) + sample_latency(net, from, to));
}

static void closed_fn(Sim *sim, void *ctx, void *data);
static void failed_fn(Sim *sim, void *ctx, void *data);

/* Tells end `side` (after `delay`) that its connection is gone. */
static void notify_closed(SimNet *net, Conn *c, int side, SimTime delay)
{
    int node = c->node[side];
    if (c->end[side] == END_CLOSED || c->notify[side] || !sim_node_is_up(net->sim, node))
        return;
    c->notify[side] = TRUE;
    SimEventFn fn = c->end[side] == END_CONNECTING ? failed_fn : closed_fn;
    sim_after(net->sim, delay, node, fn, net, (void *)ev_ref(conn_id(net, c), side));
}

static void conn_break(SimNet *net, Conn *c, SimTime delay)
{
    if (c->broken)
        return;
    c->broken = TRUE;
    dir_drop_all(net, &c->dir[0]);
    dir_drop_all(net, &c->dir[1]);
    SIM_TRACE(net->sim, SIM_NO_NODE, "CONN_BREAK", SF_NODE("a", c->node[0]), SF_NODE("b", c->node[1]),
              SF_INT("channel", c->channel));
    notify_closed(net, c, 0, delay);
    notify_closed(net, c, 1, delay);
    conn_maybe_free(net, c);
}

static void closed_fn(Sim *sim, void *ctx, void *data)
{
    SimNet *net = ctx;
    int side;
    Conn *c = ev_conn(net, data, &side);
    if (!c)
        return;
    c->notify[side] = FALSE;
    if (c->end[side] == END_CLOSED) {
        conn_maybe_free(net, c);
        return;
    }
    c->end[side] = END_CLOSED;
    int node = c->node[side];
    SimConnId id = conn_id(net, c);
    conn_maybe_free(net, c);
    const SimNodeOps *ops = sim_node_hooks(sim, node)->ops;
    if (ops && ops->closed)
        ops->closed(sim, node, id, sim_node_ctx(sim, node));
}

static void failed_fn(Sim *sim, void *ctx, void *data)
{
    SimNet *net = ctx;
    int side;
    Conn *c = ev_conn(net, data, &side);
    if (!c)
        return;
    c->notify[side] = FALSE;
    int node = c->node[side], peer = c->node[1 - side], channel = c->channel;
    gboolean was_connecting = c->end[side] == END_CONNECTING;
    c->end[side] = END_CLOSED;
    if (!c->broken) {
        c->broken = TRUE;
        dir_drop_all(net, &c->dir[0]);
        dir_drop_all(net, &c->dir[1]);
    }
    /* The other end (an acceptor that saw our SYN) hears nothing more. */
    if (c->end[1 - side] != END_CLOSED)
        notify_closed(net, c, 1 - side, 0);
    conn_maybe_free(net, c);
    const SimNodeOps *ops = sim_node_hooks(sim, node)->ops;
    if (was_connecting && ops && ops->connect_failed)
        ops->connect_failed(sim, node, peer, channel, sim_node_ctx(sim, node));
}

static void deliver(SimNet *net, Conn *c, int d, Msg *m)
{
    Sim *sim = net->sim;
    int to = c->node[1 - d], from = c->node[d];
    const SimNodeHooks *hooks = sim_node_hooks(sim, to);
    const SimNodeOps *ops = hooks->ops;
    void *ctx = hooks->ctx; /* copied: a handler may add nodes (hooks moves) */
    SimConnId id = conn_id(net, c);
    switch (m->kind) {
    case MSG_DATA:
        if (c->end[1 - d] != END_OPEN) {
            free_payload(net, m);
            return;
        }
        if (net->trace_msgs)
            SIM_TRACE(sim, to, "MSG_RECV", SF_NODE("from", from), SF_STR("msg", sim_net_type_name(sim, m->type)),
                      SF_UINT("size", m->size), SF_UINT("id", m->id), SF_TIME("sent", m->sent));
        if (ops && ops->message)
            ops->message(sim, to, id, c->channel, m->type, m->payload, m->size, ctx);
        else
            free_payload(net, m);
        return;
    case MSG_ACCEPT: {
        gboolean ok = c->end[0] == END_CONNECTING && ops && ops->accept &&
                      ops->accept(sim, to, id, from, c->channel, ctx);
        c = conn_lookup(net, id); /* the hook may have done anything */
        if (!c)
            return;
        if (ok) {
            c->end[1] = END_OPEN;
            push_control(net, c, 1, MSG_CONNECTED);
        } else {
            push_control(net, c, 1, MSG_REFUSED);
        }
        return;
    }
    case MSG_CONNECTED:
        if (c->end[0] != END_CONNECTING)
            return;
        c->end[0] = END_OPEN;
        if (ops && ops->connected)
            ops->connected(sim, to, id, from, c->channel, ctx);
        return;
    case MSG_REFUSED: {
        if (c->end[0] != END_CONNECTING)
            return;
        int channel = c->channel;
        c->end[0] = END_CLOSED;
        conn_maybe_free(net, c);
        if (ops && ops->connect_failed)
            ops->connect_failed(sim, to, from, channel, ctx);
        return;
    }
    case MSG_FIN:
        if (c->end[1 - d] == END_CLOSED)
            return;
        c->end[1 - d] = END_CLOSED;
        conn_maybe_free(net, c);
        if (ops && ops->closed)
            ops->closed(sim, to, id, ctx);
        return;
    }
}

/* Delivers the head of a direction, then every message behind it that
 * is due by now: a burst that reaches a node in one instant is read in
 * one go, as a socket read returns all the bytes that have arrived, and
 * costs one event instead of one per message.  The loop stops where a
 * fresh pump would not run at once (the next message is not due, the
 * link is cut, the receiver went down or was paused, or a handler
 * rescheduled the direction); nothing is ever delivered earlier than
 * its arrival time.  Each message past the first counts as one of the
 * run's events (sim_events_run), as its own pump did. */
static void pump_fn(Sim *sim, void *ctx, void *data)
{
    SimNet *net = ctx;
    int d;
    Conn *c = ev_conn(net, data, &d);
    if (!c)
        return;
    c->dir[d].pump = SIM_EVENT_NONE;
    SimConnId id = conn_id(net, c);
    int from = c->node[d], to = c->node[1 - d];
    for (gboolean first = TRUE;; first = FALSE) {
        Dir *dir = &c->dir[d];
        Msg *m = dir->head;
        if (!m)
            return;
        if (!first) {
            if (m->arrival > sim_now(sim) || dir->stalled || sim_pending(sim, dir->pump) ||
                sim_node_state(sim, to) != SIM_NODE_UP) {
                dir_schedule(net, c, d);
                return;
            }
            sim->events_run++;
        }
        if (!sim_net_reachable(sim, from, to)) {
            dir->stalled = TRUE; /* TCP keeps retransmitting until heal */
            return;
        }
        dir->head = m->next;
        if (!dir->head)
            dir->tail = NULL;
        else
            __builtin_prefetch(dir->head); /* read after the handler: is it due too? */
        deliver(net, c, d, m);
        msg_release(net, m);
        c = conn_lookup(net, id);
        if (!c)
            return;
    }
}

void sim_net_prefetch_event(SimNet *net, const SimEvent *ev)
{
    if (ev->fn != (void (*)(void *, void *, void *))pump_fn)
        return;
    SimConnId id;
    int d;
    const Conn *c = ev_slot(net, ev->data, &id, &d);
    if (!c)
        return;
    __builtin_prefetch(c);
    sim_prefetch_range(&c->dir[d], sizeof c->dir[d]);
}

/* ---- public: connections ---- */

SimConnId sim_net_connect(Sim *sim, int from, int to, int channel, SimTime timeout)
{
    SimNet *net = sim->net;
    g_assert(sim_node_state(sim, from) != SIM_NODE_DOWN);
    g_assert(from != to);
    Conn *c = conn_alloc(net);
    c->node[0] = from;
    c->node[1] = to;
    c->channel = channel;
    c->end[0] = END_CONNECTING;
    SimConnId id = conn_id(net, c);
    if (!sim_net_reachable(sim, from, to) || !sim_net_reachable(sim, to, from)) {
        c->notify[0] = TRUE;
        sim_after(sim, timeout, from, failed_fn, net, (void *)ev_ref(id, 0));
    } else if (!sim_node_is_up(sim, to)) {
        /* RST from the peer's host after a round trip */
        SimTime rtt = sample_latency(net, from, to) + sample_latency(net, to, from);
        c->notify[0] = TRUE;
        sim_after(sim, rtt, from, failed_fn, net, (void *)ev_ref(id, 0));
    } else {
        push_control(net, c, 0, MSG_ACCEPT);
    }
    return id;
}

static Filter *match_filter(SimNet *net, int type, int from, int to)
{
    SimTime now = sim_now(net->sim);
    for (guint i = 0; i < net->filters->len; i++) {
        Filter *f = &g_array_index(net->filters, Filter, i);
        if (f->f.count == 0 || now > f->f.until)
            continue;
        if ((f->f.type < 0 || f->f.type == type) && (f->f.from < 0 || f->f.from == from) &&
            (f->f.to < 0 || f->f.to == to)) {
            if (f->f.count > 0)
                f->f.count--;
            return f;
        }
    }
    return NULL;
}

gboolean sim_net_send(Sim *sim, SimConnId cid, int from, int type, void *payload, uint32_t size)
{
    SimNet *net = sim->net;
    Conn *c = conn_lookup(net, cid);
    int side = c ? side_of(c, from) : 0;
    if (!c || c->end[side] != END_OPEN) {
        if (payload && sim->payload_free)
            sim->payload_free(payload, type);
        return FALSE;
    }
    int to = c->node[1 - side];
    SimNode *fn = sim_node_get(sim, from);
    /* NIC: serialisation is FIFO per node over all its connections. */
    SimTime tx = fn->nic_busy_until > sim_now(sim) ? fn->nic_busy_until : sim_now(sim);
    tx += net->cfg.nic_per_msg;
    if (net->cfg.bytes_per_sec)
        tx += (SimTime)(((__int128)size * SIM_S + net->cfg.bytes_per_sec - 1) / net->cfg.bytes_per_sec);
    fn->nic_busy_until = tx;

    SimLinkStats *ls = &c->dir[side].stats;
    ls->msgs++;
    ls->bytes += size;
    net->total.msgs++;
    net->total.bytes += size;
    uint64_t mid = ++net->next_msg_id;
    if (net->trace_msgs)
        SIM_TRACE(sim, from, "MSG_SEND", SF_NODE("to", to), SF_STR("msg", sim_net_type_name(sim, type)),
                  SF_UINT("size", size), SF_UINT("id", mid));

    if (c->broken) {
        ls->dropped++;
        net->total.dropped++;
        if (payload && sim->payload_free)
            sim->payload_free(payload, type);
        /* The write "succeeds"; the peer's host answers the data with a
         * reset if the path is open (else at heal, see restart_stalled). */
        if (sim_net_reachable(sim, from, to) && sim_net_reachable(sim, to, from))
            notify_closed(net, c, side, sample_latency(net, from, to) + sample_latency(net, to, from));
        return TRUE;
    }
    SimTime extra = 0;
    if (net->filters->len) {
        Filter *f = match_filter(net, type, from, to);
        if (f) {
            SIM_TRACE(sim, from, "MSG_FILTER", SF_NODE("to", to), SF_STR("msg", sim_net_type_name(sim, type)),
                      SF_STR("action", f->f.action == SIM_FILTER_DROP    ? "drop"
                                       : f->f.action == SIM_FILTER_DELAY ? "delay"
                                                                         : "break"));
            switch (f->f.action) {
            case SIM_FILTER_DROP:
                ls->dropped++;
                net->total.dropped++;
                if (payload && sim->payload_free)
                    sim->payload_free(payload, type);
                return TRUE;
            case SIM_FILTER_DELAY:
                extra = f->f.delay;
                break;
            case SIM_FILTER_BREAK:
                if (payload && sim->payload_free)
                    sim->payload_free(payload, type);
                ls->dropped++;
                net->total.dropped++;
                conn_break(net, c, net->cfg.break_detect);
                return TRUE;
            }
        }
    }
    double loss = link_loss(net, from, to);
    if (loss > 0 && sim_rng_chance(net->rng, loss)) {
        if (payload && sim->payload_free)
            sim->payload_free(payload, type);
        ls->dropped++;
        net->total.dropped++;
        conn_break(net, c, net->cfg.break_detect);
        return TRUE;
    }
    Msg *m = msg_alloc(net);
    m->kind = MSG_DATA;
    m->type = type;
    m->size = size;
    m->payload = payload;
    m->id = mid;
    m->sent = sim_now(sim);
    dir_push(net, c, side, m, tx + sample_latency(net, from, to) + extra);
    return TRUE;
}

void sim_net_close(Sim *sim, SimConnId cid, int node)
{
    SimNet *net = sim->net;
    Conn *c = conn_lookup(net, cid);
    if (!c)
        return;
    int side = side_of(c, node);
    if (c->end[side] == END_CLOSED)
        return;
    EndState was = c->end[side];
    c->end[side] = END_CLOSED;
    if (c->broken || was == END_CONNECTING) {
        if (was == END_CONNECTING && !c->broken)
            conn_break(net, c, 0); /* abandon the attempt; the acceptor sees a close */
        conn_maybe_free(net, c);
        return;
    }
    push_control(net, c, side, MSG_FIN);
}

void sim_net_break(Sim *sim, SimConnId cid)
{
    Conn *c = conn_lookup(sim->net, cid);
    if (c)
        conn_break(sim->net, c, sim->net->cfg.break_detect);
}

gboolean sim_net_is_open(Sim *sim, SimConnId cid, int node)
{
    Conn *c = conn_lookup(sim->net, cid);
    return c && c->end[side_of(c, node)] == END_OPEN && !c->broken;
}

int sim_net_peer(Sim *sim, SimConnId cid, int node)
{
    Conn *c = conn_lookup(sim->net, cid);
    if (!c)
        return -1;
    return c->node[1 - side_of(c, node)];
}

int sim_net_channel(Sim *sim, SimConnId cid)
{
    Conn *c = conn_lookup(sim->net, cid);
    return c ? c->channel : -1;
}

void sim_net_node_crashed(Sim *sim, int node)
{
    SimNet *net = sim->net;
    for (guint i = 0; i < net->conns->len; i++) {
        Conn *c = &g_array_index(net->conns, Conn, i);
        if (!c->in_use || (c->node[0] != node && c->node[1] != node))
            continue;
        int side = side_of(c, node);
        c->end[side] = END_CLOSED;
        c->notify[side] = FALSE;
        if (!c->broken) {
            c->broken = TRUE;
            dir_drop_all(net, &c->dir[0]);
            dir_drop_all(net, &c->dir[1]);
            /* The crashed host's kernel resets the connection: the peer
             * hears it one latency later, if the path is open. */
            int peer = c->node[1 - side];
            if (sim_net_reachable(sim, node, peer))
                notify_closed(net, c, 1 - side, sample_latency(net, node, peer));
        }
        conn_maybe_free(net, c);
    }
}

/* ---- partitions ---- */

static void restart_stalled(SimNet *net)
{
    Sim *sim = net->sim;
    for (guint i = 0; i < net->conns->len; i++) {
        Conn *c = &g_array_index(net->conns, Conn, i);
        if (!c->in_use)
            continue;
        if (c->broken) {
            /* A reset that the cut kept from an end reaches it now. */
            for (int side = 0; side < 2; side++)
                if (c->end[side] != END_CLOSED && sim_net_reachable(sim, c->node[side], c->node[1 - side]) &&
                    sim_net_reachable(sim, c->node[1 - side], c->node[side]))
                    notify_closed(net, c, side, sample_latency(net, c->node[1 - side], c->node[side]));
            continue;
        }
        for (int d = 0; d < 2; d++) {
            Dir *dir = &c->dir[d];
            if (!dir->stalled || !sim_net_reachable(sim, c->node[d], c->node[1 - d]))
                continue;
            dir->stalled = FALSE;
            /* Retransmission: held data arrives one latency after heal. */
            SimTime prev = sim_now(sim);
            for (Msg *m = dir->head; m; m = m->next) {
                SimTime t = sim_now(sim) + sample_latency(net, c->node[d], c->node[1 - d]);
                if (t < m->arrival)
                    t = m->arrival;
                if (t < prev)
                    t = prev;
                m->arrival = prev = t;
            }
            dir->last_arrival = prev > dir->last_arrival ? prev : dir->last_arrival;
            dir_schedule(net, c, d);
        }
    }
}

void sim_net_cut_link(Sim *sim, int from, int to)
{
    sim_u64map_put(&sim->net->cuts, pair_key(from, to), GINT_TO_POINTER(1));
}

void sim_net_cut(Sim *sim, const int *side_a, const int *side_b, gboolean both)
{
    for (const int *a = side_a; *a >= 0; a++)
        for (const int *b = side_b; *b >= 0; b++) {
            if (*a == *b)
                continue;
            sim_net_cut_link(sim, *a, *b);
            if (both)
                sim_net_cut_link(sim, *b, *a);
        }
    SIM_TRACE(sim, SIM_NO_NODE, "PARTITION", SF_BOOL("both", both));
}

void sim_net_partition(Sim *sim, const int *const *groups, int ngroups)
{
    for (int i = 0; i < ngroups; i++)
        for (int j = 0; j < ngroups; j++)
            if (i != j)
                for (const int *a = groups[i]; *a >= 0; a++)
                    for (const int *b = groups[j]; *b >= 0; b++)
                        if (*a != *b)
                            sim_net_cut_link(sim, *a, *b);
    SIM_TRACE(sim, SIM_NO_NODE, "PARTITION", SF_INT("groups", ngroups));
}

void sim_net_heal(Sim *sim)
{
    sim_u64map_clear(&sim->net->cuts, NULL);
    SIM_TRACE(sim, SIM_NO_NODE, "HEAL");
    restart_stalled(sim->net);
}

void sim_net_heal_link(Sim *sim, int from, int to)
{
    sim_u64map_take(&sim->net->cuts, pair_key(from, to));
    restart_stalled(sim->net);
}

/* ---- filters ---- */

int sim_net_add_filter(Sim *sim, const SimFilter *f)
{
    SimNet *net = sim->net;
    Filter nf = { .id = ++net->next_filter_id, .f = *f };
    g_array_append_val(net->filters, nf);
    return nf.id;
}

void sim_net_remove_filter(Sim *sim, int id)
{
    SimNet *net = sim->net;
    for (guint i = 0; i < net->filters->len; i++)
        if (g_array_index(net->filters, Filter, i).id == id) {
            g_array_remove_index(net->filters, i);
            return;
        }
}

void sim_net_clear_filters(Sim *sim)
{
    g_array_set_size(sim->net->filters, 0);
}
