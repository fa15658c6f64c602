/* scn_params.c - the scenario parameters and the parsers of every value.
 *
 * One const table describes each parameter: name, type, default (as
 * text), one line of documentation, where it lives in ScnParams and its
 * range.  The defaults are produced by parsing the default text, so the
 * table cannot document one value and use another.  The value parsers
 * here also serve the rest of the language (durations of actions, sizes
 * of workloads...), so a duration is spelled and checked the same way
 * everywhere, and every message names what was being parsed.
 *
 * Numbers are exact: integers are parsed digit by digit with overflow
 * checks, sizes and bandwidths in integer arithmetic, floats with
 * g_ascii_strtod (locale-independent) and must be finite.
 */
#include "scn_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the table ---- */

static const char *const quorum_choices[] = { "majority", "hierarchical", NULL };
static const char *const disk_mode_choices[] = { "serial", "concurrent", NULL };
static const char *const placement_choices[] = { "shuffle", "roundrobin", NULL };

G_STATIC_ASSERT(sizeof(ScnQuorumKind) == sizeof(int));
G_STATIC_ASSERT(sizeof(ScnDiskMode) == sizeof(int));

#define OFF(field) offsetof(ScnParams, field)
#define T_MAX SCN_TIME_LIMIT
#define BPS_MAX UINT64_C(10000000000000) /* 10 TB/s: 80 Tbit/s */

#define P_INT(n, f, def, lo, hi, d)                                                                \
    { .name = (n), .type = SCN_PARAM_INT, .default_text = (def), .doc = (d), .offset = OFF(f), .min = (lo), .max = (hi) }
#define P_UINT(n, f, def, d)                                                                       \
    { .name = (n), .type = SCN_PARAM_UINT, .default_text = (def), .doc = (d), .offset = OFF(f), .umax = UINT64_MAX }
#define P_FLOAT(n, f, def, lo, hi, d)                                                              \
    { .name = (n), .type = SCN_PARAM_FLOAT, .default_text = (def), .doc = (d), .offset = OFF(f), .fmin = (lo), .fmax = (hi) }
#define P_BOOL(n, f, def, d)                                                                       \
    { .name = (n), .type = SCN_PARAM_BOOL, .default_text = (def), .doc = (d), .offset = OFF(f) }
#define P_TIME(n, f, def, lo, d)                                                                   \
    { .name = (n), .type = SCN_PARAM_DURATION, .default_text = (def), .doc = (d), .offset = OFF(f), .min = (lo), .max = T_MAX }
#define P_DIST(n, f, def, d)                                                                       \
    { .name = (n), .type = SCN_PARAM_DIST, .default_text = (def), .doc = (d), .offset = OFF(f) }
#define P_ENUM(n, f, def, ch, d)                                                                   \
    { .name = (n), .type = SCN_PARAM_ENUM, .default_text = (def), .doc = (d), .offset = OFF(f), .choices = (ch) }
#define P_BPS(n, f, def, d)                                                                        \
    { .name = (n), .type = SCN_PARAM_BPS, .default_text = (def), .doc = (d), .offset = OFF(f), .umax = BPS_MAX }
#define P_LIST(n, f, def, d)                                                                       \
    { .name = (n), .type = SCN_PARAM_LIST, .default_text = (def), .doc = (d), .offset = OFF(f) }

static const ScnParamInfo param_table[] = {
    P_INT("servers", servers, "5", 1, SCN_SERVERS_MAX, "number of servers in the ensemble, named s1..sN"),
    P_INT("observers", observers, "0", 0, SCN_SERVERS_MAX, "the last K servers are observers (see also `observer sN`)"),
    P_TIME("tickTime", tick_time, "2000ms", 1, "ZooKeeper's tickTime: the unit of initLimit, syncLimit and session bounds"),
    P_INT("initLimit", init_limit, "10", 1, 1000, "ticks a follower may take to connect and sync to the leader"),
    P_INT("syncLimit", sync_limit, "5", 1, 1000, "ticks a follower may lag behind the leader before it is dropped"),
    P_TIME("finalizeWait", finalize_wait, "200ms", 0, "FastLeaderElection: wait for more notifications before deciding"),
    P_TIME("minNotificationInterval", min_notification_interval, "200ms", 0, "FastLeaderElection: first notification timeout"),
    P_TIME("maxNotificationInterval", max_notification_interval, "60s", 0, "FastLeaderElection: cap of the doubling notification timeout"),
    P_TIME("cnxTimeout", cnx_timeout, "5s", 1, "QuorumCnxManager: timeout of an election connection attempt"),
    P_TIME("observerElectionDelay", observer_election_delay, "200ms", 0, "observer's delay before looking for a new leader"),
    P_INT("snapCount", snap_count, "100000", 2, 1000000000, "txns logged between snapshots (randomised as in ZooKeeper)"),
    P_INT("commitLogCount", commit_log_count, "500", 1, 1000000000, "committed proposals kept in memory for DIFF syncs"),
    P_FLOAT("snapshotSizeFactor", snapshot_size_factor, "0.33", 0.0, 1e6, "DIFF from the txn log while its size is below this fraction of the snapshot"),
    P_TIME("minSessionTimeout", min_session_timeout, "0", 0, "smallest session timeout granted; 0 = 2 * tickTime"),
    P_TIME("maxSessionTimeout", max_session_timeout, "0", 0, "largest session timeout granted; 0 = 20 * tickTime"),
    P_ENUM("quorum", quorum, "majority", quorum_choices, "quorum verifier: majority, or hierarchical (quorum.group / quorum.weight)"),
    P_DIST("net.latency", net.latency, "const(100us)", "one-way network latency of every link (see latency and link lines)"),
    P_FLOAT("net.loss", net.loss, "0", 0.0, 1.0, "probability that a message breaks its connection (TCP loss as the application sees it)"),
    P_BPS("net.bandwidth", net.bandwidth_bytes_per_s, "0", "bandwidth of each NIC (125MB/s, 1Gbit/s...); 0 = infinite"),
    P_TIME("net.nicPerMsg", net.nic_per_msg, "0", 0, "NIC time per message on top of its size"),
    P_TIME("net.breakDetect", net.break_detect, "0", 0, "time for a peer to notice a broken connection"),
    P_BOOL("net.traceMessages", net.trace_messages, "no", "write every message to the timeline"),
    P_DIST("disk.fsync", disk.fsync, "const(1ms)", "duration of one fsync of the txn log"),
    P_ENUM("disk.mode", disk.mode, "serial", disk_mode_choices, "serial: one fsync at a time; concurrent: fsyncs overlap"),
    P_BPS("disk.bandwidth", disk.bandwidth_bytes_per_s, "0", "disk write bandwidth; 0 = infinite"),
    P_TIME("cpu.request", cpu.request, "0", 0, "CPU time a server spends per client request"),
    P_TIME("cpu.message", cpu.message, "0", 0, "CPU time a server spends per quorum message received"),
    P_TIME("cpu.send", cpu.send, "0", 0, "CPU time a server spends per message sent"),
    P_INT("msg.header", msg.header_bytes, "40", 0, 1000000, "bytes of header added to every packet"),
    P_TIME("client.timeout", client.timeout, "30s", 1, "session timeout clients ask for (client ... timeout=)"),
    P_LIST("client.connectString", client.connect_string, "all", "servers clients may connect to: all, or names (s1,s2,dc1)"),
    P_ENUM("client.placement", client.placement, "shuffle", placement_choices, "shuffle: each client shuffles its connect string (ZooKeeper); roundrobin: client k of n starts at server ((k-1) mod n)+1"),
    P_TIME("duration", duration, "60s", 1, "when the run ends if nothing stops it earlier"),
    P_UINT("seed", seed, "1", "seed of every random stream of the run"),
    P_UINT("maxEvents", max_events, "0", "stop after this many events; 0 = unlimited"),
    P_TIME("metrics.interval", metrics.interval, "100ms", 1, "sampling period of the metrics"),
};

static const char *const type_names[] = {
#define SCN_X_NAME(id, name) name,
    SCN_PARAM_TYPE_LIST(SCN_X_NAME)
#undef SCN_X_NAME
};

static const char *const default_list[] = { "all", NULL };

const ScnParamInfo *scn_param_table(size_t *n)
{
    g_assert(n != NULL);
    *n = G_N_ELEMENTS(param_table);
    return param_table;
}

const ScnParamInfo *scn_param_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++)
        if (strcmp(param_table[i].name, name) == 0)
            return &param_table[i];
    return NULL;
}

gsize scn_param_index(const ScnParamInfo *info)
{
    g_assert(info >= param_table && info < param_table + G_N_ELEMENTS(param_table));
    return (gsize)(info - param_table);
}

const char *scn_param_type_name(ScnParamType t)
{
    g_assert((size_t)t < G_N_ELEMENTS(type_names));
    return type_names[t];
}

/* ---- numbers ---- */

/* Prints a bound: integral values without exponent ("1000000"). */
static char *bound_text(double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        return g_strdup_printf("%.0f", v);
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_dtostr(buf, sizeof buf, v));
}

typedef enum { NUM_OK, NUM_SYNTAX, NUM_RANGE } NumStatus;

/* Decimal digits with optional '_' between digits, into a magnitude that
 * saturates above limit. */
static NumStatus parse_digits(const char *p, uint64_t limit, uint64_t *out)
{
    if (!g_ascii_isdigit(*p))
        return NUM_SYNTAX;
    uint64_t v = 0;
    gboolean over = FALSE;
    for (; *p; p++) {
        if (*p == '_') {
            if (!g_ascii_isdigit(p[1]) || !g_ascii_isdigit(p[-1]))
                return NUM_SYNTAX;
            continue;
        }
        if (!g_ascii_isdigit(*p))
            return NUM_SYNTAX;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (limit - d) / 10)
            over = TRUE;
        else
            v = v * 10 + d;
    }
    *out = v;
    return over ? NUM_RANGE : NUM_OK;
}

gboolean scn_value_int(const char *what, const char *text, int64_t min, int64_t max, int64_t *out, char **msg)
{
    const char *p = text;
    gboolean neg = FALSE;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    uint64_t mag = 0;
    NumStatus st = parse_digits(p, (uint64_t)INT64_MAX + 1, &mag);
    if (st == NUM_SYNTAX) {
        *msg = g_strdup_printf("%s: '%s' is not an integer", what, text);
        return FALSE;
    }
    int64_t v = 0;
    if (st == NUM_OK && !neg && mag <= (uint64_t)INT64_MAX)
        v = (int64_t)mag;
    else if (st == NUM_OK && neg)
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        st = NUM_RANGE;
    if (st == NUM_RANGE || v < min || v > max) {
        if (max == INT64_MAX)
            *msg = g_strdup_printf("%s must be at least %" PRId64, what, min);
        else
            *msg = g_strdup_printf("%s must be between %" PRId64 " and %" PRId64, what, min, max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

gboolean scn_value_uint(const char *what, const char *text, uint64_t max, uint64_t *out, char **msg)
{
    const char *p = text;
    if (*p == '+')
        p++;
    uint64_t v = 0;
    NumStatus st = parse_digits(p, UINT64_MAX, &v);
    if (st == NUM_SYNTAX) {
        *msg = g_strdup_printf("%s: '%s' is not a non-negative integer", what, text);
        return FALSE;
    }
    if (st == NUM_RANGE || v > max) {
        *msg = g_strdup_printf("%s must be between 0 and %" PRIu64, what, max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

gboolean scn_value_float(const char *what, const char *text, double min, double max, double *out, char **msg)
{
    /* Plain decimal notation only: no hex floats, inf or nan. */
    gboolean ok = *text != '\0';
    for (const char *c = text; *c; c++)
        if (!g_ascii_isdigit(*c) && !strchr("+-.eE", *c))
            ok = FALSE;
    char *end = NULL;
    double v = ok ? g_ascii_strtod(text, &end) : 0.0;
    if (!ok || end == text || *end != '\0' || !isfinite(v)) {
        *msg = g_strdup_printf("%s: '%s' is not a number", what, text);
        return FALSE;
    }
    if (v < min || v > max) {
        g_autofree char *lo = bound_text(min);
        g_autofree char *hi = bound_text(max);
        *msg = g_strdup_printf("%s must be between %s and %s", what, lo, hi);
        return FALSE;
    }
    *out = v == 0.0 ? 0.0 : v; /* no -0: it would print as "-0" */
    return TRUE;
}

gboolean scn_value_bool(const char *what, const char *text, gboolean *out, char **msg)
{
    static const char *const yes[] = { "yes", "true", "on" };
    static const char *const no[] = { "no", "false", "off" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = TRUE;
            return TRUE;
        }
        if (strcmp(text, no[i]) == 0) {
            *out = FALSE;
            return TRUE;
        }
    }
    *msg = g_strdup_printf("%s: expected yes or no (or true/false, on/off), got '%s'", what, text);
    return FALSE;
}

/* ---- durations and distributions ---- */

static char *duration_problem(const char *what, const char *text, const char *err)
{
    if (g_str_has_prefix(err, "missing unit"))
        return g_strdup_printf("%s: missing unit in '%s' (ns, us, ms, s, m)", what, text);
    if (g_str_has_prefix(err, "unknown unit"))
        return g_strdup_printf("%s: unknown unit in '%s' (ns, us, ms, s, m)", what, text);
    return g_strdup_printf("%s: bad duration '%s': %s", what, text, err);
}

gboolean scn_value_duration(const char *what, const char *text, SimTime min, SimTime max, SimTime *out,
                            char **msg)
{
    SimTime v = 0;
    const char *err = NULL;
    if (!sim_time_parse(text, &v, &err)) {
        *msg = duration_problem(what, text, err);
        return FALSE;
    }
    char a[SIM_TIME_STR_LEN];
    if (v < min) {
        if (min == 1)
            *msg = g_strdup_printf("%s must be greater than 0", what);
        else
            *msg = g_strdup_printf("%s must be at least %s", what, sim_time_format(min, a));
        return FALSE;
    }
    if (v > max) {
        *msg = g_strdup_printf("%s must be at most %s", what, sim_time_format(max, a));
        return FALSE;
    }
    *out = v;
    return TRUE;
}

gboolean scn_value_signed_duration(const char *what, const char *text, SimTime *out, char **msg)
{
    gboolean neg = text[0] == '-';
    const char *mag = (text[0] == '-' || text[0] == '+') ? text + 1 : text;
    SimTime v = 0;
    if (!scn_value_duration(what, mag, 0, SCN_TIME_LIMIT, &v, msg))
        return FALSE;
    *out = neg ? -v : v;
    return TRUE;
}

gboolean scn_value_dist(const char *what, const char *text, SimDist *out, char **msg)
{
    char err[256];
    SimDist d;
    if (!sim_dist_parse(text, &d, err, sizeof err)) {
        *msg = g_strdup_printf("%s: %s", what, err);
        return FALSE;
    }
    if (d.a > SCN_TIME_LIMIT || d.b > SCN_TIME_LIMIT) {
        char lim[SIM_TIME_STR_LEN];
        *msg = g_strdup_printf("%s: times must be at most %s", what, sim_time_format(SCN_TIME_LIMIT, lim));
        return FALSE;
    }
    *out = d;
    return TRUE;
}

/* ---- sizes and bandwidths ---- */

typedef struct {
    const char *name;
    uint64_t bits;
    gboolean bandwidth_only;
} SizeUnit;

static const SizeUnit size_units[] = {
    { "B", 8, FALSE },
    { "kB", UINT64_C(8000), FALSE },
    { "KB", UINT64_C(8000), FALSE },
    { "MB", UINT64_C(8000000), FALSE },
    { "GB", UINT64_C(8000000000), FALSE },
    { "TB", UINT64_C(8000000000000), FALSE },
    { "KiB", UINT64_C(8) << 10, FALSE },
    { "MiB", UINT64_C(8) << 20, FALSE },
    { "GiB", UINT64_C(8) << 30, FALSE },
    { "bit", 1, TRUE },
    { "kbit", UINT64_C(1000), TRUE },
    { "Kbit", UINT64_C(1000), TRUE },
    { "Mbit", UINT64_C(1000000), TRUE },
    { "Gbit", UINT64_C(1000000000), TRUE },
    { "Tbit", UINT64_C(1000000000000), TRUE },
};

/* NUMBER[.FRACTION]UNIT exactly, in bits; FALSE on any syntax problem or
 * a value that is not a whole number of bytes. */
static gboolean quantity_bits(const char *text, const char *unit_end, gboolean bandwidth, unsigned __int128 *out)
{
    const char *p = text;
    uint64_t whole = 0;
    if (!g_ascii_isdigit(*p))
        return FALSE;
    for (; g_ascii_isdigit(*p); p++) {
        if (whole > UINT64_C(1000000000000000))
            return FALSE; /* far beyond every limit */
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    uint64_t frac = 0, pow10 = 1;
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        for (; g_ascii_isdigit(*p); p++) {
            if (pow10 >= UINT64_C(1000000000000))
                return FALSE; /* finer than any unit can make whole */
            frac = frac * 10 + (uint64_t)(*p - '0');
            pow10 *= 10;
        }
    }
    size_t ulen = (size_t)(unit_end - p);
    uint64_t unit = 8;
    if (ulen > 0) {
        const SizeUnit *u = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(size_units); i++)
            if (strlen(size_units[i].name) == ulen && strncmp(p, size_units[i].name, ulen) == 0)
                u = &size_units[i];
        if (!u || (u->bandwidth_only && !bandwidth))
            return FALSE;
        unit = u->bits;
    } else if (pow10 != 1) {
        return FALSE; /* "1.5" bytes */
    }
    unsigned __int128 frac_bits = (unsigned __int128)frac * unit;
    if (frac_bits % pow10 != 0)
        return FALSE;
    *out = (unsigned __int128)whole * unit + frac_bits / pow10;
    return TRUE;
}

gboolean scn_value_bytes(const char *what, const char *text, gboolean per_second, uint64_t max, uint64_t *out,
                         char **msg)
{
    size_t len = strlen(text);
    const char *unit_end = text + len;
    gboolean ok = TRUE;
    gboolean plain = len > 0 && strspn(text, "0123456789") == len;
    if (per_second && !plain) {
        ok = len > 2 && strcmp(text + len - 2, "/s") == 0;
        unit_end -= 2;
    }
    unsigned __int128 bits = 0;
    ok = ok && quantity_bits(text, unit_end, per_second, &bits) && bits % 8 == 0;
    if (!ok) {
        if (per_second)
            *msg = g_strdup_printf("%s: bad bandwidth '%s' (expected bytes per second such as 125000000, "
                                   "125MB/s, 1Gbit/s)",
                                   what, text);
        else
            *msg = g_strdup_printf("%s: bad size '%s' (expected bytes such as 100, 1KB, 1MB, 4KiB)", what, text);
        return FALSE;
    }
    if (bits / 8 > max) {
        *msg = g_strdup_printf("%s must be at most %" PRIu64 " bytes%s", what, max, per_second ? "/s" : "");
        return FALSE;
    }
    *out = (uint64_t)(bits / 8);
    return TRUE;
}

static void append_choices(GString *msg, const char *const *choices)
{
    for (size_t i = 0; choices[i]; i++) {
        if (i > 0)
            g_string_append(msg, choices[i + 1] ? ", " : " or ");
        g_string_append(msg, choices[i]);
    }
}

gboolean scn_value_choice(const char *what, const char *text, const char *const *choices, int *out, char **msg)
{
    gsize n = 0;
    for (; choices[n]; n++) {
        if (strcmp(text, choices[n]) == 0) {
            *out = (int)n;
            return TRUE;
        }
    }
    GString *m = g_string_new(NULL);
    g_string_append_printf(m, "%s: unknown value '%s'", what, text);
    const char *near = scn_suggest(text, choices, n);
    if (near) {
        g_string_append_printf(m, " (did you mean '%s'?)", near);
    } else {
        g_string_append(m, " (expected ");
        append_choices(m, choices);
        g_string_append(m, ")");
    }
    *msg = g_string_free(m, FALSE);
    return FALSE;
}

/* ---- lists ---- */

static gboolean parse_list(ScnScript *s, const char *what, const char *text, const char *const **out, char **msg)
{
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);
    guint n = g_strv_length(parts);
    const char **v = scn_alloc(s, (n + 1) * sizeof *v);
    for (guint i = 0; i < n; i++) {
        char *name = g_strstrip(parts[i]);
        if (*name == '\0') {
            *msg = g_strdup_printf("%s: empty name in '%s'", what, text);
            return FALSE;
        }
        if (!scn_is_identifier(name) && !scn_is_server_like(name)) {
            *msg = g_strdup_printf("%s: bad name '%s' (expected all, or servers and groups such as s1,s2,dc1)",
                                   what, name);
            return FALSE;
        }
        if (strcmp(name, "all") == 0 && n > 1) {
            *msg = g_strdup_printf("%s: 'all' cannot be combined with other names", what);
            return FALSE;
        }
        v[i] = scn_strdup(s, name);
    }
    v[n] = NULL;
    *out = v;
    return TRUE;
}

/* ---- one parameter ---- */

gboolean scn_param_parse(ScnScript *s, const ScnParamInfo *info, const char *text, ScnParams *p, char **msg)
{
    char *field = (char *)p + info->offset;
    if (*text == '\0') {
        *msg = g_strdup_printf("%s: missing value", info->name);
        return FALSE;
    }
    switch (info->type) {
    case SCN_PARAM_INT: {
        int64_t v = 0;
        if (!scn_value_int(info->name, text, info->min, info->max, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_UINT:
    case SCN_PARAM_BPS: {
        uint64_t v = 0;
        gboolean ok = info->type == SCN_PARAM_UINT ? scn_value_uint(info->name, text, info->umax, &v, msg)
                                                   : scn_value_bytes(info->name, text, TRUE, info->umax, &v, msg);
        if (!ok)
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_FLOAT: {
        double v = 0;
        if (!scn_value_float(info->name, text, info->fmin, info->fmax, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_BOOL: {
        gboolean v = FALSE;
        if (!scn_value_bool(info->name, text, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_DURATION: {
        SimTime v = 0;
        if (!scn_value_duration(info->name, text, info->min, info->max, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_DIST: {
        SimDist v;
        if (!scn_value_dist(info->name, text, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_ENUM: {
        int v = 0;
        if (!scn_value_choice(info->name, text, info->choices, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    case SCN_PARAM_LIST: {
        const char *const *v = NULL;
        if (!parse_list(s, info->name, text, &v, msg))
            return FALSE;
        memcpy(field, &v, sizeof v);
        return TRUE;
    }
    }
    g_assert_not_reached();
    return FALSE;
}

void scn_params_init(ScnParams *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < G_N_ELEMENTS(param_table); i++) {
        const ScnParamInfo *info = &param_table[i];
        if (info->type == SCN_PARAM_LIST) {
            /* The one list default needs no storage of its own. */
            g_assert(strcmp(info->default_text, "all") == 0);
            const char *const *v = default_list;
            memcpy((char *)p + info->offset, &v, sizeof v);
            continue;
        }
        char *msg = NULL;
        gboolean ok = scn_param_parse(NULL, info, info->default_text, p, &msg);
        g_assert(ok && msg == NULL);
    }
}

SimTime scn_params_session_timeout_min(const ScnParams *p)
{
    return p->min_session_timeout ? p->min_session_timeout : 2 * p->tick_time;
}

SimTime scn_params_session_timeout_max(const ScnParams *p)
{
    return p->max_session_timeout ? p->max_session_timeout : 20 * p->tick_time;
}

/* ---- printing ---- */

void scn_param_format_range(const ScnParamInfo *info, GString *out)
{
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN];
    switch (info->type) {
    case SCN_PARAM_INT:
        g_string_append_printf(out, "%" PRId64 "..%" PRId64, info->min, info->max);
        return;
    case SCN_PARAM_UINT:
        g_string_append_printf(out, "0..%" PRIu64, info->umax);
        return;
    case SCN_PARAM_BPS:
        g_string_append_printf(out, "0..%" PRIu64 " bytes/s", info->umax);
        return;
    case SCN_PARAM_FLOAT: {
        g_autofree char *lo = bound_text(info->fmin);
        g_autofree char *hi = bound_text(info->fmax);
        g_string_append_printf(out, "%s..%s", lo, hi);
        return;
    }
    case SCN_PARAM_BOOL:
        g_string_append(out, "yes|no");
        return;
    case SCN_PARAM_DURATION:
        g_string_append_printf(out, "%s..%s", sim_time_format(info->min, a), sim_time_format(info->max, b));
        return;
    case SCN_PARAM_DIST:
        g_string_append(out, "const|uniform|normal|exp|lognormal|pareto");
        return;
    case SCN_PARAM_ENUM:
        for (size_t i = 0; info->choices[i]; i++)
            g_string_append_printf(out, "%s%s", i ? "|" : "", info->choices[i]);
        return;
    case SCN_PARAM_LIST:
        g_string_append(out, "all|NAME,NAME...");
        return;
    }
    g_assert_not_reached();
}

void scn_param_format_value(const ScnParams *p, const ScnParamInfo *info, GString *out)
{
    const char *field = (const char *)p + info->offset;
    switch (info->type) {
    case SCN_PARAM_INT: {
        int64_t v;
        memcpy(&v, field, sizeof v);
        g_string_append_printf(out, "%" PRId64, v);
        return;
    }
    case SCN_PARAM_UINT:
    case SCN_PARAM_BPS: {
        uint64_t v;
        memcpy(&v, field, sizeof v);
        g_string_append_printf(out, "%" PRIu64, v);
        return;
    }
    case SCN_PARAM_FLOAT: {
        double v;
        memcpy(&v, field, sizeof v);
        scn_format_double(out, v);
        return;
    }
    case SCN_PARAM_BOOL: {
        gboolean v;
        memcpy(&v, field, sizeof v);
        g_string_append(out, v ? "yes" : "no");
        return;
    }
    case SCN_PARAM_DURATION: {
        SimTime v;
        memcpy(&v, field, sizeof v);
        scn_format_time(out, v);
        return;
    }
    case SCN_PARAM_DIST: {
        SimDist v;
        memcpy(&v, field, sizeof v);
        scn_format_dist(out, &v);
        return;
    }
    case SCN_PARAM_ENUM: {
        int v;
        memcpy(&v, field, sizeof v);
        g_string_append(out, info->choices[v]);
        return;
    }
    case SCN_PARAM_LIST: {
        const char *const *v;
        memcpy(&v, field, sizeof v);
        for (size_t i = 0; v[i]; i++)
            g_string_append_printf(out, "%s%s", i ? "," : "", v[i]);
        return;
    }
    }
    g_assert_not_reached();
}
