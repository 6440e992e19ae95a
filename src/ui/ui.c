/* ui.c — the dashboard's controller: the session loop (runs started, torn
 * down and restarted in one process and terminal), the frame clock, input
 * dispatch, focus, and the layout of the registered panels.
 *
 * Timing: one uv_timer ticks at [ui] refresh_hz. Each tick reads pending
 * keys (curses reports a resize only when asked, so the tick asks), feeds the
 * rate meters (am_monitor_sample), and redraws only if something changed
 * since the last frame: a model event, the virtual clock moving on a tenth
 * of a second (what the screen shows), a key, a resize, a message expiring.
 * Keys arrive through a uv_poll on stdin, so input never waits for tasks and
 * tasks never wait for input; a key redraws at once unless the last frame is
 * more recent than the refresh period, in which case the next tick does.
 * A frame draws only the rows on screen (see listwin.h for the task list),
 * so its cost does not grow with the number of tasks. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/tour.h"
#include "ui/ui.h"

#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The virtual clock is shown to a tenth of a second. */
#define DISPLAY_TICK_US 100000

static void draw(am_ui_t *ui);

int am_ui_view_index(const char *name)
{
    for (size_t i = 0; i < am_nviews; i++)
        if (am_views[i]->name && !strcmp(am_views[i]->name, name)) return (int)i;
    return -1;
}

void *am_ui_view_state(am_ui_t *ui, const char *name)
{
    int i = am_ui_view_index(name);
    return i >= 0 ? ui->vstate[i] : NULL;
}

static int view_available(am_ui_t *ui, size_t i)
{
    return !am_views[i]->available || am_views[i]->available(ui, ui->vstate[i]);
}

int am_ui_mode_takes(am_ui_t *ui, int key)
{
    if (key <= 0 || key >= 128) return 0;
    for (size_t i = 0; i < am_nviews; i++)
        if (am_views[i]->mode_keys && strchr(am_views[i]->mode_keys, key) && view_available(ui, i))
            return 1;
    return 0;
}

void am_ui_touch(am_ui_t *ui)
{
    ui->dirty = 1;
}

int am_ui_finished(const am_ui_t *ui)
{
    const am_app_mode_t *m = ui->app->mode;
    if (m && m->finished && ui->app->loop) return m->finished(ui->app);
    return ui->app->driver && am_driver_finished(ui->app->driver);
}

double am_ui_elapsed(const am_ui_t *ui)
{
    const am_app_t *app = ui->app;
    const am_app_mode_t *m = app->mode;
    if (!app->loop) return 0;
    am_time_t end = -1;
    if (am_ui_finished(ui))
        end = m && m->finished_at ? m->finished_at(app) : am_driver_finished_at(app->driver);
    if (end < 0) end = am_loop_now(app->loop);
    return AM_SECONDS(end - app->vstart);
}

uint32_t am_ui_selected_task(am_ui_t *ui)
{
    const am_view_t *v = am_views[ui->focus];
    uint32_t id = 0;
    if (v->selected && ui->rect[ui->focus].h > 0) id = v->selected(ui, ui->vstate[ui->focus]);
    if (!id) {
        int t = am_ui_view_index("tasks");
        if (t >= 0 && am_views[t]->selected) id = am_views[t]->selected(ui, ui->vstate[t]);
    }
    return id;
}

/* ---- focus and panels ---- */

static int shown(const am_ui_t *ui, size_t i)
{
    return ui->rect[i].h > 0;
}

void am_ui_focus_step(am_ui_t *ui, int dir)
{
    size_t n = am_nviews;
    for (size_t k = 1; k <= n; k++) {
        size_t i = (size_t)((long)ui->focus + dir * (long)k + (long)n * 2) % n;
        if (am_views[i]->focusable && shown(ui, i)) {
            ui->focus = (int)i;
            break;
        }
    }
    am_ui_touch(ui);
}

void am_ui_toggle(am_ui_t *ui, size_t i)
{
    if (i >= am_nviews || !am_views[i]->name) return;
    ui->on[i] = !ui->on[i];
    char key[16] = "";
    int k = ui->keys.keys[AM_ACT_TOGGLE + i][0];
    if (k) am_key_name(k, key, sizeof key);
    if (k)
        am_ui_message(ui, 0, "%s panel %s (%s %s it)", am_views[i]->title,
                      ui->on[i] ? "shown" : "hidden", key, ui->on[i] ? "hides" : "shows");
    else
        am_ui_message(ui, 0, "%s panel %s", am_views[i]->title, ui->on[i] ? "shown" : "hidden");
    am_ui_touch(ui);
}

/* ---- run control ---- */

static void on_quit_timeout(uv_timer_t *t)
{
    am_ui_t *ui = t->data;
    uv_stop(&ui->app->uv); /* the cancellations did not drain: leave anyway */
}

void am_ui_quit(am_ui_t *ui)
{
    am_app_t *app = ui->app;
    if (ui->quitting) return;
    ui->quitting = 1;
    ui->next = AM_NEXT_QUIT;
    if (app->driver && !am_driver_finished(app->driver)) {
        /* stop the asyncio.run way: cancel what is left, let the loop deliver
         * the cancellations, then leave when the driver says it is over; a
         * mode may need longer (real processes get a grace before SIGKILL) */
        uint64_t ms = 2000;
        double wait = app->mode && app->mode->quit_wait ? app->mode->quit_wait(app) : 0;
        if (wait * 1000 > (double)ms) ms = (uint64_t)(wait * 1000 + 0.5);
        am_loop_pause(app->loop, 0);
        am_driver_stop(app->driver);
        uv_timer_start(&ui->quit_timer, on_quit_timeout, ms, 0);
    } else {
        uv_stop(&app->uv);
    }
}

void am_ui_restart(am_ui_t *ui, const char *name)
{
    if (ui->quitting) return;
    ui->next = name ? AM_NEXT_SWITCH : AM_NEXT_RESTART;
    if (name) snprintf(ui->next_demo, sizeof ui->next_demo, "%s", name);
    uv_stop(&ui->app->uv); /* the controller tears the run down outside any callback */
}

static void on_signal(am_app_t *app, int signo)
{
    if (app->signo) { /* a second signal: out now, terminal first */
        am_term_close();
        fprintf(stderr, "asyncmon: interrupted again, exiting\n");
        _Exit(128 + signo);
    }
    app->signo = signo;
    am_ui_quit(app->ui);
}

static void on_finish(am_app_t *app)
{
    am_ui_t *ui = app->ui;
    if (ui->quitting) {
        uv_stop(&app->uv);
        return;
    }
    am_ui_log(ui, "run finished in %.2f s", am_ui_elapsed(ui));
    am_ui_touch(ui);
}

static void on_event(void *ctx, const am_event_t *ev)
{
    am_ui_t *ui = ctx;
    ui->events++;
    for (int i = 0; i < ui->nwatchers; i++) {
        int v = ui->watchers[i];
        am_views[v]->event(ui, ui->vstate[v], ev);
    }
}

/* ---- input ---- */

static void mouse(am_ui_t *ui)
{
    int x, y, b;
    if (!am_term_mouse(&x, &y, &b)) return;
    if (ui->menu.active) {
        if (b == 1) am_menu_click(ui, x, y);
        return;
    }
    if (ui->help || ui->prompt.active || ui->too_small) return;
    for (size_t i = 0; i < am_nviews; i++) {
        am_rect_t r = ui->rect[i];
        if (!r.h || x < r.x || x >= r.x + r.w || y < r.y || y >= r.y + r.h) continue;
        const am_view_t *v = am_views[i];
        if (b == 1) {
            if (v->focusable) ui->focus = (int)i;
            if (v->click) v->click(ui, ui->vstate[i], r, x, y);
        } else if ((b == 4 || b == 5) && v->key) {
            for (int k = 0; k < 3; k++)
                v->key(ui, ui->vstate[i], b == 4 ? AM_ACT_UP : AM_ACT_DOWN, 0);
        }
        break;
    }
    am_ui_touch(ui);
}

static void dispatch_key(am_ui_t *ui, int key);

static void handle_key(am_ui_t *ui, int key)
{
    if (key == (AM_KEY_FN | KEY_RESIZE)) {
        ui->cols = COLS;
        ui->rows = LINES;
        clearok(curscr, TRUE); /* repaint everything: the terminal may have reflowed */
        am_ui_touch(ui);
        return;
    }
    if (!ui->app->driver) return; /* between runs */
    ui->key_time = am_loop_now(ui->app->loop);
    dispatch_key(ui, key);
    ui->key_time = -1;
}

static void dispatch_key(am_ui_t *ui, int key)
{
    if (key == (AM_KEY_FN | KEY_MOUSE)) {
        mouse(ui);
        return;
    }
    am_ui_touch(ui);
    if (ui->prompt.active) {
        am_prompt_key(ui, key);
        return;
    }
    int action = am_keymap_action(&ui->keys, key);
    if (ui->menu.active) {
        am_menu_key(ui, key, action);
        return;
    }
    if (ui->help) {
        am_help_key(ui, key, action);
        return;
    }
    if (ui->too_small && action != AM_ACT_QUIT && action != AM_ACT_PAUSE) return;
    for (size_t i = 0; i < am_nviews; i++) {
        const am_view_t *m = am_views[i];
        if (m->mode_key && view_available(ui, i) && m->mode_key(ui, ui->vstate[i], action, key))
            return;
    }
    const am_view_t *v = am_views[ui->focus];
    if (v->key && shown(ui, (size_t)ui->focus) && v->key(ui, ui->vstate[ui->focus], action, key))
        return;
    if (action < 0) {
        if (key == 27) return; /* a stray Esc */
        char name[16];
        am_key_name(key, name, sizeof name);
        am_ui_message(ui, 0, "%s: no such key (? shows the keys)", name);
        return;
    }
    am_action_run(ui, action);
}

static void drain_keys(am_ui_t *ui)
{
    int key, n = 0;
    while (n < 512 && am_term_key(&key)) {
        handle_key(ui, key);
        n++;
    }
    if (n && ui->app->loop && !ui->quitting && uv_hrtime() - ui->last_draw_ns >= ui->period_ns &&
        ui->next == AM_NEXT_NONE)
        draw(ui); /* answer a key at once, within the refresh rate */
}

static void on_input(uv_poll_t *h, int status, int events)
{
    am_ui_t *ui = h->data;
    (void)events;
    if (status < 0) { /* stdin is gone (the terminal hung up): stop polling it */
        uv_poll_stop(h);
        return;
    }
    drain_keys(ui);
}

/* ---- frames ---- */

static int changed(am_ui_t *ui, uint64_t now_ns)
{
    am_app_t *app = ui->app;
    if (ui->msg[0] && now_ns >= ui->msg_until) {
        ui->msg[0] = '\0';
        ui->dirty = 1;
    }
    am_time_t tick = am_loop_now(app->loop) / DISPLAY_TICK_US;
    int busy = 0;
    for (size_t i = 0; i < am_nviews; i++)
        if (am_views[i]->busy && shown(ui, i)) busy |= am_views[i]->busy(ui, ui->vstate[i]);
    return ui->dirty || busy || ui->events != ui->drawn_events || tick != ui->drawn_tick ||
           am_loop_paused(app->loop) != ui->drawn_paused ||
           am_ui_finished(ui) != ui->drawn_finished;
}

static void on_frame(uv_timer_t *t)
{
    am_ui_t *ui = t->data;
    am_app_t *app = ui->app;
    drain_keys(ui); /* KEY_RESIZE comes this way, and keys curses buffered */
    if (!app->loop || ui->next != AM_NEXT_NONE) return;
    /* Feed the rate meters at frames where tasks ended, as tqdm feeds its EMA
     * at each update(n) that displays: a frame with nothing new would count
     * its time into neither the rate nor the next frame's, and overstate
     * the rate of slow runs by the frame rate. */
    uint64_t ended = am_monitor_ended(app->mon);
    if (ended != ui->sampled_ended || !ui->sampled) {
        am_monitor_sample(app->mon, am_loop_now(app->loop));
        ui->sampled_ended = ended;
        ui->sampled = 1;
    }
    if (changed(ui, uv_hrtime())) draw(ui);
}

static void draw_too_small(am_ui_t *ui, int cols, int rows)
{
    char size[32];
    snprintf(size, sizeof size, "%dx%d<%dx%d", cols, rows, AM_LAYOUT_MIN_COLS, AM_LAYOUT_MIN_ROWS);
    const char *lines[3] = {"terminal", "too small", size};
    int n = rows >= 3 ? 3 : rows >= 2 ? 2 : 1, first = n == 1 ? 1 : 0;
    int y0 = (rows - n) / 2;
    for (int i = 0; i < n; i++) {
        const char *s = lines[first + i];
        int w = (int)strlen(s);
        int x = w < cols ? (cols - w) / 2 : 0;
        am_put(ui, y0 + i, x, cols - x, i == 1 || n == 1 ? AM_EL_ERROR : AM_EL_DEFAULT, s);
    }
}

static void draw(am_ui_t *ui)
{
    am_app_t *app = ui->app;
    uint64_t t0 = uv_hrtime();
    int cols = COLS, rows = LINES;

    erase();
    ui->cols = cols;
    ui->rows = rows;
    ui->too_small = am_layout_too_small(cols, rows);
    if (ui->too_small) {
        memset(ui->rect, 0, sizeof ui->rect);
        draw_too_small(ui, cols, rows);
    } else {
        am_layout_item_t items[AM_PANELS_MAX];
        for (size_t i = 0; i < am_nviews; i++) {
            const am_view_t *v = am_views[i];
            int on = (!v->name || ui->on[i]) && view_available(ui, i);
            int min_h = 1, want_h = 1;
            int w = v->slot == AM_SLOT_SIDE ? am_layout_side_width(cols) : cols;
            if (on && v->size) v->size(ui, ui->vstate[i], w, &min_h, &want_h);
            items[i] = (am_layout_item_t){on, v->slot, min_h, want_h, v->priority};
        }
        am_layout(cols, rows, items, am_nviews, ui->rect);
        if (!shown(ui, (size_t)ui->focus) || !am_views[ui->focus]->focusable)
            am_ui_focus_step(ui, 1);
        for (size_t i = 0; i < am_nviews; i++)
            if (shown(ui, i))
                am_views[i]->draw(ui, ui->vstate[i], ui->rect[i], (int)i == ui->focus);
        if (ui->help) am_help_draw(ui);
        if (ui->menu.active) am_menu_draw(ui);
        if (ui->prompt.active) am_prompt_draw(ui, rows - 1);
    }
    if (!ui->prompt.active || ui->prompt.yesno || ui->too_small) {
        leaveok(stdscr, TRUE);
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    uint64_t tdraw = uv_hrtime();
    doupdate(); /* the terminal's part: writing the changes out */

    uint64_t t1 = uv_hrtime();
    if (ui->frame_log)
        fprintf(ui->frame_log, "%llu %llu\n", (unsigned long long)(t1 - t0),
                (unsigned long long)(tdraw - t0));
    ui->frames++;
    ui->last_draw_ns = t1;
    ui->dirty = 0;
    ui->drawn_events = ui->events;
    ui->drawn_tick = am_loop_now(app->loop) / DISPLAY_TICK_US;
    ui->drawn_paused = am_loop_paused(app->loop);
    ui->drawn_finished = am_ui_finished(ui);
}

/* ---- the session ---- */

int am_ui_prepare(am_ui_t *ui, am_app_t *app, char *err, size_t errsize)
{
    const am_options_t *o = app->opts;
    ui->app = app;
    ui->tour = o->command == AM_CMD_TOUR;
    ui->opts = o;
    ui->key_time = -1;
    app->ui = ui;
    int rc = am_theme_load(o->cfg.theme, &ui->theme, err, errsize);
    if (rc) return rc;
    ui->keys = o->cfg.keys;
    const char *cs = nl_langinfo(CODESET);
    ui->utf8 = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
    ui->ascii = o->cfg.ascii || !ui->utf8;
    ui->g = am_glyphs(ui->ascii);
    ui->period_ns = 1000000000ULL / (uint64_t)(o->cfg.refresh_hz > 0 ? o->cfg.refresh_hz : 20);
    for (size_t i = 0; i < am_nviews; i++) {
        const am_view_t *v = am_views[i];
        ui->on[i] = !v->name || v->on_by_default;
        if (v->event) ui->watchers[ui->nwatchers++] = (int)i;
        if (v->state_size && !(ui->vstate[i] = calloc(1, v->state_size))) {
            snprintf(err, errsize, "out of memory");
            return AM_ENOMEM;
        }
    }
    int t = am_ui_view_index("tasks");
    ui->focus = t >= 0 ? t : 0;
    const char *fl = getenv("ASYNCMON_FRAME_LOG");
    if (fl && *fl && !(ui->frame_log = fopen(fl, "w"))) {
        snprintf(err, errsize, "$ASYNCMON_FRAME_LOG: cannot write %s", fl);
        return AM_EIO;
    }
    if (ui->frame_log) setvbuf(ui->frame_log, NULL, _IOLBF, 0); /* readable while running */
    return 0;
}

static void free_views(am_ui_t *ui)
{
    for (size_t i = 0; i < am_nviews; i++) {
        if (am_views[i]->free && ui->vstate[i]) am_views[i]->free(ui, ui->vstate[i]);
        free(ui->vstate[i]);
        ui->vstate[i] = NULL;
    }
}

/* Start a run of app->sc and show it. */
static int start_run(am_ui_t *ui, double speed, char *err, size_t errsize)
{
    am_app_t *app = ui->app;
    int rc = am_app_begin(app, err, errsize);
    if (rc) return rc;
    am_scenario_use_language(app->sc, app->opts->cfg.language); /* the header's title */
    ui->run_no++;
    ui->next = AM_NEXT_NONE;
    ui->events = 0;
    ui->sampled = 0;
    am_actlog_clear(ui);
    am_monitor_set_listener(app->mon, on_event, ui);
    am_loop_set_speed(app->loop, speed);
    rc = am_driver_start(app->driver);
    if (rc) {
        am_ui_message(ui, 1, "cannot start the scenario: %s", am_strerror(rc));
        am_driver_stop(app->driver);
    }
    if (app->opts->cfg.duration >= 0)
        am_driver_stop_at(app->driver, app->vstart + AM_USEC(app->opts->cfg.duration));
    for (size_t i = 0; i < am_nviews; i++)
        if (am_views[i]->reset) am_views[i]->reset(ui, ui->vstate[i]);
    char what[AM_NAME_MAX + 128];
    if (app->mode && app->mode->describe)
        app->mode->describe(app, what, sizeof what);
    else
        snprintf(what, sizeof what, "%s (%s), %llu tasks, speed %gx", app->sc->name,
                 am_combinator_name(app->sc->combinator),
                 (unsigned long long)am_scenario_tasks(app->sc), am_loop_speed(app->loop));
    am_ui_log(ui, "run %d: %s", ui->run_no, what);
    ui->dirty = 1;
    return 0;
}

int am_ui_main(am_ui_t *ui)
{
    am_app_t *app = ui->app;
    char err[AM_PATH_MAX + 256] = "";
    int code = AM_EXIT_OK;
    double speed = app->opts->cfg.speed;

    if (am_term_open(ui, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s; showing progress lines instead\n", err);
        free_views(ui);
        if (ui->frame_log) fclose(ui->frame_log);
        return -1;
    }
    app->on_signal = on_signal;
    app->on_finish = on_finish;
    uv_timer_init(&app->uv, &ui->frame);
    ui->frame.data = ui;
    uv_timer_init(&app->uv, &ui->quit_timer);
    ui->quit_timer.data = ui;
    if (uv_poll_init(&app->uv, &ui->input, STDIN_FILENO) == 0) {
        ui->input.data = ui;
        uv_poll_start(&ui->input, UV_READABLE, on_input);
        ui->input_on = 1;
    }
    uint64_t ms = ui->period_ns / 1000000;
    uv_timer_start(&ui->frame, on_frame, ms ? ms : 1, ms ? ms : 1);

    int rc = start_run(ui, speed, err, sizeof err);
    while (rc == 0) {
        draw(ui);
        uv_run(&app->uv, UV_RUN_DEFAULT);
        if (ui->next != AM_NEXT_RESTART && ui->next != AM_NEXT_SWITCH) break;
        speed = am_loop_speed(app->loop); /* a new run keeps the speed chosen with +/- */
        int next = ui->next;
        am_app_end(app);
        if (next == AM_NEXT_SWITCH && am_app_load_demo(app, ui->next_demo, err, sizeof err) != 0)
            am_ui_message(ui, 1, "%s", err); /* keep the scenario we had */
        err[0] = '\0';
        rc = start_run(ui, speed, err, sizeof err);
    }

    uv_timer_stop(&ui->frame);
    uv_timer_stop(&ui->quit_timer);
    if (ui->input_on) uv_poll_stop(&ui->input);
    am_term_close();

    if (rc != 0) {
        fprintf(stderr, "asyncmon: %s\n", err);
        code = AM_EXIT_FAILURE;
    } else {
        char why[256];
        if (am_monitor_check(app->mon, why, sizeof why) != 0) {
            fprintf(stderr, "asyncmon: internal error: %s\n", why);
            code = AM_EXIT_FAILURE;
        }
        /* a mode prints its own summary: asyncmon run's counts jobs, where
         * this line would count their attempts, in other numbers */
        if (!app->mode) am_summary_line(app, stdout, ui->g->dash);
        fflush(stdout);
        if (app->opts->summary_json[0] &&
            am_summary_json(app, app->opts->summary_json, err, sizeof err) != 0) {
            fprintf(stderr, "asyncmon: %s\n", err);
            code = AM_EXIT_FAILURE;
        }
    }
    am_app_end(app);
    if (app->signo && code == AM_EXIT_OK) code = 128 + app->signo;

    uv_close((uv_handle_t *)&ui->frame, NULL);
    uv_close((uv_handle_t *)&ui->quit_timer, NULL);
    if (ui->input_on) uv_close((uv_handle_t *)&ui->input, NULL);
    free_views(ui);
    if (ui->frame_log) fclose(ui->frame_log);
    ui->frame_log = NULL;
    app->on_signal = NULL;
    app->on_finish = NULL;
    return code;
}
