/* out_gnuplot.c - see out_gnuplot.h. */
#include "out_gnuplot.h"

#include <string.h>

gboolean out_gnuplot_available(void)
{
    g_autofree char *p = g_find_program_in_path("gnuplot");
    return p != NULL;
}

void out_gnuplot_preamble(GString *gp, const char *name, int width, int height)
{
    g_string_append_printf(gp,
                           "# Made by zksim.  gnuplot %s.gp draws %s.png; "
                           "gnuplot -e \"fmt='svg'\" %s.gp draws %s.svg.\n"
                           "if (!exists(\"fmt\")) fmt = 'png'\n"
                           "if (fmt eq 'svg') {\n"
                           "    set terminal svg size %d,%d dynamic enhanced font 'Helvetica,12' background '#ffffff'\n"
                           "} else {\n"
                           "    if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                           "        set terminal pngcairo size %d,%d enhanced font ',10' background '#ffffff'\n"
                           "    } else {\n"
                           "        set terminal png size %d,%d enhanced background '#ffffff'\n"
                           "    }\n"
                           "}\n"
                           "set output '%s.'.fmt\n"
                           "set encoding utf8\n"
                           "set border lc rgb '#444444'\n"
                           "set grid lc rgb '#dddddd' lw 1\n",
                           name, name, name, name, width, height, width, height, width, height, name);
}

gboolean out_write_file(const char *dir, const char *name, const GString *s, GError **err)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    return g_file_set_contents(path, s->str, (gssize)s->len, err);
}

static gboolean run_once(const char *dir, const char *script, const char *fmt, GError **err)
{
    g_autofree char *expr = g_strdup_printf("fmt='%s'", fmt);
    const char *argv[] = { "gnuplot", "-e", expr, script, NULL };
    g_autofree char *out = NULL, *errs = NULL;
    int status = 0;
    if (!g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errs, &status, err))
        return FALSE;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "gnuplot %s/%s failed: %s", dir, script,
                    errs && *errs ? g_strstrip(errs) : "(no message)");
        return FALSE;
    }
    return TRUE;
}

gboolean out_gnuplot_draw(const char *dir, const char *name, const GString *script, GError **err)
{
    g_autofree char *file = g_strdup_printf("%s.gp", name);
    if (!out_write_file(dir, file, script, err))
        return FALSE;
    if (!out_gnuplot_available()) {
        g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                    "gnuplot is not installed (apt-get install gnuplot-nox); the data and %s are in %s/", file, dir);
        return FALSE;
    }
    return run_once(dir, file, "png", err) && run_once(dir, file, "svg", err);
}

typedef struct {
    const char *name;
    guint32 rgb;
} Color;

static const Color named[] = {
    /* server states */
    { "LOOKING", 0xf2c14e },
    { "FOLLOWING", 0x8ab6d6 },
    { "LEADING", 0x3a9e5f },
    { "OBSERVING", 0xc3a6d8 },
    { "DOWN", 0xc8c8c8 },
    { "CONNECTED", 0xd4e6c3 },
    /* messages */
    { "NOTIFICATION", 0x1f77b4 },
    { "CNX_HELLO", 0x9ecae1 },
    { "FOLLOWERINFO", 0x9467bd },
    { "OBSERVERINFO", 0x9467bd },
    { "LEADERINFO", 0x8c564b },
    { "ACKEPOCH", 0xe377c2 },
    { "DIFF", 0x17becf },
    { "TRUNC", 0x17becf },
    { "SNAP", 0x17becf },
    { "NEWLEADER", 0x2ca02c },
    { "UPTODATE", 0xbcbd22 },
    { "PROPOSAL", 0xff7f0e },
    { "ACK", 0xd62728 },
    { "COMMIT", 0x7b3294 },
    { "INFORM", 0x7b3294 },
    { "REQUEST", 0x636363 },
    { "PING", 0xbdbdbd },
    { "REVALIDATE", 0xbdbdbd },
    { "SYNC", 0x637939 },
};

static const guint32 palette[] = { 0x1b9e77, 0xd95f02, 0x7570b3, 0xe7298a, 0x66a61e, 0xe6ab02, 0xa6761d, 0x666666 };

guint32 out_color_of(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(named); i++)
        if (strcmp(named[i].name, name) == 0)
            return named[i].rgb;
    guint32 h = 5381;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = h * 33 + *p;
    return palette[h % G_N_ELEMENTS(palette)];
}
