/* sim_map.h - a hash map from 64-bit keys to non-NULL pointers.
 *
 * For the lookups a simulation makes for nearly every message: a
 * connection's state by its id, a session by its id, a transaction by its
 * zxid.  GHashTable serves them through two indirect calls per probe (the
 * hash and the equality function) and a key stored behind a pointer;
 * here the key sits in the table, the hash is one multiplication
 * (Fibonacci hashing: ids and zxids are dense, and the high bits of the
 * product spread them), and a probe is a compare.
 *
 * Open addressing with linear probing, at most half full; removal shifts
 * the following entries back instead of leaving tombstones, so a long run
 * of inserts and removes does not slow lookups down.  NULL marks an empty
 * slot, hence values must not be NULL.
 *
 * There is no iteration: the order would depend on the hash, and nothing
 * a simulation does may depend on that.  sim_u64map_clear() frees the
 * values in an unspecified order, for teardown only.
 *
 *   SimU64Map m;
 *   sim_u64map_init(&m);
 *   sim_u64map_put(&m, id, obj);
 *   Obj *o = sim_u64map_get(&m, id);     -- NULL if absent
 *   o = sim_u64map_take(&m, id);         -- removes, returns it or NULL
 *   sim_u64map_clear(&m, obj_free);
 */
#ifndef SIM_MAP_H
#define SIM_MAP_H

#include <glib.h>
#include <stdint.h>

typedef struct SimU64Map {
    uint64_t *keys;
    void **vals; /* NULL: empty slot */
    guint cap;   /* a power of two, or 0 */
    guint shift; /* 64 - log2(cap) */
    guint len;
} SimU64Map;

void sim_u64map_init(SimU64Map *m);
/* Removes everything, calling free_val (if not NULL) on each value, and
 * frees the storage; the map is empty and usable afterwards. */
void sim_u64map_clear(SimU64Map *m, GDestroyNotify free_val);
/* Inserts or replaces; returns the value replaced, or NULL. */
void *sim_u64map_put(SimU64Map *m, uint64_t key, void *val);
/* Removes key; returns its value, or NULL if it was absent. */
void *sim_u64map_take(SimU64Map *m, uint64_t key);

static inline guint sim_u64map_len(const SimU64Map *m)
{
    return m->len;
}

static inline guint sim_u64map_slot(const SimU64Map *m, uint64_t key)
{
    return (guint)((key * UINT64_C(0x9e3779b97f4a7c15)) >> m->shift);
}

static inline void *sim_u64map_get(const SimU64Map *m, uint64_t key)
{
    if (m->len == 0)
        return NULL;
    guint mask = m->cap - 1;
    for (guint i = sim_u64map_slot(m, key);; i = (i + 1) & mask) {
        void *v = m->vals[i];
        if (!v || m->keys[i] == key)
            return v;
    }
}

#endif
