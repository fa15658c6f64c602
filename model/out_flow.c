/* out_flow.c - see out_flow.h. */
#include "out_flow.h"

#include <string.h>

typedef struct {
    uint64_t id;
    SimTime t;
    char *key;
} Pending;

struct OutFlows {
    GHashTable *links; /* (from << 32 | to) -> GQueue of Pending *, lookup only */
    uint64_t next_id;
};

static void pending_free(gpointer p)
{
    Pending *x = p;
    g_free(x->key);
    g_free(x);
}

static void queue_free(gpointer q)
{
    g_queue_free_full(q, pending_free);
}

OutFlows *out_flows_new(void)
{
    OutFlows *f = g_new0(OutFlows, 1);
    f->links = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, queue_free);
    return f;
}

void out_flows_free(OutFlows *f)
{
    if (!f)
        return;
    g_hash_table_destroy(f->links);
    g_free(f);
}

static GQueue *link_queue(OutFlows *f, int from, int to, gboolean create)
{
    g_assert(from >= 0 && to >= 0);
    gint64 k = (gint64)(((uint64_t)(uint32_t)from << 32) | (uint32_t)to);
    GQueue *q = g_hash_table_lookup(f->links, &k);
    if (!q && create) {
        q = g_queue_new();
        g_hash_table_insert(f->links, g_memdup2(&k, sizeof k), q);
    }
    return q;
}

uint64_t out_flows_send(OutFlows *f, int from, int to, const char *key, SimTime t)
{
    GQueue *q = link_queue(f, from, to, TRUE);
    if (q->length >= OUT_FLOWS_LINK_MAX)
        pending_free(g_queue_pop_head(q));
    Pending *p = g_new(Pending, 1);
    p->id = ++f->next_id;
    p->t = t;
    p->key = g_strdup(key);
    g_queue_push_tail(q, p);
    return p->id;
}

uint64_t out_flows_recv(OutFlows *f, int from, int to, const char *key, SimTime *sent)
{
    GQueue *q = link_queue(f, from, to, FALSE);
    if (!q)
        return 0;
    guint at = 0;
    for (GList *l = q->head; l; l = l->next, at++) {
        Pending *p = l->data;
        if (strcmp(p->key, key) != 0)
            continue;
        for (guint k = 0; k < at; k++)
            pending_free(g_queue_pop_head(q));
        p = g_queue_pop_head(q);
        uint64_t id = p->id;
        if (sent)
            *sent = p->t;
        pending_free(p);
        return id;
    }
    return 0;
}
