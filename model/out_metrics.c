/* out_metrics.c - see out_metrics.h. */
#include "out_metrics.h"

#include "out_stats.h"
#include "sim_map.h"
#include "sim_net.h"

#include <inttypes.h>
#include <string.h>

typedef enum {
    ROLE_NONE, /* not started */
    ROLE_LOOKING,
    ROLE_FOLLOWING,
    ROLE_LEADING,
    ROLE_OBSERVING,
    ROLE_DOWN,
    ROLE_PAUSED,
} Role;

static const char *const role_text[] = { "", "LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN", "PAUSED" };

/* Completed operations of one kind in the open interval. */
typedef struct {
    uint64_t count;
    uint64_t errors;
    OutSamples lat;
} Acc;

/* One kind's figures in a closed row. */
typedef struct {
    uint64_t count;
    gboolean has_lat;
    int64_t p50, p99;
} Fig;

/* Fixed kinds first, then the operation types by first occurrence. */
enum { K_READ, K_WRITE, K_FIXED };

typedef struct {
    SimTime start, end;
    uint64_t commits, ops, errors, elections;
    int leader;
    uint64_t msgs, bytes;
    GArray *figs;  /* Fig by kind; kinds that appeared later are absent */
    GArray *roles; /* guint8 Role by node */
} Row;

struct OutMetrics {
    Sim *sim;
    SimTime interval;
    gboolean count_messages;
    gboolean truncated;
    SimTime row_start;
    GArray *rows; /* Row */

    /* the open interval */
    uint64_t commits, ops, errors, elections;
    uint64_t msgs, bytes;   /* counted (count_messages) */
    SimLinkStats net_last;  /* sampled (otherwise) */
    GPtrArray *kind_names;  /* char *, K_FIXED onwards: operation types */
    SimStrMap kind_index; /* name (owned by kind_names) -> index + 1 */
    GArray *acc;            /* Acc by kind */

    /* the state */
    GArray *roles;  /* guint8 Role by node */
    GArray *paused; /* gboolean by node */
    int leader;     /* sid */
};

OutMetrics *out_metrics_new(Sim *sim, SimTime interval, SimTime planned_end, gboolean count_messages)
{
    OutMetrics *m = g_new0(OutMetrics, 1);
    m->sim = sim;
    m->interval = interval > 0 ? interval : 100 * SIM_MS;
    if (planned_end > 0 && planned_end != SIM_TIME_NEVER && planned_end / m->interval >= OUT_METRICS_ROWS_MAX)
        m->interval = (planned_end + OUT_METRICS_ROWS_MAX - 1) / OUT_METRICS_ROWS_MAX;
    m->count_messages = count_messages;
    m->rows = g_array_new(FALSE, TRUE, sizeof(Row));
    m->kind_names = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(m->kind_names, g_strdup("read"));
    g_ptr_array_add(m->kind_names, g_strdup("write"));
    sim_strmap_init(&m->kind_index);
    m->acc = g_array_new(FALSE, TRUE, sizeof(Acc));
    for (int k = 0; k < K_FIXED; k++) {
        Acc a = { 0 };
        out_samples_init(&a.lat);
        g_array_append_val(m->acc, a);
    }
    m->roles = g_array_new(FALSE, TRUE, sizeof(guint8));
    m->paused = g_array_new(FALSE, TRUE, sizeof(gboolean));
    return m;
}

void out_metrics_free(OutMetrics *m)
{
    if (!m)
        return;
    for (guint i = 0; i < m->rows->len; i++) {
        Row *r = &g_array_index(m->rows, Row, i);
        g_array_free(r->figs, TRUE);
        g_array_free(r->roles, TRUE);
    }
    g_array_free(m->rows, TRUE);
    for (guint k = 0; k < m->acc->len; k++)
        out_samples_clear(&g_array_index(m->acc, Acc, k).lat);
    g_array_free(m->acc, TRUE);
    sim_strmap_clear(&m->kind_index, NULL);
    g_ptr_array_free(m->kind_names, TRUE);
    g_array_free(m->roles, TRUE);
    g_array_free(m->paused, TRUE);
    g_free(m);
}

SimTime out_metrics_interval(const OutMetrics *m)
{
    return m->interval;
}

guint out_metrics_rows(const OutMetrics *m)
{
    return m->rows->len;
}

/* ---- the open interval ---- */

static guint kind_of(OutMetrics *m, const char *op)
{
    gpointer v = sim_strmap_get(&m->kind_index, op);
    if (v)
        return (guint)GPOINTER_TO_UINT(v) - 1;
    char *name = g_strdup(op);
    g_ptr_array_add(m->kind_names, name);
    guint k = m->kind_names->len - 1;
    sim_strmap_put(&m->kind_index, name, GUINT_TO_POINTER(k + 1));
    Acc a = { 0 };
    out_samples_init(&a.lat);
    g_array_append_val(m->acc, a);
    return k;
}

static void acc_add(Acc *a, gboolean error, gboolean has_lat, int64_t lat)
{
    a->count++;
    a->errors += error;
    if (has_lat)
        out_samples_add(&a->lat, lat);
}

static void close_row(OutMetrics *m, SimTime end)
{
    if (m->rows->len >= OUT_METRICS_ROWS_MAX) {
        m->truncated = TRUE;
        return;
    }
    Row r = {
        .start = m->row_start,
        .end = end,
        .commits = m->commits,
        .ops = m->ops,
        .errors = m->errors,
        .elections = m->elections,
        .leader = m->leader,
    };
    if (m->count_messages) {
        r.msgs = m->msgs;
        r.bytes = m->bytes;
    } else {
        SimLinkStats now = sim_net_total_stats(m->sim);
        r.msgs = now.msgs - m->net_last.msgs;
        r.bytes = now.bytes - m->net_last.bytes;
        m->net_last = now;
    }
    r.figs = g_array_sized_new(FALSE, TRUE, sizeof(Fig), m->acc->len);
    for (guint k = 0; k < m->acc->len; k++) {
        Acc *a = &g_array_index(m->acc, Acc, k);
        Fig f = { .count = a->count, .has_lat = out_samples_count(&a->lat) > 0 };
        if (f.has_lat) {
            f.p50 = out_samples_rank(&a->lat, OUT_P50);
            f.p99 = out_samples_rank(&a->lat, OUT_P99);
        }
        g_array_append_val(r.figs, f);
        a->count = a->errors = 0;
        out_samples_reset(&a->lat);
    }
    r.roles = g_array_sized_new(FALSE, TRUE, sizeof(guint8), m->roles->len);
    for (guint n = 0; n < m->roles->len; n++) {
        guint8 role = g_array_index(m->paused, gboolean, n) ? ROLE_PAUSED : g_array_index(m->roles, guint8, n);
        g_array_append_val(r.roles, role);
    }
    g_array_append_val(m->rows, r);
    m->commits = m->ops = m->errors = m->elections = 0;
    m->msgs = m->bytes = 0;
}

static void advance(OutMetrics *m, SimTime t)
{
    while (t >= m->row_start + m->interval) {
        close_row(m, m->row_start + m->interval);
        m->row_start += m->interval;
    }
}

static void set_role(OutMetrics *m, int node, Role r)
{
    if (node < 0)
        return;
    if ((guint)node >= m->roles->len) {
        g_array_set_size(m->roles, (guint)node + 1);
        g_array_set_size(m->paused, (guint)node + 1);
    }
    g_array_index(m->roles, guint8, node) = (guint8)r;
    if (r == ROLE_DOWN || r == ROLE_NONE)
        g_array_index(m->paused, gboolean, node) = FALSE;
}

static void set_paused(OutMetrics *m, int node, gboolean on)
{
    if (node < 0)
        return;
    if ((guint)node >= m->roles->len)
        set_role(m, node, ROLE_NONE);
    g_array_index(m->paused, gboolean, node) = on;
}

static int sid_of(OutMetrics *m, int node)
{
    return node >= 0 ? out_server_sid(sim_node_name(m->sim, node)) : 0;
}

static void on_op_end(OutMetrics *m, const SimTraceEvent *ev)
{
    char eb[32];
    const char *op = out_ev_str(ev, "op", "?");
    const char *err = out_ev_err(ev, eb, sizeof eb);
    gboolean error = g_ascii_strcasecmp(err, "Ok") != 0;
    gboolean has_lat = out_ev_has(ev, "latency") && !out_err_is_connection(err);
    int64_t lat = out_ev_int(ev, "latency", 0);
    m->ops++;
    m->errors += error;
    OutOpClass c = out_op_class(op);
    if (c == OUT_OP_READ || c == OUT_OP_WRITE)
        acc_add(&g_array_index(m->acc, Acc, c == OUT_OP_READ ? K_READ : K_WRITE), error, has_lat, lat);
    guint k = kind_of(m, op); /* may grow m->acc: index it after */
    acc_add(&g_array_index(m->acc, Acc, k), error, has_lat, lat);
}

void out_metrics_advance(OutMetrics *m, SimTime t)
{
    advance(m, t);
}

gboolean out_metrics_uses(OutEvType t)
{
    switch (t) {
    case OUT_EV_COMMIT:
    case OUT_EV_OP_END:
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_LEADING:
    case OUT_EV_OBSERVING:
    case OUT_EV_CRASH:
    case OUT_EV_START:
    case OUT_EV_RESTART:
    case OUT_EV_PAUSE:
    case OUT_EV_RESUME:
    case OUT_EV_ELECTION_DONE:
    case OUT_EV_MSG_SEND:
        return TRUE;
    default:
        return FALSE;
    }
}

void out_metrics_event(OutMetrics *m, const SimTraceEvent *ev, OutEvType t)
{
    advance(m, ev->time);
    switch (t) {
    case OUT_EV_COMMIT:
        m->commits++;
        break;
    case OUT_EV_OP_END:
        on_op_end(m, ev);
        break;
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_LEADING:
    case OUT_EV_OBSERVING:
        set_role(m, ev->node, t == OUT_EV_LOOKING     ? ROLE_LOOKING
                              : t == OUT_EV_FOLLOWING ? ROLE_FOLLOWING
                              : t == OUT_EV_LEADING   ? ROLE_LEADING
                                                      : ROLE_OBSERVING);
        if (t != OUT_EV_LEADING && m->leader && sid_of(m, ev->node) == m->leader)
            m->leader = 0;
        break;
    case OUT_EV_CRASH:
        set_role(m, ev->node, ROLE_DOWN);
        if (m->leader && sid_of(m, ev->node) == m->leader)
            m->leader = 0;
        break;
    case OUT_EV_START:
    case OUT_EV_RESTART:
        set_role(m, ev->node, ROLE_NONE);
        break;
    case OUT_EV_PAUSE:
        set_paused(m, ev->node, TRUE);
        break;
    case OUT_EV_RESUME:
        set_paused(m, ev->node, FALSE);
        break;
    case OUT_EV_ELECTION_DONE:
        m->elections++;
        m->leader = (int)out_ev_int(ev, "leader", 0);
        break;
    case OUT_EV_MSG_SEND:
        if (m->count_messages) {
            m->msgs++;
            m->bytes += (uint64_t)out_ev_int(ev, "size", 0);
        }
        break;
    default:
        break;
    }
}

void out_metrics_finish(OutMetrics *m, SimTime end)
{
    advance(m, end);
    if (end > m->row_start) {
        close_row(m, end);
        m->row_start = end;
    }
}

/* ---- writing ---- */

static void put_ms(GString *out, int64_t ns)
{
    g_string_append_printf(out, ",%" PRId64 ".%06" PRId64, ns / SIM_MS, ns % SIM_MS);
}

static void put_rate(GString *out, uint64_t count, SimTime len)
{
    char b[G_ASCII_DTOSTR_BUF_SIZE];
    double r = len > 0 ? (double)count * (double)SIM_S / (double)len : 0;
    g_string_append_c(out, ',');
    g_string_append(out, g_ascii_formatd(b, sizeof b, "%.6g", r));
}

static void put_name(GString *out, const char *s)
{
    for (; *s; s++)
        g_string_append_c(out, g_ascii_isalnum(*s) ? *s : '_');
}

static gint cmp_name(gconstpointer a, gconstpointer b, gpointer names)
{
    guint x = *(const guint *)a, y = *(const guint *)b;
    return strcmp(g_ptr_array_index((GPtrArray *)names, x), g_ptr_array_index((GPtrArray *)names, y));
}

void out_metrics_write_csv(OutMetrics *m, GString *out)
{
    /* Operation columns by name; the fixed classes first. */
    GArray *order = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint k = K_FIXED; k < m->kind_names->len; k++)
        g_array_append_val(order, k);
    g_array_sort_with_data(order, cmp_name, m->kind_names);
    for (guint k = K_FIXED; k-- > 0;)
        g_array_prepend_val(order, k);
    /* Servers, by node id. */
    GArray *servers = g_array_new(FALSE, FALSE, sizeof(int));
    for (int n = 0; n < sim_node_count(m->sim); n++)
        if (out_server_sid(sim_node_name(m->sim, n)))
            g_array_append_val(servers, n);

    g_string_append(out, "start_s,end_s,commits,commits_per_s,ops,ops_per_s,errors");
    for (guint i = 0; i < order->len; i++) {
        const char *name = g_ptr_array_index(m->kind_names, g_array_index(order, guint, i));
        g_string_append_c(out, ',');
        put_name(out, name);
        g_string_append(out, "_per_s,");
        put_name(out, name);
        g_string_append(out, "_p50_ms,");
        put_name(out, name);
        g_string_append(out, "_p99_ms");
    }
    g_string_append(out, ",elections,leader,net_msgs,net_bytes");
    for (guint i = 0; i < servers->len; i++)
        g_string_append_printf(out, ",role_%s", sim_node_name(m->sim, g_array_index(servers, int, i)));
    g_string_append_c(out, '\n');

    char tb[SIM_TIME_STR_LEN];
    for (guint ri = 0; ri < m->rows->len; ri++) {
        const Row *r = &g_array_index(m->rows, Row, ri);
        SimTime len = r->end - r->start;
        g_string_append(out, sim_time_format_sec(r->start, tb));
        g_string_append_c(out, ',');
        g_string_append(out, sim_time_format_sec(r->end, tb));
        g_string_append_printf(out, ",%" PRIu64, r->commits);
        put_rate(out, r->commits, len);
        g_string_append_printf(out, ",%" PRIu64, r->ops);
        put_rate(out, r->ops, len);
        g_string_append_printf(out, ",%" PRIu64, r->errors);
        for (guint i = 0; i < order->len; i++) {
            guint k = g_array_index(order, guint, i);
            Fig f = k < r->figs->len ? g_array_index(r->figs, Fig, k) : (Fig){ 0 };
            put_rate(out, f.count, len);
            if (f.has_lat) {
                put_ms(out, f.p50);
                put_ms(out, f.p99);
            } else {
                g_string_append(out, ",,");
            }
        }
        g_string_append_printf(out, ",%" PRIu64 ",%d,%" PRIu64 ",%" PRIu64, r->elections, r->leader, r->msgs,
                               r->bytes);
        for (guint i = 0; i < servers->len; i++) {
            int n = g_array_index(servers, int, i);
            guint8 role = (guint)n < r->roles->len ? g_array_index(r->roles, guint8, n) : ROLE_NONE;
            g_string_append_c(out, ',');
            g_string_append(out, role_text[role]);
        }
        g_string_append_c(out, '\n');
    }
    g_array_free(order, TRUE);
    g_array_free(servers, TRUE);
}
