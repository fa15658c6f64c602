/* cli_util.c - option parsing shared by the subcommands. */
#include "cli_cmds.h"

#include <errno.h>

gboolean cli_parse_u64(const char *opt, const char *s, uint64_t *out, GError **err)
{
    char *end = NULL;
    errno = 0;
    guint64 v = g_ascii_strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-') {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: expected a non-negative integer, got '%s'",
                    opt, s);
        return FALSE;
    }
    *out = v;
    return TRUE;
}
