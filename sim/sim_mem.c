/* sim_mem.c - the process's heap on transparent huge pages, and glibc's
 * allocator set for a simulator's churn.
 *
 * A long run keeps tens of MiB live (W1: every server's txn log up to
 * the next snapshot, ~100,000 txns) and streams through them: on 4 KiB
 * pages that is a page fault for every new page (expensive in a VM) and
 * a TLB miss on most cold accesses.  With the heap on 2 MiB pages, W1's
 * faults drop from ~14,500 to ~2,000 and its wall time by about a sixth
 * (make bench, one machine, same binary with and without).
 *
 * glibc grows its main heap with brk and never asks for huge pages
 * unless told so by the environment (GLIBC_TUNABLES glibc.malloc.hugetlb,
 * read before main).  So this grows the heap once, up front, by
 * `reserve` bytes of address space in chunks below the mmap threshold
 * (so they come from brk), marks the range MADV_HUGEPAGE, frees it, and
 * turns off trimming so that the range stays in the heap for the
 * allocations to come.  Nothing is touched: the resident size grows only
 * as the run uses memory, by 2 MiB steps instead of 4 KiB ones.  Freed
 * memory then stays in the process until exit, which suits a batch tool.
 *
 * It also turns glibc's fastbins off (M_MXFAST 0).  A run frees small
 * objects in bursts (a snapshot drops tens of thousands of txns with
 * their paths and values); past the thread cache they pile up in
 * fastbins that malloc_consolidate() later walks.  Without them W1 runs
 * about 7% faster (make bench; malloc_consolidate and unlink_chunk were
 * 3% of its samples).
 *
 * Where the kernel has THP off, madvise is a no-op or fails, harmlessly.
 * Under the sanitizers (their own allocator) and off glibc it does
 * nothing.  Which addresses objects get is never observed by a run, so
 * simulated behaviour and every output byte are the same either way.
 */
#include "sim.h"

#if defined(__GLIBC__) && defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#include <sys/mman.h>
#define SIM_MEM_TUNE 1
#endif

void sim_memory_tune(size_t reserve)
{
#ifdef SIM_MEM_TUNE
    const size_t chunk = (size_t)16 << 20; /* below the mmap threshold set here */
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1)
        return;
    (void)mallopt(M_MXFAST, 0); /* see above */
    void *blocks[64];
    size_t n = 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (size_t got = 0; got < reserve && n < G_N_ELEMENTS(blocks); got += chunk) {
        /* malloc, not g_malloc: running out of address space here is
         * not an error, only the end of the reservation. */
        void *b = malloc(chunk);
        if (!b)
            break;
        blocks[n++] = b;
        lo = MIN(lo, (uintptr_t)b);
        hi = MAX(hi, (uintptr_t)b + chunk);
    }
    /* One call once the heap has grown: the chunks are adjacent, and a
     * range past the heap's end would not take the advice.  The whole
     * huge pages inside. */
    lo = (lo + huge - 1) & ~(huge - 1);
    hi &= ~(huge - 1);
    if (n > 0 && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    while (n > 0)
        free(blocks[--n]);
#else
    (void)reserve;
#endif
}
