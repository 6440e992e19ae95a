/* Unit tests for src/run/args.c: the options of `asyncmon run` (values,
 * errors, the common options passed on) and the job list they make: {} in
 * each word or the line appended, --shell quoting, -a and -f files with
 * blank lines and comments, errors as FILE:LINE. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "run/cmd.h"
#include "testutil.h"

/* Parse "asyncmon run ARGS..." (NULL-terminated); returns the code, err in *err. */
static int parse(am_run_opts_t *o, char *err, size_t errsize, ...)
{
    static char *argv[64];
    int argc = 0;
    argv[argc++] = "asyncmon";
    argv[argc++] = "run";
    va_list ap;
    va_start(ap, errsize);
    for (char *a = va_arg(ap, char *); a && argc < 63; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    err[0] = '\0';
    return am_run_parse_args(argc, argv, o, err, errsize);
}

static void test_options(void **state)
{
    (void)state;
    static am_run_opts_t o;
    char err[512];
    setenv("ASYNCMON_CONFIG", "", 1);
    assert_int_equal(parse(&o, err, sizeof err, "-j", "3", "--timeout", "1.5", "--grace=0",
                           "--retries", "2", "--shell", "--joblog", "log.tsv", "--output-dir",
                           "out", "--headless", "--ascii", "--theme", "mono", "--", "echo", "{}",
                           NULL),
                     0);
    assert_int_equal(o.jobs, 3);
    assert_true(o.timeout == 1.5);
    assert_true(o.grace == 0);
    assert_int_equal(o.retries, 2);
    assert_true(o.shell);
    assert_string_equal(o.joblog, "log.tsv");
    assert_string_equal(o.outdir, "out");
    assert_true(o.common.cfg.headless);
    assert_true(o.common.cfg.ascii);
    assert_string_equal(o.common.cfg.theme, "mono");
    assert_int_equal(o.ncmd, 2);
    assert_string_equal(o.cmd[0], "echo");
    assert_string_equal(o.cmd[1], "{}");
    /* -jN, and the command starting at the first word that is no option */
    assert_int_equal(parse(&o, err, sizeof err, "-j12", "wc", "-l", NULL), 0);
    assert_int_equal(o.jobs, 12);
    assert_int_equal(o.ncmd, 2);
    assert_string_equal(o.cmd[1], "-l");
    assert_true(o.grace == AM_RUN_DEFAULT_GRACE);
    assert_int_equal(parse(&o, err, sizeof err, "-f", "jobs.txt", NULL), 0);
    assert_string_equal(o.jobs_file, "jobs.txt");
    assert_int_equal(parse(&o, err, sizeof err, "--help", NULL), 0);
    assert_true(o.help);
}

static void test_option_errors(void **state)
{
    (void)state;
    static am_run_opts_t o;
    char err[512];
    assert_int_equal(parse(&o, err, sizeof err, "-j", "0", "--", "true", NULL), AM_EINVAL);
    assert_string_equal(err, "-j: expected a whole number from 1 to 4096, got '0'");
    assert_int_equal(parse(&o, err, sizeof err, "--timeout", "0", "--", "true", NULL), AM_EINVAL);
    assert_string_equal(err, "--timeout: expected seconds (a number > 0), got '0'");
    assert_int_equal(parse(&o, err, sizeof err, "--grace", "soon", "--", "true", NULL), AM_EINVAL);
    assert_string_equal(err, "--grace: expected seconds (a number >= 0), got 'soon'");
    assert_int_equal(parse(&o, err, sizeof err, "--shell=yes", "true", NULL), AM_EINVAL);
    assert_string_equal(err, "--shell: takes no value");
    assert_int_equal(parse(&o, err, sizeof err, "--joblog", NULL), AM_EINVAL);
    assert_string_equal(err, "--joblog: expected a value");
    assert_int_equal(parse(&o, err, sizeof err, "--speed", "2", "true", NULL), AM_EINVAL);
    assert_string_equal(err, "run: unknown option '--speed'");
    assert_int_equal(parse(&o, err, sizeof err, "--theme", "nosuch", "true", NULL), 0);
    assert_int_equal(parse(&o, err, sizeof err, NULL), AM_EINVAL);
    assert_non_null(strstr(err, "expected a command"));
    assert_int_equal(parse(&o, err, sizeof err, "-f", "x", "-a", "y", NULL), AM_EINVAL);
    assert_non_null(strstr(err, "-a gives the {} lines"));
}

/* The jobs of opts as "argv0|argv1|..." lines. */
static void assert_jobs(const am_run_opts_t *o, int n, ...)
{
    am_run_specs_t s;
    char err[512] = "";
    if (am_run_build_jobs(o, 1, &s, err, sizeof err) != 0) fail_msg("build: %s", err);
    assert_int_equal(s.n, (size_t)n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        char got[1024] = "";
        for (char **a = s.v[i].argv; *a; a++) {
            if (a != s.v[i].argv) strcat(got, "|");
            strcat(got, *a);
        }
        assert_string_equal(got, va_arg(ap, const char *));
    }
    va_end(ap);
    am_run_specs_free(&s);
}

static void test_template_jobs(void **state)
{
    (void)state;
    static am_run_opts_t o;
    char err[512];
    const char *in = tu_write_temp("args", "a b\n\n  \nit's $(x); y\r\nlast");
    assert_int_equal(parse(&o, err, sizeof err, "-a", in, "--", "cp", "{}", "{}.bak", NULL), 0);
    assert_jobs(&o, 3, "cp|a b|a b.bak", "cp|it's $(x); y|it's $(x); y.bak", "cp|last|last.bak");
    assert_int_equal(parse(&o, err, sizeof err, "-a", in, "--", "echo", "x", NULL), 0);
    assert_jobs(&o, 3, "echo|x|a b", "echo|x|it's $(x); y", "echo|x|last");
    /* --shell: the words are shell text, the line goes in quoted */
    assert_int_equal(parse(&o, err, sizeof err, "--shell", "-a", in, "--", "echo {} | wc", NULL),
                     0);
    assert_jobs(&o, 3, "/bin/sh|-c|echo 'a b' | wc", "/bin/sh|-c|echo 'it'\\''s $(x); y' | wc",
                "/bin/sh|-c|echo 'last' | wc");
    /* no input (a terminal): a command without {} runs once, with {} it is an error */
    assert_int_equal(parse(&o, err, sizeof err, "make", "all", NULL), 0);
    assert_jobs(&o, 1, "make|all");
    assert_int_equal(parse(&o, err, sizeof err, "echo", "{}", NULL), 0);
    am_run_specs_t s;
    assert_int_equal(am_run_build_jobs(&o, 1, &s, err, sizeof err), AM_EINVAL);
    assert_non_null(strstr(err, "{} needs input lines"));
    tu_remove_temp(in);
}

static void test_jobs_file(void **state)
{
    (void)state;
    static am_run_opts_t o;
    char err[512];
    const char *f = tu_write_temp("jobs", "# build\nmake -C 'a dir'\n\n   # indented comment\n"
                                          "echo \"x y\" z\n");
    assert_int_equal(parse(&o, err, sizeof err, "-f", f, NULL), 0);
    assert_jobs(&o, 2, "make|-C|a dir", "echo|x y|z");
    assert_int_equal(parse(&o, err, sizeof err, "--shell", "-f", f, NULL), 0);
    assert_jobs(&o, 2, "/bin/sh|-c|make -C 'a dir'", "/bin/sh|-c|echo \"x y\" z");
    tu_remove_temp(f);

    f = tu_write_temp("jobs", "true\n\nsleep 'x\n");
    assert_int_equal(parse(&o, err, sizeof err, "-f", f, NULL), 0);
    am_run_specs_t s;
    assert_int_equal(am_run_build_jobs(&o, 1, &s, err, sizeof err), AM_EPARSE);
    char want[512];
    snprintf(want, sizeof want, "%s:3: column 7: expected a closing ' for the one opened", f);
    assert_string_equal(err, want);
    tu_remove_temp(f);

    assert_int_equal(parse(&o, err, sizeof err, "-f", "/nonexistent/jobs", NULL), 0);
    assert_int_equal(am_run_build_jobs(&o, 1, &s, err, sizeof err), AM_EIO);
    assert_string_equal(err, "/nonexistent/jobs: cannot read: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_template_jobs),
        cmocka_unit_test(test_jobs_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
