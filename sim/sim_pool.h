/* sim_pool.h - free lists of fixed-size objects, for the hot path.
 *
 * A simulation allocates and frees the same few kinds of small objects
 * millions of times (messages, requests, txns).  A SimPool keeps freed
 * objects on a singly linked free list threaded through their first word
 * and carves new ones from 64 KiB blocks, so an allocation is a pointer
 * pop and a memset once the pool is warm.  Memory goes back to the
 * system only in sim_pool_clear (a pool that lives as long as the process
 * may never call it).
 *
 * Pools change no simulated behaviour: which address an object gets is
 * never observed.  Under the sanitizers (SIM_POOL_DISABLE, set by `make
 * sanitize`) every call goes to malloc/free, so a use after free is still
 * caught.
 *
 *   static SimPool msg_pool = SIM_POOL_INIT(ZkMsg);
 *   ZkMsg *m = sim_pool_alloc0(&msg_pool);
 *   ...
 *   sim_pool_free(&msg_pool, m);
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <glib.h>
#include <string.h>

typedef struct SimPool {
    size_t size;  /* object size, at least a pointer */
    void *free;   /* free list */
    void *blocks; /* chain of blocks, linked through their first word */
    char *carve;  /* next unused byte of the newest block */
    char *carve_end;
    size_t live;  /* objects handed out and not freed */
} SimPool;

#define SIM_POOL_SIZE(n) ((n) < sizeof(void *) ? sizeof(void *) : (((n) + 15) & ~(size_t)15))
#define SIM_POOL_INIT(type) { .size = SIM_POOL_SIZE(sizeof(type)) }

/* Slow path: a new block (sim_pool.c). */
void *sim_pool_refill(SimPool *p);
/* Frees every block; objects still live become invalid. */
void sim_pool_clear(SimPool *p);

static inline void *sim_pool_alloc0(SimPool *p)
{
#ifdef SIM_POOL_DISABLE
    p->live++;
    return g_malloc0(p->size);
#else
    void *o = p->free;
    if (o)
        p->free = *(void **)o;
    else if (p->carve + p->size <= p->carve_end) {
        o = p->carve;
        p->carve += p->size;
    } else
        o = sim_pool_refill(p);
    p->live++;
    memset(o, 0, p->size);
    return o;
#endif
}

static inline void sim_pool_free(SimPool *p, void *o)
{
    if (!o)
        return;
    p->live--;
#ifdef SIM_POOL_DISABLE
    g_free(o);
#else
    *(void **)o = p->free;
    p->free = o;
#endif
}

#endif
