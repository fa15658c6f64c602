/* out_json.c - see out_json.h. */
#include "out_json.h"

#include "sim_trace.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void oj_init(OutJson *j, GString *s, gboolean pretty)
{
    memset(j, 0, sizeof *j);
    j->s = s;
    j->pretty = pretty;
}

void oj_escape(GString *out, const char *s)
{
    sim_json_escape(out, s); /* one escaper for every JSON zksim writes */
}

static void indent(OutJson *j)
{
    if (!j->pretty)
        return;
    g_string_append_c(j->s, '\n');
    for (int i = 0; i < j->depth; i++)
        g_string_append(j->s, "  ");
}

static void member(OutJson *j, const char *key)
{
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            g_string_append_c(j->s, ',');
        j->need_comma[j->depth] = TRUE;
        indent(j);
    }
    if (key) {
        oj_escape(j->s, key);
        g_string_append(j->s, j->pretty ? ": " : ":");
    }
}

static void open(OutJson *j, const char *key, char c)
{
    member(j, key);
    g_string_append_c(j->s, c);
    g_assert(j->depth + 1 < OUT_JSON_DEPTH);
    j->depth++;
    j->need_comma[j->depth] = FALSE;
    j->close[j->depth] = c == '{' ? '}' : ']';
}

void oj_object(OutJson *j, const char *key)
{
    open(j, key, '{');
}

void oj_array(OutJson *j, const char *key)
{
    open(j, key, '[');
}

void oj_end(OutJson *j)
{
    g_assert(j->depth > 0);
    gboolean had = j->need_comma[j->depth];
    char c = j->close[j->depth];
    j->depth--;
    if (had)
        indent(j);
    g_string_append_c(j->s, c);
}

void oj_str(OutJson *j, const char *key, const char *v)
{
    member(j, key);
    if (v)
        oj_escape(j->s, v);
    else
        g_string_append(j->s, "null");
}

void oj_int(OutJson *j, const char *key, int64_t v)
{
    member(j, key);
    g_string_append_printf(j->s, "%" G_GINT64_FORMAT, v);
}

void oj_uint(OutJson *j, const char *key, uint64_t v)
{
    member(j, key);
    g_string_append_printf(j->s, "%" G_GUINT64_FORMAT, v);
}

void oj_dbl(OutJson *j, const char *key, double v)
{
    member(j, key);
    if (!isfinite(v)) {
        g_string_append(j->s, "null");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(j->s, g_ascii_formatd(buf, sizeof buf, "%.6g", v));
}

void oj_bool(OutJson *j, const char *key, gboolean v)
{
    member(j, key);
    g_string_append(j->s, v ? "true" : "false");
}

void oj_null(OutJson *j, const char *key)
{
    member(j, key);
    g_string_append(j->s, "null");
}

/* ---- reading ----
 *
 * A recursive-descent parser over the grammar of RFC 8259, bounded in
 * depth.  Strings are decoded to UTF-8 (\u escapes, surrogate pairs
 * included); a lone surrogate or a control character in a string is an
 * error, as the RFC says. */

typedef struct OjMember {
    char *key;
    OjValue *v;
} OjMember;

struct OjValue {
    OjKind kind;
    gboolean b;
    gboolean is_int;
    int64_t i;
    double d;
    char *s;
    GPtrArray *items; /* ARRAY: OjValue *; OBJECT: OjMember * */
};

typedef struct {
    const char *p, *start, *end;
    int depth;
    GError **err;
} OjParser;

static gboolean perr(OjParser *ps, const char *what)
{
    if (ps->err && !*ps->err)
        g_set_error(ps->err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "offset %ld: %s", (long)(ps->p - ps->start), what);
    return FALSE;
}

static void skip_ws(OjParser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static void member_free(gpointer m)
{
    OjMember *x = m;
    g_free(x->key);
    oj_value_free(x->v);
    g_free(x);
}

void oj_value_free(OjValue *v)
{
    if (!v)
        return;
    g_free(v->s);
    if (v->items)
        g_ptr_array_free(v->items, TRUE);
    g_free(v);
}

static OjValue *value_new(OjKind k)
{
    OjValue *v = g_new0(OjValue, 1);
    v->kind = k;
    if (k == OJ_ARRAY)
        v->items = g_ptr_array_new_with_free_func((GDestroyNotify)oj_value_free);
    else if (k == OJ_OBJECT)
        v->items = g_ptr_array_new_with_free_func(member_free);
    return v;
}

static int hex4(const char *p)
{
    int x = 0;
    for (int k = 0; k < 4; k++) {
        int c = g_ascii_xdigit_value(p[k]);
        if (c < 0)
            return -1;
        x = x * 16 + c;
    }
    return x;
}

/* At the opening quote; on success *out is the decoded string. */
static gboolean parse_string(OjParser *ps, char **out)
{
    ps->p++;
    GString *s = g_string_new(NULL);
    while (ps->p < ps->end && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            g_string_free(s, TRUE);
            return perr(ps, "control character in a string");
        }
        if (c != '\\') {
            g_string_append_c(s, (char)c);
            ps->p++;
            continue;
        }
        if (ps->p + 1 >= ps->end)
            break;
        char e = ps->p[1];
        ps->p += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            g_string_append_c(s, e);
            break;
        case 'b':
            g_string_append_c(s, '\b');
            break;
        case 'f':
            g_string_append_c(s, '\f');
            break;
        case 'n':
            g_string_append_c(s, '\n');
            break;
        case 'r':
            g_string_append_c(s, '\r');
            break;
        case 't':
            g_string_append_c(s, '\t');
            break;
        case 'u': {
            int u = ps->end - ps->p >= 4 ? hex4(ps->p) : -1;
            if (u < 0) {
                g_string_free(s, TRUE);
                return perr(ps, "bad \\u escape");
            }
            ps->p += 4;
            gunichar ch = (gunichar)u;
            if (u >= 0xD800 && u <= 0xDBFF) {
                int lo = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' ? hex4(ps->p + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    g_string_free(s, TRUE);
                    return perr(ps, "lone surrogate in a \\u escape");
                }
                ps->p += 6;
                ch = 0x10000 + (((gunichar)u - 0xD800) << 10) + ((gunichar)lo - 0xDC00);
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                g_string_free(s, TRUE);
                return perr(ps, "lone surrogate in a \\u escape");
            }
            g_string_append_unichar(s, ch);
            break;
        }
        default:
            g_string_free(s, TRUE);
            return perr(ps, "bad escape in a string");
        }
    }
    if (ps->p >= ps->end) {
        g_string_free(s, TRUE);
        return perr(ps, "unterminated string");
    }
    ps->p++;
    *out = g_string_free(s, FALSE);
    return TRUE;
}

static gboolean parse_number(OjParser *ps, OjValue **out)
{
    const char *b = ps->p, *p = ps->p;
    gboolean integral = TRUE;
    if (p < ps->end && *p == '-')
        p++;
    if (p >= ps->end || !g_ascii_isdigit(*p))
        return perr(ps, "bad number");
    if (*p == '0')
        p++;
    else
        while (p < ps->end && g_ascii_isdigit(*p))
            p++;
    if (p < ps->end && *p == '.') {
        integral = FALSE;
        p++;
        if (p >= ps->end || !g_ascii_isdigit(*p))
            return perr(ps, "bad number: digits expected after '.'");
        while (p < ps->end && g_ascii_isdigit(*p))
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        integral = FALSE;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= ps->end || !g_ascii_isdigit(*p))
            return perr(ps, "bad number: digits expected in the exponent");
        while (p < ps->end && g_ascii_isdigit(*p))
            p++;
    }
    char buf[64];
    size_t n = (size_t)(p - b);
    g_autofree char *big = n >= sizeof buf ? g_strndup(b, n) : NULL;
    char *txt = big ? big : buf;
    if (!big) {
        memcpy(buf, b, n);
        buf[n] = 0;
    }
    OjValue *v = value_new(OJ_NUMBER);
    v->d = g_ascii_strtod(txt, NULL);
    if (integral) {
        errno = 0;
        gint64 x = g_ascii_strtoll(txt, NULL, 10);
        if (errno == 0) {
            v->is_int = TRUE;
            v->i = x;
        }
    }
    ps->p = p;
    *out = v;
    return TRUE;
}

static gboolean literal(OjParser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return perr(ps, "unexpected character");
    ps->p += n;
    return TRUE;
}

static gboolean parse_value(OjParser *ps, OjValue **out);

static gboolean parse_array(OjParser *ps, OjValue **out)
{
    OjValue *v = value_new(OJ_ARRAY);
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        *out = v;
        return TRUE;
    }
    for (;;) {
        OjValue *x = NULL;
        if (!parse_value(ps, &x))
            goto fail;
        g_ptr_array_add(v->items, x);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            *out = v;
            return TRUE;
        }
        perr(ps, "expected ',' or ']'");
        goto fail;
    }
fail:
    oj_value_free(v);
    return FALSE;
}

static gboolean parse_object(OjParser *ps, OjValue **out)
{
    OjValue *v = value_new(OJ_OBJECT);
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        *out = v;
        return TRUE;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            perr(ps, "expected a member name");
            goto fail;
        }
        char *key = NULL;
        if (!parse_string(ps, &key))
            goto fail;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            g_free(key);
            perr(ps, "expected ':'");
            goto fail;
        }
        ps->p++;
        OjValue *x = NULL;
        if (!parse_value(ps, &x)) {
            g_free(key);
            goto fail;
        }
        OjMember *m = g_new(OjMember, 1);
        m->key = key;
        m->v = x;
        g_ptr_array_add(v->items, m);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            *out = v;
            return TRUE;
        }
        perr(ps, "expected ',' or '}'");
        goto fail;
    }
fail:
    oj_value_free(v);
    return FALSE;
}

static gboolean parse_value(OjParser *ps, OjValue **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return perr(ps, "unexpected end of text");
    if (ps->depth >= OJ_PARSE_DEPTH_MAX)
        return perr(ps, "nested too deep");
    gboolean ok;
    ps->depth++;
    switch (*ps->p) {
    case '{':
        ok = parse_object(ps, out);
        break;
    case '[':
        ok = parse_array(ps, out);
        break;
    case '"': {
        char *s = NULL;
        ok = parse_string(ps, &s);
        if (ok) {
            *out = value_new(OJ_STRING);
            (*out)->s = s;
        }
        break;
    }
    case 't':
    case 'f': {
        gboolean truth = *ps->p == 't';
        ok = literal(ps, truth ? "true" : "false");
        if (ok) {
            *out = value_new(OJ_BOOL);
            (*out)->b = truth;
        }
        break;
    }
    case 'n':
        ok = literal(ps, "null");
        if (ok)
            *out = value_new(OJ_NULL);
        break;
    default:
        ok = parse_number(ps, out);
        break;
    }
    ps->depth--;
    return ok;
}

OjValue *oj_parse(const char *text, gssize len, GError **err)
{
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    OjParser ps = { .p = text, .start = text, .end = text + n, .err = err };
    OjValue *v = NULL;
    if (!parse_value(&ps, &v))
        return NULL;
    skip_ws(&ps);
    if (ps.p != ps.end) {
        oj_value_free(v);
        perr(&ps, "text after the value");
        return NULL;
    }
    return v;
}

OjKind oj_kind(const OjValue *v)
{
    return v ? v->kind : OJ_NULL;
}

const OjValue *oj_get(const OjValue *obj, const char *key)
{
    if (!obj || obj->kind != OJ_OBJECT)
        return NULL;
    for (guint i = 0; i < obj->items->len; i++) {
        const OjMember *m = g_ptr_array_index(obj->items, i);
        if (strcmp(m->key, key) == 0)
            return m->v;
    }
    return NULL;
}

const OjValue *oj_path(const OjValue *v, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    for (char **p = parts; *p && v; p++)
        v = oj_get(v, *p);
    return v;
}

guint oj_len(const OjValue *v)
{
    return v && v->items ? v->items->len : 0;
}

const OjValue *oj_at(const OjValue *v, guint i)
{
    if (!v || !v->items || i >= v->items->len)
        return NULL;
    if (v->kind == OJ_OBJECT)
        return ((const OjMember *)g_ptr_array_index(v->items, i))->v;
    return g_ptr_array_index(v->items, i);
}

const char *oj_key_at(const OjValue *obj, guint i)
{
    if (!obj || obj->kind != OJ_OBJECT || i >= obj->items->len)
        return NULL;
    return ((const OjMember *)g_ptr_array_index(obj->items, i))->key;
}

gboolean oj_is_int(const OjValue *v)
{
    return v && v->kind == OJ_NUMBER && v->is_int;
}

int64_t oj_int_or(const OjValue *v, int64_t def)
{
    if (!v || v->kind != OJ_NUMBER)
        return def;
    return v->is_int ? v->i : (int64_t)v->d;
}

double oj_num_or(const OjValue *v, double def)
{
    if (!v || v->kind != OJ_NUMBER)
        return def;
    return v->is_int ? (double)v->i : v->d;
}

const char *oj_str_or(const OjValue *v, const char *def)
{
    return v && v->kind == OJ_STRING ? v->s : def;
}

gboolean oj_bool_or(const OjValue *v, gboolean def)
{
    return v && v->kind == OJ_BOOL ? v->b : def;
}
