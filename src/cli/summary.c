/* summary.c — the end-of-run report: text on stdout, JSON for tools.
 *
 * The JSON file is what tests and benchmarks read: counts by state under a
 * top-level "tasks" object, per-group figures, the combinator's outcome and
 * timings (virtual and wall clock, CPU, peak RSS). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/app.h"
#include "cli/report.h"

static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static double virtual_seconds(const am_app_t *app)
{
    am_time_t end = am_driver_finished_at(app->driver);
    if (end < 0) end = am_loop_now(app->loop);
    return AM_SECONDS(end - app->vstart);
}

static double wall_seconds(const am_app_t *app)
{
    return (double)(uv_hrtime() - app->wall_start_ns) / 1e9;
}

static void state_line(FILE *out, const am_counts_t *c)
{
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        fprintf(out, "%s%s %llu", s ? ", " : "", am_task_state_name((am_task_state_t)s),
                (unsigned long long)c->by_state[s]);
}

void am_summary_print(const am_app_t *app, FILE *out)
{
    const am_counts_t *c = am_monitor_counts(app->mon);
    fprintf(out, "%s: %llu tasks in %.3f s virtual (%.3f s wall", app->sc->name,
            (unsigned long long)c->created, virtual_seconds(app), wall_seconds(app));
    if (isinf(app->opts->cfg.speed))
        fprintf(out, ", speed max)%s\n", app->signo ? ", interrupted" : "");
    else
        fprintf(out, ", speed %gx)%s\n", app->opts->cfg.speed, app->signo ? ", interrupted" : "");
    fprintf(out, "  tasks: ");
    state_line(out, c);
    fputc('\n', out);
    for (size_t g = 0; g < am_monitor_ngroups(app->mon); g++) {
        const am_group_meter_t *m = am_monitor_group(app->mon, g);
        if (!m->counts.created) continue;
        fprintf(out, "  group %s: ", am_group_name(app->loop, (uint16_t)g));
        state_line(out, &m->counts);
        fputc('\n', out);
    }
    am_report_objects_text(app->mon, out);
    am_report_checkout_text(app->loop, app->driver, app->sc, out);
    am_task_id_t node = am_driver_node(app->driver);
    if (node) {
        char name[64];
        am_task_name(app->loop, node, name, sizeof name);
        fprintf(out, "  %s: %s", name, am_task_state_name(am_task_state(app->loop, node)));
        int err = am_task_error(app->loop, node);
        if (err && am_task_state(app->loop, node) == AM_TASK_FAILED)
            fprintf(out, " (%s)", am_strerror(err));
        am_time_t ended = am_driver_node_ended(app->driver);
        if (ended >= 0) fprintf(out, " at %.3f s", AM_SECONDS(ended - app->vstart));
        if (am_task_kind(app->loop, node) == AM_KIND_WAIT) {
            const am_task_id_t *ids;
            uint64_t readded = 0;
            uint64_t rounds = am_driver_wait_rounds(app->driver, &readded);
            fprintf(out, "; last return: done %zu, pending %zu%s; rounds %llu, re-added %llu",
                    am_wait_done(app->loop, node, &ids), am_wait_pending(app->loop, node, &ids),
                    am_wait_timed_out(app->loop, node) ? " (timeout)" : "",
                    (unsigned long long)rounds, (unsigned long long)readded);
        }
        fputc('\n', out);
    }
}

void am_summary_line(const am_app_t *app, FILE *out, const char *dash)
{
    const am_counts_t *c = am_monitor_counts(app->mon);
    const uint64_t *s = c->by_state;
    fprintf(out, "%s: %llu tasks %s ", app->sc->name, (unsigned long long)c->created, dash);
    if (s[AM_TASK_PENDING] || s[AM_TASK_RUNNING])
        fprintf(out, "pending %llu, running %llu, ", (unsigned long long)s[AM_TASK_PENDING],
                (unsigned long long)s[AM_TASK_RUNNING]);
    fprintf(out, "done %llu, failed %llu, cancelled %llu, timed out %llu in %.1f s",
            (unsigned long long)s[AM_TASK_DONE], (unsigned long long)s[AM_TASK_FAILED],
            (unsigned long long)s[AM_TASK_CANCELLED], (unsigned long long)s[AM_TASK_TIMED_OUT],
            virtual_seconds(app));
    if (app->signo == SIGINT)
        fprintf(out, " (interrupted)");
    else if (app->signo)
        fprintf(out, " (stopped by signal %d)", app->signo);
    fputc('\n', out);
}

static void json_counts(FILE *f, const am_counts_t *c)
{
    fprintf(f, "\"created\": %llu", (unsigned long long)c->created);
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        fprintf(f, ", \"%s\": %llu", am_task_state_name((am_task_state_t)s),
                (unsigned long long)c->by_state[s]);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* ", "key": ["name", ...]" for the first few of n task ids. */
static void json_names(const am_app_t *app, FILE *f, const char *key, const am_task_id_t *ids,
                       size_t n)
{
    char name[64];
    fprintf(f, ", \"%s\": [", key);
    for (size_t i = 0; i < n && i < 10; i++) {
        am_task_name(app->loop, ids[i], name, sizeof name);
        fprintf(f, "%s", i ? ", " : "");
        json_string(f, name);
    }
    fputc(']', f);
}

int am_summary_json(const am_app_t *app, const char *path, char *err, size_t errsize)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errsize, "%s: cannot write: %s", path, strerror(errno));
        return AM_EIO;
    }
    const am_counts_t *c = am_monitor_counts(app->mon);
    fprintf(f, "{\n  \"scenario\": ");
    json_string(f, app->sc->name);
    fprintf(f, ",\n  \"title\": ");
    json_string(f, app->sc->title);
    fprintf(f, ",\n  \"combinator\": \"%s\",\n", am_combinator_name(app->sc->combinator));
    fprintf(f, "  \"seed\": %llu,\n", (unsigned long long)app->opts->cfg.seed);
    if (isinf(app->opts->cfg.speed))
        fprintf(f, "  \"speed\": \"max\",\n");
    else
        fprintf(f, "  \"speed\": %.17g,\n", app->opts->cfg.speed);
    fprintf(f, "  \"stopped\": %s,\n  \"interrupted\": %s,\n",
            am_driver_stopped(app->driver) ? "true" : "false", app->signo ? "true" : "false");
    fprintf(f, "  \"tasks\": {");
    json_counts(f, c);
    fprintf(f, ", \"progress_steps\": %llu},\n", (unsigned long long)c->progress);
    fprintf(f, "  \"groups\": [");
    int first = 1;
    for (size_t g = 0; g < am_monitor_ngroups(app->mon); g++) {
        const am_group_meter_t *m = am_monitor_group(app->mon, g);
        if (!m->counts.created) continue;
        uint64_t ended = m->counts.by_state[AM_TASK_DONE] + m->counts.by_state[AM_TASK_FAILED] +
                         m->counts.by_state[AM_TASK_CANCELLED] +
                         m->counts.by_state[AM_TASK_TIMED_OUT];
        fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
        json_string(f, am_group_name(app->loop, (uint16_t)g));
        fprintf(f, ", ");
        json_counts(f, &m->counts);
        fprintf(f, ", \"first_start\": %.6f, \"last_end\": %.6f, \"mean_task_seconds\": %.6f}",
                m->first_start >= 0 ? AM_SECONDS(m->first_start - app->vstart) : -1.0,
                m->last_end >= 0 ? AM_SECONDS(m->last_end - app->vstart) : -1.0,
                ended ? m->busy_seconds / (double)ended : 0.0);
        first = 0;
    }
    fprintf(f, "\n  ],\n");
    am_task_id_t node = am_driver_node(app->driver);
    if (node) {
        int e = am_task_error(app->loop, node);
        am_time_t ended = am_driver_node_ended(app->driver);
        fprintf(f, "  \"node\": {\"kind\": \"%s\", \"state\": \"%s\", \"error\": ",
                am_task_kind_name(am_task_kind(app->loop, node)),
                am_task_state_name(am_task_state(app->loop, node)));
        if (e)
            fprintf(f, "\"%s\"", am_err_name(e));
        else
            fprintf(f, "null");
        fprintf(f, ", \"ended_at\": %.6f", ended >= 0 ? AM_SECONDS(ended - app->vstart) : -1.0);
        const am_task_id_t *order;
        if (am_task_kind(app->loop, node) == AM_KIND_GATHER) {
            /* results come in submission order, tasks end in their own */
            json_names(app, f, "submitted_first", order, am_gather_tasks(app->loop, node, &order));
            json_names(app, f, "completed_first", order,
                       am_gather_completed(app->loop, node, &order));
        }
        if (am_task_kind(app->loop, node) == AM_KIND_AS_COMPLETED)
            json_names(app, f, "yielded_first", order,
                       am_as_completed_order(app->loop, node, &order));
        if (am_task_kind(app->loop, node) == AM_KIND_WAIT) {
            const am_task_id_t *ids;
            uint64_t readded = 0;
            uint64_t rounds = am_driver_wait_rounds(app->driver, &readded);
            fprintf(f,
                    ", \"done\": %zu, \"pending\": %zu, \"timed_out\": %s, \"rounds\": %llu, "
                    "\"readded\": %llu",
                    am_wait_done(app->loop, node, &ids), am_wait_pending(app->loop, node, &ids),
                    am_wait_timed_out(app->loop, node) ? "true" : "false",
                    (unsigned long long)rounds, (unsigned long long)readded);
        }
        fprintf(f, "},\n");
    }
    am_report_objects_json(app->mon, f);
    am_report_checkout_json(app->loop, app->driver, app->sc, f);
    am_loop_stats_t st;
    am_loop_stats(app->loop, &st);
    fprintf(f,
            "  \"timing\": {\"virtual_seconds\": %.6f, \"wall_seconds\": %.6f, "
            "\"cpu_seconds\": %.6f, \"max_rss_kb\": %ld, \"max_late_seconds\": %.6f, "
            "\"max_end_late_seconds\": %.6f},\n",
            virtual_seconds(app), wall_seconds(app), cpu_seconds(), max_rss_kb(),
            AM_SECONDS(st.max_late), AM_SECONDS(st.max_end_late));
    fprintf(f,
            "  \"loop\": {\"dispatched\": %llu, \"timer_fires\": %llu, \"runtime_bytes\": %zu}\n",
            (unsigned long long)st.dispatched, (unsigned long long)st.timer_fires, st.bytes);
    fprintf(f, "}\n");
    if (fclose(f) != 0) {
        snprintf(err, errsize, "%s: cannot write: %s", path, strerror(errno));
        return AM_EIO;
    }
    return 0;
}
