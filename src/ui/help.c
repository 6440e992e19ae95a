/* help.c — the help screen (`?`, F1): every action with the keys bound to
 * it, read from the live keymap, so what it says is what the keys do, even
 * after [keys] in config.ini changed them. Arrows scroll it; any other key
 * closes it. */
#include <string.h>

#include "run/cmd.h"
#include "ui/ui.h"

typedef struct line_s {
    const char *heading; /* a section heading, or NULL */
    int action;          /* -1: text only */
    const char *text;
} line_t;

static const struct {
    const char *heading;
    int first, last;
} sections[] = {
    {"Moving", AM_ACT_UP, AM_ACT_PREV_PANEL},
    {"Tasks (the selected task: the focused panel's, else the task list's)", AM_ACT_CANCEL,
     AM_ACT_TIMEOUT},
    {"Task list", AM_ACT_FILTER, AM_ACT_RESORT},
    {"The run", AM_ACT_PAUSE, AM_ACT_SLOWER},
    {NULL, AM_ACT_DEMO, AM_ACT_QUIT},
};

#define MAX_LINES 96

/* The keys of the queues panel, the tour and the checkout: not in asyncmon
 * run, which has none of them. */
static int build_scenarios(line_t *out, int n)
{
    out[n++] = (line_t){"Queues & primitives panel (when focused)", -1, NULL};
    out[n++] = (line_t){NULL, -1, "+ - on a semaphore: its limit +1 / -1 (never below 1)"};
    out[n++] =
        (line_t){NULL, -1, "+ - on a bounded queue: maxsize +1 / -1 (never below 1: it stays"};
    out[n++] = (line_t){NULL, -1, "    bounded; an unbounded queue, maxsize 0, is left as it is)"};
    out[n++] = (line_t){NULL, -1, "+ - on any other row, or another panel: the speed, as above"};
    out[n++] = (line_t){"Guided tour (asyncmon tour, or d: tour)", -1, NULL};
    out[n++] = (line_t){NULL, -1, "n p      the next / previous scenario of the tour"};
    out[n++] = (line_t){NULL, -1, ".        one step while paused: to the next scheduled event"};
    out[n++] = (line_t){"Checkout (the checkout scenario, any panel)", -1, NULL};
    out[n++] = (line_t){NULL, -1, "+ -   open a cashier / close one after its current customer"};
    out[n++] = (line_t){NULL, -1, "[ ]   slower / faster arrivals     m M   queue maxsize -1 / +1"};
    out[n++] =
        (line_t){NULL, -1, "p P   pause or resume arrivals (P in the tour)   e   express lane"};
    out[n++] =
        (line_t){NULL, -1, "x     close the store: arrivals stop, join() drains, cashiers go"};
    out[n++] =
        (line_t){NULL, -1, "      (there < > change the speed; c cancels the selected cashier)"};
    return n;
}

/* asyncmon run hides the task list and takes c, a, X, r, + and - for its
 * jobs (listed first); the task actions, the task list's filters, the demo
 * menu, the speed on + - and the clock's pause would only mislead there. */
static int run_skips(int a)
{
    return (a >= AM_ACT_CANCEL && a <= AM_ACT_TIMEOUT) ||
           (a >= AM_ACT_FILTER && a <= AM_ACT_RESORT) || a == AM_ACT_FASTER || a == AM_ACT_SLOWER ||
           a == AM_ACT_DEMO || a == AM_ACT_RESTART || a == AM_ACT_PAUSE;
}

static int build(const am_ui_t *ui, line_t *out)
{
    int n = 0;
    int run = am_run_app_runner(ui->app) != NULL;
    /* in asyncmon run, its keys come first: they are what it is about */
    if (run) {
        out[n++] = (line_t){"asyncmon run: the job list (the selected job)", -1, NULL};
        out[n++] = (line_t){
            NULL, -1, "Enter           its output: the ends of stdout and stderr (Esc: back)"};
        out[n++] = (line_t){NULL, -1, "                there the moving keys scroll its stdout"};
        out[n++] = (line_t){NULL, -1, "c               cancel it: SIGTERM, SIGKILL after --grace"};
        out[n++] = (line_t){NULL, -1, "z               pause it (SIGSTOP) or resume it (SIGCONT)"};
        out[n++] =
            (line_t){NULL, -1, "r               run it again (failed, cancelled or timed out)"};
        out[n++] =
            (line_t){NULL, -1, "a               add a job (a command line); X cancels every job"};
        out[n++] = (line_t){NULL, -1, "+ -             jobs run at a time (-j) +1 / -1"};
        out[n++] =
            (line_t){NULL, -1, "< >             the clock's speed (commands run in real time)"};
    }
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        int kept = 0;
        for (int a = sections[s].first; a <= sections[s].last; a++)
            kept += !run || !run_skips(a);
        if (!kept) continue;
        if (sections[s].heading) out[n++] = (line_t){sections[s].heading, -1, NULL};
        for (int a = sections[s].first; a <= sections[s].last; a++)
            if (!run || !run_skips(a)) out[n++] = (line_t){NULL, a, NULL};
    }
    if (!run) n = build_scenarios(out, n);
    out[n++] = (line_t){"Panels", -1, NULL};
    for (int a = AM_ACT_TOGGLE; a < AM_ACT_COUNT && n < MAX_LINES - 8; a++)
        if (am_action_name(a)) out[n++] = (line_t){NULL, a, NULL};
    out[n++] = (line_t){NULL, -1, "Mouse: a click selects a row or a panel, the wheel scrolls"};
    out[n++] = (line_t){"Prompts", -1, NULL};
    out[n++] = (line_t){NULL, -1, "y confirms a question; Enter accepts a text, Esc cancels"};
    out[n++] = (line_t){NULL, -1, "filter text: ^U clears, ^W deletes a word, Left/Right move"};
    out[n++] = (line_t){NULL, -1, "Keys can be changed in config.ini, section [keys]"};
    return n;
}

static am_rect_t help_box(const am_ui_t *ui)
{
    int w = ui->cols - 4 < 78 ? ui->cols - 4 : 78;
    int h = ui->rows - 2;
    if (w < 20) w = ui->cols;
    if (h < 4) h = ui->rows;
    return (am_rect_t){(ui->cols - w) / 2, (ui->rows - h) / 2, w, h};
}

int am_help_key(am_ui_t *ui, int key, int action)
{
    line_t lines[MAX_LINES];
    int n = build(ui, lines), page = help_box(ui).h - 2;
    (void)key;
    switch (action) {
    case AM_ACT_UP:
        ui->help_top--;
        break;
    case AM_ACT_DOWN:
        ui->help_top++;
        break;
    case AM_ACT_PAGE_UP:
        ui->help_top -= page;
        break;
    case AM_ACT_PAGE_DOWN:
        ui->help_top += page;
        break;
    case AM_ACT_HOME:
        ui->help_top = 0;
        break;
    case AM_ACT_END:
        ui->help_top = n;
        break;
    default:
        ui->help = 0;
        break;
    }
    if (ui->help_top > n - page) ui->help_top = n - page;
    if (ui->help_top < 0) ui->help_top = 0;
    am_ui_touch(ui);
    return 1;
}

static void keys_of(const am_ui_t *ui, int a, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < AM_KEYS_PER_ACTION && ui->keys.keys[a][k]; k++) {
        char name[16];
        am_key_name(ui->keys.keys[a][k], name, sizeof name);
        int w = snprintf(buf + len, size - len, "%s%s", len ? " " : "", name);
        if (w < 0 || (size_t)w >= size - len) break;
        len += (size_t)w;
    }
    if (!len) snprintf(buf, size, "(none)");
}

void am_help_draw(am_ui_t *ui)
{
    line_t lines[MAX_LINES];
    int n = build(ui, lines);
    am_rect_t b = help_box(ui);
    int body = b.h - 2;
    if (body < 1) return;
    if (ui->help_top > n - body) ui->help_top = n - body > 0 ? n - body : 0;

    char title[160];
    snprintf(title, sizeof title, "asyncmon %s %s keys", ASYNCMON_VERSION, ui->g->dash);
    am_fill(ui, b.y, b.x, b.w, AM_EL_OVERLAY_TITLE);
    am_put_ell(ui, b.y, b.x + 1, b.w - 2, AM_EL_OVERLAY_TITLE, title);
    for (int r = 0; r < body; r++) {
        int y = b.y + 1 + r, i = ui->help_top + r;
        am_fill(ui, y, b.x, b.w, AM_EL_OVERLAY);
        if (i >= n) continue;
        const line_t *l = &lines[i];
        if (l->heading) {
            am_put_ell(ui, y, b.x + 1, b.w - 2, AM_EL_OVERLAY_TITLE, l->heading);
        } else if (l->action >= 0) {
            char keys[64];
            keys_of(ui, l->action, keys, sizeof keys);
            am_put(ui, y, b.x + 3, 15, AM_EL_OVERLAY_KEY, keys);
            am_put_ell(ui, y, b.x + 19, b.w - 20, AM_EL_OVERLAY, am_action_help(l->action));
        } else {
            am_put_ell(ui, y, b.x + 3, b.w - 4, AM_EL_OVERLAY, l->text);
        }
    }
    char more[96];
    snprintf(more, sizeof more, "%s%s  any other key closes", ui->help_top > 0 ? ui->g->up : " ",
             ui->help_top + body < n ? ui->g->down : " ");
    am_fill(ui, b.y + b.h - 1, b.x, b.w, AM_EL_OVERLAY);
    am_put_ell(ui, b.y + b.h - 1, b.x + 1, b.w - 2, AM_EL_OVERLAY, more);
}
