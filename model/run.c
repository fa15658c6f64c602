/* run.c - the scenario executor.
 *
 * The script runs as one cursor over the action list.  A "script" event
 * runs every action that is due, in file order, then schedules itself
 * for the next one.  Times are absolute (`at`) or relative to the end of
 * the last wait (`after` following a `wait`).  A `wait until` suspends
 * the cursor: the run loop then checks the condition after every event
 * until it holds (the cursor resumes at that instant) or the deadline
 * fires (the run fails).  An `expect` is checked when its time comes;
 * `expect at end` when the run stops.  Any failure stops the run with
 * the scenario line, the expectation and what was seen.
 */
#include "run.h"

#include "hist.h"
#include "host.h"
#include "out_json.h"
#include "out_run.h"
#include "sim_disk.h"
#include "sim_net.h"
#include "sim_trace.h"
#include "zk_bugs.h"
#include "zk_client.h"
#include "zk_workload.h"
#include "zk_ensemble.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef struct Run {
    const ScnScript *scn;
    const RunOptions *o;
    Sim *sim;
    ZkEnsemble *ens;
    ZkClients *clients;
    ZkClient **client;   /* by ScnScript.clients index */
    guint next;          /* next action */
    SimTime wait_end;    /* base of SCN_WHEN_WAIT times */
    gboolean waiting;
    const ScnAction *wait;
    SimTime wait_deadline;
    SimEventId wait_timer;
    SimEventId script_ev;
    gboolean done;
    RunStatus status;
    GString *failure;
    SimTime end;         /* when the run stops at the latest */
    GArray *leaders;     /* LeaderSpan */
} Run;

typedef struct {
    SimTime from;
    int leader;
    int64_t epoch;
} LeaderSpan;

void run_options_init(RunOptions *o)
{
    memset(o, 0, sizeof *o);
    o->trace = RUN_TRACE_ALL;
    o->out = stdout;
}

void run_report_clear(RunReport *rep)
{
    g_free(rep->message);
    g_free(rep->out_dir);
    memset(rep, 0, sizeof *rep);
}

/* ---- failures ---- */

static void fail(Run *r, RunStatus st, const ScnPos *pos, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void fail(Run *r, RunStatus st, const ScnPos *pos, const char *fmt, ...)
{
    if (r->done)
        return;
    r->done = TRUE;
    r->status = st;
    if (pos && pos->file)
        g_string_printf(r->failure, "%s:%u: ", pos->file, pos->line);
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(r->failure, fmt, ap);
    va_end(ap);
    SIM_TRACE(r->sim, SIM_NO_NODE, "SCENARIO_FAIL", SF_STR("what", r->failure->str));
    sim_stop(r->sim);
}

/* ---- targets ---- */

static int server_node(int sid)
{
    return sid - 1;
}

/* Resolves a server target (a server or `leader`) to a sid, or 0. */
static int target_sid(Run *r, const ScnTarget *t)
{
    switch (t->kind) {
    case SCN_TARGET_SERVER:
        return (int)t->index;
    case SCN_TARGET_LEADER:
        return zk_ensemble_leader(r->ens);
    case SCN_TARGET_CLIENT:
    case SCN_TARGET_GROUP:
    case SCN_TARGET_ANY:
        break;
    }
    return 0;
}

/* The sim node of any target (server, leader or client), or -1. */
static int target_node(Run *r, const ScnTarget *t)
{
    if (t->kind == SCN_TARGET_CLIENT)
        return r->client ? zk_client_node(r->client[t->index]) : -1;
    int sid = target_sid(r, t);
    return sid ? server_node(sid) : -1;
}

/* A target list with every group replaced by its servers (a new array
 * of ScnTarget; free it with g_array_free). */
static GArray *expand(Run *r, const ScnTargets *l)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(ScnTarget));
    scn_targets_expand(r->scn, l, out);
    return out;
}

/* ---- conditions ---- */

static gboolean client_cond_holds(Run *r, const ScnCond *c, GString *seen)
{
    ZkClient *cl = r->client[c->who.index];
    const char *name = c->who.name;
    switch (c->kind) {
    case SCN_COND_CONNECTED: {
        gboolean on = zk_client_is_connected(cl);
        g_string_printf(seen, "%s is %s", name, zk_client_state_name(zk_client_state(cl)));
        return on;
    }
    case SCN_COND_WATCH: {
        guint n = zk_client_events_on(cl, c->event, c->path);
        g_string_printf(seen, "%s received %u %s event%s for %s", name, n, zk_event_type_name(c->event),
                        n == 1 ? "" : "s", c->path);
        return n > 0;
    }
    case SCN_COND_NO_WATCH: {
        guint n = zk_client_events_on(cl, ZK_EVENT_NONE, c->path);
        g_string_printf(seen, "%s received %u event%s for %s", name, n, n == 1 ? "" : "s", c->path);
        return n == 0;
    }
    case SCN_COND_SAW: {
        gboolean saw = zk_client_saw(cl, c->error);
        g_string_printf(seen, "%s %s %s", name, saw ? "saw" : "never saw", zk_err_name(c->error));
        return saw;
    }
    case SCN_COND_RESULT: {
        ZkErr e = zk_client_last_result(cl);
        g_string_printf(seen, "%s's last result is %s", name, zk_err_name(e));
        return e == c->error;
    }
    case SCN_COND_VALUE: {
        GBytes *data = NULL;
        if (!zk_client_last_value(cl, c->path, &data)) {
            g_string_printf(seen, "%s has not read %s", name, c->path);
            return FALSE;
        }
        gsize len = 0;
        const char *p = data ? g_bytes_get_data(data, &len) : "";
        g_autofree char *got = g_strndup(p ? p : "", len);
        g_string_printf(seen, "%s read \"%s\"", name, got);
        gboolean eq = strcmp(got, c->data ? c->data : "") == 0;
        return c->cmp == SCN_CMP_NE ? !eq : eq;
    }
    default:
        break;
    }
    return FALSE;
}

static const char *role_name(ZkRole r)
{
    return zk_role_name(r);
}

static gboolean cond_holds(Run *r, const ScnCond *c, GString *seen)
{
    ZkEnsemble *ens = r->ens;
    int leader = zk_ensemble_leader(ens);
    g_string_truncate(seen, 0);
    switch (c->kind) {
    case SCN_COND_LEADER:
        g_string_printf(seen, leader ? "leader is s%d" : "no leader", leader);
        return leader != 0;
    case SCN_COND_LEADER_IS: {
        int want = target_sid(r, &c->who);
        g_string_printf(seen, leader ? "leader is s%d" : "no leader", leader);
        return scn_cmp_holds(c->cmp, leader, want);
    }
    case SCN_COND_LEADER_IN: {
        g_string_printf(seen, leader ? "leader is s%d" : "no leader", leader);
        GArray *in = expand(r, &c->servers);
        gboolean found = FALSE;
        for (guint i = 0; i < in->len; i++)
            found |= leader && (int)g_array_index(in, ScnTarget, i).index == leader;
        g_array_free(in, TRUE);
        return found;
    }
    case SCN_COND_ROLE: {
        int sid = target_sid(r, &c->who);
        if (!sid) {
            g_string_assign(seen, "no such server now");
            return FALSE;
        }
        ZkServer *s = zk_ensemble_server(ens, sid);
        const char *now = !sim_node_is_up(r->sim, s->node) ? "DOWN" : role_name(s->role);
        g_string_printf(seen, "s%d is %s", sid, now);
        gboolean eq = sim_node_is_up(r->sim, s->node) && strcmp(now, scn_role_name(c->role)) == 0;
        return c->cmp == SCN_CMP_NE ? !eq : eq;
    }
    case SCN_COND_ELECTION_TOOK: {
        const ZkElection *e = zk_ensemble_last_election(ens);
        if (!e) {
            g_string_assign(seen, "no election completed");
            return FALSE;
        }
        char tb[SIM_TIME_STR_LEN];
        g_string_printf(seen, "the last election took %s", sim_time_format_short(e->end - e->start, tb));
        return scn_cmp_holds(c->cmp, e->end - e->start, c->took);
    }
    case SCN_COND_ELECTIONS:
        g_string_printf(seen, "%u elections", ens->elections->len);
        return scn_cmp_holds(c->cmp, ens->elections->len, c->n);
    case SCN_COND_COMMITS:
        g_string_printf(seen, "%" PRIu64 " commits", ens->commits);
        return scn_cmp_holds(c->cmp, (int64_t)ens->commits, c->n);
    case SCN_COND_EPOCH:
        g_string_printf(seen, "epoch %" PRId64, ens->leader_epoch);
        return scn_cmp_holds(c->cmp, ens->leader_epoch, c->n);
    case SCN_COND_QUIET:
        g_string_assign(seen, leader ? "a leader is established" : "an election is running");
        return leader != 0;
    case SCN_COND_NO_VIOLATION:
        g_string_assign(seen, sim_failure(r->sim) ? sim_failure(r->sim) : "no violation");
        return sim_failure(r->sim) == NULL;
    case SCN_COND_SYNC_MODE: {
        int sid = target_sid(r, &c->who);
        ZkSyncMode m = sid ? zk_ensemble_last_sync(ens, sid) : ZK_SYNC_NONE;
        g_string_printf(seen, "the last sync of s%d was %s", sid, zk_sync_mode_name(m));
        gboolean eq = strcmp(zk_sync_mode_name(m), scn_sync_name(c->sync)) == 0;
        return c->cmp == SCN_CMP_NE ? !eq : eq;
    }
    case SCN_COND_HAS:
    case SCN_COND_LACKS: {
        int sid = target_sid(r, &c->who);
        ZkServer *s = sid ? zk_ensemble_server(ens, sid) : NULL;
        gboolean has = s && s->tree && zk_tree_get_node(s->tree, c->path) != NULL;
        g_string_printf(seen, "s%d %s %s", sid, has ? "has" : "lacks", c->path);
        return c->kind == SCN_COND_HAS ? has : !has;
    }
    case SCN_COND_ALL_CONNECTED: {
        gboolean all = zk_clients_all_connected(r->clients);
        g_string_assign(seen, all ? "every client is connected" : "some client is not connected");
        return all;
    }
    case SCN_COND_CONNECTED:
    case SCN_COND_WATCH:
    case SCN_COND_NO_WATCH:
    case SCN_COND_SAW:
    case SCN_COND_RESULT:
    case SCN_COND_VALUE:
        return client_cond_holds(r, c, seen);
    }
    return FALSE;
}

static void describe_cond(const ScnCond *c, GString *out)
{
    char tb[SIM_TIME_STR_LEN];
    const char *op = scn_cmp_name(c->cmp);
    switch (c->kind) {
    case SCN_COND_LEADER:
    case SCN_COND_QUIET:
    case SCN_COND_NO_VIOLATION:
    case SCN_COND_ALL_CONNECTED:
        g_string_append(out, scn_cond_name(c->kind));
        break;
    case SCN_COND_LEADER_IS:
        g_string_append_printf(out, "leader %s %s", op, c->who.name);
        break;
    case SCN_COND_LEADER_IN:
        g_string_append(out, "leader in");
        for (guint i = 0; i < c->servers.n; i++)
            g_string_append_printf(out, " %s", c->servers.v[i].name);
        break;
    case SCN_COND_ROLE:
        g_string_append_printf(out, "role %s %s %s", c->who.name, op, scn_role_name(c->role));
        break;
    case SCN_COND_ELECTION_TOOK:
        g_string_append_printf(out, "election took %s %s", op, sim_time_format(c->took, tb));
        break;
    case SCN_COND_ELECTIONS:
    case SCN_COND_COMMITS:
    case SCN_COND_EPOCH:
        g_string_append_printf(out, "%s %s %" PRId64, scn_cond_name(c->kind), op, c->n);
        break;
    case SCN_COND_CONNECTED:
        g_string_append_printf(out, "connected %s", c->who.name);
        break;
    case SCN_COND_WATCH:
        g_string_append_printf(out, "watch %s %s %s", c->who.name, zk_event_type_name(c->event), c->path);
        break;
    case SCN_COND_NO_WATCH:
        g_string_append_printf(out, "no watch %s %s", c->who.name, c->path);
        break;
    case SCN_COND_SAW:
        g_string_append_printf(out, "%s saw %s", c->who.name, zk_err_name(c->error));
        break;
    case SCN_COND_RESULT:
        g_string_append_printf(out, "%s result %s", c->who.name, zk_err_name(c->error));
        break;
    case SCN_COND_VALUE:
        g_string_append_printf(out, "value %s %s %s \"%s\"", c->who.name, c->path, op, c->data);
        break;
    case SCN_COND_SYNC_MODE:
        g_string_append_printf(out, "sync %s %s %s", c->who.name, op, scn_sync_name(c->sync));
        break;
    case SCN_COND_HAS:
        g_string_append_printf(out, "server %s has %s", c->who.name, c->path);
        break;
    case SCN_COND_LACKS:
        g_string_append_printf(out, "server %s lacks %s", c->who.name, c->path);
        break;
    }
}

/* ---- actions ---- */

static void script_fn(Sim *sim, void *ctx, void *data);

static SimTime due(const Run *r, const ScnAction *a)
{
    return a->when == SCN_WHEN_WAIT ? r->wait_end + a->time : a->time;
}

static void schedule_script(Run *r)
{
    sim_cancel_clear(r->sim, &r->script_ev);
    while (r->next < r->scn->n_actions && r->scn->actions[r->next].when == SCN_WHEN_END)
        r->next++;
    if (r->next >= r->scn->n_actions || r->done)
        return;
    SimTime t = due(r, &r->scn->actions[r->next]);
    if (t < sim_now(r->sim))
        t = sim_now(r->sim);
    r->script_ev = sim_at(r->sim, t, SIM_NO_NODE, script_fn, r, NULL);
}

static void wait_timeout(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    Run *r = ctx;
    r->wait_timer = SIM_EVENT_NONE;
    if (!r->waiting)
        return;
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autoptr(GString) what = g_string_new(NULL);
    cond_holds(r, &r->wait->u.wait.cond, seen);
    describe_cond(&r->wait->u.wait.cond, what);
    char tb[SIM_TIME_STR_LEN];
    r->waiting = FALSE;
    fail(r, RUN_EXPECT_FAILED, &r->wait->pos, "wait until %s within %s: timed out (%s)", what->str,
         sim_time_format(r->wait->u.wait.within, tb), seen->str);
}

static void wait_done(Run *r)
{
    r->waiting = FALSE;
    sim_cancel_clear(r->sim, &r->wait_timer);
    r->wait_end = sim_now(r->sim);
    SIM_TRACE(r->sim, SIM_NO_NODE, "WAIT_DONE", SF_UINT("line", r->wait->pos.line));
    r->next++;
    schedule_script(r);
}

static void resume_fn(Sim *sim, void *ctx, void *data)
{
    (void)ctx;
    int node = GPOINTER_TO_INT(data);
    sim_node_resume(sim, node);
}

static void unslow_fn(Sim *sim, void *ctx, void *data)
{
    (void)ctx;
    sim_disk_set_slow(sim, GPOINTER_TO_INT(data), 1.0, 0);
}

static gboolean collect_nodes(Run *r, const ScnTargets *t, GArray *out, const ScnPos *pos)
{
    g_autoptr(GArray) all = expand(r, t);
    for (guint i = 0; i < all->len; i++) {
        const ScnTarget *x = &g_array_index(all, ScnTarget, i);
        int node = target_node(r, x);
        if (node < 0) {
            fail(r, RUN_EXPECT_FAILED, pos, "%s: no such node now", x->name);
            return FALSE;
        }
        g_array_append_val(out, node);
    }
    int end = -1;
    g_array_append_val(out, end);
    return TRUE;
}

static void do_partition(Run *r, const ScnAction *a)
{
    guint n = a->u.partition.n_sides;
    GArray **sides = g_new0(GArray *, n + 1);
    for (guint i = 0; i < n; i++) {
        sides[i] = g_array_new(FALSE, FALSE, sizeof(int));
        if (!collect_nodes(r, &a->u.partition.sides[i], sides[i], &a->pos))
            goto out;
    }
    if (a->u.partition.oneway) {
        sim_net_cut(r->sim, (int *)(void *)sides[0]->data, (int *)(void *)sides[1]->data, FALSE);
    } else if (n == 1) {
        GArray *rest = g_array_new(FALSE, FALSE, sizeof(int));
        for (int node = 0; node < sim_node_count(r->sim); node++) {
            gboolean in = FALSE;
            for (guint k = 0; k + 1 < sides[0]->len; k++)
                in |= g_array_index(sides[0], int, k) == node;
            if (!in)
                g_array_append_val(rest, node);
        }
        int end = -1;
        g_array_append_val(rest, end);
        sim_net_cut(r->sim, (int *)(void *)sides[0]->data, (int *)(void *)rest->data, TRUE);
        g_array_free(rest, TRUE);
    } else {
        const int **groups = g_new(const int *, n);
        for (guint i = 0; i < n; i++)
            groups[i] = (const int *)(void *)sides[i]->data;
        sim_net_partition(r->sim, groups, (int)n);
        g_free(groups);
    }
out:
    for (guint i = 0; i < n; i++)
        if (sides[i])
            g_array_free(sides[i], TRUE);
    g_free(sides);
}

static void do_filter(Run *r, const ScnAction *a)
{
    const ScnFilter *f = &a->u.filter;
    SimFilter sf = { .type = -1, .from = -1, .to = -1, .count = -1, .until = SIM_TIME_NEVER };
    if (f->packet != SCN_PACKET_ANY)
        sf.type = zk_msg_parse(scn_packet_name(f->packet));
    if (f->from.kind != SCN_TARGET_ANY && (sf.from = target_node(r, &f->from)) < 0) {
        fail(r, RUN_EXPECT_FAILED, &a->pos, "%s: no such server now", f->from.name);
        return;
    }
    if (f->to.kind != SCN_TARGET_ANY && (sf.to = target_node(r, &f->to)) < 0) {
        fail(r, RUN_EXPECT_FAILED, &a->pos, "%s: no such server now", f->to.name);
        return;
    }
    sf.action = a->kind == SCN_ACTION_DROP ? SIM_FILTER_DROP : a->kind == SCN_ACTION_DELAY ? SIM_FILTER_DELAY
                                                                                           : SIM_FILTER_BREAK;
    sf.delay = f->delay;
    if (f->limit == SCN_LIMIT_TIMES)
        sf.count = f->times;
    else if (f->limit == SCN_LIMIT_FOR)
        sf.until = sim_now(r->sim) + f->for_time;
    sim_net_add_filter(r->sim, &sf);
}

/* `restart sN`: a server that is down comes back; a running (or paused)
 * one is killed and started again at once, as `kill -9` and a restart of
 * its process would do: what it had not flushed is lost. */
static void restart_server(Run *r, int sid)
{
    ZkServer *s = zk_ensemble_server(r->ens, sid);
    if (s->started && sim_node_is_up(r->sim, s->node))
        zk_ensemble_crash(r->ens, sid);
    zk_ensemble_restart(r->ens, sid);
}

static void servers_action(Run *r, const ScnAction *a)
{
    int n = r->ens->nservers;
    if (a->u.servers.all) {
        for (int sid = 1; sid <= n; sid++) {
            if (a->kind == SCN_ACTION_START)
                zk_ensemble_start(r->ens, sid);
            else if (a->kind == SCN_ACTION_CRASH)
                zk_ensemble_crash(r->ens, sid);
            else
                restart_server(r, sid);
        }
        return;
    }
    /* Resolve every target first: `crash leader s2` means the leader at
     * this instant. */
    int sids[SCN_SERVERS_MAX + 1];
    guint k = 0;
    g_autoptr(GArray) all = expand(r, &a->u.servers.targets);
    for (guint i = 0; i < all->len; i++) {
        const ScnTarget *x = &g_array_index(all, ScnTarget, i);
        if (x->kind == SCN_TARGET_CLIENT) {
            /* The client's machine: a crash loses its process; a restart
             * starts a new session, as a restarted application would. */
            ZkClient *c = r->client[x->index];
            if (a->kind == SCN_ACTION_CRASH) {
                sim_node_crash(r->sim, zk_client_node(c));
            } else if (sim_node_state(r->sim, zk_client_node(c)) == SIM_NODE_DOWN) {
                sim_node_restart(r->sim, zk_client_node(c));
                zk_client_start(c);
            }
            continue;
        }
        if (k > SCN_SERVERS_MAX)
            break;
        int sid = target_sid(r, x);
        if (!sid) {
            fail(r, RUN_EXPECT_FAILED, &a->pos, "%s %s: there is no leader now", scn_action_name(a->kind), x->name);
            return;
        }
        sids[k++] = sid;
    }
    for (guint i = 0; i < k; i++) {
        if (a->kind == SCN_ACTION_START)
            zk_ensemble_start(r->ens, sids[i]);
        else if (a->kind == SCN_ACTION_CRASH)
            zk_ensemble_crash(r->ens, sids[i]);
        else
            restart_server(r, sids[i]);
    }
}

/* A zkCli command of the script (both vocabularies come from
 * ZK_CLI_VERB_LIST, so the values are the same). */
G_STATIC_ASSERT((int)SCN_OP_CREATE == (int)ZK_CLI_CREATE && (int)SCN_OP_CONNECT == (int)ZK_CLI_CONNECT);

static void client_op(Run *r, const ScnClientOp *op)
{
    ZkCliCommand cmd = {
        .verb = (ZkCliVerb)op->op,
        .path = op->path,
        .data = op->data,
        .sequential = op->sequential,
        .ephemeral = op->ephemeral,
        .container = op->container,
        .watch = op->watch,
        .recursive = op->recursive,
        .version = op->version,
        .mode = op->mode,
        .watcher = op->watcher,
    };
    zk_client_cli(r->client[op->client.index], &cmd);
}

/* Runs one action; FALSE if the cursor must stop here (a wait began, or
 * the run ended). */
static gboolean do_action(Run *r, const ScnAction *a)
{
    switch (a->kind) {
    case SCN_ACTION_START:
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        servers_action(r, a);
        break;
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE: {
        int node = target_node(r, &a->u.one.server);
        if (node < 0) {
            fail(r, RUN_EXPECT_FAILED, &a->pos, "%s %s: no such server now", scn_action_name(a->kind),
                 a->u.one.server.name);
            break;
        }
        if (a->kind == SCN_ACTION_PAUSE) {
            sim_node_pause(r->sim, node);
            if (a->u.one.has_for)
                sim_after(r->sim, a->u.one.for_time, SIM_NO_NODE, resume_fn, r, GINT_TO_POINTER(node));
        } else if (a->kind == SCN_ACTION_RESUME) {
            sim_node_resume(r->sim, node);
        } else {
            int me[2] = { node, -1 };
            GArray *rest = g_array_new(FALSE, FALSE, sizeof(int));
            for (int o = 0; o < sim_node_count(r->sim); o++)
                if (o != node)
                    g_array_append_val(rest, o);
            int end = -1;
            g_array_append_val(rest, end);
            sim_net_cut(r->sim, me, (int *)(void *)rest->data, TRUE);
            g_array_free(rest, TRUE);
        }
        break;
    }
    case SCN_ACTION_PARTITION:
        do_partition(r, a);
        break;
    case SCN_ACTION_HEAL:
        sim_net_heal(r->sim);
        break;
    case SCN_ACTION_LINK: {
        int na = target_node(r, &a->u.link.a), nb = target_node(r, &a->u.link.b);
        if (na < 0 || nb < 0) {
            fail(r, RUN_EXPECT_FAILED, &a->pos, "link: no such node now");
            break;
        }
        SimLinkParams lp = { .latency = a->u.link.latency, .has_latency = a->u.link.has_latency,
                             .loss = a->u.link.loss, .has_loss = a->u.link.has_loss };
        sim_net_set_link(r->sim, na, nb, &lp);
        break;
    }
    case SCN_ACTION_SLOWDISK: {
        int node = target_node(r, &a->u.slowdisk.server);
        if (node < 0) {
            fail(r, RUN_EXPECT_FAILED, &a->pos, "slowdisk: no such server now");
            break;
        }
        sim_disk_set_slow(r->sim, node, a->u.slowdisk.factor, a->u.slowdisk.extra);
        if (a->u.slowdisk.has_for)
            sim_after(r->sim, a->u.slowdisk.for_time, SIM_NO_NODE, unslow_fn, r, GINT_TO_POINTER(node));
        break;
    }
    case SCN_ACTION_CLOCK: {
        int node = target_node(r, &a->u.clock.server);
        if (node < 0) {
            fail(r, RUN_EXPECT_FAILED, &a->pos, "clock: no such server now");
            break;
        }
        if (a->u.clock.is_jump)
            sim_node_jump(r->sim, node, a->u.clock.jump);
        else
            sim_node_set_drift(r->sim, node, (int32_t)a->u.clock.drift_ppm);
        break;
    }
    case SCN_ACTION_DROP:
    case SCN_ACTION_DELAY:
    case SCN_ACTION_BREAK:
        do_filter(r, a);
        break;
    case SCN_ACTION_CLIENT_OP:
        client_op(r, &a->u.op);
        break;
    case SCN_ACTION_WAIT: {
        g_autoptr(GString) seen = g_string_new(NULL);
        r->wait = a;
        if (cond_holds(r, &a->u.wait.cond, seen)) {
            r->wait_end = sim_now(r->sim);
            return TRUE;
        }
        r->waiting = TRUE;
        r->wait_deadline = sim_now(r->sim) + a->u.wait.within;
        r->wait_timer = sim_after(r->sim, a->u.wait.within, SIM_NO_NODE, wait_timeout, r, NULL);
        sim_stop(r->sim); /* the run loop checks the condition event by event */
        return FALSE;
    }
    case SCN_ACTION_EXPECT: {
        g_autoptr(GString) seen = g_string_new(NULL);
        if (!cond_holds(r, &a->u.expect, seen)) {
            g_autoptr(GString) what = g_string_new(NULL);
            describe_cond(&a->u.expect, what);
            fail(r, RUN_EXPECT_FAILED, &a->pos, "expect %s: failed (%s)", what->str, seen->str);
        }
        break;
    }
    case SCN_ACTION_END:
        r->done = TRUE;
        sim_stop(r->sim);
        return FALSE;
    }
    return !r->done;
}

static void script_fn(Sim *sim, void *ctx, void *data)
{
    (void)data;
    Run *r = ctx;
    r->script_ev = SIM_EVENT_NONE;
    while (!r->done && r->next < r->scn->n_actions) {
        const ScnAction *a = &r->scn->actions[r->next];
        if (a->when == SCN_WHEN_END) {
            r->next++;
            continue;
        }
        if (due(r, a) > sim_now(sim)) {
            schedule_script(r);
            return;
        }
        SIM_TRACE(sim, SIM_NO_NODE, "SCENARIO", SF_STR("action", scn_action_name(a->kind)),
                  SF_UINT("line", a->pos.line));
        if (!do_action(r, a))
            return; /* a wait (the cursor resumes at wait_done) or the end */
        r->next++;
    }
}

/* ---- building the world ---- */

static void build_config(const ScnScript *scn, ZkConfig *cfg)
{
    const ScnParams *p = &scn->params;
    zk_config_defaults(cfg, (int)p->servers);
    for (guint sid = 1; sid <= (guint)p->servers; sid++)
        cfg->observer[sid] = scn_script_is_observer(scn, sid);
    cfg->tick = p->tick_time;
    cfg->init_limit = (int)p->init_limit;
    cfg->sync_limit = (int)p->sync_limit;
    cfg->finalize_wait = p->finalize_wait;
    cfg->min_notification_interval = p->min_notification_interval;
    cfg->max_notification_interval = p->max_notification_interval;
    cfg->cnx_timeout = p->cnx_timeout;
    cfg->observer_election_delay = p->observer_election_delay;
    cfg->snap_count = p->snap_count;
    cfg->commit_log_count = (int)p->commit_log_count;
    cfg->snapshot_size_factor = p->snapshot_size_factor;
    cfg->min_session_timeout = scn_params_session_timeout_min(p);
    cfg->max_session_timeout = scn_params_session_timeout_max(p);
    cfg->cpu_request = p->cpu.request;
    cfg->cpu_message = p->cpu.message;
    cfg->cpu_send = p->cpu.send;
    cfg->msg_header = (uint32_t)p->msg.header_bytes;
    if (p->quorum == SCN_QUORUM_HIERARCHICAL) {
        cfg->quorum = ZK_QUORUM_HIERARCHICAL;
        for (guint i = 0; i < scn->n_quorum_groups; i++)
            for (guint k = 0; k < scn->quorum_groups[i].members.n; k++)
                cfg->group[scn->quorum_groups[i].members.v[k].index] = (int)scn->quorum_groups[i].id;
        for (guint i = 0; i < scn->n_quorum_weights; i++)
            cfg->weight[scn->quorum_weights[i].server.index] = scn->quorum_weights[i].weight;
    }
}

static void build_network(Run *r)
{
    const ScnParams *p = &r->scn->params;
    SimNetConfig nc = {
        .latency = p->net.latency,
        .loss = p->net.loss,
        .bytes_per_sec = p->net.bandwidth_bytes_per_s,
        .nic_per_msg = p->net.nic_per_msg,
        .break_detect = p->net.break_detect,
    };
    sim_net_configure(r->sim, &nc);
    sim_net_trace_messages(r->sim, p->net.trace_messages);
    SimDiskConfig dc = { .fsync = p->disk.fsync, .concurrent = p->disk.mode == SCN_DISK_CONCURRENT,
                         .bytes_per_sec = p->disk.bandwidth_bytes_per_s };
    sim_disk_configure_default(r->sim, &dc);
}

static void build_topology(Run *r)
{
    const ScnScript *scn = r->scn;
    for (guint i = 0; i < scn->n_groups; i++)
        for (guint k = 0; k < scn->groups[i].members.n; k++)
            sim_net_set_group(r->sim, server_node((int)scn->groups[i].members.v[k].index), scn->groups[i].name);
    for (guint i = 0; i < scn->n_latencies; i++)
        sim_net_set_group_latency(r->sim, scn->groups[scn->latencies[i].a.index].name,
                                  scn->groups[scn->latencies[i].b.index].name, &scn->latencies[i].latency);
    for (guint i = 0; i < scn->n_links; i++) {
        const ScnLink *l = &scn->links[i];
        int na = target_node(r, &l->a), nb = target_node(r, &l->b);
        if (na < 0 || nb < 0)
            continue;
        SimLinkParams lp = { .latency = l->latency, .has_latency = l->has_latency, .loss = l->loss,
                             .has_loss = l->has_loss };
        sim_net_set_link(r->sim, na, nb, &lp);
    }
}

G_STATIC_ASSERT((int)SCN_WORKLOAD_SCRIPT == (int)ZK_WORKLOAD_SCRIPT &&
                (int)SCN_WORKLOAD_BALANCE == (int)ZK_WORKLOAD_BALANCE);

static void start_client_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)ctx;
    zk_client_start(data);
}

/* Clients and their workloads.  A client starts at time 0 unless it was
 * declared with start=no (then its `connect` starts it). */
static void build_clients(Run *r)
{
    const ScnScript *scn = r->scn;
    r->clients = zk_clients_new(r->ens);
    if (!scn->n_clients)
        return;
    r->client = g_new0(ZkClient *, scn->n_clients);
    ZkWorkload **wl = g_new0(ZkWorkload *, scn->n_workloads + 1);
    for (guint i = 0; i < scn->n_workloads; i++) {
        const ScnWorkload *w = &scn->workloads[i];
        ZkWorkloadSpec spec;
        zk_workload_spec_defaults(&spec, (ZkWorkloadKind)w->kind);
        spec.reads = w->reads;
        spec.size_bytes = w->size_bytes;
        spec.keys = w->keys;
        spec.key_dist = w->key_dist == SCN_KEYS_ZIPF ? ZK_KEYS_ZIPF : ZK_KEYS_UNIFORM;
        spec.zipf_s = w->zipf_s;
        spec.rate_per_s = w->rate_per_s;
        spec.outstanding = w->outstanding;
        spec.ops = w->ops;
        spec.period = w->period;
        spec.path = w->path;
        spec.count = w->count;
        spec.hold = w->hold;
        wl[i] = zk_workload_new(r->clients, w->name, &spec);
    }
    int n = r->ens->nservers;
    int *hosts = g_new(int, n);
    for (guint i = 0; i < scn->n_clients; i++) {
        const ScnClient *c = &scn->clients[i];
        guint nh = 0;
        if (c->all_servers) {
            for (int sid = 1; sid <= n; sid++)
                hosts[nh++] = sid;
        } else {
            g_autoptr(GArray) all = expand(r, &c->servers);
            for (guint k = 0; k < all->len && nh < (guint)n; k++)
                hosts[nh++] = (int)g_array_index(all, ScnTarget, k).index;
        }
        gboolean rr = scn->params.client.placement == SCN_PLACEMENT_ROUNDROBIN;
        if (rr && nh > 1) {
            /* client k of the script starts at host ((k-1) mod n) + 1 */
            guint shift = i % nh;
            int *rot = g_new(int, nh);
            for (guint k = 0; k < nh; k++)
                rot[k] = hosts[(k + shift) % nh];
            memcpy(hosts, rot, nh * sizeof *hosts);
            g_free(rot);
        }
        ZkClientConfig cc = { .name = c->name, .servers = hosts, .n_servers = nh, .session_timeout = c->timeout,
                              .keep_order = rr };
        r->client[i] = zk_client_new(r->clients, &cc);
        if (c->workload >= 0)
            zk_workload_add_client(wl[c->workload], r->client[i]);
        if (c->start)
            sim_at(r->sim, 0, SIM_NO_NODE, start_client_fn, r, r->client[i]);
    }
    g_free(hosts);
    g_free(wl);
}

/* ---- leaders by time (a trace callback) ---- */

static gboolean follows(const char *type, void *user)
{
    (void)user;
    return strcmp(type, "ELECTION_DONE") == 0 || strcmp(type, "LOOKING") == 0;
}

static void on_trace(Sim *sim, const SimTraceEvent *ev, void *user)
{
    (void)sim;
    Run *r = user;
    if (strcmp(ev->type, "ELECTION_DONE") == 0) {
        const SimField *l = sim_trace_field(ev, "leader"), *e = sim_trace_field(ev, "epoch");
        LeaderSpan s = { ev->time, (int)l->v.i, e->v.i };
        g_array_append_val(r->leaders, s);
    } else if (strcmp(ev->type, "LOOKING") == 0 && r->leaders->len &&
               g_array_index(r->leaders, LeaderSpan, r->leaders->len - 1).leader == ev->node + 1 &&
               zk_ensemble_leader(r->ens) == 0) {
        LeaderSpan s = { ev->time, 0, -1 };
        g_array_append_val(r->leaders, s);
    }
}

/* ---- output ---- */

static gboolean mkdir_p(const char *dir, GError **err)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot create directory: %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static char *default_out_dir(const char *scenario, uint64_t seed)
{
    g_autofree char *base = g_path_get_basename(scenario);
    char *dot = strrchr(base, '.');
    if (dot && strcmp(dot, ".zks") == 0)
        *dot = 0;
    return g_strdup_printf("results/%s/seed-%" PRIu64, base, seed);
}

static void print_header(const Run *r, FILE *out)
{
    size_t n;
    const ScnParamInfo *tab = scn_param_table(&n);
    g_autoptr(GString) v = g_string_new(NULL);
    fprintf(out, "zksim %s  scenario %s  seed %" PRIu64 "\n", ZKSIM_VERSION, r->o->scenario ? r->o->scenario : "-",
            r->scn->params.seed);
    g_autoptr(GString) line = g_string_new("settings:");
    for (size_t i = 0; i < n; i++) {
        g_string_truncate(v, 0);
        scn_param_format_value(&r->scn->params, &tab[i], v);
        g_string_append_printf(line, " %s=%s", tab[i].name, v->str);
    }
    fprintf(out, "%s\n", line->str);
}

/* ---- the run ---- */


gboolean run_script(const ScnScript *scn, const RunOptions *o, RunReport *rep, GError **err)
{
    memset(rep, 0, sizeof *rep);
    ScnParams params = scn->params;
    uint64_t seed = o->has_seed ? o->seed : params.seed;
    Run r = { .scn = scn, .o = o };
    /* The seed in force is what everything prints. */
    ((ScnScript *)scn)->params.seed = seed;
    r.failure = g_string_new(NULL);
    r.leaders = g_array_new(FALSE, FALSE, sizeof(LeaderSpan));
    r.sim = sim_new(seed);
    r.end = o->has_until ? o->until : params.duration;

    FILE *txt = NULL, *jsonl = NULL;
    Hist *hist = NULL;
    char *dir = NULL;
    if (!o->no_files) {
        dir = o->out_dir ? g_strdup(o->out_dir) : default_out_dir(o->scenario ? o->scenario : "scenario", seed);
        if (!mkdir_p(dir, err))
            goto fail_io;
        if (o->trace == RUN_TRACE_ALL || o->trace == RUN_TRACE_TEXT) {
            g_autofree char *p = g_build_filename(dir, "timeline.txt", NULL);
            if (!(txt = fopen(p, "w")))
                goto fail_open;
            sim_trace_add_text(r.sim, txt);
        }
        if (o->trace == RUN_TRACE_ALL || o->trace == RUN_TRACE_JSONL) {
            g_autofree char *p = g_build_filename(dir, "timeline.jsonl", NULL);
            if (!(jsonl = fopen(p, "w")))
                goto fail_open;
            sim_trace_add_jsonl(r.sim, jsonl);
        }
    }
    if (o->hash)
        sim_trace_add_hash(r.sim);
    sim_trace_add_callback_for(r.sim, on_trace, follows, &r);
    /* What the clients saw, checked against ZooKeeper's guarantees when
     * the run ends (hist.h); its messages cite timeline.jsonl lines. */
    hist = hist_new();
    if (jsonl) {
        g_autofree char *tl = g_build_filename(dir, "timeline.jsonl", NULL);
        hist_set_name(hist, tl);
    }
    hist_attach(hist, r.sim);
    /* The run's outputs: summary.json, metrics.csv, trace.json, the
     * printed summary and the progress line, all from the trace. */
    guint n_params = 0;
    OutParam *params_v = out_params_from_scn(&scn->params, &n_params);
    OutRunInfo info = {
        .out_dir = dir,
        .scenario = o->scenario,
        .seed = seed,
        .version = ZKSIM_VERSION,
        .params = params_v,
        .n_params = n_params,
        .metrics_interval = params.metrics.interval,
        .end = r.end,
        .chrome_trace = o->trace != RUN_TRACE_NONE,
        .progress = !o->quiet,
    };
    /* check and fuzz (no files, nothing printed) skip it. */
    OutRun *out = NULL;
    if (!o->no_files || !o->quiet) {
        out = out_run_new(r.sim, &info, err);
        if (!out) {
            out_params_free(params_v, n_params);
            goto fail_io;
        }
    }
    out_params_free(params_v, n_params);

    ZkConfig cfg;
    build_config(scn, &cfg);
    build_network(&r);
    r.ens = zk_ensemble_new(r.sim, &cfg);
    r.ens->bugs = o->bugs;
    build_clients(&r);
    build_topology(&r);
    if (!o->quiet)
        print_header(&r, o->out);

    double t0 = host_wall_seconds();
    schedule_script(&r);
    uint64_t max_events = params.max_events ? params.max_events : UINT64_MAX;
    while (!r.done) {
        if (r.waiting) {
            /* Event by event, checking the condition after each. */
            g_autoptr(GString) seen = g_string_new(NULL);
            while (r.waiting && !r.done && !sim_failure(r.sim) && sim_events_run(r.sim) < max_events) {
                if (!sim_run(r.sim, r.end, 1))
                    break;
                if (r.waiting && cond_holds(&r, &r.wait->u.wait.cond, seen))
                    wait_done(&r);
            }
            if (r.waiting && !r.done && !sim_failure(r.sim))
                break; /* nothing left to run before the end */
        } else {
            sim_run(r.sim, r.end, max_events - sim_events_run(r.sim));
            if (!r.waiting)
                break;
        }
        if (sim_failure(r.sim) || sim_events_run(r.sim) >= max_events)
            break;
    }
    if (sim_failure(r.sim) && r.status == RUN_OK) {
        r.done = FALSE;
        fail(&r, RUN_VIOLATION, NULL, "invariant violated at %.6f s (seed %" PRIu64 ", event %" PRIu64 "): %s",
             (double)sim_now(r.sim) / SIM_S, seed, sim_events_run(r.sim), sim_failure(r.sim));
    }
    /* A run that hits its event limit says so (an election storm under a
     * planted bug can otherwise look like a quiet end). */
    if (r.status == RUN_OK && sim_events_run(r.sim) >= max_events) {
        r.done = FALSE;
        fail(&r, RUN_EXPECT_FAILED, NULL, "event limit reached at %.6f s (maxEvents = %" PRIu64 "): the run stopped early",
             (double)sim_now(r.sim) / SIM_S, max_events);
    }
    if (r.waiting && !r.done) {
        r.done = FALSE;
        wait_timeout(r.sim, &r, NULL);
    }
    /* The client history (after the invariants: it is the weaker
     * witness, and a broken invariant usually breaks it too). */
    if (r.status == RUN_OK) {
        g_autoptr(GString) why = g_string_new(NULL);
        if (!hist_check(hist, why, 5)) {
            const char *nl = strchr(why->str, '\n');
            r.done = FALSE;
            fail(&r, RUN_VIOLATION, NULL, "history violated (seed %" PRIu64 "): %.*s", seed,
                 nl ? (int)(nl - why->str) : (int)why->len, why->str);
            if (!o->quiet)
                fputs(why->str, o->out);
        }
    }
    /* `expect at end` */
    for (guint i = 0; i < scn->n_actions && r.status == RUN_OK; i++) {
        const ScnAction *a = &scn->actions[i];
        if (a->when != SCN_WHEN_END || a->kind != SCN_ACTION_EXPECT)
            continue;
        g_autoptr(GString) seen = g_string_new(NULL);
        if (!cond_holds(&r, &a->u.expect, seen)) {
            g_autoptr(GString) what = g_string_new(NULL);
            describe_cond(&a->u.expect, what);
            r.done = FALSE;
            fail(&r, RUN_EXPECT_FAILED, &a->pos, "expect at end %s: failed (%s)", what->str, seen->str);
        }
    }
    double wall = host_wall_seconds() - t0;

    rep->status = r.status;
    rep->message = r.status == RUN_OK ? NULL : g_strdup(r.failure->str);
    rep->seed = seed;
    rep->hash = sim_trace_hash(r.sim);
    rep->events = sim_events_run(r.sim);
    rep->end = sim_now(r.sim);
    rep->wall_s = wall;
    rep->commits = r.ens->commits;
    rep->elections = r.ens->elections->len;
    rep->out_dir = dir;
    OutRunEnd oe = {
        .status = rep->status == RUN_OK ? "ok" : rep->status == RUN_EXPECT_FAILED ? "expectation-failed" : "violation",
        .failure = rep->message,
        .end = rep->end,
        .events = rep->events,
        .wall_s = wall,
        .peak_rss_kib = host_peak_rss_kib(),
    };
    g_autoptr(GError) out_err = NULL;
    if (out && !out_run_finish(out, &oe, &out_err))
        fprintf(stderr, "zksim: %s\n", out_err->message);
    if (out && !o->quiet)
        out_run_print(out, o->out);

    sim_trace_flush(r.sim);
    zk_clients_free(r.clients);
    g_free(r.client);
    zk_ensemble_free(r.ens);
    sim_free(r.sim);
    hist_free(hist); /* after sim_free: the callback cannot be detached */
    out_run_free(out); /* after sim_free: the sink cannot be detached */
    if (txt)
        fclose(txt);
    if (jsonl)
        fclose(jsonl);
    g_array_free(r.leaders, TRUE);
    g_string_free(r.failure, TRUE);
    return TRUE;

fail_open:
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot write outputs: %s", dir,
                g_strerror(errno));
fail_io:
    if (txt)
        fclose(txt);
    g_free(dir);
    sim_free(r.sim);
    hist_free(hist);
    g_array_free(r.leaders, TRUE);
    g_string_free(r.failure, TRUE);
    return FALSE;
}

gboolean run_scenario(const RunOptions *o, RunReport *rep, GError **err)
{
    g_autoptr(ScnScript) scn = scn_load(o->scenario, o->sets, err);
    if (!scn)
        return FALSE;
    return run_script(scn, o, rep, err);
}
