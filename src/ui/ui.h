/* ui.h — the dashboard's insides: the ui object, the view interface every
 * panel implements, drawing helpers, user actions and the overlays.
 *
 * Shape (htop's CRT/Panel/Action split): term.c alone talks to the terminal
 * (curses lifecycle, colours, input, signals, restoring it on every exit);
 * ui.c is the controller (frame clock, keys, focus, the run's lifecycle);
 * each panel is a small view object in its own file with draw and key
 * handlers, listed once in panels.c; actions.c turns keys into calls on the
 * runtime and driver API and writes the action log. Views read the model
 * (monitor, runtime accessors) and never touch uv handles. */
#ifndef ASYNCMON_UI_UI_H
#define ASYNCMON_UI_UI_H

#include <curses.h>
#include <stdarg.h>
#include <stdint.h>

#include "asyncmon/ui.h"
#include "cli/app.h"
#include "scenario/ini_util.h" /* AM_PRINTF */
#include "ui/layout.h"
#include "ui/listwin.h"
#include "ui/theme.h"

typedef struct am_ui_s am_ui_t;

/* ---- views ---- */

/* A panel of the dashboard. Adding one is a new file defining an am_view_t
 * named am_view_NAME and one X(NAME) line in panels.c. */
typedef struct am_view_s {
    const char *name;  /* "bars": [keys] toggle_bars; NULL: always on (header, footer) */
    const char *title; /* for the help screen */
    am_slot_t slot;
    int priority;   /* who keeps its rows on a small terminal (layout.h) */
    int toggle_key; /* default key of toggle_NAME, 0 for none */
    int focusable;  /* Tab stops here; arrows go to it */
    int on_by_default;
    size_t state_size; /* private state, zeroed at start and owned by the ui */
    /* NULL = always; 0 hides the panel (the wait() panel without a wait) */
    int (*available)(am_ui_t *ui, void *st);
    /* rows needed and wanted at this width (for a side panel, the width the
     * side column will have: am_layout_side_width) */
    void (*size)(am_ui_t *ui, void *st, int width, int *min_h, int *want_h);
    void (*draw)(am_ui_t *ui, void *st, am_rect_t r, int focused);
    /* a key for the focused panel: 1 if it used it */
    int (*key)(am_ui_t *ui, void *st, int action, int key);
    /* a mouse click at (x, y) inside r (screen coordinates) */
    void (*click)(am_ui_t *ui, void *st, am_rect_t r, int x, int y);
    /* a new run started (restart, another demo): forget the old one */
    void (*reset)(am_ui_t *ui, void *st);
    void (*free)(am_ui_t *ui, void *st);
    /* the task the task actions (cancel, timeout, add) apply to; 0: none */
    uint32_t (*selected)(am_ui_t *ui, void *st);
    /* work spread over frames is under way (a long walk): keep drawing */
    int (*busy)(am_ui_t *ui, void *st);
    /* every runtime event, as it happens: must be O(1) (a million tasks make
     * millions of events); NULL for views that only read the model */
    void (*event)(am_ui_t *ui, void *st, const am_event_t *ev);
    /* while focused: the footer's label for an action this panel's key()
     * takes over ("Raise" for + on a semaphore), NULL for the usual one */
    const char *(*key_label)(am_ui_t *ui, void *st, int action);
    /* a mode's keys: called for every key, focused or not, while the view is
     * available (its panel may be hidden), before the focused panel and the
     * common actions; 1 if it used the key. For views that own a whole mode
     * of the dashboard (the checkout's cashier keys, a tour's n/p). */
    int (*mode_key)(am_ui_t *ui, void *st, int action, int key);
    /* the plain keys mode_key takes ("+-[]..."), so the footer names another
     * key of a common action that has one (`>` for Faster) */
    const char *mode_keys;
} am_view_t;

/* panels.c: the registry, in screen order */
extern const am_view_t *const am_views[];
extern const size_t am_nviews;

/* ---- glyphs: Unicode when the locale is UTF-8, ASCII otherwise ---- */
typedef struct am_glyphs_s {
    const char *vline, *ellipsis, *up, *down, *dash, *dot, *run, *pause, *check, *arrow;
    const char *track, *thumb;
} am_glyphs_t;

/* ---- modal things ---- */
typedef void (*am_prompt_cb)(am_ui_t *ui, int ok, const char *text, void *data);

typedef struct am_prompt_s {
    int active;
    int yesno; /* y/n question, else a line of text */
    char label[160];
    wchar_t text[64];
    int len, cursor;
    am_prompt_cb done;   /* ok, text */
    am_prompt_cb change; /* called as the text changes (the live filter) */
    void *data;
} am_prompt_t;

#define AM_MENU_MAX 64
typedef struct am_menu_s {
    int active;
    int n, sel, top;
    char name[AM_MENU_MAX][AM_NAME_MAX];
    char title[AM_MENU_MAX][AM_TITLE_MAX];
} am_menu_t;

/* ---- the action log: what the user did, shown in the event log ---- */
#define AM_ACTLOG_MAX 256
typedef struct am_actlog_s {
    am_time_t time;
    char text[120];
} am_actlog_t;

enum { AM_NEXT_NONE, AM_NEXT_QUIT, AM_NEXT_RESTART, AM_NEXT_SWITCH };

struct am_ui_s {
    am_app_t *app;
    const am_options_t *opts;
    am_theme_t theme;
    am_keymap_t keys;
    int utf8;  /* the locale's charset is UTF-8 */
    int ascii; /* ASCII bars and glyphs */
    /* in the guided tour (asyncmon tour, or the demo menu's tour entry): a
     * scenario of the tour's list shows the tour bar and takes n, p and . even
     * when it is not a tour-* demo (the checkout is also the default demo) */
    int tour;
    int color; /* colours in use (else attributes only) */
    const am_glyphs_t *g;
    attr_t attr[AM_EL_COUNT];        /* curses attributes and pair of each element */
    unsigned bar_attrs[AM_EL_COUNT]; /* AM_A_ bits behind them, for the bars */

    /* panels */
    void *vstate[AM_PANELS_MAX];
    int watchers[AM_PANELS_MAX]; /* views with an event handler */
    int nwatchers;
    int on[AM_PANELS_MAX];
    am_rect_t rect[AM_PANELS_MAX];
    int focus; /* index of the focused view */
    int too_small;
    int cols, rows;

    /* overlays */
    int help;
    int help_top;
    am_prompt_t prompt;
    am_menu_t menu;

    /* the frame clock and input */
    uv_timer_t frame;
    uv_poll_t input;
    uv_timer_t quit_timer;
    int input_on;
    uint64_t period_ns;
    uint64_t last_draw_ns;
    int dirty;             /* something not in the model changed (a key, a resize) */
    uint64_t events;       /* model events seen (monitor listener) */
    uint64_t drawn_events; /* ... at the last frame */
    am_time_t drawn_tick;  /* virtual time at the last frame, in display ticks */
    int drawn_paused, drawn_finished;
    uint64_t sampled_ended; /* tasks ended when the rate meters were last fed */
    int sampled;
    /* $ASYNCMON_FRAME_LOG: a line per frame, "TOTAL_NS DRAW_NS": the whole
     * frame, and the part before the terminal write (doupdate) */
    FILE *frame_log;
    uint64_t frames;

    /* action log */
    am_actlog_t actlog[AM_ACTLOG_MAX];
    size_t act_len, act_head;
    uint64_t act_count; /* lines logged this run, ever */
    am_time_t key_time; /* virtual time the key being handled was read, or -1 */

    /* a message in the footer for a few seconds */
    char msg[160];
    uint64_t msg_until;
    int msg_error;

    /* run control: what the controller does when uv_run returns */
    int next;
    char next_demo[AM_NAME_MAX];
    int quitting;
    int run_no;
};

/* ---- ui.c ---- */
/* Set up the dashboard for app (theme, keys); nothing is drawn yet. On error
 * (unknown theme) returns AM_E... with a message, the terminal untouched. */
int am_ui_prepare(am_ui_t *ui, am_app_t *app, char *err, size_t errsize);
/* Run the dashboard until quit; returns the exit code. */
int am_ui_main(am_ui_t *ui);
/* Ask for a redraw soon (after a key, a resize, an overlay change). */
void am_ui_touch(am_ui_t *ui);
/* The view index of a registry name, or -1. */
int am_ui_view_index(const char *name);
void *am_ui_view_state(am_ui_t *ui, const char *name);
/* Does an available view's mode take this key (its mode_keys)? */
int am_ui_mode_takes(am_ui_t *ui, int key);
/* Task the task actions apply to: the focused panel's selection, else the task list's. */
uint32_t am_ui_selected_task(am_ui_t *ui);
/* Tab / Shift-Tab: focus the next shown panel that takes the focus. */
void am_ui_focus_step(am_ui_t *ui, int dir);
/* Show or hide panel i of the registry. */
void am_ui_toggle(am_ui_t *ui, size_t i);
/* End the session (q, a signal): stop the run, then leave. */
void am_ui_quit(am_ui_t *ui);
/* Leave uv_run and start a new run: the same scenario, or demo `name`. */
void am_ui_restart(am_ui_t *ui, const char *name);
/* The run's virtual time since it started, frozen when it finished. */
double am_ui_elapsed(const am_ui_t *ui);
/* Is the run finished (and not restarted by added tasks)? */
int am_ui_finished(const am_ui_t *ui);

/* ---- term.c: the one owner of the terminal ---- */
/* Enter curses (alternate screen, raw keys, mouse). AM_EIO when the terminal
 * cannot be used (err says why); the terminal is then as it was. */
int am_term_open(am_ui_t *ui, char *err, size_t errsize);
/* Leave curses; safe to call any number of times and from any exit path. */
void am_term_close(void);
int am_term_is_open(void);
/* Install the atexit and fatal-signal (SIGSEGV, SIGABRT...) handlers that
 * restore the terminal before the process dies. */
void am_term_guard(void);
/* Read one key without waiting: 1 with *key set (AM_KEY_FN | KEY_... for
 * special keys, KEY_RESIZE and KEY_MOUSE among them), 0 when there is none. */
int am_term_key(int *key);
/* Colours: compute ui->attr[] from the theme (colours or attributes). */
void am_term_colors(am_ui_t *ui);
int am_term_mouse(int *x, int *y, int *button);

/* ---- draw.c ---- */
/* Display width of a string in the current locale (wide characters count 2). */
int am_text_width(const char *s);
/* Draw s at (y, x) in at most w columns; returns the columns used. With
 * `ell`, a string that does not fit ends in an ellipsis. */
int am_put(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *s);
int am_put_ell(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *s);
int am_putf(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *fmt, ...) AM_PRINTF(6, 7);
void am_put_attr(int y, int x, int w, attr_t a, const char *s);
/* Fill w columns with blanks of element e. */
void am_fill(am_ui_t *ui, int y, int x, int w, am_elem_t e);
/* A panel's title bar: title on the left, extra on the right. */
void am_draw_title(am_ui_t *ui, am_rect_t r, int focused, const char *title, const char *extra);
/* A vertical scroll bar in column x, rows y..y+h-1, thumb at frac (0..1). */
void am_draw_scrollbar(am_ui_t *ui, int x, int y, int h, double frac);
/* tasklist.c: a task's progress in 6 cells and a percentage, "███▌·· 58%". */
void am_fmt_progress(am_ui_t *ui, uint32_t n, uint32_t total, char *buf, size_t size);
/* Element of a task state. */
am_elem_t am_state_elem(am_task_state_t s);
/* "timed out", "done"... */
const char *am_state_label(am_task_state_t s);
/* Format a count with thin separators: 1,000,000. */
char *am_fmt_count(char *buf, size_t size, uint64_t n);
/* Seconds, short: "0.42s", "12.3s", "2m05s", "1h02m". */
char *am_fmt_secs(char *buf, size_t size, double s);
const am_glyphs_t *am_glyphs(int ascii);
/* Word-wrap UTF-8 text to width columns: calls fn for each line (its bytes).
 * Newlines are spaces (a narration's source lines are not paragraphs). */
int am_wrap(const char *text, int width, void (*fn)(const char *line, size_t len, void *ud),
            void *ud);

/* ---- actions.c ---- */
void am_ui_log(am_ui_t *ui, const char *fmt, ...) AM_PRINTF(2, 3);
void am_ui_message(am_ui_t *ui, int error, const char *fmt, ...) AM_PRINTF(3, 4);
/* One key, after the focused panel had its chance. */
void am_action_run(am_ui_t *ui, int action);
void am_act_cancel_task(am_ui_t *ui, uint32_t id);
void am_act_add(am_ui_t *ui, uint32_t id, uint32_t n);
/* The scenario group index of a task, by its loop group. */
int am_act_scenario_group(am_ui_t *ui, uint32_t id);
/* i-th newest action log entry (0 newest), NULL past the end. */
const am_actlog_t *am_actlog_get(const am_ui_t *ui, size_t i);
void am_actlog_clear(am_ui_t *ui);

/* ---- prompt.c ---- */
void am_prompt_yesno(am_ui_t *ui, am_prompt_cb done, void *data, const char *fmt, ...)
    AM_PRINTF(4, 5);
void am_prompt_text(am_ui_t *ui, const char *label, const char *initial, am_prompt_cb change,
                    am_prompt_cb done, void *data);
int am_prompt_key(am_ui_t *ui, int key);
void am_prompt_draw(am_ui_t *ui, int y);

/* ---- menu.c (the demo picker) and help.c ---- */
void am_menu_open(am_ui_t *ui);
int am_menu_key(am_ui_t *ui, int key, int action);
void am_menu_click(am_ui_t *ui, int x, int y);
void am_menu_draw(am_ui_t *ui);
int am_help_key(am_ui_t *ui, int key, int action);
void am_help_draw(am_ui_t *ui);

/* ---- checkout.c: the checkout mode (demo/checkout.ini) ---- */
/* Its keys at x on the footer's row y, up to end; returns the columns used
 * (0 when the scenario is no checkout). */
int am_checkout_footer(am_ui_t *ui, int y, int x, int end);

/* ---- bars.c ---- */
/* Cell c (0..width) of a bar of `width` cells belongs to which segment of
 * counts[0..n) (cumulative, out of total)? -1 past the filled part. Exposed
 * for the tests: the segments are proportional to the counts. */
int am_bar_segment(const uint64_t *counts, int n, uint64_t total, int width, int cell);

#endif
