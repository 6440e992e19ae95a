/* queues.c — the "Queues & primitives" panel: every asyncio.Queue and
 * synchronisation primitive of the run, live. Shown only when the scenario
 * has some.
 *
 *   semaphore api  ████████░░ 10/10 held, 990 waiting
 *   lock db        held by writers-3, 2 waiting
 *   event ready    clear, 5 waiting
 *   queue jobs     ██████░░░░ 3/5  fifo
 *     depth ▁▂▃▅█▇▅▃▂▁▁▂▃
 *     put 2.1/s (80)  get 2.0/s (78)  in queue p50 0.10s  p95 0.59s  max 0.77s
 *     0 producers waiting to put  3 consumers waiting
 *
 * A queue's gauge is its depth against maxsize (unbounded: against the
 * deepest it has been); its sparkline is the depth history, newest on the
 * right; the pieces after it flow onto as many lines as the width needs.
 *
 * Focusable: Up/Down select an object, the panel scrolls by lines when it
 * has more than fit. While it has the focus, `+`/`-` on a semaphore change
 * its limit by one (never below 1) and on a bounded queue its maxsize (never
 * below 1: a bounded queue stays bounded, an unbounded one is left alone);
 * on other rows they change the speed as everywhere else.
 *
 * Cost: objects are few (a scenario has at most 16). The model is read once
 * per frame into a snapshot (am_monitor_queue sorts a window of up to 1024
 * times in queue, so it is called once per queue per frame), which size(),
 * draw() and the footer's labels share; nothing depends on the number of
 * tasks. */
#include <string.h>

#include "ui/spark.h"
#include "ui/ui.h"

#define MAX_ITEMS  64 /* objects shown; a scenario has at most AM_SCENARIO_MAX_OBJECTS */
#define GAUGE_MAX  10 /* gauge cells */
#define GAUGE_MIN  3
#define INDENT     2 /* a queue's second and later lines */
#define GAP        2 /* columns between pieces */
#define MAX_PIECES 8
#define MAX_PARTS  3

typedef struct item_s {
    int id;
    am_obj_info_t info;
    am_queue_stats_t q; /* queues only */
} item_t;

typedef struct queuesp_s {
    item_t items[MAX_ITEMS];
    size_t n, total; /* in the snapshot; objects in the loop */
    uint64_t frame;  /* ui->frames when the snapshot was taken */
    int have;
    int sel;    /* selected item */
    int top;    /* first body line shown */
    int page;   /* body rows at the last draw */
    int list_y; /* screen row of the first body line */
    int iw;     /* inner width at the last draw: item heights for keys and clicks */
} queuesp_t;

/* A piece of a queue's statistics: a few coloured parts, never split. */
typedef struct piece_s {
    int nparts, w;
    struct {
        am_elem_t e;
        char s[48];
    } part[MAX_PARTS];
} piece_t;

/* ---- the model ---- */

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->loop && ui->app->mon && am_monitor_nobjects(ui->app->mon) > 0;
}

/* Read every object (and each queue's statistics) once per frame. */
static void snapshot(am_ui_t *ui, queuesp_t *p)
{
    if (p->have && p->frame == ui->frames) return;
    am_monitor_t *mon = ui->app->mon;
    p->n = 0;
    p->total = am_monitor_nobjects(mon);
    for (size_t id = 1; id <= p->total && p->n < MAX_ITEMS; id++) {
        item_t *it = &p->items[p->n];
        if (am_monitor_object(mon, (int)id, &it->info) != 0) continue;
        it->id = (int)id;
        if (it->info.kind != AM_OBJ_QUEUE || am_monitor_queue(mon, (int)id, &it->q) != 0)
            memset(&it->q, 0, sizeof it->q);
        p->n++;
    }
    p->frame = ui->frames;
    p->have = 1;
}

static int is_semaphore(am_obj_kind_t k)
{
    return k == AM_OBJ_SEMAPHORE || k == AM_OBJ_BOUNDED_SEMAPHORE;
}

static const item_t *selected_item(const queuesp_t *p)
{
    return p->have && p->sel >= 0 && (size_t)p->sel < p->n ? &p->items[p->sel] : NULL;
}

/* ---- text ---- */

static void add_part(piece_t *pc, am_elem_t e, const char *s)
{
    if (pc->nparts >= MAX_PARTS) return;
    snprintf(pc->part[pc->nparts].s, sizeof pc->part[0].s, "%s", s);
    pc->part[pc->nparts].e = e;
    pc->w += am_text_width(pc->part[pc->nparts].s);
    pc->nparts++;
}

static void fmt_rate(char *buf, size_t size, double r)
{
    snprintf(buf, size, r < 100 ? "%.1f/s" : "%.0f/s", r > 0 ? r : 0);
}

/* "2 producers waiting to put": dim while nobody waits */
static void waiting_piece(piece_t *pc, uint32_t n, const char *one, const char *many)
{
    char v[32];
    am_fmt_count(v, sizeof v, n);
    add_part(pc, n ? AM_EL_VALUE : AM_EL_DIM, v);
    add_part(pc, n ? AM_EL_DEFAULT : AM_EL_DIM, n == 1 ? one : many);
}

/* The pieces below a queue's sparkline. */
static int queue_pieces(const am_queue_stats_t *q, piece_t *pcs)
{
    int n = 0;
    char v[32], c[40];
    memset(pcs, 0, MAX_PIECES * sizeof *pcs);

    fmt_rate(v, sizeof v, q->put_rate);
    snprintf(c, sizeof c, " (%llu)", (unsigned long long)q->puts);
    add_part(&pcs[n], AM_EL_LABEL, "put ");
    add_part(&pcs[n], AM_EL_VALUE, v);
    add_part(&pcs[n++], AM_EL_DIM, c);
    fmt_rate(v, sizeof v, q->get_rate);
    snprintf(c, sizeof c, " (%llu)", (unsigned long long)q->gets);
    add_part(&pcs[n], AM_EL_LABEL, "get ");
    add_part(&pcs[n], AM_EL_VALUE, v);
    add_part(&pcs[n++], AM_EL_DIM, c);

    if (q->gets) {
        static const char *const label[3] = {"in queue p50 ", "p95 ", "max "};
        const double val[3] = {q->wait_p50, q->wait_p95, q->wait_max};
        for (int k = 0; k < 3; k++) {
            add_part(&pcs[n], AM_EL_LABEL, label[k]);
            add_part(&pcs[n++], AM_EL_VALUE, am_fmt_secs(v, sizeof v, val[k]));
        }
    } else {
        add_part(&pcs[n++], AM_EL_DIM, "in queue: no item got yet");
    }
    waiting_piece(&pcs[n++], q->blocked_producers, " producer waiting to put",
                  " producers waiting to put");
    waiting_piece(&pcs[n++], q->blocked_consumers, " consumer waiting", " consumers waiting");
    if (q->joiners) waiting_piece(&pcs[n++], q->joiners, " task in join()", " tasks in join()");
    return n;
}

static int flow_pieces(const piece_t *pcs, int n, int width, int *line_of)
{
    int w[MAX_PIECES];
    for (int i = 0; i < n; i++)
        w[i] = pcs[i].w;
    return am_flow(w, n, GAP, width, line_of);
}

/* Rows an item takes at inner width iw. */
static int item_height(const item_t *it, int iw)
{
    if (it->info.kind != AM_OBJ_QUEUE) return 1;
    piece_t pcs[MAX_PIECES];
    int line_of[MAX_PIECES];
    int n = queue_pieces(&it->q, pcs);
    return 2 + flow_pieces(pcs, n, iw - INDENT, line_of);
}

static int total_lines(const queuesp_t *p, int iw)
{
    int t = 0;
    for (size_t i = 0; i < p->n; i++)
        t += item_height(&p->items[i], iw);
    return t;
}

/* The kind in the name column: a bounded semaphore is a semaphore there
 * (the row says "bounded" after its figures, keeping the column narrow). */
static const char *kind_label(am_obj_kind_t k)
{
    return am_obj_kind_name(k == AM_OBJ_BOUNDED_SEMAPHORE ? AM_OBJ_SEMAPHORE : k);
}

/* "semaphore api", "queue jobs" */
static void item_name(const item_t *it, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", kind_label(it->info.kind), it->info.name);
}

/* The text after the gauge (or where it would be) on an item's first row,
 * and its element. */
static am_elem_t row_text(am_ui_t *ui, const item_t *it, char *buf, size_t size)
{
    const am_obj_info_t *o = &it->info;
    char a[32], owner[64];
    am_fmt_count(a, sizeof a, o->waiters);
    switch (o->kind) {
    case AM_OBJ_SEMAPHORE:
    case AM_OBJ_BOUNDED_SEMAPHORE:
        snprintf(buf, size, "%u/%u held, %s waiting", o->holders, o->capacity, a);
        return AM_EL_DEFAULT;
    case AM_OBJ_LOCK:
    case AM_OBJ_CONDITION:
        if (o->owner) {
            am_task_name(ui->app->loop, o->owner, owner, sizeof owner);
            snprintf(buf, size, "%sheld by %s, %s waiting",
                     o->kind == AM_OBJ_CONDITION ? "lock " : "", owner, a);
        } else {
            snprintf(buf, size, "%sfree, %s waiting", o->kind == AM_OBJ_CONDITION ? "lock " : "",
                     a);
        }
        return AM_EL_DEFAULT;
    case AM_OBJ_EVENT:
        snprintf(buf, size, "%s, %s waiting", o->holders ? "set" : "clear", a);
        return AM_EL_DEFAULT;
    case AM_OBJ_QUEUE:
        if (it->q.maxsize)
            snprintf(buf, size, "%zu/%u", it->q.depth, it->q.maxsize);
        else
            snprintf(buf, size, "%zu/%s", it->q.depth, ui->ascii ? "inf" : "\u221e");
        return it->q.maxsize && it->q.depth >= it->q.maxsize ? AM_EL_WARNING : AM_EL_VALUE;
    default:
        snprintf(buf, size, "%u/%u, %s waiting", o->holders, o->capacity, a);
        return AM_EL_DEFAULT;
    }
}

/* Dim, after the row's figures: a queue's kind (and for an unbounded one
 * what its gauge is measured against), a semaphore's boundedness. */
static void row_suffix(const item_t *it, char *buf, size_t size)
{
    buf[0] = '\0';
    if (it->info.kind == AM_OBJ_BOUNDED_SEMAPHORE)
        snprintf(buf, size, "  bounded");
    else if (it->info.kind == AM_OBJ_QUEUE && it->q.maxsize)
        snprintf(buf, size, "  %s", am_queue_kind_name(it->q.kind));
    else if (it->info.kind == AM_OBJ_QUEUE)
        snprintf(buf, size, "  %s, peak %zu", am_queue_kind_name(it->q.kind), it->q.max_depth);
}

static int has_gauge(const item_t *it)
{
    return is_semaphore(it->info.kind) || it->info.kind == AM_OBJ_QUEUE;
}

/* ---- drawing ---- */

typedef struct geom_s {
    int x, iw;     /* first column and width inside the margins */
    int namew, gw; /* name column, gauge cells */
    int y0, rows;  /* the body: first screen row and rows */
} geom_t;

/* One gauge cell by cell, as bars.c draws its bar: a full block in a reverse
 * video element is a hole, so it becomes a reversed blank. */
static void draw_gauge(am_ui_t *ui, int y, int x, int w, int filled, am_elem_t full,
                       am_elem_t empty)
{
    const char *fg = ui->ascii ? "#" : "\u2588", *eg = ui->ascii ? "." : "\u2591";
    for (int c = 0; c < w; c++) {
        am_elem_t e = c < filled ? full : empty;
        const char *g = c < filled ? fg : eg;
        if (ui->bar_attrs[e] & AM_A_REVERSE) {
            if (c < filled)
                g = " ";
            else {
                am_put_attr(y, x + c, 1, ui->attr[e] & ~A_REVERSE, g);
                continue;
            }
        }
        am_put(ui, y, x + c, 1, e, g);
    }
}

static int visible(const geom_t *g, int y)
{
    return y >= g->y0 && y < g->y0 + g->rows;
}

/* Draw the pieces flowed onto line `line`, from x, clipped at end. */
static void draw_line_pieces(am_ui_t *ui, int y, int x, int end, const piece_t *pcs, int n,
                             const int *line_of, int line)
{
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (line_of[i] != line) continue;
        if (!first) x += GAP;
        first = 0;
        for (int k = 0; k < pcs[i].nparts && x < end; k++)
            x += am_put_ell(ui, y, x, end - x, pcs[i].part[k].e, pcs[i].part[k].s);
    }
}

/* Item i with its first row at screen row y (rows outside the body are skipped). */
static void draw_item(am_ui_t *ui, const item_t *it, const geom_t *g, int y, int sel, int focused)
{
    char name[32], text[160];
    int end = g->x + g->iw;
    if (visible(g, y)) {
        am_elem_t base = AM_EL_DEFAULT;
        if (sel) {
            base = focused ? AM_EL_SELECTED : AM_EL_SELECTED_UNFOCUSED;
            am_fill(ui, y, g->x - 1, g->iw + 2, base);
        }
        int x = g->x;
        /* the kind as a label, the name as a value */
        snprintf(name, sizeof name, "%s ", kind_label(it->info.kind));
        int used = am_put_ell(ui, y, x, g->namew, sel ? base : AM_EL_LABEL, name);
        if (used < g->namew)
            am_put_ell(ui, y, x + used, g->namew - used, sel ? base : AM_EL_VALUE, it->info.name);
        x += g->namew + GAP;
        if (has_gauge(it)) {
            uint64_t value = it->info.holders, total = it->info.capacity;
            if (it->info.kind == AM_OBJ_QUEUE) {
                value = it->q.depth;
                total = it->q.maxsize ? it->q.maxsize : it->q.max_depth;
            }
            int gw = g->gw < end - x ? g->gw : end - x;
            draw_gauge(ui, y, x, gw, am_gauge_filled(value, total, gw), sel ? base : AM_EL_GAUGE,
                       sel ? base : AM_EL_BAR_EMPTY);
            x += gw + 1;
        }
        am_elem_t te = row_text(ui, it, text, sizeof text);
        if (x < end) x += am_put_ell(ui, y, x, end - x, sel ? base : te, text);
        row_suffix(it, text, sizeof text);
        if (text[0] && x < end) am_put_ell(ui, y, x, end - x, sel ? base : AM_EL_DIM, text);
    }
    if (it->info.kind != AM_OBJ_QUEUE) return;

    /* the depth history */
    int x = g->x + INDENT;
    if (visible(g, y + 1)) {
        static const char label[] = "depth ";
        int lw = (int)sizeof label - 1, sw = end - x - lw;
        am_put(ui, y + 1, x, end - x, AM_EL_DIM, label);
        if (sw > 0) {
            uint32_t top = it->q.maxsize ? it->q.maxsize : (uint32_t)it->q.max_depth;
            char spark[AM_QUEUE_HISTORY * 4 + 1];
            if (sw > AM_QUEUE_HISTORY) sw = AM_QUEUE_HISTORY;
            am_sparkline(spark, sizeof spark, it->q.history, it->q.nhistory, top, sw, ui->ascii);
            am_put(ui, y + 1, x + lw, sw, AM_EL_GAUGE, spark);
        }
    }
    /* rates, time in queue, who is blocked */
    piece_t pcs[MAX_PIECES];
    int line_of[MAX_PIECES];
    int n = queue_pieces(&it->q, pcs);
    int lines = flow_pieces(pcs, n, end - x, line_of);
    for (int l = 0; l < lines; l++)
        if (visible(g, y + 2 + l)) draw_line_pieces(ui, y + 2 + l, x, end, pcs, n, line_of, l);
}

/* The name column and the gauge's width: gauges as wide as the texts
 * after them allow, up to GAUGE_MAX, the same for every row. */
static void columns(am_ui_t *ui, const queuesp_t *p, geom_t *g)
{
    char buf[160];
    int namew = 0, gw = GAUGE_MAX;
    for (size_t i = 0; i < p->n; i++) {
        item_name(&p->items[i], buf, sizeof buf);
        int w = am_text_width(buf);
        if (w > namew) namew = w;
    }
    int cap = g->iw / 2 > 8 ? g->iw / 2 : 8;
    if (cap > g->iw) cap = g->iw;
    g->namew = namew < cap ? namew : cap;
    for (size_t i = 0; i < p->n; i++) {
        const item_t *it = &p->items[i];
        if (!has_gauge(it)) continue;
        row_text(ui, it, buf, sizeof buf);
        int room = g->iw - g->namew - GAP - 1 - am_text_width(buf);
        if (room < gw) gw = room;
    }
    g->gw = gw < GAUGE_MIN ? GAUGE_MIN : gw;
}

/* "2 queues · 1 semaphore · 1 lock", or "6 objects" when that is wider
 * than room */
static void summary(am_ui_t *ui, const queuesp_t *p, int room, char *buf, size_t size)
{
    static const char *const one[AM_OBJ_NKINDS] = {"semaphore", "semaphore", "lock",
                                                   "event",     "condition", "queue"};
    static const char *const many[AM_OBJ_NKINDS] = {"semaphores", "semaphores", "locks",
                                                    "events",     "conditions", "queues"};
    static const am_obj_kind_t order[] = {AM_OBJ_QUEUE, AM_OBJ_SEMAPHORE, AM_OBJ_LOCK, AM_OBJ_EVENT,
                                          AM_OBJ_CONDITION};
    size_t count[AM_OBJ_NKINDS] = {0}, len = 0;
    for (size_t i = 0; i < p->n; i++) {
        am_obj_kind_t k = p->items[i].info.kind;
        if (k == AM_OBJ_BOUNDED_SEMAPHORE) k = AM_OBJ_SEMAPHORE;
        if ((unsigned)k < AM_OBJ_NKINDS) count[k]++;
    }
    buf[0] = '\0';
    for (size_t j = 0; j < sizeof order / sizeof order[0]; j++) {
        size_t c = count[order[j]];
        if (!c) continue;
        int w = snprintf(buf + len, size - len, "%s%s%zu %s", len ? ui->g->dot : "", len ? " " : "",
                         c, c == 1 ? one[order[j]] : many[order[j]]);
        if (w < 0 || (size_t)w >= size - len) return;
        len += (size_t)w;
        if (len + 1 < size) { /* a blank before the next dot */
            buf[len++] = ' ';
            buf[len] = '\0';
        }
    }
    if (len && buf[len - 1] == ' ') buf[--len] = '\0';
    if (am_text_width(buf) > room) len = (size_t)snprintf(buf, size, "%zu objects", p->n);
    if (len >= size) return;
    if (p->total > p->n) snprintf(buf + len, size - len, " (%zu of %zu shown)", p->n, p->total);
}

/* Keep the selected item on screen: its first row, and all of it if it fits. */
static void scroll_to_selection(queuesp_t *p, int iw, int rows, int lines)
{
    if (p->sel >= (int)p->n) p->sel = (int)p->n - 1;
    if (p->sel < 0) p->sel = 0;
    int start = 0;
    for (int i = 0; i < p->sel; i++)
        start += item_height(&p->items[i], iw);
    int h = p->n ? item_height(&p->items[p->sel], iw) : 0;
    if (start + h > p->top + rows) p->top = start + h - rows;
    if (start < p->top || h > rows) p->top = start;
    if (p->top > lines - rows) p->top = lines - rows;
    if (p->top < 0) p->top = 0;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    queuesp_t *p = st;
    snapshot(ui, p);
    int lines = total_lines(p, width - 2);
    *min_h = 2;
    *want_h = 1 + (lines > 1 ? lines : 1);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    queuesp_t *p = st;
    char extra[128];
    static const char title[] = "Queues & primitives";
    snapshot(ui, p);
    summary(ui, p, r.w - (int)sizeof title - 4, extra, sizeof extra);
    am_draw_title(ui, r, focused, title, extra);

    geom_t g = {r.x + 1, r.w - 2, 0, 0, r.y + 1, r.h - 1};
    p->page = g.rows > 1 ? g.rows : 1;
    p->list_y = g.y0;
    if (g.rows <= 0 || g.iw <= 0) return;
    int lines = total_lines(p, g.iw);
    int scroll = lines > g.rows;
    if (scroll) { /* the last column is the scroll bar's */
        g.iw--;
        lines = total_lines(p, g.iw);
    }
    p->iw = g.iw;
    columns(ui, p, &g);
    scroll_to_selection(p, g.iw, g.rows, lines);

    int y = g.y0 - p->top;
    for (size_t i = 0; i < p->n; i++) {
        int h = item_height(&p->items[i], g.iw);
        if (y + h > g.y0 && y < g.y0 + g.rows)
            draw_item(ui, &p->items[i], &g, y, (int)i == p->sel, focused);
        y += h;
    }
    if (scroll)
        am_draw_scrollbar(ui, r.x + r.w - 1, g.y0, g.rows,
                          p->n > 1 ? (double)p->sel / (double)(p->n - 1) : 0);
}

/* ---- keys ---- */

/* `+`/`-` on a semaphore or a bounded queue: its limit or maxsize by one.
 * 0 when the selected row takes no such change (the speed changes instead). */
static int adjust(am_ui_t *ui, queuesp_t *p, int dir)
{
    am_app_t *app = ui->app;
    const item_t *it = selected_item(p);
    am_obj_info_t o;
    if (!it || !app->loop || am_monitor_object(app->mon, it->id, &o) != 0) return 0;
    const char *kind = am_obj_kind_name(o.kind), *arrow = ui->g->arrow;
    if (is_semaphore(o.kind)) {
        if (dir < 0 && o.capacity <= 1) {
            am_ui_message(ui, 1, "%s %s: the limit is already 1, the lowest", kind, o.name);
            return 1;
        }
        if (dir > 0 && o.capacity == UINT32_MAX) {
            am_ui_message(ui, 1, "%s %s: the limit cannot go higher", kind, o.name);
            return 1;
        }
        uint32_t to = dir > 0 ? o.capacity + 1 : o.capacity - 1;
        int rc = am_semaphore_set_limit(app->loop, it->id, to);
        if (rc)
            am_ui_message(ui, 1, "%s %s: cannot set the limit to %u: %s", kind, o.name, to,
                          am_strerror(rc));
        else
            am_ui_log(ui, "%s %s: limit %u %s %u (by user)%s", kind, o.name, o.capacity, arrow, to,
                      o.holders > to ? "; applies as holders release" : "");
        return 1;
    }
    if (o.kind == AM_OBJ_QUEUE) {
        if (o.capacity == 0) {
            am_ui_message(ui, 1, "queue %s is unbounded (maxsize 0): +/- change a bounded queue's",
                          o.name);
            return 1;
        }
        if (dir < 0 && o.capacity <= 1) {
            am_ui_message(ui, 1, "queue %s: maxsize is already 1, the lowest for a bounded queue",
                          o.name);
            return 1;
        }
        if (dir > 0 && o.capacity == UINT32_MAX) {
            am_ui_message(ui, 1, "queue %s: maxsize cannot go higher", o.name);
            return 1;
        }
        uint32_t to = dir > 0 ? o.capacity + 1 : o.capacity - 1;
        int rc = am_queue_set_maxsize(app->loop, it->id, to);
        if (rc)
            am_ui_message(ui, 1, "queue %s: cannot set maxsize to %u: %s", o.name, to,
                          am_strerror(rc));
        else
            am_ui_log(ui, "queue %s: maxsize %u %s %u (by user)", o.name, o.capacity, arrow, to);
        return 1;
    }
    return 0;
}

/* Items to move by for PgUp (dir -1) or PgDn (+1): as many as a page of
 * rows holds, at the last drawn width, and at least one. */
static int page_step(const queuesp_t *p, int dir)
{
    int moved = 0, rows = 0, i = p->sel;
    while (p->have) {
        int next = i + dir;
        if (next < 0 || next >= (int)p->n) break;
        rows += item_height(&p->items[next], p->iw);
        if (rows > p->page && moved) break;
        i = next;
        moved++;
    }
    return moved ? moved : 1;
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    queuesp_t *p = st;
    (void)k;
    switch (action) {
    case AM_ACT_FASTER:
        return adjust(ui, p, 1);
    case AM_ACT_SLOWER:
        return adjust(ui, p, -1);
    case AM_ACT_UP:
        p->sel--;
        break;
    case AM_ACT_DOWN:
        p->sel++;
        break;
    case AM_ACT_PAGE_UP:
        p->sel -= page_step(p, -1);
        break;
    case AM_ACT_PAGE_DOWN:
        p->sel += page_step(p, 1);
        break;
    case AM_ACT_HOME:
        p->sel = 0;
        break;
    case AM_ACT_END:
        p->sel = (int)p->n - 1;
        break;
    default:
        return 0;
    }
    if (p->sel >= (int)p->n) p->sel = (int)p->n - 1;
    if (p->sel < 0) p->sel = 0;
    return 1;
}

static const char *key_label(am_ui_t *ui, void *st, int action)
{
    queuesp_t *p = st;
    (void)ui;
    const item_t *it = selected_item(p);
    if (!it || (action != AM_ACT_FASTER && action != AM_ACT_SLOWER)) return NULL;
    if (is_semaphore(it->info.kind) || (it->info.kind == AM_OBJ_QUEUE && it->info.capacity))
        return action == AM_ACT_FASTER ? "Raise" : "Lower";
    return NULL;
}

static void click(am_ui_t *ui, void *st, am_rect_t r, int x, int y)
{
    queuesp_t *p = st;
    (void)ui;
    (void)x;
    if (y < p->list_y || !p->have) return;
    int line = p->top + (y - p->list_y), start = 0;
    (void)r;
    for (size_t i = 0; i < p->n; i++) {
        int h = item_height(&p->items[i], p->iw);
        if (line < start + h) {
            p->sel = (int)i;
            return;
        }
        start += h;
    }
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    memset(st, 0, sizeof(queuesp_t));
}

const am_view_t am_view_queues = {
    .name = "queues",
    .title = "queues & primitives",
    .slot = AM_SLOT_SIDE,
    .priority = 58,
    .toggle_key = '6',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(queuesp_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .click = click,
    .reset = reset,
    .key_label = key_label,
};
