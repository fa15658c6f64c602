/* sim_rcstr.h - reference-counted immutable strings, single-threaded.
 *
 * A path travels with a write from the client's call to the leader's txn
 * log and change records: one copy, shared by reference, instead of a
 * malloc and a free at every hop.  GLib's GRefString does the same with
 * atomic counts, a library call and a locked instruction per change;
 * zksim is one thread, so a plain count does (W1: about 8 changes a
 * write).
 *
 * The value is a plain NUL-terminated `char *` for every reader; only the
 * owners call sim_rcstr_ref/unref, and a string not made by
 * sim_rcstr_new must never be passed to them.  The block comes from
 * sim_pool_alloc_bytes (a pool object for a short string, as a node path
 * usually is), its size known again at free time from the length.  Under
 * the sanitizers (SIM_POOL_DISABLE) every block is one malloc, so a
 * mismatch is a bad free that ASan reports.
 *
 *   char *p = sim_rcstr_new("/a/b", -1);
 *   char *q = sim_rcstr_ref(p);     -- same pointer, count 2
 *   sim_rcstr_unref(p);
 *   sim_rcstr_unref(q);             -- freed
 */
#ifndef SIM_RCSTR_H
#define SIM_RCSTR_H

#include "sim_pool.h"

#include <glib.h>
#include <string.h>

typedef struct {
    guint ref;
    guint len;
} SimRcStrHeader;

static inline SimRcStrHeader *sim_rcstr_header(const char *s)
{
    return (SimRcStrHeader *)(void *)((char *)s - sizeof(SimRcStrHeader));
}

/* A new string with count 1: the first len bytes of s (len < 0: all of
 * s, NUL-terminated), plus a NUL. */
static inline char *sim_rcstr_new(const char *s, gssize len)
{
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    g_assert(n < G_MAXUINT);
    SimRcStrHeader *h = sim_pool_alloc_bytes(sizeof(SimRcStrHeader) + n + 1);
    h->ref = 1;
    h->len = (guint)n;
    char *p = (char *)(h + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static inline char *sim_rcstr_ref(char *s)
{
    SimRcStrHeader *h = sim_rcstr_header(s);
    g_assert(h->ref > 0 && h->ref < G_MAXUINT);
    h->ref++;
    return s;
}

/* Drops a reference (NULL is fine); the last one frees the string. */
static inline void sim_rcstr_unref(char *s)
{
    if (!s)
        return;
    SimRcStrHeader *h = sim_rcstr_header(s);
    g_assert(h->ref > 0);
    if (--h->ref == 0)
        sim_pool_free_bytes(h, sizeof *h + h->len + 1);
}

/* The byte length (strlen without the walk). */
static inline gsize sim_rcstr_len(const char *s)
{
    return sim_rcstr_header(s)->len;
}

#endif
