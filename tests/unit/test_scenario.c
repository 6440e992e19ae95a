/* Unit tests for src/scenario/scenario.c and ini_util.c: the shipped demos
 * load, every kind of mistake gives its exact "FILE:LINE: message", --tasks
 * scaling, and where demos are found. Scenario files are written to /tmp with
 * mkstemp and removed; the source tree is $ASYNCMON_SOURCE (set by ctest) or
 * the ASYNCMON_SOURCE_DIR the build was configured in. */
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
#include "asyncmon/scenario.h"
#include "testutil.h"

static int count_lines(const char *s)
{
    int n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_demo_gather(void **state)
{
    am_scenario_t sc;
    (void)state;

    tu_load_demo("gather", &sc);
    assert_string_equal(sc.name, "gather");
    assert_true(strlen(sc.title) > 10);
    assert_non_null(sc.narration);
    assert_in_range(count_lines(sc.narration), 2, 4);
    assert_int_equal(sc.combinator, AM_COMB_GATHER);
    assert_int_equal(sc.return_exceptions, 0);
    assert_int_equal(sc.ngroups, 1);
    assert_int_equal(sc.groups[0].count, 2000);
    assert_int_equal(sc.groups[0].duration.kind, AM_DIST_UNIFORM);
    assert_true(sc.groups[0].duration.a == 1 && sc.groups[0].duration.b == 5);
    assert_true(sc.groups[0].fail_rate == 0);
    assert_int_equal(am_scenario_tasks(&sc), 2000);
    am_scenario_free(&sc);
    assert_null(sc.narration);
    am_scenario_free(&sc); /* twice is harmless */
}

static void test_demo_as_completed(void **state)
{
    am_scenario_t sc;
    (void)state;

    tu_load_demo("as_completed", &sc);
    assert_int_equal(sc.combinator, AM_COMB_AS_COMPLETED);
    assert_true(sc.timeout == 8);
    assert_in_range(count_lines(sc.narration), 2, 4);
    assert_int_equal(sc.ngroups, 2);
    assert_string_equal(sc.groups[0].name, "fast");
    assert_int_equal(sc.groups[0].count, 20);
    assert_int_equal(sc.groups[0].duration.kind, AM_DIST_UNIFORM);
    assert_string_equal(sc.groups[1].name, "slow");
    assert_int_equal(sc.groups[1].count, 1);
    assert_int_equal(sc.groups[1].duration.kind, AM_DIST_FIXED);
    assert_true(sc.groups[1].duration.a == 10);
    /* The timeout must fall between the fast tasks and the slow one. */
    assert_true(sc.timeout > sc.groups[0].duration.b && sc.timeout < sc.groups[1].duration.a);
    am_scenario_free(&sc);
}

static void test_demo_wait(void **state)
{
    am_scenario_t sc;
    (void)state;

    tu_load_demo("wait", &sc);
    assert_int_equal(sc.combinator, AM_COMB_WAIT);
    assert_int_equal(sc.return_when, AM_FIRST_COMPLETED);
    assert_int_equal(sc.loop, 1);
    assert_int_equal(sc.readd_failed, 1);
    assert_true(sc.timeout < 0);
    assert_in_range(count_lines(sc.narration), 2, 4);
    assert_int_equal(sc.ngroups, 1);
    assert_int_equal(sc.groups[0].count, 50);
    assert_true(sc.groups[0].fail_rate == 0.2);
    am_scenario_free(&sc);
}

static void test_defaults(void **state)
{
    const char *path = tu_write_temp("scenario", "[group.a]\ncount = 3\nduration = 2\n");
    char err[256];
    am_scenario_t sc;
    int rc;
    (void)state;

    rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_string_equal(sc.path, path);
    assert_string_equal(sc.name, path + 5); /* basename, no .ini to strip */
    assert_string_equal(sc.title, sc.name); /* no title: the name */
    assert_null(sc.narration);
    assert_int_equal(sc.combinator, AM_COMB_NONE);
    assert_int_equal(sc.return_exceptions, 0);
    assert_int_equal(sc.return_when, AM_ALL_COMPLETED);
    assert_int_equal(sc.loop, 0);
    assert_int_equal(sc.readd_failed, 0);
    assert_true(sc.timeout < 0);
    assert_int_equal(sc.ngroups, 1);
    assert_string_equal(sc.groups[0].name, "a");
    assert_int_equal(sc.groups[0].count, 3);
    assert_int_equal(sc.groups[0].duration.kind, AM_DIST_FIXED);
    assert_true(sc.groups[0].duration.a == 2);
    assert_true(sc.groups[0].fail_rate == 0);
    assert_int_equal(sc.groups[0].steps, 1);
    assert_true(sc.groups[0].timeout < 0);
    assert_int_equal(sc.groups[0].shield, 0);
    assert_true(sc.groups[0].start == 0);
    assert_int_equal(sc.groups[0].line, 1);
    am_scenario_free(&sc);
}

static void test_every_key(void **state)
{
    const char *path = tu_write_temp("scenario", "\xEF\xBB\xBF; a comment\n"
                                                 "# another\n"
                                                 "[scenario]\n"
                                                 "title = Everything: set\n"
                                                 "narration =\n"
                                                 "    First line,\n"
                                                 "\n"
                                                 "\tsecond line. ; an inline comment\n"
                                                 "combinator = Wait_For\n"
                                                 "return_exceptions = YES\n"
                                                 "return_when = first_exception\n"
                                                 "loop = on\n"
                                                 "readd_failed = 1\n"
                                                 "timeout = NONE\n"
                                                 "\n"
                                                 "[group.net-io_2]\n"
                                                 "count: 1_000\n"
                                                 "duration = normal 3 0.5\n"
                                                 "fail_rate = 0.25\n"
                                                 "steps = 1000000\n"
                                                 "timeout = 0\n"
                                                 "shield = true\n"
                                                 "start = 1.5\n"
                                                 "[group.b]\r\n"
                                                 "count = 1e6\r\n"
                                                 "duration = exponential 2\r\n"
                                                 "shield = off");
    char err[256];
    am_scenario_t sc;
    int rc;
    (void)state;

    rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    if (rc) fail_msg("%s", err);
    assert_string_equal(sc.title, "Everything: set");
    assert_string_equal(sc.narration, "First line,\nsecond line.");
    assert_int_equal(sc.combinator, AM_COMB_WAIT_FOR);
    assert_int_equal(sc.return_exceptions, 1);
    assert_int_equal(sc.return_when, AM_FIRST_EXCEPTION);
    assert_int_equal(sc.loop, 1);
    assert_int_equal(sc.readd_failed, 1);
    assert_true(sc.timeout < 0);
    assert_int_equal(sc.ngroups, 2);
    assert_string_equal(sc.groups[0].name, "net-io_2");
    assert_int_equal(sc.groups[0].line, 16);
    assert_int_equal(sc.groups[0].count, 1000);
    assert_int_equal(sc.groups[0].duration.kind, AM_DIST_NORMAL);
    assert_true(sc.groups[0].fail_rate == 0.25);
    assert_int_equal(sc.groups[0].steps, 1000000);
    assert_true(sc.groups[0].timeout == 0);
    assert_int_equal(sc.groups[0].shield, 1);
    assert_true(sc.groups[0].start == 1.5);
    assert_int_equal(sc.groups[1].line, 24);
    assert_int_equal(sc.groups[1].count, 1000000);
    assert_int_equal(sc.groups[1].shield, 0);
    assert_int_equal(am_scenario_tasks(&sc), 1001000);
    am_scenario_free(&sc);
}

/* One broken file: content, the line reported (0: none) and the message. */
typedef struct bad_case_s {
    const char *content;
    int line;
    const char *msg;
} bad_case_t;

static void assert_load_error(const char *content, int line, const char *msg)
{
    const char *path = tu_write_temp("scenario", content);
    char err[1024], want[1024];
    am_scenario_t sc;
    int rc;

    rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    if (line)
        snprintf(want, sizeof(want), "%s:%d: %s", path, line, msg);
    else
        snprintf(want, sizeof(want), "%s: %s", path, msg);
    assert_int_not_equal(rc, 0);
    assert_string_equal(err, want);
    assert_null(sc.narration);
}

#define G "[group.a]\ncount = 1\nduration = 1\n" /* a valid group on lines 1-3 */

static const bad_case_t bad_cases[] = {
    /* sections */
    {G "[bogus]\n", 4,
     "unknown section [bogus]; expected [scenario], [group.NAME], [semaphore.NAME], "
     "[lock.NAME], [event.NAME], [condition.NAME], [queue.NAME], [products] or [code]"},
    {G "[Scenario]\ntitle = x\n", 4,
     "unknown section [Scenario]; expected [scenario], [group.NAME], [semaphore.NAME], "
     "[lock.NAME], [event.NAME], [condition.NAME], [queue.NAME], [products] or [code]"},
    {G "[]\n", 4,
     "unknown section []; expected [scenario], [group.NAME], [semaphore.NAME], "
     "[lock.NAME], [event.NAME], [condition.NAME], [queue.NAME], [products] or [code]"},
    {G "[group.]\n", 4,
     "[group.]: expected a group name of 1 to 31 letters, digits, \"_\" or \"-\""},
    {G "[group.a b]\n", 4,
     "[group.a b]: expected a group name of 1 to 31 letters, digits, \"_\" or \"-\""},
    {G "[group.abcdefghijklmnopqrstuvwxyz012345]\n", 4,
     "[group.abcdefghijklmnopqrstuvwxyz012345]: expected a group name of 1 to 31 letters, "
     "digits, \"_\" or \"-\""},
    {G "\n[group.a]\ncount = 2\n", 5, "duplicate section [group.a] (first on line 1)"},
    {"[scenario]\n" G "[scenario]\n", 5, "duplicate section [scenario] (first on line 1)"},
    {G "[group.b\n", 4, "expected \"]\" to close the section name, got \"[group.b\""},
    {G "[group.b ; comment]\n", 4,
     "expected \"]\" to close the section name, got \"[group.b ; comment]\""},
    /* keys */
    {"count = 1\n" G, 1,
     "key \"count\" is outside any section; expected [scenario] or [group.NAME] before it"},
    {"[scenario]\ntitel = x\n" G, 2,
     "unknown key \"titel\" in [scenario]; expected title, narration, combinator, "
     "return_exceptions, return_when, loop, readd_failed, timeout, title.zh, narration.zh or "
     "speed"},
    {G "tasks = 5\n", 4,
     "unknown key \"tasks\" in [group.a]; expected count, duration, fail_rate, steps, timeout, "
     "shield, start, do, repeat, daemon, sequential or cancel_at"},
    {G "Count = 5\n", 4,
     "unknown key \"Count\" in [group.a]; expected count, duration, fail_rate, steps, timeout, "
     "shield, start, do, repeat, daemon, sequential or cancel_at"},
    {G "count = 2\n", 4, "duplicate key \"count\" in [group.a] (first on line 2)"},
    {"[scenario]\ntitle = a\n\ntitle = b\n" G, 4,
     "duplicate key \"title\" in [scenario] (first on line 2)"},
    {G "just some words\n", 4,
     "expected \"key = value\", \"[section]\" or a comment, got \"just some words\""},
    {G "= 5\n", 4, "expected a key name before \"=\", got \"= 5\""},
    {G "steps = 2\n  3\n", 5,
     "indented line continues \"steps\", but only narration, narration.zh, do and python may span "
     "several lines"},
    {"[scenario]\ntitle = A\n  long title\n" G, 3,
     "indented line continues \"title\", but only narration, narration.zh, do and python may span "
     "several lines"},
    /* values */
    {"[group.a]\ncount = abc\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"abc\""},
    {"[group.a]\ncount = 0\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"0\""},
    {"[group.a]\ncount = 100000001\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"100000001\""},
    {"[group.a]\ncount = -5\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"-5\""},
    {"[group.a]\ncount = 2.5\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"2.5\""},
    {"[group.a]\ncount = 1__000\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"1__000\""},
    {"[group.a]\ncount =\nduration = 1\n", 2,
     "count: expected a whole number from 1 to 100000000, got \"\""},
    {"[group.a]\ncount = 99999999\nduration = 1\n[group.b]\ncount = 2\n", 5,
     "count: the groups would have 100000001 tasks in all; at most 100000000"},
    {"[group.a]\ncount = 1\n\n\nduration = uniform 5\n", 5,
     "duration: expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or \"normal MEAN "
     "SD\", got \"uniform 5\""},
    {G "duration = 5 s\n", 4, "duplicate key \"duration\" in [group.a] (first on line 3)"},
    {"[group.a]\ncount = 1\nduration = uniform 5 1\n", 3,
     "duration: expected MIN <= MAX in \"uniform MIN MAX\", got \"uniform 5 1\""},
    {"[group.a]\ncount = 1\nduration = fixed -1\n", 3,
     "duration: expected seconds >= 0, got \"fixed -1\""},
    {"[group.a]\ncount = 1\nduration = normal nan 1\n", 3,
     "duration: expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or \"normal MEAN "
     "SD\", got \"normal nan 1\""},
    {G "fail_rate = 1.5\n", 4, "fail_rate: expected a number from 0 to 1, got \"1.5\""},
    {G "fail_rate = -0.1\n", 4, "fail_rate: expected a number from 0 to 1, got \"-0.1\""},
    {G "fail_rate = 20%\n", 4, "fail_rate: expected a number from 0 to 1, got \"20%\""},
    {G "steps = 0\n", 4, "steps: expected a whole number from 1 to 1000000, got \"0\""},
    {G "steps = 1000001\n", 4, "steps: expected a whole number from 1 to 1000000, got \"1000001\""},
    {G "timeout = -2\n", 4, "timeout: expected seconds >= 0 or \"none\", got \"-2\""},
    {G "timeout = never\n", 4, "timeout: expected seconds >= 0 or \"none\", got \"never\""},
    {G "shield = maybe\n", 4,
     "shield: expected true or false (or yes/no, on/off, 1/0), got \"maybe\""},
    {G "start = -1\n", 4, "start: expected seconds >= 0, got \"-1\""},
    {G "start = none\n", 4, "start: expected seconds >= 0, got \"none\""},
    {"[scenario]\ncombinator = map\n" G, 2,
     "combinator: expected none, gather, as_completed, wait, wait_for or taskgroup, got \"map\""},
    {"[scenario]\nreturn_when = FIRST\n" G, 2,
     "return_when: expected ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION, got \"FIRST\""},
    {"[scenario]\nloop = yes please\n" G, 2,
     "loop: expected true or false (or yes/no, on/off, 1/0), got \"yes please\""},
    {"[scenario]\nreturn_exceptions = 2\n" G, 2,
     "return_exceptions: expected true or false (or yes/no, on/off, 1/0), got \"2\""},
    {"[scenario]\nreadd_failed =\n" G, 2,
     "readd_failed: expected true or false (or yes/no, on/off, 1/0), got \"\""},
    {"[scenario]\ntimeout = 1e999\n" G, 2,
     "timeout: expected seconds >= 0 or \"none\", got \"1e999\""},
    {"[scenario]\ntitle = "
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
     "1234567890123456789012345678901234567\n" G,
     2, "title: too long (128 bytes; at most 127)"},
    /* required keys, at the group's header line */
    {"[group.a]\nduration = 1\n[group.b]\ncount = 1\nduration = 1\n", 1,
     "[group.a]: missing required key \"count\""},
    {G "\n[group.b]\ncount = 1\n", 5,
     "[group.b]: missing required key \"duration\" (or \"do\" for a program)"},
    {G "[group.b]\n", 4, "[group.b]: missing required key \"count\""},
    /* the whole file */
    {"[scenario]\ntitle = nothing to run\n", 0, "no [group.NAME] section"},
    {"", 0, "no [group.NAME] section"},
    {"; only a comment\n\n", 0, "no [group.NAME] section"},
    /* only the first error, with line numbers counted through everything */
    {"; comment\n"
     "[scenario]\n"
     "narration = one\n"
     "  two\n"
     "\n"
     "  three\n"
     "\r\n" G "bogus = 1\n"
     "count = 0\n",
     11,
     "unknown key \"bogus\" in [group.a]; expected count, duration, fail_rate, steps, timeout, "
     "shield, start, do, repeat, daemon, sequential or cancel_at"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        print_message("case %zu\n", i);
        assert_load_error(bad_cases[i].content, bad_cases[i].line, bad_cases[i].msg);
    }
}

static void test_too_many_groups(void **state)
{
    char content[2048] = "";
    size_t len = 0;
    (void)state;

    /* 16 groups of 3 lines load; a 17th header, on line 49, does not. */
    for (int i = 0; i < AM_SCENARIO_MAX_GROUPS + 1; i++)
        len += (size_t)snprintf(content + len, sizeof(content) - len,
                                "[group.g%d]\ncount = 1\nduration = 1\n", i);
    assert_load_error(content, 49, "too many groups (at most 16)");

    content[strlen(content) - strlen("[group.g16]\ncount = 1\nduration = 1\n")] = '\0';
    const char *path = tu_write_temp("scenario", content);
    char err[256];
    am_scenario_t sc;
    int rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    assert_int_equal(rc, 0);
    assert_int_equal(sc.ngroups, AM_SCENARIO_MAX_GROUPS);
}

static void test_nul_byte(void **state)
{
    static const char content[] = "[group.a]\ncount = 1\0\nduration = 1\n";
    char err[256], want[300];
    am_scenario_t sc;
    int rc;
    (void)state;

    const char *path = tu_write_temp_bytes("scenario", content, sizeof(content) - 1);
    rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    assert_int_equal(rc, AM_EPARSE);
    snprintf(want, sizeof(want), "%s:2: unexpected NUL byte (not a text file?)", path);
    assert_string_equal(err, want);
}

static void test_long_lines(void **state)
{
    char content[1024];
    (void)state;

    /* 198 characters is the longest line inih takes whole. */
    memset(content, 'x', sizeof(content));
    content[0] = ';';
    strcpy(content + 198, "\n" G);
    const char *path = tu_write_temp("scenario", content);
    char err[1024];
    am_scenario_t sc;
    int rc = am_scenario_load(path, &sc, err, sizeof(err));
    tu_remove_temp(path);
    assert_int_equal(rc, 0);
    assert_int_equal(sc.groups[0].line, 2);

    memset(content, 'x', sizeof(content));
    content[0] = ';';
    strcpy(content + 199, "\n" G);
    assert_load_error(content, 1, "line too long (at most 198 characters)");

    /* One far longer, after a good line: reported once, at its own line. */
    memcpy(content, G, strlen(G));
    memset(content + strlen(G), 'y', 900);
    strcpy(content + strlen(G) + 900, "\nbogus\n");
    assert_load_error(content, 4, "line too long (at most 198 characters)");
}

static void test_open_errors(void **state)
{
    char err[1024];
    am_scenario_t sc;
    (void)state;

    assert_int_equal(am_scenario_load("/tmp/am-no-such-dir/x.ini", &sc, err, sizeof(err)),
                     AM_ENOENT);
    assert_string_equal(err, "/tmp/am-no-such-dir/x.ini: cannot open: No such file or directory");
    assert_int_not_equal(am_scenario_load("/tmp", &sc, err, sizeof(err)), 0);
    assert_string_equal(err, "/tmp: cannot open: Is a directory");
    /* err may be tiny or absent */
    assert_int_equal(am_scenario_load("/tmp/am-no-such-dir/x.ini", &sc, err, 4), AM_ENOENT);
    assert_string_equal(err, "/tm");
    assert_int_equal(am_scenario_load("/tmp/am-no-such-dir/x.ini", &sc, NULL, 0), AM_ENOENT);
}

static void test_name(void **state)
{
    char dir[] = "/tmp/am_scenario_dir_XXXXXX", path[128], err[256];
    am_scenario_t sc;
    FILE *f;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/my_demo.ini", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(G, f);
    fclose(f);
    int rc = am_scenario_load(path, &sc, err, sizeof(err));
    unlink(path);
    rmdir(dir);
    assert_int_equal(rc, 0);
    assert_string_equal(sc.name, "my_demo");
    assert_string_equal(sc.title, "my_demo");
}

static void set_counts(am_scenario_t *sc, const uint64_t *counts, size_t n)
{
    memset(sc, 0, sizeof(*sc));
    sc->ngroups = n;
    for (size_t i = 0; i < n; i++)
        sc->groups[i].count = counts[i];
}

static void test_set_tasks(void **state)
{
    static const uint64_t as_completed[] = {20, 1}, skewed[] = {100, 1, 1}, even[] = {10, 10, 10};
    am_scenario_t sc;
    (void)state;

    set_counts(&sc, as_completed, 2);
    assert_int_equal(am_scenario_set_tasks(&sc, 100), 0);
    assert_int_equal(sc.groups[0].count, 96); /* 95 + the rounding */
    assert_int_equal(sc.groups[1].count, 4);
    assert_int_equal(am_scenario_set_tasks(&sc, 2), 0);
    assert_int_equal(sc.groups[0].count, 1);
    assert_int_equal(sc.groups[1].count, 1);
    assert_int_equal(am_scenario_set_tasks(&sc, 1), AM_EINVAL); /* fewer than groups */
    assert_int_equal(am_scenario_set_tasks(&sc, 0), AM_EINVAL);
    assert_int_equal(am_scenario_set_tasks(&sc, AM_MAX_TASKS + 1), AM_EINVAL);
    assert_int_equal(am_scenario_set_tasks(&sc, AM_MAX_TASKS), 0);
    assert_int_equal(am_scenario_tasks(&sc), AM_MAX_TASKS);

    set_counts(&sc, skewed, 3);
    assert_int_equal(am_scenario_set_tasks(&sc, 3), 0);
    assert_int_equal(sc.groups[0].count, 1);
    assert_int_equal(sc.groups[1].count, 1);
    assert_int_equal(sc.groups[2].count, 1);
    assert_int_equal(am_scenario_set_tasks(&sc, 4), 0);
    assert_int_equal(sc.groups[0].count, 2);

    set_counts(&sc, even, 3);
    assert_int_equal(am_scenario_set_tasks(&sc, 10), 0);
    assert_int_equal(sc.groups[0].count, 4); /* first of the largest absorbs the rest */
    assert_int_equal(sc.groups[1].count, 3);
    assert_int_equal(sc.groups[2].count, 3);

    /* Property: the counts add up to n and no group is emptied. */
    srand(1);
    for (int round = 0; round < 2000; round++) {
        uint64_t counts[AM_SCENARIO_MAX_GROUPS];
        size_t n = 1 + (size_t)rand() % AM_SCENARIO_MAX_GROUPS;
        for (size_t i = 0; i < n; i++)
            counts[i] = 1 + (uint64_t)(rand() % (round % 2 ? 5 : 100000));
        set_counts(&sc, counts, n);
        uint64_t want = n + (uint64_t)(rand() % 1000);
        assert_int_equal(am_scenario_set_tasks(&sc, want), 0);
        assert_int_equal(am_scenario_tasks(&sc), want);
        for (size_t i = 0; i < n; i++)
            assert_true(sc.groups[i].count >= 1);
    }

    memset(&sc, 0, sizeof(sc));
    assert_int_equal(am_scenario_set_tasks(&sc, 10), AM_EINVAL); /* no groups */
}

static void test_combinator_names(void **state)
{
    (void)state;
    assert_string_equal(am_combinator_name(AM_COMB_NONE), "none");
    assert_string_equal(am_combinator_name(AM_COMB_GATHER), "gather");
    assert_string_equal(am_combinator_name(AM_COMB_AS_COMPLETED), "as_completed");
    assert_string_equal(am_combinator_name(AM_COMB_WAIT), "wait");
    assert_string_equal(am_combinator_name(AM_COMB_WAIT_FOR), "wait_for");
    assert_string_equal(am_combinator_name(AM_COMB_TASKGROUP), "taskgroup");
    assert_string_equal(am_combinator_name((am_combinator_t)99), "unknown");
}

typedef struct listing_s {
    char text[16384]; /* every shipped demo's name and title */
    int n;
} listing_t;

static void collect(const char *name, const char *title, void *ud)
{
    listing_t *l = ud;
    size_t len = strlen(l->text);
    snprintf(l->text + len, sizeof(l->text) - len, "%s|%s\n", name, title);
    l->n++;
}

static void test_demo_dir(void **state)
{
    char demo[1024], path[1024], err[1024], want[2048];
    listing_t l;
    (void)state;

    tu_source_path(demo, sizeof(demo), "demo");
    setenv("ASYNCMON_DEMO_DIR", demo, 1);
    assert_string_equal(am_demo_dir(), demo);

    assert_int_equal(am_demo_resolve("gather", path, sizeof(path), err, sizeof(err)), 0);
    snprintf(want, sizeof(want), "%s/gather.ini", demo);
    assert_string_equal(path, want);

    assert_int_equal(am_demo_resolve("nope", path, sizeof(path), err, sizeof(err)), AM_ENOENT);
    snprintf(want, sizeof(want), "unknown demo \"nope\": no %s/nope.ini (see --list-demos)", demo);
    assert_string_equal(err, want);

    assert_int_equal(am_demo_resolve("bad name!", path, sizeof(path), err, sizeof(err)), AM_ENOENT);
    assert_string_equal(err, "unknown demo \"bad name!\": expected a demo name (see --list-demos) "
                             "or a path to an .ini file");

    /* A path: contains '/' or ends in .ini; it must exist. */
    snprintf(want, sizeof(want), "%s/wait.ini", demo);
    assert_int_equal(am_demo_resolve(want, path, sizeof(path), err, sizeof(err)), 0);
    assert_string_equal(path, want);
    assert_int_equal(am_demo_resolve("missing.ini", path, sizeof(path), err, sizeof(err)),
                     AM_ENOENT);
    assert_string_equal(err, "missing.ini: cannot open: No such file or directory");
    assert_int_equal(am_demo_resolve("gather", path, 8, err, sizeof(err)), AM_EINVAL);

    memset(&l, 0, sizeof(l));
    assert_int_equal(am_demo_list(collect, &l), 0);
    assert_true(l.n >= 3);
    /* sorted by name */
    char *ac = strstr(l.text, "as_completed|"), *g = strstr(l.text, "\ngather|"),
         *w = strstr(l.text, "\nwait|");
    assert_non_null(ac);
    assert_non_null(g);
    assert_non_null(w);
    assert_true(ac < g && g < w);
    assert_non_null(strstr(l.text, "gather|asyncio.gather"));

#ifdef ASYNCMON_SOURCE_DIR
    unsetenv("ASYNCMON_DEMO_DIR");
    assert_string_equal(am_demo_dir(), ASYNCMON_SOURCE_DIR "/demo");
#endif
}

static void test_demo_list_own_dir(void **state)
{
    char dir[] = "/tmp/am_scenario_demos_XXXXXX", path[128];
    listing_t l;
    FILE *f;
    (void)state;

    assert_non_null(mkdtemp(dir));
    static const char *const files[][2] = {
        {"b.ini", "[scenario]\ntitle = Bee\n" G}, {"a-b.ini", G},
        {"a.ini", "[scenario]\ntitle = Ay\n" G},  {"broken.ini", "[oops]\n"},
        {"notes.txt", "not a scenario"},          {".hidden.ini", G},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(files[i][1], f);
        fclose(f);
    }
    setenv("ASYNCMON_DEMO_DIR", dir, 1);
    memset(&l, 0, sizeof(l));
    int rc = am_demo_list(collect, &l);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
        unlink(path);
    }
    rmdir(dir);
    assert_int_equal(rc, 0);
    assert_string_equal(l.text, "a|Ay\na-b|a-b\nb|Bee\nbroken|(invalid scenario file)\n");

    setenv("ASYNCMON_DEMO_DIR", "/tmp/am-no-such-dir", 1);
    assert_int_equal(am_demo_list(collect, &l), AM_ENOENT);
    unsetenv("ASYNCMON_DEMO_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_gather),
        cmocka_unit_test(test_demo_as_completed),
        cmocka_unit_test(test_demo_wait),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_groups),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_set_tasks),
        cmocka_unit_test(test_combinator_names),
        cmocka_unit_test(test_demo_dir),
        cmocka_unit_test(test_demo_list_own_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
