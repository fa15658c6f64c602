/* out_chrome.c - see out_chrome.h. */
#include "out_chrome.h"

#include "out_flow.h"
#include "out_json.h"
#include "sim_map.h"

#include <inttypes.h>
#include <string.h>

/* Threads of a node's process (tid = pid * TID_STRIDE + thread). */
enum { T_ROLE = 1, T_SENT, T_RECV, T_EVENTS, T_SCRIPT, T_LANES = 10 };
#define TID_STRIDE 1000
#define LANES_MAX (TID_STRIDE - T_LANES)
#define ENGINE_PID 1
/* Notification flow ids live above any engine message id. */
#define NOTIF_ID_BASE 1000000000000ull

typedef struct {
    gboolean seen;
    guint32 named; /* bit t: thread t has its name */
    OutEvType role; /* OUT_EV_OTHER: none */
    SimTime role_since;
    char *role_why;
    gboolean down;
    SimTime down_since;
    gboolean paused;
    SimTime paused_since;
    GArray *lanes; /* gboolean busy, by lane */
} Node;

typedef struct {
    int node;
    guint lane;
    SimTime start;
    char *op;
    guint slot; /* index in OutChrome.open */
} PendingOp;

static void pending_op_free(gpointer p)
{
    g_free(((PendingOp *)p)->op);
    g_free(p);
}

struct OutChrome {
    Sim *sim;
    FILE *f;
    gboolean notification_flows;
    uint64_t written, dropped;
    gboolean engine_seen;
    guint32 engine_named;
    GArray *nodes; /* Node by node id */
    OutFlows *flows;
    SimU64Map ops;   /* (node, xid) -> PendingOp, lookup only */
    GPtrArray *open; /* the same PendingOps, for the end of the run */
    GString *buf;
};

OutChrome *out_chrome_new(Sim *sim, FILE *f, gboolean notification_flows)
{
    OutChrome *c = g_new0(OutChrome, 1);
    c->sim = sim;
    c->f = f;
    c->notification_flows = notification_flows;
    c->nodes = g_array_new(FALSE, TRUE, sizeof(Node));
    c->flows = out_flows_new();
    sim_u64map_init(&c->ops);
    c->open = g_ptr_array_new();
    c->buf = g_string_new(NULL);
    fputs("{\"traceEvents\":[\n", f);
    return c;
}

void out_chrome_free(OutChrome *c)
{
    if (!c)
        return;
    for (guint i = 0; i < c->nodes->len; i++) {
        Node *n = &g_array_index(c->nodes, Node, i);
        g_free(n->role_why);
        if (n->lanes)
            g_array_free(n->lanes, TRUE);
    }
    g_array_free(c->nodes, TRUE);
    out_flows_free(c->flows);
    sim_u64map_clear(&c->ops, pending_op_free);
    g_ptr_array_free(c->open, TRUE);
    g_string_free(c->buf, TRUE);
    g_free(c);
}

uint64_t out_chrome_events(const OutChrome *c)
{
    return c->written;
}

/* ---- writing one event ---- */

static int pid_of(int node)
{
    return node < 0 ? ENGINE_PID : node + 2;
}

static int tid_of(int node, int thread)
{
    return pid_of(node) * TID_STRIDE + thread;
}

/* ,"key":<t in microseconds, three decimals> */
static void put_ts(GString *s, const char *key, SimTime t)
{
    if (t < 0) { /* never in a run; keep printf's rendering of it */
        g_string_append_printf(s, ",\"%s\":%" PRId64 ".%03d", key, t / 1000, (int)(t % 1000));
        return;
    }
    sim_str_put(s, ",\"", 2);
    sim_str_puts(s, key);
    sim_str_put(s, "\":", 2);
    sim_str_append_i64(s, t / 1000);
    int ns = (int)(t % 1000);
    char frac[4] = { '.', (char)('0' + ns / 100), (char)('0' + ns / 10 % 10), (char)('0' + ns % 10) };
    sim_str_put(s, frac, 4);
}

/* Starts an event object: {"ph":..,"name":..,"ts":..,"pid":..,"tid":.. */
static void begin(OutChrome *c, char ph, const char *name, SimTime t, int node, int thread)
{
    GString *s = c->buf;
    g_string_truncate(s, 0);
    sim_str_put(s, "{\"ph\":\"", 7);
    g_string_append_c(s, ph);
    sim_str_put(s, "\",\"name\":", 9);
    oj_escape(s, name);
    put_ts(s, "ts", t);
    sim_str_put(s, ",\"pid\":", 7);
    sim_str_append_i64(s, pid_of(node));
    sim_str_put(s, ",\"tid\":", 7);
    sim_str_append_i64(s, tid_of(node, thread));
}

static void end_event(OutChrome *c)
{
    sim_str_puts(c->buf, "}");
    if (c->written >= OUT_CHROME_EVENTS_MAX) {
        c->dropped++;
        return;
    }
    if (c->written)
        fputs(",\n", c->f);
    fwrite(c->buf->str, 1, c->buf->len, c->f);
    c->written++;
}

static void put_field_value(OutChrome *c, const SimField *f)
{
    GString *s = c->buf;
    switch (f->kind) {
    case SIM_F_INT:
    case SIM_F_TIME:
        sim_str_append_i64(s, f->v.i);
        break;
    case SIM_F_UINT:
        sim_str_append_u64(s, f->v.u);
        break;
    case SIM_F_HEX:
        g_string_append_c(s, '"');
        sim_str_append_hex(s, f->v.u);
        g_string_append_c(s, '"');
        break;
    case SIM_F_STR:
        oj_escape(s, f->v.s);
        break;
    case SIM_F_BOOL:
        sim_str_puts(s, f->v.i ? "true" : "false");
        break;
    case SIM_F_NODE:
        oj_escape(s, f->v.i >= 0 && f->v.i < sim_node_count(c->sim) ? sim_node_name(c->sim, (int)f->v.i) : "-");
        break;
    case SIM_F_DBL: {
        char b[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append(s, g_ascii_formatd(b, sizeof b, "%.6g", f->v.d));
        break;
    }
    }
}

/* ,"args":{every field of ev} */
static void put_args(OutChrome *c, const SimTraceEvent *ev)
{
    sim_str_puts(c->buf, ",\"args\":{");
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i)
            g_string_append_c(c->buf, ',');
        oj_escape(c->buf, ev->fields[i].key);
        g_string_append_c(c->buf, ':');
        put_field_value(c, &ev->fields[i]);
    }
    g_string_append_c(c->buf, '}');
}

static void metadata(OutChrome *c, const char *what, int node, int thread, const char *key, const char *name,
                     int64_t sort)
{
    begin(c, 'M', what, 0, node, thread);
    g_string_append_printf(c->buf, ",\"args\":{\"%s\":", key);
    if (name)
        oj_escape(c->buf, name);
    else
        g_string_append_printf(c->buf, "%" PRId64, sort);
    g_string_append_c(c->buf, '}');
    end_event(c);
}

static Node *node_state(OutChrome *c, int node)
{
    if ((guint)node >= c->nodes->len)
        g_array_set_size(c->nodes, (guint)node + 1);
    Node *n = &g_array_index(c->nodes, Node, node);
    if (!n->seen) {
        n->seen = TRUE;
        n->role = OUT_EV_OTHER;
        const char *name = sim_node_name(c->sim, node);
        int sid = out_server_sid(name);
        metadata(c, "process_name", node, 0, "name", name, 0);
        metadata(c, "process_sort_index", node, 0, "sort_index", NULL, sid ? sid : 100000 + node);
    }
    return n;
}

/* Names thread `thread` of node (or of the engine, node < 0) once. */
static void use_thread(OutChrome *c, int node, int thread)
{
    static const char *const names[] = { "", "role", "sent", "received", "events", "script" };
    guint32 *named;
    if (node < 0) {
        if (!c->engine_seen) {
            c->engine_seen = TRUE;
            metadata(c, "process_name", -1, 0, "name", "engine", 0);
            metadata(c, "process_sort_index", -1, 0, "sort_index", NULL, 0);
        }
        named = &c->engine_named;
    } else {
        named = &node_state(c, node)->named;
    }
    if (thread < 32 && (*named & (1u << thread)))
        return;
    char lane[32];
    const char *name = thread < T_LANES ? names[thread] : lane;
    if (thread >= T_LANES)
        g_snprintf(lane, sizeof lane, "ops %d", thread - T_LANES + 1);
    metadata(c, "thread_name", node, thread, "name", name, 0);
    metadata(c, "thread_sort_index", node, thread, "sort_index", NULL, thread);
    if (thread < 32)
        *named |= 1u << thread;
}

static void span(OutChrome *c, const char *name, int node, int thread, SimTime from, SimTime to, const char *why)
{
    use_thread(c, node, thread);
    begin(c, 'X', name, from, node, thread);
    put_ts(c->buf, "dur", to - from);
    if (why) {
        sim_str_puts(c->buf, ",\"args\":{\"why\":");
        oj_escape(c->buf, why);
        g_string_append_c(c->buf, '}');
    }
    end_event(c);
}

/* scope: 'g' global, 'p' process, 't' thread */
static void instant(OutChrome *c, const SimTraceEvent *ev, const char *name, int node, int thread, char scope)
{
    use_thread(c, node, thread);
    begin(c, 'i', name, ev->time, node, thread);
    sim_str_put(c->buf, ",\"s\":\"", 6);
    g_string_append_c(c->buf, scope);
    g_string_append_c(c->buf, '"');
    put_args(c, ev);
    end_event(c);
}

/* ---- roles ---- */

static void close_role(OutChrome *c, int node, SimTime t)
{
    Node *n = node_state(c, node);
    if (n->role != OUT_EV_OTHER)
        span(c, out_ev_name(n->role), node, T_ROLE, n->role_since, t, n->role_why);
    n->role = OUT_EV_OTHER;
    g_clear_pointer(&n->role_why, g_free);
}

static void on_role(OutChrome *c, const SimTraceEvent *ev, OutEvType t)
{
    close_role(c, ev->node, ev->time);
    Node *n = node_state(c, ev->node);
    n->role = t;
    n->role_since = ev->time;
    n->role_why = g_strdup(out_ev_str(ev, "why", NULL));
}

static void on_down(OutChrome *c, const SimTraceEvent *ev, gboolean down)
{
    Node *n = node_state(c, ev->node);
    if (down) {
        close_role(c, ev->node, ev->time);
        if (n->paused) {
            span(c, "PAUSED", ev->node, T_EVENTS, n->paused_since, ev->time, NULL);
            n->paused = FALSE;
        }
        n->down = TRUE;
        n->down_since = ev->time;
    } else if (n->down) {
        span(c, "DOWN", ev->node, T_ROLE, n->down_since, ev->time, NULL);
        n->down = FALSE;
    }
}

static void on_pause(OutChrome *c, const SimTraceEvent *ev, gboolean pause)
{
    Node *n = node_state(c, ev->node);
    if (pause && !n->paused) {
        n->paused = TRUE;
        n->paused_since = ev->time;
    } else if (!pause && n->paused) {
        span(c, "PAUSED", ev->node, T_EVENTS, n->paused_since, ev->time, NULL);
        n->paused = FALSE;
    }
}

/* ---- messages ---- */

static void msg_end(OutChrome *c, const SimTraceEvent *ev, const char *name, int node, gboolean send, uint64_t id)
{
    int thread = send ? T_SENT : T_RECV;
    use_thread(c, node, thread);
    begin(c, 'X', name, ev->time, node, thread);
    sim_str_puts(c->buf, ",\"dur\":0.001,\"cat\":\"msg\"");
    put_args(c, ev);
    end_event(c);
    if (!id)
        return;
    begin(c, send ? 's' : 'f', name, ev->time, node, thread);
    sim_str_puts(c->buf, ",\"cat\":\"msg\",\"id\":");
    sim_str_append_u64(c->buf, id);
    if (!send)
        sim_str_puts(c->buf, ",\"bp\":\"e\"");
    end_event(c);
}

static void notification_key(const SimTraceEvent *ev, GString *key)
{
    g_string_printf(key, "%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%s", out_ev_int(ev, "leader", 0),
                    out_ev_int(ev, "zxid", 0), out_ev_int(ev, "round", 0), out_ev_int(ev, "peerEpoch", 0),
                    out_ev_str(ev, "state", ""));
}

static void on_notification(OutChrome *c, const SimTraceEvent *ev, gboolean send)
{
    if (!c->notification_flows || ev->node < 0)
        return;
    /* Peers are named by server id; server sid is the node named s<sid>. */
    char peer_name[24];
    g_snprintf(peer_name, sizeof peer_name, "s%" PRId64, out_ev_int(ev, send ? "to" : "from", 0));
    int peer = sim_node_find(c->sim, peer_name);
    if (peer < 0)
        return;
    g_autoptr(GString) key = g_string_new(NULL);
    notification_key(ev, key);
    uint64_t id = send ? out_flows_send(c->flows, ev->node, peer, key->str, ev->time)
                       : out_flows_recv(c->flows, peer, ev->node, key->str, NULL);
    msg_end(c, ev, "NOTIFICATION", ev->node, send, id ? NOTIF_ID_BASE + id : 0);
}

/* ---- client operations ---- */

static gint64 op_key(int node, int64_t xid)
{
    return (gint64)(((uint64_t)(uint32_t)node << 40) ^ ((uint64_t)xid & ((1ull << 40) - 1)));
}

/* Drops p from the open list (its slot goes to the last one) and frees
 * it; the caller has taken it out of the map. */
static void op_forget(OutChrome *c, PendingOp *p)
{
    PendingOp *last = g_ptr_array_index(c->open, c->open->len - 1);
    g_ptr_array_index(c->open, p->slot) = last;
    last->slot = p->slot;
    g_ptr_array_set_size(c->open, c->open->len - 1);
    pending_op_free(p);
}

static void on_op_start(OutChrome *c, const SimTraceEvent *ev)
{
    if (ev->node < 0 || !out_ev_has(ev, "xid"))
        return;
    Node *n = node_state(c, ev->node);
    if (!n->lanes)
        n->lanes = g_array_new(FALSE, TRUE, sizeof(gboolean));
    guint lane = 0;
    while (lane < n->lanes->len && g_array_index(n->lanes, gboolean, lane))
        lane++;
    if (lane >= LANES_MAX)
        return; /* more than LANES_MAX outstanding: drawn as instants */
    if (lane == n->lanes->len)
        g_array_set_size(n->lanes, lane + 1);
    g_array_index(n->lanes, gboolean, lane) = TRUE;
    gint64 k = op_key(ev->node, out_ev_int(ev, "xid", 0));
    PendingOp *p = g_new(PendingOp, 1);
    *p = (PendingOp){ ev->node, lane, ev->time, g_strdup(out_ev_str(ev, "op", "op")), c->open->len };
    g_ptr_array_add(c->open, p);
    PendingOp *old = sim_u64map_put(&c->ops, (uint64_t)k, p);
    if (old)
        op_forget(c, old);
}

static void on_op_end(OutChrome *c, const SimTraceEvent *ev)
{
    if (ev->node < 0)
        return;
    const char *op = out_ev_str(ev, "op", "op");
    gint64 k = op_key(ev->node, out_ev_int(ev, "xid", 0));
    PendingOp *p = out_ev_has(ev, "xid") ? sim_u64map_get(&c->ops, (uint64_t)k) : NULL;
    if (!p) {
        instant(c, ev, op, ev->node, T_EVENTS, 't');
        return;
    }
    int thread = T_LANES + (int)p->lane;
    use_thread(c, ev->node, thread);
    begin(c, 'X', op, p->start, ev->node, thread);
    put_ts(c->buf, "dur", ev->time - p->start);
    sim_str_puts(c->buf, ",\"cat\":\"op\"");
    put_args(c, ev);
    end_event(c);
    Node *n = node_state(c, ev->node);
    g_array_index(n->lanes, gboolean, p->lane) = FALSE;
    sim_u64map_take(&c->ops, (uint64_t)k);
    op_forget(c, p);
}

/* ---- dispatch ---- */

static void node_instant(OutChrome *c, const SimTraceEvent *ev, OutEvType t, char scope)
{
    if (ev->node >= 0)
        instant(c, ev, out_ev_name(t), ev->node, T_EVENTS, scope);
    else
        instant(c, ev, out_ev_name(t), -1, T_EVENTS, 'g');
}

void out_chrome_event(OutChrome *c, const SimTraceEvent *ev, OutEvType t)
{
    switch (t) {
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_LEADING:
    case OUT_EV_OBSERVING:
        on_role(c, ev, t);
        break;
    case OUT_EV_CRASH:
        on_down(c, ev, TRUE);
        node_instant(c, ev, t, 'p');
        break;
    case OUT_EV_START:
    case OUT_EV_RESTART:
        on_down(c, ev, FALSE);
        node_instant(c, ev, t, 'p');
        break;
    case OUT_EV_PAUSE:
    case OUT_EV_RESUME:
        on_pause(c, ev, t == OUT_EV_PAUSE);
        node_instant(c, ev, t, 'p');
        break;
    case OUT_EV_MSG_SEND:
    case OUT_EV_MSG_RECV:
        c->notification_flows = FALSE;
        if (ev->node >= 0)
            msg_end(c, ev, out_ev_str(ev, "msg", "msg"), ev->node, t == OUT_EV_MSG_SEND,
                    (uint64_t)out_ev_int(ev, "id", 0));
        break;
    case OUT_EV_NOTIFICATION_SEND:
    case OUT_EV_NOTIFICATION_RECV:
        on_notification(c, ev, t == OUT_EV_NOTIFICATION_SEND);
        break;
    case OUT_EV_OP_START:
        on_op_start(c, ev);
        break;
    case OUT_EV_OP_END:
        on_op_end(c, ev);
        break;
    case OUT_EV_SCENARIO:
    case OUT_EV_WAIT_DONE:
        instant(c, ev, out_ev_name(t), -1, T_SCRIPT, 't');
        break;
    case OUT_EV_PARTITION:
    case OUT_EV_HEAL:
    case OUT_EV_LINK_SET:
    case OUT_EV_CONN_BREAK:
    case OUT_EV_MSG_FILTER:
    case OUT_EV_DISK_SLOW:
    case OUT_EV_CLOCK_DRIFT:
    case OUT_EV_CLOCK_JUMP:
    case OUT_EV_FAIL:
    case OUT_EV_SCENARIO_FAIL:
    case OUT_EV_ELECTION_START:
    case OUT_EV_ELECTED:
    case OUT_EV_ELECTION_DONE:
    case OUT_EV_LEADER_ESTABLISHED:
    case OUT_EV_LEADER_SHUTDOWN:
    case OUT_EV_SYNC_MODE:
    case OUT_EV_SESSION_CREATED:
    case OUT_EV_SESSION_EXPIRED:
    case OUT_EV_SESSION_EXPIRE:
    case OUT_EV_SESSION_MOVED:
    case OUT_EV_CONNECT:
    case OUT_EV_DISCONNECT:
    case OUT_EV_WATCH_SET:
    case OUT_EV_WATCH_TRIGGERED:
    case OUT_EV_WATCH_EVENT:
        node_instant(c, ev, t, t == OUT_EV_FAIL || t == OUT_EV_SCENARIO_FAIL ? 'g' : 't');
        break;
    case OUT_EV_PROPOSAL:
    case OUT_EV_COMMIT:
    case OUT_EV_APPLY:
    case OUT_EV_OTHER:
    case OUT_EV_COUNT:
        break;
    }
}

static gint cmp_pending(gconstpointer a, gconstpointer b)
{
    const PendingOp *x = *(PendingOp *const *)a, *y = *(PendingOp *const *)b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return x->lane < y->lane ? -1 : x->lane > y->lane;
}

/* Operations still outstanding at the end, as spans to the end, in
 * (node, lane) order: the table's own order is not defined. */
static void close_ops(OutChrome *c, SimTime end)
{
    GPtrArray *open = c->open;
    g_ptr_array_sort(open, cmp_pending);
    for (guint i = 0; i < open->len; i++) {
        const PendingOp *p = g_ptr_array_index(open, i);
        int thread = T_LANES + (int)p->lane;
        use_thread(c, p->node, thread);
        g_autofree char *name = g_strdup_printf("%s (no reply)", p->op);
        begin(c, 'X', name, p->start, p->node, thread);
        put_ts(c->buf, "dur", end - p->start);
        sim_str_puts(c->buf, ",\"cat\":\"op\"");
        end_event(c);
    }
    sim_u64map_clear(&c->ops, NULL);
    for (guint i = 0; i < open->len; i++)
        pending_op_free(g_ptr_array_index(open, i));
    g_ptr_array_set_size(open, 0);
}

gboolean out_chrome_finish(OutChrome *c, SimTime end, const char *extra)
{
    close_ops(c, end);
    for (guint i = 0; i < c->nodes->len; i++) {
        Node *n = &g_array_index(c->nodes, Node, i);
        if (!n->seen)
            continue;
        close_role(c, (int)i, end);
        if (n->down)
            span(c, "DOWN", (int)i, T_ROLE, n->down_since, end, NULL);
        if (n->paused)
            span(c, "PAUSED", (int)i, T_EVENTS, n->paused_since, end, NULL);
        n->down = n->paused = FALSE;
    }
    fprintf(c->f,
            "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"generator\":\"zksim\",\"events\":%" PRIu64
            ",\"dropped_events\":%" PRIu64 "%s%s}}\n",
            c->written, c->dropped, extra && *extra ? "," : "", extra ? extra : "");
    fflush(c->f);
    return !ferror(c->f);
}
