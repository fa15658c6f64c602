/* sim_ring.h - a growable ring buffer of fixed-size elements (a deque
 * used as a FIFO with O(1) indexing).
 *
 * For the queues a simulation pushes at one end and pops at the other
 * millions of times (outstanding proposals, unacked proposals, pending
 * txns): no allocation per element, the elements are stored inline and
 * contiguous, and the n-th element is an index computation, not a walk.
 *
 *   SimRing r;
 *   sim_ring_init(&r, sizeof(Item));
 *   Item *it = sim_ring_push(&r);      -- a zeroed slot at the tail
 *   Item *first = sim_ring_peek(&r);   -- NULL when empty
 *   sim_ring_pop(&r);
 *   sim_ring_clear(&r);
 *
 * Pointers into the ring are good until the next push (which may move
 * the storage) or until their element is popped.
 */
#ifndef SIM_RING_H
#define SIM_RING_H

#include <glib.h>
#include <string.h>

typedef struct SimRing {
    char *buf;
    guint elt;  /* element size */
    guint cap;  /* a power of two, or 0 */
    guint head; /* index of the first element */
    guint len;
} SimRing;

static inline void sim_ring_init(SimRing *r, guint elt)
{
    *r = (SimRing){ .elt = elt };
}

/* Frees the storage; the ring is empty and usable afterwards. */
static inline void sim_ring_clear(SimRing *r)
{
    g_free(r->buf);
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}

static inline guint sim_ring_len(const SimRing *r)
{
    return r->len;
}

/* The i-th element from the head (i < len). */
static inline void *sim_ring_nth(const SimRing *r, guint i)
{
    g_assert(i < r->len);
    return r->buf + (size_t)((r->head + i) & (r->cap - 1)) * r->elt;
}

static inline void *sim_ring_peek(const SimRing *r)
{
    return r->len ? sim_ring_nth(r, 0) : NULL;
}

static inline void sim_ring_pop(SimRing *r)
{
    g_assert(r->len > 0);
    r->head = (r->head + 1) & (r->cap - 1);
    r->len--;
}

/* Doubles the storage, unwrapping the elements to the front. */
static inline void sim_ring_grow(SimRing *r)
{
    guint cap = r->cap ? r->cap * 2 : 16;
    char *buf = g_malloc((size_t)cap * r->elt);
    for (guint i = 0; i < r->len; i++)
        memcpy(buf + (size_t)i * r->elt, sim_ring_nth(r, i), r->elt);
    g_free(r->buf);
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
}

/* Appends an element with undefined contents and returns it: for
 * callers that write every byte. */
static inline void *sim_ring_push_raw(SimRing *r)
{
    if (r->len == r->cap)
        sim_ring_grow(r);
    r->len++;
    return sim_ring_nth(r, r->len - 1);
}

/* Appends a zeroed element and returns it. */
static inline void *sim_ring_push(SimRing *r)
{
    void *e = sim_ring_push_raw(r);
    memset(e, 0, r->elt);
    return e;
}

/* Removes the last element. */
static inline void sim_ring_pop_tail(SimRing *r)
{
    g_assert(r->len > 0);
    r->len--;
}

/* Rings of pointers (elt == sizeof(void *)), used like a GQueue without
 * a list node allocated per element.  The getters return NULL when the
 * ring is empty, so a NULL element cannot be told from "empty": store
 * none. */
static inline void sim_ring_push_ptr(SimRing *r, void *p)
{
    g_assert(r->elt == sizeof(void *) && p);
    *(void **)sim_ring_push_raw(r) = p;
}

static inline void *sim_ring_nth_ptr(const SimRing *r, guint i)
{
    return *(void **)sim_ring_nth(r, i);
}

static inline void *sim_ring_head_ptr(const SimRing *r)
{
    return r->len ? sim_ring_nth_ptr(r, 0) : NULL;
}

static inline void *sim_ring_tail_ptr(const SimRing *r)
{
    return r->len ? sim_ring_nth_ptr(r, r->len - 1) : NULL;
}

/* Removes and returns the head, or NULL when empty. */
static inline void *sim_ring_shift_ptr(SimRing *r)
{
    if (!r->len)
        return NULL;
    void *p = sim_ring_nth_ptr(r, 0);
    sim_ring_pop(r);
    return p;
}

#endif
