/* app.c — one run: wires the uv loop, the runtime, the monitor, the scenario
 * driver and the headless front end, handles signals, writes the reports.
 *
 * Ctrl-C, SIGTERM and SIGHUP stop the run the asyncio.run way: every task
 * still running is cancelled, the summary shows them as cancelled, and the
 * exit status is 128 + the signal. A second signal exits at once. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/app.h"

static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

static void close_signals(am_app_t *app)
{
    for (int i = 0; i < 3; i++) {
        if (uv_is_closing((uv_handle_t *)&app->sig[i])) continue;
        uv_signal_stop(&app->sig[i]);
        uv_close((uv_handle_t *)&app->sig[i], NULL);
    }
}

static void on_finish(am_driver_t *d, void *data)
{
    (void)d;
    am_app_t *app = data;
    am_headless_final(app);
    am_headless_stop(app);
    close_signals(app);
}

static void on_signal(uv_signal_t *h, int signo)
{
    am_app_t *app = h->data;
    if (app->signo) {
        /* a second signal: the user wants out now */
        fprintf(stderr, "\nasyncmon: interrupted again, exiting\n");
        _Exit(128 + signo);
    }
    app->signo = signo;
    am_driver_stop(app->driver);
}

static int setup(am_app_t *app, char *err, size_t errsize)
{
    const am_options_t *o = app->opts;
    if (uv_loop_init(&app->uv) != 0) {
        snprintf(err, errsize, "cannot initialise the event loop");
        return AM_EIO;
    }
    app->loop = am_loop_new(&app->uv);
    app->mon = app->loop ? am_monitor_new(app->loop, (size_t)o->cfg.log_lines) : NULL;
    app->driver = app->mon ? am_driver_new(app->loop, app->sc, o->cfg.seed, on_finish, app) : NULL;
    if (!app->driver) {
        snprintf(err, errsize, "out of memory");
        return AM_ENOMEM;
    }
    am_loop_set_speed(app->loop, o->cfg.speed);
    if (o->trace[0]) {
        app->trace = fopen(o->trace, "w");
        if (!app->trace) {
            snprintf(err, errsize, "%s: cannot write: %s", o->trace, strerror(errno));
            return AM_EIO;
        }
        am_monitor_set_trace(app->mon, app->trace);
    }
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&app->uv, &app->sig[i]);
        app->sig[i].data = app;
        uv_signal_start(&app->sig[i], on_signal, stop_signals[i]);
    }
    return 0;
}

int am_app_run(const am_options_t *opts, am_scenario_t *sc)
{
    am_app_t app;
    memset(&app, 0, sizeof app);
    app.opts = opts;
    app.sc = sc;
    char err[AM_PATH_MAX + 256] = "";
    int rc = setup(&app, err, sizeof err);
    int code = AM_EXIT_OK;
    if (rc == 0) {
        app.wall_start_ns = uv_hrtime();
        app.vstart = am_loop_now(app.loop);
        am_headless_start(&app);
        rc = am_driver_start(app.driver);
        if (rc != 0) {
            snprintf(err, sizeof err, "cannot start the scenario: %s", am_strerror(rc));
            am_driver_stop(app.driver);
        }
        if (opts->cfg.duration >= 0)
            am_driver_stop_at(app.driver, app.vstart + AM_USEC(opts->cfg.duration));
        uv_run(&app.uv, UV_RUN_DEFAULT);
        char why[256];
        if (am_monitor_check(app.mon, why, sizeof why) != 0) {
            fprintf(stderr, "asyncmon: internal error: %s\n", why);
            code = AM_EXIT_FAILURE;
        }
        am_summary_print(&app, stdout);
        if (opts->summary_json[0] && am_summary_json(&app, opts->summary_json, err, sizeof err))
            code = AM_EXIT_FAILURE;
    }
    if (rc != 0 || err[0]) {
        fprintf(stderr, "asyncmon: %s\n", err);
        code = rc == AM_ENOMEM ? AM_EXIT_FAILURE : AM_EXIT_USAGE;
    }
    if (app.signo && code == AM_EXIT_OK) code = 128 + app.signo;
    if (app.trace && fclose(app.trace) != 0) {
        fprintf(stderr, "asyncmon: %s: cannot write: %s\n", opts->trace, strerror(errno));
        code = AM_EXIT_FAILURE;
    }
    am_driver_free(app.driver);
    am_monitor_free(app.mon);
    am_loop_free(app.loop);
    if (app.loop) {
        uv_run(&app.uv, UV_RUN_NOWAIT);
        uv_loop_close(&app.uv);
    }
    return code;
}
