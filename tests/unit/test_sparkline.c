/* Unit tests for the queues panel's pure helpers (src/ui/spark.c): the
 * sparkline's level of a sample (zero, the top, anything in between never
 * looking empty or full when it is not), whole sparklines in UTF-8 and ASCII
 * (newest on the right, padding, width, a buffer too small), the gauge's
 * filled cells ("10/10" full, "1 of 1000" not empty, "999 of 1000" not full,
 * the scale of an unbounded queue) and flowing pieces onto lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ui/spark.h"

static void test_levels(void **state)
{
    (void)state;
    /* a queue of maxsize 5 on eight levels: 0 empty, 5 full, each step up */
    const int want[6] = {0, 2, 3, 5, 6, 7};
    for (uint32_t v = 0; v <= 5; v++)
        assert_int_equal(am_spark_level(v, 5, 8), want[v]);
    /* monotonic; only 0 is level 0; the top and above are the top level, and
     * below it the level is v/top of the way up, rounded up */
    for (uint32_t top = 1; top <= 300; top++) {
        int prev = 0;
        for (uint32_t v = 0; v <= top + 2; v++) {
            int l = am_spark_level(v, top, AM_SPARK_LEVELS);
            assert_true(l >= prev);
            assert_true(l >= 0 && l < AM_SPARK_LEVELS);
            assert_int_equal(l == 0, v == 0);
            if (v >= top)
                assert_int_equal(l, AM_SPARK_LEVELS - 1);
            else if (v > 0)
                assert_true((double)(l - 1) < 7.0 * v / top && 7.0 * v / top <= (double)l);
            prev = l;
        }
    }
    /* a big scale: proportional, rounded up */
    assert_int_equal(am_spark_level(1, 1000, 8), 1);
    assert_int_equal(am_spark_level(500, 1000, 8), 4); /* 3.5 -> 4 */
    assert_int_equal(am_spark_level(999, 1000, 8), 7); /* 6.993 -> 7 */
    assert_int_equal(am_spark_level(857, 1000, 8), 6); /* 5.999 -> 6 */
    assert_int_equal(am_spark_level(UINT32_MAX - 1, UINT32_MAX, 8), 7);
    assert_int_equal(am_spark_level(1, UINT32_MAX, 8), 1); /* no overflow */
    /* off the scale and a zero scale (an unbounded queue that was never used) */
    assert_int_equal(am_spark_level(9, 5, 8), 7);
    assert_int_equal(am_spark_level(0, 0, 8), 0);
    assert_int_equal(am_spark_level(3, 0, 8), 7);
    /* fewer than two levels: everything is the one level */
    assert_int_equal(am_spark_level(3, 5, 1), 0);
}

static void test_glyphs(void **state)
{
    (void)state;
    assert_string_equal(am_spark_glyph(0, 0), "\u2581");
    assert_string_equal(am_spark_glyph(7, 0), "\u2588");
    assert_string_equal(am_spark_glyph(0, 1), " ");
    assert_string_equal(am_spark_glyph(7, 1), "#");
    /* out of range is clamped */
    assert_string_equal(am_spark_glyph(-3, 1), " ");
    assert_string_equal(am_spark_glyph(99, 0), "\u2588");
    /* eight distinct glyphs each way */
    for (int a = 0; a < AM_SPARK_LEVELS; a++)
        for (int b = a + 1; b < AM_SPARK_LEVELS; b++) {
            assert_string_not_equal(am_spark_glyph(a, 0), am_spark_glyph(b, 0));
            assert_string_not_equal(am_spark_glyph(a, 1), am_spark_glyph(b, 1));
        }
}

static void test_sparkline(void **state)
{
    char buf[256];
    const uint32_t h[6] = {0, 1, 2, 3, 4, 5};
    (void)state;

    /* every sample, at maxsize 5 */
    assert_int_equal(am_sparkline(buf, sizeof buf, h, 6, 5, 6, 1), 6);
    assert_string_equal(buf, " :-+*#");
    am_sparkline(buf, sizeof buf, h, 6, 5, 6, 0);
    assert_string_equal(buf, "\u2581\u2583\u2584\u2586\u2587\u2588");

    /* narrower than the history: the newest samples, on the right */
    am_sparkline(buf, sizeof buf, h, 6, 5, 3, 1);
    assert_string_equal(buf, "+*#");

    /* wider: padded with blanks on the left, the newest still last */
    assert_int_equal(am_sparkline(buf, sizeof buf, h + 4, 2, 5, 5, 0), 3 + 2 * 3);
    assert_string_equal(buf, "   \u2587\u2588");

    /* no samples yet: blanks; no width: nothing */
    am_sparkline(buf, sizeof buf, h, 0, 5, 4, 0);
    assert_string_equal(buf, "    ");
    assert_int_equal(am_sparkline(buf, sizeof buf, h, 6, 5, 0, 0), 0);
    assert_string_equal(buf, "");

    /* a buffer too small: whole characters only, always terminated */
    char small[8];
    assert_int_equal(am_sparkline(small, sizeof small, h, 6, 5, 6, 0), 6);
    assert_string_equal(small, "\u2581\u2583");
    assert_int_equal(am_sparkline(small, 1, h, 6, 5, 6, 0), 0);
    assert_string_equal(small, "");
}

static void test_gauge(void **state)
{
    (void)state;
    /* "10/10 held": full; "0/10": empty; halves round to the nearest cell */
    assert_int_equal(am_gauge_filled(10, 10, 10), 10);
    assert_int_equal(am_gauge_filled(0, 10, 10), 0);
    assert_int_equal(am_gauge_filled(5, 10, 10), 5);
    assert_int_equal(am_gauge_filled(3, 5, 10), 6);
    assert_int_equal(am_gauge_filled(2, 3, 7), 5); /* 4.67 */
    /* a little is never empty, nearly full is never full */
    assert_int_equal(am_gauge_filled(1, 1000, 10), 1);
    assert_int_equal(am_gauge_filled(999, 1000, 10), 9);
    /* over the limit (lowered below what is held): full */
    assert_int_equal(am_gauge_filled(11, 10, 10), 10);
    /* an unbounded queue's scale is its peak: 0 of 0 empty, anything else full */
    assert_int_equal(am_gauge_filled(0, 0, 10), 0);
    assert_int_equal(am_gauge_filled(4, 0, 10), 10);
    /* degenerate widths */
    assert_int_equal(am_gauge_filled(5, 10, 0), 0);
    assert_int_equal(am_gauge_filled(5, 10, -3), 0);
    assert_int_equal(am_gauge_filled(5, 10, 1), 0);
    assert_int_equal(am_gauge_filled(10, 10, 1), 1);
    /* never more cells than width, monotonic in the value */
    for (int w = 2; w <= 12; w++) {
        int prev = 0;
        for (uint64_t v = 0; v <= 40; v++) {
            int c = am_gauge_filled(v, 37, w);
            assert_true(c >= prev && c <= w);
            assert_int_equal(c == w, v >= 37);
            assert_int_equal(c == 0, v == 0);
            prev = c;
        }
    }
    /* huge counts do not overflow */
    assert_int_equal(am_gauge_filled(UINT64_MAX / 2, UINT64_MAX, 10), 5);
}

static void test_flow(void **state)
{
    int line[8];
    (void)state;
    /* "put 2.1/s (80)" "get 2.0/s (78)" fit together on 40 columns (14+2+14) */
    const int w1[4] = {14, 14, 18, 26};
    assert_int_equal(am_flow(w1, 4, 2, 40, line), 3);
    assert_int_equal(line[0], 0);
    assert_int_equal(line[1], 0);
    assert_int_equal(line[2], 1); /* 30 + 2 + 18 > 40 */
    assert_int_equal(line[3], 2); /* 18 + 2 + 26 > 40 */
    /* exactly full */
    const int w2[3] = {10, 10, 10};
    assert_int_equal(am_flow(w2, 3, 2, 34, line), 1);
    assert_int_equal(am_flow(w2, 3, 2, 33, line), 2);
    assert_int_equal(line[2], 1);
    /* a piece wider than the line takes a line of its own */
    const int w3[3] = {5, 50, 5};
    assert_int_equal(am_flow(w3, 3, 2, 20, line), 3);
    assert_int_equal(line[0], 0);
    assert_int_equal(line[1], 1);
    assert_int_equal(line[2], 2);
    /* one line per piece when the width is tiny; nothing for no pieces */
    assert_int_equal(am_flow(w2, 3, 2, 1, line), 3);
    assert_int_equal(am_flow(w2, 0, 2, 40, line), 0);
    /* wide enough for all */
    assert_int_equal(am_flow(w1, 4, 2, 200, line), 1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(line[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),    cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_sparkline), cmocka_unit_test(test_gauge),
        cmocka_unit_test(test_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
