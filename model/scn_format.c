/* scn_format.c - a script back to text, and structural equality.
 *
 * The canonical text is what a fuzzer writes as a reproducer, so it must
 * read back as the same script: every parameter with its final value,
 * then the declarations, one client per line with every field explicit,
 * then the actions in order, each with its own time.  Times are exact
 * (sim_time_format), floats use the shortest text that reads back to the
 * same double, and any word that the lexer would split, cut or expand is
 * quoted, with '$' doubled.
 *
 * An `after` chain that follows a `wait` is written as `after` deltas, so
 * it stays relative to the wait's end when read back.
 */
#include "scn_internal.h"

#include <inttypes.h>
#include <string.h>

/* ---- words and values ---- */

static gboolean needs_quotes(const char *text)
{
    if (*text == '\0' || *text == '-')
        return TRUE;
    for (const char *c = text; *c; c++)
        if (strchr(" \t\"#\\$()|=:", *c))
            return TRUE;
    return FALSE;
}

void scn_format_word(GString *out, const char *text)
{
    gboolean quote = needs_quotes(text);
    if (quote)
        g_string_append_c(out, '"');
    for (const char *c = text; *c; c++) {
        if (*c == '$')
            g_string_append(out, "$$");
        else if (quote && (*c == '"' || *c == '\\'))
            g_string_append_printf(out, "\\%c", *c);
        else
            g_string_append_c(out, *c);
    }
    if (quote)
        g_string_append_c(out, '"');
}

void scn_format_double(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (v == (double)(int64_t)v && v > -1e15 && v < 1e15) {
        g_string_append_printf(out, "%" PRId64, (int64_t)v);
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        char fmt[8];
        g_snprintf(fmt, sizeof fmt, "%%.%dg", digits);
        g_ascii_formatd(buf, sizeof buf, fmt, v);
        if (g_ascii_strtod(buf, NULL) == v)
            break;
    }
    g_string_append(out, buf);
}

void scn_format_time(GString *out, SimTime t)
{
    char buf[SIM_TIME_STR_LEN];
    g_string_append(out, sim_time_format(t, buf));
}

void scn_format_dist(GString *out, const SimDist *d)
{
    g_string_append_printf(out, "%s(", sim_dist_kind_name(d->kind));
    scn_format_time(out, d->a);
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_EXP:
        break;
    case SIM_DIST_UNIFORM:
    case SIM_DIST_NORMAL:
        g_string_append_c(out, ',');
        scn_format_time(out, d->b);
        break;
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_PARETO:
        g_string_append_c(out, ',');
        scn_format_double(out, d->shape);
        break;
    }
    g_string_append_c(out, ')');
}

static void format_target(GString *out, const ScnScript *s, const ScnTarget *t)
{
    switch (t->kind) {
    case SCN_TARGET_SERVER:
        g_string_append_printf(out, "s%u", t->index);
        return;
    case SCN_TARGET_LEADER:
        g_string_append(out, "leader");
        return;
    case SCN_TARGET_CLIENT:
        g_string_append(out, s->clients[t->index].name);
        return;
    case SCN_TARGET_GROUP:
        g_string_append(out, s->groups[t->index].name);
        return;
    case SCN_TARGET_ANY:
        g_string_append(out, "*");
        return;
    }
    g_assert_not_reached();
}

static void format_targets(GString *out, const ScnScript *s, const ScnTargets *l, const char *sep)
{
    for (guint i = 0; i < l->n; i++) {
        if (i > 0)
            g_string_append(out, sep);
        format_target(out, s, &l->v[i]);
    }
}

/* ---- declarations ---- */

static void format_params(GString *out, const ScnScript *s)
{
    size_t n = 0;
    const ScnParamInfo *table = scn_param_table(&n);
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(out, "%s = ", table[i].name);
        scn_param_format_value(&s->params, &table[i], out);
        g_string_append_c(out, '\n');
    }
}

static void format_link_options(GString *out, const ScnLink *l)
{
    if (l->has_latency) {
        g_string_append(out, " latency=");
        scn_format_dist(out, &l->latency);
    }
    if (l->has_loss) {
        g_string_append(out, " loss=");
        scn_format_double(out, l->loss);
    }
}

static void format_workload(GString *out, const ScnWorkload *w)
{
    g_string_append_printf(out, "workload %s kind=%s", w->name, scn_workload_kind_name(w->kind));
    switch (w->kind) {
    case SCN_WORKLOAD_SCRIPT:
        break;
    case SCN_WORKLOAD_MIXED:
        g_string_append(out, " reads=");
        scn_format_double(out, w->reads);
        g_string_append_printf(out, " size=%" PRId64 " keys=%" PRId64 " dist=", w->size_bytes, w->keys);
        if (w->key_dist == SCN_KEYS_ZIPF) {
            g_string_append(out, "zipf(");
            scn_format_double(out, w->zipf_s);
            g_string_append(out, ")");
        } else {
            g_string_append(out, "uniform");
        }
        if (w->rate_per_s > 0) {
            g_string_append(out, " rate=");
            scn_format_double(out, w->rate_per_s);
            g_string_append(out, "/s");
        } else {
            g_string_append_printf(out, " outstanding=%" PRId64, w->outstanding);
        }
        g_string_append_printf(out, " ops=%" PRId64, w->ops);
        break;
    case SCN_WORKLOAD_REGISTRY:
    case SCN_WORKLOAD_CONFIG:
    case SCN_WORKLOAD_NAMING:
    case SCN_WORKLOAD_LOCK:
    case SCN_WORKLOAD_MEMBERSHIP:
    case SCN_WORKLOAD_BALANCE:
        g_string_append(out, " period=");
        scn_format_time(out, w->period);
        g_string_append_printf(out, " size=%" PRId64 " path=", w->size_bytes);
        scn_format_word(out, w->path);
        g_string_append_printf(out, " count=%" PRId64 " hold=", w->count);
        scn_format_time(out, w->hold);
        break;
    }
    g_string_append_c(out, '\n');
}

static void format_client_options(GString *out, const ScnScript *s, const ScnClient *c)
{
    g_string_append(out, " servers=");
    if (c->all_servers)
        g_string_append(out, "all");
    else
        format_targets(out, s, &c->servers, ",");
    g_string_append(out, " timeout=");
    scn_format_time(out, c->timeout);
    if (c->workload >= 0)
        g_string_append_printf(out, " workload=%s", s->workloads[c->workload].name);
    g_string_append_printf(out, " start=%s\n", c->start ? "yes" : "no");
}

static gboolean targets_eq(const ScnTargets *a, const ScnTargets *b);

/* Same settings, names aside. */
static gboolean client_alike(const ScnClient *a, const ScnClient *b)
{
    return a->all_servers == b->all_servers && (a->all_servers || targets_eq(&a->servers, &b->servers)) &&
           a->timeout == b->timeout && a->workload == b->workload && a->start == b->start;
}

/* A name as a `clients` range makes it: prefix, number, zero padding. */
static gboolean name_number(const char *name, gsize *plen, guint64 *n, int *width)
{
    gsize len = strlen(name), d = len;
    while (d > 0 && g_ascii_isdigit(name[d - 1]))
        d--;
    gsize ndig = len - d;
    if (d == 0 || ndig == 0 || ndig > 18)
        return FALSE;
    *plen = d;
    *n = g_ascii_strtoull(name + d, NULL, 10);
    *width = name[d] == '0' && ndig > 1 ? (int)ndig : 0;
    return TRUE;
}

/* Clients from i on that a single `clients` line re-creates; >= 1. */
static guint client_run(const ScnScript *s, guint i)
{
    const ScnClient *c = &s->clients[i];
    gsize plen = 0;
    guint64 n = 0;
    int width = 0;
    if (!name_number(c->name, &plen, &n, &width))
        return 1;
    /* A name of the run is never longer than SCN_NAME_MAX; a longer
     * candidate is cut and cannot match. */
    char want[SCN_NAME_MAX + 2];
    guint k = 1;
    for (; i + k < s->n_clients; k++) {
        const ScnClient *next = &s->clients[i + k];
        g_snprintf(want, sizeof want, "%.*s%0*" G_GUINT64_FORMAT, (int)plen, c->name, width, n + k);
        if (strcmp(next->name, want) != 0 || !client_alike(c, next))
            break;
    }
    return k;
}

static void format_clients(GString *out, const ScnScript *s)
{
    for (guint i = 0; i < s->n_clients;) {
        guint run = client_run(s, i);
        if (run > 1)
            g_string_append_printf(out, "clients %s..%s", s->clients[i].name, s->clients[i + run - 1].name);
        else
            g_string_append_printf(out, "client %s", s->clients[i].name);
        format_client_options(out, s, &s->clients[i]);
        i += run;
    }
}

static void format_declarations(GString *out, const ScnScript *s)
{
    for (guint i = 0; i < s->n_groups; i++) {
        g_string_append_printf(out, "group %s = ", s->groups[i].name);
        format_targets(out, s, &s->groups[i].members, " ");
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < s->n_observers; i++)
        g_string_append_printf(out, "observer s%u\n", s->observers[i].index);
    for (guint i = 0; i < s->n_quorum_groups; i++) {
        g_string_append_printf(out, "quorum.group %" PRId64 " = ", s->quorum_groups[i].id);
        format_targets(out, s, &s->quorum_groups[i].members, " ");
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < s->n_quorum_weights; i++)
        g_string_append_printf(out, "quorum.weight s%u = %" PRId64 "\n", s->quorum_weights[i].server.index,
                               s->quorum_weights[i].weight);
    for (guint i = 0; i < s->n_latencies; i++) {
        const ScnGroupLatency *l = &s->latencies[i];
        g_string_append_printf(out, "latency %s %s = ", s->groups[l->a.index].name, s->groups[l->b.index].name);
        scn_format_dist(out, &l->latency);
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < s->n_links; i++) {
        g_string_append(out, "link ");
        format_target(out, s, &s->links[i].a);
        g_string_append_c(out, ' ');
        format_target(out, s, &s->links[i].b);
        format_link_options(out, &s->links[i]);
        g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < s->n_workloads; i++)
        format_workload(out, &s->workloads[i]);
    format_clients(out, s);
}

/* ---- actions ---- */

static void format_cond(GString *out, const ScnScript *s, const ScnCond *c)
{
    const char *op = scn_cmp_name(c->cmp);
    switch (c->kind) {
    case SCN_COND_LEADER:
        g_string_append(out, "leader");
        return;
    case SCN_COND_LEADER_IS:
        g_string_append_printf(out, "leader %s ", op);
        format_target(out, s, &c->who);
        return;
    case SCN_COND_LEADER_IN:
        g_string_append(out, "leader in ");
        format_targets(out, s, &c->servers, " ");
        return;
    case SCN_COND_ROLE:
        g_string_append(out, "role ");
        format_target(out, s, &c->who);
        g_string_append_printf(out, " %s %s", op, scn_role_name(c->role));
        return;
    case SCN_COND_ELECTION_TOOK:
        g_string_append_printf(out, "election took %s ", op);
        scn_format_time(out, c->took);
        return;
    case SCN_COND_ELECTIONS:
    case SCN_COND_COMMITS:
    case SCN_COND_EPOCH:
        g_string_append_printf(out, "%s %s %" PRId64, scn_cond_name(c->kind), op, c->n);
        return;
    case SCN_COND_CONNECTED:
        g_string_append(out, "connected ");
        format_target(out, s, &c->who);
        return;
    case SCN_COND_ALL_CONNECTED:
    case SCN_COND_QUIET:
    case SCN_COND_NO_VIOLATION:
        g_string_append(out, scn_cond_name(c->kind));
        return;
    case SCN_COND_WATCH:
        g_string_append(out, "watch ");
        format_target(out, s, &c->who);
        g_string_append_printf(out, " %s ", zk_event_type_name(c->event));
        scn_format_word(out, c->path);
        return;
    case SCN_COND_NO_WATCH:
        g_string_append(out, "no watch ");
        format_target(out, s, &c->who);
        g_string_append_c(out, ' ');
        scn_format_word(out, c->path);
        return;
    case SCN_COND_SAW:
    case SCN_COND_RESULT:
        format_target(out, s, &c->who);
        g_string_append_printf(out, " %s %s", scn_cond_name(c->kind), zk_err_name(c->error));
        return;
    case SCN_COND_VALUE:
        g_string_append(out, "value ");
        format_target(out, s, &c->who);
        g_string_append_c(out, ' ');
        scn_format_word(out, c->path);
        g_string_append_printf(out, " %s ", op);
        scn_format_word(out, c->data);
        return;
    case SCN_COND_SYNC_MODE:
        g_string_append(out, "sync ");
        format_target(out, s, &c->who);
        g_string_append_printf(out, " %s %s", op, scn_sync_name(c->sync));
        return;
    case SCN_COND_HAS:
    case SCN_COND_LACKS:
        g_string_append(out, "server ");
        format_target(out, s, &c->who);
        g_string_append_printf(out, " %s ", scn_cond_name(c->kind));
        scn_format_word(out, c->path);
        return;
    }
    g_assert_not_reached();
}

static void format_op(GString *out, const ScnScript *s, const ScnClientOp *op)
{
    format_target(out, s, &op->client);
    g_string_append_printf(out, ": %s", scn_op_name(op->op));
    if (op->sequential)
        g_string_append(out, " -s");
    if (op->ephemeral)
        g_string_append(out, " -e");
    if (op->container)
        g_string_append(out, " -c");
    if (op->stat)
        g_string_append(out, " -s");
    if (op->watch)
        g_string_append(out, " -w");
    if (op->recursive)
        g_string_append(out, " -R");
    if (op->version != -1)
        g_string_append_printf(out, " -v %" PRId32, op->version);
    if (op->op == SCN_OP_ADD_WATCH)
        g_string_append_printf(out, " -m %s", zk_watcher_mode_name(op->mode));
    if (op->op == SCN_OP_REMOVE_WATCHES)
        g_string_append(out, op->watcher == ZK_WATCHER_TYPE_CHILDREN ? " -c"
                             : op->watcher == ZK_WATCHER_TYPE_DATA   ? " -d"
                                                                     : " -a");
    if (op->path) {
        g_string_append_c(out, ' ');
        scn_format_word(out, op->path);
    }
    if (op->data) {
        g_string_append_c(out, ' ');
        scn_format_word(out, op->data);
    }
}

static void format_filter(GString *out, const ScnScript *s, const ScnFilter *f)
{
    g_string_append_printf(out, " %s ", scn_packet_name(f->packet));
    format_target(out, s, &f->from);
    g_string_append(out, " -> ");
    format_target(out, s, &f->to);
    if (f->delay > 0) {
        g_string_append_c(out, ' ');
        scn_format_time(out, f->delay);
    }
    switch (f->limit) {
    case SCN_LIMIT_FOREVER:
        break;
    case SCN_LIMIT_TIMES:
        g_string_append_printf(out, " times=%" PRId64, f->times);
        break;
    case SCN_LIMIT_FOR:
        g_string_append(out, " for ");
        scn_format_time(out, f->for_time);
        break;
    }
}

static void format_for(GString *out, gboolean has_for, SimTime t)
{
    if (has_for) {
        g_string_append(out, " for ");
        scn_format_time(out, t);
    }
}

static void format_payload(GString *out, const ScnScript *s, const ScnAction *a)
{
    switch (a->kind) {
    case SCN_ACTION_START:
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        g_string_append_printf(out, "%s ", scn_action_name(a->kind));
        if (a->u.servers.all)
            g_string_append(out, "all");
        else
            format_targets(out, s, &a->u.servers.targets, " ");
        return;
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE:
        g_string_append_printf(out, "%s ", scn_action_name(a->kind));
        format_target(out, s, &a->u.one.server);
        format_for(out, a->u.one.has_for, a->u.one.for_time);
        return;
    case SCN_ACTION_PARTITION:
        g_string_append(out, a->u.partition.oneway ? "partition oneway " : "partition ");
        for (guint i = 0; i < a->u.partition.n_sides; i++) {
            if (i > 0)
                g_string_append(out, a->u.partition.oneway ? " -> " : " | ");
            format_targets(out, s, &a->u.partition.sides[i], " ");
        }
        return;
    case SCN_ACTION_HEAL:
    case SCN_ACTION_END:
        g_string_append(out, scn_action_name(a->kind));
        return;
    case SCN_ACTION_LINK:
        g_string_append(out, "link ");
        format_target(out, s, &a->u.link.a);
        g_string_append_c(out, ' ');
        format_target(out, s, &a->u.link.b);
        format_link_options(out, &a->u.link);
        return;
    case SCN_ACTION_SLOWDISK:
        g_string_append(out, "slowdisk ");
        format_target(out, s, &a->u.slowdisk.server);
        g_string_append(out, " factor=");
        scn_format_double(out, a->u.slowdisk.factor);
        g_string_append(out, " extra=");
        scn_format_time(out, a->u.slowdisk.extra);
        format_for(out, a->u.slowdisk.has_for, a->u.slowdisk.for_time);
        return;
    case SCN_ACTION_CLOCK:
        g_string_append(out, "clock ");
        format_target(out, s, &a->u.clock.server);
        if (a->u.clock.is_jump) {
            g_string_append(out, a->u.clock.jump < 0 ? " jump=-" : " jump=+");
            scn_format_time(out, a->u.clock.jump < 0 ? -a->u.clock.jump : a->u.clock.jump);
        } else {
            g_string_append(out, " drift=");
            scn_format_double(out, a->u.clock.drift_ppm);
        }
        return;
    case SCN_ACTION_DROP:
    case SCN_ACTION_DELAY:
    case SCN_ACTION_BREAK:
        g_string_append(out, scn_action_name(a->kind));
        format_filter(out, s, &a->u.filter);
        return;
    case SCN_ACTION_CLIENT_OP:
        format_op(out, s, &a->u.op);
        return;
    case SCN_ACTION_WAIT:
        g_string_append(out, "wait until ");
        format_cond(out, s, &a->u.wait.cond);
        g_string_append(out, " within ");
        scn_format_time(out, a->u.wait.within);
        return;
    case SCN_ACTION_EXPECT:
        g_string_append(out, "expect ");
        format_cond(out, s, &a->u.expect);
        return;
    }
    g_assert_not_reached();
}

static void format_actions(GString *out, const ScnScript *s)
{
    SimTime chain = 0; /* time of the previous wait-relative action */
    for (guint i = 0; i < s->n_actions; i++) {
        const ScnAction *a = &s->actions[i];
        switch (a->when) {
        case SCN_WHEN_END:
            g_string_append(out, "expect at end ");
            format_cond(out, s, &a->u.expect);
            g_string_append_c(out, '\n');
            continue;
        case SCN_WHEN_START:
            g_string_append(out, "at ");
            scn_format_time(out, a->time);
            break;
        case SCN_WHEN_WAIT:
            g_assert(a->time >= chain);
            g_string_append(out, "after ");
            scn_format_time(out, a->time - chain);
            chain = a->time;
            break;
        }
        g_string_append_c(out, ' ');
        format_payload(out, s, a);
        g_string_append_c(out, '\n');
        if (a->kind == SCN_ACTION_WAIT)
            chain = 0;
    }
}

void scn_script_format(const ScnScript *s, GString *out)
{
    g_string_append(out, "# zksim scenario, canonical form\n");
    format_params(out, s);
    format_declarations(out, s);
    format_actions(out, s);
}

/* ---- equality ---- */

static gboolean str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static gboolean dist_eq(const SimDist *a, const SimDist *b)
{
    return a->kind == b->kind && a->a == b->a && a->b == b->b && a->shape == b->shape;
}

static gboolean target_eq(const ScnTarget *a, const ScnTarget *b)
{
    return a->kind == b->kind && a->index == b->index;
}

static gboolean targets_eq(const ScnTargets *a, const ScnTargets *b)
{
    if (a->n != b->n)
        return FALSE;
    for (guint i = 0; i < a->n; i++)
        if (!target_eq(&a->v[i], &b->v[i]))
            return FALSE;
    return TRUE;
}

static gboolean params_eq(const ScnParams *a, const ScnParams *b)
{
    size_t n = 0;
    const ScnParamInfo *table = scn_param_table(&n);
    for (size_t i = 0; i < n; i++) {
        g_autoptr(GString) x = g_string_new(NULL);
        g_autoptr(GString) y = g_string_new(NULL);
        scn_param_format_value(a, &table[i], x);
        scn_param_format_value(b, &table[i], y);
        /* Formatting is exact for every type (floats read back equal). */
        if (!g_string_equal(x, y))
            return FALSE;
    }
    return TRUE;
}

static gboolean link_eq(const ScnLink *a, const ScnLink *b)
{
    return target_eq(&a->a, &b->a) && target_eq(&a->b, &b->b) && a->has_latency == b->has_latency &&
           (!a->has_latency || dist_eq(&a->latency, &b->latency)) && a->has_loss == b->has_loss &&
           (!a->has_loss || a->loss == b->loss);
}

static gboolean workload_eq(const ScnWorkload *a, const ScnWorkload *b)
{
    return str_eq(a->name, b->name) && a->kind == b->kind && a->reads == b->reads && a->size_bytes == b->size_bytes &&
           a->keys == b->keys && a->key_dist == b->key_dist && a->zipf_s == b->zipf_s &&
           a->rate_per_s == b->rate_per_s && (a->rate_per_s > 0 || a->outstanding == b->outstanding) &&
           a->ops == b->ops && a->period == b->period && str_eq(a->path, b->path) && a->count == b->count &&
           a->hold == b->hold;
}

static gboolean client_eq(const ScnClient *a, const ScnClient *b)
{
    return str_eq(a->name, b->name) && a->all_servers == b->all_servers &&
           (a->all_servers || targets_eq(&a->servers, &b->servers)) && a->timeout == b->timeout &&
           a->workload == b->workload && a->start == b->start;
}

static gboolean cond_eq(const ScnCond *a, const ScnCond *b)
{
    return a->kind == b->kind && a->cmp == b->cmp && target_eq(&a->who, &b->who) &&
           targets_eq(&a->servers, &b->servers) && a->n == b->n && a->took == b->took && a->role == b->role &&
           a->sync == b->sync && a->event == b->event && a->error == b->error && str_eq(a->path, b->path) &&
           str_eq(a->data, b->data);
}

static gboolean op_eq(const ScnClientOp *a, const ScnClientOp *b)
{
    return target_eq(&a->client, &b->client) && a->op == b->op && str_eq(a->path, b->path) &&
           str_eq(a->data, b->data) && a->sequential == b->sequential && a->ephemeral == b->ephemeral &&
           a->container == b->container && a->stat == b->stat && a->watch == b->watch &&
           a->recursive == b->recursive && a->version == b->version && a->mode == b->mode &&
           a->watcher == b->watcher;
}

static gboolean filter_eq(const ScnFilter *a, const ScnFilter *b)
{
    return a->packet == b->packet && target_eq(&a->from, &b->from) && target_eq(&a->to, &b->to) &&
           a->delay == b->delay && a->limit == b->limit && a->times == b->times && a->for_time == b->for_time;
}

static gboolean payload_eq(const ScnAction *a, const ScnAction *b)
{
    switch (a->kind) {
    case SCN_ACTION_START:
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        return a->u.servers.all == b->u.servers.all && targets_eq(&a->u.servers.targets, &b->u.servers.targets);
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE:
        return target_eq(&a->u.one.server, &b->u.one.server) && a->u.one.has_for == b->u.one.has_for &&
               a->u.one.for_time == b->u.one.for_time;
    case SCN_ACTION_PARTITION:
        if (a->u.partition.oneway != b->u.partition.oneway || a->u.partition.n_sides != b->u.partition.n_sides)
            return FALSE;
        for (guint i = 0; i < a->u.partition.n_sides; i++)
            if (!targets_eq(&a->u.partition.sides[i], &b->u.partition.sides[i]))
                return FALSE;
        return TRUE;
    case SCN_ACTION_HEAL:
    case SCN_ACTION_END:
        return TRUE;
    case SCN_ACTION_LINK:
        return link_eq(&a->u.link, &b->u.link);
    case SCN_ACTION_SLOWDISK:
        return target_eq(&a->u.slowdisk.server, &b->u.slowdisk.server) && a->u.slowdisk.factor == b->u.slowdisk.factor &&
               a->u.slowdisk.extra == b->u.slowdisk.extra && a->u.slowdisk.has_for == b->u.slowdisk.has_for &&
               a->u.slowdisk.for_time == b->u.slowdisk.for_time;
    case SCN_ACTION_CLOCK:
        return target_eq(&a->u.clock.server, &b->u.clock.server) && a->u.clock.is_jump == b->u.clock.is_jump &&
               a->u.clock.drift_ppm == b->u.clock.drift_ppm && a->u.clock.jump == b->u.clock.jump;
    case SCN_ACTION_DROP:
    case SCN_ACTION_DELAY:
    case SCN_ACTION_BREAK:
        return filter_eq(&a->u.filter, &b->u.filter);
    case SCN_ACTION_CLIENT_OP:
        return op_eq(&a->u.op, &b->u.op);
    case SCN_ACTION_WAIT:
        return cond_eq(&a->u.wait.cond, &b->u.wait.cond) && a->u.wait.within == b->u.wait.within;
    case SCN_ACTION_EXPECT:
        return cond_eq(&a->u.expect, &b->u.expect);
    }
    g_assert_not_reached();
    return FALSE;
}

static gboolean action_eq(const ScnAction *a, const ScnAction *b)
{
    return a->kind == b->kind && a->when == b->when && (a->when == SCN_WHEN_END || a->time == b->time) &&
           payload_eq(a, b);
}

#define ARRAYS_EQ(field, eq)                                                                       \
    do {                                                                                           \
        if (a->n_##field != b->n_##field)                                                          \
            return FALSE;                                                                          \
        for (guint i_ = 0; i_ < a->n_##field; i_++)                                                \
            if (!(eq))                                                                             \
                return FALSE;                                                                      \
    } while (0)

gboolean scn_script_equal(const ScnScript *a, const ScnScript *b)
{
    if (!params_eq(&a->params, &b->params))
        return FALSE;
    ARRAYS_EQ(groups, str_eq(a->groups[i_].name, b->groups[i_].name) &&
                          targets_eq(&a->groups[i_].members, &b->groups[i_].members));
    ARRAYS_EQ(latencies, target_eq(&a->latencies[i_].a, &b->latencies[i_].a) &&
                             target_eq(&a->latencies[i_].b, &b->latencies[i_].b) &&
                             dist_eq(&a->latencies[i_].latency, &b->latencies[i_].latency));
    ARRAYS_EQ(links, link_eq(&a->links[i_], &b->links[i_]));
    ARRAYS_EQ(quorum_groups, a->quorum_groups[i_].id == b->quorum_groups[i_].id &&
                                 targets_eq(&a->quorum_groups[i_].members, &b->quorum_groups[i_].members));
    ARRAYS_EQ(quorum_weights, target_eq(&a->quorum_weights[i_].server, &b->quorum_weights[i_].server) &&
                                  a->quorum_weights[i_].weight == b->quorum_weights[i_].weight);
    ARRAYS_EQ(observers, target_eq(&a->observers[i_], &b->observers[i_]));
    ARRAYS_EQ(workloads, workload_eq(&a->workloads[i_], &b->workloads[i_]));
    ARRAYS_EQ(clients, client_eq(&a->clients[i_], &b->clients[i_]));
    ARRAYS_EQ(actions, action_eq(&a->actions[i_], &b->actions[i_]));
    return TRUE;
}
