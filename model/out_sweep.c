/* out_sweep.c - see out_sweep.h. */
#include "out_sweep.h"

#include "out_gnuplot.h"
#include "out_json.h"
#include "out_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Lines in one sweep figure at most (combinations of the other keys). */
#define GROUPS_MAX 8

/* ---- the definition ---- */

static void key_free(gpointer p)
{
    OutSweepKey *k = p;
    g_free(k->key);
    g_ptr_array_free(k->values, TRUE);
    g_free(k);
}

OutSweep *out_sweep_new(const char *scenario)
{
    OutSweep *s = g_new0(OutSweep, 1);
    s->scenario = g_strdup(scenario);
    s->sets = g_ptr_array_new_with_free_func(g_free);
    s->vary = g_ptr_array_new_with_free_func(key_free);
    s->seeds = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    return s;
}

void out_sweep_free(OutSweep *s)
{
    if (!s)
        return;
    g_free(s->scenario);
    g_ptr_array_free(s->sets, TRUE);
    g_ptr_array_free(s->vary, TRUE);
    g_array_free(s->seeds, TRUE);
    g_free(s);
}

/* Splits at commas outside parentheses. */
static GPtrArray *split_values(const char *text)
{
    GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
    int depth = 0;
    const char *start = text;
    for (const char *c = text;; c++) {
        if (*c == '(')
            depth++;
        else if (*c == ')' && depth > 0)
            depth--;
        if (*c == 0 || (*c == ',' && depth == 0)) {
            g_autofree char *w = g_strndup(start, (gsize)(c - start));
            g_ptr_array_add(v, g_strdup(g_strstrip(w)));
            if (!*c)
                break;
            start = c + 1;
        }
    }
    return v;
}

gboolean out_sweep_add_vary(OutSweep *s, const char *spec, GError **err)
{
    const char *eq = strchr(spec, '=');
    g_autofree char *key = eq ? g_strstrip(g_strndup(spec, (gsize)(eq - spec))) : NULL;
    if (!eq || !*key) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vary %s: expected KEY=V1,V2,...", spec);
        return FALSE;
    }
    for (guint i = 0; i < s->vary->len; i++)
        if (strcmp(((OutSweepKey *)g_ptr_array_index(s->vary, i))->key, key) == 0) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vary %s: %s is already varied", spec,
                        key);
            return FALSE;
        }
    GPtrArray *values = split_values(eq + 1);
    for (guint i = 0; i < values->len; i++)
        if (!*(char *)g_ptr_array_index(values, i)) {
            g_ptr_array_free(values, TRUE);
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vary %s: an empty value", spec);
            return FALSE;
        }
    OutSweepKey *k = g_new0(OutSweepKey, 1);
    k->key = g_steal_pointer(&key);
    k->values = values;
    g_ptr_array_add(s->vary, k);
    if (out_sweep_points(s) > OUT_SWEEP_POINTS_MAX) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vary: more than %d grid points",
                    OUT_SWEEP_POINTS_MAX);
        return FALSE;
    }
    return TRUE;
}

static const OutSweepKey *key_at(const OutSweep *s, guint k)
{
    return g_ptr_array_index(s->vary, k);
}

guint out_sweep_points(const OutSweep *s)
{
    uint64_t n = 1;
    for (guint k = 0; k < s->vary->len; k++) {
        n *= key_at(s, k)->values->len;
        if (n > OUT_SWEEP_POINTS_MAX)
            return OUT_SWEEP_POINTS_MAX + 1;
    }
    return (guint)n;
}

/* The index of key k's value at point i: the last key varies fastest. */
static guint value_index(const OutSweep *s, guint point, guint k)
{
    for (guint j = s->vary->len; j-- > k + 1;)
        point /= key_at(s, j)->values->len;
    return point % key_at(s, k)->values->len;
}

const char *out_sweep_value(const OutSweep *s, guint point, guint k)
{
    return g_ptr_array_index(key_at(s, k)->values, value_index(s, point, k));
}

char *out_sweep_point_name(guint point)
{
    return g_strdup_printf("p%03u", point);
}

char *out_sweep_run_dir(const char *dir, guint point, uint64_t seed)
{
    g_autofree char *p = out_sweep_point_name(point);
    g_autofree char *sd = g_strdup_printf("seed-%" PRIu64, seed);
    return g_build_filename(dir, "runs", p, sd, NULL);
}

GStrv out_sweep_point_sets(const OutSweep *s, guint point)
{
    GPtrArray *v = g_ptr_array_new();
    for (guint i = 0; i < s->sets->len; i++)
        g_ptr_array_add(v, g_strdup(g_ptr_array_index(s->sets, i)));
    for (guint k = 0; k < s->vary->len; k++)
        g_ptr_array_add(v, g_strdup_printf("%s=%s", key_at(s, k)->key, out_sweep_value(s, point, k)));
    g_ptr_array_add(v, NULL);
    return (GStrv)g_ptr_array_free(v, FALSE);
}

/* ---- sweep.json ---- */

gboolean out_sweep_save(const OutSweep *s, const char *dir, GError **err)
{
    g_autoptr(GString) out = g_string_new(NULL);
    OutJson j;
    oj_init(&j, out, TRUE);
    oj_object(&j, NULL);
    oj_int(&j, "zksim_sweep", 1);
    oj_str(&j, "scenario", s->scenario);
    oj_array(&j, "sets");
    for (guint i = 0; i < s->sets->len; i++)
        oj_str(&j, NULL, g_ptr_array_index(s->sets, i));
    oj_end(&j);
    oj_array(&j, "vary");
    for (guint k = 0; k < s->vary->len; k++) {
        oj_object(&j, NULL);
        oj_str(&j, "key", key_at(s, k)->key);
        oj_array(&j, "values");
        for (guint i = 0; i < key_at(s, k)->values->len; i++)
            oj_str(&j, NULL, g_ptr_array_index(key_at(s, k)->values, i));
        oj_end(&j);
        oj_end(&j);
    }
    oj_end(&j);
    oj_array(&j, "seeds");
    for (guint i = 0; i < s->seeds->len; i++)
        oj_uint(&j, NULL, g_array_index(s->seeds, uint64_t, i));
    oj_end(&j);
    oj_array(&j, "points");
    for (guint p = 0; p < out_sweep_points(s); p++) {
        oj_object(&j, NULL);
        g_autofree char *name = out_sweep_point_name(p);
        oj_str(&j, "dir", name);
        oj_object(&j, "values");
        for (guint k = 0; k < s->vary->len; k++)
            oj_str(&j, key_at(s, k)->key, out_sweep_value(s, p, k));
        oj_end(&j);
        oj_end(&j);
    }
    oj_end(&j);
    oj_end(&j);
    g_string_append_c(out, '\n');
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    return out_write_file(dir, "sweep.json", out, err);
}

OutSweep *out_sweep_load(const char *dir, GError **err)
{
    g_autofree char *path = g_build_filename(dir, "sweep.json", NULL);
    g_autofree char *text = NULL;
    gsize len;
    if (!g_file_get_contents(path, &text, &len, err))
        return NULL;
    g_autoptr(GError) e = NULL;
    g_autoptr(OjValue) v = oj_parse(text, (gssize)len, &e);
    if (!v || oj_int_or(oj_get(v, "zksim_sweep"), 0) != 1 || !oj_str_or(oj_get(v, "scenario"), NULL)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a zksim sweep definition%s%s", path,
                    e ? ": " : "", e ? e->message : "");
        return NULL;
    }
    OutSweep *s = out_sweep_new(oj_str_or(oj_get(v, "scenario"), ""));
    const OjValue *sets = oj_get(v, "sets"), *vary = oj_get(v, "vary"), *seeds = oj_get(v, "seeds");
    for (guint i = 0; i < oj_len(sets); i++)
        g_ptr_array_add(s->sets, g_strdup(oj_str_or(oj_at(sets, i), "")));
    for (guint k = 0; k < oj_len(vary); k++) {
        const OjValue *vk = oj_at(vary, k), *vals = oj_get(vk, "values");
        OutSweepKey *key = g_new0(OutSweepKey, 1);
        key->key = g_strdup(oj_str_or(oj_get(vk, "key"), "?"));
        key->values = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < oj_len(vals); i++)
            g_ptr_array_add(key->values, g_strdup(oj_str_or(oj_at(vals, i), "")));
        g_ptr_array_add(s->vary, key);
        if (!key->values->len) {
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: key %s has no values", path, key->key);
            out_sweep_free(s);
            return NULL;
        }
    }
    for (guint i = 0; i < oj_len(seeds); i++) {
        uint64_t seed = (uint64_t)oj_int_or(oj_at(seeds, i), 0);
        g_array_append_val(s->seeds, seed);
    }
    if (!s->seeds->len || out_sweep_points(s) > OUT_SWEEP_POINTS_MAX) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no seeds, or too many points", path);
        out_sweep_free(s);
        return NULL;
    }
    return s;
}

/* ---- the metrics of one run ---- */

#define METRIC_LIST(X)                                                                             \
    X(ELECTION_MS, "election_ms")                                                                  \
    X(ELECTIONS, "elections")                                                                      \
    X(NOTIFICATIONS, "notifications")                                                              \
    X(COMMITS, "commits")                                                                          \
    X(COMMITS_PER_S, "commits_per_s")                                                              \
    X(OPS_PER_S, "ops_per_s")                                                                      \
    X(WRITE_P50_MS, "write_p50_ms")                                                                \
    X(WRITE_P99_MS, "write_p99_ms")                                                                \
    X(READ_P50_MS, "read_p50_ms")                                                                  \
    X(READ_P99_MS, "read_p99_ms")                                                                  \
    X(MESSAGES, "messages")

typedef enum {
#define M_X(id, name) M_##id,
    METRIC_LIST(M_X)
#undef M_X
        M_COUNT
} Metric;

static const char *const metric_names[] = {
#define M_X(id, name) name,
    METRIC_LIST(M_X)
#undef M_X
};

typedef struct {
    double v[M_COUNT];
    gboolean has[M_COUNT];
} RunMetrics;

static void set_metric(RunMetrics *m, Metric k, double v)
{
    m->v[k] = v;
    m->has[k] = TRUE;
}

static void latency_ms(RunMetrics *m, const OjValue *sum, const char *path, Metric k)
{
    const OjValue *v = oj_path(sum, path);
    if (v)
        set_metric(m, k, oj_num_or(v, 0) / 1e6);
}

static void metrics_of(const OjValue *sum, RunMetrics *m)
{
    memset(m, 0, sizeof *m);
    double end_s = (double)oj_int_or(oj_get(sum, "end_ns"), 0) / 1e9;
    const OjValue *els = oj_get(sum, "elections");
    guint n = oj_len(els);
    set_metric(m, M_ELECTIONS, n);
    if (n) {
        double d = 0, notes = 0;
        for (guint i = 0; i < n; i++) {
            d += oj_num_or(oj_get(oj_at(els, i), "duration_ns"), 0);
            notes += oj_num_or(oj_get(oj_at(els, i), "notifications"), 0);
        }
        set_metric(m, M_ELECTION_MS, d / n / 1e6);
        set_metric(m, M_NOTIFICATIONS, notes / n);
    }
    double commits = oj_num_or(oj_get(sum, "commits"), 0);
    set_metric(m, M_COMMITS, commits);
    if (end_s > 0)
        set_metric(m, M_COMMITS_PER_S, commits / end_s);
    const OjValue *ops = oj_path(sum, "operations/all/count");
    if (ops && end_s > 0)
        set_metric(m, M_OPS_PER_S, oj_num_or(ops, 0) / end_s);
    latency_ms(m, sum, "operations/write/latency_ns/p50", M_WRITE_P50_MS);
    latency_ms(m, sum, "operations/write/latency_ns/p99", M_WRITE_P99_MS);
    latency_ms(m, sum, "operations/read/latency_ns/p50", M_READ_P50_MS);
    latency_ms(m, sum, "operations/read/latency_ns/p99", M_READ_P99_MS);
    const OjValue *msgs = oj_path(sum, "network/messages");
    if (msgs)
        set_metric(m, M_MESSAGES, oj_num_or(msgs, 0));
}

/* ---- the table ---- */

typedef struct {
    guint runs, failed;
    double mean[M_COUNT], ci[M_COUNT];
    guint n[M_COUNT];
} Row;

static gboolean read_run(const char *path, RunMetrics *m, gboolean *ok, GError **err)
{
    g_autofree char *text = NULL;
    gsize len;
    if (!g_file_get_contents(path, &text, &len, err))
        return FALSE;
    g_autoptr(GError) e = NULL;
    g_autoptr(OjValue) v = oj_parse(text, (gssize)len, &e);
    if (!v || oj_kind(v) != OJ_OBJECT) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, e ? e->message : "not an object");
        return FALSE;
    }
    metrics_of(v, m);
    *ok = g_strcmp0(oj_str_or(oj_get(v, "status"), "ok"), "ok") == 0;
    return TRUE;
}

static gboolean build_rows(const OutSweep *s, const char *dir, Row *rows, GError **err)
{
    guint np = out_sweep_points(s), ns = s->seeds->len, missing = 0;
    g_autofree char *first_missing = NULL;
    double *xs = g_new(double, ns);
    RunMetrics *runs = g_new(RunMetrics, ns);
    gboolean ok = TRUE;
    for (guint p = 0; p < np && ok; p++) {
        Row *r = &rows[p];
        memset(r, 0, sizeof *r);
        for (guint i = 0; i < ns; i++) {
            g_autofree char *rd = out_sweep_run_dir(dir, p, g_array_index(s->seeds, uint64_t, i));
            g_autofree char *path = g_build_filename(rd, "summary.json", NULL);
            if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
                if (!missing++)
                    first_missing = g_strdup(path);
                continue;
            }
            gboolean run_ok = TRUE;
            if (!read_run(path, &runs[r->runs], &run_ok, err)) {
                ok = FALSE;
                break;
            }
            r->runs++;
            r->failed += !run_ok;
        }
        for (int k = 0; k < M_COUNT && ok; k++) {
            guint n = 0;
            for (guint i = 0; i < r->runs; i++)
                if (runs[i].has[k])
                    xs[n++] = runs[i].v[k];
            r->n[k] = n;
            out_mean_ci95(xs, n, &r->mean[k], &r->ci[k]);
        }
    }
    g_free(xs);
    g_free(runs);
    if (ok && missing) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "%u of %u runs have no summary.json (the first: %s); run the rest of the plan, then merge again",
                    missing, np * ns, first_missing);
        return FALSE;
    }
    return ok;
}

static void csv_cell(GString *out, const char *v)
{
    if (!strpbrk(v, ",\"\n")) {
        g_string_append(out, v);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *c = v; *c; c++) {
        if (*c == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

static void put_num(GString *out, double v)
{
    char b[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, g_ascii_formatd(b, sizeof b, "%.6g", v));
}

static void write_csv(const OutSweep *s, const Row *rows, GString *out)
{
    g_string_append(out, "point");
    for (guint k = 0; k < s->vary->len; k++) {
        g_string_append_c(out, ',');
        csv_cell(out, key_at(s, k)->key);
    }
    g_string_append(out, ",runs,failed");
    for (int m = 0; m < M_COUNT; m++)
        g_string_append_printf(out, ",%s_mean,%s_ci95", metric_names[m], metric_names[m]);
    g_string_append_c(out, '\n');
    for (guint p = 0; p < out_sweep_points(s); p++) {
        const Row *r = &rows[p];
        g_autofree char *name = out_sweep_point_name(p);
        g_string_append(out, name);
        for (guint k = 0; k < s->vary->len; k++) {
            g_string_append_c(out, ',');
            csv_cell(out, out_sweep_value(s, p, k));
        }
        g_string_append_printf(out, ",%u,%u", r->runs, r->failed);
        for (int m = 0; m < M_COUNT; m++) {
            g_string_append_c(out, ',');
            if (r->n[m])
                put_num(out, r->mean[m]);
            g_string_append_c(out, ',');
            if (r->n[m] > 1)
                put_num(out, r->ci[m]);
        }
        g_string_append_c(out, '\n');
    }
}

/* ---- figures ---- */

typedef struct {
    const char *name;   /* file name stem, before -vs-KEY */
    const char *ylabel;
    Metric m[2];
    const char *label[2];
    guint n;
} Figure;

static const Figure figures[] = {
    { "write-latency", "write latency (ms)", { M_WRITE_P50_MS, M_WRITE_P99_MS }, { "p50", "p99" }, 2 },
    { "read-latency", "read latency (ms)", { M_READ_P50_MS, M_READ_P99_MS }, { "p50", "p99" }, 2 },
    { "throughput", "operations per second", { M_OPS_PER_S, M_OPS_PER_S }, { "", "" }, 1 },
    { "election-time", "election time (ms)", { M_ELECTION_MS, M_ELECTION_MS }, { "", "" }, 1 },
};

static gboolean is_number(const char *v)
{
    char *end = NULL;
    g_ascii_strtod(v, &end);
    return end != v && end && *end == 0;
}

static gboolean figure_has_data(const OutSweep *s, const Row *rows, const Figure *f)
{
    for (guint p = 0; p < out_sweep_points(s); p++)
        for (guint i = 0; i < f->n; i++)
            if (rows[p].n[f->m[i]] && (f->m[i] != M_OPS_PER_S || rows[p].mean[f->m[i]] > 0))
                return TRUE;
    return FALSE;
}

static char *file_stem(const char *fig, const char *key)
{
    GString *s = g_string_new(fig);
    g_string_append(s, "-vs-");
    for (const char *c = key; *c; c++)
        g_string_append_c(s, g_ascii_isalnum(*c) ? *c : '-');
    return g_string_free(s, FALSE);
}

/* The group (combination of the other keys' values) of point p when x is
 * key kx, numbered in grid order. */
static guint group_of(const OutSweep *s, guint p, guint kx)
{
    guint g = 0;
    for (guint k = 0; k < s->vary->len; k++) {
        if (k == kx)
            continue;
        g = g * key_at(s, k)->values->len + value_index(s, p, k);
    }
    return g;
}

static char *group_title(const OutSweep *s, guint p, guint kx)
{
    GString *t = g_string_new(NULL);
    for (guint k = 0; k < s->vary->len; k++) {
        if (k == kx)
            continue;
        g_string_append_printf(t, "%s%s=%s", t->len ? ", " : "", key_at(s, k)->key, out_sweep_value(s, p, k));
    }
    return g_string_free(t, FALSE);
}

static const guint32 group_rgb[GROUPS_MAX] = { 0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e,
                                               0x9467bd, 0x8c564b, 0x17becf, 0x7f7f7f };

static gboolean draw_figure(const OutSweep *s, const Row *rows, const char *dir, guint kx, const Figure *f,
                            guint groups, GString *report, GError **err)
{
    const OutSweepKey *key = key_at(s, kx);
    gboolean numeric = TRUE;
    for (guint i = 0; i < key->values->len; i++)
        numeric &= is_number(g_ptr_array_index(key->values, i));
    g_autofree char *stem = file_stem(f->name, key->key);
    g_autofree char *dat = g_strdup_printf("%s.dat", stem);
    g_autoptr(GString) d = g_string_new(NULL);
    g_autoptr(GString) gp = g_string_new(NULL);
    g_autofree char *base = g_path_get_basename(s->scenario);
    out_gnuplot_preamble(gp, stem, 1000, 620);
    g_string_append_printf(gp,
                           "set title \"%s: %s against %s\\nmean of %u seeds; bars: 95%% confidence interval\" "
                           "noenhanced\n",
                           base, f->ylabel, key->key, s->seeds->len);
    g_string_append_printf(gp, "set xlabel '%s' noenhanced\nset ylabel '%s'\nset yrange [0:*]\n"
                               "set datafile missing '?'\nset key top left noenhanced\nset offsets graph 0.05, "
                               "graph 0.05, 0, 0\n",
                           key->key, f->ylabel);
    if (!numeric)
        g_string_append(gp, "set xtics ()\n");
    gboolean first = TRUE;
    for (guint g = 0; g < groups; g++) {
        g_string_append_printf(d, "# group %u\n", g);
        g_autofree char *gtitle = NULL;
        for (guint p = 0; p < out_sweep_points(s); p++) {
            if (group_of(s, p, kx) != g)
                continue;
            if (!gtitle)
                gtitle = group_title(s, p, kx);
            guint xi = value_index(s, p, kx);
            const char *xv = out_sweep_value(s, p, kx);
            if (numeric)
                g_string_append_printf(d, "%s \"%s\"", xv, xv);
            else
                g_string_append_printf(d, "%u \"%s\"", xi, xv);
            for (guint i = 0; i < f->n; i++) {
                const Row *r = &rows[p];
                Metric m = f->m[i];
                g_string_append_c(d, ' ');
                if (r->n[m])
                    put_num(d, r->mean[m]);
                else
                    g_string_append_c(d, '?');
                g_string_append_c(d, ' ');
                put_num(d, r->n[m] > 1 ? r->ci[m] : 0);
            }
            g_string_append_c(d, '\n');
        }
        g_string_append(d, "\n\n");
        for (guint i = 0; i < f->n; i++) {
            GString *t = g_string_new(gtitle);
            if (*f->label[i])
                g_string_append_printf(t, "%s%s", t->len ? " " : "", f->label[i]);
            if (!t->len)
                g_string_append(t, "mean");
            g_autofree char *title = g_string_free(t, FALSE);
            g_autofree char *clause = g_strdup_printf(
                "'%s' index %u using 1:%u:%u:xtic(2) with yerrorlines lw 2 pt %d ps 1.3 dt %d lc rgb '#%06x' "
                "title '%s'",
                dat, g, 3 + 2 * i, 4 + 2 * i, i ? 6 : 7, i ? 2 : 1, group_rgb[g % GROUPS_MAX], title);
            g_string_append_printf(gp, "%s \\\n     %s", first ? "plot" : ",", clause);
            first = FALSE;
        }
    }
    g_string_append_c(gp, '\n');
    if (!out_write_file(dir, dat, d, err) || !out_gnuplot_draw(dir, stem, gp, err))
        return FALSE;
    g_string_append_printf(report, "made    plots/%s.png, .svg\n", stem);
    return TRUE;
}

static gboolean draw_all(const OutSweep *s, const Row *rows, const char *sweep_dir, GString *report, GError **err)
{
    g_autofree char *dir = g_build_filename(sweep_dir, "plots", NULL);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    for (guint kx = 0; kx < s->vary->len; kx++) {
        guint groups = 1;
        for (guint k = 0; k < s->vary->len; k++)
            if (k != kx)
                groups *= key_at(s, k)->values->len;
        if (key_at(s, kx)->values->len < 2)
            continue;
        if (groups > GROUPS_MAX) {
            g_string_append_printf(report, "skipped figures against %s: %u combinations of the other keys "
                                           "(at most %d lines)\n",
                                   key_at(s, kx)->key, groups, GROUPS_MAX);
            continue;
        }
        for (size_t f = 0; f < G_N_ELEMENTS(figures); f++) {
            if (!figure_has_data(s, rows, &figures[f])) {
                g_string_append_printf(report, "skipped %s against %s: no data\n", figures[f].name,
                                       key_at(s, kx)->key);
                continue;
            }
            if (!draw_figure(s, rows, dir, kx, &figures[f], groups, report, err))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean out_sweep_merge(const OutSweep *s, const char *dir, gboolean plots, guint *failed, GString *report,
                         GError **err)
{
    guint np = out_sweep_points(s);
    Row *rows = g_new0(Row, np);
    gboolean ok = build_rows(s, dir, rows, err);
    *failed = 0;
    for (guint p = 0; ok && p < np; p++)
        *failed += rows[p].failed;
    if (ok) {
        g_autoptr(GString) csv = g_string_new(NULL);
        write_csv(s, rows, csv);
        ok = out_write_file(dir, "sweep.csv", csv, err);
        if (ok)
            g_string_append_printf(report, "made    sweep.csv (%u points x %u seeds)\n", np, s->seeds->len);
    }
    if (ok && plots)
        ok = draw_all(s, rows, dir, report, err);
    g_free(rows);
    return ok;
}
