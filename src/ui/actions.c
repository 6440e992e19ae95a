/* actions.c — what the keys do (htop's Action.c): every action goes through
 * the runtime and driver API (am_task_cancel, am_group_cancel,
 * am_driver_add_tasks, am_loop_set_speed...), never through model fields,
 * and leaves a line in the action log, which the event log panel shows
 * among the runtime's events ("cancel requested: sleepers-12 (by user)").
 * Destructive actions on many tasks ask first. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui.h"

#define MESSAGE_NS 4000000000ULL

/* ---- action log and messages ---- */

static void vmessage(am_ui_t *ui, int error, const char *fmt, va_list ap)
{
    vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
    ui->msg_error = error;
    ui->msg_until = uv_hrtime() + MESSAGE_NS;
    am_ui_touch(ui);
}

void am_ui_message(am_ui_t *ui, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(ui, error, fmt, ap);
    va_end(ap);
}

void am_ui_log(am_ui_t *ui, const char *fmt, ...)
{
    am_actlog_t *e = &ui->actlog[ui->act_head];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    /* the time the key was read: the action comes before its effects */
    e->time = ui->key_time >= 0 ? ui->key_time : ui->app->loop ? am_loop_now(ui->app->loop) : 0;
    ui->act_head = (ui->act_head + 1) % AM_ACTLOG_MAX;
    if (ui->act_len < AM_ACTLOG_MAX) ui->act_len++;
    ui->act_count++;
    snprintf(ui->msg, sizeof ui->msg, "%s", e->text);
    ui->msg_error = 0;
    ui->msg_until = uv_hrtime() + MESSAGE_NS;
    am_ui_touch(ui);
}

const am_actlog_t *am_actlog_get(const am_ui_t *ui, size_t i)
{
    if (i >= ui->act_len) return NULL;
    return &ui->actlog[(ui->act_head + AM_ACTLOG_MAX - 1 - i) % AM_ACTLOG_MAX];
}

void am_actlog_clear(am_ui_t *ui)
{
    ui->act_len = 0;
    ui->act_head = 0;
    ui->act_count = 0;
}

/* ---- tasks ---- */

static void task_name(am_ui_t *ui, uint32_t id, char *buf, size_t size)
{
    am_task_name(ui->app->loop, id, buf, size);
}

int am_act_scenario_group(am_ui_t *ui, uint32_t id)
{
    am_app_t *app = ui->app;
    /* by the loop group: true for a task and for the wait_for around it alike */
    uint16_t lg = am_task_group(app->loop, id);
    for (size_t i = 0; i < app->sc->ngroups; i++)
        if (am_driver_group(app->driver, i) == lg) return (int)i;
    return am_driver_task_group(app->driver, id);
}

void am_act_cancel_task(am_ui_t *ui, uint32_t id)
{
    am_loop_t *loop = ui->app->loop;
    char name[64];
    if (!id) {
        am_ui_message(ui, 1, "no task selected");
        return;
    }
    task_name(ui, id, name, sizeof name);
    if (am_task_is_final(loop, id)) {
        am_ui_message(ui, 1, "%s has already ended (%s)", name,
                      am_state_label(am_task_state(loop, id)));
        return;
    }
    int rc = am_task_cancel(loop, id);
    if (rc == 0)
        am_ui_log(ui, "cancel requested: %s (by user)", name);
    else
        am_ui_message(ui, 1, "cannot cancel %s: %s", name, am_strerror(rc));
}

void am_act_add(am_ui_t *ui, uint32_t id, uint32_t n)
{
    am_app_t *app = ui->app;
    int gi = id ? am_act_scenario_group(ui, id) : 0;
    if (gi < 0) gi = 0;
    const char *gname = app->sc->groups[gi].name;
    int rc = am_driver_add_tasks(app->driver, (size_t)gi, n);
    if (rc < 0) {
        if (am_driver_stopped(app->driver))
            am_ui_message(ui, 1, "the run was stopped: no tasks can be added (r runs it again)");
        else
            am_ui_message(ui, 1, "cannot add tasks: %s", am_strerror(rc));
        return;
    }
    am_ui_log(ui, "added %d task%s to group %s (by user)", rc, rc == 1 ? "" : "s", gname);
}

static uint64_t unfinished(const am_counts_t *c)
{
    return c->by_state[AM_TASK_PENDING] + c->by_state[AM_TASK_RUNNING];
}

static void confirm_group(am_ui_t *ui, int ok, const char *text, void *data)
{
    (void)text;
    if (!ok || !ui->app->loop) return;
    uint16_t g = (uint16_t)((uintptr_t)data - 1);
    size_t n = am_group_cancel(ui->app->loop, g);
    am_ui_log(ui, "cancel requested: group %s, %zu task%s (by user)",
              am_group_name(ui->app->loop, g), n, n == 1 ? "" : "s");
}

static void cancel_group(am_ui_t *ui)
{
    am_app_t *app = ui->app;
    uint32_t id = am_ui_selected_task(ui);
    if (!id) {
        am_ui_message(ui, 1, "no task selected");
        return;
    }
    uint16_t g = am_task_group(app->loop, id);
    const am_group_meter_t *m = am_monitor_group(app->mon, g);
    uint64_t left = m ? unfinished(&m->counts) : 0;
    if (!left) {
        am_ui_message(ui, 1, "group %s has nothing left to cancel", am_group_name(app->loop, g));
        return;
    }
    char n[32];
    am_prompt_yesno(ui, confirm_group, (void *)(uintptr_t)(g + 1),
                    "Cancel group %s (%s unfinished task%s)?", am_group_name(app->loop, g),
                    am_fmt_count(n, sizeof n, left), left == 1 ? "" : "s");
}

static void confirm_all(am_ui_t *ui, int ok, const char *text, void *data)
{
    (void)text;
    (void)data;
    if (!ok || !ui->app->loop) return;
    size_t n = am_loop_cancel_all(ui->app->loop);
    am_ui_log(ui, "cancel requested: all tasks, %zu (by user)", n);
}

static void cancel_all(am_ui_t *ui)
{
    uint64_t left = unfinished(am_monitor_counts(ui->app->mon));
    if (!left) {
        am_ui_message(ui, 1, "nothing left to cancel");
        return;
    }
    char n[32];
    am_prompt_yesno(ui, confirm_all, NULL, "Cancel every unfinished task (%s)?",
                    am_fmt_count(n, sizeof n, left));
}

static void set_timeout(am_ui_t *ui, int ok, const char *text, void *data)
{
    am_loop_t *loop = ui->app->loop;
    uint32_t id = (uint32_t)(uintptr_t)data;
    char name[64];
    double s;
    if (!ok || !loop) return;
    task_name(ui, id, name, sizeof name);
    while (*text == ' ')
        text++;
    if (!*text) text = "none";
    if (am_parse_seconds(text, 1, &s) != 0) {
        am_ui_message(ui, 1, "timeout: expected seconds >= 0 or \"none\", got \"%s\"", text);
        return;
    }
    int rc = am_task_set_timeout(loop, id, s < 0 ? AM_NO_TIMEOUT : AM_USEC(s));
    if (rc != 0)
        am_ui_message(ui, 1, "cannot set a timeout on %s: %s", name, am_strerror(rc));
    else if (s < 0)
        am_ui_log(ui, "timeout cleared: %s (by user)", name);
    else
        am_ui_log(ui, "timeout set: %s in %g s (by user)", name, s);
}

static void ask_timeout(am_ui_t *ui)
{
    am_loop_t *loop = ui->app->loop;
    uint32_t id = am_ui_selected_task(ui);
    char name[64], label[128];
    if (!id) {
        am_ui_message(ui, 1, "no task selected");
        return;
    }
    task_name(ui, id, name, sizeof name);
    if (am_task_is_node(loop, id)) {
        am_ui_message(ui, 1, "%s is a combinator, not a task: select a task", name);
        return;
    }
    if (am_task_is_final(loop, id)) {
        am_ui_message(ui, 1, "%s has already ended (%s)", name,
                      am_state_label(am_task_state(loop, id)));
        return;
    }
    snprintf(label, sizeof label, "Timeout for %s, in seconds (empty: none): ", name);
    am_prompt_text(ui, label, "", NULL, set_timeout, (void *)(uintptr_t)id);
}

/* ---- the clock ---- */

static const double speeds[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, AM_SPEED_MAX};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])

static void change_speed(am_ui_t *ui, int dir)
{
    am_loop_t *loop = ui->app->loop;
    double cur = am_loop_speed(loop), next = cur;
    if (dir > 0) {
        for (size_t i = 0; i < NSPEEDS; i++)
            if (speeds[i] > cur * 1.0001) {
                next = speeds[i];
                break;
            }
    } else {
        for (size_t i = NSPEEDS; i-- > 0;)
            if (speeds[i] < cur * 0.9999 || (isinf(cur) && !isinf(speeds[i]))) {
                next = speeds[i];
                break;
            }
    }
    if (next == cur) {
        am_ui_message(ui, 0, "speed is already at its %s", dir > 0 ? "fastest" : "slowest");
        return;
    }
    am_loop_set_speed(loop, next);
    if (isinf(next))
        am_ui_log(ui, "speed max: jump from event to event (by user)");
    else
        am_ui_log(ui, "speed %gx (by user)", next);
}

static void toggle_pause(am_ui_t *ui)
{
    am_loop_t *loop = ui->app->loop;
    int p = !am_loop_paused(loop);
    am_loop_pause(loop, p);
    am_ui_log(ui, "%s (by user)", p ? "paused" : "resumed");
}

static void confirm_restart(am_ui_t *ui, int ok, const char *text, void *data)
{
    (void)text;
    (void)data;
    if (ok) am_ui_restart(ui, NULL);
}

/* ---- dispatch ---- */

void am_action_run(am_ui_t *ui, int action)
{
    am_app_t *app = ui->app;
    if (action >= AM_ACT_TOGGLE && action < AM_ACT_COUNT) {
        am_ui_toggle(ui, (size_t)(action - AM_ACT_TOGGLE));
        return;
    }
    switch (action) {
    case AM_ACT_NEXT_PANEL:
        am_ui_focus_step(ui, 1);
        break;
    case AM_ACT_PREV_PANEL:
        am_ui_focus_step(ui, -1);
        break;
    case AM_ACT_CANCEL:
        am_act_cancel_task(ui, am_ui_selected_task(ui));
        break;
    case AM_ACT_CANCEL_GROUP:
        cancel_group(ui);
        break;
    case AM_ACT_CANCEL_ALL:
        cancel_all(ui);
        break;
    case AM_ACT_ADD:
        am_act_add(ui, am_ui_selected_task(ui), 1);
        break;
    case AM_ACT_ADD_MANY:
        am_act_add(ui, am_ui_selected_task(ui), 100);
        break;
    case AM_ACT_TIMEOUT:
        ask_timeout(ui);
        break;
    case AM_ACT_PAUSE:
        toggle_pause(ui);
        break;
    case AM_ACT_FASTER:
        change_speed(ui, 1);
        break;
    case AM_ACT_SLOWER:
        change_speed(ui, -1);
        break;
    case AM_ACT_FILTER:
    case AM_ACT_STATE_FILTER:
    case AM_ACT_SORT:
    case AM_ACT_RESORT: {
        /* task list actions work from any panel */
        int t = am_ui_view_index("tasks");
        if (t >= 0 && am_views[t]->key) am_views[t]->key(ui, ui->vstate[t], action, 0);
        break;
    }
    case AM_ACT_DEMO:
        am_menu_open(ui);
        break;
    case AM_ACT_RESTART:
        if (am_ui_finished(ui) || am_driver_stopped(app->driver))
            am_ui_restart(ui, NULL);
        else
            am_prompt_yesno(ui, confirm_restart, NULL,
                            "Drop this run and start %s again from the beginning?", app->sc->name);
        break;
    case AM_ACT_HELP:
        ui->help = 1;
        ui->help_top = 0;
        break;
    case AM_ACT_QUIT:
        am_ui_quit(ui);
        break;
    default: /* navigation the focused panel had no use for */
        break;
    }
    am_ui_touch(ui);
}
