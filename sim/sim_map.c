/* sim_map.c - SimMap: probing, growth and removal (see sim_map.h). */
#include "sim_map.h"

#include <string.h>

#define CAP_FIRST 16u

uint64_t sim_str_hash(const char *s)
{
    size_t n = strlen(s);
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ n;
    for (; n >= 8; n -= 8, s += 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
    return h ^ (h >> 32);
}

void sim_map_init(SimMap *m)
{
    *m = (SimMap){ 0 };
}

void sim_map_clear(SimMap *m, GDestroyNotify free_val)
{
    if (free_val)
        for (guint i = 0; i < m->cap; i++)
            if (m->slots[i].val)
                free_val(m->slots[i].val);
    g_free(m->slots);
    sim_map_init(m);
}

/* Equal string keys; the same pointer (a key looked up by the very
 * string it was stored under, as a shared path often is) without a walk. */
static inline gboolean key_equal(const char *stored, const char *key)
{
    return stored == key || strcmp(stored, key) == 0;
}

/* The slot holding the key, or the empty slot where it would go. */
static guint find(const SimMap *m, const char *key, uint64_t hash)
{
    guint mask = m->cap - 1;
    guint i = sim_map_slot(m, hash);
    while (m->slots[i].val && (m->slots[i].hash != hash || (key && !key_equal(m->slots[i].key, key))))
        i = (i + 1) & mask;
    return i;
}

static void resize(SimMap *m, guint cap)
{
    SimMap old = *m;
    m->cap = cap;
    m->shift = 64 - (guint)g_bit_nth_msf(cap, -1);
    m->slots = g_new0(SimMapSlot, cap);
    guint mask = cap - 1;
    for (guint i = 0; i < old.cap; i++)
        if (old.slots[i].val) {
            guint j = sim_map_slot(m, old.slots[i].hash); /* keys are distinct: the first empty slot */
            while (m->slots[j].val)
                j = (j + 1) & mask;
            m->slots[j] = old.slots[i];
        }
    g_free(old.slots);
}

void *sim_map_get_h(const SimMap *m, const char *key, uint64_t hash)
{
    if (m->len == 0)
        return NULL;
    return m->slots[find(m, key, hash)].val;
}

void *sim_map_put_h(SimMap *m, const char *key, uint64_t hash, void *val)
{
    g_assert(val);
    /* At most three quarters full: probe runs stay short (a few slots on
     * average with linear probing), and a big map costs 32 to 64 bytes
     * an entry rather than the 48 to 96 of a half-full one. */
    if ((m->len + 1) * 4 > m->cap * 3) {
        g_assert(m->cap < (1u << 30));
        resize(m, m->cap ? m->cap * 2 : CAP_FIRST);
    }
    guint i = find(m, key, hash);
    void *old = m->slots[i].val;
    m->slots[i] = (SimMapSlot){ .hash = hash, .key = key, .val = val };
    if (!old)
        m->len++;
    return old;
}

void *sim_map_take_h(SimMap *m, const char *key, uint64_t hash)
{
    if (m->len == 0)
        return NULL;
    guint mask = m->cap - 1;
    guint i = find(m, key, hash);
    void *val = m->slots[i].val;
    if (!val)
        return NULL;
    m->len--;
    /* Backward shift: walk the run after the hole; an entry whose home
     * slot lies cyclically in (hole, j] stays, any other would be cut off
     * from its home by the hole and moves into it. */
    guint hole = i;
    for (guint j = (i + 1) & mask; m->slots[j].val; j = (j + 1) & mask) {
        guint home = sim_map_slot(m, m->slots[j].hash);
        if (hole <= j ? (home > hole && home <= j) : (home > hole || home <= j))
            continue;
        m->slots[hole] = m->slots[j];
        hole = j;
    }
    m->slots[hole].val = NULL;
    return val;
}
