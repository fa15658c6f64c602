/* cli_cmds.h - the subcommands that live in their own files; cli_main.c
 * dispatches to them.  Each takes the arguments after `zksim` (argv[0]
 * is the command's name), parses its own options with GOption, and
 * returns the process exit status.
 */
#ifndef CLI_CMDS_H
#define CLI_CMDS_H

#include <glib.h>
#include <stdint.h>

/* zksim plot RUN_DIR [--from T] [--to T]: pictures of one run (cli_plot.c). */
int cli_plot_main(int argc, char **argv);
/* zksim sweep SCENARIO --vary KEY=V1,V2 ... | --merge DIR: grids of runs
 * (cli_sweep.c). */
int cli_sweep_main(int argc, char **argv);
/* zksim history TIMELINE.jsonl|RUN_DIR [--limit N]: checks a client
 * history against ZooKeeper's guarantees (cli_history.c, hist.h). */
int cli_history_main(int argc, char **argv);

/* A non-negative decimal integer option value ("--seed: expected a
 * non-negative integer, got 'x'" otherwise). */
gboolean cli_parse_u64(const char *opt, const char *s, uint64_t *out, GError **err);

#endif
