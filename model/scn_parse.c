/* scn_parse.c - the scenario parser's driver.
 *
 * scn_load reads a file line by line (scn_lex.c turns each line into
 * tokens) and dispatches on the first token: include and let (here), a
 * declaration (scn_decl.c), a timed action (scn_action.c) or a parameter
 * assignment (here, typed by scn_params.c).  After the last line it
 * applies the --set overrides and hands the script to scn_check, which
 * resolves names against the final parameters.
 *
 * Includes recurse at most SCN_INCLUDE_DEPTH_MAX deep.  A cycle is found
 * by comparing the device and inode of each file with those of the files
 * being read, so two spellings of one path are still the same file.
 * Files are opened non-blocking and must be regular, so a path such as
 * /dev/stdin or a FIFO is refused instead of waited on.
 */
#include "scn_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- the script and its memory ---- */

static ScnScript *script_new(void)
{
    ScnScript *s = g_new0(ScnScript, 1);
    ScnScriptPriv *v = g_new0(ScnScriptPriv, 1);
    s->priv = v;
    v->strings = g_string_chunk_new(4096);
    v->blocks = g_ptr_array_new_with_free_func(g_free);
    v->groups = g_array_new(FALSE, TRUE, sizeof(ScnGroup));
    v->latencies = g_array_new(FALSE, TRUE, sizeof(ScnGroupLatency));
    v->links = g_array_new(FALSE, TRUE, sizeof(ScnLink));
    v->quorum_groups = g_array_new(FALSE, TRUE, sizeof(ScnQuorumGroup));
    v->quorum_weights = g_array_new(FALSE, TRUE, sizeof(ScnQuorumWeight));
    v->observers = g_array_new(FALSE, TRUE, sizeof(ScnTarget));
    v->workloads = g_array_new(FALSE, TRUE, sizeof(ScnWorkload));
    v->clients = g_array_new(FALSE, TRUE, sizeof(ScnClient));
    v->actions = g_array_new(FALSE, TRUE, sizeof(ScnAction));
    size_t n = 0;
    scn_param_table(&n);
    v->param_pos = scn_alloc(s, n * sizeof(ScnPos));
    scn_params_init(&s->params);
    return s;
}

void scn_script_free(ScnScript *s)
{
    if (!s)
        return;
    ScnScriptPriv *v = s->priv;
    g_array_free(v->groups, TRUE);
    g_array_free(v->latencies, TRUE);
    g_array_free(v->links, TRUE);
    g_array_free(v->quorum_groups, TRUE);
    g_array_free(v->quorum_weights, TRUE);
    g_array_free(v->observers, TRUE);
    g_array_free(v->workloads, TRUE);
    g_array_free(v->clients, TRUE);
    g_array_free(v->actions, TRUE);
    g_ptr_array_free(v->blocks, TRUE);
    g_string_chunk_free(v->strings);
    g_free(v);
    g_free(s);
}

/* Points the public fields at the finished arrays. */
static void script_publish(ScnScript *s)
{
    ScnScriptPriv *v = s->priv;
#define PUBLISH(field, arr, type)                                                                  \
    do {                                                                                           \
        s->field = (const type *)(const void *)v->arr->data;                                       \
        s->n_##field = v->arr->len;                                                                \
    } while (0)
    PUBLISH(groups, groups, ScnGroup);
    PUBLISH(latencies, latencies, ScnGroupLatency);
    PUBLISH(links, links, ScnLink);
    PUBLISH(quorum_groups, quorum_groups, ScnQuorumGroup);
    PUBLISH(quorum_weights, quorum_weights, ScnQuorumWeight);
    PUBLISH(observers, observers, ScnTarget);
    PUBLISH(workloads, workloads, ScnWorkload);
    PUBLISH(clients, clients, ScnClient);
    PUBLISH(actions, actions, ScnAction);
#undef PUBLISH
}

const char *scn_strdup(ScnScript *s, const char *text)
{
    return g_string_chunk_insert_const(s->priv->strings, text);
}

void *scn_alloc(ScnScript *s, gsize size)
{
    void *b = g_malloc0(MAX(size, 1));
    g_ptr_array_add(s->priv->blocks, b);
    return b;
}

ScnTargets scn_targets_copy(ScnScript *s, const ScnTarget *v, guint n)
{
    ScnTarget *copy = scn_alloc(s, (gsize)n * sizeof *copy);
    if (n > 0)
        memcpy(copy, v, (gsize)n * sizeof *copy);
    return (ScnTargets){ .v = copy, .n = n };
}

/* ---- queries ---- */

gboolean scn_script_is_observer(const ScnScript *s, guint id)
{
    g_assert(id >= 1 && id <= (guint)s->params.servers);
    if ((int64_t)id > s->params.servers - s->params.observers)
        return TRUE;
    for (guint i = 0; i < s->n_observers; i++)
        if (s->observers[i].index == id)
            return TRUE;
    return FALSE;
}

void scn_targets_expand(const ScnScript *s, const ScnTargets *l, GArray *out)
{
    g_assert(g_array_get_element_size(out) == sizeof(ScnTarget));
    ScnTargetSet seen = SCN_TARGET_SET_INIT;
    /* What out holds already counts: the result never repeats. */
    for (guint i = 0; i < out->len; i++)
        scn_target_set_add(&seen, &g_array_index(out, ScnTarget, i));
    for (guint i = 0; i < l->n; i++) {
        const ScnTarget *t = &l->v[i];
        const ScnTarget *members = t;
        guint n = 1;
        if (t->kind == SCN_TARGET_GROUP) {
            g_assert(t->index < s->n_groups);
            members = s->groups[t->index].members.v;
            n = s->groups[t->index].members.n;
        }
        for (guint k = 0; k < n; k++) {
            ScnTarget m = members[k];
            m.pos = t->pos;
            if (scn_target_set_add(&seen, &m))
                g_array_append_val(out, m);
        }
    }
    scn_target_set_clear(&seen);
}

guint scn_script_voters(const ScnScript *s)
{
    guint n = 0;
    for (guint id = 1; id <= (guint)s->params.servers; id++)
        n += !scn_script_is_observer(s, id);
    return n;
}

/* ---- include ---- */

static gboolean read_whole_file(ScnParser *p, const char *name, const ScnPos *at, char **text, gsize *len,
                                struct stat *st)
{
    int fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (at)
            return scn_fail(p, SCN_ERROR_READ, at, "cannot include '%s': %s", name, g_strerror(e));
        return scn_fail(p, SCN_ERROR_READ, NULL, "%s: %s", name, g_strerror(e));
    }
    gboolean ok = FALSE;
    const char *problem = NULL;
    if (fstat(fd, st) != 0)
        problem = g_strerror(errno);
    else if (!S_ISREG(st->st_mode))
        problem = "not a regular file";
    if (problem) {
        if (at)
            scn_fail(p, SCN_ERROR_READ, at, "cannot include '%s': %s", name, problem);
        else
            scn_fail(p, SCN_ERROR_READ, NULL, "%s: %s", name, problem);
        goto out_close;
    }
    GString *buf = g_string_sized_new((gsize)MIN(st->st_size, (off_t)SCN_FILE_MAX) + 1);
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            scn_fail(p, SCN_ERROR_READ, at, "%s: %s", name, g_strerror(e));
            g_string_free(buf, TRUE);
            goto out_close;
        }
        if (r == 0)
            break;
        g_string_append_len(buf, chunk, r);
        if (buf->len > SCN_FILE_MAX) {
            if (at)
                scn_fail(p, SCN_ERROR_LIMIT, at, "cannot include '%s': larger than %d bytes", name, SCN_FILE_MAX);
            else
                scn_fail(p, SCN_ERROR_LIMIT, NULL, "%s: larger than %d bytes", name, SCN_FILE_MAX);
            g_string_free(buf, TRUE);
            goto out_close;
        }
    }
    *len = buf->len;
    *text = g_string_free(buf, FALSE);
    ok = TRUE;
out_close:
    close(fd);
    return ok;
}

static gboolean parse_text(ScnParser *p, const char *file, const char *text, gsize len);

static gboolean include_cycle(ScnParser *p, const ScnPos *at, guint from, const char *name)
{
    g_autoptr(GString) chain = g_string_new(NULL);
    for (guint i = from; i < p->stack->len; i++)
        g_string_append_printf(chain, "%s -> ", g_array_index(p->stack, ScnFrame, i).name);
    g_string_append(chain, name);
    return scn_fail(p, SCN_ERROR_SYNTAX, at, "include cycle: %s", chain->str);
}

/* Reads and parses file name; at is the include line (NULL for the root). */
static gboolean parse_file(ScnParser *p, const char *name, const ScnPos *at)
{
    char *text = NULL;
    gsize len = 0;
    struct stat st;
    if (!read_whole_file(p, name, at, &text, &len, &st))
        return FALSE;
    for (guint i = 0; i < p->stack->len; i++) {
        const ScnFrame *f = &g_array_index(p->stack, ScnFrame, i);
        if (f->has_id && f->dev == st.st_dev && f->ino == st.st_ino) {
            g_free(text);
            return include_cycle(p, at, i, name);
        }
    }
    p->total_bytes += len;
    if (p->total_bytes > SCN_TOTAL_MAX) {
        g_free(text);
        return scn_fail(p, SCN_ERROR_LIMIT, at, "more than %d bytes of scenario text in all", SCN_TOTAL_MAX);
    }
    ScnFrame frame = { .name = scn_strdup(p->s, name), .has_id = TRUE, .dev = st.st_dev, .ino = st.st_ino };
    g_array_append_val(p->stack, frame);
    gboolean ok = parse_text(p, frame.name, text, len);
    g_array_set_size(p->stack, p->stack->len - 1);
    g_free(text);
    return ok;
}

/* path relative to the directory of the including file. */
static char *include_path(const char *including, const char *path)
{
    if (g_path_is_absolute(path))
        return g_strdup(path);
    g_autofree char *dir = g_path_get_dirname(including);
    if (strcmp(dir, ".") == 0)
        return g_strdup(path);
    return g_build_filename(dir, path, NULL);
}

static gboolean parse_include(ScnParser *p, ScnLine *L)
{
    if (L->n < 2)
        return scn_fail_at(p, L, L->tok[0].col, "include: expected a file name: include \"PATH\"");
    if (L->n > 2)
        return scn_fail_at(p, L, L->tok[2].col, "include: unexpected '%s' after the file name", L->tok[2].text);
    const ScnTok *t = &L->tok[1];
    ScnPos at = scn_pos(L, t->col);
    if (t->text[0] == '\0')
        return scn_fail_at(p, L, t->col, "include: empty file name");
    if (p->stack->len > SCN_INCLUDE_DEPTH_MAX)
        return scn_fail(p, SCN_ERROR_LIMIT, &at, "includes nested more than %d deep", SCN_INCLUDE_DEPTH_MAX);
    if (++p->n_includes > SCN_INCLUDES_MAX)
        return scn_fail(p, SCN_ERROR_LIMIT, &at, "more than %d includes", SCN_INCLUDES_MAX);
    g_autofree char *path = include_path(L->file, t->text);
    return parse_file(p, path, &at);
}

/* ---- let ---- */

static gboolean is_variable_name(const char *s)
{
    if (!g_ascii_isalpha(*s) && *s != '_')
        return FALSE;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_')
            return FALSE;
    return TRUE;
}

static gboolean parse_let(ScnParser *p, ScnLine *L)
{
    scn_line_split_equals(L, 1);
    if (L->n < 4 || !scn_tok_is(&L->tok[2], "="))
        return scn_fail_at(p, L, L->n > 1 ? L->tok[1].col : L->tok[0].col,
                           "let: expected 'let NAME = VALUE'");
    if (L->n > 4)
        return scn_fail_at(p, L, L->tok[4].col, "let: unexpected '%s' after the value (quote a value with spaces)",
                           L->tok[4].text);
    const ScnTok *name = &L->tok[1];
    if (!is_variable_name(name->text) || strlen(name->text) > SCN_NAME_MAX)
        return scn_fail_at(p, L, name->col, "let: bad variable name '%s' (letters, digits and '_')", name->text);
    if (scn_param_find(name->text))
        return scn_fail_at(p, L, name->col, "let: '%s' is a parameter; set it with '%s = VALUE'", name->text,
                           name->text);
    const char *value = L->tok[3].text;
    for (guint i = 0; i < p->sets->len; i++) {
        ScnSet *set = &g_array_index(p->sets, ScnSet, i);
        if (strcmp(set->key, name->text) == 0) {
            set->is_var = TRUE;
            value = set->value; /* the last --set of a name wins */
        }
    }
    if (!g_hash_table_contains(p->vars, name->text))
        g_ptr_array_add(p->var_names, (gpointer)scn_strdup(p->s, name->text));
    g_hash_table_replace(p->vars, g_strdup(name->text), g_strdup(value));
    return TRUE;
}

/* ---- parameters ---- */

static const char *const *param_names(gsize *n)
{
    size_t count = 0;
    const ScnParamInfo *t = scn_param_table(&count);
    const char **names = g_new(const char *, count);
    for (size_t i = 0; i < count; i++)
        names[i] = t[i].name;
    *n = count;
    return names;
}

static gboolean unknown_parameter(ScnParser *p, const ScnLine *L, const ScnTok *t)
{
    gsize n = 0;
    g_autofree const char **names = (const char **)param_names(&n);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown parameter '%s'", t->text);
    scn_append_suggestion(msg, t->text, names, n);
    return scn_fail_at(p, L, t->col, "%s", msg->str);
}

static void record_param_pos(ScnParser *p, const ScnParamInfo *info, ScnPos pos)
{
    p->s->priv->param_pos[scn_param_index(info)] = pos;
}

static gboolean parse_param(ScnParser *p, ScnLine *L)
{
    scn_line_split_equals(L, 0);
    const ScnTok *key = &L->tok[0];
    if (L->n < 2 || !scn_tok_is(&L->tok[1], "="))
        return scn_fail_at(p, L, key->col, "expected KEY = VALUE");
    const ScnParamInfo *info = scn_param_find(key->text);
    if (!info)
        return unknown_parameter(p, L, key);
    if (L->n < 3)
        return scn_fail_at(p, L, L->tok[1].col, "%s: missing value", info->name);
    g_autoptr(GString) value = g_string_new(L->tok[2].text);
    if (info->type == SCN_PARAM_LIST) {
        for (guint i = 3; i < L->n; i++)
            g_string_append_printf(value, " %s", L->tok[i].text);
    } else if (L->n > 3) {
        return scn_fail_at(p, L, L->tok[3].col, "%s: unexpected '%s' after the value", info->name,
                           L->tok[3].text);
    }
    char *msg = NULL;
    if (!scn_param_parse(p->s, info, value->str, &p->s->params, &msg))
        return scn_fail_msg(p, L, L->tok[2].col, msg);
    record_param_pos(p, info, scn_pos(L, L->tok[2].col));
    return TRUE;
}

/* ---- dispatch ---- */

typedef gboolean (*LineParser)(ScnParser *p, ScnLine *L);

typedef struct {
    const char *word;
    LineParser fn;
} Keyword;

static const Keyword keywords[] = {
    { "include", parse_include },
    { "let", parse_let },
    { "group", scn_parse_group },
    { "latency", scn_parse_latency },
    { "link", scn_parse_link },
    { "quorum.group", scn_parse_quorum_group },
    { "quorum.weight", scn_parse_quorum_weight },
    { "observer", scn_parse_observer },
    { "workload", scn_parse_workload },
    { "client", scn_parse_client },
    { "clients", scn_parse_clients },
    { "at", scn_parse_timed },
    { "after", scn_parse_timed },
    { "expect", scn_parse_timed },
    { "wait", scn_parse_timed },
};

static gboolean is_param_line(const ScnLine *L)
{
    const ScnTok *t = &L->tok[0];
    if (memchr(t->text, '=', t->bare_len))
        return TRUE;
    return L->n >= 2 && L->tok[1].bare_len > 0 && L->tok[1].text[0] == '=';
}

static gboolean unknown_keyword(ScnParser *p, const ScnLine *L)
{
    const ScnTok *t = &L->tok[0];
    if (scn_is_action_word(t->text) || (t->text[0] && t->text[strlen(t->text) - 1] == ':'))
        return scn_fail_at(p, L, t->col, "missing time before '%s' (write 'at TIME %s ...' or 'after TIME %s ...')",
                           t->text, t->text, t->text);
    if (scn_param_find(t->text))
        return scn_fail_at(p, L, t->col, "missing '=' after parameter '%s'", t->text);
    gsize np = 0;
    g_autofree const char **params = (const char **)param_names(&np);
    g_autofree const char **cands = g_new(const char *, G_N_ELEMENTS(keywords) + np);
    for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
        cands[i] = keywords[i].word;
    memcpy(cands + G_N_ELEMENTS(keywords), params, np * sizeof *cands);
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "unknown keyword '%s'", t->text);
    const char *near = scn_suggest(t->text, cands, G_N_ELEMENTS(keywords) + np);
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else
        g_string_append(msg, " (expected KEY = VALUE, include, let, group, latency, link, quorum.group, "
                              "quorum.weight, observer, workload, client, clients, at or after)");
    return scn_fail_at(p, L, t->col, "%s", msg->str);
}

static gboolean parse_line(ScnParser *p, ScnLine *L)
{
    const ScnTok *t = &L->tok[0];
    if (!t->quoted)
        for (size_t i = 0; i < G_N_ELEMENTS(keywords); i++)
            if (strcmp(t->text, keywords[i].word) == 0)
                return keywords[i].fn(p, L);
    if (is_param_line(L))
        return parse_param(p, L);
    return unknown_keyword(p, L);
}

static gboolean parse_text(ScnParser *p, const char *file, const char *text, gsize len)
{
    const char *cur = text, *end = text + len;
    guint lineno = 0;
    while (cur < end) {
        const char *nl = memchr(cur, '\n', (gsize)(end - cur));
        const char *line_end = nl ? nl : end;
        gsize n = (gsize)(line_end - cur);
        if (n > 0 && cur[n - 1] == '\r')
            n--;
        ScnLine L = { .file = file, .line = ++lineno, .seq = ++p->seq };
        gboolean ok = scn_lex_line(p, &L, cur, n);
        if (ok && L.n > 0)
            ok = parse_line(p, &L);
        scn_line_clear(&L);
        if (!ok)
            return FALSE;
        cur = nl ? nl + 1 : end;
    }
    return TRUE;
}

/* ---- --set ---- */

static gboolean parse_sets(ScnParser *p, const char *const *sets)
{
    for (gsize i = 0; sets && sets[i]; i++) {
        const char *s = sets[i];
        const char *eq = strchr(s, '=');
        gsize len = strlen(s);
        if (!g_utf8_validate(s, (gssize)len, NULL))
            return scn_fail(p, SCN_ERROR_SET, NULL, "--set: argument %" G_GSIZE_FORMAT " is not valid UTF-8", i + 1);
        for (const char *c = s; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                return scn_fail(p, SCN_ERROR_SET, NULL, "--set: control character 0x%02x in '%s'",
                                (unsigned char)*c, s);
        if (!eq || eq == s)
            return scn_fail(p, SCN_ERROR_SET, NULL, "--set '%s': expected KEY=VALUE", s);
        if (len > SCN_LINE_MAX)
            return scn_fail(p, SCN_ERROR_LIMIT, NULL, "--set: argument longer than %d bytes", SCN_LINE_MAX);
        ScnSet set = {
            .key = g_strstrip(g_strndup(s, (gsize)(eq - s))),
            .value = g_strstrip(g_strdup(eq + 1)),
            .label = g_strdup_printf("--set %s", s),
        };
        g_array_append_val(p->sets, set);
    }
    return TRUE;
}

static gboolean apply_sets(ScnParser *p)
{
    for (guint i = 0; i < p->sets->len; i++) {
        const ScnSet *set = &g_array_index(p->sets, ScnSet, i);
        if (set->is_var)
            continue;
        ScnPos pos = { .file = scn_strdup(p->s, set->label), .seq = G_MAXUINT };
        const ScnParamInfo *info = scn_param_find(set->key);
        if (!info) {
            gsize np = 0;
            g_autofree const char **params = (const char **)param_names(&np);
            g_autoptr(GPtrArray) cands = g_ptr_array_new();
            for (gsize k = 0; k < np; k++)
                g_ptr_array_add(cands, (gpointer)params[k]);
            for (guint k = 0; k < p->var_names->len; k++)
                g_ptr_array_add(cands, p->var_names->pdata[k]);
            g_autoptr(GString) msg = g_string_new(NULL);
            g_string_append_printf(msg, "--set: unknown parameter '%s'", set->key);
            const char *near = scn_suggest(set->key, (const char *const *)cands->pdata, cands->len);
            if (near)
                g_string_append_printf(msg, " (did you mean '%s'?)", near);
            else
                g_string_append(msg, " (neither a parameter nor a let variable of the scenario)");
            return scn_fail(p, SCN_ERROR_SET, NULL, "%s", msg->str);
        }
        char *msg = NULL;
        if (!scn_param_parse(p->s, info, set->value, &p->s->params, &msg)) {
            scn_fail(p, SCN_ERROR_SET, &pos, "%s", msg);
            g_free(msg);
            return FALSE;
        }
        record_param_pos(p, info, pos);
    }
    return TRUE;
}

/* ---- load ---- */

static void set_clear(gpointer data)
{
    ScnSet *s = data;
    g_free(s->key);
    g_free(s->value);
    g_free(s->label);
}

static ScnParser *parser_new(void)
{
    ScnParser *p = g_new0(ScnParser, 1);
    p->s = script_new();
    p->sets = g_array_new(FALSE, TRUE, sizeof(ScnSet));
    g_array_set_clear_func(p->sets, set_clear);
    p->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->var_names = g_ptr_array_new();
    p->stack = g_array_new(FALSE, TRUE, sizeof(ScnFrame));
    p->group_index = g_hash_table_new(g_str_hash, g_str_equal);
    p->client_index = g_hash_table_new(g_str_hash, g_str_equal);
    p->workload_index = g_hash_table_new(g_str_hash, g_str_equal);
    p->client_extra = g_array_new(FALSE, TRUE, sizeof(ScnClientExtra));
    p->base = SCN_WHEN_START;
    return p;
}

/* Frees the parser; returns its script, or NULL (and the error) if the
 * load failed. */
static ScnScript *parser_finish(ScnParser *p, GError **err)
{
    ScnScript *s = p->s;
    if (p->error) {
        g_propagate_error(err, p->error);
        scn_script_free(s);
        s = NULL;
    } else {
        script_publish(s);
    }
    g_array_free(p->sets, TRUE);
    g_hash_table_destroy(p->vars);
    g_ptr_array_free(p->var_names, TRUE);
    g_array_free(p->stack, TRUE);
    g_hash_table_destroy(p->group_index);
    g_hash_table_destroy(p->client_index);
    g_hash_table_destroy(p->workload_index);
    g_array_free(p->client_extra, TRUE);
    g_free(p);
    return s;
}

/* The steps after the text: overrides, then the checks. */
static void finish_steps(ScnParser *p)
{
    if (!p->error && apply_sets(p))
        scn_check(p);
}

ScnScript *scn_load(const char *path, const char *const *sets, GError **err)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(err == NULL || *err == NULL, NULL);
    ScnParser *p = parser_new();
    if (parse_sets(p, sets) && parse_file(p, path, NULL))
        finish_steps(p);
    return parser_finish(p, err);
}

ScnScript *scn_load_string(const char *name, const char *text, const char *const *sets, GError **err)
{
    g_return_val_if_fail(name != NULL && text != NULL, NULL);
    g_return_val_if_fail(err == NULL || *err == NULL, NULL);
    ScnParser *p = parser_new();
    gsize len = strlen(text);
    if (len > SCN_TOTAL_MAX) {
        scn_fail(p, SCN_ERROR_LIMIT, NULL, "%s: larger than %d bytes", name, SCN_TOTAL_MAX);
        return parser_finish(p, err);
    }
    if (parse_sets(p, sets)) {
        /* If name is a real file, a cycle back to it is still caught. */
        ScnFrame frame = { .name = scn_strdup(p->s, name) };
        struct stat st;
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
            frame.has_id = TRUE;
            frame.dev = st.st_dev;
            frame.ino = st.st_ino;
        }
        g_array_append_val(p->stack, frame);
        if (parse_text(p, frame.name, text, len))
            finish_steps(p);
    }
    return parser_finish(p, err);
}
