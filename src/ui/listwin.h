/* listwin.h — a window onto a list of up to millions of rows, filtered and
 * sorted, whose cost per frame depends on the rows shown, not on the list.
 *
 * The rows are ids 1..count(ctx) of a source (the task table); some ids are
 * not rows at all (combinator nodes: state < 0). The window never copies or
 * scans the whole list per frame:
 *
 *  - The list is a sequence of positions. In id order, position p is id p+1.
 *    Sorted, positions index a sorted snapshot of the ids, built only when
 *    the sort changes or the user asks for a re-sort (throttled), followed
 *    by the ids created since the snapshot in id order. Positions do not
 *    depend on the filter, so changing the filter keeps the selection.
 *  - Filters (a set of states, a case-insensitive text) are applied while
 *    walking positions from the top of the window. Every walk draws on a
 *    per-frame budget of visits; a walk that runs out (a sparse filter over a
 *    million rows) resumes at the next frame where it stopped, and the
 *    matches found so far are kept, so the screen fills in over a few frames
 *    instead of freezing the loop.
 *  - Rows found are re-checked each frame (a task that left the filter
 *    disappears at once) and a cursor re-walks the window's range with what
 *    budget is left, to pick up tasks that entered the filter.
 *
 * Frame cost: at most AM_LISTWIN_FRAME_MAX visits, whatever the list size;
 * with a dense filter (or none) about twice the rows shown. listwin.c has no
 * curses and no runtime in it: tests/unit/test_listwin.c drives it with a
 * synthetic million-row source and counts visits. */
#ifndef ASYNCMON_UI_LISTWIN_H
#define ASYNCMON_UI_LISTWIN_H

#include <stddef.h>
#include <stdint.h>

#define AM_LISTWIN_MAX_ROWS 512 /* taller windows show this many rows */
/* Visits per frame for navigation, filling and re-checking the window: a
 * visit is a few nanoseconds with a state filter, so 128k cost ~1 ms... */
#define AM_LISTWIN_BUDGET 131072
/* ...but formats the task's name with a text filter, ~120 ns: 32k is ~4 ms,
 * a million names in under two seconds at 20 frames a second. */
#define AM_LISTWIN_TEXT_BUDGET 32768
/* Visits per frame for counting the rows a text filter matches (~1 ms). */
#define AM_LISTWIN_COUNT_BUDGET 8192
/* The bound on visits in one am_listwin_frame() call. */
#define AM_LISTWIN_FRAME_MAX (AM_LISTWIN_BUDGET + AM_LISTWIN_MAX_ROWS + AM_LISTWIN_COUNT_BUDGET)
/* ...and with a text filter, where a visit costs more. */
#define AM_LISTWIN_TEXT_FRAME_MAX                                                                  \
    (AM_LISTWIN_TEXT_BUDGET + AM_LISTWIN_MAX_ROWS + AM_LISTWIN_COUNT_BUDGET)
/* With a clock, the walking a frame does stops after this long. */
#define AM_LISTWIN_FRAME_NS 4000000ULL
/* A re-sort is refused within this long of the previous one (holding the key). */
#define AM_LISTWIN_RESORT_NS 500000000ULL
#define AM_LISTWIN_TEXT_MAX  64

typedef enum am_sort_e {
    AM_SORT_ID,      /* creation order; no index */
    AM_SORT_STATE,   /* running, pending, failed, timed out, cancelled, done */
    AM_SORT_ELAPSED, /* longest first */
    AM_SORT_NAME,    /* by the source's name key */
    AM_SORT_COUNT
} am_sort_t;

/* Where the rows come from. All calls must be O(1). */
typedef struct am_listsrc_s {
    size_t (*count)(void *ctx);                                   /* ids are 1..count */
    int (*state)(void *ctx, uint32_t id);                         /* 0..31, or < 0: not a row */
    void (*name)(void *ctx, uint32_t id, char *buf, size_t size); /* for the text filter */
    int64_t (*elapsed)(void *ctx, uint32_t id);                   /* for AM_SORT_ELAPSED */
    uint64_t (*name_key)(void *ctx, uint32_t id);                 /* for AM_SORT_NAME */
    /* rows in the states of mask, exactly and in O(1); NULL if unknown */
    uint64_t (*count_in)(void *ctx, unsigned mask);
    /* a monotonic clock in ns, or NULL: with it a frame also stops walking
     * after AM_LISTWIN_FRAME_NS (random access into a sorted snapshot of a
     * big table misses the cache on every visit) */
    uint64_t (*clock_ns)(void *ctx);
} am_listsrc_t;

typedef struct am_listwin_s {
    const am_listsrc_t *src;
    void *ctx;

    /* filter */
    unsigned mask;                  /* states shown (bit per state) */
    char text[AM_LISTWIN_TEXT_MAX]; /* lower case; "" = no text filter */
    /* sort */
    am_sort_t sort;
    uint32_t *index;    /* owned: the sorted snapshot, NULL in id order */
    size_t index_len;   /* ids in it */
    size_t snap_count;  /* count(ctx) when it was taken */
    uint64_t sorted_at; /* caller's clock (ns) at the last sort */

    /* window */
    int height;
    int64_t top; /* position the window starts at (not necessarily a match) */
    int64_t sel; /* selected position, -1 when none */
    int sel_row; /* its row in the window */

    /* queued navigation, carried over frames when it runs out of budget */
    struct {
        int kind;
        int64_t left; /* matches still to step over (the sign is the direction) */
        int64_t pos;  /* where the walk resumes */
        int row;      /* the window row the selection should land on */
        int dir;
        int64_t found[AM_LISTWIN_MAX_ROWS]; /* an anchor walk's finds, nearest first */
    } nav;

    /* what is known of the window: the matches in [top, upto) (all of them,
     * up to re-checking), and the cursor that re-walks that range */
    int64_t rows[AM_LISTWIN_MAX_ROWS];
    int nrows;
    int64_t upto;
    int64_t recheck;
    int64_t back; /* resume point of a backward fill, -1 when none */
    int scanning; /* the last frame ran out of budget before the window was full */

    /* counting a text filter's matches */
    int64_t count_pos;
    uint64_t count_acc, count_last;
    int count_done; /* count_last is a whole pass */

    /* instrumentation */
    long budget;
    uint64_t frame_start;  /* clock_ns at the start of the frame */
    uint64_t visits;       /* every row looked at, ever */
    uint64_t frame_visits; /* by the last am_listwin_frame() */
    uint64_t sort_visits;  /* by the last sort */
} am_listwin_t;

/* The state bit for mask. */
#define AM_LISTWIN_ALL 0xffffffffu

void am_listwin_init(am_listwin_t *lw, const am_listsrc_t *src, void *ctx);
void am_listwin_free(am_listwin_t *lw);
/* Forget everything about the rows (a new run): id order, no selection;
 * the filter is kept. */
void am_listwin_reset(am_listwin_t *lw);

/* Filters: states (bit per state) and a case-insensitive substring of the
 * name. Keeps the selection where it still matches. */
void am_listwin_set_filter(am_listwin_t *lw, unsigned mask, const char *text);
/* Sort; builds the snapshot index now (O(n), radix sort on the keys). 0, or
 * AM_ENOMEM (the list stays in id order). */
int am_listwin_set_sort(am_listwin_t *lw, am_sort_t sort, uint64_t now_ns);
/* Re-sort with the current key; 1 when refused as too soon after the last. */
int am_listwin_resort(am_listwin_t *lw, uint64_t now_ns);

/* Navigation: carried out at once as far as one frame's budget goes (so a
 * key that follows in the same burst, `j` then `c`, acts on the new
 * selection); a walk that needs more goes on at the next frames. */
void am_listwin_move(am_listwin_t *lw, int64_t delta); /* +-1: a row; +-height: a page */
void am_listwin_page(am_listwin_t *lw, int dir);
void am_listwin_home(am_listwin_t *lw);
void am_listwin_end(am_listwin_t *lw);
/* Select the row shown at `row` (a mouse click); 0, or -1 if none is there. */
int am_listwin_click(am_listwin_t *lw, int row);
/* Navigation still in progress (a long walk over a sparse filter)? */
int am_listwin_busy(const am_listwin_t *lw);

/* One frame: carries out navigation, fills and re-checks the window. Then
 * ids[0..n) are the rows to draw (n returned), lw->sel_row the selected one
 * (-1 if none). */
int am_listwin_frame(am_listwin_t *lw, int height, uint32_t *ids);

/* The selected id, 0 if none. */
uint32_t am_listwin_selected(const am_listwin_t *lw);
/* Rows matching the filter: exact when *exact is set (states only, from the
 * source's counts, or a finished counting pass), else a count in progress. */
uint64_t am_listwin_count(const am_listwin_t *lw, int *exact);
/* Where the selection is, 0..1, for a scroll bar. */
double am_listwin_where(const am_listwin_t *lw);
/* Length of the position sequence (rows, nodes and all). */
size_t am_listwin_len(const am_listwin_t *lw);
const char *am_sort_name(am_sort_t s);

#endif
