/* layout.c — the dashboard's layout arithmetic (see layout.h).
 *
 * Rows are handed out in three rounds, each in priority order: first every
 * panel's minimum (a panel whose minimum does not fit is dropped, so a small
 * terminal loses the least important panels whole instead of squeezing
 * everything to uselessness), then what each would like, then what is left to
 * the panel that grows (the task list). On a wide terminal the side panels
 * share the task list's rows in a column on the right; that keeps the task
 * list tall, which is what a wide screen is for. */
#include "ui/layout.h"

#include <string.h>

#define MAX_ITEMS 32

int am_layout_too_small(int cols, int rows)
{
    return cols < AM_LAYOUT_MIN_COLS || rows < AM_LAYOUT_MIN_ROWS;
}

int am_layout_side_width(int cols)
{
    if (cols < AM_LAYOUT_SIDE_COLS) return cols;
    int w = cols * 2 / 5;
    return w < 34 ? 34 : w > 64 ? 64 : w;
}

/* Indices of items sorted by priority, highest first; ties keep registry order. */
static size_t by_priority(const am_layout_item_t *items, const int *take, size_t n, size_t *order)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (take[i]) order[k++] = i;
    for (size_t i = 1; i < k; i++) { /* insertion sort: n is tiny and it is stable */
        size_t v = order[i], j = i;
        while (j > 0 && items[order[j - 1]].priority < items[v].priority) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    return k;
}

/* Share `rows` among the items marked in take[]: minimums, wants, then the
 * rest to the MAIN item (or, failing that, to the SIDE items). h[] gets the
 * heights; returns the rows left over. want_of[] overrides want_h when >= 0. */
static int share(const am_layout_item_t *items, const int *take, const int *min_of,
                 const int *want_of, size_t n, int rows, int *h, int grow_side)
{
    size_t order[MAX_ITEMS];
    size_t k = by_priority(items, take, n, order);
    int left = rows;

    for (size_t j = 0; j < k; j++) {
        size_t i = order[j];
        int m = min_of[i] > 0 ? min_of[i] : 1;
        if (m <= left) {
            h[i] = m;
            left -= m;
        } else {
            h[i] = 0;
        }
    }
    for (size_t j = 0; j < k && left > 0; j++) {
        size_t i = order[j];
        if (!h[i] || want_of[i] <= h[i]) continue;
        int add = want_of[i] - h[i];
        if (add > left) add = left;
        h[i] += add;
        left -= add;
    }
    /* the grower: MAIN, else the side panels (evenly, the rest to the first) */
    for (size_t j = 0; j < k && left > 0; j++) {
        size_t i = order[j];
        if (h[i] && items[i].slot == AM_SLOT_MAIN) {
            h[i] += left;
            left = 0;
        }
    }
    if (left > 0 && grow_side) {
        int nside = 0;
        for (size_t j = 0; j < k; j++)
            if (h[order[j]] && items[order[j]].slot == AM_SLOT_SIDE) nside++;
        if (nside) {
            int each = left / nside, extra = left % nside;
            for (size_t j = 0; j < k; j++) {
                size_t i = order[j];
                if (!h[i] || items[i].slot != AM_SLOT_SIDE) continue;
                h[i] += each + (extra > 0 ? extra : 0);
                extra = 0;
            }
            left = 0;
        }
    }
    return left;
}

int am_layout(int cols, int rows, const am_layout_item_t *items, size_t n, am_rect_t *out)
{
    int take[MAX_ITEMS] = {0}, min_of[MAX_ITEMS] = {0}, want_of[MAX_ITEMS] = {0},
        h[MAX_ITEMS] = {0};
    size_t main_i = (size_t)-1;
    int any_side = 0;

    memset(out, 0, n * sizeof *out);
    if (am_layout_too_small(cols, rows) || n > MAX_ITEMS) return AM_LAYOUT_TOO_SMALL;

    for (size_t i = 0; i < n; i++) {
        min_of[i] = items[i].min_h;
        want_of[i] = items[i].want_h > items[i].min_h ? items[i].want_h : items[i].min_h;
        if (!items[i].on) continue;
        if (items[i].slot == AM_SLOT_MAIN && main_i == (size_t)-1) main_i = i;
        if (items[i].slot == AM_SLOT_SIDE) any_side = 1;
    }
    int wide = cols >= AM_LAYOUT_SIDE_COLS && main_i != (size_t)-1 && any_side;
    int side_w = 0, main_w = cols;
    if (wide) {
        side_w = am_layout_side_width(cols);
        main_w = cols - side_w - 1; /* one blank column between them */
    }

    /* Vertical round: every shown panel, except side panels on a wide screen,
     * which live inside the main panel's band instead. */
    for (size_t i = 0; i < n; i++)
        take[i] = items[i].on && !(wide && items[i].slot == AM_SLOT_SIDE);
    if (wide) {
        /* the band should fit the side panels' wishes as well as the main one's */
        int side_want = 0;
        for (size_t i = 0; i < n; i++)
            if (items[i].on && items[i].slot == AM_SLOT_SIDE)
                side_want += want_of[i] > min_of[i] ? want_of[i] : min_of[i];
        if (side_want > want_of[main_i]) want_of[main_i] = side_want;
    }
    share(items, take, min_of, want_of, n, rows, h, 1);

    /* Place: TOP from the top edge, BOTTOM against the bottom edge, the
     * middle band (MAIN, then SIDE when narrow) in between. */
    int y = 0;
    for (size_t i = 0; i < n; i++) {
        if (!take[i] || !h[i] || items[i].slot != AM_SLOT_TOP) continue;
        out[i] = (am_rect_t){0, y, cols, h[i]};
        y += h[i];
    }
    int bottom_h = 0;
    for (size_t i = 0; i < n; i++)
        if (take[i] && h[i] && items[i].slot == AM_SLOT_BOTTOM) bottom_h += h[i];
    for (size_t i = 0; i < n; i++) {
        if (!take[i] || !h[i] || items[i].slot != AM_SLOT_MAIN) continue;
        out[i] = (am_rect_t){0, y, i == main_i ? main_w : cols, h[i]};
        y += h[i];
    }
    if (!wide) {
        for (size_t i = 0; i < n; i++) {
            if (!take[i] || !h[i] || items[i].slot != AM_SLOT_SIDE) continue;
            out[i] = (am_rect_t){0, y, cols, h[i]};
            y += h[i];
        }
    }
    int by = rows - bottom_h;
    for (size_t i = 0; i < n; i++) {
        if (!take[i] || !h[i] || items[i].slot != AM_SLOT_BOTTOM) continue;
        out[i] = (am_rect_t){0, by, cols, h[i]};
        by += h[i];
    }

    /* Side column: the main panel's band, shared among the side panels. */
    if (wide && main_i != (size_t)-1 && h[main_i]) {
        int side[MAX_ITEMS] = {0}, sh[MAX_ITEMS] = {0};
        for (size_t i = 0; i < n; i++)
            side[i] = items[i].on && items[i].slot == AM_SLOT_SIDE;
        share(items, side, min_of, want_of, n, h[main_i], sh, 1);
        int sy = out[main_i].y;
        for (size_t i = 0; i < n; i++) {
            if (!side[i] || !sh[i]) continue;
            out[i] = (am_rect_t){main_w + 1, sy, side_w, sh[i]};
            sy += sh[i];
        }
    }
    return AM_LAYOUT_OK;
}
