/* out_run.c - see out_run.h.
 *
 * The sink keeps whole-run figures itself and hands every event to the
 * interval series (out_metrics) and the Chrome trace (out_chrome).  All
 * figures are integers (nanoseconds, counts) until they are printed.
 */
#include "out_run.h"

#include "out_chrome.h"
#include "out_event.h"
#include "out_json.h"
#include "out_metrics.h"
#include "out_progress.h"
#include "out_stats.h"
#include "sim_map.h"
#include "sim_net.h"
#include "sim_trace.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* Faults listed one by one in summary.json (all are counted). */
#define FAULTS_LISTED_MAX 1000
/* Progress is looked at every this many events. */
#define PROGRESS_EVERY 1024

typedef struct {
    int leader;
    int64_t epoch;
    SimTime start, end;
    uint64_t notifications;
} Election;

typedef struct {
    SimTime from;
    int leader; /* 0: none */
    int64_t epoch;
} LeaderSpan;

typedef struct {
    SimTime t;
    OutEvType kind;
    int node;
    char *detail;
} Fault;

/* Completed operations of one kind. */
typedef struct {
    uint64_t count, errors;
    OutSamples lat; /* ns, of those that reached a server */
} OpAcc;

enum { C_READ, C_WRITE, C_ALL, C_COUNT };

struct OutRun {
    Sim *sim;
    char *out_dir, *scenario, *version;
    uint64_t seed;
    OutParam *params;
    guint n_params;
    SimTime planned_end;
    gboolean finished;

    SimTraceTypeCache types; /* type id -> OutEvType */
    OutMetrics *metrics;
    OutChrome *chrome;
    FILE *chrome_f;
    OutProgress *progress;
    uint64_t traced;

    GArray *elections; /* Election */
    GArray *leaders;   /* LeaderSpan */
    int leader;
    int64_t epoch;
    uint64_t commits, proposals;

    OpAcc classes[C_COUNT];
    GPtrArray *op_names; /* char *, first-occurrence order */
    SimStrMap op_index; /* name (owned by op_names) -> index + 1 */
    GArray *ops;         /* OpAcc by op_names index */

    uint64_t reads_checked, stale_reads;
    OutSamples stale_txns, stale_ns;
    uint64_t watches_set, watches_triggered, watches_delivered;
    OutSamples watch_lat;
    uint64_t sessions_created, sessions_expired, sessions_expired_leader, sessions_moved;
    uint64_t connects, disconnects;

    uint64_t fault_counts[OUT_EV_COUNT];
    uint64_t faults_total;
    GArray *faults; /* Fault, the first FAULTS_LISTED_MAX */

    uint64_t violations;
    char *first_violation;

    /* from out_run_finish */
    char *status, *failure;
    SimTime end;
    uint64_t events;
    double wall_s;
    long peak_rss_kib;
    SimLinkStats net;
};

/* ---- parameters ---- */

OutParam *out_params_from_scn(const ScnParams *p, guint *n)
{
    size_t count;
    const ScnParamInfo *tab = scn_param_table(&count);
    OutParam *v = g_new0(OutParam, count);
    g_autoptr(GString) s = g_string_new(NULL);
    for (size_t i = 0; i < count; i++) {
        g_string_truncate(s, 0);
        scn_param_format_value(p, &tab[i], s);
        v[i].name = g_strdup(tab[i].name);
        v[i].value = g_strdup(s->str);
    }
    *n = (guint)count;
    return v;
}

void out_params_free(OutParam *v, guint n)
{
    for (guint i = 0; v && i < n; i++) {
        g_free((char *)v[i].name);
        g_free((char *)v[i].value);
    }
    g_free(v);
}

static const char *param(const OutRun *o, const char *name)
{
    for (guint i = 0; i < o->n_params; i++)
        if (strcmp(o->params[i].name, name) == 0)
            return o->params[i].value;
    return NULL;
}

static gboolean param_true(const OutRun *o, const char *name)
{
    const char *v = param(o, name);
    return v && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || strcmp(v, "1") == 0);
}

/* ---- following the trace ---- */

static int sid_of(const OutRun *o, int node)
{
    return node >= 0 ? out_server_sid(sim_node_name(o->sim, node)) : 0;
}

static void leader_lost(OutRun *o, const SimTraceEvent *ev)
{
    if (!o->leader || sid_of(o, ev->node) != o->leader)
        return;
    o->leader = 0;
    LeaderSpan s = { ev->time, 0, -1 };
    g_array_append_val(o->leaders, s);
}

static void on_election_done(OutRun *o, const SimTraceEvent *ev)
{
    SimTime took = out_ev_int(ev, "took", 0);
    Election e = {
        .leader = (int)out_ev_int(ev, "leader", sid_of(o, ev->node)),
        .epoch = out_ev_int(ev, "epoch", -1),
        .start = ev->time - took,
        .end = ev->time,
        .notifications = (uint64_t)out_ev_int(ev, "notifications", 0),
    };
    g_array_append_val(o->elections, e);
    o->leader = e.leader;
    o->epoch = e.epoch;
    LeaderSpan s = { ev->time, e.leader, e.epoch };
    g_array_append_val(o->leaders, s);
}

static OpAcc *op_acc(OutRun *o, const char *op)
{
    gpointer v = sim_strmap_get(&o->op_index, op);
    if (v)
        return &g_array_index(o->ops, OpAcc, GPOINTER_TO_UINT(v) - 1);
    char *name = g_strdup(op);
    g_ptr_array_add(o->op_names, name);
    sim_strmap_put(&o->op_index, name, GUINT_TO_POINTER(o->op_names->len));
    OpAcc a = { 0 };
    out_samples_init(&a.lat);
    g_array_append_val(o->ops, a);
    return &g_array_index(o->ops, OpAcc, o->ops->len - 1);
}

static void acc_add(OpAcc *a, gboolean error, gboolean has_lat, int64_t lat)
{
    a->count++;
    a->errors += error;
    if (has_lat)
        out_samples_add(&a->lat, lat);
}

static void on_op_end(OutRun *o, const SimTraceEvent *ev)
{
    char eb[32];
    const char *op = out_ev_str(ev, "op", "?");
    const char *err = out_ev_err(ev, eb, sizeof eb);
    gboolean error = g_ascii_strcasecmp(err, "Ok") != 0;
    gboolean has_lat = out_ev_has(ev, "latency") && !out_err_is_connection(err);
    int64_t lat = out_ev_int(ev, "latency", 0);
    OutOpClass c = out_op_class(op);
    if (c != OUT_OP_OTHER)
        acc_add(&o->classes[c == OUT_OP_READ ? C_READ : C_WRITE], error, has_lat, lat);
    acc_add(&o->classes[C_ALL], error, has_lat, lat);
    acc_add(op_acc(o, op), error, has_lat, lat);
    if (c == OUT_OP_READ && !error && out_ev_has(ev, "stale_txns")) {
        int64_t txns = out_ev_int(ev, "stale_txns", 0);
        o->reads_checked++;
        o->stale_reads += txns > 0;
        out_samples_add(&o->stale_txns, txns);
        out_samples_add(&o->stale_ns, out_ev_int(ev, "stale_ns", out_ev_int(ev, "stale", 0)));
    }
}

static void on_fault(OutRun *o, const SimTraceEvent *ev, OutEvType t)
{
    o->fault_counts[t]++;
    o->faults_total++;
    if (o->faults->len >= FAULTS_LISTED_MAX)
        return;
    g_autoptr(GString) d = g_string_new(NULL);
    out_ev_format_fields(o->sim, ev, d);
    Fault f = { ev->time, t, ev->node, g_string_free(g_steal_pointer(&d), FALSE) };
    g_array_append_val(o->faults, f);
}

static void follow(OutRun *o, const SimTraceEvent *ev, OutEvType t)
{
    switch (t) {
    case OUT_EV_ELECTION_DONE:
        on_election_done(o, ev);
        break;
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_OBSERVING:
    case OUT_EV_LEADER_SHUTDOWN:
        leader_lost(o, ev);
        break;
    case OUT_EV_COMMIT:
        o->commits++;
        break;
    case OUT_EV_PROPOSAL:
        o->proposals++;
        break;
    case OUT_EV_OP_END:
        on_op_end(o, ev);
        break;
    case OUT_EV_WATCH_SET:
        o->watches_set++;
        break;
    case OUT_EV_WATCH_TRIGGERED:
        o->watches_triggered++;
        break;
    case OUT_EV_WATCH_EVENT:
        o->watches_delivered++;
        if (out_ev_has(ev, "latency"))
            out_samples_add(&o->watch_lat, out_ev_int(ev, "latency", 0));
        break;
    case OUT_EV_SESSION_CREATED:
        o->sessions_created++;
        break;
    case OUT_EV_SESSION_EXPIRED:
        o->sessions_expired++;
        break;
    case OUT_EV_SESSION_EXPIRE:
        o->sessions_expired_leader++;
        break;
    case OUT_EV_SESSION_MOVED:
        o->sessions_moved++;
        break;
    case OUT_EV_CONNECT:
        o->connects++;
        break;
    case OUT_EV_DISCONNECT:
        o->disconnects++;
        break;
    case OUT_EV_FAIL:
        o->violations++;
        if (!o->first_violation)
            o->first_violation = g_strdup(out_ev_str(ev, "what", "?"));
        break;
    default:
        break;
    }
    if (t == OUT_EV_CRASH)
        leader_lost(o, ev);
    if (out_ev_is_fault(t))
        on_fault(o, ev, t);
}

/* The types follow() and the metrics act on; without a Chrome trace
 * (which shows everything) the run's sink sees only these. */
static gboolean uses(OutEvType t)
{
    switch (t) {
    case OUT_EV_ELECTION_DONE:
    case OUT_EV_LOOKING:
    case OUT_EV_FOLLOWING:
    case OUT_EV_OBSERVING:
    case OUT_EV_LEADER_SHUTDOWN:
    case OUT_EV_COMMIT:
    case OUT_EV_PROPOSAL:
    case OUT_EV_OP_END:
    case OUT_EV_WATCH_SET:
    case OUT_EV_WATCH_TRIGGERED:
    case OUT_EV_WATCH_EVENT:
    case OUT_EV_SESSION_CREATED:
    case OUT_EV_SESSION_EXPIRED:
    case OUT_EV_SESSION_EXPIRE:
    case OUT_EV_SESSION_MOVED:
    case OUT_EV_CONNECT:
    case OUT_EV_DISCONNECT:
    case OUT_EV_FAIL:
    case OUT_EV_CRASH:
        return TRUE;
    default:
        return out_ev_is_fault(t) || out_metrics_uses(t);
    }
}

static gboolean wants(const char *type, void *user)
{
    (void)user;
    return uses(out_ev_type_of(type));
}

static void on_event(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    OutRun *o = user;
    if (o->finished)
        return;
    OutEvType t = (OutEvType)sim_trace_cache_get(&o->types, ev, out_ev_type_int);
    follow(o, ev, t);
    out_metrics_event(o->metrics, ev, t);
    if (o->chrome)
        out_chrome_event(o->chrome, ev, t);
}

/* Every event, wanted or not: the count, the metrics' rows, progress. */
static void on_tick(Sim *sim, SimTime t, void *user)
{
    OutRun *o = user;
    if (o->finished)
        return;
    o->traced++;
    out_metrics_advance(o->metrics, t);
    if (o->progress && o->traced % PROGRESS_EVERY == 0)
        out_progress_sim(o->progress, t, o->planned_end, sim_events_run(sim));
}

/* ---- life cycle ---- */

OutRun *out_run_new(Sim *sim, const OutRunInfo *info, GError **err)
{
    OutRun *o = g_new0(OutRun, 1);
    o->sim = sim;
    o->out_dir = g_strdup(info->out_dir);
    o->scenario = g_strdup(info->scenario);
    o->version = g_strdup(info->version);
    o->seed = info->seed;
    o->n_params = info->n_params;
    o->params = g_new0(OutParam, info->n_params + 1);
    for (guint i = 0; i < info->n_params; i++) {
        o->params[i].name = g_strdup(info->params[i].name);
        o->params[i].value = g_strdup(info->params[i].value);
    }
    o->planned_end = info->end;
    sim_trace_cache_init(&o->types);
    gboolean msgs = param_true(o, "net.traceMessages");
    o->metrics = out_metrics_new(sim, info->metrics_interval, info->end, msgs);
    o->elections = g_array_new(FALSE, FALSE, sizeof(Election));
    o->leaders = g_array_new(FALSE, FALSE, sizeof(LeaderSpan));
    o->epoch = -1;
    for (int c = 0; c < C_COUNT; c++)
        out_samples_init(&o->classes[c].lat);
    o->op_names = g_ptr_array_new_with_free_func(g_free);
    sim_strmap_init(&o->op_index);
    o->ops = g_array_new(FALSE, FALSE, sizeof(OpAcc));
    out_samples_init(&o->stale_txns);
    out_samples_init(&o->stale_ns);
    out_samples_init(&o->watch_lat);
    o->faults = g_array_new(FALSE, FALSE, sizeof(Fault));
    if (o->out_dir) {
        if (g_mkdir_with_parents(o->out_dir, 0755) != 0) {
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot create directory: %s",
                        o->out_dir, g_strerror(errno));
            goto fail;
        }
        if (info->chrome_trace) {
            g_autofree char *path = g_build_filename(o->out_dir, "trace.json", NULL);
            if (!(o->chrome_f = fopen(path, "w"))) {
                g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot write: %s", path,
                            g_strerror(errno));
                goto fail;
            }
            o->chrome = out_chrome_new(sim, o->chrome_f, !msgs);
        }
    }
    if (info->progress)
        o->progress = out_progress_new("run", FALSE);
    if (o->chrome)
        sim_trace_add_callback(sim, on_event, o);
    else
        sim_trace_add_callback_for(sim, on_event, wants, o);
    sim_trace_add_tick(sim, on_tick, o);
    return o;
fail:
    out_run_free(o);
    return NULL;
}

void out_run_free(OutRun *o)
{
    if (!o)
        return;
    out_progress_free(o->progress);
    out_chrome_free(o->chrome);
    if (o->chrome_f)
        fclose(o->chrome_f);
    out_metrics_free(o->metrics);
    sim_trace_cache_clear(&o->types);
    g_array_free(o->elections, TRUE);
    g_array_free(o->leaders, TRUE);
    for (int c = 0; c < C_COUNT; c++)
        out_samples_clear(&o->classes[c].lat);
    for (guint i = 0; i < o->ops->len; i++)
        out_samples_clear(&g_array_index(o->ops, OpAcc, i).lat);
    g_array_free(o->ops, TRUE);
    sim_strmap_clear(&o->op_index, NULL);
    g_ptr_array_free(o->op_names, TRUE);
    out_samples_clear(&o->stale_txns);
    out_samples_clear(&o->stale_ns);
    out_samples_clear(&o->watch_lat);
    for (guint i = 0; i < o->faults->len; i++)
        g_free(g_array_index(o->faults, Fault, i).detail);
    g_array_free(o->faults, TRUE);
    for (guint i = 0; i < o->n_params; i++) {
        g_free((char *)o->params[i].name);
        g_free((char *)o->params[i].value);
    }
    g_free(o->params);
    g_free(o->first_violation);
    g_free(o->status);
    g_free(o->failure);
    g_free(o->out_dir);
    g_free(o->scenario);
    g_free(o->version);
    g_free(o);
}

uint64_t out_run_commits(const OutRun *o)
{
    return o->commits;
}

guint out_run_elections(const OutRun *o)
{
    return o->elections->len;
}

uint64_t out_run_operations(const OutRun *o)
{
    return o->classes[C_ALL].count;
}

/* ---- summary.json ---- */

static void json_samples(OutJson *j, const char *key, OutSamples *s)
{
    oj_object(j, key);
    guint n = out_samples_count(s);
    oj_uint(j, "count", n);
    if (n) {
        oj_int(j, "mean", out_samples_sum(s) / (int64_t)n);
        oj_int(j, "p50", out_samples_rank(s, OUT_P50));
        oj_int(j, "p90", out_samples_rank(s, OUT_P90));
        oj_int(j, "p99", out_samples_rank(s, OUT_P99));
        oj_int(j, "p999", out_samples_rank(s, OUT_P999));
        oj_int(j, "max", out_samples_rank(s, OUT_PMAX));
    }
    oj_end(j);
}

static void json_acc(OutJson *j, const char *key, OpAcc *a)
{
    oj_object(j, key);
    oj_uint(j, "count", a->count);
    oj_uint(j, "errors", a->errors);
    json_samples(j, "latency_ns", &a->lat);
    oj_end(j);
}

static double per_s(uint64_t n, SimTime t)
{
    return t > 0 ? (double)n * (double)SIM_S / (double)t : 0;
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *node_name(const OutRun *o, int node)
{
    return node >= 0 && node < sim_node_count(o->sim) ? sim_node_name(o->sim, node) : "-";
}

static void json_elections(OutRun *o, OutJson *j)
{
    OutSamples d;
    out_samples_init(&d);
    oj_array(j, "elections");
    for (guint i = 0; i < o->elections->len; i++) {
        const Election *e = &g_array_index(o->elections, Election, i);
        oj_object(j, NULL);
        oj_int(j, "leader", e->leader);
        oj_int(j, "epoch", e->epoch);
        oj_int(j, "start_ns", e->start);
        oj_int(j, "end_ns", e->end);
        oj_int(j, "duration_ns", e->end - e->start);
        oj_uint(j, "notifications", e->notifications);
        oj_end(j);
        out_samples_add(&d, e->end - e->start);
    }
    oj_end(j);
    json_samples(j, "election_duration_ns", &d);
    out_samples_clear(&d);
    oj_array(j, "leaders_by_time");
    for (guint i = 0; i < o->leaders->len; i++) {
        const LeaderSpan *l = &g_array_index(o->leaders, LeaderSpan, i);
        oj_object(j, NULL);
        oj_int(j, "from_ns", l->from);
        if (l->leader) {
            oj_int(j, "leader", l->leader);
            oj_int(j, "epoch", l->epoch);
        } else {
            oj_null(j, "leader");
            oj_null(j, "epoch");
        }
        oj_end(j);
    }
    oj_end(j);
}

static void json_operations(OutRun *o, OutJson *j)
{
    oj_object(j, "throughput");
    oj_dbl(j, "commits_per_s", per_s(o->commits, o->end));
    oj_dbl(j, "ops_per_s", per_s(o->classes[C_ALL].count, o->end));
    oj_dbl(j, "reads_per_s", per_s(o->classes[C_READ].count, o->end));
    oj_dbl(j, "writes_per_s", per_s(o->classes[C_WRITE].count, o->end));
    oj_end(j);
    oj_object(j, "operations");
    json_acc(j, "all", &o->classes[C_ALL]);
    json_acc(j, "read", &o->classes[C_READ]);
    json_acc(j, "write", &o->classes[C_WRITE]);
    oj_object(j, "by_type");
    g_autoptr(GPtrArray) names = g_ptr_array_copy(o->op_names, NULL, NULL);
    g_ptr_array_set_free_func(names, NULL); /* the copy would free the elements */
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        json_acc(j, n, op_acc(o, n));
    }
    oj_end(j);
    oj_end(j);
    oj_object(j, "staleness");
    oj_uint(j, "reads", o->reads_checked);
    oj_uint(j, "stale_reads", o->stale_reads);
    json_samples(j, "txns", &o->stale_txns);
    json_samples(j, "ns", &o->stale_ns);
    oj_end(j);
    oj_object(j, "watches");
    oj_uint(j, "set", o->watches_set);
    oj_uint(j, "triggered", o->watches_triggered);
    oj_uint(j, "delivered", o->watches_delivered);
    json_samples(j, "delivery_latency_ns", &o->watch_lat);
    oj_end(j);
    oj_object(j, "sessions");
    oj_uint(j, "created", o->sessions_created);
    oj_uint(j, "expired", o->sessions_expired);
    oj_uint(j, "expired_by_leader", o->sessions_expired_leader);
    oj_uint(j, "moved", o->sessions_moved);
    oj_uint(j, "connects", o->connects);
    oj_uint(j, "disconnects", o->disconnects);
    oj_end(j);
}

static void json_faults(OutRun *o, OutJson *j)
{
    oj_object(j, "faults");
    oj_uint(j, "total", o->faults_total);
    oj_object(j, "counts");
    for (int t = 0; t < OUT_EV_COUNT; t++)
        if (o->fault_counts[t])
            oj_uint(j, out_ev_name((OutEvType)t), o->fault_counts[t]);
    oj_end(j);
    oj_array(j, "list");
    for (guint i = 0; i < o->faults->len; i++) {
        const Fault *f = &g_array_index(o->faults, Fault, i);
        oj_object(j, NULL);
        oj_int(j, "t_ns", f->t);
        oj_str(j, "kind", out_ev_name(f->kind));
        oj_str(j, "node", node_name(o, f->node));
        oj_str(j, "detail", f->detail);
        oj_end(j);
    }
    oj_end(j);
    oj_bool(j, "list_truncated", o->faults_total > o->faults->len);
    oj_end(j);
}

static void summary_json(OutRun *o, GString *s)
{
    OutJson j;
    oj_init(&j, s, TRUE);
    oj_object(&j, NULL);
    oj_str(&j, "zksim_version", o->version);
    oj_str(&j, "scenario", o->scenario);
    oj_uint(&j, "seed", o->seed);
    oj_object(&j, "parameters");
    for (guint i = 0; i < o->n_params; i++)
        oj_str(&j, o->params[i].name, o->params[i].value);
    oj_end(&j);
    oj_str(&j, "status", o->status);
    oj_str(&j, "failure", o->failure);
    oj_int(&j, "end_ns", o->end);
    oj_uint(&j, "events", o->events);
    oj_uint(&j, "traced_events", o->traced);
    oj_dbl(&j, "wall_s", o->wall_s);
    oj_int(&j, "peak_rss_kib", o->peak_rss_kib);
    oj_object(&j, "leader");
    if (o->leader) {
        oj_int(&j, "sid", o->leader);
        oj_int(&j, "epoch", o->epoch);
    } else {
        oj_null(&j, "sid");
        oj_null(&j, "epoch");
    }
    oj_end(&j);
    json_elections(o, &j);
    oj_uint(&j, "commits", o->commits);
    oj_uint(&j, "proposals", o->proposals);
    json_operations(o, &j);
    json_faults(o, &j);
    oj_object(&j, "invariants");
    oj_bool(&j, "held", o->violations == 0);
    oj_uint(&j, "violations", o->violations);
    oj_str(&j, "first", o->first_violation);
    oj_end(&j);
    oj_object(&j, "network");
    oj_uint(&j, "messages", o->net.msgs);
    oj_uint(&j, "bytes", o->net.bytes);
    oj_uint(&j, "dropped", o->net.dropped);
    oj_end(&j);
    oj_int(&j, "metrics_interval_ns", out_metrics_interval(o->metrics));
    oj_end(&j);
    g_string_append_c(s, '\n');
}

static gboolean write_file(const char *dir, const char *name, const GString *s, GError **err)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    return g_file_set_contents(path, s->str, (gssize)s->len, err);
}

gboolean out_run_finish(OutRun *o, const OutRunEnd *end, GError **err)
{
    g_assert(!o->finished);
    o->finished = TRUE;
    out_progress_clear(o->progress);
    o->status = g_strdup(end->status);
    o->failure = g_strdup(end->failure);
    o->end = end->end;
    o->events = end->events;
    o->wall_s = end->wall_s;
    o->peak_rss_kib = end->peak_rss_kib;
    o->net = sim_net_total_stats(o->sim);
    out_metrics_finish(o->metrics, end->end);
    gboolean ok = TRUE;
    if (o->chrome) {
        g_autofree char *extra = g_strdup_printf("\"seed\":%" PRIu64, o->seed);
        if (!out_chrome_finish(o->chrome, end->end, extra)) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "%s/trace.json: write error", o->out_dir);
            ok = FALSE;
        }
    }
    if (!o->out_dir)
        return ok;
    g_autoptr(GString) s = g_string_new(NULL);
    summary_json(o, s);
    if (ok && !write_file(o->out_dir, "summary.json", s, err))
        ok = FALSE;
    g_string_truncate(s, 0);
    out_metrics_write_csv(o->metrics, s);
    if (ok && !write_file(o->out_dir, "metrics.csv", s, err))
        ok = FALSE;
    return ok;
}

/* ---- the one-screen summary ---- */

static const char *tshort(SimTime t, char *b)
{
    return sim_time_format_short(t, b);
}

static void print_latency_row(FILE *f, const char *name, OpAcc *a)
{
    char b[4][SIM_TIME_STR_LEN], m[SIM_TIME_STR_LEN];
    guint n = out_samples_count(&a->lat);
    if (!a->count)
        return;
    if (!n) {
        fprintf(f, "  %-12s %8" PRIu64 " %7" PRIu64 "\n", name, a->count, a->errors);
        return;
    }
    fprintf(f, "  %-12s %8" PRIu64 " %7" PRIu64 "  %9s %9s %9s %9s %9s\n", name, a->count, a->errors,
            tshort(out_samples_rank(&a->lat, OUT_P50), b[0]), tshort(out_samples_rank(&a->lat, OUT_P90), b[1]),
            tshort(out_samples_rank(&a->lat, OUT_P99), b[2]), tshort(out_samples_rank(&a->lat, OUT_P999), b[3]),
            tshort(out_samples_rank(&a->lat, OUT_PMAX), m));
}

static void print_operations(OutRun *o, FILE *f)
{
    if (!o->classes[C_ALL].count)
        return;
    fprintf(f, "operations  %" PRIu64 " (%.1f/s), %" PRIu64 " errors\n", o->classes[C_ALL].count,
            per_s(o->classes[C_ALL].count, o->end), o->classes[C_ALL].errors);
    fprintf(f, "  %-12s %8s %7s  %9s %9s %9s %9s %9s\n", "latency", "count", "errors", "p50", "p90", "p99", "p99.9",
            "max");
    print_latency_row(f, "read", &o->classes[C_READ]);
    print_latency_row(f, "write", &o->classes[C_WRITE]);
    g_autoptr(GPtrArray) names = g_ptr_array_copy(o->op_names, NULL, NULL);
    g_ptr_array_set_free_func(names, NULL); /* the copy would free the elements */
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        print_latency_row(f, n, op_acc(o, n));
    }
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN];
    if (o->reads_checked)
        fprintf(f, "stale reads %" PRIu64 " of %" PRIu64 ", p99 %" PRId64 " txns (%s), max %" PRId64 " txns\n",
                o->stale_reads, o->reads_checked, out_samples_rank(&o->stale_txns, OUT_P99),
                tshort(out_samples_rank(&o->stale_ns, OUT_P99), a), out_samples_rank(&o->stale_txns, OUT_PMAX));
    if (o->watches_delivered) {
        fprintf(f, "watches     %" PRIu64 " set, %" PRIu64 " triggered, %" PRIu64 " delivered", o->watches_set,
                o->watches_triggered, o->watches_delivered);
        if (out_samples_count(&o->watch_lat))
            fprintf(f, ", latency p50 %s p99 %s", tshort(out_samples_rank(&o->watch_lat, OUT_P50), a),
                    tshort(out_samples_rank(&o->watch_lat, OUT_P99), b));
        fputc('\n', f);
    }
    if (o->sessions_created || o->sessions_expired || o->sessions_expired_leader)
        fprintf(f, "sessions    %" PRIu64 " created, %" PRIu64 " expired, %" PRIu64 " moved\n", o->sessions_created,
                o->sessions_expired ? o->sessions_expired : o->sessions_expired_leader, o->sessions_moved);
}

void out_run_print(const OutRun *co, FILE *f)
{
    OutRun *o = (OutRun *)co; /* percentiles sort their samples */
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN];
    double sim_s = (double)o->end / (double)SIM_S;
    fprintf(f,
            "\n== summary (simulated %s, %" PRIu64 " events, %.2f s wall, %.0f events/s, %.2f sim s/wall s, "
            "peak RSS %.1f MiB)\n",
            tshort(o->end, a), o->events, o->wall_s, o->wall_s > 0 ? (double)o->events / o->wall_s : 0,
            o->wall_s > 0 ? sim_s / o->wall_s : 0, (double)o->peak_rss_kib / 1024.0);
    if (o->leader) {
        const LeaderSpan *l = &g_array_index(o->leaders, LeaderSpan, o->leaders->len - 1);
        fprintf(f, "leader      s%d, epoch %" PRId64 " (since %s)\n", o->leader, o->epoch, tshort(l->from, a));
    } else {
        fprintf(f, "leader      none\n");
    }
    fprintf(f, "elections   %u\n", o->elections->len);
    for (guint i = 0; i < o->elections->len && i < 10; i++) {
        const Election *e = &g_array_index(o->elections, Election, i);
        fprintf(f, "  at %-10s s%d leads epoch %" PRId64 ", took %s, %" PRIu64 " notifications\n", tshort(e->end, a),
                e->leader, e->epoch, tshort(e->end - e->start, b), e->notifications);
    }
    if (o->elections->len > 10)
        fprintf(f, "  ... %u more in summary.json\n", o->elections->len - 10);
    fprintf(f, "commits     %" PRIu64 " (%.1f/s)\n", o->commits, per_s(o->commits, o->end));
    print_operations(o, f);
    if (o->faults_total) {
        fprintf(f, "faults     ");
        for (int t = 0; t < OUT_EV_COUNT; t++)
            if (o->fault_counts[t])
                fprintf(f, " %s %" PRIu64, out_ev_name((OutEvType)t), o->fault_counts[t]);
        fputc('\n', f);
    }
    fprintf(f, "network     %" PRIu64 " messages, %" PRIu64 " bytes, %" PRIu64 " dropped\n", o->net.msgs,
            o->net.bytes, o->net.dropped);
    fprintf(f, "invariants  %s\n", o->violations ? o->first_violation : "all held");
    if (o->failure)
        fprintf(f, "FAILED      %s\n", o->failure);
    if (o->out_dir)
        fprintf(f, "outputs     %s/\n", o->out_dir);
}
