/* code.c — the code panel of the teaching tour: the scenario's short Python
 * asyncio snippet ([code] in the scenario file) with the line that is
 * executing right now highlighted, following the real state of the run
 * (am_code_active over the driver's combinator node and the monitor's group
 * counts): `done, pending = await asyncio.wait(...)` while the wait node is
 * pending, the line after it once it has returned.
 *
 * Beside the code, what the snippet would print: each group's own clock
 * (from its first start to its last end, or to now while it works — the
 * "one by one" and "at once" timings side by side) and, for gather and
 * as_completed, the order of the results against the order of completion. */
#include <string.h>

#include "ui/ui.h"

#define CODE_COLS  66 /* the snippet's column; the rest of the width is the side column */
#define ORDER_SHOW 12 /* task names shown per order line */

typedef struct code_s {
    int top; /* first snippet line shown */
} code_t;

static const am_scenario_code_t *code(am_ui_t *ui)
{
    return &ui->app->sc->code;
}

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->sc && code(ui)->text != NULL;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)st;
    (void)width;
    int side = (int)ui->app->sc->ngroups + 3;
    int n = code(ui)->nlines > side ? code(ui)->nlines : side;
    /* The snippet is the lesson: when the terminal has room for all of it and
     * 24 rows for the rest, it comes before the task list's and the event
     * log's wishes for rows (at 120x40 a 12-line snippet showed 6 lines beside
     * a task list of 10 rows). A longer one (the checkout's) keeps 2 lines and
     * scrolls to the executing line, leaving its own panels their rows. */
    int nl = code(ui)->nlines;
    *min_h = 1 + (nl <= ui->rows - 24 ? nl : nl < 2 ? nl : 2);
    *want_h = 1 + n;
}

/* The state of the run as the snippet's phases see it. */
static am_code_state_t run_state(am_ui_t *ui)
{
    am_app_t *app = ui->app;
    am_code_state_t st = {0};
    if (!app->driver) return st;
    am_task_id_t node = am_driver_node(app->driver);
    st.node = !node ? 0 : am_driver_node_ended(app->driver) >= 0 ? 2 : 1;
    st.finished = am_ui_finished(ui);
    for (size_t g = 0; g < app->sc->ngroups && g < AM_CODE_MAX_GROUPS; g++) {
        const am_group_meter_t *m = am_monitor_group(app->mon, am_driver_group(app->driver, g));
        if (!m) continue;
        uint64_t ended = 0;
        for (int s = AM_TASK_DONE; s < AM_TASK_NSTATES; s++)
            ended += m->counts.by_state[s];
        if (m->counts.created > ended)
            st.groups_active |= 1u << g;
        else if (m->counts.created >= app->sc->groups[g].count)
            st.groups_ended |= 1u << g;
        /* where its tasks are: counts the runtime keeps per step, O(steps)
         * a frame however many tasks the group has */
        int prog = am_driver_program(app->driver, g);
        if (prog > 0)
            st.nsteps[g] = am_program_step_counts(app->loop, prog, &st.at[g], &st.waiting[g]);
    }
    return st;
}

static const char *phase_label(const am_code_state_t *st)
{
    if (st->finished) return "finished";
    return st->node == 0 ? "starting" : st->node == 1 ? "awaiting" : "returned";
}

/* One order line: "label  a-1 a-2 ..." for the first ids. */
static void draw_order(am_ui_t *ui, int y, int x, int w, const char *label, const am_task_id_t *ids,
                       size_t n)
{
    char buf[512], name[64];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%-10s", label);
    for (size_t i = 0; i < n && i < ORDER_SHOW && len < sizeof buf - 80; i++) {
        am_task_name(ui->app->loop, ids[i], name, sizeof name);
        len += (size_t)snprintf(buf + len, sizeof buf - len, " %s", name);
    }
    if (n > ORDER_SHOW && len < sizeof buf - 8)
        snprintf(buf + len, sizeof buf - len, " %s", ui->g->ellipsis);
    am_put_ell(ui, y, x, w, AM_EL_VALUE, buf);
}

/* The side column: each group's own clock, then result and completion orders. */
static void draw_side(am_ui_t *ui, am_rect_t r, int x, int w, int legend)
{
    am_app_t *app = ui->app;
    int y = r.y + 1, bottom = r.y + r.h;
    if (!app->driver || w < 12) return;
    if (legend) { /* the two markers, on the side column's last row */
        char buf[128];
        snprintf(buf, sizeof buf, "%s runs here  %s waits here (lock, queue...)", ui->g->run,
                 ui->g->pause);
        am_put_ell(ui, --bottom, x, w, AM_EL_DIM, buf);
    }
    am_put(ui, y++, x, w, AM_EL_LABEL, "clocks (each group's own time)");
    am_time_t now = am_loop_now(app->loop);
    for (size_t g = 0; g < app->sc->ngroups && y < bottom; g++, y++) {
        const am_group_meter_t *m = am_monitor_group(app->mon, am_driver_group(app->driver, g));
        if (!m) continue;
        uint64_t ended = 0;
        for (int s = AM_TASK_DONE; s < AM_TASK_NSTATES; s++)
            ended += m->counts.by_state[s];
        int busy = m->counts.created > ended;
        double secs = m->first_start < 0 ? 0
                      : busy             ? AM_SECONDS(now - m->first_start)
                                         : AM_SECONDS(m->last_end - m->first_start);
        char t[32], line[160];
        am_fmt_secs(t, sizeof t, secs);
        snprintf(line, sizeof line, "%-14s %8s  %llu/%llu ended%s", app->sc->groups[g].name, t,
                 (unsigned long long)ended, (unsigned long long)app->sc->groups[g].count,
                 busy ? "" : " " /* steady width */);
        am_put_ell(ui, y, x, w, busy ? AM_EL_RUNNING : AM_EL_DONE, line);
    }
    am_task_id_t node = am_driver_node(app->driver);
    if (!node || y + 1 >= bottom) return;
    const am_task_id_t *ids;
    size_t n;
    switch (am_task_kind(app->loop, node)) {
    case AM_KIND_GATHER:
        n = am_gather_tasks(app->loop, node, &ids);
        draw_order(ui, ++y, x, w, "results:", ids, n);
        n = am_gather_completed(app->loop, node, &ids);
        if (++y < bottom) draw_order(ui, y, x, w, "completed:", ids, n);
        break;
    case AM_KIND_AS_COMPLETED:
        n = am_as_completed_order(app->loop, node, &ids);
        draw_order(ui, ++y, x, w, "yielded:", ids, n);
        break;
    default:
        break;
    }
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    code_t *c = st;
    const am_scenario_code_t *sc = code(ui);
    am_code_state_t rs = run_state(ui);
    uint64_t waiting, active = am_code_lines(sc, &rs, &waiting);
    char extra[96];
    /* the markers' legend: on the side column's last row when it has rows
     * to spare, else (a short panel, the checkout's) in the title */
    int side_legend = sc->nstep_keys > 0 && r.h - 1 >= 4;
    if (sc->nstep_keys > 0 && !side_legend)
        snprintf(extra, sizeof extra, "%s runs %s waits  python %s %s", ui->g->run, ui->g->pause,
                 ui->g->dot, phase_label(&rs));
    else
        snprintf(extra, sizeof extra, "python %s %s", ui->g->dot, phase_label(&rs));
    am_draw_title(ui, r, focused, "Code", extra);
    int body = r.h - 1;
    int cw = r.w - 1 > CODE_COLS ? CODE_COLS : r.w - 1;
    /* keep the first executing line in view */
    int first = 0;
    for (int i = 1; i <= sc->nlines && !first; i++)
        if (active & ((uint64_t)1 << (i - 1))) first = i;
    if (first && (first - 1 < c->top || first - 1 >= c->top + body)) c->top = first - 1 - body / 2;
    if (c->top > sc->nlines - body) c->top = sc->nlines - body;
    if (c->top < 0) c->top = 0;
    for (int row = 0; row < body; row++) {
        int i = c->top + row + 1;
        size_t len;
        const char *text = am_code_line(sc, i, &len);
        if (!text) break;
        uint64_t b = (uint64_t)1 << (i - 1);
        int on = (active & b) != 0, waits = (waiting & b) != 0;
        /* a waiting line: its own marker and the dimmer highlight */
        const char *mark = waits ? ui->g->pause : on ? ui->g->run : " ";
        am_elem_t el = waits ? AM_EL_SELECTED_UNFOCUSED : on ? AM_EL_SELECTED : AM_EL_DEFAULT;
        char buf[256];
        snprintf(buf, sizeof buf, "%2d %s %.*s", i, mark, (int)len, text);
        int y = r.y + 1 + row;
        if (on) am_fill(ui, y, r.x + 1, cw, el);
        am_put_ell(ui, y, r.x + 1, cw, el, buf);
    }
    if (r.w - cw - 3 >= 12) draw_side(ui, r, r.x + cw + 2, r.w - cw - 3, side_legend);
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    ((code_t *)st)->top = 0;
}

const am_view_t am_view_code = {
    .name = "code",
    .title = "code",
    .slot = AM_SLOT_TOP,
    .priority = 38, /* the narration's lines first, then as much code as fits */
    .toggle_key = '8',
    .focusable = 0,
    .on_by_default = 1,
    .state_size = sizeof(code_t),
    .available = available,
    .size = size,
    .draw = draw,
    .reset = reset,
};
