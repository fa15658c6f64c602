/* zk_workload.c - workloads: the mixed load and the recipes (see
 * zk_workload.h for what each does).
 *
 * Every client of a workload is a small state machine driven by three
 * inputs: its operations' callbacks, its watcher (node events and
 * SyncConnected / Disconnected / Expired), and one timer.  Each callback
 * receives the client's WlClient and finds what it needs in the result
 * (the path asked), so no request carries state of its own.
 */
#include "zk_workload.h"

#include "zk_client_int.h"
#include "sim_pool.h"
#include "sim_trace.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define RETRY_DELAY (100 * SIM_MS)
#define NAMES_MAX (1u << 20) /* naming: names remembered for the uniqueness check */

const char *zk_workload_kind_name(ZkWorkloadKind k)
{
    switch (k) {
#define ZK_X(id, name)                                                                             \
    case ZK_WORKLOAD_##id:                                                                         \
        return name;
        ZK_WORKLOAD_KIND_LIST(ZK_X)
#undef ZK_X
    }
    return "?";
}

typedef enum {
    LK_IDLE,
    LK_CREATING,  /* create sent */
    LK_UNKNOWN,   /* the create's outcome is unknown (ConnectionLoss) */
    LK_LISTING,   /* getChildren sent */
    LK_WAITING,   /* watching the predecessor */
    LK_HOLDING,
    LK_SUSPENDED, /* was holding or waiting when the connection went */
    LK_RELEASING, /* delete sent */
    LK_PAUSE,     /* between two rounds */
} LockState;

typedef struct WlClient WlClient;
typedef void (*WlStep)(WlClient *w);

struct WlClient {
    ZkWorkload *wl;
    ZkClient *c;
    guint index;
    gboolean first_role; /* member / operator / server: index < count */
    SimRng *rng;
    gboolean running;    /* its part started in the current session */
    uint64_t session;    /* that session */
    SimEventId timer;
    WlStep timer_fn;
    /* ensure_path */
    char *ensure_target;
    guint ensure_depth;
    WlStep ensure_then;
    /* mixed */
    guint retries;
    /* members (registry, membership, balance servers) */
    char *my_node;
    gboolean online; /* wants to be in */
    gboolean joined; /* its node exists in this session */
    int64_t load;
    /* watchers */
    GPtrArray *view;
    gboolean need_refresh;
    GBytes *value;
    GTree *loads; /* balance: child name -> load (sorted by name) */
    char *choice;
    /* lock */
    LockState lk;
    char *lock_dir;
    char *lock_prefix;
    char *lock_node;
    char *lock_pred;
    uint64_t lock_round;
};

struct ZkWorkload {
    ZkClients *cl;
    char *name;
    ZkWorkloadSpec spec;
    char *path;
    GPtrArray *clients; /* WlClient* */
    ZkWorkloadStats stats;
    uint64_t issued;
    double *zipf_cdf;
    GHashTable *names; /* naming: handed out (lookup only) */
    uint64_t config_version;
};

void zk_workload_spec_defaults(ZkWorkloadSpec *spec, ZkWorkloadKind kind)
{
    memset(spec, 0, sizeof *spec);
    spec->kind = kind;
    spec->reads = 0.5;
    spec->size_bytes = 100;
    spec->keys = 1000;
    spec->key_dist = ZK_KEYS_UNIFORM;
    spec->zipf_s = 1.0;
    spec->outstanding = 1;
    spec->period = SIM_S;
    spec->count = 1;
    spec->hold = SIM_S;
}

/* ---- helpers ---- */

static gboolean conn_error(ZkErr e)
{
    return e == ZK_ERR_CONNECTION_LOSS || e == ZK_ERR_SESSION_EXPIRED || e == ZK_ERR_OPERATION_TIMEOUT ||
           e == ZK_ERR_SESSION_MOVED;
}

static void account(WlClient *w, const ZkResult *r, gboolean expected)
{
    ZkWorkloadStats *st = &w->wl->stats;
    if (expected)
        st->ok++;
    else
        st->errors++;
    (void)r;
}

static void count_op(WlClient *w, gboolean read)
{
    ZkWorkloadStats *st = &w->wl->stats;
    st->ops++;
    if (read)
        st->reads++;
    else
        st->writes++;
}

static void timer_fire(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    (void)data;
    WlClient *w = ctx;
    WlStep fn = w->timer_fn;
    w->timer = SIM_EVENT_NONE;
    w->timer_fn = NULL;
    if (fn && w->running)
        fn(w);
}

static void after(WlClient *w, SimTime delay, WlStep fn)
{
    sim_cancel_clear(w->c->sim, &w->timer);
    w->timer_fn = fn;
    w->timer = sim_node_timer(w->c->sim, zk_client_node(w->c), delay, timer_fire, w, NULL);
}

static void stop_timer(WlClient *w)
{
    sim_cancel_clear(w->c->sim, &w->timer);
    w->timer_fn = NULL;
}

static SimTime exp_time(WlClient *w, SimTime mean)
{
    if (mean <= 0)
        return 0;
    SimDist d = { .kind = SIM_DIST_EXP, .a = mean };
    return sim_dist_sample(&d, w->rng);
}

/* A value's block (sim_pool_alloc_bytes): a write's value lives until a
 * snapshot trims its txn from every log, so a malloc'd one went through
 * malloc's slow bins both ways. */
typedef struct {
    size_t bytes; /* the block's size, header included */
} ValueHeader;

static void value_free(gpointer buf)
{
    ValueHeader *h = (ValueHeader *)buf - 1;
    sim_pool_free_bytes(h, h->bytes);
}

/* size bytes: the tag (tl bytes), padded with '.' */
static GBytes *make_value_n(int64_t size, const char *tag, size_t tl)
{
    size_t n = size > 0 && (size_t)size > tl ? (size_t)size : tl;
    ValueHeader *h = sim_pool_alloc_bytes(sizeof *h + n);
    h->bytes = sizeof *h + n;
    char *buf = (char *)(h + 1);
    memcpy(buf, tag, tl);
    memset(buf + tl, '.', n - tl);
    return g_bytes_new_with_free_func(buf, n, value_free, buf);
}

static GBytes *make_value(int64_t size, const char *tag)
{
    return make_value_n(size, tag, strlen(tag));
}

/* parent's child `name` written into buf (size bytes), or NULL if it does
 * not fit; the root's children get a single slash. */
static const char *child_path_in(char *buf, size_t size, const char *parent, const char *name)
{
    size_t lp = strcmp(parent, "/") == 0 ? 0 : strlen(parent), ln = strlen(name);
    if (lp + 1 + ln >= size)
        return NULL;
    memcpy(buf, parent, lp);
    buf[lp] = '/';
    memcpy(buf + lp + 1, name, ln + 1);
    return buf;
}

static char *child_path(const char *parent, const char *name)
{
    size_t size = strlen(parent) + strlen(name) + 2;
    char *buf = g_malloc(size);
    child_path_in(buf, size, parent, name);
    return buf;
}

/* ---- ensure_path: create every component of a path (NodeExists is fine) */

static void ensure_next(WlClient *w);

static void ensure_done(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NODE_EXISTS);
    if (!w->running)
        return;
    if (r->err == ZK_ERR_OK || r->err == ZK_ERR_NODE_EXISTS) {
        w->ensure_depth++;
        ensure_next(w);
    } else if (r->err != ZK_ERR_SESSION_EXPIRED) {
        after(w, RETRY_DELAY, ensure_next);
    }
}

static void ensure_next(WlClient *w)
{
    const char *t = w->ensure_target;
    /* the prefix with ensure_depth + 1 components */
    guint seen = 0;
    size_t i = 1;
    for (; t[i]; i++)
        if (t[i] == '/' && ++seen == w->ensure_depth + 1)
            break;
    if (strcmp(t, "/") == 0 || (!t[i] && seen < w->ensure_depth)) {
        WlStep then = w->ensure_then;
        w->ensure_then = NULL;
        if (then)
            then(w);
        return;
    }
    g_autofree char *prefix = g_strndup(t, i);
    count_op(w, FALSE);
    zk_client_create(w->c, prefix, NULL, ZK_CREATE_PERSISTENT, ensure_done, w);
}

static void ensure(WlClient *w, const char *path, WlStep then)
{
    g_free(w->ensure_target);
    w->ensure_target = g_strdup(path);
    w->ensure_depth = 0;
    w->ensure_then = then;
    ensure_next(w);
}

/* ---- mixed ---- */

static uint64_t pick_key(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    uint64_t n = (uint64_t)(wl->spec.keys > 0 ? wl->spec.keys : 1);
    if (wl->spec.key_dist == ZK_KEYS_UNIFORM || !wl->zipf_cdf)
        return sim_rng_below(w->rng, n);
    double u = sim_rng_double(w->rng);
    uint64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (wl->zipf_cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void mixed_issue(WlClient *w);

static gboolean closed_loop(const ZkWorkload *wl)
{
    return wl->spec.rate_per_s <= 0;
}

static void mixed_retry(WlClient *w)
{
    guint n = w->retries;
    w->retries = 0;
    for (guint i = 0; i < n; i++)
        mixed_issue(w);
}

static void mixed_done(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    gboolean ok = r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE || r->err == ZK_ERR_NODE_EXISTS;
    account(w, r, ok);
    if (!w->running || !closed_loop(w->wl))
        return;
    if (conn_error(r->err)) {
        w->retries++;
        if (!w->timer_fn)
            after(w, RETRY_DELAY, mixed_retry);
        return;
    }
    mixed_issue(w);
}

static void mixed_set_done(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    if (r->err == ZK_ERR_NO_NODE && w->running) {
        /* The key does not exist yet: create it. */
        g_autoptr(GBytes) v = make_value(w->wl->spec.size_bytes, "v");
        count_op(w, FALSE);
        zk_client_create(c, r->path, v, ZK_CREATE_PERSISTENT, mixed_done, w);
        return;
    }
    mixed_done(c, r, ud);
}

/* prefix, v in decimal, suffix (each char optional: 0) into buf (at
 * least 23 bytes), NUL-terminated; returns the length.  The mixed load's
 * key names and value tags, formatted for every request without printf. */
static size_t fmt_u64(char *buf, char prefix, uint64_t v, char suffix)
{
    char *p = buf;
    if (prefix)
        *p++ = prefix;
    p = sim_fmt_u64(p, v);
    if (suffix)
        *p++ = suffix;
    *p = '\0';
    return (size_t)(p - buf);
}

static void mixed_issue(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    if (wl->spec.ops > 0 && wl->issued >= (uint64_t)wl->spec.ops)
        return;
    wl->issued++;
    char name[32];
    fmt_u64(name, 'k', pick_key(w), 0);
    /* The key's path, on the stack when it fits (the client copies it). */
    char buf[256];
    g_autofree char *long_path = NULL;
    const char *path = child_path_in(buf, sizeof buf, wl->path, name);
    if (!path)
        path = long_path = child_path(wl->path, name);
    if (sim_rng_chance(w->rng, wl->spec.reads)) {
        count_op(w, TRUE);
        zk_client_get_data(w->c, path, FALSE, mixed_done, w);
    } else {
        char tag[32];
        size_t tl = fmt_u64(tag, 0, wl->issued, ':');
        count_op(w, FALSE);
        zk_client_set_data_take(w->c, path, make_value_n(wl->spec.size_bytes, tag, tl), -1, mixed_set_done, w);
    }
}

static void mixed_arrival(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    if (wl->spec.ops > 0 && wl->issued >= (uint64_t)wl->spec.ops)
        return;
    mixed_issue(w);
    /* Each of the n clients is a Poisson source at rate / n. */
    double per_client = wl->spec.rate_per_s / (double)wl->clients->len;
    after(w, exp_time(w, (SimTime)((double)SIM_S / per_client)), mixed_arrival);
}

static void mixed_go(WlClient *w)
{
    if (!closed_loop(w->wl)) {
        mixed_arrival(w);
        return;
    }
    for (int64_t i = 0; i < w->wl->spec.outstanding; i++)
        mixed_issue(w);
}

/* ---- members: registry, membership, balance servers ---- */

static void member_join(WlClient *w);
static void member_leave(WlClient *w);
static void balance_publish(WlClient *w);

static void member_joined(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    w->joined = TRUE;
    wl->stats.updates++;
    SIM_TRACE(w->c->sim, zk_client_node(w->c), "MEMBER_JOINED", SF_STR("node", w->my_node));
    if (wl->spec.kind == ZK_WORKLOAD_BALANCE)
        after(w, wl->spec.period, balance_publish);
    else if (wl->spec.period > 0)
        after(w, exp_time(w, wl->spec.period), member_leave);
}

static void member_exists(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running || !w->online || w->joined)
        return;
    if (r->err == ZK_ERR_OK && r->stat.ephemeral_owner == zk_client_session(c))
        member_joined(w); /* our own create went through before a ConnectionLoss */
    else if (r->err == ZK_ERR_NO_NODE)
        member_join(w);
    /* else: an older session's node; its NodeDeleted will call us back */
}

static void member_created(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NODE_EXISTS);
    if (!w->running || !w->online)
        return;
    if (r->err == ZK_ERR_OK) {
        member_joined(w);
    } else if (r->err == ZK_ERR_NODE_EXISTS) {
        count_op(w, TRUE);
        zk_client_exists(c, w->my_node, TRUE, member_exists, w);
    }
    /* ConnectionLoss: member_reconnected tries again */
}

static void member_join(WlClient *w)
{
    w->online = TRUE;
    char tag[32];
    g_snprintf(tag, sizeof tag, "%" G_GINT64_FORMAT " ", w->load);
    g_autoptr(GBytes) v = make_value(w->wl->spec.size_bytes, tag);
    count_op(w, FALSE);
    zk_client_create(w->c, w->my_node, v, ZK_CREATE_EPHEMERAL, member_created, w);
}

static void member_left(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running || w->online)
        return;
    if (r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE) {
        w->joined = FALSE;
        w->wl->stats.updates++;
        SIM_TRACE(w->c->sim, zk_client_node(w->c), "MEMBER_LEFT", SF_STR("node", w->my_node));
        after(w, exp_time(w, w->wl->spec.hold), member_join);
    }
}

static void member_leave(WlClient *w)
{
    w->online = FALSE;
    count_op(w, FALSE);
    zk_client_delete(w->c, w->my_node, -1, member_left, w);
}

static void member_reconnected(WlClient *w)
{
    if (w->online && !w->joined)
        member_join(w);
    else if (!w->online && w->joined)
        member_leave(w);
}

static void balance_published(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK);
}

static void balance_publish(WlClient *w)
{
    /* A random walk of the load, never below zero. */
    w->load += sim_rng_range(w->rng, -10, 10);
    if (w->load < 0)
        w->load = 0;
    char tag[32];
    g_snprintf(tag, sizeof tag, "%" G_GINT64_FORMAT " ", w->load);
    g_autoptr(GBytes) v = make_value(w->wl->spec.size_bytes, tag);
    count_op(w, FALSE);
    w->wl->stats.updates++;
    zk_client_set_data(w->c, w->my_node, v, -1, balance_published, w);
    after(w, w->wl->spec.period, balance_publish);
}

/* ---- watchers of a child list: registry, membership, balance clients ---- */

static void watch_list(WlClient *w);

static int64_t parse_load(GBytes *data)
{
    if (!data)
        return 0;
    gsize n;
    const char *p = g_bytes_get_data(data, &n);
    g_autofree char *s = g_strndup(p, MIN(n, (gsize)20));
    return g_ascii_strtoll(s, NULL, 10);
}

static gboolean pick_min(gpointer key, gpointer value, gpointer data)
{
    const char **best = data;
    int64_t load = *(const int64_t *)value;
    if (!best[0] || load < *(const int64_t *)best[1]) {
        best[0] = key;
        best[1] = value;
    }
    return FALSE;
}

static void balance_choose(WlClient *w)
{
    const char *best[2] = { NULL, NULL };
    g_tree_foreach(w->loads, pick_min, best);
    if (g_strcmp0(best[0], w->choice) == 0)
        return;
    g_free(w->choice);
    w->choice = g_strdup(best[0]);
    SIM_TRACE(w->c->sim, zk_client_node(w->c), "BALANCE_PICK", SF_STR("server", w->choice ? w->choice : ""),
              SF_INT("load", best[1] ? *(const int64_t *)best[1] : 0));
}

static void balance_got(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running)
        return;
    const char *name = strrchr(r->path, '/') + 1;
    if (r->err == ZK_ERR_OK) {
        int64_t *load = g_new(int64_t, 1);
        *load = parse_load(r->data);
        g_tree_replace(w->loads, g_strdup(name), load);
    } else if (r->err == ZK_ERR_NO_NODE) {
        g_tree_remove(w->loads, name);
    } else {
        w->need_refresh = TRUE;
        return;
    }
    balance_choose(w);
}

static void balance_read(WlClient *w, const char *name)
{
    g_autofree char *p = child_path(w->wl->path, name);
    count_op(w, TRUE);
    zk_client_get_data(w->c, p, TRUE, balance_got, w);
}

static void listed(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK);
    if (!w->running)
        return;
    if (r->err != ZK_ERR_OK) {
        if (r->err == ZK_ERR_NO_NODE) {
            count_op(w, TRUE);
            zk_client_exists(c, w->wl->path, TRUE, NULL, NULL);
        } else {
            w->need_refresh = TRUE;
        }
        return;
    }
    w->need_refresh = FALSE;
    if (w->view)
        g_ptr_array_free(w->view, TRUE);
    w->view = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < r->children->len; i++)
        g_ptr_array_add(w->view, g_strdup(g_ptr_array_index(r->children, i)));
    SIM_TRACE(c->sim, zk_client_node(c), "VIEW", SF_STR("path", w->wl->path), SF_UINT("children", w->view->len));
    if (w->wl->spec.kind != ZK_WORKLOAD_BALANCE)
        return;
    /* Forget servers that left, read (and watch) every one listed. */
    GPtrArray *gone = g_ptr_array_new_with_free_func(g_free);
    GTreeNode *n = g_tree_node_first(w->loads);
    for (; n; n = g_tree_node_next(n)) {
        const char *name = g_tree_node_key(n);
        gboolean found = FALSE;
        for (guint i = 0; i < w->view->len && !found; i++)
            found = strcmp(g_ptr_array_index(w->view, i), name) == 0;
        if (!found)
            g_ptr_array_add(gone, g_strdup(name));
    }
    for (guint i = 0; i < gone->len; i++)
        g_tree_remove(w->loads, g_ptr_array_index(gone, i));
    g_ptr_array_free(gone, TRUE);
    balance_choose(w);
    for (guint i = 0; i < w->view->len; i++)
        balance_read(w, g_ptr_array_index(w->view, i));
}

static void watch_list(WlClient *w)
{
    count_op(w, TRUE);
    zk_client_get_children(w->c, w->wl->path, TRUE, listed, w);
}

/* ---- config ---- */

static void config_read(WlClient *w);
static void config_set(WlClient *w);

static void config_got(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running)
        return;
    if (r->err == ZK_ERR_OK) {
        w->need_refresh = FALSE;
        if (w->value)
            g_bytes_unref(w->value);
        w->value = r->data ? g_bytes_ref(r->data) : g_bytes_new(NULL, 0);
    } else if (r->err == ZK_ERR_NO_NODE) {
        /* Not there yet: wait for NodeCreated. */
        w->need_refresh = FALSE;
        count_op(w, TRUE);
        zk_client_exists(c, w->wl->path, TRUE, NULL, NULL);
    } else {
        w->need_refresh = TRUE;
    }
}

static void config_read(WlClient *w)
{
    count_op(w, TRUE);
    zk_client_get_data(w->c, w->wl->path, TRUE, config_got, w);
}

static void config_set_done(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NODE_EXISTS);
    if (w->running && r->err == ZK_ERR_NO_NODE) {
        g_autoptr(GBytes) v = make_value(w->wl->spec.size_bytes, "v0");
        count_op(w, FALSE);
        zk_client_create(c, w->wl->path, v, ZK_CREATE_PERSISTENT, config_set_done, w);
    }
}

static void config_set(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    char tag[32];
    g_snprintf(tag, sizeof tag, "v%" G_GUINT64_FORMAT " ", ++wl->config_version);
    g_autoptr(GBytes) v = make_value(wl->spec.size_bytes, tag);
    count_op(w, FALSE);
    wl->stats.updates++;
    zk_client_set_data(w->c, wl->path, v, -1, config_set_done, w);
    after(w, wl->spec.period, config_set);
}

static void config_operator_start(WlClient *w)
{
    g_autoptr(GBytes) v = make_value(w->wl->spec.size_bytes, "v0 ");
    count_op(w, FALSE);
    zk_client_create(w->c, w->wl->path, v, ZK_CREATE_PERSISTENT, config_set_done, w);
    after(w, w->wl->spec.period, config_set);
}

/* ---- naming ---- */

static void named(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    ZkWorkload *wl = w->wl;
    account(w, r, r->err == ZK_ERR_OK);
    if (r->err != ZK_ERR_OK || !r->created)
        return;
    if (g_hash_table_contains(wl->names, r->created)) {
        zkc_violation(wl->cl, zk_client_node(c), "naming: %s was handed out twice", r->created);
        return;
    }
    if (g_hash_table_size(wl->names) < NAMES_MAX)
        g_hash_table_add(wl->names, g_strdup(r->created));
    wl->stats.updates++;
}

static void naming_tick(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    g_autofree char *prefix = g_strdup_printf("%s-", zk_client_name(w->c));
    g_autofree char *path = child_path(wl->path, prefix);
    g_autoptr(GBytes) v = make_value(wl->spec.size_bytes, zk_client_name(w->c));
    for (int64_t i = 0; i < wl->spec.count; i++) {
        count_op(w, FALSE);
        zk_client_create(w->c, path, v, ZK_CREATE_PERSISTENT_SEQUENTIAL, named, w);
    }
    after(w, wl->spec.period, naming_tick);
}

/* ---- lock ---- */

static void lock_begin(WlClient *w);
static void lock_check(WlClient *w);

static void lock_drop(WlClient *w, const char *why)
{
    if (w->lk != LK_HOLDING)
        return;
    zk_clients_lock_released(w->wl->cl, w->lock_dir, w->c);
    SIM_TRACE(w->c->sim, zk_client_node(w->c), "LOCK_GIVEN_UP", SF_STR("lock", w->lock_dir), SF_STR("why", why));
}

static void lock_deleted(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running || w->lk != LK_RELEASING)
        return;
    if (r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE) {
        g_clear_pointer(&w->lock_node, g_free);
        w->lk = LK_PAUSE;
        after(w, exp_time(w, w->wl->spec.period), lock_begin);
    }
}

static void lock_release(WlClient *w)
{
    if (w->lk != LK_HOLDING)
        return;
    zk_clients_lock_released(w->wl->cl, w->lock_dir, w->c);
    w->lk = LK_RELEASING;
    count_op(w, FALSE);
    zk_client_delete(w->c, w->lock_node, -1, lock_deleted, w);
}

/* The sequence number: the last 10 characters of a sequential name. */
static const char *seq_of(const char *name)
{
    size_t n = strlen(name);
    return n >= 10 ? name + n - 10 : name;
}

static gint cmp_seq(gconstpointer a, gconstpointer b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int c = strcmp(seq_of(x), seq_of(y));
    return c ? c : strcmp(x, y);
}

static void lock_pred_checked(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK || r->err == ZK_ERR_NO_NODE);
    if (!w->running || w->lk != LK_WAITING || g_strcmp0(r->path, w->lock_pred) != 0)
        return;
    if (r->err == ZK_ERR_NO_NODE)
        lock_check(w); /* gone already: look again */
    else if (r->err != ZK_ERR_OK)
        w->lk = LK_SUSPENDED;
    /* Ok: wait for its NodeDeleted */
}

static void lock_listed(ZkClient *c, const ZkResult *r, void *ud)
{
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK);
    if (!w->running || (w->lk != LK_LISTING && w->lk != LK_UNKNOWN))
        return;
    if (r->err == ZK_ERR_NO_NODE) {
        ensure(w, w->lock_dir, lock_begin);
        return;
    }
    if (r->err != ZK_ERR_OK) {
        w->lk = w->lock_node ? LK_SUSPENDED : LK_UNKNOWN;
        return;
    }
    g_autoptr(GPtrArray) kids = g_ptr_array_new();
    for (guint i = 0; i < r->children->len; i++)
        g_ptr_array_add(kids, g_ptr_array_index(r->children, i));
    g_ptr_array_sort(kids, cmp_seq);
    /* Find our node (by the round's unique prefix if the create's
     * outcome was unknown: the recipe's GUID). */
    gssize mine = -1;
    for (guint i = 0; i < kids->len && mine < 0; i++) {
        const char *k = g_ptr_array_index(kids, i);
        if (g_str_has_prefix(k, w->lock_prefix))
            mine = (gssize)i;
    }
    if (mine < 0) {
        g_clear_pointer(&w->lock_node, g_free);
        lock_begin(w); /* never created, or deleted with an old session */
        return;
    }
    if (!w->lock_node)
        w->lock_node = child_path(w->lock_dir, g_ptr_array_index(kids, (guint)mine));
    if (mine == 0) {
        w->lk = LK_HOLDING;
        w->wl->stats.acquisitions++;
        zk_clients_lock_acquired(w->wl->cl, w->lock_dir, c);
        after(w, w->wl->spec.hold, lock_release);
        return;
    }
    g_free(w->lock_pred);
    w->lock_pred = child_path(w->lock_dir, g_ptr_array_index(kids, (guint)mine - 1));
    w->lk = LK_WAITING;
    count_op(w, TRUE);
    zk_client_exists(c, w->lock_pred, TRUE, lock_pred_checked, w);
}

static void lock_check(WlClient *w)
{
    if (w->lk != LK_UNKNOWN)
        w->lk = LK_LISTING;
    count_op(w, TRUE);
    zk_client_get_children(w->c, w->lock_dir, FALSE, lock_listed, w);
}

static void lock_created(ZkClient *c, const ZkResult *r, void *ud)
{
    (void)c;
    WlClient *w = ud;
    account(w, r, r->err == ZK_ERR_OK);
    if (!w->running || w->lk != LK_CREATING)
        return;
    if (r->err == ZK_ERR_OK) {
        w->lock_node = g_strdup(r->created);
        lock_check(w);
    } else if (r->err == ZK_ERR_NO_NODE) {
        ensure(w, w->lock_dir, lock_begin);
    } else {
        w->lk = LK_UNKNOWN; /* it may exist: find it on reconnect */
    }
}

static void lock_begin(WlClient *w)
{
    g_clear_pointer(&w->lock_node, g_free);
    g_free(w->lock_prefix);
    w->lock_prefix = g_strdup_printf("lock-%s-%" G_GUINT64_FORMAT "-", zk_client_name(w->c), ++w->lock_round);
    g_autofree char *path = child_path(w->lock_dir, w->lock_prefix);
    w->lk = LK_CREATING;
    count_op(w, FALSE);
    zk_client_create(w->c, path, NULL, ZK_CREATE_EPHEMERAL_SEQUENTIAL, lock_created, w);
}

static void lock_reconnected(WlClient *w)
{
    switch (w->lk) {
    case LK_UNKNOWN:
    case LK_SUSPENDED:
    case LK_LISTING:
    case LK_WAITING:
        lock_check(w);
        break;
    case LK_RELEASING:
        count_op(w, FALSE);
        zk_client_delete(w->c, w->lock_node, -1, lock_deleted, w);
        break;
    case LK_IDLE:
    case LK_CREATING:
    case LK_HOLDING:
    case LK_PAUSE:
        break;
    }
}

/* ---- the client's life: start, reconnect, disconnect, expiry ---- */

static void start_part(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    switch (wl->spec.kind) {
    case ZK_WORKLOAD_SCRIPT:
        break;
    case ZK_WORKLOAD_MIXED:
        ensure(w, wl->path, mixed_go);
        break;
    case ZK_WORKLOAD_REGISTRY:
        ensure(w, wl->path, w->first_role ? member_join : watch_list);
        break;
    case ZK_WORKLOAD_CONFIG:
        if (w->first_role) {
            g_autofree char *parent = g_path_get_dirname(wl->path);
            ensure(w, parent, config_operator_start);
        } else {
            config_read(w);
        }
        break;
    case ZK_WORKLOAD_NAMING:
        ensure(w, wl->path, naming_tick);
        break;
    case ZK_WORKLOAD_LOCK:
        w->lk = LK_IDLE;
        ensure(w, w->lock_dir, lock_begin);
        break;
    case ZK_WORKLOAD_MEMBERSHIP:
        ensure(w, wl->path, member_join);
        watch_list(w);
        break;
    case ZK_WORKLOAD_BALANCE:
        ensure(w, wl->path, w->first_role ? member_join : watch_list);
        break;
    }
}

static void reconnected(WlClient *w)
{
    ZkWorkload *wl = w->wl;
    if (w->ensure_then)
        return; /* still creating the path: its retry timer goes on */
    switch (wl->spec.kind) {
    case ZK_WORKLOAD_SCRIPT:
    case ZK_WORKLOAD_MIXED:
    case ZK_WORKLOAD_NAMING:
        break;
    case ZK_WORKLOAD_CONFIG:
        if (!w->first_role && w->need_refresh)
            config_read(w);
        break;
    case ZK_WORKLOAD_REGISTRY:
    case ZK_WORKLOAD_BALANCE:
        if (w->first_role)
            member_reconnected(w);
        else if (w->need_refresh)
            watch_list(w);
        break;
    case ZK_WORKLOAD_MEMBERSHIP:
        member_reconnected(w);
        if (w->need_refresh)
            watch_list(w);
        break;
    case ZK_WORKLOAD_LOCK:
        lock_reconnected(w);
        break;
    }
}

static void node_event(WlClient *w, const ZkWatchedEvent *ev)
{
    ZkWorkload *wl = w->wl;
    wl->stats.notifications++;
    switch (wl->spec.kind) {
    case ZK_WORKLOAD_SCRIPT:
    case ZK_WORKLOAD_MIXED:
    case ZK_WORKLOAD_NAMING:
        break;
    case ZK_WORKLOAD_CONFIG:
        if (!w->first_role && strcmp(ev->path, wl->path) == 0)
            config_read(w);
        break;
    case ZK_WORKLOAD_REGISTRY:
    case ZK_WORKLOAD_MEMBERSHIP:
    case ZK_WORKLOAD_BALANCE:
        if (ev->type == ZK_EVENT_NODE_CHILDREN_CHANGED && strcmp(ev->path, wl->path) == 0) {
            watch_list(w);
        } else if (ev->type == ZK_EVENT_NODE_DELETED && w->my_node && strcmp(ev->path, w->my_node) == 0) {
            if (w->online && !w->joined)
                member_join(w); /* the old session's node is gone */
        } else if (wl->spec.kind == ZK_WORKLOAD_BALANCE && !w->first_role &&
                   (ev->type == ZK_EVENT_NODE_DATA_CHANGED || ev->type == ZK_EVENT_NODE_DELETED)) {
            balance_read(w, strrchr(ev->path, '/') + 1);
        } else if (ev->type == ZK_EVENT_NODE_CREATED && strcmp(ev->path, wl->path) == 0) {
            watch_list(w);
        }
        break;
    case ZK_WORKLOAD_LOCK:
        if (w->lk == LK_WAITING && g_strcmp0(ev->path, w->lock_pred) == 0)
            lock_check(w);
        break;
    }
}

static void on_watch(ZkClient *c, const ZkWatchedEvent *ev, void *ud)
{
    WlClient *w = ud;
    if (ev->type != ZK_EVENT_NONE) {
        /* Node events, from a txn or from SetWatches after a reconnect;
         * the recipes remove no watches, so no *WatchRemoved arrives. */
        if (w->running)
            node_event(w, ev);
        return;
    }
    switch (ev->state) {
    case ZK_STATE_SYNC_CONNECTED:
        if (w->running && zk_client_session(c) != w->session) {
            /* A new session without an Expired event: the client's
             * process crashed and came back, and what it knew (its lock
             * node, its round) died with it.  Start over, as after an
             * expiry; the old session's nodes go when it expires. */
            w->running = FALSE;
            w->joined = FALSE;
            w->lk = LK_IDLE;
            g_clear_pointer(&w->lock_node, g_free);
            stop_timer(w);
            w->wl->stats.sessions++;
        }
        w->session = zk_client_session(c);
        if (!w->running) {
            w->running = TRUE;
            start_part(w);
        } else {
            reconnected(w);
        }
        break;
    case ZK_STATE_DISCONNECTED:
        if (w->wl->spec.kind == ZK_WORKLOAD_LOCK && w->lk == LK_HOLDING) {
            /* It can no longer know whether it holds the lock. */
            lock_drop(w, "disconnected");
            stop_timer(w);
            w->lk = LK_SUSPENDED;
        }
        break;
    case ZK_STATE_EXPIRED:
        if (w->wl->spec.kind == ZK_WORKLOAD_LOCK)
            lock_drop(w, "session expired");
        w->running = FALSE;
        w->joined = FALSE;
        w->lk = LK_IDLE;
        g_clear_pointer(&w->lock_node, g_free);
        stop_timer(w);
        w->wl->stats.sessions++;
        zk_client_start(c); /* a new handle, a new session */
        break;
    case ZK_STATE_CLOSED:
        if (w->wl->spec.kind == ZK_WORKLOAD_LOCK)
            lock_drop(w, "closed");
        w->running = FALSE;
        w->joined = FALSE;
        stop_timer(w);
        break;
    }
}

/* ---- new / free / queries ---- */

ZkWorkload *zk_workload_new(ZkClients *cl, const char *name, const ZkWorkloadSpec *spec)
{
    ZkWorkload *wl = g_new0(ZkWorkload, 1);
    wl->cl = cl;
    wl->name = g_strdup(name);
    wl->spec = *spec;
    if (spec->path && *spec->path)
        wl->path = g_strdup(spec->path);
    else
        wl->path = g_strconcat("/", zk_workload_kind_name(spec->kind), NULL);
    wl->spec.path = wl->path;
    wl->clients = g_ptr_array_new();
    wl->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (spec->kind == ZK_WORKLOAD_MIXED && spec->key_dist == ZK_KEYS_ZIPF && spec->keys > 0) {
        /* CDF of P(k) ~ 1 / k^s, k = 1..keys: key k-1 is the k-th hottest. */
        wl->zipf_cdf = g_new(double, spec->keys);
        double sum = 0;
        for (int64_t k = 1; k <= spec->keys; k++)
            sum += 1.0 / pow((double)k, spec->zipf_s);
        double acc = 0;
        for (int64_t k = 1; k <= spec->keys; k++) {
            acc += 1.0 / pow((double)k, spec->zipf_s) / sum;
            wl->zipf_cdf[k - 1] = acc;
        }
        wl->zipf_cdf[spec->keys - 1] = 1.0;
    }
    g_ptr_array_add(cl->workloads, wl);
    return wl;
}

static void load_free(gpointer p)
{
    g_free(p);
}

static gint cmp_str(gconstpointer a, gconstpointer b, gpointer user)
{
    (void)user;
    return strcmp(a, b);
}

void zk_workload_add_client(ZkWorkload *wl, ZkClient *c)
{
    WlClient *w = g_new0(WlClient, 1);
    w->wl = wl;
    w->c = c;
    w->index = wl->clients->len;
    w->first_role = (int64_t)w->index < wl->spec.count;
    char stream[160];
    g_snprintf(stream, sizeof stream, "workload/%s", zk_client_name(c));
    w->rng = sim_rng(c->sim, stream);
    w->loads = g_tree_new_full(cmp_str, NULL, g_free, load_free);
    switch (wl->spec.kind) {
    case ZK_WORKLOAD_REGISTRY: {
        g_autofree char *n = g_strconcat("member-", zk_client_name(c), NULL);
        w->my_node = child_path(wl->path, n);
        break;
    }
    case ZK_WORKLOAD_MEMBERSHIP:
        w->my_node = child_path(wl->path, zk_client_name(c));
        break;
    case ZK_WORKLOAD_BALANCE: {
        g_autofree char *n = g_strconcat("server-", zk_client_name(c), NULL);
        w->my_node = child_path(wl->path, n);
        w->load = sim_rng_range(w->rng, 0, 100);
        break;
    }
    case ZK_WORKLOAD_LOCK:
        if (wl->spec.count <= 1) {
            w->lock_dir = g_strdup(wl->path);
        } else {
            char n[32];
            g_snprintf(n, sizeof n, "%" G_GINT64_FORMAT, (int64_t)w->index % wl->spec.count);
            w->lock_dir = child_path(wl->path, n);
        }
        break;
    case ZK_WORKLOAD_SCRIPT:
    case ZK_WORKLOAD_MIXED:
    case ZK_WORKLOAD_CONFIG:
    case ZK_WORKLOAD_NAMING:
        break;
    }
    g_ptr_array_add(wl->clients, w);
    if (wl->spec.kind != ZK_WORKLOAD_SCRIPT)
        zk_client_set_watcher(c, on_watch, w);
    if (zk_client_is_connected(c) && wl->spec.kind != ZK_WORKLOAD_SCRIPT) {
        w->running = TRUE;
        start_part(w);
    }
}

void zk_workload_free(ZkWorkload *wl)
{
    if (!wl)
        return;
    for (guint i = 0; i < wl->clients->len; i++) {
        WlClient *w = g_ptr_array_index(wl->clients, i);
        stop_timer(w);
        if (w->c->watcher_ud == w)
            zk_client_set_watcher(w->c, NULL, NULL);
        g_free(w->ensure_target);
        g_free(w->my_node);
        if (w->view)
            g_ptr_array_free(w->view, TRUE);
        if (w->value)
            g_bytes_unref(w->value);
        g_tree_destroy(w->loads);
        g_free(w->choice);
        g_free(w->lock_dir);
        g_free(w->lock_prefix);
        g_free(w->lock_node);
        g_free(w->lock_pred);
        g_free(w);
    }
    g_ptr_array_free(wl->clients, TRUE);
    g_hash_table_destroy(wl->names);
    g_free(wl->zipf_cdf);
    g_free(wl->path);
    g_free(wl->name);
    g_free(wl);
}

const char *zk_workload_name(const ZkWorkload *wl)
{
    return wl->name;
}

const ZkWorkloadSpec *zk_workload_spec(const ZkWorkload *wl)
{
    return &wl->spec;
}

guint zk_workload_client_count(const ZkWorkload *wl)
{
    return wl->clients->len;
}

const ZkWorkloadStats *zk_workload_stats(const ZkWorkload *wl)
{
    return &wl->stats;
}

static const WlClient *wl_client(const ZkWorkload *wl, guint i)
{
    g_assert(i < wl->clients->len);
    return g_ptr_array_index(wl->clients, i);
}

const GPtrArray *zk_workload_view(const ZkWorkload *wl, guint client)
{
    return wl_client(wl, client)->view;
}

GBytes *zk_workload_config_value(const ZkWorkload *wl, guint client)
{
    return wl_client(wl, client)->value;
}

const char *zk_workload_choice(const ZkWorkload *wl, guint client)
{
    return wl_client(wl, client)->choice;
}

void zk_workload_balance_spread(const ZkWorkload *wl, ZkBalanceSpread *out)
{
    memset(out, 0, sizeof *out);
    /* Servers: the members of the workload (the first `count`). */
    guint nserv = 0;
    for (guint i = 0; i < wl->clients->len; i++)
        nserv += wl_client(wl, i)->first_role;
    out->servers = nserv;
    if (!nserv)
        return;
    guint *per = g_new0(guint, nserv);
    for (guint i = 0; i < wl->clients->len; i++) {
        const WlClient *w = wl_client(wl, i);
        if (w->first_role || !w->choice)
            continue;
        out->clients++;
        for (guint j = 0, k = 0; j < wl->clients->len; j++) {
            const WlClient *s = wl_client(wl, j);
            if (!s->first_role)
                continue;
            if (strcmp(strrchr(s->my_node, '/') + 1, w->choice) == 0)
                per[k]++;
            k++;
        }
    }
    out->min = per[0];
    out->max = per[0];
    for (guint k = 1; k < nserv; k++) {
        out->min = MIN(out->min, per[k]);
        out->max = MAX(out->max, per[k]);
    }
    g_free(per);
}
