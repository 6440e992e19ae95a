/* test_wrap_cjk.c — word wrapping of Chinese narration (am_wrap in
 * src/ui/draw.c): CJK text has no spaces, so the wrapper may break between
 * any two wide characters; every line fits its width in terminal columns
 * (wcwidth: a CJK character takes two), nothing is lost, and mixed
 * English/Chinese text keeps its English words whole. The tour's own zh
 * narrations are wrapped at every width from 8 to 100 columns. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "asyncmon/scenario.h"
#include "ui/ui.h"

typedef struct lines_s {
    char text[256][512];
    int n, width, too_wide;
} lines_t;

static void collect(const char *line, size_t len, void *ud)
{
    lines_t *l = ud;
    if (l->n < 256) {
        snprintf(l->text[l->n], sizeof l->text[l->n], "%.*s", (int)len, line);
        if (am_text_width(l->text[l->n]) > l->width) l->too_wide++;
        l->n++;
    }
}

static lines_t *wrap(const char *text, int width)
{
    static lines_t l;
    memset(&l, 0, sizeof l);
    l.width = width;
    int n = am_wrap(text, width, collect, &l);
    assert_int_equal(n, l.n);
    return &l;
}

static int setup(void **state)
{
    (void)state;
    return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1;
}

static void test_cjk_breaks_anywhere(void **state)
{
    (void)state;
    lines_t *l = wrap("一二三四五六七八", 6);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->text[0], "一二三");
    assert_string_equal(l->text[1], "四五六");
    assert_string_equal(l->text[2], "七八");
    /* an odd width: a wide character never straddles the edge */
    l = wrap("一二三", 5);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->text[0], "一二");
    assert_int_equal(am_text_width(l->text[0]), 4);
    /* narrower than one character: it goes alone, nothing is lost */
    l = wrap("一二", 1);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->text[1], "二");
}

static void test_mixed(void **state)
{
    (void)state;
    /* English words stay whole; Chinese fills the line around them */
    lines_t *l = wrap("gather 按传入的顺序返回结果", 12);
    assert_int_equal(l->too_wide, 0);
    assert_string_equal(l->text[0], "gather 按传");
    assert_string_equal(l->text[1], "入的顺序返回");
    assert_string_equal(l->text[2], "结果");
    l = wrap("调用 asyncio.gather() 时", 10);
    assert_string_equal(l->text[0], "调用");
    assert_string_equal(l->text[1], "asyncio.ga"); /* longer than the line: cut */
    assert_int_equal(l->too_wide, 0);
    /* full-width punctuation is wide too */
    l = wrap("你好,世界。", 4);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->text[0], "你好");
    assert_string_equal(l->text[1], ",世");
    /* closing punctuation stays with the character before it, an opening
     * bracket with the one after it */
    l = wrap("一二三，四（五）", 6);
    assert_string_equal(l->text[0], "一二");
    assert_string_equal(l->text[1], "三，四");
    assert_string_equal(l->text[2], "（五）");
    l = wrap("放入 3、2、1，然后", 8);
    assert_string_equal(l->text[0], "放入 3、");
    assert_string_equal(l->text[1], "2、1，然");
}

/* Remove blanks: what the wrapped lines must give back, in order. */
static void squeeze(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (*s != ' ' && *s != '\n') out[n++] = *s;
    out[n] = '\0';
}

/* The code point of the UTF-8 character at p (0 at the end), its length in *n. */
static wchar_t char_at(const char *p, int *n)
{
    wchar_t wc = 0;
    *n = *p ? mbtowc(&wc, p, MB_CUR_MAX) : 0;
    if (*n < 1) *n = 1;
    return wc;
}

static int fullwidth_punct(wchar_t c)
{
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20);
}

/* Chinese punctuation next to Chinese text is full-width (，。：；（）) and is
 * never followed by a blank: "set(),同时" or "它， pending" are flagged. */
static void check_zh_punct(const char *file, const char *s)
{
    wchar_t prev = 0; /* the last character that is not a blank */
    int blanks = 0;   /* blanks since then */
    for (const char *p = s; *p;) {
        int n;
        wchar_t c = char_at(p, &n);
        if (c == ' ' || c == '\n') {
            if (fullwidth_punct(prev) && !blanks)
                fail_msg("%s: a blank after full-width punctuation before \"%.24s\"", file, p);
            blanks++;
            p += n;
            continue;
        }
        if (prev && strchr(",;:!?", (int)prev) && prev < 0x80 && wcwidth(c) == 2)
            fail_msg("%s: ASCII '%c' before Chinese text at \"%.24s\"", file, (int)prev, p);
        if (c < 0x80 && strchr(",;:!?", (int)c) && wcwidth(prev) == 2 && !blanks)
            fail_msg("%s: ASCII '%c' after Chinese text at \"%.24s\"", file, (int)c, p);
        prev = c;
        blanks = 0;
        p += n;
    }
}

static void test_tour_narrations(void **state)
{
    (void)state;
    const char *src = getenv("ASYNCMON_SOURCE");
    char pattern[1200];
#ifdef ASYNCMON_SOURCE_DIR
    if (!src) src = ASYNCMON_SOURCE_DIR;
#endif
    if (!src) skip();
    snprintf(pattern, sizeof pattern, "%s/demo/tour-*.ini", src);
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 13);
    static char want[8192], got[8192], line[8192];
    for (size_t i = 0; i < g.gl_pathc; i++) {
        am_scenario_t sc;
        char err[512];
        assert_int_equal(am_scenario_load(g.gl_pathv[i], &sc, err, sizeof err), 0);
        assert_non_null(sc.narration_zh); /* every tour scenario speaks Chinese too */
        assert_true(sc.title_zh[0]);
        check_zh_punct(g.gl_pathv[i], sc.narration_zh);
        check_zh_punct(g.gl_pathv[i], sc.title_zh);
        squeeze(sc.narration_zh, want, sizeof want);
        for (int w = 8; w <= 100; w++) {
            lines_t *l = wrap(sc.narration_zh, w);
            assert_int_equal(l->too_wide, 0);
            got[0] = '\0';
            for (int k = 0; k < l->n; k++) {
                squeeze(l->text[k], line, sizeof line);
                strncat(got, line, sizeof got - strlen(got) - 1);
                /* a full line leaves less room than the next unit needs */
                assert_true(am_text_width(l->text[k]) <= w);
                /* no line starts with closing punctuation or ends with an
                 * opening bracket (from 30 columns: narrower, an English
                 * word longer than the line is cut, punctuation and all) */
                int n;
                wchar_t first = char_at(l->text[k], &n);
                if (w >= 30 && wcschr(L"，。、；：！？）", first))
                    fail_msg("%s at %d columns: line %d starts with punctuation: %s", g.gl_pathv[i],
                             w, k + 1, l->text[k]);
                size_t len = strlen(l->text[k]);
                if (w >= 30 && len >= 3 && !strcmp(l->text[k] + len - 3, "（"))
                    fail_msg("%s at %d columns: line %d ends with （: %s", g.gl_pathv[i], w, k + 1,
                             l->text[k]);
            }
            assert_string_equal(got, want);
        }
        am_scenario_free(&sc);
    }
    globfree(&g);
    /* the checkout is a scenario of the tour too */
    snprintf(pattern, sizeof pattern, "%s/demo/checkout.ini", src);
    am_scenario_t sc;
    char err[512];
    assert_int_equal(am_scenario_load(pattern, &sc, err, sizeof err), 0);
    check_zh_punct(pattern, sc.narration_zh);
    check_zh_punct(pattern, sc.title_zh);
    am_scenario_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cjk_breaks_anywhere),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_tour_narrations),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
