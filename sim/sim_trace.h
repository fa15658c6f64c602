/* sim_trace.h - one API through which everything that happens is recorded.
 *
 * An event is (time, node, type, fields).  Sinks receive every event in
 * the order it happened: a human-readable text log, JSON Lines, a rolling
 * hash (the determinism check compares it between two runs), or a
 * callback (summaries, invariant checkers, tests).  With no sink attached
 * SIM_TRACE costs one predictable branch: its fields are not even built.
 * A callback may say which types it wants; an event no sink wants is
 * counted (indices stay those of the full timeline) and shown to the
 * tick hooks, but its fields are not built either.
 *
 * Field values are typed so that each sink formats them its own way: a
 * SF_TIME is "204ms" in text and 204000000 in JSON; a SF_HEX (zxids) is
 * "0x100000003" in both, as ZooKeeper logs it.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include "sim.h"

#include <stdio.h>
#include <string.h>

typedef enum {
    SIM_F_INT,
    SIM_F_UINT,
    SIM_F_HEX,
    SIM_F_STR,
    SIM_F_TIME,
    SIM_F_BOOL,
    SIM_F_NODE, /* a node id, printed as its name */
    SIM_F_DBL,
} SimFieldKind;

typedef struct SimField {
    const char *key;
    SimFieldKind kind;
    union {
        int64_t i;
        uint64_t u;
        const char *s;
        double d;
    } v;
} SimField;

#define SF_INT(k, x) ((SimField){ .key = (k), .kind = SIM_F_INT, .v.i = (int64_t)(x) })
#define SF_UINT(k, x) ((SimField){ .key = (k), .kind = SIM_F_UINT, .v.u = (uint64_t)(x) })
#define SF_HEX(k, x) ((SimField){ .key = (k), .kind = SIM_F_HEX, .v.u = (uint64_t)(x) })
#define SF_STR(k, x) ((SimField){ .key = (k), .kind = SIM_F_STR, .v.s = (x) })
#define SF_TIME(k, x) ((SimField){ .key = (k), .kind = SIM_F_TIME, .v.i = (int64_t)(x) })
#define SF_BOOL(k, x) ((SimField){ .key = (k), .kind = SIM_F_BOOL, .v.i = !!(x) })
#define SF_NODE(k, x) ((SimField){ .key = (k), .kind = SIM_F_NODE, .v.i = (int64_t)(x) })
#define SF_DBL(k, x) ((SimField){ .key = (k), .kind = SIM_F_DBL, .v.d = (double)(x) })

typedef struct SimTraceEvent {
    SimTime time;
    uint64_t index; /* 0, 1, 2, ... in emission order */
    int node;       /* SIM_NO_NODE for the engine itself */
    const char *type;
    /* type as a small number: 0, 1, 2, ... for each distinct type text in
     * the order the texts first appear in this Sim, so a sink can keep
     * per-type decisions in an array instead of comparing strings for
     * every event (see SimTraceTypeCache). */
    guint type_id;
    const SimField *fields;
    size_t nfields;
} SimTraceEvent;

typedef void (*SimTraceFn)(Sim *sim, const SimTraceEvent *ev, void *user);

/* Records an event now.  Prefer the SIM_TRACE macro.  type must be a
 * string constant (a literal or a static table's entry): the trace knows
 * a type by its address once it has seen it, so the text at an address
 * must not change during the run. */
void sim_trace_emit(Sim *sim, int node, const char *type, const SimField *fields, size_t n);
/* Whether some sink wants events of this type.  If none does, the event
 * is recorded as skipped (counted, ticks called) and FALSE returned. */
gboolean sim_trace_wanted(Sim *sim, const char *type);

/* SIM_TRACE(sim, node, "TYPE", SF_INT("epoch", e), ...): builds the field
 * array only when some sink wants the event. */
#define SIM_TRACE(sim, node, type, ...)                                               \
    do {                                                                              \
        if (sim_tracing(sim) && sim_trace_wanted((sim), (type))) {                    \
            const SimField sim_tf_[] = { { 0 }, __VA_ARGS__ };                         \
            sim_trace_emit((sim), (node), (type), sim_tf_ + 1,                        \
                           sizeof(sim_tf_) / sizeof(sim_tf_[0]) - 1);                 \
        }                                                                             \
    } while (0)

/* Sinks.  Files are not owned (the caller closes them, after sim_free or
 * sim_trace_flush).  Text lines look like
 *     3.204117 s  s3    LEADING            epoch=1 took=204ms
 * and JSON lines like
 *     {"t":3204117000,"node":"s3","type":"LEADING","epoch":1,"took":204000000}  */
void sim_trace_add_text(Sim *sim, FILE *f);
void sim_trace_add_jsonl(Sim *sim, FILE *f);
void sim_trace_add_callback(Sim *sim, SimTraceFn fn, void *user);
/* A callback that sees only the types for which wants(type, user) is
 * TRUE (asked once per type). */
typedef gboolean (*SimTraceWantsFn)(const char *type, void *user);
void sim_trace_add_callback_for(Sim *sim, SimTraceFn fn, SimTraceWantsFn wants, void *user);
/* Called with the time of every event, wanted or not, before the sinks:
 * for what must follow the clock event by event (a sink's time rows). */
typedef void (*SimTraceTickFn)(Sim *sim, SimTime t, void *user);
void sim_trace_add_tick(Sim *sim, SimTraceTickFn fn, void *user);
/* Feeds every event into a 64-bit rolling hash (sim_trace_hash). */
void sim_trace_add_hash(Sim *sim);
uint64_t sim_trace_hash(const Sim *sim);
uint64_t sim_trace_count(const Sim *sim);
void sim_trace_flush(Sim *sim);

/* Formats one event as a text line or a JSON object (no newline) into a
 * GString; used by the sinks and by tests. */
void sim_trace_format_text(const Sim *sim, const SimTraceEvent *ev, GString *out);
void sim_trace_format_json(const Sim *sim, const SimTraceEvent *ev, GString *out);
/* Appends s as a JSON string literal (quotes, escapes, control
 * characters as \\u00XX); NULL is the empty string. */
void sim_json_escape(GString *out, const char *s);
/* g_string_append_len, without the call when the bytes fit (GString's
 * fields are public; glib's own inline g_string_append_c does the same):
 * the outputs append a few bytes at a time, millions of times. */
static inline void sim_str_put(GString *out, const char *s, size_t n)
{
    if (out->len + n < out->allocated_len) {
        memcpy(out->str + out->len, s, n);
        out->len += n;
        out->str[out->len] = '\0';
    } else {
        g_string_append_len(out, s, (gssize)n);
    }
}

static inline void sim_str_puts(GString *out, const char *s)
{
    sim_str_put(out, s, strlen(s));
}

/* Integers appended as printf's "%" PRId64, "%" PRIu64 and "0x%" PRIx64
 * would, without printf (every output of a run writes millions). */
void sim_str_append_i64(GString *out, int64_t v);
void sim_str_append_u64(GString *out, uint64_t v);
void sim_str_append_hex(GString *out, uint64_t v);
/* A sink's per-type memo: one int per type id, computed on first sight.
 *
 *   static int kind_of(const char *type) { ... strcmp chain ... }
 *   SimTraceTypeCache c; sim_trace_cache_init(&c);
 *   int k = sim_trace_cache_get(&c, ev, kind_of);   -- per event, O(1)
 */
typedef struct SimTraceTypeCache {
    GArray *v; /* int, value + 1; 0: not computed yet */
} SimTraceTypeCache;

void sim_trace_cache_init(SimTraceTypeCache *c);
void sim_trace_cache_clear(SimTraceTypeCache *c);
int sim_trace_cache_get(SimTraceTypeCache *c, const SimTraceEvent *ev, int (*compute)(const char *type));

/* A field by key, or NULL. */
const SimField *sim_trace_field(const SimTraceEvent *ev, const char *key);
/* One field's value as the text timeline shows it; exact_time writes
 * times exactly (sim_time_format, parseable back) instead of rounded for
 * people.  A node outside the simulation prints as "-". */
void sim_trace_format_value(const Sim *sim, const SimField *f, gboolean exact_time, GString *out);

/* Internal: created by sim_new. */
SimTrace *sim_trace_new(void);
void sim_trace_free(SimTrace *t);

#endif
