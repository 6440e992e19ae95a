/* test_checkout.c — the checkout scenario and its actions (checkout.h) on
 * the real driver and runtime: demo/checkout.ini is recognised, each action
 * changes the runtime as its key promises, and closing the store joins the
 * queue before the cashiers are cancelled. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asyncmon/checkout.h"
#include "testutil.h"

typedef struct run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_scenario_t sc;
    am_driver_t *d;
    am_checkout_t c;
    int finished;
} run_t;

static void on_finish(am_driver_t *d, void *data)
{
    (void)d;
    ((run_t *)data)->finished = 1;
}

static int setup(void **state)
{
    run_t *r = calloc(1, sizeof *r);
    if (!r || tu_watched_open(&r->uv, &r->loop, &r->mon, NULL, NULL) != 0) return -1;
    tu_load_demo("checkout", &r->sc);
    r->d = am_driver_new(r->loop, &r->sc, 1, on_finish, r);
    if (!r->d || !am_checkout_find(&r->sc, &r->c)) return -1;
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    run_t *r = *state;
    am_driver_free(r->d);
    int rc = tu_watched_close(&r->uv, r->loop, r->mon);
    am_scenario_free(&r->sc);
    free(r);
    return rc == 0 ? 0 : -1;
}

/* Run until virtual time t (the generator runs forever). */
static void run_until(run_t *r, double t)
{
    am_loop_pause(r->loop, 1);
    while (am_loop_next_time(r->loop) >= 0 && am_loop_next_time(r->loop) <= S(t))
        am_loop_step(r->loop);
}

static am_checkout_stats_t stats(run_t *r)
{
    am_checkout_stats_t st;
    assert_int_equal(am_checkout_stats(r->loop, r->d, &r->c, &st), 0);
    assert_int_equal(st.arrived, st.served + st.in_queue + st.in_service + st.cancelled);
    return st;
}

static void test_find(void **state)
{
    run_t *r = *state;
    assert_int_equal(r->sc.nproducts, 4);
    assert_string_equal(r->sc.products[0].name, "beer");
    assert_true(r->sc.products[0].seconds == 2);
    assert_string_equal(r->sc.groups[r->c.generator].name, "customers");
    assert_string_equal(r->sc.groups[r->c.cashiers].name, "cashiers");
    assert_true(r->c.open_event > 0);
    assert_int_equal(r->c.sleep_pc, 1);
    am_scenario_t gather;
    am_checkout_t c;
    tu_load_demo("gather", &gather);
    assert_int_equal(am_checkout_find(&gather, &c), 0);
    am_scenario_free(&gather);
    tu_load_demo("queue", &gather); /* a queue, but nobody serves it */
    assert_int_equal(am_checkout_find(&gather, &c), 0);
    am_scenario_free(&gather);
}

/* The default run: 3 cashiers, a full queue of 5, the generator blocked. */
static void test_run_fills_queue(void **state)
{
    run_t *r = *state;
    assert_int_equal(am_driver_start(r->d), 0);
    run_until(r, 60);
    am_checkout_stats_t st = stats(r);
    assert_int_equal(st.cashiers, 3);
    assert_int_equal(st.maxsize, 5);
    assert_int_equal(st.max_queue_depth, 5);
    assert_true(st.arrived > 60 && st.served > 30);
    assert_false(st.closed);
    assert_true(fabs(am_checkout_arrival_rate(r->loop, r->d, &r->c) - 2) < 1e-9);
}

static void test_cashiers_open_close(void **state)
{
    run_t *r = *state;
    assert_int_equal(am_driver_start(r->d), 0);
    run_until(r, 10);
    assert_int_equal(am_checkout_open_cashier(r->loop, r->d, &r->c), 0);
    run_until(r, 11);
    am_task_id_t ids[8];
    assert_int_equal(am_checkout_cashiers(r->loop, r->d, &r->c, ids, 8), 4);
    assert_int_equal(stats(r).cashiers, 4);
    /* closing: the newest cashier finishes its customer, then goes */
    am_serve_info_t info;
    assert_int_equal(am_task_serving(r->loop, ids[3], &info), 0);
    assert_true(info.queue); /* the queue is full: it is busy */
    assert_int_equal(am_checkout_close_cashier(r->loop, r->d, &r->c), 0);
    assert_int_equal(am_task_serving(r->loop, ids[3], &info), 0);
    assert_true(info.retiring);
    uint64_t served = info.served;
    run_until(r, 60);
    assert_int_equal(am_task_state(r->loop, ids[3]), AM_TASK_DONE);
    assert_int_equal(am_task_serving(r->loop, ids[3], &info), 0);
    assert_int_equal(info.served, served + 1); /* it finished that customer */
    assert_int_equal(stats(r).cashiers, 3);
    assert_int_equal(stats(r).cancelled, 0);
    /* the next close picks another cashier, not the one already gone */
    assert_int_equal(am_checkout_close_cashier(r->loop, r->d, &r->c), 0);
    assert_int_equal(am_task_serving(r->loop, ids[2], &info), 0);
    assert_true(info.retiring);
}

static void test_arrivals_rate_pause(void **state)
{
    run_t *r = *state;
    assert_int_equal(am_driver_start(r->d), 0);
    assert_int_equal(am_checkout_scale_arrivals(r->loop, r->d, &r->c, 0.5), 0);
    assert_true(fabs(am_checkout_arrival_rate(r->loop, r->d, &r->c) - 1) < 1e-9);
    assert_int_equal(am_checkout_scale_arrivals(r->loop, r->d, &r->c, 1e-9), AM_ELIMIT);
    int paused = -1;
    assert_int_equal(am_checkout_pause_arrivals(r->loop, &r->c, &paused), 0);
    assert_int_equal(paused, 1);
    run_until(r, 30);
    am_checkout_stats_t st = stats(r);
    assert_true(st.paused);
    assert_true(st.arrived <= 1); /* one put may have been on its way */
    assert_int_equal(am_checkout_pause_arrivals(r->loop, &r->c, &paused), 0);
    assert_int_equal(paused, 0);
    run_until(r, 130);
    st = stats(r);
    assert_false(st.paused);
    assert_true(st.arrived > 60 && st.arrived < 150); /* about one a second for 100 s */
}

static void test_resize_and_express(void **state)
{
    run_t *r = *state;
    assert_int_equal(am_driver_start(r->d), 0);
    run_until(r, 20);
    assert_int_equal(am_checkout_resize(r->loop, &r->c, +3), 0);
    run_until(r, 30);
    am_checkout_stats_t st = stats(r);
    assert_int_equal(st.maxsize, 8);
    assert_int_equal(st.max_queue_depth, 8); /* the blocked generator got in, and more */
    assert_int_equal(am_checkout_resize(r->loop, &r->c, -7), 0);
    assert_int_equal(am_checkout_resize(r->loop, &r->c, -1), AM_ELIMIT);
    /* a smaller maxsize keeps what is queued (asyncio does not evict) and admits no more */
    uint64_t arrived = stats(r).arrived, depth = stats(r).in_queue;
    run_until(r, 35);
    assert_true(stats(r).in_queue <= (depth > 1 ? depth : 1));
    assert_true(stats(r).arrived - arrived <= depth + 5);
    int on = -1;
    assert_int_equal(am_checkout_express(r->loop, &r->c, &on), 0);
    assert_int_equal(on, 1);
    assert_true(stats(r).express);
    run_until(r, 40);
    assert_int_equal(am_checkout_express(r->loop, &r->c, &on), 0);
    assert_int_equal(on, 0);
    assert_false(stats(r).express);
}

/* Close the store: arrivals stop, the queue drains (join), the cashiers are
 * cancelled idle, nobody is left half-served. */
static void test_close_store(void **state)
{
    run_t *r = *state;
    assert_int_equal(am_driver_start(r->d), 0);
    run_until(r, 30);
    assert_int_equal(stats(r).in_queue, 5);
    assert_int_equal(am_checkout_close_store(r->loop, r->d, &r->c), 0);
    run_until(r, 31);
    /* draining: no new cashier, or the run would never end */
    assert_int_equal(am_checkout_open_cashier(r->loop, r->d, &r->c), AM_ESTATE);
    run_until(r, 1000);
    assert_true(r->finished);
    am_checkout_stats_t st = stats(r);
    assert_true(st.closed);
    assert_int_equal(st.in_queue, 0);
    assert_int_equal(st.in_service, 0);
    assert_int_equal(st.cancelled, 0);
    assert_int_equal(st.served, st.arrived);
    assert_int_equal(st.cashiers, 0);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 4); /* generator and 3 cashiers */
    assert_int_equal(am_checkout_close_store(r->loop, r->d, &r->c), AM_ESTATE);
}

/* [products] errors: FILE:LINE and what was expected. */
static void test_products_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[products]\nbeer = 2\nbeer = 3\n[group.g]\ncount = 1\nduration = fixed 1\n",
         ":3: duplicate product \"beer\" in [products] (first on line 2)"},
        {"[products]\nbeer = 0\n", ":2: beer: expected the seconds it takes to scan one (> 0, "
                                   "at most 86400), got \"0\""},
        {"[products]\nbeer.x = 1\n", ":2: [products]: expected a product name of 1 to 31"},
        {"[products]\n[products]\n", ":2: duplicate section [products] (first on line 1)"},
        {"[products]\nbeer = 1\n  2\n", ":3: indented line continues \"beer\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = tu_write_temp("products", cases[i].text);
        am_scenario_t sc;
        char err[512] = "";
        assert_int_equal(am_scenario_load(path, &sc, err, sizeof err), AM_EPARSE);
        if (!strstr(err, cases[i].want)) fail_msg("case %zu: got \"%s\"", i, err);
        tu_remove_temp(path);
    }
    /* more than AM_PRODUCTS_MAX products: the runtime refuses them */
    tu_loop_t l;
    tu_loop_open(&l.uv, &l.loop);
    const char *names[AM_PRODUCTS_MAX + 1];
    double secs[AM_PRODUCTS_MAX + 1];
    for (size_t i = 0; i <= AM_PRODUCTS_MAX; i++)
        names[i] = "p", secs[i] = 1;
    assert_int_equal(am_loop_set_products(l.loop, names, secs, AM_PRODUCTS_MAX + 1), AM_ELIMIT);
    assert_int_equal(tu_loop_close(&l.uv, l.loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_fills_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cashiers_open_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arrivals_rate_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resize_and_express, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_store, setup, teardown),
        cmocka_unit_test(test_products_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
