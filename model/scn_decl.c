/* scn_decl.c - the declarations of a scenario: who is in it.
 *
 * group, latency, link, quorum.group, quorum.weight, observer, workload,
 * client and clients lines, and the pieces they share with the timed
 * script: targets (a server, a client, a group, leader or *), zkCli
 * paths, and names of new clients, groups and workloads.
 *
 * A declaration is checked here as far as one line allows: syntax,
 * values and ranges, duplicate names.  Whether s7 exists, or which
 * client or group a name means, waits for scn_check, when the whole
 * script and the final parameters are known.
 */
#include "scn_internal.h"

#include <inttypes.h>
#include <string.h>

/* ---- targets ---- */

void scn_mask_describe(guint mask, GString *out)
{
    static const char *const words[] = {
        [SCN_TARGET_SERVER] = "a server", [SCN_TARGET_LEADER] = "leader", [SCN_TARGET_CLIENT] = "a client",
        [SCN_TARGET_GROUP] = "a group",   [SCN_TARGET_ANY] = "*",
    };
    static const ScnTargetKind order[] = { SCN_TARGET_SERVER, SCN_TARGET_CLIENT, SCN_TARGET_GROUP,
                                           SCN_TARGET_LEADER, SCN_TARGET_ANY };
    guint total = (guint)__builtin_popcount(mask), k = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        if (!(mask & (1u << order[i])))
            continue;
        if (k > 0)
            g_string_append(out, k + 1 == total ? " or " : ", ");
        g_string_append(out, words[order[i]]);
        k++;
    }
}

static gboolean hash_set_add(GHashTable **h, guint index)
{
    if (!*h)
        *h = g_hash_table_new(g_direct_hash, g_direct_equal);
    return g_hash_table_add(*h, GUINT_TO_POINTER(index + 1));
}

gboolean scn_target_set_add(ScnTargetSet *set, const ScnTarget *t)
{
    gboolean had = FALSE;
    switch (t->kind) {
    case SCN_TARGET_SERVER: {
        g_assert(t->index <= SCN_SERVERS_MAX);
        guint64 bit = G_GUINT64_CONSTANT(1) << (t->index % 64);
        had = (set->servers[t->index / 64] & bit) != 0;
        set->servers[t->index / 64] |= bit;
        return !had;
    }
    case SCN_TARGET_LEADER:
        had = set->leader;
        set->leader = TRUE;
        return !had;
    case SCN_TARGET_ANY:
        had = set->any;
        set->any = TRUE;
        return !had;
    case SCN_TARGET_CLIENT:
        g_assert(t->index != SCN_UNRESOLVED);
        return hash_set_add(&set->clients, t->index);
    case SCN_TARGET_GROUP:
        return hash_set_add(&set->groups, t->index);
    }
    g_assert_not_reached();
    return FALSE;
}

void scn_target_set_clear(ScnTargetSet *set)
{
    if (set->clients)
        g_hash_table_destroy(set->clients);
    if (set->groups)
        g_hash_table_destroy(set->groups);
    *set = (ScnTargetSet)SCN_TARGET_SET_INIT;
}

/* what: "a server"; NULL for the words leader and '*'. */
static gboolean not_allowed(ScnParser *p, const ScnLine *L, const ScnTok *t, const char *what, guint allowed)
{
    g_autoptr(GString) exp = g_string_new(NULL);
    scn_mask_describe(allowed, exp);
    if (!what)
        return scn_fail_at(p, L, t->col, "'%s' is not allowed here (expected %s)", t->text, exp->str);
    return scn_fail_at(p, L, t->col, "'%s' is %s; expected %s here", t->text, what, exp->str);
}

/* Server id of "sN"; 0 (never valid) for a leading zero, saturated for
 * huge numbers, so the checker reports every bad one the same way. */
static guint server_id(const char *name)
{
    const char *d = name + 1;
    if (d[0] == '0')
        return 0;
    guint64 v = 0;
    for (; *d; d++) {
        v = v * 10 + (guint64)(*d - '0');
        if (v > G_MAXUINT / 2)
            return G_MAXUINT / 2;
    }
    return (guint)v;
}

gboolean scn_parse_target(ScnParser *p, const ScnLine *L, const ScnTok *t, guint allowed, ScnTarget *out)
{
    *out = (ScnTarget){ .name = scn_strdup(p->s, t->text), .pos = scn_pos(L, t->col) };
    const char *w = t->text;
    if (*w == '\0')
        return scn_fail_at(p, L, t->col, "empty name");
    if (strcmp(w, "*") == 0) {
        out->kind = SCN_TARGET_ANY;
        return (allowed & SCN_M(ANY)) ? TRUE : not_allowed(p, L, t, NULL, allowed);
    }
    if (strcmp(w, "leader") == 0) {
        out->kind = SCN_TARGET_LEADER;
        return (allowed & SCN_M(LEADER)) ? TRUE : not_allowed(p, L, t, NULL, allowed);
    }
    if (scn_is_server_like(w)) {
        out->kind = SCN_TARGET_SERVER;
        out->index = server_id(w);
        return (allowed & SCN_M(SERVER)) ? TRUE : not_allowed(p, L, t, "a server", allowed);
    }
    if (strcmp(w, "|") == 0 || strcmp(w, "->") == 0 || strcmp(w, "=") == 0)
        return scn_fail_at(p, L, t->col, "unexpected '%s'", w);
    /* A name: a client or a group, looked up once the whole script is read. */
    out->kind = SCN_TARGET_CLIENT;
    out->index = SCN_UNRESOLVED;
    return TRUE;
}

gboolean scn_parse_targets(ScnParser *p, const ScnLine *L, guint from, guint to, guint allowed, ScnTargets *out)
{
    g_autoptr(GArray) v = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    for (guint i = from; i < to; i++) {
        ScnTarget t;
        if (!scn_parse_target(p, L, &L->tok[i], allowed, &t))
            return FALSE;
        g_array_append_val(v, t);
    }
    *out = scn_targets_copy(p->s, (const ScnTarget *)(const void *)v->data, v->len);
    return TRUE;
}

/* ---- paths ---- */

const char *scn_path_problem(const char *path, gboolean sequential)
{
    if (path[0] != '/')
        return "must start with '/'";
    if (path[1] == '\0')
        return NULL;
    gsize len = strlen(path);
    if (path[len - 1] == '/' && !sequential)
        return "must not end with '/'";
    /* Components between slashes; a sequential create may end in '/'
     * (ZooKeeper appends the counter: /jobs/ -> /jobs/0000000001). */
    const char *c = path + 1;
    for (;;) {
        const char *slash = strchr(c, '/');
        gsize n = slash ? (gsize)(slash - c) : strlen(c);
        if (n == 0 && slash)
            return "empty component";
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return "'.' and '..' are not allowed as components";
        if (!slash)
            return NULL;
        c = slash + 1;
        if (*c == '\0')
            return NULL; /* sequential trailing '/' */
    }
}

/* ---- names of declarations ---- */

static gboolean check_new_name(ScnParser *p, const ScnLine *L, const ScnTok *t, const char *what)
{
    const char *w = t->text;
    if (!scn_is_identifier(w) || strlen(w) > SCN_NAME_MAX)
        return scn_fail_at(p, L, t->col,
                           "bad %s name '%s' (use up to %d letters, digits, '_' and '-', starting with a "
                           "letter or '_')",
                           what, w, SCN_NAME_MAX);
    if (strcmp(w, "leader") == 0 || strcmp(w, "all") == 0)
        return scn_fail_at(p, L, t->col, "'%s' is a reserved word and cannot name a %s", w, what);
    if (scn_is_server_like(w))
        return scn_fail_at(p, L, t->col, "'%s' is a server name and cannot name a %s", w, what);
    return TRUE;
}

/* Clients and groups share one name space: both appear as targets. */
static gboolean check_target_name_free(ScnParser *p, const ScnLine *L, const ScnTok *t, const char *name)
{
    guint gi = GPOINTER_TO_UINT(g_hash_table_lookup(p->group_index, name));
    guint ci = GPOINTER_TO_UINT(g_hash_table_lookup(p->client_index, name));
    const ScnPos *prev = NULL;
    const char *kind = NULL;
    if (gi) {
        prev = &g_array_index(p->s->priv->groups, ScnGroup, gi - 1).pos;
        kind = "group";
    } else if (ci) {
        prev = &g_array_index(p->s->priv->clients, ScnClient, ci - 1).pos;
        kind = "client";
    }
    if (!prev)
        return TRUE;
    g_autoptr(GString) at = g_string_new(NULL);
    scn_pos_append(at, prev);
    return scn_fail_at(p, L, t->col, "%s '%s' is already defined at %s", kind, name, at->str);
}

/* ---- topology ---- */

/* Expects tokens[i] to be '=' (after split_equals). */
static gboolean expect_equals(ScnParser *p, const ScnLine *L, guint i, const char *what)
{
    if (i < L->n && scn_tok_is(&L->tok[i], "="))
        return TRUE;
    if (i < L->n)
        return scn_fail_at(p, L, L->tok[i].col, "%s: expected '=', got '%s'", what, L->tok[i].text);
    return scn_fail_at(p, L, L->tok[i - 1].col, "%s: expected '=' after '%s'", what, L->tok[i - 1].text);
}

gboolean scn_parse_group(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "group: expected 'group NAME = s1 s2 ...'");
    scn_line_split_equals(L, 1);
    const ScnTok *name = &L->tok[1];
    if (!check_new_name(p, L, name, "group") || !check_target_name_free(p, L, name, name->text) ||
        !expect_equals(p, L, 2, "group"))
        return FALSE;
    if (L->n < 4)
        return scn_fail_at(p, L, L->tok[2].col, "group %s: no servers after '='", name->text);
    ScnGroup g = { .name = scn_strdup(p->s, name->text), .pos = scn_pos(L, name->col) };
    if (!scn_parse_targets(p, L, 3, L->n, SCN_M(SERVER), &g.members))
        return FALSE;
    g_array_append_val(p->s->priv->groups, g);
    g_hash_table_insert(p->group_index, (gpointer)g.name, GUINT_TO_POINTER(p->s->priv->groups->len));
    return TRUE;
}

gboolean scn_parse_latency(ScnParser *p, ScnLine *L)
{
    if (L->n < 3)
        return scn_fail_at(p, L, L->tok[0].col, "latency: expected 'latency GROUP1 GROUP2 = DIST'");
    scn_line_split_equals(L, 2);
    if (!expect_equals(p, L, 3, "latency"))
        return FALSE;
    if (L->n < 5)
        return scn_fail_at(p, L, L->tok[3].col, "latency: missing distribution after '='");
    if (L->n > 5)
        return scn_fail_at(p, L, L->tok[5].col, "latency: unexpected '%s' after the distribution", L->tok[5].text);
    ScnGroupLatency g = { .pos = scn_pos(L, L->tok[0].col) };
    char *msg = NULL;
    if (!scn_parse_target(p, L, &L->tok[1], SCN_M(GROUP), &g.a) ||
        !scn_parse_target(p, L, &L->tok[2], SCN_M(GROUP), &g.b))
        return FALSE;
    if (!scn_value_dist("latency", L->tok[4].text, &g.latency, &msg))
        return scn_fail_msg(p, L, L->tok[4].col, msg);
    g_array_append_val(p->s->priv->latencies, g);
    return TRUE;
}

/* Splits KEY=VALUE token t; FALSE (with an error naming what) if there
 * is no '='. */
static gboolean split_option(ScnParser *p, const ScnLine *L, const ScnTok *t, const char *what, char **key,
                             const char **value, guint *value_col)
{
    const char *eq = memchr(t->text, '=', t->bare_len);
    if (!eq || eq == t->text)
        return scn_fail_at(p, L, t->col, "%s: expected KEY=VALUE, got '%s'", what, t->text);
    gsize k = (gsize)(eq - t->text);
    *key = g_strndup(t->text, k);
    *value = eq + 1;
    *value_col = scn_tok_col(t, k + 1);
    return TRUE;
}

static gboolean unknown_option(ScnParser *p, const ScnLine *L, guint col, const char *what, const char *key,
                               const char *const *known, gsize n)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "%s: unknown option '%s'", what, key);
    const char *near = scn_suggest(key, known, n);
    if (near) {
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    } else {
        g_string_append(msg, " (expected ");
        for (gsize i = 0; i < n; i++)
            g_string_append_printf(msg, "%s%s=", i == 0 ? "" : i + 1 == n ? " or " : ", ", known[i]);
        g_string_append(msg, ")");
    }
    return scn_fail_at(p, L, col, "%s", msg->str);
}

gboolean scn_parse_link_body(ScnParser *p, ScnLine *L, guint from, guint allowed, ScnLink *out)
{
    static const char *const keys[] = { "latency", "loss" };
    if (L->n < from + 2)
        return scn_fail_at(p, L, L->tok[from - 1].col, "link: expected 'link A B [latency=DIST] [loss=FLOAT]'");
    *out = (ScnLink){ .pos = scn_pos(L, L->tok[from - 1].col) };
    if (!scn_parse_target(p, L, &L->tok[from], allowed, &out->a) ||
        !scn_parse_target(p, L, &L->tok[from + 1], allowed, &out->b))
        return FALSE;
    if (strcmp(out->a.name, out->b.name) == 0)
        return scn_fail_at(p, L, L->tok[from + 1].col, "link: both ends are '%s'", out->a.name);
    for (guint i = from + 2; i < L->n; i++) {
        const ScnTok *t = &L->tok[i];
        g_autofree char *key = NULL;
        const char *value = NULL;
        guint col = 0;
        char *msg = NULL;
        if (!split_option(p, L, t, "link", &key, &value, &col))
            return FALSE;
        if (strcmp(key, "latency") == 0) {
            if (out->has_latency)
                return scn_fail_at(p, L, t->col, "link: latency given twice");
            out->has_latency = TRUE;
            if (!scn_value_dist("latency", value, &out->latency, &msg))
                return scn_fail_msg(p, L, col, msg);
        } else if (strcmp(key, "loss") == 0) {
            if (out->has_loss)
                return scn_fail_at(p, L, t->col, "link: loss given twice");
            out->has_loss = TRUE;
            if (!scn_value_float("loss", value, 0.0, 1.0, &out->loss, &msg))
                return scn_fail_msg(p, L, col, msg);
        } else {
            return unknown_option(p, L, t->col, "link", key, keys, G_N_ELEMENTS(keys));
        }
    }
    if (!out->has_latency && !out->has_loss)
        return scn_fail_at(p, L, L->tok[from + 1].col, "link: expected latency=DIST and/or loss=FLOAT after '%s'",
                           out->b.name);
    return TRUE;
}

gboolean scn_parse_link(ScnParser *p, ScnLine *L)
{
    ScnLink link;
    if (!scn_parse_link_body(p, L, 1, SCN_M(SERVER) | SCN_M(CLIENT), &link))
        return FALSE;
    g_array_append_val(p->s->priv->links, link);
    return TRUE;
}

gboolean scn_parse_quorum_group(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "quorum.group: expected 'quorum.group ID = s1 s2 ...'");
    scn_line_split_equals(L, 1);
    ScnQuorumGroup g = { .pos = scn_pos(L, L->tok[1].col) };
    char *msg = NULL;
    if (!scn_value_int("quorum.group id", L->tok[1].text, 0, 1000000000, &g.id, &msg))
        return scn_fail_msg(p, L, L->tok[1].col, msg);
    if (!expect_equals(p, L, 2, "quorum.group"))
        return FALSE;
    if (L->n < 4)
        return scn_fail_at(p, L, L->tok[2].col, "quorum.group %" PRId64 ": no servers after '='", g.id);
    if (!scn_parse_targets(p, L, 3, L->n, SCN_M(SERVER), &g.members))
        return FALSE;
    g_array_append_val(p->s->priv->quorum_groups, g);
    return TRUE;
}

gboolean scn_parse_quorum_weight(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "quorum.weight: expected 'quorum.weight sN = WEIGHT'");
    scn_line_split_equals(L, 1);
    ScnQuorumWeight w = { .pos = scn_pos(L, L->tok[1].col) };
    char *msg = NULL;
    if (!scn_parse_target(p, L, &L->tok[1], SCN_M(SERVER), &w.server) || !expect_equals(p, L, 2, "quorum.weight"))
        return FALSE;
    if (L->n < 4)
        return scn_fail_at(p, L, L->tok[2].col, "quorum.weight: missing weight after '='");
    if (L->n > 4)
        return scn_fail_at(p, L, L->tok[4].col, "quorum.weight: unexpected '%s' after the weight", L->tok[4].text);
    if (!scn_value_int("quorum.weight", L->tok[3].text, 0, 1000000, &w.weight, &msg))
        return scn_fail_msg(p, L, L->tok[3].col, msg);
    g_array_append_val(p->s->priv->quorum_weights, w);
    return TRUE;
}

gboolean scn_parse_observer(ScnParser *p, ScnLine *L)
{
    if (L->n != 2)
        return scn_fail_at(p, L, L->n < 2 ? L->tok[0].col : L->tok[2].col, "observer: expected 'observer sN'");
    ScnTarget t;
    if (!scn_parse_target(p, L, &L->tok[1], SCN_M(SERVER), &t))
        return FALSE;
    g_array_append_val(p->s->priv->observers, t);
    return TRUE;
}

/* ---- workloads ---- */

typedef enum {
    WK_READS,
    WK_SIZE,
    WK_KEYS,
    WK_DIST,
    WK_RATE,
    WK_OUTSTANDING,
    WK_OPS,
    WK_PERIOD,
    WK_PATH,
    WK_COUNT,
    WK_HOLD,
    WK_N
} WorkloadKey;

static const char *const workload_keys[WK_N] = {
    [WK_READS] = "reads",   [WK_SIZE] = "size",   [WK_KEYS] = "keys",   [WK_DIST] = "dist",
    [WK_RATE] = "rate",     [WK_OUTSTANDING] = "outstanding",           [WK_OPS] = "ops",
    [WK_PERIOD] = "period", [WK_PATH] = "path",   [WK_COUNT] = "count", [WK_HOLD] = "hold",
};

/* NULL-terminated for scn_value_choice. */
static const char *const workload_kind_names[] = {
#define SCN_X_NAME(id, name) name,
    SCN_WORKLOAD_KIND_LIST(SCN_X_NAME)
#undef SCN_X_NAME
        NULL,
};

#define WK_BIT(k) (1u << (k))
#define WK_MIXED                                                                                   \
    (WK_BIT(WK_READS) | WK_BIT(WK_SIZE) | WK_BIT(WK_KEYS) | WK_BIT(WK_DIST) | WK_BIT(WK_RATE) |       \
     WK_BIT(WK_OUTSTANDING) | WK_BIT(WK_OPS))
#define WK_RECIPE (WK_BIT(WK_PERIOD) | WK_BIT(WK_SIZE) | WK_BIT(WK_PATH) | WK_BIT(WK_COUNT) | WK_BIT(WK_HOLD))

/* Keys each kind accepts (formatting writes exactly these). */
guint scn_workload_keys(ScnWorkloadKind kind)
{
    switch (kind) {
    case SCN_WORKLOAD_SCRIPT:
        return 0;
    case SCN_WORKLOAD_MIXED:
        return WK_MIXED;
    case SCN_WORKLOAD_REGISTRY:
    case SCN_WORKLOAD_CONFIG:
    case SCN_WORKLOAD_NAMING:
    case SCN_WORKLOAD_LOCK:
    case SCN_WORKLOAD_MEMBERSHIP:
    case SCN_WORKLOAD_BALANCE:
        return WK_RECIPE;
    }
    g_assert_not_reached();
    return 0;
}

const char *scn_workload_kind_name(ScnWorkloadKind k)
{
    g_assert((size_t)k + 1 < G_N_ELEMENTS(workload_kind_names));
    return workload_kind_names[k];
}

static void workload_defaults(ScnScript *s, ScnWorkload *w)
{
    w->reads = 0.5;
    w->size_bytes = 100;
    w->keys = 1000;
    w->key_dist = SCN_KEYS_UNIFORM;
    w->zipf_s = 0.0;
    w->rate_per_s = 0.0;
    w->outstanding = 1;
    w->ops = 0;
    w->period = SIM_S;
    g_autofree char *path = g_strdup_printf("/%s", scn_workload_kind_name(w->kind));
    w->path = scn_strdup(s, path);
    w->count = 1;
    w->hold = SIM_S;
}

static gboolean parse_key_dist(const char *text, ScnWorkload *w, char **msg)
{
    if (strcmp(text, "uniform") == 0) {
        w->key_dist = SCN_KEYS_UNIFORM;
        w->zipf_s = 0.0;
        return TRUE;
    }
    gsize len = strlen(text);
    if (g_str_has_prefix(text, "zipf(") && len > 6 && text[len - 1] == ')') {
        g_autofree char *arg = g_strndup(text + 5, len - 6);
        w->key_dist = SCN_KEYS_ZIPF;
        return scn_value_float("dist: zipf exponent", g_strstrip(arg), 0.0, 100.0, &w->zipf_s, msg);
    }
    *msg = g_strdup_printf("dist: expected uniform or zipf(S), got '%s'", text);
    return FALSE;
}

static gboolean parse_rate(const char *text, double *out, char **msg)
{
    gsize len = strlen(text);
    if (len < 3 || strcmp(text + len - 2, "/s") != 0) {
        *msg = g_strdup_printf("rate: expected operations per second such as 100/s, got '%s'", text);
        return FALSE;
    }
    g_autofree char *num = g_strndup(text, len - 2);
    return scn_value_float("rate", num, 0.001, 10000000.0, out, msg);
}

static gboolean workload_value(ScnScript *s, WorkloadKey k, const char *v, ScnWorkload *w, char **msg)
{
    uint64_t bytes = 0;
    switch (k) {
    case WK_READS:
        return scn_value_float("reads", v, 0.0, 1.0, &w->reads, msg);
    case WK_SIZE:
        if (!scn_value_bytes("size", v, FALSE, ZK_DATA_MAX_BYTES, &bytes, msg))
            return FALSE;
        w->size_bytes = (int64_t)bytes;
        return TRUE;
    case WK_KEYS:
        return scn_value_int("keys", v, 1, 1000000000, &w->keys, msg);
    case WK_DIST:
        return parse_key_dist(v, w, msg);
    case WK_RATE:
        return parse_rate(v, &w->rate_per_s, msg);
    case WK_OUTSTANDING:
        return scn_value_int("outstanding", v, 1, 1000000, &w->outstanding, msg);
    case WK_OPS:
        return scn_value_int("ops", v, 0, INT64_C(1000000000000), &w->ops, msg);
    case WK_PERIOD:
        return scn_value_duration("period", v, 1, SCN_TIME_LIMIT, &w->period, msg);
    case WK_PATH: {
        const char *problem = scn_path_problem(v, FALSE);
        if (problem) {
            *msg = g_strdup_printf("path: bad path '%s': %s", v, problem);
            return FALSE;
        }
        w->path = scn_strdup(s, v);
        return TRUE;
    }
    case WK_COUNT:
        return scn_value_int("count", v, 1, 1000000, &w->count, msg);
    case WK_HOLD:
        return scn_value_duration("hold", v, 0, SCN_TIME_LIMIT, &w->hold, msg);
    case WK_N:
        break;
    }
    g_assert_not_reached();
    return FALSE;
}

static gboolean workload_key_error(ScnParser *p, const ScnLine *L, guint col, const ScnWorkload *w, const char *key)
{
    guint valid = scn_workload_keys(w->kind);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_autoptr(GString) list = g_string_new(NULL);
    const char *mine[WK_N];
    gsize n = 0;
    for (int k = 0; k < WK_N; k++) {
        if (valid & WK_BIT(k)) {
            g_string_append_printf(list, "%s%s", n ? ", " : "", workload_keys[k]);
            mine[n++] = workload_keys[k];
        }
    }
    gboolean elsewhere = FALSE;
    for (int k = 0; k < WK_N; k++)
        elsewhere |= strcmp(key, workload_keys[k]) == 0;
    const char *kind = scn_workload_kind_name(w->kind);
    if (elsewhere && n == 0)
        g_string_append_printf(msg, "workload %s: kind %s takes no keys, not '%s'", w->name, kind, key);
    else if (elsewhere)
        g_string_append_printf(msg, "workload %s: key '%s' does not apply to kind %s (its keys: %s)", w->name, key,
                               kind, list->str);
    else {
        g_string_append_printf(msg, "workload %s: unknown key '%s'", w->name, key);
        const char *near = scn_suggest(key, mine, n);
        if (near)
            g_string_append_printf(msg, " (did you mean '%s'?)", near);
        else if (n > 0)
            g_string_append_printf(msg, " (kind %s takes %s)", kind, list->str);
        else
            g_string_append_printf(msg, " (kind %s takes no keys)", kind);
    }
    return scn_fail_at(p, L, col, "%s", msg->str);
}

static gboolean parse_workload_kind(ScnParser *p, ScnLine *L, ScnWorkload *w, guint *kind_tok)
{
    for (guint i = 2; i < L->n; i++) {
        const ScnTok *t = &L->tok[i];
        if (!g_str_has_prefix(t->text, "kind=") || t->bare_len < 5)
            continue;
        int k = 0;
        char *msg = NULL;
        if (!scn_value_choice("kind", t->text + 5, workload_kind_names, &k, &msg))
            return scn_fail_msg(p, L, scn_tok_col(t, 5), msg);
        w->kind = (ScnWorkloadKind)k;
        *kind_tok = i;
        return TRUE;
    }
    return scn_fail_at(p, L, L->tok[1].col,
                       "workload %s: missing kind=KIND (script, mixed, registry, config, naming, lock, membership "
                       "or balance)",
                       w->name);
}

gboolean scn_parse_workload(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "workload: expected 'workload NAME kind=KIND ...'");
    const ScnTok *name = &L->tok[1];
    if (!check_new_name(p, L, name, "workload"))
        return FALSE;
    guint prev = GPOINTER_TO_UINT(g_hash_table_lookup(p->workload_index, name->text));
    if (prev) {
        g_autoptr(GString) at = g_string_new(NULL);
        scn_pos_append(at, &g_array_index(p->s->priv->workloads, ScnWorkload, prev - 1).pos);
        return scn_fail_at(p, L, name->col, "workload '%s' is already defined at %s", name->text, at->str);
    }
    ScnWorkload w = { .name = scn_strdup(p->s, name->text), .pos = scn_pos(L, name->col) };
    guint kind_tok = 0;
    if (!parse_workload_kind(p, L, &w, &kind_tok))
        return FALSE;
    workload_defaults(p->s, &w);
    guint seen = 0;
    for (guint i = 2; i < L->n; i++) {
        if (i == kind_tok)
            continue;
        const ScnTok *t = &L->tok[i];
        g_autofree char *key = NULL;
        const char *value = NULL;
        guint col = 0;
        if (!split_option(p, L, t, "workload", &key, &value, &col))
            return FALSE;
        int k = 0;
        while (k < WK_N && strcmp(key, workload_keys[k]) != 0)
            k++;
        if (k == WK_N || !(scn_workload_keys(w.kind) & WK_BIT(k)))
            return workload_key_error(p, L, t->col, &w, key);
        if (seen & WK_BIT(k))
            return scn_fail_at(p, L, t->col, "workload %s: key '%s' given twice", w.name, key);
        seen |= WK_BIT(k);
        if ((seen & WK_BIT(WK_RATE)) && (seen & WK_BIT(WK_OUTSTANDING)))
            return scn_fail_at(p, L, t->col,
                               "workload %s: rate (open loop) and outstanding (closed loop) cannot be combined",
                               w.name);
        char *msg = NULL;
        if (!workload_value(p->s, (WorkloadKey)k, value, &w, &msg))
            return scn_fail_msg(p, L, col, msg);
    }
    g_array_append_val(p->s->priv->workloads, w);
    g_hash_table_insert(p->workload_index, (gpointer)w.name, GUINT_TO_POINTER(p->s->priv->workloads->len));
    return TRUE;
}

/* ---- clients ---- */

typedef struct {
    ScnClient c;
    ScnClientExtra x;
} ClientTemplate;

static gboolean parse_client_servers(ScnParser *p, const ScnLine *L, const ScnTok *t, gsize off, ClientTemplate *ct)
{
    const char *v = t->text + off;
    ct->x.has_servers = TRUE;
    if (strcmp(v, "all") == 0) {
        ct->c.all_servers = TRUE;
        return TRUE;
    }
    g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    gsize start = off;
    for (gsize i = off;; i++) {
        char c = t->text[i];
        if (c != ',' && c != '\0')
            continue;
        g_autofree char *name = g_strndup(t->text + start, i - start);
        ScnTok piece = { .text = name, .cols = t->cols + start, .col = scn_tok_col(t, start),
                         .bare_len = i - start };
        if (*name == '\0')
            return scn_fail_at(p, L, piece.col, "servers: empty name in '%s'", v);
        if (strcmp(name, "all") == 0)
            return scn_fail_at(p, L, piece.col, "servers: 'all' cannot be combined with other names");
        ScnTarget target;
        if (!scn_parse_target(p, L, &piece, SCN_M(SERVER) | SCN_M(GROUP), &target))
            return FALSE;
        g_array_append_val(list, target);
        if (c == '\0')
            break;
        start = i + 1;
    }
    ct->c.servers = scn_targets_copy(p->s, (const ScnTarget *)(const void *)list->data, list->len);
    return TRUE;
}

static gboolean parse_client_options(ScnParser *p, ScnLine *L, guint from, ClientTemplate *ct)
{
    static const char *const keys[] = { "servers", "timeout", "workload", "start" };
    guint seen = 0;
    for (guint i = from; i < L->n; i++) {
        const ScnTok *t = &L->tok[i];
        g_autofree char *key = NULL;
        const char *value = NULL;
        guint col = 0;
        char *msg = NULL;
        if (!split_option(p, L, t, "client", &key, &value, &col))
            return FALSE;
        guint k = 0;
        while (k < G_N_ELEMENTS(keys) && strcmp(key, keys[k]) != 0)
            k++;
        if (k == G_N_ELEMENTS(keys))
            return unknown_option(p, L, t->col, "client", key, keys, G_N_ELEMENTS(keys));
        if (seen & (1u << k))
            return scn_fail_at(p, L, t->col, "client: option '%s' given twice", key);
        seen |= 1u << k;
        switch (k) {
        case 0:
            if (!parse_client_servers(p, L, t, (gsize)(value - t->text), ct))
                return FALSE;
            break;
        case 1:
            ct->x.has_timeout = TRUE;
            if (!scn_value_duration("timeout", value, 1, SCN_TIME_LIMIT, &ct->c.timeout, &msg))
                return scn_fail_msg(p, L, col, msg);
            break;
        case 2:
            if (*value == '\0')
                return scn_fail_at(p, L, col, "workload: missing name");
            ct->x.workload = scn_strdup(p->s, value);
            ct->x.workload_pos = scn_pos(L, col);
            break;
        default:
            if (!scn_value_bool("start", value, &ct->c.start, &msg))
                return scn_fail_msg(p, L, col, msg);
            break;
        }
    }
    return TRUE;
}

static gboolean add_client(ScnParser *p, const ScnLine *L, const ScnTok *t, const char *name, const ClientTemplate *ct)
{
    if (!check_target_name_free(p, L, t, name))
        return FALSE;
    ScnClient c = ct->c;
    c.name = scn_strdup(p->s, name);
    g_array_append_val(p->s->priv->clients, c);
    g_array_append_val(p->client_extra, ct->x);
    g_hash_table_insert(p->client_index, (gpointer)c.name, GUINT_TO_POINTER(p->s->priv->clients->len));
    return TRUE;
}

static gboolean too_many_clients(ScnParser *p, const ScnLine *L, const ScnTok *t, guint64 more)
{
    ScnPos pos = scn_pos(L, t->col);
    return scn_fail(p, SCN_ERROR_LIMIT, &pos, "too many clients: %s would make %" G_GUINT64_FORMAT " (at most %d)",
                    t->text, (guint64)p->s->priv->clients->len + more, SCN_CLIENTS_MAX);
}

gboolean scn_parse_client(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "client: expected 'client NAME [servers=...] [timeout=...] ...'");
    const ScnTok *name = &L->tok[1];
    if (!check_new_name(p, L, name, "client"))
        return FALSE;
    ClientTemplate ct = { .c = { .workload = -1, .start = TRUE, .pos = scn_pos(L, name->col) } };
    if (!parse_client_options(p, L, 2, &ct))
        return FALSE;
    if (p->s->priv->clients->len >= SCN_CLIENTS_MAX)
        return too_many_clients(p, L, name, 1);
    return add_client(p, L, name, name->text, &ct);
}

/* "c1..c100" or "c1..100": prefix, bounds and the zero-padding width. */
static gboolean parse_client_range(ScnParser *p, const ScnLine *L, const ScnTok *t, char **prefix, guint64 *lo,
                                   guint64 *hi, int *width)
{
    const char *dots = strstr(t->text, "..");
    if (!dots)
        return scn_fail_at(p, L, t->col, "clients: expected a range such as c1..c100, got '%s'", t->text);
    const char *d = dots;
    while (d > t->text && g_ascii_isdigit(d[-1]))
        d--;
    gsize plen = (gsize)(d - t->text);
    const char *right = dots + 2;
    if (strlen(right) >= plen && memcmp(right, t->text, plen) == 0)
        right += plen;
    gsize ldig = (gsize)(dots - d), rdig = strlen(right);
    if (ldig == 0 || rdig == 0 || strspn(right, "0123456789") != rdig)
        return scn_fail_at(p, L, t->col, "clients: expected a range such as c1..c100, got '%s'", t->text);
    /* 18 digits cannot overflow; more are far beyond the cap anyway. */
    if (ldig > 18 || rdig > 18)
        return too_many_clients(p, L, t, G_MAXUINT64 - SCN_CLIENTS_MAX);
    *lo = g_ascii_strtoull(d, NULL, 10);
    *hi = g_ascii_strtoull(right, NULL, 10);
    *width = d[0] == '0' && ldig > 1 ? (int)ldig : 0;
    *prefix = g_strndup(t->text, plen);
    if (*lo > *hi)
        return scn_fail_at(p, L, t->col, "clients: empty range '%s'", t->text);
    return TRUE;
}

gboolean scn_parse_clients(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "clients: expected 'clients c1..cN [servers=...] ...'");
    const ScnTok *range = &L->tok[1];
    g_autofree char *prefix = NULL;
    guint64 lo = 0, hi = 0;
    int width = 0;
    if (!parse_client_range(p, L, range, &prefix, &lo, &hi, &width))
        return FALSE;
    if ((guint64)p->s->priv->clients->len + (hi - lo + 1) > SCN_CLIENTS_MAX)
        return too_many_clients(p, L, range, hi - lo + 1);
    /* The pattern is checked on the first and the last (longest) name. */
    g_autofree char *first = g_strdup_printf("%s%0*" G_GUINT64_FORMAT, prefix, width, lo);
    g_autofree char *last = g_strdup_printf("%s%0*" G_GUINT64_FORMAT, prefix, width, hi);
    ScnTok first_tok = *range, last_tok = *range;
    first_tok.text = first;
    last_tok.text = last;
    if (!check_new_name(p, L, &first_tok, "client") || !check_new_name(p, L, &last_tok, "client"))
        return FALSE;
    ClientTemplate ct = { .c = { .workload = -1, .start = TRUE, .pos = scn_pos(L, range->col) } };
    if (!parse_client_options(p, L, 2, &ct))
        return FALSE;
    /* No name is longer than the last one, checked above. */
    char name[SCN_NAME_MAX + 1];
    for (guint64 i = lo; i <= hi; i++) {
        g_snprintf(name, sizeof name, "%s%0*" G_GUINT64_FORMAT, prefix, width, i);
        if (!add_client(p, L, range, name, &ct))
            return FALSE;
    }
    return TRUE;
}
