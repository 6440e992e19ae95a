/* term.c — the one owner of the terminal (htop's CRT.c): entering and
 * leaving curses, colours, keys and the mouse, and making sure the terminal
 * is given back on every way out.
 *
 * Ways out and who restores the terminal:
 *   q, F10, the end of am_ui_main ........ am_term_close() (ui.c)
 *   SIGINT, SIGTERM, SIGHUP ............... uv_signal handlers in app.c stop the
 *                                           run, am_ui_main returns, same as q
 *   a second such signal .................. ui.c calls am_term_close() then _Exit
 *   exit() from anywhere .................. the atexit handler below
 *   SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL  the fatal handler below: endwin, then
 *                                           the signal again with the previous action
 *   SIGTSTP (Ctrl-Z) ...................... curses' own handler (endwin, stop, redraw)
 *   SIGWINCH .............................. curses' own handler, read as KEY_RESIZE
 * Calling endwin() from a signal handler is not async-signal-safe; like htop
 * we accept that for fatal signals, where the alternative is a terminal left
 * in raw mode with no cursor. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/fatal.h"
#include "ui/ui.h"

static SCREEN *screen;
static volatile sig_atomic_t is_open;
static int guarded;

static struct sigaction old_fatal[AM_NFATAL];

int am_term_is_open(void)
{
    return is_open;
}

void am_term_close(void)
{
    if (!is_open) return;
    is_open = 0;
    mousemask(0, NULL);
    curs_set(1);
    endwin();
    fflush(stdout);
    if (screen) {
        delscreen(screen);
        screen = NULL;
    }
}

static void at_exit(void)
{
    am_term_close();
}

static void on_fatal(int sig)
{
    if (is_open) {
        is_open = 0;
        endwin();
    }
    /* a handler that was there before us (a sanitizer's report, say) gets
     * the signal next */
    am_fatal_pass_on(sig, old_fatal);
}

void am_term_guard(void)
{
    if (guarded) return;
    guarded = 1;
    atexit(at_exit);
    am_fatal_install(on_fatal, old_fatal);
}

/* ---- colours ---- */

static attr_t curses_attrs(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & AM_A_BOLD) r |= A_BOLD;
    if (a & AM_A_DIM) r |= A_DIM;
    if (a & AM_A_UNDERLINE) r |= A_UNDERLINE;
    if (a & AM_A_REVERSE) r |= A_REVERSE;
#ifdef A_ITALIC
    if (a & AM_A_ITALIC) r |= A_ITALIC;
#endif
    if (a & AM_A_STANDOUT) r |= A_STANDOUT;
    return r;
}

/* A colour the terminal may not have, brought down to one it has: bright
 * colours to the basic eight, the 256-colour cube and greys to the nearest
 * of them. *bold is set when brightness was lost. */
static short fit_color(short c, int *bold)
{
    if (c < 0 || c < COLORS) return c;
    if (c < 16) {
        *bold = 1;
        return (short)(c - 8);
    }
    if (c < 232) {
        int v = c - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
        short basic = (short)((r >= 3 ? COLOR_RED : 0) | (g >= 3 ? COLOR_GREEN : 0) |
                              (b >= 3 ? COLOR_BLUE : 0));
        if (COLORS >= 16 && (r >= 4 || g >= 4 || b >= 4)) basic = (short)(basic + 8);
        return basic;
    }
    if (c < 244) return COLORS >= 16 ? 8 : COLOR_BLACK;
    return COLOR_WHITE;
}

void am_term_colors(am_ui_t *ui)
{
    const char *no_color = getenv("NO_COLOR");
    ui->color = has_colors() && !(no_color && *no_color);
    int defaults = 0;
    if (ui->color) {
        start_color();
        defaults = use_default_colors() == OK;
        if (COLOR_PAIRS <= AM_EL_COUNT) ui->color = 0;
    }
    for (int e = 0; e < AM_EL_COUNT; e++) {
        if (!ui->color) {
            ui->attr[e] = curses_attrs(ui->theme.mono[e]);
            ui->bar_attrs[e] = ui->theme.mono[e];
            continue;
        }
        const am_style_t *s = &ui->theme.color[e];
        int bold = 0;
        short fg = fit_color(s->fg, &bold), bg = fit_color(s->bg, &bold);
        if (!defaults) { /* no "default" colours: the usual white on black */
            if (fg < 0) fg = COLOR_WHITE;
            if (bg < 0) bg = COLOR_BLACK;
        }
        init_pair((short)(e + 1), fg, bg);
        ui->attr[e] = COLOR_PAIR(e + 1) | curses_attrs(s->attrs) | (bold ? A_BOLD : 0);
        ui->bar_attrs[e] = s->attrs;
    }
}

/* ---- lifecycle ---- */

int am_term_open(am_ui_t *ui, char *err, size_t errsize)
{
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(err, errsize, "TERM is not set");
        return AM_EIO;
    }
    fflush(stdout);
    screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        snprintf(err, errsize, "cannot use the terminal (TERM=%s)", term);
        return AM_EIO;
    }
    set_term(screen);
    is_open = 1;
    am_term_guard();
    cbreak(); /* not raw(): Ctrl-C stays SIGINT, which stops the run cleanly */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE); /* keys are read when libuv says stdin is readable */
    set_escdelay(25);
    curs_set(0);
    leaveok(stdscr, TRUE);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    am_term_colors(ui);
    ui->cols = COLS;
    ui->rows = LINES;
    return 0;
}

int am_term_key(int *key)
{
    wint_t ch;
    if (!is_open) return 0;
    int r = wget_wch(stdscr, &ch);
    if (r == ERR) return 0;
    if (r == KEY_CODE_YES) {
        if (ch == KEY_ENTER)
            *key = '\n';
        else
            *key = AM_KEY_FN | (int)ch;
        return 1;
    }
    if (ch == '\r') ch = '\n';
    if (ch == 127 || ch == 8) {
        *key = AM_KEY_FN | KEY_BACKSPACE;
        return 1;
    }
    *key = (int)ch;
    return 1;
}

int am_term_mouse(int *x, int *y, int *button)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    *x = ev.x;
    *y = ev.y;
    if (ev.bstate & BUTTON4_PRESSED)
        *button = 4;
    else if (ev.bstate & BUTTON5_PRESSED)
        *button = 5;
    else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
        *button = 1;
    else
        *button = 0;
    return 1;
}
