/* narration.c — the scenario's narration (sc->narration), word-wrapped to
 * the panel's width with wide characters measured by wcwidth: what the demo
 * teaches, next to the tasks doing it. Scrolls when focused and longer than
 * the panel; hidden when the scenario has no narration. */
#include <string.h>

#include "asyncmon/tour.h"
#include "ui/ui.h"

#define WANT_LINES 4

typedef struct narration_s {
    int top;
    int lines; /* at the last drawn width */
} narration_t;

/* The narration in the [ui] language (narration.zh for zh, when there is one). */
static const char *text(am_ui_t *ui)
{
    return am_scenario_narration_in(ui->app->sc, ui->opts->cfg.language);
}

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->sc && text(ui) && text(ui)[0];
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    narration_t *n = st;
    n->lines = am_wrap(text(ui), width - 2, NULL, NULL);
    *min_h = 2;
    /* A short teaching text (a scenario with a code panel, 6 lines or fewer
     * at this width: the tour's) is there to be read: its first lines come
     * before the task list's wish for rows (the layout serves every minimum
     * before any wish; at 80x24 it had one line). Two lines at 24 rows,
     * three from 30; smaller terminals keep the one line rather than lose the
     * panel. A long one (the checkout's 11 lines) is scrolled anyway and
     * leaves the rows to its scenario's own panels. */
    int read = ui->rows >= 30 ? 3 : ui->rows >= 24 ? 2 : 1;
    if (ui->app->sc->code.text && n->lines <= 6) *min_h = 1 + (n->lines < read ? n->lines : read);
    *want_h = 1 + (n->lines < WANT_LINES ? n->lines : WANT_LINES);
}

typedef struct draw_ctx_s {
    am_ui_t *ui;
    am_rect_t r;
    int line, top;
} draw_ctx_t;

static void draw_line(const char *line, size_t len, void *ud)
{
    draw_ctx_t *c = ud;
    int row = c->line++ - c->top;
    if (row < 0 || row >= c->r.h - 1) return;
    char buf[1024];
    if (len >= sizeof buf) len = sizeof buf - 1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    am_put(c->ui, c->r.y + 1 + row, c->r.x + 1, c->r.w - 2, AM_EL_NARRATION, buf);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    narration_t *n = st;
    int body = r.h - 1;
    n->lines = am_wrap(text(ui), r.w - 2, NULL, NULL);
    if (n->top > n->lines - body) n->top = n->lines - body;
    if (n->top < 0) n->top = 0;
    char extra[64] = "";
    if (n->lines > body)
        snprintf(extra, sizeof extra, "%s%s %d-%d/%d", n->top > 0 ? ui->g->up : " ",
                 n->top + body < n->lines ? ui->g->down : " ", n->top + 1, n->top + body, n->lines);
    am_draw_title(ui, r, focused, "Narration", extra);
    draw_ctx_t c = {ui, r, 0, n->top};
    am_wrap(text(ui), r.w - 2, draw_line, &c);
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    narration_t *n = st;
    (void)ui;
    (void)k;
    switch (action) {
    case AM_ACT_UP:
        n->top--;
        return 1;
    case AM_ACT_DOWN:
        n->top++;
        return 1;
    case AM_ACT_PAGE_UP:
        n->top -= WANT_LINES;
        return 1;
    case AM_ACT_PAGE_DOWN:
        n->top += WANT_LINES;
        return 1;
    case AM_ACT_HOME:
        n->top = 0;
        return 1;
    case AM_ACT_END:
        n->top = n->lines;
        return 1;
    default:
        return 0;
    }
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    ((narration_t *)st)->top = 0;
}

const am_view_t am_view_narration = {
    .name = "narration",
    .title = "narration",
    .slot = AM_SLOT_TOP,
    .priority = 40,
    .toggle_key = '5',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(narration_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .reset = reset,
};
