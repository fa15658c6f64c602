/* host.c - wall time, CPU time and peak memory of the host (host.h). */
#include "host.h"

#include <sys/resource.h>
#include <time.h>

double host_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* reports only; lint: allow */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_of(int who)
{
    struct rusage ru;
    getrusage(who, &ru); /* reports only; lint: allow */
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double host_cpu_seconds(int with_children)
{
    return cpu_of(RUSAGE_SELF) + (with_children ? cpu_of(RUSAGE_CHILDREN) : 0.0);
}

long host_peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* reports only; lint: allow */
    return ru.ru_maxrss;
}
