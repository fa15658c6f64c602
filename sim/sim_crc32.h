/* sim_crc32.h - CRC-32 as java.util.zip.CRC32 computes it (reflected,
 * polynomial 0xEDB88320), for ZooKeeper's data tree digest.
 *
 * The running state starts at 0xffffffff and the CRC is its complement:
 *
 *   uint32_t c = sim_crc32_update(0xffffffffu, path, strlen(path));
 *   c = sim_crc32_update(c, data, len);
 *   uint32_t crc = ~c;
 *
 * On x86-64 CPUs with carry-less multiplication (PCLMULQDQ, checked at
 * run time) 16-byte blocks are folded with it; elsewhere, and for the
 * bytes after the last whole block, eight bytes a step through tables.
 * Both give the same value for every input (tests/test_tree.c checks them
 * against each other and against known CRCs).
 */
#ifndef SIM_CRC32_H
#define SIM_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t sim_crc32_update(uint32_t crc, const void *buf, size_t len);
/* The table-driven path alone (for tests). */
uint32_t sim_crc32_update_table(uint32_t crc, const void *buf, size_t len);
/* Whether sim_crc32_update folds with PCLMULQDQ on this CPU. */
int sim_crc32_has_clmul(void);

#endif
