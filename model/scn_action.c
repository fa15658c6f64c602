/* scn_action.c - the timed script: `at T ...`, `after T ...`, `expect`,
 * `wait`.
 *
 * A line is a time, then an action keyword (or `CLIENT:` for a client
 * operation), then the action's arguments.  This file places the action
 * on the time line (see scn.h: absolute, or relative to the end of the
 * latest wait) and parses its payload; names are left for scn_check.
 *
 * The time line, as the parser tracks it:
 *   base   START while every time so far is known statically, WAIT once
 *          a `wait` has run (its end is a run-time instant)
 *   last   the previous action's time in base
 *   floor  the earliest absolute time the previous action can run at;
 *          an `at` earlier than floor is "time goes backwards"
 *
 *   at T              when START, time T            base START, last T, floor T
 *   after D (START)   when START, time last + D     last, floor += D
 *   after D (WAIT)    when WAIT, time last + D      last, floor += D
 *   wait ...          (placed as above)             then base WAIT, last 0
 *   expect at end     when END                      no change
 */
#include "scn_internal.h"

#include <inttypes.h>
#include <string.h>

/* ---- vocabularies ---- */

#define SCN_X_NAME(id, name) name,
static const char *const packet_names[] = { SCN_PACKET_LIST(SCN_X_NAME) };
static const char *const role_names[] = { SCN_ROLE_LIST(SCN_X_NAME) };
static const char *const sync_names[] = { SCN_SYNC_LIST(SCN_X_NAME) };
static const char *const cmp_names[] = { SCN_CMP_LIST(SCN_X_NAME) };
static const char *const cond_names[] = { SCN_COND_LIST(SCN_X_NAME) };
static const char *const op_names[] = { SCN_OP_LIST(SCN_X_NAME) };
static const char *const action_names[] = { SCN_ACTION_LIST(SCN_X_NAME) };
#undef SCN_X_NAME

#define NAME_FN(fn, type, table)                                                                   \
    const char *fn(type v)                                                                         \
    {                                                                                              \
        g_assert((size_t)v < G_N_ELEMENTS(table));                                                 \
        return table[v];                                                                           \
    }
NAME_FN(scn_packet_name, ScnPacket, packet_names)
NAME_FN(scn_role_name, ScnRole, role_names)
NAME_FN(scn_sync_name, ScnSyncMode, sync_names)
NAME_FN(scn_cmp_name, ScnCmp, cmp_names)
NAME_FN(scn_cond_name, ScnCondKind, cond_names)
NAME_FN(scn_op_name, ScnOpKind, op_names)
NAME_FN(scn_action_name, ScnActionKind, action_names)
#undef NAME_FN

gboolean scn_cmp_holds(ScnCmp c, int64_t a, int64_t b)
{
    switch (c) {
    case SCN_CMP_EQ:
        return a == b;
    case SCN_CMP_NE:
        return a != b;
    case SCN_CMP_LT:
        return a < b;
    case SCN_CMP_LE:
        return a <= b;
    case SCN_CMP_GT:
        return a > b;
    case SCN_CMP_GE:
        return a >= b;
    }
    g_assert_not_reached();
    return FALSE;
}

/* Looks word up in names[0..n); on failure appends a suggestion or the
 * whole list to msg. */
static gboolean lookup_name(const char *word, const char *const *names, gsize n, int *out, GString *msg)
{
    for (gsize i = 0; i < n; i++) {
        if (names[i] && strcmp(word, names[i]) == 0) {
            *out = (int)i;
            return TRUE;
        }
    }
    const char *near = scn_suggest(word, names, n);
    if (near) {
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
        return FALSE;
    }
    g_string_append(msg, " (expected ");
    gsize k = 0, total = 0;
    for (gsize i = 0; i < n; i++)
        total += names[i] != NULL;
    for (gsize i = 0; i < n; i++) {
        if (!names[i])
            continue;
        if (k > 0)
            g_string_append(msg, k + 1 == total ? " or " : ", ");
        g_string_append(msg, names[i]);
        k++;
    }
    g_string_append(msg, ")");
    return FALSE;
}

/* The action keywords, in the order of the X-macro (client operations
 * have no keyword). */
static const char *action_word(ScnActionKind k)
{
    return k == SCN_ACTION_CLIENT_OP ? NULL : action_names[k];
}

gboolean scn_is_action_word(const char *word)
{
    for (size_t k = 0; k < G_N_ELEMENTS(action_names); k++)
        if (action_word((ScnActionKind)k) && strcmp(word, action_names[k]) == 0)
            return TRUE;
    return FALSE;
}

/* ---- small token helpers ---- */

static gboolean no_more(ScnParser *p, const ScnLine *L, guint i, const char *what)
{
    if (i >= L->n)
        return TRUE;
    return scn_fail_at(p, L, L->tok[i].col, "%s: unexpected '%s'", what, L->tok[i].text);
}

static gboolean one_target(ScnParser *p, const ScnLine *L, guint i, const char *what, guint allowed, ScnTarget *out)
{
    if (i >= L->n) {
        g_autoptr(GString) exp = g_string_new(NULL);
        scn_mask_describe(allowed, exp);
        return scn_fail_at(p, L, L->tok[L->n - 1].col, "%s: expected %s", what, exp->str);
    }
    return scn_parse_target(p, L, &L->tok[i], allowed, out);
}

/* `for DURATION` at tokens i, i + 1. */
static gboolean parse_for(ScnParser *p, const ScnLine *L, guint i, const char *what, SimTime *out)
{
    if (i + 1 >= L->n)
        return scn_fail_at(p, L, L->tok[i].col, "%s: expected a duration after 'for'", what);
    char *msg = NULL;
    if (!scn_value_duration("for", L->tok[i + 1].text, 1, SCN_TIME_LIMIT, out, &msg))
        return scn_fail_msg(p, L, L->tok[i + 1].col, msg);
    return TRUE;
}

static gboolean option_value(const ScnTok *t, const char *key, const char **value, guint *col)
{
    gsize k = strlen(key);
    if (strncmp(t->text, key, k) != 0 || t->text[k] != '=' || t->bare_len <= k)
        return FALSE;
    *value = t->text + k + 1;
    *col = scn_tok_col(t, k + 1);
    return TRUE;
}

/* ---- server actions ---- */

static const char *kind_word(const ScnAction *a)
{
    return scn_action_name(a->kind);
}

/* start all|SERVERS, crash/restart all|SERVERS|leader */
static gboolean act_servers(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    guint allowed = SCN_M(SERVER) | SCN_M(GROUP);
    if (a->kind != SCN_ACTION_START)
        allowed |= SCN_M(LEADER) | SCN_M(CLIENT); /* a client's machine may crash too */
    if (i >= L->n)
        return scn_fail_at(p, L, L->tok[i - 1].col, "%s: expected all or servers%s", kind_word(a),
                           a->kind == SCN_ACTION_START ? "" : " (or leader)");
    if (scn_tok_is(&L->tok[i], "all")) {
        a->u.servers.all = TRUE;
        return no_more(p, L, i + 1, kind_word(a));
    }
    for (guint k = i; k < L->n; k++)
        if (scn_tok_is(&L->tok[k], "all"))
            return scn_fail_at(p, L, L->tok[k].col, "%s: 'all' cannot be combined with servers", kind_word(a));
    return scn_parse_targets(p, L, i, L->n, allowed, &a->u.servers.targets);
}

/* pause X [for D], resume X, isolate X */
static gboolean act_one(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    if (!one_target(p, L, i, kind_word(a), SCN_M(SERVER) | SCN_M(LEADER) | SCN_M(CLIENT), &a->u.one.server))
        return FALSE;
    i++;
    if (a->kind == SCN_ACTION_PAUSE && i < L->n && scn_tok_is(&L->tok[i], "for")) {
        a->u.one.has_for = TRUE;
        if (!parse_for(p, L, i, "pause", &a->u.one.for_time))
            return FALSE;
        i += 2;
    }
    return no_more(p, L, i, kind_word(a));
}

static gboolean act_none(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    return no_more(p, L, i, kind_word(a));
}

/* ---- partition ---- */

static gboolean check_glued(ScnParser *p, const ScnLine *L, guint from, guint to)
{
    for (guint k = from; k < to; k++) {
        const ScnTok *t = &L->tok[k];
        if (t->quoted || strlen(t->text) < 2)
            continue;
        if (strchr(t->text, '|'))
            return scn_fail_at(p, L, t->col, "partition: put spaces around '|' in '%s'", t->text);
        if (strstr(t->text, "->") && strcmp(t->text, "->") != 0)
            return scn_fail_at(p, L, t->col, "partition: put spaces around '->' in '%s'", t->text);
    }
    return TRUE;
}

static gboolean act_partition(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    const guint allowed = SCN_M(SERVER) | SCN_M(CLIENT) | SCN_M(GROUP) | SCN_M(LEADER);
    gboolean oneway = i < L->n && scn_tok_is(&L->tok[i], "oneway");
    const char *sep = oneway ? "->" : "|";
    const char *other = oneway ? "|" : "->";
    const char *what = oneway ? "partition oneway" : "partition";
    if (oneway)
        i++;
    if (i >= L->n)
        return scn_fail_at(p, L, L->tok[i - 1].col, oneway ? "%s: expected 'A ... -> B ...'" : "%s: expected 'A B ... | C D ...'",
                           what);
    if (!check_glued(p, L, i, L->n))
        return FALSE;
    g_autoptr(GArray) sides = g_array_new(FALSE, TRUE, sizeof(ScnTargets));
    guint start = i;
    for (guint k = i; k <= L->n; k++) {
        if (k < L->n && scn_tok_is(&L->tok[k], other))
            return scn_fail_at(p, L, L->tok[k].col,
                               oneway ? "%s: use '->' between the two sides, not '|'"
                                      : "%s: '->' needs 'partition oneway A ... -> B ...'",
                               what);
        if (k < L->n && !scn_tok_is(&L->tok[k], sep))
            continue;
        if (k == start)
            return scn_fail_at(p, L, k < L->n ? L->tok[k].col : L->tok[k - 1].col, "%s: empty side", what);
        ScnTargets side;
        if (!scn_parse_targets(p, L, start, k, allowed, &side))
            return FALSE;
        g_array_append_val(sides, side);
        start = k + 1;
    }
    if (oneway && sides->len != 2)
        return scn_fail_at(p, L, L->tok[i].col, "%s: expected exactly two sides 'A ... -> B ...'", what);
    a->u.partition.oneway = oneway;
    a->u.partition.n_sides = sides->len;
    ScnTargets *v = scn_alloc(p->s, sides->len * sizeof *v);
    memcpy(v, sides->data, sides->len * sizeof *v);
    a->u.partition.sides = v;
    return TRUE;
}

/* ---- link, slowdisk, clock ---- */

static gboolean act_link(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    return scn_parse_link_body(p, L, i, SCN_M(SERVER) | SCN_M(CLIENT) | SCN_M(LEADER), &a->u.link);
}

static gboolean act_slowdisk(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    if (!one_target(p, L, i, "slowdisk", SCN_M(SERVER) | SCN_M(LEADER), &a->u.slowdisk.server))
        return FALSE;
    gboolean has_factor = FALSE, has_extra = FALSE;
    for (guint k = i + 1; k < L->n; k++) {
        const ScnTok *t = &L->tok[k];
        const char *v = NULL;
        guint col = 0;
        char *msg = NULL;
        if (option_value(t, "factor", &v, &col)) {
            if (has_factor)
                return scn_fail_at(p, L, t->col, "slowdisk: factor given twice");
            has_factor = TRUE;
            if (!scn_value_float("factor", v, 0.001, 1000000.0, &a->u.slowdisk.factor, &msg))
                return scn_fail_msg(p, L, col, msg);
        } else if (option_value(t, "extra", &v, &col)) {
            if (has_extra)
                return scn_fail_at(p, L, t->col, "slowdisk: extra given twice");
            has_extra = TRUE;
            if (!scn_value_duration("extra", v, 0, SCN_TIME_LIMIT, &a->u.slowdisk.extra, &msg))
                return scn_fail_msg(p, L, col, msg);
        } else if (scn_tok_is(t, "for") && !a->u.slowdisk.has_for) {
            a->u.slowdisk.has_for = TRUE;
            if (!parse_for(p, L, k, "slowdisk", &a->u.slowdisk.for_time))
                return FALSE;
            k++;
        } else {
            return scn_fail_at(p, L, t->col, "slowdisk: unexpected '%s' (expected factor=F, extra=DURATION or for "
                                             "DURATION)",
                               t->text);
        }
    }
    if (!has_factor)
        return scn_fail_at(p, L, L->tok[i].col, "slowdisk: missing factor=F (fsyncs take F times longer)");
    return TRUE;
}

static gboolean act_clock(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    if (!one_target(p, L, i, "clock", SCN_M(SERVER) | SCN_M(LEADER), &a->u.clock.server))
        return FALSE;
    if (i + 1 >= L->n)
        return scn_fail_at(p, L, L->tok[i].col, "clock: expected drift=PPM or jump=[+-]DURATION");
    const ScnTok *t = &L->tok[i + 1];
    const char *v = NULL;
    guint col = 0;
    char *msg = NULL;
    if (option_value(t, "drift", &v, &col)) {
        if (!scn_value_float("drift", v, -500000.0, 500000.0, &a->u.clock.drift_ppm, &msg))
            return scn_fail_msg(p, L, col, msg);
    } else if (option_value(t, "jump", &v, &col)) {
        a->u.clock.is_jump = TRUE;
        if (!scn_value_signed_duration("jump", v, &a->u.clock.jump, &msg))
            return scn_fail_msg(p, L, col, msg);
    } else {
        return scn_fail_at(p, L, t->col, "clock: expected drift=PPM or jump=[+-]DURATION, got '%s'", t->text);
    }
    return no_more(p, L, i + 2, "clock");
}

/* ---- message filters ---- */

static gboolean parse_limit(ScnParser *p, const ScnLine *L, guint i, const char *what, ScnFilter *f)
{
    if (i >= L->n)
        return TRUE;
    const ScnTok *t = &L->tok[i];
    const char *v = NULL;
    guint col = 0;
    char *msg = NULL;
    if (scn_tok_is(t, "once")) {
        f->limit = SCN_LIMIT_TIMES;
        f->times = 1;
        i++;
    } else if (option_value(t, "times", &v, &col)) {
        f->limit = SCN_LIMIT_TIMES;
        if (!scn_value_int("times", v, 1, 1000000000, &f->times, &msg))
            return scn_fail_msg(p, L, col, msg);
        i++;
    } else if (scn_tok_is(t, "for")) {
        f->limit = SCN_LIMIT_FOR;
        if (!parse_for(p, L, i, what, &f->for_time))
            return FALSE;
        i += 2;
    } else {
        return scn_fail_at(p, L, t->col, "%s: expected once, times=N or for DURATION, got '%s'", what, t->text);
    }
    if (i < L->n)
        return scn_fail_at(p, L, L->tok[i].col, "%s: unexpected '%s' (once, times=N and for DURATION exclude each other)",
                           what, L->tok[i].text);
    return TRUE;
}

static gboolean act_filter(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    const char *what = kind_word(a);
    if (i + 4 > L->n)
        return scn_fail_at(p, L, L->tok[MIN(i, L->n - 1)].col, "%s: expected '%s TYPE FROM -> TO %s[once|times=N|for DURATION]'",
                           what, what, a->kind == SCN_ACTION_DELAY ? "DURATION " : "");
    ScnFilter *f = &a->u.filter;
    const ScnTok *type = &L->tok[i];
    int k = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "%s: unknown message type '%s'", what, type->text);
    if (!lookup_name(type->text, packet_names, G_N_ELEMENTS(packet_names), &k, msg))
        return scn_fail_at(p, L, type->col, "%s", msg->str);
    f->packet = (ScnPacket)k;
    const guint ends = SCN_M(SERVER) | SCN_M(LEADER) | SCN_M(ANY);
    if (!scn_parse_target(p, L, &L->tok[i + 1], ends, &f->from))
        return FALSE;
    if (!scn_tok_is(&L->tok[i + 2], "->"))
        return scn_fail_at(p, L, L->tok[i + 2].col, "%s: expected '->' between FROM and TO, got '%s'", what,
                           L->tok[i + 2].text);
    if (!scn_parse_target(p, L, &L->tok[i + 3], ends, &f->to))
        return FALSE;
    if (f->from.kind != SCN_TARGET_ANY && strcmp(f->from.name, f->to.name) == 0)
        return scn_fail_at(p, L, L->tok[i + 3].col, "%s: FROM and TO are both '%s'", what, f->to.name);
    i += 4;
    if (a->kind == SCN_ACTION_DELAY) {
        if (i >= L->n)
            return scn_fail_at(p, L, L->tok[i - 1].col, "delay: expected a duration after '%s'", L->tok[i - 1].text);
        char *m = NULL;
        if (!scn_value_duration("delay", L->tok[i].text, 1, SCN_TIME_LIMIT, &f->delay, &m))
            return scn_fail_msg(p, L, L->tok[i].col, m);
        i++;
    }
    return parse_limit(p, L, i, what, f);
}

/* ---- conditions ---- */

static const char *const cond_words[] = {
    "leader", "role", "election", "elections", "commits", "epoch", "connected",
    "all",    "quiet", "watch",   "no",        "value",   "sync",  "server",
};

static gboolean parse_cmp(ScnParser *p, const ScnLine *L, guint i, gboolean equality_only, const char *what,
                          ScnCmp *out)
{
    const ScnTok *t = &L->tok[i];
    for (size_t k = 0; k < G_N_ELEMENTS(cmp_names); k++) {
        if (scn_tok_is(t, cmp_names[k]) && (!equality_only || k == SCN_CMP_EQ || k == SCN_CMP_NE)) {
            *out = (ScnCmp)k;
            return TRUE;
        }
    }
    if (equality_only)
        return scn_fail_at(p, L, t->col, "%s: expected == or !=, got '%s'", what, t->text);
    return scn_fail_at(p, L, t->col, "%s: expected a comparison (==, !=, <, <=, >, >=), got '%s'", what, t->text);
}

static gboolean parse_path_arg(ScnParser *p, const ScnLine *L, guint i, const char *what, const char **out)
{
    const ScnTok *t = &L->tok[i];
    const char *problem = scn_path_problem(t->text, FALSE);
    if (problem)
        return scn_fail_at(p, L, t->col, "%s: bad path '%s': %s", what, t->text, problem);
    *out = scn_strdup(p->s, t->text);
    return TRUE;
}

/* Looks up a name in an X-macro list of ZooKeeper names. */
static gboolean parse_zk_name(ScnParser *p, const ScnLine *L, guint i, const char *what, const char *noun,
                              const char *const *names, gsize n, int *out)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "%s: unknown %s '%s'", what, noun, L->tok[i].text);
    if (lookup_name(L->tok[i].text, names, n, out, msg))
        return TRUE;
    return scn_fail_at(p, L, L->tok[i].col, "%s", msg->str);
}

static const char *const err_names[] = {
#define SCN_X_ERR(id, name, val) name,
    ZK_ERR_LIST(SCN_X_ERR)
#undef SCN_X_ERR
};
static const ZkErr err_values[] = {
#define SCN_X_ERR(id, name, val) ZK_ERR_##id,
    ZK_ERR_LIST(SCN_X_ERR)
#undef SCN_X_ERR
};
/* Watch events a client can receive for a path (not None). */
static const char *const event_names[] = { "NodeCreated", "NodeDeleted", "NodeDataChanged", "NodeChildrenChanged",
                                           "DataWatchRemoved", "ChildWatchRemoved", "PersistentWatchRemoved" };
static const ZkEventType event_values[] = { ZK_EVENT_NODE_CREATED,         ZK_EVENT_NODE_DELETED,
                                            ZK_EVENT_NODE_DATA_CHANGED,    ZK_EVENT_NODE_CHILDREN_CHANGED,
                                            ZK_EVENT_DATA_WATCH_REMOVED,   ZK_EVENT_CHILD_WATCH_REMOVED,
                                            ZK_EVENT_PERSISTENT_WATCH_REMOVED };
G_STATIC_ASSERT(G_N_ELEMENTS(event_names) == G_N_ELEMENTS(event_values));

/* Tokens [i, end) must be exactly `count` long, else "expected USAGE". */
static gboolean arity(ScnParser *p, const ScnLine *L, guint i, guint end, guint count, const char *what,
                      const char *usage)
{
    if (end - i == count)
        return TRUE;
    guint col = end - i > count ? L->tok[i + count].col : L->tok[end - 1].col;
    return scn_fail_at(p, L, col, "%s: expected '%s'", what, usage);
}

static gboolean cond_leader(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    if (end - i == 1) {
        c->kind = SCN_COND_LEADER;
        return TRUE;
    }
    if (scn_tok_is(&L->tok[i + 1], "in")) {
        c->kind = SCN_COND_LEADER_IN;
        if (end - i < 3)
            return scn_fail_at(p, L, L->tok[i + 1].col, "%s: expected 'leader in s1 s2 ...'", what);
        return scn_parse_targets(p, L, i + 2, end, SCN_M(SERVER) | SCN_M(GROUP), &c->servers);
    }
    c->kind = SCN_COND_LEADER_IS;
    return arity(p, L, i, end, 3, what, "leader == sN") && parse_cmp(p, L, i + 1, TRUE, what, &c->cmp) &&
           scn_parse_target(p, L, &L->tok[i + 2], SCN_M(SERVER), &c->who);
}

static gboolean cond_number(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    const char *w = L->tok[i].text;
    c->kind = strcmp(w, "elections") == 0 ? SCN_COND_ELECTIONS
            : strcmp(w, "commits") == 0   ? SCN_COND_COMMITS
                                          : SCN_COND_EPOCH;
    g_autofree char *usage = g_strdup_printf("%s >= N", w);
    char *msg = NULL;
    if (!arity(p, L, i, end, 3, what, usage) || !parse_cmp(p, L, i + 1, FALSE, what, &c->cmp))
        return FALSE;
    if (!scn_value_int(w, L->tok[i + 2].text, 0, INT64_C(1000000000000000), &c->n, &msg))
        return scn_fail_msg(p, L, L->tok[i + 2].col, msg);
    return TRUE;
}

static gboolean cond_role(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = SCN_COND_ROLE;
    int k = 0;
    if (!arity(p, L, i, end, 4, what, "role sN == ROLE") ||
        !scn_parse_target(p, L, &L->tok[i + 1], SCN_M(SERVER), &c->who) || !parse_cmp(p, L, i + 2, TRUE, what, &c->cmp) ||
        !parse_zk_name(p, L, i + 3, what, "role", role_names, G_N_ELEMENTS(role_names), &k))
        return FALSE;
    c->role = (ScnRole)k;
    return TRUE;
}

static gboolean cond_election(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = SCN_COND_ELECTION_TOOK;
    char *msg = NULL;
    if (!arity(p, L, i, end, 4, what, "election took <= DURATION"))
        return FALSE;
    if (!scn_tok_is(&L->tok[i + 1], "took"))
        return scn_fail_at(p, L, L->tok[i + 1].col, "%s: expected 'election took <= DURATION'", what);
    if (!parse_cmp(p, L, i + 2, FALSE, what, &c->cmp))
        return FALSE;
    if (!scn_value_duration("election took", L->tok[i + 3].text, 0, SCN_TIME_LIMIT, &c->took, &msg))
        return scn_fail_msg(p, L, L->tok[i + 3].col, msg);
    return TRUE;
}

static gboolean cond_watch(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = SCN_COND_WATCH;
    int k = 0;
    if (!arity(p, L, i, end, 4, what, "watch CLIENT EVENT PATH") ||
        !scn_parse_target(p, L, &L->tok[i + 1], SCN_M(CLIENT), &c->who) ||
        !parse_zk_name(p, L, i + 2, what, "event type", event_names, G_N_ELEMENTS(event_names), &k) ||
        !parse_path_arg(p, L, i + 3, what, &c->path))
        return FALSE;
    c->event = event_values[k];
    return TRUE;
}

static gboolean cond_no(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    if (end - i >= 2 && scn_tok_is(&L->tok[i + 1], "violation")) {
        c->kind = SCN_COND_NO_VIOLATION;
        return arity(p, L, i, end, 2, what, "no violation");
    }
    if (end - i >= 2 && scn_tok_is(&L->tok[i + 1], "watch")) {
        c->kind = SCN_COND_NO_WATCH;
        return arity(p, L, i, end, 4, what, "no watch CLIENT PATH") &&
               scn_parse_target(p, L, &L->tok[i + 2], SCN_M(CLIENT), &c->who) &&
               parse_path_arg(p, L, i + 3, what, &c->path);
    }
    return scn_fail_at(p, L, L->tok[i].col, "%s: expected 'no watch CLIENT PATH' or 'no violation'", what);
}

static gboolean cond_value(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = SCN_COND_VALUE;
    if (!arity(p, L, i, end, 5, what, "value CLIENT PATH == \"DATA\"") ||
        !scn_parse_target(p, L, &L->tok[i + 1], SCN_M(CLIENT), &c->who) ||
        !parse_path_arg(p, L, i + 2, what, &c->path) || !parse_cmp(p, L, i + 3, TRUE, what, &c->cmp))
        return FALSE;
    c->data = scn_strdup(p->s, L->tok[i + 4].text);
    return TRUE;
}

static gboolean cond_sync(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = SCN_COND_SYNC_MODE;
    int k = 0;
    if (!arity(p, L, i, end, 4, what, "sync sN == DIFF|SNAP|TRUNC") ||
        !scn_parse_target(p, L, &L->tok[i + 1], SCN_M(SERVER), &c->who) || !parse_cmp(p, L, i + 2, TRUE, what, &c->cmp) ||
        !parse_zk_name(p, L, i + 3, what, "sync mode", sync_names, G_N_ELEMENTS(sync_names), &k))
        return FALSE;
    c->sync = (ScnSyncMode)k;
    return TRUE;
}

static gboolean cond_server(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    if (!arity(p, L, i, end, 4, what, "server sN has|lacks PATH") ||
        !scn_parse_target(p, L, &L->tok[i + 1], SCN_M(SERVER), &c->who))
        return FALSE;
    if (scn_tok_is(&L->tok[i + 2], "has"))
        c->kind = SCN_COND_HAS;
    else if (scn_tok_is(&L->tok[i + 2], "lacks"))
        c->kind = SCN_COND_LACKS;
    else
        return scn_fail_at(p, L, L->tok[i + 2].col, "%s: expected has or lacks, got '%s'", what, L->tok[i + 2].text);
    return parse_path_arg(p, L, i + 3, what, &c->path);
}

/* CLIENT saw ERROR / CLIENT result ERROR */
static gboolean cond_client(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, ScnCond *c)
{
    c->kind = scn_tok_is(&L->tok[i + 1], "saw") ? SCN_COND_SAW : SCN_COND_RESULT;
    int k = 0;
    if (!arity(p, L, i, end, 3, what, c->kind == SCN_COND_SAW ? "CLIENT saw ERROR" : "CLIENT result ERROR") ||
        !scn_parse_target(p, L, &L->tok[i], SCN_M(CLIENT), &c->who) ||
        !parse_zk_name(p, L, i + 2, what, "error", err_names, G_N_ELEMENTS(err_names), &k))
        return FALSE;
    c->error = err_values[k];
    return TRUE;
}

static gboolean unknown_cond(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, const char *noun)
{
    const ScnTok *t = &L->tok[i];
    static const char *const client_words[] = { "saw", "result" };
    if (end - i == 3 && scn_suggest(L->tok[i + 1].text, client_words, 2))
        return scn_fail_at(p, L, L->tok[i + 1].col, "%s: expected saw or result after '%s', got '%s'", what, t->text,
                           L->tok[i + 1].text);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "%s: unknown %s '%s'", what, noun, t->text);
    const char *near = scn_suggest(t->text, cond_words, G_N_ELEMENTS(cond_words));
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else
        g_string_append(msg, " (expected leader, role, election took, elections, commits, epoch, connected, all "
                              "connected, quiet, watch, no watch, no violation, value, sync, server, CLIENT saw or "
                              "CLIENT result)");
    return scn_fail_at(p, L, t->col, "%s", msg->str);
}

/* Tokens [i, end) as a condition; what names the action for messages,
 * noun is "check" or "condition". */
static gboolean parse_cond(ScnParser *p, const ScnLine *L, guint i, guint end, const char *what, const char *noun,
                           ScnCond *c)
{
    *c = (ScnCond){ .cmp = SCN_CMP_EQ, .event = ZK_EVENT_NONE, .error = ZK_ERR_OK };
    if (i >= end)
        return scn_fail_at(p, L, L->tok[MIN(i, L->n) - 1].col, "%s: missing %s", what, noun);
    const ScnTok *t = &L->tok[i];
    if (end - i == 3 && (scn_tok_is(&L->tok[i + 1], "saw") || scn_tok_is(&L->tok[i + 1], "result")))
        return cond_client(p, L, i, end, what, c);
    if (scn_tok_is(t, "leader"))
        return cond_leader(p, L, i, end, what, c);
    if (scn_tok_is(t, "role"))
        return cond_role(p, L, i, end, what, c);
    if (scn_tok_is(t, "election"))
        return cond_election(p, L, i, end, what, c);
    if (scn_tok_is(t, "elections") || scn_tok_is(t, "commits") || scn_tok_is(t, "epoch"))
        return cond_number(p, L, i, end, what, c);
    if (scn_tok_is(t, "connected")) {
        c->kind = SCN_COND_CONNECTED;
        return arity(p, L, i, end, 2, what, "connected CLIENT") &&
               scn_parse_target(p, L, &L->tok[i + 1], SCN_M(CLIENT), &c->who);
    }
    if (scn_tok_is(t, "all")) {
        c->kind = SCN_COND_ALL_CONNECTED;
        if (end - i >= 2 && !scn_tok_is(&L->tok[i + 1], "connected"))
            return scn_fail_at(p, L, L->tok[i + 1].col, "%s: expected 'all connected'", what);
        return arity(p, L, i, end, 2, what, "all connected");
    }
    if (scn_tok_is(t, "quiet")) {
        c->kind = SCN_COND_QUIET;
        return arity(p, L, i, end, 1, what, "quiet");
    }
    if (scn_tok_is(t, "watch"))
        return cond_watch(p, L, i, end, what, c);
    if (scn_tok_is(t, "no"))
        return cond_no(p, L, i, end, what, c);
    if (scn_tok_is(t, "value"))
        return cond_value(p, L, i, end, what, c);
    if (scn_tok_is(t, "sync"))
        return cond_sync(p, L, i, end, what, c);
    if (scn_tok_is(t, "server"))
        return cond_server(p, L, i, end, what, c);
    return unknown_cond(p, L, i, end, what, noun);
}

static gboolean act_expect(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    return parse_cond(p, L, i, L->n, "expect", "check", &a->u.expect);
}

static gboolean act_wait(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    const char *usage = "wait until CONDITION within DURATION";
    if (i >= L->n || !scn_tok_is(&L->tok[i], "until"))
        return scn_fail_at(p, L, L->tok[MIN(i, L->n - 1)].col, "wait: expected '%s'", usage);
    guint within = 0;
    for (guint k = i + 1; k < L->n; k++)
        if (scn_tok_is(&L->tok[k], "within"))
            within = k;
    if (within == 0)
        return scn_fail_at(p, L, L->tok[L->n - 1].col, "wait: missing 'within DURATION' (every wait needs a deadline)");
    if (!parse_cond(p, L, i + 1, within, "wait", "condition", &a->u.wait.cond))
        return FALSE;
    if (within + 1 >= L->n)
        return scn_fail_at(p, L, L->tok[within].col, "wait: expected a duration after 'within'");
    char *msg = NULL;
    if (!scn_value_duration("within", L->tok[within + 1].text, 1, SCN_TIME_LIMIT, &a->u.wait.within, &msg))
        return scn_fail_msg(p, L, L->tok[within + 1].col, msg);
    return no_more(p, L, within + 2, "wait");
}

/* ---- client operations ---- */

typedef enum { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED } ArgNeed;

typedef struct {
    const char *const opts[4]; /* NULL-terminated */
    ArgNeed path;
    ArgNeed data;
} OpSyntax;

static const OpSyntax op_syntax[] = {
    [SCN_OP_CREATE] = { { "-s", "-e", "-c", NULL }, ARG_REQUIRED, ARG_OPTIONAL },
    [SCN_OP_GET] = { { "-s", "-w", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_SET] = { { "-s", "-v", NULL }, ARG_REQUIRED, ARG_REQUIRED },
    [SCN_OP_DELETE] = { { "-v", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_DELETEALL] = { { NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_LS] = { { "-s", "-w", "-R", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_STAT] = { { "-w", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_SYNC] = { { NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_ADD_WATCH] = { { "-m", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_REMOVE_WATCHES] = { { "-c", "-d", "-a", NULL }, ARG_REQUIRED, ARG_NONE },
    [SCN_OP_CLOSE] = { { NULL }, ARG_NONE, ARG_NONE },
    [SCN_OP_CONNECT] = { { NULL }, ARG_NONE, ARG_NONE },
};
G_STATIC_ASSERT(G_N_ELEMENTS(op_syntax) == G_N_ELEMENTS(op_names));

static const char *const mode_names[] = { "PERSISTENT", "PERSISTENT_RECURSIVE" };

static gboolean unknown_op_option(ScnParser *p, const ScnLine *L, const ScnTok *t, ScnOpKind op)
{
    const OpSyntax *syn = &op_syntax[op];
    if (!syn->opts[0])
        return scn_fail_at(p, L, t->col, "%s: unknown option '%s' (%s takes no options)", op_names[op], t->text,
                           op_names[op]);
    g_autoptr(GString) list = g_string_new(NULL);
    for (int k = 0; syn->opts[k]; k++)
        g_string_append_printf(list, "%s%s", k ? ", " : "", syn->opts[k]);
    return scn_fail_at(p, L, t->col, "%s: unknown option '%s' (valid options: %s)", op_names[op], t->text, list->str);
}

/* Applies option t (its value, if any, is token *j + 1). */
static gboolean op_option(ScnParser *p, const ScnLine *L, guint *j, ScnClientOp *op, guint *seen)
{
    const ScnTok *t = &L->tok[*j];
    const OpSyntax *syn = &op_syntax[op->op];
    const char *name = op_names[op->op];
    int k = 0;
    while (syn->opts[k] && strcmp(syn->opts[k], t->text) != 0)
        k++;
    if (!syn->opts[k])
        return unknown_op_option(p, L, t, op->op);
    if (*seen & (1u << k))
        return scn_fail_at(p, L, t->col, "%s: option %s given twice", name, t->text);
    *seen |= 1u << k;
    char c = t->text[1];
    if (c == 'v' || c == 'm') {
        if (*j + 1 >= L->n)
            return scn_fail_at(p, L, t->col, "%s: %s needs a value", name, t->text);
        const ScnTok *v = &L->tok[++*j];
        if (c == 'v') {
            int64_t version = 0;
            char *msg = NULL;
            if (!scn_value_int("version", v->text, -1, G_MAXINT32, &version, &msg))
                return scn_fail_msg(p, L, v->col, msg);
            op->version = (int32_t)version;
        } else {
            int m = 0;
            g_autoptr(GString) msg = g_string_new(NULL);
            g_string_append_printf(msg, "%s: unknown mode '%s'", name, v->text);
            if (!lookup_name(v->text, mode_names, G_N_ELEMENTS(mode_names), &m, msg))
                return scn_fail_at(p, L, v->col, "%s", msg->str);
            op->mode = m == 0 ? ZK_WATCHER_MODE_PERSISTENT : ZK_WATCHER_MODE_PERSISTENT_RECURSIVE;
        }
        return TRUE;
    }
    if (op->op == SCN_OP_REMOVE_WATCHES) {
        if (__builtin_popcount(*seen) > 1)
            return scn_fail_at(p, L, t->col, "%s: -c, -d and -a exclude each other", name);
        op->watcher = c == 'c' ? ZK_WATCHER_TYPE_CHILDREN : c == 'd' ? ZK_WATCHER_TYPE_DATA : ZK_WATCHER_TYPE_ANY;
    } else if (c == 's' && op->op == SCN_OP_CREATE) {
        op->sequential = TRUE;
    } else if (c == 's') {
        op->stat = TRUE;
    } else if (c == 'e') {
        op->ephemeral = TRUE;
    } else if (c == 'c') {
        op->container = TRUE;
    } else if (c == 'w') {
        op->watch = TRUE;
    } else {
        g_assert(c == 'R');
        op->recursive = TRUE;
    }
    return TRUE;
}

static gboolean op_arguments(ScnParser *p, const ScnLine *L, guint j, ScnClientOp *op, const ScnTok **path,
                             const ScnTok **data)
{
    const OpSyntax *syn = &op_syntax[op->op];
    const char *name = op_names[op->op];
    guint seen = 0;
    for (; j < L->n; j++) {
        const ScnTok *t = &L->tok[j];
        gboolean option_place = !*path || syn->data == ARG_NONE;
        if (!t->quoted && t->text[0] == '-' && t->text[1] && option_place) {
            if (!op_option(p, L, &j, op, &seen))
                return FALSE;
        } else if (!*path && syn->path != ARG_NONE) {
            *path = t;
        } else if (!*data && syn->data != ARG_NONE) {
            *data = t;
        } else if (syn->path == ARG_NONE) {
            return scn_fail_at(p, L, t->col, "%s: unexpected '%s' (%s takes no arguments)", name, t->text, name);
        } else {
            return scn_fail_at(p, L, t->col, "%s: unexpected '%s' after the %s", name, t->text,
                               syn->data == ARG_NONE ? "path" : "data");
        }
    }
    if (syn->path == ARG_REQUIRED && !*path)
        return scn_fail_at(p, L, L->tok[L->n - 1].col, "%s: missing PATH", name);
    if (syn->data == ARG_REQUIRED && !*data)
        return scn_fail_at(p, L, L->tok[L->n - 1].col, "%s: missing DATA", name);
    return TRUE;
}

static gboolean parse_client_op(ScnParser *p, ScnLine *L, guint i, ScnAction *a, const ScnTok *client)
{
    ScnClientOp *op = &a->u.op;
    *op = (ScnClientOp){ .version = -1, .mode = ZK_WATCHER_MODE_PERSISTENT_RECURSIVE, .watcher = ZK_WATCHER_TYPE_ANY };
    if (!scn_parse_target(p, L, client, SCN_M(CLIENT), &op->client))
        return FALSE;
    if (i >= L->n)
        return scn_fail_at(p, L, client->col, "%s: missing operation (create, get, set, delete, ...)", client->text);
    const ScnTok *t = &L->tok[i];
    int k = 0;
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown operation '%s'", t->text);
    if (!lookup_name(t->text, op_names, G_N_ELEMENTS(op_names), &k, msg))
        return scn_fail_at(p, L, t->col, "%s", msg->str);
    op->op = (ScnOpKind)k;
    const ScnTok *path = NULL, *data = NULL;
    if (!op_arguments(p, L, i + 1, op, &path, &data))
        return FALSE;
    const char *name = op_names[op->op];
    if (op->ephemeral && op->container)
        return scn_fail_at(p, L, t->col, "create: -e and -c exclude each other (a container is never ephemeral)");
    if (op->sequential && op->container)
        return scn_fail_at(p, L, t->col, "create: -s and -c exclude each other (containers are not sequential)");
    if (path) {
        const char *problem = scn_path_problem(path->text, op->sequential);
        if (problem)
            return scn_fail_at(p, L, path->col, "%s: bad path '%s': %s", name, path->text, problem);
        op->path = scn_strdup(p->s, path->text);
    }
    if (data)
        op->data = scn_strdup(p->s, data->text);
    return TRUE;
}

/* ---- the time line ---- */

static gboolean beyond_limit(ScnParser *p, const ScnLine *L, guint col, SimTime t)
{
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN];
    return scn_fail_at(p, L, col, "time %s is beyond the limit of %s", sim_time_format(t, a),
                       sim_time_format(SCN_TIME_LIMIT, b));
}

static gboolean place(ScnParser *p, const ScnLine *L, gboolean is_at, SimTime t, guint col, ScnAction *a)
{
    if (p->ended) {
        g_autoptr(GString) at = g_string_new(NULL);
        scn_pos_append(at, &p->end_pos);
        return scn_fail_at(p, L, col, "nothing can happen after the 'end' at %s", at->str);
    }
    if (is_at) {
        if (t < p->floor) {
            char a1[SIM_TIME_STR_LEN], a2[SIM_TIME_STR_LEN];
            return scn_fail_at(p, L, col, "time goes backwards: %s after %s", sim_time_format(t, a1),
                               sim_time_format(p->floor, a2));
        }
        a->when = SCN_WHEN_START;
        a->time = t;
        p->base = SCN_WHEN_START;
        p->last = t;
        p->floor = t;
        return TRUE;
    }
    SimTime next = p->last + t;
    if (next > SCN_TIME_LIMIT || p->floor + t > SCN_TIME_LIMIT)
        return beyond_limit(p, L, col, MAX(next, p->floor + t));
    a->when = p->base;
    a->time = next;
    p->last = next;
    p->floor += t;
    return TRUE;
}

typedef gboolean (*ActionParser)(ScnParser *p, ScnLine *L, guint i, ScnAction *a);

static const ActionParser action_parsers[] = {
    [SCN_ACTION_START] = act_servers,   [SCN_ACTION_CRASH] = act_servers,     [SCN_ACTION_RESTART] = act_servers,
    [SCN_ACTION_PAUSE] = act_one,       [SCN_ACTION_RESUME] = act_one,        [SCN_ACTION_PARTITION] = act_partition,
    [SCN_ACTION_ISOLATE] = act_one,     [SCN_ACTION_HEAL] = act_none,         [SCN_ACTION_LINK] = act_link,
    [SCN_ACTION_SLOWDISK] = act_slowdisk, [SCN_ACTION_CLOCK] = act_clock,     [SCN_ACTION_DROP] = act_filter,
    [SCN_ACTION_DELAY] = act_filter,    [SCN_ACTION_BREAK] = act_filter,      [SCN_ACTION_CLIENT_OP] = NULL,
    [SCN_ACTION_WAIT] = act_wait,       [SCN_ACTION_EXPECT] = act_expect,     [SCN_ACTION_END] = act_none,
};
G_STATIC_ASSERT(G_N_ELEMENTS(action_parsers) == G_N_ELEMENTS(action_names));

static gboolean unknown_action(ScnParser *p, const ScnLine *L, const ScnTok *t)
{
    const char *words[G_N_ELEMENTS(action_names)];
    for (size_t k = 0; k < G_N_ELEMENTS(action_names); k++)
        words[k] = action_word((ScnActionKind)k);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown action '%s'", t->text);
    const char *near = scn_suggest(t->text, words, G_N_ELEMENTS(words));
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else
        g_string_append(msg, " (expected start, crash, restart, pause, resume, partition, isolate, heal, link, "
                              "slowdisk, clock, drop, delay, break, wait, expect, end or CLIENT: OPERATION)");
    return scn_fail_at(p, L, t->col, "%s", msg->str);
}

/* The client of `c1: op` or `c1 : op`, as a token without the colon;
 * *next is the operation's index.  NULL if tokens i... are no client op. */
static gboolean client_op_head(const ScnLine *L, guint i, ScnTok *client, guint *next)
{
    const ScnTok *t = &L->tok[i];
    gsize len = strlen(t->text);
    if (len > 1 && t->text[len - 1] == ':' && !t->quoted) {
        *client = *t;
        client->text = g_strndup(t->text, len - 1);
        *next = i + 1;
        return TRUE;
    }
    if (i + 1 < L->n && scn_tok_is(&L->tok[i + 1], ":")) {
        *client = *t;
        client->text = g_strdup(t->text);
        *next = i + 2;
        return TRUE;
    }
    return FALSE;
}

static gboolean parse_action(ScnParser *p, ScnLine *L, guint i, ScnAction *a)
{
    ScnTok client;
    guint next = 0;
    if (client_op_head(L, i, &client, &next)) {
        a->kind = SCN_ACTION_CLIENT_OP;
        gboolean ok = parse_client_op(p, L, next, a, &client);
        g_free(client.text);
        return ok;
    }
    const ScnTok *t = &L->tok[i];
    for (size_t k = 0; k < G_N_ELEMENTS(action_names); k++) {
        if (action_word((ScnActionKind)k) && scn_tok_is(t, action_names[k])) {
            a->kind = (ScnActionKind)k;
            return action_parsers[k](p, L, i + 1, a);
        }
    }
    return unknown_action(p, L, t);
}

gboolean scn_parse_timed(ScnParser *p, ScnLine *L)
{
    const ScnTok *first = &L->tok[0];
    ScnAction a = { .pos = scn_pos(L, first->col) };
    guint i = 0;
    gboolean is_at = FALSE;
    SimTime t = 0;
    guint time_col = first->col;
    if (scn_tok_is(first, "at") || scn_tok_is(first, "after")) {
        is_at = scn_tok_is(first, "at");
        if (L->n < 2)
            return scn_fail_at(p, L, first->col, "%s: missing time", first->text);
        char *msg = NULL;
        if (!scn_value_duration(first->text, L->tok[1].text, 0, SCN_TIME_LIMIT, &t, &msg))
            return scn_fail_msg(p, L, L->tok[1].col, msg);
        time_col = L->tok[1].col;
        i = 2;
        if (i >= L->n)
            return scn_fail_at(p, L, L->tok[1].col, "missing action after '%s %s'", first->text, L->tok[1].text);
    }
    /* `expect at end CHECK`: no time of its own. */
    if (scn_tok_is(&L->tok[i], "expect") && i + 2 < L->n && scn_tok_is(&L->tok[i + 1], "at") &&
        scn_tok_is(&L->tok[i + 2], "end")) {
        if (i > 0)
            return scn_fail_at(p, L, L->tok[i + 1].col, "'expect at end' takes no time of its own");
        a.kind = SCN_ACTION_EXPECT;
        a.when = SCN_WHEN_END;
        a.pos = scn_pos(L, L->tok[i].col);
        if (!act_expect(p, L, i + 3, &a))
            return FALSE;
        g_array_append_val(p->s->priv->actions, a);
        return TRUE;
    }
    a.pos = scn_pos(L, L->tok[i].col);
    if (!place(p, L, is_at, t, time_col, &a) || !parse_action(p, L, i, &a))
        return FALSE;
    if (a.kind == SCN_ACTION_WAIT) {
        p->base = SCN_WHEN_WAIT;
        p->last = 0;
    } else if (a.kind == SCN_ACTION_END) {
        p->ended = TRUE;
        p->end_pos = a.pos;
    }
    g_array_append_val(p->s->priv->actions, a);
    return TRUE;
}
