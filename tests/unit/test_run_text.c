/* Unit tests for src/run/text.c: argv splitting without a shell, {}
 * substitution and quoting, the progress parser over lines real tools print
 * (tqdm, pip, curl, wget, rsync, make, pytest...), the ring of last lines
 * with '\r' rewrites, and the joblog line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "run/run.h"

/* ---- splitting ---- */

static void assert_split(const char *line, int n, ...)
{
    char **argv = NULL, err[128] = "";
    int got = am_run_split(line, &argv, err, sizeof err);
    if (got != n) fail_msg("'%s': %d words (%s), expected %d", line, got, err, n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(argv[i], va_arg(ap, const char *));
    va_end(ap);
    if (n > 0) assert_null(argv[n]);
    am_run_argv_free(argv);
}

static void test_split_words(void **state)
{
    (void)state;
    assert_split("", 0);
    assert_split("   \t ", 0);
    assert_split("ls", 1, "ls");
    assert_split("  ls   -l\t/tmp  ", 3, "ls", "-l", "/tmp");
    assert_split("echo 'a b'  \"c d\"", 3, "echo", "a b", "c d");
    assert_split("echo it\\'s a\\ b", 3, "echo", "it's", "a b");
    assert_split("echo 'x'\"y\"z", 2, "echo", "xyz");
    assert_split("echo \"q\\\"q \\\\ \\$HOME \\n\"", 2, "echo", "q\"q \\ $HOME \\n");
    assert_split("echo '' \"\"", 3, "echo", "", "");
    /* no shell: metacharacters are plain text */
    assert_split("echo $HOME; rm -rf / | cat > x", 9, "echo", "$HOME;", "rm", "-rf", "/", "|",
                 "cat", ">", "x");
}

static void test_split_errors(void **state)
{
    (void)state;
    char **argv = (char **)1, err[128];
    assert_int_equal(am_run_split("echo 'open", &argv, err, sizeof err), AM_EPARSE);
    assert_null(argv);
    assert_string_equal(err, "column 6: expected a closing ' for the one opened");
    assert_int_equal(am_run_split("a \"b", &argv, err, sizeof err), AM_EPARSE);
    assert_string_equal(err, "column 3: expected a closing \" for the one opened");
    assert_int_equal(am_run_split("a b\\", &argv, err, sizeof err), AM_EPARSE);
    assert_string_equal(err, "column 4: expected a character after \\");
}

static void test_subst_and_quote(void **state)
{
    (void)state;
    char *s = am_run_subst("x{}y{}z", "AB");
    assert_string_equal(s, "xAByABz");
    free(s);
    s = am_run_subst("no slot", "AB");
    assert_string_equal(s, "no slot");
    free(s);
    s = am_run_subst("{}", "");
    assert_string_equal(s, "");
    free(s);
    assert_true(am_run_has_slot("a{}"));
    assert_false(am_run_has_slot("a{ }"));
    s = am_run_shell_quote("it's; rm -rf /");
    assert_string_equal(s, "'it'\\''s; rm -rf /'");
    free(s);
    char *argv[] = {"sh", "-c", "echo hi", "a'b", "", "x=1,y/z", NULL};
    s = am_run_argv_join(argv);
    assert_string_equal(s, "sh -c 'echo hi' 'a'\\''b' '' x=1,y/z");
    free(s);
}

/* ---- progress ---- */

static void assert_progress(const char *line, int found, uint32_t n, uint32_t total)
{
    uint32_t gn = 99999, gt = 99999;
    int got = am_run_parse_progress(line, strlen(line), &gn, &gt);
    if (got != found) fail_msg("'%s': found %d, expected %d", line, got, found);
    if (found && (gn != n || gt != total))
        fail_msg("'%s': %u/%u, expected %u/%u", line, gn, gt, n, total);
}

static void test_progress_counts(void **state)
{
    (void)state;
    assert_progress("3/10", 1, 3, 10);
    assert_progress("step 7/10: compiling", 1, 7, 10);
    assert_progress("[ 12/345] Building C object src/x.c.o", 1, 12, 345);
    assert_progress("(1/2) (2/2)", 1, 2, 2);
    assert_progress("Downloading 0/0", 0, 0, 0);
    assert_progress("11/10 overshoot", 0, 0, 0);
    /* not counts: paths, dates, rates, fractions, words, sizes */
    assert_progress("/usr/lib/1/2/x", 0, 0, 0);
    assert_progress("on 2024/01/02", 0, 0, 0);
    assert_progress("12 it/s", 0, 0, 0);
    assert_progress("ratio 1.5/2", 0, 0, 0);
    assert_progress("v2/3 x3/4y", 0, 0, 0);
    assert_progress("45.0M/100M", 0, 0, 0);
    assert_progress("see 3/4.5", 0, 0, 0);
    assert_progress("done 3/4.", 1, 3, 4);
    assert_progress("12345678901/12345678902", 0, 0, 0);
}

static void test_progress_percent(void **state)
{
    (void)state;
    assert_progress("45%", 1, 450, 1000);
    assert_progress("Progress: 99.5% done", 1, 995, 1000);
    assert_progress("100%", 1, 1000, 1000);
    assert_progress("  0%", 1, 0, 1000);
    assert_progress("10% then 20%", 1, 200, 1000);
    assert_progress("150% over", 0, 0, 0);
    assert_progress("x5%", 0, 0, 0);
    assert_progress("%", 0, 0, 0);
    /* curl's meter: the first column is the percentage */
    assert_progress(
        " 37  100M   37 37.2M    0     0  98.1M      0  0:00:01 --:--:--  0:00:01 98.0M", 0, 0, 0);
    /* wget */
    assert_progress("file.iso   42%[=======>     ]  4.20M  1.05MB/s    eta 6s", 1, 420, 1000);
    /* rsync --info=progress2 */
    assert_progress("    1,234,567  45%   10.00MB/s    0:00:01 (xfr#3, to-chk=7/10)", 1, 450, 1000);
    assert_progress("loss=3/4", 0, 0, 0); /* a key=value is no count */
    /* pip */
    assert_progress("   ━━━━━━━━━━━━━━━━━━━━ 2.1/2.1 MB 5.0 MB/s eta 0:00:00", 0, 0, 0);
}

static void test_progress_tqdm(void **state)
{
    (void)state;
    assert_progress(" 45%|████▌     | 45/100 [00:01<00:01, 45.00it/s]", 1, 45, 100);
    assert_progress("train: 100%|██████████| 10/10 [00:00<00:00, 99.12it/s]", 1, 10, 10);
    assert_progress("  3%|▎         | 3/100 [00:00<00:03, 29.41it/s, loss=0.5]", 1, 3, 100);
    /* unit_scale: only the percentage is a count */
    assert_progress(" 45%|████▌     | 45.0M/100M [00:01<00:01, 45.0MB/s]", 1, 450, 1000);
    /* total unknown: no progress */
    assert_progress("123it [00:01, 99.00it/s]", 0, 0, 0);
    /* pytest */
    assert_progress("tests/test_x.py ....                                   [ 40%]", 1, 400, 1000);
}

/* ---- the ring ---- */

typedef struct {
    char seen[16][64];
    int n;
} lines_t;

static void on_line(void *ud, const char *line, size_t len)
{
    lines_t *l = ud;
    assert_int_equal(strlen(line), len);
    if (l->n < 16) snprintf(l->seen[l->n++], sizeof l->seen[0], "%s", line);
}

static void test_ring_lines(void **state)
{
    (void)state;
    am_ring_t r;
    lines_t l = {0};
    am_ring_init(&r);
    assert_int_equal(am_ring_count(&r), 0);
    assert_string_equal(am_ring_last(&r), "");
    assert_null(r.lines); /* nothing allocated for a silent job */
    const char *text = "one\ntw";
    assert_int_equal(am_ring_feed(&r, text, strlen(text), on_line, &l), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.seen[0], "one");
    assert_int_equal(am_ring_count(&r), 2);
    assert_string_equal(am_ring_line(&r, 1), "tw");
    am_ring_feed(&r, "o\n\nthree\n", 9, on_line, &l);
    assert_int_equal(am_ring_count(&r), 4);
    assert_string_equal(am_ring_line(&r, 0), "one");
    assert_string_equal(am_ring_line(&r, 1), "two");
    assert_string_equal(am_ring_line(&r, 2), "");
    assert_string_equal(am_ring_line(&r, 3), "three");
    assert_string_equal(am_ring_line(&r, 4), "");
    assert_string_equal(am_ring_last(&r), "three");
    assert_int_equal(r.bytes, 15);
    assert_int_equal(r.nlines, 4);
    am_ring_free(&r);
}

static void test_ring_cr_rewrites(void **state)
{
    (void)state;
    am_ring_t r;
    lines_t l = {0};
    am_ring_init(&r);
    /* a tqdm bar redrawn in place, split across reads */
    const char *chunks[] = {"  0%| | 0/3\r 33%|", "| 1/3\r 67%| | 2/3", "\r100%| | 3/3\n",
                            "ok\r\n"};
    for (size_t i = 0; i < 4; i++)
        am_ring_feed(&r, chunks[i], strlen(chunks[i]), on_line, &l);
    assert_int_equal(l.n, 6);
    assert_string_equal(l.seen[0], "  0%| | 0/3");
    assert_string_equal(l.seen[1], " 33%|| 1/3");
    assert_string_equal(l.seen[2], " 67%| | 2/3");
    assert_string_equal(l.seen[3], "100%| | 3/3");
    assert_string_equal(l.seen[4], "ok"); /* at '\r'... */
    assert_string_equal(l.seen[5], "ok"); /* ...and at the '\n' that ends the line */
    /* the tail holds the last state of each line, as a terminal shows it */
    assert_int_equal(am_ring_count(&r), 2);
    assert_string_equal(am_ring_line(&r, 0), "100%| | 3/3");
    assert_string_equal(am_ring_line(&r, 1), "ok");
    am_ring_free(&r);
}

static void test_ring_wraps_and_cuts(void **state)
{
    (void)state;
    am_ring_t r;
    am_ring_init(&r);
    char buf[32];
    for (int i = 0; i < 1000; i++) {
        int k = snprintf(buf, sizeof buf, "line %d\n", i);
        am_ring_feed(&r, buf, (size_t)k, NULL, NULL);
    }
    assert_int_equal(am_ring_count(&r), AM_RING_LINES - 1);
    snprintf(buf, sizeof buf, "line %d", 1000 - (AM_RING_LINES - 1));
    assert_string_equal(am_ring_line(&r, 0), buf);
    assert_string_equal(am_ring_last(&r), "line 999");
    char long_line[AM_RING_LINE * 3];
    memset(long_line, 'x', sizeof long_line);
    long_line[sizeof long_line - 1] = '\n';
    am_ring_feed(&r, long_line, sizeof long_line, NULL, NULL);
    assert_int_equal(strlen(am_ring_last(&r)), AM_RING_LINE - 1);
    am_ring_free(&r);
}

static void test_ring_pack(void **state)
{
    (void)state;
    am_ring_t r;
    am_ring_init(&r);
    assert_int_equal(am_ring_pack(&r), 0); /* nothing to pack */
    assert_null(r.packed);
    char buf[32];
    for (int i = 0; i < 100; i++) {
        int k = snprintf(buf, sizeof buf, "line %d\n", i);
        am_ring_feed(&r, buf, (size_t)k, NULL, NULL);
    }
    am_ring_feed(&r, "partial", 7, NULL, NULL);
    assert_int_equal(am_ring_count(&r), AM_RING_LINES);
    assert_int_equal(am_ring_pack(&r), 0);
    assert_null(r.lines);
    assert_non_null(r.packed);
    assert_int_equal(am_ring_count(&r), AM_RING_LINES);
    snprintf(buf, sizeof buf, "line %d", 100 - (AM_RING_LINES - 1));
    assert_string_equal(am_ring_line(&r, 0), buf);
    assert_string_equal(am_ring_line(&r, AM_RING_LINES - 2), "line 99");
    assert_string_equal(am_ring_last(&r), "partial");
    assert_string_equal(am_ring_line(&r, AM_RING_LINES), "");
    /* fed again (a retry): slots again, the old tail kept as lines */
    am_ring_feed(&r, "again\n", 6, NULL, NULL);
    assert_null(r.packed);
    assert_int_equal(am_ring_count(&r), AM_RING_LINES - 1);
    assert_string_equal(am_ring_last(&r), "again");
    assert_string_equal(am_ring_line(&r, AM_RING_LINES - 3), "partial");
    assert_int_equal(r.nlines, 101);
    am_ring_free(&r);
}

/* ---- joblog ---- */

static void test_joblog_line(void **state)
{
    (void)state;
    char buf[256];
    int k = am_joblog_format(buf, sizeof buf, 7, 1700000000.1234, 1.5, 42, 3, 0, "sh -c 'a\tb'\nx");
    assert_string_equal(buf, "7\t:\t1700000000.123\t     1.500\t0\t42\t3\t0\tsh -c 'a b' x\n");
    assert_int_equal(k, (int)strlen(buf));
    am_joblog_format(buf, sizeof buf, 1, 0, 0.25, 0, 0, 9, "sleep 9");
    assert_string_equal(buf, "1\t:\t0.000\t     0.250\t0\t0\t0\t9\tsleep 9\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_words),         cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_subst_and_quote),     cmocka_unit_test(test_progress_counts),
        cmocka_unit_test(test_progress_percent),    cmocka_unit_test(test_progress_tqdm),
        cmocka_unit_test(test_ring_lines),          cmocka_unit_test(test_ring_cr_rewrites),
        cmocka_unit_test(test_ring_wraps_and_cuts), cmocka_unit_test(test_ring_pack),
        cmocka_unit_test(test_joblog_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
