/* scn_check.c - what can only be checked once the whole script is read.
 *
 * The parser leaves names as written; here, with the final parameters
 * (files, then --set), every target is resolved:
 *   sN       must satisfy 1 <= N <= servers;
 *   a name   is a group (only if defined on an earlier line) or a client
 *            (declared anywhere), and must be a kind its place accepts;
 *   a list   keeps its first mention of each target; a group stays one
 *            target (expanded only to check partitions, and by callers
 *            with scn_targets_expand), so memory follows the text.
 * Then the contradictions that involve several lines: observers leaving
 * no voter, hierarchical quorum groups and weights, a server on two sides
 * of a partition, a pause with neither a resume nor a `for`, an action
 * after the end of the run, session and notification bounds inverted.
 * Last, assert_script_checked asserts what callers rely on (scn.h).
 *
 * Each error points at the line of the culprit (the later of two lines
 * in conflict, or the line that would have to change).
 */
#include "scn_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static guint n_servers(const ScnParser *p)
{
    return (guint)p->s->params.servers;
}

static void servers_text(const ScnParser *p, GString *out)
{
    guint n = n_servers(p);
    if (n == 1)
        g_string_append(out, "servers = 1: s1");
    else
        g_string_append_printf(out, "servers = %u: s1..s%u", n, n);
}

static gboolean check_fail_pos(ScnParser *p, const ScnPos *pos, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean check_fail_pos(ScnParser *p, const ScnPos *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* A parameter never set has no position: the message stands alone. */
    return scn_fail(p, SCN_ERROR_CHECK, pos && pos->file ? pos : NULL, "%s", msg);
}

/* Position of the parameter's last setting, or NULL if it is the default. */
static const ScnPos *param_pos(const ScnParser *p, const char *name)
{
    const ScnParamInfo *info = scn_param_find(name);
    g_assert(info != NULL);
    const ScnPos *pos = &p->s->priv->param_pos[scn_param_index(info)];
    return pos->file ? pos : NULL;
}

/* ---- targets ---- */

static gboolean server_ok(ScnParser *p, const ScnTarget *t)
{
    if (t->index >= 1 && t->index <= n_servers(p))
        return TRUE;
    g_autoptr(GString) st = g_string_new(NULL);
    servers_text(p, st);
    return check_fail_pos(p, &t->pos, "unknown server '%s' (%s)", t->name, st->str);
}

static void append_names(GPtrArray *out, GArray *arr, gsize elem_size, gsize name_offset)
{
    for (guint i = 0; i < arr->len; i++) {
        const char *const *name = (const char *const *)(const void *)(arr->data + i * elem_size + name_offset);
        g_ptr_array_add(out, (gpointer)*name);
    }
}

static gboolean unknown_name(ScnParser *p, const ScnTarget *t, guint allowed)
{
    gboolean clients = (allowed & SCN_M(CLIENT)) != 0, groups = (allowed & SCN_M(GROUP)) != 0;
    if (!clients && !groups)
        return server_ok(p, t); /* fails: reports the server range */
    g_autoptr(GPtrArray) cands = g_ptr_array_new();
    if (groups)
        append_names(cands, p->s->priv->groups, sizeof(ScnGroup), offsetof(ScnGroup, name));
    if (clients)
        append_names(cands, p->s->priv->clients, sizeof(ScnClient), offsetof(ScnClient, name));
    const char *noun = clients && groups ? ((allowed & SCN_M(SERVER)) ? "server, client or group" : "client or group")
                       : clients         ? ((allowed & SCN_M(SERVER)) ? "server or client" : "client")
                                         : ((allowed & SCN_M(SERVER)) ? "server or group" : "group");
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown %s '%s'", noun, t->name);
    const char *near = scn_suggest(t->name, (const char *const *)cands->pdata, cands->len);
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else if (clients && !groups && !(allowed & SCN_M(SERVER)))
        g_string_append(msg, " (declare it with 'client NAME' or 'clients PREFIX1..PREFIXN')");
    else if (groups && !clients && !(allowed & SCN_M(SERVER)))
        g_string_append(msg, " (define it above with 'group NAME = s1 s2 ...')");
    return check_fail_pos(p, &t->pos, "%s", msg->str);
}

static gboolean wrong_kind(ScnParser *p, const ScnTarget *t, const char *is, guint allowed)
{
    g_autoptr(GString) exp = g_string_new(NULL);
    scn_mask_describe(allowed, exp);
    return check_fail_pos(p, &t->pos, "'%s' is %s; expected %s here", t->name, is, exp->str);
}

static gboolean resolve_name(ScnParser *p, ScnTarget *t, guint allowed)
{
    guint gi = GPOINTER_TO_UINT(g_hash_table_lookup(p->group_index, t->name));
    guint ci = GPOINTER_TO_UINT(g_hash_table_lookup(p->client_index, t->name));
    if (gi) {
        const ScnGroup *g = &g_array_index(p->s->priv->groups, ScnGroup, gi - 1);
        if (!(allowed & SCN_M(GROUP)))
            return wrong_kind(p, t, "a group", allowed);
        if (g->pos.seq >= t->pos.seq) {
            g_autoptr(GString) at = g_string_new(NULL);
            scn_pos_append(at, &g->pos);
            return check_fail_pos(p, &t->pos, "group '%s' is used before its definition at %s", t->name, at->str);
        }
        t->kind = SCN_TARGET_GROUP;
        t->index = gi - 1;
        return TRUE;
    }
    if (ci) {
        if (!(allowed & SCN_M(CLIENT)))
            return wrong_kind(p, t, "a client", allowed);
        t->index = ci - 1;
        return TRUE;
    }
    return unknown_name(p, t, allowed);
}

static gboolean resolve_one(ScnParser *p, ScnTarget *t, guint allowed)
{
    switch (t->kind) {
    case SCN_TARGET_SERVER:
        return server_ok(p, t);
    case SCN_TARGET_CLIENT:
        return t->index != SCN_UNRESOLVED || resolve_name(p, t, allowed);
    case SCN_TARGET_LEADER:
    case SCN_TARGET_GROUP:
    case SCN_TARGET_ANY:
        return TRUE;
    }
    g_assert_not_reached();
    return FALSE;
}

/* Resolves a list and drops repeats (the first mention stays).  Groups
 * stay groups: see scn_targets_expand. */
static gboolean resolve_list(ScnParser *p, ScnTargets *l, guint allowed)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    gboolean ok = TRUE;
    for (guint i = 0; i < l->n && ok; i++) {
        ScnTarget t = l->v[i];
        ok = resolve_one(p, &t, allowed);
        if (ok && scn_target_set_add(&seen, &t))
            g_array_append_val(out, t);
    }
    scn_target_set_clear(&seen);
    if (ok)
        *l = scn_targets_copy(p->s, (const ScnTarget *)(const void *)out->data, out->len);
    return ok;
}

/* The servers and clients of a resolved list, groups expanded (the
 * groups are complete: they are resolved before any list). */
static void expand(ScnParser *p, const ScnTargets *l, GArray *out)
{
    ScnScript view = { .groups = (const ScnGroup *)(const void *)p->s->priv->groups->data,
                       .n_groups = p->s->priv->groups->len };
    scn_targets_expand(&view, l, out);
}

/* ---- declarations ---- */

static gboolean check_groups(ScnParser *p)
{
    GArray *groups = p->s->priv->groups;
    for (guint i = 0; i < groups->len; i++)
        if (!resolve_list(p, &g_array_index(groups, ScnGroup, i).members, SCN_M(SERVER)))
            return FALSE;
    GArray *lat = p->s->priv->latencies;
    for (guint i = 0; i < lat->len; i++) {
        ScnGroupLatency *g = &g_array_index(lat, ScnGroupLatency, i);
        if (!resolve_one(p, &g->a, SCN_M(GROUP)) || !resolve_one(p, &g->b, SCN_M(GROUP)))
            return FALSE;
    }
    GArray *links = p->s->priv->links;
    for (guint i = 0; i < links->len; i++) {
        ScnLink *l = &g_array_index(links, ScnLink, i);
        if (!resolve_one(p, &l->a, SCN_M(SERVER) | SCN_M(CLIENT)) || !resolve_one(p, &l->b, SCN_M(SERVER) | SCN_M(CLIENT)))
            return FALSE;
    }
    return TRUE;
}

/* Observer flags of every server, from `observers` and `observer` lines. */
static void observer_flags(const ScnParser *p, gboolean is_obs[SCN_SERVERS_MAX + 1])
{
    memset(is_obs, 0, (SCN_SERVERS_MAX + 1) * sizeof *is_obs);
    guint n = n_servers(p);
    int64_t k = p->s->params.observers;
    for (guint id = 1; id <= n; id++)
        is_obs[id] = (int64_t)id > (int64_t)n - k;
    GArray *obs = p->s->priv->observers;
    for (guint i = 0; i < obs->len; i++)
        is_obs[g_array_index(obs, ScnTarget, i).index] = TRUE;
}

static gboolean check_observers(ScnParser *p)
{
    GArray *obs = p->s->priv->observers;
    guint line_of[SCN_SERVERS_MAX + 1] = { 0 }; /* observer line index + 1 */
    for (guint i = 0; i < obs->len; i++) {
        ScnTarget *t = &g_array_index(obs, ScnTarget, i);
        if (!resolve_one(p, t, SCN_M(SERVER)))
            return FALSE;
        if (line_of[t->index]) {
            g_autoptr(GString) at = g_string_new(NULL);
            scn_pos_append(at, &g_array_index(obs, ScnTarget, line_of[t->index] - 1).pos);
            return check_fail_pos(p, &t->pos, "%s is already an observer (since %s)", t->name, at->str);
        }
        line_of[t->index] = i + 1;
    }
    gboolean is_obs[SCN_SERVERS_MAX + 1];
    observer_flags(p, is_obs);
    for (guint id = 1; id <= n_servers(p); id++)
        if (!is_obs[id])
            return TRUE;
    if (p->s->params.observers >= p->s->params.servers)
        return check_fail_pos(p, param_pos(p, "observers"),
                              "observers = %" PRId64 " leaves no voting server (servers = %" PRId64 ")",
                              p->s->params.observers, p->s->params.servers);
    return check_fail_pos(p, &g_array_index(obs, ScnTarget, obs->len - 1).pos,
                          "no voting server left: all %u servers are observers", n_servers(p));
}

static gboolean quorum_groups_members(ScnParser *p, guint group_of[SCN_SERVERS_MAX + 1])
{
    GArray *qg = p->s->priv->quorum_groups;
    gboolean is_obs[SCN_SERVERS_MAX + 1];
    observer_flags(p, is_obs);
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (guint i = 0; i < qg->len; i++) {
        ScnQuorumGroup *g = &g_array_index(qg, ScnQuorumGroup, i);
        gpointer prev = g_hash_table_lookup(ids, &g->id);
        if (prev) {
            g_autoptr(GString) at = g_string_new(NULL);
            scn_pos_append(at, &g_array_index(qg, ScnQuorumGroup, GPOINTER_TO_UINT(prev) - 1).pos);
            return check_fail_pos(p, &g->pos, "quorum.group %" PRId64 " is already defined at %s", g->id, at->str);
        }
        g_hash_table_insert(ids, g_memdup2(&g->id, sizeof g->id), GUINT_TO_POINTER(i + 1));
        if (!resolve_list(p, &g->members, SCN_M(SERVER)))
            return FALSE;
        for (guint k = 0; k < g->members.n; k++) {
            const ScnTarget *m = &g->members.v[k];
            if (is_obs[m->index])
                return check_fail_pos(p, &m->pos, "%s is an observer; quorum groups hold voting servers only",
                                      m->name);
            if (group_of[m->index])
                return check_fail_pos(p, &m->pos, "%s is in quorum.group %" PRId64 " and quorum.group %" PRId64,
                                      m->name, g_array_index(qg, ScnQuorumGroup, group_of[m->index] - 1).id, g->id);
            group_of[m->index] = i + 1;
        }
    }
    for (guint id = 1; id <= n_servers(p); id++)
        if (!is_obs[id] && !group_of[id])
            return check_fail_pos(p, &g_array_index(qg, ScnQuorumGroup, 0).pos,
                                  "voting server s%u is in no quorum.group (hierarchical quorums need every voter "
                                  "in a group)",
                                  id);
    return TRUE;
}

static gboolean quorum_weights(ScnParser *p, const guint group_of[SCN_SERVERS_MAX + 1])
{
    GArray *qw = p->s->priv->quorum_weights;
    int64_t weight[SCN_SERVERS_MAX + 1];
    guint set_by[SCN_SERVERS_MAX + 1] = { 0 };
    for (guint id = 0; id <= SCN_SERVERS_MAX; id++)
        weight[id] = 1; /* QuorumHierarchical's default */
    for (guint i = 0; i < qw->len; i++) {
        ScnQuorumWeight *w = &g_array_index(qw, ScnQuorumWeight, i);
        if (!resolve_one(p, &w->server, SCN_M(SERVER)))
            return FALSE;
        guint id = w->server.index;
        if (!group_of[id])
            return check_fail_pos(p, &w->pos, "quorum.weight %s: %s is in no quorum.group", w->server.name,
                                  w->server.name);
        if (set_by[id]) {
            g_autoptr(GString) at = g_string_new(NULL);
            scn_pos_append(at, &g_array_index(qw, ScnQuorumWeight, set_by[id] - 1).pos);
            return check_fail_pos(p, &w->pos, "quorum.weight %s: already set at %s", w->server.name, at->str);
        }
        set_by[id] = i + 1;
        weight[id] = w->weight;
    }
    int64_t total = 0;
    for (guint id = 1; id <= n_servers(p); id++)
        if (group_of[id])
            total += weight[id];
    if (total == 0)
        return check_fail_pos(p, &g_array_index(qw, ScnQuorumWeight, qw->len - 1).pos,
                              "every quorum.weight is zero: no quorum can ever form");
    return TRUE;
}

static gboolean check_quorum(ScnParser *p)
{
    GArray *qg = p->s->priv->quorum_groups, *qw = p->s->priv->quorum_weights;
    if (p->s->params.quorum != SCN_QUORUM_HIERARCHICAL) {
        if (qg->len > 0)
            return check_fail_pos(p, &g_array_index(qg, ScnQuorumGroup, 0).pos,
                                  "quorum.group needs 'quorum = hierarchical' (quorum is majority)");
        if (qw->len > 0)
            return check_fail_pos(p, &g_array_index(qw, ScnQuorumWeight, 0).pos,
                                  "quorum.weight needs 'quorum = hierarchical' (quorum is majority)");
        return TRUE;
    }
    if (qg->len == 0)
        return check_fail_pos(p, param_pos(p, "quorum"), "quorum = hierarchical needs quorum.group lines");
    guint group_of[SCN_SERVERS_MAX + 1] = { 0 };
    return quorum_groups_members(p, group_of) && quorum_weights(p, group_of);
}

/* ---- clients ---- */

/* client.connectString as targets (all_servers when "all"); a group stays
 * a group, as in every list. */
static gboolean connect_string(ScnParser *p, gboolean *all, ScnTargets *out)
{
    const char *const *names = p->s->params.client.connect_string;
    const ScnPos *pos = param_pos(p, "client.connectString");
    *all = names[0] && strcmp(names[0], "all") == 0;
    if (*all)
        return TRUE;
    g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    gboolean ok = TRUE;
    for (gsize i = 0; names[i] && ok; i++) {
        ScnTarget t = { .kind = SCN_TARGET_SERVER, .name = names[i], .pos = pos ? *pos : (ScnPos){ 0 } };
        guint gi = GPOINTER_TO_UINT(g_hash_table_lookup(p->group_index, names[i]));
        guint64 id = scn_is_server_like(names[i]) && names[i][1] != '0' ? g_ascii_strtoull(names[i] + 1, NULL, 10) : 0;
        if (gi) {
            t.kind = SCN_TARGET_GROUP;
            t.index = gi - 1;
        } else if (id >= 1 && id <= n_servers(p)) {
            t.index = (guint)id;
        } else {
            g_autoptr(GString) st = g_string_new(NULL);
            servers_text(p, st);
            ok = check_fail_pos(p, pos, "client.connectString: unknown server or group '%s' (%s)", names[i], st->str);
            break;
        }
        if (scn_target_set_add(&seen, &t))
            g_array_append_val(v, t);
    }
    scn_target_set_clear(&seen);
    if (ok)
        *out = scn_targets_copy(p->s, (const ScnTarget *)(const void *)v->data, v->len);
    return ok;
}

static gboolean client_workload(ScnParser *p, ScnClient *c, const ScnClientExtra *x)
{
    if (!x->workload)
        return TRUE;
    guint wi = GPOINTER_TO_UINT(g_hash_table_lookup(p->workload_index, x->workload));
    if (wi) {
        c->workload = (int)wi - 1;
        return TRUE;
    }
    g_autoptr(GPtrArray) cands = g_ptr_array_new();
    append_names(cands, p->s->priv->workloads, sizeof(ScnWorkload), offsetof(ScnWorkload, name));
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown workload '%s'", x->workload);
    const char *near = scn_suggest(x->workload, (const char *const *)cands->pdata, cands->len);
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else
        g_string_append(msg, " (define it with 'workload NAME kind=KIND ...')");
    return check_fail_pos(p, &x->workload_pos, "%s", msg->str);
}

static gboolean check_clients(ScnParser *p)
{
    gboolean cs_all = FALSE;
    ScnTargets cs = { 0 };
    if (!connect_string(p, &cs_all, &cs))
        return FALSE;
    GArray *clients = p->s->priv->clients;
    /* A `clients` range shares one list: resolve it once. */
    const ScnTarget *last_src = NULL;
    ScnTargets last_out = { 0 };
    for (guint i = 0; i < clients->len; i++) {
        ScnClient *c = &g_array_index(clients, ScnClient, i);
        const ScnClientExtra *x = &g_array_index(p->client_extra, ScnClientExtra, i);
        if (!x->has_servers) {
            c->all_servers = cs_all;
            c->servers = cs;
        } else if (!c->all_servers && c->servers.v == last_src) {
            c->servers = last_out;
        } else if (!c->all_servers) {
            last_src = c->servers.v;
            if (!resolve_list(p, &c->servers, SCN_M(SERVER) | SCN_M(GROUP)))
                return FALSE;
            last_out = c->servers;
        }
        if (!x->has_timeout)
            c->timeout = p->s->params.client.timeout;
        if (!client_workload(p, c, x))
            return FALSE;
    }
    return TRUE;
}

/* ---- actions ---- */

static gboolean check_partition(ScnParser *p, ScnAction *a)
{
    const guint allowed = SCN_M(SERVER) | SCN_M(CLIENT) | SCN_M(GROUP) | SCN_M(LEADER);
    ScnTargets *sides = (ScnTargets *)a->u.partition.sides;
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    gboolean ok = TRUE;
    for (guint s = 0; s < a->u.partition.n_sides && ok; s++) {
        ok = resolve_list(p, &sides[s], allowed);
        g_autoptr(GArray) members = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
        if (ok)
            expand(p, &sides[s], members);
        for (guint k = 0; k < members->len && ok; k++) {
            const ScnTarget *t = &g_array_index(members, ScnTarget, k);
            if (!scn_target_set_add(&seen, t))
                ok = check_fail_pos(p, &t->pos, "partition: %s is on two sides", t->name);
        }
    }
    scn_target_set_clear(&seen);
    return ok;
}

static gboolean check_cond(ScnParser *p, ScnCond *c)
{
    switch (c->kind) {
    case SCN_COND_LEADER_IS:
    case SCN_COND_ROLE:
    case SCN_COND_SYNC_MODE:
    case SCN_COND_HAS:
    case SCN_COND_LACKS:
        return resolve_one(p, &c->who, SCN_M(SERVER));
    case SCN_COND_CONNECTED:
    case SCN_COND_WATCH:
    case SCN_COND_NO_WATCH:
    case SCN_COND_SAW:
    case SCN_COND_RESULT:
    case SCN_COND_VALUE:
        return resolve_one(p, &c->who, SCN_M(CLIENT));
    case SCN_COND_LEADER_IN:
        return resolve_list(p, &c->servers, SCN_M(SERVER) | SCN_M(GROUP));
    case SCN_COND_LEADER:
    case SCN_COND_ELECTION_TOOK:
    case SCN_COND_ELECTIONS:
    case SCN_COND_COMMITS:
    case SCN_COND_EPOCH:
    case SCN_COND_ALL_CONNECTED:
    case SCN_COND_QUIET:
    case SCN_COND_NO_VIOLATION:
        return TRUE;
    }
    g_assert_not_reached();
    return FALSE;
}

static gboolean resolve_action(ScnParser *p, ScnAction *a)
{
    const guint one = SCN_M(SERVER) | SCN_M(LEADER);
    const guint ends = SCN_M(SERVER) | SCN_M(LEADER) | SCN_M(ANY);
    switch (a->kind) {
    case SCN_ACTION_START:
        return a->u.servers.all || resolve_list(p, &a->u.servers.targets, one | SCN_M(GROUP));
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        return a->u.servers.all || resolve_list(p, &a->u.servers.targets, one | SCN_M(GROUP) | SCN_M(CLIENT));
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE:
        return resolve_one(p, &a->u.one.server, one | SCN_M(CLIENT));
    case SCN_ACTION_PARTITION:
        return check_partition(p, a);
    case SCN_ACTION_LINK:
        return resolve_one(p, &a->u.link.a, one | SCN_M(CLIENT)) && resolve_one(p, &a->u.link.b, one | SCN_M(CLIENT));
    case SCN_ACTION_SLOWDISK:
        return resolve_one(p, &a->u.slowdisk.server, one);
    case SCN_ACTION_CLOCK:
        return resolve_one(p, &a->u.clock.server, one);
    case SCN_ACTION_DROP:
    case SCN_ACTION_DELAY:
    case SCN_ACTION_BREAK:
        return resolve_one(p, &a->u.filter.from, ends) && resolve_one(p, &a->u.filter.to, ends);
    case SCN_ACTION_CLIENT_OP:
        return resolve_one(p, &a->u.op.client, SCN_M(CLIENT));
    case SCN_ACTION_WAIT:
        return check_cond(p, &a->u.wait.cond);
    case SCN_ACTION_EXPECT:
        return check_cond(p, &a->u.expect);
    case SCN_ACTION_HEAL:
    case SCN_ACTION_END:
        return TRUE;
    }
    g_assert_not_reached();
    return FALSE;
}

/* Slot of a pause/resume target: server id, or 0 for leader. */
static guint pause_slot(const ScnTarget *t)
{
    return t->kind == SCN_TARGET_LEADER ? 0 : t->index;
}

/* Every pause without `for` needs a later resume of the same target
 * (leader matches leader: both are symbolic). */
static gboolean check_pauses(ScnParser *p)
{
    GArray *acts = p->s->priv->actions;
    guint pending[SCN_SERVERS_MAX + 1] = { 0 }; /* action index + 1 */
    for (guint i = 0; i < acts->len; i++) {
        const ScnAction *a = &g_array_index(acts, ScnAction, i);
        if (a->kind != SCN_ACTION_PAUSE && a->kind != SCN_ACTION_RESUME)
            continue;
        guint slot = pause_slot(&a->u.one.server);
        const char *name = a->u.one.server.name;
        if (a->kind == SCN_ACTION_RESUME) {
            if (!pending[slot])
                return check_fail_pos(p, &a->pos, "resume %s without a pause of %s before it", name, name);
            pending[slot] = 0;
            continue;
        }
        if (pending[slot]) {
            const ScnAction *prev = &g_array_index(acts, ScnAction, pending[slot] - 1);
            if (!prev->u.one.has_for) {
                g_autoptr(GString) at = g_string_new(NULL);
                scn_pos_append(at, &prev->pos);
                return check_fail_pos(p, &a->pos, "%s is already paused (by the pause at %s)", name, at->str);
            }
        }
        pending[slot] = i + 1;
    }
    for (guint slot = 0; slot <= SCN_SERVERS_MAX; slot++) {
        if (!pending[slot])
            continue;
        const ScnAction *a = &g_array_index(acts, ScnAction, pending[slot] - 1);
        if (!a->u.one.has_for)
            return check_fail_pos(p, &a->pos, "pause %s has no matching 'resume %s' and no 'for DURATION'",
                                  a->u.one.server.name, a->u.one.server.name);
    }
    return TRUE;
}

static gboolean check_actions(ScnParser *p)
{
    GArray *acts = p->s->priv->actions;
    SimTime duration = p->s->params.duration;
    for (guint i = 0; i < acts->len; i++) {
        ScnAction *a = &g_array_index(acts, ScnAction, i);
        if (!resolve_action(p, a))
            return FALSE;
        if (a->when == SCN_WHEN_START && a->time > duration) {
            char t1[SIM_TIME_STR_LEN], t2[SIM_TIME_STR_LEN];
            return check_fail_pos(p, &a->pos, "%s at %s is after the end of the run (duration = %s)",
                                  scn_action_name(a->kind), sim_time_format(a->time, t1), sim_time_format(duration, t2));
        }
    }
    return check_pauses(p);
}

/* ---- parameters ---- */

/* The position of whichever of two parameters was set last. */
static const ScnPos *later_pos(const ScnParser *p, const char *a, const char *b)
{
    const ScnPos *pa = param_pos(p, a), *pb = param_pos(p, b);
    if (!pa)
        return pb;
    if (!pb)
        return pa;
    return pa->seq >= pb->seq ? pa : pb;
}

static gboolean check_params(ScnParser *p)
{
    const ScnParams *pr = &p->s->params;
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN];
    SimTime lo = scn_params_session_timeout_min(pr), hi = scn_params_session_timeout_max(pr);
    if (lo > hi)
        return check_fail_pos(p, later_pos(p, "minSessionTimeout", "maxSessionTimeout"),
                              "minSessionTimeout (%s) is greater than maxSessionTimeout (%s)", sim_time_format(lo, a),
                              sim_time_format(hi, b));
    if (pr->min_notification_interval > pr->max_notification_interval)
        return check_fail_pos(p, later_pos(p, "minNotificationInterval", "maxNotificationInterval"),
                              "minNotificationInterval (%s) is greater than maxNotificationInterval (%s)",
                              sim_time_format(pr->min_notification_interval, a),
                              sim_time_format(pr->max_notification_interval, b));
    return TRUE;
}

/* ---- the checked script's invariants ---- */

/* A resolved target of a kind in mask, with an index in range. */
static void assert_target(const ScnParser *p, const ScnTarget *t, guint mask)
{
    g_assert(mask & (1u << t->kind));
    g_assert(t->name != NULL);
    switch (t->kind) {
    case SCN_TARGET_SERVER:
        g_assert(t->index >= 1 && t->index <= n_servers(p));
        return;
    case SCN_TARGET_CLIENT:
        g_assert(t->index < p->s->priv->clients->len);
        return;
    case SCN_TARGET_GROUP:
        g_assert(t->index < p->s->priv->groups->len);
        return;
    case SCN_TARGET_LEADER:
    case SCN_TARGET_ANY:
        return;
    }
    g_assert_not_reached();
}

static void assert_targets(const ScnParser *p, const ScnTargets *l, guint mask)
{
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    for (guint i = 0; i < l->n; i++) {
        assert_target(p, &l->v[i], mask);
        g_assert(scn_target_set_add(&seen, &l->v[i])); /* no repeats */
    }
    scn_target_set_clear(&seen);
}

static void assert_cond(const ScnParser *p, const ScnCond *c)
{
    if (c->who.name)
        assert_target(p, &c->who, SCN_M(SERVER) | SCN_M(CLIENT));
    assert_targets(p, &c->servers, SCN_M(SERVER) | SCN_M(GROUP));
}

static void assert_action(const ScnParser *p, const ScnAction *a)
{
    const guint one = SCN_M(SERVER) | SCN_M(LEADER);
    g_assert(a->when == SCN_WHEN_END || (a->time >= 0 && a->time <= SCN_TIME_LIMIT));
    switch (a->kind) {
    case SCN_ACTION_START:
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        g_assert(a->u.servers.all != (a->u.servers.targets.n > 0));
        assert_targets(p, &a->u.servers.targets, one | SCN_M(GROUP) | SCN_M(CLIENT));
        return;
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE:
        assert_target(p, &a->u.one.server, one | SCN_M(CLIENT));
        return;
    case SCN_ACTION_PARTITION:
        g_assert(a->u.partition.n_sides >= 1 && (!a->u.partition.oneway || a->u.partition.n_sides == 2));
        for (guint i = 0; i < a->u.partition.n_sides; i++) {
            g_assert(a->u.partition.sides[i].n > 0);
            assert_targets(p, &a->u.partition.sides[i], one | SCN_M(CLIENT) | SCN_M(GROUP));
        }
        return;
    case SCN_ACTION_LINK:
        assert_target(p, &a->u.link.a, one | SCN_M(CLIENT));
        assert_target(p, &a->u.link.b, one | SCN_M(CLIENT));
        g_assert(a->u.link.has_latency || a->u.link.has_loss);
        return;
    case SCN_ACTION_SLOWDISK:
        assert_target(p, &a->u.slowdisk.server, one);
        g_assert(a->u.slowdisk.factor > 0);
        return;
    case SCN_ACTION_CLOCK:
        assert_target(p, &a->u.clock.server, one);
        return;
    case SCN_ACTION_DROP:
    case SCN_ACTION_DELAY:
    case SCN_ACTION_BREAK:
        assert_target(p, &a->u.filter.from, one | SCN_M(ANY));
        assert_target(p, &a->u.filter.to, one | SCN_M(ANY));
        g_assert((a->kind == SCN_ACTION_DELAY) == (a->u.filter.delay > 0));
        return;
    case SCN_ACTION_CLIENT_OP:
        assert_target(p, &a->u.op.client, SCN_M(CLIENT));
        g_assert((a->u.op.path == NULL) == (a->u.op.op == SCN_OP_CLOSE || a->u.op.op == SCN_OP_CONNECT));
        return;
    case SCN_ACTION_WAIT:
        g_assert(a->u.wait.within > 0);
        assert_cond(p, &a->u.wait.cond);
        return;
    case SCN_ACTION_EXPECT:
        assert_cond(p, &a->u.expect);
        return;
    case SCN_ACTION_HEAL:
    case SCN_ACTION_END:
        return;
    }
    g_assert_not_reached();
}

/* Everything a caller relies on after a successful load (scn.h): names
 * resolved, indices in range, lists without repeats. */
static void assert_script_checked(const ScnParser *p)
{
    const ScnScriptPriv *v = p->s->priv;
    for (guint i = 0; i < v->groups->len; i++)
        assert_targets(p, &g_array_index(v->groups, ScnGroup, i).members, SCN_M(SERVER));
    for (guint i = 0; i < v->latencies->len; i++) {
        assert_target(p, &g_array_index(v->latencies, ScnGroupLatency, i).a, SCN_M(GROUP));
        assert_target(p, &g_array_index(v->latencies, ScnGroupLatency, i).b, SCN_M(GROUP));
    }
    for (guint i = 0; i < v->links->len; i++) {
        assert_target(p, &g_array_index(v->links, ScnLink, i).a, SCN_M(SERVER) | SCN_M(CLIENT));
        assert_target(p, &g_array_index(v->links, ScnLink, i).b, SCN_M(SERVER) | SCN_M(CLIENT));
    }
    for (guint i = 0; i < v->quorum_groups->len; i++)
        assert_targets(p, &g_array_index(v->quorum_groups, ScnQuorumGroup, i).members, SCN_M(SERVER));
    for (guint i = 0; i < v->quorum_weights->len; i++)
        assert_target(p, &g_array_index(v->quorum_weights, ScnQuorumWeight, i).server, SCN_M(SERVER));
    for (guint i = 0; i < v->observers->len; i++)
        assert_target(p, &g_array_index(v->observers, ScnTarget, i), SCN_M(SERVER));
    for (guint i = 0; i < v->clients->len; i++) {
        const ScnClient *c = &g_array_index(v->clients, ScnClient, i);
        g_assert(c->all_servers || c->servers.n > 0);
        assert_targets(p, &c->servers, SCN_M(SERVER) | SCN_M(GROUP));
        g_assert(c->timeout > 0);
        g_assert(c->workload >= -1 && c->workload < (int)v->workloads->len);
    }
    for (guint i = 0; i < v->actions->len; i++)
        assert_action(p, &g_array_index(v->actions, ScnAction, i));
}

gboolean scn_check(ScnParser *p)
{
    gboolean ok = check_params(p) && check_observers(p) && check_groups(p) && check_quorum(p) &&
                  check_clients(p) && check_actions(p);
    if (ok)
        assert_script_checked(p);
    return ok;
}
