/* tasklist.c — the task list: one row per simulated task (combinator nodes
 * are left out) with its name, group, state, progress, elapsed time,
 * deadline countdown and result or error; scrollable, sortable (id, state,
 * elapsed, name) and filterable (`/` by name, `f` by state).
 *
 * The rows on screen come from a listwin (listwin.h), which is what keeps a
 * frame's cost proportional to the rows shown with a million tasks: this
 * file only adapts the runtime to the listwin's source interface and draws
 * the rows it is given. */
#include <math.h>
#include <string.h>

#include "ui/ui.h"

typedef struct tasklist_s {
    am_listwin_t lw;
    am_ui_t *ui;
    int inited;
    int filter;                            /* index into filters[] */
    char text[AM_LISTWIN_TEXT_MAX];        /* the name filter */
    char text_before[AM_LISTWIN_TEXT_MAX]; /* restored when the prompt is cancelled */
    am_sort_t sort;
    uint32_t ids[AM_LISTWIN_MAX_ROWS];
    int nrows;
    int list_y, list_h; /* where the rows were drawn, for clicks */
    /* name order: the rank of each loop group's name */
    uint16_t rank[AM_SCENARIO_MAX_GROUPS + 2];
    size_t ranked;
} tasklist_t;

#define BIT(s) (1u << (s))
static const struct {
    const char *name;
    unsigned mask;
} filters[] = {
    {"all", AM_LISTWIN_ALL},
    {"running", BIT(AM_TASK_RUNNING)},
    {"pending", BIT(AM_TASK_PENDING)},
    {"done", BIT(AM_TASK_DONE)},
    {"failed", BIT(AM_TASK_FAILED)},
    {"cancelled", BIT(AM_TASK_CANCELLED)},
    {"timed out", BIT(AM_TASK_TIMED_OUT)},
    {"unfinished", BIT(AM_TASK_PENDING) | BIT(AM_TASK_RUNNING)},
    {"failed, cancelled or timed out",
     BIT(AM_TASK_FAILED) | BIT(AM_TASK_CANCELLED) | BIT(AM_TASK_TIMED_OUT)},
};
#define NFILTERS ((int)(sizeof filters / sizeof filters[0]))

/* ---- the listwin's source: the runtime's task table ---- */

static am_loop_t *loop_of(void *ctx)
{
    return ((tasklist_t *)ctx)->ui->app->loop;
}

static size_t src_count(void *ctx)
{
    am_loop_t *loop = loop_of(ctx);
    return loop ? am_task_count(loop) : 0;
}

static int src_state(void *ctx, uint32_t id)
{
    am_loop_t *loop = loop_of(ctx);
    if (am_task_is_node(loop, id)) return -1;
    return (int)am_task_state(loop, id);
}

static void src_name(void *ctx, uint32_t id, char *buf, size_t size)
{
    am_task_name(loop_of(ctx), id, buf, size);
}

static int64_t src_elapsed(void *ctx, uint32_t id)
{
    am_loop_t *loop = loop_of(ctx);
    am_time_t s = am_task_started(loop, id), e = am_task_ended(loop, id);
    if (s < 0) return 0;
    return (e >= 0 ? e : am_loop_now(loop)) - s;
}

/* Names are "group-N" and N grows with creation within a group, so name
 * order is (group name, id): no string is formatted to sort a million rows. */
static uint64_t src_name_key(void *ctx, uint32_t id)
{
    tasklist_t *t = ctx;
    am_loop_t *loop = loop_of(ctx);
    size_t ng = am_group_count(loop);
    if (ng != t->ranked && ng <= sizeof t->rank / sizeof t->rank[0]) {
        for (size_t i = 0; i < ng; i++) {
            uint16_t r = 0;
            for (size_t j = 0; j < ng; j++)
                if (strcmp(am_group_name(loop, (uint16_t)j), am_group_name(loop, (uint16_t)i)) < 0)
                    r++;
            t->rank[i] = r;
        }
        t->ranked = ng;
    }
    uint16_t g = am_task_group(loop, id);
    uint64_t rank = g < t->ranked ? t->rank[g] : g;
    return rank << 32 | id;
}

static uint64_t src_count_in(void *ctx, unsigned mask)
{
    tasklist_t *t = ctx;
    const am_counts_t *c = am_monitor_counts(t->ui->app->mon);
    uint64_t n = 0;
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        if (mask & BIT(s)) n += c->by_state[s];
    return n;
}

static uint64_t src_clock(void *ctx)
{
    (void)ctx;
    return uv_hrtime();
}

static const am_listsrc_t source = {src_count,    src_state,    src_name, src_elapsed,
                                    src_name_key, src_count_in, src_clock};

static void init(am_ui_t *ui, tasklist_t *t)
{
    if (t->inited) return;
    t->inited = 1;
    t->ui = ui;
    am_listwin_init(&t->lw, &source, t);
}

/* ---- drawing ---- */

enum { C_NAME, C_GROUP, C_STATE, C_PROGRESS, C_ELAPSED, C_DEADLINE, C_RESULT, NCOLS };
static const char *const col_titles[NCOLS] = {"NAME",    "GROUP",    "STATE", "PROGRESS",
                                              "ELAPSED", "DEADLINE", "RESULT"};
/* which columns go first when the panel is narrow */
static const int col_priority[NCOLS] = {C_NAME,     C_STATE,    C_ELAPSED, C_RESULT,
                                        C_PROGRESS, C_DEADLINE, C_GROUP};

typedef struct cols_s {
    int on[NCOLS];
    int x[NCOLS], w[NCOLS];
} cols_t;

static void layout_cols(cols_t *c, int width, int namew, int groupw)
{
    int want[NCOLS] = {namew, groupw, 9, 11, 8, 10, 14};
    int used = 0;
    memset(c, 0, sizeof *c);
    for (int k = 0; k < NCOLS; k++) {
        int col = col_priority[k];
        if (used + want[col] + 1 > width && k > 0) continue;
        c->on[col] = 1;
        used += want[col] + 1;
    }
    int x = 0;
    for (int col = 0; col < NCOLS; col++) {
        if (!c->on[col]) continue;
        c->x[col] = x;
        c->w[col] = want[col];
        x += want[col] + 1;
    }
    /* the result column takes what is left */
    if (c->on[C_RESULT] && x - 1 < width) c->w[C_RESULT] += width - (x - 1);
    if (c->on[C_NAME] && c->w[C_NAME] > width) c->w[C_NAME] = width;
}

void am_fmt_progress(am_ui_t *ui, uint32_t n, uint32_t total, char *buf, size_t size)
{
    static const char *const eighths[9] = {" ",      "\u258f", "\u258e", "\u258d", "\u258c",
                                           "\u258b", "\u258a", "\u2589", "\u2588"};
    double f = total ? (double)n / (double)total : 0;
    int units = (int)(f * 6 * 8), o = 0;
    for (int c = 0; c < 6 && (size_t)o + 4 < size; c++) {
        int u = units - c * 8;
        u = u < 0 ? 0 : u > 8 ? 8 : u;
        const char *g = ui->ascii ? (u >= 8   ? "#"
                                     : u >= 4 ? "="
                                     : u > 0  ? "-"
                                              : ".")
                                  : (u == 0 ? "\u00b7" : eighths[u]);
        o += snprintf(buf + o, size - (size_t)o, "%s", g);
    }
    snprintf(buf + o, size - (size_t)o, " %3.0f%%", f * 100);
}

static void result_text(am_loop_t *loop, uint32_t id, char *buf, size_t size)
{
    switch (am_task_state(loop, id)) {
    case AM_TASK_DONE:
        snprintf(buf, size, "result %lld", (long long)am_task_result(loop, id));
        break;
    case AM_TASK_FAILED:
        snprintf(buf, size, "error: %s", am_strerror(am_task_error(loop, id)));
        break;
    case AM_TASK_CANCELLED:
        snprintf(buf, size, "CancelledError");
        break;
    case AM_TASK_TIMED_OUT:
        snprintf(buf, size, "TimeoutError");
        break;
    default:
        buf[0] = '\0';
        break;
    }
}

static void draw_row(am_ui_t *ui, const cols_t *c, int y, int x0, int width, uint32_t id,
                     int selected, int focused)
{
    am_loop_t *loop = ui->app->loop;
    am_task_state_t s = am_task_state(loop, id);
    am_elem_t base = AM_EL_DEFAULT;
    char buf[128], tmp[32];
    if (selected) {
        base = focused ? AM_EL_SELECTED : AM_EL_SELECTED_UNFOCUSED;
        am_fill(ui, y, x0 - 1, width + 1, base);
    }
#define COL(k, e, text)                                                                            \
    if (c->on[k]) am_put_ell(ui, y, x0 + c->x[k], c->w[k], selected ? base : (e), text)

    am_task_name(loop, id, buf, sizeof buf);
    COL(C_NAME, AM_EL_DEFAULT, buf);
    COL(C_GROUP, AM_EL_DIM, am_group_name(loop, am_task_group(loop, id)));
    COL(C_STATE, am_state_elem(s), am_state_label(s));
    if (c->on[C_PROGRESS]) {
        uint32_t n, total;
        am_task_progress(loop, id, &n, &total);
        am_fmt_progress(ui, n, total, buf, sizeof buf);
        COL(C_PROGRESS, am_state_elem(s), buf);
    }
    am_time_t st = am_task_started(loop, id), en = am_task_ended(loop, id);
    if (st >= 0)
        am_fmt_secs(buf, sizeof buf, AM_SECONDS((en >= 0 ? en : am_loop_now(loop)) - st));
    else
        snprintf(buf, sizeof buf, "-");
    COL(C_ELAPSED, AM_EL_DEFAULT, buf);
    am_time_t dl = am_task_timeout_at(loop, id); /* its own, or a wait_for's around it */
    am_elem_t de = AM_EL_DIM;
    if (s == AM_TASK_TIMED_OUT) {
        snprintf(buf, sizeof buf, "TIMED OUT");
        de = AM_EL_TIMED_OUT;
    } else if (dl >= 0 && !am_task_is_final(loop, id)) {
        snprintf(buf, sizeof buf, "in %s",
                 am_fmt_secs(tmp, sizeof tmp, AM_SECONDS(dl - am_loop_now(loop))));
        de = AM_EL_MESSAGE;
    } else {
        snprintf(buf, sizeof buf, "-");
    }
    COL(C_DEADLINE, de, buf);
    result_text(loop, id, buf, sizeof buf);
    COL(C_RESULT, s == AM_TASK_DONE ? AM_EL_DEFAULT : am_state_elem(s), buf);
#undef COL
}

static void title_extra(am_ui_t *ui, tasklist_t *t, char *buf, size_t size)
{
    char n[32], of[32];
    int exact;
    uint64_t shown = am_listwin_count(&t->lw, &exact);
    const am_counts_t *c = am_monitor_counts(ui->app->mon);
    size_t o = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(buf + o, size - o, __VA_ARGS__);                                         \
        if (w_ > 0 && (size_t)w_ < size - o) o += (size_t)w_;                                      \
    } while (0)
    if (t->filter || t->text[0]) {
        ADD("%s%s of %s", am_fmt_count(n, sizeof n, shown), exact ? "" : "+",
            am_fmt_count(of, sizeof of, c->created));
        if (t->filter) ADD(" %s %s", ui->g->dot, filters[t->filter].name);
        if (t->text[0]) ADD(" %s \"%s\"", ui->g->dot, t->text);
    } else {
        ADD("%s", am_fmt_count(n, sizeof n, c->created));
    }
    ADD(" %s sort: %s", ui->g->dot, am_sort_name(t->lw.sort));
    if (t->lw.sort == AM_SORT_ELAPSED) ADD("%s", ui->g->down);
    if (t->lw.sort != AM_SORT_ID) {
        char k[16] = "R";
        if (ui->keys.keys[AM_ACT_RESORT][0])
            am_key_name(ui->keys.keys[AM_ACT_RESORT][0], k, sizeof k);
        ADD(" (%s re-sorts)", k);
    }
    if (am_listwin_busy(&t->lw)) ADD(" %s scanning%s", ui->g->dot, ui->g->ellipsis);
#undef ADD
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 3;
    *want_h = 12;
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    tasklist_t *t = st;
    am_loop_t *loop = ui->app->loop;
    char extra[256];
    init(ui, t);

    t->list_y = r.y + 2;
    t->list_h = r.h - 2;
    t->nrows = am_listwin_frame(&t->lw, t->list_h, t->ids);
    title_extra(ui, t, extra, sizeof extra);
    am_draw_title(ui, r, focused, "Tasks", extra);
    if (r.h < 2) return;

    /* column widths from the rows on screen, not from every task */
    int namew = 8, groupw = 5;
    char buf[128];
    for (int i = 0; i < t->nrows; i++) {
        int w = am_task_name(loop, t->ids[i], buf, sizeof buf);
        if (w > namew) namew = w;
        w = (int)strlen(am_group_name(loop, am_task_group(loop, t->ids[i])));
        if (w > groupw) groupw = w;
    }
    if (namew > 24) namew = 24;
    if (groupw > 14) groupw = 14;
    int width = r.w - 2; /* a space on the left, the scroll bar on the right */
    cols_t c;
    layout_cols(&c, width, namew, groupw);

    am_fill(ui, r.y + 1, r.x, r.w, AM_EL_COLUMN_HEADER);
    for (int k = 0; k < NCOLS; k++)
        if (c.on[k])
            am_put(ui, r.y + 1, r.x + 1 + c.x[k], c.w[k], AM_EL_COLUMN_HEADER, col_titles[k]);
    for (int i = 0; i < t->nrows; i++)
        draw_row(ui, &c, t->list_y + i, r.x + 1, width, t->ids[i], i == t->lw.sel_row, focused);
    if (t->nrows == 0 && t->list_h > 0) {
        const char *why = am_listwin_busy(&t->lw) ? "looking for matching tasks..."
                          : (t->filter || t->text[0])
                              ? "no task matches the filter (/ and f change it)"
                              : "no tasks yet";
        am_put_ell(ui, t->list_y, r.x + 2, r.w - 3, AM_EL_DIM, why);
    }
    if (am_listwin_len(&t->lw) > (size_t)t->list_h)
        am_draw_scrollbar(ui, r.x + r.w - 1, t->list_y, t->list_h, am_listwin_where(&t->lw));
}

/* ---- keys ---- */

static void apply_filter(tasklist_t *t)
{
    am_listwin_set_filter(&t->lw, filters[t->filter].mask, t->text);
}

static void filter_changed(am_ui_t *ui, int ok, const char *text, void *data)
{
    tasklist_t *t = data;
    (void)ok;
    snprintf(t->text, sizeof t->text, "%s", text);
    apply_filter(t);
    am_ui_touch(ui);
}

static void filter_done(am_ui_t *ui, int ok, const char *text, void *data)
{
    tasklist_t *t = data;
    snprintf(t->text, sizeof t->text, "%s", ok ? text : t->text_before);
    apply_filter(t);
    if (!ok || !strcmp(t->text, t->text_before)) return;
    if (t->text[0])
        am_ui_log(ui, "filter: name contains \"%s\"", t->text);
    else
        am_ui_log(ui, "filter by name cleared");
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    tasklist_t *t = st;
    init(ui, t);
    switch (action) {
    case AM_ACT_UP:
        am_listwin_move(&t->lw, -1);
        return 1;
    case AM_ACT_DOWN:
        am_listwin_move(&t->lw, 1);
        return 1;
    case AM_ACT_PAGE_UP:
        am_listwin_page(&t->lw, -1);
        return 1;
    case AM_ACT_PAGE_DOWN:
        am_listwin_page(&t->lw, 1);
        return 1;
    case AM_ACT_HOME:
        am_listwin_home(&t->lw);
        return 1;
    case AM_ACT_END:
        am_listwin_end(&t->lw);
        return 1;
    case AM_ACT_FILTER:
        snprintf(t->text_before, sizeof t->text_before, "%s", t->text);
        am_prompt_text(ui, "Filter tasks by name: ", t->text, filter_changed, filter_done, t);
        return 1;
    case AM_ACT_STATE_FILTER:
        t->filter = (t->filter + 1) % NFILTERS;
        apply_filter(t);
        am_ui_log(ui, "filter: %s tasks", filters[t->filter].name);
        return 1;
    case AM_ACT_SORT: {
        uint64_t t0 = uv_hrtime();
        t->sort = (am_sort_t)((t->lw.sort + 1) % AM_SORT_COUNT);
        if (am_listwin_set_sort(&t->lw, t->sort, t0) != 0)
            am_ui_message(ui, 1, "out of memory: kept the tasks in id order");
        else
            am_ui_log(ui, "sorted by %s (%.0f ms)", am_sort_name(t->lw.sort),
                      (double)(uv_hrtime() - t0) / 1e6);
        return 1;
    }
    case AM_ACT_RESORT:
        if (t->lw.sort == AM_SORT_ID)
            am_ui_message(ui, 0, "the list is in id order: s picks a sort");
        else if (am_listwin_resort(&t->lw, uv_hrtime()) == 1)
            am_ui_message(ui, 0, "sorted less than half a second ago");
        else
            am_ui_message(ui, 0, "sorted again by %s", am_sort_name(t->lw.sort));
        return 1;
    default:
        break;
    }
    if (k == 27 && (t->filter || t->text[0])) { /* Esc clears the filters */
        t->filter = 0;
        t->text[0] = '\0';
        apply_filter(t);
        am_ui_log(ui, "filters cleared");
        return 1;
    }
    return 0;
}

static void click(am_ui_t *ui, void *st, am_rect_t r, int x, int y)
{
    tasklist_t *t = st;
    (void)ui;
    (void)r;
    (void)x;
    if (y >= t->list_y) am_listwin_click(&t->lw, y - t->list_y);
}

static void reset(am_ui_t *ui, void *st)
{
    tasklist_t *t = st;
    init(ui, t);
    am_listwin_reset(&t->lw);
    t->ranked = 0;
    if (t->sort != AM_SORT_ID) am_listwin_set_sort(&t->lw, t->sort, uv_hrtime());
}

static void free_state(am_ui_t *ui, void *st)
{
    tasklist_t *t = st;
    (void)ui;
    if (t->inited) am_listwin_free(&t->lw);
}

static uint32_t selected(am_ui_t *ui, void *st)
{
    tasklist_t *t = st;
    (void)ui;
    return t->inited ? am_listwin_selected(&t->lw) : 0;
}

static int busy(am_ui_t *ui, void *st)
{
    tasklist_t *t = st;
    (void)ui;
    return t->inited && (am_listwin_busy(&t->lw) || (t->text[0] && !t->lw.count_done));
}

const am_view_t am_view_tasks = {
    .name = "tasks",
    .title = "task list",
    .slot = AM_SLOT_MAIN,
    .priority = 70,
    .toggle_key = '2',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(tasklist_t),
    .size = size,
    .draw = draw,
    .key = key,
    .click = click,
    .reset = reset,
    .free = free_state,
    .selected = selected,
    .busy = busy,
};
