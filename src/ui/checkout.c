/* checkout.c — the checkout view (key 7), and the checkout's keys: shown
 * only when the scenario is a checkout (demo/checkout.ini).
 *
 *   queue    █████░░░░░ 5/5 fifo  ▁▂▃▅██████▇  generator blocked in put: customer waiting to join
 *   cashiers-0  #57   44%|████▍     | 4/9 [00:02<00:03, 1.50it/s]  beer      served 12  util 93%
 *   cashiers-1  idle                                                          served 11  util 88%
 *   arrivals 118/min  departures 54/min  in queue p50 3.7s p95 7.5s max 8.7s  in system 6.3s
 *   Little's law  L = 4.19 customers in queue   λ·W = 1.18/s × 3.68s = 4.36
 *
 * Each cashier row is a tqdm bar of the customer's products scanned. The
 * keys (+ - [ ] m M p e x) are the mode's: they work whether the panel is
 * shown or not, and each one is an action on the runtime (checkout.h). Up
 * and Down select the generator or a cashier when the panel has the focus;
 * the common task keys (c: cancel) apply to the selection.
 *
 * Cost: one pass over the cashier tasks per frame (a checkout has tens to a
 * few hundred), the queue's statistics once per frame; only the visible
 * cashier rows are formatted. */
#include <math.h>
#include <string.h>

#include "asyncmon/checkout.h"
#include "ui/spark.h"
#include "ui/ui.h"

#define MAX_CASHIERS 1024 /* rows the panel lists; the rest are counted */
#define STAT_ROWS    2
#define ARRIVAL_STEP 1.5 /* [ and ] divide or multiply the arrival rate by this */

typedef struct checkoutp_s {
    int found; /* the scenario is a checkout */
    am_checkout_t c;
    am_checkout_stats_t st;
    am_task_id_t cashiers[MAX_CASHIERS];
    size_t ncashiers; /* listed (all of them up to MAX_CASHIERS) */
    uint64_t frame;
    int have;
    int sel; /* 0: the generator row, 1..: cashiers */
    int top; /* first cashier row shown */
    int page;
} checkoutp_t;

static void find(am_ui_t *ui, checkoutp_t *p)
{
    if (p->found || !ui->app->sc) return;
    p->found = am_checkout_find(ui->app->sc, &p->c) ? 1 : -1;
}

static int available(am_ui_t *ui, void *st)
{
    checkoutp_t *p = st;
    if (!ui->app->loop || !ui->app->driver) return 0;
    find(ui, p);
    return p->found > 0;
}

static void snapshot(am_ui_t *ui, checkoutp_t *p)
{
    if (p->have && p->frame == ui->frames) return;
    am_app_t *app = ui->app;
    am_checkout_stats(app->loop, app->driver, &p->c, &p->st);
    size_t n = am_checkout_cashiers(app->loop, app->driver, &p->c, p->cashiers, MAX_CASHIERS);
    p->ncashiers = n < MAX_CASHIERS ? n : MAX_CASHIERS;
    if (p->sel > (int)p->ncashiers) p->sel = (int)p->ncashiers;
    p->frame = ui->frames;
    p->have = 1;
}

/* ---- drawing ---- */

static void gauge(am_ui_t *ui, int y, int x, int w, uint64_t value, uint64_t total)
{
    int filled = am_gauge_filled(value, total, w);
    for (int c = 0; c < w; c++) {
        int full = c < filled;
        am_elem_t e = full ? AM_EL_GAUGE : AM_EL_BAR_EMPTY;
        const char *g = ui->ascii ? (full ? "#" : ".") : (full ? "\u2588" : "\u2591");
        am_put(ui, y, x + c, 1, e, g);
    }
}

static int row_base(int sel, int focused, am_elem_t *base)
{
    *base = focused ? AM_EL_SELECTED : AM_EL_SELECTED_UNFOCUSED;
    return sel;
}

/* The queue row: depth gauge, kind, sparkline, the generator's state. */
static void draw_queue(am_ui_t *ui, checkoutp_t *p, int y, int x, int w, int sel, int focused)
{
    const am_checkout_stats_t *s = &p->st;
    am_queue_stats_t q;
    am_elem_t base;
    int end = x + w;
    if (row_base(sel, focused, &base)) am_fill(ui, y, x - 1, w + 2, base);
    x += am_put(ui, y, x, end - x, sel ? base : AM_EL_LABEL, "queue ");
    int gw = w >= 60 ? 10 : 5;
    if (x + gw < end) {
        gauge(ui, y, x, gw, s->in_queue, s->maxsize ? s->maxsize : s->max_queue_depth);
        x += gw + 1;
    }
    am_elem_t de = s->maxsize && s->in_queue >= s->maxsize ? AM_EL_WARNING : AM_EL_VALUE;
    x += am_putf(ui, y, x, end - x, sel ? base : de, "%llu/%u ", (unsigned long long)s->in_queue,
                 s->maxsize);
    x += am_put(ui, y, x, end - x, sel ? base : AM_EL_DIM, s->express ? "express " : "fifo ");
    int sw = (end - x) / 3;
    if (sw > 24) sw = 24;
    if (sw > 4 && am_queue_stats(ui->app->loop, p->c.queue, &q) == 0) {
        char spark[AM_QUEUE_HISTORY * 4 + 1];
        size_t skip = q.nhistory > (size_t)sw ? q.nhistory - (size_t)sw : 0;
        am_sparkline(spark, sizeof spark, q.history + skip, q.nhistory - skip,
                     s->maxsize ? s->maxsize : (uint32_t)s->max_queue_depth, sw, ui->ascii);
        am_put(ui, y, x, sw, AM_EL_GAUGE, spark);
        x += sw + 1;
    }
    const char *what;
    am_elem_t e = AM_EL_DEFAULT;
    if (s->closed) {
        what = s->in_queue || s->in_service ? "store closed: draining (join)" : "store closed";
        e = AM_EL_MESSAGE;
    } else if (s->waiting_to_join) {
        what = "generator blocked in put: customer waiting to join queue";
        e = AM_EL_WARNING;
    } else if (s->paused) {
        what = "arrivals paused (waiting on event open)";
        e = AM_EL_MESSAGE;
    } else {
        what = "generator running: customers join the queue";
    }
    if (x < end) am_put_ell(ui, y, x, end - x, sel ? base : e, what);
}

/* One cashier row: name, customer, tqdm bar of products, product, served, utilisation %. */
static void draw_cashier(am_ui_t *ui, am_task_id_t id, int y, int x, int w, int sel, int focused)
{
    am_loop_t *loop = ui->app->loop;
    am_serve_info_t info;
    char name[48], tail[64], buf[256];
    am_elem_t base = AM_EL_DEFAULT;
    int end = x + w;
    if (am_task_serving(loop, id, &info) != 0) return;
    if (row_base(sel, focused, &base)) am_fill(ui, y, x - 1, w + 2, base);
    am_task_name(loop, id, name, sizeof name);
    x += am_put_ell(ui, y, x, 12 < end - x ? 12 : end - x, sel ? base : AM_EL_VALUE, name) + 1;
    if (x < 14) x = 14;
    am_time_t started = am_task_started(loop, id), now = am_loop_now(loop);
    double life = started >= 0 ? AM_SECONDS(now - started) : 0;
    snprintf(tail, sizeof tail, "served %llu  util %3.0f%%%s", (unsigned long long)info.served,
             life > 0 ? 100 * info.busy / life : 0, info.retiring ? "  closing" : "");
    int tw = am_text_width(tail);
    int mid = end - x - tw - 1; /* room for the customer, its bar and the product */
    if (info.queue && mid > 8) {
        int cx = x;
        cx += am_putf(ui, y, cx, mid, sel ? base : AM_EL_LABEL, "#%-5llu ",
                      (unsigned long long)info.number);
        int pw = 9; /* the product's column */
        int bw = mid - (cx - x) - pw - 1;
        if (bw > 12 && bw < 44) { /* too narrow for tqdm's text: a gauge and the count */
            int gw = bw - 10;
            gauge(ui, y, cx, gw, info.scanned, (uint64_t)(info.item > 0 ? info.item : 0));
            am_putf(ui, y, cx + gw + 1, 9, sel ? base : AM_EL_RUNNING, "%u/%lld", info.scanned,
                    (long long)info.item);
            cx += bw + 1;
        } else if (bw >= 44) {
            am_meter_args_t a;
            am_meter_args_init(&a);
            a.n = info.scanned;
            a.total = (double)info.item;
            a.elapsed = info.started >= 0 ? AM_SECONDS(now - info.started) : 0;
            a.ncols = bw > 60 ? 60 : bw;
            a.ascii = ui->ascii;
            a.unit = "it";
            am_meter_format(buf, sizeof buf, &a);
            cx += am_put_ell(ui, y, cx, bw, sel ? base : AM_EL_RUNNING, buf) + 1;
        }
        if (info.product)
            am_put_ell(ui, y, cx, x + mid - cx, sel ? base : AM_EL_DEFAULT, info.product);
    } else if (mid > 4) {
        am_put(ui, y, x, mid, sel ? base : AM_EL_DIM,
               info.retiring ? "closing" : "idle: waiting in get()");
    }
    am_put(ui, y, end - tw, tw, sel ? base : info.retiring ? AM_EL_MESSAGE : AM_EL_DIM, tail);
}

/* One statistic, label and value, at *cx if the whole of it fits before end
 * (at 80 columns the row used to end in a cut "in"); once one does not fit,
 * *cx goes to end and the rest of the row is left out too. */
static void put_stat(am_ui_t *ui, int y, int *cx, int end, am_elem_t le, const char *label,
                     am_elem_t ve, const char *value)
{
    if (am_text_width(label) + am_text_width(value) > end - *cx) {
        *cx = end;
        return;
    }
    *cx += am_put(ui, y, *cx, end - *cx, le, label);
    *cx += am_put(ui, y, *cx, end - *cx, ve, value);
}

static void draw_stats(am_ui_t *ui, const am_checkout_stats_t *s, int y, int x, int w, int rows)
{
    char a[16], b[16], c[16], d[16], e[16], v[96];
    int end = x + w;
    if (rows < 1) return;
    /* no customer has left the queue (or the store) yet: no time to show,
     * rather than a 0.00s that reads as "nobody waits" */
    strcpy(a, "-");
    strcpy(b, "-");
    strcpy(c, "-");
    strcpy(d, "-");
    if (s->served + s->in_service + s->cancelled > 0) {
        am_fmt_secs(a, sizeof a, s->wait_p50);
        am_fmt_secs(b, sizeof b, s->wait_p95);
        am_fmt_secs(c, sizeof c, s->wait_max);
    }
    if (s->served > 0) am_fmt_secs(d, sizeof d, s->system_mean);
    int cx = x;
    snprintf(v, sizeof v, "%.0f/min  ", s->arrivals_per_min);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "arrivals ", AM_EL_VALUE, v);
    snprintf(v, sizeof v, "%.0f/min  ", s->departures_per_min);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "departures ", AM_EL_VALUE, v);
    snprintf(v, sizeof v, "%s ", a);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "in queue p50 ", AM_EL_VALUE, v);
    snprintf(v, sizeof v, "%s ", b);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "p95 ", AM_EL_VALUE, v);
    snprintf(v, sizeof v, "%s  ", c);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "max ", AM_EL_VALUE, v);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "in system ", AM_EL_VALUE, d);
    if (rows < 2) return;
    cx = x;
    y++;
    const char *lambda = ui->ascii ? "lambda" : "\u03bb", *dot = ui->ascii ? "*" : "\u00b7";
    char lw[32];
    snprintf(v, sizeof v, "%.2f", s->mean_depth);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, "Little's law  L = ", AM_EL_VALUE, v);
    put_stat(ui, y, &cx, end, AM_EL_DIM, " (mean queue)   ", AM_EL_DIM, "");
    snprintf(lw, sizeof lw, "%s%sW = ", lambda, dot);
    snprintf(v, sizeof v, "%.2f", s->arrival_rate * s->wait_mean);
    put_stat(ui, y, &cx, end, AM_EL_LABEL, lw, AM_EL_VALUE, v);
    snprintf(v, sizeof v, " (%.2f/s %s %s wait)", s->arrival_rate, ui->ascii ? "x" : "\u00d7",
             am_fmt_secs(e, sizeof e, s->wait_mean));
    put_stat(ui, y, &cx, end, AM_EL_DIM, v, AM_EL_DIM, "");
    snprintf(v, sizeof v, "  served %llu of %llu", (unsigned long long)s->served,
             (unsigned long long)s->arrived);
    put_stat(ui, y, &cx, end, AM_EL_DIM, v, AM_EL_DIM, "");
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    checkoutp_t *p = st;
    (void)width;
    snapshot(ui, p);
    int rows = (int)p->ncashiers;
    if (rows > 12) rows = 12;
    if (rows < 1) rows = 1; /* "no cashier open" */
    /* From 24 rows, two cashiers before the other panels' wishes (at 80x24
     * one of three showed, which reads as if there were one) */
    *min_h = 1 + 1 + (ui->rows >= 24 && rows > 1 ? 2 : 1) + 1;
    *want_h = 1 + 1 + rows + STAT_ROWS;
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    checkoutp_t *p = st;
    char extra[160], rate[32];
    snapshot(ui, p);
    const am_checkout_stats_t *s = &p->st;
    double ar = am_checkout_arrival_rate(ui->app->loop, ui->app->driver, &p->c);
    snprintf(rate, sizeof rate, "%.2f/s", ar);
    /* rows: the title, the queue, the cashiers, the statistics */
    int x = r.x + 1, w = r.w - 2, y = r.y + 2, rows = r.h - 2;
    /* short of rows: the cashiers before the second row of statistics, but
     * the first row of statistics before a third cashier */
    int ncash = p->ncashiers > 1 ? (int)p->ncashiers : 1;
    int stat_rows = rows - ncash;
    if (stat_rows > STAT_ROWS) stat_rows = STAT_ROWS;
    if (stat_rows < 1) stat_rows = rows - 2 >= 1 ? 1 : rows - 1 > 0 ? rows - 1 : 0;
    int list = rows - stat_rows;
    p->page = list > 0 ? list : 1;
    /* keep the selected cashier in view */
    if (p->sel > 0 && p->sel - 1 < p->top) p->top = p->sel - 1;
    if (p->sel > 0 && p->sel - 1 >= p->top + list) p->top = p->sel - list;
    if (p->top > (int)p->ncashiers - list) p->top = (int)p->ncashiers - list;
    if (p->top < 0) p->top = 0;
    char shown[48] = "";
    if (list > 0 && (int)p->ncashiers > list)
        snprintf(shown, sizeof shown, ", rows %d-%d", p->top + 1, p->top + list);
    snprintf(extra, sizeof extra, "%u cashier%s (%u busy%s) %s arrivals %s%s", s->cashiers,
             s->cashiers == 1 ? "" : "s", s->busy, shown, ui->g->dot, rate,
             s->paused ? " (paused)" : "");
    am_draw_title(ui, r, focused, s->closed ? "Checkout (closed)" : "Checkout", extra);
    if (r.h < 2 || w <= 8) return;
    draw_queue(ui, p, y - 1, x, w, p->sel == 0, focused);
    for (int i = 0; i < list && p->top + i < (int)p->ncashiers; i++)
        draw_cashier(ui, p->cashiers[p->top + i], y + i, x, w, p->sel == p->top + i + 1, focused);
    if (!p->ncashiers && list > 0) am_put(ui, y, x, w, AM_EL_DIM, "no cashier open (+ opens one)");
    draw_stats(ui, s, y + (list > 0 ? list : 0), x, w, stat_rows);
}

/* ---- keys: the checkout's own, then the panel's ---- */

static void report(am_ui_t *ui, int rc, const char *what)
{
    if (rc == 0) return;
    am_ui_message(ui, 1, "%s: %s", what,
                  rc == AM_ESTATE   ? "not now (the store is closed)"
                  : rc == AM_ELIMIT ? "at the limit"
                                    : am_strerror(rc));
}

#define MODE_KEYS "+-[]mMpPex" /* the checkout's keys, before the common ones */

static int mode_key(am_ui_t *ui, void *st, int action, int key)
{
    checkoutp_t *p = st;
    am_app_t *app = ui->app;
    am_loop_t *loop = app->loop;
    am_driver_t *d = app->driver;
    int rc, on = 0;
    (void)action;
    if (!key || key >= 128 || !strchr(MODE_KEYS, key)) return 0;
    if (am_ui_finished(ui) || am_driver_stopped(d)) {
        am_ui_message(ui, 1, "the run is over: r runs it again");
        return 1;
    }
    snapshot(ui, p);
    switch (key) {
    case '+':
        rc = am_checkout_open_cashier(loop, d, &p->c);
        if (!rc) am_ui_log(ui, "checkout: cashier opened, %u open (by user)", p->st.cashiers + 1);
        report(ui, rc, "open a cashier");
        break;
    case '-':
        rc = am_checkout_close_cashier(loop, d, &p->c);
        if (!rc) am_ui_log(ui, "checkout: a cashier closes after the customer in hand (by user)");
        report(ui, rc == AM_ESTATE ? AM_ELIMIT : rc, "close a cashier");
        break;
    case '[':
    case ']': {
        double before = am_checkout_arrival_rate(loop, d, &p->c);
        rc = am_checkout_scale_arrivals(loop, d, &p->c,
                                        key == ']' ? ARRIVAL_STEP : 1 / ARRIVAL_STEP);
        if (!rc)
            am_ui_log(ui, "checkout: arrivals %.2f/s %s %.2f/s (by user)", before, ui->g->arrow,
                      am_checkout_arrival_rate(loop, d, &p->c));
        report(ui, rc, key == ']' ? "faster arrivals" : "slower arrivals");
        break;
    }
    case 'm':
    case 'M':
        rc = am_checkout_resize(loop, &p->c, key == 'M' ? 1 : -1);
        if (!rc)
            am_ui_log(ui, "checkout: queue maxsize %u %s %u (by user)", p->st.maxsize, ui->g->arrow,
                      key == 'M' ? p->st.maxsize + 1 : p->st.maxsize - 1);
        report(ui, rc, key == 'M' ? "larger queue" : "smaller queue");
        break;
    case 'p':
    case 'P': /* in the guided tour, p is the previous scenario */
        rc = am_checkout_pause_arrivals(loop, &p->c, &on);
        if (!rc)
            am_ui_log(ui, "checkout: arrivals %s: event open %s (by user)",
                      on ? "paused" : "resumed", on ? "cleared" : "set");
        report(ui, rc, "pause arrivals");
        break;
    case 'e':
        rc = am_checkout_express(loop, &p->c, &on);
        if (!rc)
            am_ui_log(ui, "checkout: express lane %s (by user)",
                      on ? "on: fewest products first (priority queue)" : "off: fifo");
        report(ui, rc, "express lane");
        break;
    case 'x':
        rc = am_checkout_close_store(loop, d, &p->c);
        if (!rc)
            am_ui_log(ui, "checkout: store closed: arrivals stop, join() drains the queue, then "
                          "the cashiers are cancelled (by user)");
        report(ui, rc, "close the store");
        break;
    default:
        return 0;
    }
    p->have = 0; /* read the model again for this frame */
    return 1;
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    checkoutp_t *p = st;
    (void)ui;
    (void)k;
    switch (action) {
    case AM_ACT_UP:
        p->sel--;
        break;
    case AM_ACT_DOWN:
        p->sel++;
        break;
    case AM_ACT_PAGE_UP:
        p->sel -= p->page;
        break;
    case AM_ACT_PAGE_DOWN:
        p->sel += p->page;
        break;
    case AM_ACT_HOME:
        p->sel = 0;
        break;
    case AM_ACT_END:
        p->sel = (int)p->ncashiers;
        break;
    default:
        return 0;
    }
    if (p->sel > (int)p->ncashiers) p->sel = (int)p->ncashiers;
    if (p->sel < 0) p->sel = 0;
    return 1;
}

/* The generator (row 0) or the selected cashier, for c (cancel) and friends. */
static uint32_t selected(am_ui_t *ui, void *st)
{
    checkoutp_t *p = st;
    snapshot(ui, p);
    if (p->sel > 0 && (size_t)p->sel <= p->ncashiers) return p->cashiers[p->sel - 1];
    am_task_id_t gen = 0;
    size_t count = am_task_count(ui->app->loop);
    uint16_t gid = am_driver_group(ui->app->driver, p->c.generator);
    for (am_task_id_t id = 1; id <= count && !gen; id++)
        if (am_task_group(ui->app->loop, id) == gid && !am_task_is_node(ui->app->loop, id))
            gen = id;
    return gen;
}

static void click(am_ui_t *ui, void *st, am_rect_t r, int x, int y)
{
    checkoutp_t *p = st;
    (void)ui;
    (void)x;
    int row = y - r.y - 1;
    if (row == 0) p->sel = 0;
    if (row > 0 && row <= p->page && p->top + row <= (int)p->ncashiers) p->sel = p->top + row;
}

static void reset(am_ui_t *ui, void *st)
{
    (void)ui;
    memset(st, 0, sizeof(checkoutp_t)); /* another scenario: find it again */
}

int am_checkout_footer(am_ui_t *ui, int y, int x, int end)
{
    static const struct {
        const char *key, *label;
    } items[] = {{"+", "Cashier "}, {"-", "Close "},   {"[]", "Rate "}, {"mM", "Size "},
                 {"p", "Hold "},    {"e", "Express "}, {"x", "Shut "}};
    int i = am_ui_view_index("checkout");
    if (i < 0 || !available(ui, ui->vstate[i])) return 0;
    int t = am_ui_view_index("tour"); /* the tour takes p: show P there */
    int tour = t >= 0 && (!am_views[t]->available || am_views[t]->available(ui, ui->vstate[t]));
    int used = 0;
    for (size_t k = 0; k < sizeof items / sizeof items[0]; k++) {
        const char *keyname = tour && !strcmp(items[k].key, "p") ? "P" : items[k].key;
        int need = am_text_width(keyname) + (int)strlen(items[k].label);
        if (x + used + need > end) break;
        used += am_put(ui, y, x + used, end - x - used, AM_EL_FOOTER_KEY, keyname);
        used += am_put(ui, y, x + used, end - x - used, AM_EL_FOOTER_LABEL, items[k].label);
    }
    return used;
}

const am_view_t am_view_checkout = {
    .name = "checkout",
    .title = "checkout",
    .slot = AM_SLOT_TOP,
    .priority = 75,
    .toggle_key = '7',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(checkoutp_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .click = click,
    .reset = reset,
    .selected = selected,
    .mode_key = mode_key,
    .mode_keys = MODE_KEYS,
};
