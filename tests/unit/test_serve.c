/* test_serve.c — items with a value, serve steps, retiring servers, the
 * express lane's reordering and the queue's service and Little's law
 * figures (serve.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asyncmon/serve.h"
#include "testutil.h"

typedef struct env_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    /* serve events seen */
    uint64_t starts, ends, ends_err;
    uint32_t last_total;
    am_time_t busy_until[64]; /* per task: -1 idle, else serving */
    int overlaps;
} env_t;

static void observe(void *ctx, const am_event_t *ev)
{
    env_t *e = ctx;
    if (ev->task >= 64) return;
    if (ev->type == AM_EV_SERVING) {
        e->starts++;
        e->last_total = ev->total;
        if (e->busy_until[ev->task] >= 0) e->overlaps++;
        e->busy_until[ev->task] = ev->time;
    } else if (ev->type == AM_EV_SERVED) {
        e->ends++;
        if (ev->err) e->ends_err++;
        if (e->busy_until[ev->task] < 0) e->overlaps++;
        e->busy_until[ev->task] = -1;
    }
}

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    if (!e || tu_watched_open(&e->uv, &e->loop, &e->mon, observe, e) != 0) return -1;
    for (int i = 0; i < 64; i++)
        e->busy_until[i] = -1;
    static const char *const names[] = {"beer", "bananas"};
    static const double secs[] = {0.5, 0.5};
    if (am_loop_set_products(e->loop, names, secs, 2) != 0) return -1;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    int rc = tu_watched_close(&e->uv, e->loop, e->mon);
    free(e);
    return rc == 0 ? 0 : -1;
}

static am_serve_stats_t sstats(env_t *e, int q)
{
    am_serve_stats_t st;
    assert_int_equal(am_queue_serve_stats(e->loop, q, &st), 0);
    return st;
}

static void test_products_table(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_products(e->loop), 2);
    double s = 0;
    assert_string_equal(am_loop_product(e->loop, 1, &s), "bananas");
    assert_true(s == 0.5);
    assert_null(am_loop_product(e->loop, 2, NULL));
    const char *bad[] = {"x"};
    double zero[] = {0};
    assert_int_equal(am_loop_set_products(e->loop, bad, zero, 1), AM_EINVAL);
    assert_int_equal(am_loop_products(e->loop), 2); /* unchanged */
}

/* Snapshot of a server in the middle of a service. */
typedef struct peek_s {
    env_t *e;
    am_task_id_t task;
    am_serve_info_t info;
    int rc;
} peek_t;

static void peek(am_loop_t *loop, void *data)
{
    peek_t *p = data;
    p->rc = am_task_serving(loop, p->task, &p->info);
}

/* One customer with 3 products of 0.5 s: served in 1.5 s, product by product. */
static void test_serve_scans_products(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 5);
    tu_go(e->loop, "put checkout items fixed 3");
    am_task_id_t c = tu_go(e->loop, "get checkout; serve checkout; task_done checkout");
    peek_t p = {e, c, {0}, -1};
    assert_true(am_loop_call_at(e->loop, S(0.7), peek, &p) > 0);
    tu_run_checked(&e->uv, e->mon);
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 1.5);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.info.queue, q);
    assert_int_equal(p.info.item, 3);
    assert_int_equal(p.info.number, 1);
    assert_true(p.info.serving);
    assert_int_equal(p.info.started, 0);
    assert_int_equal(p.info.scanned, 1);
    assert_non_null(p.info.product);
    assert_true(fabs(p.info.busy - 0.7) < 1e-9);
    am_serve_info_t after;
    assert_int_equal(am_task_serving(e->loop, c, &after), 0);
    assert_int_equal(after.served, 1);
    assert_int_equal(after.queue, 0);
    assert_false(after.serving);
    assert_true(fabs(after.busy - 1.5) < 1e-9);
    am_serve_stats_t st = sstats(e, q);
    assert_int_equal(st.served, 1);
    assert_int_equal(st.abandoned, 0);
    assert_int_equal(st.in_hand, 0);
    assert_true(fabs(st.service_mean - 1.5) < 1e-9);
    assert_int_equal(st.system->count, 1);
    assert_int_equal(am_quantile_get(st.system, 1), S(1.5));
    assert_int_equal(e->starts, 1);
    assert_int_equal(e->ends, 1);
    assert_int_equal(e->last_total, 3);
    assert_int_equal(e->overlaps, 0);
}

/* A customer with no products is served at once. */
static void test_serve_empty_item(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    tu_go(e->loop, "sleep fixed 1; put checkout items fixed 0");
    am_task_id_t c = tu_go(e->loop, "get checkout; serve checkout; task_done checkout");
    tu_run_checked(&e->uv, e->mon);
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 1);
    assert_int_equal(sstats(e, q).served, 1);
}

/* serve without an item from that queue raises. */
static void test_serve_without_get_fails(void **state)
{
    env_t *e = *state;
    am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    am_task_id_t c = tu_go(e->loop, "serve checkout");
    tu_run_checked(&e->uv, e->mon);
    assert_int_equal(am_task_state(e->loop, c), AM_TASK_FAILED);
    assert_int_equal(am_task_error(e->loop, c), AM_EINVAL);
}

/* `items uniform 0 9`: whole numbers 0..9, each one drawn. */
static void test_items_uniform_whole_numbers(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    int p = tu_program(e->loop, "put checkout items uniform 0 9", 2000);
    tu_spawn_program(e->loop, p);
    tu_run_checked(&e->uv, e->mon);
    int seen[10] = {0};
    int64_t v;
    size_t n = 0;
    while (am_queue_get_nowait(e->loop, q, &v) == 0) {
        assert_true(v >= 0 && v <= 9);
        seen[v]++;
        n++;
    }
    assert_int_equal(n, 2000);
    for (int i = 0; i < 10; i++)
        assert_true(seen[i] > 120); /* 200 expected each */
}

/* A blocked `put items` keeps its drawn value through the wait. */
static void test_blocked_put_keeps_item(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 1);
    am_task_id_t p1 = tu_go(e->loop, "put checkout items fixed 4");
    am_task_id_t p2 = tu_go(e->loop, "put checkout items fixed 7");
    am_task_id_t c = tu_go(e->loop, "sleep fixed 1; get checkout; serve checkout; task_done "
                                    "checkout; get checkout; serve checkout; task_done checkout");
    tu_run_checked(&e->uv, e->mon);
    tu_assert_ended(e->loop, p1, AM_TASK_DONE, 0);
    tu_assert_ended(e->loop, p2, AM_TASK_DONE, 1); /* blocked until the first get */
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 1 + 0.5 * 11);
    assert_int_equal(sstats(e, q).served, 2);
}

static void cancel_at(am_loop_t *loop, void *data)
{
    am_task_cancel(loop, *(am_task_id_t *)data);
}

/* A server cancelled in the middle of a service abandons its customer. */
static void test_cancel_abandons(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    tu_go(e->loop, "put checkout items fixed 4");
    am_task_id_t c = tu_go(e->loop, "get checkout; serve checkout; task_done checkout");
    assert_true(am_loop_call_at(e->loop, S(1.2), cancel_at, &c) > 0);
    tu_run_checked(&e->uv, e->mon);
    tu_assert_ended(e->loop, c, AM_TASK_CANCELLED, 1.2);
    am_serve_stats_t st = sstats(e, q);
    assert_int_equal(st.served, 0);
    assert_int_equal(st.abandoned, 1);
    assert_int_equal(st.in_hand, 0);
    assert_int_equal(e->ends_err, 1);
    am_serve_info_t info;
    assert_int_equal(am_task_serving(e->loop, c, &info), 0);
    assert_true(fabs(info.busy - 1.2) < 1e-9);
    assert_int_equal(e->overlaps, 0);
}

static void retire_at(am_loop_t *loop, void *data)
{
    peek_t *p = data;
    p->rc = am_task_retire(loop, p->task);
}

/* A busy server retires after the customer in hand and takes no other; an
 * idle one is cancelled at once. */
static void test_retire(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    int gen = tu_program(e->loop, "put checkout items fixed 2", 3);
    tu_spawn_program(e->loop, gen);
    int cp = tu_program(e->loop, "get checkout; serve checkout; task_done checkout", 0);
    am_task_id_t busy = tu_spawn_program(e->loop, cp);
    peek_t r1 = {e, busy, {0}, -1};
    assert_true(am_loop_call_at(e->loop, S(0.2), retire_at, &r1) > 0);
    /* a second server, busy too by the time it is asked to retire */
    am_task_id_t idle = tu_spawn_program(e->loop, cp);
    peek_t r2 = {e, idle, {0}, -1};
    assert_true(am_loop_call_at(e->loop, S(0.1), retire_at, &r2) > 0);
    tu_run_idle(&e->uv);
    assert_int_equal(r1.rc, 0);
    assert_int_equal(r2.rc, 0);
    /* `idle` got the second customer at 0 and was busy at 0.1: it retired at 1 */
    tu_assert_ended(e->loop, busy, AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, idle, AM_TASK_DONE, 1);
    assert_int_equal(am_task_result(e->loop, busy), 1);
    assert_int_equal(am_queue_depth(e->loop, q), 1); /* the third customer is still waiting */
    /* a third server, idle in get: retiring cancels it */
    am_task_id_t waiting = tu_spawn_program(e->loop, cp);
    tu_run_idle(&e->uv); /* takes the last customer */
    tu_run_idle(&e->uv);
    peek_t r3 = {e, waiting, {0}, -1};
    retire_at(e->loop, &r3);
    assert_int_equal(r3.rc, 0);
    tu_run_checked(&e->uv, e->mon);
    assert_int_equal(am_task_state(e->loop, waiting), AM_TASK_CANCELLED);
    assert_int_equal(am_task_retire(e->loop, waiting), AM_ESTATE);
    assert_int_equal(sstats(e, q).served, 3);
    assert_int_equal(sstats(e, q).abandoned, 0);
}

/* The express lane: a fifo queue turned into a priority queue reorders its items. */
static void test_set_kind_reorders(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 0);
    static const int64_t v[] = {5, 1, 9, 3, 3, 0, 7};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(am_queue_put_nowait(e->loop, q, v[i] * 10 + (int64_t)i, v[i]), 0);
    assert_int_equal(am_queue_set_kind(e->loop, q, AM_QUEUE_PRIORITY), 0);
    static const int64_t want[] = {5, 11, 33, 34, 50, 76, 92}; /* by priority, ties fifo */
    for (size_t i = 0; i < 7; i++) {
        int64_t got;
        assert_int_equal(am_queue_get_nowait(e->loop, q, &got), 0);
        assert_int_equal(got, want[i]);
    }
    assert_int_equal(am_queue_set_kind(e->loop, q, (am_queue_kind_t)7), AM_EINVAL);
    am_queue_stats_t st;
    am_queue_stats(e->loop, q, &st);
    assert_int_equal(st.kind, AM_QUEUE_PRIORITY);
}

/* The arrival rate: scaling the generator's sleep halves the gaps. */
static void test_scale_step(void **state)
{
    env_t *e = *state;
    int p = tu_program(e->loop, "sleep fixed 1", 4);
    am_task_id_t t = tu_spawn_program(e->loop, p);
    assert_int_equal(am_program_scale_step(e->loop, p, 0, 0.5), 0);
    tu_run_checked(&e->uv, e->mon);
    tu_assert_ended(e->loop, t, AM_TASK_DONE, 2);
    assert_int_equal(am_program_scale_step(e->loop, p, 0, 0), AM_EINVAL);
    assert_int_equal(am_program_scale_step(e->loop, p, 1, 2), AM_EINVAL);
    const am_op_t *ops;
    am_program_ops(e->loop, p, &ops);
    char buf[64];
    am_op_format(e->loop, &ops[0], buf, sizeof buf);
    assert_string_equal(buf, "sleep fixed 0.5");
}

/* A long stable run: L (time-averaged depth) = lambda * W (arrival rate times
 * mean time in queue), within a few percent; nothing lost. */
static void test_littles_law(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "checkout", AM_QUEUE_FIFO, 50);
    int gen = tu_program(e->loop, "sleep exponential 0.5; put checkout items uniform 0 9", 20000);
    tu_spawn_program(e->loop, gen);
    int cp = tu_program(e->loop, "get checkout; serve checkout; task_done checkout", 0);
    am_task_id_t cashiers[3];
    for (int i = 0; i < 3; i++)
        cashiers[i] = tu_spawn_program(e->loop, cp);
    tu_run_idle(&e->uv); /* the generator is done; the cashiers wait in get */
    am_serve_stats_t st = sstats(e, q);
    am_queue_stats_t qs;
    am_queue_stats(e->loop, q, &qs);
    assert_int_equal(qs.puts, 20000);
    assert_int_equal(qs.puts, st.served + qs.depth + st.in_hand + st.abandoned);
    assert_int_equal(st.served, 20000);
    assert_true(st.mean_depth > 0.5); /* a busy queue, not a trivial check */
    double lw = st.arrival_rate * st.wait_mean;
    if (fabs(st.mean_depth - lw) > 0.03 * st.mean_depth)
        fail_msg("L %.4f vs lambda*W %.4f", st.mean_depth, lw);
    assert_int_equal(st.wait->count, 20000);
    assert_true(am_quantile_get(st.wait, 0.95) >= am_quantile_get(st.wait, 0.5));
    assert_true(am_quantile_mean(st.system) > st.wait_mean * 1e6);
    for (int i = 0; i < 3; i++)
        am_task_cancel(e->loop, cashiers[i]);
    tu_run_checked(&e->uv, e->mon);
    assert_int_equal(e->overlaps, 0);
    assert_int_equal(e->starts, e->ends);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_products_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serve_scans_products, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serve_empty_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serve_without_get_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_items_uniform_whole_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocked_put_keeps_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_abandons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retire, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_kind_reorders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scale_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_littles_law, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
