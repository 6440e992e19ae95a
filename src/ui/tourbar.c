/* tourbar.c — the guided tour's bar and keys (`asyncmon tour`): which
 * scenario of the tour this is, its title in the chosen language, and the
 * tour's own keys, taken through mode_key while a tour scenario runs:
 * n / p the next / previous scenario, `.` one step while paused (the virtual
 * clock jumps to the next scheduled event and runs what is due then).
 * Restart, pause and speed are the dashboard's common keys.
 *
 * A scenario of the tour starts at the speed its file asks for (the chess
 * simul's 12 hours at 600x), or else at the session's speed. */
#include <string.h>

#include "asyncmon/tour.h"
#include "ui/ui.h"

typedef struct tourbar_s {
    int forced_speed; /* the last scenario set its own speed */
} tourbar_t;

static int current(am_ui_t *ui)
{
    const char *name = ui->app->sc ? ui->app->sc->name : NULL;
    if (!name || (!ui->tour && strncmp(name, "tour-", 5) != 0)) return -1;
    return am_tour_index(name);
}

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return current(ui) >= 0;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 1;
    *want_h = 1;
}

/* The tour's keys, longest first, in each language: the bar shows the
 * longest that leaves the whole title in view (a learner reads the title
 * first; at 80 columns a Chinese title and every key do not fit together). */
static const char *const keys_en[] = {"n/p next/previous  . step  < > speed ", "n/p next/previous ",
                                      NULL};
static const char *const keys_zh[] = {"n/p 下一个/上一个  . 单步  < > 速度 ", "n/p 下一个/上一个 ",
                                      NULL};

/* The tour speaks Chinese (--lang zh, on a terminal that can show it). */
static int in_zh(am_ui_t *ui)
{
    return !strcmp(ui->opts->cfg.language, "zh") && ui->utf8;
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    (void)st;
    (void)focused;
    const char *lang = ui->opts->cfg.language;
    int zh = in_zh(ui);
    char head[64];
    snprintf(head, sizeof head, " %s %d/%zu ", zh ? "导览" : "Tour", current(ui) + 1,
             am_tour_count());
    am_fill(ui, r.y, r.x, r.w, AM_EL_HEADER);
    int x = r.x + am_put(ui, r.y, r.x, r.w, AM_EL_STATUS_RUNNING, head);
    const char *title = am_scenario_title_in(ui->app->sc, lang);
    int room = r.x + r.w - x - 1, need = am_text_width(title);
    const char *keys = NULL;
    for (const char *const *k = zh ? keys_zh : keys_en; *k && !keys; k++)
        if (need + 2 + am_text_width(*k) <= room) keys = *k;
    int kw = keys ? am_text_width(keys) : 0;
    am_put_ell(ui, r.y, x + 1, room - (keys ? kw + 2 : 0), AM_EL_HEADER, title);
    if (keys) am_put(ui, r.y, r.x + r.w - kw, kw, AM_EL_DIM, keys);
}

static void go(am_ui_t *ui, int i)
{
    const char *name = am_tour_name((size_t)i);
    if (i < 0 || !name) {
        if (in_zh(ui))
            am_ui_message(ui, 0, "这是导览的%s个场景", i < 0 ? "第一" : "最后一");
        else
            am_ui_message(ui, 0, "%s scenario of the tour",
                          i < 0 ? "this is the first" : "this is the last");
        return;
    }
    am_ui_restart(ui, name);
}

static void step(am_ui_t *ui)
{
    am_loop_t *loop = ui->app->loop;
    if (!am_loop_paused(loop)) {
        am_loop_pause(loop, 1);
        am_ui_message(ui, 0, "%s",
                      in_zh(ui) ? "已暂停：按 . 单步，按空格继续"
                                : "paused: . steps to the next event, Space resumes");
        return;
    }
    am_time_t next = am_loop_next_time(loop);
    size_t n = am_loop_step(loop);
    if (!n) {
        am_ui_message(ui, 0, "%s",
                      in_zh(ui) ? "没有待执行的事件：运行已结束，或在等你操作"
                                : "nothing is scheduled: the run is over or waiting for you");
        return;
    }
    char t[32];
    am_fmt_secs(t, sizeof t, AM_SECONDS(next - ui->app->vstart));
    if (in_zh(ui))
        am_ui_message(ui, 0, "单步到 %s：%zu 个事件", t, n);
    else
        am_ui_message(ui, 0, "stepped to %s: %zu event%s", t, n, n == 1 ? "" : "s");
}

static int mode_key(am_ui_t *ui, void *st, int action, int key)
{
    (void)st;
    (void)action;
    switch (key) {
    case 'n':
        go(ui, current(ui) + 1 < (int)am_tour_count() ? current(ui) + 1 : (int)am_tour_count());
        return 1;
    case 'p':
        go(ui, current(ui) - 1);
        return 1;
    case '.':
        step(ui);
        return 1;
    default:
        return 0;
    }
}

static void reset(am_ui_t *ui, void *st)
{
    tourbar_t *t = st;
    if (current(ui) < 0 || !ui->app->loop) return;
    double speed = ui->app->sc->speed;
    if (speed > 0) {
        am_loop_set_speed(ui->app->loop, speed);
        t->forced_speed = 1;
    } else if (t->forced_speed) { /* back to the session's pace after the chess simul */
        am_loop_set_speed(ui->app->loop, ui->opts->cfg.speed);
        t->forced_speed = 0;
    }
}

const am_view_t am_view_tour = {
    .name = NULL, /* always there while a tour scenario runs */
    .title = "tour",
    .slot = AM_SLOT_TOP,
    .priority = 90,
    .toggle_key = 0,
    .focusable = 0,
    .on_by_default = 1,
    .state_size = sizeof(tourbar_t),
    .available = available,
    .size = size,
    .draw = draw,
    .reset = reset,
    .mode_key = mode_key,
};
