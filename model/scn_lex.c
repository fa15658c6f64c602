/* scn_lex.c - from one raw line of a scenario to its tokens.
 *
 * A line goes through four steps, each with its own error:
 *   1. limits: at most SCN_LINE_MAX bytes, valid UTF-8, no control
 *      characters but tab (so every later step sees printable text and a
 *      canonical reproducer can always be written back);
 *   2. the comment is cut: `#` outside double quotes;
 *   3. variables are expanded: $NAME, ${NAME}, and $$ for a '$'.  The
 *      value is inserted as text and not scanned again, so expansion
 *      cannot loop; each inserted byte remembers the column of its '$';
 *   4. tokens are split at blanks outside quotes and parentheses (so
 *      `uniform(1ms, 3ms)` is one token); quotes are removed, with \" and
 *      \\ as the only escapes.
 *
 * Every token byte keeps its source column, so an error can point into
 * the middle of a token ("servers=s1,s9" points at s9).
 *
 * Suggestions ("did you mean") use the optimal string alignment distance
 * (Levenshtein plus adjacent transpositions, case-insensitive), computed
 * only within a band of the largest distance worth suggesting, so even a
 * hundred thousand candidate client names cost little.
 */
#include "scn_internal.h"

#include <stdarg.h>
#include <string.h>

/* ---- errors ---- */

GQuark scn_error_quark(void)
{
    return g_quark_from_static_string("scn-error-quark");
}

void scn_pos_append(GString *out, const ScnPos *pos)
{
    if (pos->line > 0)
        g_string_append_printf(out, "%s:%u", pos->file, pos->line);
    else
        g_string_append(out, pos->file);
}

static gboolean fail_valist(ScnParser *p, ScnErrorCode code, const ScnPos *pos, const char *fmt, va_list ap)
    G_GNUC_PRINTF(4, 0);

static gboolean fail_valist(ScnParser *p, ScnErrorCode code, const ScnPos *pos, const char *fmt, va_list ap)
{
    if (p->error)
        return FALSE; /* the first error stands */
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    if (pos == NULL)
        p->error = g_error_new(SCN_ERROR, code, "%s", msg);
    else if (pos->line > 0)
        p->error = g_error_new(SCN_ERROR, code, "%s:%u:%u: %s", pos->file, pos->line, pos->col, msg);
    else
        p->error = g_error_new(SCN_ERROR, code, "%s: %s", pos->file, msg);
    return FALSE;
}

gboolean scn_fail(ScnParser *p, ScnErrorCode code, const ScnPos *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_valist(p, code, pos, fmt, ap);
    va_end(ap);
    return FALSE;
}

ScnPos scn_pos(const ScnLine *L, guint col)
{
    return (ScnPos){ .file = L->file, .line = L->line, .col = col, .seq = L->seq };
}

gboolean scn_fail_at(ScnParser *p, const ScnLine *L, guint col, const char *fmt, ...)
{
    ScnPos pos = scn_pos(L, col);
    va_list ap;
    va_start(ap, fmt);
    fail_valist(p, SCN_ERROR_SYNTAX, &pos, fmt, ap);
    va_end(ap);
    return FALSE;
}

gboolean scn_fail_msg(ScnParser *p, const ScnLine *L, guint col, char *msg)
{
    scn_fail_at(p, L, col, "%s", msg);
    g_free(msg);
    return FALSE;
}

/* ---- names ---- */

gboolean scn_is_identifier(const char *s)
{
    if (!g_ascii_isalpha(*s) && *s != '_')
        return FALSE;
    for (s++; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
            return FALSE;
    return TRUE;
}

gboolean scn_is_server_like(const char *s)
{
    if (s[0] != 's' || !g_ascii_isdigit(s[1]))
        return FALSE;
    for (s++; *s; s++)
        if (!g_ascii_isdigit(*s))
            return FALSE;
    return TRUE;
}

gboolean scn_tok_is(const ScnTok *t, const char *word)
{
    return !t->quoted && strcmp(t->text, word) == 0;
}

guint scn_tok_col(const ScnTok *t, gsize i)
{
    gsize len = strlen(t->text);
    return t->cols[MIN(i, len)];
}

/* ---- suggestions ---- */

/* Words longer than this get no suggestion (and cost nothing). */
#define SUGGEST_LEN_MAX 64

static guint max_distance(gsize len)
{
    if (len <= 2)
        return 0;
    if (len <= 4)
        return 1;
    if (len <= 8)
        return 2;
    return 3;
}

/* Optimal string alignment distance of a and b (lower-cased), or k + 1
 * if it exceeds k.  Cells farther than k from the diagonal are never
 * needed for a result <= k, so they are treated as infinite. */
static guint osa_distance(const char *a, gsize n, const char *b, gsize m, guint k)
{
    if ((n > m ? n - m : m - n) > k)
        return k + 1;
    enum { W = SUGGEST_LEN_MAX + 1 };
    guint rows[3][W];
    const guint inf = k + 1;
    guint *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (gsize j = 0; j <= m; j++)
        prev[j] = j <= k ? (guint)j : inf;
    for (gsize i = 1; i <= n; i++) {
        guint best = inf;
        for (gsize j = 0; j <= m; j++) {
            gsize lo = i > k ? i - k : 0;
            if (j < lo || j > i + k) {
                cur[j] = inf;
                continue;
            }
            if (j == 0) {
                cur[j] = (guint)i;
            } else {
                guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
                guint v = MIN(prev[j] + 1, cur[j - 1] + 1);
                v = MIN(v, prev[j - 1] + cost);
                if (i > 1 && j > 1 && g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 2]) &&
                    g_ascii_tolower(a[i - 2]) == g_ascii_tolower(b[j - 1]))
                    v = MIN(v, prev2[j - 2] + 1);
                cur[j] = MIN(v, inf);
            }
            best = MIN(best, cur[j]);
        }
        if (best > k)
            return k + 1;
        guint *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return MIN(prev[m], inf);
}

const char *scn_suggest(const char *word, const char *const *cands, gsize n)
{
    gsize len = strlen(word);
    if (len == 0 || len > SUGGEST_LEN_MAX)
        return NULL;
    const char *best = NULL;
    guint best_d = max_distance(len) + 1;
    for (gsize i = 0; i < n; i++) {
        const char *c = cands[i];
        if (!c)
            continue;
        /* "loss" for "net.loss": the part after the last dot. */
        const char *dot = strrchr(c, '.');
        if (dot && g_ascii_strcasecmp(dot + 1, word) == 0 && best_d > 0) {
            best = c;
            best_d = 0;
            continue;
        }
        gsize clen = strlen(c);
        if (clen > SUGGEST_LEN_MAX || strcmp(c, word) == 0)
            continue;
        guint d = osa_distance(word, len, c, clen, best_d - 1);
        if (d < best_d && d < clen) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

void scn_append_suggestion(GString *msg, const char *word, const char *const *cands, gsize n)
{
    const char *near = scn_suggest(word, cands, n);
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
}

/* ---- step 1: limits ---- */

static gboolean check_bytes(ScnParser *p, const ScnLine *L, const char *raw, gsize len)
{
    if (len > SCN_LINE_MAX) {
        ScnPos pos = scn_pos(L, 1);
        return scn_fail(p, SCN_ERROR_LIMIT, &pos, "line longer than %d bytes", SCN_LINE_MAX);
    }
    for (gsize i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return scn_fail_at(p, L, (guint)i + 1, "control character 0x%02x in the line", c);
    }
    const char *end = NULL;
    if (!g_utf8_validate_len(raw, len, &end))
        return scn_fail_at(p, L, (guint)(end - raw) + 1, "invalid UTF-8");
    return TRUE;
}

/* ---- step 2: comments ---- */

static gsize cut_comment(const char *raw, gsize len)
{
    gboolean quoted = FALSE;
    for (gsize i = 0; i < len; i++) {
        if (quoted && raw[i] == '\\' && i + 1 < len) {
            i++;
            continue;
        }
        if (raw[i] == '"')
            quoted = !quoted;
        else if (raw[i] == '#' && !quoted)
            return i;
    }
    return len;
}

/* ---- step 3: variables ---- */

static gsize identifier_len(const char *s, gsize avail)
{
    if (avail == 0 || (!g_ascii_isalpha(s[0]) && s[0] != '_'))
        return 0;
    gsize n = 1;
    while (n < avail && (g_ascii_isalnum(s[n]) || s[n] == '_'))
        n++;
    return n;
}

static gboolean undefined_variable(ScnParser *p, const ScnLine *L, guint col, const char *name)
{
    g_autoptr(GString) msg = g_string_new(NULL);
    g_string_append_printf(msg, "undefined variable '%s'", name);
    const char *near = scn_suggest(name, (const char *const *)p->var_names->pdata, p->var_names->len);
    if (near)
        g_string_append_printf(msg, " (did you mean '%s'?)", near);
    else
        g_string_append_printf(msg, " (define it above with 'let %s = VALUE')", name);
    return scn_fail_at(p, L, col, "%s", msg->str);
}

static gboolean expand(ScnParser *p, const ScnLine *L, const char *raw, gsize len, GString *out, GArray *cols)
{
    for (gsize i = 0; i < len;) {
        guint col = (guint)i + 1;
        if (raw[i] != '$') {
            g_string_append_c(out, raw[i]);
            g_array_append_val(cols, col);
            i++;
            continue;
        }
        if (i + 1 < len && raw[i + 1] == '$') {
            g_string_append_c(out, '$');
            g_array_append_val(cols, col);
            i += 2;
            continue;
        }
        gsize start, nlen, next;
        if (i + 1 < len && raw[i + 1] == '{') {
            start = i + 2;
            const char *close = memchr(raw + start, '}', len - start);
            if (!close)
                return scn_fail_at(p, L, col, "unterminated '${' (missing '}')");
            nlen = (gsize)(close - (raw + start));
            if (nlen == 0 || identifier_len(raw + start, nlen) != nlen)
                return scn_fail_at(p, L, col, "bad variable name in '${%.*s}'", (int)nlen, raw + start);
            next = start + nlen + 1;
        } else {
            start = i + 1;
            nlen = identifier_len(raw + start, len - start);
            if (nlen == 0)
                return scn_fail_at(p, L, col, "expected a variable name after '$' (write $$ for a '$')");
            next = start + nlen;
        }
        g_autofree char *name = g_strndup(raw + start, nlen);
        const char *value = g_hash_table_lookup(p->vars, name);
        if (!value)
            return undefined_variable(p, L, col, name);
        g_string_append(out, value);
        for (const char *v = value; *v; v++)
            g_array_append_val(cols, col);
        if (out->len > SCN_LINE_MAX) {
            ScnPos pos = scn_pos(L, col);
            return scn_fail(p, SCN_ERROR_LIMIT, &pos, "line longer than %d bytes after variable expansion",
                            SCN_LINE_MAX);
        }
        i = next;
    }
    return TRUE;
}

/* ---- step 4: tokens ---- */

static gboolean read_quoted(ScnParser *p, const ScnLine *L, const GString *s, const guint *cols, gsize *i,
                            GString *text, GArray *tcols)
{
    guint open_col = cols[*i];
    gsize j = *i + 1;
    for (;;) {
        if (j >= s->len)
            return scn_fail_at(p, L, open_col, "unterminated string (missing closing '\"')");
        char c = s->str[j];
        if (c == '"')
            break;
        if (c == '\\') {
            if (j + 1 >= s->len)
                return scn_fail_at(p, L, open_col, "unterminated string (missing closing '\"')");
            char e = s->str[j + 1];
            if (e != '"' && e != '\\')
                return scn_fail_at(p, L, cols[j], "unknown escape '\\%c' in a string (only \\\" and \\\\)", e);
            g_string_append_c(text, e);
            g_array_append_val(tcols, cols[j]);
            j += 2;
            continue;
        }
        g_string_append_c(text, c);
        g_array_append_val(tcols, cols[j]);
        j++;
    }
    *i = j + 1;
    return TRUE;
}

static gboolean tokenize(ScnParser *p, ScnLine *L, const GString *s, const guint *cols)
{
    GArray *toks = g_array_new(FALSE, TRUE, sizeof(ScnTok));
    gboolean ok = TRUE;
    gsize i = 0;
    while (ok) {
        while (i < s->len && (s->str[i] == ' ' || s->str[i] == '\t'))
            i++;
        if (i >= s->len)
            break;
        ScnTok t = { .col = cols[i] };
        GString *text = g_string_new(NULL);
        GArray *tcols = g_array_new(FALSE, FALSE, sizeof(guint));
        int depth = 0;
        while (i < s->len) {
            char c = s->str[i];
            if (c == '"') {
                if (!t.quoted)
                    t.bare_len = text->len;
                t.quoted = TRUE;
                if (!(ok = read_quoted(p, L, s, cols, &i, text, tcols)))
                    break;
                continue;
            }
            if (depth == 0 && (c == ' ' || c == '\t'))
                break;
            if (c == '(')
                depth++;
            else if (c == ')' && depth > 0)
                depth--;
            g_string_append_c(text, c);
            g_array_append_val(tcols, cols[i]);
            i++;
        }
        if (!t.quoted)
            t.bare_len = text->len;
        guint end_col = i < s->len ? cols[i] : (tcols->len ? g_array_index(tcols, guint, tcols->len - 1) + 1 : t.col);
        g_array_append_val(tcols, end_col);
        t.text = g_string_free(text, FALSE);
        t.cols = (guint *)(void *)g_array_free(tcols, FALSE);
        g_array_append_val(toks, t);
    }
    L->n = toks->len;
    L->tok = (ScnTok *)(void *)g_array_free(toks, FALSE);
    return ok;
}

void scn_line_clear(ScnLine *L)
{
    for (guint i = 0; i < L->n; i++) {
        g_free(L->tok[i].text);
        g_free(L->tok[i].cols);
    }
    g_free(L->tok);
    L->tok = NULL;
    L->n = 0;
}

gboolean scn_lex_line(ScnParser *p, ScnLine *L, const char *raw, gsize len)
{
    L->tok = NULL;
    L->n = 0;
    if (!check_bytes(p, L, raw, len))
        return FALSE;
    len = cut_comment(raw, len);
    g_autoptr(GString) s = g_string_sized_new(len);
    g_autoptr(GArray) cols = g_array_sized_new(FALSE, FALSE, sizeof(guint), (guint)len);
    if (!expand(p, L, raw, len, s, cols))
        return FALSE;
    p->expanded_bytes += s->len + 1;
    if (p->expanded_bytes > SCN_TOTAL_MAX) {
        ScnPos pos = scn_pos(L, 1);
        return scn_fail(p, SCN_ERROR_LIMIT, &pos, "more than %d bytes of scenario text after variable expansion",
                        SCN_TOTAL_MAX);
    }
    return tokenize(p, L, s, (const guint *)(void *)cols->data);
}

/* ---- '=' glued to a neighbour ---- */

static ScnTok tok_piece(const ScnTok *t, gsize from, gsize to)
{
    ScnTok r = { .quoted = t->quoted && to > t->bare_len };
    r.bare_len = t->bare_len > from ? MIN(t->bare_len, to) - from : 0;
    r.text = g_strndup(t->text + from, to - from);
    r.cols = g_new(guint, to - from + 1);
    for (gsize k = from; k <= to; k++)
        r.cols[k - from] = t->cols[k];
    r.col = r.cols[0];
    return r;
}

/* Replaces token i by the pieces [0, eq), "=", (eq, len) of its text. */
static void split_token(ScnLine *L, guint i, gsize eq)
{
    ScnTok *t = &L->tok[i];
    gsize len = strlen(t->text);
    ScnTok pieces[3];
    guint np = 0;
    if (eq > 0)
        pieces[np++] = tok_piece(t, 0, eq);
    pieces[np++] = tok_piece(t, eq, eq + 1);
    if (eq + 1 < len)
        pieces[np++] = tok_piece(t, eq + 1, len);
    g_free(t->text);
    g_free(t->cols);
    ScnTok *v = g_new(ScnTok, L->n + np - 1);
    memcpy(v, L->tok, i * sizeof *v);
    memcpy(v + i, pieces, np * sizeof *v);
    memcpy(v + i + np, L->tok + i + 1, (L->n - i - 1) * sizeof *v);
    g_free(L->tok);
    L->tok = v;
    L->n += np - 1;
}

/* Offset of the first '=' outside quotes in t, or -1. */
static gssize bare_equals(const ScnTok *t)
{
    const char *eq = memchr(t->text, '=', t->bare_len);
    return eq ? (gssize)(eq - t->text) : -1;
}

void scn_line_split_equals(ScnLine *L, guint i)
{
    if (i >= L->n)
        return;
    gssize eq = bare_equals(&L->tok[i]);
    if (eq >= 0) {
        if (!scn_tok_is(&L->tok[i], "="))
            split_token(L, i, (gsize)eq);
        return;
    }
    if (i + 1 < L->n && bare_equals(&L->tok[i + 1]) == 0 && !scn_tok_is(&L->tok[i + 1], "="))
        split_token(L, i + 1, 0);
}
