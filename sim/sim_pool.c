/* sim_pool.c - the slow paths of the object pools (sim_pool.h). */
#include "sim_pool.h"
#include "sim_rcstr.h"

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

typedef struct {
    char bytes[32];
} Bytes32;
typedef struct {
    char bytes[64];
} Bytes64;
SimPool sim_rcstr_pool32 = SIM_POOL_INIT(Bytes32);
SimPool sim_rcstr_pool64 = SIM_POOL_INIT(Bytes64);
