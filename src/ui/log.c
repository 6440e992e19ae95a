/* log.c — the event log: the runtime's recent events (am_monitor_log_get:
 * a task created, started, ended and how, a combinator waiting and
 * returning, a deadline set) and the user's actions (the action log), merged
 * by virtual time, newest at the bottom like `tail -f`. One line each:
 * virtual time, task, what happened.
 *
 * Scrolling back pins the view to the lines it shows while new ones arrive
 * (End follows again). Finding where a scrolled view starts in the merge
 * costs at most the action log's length (256), never the event log's. */
#include <string.h>

#include "ui/ui.h"

typedef struct logp_s {
    uint64_t offset; /* lines scrolled back from the newest, when anchored */
    uint64_t anchor; /* total lines when it was set */
    int page;
} logp_t;

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->mon != NULL;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 3;
    *want_h = 8;
}

/* Lines ever logged this run (the monitor logs every event but progress). */
static uint64_t total(const am_ui_t *ui)
{
    uint64_t n = ui->act_count;
    for (int t = 0; t < AM_EV_NTYPES; t++)
        if (t != AM_EV_PROGRESS) n += am_monitor_events(ui->app->mon, (am_event_type_t)t);
    return n;
}

static size_t available_lines(const am_ui_t *ui)
{
    return am_monitor_log_len(ui->app->mon) + ui->act_len;
}

/* In the merge, newest first, is monitor entry e before action a? At the
 * same virtual time the event counts as newer: an action's effects (the
 * cancellation arriving) come after it. */
static int event_first(const am_event_t *e, const am_actlog_t *a)
{
    return e->time >= a->time;
}

/* Split the newest `off` lines into m events and a actions. */
static void split(const am_ui_t *ui, size_t off, size_t *mi, size_t *ai)
{
    const am_monitor_t *mon = ui->app->mon;
    size_t M = am_monitor_log_len(mon), A = ui->act_len;
    for (size_t a = 0; a <= A && a <= off; a++) {
        size_t m = off - a;
        if (m > M) continue;
        int ok =
            m == 0 || a == A || event_first(am_monitor_log_get(mon, m - 1), am_actlog_get(ui, a));
        ok = ok && (a == 0 || m == M ||
                    !event_first(am_monitor_log_get(mon, m), am_actlog_get(ui, a - 1)));
        if (ok) {
            *mi = m;
            *ai = a;
            return;
        }
    }
    *mi = off < M ? off : M;
    *ai = off - *mi < A ? off - *mi : A;
}

static void describe(am_ui_t *ui, const am_event_t *ev, char *buf, size_t size, am_elem_t *e)
{
    am_loop_t *loop = ui->app->loop;
    int node = AM_KIND_IS_NODE(ev->kind);
    *e = AM_EL_DEFAULT;
    switch (ev->type) {
    case AM_EV_CREATED:
        snprintf(buf, size, "created");
        *e = AM_EL_PENDING;
        break;
    case AM_EV_STARTED:
        snprintf(buf, size, "started");
        *e = AM_EL_RUNNING;
        break;
    case AM_EV_PROGRESS:
        snprintf(buf, size, "progress %u/%u", ev->n, ev->total);
        break;
    case AM_EV_ENDED:
    case AM_EV_NODE_END:
        *e = am_state_elem(ev->state);
        switch (ev->state) {
        case AM_TASK_DONE:
            if (node)
                snprintf(buf, size, "%s returned", am_task_kind_name(ev->kind));
            else
                snprintf(buf, size, "done %s result %lld", ui->g->arrow,
                         (long long)am_task_result(loop, ev->task));
            break;
        case AM_TASK_FAILED:
            snprintf(buf, size, "%s: %s", node ? "raised" : "failed", am_strerror(ev->err));
            break;
        case AM_TASK_CANCELLED:
            snprintf(buf, size, "cancelled");
            break;
        case AM_TASK_TIMED_OUT:
            snprintf(buf, size, "timed out");
            break;
        default:
            snprintf(buf, size, "ended %s", am_state_label(ev->state));
            break;
        }
        break;
    case AM_EV_NODE_START:
        snprintf(buf, size, "%s waiting", am_task_kind_name(ev->kind));
        *e = AM_EL_LABEL;
        break;
    case AM_EV_DEADLINE: {
        am_time_t dl = am_task_deadline(loop, ev->task);
        if (dl >= 0)
            snprintf(buf, size, "deadline at %.3f s", AM_SECONDS(dl - ui->app->vstart));
        else
            snprintf(buf, size, "deadline cleared");
        *e = AM_EL_MESSAGE;
        break;
    }
    case AM_EV_SERVING: /* serve.h: total is the item's value (a customer's products) */
        snprintf(buf, size, "serving a customer: %u product%s", ev->total,
                 ev->total == 1 ? "" : "s");
        *e = AM_EL_RUNNING;
        break;
    case AM_EV_SERVED:
        if (ev->err)
            snprintf(buf, size, "gave up a customer at %u/%u products (%s)", ev->n, ev->total,
                     am_strerror(ev->err));
        else
            snprintf(buf, size, "served a customer: %u product%s", ev->total,
                     ev->total == 1 ? "" : "s");
        *e = ev->err ? AM_EL_CANCELLED : AM_EL_DONE;
        break;
    default:
        snprintf(buf, size, "%s", am_event_type_name(ev->type));
        break;
    }
}

static uint64_t effective_offset(const am_ui_t *ui, const logp_t *p)
{
    if (!p->offset) return 0;
    return p->offset + (total(ui) - p->anchor);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    logp_t *p = st;
    am_monitor_t *mon = ui->app->mon;
    int rows = r.h - 1;
    size_t have = available_lines(ui);
    uint64_t off = effective_offset(ui, p);
    p->page = rows > 1 ? rows - 1 : 1;
    if (rows > 0 && off + (uint64_t)rows > have)
        off = have > (size_t)rows ? have - (size_t)rows : 0;

    char extra[96];
    if (off)
        snprintf(extra, sizeof extra, "%s %llu newer %s End follows", ui->g->down,
                 (unsigned long long)off, ui->g->dot);
    else
        snprintf(extra, sizeof extra, "%zu line%s, following", have, have == 1 ? "" : "s");
    am_draw_title(ui, r, focused, "Event log", extra);
    if (rows <= 0) return;

    size_t mi, ai;
    split(ui, (size_t)off, &mi, &ai);
    int namew = 16 < r.w / 4 ? 16 : r.w / 4;
    for (int row = 0; row < rows; row++) {
        const am_event_t *ev = am_monitor_log_get(mon, mi);
        const am_actlog_t *act = am_actlog_get(ui, ai);
        if (!ev && !act) break;
        int y = r.y + r.h - 1 - row, x = r.x + 1, w = r.w - 2;
        char buf[160], name[64];
        if (ev && (!act || event_first(ev, act))) {
            mi++;
            am_elem_t e;
            x += am_putf(ui, y, x, w, AM_EL_LOG_TIME, "%9.3f ",
                         AM_SECONDS(ev->time - ui->app->vstart));
            am_task_name(ui->app->loop, ev->task, name, sizeof name);
            am_put_ell(ui, y, x, namew, !AM_KIND_IS_NODE(ev->kind) ? AM_EL_DEFAULT : AM_EL_LABEL,
                       name);
            x += namew + 1;
            describe(ui, ev, buf, sizeof buf, &e);
            am_put_ell(ui, y, x, r.x + r.w - 1 - x, e, buf);
        } else {
            ai++;
            x += am_putf(ui, y, x, w, AM_EL_LOG_TIME, "%9.3f ",
                         AM_SECONDS(act->time - ui->app->vstart));
            snprintf(buf, sizeof buf, "%s %s", ui->g->arrow, act->text);
            am_put_ell(ui, y, x, r.x + r.w - 1 - x, AM_EL_LOG_ACTION, buf);
        }
    }
}

static void scroll_to(am_ui_t *ui, logp_t *p, int64_t off)
{
    size_t have = available_lines(ui);
    int64_t most = (int64_t)have - 1;
    if (off > most) off = most;
    if (off < 0) off = 0;
    p->offset = (uint64_t)off;
    p->anchor = total(ui);
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    logp_t *p = st;
    int64_t off = (int64_t)effective_offset(ui, p);
    (void)k;
    switch (action) {
    case AM_ACT_UP:
        scroll_to(ui, p, off + 1);
        return 1;
    case AM_ACT_DOWN:
        scroll_to(ui, p, off - 1);
        return 1;
    case AM_ACT_PAGE_UP:
        scroll_to(ui, p, off + p->page);
        return 1;
    case AM_ACT_PAGE_DOWN:
        scroll_to(ui, p, off - p->page);
        return 1;
    case AM_ACT_HOME:
        scroll_to(ui, p, (int64_t)available_lines(ui));
        return 1;
    case AM_ACT_END:
        p->offset = 0;
        return 1;
    default:
        return 0;
    }
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    memset(st, 0, sizeof(logp_t));
}

const am_view_t am_view_log = {
    .name = "log",
    .title = "event log",
    .slot = AM_SLOT_BOTTOM,
    .priority = 50,
    .toggle_key = '4',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(logp_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .reset = reset,
};
