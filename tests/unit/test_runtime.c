/* test_runtime.c — unit tests of the task runtime (runtime.h): the loop and its
 * virtual clock (jump mode, a real speed factor, pause and single-step, speed
 * and pause changes from inside a callback), callouts, simulated sleep tasks
 * (steps and progress, planned failure, results), cancellation of pending and
 * running tasks, deadlines (am_task_set_timeout), cancelling a group and
 * everything, add_done_cb (timing and order), task names and the order of the
 * events an observer sees.
 *
 * Almost every test runs the virtual clock in jump mode (AM_SPEED_MAX) on a
 * fresh uv loop, so virtual seconds cost microseconds and every virtual time
 * asserted below is exact (am_time_t microseconds). Two tests run at speed 50
 * to prove real-time mode works; they never assert how fast it went. */
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

/* ---- event recorder (the observer) ---- */

#define REC_MAX 256

typedef struct rec_s {
    am_event_t ev[REC_MAX];
    size_t n;
} rec_t;

static void record(void *ctx, const am_event_t *ev)
{
    rec_t *r = ctx;
    if (r->n < REC_MAX) r->ev[r->n++] = *ev;
}

static size_t count_events(const rec_t *r, am_event_type_t type, am_task_id_t task)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].type == type && r->ev[i].task == task) n++;
    return n;
}

/* ---- callout helpers ---- */

typedef struct call_log_s {
    int tag[32];
    am_time_t at[32];
    size_t n;
} call_log_t;

typedef struct tagged_s {
    call_log_t *log;
    int tag;
} tagged_t;

static void log_call(am_loop_t *loop, void *data)
{
    tagged_t *t = data;
    t->log->tag[t->log->n] = t->tag;
    t->log->at[t->log->n] = am_loop_now(loop);
    t->log->n++;
}

/* An action to run at a virtual time: cancel a task, set a deadline, pause... */
typedef struct action_s {
    am_task_id_t task;
    am_time_t delay; /* for set_timeout */
    uint16_t group;
    double speed;
    int rc;         /* what the call returned */
    size_t count;   /* what a count-returning call returned */
    am_time_t when; /* am_loop_now when it ran */
    int ran;
} action_t;

static void do_cancel(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_task_cancel(loop, a->task);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void do_set_timeout(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_task_set_timeout(loop, a->task, a->delay);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void do_group_cancel(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->count = am_group_cancel(loop, a->group);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void do_cancel_all(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->count = am_loop_cancel_all(loop);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void do_pause(am_loop_t *loop, void *data)
{
    action_t *a = data;
    am_loop_pause(loop, 1);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void do_set_speed(am_loop_t *loop, void *data)
{
    action_t *a = data;
    a->rc = am_loop_set_speed(loop, a->speed);
    a->when = am_loop_now(loop);
    a->ran++;
}

static void at(am_loop_t *loop, double sec, am_callout_cb cb, void *data)
{
    assert_true(am_loop_call_at(loop, S(sec), cb, data) > 0);
}

/* ---- the loop and the clock ---- */

static void test_loop_basics(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;

    assert_ptr_equal(am_loop_uv(loop), &e->uv);
    /* set-up time is not virtual time: a new loop set to jump mode is at 0 */
    assert_int_equal(am_loop_now(loop), 0);
    assert_true(isinf(am_loop_speed(loop)));
    assert_int_equal(am_loop_set_speed(loop, 0.0), AM_EINVAL);
    assert_int_equal(am_loop_set_speed(loop, -2.0), AM_EINVAL);
    assert_int_equal(am_loop_set_speed(loop, NAN), AM_EINVAL);
    assert_true(isinf(am_loop_speed(loop))); /* a refused speed changes nothing */
    assert_int_equal(am_loop_now(loop), 0);
    assert_int_equal(am_loop_set_speed(loop, 0.25), 0);
    assert_true(am_loop_speed(loop) == 0.25);
    assert_int_equal(am_loop_set_speed(loop, AM_SPEED_MAX), 0);
    /* the clock ran at 0.25 in between; in jump mode it stands still */
    am_time_t t0 = am_loop_now(loop);
    assert_true(t0 >= 0);
    uv_sleep(2);
    assert_int_equal(am_loop_now(loop), t0);
    assert_int_equal(am_loop_next_time(loop), -1);
    assert_int_equal(am_loop_paused(loop), 0);
    assert_int_equal(am_task_count(loop), 0);
    /* nothing scheduled: the loop's one timer does not keep uv_run alive */
    assert_int_equal(uv_run(&e->uv, UV_RUN_DEFAULT), 0);
    assert_int_equal(am_loop_step(loop), 0);

    /* groups: 0 is the default "tasks"; names are found, not duplicated */
    assert_int_equal(am_group_count(loop), 1);
    assert_string_equal(am_group_name(loop, 0), "tasks");
    int net = am_group_add(loop, "net");
    assert_int_equal(net, 1);
    assert_int_equal(am_group_add(loop, "net"), net);
    assert_int_equal(am_group_add(loop, "tasks"), 0);
    assert_int_equal(am_group_add(loop, ""), AM_EINVAL);
    assert_int_equal(am_group_add(loop, NULL), AM_EINVAL);
    assert_int_equal(am_group_add(loop, "a-name-that-is-longer-than-31-chars"), AM_EINVAL);
    assert_int_equal(am_group_count(loop), 2);
    assert_string_equal(am_group_name(loop, 7), "?");

    assert_int_equal(am_loop_reserve(loop, 5000), 0);
}

static void test_virtual_clock_jumps(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* a thousand virtual seconds: jump mode must not wait for them */
    am_task_id_t a = tu_sleep_for(loop, 1.0);
    am_task_id_t b = tu_sleep_for(loop, 2.5);
    am_task_id_t c = tu_sleep_for(loop, 1000.0);
    assert_int_equal(am_loop_next_time(loop), 0);

    uint64_t t0 = uv_hrtime();
    tu_run_idle(&e->uv);
    uint64_t wall = uv_hrtime() - t0;
    assert_true(wall < 10ull * 1000 * 1000 * 1000); /* far less than 1000 s */

    assert_int_equal(am_task_state(loop, a), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, b), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, c), AM_TASK_DONE);
    assert_int_equal(am_task_started(loop, a), 0);
    assert_int_equal(am_task_ended(loop, a), S(1.0));
    assert_int_equal(am_task_ended(loop, b), S(2.5));
    assert_int_equal(am_task_ended(loop, c), S(1000.0));
    assert_int_equal(am_loop_now(loop), S(1000.0));
    assert_int_equal(am_loop_next_time(loop), -1);

    am_loop_stats_t st;
    am_loop_stats(loop, &st);
    assert_int_equal(st.dispatched, 6); /* a start and an end each */
    assert_int_equal(st.heap_len, 0);
    assert_int_equal(st.max_late, 0); /* jump mode is never late */
    assert_true(st.timer_fires >= 1);
    assert_true(st.bytes > 0);

    /* the loop is reusable: a task spawned now starts now */
    am_task_id_t d = tu_sleep_for(loop, 0.5);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_started(loop, d), S(1000.0));
    assert_int_equal(am_task_ended(loop, d), S(1000.5));
}

static void test_pause_and_step(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    call_log_t log = {0};
    tagged_t cb = {&log, 1};

    am_loop_pause(loop, 1);
    assert_int_equal(am_loop_paused(loop), 1);
    am_task_id_t a = tu_sleep_for(loop, 1.0);
    am_task_id_t b = tu_sleep_for(loop, 2.0);
    am_task_id_t c = tu_sleep_for(loop, 2.0);
    assert_true(am_loop_call_at(loop, S(1.0), log_call, &cb) > 0);

    /* paused: uv_run has nothing armed and returns at once, time frozen */
    tu_run_idle(&e->uv);
    assert_int_equal(am_loop_now(loop), 0);
    assert_int_equal(am_task_state(loop, a), AM_TASK_PENDING);

    assert_int_equal(am_loop_next_time(loop), 0);
    assert_int_equal(am_loop_step(loop), 3); /* three starts */
    assert_int_equal(am_loop_now(loop), 0);
    assert_int_equal(am_task_state(loop, a), AM_TASK_RUNNING);
    assert_int_equal(am_task_state(loop, c), AM_TASK_RUNNING);

    assert_int_equal(am_loop_next_time(loop), S(1.0));
    assert_int_equal(am_loop_step(loop), 2); /* a ends, the callout runs */
    assert_int_equal(am_loop_now(loop), S(1.0));
    assert_int_equal(am_task_state(loop, a), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, b), AM_TASK_RUNNING);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.at[0], S(1.0));

    tu_run_idle(&e->uv); /* still paused: nothing moves */
    assert_int_equal(am_task_state(loop, b), AM_TASK_RUNNING);
    assert_int_equal(am_loop_now(loop), S(1.0));

    assert_int_equal(am_loop_step(loop), 2);
    assert_int_equal(am_loop_now(loop), S(2.0));
    assert_int_equal(am_task_state(loop, b), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, c), AM_TASK_DONE);
    assert_int_equal(am_loop_next_time(loop), -1);
    assert_int_equal(am_loop_step(loop), 0);
    assert_int_equal(am_loop_now(loop), S(2.0));

    am_loop_pause(loop, 0);
    assert_int_equal(am_loop_paused(loop), 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_loop_now(loop), S(2.0));
}

static void test_pause_from_callout(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    action_t pause = {0};

    am_task_id_t a = tu_sleep_for(loop, 1.0);
    am_task_id_t b = tu_sleep_for(loop, 3.0);
    am_task_id_t c = tu_sleep_for(loop, 5.0);
    at(loop, 2.0, do_pause, &pause);

    /* a breakpoint at t=2: jump mode must stop there, not run on to t=5 */
    tu_run_idle(&e->uv);
    assert_int_equal(pause.ran, 1);
    assert_int_equal(pause.when, S(2.0));
    assert_int_equal(am_loop_paused(loop), 1);
    assert_int_equal(am_loop_now(loop), S(2.0));
    assert_int_equal(am_task_state(loop, a), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, b), AM_TASK_RUNNING);
    assert_int_equal(am_task_state(loop, c), AM_TASK_RUNNING);

    assert_int_equal(am_loop_step(loop), 1);
    assert_int_equal(am_loop_now(loop), S(3.0));
    assert_int_equal(am_task_state(loop, b), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, c), AM_TASK_RUNNING);

    am_loop_pause(loop, 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, c), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, c), S(5.0));
}

/* ---- callouts ---- */

typedef struct chain_s {
    call_log_t *log;
    tagged_t next;
    tagged_t past;
    int64_t rc;
} chain_t;

static void chain_same_time(am_loop_t *loop, void *data)
{
    chain_t *c = data;
    tagged_t self = {c->log, 10};
    log_call(loop, &self);
    /* scheduled for now from inside a callout: runs in this instant, after
     * what was already due now */
    c->rc = am_loop_call_at(loop, am_loop_now(loop), log_call, &c->next);
}

static void chain_past(am_loop_t *loop, void *data)
{
    chain_t *c = data;
    tagged_t self = {c->log, 30};
    log_call(loop, &self);
    /* a time in the past runs as soon as possible, at the current time */
    c->rc = am_loop_call_at(loop, S(0.5), log_call, &c->past);
}

static void test_callouts(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    call_log_t log = {0};
    tagged_t t3 = {&log, 3}, t2a = {&log, 2}, t2b = {&log, 22}, t4 = {&log, 4};
    chain_t c1 = {&log, {&log, 11}, {&log, 0}, 0};
    chain_t c3 = {&log, {&log, 0}, {&log, 31}, 0};

    assert_int_equal(am_loop_call_at(loop, S(1.0), NULL, NULL), AM_EINVAL);
    assert_true(am_loop_call_at(loop, S(3.0), log_call, &t3) > 0);
    assert_true(am_loop_call_at(loop, S(1.0), chain_same_time, &c1) > 0);
    assert_true(am_loop_call_at(loop, S(2.0), log_call, &t2a) > 0);
    assert_true(am_loop_call_at(loop, S(2.0), log_call, &t2b) > 0);
    assert_true(am_loop_call_at(loop, S(3.0), chain_past, &c3) > 0);
    int64_t h4 = am_loop_call_at(loop, S(4.0), log_call, &t4);
    assert_true(h4 > 0);
    assert_int_equal(am_loop_next_time(loop), S(1.0));

    assert_int_equal(am_loop_cancel_callout(loop, h4), 0);
    assert_int_equal(am_loop_cancel_callout(loop, h4), AM_ENOENT);
    assert_int_equal(am_loop_cancel_callout(loop, 0), AM_ENOENT);
    assert_int_equal(am_loop_cancel_callout(loop, -3), AM_ENOENT);
    assert_int_equal(am_loop_cancel_callout(loop, ((int64_t)1 << 32) | 999), AM_ENOENT);

    tu_run_idle(&e->uv);
    /* time order, FIFO among equal times, chained callouts after what was due */
    static const int want_tag[] = {10, 11, 2, 22, 3, 30, 31};
    static const double want_at[] = {1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0};
    assert_int_equal(log.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(log.tag[i], want_tag[i]);
        assert_int_equal(log.at[i], S(want_at[i]));
    }
    assert_true(c1.rc > 0);
    assert_true(c3.rc > 0);
    /* the cancelled callout at t=4 neither ran nor held the clock there */
    assert_int_equal(am_loop_now(loop), S(3.0));

    am_loop_stats_t st;
    am_loop_stats(loop, &st);
    assert_int_equal(st.max_late, 0);

    /* a fired callout's handle is dead, even once its slot is reused */
    int64_t h5 = am_loop_call_at(loop, S(5.0), log_call, &t4);
    assert_true(h5 > 0);
    assert_int_equal(am_loop_cancel_callout(loop, c1.rc), AM_ENOENT);
    assert_int_equal(am_loop_cancel_callout(loop, c3.rc), AM_ENOENT);
    tu_run_idle(&e->uv);
    assert_int_equal(log.n, 8);
    assert_int_equal(log.tag[7], 4);
    assert_int_equal(log.at[7], S(5.0));
    assert_int_equal(am_loop_cancel_callout(loop, h5), AM_ENOENT);
}

/* ---- simulated tasks ---- */

static void test_sleep_steps_and_progress(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    rec_t rec = {0};
    am_loop_set_observer(loop, record, &rec);

    am_task_id_t t = tu_spawn_sleep(loop, 0, 1.0, 4, 0, 42);
    uint32_t n, total;
    am_task_progress(loop, t, &n, &total);
    assert_int_equal(n, 0);
    assert_int_equal(total, 4);
    assert_int_equal(am_task_result(loop, t), 0); /* not done yet */
    assert_int_equal(am_task_error(loop, t), 0);
    assert_int_equal(am_task_started(loop, t), -1);
    assert_int_equal(am_task_ended(loop, t), -1);
    assert_int_equal(am_task_is_final(loop, t), 0);

    am_loop_pause(loop, 1);
    assert_int_equal(am_loop_step(loop), 1);
    assert_int_equal(am_task_state(loop, t), AM_TASK_RUNNING);
    for (uint32_t k = 1; k <= 3; k++) {
        assert_int_equal(am_loop_step(loop), 1);
        assert_int_equal(am_loop_now(loop), S(0.25 * k));
        am_task_progress(loop, t, &n, &total);
        assert_int_equal(n, k);
        assert_int_equal(am_task_state(loop, t), AM_TASK_RUNNING);
    }
    assert_int_equal(am_loop_step(loop), 1);
    am_task_progress(loop, t, &n, NULL);
    assert_int_equal(n, 4);
    assert_int_equal(am_task_state(loop, t), AM_TASK_DONE);
    assert_int_equal(am_task_result(loop, t), 42);
    assert_int_equal(am_task_error(loop, t), 0);
    assert_int_equal(am_task_ended(loop, t), S(1.0));
    assert_int_equal(am_task_is_final(loop, t), 1);

    /* the observer saw three progress events and an end with n == total */
    assert_int_equal(count_events(&rec, AM_EV_PROGRESS, t), 3);
    size_t k = 0;
    for (size_t i = 0; i < rec.n; i++) {
        if (rec.ev[i].type != AM_EV_PROGRESS) continue;
        k++;
        assert_int_equal(rec.ev[i].n, k);
        assert_int_equal(rec.ev[i].total, 4);
        assert_int_equal(rec.ev[i].time, S(0.25 * (double)k));
    }
    const am_event_t *last = &rec.ev[rec.n - 1];
    assert_int_equal(last->type, AM_EV_ENDED);
    assert_int_equal(last->n, 4);
    assert_int_equal(last->state, AM_TASK_DONE);

    /* steps 0 is taken as 1; zero duration ends at its start */
    am_task_id_t z = tu_spawn_sleep(loop, 0, 0.0, 0, 0, 7);
    am_task_progress(loop, z, NULL, &total);
    assert_int_equal(total, 1);
    am_loop_pause(loop, 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, z), AM_TASK_DONE);
    assert_int_equal(am_task_started(loop, z), S(1.0));
    assert_int_equal(am_task_ended(loop, z), S(1.0));
    assert_int_equal(am_task_result(loop, z), 7);
}

static void test_planned_failure(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;

    am_task_id_t f = tu_spawn_sleep(loop, 0, 2.0, 2, AM_EIO, 99);
    am_task_id_t ok = tu_spawn_sleep(loop, 0, 3.0, 1, 0, 5);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, f), AM_TASK_FAILED);
    assert_int_equal(am_task_error(loop, f), AM_EIO);
    assert_int_equal(am_task_result(loop, f), 0); /* no result when failed */
    assert_int_equal(am_task_ended(loop, f), S(2.0));
    uint32_t n, total;
    am_task_progress(loop, f, &n, &total);
    assert_int_equal(n, 1); /* the first step was done, the last raised */
    assert_int_equal(total, 2);
    assert_int_equal(am_task_state(loop, ok), AM_TASK_DONE);
    assert_int_equal(am_task_result(loop, ok), 5);

    /* bad specs are refused */
    am_sleep_spec_t bad_fail = {S(1.0), 1, 5, 0};
    am_sleep_spec_t bad_duration = {-1, 1, 0, 0};
    am_sleep_spec_t good = {S(1.0), 1, 0, 0};
    size_t before = am_task_count(loop);
    assert_int_equal(am_spawn_sleep(loop, 0, &bad_fail), 0);
    assert_int_equal(am_spawn_sleep(loop, 0, &bad_duration), 0);
    assert_int_equal(am_spawn_sleep(loop, 0, NULL), 0);
    assert_int_equal(am_spawn_sleep(loop, 3, &good), 0); /* no such group */
    assert_int_equal(am_task_count(loop), before);
}

/* ---- cancellation ---- */

static void test_cancel_pending(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    rec_t rec = {0};
    am_loop_set_observer(loop, record, &rec);

    am_task_id_t t = tu_sleep_for(loop, 1.0);
    am_task_id_t other = tu_sleep_for(loop, 1.0);
    assert_int_equal(am_task_cancel(loop, t), 0);
    assert_int_equal(am_task_cancel(loop, t), 0); /* still only requested */
    assert_int_equal(am_task_state(loop, t), AM_TASK_PENDING);
    assert_int_equal(am_task_cancel(loop, 0), AM_ENOENT);
    assert_int_equal(am_task_cancel(loop, 1000), AM_ENOENT);

    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, t), AM_TASK_CANCELLED);
    assert_int_equal(am_task_error(loop, t), AM_ECANCELLED);
    assert_int_equal(am_task_started(loop, t), -1); /* never ran */
    assert_int_equal(am_task_ended(loop, t), 0);
    assert_int_equal(count_events(&rec, AM_EV_STARTED, t), 0);
    assert_int_equal(count_events(&rec, AM_EV_ENDED, t), 1);
    assert_int_equal(am_task_state(loop, other), AM_TASK_DONE);
    assert_int_equal(am_task_cancel(loop, t), AM_ESTATE);
    assert_int_equal(am_task_cancel(loop, other), AM_ESTATE);
}

static void test_cancel_running(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t t = tu_spawn_sleep(loop, 0, 3.0, 3, 0, 1);
    am_task_id_t sib = tu_sleep_for(loop, 3.0);
    action_t cancel = {.task = t};
    at(loop, 1.5, do_cancel, &cancel);

    tu_run_idle(&e->uv);
    assert_int_equal(cancel.rc, 0);
    assert_int_equal(am_task_state(loop, t), AM_TASK_CANCELLED);
    assert_int_equal(am_task_error(loop, t), AM_ECANCELLED);
    assert_int_equal(am_task_started(loop, t), 0);
    assert_int_equal(am_task_ended(loop, t), S(1.5));
    uint32_t n;
    am_task_progress(loop, t, &n, NULL);
    assert_int_equal(n, 1); /* the step at 1 s happened, the one at 2 s did not */
    assert_int_equal(am_task_state(loop, sib), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, sib), S(3.0));
}

static void test_deadlines(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    rec_t rec = {0};
    am_loop_set_observer(loop, record, &rec);

    am_task_id_t late = tu_sleep_for(loop, 2.0);  /* deadline 1 s: times out */
    am_task_id_t early = tu_sleep_for(loop, 2.0); /* deadline 3 s: done */
    am_task_id_t steps = tu_spawn_sleep(loop, 0, 1.0, 4, 0, 0);
    am_task_id_t zero = tu_sleep_for(loop, 1.0);    /* deadline 0 while pending */
    am_task_id_t cleared = tu_sleep_for(loop, 2.0); /* deadline set then cleared */
    am_task_id_t later = tu_sleep_for(loop, 4.0);   /* deadline set at t=1 */
    am_task_id_t both = tu_sleep_for(loop, 4.0);    /* cancelled before its deadline */
    assert_int_equal(am_task_set_timeout(loop, late, S(1.0)), 0);
    assert_int_equal(am_task_set_timeout(loop, early, S(3.0)), 0);
    assert_int_equal(am_task_set_timeout(loop, steps, S(0.6)), 0);
    assert_int_equal(am_task_set_timeout(loop, zero, 0), 0);
    assert_int_equal(am_task_set_timeout(loop, cleared, S(0.5)), 0);
    assert_int_equal(am_task_set_timeout(loop, cleared, AM_NO_TIMEOUT), 0);
    assert_int_equal(am_task_set_timeout(loop, both, S(3.0)), 0);
    assert_int_equal(am_task_deadline(loop, late), S(1.0));
    assert_int_equal(am_task_deadline(loop, cleared), -1);
    assert_int_equal(am_task_deadline(loop, later), -1);
    assert_int_equal(count_events(&rec, AM_EV_DEADLINE, cleared), 2);

    assert_int_equal(am_task_set_timeout(loop, late, -5), AM_EINVAL);
    assert_int_equal(am_task_set_timeout(loop, 999, S(1.0)), AM_ENOENT);
    am_task_id_t g = am_gather(loop, &late, 1, 1, NULL, NULL);
    assert_int_not_equal(g, 0);
    assert_int_equal(am_task_set_timeout(loop, g, S(1.0)), AM_EINVAL); /* nodes: wait_for */

    action_t set_later = {.task = later, .delay = S(0.5)};
    at(loop, 1.0, do_set_timeout, &set_later);
    action_t cancel_both = {.task = both};
    at(loop, 2.0, do_cancel, &cancel_both);

    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, late), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_error(loop, late), AM_ETIMEOUT);
    assert_int_equal(am_task_ended(loop, late), S(1.0));

    assert_int_equal(am_task_state(loop, early), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, early), S(2.0));

    uint32_t n;
    am_task_progress(loop, steps, &n, NULL);
    assert_int_equal(am_task_state(loop, steps), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, steps), S(0.6));
    assert_int_equal(n, 2); /* steps at 0.25 and 0.5 happened */

    assert_int_equal(am_task_state(loop, zero), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, zero), 0);

    assert_int_equal(am_task_state(loop, cleared), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, cleared), S(2.0));

    assert_int_equal(set_later.rc, 0);
    assert_int_equal(am_task_deadline(loop, later), S(1.5));
    assert_int_equal(am_task_state(loop, later), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, later), S(1.5));

    assert_int_equal(cancel_both.rc, 0);
    assert_int_equal(am_task_state(loop, both), AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(loop, both), S(2.0));

    assert_int_equal(am_task_set_timeout(loop, early, S(1.0)), AM_ESTATE);
    assert_int_equal(am_loop_now(loop), S(2.0)); /* no stale deadline entry kept the clock */
}

static void test_group_cancel(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    int ga = am_group_add(loop, "a");
    int gb = am_group_add(loop, "b");
    assert_true(ga > 0 && gb > 0);

    am_task_id_t a_done = tu_spawn_sleep(loop, (uint16_t)ga, 0.5, 1, 0, 0);
    am_task_id_t a1 = tu_spawn_sleep(loop, (uint16_t)ga, 2.0, 1, 0, 0);
    am_task_id_t a2 = tu_spawn_sleep(loop, (uint16_t)ga, 3.0, 1, 0, 0);
    am_task_id_t b1 = tu_spawn_sleep(loop, (uint16_t)gb, 2.0, 1, 0, 0);
    am_task_id_t d1 = tu_sleep_for(loop, 2.0);
    action_t gc = {.group = (uint16_t)ga};
    at(loop, 1.0, do_group_cancel, &gc);
    action_t again = {.group = (uint16_t)ga};
    at(loop, 1.0, do_group_cancel, &again);

    tu_run_idle(&e->uv);
    assert_int_equal(gc.count, 2);    /* a1 and a2; a_done had ended */
    assert_int_equal(again.count, 0); /* already requested */
    assert_int_equal(am_task_state(loop, a_done), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, a1), AM_TASK_CANCELLED);
    assert_int_equal(am_task_state(loop, a2), AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(loop, a1), S(1.0));
    assert_int_equal(am_task_ended(loop, a2), S(1.0));
    assert_int_equal(am_task_state(loop, b1), AM_TASK_DONE);
    assert_int_equal(am_task_state(loop, d1), AM_TASK_DONE);
    assert_int_equal(am_task_group(loop, a1), ga);
    assert_int_equal(am_task_group(loop, b1), gb);
    assert_int_equal(am_group_cancel(loop, (uint16_t)gb), 0); /* all ended */
}

static void spawn_pending(am_loop_t *loop, void *data)
{
    am_task_id_t *id = data;
    am_sleep_spec_t spec = {S(1.0), 1, 0, 0};
    *id = am_spawn_sleep(loop, 0, &spec);
}

static void test_cancel_all(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    int gx = am_group_add(loop, "x");
    am_task_id_t r1 = tu_sleep_for(loop, 3.0);
    am_task_id_t r2 = tu_spawn_sleep(loop, (uint16_t)gx, 3.0, 1, 0, 0);
    am_task_id_t fin = tu_sleep_for(loop, 0.5);
    am_task_id_t pend = 0;
    at(loop, 1.0, spawn_pending, &pend); /* created at 1 s, cancelled before it starts */
    am_task_id_t both[2] = {r1, r2};
    am_task_id_t g = am_gather(loop, both, 2, 0, NULL, NULL);
    action_t all = {0};
    at(loop, 1.0, do_cancel_all, &all);

    tu_run_idle(&e->uv);
    assert_int_not_equal(pend, 0);
    assert_int_equal(all.count, 3); /* r1, r2, pend: not the gather node, not fin */
    assert_int_equal(am_task_state(loop, r1), AM_TASK_CANCELLED);
    assert_int_equal(am_task_state(loop, r2), AM_TASK_CANCELLED);
    assert_int_equal(am_task_state(loop, pend), AM_TASK_CANCELLED);
    assert_int_equal(am_task_started(loop, pend), -1);
    assert_int_equal(am_task_ended(loop, pend), S(1.0));
    assert_int_equal(am_task_state(loop, fin), AM_TASK_DONE);
    /* the gather ends through its children */
    assert_int_equal(am_task_state(loop, g), AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(loop, g), S(1.0));
    assert_int_equal(am_loop_cancel_all(loop), 0);
}

/* ---- done callbacks ---- */

typedef struct done_log_s {
    am_task_id_t id[16];
    int tag[16];
    am_time_t at[16];
    am_task_state_t state[16];
    size_t n;
} done_log_t;

typedef struct done_tag_s {
    done_log_t *log;
    int tag;
} done_tag_t;

static void on_done(am_loop_t *loop, am_task_id_t id, void *data)
{
    done_tag_t *d = data;
    done_log_t *l = d->log;
    l->id[l->n] = id;
    l->tag[l->n] = d->tag;
    l->at[l->n] = am_loop_now(loop);
    l->state[l->n] = am_task_state(loop, id);
    l->n++;
}

static void test_done_callbacks(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    done_log_t log = {0};
    done_tag_t d1 = {&log, 1}, d2 = {&log, 2}, d3 = {&log, 3}, d4 = {&log, 4}, d5 = {&log, 5};

    am_task_id_t t = tu_sleep_for(loop, 1.0);
    am_task_id_t f = tu_spawn_sleep(loop, 0, 2.0, 1, AM_ETASKFAIL, 0);
    assert_int_equal(am_task_add_done_cb(loop, t, on_done, &d1), 0);
    assert_int_equal(am_task_add_done_cb(loop, t, on_done, &d2), 0);
    assert_int_equal(am_task_add_done_cb(loop, t, on_done, &d3), 0);
    assert_int_equal(am_task_add_done_cb(loop, f, on_done, &d4), 0);
    assert_int_equal(am_task_add_done_cb(loop, 0, on_done, &d1), AM_EINVAL);
    assert_int_equal(am_task_add_done_cb(loop, 77, on_done, &d1), AM_EINVAL);
    assert_int_equal(am_task_add_done_cb(loop, t, NULL, NULL), AM_EINVAL);

    tu_run_idle(&e->uv);
    /* each runs once, after the end, in the order they were added (asyncio) */
    assert_int_equal(log.n, 4);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(log.tag[i], (int)i + 1);
        assert_int_equal(log.id[i], t);
        assert_int_equal(log.at[i], S(1.0));
        assert_int_equal(log.state[i], AM_TASK_DONE);
    }
    assert_int_equal(log.tag[3], 4);
    assert_int_equal(log.id[3], f);
    assert_int_equal(log.at[3], S(2.0));
    assert_int_equal(log.state[3], AM_TASK_FAILED);

    /* on a task that has ended: at the next turn, not synchronously */
    assert_int_equal(am_task_add_done_cb(loop, t, on_done, &d5), 0);
    assert_int_equal(log.n, 4);
    tu_run_idle(&e->uv);
    assert_int_equal(log.n, 5);
    assert_int_equal(log.tag[4], 5);
    assert_int_equal(log.at[4], S(2.0));
}

/* ---- names and accessors ---- */

static void test_names(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    int net = am_group_add(loop, "net");
    am_task_id_t t1 = tu_sleep_for(loop, 1.0);
    am_task_id_t n1 = tu_spawn_sleep(loop, (uint16_t)net, 1.0, 1, 0, 0);
    am_task_id_t t2 = tu_sleep_for(loop, 1.0);
    am_task_id_t n2 = tu_spawn_sleep(loop, (uint16_t)net, 1.0, 1, 0, 0);
    am_task_id_t ids[2] = {t1, t2};
    am_task_id_t g = am_gather(loop, ids, 2, 0, NULL, NULL);
    am_task_id_t wf = am_wait_for(loop, n1, S(5.0), NULL, NULL);
    am_task_id_t sh = am_shield(loop, n2);

    char buf[64];
    assert_int_equal(am_task_name(loop, t1, buf, sizeof buf), 7);
    assert_string_equal(buf, "tasks-1");
    am_task_name(loop, t2, buf, sizeof buf);
    assert_string_equal(buf, "tasks-2");
    am_task_name(loop, n1, buf, sizeof buf);
    assert_string_equal(buf, "net-1");
    am_task_name(loop, n2, buf, sizeof buf);
    assert_string_equal(buf, "net-2");
    char want[32];
    snprintf(want, sizeof want, "gather#%u", g);
    am_task_name(loop, g, buf, sizeof buf);
    assert_string_equal(buf, want);
    snprintf(want, sizeof want, "wait_for#%u", wf);
    am_task_name(loop, wf, buf, sizeof buf);
    assert_string_equal(buf, want);
    snprintf(want, sizeof want, "shield#%u", sh);
    am_task_name(loop, sh, buf, sizeof buf);
    assert_string_equal(buf, want);
    am_task_name(loop, 500, buf, sizeof buf);
    assert_string_equal(buf, "?");
    /* truncated like snprintf: the return is the full length */
    char small[4];
    assert_int_equal(am_task_name(loop, n1, small, sizeof small), 5);
    assert_string_equal(small, "net");

    assert_int_equal(am_task_count(loop), 7); /* nodes are tasks too */
    assert_true(am_task_valid(loop, 7));
    assert_false(am_task_valid(loop, 8));
    assert_false(am_task_valid(loop, 0));
    assert_int_equal(am_task_kind(loop, t1), AM_KIND_SLEEP);
    assert_int_equal(am_task_kind(loop, g), AM_KIND_GATHER);
    assert_int_equal(am_task_kind(loop, wf), AM_KIND_WAIT_FOR);
    assert_int_equal(am_task_kind(loop, sh), AM_KIND_SHIELD);
    assert_false(am_task_is_node(loop, t1));
    assert_true(am_task_is_node(loop, g));
    assert_int_equal(am_task_state(loop, g), AM_TASK_RUNNING); /* nodes start at once */
    assert_int_equal(am_task_error(loop, 500), AM_ENOENT);

    static const char *const states[] = {"pending", "running",   "done",
                                         "failed",  "cancelled", "timed_out"};
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        assert_string_equal(am_task_state_name((am_task_state_t)s), states[s]);
    assert_string_equal(am_task_state_name(AM_TASK_NSTATES), "?");
    static const char *const kinds[] = {"sleep",        "program",  "extern", "gather",   "wait",
                                        "as_completed", "wait_for", "shield", "taskgroup"};
    for (int k = 0; k < AM_KIND_NKINDS; k++)
        assert_string_equal(am_task_kind_name((am_task_kind_t)k), kinds[k]);
    assert_string_equal(am_task_kind_name(AM_KIND_NKINDS), "?");
    tu_run_idle(&e->uv);
}

/* ---- what an observer sees ---- */

typedef struct want_ev_s {
    am_event_type_t type;
    int task; /* index into ids[] */
    am_task_state_t state;
    double at;
    uint32_t n;
    int err;
} want_ev_t;

static void test_observer_event_order(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    rec_t rec = {0};
    am_loop_set_observer(loop, record, &rec);

    am_task_id_t ids[4];
    ids[0] = tu_spawn_sleep(loop, 0, 1.0, 2, 0, 0);      /* A: two steps */
    ids[1] = tu_spawn_sleep(loop, 0, 0.5, 1, AM_EIO, 0); /* B: fails */
    ids[2] = tu_sleep_for(loop, 1.0);                    /* C: cancelled while pending */
    assert_int_equal(am_task_cancel(loop, ids[2]), 0);
    ids[3] = am_gather(loop, ids, 2, 1, NULL, NULL); /* G over A and B */
    assert_int_not_equal(ids[3], 0);
    assert_int_equal(am_task_set_timeout(loop, ids[0], S(5.0)), 0);
    tu_run_idle(&e->uv);

    static const want_ev_t want[] = {
        {AM_EV_CREATED, 0, AM_TASK_PENDING, 0.0, 0, 0},
        {AM_EV_CREATED, 1, AM_TASK_PENDING, 0.0, 0, 0},
        {AM_EV_CREATED, 2, AM_TASK_PENDING, 0.0, 0, 0},
        {AM_EV_NODE_START, 3, AM_TASK_RUNNING, 0.0, 0, 0},
        {AM_EV_DEADLINE, 0, AM_TASK_PENDING, 0.0, 0, 0},
        {AM_EV_STARTED, 0, AM_TASK_RUNNING, 0.0, 0, 0},
        {AM_EV_STARTED, 1, AM_TASK_RUNNING, 0.0, 0, 0},
        {AM_EV_ENDED, 2, AM_TASK_CANCELLED, 0.0, 0, AM_ECANCELLED},
        {AM_EV_PROGRESS, 0, AM_TASK_RUNNING, 0.5, 1, 0},
        {AM_EV_ENDED, 1, AM_TASK_FAILED, 0.5, 0, AM_EIO},
        {AM_EV_ENDED, 0, AM_TASK_DONE, 1.0, 2, 0},
        {AM_EV_NODE_END, 3, AM_TASK_DONE, 1.0, 0, 0},
    };
    size_t nwant = sizeof want / sizeof want[0];
    assert_int_equal(rec.n, nwant);
    for (size_t i = 0; i < nwant; i++) {
        const am_event_t *ev = &rec.ev[i];
        assert_int_equal(ev->type, want[i].type);
        assert_int_equal(ev->task, ids[want[i].task]);
        assert_int_equal(ev->state, want[i].state);
        assert_int_equal(ev->time, S(want[i].at));
        assert_int_equal(ev->n, want[i].n);
        assert_int_equal(ev->err, want[i].err);
        assert_int_equal(ev->kind, am_task_kind(loop, ev->task));
        assert_int_equal(ev->group, 0);
    }
    /* the observer can be removed */
    am_loop_set_observer(loop, NULL, NULL);
    tu_sleep_for(loop, 1.0);
    tu_run_idle(&e->uv);
    assert_int_equal(rec.n, nwant);
}

/* ---- real time ---- */

static void test_real_time_speed(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    uint64_t t0 = uv_hrtime();
    assert_int_equal(am_loop_set_speed(loop, 50.0), 0);
    assert_true(am_loop_speed(loop) == 50.0);

    am_task_id_t ids[3];
    ids[0] = tu_spawn_sleep(loop, 0, 0.5, 5, 0, 1);
    ids[1] = tu_spawn_sleep(loop, 0, 0.5, 1, 0, 2);
    ids[2] = tu_spawn_sleep(loop, 0, 0.25, 1, AM_EIO, 0);
    am_task_id_t g = am_gather(loop, ids, 3, 1, NULL, NULL);
    tu_run_idle(&e->uv);
    uint64_t wall = uv_hrtime() - t0;

    static const double dur[] = {0.5, 0.5, 0.25};
    am_time_t last = 0;
    for (size_t i = 0; i < 3; i++) {
        assert_true(am_task_is_final(loop, ids[i]));
        am_time_t s = am_task_started(loop, ids[i]);
        assert_true(s >= 0);
        /* virtual durations are exact whatever the real timer's jitter */
        assert_int_equal(am_task_ended(loop, ids[i]) - s, S(dur[i]));
        if (am_task_ended(loop, ids[i]) > last) last = am_task_ended(loop, ids[i]);
    }
    assert_int_equal(am_task_state(loop, ids[0]), AM_TASK_DONE);
    uint32_t n;
    am_task_progress(loop, ids[0], &n, NULL);
    assert_int_equal(n, 5);
    assert_int_equal(am_task_state(loop, ids[2]), AM_TASK_FAILED);
    assert_int_equal(am_task_state(loop, g), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, g), last);
    assert_true(am_loop_now(loop) >= last); /* real-time clock keeps running */
    /* time was not jumped: 0.5 virtual s at speed 50 take at least 10 ms */
    assert_true(wall >= 10ull * 1000 * 1000 - 1000);
}

static void test_real_time_pause_and_switch(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;

    /* jump to t=100, then real time at speed 50 from a callout */
    am_task_id_t t = tu_sleep_for(loop, 100.5);
    action_t speed = {.speed = 50.0};
    at(loop, 100.0, do_set_speed, &speed);
    uint64_t t0 = uv_hrtime();
    tu_run_idle(&e->uv);
    uint64_t wall = uv_hrtime() - t0;
    assert_int_equal(speed.rc, 0);
    assert_int_equal(speed.when, S(100.0));
    assert_int_equal(am_task_ended(loop, t), S(100.5));
    assert_true(wall >= 10ull * 1000 * 1000 - 1000); /* the last 0.5 s ran in real time */

    /* wait_for in real time: the inner task ends at the node's deadline */
    am_time_t base = am_loop_now(loop);
    am_task_id_t inner = tu_sleep_for(loop, 0.5);
    am_task_id_t wf = am_wait_for(loop, inner, S(0.25), NULL, NULL);
    am_time_t dl = am_task_deadline(loop, wf);
    assert_true(dl >= base + S(0.25));
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, inner), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, inner), dl);
    assert_int_equal(am_task_state(loop, wf), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(loop, wf), dl);

    /* pause in real time: the clock freezes; a step jumps to the next event */
    base = am_loop_now(loop);
    am_task_id_t p = tu_sleep_for(loop, 10.0); /* 200 ms of real margin after the pause */
    action_t pause = {0};
    assert_true(am_loop_call_at(loop, base + S(0.1), do_pause, &pause) > 0);
    tu_run_idle(&e->uv);
    assert_int_equal(pause.ran, 1);
    assert_int_equal(am_loop_paused(loop), 1);
    am_time_t frozen = am_loop_now(loop);
    assert_true(frozen >= base + S(0.1));
    uv_sleep(20); /* 1 s of virtual time if the clock were running */
    assert_int_equal(am_loop_now(loop), frozen);
    assert_int_equal(am_task_state(loop, p), AM_TASK_RUNNING);
    assert_int_equal(am_loop_step(loop), 1);
    assert_int_equal(am_task_state(loop, p), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, p) - am_task_started(loop, p), S(10.0));
    assert_int_equal(am_loop_now(loop), am_task_ended(loop, p));
}

static void stall(am_loop_t *loop, void *data)
{
    (void)loop;
    (void)data;
    uv_sleep(40); /* 2 virtual seconds at speed 50: the next timer fires late */
}

static void test_real_time_pause_when_late(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    assert_int_equal(am_loop_set_speed(loop, 50.0), 0);
    am_time_t base = am_loop_now(loop);
    am_task_id_t t = tu_sleep_for(loop, 1.0);
    action_t pause = {0};
    assert_true(am_loop_call_at(loop, base + S(0.1), stall, NULL) > 0);
    assert_true(am_loop_call_at(loop, base + S(0.2), do_pause, &pause) > 0);
    tu_run_idle(&e->uv);
    /* the loop is late past t's end when the pause runs: the pause still wins */
    assert_int_equal(pause.ran, 1);
    assert_int_equal(am_loop_paused(loop), 1);
    assert_int_equal(am_task_state(loop, t), AM_TASK_RUNNING);
    am_loop_pause(loop, 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_task_state(loop, t), AM_TASK_DONE);
    assert_int_equal(am_task_ended(loop, t) - am_task_started(loop, t), S(1.0));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tu_loop_setup, tu_loop_teardown)
    const struct CMUnitTest tests[] = {
        T(test_loop_basics),
        T(test_virtual_clock_jumps),
        T(test_pause_and_step),
        T(test_pause_from_callout),
        T(test_callouts),
        T(test_sleep_steps_and_progress),
        T(test_planned_failure),
        T(test_cancel_pending),
        T(test_cancel_running),
        T(test_deadlines),
        T(test_group_cancel),
        T(test_cancel_all),
        T(test_done_callbacks),
        T(test_names),
        T(test_observer_event_order),
        T(test_real_time_speed),
        T(test_real_time_pause_and_switch),
        T(test_real_time_pause_when_late),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
