/* out_event.c - see out_event.h. */
#include "out_event.h"

#include <inttypes.h>
#include <string.h>

static const char *const ev_names[] = {
#define OUT_X(id) #id,
    OUT_EV_LIST(OUT_X)
#undef OUT_X
        "OTHER",
};

const char *out_ev_name(OutEvType t)
{
    g_assert((int)t >= 0 && t < OUT_EV_COUNT);
    return ev_names[t];
}

/* Other spellings of the same events. */
static const struct {
    const char *name;
    OutEvType type;
} aliases[] = {
    { "CLIENT_CONNECTED", OUT_EV_CONNECT },
    { "CLIENT_DISCONNECTED", OUT_EV_DISCONNECT },
};

OutEvType out_ev_type_of(const char *name)
{
    for (int t = 0; t < OUT_EV_OTHER; t++)
        if (strcmp(name, ev_names[t]) == 0)
            return (OutEvType)t;
    for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++)
        if (strcmp(name, aliases[i].name) == 0)
            return aliases[i].type;
    return OUT_EV_OTHER;
}

int out_ev_type_int(const char *name)
{
    return (int)out_ev_type_of(name);
}

gboolean out_ev_is_role(OutEvType t)
{
    return t == OUT_EV_LOOKING || t == OUT_EV_FOLLOWING || t == OUT_EV_LEADING || t == OUT_EV_OBSERVING;
}

gboolean out_ev_is_fault(OutEvType t)
{
    switch (t) {
    case OUT_EV_CRASH:
    case OUT_EV_RESTART:
    case OUT_EV_PAUSE:
    case OUT_EV_RESUME:
    case OUT_EV_PARTITION:
    case OUT_EV_HEAL:
    case OUT_EV_LINK_SET:
    case OUT_EV_DISK_SLOW:
    case OUT_EV_CLOCK_DRIFT:
    case OUT_EV_CLOCK_JUMP:
    case OUT_EV_CONN_BREAK:
    case OUT_EV_MSG_FILTER:
        return TRUE;
    default:
        return FALSE;
    }
}

int64_t out_ev_int(const SimTraceEvent *ev, const char *key, int64_t def)
{
    const SimField *f = sim_trace_field(ev, key);
    if (!f)
        return def;
    switch (f->kind) {
    case SIM_F_INT:
    case SIM_F_TIME:
    case SIM_F_BOOL:
    case SIM_F_NODE:
        return f->v.i;
    case SIM_F_UINT:
    case SIM_F_HEX:
        return (int64_t)f->v.u;
    case SIM_F_DBL:
        return (int64_t)f->v.d;
    case SIM_F_STR:
        break;
    }
    return def;
}

const char *out_ev_str(const SimTraceEvent *ev, const char *key, const char *def)
{
    const SimField *f = sim_trace_field(ev, key);
    return f && f->kind == SIM_F_STR && f->v.s ? f->v.s : def;
}

gboolean out_ev_has(const SimTraceEvent *ev, const char *key)
{
    return sim_trace_field(ev, key) != NULL;
}

void out_ev_format_fields(const Sim *sim, const SimTraceEvent *ev, GString *out)
{
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i)
            g_string_append_c(out, ' ');
        g_string_append(out, ev->fields[i].key);
        g_string_append_c(out, '=');
        sim_trace_format_value(sim, &ev->fields[i], TRUE, out);
    }
}

int out_server_sid(const char *name)
{
    if (!name || name[0] != 's' || !g_ascii_isdigit(name[1]) || name[1] == '0')
        return 0;
    int sid = 0;
    for (const char *p = name + 1; *p; p++) {
        if (!g_ascii_isdigit(*p) || sid > 100000)
            return 0;
        sid = sid * 10 + (*p - '0');
    }
    return sid;
}

/* ---- operations ---- */

static const char *const read_ops[] = {
    "getData", "exists", "getChildren", "getChildren2", "getACL", "getAllChildrenNumber", "getEphemerals",
    "multiRead", "get", "ls", "stat", "getConfig",
};
static const char *const write_ops[] = {
    "create", "create2", "createContainer", "createTTL", "delete", "deleteContainer", "setData", "setACL",
    "multi", "reconfig", "set", "deleteall", "check",
};

OutOpClass out_op_class(const char *op)
{
    /* Runs for every finished operation: the first letter settles most
     * comparisons without a call. */
    for (size_t i = 0; i < G_N_ELEMENTS(read_ops); i++)
        if (op[0] == read_ops[i][0] && strcmp(op, read_ops[i]) == 0)
            return OUT_OP_READ;
    for (size_t i = 0; i < G_N_ELEMENTS(write_ops); i++)
        if (op[0] == write_ops[i][0] && strcmp(op, write_ops[i]) == 0)
            return OUT_OP_WRITE;
    return OUT_OP_OTHER;
}

const char *out_op_class_name(OutOpClass c)
{
    switch (c) {
    case OUT_OP_READ:
        return "read";
    case OUT_OP_WRITE:
        return "write";
    case OUT_OP_OTHER:
        return "other";
    }
    return "other";
}

gboolean out_err_is_connection(const char *err)
{
    static const char *const names[] = {
        "ConnectionLoss", "SessionExpired", "OperationTimeout", "SessionMoved", "-4", "-112", "-7", "-118",
    };
    char c = g_ascii_tolower(err[0]);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (g_ascii_tolower(names[i][0]) == c && g_ascii_strcasecmp(err, names[i]) == 0)
            return TRUE;
    return FALSE;
}

const char *out_ev_err(const SimTraceEvent *ev, char *buf, size_t len)
{
    const SimField *f = sim_trace_field(ev, "err");
    if (!f)
        return "Ok";
    if (f->kind == SIM_F_STR)
        return f->v.s ? f->v.s : "Ok";
    if (f->kind == SIM_F_INT && f->v.i == 0)
        return "Ok";
    g_snprintf(buf, len, "%" PRId64, out_ev_int(ev, "err", 0));
    return buf;
}
