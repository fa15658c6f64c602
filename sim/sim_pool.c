/* sim_pool.c - the slow paths of the object pools (sim_pool.h). */
#include "sim_pool.h"

/* Block size: big enough that refills are rare, small enough that a pool
 * for a rarely used type costs little. */
#define BLOCK_BYTES (64 * 1024)

void *sim_pool_refill(SimPool *p)
{
    g_assert(p->size >= sizeof(void *));
    /* The block's first 16 bytes link it into the chain, keeping the
     * objects after it 16-byte aligned. */
    size_t bytes = BLOCK_BYTES > 16 + 4 * p->size ? BLOCK_BYTES : 16 + 4 * p->size;
    char *b = g_malloc(bytes);
    *(void **)b = p->blocks;
    p->blocks = b;
    p->carve = b + 16;
    p->carve_end = b + bytes;
    void *o = p->carve;
    p->carve += p->size;
    return o;
}

void sim_pool_clear(SimPool *p)
{
    while (p->blocks) {
        void *next = *(void **)p->blocks;
        g_free(p->blocks);
        p->blocks = next;
    }
    p->free = NULL;
    p->carve = p->carve_end = NULL;
    p->live = 0;
}
