/* test_post_progress.c — progress reported from other threads: a thread
 * posting to an extern task, and an executor step's job reporting its
 * chunks, both applied on the loop thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>

#include "asyncmon/monitor.h"
#include "asyncmon/program.h"

typedef struct {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    uint32_t max_n, max_total, progress_events;
    am_task_id_t watched;
} env_t;

static void observer(void *ctx, const am_event_t *ev)
{
    env_t *e = ctx;
    if (ev->type != AM_EV_PROGRESS || ev->task != e->watched) return;
    e->progress_events++;
    if (ev->n > e->max_n) e->max_n = ev->n;
    if (ev->total > e->max_total) e->max_total = ev->total;
}

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    uv_loop_init(&e->uv);
    e->loop = am_loop_new(&e->uv);
    e->mon = am_monitor_new(e->loop, 64);
    am_monitor_set_listener(e->mon, observer, e);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    char why[256];
    assert_int_equal(am_monitor_check(e->mon, why, sizeof why), 0);
    am_monitor_free(e->mon);
    am_loop_free(e->loop);
    uv_run(&e->uv, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&e->uv), 0);
    free(e);
    return 0;
}

/* ---- a thread posting to an extern task ---- */

typedef struct {
    env_t *e;
    am_task_id_t id;
    uv_thread_t thread;
    uv_async_t done; /* tells the loop thread the poster has finished */
} poster_t;

static void poster_main(void *arg)
{
    poster_t *p = arg;
    for (uint32_t k = 1; k <= 50; k++)
        am_task_post_progress(p->e->loop, p->id, k, 50);
    uv_async_send(&p->done);
}

static void on_posted(uv_async_t *h)
{
    poster_t *p = h->data;
    uv_thread_join(&p->thread);
    uv_close((uv_handle_t *)h, NULL);
    /* applied by now or still in the mailbox: finish after the loop's turn */
}

static void start_poster(am_loop_t *loop, am_task_id_t id, void *ctx)
{
    (void)loop;
    poster_t *p = ctx;
    p->id = id;
    uv_async_init(&p->e->uv, &p->done, on_posted);
    p->done.data = p;
    assert_int_equal(uv_thread_create(&p->thread, poster_main, p), 0);
}

static const am_extern_ops_t poster_ops = {start_poster, NULL};

static void finish_later(am_loop_t *loop, void *data)
{
    poster_t *p = data;
    uint32_t n, total;
    am_task_progress(loop, p->id, &n, &total);
    if (n < 50) { /* the last post not applied yet: look again shortly */
        am_loop_call_at(loop, am_loop_now(loop) + AM_USEC(0.01), finish_later, p);
        return;
    }
    am_task_finish(loop, p->id, AM_TASK_DONE, 0);
}

static void test_thread_posts_to_extern(void **state)
{
    env_t *e = *state;
    poster_t p = {.e = e};
    am_loop_set_speed(e->loop, 1.0);
    am_task_id_t id = am_spawn_extern(e->loop, 0, "poster", &poster_ops, &p);
    e->watched = id;
    am_loop_call_at(e->loop, AM_USEC(0.01), finish_later, &p);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_DONE);
    /* the latest post wins: whatever was coalesced, the task reached 50/50 */
    assert_int_equal(e->max_n, 50);
    assert_int_equal(e->max_total, 50);
    assert_true(e->progress_events >= 1 && e->progress_events <= 50);
    /* a sleep task is not updated from outside */
    am_sleep_spec_t spec = {AM_USEC(0.01), 1, 0, 0};
    am_task_id_t s = am_spawn_sleep(e->loop, 0, &spec);
    assert_int_equal(am_task_post_progress(e->loop, s, 5, 9), 0);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    uint32_t n, total;
    am_task_progress(e->loop, s, &n, &total);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
}

/* ---- an executor step's progress ---- */

static void test_executor_reports_chunks(void **state)
{
    env_t *e = *state;
    am_op_t ops[4];
    size_t nops;
    char err[256];
    assert_int_equal(am_program_parse(am_loop_obj_lookup, e->loop, "executor fixed 0.2", ops, 4,
                                      &nops, err, sizeof err),
                     0);
    int prog = am_program_new(e->loop, ops, nops, 1);
    am_program_ops_free(ops, nops);
    am_loop_set_speed(e->loop, 1.0);
    am_task_id_t id = am_spawn_program(e->loop, 0, prog);
    e->watched = id;
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(am_task_state(e->loop, id), AM_TASK_DONE);
    /* chunks of the job were seen as n/10 while it ran */
    assert_int_equal(e->max_total, 10);
    assert_true(e->max_n >= 1 && e->max_n <= 10);
    assert_true(e->progress_events >= 1);
    /* and the task ends with its iteration count again */
    uint32_t n, total;
    am_task_progress(e->loop, id, &n, &total);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_thread_posts_to_extern, setup, teardown),
        cmocka_unit_test_setup_teardown(test_executor_reports_chunks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
