/* test_quantile.c — the streaming quantile histogram against exact quantiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "asyncmon/quantile.h"
#include "asyncmon/rng.h"

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank quantile of sorted v. */
static int64_t exact(const int64_t *v, size_t n, double q)
{
    size_t rank = (size_t)(q * (double)n);
    if ((double)rank < q * (double)n) rank++;
    if (rank == 0) rank = 1;
    return v[rank - 1];
}

static void test_empty(void **state)
{
    (void)state;
    am_quantile_t h;
    am_quantile_init(&h);
    assert_int_equal(am_quantile_get(&h, 0.5), 0);
    assert_true(am_quantile_mean(&h) == 0);
}

static void test_small_values_exact(void **state)
{
    (void)state;
    am_quantile_t h;
    am_quantile_init(&h);
    for (int64_t v = 1; v <= 10; v++)
        am_quantile_add(&h, v);
    am_quantile_add(&h, -5); /* counts as 0 */
    assert_int_equal(h.count, 11);
    assert_int_equal(am_quantile_get(&h, 0), 0);
    assert_int_equal(am_quantile_get(&h, 0.5), 5);
    assert_int_equal(am_quantile_get(&h, 1), 10);
    assert_true(am_quantile_mean(&h) == 55.0 / 11);
}

/* Against exact quantiles of several distributions: within 1/32 relative. */
static void check_against_exact(am_dist_kind_t kind, double a, double b, uint64_t seed)
{
    enum { N = 20000 };
    int64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    am_rng_t rng;
    am_rng_seed(&rng, seed);
    am_dist_t d = {kind, a, b};
    am_quantile_t h;
    am_quantile_init(&h);
    for (size_t i = 0; i < N; i++) {
        v[i] = (int64_t)(am_dist_sample(&d, &rng) * 1e6);
        am_quantile_add(&h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp64);
    static const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double want = (double)exact(v, N, qs[i]), got = (double)am_quantile_get(&h, qs[i]);
        if (got < want * (1 - 1.0 / 32) - 1 || got > want * (1 + 1.0 / 32) + 1)
            fail_msg("q %.2f: got %.0f, exact %.0f", qs[i], got, want);
    }
    assert_int_equal(am_quantile_get(&h, 1), v[N - 1]);
    assert_int_equal(am_quantile_get(&h, 0), v[0]);
    free(v);
}

static void test_distributions(void **state)
{
    (void)state;
    check_against_exact(AM_DIST_UNIFORM, 0.001, 10, 1);
    check_against_exact(AM_DIST_EXPONENTIAL, 2, 0, 2);
    check_against_exact(AM_DIST_NORMAL, 3, 0.5, 3);
}

static void test_huge_values(void **state)
{
    (void)state;
    am_quantile_t h;
    am_quantile_init(&h);
    am_quantile_add(&h, INT64_MAX);
    am_quantile_add(&h, (int64_t)1 << 40);
    assert_int_equal(am_quantile_get(&h, 1), INT64_MAX);
    int64_t p50 = am_quantile_get(&h, 0.5);
    assert_true(p50 >= ((int64_t)1 << 40) && p50 <= ((int64_t)1 << 40) + ((int64_t)1 << 36));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_huge_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
