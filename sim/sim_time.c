/* sim_time.c - parsing and printing of virtual durations.
 *
 * Durations come from scenario files and the command line ("250ms",
 * "1.5s") and go out to timelines and reports.  Both directions use
 * integer arithmetic only: "0.1s" must be exactly 100000000 ns, which a
 * detour through double would not promise.  A parsed duration is the
 * integer part times the unit plus the fraction digits, read as an
 * integer, times the unit divided by a power of ten; a text whose value
 * is not a whole number of nanoseconds is rejected rather than rounded,
 * so parse and format are exact inverses.
 */
#include "sim_time.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MINUTE_NS (60 * SIM_S)

typedef struct {
    const char *name;
    SimTime ns;
} TimeUnit;

/* Parse side: every accepted suffix. */
static const TimeUnit parse_units[] = {
    { "ns", SIM_NS },
    { "us", SIM_US },
    { "ms", SIM_MS },
    { "s", SIM_S },
    { "m", MINUTE_NS },
};

/* Format side, largest first, each printed with up to three decimals.
 * Nanoseconds are the integer fallback and minutes are handled apart (see
 * sim_time_format), so neither is in this list. */
static const TimeUnit format_units[] = {
    { "s", SIM_S },
    { "ms", SIM_MS },
    { "us", SIM_US },
};

/* A fraction whose last nonzero digit is at the 12th decimal place or
 * beyond can never come to whole nanoseconds, even in minutes (60e9 =
 * 2^11 * 3 * 5^10 holds only ten factors of 5), so such fractions are
 * rejected before any multiplication, and the arithmetic below cannot
 * overflow. */
#define FRAC_DIGITS_MAX 11

static const SimTime *lookup_unit(const char *s)
{
    for (size_t i = 0; i < G_N_ELEMENTS(parse_units); i++)
        if (strcmp(s, parse_units[i].name) == 0)
            return &parse_units[i].ns;
    return NULL;
}

static gboolean fail(const char **err_msg, const char *msg)
{
    if (err_msg)
        *err_msg = msg;
    return FALSE;
}

gboolean sim_time_parse(const char *text, SimTime *out, const char **err_msg)
{
    g_assert(text != NULL);
    g_assert(out != NULL);

    const char *p = text;
    if (*p == '\0')
        return fail(err_msg, "empty duration");
    if (*p == '-')
        return fail(err_msg, "negative duration");
    if (!g_ascii_isdigit(*p))
        return fail(err_msg, "expected a digit");

    /* Integer part, checked against INT64_MAX digit by digit. */
    uint64_t whole = 0;
    for (; g_ascii_isdigit(*p); p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (whole > ((uint64_t)INT64_MAX - d) / 10)
            return fail(err_msg, "duration too large");
        whole = whole * 10 + d;
    }

    /* Fraction: keep the digits up to the last nonzero one, so trailing
     * zeros ("1.500s") cost nothing. */
    uint64_t frac = 0;
    int frac_digits = 0;
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return fail(err_msg, "expected a digit after '.'");
        int pending_zeros = 0;
        for (; g_ascii_isdigit(*p); p++) {
            if (*p == '0') {
                pending_zeros++;
                continue;
            }
            frac_digits += pending_zeros + 1;
            if (frac_digits > FRAC_DIGITS_MAX)
                return fail(err_msg, "duration finer than 1ns");
            for (; pending_zeros > 0; pending_zeros--)
                frac *= 10;
            frac = frac * 10 + (uint64_t)(*p - '0');
        }
    }

    if (*p == '\0') {
        /* "0" needs no unit: zero is zero in every unit. */
        if (whole == 0 && frac == 0) {
            *out = 0;
            return TRUE;
        }
        return fail(err_msg, "missing unit (ns, us, ms, s, m)");
    }
    const SimTime *unit = lookup_unit(p);
    if (!unit)
        return fail(err_msg, "unknown unit (expected ns, us, ms, s, m)");

    /* frac < 10^11 and unit <= 6e10, so the product fits in 128 bits. */
    uint64_t pow10 = 1;
    for (int i = 0; i < frac_digits; i++)
        pow10 *= 10;
    unsigned __int128 frac_scaled = (unsigned __int128)frac * (uint64_t)*unit;
    if (frac_scaled % pow10 != 0)
        return fail(err_msg, "duration finer than 1ns");
    uint64_t frac_ns = (uint64_t)(frac_scaled / pow10);
    g_assert(frac_ns < (uint64_t)*unit);

    if (whole > ((uint64_t)INT64_MAX - frac_ns) / (uint64_t)*unit)
        return fail(err_msg, "duration too large");
    *out = (SimTime)(whole * (uint64_t)*unit + frac_ns);
    return TRUE;
}

/* Prints mag in unit u if that is exact to three decimals. */
static gboolean format_in_unit(char *buf, const char *sign, uint64_t mag, const TimeUnit *u)
{
    uint64_t unit = (uint64_t)u->ns;
    uint64_t milli = unit / 1000;
    if (mag < unit || mag % milli != 0)
        return FALSE;

    uint64_t whole = mag / unit;
    unsigned thousandths = (unsigned)((mag % unit) / milli);
    if (thousandths == 0) {
        snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 "%s", sign, whole, u->name);
        return TRUE;
    }
    /* Trailing zeros trimmed: 1.500 -> 1.5. */
    int digits = 3;
    while (thousandths % 10 == 0) {
        thousandths /= 10;
        digits--;
    }
    snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 ".%0*u%s", sign, whole, digits, thousandths, u->name);
    return TRUE;
}

char *sim_time_format(SimTime t, char *buf)
{
    g_assert(buf != NULL);
    if (t == 0) {
        snprintf(buf, SIM_TIME_STR_LEN, "0");
        return buf;
    }
    /* Magnitude in unsigned arithmetic: -INT64_MIN does not fit int64. */
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;

    /* Minutes only when whole: "1.5m" is easily misread as 1m5s, while
     * "90s" cannot be. */
    if (mag >= (uint64_t)MINUTE_NS && mag % (uint64_t)MINUTE_NS == 0) {
        snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 "m", sign, mag / (uint64_t)MINUTE_NS);
        return buf;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(format_units); i++)
        if (format_in_unit(buf, sign, mag, &format_units[i]))
            return buf;
    snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 "ns", sign, mag);
    return buf;
}

char *sim_time_format_sec(SimTime t, char *buf)
{
    g_assert(buf != NULL);
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    /* Truncated toward zero, like a clock: 999999ns is still 0.000999. */
    uint64_t sec = mag / (uint64_t)SIM_S;
    uint64_t usec = (mag % (uint64_t)SIM_S) / (uint64_t)SIM_US;
    /* "%s%" PRIu64 ".%06" PRIu64 by hand: every line of a text timeline
     * starts with one. */
    char *p = buf;
    if (*sign)
        *p++ = '-';
    p = sim_fmt_u64(p, sec);
    *p++ = '.';
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    p[6] = '\0';
    return buf;
}

char *sim_time_format_short(SimTime t, char *buf)
{
    g_assert(buf != NULL);
    const char *sign = t < 0 ? "-" : "";
    uint64_t mag = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    static const struct {
        uint64_t ns;
        const char *name;
    } units[] = { { (uint64_t)SIM_S, "s" }, { (uint64_t)SIM_MS, "ms" }, { (uint64_t)SIM_US, "us" } };
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (mag < units[i].ns)
            continue;
        /* Round to three decimals, then drop trailing zeros. */
        uint64_t milli = (mag * 1000 + units[i].ns / 2) / units[i].ns;
        if (mag > UINT64_MAX / 1000)
            milli = mag / (units[i].ns / 1000);
        /* sign, milli / 1000, '.', milli % 1000 in three digits (printf's
         * "%s%" PRIu64 ".%03" PRIu64, by hand: the text timeline prints
         * one per time field). */
        char *p = buf;
        if (*sign)
            *p++ = '-';
        p = sim_fmt_u64(p, milli / 1000);
        int n = (int)(p - buf);
        unsigned frac = (unsigned)(milli % 1000);
        buf[n++] = '.';
        buf[n++] = (char)('0' + frac / 100);
        buf[n++] = (char)('0' + frac / 10 % 10);
        buf[n++] = (char)('0' + frac % 10);
        while (n > 0 && buf[n - 1] == '0')
            n--;
        if (n > 0 && buf[n - 1] == '.')
            n--;
        for (const char *u = units[i].name; *u;)
            buf[n++] = *u++;
        buf[n] = '\0';
        return buf;
    }
    snprintf(buf, SIM_TIME_STR_LEN, "%s%" PRIu64 "ns", sign, mag);
    return buf;
}
