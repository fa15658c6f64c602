/* scn_internal.h - what the scn_*.c files share and nobody else sees.
 *
 * The scenario module is split by concern:
 *   scn_params.c  the parameter table and every typed value parser
 *   scn_lex.c     lines: limits, comments, variables, tokens, suggestions
 *   scn_parse.c   the driver: files, includes, let, parameters, --set
 *   scn_decl.c    declarations (groups, links, quorum, workloads, clients)
 *                 and what they share with actions: targets, paths, names
 *   scn_action.c  the timed script: actions, client operations, conditions
 *   scn_check.c   the checks that need the whole script and final params
 *   scn_format.c  canonical text and structural equality
 *
 * Memory: everything a script points to lives in the script: strings in
 * a GStringChunk, arrays in an arena of g_malloc blocks freed together,
 * declaration and action lists in GArrays whose data the public pointers
 * expose once parsing is done.
 */
#ifndef SCN_INTERNAL_H
#define SCN_INTERNAL_H

#include "scn.h"

#include <sys/types.h>

/* Index of a target whose name is not looked up yet (kind CLIENT until
 * scn_check resolves it to a client or a group). */
#define SCN_UNRESOLVED G_MAXUINT

/* Bit masks of ScnTargetKind: what a position in the language accepts. */
#define SCN_M(kind) (1u << SCN_TARGET_##kind)

/* Longest client, group or workload name. */
#define SCN_NAME_MAX 128

struct ScnScriptPriv {
    GStringChunk *strings;
    GPtrArray *blocks; /* arena */
    GArray *groups;    /* ScnGroup */
    GArray *latencies; /* ScnGroupLatency */
    GArray *links;     /* ScnLink */
    GArray *quorum_groups;
    GArray *quorum_weights;
    GArray *observers; /* ScnTarget */
    GArray *workloads;
    GArray *clients;
    GArray *actions;
    ScnPos *param_pos; /* per table row; file NULL: still the default */
};

/* What a client line left for the checker to resolve. */
typedef struct ScnClientExtra {
    gboolean has_servers;
    gboolean has_timeout;
    const char *workload; /* NULL: none */
    ScnPos workload_pos;
} ScnClientExtra;

typedef struct ScnSet {
    char *key;
    char *value;
    char *label; /* "--set KEY=VALUE", the position of its errors */
    gboolean is_var;
} ScnSet;

/* One open file of the include chain. */
typedef struct ScnFrame {
    const char *name;
    gboolean has_id;
    dev_t dev;
    ino_t ino;
} ScnFrame;

typedef struct ScnParser {
    ScnScript *s;
    GError *error;        /* the first error; parsing stops there */
    GArray *sets;         /* ScnSet, command-line order */
    GHashTable *vars;     /* name -> value; lookup only */
    GPtrArray *var_names; /* definition order, for suggestions */
    GArray *stack;        /* ScnFrame */
    guint n_includes;
    gsize total_bytes;    /* read from files */
    gsize expanded_bytes; /* of all lines after expansion */
    guint seq;
    /* declarations: name -> index + 1 (lookup only) */
    GHashTable *group_index;
    GHashTable *client_index;
    GHashTable *workload_index;
    GArray *client_extra; /* ScnClientExtra, parallel to clients */
    /* the time line (scn_action.c) */
    ScnWhen base;  /* START or WAIT: what `after` counts from */
    SimTime last;  /* time of the previous action in base */
    SimTime floor; /* earliest absolute time of the previous action */
    gboolean ended;
    ScnPos end_pos;
} ScnParser;

typedef struct ScnTok {
    char *text;  /* unquoted */
    guint *cols; /* source column of each byte of text, plus one past the end */
    guint col;
    gboolean quoted; /* some of it was in double quotes */
    gsize bare_len;  /* bytes before the first quoted one */
} ScnTok;

typedef struct ScnLine {
    const char *file;
    guint line;
    guint seq;
    ScnTok *tok;
    guint n;
} ScnLine;

/* ---- errors (scn_lex.c) ---- */

/* Records the first error, "POS: message", and returns FALSE. */
gboolean scn_fail(ScnParser *p, ScnErrorCode code, const ScnPos *pos, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
/* A syntax error at column col of line L. */
gboolean scn_fail_at(ScnParser *p, const ScnLine *L, guint col, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Takes msg (g_free'd) as the message of a syntax error at col. */
gboolean scn_fail_msg(ScnParser *p, const ScnLine *L, guint col, char *msg);
ScnPos scn_pos(const ScnLine *L, guint col);
/* "FILE:LINE" of pos, for "defined at ..." notes; a static-free GString. */
void scn_pos_append(GString *out, const ScnPos *pos);

/* ---- memory (scn_parse.c) ---- */

const char *scn_strdup(ScnScript *s, const char *text);
void *scn_alloc(ScnScript *s, gsize size);
/* Copies n targets into the arena. */
ScnTargets scn_targets_copy(ScnScript *s, const ScnTarget *v, guint n);

/* ---- lines (scn_lex.c) ---- */

/* Checks raw[0..len) (one line, no newline), cuts its comment, expands
 * variables and splits it into tokens.  FALSE on error. */
gboolean scn_lex_line(ScnParser *p, ScnLine *L, const char *raw, gsize len);
void scn_line_clear(ScnLine *L);
/* Column of byte i of t's text. */
guint scn_tok_col(const ScnTok *t, gsize i);
/* Rewrites tokens from i on so that a glued '=' ("K=V", "K= V", "K =V")
 * becomes its own token. */
void scn_line_split_equals(ScnLine *L, guint i);
gboolean scn_tok_is(const ScnTok *t, const char *word);

/* The candidate nearest to word by edit distance (transpositions count
 * one, case is ignored), or NULL if none is near enough to suggest. */
const char *scn_suggest(const char *word, const char *const *cands, gsize n);
/* Appends " (did you mean 'X'?)" when there is a suggestion. */
void scn_append_suggestion(GString *msg, const char *word, const char *const *cands, gsize n);

gboolean scn_is_identifier(const char *s);
/* TRUE for "s" followed by digits: a server name, valid or not. */
gboolean scn_is_server_like(const char *s);

/* ---- values (scn_params.c) ---- */

/* Each parser returns FALSE and sets *msg (g_free) to "WHAT: ..." or
 * "WHAT must be ..." on error. */
gboolean scn_value_int(const char *what, const char *text, int64_t min, int64_t max, int64_t *out, char **msg);
gboolean scn_value_uint(const char *what, const char *text, uint64_t max, uint64_t *out, char **msg);
gboolean scn_value_float(const char *what, const char *text, double min, double max, double *out, char **msg);
gboolean scn_value_bool(const char *what, const char *text, gboolean *out, char **msg);
gboolean scn_value_duration(const char *what, const char *text, SimTime min, SimTime max, SimTime *out,
                            char **msg);
/* "[+-]DURATION". */
gboolean scn_value_signed_duration(const char *what, const char *text, SimTime *out, char **msg);
gboolean scn_value_dist(const char *what, const char *text, SimDist *out, char **msg);
/* Sizes ("100", "1KB", "1MiB") or, per_second, bandwidths ("125MB/s", "1Gbit/s"). */
gboolean scn_value_bytes(const char *what, const char *text, gboolean per_second, uint64_t max, uint64_t *out,
                         char **msg);
/* Index of text in the NULL-terminated choices. */
gboolean scn_value_choice(const char *what, const char *text, const char *const *choices, int *out, char **msg);

/* Parses text as the value of parameter info into p; list values are
 * copied into s.  FALSE with *msg on error. */
gboolean scn_param_parse(ScnScript *s, const ScnParamInfo *info, const char *text, ScnParams *p, char **msg);
gsize scn_param_index(const ScnParamInfo *info);

/* ---- parsing (scn_decl.c, scn_action.c) ---- */

/* One per declaration keyword; each parses a whole line. */
gboolean scn_parse_group(ScnParser *p, ScnLine *L);
gboolean scn_parse_latency(ScnParser *p, ScnLine *L);
gboolean scn_parse_link(ScnParser *p, ScnLine *L);
gboolean scn_parse_quorum_group(ScnParser *p, ScnLine *L);
gboolean scn_parse_quorum_weight(ScnParser *p, ScnLine *L);
gboolean scn_parse_observer(ScnParser *p, ScnLine *L);
gboolean scn_parse_workload(ScnParser *p, ScnLine *L);
gboolean scn_parse_client(ScnParser *p, ScnLine *L);
gboolean scn_parse_clients(ScnParser *p, ScnLine *L);

/* Classifies token t as a target allowed by mask: `*`, `leader` and sN
 * are decided here, other names are left SCN_UNRESOLVED for scn_check. */
gboolean scn_parse_target(ScnParser *p, const ScnLine *L, const ScnTok *t, guint allowed, ScnTarget *out);
/* A set of resolved targets, for dropping repeats. */
typedef struct ScnTargetSet {
    guint64 servers[(SCN_SERVERS_MAX + 64) / 64];
    gboolean leader, any;
    GHashTable *clients; /* index + 1; created on first use */
    GHashTable *groups;
} ScnTargetSet;

#define SCN_TARGET_SET_INIT { { 0 }, FALSE, FALSE, NULL, NULL }
/* Adds t (resolved); FALSE if it was there already. */
gboolean scn_target_set_add(ScnTargetSet *set, const ScnTarget *t);
void scn_target_set_clear(ScnTargetSet *set);

/* Appends "a server, a client or leader" for the kinds in mask. */
void scn_mask_describe(guint mask, GString *out);
/* `link A B [latency=DIST] [loss=FLOAT]` from token from (A) on. */
gboolean scn_parse_link_body(ScnParser *p, ScnLine *L, guint from, guint allowed, ScnLink *out);
/* Bit k set: workload key k applies to kind (see scn_decl.c). */
guint scn_workload_keys(ScnWorkloadKind kind);
/* Tokens [from, to) as targets. */
gboolean scn_parse_targets(ScnParser *p, const ScnLine *L, guint from, guint to, guint allowed, ScnTargets *out);
/* A zkCli path: absolute, no empty, "." or ".." component, no trailing
 * '/' (allowed for sequential creates).  NULL if fine, else the problem. */
const char *scn_path_problem(const char *path, gboolean sequential);
/* Parses a line that starts with at, after, expect or wait. */
gboolean scn_parse_timed(ScnParser *p, ScnLine *L);
/* TRUE if word is an action keyword (for "missing time" errors). */
gboolean scn_is_action_word(const char *word);

/* ---- checks (scn_check.c) ---- */

gboolean scn_check(ScnParser *p);

/* ---- text (scn_format.c) ---- */

/* Appends text as one token: bare when it reads back the same, else
 * quoted; '$' is always doubled. */
void scn_format_word(GString *out, const char *text);
void scn_format_dist(GString *out, const SimDist *d);
void scn_format_double(GString *out, double v);
void scn_format_time(GString *out, SimTime t);

#endif
