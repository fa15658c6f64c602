/* cli_history.c - `zksim history TIMELINE.jsonl`: checks a run's client
 * history against ZooKeeper's guarantees (hist.h) from the timeline
 * alone, as it would check a history recorded from a real ensemble. */
#include "cli_cmds.h"
#include "hist.h"

#include <stdio.h>
#include <string.h>

int cli_history_main(int argc, char **argv)
{
    int limit = 10;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "Violations to print in full (default 10)", "N" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the verdict line", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("TIMELINE.jsonl|RUN_DIR - check a client history");
    g_autoptr(GString) rules = g_string_new(
        "Reads what the clients saw (OP_START, OP_END, WATCH_EVENT, connection events) and checks\n"
        "ZooKeeper's promises; each violation is printed with the timeline lines that show it.\n"
        "Rules:\n");
    for (int r = 0; r < HIST_RULE_COUNT; r++)
        g_string_append_printf(rules, "  %-15s fails when %s\n", hist_rule_name((HistRule)r),
                               hist_rule_doc((HistRule)r));
    g_string_append(rules, "Exit status: 0 the history keeps every rule, 1 it does not, 2 bad input.");
    g_option_context_set_summary(ctx, rules->str);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "zksim history: %s\n", err->message);
        return 2;
    }
    if (argc != 2 || limit < 1) {
        fprintf(stderr, "zksim history: expected one TIMELINE.jsonl (or a run directory)%s\n",
                limit < 1 ? " and --limit >= 1" : "");
        return 2;
    }
    g_autofree char *path = g_file_test(argv[1], G_FILE_TEST_IS_DIR) ? g_build_filename(argv[1], "timeline.jsonl", NULL)
                                                                     : g_strdup(argv[1]);
    g_autoptr(Hist) h = hist_new();
    if (!hist_load_file(h, path, &err)) {
        fprintf(stderr, "zksim history: %s\n", err->message);
        return 2;
    }
    g_autoptr(GString) why = g_string_new(NULL);
    g_autoptr(GString) stats = g_string_new(NULL);
    hist_stats_format(h, stats);
    if (hist_check(h, why, (guint)limit)) {
        printf("history: ok: %s: %s\n", path, stats->str);
        return 0;
    }
    if (quiet) {
        const char *nl = strchr(why->str, '\n');
        printf("%.*s\n", nl ? (int)(nl - why->str) : (int)why->len, why->str);
    } else {
        fputs(why->str, stdout);
    }
    printf("history: FAILED: %s: %s\n", path, stats->str);
    return 1;
}
