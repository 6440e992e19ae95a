/* app.c — a session: the uv loop, the signals, the runs of scenarios (loop,
 * runtime, monitor, driver) and the choice of front end.
 *
 * The dashboard is the default when stdin and stdout are terminals; it can
 * end a run and start another (restart, another demo) in the same process,
 * so one run's objects are created by am_app_begin() and freed by
 * am_app_end(), and everything that outlives a run (signals, the trace file,
 * the dashboard's handles) belongs to the session.
 *
 * Ctrl-C, SIGTERM and SIGHUP stop the run the asyncio.run way: every task
 * still running is cancelled, the summary shows them as cancelled, and the
 * exit status is 128 + the signal. A second signal exits at once. */
#define _POSIX_C_SOURCE 200809L

#include "cli/app.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/ui.h"

static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

void am_app_close_signals(am_app_t *app)
{
    if (!app->signals_on) return;
    app->signals_on = 0;
    for (int i = 0; i < 3; i++) {
        uv_signal_stop(&app->sig[i]);
        uv_close((uv_handle_t *)&app->sig[i], NULL);
    }
}

static void on_finish(am_driver_t *d, void *data)
{
    (void)d;
    am_app_t *app = data;
    if (app->on_finish) app->on_finish(app);
}

static void on_signal(uv_signal_t *h, int signo)
{
    am_app_t *app = h->data;
    if (app->mode && app->mode->signal) app->mode->signal(app, signo);
    if (app->on_signal) {
        app->on_signal(app, signo);
        return;
    }
    if (app->signo) {
        /* a second signal: the user wants out now */
        fprintf(stderr, "\nasyncmon: interrupted again, exiting\n");
        _Exit(128 + signo);
    }
    app->signo = signo;
    if (app->driver) am_driver_stop(app->driver);
}

int am_app_begin(am_app_t *app, char *err, size_t errsize)
{
    const am_options_t *o = app->opts;
    app->loop = am_loop_new(&app->uv);
    app->mon = app->loop ? am_monitor_new(app->loop, (size_t)o->cfg.log_lines) : NULL;
    app->driver = app->mon ? am_driver_new(app->loop, app->sc, o->cfg.seed, on_finish, app) : NULL;
    if (!app->driver) {
        snprintf(err, errsize, "out of memory");
        return AM_ENOMEM;
    }
    am_loop_set_speed(app->loop, o->cfg.speed);
    if (app->trace) am_monitor_set_trace(app->mon, app->trace);
    app->wall_start_ns = uv_hrtime();
    app->vstart = am_loop_now(app->loop);
    if (app->mode && app->mode->begin) return app->mode->begin(app, err, errsize);
    return 0;
}

void am_app_end(am_app_t *app)
{
    am_driver_t *d = app->driver;
    am_monitor_t *m = app->mon;
    am_loop_t *l = app->loop;
    if (app->mode && app->mode->end && l) app->mode->end(app);
    /* cleared first: am_loop_free runs the uv loop once, and the front end's
     * callbacks must see that there is no run any more */
    app->driver = NULL;
    app->mon = NULL;
    app->loop = NULL;
    am_driver_free(d);
    am_monitor_free(m);
    am_loop_free(l);
}

int am_app_load_demo(am_app_t *app, const char *name, char *err, size_t errsize)
{
    char path[AM_PATH_MAX];
    am_scenario_t sc;
    int rc = am_demo_resolve(name, path, sizeof path, err, errsize);
    if (rc == 0) rc = am_scenario_load(path, &sc, err, errsize);
    if (rc != 0) return rc;
    if (app->own_sc_loaded) am_scenario_free(&app->own_sc);
    app->own_sc = sc; /* the narration it owns moves with it */
    app->own_sc_loaded = 1;
    app->sc = &app->own_sc;
    return 0;
}

/* ---- headless ---- */

static void headless_finish(am_app_t *app)
{
    am_headless_final(app);
    am_headless_stop(app);
    am_app_close_signals(app);
}

static int run_headless(am_app_t *app)
{
    const am_options_t *opts = app->opts;
    char err[AM_PATH_MAX + 256] = "";
    int code = AM_EXIT_OK;
    app->on_finish = headless_finish;
    app->on_signal = NULL;
    int rc = am_app_begin(app, err, sizeof err);
    if (rc == 0) {
        am_headless_start(app);
        rc = am_driver_start(app->driver);
        if (rc != 0) {
            snprintf(err, sizeof err, "cannot start the scenario: %s", am_strerror(rc));
            am_driver_stop(app->driver);
        }
        if (opts->cfg.duration >= 0)
            am_driver_stop_at(app->driver, app->vstart + AM_USEC(opts->cfg.duration));
        uv_run(&app->uv, UV_RUN_DEFAULT);
        char why[256];
        if (am_monitor_check(app->mon, why, sizeof why) != 0) {
            fprintf(stderr, "asyncmon: internal error: %s\n", why);
            code = AM_EXIT_FAILURE;
        }
        am_summary_print(app, stdout);
        if (opts->summary_json[0] && am_summary_json(app, opts->summary_json, err, sizeof err))
            code = AM_EXIT_FAILURE;
    }
    if (rc != 0 || err[0]) {
        fprintf(stderr, "asyncmon: %s\n", err);
        code = rc == AM_ENOMEM ? AM_EXIT_FAILURE : AM_EXIT_USAGE;
    }
    if (app->signo && code == AM_EXIT_OK) code = 128 + app->signo;
    am_app_end(app);
    return code;
}

/* ---- the session ---- */

int am_app_run(const am_options_t *opts, am_scenario_t *sc)
{
    return am_app_run_mode(opts, sc, NULL);
}

int am_app_run_mode(const am_options_t *opts, am_scenario_t *sc, const am_app_mode_t *mode)
{
    am_app_t *app = calloc(1, sizeof *app);
    int code = AM_EXIT_OK;
    if (!app) {
        fprintf(stderr, "asyncmon: out of memory\n");
        return AM_EXIT_FAILURE;
    }
    app->opts = opts;
    app->mode = mode;
    app->sc = sc;
    if (uv_loop_init(&app->uv) != 0) {
        fprintf(stderr, "asyncmon: cannot initialise the event loop\n");
        free(app);
        return AM_EXIT_FAILURE;
    }

    /* The dashboard: checked before anything else is set up, so that a bad
     * theme is an error with the terminal untouched. */
    am_ui_t *ui = NULL;
    int dashboard = !opts->cfg.headless && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    if (dashboard) {
        char err[AM_PATH_MAX + 512];
        ui = calloc(1, sizeof *ui);
        if (!ui) {
            fprintf(stderr, "asyncmon: out of memory\n");
            code = AM_EXIT_FAILURE;
            goto out;
        }
        if (am_ui_prepare(ui, app, err, sizeof err) != 0) {
            fprintf(stderr, "asyncmon: %s\n", err);
            code = AM_EXIT_USAGE;
            goto out;
        }
    }

    if (opts->trace[0]) {
        app->trace = fopen(opts->trace, "w");
        if (!app->trace) {
            fprintf(stderr, "asyncmon: %s: cannot write: %s\n", opts->trace, strerror(errno));
            code = AM_EXIT_USAGE;
            goto out;
        }
    }
    /* Signals first: libuv's handlers must be in place before curses looks
     * for handlers of its own, so that SIGINT/SIGTERM/SIGHUP reach us. */
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&app->uv, &app->sig[i]);
        app->sig[i].data = app;
        uv_signal_start(&app->sig[i], on_signal, stop_signals[i]);
    }
    app->signals_on = 1;

    code = -1;
    if (ui) code = am_ui_main(ui); /* -1: the terminal cannot be used */
    if (code < 0) {
        app->ui = NULL;
        code = run_headless(app);
    }
    am_app_close_signals(app);
    uv_run(&app->uv, UV_RUN_NOWAIT);
    if (app->trace && fclose(app->trace) != 0) {
        fprintf(stderr, "asyncmon: %s: cannot write: %s\n", opts->trace, strerror(errno));
        code = AM_EXIT_FAILURE;
    }
out:
    if (uv_loop_close(&app->uv) != 0) {
        uv_run(&app->uv, UV_RUN_NOWAIT);
        uv_loop_close(&app->uv);
    }
    if (app->own_sc_loaded) am_scenario_free(&app->own_sc);
    free(ui);
    free(app);
    return code;
}
