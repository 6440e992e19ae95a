/* Unit tests for the task list's window (src/ui/listwin.c) on a synthetic
 * source: scrolling (rows, pages, home, end, clicks), filters by state and
 * by text, the sort orders, rows that change state under the window, and a
 * million rows, where every frame's work is bounded: the listwin counts the
 * rows it looks at, and each frame's count is asserted, not timed. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncmon/runtime.h"
#include "ui/listwin.h"

#define NODE 0xff

/* ---- a synthetic task table ---- */

typedef struct src_s {
    size_t n, cap;
    uint8_t *state;   /* [id], NODE for a combinator node */
    uint8_t *group;   /* [id] */
    int64_t *elapsed; /* [id] */
    const char *groups[4];
    uint64_t counts[AM_TASK_NSTATES];
} src_t;

static size_t s_count(void *ctx)
{
    return ((src_t *)ctx)->n;
}

static int s_state(void *ctx, uint32_t id)
{
    src_t *s = ctx;
    return s->state[id] == NODE ? -1 : s->state[id];
}

static void s_name(void *ctx, uint32_t id, char *buf, size_t size)
{
    src_t *s = ctx;
    snprintf(buf, size, "%s-%u", s->groups[s->group[id]], id);
}

static int64_t s_elapsed(void *ctx, uint32_t id)
{
    return ((src_t *)ctx)->elapsed[id];
}

static uint64_t s_name_key(void *ctx, uint32_t id)
{
    src_t *s = ctx;
    /* group names are ordered as their index in these tests' tables */
    return (uint64_t)s->group[id] << 32 | id;
}

static uint64_t s_count_in(void *ctx, unsigned mask)
{
    src_t *s = ctx;
    uint64_t n = 0;
    for (int k = 0; k < AM_TASK_NSTATES; k++)
        if (mask & (1u << k)) n += s->counts[k];
    return n;
}

/* no clock: the tests count visits, which does not depend on the machine */
static const am_listsrc_t source = {s_count,    s_state,    s_name, s_elapsed,
                                    s_name_key, s_count_in, NULL};

static void src_init(src_t *s, size_t n, int state)
{
    memset(s, 0, sizeof *s);
    s->cap = n + 1024;
    s->state = calloc(s->cap + 1, 1);
    s->group = calloc(s->cap + 1, 1);
    s->elapsed = calloc(s->cap + 1, sizeof *s->elapsed);
    assert_non_null(s->state);
    assert_non_null(s->group);
    assert_non_null(s->elapsed);
    s->groups[0] = "alpha";
    s->groups[1] = "beta";
    s->n = n;
    for (size_t id = 1; id <= n; id++)
        s->state[id] = (uint8_t)state;
    s->counts[state] = n;
}

static void src_free(src_t *s)
{
    free(s->state);
    free(s->group);
    free(s->elapsed);
}

static void set_state(src_t *s, uint32_t id, int state)
{
    if (s->state[id] != NODE) s->counts[s->state[id]]--;
    s->state[id] = (uint8_t)state;
    if (state != NODE) s->counts[state]++;
}

/* ---- helpers ---- */

static uint32_t ids[AM_LISTWIN_MAX_ROWS];
static uint64_t worst_frame;

/* One frame; its work must stay within the bound, whatever the list. */
static int frame(am_listwin_t *lw, int h)
{
    int n = am_listwin_frame(lw, h, ids);
    if (lw->frame_visits > AM_LISTWIN_FRAME_MAX)
        fail_msg("a frame visited %llu rows, more than %d", (unsigned long long)lw->frame_visits,
                 AM_LISTWIN_FRAME_MAX);
    if (lw->frame_visits > worst_frame) worst_frame = lw->frame_visits;
    return n;
}

/* Frames until the window has done its work; returns how many it took. */
static int settle(am_listwin_t *lw, int h, int max_frames)
{
    int frames = 0;
    do {
        frame(lw, h);
        frames++;
    } while (am_listwin_busy(lw) && frames < max_frames);
    if (am_listwin_busy(lw)) fail_msg("still busy after %d frames", frames);
    return frames;
}

#define BIT(s) (1u << (s))

/* ---- small lists ---- */

static void test_scroll(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, 100, AM_TASK_RUNNING);
    am_listwin_init(&lw, &source, &s);

    assert_int_equal(frame(&lw, 10), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(ids[i], i + 1);
    assert_int_equal(am_listwin_selected(&lw), 1);
    assert_int_equal(lw.sel_row, 0);

    for (int i = 0; i < 15; i++) {
        am_listwin_move(&lw, 1);
        frame(&lw, 10);
    }
    assert_int_equal(am_listwin_selected(&lw), 16);
    assert_int_equal(lw.sel_row, 9); /* scrolled: the selection on the last row */
    assert_int_equal(ids[0], 7);

    am_listwin_page(&lw, 1);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 26);
    assert_int_equal(lw.sel_row, 9); /* a page keeps the row */
    assert_int_equal(ids[0], 17);

    am_listwin_page(&lw, -1);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 16);
    assert_int_equal(ids[0], 7);

    for (int i = 0; i < 9; i++) {
        am_listwin_move(&lw, -1);
        frame(&lw, 10);
    }
    assert_int_equal(am_listwin_selected(&lw), 7);
    assert_int_equal(lw.sel_row, 0);
    am_listwin_move(&lw, -1);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 6);
    assert_int_equal(ids[0], 6); /* one row up */

    am_listwin_end(&lw);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 100);
    assert_int_equal(lw.sel_row, 9);
    assert_int_equal(ids[0], 91);
    am_listwin_move(&lw, 1); /* past the end: stays */
    frame(&lw, 10);
    am_listwin_page(&lw, 1);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 100);

    am_listwin_home(&lw);
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 1);
    assert_int_equal(ids[0], 1);
    am_listwin_move(&lw, -1); /* before the start: stays */
    frame(&lw, 10);
    assert_int_equal(am_listwin_selected(&lw), 1);

    assert_int_equal(am_listwin_click(&lw, 4), 0);
    assert_int_equal(am_listwin_selected(&lw), 5);
    assert_int_equal(am_listwin_click(&lw, 10), -1);

    /* a taller window shows more; a shorter one keeps the selection on screen */
    assert_int_equal(frame(&lw, 30), 30);
    am_listwin_end(&lw);
    frame(&lw, 30);
    assert_int_equal(frame(&lw, 5), 5);
    assert_int_equal(am_listwin_selected(&lw), 100);

    /* fewer rows than the window */
    src_t small;
    am_listwin_t lw2;
    src_init(&small, 3, AM_TASK_DONE);
    am_listwin_init(&lw2, &source, &small);
    assert_int_equal(frame(&lw2, 10), 3);
    am_listwin_end(&lw2);
    frame(&lw2, 10);
    assert_int_equal(am_listwin_selected(&lw2), 3);
    assert_int_equal(ids[0], 1);
    am_listwin_free(&lw2);
    src_free(&small);

    am_listwin_free(&lw);
    src_free(&s);
}

static void test_nodes_skipped(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, 30, AM_TASK_RUNNING);
    for (uint32_t id = 3; id <= 30; id += 3)
        set_state(&s, id, NODE);
    am_listwin_init(&lw, &source, &s);
    int n = frame(&lw, 40);
    assert_int_equal(n, 20);
    for (int i = 0; i < n; i++)
        assert_true(ids[i] % 3 != 0);
    am_listwin_end(&lw);
    frame(&lw, 5);
    assert_int_equal(am_listwin_selected(&lw), 29);
    int exact;
    assert_int_equal(am_listwin_count(&lw, &exact), 20);
    assert_true(exact);
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_state_filter(void **state)
{
    src_t s;
    am_listwin_t lw;
    int exact;
    (void)state;
    src_init(&s, 1000, AM_TASK_DONE);
    for (uint32_t id = 10; id <= 1000; id += 10)
        set_state(&s, id, AM_TASK_FAILED);
    set_state(&s, 15, AM_TASK_CANCELLED);
    am_listwin_init(&lw, &source, &s);

    am_listwin_set_filter(&lw, BIT(AM_TASK_FAILED), NULL);
    settle(&lw, 8, 10);
    for (int i = 0; i < 8; i++)
        assert_int_equal(ids[i], 10 * (i + 1));
    assert_int_equal(am_listwin_count(&lw, &exact), 100);
    assert_true(exact);

    for (int i = 0; i < 5; i++) {
        am_listwin_move(&lw, 1);
        frame(&lw, 8);
    }
    assert_int_equal(am_listwin_selected(&lw), 60);
    /* a wider filter keeps the selection, on the same row */
    int row = lw.sel_row;
    am_listwin_set_filter(&lw, BIT(AM_TASK_FAILED) | BIT(AM_TASK_CANCELLED), NULL);
    settle(&lw, 8, 10);
    assert_int_equal(am_listwin_selected(&lw), 60);
    assert_int_equal(lw.sel_row, row);
    am_listwin_home(&lw);
    settle(&lw, 8, 10);
    assert_int_equal(ids[0], 10);
    assert_int_equal(ids[1], 15);
    assert_int_equal(ids[2], 20);
    /* a filter the selection does not pass: the next match is selected */
    am_listwin_move(&lw, 1); /* 15, the cancelled one */
    frame(&lw, 8);
    assert_int_equal(am_listwin_selected(&lw), 15);
    am_listwin_set_filter(&lw, BIT(AM_TASK_FAILED), NULL);
    settle(&lw, 8, 10);
    assert_int_equal(am_listwin_selected(&lw), 20);
    /* all again */
    am_listwin_set_filter(&lw, AM_LISTWIN_ALL, NULL);
    settle(&lw, 8, 10);
    assert_int_equal(am_listwin_selected(&lw), 20);
    assert_int_equal(am_listwin_count(&lw, &exact), 1000);
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_text_filter(void **state)
{
    src_t s;
    am_listwin_t lw;
    int exact;
    (void)state;
    src_init(&s, 1000, AM_TASK_RUNNING);
    for (uint32_t id = 500; id <= 1000; id++)
        s.group[id] = 1; /* beta-500 .. beta-1000 */
    am_listwin_init(&lw, &source, &s);

    am_listwin_set_filter(&lw, AM_LISTWIN_ALL, "-7");
    settle(&lw, 12, 10);
    const uint32_t want[12] = {7, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 700};
    for (int i = 0; i < 12; i++)
        assert_int_equal(ids[i], want[i]);
    while (!lw.count_done)
        frame(&lw, 12);
    assert_int_equal(am_listwin_count(&lw, &exact), 1 + 10 + 100);
    assert_true(exact);

    /* case-insensitive, and with the state filter */
    am_listwin_set_filter(&lw, BIT(AM_TASK_RUNNING), "BETA-99");
    settle(&lw, 20, 10);
    assert_int_equal(ids[0], 990);
    assert_int_equal(ids[9], 999);
    am_listwin_set_filter(&lw, BIT(AM_TASK_DONE), "beta");
    settle(&lw, 20, 200);
    assert_int_equal(frame(&lw, 20), 0);
    assert_int_equal(am_listwin_selected(&lw), 0);
    am_listwin_free(&lw);
    src_free(&s);
}

/* Rows change state under the window: those that leave go at once, those
 * that enter appear within the frames it takes to re-walk the window. */
static void test_live_changes(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, 200, AM_TASK_PENDING);
    for (uint32_t id = 1; id <= 200; id += 2)
        set_state(&s, id, AM_TASK_RUNNING);
    am_listwin_init(&lw, &source, &s);
    am_listwin_set_filter(&lw, BIT(AM_TASK_RUNNING), NULL);
    settle(&lw, 5, 10);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[4], 9);
    am_listwin_move(&lw, 1);
    am_listwin_move(&lw, 1);
    frame(&lw, 5);
    assert_int_equal(am_listwin_selected(&lw), 5);

    /* the selected task ends: the row that takes its place is selected */
    set_state(&s, 5, AM_TASK_DONE);
    frame(&lw, 5);
    assert_int_equal(ids[2], 7);
    assert_int_equal(am_listwin_selected(&lw), 7);
    assert_int_equal(lw.sel_row, 2);

    /* a task between two rows starts: it shows up in place */
    set_state(&s, 4, AM_TASK_RUNNING);
    frame(&lw, 5);
    frame(&lw, 5);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 3);
    assert_int_equal(ids[2], 4);
    assert_int_equal(ids[3], 7);

    /* everything on screen ends: the window fills from below */
    for (uint32_t id = 1; id <= 11; id++)
        if (s.state[id] == AM_TASK_RUNNING) set_state(&s, id, AM_TASK_DONE);
    settle(&lw, 5, 10);
    assert_int_equal(ids[0], 13);

    /* at the end of the list, rows that leave are replaced from above */
    am_listwin_end(&lw);
    settle(&lw, 5, 10);
    assert_int_equal(ids[4], 199);
    set_state(&s, 199, AM_TASK_DONE);
    set_state(&s, 197, AM_TASK_DONE);
    settle(&lw, 5, 10);
    assert_int_equal(frame(&lw, 5), 5);
    assert_int_equal(ids[4], 195);
    assert_int_equal(ids[0], 187);

    /* rows added to the list (new tasks) appear after the last */
    s.n = 210;
    for (uint32_t id = 201; id <= 210; id++) {
        s.state[id] = AM_TASK_RUNNING;
        s.counts[AM_TASK_RUNNING]++;
    }
    am_listwin_end(&lw);
    settle(&lw, 5, 10);
    assert_int_equal(am_listwin_selected(&lw), 210);
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_sorts(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, 12, AM_TASK_DONE);
    const int st[13] = {0,
                        AM_TASK_DONE,
                        AM_TASK_RUNNING,
                        AM_TASK_PENDING,
                        AM_TASK_FAILED,
                        AM_TASK_TIMED_OUT,
                        AM_TASK_RUNNING,
                        AM_TASK_CANCELLED,
                        NODE,
                        AM_TASK_PENDING,
                        AM_TASK_DONE,
                        AM_TASK_RUNNING,
                        AM_TASK_FAILED};
    const int64_t el[13] = {0, 5, 9, 0, 3, 7, 9, 1, 0, 0, 8, 2, 4};
    for (uint32_t id = 1; id <= 12; id++) {
        set_state(&s, id, st[id]);
        s.elapsed[id] = el[id];
        s.group[id] = id % 2 ? 1 : 0; /* odd ids in beta, even in alpha */
    }
    am_listwin_init(&lw, &source, &s);

    assert_int_equal(am_listwin_set_sort(&lw, AM_SORT_STATE, 1), 0);
    assert_int_equal(frame(&lw, 20), 11);
    /* running, pending, failed, timed out, cancelled, done; ties by id */
    const uint32_t by_state[11] = {2, 6, 11, 3, 9, 4, 12, 5, 7, 1, 10};
    for (int i = 0; i < 11; i++)
        assert_int_equal(ids[i], by_state[i]);
    assert_int_equal(lw.sort_visits, 12);

    am_listwin_set_sort(&lw, AM_SORT_ELAPSED, 2);
    frame(&lw, 20);
    const uint32_t by_elapsed[11] = {2, 6, 10, 5, 1, 12, 4, 11, 7, 3, 9};
    for (int i = 0; i < 11; i++)
        assert_int_equal(ids[i], by_elapsed[i]);

    am_listwin_set_sort(&lw, AM_SORT_NAME, 3);
    frame(&lw, 20);
    const uint32_t by_name[11] = {2, 4, 6, 10, 12, 1, 3, 5, 7, 9, 11};
    for (int i = 0; i < 11; i++)
        assert_int_equal(ids[i], by_name[i]);

    /* the selection follows its task to its new place */
    am_listwin_click(&lw, 6); /* id 3 */
    assert_int_equal(am_listwin_selected(&lw), 3);
    am_listwin_set_sort(&lw, AM_SORT_STATE, 4);
    frame(&lw, 20);
    assert_int_equal(am_listwin_selected(&lw), 3);
    assert_int_equal(ids[lw.sel_row], 3);

    /* the snapshot does not move under the reader; new tasks come after it */
    set_state(&s, 2, AM_TASK_DONE);
    s.n = 14;
    s.state[13] = AM_TASK_RUNNING;
    s.state[14] = AM_TASK_RUNNING;
    s.counts[AM_TASK_RUNNING] += 2;
    assert_int_equal(frame(&lw, 20), 13);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[11], 13);
    assert_int_equal(ids[12], 14);
    /* until a re-sort, which is refused when it comes too soon */
    assert_int_equal(am_listwin_resort(&lw, 4 + AM_LISTWIN_RESORT_NS / 2), 1);
    assert_int_equal(am_listwin_resort(&lw, 4 + AM_LISTWIN_RESORT_NS), 0);
    frame(&lw, 20);
    assert_int_equal(ids[0], 6);
    assert_int_equal(ids[1], 11);
    assert_int_equal(ids[2], 13);

    /* filters apply to the sorted order */
    am_listwin_set_filter(&lw, BIT(AM_TASK_DONE), NULL);
    settle(&lw, 20, 5);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    assert_int_equal(ids[2], 10);

    /* back to id order */
    am_listwin_set_filter(&lw, AM_LISTWIN_ALL, NULL);
    am_listwin_set_sort(&lw, AM_SORT_ID, 5);
    am_listwin_home(&lw);
    frame(&lw, 20);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[7], 9); /* 8 is a node */
    assert_null(lw.index);
    am_listwin_free(&lw);
    src_free(&s);
}

/* ---- a million rows ---- */

#define MILLION 1000000

static void test_million_dense(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, MILLION, AM_TASK_RUNNING);
    am_listwin_init(&lw, &source, &s);
    const int h = 50;

    /* showing 50 rows looks at about 100: the rows, and the range they cover */
    frame(&lw, h);
    assert_true(lw.frame_visits <= (uint64_t)(2 * h + 2));
    for (int i = 0; i < 100; i++) {
        am_listwin_move(&lw, 1);
        frame(&lw, h);
        assert_true(lw.frame_visits <= (uint64_t)(4 * h + 4));
    }
    am_listwin_end(&lw);
    frame(&lw, h);
    assert_true(lw.frame_visits <= (uint64_t)(4 * h + 4));
    assert_int_equal(am_listwin_selected(&lw), MILLION);
    assert_int_equal(ids[0], MILLION - h + 1);
    am_listwin_page(&lw, -1);
    frame(&lw, h);
    assert_true(lw.frame_visits <= (uint64_t)(4 * h + 4));
    assert_int_equal(am_listwin_selected(&lw), MILLION - h);
    am_listwin_home(&lw);
    frame(&lw, h);
    assert_int_equal(am_listwin_selected(&lw), 1);
    assert_true(lw.frame_visits <= (uint64_t)(4 * h + 4));
    /* idle frames: the same small cost, frame after frame */
    uint64_t v0 = lw.visits;
    for (int i = 0; i < 100; i++)
        frame(&lw, h);
    assert_true(lw.visits - v0 <= (uint64_t)(100 * (2 * h + 2)));
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_million_sparse(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, MILLION, AM_TASK_DONE);
    for (uint32_t k = 1; k <= 10; k++)
        set_state(&s, k * 100000, AM_TASK_FAILED);
    am_listwin_init(&lw, &source, &s);
    const int h = 40;
    worst_frame = 0;

    /* ten failed tasks in a million: found over a few frames, each bounded */
    am_listwin_set_filter(&lw, BIT(AM_TASK_FAILED), NULL);
    int frames = settle(&lw, h, 100);
    assert_true(frames <= MILLION / AM_LISTWIN_BUDGET + 3);
    assert_int_equal(frame(&lw, h), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(ids[i], (uint32_t)(i + 1) * 100000);
    assert_true(worst_frame <= AM_LISTWIN_BUDGET + AM_LISTWIN_MAX_ROWS);

    /* navigation across the gaps is spread over frames too */
    am_listwin_end(&lw);
    settle(&lw, h, 100);
    assert_int_equal(am_listwin_selected(&lw), MILLION);
    am_listwin_home(&lw);
    settle(&lw, h, 100);
    assert_int_equal(am_listwin_selected(&lw), 100000);
    am_listwin_move(&lw, 3);
    settle(&lw, h, 100);
    assert_int_equal(am_listwin_selected(&lw), 400000);

    /* a task that fails far from the window shows up when it is re-walked */
    set_state(&s, 150000, AM_TASK_FAILED);
    int found = 0;
    for (int i = 0; i < MILLION / AM_LISTWIN_BUDGET + 5 && !found; i++) {
        int n = frame(&lw, h);
        for (int k = 0; k < n; k++)
            found |= ids[k] == 150000;
    }
    assert_true(found);

    /* no match at all: known from the counts, nothing walked */
    am_listwin_set_filter(&lw, BIT(AM_TASK_TIMED_OUT), NULL);
    assert_int_equal(frame(&lw, h), 0);
    assert_int_equal(lw.frame_visits, 0);
    assert_false(am_listwin_busy(&lw));
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_million_text(void **state)
{
    src_t s;
    am_listwin_t lw;
    int exact;
    (void)state;
    src_init(&s, MILLION, AM_TASK_RUNNING);
    am_listwin_init(&lw, &source, &s);
    worst_frame = 0;

    /* one name in a million */
    am_listwin_set_filter(&lw, AM_LISTWIN_ALL, "alpha-999999");
    int frames = settle(&lw, 30, 1000);
    assert_true(frames <= MILLION / AM_LISTWIN_TEXT_BUDGET + 3);
    assert_int_equal(frame(&lw, 30), 1);
    assert_int_equal(ids[0], 999999);
    /* the count arrives after a whole pass, never more than a budget a frame */
    for (int i = 0; i < MILLION / AM_LISTWIN_COUNT_BUDGET + 2 && !lw.count_done; i++)
        frame(&lw, 30);
    assert_int_equal(am_listwin_count(&lw, &exact), 1);
    assert_true(exact);
    assert_true(worst_frame <= AM_LISTWIN_TEXT_FRAME_MAX);
    am_listwin_free(&lw);
    src_free(&s);
}

static void test_million_sort(void **state)
{
    src_t s;
    am_listwin_t lw;
    (void)state;
    src_init(&s, MILLION, AM_TASK_RUNNING);
    for (uint32_t id = 1; id <= MILLION; id++) {
        set_state(&s, id, (int)(id * 7919u % 6u));
        s.elapsed[id] = (int64_t)(id * 104729u % 5000000u);
    }
    am_listwin_init(&lw, &source, &s);
    const int h = 100;

    /* the sort looks at every task once, on the key press... */
    assert_int_equal(am_listwin_set_sort(&lw, AM_SORT_STATE, 1), 0);
    assert_int_equal(lw.sort_visits, MILLION);
    /* ...and the frames after it only at what they show */
    static const int rank[AM_TASK_NSTATES] = {
        [AM_TASK_RUNNING] = 0,   [AM_TASK_PENDING] = 1,   [AM_TASK_FAILED] = 2,
        [AM_TASK_TIMED_OUT] = 3, [AM_TASK_CANCELLED] = 4, [AM_TASK_DONE] = 5};
    uint32_t prev = 0;
    int prev_rank = -1;
    for (int page = 0; page < 50; page++) {
        int n = frame(&lw, h);
        assert_true(lw.frame_visits <= (uint64_t)(4 * h + 4));
        for (int i = page ? h - 1 : 0; i < n; i++) { /* the page overlaps by a row */
            int r = rank[s.state[ids[i]]];
            assert_true(r > prev_rank || (r == prev_rank && ids[i] > prev) ||
                        (i == h - 1 && page && ids[i] == prev));
            prev_rank = r;
            prev = ids[i];
        }
        am_listwin_move(&lw, h - 1);
    }
    assert_int_equal(rank[s.state[prev]], 0); /* still among the running */
    am_listwin_end(&lw);
    frame(&lw, h);
    assert_int_equal(s.state[ids[h - 1]], AM_TASK_DONE);

    /* longest first */
    am_listwin_set_sort(&lw, AM_SORT_ELAPSED, 2);
    am_listwin_home(&lw);
    frame(&lw, h);
    for (int i = 1; i < h; i++)
        assert_true(s.elapsed[ids[i - 1]] >= s.elapsed[ids[i]]);
    am_listwin_free(&lw);
    src_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scroll),        cmocka_unit_test(test_nodes_skipped),
        cmocka_unit_test(test_state_filter),  cmocka_unit_test(test_text_filter),
        cmocka_unit_test(test_live_changes),  cmocka_unit_test(test_sorts),
        cmocka_unit_test(test_million_dense), cmocka_unit_test(test_million_sparse),
        cmocka_unit_test(test_million_text),  cmocka_unit_test(test_million_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
