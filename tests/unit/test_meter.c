/* Unit tests for src/monitor/meter.c. Every expected string was printed by
 * tqdm 4.64.1 itself (tqdm.format_meter / format_interval / format_sizeof /
 * std.EMA under /usr/bin/python3); tests/diff/test_tqdm_meter.sh checks
 * thousands more cases against the live tqdm. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "asyncmon/meter.h"

/* A meter with tqdm's defaults for everything not given. */
static am_meter_args_t args(double n, double total, double elapsed)
{
    am_meter_args_t a;
    am_meter_args_init(&a);
    a.n = n;
    a.total = total;
    a.elapsed = elapsed;
    return a;
}

static void assert_meter(const am_meter_args_t *a, const char *want)
{
    char buf[512];
    size_t len = am_meter_format(buf, sizeof buf, a);
    assert_string_equal(buf, want);
    assert_int_equal(len, strlen(want));
}

static void test_known_total(void **state)
{
    (void)state;
    am_meter_args_t a = args(47, 100, 2.2);
    assert_meter(&a, " 47%|████▋     | 47/100 [00:02<00:02, 21.36it/s]");
    a.ncols = 80; /* the bar takes what the stats leave */
    assert_meter(&a, " 47%|███████████████████▋                      | 47/100 "
                     "[00:02<00:02, 21.36it/s]");
}

static void test_percentage_rounds_half_even(void **state)
{
    (void)state;
    am_meter_args_t a = args(1, 8, 1.0);
    assert_meter(&a, " 12%|█▎        | 1/8 [00:01<00:07,  1.00it/s]");
    a = args(5, 8, 1.0);
    assert_meter(&a, " 62%|██████▎   | 5/8 [00:01<00:00,  5.00it/s]");
}

static void test_unknown_total(void **state)
{
    (void)state;
    am_meter_args_t a = args(47, NAN, 2.2);
    a.prefix = "dl";
    assert_meter(&a, "dl: 47it [00:02, 21.36it/s]");
    /* unlike l_bar, this branch appends ": " even when desc has one */
    a.prefix = "dl: ";
    assert_meter(&a, "dl: : 47it [00:02, 21.36it/s]");
    /* total <= 0 is unknown too, and n >= total + 0.5 drops total */
    a = args(11, 0, 1.0);
    assert_meter(&a, "11it [00:01, 11.00it/s]");
    a = args(11, 10, 1.0);
    assert_meter(&a, "11it [00:01, 11.00it/s]");
}

static void test_unit_scale(void **state)
{
    (void)state;
    am_meter_args_t a = args(1234567, 1e7, 3.0);
    a.unit = "B";
    a.unit_scale = 1;
    a.unit_divisor = 1024; /* n and total use it; the rate keeps 1000 */
    a.rate = 2.5e6;
    assert_meter(&a, " 12%|█▏        | 1.18M/9.54M [00:03<00:03, 2.50MB/s]");
}

static void test_ascii_bar(void **state)
{
    (void)state;
    am_meter_args_t a = args(37, 100, 4.0);
    a.ascii = 1;
    assert_meter(&a, " 37%|###7      | 37/100 [00:04<00:06,  9.25it/s]");
}

static void test_rate_forms(void **state)
{
    (void)state;
    /* slower than 1 it/s: inverted */
    am_meter_args_t a = args(3, 10, 12.0);
    assert_meter(&a, " 30%|███       | 3/10 [00:12<00:28,  4.00s/it]");
    /* no rate yet: question marks */
    a = args(0, 10, 0.0);
    assert_meter(&a, "  0%|          | 0/10 [00:00<?, ?it/s]");
    /* non-whole n prints as a Python float, repr rules included */
    a = args(12.5, NAN, 1.0);
    assert_meter(&a, "12.5it [00:01, 12.50it/s]");
    a = args(0.00001, NAN, 1.0);
    assert_meter(&a, "1e-05it [00:01, 100000.00s/it]");
}

static void test_prefix_and_postfix(void **state)
{
    (void)state;
    am_meter_args_t a = args(5, 10, 1.0);
    a.postfix = "loss=0.25";
    assert_meter(&a, " 50%|█████     | 5/10 [00:01<00:01,  5.00it/s, loss=0.25]");
    a = args(5, 10, 1.0);
    a.prefix = "Epoch: "; /* already ends with ": " */
    assert_meter(&a, "Epoch:  50%|█████     | 5/10 [00:01<00:01,  5.00it/s]");
}

static void test_ncols_zero_and_tiny(void **state)
{
    (void)state;
    am_meter_args_t a = args(37, 100, 4.0);
    a.prefix = "dl";
    a.ncols = 0; /* no bar at all */
    assert_meter(&a, "dl:  37% 37/100 [00:04<00:06,  9.25it/s]");
    /* small ncols: a 1-column bar, then the line is cut to ncols */
    a.prefix = NULL;
    a.ncols = 1;
    assert_meter(&a, " ");
    a.ncols = 5;
    assert_meter(&a, " 37%|");
    a.ncols = 30;
    assert_meter(&a, " 37%|▎| 37/100 [00:04<00:06,  ");
}

static void test_cjk_prefix_width(void **state)
{
    (void)state;
    am_meter_args_t a = args(37, 100, 4.0);
    a.prefix = "下载中"; /* 3 characters, 6 columns */
    a.ncols = 40;
    const char *want = "下载中:  37%|▎| 37/100 [00:04<00:06,  9.";
    assert_meter(&a, want);
    assert_int_equal(am_utf8_width(want), 40);
}

static void test_ansi_prefix(void **state)
{
    (void)state;
    am_meter_args_t a = args(5, 10, 1.0);
    a.prefix = "\x1b[32mok\x1b[0m";
    a.ncols = 40; /* tqdm's disp_trim appends a reset after cutting */
    assert_meter(&a, "\x1b[32mok\x1b[0m:  50%|▌| 5/10 [00:01<00:01,  5.00it/s\x1b[0m");
}

static void test_snprintf_contract(void **state)
{
    (void)state;
    const char *full = " 47%|████▋     | 47/100 [00:02<00:02, 21.36it/s]";
    am_meter_args_t a = args(47, 100, 2.2);
    assert_int_equal(am_meter_format(NULL, 0, &a), strlen(full));
    char buf[8];
    assert_int_equal(am_meter_format(buf, sizeof buf, &a), strlen(full));
    assert_string_equal(buf, " 47%|"); /* 7 bytes would split the first █ */
    char one[1] = {'x'};
    assert_int_equal(am_format_interval(one, 1, 61), 5);
    assert_int_equal(one[0], '\0');
}

static void assert_interval(double t, const char *want)
{
    char buf[64];
    assert_int_equal(am_format_interval(buf, sizeof buf, t), strlen(want));
    assert_string_equal(buf, want);
}

static void test_format_interval(void **state)
{
    (void)state;
    assert_interval(0, "00:00");
    assert_interval(59.9, "00:59");
    assert_interval(3600, "1:00:00");
    assert_interval(2 * 86400 + 5, "48:00:05"); /* no days field */
    assert_interval(-30, "-1:59:30");           /* Python's floor divmod */
    assert_interval(1e20, "27777777777777777:46:40");
    assert_interval(INFINITY, "?"); /* tqdm would raise */
}

static void assert_sizeof(double x, double divisor, const char *want)
{
    char buf[64];
    assert_int_equal(am_format_sizeof(buf, sizeof buf, x, divisor), strlen(want));
    assert_string_equal(buf, want);
}

static void test_format_sizeof(void **state)
{
    (void)state;
    assert_sizeof(0.5, 1000, "0.50");
    assert_sizeof(9.994, 1000, "9.99");
    assert_sizeof(9.995, 1000, "10.0");
    assert_sizeof(99.95, 1000, "100");
    assert_sizeof(999.4, 1000, "999");
    assert_sizeof(999.5, 1000, "1.00k");
    assert_sizeof(1024, 1024, "1.00k");
    assert_sizeof(1e30, 0, "1000000.0Y"); /* 0 means 1000 */
}

static void test_ema(void **state)
{
    (void)state;
    am_ema_t e;
    am_ema_init(&e, 0.3);
    assert_true(am_ema_value(&e) == 0);
    /* exact doubles from tqdm.std.EMA: same operations, same order */
    const double xs[] = {10, 20, 5};
    const double want[] = {9.999999999999998, 15.88235294117647, 10.913242009132418};
    for (size_t i = 0; i < 3; i++) {
        am_ema_update(&e, xs[i]);
        assert_true(am_ema_value(&e) == want[i]);
    }
}

static void test_rate(void **state)
{
    (void)state;
    am_rate_t r;
    am_rate_init(&r, 0.3);
    assert_true(isnan(am_rate_value(&r)));
    am_rate_update(&r, 0, 0.0); /* baseline */
    assert_true(isnan(am_rate_value(&r)));
    /* (n, t) sampled at refreshes; dn == 0 is not fed and keeps the baseline,
     * so the next step's dt is 1.5 s, not 0.5 s: sampling a meter more often
     * than it moves must not overstate its rate (tqdm, which is fed only by
     * update() calls, would move the baseline). Values from tqdm.std.EMA fed
     * dn = 10, 20, 15 and dt = 1, 1, 1.5. */
    const double n[] = {10, 30, 30, 45}, t[] = {1.0, 2.0, 3.0, 3.5};
    const double want[] = {10.0, 15.88235294117647, 15.88235294117647, 12.602230483271374};
    for (size_t i = 0; i < 4; i++) {
        am_rate_update(&r, n[i], t[i]);
        assert_true(am_rate_value(&r) == want[i]);
    }
    /* smoothing 0: never fed, so format_meter falls back to n / elapsed */
    am_rate_init(&r, 0);
    am_rate_update(&r, 0, 0.0);
    am_rate_update(&r, 10, 1.0);
    assert_true(isnan(am_rate_value(&r)));
}

static void test_utf8_width(void **state)
{
    (void)state;
    assert_int_equal(am_utf8_width(""), 0);
    assert_int_equal(am_utf8_width("abc"), 3);
    assert_int_equal(am_utf8_width("下载"), 4);
    assert_int_equal(am_utf8_width("한국"), 4);
    assert_int_equal(am_utf8_width("ｆ"), 2);
    assert_int_equal(am_utf8_width("🚀"), 2);
    assert_int_equal(am_utf8_width("▏█"), 2);
    assert_int_equal(am_utf8_width("e\xcc\x81"), 1); /* e + COMBINING ACUTE */
    assert_int_equal(am_utf8_width("\x1b[31mred\x1b[0m"), 3);
    assert_int_equal(am_utf8_width("\xff"), 1); /* malformed byte: one column */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_total),
        cmocka_unit_test(test_percentage_rounds_half_even),
        cmocka_unit_test(test_unknown_total),
        cmocka_unit_test(test_unit_scale),
        cmocka_unit_test(test_ascii_bar),
        cmocka_unit_test(test_rate_forms),
        cmocka_unit_test(test_prefix_and_postfix),
        cmocka_unit_test(test_ncols_zero_and_tiny),
        cmocka_unit_test(test_cjk_prefix_width),
        cmocka_unit_test(test_ansi_prefix),
        cmocka_unit_test(test_snprintf_contract),
        cmocka_unit_test(test_format_interval),
        cmocka_unit_test(test_format_sizeof),
        cmocka_unit_test(test_ema),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_utf8_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
