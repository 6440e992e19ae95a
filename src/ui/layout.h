/* layout.h — where each dashboard panel goes, as pure arithmetic.
 *
 * Given the terminal size and, for each panel, whether it is on and how many
 * rows it needs and would like, am_layout() computes one rectangle per panel.
 * It knows nothing of curses or of what the panels show, so it is unit-tested
 * at any size (tests/unit/test_layout.c), including terminals too small to
 * use. */
#ifndef ASYNCMON_UI_LAYOUT_H
#define ASYNCMON_UI_LAYOUT_H

#include <stddef.h>

/* The smallest usable terminal is 21x7: at 20 columns or 6 rows (or less)
 * the dashboard shows "terminal too small" instead of panels. */
#define AM_LAYOUT_MIN_COLS 21
#define AM_LAYOUT_MIN_ROWS 7
/* From this width on, side panels (the wait() sets, the queues) sit to
 * the right of the main panel instead of below it. */
#define AM_LAYOUT_SIDE_COLS 100

typedef enum am_slot_e {
    AM_SLOT_TOP,   /* stacked from the top, in registry order (header, narration, bars) */
    AM_SLOT_MAIN,  /* the task list: takes the rows nobody else wants */
    AM_SLOT_SIDE,  /* beside MAIN on a wide terminal, below it otherwise */
    AM_SLOT_BOTTOM /* stacked to the bottom edge, in registry order (log, footer) */
} am_slot_t;

typedef struct am_layout_item_s {
    int on; /* wanted and available: 0 means no rectangle */
    am_slot_t slot;
    int min_h;    /* rows without which the panel is not worth showing */
    int want_h;   /* rows it would like; MAIN grows past it, others do not */
    int priority; /* when rows run out, lower priorities are dropped first */
} am_layout_item_t;

typedef struct am_rect_s {
    int x, y, w, h; /* h == 0 (and w == 0): not shown */
} am_rect_t;

enum { AM_LAYOUT_OK = 0, AM_LAYOUT_TOO_SMALL = 1 };

/* The width a side panel gets on a terminal cols wide: the side column's
 * when side panels sit beside MAIN (cols >= AM_LAYOUT_SIDE_COLS), else the
 * whole width (below MAIN). am_layout() uses it; views size themselves by it. */
int am_layout_side_width(int cols);

/* Is a terminal of cols x rows too small for the dashboard? */
int am_layout_too_small(int cols, int rows);

/* Fill out[0..n) for items[0..n). Returns AM_LAYOUT_TOO_SMALL (and zero
 * rectangles) when the terminal is too small, else AM_LAYOUT_OK. The result
 * never overlaps, never leaves the screen, and gives every shown panel at
 * least its min_h; rows go to panels in priority order, so the least
 * important are the ones left out (a small one may still fit where a bigger,
 * more important one did not). */
int am_layout(int cols, int rows, const am_layout_item_t *items, size_t n, am_rect_t *out);

#endif
