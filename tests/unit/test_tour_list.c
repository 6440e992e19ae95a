/* test_tour_list.c — the guided tour's scenario list (src/scenario/tour.c)
 * and its command line: `asyncmon tour [--scenario N|NAME] [--lang en|zh]`.
 * Every scenario of the list is a shipped demo that loads, with a code
 * snippet, a Chinese title and narration; every demo/tour-*.ini is in the
 * list; --scenario takes a number, a name or a name without "tour-", and
 * bad values (and --scenario without `tour`) are clear errors. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asyncmon/config.h"
#include "asyncmon/error.h"
#include "asyncmon/tour.h"

static int setup(void **state)
{
    (void)state;
    setenv("HOME", "/nonexistent-asyncmon-home", 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("ASYNCMON_CONFIG");
    return 0;
}

static void test_find(void **state)
{
    (void)state;
    size_t n = am_tour_count();
    assert_true(n >= 13);
    assert_string_equal(am_tour_name(0), "tour-mistakes");
    assert_null(am_tour_name(n));
    assert_int_equal(am_tour_find("1"), 0);
    assert_int_equal(am_tour_find("2"), 1);
    char last[16];
    snprintf(last, sizeof last, "%zu", n);
    assert_int_equal(am_tour_find(last), (int)n - 1);
    snprintf(last, sizeof last, "%zu", n + 1);
    assert_int_equal(am_tour_find(last), -1);
    assert_int_equal(am_tour_find("0"), -1);
    assert_int_equal(am_tour_find(""), -1);
    assert_int_equal(am_tour_find("99999999999999999999"), -1);
    assert_int_equal(am_tour_find("chess"), (int)n - 1);
    assert_int_equal(am_tour_find("tour-chess"), (int)n - 1);
    assert_int_equal(am_tour_find("gather"), am_tour_index("tour-gather"));
    assert_int_equal(am_tour_find("bogus"), -1);
    assert_int_equal(am_tour_find("-1"), -1);
    assert_int_equal(am_tour_index("gather"), -1); /* the plain demo is not in the tour */
}

static void test_every_scenario_loads(void **state)
{
    (void)state;
    for (size_t i = 0; i < am_tour_count(); i++) {
        char path[1024], err[1024];
        am_scenario_t sc;
        print_message("%s\n", am_tour_name(i));
        assert_int_equal(am_demo_resolve(am_tour_name(i), path, sizeof path, err, sizeof err), 0);
        assert_int_equal(am_scenario_load(path, &sc, err, sizeof err), 0);
        assert_non_null(sc.code.text);
        assert_non_null(sc.narration);
        assert_non_null(sc.narration_zh);
        assert_true(sc.title_zh[0] != '\0');
        assert_string_equal(am_scenario_title_in(&sc, "zh"), sc.title_zh);
        assert_string_equal(am_scenario_title_in(&sc, "en"), sc.title);
        assert_ptr_equal(am_scenario_narration_in(&sc, "zh"), sc.narration_zh);
        assert_ptr_equal(am_scenario_narration_in(&sc, "en"), sc.narration);
        /* something is highlighted while the combinator runs or a group works */
        am_code_state_t st = {.node = 1, .groups_active = 0xffff};
        assert_true(am_code_active(&sc.code, &st) != 0);
        am_scenario_free(&sc);
    }
    /* and every tour file of the demo directory is in the list */
    char pattern[1100];
    snprintf(pattern, sizeof pattern, "%s/tour-*.ini", am_demo_dir());
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc <= am_tour_count()); /* the tour may use other demos too (checkout) */
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *base = basename(g.gl_pathv[i]);
        base[strlen(base) - 4] = '\0';
        print_message("%s\n", base);
        assert_true(am_tour_index(base) >= 0);
    }
    globfree(&g);
}

/* A scenario without translation falls back to English. */
static void test_language_fallback(void **state)
{
    (void)state;
    am_scenario_t sc;
    memset(&sc, 0, sizeof sc);
    strcpy(sc.title, "t");
    char narration[] = "n";
    sc.narration = narration;
    assert_string_equal(am_scenario_title_in(&sc, "zh"), "t");
    assert_string_equal(am_scenario_narration_in(&sc, "zh"), "n");
}

static int parse(am_options_t *o, char *err, int argc, ...)
{
    char *argv[16] = {"asyncmon"};
    va_list ap;
    va_start(ap, argc);
    for (int i = 1; i < argc && i < 16; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    err[0] = '\0';
    return am_options_parse(argc, argv, o, err, 512);
}

static void test_command_line(void **state)
{
    (void)state;
    static am_options_t o;
    char err[512];
    assert_int_equal(parse(&o, err, 2, "tour"), 0);
    assert_int_equal(o.command, AM_CMD_TOUR);
    assert_int_equal(o.tour_index, 0);
    assert_int_equal(parse(&o, err, 4, "tour", "--scenario", "3"), 0);
    assert_int_equal(o.tour_index, 2);
    assert_int_equal(parse(&o, err, 5, "tour", "--lang", "zh", "--scenario=chess"), 0);
    assert_int_equal(o.tour_index, (int)am_tour_count() - 1);
    assert_string_equal(o.cfg.language, "zh");
    assert_int_equal(parse(&o, err, 3, "tour", "--help"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    assert_int_equal(parse(&o, err, 4, "tour", "--scenario", "0"), AM_EINVAL);
    char want[512];
    snprintf(want, sizeof want,
             "--scenario: expected a tour scenario number from 1 to %zu or a name such as "
             "'gather' or 'tour-chess' (see docs/tour.md), got '0'",
             am_tour_count());
    assert_string_equal(err, want);
    assert_int_equal(parse(&o, err, 3, "--scenario", "2"), AM_EINVAL);
    assert_string_equal(err, "--scenario: only with 'asyncmon tour' (asyncmon tour --scenario 2)");
    assert_int_equal(parse(&o, err, 3, "tour", "--lang=fr"), AM_EINVAL);
    assert_non_null(strstr(err, "--lang"));
    assert_int_equal(parse(&o, err, 3, "tour", "extra"), AM_EINVAL);
    assert_int_equal(parse(&o, err, 2, "--headless"), 0);
    assert_int_equal(o.command, AM_CMD_RUN_DEMO);
    assert_non_null(strstr(am_usage(), "asyncmon tour"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_every_scenario_loads),
        cmocka_unit_test(test_language_fallback),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
