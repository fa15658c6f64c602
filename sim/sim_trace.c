/* sim_trace.c - trace sinks: text, JSON Lines, rolling hash, callbacks. */
#include "sim_internal.h"
#include "sim_map.h"

#include <inttypes.h>
#include <string.h>

typedef enum { SINK_TEXT, SINK_JSONL, SINK_CALLBACK, SINK_HASH } SinkKind;

typedef struct {
    SinkKind kind;
    FILE *f;
    SimTraceFn fn;
    SimTraceWantsFn wants; /* callbacks: NULL for every type */
    void *user;
    SimTraceTypeCache want; /* with wants: its answer (0 or 1) by type id */
} Sink;

typedef struct {
    SimTraceTickFn fn;
    void *user;
} Tick;

struct SimTrace {
    GArray *sinks; /* Sink */
    uint64_t count;
    uint64_t hash;
    GString *buf;
    /* Type ids: by the text's address (a cache: the same literal is
     * passed every time), then by the text itself (the id's definition:
     * equal texts at different addresses share an id). */
    SimU64Map id_by_addr; /* address -> id + 1 */
    SimStrMap id_by_text; /* text (owned by type_texts) -> id + 1 */
    GPtrArray *type_texts; /* id -> owned copy of the text */
    /* By type id: whether some sink wants it (0 or 1); emptied whenever
     * a sink is added. */
    SimTraceTypeCache wanted;
    GArray *ticks;  /* Tick */
    /* The last type looked up: SIM_TRACE asks sim_trace_wanted and then
     * sim_trace_emit about the same literal. */
    const char *last_type;
    guint last_id;
};

SimTrace *sim_trace_new(void)
{
    SimTrace *t = g_new0(SimTrace, 1);
    t->sinks = g_array_new(FALSE, FALSE, sizeof(Sink));
    t->hash = 0xcbf29ce484222325ull;
    t->buf = g_string_sized_new(256);
    sim_u64map_init(&t->id_by_addr);
    sim_strmap_init(&t->id_by_text);
    t->type_texts = g_ptr_array_new_with_free_func(g_free);
    sim_trace_cache_init(&t->wanted);
    t->ticks = g_array_new(FALSE, FALSE, sizeof(Tick));
    return t;
}

void sim_trace_free(SimTrace *t)
{
    if (!t)
        return;
    for (guint i = 0; i < t->sinks->len; i++) {
        Sink *s = &g_array_index(t->sinks, Sink, i);
        sim_trace_cache_clear(&s->want);
    }
    g_array_free(t->sinks, TRUE);
    sim_trace_cache_clear(&t->wanted);
    g_array_free(t->ticks, TRUE);
    g_string_free(t->buf, TRUE);
    sim_u64map_clear(&t->id_by_addr, NULL);
    sim_strmap_clear(&t->id_by_text, NULL);
    g_ptr_array_free(t->type_texts, TRUE);
    g_free(t);
}

static void add_sink(Sim *sim, Sink s)
{
    if (s.wants)
        sim_trace_cache_init(&s.want);
    g_array_append_val(sim->trace->sinks, s);
    g_array_set_size(sim->trace->wanted.v, 0);
    sim->hot.tracing = TRUE;
}

void sim_trace_add_text(Sim *sim, FILE *f)
{
    add_sink(sim, (Sink){ .kind = SINK_TEXT, .f = f });
}

void sim_trace_add_jsonl(Sim *sim, FILE *f)
{
    add_sink(sim, (Sink){ .kind = SINK_JSONL, .f = f });
}

void sim_trace_add_callback(Sim *sim, SimTraceFn fn, void *user)
{
    add_sink(sim, (Sink){ .kind = SINK_CALLBACK, .fn = fn, .user = user });
}

void sim_trace_add_callback_for(Sim *sim, SimTraceFn fn, SimTraceWantsFn wants, void *user)
{
    g_assert(wants);
    add_sink(sim, (Sink){ .kind = SINK_CALLBACK, .fn = fn, .wants = wants, .user = user });
}

void sim_trace_add_tick(Sim *sim, SimTraceTickFn fn, void *user)
{
    Tick k = { fn, user };
    g_array_append_val(sim->trace->ticks, k);
}

void sim_trace_add_hash(Sim *sim)
{
    add_sink(sim, (Sink){ .kind = SINK_HASH });
}

uint64_t sim_trace_hash(const Sim *sim)
{
    return sim->trace->hash;
}

uint64_t sim_trace_count(const Sim *sim)
{
    return sim->trace->count;
}

void sim_trace_flush(Sim *sim)
{
    for (guint i = 0; i < sim->trace->sinks->len; i++) {
        Sink *s = &g_array_index(sim->trace->sinks, Sink, i);
        if (s->f)
            fflush(s->f);
    }
}

const SimField *sim_trace_field(const SimTraceEvent *ev, const char *key)
{
    /* Keys are string literals, which the toolchain merges: the pointer
     * test settles most lookups before any strcmp. */
    for (size_t i = 0; i < ev->nfields; i++)
        if (ev->fields[i].key == key)
            return &ev->fields[i];
    for (size_t i = 0; i < ev->nfields; i++)
        if (ev->fields[i].key[0] == key[0] && strcmp(ev->fields[i].key, key) == 0)
            return &ev->fields[i];
    return NULL;
}

/* ---- formatting ---- */

/* Numbers and padding written by hand: a timeline has millions of
 * fields, and printf's format parsing cost more than everything else of
 * the JSON Lines sink together.  The output is byte for byte what the
 * printf formats named beside each helper give. */

/* "%" PRIu64 */
void sim_str_append_u64(GString *out, uint64_t v)
{
    char b[20];
    sim_str_put(out, b, (size_t)(sim_fmt_u64(b, v) - b));
}

/* "%" PRId64 */
void sim_str_append_i64(GString *out, int64_t v)
{
    if (v < 0) {
        g_string_append_c(out, '-');
        sim_str_append_u64(out, (uint64_t)0 - (uint64_t)v);
    } else {
        sim_str_append_u64(out, (uint64_t)v);
    }
}

/* "0x%" PRIx64 */
void sim_str_append_hex(GString *out, uint64_t v)
{
    char b[18], *p = b + sizeof b;
    do {
        *--p = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v);
    *--p = 'x';
    *--p = '0';
    sim_str_put(out, p, (size_t)(b + sizeof b - p));
}

/* "%-Ns" (left) or "%Ns" (right): s padded with spaces to width bytes,
 * never cut. */
static void append_padded(GString *out, const char *s, size_t width, gboolean right)
{
    size_t n = strlen(s);
    if (right && n < width)
        sim_str_put(out, "                                ", MIN(width - n, 32));
    sim_str_put(out, s, n);
    if (!right && n < width)
        sim_str_put(out, "                                ", MIN(width - n, 32));
}

void sim_trace_format_value(const Sim *sim, const SimField *f, gboolean exact_time, GString *out)
{
    char tb[SIM_TIME_STR_LEN];
    switch (f->kind) {
    case SIM_F_INT:
        sim_str_append_i64(out, f->v.i);
        break;
    case SIM_F_UINT:
        sim_str_append_u64(out, f->v.u);
        break;
    case SIM_F_HEX:
        sim_str_append_hex(out, f->v.u);
        break;
    case SIM_F_STR:
        sim_str_puts(out, f->v.s ? f->v.s : "");
        break;
    case SIM_F_TIME:
        sim_str_puts(out, exact_time ? sim_time_format(f->v.i, tb) : sim_time_format_short(f->v.i, tb));
        break;
    case SIM_F_BOOL:
        sim_str_puts(out, f->v.i ? "true" : "false");
        break;
    case SIM_F_NODE:
        sim_str_puts(out, f->v.i >= 0 && f->v.i < sim_node_count(sim) ? sim_node_name(sim, (int)f->v.i) : "-");
        break;
    case SIM_F_DBL: {
        char b[G_ASCII_DTOSTR_BUF_SIZE]; /* not the locale's decimal comma */
        sim_str_puts(out, g_ascii_formatd(b, sizeof b, "%.6g", f->v.d));
        break;
    }
    }
}

void sim_trace_format_text(const Sim *sim, const SimTraceEvent *ev, GString *out)
{
    char tb[SIM_TIME_STR_LEN];
    /* "%12s s  %-5s %-18s" */
    append_padded(out, sim_time_format_sec(ev->time, tb), 12, TRUE);
    sim_str_put(out, " s  ", 4);
    append_padded(out, sim_node_name(sim, ev->node), 5, FALSE);
    g_string_append_c(out, ' ');
    append_padded(out, ev->type, 18, FALSE);
    for (size_t i = 0; i < ev->nfields; i++) {
        g_string_append_c(out, ' ');
        sim_str_puts(out, ev->fields[i].key);
        g_string_append_c(out, '=');
        sim_trace_format_value(sim, &ev->fields[i], FALSE, out);
    }
}

/* Bytes that end a run of plain characters in a JSON string: the
 * terminating NUL, control characters, the quote and the backslash. */
static const uint8_t json_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 - 0x0f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 - 0x1f */
    ['"'] = 1,
    ['\\'] = 1,
};

void sim_json_escape(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        /* The run of characters that need no escape, in one append. */
        const unsigned char *run = p;
        while (!json_stop[*p])
            p++;
        if (p > run)
            sim_str_put(out, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        switch (*p) {
        case '"':
            sim_str_puts(out, "\\\"");
            break;
        case '\\':
            sim_str_puts(out, "\\\\");
            break;
        case '\n':
            sim_str_puts(out, "\\n");
            break;
        case '\t':
            sim_str_puts(out, "\\t");
            break;
        case '\r':
            sim_str_puts(out, "\\r");
            break;
        default:
            g_assert(*p < 0x20);
            sim_str_put(out, "\\u00", 4);
            g_string_append_c(out, "0123456789abcdef"[*p >> 4]);
            g_string_append_c(out, "0123456789abcdef"[*p & 0xf]);
        }
    }
    g_string_append_c(out, '"');
}

void sim_trace_format_json(const Sim *sim, const SimTraceEvent *ev, GString *out)
{
    sim_str_put(out, "{\"t\":", 5);
    sim_str_append_i64(out, ev->time);
    sim_str_put(out, ",\"node\":", 8);
    sim_json_escape(out, sim_node_name(sim, ev->node));
    sim_str_puts(out, ",\"type\":");
    sim_json_escape(out, ev->type);
    for (size_t i = 0; i < ev->nfields; i++) {
        const SimField *f = &ev->fields[i];
        g_string_append_c(out, ',');
        sim_json_escape(out, f->key);
        g_string_append_c(out, ':');
        switch (f->kind) {
        case SIM_F_INT:
        case SIM_F_TIME:
            sim_str_append_i64(out, f->v.i);
            break;
        case SIM_F_UINT:
            sim_str_append_u64(out, f->v.u);
            break;
        case SIM_F_HEX:
            g_string_append_c(out, '"');
            sim_str_append_hex(out, f->v.u);
            g_string_append_c(out, '"');
            break;
        case SIM_F_STR:
            sim_json_escape(out, f->v.s);
            break;
        case SIM_F_BOOL:
            sim_str_puts(out, f->v.i ? "true" : "false");
            break;
        case SIM_F_NODE:
            sim_json_escape(out, sim_node_name(sim, (int)f->v.i));
            break;
        case SIM_F_DBL: {
            char db[G_ASCII_DTOSTR_BUF_SIZE];
            sim_str_puts(out, g_ascii_dtostr(db, sizeof db, f->v.d));
            break;
        }
        }
    }
    g_string_append_c(out, '}');
}

/* ---- the rolling hash ---- */

#define FNV_PRIME 0x100000001b3ull

static uint64_t mix_u64(uint64_t h, uint64_t x)
{
    for (int i = 0; i < 8; i++) {
        h ^= (x >> (8 * i)) & 0xff;
        h *= FNV_PRIME;
    }
    return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        h ^= *p;
        h *= FNV_PRIME;
    }
    h ^= 0xff; /* terminator, so "ab"+"c" differs from "a"+"bc" */
    return h * FNV_PRIME;
}

static uint64_t hash_event(uint64_t h, const SimTraceEvent *ev)
{
    h = mix_u64(h, (uint64_t)ev->time);
    h = mix_u64(h, (uint64_t)(int64_t)ev->node);
    h = mix_str(h, ev->type);
    for (size_t i = 0; i < ev->nfields; i++) {
        const SimField *f = &ev->fields[i];
        h = mix_str(h, f->key);
        h = mix_u64(h, (uint64_t)f->kind);
        if (f->kind == SIM_F_STR) {
            h = mix_str(h, f->v.s);
        } else if (f->kind == SIM_F_DBL) {
            uint64_t bits;
            memcpy(&bits, &f->v.d, sizeof bits);
            h = mix_u64(h, bits);
        } else {
            h = mix_u64(h, f->v.u);
        }
    }
    return h;
}

/* Type texts are string constants (sim_trace.h), so an address, once
 * seen, names its text for good; the cache is bounded all the same. */
#define TYPE_ADDRS_MAX 4096

static guint type_id(SimTrace *t, const char *type)
{
    if (type == t->last_type)
        return t->last_id;
    gpointer v = sim_u64map_get(&t->id_by_addr, (uint64_t)(uintptr_t)type);
    if (v) {
        t->last_type = type;
        t->last_id = (guint)(GPOINTER_TO_UINT(v) - 1);
        return t->last_id;
    }
    v = sim_strmap_get(&t->id_by_text, type);
    if (!v) {
        char *text = g_strdup(type);
        g_ptr_array_add(t->type_texts, text);
        v = GUINT_TO_POINTER(t->type_texts->len);
        sim_strmap_put(&t->id_by_text, text, v);
    }
    if (sim_u64map_len(&t->id_by_addr) < TYPE_ADDRS_MAX)
        sim_u64map_put(&t->id_by_addr, (uint64_t)(uintptr_t)type, v);
    return (guint)(GPOINTER_TO_UINT(v) - 1);
}

void sim_trace_cache_init(SimTraceTypeCache *c)
{
    c->v = g_array_new(FALSE, TRUE, sizeof(int));
}

void sim_trace_cache_clear(SimTraceTypeCache *c)
{
    if (c->v)
        g_array_free(c->v, TRUE);
    c->v = NULL;
}

/* c's slot for type id `id`: value + 1, or 0 while not computed. */
static int *cache_slot(SimTraceTypeCache *c, guint id)
{
    if (id >= c->v->len)
        g_array_set_size(c->v, id + 1); /* zeroed: not computed */
    return &g_array_index(c->v, int, id);
}

int sim_trace_cache_get(SimTraceTypeCache *c, const SimTraceEvent *ev, int (*compute)(const char *type))
{
    int *slot = cache_slot(c, ev->type_id);
    if (*slot == 0)
        *slot = compute(ev->type) + 1;
    return *slot - 1;
}

/* Whether sink s wants type id `id` (text `type`). */
static gboolean sink_wants(Sink *s, guint id, const char *type)
{
    if (s->kind != SINK_CALLBACK || !s->wants)
        return TRUE;
    int *w = cache_slot(&s->want, id);
    if (*w == 0)
        *w = (s->wants(type, s->user) ? 1 : 0) + 1;
    return *w - 1;
}

static void run_ticks(Sim *sim)
{
    const GArray *ticks = sim->trace->ticks;
    for (guint i = 0; i < ticks->len; i++) {
        const Tick *k = &g_array_index(ticks, Tick, i);
        k->fn(sim, sim->hot.now, k->user);
    }
}

gboolean sim_trace_wanted(Sim *sim, const char *type)
{
    SimTrace *t = sim->trace;
    guint id = type_id(t, type);
    int *w = cache_slot(&t->wanted, id);
    if (*w == 0) {
        gboolean any = FALSE;
        for (guint i = 0; i < t->sinks->len && !any; i++)
            any = sink_wants(&g_array_index(t->sinks, Sink, i), id, type);
        *w = any + 1;
    }
    if (*w - 1)
        return TRUE;
    /* Skipped: it still takes its place in the numbering, and the ticks
     * see the clock. */
    t->count++;
    run_ticks(sim);
    return FALSE;
}

void sim_trace_emit(Sim *sim, int node, const char *type, const SimField *fields, size_t n)
{
    SimTrace *t = sim->trace;
    run_ticks(sim);
    SimTraceEvent ev = {
        .time = sim->hot.now,
        .index = t->count++,
        .node = node,
        .type = type,
        .type_id = type_id(t, type),
        .fields = fields,
        .nfields = n,
    };
    for (guint i = 0; i < t->sinks->len; i++) {
        Sink *s = &g_array_index(t->sinks, Sink, i);
        switch (s->kind) {
        case SINK_TEXT:
            g_string_truncate(t->buf, 0);
            sim_trace_format_text(sim, &ev, t->buf);
            g_string_append_c(t->buf, '\n');
            fwrite(t->buf->str, 1, t->buf->len, s->f);
            break;
        case SINK_JSONL:
            g_string_truncate(t->buf, 0);
            sim_trace_format_json(sim, &ev, t->buf);
            g_string_append_c(t->buf, '\n');
            fwrite(t->buf->str, 1, t->buf->len, s->f);
            break;
        case SINK_CALLBACK:
            if (sink_wants(s, ev.type_id, type))
                s->fn(sim, &ev, s->user);
            break;
        case SINK_HASH:
            t->hash = hash_event(t->hash, &ev);
            break;
        }
    }
}
