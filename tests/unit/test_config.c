/* Unit tests for src/cli/config.c: defaults, config.ini.example, every key,
 * every bad value with its line, the [keys] section (bindings, moved keys,
 * conflicts), and the discovery order of the config file ($ASYNCMON_CONFIG,
 * $XDG_CONFIG_HOME, $HOME pointed at temporary directories). */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curses.h> /* KEY_ codes only */

#include "asyncmon/config.h"
#include "asyncmon/error.h"
#include "testutil.h"

static void assert_defaults(const am_config_t *c)
{
    assert_int_equal(c->refresh_hz, 20);
    assert_string_equal(c->theme, "default");
    assert_string_equal(c->language, "en");
    assert_int_equal(c->ascii, 0);
    assert_int_equal(c->log_lines, 1000);
    assert_true(c->speed == 1);
    assert_true(c->seed == 1);
    assert_int_equal(c->headless, 0);
    assert_true(c->duration < 0);
    assert_string_equal(c->demo, "checkout");
}

static void test_defaults(void **state)
{
    am_config_t c;
    (void)state;

    memset(&c, 0x55, sizeof(c));
    am_config_defaults(&c);
    assert_defaults(&c);
    assert_string_equal(c.config_path, "");
}

/* The example documents the defaults: loading it changes nothing. */
static void test_example_file(void **state)
{
    char path[1024], err[1024];
    am_config_t c;
    (void)state;

    tu_source_path(path, sizeof(path), "config.ini.example");
    am_config_defaults(&c);
    if (am_config_load(path, &c, err, sizeof(err))) fail_msg("%s", err);
    assert_defaults(&c);
    assert_string_equal(c.config_path, path);
    /* its [keys] lists every action with its default keys */
    am_config_t d;
    am_config_defaults(&d);
    for (int a = 0; a < AM_ACT_COUNT; a++)
        if (memcmp(c.keys.keys[a], d.keys.keys[a], sizeof c.keys.keys[a]) != 0)
            fail_msg("[keys] %s in config.ini.example is not its default", am_action_name(a));
    FILE *f = fopen(path, "r");
    char line[256];
    int listed[AM_ACT_COUNT] = {0};
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        char name[64];
        if (sscanf(line, "%63[a-z_] =", name) == 1 && am_action_find(name) >= 0)
            listed[am_action_find(name)] = 1;
    }
    fclose(f);
    for (int a = 0; a < AM_ACT_COUNT; a++)
        if (am_action_name(a) && !listed[a])
            fail_msg("config.ini.example does not list [keys] %s", am_action_name(a));
}

static void test_every_key(void **state)
{
    const char *path = tu_write_temp("config", "; every key, none at its default\n"
                                               "[ui]\n"
                                               "refresh_hz = 240\n"
                                               "theme = solarized.dark\n"
                                               "language = ZH\n"
                                               "ascii = yes\n"
                                               "log_lines = 16\n"
                                               "[run]\n"
                                               "speed = MAX\n"
                                               "seed = 18446744073709551615\n"
                                               "headless = on\n"
                                               "duration = 2.5\n"
                                               "[demo]\n"
                                               "default = ../my scenarios/x.ini\n");
    char err[1024];
    am_config_t c;
    int rc;
    (void)state;

    am_config_defaults(&c);
    rc = am_config_load(path, &c, err, sizeof(err));
    tu_remove_temp(path);
    if (rc) fail_msg("%s", err);
    assert_int_equal(c.refresh_hz, 240);
    assert_string_equal(c.theme, "solarized.dark");
    assert_string_equal(c.language, "zh");
    assert_int_equal(c.ascii, 1);
    assert_int_equal(c.log_lines, 16);
    assert_true(isinf(c.speed) && c.speed > 0);
    assert_true(c.seed == UINT64_MAX);
    assert_int_equal(c.headless, 1);
    assert_true(c.duration == 2.5);
    assert_string_equal(c.demo, "../my scenarios/x.ini");
    assert_string_equal(c.config_path, path);
}

static void test_partial_file_keeps_the_rest(void **state)
{
    const char *path = tu_write_temp("config", "[run]\nspeed = 0.25\n");
    char err[256];
    am_config_t c;
    int rc;
    (void)state;

    am_config_defaults(&c);
    c.refresh_hz = 30; /* as if set before: a file only changes what it names */
    rc = am_config_load(path, &c, err, sizeof(err));
    tu_remove_temp(path);
    assert_int_equal(rc, 0);
    assert_true(c.speed == 0.25);
    assert_int_equal(c.refresh_hz, 30);
}

static void assert_load_error(const char *content, int line, const char *msg)
{
    const char *path = tu_write_temp("config", content);
    char err[1024], want[1024];
    am_config_t c, before;
    int rc;

    am_config_defaults(&c);
    memcpy(&before, &c, sizeof(c));
    rc = am_config_load(path, &c, err, sizeof(err));
    tu_remove_temp(path);
    snprintf(want, sizeof(want), "%s:%d: %s", path, line, msg);
    assert_int_equal(rc, AM_EPARSE);
    assert_string_equal(err, want);
    assert_memory_equal(&c, &before, sizeof(c)); /* a bad file changes nothing */
}

static const struct {
    const char *content;
    int line;
    const char *msg;
} bad_cases[] = {
    {"[ui]\nrefresh_hz = 0\n", 2, "refresh_hz: expected a whole number from 1 to 240, got \"0\""},
    {"[ui]\nrefresh_hz = 241\n", 2,
     "refresh_hz: expected a whole number from 1 to 240, got \"241\""},
    {"[ui]\nrefresh_hz = fast\n", 2,
     "refresh_hz: expected a whole number from 1 to 240, got \"fast\""},
    {"[ui]\ntheme = ../etc\n", 2,
     "theme: expected a theme name: 1 to 31 letters, digits, \".\", \"_\" or \"-\", got "
     "\"../etc\""},
    {"[ui]\ntheme =\n", 2,
     "theme: expected a theme name: 1 to 31 letters, digits, \".\", \"_\" or \"-\", got \"\""},
    {"[ui]\nlanguage = fr\n", 2, "language: expected \"en\" or \"zh\", got \"fr\""},
    {"[ui]\nascii = sometimes\n", 2,
     "ascii: expected true or false (or yes/no, on/off, 1/0), got \"sometimes\""},
    {"[ui]\nlog_lines = 15\n", 2,
     "log_lines: expected a whole number from 16 to 100000, got \"15\""},
    {"[ui]\nlog_lines = 100001\n", 2,
     "log_lines: expected a whole number from 16 to 100000, got \"100001\""},
    {"[run]\nspeed = 0\n", 2, "speed: expected a number > 0 or \"max\", got \"0\""},
    {"[run]\nspeed = -2\n", 2, "speed: expected a number > 0 or \"max\", got \"-2\""},
    {"[run]\nspeed = fast\n", 2, "speed: expected a number > 0 or \"max\", got \"fast\""},
    {"[run]\nspeed = inf\n", 2, "speed: expected a number > 0 or \"max\", got \"inf\""},
    {"[run]\nseed = -1\n", 2,
     "seed: expected a whole number from 0 to 18446744073709551615, got \"-1\""},
    {"[run]\nseed = 18446744073709551616\n", 2,
     "seed: expected a whole number from 0 to 18446744073709551615, got "
     "\"18446744073709551616\""},
    {"[run]\nheadless = 2\n", 2,
     "headless: expected true or false (or yes/no, on/off, 1/0), got \"2\""},
    {"[run]\nduration = 0\n", 2, "duration: expected seconds > 0 or \"none\", got \"0\""},
    {"[run]\nduration = -1\n", 2, "duration: expected seconds > 0 or \"none\", got \"-1\""},
    {"[run]\nduration = 10s\n", 2, "duration: expected seconds > 0 or \"none\", got \"10s\""},
    {"[demo]\ndefault =\n", 2,
     "default: expected a demo name or the path of an .ini file, got \"\""},
    /* structure */
    {"[ui]\n\n[colours]\n", 3, "unknown section [colours]; expected [ui], [run], [demo] or [keys]"},
    {"[UI]\n", 1, "unknown section [UI]; expected [ui], [run], [demo] or [keys]"},
    {"[ui]\n[run]\n[ui]\n", 3, "duplicate section [ui] (first on line 1)"},
    {"speed = 2\n", 1,
     "key \"speed\" is outside any section; expected [ui], [run], [demo] or [keys] before it"},
    {"[ui]\nspeed = 2\n", 2,
     "unknown key \"speed\" in [ui]; expected refresh_hz, theme, language, ascii or log_lines"},
    {"[run]\nrefresh = 2\n", 2,
     "unknown key \"refresh\" in [run]; expected speed, seed, headless or duration"},
    {"[demo]\nname = x\n", 2, "unknown key \"name\" in [demo]; expected default"},
    {"[run]\nseed = 1\nseed = 2\n", 3, "duplicate key \"seed\" in [run] (first on line 2)"},
    {"[ui]\ntheme = dark\n  blue\n", 3,
     "indented line continues \"theme\", but config values must fit on one line"},
    {"[ui]\nrefresh_hz 20\n", 2,
     "expected \"key = value\", \"[section]\" or a comment, got \"refresh_hz 20\""},
    {"[ui\n", 1, "expected \"]\" to close the section name, got \"[ui\""},
    {"; ok\r\n[run]\r\n\r\nspeed = 2\r\nseed = x\r\n", 5,
     "seed: expected a whole number from 0 to 18446744073709551615, got \"x\""},
    /* [keys] */
    {"[keys]\ncancel = ^C\n", 2,
     "cancel: expected a key other than ^C, ^Z and ^\\ (the terminal turns them into signals), "
     "got \"^C\""},
    {"[keys]\ncancel = x\n\nadd = X, x\n", 4,
     "add: key \"x\" is already bound to cancel on line 2"},
    {"[keys]\ncancel = x\ncancel = y\n", 3, "duplicate key \"cancel\" in [keys] (first on line 2)"},
    {"[keys]\nquit = q\n  F10\n", 3,
     "indented line continues \"quit\", but config values must fit on one line"},
    {"[keys]\n[keys]\n", 2, "duplicate section [keys] (first on line 1)"},
};

/* [keys] mistakes whose message lists every action or key name: the line
 * and the start of the message are checked. */
static const struct {
    const char *content;
    int line;
    const char *start;
} bad_key_cases[] = {
    {"[keys]\nfrobnicate = x\n", 2,
     "unknown action \"frobnicate\" in [keys]; expected up, down, page_up, page_down, home"},
    {"[keys]\nToggle_log = x\n", 2, "unknown action \"Toggle_log\" in [keys]; expected up,"},
    {"[keys]\ncancel =\n", 2, "cancel: expected keys separated by commas (at most 4)"},
    {"[keys]\ncancel = ,\n", 2, "cancel: expected keys separated by commas"},
    {"[keys]\nquit = F13\n", 2, "quit: expected keys separated by commas"},
    {"[keys]\nquit = F0\n", 2, "quit: expected keys separated by commas"},
    {"[keys]\nquit = qq\n", 2, "quit: expected keys separated by commas"},
    {"[keys]\nquit = ^1\n", 2, "quit: expected keys separated by commas"},
    {"[keys]\nquit = a b c d e\n", 2, "quit: expected keys separated by commas (at most 4)"},
    {"[keys]\nquit = ctrl-\n", 2, "quit: expected keys separated by commas"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        print_message("case %zu\n", i);
        assert_load_error(bad_cases[i].content, bad_cases[i].line, bad_cases[i].msg);
    }
}

static void test_key_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_key_cases) / sizeof(bad_key_cases[0]); i++) {
        const char *path = tu_write_temp("config", bad_key_cases[i].content);
        char err[2048], want[1024];
        am_config_t c, before;
        int rc;

        print_message("key case %zu\n", i);
        am_config_defaults(&c);
        memcpy(&before, &c, sizeof(c));
        rc = am_config_load(path, &c, err, sizeof(err));
        tu_remove_temp(path);
        snprintf(want, sizeof(want), "%s:%d: %s", path, bad_key_cases[i].line,
                 bad_key_cases[i].start);
        assert_int_equal(rc, AM_EPARSE);
        if (strncmp(err, want, strlen(want)) != 0) fail_msg("got: %s\nwant: %s...", err, want);
        assert_memory_equal(&c, &before, sizeof(c)); /* a bad file changes nothing */
    }
}

/* The defaults: what the help screen and docs/configuration.md promise. */
static void test_key_defaults(void **state)
{
    am_config_t c;
    (void)state;

    am_config_defaults(&c);
    assert_int_equal(am_keymap_action(&c.keys, 'q'), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&c.keys, AM_KEY_FN | KEY_F(10)), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&c.keys, 'c'), AM_ACT_CANCEL);
    assert_int_equal(am_keymap_action(&c.keys, 'C'), AM_ACT_CANCEL_GROUP);
    assert_int_equal(am_keymap_action(&c.keys, 'X'), AM_ACT_CANCEL_ALL);
    assert_int_equal(am_keymap_action(&c.keys, 'a'), AM_ACT_ADD);
    assert_int_equal(am_keymap_action(&c.keys, 'A'), AM_ACT_ADD_MANY);
    assert_int_equal(am_keymap_action(&c.keys, 't'), AM_ACT_TIMEOUT);
    assert_int_equal(am_keymap_action(&c.keys, ' '), AM_ACT_PAUSE);
    assert_int_equal(am_keymap_action(&c.keys, '+'), AM_ACT_FASTER);
    assert_int_equal(am_keymap_action(&c.keys, '-'), AM_ACT_SLOWER);
    assert_int_equal(am_keymap_action(&c.keys, '/'), AM_ACT_FILTER);
    assert_int_equal(am_keymap_action(&c.keys, 's'), AM_ACT_SORT);
    assert_int_equal(am_keymap_action(&c.keys, 'd'), AM_ACT_DEMO);
    assert_int_equal(am_keymap_action(&c.keys, '?'), AM_ACT_HELP);
    assert_int_equal(am_keymap_action(&c.keys, 'j'), AM_ACT_DOWN);
    assert_int_equal(am_keymap_action(&c.keys, 'k'), AM_ACT_UP);
    assert_int_equal(am_keymap_action(&c.keys, '\t'), AM_ACT_NEXT_PANEL);
    assert_int_equal(am_keymap_action(&c.keys, 'Z'), -1);
    /* every panel that can be hidden has a toggle action and a key */
    int toggles = 0;
    for (size_t i = 0; i < am_panel_count(); i++) {
        if (!am_panel_name(i)) continue;
        char name[64];
        snprintf(name, sizeof(name), "toggle_%s", am_panel_name(i));
        int a = am_action_find(name);
        assert_true(a >= AM_ACT_TOGGLE);
        assert_int_equal(am_keymap_action(&c.keys, am_panel_toggle_key(i)), a);
        toggles++;
    }
    assert_true(toggles >= 5);
    assert_int_equal(am_action_find("toggle_log"), am_keymap_action(&c.keys, '4'));
    /* no key does two things */
    for (int a = 0; a < AM_ACT_COUNT; a++)
        for (int k = 0; k < AM_KEYS_PER_ACTION; k++)
            if (c.keys.keys[a][k])
                assert_int_equal(am_keymap_action(&c.keys, c.keys.keys[a][k]), a);
}

static void test_keys_file(void **state)
{
    const char *path =
        tu_write_temp("config", "[keys]\n"
                                "cancel = x\n"
                                "quit = Q, F12\n"
                                "filter = ^F, comma\n"
                                "toggle_log = L\n"
                                "; a key another action has by default moves to this one\n"
                                "add = q\n"
                                "pause = space  ; inline comment\n"
                                "next_panel = Tab, right\n");
    char err[1024];
    am_config_t c;
    int rc;
    (void)state;

    am_config_defaults(&c);
    rc = am_config_load(path, &c, err, sizeof(err));
    tu_remove_temp(path);
    if (rc) fail_msg("%s", err);
    assert_int_equal(am_keymap_action(&c.keys, 'x'), AM_ACT_CANCEL);
    assert_int_equal(am_keymap_action(&c.keys, 'c'), -1); /* replaced, not added to */
    assert_int_equal(am_keymap_action(&c.keys, 'Q'), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&c.keys, AM_KEY_FN | KEY_F(12)), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&c.keys, AM_KEY_FN | KEY_F(10)), -1);
    assert_int_equal(am_keymap_action(&c.keys, 6), AM_ACT_FILTER);
    assert_int_equal(am_keymap_action(&c.keys, ','), AM_ACT_FILTER);
    assert_int_equal(am_keymap_action(&c.keys, '/'), -1);
    assert_int_equal(am_keymap_action(&c.keys, 'L'), am_action_find("toggle_log"));
    assert_int_equal(am_keymap_action(&c.keys, '4'), -1);
    assert_int_equal(am_keymap_action(&c.keys, 'q'), AM_ACT_ADD);
    assert_int_equal(am_keymap_action(&c.keys, ' '), AM_ACT_PAUSE);
    assert_int_equal(am_keymap_action(&c.keys, '\t'), AM_ACT_NEXT_PANEL);
    /* right was the wait panel's; it moved */
    assert_int_equal(am_keymap_action(&c.keys, AM_KEY_FN | KEY_RIGHT), AM_ACT_NEXT_PANEL);
    assert_int_equal(am_keymap_action(&c.keys, 'l'), AM_ACT_RIGHT);
}

static void test_keys_set(void **state)
{
    const char *why = NULL;
    am_config_t c;
    (void)state;

    am_config_defaults(&c);
    assert_int_equal(am_config_set(&c, "keys", "cancel", "k", &why), 0);
    assert_null(why);
    assert_int_equal(am_keymap_action(&c.keys, 'k'), AM_ACT_CANCEL);
    assert_int_equal(c.keys.keys[AM_ACT_UP][0], AM_KEY_FN | KEY_UP);
    assert_int_equal(c.keys.keys[AM_ACT_UP][1], 0); /* k moved away from up */
    assert_int_equal(am_config_set(&c, "keys", "nope", "k", &why), AM_ENOENT);
    assert_int_equal(am_config_set(&c, "keys", "quit", "^Z", &why), AM_EPARSE);
    assert_non_null(why);
}

static void test_missing_file(void **state)
{
    char err[256];
    am_config_t c;
    (void)state;

    am_config_defaults(&c);
    assert_int_equal(am_config_load("/tmp/am-no-such-dir/config.ini", &c, err, sizeof(err)),
                     AM_ENOENT);
    assert_string_equal(err, "/tmp/am-no-such-dir/config.ini: cannot open: No such file or "
                             "directory");
    assert_defaults(&c);
}

static void test_config_set(void **state)
{
    const char *why = NULL;
    am_config_t c;
    (void)state;

    am_config_defaults(&c);
    assert_int_equal(am_config_set(&c, "run", "speed", "3", &why), 0);
    assert_null(why);
    assert_true(c.speed == 3);
    assert_int_equal(am_config_set(&c, "run", "speed", "x", &why), AM_EPARSE);
    assert_string_equal(why, "expected a number > 0 or \"max\"");
    assert_int_equal(am_config_set(&c, "run", "theme", "x", &why), AM_ENOENT);
    assert_int_equal(am_config_set(&c, "nope", "speed", "1", NULL), AM_ENOENT);
    assert_int_equal(am_config_set(&c, "run", "seed", "1_000", NULL), 0);
    assert_true(c.seed == 1000);
}

/* ---- discovery ---- */

typedef struct dirs_s {
    char root[64];
    char xdg[128], xdg_file[160];
    char home[128], home_file[160];
} dirs_t;

static void make_file(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[ui]\n", f);
    fclose(f);
}

static int setup_dirs(void **state)
{
    static dirs_t d;
    char p[160];

    strcpy(d.root, "/tmp/am_config_dirs_XXXXXX");
    if (!mkdtemp(d.root)) return -1;
    snprintf(d.xdg, sizeof(d.xdg), "%s/xdg", d.root);
    snprintf(d.home, sizeof(d.home), "%s/home", d.root);
    snprintf(d.xdg_file, sizeof(d.xdg_file), "%s/asyncmon/config.ini", d.xdg);
    snprintf(d.home_file, sizeof(d.home_file), "%s/.config/asyncmon/config.ini", d.home);
    mkdir(d.xdg, 0700);
    snprintf(p, sizeof(p), "%s/asyncmon", d.xdg);
    mkdir(p, 0700);
    mkdir(d.home, 0700);
    snprintf(p, sizeof(p), "%s/.config", d.home);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/.config/asyncmon", d.home);
    mkdir(p, 0700);
    unsetenv("ASYNCMON_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", d.home, 1);
    *state = &d;
    return 0;
}

static int teardown_dirs(void **state)
{
    dirs_t *d = *state;
    char p[160];

    unlink(d->xdg_file);
    unlink(d->home_file);
    snprintf(p, sizeof(p), "%s/asyncmon", d->xdg);
    rmdir(p);
    rmdir(d->xdg);
    snprintf(p, sizeof(p), "%s/.config/asyncmon", d->home);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/.config", d->home);
    rmdir(p);
    rmdir(d->home);
    rmdir(d->root);
    return 0;
}

static void test_find_order(void **state)
{
    dirs_t *d = *state;
    char path[256], err[512], want[512];
    (void)state;

    /* Nothing anywhere: no file, and that is fine. */
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, "");
    setenv("XDG_CONFIG_HOME", d->xdg, 1);
    assert_int_equal(am_config_find("", path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, "");

    /* ~/.config/asyncmon/config.ini */
    make_file(d->home_file);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->home_file);

    /* $XDG_CONFIG_HOME comes first; a relative one is ignored. */
    make_file(d->xdg_file);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->xdg_file);
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->home_file);
    setenv("XDG_CONFIG_HOME", d->xdg, 1);

    /* $ASYNCMON_CONFIG beats both, and must exist. */
    setenv("ASYNCMON_CONFIG", d->home_file, 1);
    unlink(d->home_file);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), AM_ENOENT);
    snprintf(want, sizeof(want),
             "$ASYNCMON_CONFIG: cannot open config file '%s': No such file or directory",
             d->home_file);
    assert_string_equal(err, want);
    make_file(d->home_file);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->home_file);

    /* --config beats everything, and must exist. */
    assert_int_equal(am_config_find(d->xdg_file, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->xdg_file);
    assert_int_equal(am_config_find("/tmp/am-no-such.ini", path, sizeof(path), err, sizeof(err)),
                     AM_ENOENT);
    assert_string_equal(err, "--config: cannot open config file '/tmp/am-no-such.ini': No such "
                             "file or directory");

    /* An empty $ASYNCMON_CONFIG counts as unset. */
    setenv("ASYNCMON_CONFIG", "", 1);
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, d->xdg_file);

    /* Without $HOME: only what is set explicitly. */
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    assert_int_equal(am_config_find(NULL, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, "");
    setenv("HOME", d->home, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_partial_file_keeps_the_rest),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_key_errors),
        cmocka_unit_test(test_key_defaults),
        cmocka_unit_test(test_keys_file),
        cmocka_unit_test(test_keys_set),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_config_set),
        cmocka_unit_test_setup_teardown(test_find_order, setup_dirs, teardown_dirs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
