/* host.h - what the host machine says about itself: wall time, CPU time
 * and peak memory, for the figures runs, fuzz campaigns and sweeps report.
 * Nothing simulated may depend on them (the lint rule's reason); this is
 * the one place outside the command line that reads them. */
#ifndef HOST_H
#define HOST_H

/* Seconds on a monotonic clock (an arbitrary origin: take differences). */
double host_wall_seconds(void);
/* CPU seconds (user + system) of this process, plus those of its waited-for
 * children if with_children. */
double host_cpu_seconds(int with_children);
/* The process's peak resident memory so far, in KiB. */
long host_peak_rss_kib(void);

#endif
