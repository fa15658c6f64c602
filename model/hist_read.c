/* hist_read.c - the history checker's two readers: a trace callback on a
 * running Sim, and timeline.jsonl lines.  Both turn an event into a
 * HistEv and hand it to the rules (hist.c); neither knows a rule. */
#include "hist_int.h"
#include "out_json.h"
#include "sim_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

HistEvKind hist_ev_kind(const char *type)
{
    /* Most events are not ours: one character rules them out. */
    if (!type || (type[0] != 'O' && type[0] != 'W' && type[0] != 'C' && type[0] != 'S'))
        return HIST_EV_OTHER;
#define HIST_X(id)                                                                                 \
    if (strcmp(type, #id) == 0)                                                                    \
        return HIST_EV_##id;
    HIST_EV_LIST(HIST_X)
#undef HIST_X
    return HIST_EV_OTHER;
}

/* "0x1f" (as the timeline writes zxids) or a plain number. */
static gboolean parse_zxid(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return FALSE;
    char *end = NULL;
    errno = 0;
    uint64_t v = g_ascii_strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
    if (errno || !end || *end)
        return FALSE;
    *out = v;
    return TRUE;
}

/* ---- live: a trace callback ---- */

static void on_trace(Sim *sim, const SimTraceEvent *tev, void *user)
{
    HistEvKind kind = hist_ev_kind_of(user, tev);
    if (kind == HIST_EV_OTHER)
        return;
    HistEv ev = { .kind = kind, .line = tev->index + 1, .t = tev->time, .node = sim_node_name(sim, tev->node) };
    for (size_t i = 0; i < tev->nfields; i++) {
        const SimField *f = &tev->fields[i];
        const char *k = f->key;
        /* The first letter picks the one or two keys worth comparing. */
        switch (k[0]) {
        case 'o':
            if (strcmp(k, "op") == 0)
                ev.op = f->v.s;
            break;
        case 'p':
            if (strcmp(k, "path") == 0)
                ev.path = f->v.s;
            break;
        case 'e':
            if (strcmp(k, "err") == 0)
                ev.err = f->v.s;
            else if (strcmp(k, "event") == 0)
                ev.event = f->v.s;
            break;
        case 'k':
            if (strcmp(k, "kind") == 0)
                ev.wkind = f->v.s;
            break;
        case 'c':
            if (strcmp(k, "client") == 0)
                ev.client = f->kind == SIM_F_NODE ? sim_node_name(sim, (int)f->v.i) : f->v.s;
            break;
        case 'x':
            if (strcmp(k, "xid") == 0)
                ev.xid = f->v.i;
            break;
        case 'z':
            if (strcmp(k, "zxid") == 0) {
                ev.zxid = f->v.u;
                ev.has_zxid = TRUE;
            }
            break;
        case 's':
            if (strcmp(k, "server") == 0)
                ev.server = f->v.i;
            else if (strcmp(k, "stale_txns") == 0)
                ev.is_read = TRUE;
            break;
        default:
            break;
        }
    }
    hist_feed(user, &ev);
}

static gboolean wants(const char *type, void *user)
{
    (void)user;
    return hist_ev_kind(type) != HIST_EV_OTHER;
}

void hist_attach(Hist *h, Sim *sim)
{
    sim_trace_add_callback_for(sim, on_trace, wants, h);
}

/* ---- from text: timeline.jsonl ---- */

gboolean hist_feed_json(Hist *h, const char *text, gssize len, uint64_t line, GError **err)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(OjValue) v = oj_parse(text, len, &e);
    if (!v || oj_kind(v) != OJ_OBJECT) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT ": not a timeline event: %s",
                    hist_name(h), line, e ? e->message : "not an object");
        return FALSE;
    }
    const OjValue *type = oj_get(v, "type"), *node = oj_get(v, "node"), *t = oj_get(v, "t");
    if (oj_kind(type) != OJ_STRING || oj_kind(node) != OJ_STRING || !oj_is_int(t)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%" G_GUINT64_FORMAT ": not a timeline event: expected \"t\", \"node\" and \"type\"",
                    hist_name(h), line);
        return FALSE;
    }
    HistEvKind kind = hist_ev_kind(oj_str_or(type, NULL));
    if (kind == HIST_EV_OTHER)
        return TRUE;
    HistEv ev = {
        .kind = kind,
        .line = line,
        .t = oj_int_or(t, 0),
        .node = oj_str_or(node, ""),
        .op = oj_str_or(oj_get(v, "op"), NULL),
        .path = oj_str_or(oj_get(v, "path"), NULL),
        .err = oj_str_or(oj_get(v, "err"), NULL),
        .event = oj_str_or(oj_get(v, "event"), NULL),
        .wkind = oj_str_or(oj_get(v, "kind"), NULL),
        .client = oj_str_or(oj_get(v, "client"), NULL),
        .xid = oj_int_or(oj_get(v, "xid"), 0),
        .server = oj_int_or(oj_get(v, "server"), 0),
        .is_read = oj_get(v, "stale_txns") != NULL,
    };
    const OjValue *z = oj_get(v, "zxid");
    if (z) {
        if (oj_is_int(z)) {
            ev.zxid = (uint64_t)oj_int_or(z, 0);
            ev.has_zxid = TRUE;
        } else if (!(ev.has_zxid = parse_zxid(oj_str_or(z, NULL), &ev.zxid))) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT ": bad zxid", hist_name(h),
                        line);
            return FALSE;
        }
    }
    hist_feed(h, &ev);
    return TRUE;
}

gboolean hist_load_file(Hist *h, const char *path, GError **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    hist_set_name(h, path);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t line = 0;
    gboolean ok = TRUE;
    while (ok && (n = getline(&buf, &cap, f)) > 0) {
        line++;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        buf[n] = 0;
        /* Parse only what the rules read: the type is the third member. */
        const char *ty = strstr(buf, "\"type\":\"");
        if (ty) {
            char name[32];
            size_t k = 0;
            for (ty += 8; *ty && *ty != '"' && k + 1 < sizeof name; ty++)
                name[k++] = *ty;
            name[k] = 0;
            if (hist_ev_kind(name) == HIST_EV_OTHER)
                continue;
        }
        ok = hist_feed_json(h, buf, n, line, err);
    }
    free(buf);
    fclose(f);
    return ok;
}
