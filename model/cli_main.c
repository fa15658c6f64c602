/* cli_main.c - the zksim command line.
 *
 *   zksim run SCENARIO [options]     run one scenario, write its outputs
 *   zksim check SCENARIO...          run scenarios with their expectations
 *   zksim params                     list every scenario parameter
 *
 * Each command parses its own options with GOption, so `zksim COMMAND
 * --help` is complete.  Operating errors (bad scenario, bad option) print
 * `file:line:column: what is wrong` and exit 2; a failed expectation
 * exits 1; a broken invariant exits 3.
 */
#include "cli_cmds.h"
#include "fuzz.h"
#include "run.h"
#include "zk_bugs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define EXIT_VIOLATION 3

static int exit_for(RunStatus st)
{
    switch (st) {
    case RUN_OK:
        return 0;
    case RUN_EXPECT_FAILED:
        return 1;
    case RUN_VIOLATION:
        return EXIT_VIOLATION;
    }
    return 1;
}

static gboolean parse_bugs(char **names, uint32_t *mask, GError **err)
{
    *mask = 0;
    for (char **n = names; n && *n; n++) {
        g_auto(GStrv) parts = g_strsplit(*n, ",", -1);
        for (char **p = parts; *p; p++) {
            if (!**p)
                continue;
            int b = zk_bug_parse(*p);
            if (b < 0) {
                g_autoptr(GString) list = g_string_new(NULL);
                for (int k = 0; k < ZK_BUG_COUNT; k++)
                    g_string_append_printf(list, "%s%s", k ? ", " : "", zk_bug_name((ZkBug)k));
                g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--bug: unknown bug '%s' (known: %s)",
                            *p, list->str);
                return FALSE;
            }
            *mask |= 1u << b;
        }
    }
    return TRUE;
}

static gboolean parse_trace(const char *s, RunTraceMode *m, GError **err)
{
    if (!s || strcmp(s, "all") == 0)
        *m = RUN_TRACE_ALL;
    else if (strcmp(s, "text") == 0)
        *m = RUN_TRACE_TEXT;
    else if (strcmp(s, "jsonl") == 0)
        *m = RUN_TRACE_JSONL;
    else if (strcmp(s, "none") == 0)
        *m = RUN_TRACE_NONE;
    else {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--trace: expected text, jsonl, all or none, got '%s'", s);
        return FALSE;
    }
    return TRUE;
}


/* ---- run ---- */

static int cmd_run(int argc, char **argv)
{
    char *seed = NULL, *out = NULL, *until = NULL, *trace = NULL;
    char **sets = NULL, **bugs = NULL;
    gboolean quiet = FALSE, determinism = FALSE;
    GOptionEntry entries[] = {
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "Seed of the run (default: the scenario's `seed`)", "N" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Output directory (default results/SCENARIO/seed-N)", "DIR" },
        { "until", 0, 0, G_OPTION_ARG_STRING, &until, "Stop at this simulated time (e.g. 30s)", "T" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a parameter or `let` variable (repeatable)",
          "KEY=VALUE" },
        { "trace", 0, 0, G_OPTION_ARG_STRING, &trace, "Timeline files: text, jsonl, all (default) or none",
          "KIND" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors", NULL },
        { "check-determinism", 0, 0, G_OPTION_ARG_NONE, &determinism,
          "Run twice in this process and compare a rolling hash of every event", NULL },
        { "bug", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bugs, "Plant a known bug (see `zksim bugs`)", "NAME" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO - run one scenario");
    g_option_context_set_summary(ctx,
                                 "Runs the scenario, prints its seed and settings, a summary at the end, and writes\n"
                                 "timeline.txt, timeline.jsonl and summary.json into the output directory.\n"
                                 "Exit status: 0 ok, 1 an expectation failed, 2 bad input, 3 an invariant broke.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = EXIT_USAGE;
    RunOptions o;
    run_options_init(&o);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        goto usage;
    if (argc != 2) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected exactly one SCENARIO (got %d)",
                    argc - 1);
        goto usage;
    }
    o.scenario = argv[1];
    o.sets = (const char *const *)sets;
    o.out_dir = out;
    o.quiet = quiet;
    if (seed && !(o.has_seed = cli_parse_u64("--seed", seed, &o.seed, &err)))
        goto usage;
    if (until) {
        const char *msg = NULL;
        if (!sim_time_parse(until, &o.until, &msg)) {
            g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--until: %s in '%s'", msg, until);
            goto usage;
        }
        o.has_until = TRUE;
    }
    if (!parse_trace(trace, &o.trace, &err) || !parse_bugs(bugs, &o.bugs, &err))
        goto usage;
    RunReport rep;
    o.hash = determinism;
    if (!run_scenario(&o, &rep, &err))
        goto usage;
    rc = exit_for(rep.status);
    if (determinism) {
        RunOptions o2 = o;
        o2.no_files = TRUE;
        o2.quiet = TRUE;
        RunReport rep2;
        if (!run_scenario(&o2, &rep2, &err)) {
            run_report_clear(&rep);
            goto usage;
        }
        gboolean same = rep.hash == rep2.hash && rep.events == rep2.events;
        printf("determinism: %s (hash %016" PRIx64 " / %016" PRIx64 ", %" PRIu64 " / %" PRIu64 " events)\n",
               same ? "identical" : "DIFFERENT", rep.hash, rep2.hash, rep.events, rep2.events);
        if (!same)
            rc = EXIT_VIOLATION;
        run_report_clear(&rep2);
    }
    run_report_clear(&rep);
    goto out;
usage:
    fprintf(stderr, "zksim run: %s\n", err->message);
out:
    g_free(seed);
    g_free(out);
    g_free(until);
    g_free(trace);
    g_strfreev(sets);
    g_strfreev(bugs);
    return rc;
}

/* ---- check ---- */

static int cmd_check(int argc, char **argv)
{
    char **sets = NULL, **bugs = NULL;
    GOptionEntry entries[] = {
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a parameter in every scenario", "KEY=VALUE" },
        { "bug", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bugs, "Plant a known bug", "NAME" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO... - run scenarios and their expectations");
    g_option_context_set_summary(ctx, "Runs each scenario with its own seed, checks its expectations and the\n"
                                      "invariants, and prints one line per scenario.  Exit status 1 if any failed.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = 0;
    uint32_t mask = 0;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || !parse_bugs(bugs, &mask, &err)) {
        fprintf(stderr, "zksim check: %s\n", err->message);
        rc = EXIT_USAGE;
        goto out;
    }
    if (argc < 2) {
        fprintf(stderr, "zksim check: expected at least one SCENARIO\n");
        rc = EXIT_USAGE;
        goto out;
    }
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        RunOptions o;
        run_options_init(&o);
        o.scenario = argv[i];
        o.sets = (const char *const *)sets;
        o.no_files = TRUE;
        o.quiet = TRUE;
        o.bugs = mask;
        RunReport rep;
        g_autoptr(GError) e = NULL;
        if (!run_scenario(&o, &rep, &e)) {
            printf("ERROR %s: %s\n", argv[i], e->message);
            failed++;
            if (rc == 0)
                rc = EXIT_USAGE;
            continue;
        }
        char tb[SIM_TIME_STR_LEN];
        if (rep.status == RUN_OK) {
            printf("PASS  %-40s %8s simulated, %" PRIu64 " commits, %u elections, %.2f s\n", argv[i],
                   sim_time_format_short(rep.end, tb), rep.commits, rep.elections, rep.wall_s);
            passed++;
        } else {
            printf("FAIL  %s: %s\n", argv[i], rep.message);
            failed++;
            if (rc == 0 || rc == 1)
                rc = exit_for(rep.status);
        }
        run_report_clear(&rep);
    }
    printf("scenarios: %d passed, %d failed\n", passed, failed);
out:
    g_strfreev(sets);
    g_strfreev(bugs);
    return rc;
}

/* ---- fuzz ---- */

static gboolean parse_seed_range(const char *s, uint64_t *a, uint64_t *b, GError **err)
{
    const char *dots = s ? strstr(s, "..") : NULL;
    if (!dots) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seeds: expected A..B, got '%s'", s ? s : "");
        return FALSE;
    }
    g_autofree char *left = g_strndup(s, (gsize)(dots - s));
    if (!cli_parse_u64("--seeds", left, a, err) || !cli_parse_u64("--seeds", dots + 2, b, err))
        return FALSE;
    if (*a > *b) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seeds: %" PRIu64 " is after %" PRIu64, *a, *b);
        return FALSE;
    }
    return TRUE;
}

/* A duration option (e.g. "2s"), at least `min`; *out untouched if absent. */
static gboolean parse_duration_opt(const char *name, const char *text, SimTime min, SimTime *out, GError **err)
{
    if (!text)
        return TRUE;
    const char *msg = NULL;
    SimTime t;
    if (!sim_time_parse(text, &t, &msg)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s in '%s'", name, msg, text);
        return FALSE;
    }
    if (t < min) {
        char m[SIM_TIME_STR_LEN];
        sim_time_format_short(min, m);
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: expected at least %s, got '%s'", name, m, text);
        return FALSE;
    }
    *out = t;
    return TRUE;
}

static int cmd_fuzz(int argc, char **argv)
{
    char *seeds = NULL, *faults = NULL, *out = NULL, *horizon = NULL, *settle = NULL;
    char **sets = NULL, **bugs = NULL;
    int jobs = 1;
    gboolean no_shrink = FALSE, quiet = FALSE, first = FALSE;
    GOptionEntry entries[] = {
        { "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds, "Seeds to run, inclusive (default 1..100)", "A..B" },
        { "faults", 0, 0, G_OPTION_ARG_STRING, &faults,
          "Fault kinds allowed (default all): crash,restart,partition,pause,loss,slowdisk,oneway,packet,client-crash,client-cut,outage", "LIST" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Worker processes (results do not depend on it)", "J" },
        { "horizon", 0, 0, G_OPTION_ARG_STRING, &horizon, "Length of the fault phase (default 30s)", "T" },
        { "settle", 0, 0, G_OPTION_ARG_STRING, &settle,
          "How long each run goes on once a leader is back (default 10s)", "T" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "Override a parameter of the base scenario", "KEY=VALUE" },
        { "bug", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bugs, "Plant a known bug", "NAME" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Where reproducers go (default results/fuzz/SCENARIO)", "DIR" },
        { "no-shrink", 0, 0, G_OPTION_ARG_NONE, &no_shrink, "Do not shrink failing schedules", NULL },
        { "stop-at-first", 0, 0, G_OPTION_ARG_NONE, &first, "Stop at the first failing seed", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print the summary only", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO - random fault schedules over a base scenario");
    g_option_context_set_summary(
        ctx, "For each seed, draws which fault kinds strike and how often (swarm testing), a schedule of\n"
             "crashes, restarts, partitions, pauses, lossy links and slow disks, then heals everything and\n"
             "requires a leader.  Every invariant is checked.  A failing seed is written as a plain\n"
             "scenario (seed-N.zks) and shrunk by delta debugging (seed-N.min.zks).  Exit 1 on any failure.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = EXIT_USAGE;
    FuzzOptions o;
    fuzz_options_init(&o);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        goto usage;
    if (argc != 2) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected exactly one SCENARIO");
        goto usage;
    }
    if (seeds && !parse_seed_range(seeds, &o.seed_from, &o.seed_to, &err))
        goto usage;
    if (faults) {
        o.faults = 0;
        g_auto(GStrv) parts = g_strsplit(faults, ",", -1);
        for (char **p = parts; *p; p++) {
            int f = fuzz_fault_parse(g_strstrip(*p));
            if (f < 0) {
                g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "--faults: unknown fault '%s' (crash, restart, partition, pause, loss, slowdisk, oneway, "
                            "packet, client-crash, client-cut, outage)", *p);
                goto usage;
            }
            o.faults |= 1u << f;
        }
    }
    if (jobs < 1 || jobs > 256) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--jobs: expected 1..256, got %d", jobs);
        goto usage;
    }
    if (!parse_bugs(bugs, &o.bugs, &err))
        goto usage;
    if (!parse_duration_opt("--horizon", horizon, SIM_MS, &o.horizon, &err) ||
        !parse_duration_opt("--settle", settle, 0, &o.settle, &err))
        goto usage;
    o.scenario = argv[1];
    o.sets = (const char *const *)sets;
    o.jobs = jobs;
    o.out_dir = out;
    o.shrink = !no_shrink;
    o.quiet = quiet;
    o.stop_at_first = first;
    FuzzReport rep;
    if (!fuzz_run(&o, &rep, &err))
        goto usage;
    printf("fuzz: %" PRIu64 " seeds, %" PRIu64 " failures", rep.seeds_run, rep.failures);
    if (rep.failures)
        printf(" (first: seed %" PRIu64 ", %u fault lines shrunk to %u)", rep.first_failing_seed,
               rep.original_lines_first, rep.shrunk_lines_first);
    printf(", %.2f s, %.1f seeds/s\n", rep.wall_s, rep.wall_s > 0 ? (double)rep.seeds_run / rep.wall_s : 0);
    if (rep.seeds_run)
        printf("fuzz: %.2f simulated s and %.0f events per seed; %.2f CPU s, %.0f seeds per CPU-hour\n",
               rep.sim_s / (double)rep.seeds_run, (double)rep.events / (double)rep.seeds_run, rep.cpu_s,
               rep.cpu_s > 0 ? 3600.0 * (double)rep.seeds_run / rep.cpu_s : 0);
    rc = rep.failures ? 1 : 0;
    goto out;
usage:
    fprintf(stderr, "zksim fuzz: %s\n", err->message);
out:
    g_free(seeds);
    g_free(faults);
    g_free(horizon);
    g_free(settle);
    g_free(out);
    g_strfreev(sets);
    g_strfreev(bugs);
    return rc;
}

/* ---- params, bugs ---- */

static int cmd_params(void)
{
    size_t n;
    const ScnParamInfo *tab = scn_param_table(&n);
    g_autoptr(GString) range = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        g_string_truncate(range, 0);
        scn_param_format_range(&tab[i], range);
        printf("%-26s %-16s default %-18s %-16s %s\n", tab[i].name, scn_param_type_name(tab[i].type),
               tab[i].default_text, range->str, tab[i].doc);
    }
    return 0;
}

static int cmd_bugs(void)
{
    for (int b = 0; b < ZK_BUG_COUNT; b++)
        printf("%-20s %s\n", zk_bug_name((ZkBug)b), zk_bug_doc((ZkBug)b));
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: zksim COMMAND [OPTIONS]\n"
               "\n"
               "A deterministic simulator of Apache ZooKeeper ensembles.\n"
               "\n"
               "Commands:\n"
               "  run SCENARIO        run one scenario and write its timeline and summary\n"
               "  check SCENARIO...   run scenarios with their expectations (one line each)\n"
               "  fuzz SCENARIO       random fault schedules; failing ones written and shrunk\n"
               "  replay FILE         run a reproducer written by fuzz (same as run)\n"
               "  plot RUN_DIR        draw a run: space-time diagram, throughput, latency CDFs\n"
               "  sweep SCENARIO      a grid of runs (--vary KEY=V1,V2) into sweep.csv and plots\n"
               "  history TIMELINE    check a run's client history against ZooKeeper's guarantees\n"
               "  params              list every scenario parameter with its default\n"
               "  bugs                list the bugs --bug can plant\n"
               "  version             print the version\n"
               "\n"
               "`zksim COMMAND --help` describes each command's options.\n");
}

int main(int argc, char **argv)
{
    sim_memory_tune((size_t)512 << 20);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "fuzz") == 0)
        return cmd_fuzz(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cli_plot_main(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cli_sweep_main(argc - 1, argv + 1);
    if (strcmp(cmd, "history") == 0)
        return cli_history_main(argc - 1, argv + 1);
    if (strcmp(cmd, "params") == 0)
        return cmd_params();
    if (strcmp(cmd, "bugs") == 0)
        return cmd_bugs();
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("zksim %s\n", ZKSIM_VERSION);
        return 0;
    }
    fprintf(stderr, "zksim: unknown command '%s' (try `zksim --help`)\n", cmd);
    return EXIT_USAGE;
}
