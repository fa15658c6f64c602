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
    /* The first object goes to the caller, the rest is carved later. */
    p->carve = b + 16 + p->size;
    p->left = bytes - 16 - p->size;
    return b + 16;
}
