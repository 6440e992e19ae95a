/* Unit tests for colour themes (src/ui/theme.c): every shipped theme loads,
 * default.ini says exactly what the built-in default is, the theme
 * directory is found as demos are ($ASYNCMON_THEME_DIR first), an unknown
 * theme names the ones there are, and every kind of mistake in a theme file
 * is reported as "FILE:LINE: message" without changing the theme. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asyncmon/error.h"
#include "testutil.h"
#include "ui/theme.h"

static void use_shipped_themes(void)
{
    char dir[1024];
    tu_source_path(dir, sizeof dir, "themes");
    setenv("ASYNCMON_THEME_DIR", dir, 1);
}

static void test_shipped(void **state)
{
    static const char *const names[] = {"default", "light", "mono", "high-contrast"};
    char err[2048];
    am_theme_t t;
    (void)state;
    use_shipped_themes();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (am_theme_load(names[i], &t, err, sizeof err)) fail_msg("%s", err);
        assert_string_equal(t.name, names[i]);
        assert_true(strstr(t.path, names[i]) != NULL);
        assert_true(t.description[0] != '\0');
    }
}

/* default.ini spells out the built-in theme, value for value. */
static void test_default_is_builtin(void **state)
{
    char err[2048];
    am_theme_t file, builtin;
    (void)state;
    use_shipped_themes();
    if (am_theme_load("default", &file, err, sizeof err)) fail_msg("%s", err);
    am_theme_builtin(&builtin);
    for (int e = 0; e < AM_EL_COUNT; e++) {
        if (memcmp(&file.color[e], &builtin.color[e], sizeof file.color[e]) != 0)
            fail_msg("[colors] %s differs from the built-in default", am_elem_name((am_elem_t)e));
        if (file.mono[e] != builtin.mono[e])
            fail_msg("[mono] %s differs from the built-in default", am_elem_name((am_elem_t)e));
    }
}

/* The mono theme has no colour anywhere, and tells the states apart. */
static void test_mono(void **state)
{
    char err[2048];
    am_theme_t t;
    (void)state;
    use_shipped_themes();
    if (am_theme_load("mono", &t, err, sizeof err)) fail_msg("%s", err);
    for (int e = 0; e < AM_EL_COUNT; e++) {
        assert_int_equal(t.color[e].fg, AM_COLOR_DEFAULT);
        assert_int_equal(t.color[e].bg, AM_COLOR_DEFAULT);
    }
    for (int a = AM_EL_PENDING; a <= AM_EL_TIMED_OUT; a++)
        for (int b = a + 1; b <= AM_EL_TIMED_OUT; b++)
            assert_true(t.color[a].attrs != t.color[b].attrs);
    /* and so does every theme's [mono] */
    am_theme_builtin(&t);
    for (int a = AM_EL_PENDING; a <= AM_EL_TIMED_OUT; a++)
        for (int b = a + 1; b <= AM_EL_TIMED_OUT; b++)
            assert_true(t.mono[a] != t.mono[b]);
}

static void collect(const char *name, void *ud)
{
    char *buf = ud;
    strcat(buf, name);
    strcat(buf, " ");
}

static void test_unknown_and_list(void **state)
{
    char err[2048], list[512] = "";
    am_theme_t t;
    (void)state;
    use_shipped_themes();
    assert_int_equal(am_theme_list(collect, list), 0);
    assert_string_equal(list, "default high-contrast light mono ");

    assert_int_equal(am_theme_load("solarized", &t, err, sizeof err), AM_ENOENT);
    char want[2048];
    snprintf(want, sizeof want,
             "unknown theme \"solarized\": no %s/themes/solarized.ini (themes: default, "
             "high-contrast, light, mono)",
             tu_source_dir());
    assert_string_equal(err, want);
    assert_int_equal(am_theme_load("../etc/passwd", &t, err, sizeof err), AM_ENOENT);
    assert_true(strstr(err, "expected a theme name") != NULL);

    /* no theme files at all: "default" still works, built in */
    char dir[] = "/tmp/am_themes_XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("ASYNCMON_THEME_DIR", dir, 1);
    assert_string_equal(am_theme_dir(), dir);
    assert_int_equal(am_theme_load("default", &t, err, sizeof err), 0);
    assert_string_equal(t.path, "");
    assert_int_equal(am_theme_load("light", &t, err, sizeof err), AM_ENOENT);
    assert_true(strstr(err, "(themes: none found)") != NULL);
    rmdir(dir);
    unsetenv("ASYNCMON_THEME_DIR");
    assert_true(strcmp(am_theme_dir(), dir) != 0);
}

static void test_partial_and_values(void **state)
{
    const char *path = tu_write_temp("theme", "; a partial theme\n"
                                              "[theme]\n"
                                              "description = just a few\n"
                                              "[colors]\n"
                                              "running = bright-cyan 17 bold underline\n"
                                              "failed = RED default, reverse\n"
                                              "done = grey default normal\n"
                                              "[mono]\n"
                                              "done = dim italic standout\n");
    char err[1024];
    am_theme_t t, builtin;
    (void)state;
    int rc = am_theme_load_file(path, &t, err, sizeof err);
    tu_remove_temp(path);
    if (rc) fail_msg("%s", err);
    am_theme_builtin(&builtin);
    assert_string_equal(t.description, "just a few");
    assert_int_equal(t.color[AM_EL_RUNNING].fg, 14);
    assert_int_equal(t.color[AM_EL_RUNNING].bg, 17);
    assert_int_equal(t.color[AM_EL_RUNNING].attrs, AM_A_BOLD | AM_A_UNDERLINE);
    assert_int_equal(t.color[AM_EL_FAILED].fg, 1);
    assert_int_equal(t.color[AM_EL_FAILED].bg, AM_COLOR_DEFAULT);
    assert_int_equal(t.color[AM_EL_FAILED].attrs, AM_A_REVERSE);
    assert_int_equal(t.color[AM_EL_DONE].fg, 8);
    assert_int_equal(t.color[AM_EL_DONE].attrs, 0);
    assert_int_equal(t.mono[AM_EL_DONE], AM_A_DIM | AM_A_ITALIC | AM_A_STANDOUT);
    /* what it does not name keeps the default */
    assert_memory_equal(&t.color[AM_EL_PENDING], &builtin.color[AM_EL_PENDING], sizeof t.color[0]);
    assert_int_equal(t.mono[AM_EL_FAILED], builtin.mono[AM_EL_FAILED]);
}

static const struct {
    const char *content;
    int line;
    const char *msg;
} bad[] = {
    {"[colours]\n", 1, "unknown section [colours]; expected [theme], [colors] or [mono]"},
    {"[colors]\n[mono]\n[colors]\n", 3, "duplicate section [colors] (first on line 1)"},
    {"running = red default\n", 1,
     "key \"running\" is outside any section; expected [theme], [colors] or [mono] before it"},
    {"[theme]\nname = x\n", 2, "unknown key \"name\" in [theme]; expected description"},
    {"[theme]\ndescription = a\ndescription = b\n", 3,
     "duplicate key \"description\" in [theme] (first on line 2)"},
    {"[colors]\nrunning = red\n", 2,
     "running: expected \"FOREGROUND BACKGROUND [ATTRIBUTES]\", got \"red\""},
    {"[colors]\nrunning =\n", 2,
     "running: expected \"FOREGROUND BACKGROUND [ATTRIBUTES]\", got \"\""},
    {"[colors]\n\nrunning = purple default\n", 3,
     "running: unknown colour \"purple\"; expected default, black, red, green, yellow, blue, "
     "magenta, cyan, white, bright-NAME (bright-red...) or a number from 0 to 255"},
    {"[colors]\nrunning = red 256\n", 2,
     "running: unknown colour \"256\"; expected default, black, red, green, yellow, blue, "
     "magenta, cyan, white, bright-NAME (bright-red...) or a number from 0 to 255"},
    {"[colors]\nrunning = bright-default red\n", 2,
     "running: unknown colour \"bright-default\"; expected default, black, red, green, yellow, "
     "blue, magenta, cyan, white, bright-NAME (bright-red...) or a number from 0 to 255"},
    {"[colors]\nrunning = red default blink\n", 2,
     "running: unknown attribute \"blink\"; expected bold, dim, underline, reverse, italic, "
     "standout or normal"},
    {"[colors]\nrunning = red default\nrunning = blue default\n", 3,
     "duplicate key \"running\" in [colors] (first on line 2)"},
    {"[mono]\nfailed = shiny\n", 2,
     "failed: unknown attribute \"shiny\"; expected bold, dim, underline, reverse, italic, "
     "standout or normal"},
    {"[mono]\nfailed =\n", 2,
     "failed: expected attributes: bold, dim, underline, reverse, italic, standout or normal, "
     "got \"\""},
    {"[colors]\nrunning = red default\n  bold\n", 3,
     "indented line continues \"running\", but theme values must fit on one line"},
    {"[colors]\nrunning red default\n", 2,
     "expected \"key = value\", \"[section]\" or a comment, got \"running red default\""},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = tu_write_temp("theme", bad[i].content);
        char err[2048], want[2048];
        am_theme_t t;
        memset(&t, 0x5a, sizeof t);
        am_theme_t before = t;
        print_message("case %zu\n", i);
        int rc = am_theme_load_file(path, &t, err, sizeof err);
        tu_remove_temp(path);
        snprintf(want, sizeof want, "%s:%d: %s", path, bad[i].line, bad[i].msg);
        assert_int_equal(rc, AM_EPARSE);
        assert_string_equal(err, want);
        assert_memory_equal(&t, &before, sizeof t); /* a bad file changes nothing */
    }
    /* an unknown element lists the known ones */
    const char *path = tu_write_temp("theme", "[colors]\nrunnning = red default\n");
    char err[2048], want[256];
    am_theme_t t;
    assert_int_equal(am_theme_load_file(path, &t, err, sizeof err), AM_EPARSE);
    tu_remove_temp(path);
    snprintf(want, sizeof want,
             "%s:2: unknown element \"runnning\" in [colors]; expected default, "
             "pending, running, done, failed,",
             path);
    assert_memory_equal(err, want, strlen(want));
    assert_true(strstr(err, "scrollbar") != NULL);
    /* a missing file */
    assert_int_equal(am_theme_load_file("/tmp/am-no-such-theme.ini", &t, err, sizeof err),
                     AM_ENOENT);
    assert_true(strstr(err, "/tmp/am-no-such-theme.ini: cannot open") == err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped),
        cmocka_unit_test(test_default_is_builtin),
        cmocka_unit_test(test_mono),
        cmocka_unit_test(test_unknown_and_list),
        cmocka_unit_test(test_partial_and_values),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
