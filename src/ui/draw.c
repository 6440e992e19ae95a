/* draw.c — drawing helpers shared by the views: text clipped to a width in
 * terminal columns (wide characters count two, measured with wcwidth),
 * title bars, scroll bars, number formats, word wrapping, and the glyph set
 * (Unicode in a UTF-8 locale, ASCII otherwise).
 *
 * Text is converted to wide characters with mbrtowc in the current locale,
 * so a non-UTF-8 locale shows '?' for what it cannot represent instead of
 * garbage, and a string never spills past the width it was given. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "ui/ui.h"

static const am_glyphs_t glyphs_utf8 = {
    .vline = "\u2502",
    .ellipsis = "\u2026",
    .up = "\u25b2",
    .down = "\u25bc",
    .dash = "\u2014",
    .dot = "\u00b7",
    .run = "\u25b6",
    .pause = "\u2016",
    .check = "\u2713",
    .arrow = "\u2192",
    .track = "\u2502",
    .thumb = "\u2588",
};
static const am_glyphs_t glyphs_ascii = {
    .vline = "|",
    .ellipsis = "~",
    .up = "^",
    .down = "v",
    .dash = "-",
    .dot = ".",
    .run = ">",
    .pause = "||",
    .check = "*",
    .arrow = "->",
    .track = "|",
    .thumb = "#",
};

const am_glyphs_t *am_glyphs(int ascii)
{
    return ascii ? &glyphs_ascii : &glyphs_utf8;
}

/* Next character of s as a wide character and its width; *used = bytes. */
static wchar_t next_wc(const char *s, size_t left, size_t *used, int *width)
{
    mbstate_t st;
    wchar_t wc;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(&wc, s, left, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *used = 1;
        *width = 1;
        return L'?';
    }
    *used = n;
    if (wc < 0x20 || wc == 0x7f) { /* newlines and tabs in narration text */
        *width = 1;
        return L' ';
    }
    int w = wcwidth(wc);
    if (w < 0) {
        *width = 1;
        return L'?';
    }
    *width = w;
    return wc;
}

static int width_of(const char *s, size_t len)
{
    int total = 0;
    while (len > 0) {
        size_t used;
        int w;
        next_wc(s, len, &used, &w);
        total += w;
        s += used;
        len -= used;
    }
    return total;
}

int am_text_width(const char *s)
{
    return width_of(s, strlen(s));
}

/* Convert as much of s as fits in w columns. Returns the characters in out;
 * *cols = columns they take; *more = text was left over. */
static int fit(const char *s, int w, wchar_t *out, int outmax, int *cols, int *more)
{
    size_t left = strlen(s);
    int n = 0, c = 0;
    *more = 0;
    while (left > 0) {
        size_t used;
        int cw;
        wchar_t wc = next_wc(s, left, &used, &cw);
        if (c + cw > w || n + 1 >= outmax) {
            *more = 1;
            break;
        }
        out[n++] = wc;
        c += cw;
        s += used;
        left -= used;
    }
    out[n] = L'\0';
    *cols = c;
    return n;
}

void am_put_attr(int y, int x, int w, attr_t a, const char *s)
{
    wchar_t buf[1024];
    int cols, more;
    if (w <= 0) return;
    int n = fit(s, w, buf, 1024, &cols, &more);
    attrset(a);
    if (n > 0) mvaddnwstr(y, x, buf, n);
}

int am_put(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *s)
{
    wchar_t buf[1024];
    int cols, more;
    if (w <= 0) return 0;
    int n = fit(s, w, buf, 1024, &cols, &more);
    attrset(ui->attr[e]);
    if (n > 0) mvaddnwstr(y, x, buf, n);
    return cols;
}

int am_put_ell(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *s)
{
    wchar_t buf[1024];
    int cols, more;
    if (w <= 0) return 0;
    int n = fit(s, w, buf, 1024, &cols, &more);
    if (more && w >= 2) {
        /* make room for the ellipsis */
        n = fit(s, w - 1, buf, 1024, &cols, &more);
        attrset(ui->attr[e]);
        if (n > 0) mvaddnwstr(y, x, buf, n);
        return cols + am_put(ui, y, x + cols, 1, e, ui->g->ellipsis);
    }
    attrset(ui->attr[e]);
    if (n > 0) mvaddnwstr(y, x, buf, n);
    return cols;
}

int am_putf(am_ui_t *ui, int y, int x, int w, am_elem_t e, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return am_put(ui, y, x, w, e, buf);
}

void am_fill(am_ui_t *ui, int y, int x, int w, am_elem_t e)
{
    if (w <= 0) return;
    attrset(ui->attr[e]);
    mvhline(y, x, ' ', w);
}

void am_draw_title(am_ui_t *ui, am_rect_t r, int focused, const char *title, const char *extra)
{
    am_elem_t e = focused ? AM_EL_PANEL_TITLE_FOCUS : AM_EL_PANEL_TITLE;
    am_fill(ui, r.y, r.x, r.w, e);
    int used = am_put_ell(ui, r.y, r.x + 1, r.w - 2, e, title);
    if (extra && *extra) {
        int ew = am_text_width(extra);
        int room = r.w - used - 4;
        if (room <= 0) return;
        if (ew > room) {
            am_put_ell(ui, r.y, r.x + used + 3, room, e, extra);
        } else {
            am_put(ui, r.y, r.x + r.w - 1 - ew, ew, e, extra);
        }
    }
}

void am_draw_scrollbar(am_ui_t *ui, int x, int y, int h, double frac)
{
    if (h <= 0) return;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    int at = (int)(frac * (h - 1) + 0.5);
    for (int i = 0; i < h; i++)
        am_put(ui, y + i, x, 1, i == at ? AM_EL_SCROLLBAR : AM_EL_DIM,
               i == at ? ui->g->thumb : ui->g->track);
}

am_elem_t am_state_elem(am_task_state_t s)
{
    return (unsigned)s < AM_TASK_NSTATES ? (am_elem_t)(AM_EL_PENDING + s) : AM_EL_DEFAULT;
}

const char *am_state_label(am_task_state_t s)
{
    static const char *const labels[AM_TASK_NSTATES] = {"pending", "running",   "done",
                                                        "failed",  "cancelled", "timed out"};
    return (unsigned)s < AM_TASK_NSTATES ? labels[s] : "?";
}

char *am_fmt_count(char *buf, size_t size, uint64_t n)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size) buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

char *am_fmt_secs(char *buf, size_t size, double s)
{
    if (s < 0) s = 0;
    if (s < 10)
        snprintf(buf, size, "%.2fs", s);
    else if (s < 60)
        snprintf(buf, size, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    return buf;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Chinese line breaking: closing punctuation never starts a line and an
 * opening bracket never ends one (a line began with "，" or "、3。"). */
static int no_line_start(wchar_t c)
{
    return c && wcschr(L"，。、；：！？）」』》〉】…", c) != NULL;
}

static int no_line_end(wchar_t c)
{
    return c && wcschr(L"（「『《〈【", c) != NULL;
}

/* The next unit of wrapping at p (not a blank): one wide character (CJK
 * text has no spaces, and may break between any two of its characters), or
 * a run of narrow non-blank characters up to a blank or a wide character;
 * an opening bracket takes the unit after it along, and closing punctuation
 * right after a unit belongs to it. Returns its end; *width its columns. */
static const char *wrap_unit(const char *p, int *width)
{
    size_t used;
    int w, glue = 1;
    *width = 0;
    while (glue && *p && !is_blank(*p)) {
        int part = 0;
        glue = 0;
        while (*p && !is_blank(*p)) {
            wchar_t c = next_wc(p, strlen(p), &used, &w);
            if (w >= 2 && part > 0) break; /* a wide character starts its own unit */
            part += w;
            p += used;
            if (w >= 2) {
                glue = no_line_end(c);
                break;
            }
        }
        *width += part;
    }
    while (*p && !is_blank(*p)) {
        wchar_t c = next_wc(p, strlen(p), &used, &w);
        if (!no_line_start(c)) break;
        *width += w;
        p += used;
    }
    return p;
}

int am_wrap(const char *text, int width, void (*fn)(const char *line, size_t len, void *ud),
            void *ud)
{
    const char *p = text;
    int lines = 0;
    if (width < 1) width = 1;
    while (*p) {
        while (is_blank(*p))
            p++;
        if (!*p) break;
        const char *start = p, *end = p;
        int used = 0;
        while (*p) {
            int ww;
            const char *q = wrap_unit(p, &ww);
            int gap = used && p > end ? 1 : 0; /* blanks between the units: one column */
            if (used + gap + ww <= width) {
                used += gap + ww;
                end = q;
                p = q;
                while (is_blank(*p))
                    p++;
                continue;
            }
            if (used == 0) { /* a word longer than the line: cut it */
                size_t left = (size_t)(q - p);
                const char *c = p;
                while (left > 0) {
                    size_t u;
                    int w;
                    next_wc(c, left, &u, &w);
                    if (used + w > width && c > p) break;
                    used += w; /* a character wider than the line goes alone */
                    c += u;
                    left -= u;
                }
                end = c;
                p = c;
            }
            break;
        }
        if (fn) fn(start, (size_t)(end - start), ud);
        lines++;
    }
    return lines;
}
