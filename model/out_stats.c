/* out_stats.c - see out_stats.h. */
#include "out_stats.h"

#include <math.h>

void out_samples_init(OutSamples *s)
{
    s->v = g_array_new(FALSE, FALSE, sizeof(int64_t));
    s->sorted = TRUE;
}

void out_samples_clear(OutSamples *s)
{
    if (s->v)
        g_array_free(s->v, TRUE);
    s->v = NULL;
}

void out_samples_reset(OutSamples *s)
{
    g_array_set_size(s->v, 0);
    s->sorted = TRUE;
}

void out_samples_add(OutSamples *s, int64_t x)
{
    if (s->v->len && x < g_array_index(s->v, int64_t, s->v->len - 1))
        s->sorted = FALSE;
    g_array_append_val(s->v, x);
}

guint out_samples_count(const OutSamples *s)
{
    return s->v ? s->v->len : 0;
}

static gint cmp_i64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int64_t out_samples_rank(OutSamples *s, uint32_t ppm)
{
    g_assert(s->v->len > 0);
    g_assert(ppm >= 1 && ppm <= OUT_PMAX);
    if (!s->sorted) {
        g_array_sort(s->v, cmp_i64);
        s->sorted = TRUE;
    }
    uint64_t n = s->v->len;
    uint64_t rank = (ppm * n + OUT_PMAX - 1) / OUT_PMAX; /* ceil(p * n), >= 1 */
    return g_array_index(s->v, int64_t, rank - 1);
}

int64_t out_samples_sum(const OutSamples *s)
{
    int64_t sum = 0;
    for (guint i = 0; s->v && i < s->v->len; i++)
        sum += g_array_index(s->v, int64_t, i);
    return sum;
}

/* t(0.975, df) for df = 1..30; beyond, the 40/60/120/infinity rows. */
static const double t975[] = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

static double t_quantile(guint df)
{
    if (df >= 1 && df <= G_N_ELEMENTS(t975))
        return t975[df - 1];
    return df <= 40 ? 2.021 : df <= 60 ? 2.000 : df <= 120 ? 1.980 : 1.960;
}

void out_mean_ci95(const double *xs, guint n, double *mean, double *half)
{
    double sum = 0;
    gboolean same = TRUE;
    for (guint i = 0; i < n; i++) {
        sum += xs[i];
        same &= xs[i] == xs[0];
    }
    /* Equal samples give their value and no spread, exactly. */
    *mean = n == 0 ? 0 : same ? xs[0] : sum / n;
    *half = 0;
    if (n < 2 || same)
        return;
    double ss = 0;
    for (guint i = 0; i < n; i++)
        ss += (xs[i] - *mean) * (xs[i] - *mean);
    *half = t_quantile(n - 1) * sqrt(ss / (n - 1)) / sqrt((double)n);
}
