/* Unit tests for src/runtime/rng.c (xoshiro256**, duration distributions and
 * their text form) and src/runtime/error.c. The reference outputs were
 * computed with an independent Python transcription of splitmix64 and
 * xoshiro256** (splitmix64(0) starts 0xe220a8397b1dcdaf, as published). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "asyncmon/error.h"
#include "asyncmon/rng.h"

#define NSAMPLES 100000

static void test_known_sequence(void **state)
{
    static const uint64_t seed0[] = {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
                                     0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL};
    static const uint64_t seed42[] = {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL,
                                      0xae17533239e499a1ULL, 0xecb8ad4703b360a1ULL};
    am_rng_t r;
    (void)state;

    am_rng_seed(&r, 0);
    assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
    for (int i = 0; i < 4; i++)
        assert_true(am_rng_next(&r) == seed0[i]);
    am_rng_seed(&r, 42);
    for (int i = 0; i < 4; i++)
        assert_true(am_rng_next(&r) == seed42[i]);
}

static void test_determinism(void **state)
{
    am_rng_t a, b, c;
    int same = 0;
    (void)state;

    am_rng_seed(&a, 12345);
    am_rng_seed(&b, 12345);
    am_rng_seed(&c, 12346);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = am_rng_next(&a);
        assert_true(x == am_rng_next(&b));
        same += x == am_rng_next(&c);
    }
    assert_int_equal(same, 0);
}

static void test_unit_range(void **state)
{
    am_rng_t r;
    double sum = 0, lo = 1, hi = 0;
    (void)state;

    am_rng_seed(&r, 7);
    for (int i = 0; i < NSAMPLES; i++) {
        double u = am_rng_unit(&r);
        assert_true(u >= 0 && u < 1);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    assert_true(fabs(sum / NSAMPLES - 0.5) < 0.005);
    assert_true(lo < 0.001 && hi > 0.999);
}

/* Mean and standard deviation of NSAMPLES draws; checks they are >= 0. */
static void sample(const am_dist_t *d, double *mean, double *sd, double *lo, double *hi)
{
    am_rng_t r;
    double sum = 0, sum2 = 0;

    am_rng_seed(&r, 2024);
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < NSAMPLES; i++) {
        double x = am_dist_sample(d, &r);
        assert_true(x >= 0);
        sum += x;
        sum2 += x * x;
        *lo = x < *lo ? x : *lo;
        *hi = x > *hi ? x : *hi;
    }
    *mean = sum / NSAMPLES;
    *sd = sqrt(sum2 / NSAMPLES - *mean * *mean);
}

static void test_fixed(void **state)
{
    am_dist_t d = {AM_DIST_FIXED, 2.5, 0};
    double mean, sd, lo, hi;
    (void)state;

    sample(&d, &mean, &sd, &lo, &hi);
    assert_true(lo == 2.5 && hi == 2.5);
    assert_true(am_dist_mean(&d) == 2.5);
}

static void test_uniform(void **state)
{
    am_dist_t d = {AM_DIST_UNIFORM, 1, 5};
    double mean, sd, lo, hi;
    (void)state;

    sample(&d, &mean, &sd, &lo, &hi);
    assert_true(lo >= 1 && hi <= 5);
    assert_true(lo < 1.01 && hi > 4.99);
    assert_true(fabs(mean - 3) < 0.02);          /* standard error 0.0037 */
    assert_true(fabs(sd - 4 / sqrt(12)) < 0.02); /* 1.1547 */
    assert_true(am_dist_mean(&d) == 3);
}

static void test_exponential(void **state)
{
    am_dist_t d = {AM_DIST_EXPONENTIAL, 2, 0};
    double mean, sd, lo, hi;
    (void)state;

    sample(&d, &mean, &sd, &lo, &hi);
    assert_true(fabs(mean - 2) < 0.04); /* standard error 0.0063 */
    assert_true(fabs(sd - 2) < 0.05);
    assert_true(isfinite(hi));
    assert_true(am_dist_mean(&d) == 2);
}

static void test_normal(void **state)
{
    am_dist_t d = {AM_DIST_NORMAL, 3, 0.5};
    am_dist_t near_zero = {AM_DIST_NORMAL, 0.2, 1};
    double mean, sd, lo, hi;
    (void)state;

    sample(&d, &mean, &sd, &lo, &hi);
    assert_true(fabs(mean - 3) < 0.01); /* standard error 0.0016 */
    assert_true(fabs(sd - 0.5) < 0.01);
    assert_true(am_dist_mean(&d) == 3);

    /* Mostly below zero would be negative: clamped, so sample() sees >= 0 only. */
    sample(&near_zero, &mean, &sd, &lo, &hi);
    assert_true(lo == 0);
    assert_true(am_dist_mean(&near_zero) == 0.2);
}

static void assert_parses(const char *text, am_dist_kind_t kind, double a, double b)
{
    am_dist_t d;
    const char *why = "unchanged";

    assert_int_equal(am_dist_parse(text, &d, &why), 0);
    assert_int_equal(d.kind, kind);
    assert_true(d.a == a);
    assert_true(d.b == b);
}

static void test_parse_accepts(void **state)
{
    (void)state;
    assert_parses("fixed 2", AM_DIST_FIXED, 2, 0);
    assert_parses("2", AM_DIST_FIXED, 2, 0);
    assert_parses("0.25", AM_DIST_FIXED, 0.25, 0);
    assert_parses("fixed 0", AM_DIST_FIXED, 0, 0);
    assert_parses("uniform 1 5", AM_DIST_UNIFORM, 1, 5);
    assert_parses("  uniform\t.5   1.5  ", AM_DIST_UNIFORM, 0.5, 1.5);
    assert_parses("Uniform 2 2", AM_DIST_UNIFORM, 2, 2);
    assert_parses("exponential 2", AM_DIST_EXPONENTIAL, 2, 0);
    assert_parses("normal 3 0.5", AM_DIST_NORMAL, 3, 0.5);
    assert_parses("normal 1e1 2E-1", AM_DIST_NORMAL, 10, 0.2);
    assert_parses("fixed -0", AM_DIST_FIXED, 0, 0);
}

static void assert_rejects(const char *text, int code, const char *why_want)
{
    am_dist_t d = {AM_DIST_FIXED, 42, 43};
    const char *why = NULL;

    assert_int_equal(am_dist_parse(text, &d, &why), code);
    assert_non_null(why);
    assert_string_equal(why, why_want);
    assert_true(d.a == 42 && d.b == 43); /* untouched */
}

static void test_parse_rejects(void **state)
{
    static const char *const syntax[] = {
        "",
        "   ",
        "fixed",
        "uniform 5",
        "uniform",
        "normal 3",
        "fixed 2 3",
        "2 3",
        "fixed 2s",
        "fixed2",
        "bogus 2",
        "uniform 1,5",
        "fixed nan",
        "fixed inf",
        "fixed 0x10",
        "fixed 1e999",
        "exponential",
        "exponential .",
        "fixed 1e",
        "uniform 1 5 junk",
        "fixed --1",
        "fixed 1..2",
        "gaussian 3 1",
        "normal 3 0.5 1",
    };
    const char *expected =
        "expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or \"normal MEAN SD\"";
    (void)state;

    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++)
        assert_rejects(syntax[i], AM_EPARSE, expected);
    assert_rejects("fixed -1", AM_EINVAL, "expected seconds >= 0");
    assert_rejects("-2", AM_EINVAL, "expected seconds >= 0");
    assert_rejects("uniform -1 5", AM_EINVAL, "expected seconds >= 0");
    assert_rejects("normal 3 -0.5", AM_EINVAL, "expected seconds >= 0");
    assert_rejects("exponential -2", AM_EINVAL, "expected seconds >= 0");
    assert_rejects("uniform 5 1", AM_EINVAL, "expected MIN <= MAX in \"uniform MIN MAX\"");
    /* why may be NULL */
    am_dist_t d;
    assert_int_equal(am_dist_parse("bogus", &d, NULL), AM_EPARSE);
}

static void assert_format(am_dist_kind_t kind, double a, double b, const char *want)
{
    am_dist_t d = {kind, a, b}, back;
    char buf[64];
    const char *why;

    assert_int_equal(am_dist_format(&d, buf, sizeof(buf)), (int)strlen(want));
    assert_string_equal(buf, want);
    assert_int_equal(am_dist_parse(buf, &back, &why), 0);
    assert_int_equal(back.kind, kind);
    assert_true(back.a == a && back.b == b);
}

static void test_format(void **state)
{
    (void)state;
    assert_format(AM_DIST_FIXED, 2, 0, "fixed 2");
    assert_format(AM_DIST_FIXED, 0.1, 0, "fixed 0.1");
    assert_format(AM_DIST_UNIFORM, 1, 5, "uniform 1 5");
    assert_format(AM_DIST_EXPONENTIAL, 2, 0, "exponential 2");
    assert_format(AM_DIST_NORMAL, 3, 0.5, "normal 3 0.5");
    assert_format(AM_DIST_UNIFORM, 1.0 / 3, 1e6, "uniform 0.3333333333333333 1000000");
    assert_format(AM_DIST_FIXED, 1e-7, 0, "fixed 1e-07");
}

static void test_parse_number(void **state)
{
    const char *end;
    double v;
    (void)state;

    assert_int_equal(am_parse_number("12.5rest", &v, &end), 0);
    assert_true(v == 12.5);
    assert_string_equal(end, "rest");
    assert_int_equal(am_parse_number("-.5", &v, NULL), 0);
    assert_true(v == -0.5);
    assert_int_equal(am_parse_number("+3e2", &v, NULL), 0);
    assert_true(v == 300);
    assert_int_equal(am_parse_number("1e", &v, NULL), AM_EPARSE);
    assert_int_equal(am_parse_number(" 1", &v, NULL), AM_EPARSE);
    assert_int_equal(am_parse_number("nan", &v, NULL), AM_EPARSE);
    assert_int_equal(am_parse_number("infinity", &v, NULL), AM_EPARSE);
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(am_strerror(AM_ENOMEM), "out of memory");
    assert_string_equal(am_strerror(AM_ETIMEOUT), "timed out");
    assert_string_equal(am_strerror(AM_EOVERRELEASE), "released more times than acquired");
    assert_string_equal(am_strerror(-999), "unknown error");
    assert_string_equal(am_strerror(5), "unknown error");
    assert_string_equal(am_err_name(AM_ECANCELLED), "AM_ECANCELLED");
    assert_string_equal(am_err_name(AM_EPARSE), "AM_EPARSE");
    assert_string_equal(am_err_name(-999), "AM_EUNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_sequence), cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_unit_range),     cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_uniform),        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_normal),         cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_rejects),  cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse_number),   cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
