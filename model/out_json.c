/* out_json.c - see out_json.h. */
#include "out_json.h"

#include <string.h>

#include <math.h>

void oj_init(OutJson *j, GString *s, gboolean pretty)
{
    memset(j, 0, sizeof *j);
    j->s = s;
    j->pretty = pretty;
}

void oj_escape(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
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
