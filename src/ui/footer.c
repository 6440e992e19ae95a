/* footer.c — the bottom row, htop-style: the main keys, each a key name and
 * a label, read from the live keymap (the focused panel may relabel a key it
 * takes over: `+` is "Raise" on a semaphore in the queues panel); a message
 * (what the last action did, or an error) takes the right-hand end for a few
 * seconds. A prompt, when one is open, is drawn over this row by prompt.c. */
#include <string.h>

#include "ui/ui.h"

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)ui;
    (void)st;
    (void)width;
    *min_h = 1;
    *want_h = 1;
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    (void)st;
    (void)focused;
    static const struct {
        int action;
        const char *label;
    } items[] = {
        {AM_ACT_HELP, "Help"},     {AM_ACT_RESTART, "Restart"},  {AM_ACT_PAUSE, "Pause"},
        {AM_ACT_FASTER, "Faster"}, {AM_ACT_SLOWER, "Slower"},    {AM_ACT_CANCEL, "Cancel"},
        {AM_ACT_ADD, "Add"},       {AM_ACT_FILTER, "Filter"},    {AM_ACT_STATE_FILTER, "State"},
        {AM_ACT_SORT, "Sort"},     {AM_ACT_NEXT_PANEL, "Panel"}, {AM_ACT_DEMO, "Demo"},
        {AM_ACT_QUIT, "Quit"},
    };
    int finished = am_ui_finished(ui) || (ui->app->driver && am_driver_stopped(ui->app->driver));
    const am_view_t *fv = am_views[ui->focus];
    int relabel = fv->key_label && ui->rect[ui->focus].h > 0;
    int msgw = ui->msg[0] ? am_text_width(ui->msg) + 2 : 0;
    int end = r.w - (msgw > r.w / 2 ? r.w / 2 : msgw);
    int x = 0;

    am_fill(ui, r.y, r.x, r.w, AM_EL_DEFAULT);
    x += am_checkout_footer(ui, r.y, r.x, end); /* a mode's keys come first */
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        int a = items[i].action;
        if (a == AM_ACT_RESTART && !finished) continue;
        int k = ui->keys.keys[a][0];
        for (int j = 1; j < AM_KEYS_PER_ACTION && am_ui_mode_takes(ui, k); j++)
            k = ui->keys.keys[a][j]; /* `+` opens a cashier there: name `>` for Faster */
        if (!k) continue;
        char name[16];
        am_key_name(k, name, sizeof name);
        const char *label = items[i].label;
        if (a == AM_ACT_PAUSE && ui->app->loop && am_loop_paused(ui->app->loop)) label = "Resume";
        const char *own = relabel ? fv->key_label(ui, ui->vstate[ui->focus], a) : NULL;
        if (own && !*own) continue; /* the panel has no use for it */
        if (own) label = own;
        int need = am_text_width(name) + (int)strlen(label) + 1;
        if (x + need > end) break;
        x += am_put(ui, r.y, r.x + x, end - x, AM_EL_FOOTER_KEY, name);
        x += am_putf(ui, r.y, r.x + x, end - x, AM_EL_FOOTER_LABEL, "%s ", label);
    }
    if (x < end) am_fill(ui, r.y, r.x + x, end - x, AM_EL_FOOTER_LABEL);
    if (ui->msg[0]) {
        am_elem_t e = ui->msg_error ? AM_EL_ERROR : AM_EL_MESSAGE;
        am_put_ell(ui, r.y, r.x + end + 1, r.w - end - 1, e, ui->msg);
    }
}

const am_view_t am_view_footer = {
    .name = NULL,
    .title = "footer",
    .slot = AM_SLOT_BOTTOM,
    .priority = 95,
    .size = size,
    .draw = draw,
};
