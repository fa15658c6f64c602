/* scn_check.c - what can only be checked once the whole script is read.
 *
 * The parser leaves names as written; here, with the final parameters
 * (files, then --set), every target is resolved:
 *   sN       must satisfy 1 <= N <= servers;
 *   a name   is a group (only if defined on an earlier line) or a client
 *            (declared anywhere), and must be a kind its place accepts;
 *   a group  inside a server list is replaced by its members.
 * Then the contradictions that involve several lines: observers leaving
 * no voter, hierarchical quorum groups and weights, a server on two sides
 * of a partition, a pause with neither a resume nor a `for`, an action
 * after the end of the run, session and notification bounds inverted.
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
    for (guint i = 0; i < obs->len; i++)
        if (!resolve_one(p, &g_array_index(obs, ScnTarget, i), SCN_M(SERVER)))
            return FALSE;
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

/* client.connectString as targets (all_servers when "all"). */
static gboolean connect_string(ScnParser *p, gboolean *all, ScnTargets *out)
{
    const char *const *names = p->s->params.client.connect_string;
    const ScnPos *pos = param_pos(p, "client.connectString");
    *all = names[0] && strcmp(names[0], "all") == 0;
    if (*all)
        return TRUE;
    g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    for (gsize i = 0; names[i]; i++) {
        ScnTarget t = { .kind = SCN_TARGET_SERVER, .name = names[i], .pos = pos ? *pos : (ScnPos){ 0 } };
        const ScnTarget *members = &t;
        guint n = 1;
        guint gi = GPOINTER_TO_UINT(g_hash_table_lookup(p->group_index, names[i]));
        if (gi) {
            const ScnGroup *g = &g_array_index(p->s->priv->groups, ScnGroup, gi - 1);
            members = g->members.v;
            n = g->members.n;
        } else {
            guint64 id = scn_is_server_like(names[i]) && names[i][1] != '0' ? g_ascii_strtoull(names[i] + 1, NULL, 10) : 0;
            if (id < 1 || id > n_servers(p)) {
                g_autoptr(GString) st = g_string_new(NULL);
                servers_text(p, st);
                scn_target_set_clear(&seen);
                return check_fail_pos(p, pos, "client.connectString: unknown server or group '%s' (%s)", names[i],
                                      st->str);
            }
            t.index = (guint)id;
        }
        for (guint k = 0; k < n; k++)
            if (scn_target_set_add(&seen, &members[k]))
                g_array_append_val(v, members[k]);
    }
    scn_target_set_clear(&seen);
    *out = scn_targets_copy(p->s, (const ScnTarget *)(const void *)v->data, v->len);
    return TRUE;
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
    case SCN_ACTION_CRASH:
    case SCN_ACTION_RESTART:
        return a->u.servers.all || resolve_list(p, &a->u.servers.targets, one | SCN_M(GROUP));
    case SCN_ACTION_PAUSE:
    case SCN_ACTION_RESUME:
    case SCN_ACTION_ISOLATE:
        return resolve_one(p, &a->u.one.server, one);
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

gboolean scn_check(ScnParser *p)
{
    return check_params(p) && check_observers(p) && check_groups(p) && check_quorum(p) && check_clients(p) &&
           check_actions(p);
}
