/* fuzz_scn.c - libFuzzer harness for the scenario parser: any input must
 * load or fail with a `file:line:column: message` error, never crash,
 * hang or leak; a loaded script must format to text that loads back
 * equal (the round trip fuzz reproducers rely on). */
#include "scn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    GError *err = NULL;
    ScnScript *s = scn_load_string("fuzz.zks", text, NULL, &err);
    if (!s) {
        /* Every error says where. */
        if (!err || !err->message || !*err->message)
            abort();
        g_error_free(err);
        free(text);
        return 0;
    }
    GString *out = g_string_new(NULL);
    scn_script_format(s, out);
    GError *err2 = NULL;
    ScnScript *again = scn_load_string("fuzz.zks", out->str, NULL, &err2);
    if (!again || !scn_script_equal(s, again))
        abort();
    scn_script_free(again);
    g_string_free(out, TRUE);
    scn_script_free(s);
    free(text);
    return 0;
}
