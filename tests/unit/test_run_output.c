/* Unit tests for src/run/output.c: the jobs' output passed through grouped
 * per job, by whole lines, tagged, in order, across retries, spooled to
 * temporary files beyond the memory budget, binary-safe, and with a reader
 * gone. The two descriptors are temporary files read back after each step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/output.h"

typedef struct fx_s {
    FILE *f[2]; /* what the jobs' stdout and stderr became */
    am_out_t *o;
} fx_t;

static fx_t *fx_open(int mode, int tag, int keep, size_t budget)
{
    fx_t *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->f[0] = tmpfile();
    x->f[1] = tmpfile();
    assert_non_null(x->f[0]);
    assert_non_null(x->f[1]);
    x->o = am_out_new(mode, tag, keep, fileno(x->f[0]), fileno(x->f[1]), budget);
    assert_non_null(x->o);
    return x;
}

static void fx_close(fx_t *x)
{
    am_out_free(x->o);
    fclose(x->f[0]);
    fclose(x->f[1]);
    free(x);
}

/* Everything written to stream e so far (malloc'd, NUL after it; *len its size). */
static char *got(fx_t *x, int e, size_t *len)
{
    int fd = fileno(x->f[e]);
    off_t end = lseek(fd, 0, SEEK_END);
    char *buf = malloc((size_t)end + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)end, 0), end);
    buf[end] = '\0';
    if (len) *len = (size_t)end;
    return buf;
}

static void assert_got(fx_t *x, int e, const char *want)
{
    char *s = got(x, e, NULL);
    assert_string_equal(s, want);
    free(s);
}

static void put(fx_t *x, uint32_t seq, int e, const char *s)
{
    assert_int_equal(am_out_data(x->o, seq, 1, e, s, strlen(s)), 0);
}

static void test_grouped(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_GROUP, 0, 0, AM_OUT_MEM_BUDGET);
    put(x, 1, 0, "one a\n");
    put(x, 2, 0, "two a\n");
    put(x, 1, 1, "one err\n");
    put(x, 1, 0, "one b\n");
    put(x, 2, 0, "two b"); /* no newline at the end */
    assert_got(x, 0, "");  /* nothing before a job ends */
    am_out_end(x->o, 2, 1);
    assert_got(x, 0, "two a\ntwo b"); /* as it ends, not in seq order */
    am_out_end(x->o, 1, 1);
    assert_got(x, 0, "two a\ntwo bone a\none b\n"); /* no newline added */
    assert_got(x, 1, "one err\n");
    assert_int_equal(am_out_lost(x->o), 0);
    fx_close(x);
}

static void test_tagged(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_GROUP, 1, 0, AM_OUT_MEM_BUDGET);
    assert_int_equal(am_out_set_tag(x->o, 1, "in 1"), 0);
    assert_int_equal(am_out_set_tag(x->o, 2, "b"), 0);
    put(x, 1, 0, "x\ny");
    put(x, 1, 0, "z\n\nlast");
    put(x, 1, 1, "e\n");
    put(x, 2, 0, "q\n");
    am_out_end(x->o, 1, 1);
    am_out_end(x->o, 2, 1);
    /* each line, the empty one too, and the partial last one; the next job's first line too */
    assert_got(x, 0, "in 1\tx\nin 1\tyz\nin 1\t\nin 1\tlastb\tq\n");
    assert_got(x, 1, "in 1\te\n");
    fx_close(x);
}

static void test_line_buffer(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_LINE, 1, 0, AM_OUT_MEM_BUDGET);
    am_out_set_tag(x->o, 1, "1");
    am_out_set_tag(x->o, 2, "2");
    put(x, 1, 0, "a1 ");
    assert_got(x, 0, ""); /* half a line waits */
    put(x, 2, 0, "b1\nb2 ");
    assert_got(x, 0, "2\tb1\n");
    put(x, 1, 0, "end\na2");
    assert_got(x, 0, "2\tb1\n1\ta1 end\n");
    put(x, 2, 1, "warn\n");
    assert_got(x, 1, "2\twarn\n");
    am_out_end(x->o, 2, 1); /* its line in progress, at its end */
    am_out_end(x->o, 1, 1);
    assert_got(x, 0, "2\tb1\n1\ta1 end\n2\tb2 1\ta2");
    fx_close(x);
}

static char after_seqs[32];
static void on_after(void *ud, uint32_t seq)
{
    (void)ud;
    size_t n = strlen(after_seqs);
    if (n + 1 < sizeof after_seqs) after_seqs[n] = (char)('0' + seq);
}

static void test_keep_order_grouped(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_GROUP, 0, 1, AM_OUT_MEM_BUDGET);
    after_seqs[0] = '\0';
    am_out_set_after(x->o, on_after, NULL);
    put(x, 3, 0, "3\n");
    put(x, 1, 0, "1\n");
    put(x, 2, 0, "2\n");
    am_out_end(x->o, 3, 1);
    assert_got(x, 0, "");
    am_out_end(x->o, 1, 1);
    assert_got(x, 0, "1\n");
    am_out_end(x->o, 4, 0); /* never ran (cancelled while queued): nothing, but its turn passes */
    am_out_end(x->o, 2, 1);
    assert_got(x, 0, "1\n2\n3\n");
    put(x, 5, 0, "5\n");
    am_out_end(x->o, 5, 1);
    assert_got(x, 0, "1\n2\n3\n5\n");
    assert_string_equal(after_seqs, "12345"); /* each told once, in order, after its output */
    fx_close(x);
}

static void test_keep_order_lines(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_LINE, 0, 1, AM_OUT_MEM_BUDGET);
    put(x, 2, 0, "two\ntw");
    put(x, 1, 0, "one\n");
    assert_got(x, 0, "one\n"); /* the oldest job is live, the next waits */
    am_out_end(x->o, 1, 1);
    assert_got(x, 0, "one\ntwo\n"); /* its turn: its whole lines, not the partial one */
    put(x, 2, 0, "o\n");
    assert_got(x, 0, "one\ntwo\ntwo\n");
    am_out_end(x->o, 2, 1);
    assert_got(x, 0, "one\ntwo\ntwo\n");
    fx_close(x);
}

static void test_retries(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_GROUP, 0, 0, AM_OUT_MEM_BUDGET);
    am_out_data(x->o, 1, 1, 0, "first try\n", 10);
    am_out_data(x->o, 1, 2, 0, "second\n", 7);
    am_out_end(x->o, 1, 2);
    assert_got(x, 0, "second\n"); /* the failed try's output is not written */
    am_out_data(x->o, 2, 1, 1, "err of try 1\n", 13);
    am_out_end(x->o, 2, 2); /* the last try printed nothing */
    assert_got(x, 1, "");
    fx_close(x);
}

static void test_binary(void **state)
{
    (void)state;
    static const char bin[] = {'a', '\0', '\n', '\xff', '\r', '\0', 'b'};
    fx_t *x = fx_open(AM_OUT_LINE, 0, 0, AM_OUT_MEM_BUDGET);
    am_out_data(x->o, 1, 1, 0, bin, sizeof bin);
    am_out_end(x->o, 1, 1);
    size_t n;
    char *s = got(x, 0, &n);
    assert_int_equal(n, sizeof bin);
    assert_memory_equal(s, bin, sizeof bin);
    free(s);
    fx_close(x);
}

/* Beyond the budget the streams go to temporary files, and come back whole. */
static void test_spill(void **state)
{
    (void)state;
    fx_t *x = fx_open(AM_OUT_GROUP, 1, 1, 64 * 1024);
    am_out_set_tag(x->o, 1, "A");
    am_out_set_tag(x->o, 2, "B");
    char line[32];
    for (int i = 0; i < 100000; i++) { /* two jobs, ~0.6 MB each, interleaved */
        int k = snprintf(line, sizeof line, "%d\n", i);
        assert_int_equal(am_out_data(x->o, 2, 1, 0, line, (size_t)k), 0);
        assert_int_equal(am_out_data(x->o, 1, 1, 0, line, (size_t)k), 0);
    }
    assert_true(am_out_spilled(x->o) >= 1);
    am_out_end(x->o, 2, 1);
    am_out_end(x->o, 1, 1);
    size_t n;
    char *s = got(x, 0, &n);
    char *p = s;
    for (int job = 0; job < 2; job++)
        for (int i = 0; i < 100000; i++) {
            int k = snprintf(line, sizeof line, "%c\t%d\n", job ? 'B' : 'A', i);
            assert_memory_equal(p, line, (size_t)k);
            p += k;
        }
    assert_int_equal((size_t)(p - s), n);
    assert_int_equal(am_out_lost(x->o), 0);
    free(s);
    fx_close(x);
}

static int cleared[2];
static void on_before(void *ud, int fd)
{
    (void)ud;
    cleared[fd == 2]++;
}

/* A reader gone: the bytes are counted as lost, the rest goes on. */
static void test_reader_gone(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    am_out_t *o = am_out_new(AM_OUT_GROUP, 0, 0, p[1], p[1], AM_OUT_MEM_BUDGET);
    assert_non_null(o);
    am_out_set_before(o, on_before, NULL);
    am_out_data(o, 1, 1, 0, "lost\n", 5);
    am_out_end(o, 1, 1);
    am_out_data(o, 2, 1, 0, "too\n", 4);
    am_out_end(o, 2, 1);
    assert_int_equal(am_out_lost(o), 9);
    assert_int_equal(cleared[0], 1); /* told once, before the first write */
    am_out_free(o);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grouped),          cmocka_unit_test(test_tagged),
        cmocka_unit_test(test_line_buffer),      cmocka_unit_test(test_keep_order_grouped),
        cmocka_unit_test(test_keep_order_lines), cmocka_unit_test(test_retries),
        cmocka_unit_test(test_binary),           cmocka_unit_test(test_spill),
        cmocka_unit_test(test_reader_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
