/* test_tour_format.c — the scenario-format additions of the teaching tour:
 * the [code] section (the Python snippet with '|' lines, the phase and
 * group.NAME lines, every mistake as "FILE:LINE: message"), title.zh and
 * narration.zh, and a group's `sequential` and `cancel_at` keys; the rule
 * for which snippet lines are executing (am_code_active); and the driver
 * running sequential groups one task after the other (total = sum of the
 * durations, beside a concurrent group whose total is the longest task) and
 * cancelling a group at its cancel_at time. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asyncmon/driver.h"
#include "asyncmon/error.h"
#include "asyncmon/monitor.h"
#include "asyncmon/queue.h"
#include "asyncmon/scenario.h"
#include "testutil.h"

static int load(const char *text, am_scenario_t *sc, char *err, size_t size)
{
    const char *path = tu_write_temp("tour", text);
    int rc = am_scenario_load(path, sc, err, size);
    tu_remove_temp(path);
    /* messages start with the temporary path: keep "LINE: message" */
    const char *colon = strchr(err, ':');
    if (rc && colon) memmove(err, colon + 1, strlen(colon + 1) + 1);
    return rc;
}

#define G "[group.a]\ncount = 2\nduration = 1\n"

static void test_code_section(void **state)
{
    (void)state;
    am_scenario_t sc;
    char err[512] = "";
    const char *text = "[scenario]\ntitle = t\ntitle.zh = 中文标题\nspeed = 600\n"
                       "narration.zh = 第一行，\n    第二行 gather\n    调用；\n    pending 集合\n "
                       "   set\n    了。\n" G "[group.b]\ncount = 1\n"
                       "duration = 2\nsequential = yes\ncancel_at = 1.5\n"
                       "[code]\npython = | async def main():\n"
                       "    |     await a()\n    |     x = 1\n"
                       "    |\n    |     print(x)\n"
                       "start = 1\nawait = 2\nend = 5\ngroup.b = 3\nended.b = 4\ngroup.a = 2\n";
    int rc = load(text, &sc, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_string_equal(sc.title_zh, "中文标题");
    assert_true(sc.speed == 600);
    /* a line break between Chinese characters or after full-width punctuation
     * joins with nothing (a space would show); next to Latin text it stays a
     * break, which wraps as a space */
    assert_string_equal(sc.narration_zh, "第一行，第二行 gather\n调用；pending 集合\nset\n了。");
    assert_int_equal(sc.code.nlines, 5);
    size_t len;
    const char *l = am_code_line(&sc.code, 1, &len);
    assert_int_equal(len, strlen("async def main():"));
    assert_memory_equal(l, "async def main():", len);
    l = am_code_line(&sc.code, 2, &len);
    assert_memory_equal(l, "    await a()", len); /* the indentation after "| " is kept */
    assert_int_equal(len, 13);
    l = am_code_line(&sc.code, 4, &len);
    assert_int_equal(len, 0); /* "|" alone: an empty line */
    l = am_code_line(&sc.code, 5, &len);
    assert_memory_equal(l, "    print(x)", len);
    assert_null(am_code_line(&sc.code, 6, &len));
    assert_null(am_code_line(&sc.code, 0, &len));
    assert_int_equal(sc.code.phase_line[AM_PHASE_START], 1);
    assert_int_equal(sc.code.phase_line[AM_PHASE_AWAIT], 2);
    assert_int_equal(sc.code.phase_line[AM_PHASE_AFTER], 0);
    assert_int_equal(sc.code.phase_line[AM_PHASE_END], 5);
    assert_int_equal(sc.code.group_line[0], 2);
    assert_int_equal(sc.code.group_line[1], 3);
    assert_int_equal(sc.code.ended_line[1], 4);
    assert_int_equal(sc.code.ended_line[0], 0);
    assert_int_equal(sc.groups[0].sequential, 0);
    assert_true(sc.groups[0].cancel_at < 0);
    assert_int_equal(sc.groups[1].sequential, 1);
    assert_true(sc.groups[1].cancel_at == 1.5);
    am_scenario_free(&sc);
    assert_null(sc.code.text);
    assert_null(sc.narration_zh);
}

static void test_code_active(void **state)
{
    (void)state;
    am_scenario_code_t c = {0};
    am_code_state_t st = {0};
    assert_int_equal(am_code_active(&c, &st), 0); /* no snippet */
    for (int i = 0; i < 6; i++)
        assert_int_equal(am_code_append(&c, "x"), 0);
    c.phase_line[AM_PHASE_START] = 1;
    c.phase_line[AM_PHASE_AWAIT] = 3;
    c.phase_line[AM_PHASE_AFTER] = 4;
    c.group_line[0] = 2;
    c.group_line[2] = 5;
    assert_int_equal(am_code_active(&c, &st), 1u << 0); /* before the combinator */
    st.groups_active = 1u << 2;
    assert_int_equal(am_code_active(&c, &st), (1u << 0) | (1u << 4));
    st.node = 1; /* `await asyncio.wait(...)` in progress, group 0 and 2 working */
    st.groups_active = (1u << 0) | (1u << 2);
    assert_int_equal(am_code_active(&c, &st), (1u << 2) | (1u << 1) | (1u << 4));
    st.node = 2; /* returned: the line after it */
    st.groups_active = 0;
    assert_int_equal(am_code_active(&c, &st), 1u << 3);
    c.ended_line[2] = 6; /* group 2 has ended: its ended line, not its group line */
    st.groups_ended = 1u << 2;
    assert_int_equal(am_code_active(&c, &st), (1u << 3) | (1u << 5));
    st.groups_active = 1u << 2; /* working again (tasks added): its group line */
    assert_int_equal(am_code_active(&c, &st), (1u << 3) | (1u << 4));
    st.groups_ended = st.groups_active = 0;
    c.ended_line[2] = 0;
    st.finished = 1; /* no `end`: `after` stays */
    assert_int_equal(am_code_active(&c, &st), 1u << 3);
    c.phase_line[AM_PHASE_END] = 6;
    st.groups_active = 1; /* groups are ignored once the run is over */
    assert_int_equal(am_code_active(&c, &st), 1u << 5);
    am_code_free(&c);
}

typedef struct bad_s {
    const char *text, *msg;
} bad_t;

static void test_code_errors(void **state)
{
    (void)state;
    static const bad_t cases[] = {
        {G "[code]\nstart = 1\n", "4: [code]: missing required key \"python\""},
        {G "[code]\npython = async def f():\n",
         "5: python: expected a line starting with \"|\" (\"| code\"), got \"async def f():\""},
        {G "[code]\npython = | a\n    b\n",
         "6: python: expected a line starting with \"|\" (\"| code\"), got \"b\""},
        {G "[code]\npython = | a\nawait = 2\n",
         "6: await: line 2 is past the end of the python snippet (1 lines)"},
        {G "[code]\npython = | a\nawait = x\n",
         "6: await: expected a line number of the python snippet (1, 2, ...), got \"x\""},
        {G "[code]\npython = | a\nawait = 0\n",
         "6: await: expected a line number of the python snippet (1, 2, ...), got \"0\""},
        {G "[code]\npython = | a\ngroup.zz = 1\n", "6: group.zz: no [group.zz] in this file"},
        {G "[code]\npython = | a\ngroup.a = 3\n",
         "6: group.a: line 3 is past the end of the python snippet (1 lines)"},
        {G "[code]\npython = | a\ngroup.a = 1\ngroup.a = 1\n",
         "7: duplicate key \"group.a\" in [code] (first on line 6)"},
        {G "[code]\npython = | a\nstart = 1\nstart = 1\n",
         "7: duplicate key \"start\" in [code] (first on line 6)"},
        {G "[code]\npython = | a\nbogus = 1\n",
         "6: unknown key \"bogus\" in [code]; expected start, await, after, end or python, "
         "group.NAME, ended.NAME or step.NAME.K"},
        {G "[code]\npython = | a\nended.zz = 1\n", "6: ended.zz: no [group.zz] in this file"},
        {G "[code]\npython = | a\nended.a = 2\n",
         "6: ended.a: line 2 is past the end of the python snippet (1 lines)"},
        {G "[code]\npython = | a\nended.a = 1\nended.a = 1\n",
         "7: duplicate key \"ended.a\" in [code] (first on line 6)"},
        {G "[code]\npython = | a\n[code]\n", "6: duplicate section [code] (first on line 4)"},
        {G "sequential = maybe\n",
         "4: sequential: expected true or false (or yes/no, on/off, 1/0), got \"maybe\""},
        {G "cancel_at = -1\n", "4: cancel_at: expected seconds >= 0, got \"-1\""},
        {"[scenario]\nspeed = 0\n" G,
         "2: speed: expected a speed from 0.1 to 1000000, or max, got \"0\""},
        {G "[scenario]\nnarration.zh = a\nnarration.zh = b\n",
         "6: duplicate key \"narration.zh\" in [scenario] (first on line 5)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        am_scenario_t sc;
        char err[512] = "";
        print_message("case %zu\n", i);
        assert_int_not_equal(load(cases[i].text, &sc, err, sizeof err), 0);
        assert_string_equal(err, cases[i].msg);
    }
}

/* ---- the driver: sequential groups and cancel_at ---- */

typedef struct run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *d;
    am_scenario_t sc;
    int finished;
} run_t;

static void on_finish(am_driver_t *d, void *data)
{
    (void)d;
    ((run_t *)data)->finished++;
}

/* Load text and start it on a watched loop (jump mode); stop_at > 0 stops it then. */
static void run_start(run_t *r, const char *text, am_time_t stop_at)
{
    char err[512] = "";
    memset(r, 0, sizeof *r);
    assert_int_equal(load(text, &r->sc, err, sizeof err), 0);
    assert_int_equal(tu_watched_open(&r->uv, &r->loop, &r->mon, NULL, NULL), 0);
    r->d = am_driver_new(r->loop, &r->sc, 7, on_finish, r);
    assert_non_null(r->d);
    assert_int_equal(am_driver_start(r->d), 0);
    if (stop_at > 0) assert_int_equal(am_driver_stop_at(r->d, stop_at), 0);
    uv_run(&r->uv, UV_RUN_DEFAULT);
    assert_int_equal(r->finished, 1);
    tu_assert_monitor_ok(r->mon);
}

static void run(run_t *r, const char *text)
{
    run_start(r, text, 0);
}

static void run_free(run_t *r)
{
    am_driver_free(r->d);
    assert_int_equal(tu_watched_close(&r->uv, r->loop, r->mon), 0);
    am_scenario_free(&r->sc);
}

static void test_sequential_vs_concurrent(void **state)
{
    (void)state;
    static run_t r;
    run(&r, "[scenario]\ncombinator = gather\n"
            "[group.one_by_one]\ncount = 5\nduration = uniform 1 3\nsequential = true\n"
            "[group.tasks]\ncount = 5\nduration = uniform 1 3\n");
    const am_group_meter_t *seq = am_monitor_group(r.mon, am_driver_group(r.d, 0));
    const am_group_meter_t *con = am_monitor_group(r.mon, am_driver_group(r.d, 1));
    assert_int_equal(seq->counts.by_state[AM_TASK_DONE], 5);
    assert_int_equal(con->counts.by_state[AM_TASK_DONE], 5);
    /* one after the other: the group's span is the sum of its tasks' times */
    double seq_span = AM_SECONDS(seq->last_end - seq->first_start);
    assert_true(seq_span > 5.0 && seq_span < 15.0);
    assert_true(seq_span - seq->busy_seconds < 1e-3 && seq_span - seq->busy_seconds > -1e-3);
    /* concurrently: the span is the longest task, far below the sum */
    double con_span = AM_SECONDS(con->last_end - con->first_start);
    assert_true(con_span <= 3.0 + 1e-6);
    assert_true(con_span < con->busy_seconds / 2);
    /* the gather awaited only the concurrent group; the run awaited both */
    assert_true(am_driver_node_ended(r.d) == con->last_end);
    assert_true(am_driver_finished_at(r.d) == seq->last_end);
    run_free(&r);
}

static void test_cancel_at(void **state)
{
    (void)state;
    static run_t r;
    run(&r, "[group.long]\ncount = 1\nduration = 10\ncancel_at = 5\n"
            "[group.short]\ncount = 2\nduration = 2\ncancel_at = 5\n");
    const am_group_meter_t *lg = am_monitor_group(r.mon, am_driver_group(r.d, 0));
    const am_group_meter_t *sh = am_monitor_group(r.mon, am_driver_group(r.d, 1));
    assert_int_equal(lg->counts.by_state[AM_TASK_CANCELLED], 1);
    assert_true(lg->last_end == S(5));
    assert_int_equal(sh->counts.by_state[AM_TASK_DONE], 2); /* ended before: untouched */
    assert_true(am_driver_finished_at(r.d) == S(5));
    run_free(&r);
}

/* Tasks added by hand (the dashboard's `a`) are cancelled at the group's cancel_at too. */
static void test_cancel_at_added(void **state)
{
    (void)state;
    static run_t r;
    char err[512] = "";
    memset(&r, 0, sizeof r);
    assert_int_equal(
        load("[group.long]\ncount = 1\nduration = 10\ncancel_at = 5\n", &r.sc, err, sizeof err), 0);
    assert_int_equal(tu_watched_open(&r.uv, &r.loop, &r.mon, NULL, NULL), 0);
    r.d = am_driver_new(r.loop, &r.sc, 7, on_finish, &r);
    assert_non_null(r.d);
    assert_int_equal(am_driver_start(r.d), 0);
    assert_int_equal(am_driver_add_tasks(r.d, 0, 2), 2);
    uv_run(&r.uv, UV_RUN_DEFAULT);
    assert_int_equal(r.finished, 1);
    const am_counts_t *c = am_monitor_counts(r.mon);
    assert_int_equal(c->created, 3);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 3);
    assert_true(am_driver_finished_at(r.d) == S(5));
    run_free(&r);
}

static void test_sequential_stop(void **state)
{
    (void)state;
    static run_t r;
    run_start(&r, "[group.s]\ncount = 4\nduration = 2\nsequential = true\n", S(3));
    /* the first task done at 2 s, the second cancelled at 3 s, the rest never created */
    const am_counts_t *c = am_monitor_counts(r.mon);
    assert_int_equal(c->created, 2);
    assert_int_equal(c->by_state[AM_TASK_DONE], 1);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 1);
    tu_assert_monitor_ok(r.mon);
    run_free(&r);
}

/* A semaphore's peak: the most permits held at once, what the tour's
 * "never more than 10 at a time" check reads. */
static void test_semaphore_peak(void **state)
{
    (void)state;
    uv_loop_t uv;
    am_loop_t *loop;
    tu_loop_open(&uv, &loop);
    int sem = am_semaphore_new(loop, "api", 3, 0);
    assert_true(sem > 0);
    int prog = tu_program(loop, "acquire api; sleep uniform 0.1 0.5; release api", 1);
    for (int i = 0; i < 20; i++)
        tu_spawn_program(loop, prog);
    am_obj_info_t info;
    tu_run_idle(&uv);
    assert_int_equal(am_obj_info(loop, sem, &info), 0);
    assert_int_equal(info.holders, 0);
    assert_int_equal(info.peak, 3);
    assert_int_equal(tu_loop_close(&uv, loop), 0);
}

/* The order items come out of a queue, kept for the priority and LIFO demos. */
static void test_queue_order(void **state)
{
    (void)state;
    uv_loop_t uv;
    am_loop_t *loop;
    tu_loop_open(&uv, &loop);
    int pq = am_queue_new(loop, "pq", AM_QUEUE_PRIORITY, 0);
    int lq = am_queue_new(loop, "lq", AM_QUEUE_LIFO, 0);
    for (int p = 3; p >= 1; p--) {
        assert_int_equal(am_queue_put_nowait(loop, pq, 10 * p, p), 0);
        assert_int_equal(am_queue_put_nowait(loop, lq, 10 * p, p), 0);
    }
    int64_t v;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(am_queue_get_nowait(loop, pq, &v), 0);
        assert_int_equal(v, 10 * (i + 1)); /* 1, 2, 3 */
        assert_int_equal(am_queue_get_nowait(loop, lq, &v), 0);
        assert_int_equal(v, 10 * (i + 1)); /* last in, first out: the 1 was put last */
    }
    am_queue_stats_t st;
    assert_int_equal(am_queue_stats(loop, pq, &st), 0);
    assert_int_equal(st.norder, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(st.order_prio[i], i + 1);
        assert_int_equal(st.order_seq[i], 2 - i);
    }
    assert_int_equal(am_queue_stats(loop, lq, &st), 0);
    assert_int_equal(st.norder, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(st.order_seq[i], 2 - i);
    assert_int_equal(tu_loop_close(&uv, loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_section),   cmocka_unit_test(test_code_active),
        cmocka_unit_test(test_code_errors),    cmocka_unit_test(test_sequential_vs_concurrent),
        cmocka_unit_test(test_cancel_at),      cmocka_unit_test(test_sequential_stop),
        cmocka_unit_test(test_semaphore_peak), cmocka_unit_test(test_cancel_at_added),
        cmocka_unit_test(test_queue_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
