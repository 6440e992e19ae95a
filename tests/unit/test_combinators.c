/* test_combinators.c — unit tests of gather, as_completed, wait, wait_for,
 * shield and TaskGroup (combinators.h) against Python asyncio's documented
 * behaviour:
 *   gather: results in submission order, completion order kept apart;
 *     return_exceptions false ends the gather at the first error while the
 *     siblings keep running; true keeps errors as results; cancelling the
 *     gather cancels its tasks; an empty gather; tasks that already ended.
 *   as_completed: completion order; a timeout ends the node (timed out) and
 *     leaves the tasks running; cancelling it cancels nothing else.
 *   wait: ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION (a cancellation is
 *     not an exception), the timeout cancels nothing (the asyncio docs'
 *     0.1/0.1/3 s example), the sets read while waiting, the `while pending:`
 *     loop through am_wait_rearm, rearming after tasks ended unobserved.
 *   wait_for: the timeout cancels the inner task (timed out); with shield the
 *     inner task keeps running; shield absorbs cancellation.
 *   TaskGroup: the first failure cancels the siblings, the group fails with
 *     that error and ends only after every child has; cancelled children do
 *     not fail it; closing, cancelling and adding rules.
 *   Nested combinators and the order in which watchers hear of an end.
 * All on the virtual clock in jump mode, so every time below is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "asyncmon/combinators.h"
#include "asyncmon/runtime.h"
#include "testutil.h"

/* A one-step sleep in group 0 that fails with fail (an error code) or ends with result. */
static am_task_id_t spawn(am_loop_t *loop, double sec, int fail, int64_t result)
{
    return tu_spawn_sleep(loop, 0, sec, 1, fail, result);
}

static void assert_ended(am_loop_t *loop, am_task_id_t id, am_task_state_t st, double sec)
{
    assert_int_equal(am_task_state(loop, id), st);
    assert_int_equal(am_task_ended(loop, id), S(sec));
}

/* set equality: same size, every wanted id present once */
static int same_set(const am_task_id_t *got, size_t ngot, const am_task_id_t *want, size_t nwant)
{
    if (ngot != nwant) return 0;
    for (size_t i = 0; i < nwant; i++) {
        size_t k = 0;
        for (size_t j = 0; j < ngot; j++)
            if (got[j] == want[i]) k++;
        if (k != 1) return 0;
    }
    return 1;
}

static void assert_wait_sets(am_loop_t *loop, am_task_id_t w, const am_task_id_t *done,
                             size_t ndone, const am_task_id_t *pending, size_t npending)
{
    const am_task_id_t *d = NULL, *p = NULL;
    size_t nd = am_wait_done(loop, w, &d);
    size_t np = am_wait_pending(loop, w, &p);
    assert_true(same_set(d, nd, done, ndone));
    assert_true(same_set(p, np, pending, npending));
}

/* ---- node completion log (the done_cb of a combinator) ---- */

typedef struct node_log_s {
    am_task_id_t id[64];
    am_time_t at[64];
    am_task_state_t state[64];
    int timed_out[64];
    size_t n;
} node_log_t;

static void node_done(am_loop_t *loop, am_task_id_t id, void *data)
{
    node_log_t *l = data;
    if (l->n >= 64) return;
    l->id[l->n] = id;
    l->at[l->n] = am_loop_now(loop);
    l->state[l->n] = am_task_state(loop, id);
    l->timed_out[l->n] = am_wait_timed_out(loop, id);
    l->n++;
}

/* ---- actions at a virtual time ---- */

typedef struct action_s {
    am_task_id_t task;
    int rc;
} action_t;

static void do_cancel(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_task_cancel(loop, a->task);
}

static void do_close(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_taskgroup_close(loop, a->task);
}

static void do_rearm(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_wait_rearm(loop, a->task, NULL, 0, AM_NO_TIMEOUT);
}

static void at(am_loop_t *loop, double sec, am_callout_cb cb, void *data)
{
    assert_true(am_loop_call_at(loop, S(sec), cb, data) > 0);
}

/* ---- gather ---- */

static void test_gather_orders(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t ids[3] = {spawn(loop, 3.0, 0, 30), spawn(loop, 1.0, 0, 10),
                           spawn(loop, 2.0, 0, 20)};
    am_task_id_t g = am_gather(loop, ids, 3, 0, node_done, &nl);
    assert_int_not_equal(g, 0);
    assert_int_equal(am_task_kind(loop, g), AM_KIND_GATHER);

    const am_task_id_t *sub = NULL, *done = NULL;
    am_loop_pause(loop, 1);
    am_loop_step(loop); /* t=0: starts */
    am_loop_step(loop); /* t=1: the second task ends first */
    assert_int_equal(am_gather_completed(loop, g, &done), 1);
    assert_int_equal(done[0], ids[1]);
    assert_int_equal(am_task_state(loop, g), AM_TASK_RUNNING);
    am_loop_pause(loop, 0);
    tu_run_idle(&e->uv);

    assert_ended(loop, g, AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, g), 3);
    assert_int_equal(am_task_error(loop, g), 0);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.id[0], g);
    assert_int_equal(nl.at[0], S(3.0));
    assert_int_equal(nl.state[0], AM_TASK_DONE);

    /* results in submission order */
    assert_int_equal(am_gather_tasks(loop, g, &sub), 3);
    static const int64_t want_result[] = {30, 10, 20};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sub[i], ids[i]);
        assert_int_equal(am_task_result(loop, sub[i]), want_result[i]);
    }
    /* completion order beside it */
    assert_int_equal(am_gather_completed(loop, g, &done), 3);
    assert_int_equal(done[0], ids[1]);
    assert_int_equal(done[1], ids[2]);
    assert_int_equal(done[2], ids[0]);

    assert_int_equal(am_gather_tasks(loop, ids[0], &sub), 0); /* not a gather */
    assert_int_equal(am_gather_completed(loop, 999, &done), 0);
}

static void test_gather_first_error_siblings_continue(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t ids[4] = {spawn(loop, 1.0, 0, 1), spawn(loop, 2.0, AM_EIO, 0),
                           spawn(loop, 3.0, 0, 3), spawn(loop, 4.0, AM_ETASKFAIL, 0)};
    am_task_id_t g = am_gather(loop, ids, 4, 0, node_done, &nl);
    tu_run_idle(&e->uv);

    /* the gather raises the first error when it happens... */
    assert_ended(loop, g, AM_TASK_FAILED, 2.0);
    assert_int_equal(am_task_error(loop, g), AM_EIO);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(2.0));
    assert_int_equal(nl.state[0], AM_TASK_FAILED);
    /* ...and the others are not cancelled: they run to their own end */
    assert_ended(loop, ids[0], AM_TASK_DONE, 1.0);
    assert_ended(loop, ids[1], AM_TASK_FAILED, 2.0);
    assert_ended(loop, ids[2], AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, ids[2]), 3);
    assert_ended(loop, ids[3], AM_TASK_FAILED, 4.0);
    assert_int_equal(am_task_error(loop, ids[3]), AM_ETASKFAIL);
    assert_int_equal(am_loop_now(loop), S(4.0));
    /* completion order keeps growing after the early error */
    const am_task_id_t *done = NULL;
    assert_int_equal(am_gather_completed(loop, g, &done), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(done[i], ids[i]);
}

static void test_gather_return_exceptions(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t ids[4] = {spawn(loop, 1.0, 0, 1), spawn(loop, 2.0, AM_EIO, 0),
                           spawn(loop, 3.0, 0, 3), spawn(loop, 4.0, AM_ETASKFAIL, 0)};
    am_task_id_t g = am_gather(loop, ids, 4, 1, node_done, &nl);
    tu_run_idle(&e->uv);

    assert_ended(loop, g, AM_TASK_DONE, 4.0);
    assert_int_equal(am_task_error(loop, g), 0);
    assert_int_equal(am_task_result(loop, g), 4);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(4.0));
    /* the errors are the results of their slots */
    const am_task_id_t *sub = NULL;
    assert_int_equal(am_gather_tasks(loop, g, &sub), 4);
    assert_int_equal(am_task_result(loop, sub[0]), 1);
    assert_int_equal(am_task_error(loop, sub[1]), AM_EIO);
    assert_int_equal(am_task_result(loop, sub[2]), 3);
    assert_int_equal(am_task_error(loop, sub[3]), AM_ETASKFAIL);
}

static void test_gather_child_cancelled_or_timed_out(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* a child cancelled from outside: the gather raises CancelledError */
    am_task_id_t c[2] = {tu_sleep_for(loop, 3.0), tu_sleep_for(loop, 1.0)};
    am_task_id_t g1 = am_gather(loop, c, 2, 0, NULL, NULL);
    action_t cancel = {c[0], 1};
    at(loop, 0.5, do_cancel, &cancel);
    /* a child timed out by its deadline: the gather raises TimeoutError */
    am_task_id_t t[2] = {tu_sleep_for(loop, 3.0), tu_sleep_for(loop, 2.0)};
    assert_int_equal(am_task_set_timeout(loop, t[0], S(1.0)), 0);
    am_task_id_t g2 = am_gather(loop, t, 2, 0, NULL, NULL);
    tu_run_idle(&e->uv);

    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, g1, AM_TASK_CANCELLED, 0.5);
    assert_int_equal(am_task_error(loop, g1), AM_ECANCELLED);
    assert_ended(loop, c[0], AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, c[1], AM_TASK_DONE, 1.0);

    assert_ended(loop, g2, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, g2), AM_ETIMEOUT);
    assert_ended(loop, t[0], AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, t[1], AM_TASK_DONE, 2.0);
}

static void test_gather_cancel(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t ids[2][3], g[2];
    action_t cancel[2];
    for (int r = 0; r < 2; r++) {
        ids[r][0] = tu_sleep_for(loop, 0.5);
        ids[r][1] = tu_sleep_for(loop, 2.0);
        ids[r][2] = tu_sleep_for(loop, 3.0);
        g[r] = am_gather(loop, ids[r], 3, r, NULL, NULL);
        cancel[r] = (action_t){g[r], 1};
        at(loop, 1.0, do_cancel, &cancel[r]);
    }
    tu_run_idle(&e->uv);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(cancel[r].rc, 0);
        /* cancelling the gather cancels every task still running */
        assert_ended(loop, g[r], AM_TASK_CANCELLED, 1.0);
        assert_int_equal(am_task_error(loop, g[r]), AM_ECANCELLED);
        assert_ended(loop, ids[r][0], AM_TASK_DONE, 0.5);
        assert_ended(loop, ids[r][1], AM_TASK_CANCELLED, 1.0);
        assert_ended(loop, ids[r][2], AM_TASK_CANCELLED, 1.0);
        assert_int_equal(am_task_cancel(loop, g[r]), AM_ESTATE);
    }
    assert_int_equal(am_loop_now(loop), S(1.0));
}

static void test_gather_empty_and_invalid(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t g = am_gather(loop, NULL, 0, 0, node_done, &nl);
    assert_int_not_equal(g, 0);
    /* settles at the next turn, like asyncio's done future callbacks */
    assert_int_equal(am_task_state(loop, g), AM_TASK_RUNNING);
    assert_int_equal(nl.n, 0);
    tu_run_idle(&e->uv);
    assert_ended(loop, g, AM_TASK_DONE, 0.0);
    assert_int_equal(am_task_result(loop, g), 0);
    assert_int_equal(nl.n, 1);

    size_t before = am_task_count(loop);
    am_task_id_t bad[2] = {1, 1234};
    assert_int_equal(am_gather(loop, NULL, 2, 0, NULL, NULL), 0);
    assert_int_equal(am_gather(loop, bad, 2, 0, NULL, NULL), 0);
    assert_int_equal(am_task_count(loop), before);
}

static void test_gather_tasks_already_ended(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t a = spawn(loop, 1.0, 0, 5);
    am_task_id_t b = spawn(loop, 1.0, AM_EIO, 0);
    tu_run_idle(&e->uv);
    am_task_id_t c = tu_sleep_for(loop, 3.0); /* starts at 1, ends at 4 */

    am_task_id_t ab[2] = {a, b}, bc[2] = {b, c};
    am_task_id_t g_ok = am_gather(loop, &a, 1, 0, NULL, NULL);
    am_task_id_t g_fail = am_gather(loop, ab, 2, 0, NULL, NULL);
    am_task_id_t g_rexc = am_gather(loop, ab, 2, 1, NULL, NULL);
    am_task_id_t g_mix = am_gather(loop, bc, 2, 0, NULL, NULL);
    assert_int_equal(am_task_state(loop, g_fail), AM_TASK_RUNNING);
    tu_run_idle(&e->uv);

    assert_ended(loop, g_ok, AM_TASK_DONE, 1.0);
    assert_ended(loop, g_fail, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, g_fail), AM_EIO);
    assert_ended(loop, g_rexc, AM_TASK_DONE, 1.0);
    /* an early error settles at once; the pending sibling keeps running */
    assert_ended(loop, g_mix, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, g_mix), AM_EIO);
    assert_ended(loop, c, AM_TASK_DONE, 4.0);
    const am_task_id_t *done = NULL;
    assert_int_equal(am_gather_completed(loop, g_fail, &done), 2);
    assert_int_equal(done[0], a);
    assert_int_equal(done[1], b);
}

/* ---- as_completed ---- */

typedef struct ac_log_s {
    am_task_id_t task[16]; /* 0 marks the done callback */
    am_time_t at[16];
    am_task_state_t node_state[16];
    size_t n;
} ac_log_t;

static void ac_item(am_loop_t *loop, am_task_id_t node, am_task_id_t task, void *data)
{
    ac_log_t *l = data;
    l->task[l->n] = task;
    l->at[l->n] = am_loop_now(loop);
    l->node_state[l->n] = am_task_state(loop, node);
    l->n++;
}

static void ac_done(am_loop_t *loop, am_task_id_t node, void *data)
{
    ac_log_t *l = data;
    l->task[l->n] = 0;
    l->at[l->n] = am_loop_now(loop);
    l->node_state[l->n] = am_task_state(loop, node);
    l->n++;
}

static void test_as_completed_order(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    ac_log_t log = {0};
    am_task_id_t ids[4] = {tu_sleep_for(loop, 3.0), tu_sleep_for(loop, 1.0),
                           tu_sleep_for(loop, 2.0), tu_sleep_for(loop, 0.5)};
    am_task_id_t ac = am_as_completed(loop, ids, 4, AM_NO_TIMEOUT, ac_item, ac_done, &log);
    assert_int_not_equal(ac, 0);
    tu_run_idle(&e->uv);

    static const int order[] = {3, 1, 2, 0};
    static const double when[] = {0.5, 1.0, 2.0, 3.0};
    assert_int_equal(log.n, 5);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(log.task[i], ids[order[i]]);
        assert_int_equal(log.at[i], S(when[i]));
        assert_int_equal(log.node_state[i], AM_TASK_RUNNING);
    }
    assert_int_equal(log.task[4], 0); /* done callback last */
    assert_int_equal(log.at[4], S(3.0));
    assert_int_equal(log.node_state[4], AM_TASK_DONE);
    assert_ended(loop, ac, AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, ac), 4);
    const am_task_id_t *got = NULL;
    assert_int_equal(am_as_completed_order(loop, ac, &got), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(got[i], ids[order[i]]);
}

static void test_as_completed_timeout(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    ac_log_t log = {0};
    am_task_id_t ids[3] = {tu_sleep_for(loop, 0.5), tu_sleep_for(loop, 1.0),
                           spawn(loop, 5.0, 0, 55)};
    am_task_id_t ac = am_as_completed(loop, ids, 3, S(2.0), ac_item, ac_done, &log);
    tu_run_idle(&e->uv);

    assert_int_equal(log.n, 3);
    assert_int_equal(log.task[0], ids[0]);
    assert_int_equal(log.task[1], ids[1]);
    assert_int_equal(log.task[2], 0);
    assert_int_equal(log.at[2], S(2.0));
    assert_int_equal(log.node_state[2], AM_TASK_TIMED_OUT);
    /* the node times out at t=2... */
    assert_ended(loop, ac, AM_TASK_TIMED_OUT, 2.0);
    assert_int_equal(am_task_error(loop, ac), AM_ETIMEOUT);
    /* ...and the slow task is not cancelled: it finishes later */
    assert_ended(loop, ids[2], AM_TASK_DONE, 5.0);
    assert_int_equal(am_task_result(loop, ids[2]), 55);
    const am_task_id_t *got = NULL;
    assert_int_equal(am_as_completed_order(loop, ac, &got), 2);
}

static void test_as_completed_ended_tasks_and_cancel(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    ac_log_t log = {0}, log2 = {0}, log3 = {0};
    am_task_id_t a = tu_sleep_for(loop, 1.0), b = tu_sleep_for(loop, 0.5);
    tu_run_idle(&e->uv);
    am_task_id_t c = tu_sleep_for(loop, 2.0); /* 1 -> 3 */
    am_task_id_t abc[3] = {a, c, b};
    am_task_id_t ac = am_as_completed(loop, abc, 3, AM_NO_TIMEOUT, ac_item, ac_done, &log);

    /* cancelling as_completed stops the waiting, not the tasks */
    am_task_id_t d = tu_sleep_for(loop, 5.0); /* 1 -> 6 */
    am_task_id_t ac2 = am_as_completed(loop, &d, 1, AM_NO_TIMEOUT, ac_item, ac_done, &log2);
    action_t cancel = {ac2, 1};
    at(loop, 2.0, do_cancel, &cancel);

    am_task_id_t empty = am_as_completed(loop, NULL, 0, S(1.0), ac_item, ac_done, &log3);
    assert_int_not_equal(empty, 0);
    tu_run_idle(&e->uv);

    /* the tasks that had ended come first, at once; then c when it ends */
    assert_int_equal(log.n, 4);
    assert_true(same_set(log.task, 2, (am_task_id_t[]){a, b}, 2));
    assert_int_equal(log.at[0], S(1.0));
    assert_int_equal(log.at[1], S(1.0));
    assert_int_equal(log.task[2], c);
    assert_int_equal(log.at[2], S(3.0));
    assert_int_equal(log.task[3], 0);
    assert_ended(loop, ac, AM_TASK_DONE, 3.0);

    assert_int_equal(cancel.rc, 0);
    assert_int_equal(log2.n, 1);
    assert_int_equal(log2.task[0], 0);
    assert_ended(loop, ac2, AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, d, AM_TASK_DONE, 6.0);

    assert_int_equal(log3.n, 1);
    assert_ended(loop, empty, AM_TASK_DONE, 1.0);

    am_task_id_t bad = 4321;
    assert_int_equal(am_as_completed(loop, &bad, 1, AM_NO_TIMEOUT, NULL, NULL, NULL), 0);
    assert_int_equal(am_as_completed(loop, &a, 1, -7, NULL, NULL, NULL), 0);
}

/* ---- wait ---- */

static void test_wait_all_completed(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t ids[3] = {tu_sleep_for(loop, 1.0), spawn(loop, 2.0, AM_EIO, 0),
                           tu_sleep_for(loop, 3.0)};
    am_task_id_t w = am_wait(loop, ids, 3, AM_ALL_COMPLETED, AM_NO_TIMEOUT, node_done, &nl);
    assert_int_not_equal(w, 0);
    assert_int_equal(am_task_kind(loop, w), AM_KIND_WAIT);
    tu_run_idle(&e->uv);

    /* a failure neither ends ALL_COMPLETED early nor fails the wait */
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(3.0));
    assert_ended(loop, w, AM_TASK_DONE, 3.0);
    assert_int_equal(am_wait_timed_out(loop, w), 0);
    assert_int_equal(am_task_result(loop, w), 3);
    assert_wait_sets(loop, w, ids, 3, NULL, 0);

    const am_task_id_t *x = NULL;
    assert_int_equal(am_wait_done(loop, ids[0], &x), 0); /* not a wait */
    assert_int_equal(am_wait_pending(loop, 999, &x), 0);
    assert_int_equal(am_wait_timed_out(loop, ids[0]), 0);
}

static void test_wait_first_completed(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t ids[3] = {tu_sleep_for(loop, 2.0), tu_sleep_for(loop, 1.0),
                           tu_sleep_for(loop, 3.0)};
    am_task_id_t w = am_wait(loop, ids, 3, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, node_done, &nl);
    tu_run_idle(&e->uv);

    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(1.0));
    assert_ended(loop, w, AM_TASK_DONE, 1.0);
    /* the others keep running and finish; the returned sets stay as returned */
    assert_ended(loop, ids[0], AM_TASK_DONE, 2.0);
    assert_ended(loop, ids[2], AM_TASK_DONE, 3.0);
    am_task_id_t done[1] = {ids[1]}, pending[2] = {ids[0], ids[2]};
    assert_wait_sets(loop, w, done, 1, pending, 2);
}

static void test_wait_first_exception(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    /* a cancellation is not an exception: the wait goes on until B fails */
    am_task_id_t ids[3] = {tu_sleep_for(loop, 1.0), spawn(loop, 2.0, AM_EIO, 0),
                           tu_sleep_for(loop, 3.0)};
    action_t cancel = {ids[0], 1};
    at(loop, 0.5, do_cancel, &cancel);
    am_task_id_t w = am_wait(loop, ids, 3, AM_FIRST_EXCEPTION, AM_NO_TIMEOUT, node_done, &nl);
    /* no exception at all: FIRST_EXCEPTION is ALL_COMPLETED */
    am_task_id_t calm[2] = {tu_sleep_for(loop, 1.0), tu_sleep_for(loop, 2.5)};
    am_task_id_t w2 = am_wait(loop, calm, 2, AM_FIRST_EXCEPTION, AM_NO_TIMEOUT, NULL, NULL);
    /* a deadline's TimeoutError is an exception */
    am_task_id_t dl[2] = {tu_sleep_for(loop, 3.0), tu_sleep_for(loop, 2.0)};
    assert_int_equal(am_task_set_timeout(loop, dl[0], S(1.5)), 0);
    am_task_id_t w3 = am_wait(loop, dl, 2, AM_FIRST_EXCEPTION, AM_NO_TIMEOUT, NULL, NULL);
    tu_run_idle(&e->uv);

    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, ids[0], AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, w, AM_TASK_DONE, 2.0);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(2.0));
    am_task_id_t done[2] = {ids[0], ids[1]};
    assert_wait_sets(loop, w, done, 2, &ids[2], 1);
    assert_ended(loop, ids[2], AM_TASK_DONE, 3.0);

    assert_ended(loop, w2, AM_TASK_DONE, 2.5);
    assert_wait_sets(loop, w2, calm, 2, NULL, 0);

    assert_ended(loop, w3, AM_TASK_DONE, 1.5);
    assert_wait_sets(loop, w3, &dl[0], 1, &dl[1], 1);
    assert_ended(loop, dl[1], AM_TASK_DONE, 2.0);
}

static void test_wait_timeout_asyncio_example(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    /* done, pending = await asyncio.wait(tasks, timeout=1) on 0.1/0.1/3 s */
    am_task_id_t ids[3] = {tu_sleep_for(loop, 0.1), tu_sleep_for(loop, 0.1),
                           spawn(loop, 3.0, 0, 3)};
    am_task_id_t w = am_wait(loop, ids, 3, AM_ALL_COMPLETED, S(1.0), node_done, &nl);
    tu_run_idle(&e->uv);

    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(1.0));
    assert_int_equal(nl.timed_out[0], 1);
    assert_ended(loop, w, AM_TASK_DONE, 1.0); /* wait does not raise on timeout */
    assert_int_equal(am_wait_timed_out(loop, w), 1);
    const am_task_id_t *d = NULL, *p = NULL;
    assert_int_equal(am_wait_done(loop, w, &d), 2);
    assert_int_equal(am_wait_pending(loop, w, &p), 1);
    assert_wait_sets(loop, w, ids, 2, &ids[2], 1);
    /* the pending task was not cancelled: it finishes at t=3 */
    assert_ended(loop, ids[2], AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, ids[2]), 3);
    assert_int_equal(am_loop_now(loop), S(3.0));
}

typedef struct snap_s {
    am_task_id_t w;
    am_task_id_t done[8], pending[8];
    size_t ndone, npending;
    am_task_state_t state;
    int timed_out;
} snap_t;

static void take_snap(am_loop_t *loop, void *data)
{
    snap_t *s = data;
    const am_task_id_t *d = NULL, *p = NULL;
    s->ndone = am_wait_done(loop, s->w, &d);
    s->npending = am_wait_pending(loop, s->w, &p);
    if (s->ndone) memcpy(s->done, d, s->ndone * sizeof *d);
    if (s->npending) memcpy(s->pending, p, s->npending * sizeof *p);
    s->state = am_task_state(loop, s->w);
    s->timed_out = am_wait_timed_out(loop, s->w);
}

static void test_wait_sets_readable_midway(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t ids[3] = {tu_sleep_for(loop, 1.0), tu_sleep_for(loop, 2.0),
                           tu_sleep_for(loop, 3.0)};
    am_task_id_t w = am_wait(loop, ids, 3, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    snap_t s0 = {.w = w}, s1 = {.w = w}, s2 = {.w = w};
    take_snap(loop, &s0);
    at(loop, 1.5, take_snap, &s1);
    at(loop, 2.5, take_snap, &s2);
    tu_run_idle(&e->uv);

    assert_true(same_set(s0.done, s0.ndone, NULL, 0));
    assert_true(same_set(s0.pending, s0.npending, ids, 3));
    assert_int_equal(s1.state, AM_TASK_RUNNING);
    assert_int_equal(s1.timed_out, 0);
    assert_true(same_set(s1.done, s1.ndone, ids, 1));
    assert_true(same_set(s1.pending, s1.npending, &ids[1], 2));
    assert_int_equal(s2.state, AM_TASK_RUNNING);
    assert_true(same_set(s2.done, s2.ndone, ids, 2));
    assert_true(same_set(s2.pending, s2.npending, &ids[2], 1));
    assert_ended(loop, w, AM_TASK_DONE, 3.0);
    assert_wait_sets(loop, w, ids, 3, NULL, 0);
}

/* `while pending: done, pending = await wait(pending, FIRST_COMPLETED)`,
 * retrying each task that failed */
typedef struct retry_s {
    int iterations;
    am_time_t at[16];
    am_task_id_t retries[8];
    size_t nretries;
    int last_rc;
    int stop_rc;
} retry_t;

static void retry_cb(am_loop_t *loop, am_task_id_t w, void *data)
{
    retry_t *r = data;
    r->at[r->iterations++] = am_loop_now(loop);
    const am_task_id_t *done = NULL, *pending = NULL;
    size_t nd = am_wait_done(loop, w, &done);
    size_t np = am_wait_pending(loop, w, &pending);
    am_task_id_t add[8];
    size_t nadd = 0;
    for (size_t i = 0; i < nd; i++) {
        if (am_task_state(loop, done[i]) != AM_TASK_FAILED) continue;
        am_sleep_spec_t spec = {S(0.5), 1, 0, 0};
        add[nadd] = am_spawn_sleep(loop, 0, &spec);
        r->retries[r->nretries++] = add[nadd++];
    }
    if (np + nadd == 0) {
        /* asyncio.wait refuses an empty set */
        r->stop_rc = am_wait_rearm(loop, w, NULL, 0, AM_NO_TIMEOUT);
        return;
    }
    r->last_rc = am_wait_rearm(loop, w, add, nadd, AM_NO_TIMEOUT);
}

static void test_wait_while_pending_loop(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    retry_t r = {0};
    am_task_id_t ids[4] = {tu_sleep_for(loop, 1.0), spawn(loop, 2.0, AM_EIO, 0),
                           spawn(loop, 3.0, AM_EIO, 0), tu_sleep_for(loop, 4.0)};
    am_task_id_t w = am_wait(loop, ids, 4, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, retry_cb, &r);
    tu_run_idle(&e->uv);

    /* returns at 1 (A), 2 (B fails: retry), 2.5 (retry of B), 3 (C fails:
     * retry), 3.5 (retry of C), 4 (D: nothing pending, the loop stops) */
    static const double want[] = {1.0, 2.0, 2.5, 3.0, 3.5, 4.0};
    assert_int_equal(r.iterations, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(r.at[i], S(want[i]));
    assert_int_equal(r.last_rc, 0);
    assert_int_equal(r.stop_rc, AM_EINVAL);
    assert_int_equal(r.nretries, 2);
    assert_ended(loop, r.retries[0], AM_TASK_DONE, 2.5);
    assert_ended(loop, r.retries[1], AM_TASK_DONE, 3.5);
    assert_ended(loop, w, AM_TASK_DONE, 4.0);
    assert_wait_sets(loop, w, &ids[3], 1, NULL, 0);
}

typedef struct rearm_timeout_s {
    node_log_t log;
    int rc[4];
    int n;
} rearm_timeout_t;

static void rearm_timeout_cb(am_loop_t *loop, am_task_id_t w, void *data)
{
    rearm_timeout_t *r = data;
    node_done(loop, w, &r->log);
    const am_task_id_t *p = NULL;
    if (am_wait_pending(loop, w, &p) > 0) r->rc[r->n++] = am_wait_rearm(loop, w, NULL, 0, S(1.0));
}

static void test_wait_rearm_fresh_timeout(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    rearm_timeout_t r = {0};
    am_task_id_t ids[2] = {tu_sleep_for(loop, 0.5), tu_sleep_for(loop, 2.5)};
    am_task_id_t w = am_wait(loop, ids, 2, AM_ALL_COMPLETED, S(1.0), rearm_timeout_cb, &r);
    tu_run_idle(&e->uv);

    /* each rearm waits a fresh second: timeouts at 1 and 2, then done at 2.5 */
    assert_int_equal(r.log.n, 3);
    assert_int_equal(r.log.at[0], S(1.0));
    assert_int_equal(r.log.timed_out[0], 1);
    assert_int_equal(r.log.at[1], S(2.0));
    assert_int_equal(r.log.timed_out[1], 1);
    assert_int_equal(r.log.at[2], S(2.5));
    assert_int_equal(r.log.timed_out[2], 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rc[0], 0);
    assert_int_equal(r.rc[1], 0);
    assert_ended(loop, w, AM_TASK_DONE, 2.5);
    assert_wait_sets(loop, w, &ids[1], 1, NULL, 0);
}

static void test_wait_rearm_after_late_ends(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    /* A ends first; D and then B end while nobody waits; C is still running
     * when the wait is rearmed at t=4 */
    am_task_id_t A = tu_sleep_for(loop, 1.0), B = tu_sleep_for(loop, 3.0),
                 C = tu_sleep_for(loop, 5.0), D = tu_sleep_for(loop, 2.0);
    am_task_id_t ids[4] = {A, B, C, D};
    am_task_id_t w = am_wait(loop, ids, 4, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, node_done, &nl);
    action_t rearm = {w, 1};
    at(loop, 4.0, do_rearm, &rearm);
    snap_t s = {.w = w};
    at(loop, 4.5, take_snap, &s);
    tu_run_idle(&e->uv);

    assert_int_equal(rearm.rc, 0);
    assert_int_equal(nl.n, 2);
    assert_int_equal(nl.at[0], S(1.0));
    assert_int_equal(nl.at[1], S(4.0)); /* returns at once: B and D had ended */
    am_task_id_t bd[2] = {B, D};
    assert_true(same_set(s.done, s.ndone, bd, 2));
    assert_true(same_set(s.pending, s.npending, &C, 1));
    assert_int_equal(s.state, AM_TASK_DONE);
    assert_wait_sets(loop, w, bd, 2, &C, 1); /* C's end at 5 does not change them */

    /* and once more after C has ended: done = {C} */
    assert_int_equal(am_wait_rearm(loop, w, NULL, 0, AM_NO_TIMEOUT), 0);
    assert_int_equal(am_task_state(loop, w), AM_TASK_RUNNING);
    tu_run_idle(&e->uv);
    assert_int_equal(nl.n, 3);
    assert_int_equal(nl.at[2], S(5.0));
    assert_wait_sets(loop, w, &C, 1, NULL, 0);
    assert_int_equal(am_wait_rearm(loop, w, NULL, 0, AM_NO_TIMEOUT), AM_EINVAL);
}

/* A big wait rearmed after many unobserved ends compacts its arrays; a second
 * wait created meanwhile reuses the watch links those ends freed. */
#define N_BATCH1 1100
#define N_BATCH2 500
#define N_BATCH3 500
#define N_OTHER  500

typedef struct compact_s {
    am_task_id_t w;
    am_task_id_t *other;
    am_task_id_t w2;
    int rc[2];
    /* w2's sets at t=8, when the first half of its tasks has ended */
    size_t ndone, npending;
    int done_ok, pending_ok;
} compact_t;

static void compact_make_w2(am_loop_t *loop, void *data)
{
    compact_t *c = data;
    for (size_t i = 0; i < N_OTHER; i++) {
        /* 3.5 -> 6 for the first half, 3.5 -> 10 for the rest */
        am_sleep_spec_t spec = {i < N_OTHER / 2 ? S(2.5) : S(6.5), 1, 0, 0};
        c->other[i] = am_spawn_sleep(loop, 0, &spec);
    }
    c->w2 = am_wait(loop, c->other, N_OTHER, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
}

static void compact_snap_w2(am_loop_t *loop, void *data)
{
    compact_t *c = data;
    const am_task_id_t *d = NULL, *p = NULL;
    c->ndone = am_wait_done(loop, c->w2, &d);
    c->npending = am_wait_pending(loop, c->w2, &p);
    c->done_ok = same_set(d, c->ndone, c->other, N_OTHER / 2);
    c->pending_ok = same_set(p, c->npending, c->other + N_OTHER / 2, N_OTHER - N_OTHER / 2);
}

static void compact_rearm1(am_loop_t *loop, void *data)
{
    compact_t *c = data;
    c->rc[0] = am_wait_rearm(loop, c->w, NULL, 0, AM_NO_TIMEOUT);
}

static void compact_rearm2(am_loop_t *loop, void *data)
{
    compact_t *c = data;
    c->rc[1] = am_wait_rearm(loop, c->w, NULL, 0, AM_NO_TIMEOUT);
}

static void test_wait_rearm_compaction(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    size_t n = N_BATCH1 + N_BATCH2 + N_BATCH3;
    am_task_id_t *ids = calloc(n, sizeof *ids);
    am_task_id_t *other = calloc(N_OTHER, sizeof *other);
    assert_non_null(ids);
    assert_non_null(other);
    for (size_t i = 0; i < n; i++)
        ids[i] = tu_sleep_for(loop, i < N_BATCH1 ? 1.0 : i < N_BATCH1 + N_BATCH2 ? 3.0 : 10.0);
    node_log_t nl = {0};
    compact_t c = {0, other, 0, {1, 1}, 0, 0, 0, 0};
    c.w = am_wait(loop, ids, n, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, node_done, &nl);
    at(loop, 2.0, compact_rearm1, &c);
    at(loop, 3.5, compact_make_w2, &c);
    at(loop, 4.0, compact_rearm2, &c);
    at(loop, 8.0, compact_snap_w2, &c);
    tu_run_idle(&e->uv);

    assert_int_equal(c.rc[0], 0);
    assert_int_equal(c.rc[1], 0);
    assert_int_equal(nl.n, 3);
    assert_int_equal(nl.at[0], S(1.0));
    assert_int_equal(nl.at[1], S(2.0));
    assert_int_equal(nl.at[2], S(4.0));
    /* the third return: batch 2 done, batch 3 pending */
    assert_wait_sets(loop, c.w, ids + N_BATCH1, N_BATCH2, ids + N_BATCH1 + N_BATCH2, N_BATCH3);
    /* the other wait saw exactly its own tasks end */
    assert_int_equal(c.ndone, N_OTHER / 2);
    assert_true(c.done_ok);
    assert_true(c.pending_ok);
    assert_ended(loop, c.w2, AM_TASK_DONE, 10.0);
    assert_wait_sets(loop, c.w2, other, N_OTHER, NULL, 0);
    free(ids);
    free(other);
}

static void test_wait_cancel_and_errors(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t ids[2] = {tu_sleep_for(loop, 1.0), tu_sleep_for(loop, 3.0)};
    am_task_id_t w = am_wait(loop, ids, 2, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    action_t cancel = {w, 1};
    at(loop, 2.0, do_cancel, &cancel);

    assert_int_equal(am_wait_rearm(loop, w, NULL, 0, AM_NO_TIMEOUT), AM_ESTATE); /* running */
    size_t before = am_task_count(loop);
    am_task_id_t bad = 999;
    assert_int_equal(am_wait(loop, ids, 0, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL), 0);
    assert_int_equal(am_wait(loop, NULL, 2, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL), 0);
    assert_int_equal(am_wait(loop, ids, 2, (am_return_when_t)7, AM_NO_TIMEOUT, NULL, NULL), 0);
    assert_int_equal(am_wait(loop, ids, 2, AM_ALL_COMPLETED, -5, NULL, NULL), 0);
    assert_int_equal(am_wait(loop, &bad, 1, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL), 0);
    assert_int_equal(am_task_count(loop), before);
    tu_run_idle(&e->uv);

    /* cancelling the waiter leaves the tasks alone */
    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, w, AM_TASK_CANCELLED, 2.0);
    assert_int_equal(am_task_error(loop, w), AM_ECANCELLED);
    assert_ended(loop, ids[1], AM_TASK_DONE, 3.0);
    assert_int_equal(am_wait_rearm(loop, w, NULL, 0, AM_NO_TIMEOUT), AM_ESTATE);

    am_task_id_t g = am_gather(loop, ids, 2, 0, NULL, NULL);
    assert_int_equal(am_wait_rearm(loop, g, NULL, 0, AM_NO_TIMEOUT), AM_EINVAL);
    am_task_id_t w2 = am_wait(loop, ids, 1, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, w2), AM_TASK_DONE);
    assert_int_equal(am_wait_rearm(loop, w2, &ids[1], 1, -3), AM_EINVAL);
    assert_int_equal(am_wait_rearm(loop, w2, &bad, 1, AM_NO_TIMEOUT), AM_EINVAL);

    assert_string_equal(am_return_when_name(AM_ALL_COMPLETED), "ALL_COMPLETED");
    assert_string_equal(am_return_when_name(AM_FIRST_COMPLETED), "FIRST_COMPLETED");
    assert_string_equal(am_return_when_name(AM_FIRST_EXCEPTION), "FIRST_EXCEPTION");
    assert_string_equal(am_return_when_name((am_return_when_t)9), "?");
}

/* ---- wait_for and shield ---- */

static void test_wait_for_timeout(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t inner = tu_sleep_for(loop, 3.0);
    am_task_id_t wf = am_wait_for(loop, inner, S(1.0), node_done, &nl);
    assert_int_not_equal(wf, 0);
    assert_int_equal(am_task_deadline(loop, wf), S(1.0));
    tu_run_idle(&e->uv);

    assert_ended(loop, inner, AM_TASK_TIMED_OUT, 1.0);
    assert_int_equal(am_task_error(loop, inner), AM_ETIMEOUT);
    assert_ended(loop, wf, AM_TASK_TIMED_OUT, 1.0);
    assert_int_equal(am_task_error(loop, wf), AM_ETIMEOUT);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(1.0));
    assert_int_equal(am_loop_now(loop), S(1.0));
}

static void test_wait_for_mirrors_inner(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t i1 = spawn(loop, 1.0, 0, 11);
    am_task_id_t i2 = spawn(loop, 0.5, AM_EIO, 0);
    am_task_id_t i3 = tu_sleep_for(loop, 1.5);
    am_task_id_t w1 = am_wait_for(loop, i1, S(2.0), NULL, NULL);
    am_task_id_t w2 = am_wait_for(loop, i2, S(2.0), NULL, NULL);
    am_task_id_t w3 = am_wait_for(loop, i3, AM_NO_TIMEOUT, NULL, NULL);
    assert_int_equal(am_task_deadline(loop, w3), -1);
    size_t before = am_task_count(loop);
    assert_int_equal(am_wait_for(loop, 777, S(1.0), NULL, NULL), 0);
    assert_int_equal(am_wait_for(loop, i1, -2, NULL, NULL), 0);
    assert_int_equal(am_task_count(loop), before);
    tu_run_idle(&e->uv);

    assert_ended(loop, w1, AM_TASK_DONE, 1.0);
    assert_int_equal(am_task_result(loop, w1), 11);
    assert_ended(loop, w2, AM_TASK_FAILED, 0.5);
    assert_int_equal(am_task_error(loop, w2), AM_EIO);
    assert_ended(loop, w3, AM_TASK_DONE, 1.5);
    /* the unexpired timeouts at t=2 were dropped with their nodes */
    assert_int_equal(am_loop_now(loop), S(1.5));

    /* on an inner task that has ended: mirrors it at the next turn */
    am_task_id_t w4 = am_wait_for(loop, i1, S(1.0), NULL, NULL);
    assert_int_equal(am_task_state(loop, w4), AM_TASK_RUNNING);
    /* a timeout of 0 on a task that has not run */
    am_task_id_t i5 = tu_sleep_for(loop, 1.0);
    am_task_id_t w5 = am_wait_for(loop, i5, 0, NULL, NULL);
    tu_run_idle(&e->uv);
    assert_ended(loop, w4, AM_TASK_DONE, 1.5);
    assert_int_equal(am_task_result(loop, w4), 11);
    assert_ended(loop, i5, AM_TASK_TIMED_OUT, 1.5);
    assert_ended(loop, w5, AM_TASK_TIMED_OUT, 1.5);
}

static void test_wait_for_shield(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t inner = spawn(loop, 3.0, 0, 33);
    am_task_id_t sh = am_shield(loop, inner);
    assert_int_not_equal(sh, 0);
    am_task_id_t wf = am_wait_for(loop, sh, S(1.0), node_done, &nl);
    tu_run_idle(&e->uv);

    /* wait_for(shield(inner), 1): TimeoutError at 1, inner goes on */
    assert_ended(loop, wf, AM_TASK_TIMED_OUT, 1.0);
    assert_int_equal(am_task_error(loop, wf), AM_ETIMEOUT);
    assert_int_equal(nl.n, 1);
    assert_int_equal(nl.at[0], S(1.0));
    assert_ended(loop, sh, AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, inner, AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, inner), 33);
}

/* The deadline a task answers to: its own, or that of a wait_for around it
 * (nested ones too); a shield in between means none. */
static void test_timeout_at(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t plain = tu_sleep_for(loop, 3.0);
    am_task_id_t wrapped = tu_sleep_for(loop, 3.0);
    am_task_id_t shielded = tu_sleep_for(loop, 3.0);
    am_task_id_t nested = tu_sleep_for(loop, 3.0);
    am_task_id_t own = tu_sleep_for(loop, 3.0);
    am_wait_for(loop, wrapped, S(1.0), NULL, NULL);
    am_wait_for(loop, am_shield(loop, shielded), S(1.0), NULL, NULL);
    am_wait_for(loop, am_wait_for(loop, nested, S(5.0), NULL, NULL), S(2.0), NULL, NULL);
    am_wait_for(loop, own, S(2.0), NULL, NULL);
    assert_int_equal(am_task_set_timeout(loop, own, S(0.5)), 0);

    assert_int_equal(am_task_timeout_at(loop, plain), -1);
    assert_int_equal(am_task_timeout_at(loop, wrapped), S(1.0));
    assert_int_equal(am_task_timeout_at(loop, shielded), -1);
    assert_int_equal(am_task_timeout_at(loop, nested), S(2.0));
    assert_int_equal(am_task_timeout_at(loop, own), S(0.5));
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, wrapped), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_state(loop, shielded), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, nested), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, nested), S(2.0));
    assert_int_equal(am_task_ended(loop, own), S(0.5));
}

static void test_wait_for_cancel(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t inner = tu_sleep_for(loop, 3.0);
    am_task_id_t wf = am_wait_for(loop, inner, S(2.0), NULL, NULL);
    action_t cancel = {wf, 1};
    at(loop, 0.5, do_cancel, &cancel);
    tu_run_idle(&e->uv);

    /* cancelling wait_for cancels the inner task: plain cancelled, no timeout */
    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, inner, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, wf, AM_TASK_CANCELLED, 0.5);
    assert_int_equal(am_task_error(loop, wf), AM_ECANCELLED);
    assert_int_equal(am_loop_now(loop), S(0.5));
}

static void test_shield(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t inner = spawn(loop, 3.0, 0, 7);
    am_task_id_t sh = am_shield(loop, inner);
    action_t cancel = {sh, 1};
    at(loop, 1.0, do_cancel, &cancel);
    am_task_id_t x = spawn(loop, 1.0, 0, 5), f = spawn(loop, 1.0, AM_EIO, 0);
    am_task_id_t sx = am_shield(loop, x), sf = am_shield(loop, f);
    am_task_id_t y = tu_sleep_for(loop, 2.0);
    am_task_id_t sy = am_shield(loop, y);
    action_t cancel_y = {y, 1};
    at(loop, 1.0, do_cancel, &cancel_y);
    assert_int_equal(am_shield(loop, 4444), 0);
    tu_run_idle(&e->uv);

    /* cancelling the shield ends the shield only */
    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, sh, AM_TASK_CANCELLED, 1.0);
    assert_int_equal(am_task_error(loop, sh), AM_ECANCELLED);
    assert_ended(loop, inner, AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, inner), 7);
    /* otherwise it mirrors its inner task */
    assert_ended(loop, sx, AM_TASK_DONE, 1.0);
    assert_int_equal(am_task_result(loop, sx), 5);
    assert_ended(loop, sf, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, sf), AM_EIO);
    assert_ended(loop, sy, AM_TASK_CANCELLED, 1.0); /* the inner task was cancelled */
}

/* ---- TaskGroup ---- */

typedef struct tg_watch_s {
    am_task_id_t tg;
    int all_final_at_end;
    am_time_t at;
    int calls;
} tg_watch_t;

static void tg_done(am_loop_t *loop, am_task_id_t tg, void *data)
{
    tg_watch_t *w = data;
    const am_task_id_t *kids = NULL;
    size_t n = am_taskgroup_tasks(loop, tg, &kids);
    w->all_final_at_end = 1;
    for (size_t i = 0; i < n; i++)
        if (!am_task_is_final(loop, kids[i])) w->all_final_at_end = 0;
    w->at = am_loop_now(loop);
    w->calls++;
}

static void test_taskgroup_child_fails(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    tg_watch_t tw = {0};
    am_task_id_t tg = am_taskgroup(loop, tg_done, &tw);
    assert_int_not_equal(tg, 0);
    am_task_id_t a = spawn(loop, 1.0, 0, 1);
    am_task_id_t b = spawn(loop, 2.0, AM_EIO, 0);
    am_task_id_t c = tu_sleep_for(loop, 5.0);
    am_task_id_t d = spawn(loop, 6.0, AM_ETASKFAIL, 0);
    /* children that take more than one hop to end: wait_for(shield(x)), a gather */
    am_task_id_t x = tu_sleep_for(loop, 8.0);
    am_task_id_t wfs = am_wait_for(loop, am_shield(loop, x), S(20.0), NULL, NULL);
    am_task_id_t gk[2] = {tu_sleep_for(loop, 4.0), tu_sleep_for(loop, 7.0)};
    am_task_id_t g = am_gather(loop, gk, 2, 1, NULL, NULL);
    am_task_id_t kids[6] = {a, b, c, d, wfs, g};
    for (int i = 0; i < 6; i++)
        assert_int_equal(am_taskgroup_add(loop, tg, kids[i]), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), 0);
    tu_run_idle(&e->uv);

    /* the first failure cancels the siblings and the group fails with it */
    assert_ended(loop, tg, AM_TASK_FAILED, 2.0);
    assert_int_equal(am_task_error(loop, tg), AM_EIO);
    assert_int_equal(tw.calls, 1);
    assert_int_equal(tw.at, S(2.0));
    assert_int_equal(tw.all_final_at_end, 1); /* ends only after every child */
    assert_ended(loop, a, AM_TASK_DONE, 1.0);
    assert_ended(loop, b, AM_TASK_FAILED, 2.0);
    assert_ended(loop, c, AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, d, AM_TASK_CANCELLED, 2.0); /* its own failure never came */
    assert_ended(loop, wfs, AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, x, AM_TASK_DONE, 8.0); /* shielded */
    assert_ended(loop, g, AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, gk[0], AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, gk[1], AM_TASK_CANCELLED, 2.0);
    const am_task_id_t *got = NULL;
    assert_int_equal(am_taskgroup_tasks(loop, tg, &got), 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(got[i], kids[i]);
}

static void test_taskgroup_close_later_and_cancelled_child(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    tg_watch_t tw = {0}, tw2 = {0};
    am_task_id_t tg = am_taskgroup(loop, tg_done, &tw);
    am_task_id_t kids[3] = {tu_sleep_for(loop, 1.0), tu_sleep_for(loop, 2.0),
                            tu_sleep_for(loop, 3.0)};
    for (int i = 0; i < 3; i++)
        assert_int_equal(am_taskgroup_add(loop, tg, kids[i]), 0);
    action_t cancel = {kids[2], 1};
    at(loop, 0.5, do_cancel, &cancel);
    action_t close = {tg, 1};
    at(loop, 3.0, do_close, &close);
    am_task_id_t empty = am_taskgroup(loop, tg_done, &tw2);
    assert_int_equal(am_taskgroup_close(loop, empty), 0);
    tu_run_idle(&e->uv);

    /* the body (open until close) ends at 3; a cancelled child is no error */
    assert_int_equal(close.rc, 0);
    assert_ended(loop, kids[2], AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, kids[1], AM_TASK_DONE, 2.0);
    assert_ended(loop, tg, AM_TASK_DONE, 3.0);
    assert_int_equal(am_task_result(loop, tg), 3);
    assert_int_equal(tw.calls, 1);
    assert_ended(loop, empty, AM_TASK_DONE, 0.0);
    assert_int_equal(am_task_result(loop, empty), 0);
    assert_int_equal(tw2.calls, 1);
}

static void test_taskgroup_cancel(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t tg = am_taskgroup(loop, NULL, NULL);
    am_task_id_t a = tu_sleep_for(loop, 1.0), b = tu_sleep_for(loop, 3.0);
    assert_int_equal(am_taskgroup_add(loop, tg, a), 0);
    assert_int_equal(am_taskgroup_add(loop, tg, b), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), 0);
    action_t cancel = {tg, 1};
    at(loop, 2.0, do_cancel, &cancel);
    tu_run_idle(&e->uv);

    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, a, AM_TASK_DONE, 1.0);
    assert_ended(loop, b, AM_TASK_CANCELLED, 2.0);
    assert_ended(loop, tg, AM_TASK_CANCELLED, 2.0);
    assert_int_equal(am_task_error(loop, tg), AM_ECANCELLED);
}

typedef struct tg_add_s {
    am_task_id_t tg;
    int cancel_rc;
    int add_rc;
    am_task_id_t added;
} tg_add_t;

static void cancel_then_add(am_loop_t *loop, void *data)
{
    tg_add_t *t = data;
    t->cancel_rc = am_task_cancel(loop, t->tg);
    am_sleep_spec_t spec = {S(5.0), 1, 0, 0};
    t->added = am_spawn_sleep(loop, 0, &spec);
    t->add_rc = am_taskgroup_add(loop, t->tg, t->added);
}

static void add_later(am_loop_t *loop, void *data)
{
    tg_add_t *t = data;
    am_sleep_spec_t spec = {S(5.0), 1, 0, 0};
    t->added = am_spawn_sleep(loop, 0, &spec);
    t->add_rc = am_taskgroup_add(loop, t->tg, t->added);
}

static void test_taskgroup_add_rules(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t a = tu_sleep_for(loop, 1.0);
    am_task_id_t tg = am_taskgroup(loop, NULL, NULL);
    assert_int_equal(am_taskgroup_add(loop, tg, 555), AM_EINVAL);
    assert_int_equal(am_taskgroup_add(loop, a, a), AM_EINVAL); /* not a group */
    assert_int_equal(am_taskgroup_close(loop, a), AM_EINVAL);
    assert_int_equal(am_taskgroup_add(loop, tg, a), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), AM_ESTATE);
    /* closed but still waiting for a child: it takes more, as asyncio's __aexit__ */
    am_task_id_t more = tu_sleep_for(loop, 1.5);
    assert_int_equal(am_taskgroup_add(loop, tg, more), 0);

    /* a failing group takes no new task */
    am_task_id_t tg2 = am_taskgroup(loop, NULL, NULL);
    assert_int_equal(am_taskgroup_add(loop, tg2, spawn(loop, 0.5, AM_EIO, 0)), 0);
    tg_add_t late = {tg2, 0, 1, 0};
    at(loop, 1.0, add_later, &late);
    action_t close2 = {tg2, 1};
    at(loop, 1.5, do_close, &close2);

    /* a cancelled group is shutting down: it takes no new task either */
    am_task_id_t tg3 = am_taskgroup(loop, NULL, NULL);
    am_task_id_t x = tu_sleep_for(loop, 3.0);
    assert_int_equal(am_taskgroup_add(loop, tg3, x), 0);
    tg_add_t c3 = {tg3, 1, 1, 0};
    at(loop, 1.0, cancel_then_add, &c3);
    tu_run_idle(&e->uv);

    assert_ended(loop, tg, AM_TASK_DONE, 1.5);
    assert_int_equal(am_task_result(loop, tg), 2);
    assert_int_equal(am_taskgroup_add(loop, tg, tu_sleep_for(loop, 1.0)), AM_ESTATE); /* finished */
    assert_int_equal(late.add_rc, AM_ESTATE);
    assert_int_equal(close2.rc, 0);
    assert_int_equal(am_task_state(loop, tg2), AM_TASK_FAILED);
    assert_int_equal(am_task_error(loop, tg2), AM_EIO);

    assert_int_equal(c3.cancel_rc, 0);
    assert_int_equal(c3.add_rc, AM_ESTATE);
    assert_ended(loop, x, AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, tg3, AM_TASK_CANCELLED, 1.0);
    const am_task_id_t *got = NULL;
    assert_int_equal(am_taskgroup_tasks(loop, tg3, &got), 1);

    /* adding a task that already failed fails the group when it closes */
    am_task_id_t tg4 = am_taskgroup(loop, NULL, NULL);
    am_task_id_t sib = tu_sleep_for(loop, 2.0);
    assert_int_equal(am_taskgroup_add(loop, tg4, sib), 0);
    am_task_id_t failed = spawn(loop, 0.0, AM_ETASKFAIL, 0);
    tu_run_idle(&e->uv);
    am_time_t now = am_loop_now(loop);
    assert_int_equal(am_task_state(loop, sib), AM_TASK_DONE);
    am_task_id_t sib2 = tu_sleep_for(loop, 2.0);
    assert_int_equal(am_taskgroup_add(loop, tg4, sib2), 0);
    assert_int_equal(am_taskgroup_add(loop, tg4, failed), 0);
    assert_int_equal(am_taskgroup_close(loop, tg4), 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, tg4), AM_TASK_FAILED);
    assert_int_equal(am_task_error(loop, tg4), AM_ETASKFAIL);
    assert_int_equal(am_task_state(loop, sib2), AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(loop, tg4), now);
}

static void test_taskgroup_timed_out_child(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t tg = am_taskgroup(loop, NULL, NULL);
    am_task_id_t slow = tu_sleep_for(loop, 3.0), sib = tu_sleep_for(loop, 4.0);
    assert_int_equal(am_task_set_timeout(loop, slow, S(1.0)), 0);
    am_task_id_t inner = tu_sleep_for(loop, 5.0);
    am_task_id_t wf = am_wait_for(loop, inner, S(2.5), NULL, NULL);
    assert_int_equal(am_taskgroup_add(loop, tg, slow), 0);
    assert_int_equal(am_taskgroup_add(loop, tg, sib), 0);
    assert_int_equal(am_taskgroup_add(loop, tg, wf), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), 0);
    tu_run_idle(&e->uv);

    /* TimeoutError is an exception: the group fails with it */
    assert_ended(loop, slow, AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, sib, AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, inner, AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, wf, AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, tg, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, tg), AM_ETIMEOUT);
    assert_int_equal(am_loop_now(loop), S(1.0));
}

/* ---- nesting ---- */

static void test_nested_cancel_propagates(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    node_log_t nl = {0};
    am_task_id_t a = tu_sleep_for(loop, 3.0), b = spawn(loop, 3.0, 0, 2),
                 c = tu_sleep_for(loop, 3.0), d = tu_sleep_for(loop, 3.0);
    am_task_id_t wf = am_wait_for(loop, a, S(10.0), NULL, NULL);
    am_task_id_t sh = am_shield(loop, b);
    am_task_id_t cd[2] = {c, d};
    am_task_id_t inner = am_gather(loop, cd, 2, 0, NULL, NULL);
    am_task_id_t kids[3] = {wf, sh, inner};
    am_task_id_t outer = am_gather(loop, kids, 3, 1, node_done, &nl);
    action_t cancel = {outer, 1};
    at(loop, 0.5, do_cancel, &cancel);
    tu_run_idle(&e->uv);

    assert_int_equal(cancel.rc, 0);
    assert_ended(loop, outer, AM_TASK_CANCELLED, 0.5);
    assert_int_equal(nl.n, 1);
    assert_ended(loop, wf, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, a, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, sh, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, b, AM_TASK_DONE, 3.0); /* behind the shield */
    assert_int_equal(am_task_result(loop, b), 2);
    assert_ended(loop, inner, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, c, AM_TASK_CANCELLED, 0.5);
    assert_ended(loop, d, AM_TASK_CANCELLED, 0.5);
    const am_task_id_t *done = NULL;
    assert_int_equal(am_gather_completed(loop, outer, &done), 3);
}

static void test_nested_wait_for_and_gather(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* gather(wait_for(a, 1), wait_for(b, 1), wait_for(c, 2), return_exceptions=True) */
    am_task_id_t a = spawn(loop, 0.5, 0, 1), b = spawn(loop, 3.0, 0, 2);
    am_task_id_t c = spawn(loop, 1.0, AM_EIO, 0);
    am_task_id_t wfs[3] = {am_wait_for(loop, a, S(1.0), NULL, NULL),
                           am_wait_for(loop, b, S(1.0), NULL, NULL),
                           am_wait_for(loop, c, S(2.0), NULL, NULL)};
    am_task_id_t g = am_gather(loop, wfs, 3, 1, NULL, NULL);
    /* wait_for(gather(p, q), 1): the gather is cancelled, so are p and q */
    am_task_id_t pq[2] = {tu_sleep_for(loop, 2.0), tu_sleep_for(loop, 3.0)};
    am_task_id_t gpq = am_gather(loop, pq, 2, 0, NULL, NULL);
    am_task_id_t wg = am_wait_for(loop, gpq, S(1.0), NULL, NULL);
    /* gather(wait_for(x, 1)) without return_exceptions raises TimeoutError */
    am_task_id_t x = tu_sleep_for(loop, 3.0);
    am_task_id_t wx = am_wait_for(loop, x, S(1.0), NULL, NULL);
    am_task_id_t gx = am_gather(loop, &wx, 1, 0, NULL, NULL);
    tu_run_idle(&e->uv);

    assert_ended(loop, g, AM_TASK_DONE, 1.0);
    assert_ended(loop, wfs[0], AM_TASK_DONE, 0.5);
    assert_int_equal(am_task_result(loop, wfs[0]), 1);
    assert_ended(loop, wfs[1], AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, b, AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, wfs[2], AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, wfs[2]), AM_EIO);

    assert_ended(loop, wg, AM_TASK_TIMED_OUT, 1.0);
    assert_ended(loop, gpq, AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, pq[0], AM_TASK_CANCELLED, 1.0);
    assert_ended(loop, pq[1], AM_TASK_CANCELLED, 1.0);

    assert_ended(loop, gx, AM_TASK_FAILED, 1.0);
    assert_int_equal(am_task_error(loop, gx), AM_ETIMEOUT);
    assert_ended(loop, x, AM_TASK_TIMED_OUT, 1.0);
}

static void test_nested_wait_over_nodes(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* wait(FIRST_EXCEPTION) over a gather, a taskgroup and a wait_for */
    am_task_id_t g2[2] = {tu_sleep_for(loop, 1.0), tu_sleep_for(loop, 2.0)};
    am_task_id_t g = am_gather(loop, g2, 2, 0, NULL, NULL);
    am_task_id_t tg = am_taskgroup(loop, NULL, NULL);
    am_task_id_t t1 = spawn(loop, 3.0, AM_EIO, 0), t2 = tu_sleep_for(loop, 6.0);
    assert_int_equal(am_taskgroup_add(loop, tg, t1), 0);
    assert_int_equal(am_taskgroup_add(loop, tg, t2), 0);
    assert_int_equal(am_taskgroup_close(loop, tg), 0);
    am_task_id_t wf = am_wait_for(loop, tu_sleep_for(loop, 9.0), S(5.0), NULL, NULL);
    am_task_id_t nodes[3] = {g, tg, wf};
    am_task_id_t w = am_wait(loop, nodes, 3, AM_FIRST_EXCEPTION, AM_NO_TIMEOUT, NULL, NULL);
    tu_run_idle(&e->uv);

    assert_ended(loop, g, AM_TASK_DONE, 2.0);
    assert_ended(loop, tg, AM_TASK_FAILED, 3.0);
    assert_ended(loop, t2, AM_TASK_CANCELLED, 3.0);
    assert_ended(loop, w, AM_TASK_DONE, 3.0);
    am_task_id_t done[2] = {g, tg};
    assert_wait_sets(loop, w, done, 2, &wf, 1);
    assert_ended(loop, wf, AM_TASK_TIMED_OUT, 5.0);
}

/* Watchers hear of an end in the order they began watching, as asyncio runs
 * done callbacks in the order they were added. */
typedef struct order_s {
    am_task_id_t id[8];
    size_t n;
} order_t;

static void order_cb(am_loop_t *loop, am_task_id_t id, void *data)
{
    (void)loop;
    order_t *o = data;
    o->id[o->n++] = id;
}

static void test_watchers_told_in_order(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    order_t o = {0};
    am_task_id_t t = tu_sleep_for(loop, 1.0);
    am_task_id_t g1 = am_gather(loop, &t, 1, 0, order_cb, &o);
    am_task_id_t g2 = am_gather(loop, &t, 1, 0, order_cb, &o);
    am_task_id_t w = am_wait(loop, &t, 1, AM_ALL_COMPLETED, AM_NO_TIMEOUT, order_cb, &o);
    am_task_id_t wf = am_wait_for(loop, t, S(2.0), order_cb, &o);
    assert_int_equal(am_task_add_done_cb(loop, g1, order_cb, &o), 0);
    tu_run_idle(&e->uv);

    assert_int_equal(o.n, 5);
    assert_int_equal(o.id[0], g1);
    assert_int_equal(o.id[1], g2);
    assert_int_equal(o.id[2], w);
    assert_int_equal(o.id[3], wf);
    assert_int_equal(o.id[4], g1); /* add_done_cb: at the next turn, after */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tu_loop_setup, tu_loop_teardown)
    const struct CMUnitTest tests[] = {
        T(test_gather_orders),
        T(test_gather_first_error_siblings_continue),
        T(test_gather_return_exceptions),
        T(test_gather_child_cancelled_or_timed_out),
        T(test_gather_cancel),
        T(test_gather_empty_and_invalid),
        T(test_gather_tasks_already_ended),
        T(test_as_completed_order),
        T(test_as_completed_timeout),
        T(test_as_completed_ended_tasks_and_cancel),
        T(test_wait_all_completed),
        T(test_wait_first_completed),
        T(test_wait_first_exception),
        T(test_wait_timeout_asyncio_example),
        T(test_wait_sets_readable_midway),
        T(test_wait_while_pending_loop),
        T(test_wait_rearm_fresh_timeout),
        T(test_wait_rearm_after_late_ends),
        T(test_wait_rearm_compaction),
        T(test_wait_cancel_and_errors),
        T(test_wait_for_timeout),
        T(test_wait_for_mirrors_inner),
        T(test_wait_for_shield),
        T(test_wait_for_cancel),
        T(test_timeout_at),
        T(test_shield),
        T(test_taskgroup_child_fails),
        T(test_taskgroup_close_later_and_cancelled_child),
        T(test_taskgroup_cancel),
        T(test_taskgroup_add_rules),
        T(test_taskgroup_timed_out_child),
        T(test_nested_cancel_propagates),
        T(test_nested_wait_for_and_gather),
        T(test_nested_wait_over_nodes),
        T(test_watchers_told_in_order),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
