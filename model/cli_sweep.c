/* cli_sweep.c - `zksim sweep`: a grid of runs (out_sweep.h), run here by
 * a pool of processes, or written as a plan for other machines and
 * merged afterwards.
 *
 *   zksim sweep SCENARIO --vary KEY=V1,V2,... [--vary ...] [--seeds N|A..B]
 *               [--set KEY=VALUE ...] [--jobs J] [--out DIR] [--plan FILE]
 *   zksim sweep --merge DIR
 *
 * Every run is `zksim run SCENARIO --set ... --seed S --out
 * DIR/runs/pNNN/seed-S --quiet --trace none`, started from this very
 * binary (/proc/self/exe), so a sweep never mixes versions.  Before
 * anything runs, the scenario is loaded once per grid point with that
 * point's settings, so a misspelt key or a bad value stops the sweep at
 * once instead of in every run.
 */
#include "cli_cmds.h"
#include "host.h"

#include "out_plan.h"
#include "out_progress.h"
#include "out_sweep.h"
#include "scn.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define DEFAULT_SEEDS 3

typedef struct {
    char **vary, **sets;
    char *seeds, *out, *plan, *merge, *zksim;
    int jobs;
    gboolean no_plots, quiet;
} SweepArgs;

static void args_clear(SweepArgs *a)
{
    g_strfreev(a->vary);
    g_strfreev(a->sets);
    g_free(a->seeds);
    g_free(a->out);
    g_free(a->plan);
    g_free(a->merge);
    g_free(a->zksim);
}


/* --seeds N (1..N) or A..B. */
static gboolean parse_seeds(const char *text, GArray *seeds, GError **err)
{
    uint64_t a = 1, b = DEFAULT_SEEDS;
    const char *dots = text ? strstr(text, "..") : NULL;
    if (dots) {
        g_autofree char *left = g_strndup(text, (gsize)(dots - text));
        if (!cli_parse_u64("--seeds", left, &a, err) || !cli_parse_u64("--seeds", dots + 2, &b, err))
            return FALSE;
    } else if (text && !cli_parse_u64("--seeds", text, &b, err)) {
        return FALSE;
    }
    if (a > b || b - a >= OUT_SWEEP_RUNS_MAX || (!dots && b == 0)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seeds: expected N >= 1 or A..B with A <= B");
        return FALSE;
    }
    for (uint64_t s = a; s <= b; s++)
        g_array_append_val(seeds, s);
    return TRUE;
}


/* The binary the runs use: --zksim, else this one. */
static char *self_path(const char *given, GError **err)
{
    if (given)
        return g_canonicalize_filename(given, NULL);
    g_autofree char *p = g_file_read_link("/proc/self/exe", err);
    return p ? g_strdup(p) : NULL;
}

/* Loads the scenario with each point's settings: bad keys and values are
 * found here, once. */
static gboolean check_points(const OutSweep *s, GError **err)
{
    for (guint p = 0; p < out_sweep_points(s); p++) {
        g_auto(GStrv) sets = out_sweep_point_sets(s, p);
        g_autoptr(ScnScript) scn = scn_load(s->scenario, (const char *const *)sets, err);
        if (!scn) {
            g_autofree char *name = out_sweep_point_name(p);
            g_prefix_error(err, "point %s: ", name);
            return FALSE;
        }
    }
    return TRUE;
}

static OutPlan *build_plan(const OutSweep *s, const char *dir, const char *zksim)
{
    OutPlan *plan = out_plan_new();
    for (guint p = 0; p < out_sweep_points(s); p++) {
        g_auto(GStrv) sets = out_sweep_point_sets(s, p);
        for (guint i = 0; i < s->seeds->len; i++) {
            uint64_t seed = g_array_index(s->seeds, uint64_t, i);
            g_autofree char *run_dir = out_sweep_run_dir(dir, p, seed);
            g_autofree char *seed_text = g_strdup_printf("%" PRIu64, seed);
            g_autoptr(GPtrArray) argv = g_ptr_array_new();
            g_ptr_array_add(argv, (char *)zksim);
            g_ptr_array_add(argv, "run");
            g_ptr_array_add(argv, s->scenario);
            for (char **x = sets; *x; x++) {
                g_ptr_array_add(argv, "--set");
                g_ptr_array_add(argv, *x);
            }
            g_ptr_array_add(argv, "--seed");
            g_ptr_array_add(argv, seed_text);
            g_ptr_array_add(argv, "--out");
            g_ptr_array_add(argv, run_dir);
            g_ptr_array_add(argv, "--quiet");
            g_ptr_array_add(argv, "--trace");
            g_ptr_array_add(argv, "none");
            g_ptr_array_add(argv, NULL);
            out_plan_add(plan, (const char *const *)argv->pdata);
        }
    }
    return plan;
}

static char *default_dir(const char *scenario)
{
    g_autofree char *base = g_path_get_basename(scenario);
    char *dot = strrchr(base, '.');
    if (dot && strcmp(dot, ".zks") == 0)
        *dot = 0;
    return g_build_filename("results", "sweep", base, NULL);
}

static int merge(const OutSweep *s, const char *dir, const SweepArgs *a)
{
    g_autoptr(GString) report = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    guint failed = 0;
    if (!out_sweep_merge(s, dir, !a->no_plots, &failed, report, &err)) {
        fputs(report->str, stdout);
        fprintf(stderr, "zksim sweep: %s\n", err->message);
        return 1;
    }
    if (!a->quiet) {
        fputs(report->str, stdout);
        printf("sweep: %s/sweep.csv", dir);
        if (failed)
            printf(", %u runs did not end ok (column `failed`; their summaries say why)", failed);
        printf("\n");
    }
    return failed ? 1 : 0;
}

/* Runs the plan here; 0, or the exit status for the sweep. */
static int run_local(const OutPlan *plan, int jobs, gboolean quiet)
{
    guint n = out_plan_len(plan);
    g_autofree int *status = g_new(int, n);
    g_autoptr(OutProgress) pg = out_progress_new("sweep", quiet);
    g_autoptr(GError) err = NULL;
    double t0 = host_wall_seconds();
    gboolean ok = out_plan_run(plan, jobs, pg, EXIT_USAGE, status, &err);
    out_progress_clear(pg);
    if (!ok) {
        fprintf(stderr, "zksim sweep: %s\n", err->message);
        return EXIT_USAGE;
    }
    guint bad = 0, crashed = 0;
    for (guint i = 0; i < n; i++) {
        if (status[i] == EXIT_USAGE && !bad++) {
            g_autofree char *line = out_plan_line(plan, i);
            fprintf(stderr, "zksim sweep: a run rejected its input (its message is above):\n  %s\n", line);
        }
        if (status[i] > 3 && !crashed++) {
            g_autofree char *line = out_plan_line(plan, i);
            fprintf(stderr, "zksim sweep: a run died (exit status %d):\n  %s\n", status[i], line);
        }
    }
    if (bad)
        return EXIT_USAGE;
    if (!quiet)
        printf("sweep: %u runs in %.1f s with %d jobs\n", n, host_wall_seconds() - t0, jobs);
    return 0;
}

static int sweep(const SweepArgs *a, const char *scenario)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *scn_abs = g_canonicalize_filename(scenario, NULL);
    g_autofree char *zksim = NULL, *given_dir = NULL, *dir = NULL;
    g_autoptr(OutSweep) s = out_sweep_new(scn_abs);
    g_autoptr(OutPlan) plan = NULL;
    for (char **x = a->sets; x && *x; x++)
        g_ptr_array_add(s->sets, g_strdup(*x));
    for (char **v = a->vary; v && *v; v++)
        if (!out_sweep_add_vary(s, *v, &err))
            goto usage;
    if (!s->vary->len) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected at least one --vary KEY=V1,V2,...");
        goto usage;
    }
    if (!parse_seeds(a->seeds, s->seeds, &err))
        goto usage;
    if ((uint64_t)out_sweep_points(s) * s->seeds->len > OUT_SWEEP_RUNS_MAX) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "more than %d runs", OUT_SWEEP_RUNS_MAX);
        goto usage;
    }
    if (a->jobs < 0 || a->jobs > OUT_PLAN_JOBS_MAX) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--jobs: expected 1..%d, got %d",
                    OUT_PLAN_JOBS_MAX, a->jobs);
        goto usage;
    }
    if (!check_points(s, &err) || !(zksim = self_path(a->zksim, &err)))
        goto usage;
    given_dir = a->out ? g_strdup(a->out) : default_dir(scenario);
    dir = g_canonicalize_filename(given_dir, NULL);
    if (!out_sweep_save(s, dir, &err))
        goto usage;
    plan = build_plan(s, dir, zksim);
    if (a->plan) {
        if (!out_plan_write(plan, a->plan, &err))
            goto usage;
        if (!a->quiet)
            printf("sweep: %u runs (%u points x %u seeds) written to %s, one command per line.\n"
                   "Run them anywhere that sees %s, in any order, e.g.\n"
                   "  parallel -j 8 < %s\n"
                   "  sbatch --array=1-%u tests/slurm/zksim-array.sbatch %s\n"
                   "then gather them:\n"
                   "  zksim sweep --merge %s\n",
                   out_plan_len(plan), out_sweep_points(s), s->seeds->len, a->plan, dir, a->plan,
                   out_plan_len(plan), a->plan, dir);
        return 0;
    }
    /* A run that fails to write must not leave an older summary behind. */
    for (guint p = 0; p < out_sweep_points(s); p++)
        for (guint i = 0; i < s->seeds->len; i++) {
            g_autofree char *rd = out_sweep_run_dir(dir, p, g_array_index(s->seeds, uint64_t, i));
            g_autofree char *sum = g_build_filename(rd, "summary.json", NULL);
            g_unlink(sum);
        }
    int rc = run_local(plan, a->jobs ? a->jobs : out_plan_default_jobs(), a->quiet);
    return rc ? rc : merge(s, dir, a);
usage:
    fprintf(stderr, "zksim sweep: %s\n", err->message);
    return EXIT_USAGE;
}

int cli_sweep_main(int argc, char **argv)
{
    SweepArgs a = { 0 };
    GOptionEntry entries[] = {
        { "vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.vary,
          "A key and its values (repeatable; the grid is their product)", "KEY=V1,V2,..." },
        { "seeds", 0, 0, G_OPTION_ARG_STRING, &a.seeds, "Seeds per point: N (1..N, default 3) or A..B", "N" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.sets, "A fixed override for every run (repeatable)",
          "KEY=VALUE" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &a.jobs, "Runs at once (default: the number of processors)", "J" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &a.out, "Sweep directory (default results/sweep/SCENARIO)", "DIR" },
        { "plan", 0, 0, G_OPTION_ARG_FILENAME, &a.plan,
          "Write the runs to FILE, one shell command per line, instead of running them", "FILE" },
        { "merge", 0, 0, G_OPTION_ARG_FILENAME, &a.merge,
          "Gather the runs of a planned sweep into sweep.csv and plots", "DIR" },
        { "no-plots", 0, 0, G_OPTION_ARG_NONE, &a.no_plots, "Write sweep.csv only", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "Print nothing but errors", NULL },
        { "zksim", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &a.zksim,
          "The zksim binary the runs use (default: this one)", "PATH" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO --vary KEY=V1,V2,... | --merge DIR - sweeps");
    g_option_context_set_summary(
        ctx, "Runs SCENARIO at every point of a grid (the product of the --vary lists) with each seed,\n"
             "each an independent `zksim run` in its own process, then writes DIR/sweep.csv (one row per\n"
             "point: mean and 95% confidence interval over the seeds of election time, throughput,\n"
             "latency percentiles, commits...) and plots against each varied key in DIR/plots/.\n"
             "KEY is any parameter or `let` variable.  Results do not depend on --jobs.\n"
             "With --plan FILE, writes the runs as shell commands (GNU parallel, a Slurm job array:\n"
             "tests/slurm/zksim-array.sbatch) and runs nothing; `zksim sweep --merge DIR` then gathers\n"
             "them into the same sweep.csv and plots.  Exit 1 if a run did not end ok.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = EXIT_USAGE;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "zksim sweep: %s\n", err->message);
        goto out;
    }
    if (a.merge) {
        if (argc != 1 || a.vary || a.plan) {
            fprintf(stderr, "zksim sweep: --merge DIR takes no SCENARIO, --vary or --plan\n");
            goto out;
        }
        g_autoptr(OutSweep) s = out_sweep_load(a.merge, &err);
        if (!s) {
            fprintf(stderr, "zksim sweep: %s\n", err->message);
            goto out;
        }
        g_autofree char *dir = g_canonicalize_filename(a.merge, NULL);
        rc = merge(s, dir, &a);
        goto out;
    }
    if (argc != 2) {
        fprintf(stderr, "zksim sweep: expected exactly one SCENARIO (got %d); see zksim sweep --help\n", argc - 1);
        goto out;
    }
    rc = sweep(&a, argv[1]);
out:
    args_clear(&a);
    return rc;
}
