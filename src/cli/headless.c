/* headless.c — the plain front end: tqdm-like lines on stderr.
 *
 * One line for the whole run (every group together), redrawn with '\r' on a
 * terminal and printed as separate lines otherwise, never more often than
 * every 0.1 s of real time (tqdm's mininterval) and only when it changed.
 * The final line is always printed, with a line per group when there are
 * several. */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/app.h"

#define REFRESH_MS 100

static int columns(const am_app_t *app)
{
    struct winsize ws;
    if (app->tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 100;
}

static void bar(const am_app_t *app, const char *desc, const am_counts_t *c, const am_rate_t *r,
                char *buf, size_t size)
{
    am_meter_args_t a;
    am_meter_args_init(&a);
    const uint64_t *s = c->by_state;
    a.n =
        (double)(s[AM_TASK_DONE] + s[AM_TASK_FAILED] + s[AM_TASK_CANCELLED] + s[AM_TASK_TIMED_OUT]);
    a.total = (double)c->created;
    a.elapsed = AM_SECONDS(am_loop_now(app->loop) - app->vstart);
    a.ncols = columns(app) - (app->tty ? 1 : 0);
    a.prefix = desc;
    a.ascii = app->opts->cfg.ascii;
    a.rate = am_rate_value(r);
    am_meter_format(buf, size, &a);
}

static void print_line(am_app_t *app, int final)
{
    char line[1024];
    am_monitor_sample(app->mon, am_loop_now(app->loop));
    bar(app, app->sc->name, am_monitor_counts(app->mon), am_monitor_rate(app->mon), line,
        sizeof line);
    if (app->tty)
        fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    else
        fprintf(stderr, "%s\n", line);
    app->printed_any = 1;
    app->last_printed = am_monitor_ended(app->mon);
}

static void on_refresh(uv_timer_t *t)
{
    am_app_t *app = t->data;
    if (!app->printed_any || am_monitor_ended(app->mon) != app->last_printed) print_line(app, 0);
    fflush(stderr);
}

void am_headless_start(am_app_t *app)
{
    app->tty = isatty(STDERR_FILENO);
    uv_timer_init(&app->uv, &app->refresh);
    app->refresh.data = app;
    uv_timer_start(&app->refresh, on_refresh, REFRESH_MS, REFRESH_MS);
}

void am_headless_stop(am_app_t *app)
{
    uv_timer_stop(&app->refresh);
    uv_close((uv_handle_t *)&app->refresh, NULL);
}

void am_headless_final(am_app_t *app)
{
    print_line(app, 1);
    size_t ng = am_monitor_ngroups(app->mon);
    size_t used = 0;
    for (size_t g = 0; g < ng; g++)
        if (am_monitor_group(app->mon, g)->counts.created) used++;
    if (used > 1) {
        for (size_t g = 0; g < ng; g++) {
            const am_group_meter_t *m = am_monitor_group(app->mon, g);
            if (!m->counts.created) continue;
            char line[1024];
            bar(app, am_group_name(app->loop, (uint16_t)g), &m->counts, &m->rate, line,
                sizeof line);
            fprintf(stderr, "%s\n", line);
        }
    }
    fflush(stderr);
}
