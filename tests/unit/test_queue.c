/* test_queue.c — unit tests of asyncio.Queue, LifoQueue and PriorityQueue
 * (queue.h), driven by program tasks and by the _nowait calls:
 *   order: FIFO, LIFO, priority (3, 2, 1 in gives 1, 2, 3 out, through
 *     put_nowait and through "put q priority fixed N" programs), priority ties
 *     in insertion order, getters served first come first served;
 *   bounds: a full queue (maxsize 1) blocks the producer until a consumer
 *     gets, and the blocked put completes at the exact time of that get;
 *     put_nowait on a full queue is AM_EFULL, get_nowait on an empty one
 *     AM_EEMPTY; raising maxsize lets blocked producers in;
 *   join/task_done: join completes at the exact virtual time of the last
 *     task_done; task_done called too often is AM_EINVAL (and fails a task);
 *   statistics: blocked producers, consumers and joiners; time in queue
 *     (p50, p95, max, mean over known waits); the depth history is filled
 *     and neither it nor max_depth ever exceeds maxsize;
 *   cancellation: a cancelled (or timed-out) blocked getter, putter or joiner
 *     leaves at once and nothing is lost; a getter handed an item and
 *     cancelled in the same instant leaves the item to the next getter, a
 *     putter let in and cancelled in the same instant puts nothing;
 *   producer/consumer through a scenario file run by the driver: two
 *     producers, three daemon consumers; every item put is got and marked
 *     done, the consumers end cancelled after the queue was joined, and the
 *     monitor's "nothing lost" check holds.
 * Every run is on the virtual clock in jump mode, so the times are exact. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "asyncmon/driver.h"
#include "asyncmon/monitor.h"
#include "asyncmon/program.h"
#include "asyncmon/queue.h"
#include "asyncmon/runtime.h"
#include "asyncmon/scenario.h"
#include "testutil.h"

/* ---- environment ---- */

typedef struct env_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    /* the observer's watch over one queue: depth and max_depth never above maxsize */
    int watch_q;
    uint64_t checks, violations;
    size_t max_depth_seen;
} env_t;

static void observe(void *ctx, const am_event_t *ev);

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    if (!e || tu_watched_open(&e->uv, &e->loop, &e->mon, observe, e) != 0) return -1;
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

/* Run the loop dry; the monitor's counts must add up after it. */
static void run(env_t *e)
{
    tu_run_checked(&e->uv, e->mon);
}

static am_queue_stats_t stats(env_t *e, int q)
{
    am_queue_stats_t st;
    assert_int_equal(am_queue_stats(e->loop, q, &st), 0);
    return st;
}

static void assert_running(env_t *e, am_task_id_t id)
{
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_RUNNING);
}

/* Take everything left with get_nowait into out; returns how many. */
static size_t drain(env_t *e, int q, int64_t *out, size_t cap)
{
    size_t n = 0;
    int64_t v;
    while (n < cap && am_queue_get_nowait(e->loop, q, &v) == 0)
        out[n++] = v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), AM_EEMPTY);
    return n;
}

static void observe(void *ctx, const am_event_t *ev)
{
    env_t *e = ctx;
    (void)ev;
    if (!e->watch_q) return;
    am_queue_stats_t st;
    if (am_queue_stats(e->loop, e->watch_q, &st) != 0) return;
    e->checks++;
    if (st.depth > e->max_depth_seen) e->max_depth_seen = st.depth;
    if (st.maxsize && (st.depth > st.maxsize || st.max_depth > st.maxsize)) e->violations++;
    for (size_t i = 0; i < st.nhistory; i++)
        if (st.maxsize && st.history[i] > st.maxsize) e->violations++;
}

/* ---- callouts ---- */

typedef struct call_s {
    env_t *e;
    int q;
    am_task_id_t task;
    int64_t value, prio;
    uint32_t n;
    int rc;
    int fired;
    am_time_t when;
    am_queue_stats_t before, after;
    double sec;
    am_callout_cb next;
} call_t;

static void at(env_t *e, double sec, am_callout_cb cb, call_t *c)
{
    c->e = e;
    assert_true(am_loop_call_at(e->loop, S(sec), cb, c) > 0);
}

static void do_look(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->when = am_loop_now(loop);
    c->after = stats(c->e, c->q);
}

static void do_put(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->before = stats(c->e, c->q);
    c->rc = am_queue_put_nowait(loop, c->q, c->value, c->prio);
    c->after = stats(c->e, c->q);
}

static void do_get(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->before = stats(c->e, c->q);
    c->rc = am_queue_get_nowait(loop, c->q, &c->value);
    c->after = stats(c->e, c->q);
}

/* The same without looking at the statistics (which take a depth sample). */
static void do_get_only(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_queue_get_nowait(loop, c->q, &c->value);
}

static void do_cancel(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->when = am_loop_now(loop);
    c->before = stats(c->e, c->q);
    c->rc = am_task_cancel(loop, c->task);
    c->after = stats(c->e, c->q);
}

static void do_maxsize(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_queue_set_maxsize(loop, c->q, c->n);
    c->after = stats(c->e, c->q);
}

/* Fires at some time, then schedules `next` at c->sec: after everything
 * already scheduled for that instant. */
static void do_later(am_loop_t *loop, void *data)
{
    call_t *c = data;
    assert_true(am_loop_call_at(loop, S(c->sec), c->next, c) > 0);
}

/* ---- order ---- */

static void test_fifo_order(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    assert_true(q > 0);
    for (int64_t v = 1; v <= 5; v++)
        assert_int_equal(am_queue_put_nowait(e->loop, q, v, 10 - v), 0); /* priority ignored */
    assert_int_equal(am_queue_depth(e->loop, q), 5);
    int64_t out[8];
    assert_int_equal(drain(e, q, out, 8), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(out[i], i + 1);
    assert_int_equal(am_queue_depth(e->loop, q), 0);
}

static void test_lifo_order(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_LIFO, 0);
    for (int64_t v = 1; v <= 3; v++)
        assert_int_equal(am_queue_put_nowait(e->loop, q, v, 0), 0);
    int64_t v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 4, 0), 0);
    int64_t out[8];
    assert_int_equal(drain(e, q, out, 8), 3);
    assert_int_equal(out[0], 4);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 1);
    assert_int_equal(stats(e, q).kind, AM_QUEUE_LIFO);
}

/* asyncio's PriorityQueue example: the lowest priority first. */
static void test_priority_order_nowait(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_PRIORITY, 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 3, 3), 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 2, 2), 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 1, 1), 0);
    int64_t out[4];
    assert_int_equal(drain(e, q, out, 4), 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 3);
}

/* Equal priorities come out in insertion order, however many and however
 * interleaved (a binary heap alone would not keep it). */
static void test_priority_ties_fifo(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_PRIORITY, 0);
    /* value = 100 * priority + insertion index */
    int64_t idx[3] = {0, 0, 0};
    static const int prios[] = {2, 1, 2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 2, 2, 1, 0, 1, 2, 0, 1};
    for (size_t i = 0; i < sizeof prios / sizeof prios[0]; i++) {
        int p = prios[i];
        assert_int_equal(am_queue_put_nowait(e->loop, q, 100 * p + idx[p]++, p), 0);
    }
    int64_t out[32];
    size_t n = drain(e, q, out, 32);
    assert_int_equal(n, sizeof prios / sizeof prios[0]);
    for (size_t i = 1; i < n; i++)
        assert_true(out[i - 1] < out[i]); /* by priority, then insertion */
    assert_int_equal(out[0], 0);
    assert_int_equal(out[n - 1], 200 + idx[2] - 1);
}

/* Through programs: "put q priority fixed N"; items carry the putter's id. */
static void test_priority_order_programs(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_PRIORITY, 0);
    am_task_id_t p3 = tu_go(e->loop, "put q priority fixed 3");
    am_task_id_t p2 = tu_go(e->loop, "put q priority fixed 2");
    am_task_id_t p1 = tu_go(e->loop, "put q priority fixed 1");
    am_task_id_t p2b = tu_go(e->loop, "put q priority 2"); /* a tie: after p2 */
    am_task_id_t p0 = tu_go(e->loop, "put q");             /* priority 0 */
    run(e);
    assert_int_equal(am_task_state(e->loop, p3), AM_TASK_DONE);
    int64_t out[8];
    assert_int_equal(drain(e, q, out, 8), 5);
    assert_int_equal(out[0], p0);
    assert_int_equal(out[1], p1);
    assert_int_equal(out[2], p2);
    assert_int_equal(out[3], p2b);
    assert_int_equal(out[4], p3);
}

/* Blocked getters are served in the order they came, one item each. */
static void test_getters_fifo(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    am_task_id_t g1 = tu_go(e->loop, "sleep fixed 0.3; get q");
    am_task_id_t g2 = tu_go(e->loop, "sleep fixed 0.1; get q");
    am_task_id_t g3 = tu_go(e->loop, "sleep fixed 0.2; get q");
    call_t a = {0}, b = {0}, look = {0};
    a.q = b.q = look.q = q;
    at(e, 1, do_put, &a);
    at(e, 2, do_put, &b);
    at(e, 0.5, do_look, &look);
    run(e);
    assert_int_equal(look.after.blocked_consumers, 3);
    tu_assert_ended(e->loop, g2, AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, g3, AM_TASK_DONE, 2);
    assert_running(e, g1);
    assert_int_equal(stats(e, q).blocked_consumers, 1);
    /* an item put now is set aside for g1: still in the queue until g1
     * runs (as asyncio's qsize() shows), but no longer to be had */
    assert_int_equal(am_queue_put_nowait(e->loop, q, 9, 0), 0);
    assert_int_equal(am_queue_depth(e->loop, q), 1);
    assert_int_equal(stats(e, q).blocked_consumers, 0);
    int64_t v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), AM_EEMPTY);
    run(e);
    tu_assert_ended(e->loop, g1, AM_TASK_DONE, 2);
    assert_int_equal(am_queue_depth(e->loop, q), 0);
    assert_int_equal(stats(e, q).gets, 3);
}

/* ---- bounds ---- */

/* maxsize 1: the second put waits for the first get and completes with it. */
static void test_full_queue_blocks_producer(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    e->watch_q = q;
    am_task_id_t prod = tu_go(e->loop, "put q; put q; put q");
    am_task_id_t cons = tu_go(e->loop, "sleep fixed 3; get q; sleep fixed 2; get q");
    call_t look = {0};
    look.q = q;
    at(e, 1, do_look, &look);
    run(e);
    assert_int_equal(look.after.depth, 1);
    assert_int_equal(look.after.blocked_producers, 1);
    assert_int_equal(look.after.puts, 1);
    /* put 2 completes at the first get (3), put 3 at the second (5) */
    tu_assert_ended(e->loop, prod, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, cons, AM_TASK_DONE, 5);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.puts, 3);
    assert_int_equal(st.gets, 2);
    assert_int_equal(st.depth, 1);
    assert_int_equal(st.max_depth, 1);
    assert_int_equal(st.blocked_producers, 0);
    assert_int_equal(e->violations, 0);
    assert_true(e->checks > 0);
}

/* The same with the blocked put's completion time observed directly. */
static void test_blocked_put_completes_at_get(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    am_task_id_t first = tu_go(e->loop, "put q");
    am_task_id_t second = tu_go(e->loop, "put q");
    call_t get = {0}, late = {0};
    get.q = late.q = q;
    at(e, 4, do_get, &get);
    at(e, 4, do_put, &late); /* the room is the blocked putter's */
    run(e);
    assert_int_equal(late.rc, AM_EFULL);
    tu_assert_ended(e->loop, first, AM_TASK_DONE, 0);
    tu_assert_ended(e->loop, second, AM_TASK_DONE, 4);
    assert_int_equal(get.rc, 0);
    assert_int_equal(get.value, first); /* the first item out */
    /* the get let the blocked put through; its item goes in when it runs,
     * and the room stays set aside for it meanwhile */
    assert_int_equal(get.before.blocked_producers, 1);
    assert_int_equal(get.after.blocked_producers, 0);
    assert_int_equal(get.after.depth, 0);
    assert_int_equal(stats(e, q).depth, 1);
    int64_t v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), 0);
    assert_int_equal(v, second);
}

static void test_nowait_errors(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 2);
    int64_t v = 77;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), AM_EEMPTY);
    assert_int_equal(v, 77);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 1, 0), 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 2, 0), 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 3, 0), AM_EFULL);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.depth, 2);
    assert_int_equal(st.puts, 2);
    assert_int_equal(st.unfinished, 2);
    /* not a queue, no such object */
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    assert_int_equal(am_queue_put_nowait(e->loop, s, 1, 0), AM_EINVAL);
    assert_int_equal(am_queue_get_nowait(e->loop, 99, &v), AM_EINVAL);
    assert_int_equal(am_queue_task_done(e->loop, s), AM_EINVAL);
    assert_int_equal(am_queue_set_maxsize(e->loop, s, 1), AM_EINVAL);
    assert_int_equal(am_queue_stats(e->loop, s, &st), AM_EINVAL);
    assert_int_equal(am_queue_depth(e->loop, s), 0);
    assert_int_equal(am_queue_new(e->loop, "bad", (am_queue_kind_t)7, 0), AM_EINVAL);
    assert_int_equal(am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0), AM_EINVAL); /* name taken */
    assert_string_equal(am_queue_kind_name(AM_QUEUE_PRIORITY), "priority");
    assert_string_equal(am_queue_kind_name(AM_QUEUE_LIFO), "lifo");
    assert_string_equal(am_queue_kind_name(AM_QUEUE_FIFO), "fifo");
    am_obj_info_t in;
    assert_int_equal(am_obj_info(e->loop, q, &in), 0);
    assert_int_equal(in.kind, AM_OBJ_QUEUE);
    assert_int_equal(in.capacity, 2);
    assert_int_equal(in.holders, 2);
}

static void test_set_maxsize_lets_producers_in(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    int p = tu_program(e->loop, "put q", 1);
    am_task_id_t w[3];
    for (int i = 0; i < 3; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t raise = {0}, unbound = {0};
    raise.q = unbound.q = q;
    raise.n = 3;
    unbound.n = 0;
    at(e, 2, do_maxsize, &raise);
    at(e, 4, do_maxsize, &unbound);
    run(e);
    assert_int_equal(raise.rc, 0);
    assert_int_equal(raise.after.maxsize, 3);
    assert_int_equal(raise.after.blocked_producers, 1); /* two let through at once */
    tu_assert_ended(e->loop, w[0], AM_TASK_DONE, 2);
    tu_assert_ended(e->loop, w[1], AM_TASK_DONE, 2);
    tu_assert_ended(e->loop, w[2], AM_TASK_DONE, 4);
    assert_int_equal(unbound.after.maxsize, 0);
    assert_int_equal(unbound.after.blocked_producers, 0);
    assert_int_equal(am_queue_depth(e->loop, q), 4);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 5, 0), 0); /* unbounded now */
    int64_t out[8];
    assert_int_equal(drain(e, q, out, 8), 5);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], w[0]);
    assert_int_equal(out[2], w[1]);
    assert_int_equal(out[3], w[2]);
}

/* ---- join and task_done ---- */

static void test_join_waits_for_task_done(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    for (int64_t v = 1; v <= 3; v++)
        assert_int_equal(am_queue_put_nowait(e->loop, q, v, 0), 0);
    int worker = tu_program(e->loop, "get q; sleep fixed 2; task_done q", 3);
    am_task_id_t w = tu_spawn_program(e->loop, worker);
    am_task_id_t j1 = tu_go(e->loop, "join q");
    am_task_id_t j2 = tu_go(e->loop, "sleep fixed 1; join q");
    call_t look = {0};
    look.q = q;
    at(e, 3, do_look, &look);
    run(e);
    assert_int_equal(look.after.joiners, 2);
    assert_int_equal(look.after.unfinished, 2); /* one done at 2 */
    assert_int_equal(look.after.depth, 1);
    tu_assert_ended(e->loop, w, AM_TASK_DONE, 6);
    tu_assert_ended(e->loop, j1, AM_TASK_DONE, 6); /* the instant of the last task_done */
    tu_assert_ended(e->loop, j2, AM_TASK_DONE, 6);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.joiners, 0);
    /* nothing unfinished: join returns at once */
    am_task_id_t j3 = tu_go(e->loop, "join q");
    run(e);
    tu_assert_ended(e->loop, j3, AM_TASK_DONE, 6);
}

/* task_done without a matching get: asyncio's ValueError, AM_EINVAL. */
static void test_task_done_too_often(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    assert_int_equal(am_queue_task_done(e->loop, q), AM_EINVAL);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 1, 0), 0);
    am_task_id_t t = tu_go(e->loop, "get q; task_done q; sleep fixed 1; task_done q");
    run(e);
    tu_assert_ended(e->loop, t, AM_TASK_FAILED, 1);
    assert_int_equal(am_task_error(e->loop, t), AM_EINVAL);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.gets, 1);
    assert_int_equal(am_queue_task_done(e->loop, q), AM_EINVAL);
    /* task_done may come before the get (the count is of items put) */
    assert_int_equal(am_queue_put_nowait(e->loop, q, 2, 0), 0);
    assert_int_equal(am_queue_task_done(e->loop, q), 0);
    assert_int_equal(stats(e, q).unfinished, 0);
}

/* ---- statistics ---- */

static void test_blocked_counts(void **state)
{
    env_t *e = *state;
    int full = am_queue_new(e->loop, "full", AM_QUEUE_FIFO, 1);
    int empty = am_queue_new(e->loop, "empty", AM_QUEUE_FIFO, 0);
    assert_int_equal(am_queue_put_nowait(e->loop, full, 1, 0), 0);
    int pp = tu_program(e->loop, "put full", 1), pg = tu_program(e->loop, "get empty", 1),
        pj = tu_program(e->loop, "join full", 1);
    am_task_id_t prod[3], cons[2], join;
    for (int i = 0; i < 3; i++)
        prod[i] = tu_spawn_program(e->loop, pp);
    for (int i = 0; i < 2; i++)
        cons[i] = tu_spawn_program(e->loop, pg);
    join = tu_spawn_program(e->loop, pj);
    call_t lf = {0}, le = {0};
    lf.q = full;
    le.q = empty;
    at(e, 1, do_look, &lf);
    at(e, 1, do_look, &le);
    run(e);
    assert_int_equal(lf.after.blocked_producers, 3);
    assert_int_equal(lf.after.blocked_consumers, 0);
    assert_int_equal(lf.after.joiners, 1);
    assert_int_equal(le.after.blocked_producers, 0);
    assert_int_equal(le.after.blocked_consumers, 2);
    am_obj_info_t in;
    assert_int_equal(am_obj_info(e->loop, full, &in), 0);
    assert_int_equal(in.waiters, 4); /* putters + joiners */
    assert_int_equal(am_obj_info(e->loop, empty, &in), 0);
    assert_int_equal(in.waiters, 2);
    for (int i = 0; i < 3; i++)
        assert_running(e, prod[i]);
    /* cancel them all: every count drops to zero */
    for (int i = 0; i < 3; i++)
        assert_int_equal(am_task_cancel(e->loop, prod[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(am_task_cancel(e->loop, cons[i]), 0);
    assert_int_equal(am_task_cancel(e->loop, join), 0);
    am_queue_stats_t st = stats(e, full);
    assert_int_equal(st.blocked_producers + st.joiners, 0);
    assert_int_equal(stats(e, empty).blocked_consumers, 0);
    run(e);
    assert_int_equal(am_task_state(e->loop, join), AM_TASK_CANCELLED);
    st = stats(e, full);
    assert_int_equal(st.depth, 1);
    assert_int_equal(st.puts, 1);
}

/* 100 items put at 0, one got every second: waits of 1..100 s. */
static void test_time_in_queue_percentiles(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    static call_t gets[100];
    memset(gets, 0, sizeof gets);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(am_queue_put_nowait(e->loop, q, i, 0), 0);
        gets[i].q = q;
        at(e, i + 1, do_get, &gets[i]);
    }
    run(e);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(gets[i].rc, 0);
        assert_int_equal(gets[i].value, i);
    }
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.gets, 100);
    assert_true(st.wait_p50 == 50.0);
    assert_true(st.wait_p95 == 95.0);
    assert_true(st.wait_max == 100.0);
    assert_true(st.wait_mean > 50.5 - 1e-9 && st.wait_mean < 50.5 + 1e-9);
    /* a fresh queue has no figures */
    int q2 = am_queue_new(e->loop, "q2", AM_QUEUE_FIFO, 0);
    st = stats(e, q2);
    assert_true(st.wait_p50 == 0 && st.wait_max == 0 && st.wait_mean == 0);
    assert_true(st.put_rate == 0 && st.get_rate == 0);
}

/* The window is the last AM_QUEUE_WINDOW items: old waits drop out. */
static void test_time_in_queue_window(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    /* one item that waited 1000 s, then AM_QUEUE_WINDOW items that waited 0 */
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    static call_t g;
    memset(&g, 0, sizeof g);
    g.q = q;
    at(e, 1000, do_get, &g);
    run(e);
    assert_true(stats(e, q).wait_max == 1000.0);
    int64_t v;
    for (int i = 0; i < AM_QUEUE_WINDOW; i++) {
        assert_int_equal(am_queue_put_nowait(e->loop, q, i, 0), 0);
        assert_int_equal(am_queue_get_nowait(e->loop, q, &v), 0);
    }
    am_queue_stats_t st = stats(e, q);
    assert_true(st.wait_max == 0);
    assert_true(st.wait_p95 == 0);
    /* the mean is over every item ever got */
    assert_true(st.wait_mean > 0);
}

/* Depth history: sampled every 0.25 s of virtual time, oldest first, never
 * above maxsize; max_depth the same. */
static void test_depth_history(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 3);
    e->watch_q = q;
    am_loop_seed(e->loop, 3);
    int p = tu_program(e->loop, "sleep exponential 0.2; put q", 150);
    int c = tu_program(e->loop, "get q; sleep uniform 0.1 0.6; task_done q", 100);
    am_task_id_t p1 = tu_spawn_program(e->loop, p), p2 = tu_spawn_program(e->loop, p);
    am_task_id_t c1 = tu_spawn_program(e->loop, c), c2 = tu_spawn_program(e->loop, c),
                 c3 = tu_spawn_program(e->loop, c);
    run(e);
    assert_int_equal(am_task_state(e->loop, p1), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, p2), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, c1), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, c2), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, c3), AM_TASK_DONE);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.puts, 300);
    assert_int_equal(st.gets, 300);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.max_depth, 3); /* producers outpace consumers: it fills up */
    assert_int_equal(e->max_depth_seen, 3);
    assert_int_equal(e->violations, 0);
    assert_true(e->checks > 600);
    /* a run of more than 30 s fills the whole history */
    assert_true(am_loop_now(e->loop) > S(AM_QUEUE_HISTORY * 0.25));
    assert_int_equal(st.nhistory, AM_QUEUE_HISTORY);
    int nonzero = 0;
    for (size_t i = 0; i < st.nhistory; i++) {
        assert_true(st.history[i] <= 3);
        nonzero += st.history[i] > 0;
    }
    assert_true(nonzero > 0);
    assert_true(st.history[st.nhistory - 1] == 0); /* the last sample: empty */
    assert_true(st.put_rate > 0);
}

/* Known depths: three items from 0 to 1 s, one until 2 s, then empty. */
static void test_depth_history_known(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(am_queue_put_nowait(e->loop, q, i, 0), 0);
    call_t g[3] = {{0}}, look = {0};
    for (int i = 0; i < 3; i++)
        g[i].q = q;
    look.q = q;
    at(e, 1, do_get_only, &g[0]);
    at(e, 1, do_get_only, &g[1]);
    at(e, 2, do_get_only, &g[2]);
    at(e, 3, do_look, &look);
    run(e);
    /* samples at 0, 0.25, ..., 3.0 (13 of them): 3 3 3 3 | 1 1 1 1 | 0 0 0 0 0 */
    assert_int_equal(look.after.nhistory, 13);
    static const uint32_t want[13] = {3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 0};
    for (int i = 0; i < 13; i++)
        assert_int_equal(look.after.history[i], want[i]);
    assert_int_equal(look.after.max_depth, 3);
}

/* ---- cancellation and deadlines ---- */

static void test_cancel_blocked_getter(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    int pg = tu_program(e->loop, "get q; task_done q", 1);
    am_task_id_t g1 = tu_spawn_program(e->loop, pg), g2 = tu_spawn_program(e->loop, pg);
    call_t c = {0}, put = {0};
    c.q = put.q = q;
    c.task = g1;
    put.value = 5;
    at(e, 1, do_cancel, &c);
    at(e, 2, do_put, &put);
    run(e);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.before.blocked_consumers, 2);
    assert_int_equal(c.after.blocked_consumers, 1); /* at once */
    tu_assert_ended(e->loop, g1, AM_TASK_CANCELLED, 1);
    tu_assert_ended(e->loop, g2, AM_TASK_DONE, 2); /* the item went to the one still waiting */
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.gets, 1);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.blocked_consumers, 0);
}

static void test_cancel_blocked_putter(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    int pp = tu_program(e->loop, "put q", 1);
    am_task_id_t p1 = tu_spawn_program(e->loop, pp), p2 = tu_spawn_program(e->loop, pp);
    call_t c = {0}, get = {0};
    c.q = get.q = q;
    c.task = p1;
    at(e, 1, do_cancel, &c);
    at(e, 2, do_get, &get);
    run(e);
    assert_int_equal(c.before.blocked_producers, 2);
    assert_int_equal(c.after.blocked_producers, 1);
    tu_assert_ended(e->loop, p1, AM_TASK_CANCELLED, 1);
    tu_assert_ended(e->loop, p2, AM_TASK_DONE, 2);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.puts, 2); /* the cancelled put never happened */
    assert_int_equal(st.depth, 1);
    int64_t v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), 0);
    assert_int_equal(v, p2);
}

static void test_cancel_joiner(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    am_task_id_t j1 = tu_go(e->loop, "join q"), j2 = tu_go(e->loop, "join q");
    am_task_id_t w = tu_go(e->loop, "sleep fixed 5; get q; task_done q");
    call_t c = {0};
    c.q = q;
    c.task = j1;
    at(e, 1, do_cancel, &c);
    run(e);
    assert_int_equal(c.before.joiners, 2);
    assert_int_equal(c.after.joiners, 1);
    tu_assert_ended(e->loop, j1, AM_TASK_CANCELLED, 1);
    tu_assert_ended(e->loop, j2, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, w, AM_TASK_DONE, 5);
}

/* Deadlines on blocked getters, putters and joiners: timed out, out of the queue. */
static void test_deadline_on_blocked(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    int q2 = am_queue_new(e->loop, "q2", AM_QUEUE_FIFO, 0);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    am_task_id_t putter = tu_go(e->loop, "put q");
    am_task_id_t joiner = tu_go(e->loop, "join q");
    am_task_id_t getter = tu_go(e->loop, "get q2");
    am_task_id_t later = tu_go(e->loop, "sleep fixed 1; get q2");
    assert_int_equal(am_task_set_timeout(e->loop, putter, S(2)), 0);
    assert_int_equal(am_task_set_timeout(e->loop, joiner, S(3)), 0);
    assert_int_equal(am_task_set_timeout(e->loop, getter, S(4)), 0);
    call_t look = {0}, look2 = {0}, put = {0};
    look.q = put.q = q2;
    look2.q = q;
    put.value = 42;
    at(e, 4.5, do_look, &look);
    at(e, 4.5, do_look, &look2);
    at(e, 6, do_put, &put);
    run(e);
    tu_assert_ended(e->loop, putter, AM_TASK_TIMED_OUT, 2);
    tu_assert_ended(e->loop, joiner, AM_TASK_TIMED_OUT, 3);
    tu_assert_ended(e->loop, getter, AM_TASK_TIMED_OUT, 4);
    assert_int_equal(am_task_error(e->loop, getter), AM_ETIMEOUT);
    assert_int_equal(look2.after.blocked_producers, 0);
    assert_int_equal(look2.after.joiners, 0);
    assert_int_equal(look2.after.puts, 1);
    assert_int_equal(look.after.blocked_consumers, 1); /* `later` only */
    tu_assert_ended(e->loop, later, AM_TASK_DONE, 6);
}

/* A getter handed an item, then cancelled in the same instant before it
 * ran: asyncio leaves the item in the queue for the next getter (the get
 * never returned). Nothing may be lost: join still completes. */
static void test_getter_handed_then_cancelled(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    int pg = tu_program(e->loop, "get q; sleep fixed 1; task_done q", 1);
    am_task_id_t g1 = tu_spawn_program(e->loop, pg), g2 = tu_spawn_program(e->loop, pg);
    am_task_id_t j = tu_go(e->loop, "sleep fixed 2.5; join q");
    call_t put = {0}, k = {0};
    put.q = k.q = q;
    put.value = 7;
    at(e, 2, do_put, &put);
    k.task = g1;
    k.sec = 2;
    k.next = do_cancel;
    at(e, 1, do_later, &k); /* at 2, after the put handed the item to g1 */
    run(e);
    assert_int_equal(put.rc, 0);
    assert_int_equal(k.when, S(2));
    tu_assert_ended(e->loop, g1, AM_TASK_CANCELLED, 2);
    tu_assert_ended(e->loop, g2, AM_TASK_DONE, 3);
    tu_assert_ended(e->loop, j, AM_TASK_DONE, 3);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.puts, 1);
    assert_int_equal(st.gets, 1);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.blocked_consumers, 0);
}

/* A putter let in (room handed over), then cancelled in the same instant
 * before it ran: its put never completed, so its item is not in the queue,
 * and the room goes to the next putter. */
static void test_putter_let_in_then_cancelled(void **state)
{
    env_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    assert_int_equal(am_queue_put_nowait(e->loop, q, 0, 0), 0);
    int pp = tu_program(e->loop, "put q", 1);
    am_task_id_t p1 = tu_spawn_program(e->loop, pp), p2 = tu_spawn_program(e->loop, pp);
    call_t get = {0}, k = {0};
    get.q = k.q = q;
    at(e, 2, do_get, &get);
    k.task = p1;
    k.sec = 2;
    k.next = do_cancel;
    at(e, 1, do_later, &k);
    run(e);
    assert_int_equal(get.rc, 0);
    tu_assert_ended(e->loop, p1, AM_TASK_CANCELLED, 2);
    tu_assert_ended(e->loop, p2, AM_TASK_DONE, 2);
    am_queue_stats_t st = stats(e, q);
    assert_int_equal(st.puts, 2);
    assert_int_equal(st.depth, 1);
    assert_int_equal(st.unfinished, 2);
    int64_t v;
    assert_int_equal(am_queue_get_nowait(e->loop, q, &v), 0);
    assert_int_equal(v, p2);
}

/* ---- producer/consumer through a scenario and the driver ---- */

typedef struct pc_run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *d;
    am_scenario_t sc;
    int finished;
    am_time_t finished_at;
    int q;
    /* the queue when the first consumer ended (they are cancelled together) */
    int consumer_ended;
    am_queue_stats_t at_cancel;
    am_time_t last_task_done; /* approximated: when unfinished last dropped to 0 */
    uint64_t last_unfinished;
    size_t max_depth_seen;
} pc_run_t;

static void pc_finish(am_driver_t *d, void *data)
{
    pc_run_t *r = data;
    (void)d;
    r->finished++;
    r->finished_at = am_loop_now(r->loop);
}

static void pc_observe(void *ctx, const am_event_t *ev)
{
    pc_run_t *r = ctx;
    am_queue_stats_t st;
    if (r->q <= 0 || am_queue_stats(r->loop, r->q, &st) != 0) return;
    if (st.depth > r->max_depth_seen) r->max_depth_seen = st.depth;
    if (st.unfinished == 0 && r->last_unfinished != 0) r->last_task_done = ev->time;
    r->last_unfinished = st.unfinished;
    if (ev->type == AM_EV_ENDED && ev->state == AM_TASK_CANCELLED && !r->consumer_ended) {
        r->consumer_ended = 1;
        r->at_cancel = st;
    }
}

static void run_producer_consumer(uint64_t seed, const char *maxsize)
{
    char text[1024], err[512];
    snprintf(text, sizeof text,
             "[scenario]\n"
             "title = producers and consumers\n"
             "combinator = gather\n"
             "\n"
             "[queue.q]\n"
             "maxsize = %s\n"
             "\n"
             "[group.producers]\n"
             "count = 2\n"
             "do = sleep exponential 0.5; put q\n"
             "repeat = 50\n"
             "\n"
             "[group.consumers]\n"
             "count = 3\n"
             "do = get q; sleep uniform 0.2 1; task_done q\n"
             "repeat = forever\n"
             "daemon = true\n",
             maxsize);
    pc_run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    const char *path = tu_write_temp("queue", text);
    int rc = am_scenario_load(path, &r->sc, err, sizeof err);
    tu_remove_temp(path);
    if (rc) fail_msg("%s", err);
    tu_loop_open(&r->uv, &r->loop);
    r->mon = am_monitor_new(r->loop, 0);
    assert_non_null(r->mon);
    am_monitor_set_listener(r->mon, pc_observe, r);
    r->d = am_driver_new(r->loop, &r->sc, seed, pc_finish, r);
    assert_non_null(r->d);
    r->q = am_obj_find(r->loop, "q");
    assert_true(r->q > 0);
    assert_int_equal(am_driver_start(r->d), 0);
    /* a guard: a run that never ends is stopped (and then fails below) */
    assert_int_equal(am_driver_stop_at(r->d, S(1000)), 0);
    uv_run(&r->uv, UV_RUN_DEFAULT);

    assert_int_equal(r->finished, 1);
    assert_int_equal(am_driver_stopped(r->d), 0);
    assert_true(r->finished_at < S(1000));
    tu_assert_monitor_ok(r->mon);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 5);
    assert_int_equal(c->by_state[AM_TASK_DONE], 2);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 3);
    assert_int_equal(am_monitor_ended(r->mon), 5);
    am_queue_stats_t st;
    assert_int_equal(am_queue_stats(r->loop, r->q, &st), 0);
    assert_int_equal(st.puts, 100);
    assert_int_equal(st.gets, 100);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(st.depth, 0);
    assert_int_equal(st.blocked_consumers, 0);
    if (st.maxsize) assert_true(r->max_depth_seen <= st.maxsize);
    /* the consumers were cancelled once the queue was joined, not before */
    assert_int_equal(r->consumer_ended, 1);
    assert_int_equal(r->at_cancel.unfinished, 0);
    assert_int_equal(r->at_cancel.gets, 100);
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        if (am_task_is_node(r->loop, id)) continue;
        size_t gi = (size_t)am_driver_task_group(r->d, id);
        if (gi == 0) {
            assert_int_equal(am_task_state(r->loop, id), AM_TASK_DONE);
            assert_int_equal(am_task_result(r->loop, id), 50);
        } else {
            assert_int_equal(am_task_state(r->loop, id), AM_TASK_CANCELLED);
            assert_true(am_task_ended(r->loop, id) >= r->last_task_done);
        }
    }
    am_driver_free(r->d);
    am_monitor_free(r->mon);
    assert_int_equal(tu_loop_close(&r->uv, r->loop), 0);
    am_scenario_free(&r->sc);
    free(r);
}

static void test_producer_consumer_scenario(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 5; seed++)
        run_producer_consumer(seed, "0");
    run_producer_consumer(11, "2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_fifo_order),
        T(test_lifo_order),
        T(test_priority_order_nowait),
        T(test_priority_ties_fifo),
        T(test_priority_order_programs),
        T(test_getters_fifo),
        T(test_full_queue_blocks_producer),
        T(test_blocked_put_completes_at_get),
        T(test_nowait_errors),
        T(test_set_maxsize_lets_producers_in),
        T(test_join_waits_for_task_done),
        T(test_task_done_too_often),
        T(test_blocked_counts),
        T(test_time_in_queue_percentiles),
        T(test_time_in_queue_window),
        T(test_depth_history),
        T(test_depth_history_known),
        T(test_cancel_blocked_getter),
        T(test_cancel_blocked_putter),
        T(test_cancel_joiner),
        T(test_deadline_on_blocked),
        T(test_getter_handed_then_cancelled),
        T(test_putter_let_in_then_cancelled),
        cmocka_unit_test(test_producer_consumer_scenario),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
