/* out_json.h - a small JSON writer for the run's output files: objects,
 * arrays, keys and scalars appended to a GString with commas and
 * indentation handled, so writers read like the document they produce.
 *
 * And its reader: a strict RFC 8259 parser into a small tree (OjValue),
 * for what reads our own files back (sweep merges summary.json files,
 * plot reads timeline.jsonl, the tests check every output).  Members
 * keep their order; integers that fit an int64 stay exact.
 */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include <glib.h>
#include <stdint.h>

#define OUT_JSON_DEPTH 32

typedef struct OutJson {
    GString *s;
    int depth;
    gboolean need_comma[OUT_JSON_DEPTH];
    char close[OUT_JSON_DEPTH]; /* the bracket that closes each level */
    gboolean pretty;
} OutJson;

void oj_init(OutJson *j, GString *s, gboolean pretty);
/* key may be NULL inside arrays and at top level. */
void oj_object(OutJson *j, const char *key);
void oj_array(OutJson *j, const char *key);
void oj_end(OutJson *j); /* closes the innermost object or array */
void oj_str(OutJson *j, const char *key, const char *v);
void oj_int(OutJson *j, const char *key, int64_t v);
void oj_uint(OutJson *j, const char *key, uint64_t v);
void oj_dbl(OutJson *j, const char *key, double v);
void oj_bool(OutJson *j, const char *key, gboolean v);
void oj_null(OutJson *j, const char *key);
/* Appends s as a JSON string literal. */
void oj_escape(GString *out, const char *s);

/* ---- reading ---- */

#define OJ_PARSE_DEPTH_MAX 128

typedef enum {
    OJ_NULL,
    OJ_BOOL,
    OJ_NUMBER,
    OJ_STRING,
    OJ_ARRAY,
    OJ_OBJECT,
} OjKind;

typedef struct OjValue OjValue;

/* Parses text[0..len) (len < 0: NUL-terminated) as one JSON value with
 * nothing but white space around it.  NULL and err (G_FILE_ERROR_INVAL)
 * saying `offset N: what is wrong` when it is not JSON. */
OjValue *oj_parse(const char *text, gssize len, GError **err);
void oj_value_free(OjValue *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OjValue, oj_value_free)

OjKind oj_kind(const OjValue *v);
/* Object member by key (the first one), or NULL; NULL-safe. */
const OjValue *oj_get(const OjValue *obj, const char *key);
/* Follows keys separated by '/': oj_path(v, "latency_ns/write/p50"). */
const OjValue *oj_path(const OjValue *v, const char *path);
/* Elements of an array or members of an object (0 for anything else). */
guint oj_len(const OjValue *v);
const OjValue *oj_at(const OjValue *v, guint i);
const char *oj_key_at(const OjValue *obj, guint i);
/* Scalars, with a default when v is NULL or of another kind. */
gboolean oj_is_int(const OjValue *v); /* a number written as an integer that fits int64 */
int64_t oj_int_or(const OjValue *v, int64_t def);
double oj_num_or(const OjValue *v, double def);
const char *oj_str_or(const OjValue *v, const char *def);
gboolean oj_bool_or(const OjValue *v, gboolean def);

#endif
