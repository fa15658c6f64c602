/* sim_pool.h - free lists of fixed-size objects, for the hot path.
 *
 * A simulation allocates and frees the same few kinds of small objects
 * millions of times (messages, requests, txns).  A SimPool keeps freed
 * objects on a singly linked free list threaded through their first word
 * and carves new ones from 64 KiB blocks, so an allocation is a pointer
 * pop and a memset once the pool is warm.  A pool lives as long as the
 * process and never gives memory back: its high-water mark is the cost.
 *
 * Pools change no simulated behaviour: which address an object gets is
 * never observed.  Under the sanitizers (SIM_POOL_DISABLE, set by `make
 * sanitize`) every call goes to malloc/free, so a use after free is still
 * caught.
 *
 *   static SimPool msg_pool = SIM_POOL_INIT(ZkMsg);
 *   ZkMsg *m = SIM_POOL_NEW0(&msg_pool, ZkMsg);
 *   ...
 *   sim_pool_free(&msg_pool, m);
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

typedef struct SimPool {
    size_t size;  /* object size, at least a pointer */
    void *free;   /* free list */
    void *blocks; /* chain of blocks, linked through their first word: keeps
                   * every block reachable for leak checkers */
    char *carve;  /* next unused byte of the newest block */
    size_t left;  /* bytes left there */
} SimPool;

#define SIM_POOL_SIZE(n) ((n) < sizeof(void *) ? sizeof(void *) : (((n) + 15) & ~(size_t)15))
#define SIM_POOL_INIT(type) { .size = SIM_POOL_SIZE(sizeof(type)) }

/* Slow path: a new block (sim_pool.c). */
void *sim_pool_refill(SimPool *p);

/* A zeroed object of the pool's type.  The size is known at compile
 * time, so the memset is a few inline stores rather than a library call. */
#define SIM_POOL_NEW0(p, type) ((type *)sim_pool_alloc_n0((p), sizeof(type)))

/* n: how many leading bytes to zero (at most p->size). */
static inline void *sim_pool_alloc_n0(SimPool *p, size_t n)
{
#ifdef SIM_POOL_DISABLE
    (void)n;
    return g_malloc0(p->size);
#else
    void *o = p->free;
    if (o) {
        p->free = *(void **)o;
        /* The next object of this pool, to be written by the next
         * allocation: objects that lived long (txns, values) come back
         * cold, and the fetch overlaps whatever runs until then. */
        __builtin_prefetch(p->free, 1);
    } else if (p->left >= p->size) {
        o = p->carve;
        p->carve += p->size;
        p->left -= p->size;
    } else
        o = sim_pool_refill(p);
    memset(o, 0, n);
    return o;
#endif
}

static inline void sim_pool_free(SimPool *p, void *o)
{
    if (!o)
        return;
#ifdef SIM_POOL_DISABLE
    (void)p;
    g_free(o);
#else
    *(void **)o = p->free;
    p->free = o;
#endif
}

/* ---- prefetching ----
 *
 * Starts fetching every cache line of [p, p + bytes) (a hint: no
 * behaviour depends on it, and any address may be given). */
static inline void sim_prefetch_range(const void *p, size_t bytes)
{
    if (!bytes)
        return;
    for (uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + bytes; a < end; a += 64)
        __builtin_prefetch((const void *)a);
}

/* ---- byte blocks by size ----
 *
 * For buffers whose size varies (refcounted strings, a workload's
 * values): up to SIM_POOL_BYTES_MAX bytes from one pool per 16-byte size
 * class, larger ones from malloc.  The caller gives the same n to the
 * free (it knows it: a string's length, a value's header). */
#define SIM_POOL_BYTES_MAX 256
extern SimPool sim_pool_bytes_class[SIM_POOL_BYTES_MAX / 16];

static inline void *sim_pool_alloc_bytes(size_t n)
{
    if (n > SIM_POOL_BYTES_MAX)
        return g_malloc(n);
    return sim_pool_alloc_n0(&sim_pool_bytes_class[n ? (n - 1) / 16 : 0], 0);
}

static inline void sim_pool_free_bytes(void *o, size_t n)
{
    if (n > SIM_POOL_BYTES_MAX)
        g_free(o);
    else
        sim_pool_free(&sim_pool_bytes_class[n ? (n - 1) / 16 : 0], o);
}

#endif
