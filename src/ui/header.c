/* header.c — the top of the dashboard: the scenario's title, the run's
 * status, elapsed (virtual) time, speed and the loop's lag on the first row;
 * tasks by state in their colours, the overall rate and the ETA on the
 * second (or what the run's mode counts instead: asyncmon run's jobs).
 *
 * "lag" is the loop's lag as the runtime measures it (am_monitor_health:
 * how late a periodic real-time timer fires, now and at worst), in the
 * warning colour while the latest sample is over the slow threshold (100 ms:
 * a task step is blocking the loop). Until the first sample, the header shows
 * the worst lateness of any dispatch so far (am_loop_stats().max_late, in
 * virtual time), labelled "lag(max late)". "slow N" follows once a task step
 * has run longer than that threshold, as asyncio's debug mode would log it. */
#include <math.h>
#include <string.h>

#include "ui/ui.h"

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->loop != NULL;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 1;
    *want_h = 2;
}

/* label + value, if it fits in [x, end); returns the new x */
static int item(am_ui_t *ui, int y, int x, int end, const char *label, am_elem_t ve,
                const char *value)
{
    int need = am_text_width(label) + 1 + am_text_width(value) + 2;
    if (x + need - 2 > end) return end + 1; /* no room: nothing after it either */
    x += am_put(ui, y, x, end - x, AM_EL_LABEL, label);
    x += am_put(ui, y, x, 1, AM_EL_HEADER, " ");
    x += am_put(ui, y, x, end - x, ve, value);
    return x + 2;
}

static void status_text(am_ui_t *ui, char *buf, size_t size, am_elem_t *e)
{
    am_app_t *app = ui->app;
    if (ui->quitting) {
        snprintf(buf, size, " stopping%s ", ui->g->ellipsis);
        *e = AM_EL_STATUS_PAUSED;
    } else if (am_ui_finished(ui)) {
        snprintf(buf, size, " finished %s q to quit, r to run again ", ui->g->dash);
        *e = AM_EL_STATUS_FINISHED;
    } else if (am_loop_paused(app->loop)) {
        snprintf(buf, size, " %s PAUSED ", ui->g->pause);
        *e = AM_EL_STATUS_PAUSED;
    } else if (am_driver_stopped(app->driver)) {
        snprintf(buf, size, "%s stopping", ui->g->run);
        *e = AM_EL_STATUS_RUNNING;
    } else {
        snprintf(buf, size, "%s running", ui->g->run);
        *e = AM_EL_STATUS_RUNNING;
    }
}

/* The clock part of the first row: up to three pieces in their colours. */
typedef struct clockparts_s {
    char text[3][96];
    am_elem_t e[3];
    int n, w;
} clockparts_t;

static void clock_add(clockparts_t *c, am_elem_t e, const char *s)
{
    snprintf(c->text[c->n], sizeof c->text[0], "%s", s);
    c->e[c->n] = e;
    c->w += am_text_width(c->text[c->n]);
    c->n++;
}

static void first_row(am_ui_t *ui, int y, int w)
{
    am_app_t *app = ui->app;
    char status[128], text[96], secs[32], speed[32], slow[48] = "";
    am_elem_t se;
    am_loop_stats_t st;
    status_text(ui, status, sizeof status, &se);
    double sp = am_loop_speed(app->loop);
    if (isinf(sp))
        snprintf(speed, sizeof speed, "max");
    else
        snprintf(speed, sizeof speed, "%gx", sp);
    /* the loop's lag as the runtime measures it (a real-time timer's
     * lateness); before its first sample, the worst dispatch lateness */
    am_loop_health_t h;
    char lag[64];
    am_elem_t lag_e = AM_EL_VALUE;
    am_monitor_health(app->mon, &h);
    if (h.lag_samples) {
        snprintf(lag, sizeof lag, "lag %.1fms (max %.0fms)", h.lag_now * 1e3, h.lag_max * 1e3);
        if (h.lag_now > h.slow_threshold) lag_e = AM_EL_WARNING;
    } else {
        am_loop_stats(app->loop, &st);
        snprintf(lag, sizeof lag, "lag(max late) %.1fms", (double)st.max_late / 1000.0);
    }
    if (h.slow_steps) snprintf(slow, sizeof slow, "  slow %llu", (unsigned long long)h.slow_steps);

    clockparts_t c = {.n = 0};
    snprintf(text, sizeof text, "  %s  speed %s  ",
             am_fmt_secs(secs, sizeof secs, am_ui_elapsed(ui)), speed);
    clock_add(&c, AM_EL_VALUE, text);
    clock_add(&c, lag_e, lag);
    if (slow[0]) clock_add(&c, AM_EL_WARNING, slow);
    int sw = am_text_width(status);
    if (sw + c.w + 24 > w) { /* narrower: elapsed, speed and slow steps, then the status alone */
        c = (clockparts_t){.n = 0};
        snprintf(text, sizeof text, "  %s  %s", secs, speed);
        clock_add(&c, AM_EL_VALUE, text);
        if (slow[0] && sw + c.w + am_text_width(slow) + 12 <= w) clock_add(&c, AM_EL_WARNING, slow);
    }
    int cw = c.w;
    if (sw + cw + 12 > w) cw = 0;
    if (sw + 12 > w) sw = w - 12 > 0 ? w - 12 : 0;
    int right = w - sw - cw;
    int x = am_put(ui, y, 1, right - 2, AM_EL_TITLE, "asyncmon");
    x += 1;
    char title[AM_TITLE_MAX + AM_NAME_MAX + 8];
    /* a mode's title follows what it runs now (asyncmon run: jobs added with
     * a, -j changed with + and -), not what it started with */
    char what[AM_TITLE_MAX];
    const char *t = app->sc->title;
    if (app->mode && app->mode->describe) {
        app->mode->describe(app, what, sizeof what);
        t = what;
    }
    snprintf(title, sizeof title, " %s %s %s", app->sc->name, ui->g->dot, t);
    am_put_ell(ui, y, x, right - x - 1, AM_EL_HEADER, title);
    am_put_ell(ui, y, right, sw, se, status);
    for (int i = 0, x0 = right + sw; cw && i < c.n; i++)
        x0 += am_put(ui, y, x0, right + sw + cw - x0, c.e[i], c.text[i]);
}

/* The runtime's tasks, or what the run's mode counts instead. */
static void counts_of(am_app_t *app, am_app_counts_t *k)
{
    memset(k, 0, sizeof *k);
    k->total_label = "created";
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        k->labels[s] = am_state_label((am_task_state_t)s);
    k->rate = NAN;
    if (app->mode && app->mode->counts) {
        app->mode->counts(app, k);
        return;
    }
    const am_counts_t *c = am_monitor_counts(app->mon);
    k->total = c->created;
    memcpy(k->by_state, c->by_state, sizeof k->by_state);
    k->ended = am_monitor_ended(app->mon);
    k->rate = am_rate_value(am_monitor_rate(app->mon));
}

static void second_row(am_ui_t *ui, int y, int w)
{
    am_app_counts_t k;
    char v[64];
    int x = 1, end = w - 1;
    counts_of(ui->app, &k);

    x = item(ui, y, x, end, k.total_label, AM_EL_VALUE, am_fmt_count(v, sizeof v, k.total));
    for (int s = 0; s < AM_TASK_NSTATES && x <= end; s++)
        x = item(ui, y, x, end, k.labels[s], am_state_elem((am_task_state_t)s),
                 am_fmt_count(v, sizeof v, k.by_state[s]));
    if (x > end) return;

    double rate = k.rate;
    uint64_t left = k.total - k.ended;
    if (isnan(rate) || rate <= 0)
        snprintf(v, sizeof v, "?/s");
    else if (rate < 100)
        snprintf(v, sizeof v, "%.1f/s", rate);
    else
        snprintf(v, sizeof v, "%.0f/s", rate);
    x = item(ui, y, x, end, "rate", AM_EL_VALUE, v);
    if (!left)
        snprintf(v, sizeof v, "00:00");
    else if (isnan(rate) || rate <= 0)
        snprintf(v, sizeof v, "?");
    else
        am_format_interval(v, sizeof v, (double)left / rate);
    item(ui, y, x, end, "ETA", AM_EL_VALUE, v);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    (void)st;
    (void)focused;
    am_fill(ui, r.y, r.x, r.w, AM_EL_HEADER);
    if (r.h >= 2) {
        first_row(ui, r.y, r.w);
        am_fill(ui, r.y + 1, r.x, r.w, AM_EL_HEADER);
        second_row(ui, r.y + 1, r.w);
    } else {
        second_row(ui, r.y, r.w);
    }
}

const am_view_t am_view_header = {
    .name = NULL,
    .title = "header",
    .slot = AM_SLOT_TOP,
    .priority = 100,
    .available = available,
    .size = size,
    .draw = draw,
};
