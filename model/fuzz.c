/* fuzz.c - swarm fault schedules, ddmin shrinking, parallel seeds.
 *
 * With a planted bug, every run (a seed's, or one of ddmin's trials)
 * happens in a child process under memory and CPU limits: the bug can
 * break a model assertion or start an election storm, and that must make
 * one seed fail, not end the campaign.  With several jobs, seed s goes to
 * worker (s - from) % jobs and the parent merges the results by seed, so
 * the report does not depend on the number of jobs; stop-at-first stops
 * once the lowest failing seed is settled. */
#include "fuzz.h"
#include "host.h"

#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Limits of one run's child process: a planted bug may turn an election
 * into a storm that grows without end. */
#define FUZZ_RUN_MEMORY_BYTES ((rlim_t)4 << 30)
#define FUZZ_RUN_CPU_S 120

const char *fuzz_fault_name(FuzzFault f)
{
    switch (f) {
#define FUZZ_X(id, name)                                                                           \
    case FUZZ_##id:                                                                                \
        return name;
        FUZZ_FAULT_LIST(FUZZ_X)
#undef FUZZ_X
    case FUZZ_FAULT_COUNT:
        break;
    }
    return "?";
}

int fuzz_fault_parse(const char *name)
{
    for (int f = 0; f < FUZZ_FAULT_COUNT; f++)
        if (strcmp(name, fuzz_fault_name((FuzzFault)f)) == 0)
            return f;
    return -1;
}

void fuzz_options_init(FuzzOptions *o)
{
    memset(o, 0, sizeof *o);
    o->seed_from = 1;
    o->seed_to = 100;
    o->faults = (1u << FUZZ_FAULT_COUNT) - 1;
    o->jobs = 1;
    o->horizon = 30 * SIM_S;
    o->liveness = 120 * SIM_S;
    o->settle = 10 * SIM_S;
    o->shrink = TRUE;
}

/* ---- the schedule ---- */

typedef struct {
    SimTime t;
    int order; /* generation order: ties keep it */
    char *line;
} Timed;

static gint timed_cmp(gconstpointer a, gconstpointer b)
{
    const Timed *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->order - y->order;
}

static SimTime exp_interval(SimRng *r, SimTime mean)
{
    SimDist d = { .kind = SIM_DIST_EXP, .a = mean };
    SimTime t = sim_dist_sample(&d, r);
    return t < SIM_MS ? SIM_MS : t;
}

static char *fmt_time(SimTime t)
{
    char b[SIM_TIME_STR_LEN];
    return g_strdup(sim_time_format(t - t % SIM_MS, b));
}

static void add(GArray *ev, SimTime t, char *line)
{
    Timed x = { t, (int)ev->len, line };
    g_array_append_val(ev, x);
}

/* Draws a random non-empty proper subset of s1..sn as a "partition" line. */
static char *partition_line(SimRng *r, int n)
{
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    int in_a = 0;
    for (int sid = 1; sid <= n; sid++) {
        gboolean side = sim_rng_chance(r, 0.5);
        if (sid == n && in_a == 0)
            side = TRUE;
        if (sid == n && in_a == n - 1)
            side = FALSE;
        if (side)
            in_a++;
        g_string_append_printf(side ? a : b, " s%d", sid);
    }
    char *line = g_strdup_printf("partition%s |%s", a->str, b->str);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    return line;
}

/* "partition oneway A -> B": two non-empty disjoint sets of servers. */
static char *oneway_line(SimRng *r, int n)
{
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    int from = 1 + (int)sim_rng_below(r, (uint64_t)n);
    int to = 1 + (int)sim_rng_below(r, (uint64_t)(n - 1));
    if (to >= from)
        to++;
    for (int sid = 1; sid <= n; sid++) {
        /* Every other server joins a side, or neither, at random. */
        int side = sid == from ? 0 : sid == to ? 1 : (int)sim_rng_below(r, 3);
        if (side < 2)
            g_string_append_printf(side == 0 ? a : b, " s%d", sid);
    }
    char *line = g_strdup_printf("partition oneway%s ->%s", a->str, b->str);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    return line;
}

/* One packet type broken or delayed on its way to or from server sid.
 * Only what TCP can do: a connection that breaks at that packet, or a
 * stream held up behind it; never a silent loss.  Packets the leader
 * sends match `* -> sN`, packets to the leader `sN -> *`.  Every filter
 * ends with the fault phase (`for D`, D clipped to it), so the liveness
 * phase meets none; only the steady-flow packets may also be hit
 * exactly `once` (ZOOKEEPER-2355: the connection breaks at one
 * PROPOSAL), which happens at once under load. */
static char *packet_line(SimRng *r, int sid, SimTime dur, SimTime left)
{
    static const char *const from_leader[] = { "PROPOSAL", "COMMIT", "NEWLEADER", "UPTODATE", "DIFF",
                                               "TRUNC",    "SNAP",   "LEADERINFO", "PING",  "NOTIFICATION" };
    static const char *const to_leader[] = { "ACK", "FOLLOWERINFO", "ACKEPOCH", "REQUEST", "REVALIDATE", "PING" };
    gboolean out = sim_rng_chance(r, 0.6);
    const char *type = out ? from_leader[sim_rng_below(r, G_N_ELEMENTS(from_leader))]
                           : to_leader[sim_rng_below(r, G_N_ELEMENTS(to_leader))];
    gboolean steady = strcmp(type, "PROPOSAL") == 0 || strcmp(type, "COMMIT") == 0 || strcmp(type, "ACK") == 0 ||
                      strcmp(type, "REQUEST") == 0;
    g_autofree char *dir = out ? g_strdup_printf("* -> s%d", sid) : g_strdup_printf("s%d -> *", sid);
    g_autofree char *limit = NULL;
    gboolean once = sim_rng_chance(r, 0.5);
    if (once && steady) {
        limit = g_strdup("once");
    } else {
        g_autofree char *ds = fmt_time(dur < left ? dur : left);
        limit = g_strdup_printf("for %s", ds);
    }
    if (sim_rng_chance(r, 0.6))
        return g_strdup_printf("break %s %s %s", type, dir, limit);
    g_autofree char *delay = fmt_time(sim_rng_range(r, SIM_MS, 2 * SIM_S));
    return g_strdup_printf("delay %s %s %s %s", type, dir, delay, limit);
}

/* A majority or more of s1..sn, at random, as " sA sB ...". */
static char *majority(SimRng *r, int n)
{
    int want = n / 2 + 1 + (int)sim_rng_below(r, (uint64_t)(n - n / 2));
    int *ids = g_new(int, n);
    for (int i = 0; i < n; i++)
        ids[i] = i + 1;
    sim_rng_shuffle(r, ids, (size_t)n, sizeof *ids);
    gboolean *in = g_new0(gboolean, n + 1);
    for (int i = 0; i < want; i++)
        in[ids[i]] = TRUE;
    GString *s = g_string_new(NULL);
    for (int sid = 1; sid <= n; sid++)
        if (in[sid])
            g_string_append_printf(s, " s%d", sid);
    g_free(ids);
    g_free(in);
    return g_string_free(s, FALSE);
}

/* "partition cK | s1 ... sN": the client alone, cut off from every server. */
static char *client_cut_line(const char *client, int n)
{
    GString *s = g_string_new(NULL);
    g_string_printf(s, "partition %s |", client);
    for (int sid = 1; sid <= n; sid++)
        g_string_append_printf(s, " s%d", sid);
    return g_string_free(s, FALSE);
}

/* The last absolute time of the base script; FALSE if it uses waits or
 * relative times (the merge by time would not be sound). */
static gboolean base_end(const ScnScript *base, SimTime *end, GError **err)
{
    *end = 0;
    for (guint i = 0; i < base->n_actions; i++) {
        const ScnAction *a = &base->actions[i];
        if (a->when == SCN_WHEN_END)
            continue;
        if (a->when == SCN_WHEN_WAIT || a->kind == SCN_ACTION_WAIT) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s:%u: fuzz: the base scenario must use absolute times only (no wait, no after)",
                        a->pos.file, a->pos.line);
            return FALSE;
        }
        if (a->time > *end)
            *end = a->time;
    }
    return TRUE;
}

gboolean fuzz_seed_text(const ScnScript *base, const FuzzOptions *o, uint64_t seed, GString *text,
                        GPtrArray *fault_lines, GError **err)
{
    SimTime t0;
    if (!base_end(base, &t0, err))
        return FALSE;
    t0 += SIM_S;
    int n = (int)base->params.servers;
    SimRng rng;
    sim_rng_init(&rng, seed, "fuzz");
    /* Swarm: each seed enables a random subset of the allowed kinds,
     * each with its own mean interval between strikes. */
    uint32_t on = 0;
    SimTime mean[FUZZ_FAULT_COUNT];
    for (int f = 0; f < FUZZ_FAULT_COUNT; f++) {
        mean[f] = sim_rng_range(&rng, SIM_S, 10 * SIM_S);
        if ((o->faults >> f) & 1 && sim_rng_chance(&rng, 0.5))
            on |= 1u << f;
    }
    if (!on && o->faults) {
        int f;
        do
            f = (int)sim_rng_below(&rng, FUZZ_FAULT_COUNT);
        while (!((o->faults >> f) & 1));
        on = 1u << f;
    }
    GArray *ev = g_array_new(FALSE, FALSE, sizeof(Timed));
    SimTime end = t0 + o->horizon;
    for (int f = 0; f < FUZZ_FAULT_COUNT; f++) {
        if (!((on >> f) & 1))
            continue;
        for (SimTime t = t0 + exp_interval(&rng, mean[f]); t < end; t += exp_interval(&rng, mean[f])) {
            int sid = 1 + (int)sim_rng_below(&rng, (uint64_t)n);
            SimTime dur = sim_rng_range(&rng, 500 * SIM_MS, 20 * SIM_S);
            g_autofree char *ds = fmt_time(dur);
            switch ((FuzzFault)f) {
            case FUZZ_CRASH:
                add(ev, t, g_strdup_printf("crash s%d", sid));
                break;
            case FUZZ_RESTART:
                add(ev, t, g_strdup_printf("restart s%d", sid));
                break;
            case FUZZ_PARTITION:
                add(ev, t, partition_line(&rng, n));
                if (t + dur < end)
                    add(ev, t + dur, g_strdup("heal"));
                break;
            case FUZZ_PAUSE:
                add(ev, t, g_strdup_printf("pause s%d for %s", sid, ds));
                break;
            case FUZZ_LOSS: {
                int other = 1 + (int)sim_rng_below(&rng, (uint64_t)n);
                if (other == sid)
                    other = sid % n + 1;
                if (n < 2)
                    break;
                double p = 0.001 + sim_rng_double(&rng) * 0.05;
                add(ev, t, g_strdup_printf("link s%d s%d loss=%.4f", sid, other, p));
                if (t + dur < end)
                    add(ev, t + dur, g_strdup_printf("link s%d s%d loss=0", sid, other));
                break;
            }
            case FUZZ_SLOWDISK: {
                int factor = (int)sim_rng_range(&rng, 2, 50);
                add(ev, t, g_strdup_printf("slowdisk s%d factor=%d extra=%" PRId64 "ms for %s", sid, factor,
                                           sim_rng_range(&rng, 0, 200), ds));
                break;
            }
            case FUZZ_ONEWAY:
                if (n < 2)
                    break;
                add(ev, t, oneway_line(&rng, n));
                if (t + dur < end)
                    add(ev, t + dur, g_strdup("heal"));
                break;
            case FUZZ_PACKET:
                add(ev, t, packet_line(&rng, sid, dur, end - t > SIM_MS ? end - t : SIM_MS));
                break;
            case FUZZ_CLIENT_CRASH:
            case FUZZ_CLIENT_CUT: {
                if (!base->n_clients)
                    break;
                const char *c = base->clients[sim_rng_below(&rng, base->n_clients)].name;
                gboolean crash = f == FUZZ_CLIENT_CRASH;
                add(ev, t, crash ? g_strdup_printf("crash %s", c) : client_cut_line(c, n));
                if (t + dur < end)
                    add(ev, t + dur, crash ? g_strdup_printf("restart %s", c) : g_strdup("heal"));
                break;
            }
            case FUZZ_OUTAGE: {
                g_autofree char *who = majority(&rng, n);
                add(ev, t, g_strdup_printf("crash%s", who));
                if (t + dur < end)
                    add(ev, t + dur, g_strdup_printf("restart%s", who));
                break;
            }
            case FUZZ_FAULT_COUNT:
                break;
            }
        }
    }
    g_array_sort(ev, timed_cmp);
    for (guint i = 0; i < ev->len; i++) {
        Timed *x = &g_array_index(ev, Timed, i);
        g_autofree char *ts = fmt_time(x->t);
        g_ptr_array_add(fault_lines, g_strdup_printf("at %s %s", ts, x->line));
        g_free(x->line);
    }
    g_array_free(ev, TRUE);
    scn_script_format(base, text);
    return TRUE;
}

/* The clients the kept lines crash (`at T crash cK`), each once, in order. */
static void crashed_clients(GPtrArray *lines, const gboolean *keep, int n, GPtrArray *out)
{
    for (guint i = 0; i < lines->len; i++) {
        if (keep && !keep[i])
            continue;
        const char *c = strstr(g_ptr_array_index(lines, i), " crash ");
        if (!c)
            continue;
        c += 7;
        /* servers are s1..sN; anything else named here is a client */
        if (c[0] == 's' && atoi(c + 1) >= 1 && atoi(c + 1) <= n && strspn(c + 1, "0123456789") == strlen(c + 1))
            continue;
        gboolean seen = FALSE;
        for (guint k = 0; k < out->len && !seen; k++)
            seen = strcmp(g_ptr_array_index(out, k), c) == 0;
        if (!seen)
            g_ptr_array_add(out, g_strdup(c));
    }
}

/* The scenario for a subset of the fault lines: base, faults, liveness. */
static char *assemble(const char *base_text, GPtrArray *lines, const gboolean *keep, const FuzzOptions *o,
                      SimTime t_end, int n)
{
    GString *s = g_string_new(base_text);
    g_string_append(s, "\n# fault schedule\n");
    for (guint i = 0; i < lines->len; i++)
        if (!keep || keep[i])
            g_string_append_printf(s, "%s\n", (char *)g_ptr_array_index(lines, i));
    g_autofree char *te = fmt_time(t_end);
    g_autofree char *lv = fmt_time(o->liveness);
    g_autofree char *dur = fmt_time(t_end + o->liveness + o->settle + 10 * SIM_S);
    g_autofree char *settle = fmt_time(o->settle);
    g_string_append_printf(s, "\n# liveness: heal everything, start what is down, require a leader\n");
    g_string_append_printf(s, "at %s heal\n", te);
    for (int a = 1; a <= n; a++)
        for (int b = a + 1; b <= n; b++)
            g_string_append_printf(s, "at %s link s%d s%d loss=0\n", te, a, b);
    /* `start` brings up a server that is down and leaves a running one
     * alone (`restart` would kill and restart it). */
    g_string_append_printf(s, "at %s start", te);
    for (int sid = 1; sid <= n; sid++)
        g_string_append_printf(s, " s%d", sid);
    g_string_append_c(s, '\n');
    /* Crashed clients come back too (a new session each). */
    g_autoptr(GPtrArray) crashed = g_ptr_array_new_with_free_func(g_free);
    crashed_clients(lines, keep, n, crashed);
    for (guint i = 0; i < crashed->len; i++)
        g_string_append_printf(s, "at %s restart %s\n", te, (char *)g_ptr_array_index(crashed, i));
    g_string_append_printf(s, "wait until leader within %s\nexpect no violation\n", lv);
    /* Run on a little with every client back: reads across servers,
     * watches and sessions meet the rules; then stop. */
    g_string_append_printf(s, "after %s end\nduration = %s\n", settle, dur);
    return g_string_free(s, FALSE);
}

/* A failure's signature: status and message without numbers and names,
 * so a shrunk schedule must fail "the same way". */
static char *signature(const RunReport *rep)
{
    if (rep->status == RUN_OK)
        return g_strdup("ok");
    const char *m = rep->message ? rep->message : "";
    const char *p = strstr(m, "): ");
    if (rep->status == RUN_VIOLATION && p)
        m = p + 3;
    GString *s = g_string_new(rep->status == RUN_VIOLATION ? "violation:" : "expect:");
    for (const char *c = m; *c && s->len < 80; c++)
        if (!g_ascii_isdigit(*c) && *c != 'x')
            g_string_append_c(s, *c);
    return g_string_free(s, FALSE);
}

static gboolean run_here(const char *name, const char *text, const FuzzOptions *o, RunReport *rep, GError **err)
{
    g_autoptr(ScnScript) scn = scn_load_string(name, text, NULL, err);
    if (!scn)
        return FALSE;
    RunOptions ro;
    run_options_init(&ro);
    ro.scenario = name;
    ro.no_files = TRUE;
    ro.quiet = TRUE;
    ro.bugs = o->bugs;
    return run_script(scn, &ro, rep, err);
}

/* The last non-empty line of text (for a crash message). */
static char *last_line(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (gint i = (gint)g_strv_length(lines) - 1; i >= 0; i--)
        if (*g_strstrip(lines[i]))
            return g_strdup(lines[i]);
    return g_strdup("no message");
}

/* Runs one scenario text.  With a planted bug, in a child process with
 * memory and CPU limits, so that a model assertion the bug breaks, a
 * storm that eats memory or a run that never ends becomes a failure of
 * that seed instead of the end of the campaign; the child sends back
 * "status TAB message", or "E TAB message" for an operating error.  A
 * faithful run stays in this process (a fork costs more than a small
 * run): an assertion there is a programmer error, and stops the campaign
 * as it stops any run. */
static gboolean run_text(const char *name, const char *text, const FuzzOptions *o, RunReport *rep, GError **err)
{
    if (!o->bugs)
        return run_here(name, text, o, rep, err);
    memset(rep, 0, sizeof *rep);
    int rp[2], ep[2];
    if (pipe(rp) != 0 || pipe(ep) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s", g_strerror(errno));
        return FALSE;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "fork: %s", g_strerror(errno));
        return FALSE;
    }
    if (pid == 0) {
        close(rp[0]);
        close(ep[0]);
        dup2(ep[1], 1);
        dup2(ep[1], 2);
#ifndef __SANITIZE_ADDRESS__
        struct rlimit mem = { FUZZ_RUN_MEMORY_BYTES, FUZZ_RUN_MEMORY_BYTES };
        setrlimit(RLIMIT_AS, &mem);
#endif
        struct rlimit cpu = { FUZZ_RUN_CPU_S, FUZZ_RUN_CPU_S + 1 };
        setrlimit(RLIMIT_CPU, &cpu);
        RunReport r;
        g_autoptr(GError) e = NULL;
        g_autofree char *msg = NULL;
        if (!run_here(name, text, o, &r, &e))
            msg = g_strdup_printf("E\t%s", e->message);
        else
            msg = g_strdup_printf("%d\t%" PRId64 "\t%" PRIu64 "\t%s", (int)r.status, r.end, r.events,
                                  r.message ? r.message : "");
        gsize len = strlen(msg);
        for (gsize off = 0; off < len;) {
            ssize_t w = write(rp[1], msg + off, len - off);
            if (w <= 0)
                break;
            off += (gsize)w;
        }
        _exit(0);
    }
    close(rp[1]);
    close(ep[1]);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) errs = g_string_new(NULL);
    /* Both pipes at once, so a chatty child cannot block on a full one. */
    struct pollfd pf[2] = { { rp[0], POLLIN, 0 }, { ep[0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(pf[i].fd, buf, sizeof buf);
            if (n > 0) {
                g_string_append_len(i == 0 ? out : errs, buf, n);
            } else if (n == 0 || errno != EINTR) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            }
        }
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && out->len >= 2) {
        if (out->str[0] == 'E') {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", out->str + 2);
            return FALSE;
        }
        g_auto(GStrv) f = g_strsplit(out->str, "\t", 4);
        rep->status = (RunStatus)atoi(f[0]);
        if (g_strv_length(f) == 4) {
            rep->end = g_ascii_strtoll(f[1], NULL, 10);
            rep->events = g_ascii_strtoull(f[2], NULL, 10);
            rep->message = rep->status == RUN_OK ? NULL : g_strdup(f[3]);
        }
        return TRUE;
    }
    /* Killed (an assertion's abort, a limit) or died without a word. */
    g_autofree char *why = last_line(errs->str);
    rep->status = RUN_VIOLATION;
    if (WIFSIGNALED(st))
        rep->message = g_strdup_printf("the run crashed (signal %d: %s): %s", WTERMSIG(st),
                                       WTERMSIG(st) == SIGXCPU ? "CPU limit" : g_strsignal(WTERMSIG(st)), why);
    else
        rep->message = g_strdup_printf("the run died (exit status %d): %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1, why);
    return TRUE;
}

typedef struct {
    const char *base_text;
    GPtrArray *lines;
    const FuzzOptions *o;
    SimTime t_end;
    int n;
    const char *want;
    guint runs;
} Shrink;

static gboolean fails_same(Shrink *sh, const gboolean *keep)
{
    g_autofree char *text = assemble(sh->base_text, sh->lines, keep, sh->o, sh->t_end, sh->n);
    RunReport rep;
    g_autoptr(GError) err = NULL;
    sh->runs++;
    if (!run_text("shrink.zks", text, sh->o, &rep, &err))
        return FALSE;
    g_autofree char *sig = signature(&rep);
    run_report_clear(&rep);
    return strcmp(sig, sh->want) == 0;
}

/* Zeller's ddmin over the fault lines; keep[] holds the result. */
static void ddmin(Shrink *sh, gboolean *keep)
{
    guint total = sh->lines->len;
    GArray *cur = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < total; i++)
        g_array_append_val(cur, i);
    gboolean *trial = g_new0(gboolean, total ? total : 1);
    /* Nothing at all may already fail (a planted bug needs no fault). */
    if (fails_same(sh, trial)) {
        g_array_set_size(cur, 0);
    } else {
        guint n = 2;
        while (cur->len >= 2 && sh->runs < 2000) {
            guint len = cur->len, chunk = (len + n - 1) / n;
            gboolean reduced = FALSE;
            for (guint c = 0; c * chunk < len && !reduced; c++) {
                /* the complement of chunk c */
                memset(trial, 0, total * sizeof *trial);
                for (guint k = 0; k < len; k++)
                    if (k / chunk != c)
                        trial[g_array_index(cur, guint, k)] = TRUE;
                if (fails_same(sh, trial)) {
                    GArray *next = g_array_new(FALSE, FALSE, sizeof(guint));
                    for (guint k = 0; k < len; k++)
                        if (k / chunk != c)
                            g_array_append_val(next, g_array_index(cur, guint, k));
                    g_array_free(cur, TRUE);
                    cur = next;
                    n = n > 2 ? n - 1 : 2;
                    reduced = TRUE;
                }
            }
            if (!reduced) {
                if (n >= len)
                    break;
                n = n * 2 < len ? n * 2 : len;
            }
        }
    }
    memset(keep, 0, total * sizeof *keep);
    for (guint k = 0; k < cur->len; k++)
        keep[g_array_index(cur, guint, k)] = TRUE;
    g_array_free(cur, TRUE);
    g_free(trial);
}

typedef struct {
    uint64_t seed;
    int status;
    guint lines;
    guint shrunk;
    SimTime sim_end;  /* simulated time the seed's run reached */
    uint64_t events;  /* events it ran */
    char *message;
} SeedResult;

static gboolean write_file(const char *dir, const char *name, const char *header, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *all = g_strconcat(header, text, NULL);
    return g_file_set_contents(path, all, -1, NULL);
}

/* One seed, start to end: generate, run, and on failure write and shrink. */
static gboolean fuzz_one(const ScnScript *base, const char *base_text, const FuzzOptions *o, const char *dir,
                         uint64_t seed, SeedResult *res, GError **err)
{
    g_autoptr(GString) ignored = g_string_new(NULL);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    if (!fuzz_seed_text(base, o, seed, ignored, lines, err))
        return FALSE;
    SimTime t_end;
    base_end(base, &t_end, NULL);
    t_end += SIM_S + o->horizon;
    int n = (int)base->params.servers;
    g_autofree char *text = assemble(base_text, lines, NULL, o, t_end, n);
    RunReport rep;
    g_autofree char *name = g_strdup_printf("fuzz-seed-%" PRIu64 ".zks", seed);
    if (!run_text(name, text, o, &rep, err))
        return FALSE;
    memset(res, 0, sizeof *res);
    res->seed = seed;
    res->status = rep.status;
    res->lines = lines->len;
    res->sim_end = rep.end;
    res->events = rep.events;
    if (rep.status == RUN_OK) {
        run_report_clear(&rep);
        return TRUE;
    }
    res->message = g_strdup(rep.message);
    g_autofree char *want = signature(&rep);
    run_report_clear(&rep);
    g_autofree char *header = g_strdup_printf("# zksim fuzz reproducer: seed %" PRIu64 " of %s\n# failure: %s\n"
                                              "# replay: zksim replay THIS_FILE\n\n",
                                              seed, o->scenario, res->message);
    g_mkdir_with_parents(dir, 0755);
    g_autofree char *fname = g_strdup_printf("seed-%" PRIu64 ".zks", seed);
    write_file(dir, fname, header, text);
    res->shrunk = lines->len;
    if (o->shrink) {
        Shrink sh = { base_text, lines, o, t_end, n, want, 0 };
        gboolean *keep = g_new0(gboolean, lines->len ? lines->len : 1);
        ddmin(&sh, keep);
        guint k = 0;
        for (guint i = 0; i < lines->len; i++)
            k += keep[i];
        res->shrunk = k;
        g_autofree char *min = assemble(base_text, lines, keep, o, t_end, n);
        g_autofree char *mname = g_strdup_printf("seed-%" PRIu64 ".min.zks", seed);
        g_autofree char *mheader = g_strdup_printf("# zksim fuzz reproducer, shrunk from %u to %u fault lines "
                                                   "(%u runs): seed %" PRIu64 " of %s\n# failure: %s\n\n",
                                                   lines->len, k, sh.runs, seed, o->scenario, res->message);
        write_file(dir, mname, mheader, min);
        g_free(keep);
    }
    return TRUE;
}



static gint by_seed(gconstpointer a, gconstpointer b)
{
    uint64_t x = ((const SeedResult *)a)->seed, y = ((const SeedResult *)b)->seed;
    return x < y ? -1 : x > y;
}

static char *default_dir(const char *scenario)
{
    g_autofree char *base = g_path_get_basename(scenario);
    char *dot = strrchr(base, '.');
    if (dot)
        *dot = 0;
    return g_strdup_printf("results/fuzz/%s", base);
}

static void report_line(const FuzzOptions *o, const SeedResult *r)
{
    if (r->status == RUN_OK || o->quiet)
        return;
    printf("seed %-8" PRIu64 " FAIL  %u -> %u fault lines  %s\n", r->seed, r->lines, r->shrunk, r->message);
}

static void parse_result(const char *line, GArray *results)
{
    g_auto(GStrv) f = g_strsplit(line, "\t", 7);
    if (g_strv_length(f) < 6)
        return;
    SeedResult r = { 0 };
    r.seed = g_ascii_strtoull(f[0], NULL, 10);
    r.status = atoi(f[1]);
    r.lines = (guint)atoi(f[2]);
    r.shrunk = (guint)atoi(f[3]);
    r.sim_end = g_ascii_strtoll(f[4], NULL, 10);
    r.events = g_ascii_strtoull(f[5], NULL, 10);
    r.message = f[6] && *f[6] ? g_strdup(f[6]) : NULL;
    g_array_append_val(results, r);
}

/* The lowest failing seed if every seed below it has a result (so the
 * campaign can stop there whatever the number of jobs), else 0. */
static uint64_t settled_failure(const FuzzOptions *o, const GArray *results)
{
    uint64_t lowest = 0;
    for (guint i = 0; i < results->len; i++) {
        const SeedResult *r = &g_array_index(results, SeedResult, i);
        if (r->status != RUN_OK && (!lowest || r->seed < lowest))
            lowest = r->seed;
    }
    if (!lowest)
        return 0;
    uint64_t below = 0;
    for (guint i = 0; i < results->len; i++)
        below += g_array_index(results, SeedResult, i).seed < lowest;
    return below == lowest - o->seed_from ? lowest : 0;
}

/* Reads the workers' lines as they come (each worker's pipe may fill
 * while another is read); with stop_at_first, ends the campaign once the
 * first failing seed is settled and drops the results past it. */
static void collect(const FuzzOptions *o, int *fds, pid_t *pids, int jobs, GArray *results)
{
    struct pollfd *pf = g_new0(struct pollfd, jobs);
    GString **buf = g_new0(GString *, jobs);
    int open_fds = jobs;
    for (int j = 0; j < jobs; j++) {
        pf[j].fd = fds[j];
        pf[j].events = POLLIN;
        buf[j] = g_string_new(NULL);
    }
    uint64_t stop = 0;
    while (open_fds > 0 && !stop) {
        if (poll(pf, (nfds_t)jobs, -1) < 0 && errno != EINTR)
            break;
        for (int j = 0; j < jobs; j++) {
            if (pf[j].fd < 0 || !(pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char chunk[4096];
            ssize_t n = read(pf[j].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(pf[j].fd);
                pf[j].fd = -1;
                open_fds--;
                continue;
            }
            g_string_append_len(buf[j], chunk, n);
            char *nl;
            while ((nl = strchr(buf[j]->str, '\n'))) {
                *nl = 0;
                parse_result(buf[j]->str, results);
                g_string_erase(buf[j], 0, nl - buf[j]->str + 1);
            }
        }
        if (o->stop_at_first)
            stop = settled_failure(o, results);
    }
    for (int j = 0; j < jobs; j++) {
        if (stop)
            kill(-pids[j], SIGKILL);
        if (pf[j].fd >= 0)
            close(pf[j].fd);
        int st;
        waitpid(pids[j], &st, 0);
        g_string_free(buf[j], TRUE);
    }
    if (stop) {
        for (guint i = 0; i < results->len;) {
            SeedResult *r = &g_array_index(results, SeedResult, i);
            if (r->seed > stop) {
                g_free(r->message);
                g_array_remove_index_fast(results, i);
            } else {
                i++;
            }
        }
    }
    g_free(pf);
    g_free(buf);
}

gboolean fuzz_run(const FuzzOptions *o, FuzzReport *rep, GError **err)
{
    memset(rep, 0, sizeof *rep);
    g_autoptr(ScnScript) base = scn_load(o->scenario, o->sets, err);
    if (!base)
        return FALSE;
    SimTime t;
    if (!base_end(base, &t, err))
        return FALSE;
    g_autoptr(GString) base_text = g_string_new(NULL);
    scn_script_format(base, base_text);
    g_autofree char *dir = o->out_dir ? g_strdup(o->out_dir) : default_dir(o->scenario);
    double t0 = host_wall_seconds(), c0 = host_cpu_seconds(1);
    GArray *results = g_array_new(FALSE, TRUE, sizeof(SeedResult));
    int jobs = o->jobs < 1 ? 1 : o->jobs;
    uint64_t count = o->seed_to - o->seed_from + 1;
    if (jobs == 1 || count < 2) {
        for (uint64_t s = o->seed_from; s <= o->seed_to; s++) {
            SeedResult r;
            if (!fuzz_one(base, base_text->str, o, dir, s, &r, err)) {
                g_array_free(results, TRUE);
                return FALSE;
            }
            g_array_append_val(results, r);
            report_line(o, &r);
            if (r.status != RUN_OK && o->stop_at_first)
                break;
        }
    } else {
        /* Worker processes: seed s goes to worker (s - from) % jobs; each
         * sends back one line per seed; the parent sorts by seed, so the
         * output is the same whatever the number of jobs. */
        int *fds = g_new(int, jobs);
        pid_t *pids = g_new(pid_t, jobs);
        fflush(stdout);
        for (int j = 0; j < jobs; j++) {
            int p[2];
            if (pipe(p) != 0) {
                g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s", g_strerror(errno));
                return FALSE;
            }
            pid_t pid = fork();
            if (pid == 0) {
                setpgid(0, 0); /* its runs too: stop-at-first ends them all at once */
                close(p[0]);
                FILE *w = fdopen(p[1], "w");
                for (uint64_t s = o->seed_from + (uint64_t)j; s <= o->seed_to; s += (uint64_t)jobs) {
                    SeedResult r;
                    g_autoptr(GError) e = NULL;
                    if (!fuzz_one(base, base_text->str, o, dir, s, &r, &e))
                        _exit(2);
                    char *msg = g_strdelimit(g_strdup(r.message ? r.message : ""), "\n\t", ' ');
                    fprintf(w, "%" PRIu64 "\t%d\t%u\t%u\t%" PRId64 "\t%" PRIu64 "\t%s\n", r.seed, r.status,
                            r.lines, r.shrunk, r.sim_end, r.events, msg);
                    fflush(w);
                    g_free(msg);
                    g_free(r.message);
                }
                fclose(w);
                _exit(0);
            }
            close(p[1]);
            fds[j] = p[0];
            pids[j] = pid;
        }
        collect(o, fds, pids, jobs, results);
        g_free(fds);
        g_free(pids);
        g_array_sort(results, by_seed); /* seeds are unique: a total order */
        for (guint i = 0; i < results->len; i++)
            report_line(o, &g_array_index(results, SeedResult, i));
    }
    for (guint i = 0; i < results->len; i++) {
        SeedResult *r = &g_array_index(results, SeedResult, i);
        rep->seeds_run++;
        rep->sim_s += (double)r->sim_end / (double)SIM_S;
        rep->events += r->events;
        if (r->status != RUN_OK) {
            if (!rep->failures) {
                rep->first_failing_seed = r->seed;
                rep->original_lines_first = r->lines;
                rep->shrunk_lines_first = r->shrunk;
            }
            rep->failures++;
        }
        g_free(r->message);
    }
    g_array_free(results, TRUE);
    rep->wall_s = host_wall_seconds() - t0;
    rep->cpu_s = host_cpu_seconds(1) - c0;
    return TRUE;
}
