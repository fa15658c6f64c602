/* out_progress.c - see out_progress.h. */
#include "out_progress.h"

#include <stdio.h>
#include <unistd.h>

#define REDRAW_US 200000 /* at most five updates a second */

struct OutProgress {
    FILE *f;
    char *label;
    gint64 t0_us;
    gint64 last_us;
    gboolean shown;
};

static gint64 wall_us(void)
{
    return g_get_monotonic_time(); /* progress display only; lint: allow */
}

OutProgress *out_progress_new(const char *label, gboolean quiet)
{
    if (quiet)
        return NULL;
    FILE *f = isatty(STDERR_FILENO) ? stderr : isatty(STDOUT_FILENO) ? stdout : NULL;
    if (!f)
        return NULL;
    OutProgress *p = g_new0(OutProgress, 1);
    p->f = f;
    p->label = g_strdup(label);
    p->t0_us = wall_us();
    p->last_us = p->t0_us - REDRAW_US; /* the first update draws */
    return p;
}

void out_progress_clear(OutProgress *p)
{
    if (!p || !p->shown)
        return;
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->shown = FALSE;
}

void out_progress_free(OutProgress *p)
{
    if (!p)
        return;
    out_progress_clear(p);
    g_free(p->label);
    g_free(p);
}

/* TRUE when it is time to redraw (or force). */
static gboolean due(OutProgress *p, gboolean force, gint64 *now)
{
    *now = wall_us();
    if (!force && *now - p->last_us < REDRAW_US)
        return FALSE;
    p->last_us = *now;
    return TRUE;
}

static void draw(OutProgress *p, const char *text)
{
    fprintf(p->f, "\r\033[K%s %s", p->label, text);
    fflush(p->f);
    p->shown = TRUE;
}

static void format_duration(double s, char *buf, size_t len)
{
    if (s < 0)
        s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600)
        g_snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        g_snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void out_progress_sim(OutProgress *p, SimTime now, SimTime end, uint64_t events)
{
    gint64 w;
    if (!p || !due(p, FALSE, &w))
        return;
    double el = (double)(w - p->t0_us) / 1e6;
    char a[SIM_TIME_STR_LEN], b[SIM_TIME_STR_LEN], text[160];
    double rate = el > 0 ? (double)events / el : 0;
    if (end > 0 && end != SIM_TIME_NEVER) {
        double frac = now >= end ? 1.0 : (double)now / (double)end;
        char eta[32] = "";
        if (frac > 0.001 && el > 0.5)
            format_duration(el / frac - el, eta, sizeof eta);
        g_snprintf(text, sizeof text, "%s / %s simulated (%3.0f%%), %.2f M events/s%s%s",
                   sim_time_format_short(now, a), sim_time_format_short(end, b), frac * 100, rate / 1e6,
                   *eta ? ", ETA " : "", eta);
    } else {
        g_snprintf(text, sizeof text, "%s simulated, %.2f M events/s", sim_time_format_short(now, a), rate / 1e6);
    }
    draw(p, text);
}

void out_progress_runs(OutProgress *p, uint64_t done, uint64_t total, uint64_t failures)
{
    gint64 w;
    if (!p || !due(p, done >= total, &w))
        return;
    double el = (double)(w - p->t0_us) / 1e6;
    char eta[32] = "?", spent[32], text[160];
    if (done > 0 && done <= total)
        format_duration(el / (double)done * (double)(total - done), eta, sizeof eta);
    format_duration(el, spent, sizeof spent);
    unsigned width = 24, fill = total ? (unsigned)(done * width / total) : width;
    char bar[32];
    for (unsigned i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    g_snprintf(text, sizeof text, "[%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
               " failed, %s elapsed, ETA %s", bar, done, total, failures, spent, eta);
    draw(p, text);
}
