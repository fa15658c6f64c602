/* sim_map.c - SimU64Map: insertion, removal, growth (see sim_map.h). */
#include "sim_map.h"

#define CAP_FIRST 16u

void sim_u64map_init(SimU64Map *m)
{
    *m = (SimU64Map){ 0 };
}

void sim_u64map_clear(SimU64Map *m, GDestroyNotify free_val)
{
    if (free_val)
        for (guint i = 0; i < m->cap; i++)
            if (m->vals[i])
                free_val(m->vals[i]);
    g_free(m->keys);
    g_free(m->vals);
    sim_u64map_init(m);
}

/* The slot holding key, or the empty slot where it would go. */
static guint find(const SimU64Map *m, uint64_t key)
{
    guint mask = m->cap - 1;
    guint i = sim_u64map_slot(m, key);
    while (m->vals[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static void resize(SimU64Map *m, guint cap)
{
    SimU64Map old = *m;
    m->cap = cap;
    m->shift = 64 - (guint)g_bit_nth_msf(cap, -1);
    m->keys = g_new(uint64_t, cap);
    m->vals = g_new0(void *, cap);
    for (guint i = 0; i < old.cap; i++)
        if (old.vals[i]) {
            guint j = find(m, old.keys[i]);
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
    g_free(old.keys);
    g_free(old.vals);
}

void *sim_u64map_put(SimU64Map *m, uint64_t key, void *val)
{
    g_assert(val);
    /* At most half full: probe runs stay short. */
    if ((m->len + 1) * 2 > m->cap) {
        g_assert(m->cap < (1u << 30));
        resize(m, m->cap ? m->cap * 2 : CAP_FIRST);
    }
    guint i = find(m, key);
    void *old = m->vals[i];
    m->keys[i] = key;
    m->vals[i] = val;
    if (!old)
        m->len++;
    return old;
}

void *sim_u64map_take(SimU64Map *m, uint64_t key)
{
    if (m->len == 0)
        return NULL;
    guint mask = m->cap - 1;
    guint i = find(m, key);
    void *val = m->vals[i];
    if (!val)
        return NULL;
    m->len--;
    /* Backward shift: walk the run after the hole and move back every
     * entry whose home slot is not in (hole, its position], so that no
     * lookup meets an empty slot before its key. */
    guint hole = i;
    for (guint j = (i + 1) & mask; m->vals[j]; j = (j + 1) & mask) {
        guint home = sim_u64map_slot(m, m->keys[j]);
        gboolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        m->keys[hole] = m->keys[j];
        m->vals[hole] = m->vals[j];
        hole = j;
    }
    m->vals[hole] = NULL;
    return val;
}
