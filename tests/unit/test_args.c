/* Unit tests for src/cli/args.c: every option in both "--opt value" and
 * "--opt=value" forms, the precedence defaults < config file < command line,
 * --help/--version winning over everything, and each error message. Every test
 * runs with $HOME at an empty temporary directory and no $XDG_CONFIG_HOME or
 * $ASYNCMON_CONFIG, so the user's own config.ini never leaks in. */
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

#include "asyncmon/config.h"
#include "asyncmon/error.h"
#include "testutil.h"

static char home[64];

static int setup(void **state)
{
    (void)state;
    strcpy(home, "/tmp/am_args_home_XXXXXX");
    if (!mkdtemp(home)) return -1;
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("ASYNCMON_CONFIG");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rmdir(home);
    return 0;
}

/* Parse a NULL-terminated list of arguments (argv[0] is supplied). */
static int parse(am_options_t *o, char *err, size_t errsize, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"asyncmon";
    va_start(ap, errsize);
    while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    return am_options_parse(argc, argv, o, err, errsize);
}

#define PARSE(o, ...) parse((o), err, sizeof(err), __VA_ARGS__, (char *)NULL)

static void test_no_arguments(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(parse(&o, err, sizeof(err), (char *)NULL), 0);
    assert_string_equal(err, "");
    assert_int_equal(o.command, AM_CMD_RUN_DEMO);
    assert_true(o.tasks == -1);
    assert_string_equal(o.summary_json, "");
    assert_string_equal(o.trace, "");
    assert_string_equal(o.cfg.demo, "checkout");
    assert_int_equal(o.cfg.refresh_hz, 20);
    assert_true(o.cfg.speed == 1);
    assert_string_equal(o.cfg.config_path, "");
}

static void test_every_option(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(PARSE(&o, "--demo", "wait", "--tasks", "5000", "--speed", "0.5", "--seed",
                           "42", "--duration", "30", "--headless", "--theme", "mono", "--lang",
                           "zh", "--refresh-hz", "60", "--ascii", "--summary-json", "out.json",
                           "--trace", "-"),
                     0);
    assert_int_equal(o.command, AM_CMD_RUN_DEMO);
    assert_string_equal(o.cfg.demo, "wait");
    assert_true(o.tasks == 5000);
    assert_true(o.cfg.speed == 0.5);
    assert_true(o.cfg.seed == 42);
    assert_true(o.cfg.duration == 30);
    assert_int_equal(o.cfg.headless, 1);
    assert_string_equal(o.cfg.theme, "mono");
    assert_string_equal(o.cfg.language, "zh");
    assert_int_equal(o.cfg.refresh_hz, 60);
    assert_int_equal(o.cfg.ascii, 1);
    assert_string_equal(o.summary_json, "out.json");
    assert_string_equal(o.trace, "-");
}

static void test_equals_form(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(PARSE(&o, "--demo=demo/x.ini", "--tasks=1e6", "--speed=max", "--seed=0",
                           "--duration=none", "--headless=yes", "--theme=a.b", "--lang=EN",
                           "--refresh-hz=1", "--ascii=off", "--summary-json=s=1.json",
                           "--trace=t.jsonl"),
                     0);
    assert_string_equal(o.cfg.demo, "demo/x.ini");
    assert_true(o.tasks == 1000000);
    assert_true(isinf(o.cfg.speed));
    assert_true(o.cfg.seed == 0);
    assert_true(o.cfg.duration < 0);
    assert_int_equal(o.cfg.headless, 1);
    assert_string_equal(o.cfg.theme, "a.b");
    assert_string_equal(o.cfg.language, "en");
    assert_int_equal(o.cfg.refresh_hz, 1);
    assert_int_equal(o.cfg.ascii, 0);
    assert_string_equal(o.summary_json, "s=1.json");
    assert_string_equal(o.trace, "t.jsonl");

    /* A value may itself start with '-' after '=' or as "-1"-like words. */
    assert_int_equal(PARSE(&o, "--summary-json=--weird", "--trace", "-x"), 0);
    assert_string_equal(o.summary_json, "--weird");
    assert_string_equal(o.trace, "-x");
}

static void test_commands(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(PARSE(&o, "--list-demos"), 0);
    assert_int_equal(o.command, AM_CMD_LIST_DEMOS);
    assert_int_equal(PARSE(&o, "-h"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    assert_int_equal(PARSE(&o, "--help"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    assert_int_equal(PARSE(&o, "-V"), 0);
    assert_int_equal(o.command, AM_CMD_VERSION);
    assert_int_equal(PARSE(&o, "--version"), 0);
    assert_int_equal(o.command, AM_CMD_VERSION);
    assert_int_equal(PARSE(&o, "--version", "--help"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    /* --help wins over bad options and a broken or missing config file. */
    assert_int_equal(PARSE(&o, "--speed", "abc", "--bogus", "stray", "--help"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    assert_int_equal(PARSE(&o, "--config", "/tmp/am-no-such.ini", "-V"), 0);
    assert_int_equal(o.command, AM_CMD_VERSION);
    setenv("ASYNCMON_CONFIG", "/tmp/am-no-such.ini", 1);
    assert_int_equal(PARSE(&o, "--help"), 0);
    assert_int_equal(o.command, AM_CMD_HELP);
    unsetenv("ASYNCMON_CONFIG");
}

static void test_last_wins(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(PARSE(&o, "--speed", "2", "--speed=3", "--headless", "--headless=no"), 0);
    assert_true(o.cfg.speed == 3);
    assert_int_equal(o.cfg.headless, 0);
}

static void test_precedence(void **state)
{
    const char *path = tu_write_temp("args", "[ui]\ntheme = from-file\nrefresh_hz = 5\n"
                                             "[run]\nspeed = 2\nheadless = true\n"
                                             "[demo]\ndefault = wait\n");
    char file[64], err[512];
    am_options_t o;
    int rc;
    (void)state;

    strcpy(file, path);
    /* The file over the defaults, the command line over the file. */
    rc = PARSE(&o, "--speed", "3", "--config", file, "--headless=false");
    if (rc) fail_msg("%s", err);
    assert_true(o.cfg.speed == 3);
    assert_int_equal(o.cfg.headless, 0);
    assert_string_equal(o.cfg.theme, "from-file");
    assert_int_equal(o.cfg.refresh_hz, 5);
    assert_string_equal(o.cfg.demo, "wait");
    assert_int_equal(o.cfg.seed, 1); /* neither: the default */
    assert_string_equal(o.cfg.config_path, file);

    /* The same file found through $ASYNCMON_CONFIG. */
    setenv("ASYNCMON_CONFIG", file, 1);
    assert_int_equal(PARSE(&o, "--demo", "gather"), 0);
    assert_string_equal(o.cfg.demo, "gather");
    assert_true(o.cfg.speed == 2);
    assert_string_equal(o.cfg.config_path, file);
    unsetenv("ASYNCMON_CONFIG");
    tu_remove_temp(file);
}

static void test_config_errors(void **state)
{
    const char *path = tu_write_temp("args", "[run]\n\nspeed = warp\n");
    char file[64], err[512], want[600];
    am_options_t o;
    int rc;
    (void)state;

    strcpy(file, path);
    rc = PARSE(&o, "--config", file);
    tu_remove_temp(file);
    assert_int_equal(rc, AM_EPARSE);
    snprintf(want, sizeof(want), "%s:3: speed: expected a number > 0 or \"max\", got \"warp\"",
             file);
    assert_string_equal(err, want);

    assert_int_equal(PARSE(&o, "--config=/tmp/am-no-such.ini"), AM_ENOENT);
    assert_string_equal(err, "--config: cannot open config file '/tmp/am-no-such.ini': No such "
                             "file or directory");
    assert_int_equal(PARSE(&o, "--config="), AM_EINVAL);
    assert_string_equal(err, "--config: expected a file name, got ''");
    assert_int_equal(PARSE(&o, "--config"), AM_EINVAL);
    assert_string_equal(err, "--config: missing value (--config FILE)");
}

static void assert_error(const char *want, ...)
{
    char *argv[16], err[512];
    am_options_t o;
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"asyncmon";
    va_start(ap, want);
    while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    assert_int_equal(am_options_parse(argc, argv, &o, err, sizeof(err)), AM_EINVAL);
    assert_string_equal(err, want);
}

#define ERR(want, ...) assert_error(want, __VA_ARGS__, (char *)NULL)

static void test_errors(void **state)
{
    (void)state;
    ERR("--speed: expected a number > 0 or 'max', got 'abc'", "--speed", "abc");
    ERR("--speed: expected a number > 0 or 'max', got '0'", "--speed=0");
    ERR("--speed: missing value (--speed X|max)", "--speed");
    ERR("--speed: missing value (--speed X|max)", "--speed", "--headless");
    ERR("--tasks: expected a whole number from 1 to 100000000, got '0'", "--tasks", "0");
    ERR("--tasks: expected a whole number from 1 to 100000000, got 'many'", "--tasks=many");
    ERR("--seed: expected a whole number from 0 to 18446744073709551615, got '-1'", "--seed", "-1");
    ERR("--duration: expected seconds > 0 or 'none', got '0'", "--duration", "0");
    ERR("--lang: expected 'en' or 'zh', got 'fr'", "--lang", "fr");
    ERR("--refresh-hz: expected a whole number from 1 to 240, got '1000'", "--refresh-hz", "1000");
    ERR("--theme: expected a theme name: 1 to 31 letters, digits, '.', '_' or '-', got '../x'",
        "--theme", "../x");
    ERR("--headless: expected true or false (or yes/no, on/off, 1/0), got 'maybe'",
        "--headless=maybe");
    ERR("--demo: expected a demo name or the path of an .ini file, got ''", "--demo", "");
    ERR("--summary-json: expected a file name, got ''", "--summary-json=");
    ERR("--trace: missing value (--trace FILE)", "--trace");
    ERR("--list-demos: takes no value, got 'x'", "--list-demos=x");
    ERR("--help: takes no value, got 'me'", "--help=me");
    ERR("unknown option '--sped'; did you mean '--speed'? (see --help)", "--sped", "2");
    ERR("unknown option '--head'; did you mean '--headless'? (see --help)", "--head");
    ERR("unknown option '--frobnicate' (see --help)", "--frobnicate");
    ERR("unknown option '--' (see --help)", "--");
    ERR("unknown option '-x' (see --help)", "-x");
    ERR("unknown option '-hV' (see --help)", "-hV");
    ERR("unexpected argument 'gather'; to run a scenario use '--demo gather' (see --help)",
        "gather");
    ERR("unexpected argument 'demo/x.ini'; to run a scenario use '--demo demo/x.ini' (see "
        "--help)",
        "--headless", "demo/x.ini");
    ERR("unexpected argument '-' (see --help)", "-");
    ERR("unexpected argument 'a b' (see --help)", "a b");
    /* The first error is the one reported. */
    ERR("--seed: expected a whole number from 0 to 18446744073709551615, got 'x'", "--seed", "x",
        "--speed", "y");
}

/* --key ACTION=KEYS binds as [keys] does, over the config file. */
static void test_key_option(void **state)
{
    am_options_t o;
    char err[512];
    (void)state;

    assert_int_equal(PARSE(&o, "--key", "cancel=x", "--key=quit=Q,F12"), 0);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'x'), AM_ACT_CANCEL);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'c'), -1);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'Q'), AM_ACT_QUIT);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'q'), -1);

    const char *path = tu_write_temp("args", "[keys]\ncancel = y\nadd = z\n");
    int rc = PARSE(&o, "--config", path, "--key", "cancel=w");
    tu_remove_temp(path);
    assert_int_equal(rc, 0);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'w'), AM_ACT_CANCEL);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'y'), -1);
    assert_int_equal(am_keymap_action(&o.cfg.keys, 'z'), AM_ACT_ADD);

    ERR("--key: expected ACTION=KEYS (cancel=x), got 'cancel'", "--key", "cancel");
    ERR("--key: expected ACTION=KEYS (cancel=x), got '=x'", "--key", "=x");
    ERR("--key: unknown action 'frob' (the help screen, ?, lists them; see also "
        "docs/configuration.md)",
        "--key", "frob=x");
    ERR("--key quit: expected a key other than ^C, ^Z and ^\\ (the terminal turns them into "
        "signals), got '^C'",
        "--key", "quit=^C");
    ERR("--key: missing value (--key ACTION=KEYS)", "--key");
}

static void test_usage(void **state)
{
    static const char *const must[] = {
        "--demo NAME|FILE",
        "--list-demos",
        "--tasks N",
        "--speed X|max",
        "--seed N",
        "--duration S",
        "--headless",
        "--config FILE",
        "--theme NAME",
        "--lang en|zh",
        "--refresh-hz N",
        "--ascii",
        "--summary-json FILE",
        "--trace FILE",
        "-h, --help",
        "-V, --version",
        "[checkout]",
        "[20]",
        "[default]",
        "[en]",
        "ASYNCMON_CONFIG",
        "XDG_CONFIG_HOME",
        "--key ACTION=KEYS",
        "ASYNCMON_THEME_DIR",
    };
    const char *u = am_usage();
    (void)state;

    assert_non_null(u);
    assert_true(strncmp(u, "Usage: asyncmon", 15) == 0);
    for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
        if (!strstr(u, must[i])) fail_msg("--help lacks \"%s\"", must[i]);
    /* Fits an 80-column terminal. */
    for (const char *line = u; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        assert_in_range(len, 0, 79);
        line += len + (nl != NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_arguments),  cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_equals_form),   cmocka_unit_test(test_commands),
        cmocka_unit_test(test_last_wins),     cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_config_errors), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_key_option),    cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
