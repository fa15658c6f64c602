/* zab_fixture.c - see zab_fixture.h. */
#include "zab_fixture.h"

#include <CUnit/CUnit.h>
#include <stdio.h>

void fx_init(Fx *f, int n, uint64_t seed, void (*tweak)(ZkConfig *cfg))
{
    memset(f, 0, sizeof *f);
    f->sim = sim_new(seed);
    SimNetConfig nc = { .latency = sim_dist_const(500 * SIM_US) };
    sim_net_configure(f->sim, &nc);
    SimDiskConfig dc = { .fsync = sim_dist_const(SIM_MS) };
    sim_disk_configure_default(f->sim, &dc);
    ZkConfig cfg;
    zk_config_defaults(&cfg, n);
    if (tweak)
        tweak(&cfg);
    f->ens = zk_ensemble_new(f->sim, &cfg);
    if (g_getenv("ZKSIM_TEST_TRACE"))
        sim_trace_add_text(f->sim, stderr);
}

void fx_free(Fx *f)
{
    zk_ensemble_free(f->ens);
    sim_free(f->sim);
}

typedef struct {
    Fx *f;
    int sid;
    int kind;
} Act;

static void act_fn(Sim *sim, void *ctx, void *data)
{
    (void)sim;
    Act *a = data;
    (void)ctx;
    switch (a->kind) {
    case 0:
        zk_ensemble_start(a->f->ens, a->sid);
        break;
    case 1:
        zk_ensemble_crash(a->f->ens, a->sid);
        break;
    case 2:
        zk_ensemble_restart(a->f->ens, a->sid);
        break;
    case 3:
        fx_write(a->f, a->sid);
        break;
    }
    g_free(a);
}

static void act_at(Fx *f, int sid, int kind, SimTime t)
{
    Act *a = g_new(Act, 1);
    a->f = f;
    a->sid = sid;
    a->kind = kind;
    sim_at_owned(f->sim, t, SIM_NO_NODE, act_fn, NULL, a, g_free);
}

void fx_start_at(Fx *f, int sid, SimTime t)
{
    act_at(f, sid, 0, t);
}

void fx_start_all(Fx *f, SimTime t)
{
    for (int sid = 1; sid <= f->ens->nservers; sid++)
        fx_start_at(f, sid, t);
}

void fx_crash_at(Fx *f, int sid, SimTime t)
{
    act_at(f, sid, 1, t);
}

void fx_restart_at(Fx *f, int sid, SimTime t)
{
    act_at(f, sid, 2, t);
}

void fx_writes_at(Fx *f, int sid, SimTime t, int count, SimTime every)
{
    for (int i = 0; i < count; i++)
        act_at(f, sid, 3, t + i * every);
}

void fx_run_to(Fx *f, SimTime t)
{
    sim_run(f->sim, t, UINT64_MAX);
}

gboolean fx_run_until(Fx *f, gboolean (*pred)(Fx *f, void *arg), void *arg, SimTime t)
{
    while (!pred(f, arg)) {
        if (sim_failure(f->sim))
            return FALSE;
        const SimTime now = sim_now(f->sim);
        if (now > t)
            return FALSE;
        if (!sim_step(f->sim)) {
            sim_run(f->sim, t, UINT64_MAX);
            return pred(f, arg);
        }
        (void)now;
    }
    return TRUE;
}

gboolean fx_write(Fx *f, int sid)
{
    char path[32];
    g_snprintf(path, sizeof path, "/w%d", f->next_path++);
    GBytes *data = g_bytes_new_static("x", 1);
    ZkReq *req = zk_req_new(ZK_OP_CREATE, 0, f->next_path, path, data, ZK_CREATE_PERSISTENT, -1);
    g_bytes_unref(data);
    f->writes++;
    return zk_ensemble_submit(f->ens, sid, req);
}

ZkServer *fx_server(Fx *f, int sid)
{
    return zk_ensemble_server(f->ens, sid);
}

ZkRole fx_role(Fx *f, int sid)
{
    return fx_server(f, sid)->role;
}

int fx_leader(Fx *f)
{
    return zk_ensemble_leader(f->ens);
}

gboolean fx_has_leader(Fx *f, void *arg)
{
    (void)arg;
    return fx_leader(f) != 0;
}

gboolean fx_converged(Fx *f, void *arg)
{
    (void)arg;
    int l = fx_leader(f);
    if (!l)
        return FALSE;
    for (int sid = 1; sid <= f->ens->nservers; sid++) {
        ZkServer *s = fx_server(f, sid);
        if (!s->started || !sim_node_is_up(f->sim, s->node))
            continue;
        if (!s->serving)
            return FALSE;
        if (sid != l && zk_learner_leader_sid(s) != l)
            return FALSE;
    }
    return TRUE;
}

gboolean fx_check_replicas(Fx *f, GString *why)
{
    int l = fx_leader(f);
    if (!l) {
        g_string_assign(why, "no leader");
        return FALSE;
    }
    ZkServer *L = fx_server(f, l);
    for (int sid = 1; sid <= f->ens->nservers; sid++) {
        ZkServer *s = fx_server(f, sid);
        if (!s->started || !sim_node_is_up(f->sim, s->node))
            continue;
        if (!zk_inv_server_has_committed(f->ens->inv, s, why))
            return FALSE;
        if (zk_tree_digest(s->tree) != zk_tree_digest(L->tree)) {
            g_string_printf(why, "s%d's tree differs from leader s%d's (0x%" G_GINT64_MODIFIER "x vs 0x%" G_GINT64_MODIFIER "x)",
                            sid, l, zk_tree_last_processed_zxid(s->tree), zk_tree_last_processed_zxid(L->tree));
            return FALSE;
        }
    }
    return TRUE;
}

void fx_partition(Fx *f, const int *a, const int *b)
{
    int na[ZK_MAX_SERVERS + 1], nb[ZK_MAX_SERVERS + 1], i = 0, j = 0;
    for (; a[i]; i++)
        na[i] = a[i] - 1;
    na[i] = -1;
    for (; b[j]; j++)
        nb[j] = b[j] - 1;
    nb[j] = -1;
    sim_net_cut(f->sim, na, nb, TRUE);
}

void fx_heal(Fx *f)
{
    sim_net_heal(f->sim);
}
