/* out_stats.h - exact order statistics and confidence intervals for the
 * run's and the sweep's figures.
 *
 * Percentiles are exact and deterministic: the samples are integers
 * (nanoseconds, transaction counts), kept whole and sorted, and the
 * percentile p is the nearest-rank sample, sorted[ceil(p * n) - 1], with
 * p given in parts per million so that no floating point decides a rank.
 * A percentile is therefore always a value that was observed.
 */
#ifndef OUT_STATS_H
#define OUT_STATS_H

#include <glib.h>
#include <stdint.h>

/* The percentiles every report shows, in parts per million. */
#define OUT_P50 500000u
#define OUT_P90 900000u
#define OUT_P99 990000u
#define OUT_P999 999000u
#define OUT_PMAX 1000000u

typedef struct OutSamples {
    GArray *v; /* int64_t */
    gboolean sorted;
} OutSamples;

void out_samples_init(OutSamples *s);
void out_samples_clear(OutSamples *s); /* frees the storage */
void out_samples_reset(OutSamples *s); /* empties, keeps the storage */
void out_samples_add(OutSamples *s, int64_t x);
guint out_samples_count(const OutSamples *s);
/* The nearest-rank percentile (ppm in 1..1000000); the samples must not
 * be empty.  Sorts them on first use after an add. */
int64_t out_samples_rank(OutSamples *s, uint32_t ppm);
int64_t out_samples_sum(const OutSamples *s);

/* Mean of xs[0..n) and the half-width of its 95% confidence interval
 * (Student's t with n - 1 degrees of freedom; 0 when n < 2). */
void out_mean_ci95(const double *xs, guint n, double *mean, double *half);

#endif
