/* menu.c — the demo picker (`d`): the shipped scenarios (am_demo_list) in a
 * box over the dashboard. Arrows move, a letter or digit jumps to the next
 * demo whose name starts with it; Enter (or clicking the selected row again)
 * ends the current run and starts the chosen scenario in the same terminal;
 * Esc closes the menu and changes nothing. */
#include <string.h>

#include "asyncmon/tour.h"
#include "ui/ui.h"

static void add_demo(const char *name, const char *title, void *ud)
{
    am_menu_t *m = ud;
    if (m->n >= AM_MENU_MAX) return;
    snprintf(m->name[m->n], sizeof m->name[m->n], "%s", name);
    snprintf(m->title[m->n], sizeof m->title[m->n], "%s", title);
    m->n++;
}

void am_menu_open(am_ui_t *ui)
{
    am_menu_t *m = &ui->menu;
    memset(m, 0, sizeof *m);
    char tour[AM_TITLE_MAX]; /* the guided tour first: it starts at its first scenario */
    snprintf(tour, sizeof tour, "the guided tour of asyncio: %zu scenarios, n/p move",
             am_tour_count());
    add_demo("tour", tour, m);
    if (am_demo_list(add_demo, m) != 0 || m->n == 1) {
        am_ui_message(ui, 1, "no demo scenarios found in %s", am_demo_dir());
        return;
    }
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->name[i], ui->app->sc->name)) m->sel = i;
    m->active = 1;
    am_ui_touch(ui);
}

static void choose(am_ui_t *ui)
{
    am_menu_t *m = &ui->menu;
    m->active = 0;
    ui->tour = !strcmp(m->name[m->sel], "tour");
    am_ui_restart(ui, ui->tour ? am_tour_name(0) : m->name[m->sel]);
}

/* The box: as wide as the titles (within the screen), one row per demo. */
static am_rect_t menu_box(const am_ui_t *ui)
{
    const am_menu_t *m = &ui->menu;
    int w = 40;
    for (int i = 0; i < m->n; i++) {
        int need = 6 + AM_NAME_MAX / 2 + am_text_width(m->title[i]);
        if (need > w) w = need;
    }
    if (w > ui->cols - 2) w = ui->cols - 2;
    int h = m->n + 3;
    if (h > ui->rows - 2) h = ui->rows - 2;
    return (am_rect_t){(ui->cols - w) / 2, (ui->rows - h) / 2, w, h};
}

int am_menu_key(am_ui_t *ui, int key, int action)
{
    am_menu_t *m = &ui->menu;
    int page = menu_box(ui).h - 3;
    if (page < 1) page = 1;
    if (key == '\n') {
        choose(ui);
        return 1;
    }
    if (key < 0x80 && ((key >= 'a' && key <= 'z') || (key >= '0' && key <= '9'))) {
        /* type to jump: the next demo starting with that character */
        for (int k = 1; k <= m->n; k++) {
            int i = (m->sel + k) % m->n;
            if (m->name[i][0] == key) {
                m->sel = i;
                am_ui_touch(ui);
                return 1;
            }
        }
    }
    switch (action) {
    case AM_ACT_UP:
        m->sel--;
        break;
    case AM_ACT_DOWN:
        m->sel++;
        break;
    case AM_ACT_PAGE_UP:
        m->sel -= page;
        break;
    case AM_ACT_PAGE_DOWN:
        m->sel += page;
        break;
    case AM_ACT_HOME:
        m->sel = 0;
        break;
    case AM_ACT_END:
        m->sel = m->n - 1;
        break;
    default:
        if (key == 27 || action == AM_ACT_QUIT || action == AM_ACT_DEMO) m->active = 0;
        break;
    }
    if (m->sel < 0) m->sel = 0;
    if (m->sel >= m->n) m->sel = m->n - 1;
    am_ui_touch(ui);
    return 1;
}

void am_menu_click(am_ui_t *ui, int x, int y)
{
    am_menu_t *m = &ui->menu;
    am_rect_t b = menu_box(ui);
    if (x < b.x || x >= b.x + b.w || y < b.y || y >= b.y + b.h) {
        m->active = 0; /* a click outside closes it */
        return;
    }
    int i = m->top + (y - b.y - 1);
    if (y <= b.y || i < 0 || i >= m->n) return;
    if (i == m->sel)
        choose(ui);
    else
        m->sel = i;
}

void am_menu_draw(am_ui_t *ui)
{
    am_menu_t *m = &ui->menu;
    am_rect_t b = menu_box(ui);
    int rows = b.h - 3;
    if (b.w < 10 || rows < 1) return;
    if (m->sel < m->top) m->top = m->sel;
    if (m->sel >= m->top + rows) m->top = m->sel - rows + 1;

    am_fill(ui, b.y, b.x, b.w, AM_EL_OVERLAY_TITLE);
    am_put_ell(ui, b.y, b.x + 1, b.w - 2, AM_EL_OVERLAY_TITLE, "Run another demo scenario");
    int namew = 4;
    for (int i = 0; i < m->n; i++)
        if (am_text_width(m->name[i]) > namew) namew = am_text_width(m->name[i]);
    for (int r = 0; r < rows + 1; r++) {
        int y = b.y + 1 + r, i = m->top + r;
        am_fill(ui, y, b.x, b.w, AM_EL_OVERLAY);
        if (r >= rows || i >= m->n) continue;
        am_elem_t e = i == m->sel ? AM_EL_SELECTED : AM_EL_OVERLAY;
        am_fill(ui, y, b.x + 1, b.w - 2, e);
        am_put(ui, y, b.x + 2, namew, i == m->sel ? e : AM_EL_OVERLAY_KEY, m->name[i]);
        am_put_ell(ui, y, b.x + 4 + namew, b.w - namew - 6, e, m->title[i]);
    }
    am_fill(ui, b.y + b.h - 1, b.x, b.w, AM_EL_OVERLAY);
    char hint[128];
    snprintf(hint, sizeof hint, "Enter: run it (this run ends)  a-z: jump  Esc: cancel  %s",
             am_demo_dir());
    am_put_ell(ui, b.y + b.h - 1, b.x + 2, b.w - 4, AM_EL_OVERLAY, hint);
}
