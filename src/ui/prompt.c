/* prompt.c — the one-line prompts on the bottom row: y/n questions before
 * destructive actions, and a line editor for text (the task filter, a
 * timeout in seconds), with the usual keys: Left/Right, Home/End (^A/^E),
 * Backspace, Delete, ^U (clear), ^W (delete a word), Enter, Esc.
 *
 * A prompt is modal: while it is up, keys go to it and nowhere else. The
 * text is kept as wide characters so that editing and the cursor work on
 * characters and columns, not bytes. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/ui.h"

static void close_prompt(am_ui_t *ui)
{
    ui->prompt.active = 0;
    am_ui_touch(ui);
}

void am_prompt_yesno(am_ui_t *ui, am_prompt_cb done, void *data, const char *fmt, ...)
{
    am_prompt_t *p = &ui->prompt;
    va_list ap;
    memset(p, 0, sizeof *p);
    va_start(ap, fmt);
    vsnprintf(p->label, sizeof p->label, fmt, ap);
    va_end(ap);
    size_t n = strlen(p->label);
    snprintf(p->label + n, sizeof p->label - n, " [y/N] ");
    p->active = 1;
    p->yesno = 1;
    p->done = done;
    p->data = data;
    am_ui_touch(ui);
}

void am_prompt_text(am_ui_t *ui, const char *label, const char *initial, am_prompt_cb change,
                    am_prompt_cb done, void *data)
{
    am_prompt_t *p = &ui->prompt;
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label);
    size_t n = mbstowcs(p->text, initial ? initial : "", sizeof p->text / sizeof p->text[0] - 1);
    p->len = n == (size_t)-1 ? 0 : (int)n;
    p->text[p->len] = L'\0';
    p->cursor = p->len;
    p->active = 1;
    p->change = change;
    p->done = done;
    p->data = data;
    am_ui_touch(ui);
}

static void text_of(const am_prompt_t *p, char *buf, size_t size)
{
    size_t n = wcstombs(buf, p->text, size - 1);
    if (n == (size_t)-1) n = 0;
    buf[n] = '\0';
}

static void changed(am_ui_t *ui)
{
    am_prompt_t *p = &ui->prompt;
    if (p->change) {
        char buf[256];
        text_of(p, buf, sizeof buf);
        p->change(ui, 1, buf, p->data);
    }
}

static void delete_at(am_prompt_t *p, int at, int n)
{
    if (at < 0 || n <= 0 || at + n > p->len) return;
    memmove(&p->text[at], &p->text[at + n], (size_t)(p->len - at - n + 1) * sizeof p->text[0]);
    p->len -= n;
}

int am_prompt_key(am_ui_t *ui, int key)
{
    am_prompt_t *p = &ui->prompt;
    am_prompt_cb done = p->done;
    void *data = p->data;
    char buf[256];

    if (!p->active) return 0;
    if (p->yesno) {
        close_prompt(ui);
        if (done) done(ui, key == 'y' || key == 'Y', "", data);
        return 1;
    }
    switch (key) {
    case '\n':
        text_of(p, buf, sizeof buf);
        close_prompt(ui);
        if (done) done(ui, 1, buf, data);
        return 1;
    case 27: /* Esc */
    case 7:  /* ^G, as in emacs */
        text_of(p, buf, sizeof buf);
        close_prompt(ui);
        if (done) done(ui, 0, buf, data);
        return 1;
    case AM_KEY_FN | KEY_BACKSPACE:
        if (p->cursor > 0) {
            delete_at(p, p->cursor - 1, 1);
            p->cursor--;
            changed(ui);
        }
        return 1;
    case AM_KEY_FN | KEY_DC:
    case 4: /* ^D */
        if (p->cursor < p->len) {
            delete_at(p, p->cursor, 1);
            changed(ui);
        }
        return 1;
    case AM_KEY_FN | KEY_LEFT:
    case 2: /* ^B */
        if (p->cursor > 0) p->cursor--;
        return 1;
    case AM_KEY_FN | KEY_RIGHT:
    case 6: /* ^F */
        if (p->cursor < p->len) p->cursor++;
        return 1;
    case AM_KEY_FN | KEY_HOME:
    case 1: /* ^A */
        p->cursor = 0;
        return 1;
    case AM_KEY_FN | KEY_END:
    case 5: /* ^E */
        p->cursor = p->len;
        return 1;
    case 21: /* ^U: clear */
        delete_at(p, 0, p->cursor);
        p->cursor = 0;
        changed(ui);
        return 1;
    case 23: { /* ^W: the word before the cursor */
        int at = p->cursor;
        while (at > 0 && p->text[at - 1] == L' ')
            at--;
        while (at > 0 && p->text[at - 1] != L' ')
            at--;
        delete_at(p, at, p->cursor - at);
        p->cursor = at;
        changed(ui);
        return 1;
    }
    default:
        break;
    }
    if ((key & AM_KEY_FN) || key < ' ' || key == 0x7f) return 1; /* other keys: ignored */
    int cap = (int)(sizeof p->text / sizeof p->text[0]) - 1;
    if (p->len >= cap) return 1;
    memmove(&p->text[p->cursor + 1], &p->text[p->cursor],
            (size_t)(p->len - p->cursor + 1) * sizeof p->text[0]);
    p->text[p->cursor++] = (wchar_t)key;
    p->len++;
    changed(ui);
    return 1;
}

void am_prompt_draw(am_ui_t *ui, int y)
{
    am_prompt_t *p = &ui->prompt;
    int cols = ui->cols;
    am_fill(ui, y, 0, cols, AM_EL_PROMPT);
    int x = am_put_ell(ui, y, 0, cols - 2, AM_EL_PROMPT, p->label);
    if (p->yesno) return;
    /* the text, scrolled so that the cursor is always in view */
    int room = cols - x - 1;
    if (room < 1) return;
    int start = 0, wcur = 0;
    for (int i = 0; i < p->cursor; i++) {
        int w = wcwidth(p->text[i]);
        wcur += w > 0 ? w : 1;
    }
    while (wcur >= room && start < p->cursor) {
        int w = wcwidth(p->text[start++]);
        wcur -= w > 0 ? w : 1;
    }
    int used = 0, n = 0;
    while (start + n < p->len) {
        int w = wcwidth(p->text[start + n]);
        if (used + (w > 0 ? w : 1) > room) break;
        used += w > 0 ? w : 1;
        n++;
    }
    attrset(ui->attr[AM_EL_DEFAULT]);
    if (n > 0) mvaddnwstr(y, x, &p->text[start], n);
    leaveok(stdscr, FALSE);
    curs_set(1);
    move(y, x + wcur);
}
