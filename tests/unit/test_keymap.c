/* Unit tests for the dashboard's keymap (src/ui/keymap.c): parsing key
 * lists as [keys] and --key write them, naming keys for the screen (and
 * reading those names back), binding keys that other actions had, and the
 * action table the help screen and config loader read. */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h> /* KEY_ codes only */
#include <string.h>

#include "asyncmon/error.h"
#include "asyncmon/ui.h"

static int parse1(const char *spec)
{
    int keys[AM_KEYS_PER_ACTION];
    const char *why;
    int n = am_key_parse(spec, keys, AM_KEYS_PER_ACTION, &why);
    if (n != 1) fail_msg("\"%s\": %d keys (%s)", spec, n, why ? why : "");
    return keys[0];
}

static void bad(const char *spec, const char *why_start)
{
    int keys[AM_KEYS_PER_ACTION];
    const char *why = NULL;
    assert_int_equal(am_key_parse(spec, keys, AM_KEYS_PER_ACTION, &why), AM_EPARSE);
    assert_non_null(why);
    if (strncmp(why, why_start, strlen(why_start)) != 0) fail_msg("\"%s\": %s", spec, why);
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(parse1("q"), 'q');
    assert_int_equal(parse1("Q"), 'Q');
    assert_int_equal(parse1("+"), '+');
    assert_int_equal(parse1("/"), '/');
    assert_int_equal(parse1("F1"), AM_KEY_FN | KEY_F(1));
    assert_int_equal(parse1("f10"), AM_KEY_FN | KEY_F(10));
    assert_int_equal(parse1("F12"), AM_KEY_FN | KEY_F(12));
    assert_int_equal(parse1("^x"), 24);
    assert_int_equal(parse1("^A"), 1);
    assert_int_equal(parse1("ctrl-b"), 2);
    assert_int_equal(parse1("space"), ' ');
    assert_int_equal(parse1("Space"), ' ');
    assert_int_equal(parse1("tab"), '\t');
    assert_int_equal(parse1("enter"), '\n');
    assert_int_equal(parse1("esc"), 27);
    assert_int_equal(parse1("comma"), ',');
    assert_int_equal(parse1("up"), AM_KEY_FN | KEY_UP);
    assert_int_equal(parse1("PgDn"), AM_KEY_FN | KEY_NPAGE);
    assert_int_equal(parse1("pageup"), AM_KEY_FN | KEY_PPAGE);
    assert_int_equal(parse1("home"), AM_KEY_FN | KEY_HOME);
    assert_int_equal(parse1("shift-tab"), AM_KEY_FN | KEY_BTAB);
    assert_int_equal(parse1("backspace"), AM_KEY_FN | KEY_BACKSPACE);
    assert_int_equal(parse1("del"), AM_KEY_FN | KEY_DC);
    assert_int_equal(parse1("\xc3\xa9"), 0xe9); /* é, as UTF-8 */
    assert_int_equal(parse1("\xe2\x86\x92"), 0x2192);

    int keys[AM_KEYS_PER_ACTION];
    const char *why;
    assert_int_equal(am_key_parse("q, F10", keys, AM_KEYS_PER_ACTION, &why), 2);
    assert_int_equal(keys[0], 'q');
    assert_int_equal(keys[1], AM_KEY_FN | KEY_F(10));
    assert_int_equal(am_key_parse(" a  b,c ,d ", keys, AM_KEYS_PER_ACTION, &why), 4);
    assert_int_equal(keys[3], 'd');
    assert_int_equal(am_key_parse("q,q, q", keys, AM_KEYS_PER_ACTION, &why), 1); /* once */
    assert_int_equal(am_key_parse("a,b", keys, 1, &why), AM_EPARSE);             /* room for one */

    bad("", "expected keys");
    bad(" , ", "expected keys");
    bad("qq", "expected keys");
    bad("F0", "expected keys");
    bad("F13", "expected keys");
    bad("F1x", "expected keys");
    assert_int_equal(parse1("^"), '^'); /* the caret itself */
    bad("^1", "expected keys");
    bad("ctrl-", "expected keys");
    bad("a b c d e", "expected keys");
    bad("^C", "expected a key other than ^C, ^Z and ^\\");
    bad("ctrl-z", "expected a key other than ^C");
    bad("^\\", "expected a key other than ^C");
    bad("\xc3", "expected keys"); /* broken UTF-8 */
    bad("\x7f", "expected keys");
}

/* Every name the screen shows reads back as the same key. */
static void test_names_round_trip(void **state)
{
    const int keys[] = {'q',
                        'Q',
                        '?',
                        ' ',
                        '\t',
                        '\n',
                        27,
                        1,
                        25,
                        ',',
                        0xe9,
                        AM_KEY_FN | KEY_UP,
                        AM_KEY_FN | KEY_DOWN,
                        AM_KEY_FN | KEY_LEFT,
                        AM_KEY_FN | KEY_RIGHT,
                        AM_KEY_FN | KEY_PPAGE,
                        AM_KEY_FN | KEY_NPAGE,
                        AM_KEY_FN | KEY_HOME,
                        AM_KEY_FN | KEY_END,
                        AM_KEY_FN | KEY_BTAB,
                        AM_KEY_FN | KEY_IC,
                        AM_KEY_FN | KEY_DC,
                        AM_KEY_FN | KEY_BACKSPACE,
                        AM_KEY_FN | KEY_F(1),
                        AM_KEY_FN | KEY_F(12)};
    char name[32];
    (void)state;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        am_key_name(keys[i], name, sizeof name);
        int back = strcmp(name, ",") ? parse1(name) : parse1("comma");
        if (back != keys[i])
            fail_msg("key %#x named \"%s\" reads back as %#x", keys[i], name, back);
    }
    am_key_name(AM_KEY_FN | KEY_F(5), name, sizeof name);
    assert_string_equal(name, "F5");
    am_key_name(' ', name, sizeof name);
    assert_string_equal(name, "Space");
    am_key_name(24, name, sizeof name);
    assert_string_equal(name, "^X");
    am_key_name(AM_KEY_FN | KEY_NPAGE, name, sizeof name);
    assert_string_equal(name, "PgDn");
}

static void test_actions(void **state)
{
    (void)state;
    /* every action has a name that finds it again, and a help line */
    int named = 0;
    for (int a = 0; a < AM_ACT_COUNT; a++) {
        const char *n = am_action_name(a);
        if (!n) {
            assert_true(a >= AM_ACT_TOGGLE);
            continue;
        }
        assert_int_equal(am_action_find(n), a);
        assert_true(strlen(am_action_help(a)) > 5);
        named++;
    }
    assert_true(named >= AM_ACT_TOGGLE + 5);
    assert_int_equal(am_action_find("cancel_group"), AM_ACT_CANCEL_GROUP);
    assert_int_equal(am_action_find("toggle_header"), -1); /* fixed parts do not toggle */
    assert_int_equal(am_action_find("toggle_footer"), -1);
    assert_int_equal(am_action_find("Cancel"), -1);
    assert_int_equal(am_action_find(""), -1);
    assert_int_equal(am_action_find("toggle_"), -1);
    assert_null(am_action_name(-1));
    assert_null(am_action_name(AM_ACT_COUNT));
}

static void test_bind(void **state)
{
    am_keymap_t km;
    (void)state;
    am_keymap_defaults(&km);
    assert_int_equal(am_keymap_action(&km, 'q'), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&km, 0), -1);

    /* binding q elsewhere takes it from quit, which keeps F10 */
    int q = 'q';
    assert_int_equal(am_keymap_bind(&km, AM_ACT_CANCEL, &q, 1), 0);
    assert_int_equal(am_keymap_action(&km, 'q'), AM_ACT_CANCEL);
    assert_int_equal(am_keymap_action(&km, 'c'), -1);
    assert_int_equal(km.keys[AM_ACT_QUIT][0], AM_KEY_FN | KEY_F(10));
    assert_int_equal(km.keys[AM_ACT_QUIT][1], 0);

    int four[4] = {'1', '2', '3', '4'};
    assert_int_equal(am_keymap_bind(&km, AM_ACT_HELP, four, 4), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(am_keymap_action(&km, four[i]), AM_ACT_HELP);
    assert_int_equal(km.keys[am_action_find("toggle_bars")][0], 0); /* lost its only key */
    assert_int_equal(am_keymap_bind(&km, AM_ACT_HELP, four, 5), AM_EINVAL);
    assert_int_equal(am_keymap_bind(&km, AM_ACT_HELP, four, 0), AM_EINVAL);
    assert_int_equal(am_keymap_bind(&km, AM_ACT_COUNT, four, 1), AM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_bind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
