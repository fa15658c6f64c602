/* sim_pool.c - the slow paths of the object pools (sim_pool.h). */
#include "sim_pool.h"

/* Block size: big enough that refills are rare, small enough that a pool
 * for a rarely used type costs little. */
#define BLOCK_BYTES (64 * 1024)
#define LINE 64

void *sim_pool_refill(SimPool *p)
{
    g_assert(p->size >= sizeof(void *));
    /* Blocks are cache-line aligned and their first line links them into
     * the chain, so an object whose size is a multiple of 64 bytes spans
     * whole lines only (a 128-byte one two lines, not three). */
    size_t bytes = BLOCK_BYTES > LINE + 4 * p->size ? BLOCK_BYTES : LINE + 4 * p->size;
    char *b = g_aligned_alloc(1, bytes, LINE);
    *(void **)b = p->blocks;
    p->blocks = b;
    /* The first object goes to the caller, the rest is carved later. */
    p->carve = b + LINE + p->size;
    p->left = bytes - LINE - p->size;
    return b + LINE;
}

#define CLASS(k) { .size = 16 * (k) }
SimPool sim_pool_bytes_class[SIM_POOL_BYTES_MAX / 16] = {
    CLASS(1), CLASS(2),  CLASS(3),  CLASS(4),  CLASS(5),  CLASS(6),  CLASS(7),  CLASS(8),
    CLASS(9), CLASS(10), CLASS(11), CLASS(12), CLASS(13), CLASS(14), CLASS(15), CLASS(16),
};
G_STATIC_ASSERT(SIM_POOL_BYTES_MAX / 16 == 16);
