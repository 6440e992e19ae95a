/* listwin.c — the task list's window: filtering, sorting and scrolling a
 * million rows at a cost per frame bounded by what is shown (see listwin.h).
 *
 * Everything that walks the list goes through scan(), which spends the
 * frame's budget one visit at a time and says where it stopped when the
 * budget runs out; navigation keeps its state in lw->nav so that it can go on
 * at the next frame. The only whole-list operations are building the sorted
 * snapshot and finding the selection in it, and both happen on a key press
 * (sort, re-sort), never per frame: sorting a million rows every 50 ms would
 * cost the event loop most of its time, and rows that move under the cursor
 * twenty times a second cannot be read anyway. */
#include "ui/listwin.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "asyncmon/error.h"
#include "asyncmon/runtime.h"

enum { NAV_NONE, NAV_MOVE, NAV_HOME, NAV_END, NAV_SEEK, NAV_ANCHOR };
enum { SCAN_FOUND, SCAN_END, SCAN_BUDGET };

static const char *const sort_names[AM_SORT_COUNT] = {"id", "state", "elapsed", "name"};

const char *am_sort_name(am_sort_t s)
{
    return (unsigned)s < AM_SORT_COUNT ? sort_names[s] : "?";
}

/* ---- the position sequence ---- */

static int64_t seq_len(const am_listwin_t *lw)
{
    size_t n = lw->src->count(lw->ctx);
    if (!lw->index) return (int64_t)n;
    return (int64_t)(lw->index_len + (n > lw->snap_count ? n - lw->snap_count : 0));
}

static uint32_t seq_id(const am_listwin_t *lw, int64_t p)
{
    if (!lw->index) return (uint32_t)(p + 1);
    if ((size_t)p < lw->index_len) return lw->index[p];
    return (uint32_t)(lw->snap_count + 1 + ((size_t)p - lw->index_len));
}

size_t am_listwin_len(const am_listwin_t *lw)
{
    return (size_t)seq_len(lw);
}

/* ---- matching ---- */

static int contains_lower(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t k = 0;
        while (k < n && hay[k] && tolower((unsigned char)hay[k]) == needle[k])
            k++;
        if (k == n) return 1;
    }
    return n == 0;
}

/* One visit: is the row at position p shown under the filter? */
static int matches(am_listwin_t *lw, int64_t p)
{
    lw->visits++;
    uint32_t id = seq_id(lw, p);
    int st = lw->src->state(lw->ctx, id);
    if (st < 0 || st > 31 || !(lw->mask & (1u << st))) return 0;
    if (lw->text[0]) {
        char name[128];
        lw->src->name(lw->ctx, id, name, sizeof name);
        if (!contains_lower(name, lw->text)) return 0;
    }
    return 1;
}

/* The first match from `from` in direction dir (inclusive), within the
 * frame's budget: SCAN_FOUND (*out = it), SCAN_END, or SCAN_BUDGET (*out =
 * where to resume). */
/* Out of time? Checked every 1024 visits: the clock costs more than a visit. */
static int out_of_time(am_listwin_t *lw)
{
    return lw->src->clock_ns && lw->src->clock_ns(lw->ctx) - lw->frame_start > AM_LISTWIN_FRAME_NS;
}

static int scan(am_listwin_t *lw, int64_t from, int dir, int64_t len, int64_t *out)
{
    for (int64_t p = from; p >= 0 && p < len; p += dir) {
        if (lw->budget <= 0 || ((lw->budget & 1023) == 0 && out_of_time(lw))) {
            lw->budget = 0;
            *out = p;
            return SCAN_BUDGET;
        }
        lw->budget--;
        if (matches(lw, p)) {
            *out = p;
            return SCAN_FOUND;
        }
    }
    return SCAN_END;
}

/* With a filter on states only, the source's counts say at once when no row
 * matches: a million-row walk to find nothing is skipped. */
static int none_match(const am_listwin_t *lw)
{
    return !lw->text[0] && lw->src->count_in && lw->src->count_in(lw->ctx, lw->mask) == 0;
}

/* ---- the window's knowledge ---- */

static void win_reset(am_listwin_t *lw, int64_t top)
{
    lw->top = top < 0 ? 0 : top;
    lw->nrows = 0;
    lw->upto = lw->top;
    lw->recheck = lw->top;
    lw->back = -1;
}

/* Move the window's top; what is known past it stays known. */
static void win_set_top(am_listwin_t *lw, int64_t top)
{
    if (top >= lw->top && top <= lw->upto) {
        int k = 0;
        for (int i = 0; i < lw->nrows; i++)
            if (lw->rows[i] >= top) lw->rows[k++] = lw->rows[i];
        lw->nrows = k;
        lw->top = top;
        if (lw->recheck < top) lw->recheck = top;
        lw->back = -1;
    } else {
        win_reset(lw, top);
    }
}

static int row_of(const am_listwin_t *lw, int64_t p)
{
    int lo = 0, hi = lw->nrows - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (lw->rows[mid] == p) return mid;
        if (lw->rows[mid] < p)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static int on_screen(const am_listwin_t *lw, int64_t p)
{
    if (lw->nrows == 0 || p < lw->top) return 0;
    return p <= lw->rows[lw->nrows - 1] || lw->nrows < lw->height;
}

/* ---- navigation ---- */

static void nav_none(am_listwin_t *lw)
{
    lw->nav.kind = NAV_NONE;
}

/* Put the selection on window row `row`: walk back `row` matches from it. */
static void start_anchor(am_listwin_t *lw, int row)
{
    if (row >= lw->height) row = lw->height - 1;
    if (row < 0) row = 0;
    lw->nav.kind = NAV_ANCHOR;
    lw->nav.left = row;
    lw->nav.pos = lw->sel - 1;
    lw->nav.row = 0; /* matches found so far */
}

static int nav_step(am_listwin_t *lw, int64_t len)
{
    int64_t f = -1;
    int r;

    for (;;) {
        switch (lw->nav.kind) {
        case NAV_NONE:
            return 1;
        case NAV_HOME:
            r = scan(lw, lw->nav.pos, 1, len, &f);
            if (r == SCAN_BUDGET) {
                lw->nav.pos = f;
                return 0;
            }
            nav_none(lw);
            if (r == SCAN_END) {
                lw->sel = -1;
                win_reset(lw, 0);
                return 1;
            }
            lw->sel = f;
            lw->sel_row = 0;
            win_reset(lw, 0); /* nothing before f matches: the window may start at 0 */
            lw->rows[0] = f;
            lw->nrows = 1;
            lw->upto = f + 1;
            return 1;
        case NAV_END:
            r = scan(lw, lw->nav.pos, -1, len, &f);
            if (r == SCAN_BUDGET) {
                lw->nav.pos = f;
                return 0;
            }
            if (r == SCAN_END) {
                nav_none(lw);
                lw->sel = -1;
                win_reset(lw, 0);
                return 1;
            }
            lw->sel = f;
            start_anchor(lw, lw->height - 1);
            continue;
        case NAV_MOVE: {
            int dir = lw->nav.left > 0 ? 1 : -1;
            while (lw->nav.left != 0) {
                r = scan(lw, lw->nav.pos, dir, len, &f);
                if (r == SCAN_BUDGET) {
                    lw->nav.pos = f;
                    return 0;
                }
                if (r == SCAN_END) break;
                lw->sel = f;
                lw->nav.left -= dir;
                lw->nav.pos = f + dir;
            }
            if (on_screen(lw, lw->sel)) {
                nav_none(lw);
                return 1;
            }
            if (dir < 0 && lw->nav.row == 0) { /* one step above the top: scroll by one */
                nav_none(lw);
                win_set_top(lw, lw->sel);
                return 1;
            }
            start_anchor(lw, lw->nav.row);
            continue;
        }
        case NAV_SEEK:
            r = scan(lw, lw->nav.pos, lw->nav.dir, len, &f);
            if (r == SCAN_BUDGET) {
                lw->nav.pos = f;
                return 0;
            }
            if (r == SCAN_END) {
                if (lw->nav.dir > 0) { /* nothing below: the nearest above */
                    lw->nav.dir = -1;
                    lw->nav.pos = lw->sel - 1;
                    continue;
                }
                nav_none(lw);
                lw->sel = -1;
                win_reset(lw, 0);
                return 1;
            }
            lw->sel = f;
            start_anchor(lw, lw->nav.left > 0 ? (int)lw->nav.left : 0);
            continue;
        case NAV_ANCHOR: {
            int nfound = lw->nav.row, at_start = 0;
            while (lw->nav.left > 0) {
                r = scan(lw, lw->nav.pos, -1, len, &f);
                if (r == SCAN_BUDGET) {
                    lw->nav.pos = f;
                    lw->nav.row = nfound;
                    return 0;
                }
                if (r == SCAN_END) {
                    at_start = 1;
                    break;
                }
                lw->nav.found[nfound++] = f;
                lw->nav.left--;
                lw->nav.pos = f - 1;
            }
            /* the walk found exactly the rows above the selection: keep them
             * (and if it reached the start, nothing is above them) */
            int64_t top = at_start ? 0 : nfound ? lw->nav.found[nfound - 1] : lw->sel;
            win_reset(lw, top);
            for (int i = nfound - 1; i >= 0; i--)
                lw->rows[lw->nrows++] = lw->nav.found[i];
            lw->rows[lw->nrows++] = lw->sel;
            lw->upto = lw->sel + 1;
            lw->sel_row = nfound;
            nav_none(lw);
            return 1;
        }
        default:
            nav_none(lw);
            return 1;
        }
    }
}

/* Carry the queued navigation out now, within a frame's budget. */
static void step_now(am_listwin_t *lw)
{
    lw->budget = lw->text[0] ? AM_LISTWIN_TEXT_BUDGET : AM_LISTWIN_BUDGET;
    lw->frame_start = lw->src->clock_ns ? lw->src->clock_ns(lw->ctx) : 0;
    if (lw->height > 0) nav_step(lw, seq_len(lw));
}

void am_listwin_move(am_listwin_t *lw, int64_t delta)
{
    if (delta == 0) return;
    if (lw->sel < 0) {
        am_listwin_home(lw);
        return;
    }
    if (lw->nav.kind == NAV_MOVE && (lw->nav.left > 0) == (delta > 0)) {
        lw->nav.left += delta; /* keys faster than the walk: keep going */
    } else {
        lw->nav.kind = NAV_MOVE;
        lw->nav.left = delta;
        lw->nav.pos = lw->sel + (delta > 0 ? 1 : -1);
        lw->nav.row = delta > 0 ? lw->height - 1 : 0;
    }
    step_now(lw);
}

void am_listwin_page(am_listwin_t *lw, int dir)
{
    int h = lw->height > 1 ? lw->height : 1;
    if (lw->sel < 0) {
        am_listwin_home(lw);
        return;
    }
    lw->nav.kind = NAV_MOVE;
    lw->nav.left = dir > 0 ? h : -h;
    lw->nav.pos = lw->sel + (dir > 0 ? 1 : -1);
    lw->nav.row = lw->sel_row > 0 ? lw->sel_row : 0;
    step_now(lw);
}

void am_listwin_home(am_listwin_t *lw)
{
    lw->nav.kind = NAV_HOME;
    lw->nav.pos = 0;
    step_now(lw);
}

void am_listwin_end(am_listwin_t *lw)
{
    lw->nav.kind = NAV_END;
    lw->nav.pos = seq_len(lw) - 1;
    step_now(lw);
}

int am_listwin_click(am_listwin_t *lw, int row)
{
    if (row < 0 || row >= lw->nrows) return -1;
    nav_none(lw);
    lw->sel = lw->rows[row];
    lw->sel_row = row;
    return 0;
}

int am_listwin_busy(const am_listwin_t *lw)
{
    return lw->nav.kind != NAV_NONE || lw->scanning;
}

/* ---- filling the window ---- */

static void insert_row(am_listwin_t *lw, int at, int64_t p)
{
    memmove(&lw->rows[at + 1], &lw->rows[at], (size_t)(lw->nrows - at) * sizeof lw->rows[0]);
    lw->rows[at] = p;
    lw->nrows++;
}

/* Keep no more than height rows: what falls off the bottom is no longer known. */
static void trim(am_listwin_t *lw)
{
    if (lw->nrows > lw->height) {
        lw->upto = lw->rows[lw->height];
        lw->nrows = lw->height;
        if (lw->recheck > lw->upto) lw->recheck = lw->top;
    }
}

static void fill(am_listwin_t *lw, int64_t len)
{
    int64_t f = -1;
    int r, k = 0;

    /* 1. re-check the rows known: those that left the filter go */
    for (int i = 0; i < lw->nrows; i++)
        if (lw->rows[i] < len && matches(lw, lw->rows[i])) lw->rows[k++] = lw->rows[i];
    lw->nrows = k;
    trim(lw);
    if (lw->upto > len) lw->upto = len;
    if (lw->upto < lw->top) lw->upto = lw->top;

    /* 2. extend downwards from what is known */
    lw->scanning = 0;
    while (lw->nrows < lw->height) {
        r = scan(lw, lw->upto, 1, len, &f);
        if (r == SCAN_FOUND) {
            lw->rows[lw->nrows++] = f;
            lw->upto = f + 1;
        } else if (r == SCAN_BUDGET) {
            lw->upto = f;
            lw->scanning = 1;
            break;
        } else {
            lw->upto = len;
            break;
        }
    }

    /* 3. the end of the list is on screen with room to spare: fill upwards,
     * as a list scrolled to its end should look after rows left it */
    if (lw->nrows < lw->height && !lw->scanning && lw->top > 0 && lw->nav.kind == NAV_NONE) {
        int64_t from = lw->back >= 0 && lw->back < lw->top ? lw->back : lw->top - 1;
        while (lw->nrows < lw->height) {
            r = scan(lw, from, -1, len, &f);
            if (r == SCAN_FOUND) {
                insert_row(lw, 0, f);
                lw->top = f;
                lw->recheck = f;
                if (lw->sel_row >= 0) lw->sel_row++;
                from = f - 1;
                lw->back = -1;
            } else if (r == SCAN_BUDGET) {
                lw->back = f;
                lw->scanning = 1;
                break;
            } else {
                lw->top = 0; /* nothing above: remember that */
                lw->back = -1;
                break;
            }
        }
    }

    /* 4. re-walk [top, upto) with what budget is left, at most once a frame,
     * to find rows that entered the filter between the ones known */
    if (!lw->scanning && lw->budget > 0 && lw->upto > lw->top) {
        int64_t p = lw->recheck >= lw->top && lw->recheck < lw->upto ? lw->recheck : lw->top;
        int64_t stop = p, walked = 0, span = lw->upto - lw->top;
        int j = 0;
        while (j < lw->nrows && lw->rows[j] < p)
            j++;
        while (lw->budget > 0 && walked < span) {
            if ((lw->budget & 1023) == 0 && out_of_time(lw)) break;
            lw->budget--;
            walked++;
            if (matches(lw, p)) {
                if (j < lw->nrows && lw->rows[j] == p) {
                    j++;
                } else {
                    insert_row(lw, j++, p);
                    trim(lw);
                }
            } else if (j < lw->nrows && lw->rows[j] == p) { /* left just now */
                memmove(&lw->rows[j], &lw->rows[j + 1],
                        (size_t)(lw->nrows - j - 1) * sizeof lw->rows[0]);
                lw->nrows--;
            }
            if (++p >= lw->upto) {
                p = lw->top;
                j = 0;
            }
            if (p == stop) break;
        }
        lw->recheck = p;
    }
}

static void count_step(am_listwin_t *lw, int64_t len)
{
    if (!lw->text[0]) return;
    for (long b = 0; b < AM_LISTWIN_COUNT_BUDGET; b++) {
        if ((b & 1023) == 1023 && out_of_time(lw)) break;
        if (lw->count_pos >= len) {
            lw->count_last = lw->count_acc;
            lw->count_done = 1;
            lw->count_acc = 0;
            lw->count_pos = 0;
            break; /* one pass a frame at most */
        }
        lw->count_acc += (uint64_t)matches(lw, lw->count_pos++);
    }
}

int am_listwin_frame(am_listwin_t *lw, int height, uint32_t *ids)
{
    uint64_t v0 = lw->visits;
    lw->frame_start = lw->src->clock_ns ? lw->src->clock_ns(lw->ctx) : 0;
    if (height < 0) height = 0;
    if (height > AM_LISTWIN_MAX_ROWS) height = AM_LISTWIN_MAX_ROWS;
    lw->budget = lw->text[0] ? AM_LISTWIN_TEXT_BUDGET : AM_LISTWIN_BUDGET;
    int64_t len = seq_len(lw);
    if (none_match(lw)) { /* known at once from the counts: nothing to walk */
        nav_none(lw);
        win_reset(lw, 0);
        lw->sel = -1;
        lw->sel_row = -1;
        lw->scanning = 0;
        lw->height = height;
        lw->frame_visits = 0;
        return 0;
    }
    if (lw->top > len) win_reset(lw, 0);
    if (lw->sel >= len) lw->sel = -1;
    if (height != lw->height) {
        /* a shorter window keeps the selection on screen: rows go from the top */
        int at = lw->sel >= 0 ? row_of(lw, lw->sel) : -1;
        if (at >= height && height > 0) {
            int drop = at - height + 1;
            memmove(lw->rows, lw->rows + drop, (size_t)(lw->nrows - drop) * sizeof lw->rows[0]);
            lw->nrows -= drop;
            lw->top = lw->rows[0];
            lw->recheck = lw->top;
            lw->back = -1;
        }
        lw->height = height;
        trim(lw);
    }

    nav_step(lw, len);
    if (height > 0) fill(lw, len);
    count_step(lw, len);

    /* the selection: kept when still shown; when it left the filter, the row
     * now at its place on screen takes over (as htop does) */
    int busy = lw->nav.kind != NAV_NONE;
    int at = lw->sel >= 0 ? row_of(lw, lw->sel) : -1;
    if (at >= 0) {
        lw->sel_row = at;
    } else if (!busy && lw->nrows > 0 && (!lw->scanning || lw->nrows == lw->height)) {
        int rrow = lw->sel_row;
        if (lw->sel < 0 || rrow < 0) rrow = 0;
        if (rrow >= lw->nrows) rrow = lw->nrows - 1;
        lw->sel = lw->rows[rrow];
        lw->sel_row = rrow;
    } else if (!busy && !lw->scanning && lw->nrows == 0) {
        lw->sel = -1;
        lw->sel_row = -1;
    } else {
        lw->sel_row = -1;
    }
    for (int i = 0; i < lw->nrows; i++)
        ids[i] = seq_id(lw, lw->rows[i]);
    lw->frame_visits = lw->visits - v0;
    return lw->nrows;
}

/* ---- filter and sort ---- */

void am_listwin_init(am_listwin_t *lw, const am_listsrc_t *src, void *ctx)
{
    memset(lw, 0, sizeof *lw);
    lw->src = src;
    lw->ctx = ctx;
    lw->mask = AM_LISTWIN_ALL;
    lw->sel = -1;
    lw->sel_row = -1;
    win_reset(lw, 0);
}

void am_listwin_free(am_listwin_t *lw)
{
    free(lw->index);
    lw->index = NULL;
    lw->index_len = 0;
}

void am_listwin_reset(am_listwin_t *lw)
{
    am_listwin_free(lw);
    lw->sort = AM_SORT_ID;
    lw->snap_count = 0;
    lw->sel = -1;
    lw->sel_row = -1;
    nav_none(lw);
    win_reset(lw, 0);
    lw->count_pos = 0;
    lw->count_acc = lw->count_last = 0;
    lw->count_done = 0;
}

void am_listwin_set_filter(am_listwin_t *lw, unsigned mask, const char *text)
{
    char low[AM_LISTWIN_TEXT_MAX];
    size_t i = 0;
    for (; text && text[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    low[i] = '\0';
    if (mask == lw->mask && !strcmp(low, lw->text)) return;
    lw->mask = mask;
    memcpy(lw->text, low, i + 1);
    lw->count_pos = 0;
    lw->count_acc = lw->count_last = 0;
    lw->count_done = 0;

    int64_t len = seq_len(lw);
    int row = lw->sel_row > 0 ? lw->sel_row : 0;
    win_reset(lw, lw->top);
    if (lw->sel >= 0 && lw->sel < len) {
        /* the selection stays if it still matches, else the next match does */
        lw->nav.kind = NAV_SEEK;
        lw->nav.dir = 1;
        lw->nav.pos = lw->sel;
        lw->nav.left = row;
    } else {
        lw->sel = -1;
        am_listwin_home(lw);
    }
}

/* Stable LSD radix sort of (key, id) pairs, a byte at a time; passes where
 * every key has the same byte are skipped (sorting by state takes one). */
static int radix_sort(uint64_t *keys, uint32_t *ids, size_t n)
{
    uint64_t *tk = malloc(n * sizeof *tk);
    uint32_t *ti = malloc(n * sizeof *ti);
    uint64_t *k0 = keys, *k1 = tk;
    uint32_t *i0 = ids, *i1 = ti;
    if (!tk || !ti) {
        free(tk);
        free(ti);
        return AM_ENOMEM;
    }
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[(k0[i] >> shift) & 0xff]++;
        if (cnt[(k0[0] >> shift) & 0xff] == n) continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = cnt[(k0[i] >> shift) & 0xff]++;
            k1[at] = k0[i];
            i1[at] = i0[i];
        }
        uint64_t *kt = k0;
        k0 = k1;
        k1 = kt;
        uint32_t *it = i0;
        i0 = i1;
        i1 = it;
    }
    if (i0 != ids) memcpy(ids, i0, n * sizeof *ids);
    free(tk);
    free(ti);
    return 0;
}

/* Sort keys, ascending. The state order puts what is going on first and
 * what is over last: running, pending, failed, timed out, cancelled, done. */
static uint64_t sort_key(am_listwin_t *lw, am_sort_t sort, uint32_t id, int st)
{
    static const uint8_t state_rank[AM_TASK_NSTATES] = {
        [AM_TASK_RUNNING] = 0,   [AM_TASK_PENDING] = 1,   [AM_TASK_FAILED] = 2,
        [AM_TASK_TIMED_OUT] = 3, [AM_TASK_CANCELLED] = 4, [AM_TASK_DONE] = 5};
    switch (sort) {
    case AM_SORT_STATE:
        return st < AM_TASK_NSTATES ? state_rank[st] : (uint64_t)st;
    case AM_SORT_ELAPSED: {
        int64_t e = lw->src->elapsed(lw->ctx, id);
        return ~(uint64_t)(e > 0 ? e : 0); /* longest first */
    }
    case AM_SORT_NAME:
        return lw->src->name_key(lw->ctx, id);
    default:
        return id;
    }
}

static int build_index(am_listwin_t *lw, am_sort_t sort)
{
    size_t n = lw->src->count(lw->ctx), m = 0;
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    uint64_t v0 = lw->visits;
    if (!keys || !ids) {
        free(keys);
        free(ids);
        return AM_ENOMEM;
    }
    for (uint32_t id = 1; id <= n; id++) {
        lw->visits++;
        int st = lw->src->state(lw->ctx, id);
        if (st < 0) continue; /* nodes are never rows: leave them out */
        keys[m] = sort_key(lw, sort, id, st);
        ids[m++] = id;
    }
    int rc = m > 1 ? radix_sort(keys, ids, m) : 0;
    free(keys);
    if (rc) {
        free(ids);
        return rc;
    }
    free(lw->index);
    lw->index = ids;
    lw->index_len = m;
    lw->snap_count = n;
    lw->sort_visits = lw->visits - v0;
    return 0;
}

/* Position of id in the sequence: O(n) in a sorted snapshot, so only ever
 * done on a key press. */
static int64_t position_of(const am_listwin_t *lw, uint32_t id)
{
    if (!lw->index) return (int64_t)id - 1;
    if (id > lw->snap_count) return (int64_t)(lw->index_len + (id - lw->snap_count - 1));
    for (size_t i = 0; i < lw->index_len; i++)
        if (lw->index[i] == id) return (int64_t)i;
    return -1;
}

int am_listwin_set_sort(am_listwin_t *lw, am_sort_t sort, uint64_t now_ns)
{
    uint32_t keep = am_listwin_selected(lw);
    int row = lw->sel_row > 0 ? lw->sel_row : 0, rc = 0;

    if ((unsigned)sort >= AM_SORT_COUNT) sort = AM_SORT_ID;
    if (sort == AM_SORT_ID) {
        am_listwin_free(lw);
    } else if ((rc = build_index(lw, sort)) != 0) {
        am_listwin_free(lw);
        sort = AM_SORT_ID;
    }
    lw->sort = sort;
    lw->sorted_at = now_ns;
    lw->count_pos = 0;
    lw->count_acc = 0;
    nav_none(lw);
    win_reset(lw, 0);
    lw->sel = keep ? position_of(lw, keep) : -1;
    if (lw->sel >= 0) {
        lw->nav.kind = NAV_SEEK; /* lands on it, or the next match if it left the filter */
        lw->nav.dir = 1;
        lw->nav.pos = lw->sel;
        lw->nav.left = row;
    }
    return rc;
}

int am_listwin_resort(am_listwin_t *lw, uint64_t now_ns)
{
    if (lw->sorted_at && now_ns - lw->sorted_at < AM_LISTWIN_RESORT_NS) return 1;
    return am_listwin_set_sort(lw, lw->sort, now_ns);
}

/* ---- queries ---- */

uint32_t am_listwin_selected(const am_listwin_t *lw)
{
    if (lw->sel < 0 || lw->sel >= seq_len(lw)) return 0;
    return seq_id(lw, lw->sel);
}

uint64_t am_listwin_count(const am_listwin_t *lw, int *exact)
{
    if (lw->text[0]) {
        *exact = lw->count_done;
        return lw->count_done ? lw->count_last : lw->count_acc;
    }
    if (lw->src->count_in) {
        *exact = 1;
        return lw->src->count_in(lw->ctx, lw->mask);
    }
    *exact = 0;
    return 0;
}

double am_listwin_where(const am_listwin_t *lw)
{
    int64_t len = seq_len(lw);
    if (lw->sel < 0 || len <= 1) return 0;
    return (double)lw->sel / (double)(len - 1);
}
