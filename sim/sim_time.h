/* sim_time.h - virtual time: an int64 count of nanoseconds.
 *
 * Simulated time never touches the host clock or floating point: every
 * instant and every duration is a SimTime.  The helpers here build
 * durations from human units and parse and print them ("250ms", "1.5s").
 */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <glib.h>
#include <stdint.h>

typedef int64_t SimTime;

#define SIM_NS ((SimTime)1)
#define SIM_US ((SimTime)1000)
#define SIM_MS ((SimTime)1000000)
#define SIM_S ((SimTime)1000000000)
#define SIM_TIME_MAX INT64_MAX
#define SIM_TIME_NEVER INT64_MAX

/* Parses a duration such as "200ms", "1.5s", "30us", "7ns", "2m" (minutes)
 * or a bare "0".  A bare number without unit is rejected unless it is 0,
 * so "200" never silently means 200 ns.  Returns FALSE and sets *err_msg
 * (a static string) on failure. */
gboolean sim_time_parse(const char *text, SimTime *out, const char **err_msg);

/* Formats t as a short human string with the largest unit that keeps it
 * exact to three decimals ("204ms", "1.5s", "120us").  buf must hold at
 * least SIM_TIME_STR_LEN bytes; returns buf. */
#define SIM_TIME_STR_LEN 32
char *sim_time_format(SimTime t, char *buf);

/* For people: the largest unit that is at least 1, rounded to three
 * decimals ("10.203s", "205.396ms").  Not exact: use sim_time_format
 * where the text must parse back to the same value. */
char *sim_time_format_short(SimTime t, char *buf);

/* Seconds with six decimals ("3.204117"), the timeline's time column. */
char *sim_time_format_sec(SimTime t, char *buf);

/* Writes v in decimal at p (at most 20 bytes, no NUL) and returns the
 * end: printf's "%" PRIu64 without printf, for the numbers every line of
 * every output carries (the time formats, the trace, the workloads). */
static inline char *sim_fmt_u64(char *p, uint64_t v)
{
    /* Two digits per division, from a table of "00".."99". */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char digits[20];
    char *q = digits + sizeof digits;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        q[0] = pairs[2 * r];
        q[1] = pairs[2 * r + 1];
    }
    if (v >= 10) {
        q -= 2;
        q[0] = pairs[2 * v];
        q[1] = pairs[2 * v + 1];
    } else {
        *--q = (char)('0' + v);
    }
    while (q < digits + sizeof digits)
        *p++ = *q++;
    return p;
}

#endif
