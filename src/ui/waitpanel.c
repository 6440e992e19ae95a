/* waitpanel.c — the sets of the running asyncio.wait(): `done, pending =
 * await asyncio.wait(...)` drawn as two columns that change live as tasks
 * move from pending to done, with their counts, the return_when, and the
 * round of a `while pending:` loop. Shown when the scenario has a wait.
 *
 * A `while pending:` loop calls wait() again as soon as it returns, so the
 * live done set is empty most of the time; the panel keeps a copy of the
 * set the last return handed back (taken from the node's end event) and
 * shows it, marked as such, while the live one is empty.
 *
 * The sets are the runtime's own arrays (am_wait_done / am_wait_pending),
 * read by index for the rows on screen only. Left/Right pick a column,
 * Up/Down move in it; the selected member is what `c` or `t` act on while
 * this panel has the focus. */
#include <string.h>

#include "ui/ui.h"

#define LAST_MAX 256

typedef struct waitp_s {
    int col;                     /* 0: done, 1: pending */
    am_task_id_t last[LAST_MAX]; /* the done set of the last return (its first LAST_MAX) */
    size_t nlast, last_total;
    am_time_t last_time;
    int sel[2]; /* selected member of each column */
    int top[2]; /* first member shown */
    int page;   /* rows shown, for page keys */
    int list_y, col_w, x0;
} waitp_t;

static am_task_id_t node(am_ui_t *ui)
{
    return ui->app->mon ? am_monitor_wait(ui->app->mon) : 0;
}

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->loop && (node(ui) || ui->app->sc->combinator == AM_COMB_WAIT);
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 4;
    *want_h = 12;
}

/* A column's members: the live set, or for an empty done set the last returned one. */
static size_t members(am_ui_t *ui, waitp_t *p, int col, const am_task_id_t **ids, int *last)
{
    am_task_id_t w = node(ui);
    *ids = NULL;
    *last = 0;
    if (!w) return 0;
    if (col == 1) return am_wait_pending(ui->app->loop, w, ids);
    size_t n = am_wait_done(ui->app->loop, w, ids);
    if (n || !p->nlast) return n;
    *ids = p->last;
    *last = 1;
    return p->nlast;
}

static void event(am_ui_t *ui, void *st, const am_event_t *ev)
{
    waitp_t *p = st;
    if (ev->type != AM_EV_NODE_END || ev->kind != AM_KIND_WAIT) return;
    const am_task_id_t *ids;
    size_t n = am_wait_done(ui->app->loop, ev->task, &ids);
    if (!n) return;
    p->nlast = n < LAST_MAX ? n : LAST_MAX;
    memcpy(p->last, ids, p->nlast * sizeof p->last[0]);
    p->last_total = n;
    p->last_time = ev->time;
}

static void clamp(waitp_t *p, int col, size_t n, int rows)
{
    if (p->sel[col] >= (int)n) p->sel[col] = (int)n - 1;
    if (p->sel[col] < 0) p->sel[col] = 0;
    if (p->sel[col] < p->top[col]) p->top[col] = p->sel[col];
    if (rows > 0 && p->sel[col] >= p->top[col] + rows) p->top[col] = p->sel[col] - rows + 1;
    if (p->top[col] > (int)n - rows) p->top[col] = (int)n - rows;
    if (p->top[col] < 0) p->top[col] = 0;
}

static void draw_column(am_ui_t *ui, waitp_t *p, int col, int x, int y, int w, int rows,
                        int focused)
{
    am_loop_t *loop = ui->app->loop;
    const am_task_id_t *ids;
    int last;
    size_t n = members(ui, p, col, &ids, &last);
    char head[96], cnt[32], name[64];
    clamp(p, col, n, rows);
    if (last)
        snprintf(head, sizeof head, "last return (%s) at %.2fs",
                 am_fmt_count(cnt, sizeof cnt, p->last_total),
                 AM_SECONDS(p->last_time - ui->app->vstart));
    else
        snprintf(head, sizeof head, "%s (%s)", col == 0 ? "done" : "pending",
                 am_fmt_count(cnt, sizeof cnt, n));
    am_fill(ui, y, x, w, AM_EL_COLUMN_HEADER);
    am_put_ell(ui, y, x + 1, w - 2, AM_EL_COLUMN_HEADER, head);
    for (int r = 0; r < rows; r++) {
        size_t i = (size_t)(p->top[col] + r);
        if (i >= n) break;
        am_task_id_t id = ids[i];
        am_task_state_t s = am_task_state(loop, id);
        int sel = (int)i == p->sel[col] && col == p->col;
        am_elem_t base = sel    ? (focused ? AM_EL_SELECTED : AM_EL_SELECTED_UNFOCUSED)
                         : last ? AM_EL_DIM
                                : AM_EL_DEFAULT;
        if (sel) am_fill(ui, y + 1 + r, x, w, base);
        am_task_name(loop, id, name, sizeof name);
        int sw = 10, nw = w - sw - 2;
        am_put_ell(ui, y + 1 + r, x + 1, nw, base, name);
        am_put(ui, y + 1 + r, x + 1 + nw + 1, sw, sel ? base : am_state_elem(s), am_state_label(s));
    }
    if ((int)n > rows && rows > 0)
        am_draw_scrollbar(ui, x + w - 1, y + 1, rows,
                          n > 1 ? (double)p->sel[col] / (double)(n - 1) : 0);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    waitp_t *p = st;
    am_loop_t *loop = ui->app->loop;
    am_task_id_t w = node(ui);
    char title[96], extra[128], tmp[32];

    snprintf(title, sizeof title, "wait(%s)", am_return_when_name(ui->app->sc->return_when));
    extra[0] = '\0';
    if (w) {
        uint64_t readded = 0, rounds = am_driver_wait_rounds(ui->app->driver, &readded);
        const am_task_id_t *ids;
        size_t nd = am_wait_done(loop, w, &ids), np = am_wait_pending(loop, w, &ids);
        int final = am_task_is_final(loop, w);
        int o = 0;
        if (ui->app->sc->loop)
            o = snprintf(extra, sizeof extra, "round %s %s ",
                         am_fmt_count(tmp, sizeof tmp, rounds + (final ? 0 : 1)), ui->g->dot);
        if (o < 0) o = 0;
        snprintf(extra + o, sizeof extra - (size_t)o, "done %zu, pending %zu%s %s %s", nd, np,
                 am_wait_timed_out(loop, w) ? " (timeout)" : "", ui->g->dot,
                 final ? "returned" : "waiting");
    } else {
        snprintf(extra, sizeof extra, "not called yet");
    }
    am_draw_title(ui, r, focused, title, extra);
    int rows = r.h - 2;
    p->page = rows > 1 ? rows : 1;
    p->list_y = r.y + 2;
    p->col_w = (r.w - 1) / 2;
    p->x0 = r.x;
    if (rows < 0) return;
    draw_column(ui, p, 0, r.x, r.y + 1, p->col_w, rows, focused);
    am_put(ui, r.y + 1, r.x + p->col_w, 1, AM_EL_COLUMN_HEADER, " ");
    for (int i = 0; i < rows; i++)
        am_put(ui, r.y + 2 + i, r.x + p->col_w, 1, AM_EL_DIM, ui->g->vline);
    draw_column(ui, p, 1, r.x + p->col_w + 1, r.y + 1, r.w - p->col_w - 1, rows, focused);
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    waitp_t *p = st;
    const am_task_id_t *ids;
    int last;
    (void)k;
    size_t n = members(ui, p, p->col, &ids, &last);
    switch (action) {
    case AM_ACT_LEFT:
        p->col = 0;
        return 1;
    case AM_ACT_RIGHT:
        p->col = 1;
        return 1;
    case AM_ACT_UP:
        p->sel[p->col]--;
        break;
    case AM_ACT_DOWN:
        p->sel[p->col]++;
        break;
    case AM_ACT_PAGE_UP:
        p->sel[p->col] -= p->page;
        break;
    case AM_ACT_PAGE_DOWN:
        p->sel[p->col] += p->page;
        break;
    case AM_ACT_HOME:
        p->sel[p->col] = 0;
        break;
    case AM_ACT_END:
        p->sel[p->col] = (int)n - 1;
        break;
    default:
        return 0;
    }
    clamp(p, p->col, n, p->page);
    return 1;
}

static void click(am_ui_t *ui, void *st, am_rect_t r, int x, int y)
{
    waitp_t *p = st;
    (void)ui;
    (void)r;
    p->col = x >= p->x0 + p->col_w ? 1 : 0;
    if (y >= p->list_y) p->sel[p->col] = p->top[p->col] + (y - p->list_y);
}

static uint32_t selected(am_ui_t *ui, void *st)
{
    waitp_t *p = st;
    const am_task_id_t *ids;
    int last;
    size_t n = members(ui, p, p->col, &ids, &last);
    return p->sel[p->col] >= 0 && (size_t)p->sel[p->col] < n ? ids[p->sel[p->col]] : 0;
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    memset(st, 0, sizeof(waitp_t));
    ((waitp_t *)st)->col = 1;
}

const am_view_t am_view_wait = {
    .name = "wait",
    .title = "wait() sets",
    .slot = AM_SLOT_SIDE,
    .priority = 60,
    .toggle_key = '3',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(waitp_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .click = click,
    .reset = reset,
    .selected = selected,
    .event = event,
};
