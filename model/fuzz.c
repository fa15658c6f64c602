/* fuzz.c - swarm fault schedules, ddmin shrinking, parallel seeds. */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    g_autofree char *dur = fmt_time(t_end + o->liveness + 10 * SIM_S);
    g_string_append_printf(s, "\n# liveness: heal everything, restart everything, require a leader\n");
    g_string_append_printf(s, "at %s heal\n", te);
    for (int a = 1; a <= n; a++)
        for (int b = a + 1; b <= n; b++)
            g_string_append_printf(s, "at %s link s%d s%d loss=0\n", te, a, b);
    g_string_append_printf(s, "at %s restart", te);
    for (int sid = 1; sid <= n; sid++)
        g_string_append_printf(s, " s%d", sid);
    g_string_append_printf(s, "\nwait until leader within %s\nexpect no violation\nduration = %s\n", lv, dur);
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

static gboolean run_text(const char *name, const char *text, const FuzzOptions *o, RunReport *rep, GError **err)
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

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* wall time for reports only; lint: allow */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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
    double t0 = wall_now();
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
                close(p[0]);
                FILE *w = fdopen(p[1], "w");
                for (uint64_t s = o->seed_from + (uint64_t)j; s <= o->seed_to; s += (uint64_t)jobs) {
                    SeedResult r;
                    g_autoptr(GError) e = NULL;
                    if (!fuzz_one(base, base_text->str, o, dir, s, &r, &e))
                        _exit(2);
                    char *msg = g_strdelimit(g_strdup(r.message ? r.message : ""), "\n\t", ' ');
                    fprintf(w, "%" PRIu64 "\t%d\t%u\t%u\t%s\n", r.seed, r.status, r.lines, r.shrunk, msg);
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
        for (int j = 0; j < jobs; j++) {
            FILE *rf = fdopen(fds[j], "r");
            char line[8192];
            while (fgets(line, sizeof line, rf)) {
                g_auto(GStrv) f = g_strsplit(g_strchomp(line), "\t", 5);
                if (g_strv_length(f) < 4)
                    continue;
                SeedResult r = { 0 };
                r.seed = g_ascii_strtoull(f[0], NULL, 10);
                r.status = atoi(f[1]);
                r.lines = (guint)atoi(f[2]);
                r.shrunk = (guint)atoi(f[3]);
                r.message = f[4] && *f[4] ? g_strdup(f[4]) : NULL;
                g_array_append_val(results, r);
            }
            fclose(rf);
            int st;
            waitpid(pids[j], &st, 0);
        }
        g_free(fds);
        g_free(pids);
        /* sort by seed */
        for (guint i = 1; i < results->len; i++)
            for (guint k = i; k > 0 && g_array_index(results, SeedResult, k - 1).seed >
                                           g_array_index(results, SeedResult, k).seed;
                 k--) {
                SeedResult tmp = g_array_index(results, SeedResult, k);
                g_array_index(results, SeedResult, k) = g_array_index(results, SeedResult, k - 1);
                g_array_index(results, SeedResult, k - 1) = tmp;
            }
        for (guint i = 0; i < results->len; i++)
            report_line(o, &g_array_index(results, SeedResult, i));
    }
    for (guint i = 0; i < results->len; i++) {
        SeedResult *r = &g_array_index(results, SeedResult, i);
        rep->seeds_run++;
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
    rep->wall_s = wall_now() - t0;
    return TRUE;
}
