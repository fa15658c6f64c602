/* cli_plot.c - `zksim plot RUN_DIR [--from T] [--to T]`: the pictures of
 * one run (out_plot.h), drawn by gnuplot into RUN_DIR/plots/. */
#include "cli_cmds.h"

#include "out_plot.h"

#include <stdio.h>

#define EXIT_USAGE 2

static gboolean parse_time(const char *opt, const char *text, SimTime *out, GError **err)
{
    const char *msg = NULL;
    if (!sim_time_parse(text, out, &msg)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s in '%s'", opt, msg, text);
        return FALSE;
    }
    return TRUE;
}

int cli_plot_main(int argc, char **argv)
{
    char *from = NULL, *to = NULL;
    gboolean quiet = FALSE, no_breaks = FALSE;
    GOptionEntry entries[] = {
        { "from", 0, 0, G_OPTION_ARG_STRING, &from, "Start of the window (default: the beginning)", "T" },
        { "to", 0, 0, G_OPTION_ARG_STRING, &to, "End of the window (default: the end of the run)", "T" },
        { "no-breaks", 0, 0, G_OPTION_ARG_NONE, &no_breaks,
          "Draw the space-time diagram to one scale (do not cut out quiet stretches)", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print nothing but errors", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("RUN_DIR - draw the pictures of one run");
    g_option_context_set_summary(
        ctx, "Reads RUN_DIR/timeline.jsonl, metrics.csv and summary.json (as `zksim run --out RUN_DIR`\n"
             "writes them) and draws with gnuplot, into RUN_DIR/plots/ (data, script, PNG and SVG):\n"
             "  spacetime    one lane per node, server states as bands, messages as arrows, faults\n"
             "  throughput   operations and commits per second, faults marked, elections shaded\n"
             "  latency-cdf  latency distribution per operation type\n"
             "Messages are arrows for every message when the run set net.traceMessages = yes, else\n"
             "for the election's notifications.  Times take units: --from 9.9s --to 10.5s.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    int rc = EXIT_USAGE;
    OutPlotOptions o = { .from = 0, .to = SIM_TIME_NEVER };
    g_autoptr(GString) report = g_string_new(NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err))
        goto usage;
    if (argc != 2) {
        g_set_error(&err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected exactly one RUN_DIR (got %d)",
                    argc - 1);
        goto usage;
    }
    if ((from && !parse_time("--from", from, &o.from, &err)) || (to && !parse_time("--to", to, &o.to, &err)))
        goto usage;
    o.run_dir = argv[1];
    o.breaks = !no_breaks;
    if (!out_plot_run(&o, report, &err)) {
        fputs(report->str, stdout);
        fprintf(stderr, "zksim plot: %s\n", err->message);
        rc = 1;
        goto out;
    }
    if (!quiet)
        printf("%s", report->str);
    rc = 0;
    goto out;
usage:
    fprintf(stderr, "zksim plot: %s\n", err->message);
out:
    g_free(from);
    g_free(to);
    return rc;
}
