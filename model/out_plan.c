/* out_plan.c - see out_plan.h. */
#include "out_plan.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* How often a waiting pool looks at its children and redraws progress. */
#define POLL_US 20000

struct OutPlan {
    GPtrArray *runs; /* GStrv */
};

OutPlan *out_plan_new(void)
{
    OutPlan *p = g_new0(OutPlan, 1);
    p->runs = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    return p;
}

void out_plan_free(OutPlan *p)
{
    if (!p)
        return;
    g_ptr_array_free(p->runs, TRUE);
    g_free(p);
}

void out_plan_add(OutPlan *p, const char *const *argv)
{
    g_assert(argv && argv[0]);
    g_ptr_array_add(p->runs, g_strdupv((char **)argv));
}

guint out_plan_len(const OutPlan *p)
{
    return p->runs->len;
}

const char *const *out_plan_argv(const OutPlan *p, guint i)
{
    g_assert(i < p->runs->len);
    return g_ptr_array_index(p->runs, i);
}

static gboolean plain_word(const char *w)
{
    if (!*w)
        return FALSE;
    for (const char *c = w; *c; c++)
        if (!g_ascii_isalnum(*c) && !strchr("_./=:,+-@%", *c))
            return FALSE;
    return TRUE;
}

char *out_plan_line(const OutPlan *p, guint i)
{
    GString *s = g_string_new(NULL);
    for (const char *const *w = out_plan_argv(p, i); *w; w++) {
        if (w != out_plan_argv(p, i))
            g_string_append_c(s, ' ');
        if (plain_word(*w)) {
            g_string_append(s, *w);
        } else {
            g_autofree char *q = g_shell_quote(*w);
            g_string_append(s, q);
        }
    }
    return g_string_free(s, FALSE);
}

gboolean out_plan_write(const OutPlan *p, const char *path, GError **err)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint i = 0; i < p->runs->len; i++) {
        g_autofree char *line = out_plan_line(p, i);
        g_string_append(s, line);
        g_string_append_c(s, '\n');
    }
    return g_file_set_contents(path, s->str, (gssize)s->len, err);
}

int out_plan_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > OUT_PLAN_JOBS_MAX ? OUT_PLAN_JOBS_MAX : (int)n;
}

static int exit_code(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 255;
}

gboolean out_plan_run(const OutPlan *p, int jobs, OutProgress *pg, int abort_status, int *status, GError **err)
{
    g_assert(jobs >= 1 && jobs <= OUT_PLAN_JOBS_MAX);
    guint n = p->runs->len, next = 0, done = 0, failed = 0;
    pid_t pids[OUT_PLAN_JOBS_MAX];
    guint which[OUT_PLAN_JOBS_MAX];
    int running = 0;
    gboolean stop = FALSE, ok = TRUE;
    for (guint i = 0; i < n; i++)
        status[i] = -1;
    out_progress_runs(pg, 0, n, 0);
    while (next < n || running > 0) {
        while (!stop && next < n && running < jobs) {
            char *const *argv = g_ptr_array_index(p->runs, next);
            pid_t pid;
            int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
            if (rc != 0) {
                g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "%s: cannot start: %s", argv[0],
                            g_strerror(rc));
                stop = TRUE;
                ok = FALSE;
                break;
            }
            pids[running] = pid;
            which[running] = next++;
            running++;
        }
        if (stop && running == 0)
            break;
        gboolean reaped = FALSE;
        for (int k = 0; k < running;) {
            int ws;
            pid_t r = waitpid(pids[k], &ws, WNOHANG);
            if (r == 0 || (r < 0 && errno == EINTR)) {
                k++;
                continue;
            }
            status[which[k]] = r < 0 ? 255 : exit_code(ws);
            failed += status[which[k]] != 0;
            if (abort_status >= 0 && status[which[k]] == abort_status)
                stop = TRUE;
            done++;
            reaped = TRUE;
            pids[k] = pids[running - 1];
            which[k] = which[running - 1];
            running--;
        }
        out_progress_runs(pg, done, n, failed);
        if (!reaped && running > 0)
            g_usleep(POLL_US);
    }
    return ok;
}
