/* sim_map.h - hash maps from 64-bit keys or strings to non-NULL pointers.
 *
 * For the lookups a simulation makes for nearly every message: a
 * connection's state by its id, a session by its id, a transaction by its
 * zxid, a znode by its path.  GHashTable serves them through two indirect
 * calls per probe (the hash and the equality function) and, for integer
 * keys, a key stored behind a pointer.  Here the key (or a string key's
 * 64-bit hash) sits in the table, the slot comes from one multiplication
 * (Fibonacci hashing: ids and zxids are dense, and the high bits of the
 * product spread them), and a probe is a compare; a string is compared
 * only when its hash matches.
 *
 * Open addressing with linear probing, at most 3/4 full; removal shifts
 * the following entries back instead of leaving tombstones, so a long run
 * of inserts and removes does not slow lookups down.  NULL marks an empty
 * slot, hence values must not be NULL.
 *
 * There is no iteration: the order would depend on the hash, and nothing
 * a simulation does may depend on that.  The clear functions free the
 * values in an unspecified order, for teardown only.
 *
 * One structure serves both kinds; a map must be used with one kind of
 * key only.
 *
 *   SimU64Map m;                          SimStrMap t;
 *   sim_u64map_init(&m);                  sim_strmap_init(&t);
 *   sim_u64map_put(&m, id, obj);          sim_strmap_put(&t, node->path, node);
 *   sim_u64map_get(&m, id);               sim_strmap_get(&t, "/a/b");
 *   sim_u64map_take(&m, id);              sim_strmap_take(&t, "/a/b");
 *   sim_u64map_clear(&m, obj_free);       sim_strmap_clear(&t, NULL);
 *
 * String keys are borrowed: each must stay valid and unchanged while it
 * is in the map (in practice its value owns it, as a node owns its path).
 * A caller that looks one string up in several maps (a path in every
 * replica's tree) can hash it once with sim_str_hash() and use the _h
 * variants.
 */
#ifndef SIM_MAP_H
#define SIM_MAP_H

#include <glib.h>
#include <stdint.h>

/* One slot: a probe reads one cache line, not one in each of three
 * arrays (at a thousand znodes on five replicas, the misses of a node
 * lookup were a tenth of a write's time). */
typedef struct SimMapSlot {
    uint64_t hash;   /* the key itself, or sim_str_hash of the string key */
    const char *key; /* string key; NULL in a map of 64-bit keys */
    void *val;       /* NULL: empty slot */
} SimMapSlot;

typedef struct SimMap {
    SimMapSlot *slots;
    guint cap;         /* a power of two, or 0 */
    guint shift;       /* 64 - log2(cap) */
    guint len;
} SimMap;

typedef SimMap SimU64Map;
typedef SimMap SimStrMap;

/* A 64-bit hash of a NUL-terminated string, eight bytes at a time. */
uint64_t sim_str_hash(const char *s);

void sim_map_init(SimMap *m);
/* Removes everything, calling free_val (if not NULL) on each value, and
 * frees the storage; the map is empty and usable afterwards. */
void sim_map_clear(SimMap *m, GDestroyNotify free_val);
/* The general forms: key is NULL in a map of 64-bit keys (hash is then
 * the key), else the string whose sim_str_hash is hash.  put inserts or
 * replaces (keeping the new key pointer) and returns the value replaced
 * or NULL; take removes and returns the value or NULL. */
void *sim_map_get_h(const SimMap *m, const char *key, uint64_t hash);
void *sim_map_put_h(SimMap *m, const char *key, uint64_t hash, void *val);
void *sim_map_take_h(SimMap *m, const char *key, uint64_t hash);

static inline guint sim_map_len(const SimMap *m)
{
    return m->len;
}

static inline guint sim_map_slot(const SimMap *m, uint64_t hash)
{
    return (guint)((hash * UINT64_C(0x9e3779b97f4a7c15)) >> m->shift);
}

/* ---- 64-bit keys ---- */

#define sim_u64map_init sim_map_init
#define sim_u64map_clear sim_map_clear
#define sim_u64map_len sim_map_len

static inline void *sim_u64map_get(const SimU64Map *m, uint64_t key)
{
    if (m->len == 0)
        return NULL;
    guint mask = m->cap - 1;
    for (guint i = sim_map_slot(m, key);; i = (i + 1) & mask) {
        const SimMapSlot *e = &m->slots[i];
        if (!e->val || e->hash == key)
            return e->val;
    }
}

static inline void *sim_u64map_put(SimU64Map *m, uint64_t key, void *val)
{
    return sim_map_put_h(m, NULL, key, val);
}

static inline void *sim_u64map_take(SimU64Map *m, uint64_t key)
{
    return sim_map_take_h(m, NULL, key);
}

/* ---- string keys ---- */

#define sim_strmap_init sim_map_init
#define sim_strmap_clear sim_map_clear
#define sim_strmap_len sim_map_len
#define sim_strmap_get_h sim_map_get_h
#define sim_strmap_put_h sim_map_put_h
#define sim_strmap_take_h sim_map_take_h

static inline void *sim_strmap_get(const SimStrMap *m, const char *key)
{
    return m->len ? sim_map_get_h(m, key, sim_str_hash(key)) : NULL;
}

static inline void *sim_strmap_put(SimStrMap *m, const char *key, void *val)
{
    return sim_map_put_h(m, key, sim_str_hash(key), val);
}

static inline void *sim_strmap_take(SimStrMap *m, const char *key)
{
    return m->len ? sim_map_take_h(m, key, sim_str_hash(key)) : NULL;
}

#endif
