/* test_extern.c — tasks driven from outside the runtime (am_spawn_extern):
 * start and cancel callbacks, am_task_finish, progress, deadlines, names,
 * and the monitor's counts for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "asyncmon/combinators.h"
#include "asyncmon/monitor.h"
#include "testutil.h"

typedef struct {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    int starts, cancels, last_timeout;
    am_time_t started_at;
    int finish_on_cancel; /* end the task from the cancel callback */
} env_t;

static void on_start(am_loop_t *loop, am_task_id_t id, void *ctx)
{
    env_t *e = ctx;
    e->starts++;
    e->started_at = am_loop_now(loop);
    (void)id;
}

static void on_cancel(am_loop_t *loop, am_task_id_t id, void *ctx, int timeout)
{
    env_t *e = ctx;
    e->cancels++;
    e->last_timeout = timeout;
    if (e->finish_on_cancel)
        am_task_finish(loop, id, timeout ? AM_TASK_TIMED_OUT : AM_TASK_CANCELLED,
                       timeout ? AM_ETIMEOUT : AM_ECANCELLED);
}

static const am_extern_ops_t ops = {on_start, on_cancel};

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    if (!e) return -1;
    tu_loop_open(&e->uv, &e->loop);
    e->mon = am_monitor_new(e->loop, 64);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    char why[256];
    assert_int_equal(am_monitor_check(e->mon, why, sizeof why), 0);
    am_monitor_free(e->mon);
    assert_int_equal(tu_loop_close(&e->uv, e->loop), 0);
    free(e);
    return 0;
}

static void finish_cb(am_loop_t *loop, void *data)
{
    am_task_id_t id = (am_task_id_t)(uintptr_t)data;
    am_task_set_progress(loop, id, 3, 3);
    am_task_finish(loop, id, AM_TASK_DONE, 42);
}

static void test_start_progress_finish(void **state)
{
    env_t *e = *state;
    am_task_id_t id = am_spawn_extern(e->loop, 0, "job one", &ops, e);
    assert_true(id > 0);
    assert_int_equal(am_task_kind(e->loop, id), AM_KIND_EXTERN);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_PENDING);
    assert_int_equal(e->starts, 0); /* starts at the loop's next turn, as a created task does */
    am_loop_call_at(e->loop, AM_USEC(2.0), finish_cb, (void *)(uintptr_t)id);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(e->starts, 1);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_DONE);
    assert_int_equal(am_task_result(e->loop, id), 42);
    assert_int_equal(am_task_ended(e->loop, id), AM_USEC(2.0));
    uint32_t n, total;
    am_task_progress(e->loop, id, &n, &total);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    char name[64];
    am_task_name(e->loop, id, name, sizeof name);
    assert_string_equal(name, "job one");
    assert_ptr_equal(am_task_extern_ctx(e->loop, id), e);
    assert_int_equal(am_task_finish(e->loop, id, AM_TASK_FAILED, AM_ETASKFAIL), AM_ESTATE);
    assert_int_equal(am_monitor_counts(e->mon)->by_state[AM_TASK_DONE], 1);
    assert_int_equal(am_monitor_events(e->mon, AM_EV_PROGRESS), 1);
}

static void cancel_cb(am_loop_t *loop, void *data)
{
    assert_int_equal(am_task_cancel(loop, (am_task_id_t)(uintptr_t)data), 0);
}

static void test_cancel_asks_owner(void **state)
{
    env_t *e = *state;
    am_task_id_t id = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    am_loop_call_at(e->loop, AM_USEC(1.0), cancel_cb, (void *)(uintptr_t)id);
    /* the owner ends it later, as a process that takes time to exit would */
    am_loop_call_at(e->loop, AM_USEC(1.5), finish_cb, (void *)(uintptr_t)id);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(e->cancels, 1);
    assert_int_equal(e->last_timeout, 0);
    /* still running until its owner said so: it finished done at 1.5 s */
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_DONE);
    assert_int_equal(am_task_ended(e->loop, id), AM_USEC(1.5));
    char name[64];
    am_task_name(e->loop, id, name, sizeof name);
    assert_string_equal(name, "tasks-1");
}

static void test_cancel_finished_by_owner(void **state)
{
    env_t *e = *state;
    e->finish_on_cancel = 1;
    am_task_id_t id = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    am_loop_call_at(e->loop, AM_USEC(1.0), cancel_cb, (void *)(uintptr_t)id);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_CANCELLED);
    assert_int_equal(am_task_error(e->loop, id), AM_ECANCELLED);
    assert_int_equal(am_task_ended(e->loop, id), AM_USEC(1.0));
}

static void test_cancel_before_start(void **state)
{
    env_t *e = *state;
    am_task_id_t id = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    assert_int_equal(am_task_cancel(e->loop, id), 0);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(e->starts, 0);
    assert_int_equal(e->cancels, 0);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_CANCELLED);
    assert_int_equal(am_monitor_counts(e->mon)->by_state[AM_TASK_CANCELLED], 1);
}

static void test_deadline(void **state)
{
    env_t *e = *state;
    e->finish_on_cancel = 1;
    am_task_id_t id = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    assert_int_equal(am_task_set_timeout(e->loop, id, AM_USEC(3.0)), 0);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(e->last_timeout, 1);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(e->loop, id), AM_USEC(3.0));
}

static void test_gather_of_externs(void **state)
{
    env_t *e = *state;
    am_task_id_t ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    am_task_id_t g = am_gather(e->loop, ids, 3, 0, NULL, NULL);
    for (int i = 0; i < 3; i++)
        am_loop_call_at(e->loop, AM_USEC(1.0 + i), finish_cb, (void *)(uintptr_t)ids[2 - i]);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(am_task_state(e->loop, g), AM_TASK_DONE);
    assert_int_equal(am_task_ended(e->loop, g), AM_USEC(3.0));
    const am_task_id_t *order;
    assert_int_equal(am_gather_completed(e->loop, g, &order), 3);
    assert_int_equal(order[0], ids[2]);
    assert_int_equal(order[2], ids[0]);
}

static void test_bad_arguments(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_spawn_extern(e->loop, 0, NULL, NULL, NULL), 0);
    assert_int_equal(am_spawn_extern(e->loop, 99, NULL, &ops, e), 0);
    am_sleep_spec_t spec = {AM_USEC(1.0), 1, 0, 0};
    am_task_id_t s = am_spawn_sleep(e->loop, 0, &spec);
    assert_int_equal(am_task_finish(e->loop, s, AM_TASK_DONE, 0), AM_EINVAL);
    assert_int_equal(am_task_set_progress(e->loop, s, 1, 1), AM_EINVAL);
    assert_null(am_task_extern_ctx(e->loop, s));
    am_task_id_t x = am_spawn_extern(e->loop, 0, NULL, &ops, e);
    assert_int_equal(am_task_finish(e->loop, x, AM_TASK_RUNNING, 0), AM_EINVAL);
    assert_int_equal(am_task_finish(e->loop, x, AM_TASK_DONE, 0), 0);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(e->starts, 0); /* finished before it started */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_progress_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_asks_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_finished_by_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_of_externs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
