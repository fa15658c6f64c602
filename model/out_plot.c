/* out_plot.c - see out_plot.h.
 *
 * The timeline is read once, line by line, into a small picture model:
 * lanes (one per node), bands (a lane's state over an interval), arrows
 * (a message from one lane at one time to another lane at a later time),
 * marks (crash, restart, elected) and rules (engine events across every
 * lane).  Each figure is then a data file per layer and a script that
 * plots the non-empty layers.
 */
#include "out_plot.h"

#include "out_event.h"
#include "out_flow.h"
#include "out_gnuplot.h"
#include "out_json.h"
#include "out_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rules (partition, heal...) drawn at most; more would hide the picture. */
#define RULES_MAX 40
/* Client lanes drawn at most (servers are always drawn). */
#define CLIENT_LANES_MAX 12
/* Client operations drawn as spans when the window holds at most this many. */
#define OPS_DRAWN_MAX 20000

typedef struct {
    int lane;
    SimTime from, to;
    const char *what; /* a role name, "DOWN" or "PAUSED" (static strings) */
} Band;

typedef struct {
    SimTime t0, t1;
    int from, to;
    char *msg;
} Arrow;

typedef enum {
    MARK_CRASH,
    MARK_START,
    MARK_PAUSE,
    MARK_ELECTED,
    MARK_KINDS
} MarkKind;

typedef struct {
    SimTime t;
    int lane;
    MarkKind kind;
    char *text;
} Mark;

typedef struct {
    SimTime t;
    char *text;
} Rule;

typedef struct {
    int lane;
    SimTime from, to;
    OutOpClass cls;
} OpSpan;

typedef struct {
    char *name;
    const char *role; /* open band, or NULL */
    SimTime since;
    gboolean down, paused, connected;
    SimTime down_since, paused_since, connected_since;
} Lane;

typedef struct {
    SimTime from, to; /* window */
    SimTime last;     /* time of the last event */
    GPtrArray *lanes; /* Lane *, in order of appearance */
    GHashTable *lane_of; /* name -> index + 1, lookup only */
    GArray *bands, *arrows, *marks, *rules;
    guint arrows_dropped;
    gboolean traced_msgs;     /* MSG_SEND seen */
    GHashTable *msg_sent;     /* id -> Arrow * (pending) */
    OutFlows *flows;          /* notifications */
    GHashTable *notif_sent;   /* flow id -> Arrow * (pending) */
    GArray *notif_arrows;     /* Arrow, used when no MSG_SEND */
    GArray *ops;              /* OpSpan in the window, up to OPS_DRAWN_MAX */
    guint ops_in_window;
    GPtrArray *op_names;      /* sorted later */
    GHashTable *op_lat;       /* name -> OutSamples * */
    uint64_t events;
} Picture;

/* ---- small helpers ---- */

static void arrow_clear(gpointer p)
{
    g_free(((Arrow *)p)->msg);
}

static void mark_clear(gpointer p)
{
    g_free(((Mark *)p)->text);
}

static void rule_clear(gpointer p)
{
    g_free(((Rule *)p)->text);
}

static void lane_free(gpointer p)
{
    Lane *l = p;
    g_free(l->name);
    g_free(l);
}

static void samples_free(gpointer p)
{
    out_samples_clear(p);
    g_free(p);
}

static void arrow_free(gpointer p)
{
    arrow_clear(p);
    g_free(p);
}

static void picture_init(Picture *p, SimTime from, SimTime to)
{
    memset(p, 0, sizeof *p);
    p->from = from;
    p->to = to;
    p->lanes = g_ptr_array_new_with_free_func(lane_free);
    p->lane_of = g_hash_table_new(g_str_hash, g_str_equal);
    p->bands = g_array_new(FALSE, FALSE, sizeof(Band));
    p->arrows = g_array_new(FALSE, FALSE, sizeof(Arrow));
    g_array_set_clear_func(p->arrows, arrow_clear);
    p->notif_arrows = g_array_new(FALSE, FALSE, sizeof(Arrow));
    g_array_set_clear_func(p->notif_arrows, arrow_clear);
    p->marks = g_array_new(FALSE, FALSE, sizeof(Mark));
    g_array_set_clear_func(p->marks, mark_clear);
    p->rules = g_array_new(FALSE, FALSE, sizeof(Rule));
    g_array_set_clear_func(p->rules, rule_clear);
    p->msg_sent = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, arrow_free);
    p->notif_sent = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, arrow_free);
    p->flows = out_flows_new();
    p->ops = g_array_new(FALSE, FALSE, sizeof(OpSpan));
    p->op_names = g_ptr_array_new();
    p->op_lat = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, samples_free);
}

static void picture_clear(Picture *p)
{
    g_ptr_array_free(p->lanes, TRUE);
    g_hash_table_destroy(p->lane_of);
    g_array_free(p->bands, TRUE);
    g_array_free(p->arrows, TRUE);
    g_array_free(p->notif_arrows, TRUE);
    g_array_free(p->marks, TRUE);
    g_array_free(p->rules, TRUE);
    g_hash_table_destroy(p->msg_sent);
    g_hash_table_destroy(p->notif_sent);
    out_flows_free(p->flows);
    g_array_free(p->ops, TRUE);
    g_ptr_array_free(p->op_names, TRUE);
    g_hash_table_destroy(p->op_lat);
}

static gboolean in_window(const Picture *p, SimTime a, SimTime b)
{
    return b >= p->from && a <= p->to;
}

static int lane_index(Picture *p, const char *name)
{
    if (!name || strcmp(name, "-") == 0)
        return -1;
    gpointer v = g_hash_table_lookup(p->lane_of, name);
    if (v)
        return GPOINTER_TO_INT(v) - 1;
    Lane *l = g_new0(Lane, 1);
    l->name = g_strdup(name);
    g_ptr_array_add(p->lanes, l);
    g_hash_table_insert(p->lane_of, l->name, GINT_TO_POINTER((int)p->lanes->len));
    return (int)p->lanes->len - 1;
}

static Lane *lane_at(Picture *p, int i)
{
    return g_ptr_array_index(p->lanes, i);
}

static void add_band(Picture *p, int lane, SimTime from, SimTime to, const char *what)
{
    if (to <= from || !in_window(p, from, to))
        return;
    Band b = { lane, from < p->from ? p->from : from, to > p->to ? p->to : to, what };
    g_array_append_val(p->bands, b);
}

static void add_mark(Picture *p, SimTime t, int lane, MarkKind k, char *text)
{
    if (lane < 0 || !in_window(p, t, t)) {
        g_free(text);
        return;
    }
    Mark m = { t, lane, k, text };
    g_array_append_val(p->marks, m);
}

static void close_role(Picture *p, int lane, SimTime t)
{
    Lane *l = lane_at(p, lane);
    if (l->role)
        add_band(p, lane, l->since, t, l->role);
    l->role = NULL;
}

static void close_connected(Picture *p, int lane, SimTime t)
{
    Lane *l = lane_at(p, lane);
    if (l->connected)
        add_band(p, lane, l->connected_since, t, "CONNECTED");
    l->connected = FALSE;
}

/* ---- reading the timeline ---- */

static const char *ev_field_str(const OjValue *ev, const char *key)
{
    return oj_str_or(oj_get(ev, key), NULL);
}

static void on_role(Picture *p, int lane, SimTime t, OutEvType type)
{
    static const char *const names[] = { "LOOKING", "FOLLOWING", "LEADING", "OBSERVING" };
    close_role(p, lane, t);
    Lane *l = lane_at(p, lane);
    l->role = names[type - OUT_EV_LOOKING];
    l->since = t;
}

static void pending_arrow(GHashTable *table, gint64 key, SimTime t, int from, int to, const char *msg)
{
    Arrow *a = g_new0(Arrow, 1);
    a->t0 = t;
    a->from = from;
    a->to = to;
    a->msg = g_strdup(msg);
    g_hash_table_replace(table, g_memdup2(&key, sizeof key), a);
}

static void complete_arrow(Picture *p, GHashTable *table, GArray *into, gint64 key, SimTime t)
{
    Arrow *a = g_hash_table_lookup(table, &key);
    if (!a)
        return;
    if (in_window(p, a->t0, t)) {
        Arrow done = { a->t0, t, a->from, a->to, g_strdup(a->msg) };
        g_array_append_val(into, done);
    }
    g_hash_table_remove(table, &key);
}

static void notification_key(const OjValue *ev, GString *key)
{
    g_string_printf(key, "%" PRId64 "|%s|%" PRId64 "|%" PRId64 "|%s", oj_int_or(oj_get(ev, "leader"), 0),
                    oj_str_or(oj_get(ev, "zxid"), ""), oj_int_or(oj_get(ev, "round"), 0),
                    oj_int_or(oj_get(ev, "peerEpoch"), 0), oj_str_or(oj_get(ev, "state"), ""));
}

static void on_notification(Picture *p, const OjValue *ev, int lane, SimTime t, gboolean send)
{
    char peer_name[24];
    g_snprintf(peer_name, sizeof peer_name, "s%" PRId64, oj_int_or(oj_get(ev, send ? "to" : "from"), 0));
    int peer = lane_index(p, peer_name);
    g_autoptr(GString) key = g_string_new(NULL);
    notification_key(ev, key);
    if (send) {
        uint64_t id = out_flows_send(p->flows, lane, peer, key->str, t);
        pending_arrow(p->notif_sent, (gint64)id, t, lane, peer, "NOTIFICATION");
    } else {
        uint64_t id = out_flows_recv(p->flows, peer, lane, key->str, NULL);
        if (id)
            complete_arrow(p, p->notif_sent, p->notif_arrows, (gint64)id, t);
    }
}

static void on_op_end(Picture *p, const OjValue *ev, int lane, SimTime t)
{
    const OjValue *lat = oj_get(ev, "latency");
    const char *err = oj_str_or(oj_get(ev, "err"), "Ok");
    const char *op = oj_str_or(oj_get(ev, "op"), "?");
    SimTime start = t - oj_int_or(lat, 0);
    if (in_window(p, start, t)) {
        p->ops_in_window++;
        OpSpan o = { lane, start < p->from ? p->from : start, t > p->to ? p->to : t, out_op_class(op) };
        if (p->ops->len < OPS_DRAWN_MAX)
            g_array_append_val(p->ops, o);
    }
    if (!lat || !in_window(p, t, t) || out_err_is_connection(err))
        return;
    OutSamples *s = g_hash_table_lookup(p->op_lat, op);
    if (!s) {
        s = g_new0(OutSamples, 1);
        out_samples_init(s);
        char *name = g_strdup(op);
        g_hash_table_insert(p->op_lat, name, s);
        g_ptr_array_add(p->op_names, name);
    }
    out_samples_add(s, oj_int_or(lat, 0));
}

static void on_engine(Picture *p, OutEvType type, const OjValue *ev, SimTime t)
{
    if (p->rules->len >= RULES_MAX || !in_window(p, t, t))
        return;
    char *text;
    switch (type) {
    case OUT_EV_PARTITION:
        text = g_strdup("partition");
        break;
    case OUT_EV_HEAL:
        text = g_strdup("heal");
        break;
    case OUT_EV_LINK_SET:
        text = g_strdup_printf("link %s-%s", oj_str_or(oj_get(ev, "a"), "?"), oj_str_or(oj_get(ev, "b"), "?"));
        break;
    case OUT_EV_FAIL:
        text = g_strdup("INVARIANT BROKEN");
        break;
    case OUT_EV_SCENARIO_FAIL:
        text = g_strdup("scenario failed");
        break;
    default:
        return;
    }
    Rule r = { t, text };
    g_array_append_val(p->rules, r);
}

static void on_event(Picture *p, const OjValue *ev)
{
    SimTime t = oj_int_or(oj_get(ev, "t"), 0);
    const char *type_name = ev_field_str(ev, "type");
    if (!type_name)
        return;
    OutEvType type = out_ev_type_of(type_name);
    int lane = lane_index(p, ev_field_str(ev, "node"));
    p->last = t;
    p->events++;
    if (lane < 0) {
        on_engine(p, type, ev, t);
        return;
    }
    Lane *l = lane_at(p, lane);
    switch (type) {
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_LEADING:
    case OUT_EV_OBSERVING:
        on_role(p, lane, t, type);
        break;
    case OUT_EV_CRASH:
        close_role(p, lane, t);
        close_connected(p, lane, t);
        if (l->paused)
            add_band(p, lane, l->paused_since, t, "PAUSED");
        l->paused = FALSE;
        l->down = TRUE;
        l->down_since = t;
        add_mark(p, t, lane, MARK_CRASH, NULL);
        break;
    case OUT_EV_START:
    case OUT_EV_RESTART:
        if (l->down)
            add_band(p, lane, l->down_since, t, "DOWN");
        l->down = FALSE;
        add_mark(p, t, lane, MARK_START, NULL);
        break;
    case OUT_EV_PAUSE:
        l->paused = TRUE;
        l->paused_since = t;
        add_mark(p, t, lane, MARK_PAUSE, NULL);
        break;
    case OUT_EV_RESUME:
        if (l->paused)
            add_band(p, lane, l->paused_since, t, "PAUSED");
        l->paused = FALSE;
        break;
    case OUT_EV_ELECTION_DONE:
        add_mark(p, t, lane, MARK_ELECTED,
                 g_strdup_printf("%s leads epoch %" PRId64, l->name, oj_int_or(oj_get(ev, "epoch"), 0)));
        break;
    case OUT_EV_MSG_SEND: {
        p->traced_msgs = TRUE;
        int to = lane_index(p, ev_field_str(ev, "to"));
        if (to >= 0)
            pending_arrow(p->msg_sent, oj_int_or(oj_get(ev, "id"), 0), t, lane, to, ev_field_str(ev, "msg"));
        break;
    }
    case OUT_EV_MSG_RECV:
        complete_arrow(p, p->msg_sent, p->arrows, oj_int_or(oj_get(ev, "id"), 0), t);
        break;
    case OUT_EV_NOTIFICATION_SEND:
    case OUT_EV_NOTIFICATION_RECV:
        on_notification(p, ev, lane, t, type == OUT_EV_NOTIFICATION_SEND);
        break;
    case OUT_EV_OP_END:
        on_op_end(p, ev, lane, t);
        break;
    case OUT_EV_CONNECT:
        if (!l->connected) {
            l->connected = TRUE;
            l->connected_since = t;
        }
        break;
    case OUT_EV_DISCONNECT:
    case OUT_EV_SESSION_EXPIRED:
        close_connected(p, lane, t);
        break;
    default:
        if (strcmp(type_name, "CLIENT_CLOSED") == 0)
            close_connected(p, lane, t);
        break;
    }
}

static void picture_close(Picture *p, SimTime end)
{
    for (guint i = 0; i < p->lanes->len; i++) {
        Lane *l = lane_at(p, (int)i);
        close_role(p, (int)i, end);
        close_connected(p, (int)i, end);
        if (l->down)
            add_band(p, (int)i, l->down_since, end, "DOWN");
        if (l->paused)
            add_band(p, (int)i, l->paused_since, end, "PAUSED");
    }
    if (!p->traced_msgs) {
        /* No MSG_SEND in the run: the notifications are the arrows. */
        GArray *t = p->arrows;
        p->arrows = p->notif_arrows;
        p->notif_arrows = t;
    }
}

static gboolean read_timeline(Picture *p, const char *path, GError **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    guint lineno = 0;
    gboolean ok = TRUE;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        g_autoptr(GError) e = NULL;
        g_autoptr(OjValue) ev = oj_parse(line, n, &e);
        if (!ev || oj_kind(ev) != OJ_OBJECT) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: not a timeline event: %s", path, lineno,
                        e ? e->message : "not an object");
            ok = FALSE;
            break;
        }
        on_event(p, ev);
    }
    free(line);
    fclose(f);
    return ok;
}

/* ---- lanes in drawing order: servers by id, then the rest by name ---- */

static gint lane_cmp(gconstpointer a, gconstpointer b)
{
    const Lane *x = *(Lane *const *)a, *y = *(Lane *const *)b;
    int sx = out_server_sid(x->name), sy = out_server_sid(y->name);
    if (sx && sy)
        return sx - sy;
    if (sx || sy)
        return sx ? -1 : 1;
    /* Natural order: c2 before c10. */
    size_t px = strcspn(x->name, "0123456789"), py = strcspn(y->name, "0123456789");
    int c = strncmp(x->name, y->name, px < py ? px : py);
    if (c || px != py)
        return c ? c : (px < py ? -1 : 1);
    long nx = strtol(x->name + px, NULL, 10), ny = strtol(y->name + py, NULL, 10);
    if (nx != ny)
        return nx < ny ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* y of each lane (the first lane at the top), by lane index; 0 for a
 * lane not drawn (clients past CLIENT_LANES_MAX).  *shown and *hidden
 * count the lanes drawn and the client lanes left out. */
static int *lane_rows(Picture *p, int *shown, guint *hidden)
{
    g_autoptr(GPtrArray) order = g_ptr_array_copy(p->lanes, NULL, NULL);
    g_ptr_array_set_free_func(order, NULL); /* the copy would free the elements */
    g_ptr_array_sort(order, lane_cmp);
    guint clients = 0;
    *shown = 0;
    *hidden = 0;
    for (guint i = 0; i < order->len; i++) {
        const Lane *l = g_ptr_array_index(order, i);
        if (!out_server_sid(l->name) && clients++ >= CLIENT_LANES_MAX) {
            (*hidden)++;
            g_ptr_array_remove_index(order, i--);
        }
    }
    int *y = g_new0(int, p->lanes->len + 1);
    for (guint i = 0; i < order->len; i++) {
        const Lane *l = g_ptr_array_index(order, i);
        int idx = GPOINTER_TO_INT(g_hash_table_lookup(p->lane_of, l->name)) - 1;
        y[idx] = (int)(order->len - i);
    }
    *shown = (int)order->len;
    return y;
}

/* ---- numbers in data files: exact decimals of the time unit ---- */

typedef struct {
    SimTime unit; /* SIM_MS or SIM_S */
    const char *name;
} Unit;

static Unit unit_for(SimTime span)
{
    return span < 20 * SIM_S ? (Unit){ SIM_MS, "ms" } : (Unit){ SIM_S, "s" };
}

static void put_x(GString *s, SimTime t, Unit u)
{
    if (t < 0) {
        g_string_append_c(s, '-');
        t = -t;
    }
    g_string_append_printf(s, "%" PRId64 ".%0*" PRId64, t / u.unit, u.unit == SIM_MS ? 6 : 9, t % u.unit);
}

static void put_label(GString *s, const char *text)
{
    g_string_append_c(s, '"');
    for (const char *c = text; *c; c++)
        if (*c != '"' && *c != '\\')
            g_string_append_c(s, *c);
    g_string_append_c(s, '"');
}

static gint cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the space-time diagram ----
 *
 * An election is a burst of messages, a long quiet wait (finalizeWait,
 * 200 ms) and another burst (discovery and synchronisation): drawn to
 * scale, the bursts are slivers.  So the time axis is broken where
 * nothing happens: a stretch without any message end, mark, rule or
 * state change longer than a fifth of the window is cut out (the
 * longest ones first, PANELS_MAX panels at most), and the rest is drawn
 * as panels side by side, each to its own scale.  --no-breaks keeps one
 * panel. */

#define PANELS_MAX 5

typedef struct {
    SimTime a, b;
} Span;

static gint cmp_time(gconstpointer a, gconstpointer b)
{
    SimTime x = *(const SimTime *)a, y = *(const SimTime *)b;
    return x < y ? -1 : x > y;
}

static gint cmp_gap_desc(gconstpointer a, gconstpointer b)
{
    const Span *x = a, *y = b;
    SimTime lx = x->b - x->a, ly = y->b - y->a;
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return x->a < y->a ? -1 : x->a > y->a;
}

static gint cmp_span(gconstpointer a, gconstpointer b)
{
    const Span *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a;
}

static void add_point(GArray *pts, SimTime t, SimTime x0, SimTime x1)
{
    if (t >= x0 && t <= x1)
        g_array_append_val(pts, t);
}

/* The panels of [x0, x1]: fills out[0..n) and returns n >= 1. */
static guint find_panels(const Picture *p, SimTime x0, SimTime x1, gboolean breaks, Span *out)
{
    out[0] = (Span){ x0, x1 };
    if (!breaks)
        return 1;
    /* Activity: message ends, marks, rules, state changes (not the band
     * ends that only say where the window clipped them). */
    GArray *pts = g_array_new(FALSE, FALSE, sizeof(SimTime));
    for (guint i = 0; i < p->arrows->len; i++) {
        const Arrow *a = &g_array_index(p->arrows, Arrow, i);
        add_point(pts, a->t0, x0, x1);
        add_point(pts, a->t1, x0, x1);
    }
    for (guint i = 0; i < p->marks->len; i++)
        add_point(pts, g_array_index(p->marks, Mark, i).t, x0, x1);
    for (guint i = 0; i < p->rules->len; i++)
        add_point(pts, g_array_index(p->rules, Rule, i).t, x0, x1);
    for (guint i = 0; i < p->bands->len; i++) {
        add_point(pts, g_array_index(p->bands, Band, i).from, x0 + 1, x1 - 1);
        add_point(pts, g_array_index(p->bands, Band, i).to, x0 + 1, x1 - 1);
    }
    if (!pts->len) {
        g_array_free(pts, TRUE);
        return 1;
    }
    g_array_append_val(pts, x0);
    g_array_append_val(pts, x1);
    g_array_sort(pts, cmp_time);
    /* Cut the longest quiet stretches while each would still take more
     * than a fifth of what remains on the axis (and is not small against
     * the window: bursts a few milliseconds apart stay together). */
    GArray *gaps = g_array_new(FALSE, FALSE, sizeof(Span));
    for (guint i = 1; i < pts->len; i++) {
        Span g = { g_array_index(pts, SimTime, i - 1), g_array_index(pts, SimTime, i) };
        if (g.b > g.a)
            g_array_append_val(gaps, g);
    }
    g_array_sort(gaps, cmp_gap_desc);
    SimTime shown_left = x1 - x0;
    guint cut = 0;
    for (guint i = 0; i < gaps->len && cut < PANELS_MAX + 1; i++) {
        Span g = g_array_index(gaps, Span, i);
        SimTime len = g.b - g.a;
        if (len * 4 <= shown_left - len)
            break;
        /* At least a tenth of the window inside, a quarter at its edges. */
        gboolean edge = g.a == x0 || g.b == x1;
        if (len < (x1 - x0) / (edge ? 4 : 10))
            continue;
        shown_left -= len;
        g_array_index(gaps, Span, cut++) = g;
    }
    g_array_set_size(gaps, cut);
    /* The window's edges: a cut gap there just trims the panel. */
    SimTime a0 = x0, b0 = x1;
    for (guint i = 0; i < gaps->len;) {
        Span *g = &g_array_index(gaps, Span, i);
        if (g->a == x0 || g->b == x1) {
            if (g->a == x0)
                a0 = g->b;
            else
                b0 = g->a;
            g_array_remove_index(gaps, i);
        } else {
            i++;
        }
    }
    g_array_sort(gaps, cmp_gap_desc);
    if (gaps->len > PANELS_MAX - 1)
        g_array_set_size(gaps, PANELS_MAX - 1);
    g_array_sort(gaps, cmp_span);
    guint n = 0;
    SimTime a = a0;
    for (guint i = 0; i < gaps->len; i++) {
        const Span *g = &g_array_index(gaps, Span, i);
        out[n++] = (Span){ a, g->a };
        a = g->b;
    }
    out[n++] = (Span){ a, b0 };
    /* Pad each panel by a little of what it shows, into its gaps. */
    SimTime shown = 0;
    for (guint i = 0; i < n; i++)
        shown += out[i].b - out[i].a;
    SimTime pad = shown / 25 > 1000 ? shown / 25 : 1000;
    for (guint i = 0; i < n; i++) {
        SimTime room_lo = i ? (g_array_index(gaps, Span, i - 1).b - g_array_index(gaps, Span, i - 1).a) / 4
                            : out[i].a - x0;
        SimTime room_hi = i + 1 < n ? (g_array_index(gaps, Span, i).b - g_array_index(gaps, Span, i).a) / 4
                                    : x1 - out[i].b;
        out[i].a -= pad < room_lo ? pad : room_lo;
        out[i].b += pad < room_hi ? pad : room_hi;
    }
    g_array_free(gaps, TRUE);
    g_array_free(pts, TRUE);
    return n;
}

static gint arrow_cmp(gconstpointer a, gconstpointer b)
{
    const Arrow *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return x->t1 < y->t1 ? -1 : x->t1 > y->t1;
}

static void legend_entry(GString *gp, gboolean *first, const char *style, const char *title)
{
    g_string_append_printf(gp, "%s \\\n     keyentry %s title '%s'", *first ? "plot" : ",", style, title);
    *first = FALSE;
}

static void plot_clause(GString *gp, gboolean *first, const char *text)
{
    g_string_append_printf(gp, "%s \\\n     %s", *first ? "plot" : ",", text);
    *first = FALSE;
}

static const char *const mark_file[MARK_KINDS] = { "spacetime-crash.dat", "spacetime-start.dat",
                                                   "spacetime-pause.dat", "spacetime-elected.dat" };

static const char *const band_states[] = { "LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN", "CONNECTED" };

/* What the data files hold, for the script. */
typedef struct {
    guint keys; /* entries in the key */
    guint bands, paused, ops, marks[MARK_KINDS];
    gboolean state_seen[G_N_ELEMENTS(band_states)];
    gboolean cls_seen[3];
    GPtrArray *msg_types; /* char *, sorted */
} Layers;

static gboolean write_bands(Picture *p, const char *dir, const int *row, Unit u, Layers *ly, GError **err)
{
    g_autoptr(GString) d = g_string_new("# from to lane rgb state\n");
    g_autoptr(GString) pd = g_string_new("# from to lane\n");
    for (guint i = 0; i < p->bands->len; i++) {
        const Band *b = &g_array_index(p->bands, Band, i);
        if (!row[b->lane])
            continue;
        gboolean paused = strcmp(b->what, "PAUSED") == 0;
        GString *out = paused ? pd : d;
        put_x(out, b->from, u);
        g_string_append_c(out, ' ');
        put_x(out, b->to, u);
        if (paused) {
            g_string_append_printf(out, " %d\n", row[b->lane]);
            ly->paused++;
            continue;
        }
        g_string_append_printf(out, " %d %u %s\n", row[b->lane], out_color_of(b->what), b->what);
        ly->bands++;
        for (guint k = 0; k < G_N_ELEMENTS(band_states); k++)
            ly->state_seen[k] |= strcmp(band_states[k], b->what) == 0;
    }
    return out_write_file(dir, "spacetime-roles.dat", d, err) && out_write_file(dir, "spacetime-pauses.dat", pd, err);
}

static const guint32 op_rgb[3] = { 0x1f77b4, 0xff7f0e, 0x7f7f7f }; /* read, write, other */

static gboolean write_ops(Picture *p, const char *dir, const int *row, Unit u, Layers *ly, GError **err)
{
    g_autoptr(GString) d = g_string_new("# from to lane rgb (client operations: read, write, other)\n");
    if (p->ops_in_window <= OPS_DRAWN_MAX)
        for (guint i = 0; i < p->ops->len; i++) {
            const OpSpan *o = &g_array_index(p->ops, OpSpan, i);
            if (!row[o->lane])
                continue;
            put_x(d, o->from, u);
            g_string_append_c(d, ' ');
            put_x(d, o->to, u);
            g_string_append_printf(d, " %d %u\n", row[o->lane], op_rgb[o->cls]);
            ly->ops++;
            ly->cls_seen[o->cls] = TRUE;
        }
    return out_write_file(dir, "spacetime-ops.dat", d, err);
}

static gboolean write_arrows(Picture *p, const char *dir, const int *row, Unit u, Layers *ly, GError **err)
{
    g_array_sort(p->arrows, arrow_cmp);
    if (p->arrows->len > OUT_PLOT_ARROWS_MAX) {
        p->arrows_dropped = p->arrows->len - OUT_PLOT_ARROWS_MAX;
        g_array_set_size(p->arrows, OUT_PLOT_ARROWS_MAX);
    }
    g_autoptr(GString) d = g_string_new("# sent lane received lane rgb message\n");
    for (guint i = 0; i < p->arrows->len; i++) {
        const Arrow *a = &g_array_index(p->arrows, Arrow, i);
        const char *m = a->msg ? a->msg : "?";
        if (!row[a->from] || !row[a->to])
            continue;
        if (!g_ptr_array_find_with_equal_func(ly->msg_types, m, g_str_equal, NULL))
            g_ptr_array_add(ly->msg_types, g_strdup(m));
        put_x(d, a->t0, u);
        g_string_append_printf(d, " %d ", row[a->from]);
        put_x(d, a->t1, u);
        g_string_append_printf(d, " %d %u %s\n", row[a->to], out_color_of(m), m);
    }
    g_ptr_array_sort(ly->msg_types, cmp_strp);
    return out_write_file(dir, "spacetime-msgs.dat", d, err);
}

static gboolean write_marks(Picture *p, const char *dir, const int *row, Unit u, Layers *ly, GError **err)
{
    g_autoptr(GString) d = g_string_new(NULL);
    for (int k = 0; k < MARK_KINDS; k++) {
        g_string_assign(d, "# time lane label\n");
        for (guint i = 0; i < p->marks->len; i++) {
            const Mark *m = &g_array_index(p->marks, Mark, i);
            if ((int)m->kind != k || !row[m->lane])
                continue;
            ly->marks[k]++;
            put_x(d, m->t, u);
            g_string_append_printf(d, " %d ", row[m->lane]);
            put_label(d, m->text ? m->text : "");
            g_string_append_c(d, '\n');
        }
        if (!out_write_file(dir, mark_file[k], d, err))
            return FALSE;
    }
    return TRUE;
}

/* The layers as one plot command, repeated by every panel. */
static void plot_command(const Layers *ly, GString *plot)
{
    gboolean first = TRUE;
    if (ly->bands)
        plot_clause(plot, &first, "'spacetime-roles.dat' using (($1+$2)/2):3:1:2:($3-0.32):($3+0.32):4 "
                                  "with boxxyerror fs solid 1.0 noborder lc rgb variable notitle");
    if (ly->paused)
        plot_clause(plot, &first, "'spacetime-pauses.dat' using (($1+$2)/2):3:1:2:($3-0.32):($3+0.32) "
                                  "with boxxyerror fs pattern 4 noborder lc rgb '#333333' title 'PAUSED'");
    if (ly->ops)
        plot_clause(plot, &first, "'spacetime-ops.dat' using (($1+$2)/2):3:1:2:($3-0.1):($3+0.1):4 "
                                  "with boxxyerror fs solid 1.0 noborder lc rgb variable notitle");
    if (ly->msg_types->len)
        plot_clause(plot, &first, "'spacetime-msgs.dat' using 1:2:($3-$1):($4-$2):5 with vectors "
                                  "head filled size screen 0.007,16 lw 1.2 lc rgb variable notitle");
    if (ly->marks[MARK_CRASH])
        plot_clause(plot, &first, "'spacetime-crash.dat' using 1:2 with points pt 2 ps 2.5 lw 3 "
                                  "lc rgb '#d62728' title 'crash'");
    if (ly->marks[MARK_START])
        plot_clause(plot, &first, "'spacetime-start.dat' using 1:2 with points pt 9 ps 1.6 "
                                  "lc rgb '#2ca02c' title 'start'");
    if (ly->marks[MARK_PAUSE])
        plot_clause(plot, &first, "'spacetime-pause.dat' using 1:2 with points pt 5 ps 1.4 "
                                  "lc rgb '#333333' title 'pause'");
    if (ly->marks[MARK_ELECTED]) {
        plot_clause(plot, &first, "'spacetime-elected.dat' using 1:2 with points pt 3 ps 2.2 lw 2 "
                                  "lc rgb '#000000' title 'leader established'");
        plot_clause(plot, &first, "'spacetime-elected.dat' using 1:($2+0.36):3 with labels left offset 0.6,0 "
                                  "font ',9' notitle");
    }
    for (guint k = 0; k < G_N_ELEMENTS(band_states); k++) {
        if (!ly->state_seen[k])
            continue;
        g_autofree char *style = g_strdup_printf("with boxes fs solid 1.0 noborder lc rgb '#%06x'",
                                                 out_color_of(band_states[k]));
        legend_entry(plot, &first, style, band_states[k]);
    }
    static const char *const cls_names[3] = { "read", "write", "other operation" };
    for (int k = 0; k < 3; k++) {
        if (!ly->cls_seen[k])
            continue;
        g_autofree char *style = g_strdup_printf("with boxes fs solid 1.0 noborder lc rgb '#%06x'", op_rgb[k]);
        legend_entry(plot, &first, style, cls_names[k]);
    }
    for (guint i = 0; i < ly->msg_types->len && i < 16; i++) {
        const char *m = g_ptr_array_index(ly->msg_types, i);
        g_autofree char *style = g_strdup_printf("with vectors lw 2 lc rgb '#%06x'", out_color_of(m));
        legend_entry(plot, &first, style, m);
    }
    if (first)
        plot_clause(plot, &first, "NaN notitle");
    g_string_append_c(plot, '\n');
}

static guint key_entries(const Layers *ly)
{
    guint n = (ly->paused > 0) + (ly->marks[MARK_ELECTED] > 0);
    for (int k = 0; k < MARK_KINDS; k++)
        n += ly->marks[k] > 0;
    for (guint k = 0; k < G_N_ELEMENTS(band_states); k++)
        n += ly->state_seen[k];
    for (int k = 0; k < 3; k++)
        n += ly->cls_seen[k];
    return n + (ly->msg_types->len < 16 ? ly->msg_types->len : 16);
}

/* A round tic step (1, 2 or 5 times a power of ten) for about n tics. */
static double tic_step(double span, int n)
{
    double raw = span / n, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
    double m = raw / p;
    return (m <= 1.05 ? 1 : m <= 2.1 ? 2 : m <= 5.25 ? 5 : 10) * p;
}

static void draw_rules(Picture *p, GString *gp, Unit u)
{
    for (guint i = 0; i < p->rules->len; i++) {
        const Rule *r = &g_array_index(p->rules, Rule, i);
        g_string_append(gp, "set arrow from ");
        put_x(gp, r->t, u);
        g_string_append(gp, ", graph 0 to ");
        put_x(gp, r->t, u);
        g_string_append(gp, ", graph 1 nohead dt 2 lw 1.5 lc rgb '#b22222' front\nset label ");
        put_label(gp, r->text);
        g_string_append(gp, " at ");
        put_x(gp, r->t, u);
        g_string_append(gp, ", graph 1 offset 0.3,0.6 tc rgb '#b22222' font ',9' front\n");
    }
}

static gboolean draw_spacetime(Picture *p, const char *dir, const char *title, SimTime end, gboolean breaks,
                               GString *report, GError **err)
{
    SimTime x0 = p->from, x1 = p->to == SIM_TIME_NEVER ? end : p->to;
    if (x1 <= x0)
        x1 = x0 + SIM_MS;
    Span panels[PANELS_MAX];
    guint np = find_panels(p, x0, x1, breaks, panels);
    SimTime widest = 0;
    for (guint i = 0; i < np; i++)
        widest = panels[i].b - panels[i].a > widest ? panels[i].b - panels[i].a : widest;
    Unit u = unit_for(widest);
    int nl = 0;
    guint hidden = 0;
    g_autofree int *row = lane_rows(p, &nl, &hidden);

    Layers ly = { .msg_types = g_ptr_array_new_with_free_func(g_free) };
    gboolean ok = write_bands(p, dir, row, u, &ly, err) && write_ops(p, dir, row, u, &ly, err) &&
                  write_arrows(p, dir, row, u, &ly, err) && write_marks(p, dir, row, u, &ly, err);
    g_autoptr(GString) plot = g_string_new(NULL);
    plot_command(&ly, plot);
    guint keys = key_entries(&ly);
    guint narrows = 0;
    for (guint i = 0; i < p->arrows->len; i++)
        narrows += row[g_array_index(p->arrows, Arrow, i).from] && row[g_array_index(p->arrows, Arrow, i).to];
    g_ptr_array_free(ly.msg_types, TRUE);
    if (!ok)
        return FALSE;

    /* Sizes in pixels, margins from them: the plot keeps 70 px above
     * for the title and 110 px below for the tics and the axis label. */
    int height = 180 + 40 * (nl < 3 ? 3 : nl);
    /* gnuplot fits the key into the graph's height: make room for it. */
    if (height < 190 + 19 * (int)keys)
        height = 190 + 19 * (int)keys;
    g_autoptr(GString) gp = g_string_new(NULL);
    out_gnuplot_preamble(gp, "spacetime", 1400, height);
    g_string_append_printf(gp, "set yrange [0.4:%d.6]\nset ytics (", nl);
    for (guint i = 0; i < p->lanes->len; i++)
        if (row[i])
            g_string_append_printf(gp, "%s\"%s\" %d", gp->str[gp->len - 1] == '(' ? "" : ", ",
                                   lane_at(p, (int)i)->name, row[i]);
    g_string_append_printf(gp, ")\nset grid noytics xtics\nset tmargin at screen %.4f\nset bmargin at screen %.4f\n"
                               "set key noenhanced samplen 2 spacing 1.1 Left reverse\nset format x '%%g'\n",
                           1.0 - 70.0 / height, 110.0 / height);
    draw_rules(p, gp, u);
    g_autoptr(GString) notes = g_string_new(NULL);
    if (np > 1)
        g_string_append(notes, ", the time axis skips what is quiet");
    if (hidden)
        g_string_append_printf(notes, ", %u more clients not drawn", hidden);
    if (p->arrows_dropped)
        g_string_append(notes, ", first arrows only");
    if (p->ops_in_window > OPS_DRAWN_MAX)
        g_string_append_printf(notes, ", %u operations not drawn", p->ops_in_window);
    g_string_append_printf(gp, "set multiplot title \"%s: space-time diagram%s%s%s\" noenhanced\n", title,
                           notes->len ? " (" : "", notes->len ? notes->str + 2 : "", notes->len ? ")" : "");
    g_string_append_printf(gp, "set label 1000 'simulated time (%s)' at screen 0.445, screen %.4f center\n", u.name,
                           28.0 / height);
    /* Panels share [0.05, 0.84] of the width in proportion to what they
     * show (each at least a seventh); the key sits to the right. */
    double left = 0.05, right = 0.84, gap = np > 1 ? 0.012 : 0, w[PANELS_MAX], sum = 0;
    SimTime total = 0;
    for (guint i = 0; i < np; i++)
        total += panels[i].b - panels[i].a;
    for (guint i = 0; i < np; i++) {
        w[i] = (double)(panels[i].b - panels[i].a) / (double)(total ? total : 1);
        w[i] = w[i] < 1.0 / 7 ? 1.0 / 7 : w[i];
        sum += w[i];
    }
    double x = left, avail = right - left - gap * (np - 1);
    for (guint i = 0; i < np; i++) {
        double wi = avail * w[i] / sum;
        /* About one tic per 80 px of panel, at least three. */
        int tics = (int)(wi * 1400 / 80) < 3 ? 3 : (int)(wi * 1400 / 80);
        double step = tic_step((double)(panels[i].b - panels[i].a) / (double)u.unit, tics);
        g_string_append_printf(gp, "set lmargin at screen %.4f\nset rmargin at screen %.4f\nset xrange [", x, x + wi);
        put_x(gp, panels[i].a, u);
        g_string_append_c(gp, ':');
        put_x(gp, panels[i].b, u);
        char sb[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append_printf(gp, "]\nset xtics %s rotate by -30\n", g_ascii_formatd(sb, sizeof sb, "%.10g", step));
        if (i == 1) {
            g_string_append(gp, "unset label 1000\nset ytics (");
            for (int k = 1; k <= nl; k++)
                g_string_append_printf(gp, "%s\"\" %d", k > 1 ? ", " : "", k);
            g_string_append(gp, ")\n");
        }
        if (i + 1 == np)
            g_string_append(gp, "set key outside right top vertical\n");
        else
            g_string_append(gp, "unset key\n");
        g_string_append(gp, plot->str);
        x += wi + gap;
    }
    g_string_append(gp, "unset multiplot\n");
    if (!out_gnuplot_draw(dir, "spacetime", gp, err))
        return FALSE;
    g_string_append_printf(report, "made    plots/spacetime.png, .svg (%d lanes, %u arrows%s)\n", nl, narrows,
                           p->traced_msgs ? "" : ", election notifications only");
    return TRUE;
}

/* ---- latency distributions ---- */

static gboolean draw_cdf(Picture *p, const char *dir, const char *title, GString *report, GError **err)
{
    if (!p->op_names->len) {
        g_string_append(report, "skipped latency-cdf: no client operations in the timeline (window)\n");
        return TRUE;
    }
    g_ptr_array_sort(p->op_names, cmp_strp);
    g_autoptr(GString) d = g_string_new(NULL);
    g_autoptr(GString) gp = g_string_new(NULL);
    out_gnuplot_preamble(gp, "latency-cdf", 1000, 620);
    g_string_append_printf(gp, "set title \"%s: latency of client operations\" noenhanced\n", title);
    int64_t lo = INT64_MAX, hi = 0;
    for (guint i = 0; i < p->op_names->len; i++) {
        OutSamples *s = g_hash_table_lookup(p->op_lat, g_ptr_array_index(p->op_names, i));
        int64_t a = out_samples_rank(s, 1), b = out_samples_rank(s, OUT_PMAX);
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
    }
    if (lo > 0 && hi / lo >= 50)
        g_string_append(gp, "set logscale x\n");
    g_string_append(gp, "set xlabel 'latency (ms)'\nset ylabel 'fraction of operations'\nset yrange [0:1]\n"
                        "set key bottom right noenhanced\n");
    gboolean first = TRUE;
    for (guint i = 0; i < p->op_names->len; i++) {
        const char *op = g_ptr_array_index(p->op_names, i);
        OutSamples *s = g_hash_table_lookup(p->op_lat, op);
        guint n = out_samples_count(s);
        g_string_append_printf(d, "# %s, %u operations\n", op, n);
        guint points = n < OUT_PLOT_CDF_POINTS ? n : OUT_PLOT_CDF_POINTS;
        for (guint k = 1; k <= points; k++) {
            uint32_t ppm = (uint32_t)((uint64_t)k * OUT_PMAX / points);
            int64_t v = out_samples_rank(s, ppm);
            g_string_append_printf(d, "%" PRId64 ".%06" PRId64 " %u.%06u\n", v / SIM_MS, v % SIM_MS, ppm / 1000000,
                                   ppm % 1000000);
        }
        g_string_append(d, "\n\n");
        static const guint32 rgb[] = { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                       0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf };
        g_autofree char *clause = g_strdup_printf("'latency-cdf.dat' index %u using 1:2 with steps lw 2 "
                                                  "lc rgb '#%06x' dt %u title '%s (%u)'",
                                                  i, rgb[i % G_N_ELEMENTS(rgb)], (guint)(1 + i / G_N_ELEMENTS(rgb)), op, n);
        plot_clause(gp, &first, clause);
    }
    g_string_append_c(gp, '\n');
    if (!out_write_file(dir, "latency-cdf.dat", d, err) || !out_gnuplot_draw(dir, "latency-cdf", gp, err))
        return FALSE;
    g_string_append_printf(report, "made    plots/latency-cdf.png, .svg (%u operation types)\n", p->op_names->len);
    return TRUE;
}

/* ---- throughput over time ---- */

typedef struct {
    GPtrArray *header; /* char * */
    GPtrArray *rows;   /* GStrv */
} Csv;

static void csv_clear(Csv *c)
{
    if (c->header)
        g_ptr_array_free(c->header, TRUE);
    if (c->rows)
        g_ptr_array_free(c->rows, TRUE);
}

static gboolean csv_read(const char *path, Csv *c, GError **err)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, err))
        return FALSE;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    c->header = g_ptr_array_new_with_free_func(g_free);
    c->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (char **l = lines; *l; l++) {
        if (!**l)
            continue;
        char **cells = g_strsplit(*l, ",", -1);
        if (!c->header->len) {
            for (char **x = cells; *x; x++)
                g_ptr_array_add(c->header, g_strdup(*x));
            g_strfreev(cells);
            continue;
        }
        if (g_strv_length(cells) != c->header->len) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: a row has %u cells, the header %u", path,
                        g_strv_length(cells), c->header->len);
            g_strfreev(cells);
            return FALSE;
        }
        g_ptr_array_add(c->rows, cells);
    }
    return TRUE;
}

static int csv_col(const Csv *c, const char *name)
{
    for (guint i = 0; i < c->header->len; i++)
        if (strcmp(g_ptr_array_index(c->header, i), name) == 0)
            return (int)i;
    return -1;
}

static gboolean col_has_data(const Csv *c, int col)
{
    for (guint r = 0; col >= 0 && r < c->rows->len; r++) {
        const char *v = ((char **)g_ptr_array_index(c->rows, r))[col];
        if (*v && g_ascii_strtod(v, NULL) != 0)
            return TRUE;
    }
    return FALSE;
}

/* Seconds text ("3.204117") to ns. */
static SimTime sec_to_ns(const char *s)
{
    return (SimTime)(g_ascii_strtod(s, NULL) * 1e9 + (s[0] == '-' ? -0.5 : 0.5));
}

static const char *fault_label(const char *kind)
{
    static const char *const map[][2] = {
        { "CRASH", "crash" },         { "RESTART", "restart" },        { "PAUSE", "pause" },
        { "RESUME", "resume" },       { "PARTITION", "partition" },    { "HEAL", "heal" },
        { "LINK_SET", "link" },       { "DISK_SLOW", "slow disk" },    { "CLOCK_DRIFT", "clock drift" },
        { "CLOCK_JUMP", "clock jump" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
        if (strcmp(kind, map[i][0]) == 0)
            return map[i][1];
    return NULL; /* not marked: CONN_BREAK, MSG_FILTER (too many) */
}

static gboolean draw_throughput(const char *run_dir, const char *dir, const OjValue *summary, SimTime from,
                                SimTime to, const char *title, GString *report, GError **err)
{
    g_autofree char *path = g_build_filename(run_dir, "metrics.csv", NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_string_append(report, "skipped throughput: no metrics.csv\n");
        return TRUE;
    }
    Csv c = { 0 };
    if (!csv_read(path, &c, err)) {
        csv_clear(&c);
        return FALSE;
    }
    static const char *const cols[] = { "ops_per_s", "read_per_s", "write_per_s", "commits_per_s" };
    static const char *const titles[] = { "all operations", "reads", "writes", "commits" };
    static const guint32 rgb[] = { 0x222222, 0x1f77b4, 0xff7f0e, 0x2ca02c };
    int idx[4], start = csv_col(&c, "start_s"), end = csv_col(&c, "end_s");
    for (int k = 0; k < 4; k++)
        idx[k] = csv_col(&c, cols[k]);
    if (start < 0 || end < 0 || idx[3] < 0) {
        csv_clear(&c);
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a zksim metrics.csv", path);
        return FALSE;
    }
    g_autoptr(GString) d = g_string_new("# middle_s ops_per_s read_per_s write_per_s commits_per_s\n");
    SimTime last = 0;
    for (guint r = 0; r < c.rows->len; r++) {
        char **cells = g_ptr_array_index(c.rows, r);
        SimTime a = sec_to_ns(cells[start]), b = sec_to_ns(cells[end]);
        last = b;
        if (b < from || a > to)
            continue;
        g_string_append_printf(d, "%" PRId64 ".%09" PRId64, (a + b) / 2 / SIM_S, (a + b) / 2 % SIM_S);
        for (int k = 0; k < 4; k++)
            g_string_append_printf(d, " %s", idx[k] >= 0 && *cells[idx[k]] ? cells[idx[k]] : "0");
        g_string_append_c(d, '\n');
    }
    gboolean have[4];
    for (int k = 0; k < 4; k++)
        have[k] = col_has_data(&c, idx[k]);
    csv_clear(&c);
    if (!out_write_file(dir, "throughput.dat", d, err))
        return FALSE;

    SimTime x1 = to == SIM_TIME_NEVER ? last : to;
    g_autoptr(GString) gp = g_string_new(NULL);
    out_gnuplot_preamble(gp, "throughput", 1200, 560);
    g_string_append_printf(gp, "set title \"%s: throughput\" noenhanced\n", title);
    g_string_append_printf(gp, "set xlabel 'simulated time (s)'\nset ylabel 'per second'\nset yrange [0:*]\n"
                               "set xrange [%" PRId64 ".%09" PRId64 ":%" PRId64 ".%09" PRId64 "]\n"
                               "set key outside bottom center horizontal noenhanced\nset bmargin 5\n"
                               "set offsets 0, 0, graph 0.14, 0\n",
                           from / SIM_S, from % SIM_S, x1 / SIM_S, x1 % SIM_S);
    /* Elections shaded, faults as rules. */
    const OjValue *els = oj_get(summary, "elections");
    for (guint i = 0; i < oj_len(els); i++) {
        SimTime a = oj_int_or(oj_get(oj_at(els, i), "start_ns"), 0), b = oj_int_or(oj_get(oj_at(els, i), "end_ns"), 0);
        if (b < from || a > x1)
            continue;
        g_string_append_printf(gp, "set object rect from %" PRId64 ".%09" PRId64 ", graph 0 to %" PRId64
                                   ".%09" PRId64 ", graph 1 fc rgb '#f2c14e' fs solid 0.35 noborder behind\n",
                               a / SIM_S, a % SIM_S, b / SIM_S, b % SIM_S);
    }
    const OjValue *faults = oj_path(summary, "faults/list");
    guint ruled = 0;
    for (guint i = 0; i < oj_len(faults) && ruled < RULES_MAX; i++) {
        const OjValue *f = oj_at(faults, i);
        SimTime t = oj_int_or(oj_get(f, "t_ns"), 0);
        const char *label = fault_label(oj_str_or(oj_get(f, "kind"), ""));
        if (!label || t < from || t > x1)
            continue;
        const char *node = oj_str_or(oj_get(f, "node"), "-");
        g_autofree char *text = strcmp(node, "-") ? g_strdup_printf("%s %s", label, node) : g_strdup(label);
        g_string_append_printf(gp, "set arrow from %" PRId64 ".%09" PRId64 ", graph 0 to %" PRId64 ".%09" PRId64
                                   ", graph 1 nohead dt 2 lw 1.5 lc rgb '#b22222' front\n",
                               t / SIM_S, t % SIM_S, t / SIM_S, t % SIM_S);
        /* Inside the headroom the offsets leave above the data,
         * alternating between two heights so that neighbours do not
         * collide. */
        g_string_append_printf(gp, "set label '%s' at %" PRId64 ".%09" PRId64 ", graph %s offset 0.3,0 "
                                   "tc rgb '#b22222' font ',9' front\n",
                               text, t / SIM_S, t % SIM_S, ruled % 2 ? "0.92" : "0.965");
        ruled++;
    }
    gboolean first = TRUE;
    for (int k = 0; k < 4; k++) {
        /* Reads and writes only when both kinds occur; commits always. */
        if (k < 3 && !have[k])
            continue;
        if ((k == 1 || k == 2) && !(have[1] && have[2]))
            continue;
        g_autofree char *clause = g_strdup_printf("'throughput.dat' using 1:%d with lines lw %s lc rgb '#%06x' "
                                                  "title '%s'",
                                                  k + 2, k == 0 ? "2.5" : "1.5", rgb[k], titles[k]);
        plot_clause(gp, &first, clause);
    }
    if (els && oj_len(els))
        plot_clause(gp, &first, "keyentry with boxes fs solid 0.35 noborder lc rgb '#f2c14e' title 'election'");
    g_string_append_c(gp, '\n');
    if (!out_gnuplot_draw(dir, "throughput", gp, err))
        return FALSE;
    g_string_append_printf(report, "made    plots/throughput.png, .svg%s\n",
                           have[0] ? "" : " (no client operations: commits only)");
    return TRUE;
}

/* ---- the command ---- */

static OjValue *read_summary(const char *run_dir, GError **err)
{
    g_autofree char *path = g_build_filename(run_dir, "summary.json", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return oj_parse("{}", -1, err);
    if (!g_file_get_contents(path, &text, &len, err))
        return NULL;
    g_autoptr(GError) e = NULL;
    OjValue *v = oj_parse(text, (gssize)len, &e);
    if (!v)
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, e->message);
    return v;
}

gboolean out_plot_run(const OutPlotOptions *o, GString *report, GError **err)
{
    if (!g_file_test(o->run_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such run directory", o->run_dir);
        return FALSE;
    }
    if (o->to <= o->from) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the window is empty (--to must be after --from)");
        return FALSE;
    }
    g_autoptr(OjValue) summary = read_summary(o->run_dir, err);
    if (!summary)
        return FALSE;
    g_autofree char *dir = g_build_filename(o->run_dir, "plots", NULL);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    g_autofree char *base = g_path_get_basename(oj_str_or(oj_get(summary, "scenario"), o->run_dir));
    g_autofree char *title = g_strdup_printf("%s, seed %" PRId64, base, oj_int_or(oj_get(summary, "seed"), 0));

    Picture p;
    picture_init(&p, o->from, o->to);
    gboolean ok = TRUE;
    g_autofree char *timeline = g_build_filename(o->run_dir, "timeline.jsonl", NULL);
    if (g_file_test(timeline, G_FILE_TEST_EXISTS)) {
        ok = read_timeline(&p, timeline, err);
        SimTime end = oj_int_or(oj_get(summary, "end_ns"), p.last);
        if (ok) {
            picture_close(&p, o->to == SIM_TIME_NEVER ? end : o->to);
            ok = draw_spacetime(&p, dir, title, end, o->breaks, report, err) && draw_cdf(&p, dir, title, report, err);
        }
    } else {
        g_string_append(report, "skipped spacetime, latency-cdf: no timeline.jsonl (run with --trace all or jsonl)\n");
    }
    ok = ok && draw_throughput(o->run_dir, dir, summary, o->from, o->to, title, report, err);
    picture_clear(&p);
    return ok;
}
