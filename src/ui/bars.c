/* bars.c — the progress bars: one tqdm meter for the whole run and one per
 * scenario group, each formatted by am_meter_format (tqdm's format_meter:
 * `{desc}: 47%|████▋     | 47/100 [00:02<00:02, 21.3it/s]`, elapsed in
 * virtual seconds, the rate from the monitor's EMA), with the bar's cells
 * coloured in proportion to how the tasks ended, as enlighten does: done,
 * failed, cancelled, timed out. Unicode 1/8 blocks, or tqdm's ASCII bar when
 * the locale is not UTF-8 or [ui] ascii is set.
 *
 * The bars line up: the descriptions are padded to one width, and each
 * meter is formatted for a width that gives every bar the same length
 * whatever the length of its rate and counts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/ui.h"

/* The bar's segments, in the order they are drawn from the left. */
static const am_task_state_t seg_states[4] = {AM_TASK_DONE, AM_TASK_FAILED, AM_TASK_CANCELLED,
                                              AM_TASK_TIMED_OUT};

int am_bar_segment(const uint64_t *counts, int n, uint64_t total, int width, int cell)
{
    if (!total || width <= 0 || cell < 0 || cell >= width) return -1;
    double mid = cell + 0.5, cum = 0;
    int last = -1;
    for (int k = 0; k < n; k++) {
        if (!counts[k]) continue;
        cum += (double)counts[k];
        last = k;
        if (mid < cum / (double)total * width) return k;
    }
    /* the cell holding tqdm's partial block belongs to the last segment */
    if (last >= 0 && cell < (int)ceil(cum / (double)total * width - 1e-9)) return last;
    return -1;
}

typedef struct bar_s {
    const char *desc;
    const am_counts_t *counts; /* NULL: the group has not been created yet */
    const am_rate_t *rate;
    uint64_t total; /* the tasks it will have: a sequential group creates them one by one */
    double elapsed;
    double starts; /* ...and starts this many seconds into the run */
} bar_t;

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->loop != NULL;
}

static int nbars(am_ui_t *ui)
{
    return 1 + (int)ui->app->sc->ngroups;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)st;
    (void)width;
    *min_h = 2;
    *want_h = 1 + nbars(ui);
}

static uint64_t ended(const am_counts_t *c)
{
    return c->by_state[AM_TASK_DONE] + c->by_state[AM_TASK_FAILED] +
           c->by_state[AM_TASK_CANCELLED] + c->by_state[AM_TASK_TIMED_OUT];
}

static size_t format(am_ui_t *ui, const bar_t *b, int descw, int ncols, char *buf, size_t size)
{
    char desc[AM_NAME_MAX + 8];
    am_meter_args_t a;
    am_meter_args_init(&a);
    snprintf(desc, sizeof desc, "%-*s", descw, b->desc);
    a.n = (double)ended(b->counts);
    a.total = (double)b->total;
    a.elapsed = b->elapsed > 0 ? b->elapsed : 0;
    a.ncols = ncols;
    a.prefix = desc;
    a.ascii = ui->ascii;
    a.rate = am_rate_value(b->rate);
    return am_meter_format(buf, size, &a);
}

/* Find the bar in a meter: after "%|", up to the next '|'. */
static int bar_span(const char *s, size_t *start, size_t *end)
{
    const char *p = strstr(s, "%|");
    if (!p) return 0;
    const char *q = strchr(p + 2, '|');
    if (!q) return 0;
    *start = (size_t)(p + 2 - s);
    *end = (size_t)(q - s);
    return 1;
}

static void draw_bar(am_ui_t *ui, int y, int x, int w, const char *meter, const am_counts_t *c,
                     uint64_t total)
{
    size_t bs, be;
    if (!bar_span(meter, &bs, &be)) {
        am_put(ui, y, x, w, AM_EL_DEFAULT, meter);
        return;
    }
    char part[1024];
    memcpy(part, meter, bs);
    part[bs] = '\0';
    int used = am_put(ui, y, x, w, AM_EL_DEFAULT, part);

    /* the bar, cell by cell, in the colour of the segment under it */
    wchar_t cells[512];
    size_t nb = be - bs;
    if (nb >= sizeof part) nb = sizeof part - 1;
    memcpy(part, meter + bs, nb);
    part[nb] = '\0';
    size_t nc = mbstowcs(cells, part, 511);
    if (nc == (size_t)-1) nc = 0;
    uint64_t counts[4];
    for (int k = 0; k < 4; k++)
        counts[k] = c->by_state[seg_states[k]];
    for (size_t i = 0; i < nc && used < w; i++) {
        int seg = am_bar_segment(counts, 4, total, (int)nc, (int)i);
        am_elem_t e = seg < 0 ? AM_EL_BAR_EMPTY : am_state_elem(seg_states[seg]);
        attr_t a = ui->attr[e];
        wchar_t ch = cells[i];
        if (ui->bar_attrs[e] & AM_A_REVERSE) {
            /* reverse video turns a full block into a hole: draw a reversed blank */
            if (ch == 0x2588)
                ch = L' ';
            else
                a &= ~A_REVERSE;
        }
        attrset(a);
        mvaddnwstr(y, x + used, &ch, 1);
        used++;
    }
    am_put(ui, y, x + used, w - used, AM_EL_DEFAULT, meter + be);
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    (void)st;
    am_app_t *app = ui->app;
    const am_scenario_t *sc = app->sc;
    bar_t bars[AM_SCENARIO_MAX_GROUPS + 1];
    int n = 0, descw = 0;
    am_time_t now = am_loop_now(app->loop);
    if (am_ui_finished(ui) && am_driver_finished_at(app->driver) >= 0)
        now = am_driver_finished_at(app->driver);

    /* A group's total is the tasks it will have, not only those created so
     * far: a sequential group (one by one, the chess games) creates its next
     * task when the last ends, and showed "1/2" for five tasks. The run's
     * total adds up the groups', later ones included. */
    const am_counts_t *all = am_monitor_counts(app->mon);
    uint64_t expect = 0;
    bars[n++] = (bar_t){sc->name, all, am_monitor_rate(app->mon), 0, am_ui_elapsed(ui), 0};
    for (size_t i = 0; i < sc->ngroups && n < (int)(sizeof bars / sizeof bars[0]); i++) {
        const am_group_meter_t *m = am_monitor_group(app->mon, am_driver_group(app->driver, i));
        uint64_t count = sc->groups[i].count;
        if (!m || !m->counts.created) { /* a group with a start time, still to come */
            bars[n++] = (bar_t){sc->groups[i].name, NULL, NULL, count, 0, sc->groups[i].start};
            expect += count;
            continue;
        }
        expect += m->counts.created > count ? m->counts.created : count;
        am_time_t end =
            m->counts.created && ended(&m->counts) == m->counts.created && m->last_end >= 0
                ? m->last_end
                : now;
        double el = m->first_start >= 0 ? AM_SECONDS(end - m->first_start) : 0;
        bars[n++] = (bar_t){sc->groups[i].name,
                            &m->counts,
                            &m->rate,
                            m->counts.created > count ? m->counts.created : count,
                            el,
                            0};
    }
    bars[0].total = all->created > expect ? all->created : expect;
    for (int i = 0; i < n; i++) {
        int w = am_text_width(bars[i].desc);
        if (w > descw) descw = w;
    }

    char extra[96], v[32];
    snprintf(extra, sizeof extra, "%s tasks, %zu group%s", am_fmt_count(v, sizeof v, bars[0].total),
             sc->ngroups, sc->ngroups == 1 ? "" : "s");
    am_draw_title(ui, r, focused, "Progress", extra);

    /* equal bar lengths: measure each meter's text outside the bar, then
     * format each at the width that leaves the same room for its bar */
    int w = r.w - 2, rows = r.h - 1, shown = n < rows ? n : rows;
    int other[AM_SCENARIO_MAX_GROUPS + 1], most = 0;
    char meter[1024];
    for (int i = 0; i < shown; i++) {
        if (!bars[i].counts) {
            other[i] = 0;
            continue;
        }
        format(ui, &bars[i], descw, w, meter, sizeof meter);
        size_t bs, be;
        other[i] = 0;
        if (bar_span(meter, &bs, &be)) {
            char tmp[1024];
            memcpy(tmp, meter + bs, be - bs);
            tmp[be - bs] = '\0';
            other[i] = am_text_width(meter) - am_text_width(tmp);
        }
        if (other[i] > most) most = other[i];
    }
    for (int i = 0; i < shown; i++) {
        if (!bars[i].counts) {
            am_putf(ui, r.y + 1 + i, r.x + 1, w, AM_EL_DIM, "%-*s: starts %.3g s into the run",
                    descw, bars[i].desc, bars[i].starts);
            continue;
        }
        int ncols = w - (most - other[i]);
        format(ui, &bars[i], descw, ncols, meter, sizeof meter);
        draw_bar(ui, r.y + 1 + i, r.x + 1, w, meter, bars[i].counts, bars[i].total);
    }
}

const am_view_t am_view_bars = {
    .name = "bars",
    .title = "progress bars",
    .slot = AM_SLOT_TOP,
    .priority = 80,
    .toggle_key = '1',
    .on_by_default = 1,
    .available = available,
    .size = size,
    .draw = draw,
};
