/* out_json.h - a small JSON writer for the run's output files: objects,
 * arrays, keys and scalars appended to a GString with commas and
 * indentation handled, so writers read like the document they produce.
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

#endif
