/* test_sync.c — unit tests of the synchronisation primitives (sync.h) driven
 * by program tasks (program.h), against asyncio's documented behaviour:
 *   Semaphore: at most `limit` tasks inside (checked at every event, both by
 *     the semaphore's count and by where the tasks are in their programs),
 *     waiters woken first come first served, a plain semaphore released extra
 *     grows, a BoundedSemaphore released too often fails the releasing task
 *     (and am_semaphore_release) with AM_EOVERRELEASE, set_limit raising
 *     (wakes waiters) and lowering (permits retired as holders release).
 *   Lock: the two-coroutine example never overlaps, FIFO hand-over, unlock by
 *     a task that does not hold it fails with AM_ESTATE.
 *   Event: waiters all wake at the instant it is set; clear; already set.
 *   Condition: notify(1) wakes one, notify(n), notify_all wakes all, woken
 *     waiters take the lock back one at a time; cond_wait and notify without
 *     the lock fail with AM_ESTATE.
 *   Cancellation: a cancelled waiter of every primitive leaves the wait queue
 *     at once (the waiter count drops in the same call); a cancelled holder
 *     releases its permit or lock and the next waiter gets it at the same
 *     virtual time (async with); a waiter granted a permit and cancelled in
 *     the same instant passes it on; deadlines (am_task_set_timeout) on
 *     waiting tasks end them timed out and out of the queue. After every run
 *     the permit accounting is exact: nobody holds anything, and a probe
 *     shows exactly `limit` permits free (none lost, none invented).
 * Every run is on the virtual clock in jump mode, so the times are exact; a
 * monitor watches every run and its "nothing lost" check must hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "asyncmon/monitor.h"
#include "asyncmon/program.h"
#include "asyncmon/runtime.h"
#include "asyncmon/sync.h"
#include "testutil.h"

/* ---- environment: a uv loop, the runtime in jump mode, a monitor ---- */

typedef struct env_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    /* the observer's watch over one object: holders never above its capacity,
     * and the tasks of watch_prog at step watch_pc are exactly the holders */
    int watch_obj;
    int watch_prog;
    uint32_t watch_pc;
    uint32_t max_holders, max_inside;
    uint64_t checks, violations;
    char first_violation[160];
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

static am_obj_info_t info(env_t *e, int obj)
{
    am_obj_info_t in;
    assert_int_equal(am_obj_info(e->loop, obj, &in), 0);
    return in;
}

/* Nobody holds or waits on obj any more. */
static void assert_idle(env_t *e, int obj)
{
    am_obj_info_t in = info(e, obj);
    assert_int_equal(in.holders, 0);
    assert_int_equal(in.waiters, 0);
    assert_int_equal(in.owner, 0);
}

/* Exactly `limit` permits are free: limit + 1 fresh tasks each hold one for
 * 1 s; `limit` of them end 1 s later, the last one 2 s later. A lost permit
 * leaves a task waiting forever, an invented one lets it in early. */
static void probe_permits(env_t *e, int sem, uint32_t limit)
{
    char text[96];
    snprintf(text, sizeof text, "acquire %s; sleep fixed 1; release %s", info(e, sem).name,
             info(e, sem).name);
    int p = tu_program(e->loop, text, 1);
    am_time_t t0 = am_loop_now(e->loop);
    am_task_id_t ids[64];
    assert_true(limit + 1 <= 64);
    for (uint32_t i = 0; i <= limit; i++)
        ids[i] = tu_spawn_program(e->loop, p);
    run(e);
    for (uint32_t i = 0; i <= limit; i++) {
        assert_int_equal(am_task_state(e->loop, ids[i]), AM_TASK_DONE);
        assert_int_equal(am_task_ended(e->loop, ids[i]), t0 + S(i < limit ? 1 : 2));
    }
    assert_idle(e, sem);
    assert_int_equal(info(e, sem).capacity, limit);
}

/* ---- the observer: checked at every event of every run ---- */

static void observe(void *ctx, const am_event_t *ev)
{
    env_t *e = ctx;
    (void)ev;
    if (!e->watch_obj) return;
    am_obj_info_t in;
    if (am_obj_info(e->loop, e->watch_obj, &in) != 0) return;
    uint32_t inside = 0;
    for (am_task_id_t id = 1; id <= am_task_count(e->loop); id++) {
        int p;
        uint32_t pc;
        if (am_task_kind(e->loop, id) != AM_KIND_PROGRAM ||
            am_task_state(e->loop, id) != AM_TASK_RUNNING ||
            am_task_program(e->loop, id, &p, &pc) != 0)
            continue;
        if (p == e->watch_prog && pc == e->watch_pc) inside++;
    }
    e->checks++;
    if (in.holders > e->max_holders) e->max_holders = in.holders;
    if (inside > e->max_inside) e->max_inside = inside;
    if (in.holders > in.capacity || inside != in.holders) {
        if (e->violations++ == 0)
            snprintf(e->first_violation, sizeof e->first_violation,
                     "at %.6f s: %u holders of %u, %u tasks inside", AM_SECONDS(ev->time),
                     in.holders, in.capacity, inside);
    }
}

static void assert_no_violation(env_t *e)
{
    assert_true(e->checks > 0);
    if (e->violations)
        fail_msg("%llu violations; first %s", (unsigned long long)e->violations,
                 e->first_violation);
}

/* ---- callouts ---- */

typedef struct call_s {
    env_t *e;
    am_task_id_t task;
    int obj;
    uint32_t n;
    int rc;
    int fired;
    am_obj_info_t before, after; /* the object around the action */
    am_time_t when;
    double sec;
    am_callout_cb next; /* chained: schedule this at `sec` when fired */
} call_t;

static void at(env_t *e, double sec, am_callout_cb cb, call_t *c)
{
    c->e = e;
    assert_true(am_loop_call_at(e->loop, S(sec), cb, c) > 0);
}

static void do_cancel(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->when = am_loop_now(loop);
    if (c->obj) c->before = info(c->e, c->obj);
    c->rc = am_task_cancel(loop, c->task);
    if (c->obj) c->after = info(c->e, c->obj);
}

static void do_look(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->when = am_loop_now(loop);
    c->after = info(c->e, c->obj);
}

static void do_set_limit(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_semaphore_set_limit(loop, c->obj, c->n);
    c->after = info(c->e, c->obj);
}

static void do_release(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->before = info(c->e, c->obj);
    c->rc = am_semaphore_release(loop, c->obj);
    c->after = info(c->e, c->obj);
}

static void do_event_set(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_event_set(loop, c->obj);
    c->after = info(c->e, c->obj);
}

static void do_event_clear(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_event_clear(loop, c->obj);
}

/* Fires at some time, then schedules `next` at c->sec: the entry it makes
 * comes after everything already scheduled for that instant. */
static void do_later(am_loop_t *loop, void *data)
{
    call_t *c = data;
    assert_true(am_loop_call_at(loop, S(c->sec), c->next, c) > 0);
}

/* ---- Semaphore ---- */

/* Four workers, Semaphore(2): never more than two inside, and two is reached. */
static void test_semaphore_limits_concurrency(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 2, 0);
    assert_true(s > 0);
    am_loop_seed(e->loop, 42);
    int p = tu_program(e->loop, "acquire s; sleep uniform 0.5 1.5; release s", 5);
    e->watch_obj = s;
    e->watch_prog = p;
    e->watch_pc = 1; /* the sleep inside acquire..release */
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t look = {0};
    look.obj = s;
    at(e, 0.25, do_look, &look);
    run(e);
    assert_no_violation(e);
    assert_int_equal(e->max_holders, 2);
    assert_int_equal(e->max_inside, 2);
    /* at 0.25 s two hold, two wait */
    assert_int_equal(look.after.holders, 2);
    assert_int_equal(look.after.waiters, 2);
    assert_int_equal(look.after.capacity, 2);
    am_time_t last = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(am_task_state(e->loop, w[i]), AM_TASK_DONE);
        assert_int_equal(am_task_result(e->loop, w[i]), 5);
        if (am_task_ended(e->loop, w[i]) > last) last = am_task_ended(e->loop, w[i]);
    }
    /* 20 critical sections of >= 0.5 s, two at a time: at least 5 s */
    assert_true(last >= S(5));
    assert_idle(e, s);
    e->watch_obj = 0;
    probe_permits(e, s, 2);
}

/* Waiters get the permit in the order they arrived, not in id order. */
static void test_semaphore_fifo(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    am_task_id_t holder = tu_go(e->loop, "acquire s; sleep fixed 1; release s");
    static const char *const arrive[4] = {"0.4", "0.1", "0.3", "0.2"};
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++) {
        char text[96];
        snprintf(text, sizeof text, "sleep fixed %s; acquire s; sleep fixed 1; release s",
                 arrive[i]);
        w[i] = tu_go(e->loop, text);
    }
    call_t look = {0};
    look.obj = s;
    at(e, 0.5, do_look, &look);
    run(e);
    assert_int_equal(look.after.holders, 1);
    assert_int_equal(look.after.waiters, 4);
    tu_assert_ended(e->loop, holder, AM_TASK_DONE, 1);
    /* arrival order 0.1 (w1), 0.2 (w3), 0.3 (w2), 0.4 (w0): one second each */
    tu_assert_ended(e->loop, w[1], AM_TASK_DONE, 2);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 3);
    tu_assert_ended(e->loop, w[2], AM_TASK_DONE, 4);
    tu_assert_ended(e->loop, w[0], AM_TASK_DONE, 5);
    assert_idle(e, s);
    probe_permits(e, s, 1);
}

/* A newcomer does not overtake tasks already waiting, even when the permit is
 * free at the instant it arrives: the release handed it to the first waiter. */
static void test_semaphore_no_overtaking(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    am_task_id_t a = tu_go(e->loop, "acquire s; sleep fixed 1; release s");
    am_task_id_t b = tu_go(e->loop, "acquire s; sleep fixed 1; release s");
    am_task_id_t late = tu_go(e->loop, "sleep fixed 1; acquire s; sleep fixed 1; release s");
    run(e);
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, b, AM_TASK_DONE, 2);
    tu_assert_ended(e->loop, late, AM_TASK_DONE, 3);
    probe_permits(e, s, 1);
}

/* BoundedSemaphore: the task releasing too often fails with AM_EOVERRELEASE
 * (asyncio's ValueError); so does a release from outside; nothing else breaks. */
static void test_bounded_over_release(void **state)
{
    env_t *e = *state;
    int b = am_semaphore_new(e->loop, "b", 2, 1);
    assert_true(b > 0);
    assert_int_equal(info(e, b).kind, AM_OBJ_BOUNDED_SEMAPHORE);
    am_task_id_t bad = tu_go(e->loop, "acquire b; release b; release b");
    am_task_id_t good = tu_go(e->loop, "acquire b; sleep fixed 1; release b");
    run(e);
    tu_assert_ended(e->loop, bad, AM_TASK_FAILED, 0);
    assert_int_equal(am_task_error(e->loop, bad), AM_EOVERRELEASE);
    tu_assert_ended(e->loop, good, AM_TASK_DONE, 1);
    assert_idle(e, b);
    assert_int_equal(info(e, b).capacity, 2);
    /* from outside: refused, and the count does not move */
    assert_int_equal(am_semaphore_release(e->loop, b), AM_EOVERRELEASE);
    assert_int_equal(info(e, b).capacity, 2);
    probe_permits(e, b, 2);
}

/* An outside release while a task holds the only permit is fine; the holder's
 * own release then goes above the initial value and fails it. */
static void test_bounded_outside_release_then_holder(void **state)
{
    env_t *e = *state;
    int b = am_semaphore_new(e->loop, "b", 1, 1);
    am_task_id_t h = tu_go(e->loop, "acquire b; sleep fixed 2; release b");
    call_t c = {0};
    c.obj = b;
    at(e, 1, do_look, &c);
    run(e);
    assert_int_equal(c.after.holders, 1);
    /* the loop is idle at 2 s: release from outside now is over the top too */
    tu_assert_ended(e->loop, h, AM_TASK_DONE, 2);
    assert_int_equal(am_semaphore_release(e->loop, b), AM_EOVERRELEASE);

    /* h2 holds the permit from 2 to 4; at 3 it is released from outside */
    am_task_id_t h2 = tu_go(e->loop, "acquire b; sleep fixed 2; release b");
    call_t r = {0};
    r.obj = b;
    at(e, 3, do_release, &r);
    run(e);
    assert_int_equal(r.rc, 0); /* value back to 1: allowed */
    assert_int_equal(r.before.holders, 1);
    assert_int_equal(r.after.holders, 0);
    tu_assert_ended(e->loop, h2, AM_TASK_FAILED, 4);
    assert_int_equal(am_task_error(e->loop, h2), AM_EOVERRELEASE);
    assert_idle(e, b);
    probe_permits(e, b, 1);
}

/* A plain Semaphore released more often than acquired grows, from outside and
 * from a task, as asyncio.Semaphore does. */
static void test_plain_semaphore_grows(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 2, 0);
    assert_int_equal(info(e, s).kind, AM_OBJ_SEMAPHORE);
    assert_int_equal(am_semaphore_release(e->loop, s), 0);
    assert_int_equal(info(e, s).capacity, 3);
    int p = tu_program(e->loop, "acquire s; sleep fixed 1; release s", 1);
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, p);
    run(e);
    for (int i = 0; i < 3; i++)
        tu_assert_ended(e->loop, w[i], AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 2);
    am_task_id_t extra = tu_go(e->loop, "release s");
    run(e);
    tu_assert_ended(e->loop, extra, AM_TASK_DONE, 2);
    assert_int_equal(info(e, s).capacity, 4);
    probe_permits(e, s, 4);
}

/* Released from outside while every permit is held (the dashboard's "+"):
 * a waiter gets in at once and the capacity shows the extra permit. */
static void test_plain_semaphore_grows_while_held(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 2, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 10; release s", 1);
    e->watch_obj = s;
    e->watch_prog = p;
    e->watch_pc = 1;
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t r = {0};
    r.obj = s;
    at(e, 1, do_release, &r);
    run(e);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.before.holders, 2);
    assert_int_equal(r.before.waiters, 2);
    assert_int_equal(r.after.capacity, 3);
    assert_int_equal(r.after.holders, 3);
    assert_int_equal(r.after.waiters, 1);
    tu_assert_ended(e->loop, w[0], AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[1], AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[2], AM_TASK_DONE, 11);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 20);
    assert_no_violation(e);
    assert_int_equal(e->max_holders, 3);
    e->watch_obj = 0;
    probe_permits(e, s, 3);
}

/* ---- cancelling waiters: out of the wait queue at once ---- */

static void test_cancel_semaphore_waiter(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 1; release s", 1);
    am_task_id_t h = tu_go(e->loop, "acquire s; sleep fixed 10; release s");
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p),
                 w3 = tu_spawn_program(e->loop, p);
    call_t c = {0};
    c.task = w2;
    c.obj = s;
    at(e, 2, do_cancel, &c);
    run(e);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.before.waiters, 3);
    assert_int_equal(c.after.waiters, 2); /* at once, before the loop delivers it */
    assert_int_equal(c.after.holders, 1);
    tu_assert_ended(e->loop, w2, AM_TASK_CANCELLED, 2);
    assert_int_equal(am_task_error(e->loop, w2), AM_ECANCELLED);
    tu_assert_ended(e->loop, h, AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 11);
    tu_assert_ended(e->loop, w3, AM_TASK_DONE, 12);
    assert_idle(e, s);
    probe_permits(e, s, 1);
}

static void test_cancel_lock_waiter(void **state)
{
    env_t *e = *state;
    int l = am_lock_new(e->loop, "l");
    int p = tu_program(e->loop, "lock l; sleep fixed 1; unlock l", 1);
    am_task_id_t h = tu_go(e->loop, "lock l; sleep fixed 10; unlock l");
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p),
                 w3 = tu_spawn_program(e->loop, p);
    call_t c = {0};
    c.task = w1;
    c.obj = l;
    at(e, 2, do_cancel, &c);
    run(e);
    assert_int_equal(c.before.waiters, 3);
    assert_int_equal(c.after.waiters, 2);
    assert_int_equal(c.after.owner, h);
    tu_assert_ended(e->loop, w1, AM_TASK_CANCELLED, 2);
    tu_assert_ended(e->loop, h, AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 11);
    tu_assert_ended(e->loop, w3, AM_TASK_DONE, 12);
    assert_idle(e, l);
}

static void test_cancel_event_waiter(void **state)
{
    env_t *e = *state;
    int ev = am_event_new(e->loop, "e");
    int p = tu_program(e->loop, "wait e", 1);
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p);
    call_t c = {0}, set = {0};
    c.task = w1;
    c.obj = ev;
    set.obj = ev;
    at(e, 1, do_cancel, &c);
    at(e, 5, do_event_set, &set);
    run(e);
    assert_int_equal(c.before.waiters, 2);
    assert_int_equal(c.after.waiters, 1);
    tu_assert_ended(e->loop, w1, AM_TASK_CANCELLED, 1);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 5);
    assert_int_equal(set.after.waiters, 0);
    assert_int_equal(info(e, ev).waiters, 0);
    assert_int_equal(info(e, ev).holders, 1); /* set */
}

/* A task inside cond.wait() does not hold the lock: cancelling it drops the
 * waiter count and leaves the lock with its owner. */
static void test_cancel_condition_waiter(void **state)
{
    env_t *e = *state;
    int cv = am_condition_new(e->loop, "c");
    int p = tu_program(e->loop, "lock c; cond_wait c; sleep fixed 1; unlock c", 1);
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p),
                 w3 = tu_spawn_program(e->loop, p);
    am_task_id_t n = tu_go(e->loop, "sleep fixed 2; lock c; sleep fixed 1; notify_all c; unlock c");
    call_t c = {0}, look = {0};
    c.task = w2;
    c.obj = cv;
    look.obj = cv;
    at(e, 1, do_cancel, &c);
    at(e, 2.5, do_look, &look);
    run(e);
    assert_int_equal(c.before.waiters, 3);
    assert_int_equal(c.after.waiters, 2);
    assert_int_equal(c.after.owner, 0);
    tu_assert_ended(e->loop, w2, AM_TASK_CANCELLED, 1);
    /* the cancelled waiter released nothing it did not hold */
    assert_int_equal(look.after.owner, n);
    assert_int_equal(look.after.waiters, 2);
    tu_assert_ended(e->loop, n, AM_TASK_DONE, 3);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 4);
    tu_assert_ended(e->loop, w3, AM_TASK_DONE, 5);
    assert_idle(e, cv);
}

/* Notified but still waiting for the lock: cancelling it must not release the
 * lock someone else holds, and must not lose the hand-over to the next one. */
static void test_cancel_condition_reacquirer(void **state)
{
    env_t *e = *state;
    int cv = am_condition_new(e->loop, "c");
    int p = tu_program(e->loop, "lock c; cond_wait c; sleep fixed 1; unlock c", 1);
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p);
    am_task_id_t n = tu_go(e->loop, "sleep fixed 2; lock c; notify_all c; sleep fixed 3; unlock c");
    call_t c = {0}, look = {0};
    c.task = w1;
    c.obj = cv;
    look.obj = cv;
    at(e, 3, do_cancel, &c);
    at(e, 3.5, do_look, &look);
    run(e);
    assert_int_equal(c.before.waiters, 2); /* both notified, waiting for the lock */
    assert_int_equal(c.before.owner, n);
    assert_int_equal(c.after.waiters, 1);
    tu_assert_ended(e->loop, w1, AM_TASK_CANCELLED, 3);
    assert_int_equal(look.after.owner, n);
    assert_int_equal(look.after.holders, 1);
    tu_assert_ended(e->loop, n, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 6);
    assert_idle(e, cv);
}

/* ---- cancelling holders: async with releases on the way out ---- */

static void test_cancel_semaphore_holder(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 10; release s", 1);
    am_task_id_t a = tu_spawn_program(e->loop, p), b = tu_spawn_program(e->loop, p);
    call_t c = {0};
    c.task = a;
    c.obj = s;
    at(e, 3, do_cancel, &c);
    run(e);
    assert_int_equal(c.before.holders, 1);
    assert_int_equal(c.before.waiters, 1);
    tu_assert_ended(e->loop, a, AM_TASK_CANCELLED, 3);
    assert_int_equal(am_task_started(e->loop, b), 0);
    tu_assert_ended(e->loop, b, AM_TASK_DONE, 13); /* got the permit at 3 */
    assert_idle(e, s);
    probe_permits(e, s, 1);
}

static void test_cancel_lock_holder(void **state)
{
    env_t *e = *state;
    int l = am_lock_new(e->loop, "l");
    int p = tu_program(e->loop, "lock l; sleep fixed 10; unlock l", 1);
    am_task_id_t a = tu_spawn_program(e->loop, p), b = tu_spawn_program(e->loop, p);
    call_t c = {0}, look = {0};
    c.task = a;
    c.obj = l;
    look.obj = l;
    at(e, 3, do_cancel, &c);
    at(e, 3.5, do_look, &look);
    run(e);
    assert_int_equal(c.before.owner, a);
    tu_assert_ended(e->loop, a, AM_TASK_CANCELLED, 3);
    assert_int_equal(look.after.owner, b);
    tu_assert_ended(e->loop, b, AM_TASK_DONE, 13);
    assert_idle(e, l);
}

/* Two permits held by nested acquires of two semaphores, and a timeout
 * (am_task_set_timeout) rather than a cancel: both are given back. */
static void test_timeout_holder_releases_all(void **state)
{
    env_t *e = *state;
    int s1 = am_semaphore_new(e->loop, "s1", 1, 0);
    int s2 = am_semaphore_new(e->loop, "s2", 1, 1);
    int l = am_lock_new(e->loop, "l");
    am_task_id_t a = tu_go(e->loop, "acquire s1; lock l; acquire s2; sleep fixed 10; release s2; "
                                    "unlock l; release s1");
    am_task_id_t b = tu_go(e->loop, "acquire s2; lock l; acquire s1; sleep fixed 1; release s1; "
                                    "unlock l; release s2");
    assert_int_equal(am_task_set_timeout(e->loop, a, S(4)), 0);
    run(e);
    tu_assert_ended(e->loop, a, AM_TASK_TIMED_OUT, 4);
    assert_int_equal(am_task_error(e->loop, a), AM_ETIMEOUT);
    /* b waited for s2 from 0: at 4 it gets s2, then l and s1 are free */
    tu_assert_ended(e->loop, b, AM_TASK_DONE, 5);
    assert_idle(e, l);
    probe_permits(e, s1, 1);
    probe_permits(e, s2, 1);
}

/* A waiter handed the permit, then cancelled in that same instant before it
 * ran: the permit goes on to the next waiter, nothing is lost. */
static void test_granted_then_cancelled_same_instant(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 1; release s", 1);
    am_task_id_t a = tu_go(e->loop, "acquire s; sleep fixed 2; release s; sleep fixed 5");
    am_task_id_t b = tu_spawn_program(e->loop, p), c = tu_spawn_program(e->loop, p);
    call_t k = {0};
    k.task = b;
    k.obj = s;
    k.sec = 2;
    k.next = do_cancel;
    at(e, 1, do_later, &k); /* its entry at 2 s comes after a's, before b's resume */
    run(e);
    assert_int_equal(k.fired, 1);
    assert_int_equal(k.when, S(2));
    /* b had been given the permit (a released it) but had not run yet */
    assert_int_equal(k.before.holders, 1);
    assert_int_equal(k.before.waiters, 1);
    assert_int_equal(am_task_state(e->loop, b), AM_TASK_CANCELLED);
    tu_assert_ended(e->loop, b, AM_TASK_CANCELLED, 2);
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 3); /* the permit moved on at 2 */
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 7);
    assert_idle(e, s);
    probe_permits(e, s, 1);
}

static void test_lock_granted_then_cancelled_same_instant(void **state)
{
    env_t *e = *state;
    int l = am_lock_new(e->loop, "l");
    int p = tu_program(e->loop, "lock l; sleep fixed 1; unlock l", 1);
    am_task_id_t a = tu_go(e->loop, "lock l; sleep fixed 2; unlock l; sleep fixed 5");
    am_task_id_t b = tu_spawn_program(e->loop, p), c = tu_spawn_program(e->loop, p);
    call_t k = {0};
    k.task = b;
    k.obj = l;
    k.sec = 2;
    k.next = do_cancel;
    at(e, 1, do_later, &k);
    run(e);
    assert_int_equal(k.before.owner, b);
    tu_assert_ended(e->loop, b, AM_TASK_CANCELLED, 2);
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 3);
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 7);
    assert_idle(e, l);
}

/* ---- Lock ---- */

/* An observer counting the tasks of two programs inside lock..unlock (at
 * step 1), and checking the one inside is the lock's owner. */
typedef struct overlap_s {
    env_t *e;
    int l;
    int pa, pb;
    uint32_t max_inside;
    uint64_t checks, owner_mismatch;
} overlap_t;

static void overlap_obs(void *ctx, const am_event_t *ev)
{
    overlap_t *o = ctx;
    (void)ev;
    uint32_t inside = 0;
    am_task_id_t in_id = 0;
    for (am_task_id_t id = 1; id <= am_task_count(o->e->loop); id++) {
        int p;
        uint32_t pc;
        if (am_task_state(o->e->loop, id) != AM_TASK_RUNNING ||
            am_task_program(o->e->loop, id, &p, &pc) != 0)
            continue;
        if ((p == o->pa || p == o->pb) && pc == 1) {
            inside++;
            in_id = id;
        }
    }
    o->checks++;
    if (inside > o->max_inside) o->max_inside = inside;
    am_obj_info_t in;
    am_obj_info(o->e->loop, o->l, &in);
    if (in.owner != in_id) o->owner_mismatch++;
}

/* Look between events too: every `every` until `until`. */
typedef struct sample_s {
    overlap_t *o;
    am_time_t every, until;
} sample_t;

static void sample_cb(am_loop_t *loop, void *data)
{
    sample_t *smp = data;
    overlap_obs(smp->o, NULL);
    am_time_t next = am_loop_now(loop) + smp->every;
    if (next <= smp->until) am_loop_call_at(loop, next, sample_cb, smp);
}

/* The two-coroutine example: each takes the lock around its work; the
 * critical sections never overlap and alternate exactly. */
static void test_lock_two_coroutines(void **state)
{
    env_t *e = *state;
    overlap_t o = {e, am_lock_new(e->loop, "l"), 0, 0, 0, 0, 0};
    o.pa = tu_program(e->loop, "lock l; sleep fixed 0.3; unlock l; sleep fixed 0.1", 5);
    o.pb = tu_program(e->loop, "lock l; sleep fixed 0.2; unlock l", 5);
    am_monitor_set_listener(e->mon, overlap_obs, &o);
    am_task_id_t a = tu_spawn_program(e->loop, o.pa), b = tu_spawn_program(e->loop, o.pb);
    sample_t smp = {&o, S(0.05), S(2.6)};
    assert_true(am_loop_call_at(e->loop, 0, sample_cb, &smp) > 0);
    run(e);
    /* a: 0-0.3, 0.5-0.8, 1.0-1.3, 1.5-1.8, 2.0-2.3 (+0.1); b: 0.3-0.5, ... 2.3-2.5 */
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 2.4);
    tu_assert_ended(e->loop, b, AM_TASK_DONE, 2.5);
    assert_true(o.checks >= 14 + 52); /* events, and every 0.05 s */
    assert_int_equal(o.max_inside, 1);
    assert_int_equal(o.owner_mismatch, 0);
    assert_idle(e, o.l);
}

/* Random lengths, three tasks: still never two inside. */
static void test_lock_never_overlaps(void **state)
{
    env_t *e = *state;
    overlap_t o = {e, am_lock_new(e->loop, "l"), 0, 0, 0, 0, 0};
    am_loop_seed(e->loop, 7);
    o.pa = tu_program(e->loop, "lock l; sleep uniform 0.1 0.4; unlock l; sleep uniform 0 0.2", 20);
    o.pb = tu_program(e->loop, "lock l; sleep exponential 0.2; unlock l", 20);
    am_monitor_set_listener(e->mon, overlap_obs, &o);
    am_task_id_t a = tu_spawn_program(e->loop, o.pa), b = tu_spawn_program(e->loop, o.pb),
                 c = tu_spawn_program(e->loop, o.pb);
    run(e);
    assert_true(o.checks >= 60);
    assert_int_equal(o.max_inside, 1);
    assert_int_equal(o.owner_mismatch, 0);
    assert_int_equal(am_task_state(e->loop, a), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, b), AM_TASK_DONE);
    assert_int_equal(am_task_state(e->loop, c), AM_TASK_DONE);
    assert_idle(e, o.l);
}

/* Releasing a lock one does not hold is asyncio's RuntimeError: AM_ESTATE. */
static void test_unlock_by_non_owner(void **state)
{
    env_t *e = *state;
    int l = am_lock_new(e->loop, "l");
    am_task_id_t a = tu_go(e->loop, "lock l; sleep fixed 5; unlock l");
    am_task_id_t b = tu_go(e->loop, "sleep fixed 1; unlock l");
    am_task_id_t c = tu_go(e->loop, "sleep fixed 6; unlock l"); /* unlocked lock */
    call_t look = {0};
    look.obj = l;
    at(e, 2, do_look, &look);
    run(e);
    tu_assert_ended(e->loop, b, AM_TASK_FAILED, 1);
    assert_int_equal(am_task_error(e->loop, b), AM_ESTATE);
    assert_int_equal(look.after.owner, a); /* b's attempt changed nothing */
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, c, AM_TASK_FAILED, 6);
    assert_int_equal(am_task_error(e->loop, c), AM_ESTATE);
    assert_idle(e, l);
}

/* ---- Event ---- */

static void test_event_wakes_all_at_once(void **state)
{
    env_t *e = *state;
    int ev = am_event_new(e->loop, "e");
    assert_int_equal(am_event_is_set(e->loop, ev), 0);
    am_task_id_t w1 = tu_go(e->loop, "wait e"), w2 = tu_go(e->loop, "wait e; sleep fixed 1");
    call_t look = {0}, set = {0};
    look.obj = ev;
    set.obj = ev;
    at(e, 4, do_look, &look);
    at(e, 5, do_event_set, &set);
    run(e);
    assert_int_equal(look.after.waiters, 2);
    assert_int_equal(look.after.holders, 0);
    assert_int_equal(set.rc, 0);
    assert_int_equal(set.after.waiters, 0);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 6);
    assert_int_equal(am_event_is_set(e->loop, ev), 1);
    /* already set: wait returns at once */
    am_task_id_t w3 = tu_go(e->loop, "wait e");
    run(e);
    tu_assert_ended(e->loop, w3, AM_TASK_DONE, 6);
}

static void test_event_set_by_task_and_clear(void **state)
{
    env_t *e = *state;
    int ev = am_event_new(e->loop, "e");
    am_task_id_t setter = tu_go(e->loop, "sleep fixed 5; set e; sleep fixed 2; clear e");
    am_task_id_t w1 = tu_go(e->loop, "wait e"), w2 = tu_go(e->loop, "wait e");
    am_task_id_t late = tu_go(e->loop, "sleep fixed 8; wait e");
    call_t set = {0};
    set.obj = ev;
    at(e, 20, do_event_set, &set);
    run(e);
    tu_assert_ended(e->loop, setter, AM_TASK_DONE, 7);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 5);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 5);
    /* cleared at 7: the late waiter waits for the next set at 20 */
    tu_assert_ended(e->loop, late, AM_TASK_DONE, 20);
    assert_int_equal(am_event_clear(e->loop, ev), 0);
    assert_int_equal(am_event_is_set(e->loop, ev), 0);
    assert_int_equal(info(e, ev).holders, 0);
}

static void test_event_clear_from_outside(void **state)
{
    env_t *e = *state;
    int ev = am_event_new(e->loop, "e");
    assert_int_equal(am_event_set(e->loop, ev), 0);
    am_task_id_t w1 = tu_go(e->loop, "sleep fixed 1; wait e");
    am_task_id_t w2 = tu_go(e->loop, "sleep fixed 3; wait e");
    call_t clear = {0}, set = {0};
    clear.obj = set.obj = ev;
    at(e, 2, do_event_clear, &clear);
    at(e, 9, do_event_set, &set);
    run(e);
    assert_int_equal(clear.rc, 0);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 9);
}

/* ---- Condition ---- */

static void test_condition_notify_one_then_all(void **state)
{
    env_t *e = *state;
    int cv = am_condition_new(e->loop, "c");
    int p = tu_program(e->loop, "lock c; cond_wait c; sleep fixed 1; unlock c", 1);
    am_task_id_t w1 = tu_spawn_program(e->loop, p), w2 = tu_spawn_program(e->loop, p),
                 w3 = tu_spawn_program(e->loop, p);
    am_task_id_t n1 = tu_go(e->loop, "sleep fixed 1; lock c; notify c; unlock c");
    am_task_id_t n2 =
        tu_go(e->loop, "sleep fixed 5; lock c; notify_all c; sleep fixed 0.5; unlock c");
    call_t at0 = {0}, at3 = {0}, at5 = {0};
    at0.obj = at3.obj = at5.obj = cv;
    at(e, 0.5, do_look, &at0);
    at(e, 3, do_look, &at3);
    at(e, 5.25, do_look, &at5);
    run(e);
    /* all three wait inside cond.wait(), the lock is free */
    assert_int_equal(at0.after.waiters, 3);
    assert_int_equal(at0.after.owner, 0);
    /* notify(1) woke exactly one: the first to wait */
    tu_assert_ended(e->loop, n1, AM_TASK_DONE, 1);
    tu_assert_ended(e->loop, w1, AM_TASK_DONE, 2);
    assert_int_equal(at3.after.waiters, 2);
    /* notify_all: both woken, waiting for the lock n2 still holds */
    assert_int_equal(at5.after.owner, n2);
    assert_int_equal(at5.after.waiters, 2);
    tu_assert_ended(e->loop, n2, AM_TASK_DONE, 5.5);
    /* they take the lock back one at a time */
    tu_assert_ended(e->loop, w2, AM_TASK_DONE, 6.5);
    tu_assert_ended(e->loop, w3, AM_TASK_DONE, 7.5);
    assert_idle(e, cv);
}

static void test_condition_notify_n(void **state)
{
    env_t *e = *state;
    int cv = am_condition_new(e->loop, "c");
    int p = tu_program(e->loop, "lock c; cond_wait c; sleep fixed 1; unlock c", 1);
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, p);
    am_task_id_t n = tu_go(e->loop, "sleep fixed 1; lock c; notify c 2; unlock c; sleep fixed 9; "
                                    "lock c; notify c 5; unlock c");
    run(e);
    tu_assert_ended(e->loop, w[0], AM_TASK_DONE, 2);
    tu_assert_ended(e->loop, w[1], AM_TASK_DONE, 3);
    /* more than are waiting: the rest, and no error */
    tu_assert_ended(e->loop, n, AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[2], AM_TASK_DONE, 11);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 12);
    assert_idle(e, cv);
}

/* cond.wait() and notify() need the lock: RuntimeError, AM_ESTATE. */
static void test_condition_needs_lock(void **state)
{
    env_t *e = *state;
    int cv = am_condition_new(e->loop, "c");
    am_task_id_t a = tu_go(e->loop, "cond_wait c");
    am_task_id_t b = tu_go(e->loop, "notify c");
    am_task_id_t c = tu_go(e->loop, "notify_all c");
    am_task_id_t holder = tu_go(e->loop, "lock c; sleep fixed 3; unlock c");
    am_task_id_t d = tu_go(e->loop, "sleep fixed 1; cond_wait c"); /* someone else holds it */
    run(e);
    tu_assert_ended(e->loop, a, AM_TASK_FAILED, 0);
    assert_int_equal(am_task_error(e->loop, a), AM_ESTATE);
    tu_assert_ended(e->loop, b, AM_TASK_FAILED, 0);
    assert_int_equal(am_task_error(e->loop, b), AM_ESTATE);
    tu_assert_ended(e->loop, c, AM_TASK_FAILED, 0);
    assert_int_equal(am_task_error(e->loop, c), AM_ESTATE);
    tu_assert_ended(e->loop, d, AM_TASK_FAILED, 1);
    assert_int_equal(am_task_error(e->loop, d), AM_ESTATE);
    tu_assert_ended(e->loop, holder, AM_TASK_DONE, 3);
    assert_idle(e, cv);
}

/* ---- live limits ---- */

static void test_set_limit_raise_wakes(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 10; release s", 1);
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t c = {0};
    c.obj = s;
    c.n = 3;
    at(e, 2, do_set_limit, &c);
    run(e);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.after.capacity, 3);
    assert_int_equal(c.after.holders, 3); /* two waiters let in at once */
    assert_int_equal(c.after.waiters, 1);
    tu_assert_ended(e->loop, w[0], AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[1], AM_TASK_DONE, 12);
    tu_assert_ended(e->loop, w[2], AM_TASK_DONE, 12);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 20);
    probe_permits(e, s, 3);
}

static void test_set_limit_lower_retires(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 3, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 10; release s", 1);
    e->watch_obj = s;
    e->watch_prog = p;
    e->watch_pc = 1;
    am_task_id_t w[6];
    for (int i = 0; i < 6; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t c = {0}, look = {0};
    c.obj = s;
    c.n = 1;
    look.obj = s;
    at(e, 1, do_set_limit, &c);
    at(e, 10.5, do_look, &look);
    run(e);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.after.capacity, 1);
    assert_int_equal(c.after.holders, 3); /* holders keep their permits */
    /* at 10 the three release: two permits retired, one waiter let in */
    assert_int_equal(look.after.holders, 1);
    assert_int_equal(look.after.waiters, 2);
    for (int i = 0; i < 3; i++)
        tu_assert_ended(e->loop, w[i], AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 20);
    tu_assert_ended(e->loop, w[4], AM_TASK_DONE, 30);
    tu_assert_ended(e->loop, w[5], AM_TASK_DONE, 40);
    e->watch_obj = 0;
    probe_permits(e, s, 1);
}

/* Lowered then raised while the holders still hold their permits: the
 * retirements still owed are forgiven first. */
static void do_lower_then_raise(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->rc = am_semaphore_set_limit(loop, c->obj, 1);
    c->before = info(c->e, c->obj);
    if (c->rc == 0) c->rc = am_semaphore_set_limit(loop, c->obj, c->n);
    c->after = info(c->e, c->obj);
}

static void test_set_limit_lower_then_raise(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 3, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 10; release s", 1);
    am_task_id_t w[6];
    for (int i = 0; i < 6; i++)
        w[i] = tu_spawn_program(e->loop, p);
    call_t c = {0};
    c.obj = s;
    c.n = 2;
    at(e, 1, do_lower_then_raise, &c);
    run(e);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.before.capacity, 1);
    assert_int_equal(c.after.capacity, 2);
    assert_int_equal(c.after.holders, 3);
    assert_int_equal(c.after.waiters, 3);
    /* at 10 one of the three permits is retired, two go to waiters */
    for (int i = 0; i < 3; i++)
        tu_assert_ended(e->loop, w[i], AM_TASK_DONE, 10);
    tu_assert_ended(e->loop, w[3], AM_TASK_DONE, 20);
    tu_assert_ended(e->loop, w[4], AM_TASK_DONE, 20);
    tu_assert_ended(e->loop, w[5], AM_TASK_DONE, 30);
    probe_permits(e, s, 2);
}

/* Lowered before anyone acquired: free permits are retired at once. */
static void test_set_limit_lower_idle(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 3, 0);
    assert_int_equal(am_semaphore_set_limit(e->loop, s, 1), 0);
    assert_int_equal(info(e, s).capacity, 1);
    probe_permits(e, s, 1);
    assert_int_equal(am_semaphore_set_limit(e->loop, s, 4), 0);
    probe_permits(e, s, 4);
}

static void test_set_limit_errors(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int l = am_lock_new(e->loop, "l");
    assert_int_equal(am_semaphore_set_limit(e->loop, s, 0), AM_EINVAL);
    assert_int_equal(am_semaphore_set_limit(e->loop, l, 2), AM_EINVAL);
    assert_int_equal(am_semaphore_set_limit(e->loop, 99, 2), AM_EINVAL);
    assert_int_equal(am_semaphore_release(e->loop, l), AM_EINVAL);
    assert_int_equal(am_event_set(e->loop, s), AM_EINVAL);
    assert_int_equal(am_event_clear(e->loop, l), AM_EINVAL);
    assert_int_equal(info(e, s).capacity, 1);
}

/* ---- deadlines on waiting tasks ---- */

/* Copy text to buf with every '@' replaced by name. */
static void subst(char *buf, size_t size, const char *text, const char *name)
{
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        const char *add = *c == '@' ? name : (char[2]){*c, 0};
        size_t len = strlen(add);
        assert_true(n + len < size);
        memcpy(buf + n, add, len);
        n += len;
    }
    buf[n] = '\0';
}

typedef struct deadline_case_s {
    const char *setup;  /* creates the object: "sem", "lock", "event", "cond" */
    const char *holder; /* keeps the waiter waiting until 10 s; '@' is the object */
    const char *waiter;
    const char *late; /* arrives at 5 s, must get through normally */
    double late_end;
} deadline_case_t;

static void test_deadline_on_waiter(void **state)
{
    static const deadline_case_t cases[] = {
        {"sem", "acquire @; sleep fixed 10; release @", "acquire @; release @",
         "sleep fixed 5; acquire @; sleep fixed 1; release @", 11},
        {"lock", "lock @; sleep fixed 10; unlock @", "lock @; unlock @",
         "sleep fixed 5; lock @; sleep fixed 1; unlock @", 11},
        {"event", "sleep fixed 10; set @", "wait @", "sleep fixed 5; wait @", 10},
        {"cond", "sleep fixed 10; lock @; notify_all @; unlock @", "lock @; cond_wait @; unlock @",
         "sleep fixed 5; lock @; cond_wait @; unlock @", 10},
    };
    env_t *e = *state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const deadline_case_t *k = &cases[i];
        char name[8];
        snprintf(name, sizeof name, "o%zu", i);
        int o;
        if (!strcmp(k->setup, "sem"))
            o = am_semaphore_new(e->loop, name, 1, 1);
        else if (!strcmp(k->setup, "lock"))
            o = am_lock_new(e->loop, name);
        else if (!strcmp(k->setup, "event"))
            o = am_event_new(e->loop, name);
        else
            o = am_condition_new(e->loop, name);
        assert_true(o > 0);
        char th[128], tw[128], tl[128];
        subst(th, sizeof th, k->holder, name);
        subst(tw, sizeof tw, k->waiter, name);
        subst(tl, sizeof tl, k->late, name);
        am_time_t t0 = am_loop_now(e->loop);
        am_task_id_t h = tu_go(e->loop, th), w = tu_go(e->loop, tw), late = tu_go(e->loop, tl);
        assert_int_equal(am_task_set_timeout(e->loop, w, S(3)), 0);
        call_t look = {0};
        look.obj = o;
        at(e, AM_SECONDS(t0) + 3.5, do_look, &look);
        run(e);
        assert_int_equal(am_task_state(e->loop, w), AM_TASK_TIMED_OUT);
        assert_int_equal(am_task_ended(e->loop, w), t0 + S(3));
        assert_int_equal(am_task_error(e->loop, w), AM_ETIMEOUT);
        assert_int_equal(look.after.waiters, 0); /* left the queue */
        assert_int_equal(am_task_state(e->loop, h), AM_TASK_DONE);
        assert_int_equal(am_task_state(e->loop, late), AM_TASK_DONE);
        assert_int_equal(am_task_ended(e->loop, late), t0 + S(k->late_end));
        am_obj_info_t in = info(e, o);
        assert_int_equal(in.waiters, 0);
        if (strcmp(k->setup, "event") != 0) assert_int_equal(in.holders, 0);
        if (!strcmp(k->setup, "sem")) {
            assert_int_equal(am_semaphore_release(e->loop, o), AM_EOVERRELEASE);
            probe_permits(e, o, 1);
        }
    }
}

/* A deadline that passes after the permit was granted but before the task
 * resumed (the same instant): it times out and the permit moves on. */
static void test_deadline_at_grant_instant(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 1, 0);
    int p = tu_program(e->loop, "acquire s; sleep fixed 1; release s", 1);
    am_task_id_t a = tu_go(e->loop, "acquire s; sleep fixed 2; release s");
    am_task_id_t b = tu_spawn_program(e->loop, p), c = tu_spawn_program(e->loop, p);
    assert_int_equal(am_task_set_timeout(e->loop, b, S(2)), 0);
    run(e);
    tu_assert_ended(e->loop, a, AM_TASK_DONE, 2);
    /* a's release hands b the permit at 2, and b's deadline is 2: b ends
     * timed out at 2 and gives the permit on to c in that instant */
    tu_assert_ended(e->loop, b, AM_TASK_TIMED_OUT, 2);
    tu_assert_ended(e->loop, c, AM_TASK_DONE, 3);
    assert_idle(e, s);
    probe_permits(e, s, 1);
}

/* ---- misc API ---- */

static void test_object_api(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_obj_count(e->loop), 0);
    int s = am_semaphore_new(e->loop, "api", 10, 0);
    int b = am_semaphore_new(e->loop, "bounded", 3, 1);
    int l = am_lock_new(e->loop, "lock");
    int ev = am_event_new(e->loop, "event");
    int c = am_condition_new(e->loop, "cond");
    assert_int_equal(s, 1);
    assert_int_equal(c, 5);
    assert_int_equal(am_obj_count(e->loop), 5);
    assert_int_equal(am_obj_find(e->loop, "lock"), l);
    assert_int_equal(am_obj_find(e->loop, "nope"), AM_ENOENT);
    /* names: unique, non-empty, shorter than AM_OBJ_NAME_MAX */
    assert_int_equal(am_lock_new(e->loop, "api"), AM_EINVAL);
    assert_int_equal(am_lock_new(e->loop, ""), AM_EINVAL);
    char longname[AM_OBJ_NAME_MAX + 1];
    memset(longname, 'x', AM_OBJ_NAME_MAX);
    longname[AM_OBJ_NAME_MAX] = '\0';
    assert_int_equal(am_event_new(e->loop, longname), AM_EINVAL);
    longname[AM_OBJ_NAME_MAX - 1] = '\0';
    assert_true(am_event_new(e->loop, longname) > 0);
    am_obj_info_t in = info(e, s);
    assert_int_equal(in.kind, AM_OBJ_SEMAPHORE);
    assert_string_equal(in.name, "api");
    assert_int_equal(in.capacity, 10);
    assert_int_equal(info(e, b).kind, AM_OBJ_BOUNDED_SEMAPHORE);
    assert_int_equal(info(e, l).capacity, 1);
    assert_int_equal(info(e, ev).kind, AM_OBJ_EVENT);
    assert_int_equal(info(e, c).kind, AM_OBJ_CONDITION);
    assert_int_equal(am_obj_info(e->loop, 0, &in), AM_ENOENT);
    assert_int_equal(am_obj_info(e->loop, 99, &in), AM_ENOENT);
    assert_string_equal(am_obj_kind_name(AM_OBJ_BOUNDED_SEMAPHORE), "bounded semaphore");
    assert_string_equal(am_obj_kind_name(AM_OBJ_CONDITION), "condition");
    assert_string_equal(am_obj_kind_name(AM_OBJ_NKINDS), "?");
    /* a condition is a lock to "lock"/"unlock", a bounded semaphore a semaphore */
    am_task_id_t t = tu_go(e->loop, "lock cond; unlock cond; acquire bounded; release bounded");
    run(e);
    assert_int_equal(am_task_state(e->loop, t), AM_TASK_DONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_semaphore_limits_concurrency),
        T(test_semaphore_fifo),
        T(test_semaphore_no_overtaking),
        T(test_bounded_over_release),
        T(test_bounded_outside_release_then_holder),
        T(test_plain_semaphore_grows),
        T(test_plain_semaphore_grows_while_held),
        T(test_cancel_semaphore_waiter),
        T(test_cancel_lock_waiter),
        T(test_cancel_event_waiter),
        T(test_cancel_condition_waiter),
        T(test_cancel_condition_reacquirer),
        T(test_cancel_semaphore_holder),
        T(test_cancel_lock_holder),
        T(test_timeout_holder_releases_all),
        T(test_granted_then_cancelled_same_instant),
        T(test_lock_granted_then_cancelled_same_instant),
        T(test_lock_two_coroutines),
        T(test_lock_never_overlaps),
        T(test_unlock_by_non_owner),
        T(test_event_wakes_all_at_once),
        T(test_event_set_by_task_and_clear),
        T(test_event_clear_from_outside),
        T(test_condition_notify_one_then_all),
        T(test_condition_notify_n),
        T(test_condition_needs_lock),
        T(test_set_limit_raise_wakes),
        T(test_set_limit_lower_retires),
        T(test_set_limit_lower_then_raise),
        T(test_set_limit_lower_idle),
        T(test_set_limit_errors),
        T(test_deadline_on_waiter),
        T(test_deadline_at_grant_instant),
        T(test_object_api),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
