/* Unit tests for the dashboard's layout arithmetic (src/ui/layout.c): the
 * panels of the registry (two side panels among them) at many terminal
 * sizes, from too small (20x6, 15x5) to 300x100, with panels toggled; every
 * result is checked for the invariants (inside the screen, no overlap,
 * minimums honoured, header on top, footer at the bottom, dropping by
 * priority); the side panels' width. Also the bars' segment maths
 * (src/ui/bars.c) and word wrapping (src/ui/draw.c). */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ui/layout.h"
#include "ui/ui.h"

/* The registry's panels as the dashboard asks for them (see the views). The
 * queues panel is off here (most scenarios have no primitives), on where a
 * test says so; it wants a title and a row per primitive, 4+ per queue. */
enum { HEADER, NARRATION, BARS, TASKS, WAIT, QUEUES, LOG, FOOTER, N };
static const am_layout_item_t base[N] = {
    [HEADER] = {1, AM_SLOT_TOP, 1, 2, 100}, [NARRATION] = {1, AM_SLOT_TOP, 2, 5, 40},
    [BARS] = {1, AM_SLOT_TOP, 2, 3, 80},    [TASKS] = {1, AM_SLOT_MAIN, 3, 12, 70},
    [WAIT] = {1, AM_SLOT_SIDE, 4, 12, 60},  [QUEUES] = {0, AM_SLOT_SIDE, 2, 6, 58},
    [LOG] = {1, AM_SLOT_BOTTOM, 3, 8, 50},  [FOOTER] = {1, AM_SLOT_BOTTOM, 1, 1, 95},
};

static int overlap(am_rect_t a, am_rect_t b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/* Every invariant of a layout; the size in the message says where it broke. */
static void check(int cols, int rows, const am_layout_item_t *it, const am_rect_t *r)
{
    char where[64];
    snprintf(where, sizeof where, "%dx%d", cols, rows);
    int used = 0;
    for (int i = 0; i < N; i++) {
        if (!it[i].on && r[i].h) fail_msg("%s: panel %d is off but has rows", where, i);
        if (!r[i].h) continue;
        if (r[i].x < 0 || r[i].y < 0 || r[i].x + r[i].w > cols || r[i].y + r[i].h > rows)
            fail_msg("%s: panel %d at %d,%d %dx%d leaves the screen", where, i, r[i].x, r[i].y,
                     r[i].w, r[i].h);
        if (r[i].h < it[i].min_h)
            fail_msg("%s: panel %d has %d rows, below its minimum %d", where, i, r[i].h,
                     it[i].min_h);
        if (r[i].w < 1) fail_msg("%s: panel %d has no width", where, i);
        for (int j = 0; j < i; j++)
            if (r[j].h && overlap(r[i], r[j]))
                fail_msg("%s: panels %d and %d overlap", where, i, j);
        if (r[i].x == 0) used += r[i].h;
    }
    if (used > rows) fail_msg("%s: %d rows used", where, used);
    if (it[HEADER].on && r[HEADER].y != 0) fail_msg("%s: the header is not on top", where);
    if (it[FOOTER].on && r[FOOTER].y != rows - 1)
        fail_msg("%s: the footer is not at the bottom", where);
    /* a panel dropped for want of rows: no panel below it in priority kept its rows
     * unless that one's minimum was smaller (it fitted where this one did not) */
    for (int i = 0; i < N; i++) {
        if (!it[i].on || r[i].h) continue;
        if (it[i].slot == AM_SLOT_SIDE && r[TASKS].h && r[TASKS].w < cols) continue;
        for (int j = 0; j < N; j++)
            if (r[j].h && it[j].priority < it[i].priority && it[j].min_h >= it[i].min_h &&
                it[j].slot != AM_SLOT_SIDE)
                fail_msg("%s: panel %d (priority %d) kept, panel %d (priority %d) dropped", where,
                         j, it[j].priority, i, it[i].priority);
    }
}

static void layout(int cols, int rows, const am_layout_item_t *it, am_rect_t *r)
{
    assert_int_equal(am_layout(cols, rows, it, N, r), AM_LAYOUT_OK);
    check(cols, rows, it, r);
}

static void test_too_small(void **state)
{
    am_rect_t r[N];
    (void)state;
    const int sizes[][2] = {{20, 6}, {15, 5}, {20, 40}, {200, 6}, {1, 1}, {0, 0}, {20, 7}, {21, 6}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(r, 0x55, sizeof r);
        assert_true(am_layout_too_small(sizes[i][0], sizes[i][1]));
        assert_int_equal(am_layout(sizes[i][0], sizes[i][1], base, N, r), AM_LAYOUT_TOO_SMALL);
        for (int k = 0; k < N; k++)
            assert_int_equal(r[k].h, 0);
    }
    assert_false(am_layout_too_small(21, 7));
}

/* The smallest usable size keeps the header, the footer, the overall bar and
 * a row of tasks. */
static void test_smallest(void **state)
{
    am_rect_t r[N];
    (void)state;
    layout(21, 7, base, r);
    assert_int_equal(r[HEADER].h, 1);
    assert_int_equal(r[FOOTER].h, 1);
    assert_int_equal(r[BARS].h, 2);
    assert_int_equal(r[TASKS].h, 3);
    assert_int_equal(r[NARRATION].h, 0);
    assert_int_equal(r[LOG].h, 0);
    assert_int_equal(r[WAIT].h, 0);
}

static void test_60x20(void **state)
{
    am_rect_t r[N];
    (void)state;
    layout(60, 20, base, r);
    /* narrow: everything stacked, full width, the wait sets under the tasks */
    for (int i = 0; i < N; i++)
        if (r[i].h) assert_int_equal(r[i].w, 60);
    assert_int_equal(r[HEADER].h, 2);
    assert_int_equal(r[BARS].h, 3);
    assert_true(r[TASKS].h >= 3);
    assert_true(r[WAIT].h >= 4);
    assert_int_equal(r[WAIT].y, r[TASKS].y + r[TASKS].h);
    assert_true(r[LOG].h >= 3);
    assert_true(r[BARS].y < r[TASKS].y && r[TASKS].y < r[LOG].y);
}

static void test_120x40(void **state)
{
    am_rect_t r[N];
    (void)state;
    layout(120, 40, base, r);
    /* wide: the wait sets beside the task list, sharing its rows */
    assert_true(r[WAIT].x > 0);
    assert_int_equal(r[WAIT].y, r[TASKS].y);
    assert_int_equal(r[WAIT].h, r[TASKS].h);
    assert_int_equal(r[TASKS].w + 1 + r[WAIT].w, 120);
    assert_true(r[TASKS].w >= 60);
    /* everything gets what it wants, the task list the rest */
    assert_int_equal(r[HEADER].h, 2);
    assert_int_equal(r[NARRATION].h, 5);
    assert_int_equal(r[BARS].h, 3);
    assert_int_equal(r[LOG].h, 8);
    assert_int_equal(r[TASKS].h, 40 - 2 - 5 - 3 - 8 - 1);
    assert_int_equal(r[LOG].y + r[LOG].h, r[FOOTER].y);
}

static void test_300x100(void **state)
{
    am_rect_t r[N];
    (void)state;
    layout(300, 100, base, r);
    assert_int_equal(r[WAIT].w, 64); /* the side column stops growing */
    assert_int_equal(r[TASKS].w, 300 - 64 - 1);
    assert_int_equal(r[TASKS].h, 100 - 2 - 5 - 3 - 8 - 1);
}

static void test_toggles(void **state)
{
    am_layout_item_t it[N];
    am_rect_t r[N], before[N];
    (void)state;

    memcpy(it, base, sizeof it);
    layout(120, 40, it, before);
    /* hiding the narration and the log gives their rows to the task list */
    it[NARRATION].on = 0;
    it[LOG].on = 0;
    layout(120, 40, it, r);
    assert_int_equal(r[NARRATION].h, 0);
    assert_int_equal(r[LOG].h, 0);
    assert_int_equal(r[TASKS].h, before[TASKS].h + before[NARRATION].h + before[LOG].h);
    assert_int_equal(r[TASKS].y, r[BARS].y + r[BARS].h);

    /* no wait() in the scenario: the task list takes the whole width */
    memcpy(it, base, sizeof it);
    it[WAIT].on = 0;
    layout(120, 40, it, r);
    assert_int_equal(r[TASKS].w, 120);
    assert_int_equal(r[WAIT].h, 0);

    /* the task list hidden: the wait sets take its place, full width, and grow */
    memcpy(it, base, sizeof it);
    it[TASKS].on = 0;
    layout(120, 40, it, r);
    assert_int_equal(r[TASKS].h, 0);
    assert_int_equal(r[WAIT].x, 0);
    assert_int_equal(r[WAIT].w, 120);
    assert_int_equal(r[WAIT].h, 40 - 2 - 5 - 3 - 8 - 1);

    /* everything but the fixed parts hidden */
    for (int i = 0; i < N; i++)
        it[i].on = i == HEADER || i == FOOTER;
    layout(80, 24, it, r);
    assert_int_equal(r[HEADER].h, 2);
    assert_int_equal(r[FOOTER].y, 23);
}

/* Every size from the smallest to large, with every combination of the
 * panels that can be toggled. */
static void test_every_size(void **state)
{
    am_layout_item_t it[N];
    am_rect_t r[N];
    int checked = 0;
    (void)state;
    for (unsigned mask = 0; mask < 64; mask++) {
        memcpy(it, base, sizeof it);
        it[NARRATION].on = !!(mask & 1);
        it[BARS].on = !!(mask & 2);
        it[TASKS].on = !!(mask & 4);
        it[WAIT].on = !!(mask & 8);
        it[LOG].on = !!(mask & 16);
        it[QUEUES].on = !!(mask & 32);
        for (int cols = 21; cols <= 320; cols += 13)
            for (int rows = 7; rows <= 110; rows += 3) {
                layout(cols, rows, it, r);
                checked++;
            }
    }
    assert_true(checked > 20000);
}

/* am_layout_side_width says what width a side panel will get (the views
 * size themselves by it): the side column's on a wide terminal, 34 to 64
 * columns, else the whole width. */
static void test_side_width(void **state)
{
    am_rect_t r[N];
    (void)state;
    for (int cols = 21; cols <= 320; cols++) {
        int w = am_layout_side_width(cols);
        if (cols < AM_LAYOUT_SIDE_COLS) {
            assert_int_equal(w, cols);
            continue;
        }
        assert_true(w >= 34 && w <= 64);
        layout(cols, 40, base, r);
        assert_int_equal(r[WAIT].w, w);
        assert_int_equal(r[TASKS].w + 1 + w, cols);
    }
    assert_int_equal(am_layout_side_width(120), 48);
    assert_int_equal(am_layout_side_width(99), 99);
}

/* Two side panels (the wait() sets and the queues): one column beside the
 * task list on a wide terminal, stacked in registry order and sharing its
 * rows; below it, full width, on a narrow one. */
static void test_two_side_panels(void **state)
{
    am_layout_item_t it[N];
    am_rect_t r[N];
    (void)state;
    memcpy(it, base, sizeof it);
    it[QUEUES].on = 1;
    layout(120, 40, it, r);
    assert_true(r[WAIT].h >= 4 && r[QUEUES].h >= 2);
    assert_int_equal(r[QUEUES].x, r[WAIT].x);
    assert_int_equal(r[QUEUES].w, r[WAIT].w);
    assert_int_equal(r[WAIT].y, r[TASKS].y);
    assert_int_equal(r[QUEUES].y, r[WAIT].y + r[WAIT].h);
    assert_int_equal(r[WAIT].h + r[QUEUES].h, r[TASKS].h);

    /* narrow and tall enough for every wish (2+5+3+12+12+6+8+1 = 49 rows) */
    layout(80, 50, it, r);
    assert_int_equal(r[QUEUES].w, 80);
    assert_int_equal(r[WAIT].y, r[TASKS].y + r[TASKS].h);
    assert_int_equal(r[QUEUES].y, r[WAIT].y + r[WAIT].h);
    assert_int_equal(r[WAIT].h, 12);
    assert_int_equal(r[QUEUES].h, 6);
    assert_int_equal(r[TASKS].h, 13); /* the row left over */

    /* the queues alone (a semaphore scenario has no wait()): beside the tasks */
    it[WAIT].on = 0;
    layout(120, 40, it, r);
    assert_int_equal(r[WAIT].h, 0);
    assert_int_equal(r[QUEUES].y, r[TASKS].y);
    assert_int_equal(r[QUEUES].h, r[TASKS].h);
    assert_int_equal(r[TASKS].w + 1 + r[QUEUES].w, 120);

    /* short of rows, the queues (priority 58) go before the wait sets (60):
     * at 80x12 the minimums of header, footer, bars, tasks and wait() take
     * 1+1+2+3+4 = 11 rows, and the queues' 2 do not fit */
    it[WAIT].on = 1;
    layout(80, 12, it, r);
    assert_true(r[WAIT].h >= 4);
    assert_int_equal(r[QUEUES].h, 0);
    /* at 80x10 the wait sets' 4 rows do not fit, the queues' 2 still do */
    layout(80, 10, it, r);
    assert_int_equal(r[WAIT].h, 0);
    assert_int_equal(r[QUEUES].h, 2);
}

/* A narrow terminal drops panels by priority: first the narration, then the
 * log, then the wait sets. */
static void test_drop_order(void **state)
{
    am_rect_t r[N];
    (void)state;
    layout(80, 12, base, r); /* 2+2(narr)+3+3+4+3+1 = 18 rows wanted at least */
    assert_int_equal(r[NARRATION].h, 0);
    assert_true(r[TASKS].h >= 3 && r[BARS].h >= 2 && r[HEADER].h >= 1 && r[FOOTER].h == 1);
    layout(80, 9, base, r);
    assert_int_equal(r[LOG].h, 0);
    assert_int_equal(r[WAIT].h, 0);
    assert_true(r[TASKS].h >= 3);
}

/* ---- the bars' segments ---- */

static void test_bar_segments(void **state)
{
    (void)state;
    /* 5 done, 3 failed, 2 cancelled of 10, on 10 cells: 5, 3, 2 cells */
    const uint64_t a[4] = {5, 3, 2, 0};
    int want_a[10] = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
    for (int c = 0; c < 10; c++)
        assert_int_equal(am_bar_segment(a, 4, 10, 10, c), want_a[c]);
    /* the same on 20 cells: twice as wide each */
    for (int c = 0; c < 20; c++)
        assert_int_equal(am_bar_segment(a, 4, 10, 20, c), want_a[c / 2]);
    /* 9 of 20 ended on 10 cells: 4.5 cells filled; tqdm draws 4 full blocks
     * and a half block: the half cell belongs to the last segment */
    const uint64_t b[4] = {6, 0, 0, 3};
    int want_b[10] = {0, 0, 0, 3, 3, -1, -1, -1, -1, -1};
    for (int c = 0; c < 10; c++)
        assert_int_equal(am_bar_segment(b, 4, 20, 10, c), want_b[c]);
    /* nothing ended, no total, out of range */
    const uint64_t z[4] = {0, 0, 0, 0};
    assert_int_equal(am_bar_segment(z, 4, 10, 10, 0), -1);
    assert_int_equal(am_bar_segment(a, 4, 0, 10, 0), -1);
    assert_int_equal(am_bar_segment(a, 4, 10, 10, 10), -1);
    assert_int_equal(am_bar_segment(a, 4, 10, 0, 0), -1);
    /* proportional at a million: every segment's share within a cell */
    const uint64_t m[4] = {700000, 200000, 50000, 50000};
    int count[4] = {0}, empty = 0;
    for (int c = 0; c < 77; c++) {
        int s = am_bar_segment(m, 4, 1000000, 77, c);
        if (s < 0)
            empty++;
        else
            count[s]++;
    }
    assert_int_equal(empty, 0);
    assert_true(count[0] >= 53 && count[0] <= 55); /* 53.9 */
    assert_true(count[1] >= 15 && count[1] <= 16); /* 15.4 */
    assert_true(count[2] >= 3 && count[2] <= 5);   /* 3.85 */
    assert_true(count[3] >= 3 && count[3] <= 5);
}

/* ---- word wrapping ---- */

typedef struct lines_s {
    char text[16][128];
    int n;
} lines_t;

static void collect(const char *line, size_t len, void *ud)
{
    lines_t *l = ud;
    if (l->n < 16) {
        snprintf(l->text[l->n], sizeof l->text[l->n], "%.*s", (int)len, line);
        l->n++;
    }
}

static void test_wrap(void **state)
{
    lines_t l;
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8")) skip();

    memset(&l, 0, sizeof l);
    assert_int_equal(am_wrap("one two three four", 10, collect, &l), 2);
    assert_string_equal(l.text[0], "one two");
    assert_string_equal(l.text[1], "three four");

    /* newlines of the source are spaces; runs of blanks collapse at the edges */
    memset(&l, 0, sizeof l);
    assert_int_equal(am_wrap("  alpha\nbeta   gamma\n", 11, collect, &l), 2);
    assert_string_equal(l.text[0], "alpha\nbeta");
    assert_string_equal(l.text[1], "gamma");

    /* a word longer than the line is cut */
    memset(&l, 0, sizeof l);
    assert_int_equal(am_wrap("abcdefghij", 4, collect, &l), 3);
    assert_string_equal(l.text[2], "ij");

    /* wide characters take two columns: 3 of them fill 6 columns */
    memset(&l, 0, sizeof l);
    assert_int_equal(am_wrap("\xe4\xbb\xbb\xe5\x8a\xa1\xe4\xbb\xbb\xe5\x8a\xa1 x", 6, collect, &l),
                     2);
    assert_string_equal(l.text[0], "\xe4\xbb\xbb\xe5\x8a\xa1\xe4\xbb\xbb");
    assert_string_equal(l.text[1], "\xe5\x8a\xa1 x");
    assert_int_equal(am_text_width("\xe4\xbb\xbb\xe5\x8a\xa1"), 4);
    assert_int_equal(am_text_width("caf\xc3\xa9"), 4);
    assert_int_equal(am_wrap("", 10, collect, &l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_too_small),    cmocka_unit_test(test_smallest),
        cmocka_unit_test(test_60x20),        cmocka_unit_test(test_120x40),
        cmocka_unit_test(test_300x100),      cmocka_unit_test(test_toggles),
        cmocka_unit_test(test_every_size),   cmocka_unit_test(test_drop_order),
        cmocka_unit_test(test_side_width),   cmocka_unit_test(test_two_side_panels),
        cmocka_unit_test(test_bar_segments), cmocka_unit_test(test_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
